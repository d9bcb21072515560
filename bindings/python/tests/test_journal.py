"""The journal and reconcile over real HTTP, against the stateful sandbox: a redeem whose
answer is lost is settled by reading the voucher again."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import stat
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import voucherkit
from voucherkit.testing import Sandbox

ACME = 2
KEY_10 = "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as s:
        yield s


@pytest.fixture
def journal() -> voucherkit.Journal:
    return voucherkit.Journal(":memory:")


def smartgift(sb: Sandbox, journal: voucherkit.Journal | None) -> voucherkit.SmartGift:
    # A short timeout: a stalled answer becomes outcome_unknown in a second.
    return voucherkit.SmartGift(
        api_key=sb.smartgift_key,
        base_url=sb.smartgift_url,
        timeout=1.0,
        max_retries=0,
        journal=journal,
    )


def spaaza(sb: Sandbox, journal: voucherkit.Journal | None) -> voucherkit.Spaaza:
    return voucherkit.Spaaza(
        session_user_id=sb.spaaza_session_user_id,
        session_key=sb.spaaza_session_key,
        base_url=sb.spaaza_url,
        timeout=1.0,
        max_retries=0,
        journal=journal,
    )


def paths(sb: Sandbox) -> list[str]:
    return [r.path for r in sb.requests()]


def remaining(sb: Sandbox, voucher_no: str, site_id: int = 12) -> Decimal:
    """The balance as the provider reports it, read by a client without a journal."""
    left = smartgift(sb, None).check(voucher_no=voucher_no, site_id=site_id).remaining_value
    assert left is not None
    return left


def post_fault(sb: Sandbox, rule: dict[str, Any]) -> None:
    """The sandbox's HTTP control plane, as a test in another language would use it."""
    req = urllib.request.Request(
        sb.url + "/__sandbox/faults",
        data=json.dumps(rule).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=5) as answer:
        assert answer.status in (200, 201, 204)


def test_a_journaled_redeem_reads_first_and_records_the_result(
    sb: Sandbox, journal: voucherkit.Journal
) -> None:
    sg = smartgift(sb, journal)
    assert repr(sg).endswith(", journal=':memory:')")
    assert repr(spaaza(sb, journal)).endswith(", journal=':memory:')")
    assert "journal" not in repr(smartgift(sb, None))
    started = datetime.now(timezone.utc)
    done = sg.redeem(
        voucher_no="1000000001", site_id=12, value=Decimal("10.00"), reference="sale-1"
    )
    assert done.journal_id is not None
    assert paths(sb) == ["/smartgift/redeem/check", "/smartgift/redeem"]

    e = journal.entry(done.journal_id)
    assert isinstance(e, voucherkit.JournalEntry)
    assert e.id == done.journal_id
    assert e.state == "applied"
    assert e.reference == "sale-1"
    assert e.provider == "smartgift"
    assert e.operation == "redeem"
    # Money stays the decimal strings the core stores.
    assert e.request == {"voucher_no": "1000000001", "site_id": "12", "value": "10.00"}
    assert e.before is not None and e.before["remaining_value"] == "100"
    assert e.result is not None and e.result["redemptions"] == done.redemptions
    assert e.error is None
    assert e.certain is False
    assert e.note is None
    assert e.reconcile_attempts == 0
    assert e.created_at.tzinfo is not None
    assert e.created_at.utcoffset() == timedelta(0)
    assert e.resolved_at is not None and e.resolved_at >= e.created_at
    # Stored to the millisecond.
    assert started - timedelta(milliseconds=1) <= e.created_at <= datetime.now(timezone.utc)
    assert repr(e).startswith(f"JournalEntry(id='{e.id}', provider='smartgift', ")
    assert "state='applied', reference='sale-1'" in repr(e)
    # Nothing open: reconcile examines nothing, and reads nothing.
    assert sg.reconcile() == []
    assert len(sb.requests()) == 2

    # A reverse is journaled too.
    back = sg.reverse(
        voucher_no="1000000001", site_id=12, redemptions=done.redemptions, reference="sale-1"
    )
    assert back.journal_id is not None
    r = journal.entry(back.journal_id)
    assert r is not None and (r.operation, r.state, r.reference) == ("reverse", "applied", "sale-1")
    assert r.request["redemptions"] == done.redemptions
    assert [x.id for x in journal.entries(reference="sale-1")] == [r.id, e.id]

    # Other calls, and clients without a journal, carry no journal id.
    plain = smartgift(sb, None)
    assert plain.redeem(voucher_no="1000000002", site_id=12, value=1).journal_id is None
    assert len(journal.entries()) == 2


