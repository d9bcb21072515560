//! `voucherkit/testing`: the sandbox's servers, running on their own Rust threads (never
//! on Node's), so even a blocking `…Sync` call against them cannot deadlock.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use napi_derive::napi;
use serde_json::Value;
use voucherkit_sandbox::{
    Answer, DataSet, FaultRule, RecordedRequest, Sandbox, SandboxOptions, ScriptedServer,
};

fn failure(message: impl std::fmt::Display) -> napi::Error {
    napi::Error::new(napi::Status::InvalidArg, message.to_string())
}

fn requests_json(requests: &[RecordedRequest]) -> String {
    Value::Array(requests.iter().map(RecordedRequest::to_json).collect()).to_string()
}

/// The stateful emulator of both providers (`voucherkit_sandbox::Sandbox`).
#[napi(js_name = "Sandbox")]
pub struct NativeSandbox {
    inner: Sandbox,
    base_dir: PathBuf,
}

#[napi]
impl NativeSandbox {
    /// Starts on 127.0.0.1: `port` 0 picks a free one, `data_json` is a data set in its
    /// JSON form (empty = the demo data), `start_unix` the emulated start time in
    /// seconds (negative = the real time); fault rules' `body_file`s are read from
    /// `base_dir`.
    #[napi(factory)]
    pub fn start(
        port: u32,
        data_json: String,
        start_unix: f64,
        base_dir: String,
    ) -> napi::Result<Self> {
        let data = if data_json.is_empty() {
            None
        } else {
            Some(DataSet::from_json(&data_json).map_err(failure)?)
        };
        let port =
            u16::try_from(port).map_err(|_| failure(format!("port {port} is out of range")))?;
        let start_time = (start_unix >= 0.0 && start_unix.is_finite())
            .then(|| UNIX_EPOCH + Duration::from_secs_f64(start_unix));
        let inner = Sandbox::start_with(SandboxOptions {
            port: Some(port),
            data,
            start_time,
        })
        .map_err(failure)?;
        Ok(NativeSandbox {
            inner,
            base_dir: PathBuf::from(base_dir),
        })
    }

    #[napi(getter)]
    pub fn url(&self) -> String {
        self.inner.url()
    }

    #[napi(getter)]
    pub fn port(&self) -> u32 {
        u32::from(self.inner.port())
    }

    #[napi(getter)]
    pub fn smartgift_url(&self) -> String {
        self.inner.smartgift_url()
    }

    #[napi(getter)]
    pub fn spaaza_url(&self) -> String {
        self.inner.spaaza_url()
    }

    #[napi(getter)]
    pub fn smartgift_key(&self) -> String {
        self.inner.smartgift_key()
    }

    #[napi(getter)]
    pub fn spaaza_session_user_id(&self) -> i64 {
        self.inner.spaaza_session_user_id()
    }

    #[napi(getter)]
    pub fn spaaza_session_key(&self) -> String {
        self.inner.spaaza_session_key()
    }

    /// The data set it started with, as JSON.
    #[napi]
    pub fn data_json(&self) -> String {
        serde_json::to_string(self.inner.data()).unwrap_or_default()
    }

    /// The live state, as JSON in the data set format.
    #[napi]
    pub fn state_json(&self) -> String {
        serde_json::to_string(&self.inner.state()).unwrap_or_default()
    }

    /// The emulated time, in seconds since the epoch.
    #[napi]
    pub fn now_unix(&self) -> f64 {
        self.inner
            .now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }

    #[napi]
    pub fn advance_clock(&self, seconds: f64) -> napi::Result<()> {
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(failure(format!(
                "seconds must be a number ≥ 0, got {seconds}"
            )));
        }
        self.inner.advance_clock(Duration::from_secs_f64(seconds));
        Ok(())
    }

    /// Adds fault rules (a JSON rule or array of rules); all or none.
    #[napi]
    pub fn inject_faults(&self, rules_json: String) -> napi::Result<u32> {
        let value: Value = serde_json::from_str(&rules_json).map_err(failure)?;
        let items = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        let rules = items
            .iter()
            .enumerate()
            .map(|(i, r)| {
                FaultRule::from_json(r, &self.base_dir)
                    .map_err(|e| failure(format!("rule {i}: {e}")))
            })
            .collect::<napi::Result<Vec<_>>>()?;
        let n = rules.len() as u32;
        rules.into_iter().for_each(|r| self.inner.inject(r));
        Ok(n)
    }

    #[napi]
    pub fn clear_faults(&self) {
        self.inner.clear_faults();
    }

    /// The provider requests received, as a JSON array.
    #[napi]
    pub fn requests(&self) -> String {
        requests_json(&self.inner.requests())
    }

    #[napi]
    pub fn reset(&self) {
        self.inner.reset();
    }

    #[napi]
    pub fn stop(&self) {
        self.inner.stop();
    }
}

