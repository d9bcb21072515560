#!/usr/bin/env python3
"""Validate the voucherkit conformance corpus against the format in README.md.

Standard library only. Usage:

    python3 tests/conformance/check_corpus.py [--seeds DIR]

--seeds DIR  also prove that every seed-verbatim body file is a byte-for-byte
             substring of its seed page in DIR (the providers' pages saved as
             text; not part of this repository).

Prints the number of cases per provider, per operation and per expected
outcome (result, or error kind); exits 1 if anything is wrong.
"""
import collections
import json
import os
import re
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))

OPERATIONS = {
    "smartgift": {
        "check": ("POST", "/redeem/check"),
        "hold": ("POST", "/redeem/hold"),
        "redeem": ("POST", "/redeem"),
        "release": ("POST", "/redeem/release"),
        "reverse": ("POST", "/redeem/reverse"),
    },
    "spaaza": {
        "redeem_voucher": ("POST", "/auth/redeem-voucher"),
        "unlock_voucher": ("POST", "/unlock-voucher"),
        "unclaim_voucher": ("POST", "/unclaim-voucher"),
        "lock_voucher": ("PUT", "/lock-voucher"),
        "claim_voucher": ("POST", "/claim-voucher"),
        "get_vouchers": ("GET", "/get-vouchers"),
    },
}
READS = {("smartgift", "check"), ("spaaza", "get_vouchers")}

END_USER = ["user_id", "member_number", "username", "authentication_point_identifier", "auxiliary_identifier"]
INPUT_KEYS = {
    ("smartgift", "check"): {"voucher_no", "site_id", "classifications", "meta_conditions"},
    ("smartgift", "hold"): {"voucher_no"},
    ("smartgift", "redeem"): {"voucher_no", "site_id", "value", "experiences", "hold_token"},
    ("smartgift", "release"): {"voucher_no", "hold_token"},
    ("smartgift", "reverse"): {"voucher_no", "site_id", "redemptions"},
    ("spaaza", "redeem_voucher"): {"chain_id", "voucher_key", "voucher_id", "user_id", "amount"},
    ("spaaza", "unlock_voucher"): {"voucher_key", "voucher_id"},
    ("spaaza", "unclaim_voucher"): {"chain_id", "voucher_key", "voucher_id", "third_party_id", *END_USER},
    ("spaaza", "claim_voucher"): {"chain_id", "voucher_key", "voucher_id", "third_party_id", *END_USER},
    ("spaaza", "lock_voucher"): {"voucher_key", "voucher_id", "retailer_basket_code", "voucher_lock_period", "voucher_locking_code"},
    ("spaaza", "get_vouchers"): {"chain_id", "voucher_id", "user_id", "username", "member_number", "campaign_id",
                                 "show_all_statuses", "show_redeemed", "show_expired", "exclude_regenerated",
                                 "number_results", "results_offset"},
}
MONEY_INPUTS = {"value", "amount"}
INT_INPUTS = {"chain_id", "voucher_id", "user_id", "third_party_id", "campaign_id", "number_results", "results_offset",
              "voucher_lock_period"}
BOOL_INPUTS = {"show_all_statuses", "show_redeemed", "show_expired", "exclude_regenerated"}

COMMON_CONFIG = {"base_url", "timeout_ms", "connect_timeout_ms", "max_retries", "allow_insecure_http", "proxy"}
# `proxy` takes one value: the scripted server plays the client's HTTP CONNECT proxy.
PROXY_VALUES = {"scripted"}
CONFIG_KEYS = {
    "smartgift": COMMON_CONFIG | {"api_key"},
    "spaaza": COMMON_CONFIG | {"session_user_id", "session_key", "api_version", "auth", "app_hostname", "bearer_token"},
}

KINDS = ["invalid_request", "authentication", "permission_denied", "voucher_not_found", "voucher_not_owned",
         "voucher_expired", "voucher_already_redeemed", "voucher_not_held", "voucher_locked", "invalid_site",
         "invalid_amount", "rate_limited", "provider_error", "network", "outcome_unknown", "invalid_response",
         "internal"]
ERROR_KEYS = {"kind", "message", "field", "field_errors", "http_status", "provider", "provider_code", "retryable",
              "retry_after"}
