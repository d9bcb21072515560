"""`python -m voucherkit`: the Rust command line run through the package."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

import voucherkit
from voucherkit.__main__ import main

# Outside the source tree, so `-m voucherkit` finds the installed package, not bindings/python/.
NEUTRAL = tempfile.gettempdir()


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voucherkit", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=NEUTRAL,
    )


def test_demo_plays_a_till_session() -> None:
    done = run("demo")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "voucherkit demo" in out
    assert "1. check voucher 1000000001" in out
    assert "The voucher has been redeemed." in out
    assert "regenerated voucher" in out
    assert "outcome_unknown" in out


def test_help_and_usage_errors_give_the_command_lines_exit_codes() -> None:
    helped = run("--help")
    assert helped.returncode == 0
    assert "demo" in helped.stdout and "sandbox" in helped.stdout
    wrong = run("no-such-command")
    assert wrong.returncode == 2
    assert "no-such-command" in wrong.stderr


def test_main_returns_the_exit_code_in_process() -> None:
    assert main(["--version"]) == 0


def test_sandbox_serves_until_ctrl_c() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "voucherkit", "sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=NEUTRAL,
    )
    try:
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + 60
        banner = []
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            banner.append(line)
            m = re.search(r"Smart Gift\s+base URL (\S+)", line)
            if m:
                url = m.group(1)
        assert url, "".join(banner)
        sg = voucherkit.SmartGift(api_key="sk_demo_harbour_7Qm2xV9pL4", base_url=url)
        assert sg.check(voucher_no="1000000001", site_id=12).remaining_value == Decimal("100")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "sandbox stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
