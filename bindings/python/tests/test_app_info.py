"""``app_info=``: the till software, appended to the User-Agent; checked by the core."""

from __future__ import annotations

from collections.abc import Iterator
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


def spaaza(sb: Sandbox, **kw: Any) -> voucherkit.Spaaza:
    return voucherkit.Spaaza(
        session_user_id=sb.spaaza_session_user_id,
        session_key=sb.spaaza_session_key,
        base_url=sb.spaaza_url,
        **kw,
    )


def test_app_info_reaches_the_wire(sandbox: Sandbox) -> None:
    sandbox.reset()
    info = {"name": "TillPro", "version": "4.2", "url": "https://till.example"}
    sg = smartgift(sandbox, app_info=info)
    assert sg.user_agent.endswith(" TillPro/4.2 (https://till.example)"), sg.user_agent
    sg.check(voucher_no="1000000001", site_id=12)
    sent = [r.header("User-Agent") for r in sandbox.requests()]
    assert sent == [sg.user_agent]
    sp = spaaza(sandbox, app_info={"name": "TillPro"})
    assert sp.user_agent.endswith(" TillPro"), sp.user_agent
    assert "TillPro" not in smartgift(sandbox).user_agent


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ""},
        {"name": "Till Pro"},
        {"name": "Till", "version": "1\r\nX-Evil: 1"},
        {"version": "1.0"},
        {"name": "Till", "colour": "red"},
        {"name": 7},
        "TillPro/1.0",
        ["TillPro", "1.0"],
    ],
    ids=repr,
)
@pytest.mark.parametrize("make", [smartgift, spaaza], ids=["smartgift", "spaaza"])
def test_bad_app_info_is_an_invalid_request_naming_it(
    sandbox: Sandbox, make: Any, bad: Any
) -> None:
    sandbox.reset()
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        make(sandbox, app_info=bad)
    assert e.value.field == "app_info"
    assert sandbox.requests() == []