NO_MESSAGE_KINDS = {"invalid_request", "network", "outcome_unknown", "invalid_response"}

CASE_KEYS_REQUIRED = ["name", "description", "provider", "operation", "input", "answers", "expect_requests", "expect"]
CASE_KEYS = set(CASE_KEYS_REQUIRED) | {"config"}
ANSWER_KEYS = {"status", "headers", "body", "body_text", "body_file", "content_type", "fault"}
FAULTS = {"delay": {"ms"}, "stall": set(), "reset": set(), "truncate": set(), "close": set(), "oversize": {"bytes"},
          "duplicate": set()}
REQUEST_KEYS = {"method", "path", "headers", "absent_headers", "json", "body_text", "form", "query"}
REQUEST_BODIES = ["json", "body_text", "form", "query"]

# Body files copied verbatim from the seed pages, and the page each one comes from.
SEED_BODIES = {
    "smartgift-redeem-success.json": "smartgift-redeem.txt",
    "smartgift-redeem-error-voucher-invalid.json": "smartgift-redeem.txt",
    "smartgift-redeem-error-site-invalid.json": "smartgift-redeem.txt",
    "smartgift-redeem-error-not-owned.json": "smartgift-redeem.txt",
    "smartgift-redeem-error-expired.json": "smartgift-redeem.txt",
    "smartgift-redeem-error-already-redeemed.json": "smartgift-redeem.txt",
    "smartgift-release-success.json": "smartgift-release-hold.txt",
    "smartgift-release-error-not-held.json": "smartgift-release-hold.txt",
    "smartgift-release-error-voucher-invalid.json": "smartgift-release-hold.txt",
    "smartgift-release-error-not-owned.json": "smartgift-release-hold.txt",
    "smartgift-release-error-expired.json": "smartgift-release-hold.txt",
    "smartgift-release-error-already-redeemed.json": "smartgift-release-hold.txt",
    "spaaza-redeem-voucher-success.json": "spaaza-redeem-voucher.txt",
    "spaaza-unclaim-voucher-success.json": "spaaza-unclaim-voucher.txt",
    "spaaza-unlock-voucher-success.json": "spaaza-unlock-voucher.txt",
}

FILE_RE = re.compile(r"^(\d{3})-[a-z0-9]+(?:-[a-z0-9]+)*\.json$")
NAME_TAIL_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")


