"""The data the core added to results: Spaaza's campaign, expiry countdown, end-user card
and parent voucher; a Smart Gift hold's expiry; the rate-limit headers in the request
log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

import voucherkit
from voucherkit.testing import Sandbox, ScriptedServer


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


def spaaza(sb: Sandbox) -> voucherkit.Spaaza:
    return voucherkit.Spaaza(
        session_user_id=sb.spaaza_session_user_id,
        session_key=sb.spaaza_session_key,
        base_url=sb.spaaza_url,
    )


def test_spaaza_voucher_fields(sandbox: Sandbox) -> None:
    v = spaaza(sandbox).redeem_voucher(chain_id=2, voucher_id=438595, amount="2.00")
    assert v.campaign_title == "ACME Loyalty Campaign"
    assert v.campaign_type == "loyalty"
    assert isinstance(v.voucher_expiry_seconds_remaining, int)
    assert v.voucher_expiry_seconds_remaining > 0
    assert v.user_entity_card == {"card_type": "custom", "code": "404064"}
    assert v.parent_voucher is None
    regenerated = v.regenerated_voucher
    assert regenerated is not None
    parent = regenerated.parent_voucher
    assert isinstance(parent, voucherkit.SpaazaVoucher)
    assert parent.voucher_id == 438595
    assert parent.voucher_amount == 10
    assert regenerated.user_entity_card is None


def test_a_hold_says_when_it_lapses(sandbox: Sandbox) -> None:
    sg = voucherkit.SmartGift(api_key=sandbox.smartgift_key, base_url=sandbox.smartgift_url)
    h = sg.hold(voucher_no="1000000001")
    assert isinstance(h.expires_at, datetime)
    assert h.expires_at.tzinfo is not None
    assert h.expires_at.utcoffset() == timedelta(0)
    received = datetime.fromtimestamp(h.received_at, timezone.utc)
    assert abs((h.expires_at - received) - timedelta(minutes=5)) < timedelta(milliseconds=1)


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=1)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_the_request_log_carries_the_rate_limit() -> None:
    logger = logging.getLogger("voucherkit")
    level = logger.level
    keep = Keep()
    logger.setLevel(logging.DEBUG)
    logger.addHandler(keep)
    try:
        with ScriptedServer() as server:
            hold = {"message": "ok", "hold_token": "tok"}
            server.push_all(
                [
                    {
                        "status": 200,
                        "headers": {"X-RateLimit-Remaining": "57", "X-RateLimit-Limit": "60"},
                        "body": hold,
                    },
                    {"status": 200, "body": hold},
                ]
            )
            sg = voucherkit.SmartGift(api_key="sk_test_rl", base_url=server.url)
            sg.hold(voucher_no="1")
            sg.hold(voucher_no="1")
    finally:
        logger.removeHandler(keep)
        logger.setLevel(level)
    first, second = (r for r in keep.records if r.name == "voucherkit")
    assert first.__dict__["voucherkit_rate_limit_remaining"] == 57
    assert first.__dict__["voucherkit_rate_limit_limit"] == 60
    assert second.__dict__["voucherkit_rate_limit_remaining"] is None
    assert second.__dict__["voucherkit_rate_limit_limit"] is None
