//! Spaaza: the client, its config and its six operations.

mod results;

use std::ffi::{c_char, c_void};

use voucherkit_core::spaaza::{
    ClaimRequest, DEFAULT_API_VERSION, GetVouchersRequest, LockVoucherRequest, PRODUCTION_URL,
    RedeemVoucherRequest, Spaaza, SpaazaAuth, SpaazaConfig, UnlockVoucherRequest,
};
use voucherkit_core::{Error, Provider, Secret};

pub use self::results::{vk_spaaza_voucher, vk_spaaza_voucher_list, vk_spaaza_warning};
use crate::error::vk_error;
use crate::ffi::{self, handle, opt_int, opt_str, opt_string, out_slot};
use crate::journal::{vk_journal, vk_journal_entry_list};
use crate::options::vk_client_options;
use crate::status::vk_status;

/// How a Spaaza client authenticates: one of the `VK_SPAAZA_AUTH_*` values. Any other
/// value is refused with `VK_INVALID_REQUEST` (field `auth`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct vk_spaaza_auth(pub u32);

/// An admin session (`X-Spaaza-Session-User-Id` + `X-Spaaza-Session-Key`): the till case.
pub const VK_SPAAZA_AUTH_ADMIN: vk_spaaza_auth = vk_spaaza_auth(0);
/// An end-user session; also sends the app hostname.
pub const VK_SPAAZA_AUTH_USER: vk_spaaza_auth = vk_spaaza_auth(1);
/// `Authorization: Bearer <bearer_token>` plus the app hostname.
pub const VK_SPAAZA_AUTH_PRIVILEGED: vk_spaaza_auth = vk_spaaza_auth(2);

impl vk_spaaza_auth {
    fn to_core(self) -> Result<SpaazaAuth, Error> {
        match self {
            VK_SPAAZA_AUTH_ADMIN => Ok(SpaazaAuth::Admin),
            VK_SPAAZA_AUTH_USER => Ok(SpaazaAuth::User),
            VK_SPAAZA_AUTH_PRIVILEGED => Ok(SpaazaAuth::Privileged),
            vk_spaaza_auth(other) => Err(Error::invalid(
                "auth",
                format!("auth must be one of VK_SPAAZA_AUTH_ADMIN/USER/PRIVILEGED, got {other}"),
            )),
        }
    }
}

/// How to reach Spaaza and who the client is. Fill it with vk_spaaza_config_default(),
/// then set the session (admin and user auth) or the bearer token and app hostname
/// (privileged auth). The library copies what it needs in vk_spaaza_new().
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vk_spaaza_config {
    /// Default `VK_SPAAZA_AUTH_ADMIN`.
    pub auth: vk_spaaza_auth,
    /// Admin and user auth: the session's user id (> 0). Not used by privileged auth.
    pub session_user_id: i64,
    /// Admin and user auth: the session key (never logged or shown in errors).
    pub session_key: *const c_char,
    /// `X-Spaaza-API-Version`; default `"1.6.3"`.
    pub api_version: *const c_char,
    /// User and privileged auth: `X-Spaaza-MyPrice-App-Hostname` (never sent with admin
    /// auth); NULL for none.
    pub app_hostname: *const c_char,
    /// Privileged auth: the bearer token (never logged or shown in errors); NULL for none.
    pub bearer_token: *const c_char,
    /// The API's base URL; NULL for production (`https://api0.spaaza.com`).
    pub base_url: *const c_char,
    /// Timeouts, retries, TLS, proxy and logging.
    pub options: vk_client_options,
    /// The journal that records redeem-vouchers (see vk_journal_open()); NULL for none.
    /// A journaled client needs `voucher_id` on every redeem-voucher. The client keeps its
    /// own reference: the handle may be freed once vk_spaaza_new() has returned.
    pub journal: *const vk_journal,
}

/// A Spaaza client: one connection pool inside. Thread-safe: share one between threads.
/// Make with vk_spaaza_new(), free with vk_spaaza_free().
pub struct vk_spaaza {
    client: Spaaza,
    base_url: std::ffi::CString,
    user_agent: std::ffi::CString,
}

