"""Shared pytest set-up: the conformance summary line every runner prints."""

from __future__ import annotations

import pytest

_outcomes: dict[str, int] = {"passed": 0, "failed": 0}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance: one conformance corpus case")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "conformance" not in report.keywords or "test_case[" not in report.nodeid:
        return
    if report.when == "call":
        _outcomes["passed" if report.passed else "failed"] += 1
    elif report.failed:  # set-up or tear-down failed
        _outcomes["failed"] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _outcomes["passed"] or _outcomes["failed"]:
        terminalreporter.write_line(
            f"conformance: {_outcomes['passed']} passed, {_outcomes['failed']} failed"
        )
