"""The Python runner of the cross-language conformance corpus (tests/conformance/).

It plays a case as the contract (tests/conformance/README.md section 1) and the Rust
reference runner (core/tests/conformance.rs) do: queue the case's answers on the scripted
server, build the client from the defaults overridden by the case's config, call the
operation through the public Python API, then compare the requests that reached the wire
and the outcome. ``run_case`` raises ``CaseFailed`` with the first difference found.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Optional

import voucherkit
from voucherkit.testing import RecordedRequest, ScriptedServer

# bindings/python/tests/corpus.py → the clone's tests/conformance.
CORPUS = Path(__file__).resolve().parents[3] / "tests" / "conformance"

Json = Any


class CaseFailed(AssertionError):
    """A case's expectation was not met; the message says where."""


def load_cases() -> list[dict[str, Json]]:
    """Every case, in the Rust runner's order (smartgift then spaaza, by file name).
    Numbers keep their digits (``parse_float=Decimal``)."""
    cases = []
    for provider in ("smartgift", "spaaza"):
        for path in sorted((CORPUS / "cases" / provider).glob("*.json")):
            with path.open(encoding="utf-8") as f:
                cases.append(json.load(f, parse_float=Decimal))
    return cases


# --- configuration and input -------------------------------------------------------------


class Params:
    """A case's ``config`` or ``input`` object; keys the runner never reads are errors, so a
    typo in the corpus cannot silently test nothing."""

    def __init__(self, value: Json, what: str) -> None:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise CaseFailed(f"{what} must be an object")
        self.map: dict[str, Json] = value
        self.what = what
        self.used: set[str] = set()

    def get(self, key: str, default: Json = None) -> Json:
        self.used.add(key)
        value = self.map.get(key)
        return default if value is None else value

    def money(self, key: str) -> Decimal | str | None:
        """Money strings become ``Decimal``; text that is no decimal at all (``"abc"``) is
        passed as the string, which the API also accepts, so the core judges it."""
        text = self.get(key)
        if text is None:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return str(text)

    def mark_all_used(self) -> None:
        self.used.update(self.map)

    def done(self) -> None:
        unknown = sorted(set(self.map) - self.used)
        if unknown:
            raise CaseFailed(f"unknown {self.what} key {unknown[0]!r}")


def transport(cfg: Params, url: str) -> dict[str, Any]:
    """The client's transport options; ``url`` is the scripted server's, which
    ``proxy: "scripted"`` makes the client's CONNECT proxy."""
    proxy = cfg.get("proxy")
    if proxy is not None and proxy != "scripted":
        raise CaseFailed(f"unknown proxy {proxy!r} (only 'scripted')")
    return {
        "timeout": cfg.get("timeout_ms", 5000) / 1000,
        "connect_timeout": cfg.get("connect_timeout_ms", 2000) / 1000,
        "max_retries": cfg.get("max_retries", 2),
        "allow_insecure_http": cfg.get("allow_insecure_http", False),
        "proxy": url if proxy == "scripted" else None,
    }


Outcome = tuple[Optional[Json], Optional[voucherkit.VoucherError]]


