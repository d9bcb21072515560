//! Spaaza results: vouchers (with the regenerated voucher and warnings) and voucher lists.
//!
//! Strings are owned by their handle (made on first read); NULL means absent. Money is a
//! decimal string with the provider's own digits (`2` → `"2"`, `25.50` → `"25.50"`).

use std::ffi::c_char;

use voucherkit_core::spaaza::{SpaazaVoucher, SpaazaWarning, VoucherList};

use crate::ffi::{self, NULL, Strings, put_opt, with};

/// A Spaaza voucher, as every voucher operation returns it. Free the ones returned through
/// `out` with vk_spaaza_voucher_free(); a regenerated voucher and list items are borrowed
/// from their parent and never freed on their own.
pub struct vk_spaaza_voucher {
    v: SpaazaVoucher,
    regenerated: Option<Box<vk_spaaza_voucher>>,
    parent: Option<Box<vk_spaaza_voucher>>,
    warnings: Vec<vk_spaaza_warning>,
    s: Strings,
}

/// A warning riding on an ok answer; borrowed from its voucher or list.
pub struct vk_spaaza_warning {
    w: SpaazaWarning,
    s: Strings,
}

/// The answer to vk_spaaza_get_vouchers(). Free with vk_spaaza_voucher_list_free().
pub struct vk_spaaza_voucher_list {
    l: VoucherList,
    vouchers: Vec<vk_spaaza_voucher>,
    warnings: Vec<vk_spaaza_warning>,
    s: Strings,
}

fn warnings(list: Vec<SpaazaWarning>) -> Vec<vk_spaaza_warning> {
    list.into_iter()
        .map(|w| vk_spaaza_warning {
            w,
            s: Strings::new(3),
        })
        .collect()
}

impl vk_spaaza_voucher {
    pub(crate) fn new(mut v: SpaazaVoucher) -> vk_spaaza_voucher {
        let regenerated = v
            .regenerated_voucher
            .take()
            .map(|r| Box::new(vk_spaaza_voucher::new(*r)));
        let parent = v
            .parent_voucher
            .take()
            .map(|p| Box::new(vk_spaaza_voucher::new(*p)));
        let warnings = warnings(std::mem::take(&mut v.warnings));
        vk_spaaza_voucher {
            v,
            regenerated,
            parent,
            warnings,
            s: Strings::new(18),
        }
    }
}

impl vk_spaaza_voucher_list {
    pub(crate) fn new(mut l: VoucherList) -> vk_spaaza_voucher_list {
        let vouchers = std::mem::take(&mut l.vouchers)
            .into_iter()
            .map(vk_spaaza_voucher::new)
            .collect();
        let warnings = warnings(std::mem::take(&mut l.warnings));
        vk_spaaza_voucher_list {
            l,
            vouchers,
            warnings,
            s: Strings::new(1),
        }
    }
}

// ---- vk_spaaza_voucher ----

/// Frees a voucher returned through `out` (with its regenerated voucher and warnings);
/// NULL does nothing. Never pass a borrowed voucher.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_free(v: *mut vk_spaaza_voucher) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(v) }
}

/// `voucher_key`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_key(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(0, || v.v.voucher_key.clone()))
}

/// `voucher_id`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_id(
    v: *const vk_spaaza_voucher,
    out: *mut i64,
) -> bool {
    with(v, false, |v| put_opt(v.v.voucher_id, out))
}

/// `voucher_status`: `"generated"`, `"claimed"` or `"redeemed"` (others as sent); NULL
/// when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_status(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(1, || v.v.voucher_status.clone()))
}

/// `voucher_type` (`type` in get-vouchers items): `"basket"`, `"honour"`, …; NULL when
/// absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_type(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(2, || v.v.voucher_type.clone()))
}

/// `voucher_locked`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_locked(
    v: *const vk_spaaza_voucher,
    out: *mut bool,
) -> bool {
    with(v, false, |v| put_opt(v.v.voucher_locked, out))
}

