"""Threads sharing one client, and the GIL released while a call waits."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import voucherkit
from voucherkit.testing import Sandbox, ScriptedServer

THREADS = 16
CALLS = 10


def test_sixteen_threads_share_one_client_with_no_wrong_answer() -> None:
    """16 tills, one client: each redeems from its own voucher CALLS times and checks it;
    every answer must be its own voucher's, and every balance exact."""
    vouchers = [
        {
            "voucher_no": f"T{n:03d}",
            "company_id": 1,
            "type": "monetary",
            "name": f"Till {n}",
            "value": "100.00",
        }
        for n in range(THREADS)
    ]
    data = {
        "smartgift": {
            "companies": [{"id": 1, "name": "Shop", "api_keys": ["sk_threads_1"], "sites": ["1"]}],
            "vouchers": vouchers,
        }
    }
    with Sandbox(data=data) as sb:
        sg = voucherkit.SmartGift(api_key=sb.smartgift_key, base_url=sb.smartgift_url)
        start = threading.Barrier(THREADS)

        def till(n: int) -> list[str]:
            wrong = []
            voucher_no = f"T{n:03d}"
            amount = Decimal(n + 1) / 100  # 0.01 .. 0.16: a mixed-up answer shows
            start.wait()
            for i in range(CALLS):
                r = sg.redeem(voucher_no=voucher_no, site_id=1, value=amount)
                if len(r.redemptions) != 1:
                    wrong.append(f"{voucher_no}: redemptions {r.redemptions}")
                v = sg.check(voucher_no=voucher_no, site_id=1)
                want = Decimal("100.00") - amount * (i + 1)
                if v.voucher_no != voucher_no or v.remaining_value != want:
                    got = f"{v.voucher_no} {v.remaining_value}"
                    wrong.append(f"{voucher_no}: got {got}, want {want}")
            return wrong

        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(till, range(THREADS)))
        assert [w for ws in results for w in ws] == []
        ids = [r["id"] for r in sb.state()["smartgift"]["redemptions"]]
        assert len(ids) == len(set(ids)) == THREADS * CALLS


def test_racing_tills_on_one_voucher_redeem_it_once() -> None:
    with Sandbox() as sb:
        sg = voucherkit.SmartGift(api_key=sb.smartgift_key, base_url=sb.smartgift_url)
        start = threading.Barrier(8)

        def till(_: int) -> str:
            start.wait()
            try:
                sg.redeem(voucher_no="1000000002", site_id=12, value=Decimal("25.00"))
                return "ok"
            except voucherkit.VoucherError as e:
                return e.kind

        with ThreadPoolExecutor(8) as pool:
            outcomes = sorted(pool.map(till, range(8)))
        assert outcomes.count("ok") == 1
        assert set(outcomes) - {"ok"} <= {"voucher_already_redeemed", "invalid_amount"}


def test_the_gil_is_released_while_a_call_waits() -> None:
    """A call waits on a stalled answer for about a second; a Python thread counting in
    the meantime must keep running (it would be frozen if the GIL were held)."""
    with ScriptedServer() as server:
        server.push({"fault": {"kind": "stall"}})
        sg = voucherkit.SmartGift(api_key="sk_test_gil", base_url=server.url, timeout=1.0)
        ticks = 0
        stop = threading.Event()

        def counter() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                time.sleep(0.001)

        worker = threading.Thread(target=counter)
        worker.start()
        time.sleep(0.05)
        started = time.monotonic()
        before = ticks
        try:
            sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("1.00"))
            raise AssertionError("a stalled redeem must not succeed")
        except voucherkit.OutcomeUnknownError:
            pass
        during = ticks - before
        waited = time.monotonic() - started
        stop.set()
        worker.join()
        assert waited >= 0.9
        # ~1 ms per tick: hundreds of ticks while the call waited; zero if the GIL was held.
        assert during > 100, f"the counting thread ran only {during} times in {waited:.2f} s"
