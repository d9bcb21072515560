//! The journal scenarios of `tests/conformance/journal/`, played through the Rust core
//! against the stateful sandbox (format: tests/conformance/README.md, "Journal
//! scenarios"). Every language's runner plays the same files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value, json};
use voucherkit_core::journal::{EntryFilter, EntryState, Journal};
use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, RedeemRequest, ReleaseRequest, ReverseRequest, SiteId, SmartGift,
    SmartGiftConfig,
};
use voucherkit_core::spaaza::{GetVouchersRequest, RedeemVoucherRequest, Spaaza, SpaazaConfig};
use voucherkit_core::{ClientOptions, Error, Provider};
use voucherkit_sandbox::{Sandbox, http::RecordedRequest};

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/journal")
}

struct Run {
    sandbox: Sandbox,
    journal: Journal,
    sg: SmartGift,
    sp: Spaaza,
    vars: HashMap<String, Value>,
    /// Provider requests already compared by a `requests` step.
    seen: usize,
}

impl Run {
    fn new(config: &Value) -> Run {
        let sandbox = Sandbox::start().unwrap();
        let journal = Journal::in_memory().unwrap();
        let options = ClientOptions {
            timeout: Duration::from_millis(config["timeout_ms"].as_u64().unwrap_or(2000)),
            max_retries: config["max_retries"].as_u64().unwrap_or(0) as u32,
            ..ClientOptions::default()
        };
        let sg = SmartGift::new(SmartGiftConfig {
            base_url: Some(sandbox.smartgift_url()),
            options: options.clone(),
            journal: Some(journal.clone()),
            ..SmartGiftConfig::new(sandbox.smartgift_key())
        })
        .unwrap();
        let sp = Spaaza::new(SpaazaConfig {
            base_url: Some(sandbox.spaaza_url()),
            options,
            journal: Some(journal.clone()),
            ..SpaazaConfig::admin(
                sandbox.spaaza_session_user_id(),
                sandbox.spaaza_session_key(),
            )
        })
        .unwrap();
        Run {
            sandbox,
            journal,
            sg,
            sp,
            vars: HashMap::new(),
            seen: 0,
        }
    }

