//! The plumbing every export shares: the panic boundary, pointer and string checks,
//! writing outputs, and strings owned by handles.

use std::any::Any;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use voucherkit_core::{Error, Provider};

use crate::error::vk_error;
use crate::status::{VK_OK, vk_status};

/// Runs a fallible export: a panic becomes `VK_INTERNAL`, an error fills `*err` (when
/// `err` is not NULL) and returns its kind's status. `f` writes its outputs last, so they
/// are written only on success. Errors made without a provider get `provider`.
pub(crate) fn call(
    err: *mut *mut vk_error,
    provider: Option<Provider>,
    f: impl FnOnce() -> Result<(), Error>,
) -> vk_status {
    let result = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(Error::internal(format!(
            "voucherkit panicked (a bug; please report it): {}",
            panic_message(payload.as_ref())
        )))
    });
    match result {
        Ok(()) => VK_OK,
        Err(mut e) => {
            if e.provider.is_none() {
                e.provider = provider;
            }
            let status = vk_status::from_kind(e.kind);
            if !err.is_null() {
                // Building the error allocates; a panic here must not cross into C either.
                let made = catch_unwind(AssertUnwindSafe(|| vk_error::boxed(e)));
                if let Ok(boxed) = made {
                    // SAFETY: err is not NULL and points to a writable `vk_error *`.
                    unsafe { err.write(boxed) };
                }
            }
            status
        }
    }
}

/// Runs an infallible export (an accessor): a panic gives `fallback`.
pub(crate) fn infallible<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

fn null(name: &str) -> Error {
    Error::invalid(name, format!("{name} must not be NULL"))
}

/// A required string: NULL and invalid UTF-8 are refused, naming the parameter.
pub(crate) unsafe fn req_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(null(name));
    }
    // SAFETY: the caller promises a NUL-terminated string.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| Error::invalid(name, format!("{name} is not valid UTF-8")))
}

/// An optional string: NULL is absent.
pub(crate) unsafe fn opt_str<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded.
        unsafe { req_str(p, name) }.map(Some)
    }
}

/// An optional string, owned.
pub(crate) unsafe fn opt_string(p: *const c_char, name: &str) -> Result<Option<String>, Error> {
    // SAFETY: forwarded.
    Ok(unsafe { opt_str(p, name) }?.map(str::to_owned))
}

/// An optional integer: NULL is absent.
pub(crate) unsafe fn opt_int<T: Copy>(p: *const T) -> Option<T> {
    // SAFETY: the caller promises NULL or a valid pointer.
    unsafe { p.as_ref() }.copied()
}

/// A list given as pointer + length: NULL with length 0 is absent (`None`); NULL with a
/// length is refused; a pointer with length 0 is an empty list.
pub(crate) unsafe fn opt_slice<'a, T>(
    p: *const T,
    len: usize,
    name: &str,
) -> Result<Option<&'a [T]>, Error> {
    match (p.is_null(), len) {
        (true, 0) => Ok(None),
        (true, _) => Err(Error::invalid(
            name,
            format!("{name} is NULL but its length is {len}"),
        )),
        // SAFETY: the caller promises `len` readable elements.
        (false, _) => Ok(Some(unsafe { std::slice::from_raw_parts(p, len) })),
    }
}

/// A list of required strings.
pub(crate) unsafe fn str_list(
    p: *const *const c_char,
    len: usize,
    name: &str,
) -> Result<Vec<String>, Error> {
    // SAFETY: forwarded.
    let items = unsafe { opt_slice(p, len, name) }?.unwrap_or_default();
    items
        .iter()
        // SAFETY: each element is a NUL-terminated string or NULL (refused).
        .map(|&s| unsafe { req_str(s, name) }.map(str::to_owned))
        .collect()
}

/// A required handle.
pub(crate) unsafe fn handle<'a, T>(p: *const T, name: &str) -> Result<&'a T, Error> {
    // SAFETY: the caller promises NULL or a live handle.
    unsafe { p.as_ref() }.ok_or_else(|| null(name))
}

/// A required output slot, checked before any work is done.
pub(crate) fn out_slot<T>(p: *mut *mut T, name: &str) -> Result<OutSlot<T>, Error> {
    if p.is_null() {
        Err(null(name))
    } else {
        Ok(OutSlot(p))
    }
}

/// Where a new handle goes on success.
pub(crate) struct OutSlot<T>(*mut *mut T);

impl<T> OutSlot<T> {
    /// Hands `value` to the caller, who frees it with the matching `_free`.
    pub fn put(self, value: T) {
        // SAFETY: checked not NULL in `out_slot`; the caller owns the slot.
        unsafe { self.0.write(Box::into_raw(Box::new(value))) };
    }

    /// A successful call whose answer is "none" (a lookup that found nothing).
    pub fn put_null(self) {
        // SAFETY: as in `put`.
        unsafe { self.0.write(std::ptr::null_mut()) };
    }
}

/// Frees a handle made by `OutSlot::put`; NULL does nothing.
pub(crate) unsafe fn free<T>(p: *mut T) {
    if !p.is_null() {
        // Dropping runs our code (and the core's): keep panics on this side.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: p came from Box::into_raw and is freed once, as documented.
            drop(unsafe { Box::from_raw(p) });
        }));
    }
}

/// Text for C: NUL-terminated. A NUL inside provider text (which C cannot hold) becomes
/// U+FFFD, so the rest of the text is not lost.
pub(crate) fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

/// Strings a handle gives out, made on first use and kept until the handle is freed.
pub(crate) struct Strings(Box<[OnceLock<Option<CString>>]>);

impl Strings {
    pub fn new(n: usize) -> Strings {
        Strings((0..n).map(|_| OnceLock::new()).collect())
    }

    /// The string in slot `i`, made from `make` the first time; NULL when absent.
    pub fn get(&self, i: usize, make: impl FnOnce() -> Option<String>) -> *const c_char {
        match self.0.get(i) {
            Some(cell) => cell
                .get_or_init(|| make().map(|s| c_string(&s)))
                .as_ref()
                .map_or(std::ptr::null(), |c| c.as_ptr()),
            None => std::ptr::null(),
        }
    }
}

/// Writes an optional value through `out`: true (and `*out` set) when present and `out`
/// is not NULL; false otherwise, leaving `*out` alone.
pub(crate) fn put_opt<T>(value: Option<T>, out: *mut T) -> bool {
    match value {
        Some(v) if !out.is_null() => {
            // SAFETY: checked not NULL; the caller owns *out.
            unsafe { out.write(v) };
            true
        }
        _ => false,
    }
}

/// An accessor's handle: NULL gives `fallback` (accessors cannot report errors).
pub(crate) fn with<'a, T, R>(p: *const T, fallback: R, f: impl FnOnce(&'a T) -> R) -> R
where
    T: 'a,
{
    // SAFETY: the caller promises NULL or a live handle.
    match unsafe { p.as_ref() } {
        Some(h) => infallible_ref(fallback, h, f),
        None => fallback,
    }
}

fn infallible_ref<'a, T, R>(fallback: R, h: &'a T, f: impl FnOnce(&'a T) -> R) -> R {
    match catch_unwind(AssertUnwindSafe(|| f(h))) {
        Ok(r) => r,
        Err(_) => fallback,
    }
}

/// The null pointer accessors return for absent strings.
pub(crate) const NULL: *const c_char = std::ptr::null();
