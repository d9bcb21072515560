//! Read-only views of the emulator for `/__sandbox/state`, `/__sandbox/exchanges`,
//! `/__sandbox/faults` (GET) and `/__sandbox/journal`: what the dashboard (and any
//! test) shows, computed against the emulated clock. None of them is a data set:
//! `GET /__sandbox/data` stays the loadable form.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::clock::{self, Clock};
use super::faults::FaultRule;
use super::{DataSet, GiftVoucherType, number};
use crate::http::{Answer, Fault, RecordedRequest};

/// Lists a journal's entries for `GET /__sandbox/journal`: each entry a JSON object
/// with at least `id` and `state`, newest first. The sandbox does not read journals
/// itself (it does not depend on the core); whoever starts it plugs one in with
/// [`crate::Sandbox::show_journal`].
pub type JournalLister = dyn Fn() -> Result<Vec<Value>, String> + Send + Sync;

/// A journal shown by the sandbox: where it lives and how to list it.
#[derive(Clone)]
pub(crate) struct JournalSource {
    pub(crate) path: String,
    pub(crate) list: Arc<JournalLister>,
}

impl std::fmt::Debug for JournalSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JournalSource")
            .field("path", &self.path)
            .finish()
    }
}

/// The journal states in the order a person reads them: what needs attention first.
const JOURNAL_STATES: [&str; 4] = ["pending", "unknown", "applied", "not_applied"];

/// `{"path", "counts": {state: n}, "states": {state: [entries]}}`; `path` null and
/// empty states when no journal was given.
pub(crate) fn journal_json(source: Option<&JournalSource>) -> Result<Value, String> {
    let mut states = Map::new();
    for state in JOURNAL_STATES {
        states.insert(state.into(), Value::Array(Vec::new()));
    }
    let Some(source) = source else {
        return Ok(json!({ "path": null, "counts": counts(&states), "states": states }));
    };
    for entry in (source.list)()? {
        let state = entry
            .get("state")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned();
        if let Value::Array(list) = states.entry(state).or_insert_with(|| json!([])) {
            list.push(entry);
        }
    }
    Ok(json!({ "path": source.path, "counts": counts(&states), "states": states }))
}

fn counts(states: &Map<String, Value>) -> Value {
    states
        .iter()
        .map(|(k, v)| (k.clone(), json!(v.as_array().map_or(0, Vec::len))))
        .collect::<Map<_, _>>()
        .into()
}

/// Seconds from `now` until `at` (a data set date), at least 0; `None` if unreadable.
fn seconds_left(at: &str, now: i64) -> Option<i64> {
    clock::parse(at).ok().map(|t| (t - now).max(0))
}

/// Both providers' vouchers with what a person at a till wants to see: balance,
/// status, live holds and locks with the seconds they have left.
pub(crate) fn state_json(data: &DataSet, clock: &Clock) -> Value {
    let now = clock.secs();
    let sg = &data.smartgift;
    let smartgift: Vec<Value> = sg
        .vouchers
        .iter()
        .map(|v| {
            let holds: Vec<Value> = sg
                .holds
                .iter()
                .filter(|h| h.voucher_no == v.voucher_no)
                .filter_map(|h| {
                    // Holds are pruned lazily on the next Smart Gift request; hide lapsed ones.
                    let left = seconds_left(&h.expires_at, now).filter(|s| *s > 0)?;
                    Some(json!({
                        "hold_token": redact(&h.hold_token),
                        "expires_at": h.expires_at,
                        "seconds_left": left,
                    }))
                })
                .collect();
            let experiences_left = v.experiences.iter().filter(|e| !e.used).count();
            let (balance, spent) = match v.voucher_type {
                GiftVoucherType::Monetary => {
                    let value = v.value.unwrap_or_default();
                    (number(value), value.is_zero())
                }
                GiftVoucherType::Experience => (Value::Null, experiences_left == 0),
            };
            let expired = v
                .valid_until
                .as_deref()
                .is_some_and(|t| clock::parse(t).is_ok_and(|t| t < now));
            let status = if spent {
                "redeemed"
            } else if expired {
                "expired"
            } else if !holds.is_empty() {
                "held"
            } else {
                "available"
            };
            json!({
                "voucher_no": v.voucher_no,
                "company_id": v.company_id,
                "type": v.voucher_type,
                "name": v.name,
                "balance": balance,
                "experiences": v.experiences.len(),
                "experiences_left": experiences_left,
                "valid_until": v.valid_until,
                "status": status,
                "holds": holds,
            })
        })
        .collect();
    let spaaza: Vec<Value> = data
        .spaaza
        .vouchers
        .iter()
        .map(|v| {
            let lock_left = v.locked_until.as_deref().and_then(|t| seconds_left(t, now));
            let live = v.locked && lock_left.is_none_or(|s| s > 0);
            let lock = live.then(|| {
                json!({
                    "locked_until": v.locked_until,
                    // null: locked until unlocked.
                    "seconds_left": lock_left,
                    "basket_code": v.retailer_basket_code,
                })
            });
            json!({
                "voucher_id": v.voucher_id,
                "chain_id": v.chain_id,
                "type": v.voucher_type,
                "status": v.status.as_str(),
                "amount": number(v.amount),
                "currency_symbol": v.currency_symbol,
                "campaign_title": v.campaign_title,
                "expiry": v.expiry,
                "user_id": v.user_id,
                "lock": lock,
            })
        })
        .collect();
    json!({
        "now": clock::format_rfc3339(now),
        "unix": now,
        "smartgift": { "vouchers": smartgift },
        "spaaza": { "vouchers": spaaza },
    })
}

