//! What the journal records: one entry per journaled call.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Provider};

/// Where a journaled call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Written (and synced) before the request was sent; its call is still running, or
    /// its process died (then reconcile settles it once its deadline has passed).
    Pending,
    /// The provider did it: its answer said so, or reconcile proved it.
    Applied,
    /// It did not happen: a definite refusal, or reconcile proved it.
    NotApplied,
    /// It may have happened (`outcome_unknown`); reconcile settles it. An entry reconcile
    /// could not settle stays here, with a `note` saying why.
    Unknown,
}

impl EntryState {
    pub const ALL: [EntryState; 4] = [
        EntryState::Pending,
        EntryState::Applied,
        EntryState::NotApplied,
        EntryState::Unknown,
    ];

    /// The name used everywhere: `pending`, `applied`, `not_applied`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryState::Pending => "pending",
            EntryState::Applied => "applied",
            EntryState::NotApplied => "not_applied",
            EntryState::Unknown => "unknown",
        }
    }

    pub fn from_name(name: &str) -> Option<EntryState> {
        EntryState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// A state a binding was given by name (a filter); anything else is an
    /// `invalid_request` naming `field`.
    pub fn parse(name: &str, field: &str) -> crate::Result<EntryState> {
        EntryState::from_name(name).ok_or_else(|| {
            crate::Error::invalid(
                field,
                format!(
                    "{field} must be one of pending, applied, not_applied, unknown; got {name:?}"
                ),
            )
        })
    }
}

impl fmt::Display for EntryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One journaled call.
///
/// Serialises to the JSON every binding and the CLI show: times as RFC 3339 UTC with
/// milliseconds, `request`/`before`/`result`/`error` as the JSON objects stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// A UUID v7 (time-ordered).
    pub id: String,
    /// The till's own id for the sale or basket, if given.
    pub reference: Option<String>,
    #[serde(serialize_with = "provider_name")]
    pub provider: Provider,
    /// `redeem`, `reverse` (Smart Gift) or `redeem_voucher` (Spaaza).
    pub operation: String,
    /// What was asked: identifiers, the amount as a decimal string, experiences, the hold
    /// token. Never a secret.
    pub request: Value,
    /// The snapshot read before the write (Smart Gift: `remaining_value`; Spaaza: status
    /// and amounts).
    pub before: Option<Value>,
    pub state: EntryState,
    /// The success result (redemption ids, the regenerated voucher), when known.
    pub result: Option<Value>,
    /// `{kind, message, field, http_status}` of the failure, if the call failed.
    pub error: Option<Value>,
    /// Whether `applied`/`not_applied` is proven rather than inferred (see
    /// docs/journal.md: a redeem under a standing hold, a Spaaza redemption time and
    /// amount that match).
    pub certain: bool,
    /// Why an entry is still `unknown`, or how reconcile decided.
    pub note: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: SystemTime,
    #[serde(serialize_with = "opt_rfc3339")]
    pub resolved_at: Option<SystemTime>,
    pub reconcile_attempts: u32,
}

/// Which entries [`super::Journal::entries`] returns; every field narrows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryFilter {
    pub state: Option<EntryState>,
    pub reference: Option<String>,
    pub provider: Option<Provider>,
    /// Created at or after this time.
    pub since: Option<SystemTime>,
    /// At most this many (newest first).
    pub limit: Option<usize>,
}

/// An entry about to be written.
#[derive(Clone, Debug)]
pub(crate) struct NewEntry {
    pub reference: Option<String>,
    pub provider: Provider,
    pub operation: &'static str,
    /// The client's base URL: reconcile only takes entries of the account it can read.
    pub base_url: String,
    /// The voucher number (Smart Gift) or voucher id (Spaaza), for lookups.
    pub voucher: String,
    pub request: Value,
    pub before: Value,
    /// The writing client's total timeout: a `pending` entry older than this (plus a
    /// margin) belongs to a process that died.
    pub timeout: Duration,
}

/// The part of an error an entry keeps.
pub(crate) fn error_json(e: &Error) -> Value {
    serde_json::json!({
        "kind": e.kind.as_str(),
        "message": e.message,
        "field": e.field,
        "http_status": e.http_status,
    })
}

fn provider_name<S: serde::Serializer>(p: &Provider, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

fn rfc3339<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_time(*t))
}

fn opt_rfc3339<S: serde::Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(&format_time(*t)),
        None => s.serialize_none(),
    }
}

/// RFC 3339 UTC with milliseconds, as every voucherkit timestamp.
pub fn format_time(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t.max(UNIX_EPOCH)).to_string()
}

/// Milliseconds since the epoch, as stored.
pub(crate) fn to_millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) fn from_millis(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_by_name() {
        for s in EntryState::ALL {
            assert_eq!(EntryState::from_name(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                Value::String(s.as_str().into())
            );
        }
        assert_eq!(EntryState::from_name("done"), None);
    }

    #[test]
    fn times_are_stored_as_millis() {
        let t = UNIX_EPOCH + Duration::from_millis(1_764_105_058_042);
        assert_eq!(from_millis(to_millis(t)), t);
        assert_eq!(format_time(t), "2025-11-25T21:10:58.042Z");
    }
}
