"""Integer parameters: an int is sent; a bool, float, Decimal or str is refused, naming the
wire field, before anything is sent.

Python makes ``bool`` an ``int`` subclass, so without this check ``site_id=True`` went out as
site "1" and ``experiences=[True]`` redeemed experience bit 1. Every integer parameter of
every operation and client constructor is listed here; each refusal must leave the server's
request log empty.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

import voucherkit
from voucherkit.testing import Sandbox, ScriptedServer

SG_OK = {"status": 200, "body": {"data": {"message": "ok", "redemptions": [21]}}}
SP_OK = {
    "status": 200,
    "body": {"result": {"code": 1, "status": "ok"}, "results": {"voucher_id": 7}},
}
SP_LIST = {
    "status": 200,
    "body": {"result": {"code": 1, "status": "ok"}, "results": {"vouchers": []}},
}

Call = Callable[[str, Any], object]


def smartgift(url: str) -> voucherkit.SmartGift:
    return voucherkit.SmartGift(api_key="sk_test_integers", base_url=url)


def spaaza(url: str) -> voucherkit.Spaaza:
    return voucherkit.Spaaza(session_user_id=1, session_key="sess_integers", base_url=url)


# (field, call): `call(url, value)` makes one call, valid but for `value` in that field.
CALLS: list[tuple[str, Call]] = [
    # Smart Gift
    ("site_id", lambda u, v: smartgift(u).check(voucher_no="1", site_id=v)),
    ("site_id", lambda u, v: smartgift(u).redeem(voucher_no="1", site_id=v, value="1.00")),
    ("site_id", lambda u, v: smartgift(u).reverse(voucher_no="1", site_id=v, redemptions=[21])),
    ("experiences", lambda u, v: smartgift(u).redeem(voucher_no="1", site_id=12, experiences=[v])),
    (
        "experiences",
        lambda u, v: smartgift(u).redeem(voucher_no="1", site_id=12, experiences=[1, v]),
    ),
    ("redemptions", lambda u, v: smartgift(u).reverse(voucher_no="1", site_id=12, redemptions=[v])),
    (
        "max_retries",
        lambda u, v: voucherkit.SmartGift(api_key="sk_test_integers", base_url=u, max_retries=v),
    ),
    (
        "max_idle_connections",
        lambda u, v: voucherkit.SmartGift(
            api_key="sk_test_integers", base_url=u, max_idle_connections=v
        ),
    ),
    # Spaaza
    (
        "session_user_id",
        lambda u, v: voucherkit.Spaaza(session_user_id=v, session_key="sess_x", base_url=u),
    ),
    (
        "max_retries",
        lambda u, v: voucherkit.Spaaza(
            session_user_id=1, session_key="sess_x", base_url=u, max_retries=v
        ),
    ),
    (
        "max_idle_connections",
        lambda u, v: voucherkit.Spaaza(
            session_user_id=1, session_key="sess_x", base_url=u, max_idle_connections=v
        ),
    ),
    ("chain_id", lambda u, v: spaaza(u).redeem_voucher(chain_id=v, voucher_id=7)),
    ("voucher_id", lambda u, v: spaaza(u).redeem_voucher(chain_id=2, voucher_id=v)),
    ("user_id", lambda u, v: spaaza(u).redeem_voucher(chain_id=2, voucher_id=7, user_id=v)),
    ("voucher_id", lambda u, v: spaaza(u).unlock_voucher(voucher_id=v)),
    (
        "chain_id",
        lambda u, v: spaaza(u).unclaim_voucher(chain_id=v, voucher_id=7, member_number="M1"),
    ),
    (
        "voucher_id",
        lambda u, v: spaaza(u).unclaim_voucher(chain_id=2, voucher_id=v, member_number="M1"),
    ),
    (
        "third_party_id",
        lambda u, v: spaaza(u).unclaim_voucher(chain_id=2, third_party_id=v, member_number="M1"),
    ),
    ("user_id", lambda u, v: spaaza(u).unclaim_voucher(chain_id=2, voucher_id=7, user_id=v)),
    (
        "chain_id",
        lambda u, v: spaaza(u).claim_voucher(chain_id=v, voucher_id=7, member_number="M1"),
    ),
    (
        "voucher_id",
        lambda u, v: spaaza(u).claim_voucher(chain_id=2, voucher_id=v, member_number="M1"),
    ),
    (
        "third_party_id",
        lambda u, v: spaaza(u).claim_voucher(chain_id=2, third_party_id=v, member_number="M1"),
    ),
    ("user_id", lambda u, v: spaaza(u).claim_voucher(chain_id=2, voucher_id=7, user_id=v)),
    (
        "voucher_id",
        lambda u, v: spaaza(u).lock_voucher(retailer_basket_code="b1", voucher_id=v),
    ),
    (
        "voucher_lock_period",
        lambda u, v: spaaza(u).lock_voucher(
            retailer_basket_code="b1", voucher_id=7, voucher_lock_period=v
        ),
    ),
    ("chain_id", lambda u, v: spaaza(u).get_vouchers(chain_id=v)),
    ("voucher_id", lambda u, v: spaaza(u).get_vouchers(chain_id=2, voucher_id=v)),
    ("user_id", lambda u, v: spaaza(u).get_vouchers(chain_id=2, user_id=v)),
    ("campaign_id", lambda u, v: spaaza(u).get_vouchers(chain_id=2, campaign_id=v)),
    ("number_results", lambda u, v: spaaza(u).get_vouchers(chain_id=2, number_results=v)),
    ("results_offset", lambda u, v: spaaza(u).get_vouchers(chain_id=2, results_offset=v)),
]

# Every integer parameter of the public API is covered above.
assert {f for f, _ in CALLS} == {
    "site_id",
    "experiences",
    "redemptions",
    "max_retries",
    "max_idle_connections",
    "session_user_id",
    "chain_id",
    "voucher_id",
    "user_id",
    "third_party_id",
    "campaign_id",
    "voucher_lock_period",
    "number_results",
    "results_offset",
}

NOT_INTEGERS: list[tuple[Any, str]] = [
    (True, "bool"),
    (False, "bool"),
    (1.0, "float"),
    (7.5, "float"),
    (float("nan"), "float"),
    (Decimal("7"), "Decimal"),
]


def ids(calls: list[tuple[str, Call]]) -> list[str]:
    return [f"{field}-{i}" for i, (field, _) in enumerate(calls)]


STR_CALLS = [c for c in CALLS if c[0] != "site_id"]  # site_id takes a str


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


@pytest.mark.parametrize(
    ("value", "type_name"), NOT_INTEGERS, ids=[repr(v) for v, _ in NOT_INTEGERS]
)
@pytest.mark.parametrize(("field", "call"), CALLS, ids=ids(CALLS))
def test_bools_and_floats_are_refused_naming_the_field_and_nothing_is_sent(
    server: ScriptedServer, field: str, call: Call, value: Any, type_name: str
) -> None:
    server.reset()
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        call(server.url, value)
    assert e.value.field == field
    assert e.value.kind == "invalid_request"
    assert e.value.http_status is None
    assert e.value.retryable is False
    assert e.value.provider in ("smartgift", "spaaza")
    assert "must be an integer" in e.value.message, e.value.message
    assert f"({'an' if type_name[0] in 'aeiou' else 'a'} {type_name})" in e.value.message
    assert server.requests() == []


# A str is refused too, except by site_id (which takes one).
@pytest.mark.parametrize(("field", "call"), STR_CALLS, ids=ids(STR_CALLS))
def test_a_str_is_refused_where_only_an_int_is_taken(
    server: ScriptedServer, field: str, call: Call
) -> None:
    server.reset()
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        call(server.url, "7")
    assert e.value.field == field
    assert "'7' (a str)" in e.value.message
    assert server.requests() == []


def test_the_messages_say_what_was_wrong(server: ScriptedServer) -> None:
    sg = smartgift(server.url)
    server.reset()
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sg.redeem(voucher_no="1", site_id=True, value="1.00")
    assert e.value.message == "site_id must be an integer or a str, got True (a bool)"
    assert e.value.provider == "smartgift"
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sg.redeem(voucher_no="1", site_id=12, experiences=[1, 4, True])
    assert e.value.message == "experiences[2] must be an integer, got True (a bool)"
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sg.reverse(voucher_no="1", site_id=12, redemptions="21")  # type: ignore[arg-type]
    assert e.value.field == "redemptions"
    assert e.value.message == "redemptions must be a list of integers, got '21' (a str)"
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sg.check(voucher_no="1", site_id=2**64)
    assert e.value.field == "site_id" and "must be between" in e.value.message
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        spaaza(server.url).lock_voucher(
            retailer_basket_code="b1", voucher_id=7, voucher_lock_period=True
        )
    assert e.value.message == "voucher_lock_period must be an integer, got True (a bool)"
    assert e.value.provider == "spaaza"
    assert server.requests() == []


class Site(enum.IntEnum):
    HARBOUR = 12


class Index:
    """An integer by ``__index__``, as numpy's integers are."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __index__(self) -> int:
        return self.n


