//! The sandbox for C and C++ tills' own tests (docs/design.md, "The sandbox"): the stateful
//! emulator and a scripted server (queued answers, recorded requests), on 127.0.0.1 and
//! their own threads (so a blocking call against it from the same thread cannot deadlock).
//! build.rs declares everything exported here in include/voucherkit/testing.h, not in
//! voucherkit.h: a till's production code does not see it.

use std::ffi::{CString, c_char};
use std::path::PathBuf;

use serde_json::Value;
use voucherkit_core::{Error, ErrorKind};
use voucherkit_sandbox::{Answer, DataSet, FaultRule, Sandbox, SandboxOptions, ScriptedServer};

use crate::error::vk_error;
use crate::ffi::{self, NULL, c_string, handle, opt_str, out_slot, req_str, with};
use crate::status::vk_status;

/// Text made by the library (JSON, mostly). Read with vk_text_str(); free with
/// vk_text_free().
pub struct vk_text {
    text: CString,
}

/// Frees a text; NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_text_free(t: *mut vk_text) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(t) }
}

/// The text, NUL-terminated UTF-8 (valid until the vk_text is freed); NULL for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_text_str(t: *const vk_text) -> *const c_char {
    with(t, NULL, |t| t.text.as_ptr())
}

/// The text's length in bytes, without the NUL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_text_len(t: *const vk_text) -> usize {
    with(t, 0, |t| t.text.as_bytes().len())
}

/// A scripted HTTP server on 127.0.0.1: serves the answers queued with
/// vk_scripted_server_push_json(), in order, and records every request. Thread-safe.
/// Its control endpoint (`/__sandbox/answers|requests|reset`) works over HTTP too.
pub struct vk_scripted_server {
    server: ScriptedServer,
    url: CString,
    base_dir: PathBuf,
}

/// Starts a scripted server on an ephemeral port. `base_dir` is where `body_file`s are
/// read from (NULL: the current directory).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_scripted_server_start(
    base_dir: *const c_char,
    out: *mut *mut vk_scripted_server,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        let out = out_slot(out, "out")?;
        // SAFETY: NULL or a NUL-terminated string.
        let base_dir = match unsafe { opt_str(base_dir, "base_dir") }? {
            Some(dir) => PathBuf::from(dir),
            None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        };
        let server = ScriptedServer::start_with_base_dir(base_dir.clone()).map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("the scripted server could not start: {e}"),
            )
        })?;
        let url = c_string(&server.url());
        out.put(vk_scripted_server {
            server,
            url,
            base_dir,
        });
        Ok(())
    })
}

/// Stops the server (closing every connection) and frees it; NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_scripted_server_free(s: *mut vk_scripted_server) {
    // SAFETY: made by this library, freed once; dropping stops the server.
    unsafe { ffi::free(s) }
}

/// The server's base URL, `http://127.0.0.1:<port>` (no trailing slash).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_scripted_server_url(s: *const vk_scripted_server) -> *const c_char {
    with(s, NULL, |s| s.url.as_ptr())
}

/// Queues answers: `answer_json` is one answer object or an array of them, in the corpus
/// format (`{"status": 200, "headers": {...}, "body": {...} | "body_text": "..." |
/// "body_file": "...", "content_type": "...", "fault": {"kind": "delay", "ms": 300}}`).
/// A malformed answer is `VK_INVALID_REQUEST` (field `answer_json`) and queues nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_scripted_server_push_json(
    s: *const vk_scripted_server,
    answer_json: *const c_char,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let s = unsafe { handle(s, "server") }?;
        let text = unsafe { req_str(answer_json, "answer_json") }?;
        let bad = |why: String| Error::invalid("answer_json", why);
        let value: Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let items = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        let answers = items
            .iter()
            .map(|a| Answer::from_json(a, &s.base_dir))
            .collect::<Result<Vec<_>, String>>()
            .map_err(bad)?;
        s.server.push_all(answers);
        Ok(())
    })
}

/// A request log as the JSON text both `_requests_json` exports hand out.
fn requests_text(requests: &[voucherkit_sandbox::RecordedRequest]) -> vk_text {
    let list: Vec<Value> = requests.iter().map(|r| r.to_json()).collect();
    vk_text {
        text: c_string(&Value::Array(list).to_string()),
    }
}

/// The requests received since the last reset, as a JSON array of
/// `{"connection_id", "method", "path", "headers": [[name, value], ...], "body_text"}`
/// (the path keeps its query string). Free `*out` with vk_text_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_scripted_server_requests_json(
    s: *const vk_scripted_server,
    out: *mut *mut vk_text,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        // SAFETY: NULL or a live handle.
        let s = unsafe { handle(s, "server") }?;
        let out = out_slot(out, "out")?;
        out.put(requests_text(&s.server.requests()));
        Ok(())
    })
}

/// How many queued answers have not been served yet (0 for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_scripted_server_pending(s: *const vk_scripted_server) -> usize {
    with(s, 0, |s| s.server.pending())
}

/// Forgets the queued answers and the recorded requests. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_scripted_server_reset(s: *const vk_scripted_server) {
    with(s, (), |s| s.server.reset())
}

/// The stateful sandbox: an emulator of both providers on 127.0.0.1 with the demo data
/// set (or your own), holds, locks, partial redemption, an emulated clock and fault
/// injection. Thread-safe. Point clients at vk_sandbox_smartgift_url() /
/// vk_sandbox_spaaza_url() with the demo keys below.
pub struct vk_sandbox {
    sandbox: Sandbox,
    url: CString,
    smartgift_url: CString,
    spaaza_url: CString,
    smartgift_key: CString,
    spaaza_session_key: CString,
}

