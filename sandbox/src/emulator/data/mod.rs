//! The emulator's data: who may call, and which vouchers exist.
//!
//! A [`DataSet`] is plain data with a JSON form (documented with an example
//! in `sandbox/DATA.md`). The emulator starts from one — [`DataSet::demo`]
//! unless told otherwise — and changes its own copy as requests come in:
//! balances go down, experiences get used, holds and locks come and go,
//! Spaaza vouchers change status and regenerated ones appear.
//! `GET /__sandbox/data` serves that live copy in the same format, so a
//! state can be saved and loaded again.
//!
//! Money is a decimal string in the file (`"100.00"`); a JSON number is
//! accepted too and read from its digits, never through a float. Dates are
//! `YYYY-MM-DD HH:MM:SS` (UTC) or RFC 3339.
//!
//! The types are here; the demo set is in `demo.rs`, and the checks serde cannot
//! make (references, uniqueness) in `validate.rs`.

use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::clock;

mod demo;
mod validate;

/// Everything both emulated providers know.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSet {
    #[serde(default)]
    pub smartgift: SmartGiftData,
    #[serde(default)]
    pub spaaza: SpaazaData,
}

/// Smart Gift: companies (who calls, from which sites) and their vouchers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmartGiftData {
    #[serde(default)]
    pub companies: Vec<Company>,
    #[serde(default)]
    pub vouchers: Vec<GiftVoucher>,
    /// Live holds. Written by the emulator; usually left out of a file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holds: Vec<Hold>,
    /// Every redemption made, reversed ones included (their ids are what
    /// `reverse` takes). Written by the emulator; usually left out of a file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redemptions: Vec<Redemption>,
}

/// A Smart Gift customer. A request's `Smart-Auth` key picks the company.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub id: i64,
    pub name: String,
    /// Keys accepted in `Smart-Auth`; each belongs to exactly one company.
    #[serde(default)]
    pub api_keys: Vec<String>,
    /// The site numbers a till of this company may send as `site_id`.
    #[serde(default, deserialize_with = "strings")]
    pub sites: Vec<String>,
}

/// `monetary` (a balance in pounds) or `experience` (a set of experiences).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GiftVoucherType {
    Monetary,
    Experience,
}

/// A Smart Gift voucher.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiftVoucher {
    /// The `id` that `check` shows; `10000 + position` when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub voucher_no: String,
    pub company_id: i64,
    #[serde(rename = "type")]
    pub voucher_type: GiftVoucherType,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Monetary vouchers: the balance left (`"0.00"` = fully redeemed).
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    /// Not redeemable before this time (`The voucher number provided has expired.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Not redeemable after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// Experience vouchers: what the voucher buys, one bit each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experiences: Vec<GiftExperience>,
}

/// One experience of an experience voucher.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiftExperience {
    pub id: i64,
    pub name: String,
    /// A power of two, distinct within the voucher; a redeem's `value` is a
    /// sum of these.
    pub bit_value: u64,
    /// Sites where it can be redeemed; empty = every site of the company.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub sites: Vec<String>,
    /// E.g. `food_and_beverage`, `spa`: what `check`'s
    /// `filters.classifications` matches. Unclassified experiences always pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// Already redeemed (and not reversed).
    #[serde(default, skip_serializing_if = "is_false")]
    pub used: bool,
}

/// A live Smart Gift hold (five minutes from `hold`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hold {
    pub voucher_no: String,
    pub hold_token: String,
    pub expires_at: String,
}

/// One Smart Gift redemption: money, or one experience.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redemption {
    pub id: u64,
    pub voucher_no: String,
    pub site_id: String,
    /// Money taken (monetary vouchers).
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    /// The experience used (experience vouchers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bit_value: Option<u64>,
    pub redeemed_at: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub reversed: bool,
}

/// Spaaza: chains (with their sessions) and their vouchers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaazaData {
    #[serde(default)]
    pub chains: Vec<Chain>,
    #[serde(default)]
    pub vouchers: Vec<ChainVoucher>,
}

/// A Spaaza retail chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    pub id: i64,
    pub name: String,
    /// `X-Spaaza-MyPrice-App-Hostname` for user and privileged sessions.
    pub app_hostname: String,
    /// Admin sessions (the till case): `X-Spaaza-Session-User-Id` + `-Key`.
    #[serde(default)]
    pub admins: Vec<ChainAdmin>,
    /// End-users (customers), who claim vouchers.
    #[serde(default)]
    pub users: Vec<ChainUser>,
    /// Bearer tokens accepted for privileged auth.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub privileged_tokens: Vec<String>,
}

/// An admin session of a chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainAdmin {
    pub user_id: i64,
    pub session_key: String,
}

/// An end-user of a chain; any one identifier finds them in claim/unclaim.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainUser {
    pub user_id: i64,
    /// Also the `user_entity_card` code (`{"type":"custom","code":…}`);
    /// without one the card is `{"type":"regular","code":"<user_id>"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_number: Option<String>,
    /// The user's e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_point_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auxiliary_identifier: Option<String>,
    /// A user session (with the chain's app hostname); none = cannot log in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
}

/// `generated` → `claimed` (by a user) → `redeemed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChainVoucherStatus {
    Generated,
    Claimed,
    Redeemed,
}

impl ChainVoucherStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChainVoucherStatus::Generated => "generated",
            ChainVoucherStatus::Claimed => "claimed",
            ChainVoucherStatus::Redeemed => "redeemed",
        }
    }
}

