//! The calls: redeem-voucher, unlock-voucher, claim/unclaim-voucher,
//! lock-voucher and get-vouchers.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::errors::*;
use super::request::{Params, Session, missing};
use super::vouchers::*;
use super::{Reply, deny, fail, ok};
use crate::emulator::clock::{self, format_plain, format_rfc3339};
use crate::emulator::data::{
    ChainUser, ChainVoucher, ChainVoucherStatus, SpaazaData, decimal_from,
};
use crate::emulator::{HEX, World};

pub(super) fn redeem(world: &mut World, s: &Session, p: &Params, now: i64) -> Reply {
    if s.user().is_some() {
        return Err(deny());
    }
    let chain_id = p.required_int("chain_id")?;
    if !s.covers(chain_id) {
        return Err(deny());
    }
    let sp = &world.data.spaaza;
    let i = find(sp, p, false)?;
    let v = &sp.vouchers[i];
    if v.chain_id != chain_id {
        return Err(deny());
    }
    let user_id = p.int("user_id")?;
    if let Some(uid) = user_id {
        let known = chain_users(sp, chain_id).any(|u| u.user_id == uid);
        if !known || v.user_id.is_some_and(|owner| owner != uid) {
            return Err(deny());
        }
    }
    not_spent(v, now)?;
    if lock_is_live(v, now) {
        return Err(fail(VOUCHER_LOCKED, None));
    }
    let value = v.amount;
    let amount = match p.get("amount") {
        None => value,
        Some(text) => {
            let amount = decimal_from(&Value::String(text.to_string()))
                .filter(|a| *a > Decimal::ZERO && a.normalize().scale() <= 2)
                .ok_or_else(|| {
                    fail(
                        INVALID_AMOUNT,
                        Some(format!(
                            "amount must be a positive number with at most 2 decimals, got {text:?}"
                        )),
                    )
                })?;
            if amount > value {
                return Err(fail(
                    INVALID_AMOUNT,
                    Some(format!(
                        "amount {amount} is more than the voucher's {}",
                        value.normalize()
                    )),
                ));
            }
            amount
        }
    };

    let new_id = sp.vouchers.iter().map(|v| v.voucher_id).max().unwrap_or(0) + 1;
    let mut new_key = world.rng.text(HEX, 64);
    while sp.vouchers.iter().any(|v| v.voucher_key == new_key) {
        new_key = world.rng.text(HEX, 64);
    }
    let sp = &mut world.data.spaaza;
    let v = &mut sp.vouchers[i];
    let rest = value - amount;
    v.amount_original = Some(v.amount_original.unwrap_or(value));
    v.status = ChainVoucherStatus::Redeemed;
    v.amount = amount;
    v.amount_redeemed = Some(amount);
    v.redeemed_at = Some(format_rfc3339(now));
    if v.user_id.is_none() {
        v.user_id = user_id;
    }
    clear_lock(v);
    let regenerated = (rest > Decimal::ZERO).then(|| ChainVoucher {
        voucher_id: new_id,
        voucher_key: new_key,
        status: ChainVoucherStatus::Generated,
        amount: rest,
        amount_original: Some(rest),
        amount_redeemed: None,
        third_party_id: None,
        created: Some(format_rfc3339(now)),
        redeemed_at: None,
        honour_code: None,
        task: None,
        parent_voucher_id: Some(v.voucher_id),
        ..v.clone()
    });
    if let Some(r) = regenerated {
        sp.vouchers.push(r);
    }

    let sp = &world.data.spaaza;
    let v = &sp.vouchers[i];
    let mut out = long(world, v, now, true);
    let regenerated = (rest > Decimal::ZERO)
        .then(|| sp.vouchers.last())
        .flatten()
        .map_or(Value::Null, |r| Value::Object(long(world, r, now, false)));
    out.insert("regenerated_voucher".into(), regenerated);
    Ok(ok(out, "redeem-voucher"))
}

pub(super) fn chain_users(sp: &SpaazaData, chain_id: i64) -> impl Iterator<Item = &ChainUser> {
    sp.chains
        .iter()
        .filter(move |c| c.id == chain_id)
        .flat_map(|c| &c.users)
}

/// An optional `chain_id` must name the voucher's chain.
pub(super) fn chain_matches(p: &Params, v: &ChainVoucher) -> Reply<()> {
    match p.int("chain_id")? {
        Some(chain) if chain != v.chain_id => Err(deny()),
        _ => Ok(()),
    }
}