    /// `"$name"` strings become the value saved under `name`, anywhere in `v`.
    fn resolve(&self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) if s.starts_with('$') => self
                .vars
                .get(&s[1..])
                .cloned()
                .ok_or(format!("{s} was never saved"))?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.resolve(i))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.resolve(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    fn step(&mut self, step: &Value) -> Result<(), String> {
        let obj = step.as_object().ok_or("a step must be an object")?;
        if let Some(rule) = obj.get("fault") {
            return control(&self.sandbox, "POST", "/__sandbox/faults", Some(rule));
        }
        if obj.contains_key("clear_faults") {
            return control(&self.sandbox, "DELETE", "/__sandbox/faults", None);
        }
        if let Some(secs) = obj.get("advance_clock") {
            return control(
                &self.sandbox,
                "POST",
                "/__sandbox/clock",
                Some(&json!({"advance_seconds": secs})),
            );
        }
        if let Some(call) = obj.get("call").and_then(Value::as_str) {
            let input = self.resolve(&obj["input"])?;
            let outcome = self.call(call, &input)?;
            let actual = match &outcome {
                Ok(result) => json!({"result": result}),
                Err(e) => json!({"error": e.to_json()}),
            };
            let expected = self.resolve(&obj["expect"])?;
            matches(&expected, &actual, "expect")?;
            if let Some(save) = obj.get("save").and_then(Value::as_object) {
                let from = match &outcome {
                    Ok(result) => result.clone(),
                    Err(e) => e.to_json(),
                };
                for (name, field) in save {
                    let field = field.as_str().ok_or("save maps names to field names")?;
                    self.vars.insert(name.clone(), from[field].clone());
                }
            }
            return Ok(());
        }
        if let Some(provider) = obj.get("reconcile").and_then(Value::as_str) {
            let entries = match provider {
                "smartgift" => self.sg.reconcile(),
                "spaaza" => self.sp.reconcile(),
                other => return Err(format!("unknown provider {other}")),
            }
            .map_err(|e| format!("reconcile failed: {e}"))?;
            let actual = serde_json::to_value(entries).unwrap();
            return matches(&self.resolve(&obj["expect"])?, &actual, "reconcile");
        }
        if let Some(filter) = obj.get("entries") {
            let entries = self
                .journal
                .entries(&filter_from(filter)?)
                .map_err(|e| format!("entries failed: {e}"))?;
            let actual = serde_json::to_value(entries).unwrap();
            return matches(&self.resolve(&obj["expect"])?, &actual, "entries");
        }
        if let Some(expected) = obj.get("requests") {
            let all = self.sandbox.requests();
            let new: Vec<Value> = all[self.seen..]
                .iter()
                .map(|r: &RecordedRequest| json!(format!("{} {}", r.method, r.path_only())))
                .collect();
            self.seen = all.len();
            return matches(expected, &Value::Array(new), "requests");
        }
        Err(format!("unknown step {step}"))
    }

    fn call(&self, call: &str, i: &Value) -> Result<Result<Value, Error>, String> {
        let s = |k: &str| i.get(k).and_then(Value::as_str).map(str::to_owned);
        let n = |k: &str| i.get(k).and_then(Value::as_i64);
        let site = || -> Result<SiteId, String> {
            match &i["site_id"] {
                Value::Number(x) => Ok(SiteId::Number(x.as_i64().ok_or("site_id")?)),
                Value::String(x) => Ok(SiteId::Text(x.clone())),
                _ => Err("site_id".into()),
            }
        };
        let voucher_no = s("voucher_no").unwrap_or_default();
        fn value<T: serde::Serialize>(r: Result<T, Error>) -> Result<Value, Error> {
            r.map(|v| serde_json::to_value(v).unwrap())
        }
        Ok(match call {
            "smartgift.check" => value(self.sg.check(&CheckRequest::new(voucher_no, site()?))),
            "smartgift.hold" => value(self.sg.hold(&HoldRequest { voucher_no })),
            "smartgift.release" => value(self.sg.release(&ReleaseRequest {
                voucher_no,
                hold_token: s("hold_token").unwrap_or_default(),
            })),
            "smartgift.redeem" => value(
                self.sg.redeem(&RedeemRequest {
                    voucher_no,
                    site_id: site()?,
                    value: s("value").map(Into::into),
                    experiences: i
                        .get("experiences")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_i64).collect()),
                    hold_token: s("hold_token"),
                    reference: s("reference"),
                }),
            ),
            "smartgift.reverse" => value(
                self.sg.reverse(&ReverseRequest {
                    voucher_no,
                    site_id: site()?,
                    redemptions: i["redemptions"]
                        .as_array()
                        .ok_or("redemptions")?
                        .iter()
                        .filter_map(Value::as_i64)
                        .collect(),
                    reference: s("reference"),
                }),
            ),
            "spaaza.redeem_voucher" => value(self.sp.redeem_voucher(&RedeemVoucherRequest {
                chain_id: n("chain_id").unwrap_or(0),
                voucher_key: s("voucher_key"),
                voucher_id: n("voucher_id"),
                user_id: n("user_id"),
                amount: s("amount").map(Into::into),
                reference: s("reference"),
            })),
            "spaaza.get_vouchers" => value(self.sp.get_vouchers(&GetVouchersRequest {
                chain_id: n("chain_id").unwrap_or(0),
                voucher_id: n("voucher_id"),
                show_all_statuses: true,
                ..Default::default()
            })),
            other => return Err(format!("unknown call {other}")),
        })
    }
}

fn play(scenario: &Value) -> Result<(), String> {
    let mut run = Run::new(&scenario["config"]);
    let steps = scenario["steps"].as_array().ok_or("no steps")?;
    steps
        .iter()
        .enumerate()
        .try_for_each(|(i, step)| run.step(step).map_err(|e| format!("step {i}: {e}")))
}

