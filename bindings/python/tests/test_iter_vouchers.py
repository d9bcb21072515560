"""``Spaaza.iter_vouchers``: the core's pages as a Python iterator, one page fetched at a
time as the loop reaches it, stopped by ``max``; a failed page raises where it is met."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import voucherkit
from voucherkit.testing import Sandbox


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


def page_reads(sb: Sandbox) -> int:
    return sum(1 for r in sb.requests() if "get-vouchers" in r.path_only)


def test_every_voucher_page_by_page(sandbox: Sandbox) -> None:
    sp = spaaza(sandbox)
    every = sp.get_vouchers(chain_id=2, show_all_statuses=True)
    ids = [v.voucher_id for v in every.vouchers]
    assert len(ids) >= 5
    sandbox.reset()
    pages = sp.iter_vouchers(chain_id=2, show_all_statuses=True, number_results=2)
    assert isinstance(pages, voucherkit.VoucherPages)
    assert page_reads(sandbox) == 0  # nothing fetched before the loop asks
    first = next(pages)
    assert page_reads(sandbox) == 1
    second = next(pages)
    assert page_reads(sandbox) == 1  # the first page still had it
    rest = list(pages)
    assert [v.voucher_id for v in [first, second, *rest]] == ids
    offsets = [
        dict(r.query()).get("results_offset")
        for r in sandbox.requests()
        if "get-vouchers" in r.path_only
    ]
    assert offsets[:2] == ["0", "2"]
    assert list(pages) == []  # used up stays used up


def test_max_stops_early(sandbox: Sandbox) -> None:
    sp = spaaza(sandbox)
    got = list(sp.iter_vouchers(chain_id=2, show_all_statuses=True, number_results=2, max=3))
    assert len(got) == 3
    assert page_reads(sandbox) == 2
    assert list(sp.iter_vouchers(chain_id=2, show_all_statuses=True, max=0)) == []


def test_a_failed_page_raises_where_the_loop_meets_it(sandbox: Sandbox) -> None:
    sp = spaaza(sandbox)
    pages = sp.iter_vouchers(chain_id=2, show_all_statuses=True, number_results=2)
    next(pages)
    next(pages)
    sandbox.inject_fault(
        "/spaaza/get-vouchers",
        {"status": 503, "body": "unavailable"},
        times=1,
    )
    with pytest.raises(voucherkit.VoucherError) as e:
        next(pages)
    assert e.value.provider == "spaaza"
    assert list(pages) == []  # the failure was the last item


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"max": -1}, "max"),
        ({"max": 1.5}, "max"),
        ({"max": True}, "max"),
        ({"chain_id": "2"}, "chain_id"),
    ],
)
def test_bad_arguments_are_refused_by_name_before_sending(
    sandbox: Sandbox, kw: dict[str, object], field: str
) -> None:
    sp = spaaza(sandbox)
    args: dict[str, object] = {"chain_id": 2, **kw}
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sp.iter_vouchers(**args)  # type: ignore[arg-type]
    assert e.value.field == field
    assert sandbox.requests() == []


def test_a_closed_client_refuses_to_iterate(sandbox: Sandbox) -> None:
    sp = spaaza(sandbox)
    sp.close()
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        sp.iter_vouchers(chain_id=2)
    assert e.value.field == "client"
