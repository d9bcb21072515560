//! `vk_status`: what every fallible call returns.

use voucherkit_core::ErrorKind;

/// What a call returns: `VK_OK` (0), or the kind of error (docs/errors.md), with the same
/// stable numbers as the core's `ErrorKind::code()`. Values are never renumbered, only
/// appended; `vk_error_kind_str()` gives each one's name.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct vk_status(pub u32);

/// Success.
pub const VK_OK: vk_status = vk_status(0);
/// Refused before sending: a parameter is missing or malformed (also a NULL pointer,
/// invalid UTF-8 or an out-of-range enum value from C).
pub const VK_INVALID_REQUEST: vk_status = vk_status(1);
/// The key or session is missing, wrong or expired.
pub const VK_AUTHENTICATION: vk_status = vk_status(2);
/// Authenticated, but not allowed to do this.
pub const VK_PERMISSION_DENIED: vk_status = vk_status(3);
/// The voucher does not exist.
pub const VK_VOUCHER_NOT_FOUND: vk_status = vk_status(4);
/// The voucher belongs to another company or chain.
pub const VK_VOUCHER_NOT_OWNED: vk_status = vk_status(5);
/// The voucher is outside its validity window.
pub const VK_VOUCHER_EXPIRED: vk_status = vk_status(6);
/// The voucher has nothing left to redeem.
pub const VK_VOUCHER_ALREADY_REDEEMED: vk_status = vk_status(7);
/// A release was asked for a voucher without a live hold.
pub const VK_VOUCHER_NOT_HELD: vk_status = vk_status(8);
/// Another till or basket holds or locks the voucher.
pub const VK_VOUCHER_LOCKED: vk_status = vk_status(9);
/// The site number is not one of the company's.
pub const VK_INVALID_SITE: vk_status = vk_status(10);
/// The provider refused the amount (exceeds the balance, etc.).
pub const VK_INVALID_AMOUNT: vk_status = vk_status(11);
/// Too many requests; see vk_error_retry_after().
pub const VK_RATE_LIMITED: vk_status = vk_status(12);
/// Any other answer the provider gave as an error; its message is kept.
pub const VK_PROVIDER_ERROR: vk_status = vk_status(13);
/// No connection could be made: nothing was sent, retrying is safe.
pub const VK_NETWORK: vk_status = vk_status(14);
/// A state-changing request was sent but no readable answer came: it may have happened.
/// Reconcile (check the voucher) before trying again.
pub const VK_OUTCOME_UNKNOWN: vk_status = vk_status(15);
/// An answer in no documented shape, where that proves nothing happened.
pub const VK_INVALID_RESPONSE: vk_status = vk_status(16);
/// A bug in voucherkit (a caught panic). Never expected.
pub const VK_INTERNAL: vk_status = vk_status(17);
/// The local journal could not record a journaled call (disk full, file gone read-only,
/// locked too long), so nothing was sent; or reconcile could not read or update it. Fix
/// the journal before redeeming again.
pub const VK_JOURNAL: vk_status = vk_status(18);

impl vk_status {
    /// The status for an error kind: its stable code.
    pub(crate) fn from_kind(kind: ErrorKind) -> vk_status {
        vk_status(kind.code())
    }
}

/// The name of a status, identical in every language: `"ok"` for `VK_OK`, else the error
/// kind (`"voucher_not_found"`, `"outcome_unknown"`, …); `"unknown"` for a value that is
/// no status. The string is static (never freed).
#[unsafe(no_mangle)]
pub extern "C" fn vk_error_kind_str(status: vk_status) -> *const std::ffi::c_char {
    crate::ffi::infallible(c"unknown".as_ptr(), || {
        let name: &'static std::ffi::CStr = match status.0 {
            0 => c"ok",
            code => match ErrorKind::from_code(code) {
                Some(kind) => kind_cstr(kind),
                None => c"unknown",
            },
        };
        name.as_ptr()
    })
}

fn kind_cstr(kind: ErrorKind) -> &'static std::ffi::CStr {
    match kind {
        ErrorKind::InvalidRequest => c"invalid_request",
        ErrorKind::Authentication => c"authentication",
        ErrorKind::PermissionDenied => c"permission_denied",
        ErrorKind::VoucherNotFound => c"voucher_not_found",
        ErrorKind::VoucherNotOwned => c"voucher_not_owned",
        ErrorKind::VoucherExpired => c"voucher_expired",
        ErrorKind::VoucherAlreadyRedeemed => c"voucher_already_redeemed",
        ErrorKind::VoucherNotHeld => c"voucher_not_held",
        ErrorKind::VoucherLocked => c"voucher_locked",
        ErrorKind::InvalidSite => c"invalid_site",
        ErrorKind::InvalidAmount => c"invalid_amount",
        ErrorKind::RateLimited => c"rate_limited",
        ErrorKind::ProviderError => c"provider_error",
        ErrorKind::Network => c"network",
        ErrorKind::OutcomeUnknown => c"outcome_unknown",
        ErrorKind::InvalidResponse => c"invalid_response",
        ErrorKind::Internal => c"internal",
        ErrorKind::Journal => c"journal",
        // A kind added to the core later: still named, never a crash.
        _ => c"unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_equals_the_core_code_and_name() {
        let table = [
            (VK_INVALID_REQUEST, ErrorKind::InvalidRequest),
            (VK_AUTHENTICATION, ErrorKind::Authentication),
            (VK_PERMISSION_DENIED, ErrorKind::PermissionDenied),
            (VK_VOUCHER_NOT_FOUND, ErrorKind::VoucherNotFound),
            (VK_VOUCHER_NOT_OWNED, ErrorKind::VoucherNotOwned),
            (VK_VOUCHER_EXPIRED, ErrorKind::VoucherExpired),
            (
                VK_VOUCHER_ALREADY_REDEEMED,
                ErrorKind::VoucherAlreadyRedeemed,
            ),
            (VK_VOUCHER_NOT_HELD, ErrorKind::VoucherNotHeld),
            (VK_VOUCHER_LOCKED, ErrorKind::VoucherLocked),
            (VK_INVALID_SITE, ErrorKind::InvalidSite),
            (VK_INVALID_AMOUNT, ErrorKind::InvalidAmount),
            (VK_RATE_LIMITED, ErrorKind::RateLimited),
            (VK_PROVIDER_ERROR, ErrorKind::ProviderError),
            (VK_NETWORK, ErrorKind::Network),
            (VK_OUTCOME_UNKNOWN, ErrorKind::OutcomeUnknown),
            (VK_INVALID_RESPONSE, ErrorKind::InvalidResponse),
            (VK_INTERNAL, ErrorKind::Internal),
            (VK_JOURNAL, ErrorKind::Journal),
        ];
        assert_eq!(table.len(), ErrorKind::ALL.len());
        for (status, kind) in table {
            assert_eq!(status.0, kind.code());
            assert_eq!(vk_status::from_kind(kind), status);
            let name = unsafe { std::ffi::CStr::from_ptr(vk_error_kind_str(status)) };
            assert_eq!(name.to_str().unwrap(), kind.as_str());
        }
        assert_eq!(VK_OK.0, 0);
        let ok = unsafe { std::ffi::CStr::from_ptr(vk_error_kind_str(VK_OK)) };
        assert_eq!(ok.to_str().unwrap(), "ok");
        let bad = unsafe { std::ffi::CStr::from_ptr(vk_error_kind_str(vk_status(999))) };
        assert_eq!(bad.to_str().unwrap(), "unknown");
    }
}
