//! Smart Gift requests and results.

use std::time::{SystemTime, UNIX_EPOCH};

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::money::Amount;

/// A site number. Smart Gift documents it as a string; tills often hold it as an integer.
/// Either way it is sent as a JSON string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteId {
    Number(i64),
    Text(String),
}

impl From<i64> for SiteId {
    fn from(n: i64) -> SiteId {
        SiteId::Number(n)
    }
}

impl From<i32> for SiteId {
    fn from(n: i32) -> SiteId {
        SiteId::Number(n.into())
    }
}

impl From<&str> for SiteId {
    fn from(s: &str) -> SiteId {
        SiteId::Text(s.to_owned())
    }
}

impl From<String> for SiteId {
    fn from(s: String) -> SiteId {
        SiteId::Text(s)
    }
}

/// One voucher meta condition for `check` (`{"key": "used_in", "operator": "in", "value": [..]}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetaCondition {
    pub key: String,
    /// Only `"in"` is documented; other operators are passed through unchanged.
    pub operator: String,
    pub value: Vec<String>,
}

/// `POST /redeem/check`: what a voucher is worth at a site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRequest {
    pub voucher_no: String,
    pub site_id: SiteId,
    /// Restricts which experiences come back (e.g. `food_and_beverage`).
    pub classifications: Vec<String>,
    /// Conditions on the voucher's meta records; all must match.
    pub meta_conditions: Vec<MetaCondition>,
}

impl CheckRequest {
    pub fn new(voucher_no: impl Into<String>, site_id: impl Into<SiteId>) -> CheckRequest {
        CheckRequest {
            voucher_no: voucher_no.into(),
            site_id: site_id.into(),
            classifications: Vec::new(),
            meta_conditions: Vec::new(),
        }
    }
}

/// `POST /redeem/hold`: reserve the whole voucher for about five minutes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoldRequest {
    pub voucher_no: String,
}

/// `POST /redeem`: take money off a monetary voucher, or use experiences.
///
/// Exactly one of `value` and `experiences` must be given. Experiences are the
/// `bit_value`s from `check`; the wire `value` is their sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedeemRequest {
    pub voucher_no: String,
    pub site_id: SiteId,
    pub value: Option<Amount>,
    pub experiences: Option<Vec<i64>>,
    /// The token from `hold`, sent only when given.
    pub hold_token: Option<String>,
    /// The till's sale or basket id, kept on the journal entry (never sent).
    pub reference: Option<String>,
}

impl RedeemRequest {
    /// A monetary redeem of `value` (`"10.00"` or a `Decimal`).
    pub fn money(
        voucher_no: impl Into<String>,
        site_id: impl Into<SiteId>,
        value: impl Into<Amount>,
    ) -> RedeemRequest {
        RedeemRequest {
            voucher_no: voucher_no.into(),
            site_id: site_id.into(),
            value: Some(value.into()),
            experiences: None,
            hold_token: None,
            reference: None,
        }
    }

    /// An experience redeem of the given `bit_value`s.
    pub fn experiences(
        voucher_no: impl Into<String>,
        site_id: impl Into<SiteId>,
        bits: Vec<i64>,
    ) -> RedeemRequest {
        RedeemRequest {
            voucher_no: voucher_no.into(),
            site_id: site_id.into(),
            value: None,
            experiences: Some(bits),
            hold_token: None,
            reference: None,
        }
    }
}

/// `POST /redeem/release`: give up a hold before it expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseRequest {
    pub voucher_no: String,
    pub hold_token: String,
}

/// `POST /redeem/reverse`: undo redemptions, each in full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReverseRequest {
    pub voucher_no: String,
    pub site_id: SiteId,
    /// Ids returned by `redeem`.
    pub redemptions: Vec<i64>,
    /// The till's sale or basket id, kept on the journal entry (never sent).
    pub reference: Option<String>,
}

/// One experience on an experience voucher, as `check` lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Experience {
    /// The experience's bit in the voucher's mask: pass it to `redeem`.
    pub bit_value: Option<u64>,
    pub id: Option<i64>,
    pub name: Option<String>,
    pub raw: Value,
}

