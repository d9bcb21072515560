"""The sandbox dashboard in a real browser: Debian's headless Chromium driven by
Playwright, against sandboxes started through the Python package and the CLI.

Run by `make test-dashboard` (sandbox/sandbox.mk) with the wheel installed in .venv.
Screenshots go to $CARGO_TARGET_DIR/dashboard/ (target/dashboard/ by default).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import voucherkit
from playwright.sync_api import Browser, Page, expect, sync_playwright
from voucherkit.testing import Sandbox

ROOT = Path(__file__).resolve().parents[3]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
OUT = TARGET / "dashboard"
CHROMIUM = "/usr/bin/chromium"
HUNDRED = "1000000001"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    OUT.mkdir(parents=True, exist_ok=True)
    # Chromium's own sandbox cannot run as root (CI containers): only then go without.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    p = browser.new_page(viewport={"width": 1100, "height": 900})
    # Assertions wait up to 5 s: the page polls every second.
    p.set_default_timeout(5000)
    yield p
    p.close()


def smartgift(
    url: str, key: str, journal: voucherkit.Journal | None = None
) -> voucherkit.SmartGift:
    # A short timeout, no retries: a stalled answer is outcome_unknown within a second.
    return voucherkit.SmartGift(
        api_key=key, base_url=url, timeout=1.0, max_retries=0, journal=journal
    )


def add_rule(page: Page, path: str, process: str, kind: str, times: str) -> None:
    form = page.locator("#fault-form")
    form.locator("[name=path]").fill(path)
    form.locator("[name=process]").select_option(process)
    form.locator("[name=kind]").select_option(kind)
    form.locator("[name=times]").fill(times)
    form.locator("button[type=submit]").click()
    expect(page.locator("#fault-message")).to_contain_text("rule added")


def test_redeems_show_up_and_a_fault_from_the_form_makes_the_next_one_unknown(
    page: Page,
) -> None:
    with Sandbox() as sb:
        sg = smartgift(sb.smartgift_url, sb.smartgift_key)
        done = sg.redeem(voucher_no=HUNDRED, site_id=12, value=Decimal("12.50"))
        assert done.redemptions, done

        response = page.goto(sb.url + "/")
        assert response is not None and response.ok
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        first_request = page.locator("#requests tbody tr").first
        expect(first_request).to_contain_text("POST")
        expect(first_request).to_contain_text("/smartgift/redeem")
        expect(first_request).to_contain_text("200")
        # The page itself (and its files) are no provider requests.
        expect(page.locator("#requests-total")).to_have_text("(1 of 1)")
        voucher = page.locator(f'#sg-vouchers tr[data-voucher="{HUNDRED}"]')
        expect(voucher).to_contain_text("£87.5")
        expect(voucher).to_contain_text("available")
        expect(page.locator("#faults tbody")).to_contain_text("no fault rules")

        # The form: the redeem happens, its answer never comes.
        add_rule(page, "/smartgift/redeem", "yes", "stall", "1")
        rule = page.locator("#faults tbody tr").first
        expect(rule).to_contain_text("/smartgift/redeem")
        expect(rule).to_contain_text("stall")
        with pytest.raises(voucherkit.OutcomeUnknownError) as lost:
            sg.redeem(voucher_no=HUNDRED, site_id=12, value=Decimal("10.00"))
        assert lost.value.kind == "outcome_unknown"

        # The provider acted: the page shows the lower balance, the stalled request, and
        # the rule gone (it was for one request).
        expect(voucher).to_contain_text("£77.5")
        expect(first_request).to_contain_text("stall")
        expect(page.locator("#faults tbody")).to_contain_text("no fault rules")

        # A rule that stays until cleared; the button clears it.
        add_rule(page, "/smartgift/redeem/check", "no", "reset", "")
        expect(page.locator("#faults tbody tr").first).to_contain_text("until cleared")
        page.locator("#clear-faults").click()
        expect(page.locator("#fault-message")).to_contain_text("cleared 1 rule")
        expect(page.locator("#faults tbody")).to_contain_text("no fault rules")
        assert sg.check(voucher_no=HUNDRED, site_id=12).remaining_value == Decimal("77.5")
        # No journal given to this sandbox: no journal section.
        expect(page.locator("#journal-section")).to_be_hidden()
        page.screenshot(path=OUT / "python-sandbox.png", full_page=True)


def voucherkit_binary() -> Path:
    return Path(os.environ.get("VOUCHERKIT_BIN", TARGET / "debug" / "voucherkit"))


@pytest.mark.skipif(not voucherkit_binary().exists(), reason="build the CLI first")
def test_the_cli_sandbox_lists_its_journal_by_state(page: Page) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "till.journal"
        served = subprocess.Popen(
            [str(voucherkit_binary()), "sandbox", "--journal", str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            banner: dict[str, str] = {}
            assert served.stdout is not None
            for line in served.stdout:
                if line.startswith("Dashboard: "):
                    banner["dashboard"] = line.split()[1]
                elif line.startswith("Smart Gift   base URL "):
                    banner["smartgift"] = line.split()[-1]
                elif line.strip().startswith("SMARTGIFT_API_KEY="):
                    banner["key"] = line.strip().split()[0].split("=", 1)[1]
                elif line.startswith("Control endpoint"):
                    break
            journal = voucherkit.Journal(str(path))
            sg = smartgift(banner["smartgift"], banner["key"], journal)
            sg.redeem(voucher_no=HUNDRED, site_id=12, value=Decimal("20.00"), reference="sale-1")

            page.goto(banner["dashboard"])
            section = page.locator("#journal-section")
            expect(section).to_be_visible()
            expect(page.locator("#journal-path")).to_have_text(str(path))
            expect(section.locator('table[data-state="applied"]')).to_contain_text("sale-1")

            add_rule(page, "/smartgift/redeem", "yes", "reset", "1")
            with pytest.raises(voucherkit.OutcomeUnknownError):
                sg.redeem(voucher_no=HUNDRED, site_id=12, value=Decimal("5.00"), reference="sale-2")
            unknown = section.locator('table[data-state="unknown"]')
            expect(unknown).to_contain_text("sale-2")
            expect(unknown).to_contain_text("outcome_unknown")
            expect(page.locator(f'#sg-vouchers tr[data-voucher="{HUNDRED}"]')).to_contain_text(
                "£75"
            )
            page.screenshot(path=OUT / "cli-sandbox-journal.png", full_page=True)
        finally:
            served.terminate()
            served.wait(timeout=10)