def test_ints_are_sent_as_given(server: ScriptedServer) -> None:
    sg = smartgift(server.url)
    sites: list[tuple[int | str, str]] = [(12, "12"), ("12", "12"), ("HQ-7", "HQ-7")]
    for site, wire in [*sites, (Site.HARBOUR, "12")]:
        server.reset()
        server.push(SG_OK)
        sg.redeem(voucher_no="1", site_id=site, value="1.00")
        body = server.requests()[0].json()
        assert isinstance(body, dict) and body["site_id"] == wire, site

    server.reset()
    server.push(SG_OK)
    sg.redeem(voucher_no="1", site_id=12, experiences=(1, Index(4)))  # type: ignore[arg-type]
    body = server.requests()[0].json()
    assert isinstance(body, dict) and body["value"] == 5

    server.reset()
    server.push({"status": 200, "body": {"message": "Redemption reversal complete"}})
    sg.reverse(voucher_no="1", site_id=Index(14), redemptions=[21, 22])  # type: ignore[arg-type]
    body = server.requests()[0].json()
    assert isinstance(body, dict)
    assert body["site_id"] == "14" and body["redemptions"] == [21, 22]

    sp = voucherkit.Spaaza(session_user_id=3, session_key="sess_x", base_url=server.url)
    server.reset()
    server.push_all([SP_OK, SP_OK, SP_OK, SP_LIST])
    sp.redeem_voucher(chain_id=2, voucher_id=7, user_id=1107604)
    sp.lock_voucher(retailer_basket_code="b1", voucher_id=7, voucher_lock_period=60)
    sp.unclaim_voucher(chain_id=2, third_party_id=99, member_number="M1")
    sp.get_vouchers(chain_id=2, campaign_id=5, number_results=10, results_offset=0)
    sent = server.requests()
    assert len(sent) == 4
    assert sent[0].header("X-Spaaza-Session-User-Id") == "3"
    assert ("chain_id", "2") in sent[0].form() and ("voucher_id", "7") in sent[0].form()
    assert ("user_id", "1107604") in sent[0].form()
    assert ("voucher_lock_period", "60") in sent[1].form()
    assert ("third_party_id", "99") in sent[2].form()
    query = sent[3].query()
    for pair in [("campaign_id", "5"), ("number_results", "10"), ("results_offset", "0")]:
        assert pair in query, query


