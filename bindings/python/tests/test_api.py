"""Reprs without secrets, request logging, frozen results, constructor checks, packaging."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import voucherkit
from voucherkit.testing import ScriptedServer

SG_KEY = "sk_live_SECRETsecret0123456789wxyz"
SESSION = "sess_SECRETsecret0123456789abcd"
TOKEN = "bearer_SECRETsecret0123456789efgh"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


def test_client_reprs_redact_every_secret(server: ScriptedServer) -> None:
    sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url)
    assert repr(sg) == f"SmartGift(base_url='{server.url}', api_key='…wxyz')"
    sp = voucherkit.Spaaza(session_user_id=1, session_key=SESSION, base_url=server.url)
    assert "SECRET" not in repr(sp) and "…abcd" in repr(sp)
    priv = voucherkit.Spaaza(
        auth="privileged", bearer_token=TOKEN, app_hostname="acme.spaaza.com", base_url=server.url
    )
    assert "SECRET" not in repr(priv) and "…efgh" in repr(priv)
    assert priv.auth == "privileged"
    assert sg.user_agent.startswith("voucherkit/") and "python" in sg.user_agent


def test_clients_do_not_pickle(server: ScriptedServer) -> None:
    import pickle

    sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url)
    with pytest.raises(TypeError):
        pickle.dumps(sg)


def test_errors_never_carry_the_key(server: ScriptedServer) -> None:
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        voucherkit.SmartGift(api_key=SG_KEY + "\r\nX: y", base_url=server.url)
    assert e.value.field == "api_key"
    assert "SECRET" not in repr(e.value) and "SECRET" not in str(e.value.to_dict())
    server.push({"status": 401, "body": {"message": "Unauthenticated."}})
    sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url)
    with pytest.raises(voucherkit.AuthenticationError) as auth:
        sg.hold(voucher_no="1")
    assert "SECRET" not in repr(auth.value) and "SECRET" not in str(auth.value.to_dict())


def test_result_reprs_and_frozen_results(server: ScriptedServer) -> None:
    server.push({"status": 200, "body": {"data": {"message": "Redeemed", "redemptions": [21, 22]}}})
    sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url)
    r = sg.redeem(voucher_no="1", site_id=12, value=Decimal("5"))
    assert repr(r) == "Redemption(message='Redeemed', redemptions=[21, 22])"
    with pytest.raises(AttributeError):
        r.message = "changed"  # type: ignore[misc]
    raw = r.raw
    raw["redemptions"] = []
    assert r.raw["redemptions"] == [21, 22], "raw is a fresh dict: the result stays as answered"
    server.push({"status": 200, "body": {"data": {"message": "Redeemed", "redemptions": [21, 22]}}})
    assert sg.redeem(voucher_no="1", site_id=12, value=Decimal("5")) == r


def test_constructor_checks_name_the_field(server: ScriptedServer) -> None:
    cases = [
        (dict(base_url="ftp://x"), "base_url"),
        (dict(base_url="http://example.com"), "base_url"),
        (dict(base_url=server.url, timeout=-1.0), "timeout"),
        (dict(base_url=server.url, connect_timeout=float("nan")), "connect_timeout"),
        (dict(base_url=server.url, max_retries=-1), "max_retries"),
    ]
    for kwargs, field in cases:
        with pytest.raises(voucherkit.InvalidRequestError) as e:
            voucherkit.SmartGift(api_key=SG_KEY, **kwargs)  # type: ignore[arg-type]
        assert e.value.field == field, kwargs
    with pytest.raises(voucherkit.InvalidRequestError) as auth:
        voucherkit.Spaaza(auth="root", base_url=server.url)  # type: ignore[arg-type]
    assert auth.value.field == "auth"
    voucherkit.SmartGift(api_key=SG_KEY, base_url="http://example.com", allow_insecure_http=True)


def test_arguments_are_keyword_only(server: ScriptedServer) -> None:
    sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url)
    with pytest.raises(TypeError):
        sg.hold("1000000001")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        voucherkit.SmartGift(SG_KEY)  # type: ignore[call-arg]


def test_requests_are_logged_without_secrets(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.push({"status": 200, "body": {"message": "ok", "hold_token": "tok"}})
    sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url)
    with caplog.at_level(logging.DEBUG, logger="voucherkit"):
        sg.hold(voucher_no="1000000001")
    records = [r for r in caplog.records if r.name == "voucherkit"]
    assert len(records) == 1
    rec = records[0]
    assert rec.levelno == logging.DEBUG
    message = rec.getMessage()
    assert "smartgift POST /redeem/hold -> 200" in message
    assert " ms " in message
    assert rec.voucherkit_method == "POST"  # type: ignore[attr-defined]
    assert rec.voucherkit_path == "/redeem/hold"  # type: ignore[attr-defined]
    assert rec.voucherkit_status == 200  # type: ignore[attr-defined]
    assert rec.voucherkit_duration_ms >= 0  # type: ignore[attr-defined]
    assert "SECRET" not in message and "1000000001" not in message


def test_a_lost_answer_is_logged_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    sg = voucherkit.SmartGift(
        api_key=SG_KEY, base_url="http://127.0.0.1:1", max_retries=1, connect_timeout=1.0
    )
    with caplog.at_level(logging.WARNING, logger="voucherkit"):
        with pytest.raises(voucherkit.NetworkError):
            sg.check(voucher_no="1", site_id=12)
    records = [r for r in caplog.records if r.name == "voucherkit"]
    assert [r.voucherkit_attempt for r in records] == [1, 2]  # type: ignore[attr-defined]
    assert all(r.levelno == logging.WARNING and "no answer" in r.getMessage() for r in records)


def test_nothing_is_logged_when_the_logger_is_off(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.push({"status": 200, "body": {"message": "ok", "hold_token": "tok"}})
    sg = voucherkit.SmartGift(api_key=SG_KEY, base_url=server.url)
    with caplog.at_level(logging.INFO, logger="voucherkit"):
        sg.hold(voucher_no="1000000001")
    assert [r for r in caplog.records if r.name == "voucherkit"] == []


def test_the_package_is_typed_and_versioned() -> None:
    here = Path(voucherkit.__file__).parent
    assert (here / "py.typed").exists()
    assert (here / "_native.pyi").exists()
    assert voucherkit.__version__.count(".") == 2
    if os.environ.get("VOUCHERKIT_TEST_INSTALLED"):
        # `make test-python` runs against the wheel installed in the venv, not the source.
        source = Path(__file__).resolve().parents[1] / "voucherkit"
        assert here.resolve() != source.resolve(), f"testing the source tree at {here}"
