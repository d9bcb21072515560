"""The whole conformance corpus through the Python API: one test per case, by its name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from corpus import CORPUS, CaseFailed, load_cases, mutate, run_case

from voucherkit.testing import ScriptedServer

CASES = load_cases()
# name -> "ok" / "FAILED" for every case test_case played in this session.
PLAYED: dict[str, str] = {}


def corpus_case_count() -> int:
    """How many cases the corpus holds, counted the way check_corpus.py counts them: every
    file in every directory under ``cases/`` (whatever its name or provider), so a case the
    runner does not pick up (a new provider directory, a misnamed file) is a failure."""
    cases_dir = CORPUS / "cases"
    return sum(1 for d in cases_dir.iterdir() if d.is_dir() for f in d.iterdir() if f.is_file())


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer(base_dir=CORPUS) as s:
        yield s


def test_the_corpus_is_all_here() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    # The expected count comes from the corpus itself, never from a number written here.
    assert len(CASES) == corpus_case_count()


@pytest.mark.conformance
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(server: ScriptedServer, case: dict[str, Any]) -> None:
    PLAYED[case["name"]] = "FAILED"
    run_case(server, case)
    PLAYED[case["name"]] = "ok"


def test_every_changed_case_is_caught(server: ScriptedServer) -> None:
    """The runner can fail: each case, changed in one expectation (kind, message, a result
    field, a wire field), must be rejected."""
    uncaught = []
    mutated = 0
    for n, case in enumerate(CASES):
        changed = mutate(case, n)
        if changed is None:
            continue
        what, bad = changed
        mutated += 1
        try:
            run_case(server, bad)
        except CaseFailed:
            continue
        uncaught.append(f"{case['name']}: {what}")
    assert mutated == len(CASES)
    assert uncaught == []


def test_every_case_was_played(request: pytest.FixtureRequest) -> None:
    """When the whole corpus was selected, every case was played exactly once: a runner that
    silently skips cases fails here. Prints the same summary line as the other runners."""
    selected = [i for i in request.session.items if getattr(i, "originalname", None) == "test_case"]
    if len(selected) != corpus_case_count():
        pytest.skip("only part of the corpus was selected")
    passed = sum(1 for v in PLAYED.values() if v == "ok")
    print(f"conformance: {passed} passed, {len(PLAYED) - passed} failed")
    assert sorted(PLAYED) == sorted(c["name"] for c in CASES)
