#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the conformance corpus (stdlib only).

Every provider answer of every case (and every file in bodies/) becomes an input of its
provider's answers target, every case input an input of `requests`, every money string and
provider amount an input of `amount`, and the texts of both an input of `c_strings`; in the
formats fuzz/src/lib.rs reads. Files are named by their SHA-1, as libFuzzer names its own,
so seeding twice adds nothing. `make fuzz-seed` runs it; `make fuzz` minimises afterwards.
"""

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "tests" / "conformance"
CORPUS = Path(__file__).resolve().parent / "corpus"


def answer_input(answer):
    """status line (`!` = over the cap), header lines, empty line, body."""
    fault = answer.get("fault") or {}
    first = str(answer.get("status", 200))
    if fault.get("kind") == "oversize":
        first += "!"
    lines = [first]
    headers = dict(answer.get("headers") or {})
    headers.setdefault("Content-Type", answer.get("content_type", "application/json"))
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if "body_file" in answer:
        body = (CONFORMANCE / answer["body_file"]).read_bytes()
    elif "body_text" in answer:
        body = answer["body_text"].encode()
    elif "body" in answer:
        body = json.dumps(answer["body"], separators=(",", ":"), ensure_ascii=False).encode()
    else:
        body = b""
    if fault.get("kind") == "oversize":
        body = b""
    return "\n".join(lines).encode() + b"\n\n" + body


def scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def request_input(case):
    """`provider.operation`, then `key=value` lines (lists: one line an item)."""
    lines = [f"{case['provider']}.{case['operation']}"]
    auth = (case.get("config") or {}).get("auth")
    if auth:
        lines.append(f"auth={auth}")
    for key, value in case["input"].items():
        if key == "site_id" and isinstance(value, int):
            lines.append(f"site_id_number={value}")
        elif key == "meta_conditions":
            for cond in value:
                parts = [cond.get("key", ""), cond.get("operator", "")] + list(cond.get("value", []))
                lines.append("meta_condition=" + "|".join(scalar(p) for p in parts))
        elif isinstance(value, list):
            lines += [f"{key}={scalar(item)}" for item in value]
        elif value is not None:
            lines.append(f"{key}={scalar(value)}")
    return "\n".join(lines).encode()


def amounts_in(value, out):
    """Provider amounts (JSON numbers or strings under *amount*/*value* keys)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if ("amount" in key or "value" in key) and isinstance(item, (int, float, str)):
                out.add(json.dumps(item).encode() if not isinstance(item, str) else item.encode())
            amounts_in(item, out)
    elif isinstance(value, list):
        for item in value:
            amounts_in(item, out)


def texts_in(value, out):
    if isinstance(value, dict):
        for item in value.values():
            texts_in(item, out)
    elif isinstance(value, list):
        for item in value:
            texts_in(item, out)
    elif isinstance(value, str) and value:
        out.add(value.encode())


def main():
    seeds = {t: set() for t in ("amount", "smartgift_answers", "spaaza_answers", "requests", "c_strings")}
    for path in sorted((CONFORMANCE / "cases").rglob("*.json")):
        case = json.loads(path.read_text())
        target = f"{case['provider']}_answers"
        for answer in case["answers"]:
            seeds[target].add(answer_input(answer))
            if "body_file" not in answer and isinstance(answer.get("body"), (dict, list)):
                amounts_in(answer["body"], seeds["amount"])
                texts_in(answer["body"], seeds["c_strings"])
        seeds["requests"].add(request_input(case))
        for key in ("value", "amount"):
            if isinstance(case["input"].get(key), str):
                seeds["amount"].add(case["input"][key].encode())
        texts_in(case["input"], seeds["c_strings"])
    for body in sorted((CONFORMANCE / "bodies").iterdir()):
        provider = body.name.split("-")[0]
        seeds[f"{provider}_answers"].add(b"200\nContent-Type: application/json\n\n" + body.read_bytes())
        try:
            parsed = json.loads(body.read_bytes())
        except ValueError:
            continue
        amounts_in(parsed, seeds["amount"])
    # serde_json's arbitrary_precision (kept by the core for exact money) reads an object
    # whose key is this token as a number: a provider body may carry it.
    token = b'{"$serde_json::private::Number":"10.50"}'
    seeds["smartgift_answers"].add(b'200\n\n{"data":{"remaining_value":' + token + b'}}')
    seeds["smartgift_answers"].add(b'422\n\n{"errors":{"$serde_json::private::Number":["x"]}}')
    seeds["spaaza_answers"].add(
        b'200\n\n{"result":{"status":"ok"},"results":{"voucher_amount":' + token + b'}}'
    )
    # What only C can send: interior NULs, invalid UTF-8, control characters.
    seeds["c_strings"] |= {b"1234\x005678", b"\xff\xfe\xfd", b"caf\xc3", b"a\x01b\x01c", b"\x00"}
    total = 0
    for target, inputs in seeds.items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for data in inputs:
            (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        total += len(inputs)
        print(f"{target}: {len(inputs)} seeds")
    print(f"seeded {total} inputs into {CORPUS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
