"""The journal scenarios of tests/conformance/journal/ played through the Python API
against the stateful sandbox, as core/tests/journal_scenarios.rs plays them through the
Rust core (format: tests/conformance/README.md, "Journal scenarios"). Each scenario is
also played with its last expected state, kind or request path changed, which must fail:
the runner proves it compares what it claims to."""

from __future__ import annotations

import copy
import http.client
import json
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from corpus import CORPUS, smartgift_voucher_json, spaaza_voucher_json, warnings_json

import voucherkit
from voucherkit.testing import Sandbox

SCENARIOS = CORPUS / "journal"
FILES = sorted(p for p in SCENARIOS.iterdir() if p.suffix == ".json")
PLAYED: dict[str, str] = {}

Json = Any


class ScenarioFailed(AssertionError):
    """A step's expectation was not met; the message says which and where."""


def load(path: Path) -> dict[str, Json]:
    with path.open(encoding="utf-8") as f:
        scenario: dict[str, Json] = json.load(f, parse_float=Decimal)
    return scenario


def rfc3339(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def entry_json(e: voucherkit.JournalEntry) -> Json:
    """An entry as the JSON every binding shows (tests/conformance/README.md)."""
    return {
        "id": e.id,
        "reference": e.reference,
        "provider": e.provider,
        "operation": e.operation,
        "request": e.request,
        "before": e.before,
        "state": e.state,
        "result": e.result,
        "error": e.error,
        "certain": e.certain,
        "note": e.note,
        "created_at": rfc3339(e.created_at),
        "resolved_at": rfc3339(e.resolved_at),
        "reconcile_attempts": e.reconcile_attempts,
    }


class Run:
    """One scenario's sandbox, journal and clients (a fresh set per play)."""

    def __init__(self, sandbox: Sandbox, journal_path: Path, config: Json) -> None:
        config = config or {}
        self.sandbox = sandbox
        self.journal = voucherkit.Journal(journal_path)
        transport: dict[str, Any] = {
            "timeout": int(config.get("timeout_ms", 2000)) / 1000,
            "max_retries": int(config.get("max_retries", 0)),
            "journal": self.journal,
        }
        self.sg = voucherkit.SmartGift(
            api_key=sandbox.smartgift_key, base_url=sandbox.smartgift_url, **transport
        )
        self.sp = voucherkit.Spaaza(
            session_user_id=sandbox.spaaza_session_user_id,
            session_key=sandbox.spaaza_session_key,
            base_url=sandbox.spaaza_url,
            **transport,
        )
        self.vars: dict[str, Json] = {}
        self.seen = 0

    def resolve(self, v: Json) -> Json:
        """``"$name"`` strings become the value saved under ``name``, anywhere in ``v``."""
        if isinstance(v, str) and v.startswith("$"):
            if v[1:] not in self.vars:
                raise ScenarioFailed(f"{v} was never saved")
            return self.vars[v[1:]]
        if isinstance(v, list):
            return [self.resolve(x) for x in v]
        if isinstance(v, dict):
            return {k: self.resolve(x) for k, x in v.items()}
        return v

    def control(self, method: str, path: str, body: Json = None) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.sandbox.port, timeout=10)
        try:
            payload = None if body is None else json.dumps(body, default=str)
            conn.request(method, path, body=payload, headers={"Content-Type": "application/json"})
            answer = conn.getresponse()
            text = answer.read().decode("utf-8", "replace")
        finally:
            conn.close()
        if answer.status != 200:
            raise ScenarioFailed(f"{method} {path}: {answer.status} {text}")

    def step(self, step: Json) -> None:
        if not isinstance(step, dict):
            raise ScenarioFailed("a step must be an object")
        if "fault" in step:
            return self.control("POST", "/__sandbox/faults", to_wire(step["fault"]))
        if "clear_faults" in step:
            return self.control("DELETE", "/__sandbox/faults")
        if "advance_clock" in step:
            secs = to_wire(step["advance_clock"])
            return self.control("POST", "/__sandbox/clock", {"advance_seconds": secs})
        if "call" in step:
            outcome = self.call(step["call"], self.resolve(step.get("input") or {}))
            key = "error" if isinstance(outcome, voucherkit.VoucherError) else "result"
            got = outcome.to_dict() if isinstance(outcome, voucherkit.VoucherError) else outcome
            matches(self.resolve(step.get("expect")), {key: got}, "expect")
            for name, field in (step.get("save") or {}).items():
                self.vars[name] = got.get(field)
            return None
        if "reconcile" in step:
            provider = step["reconcile"]
            if provider not in ("smartgift", "spaaza"):
                raise ScenarioFailed(f"unknown provider {provider}")
            client = self.sg if provider == "smartgift" else self.sp
            try:
                entries = client.reconcile()
            except voucherkit.VoucherError as e:
                raise ScenarioFailed(f"reconcile failed: {e!r}") from e
            expect = self.resolve(step.get("expect"))
            return matches(expect, [entry_json(e) for e in entries], "reconcile")
        if "entries" in step:
            filters = dict(step["entries"] or {})
            unknown = set(filters) - {"state", "reference", "provider", "limit"}
            if unknown:
                raise ScenarioFailed(f"unknown filter key {sorted(unknown)[0]}")
            entries = self.journal.entries(**filters)
            expect = self.resolve(step.get("expect"))
            return matches(expect, [entry_json(e) for e in entries], "entries")
        if "requests" in step:
            every = self.sandbox.requests()
            new = [f"{r.method} {r.path_only}" for r in every[self.seen :]]
            self.seen = len(every)
            return matches(step["requests"], new, "requests")
        raise ScenarioFailed(f"unknown step {step}")

    def call(self, call: str, i: dict[str, Json]) -> Json:
        """The call's result as JSON, or the VoucherError it raised."""
        try:
            return self.result(call, i)
        except voucherkit.VoucherError as e:
            return e

    def result(self, call: str, i: dict[str, Json]) -> Json:
        sg, sp = self.sg, self.sp
        voucher_no = i.get("voucher_no") or ""
        if call == "smartgift.check":
            return smartgift_voucher_json(sg.check(voucher_no=voucher_no, site_id=i["site_id"]))
        if call == "smartgift.hold":
            h = sg.hold(voucher_no=voucher_no)
            return {"message": h.message, "hold_token": h.hold_token, "raw": h.raw}
        if call == "smartgift.release":
            rel = sg.release(voucher_no=voucher_no, hold_token=i.get("hold_token") or "")
            return {"message": rel.message, "raw": rel.raw}
        if call == "smartgift.redeem":
            r = sg.redeem(
                voucher_no=voucher_no,
                site_id=i["site_id"],
                value=i.get("value"),
                experiences=i.get("experiences"),
                hold_token=i.get("hold_token"),
                reference=i.get("reference"),
            )
            return {
                "message": r.message,
                "redemptions": r.redemptions,
                "journal_id": r.journal_id,
                "raw": r.raw,
            }
        if call == "smartgift.reverse":
            rev = sg.reverse(
                voucher_no=voucher_no,
                site_id=i["site_id"],
                redemptions=i["redemptions"],
                reference=i.get("reference"),
            )
            return {"message": rev.message, "journal_id": rev.journal_id, "raw": rev.raw}
        if call == "spaaza.redeem_voucher":
            v = sp.redeem_voucher(
                chain_id=i.get("chain_id") or 0,
                voucher_key=i.get("voucher_key"),
                voucher_id=i.get("voucher_id"),
                user_id=i.get("user_id"),
                amount=i.get("amount"),
                reference=i.get("reference"),
            )
            return {**spaaza_voucher_json(v), "journal_id": v.journal_id}
        if call == "spaaza.get_vouchers":
            got = sp.get_vouchers(
                chain_id=i.get("chain_id") or 0,
                voucher_id=i.get("voucher_id"),
                show_all_statuses=True,
            )
            return {
                "results_count_total": got.results_count_total,
                "vouchers": [spaaza_voucher_json(x) for x in got.vouchers],
                "warnings": warnings_json(got.warnings),
                "raw": got.raw,
            }
        raise ScenarioFailed(f"unknown call {call}")


