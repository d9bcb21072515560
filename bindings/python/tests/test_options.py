"""Transport options: out-of-range durations and counts are the core's `invalid_request`
naming the option (never a panic), and the idle-connection options reach the pool."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import voucherkit
from voucherkit.testing import ScriptedServer

Make = Callable[[str, dict[str, Any]], object]

CLIENTS: list[tuple[str, Make]] = [
    ("smartgift", lambda u, kw: voucherkit.SmartGift(api_key="sk_test_options", base_url=u, **kw)),
    (
        "spaaza",
        lambda u, kw: voucherkit.Spaaza(session_user_id=1, session_key="s", base_url=u, **kw),
    ),
]
CLIENT_IDS = [p for p, _ in CLIENTS]

HOLD_OK = {"status": 200, "body": {"message": "ok", "hold_token": "tok"}}


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


# 1e19 s made `Duration::from_secs_f64` panic; the rest are out of range or not numbers.
OUT_OF_RANGE = [1e19, float("inf"), float("-inf"), float("nan"), -1, -0.5, 3601, 3600.001, 10**400]


@pytest.mark.parametrize("value", OUT_OF_RANGE, ids=lambda v: repr(v)[:12])
@pytest.mark.parametrize("field", ["timeout", "connect_timeout", "max_idle_age"])
@pytest.mark.parametrize(("provider", "make"), CLIENTS, ids=CLIENT_IDS)
def test_durations_out_of_range_are_invalid_requests_naming_the_option(
    server: ScriptedServer, provider: str, make: Make, field: str, value: Any
) -> None:
    server.reset()
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        make(server.url, {field: value})
    assert type(e.value) is voucherkit.InvalidRequestError  # not InternalError (a panic)
    assert e.value.field == field
    assert e.value.provider == provider
    assert e.value.message.startswith(f"{field} must be"), e.value.message
    assert server.requests() == []


@pytest.mark.parametrize(("provider", "make"), CLIENTS, ids=CLIENT_IDS)
def test_the_ranges_are_the_cores(server: ScriptedServer, provider: str, make: Make) -> None:
    """Zero is a valid idle age (never reuse) but no timeout; an hour is the most of each."""
    for ok in (
        {"max_idle_age": 0},
        {"max_idle_age": 3600},
        {"timeout": 3600, "connect_timeout": 3600.0},
        {"timeout": 0.001},
        {"max_idle_connections": 0},
        {"max_idle_connections": 1024},
    ):
        make(server.url, ok)
    for bad, field in (
        ({"timeout": 0}, "timeout"),
        ({"connect_timeout": 0.0}, "connect_timeout"),
        ({"timeout": 0.0009}, "timeout"),
        ({"max_idle_connections": 1025}, "max_idle_connections"),
        ({"max_idle_connections": -1}, "max_idle_connections"),
        ({"max_idle_connections": 2**70}, "max_idle_connections"),
    ):
        with pytest.raises(voucherkit.InvalidRequestError) as e:
            make(server.url, bad)
        assert e.value.field == field, bad
        assert e.value.provider == provider
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        make(server.url, {"max_idle_connections": 1025})
    # The core's ClientSettings wording, the same in every language.
    assert e.value.message == "max_idle_connections must be at most 1024, got 1025"


@pytest.mark.parametrize("value", [True, False, 1.0, 32.0, "32"], ids=repr)
@pytest.mark.parametrize(("provider", "make"), CLIENTS, ids=CLIENT_IDS)
def test_max_idle_connections_is_an_integer(
    server: ScriptedServer, provider: str, make: Make, value: Any
) -> None:
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        make(server.url, {"max_idle_connections": value})
    assert e.value.field == "max_idle_connections"
    assert "must be an integer" in e.value.message


def test_the_defaults_are_in_the_signatures() -> None:
    for cls in (voucherkit.SmartGift, voucherkit.Spaaza):
        sig = cls.__text_signature__ or ""
        assert "max_idle_connections=32" in sig, sig
        assert "max_idle_age=30.0" in sig, sig


def connections(server: ScriptedServer, sg: voucherkit.SmartGift, pause: float = 0) -> list[int]:
    """The server-side connection of each of three holds (a pause before the third)."""
    server.reset()
    server.push_all([HOLD_OK] * 3)
    sg.hold(voucher_no="1")
    sg.hold(voucher_no="1")
    time.sleep(pause)
    sg.hold(voucher_no="1")
    return [r.connection_id for r in server.requests()]


def test_idle_options_reach_the_connection_pool(server: ScriptedServer) -> None:
    def client(**kw: Any) -> voucherkit.SmartGift:
        return voucherkit.SmartGift(api_key="sk_test_options", base_url=server.url, **kw)

    # By default one connection serves every call.
    assert len(set(connections(server, client()))) == 1
    # No idle connection kept, or none reused: a new connection each call.
    assert len(set(connections(server, client(max_idle_connections=0)))) == 3
    assert len(set(connections(server, client(max_idle_age=0)))) == 3
    # Reused while fresh, replaced once idle for longer than max_idle_age.
    first, second, third = connections(server, client(max_idle_age=0.2), pause=0.5)
    assert first == second != third
