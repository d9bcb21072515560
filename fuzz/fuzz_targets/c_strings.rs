//! The C library's argument and result strings: arbitrary bytes (interior NULs, invalid
//! UTF-8) through the helpers every export uses, and provider text through the error
//! handle's accessors. Built with AddressSanitizer, so a read past a string's NUL or a
//! use after free is a crash.
#![no_main]

use std::ffi::{CStr, c_char};
use std::ptr;

use libfuzzer_sys::fuzz_target;
use voucherkit::fuzzing::*;
use voucherkit_core::{Error, ErrorKind};

/// What C may put in a `char *`: everything up to the first NUL.
fn as_c(bytes: &[u8]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v.push(0);
    v
}

fn until_nul(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())]
}

fn check_refused(e: &Error, name: &str) {
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert_eq!(e.field.as_deref(), Some(name));
}

/// Text as C reads it from an accessor: the string, NULs made U+FFFD.
fn read(p: *const c_char) -> Option<String> {
    // SAFETY: accessors give NULL or a string that lives as long as its handle.
    (!p.is_null()).then(|| {
        unsafe { CStr::from_ptr(p) }
            .to_str()
            .expect("UTF-8")
            .to_owned()
    })
}

fn for_c(s: &str) -> String {
    s.replace('\0', "\u{FFFD}")
}

fuzz_target!(|data: &[u8]| {
    // Arguments: one C string from all of `data`, and a list from its NUL-separated pieces.
    let buffer = as_c(data);
    let p = buffer.as_ptr().cast::<c_char>();
    let text = std::str::from_utf8(until_nul(data));
    // SAFETY: `buffer` is NUL-terminated and outlives the results.
    unsafe {
        match (req_str(p, "voucher_no"), text) {
            (Ok(s), Ok(t)) => assert_eq!(s, t),
            (Err(e), Err(_)) => check_refused(&e, "voucher_no"),
            (got, want) => panic!("req_str gave {got:?} for {want:?}"),
        }
        assert_eq!(opt_str(p, "x").ok().flatten(), text.ok());
        assert_eq!(opt_string(p, "x").ok().flatten().as_deref(), text.ok());
        assert_eq!(opt_str(ptr::null(), "x"), Ok(None));
        check_refused(&req_str(ptr::null(), "api_key").unwrap_err(), "api_key");
    }
    let pieces: Vec<Vec<u8>> = data.split(|&b| b == 0).map(as_c).collect();
    let mut pointers: Vec<*const c_char> = pieces.iter().map(|p| p.as_ptr().cast()).collect();
    let all_utf8 = pieces
        .iter()
        .all(|p| std::str::from_utf8(until_nul(p)).is_ok());
    // SAFETY: every pointer is a NUL-terminated piece that outlives the call.
    match unsafe { str_list(pointers.as_ptr(), pointers.len(), "classifications") } {
        Ok(list) => {
            assert!(all_utf8);
            assert_eq!(list.len(), pieces.len());
        }
        Err(e) => {
            assert!(!all_utf8);
            check_refused(&e, "classifications");
        }
    }
    // A NULL element, a NULL list with a length, a NULL list without one.
    if let Some(last) = pointers.last_mut() {
        *last = ptr::null();
        let e = unsafe { str_list(pointers.as_ptr(), pointers.len(), "classifications") };
        check_refused(&e.unwrap_err(), "classifications");
    }
    let e = unsafe { str_list(ptr::null(), pieces.len().max(1), "classifications") };
    check_refused(&e.unwrap_err(), "classifications");
    assert_eq!(
        unsafe { str_list(ptr::null(), 0, "classifications") },
        Ok(vec![])
    );

    // Results: provider text (lossy, NULs kept) out through c_string, the handle string
    // cache and an error handle's accessors.
    let lossy = String::from_utf8_lossy(data).into_owned();
    let c = c_string(&lossy);
    assert_eq!(c.to_str().unwrap(), for_c(&lossy));
    let parts: Vec<String> = lossy.split('\u{1}').map(str::to_owned).collect();
    let cached = cached_strings(
        &parts
            .iter()
            .enumerate()
            .map(|(i, s)| (i % 3 != 2).then(|| s.clone()))
            .collect::<Vec<_>>(),
    );
    for (i, got) in cached.iter().enumerate() {
        let want = (i % 3 != 2).then(|| for_c(&parts[i]).into_bytes());
        assert_eq!(got, &want);
    }

    let mut error =
        Error::new(ErrorKind::ProviderError, lossy.clone()).with_field(parts[0].clone());
    error.provider_code = parts.get(1).cloned();
    error.field_errors = parts
        .iter()
        .map(|p| (p.clone(), vec![p.clone(), lossy.clone()]))
        .collect();
    let expected_json = error.to_json().to_string();
    let handle = error_handle(error);
    // SAFETY: a live handle, read, then freed once.
    unsafe {
        assert_eq!(read(vk_error_message(handle)), Some(for_c(&lossy)));
        assert_eq!(read(vk_error_field(handle)), Some(for_c(&parts[0])));
        assert_eq!(
            read(vk_error_provider_code(handle)),
            parts.get(1).map(|s| for_c(s))
        );
        assert_eq!(vk_error_field_error_count(handle), parts.len());
        for (i, part) in parts.iter().enumerate() {
            assert_eq!(
                read(vk_error_field_error_name(handle, i)),
                Some(for_c(part))
            );
            assert_eq!(vk_error_field_error_message_count(handle, i), 2);
            assert_eq!(
                read(vk_error_field_error_message(handle, i, 1)),
                Some(for_c(&lossy))
            );
            assert!(vk_error_field_error_message(handle, i, 2).is_null());
        }
        assert!(vk_error_field_error_name(handle, parts.len()).is_null());
        // The core's own JSON text, unchanged (JSON escapes a NUL, so nothing is lost).
        // Checked as text: with serde_json's arbitrary_precision (which the core uses for
        // exact money) a key named `$serde_json::private::Number` reads back as a number,
        // so parsing it into a `Value` is no test of the text.
        let json = read(vk_error_to_json(handle)).expect("JSON");
        assert_eq!(json, expected_json);
        serde_json::from_str::<serde::de::IgnoredAny>(&json).expect("well-formed JSON");
        let quoted = serde_json::to_string(&serde_json::Value::from(lossy.as_str())).unwrap();
        assert!(json.contains(&format!("\"message\":{quoted}")));
        vk_error_free(handle);
    }
});
