//! voucherkit-node: the native half of the `voucherkit` npm package.
//!
//! The binding is thin: it reads JavaScript options into the core's request types, runs
//! the core's synchronous call (on the libuv thread pool for the Promise methods, on the
//! caller's thread for the `…Sync` ones), and hands back the core's result or error as
//! JSON text. `index.js` (hand-written, beside Cargo.toml) turns that into plain objects and
//! `VoucherError`s. No Rust panic crosses into Node: every entry point catches them and
//! reports an `internal` error.
//!
//! Warnings the core raises during a call travel back with its JSON text (see
//! [`warning_logger`]), so `onWarning` runs on the main thread before the call's Promise
//! settles or its `…Sync` twin returns: a till sees "not redeemed" before handing goods over.

#![deny(clippy::all)]

mod convert;
mod journal;
mod pages;
mod smartgift;
mod spaaza;
mod testing;

use std::cell::RefCell;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Env};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Status, Task};
use napi_derive::napi;
use serde::Serialize;
use voucherkit_core::{RequestLog, RequestLogger, Warning, WarningLogger};

pub use convert::Vk;

/// A core call waiting to run: reads nothing from JavaScript, returns the JSON text.
pub struct Job {
    run: Option<Box<dyn FnOnce() -> String + Send>>,
}

impl Job {
    /// The call's text is prefixed with `W[…warnings…]\n` when the core raised any while
    /// it ran (compact JSON never holds a raw newline, so the first one ends the list).
    pub fn new(run: impl FnOnce() -> String + Send + 'static) -> Job {
        Job {
            run: Some(Box::new(move || {
                let (text, warnings) = collect_warnings(run);
                if warnings.is_empty() {
                    return text;
                }
                let list = serde_json::to_string(&warnings).unwrap_or_else(|_| "[]".to_owned());
                format!("W{list}\n{text}")
            })),
        }
    }

    /// Runs the call here, blocking (the `…Sync` methods).
    pub fn run_here(mut self) -> String {
        self.run.take().map(|f| f()).unwrap_or_default()
    }

    /// Runs the call on the libuv thread pool; the Promise resolves with the JSON text.
    pub fn promise(self) -> AsyncTask<Job> {
        AsyncTask::new(self)
    }
}

impl Task for Job {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        Ok(self.run.take().map(|f| f()).unwrap_or_default())
    }

    fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
        Ok(output)
    }
}

/// One request as the `onRequest` callback sees it (never a body or a secret).
#[napi(object, use_nullable = true)]
pub struct RequestLogEntry {
    pub provider: String,
    pub method: String,
    pub path: String,
    pub status: Option<u32>,
    pub duration_ms: f64,
    pub attempt: u32,
    pub failure: Option<String>,
    /// `X-RateLimit-Remaining` / `-Limit` of the answer, when it names them. A JavaScript
    /// number (exact up to 2^53, far beyond any real figure).
    pub rate_limit_remaining: Option<f64>,
    pub rate_limit_limit: Option<f64>,
}

/// The JavaScript `onRequest` callback, callable from any thread; weak, so it never keeps
/// the process alive.
pub type LogCallback =
    ThreadsafeFunction<RequestLogEntry, (), RequestLogEntry, Status, false, true>;

/// The core's per-client logger, delivering each entry to the JavaScript callback.
pub fn logger(callback: LogCallback) -> RequestLogger {
    Arc::new(move |log: &RequestLog| {
        let entry = RequestLogEntry {
            provider: log.provider.as_str().to_owned(),
            method: log.method.to_owned(),
            path: log.path.clone(),
            status: log.status.map(u32::from),
            duration_ms: log.duration.as_secs_f64() * 1000.0,
            attempt: log.attempt,
            failure: log.failure.clone(),
            rate_limit_remaining: log.rate_limit_remaining.map(|n| n as f64),
            rate_limit_limit: log.rate_limit_limit.map(|n| n as f64),
        };
        callback.call(entry, ThreadsafeFunctionCallMode::NonBlocking);
    })
}

/// One warning as `onWarning` receives it.
#[derive(Serialize)]
struct WarningEntry {
    provider: &'static str,
    operation: &'static str,
    message: String,
}

thread_local! {
    /// The warnings of the call running on this thread; `None` outside a call.
    static WARNINGS: RefCell<Option<Vec<WarningEntry>>> = const { RefCell::new(None) };
}

/// Runs `f`, returning what it returns and the warnings the core raised meanwhile. The
/// core is synchronous, so a call's warnings are raised on the thread running it.
fn collect_warnings(f: impl FnOnce() -> String) -> (String, Vec<WarningEntry>) {
    let outer = WARNINGS.with(|w| w.borrow_mut().replace(Vec::new()));
    let text = f();
    let warnings = WARNINGS.with(|w| std::mem::replace(&mut *w.borrow_mut(), outer));
    (text, warnings.unwrap_or_default())
}