/// The answer to `check`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SmartGiftVoucher {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub voucher_no: Option<String>,
    /// Monetary: money left. Experience: the sum of all unused experiences' bit values.
    pub remaining_value: Option<Decimal>,
    /// The wire `type`: `monetary` or `experience` (others kept as sent).
    pub voucher_type: Option<String>,
    pub sold_out: Option<bool>,
    /// The experiences redeemable at this site.
    pub experiences: Vec<Experience>,
    /// Undocumented shape; kept as sent.
    pub available_to_redeem: Option<Value>,
    /// The `data` object of the answer.
    pub raw: Value,
}

/// The answer to `hold`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hold {
    pub message: String,
    /// Pass it to `release` (and optionally `redeem`).
    pub hold_token: String,
    /// When the answer arrived; the hold lasts about five minutes from then. Serialised
    /// as an RFC 3339 UTC timestamp with milliseconds (`2026-01-31T09:30:00.123Z`),
    /// the same instant, to the millisecond, as the C accessor's milliseconds since the
    /// epoch (truncated; an instant before the epoch shows as the epoch).
    #[serde(serialize_with = "rfc3339_millis")]
    pub received_at: SystemTime,
    /// `received_at` + five minutes: when the hold lapses (by this till's clock; Smart
    /// Gift documents five minutes and gives no time of its own).
    #[serde(serialize_with = "rfc3339_millis")]
    pub expires_at: SystemTime,
    pub raw: Value,
}

/// How long Smart Gift keeps a hold.
pub const HOLD_DURATION: std::time::Duration = std::time::Duration::from_secs(300);

/// `SystemTime` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, milliseconds truncated).
fn rfc3339_millis<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_rfc3339_millis(*t))
}

/// humantime's RFC 3339 with milliseconds; an instant before the epoch (a clock set far
/// back) shows as the epoch, as the C accessor's milliseconds do, instead of panicking.
fn format_rfc3339_millis(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t.max(UNIX_EPOCH)).to_string()
}

/// The answer to `redeem`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Redemption {
    pub message: String,
    /// Keep these: `reverse` needs them.
    pub redemptions: Vec<u64>,
    /// The `data` object of the answer.
    pub raw: Value,
    /// The journal entry, when the client has a journal.
    pub journal_id: Option<String>,
}

/// The answer to `release`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Released {
    pub message: String,
    pub raw: Value,
}

/// The answer to `reverse`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reversed {
    pub message: String,
    pub raw: Value,
    /// The journal entry, when the client has a journal.
    pub journal_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(ms: u64) -> String {
        format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms))
    }

    #[test]
    fn received_at_is_rfc3339_utc_with_milliseconds() {
        assert_eq!(at(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(at(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(at(1_735_689_599_123), "2024-12-31T23:59:59.123Z");
        assert_eq!(at(4_102_444_800_000), "2100-01-01T00:00:00.000Z");
        // Sub-millisecond digits are dropped, as the C accessor drops them.
        let t = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_999_999);
        assert_eq!(format_rfc3339_millis(t), "2023-11-14T22:13:20.123Z");
        assert_eq!(
            format_rfc3339_millis(UNIX_EPOCH - Duration::from_secs(5)),
            "1970-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn hold_serialises_received_at() {
        let hold = Hold {
            message: "Voucher hold successful".into(),
            hold_token: "hold_token_x".into(),
            received_at: UNIX_EPOCH + Duration::from_millis(1_764_105_058_042),
            expires_at: UNIX_EPOCH + Duration::from_millis(1_764_105_358_042),
            raw: serde_json::json!({}),
        };
        let v = serde_json::to_value(&hold).unwrap();
        assert_eq!(v["received_at"], "2025-11-25T21:10:58.042Z");
        assert_eq!(v["expires_at"], "2025-11-25T21:15:58.042Z");
        assert_eq!(v["hold_token"], "hold_token_x");
    }
}
