//! Voucher state (lookup, expiry, locks) and the wire shapes of a voucher:
//! the short form, redeem-voucher's long form and get-vouchers items.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::errors::*;
use super::request::{Params, missing};
use super::{Reply, fail};
use crate::emulator::clock::{self, format_rfc3339};
use crate::emulator::data::{ChainVoucher, ChainVoucherStatus, SpaazaData};
use crate::emulator::{World, number};

/// By `voucher_key` (which wins), else `voucher_id`, else (claim and
/// unclaim) `third_party_id`.
pub(super) fn find(sp: &SpaazaData, p: &Params, third_party: bool) -> Reply<usize> {
    let not_found = || fail(VOUCHER_NOT_FOUND, None);
    if let Some(key) = p.get("voucher_key") {
        return sp
            .vouchers
            .iter()
            .position(|v| v.voucher_key == key)
            .ok_or_else(not_found);
    }
    if let Some(id) = p.int("voucher_id")? {
        return sp
            .vouchers
            .iter()
            .position(|v| v.voucher_id == id)
            .ok_or_else(not_found);
    }
    if third_party && let Some(id) = p.int("third_party_id")? {
        return sp
            .vouchers
            .iter()
            .position(|v| v.third_party_id == Some(id))
            .ok_or_else(not_found);
    }
    Err(missing(if third_party {
        "voucher_key, voucher_id or third_party_id"
    } else {
        "voucher_key or voucher_id"
    }))
}

pub(super) fn expiry(v: &ChainVoucher) -> i64 {
    clock::parse(&v.expiry).unwrap_or(i64::MAX)
}

pub(super) fn is_expired(v: &ChainVoucher, now: i64) -> bool {
    expiry(v) <= now
}

pub(super) fn lock_is_live(v: &ChainVoucher, now: i64) -> bool {
    v.locked
        && v.locked_until
            .as_deref()
            .is_none_or(|t| clock::parse(t).is_ok_and(|t| t > now))
}

pub(super) fn clear_lock(v: &mut ChainVoucher) {
    v.locked = false;
    v.locked_until = None;
    v.locking_code = None;
    v.retailer_basket_code = None;
}

/// The shared state checks, in order: redeemed, expired.
pub(super) fn not_spent(v: &ChainVoucher, now: i64) -> Reply<()> {
    if v.status == ChainVoucherStatus::Redeemed {
        return Err(fail(VOUCHER_ALREADY_REDEEMED, None));
    }
    if is_expired(v, now) {
        return Err(fail(VOUCHER_EXPIRED, None));
    }
    Ok(())
}

/// `{"type":"custom","code":<member number>}`, or `regular` with the user id.
pub(super) fn entity_card(sp: &SpaazaData, v: &ChainVoucher) -> Value {
    let Some(user_id) = v.user_id else {
        return Value::Null;
    };
    let member = sp
        .chains
        .iter()
        .filter(|c| c.id == v.chain_id)
        .flat_map(|c| &c.users)
        .find(|u| u.user_id == user_id)
        .and_then(|u| u.member_number.clone());
    match member {
        Some(code) => json!({ "type": "custom", "code": code }),
        None => json!({ "type": "regular", "code": user_id.to_string() }),
    }
}

pub(super) fn amount_redeemed(v: &ChainVoucher) -> Decimal {
    v.amount_redeemed.unwrap_or(match v.status {
        ChainVoucherStatus::Redeemed => v.amount,
        _ => Decimal::ZERO,
    })
}

pub(super) fn opt_text(s: &Option<String>) -> Value {
    s.as_deref().map_or(Value::Null, Value::from)
}

/// The lock fields, after `voucher_locked`, while a lock is live.
pub(super) fn insert_lock(out: &mut Map<String, Value>, v: &ChainVoucher, now: i64) {
    let live = lock_is_live(v, now);
    out.insert("voucher_locked".into(), live.into());
    if live {
        out.insert("voucher_locked_until".into(), opt_text(&v.locked_until));
        out.insert("voucher_locking_code".into(), opt_text(&v.locking_code));
        out.insert(
            "voucher_retailer_basket_code_exclusive".into(),
            opt_text(&v.retailer_basket_code),
        );
    }
}

/// The short voucher form (the unclaim and unlock seeds), without `result_type`.
pub(super) fn short(sp: &SpaazaData, v: &ChainVoucher, now: i64) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("voucher_key".into(), v.voucher_key.clone().into());
    out.insert("voucher_id".into(), v.voucher_id.into());
    out.insert("voucher_status".into(), v.status.as_str().into());
    insert_lock(&mut out, v, now);
    out.insert("campaign_id".into(), v.campaign_id.into());
    out.insert("campaign_type".into(), v.campaign_type.clone().into());
    out.insert("campaign_title".into(), v.campaign_title.clone().into());
    insert_expiry(&mut out, v, now);
    insert_amounts(&mut out, v);
    out.insert("voucher_text".into(), opt_text(&v.text));
    if let Some(id) = v.third_party_id {
        out.insert("voucher_third_party_id".into(), id.into());
    }
    out.insert("user_id".into(), v.user_id.into());
    out.insert("user_entity_card".into(), entity_card(sp, v));
    out
}

pub(super) fn insert_expiry(out: &mut Map<String, Value>, v: &ChainVoucher, now: i64) {
    out.insert(
        "voucher_expiry_datetime_utc".into(),
        v.expiry.clone().into(),
    );
    out.insert(
        "voucher_expiry_seconds_remaining".into(),
        (expiry(v) - now).max(0).into(),
    );
}