def test_a_lost_answer_after_the_redeem_happened_is_reconciled_as_applied(
    sb: Sandbox, journal: voucherkit.Journal
) -> None:
    sg = smartgift(sb, journal)
    sb.inject_fault("/smartgift/redeem", fault="stall", times=1, process=True)
    with pytest.raises(voucherkit.OutcomeUnknownError) as lost:
        sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("10.00"), reference="sale-2")
    entry_id = lost.value.journal_id
    assert entry_id is not None
    assert lost.value.to_dict()["journal_id"] == entry_id
    assert entry_id in repr(lost.value)
    open_entry = journal.entry(entry_id)
    assert open_entry is not None
    assert open_entry.state == "unknown"
    assert open_entry.error is not None and open_entry.error["kind"] == "outcome_unknown"
    assert open_entry.resolved_at is None
    assert remaining(sb, "1000000001") == Decimal("90")

    settled = sg.reconcile()
    assert [e.id for e in settled] == [entry_id]
    e = settled[0]
    assert e.state == "applied", e
    assert e.certain is False  # no hold: evidence, not proof
    assert e.reconcile_attempts == 1
    assert e.note is not None and "to 90" in e.note
    assert e.resolved_at is not None
    assert journal.entry(entry_id) == e
    assert journal.entries(state="unknown") == []
    assert sg.reconcile() == [], "settled once"


def test_a_lost_request_that_never_happened_is_reconciled_as_not_applied(
    sb: Sandbox, journal: voucherkit.Journal
) -> None:
    sg = smartgift(sb, journal)
    # Through the HTTP control plane: the server closes the connection without acting.
    post_fault(
        sb, {"path": "/smartgift/redeem", "times": 1, "answer": {"fault": {"kind": "close"}}}
    )
    with pytest.raises(voucherkit.OutcomeUnknownError) as lost:
        sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("10.00"), reference="sale-3")
    assert lost.value.journal_id is not None
    settled = sg.reconcile()
    assert [(e.id, e.state) for e in settled] == [(lost.value.journal_id, "not_applied")]
    assert remaining(sb, "1000000001") == Decimal("100")


def test_a_definite_refusal_is_not_applied_at_once(
    sb: Sandbox, journal: voucherkit.Journal
) -> None:
    sg = smartgift(sb, journal)
    with pytest.raises(voucherkit.InvalidAmountError) as refused:
        sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("500.00"))
    assert refused.value.journal_id is not None
    e = journal.entry(refused.value.journal_id)
    assert e is not None and e.state == "not_applied"
    assert e.error is not None and e.error["kind"] == "invalid_amount"
    assert e.error["http_status"] == 422

    # A snapshot that fails stops the write: no entry, no journal id, nothing sent.
    sb.reset()
    sb.inject_fault("/smartgift/redeem/check", fault="close", times=1)
    with pytest.raises(voucherkit.NetworkError) as down:
        sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("1.00"))
    assert down.value.journal_id is None
    assert paths(sb) == ["/smartgift/redeem/check"]
    assert len(journal.entries()) == 1


def test_spaaza_needs_a_voucher_id_and_is_reconciled_by_status(
    sb: Sandbox, journal: voucherkit.Journal
) -> None:
    sp = spaaza(sb, journal)
    with pytest.raises(voucherkit.InvalidRequestError) as by_key:
        sp.redeem_voucher(chain_id=ACME, voucher_key=KEY_10, reference="basket-8")
    assert by_key.value.field == "voucher_id"
    assert by_key.value.journal_id is None
    assert sb.requests() == [], "nothing sent"
    assert journal.entries() == []

    sb.inject_fault("/spaaza/auth/redeem-voucher", fault="truncate", times=1, process=True)
    with pytest.raises(voucherkit.OutcomeUnknownError) as lost:
        sp.redeem_voucher(
            chain_id=ACME, voucher_id=438595, amount=Decimal("2.00"), reference="basket-9"
        )
    settled = sp.reconcile()
    assert [e.id for e in settled] == [lost.value.journal_id]
    e = settled[0]
    assert (e.provider, e.operation, e.state, e.reference) == (
        "spaaza",
        "redeem_voucher",
        "applied",
        "basket-9",
    )
    assert e.certain is True
    assert e.result is not None and e.result["voucher_status"] == "redeemed"
    assert e.request["amount"] == "2.00"

    done = sp.redeem_voucher(chain_id=ACME, voucher_id=35735, reference="basket-10")
    assert done.journal_id is not None
    entry = journal.entry(done.journal_id)
    assert entry is not None and entry.state == "applied"
    # The Smart Gift client of the same journal has nothing of Spaaza's to settle.
    assert smartgift(sb, journal).reconcile() == []