/// Input of vk_spaaza_claim_voucher() and vk_spaaza_unclaim_voucher(). A zero-initialised
/// struct (`{0}`) has every field absent. Give exactly one voucher identifier
/// (`voucher_key`, `voucher_id`, `third_party_id`) and, under admin or privileged auth,
/// exactly one end-user identifier (`user_id`, `member_number`, `username`,
/// `authentication_point_identifier`, `auxiliary_identifier`); admin also needs
/// `chain_id`. Pointers are NULL when absent.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vk_spaaza_claim_request {
    /// The chain (required under admin auth); NULL when absent.
    pub chain_id: *const i64,
    /// Voucher identifier: the key; NULL when absent.
    pub voucher_key: *const c_char,
    /// Voucher identifier: the id; NULL when absent.
    pub voucher_id: *const i64,
    /// Voucher identifier: the third-party id; NULL when absent.
    pub third_party_id: *const i64,
    /// End-user identifier: the user id; NULL when absent.
    pub user_id: *const i64,
    /// End-user identifier: the member number; NULL when absent.
    pub member_number: *const c_char,
    /// End-user identifier: the username (an email address); NULL when absent.
    pub username: *const c_char,
    /// End-user identifier: the authentication point identifier; NULL when absent.
    pub authentication_point_identifier: *const c_char,
    /// End-user identifier: the auxiliary identifier; NULL when absent.
    pub auxiliary_identifier: *const c_char,
}

/// Input of vk_spaaza_get_vouchers(). A zero-initialised struct has every filter absent
/// (flags false); `chain_id` is required. Pointers are NULL when absent.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vk_spaaza_get_vouchers_request {
    /// The chain. Required (> 0).
    pub chain_id: i64,
    /// Only this voucher; NULL for any.
    pub voucher_id: *const i64,
    /// Only this end-user's vouchers; NULL for any.
    pub user_id: *const i64,
    /// Only this end-user (email); NULL for any.
    pub username: *const c_char,
    /// Only this member number; NULL for any.
    pub member_number: *const c_char,
    /// Only this authentication point identifier; NULL for any.
    pub authentication_point_identifier: *const c_char,
    /// Only this campaign; NULL for any.
    pub campaign_id: *const i64,
    /// Generated, claimed and redeemed together (what reconciliation wants).
    pub show_all_statuses: bool,
    /// Include redeemed vouchers.
    pub show_redeemed: bool,
    /// Include expired vouchers.
    pub show_expired: bool,
    /// Leave regenerated vouchers out.
    pub exclude_regenerated: bool,
    /// Page size (> 0); NULL for the provider's default.
    pub number_results: *const i64,
    /// Page offset (>= 0); NULL for 0.
    pub results_offset: *const i64,
    /// Created at or after this time (as Spaaza writes times); NULL for any.
    pub min_created_datetime: *const c_char,
    /// Created at or before this time; NULL for any.
    pub max_created_datetime: *const c_char,
    /// Expiring at or after this time; NULL for any.
    pub min_expiry_datetime: *const c_char,
    /// Expiring at or before this time; NULL for any.
    pub max_expiry_datetime: *const c_char,
    /// Redeemed at or after this time; NULL for any.
    pub min_redeemed_datetime: *const c_char,
    /// Redeemed at or before this time; NULL for any.
    pub max_redeemed_datetime: *const c_char,
}

const PROVIDER: Option<Provider> = Some(Provider::Spaaza);

fn call(err: *mut *mut vk_error, f: impl FnOnce() -> Result<(), Error>) -> vk_status {
    ffi::call(err, PROVIDER, f)
}

/// The default config: admin auth, no session, API version "1.6.3", production URL,
/// connect timeout 5 s, timeout 30 s, 2 retries, no CA bundle, no proxy, https only, no
/// logging, no journal. The strings in it are static.
#[unsafe(no_mangle)]
pub extern "C" fn vk_spaaza_config_default() -> vk_spaaza_config {
    static VERSION: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    vk_spaaza_config {
        auth: VK_SPAAZA_AUTH_ADMIN,
        session_user_id: 0,
        session_key: std::ptr::null(),
        api_version: ffi::infallible(ffi::NULL, || {
            VERSION
                .get_or_init(|| ffi::c_string(DEFAULT_API_VERSION))
                .as_ptr()
        }),
        app_hostname: std::ptr::null(),
        bearer_token: std::ptr::null(),
        base_url: std::ptr::null(),
        options: vk_client_options::defaults(),
        journal: std::ptr::null(),
    }
}