def to_wire(v: Json) -> Json:
    """Decimals (the loader's numbers) back to JSON numbers for the sandbox."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, list):
        return [to_wire(x) for x in v]
    if isinstance(v, dict):
        return {k: to_wire(x) for k, x in v.items()}
    return v


def is_number(x: Json) -> bool:
    return isinstance(x, (int, Decimal, float)) and not isinstance(x, bool)


def matches(want: Json, got: Json, at: str) -> None:
    """Deep subset match: objects by the keys given (``None`` = absent or null), arrays of
    the same length element by element, ``"<any>"`` = present and not null, numbers by
    value, everything else exactly."""
    if want == "<any>" and isinstance(want, str):
        if got is None:
            raise ScenarioFailed(f"{at}: expected a value, got null")
        return
    if want is None:
        if got is not None:
            raise ScenarioFailed(f"{at}: expected null, got {got!r}")
        return
    if isinstance(want, dict):
        if not isinstance(got, dict):
            raise ScenarioFailed(f"{at}: expected an object, got {got!r}")
        for k, v in want.items():
            matches(v, got.get(k), f"{at}.{k}")
        return
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            raise ScenarioFailed(f"{at}: expected {len(want)} item(s), got {got!r}")
        for n, (w, g) in enumerate(zip(want, got)):
            matches(w, g, f"{at}[{n}]")
        return
    if is_number(want) and is_number(got):
        if Decimal(str(want)) != Decimal(str(got)):
            raise ScenarioFailed(f"{at}: expected {want}, got {got}")
        return
    if type(want) is not type(got) or want != got:
        raise ScenarioFailed(f"{at}: expected {want!r}, got {got!r}")


def play(scenario: dict[str, Json]) -> None:
    with Sandbox() as sandbox, tempfile.TemporaryDirectory() as tmp:
        run = Run(sandbox, Path(tmp) / "journal.db", scenario.get("config"))
        for n, step in enumerate(scenario["steps"]):
            try:
                run.step(step)
            except ScenarioFailed as e:
                raise ScenarioFailed(f"step {n}: {e}") from None


def mutate(v: Json) -> bool:
    """Changes the last expectation that names a state or an error kind (else the last
    expected request path) into a wrong one; False when there is none. The same walk as
    the Rust runner's."""
    if isinstance(v, list):
        return any(mutate(x) for x in reversed(v))
    if isinstance(v, dict):
        for key in ("state", "kind"):
            if isinstance(v.get(key), str):
                v[key] = "not_applied" if v[key] == "applied" else "applied"
                return True
        paths = v.get("requests")
        if isinstance(paths, list) and paths and isinstance(paths[-1], str):
            paths[-1] += "-changed"
            return True
        return any(mutate(v[k]) for k in reversed(list(v)) if k not in ("fault", "input"))
    return False