/// A Spaaza voucher. Field names follow the wire's `voucher_…` names
/// without the prefix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainVoucher {
    pub voucher_id: i64,
    /// 64 hex characters in every Spaaza sample.
    pub voucher_key: String,
    pub chain_id: i64,
    /// `basket` (the only type that can be locked), `honour`, …
    #[serde(rename = "type", default = "basket")]
    pub voucher_type: String,
    pub status: ChainVoucherStatus,
    /// `voucher_amount`: the value while generated or claimed; once redeemed,
    /// the amount that was redeemed (as Spaaza shows it).
    #[serde(with = "money")]
    pub amount: Decimal,
    /// `voucher_amount_original`; `amount` when left out.
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    pub amount_original: Option<Decimal>,
    /// `voucher_amount_redeemed`; `0` (or `amount`, once redeemed) when left out.
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    pub amount_redeemed: Option<Decimal>,
    /// The end-user it belongs to; kept on unclaim, as Spaaza does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(default = "euro_id")]
    pub currency_id: i64,
    #[serde(default = "euro")]
    pub currency_symbol: String,
    pub campaign_id: i64,
    pub campaign_title: String,
    pub campaign_type: String,
    /// `voucher_expiry_datetime_utc`.
    pub expiry: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party_id: Option<i64>,
    /// `voucher_created_datetime`; the sandbox's start time when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `voucher_redeemed_datetime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honour_code: Option<String>,
    /// The campaign task shown by redeem-voucher, as JSON (e.g.
    /// `{"task_id":450,"task_type":"create voucher","title":"no_amount"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Value>,
    /// Set on a voucher regenerated by a partial redeem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_voucher_id: Option<i64>,
    /// Locked by lock-voucher; live until `locked_until` (none = until unlocked).
    #[serde(default, skip_serializing_if = "is_false")]
    pub locked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locking_code: Option<String>,
    /// `voucher_retailer_basket_code_exclusive`: the basket holding the lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retailer_basket_code: Option<String>,
}

impl DataSet {
    /// Reads a data set from its JSON form and checks it (unique keys and
    /// numbers, known companies and chains, valid dates and bit values).
    pub fn from_json(text: &str) -> Result<DataSet, String> {
        let data: DataSet =
            serde_json::from_str(text).map_err(|e| format!("not a voucherkit data set: {e}"))?;
        data.validate()?;
        Ok(data)
    }

    /// [`DataSet::from_json`] on a file's contents.
    pub fn load(path: &Path) -> Result<DataSet, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        DataSet::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The JSON form, indented (what [`DataSet::from_json`] reads).
    pub fn to_json_pretty(&self) -> String {
        // Only strings, numbers and plain structs: serializing cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks what serde cannot: references and uniqueness.
    pub fn validate(&self) -> Result<(), String> {
        self.smartgift.validate()?;
        self.spaaza.validate()
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn basket() -> String {
    "basket".into()
}

fn euro_id() -> i64 {
    2
}

fn euro() -> String {
    "€".into()
}

/// Site numbers as strings; integers in a file are accepted and converted.
fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items = Vec::<Value>::deserialize(d)?;
    items
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(serde::de::Error::custom(format!(
                "a site must be a string or an integer, got {other}"
            ))),
        })
        .collect()
}

/// A decimal from a JSON string or number, read from its digits.
pub(crate) fn decimal_from(v: &Value) -> Option<Decimal> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Decimal::from_str_exact(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

/// Money as a decimal string (`"10.00"`); a JSON number is read too.
mod money {
    use super::*;

    pub(super) fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let v = Value::deserialize(d)?;
        decimal_from(&v).ok_or_else(|| {
            serde::de::Error::custom(format!("money must be a decimal like \"10.00\", got {v}"))
        })
    }
}

mod opt_money {
    use super::*;

    pub(super) fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => decimal_from(&v).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!("money must be a decimal like \"10.00\", got {v}"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_valid_and_round_trips() {
        let demo = DataSet::demo();
        demo.validate().unwrap();
        let text = demo.to_json_pretty();
        assert!(text.contains("\"value\": \"100.00\""), "{text}");
        assert_eq!(DataSet::from_json(&text).unwrap(), demo);
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| DataSet::from_json(text).unwrap_err();
        assert!(err(r#"{"smartgift": {"companys": []}}"#).contains("companys"));
        let no_company = r#"{"smartgift": {"vouchers": [{"voucher_no": "1", "company_id": 9,
            "type": "monetary", "name": "x", "value": "1.00"}]}}"#;
        assert!(err(no_company).contains("no company 9"));
        let bad_bits = r#"{"smartgift": {"companies": [{"id": 1, "name": "c", "sites": [12]}],
            "vouchers": [{"voucher_no": "1", "company_id": 1, "type": "experience", "name": "x",
            "experiences": [{"id": 1, "name": "a", "bit_value": 3}]}]}}"#;
        assert!(err(bad_bits).contains("power of two"));
        let ok = r#"{"smartgift": {"companies": [{"id": 1, "name": "c", "sites": [12]}],
            "vouchers": [{"voucher_no": "1", "company_id": 1, "type": "monetary", "name": "x",
            "value": 12.50}]}}"#;
        let data = DataSet::from_json(ok).unwrap();
        assert_eq!(data.smartgift.companies[0].sites, ["12"]);
        assert_eq!(
            data.smartgift.vouchers[0].value,
            Some(Decimal::new(1250, 2))
        );
    }
}