pub(super) fn insert_amounts(out: &mut Map<String, Value>, v: &ChainVoucher) {
    out.insert("voucher_currency_id".into(), v.currency_id.into());
    out.insert(
        "voucher_currency_symbol".into(),
        v.currency_symbol.clone().into(),
    );
    out.insert(
        "voucher_amount_original".into(),
        number(v.amount_original.unwrap_or(v.amount)),
    );
    out.insert("voucher_amount_redeemed".into(), number(amount_redeemed(v)));
    out.insert("voucher_amount".into(), number(v.amount));
}

pub(super) fn created(v: &ChainVoucher, world: &World) -> Value {
    v.created
        .clone()
        .unwrap_or_else(|| format_rfc3339(world.clock.started()))
        .into()
}

/// The summary a regenerated voucher shows of its parent (seed shape).
pub(super) fn parent_summary(sp: &SpaazaData, v: &ChainVoucher) -> Value {
    let Some(parent) = v
        .parent_voucher_id
        .and_then(|id| sp.vouchers.iter().find(|p| p.voucher_id == id))
    else {
        return Value::Null;
    };
    json!({
        "voucher_id": parent.voucher_id,
        "voucher_key": parent.voucher_key,
        "voucher_redeemed_datetime": opt_text(&parent.redeemed_at),
        "voucher_amount_original": number(parent.amount_original.unwrap_or(parent.amount)),
        "voucher_amount_redeemed": number(amount_redeemed(parent)),
        "voucher_amount": number(parent.amount_original.unwrap_or(parent.amount)),
        "redeeming_basket": [],
    })
}

/// The long form of redeem-voucher's seed, field for field. `top` adds the
/// fields only the top-level voucher carries there (task, user, regenerated).
pub(super) fn long(world: &World, v: &ChainVoucher, now: i64, top: bool) -> Map<String, Value> {
    let sp = &world.data.spaaza;
    let mut out = Map::new();
    out.insert("voucher_key".into(), v.voucher_key.clone().into());
    out.insert("voucher_id".into(), v.voucher_id.into());
    out.insert("voucher_created_datetime".into(), created(v, world));
    out.insert("voucher_type".into(), v.voucher_type.clone().into());
    out.insert("voucher_status".into(), v.status.as_str().into());
    insert_lock(&mut out, v, now);
    out.insert("campaign_id".into(), v.campaign_id.into());
    out.insert("campaign_type".into(), v.campaign_type.clone().into());
    out.insert("campaign_title".into(), v.campaign_title.clone().into());
    for key in [
        "campaign_image_filename",
        "campaign_image_url",
        "campaign_image_link",
        "campaign_image_dimension_x",
        "campaign_image_dimension_y",
    ] {
        out.insert(key.into(), Value::Null);
    }
    insert_expiry(&mut out, v, now);
    if top && let Some(task) = &v.task {
        out.insert("task".into(), task.clone());
    }
    out.insert("voucher_redeemed_datetime".into(), opt_text(&v.redeemed_at));
    out.insert("generating_return_transaction".into(), json!([]));
    out.insert("parent_voucher".into(), parent_summary(sp, v));
    out.insert("voucher_title".into(), opt_text(&v.title));
    out.insert("voucher_text".into(), opt_text(&v.text));
    out.insert("voucher_description".into(), opt_text(&v.description));
    out.insert("voucher_notes".into(), opt_text(&v.notes));
    out.insert("voucher_honour_code".into(), opt_text(&v.honour_code));
    out.insert("voucher_image_url".into(), Value::Null);
    out.insert("voucher_discount_ratio".into(), 0.into());
    insert_amounts(&mut out, v);
    out.insert("redeeming_basket".into(), json!([]));
    if top {
        out.insert("user_id".into(), v.user_id.into());
        out.insert("user_entity_card".into(), entity_card(sp, v));
    }
    out
}

/// A get-vouchers item: the short form with `type`, dates and the user.
pub(super) fn item(sp: &SpaazaData, world: &World, v: &ChainVoucher, now: i64) -> Value {
    let mut out = Map::new();
    out.insert("voucher_id".into(), v.voucher_id.into());
    out.insert("voucher_key".into(), v.voucher_key.clone().into());
    out.insert("type".into(), v.voucher_type.clone().into());
    out.insert("voucher_status".into(), v.status.as_str().into());
    insert_lock(&mut out, v, now);
    out.insert("campaign_id".into(), v.campaign_id.into());
    out.insert("campaign_type".into(), v.campaign_type.clone().into());
    out.insert("campaign_title".into(), v.campaign_title.clone().into());
    out.insert("voucher_created_datetime".into(), created(v, world));
    insert_expiry(&mut out, v, now);
    out.insert("voucher_redeemed_datetime".into(), opt_text(&v.redeemed_at));
    insert_amounts(&mut out, v);
    out.insert("voucher_text".into(), opt_text(&v.text));
    if let Some(id) = v.third_party_id {
        out.insert("voucher_third_party_id".into(), id.into());
    }
    out.insert("parent_voucher_id".into(), v.parent_voucher_id.into());
    // Where the rest of a partly redeemed voucher went: a reconcile that finds the voucher
    // redeemed (its answer lost) can tell the till the new voucher.
    if let Some(rest) = sp
        .vouchers
        .iter()
        .find(|r| r.parent_voucher_id == Some(v.voucher_id))
    {
        out.insert(
            "regenerated_voucher".into(),
            Value::Object(short(sp, rest, now)),
        );
    }
    out.insert("user_id".into(), v.user_id.into());
    let user = v.user_id.and_then(|id| {
        sp.chains
            .iter()
            .filter(|c| c.id == v.chain_id)
            .flat_map(|c| &c.users)
            .find(|u| u.user_id == id)
    });
    out.insert(
        "user".into(),
        user.map_or(Value::Null, |u| {
            json!({
                "user_id": u.user_id,
                "member_number": u.member_number,
                "username": u.username,
            })
        }),
    );
    Value::Object(out)
}
