"""Money in and out: Decimal, int and str accepted; float refused; the provider's digits."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import voucherkit
from voucherkit.testing import ScriptedServer

OK = {"status": 200, "body": {"data": {"message": "ok", "redemptions": [21]}}}


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


def sent_value(server: ScriptedServer, value: Any) -> str:
    server.reset()
    server.push(OK)
    sg = voucherkit.SmartGift(api_key="sk_test_money", base_url=server.url)
    sg.redeem(voucher_no="1", site_id=12, value=value)
    body = server.requests()[0].body_text
    return body.split('"value":', 1)[1].rstrip("}")


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (Decimal("10.00"), "10.00"),
        (Decimal("10.500"), "10.50"),
        (Decimal("10"), "10"),
        (Decimal("1E+1"), "10"),
        (10, "10"),
        ("2.00", "2.00"),
        ("0.01", "0.01"),
    ],
)
def test_decimal_int_and_str_are_sent_with_their_digits(
    server: ScriptedServer, value: Any, wire: str
) -> None:
    assert sent_value(server, value) == wire


@pytest.mark.parametrize("value", [0.1, 10.0, float("nan")])
def test_a_float_is_refused_naming_the_field(server: ScriptedServer, value: float) -> None:
    sg = voucherkit.SmartGift(api_key="sk_test_money", base_url=server.url)
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sg.redeem(voucher_no="1", site_id=12, value=value)  # type: ignore[arg-type]
    assert e.value.field == "value"
    assert "float" in e.value.message and "Decimal" in e.value.message
    assert e.value.http_status is None
    assert server.requests() == []


def test_a_float_amount_is_refused_by_spaaza_too(server: ScriptedServer) -> None:
    sp = voucherkit.Spaaza(session_user_id=1, session_key="sess_x", base_url=server.url)
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sp.redeem_voucher(chain_id=2, voucher_id=1, amount=2.5)  # type: ignore[arg-type]
    assert e.value.field == "amount"
    assert e.value.provider == "spaaza"
    assert "0.1 is not 0.1" in e.value.message
    assert server.requests() == []


@pytest.mark.parametrize("value", [True, [1], object(), Decimal("10.005"), "1e3", Decimal("-1")])
def test_other_bad_amounts_are_invalid_requests(server: ScriptedServer, value: Any) -> None:
    sg = voucherkit.SmartGift(api_key="sk_test_money", base_url=server.url)
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sg.redeem(voucher_no="1", site_id=12, value=value)
    assert e.value.field == "value"
    assert server.requests() == []


def test_amounts_out_are_decimals_with_the_providers_digits(server: ScriptedServer) -> None:
    server.push(
        {
            "status": 200,
            "body_text": '{"result":{"code":1,"status":"ok"},"results":{"voucher_id":7,'
            '"voucher_amount":10.50,"voucher_amount_redeemed":2,"voucher_amount_original":12.5,'
            '"voucher_status":"redeemed","regenerated_voucher":{"voucher_id":8,'
            '"voucher_amount":8.00}}}',
        }
    )
    sp = voucherkit.Spaaza(session_user_id=1, session_key="sess_x", base_url=server.url)
    v = sp.redeem_voucher(chain_id=2, voucher_id=7, amount="2")
    assert isinstance(v.voucher_amount, Decimal)
    assert str(v.voucher_amount) == "10.50"
    assert str(v.voucher_amount_redeemed) == "2"
    assert str(v.voucher_amount_original) == "12.5"
    assert v.regenerated_voucher is not None
    assert str(v.regenerated_voucher.voucher_amount) == "8.00"
    # raw keeps the digits too: integers as int, other numbers as Decimal.
    assert v.raw["voucher_amount"] == Decimal("10.50")
    assert str(v.raw["voucher_amount"]) == "10.50"
    assert v.raw["voucher_id"] == 7 and isinstance(v.raw["voucher_id"], int)