class Checker:
    def __init__(self):
        self.problems = []

    def bad(self, where, msg):
        self.problems.append(f"{where}: {msg}")

    # ------------------------------------------------------------------ parts
    def check_input(self, where, provider, op, inp):
        if not isinstance(inp, dict):
            return self.bad(where, "input must be an object")
        allowed = INPUT_KEYS[(provider, op)]
        for k, v in inp.items():
            if k not in allowed:
                self.bad(where, f"input key {k!r} is not a parameter of {provider} {op}")
            if k in MONEY_INPUTS and not isinstance(v, str):
                self.bad(where, f"input {k} is money and must be a JSON string")
            if k in INT_INPUTS and (not isinstance(v, int) or isinstance(v, bool)):
                self.bad(where, f"input {k} must be a JSON integer")
            if k in BOOL_INPUTS and not isinstance(v, bool):
                self.bad(where, f"input {k} must be a JSON bool")
            if k == "site_id" and not isinstance(v, (str, int)) or k == "site_id" and isinstance(v, bool):
                self.bad(where, "input site_id must be a string or an integer")
            if k in ("experiences", "redemptions") and not (
                    isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v)):
                self.bad(where, f"input {k} must be a list of integers")
            if k == "classifications" and not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
                self.bad(where, "input classifications must be a list of strings")
            if k == "meta_conditions":
                ok = isinstance(v, list) and all(
                    isinstance(m, dict) and set(m) == {"key", "operator", "value"} and isinstance(m["key"], str)
                    and isinstance(m["operator"], str) and isinstance(m["value"], list)
                    and all(isinstance(s, str) for s in m["value"]) for m in v)
                if not ok:
                    self.bad(where, "input meta_conditions must be a list of {key, operator, value: [strings]}")
            if k in ("voucher_no", "voucher_key", "hold_token", "member_number", "username",
                     "authentication_point_identifier", "auxiliary_identifier", "retailer_basket_code",
                     "voucher_locking_code") and not isinstance(v, str):
                self.bad(where, f"input {k} must be a string")

    def check_config(self, where, provider, cfg):
        if not isinstance(cfg, dict):
            return self.bad(where, "config must be an object")
        for k, v in cfg.items():
            if k not in CONFIG_KEYS[provider]:
                self.bad(where, f"config key {k!r} is not known for {provider}")
        if "auth" in cfg and cfg["auth"] not in ("admin", "user", "privileged"):
            self.bad(where, "config auth must be admin, user or privileged")
        for k in ("timeout_ms", "connect_timeout_ms", "max_retries", "session_user_id"):
            if k in cfg and (not isinstance(cfg[k], int) or isinstance(cfg[k], bool)):
                self.bad(where, f"config {k} must be an integer")
        if "allow_insecure_http" in cfg and not isinstance(cfg["allow_insecure_http"], bool):
            self.bad(where, "config allow_insecure_http must be a bool")
        if "proxy" in cfg:
            if cfg["proxy"] not in PROXY_VALUES:
                self.bad(where, f"config proxy must be one of {sorted(PROXY_VALUES)}")
            # Through the scripted proxy the provider is a host the scripted server stands in
            # for; a case without its own base_url would tunnel to the scripted server itself.
            if not isinstance(cfg.get("base_url"), str) or connect_target(cfg["base_url"]) is None:
                self.bad(where, "a proxy case gives its own http(s) base_url (the host the tunnel is asked for)")
        for k in ("api_key", "session_key", "api_version", "app_hostname", "bearer_token", "base_url"):
            if k in cfg and not isinstance(cfg[k], str):
                self.bad(where, f"config {k} must be a string")

    def check_answer(self, where, ans, used_bodies):
        if not isinstance(ans, dict):
            return self.bad(where, "answer must be an object")
        for k in ans:
            if k not in ANSWER_KEYS:
                self.bad(where, f"unknown answer key {k!r}")
        st = ans.get("status")
        if not isinstance(st, int) or isinstance(st, bool) or not 100 <= st <= 599:
            self.bad(where, "answer status must be an integer HTTP status")
        if sum(k in ans for k in ("body", "body_text", "body_file")) > 1:
            self.bad(where, "answer has more than one of body / body_text / body_file")
        if "body_text" in ans and not isinstance(ans["body_text"], str):
            self.bad(where, "answer body_text must be a string")
        hdrs = ans.get("headers", {})
        if not isinstance(hdrs, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in hdrs.items()):
            self.bad(where, "answer headers must map strings to strings")
        if "content_type" in ans and not isinstance(ans["content_type"], str):
            self.bad(where, "answer content_type must be a string")
        if "body_file" in ans:
            bf = ans["body_file"]
            if not isinstance(bf, str) or not bf.startswith("bodies/") or "/" in bf[len("bodies/"):]:
                self.bad(where, f"body_file {bf!r} must be bodies/<file>")
            else:
                path = os.path.join(HERE, bf)
                if not os.path.isfile(path):
                    self.bad(where, f"body_file {bf} does not exist")
                used_bodies.add(bf[len("bodies/"):])
        if "fault" in ans:
            f = ans["fault"]
            if not isinstance(f, dict) or f.get("kind") not in FAULTS:
                self.bad(where, f"unknown fault {f!r}")
            else:
                need = FAULTS[f["kind"]]
                extra = set(f) - need - {"kind"}
                if extra or not need <= set(f):
                    self.bad(where, f"fault {f['kind']} takes exactly {sorted(need)}")
                for k in need:
                    if not isinstance(f.get(k), int) or f.get(k) <= 0:
                        self.bad(where, f"fault {f['kind']}.{k} must be a positive integer")
                if f["kind"] == "oversize" and f.get("bytes", 0) <= 1 << 20:
                    self.bad(where, "oversize bytes must exceed the 1 MiB cap")
        if 100 <= (st or 0) < 200 and any(k in ans for k in ("body", "body_text", "body_file", "fault")):
            self.bad(where, "a 1xx answer has no body and no fault (the status line and headers only)")
        if 300 <= (st or 0) < 400 and "Location" not in hdrs:
            self.bad(where, "a redirect answer needs a Location header")

    def check_request(self, where, provider, op, req, tunnel=None):
        if not isinstance(req, dict):
            return self.bad(where, "request must be an object")
        for k in req:
            if k not in REQUEST_KEYS:
                self.bad(where, f"unknown request key {k!r}")
        if req.get("method") == "CONNECT":
            return self.check_connect(where, req, tunnel)
        method, path = OPERATIONS[provider][op]
        if req.get("method") != method:
            self.bad(where, f"method must be {method} for {op}")
        if req.get("path") != path:
            self.bad(where, f"path must be {path} for {op}")
        hdrs = req.get("headers", {})
        if not isinstance(hdrs, dict) or not all(isinstance(k, str) and k == k.lower() and isinstance(v, str)
                                                 for k, v in hdrs.items()):
            self.bad(where, "request headers must map lower-case names to strings")
        absent = req.get("absent_headers", [])
        if not isinstance(absent, list) or not all(isinstance(h, str) and h == h.lower() for h in absent):
            self.bad(where, "absent_headers must be a list of lower-case names")
        elif isinstance(hdrs, dict) and set(absent) & set(hdrs):
            self.bad(where, "a header cannot be both expected and absent")
        bodies = [k for k in REQUEST_BODIES if k in req]
        if len(bodies) > 1:
            self.bad(where, f"request has more than one body form: {bodies}")
        if provider == "smartgift":
            if isinstance(hdrs, dict) and (hdrs.get("content-type") != "application/json"
                                           or hdrs.get("accept") != "application/json" or "smart-auth" not in hdrs):
                self.bad(where, "Smart Gift requests list smart-auth, content-type and accept")
            if bodies not in (["json"], ["body_text"]):
                self.bad(where, "a Smart Gift request gives json or body_text")
            if "body_text" in req:
                try:
                    json.loads(req["body_text"])
                except (TypeError, ValueError):
                    self.bad(where, "Smart Gift body_text must be JSON")
            if "json" in req and not isinstance(req["json"], dict):
                self.bad(where, "request json must be an object")
        else:
            want = ["query"] if method == "GET" else ["form"]
            if bodies != want:
                self.bad(where, f"a Spaaza {method} request gives {want[0]}")
            for k in ("form", "query"):
                if k in req and not (isinstance(req[k], dict) and all(isinstance(v, str) for v in req[k].values())):
                    self.bad(where, f"request {k} values must be strings")
            if method != "GET" and isinstance(hdrs, dict) and \
                    hdrs.get("content-type") != "application/x-www-form-urlencoded":
                self.bad(where, "Spaaza writes list content-type application/x-www-form-urlencoded")

    def check_connect(self, where, req, tunnel):
        """A proxy case's tunnel request: CONNECT <host>:<port> of the case's base_url."""
        if tunnel is None:
            return self.bad(where, "a CONNECT request is only expected in a proxy case (config proxy)")
        if req.get("path") != tunnel:
            self.bad(where, f"a CONNECT asks for the base_url's host and port: path must be {tunnel!r}")
        if any(k in req for k in REQUEST_BODIES):
            self.bad(where, "a CONNECT request has no body to check")
        hdrs = req.get("headers", {})
        if not isinstance(hdrs, dict) or not all(isinstance(k, str) and k == k.lower() and isinstance(v, str)
                                                 for k, v in hdrs.items()):
            self.bad(where, "request headers must map lower-case names to strings")
        absent = req.get("absent_headers", [])
        if not isinstance(absent, list) or not all(isinstance(h, str) and h == h.lower() for h in absent):
            self.bad(where, "absent_headers must be a list of lower-case names")

    def check_expect(self, where, provider, op, case):
        exp = case["expect"]
        if not isinstance(exp, dict) or len(exp) != 1 or next(iter(exp)) not in ("result", "error"):
            self.bad(where, "expect must be {\"result\": {...}} or {\"error\": {...}}")
            return None
        if "result" in exp:
            if not isinstance(exp["result"], dict) or not exp["result"]:
                self.bad(where, "expect.result must be a non-empty object")
            return "result"
        err = exp["error"]
        if not isinstance(err, dict):
            self.bad(where, "expect.error must be an object")
            return None
        for k in err:
            if k not in ERROR_KEYS:
                self.bad(where, f"unknown error key {k!r}")
        kind = err.get("kind")
        if kind not in KINDS:
            self.bad(where, f"unknown error kind {kind!r}")
        if err.get("provider", provider) != provider:
            self.bad(where, "expect.error.provider differs from the case provider")
        if "retryable" in err and not isinstance(err["retryable"], bool):
            self.bad(where, "retryable must be a bool")
        if kind in NO_MESSAGE_KINDS and "message" in err:
            self.bad(where, f"{kind} cases must not assert the message (the wording is the core's)")
        if kind == "invalid_request":
            for k in ("field", "provider", "retryable", "http_status"):
                if k not in err:
                    self.bad(where, f"invalid_request cases give {k}")
            if err.get("retryable") is not False or err.get("http_status", 0) is not None:
                self.bad(where, "invalid_request: retryable false and http_status null")
            if case["expect_requests"] != [] or case["answers"] != []:
                self.bad(where, "invalid_request cases send nothing: answers and expect_requests must be []")
        elif kind in ("network", "outcome_unknown", "invalid_response"):
            if "retryable" not in err:
                self.bad(where, f"{kind} cases give retryable")
            if kind == "outcome_unknown" and err.get("retryable") is not False:
                self.bad(where, "outcome_unknown is never retryable")
            if kind == "outcome_unknown" and (provider, op) in READS:
                self.bad(where, "outcome_unknown cannot come from a read")
            if kind == "network" and err.get("retryable") is not True:
                self.bad(where, "network is retryable")
        else:
            for k in ("http_status", "retryable"):
                if k not in err:
                    self.bad(where, f"{kind} cases give {k}")
        if kind == "rate_limited" and err.get("retryable") is not True:
            self.bad(where, "rate_limited is retryable")
        if "retry_after" in err and err["retry_after"] is not None and (
                not isinstance(err["retry_after"], int) or err["retry_after"] < 0):
            self.bad(where, "retry_after must be a non-negative integer")
        return kind

    # ------------------------------------------------------------------ one case
    def check_case(self, provider, fn, case, names, used_bodies):
        where = f"cases/{provider}/{fn}"
        if not isinstance(case, dict):
            return self.bad(where, "a case is one JSON object"), None
        missing = [k for k in CASE_KEYS_REQUIRED if k not in case]
        if missing:
            return self.bad(where, f"missing keys {missing}"), None
        for k in case:
            if k not in CASE_KEYS:
                self.bad(where, f"unknown key {k!r}")
        if case["provider"] != provider:
            self.bad(where, f"provider {case['provider']!r} but the file is under cases/{provider}/")
        op = case["operation"]
        if op not in OPERATIONS.get(provider, {}):
            return self.bad(where, f"unknown operation {op!r} for {provider}"), None
        name = case["name"]
        prefix = f"{provider}.{op}."
        if not isinstance(name, str) or not name.startswith(prefix) or not NAME_TAIL_RE.match(name[len(prefix):]):
            self.bad(where, f"name must be {prefix}<snake_case>, got {name!r}")
        if name in names:
            self.bad(where, f"name {name!r} already used by {names[name]}")
        names[name] = where
        if not isinstance(case["description"], str) or len(case["description"]) < 10:
            self.bad(where, "description must say why the case exists")
        self.check_input(where, provider, op, case["input"])
        if "config" in case:
            self.check_config(where, provider, case["config"])
        if not isinstance(case["answers"], list) or not isinstance(case["expect_requests"], list):
            self.bad(where, "answers and expect_requests must be lists")
            return None
        for i, a in enumerate(case["answers"]):
            self.check_answer(f"{where} answers[{i}]", a, used_bodies)
        cfg = case.get("config", {}) if isinstance(case.get("config"), dict) else {}
        base = cfg.get("base_url")
        proxied = "proxy" in cfg
        tunnel = connect_target(base) if proxied and isinstance(base, str) else None
        for i, r in enumerate(case["expect_requests"]):
            self.check_request(f"{where} expect_requests[{i}]", provider, op, r, tunnel)
        if len(case["answers"]) != len(case["expect_requests"]):
            self.bad(where, "every scripted answer must be consumed: len(answers) == len(expect_requests)")
        # Only through the scripted proxy can a case with its own base_url reach the server.
        if base is not None and not proxied and case["expect_requests"]:
            self.bad(where, "a case with its own base_url cannot expect requests at the scripted server")
        return self.check_expect(where, provider, op, case)