/// `voucher_locked_until`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_locked_until(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(3, || v.v.voucher_locked_until.clone()))
}

/// `voucher_locking_code`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_locking_code(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(4, || v.v.voucher_locking_code.clone()))
}

/// `voucher_retailer_basket_code_exclusive`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_retailer_basket_code_exclusive(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(5, || v.v.voucher_retailer_basket_code_exclusive.clone())
    })
}

/// `voucher_amount_original` (money); NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_amount_original(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(6, || v.v.voucher_amount_original.map(|d| d.to_string()))
    })
}

/// `voucher_amount_redeemed` (money); NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_amount_redeemed(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(7, || v.v.voucher_amount_redeemed.map(|d| d.to_string()))
    })
}

/// `voucher_amount` (money); NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_amount(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(8, || v.v.voucher_amount.map(|d| d.to_string()))
    })
}

/// `voucher_currency_id`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_currency_id(
    v: *const vk_spaaza_voucher,
    out: *mut i64,
) -> bool {
    with(v, false, |v| put_opt(v.v.voucher_currency_id, out))
}

/// `voucher_currency_symbol` (UTF-8, e.g. `"€"`); NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_currency_symbol(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(9, || v.v.voucher_currency_symbol.clone())
    })
}

/// `voucher_expiry_datetime_utc`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_expiry_datetime_utc(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(10, || v.v.voucher_expiry_datetime_utc.clone())
    })
}

/// `voucher_redeemed_datetime`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_redeemed_datetime(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(11, || v.v.voucher_redeemed_datetime.clone())
    })
}

/// `user_id`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_user_id(
    v: *const vk_spaaza_voucher,
    out: *mut i64,
) -> bool {
    with(v, false, |v| put_opt(v.v.user_id, out))
}

/// `voucher_third_party_id`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_third_party_id(
    v: *const vk_spaaza_voucher,
    out: *mut i64,
) -> bool {
    with(v, false, |v| put_opt(v.v.voucher_third_party_id, out))
}

/// `campaign_id`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_campaign_id(
    v: *const vk_spaaza_voucher,
    out: *mut i64,
) -> bool {
    with(v, false, |v| put_opt(v.v.campaign_id, out))
}

/// `voucher_expiry_seconds_remaining`: seconds until the voucher expires, as Spaaza
/// counted them when it answered; true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_voucher_expiry_seconds_remaining(
    v: *const vk_spaaza_voucher,
    out: *mut i64,
) -> bool {
    with(v, false, |v| {
        put_opt(v.v.voucher_expiry_seconds_remaining, out)
    })
}

/// `campaign_title`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_campaign_title(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(14, || v.v.campaign_title.clone()))
}

/// `campaign_type`, e.g. `"basket"`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_campaign_type(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(15, || v.v.campaign_type.clone()))
}

/// The type of the end-user's card the voucher names (`user_entity_card.type` on the wire,
/// e.g. `"regular"`); NULL when the voucher names no card or the card no type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_user_entity_card_type(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(16, || {
            v.v.user_entity_card
                .as_ref()
                .and_then(|c| c.card_type.clone())
        })
    })
}

/// The code of the end-user's card the voucher names; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_user_entity_card_code(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(17, || {
            v.v.user_entity_card.as_ref().and_then(|c| c.code.clone())
        })
    })
}

/// Whether the voucher names an end-user card at all (its type and code may still be
/// absent).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_has_user_entity_card(
    v: *const vk_spaaza_voucher,
) -> bool {
    with(v, false, |v| v.v.user_entity_card.is_some())
}

/// A voucher re-issued after a partial redeem: the voucher it was re-issued from
/// (borrowed: valid while `v` is; never freed on its own); NULL when there is none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_parent_voucher(
    v: *const vk_spaaza_voucher,
) -> *const vk_spaaza_voucher {
    with(v, std::ptr::null(), |v| {
        v.parent
            .as_deref()
            .map_or(std::ptr::null(), |p| p as *const _)
    })
}

