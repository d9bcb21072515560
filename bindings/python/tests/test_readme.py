"""The README's Python examples, run exactly as written."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"  # the clone's README


def python_section() -> str:
    """The Python part of the README: other languages have subsections of the same name."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python quick start", 1)[1]
    return re.split(r"^## ", section, maxsplit=1, flags=re.M)[0]


def block(heading: str | None = None) -> str:
    """The first python block of the Python section, or of its subsection `heading`."""
    section = python_section()
    if heading is not None:
        assert f"### {heading}\n" in section, f"README.md has no '### {heading}' for Python"
        section = section.split(f"### {heading}\n", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"README.md has no python block under {heading or '## Python quick start'!r}"
    return match.group(1)


def run(code: str) -> tuple[list[str], list[str]]:
    """Runs `code`; returns its printed lines and the output each print promises in the
    comment beside it."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    expected = [
        m.group(1).strip()
        for line in code.splitlines()
        if "print(" in line and (m := re.search(r"#\s*(.+)$", line))
    ]
    return out.getvalue().splitlines(), expected


def test_the_quick_start_runs_as_written() -> None:
    code = block()
    assert "sg.close()" in code and ") as sp:" in code and "app_info=" in code
    lines, expected = run(code)
    assert len(expected) == 4
    assert lines == expected


def test_when_the_answer_is_lost_runs_as_written() -> None:
    code = block("When the answer is lost")
    assert "journal=journal" in code and "reconcile()" in code and 'reference="sale-42"' in code
    lines, expected = run(code)
    assert len(expected) == 3
    assert lines == expected


def test_paging_runs_as_written() -> None:
    code = block("Every voucher, page by page")
    assert "iter_vouchers(" in code and "max=3" in code
    lines, expected = run(code)
    assert len(expected) == 1
    assert lines == expected


def test_asyncio_runs_as_written() -> None:
    code = block("asyncio")
    assert "AsyncSmartGift" in code and "asyncio.gather" in code
    lines, expected = run(code)
    assert len(expected) == 2
    assert lines == expected