pub(super) fn unlock(world: &mut World, s: &Session, p: &Params, now: i64) -> Reply {
    if s.user().is_some() {
        return Err(deny());
    }
    let sp = &mut world.data.spaaza;
    let i = find(sp, p, false)?;
    if !s.covers(sp.vouchers[i].chain_id) {
        return Err(deny());
    }
    chain_matches(p, &sp.vouchers[i])?;
    clear_lock(&mut sp.vouchers[i]);
    let sp = &world.data.spaaza;
    Ok(ok(short(sp, &sp.vouchers[i], now), "unlock-voucher"))
}

/// The end-user a claim or unclaim is for.
pub(super) fn end_user(sp: &SpaazaData, s: &Session, p: &Params, chain_id: i64) -> Reply<i64> {
    let given = [
        "user_id",
        "member_number",
        "username",
        "authentication_point_identifier",
        "auxiliary_identifier",
    ]
    .into_iter()
    .find_map(|key| p.get(key).map(|value| (key, value)));
    let Some((key, value)) = given else {
        return s.user().ok_or_else(|| {
            missing("user_id, member_number, username, authentication_point_identifier or auxiliary_identifier")
        });
    };
    let found = chain_users(sp, chain_id).find(|u| {
        let text = |f: &Option<String>| f.as_deref().is_some_and(|f| f.eq_ignore_ascii_case(value));
        match key {
            "user_id" => u.user_id.to_string() == value,
            "member_number" => u.member_number.as_deref() == Some(value),
            "username" => text(&u.username),
            "authentication_point_identifier" => {
                u.authentication_point_identifier.as_deref() == Some(value)
            }
            _ => u.auxiliary_identifier.as_deref() == Some(value),
        }
    });
    match (found, s.user()) {
        (Some(u), None) => Ok(u.user_id),
        (Some(u), Some(me)) if u.user_id == me => Ok(me),
        _ => Err(deny()),
    }
}

pub(super) fn claim_or_unclaim(
    world: &mut World,
    s: &Session,
    p: &Params,
    now: i64,
    claim: bool,
) -> Reply {
    let sp = &world.data.spaaza;
    let chain_id = match (s, p.int("chain_id")?) {
        (_, Some(chain)) => chain,
        (Session::Admin(_), None) => return Err(missing("chain_id")),
        (Session::User { chain, .. } | Session::Privileged(chain), None) => *chain,
    };
    if !s.covers(chain_id) {
        return Err(deny());
    }
    let i = find(sp, p, true)?;
    let v = &sp.vouchers[i];
    if v.chain_id != chain_id {
        return Err(deny());
    }
    let user_id = end_user(sp, s, p, chain_id)?;
    not_spent(v, now)?;
    if claim {
        if v.status == ChainVoucherStatus::Claimed {
            return Err(fail(VOUCHER_ALREADY_CLAIMED, None));
        }
    } else {
        if v.status != ChainVoucherStatus::Claimed {
            return Err(fail(VOUCHER_NOT_CLAIMED, None));
        }
        if v.user_id != Some(user_id) {
            return Err(deny());
        }
    }
    if s.user().is_some() && lock_is_live(v, now) {
        return Err(fail(VOUCHER_LOCKED, None));
    }
    let v = &mut world.data.spaaza.vouchers[i];
    if claim {
        v.status = ChainVoucherStatus::Claimed;
        v.user_id = Some(user_id);
    } else {
        v.status = ChainVoucherStatus::Generated;
    }
    let sp = &world.data.spaaza;
    let call = if claim {
        "claim-voucher"
    } else {
        "unclaim-voucher"
    };
    Ok(ok(short(sp, &sp.vouchers[i], now), call))
}