/// The scripted server: serves queued answers in order and records every request.
#[napi(js_name = "ScriptedServer")]
pub struct NativeScriptedServer {
    inner: ScriptedServer,
    base_dir: PathBuf,
}

#[napi]
impl NativeScriptedServer {
    /// Starts on 127.0.0.1 (an ephemeral port); `body_file`s are read from `baseDir`.
    #[napi(factory)]
    pub fn start(base_dir: String) -> napi::Result<Self> {
        let base_dir = PathBuf::from(base_dir);
        let inner = ScriptedServer::start_with_base_dir(base_dir.clone()).map_err(failure)?;
        Ok(NativeScriptedServer { inner, base_dir })
    }

    #[napi(getter)]
    pub fn url(&self) -> String {
        self.inner.url()
    }

    #[napi(getter)]
    pub fn port(&self) -> u32 {
        u32::from(self.inner.port())
    }

    /// Queues answers (a JSON array in the corpus' answer shape); all or none.
    #[napi]
    pub fn push(&self, answers_json: String) -> napi::Result<u32> {
        let value: Value = serde_json::from_str(&answers_json).map_err(failure)?;
        let items = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        let answers = items
            .iter()
            .enumerate()
            .map(|(i, a)| {
                Answer::from_json(a, &self.base_dir)
                    .map_err(|e| failure(format!("answer {i}: {e}")))
            })
            .collect::<napi::Result<Vec<_>>>()?;
        let n = answers.len() as u32;
        self.inner.push_all(answers);
        Ok(n)
    }

    /// The recorded requests as a JSON array (`RecordedRequest::to_json`).
    #[napi]
    pub fn requests(&self) -> String {
        requests_json(&self.inner.requests())
    }

    /// How many queued answers have not been served yet.
    #[napi]
    pub fn pending(&self) -> u32 {
        self.inner.pending() as u32
    }

    #[napi]
    pub fn reset(&self) {
        self.inner.reset();
    }

    #[napi]
    pub fn stop(&self) {
        self.inner.stop();
    }
}

/// A sandbox server that answers every request with one fixed answer and records
/// nothing (so its memory stays flat): the responder of `bench/run.js`. Only in builds
/// with the `test-hooks` feature (the bench builds its own addon with it).
#[cfg(feature = "test-hooks")]
#[napi(js_name = "BenchResponder")]
pub struct NativeBenchResponder {
    server: voucherkit_sandbox::http::Server,
}

#[cfg(feature = "test-hooks")]
#[napi]
impl NativeBenchResponder {
    #[napi(constructor)]
    pub fn new(status: u32, body: String) -> napi::Result<Self> {
        let status = u16::try_from(status).map_err(failure)?;
        let answer = Answer::new(status)
            .with_header("Content-Type", "application/json")
            .with_body(body.into_bytes());
        let handler = move |_: &RecordedRequest| answer.clone();
        let server = voucherkit_sandbox::http::Server::start(std::sync::Arc::new(handler))
            .map_err(failure)?;
        Ok(NativeBenchResponder { server })
    }

    #[napi(getter)]
    pub fn url(&self) -> String {
        self.server.url()
    }

    #[napi]
    pub fn stop(&self) {
        self.server.stop();
    }
}

/// Makes `calls` Smart Gift money redeems (`value` 10.00) through the Rust core alone,
/// on this thread, and returns the seconds they took: `bench/`'s baseline, so the
/// binding's own cost per call can be told from the core's. Only with `test-hooks`.
#[cfg(feature = "test-hooks")]
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn bench_core_redeems(base_url: String, api_key: String, calls: u32) -> napi::Result<f64> {
    use voucherkit_core::smartgift::{RedeemRequest, SmartGift, SmartGiftConfig};
    let client = SmartGift::new(SmartGiftConfig {
        journal: None,
        api_key: voucherkit_core::Secret::new(api_key),
        base_url: Some(base_url),
        options: voucherkit_core::ClientOptions::default(),
    })
    .map_err(failure)?;
    let req = RedeemRequest::money("1234567890", 12, "10.00");
    let start = std::time::Instant::now();
    for _ in 0..calls {
        client.redeem(&req).map_err(failure)?;
    }
    Ok(start.elapsed().as_secs_f64())
}