def test_the_scenarios_are_all_here() -> None:
    """Counted from the folder itself: every file must be a scenario this runner plays."""
    every = sorted(SCENARIOS.iterdir())
    assert every, "no journal scenarios found"
    assert [p for p in every if p.suffix != ".json" and p.name != "README.md"] == []
    names = [load(p)["name"] for p in FILES]
    assert len(names) == len(set(names)), "scenario names must be unique"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario(path: Path) -> None:
    scenario = load(path)
    PLAYED[path.name] = "FAILED"
    play(scenario)
    # Self-check: the same scenario with one expected value changed must fail.
    changed = copy.deepcopy(scenario)
    assert mutate(changed["steps"]), f"{path.name}: nothing to mutate"
    with pytest.raises(ScenarioFailed):
        play(changed)
    PLAYED[path.name] = "ok"


def test_every_scenario_was_played(request: pytest.FixtureRequest) -> None:
    """When every scenario was selected, each was played (and self-checked): a runner that
    skips one fails here. Prints the summary line the other runners print."""
    items = request.session.items
    selected = [i for i in items if getattr(i, "originalname", None) == "test_scenario"]
    if len(selected) != len(FILES):
        pytest.skip("only some scenarios were selected")
    passed = sum(1 for v in PLAYED.values() if v == "ok")
    print(f"journal scenarios: {passed} passed, {len(PLAYED) - passed} failed")
    assert sorted(PLAYED) == [p.name for p in FILES]
    assert passed == len(FILES)