def test_defaults_still_apply(server: ScriptedServer) -> None:
    server.reset()
    server.push(SP_OK)
    spaaza(server.url).lock_voucher(retailer_basket_code="b1", voucher_id=7)
    assert ("voucher_lock_period", "300") in server.requests()[0].form()
    sig = getattr(voucherkit.Spaaza.lock_voucher, "__text_signature__", None) or ""
    assert "voucher_lock_period=300" in sig
    assert "max_retries=2" in (voucherkit.SmartGift.__text_signature__ or "")
    assert "max_retries=2" in (voucherkit.Spaaza.__text_signature__ or "")


def test_range_rules_stay_in_the_core(server: ScriptedServer) -> None:
    """The binding checks the type only: a zero id is the core's refusal, worded by it."""
    server.reset()
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        spaaza(server.url).redeem_voucher(chain_id=0, voucher_id=7)
    assert e.value.field == "chain_id"
    assert e.value.message == "chain_id must be a positive integer, got 0"
    assert server.requests() == []


def test_experiences_true_redeems_nothing_in_the_sandbox() -> None:
    """The audit's case, against the stateful emulator: nothing reaches it, nothing changes."""
    with Sandbox() as sb:
        sg = voucherkit.SmartGift(api_key=sb.smartgift_key, base_url=sb.smartgift_url)
        before = sg.check(voucher_no="1000000003", site_id=12)
        sb.reset()
        with pytest.raises(voucherkit.InvalidRequestError) as e:
            sg.redeem(voucher_no="1000000003", site_id=12, experiences=[True])
        assert e.value.field == "experiences"
        with pytest.raises(voucherkit.InvalidRequestError) as e:
            sg.redeem(voucher_no="1000000003", site_id=True, experiences=[1])
        assert e.value.field == "site_id"
        assert sb.requests() == []
        after = sg.check(voucher_no="1000000003", site_id=12)
        assert [x.bit_value for x in after.experiences] == [x.bit_value for x in before.experiences]
        sp = voucherkit.Spaaza(
            session_user_id=sb.spaaza_session_user_id,
            session_key=sb.spaaza_session_key,
            base_url=sb.spaaza_url,
        )
        sb.reset()
        with pytest.raises(voucherkit.InvalidRequestError) as e:
            sp.redeem_voucher(chain_id=2, voucher_id=True)
        assert e.value.field == "voucher_id"
        assert sb.requests() == []


