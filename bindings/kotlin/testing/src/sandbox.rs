//! The sandbox's servers for JVM tests: the stateful emulator ([`Sandbox`]) and the
//! scripted server ([`ScriptedServer`]). Both run on their own Rust threads, never on the
//! caller's, so a blocking client call against them cannot deadlock.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use voucherkit_sandbox as sb;
use voucherkit_sandbox::{Answer, FaultRule, RecordedRequest};

use crate::SecretString;

/// A sandbox that cannot start, or a rule, answer or data set it cannot read:
/// `SandboxException` in Kotlin.
#[derive(Debug, uniffi::Error)]
#[uniffi(flat_error)]
pub enum SandboxError {
    /// Bad JSON, an unknown key, an invalid data set.
    Invalid(String),
    /// The server could not start (e.g. the port is taken).
    Io(String),
}

impl std::fmt::Display for SandboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SandboxError::Invalid(m) | SandboxError::Io(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SandboxError {}

fn io_error(e: std::io::Error) -> SandboxError {
    if e.kind() == std::io::ErrorKind::InvalidInput {
        SandboxError::Invalid(e.to_string())
    } else {
        SandboxError::Io(format!("cannot start the server: {e}"))
    }
}

/// One JSON object, or an array of them.
fn items(json: &str) -> Result<Vec<Value>, SandboxError> {
    match serde_json::from_str(json) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(one) => Ok(vec![one]),
        Err(e) => Err(SandboxError::Invalid(format!("not JSON: {e}"))),
    }
}

fn requests_json(requests: &[RecordedRequest]) -> String {
    Value::Array(requests.iter().map(RecordedRequest::to_json).collect()).to_string()
}

