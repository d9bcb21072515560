//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`, off by default): the
//! string and pointer helpers every export runs its arguments through, and the error
//! handle whose accessors hand provider text to C. Not a stable interface.

use std::ffi::{CStr, CString, c_char};

use voucherkit_core::Error;

use crate::error::vk_error;
pub use crate::error::{
    vk_error_field, vk_error_field_error_count, vk_error_field_error_message,
    vk_error_field_error_message_count, vk_error_field_error_name, vk_error_free, vk_error_message,
    vk_error_provider_code, vk_error_to_json,
};
use crate::ffi;

/// A required C string argument.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that outlives `'a`.
pub unsafe fn req_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    // SAFETY: forwarded.
    unsafe { ffi::req_str(p, name) }
}

/// An optional C string argument.
///
/// # Safety
/// As [`req_str`].
pub unsafe fn opt_str<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>, Error> {
    // SAFETY: forwarded.
    unsafe { ffi::opt_str(p, name) }
}

/// An optional C string argument, owned.
///
/// # Safety
/// As [`req_str`].
pub unsafe fn opt_string(p: *const c_char, name: &str) -> Result<Option<String>, Error> {
    // SAFETY: forwarded.
    unsafe { ffi::opt_string(p, name) }
}

/// A list of required C strings given as pointer + length.
///
/// # Safety
/// `p` is NULL or points to `len` pointers, each NULL or a NUL-terminated string.
pub unsafe fn str_list(
    p: *const *const c_char,
    len: usize,
    name: &str,
) -> Result<Vec<String>, Error> {
    // SAFETY: forwarded.
    unsafe { ffi::str_list(p, len, name) }
}

/// Text for C, as every accessor makes it.
pub fn c_string(s: &str) -> CString {
    ffi::c_string(s)
}

/// Each value read back through a handle's string cache (made on first use, kept until
/// the handle is freed), read twice to check the second read gives the same pointer;
/// one slot past the end is asked for too, which must give NULL.
pub fn cached_strings(values: &[Option<String>]) -> Vec<Option<Vec<u8>>> {
    let strings = ffi::Strings::new(values.len());
    let out = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let first = strings.get(i, || v.clone());
            let again = strings.get(i, || Some("not used: the slot is made".to_owned()));
            assert_eq!(first, again, "a cached string moved");
            // SAFETY: a non-NULL pointer from `get` lives as long as `strings`.
            (!first.is_null()).then(|| unsafe { CStr::from_ptr(first) }.to_bytes().to_vec())
        })
        .collect();
    assert!(strings.get(values.len(), || Some(String::new())).is_null());
    out
}

/// An error handle, as a failing call gives C; free it with `vk_error_free`.
pub fn error_handle(error: Error) -> *mut vk_error {
    vk_error::boxed(error)
}
