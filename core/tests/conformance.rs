//! The Rust runner of the cross-language conformance corpus (`tests/conformance/`).
//!
//! Each case is played through the core against the sandbox's scripted server: the
//! answers are queued, the operation runs, and both the requests that reached the wire
//! and the outcome are compared with the case. Every case is reported by name.
//! Arguments that do not start with `-` filter cases by name.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value, json};
use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, MetaCondition, RedeemRequest, ReleaseRequest, ReverseRequest,
    SiteId, SmartGift, SmartGiftConfig,
};
use voucherkit_core::spaaza::{
    ClaimRequest, GetVouchersRequest, LockVoucherRequest, RedeemVoucherRequest, Spaaza, SpaazaAuth,
    SpaazaConfig, UnlockVoucherRequest,
};
use voucherkit_core::{ClientOptions, Decimal, Error, Secret};
use voucherkit_sandbox::{Answer, RecordedRequest, ScriptedServer};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance")
}

fn case_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for provider in ["smartgift", "spaaza"] {
        let dir = corpus_dir().join("cases").join(provider);
        for entry in std::fs::read_dir(&dir).expect("corpus directory") {
            let path = entry.expect("dir entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// How many cases the corpus holds, counted the way check_corpus.py counts them: every
/// file in every directory under `cases/` (whatever its name or provider), so a case the
/// runner does not pick up (a new provider directory, a misnamed file) is a failure.
fn corpus_case_count() -> usize {
    let mut count = 0;
    for dir in std::fs::read_dir(corpus_dir().join("cases")).expect("cases directory") {
        let dir = dir.expect("dir entry").path();
        if dir.is_dir() {
            for entry in std::fs::read_dir(&dir).expect("provider directory") {
                if entry.expect("dir entry").path().is_file() {
                    count += 1;
                }
            }
        }
    }
    count
}

fn main() {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let server = ScriptedServer::start_with_base_dir(corpus_dir()).expect("scripted server");
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut names = std::collections::HashSet::new();
    for file in case_files() {
        let text = std::fs::read_to_string(&file).expect("case file");
        let case: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", file.display()));
        let name = case["name"].as_str().unwrap_or("?").to_owned();
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let outcome = if names.insert(name.clone()) {
            run_case(&server, &case)
        } else {
            Err("duplicate case name".to_owned())
        };
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("conformance {name} ... ok");
            }
            Err(why) => {
                failed += 1;
                println!(
                    "conformance {name} ... FAILED\n    {}",
                    why.replace('\n', "\n    ")
                );
            }
        }
    }
    let played = passed + failed;
    // The corpus must be able to fail: every case, changed in one expectation (kind,
    // message, a result field, a wire field), must be caught by this runner.
    let mut uncaught = Vec::new();
    let mut mutated = 0usize;
    for (n, file) in case_files().iter().enumerate() {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let name = case["name"].as_str().unwrap_or("?").to_owned();
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        if let Some((what, changed)) = mutate(&case, n)
            && run_case(&server, &changed).is_ok()
        {
            uncaught.push(format!("{name}: {what}"));
        }
        mutated += 1;
    }
    server.stop();
    if uncaught.is_empty() {
        println!("conformance self-check: {mutated} mutated cases, every one caught");
    } else {
        failed += uncaught.len();
        println!("conformance self-check FAILED: changed cases still passed:");
        for u in &uncaught {
            println!("    {u}");
        }
    }
    // Every case must have run (and been mutated) once: the expected count comes from
    // the corpus itself, never from a number written here.
    let expected = corpus_case_count();
    if filters.is_empty() && (played != expected || mutated != expected) {
        failed += 1;
        println!(
            "conformance FAILED: the corpus holds {expected} cases; {played} were played, {mutated} mutated"
        );
    }
    println!("conformance: {passed} passed, {failed} failed");
    if failed > 0 || passed == 0 {
        std::process::exit(1);
    }
}

/// One changed copy of `case` that a correct runner must reject; the change rotates with
/// `n` over what the case expects.
fn mutate(case: &Value, n: usize) -> Option<(String, Value)> {
    let mut options: Vec<(String, Value)> = Vec::new();
    let mut push = |what: &str, f: &dyn Fn(&mut Value)| {
        let mut c = case.clone();
        f(&mut c);
        options.push((what.to_owned(), c));
    };
    let expect = &case["expect"];
    if let Some(kind) = expect["error"]["kind"].as_str() {
        let other = if kind == "provider_error" {
            "network"
        } else {
            "provider_error"
        };
        push("error kind", &|c| {
            c["expect"]["error"]["kind"] = other.into()
        });
    }
    if expect["error"]["message"].is_string() {
        push("error message", &|c| {
            let m = c["expect"]["error"]["message"].as_str().unwrap().to_owned();
            c["expect"]["error"]["message"] = format!("{m}!").into();
        });
    }
    if expect["error"]["field"].is_string() {
        push("error field", &|c| {
            c["expect"]["error"]["field"] = "nope".into()
        });
    }
    if let Some(result) = expect["result"].as_object()
        && let Some((key, value)) = result.iter().find(|(_, v)| !v.is_object() && !v.is_array())
    {
        let changed = match value {
            Value::String(s) => Value::from(format!("{s}!")),
            Value::Bool(b) => Value::from(!b),
            Value::Number(_) => Value::from(987_654_321),
            _ => Value::from("x"),
        };
        let key = key.clone();
        push("result field", &|c| {
            c["expect"]["result"][&key] = changed.clone()
        });
    }
    match case["expect_requests"].as_array() {
        Some(reqs) if reqs.is_empty() => {
            push("requests on the wire", &|c| {
                c["expect_requests"] = json!([{"method": "POST", "path": "/x"}]);
            });
        }
        Some(reqs) => {
            push("method", &|c| {
                c["expect_requests"][0]["method"] = "PATCH".into()
            });
            for key in ["json", "form", "query"] {
                if let Some((field, _)) = reqs[0][key].as_object().and_then(|m| m.iter().next()) {
                    let field = field.clone();
                    push(&format!("{key} field {field}"), &|c| {
                        c["expect_requests"][0][key][&field] = "changed!".into();
                    });
                }
            }
            if reqs[0]["body_text"].is_string() {
                push("body text", &|c| {
                    let t = c["expect_requests"][0]["body_text"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                    c["expect_requests"][0]["body_text"] = format!("{t} ").into();
                });
            }
        }
        None => {}
    }
    if options.is_empty() {
        return None;
    }
    let i = n % options.len();
    Some(options.swap_remove(i))
}

fn run_case(server: &ScriptedServer, case: &Value) -> Result<(), String> {
    server.reset();
    for answer in case["answers"]
        .as_array()
        .ok_or("answers must be an array")?
    {
        server.push(Answer::from_json(answer, &corpus_dir())?);
    }
    let outcome = execute(case, &server.url())?;
    let requests = server.requests();
    check_requests(&case["expect_requests"], &requests)?;
    let expect = &case["expect"];
    match (&outcome, expect.get("result"), expect.get("error")) {
        (Ok(result), Some(want), None) => matches(want, result, "result"),
        (Err(err), None, Some(want)) => matches(want, &err.to_json(), "error"),
        (Ok(result), None, Some(_)) => Err(format!("expected an error, got result {result}")),
        (Err(err), Some(_), None) => Err(format!("expected a result, got error {}", err.to_json())),
        _ => Err("expect must hold exactly one of result / error".to_owned()),
    }
}

/// Reads a case's input object, refusing keys the runner does not know (typos would
/// otherwise silently test nothing).
struct Input<'a> {
    map: &'a Map<String, Value>,
    used: std::cell::RefCell<Vec<&'static str>>,
}

impl<'a> Input<'a> {
    fn new(v: &'a Value) -> Result<Input<'a>, String> {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        let map = match v {
            Value::Null => &*EMPTY,
            Value::Object(m) => m,
            _ => return Err("input/config must be an object".into()),
        };
        Ok(Input {
            map,
            used: Default::default(),
        })
    }

    fn get(&self, key: &'static str) -> Option<&'a Value> {
        self.used.borrow_mut().push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn str(&self, key: &'static str) -> Result<Option<String>, String> {
        self.get(key)
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or(format!("{key} must be a string"))
            })
            .transpose()
    }

    fn string(&self, key: &'static str) -> Result<String, String> {
        Ok(self.str(key)?.unwrap_or_default())
    }

    fn int(&self, key: &'static str) -> Result<Option<i64>, String> {
        self.get(key)
            .map(|v| v.as_i64().ok_or(format!("{key} must be an integer")))
            .transpose()
    }

    fn bool(&self, key: &'static str) -> Result<bool, String> {
        Ok(self.get(key).and_then(Value::as_bool).unwrap_or(false))
    }

    fn ints(&self, key: &'static str) -> Result<Option<Vec<i64>>, String> {
        self.get(key)
            .map(|v| {
                v.as_array()
                    .ok_or(format!("{key} must be an array"))?
                    .iter()
                    .map(|x| x.as_i64().ok_or(format!("{key} must hold integers")))
                    .collect()
            })
            .transpose()
    }

    fn strings(&self, key: &'static str) -> Result<Vec<String>, String> {
        Ok(self
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    fn site_id(&self) -> Result<SiteId, String> {
        match self.get("site_id") {
            Some(Value::String(s)) => Ok(SiteId::Text(s.clone())),
            Some(v) => v
                .as_i64()
                .map(SiteId::Number)
                .ok_or("site_id must be a string or integer".into()),
            None => Ok(SiteId::Text(String::new())),
        }
    }

    fn done(&self, what: &str) -> Result<(), String> {
        let used = self.used.borrow();
        match self.map.keys().find(|k| !used.contains(&k.as_str())) {
            Some(k) => Err(format!("unknown {what} key {k:?}")),
            None => Ok(()),
        }
    }
}

/// The client options of a case; `url` is the scripted server's, which `proxy: "scripted"`
/// makes the client's CONNECT proxy.
fn options(cfg: &Input, url: &str) -> Result<ClientOptions, String> {
    let ms = |key, default| -> Result<Duration, String> {
        Ok(Duration::from_millis(
            cfg.int(key)?.unwrap_or(default) as u64
        ))
    };
    Ok(ClientOptions {
        timeout: ms("timeout_ms", 5000)?,
        connect_timeout: ms("connect_timeout_ms", 2000)?,
        max_retries: cfg.int("max_retries")?.unwrap_or(2) as u32,
        allow_insecure_http: cfg.bool("allow_insecure_http")?,
        proxy: match cfg.str("proxy")?.as_deref() {
            None => None,
            Some("scripted") => Some(url.to_owned()),
            Some(other) => return Err(format!("unknown proxy {other:?} (only \"scripted\")")),
        },
        ..ClientOptions::default()
    })
}

fn execute(case: &Value, url: &str) -> Result<Result<Value, Error>, String> {
    let cfg = Input::new(&case["config"])?;
    let input = Input::new(&case["input"])?;
    let base_url = Some(cfg.str("base_url")?.unwrap_or_else(|| url.to_owned()));
    let op = case["operation"].as_str().unwrap_or("");
    let outcome = match case["provider"].as_str() {
        Some("smartgift") => {
            let config = SmartGiftConfig {
                journal: None,
                api_key: Secret::new(
                    cfg.str("api_key")?
                        .unwrap_or_else(|| "sk_test_conformance_0001".into()),
                ),
                base_url,
                options: options(&cfg, url)?,
            };
            cfg.done("config")?;
            smartgift(config, op, &input)?
        }
        Some("spaaza") => {
            let auth = cfg.str("auth")?.unwrap_or_else(|| "admin".into());
            let config = SpaazaConfig {
                journal: None,
                auth: SpaazaAuth::from_name(&auth).ok_or(format!("unknown auth {auth}"))?,
                session_user_id: Some(cfg.int("session_user_id")?.unwrap_or(1)),
                session_key: Some(Secret::new(
                    cfg.str("session_key")?
                        .unwrap_or_else(|| "sess_conformance_0001".into()),
                )),
                app_hostname: cfg.str("app_hostname")?,
                bearer_token: cfg.str("bearer_token")?.map(Secret::new),
                api_version: cfg.str("api_version")?.unwrap_or_else(|| "1.6.3".into()),
                base_url,
                options: options(&cfg, url)?,
            };
            cfg.done("config")?;
            spaaza(config, op, &input)?
        }
        other => return Err(format!("unknown provider {other:?}")),
    };
    input.done("input")?;
    Ok(outcome)
}

fn to_value<T: serde::Serialize>(r: Result<T, Error>) -> Result<Value, Error> {
    r.map(|v| serde_json::to_value(v).expect("results serialize"))
}

fn smartgift(config: SmartGiftConfig, op: &str, i: &Input) -> Result<Result<Value, Error>, String> {
    let client = match SmartGift::new(config) {
        Ok(c) => c,
        Err(e) => {
            // Mark every input key used: the constructor refused before reading them.
            i.map.keys().for_each(|_| ());
            i.used.borrow_mut().extend(KNOWN_INPUT_KEYS);
            return Ok(Err(e));
        }
    };
    Ok(match op {
        "check" => {
            let meta = i
                .get("meta_conditions")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|m| MetaCondition {
                            key: m["key"].as_str().unwrap_or_default().to_owned(),
                            operator: m["operator"].as_str().unwrap_or_default().to_owned(),
                            value: m["value"]
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|x| x.as_str().map(str::to_owned))
                                        .collect()
                                })
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            to_value(client.check(&CheckRequest {
                voucher_no: i.string("voucher_no")?,
                site_id: i.site_id()?,
                classifications: i.strings("classifications")?,
                meta_conditions: meta,
            }))
        }
        "hold" => to_value(client.hold(&HoldRequest {
            voucher_no: i.string("voucher_no")?,
        })),
        "redeem" => to_value(client.redeem(&RedeemRequest {
            reference: None,
            voucher_no: i.string("voucher_no")?,
            site_id: i.site_id()?,
            value: i.str("value")?.map(Into::into),
            experiences: i.ints("experiences")?,
            hold_token: i.str("hold_token")?,
        })),
        "release" => to_value(client.release(&ReleaseRequest {
            voucher_no: i.string("voucher_no")?,
            hold_token: i.string("hold_token")?,
        })),
        "reverse" => to_value(client.reverse(&ReverseRequest {
            reference: None,
            voucher_no: i.string("voucher_no")?,
            site_id: i.site_id()?,
            redemptions: i.ints("redemptions")?.unwrap_or_default(),
        })),
        other => return Err(format!("unknown smartgift operation {other:?}")),
    })
}

const KNOWN_INPUT_KEYS: &[&str] = &[
    "voucher_no",
    "site_id",
    "classifications",
    "meta_conditions",
    "value",
    "experiences",
    "hold_token",
    "redemptions",
    "chain_id",
    "voucher_key",
    "voucher_id",
    "third_party_id",
    "user_id",
    "amount",
    "member_number",
    "username",
    "authentication_point_identifier",
    "auxiliary_identifier",
    "retailer_basket_code",
    "voucher_lock_period",
    "voucher_locking_code",
    "campaign_id",
    "show_all_statuses",
    "show_redeemed",
    "show_expired",
    "exclude_regenerated",
    "number_results",
    "results_offset",
];

fn claim(i: &Input) -> Result<ClaimRequest, String> {
    Ok(ClaimRequest {
        chain_id: i.int("chain_id")?,
        voucher_key: i.str("voucher_key")?,
        voucher_id: i.int("voucher_id")?,
        third_party_id: i.int("third_party_id")?,
        user_id: i.int("user_id")?,
        member_number: i.str("member_number")?,
        username: i.str("username")?,
        authentication_point_identifier: i.str("authentication_point_identifier")?,
        auxiliary_identifier: i.str("auxiliary_identifier")?,
    })
}

fn spaaza(config: SpaazaConfig, op: &str, i: &Input) -> Result<Result<Value, Error>, String> {
    let client = match Spaaza::new(config) {
        Ok(c) => c,
        Err(e) => {
            i.used.borrow_mut().extend(KNOWN_INPUT_KEYS);
            return Ok(Err(e));
        }
    };
    Ok(match op {
        "redeem_voucher" => to_value(client.redeem_voucher(&RedeemVoucherRequest {
            reference: None,
            chain_id: i.int("chain_id")?.unwrap_or(0),
            voucher_key: i.str("voucher_key")?,
            voucher_id: i.int("voucher_id")?,
            user_id: i.int("user_id")?,
            amount: i.str("amount")?.map(Into::into),
        })),
        "unlock_voucher" => to_value(client.unlock_voucher(&UnlockVoucherRequest {
            voucher_key: i.str("voucher_key")?,
            voucher_id: i.int("voucher_id")?,
        })),
        "unclaim_voucher" => to_value(client.unclaim_voucher(&claim(i)?)),
        "claim_voucher" => to_value(client.claim_voucher(&claim(i)?)),
        "lock_voucher" => to_value(client.lock_voucher(&LockVoucherRequest {
            voucher_key: i.str("voucher_key")?,
            voucher_id: i.int("voucher_id")?,
            retailer_basket_code: i.string("retailer_basket_code")?,
            voucher_lock_period: i.int("voucher_lock_period")?,
            voucher_locking_code: i.str("voucher_locking_code")?,
        })),
        "get_vouchers" => to_value(client.get_vouchers(&GetVouchersRequest {
            chain_id: i.int("chain_id")?.unwrap_or(0),
            voucher_id: i.int("voucher_id")?,
            user_id: i.int("user_id")?,
            username: i.str("username")?,
            member_number: i.str("member_number")?,
            authentication_point_identifier: i.str("authentication_point_identifier")?,
            campaign_id: i.int("campaign_id")?,
            show_all_statuses: i.bool("show_all_statuses")?,
            show_redeemed: i.bool("show_redeemed")?,
            show_expired: i.bool("show_expired")?,
            exclude_regenerated: i.bool("exclude_regenerated")?,
            number_results: i.int("number_results")?,
            results_offset: i.int("results_offset")?,
            ..Default::default()
        })),
        other => return Err(format!("unknown spaaza operation {other:?}")),
    })
}

/// Deep comparison where `want` may leave object keys out (a missing actual key counts as
/// null), arrays must match element by element, and numbers compare by value.
fn matches(want: &Value, got: &Value, at: &str) -> Result<(), String> {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                matches(wv, g.get(k).unwrap_or(&Value::Null), &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Object(w), Value::Null) if w.is_empty() => Ok(()),
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                return Err(format!(
                    "{at}: expected {} items, got {}: {got}",
                    w.len(),
                    g.len()
                ));
            }
            for (n, (wv, gv)) in w.iter().zip(g).enumerate() {
                matches(wv, gv, &format!("{at}[{n}]"))?;
            }
            Ok(())
        }
        (Value::Number(w), Value::Number(g)) if same_number(w, g) => Ok(()),
        _ if want == got => Ok(()),
        _ => Err(format!("{at}: expected {want}, got {got}")),
    }
}

fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    let parse = |n: &serde_json::Number| {
        let t = n.as_str();
        if t.contains(['e', 'E']) {
            Decimal::from_scientific(t).ok()
        } else {
            t.parse::<Decimal>().ok()
        }
    };
    matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}

/// Every key of `want` and `got` must match (objects compared with exact key sets).
fn exact(want: &Value, got: &Value, at: &str) -> Result<(), String> {
    if let (Value::Object(w), Value::Object(g)) = (want, got) {
        if let Some(extra) = g.keys().find(|k| !w.contains_key(*k)) {
            return Err(format!("{at}: unexpected key {extra:?} in {got}"));
        }
        for (k, wv) in w {
            let gv = g
                .get(k)
                .ok_or(format!("{at}: missing key {k:?} in {got}"))?;
            exact(wv, gv, &format!("{at}.{k}"))?;
        }
        return Ok(());
    }
    if let (Value::Array(w), Value::Array(g)) = (want, got)
        && w.len() == g.len()
    {
        for (n, (wv, gv)) in w.iter().zip(g).enumerate() {
            exact(wv, gv, &format!("{at}[{n}]"))?;
        }
        return Ok(());
    }
    matches(want, got, at)
}

fn pairs_to_map(pairs: Vec<(String, String)>, at: &str) -> Result<Value, String> {
    let mut map = Map::new();
    for (k, v) in pairs {
        if map.insert(k.clone(), Value::String(v)).is_some() {
            return Err(format!("{at}: field {k:?} sent twice"));
        }
    }
    Ok(Value::Object(map))
}