def execute(case: dict[str, Json], url: str) -> Outcome:
    cfg = Params(case.get("config"), "config")
    inp = Params(case.get("input"), "input")
    base_url = cfg.get("base_url", url)
    op = case["operation"]
    try:
        if case["provider"] == "smartgift":
            sg_kwargs: dict[str, Any] = dict(
                api_key=cfg.get("api_key", "sk_test_conformance_0001"),
                base_url=base_url,
                **transport(cfg, url),
            )
            cfg.done()
            try:
                sg = voucherkit.SmartGift(**sg_kwargs)
            except voucherkit.VoucherError:
                inp.mark_all_used()
                raise
            result = smartgift(sg, op, inp)
        elif case["provider"] == "spaaza":
            sp_kwargs: dict[str, Any] = dict(
                auth=cfg.get("auth", "admin"),
                session_user_id=cfg.get("session_user_id", 1),
                session_key=cfg.get("session_key", "sess_conformance_0001"),
                app_hostname=cfg.get("app_hostname"),
                bearer_token=cfg.get("bearer_token"),
                api_version=cfg.get("api_version", "1.6.3"),
                base_url=base_url,
                **transport(cfg, url),
            )
            cfg.done()
            try:
                sp = voucherkit.Spaaza(**sp_kwargs)
            except voucherkit.VoucherError:
                inp.mark_all_used()
                raise
            result = spaaza(sp, op, inp)
        else:
            raise CaseFailed(f"unknown provider {case['provider']!r}")
    except voucherkit.VoucherError as e:
        inp.done()
        return None, e
    inp.done()
    return result, None


def site_id(inp: Params) -> int | str:
    value = inp.get("site_id", "")
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    raise CaseFailed("site_id must be a string or integer")


def smartgift(sg: voucherkit.SmartGift, op: str, i: Params) -> Json:
    if op == "check":
        return smartgift_voucher_json(
            sg.check(
                voucher_no=i.get("voucher_no", ""),
                site_id=site_id(i),
                classifications=i.get("classifications"),
                meta_conditions=i.get("meta_conditions"),
            )
        )
    if op == "hold":
        h = sg.hold(voucher_no=i.get("voucher_no", ""))
        return {"message": h.message, "hold_token": h.hold_token, "raw": h.raw}
    if op == "redeem":
        r = sg.redeem(
            voucher_no=i.get("voucher_no", ""),
            site_id=site_id(i),
            value=i.money("value"),
            experiences=i.get("experiences"),
            hold_token=i.get("hold_token"),
        )
        return {"message": r.message, "redemptions": r.redemptions, "raw": r.raw}
    if op == "release":
        rel = sg.release(voucher_no=i.get("voucher_no", ""), hold_token=i.get("hold_token", ""))
        return {"message": rel.message, "raw": rel.raw}
    if op == "reverse":
        rev = sg.reverse(
            voucher_no=i.get("voucher_no", ""),
            site_id=site_id(i),
            redemptions=i.get("redemptions", []),
        )
        return {"message": rev.message, "raw": rev.raw}
    raise CaseFailed(f"unknown smartgift operation {op!r}")


