//! Scripted mode: serve queued answers in order and record every request.
//!
//! This is what the conformance corpus runs against. A test queues the
//! provider's answers, makes its calls, then checks what reached the wire:
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use voucherkit_sandbox::{Answer, ScriptedServer};
//!
//! let server = ScriptedServer::start()?;
//! server.push(Answer::json(200, &serde_json::json!({ "balance": "10.00" })));
//!
//! let mut client = TcpStream::connect(("127.0.0.1", server.port()))?;
//! client.write_all(
//!     b"POST /redeem HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
//!       Content-Length: 22\r\nConnection: close\r\n\r\nvoucher=AB+12&site=%31",
//! )?;
//! let mut answer = String::new();
//! client.read_to_string(&mut answer)?;
//! assert!(answer.ends_with(r#"{"balance":"10.00"}"#));
//!
//! let requests = server.requests();
//! assert_eq!(requests[0].path, "/redeem");
//! assert_eq!(requests[0].form(), [("voucher".into(), "AB 12".into()), ("site".into(), "1".into())]);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! When the queue runs dry the server answers `599` with
//! `{"sandbox_error":"no scripted answer left"}` (and still records the
//! request), so a test that makes one call too many fails loudly.
//!
//! # Driving it over HTTP
//!
//! Tests in other languages talk to a running scripted server through paths
//! under `/__sandbox/`. These are never recorded and never consume an answer:
//!
//! | request | effect |
//! |---|---|
//! | `POST /__sandbox/answers` with a JSON array of answers | appends them; `200 {"queued":N}`, or `400` naming the bad answer |
//! | `GET /__sandbox/requests` | `200` and the recorded requests ([`RecordedRequest::to_json`]) |
//! | `POST /__sandbox/reset` | clears the queue and the log |
//! | `GET /__sandbox/health` | `200 {"ok":true}`, for readiness checks |
//!
//! Answers use the corpus' JSON shape, see [`Answer::from_json`].

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::http::{Answer, Fault, Handler, RecordedRequest, Server, lock};

/// A [`Server`] that answers from a FIFO queue and records every request.
#[derive(Debug)]
pub struct ScriptedServer {
    server: Server,
    script: Arc<Script>,
}

impl ScriptedServer {
    /// Starts a scripted server; `body_file`s sent to the control endpoint are
    /// read relative to the current directory (as it is now).
    pub fn start() -> io::Result<ScriptedServer> {
        let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        ScriptedServer::start_with_base_dir(here)
    }

    /// Starts a scripted server whose control endpoint reads `body_file`s
    /// relative to `base_dir`.
    pub fn start_with_base_dir(base_dir: impl Into<PathBuf>) -> io::Result<ScriptedServer> {
        let script = Arc::new(Script {
            state: Mutex::new(State::default()),
            base_dir: base_dir.into(),
        });
        let server = Server::start(Arc::clone(&script) as Arc<dyn Handler>)?;
        Ok(ScriptedServer { server, script })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// Stops the server and closes every connection (also done on drop).
    pub fn stop(&self) {
        self.server.stop();
    }

    /// Queues an answer for the next request.
    pub fn push(&self, answer: Answer) {
        lock(&self.script.state).answers.push_back(answer);
    }

    /// Queues several answers, served in the order given.
    pub fn push_all(&self, answers: impl IntoIterator<Item = Answer>) {
        lock(&self.script.state).answers.extend(answers);
    }

    /// How many queued answers have not been served yet.
    pub fn pending(&self) -> usize {
        lock(&self.script.state).answers.len()
    }

    /// Every request received so far (control requests excepted), in arrival
    /// order. A request is recorded as soon as it has been read, before it
    /// is answered, so stalled and delayed ones show up too.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.script.state).requests.clone()
    }

    /// Forgets the queued answers and the recorded requests.
    pub fn reset(&self) {
        let mut state = lock(&self.script.state);
        state.answers.clear();
        state.requests.clear();
    }
}

/// The scripted handler.
#[derive(Debug)]
struct Script {
    /// One lock for both, so the n-th recorded request is the one that got
    /// the n-th answer even when requests race on several connections.
    state: Mutex<State>,
    base_dir: PathBuf,
}

#[derive(Debug, Default)]
struct State {
    answers: VecDeque<Answer>,
    requests: Vec<RecordedRequest>,
}

