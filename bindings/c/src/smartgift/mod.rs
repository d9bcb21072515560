//! Smart Gift: the client, its config and its five operations.

mod results;

use std::ffi::c_char;

use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, MetaCondition, PRODUCTION_URL, RedeemRequest, ReleaseRequest,
    ReverseRequest, SiteId, SmartGift, SmartGiftConfig,
};
use voucherkit_core::{Error, Provider, Secret};

pub use self::results::{
    vk_smartgift_experience, vk_smartgift_held, vk_smartgift_redemption, vk_smartgift_released,
    vk_smartgift_reversed, vk_smartgift_voucher,
};
use crate::error::vk_error;
use crate::ffi::{self, handle, opt_slice, opt_str, opt_string, out_slot, req_str, str_list};
use crate::journal::{vk_journal, vk_journal_entry_list};
use crate::options::vk_client_options;
use crate::status::vk_status;

/// How to reach Smart Gift. Fill it with vk_smartgift_config_default(), then set
/// `api_key` (required) and whatever else you need. The library copies what it needs in
/// vk_smartgift_new(): the strings may be freed afterwards.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vk_smartgift_config {
    /// The secret key, sent as `Smart-Auth` (never logged or shown in errors). Required.
    pub api_key: *const c_char,
    /// The API's base URL; NULL for production (`https://api.smart-gift.co.uk`).
    pub base_url: *const c_char,
    /// Timeouts, retries, TLS, proxy and logging.
    pub options: vk_client_options,
    /// The journal that records redeems and reverses (see vk_journal_open()); NULL for
    /// none. The client keeps its own reference: the handle may be freed once
    /// vk_smartgift_new() has returned.
    pub journal: *const vk_journal,
}

/// A Smart Gift client: one connection pool inside. Thread-safe: share one between
/// threads. Make with vk_smartgift_new(), free with vk_smartgift_free().
pub struct vk_smartgift {
    client: SmartGift,
    base_url: std::ffi::CString,
    user_agent: std::ffi::CString,
}

/// One voucher meta condition for vk_smartgift_check()
/// (`{"key": "used_in", "operator": "in", "value": [...]}` on the wire).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vk_meta_condition {
    /// The meta record's key. Required.
    pub key: *const c_char,
    /// The operator (`"in"` is documented). Required. (Not `operator`: a C++ keyword.)
    pub op: *const c_char,
    /// The values, `values_len` strings; NULL with 0 for none.
    pub values: *const *const c_char,
    /// How many `values`.
    pub values_len: usize,
}

const PROVIDER: Option<Provider> = Some(Provider::SmartGift);

fn call(err: *mut *mut vk_error, f: impl FnOnce() -> Result<(), Error>) -> vk_status {
    ffi::call(err, PROVIDER, f)
}

/// The default config: no key, production URL, connect timeout 5 s, timeout 30 s,
/// 2 retries, no CA bundle, no proxy, https only, no logging, no journal. The strings in
/// it are static.
#[unsafe(no_mangle)]
pub extern "C" fn vk_smartgift_config_default() -> vk_smartgift_config {
    vk_smartgift_config {
        api_key: std::ptr::null(),
        base_url: std::ptr::null(),
        options: vk_client_options::defaults(),
        journal: std::ptr::null(),
    }
}

/// Checks `config` (nothing is sent) and makes a client in `*out`.
/// Fails with `VK_INVALID_REQUEST` naming the setting (`api_key`, `base_url`, …).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_new(
    config: *const vk_smartgift_config,
    out: *mut *mut vk_smartgift,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let config = unsafe { handle(config, "config") }?;
        let out = out_slot(out, "out")?;
        let api_key = unsafe { req_str(config.api_key, "api_key") }?;
        let core = SmartGiftConfig {
            journal: unsafe { config.journal.as_ref() }.map(|j| j.journal.clone()),
            api_key: Secret::new(api_key),
            base_url: unsafe { opt_string(config.base_url, "base_url") }?,
            options: unsafe { config.options.to_core() }?,
        };
        let client = SmartGift::new(core)?;
        out.put(vk_smartgift {
            base_url: ffi::c_string(client.base_url()),
            user_agent: ffi::c_string(client.user_agent()),
            client,
        });
        Ok(())
    })
}

/// Frees a client; NULL does nothing. No call may be running on it.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_free(client: *mut vk_smartgift) {
    // SAFETY: made by vk_smartgift_new, freed once.
    unsafe { ffi::free(client) }
}