def money_text(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def smartgift_voucher_json(v: voucherkit.SmartGiftVoucher) -> Json:
    return {
        "id": v.id,
        "name": v.name,
        "description": v.description,
        "voucher_no": v.voucher_no,
        "remaining_value": money_text(v.remaining_value),
        "voucher_type": v.voucher_type,
        "sold_out": v.sold_out,
        "experiences": [
            {"bit_value": e.bit_value, "id": e.id, "name": e.name, "raw": e.raw}
            for e in v.experiences
        ],
        "available_to_redeem": v.available_to_redeem,
        "raw": v.raw,
    }


def spaaza_voucher_json(v: voucherkit.SpaazaVoucher) -> Json:
    regenerated = v.regenerated_voucher
    parent = v.parent_voucher
    card = v.user_entity_card
    return {
        "voucher_key": v.voucher_key,
        "voucher_id": v.voucher_id,
        "voucher_status": v.voucher_status,
        "voucher_type": v.voucher_type,
        "voucher_locked": v.voucher_locked,
        "voucher_locked_until": v.voucher_locked_until,
        "voucher_locking_code": v.voucher_locking_code,
        "voucher_retailer_basket_code_exclusive": v.voucher_retailer_basket_code_exclusive,
        "voucher_amount_original": money_text(v.voucher_amount_original),
        "voucher_amount_redeemed": money_text(v.voucher_amount_redeemed),
        "voucher_amount": money_text(v.voucher_amount),
        "voucher_currency_id": v.voucher_currency_id,
        "voucher_currency_symbol": v.voucher_currency_symbol,
        "voucher_expiry_datetime_utc": v.voucher_expiry_datetime_utc,
        "voucher_redeemed_datetime": v.voucher_redeemed_datetime,
        "user_id": v.user_id,
        "voucher_third_party_id": v.voucher_third_party_id,
        "campaign_id": v.campaign_id,
        "voucher_expiry_seconds_remaining": v.voucher_expiry_seconds_remaining,
        "user_entity_card": (
            None if card is None else {"card_type": card["card_type"], "code": card["code"]}
        ),
        "campaign_title": v.campaign_title,
        "campaign_type": v.campaign_type,
        "regenerated_voucher": None if regenerated is None else spaaza_voucher_json(regenerated),
        "parent_voucher": None if parent is None else spaaza_voucher_json(parent),
        "warnings": warnings_json(v.warnings),
        "raw": v.raw,
    }


def warnings_json(ws: list[voucherkit.SpaazaWarning]) -> Json:
    return [
        {"code": w.code, "name": w.name, "description": w.description, "message": w.message}
        for w in ws
    ]


CLAIM_KEYS = (
    "chain_id",
    "voucher_key",
    "voucher_id",
    "third_party_id",
    "user_id",
    "member_number",
    "username",
    "authentication_point_identifier",
    "auxiliary_identifier",
)


def spaaza(sp: voucherkit.Spaaza, op: str, i: Params) -> Json:
    if op == "redeem_voucher":
        v = sp.redeem_voucher(
            chain_id=i.get("chain_id", 0),
            voucher_key=i.get("voucher_key"),
            voucher_id=i.get("voucher_id"),
            user_id=i.get("user_id"),
            amount=i.money("amount"),
        )
    elif op == "unlock_voucher":
        v = sp.unlock_voucher(voucher_key=i.get("voucher_key"), voucher_id=i.get("voucher_id"))
    elif op in ("unclaim_voucher", "claim_voucher"):
        call = sp.unclaim_voucher if op == "unclaim_voucher" else sp.claim_voucher
        v = call(**{k: i.get(k) for k in CLAIM_KEYS})
    elif op == "lock_voucher":
        lock_kwargs: dict[str, Any] = {}
        if i.get("voucher_lock_period") is not None:
            lock_kwargs["voucher_lock_period"] = i.get("voucher_lock_period")
        v = sp.lock_voucher(
            retailer_basket_code=i.get("retailer_basket_code", ""),
            voucher_key=i.get("voucher_key"),
            voucher_id=i.get("voucher_id"),
            voucher_locking_code=i.get("voucher_locking_code"),
            **lock_kwargs,
        )
    elif op == "get_vouchers":
        got = sp.get_vouchers(
            chain_id=i.get("chain_id", 0),
            voucher_id=i.get("voucher_id"),
            user_id=i.get("user_id"),
            username=i.get("username"),
            member_number=i.get("member_number"),
            authentication_point_identifier=i.get("authentication_point_identifier"),
            campaign_id=i.get("campaign_id"),
            number_results=i.get("number_results"),
            results_offset=i.get("results_offset"),
            show_all_statuses=bool(i.get("show_all_statuses", False)),
            show_redeemed=bool(i.get("show_redeemed", False)),
            show_expired=bool(i.get("show_expired", False)),
            exclude_regenerated=bool(i.get("exclude_regenerated", False)),
        )
        return {
            "results_count_total": got.results_count_total,
            "vouchers": [spaaza_voucher_json(x) for x in got.vouchers],
            "warnings": warnings_json(got.warnings),
            "raw": got.raw,
        }
    else:
        raise CaseFailed(f"unknown spaaza operation {op!r}")
    return spaaza_voucher_json(v)


# --- comparisons -------------------------------------------------------------------------


def is_number(x: Json) -> bool:
    return isinstance(x, (int, float, Decimal)) and not isinstance(x, bool)


def same_number(a: Json, b: Json) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return False


def show(x: Json) -> str:
    return json.dumps(x, default=str, ensure_ascii=False)


def matches(want: Json, got: Json, at: str) -> None:
    """``want`` is a subset of ``got``: object keys left out are not checked (a missing
    key counts as null), arrays match element by element, numbers by value."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k, wv in want.items():
            matches(wv, got.get(k), f"{at}.{k}")
        return
    if isinstance(want, dict) and not want and got is None:
        return
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            raise CaseFailed(f"{at}: expected {len(want)} items, got {len(got)}: {show(got)}")
        for n, (wv, gv) in enumerate(zip(want, got)):
            matches(wv, gv, f"{at}[{n}]")
        return
    if is_number(want) and is_number(got) and same_number(want, got):
        return
    if type(want) is type(got) and want == got and not is_number(want):
        return
    if want is None and got is None:
        return
    raise CaseFailed(f"{at}: expected {show(want)}, got {show(got)}")


def exact(want: Json, got: Json, at: str) -> None:
    """Objects with the same key set, arrays element by element, numbers by value."""
    if isinstance(want, dict) and isinstance(got, dict):
        extra = [k for k in got if k not in want]
        if extra:
            raise CaseFailed(f"{at}: unexpected key {extra[0]!r} in {show(got)}")
        for k, wv in want.items():
            if k not in got:
                raise CaseFailed(f"{at}: missing key {k!r} in {show(got)}")
            exact(wv, got[k], f"{at}.{k}")
        return
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for n, (wv, gv) in enumerate(zip(want, got)):
            exact(wv, gv, f"{at}[{n}]")
        return
    matches(want, got, at)


def pairs(items: list[tuple[str, str]], at: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in items:
        if k in out:
            raise CaseFailed(f"{at}: field {k!r} sent twice")
        out[k] = v
    return out


def check_requests(want: Json, got: list[RecordedRequest]) -> None:
    if not isinstance(want, list):
        raise CaseFailed("expect_requests must be an array")
    if len(want) != len(got):
        seen = [f"{r.method} {r.path}" for r in got]
        raise CaseFailed(f"expected {len(want)} request(s) on the wire, got {len(got)}: {seen}")
    for n, (w, r) in enumerate(zip(want, got)):
        at = f"request[{n}]"
        if "method" in w and w["method"] != r.method:
            raise CaseFailed(f"{at}: method {r.method} instead of {w['method']}")
        path = r.path_only if "query" in w else r.path
        if "path" in w and w["path"] != path:
            raise CaseFailed(f"{at}: path {path} instead of {w['path']}")
        for name, value in (w.get("headers") or {}).items():
            sent = r.header(name)
            if sent != value:
                raise CaseFailed(f"{at}: header {name} is {sent!r}, expected {value!r}")
        for name in w.get("absent_headers") or []:
            sent = r.header(name)
            if sent is not None:
                raise CaseFailed(f"{at}: header {name} must be absent, was {sent!r}")
        if "json" in w:
            body = r.json()
            if body is None and r.body_text.strip() != "null":
                raise CaseFailed(f"{at}: body is not JSON: {r.body_text!r}")
            exact(w["json"], body, f"{at}.json")
        if "body_text" in w and r.body_text != w["body_text"]:
            raise CaseFailed(f"{at}: body {r.body_text!r}, expected {w['body_text']!r}")
        if "form" in w:
            exact(w["form"], pairs(r.form(), at), f"{at}.form")
        if "query" in w:
            exact(w["query"], pairs(r.query(), at), f"{at}.query")
            if r.body:
                raise CaseFailed(f"{at}: a GET must have no body, got {r.body_text!r}")


def check_error(want: Json, err: voucherkit.VoucherError) -> None:
    """Every key given is compared exactly (``field_errors`` with its order)."""
    got = err.to_dict()
    if type(err) is not voucherkit.error_class(err.kind):
        raise CaseFailed(f"error class {type(err).__name__} for kind {err.kind}")
    for key, value in want.items():
        if key not in got:
            raise CaseFailed(f"error has no attribute {key!r}")
        g = got[key]
        same = (
            list(g.items()) == [(k, list(v)) for k, v in value.items()]
            if key == "field_errors" and isinstance(g, dict) and isinstance(value, dict)
            else type(g) is type(value) and g == value
        )
        if not same:
            raise CaseFailed(f"error.{key}: expected {show(value)}, got {show(g)}")


def run_case(server: ScriptedServer, case: dict[str, Json]) -> None:
    server.reset()
    answers = case.get("answers")
    if not isinstance(answers, list):
        raise CaseFailed("answers must be an array")
    server.push_all(answers)
    result, error = execute(case, server.url)
    check_requests(case.get("expect_requests"), server.requests())
    expect = case.get("expect") or {}
    if set(expect) == {"result"}:
        if error is not None:
            raise CaseFailed(f"expected a result, got error {show(error.to_dict())}")
        matches(expect["result"], result, "result")
    elif set(expect) == {"error"}:
        if error is None:
            raise CaseFailed(f"expected an error, got result {show(result)}")
        check_error(expect["error"], error)
    else:
        raise CaseFailed("expect must hold exactly one of result / error")


# --- the self-check: a changed case must fail ----------------------------------------------


def mutate(case: dict[str, Json], n: int) -> tuple[str, dict[str, Json]] | None:
    """One changed copy of ``case`` that a correct runner must reject; which change rotates
    with ``n`` (the Rust runner's rotation, so both prove the same things)."""
    options: list[tuple[str, dict[str, Json]]] = []

    def push(what: str, change: Callable[[dict[str, Json]], None]) -> None:
        c = copy.deepcopy(case)
        change(c)
        options.append((what, c))

    expect = case["expect"]
    error = expect.get("error") or {}
    if isinstance(error.get("kind"), str):
        other = "network" if error["kind"] == "provider_error" else "provider_error"
        push("error kind", lambda c: c["expect"]["error"].__setitem__("kind", other))
    if isinstance(error.get("message"), str):
        push(
            "error message",
            lambda c: c["expect"]["error"].__setitem__("message", error["message"] + "!"),
        )
    if isinstance(error.get("field"), str):
        push("error field", lambda c: c["expect"]["error"].__setitem__("field", "nope"))
    result = expect.get("result")
    if isinstance(result, dict):
        for key, value in result.items():
            if isinstance(value, (dict, list)):
                continue
            changed: Json
            if isinstance(value, str):
                changed = value + "!"
            elif isinstance(value, bool):
                changed = not value
            elif is_number(value):
                changed = 987654321
            else:
                changed = "x"

            def change_result(c: dict[str, Json], k: str = key, v: Json = changed) -> None:
                c["expect"]["result"][k] = v

            push("result field", change_result)
            break
    reqs = case["expect_requests"]
    if reqs == []:
        push(
            "requests on the wire",
            lambda c: c.__setitem__("expect_requests", [{"method": "POST", "path": "/x"}]),
        )
    elif reqs:
        push("method", lambda c: c["expect_requests"][0].__setitem__("method", "PATCH"))
        for key in ("json", "form", "query"):
            body = reqs[0].get(key)
            if isinstance(body, dict) and body:
                field = next(iter(body))

                def change_body(c: dict[str, Json], k: str = key, f: str = field) -> None:
                    c["expect_requests"][0][k][f] = "changed!"

                push(f"{key} field {field}", change_body)
        if isinstance(reqs[0].get("body_text"), str):
            push(
                "body text",
                lambda c: c["expect_requests"][0].__setitem__(
                    "body_text", reqs[0]["body_text"] + " "
                ),
            )
    if not options:
        return None
    return options[n % len(options)]