/// Changes the last expectation that names a state or an error kind (else the last
/// expected request path) into a wrong one; false when the scenario has none.
fn mutate(v: &mut Value) -> bool {
    match v {
        Value::Array(items) => items.iter_mut().rev().any(mutate),
        Value::Object(map) => {
            for key in ["state", "kind"] {
                if let Some(Value::String(s)) = map.get_mut(key) {
                    *s = if s == "applied" {
                        "not_applied"
                    } else {
                        "applied"
                    }
                    .to_owned();
                    return true;
                }
            }
            if let Some(Value::Array(paths)) = map.get_mut("requests")
                && let Some(Value::String(last)) = paths.last_mut()
            {
                last.push_str("-changed");
                return true;
            }
            let mut keys: Vec<String> = map.keys().cloned().collect();
            keys.reverse();
            keys.into_iter()
                .any(|k| k != "fault" && k != "input" && mutate(map.get_mut(&k).unwrap()))
        }
        _ => false,
    }
}

fn filter_from(v: &Value) -> Result<EntryFilter, String> {
    let obj = v.as_object().ok_or("entries takes a filter object")?;
    let mut f = EntryFilter::default();
    for (k, v) in obj {
        match k.as_str() {
            "state" => {
                f.state =
                    Some(EntryState::from_name(v.as_str().unwrap_or("")).ok_or("unknown state")?)
            }
            "reference" => f.reference = v.as_str().map(str::to_owned),
            "provider" => {
                f.provider = Some(match v.as_str() {
                    Some("spaaza") => Provider::Spaaza,
                    _ => Provider::SmartGift,
                })
            }
            "limit" => f.limit = v.as_u64().map(|n| n as usize),
            other => return Err(format!("unknown filter key {other}")),
        }
    }
    Ok(f)
}

/// Deep subset match: objects by the keys given (`null` = absent or null), arrays of the
/// same length element by element, `"<any>"` = present and not null, other values equal
/// (numbers by value).
fn matches(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::String(s), a) if s == "<any>" => {
            if a.is_null() {
                Err(format!("{at}: expected a value, got null"))
            } else {
                Ok(())
            }
        }
        (Value::Null, a) => {
            if a.is_null() {
                Ok(())
            } else {
                Err(format!("{at}: expected null, got {a}"))
            }
        }
        (Value::Object(e), a) => {
            let empty = Map::new();
            let a_obj = a.as_object().unwrap_or(&empty);
            if !a.is_object() {
                return Err(format!("{at}: expected an object, got {a}"));
            }
            for (k, v) in e {
                matches(
                    v,
                    a_obj.get(k).unwrap_or(&Value::Null),
                    &format!("{at}.{k}"),
                )?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{at}: expected {} item(s), got {}: {}",
                    e.len(),
                    a.len(),
                    Value::Array(a.clone())
                ));
            }
            e.iter()
                .zip(a)
                .enumerate()
                .try_for_each(|(i, (e, a))| matches(e, a, &format!("{at}[{i}]")))
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{at}: expected {e}, got {a}")),
    }
}

fn control(sb: &Sandbox, method: &str, path: &str, body: Option<&Value>) -> Result<(), String> {
    use std::io::{Read, Write};
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut conn =
        std::net::TcpStream::connect(("127.0.0.1", sb.port())).map_err(|e| e.to_string())?;
    write!(
        conn,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    conn.read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    if answer.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!("{method} {path}: {answer}"))
    }
}

#[test]
fn every_journal_scenario_plays_the_same_in_rust() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenario_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios found");
    let mut failed = Vec::new();
    for file in &files {
        let scenario: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let name = scenario["name"].as_str().unwrap_or("?").to_owned();
        match play(&scenario) {
            Ok(()) => println!("journal scenario {name} ... ok"),
            Err(e) => {
                println!("journal scenario {name} ... FAILED\n    {e}");
                failed.push(name.clone());
            }
        }
        // Self-check: the same scenario with one expected value changed must fail, or
        // the runner is not comparing what it claims to.
        let mut changed = scenario.clone();
        assert!(mutate(&mut changed["steps"]), "{name}: nothing to mutate");
        if play(&changed).is_ok() {
            println!("journal scenario {name} ... FAILED\n    a changed copy passed too");
            failed.push(format!("{name} (self-check)"));
        }
    }
    println!(
        "journal scenarios: {} passed, {} failed",
        files.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failed: {failed:?}");
}