# Timeouts (and the idle age) are seconds as an int or a float; a bool (`timeout=True`, a
# 1 s deadline on a redeem) or any other type is refused like the integers above.
TIMEOUT_CLIENTS: list[tuple[str, Callable[[str, dict[str, Any]], object]]] = [
    ("smartgift", lambda u, kw: voucherkit.SmartGift(api_key="sk_test_integers", base_url=u, **kw)),
    (
        "spaaza",
        lambda u, kw: voucherkit.Spaaza(session_user_id=1, session_key="s", base_url=u, **kw),
    ),
]


@pytest.mark.parametrize("value", [True, False, "5", Decimal("5"), [5]], ids=repr)
@pytest.mark.parametrize("field", ["timeout", "connect_timeout", "max_idle_age"])
@pytest.mark.parametrize(("provider", "make"), TIMEOUT_CLIENTS, ids=[p for p, _ in TIMEOUT_CLIENTS])
def test_timeouts_refuse_bools_and_other_types(
    server: ScriptedServer,
    provider: str,
    make: Callable[[str, dict[str, Any]], object],
    field: str,
    value: Any,
) -> None:
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        make(server.url, {field: value})
    assert e.value.field == field
    assert e.value.provider == provider
    assert f"{field} must be a number of seconds" in e.value.message, e.value.message


def test_timeouts_take_ints_and_floats(server: ScriptedServer) -> None:
    for kw in (
        {"timeout": 3},
        {"timeout": 2.5, "connect_timeout": 1},
        {"timeout": None},
        {"max_idle_age": 0},
        {"max_idle_age": 0.5},
    ):
        for _, make in TIMEOUT_CLIENTS:
            make(server.url, kw)
    # A float deadline is the one the call keeps: a stalled redeem ends after it.
    sg = voucherkit.SmartGift(api_key="sk_test_integers", base_url=server.url, timeout=0.3)
    server.reset()
    server.push({"fault": {"kind": "stall"}})
    start = time.monotonic()
    with pytest.raises(voucherkit.OutcomeUnknownError):
        sg.redeem(voucher_no="1", site_id=12, value="1.00")
    assert 0.25 <= time.monotonic() - start < 3