impl Handler for Script {
    fn handle(&self, req: &RecordedRequest) -> Answer {
        if req.path.starts_with("/__sandbox/") {
            return self.control(req);
        }
        let mut state = lock(&self.state);
        state.requests.push(req.clone());
        state.answers.pop_front().unwrap_or_else(|| {
            Answer::json(599, &json!({ "sandbox_error": "no scripted answer left" }))
        })
    }
}

impl Script {
    fn control(&self, req: &RecordedRequest) -> Answer {
        let error =
            |status, message: String| Answer::json(status, &json!({ "sandbox_error": message }));
        let endpoint = req.path_only();
        match (req.method.as_str(), endpoint) {
            ("POST", "/__sandbox/answers") => match self.parse_answers(&req.body) {
                Ok(answers) => {
                    let queued = answers.len();
                    lock(&self.state).answers.extend(answers);
                    Answer::json(200, &json!({ "queued": queued }))
                }
                Err(message) => error(400, message),
            },
            ("GET", "/__sandbox/requests") => {
                let requests: Vec<Value> = lock(&self.state)
                    .requests
                    .iter()
                    .map(RecordedRequest::to_json)
                    .collect();
                Answer::json(200, &Value::Array(requests))
            }
            ("POST", "/__sandbox/reset") => {
                let mut state = lock(&self.state);
                state.answers.clear();
                state.requests.clear();
                Answer::json(200, &json!({ "reset": true }))
            }
            ("GET", "/__sandbox/health") => Answer::json(200, &json!({ "ok": true })),
            (_, "/__sandbox/answers" | "/__sandbox/reset") => {
                error(405, format!("{endpoint} takes POST")).with_header("Allow", "POST")
            }
            (_, "/__sandbox/requests" | "/__sandbox/health") => {
                error(405, format!("{endpoint} takes GET")).with_header("Allow", "GET")
            }
            _ => error(404, format!("no control endpoint {endpoint}")),
        }
    }

    /// All or nothing: one bad answer queues none of them.
    fn parse_answers(&self, body: &[u8]) -> Result<Vec<Answer>, String> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
        let Value::Array(items) = value else {
            return Err("expected a JSON array of answers".into());
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                Answer::from_json(item, &self.base_dir).map_err(|e| format!("answer {i}: {e}"))
            })
            .collect()
    }
}

const ANSWER_KEYS: [&str; 7] = [
    "status",
    "headers",
    "body",
    "body_text",
    "body_file",
    "content_type",
    "fault",
];

impl Answer {
    /// Reads an answer in the conformance corpus' JSON shape:
    ///
    /// ```json
    /// { "status": 200,
    ///   "headers": {"Retry-After": "2"},
    ///   "body": {"any": "JSON"},
    ///   "body_text": "<html>…</html>",
    ///   "body_file": "bodies/x.json",
    ///   "content_type": "text/html",
    ///   "fault": {"kind": "delay", "ms": 200} }
    /// ```
    ///
    /// Every key is optional. `status` defaults to 200. `headers` is an
    /// object (order kept) or an array of `[name, value]` pairs (for repeated
    /// names). At most one body source: `body` is serialized compactly with
    /// its numbers' digits kept, `body_text` is sent as UTF-8, `body_file` is
    /// read from `base_dir` byte for byte; none gives an empty body.
    /// `content_type` replaces any `Content-Type` header. `fault` kinds:
    /// `delay` (with `ms`), `stall`, `reset`, `truncate`, `close`, `oversize`
    /// (with `bytes`), see [`Fault`]. Unknown keys are errors, so a typo
    /// cannot silently change a test.
    pub fn from_json(v: &Value, base_dir: &Path) -> Result<Answer, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("an answer must be a JSON object, got {v}"))?;
        if let Some(key) = obj.keys().find(|k| !ANSWER_KEYS.contains(&k.as_str())) {
            return Err(format!(
                "unknown key {key:?} (an answer takes {})",
                ANSWER_KEYS.join(", ")
            ));
        }

        let status = match obj.get("status") {
            None => 200,
            Some(s) => s
                .as_u64()
                .filter(|n| (100..=999).contains(n))
                .ok_or_else(|| format!("\"status\" must be an integer from 100 to 999, got {s}"))?
                as u16,
        };
        let mut answer = Answer::new(status);

        match obj.get("headers") {
            None => {}
            Some(Value::Object(map)) => {
                for (name, value) in map {
                    answer
                        .headers
                        .push((name.clone(), header_value(name, value)?));
                }
            }
            Some(Value::Array(pairs)) => {
                for pair in pairs {
                    let bad =
                        || format!("\"headers\" pairs must be [name, value] strings, got {pair}");
                    let [name, value] = pair.as_array().map(Vec::as_slice).ok_or_else(bad)? else {
                        return Err(bad());
                    };
                    let name = name.as_str().ok_or_else(bad)?;
                    answer
                        .headers
                        .push((name.to_string(), header_value(name, value)?));
                }
            }
            Some(other) => {
                return Err(format!(
                    "\"headers\" must be an object of strings or an array of pairs, got {other}"
                ));
            }
        }

        let sources = ["body", "body_text", "body_file"];
        let given: Vec<&str> = sources
            .into_iter()
            .filter(|k| obj.contains_key(*k))
            .collect();
        if given.len() > 1 {
            return Err(format!(
                "give at most one of body, body_text, body_file (got {})",
                given.join(" and ")
            ));
        }
        if let Some(body) = obj.get("body") {
            answer.body = serde_json::to_vec(body).map_err(|e| format!("\"body\": {e}"))?;
        }
        if let Some(text) = obj.get("body_text") {
            let text = text
                .as_str()
                .ok_or_else(|| format!("\"body_text\" must be a string, got {text}"))?;
            answer.body = text.as_bytes().to_vec();
        }
        if let Some(file) = obj.get("body_file") {
            let file = file
                .as_str()
                .ok_or_else(|| format!("\"body_file\" must be a string, got {file}"))?;
            let path = base_dir.join(file);
            answer.body = std::fs::read(&path)
                .map_err(|e| format!("\"body_file\" {}: {e}", path.display()))?;
        }

        if let Some(ct) = obj.get("content_type") {
            let ct = ct
                .as_str()
                .ok_or_else(|| format!("\"content_type\" must be a string, got {ct}"))?;
            answer
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
            answer.headers.push(("Content-Type".into(), ct.into()));
        }

        if let Some(fault) = obj.get("fault") {
            answer.fault = Some(Fault::from_json(fault).map_err(|e| format!("\"fault\": {e}"))?);
        }
        Ok(answer)
    }
}