/// The base URL the client sends to (owned by the client); NULL for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_base_url(client: *const vk_spaaza) -> *const c_char {
    ffi::with(client, ffi::NULL, |c| c.base_url.as_ptr())
}

/// The User-Agent every request carries, `voucherkit/<version> (c)` (owned by the client).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_user_agent(client: *const vk_spaaza) -> *const c_char {
    ffi::with(client, ffi::NULL, |c| c.user_agent.as_ptr())
}

/// The production base URL (static).
#[unsafe(no_mangle)]
pub extern "C" fn vk_spaaza_production_url() -> *const c_char {
    static URL: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    ffi::infallible(ffi::NULL, || {
        URL.get_or_init(|| ffi::c_string(PRODUCTION_URL)).as_ptr()
    })
}

/// Checks `config` (nothing is sent) and makes a client in `*out`.
/// Fails with `VK_INVALID_REQUEST` naming the setting (`auth`, `session_key`, …).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_new(
    config: *const vk_spaaza_config,
    out: *mut *mut vk_spaaza,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let config = unsafe { handle(config, "config") }?;
        let out = out_slot(out, "out")?;
        let api_version =
            unsafe { opt_str(config.api_version, "api_version") }?.unwrap_or(DEFAULT_API_VERSION);
        let core = SpaazaConfig {
            journal: unsafe { config.journal.as_ref() }.map(|j| j.journal.clone()),
            auth: config.auth.to_core()?,
            session_user_id: Some(config.session_user_id),
            session_key: unsafe { opt_str(config.session_key, "session_key") }?.map(Secret::new),
            app_hostname: unsafe { opt_string(config.app_hostname, "app_hostname") }?,
            bearer_token: unsafe { opt_str(config.bearer_token, "bearer_token") }?.map(Secret::new),
            api_version: api_version.to_owned(),
            base_url: unsafe { opt_string(config.base_url, "base_url") }?,
            options: unsafe { config.options.to_core() }?,
        };
        let client = Spaaza::new(core)?;
        out.put(vk_spaaza {
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
pub unsafe extern "C" fn vk_spaaza_free(client: *mut vk_spaaza) {
    // SAFETY: made by vk_spaaza_new, freed once.
    unsafe { ffi::free(client) }
}

/// `POST /auth/redeem-voucher`: redeems a voucher, wholly (`amount` NULL) or partly
/// (`amount` a decimal string, `"2.00"`; the remainder comes back as the regenerated
/// voucher). Give exactly one of `voucher_key` and `voucher_id`; `user_id` is optional.
/// On `VK_OUTCOME_UNKNOWN` the redeem may have happened: read the voucher first (or, with
/// a journal, call vk_spaaza_reconcile()). vk_spaaza_redeem_voucher_ref() also takes the
/// till's reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_redeem_voucher(
    client: *const vk_spaaza,
    chain_id: i64,
    voucher_key: *const c_char,
    voucher_id: *const i64,
    user_id: *const i64,
    amount: *const c_char,
    out: *mut *mut vk_spaaza_voucher,
    err: *mut *mut vk_error,
) -> vk_status {
    // SAFETY: forwarded, as documented.
    unsafe {
        vk_spaaza_redeem_voucher_ref(
            client,
            chain_id,
            voucher_key,
            voucher_id,
            user_id,
            amount,
            std::ptr::null(),
            out,
            err,
        )
    }
}

/// vk_spaaza_redeem_voucher() with `reference`: the till's own id for the sale or basket
/// (NULL for none), stored on the journal entry and never sent. A journaled client reads
/// the voucher first (`get-vouchers`) and so needs `voucher_id`: with only `voucher_key`
/// it is `VK_INVALID_REQUEST` (field `voucher_id`) and nothing is sent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_redeem_voucher_ref(
    client: *const vk_spaaza,
    chain_id: i64,
    voucher_key: *const c_char,
    voucher_id: *const i64,
    user_id: *const i64,
    amount: *const c_char,
    reference: *const c_char,
    out: *mut *mut vk_spaaza_voucher,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let out = out_slot(out, "out")?;
        let req = RedeemVoucherRequest {
            reference: unsafe { opt_string(reference, "reference") }?,
            chain_id,
            voucher_key: unsafe { opt_string(voucher_key, "voucher_key") }?,
            voucher_id: unsafe { opt_int(voucher_id) },
            user_id: unsafe { opt_int(user_id) },
            amount: unsafe { opt_str(amount, "amount") }?.map(Into::into),
        };
        out.put(vk_spaaza_voucher::new(c.client.redeem_voucher(&req)?));
        Ok(())
    })
}

