"""The whole conformance corpus through the Python API: one test per case, by its name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from corpus import CORPUS, CaseFailed, load_cases, mutate, run_case

from voucherkit.testing import ScriptedServer

CASES = load_cases()


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer(base_dir=CORPUS) as s:
        yield s


def test_the_corpus_is_all_here() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) == 242


@pytest.mark.conformance
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(server: ScriptedServer, case: dict[str, Any]) -> None:
    run_case(server, case)


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
