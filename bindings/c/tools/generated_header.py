#!/usr/bin/env python3
"""Prints the path of the voucherkit.h that build.rs generated for this build.

Runs `cargo build -p voucherkit-c [args]` with JSON messages and picks that package's
build-script OUT_DIR (build.rs writes there only, never into the source tree).
"""
import json
import os
import subprocess
import sys

cargo = os.environ.get("CARGO", "cargo")
proc = subprocess.run(
    [cargo, "build", "-p", "voucherkit-c", "--message-format=json", *sys.argv[1:]],
    stdout=subprocess.PIPE,
    check=True,
    text=True,
)
found = None
for line in proc.stdout.splitlines():
    msg = json.loads(line)
    if msg.get("reason") != "build-script-executed":
        continue
    pid = msg["package_id"]
    name = pid.split("#")[-1].split("@")[0] if "#" in pid else pid.split(" ")[0]
    if name == "voucherkit-c":
        found = os.path.join(msg["out_dir"], "voucherkit.h")
if not found or not os.path.exists(found):
    sys.exit("generated_header.py: no voucherkit.h from build.rs")
print(found)
