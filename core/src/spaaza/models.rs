//! Spaaza requests and results.

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::money::{Amount, decimal_from_json};

/// How the client authenticates (spec/spaaza.md §1).
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
    pub user_id: Option<i64>,
    pub voucher_third_party_id: Option<i64>,
    pub campaign_id: Option<i64>,
    /// After a partial redeem: the new voucher holding the remainder.
    pub regenerated_voucher: Option<Box<SpaazaVoucher>>,
    /// Warnings on the answer (only on the top-level voucher).
    pub warnings: Vec<SpaazaWarning>,
    /// The voucher object as sent.
    pub raw: Value,
    /// The journal entry of a journaled `redeem_voucher`.
    pub journal_id: Option<String>,
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
        user_id: int("user_id"),
        voucher_third_party_id: int("voucher_third_party_id"),
        campaign_id: int("campaign_id"),
        regenerated_voucher: v
            .get("regenerated_voucher")
            .and_then(Value::as_object)
            .map(|r| Box::new(voucher_from(r.clone(), Vec::new()))),
        warnings,
        raw: Value::Object(v),
        journal_id: None,
    }
}