/// Every Node client's warning hook: the warning joins its call's answer, for `index.js`
/// to hand to `onWarning` (or `process.emitWarning`) on the main thread.
pub fn warning_logger() -> WarningLogger {
    Arc::new(|w: &Warning| {
        let entry = WarningEntry {
            provider: w.provider.as_str(),
            operation: w.operation,
            message: w.message.clone(),
        };
        WARNINGS.with(|slot| match slot.borrow_mut().as_mut() {
            Some(list) => list.push(entry),
            // Every core call runs inside a Job; should one ever not, the warning still
            // reaches whoever reads the `log` facade.
            None => log::warn!("{} {}: {}", entry.provider, entry.operation, entry.message),
        });
    })
}

/// Node's version for the User-Agent (`voucherkit/0.1.0 (node; 20.11.1)`).
pub fn node_version(env: &Env) -> String {
    env.get_node_version()
        .map(|v| format!("{}.{}.{}", v.major, v.minor, v.patch))
        .unwrap_or_default()
}

/// Runs the `voucherkit` command line (`demo`, `sandbox`, real calls) with `args` after
/// the program name, printing to stdout/stderr, and returns its exit code. It blocks
/// (`sandbox` until Ctrl-C): `cli.js` is its only caller. A panic is exit code 70.
#[napi]
pub fn run_cli(args: Vec<String>) -> i32 {
    std::panic::catch_unwind(|| voucherkit_cli::run(args)).unwrap_or_else(|_| {
        eprintln!("voucherkit: internal error (a Rust panic was caught)");
        70
    })
}

/// The version of the Rust core inside this addon.
#[napi]
pub fn core_version() -> String {
    voucherkit_core::VERSION.to_owned()
}

/// Every error kind of the core as JSON (`[{"name", "code"}]`, in code order): the
/// drift test compares it with `ERROR_KINDS` and index.d.ts, so a kind added to the core
/// and not to this package fails `make test-node`.
#[napi]
pub fn core_error_kinds() -> String {
    let kinds: Vec<serde_json::Value> = voucherkit_core::ErrorKind::ALL
        .iter()
        .map(|k| serde_json::json!({"name": k.as_str(), "code": k.code()}))
        .collect();
    serde_json::Value::Array(kinds).to_string()
}

/// Every transport option of the core as JSON (`[{"name", "kind", "default"}]`), for
/// the same drift test: an option the constructors do not take fails it.
#[napi]
pub fn core_options() -> String {
    let options: Vec<serde_json::Value> = voucherkit_core::OPTIONS
        .iter()
        .map(|o| {
            serde_json::json!({
                "name": o.name,
                "kind": format!("{:?}", o.kind),
                "default": o.default,
            })
        })
        .collect();
    serde_json::Value::Array(options).to_string()
}

/// The options every client constructor takes besides its own, as JSON
/// (`[[javascriptName, nameInErrors]]`): the drift test checks that the transport ones
/// are exactly the core's `OPTIONS`.
#[napi]
pub fn client_option_names() -> String {
    serde_json::to_string(&convert::CLIENT_OPTIONS).unwrap_or_else(|_| "[]".to_owned())
}

/// Panics inside the same guard every operation runs in, on the thread pool (`sync` =
/// false, a Promise) or here: the tests use it to prove a panic becomes an `internal`
/// error and never brings Node down. Only in builds with the `test-hooks` feature.
#[cfg(feature = "test-hooks")]
#[napi]
pub fn debug_panic(sync: bool) -> napi::bindgen_prelude::Either<String, AsyncTask<Job>> {
    use napi::bindgen_prelude::Either;
    let job = Job::new(|| {
        convert::result_text(convert::guarded(None, || -> Vk<serde_json::Value> {
            panic!("deliberate test panic")
        }))
    });
    if sync {
        Either::A(job.run_here())
    } else {
        Either::B(job.promise())
    }
}

/// Breaks the journal file at `path` the way another process (or a failing disk) could,
/// by dropping its entries table under any journal open on it: the tests use it to prove
/// that a journal that cannot record a call stops the write with a `journal` error.
/// Only in builds with the `test-hooks` feature.
#[cfg(feature = "test-hooks")]
#[napi]
pub fn debug_break_journal(path: String) -> napi::Result<()> {
    let broken =
        rusqlite::Connection::open(&path).and_then(|conn| conn.execute_batch("DROP TABLE entries"));
    broken.map_err(|e| napi::Error::from_reason(format!("breaking {path}: {e}")))
}
