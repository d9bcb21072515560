"""The README's Python quick start, run exactly as written."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def quick_start() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python quick start", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README.md has no python block under '## Python quick start'"
    return match.group(1)


def test_the_quick_start_runs_as_written() -> None:
    code = quick_start()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    lines = out.getvalue().splitlines()
    # Each print's expected output is the comment beside it in the README.
    expected = [
        m.group(1).strip()
        for line in code.splitlines()
        if "print(" in line and (m := re.search(r"#\s*(.+)$", line))
    ]
    assert len(expected) == 4
    assert lines == expected