/// Starts a sandbox on an ephemeral port of 127.0.0.1. `data_json` is a data set in the
/// sandbox's JSON format (sandbox/DATA.md); NULL for the demo data set. A data set that
/// does not load is `VK_INVALID_REQUEST` (field `data_json`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_start(
    data_json: *const c_char,
    out: *mut *mut vk_sandbox,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        let out = out_slot(out, "out")?;
        // SAFETY: NULL or a NUL-terminated string.
        let data = match unsafe { opt_str(data_json, "data_json") }? {
            Some(text) => {
                Some(DataSet::from_json(text).map_err(|e| Error::invalid("data_json", e))?)
            }
            None => None,
        };
        let sandbox = Sandbox::start_with(SandboxOptions {
            data,
            ..Default::default()
        })
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput => Error::invalid("data_json", e.to_string()),
            _ => Error::new(
                ErrorKind::Network,
                format!("the sandbox could not start: {e}"),
            ),
        })?;
        out.put(vk_sandbox {
            url: c_string(&sandbox.url()),
            smartgift_url: c_string(&sandbox.smartgift_url()),
            spaaza_url: c_string(&sandbox.spaaza_url()),
            smartgift_key: c_string(&sandbox.smartgift_key()),
            spaaza_session_key: c_string(&sandbox.spaaza_session_key()),
            sandbox,
        });
        Ok(())
    })
}

/// Stops the sandbox (closing every connection) and frees it; NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_free(s: *mut vk_sandbox) {
    // SAFETY: made by this library, freed once; dropping stops the server.
    unsafe { ffi::free(s) }
}

/// The base URL, `http://127.0.0.1:<port>` (control endpoint: `/__sandbox/…`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_url(s: *const vk_sandbox) -> *const c_char {
    with(s, NULL, |s| s.url.as_ptr())
}

/// A Smart Gift client's `base_url`: the base URL + `/smartgift`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_smartgift_url(s: *const vk_sandbox) -> *const c_char {
    with(s, NULL, |s| s.smartgift_url.as_ptr())
}

/// A Spaaza client's `base_url`: the base URL + `/spaaza`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_spaaza_url(s: *const vk_sandbox) -> *const c_char {
    with(s, NULL, |s| s.spaaza_url.as_ptr())
}

/// The demo Smart Gift key (the first key of the first company; "" if none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_smartgift_key(s: *const vk_sandbox) -> *const c_char {
    with(s, NULL, |s| s.smartgift_key.as_ptr())
}

/// The demo Spaaza admin session's user id (the first admin of the first chain; 0 if none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_spaaza_session_user_id(s: *const vk_sandbox) -> i64 {
    with(s, 0, |s| s.sandbox.spaaza_session_user_id())
}

/// The demo Spaaza admin session key ("" if none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_spaaza_session_key(s: *const vk_sandbox) -> *const c_char {
    with(s, NULL, |s| s.spaaza_session_key.as_ptr())
}

/// Moves the emulated clock forward by `seconds`: holds, locks and vouchers expire.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_advance_clock(s: *const vk_sandbox, seconds: u64) {
    with(s, (), |s| {
        s.sandbox
            .advance_clock(std::time::Duration::from_secs(seconds))
    })
}

/// Adds a fault rule: `{"path": "/smartgift/redeem", "answer": {...}, "times": 1,
/// "process": true}` (answer in the scripted format; an answer with only a `fault` acts
/// it out on the real answer). A malformed rule is `VK_INVALID_REQUEST` (field
/// `rule_json`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_inject_json(
    s: *const vk_sandbox,
    rule_json: *const c_char,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let s = unsafe { handle(s, "sandbox") }?;
        let text = unsafe { req_str(rule_json, "rule_json") }?;
        let bad = |why: String| Error::invalid("rule_json", why);
        let value: Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        s.sandbox
            .inject(FaultRule::from_json(&value, &here).map_err(bad)?);
        Ok(())
    })
}

/// Removes every fault rule. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_clear_faults(s: *const vk_sandbox) {
    with(s, (), |s| s.sandbox.clear_faults())
}

/// Back to the initial data and clock, with no fault rules and an empty request log.
/// NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_reset(s: *const vk_sandbox) {
    with(s, (), |s| s.sandbox.reset())
}

/// The provider requests received so far, as JSON (the same shape as
/// vk_scripted_server_requests_json()). Free `*out` with vk_text_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_requests_json(
    s: *const vk_sandbox,
    out: *mut *mut vk_text,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        // SAFETY: NULL or a live handle.
        let s = unsafe { handle(s, "sandbox") }?;
        let out = out_slot(out, "out")?;
        out.put(requests_text(&s.sandbox.requests()));
        Ok(())
    })
}

/// The live state in the data set format (pretty JSON): balances, holds, redemptions,
/// voucher states. Free `*out` with vk_text_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_sandbox_state_json(
    s: *const vk_sandbox,
    out: *mut *mut vk_text,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        // SAFETY: NULL or a live handle.
        let s = unsafe { handle(s, "sandbox") }?;
        let out = out_slot(out, "out")?;
        out.put(vk_text {
            text: c_string(&s.sandbox.state().to_json_pretty()),
        });
        Ok(())
    })
}
