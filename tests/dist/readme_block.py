#!/usr/bin/env python3
"""Writes the first ```LANG block of a README section to a file, as written, so an install
check runs the README's own example (used by each `make test-dist-<lang>` script).

Usage: readme_block.py README.md "## C and C++ quick start" c OUT
"""

import re
import sys

readme, heading, lang, out = sys.argv[1:5]
text = open(readme, encoding="utf-8").read()
start = text.find(heading)
if start == -1:
    sys.exit(f"{readme}: no section {heading!r}")
end = text.find("\n## ", start + 1)
block = re.search(rf"```{re.escape(lang)}\n(.*?)```", text[start : end if end != -1 else len(text)], re.S)
if not block:
    sys.exit(f"{readme}: no ```{lang} block in {heading!r}")
with open(out, "w", encoding="utf-8") as f:
    f.write(block.group(1))