fn base_dir(dir: Option<String>) -> PathBuf {
    dir.map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The stateful emulator of both providers on 127.0.0.1 (`voucherkit_sandbox::Sandbox`):
/// balances go down, holds and locks block other tills and expire with the sandbox's own
/// clock, and every documented error arises from the state. `close()` (or `use { }`)
/// stops it.
#[derive(Debug, uniffi::Object)]
pub struct Sandbox {
    inner: sb::Sandbox,
    base_dir: PathBuf,
}

#[uniffi::export]
impl Sandbox {
    /// Starts on `port` (0 = a free one) with `dataJson` (a data set, format
    /// `sandbox/DATA.md`; null = the demo data) and the emulated time starting at
    /// `startTime` (null = now). Fault rules' `body_file`s are read from `baseDir`
    /// (null = the working directory).
    #[uniffi::constructor(default(port = 0, data_json = None, start_time = None, base_dir = None))]
    pub fn new(
        port: u16,
        data_json: Option<String>,
        start_time: Option<SystemTime>,
        base_dir: Option<String>,
    ) -> Result<Arc<Sandbox>, SandboxError> {
        let data = data_json
            .map(|text| {
                sb::DataSet::from_json(&text)
                    .map_err(|e| SandboxError::Invalid(format!("invalid sandbox data: {e}")))
            })
            .transpose()?;
        let inner = sb::Sandbox::start_with(sb::SandboxOptions {
            port: Some(port),
            data,
            start_time,
        })
        .map_err(io_error)?;
        Ok(Arc::new(Sandbox {
            inner,
            base_dir: self::base_dir(base_dir),
        }))
    }

    /// The demo data on a free port, with the real time.
    #[uniffi::constructor]
    pub fn start() -> Result<Arc<Sandbox>, SandboxError> {
        Sandbox::new(0, None, None, None)
    }

    /// `http://127.0.0.1:<port>` (control paths under `/__sandbox/`).
    pub fn url(&self) -> String {
        self.inner.url()
    }

    pub fn port(&self) -> u16 {
        self.inner.port()
    }

    /// A Smart Gift client's `baseUrl`.
    pub fn smartgift_url(&self) -> String {
        self.inner.smartgift_url()
    }

    /// A Spaaza client's `baseUrl`.
    pub fn spaaza_url(&self) -> String {
        self.inner.spaaza_url()
    }

    /// The API key of the first Smart Gift company of the data.
    pub fn smartgift_key(&self) -> SecretString {
        SecretString(self.inner.smartgift_key())
    }

    /// The user id of the first admin of the first Spaaza chain.
    pub fn spaaza_session_user_id(&self) -> i64 {
        self.inner.spaaza_session_user_id()
    }

    /// The session key of the first admin of the first Spaaza chain.
    pub fn spaaza_session_key(&self) -> SecretString {
        SecretString(self.inner.spaaza_session_key())
    }

    /// The data set it started with, as JSON (money as strings).
    pub fn data_json(&self) -> String {
        serde_json::to_string(self.inner.data()).unwrap_or_default()
    }

    /// The live state (balances, holds, statuses) as JSON in the data set format.
    pub fn state_json(&self) -> String {
        serde_json::to_string(&self.inner.state()).unwrap_or_default()
    }

    /// The emulated time.
    pub fn now(&self) -> SystemTime {
        self.inner.now()
    }

    /// Moves the emulated clock forward: holds, locks and vouchers expire.
    pub fn advance_clock(&self, by: Duration) {
        self.inner.advance_clock(by);
    }

    /// Adds fault rules: one `{"path", "answer", "times"?, "process"?}` object or an array
    /// of them (all or none). Returns how many were added.
    pub fn inject_fault(&self, rule_json: String) -> Result<u32, SandboxError> {
        let rules = items(&rule_json)?
            .iter()
            .enumerate()
            .map(|(i, r)| {
                FaultRule::from_json(r, &self.base_dir)
                    .map_err(|e| SandboxError::Invalid(format!("rule {i}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = rules.len() as u32;
        rules.into_iter().for_each(|r| self.inner.inject(r));
        Ok(n)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.inner.clear_faults();
    }

    /// Every provider request received so far, as a JSON array of
    /// `{"connection_id", "method", "path", "headers": [[name, value]…], "body_text"}`.
    pub fn requests_json(&self) -> String {
        requests_json(&self.inner.requests())
    }

    /// Back to the initial data and clock, with no fault rules and an empty log.
    pub fn reset(&self) {
        self.inner.reset();
    }

    /// Stops the server and closes every connection (also done by `close()`).
    pub fn stop(&self) {
        self.inner.stop();
    }
}

/// A server on 127.0.0.1 that serves the answers you queue, in order, and records every
/// request (the conformance corpus' scripted mode). A request with no answer left gets
/// `599 {"sandbox_error": "no scripted answer left"}`.
#[derive(Debug, uniffi::Object)]
pub struct ScriptedServer {
    inner: sb::ScriptedServer,
    base_dir: PathBuf,
}

#[uniffi::export]
impl ScriptedServer {
    /// Starts on a free port; answers' `body_file`s are read from `baseDir` (null = the
    /// working directory).
    #[uniffi::constructor(default(base_dir = None))]
    pub fn new(base_dir: Option<String>) -> Result<Arc<ScriptedServer>, SandboxError> {
        let base_dir = self::base_dir(base_dir);
        let inner = sb::ScriptedServer::start_with_base_dir(base_dir.clone()).map_err(io_error)?;
        Ok(Arc::new(ScriptedServer { inner, base_dir }))
    }

    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub fn url(&self) -> String {
        self.inner.url()
    }

    pub fn port(&self) -> u16 {
        self.inner.port()
    }

    /// Queues answers: one `{"status", "headers", "body" | "body_text" | "body_file",
    /// "content_type", "fault"}` object or an array of them (all or none). Returns how
    /// many were queued.
    pub fn push(&self, answer_json: String) -> Result<u32, SandboxError> {
        let answers = items(&answer_json)?
            .iter()
            .enumerate()
            .map(|(i, a)| {
                Answer::from_json(a, &self.base_dir)
                    .map_err(|e| SandboxError::Invalid(format!("answer {i}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = answers.len() as u32;
        self.inner.push_all(answers);
        Ok(n)
    }

    /// How many queued answers have not been served yet.
    pub fn pending(&self) -> u32 {
        u32::try_from(self.inner.pending()).unwrap_or(u32::MAX)
    }

    /// The recorded requests, as `Sandbox.requestsJson()` gives them.
    pub fn requests_json(&self) -> String {
        requests_json(&self.inner.requests())
    }

    /// Forgets the queued answers and the recorded requests.
    pub fn reset(&self) {
        self.inner.reset();
    }

    /// Stops the server (also done by `close()`).
    pub fn stop(&self) {
        self.inner.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_json_is_refused_whole() {
        let server = ScriptedServer::new(None).unwrap();
        assert!(matches!(
            server.push("nope".into()),
            Err(SandboxError::Invalid(_))
        ));
        let two = r#"[{"status": 200}, {"status": 200, "nope": 1}]"#;
        assert!(matches!(
            server.push(two.into()),
            Err(SandboxError::Invalid(_))
        ));
        assert_eq!(server.pending(), 0);
        assert_eq!(
            server
                .push(r#"[{"status": 200}, {"status": 404}]"#.into())
                .unwrap(),
            2
        );
        assert_eq!(server.pending(), 2);
        server.stop();
    }

    #[test]
    fn sandbox_exposes_its_demo_keys_and_rules() {
        let sandbox = Sandbox::start().unwrap();
        assert!(sandbox.smartgift_url().ends_with("/smartgift"));
        assert!(!sandbox.smartgift_key().0.is_empty());
        assert!(sandbox.data_json().starts_with('{'));
        let rule =
            r#"{"path": "/smartgift/redeem", "answer": {"fault": {"kind": "stall"}}, "times": 1}"#;
        assert_eq!(sandbox.inject_fault(rule.into()).unwrap(), 1);
        assert!(matches!(
            sandbox.inject_fault(r#"{"path": "x"}"#.into()),
            Err(SandboxError::Invalid(_))
        ));
        assert!(matches!(
            Sandbox::new(0, Some("{".into()), None, None),
            Err(SandboxError::Invalid(_))
        ));
        sandbox.stop();
    }
}
