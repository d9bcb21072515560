//! Spaaza requests and results.

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::money::{Amount, decimal_from_json};

/// How the client authenticates (docs/spaaza.md, "Auth modes").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SpaazaAuth {
    /// An admin session (`X-Spaaza-Session-User-Id` + `X-Spaaza-Session-Key`): the till case.
    #[default]
    Admin,
    /// An end-user session; also sends the app hostname.
    User,
    /// `Authorization: Bearer <token>` plus the app hostname.
    Privileged,
}

impl SpaazaAuth {
    /// Every mode, in the order the docs list them.
    pub const ALL: [SpaazaAuth; 3] = [SpaazaAuth::Admin, SpaazaAuth::User, SpaazaAuth::Privileged];

    pub fn as_str(self) -> &'static str {
        match self {
            SpaazaAuth::Admin => "admin",
            SpaazaAuth::User => "user",
            SpaazaAuth::Privileged => "privileged",
        }
    }

    pub fn from_name(name: &str) -> Option<SpaazaAuth> {
        match name {
            "admin" => Some(SpaazaAuth::Admin),
            "user" => Some(SpaazaAuth::User),
            "privileged" => Some(SpaazaAuth::Privileged),
            _ => None,
        }
    }

    /// The mode a binding was given by name; anything else is an `invalid_request`
    /// naming `auth` and listing the modes.
    pub fn parse(name: &str) -> crate::Result<SpaazaAuth> {
        SpaazaAuth::from_name(name).ok_or_else(|| {
            crate::Error::invalid(
                "auth",
                format!("auth must be admin, user or privileged, got {name:?}"),
            )
            .with_provider(crate::Provider::Spaaza)
        })
    }
}

/// `POST /auth/redeem-voucher`: redeem all of a voucher, or `amount` of it.
///
/// Without `amount`, the **whole remaining value** is redeemed. With it, any remainder is
/// re-issued by Spaaza as a new voucher, returned as `regenerated_voucher`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedeemVoucherRequest {
    pub chain_id: i64,
    /// Exactly one of `voucher_key` and `voucher_id`.
    pub voucher_key: Option<String>,
    pub voucher_id: Option<i64>,
    pub user_id: Option<i64>,
    pub amount: Option<Amount>,
    /// The till's sale or basket id, kept on the journal entry (never sent).
    pub reference: Option<String>,
}

/// `POST /unlock-voucher`. Both identifiers may be given; only the key is then sent,
/// as Spaaza uses the key when both arrive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnlockVoucherRequest {
    pub voucher_key: Option<String>,
    pub voucher_id: Option<i64>,
}

/// `POST /claim-voucher` and `POST /unclaim-voucher`.
///
/// Exactly one voucher identifier (`voucher_key`, `voucher_id`, `third_party_id`). Under
/// admin or privileged auth, exactly one end-user identifier; admin also needs `chain_id`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimRequest {
    pub chain_id: Option<i64>,
    pub voucher_key: Option<String>,
    pub voucher_id: Option<i64>,
    pub third_party_id: Option<i64>,
    pub user_id: Option<i64>,
    pub member_number: Option<String>,
    pub username: Option<String>,
    pub authentication_point_identifier: Option<String>,
    pub auxiliary_identifier: Option<String>,
}

/// The default `voucher_lock_period`, in seconds: like Smart Gift's five-minute hold.
pub const DEFAULT_LOCK_PERIOD: i64 = 300;

/// `PUT /lock-voucher`: tie a basket voucher to one basket for a while.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockVoucherRequest {
    pub voucher_key: Option<String>,
    pub voucher_id: Option<i64>,
    pub retailer_basket_code: String,
    /// Seconds; [`DEFAULT_LOCK_PERIOD`] when `None` (always sent, so no lock is endless).
    pub voucher_lock_period: Option<i64>,
    pub voucher_locking_code: Option<String>,
}

/// `GET /get-vouchers`: read vouchers, e.g. to reconcile after `outcome_unknown`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetVouchersRequest {
    pub chain_id: i64,
    pub voucher_id: Option<i64>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub member_number: Option<String>,
    pub authentication_point_identifier: Option<String>,
    pub campaign_id: Option<i64>,
    /// Generated, claimed and redeemed together (reconciliation wants this).
    pub show_all_statuses: bool,
    pub show_redeemed: bool,
    pub show_expired: bool,
    pub exclude_regenerated: bool,
    pub number_results: Option<i64>,
    pub results_offset: Option<i64>,
    pub min_created_datetime: Option<String>,
    pub max_created_datetime: Option<String>,
    pub min_expiry_datetime: Option<String>,
    pub max_expiry_datetime: Option<String>,
    pub min_redeemed_datetime: Option<String>,
    pub max_redeemed_datetime: Option<String>,
}

/// A warning riding on an ok answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpaazaWarning {
    pub code: Option<i64>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub message: Option<String>,
}