/// Settles this account's journal entries whose outcome is unknown (and `pending` ones
/// whose process died mid-call) by reading each voucher again, as
/// vk_smartgift_reconcile() does. `VK_INVALID_REQUEST` (field `journal`) for a client
/// built without a journal. Free `*out` with vk_journal_entry_list_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_reconcile(
    client: *const vk_spaaza,
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

/// `POST /unlock-voucher`: unlocks a locked voucher. Give `voucher_key`, `voucher_id` or
/// both (then only the key is sent).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_unlock_voucher(
    client: *const vk_spaaza,
    voucher_key: *const c_char,
    voucher_id: *const i64,
    out: *mut *mut vk_spaaza_voucher,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let out = out_slot(out, "out")?;
        let req = UnlockVoucherRequest {
            voucher_key: unsafe { opt_string(voucher_key, "voucher_key") }?,
            voucher_id: unsafe { opt_int(voucher_id) },
        };
        out.put(vk_spaaza_voucher::new(c.client.unlock_voucher(&req)?));
        Ok(())
    })
}

unsafe fn claim_request(r: &vk_spaaza_claim_request) -> Result<ClaimRequest, Error> {
    // SAFETY (whole block): pointers are NULL or valid, as documented.
    unsafe {
        Ok(ClaimRequest {
            chain_id: opt_int(r.chain_id),
            voucher_key: opt_string(r.voucher_key, "voucher_key")?,
            voucher_id: opt_int(r.voucher_id),
            third_party_id: opt_int(r.third_party_id),
            user_id: opt_int(r.user_id),
            member_number: opt_string(r.member_number, "member_number")?,
            username: opt_string(r.username, "username")?,
            authentication_point_identifier: opt_string(
                r.authentication_point_identifier,
                "authentication_point_identifier",
            )?,
            auxiliary_identifier: opt_string(r.auxiliary_identifier, "auxiliary_identifier")?,
        })
    }
}

/// `POST /unclaim-voucher`: takes a claimed voucher back from its end-user.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_unclaim_voucher(
    client: *const vk_spaaza,
    request: *const vk_spaaza_claim_request,
    out: *mut *mut vk_spaaza_voucher,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let req = unsafe { claim_request(handle(request, "request")?) }?;
        let out = out_slot(out, "out")?;
        out.put(vk_spaaza_voucher::new(c.client.unclaim_voucher(&req)?));
        Ok(())
    })
}

/// `POST /claim-voucher`: gives a voucher to an end-user.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_claim_voucher(
    client: *const vk_spaaza,
    request: *const vk_spaaza_claim_request,
    out: *mut *mut vk_spaaza_voucher,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let req = unsafe { claim_request(handle(request, "request")?) }?;
        let out = out_slot(out, "out")?;
        out.put(vk_spaaza_voucher::new(c.client.claim_voucher(&req)?));
        Ok(())
    })
}

/// `PUT /lock-voucher`: locks a basket voucher to `retailer_basket_code` for
/// `voucher_lock_period` seconds (NULL: 300). Give exactly one of `voucher_key` and
/// `voucher_id`; `voucher_locking_code` is optional.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_lock_voucher(
    client: *const vk_spaaza,
    voucher_key: *const c_char,
    voucher_id: *const i64,
    retailer_basket_code: *const c_char,
    voucher_lock_period: *const i64,
    voucher_locking_code: *const c_char,
    out: *mut *mut vk_spaaza_voucher,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let out = out_slot(out, "out")?;
        let req = LockVoucherRequest {
            voucher_key: unsafe { opt_string(voucher_key, "voucher_key") }?,
            voucher_id: unsafe { opt_int(voucher_id) },
            retailer_basket_code: unsafe {
                ffi::req_str(retailer_basket_code, "retailer_basket_code")
            }?
            .to_owned(),
            voucher_lock_period: unsafe { opt_int(voucher_lock_period) },
            voucher_locking_code: unsafe {
                opt_string(voucher_locking_code, "voucher_locking_code")
            }?,
        };
        out.put(vk_spaaza_voucher::new(c.client.lock_voucher(&req)?));
        Ok(())
    })
}