/// After a partial redeem: the new voucher holding the remainder (borrowed: valid while
/// `v` is; never freed on its own); NULL when there is none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_regenerated_voucher(
    v: *const vk_spaaza_voucher,
) -> *const vk_spaaza_voucher {
    with(v, std::ptr::null(), |v| {
        v.regenerated
            .as_deref()
            .map_or(std::ptr::null(), |r| r as *const _)
    })
}

/// How many warnings the answer carried (0 when none; only on a top-level voucher).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_warning_count(v: *const vk_spaaza_voucher) -> usize {
    with(v, 0, |v| v.warnings.len())
}

/// Warning `i` (borrowed); NULL when out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_warning_at(
    v: *const vk_spaaza_voucher,
    i: usize,
) -> *const vk_spaaza_warning {
    with(v, std::ptr::null(), |v| {
        v.warnings
            .get(i)
            .map_or(std::ptr::null(), |w| w as *const _)
    })
}

/// The voucher object as sent, as JSON text (fields Spaaza adds later are kept).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_raw_json(v: *const vk_spaaza_voucher) -> *const c_char {
    with(v, NULL, |v| v.s.get(12, || Some(v.v.raw.to_string())))
}

/// The id of the journal entry that recorded this redeem-voucher (vk_journal_entry_get());
/// NULL for other operations, list items and a client without a journal.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_journal_id(
    v: *const vk_spaaza_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(13, || v.v.journal_id.clone()))
}

// ---- vk_spaaza_warning ----

/// The warning's numeric `code`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_warning_code(
    w: *const vk_spaaza_warning,
    out: *mut i64,
) -> bool {
    with(w, false, |w| put_opt(w.w.code, out))
}

/// The warning's `name`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_warning_name(w: *const vk_spaaza_warning) -> *const c_char {
    with(w, NULL, |w| w.s.get(0, || w.w.name.clone()))
}

/// The warning's `description`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_warning_description(
    w: *const vk_spaaza_warning,
) -> *const c_char {
    with(w, NULL, |w| w.s.get(1, || w.w.description.clone()))
}

/// The warning's `message`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_warning_message(w: *const vk_spaaza_warning) -> *const c_char {
    with(w, NULL, |w| w.s.get(2, || w.w.message.clone()))
}

// ---- vk_spaaza_voucher_list ----

/// Frees a voucher list (and every voucher in it); NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_list_free(l: *mut vk_spaaza_voucher_list) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(l) }
}

/// `results_count_total`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_list_results_count_total(
    l: *const vk_spaaza_voucher_list,
    out: *mut i64,
) -> bool {
    with(l, false, |l| put_opt(l.l.results_count_total, out))
}

/// How many vouchers the list holds.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_list_count(l: *const vk_spaaza_voucher_list) -> usize {
    with(l, 0, |l| l.vouchers.len())
}

/// Voucher `i` (borrowed: valid while the list is; never freed on its own); NULL when out
/// of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_list_at(
    l: *const vk_spaaza_voucher_list,
    i: usize,
) -> *const vk_spaaza_voucher {
    with(l, std::ptr::null(), |l| {
        l.vouchers
            .get(i)
            .map_or(std::ptr::null(), |v| v as *const _)
    })
}

/// How many warnings the answer carried.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_list_warning_count(
    l: *const vk_spaaza_voucher_list,
) -> usize {
    with(l, 0, |l| l.warnings.len())
}

/// Warning `i` (borrowed); NULL when out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_list_warning_at(
    l: *const vk_spaaza_voucher_list,
    i: usize,
) -> *const vk_spaaza_warning {
    with(l, std::ptr::null(), |l| {
        l.warnings
            .get(i)
            .map_or(std::ptr::null(), |w| w as *const _)
    })
}

/// The answer's `results` object as JSON text.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_voucher_list_raw_json(
    l: *const vk_spaaza_voucher_list,
) -> *const c_char {
    with(l, NULL, |l| l.s.get(0, || Some(l.l.raw.to_string())))
}
