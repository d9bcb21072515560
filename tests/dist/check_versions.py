#!/usr/bin/env python3
"""One version for every artifact: the workspace's `version` is the source, and every place
a user sees a version must say the same (run by `make check-versions`, before `make dist`).

- every crate takes `version.workspace = true` (so the Python package, whose version maturin
  reads from its crate, the C library and the CLI follow the workspace);
- bindings/c/include/voucherkit.h: VOUCHERKIT_VERSION_MAJOR/MINOR/PATCH/STRING;
- bindings/node/package.json: `version`;
- bindings/kotlin/pom.xml and bindings/kotlin/testing/pom.xml: the project's `<version>`;
- CHANGELOG.md: a `## <version>` section.

The built artifacts are checked again by each `make test-dist-<lang>` (the installed
package reports this version). Exits 1 naming every disagreement.
"""

import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parents[2]


def workspace_version() -> str:
    text = (ROOT / "Cargo.toml").read_text()
    section = text.split("[workspace.package]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^version = "([^"]+)"', section, re.M)
    if not match:
        sys.exit("Cargo.toml: no version in [workspace.package]")
    return match.group(1)


def main() -> int:
    version = workspace_version()
    major, minor, patch = (version.split("-", 1)[0].split(".") + ["", "", ""])[:3]
    problems: list[str] = []

    members = re.search(r"members = \[(.*?)\]", (ROOT / "Cargo.toml").read_text(), re.S)
    for member in re.findall(r'"([^"]+)"', members.group(1) if members else ""):
        manifest = (ROOT / member / "Cargo.toml").read_text()
        package = manifest.split("[package]", 1)[1].split("\n[", 1)[0]
        if "version.workspace = true" not in package:
            problems.append(f"{member}/Cargo.toml: version is not `version.workspace = true`")

    header = (ROOT / "bindings/c/include/voucherkit.h").read_text()
    for name, want in [
        ("VOUCHERKIT_VERSION_MAJOR", major),
        ("VOUCHERKIT_VERSION_MINOR", minor),
        ("VOUCHERKIT_VERSION_PATCH", patch),
        ("VOUCHERKIT_VERSION_STRING", f'"{version}"'),
    ]:
        got = re.search(rf"^#define {name} (.+)$", header, re.M)
        if not got or got.group(1).strip() != want:
            problems.append(f"voucherkit.h: {name} is {got and got.group(1)!r}, not {want}")

    npm = json.loads((ROOT / "bindings/node/package.json").read_text())["version"]
    if npm != version:
        problems.append(f"bindings/node/package.json: version {npm}, not {version}")

    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    for pom_path in ["bindings/kotlin/pom.xml", "bindings/kotlin/testing/pom.xml"]:
        pom = ET.parse(ROOT / pom_path).getroot()
        jar = pom.findtext("m:version", namespaces=ns) or pom.findtext("version")
        if jar != version:
            problems.append(f"{pom_path}: version {jar}, not {version}")

    changelog = (ROOT / "CHANGELOG.md").read_text()
    if not re.search(rf"^## \[?{re.escape(version)}\]?", changelog, re.M):
        problems.append(f"CHANGELOG.md: no section for {version}")

    for problem in problems:
        print(f"check-versions: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check-versions: every artifact is version {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
