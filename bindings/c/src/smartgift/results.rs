//! Smart Gift results: opaque handles read through accessors.
//!
//! Strings are owned by their handle (made on first read); NULL means absent. Money is a
//! decimal string with the provider's own digits (`10` → `"10"`, `10.5` → `"10.5"`).

use std::ffi::c_char;

use voucherkit_core::smartgift::{
    Experience, Hold, Redemption, Released, Reversed, SmartGiftVoucher,
};

use crate::ffi::{self, NULL, Strings, put_opt, with};

/// The answer to vk_smartgift_check(). Free with vk_smartgift_voucher_free().
pub struct vk_smartgift_voucher {
    v: SmartGiftVoucher,
    experiences: Vec<vk_smartgift_experience>,
    s: Strings,
}

/// One experience of a checked voucher; borrowed from its vk_smartgift_voucher (never
/// freed on its own).
pub struct vk_smartgift_experience {
    e: Experience,
    s: Strings,
}

/// The answer to vk_smartgift_hold(). Free with vk_smartgift_held_free().
pub struct vk_smartgift_held {
    h: Hold,
    s: Strings,
}

/// The answer to vk_smartgift_redeem(). Free with vk_smartgift_redemption_free().
pub struct vk_smartgift_redemption {
    r: Redemption,
    s: Strings,
}

/// The answer to vk_smartgift_release(). Free with vk_smartgift_released_free().
pub struct vk_smartgift_released {
    r: Released,
    s: Strings,
}

/// The answer to vk_smartgift_reverse(). Free with vk_smartgift_reversed_free().
pub struct vk_smartgift_reversed {
    r: Reversed,
    s: Strings,
}

impl vk_smartgift_voucher {
    pub(crate) fn new(mut v: SmartGiftVoucher) -> vk_smartgift_voucher {
        let experiences = std::mem::take(&mut v.experiences)
            .into_iter()
            .map(|e| vk_smartgift_experience {
                e,
                s: Strings::new(2),
            })
            .collect();
        vk_smartgift_voucher {
            v,
            experiences,
            s: Strings::new(8),
        }
    }
}

impl vk_smartgift_held {
    pub(crate) fn new(h: Hold) -> vk_smartgift_held {
        vk_smartgift_held {
            h,
            s: Strings::new(3),
        }
    }
}

impl vk_smartgift_redemption {
    pub(crate) fn new(r: Redemption) -> vk_smartgift_redemption {
        vk_smartgift_redemption {
            r,
            s: Strings::new(3),
        }
    }
}

impl vk_smartgift_released {
    pub(crate) fn new(r: Released) -> vk_smartgift_released {
        vk_smartgift_released {
            r,
            s: Strings::new(2),
        }
    }
}

impl vk_smartgift_reversed {
    pub(crate) fn new(r: Reversed) -> vk_smartgift_reversed {
        vk_smartgift_reversed {
            r,
            s: Strings::new(3),
        }
    }
}

fn json(v: &voucherkit_core::Value) -> Option<String> {
    Some(v.to_string())
}

// ---- vk_smartgift_voucher ----

/// Frees a checked voucher (and its experiences); NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_free(v: *mut vk_smartgift_voucher) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(v) }
}

/// The voucher's `id`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_id(
    v: *const vk_smartgift_voucher,
    out: *mut i64,
) -> bool {
    with(v, false, |v| put_opt(v.v.id, out))
}

/// The voucher's `name`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_name(
    v: *const vk_smartgift_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(0, || v.v.name.clone()))
}

/// The voucher's `description`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_description(
    v: *const vk_smartgift_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(1, || v.v.description.clone()))
}

/// The voucher number as the provider sent it; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_voucher_no(
    v: *const vk_smartgift_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(2, || v.v.voucher_no.clone()))
}

/// Money left (monetary) or the sum of unused experiences' bit values (experience), as a
/// decimal string with the provider's digits; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_remaining_value(
    v: *const vk_smartgift_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(3, || v.v.remaining_value.map(|d| d.to_string()))
    })
}

/// The wire `type`: `"monetary"` or `"experience"` (others kept as sent); NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_voucher_type(
    v: *const vk_smartgift_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(4, || v.v.voucher_type.clone()))
}

/// `sold_out`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_sold_out(
    v: *const vk_smartgift_voucher,
    out: *mut bool,
) -> bool {
    with(v, false, |v| put_opt(v.v.sold_out, out))
}

/// How many experiences are redeemable at this site.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_experience_count(
    v: *const vk_smartgift_voucher,
) -> usize {
    with(v, 0, |v| v.experiences.len())
}

/// Experience `i` (borrowed: valid while the voucher is); NULL when out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_experience_at(
    v: *const vk_smartgift_voucher,
    i: usize,
) -> *const vk_smartgift_experience {
    with(v, std::ptr::null(), |v| {
        v.experiences
            .get(i)
            .map_or(std::ptr::null(), |e| e as *const _)
    })
}

/// `available_to_redeem` as JSON text (undocumented shape, kept as sent); NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_available_to_redeem_json(
    v: *const vk_smartgift_voucher,
) -> *const c_char {
    with(v, NULL, |v| {
        v.s.get(5, || {
            v.v.available_to_redeem.as_ref().map(|a| a.to_string())
        })
    })
}