def test_reconcile_without_a_journal_is_refused_by_name(sb: Sandbox) -> None:
    for client in (smartgift(sb, None), spaaza(sb, None)):
        with pytest.raises(voucherkit.InvalidRequestError) as e:
            client.reconcile()
        assert e.value.field == "journal"
    assert sb.requests() == []


def test_reconcile_against_a_provider_that_is_down_keeps_entries_unknown_without_the_gil(
    sb: Sandbox, journal: voucherkit.Journal
) -> None:
    sg = smartgift(sb, journal)
    sb.inject_fault("/smartgift/redeem", fault="reset", times=1, process=True)
    with pytest.raises(voucherkit.OutcomeUnknownError):
        sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("5.00"))
    # The check reconcile makes stalls for the client's 1 s timeout; a Python thread
    # counting meanwhile shows the GIL is released.
    sb.inject_fault("/smartgift/redeem/check", fault="stall", times=1)
    ticks = 0
    stop = threading.Event()

    def counter() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    worker = threading.Thread(target=counter)
    worker.start()
    started = time.monotonic()
    try:
        settled = sg.reconcile()
    finally:
        stop.set()
        worker.join()
    assert time.monotonic() - started >= 0.9
    assert ticks > 100, f"the counting thread ran only {ticks} times"
    assert len(settled) == 1
    assert settled[0].state == "unknown"
    assert settled[0].reconcile_attempts == 1
    assert settled[0].note
    # The provider answers again: the next reconcile settles it.
    again = sg.reconcile()
    assert [(e.state, e.reconcile_attempts) for e in again] == [("applied", 2)]


def test_entries_filters(sb: Sandbox, journal: voucherkit.Journal) -> None:
    sg = smartgift(sb, journal)
    sp = spaaza(sb, journal)
    before_all = datetime.now(timezone.utc) - timedelta(seconds=1)
    applied = sg.redeem(voucher_no="1000000001", site_id=12, value=1, reference="sale-a")
    with pytest.raises(voucherkit.InvalidAmountError):
        sg.redeem(voucher_no="1000000002", site_id=12, value=100, reference="sale-b")
    time.sleep(0.01)  # a later millisecond for the `since` check below
    middle = datetime.now(timezone.utc)
    sb.inject_fault("/smartgift/redeem", fault="stall", times=1, process=True)
    with pytest.raises(voucherkit.OutcomeUnknownError):
        sg.redeem(voucher_no="1000000001", site_id=12, value=2, reference="sale-a")
    spaaza_done = sp.redeem_voucher(chain_id=ACME, voucher_id=35735, reference="basket-1")

    everything = journal.entries()
    assert len(everything) == 4
    # Newest first.
    assert [e.reference for e in everything] == ["basket-1", "sale-a", "sale-b", "sale-a"]
    assert everything[0].id == spaaza_done.journal_id
    assert everything[-1].id == applied.journal_id
    assert [e.created_at for e in everything] == sorted(
        (e.created_at for e in everything), reverse=True
    )

    assert [e.state for e in journal.entries(state="applied")] == ["applied", "applied"]
    assert [e.reference for e in journal.entries(state="not_applied")] == ["sale-b"]
    assert [e.reference for e in journal.entries(state="unknown")] == ["sale-a"]
    assert journal.entries(state="pending") == []
    assert len(journal.entries(reference="sale-a")) == 2
    assert journal.entries(reference="nobody") == []
    assert [e.id for e in journal.entries(provider="spaaza")] == [spaaza_done.journal_id]
    assert len(journal.entries(provider="smartgift")) == 3
    assert journal.entries(provider="smartgift", state="unknown", reference="sale-a")[0].state == (
        "unknown"
    )
    assert len(journal.entries(since=before_all)) == 4
    assert [e.reference for e in journal.entries(since=middle)] == ["basket-1", "sale-a"]
    # Another time zone names the same instant.
    plus_five = middle.astimezone(timezone(timedelta(hours=5)))
    assert journal.entries(since=plus_five) == journal.entries(since=middle)
    # `since` is inclusive and exact to the millisecond the entry was stored with.
    newest = everything[0]
    assert newest in journal.entries(since=newest.created_at)
    assert newest not in journal.entries(since=newest.created_at + timedelta(milliseconds=1))
    assert journal.entries(since=datetime.now(timezone.utc) + timedelta(hours=1)) == []
    assert [e.id for e in journal.entries(limit=1)] == [newest.id]
    assert len(journal.entries(limit=3)) == 3
    assert journal.entries(limit=0) == []
    assert journal.entries(state=None, reference=None, provider=None, since=None, limit=None) == (
        everything
    )
    assert journal.entry("01900000-0000-7000-8000-000000000000") is None


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"state": "done"}, "state"),
        ({"state": "Applied"}, "state"),
        ({"state": 1}, "state"),
        ({"provider": "paypal"}, "provider"),
        ({"provider": 2}, "provider"),
        ({"reference": 42}, "reference"),
        ({"since": datetime(2026, 1, 1)}, "since"),  # naive: local time or UTC?
        ({"since": "2026-01-01T00:00:00Z"}, "since"),
        ({"since": 1_700_000_000}, "since"),
        ({"limit": -1}, "limit"),
        ({"limit": True}, "limit"),
        ({"limit": 1.5}, "limit"),
        ({"limit": "10"}, "limit"),
    ],
)
def test_bad_filter_values_are_refused_by_name(
    journal: voucherkit.Journal, filters: dict[str, Any], field: str
) -> None:
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        journal.entries(**filters)
    assert e.value.field == field
    assert field in e.value.message
    if field == "state":
        # The core's message (EntryState::parse) lists the states.
        assert "not_applied" in e.value.message