/// The base URL the client sends to (owned by the client); NULL for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_base_url(client: *const vk_smartgift) -> *const c_char {
    ffi::with(client, ffi::NULL, |c| c.base_url.as_ptr())
}

/// The User-Agent every request carries, `voucherkit/<version> (c)` (owned by the client).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_user_agent(client: *const vk_smartgift) -> *const c_char {
    ffi::with(client, ffi::NULL, |c| c.user_agent.as_ptr())
}

/// The production base URL (static).
#[unsafe(no_mangle)]
pub extern "C" fn vk_smartgift_production_url() -> *const c_char {
    static URL: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    ffi::infallible(ffi::NULL, || {
        URL.get_or_init(|| ffi::c_string(PRODUCTION_URL)).as_ptr()
    })
}

fn site(site_id: &str) -> SiteId {
    SiteId::Text(site_id.to_owned())
}

/// `POST /redeem/check`: what a voucher is worth at a site (a read: safe to retry).
///
/// `site_id` is the site number as text (`"12"`). `classifications` (`classifications_len`
/// strings) and `meta_conditions` (`meta_conditions_len` items) filter the experiences;
/// NULL with 0 for none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_check(
    client: *const vk_smartgift,
    voucher_no: *const c_char,
    site_id: *const c_char,
    classifications: *const *const c_char,
    classifications_len: usize,
    meta_conditions: *const vk_meta_condition,
    meta_conditions_len: usize,
    out: *mut *mut vk_smartgift_voucher,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let out = out_slot(out, "out")?;
        let mut req = CheckRequest::new(
            unsafe { req_str(voucher_no, "voucher_no") }?,
            site(unsafe { req_str(site_id, "site_id") }?),
        );
        req.classifications =
            unsafe { str_list(classifications, classifications_len, "classifications") }?;
        let conds = unsafe { opt_slice(meta_conditions, meta_conditions_len, "meta_conditions") }?;
        for m in conds.unwrap_or_default() {
            req.meta_conditions.push(MetaCondition {
                key: unsafe { req_str(m.key, "meta_conditions") }?.to_owned(),
                operator: unsafe { req_str(m.op, "meta_conditions") }?.to_owned(),
                value: unsafe { str_list(m.values, m.values_len, "meta_conditions") }?,
            });
        }
        out.put(vk_smartgift_voucher::new(c.client.check(&req)?));
        Ok(())
    })
}

/// `POST /redeem/hold`: reserves the whole voucher for about five minutes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_hold(
    client: *const vk_smartgift,
    voucher_no: *const c_char,
    out: *mut *mut vk_smartgift_held,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let out = out_slot(out, "out")?;
        let req = HoldRequest {
            voucher_no: unsafe { req_str(voucher_no, "voucher_no") }?.to_owned(),
        };
        out.put(vk_smartgift_held::new(c.client.hold(&req)?));
        Ok(())
    })
}

/// `POST /redeem`: redeems money or experiences from a voucher.
///
/// Give exactly one of `value` (money as a decimal string, `"10.00"`, at most 2 places)
/// and `experiences` (`experiences_len` bit values from vk_smartgift_check(); NULL with 0
/// for none, a pointer with 0 is an empty list). `hold_token` is optional (NULL).
/// On `VK_OUTCOME_UNKNOWN` the redeem may have happened: check the voucher first (or,
/// with a journal, call vk_smartgift_reconcile()). vk_smartgift_redeem_ref() also takes
/// the till's reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_redeem(
    client: *const vk_smartgift,
    voucher_no: *const c_char,
    site_id: *const c_char,
    value: *const c_char,
    experiences: *const i64,
    experiences_len: usize,
    hold_token: *const c_char,
    out: *mut *mut vk_smartgift_redemption,
    err: *mut *mut vk_error,
) -> vk_status {
    // SAFETY: forwarded, as documented.
    unsafe {
        vk_smartgift_redeem_ref(
            client,
            voucher_no,
            site_id,
            value,
            experiences,
            experiences_len,
            hold_token,
            std::ptr::null(),
            out,
            err,
        )
    }
}