/// The answer's `data` object as JSON text (fields the provider adds later are kept).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_voucher_raw_json(
    v: *const vk_smartgift_voucher,
) -> *const c_char {
    with(v, NULL, |v| v.s.get(6, || json(&v.v.raw)))
}

// ---- vk_smartgift_experience ----

/// The experience's `bit_value` (pass it to vk_smartgift_redeem()): true and `*out` set
/// when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_experience_bit_value(
    e: *const vk_smartgift_experience,
    out: *mut u64,
) -> bool {
    with(e, false, |e| put_opt(e.e.bit_value, out))
}

/// The experience's `id`: true and `*out` set when present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_experience_id(
    e: *const vk_smartgift_experience,
    out: *mut i64,
) -> bool {
    with(e, false, |e| put_opt(e.e.id, out))
}

/// The experience's `name`; NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_experience_name(
    e: *const vk_smartgift_experience,
) -> *const c_char {
    with(e, NULL, |e| e.s.get(0, || e.e.name.clone()))
}

/// The experience object as JSON text.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_experience_raw_json(
    e: *const vk_smartgift_experience,
) -> *const c_char {
    with(e, NULL, |e| e.s.get(1, || json(&e.e.raw)))
}

// ---- vk_smartgift_held ----

/// Frees a hold; NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_held_free(h: *mut vk_smartgift_held) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(h) }
}

/// The provider's message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_held_message(h: *const vk_smartgift_held) -> *const c_char {
    with(h, NULL, |h| h.s.get(0, || Some(h.h.message.clone())))
}

/// The hold token: pass it to vk_smartgift_release() (and optionally vk_smartgift_redeem()).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_held_hold_token(
    h: *const vk_smartgift_held,
) -> *const c_char {
    with(h, NULL, |h| h.s.get(1, || Some(h.h.hold_token.clone())))
}

/// When the answer arrived, in milliseconds since the Unix epoch: the hold lasts about five
/// minutes from then.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_held_received_at_ms(h: *const vk_smartgift_held) -> u64 {
    with(h, 0, |h| {
        h.h.received_at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis().min(u64::MAX as u128) as u64)
    })
}

/// When the hold lapses, in milliseconds since the Unix epoch: received_at + five
/// minutes, by this till's clock (Smart Gift gives no time of its own).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_held_expires_at_ms(h: *const vk_smartgift_held) -> u64 {
    with(h, 0, |h| {
        h.h.expires_at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis().min(u64::MAX as u128) as u64)
    })
}

/// The answer's root object as JSON text.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_held_raw_json(h: *const vk_smartgift_held) -> *const c_char {
    with(h, NULL, |h| h.s.get(2, || json(&h.h.raw)))
}

// ---- vk_smartgift_redemption ----

/// Frees a redemption; NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_redemption_free(r: *mut vk_smartgift_redemption) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(r) }
}

/// The provider's message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_redemption_message(
    r: *const vk_smartgift_redemption,
) -> *const c_char {
    with(r, NULL, |r| r.s.get(0, || Some(r.r.message.clone())))
}

/// How many redemption ids came back (keep them: vk_smartgift_reverse() needs them).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_redemption_count(r: *const vk_smartgift_redemption) -> usize {
    with(r, 0, |r| r.r.redemptions.len())
}

/// Redemption id `i`: true and `*out` set when `i` is in range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_redemption_at(
    r: *const vk_smartgift_redemption,
    i: usize,
    out: *mut u64,
) -> bool {
    with(r, false, |r| put_opt(r.r.redemptions.get(i).copied(), out))
}

/// The answer's `data` object as JSON text.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_redemption_raw_json(
    r: *const vk_smartgift_redemption,
) -> *const c_char {
    with(r, NULL, |r| r.s.get(1, || json(&r.r.raw)))
}

/// The id of the journal entry that recorded this redeem (vk_journal_entry_get()); NULL
/// when the client has no journal.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_redemption_journal_id(
    r: *const vk_smartgift_redemption,
) -> *const c_char {
    with(r, NULL, |r| r.s.get(2, || r.r.journal_id.clone()))
}

// ---- vk_smartgift_released ----

/// Frees a release result; NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_released_free(r: *mut vk_smartgift_released) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(r) }
}

/// The provider's message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_released_message(
    r: *const vk_smartgift_released,
) -> *const c_char {
    with(r, NULL, |r| r.s.get(0, || Some(r.r.message.clone())))
}

/// The answer's root object as JSON text.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_released_raw_json(
    r: *const vk_smartgift_released,
) -> *const c_char {
    with(r, NULL, |r| r.s.get(1, || json(&r.r.raw)))
}

// ---- vk_smartgift_reversed ----

/// Frees a reverse result; NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_reversed_free(r: *mut vk_smartgift_reversed) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(r) }
}

/// The provider's message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_reversed_message(
    r: *const vk_smartgift_reversed,
) -> *const c_char {
    with(r, NULL, |r| r.s.get(0, || Some(r.r.message.clone())))
}

/// The answer's root object as JSON text.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_reversed_raw_json(
    r: *const vk_smartgift_reversed,
) -> *const c_char {
    with(r, NULL, |r| r.s.get(1, || json(&r.r.raw)))
}

/// The id of the journal entry that recorded this reverse; NULL when the client has no
/// journal.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_reversed_journal_id(
    r: *const vk_smartgift_reversed,
) -> *const c_char {
    with(r, NULL, |r| r.s.get(2, || r.r.journal_id.clone()))
}