/// `GET /get-vouchers`: reads vouchers of a chain (a read: safe to retry), e.g. to
/// reconcile after `VK_OUTCOME_UNKNOWN`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_get_vouchers(
    client: *const vk_spaaza,
    request: *const vk_spaaza_get_vouchers_request,
    out: *mut *mut vk_spaaza_voucher_list,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let r = unsafe { handle(request, "request") }?;
        let out = out_slot(out, "out")?;
        let req = unsafe { get_vouchers_request(r) }?;
        out.put(vk_spaaza_voucher_list::new(c.client.get_vouchers(&req)?));
        Ok(())
    })
}

/// The core's request from the C one (strings checked as UTF-8, naming the field).
///
/// # Safety
/// Every pointer in `r` is NULL or valid, as documented on the struct.
unsafe fn get_vouchers_request(
    r: &vk_spaaza_get_vouchers_request,
) -> Result<GetVouchersRequest, Error> {
    // SAFETY (whole block): as promised by the caller.
    let s = |p, name| unsafe { opt_string(p, name) };
    Ok(GetVouchersRequest {
        chain_id: r.chain_id,
        voucher_id: unsafe { opt_int(r.voucher_id) },
        user_id: unsafe { opt_int(r.user_id) },
        username: s(r.username, "username")?,
        member_number: s(r.member_number, "member_number")?,
        authentication_point_identifier: s(
            r.authentication_point_identifier,
            "authentication_point_identifier",
        )?,
        campaign_id: unsafe { opt_int(r.campaign_id) },
        show_all_statuses: r.show_all_statuses,
        show_redeemed: r.show_redeemed,
        show_expired: r.show_expired,
        exclude_regenerated: r.exclude_regenerated,
        number_results: unsafe { opt_int(r.number_results) },
        results_offset: unsafe { opt_int(r.results_offset) },
        min_created_datetime: s(r.min_created_datetime, "min_created_datetime")?,
        max_created_datetime: s(r.max_created_datetime, "max_created_datetime")?,
        min_expiry_datetime: s(r.min_expiry_datetime, "min_expiry_datetime")?,
        max_expiry_datetime: s(r.max_expiry_datetime, "max_expiry_datetime")?,
        min_redeemed_datetime: s(r.min_redeemed_datetime, "min_redeemed_datetime")?,
        max_redeemed_datetime: s(r.max_redeemed_datetime, "max_redeemed_datetime")?,
    })
}

/// Given each voucher by vk_spaaza_each_voucher(), with the `userdata` passed there. The
/// voucher is the callback's: free it with vk_spaaza_voucher_free() (now or later). Return
/// true for the next one, false to stop.
pub type vk_spaaza_voucher_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, voucher: *mut vk_spaaza_voucher) -> bool>;

/// Every voucher `request` selects, page after page, each given to `callback` as it
/// arrives: `number_results` vouchers a page (50 when NULL) from `results_offset` (0),
/// until a short page, `results_count_total`, `max` vouchers (NULL: no limit) or the
/// callback returning false. Each page is one `get-vouchers` read, made only when the
/// vouchers before it have been given. A page that fails ends the walk with its error
/// (the vouchers given before it stay the callback's). A NULL callback is
/// `VK_INVALID_REQUEST` (field `callback`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_spaaza_each_voucher(
    client: *const vk_spaaza,
    request: *const vk_spaaza_get_vouchers_request,
    max: *const usize,
    callback: vk_spaaza_voucher_callback,
    userdata: *mut c_void,
    err: *mut *mut vk_error,
) -> vk_status {
    call(err, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let c = unsafe { handle(client, "client") }?;
        let r = unsafe { handle(request, "request") }?;
        let cb = callback.ok_or_else(|| Error::invalid("callback", "callback must not be NULL"))?;
        let req = unsafe { get_vouchers_request(r) }?;
        for voucher in c.client.iter_vouchers(&req, unsafe { opt_int(max) }) {
            let raw = Box::into_raw(Box::new(vk_spaaza_voucher::new(voucher?)));
            // SAFETY: a C function pointer given by the caller; `raw` is now its own.
            if !unsafe { cb(userdata, raw) } {
                break;
            }
        }
        Ok(())
    })
}