/// A Spaaza voucher, as every voucher operation returns it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpaazaVoucher {
    pub voucher_key: Option<String>,
    pub voucher_id: Option<i64>,
    /// `generated`, `claimed` or `redeemed` (others kept as sent).
    pub voucher_status: Option<String>,
    /// `basket`, `honour`, … (`type` in get-vouchers items).
    pub voucher_type: Option<String>,
    pub voucher_locked: Option<bool>,
    pub voucher_locked_until: Option<String>,
    pub voucher_locking_code: Option<String>,
    pub voucher_retailer_basket_code_exclusive: Option<String>,
    pub voucher_amount_original: Option<Decimal>,
    pub voucher_amount_redeemed: Option<Decimal>,
    pub voucher_amount: Option<Decimal>,
    pub voucher_currency_id: Option<i64>,
    pub voucher_currency_symbol: Option<String>,
    pub voucher_expiry_datetime_utc: Option<String>,
    pub voucher_redeemed_datetime: Option<String>,
    /// Seconds until the voucher expires, as Spaaza counted when it answered.
    pub voucher_expiry_seconds_remaining: Option<i64>,
    pub user_id: Option<i64>,
    /// The end-user's card (`{"type": "custom", "code": "404064"}`).
    pub user_entity_card: Option<EntityCard>,
    pub voucher_third_party_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub campaign_title: Option<String>,
    /// `signup`, `basket`, … (kept as sent).
    pub campaign_type: Option<String>,
    /// After a partial redeem: the new voucher holding the remainder.
    pub regenerated_voucher: Option<Box<SpaazaVoucher>>,
    /// On a regenerated voucher: the voucher it came from (a summary: id and amounts).
    pub parent_voucher: Option<Box<SpaazaVoucher>>,
    /// Warnings on the answer (only on the top-level voucher).
    pub warnings: Vec<SpaazaWarning>,
    /// The voucher object as sent.
    pub raw: Value,
    /// The journal entry of a journaled `redeem_voucher`.
    pub journal_id: Option<String>,
}

/// An end-user's card as a voucher names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntityCard {
    /// `regular`, `custom`, … (the wire `type`).
    pub card_type: Option<String>,
    pub code: Option<String>,
}

/// The answer to `get_vouchers`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VoucherList {
    pub results_count_total: Option<i64>,
    pub vouchers: Vec<SpaazaVoucher>,
    pub warnings: Vec<SpaazaWarning>,
    /// The `results` object as sent.
    pub raw: Value,
}

pub(crate) fn warnings_from(root: &Value) -> Vec<SpaazaWarning> {
    root.get("warnings")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|w| SpaazaWarning {
                    code: w.get("code").and_then(Value::as_i64),
                    name: str_of(w, "name"),
                    description: str_of(w, "description"),
                    message: str_of(w, "message"),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

pub(crate) fn voucher_from(v: Map<String, Value>, warnings: Vec<SpaazaWarning>) -> SpaazaVoucher {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let int = |k: &str| v.get(k).and_then(Value::as_i64);
    let money = |k: &str| v.get(k).and_then(decimal_from_json);
    let nested = |k: &str| {
        v.get(k)
            .and_then(Value::as_object)
            .map(|r| Box::new(voucher_from(r.clone(), Vec::new())))
    };
    SpaazaVoucher {
        voucher_key: s("voucher_key"),
        voucher_id: int("voucher_id"),
        voucher_status: s("voucher_status"),
        voucher_type: s("voucher_type").or_else(|| s("type")),
        voucher_locked: v.get("voucher_locked").and_then(Value::as_bool),
        voucher_locked_until: s("voucher_locked_until"),
        voucher_locking_code: s("voucher_locking_code"),
        voucher_retailer_basket_code_exclusive: s("voucher_retailer_basket_code_exclusive"),
        voucher_amount_original: money("voucher_amount_original"),
        voucher_amount_redeemed: money("voucher_amount_redeemed"),
        voucher_amount: money("voucher_amount"),
        voucher_currency_id: int("voucher_currency_id"),
        voucher_currency_symbol: s("voucher_currency_symbol"),
        voucher_expiry_datetime_utc: s("voucher_expiry_datetime_utc"),
        voucher_redeemed_datetime: s("voucher_redeemed_datetime"),
        voucher_expiry_seconds_remaining: int("voucher_expiry_seconds_remaining"),
        user_id: int("user_id"),
        user_entity_card: v
            .get("user_entity_card")
            .and_then(Value::as_object)
            .map(|c| EntityCard {
                card_type: c.get("type").and_then(Value::as_str).map(str::to_owned),
                code: c.get("code").and_then(Value::as_str).map(str::to_owned),
            }),
        voucher_third_party_id: int("voucher_third_party_id"),
        campaign_id: int("campaign_id"),
        campaign_title: s("campaign_title"),
        campaign_type: s("campaign_type"),
        regenerated_voucher: nested("regenerated_voucher"),
        parent_voucher: nested("parent_voucher"),
        warnings,
        raw: Value::Object(v),
        journal_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(name: &str) -> Value {
        let path = format!(
            "{}/../tests/conformance/bodies/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn every_documented_voucher_field_is_typed() {
        let root = seed("spaaza-unlock-voucher-success.json");
        let v = voucher_from(root["results"].as_object().unwrap().clone(), Vec::new());
        assert_eq!(v.campaign_id, Some(136));
        assert_eq!(v.campaign_type.as_deref(), Some("signup"));
        assert_eq!(v.campaign_title.as_deref(), Some("Earn €5 on signup"));
        assert_eq!(v.voucher_expiry_seconds_remaining, Some(996_899_028));
        let card = v.user_entity_card.unwrap();
        assert_eq!(
            (card.card_type.as_deref(), card.code.as_deref()),
            (Some("custom"), Some("404064"))
        );

        let root = seed("spaaza-redeem-voucher-success.json");
        let v = voucher_from(root["results"].as_object().unwrap().clone(), Vec::new());
        let regenerated = v.regenerated_voucher.unwrap();
        let parent = regenerated.parent_voucher.unwrap();
        assert_eq!(parent.voucher_id, Some(438595));
        assert_eq!(parent.voucher_amount_redeemed, Some(Decimal::from(2)));
        assert!(v.parent_voucher.is_none());
    }
}