/// A fault as the JSON `Fault::from_json` reads.
pub(crate) fn fault_json(fault: Fault) -> Value {
    match fault {
        Fault::Delay(d) => json!({ "kind": "delay", "ms": d.as_millis() as u64 }),
        Fault::Stall => json!({ "kind": "stall" }),
        Fault::Reset => json!({ "kind": "reset" }),
        Fault::Truncate => json!({ "kind": "truncate" }),
        Fault::Close => json!({ "kind": "close" }),
        Fault::Duplicate => json!({ "kind": "duplicate" }),
        Fault::Oversize(bytes) => json!({ "kind": "oversize", "bytes": bytes }),
    }
}

/// An active rule: `path`, `process`, `times` left (null = until cleared), whether it
/// sends the real answer, the scripted status (null for the real one) and the fault.
pub(crate) fn rule_json(rule: &FaultRule) -> Value {
    let real = rule.uses_real_answer();
    json!({
        "path": rule.path,
        "process": rule.process,
        "times": rule.times,
        "real_answer": real,
        "status": (!real).then_some(rule.answer.status),
        "fault": rule.answer.fault.map(fault_json),
    })
}

/// One provider request and what became of it, for the dashboard's request list.
#[derive(Clone, Debug)]
pub(crate) struct Exchange {
    /// 1, 2, … in arrival order since the last reset.
    seq: usize,
    connection_id: u64,
    method: String,
    /// The path with secret-looking query values redacted.
    path: String,
    /// The status line the client gets; `None` when the fault leaves it without one.
    status: Option<u16>,
    fault: Option<Fault>,
    /// Whether a fault rule decided the answer.
    faulted: bool,
    /// Handling time plus any delay fault; `None` for a stall (never answered).
    duration: Option<Duration>,
    /// The emulated time it arrived, RFC 3339.
    at: String,
}

impl Exchange {
    pub(crate) fn new(
        seq: usize,
        req: &RecordedRequest,
        answer: &Answer,
        faulted: bool,
        handled_in: Duration,
        now: i64,
    ) -> Exchange {
        let status = match answer.fault {
            Some(Fault::Stall | Fault::Reset | Fault::Close) => None,
            _ => Some(answer.status),
        };
        let duration = match answer.fault {
            Some(Fault::Stall) => None,
            Some(Fault::Delay(d)) => Some(handled_in + d),
            _ => Some(handled_in),
        };
        Exchange {
            seq,
            connection_id: req.connection_id,
            method: req.method.clone(),
            path: redact_query(&req.path),
            status,
            fault: answer.fault,
            faulted,
            duration,
            at: clock::format_rfc3339(now),
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        json!({
            "seq": self.seq,
            "connection_id": self.connection_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "fault": self.fault.map(fault_json),
            "faulted": self.faulted,
            "duration_ms": self.duration.map(|d| (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0),
            "at": self.at,
        })
    }
}

/// Query parameters whose values are credentials (or could be): shown redacted.
fn secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["key", "token", "session", "auth", "secret", "password"]
        .iter()
        .any(|s| name.contains(s))
}

/// `…` and the last four characters of long values, nothing of short ones: the
/// redaction every voucherkit output uses (docs/smartgift.md, docs/spaaza.md).
pub(crate) fn redact(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 12 {
        return "…".to_owned();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("…{tail}")
}

/// The request target with secret-looking query values redacted.
pub(crate) fn redact_query(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if secret_name(name) => format!("{name}={}", redact(value)),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secret_query_values_only() {
        assert_eq!(
            redact_query("/get-vouchers?chain_id=2&session_key=abcdefghijklmnop&x=1"),
            "/get-vouchers?chain_id=2&session_key=…mnop&x=1"
        );
        assert_eq!(redact_query("/a?token=short"), "/a?token=…");
        assert_eq!(redact_query("/plain"), "/plain");
    }
}
