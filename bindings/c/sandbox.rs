//! The sandbox for C and C++ tills' own tests (DESIGN.md §6): a scripted server that
//! serves queued answers and records requests, on 127.0.0.1 and its own threads (so a
//! blocking call against it from the same thread cannot deadlock).

use std::ffi::{CString, c_char};
use std::path::PathBuf;

use serde_json::Value;
use voucherkit_core::Error;
use voucherkit_sandbox::{Answer, ScriptedServer};

use crate::error::vk_error;
use crate::ffi::{self, NULL, c_string, handle, opt_str, out_slot, req_str, with};
use crate::status::vk_status;

/// Text made by the library (JSON, mostly). Read with vk_text_str(); free with
/// vk_text_free().
pub struct vk_text {
    text: CString,
}

/// Frees a text; NULL does nothing.
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
                voucherkit_core::ErrorKind::Network,
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
        let list: Vec<Value> = s.server.requests().iter().map(|r| r.to_json()).collect();
        out.put(vk_text {
            text: c_string(&Value::Array(list).to_string()),
        });
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
