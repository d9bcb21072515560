"""Writes the root README's Kotlin quick start, as written, into a test source file.

The quick start is the first ```kotlin block after the heading `## Kotlin`; the test
ReadmeTest runs its `main()`. A README without it fails the build (the quick start must
stay runnable).
"""

import pathlib
import re
import sys

readme, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
text = readme.read_text(encoding="utf-8")
section = re.search(r"^## Kotlin\b.*?(?=^## |\Z)", text, re.M | re.S)
if not section:
    sys.exit(f"{readme}: no '## Kotlin' section")
block = re.search(r"^```kotlin\n(.*?)^```", section.group(0), re.M | re.S)
if not block:
    sys.exit(f"{readme}: the Kotlin section has no ```kotlin block")
out.parent.mkdir(parents=True, exist_ok=True)
# @file:JvmName gives the quick start's main() a class name the test can load.
out.write_text('@file:JvmName("ReadmeQuickStart")\n\n' + block.group(1), encoding="utf-8")
