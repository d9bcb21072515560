"""Till scenarios against the stateful sandbox (real HTTP on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

import voucherkit
from voucherkit.testing import Sandbox

ACME = 2
KEY_10 = "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as s:
        yield s


def smartgift(sb: Sandbox) -> voucherkit.SmartGift:
    return voucherkit.SmartGift(api_key=sb.smartgift_key, base_url=sb.smartgift_url)


def spaaza(sb: Sandbox) -> voucherkit.Spaaza:
    return voucherkit.Spaaza(
        session_user_id=sb.spaaza_session_user_id,
        session_key=sb.spaaza_session_key,
        base_url=sb.spaaza_url,
    )


def test_sandbox_facts(sb: Sandbox) -> None:
    assert sb.url.startswith("http://127.0.0.1:")
    assert sb.smartgift_url == sb.url + "/smartgift"
    assert sb.spaaza_url == sb.url + "/spaaza"
    assert sb.smartgift_key == "sk_demo_harbour_7Qm2xV9pL4"
    assert sb.spaaza_session_user_id == 1
    assert sb.spaaza_session_key == "demo-acme-admin-session-0001"
    assert sb.data["smartgift"]["vouchers"][0]["voucher_no"] == "1000000001"
    assert sb.port == int(sb.url.rsplit(":", 1)[1])


def test_check_hold_redeem_release_reverse(sb: Sandbox) -> None:
    sg = smartgift(sb)
    v = sg.check(voucher_no="1000000001", site_id=12)
    assert v.voucher_type == "monetary"
    assert v.remaining_value == Decimal("100.00")
    assert v.raw["voucher_no"] == "1000000001"

    hold = sg.hold(voucher_no="1000000001")
    assert hold.hold_token
    # Another till cannot redeem a held voucher.
    with pytest.raises(voucherkit.VoucherLockedError):
        sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("1.00"))
    done = sg.redeem(
        voucher_no="1000000001", site_id="12", value=Decimal("10.00"), hold_token=hold.hold_token
    )
    assert done.redemptions and all(isinstance(i, int) for i in done.redemptions)
    assert sg.check(voucher_no="1000000001", site_id=12).remaining_value == Decimal("90.00")

    released = sg.release(voucher_no="1000000001", hold_token=hold.hold_token)
    assert released.message
    with pytest.raises(voucherkit.VoucherNotHeldError):
        sg.release(voucher_no="1000000001", hold_token=hold.hold_token)

    sg.reverse(voucher_no="1000000001", site_id=12, redemptions=done.redemptions)
    assert sg.check(voucher_no="1000000001", site_id=12).remaining_value == Decimal("100.00")


def test_experiences(sb: Sandbox) -> None:
    sg = smartgift(sb)
    v = sg.check(voucher_no="1000000003", site_id=12)
    assert v.voucher_type == "experience"
    bits = {e.name: e.bit_value for e in v.experiences}
    assert bits == {"Afternoon Tea": 1, "Three-Course Dinner": 4, "Overnight Stay": 8}
    food = sg.check(voucher_no="1000000003", site_id=12, classifications=["food_and_beverage"])
    assert sorted(e.bit_value or 0 for e in food.experiences) == [1, 4]
    r = sg.redeem(voucher_no="1000000003", site_id=12, experiences=[1, 4])
    assert len(r.redemptions) == 2
    after = sg.check(voucher_no="1000000003", site_id=12)
    assert [e.bit_value for e in after.experiences] == [8]
    # The voucher-wide sum of unused bits: the massage (2, site 14 only) and the stay (8).
    assert after.remaining_value == Decimal(10)


def test_a_hold_expires_with_the_sandbox_clock(sb: Sandbox) -> None:
    sg = smartgift(sb)
    hold = sg.hold(voucher_no="1000000002")
    before = sb.now
    sb.advance_clock(301)
    assert sb.now >= before + 301
    # The hold has lapsed: another till may redeem, and the release finds no hold.
    sg.redeem(voucher_no="1000000002", site_id=12, value=Decimal("5"))
    with pytest.raises(voucherkit.VoucherNotHeldError):
        sg.release(voucher_no="1000000002", hold_token=hold.hold_token)


def test_outcome_unknown_then_reconcile(sb: Sandbox) -> None:
    """The redeem happens, its answer is lost: OutcomeUnknownError, and a check shows it."""
    sg = voucherkit.SmartGift(api_key=sb.smartgift_key, base_url=sb.smartgift_url, timeout=1.0)
    sb.inject_fault("/smartgift/redeem", fault="stall", process=True, times=1)
    with pytest.raises(voucherkit.OutcomeUnknownError) as e:
        sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("30.00"))
    assert e.value.retryable is False
    assert len([r for r in sb.requests() if r.path_only == "/smartgift/redeem"]) == 1
    assert sg.check(voucher_no="1000000001", site_id=12).remaining_value == Decimal("70.00")


def test_injected_faults_and_clear(sb: Sandbox) -> None:
    sg = smartgift(sb)
    sb.inject_fault(
        "/smartgift/redeem/check",
        {"status": 502, "body_text": "<html>Bad Gateway</html>", "content_type": "text/html"},
    )
    with pytest.raises(voucherkit.InvalidResponseError):
        sg.check(voucher_no="1000000001", site_id=12)
    sb.clear_faults()
    assert sg.check(voucher_no="1000000001", site_id=12).remaining_value == Decimal("100.00")
    with pytest.raises(ValueError):
        sb.inject_fault("/x", fault={"kind": "nope"})
    with pytest.raises(ValueError):
        sb.inject_fault("/x")


def test_reset_restores_the_data(sb: Sandbox) -> None:
    sg = smartgift(sb)
    sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("100"))
    assert sb.state()["smartgift"]["redemptions"]
    sb.reset()
    assert sb.requests() == []
    assert sg.check(voucher_no="1000000001", site_id=12).remaining_value == Decimal("100.00")


def test_spaaza_partial_redeem_regenerates_the_rest(sb: Sandbox) -> None:
    sp = spaaza(sb)
    v = sp.redeem_voucher(chain_id=ACME, voucher_key=KEY_10, amount=Decimal("2.00"))
    assert v.voucher_status == "redeemed"
    assert v.voucher_amount_redeemed == Decimal("2.00")
    rest = v.regenerated_voucher
    assert rest is not None
    assert rest.voucher_amount == Decimal("8.00")
    assert rest.voucher_status == "generated"  # as in the seed answer
    assert rest.voucher_id != v.voucher_id
    with pytest.raises(voucherkit.VoucherAlreadyRedeemedError):
        sp.redeem_voucher(chain_id=ACME, voucher_key=KEY_10)
    listed = sp.get_vouchers(chain_id=ACME, voucher_id=rest.voucher_id)
    assert len(listed) == 1
    assert [x.voucher_id for x in listed] == [rest.voucher_id]
    assert listed[0].voucher_amount == Decimal("8.00")
    assert listed.results_count_total == 1


def test_spaaza_lock_unlock_claim_unclaim(sb: Sandbox) -> None:
    sp = spaaza(sb)
    locked = sp.lock_voucher(voucher_id=35735, retailer_basket_code="basket-7")
    assert locked.voucher_locked is True
    assert locked.voucher_retailer_basket_code_exclusive == "basket-7"
    unlocked = sp.unlock_voucher(voucher_id=35735)
    assert unlocked.voucher_locked is False
    sp.redeem_voucher(chain_id=ACME, voucher_id=35735, amount=Decimal("1.00"))

    claimed = sp.claim_voucher(chain_id=ACME, voucher_id=40577, member_number="404065")
    assert claimed.voucher_status == "claimed"
    assert claimed.user_id == 1107605
    back = sp.unclaim_voucher(chain_id=ACME, voucher_id=40577, member_number="404065")
    assert back.voucher_status == "generated"
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sp.unclaim_voucher(chain_id=ACME, voucher_id=40577)
    assert e.value.field is not None
    assert sb.requests()[-1].path_only == "/spaaza/unclaim-voucher"


def test_custom_data_and_start_time() -> None:
    data = {
        "smartgift": {
            "companies": [
                {"id": 7, "name": "Tea Rooms", "api_keys": ["sk_tea_rooms_1"], "sites": ["1"]}
            ],
            "vouchers": [
                {
                    "voucher_no": "TEA-0001",
                    "company_id": 7,
                    "type": "monetary",
                    "name": "£20 Gift Card",
                    "value": "20.50",
                    "valid_until": "2030-12-31 23:59:59",
                }
            ],
        }
    }
    with Sandbox(data=data, start_time=1_950_000_000) as sb:  # 2031, after valid_until
        assert sb.smartgift_key == "sk_tea_rooms_1"
        assert sb.now >= 1_950_000_000
        sg = smartgift(sb)
        with pytest.raises(voucherkit.VoucherExpiredError):
            sg.check(voucher_no="TEA-0001", site_id=1)
    with Sandbox(data=data) as sb:
        v = smartgift(sb).check(voucher_no="TEA-0001", site_id=1)
        assert v.remaining_value == Decimal("20.50")
    with pytest.raises(ValueError):
        Sandbox(data={"smartgift": {"nope": []}})


def test_start_and_stop() -> None:
    sb = Sandbox.start()
    sg = smartgift(sb)
    sg.check(voucher_no="1000000001", site_id=12)
    sb.stop()
    quick = voucherkit.SmartGift(
        api_key=sb.smartgift_key, base_url=sb.smartgift_url, max_retries=0, timeout=2.0
    )
    with pytest.raises(voucherkit.NetworkError):
        quick.check(voucher_no="1000000001", site_id=12)