def test_unusable_journal_paths_are_refused_by_name(tmp_path: Path) -> None:
    def refused(path: Any) -> str:
        with pytest.raises(voucherkit.InvalidRequestError) as e:
            voucherkit.Journal(path)
        assert e.value.field == "journal"
        return e.value.message

    assert "directory" in refused(tmp_path)
    assert "directory" in refused(str(tmp_path))
    text = tmp_path / "notes.txt"
    text.write_text("not a database, just some text that is long enough", encoding="utf-8")
    assert "not a voucherkit journal" in refused(text)
    refused(tmp_path / "missing" / "x.journal")
    refused(b"/tmp/till.journal")
    refused(12)
    refused(None)

    # A client's journal= takes only a Journal (not a path).
    not_a_journal: Any = str(tmp_path / "till.journal")
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        voucherkit.SmartGift(api_key="sk_x", journal=not_a_journal)
    assert e.value.field == "journal"
    with pytest.raises(voucherkit.InvalidRequestError) as e:
        voucherkit.Spaaza(session_user_id=1, session_key="k", journal=not_a_journal)
    assert e.value.field == "journal"
    assert not (tmp_path / "till.journal").exists()

    # str and os.PathLike both open (and create) it.
    j = voucherkit.Journal(tmp_path / "till.journal")
    assert j.path == str(tmp_path / "till.journal")
    assert repr(j) == f"Journal(path={str(tmp_path / 'till.journal')!r})"
    assert voucherkit.Journal(str(tmp_path / "till.journal")).entries() == []
    assert voucherkit.Journal(":memory:").path == ":memory:"


def test_a_journal_file_holds_no_secret_and_survives_reopening(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "till.journal"
    journal = voucherkit.Journal(path)
    sg = smartgift(sb, journal)
    sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("1.00"), reference="sale-x")
    sp = spaaza(sb, journal)
    sp.redeem_voucher(chain_id=ACME, voucher_id=35735, reference="basket-x")
    del sg, sp, journal
    gc.collect()

    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = path.read_bytes()
    for companion in ("till.journal-wal", "till.journal-shm"):
        extra = tmp_path / companion
        if extra.exists():
            data += extra.read_bytes()
    for secret in (sb.smartgift_key, sb.spaaza_session_key):
        assert secret.encode() not in data, f"the journal holds {secret}"
    assert b"sale-x" in data and b"basket-x" in data, "the file was read"

    again = voucherkit.Journal(path)
    assert sorted(e.reference or "" for e in again.entries()) == ["basket-x", "sale-x"]


