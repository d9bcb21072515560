//! # voucherkit — the C library
//!
//! The `extern "C"` surface of voucherkit (docs/design.md, "Layout"), generated into
//! `include/voucherkit.h` by cbindgen. It follows rustls-ffi's conventions:
//!
//! - Every fallible function returns a [`vk_status`] (`VK_OK` = 0, else the error kind's
//!   stable code) and writes its outputs only on success. Failures also fill the optional
//!   `vk_error **err` out-parameter with a [`vk_error`] (free it with `vk_error_free`).
//! - Opaque handles are made by `vk_<thing>_new` (or returned through an `out` parameter)
//!   and freed by `vk_<thing>_free`; freeing NULL does nothing. Freeing a handle twice,
//!   or using it after it is freed, is undefined behaviour (nothing can detect it).
//! - Strings in are NUL-terminated UTF-8; strings out are owned by the handle they came
//!   from and stay valid until it is freed.
//! - Every pointer is checked: NULL where a value is required gives `VK_INVALID_REQUEST`
//!   with an error naming the parameter. Invalid UTF-8 and out-of-range enum values are
//!   refused the same way. Every export catches panics (`VK_INTERNAL`).
//! - The binding is thin: the core decides validation, wire formats and error mapping.
//!
//! Safety, for every `unsafe` export: each pointer must be NULL or valid for the access
//! its documentation describes (a NUL-terminated string, `len` elements, a handle made by
//! this library and not yet freed). The library checks for NULL, never for dangling
//! pointers.

#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

mod error;
mod ffi;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod journal;
mod options;
mod sandbox;
mod smartgift;
mod spaaza;
mod status;

use std::ffi::c_char;

pub use error::vk_error;
pub use journal::{vk_journal, vk_journal_entry, vk_journal_entry_list, vk_journal_filter};
pub use options::{
    vk_client_options, vk_log_callback, vk_request_log, vk_warning, vk_warning_callback,
};
pub use sandbox::{vk_sandbox, vk_scripted_server, vk_text};
pub use smartgift::{
    vk_meta_condition, vk_smartgift, vk_smartgift_config, vk_smartgift_experience,
    vk_smartgift_held, vk_smartgift_redemption, vk_smartgift_released, vk_smartgift_reversed,
    vk_smartgift_voucher,
};
pub use spaaza::{VK_SPAAZA_AUTH_ADMIN, VK_SPAAZA_AUTH_PRIVILEGED, VK_SPAAZA_AUTH_USER};
pub use spaaza::{
    vk_spaaza, vk_spaaza_auth, vk_spaaza_claim_request, vk_spaaza_config,
    vk_spaaza_get_vouchers_request, vk_spaaza_voucher, vk_spaaza_voucher_list, vk_spaaza_warning,
};
pub use status::*;

/// The library's version, `"MAJOR.MINOR.PATCH"` (static; never freed). It equals
/// `VOUCHERKIT_VERSION_STRING` of the header the program was compiled with, unless the
/// program runs against another build of the library.
#[unsafe(no_mangle)]
pub extern "C" fn vk_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_by_threads<T: Send + Sync>() {}

    #[test]
    fn clients_results_and_sandboxes_are_send_and_sync() {
        shared_by_threads::<vk_smartgift>();
        shared_by_threads::<vk_spaaza>();
        shared_by_threads::<vk_error>();
        shared_by_threads::<vk_smartgift_voucher>();
        shared_by_threads::<vk_smartgift_held>();
        shared_by_threads::<vk_smartgift_redemption>();
        shared_by_threads::<vk_spaaza_voucher>();
        shared_by_threads::<vk_spaaza_voucher_list>();
        shared_by_threads::<vk_sandbox>();
        shared_by_threads::<vk_scripted_server>();
        shared_by_threads::<vk_text>();
        shared_by_threads::<vk_journal>();
        shared_by_threads::<vk_journal_entry>();
        shared_by_threads::<vk_journal_entry_list>();
    }

    #[test]
    fn the_version_is_the_package_version() {
        let v = unsafe { std::ffi::CStr::from_ptr(vk_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
