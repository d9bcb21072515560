"""The `voucherkit` logger: handlers that call voucherkit, warnings, and no secret in any record.

Request logs and warnings reach `logging` from inside a call (the GIL taken back only to
log). What a handler does there must never change the outcome of the call being logged,
and no record, at any level, may carry a key, a session key or a bearer token.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import voucherkit
from voucherkit.testing import ScriptedServer

SG_KEY = "sk_live_SECRETsg0123456789wxyz"
SESSION = "sess_SECRETsession0123456789abcd"
TOKEN = "bearer_SECRETtoken0123456789efgh"
SECRETS = [SG_KEY, SESSION, TOKEN, "SECRET"]

# Nothing listens on port 1 of the loopback (binding it needs root): connections are refused.
DEAD_URL = "http://127.0.0.1:1"

SG_HOLD_OK = {"status": 200, "body": {"message": "ok", "hold_token": "tok"}}
SG_CHECK_OK = {
    "status": 200,
    "body": {"data": {"voucher_no": "1", "type": "monetary", "remaining_value": "5.00"}},
}
STALL = {"fault": {"kind": "stall"}}
RESET = {"fault": {"kind": "reset"}}


def spaaza_ok(voucher_id: int, status: str) -> dict[str, Any]:
    return {
        "status": 200,
        "body": {
            "result": {"code": 1, "status": "ok"},
            "results": {"voucher_id": voucher_id, "voucher_status": status},
        },
    }


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


@pytest.fixture
def vk_logger() -> Iterator[logging.Logger]:
    """The `voucherkit` logger at DEBUG, put back as it was afterwards."""
    logger = logging.getLogger("voucherkit")
    level, handlers, filters = logger.level, logger.handlers[:], logger.filters[:]
    logger.setLevel(logging.DEBUG)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers
    logger.filters[:] = filters


class Keep(logging.Handler):
    """Keeps every record it is given."""

    def __init__(self) -> None:
        super().__init__(level=1)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class CallsVoucherkit(logging.Handler):
    """On each record, makes one voucherkit call itself (not for the records of its own
    call, which would recurse) and keeps what that call gave."""

    def __init__(self, client: voucherkit.SmartGift) -> None:
        super().__init__(level=1)
        self.client = client
        self.inside = threading.local()
        self.outcomes: list[object] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self.inside, "active", False):
            return
        self.inside.active = True
        try:
            self.outcomes.append(self.client.check(voucher_no="1", site_id=12))
        except voucherkit.VoucherError as e:
            self.outcomes.append(e)
        finally:
            self.inside.active = False


def test_a_handler_whose_own_call_fails_does_not_turn_a_lost_redeem_into_anything_else(
    server: ScriptedServer, vk_logger: logging.Logger
) -> None:
    nested = voucherkit.SmartGift(api_key=SG_KEY, base_url=DEAD_URL, max_retries=0)
    handler = CallsVoucherkit(nested)
    vk_logger.addHandler(handler)
    server.push(STALL)
    sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url, timeout=0.4)
    with pytest.raises(voucherkit.OutcomeUnknownError) as e:
        sg.redeem(voucher_no="1", site_id=12, value=Decimal("5.00"))
    assert e.value.retryable is False
    assert len(server.requests()) == 1, "a redeem whose answer was lost is never sent again"
    # The handler did run, and its own call failed as a refused connection does.
    assert handler.outcomes, "the handler was never called"
    assert all(isinstance(o, voucherkit.NetworkError) for o in handler.outcomes), handler.outcomes


def test_a_handler_whose_own_call_succeeds_does_not_make_a_refused_redeem_unknown(
    server: ScriptedServer, vk_logger: logging.Logger
) -> None:
    server.push_all([SG_CHECK_OK] * 4)
    nested = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url, max_retries=0)
    handler = CallsVoucherkit(nested)
    vk_logger.addHandler(handler)
    sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=DEAD_URL, max_retries=1)
    with pytest.raises(voucherkit.NetworkError) as e:
        sg.redeem(voucher_no="1", site_id=12, value=Decimal("5.00"))
    assert e.value.kind == "network"
    assert e.value.retryable is True
    # One nested check per refused attempt (the first and its retry), each answered.
    assert len(handler.outcomes) == 2, handler.outcomes
    assert all(isinstance(o, voucherkit.SmartGiftVoucher) for o in handler.outcomes)
    assert len(server.requests()) == 2


def test_no_record_carries_a_secret(server: ScriptedServer) -> None:
    """Every logger at level 1 and every record kept, across both providers, all three
    credentials, successes, a lost answer, a reset connection and refusals."""
    keep = Keep()
    root = logging.getLogger()
    vk = logging.getLogger("voucherkit")
    saved = (root.level, vk.level)
    root.setLevel(1)
    vk.setLevel(1)
    root.addHandler(keep)
    try:
        sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url, timeout=0.4, max_retries=0)
        admin = voucherkit.Spaaza(
            session_user_id=1, session_key=SESSION, base_url=server.url, timeout=0.4, max_retries=0
        )
        privileged = voucherkit.Spaaza(
            auth="privileged",
            bearer_token=TOKEN,
            app_hostname="acme.spaaza.com",
            base_url=server.url,
            timeout=0.4,
            max_retries=0,
        )
        unauthenticated = {"status": 401, "body": {"message": "Unauthenticated."}}
        spaaza_refused = {
            "status": 401,
            "body": {
                "result": {"code": 2, "status": "error"},
                "error": {"code": 6, "name": "no_valid_session", "description": "No session"},
            },
        }

        server.push(SG_HOLD_OK)
        sg.hold(voucher_no="1")
        server.push(STALL)
        with pytest.raises(voucherkit.OutcomeUnknownError):
            sg.redeem(voucher_no="1", site_id=12, value="5.00")
        server.push(RESET)
        with pytest.raises(voucherkit.NetworkError):
            sg.check(voucher_no="1", site_id=12)
        server.push(unauthenticated)
        with pytest.raises(voucherkit.AuthenticationError):
            sg.hold(voucher_no="1")

        for client in (admin, privileged):
            server.push(spaaza_ok(438595, "claimed"))
            client.redeem_voucher(chain_id=2, voucher_id=438595)
            server.push(STALL)
            with pytest.raises(voucherkit.OutcomeUnknownError):
                client.redeem_voucher(chain_id=2, voucher_id=438595)
            server.push(RESET)
            with pytest.raises(voucherkit.NetworkError):
                client.get_vouchers(chain_id=2, voucher_id=438595)
            server.push(spaaza_refused)
            with pytest.raises(voucherkit.AuthenticationError):
                client.unlock_voucher(voucher_id=438595)
    finally:
        root.removeHandler(keep)
        root.setLevel(saved[0])
        vk.setLevel(saved[1])

    # The secrets were really in play: each reached the server in its header.
    sent = server.requests()
    assert sent[0].header("Smart-Auth") == SG_KEY
    assert any(r.header("X-Spaaza-Session-Key") == SESSION for r in sent)
    assert any(TOKEN in (r.header("Authorization") or "") for r in sent)

    mine = [r for r in keep.records if r.name == "voucherkit"]
    assert len(mine) >= 12, [r.getMessage() for r in mine]  # one per attempt, plus warnings
    assert {r.levelno for r in mine} >= {logging.DEBUG, logging.WARNING}
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in keep.records:
        texts = [
            record.getMessage(),
            repr(record.args),
            formatter.format(record),
            repr(vars(record)),
        ]
        for text in texts:
            for secret in SECRETS:
                assert secret not in text, f"{secret!r} in a {record.name} record: {text}"


def test_a_redeem_answered_ok_but_not_redeemed_is_one_warning_naming_the_voucher(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    sp = voucherkit.Spaaza(session_user_id=1, session_key=SESSION, base_url=server.url)
    server.push(spaaza_ok(438595, "claimed"))
    with caplog.at_level(logging.WARNING, logger="voucherkit"):
        v = sp.redeem_voucher(chain_id=2, voucher_id=438595)
    assert v.voucher_status == "claimed"
    records = [r for r in caplog.records if r.name == "voucherkit"]
    assert len(records) == 1, [r.getMessage() for r in records]
    rec = records[0]
    assert rec.levelno == logging.WARNING
    message = rec.getMessage()
    assert message.startswith("spaaza redeem-voucher: "), message
    assert "438595" in message and "claimed" in message, message
    assert rec.voucherkit_provider == "spaaza"  # type: ignore[attr-defined]
    assert rec.voucherkit_operation == "redeem-voucher"  # type: ignore[attr-defined]

    # A voucher that is redeemed is no news.
    caplog.clear()
    server.push(spaaza_ok(438595, "redeemed"))
    with caplog.at_level(logging.WARNING, logger="voucherkit"):
        sp.redeem_voucher(chain_id=2, voucher_id=438595)
    assert [r for r in caplog.records if r.name == "voucherkit"] == []


def test_a_failing_warning_handler_does_not_fail_the_call(
    server: ScriptedServer, vk_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter that raises makes `Logger.log` itself raise: the call still returns its
    result, and the exception is reported as unraisable, as `logging` reports its own."""

    def refuse(record: logging.LogRecord) -> bool:
        raise RuntimeError("filter broke")

    unraisable: list[Any] = []
    monkeypatch.setattr("sys.unraisablehook", unraisable.append)
    vk_logger.addFilter(refuse)
    sp = voucherkit.Spaaza(session_user_id=1, session_key=SESSION, base_url=server.url)
    server.push(spaaza_ok(7, "claimed"))
    v = sp.redeem_voucher(chain_id=2, voucher_id=7)
    assert v.voucher_status == "claimed"
    # The request log and the warning: both failed to log, both reported.
    assert len(unraisable) == 2, unraisable
    assert all(isinstance(u.exc_value, RuntimeError) for u in unraisable)
    assert len(server.requests()) == 1
