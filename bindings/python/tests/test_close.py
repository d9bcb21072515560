"""``close()`` and ``with``: a closed client refuses every call by name, sends nothing,
and a call in flight when the client closes still finishes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import voucherkit
from voucherkit.testing import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


def smartgift(sb: Sandbox, **kw: Any) -> voucherkit.SmartGift:
    return voucherkit.SmartGift(api_key=sb.smartgift_key, base_url=sb.smartgift_url, **kw)


def spaaza(sb: Sandbox) -> voucherkit.Spaaza:
    return voucherkit.Spaaza(
        session_user_id=sb.spaaza_session_user_id,
        session_key=sb.spaaza_session_key,
        base_url=sb.spaaza_url,
    )


SMARTGIFT_CALLS: list[tuple[str, Callable[[voucherkit.SmartGift], object]]] = [
    ("check", lambda c: c.check(voucher_no="1000000001", site_id=12)),
    ("hold", lambda c: c.hold(voucher_no="1000000001")),
    ("redeem", lambda c: c.redeem(voucher_no="1000000001", site_id=12, value="1.00")),
    ("release", lambda c: c.release(voucher_no="1000000001", hold_token="t")),
    ("reverse", lambda c: c.reverse(voucher_no="1000000001", site_id=12, redemptions=[1])),
    ("reconcile", lambda c: c.reconcile()),
]
SPAAZA_CALLS: list[tuple[str, Callable[[voucherkit.Spaaza], object]]] = [
    ("redeem_voucher", lambda c: c.redeem_voucher(chain_id=1, voucher_key="k")),
    ("unlock_voucher", lambda c: c.unlock_voucher(voucher_key="k")),
    ("claim_voucher", lambda c: c.claim_voucher(voucher_key="k", user_id=1)),
    ("unclaim_voucher", lambda c: c.unclaim_voucher(voucher_key="k", user_id=1)),
    ("lock_voucher", lambda c: c.lock_voucher(retailer_basket_code="b", voucher_key="k")),
    ("get_vouchers", lambda c: c.get_vouchers(chain_id=1)),
    ("reconcile", lambda c: c.reconcile()),
]


def refused(call: Callable[[], object], provider: str) -> None:
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        call()
    assert e.value.field == "client"
    assert e.value.provider == provider
    assert "closed" in e.value.message


@pytest.mark.parametrize(("op", "call"), SMARTGIFT_CALLS, ids=[n for n, _ in SMARTGIFT_CALLS])
def test_a_closed_smartgift_client_refuses_every_call(
    sandbox: Sandbox, op: str, call: Callable[[voucherkit.SmartGift], object]
) -> None:
    sg = smartgift(sandbox)
    sg.check(voucher_no="1000000001", site_id=12)
    assert not sg.closed
    sg.close()
    assert sg.closed
    sandbox.reset()
    refused(lambda: call(sg), "smartgift")
    assert sandbox.requests() == []
    sg.close()  # twice is harmless
    assert sg.base_url == sandbox.smartgift_url  # still describes itself


@pytest.mark.parametrize(("op", "call"), SPAAZA_CALLS, ids=[n for n, _ in SPAAZA_CALLS])
def test_a_closed_spaaza_client_refuses_every_call(
    sandbox: Sandbox, op: str, call: Callable[[voucherkit.Spaaza], object]
) -> None:
    sp = spaaza(sandbox)
    sp.close()
    sandbox.reset()
    refused(lambda: call(sp), "spaaza")
    assert sandbox.requests() == []


def test_with_closes_the_client_and_keeps_the_exception(sandbox: Sandbox) -> None:
    with smartgift(sandbox) as sg:
        assert sg.check(voucher_no="1000000001", site_id=12).remaining_value is not None
    assert sg.closed
    refused(lambda: sg.hold(voucher_no="1000000001"), "smartgift")
    with pytest.raises(ZeroDivisionError), spaaza(sandbox) as sp:
        raise ZeroDivisionError
    assert sp.closed


def test_a_call_in_flight_finishes_after_close(sandbox: Sandbox) -> None:
    """close() does not cut a redeem already sent: it completes with its answer."""
    sandbox.reset()
    sandbox.inject_fault(
        "/smartgift/redeem", fault={"kind": "delay", "ms": 400}, times=1, process=True
    )
    sg = smartgift(sandbox)
    before = sg.check(voucher_no="1000000001", site_id=12).remaining_value
    assert before is not None
    out: list[object] = []

    def redeem() -> None:
        try:
            out.append(sg.redeem(voucher_no="1000000001", site_id=12, value="1.00"))
        except voucherkit.VoucherError as e:
            out.append(e)

    t = threading.Thread(target=redeem)
    t.start()
    deadline = time.monotonic() + 10
    while not any(r.path_only == "/smartgift/redeem" for r in sandbox.requests()):
        assert time.monotonic() < deadline, "the redeem never reached the sandbox"
        time.sleep(0.005)
    sg.close()
    t.join(10)
    assert len(out) == 1 and isinstance(out[0], voucherkit.Redemption), out
    after = smartgift(sandbox).check(voucher_no="1000000001", site_id=12).remaining_value
    assert after == before - 1
