"""Writes the root README's Kotlin examples, as written, into test source files.

In the section under the heading `## Kotlin`:
- the quick start, its first ```kotlin block → ReadmeQuickStart.kt (default package);
- the first ```kotlin block under `### When the answer is lost` → ReadmeLostAnswer.kt
  (package `lostanswer`, so its `main()` does not clash with the quick start's).
ReadmeTest runs each `main()`. A README without either fails the build (the examples must
stay runnable).

Usage: readme_quickstart.py README.md OUT_DIR
"""

import pathlib
import re
import sys

readme, out_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
text = readme.read_text(encoding="utf-8")
section = re.search(r"^## Kotlin\b.*?(?=^## |\Z)", text, re.M | re.S)
if not section:
    sys.exit(f"{readme}: no '## Kotlin' section")


def first_block(where: str, what: str) -> str:
    block = re.search(r"^```kotlin\n(.*?)^```", where, re.M | re.S)
    if not block:
        sys.exit(f"{readme}: {what} has no ```kotlin block")
    return block.group(1)


quick_start = first_block(section.group(0), "the Kotlin section")
lost = re.search(r"^### When the answer is lost\b.*?(?=^##|\Z)", section.group(0), re.M | re.S)
if not lost:
    sys.exit(f"{readme}: the Kotlin section has no '### When the answer is lost'")
lost_answer = first_block(lost.group(0), "'### When the answer is lost'")

out_dir.mkdir(parents=True, exist_ok=True)
# @file:JvmName gives each main() a class name the test can load.
(out_dir / "ReadmeQuickStart.kt").write_text(
    '@file:JvmName("ReadmeQuickStart")\n\n' + quick_start, encoding="utf-8"
)
(out_dir / "ReadmeLostAnswer.kt").write_text(
    '@file:JvmName("ReadmeLostAnswer")\n\npackage lostanswer\n\n' + lost_answer, encoding="utf-8"
)