fn header_value(name: &str, value: &Value) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("header {name:?} must have a string value, got {value}"))
}

impl Fault {
    /// Reads `{"kind": "delay", "ms": 200}`, `{"kind": "stall"}`,
    /// `{"kind": "reset"}`, `{"kind": "truncate"}`, `{"kind": "close"}`,
    /// `{"kind": "duplicate"}` or `{"kind": "oversize", "bytes": 2000000}`.
    pub fn from_json(v: &Value) -> Result<Fault, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("must be an object with a \"kind\", got {v}"))?;
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("needs a string \"kind\", got {v}"))?;
        let (fault, extra) = match kind {
            "delay" => (
                Fault::Delay(Duration::from_millis(number(obj, kind, "ms")?)),
                Some("ms"),
            ),
            "stall" => (Fault::Stall, None),
            "reset" => (Fault::Reset, None),
            "truncate" => (Fault::Truncate, None),
            "close" => (Fault::Close, None),
            "duplicate" => (Fault::Duplicate, None),
            "oversize" => {
                let bytes = number(obj, kind, "bytes")?;
                let bytes = usize::try_from(bytes)
                    .map_err(|_| format!("\"bytes\" {bytes} is too large"))?;
                (Fault::Oversize(bytes), Some("bytes"))
            }
            _ => {
                return Err(format!(
                    "unknown kind {kind:?} (one of delay, stall, reset, truncate, close, duplicate, \
                     oversize)"
                ));
            }
        };
        if let Some(key) = obj
            .keys()
            .find(|k| *k != "kind" && Some(k.as_str()) != extra)
        {
            return Err(format!("unknown key {key:?} for kind {kind:?}"));
        }
        Ok(fault)
    }
}

fn number(obj: &Map<String, Value>, kind: &str, key: &str) -> Result<u64, String> {
    obj.get(key)
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("kind {kind:?} needs a non-negative integer {key:?}"))
}

impl RecordedRequest {
    /// The JSON form served by `GET /__sandbox/requests`:
    /// `{"connection_id", "method", "path", "headers": [[name, value], …],
    /// "body_text"}` (the body decoded as UTF-8, invalid bytes replaced).
    pub fn to_json(&self) -> Value {
        let headers: Vec<Value> = self.headers.iter().map(|(n, v)| json!([n, v])).collect();
        json!({
            "connection_id": self.connection_id,
            "method": self.method,
            "path": self.path,
            "headers": headers,
            "body_text": String::from_utf8_lossy(&self.body),
        })
    }
}