pub(super) fn lock(world: &mut World, s: &Session, p: &Params, now: i64) -> Reply {
    let sp = &world.data.spaaza;
    let i = find(sp, p, false)?;
    let v = &sp.vouchers[i];
    if !s.covers(v.chain_id) || s.user().is_some_and(|me| v.user_id != Some(me)) {
        return Err(deny());
    }
    chain_matches(p, v)?;
    let basket = p
        .get("retailer_basket_code")
        .ok_or_else(|| missing("retailer_basket_code"))?
        .to_string();
    let period = p.int("voucher_lock_period")?;
    if period.is_some_and(|s| s <= 0) {
        return Err(fail(
            INVALID_PARAMETER,
            Some("voucher_lock_period must be a positive number of seconds".into()),
        ));
    }
    if v.voucher_type != "basket" {
        return Err(fail(VOUCHER_NOT_LOCKABLE, None));
    }
    not_spent(v, now)?;
    if lock_is_live(v, now) && v.retailer_basket_code.as_deref() != Some(basket.as_str()) {
        return Err(fail(VOUCHER_LOCKED, None));
    }
    let locking_code = p.get("voucher_locking_code").map(str::to_string);
    let v = &mut world.data.spaaza.vouchers[i];
    v.locked = true;
    v.locked_until = period.map(|secs| format_plain(now + secs));
    v.locking_code = locking_code;
    v.retailer_basket_code = Some(basket);
    let sp = &world.data.spaaza;
    Ok(ok(short(sp, &sp.vouchers[i], now), "lock-voucher"))
}

pub(super) fn list(world: &mut World, s: &Session, p: &Params, now: i64) -> Reply {
    if s.user().is_some() {
        return Err(deny());
    }
    let chain_id = p.required_int("chain_id")?;
    if !s.covers(chain_id) {
        return Err(deny());
    }
    let sp = &world.data.spaaza;
    let voucher_id = p.int("voucher_id")?;
    let campaign_id = p.int("campaign_id")?;
    // An end-user filter that matches nobody matches no voucher.
    let user_filter = [
        "user_id",
        "username",
        "member_number",
        "authentication_point_identifier",
    ]
    .into_iter()
    .find_map(|key| p.get(key).map(|value| (key, value)))
    .map(|(key, value)| {
        chain_users(sp, chain_id)
            .find(|u| match key {
                "user_id" => u.user_id.to_string() == value,
                "username" => u
                    .username
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(value)),
                "member_number" => u.member_number.as_deref() == Some(value),
                _ => u.authentication_point_identifier.as_deref() == Some(value),
            })
            .map(|u| u.user_id)
    });
    let all = p.flag("show_all_statuses");
    let show_redeemed = all || p.flag("show_redeemed");
    let show_expired = all || p.flag("show_expired");
    let exclude_regenerated = p.flag("exclude_regenerated");
    let mut ranges = Vec::new();
    for (name, pick) in [("created", 0usize), ("expiry", 1), ("redeemed", 2)] {
        let bound = |which: &str| -> Reply<Option<i64>> {
            let key = format!("{which}_{name}_datetime");
            p.get(&key)
                .map(|text| {
                    clock::parse(text)
                        .map_err(|e| fail(INVALID_PARAMETER, Some(format!("{key}: {e}"))))
                })
                .transpose()
        };
        ranges.push((pick, bound("min")?, bound("max")?));
    }

    let matching: Vec<&ChainVoucher> = sp
        .vouchers
        .iter()
        .filter(|v| v.chain_id == chain_id)
        .filter(|v| voucher_id.is_none_or(|id| v.voucher_id == id))
        .filter(|v| campaign_id.is_none_or(|id| v.campaign_id == id))
        .filter(|v| user_filter.is_none_or(|u| u.is_some() && v.user_id == u))
        .filter(|v| show_redeemed || v.status != ChainVoucherStatus::Redeemed)
        .filter(|v| show_expired || !is_expired(v, now))
        .filter(|v| !exclude_regenerated || v.parent_voucher_id.is_none())
        .filter(|v| {
            ranges.iter().all(|&(pick, min, max)| {
                let at = match pick {
                    0 => v.created.as_deref().and_then(|t| clock::parse(t).ok()),
                    1 => Some(expiry(v)),
                    _ => v.redeemed_at.as_deref().and_then(|t| clock::parse(t).ok()),
                };
                let inside = |t: i64| min.is_none_or(|m| t >= m) && max.is_none_or(|m| t <= m);
                (min.is_none() && max.is_none()) || at.is_some_and(inside)
            })
        })
        .collect();
    let total = matching.len();
    let offset = p.int("results_offset")?.unwrap_or(0).max(0) as usize;
    let limit = p
        .int("number_results")?
        .map_or(usize::MAX, |n| n.max(0) as usize);
    let vouchers: Vec<Value> = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|v| item(sp, world, v, now))
        .collect();
    let mut results = Map::new();
    results.insert("results_count_total".into(), total.into());
    results.insert("vouchers".into(), Value::Array(vouchers));
    Ok(ok(results, "get-vouchers"))
}
