"""The error model: every subclass raised from a real answer, their attributes, pickling."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from corpus import CORPUS, execute, load_cases

import voucherkit
from voucherkit.testing import Sandbox, ScriptedServer

KINDS = {
    "invalid_request": voucherkit.InvalidRequestError,
    "authentication": voucherkit.AuthenticationError,
    "permission_denied": voucherkit.PermissionDeniedError,
    "voucher_not_found": voucherkit.VoucherNotFoundError,
    "voucher_not_owned": voucherkit.VoucherNotOwnedError,
    "voucher_expired": voucherkit.VoucherExpiredError,
    "voucher_already_redeemed": voucherkit.VoucherAlreadyRedeemedError,
    "voucher_not_held": voucherkit.VoucherNotHeldError,
    "voucher_locked": voucherkit.VoucherLockedError,
    "invalid_site": voucherkit.InvalidSiteError,
    "invalid_amount": voucherkit.InvalidAmountError,
    "rate_limited": voucherkit.RateLimitedError,
    "provider_error": voucherkit.ProviderError,
    "network": voucherkit.NetworkError,
    "outcome_unknown": voucherkit.OutcomeUnknownError,
    "invalid_response": voucherkit.InvalidResponseError,
    "internal": voucherkit.InternalError,
    "journal": voucherkit.JournalError,
}


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer(base_dir=CORPUS) as s:
        yield s


def test_one_class_per_kind() -> None:
    assert len(KINDS) == 18
    for kind, cls in KINDS.items():
        assert cls.KIND == kind
        assert voucherkit.error_class(kind) is cls
        assert issubclass(cls, voucherkit.VoucherError)
        assert issubclass(cls, Exception)


def first_case(kind: str) -> dict[str, Any]:
    return next(c for c in load_cases() if c["expect"].get("error", {}).get("kind") == kind)


# internal comes from a panic and journal from a broken journal file (test_journal.py),
# never from a provider's answer.
@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("internal", "journal")])
def test_every_kind_is_raised_as_its_class_from_a_real_answer(
    server: ScriptedServer, kind: str
) -> None:
    """For each kind, a corpus case whose scripted provider answer (or refusal) gives it:
    the API raises that exact class, catchable as VoucherError."""
    case = first_case(kind)
    server.reset()
    server.push_all(case["answers"])
    _, error = execute(case, server.url)
    assert error is not None, case["name"]
    assert type(error) is KINDS[kind]
    assert error.kind == kind
    with pytest.raises(KINDS[kind]):
        raise error


def test_stateful_sandbox_errors_by_class() -> None:
    with Sandbox() as sb:
        sg = voucherkit.SmartGift(api_key=sb.smartgift_key, base_url=sb.smartgift_url)
        with pytest.raises(voucherkit.VoucherNotFoundError) as nf:
            sg.check(voucher_no="9999999999", site_id=12)
        assert nf.value.http_status == 422
        assert nf.value.field == "voucher_no"
        assert nf.value.provider == "smartgift"
        assert nf.value.field_errors == {"voucher_no": ["Sorry, that voucher number is invalid."]}
        with pytest.raises(voucherkit.VoucherExpiredError):
            sg.redeem(voucher_no="1000000004", site_id=12, value=Decimal("1.00"))
        with pytest.raises(voucherkit.VoucherAlreadyRedeemedError):
            sg.redeem(voucher_no="1000000005", site_id=12, value=Decimal("1.00"))
        with pytest.raises(voucherkit.VoucherNotOwnedError):
            sg.redeem(voucher_no="2000000001", site_id=12, value=Decimal("1.00"))
        with pytest.raises(voucherkit.InvalidSiteError):
            sg.redeem(voucher_no="1000000001", site_id=99, value=Decimal("1.00"))
        with pytest.raises(voucherkit.InvalidAmountError):
            sg.redeem(voucher_no="1000000002", site_id=12, value=Decimal("25.01"))
        with pytest.raises(voucherkit.VoucherNotHeldError):
            sg.release(voucher_no="1000000001", hold_token="hold_token_not_live")
        bad = voucherkit.SmartGift(api_key="sk_wrong_key_000000", base_url=sb.smartgift_url)
        with pytest.raises(voucherkit.AuthenticationError) as auth:
            bad.check(voucher_no="1000000001", site_id=12)
        assert "sk_wrong_key_000000" not in repr(auth.value)
        assert "sk_wrong_key_000000" not in str(auth.value.to_dict())

        sp = voucherkit.Spaaza(
            session_user_id=sb.spaaza_session_user_id,
            session_key=sb.spaaza_session_key,
            base_url=sb.spaaza_url,
        )
        with pytest.raises(voucherkit.PermissionDeniedError) as denied:
            sp.redeem_voucher(chain_id=3, voucher_id=500001)
        assert denied.value.provider == "spaaza"
        assert denied.value.provider_code is not None
        sp.lock_voucher(voucher_id=35735, retailer_basket_code="basket-1")
        with pytest.raises(voucherkit.VoucherLockedError):
            sp.redeem_voucher(chain_id=2, voucher_id=35735)


def test_a_refused_connection_is_a_retryable_network_error() -> None:
    sg = voucherkit.SmartGift(
        api_key="sk_test_x", base_url="http://127.0.0.1:1", max_retries=0, connect_timeout=1.0
    )
    with pytest.raises(voucherkit.NetworkError) as e:
        sg.check(voucher_no="1", site_id=12)
    assert e.value.retryable is True
    assert e.value.http_status is None


def test_rate_limited_carries_retry_after(server: ScriptedServer) -> None:
    server.reset()
    server.push({"status": 429, "headers": {"Retry-After": "30"}, "body": {"message": "Slow"}})
    sg = voucherkit.SmartGift(api_key="sk_test_x", base_url=server.url, timeout=2.0)
    with pytest.raises(voucherkit.RateLimitedError) as e:
        sg.hold(voucher_no="1000000001")
    assert e.value.retry_after == 30
    assert e.value.retryable is True
    assert e.value.http_status == 429


def test_a_panic_becomes_internal_error_and_the_interpreter_goes_on() -> None:
    # Only the test wheel has it (cargo feature test-hooks), so the stubs do not list it.
    panic: Callable[[str], None] = vars(voucherkit._native)["_panic_for_tests"]
    with pytest.raises(voucherkit.InternalError) as e:
        panic("deliberate test panic")
    assert e.value.kind == "internal"
    assert "deliberate test panic" in e.value.message
    assert e.value.retryable is False
    # Still usable afterwards.
    with pytest.raises(voucherkit.InternalError):
        panic("again")


def sample_errors() -> list[voucherkit.VoucherError]:
    return [
        voucherkit.VoucherNotFoundError(
            "Sorry, that voucher number is invalid.",
            field="voucher_no",
            field_errors={"voucher_no": ["Sorry, that voucher number is invalid."]},
            http_status=422,
            provider="smartgift",
        ),
        voucherkit.RateLimitedError(
            "Slow down", http_status=429, provider="spaaza", retryable=True, retry_after=30
        ),
        voucherkit.VoucherError("x", kind="outcome_unknown"),
        voucherkit.OutcomeUnknownError(
            "no answer", provider="smartgift", journal_id="01936f2e-0000-7000-8000-000000000001"
        ),
    ]


@pytest.mark.parametrize("err", sample_errors(), ids=lambda e: type(e).__name__)
def test_errors_pickle_with_every_attribute(err: voucherkit.VoucherError) -> None:
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert back.to_dict() == err.to_dict()
    assert str(back) == str(err) == err.message
    assert back.args == err.args


def test_errors_raised_by_the_native_module_pickle(server: ScriptedServer) -> None:
    sg = voucherkit.SmartGift(api_key="sk_test_x", base_url=server.url)
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sg.hold(voucher_no="")
    back = pickle.loads(pickle.dumps(e.value))
    assert type(back) is voucherkit.InvalidRequestError
    assert back.to_dict() == e.value.to_dict()
    assert back.field == "voucher_no"


def test_error_attributes_and_repr() -> None:
    e = voucherkit.VoucherNotFoundError("gone", field="voucher_no", http_status=422)
    assert e.to_dict() == {
        "kind": "voucher_not_found",
        "message": "gone",
        "field": "voucher_no",
        "field_errors": {},
        "http_status": 422,
        "provider": None,
        "provider_code": None,
        "retryable": False,
        "retry_after": None,
        "journal_id": None,
    }
    assert repr(e) == (
        "VoucherNotFoundError(kind='voucher_not_found', message='gone', field='voucher_no', "
        "http_status=422)"
    )
    with pytest.raises(ValueError):
        voucherkit.VoucherNotFoundError("x", kind="network")
    with pytest.raises(TypeError):
        voucherkit.VoucherError("no kind")


def test_errors_subclass_normally() -> None:
    class TillError(voucherkit.OutcomeUnknownError):
        pass

    e = TillError("lost")
    assert e.kind == "outcome_unknown"
    assert isinstance(e, voucherkit.VoucherError)
    assert pickle.loads(pickle.dumps(voucherkit.OutcomeUnknownError("lost"))).kind == (
        "outcome_unknown"
    )