def test_a_journal_that_cannot_record_the_call_stops_the_write(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "broken.journal"
    journal = voucherkit.Journal(path)
    sg = smartgift(sb, journal)
    # Another process breaks the file under the open journal, as a full disk would.
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE entries")
    conn.close()
    with pytest.raises(voucherkit.JournalError) as e:
        sg.redeem(voucher_no="1000000001", site_id=12, value=Decimal("10.00"))
    assert e.value.kind == "journal"
    assert e.value.retryable is False
    assert isinstance(e.value, voucherkit.VoucherError)
    assert "/smartgift/redeem" not in paths(sb), "nothing sent"
    assert remaining(sb, "1000000001") == Decimal("100")
    with pytest.raises(voucherkit.JournalError):
        journal.entries()


def test_journal_entries_are_immutable_values(sb: Sandbox, journal: voucherkit.Journal) -> None:
    sg = smartgift(sb, journal)
    done = sg.redeem(voucher_no="1000000001", site_id=12, value=1, reference="sale-i")
    assert done.journal_id is not None
    e = journal.entry(done.journal_id)
    assert e is not None
    for name in ("state", "id", "reference", "request", "created_at", "reconcile_attempts"):
        with pytest.raises(AttributeError):
            setattr(e, name, None)
    with pytest.raises(AttributeError):
        e.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del e.state
    # The dicts are copies: changing one changes nothing stored.
    e.request["value"] = "99.00"
    assert e.request["value"] == "1"
    again = journal.entry(done.journal_id)
    assert again == e and again is not e
    assert hash(again) == hash(e)
    assert len({e, again}) == 1
    with pytest.raises(TypeError):

        class Mine(voucherkit.JournalEntry):  # type: ignore[misc]
            pass


def test_eight_threads_redeem_through_one_journaled_client_then_reconcile() -> None:
    tills = 8
    calls = 4
    data = {
        "smartgift": {
            "companies": [{"id": 1, "name": "Shop", "api_keys": ["sk_journal_1"], "sites": ["1"]}],
            "vouchers": [
                {
                    "voucher_no": f"J{n:03d}",
                    "company_id": 1,
                    "type": "monetary",
                    "name": f"Till {n}",
                    "value": "100.00",
                }
                for n in range(tills)
            ],
        }
    }
    with Sandbox(data=data) as sb:
        journal = voucherkit.Journal(":memory:")
        sg = smartgift(sb, journal)
        # Four of the redeems lose their answer after the provider acted.
        sb.inject_fault("/smartgift/redeem", fault="reset", times=4, process=True)
        start = threading.Barrier(tills)

        def till(n: int) -> tuple[list[str], list[str], Decimal]:
            voucher_no = f"J{n:03d}"
            amount = Decimal(n + 1) / 100
            done: list[str] = []
            lost: list[str] = []
            start.wait()
            for i in range(calls):
                try:
                    r = sg.redeem(
                        voucher_no=voucher_no, site_id=1, value=amount, reference=f"{n}-{i}"
                    )
                    assert r.journal_id is not None
                    done.append(r.journal_id)
                except voucherkit.OutcomeUnknownError as e:
                    assert e.journal_id is not None
                    lost.append(e.journal_id)
                    break  # a till settles a lost redeem before using the voucher again
            return done, lost, amount

        with ThreadPoolExecutor(tills) as pool:
            results = list(pool.map(till, range(tills)))
        done = [i for d, _, _ in results for i in d]
        lost = [i for _, lost_ids, _ in results for i in lost_ids]
        assert len(lost) == 4
        assert len(set(done + lost)) == len(done) + len(lost) == len(journal.entries())
        assert {e.id for e in journal.entries(state="unknown")} == set(lost)

        # Two reconciles at once: each open entry is examined by exactly one of them.
        with ThreadPoolExecutor(2) as pool:
            examined = [e for batch in pool.map(lambda _: sg.reconcile(), range(2)) for e in batch]
        assert sorted(e.id for e in examined) == sorted(lost)
        assert {e.state for e in examined} == {"applied"}
        assert journal.entries(state="unknown") == []
        assert len(journal.entries(state="applied")) == len(done) + len(lost)
        # The journal agrees with the provider: every applied entry's money left.
        for n, (d, lost_ids, amount) in enumerate(results):
            voucher_no = f"J{n:03d}"
            mine = [e for e in journal.entries() if e.request["voucher_no"] == voucher_no]
            assert len(mine) == len(d) + len(lost_ids)
            assert remaining(sb, voucher_no, 1) == Decimal("100.00") - amount * len(mine)