def connect_target(base_url):
    """The `host:port` a CONNECT for `base_url` asks for (port 80/443 when not given)."""
    try:
        u = urllib.parse.urlsplit(base_url)
        port = u.port or {"http": 80, "https": 443}.get(u.scheme)
    except ValueError:
        return None
    if u.scheme not in ("http", "https") or not u.hostname or port is None:
        return None
    return f"{u.hostname}:{port}"


def main(argv):
    seeds = None
    if len(argv) == 3 and argv[1] == "--seeds":
        seeds = argv[2]
    elif len(argv) != 1:
        print(__doc__)
        return 2
    chk = Checker()
    names = {}
    used_bodies = set()
    per_provider = collections.Counter()
    per_op = collections.Counter()
    per_outcome = collections.defaultdict(collections.Counter)
    cases_dir = os.path.join(HERE, "cases")
    for provider in sorted(os.listdir(cases_dir)):
        pdir = os.path.join(cases_dir, provider)
        if not os.path.isdir(pdir):
            continue
        if provider not in OPERATIONS:
            chk.bad(f"cases/{provider}", "unknown provider directory")
            continue
        numbers = {}
        for fn in sorted(os.listdir(pdir)):
            m = FILE_RE.match(fn)
            if not m:
                chk.bad(f"cases/{provider}/{fn}", "file name must be NNN-short-name.json")
                continue
            if m.group(1) in numbers:
                chk.bad(f"cases/{provider}/{fn}", f"number {m.group(1)} already used by {numbers[m.group(1)]}")
            numbers[m.group(1)] = fn
            try:
                with open(os.path.join(pdir, fn), encoding="utf-8") as f:
                    case = json.load(f)
            except ValueError as e:
                chk.bad(f"cases/{provider}/{fn}", f"not valid JSON: {e}")
                continue
            outcome = chk.check_case(provider, fn, case, names, used_bodies)
            per_provider[provider] += 1
            if isinstance(case, dict) and isinstance(case.get("operation"), str):
                per_op[(provider, case["operation"])] += 1
            if outcome:
                per_outcome[outcome][provider] += 1

    bodies_dir = os.path.join(HERE, "bodies")
    for fn in sorted(os.listdir(bodies_dir)):
        path = os.path.join(bodies_dir, fn)
        try:
            with open(path, encoding="utf-8") as f:
                json.load(f)
        except ValueError as e:
            chk.bad(f"bodies/{fn}", f"not valid JSON: {e}")
        if fn not in used_bodies:
            chk.bad(f"bodies/{fn}", "not used by any case")
    for fn, seed in SEED_BODIES.items():
        path = os.path.join(bodies_dir, fn)
        if not os.path.isfile(path):
            chk.bad(f"bodies/{fn}", "seed body missing")
            continue
        if seeds:
            with open(path, "rb") as f:
                body = f.read()
            with open(os.path.join(seeds, seed), "rb") as f:
                page = f.read()
            if body not in page:
                chk.bad(f"bodies/{fn}", f"not a verbatim excerpt of {seed}")

    total = sum(per_provider.values())
    print(f"cases: {total}")
    for p in sorted(per_provider):
        print(f"  {p:<10} {per_provider[p]}")
    print("per operation:")
    for (p, op), c in sorted(per_op.items()):
        print(f"  {p + '.' + op:<26} {c}")
    print("per expected outcome:           smartgift  spaaza  total")
    order = ["result"] + KINDS
    for k in order:
        if k in per_outcome:
            row = per_outcome[k]
            print(f"  {k:<28} {row['smartgift']:>9} {row['spaaza']:>7} {sum(row.values()):>6}")
    unused_kinds = [k for k in KINDS if k not in per_outcome and k != "internal"]
    if unused_kinds:
        print("kinds with no case:", ", ".join(unused_kinds))
    if seeds:
        print(f"seed bodies verified verbatim against {seeds}: {len(SEED_BODIES)}")
    if chk.problems:
        print(f"\n{len(chk.problems)} problem(s):")
        for p in chk.problems:
            print("  " + p)
        return 1
    print("corpus OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
