//! `vk_error`: every attribute of a failure (docs/errors.md), read through accessors.

use std::ffi::{CString, c_char};
use std::sync::OnceLock;

use voucherkit_core::Error;

use crate::ffi::{self, NULL, Strings, c_string, put_opt, with};
use crate::status::{VK_INTERNAL, vk_status};

/// A failure: kind, message, field, field errors, HTTP status, provider, provider code,
/// retryable, retry-after and journal entry id. Returned through the `vk_error **err`
/// parameter of a failing call; free it with vk_error_free(). Strings read from it live
/// as long as it.
pub struct vk_error {
    error: Error,
    strings: Strings,
    field_errors: OnceLock<Vec<(CString, Vec<CString>)>>,
}

const MESSAGE: usize = 0;
const FIELD: usize = 1;
const PROVIDER: usize = 2;
const PROVIDER_CODE: usize = 3;
const JSON: usize = 4;
const JOURNAL_ID: usize = 5;

impl vk_error {
    pub(crate) fn boxed(error: Error) -> *mut vk_error {
        Box::into_raw(Box::new(vk_error {
            error,
            strings: Strings::new(6),
            field_errors: OnceLock::new(),
        }))
    }

    fn field_errors(&self) -> &[(CString, Vec<CString>)] {
        self.field_errors.get_or_init(|| {
            self.error
                .field_errors
                .iter()
                .map(|(name, messages)| {
                    (
                        c_string(name),
                        messages.iter().map(|m| c_string(m)).collect(),
                    )
                })
                .collect()
        })
    }
}

/// Frees an error; NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_free(err: *mut vk_error) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(err) }
}

/// The error's kind as a status (never `VK_OK`); `VK_INTERNAL` for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_kind(err: *const vk_error) -> vk_status {
    with(err, VK_INTERNAL, |e| vk_status::from_kind(e.error.kind))
}

/// The provider's first message, or voucherkit's own (never NULL for a valid error).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_message(err: *const vk_error) -> *const c_char {
    with(err, NULL, |e| {
        e.strings.get(MESSAGE, || Some(e.error.message.clone()))
    })
}

/// The first offending field by its wire name (`"voucher_no"`, `"amount"`), or for a
/// parameter refused by the C layer, the parameter's name; NULL when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_field(err: *const vk_error) -> *const c_char {
    with(err, NULL, |e| {
        e.strings.get(FIELD, || e.error.field.clone())
    })
}

/// The HTTP status of the answer, when one came: true and `*out` set; false otherwise.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_http_status(err: *const vk_error, out: *mut u16) -> bool {
    with(err, false, |e| put_opt(e.error.http_status, out))
}

/// `"smartgift"` or `"spaaza"`: the provider of the failing client; NULL when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_provider(err: *const vk_error) -> *const c_char {
    with(err, NULL, |e| {
        e.strings
            .get(PROVIDER, || e.error.provider.map(|p| p.as_str().to_owned()))
    })
}

/// Spaaza's error name (or its numeric code as text when it sends no name); NULL when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_provider_code(err: *const vk_error) -> *const c_char {
    with(err, NULL, |e| {
        e.strings
            .get(PROVIDER_CODE, || e.error.provider_code.clone())
    })
}

/// True only where trying the same call again is safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_retryable(err: *const vk_error) -> bool {
    with(err, false, |e| e.error.retryable)
}

/// Seconds the provider asked to wait (rate limits): true and `*out` set; false when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_retry_after(err: *const vk_error, out: *mut u64) -> bool {
    with(err, false, |e| put_opt(e.error.retry_after, out))
}

/// The id of the journal entry of the failing call (a journaled client's redeem, reverse
/// or redeem-voucher, once its entry was written: above all on `VK_OUTCOME_UNKNOWN`, where
/// vk_smartgift_reconcile() / vk_spaaza_reconcile() later settle it); NULL when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_journal_id(err: *const vk_error) -> *const c_char {
    with(err, NULL, |e| {
        e.strings.get(JOURNAL_ID, || e.error.journal_id.clone())
    })
}

/// How many fields have messages in the provider's `errors` (0 when none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_field_error_count(err: *const vk_error) -> usize {
    with(err, 0, |e| e.field_errors().len())
}

/// The name of field `i` (document order), or NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_field_error_name(
    err: *const vk_error,
    i: usize,
) -> *const c_char {
    with(err, NULL, |e| {
        e.field_errors().get(i).map_or(NULL, |(n, _)| n.as_ptr())
    })
}

/// How many messages field `i` has (0 when `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_field_error_message_count(
    err: *const vk_error,
    i: usize,
) -> usize {
    with(err, 0, |e| {
        e.field_errors().get(i).map_or(0, |(_, m)| m.len())
    })
}

/// Message `j` of field `i`, exactly as the provider sent it; NULL when out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_field_error_message(
    err: *const vk_error,
    i: usize,
    j: usize,
) -> *const c_char {
    with(err, NULL, |e| {
        e.field_errors()
            .get(i)
            .and_then(|(_, m)| m.get(j))
            .map_or(NULL, |m| m.as_ptr())
    })
}

/// The whole error as the JSON object every binding and the CLI print (`kind`, `message`,
/// `field`, `field_errors`, `http_status`, `provider`, `provider_code`, `retryable`,
/// `retry_after`, `journal_id`; absent values are `null`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_error_to_json(err: *const vk_error) -> *const c_char {
    with(err, NULL, |e| {
        e.strings.get(JSON, || Some(e.error.to_json().to_string()))
    })
}

/// Panics inside voucherkit on purpose, so that a test can prove a panic never crosses
/// into C: always returns `VK_INTERNAL` (with an error of kind `internal`). Built only with
/// the `test-panic` feature (the C test build) and left out of the header (cbindgen.toml):
/// a shipped library has no function whose only job is to fail.
#[cfg(feature = "test-panic")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_debug_panic(err: *mut *mut vk_error) -> vk_status {
    ffi::call(err, None, || panic!("vk_debug_panic was called"))
}