fn check_requests(want: &Value, got: &[RecordedRequest]) -> Result<(), String> {
    let want = want.as_array().ok_or("expect_requests must be an array")?;
    if want.len() != got.len() {
        let seen: Vec<String> = got
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        return Err(format!(
            "expected {} request(s) on the wire, got {}: {seen:?}",
            want.len(),
            got.len()
        ));
    }
    for (n, (w, r)) in want.iter().zip(got).enumerate() {
        let at = format!("request[{n}]");
        if let Some(m) = w["method"].as_str()
            && m != r.method
        {
            return Err(format!("{at}: method {} instead of {m}", r.method));
        }
        let path = if w.get("query").is_some() {
            r.path_only()
        } else {
            r.path.as_str()
        };
        if let Some(p) = w["path"].as_str()
            && p != path
        {
            return Err(format!("{at}: path {path} instead of {p}"));
        }
        if let Some(headers) = w.get("headers").and_then(Value::as_object) {
            for (name, value) in headers {
                let sent = r.header(name);
                if sent != value.as_str() {
                    return Err(format!("{at}: header {name} is {sent:?}, expected {value}"));
                }
            }
        }
        for name in w["absent_headers"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if let Some(v) = r.header(name) {
                return Err(format!("{at}: header {name} must be absent, was {v:?}"));
            }
        }
        if let Some(body) = w.get("json") {
            let sent = r.body_json().ok_or(format!(
                "{at}: body is not JSON: {:?}",
                String::from_utf8_lossy(&r.body)
            ))?;
            exact(body, &sent, &format!("{at}.json"))?;
        }
        if let Some(text) = w.get("body_text").and_then(Value::as_str) {
            let sent = String::from_utf8_lossy(&r.body);
            if sent != text {
                return Err(format!("{at}: body {sent:?}, expected {text:?}"));
            }
        }
        if let Some(form) = w.get("form") {
            exact(form, &pairs_to_map(r.form(), &at)?, &format!("{at}.form"))?;
        }
        if let Some(query) = w.get("query") {
            exact(
                query,
                &pairs_to_map(r.query(), &at)?,
                &format!("{at}.query"),
            )?;
        }
    }
    Ok(())
}