/// vk_smartgift_redeem() with `reference`: the till's own id for the sale or basket
/// (NULL for none). A journaled client stores it on the entry (find it again with
/// vk_journal_entries()); it is never sent to Smart Gift, and a client without a journal
/// ignores it. With a journal the voucher is read first (`check`); if that read fails,
/// nothing is redeemed and its error is returned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_redeem_ref(
    client: *const vk_smartgift,
    voucher_no: *const c_char,
    site_id: *const c_char,
    value: *const c_char,
    experiences: *const i64,
    experiences_len: usize,
    hold_token: *const c_char,
    reference: *const c_char,
    out: *mut *mut vk_smartgift_redemption,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let out = out_slot(out, "out")?;
        let req = RedeemRequest {
            reference: unsafe { opt_string(reference, "reference") }?,
            voucher_no: unsafe { req_str(voucher_no, "voucher_no") }?.to_owned(),
            site_id: site(unsafe { req_str(site_id, "site_id") }?),
            value: unsafe { opt_str(value, "value") }?.map(Into::into),
            experiences: unsafe { opt_slice(experiences, experiences_len, "experiences") }?
                .map(<[i64]>::to_vec),
            hold_token: unsafe { opt_string(hold_token, "hold_token") }?,
        };
        out.put(vk_smartgift_redemption::new(c.client.redeem(&req)?));
        Ok(())
    })
}

/// `POST /redeem/release`: gives up a hold before it expires.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_release(
    client: *const vk_smartgift,
    voucher_no: *const c_char,
    hold_token: *const c_char,
    out: *mut *mut vk_smartgift_released,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let out = out_slot(out, "out")?;
        let req = ReleaseRequest {
            voucher_no: unsafe { req_str(voucher_no, "voucher_no") }?.to_owned(),
            hold_token: unsafe { req_str(hold_token, "hold_token") }?.to_owned(),
        };
        out.put(vk_smartgift_released::new(c.client.release(&req)?));
        Ok(())
    })
}

/// `POST /redeem/reverse`: undoes redemptions (`redemptions_len` ids from a redeem).
/// Journaled like a redeem; vk_smartgift_reverse_ref() also takes the till's reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_reverse(
    client: *const vk_smartgift,
    voucher_no: *const c_char,
    site_id: *const c_char,
    redemptions: *const i64,
    redemptions_len: usize,
    out: *mut *mut vk_smartgift_reversed,
    err: *mut *mut vk_error,
) -> vk_status {
    // SAFETY: forwarded, as documented.
    unsafe {
        vk_smartgift_reverse_ref(
            client,
            voucher_no,
            site_id,
            redemptions,
            redemptions_len,
            std::ptr::null(),
            out,
            err,
        )
    }
}

/// vk_smartgift_reverse() with `reference` (NULL for none), stored on the journal entry
/// as for vk_smartgift_redeem_ref(); never sent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_reverse_ref(
    client: *const vk_smartgift,
    voucher_no: *const c_char,
    site_id: *const c_char,
    redemptions: *const i64,
    redemptions_len: usize,
    reference: *const c_char,
    out: *mut *mut vk_smartgift_reversed,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let out = out_slot(out, "out")?;
        let req = ReverseRequest {
            reference: unsafe { opt_string(reference, "reference") }?,
            voucher_no: unsafe { req_str(voucher_no, "voucher_no") }?.to_owned(),
            site_id: site(unsafe { req_str(site_id, "site_id") }?),
            redemptions: unsafe { opt_slice(redemptions, redemptions_len, "redemptions") }?
                .map(<[i64]>::to_vec)
                .unwrap_or_default(),
        };
        out.put(vk_smartgift_reversed::new(c.client.reverse(&req)?));
        Ok(())
    })
}

/// Settles this account's journal entries whose outcome is unknown (and `pending` ones
/// whose process died mid-call) by reading each voucher again. `*out` holds exactly the
/// entries this call examined, in their state afterwards (an empty list when none was
/// open); one the provider could not be read for stays `unknown` with a note. Fails only
/// when the journal itself fails (`VK_JOURNAL`), or with `VK_INVALID_REQUEST` (field
/// `journal`) for a client built without a journal. Free `*out` with
/// vk_journal_entry_list_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_smartgift_reconcile(
    client: *const vk_smartgift,
    out: *mut *mut vk_journal_entry_list,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY: NULL or a live handle.
        let c = unsafe { handle(client, "client") }?;
        let out = out_slot(out, "out")?;
        out.put(vk_journal_entry_list::new(c.client.reconcile()?));
        Ok(())
    })
}
