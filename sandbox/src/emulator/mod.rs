//! The stateful emulator: Smart Gift and Spaaza with real state.
//!
//! Where the scripted mode serves whatever a test queued, the emulator
//! behaves like the providers: a voucher's balance goes down when it is
//! redeemed, a second redeem of a spent voucher gets `Sorry this voucher has
//! already been redeemed.`, a hold really blocks other tills for five
//! minutes, a Spaaza lock really blocks a redeem. Every error a seed page
//! documents arises from the state, with the seed's exact body.
//!
//! ```
//! use voucherkit_sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start()?; // the demo data, 127.0.0.1, a free port
//! // A Smart Gift client's base URL is `sandbox.smartgift_url()`, its key
//! // `sandbox.smartgift_key()`; a Spaaza client's base URL is
//! // `sandbox.spaaza_url()`, its admin session
//! // (`sandbox.spaaza_session_user_id()`, `sandbox.spaaza_session_key()`).
//! assert!(sandbox.smartgift_url().ends_with("/smartgift"));
//! assert_eq!(sandbox.data().smartgift.vouchers[0].voucher_no, "1000000001");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Paths
//!
//! | prefix | provider | wire |
//! |---|---|---|
//! | `/smartgift` | Smart Gift ([`smartgift`]) | `POST /redeem/check`, `/redeem/hold`, `/redeem`, `/redeem/release`, `/redeem/reverse`; JSON |
//! | `/spaaza` | Spaaza ([`spaaza`]) | `/auth/redeem-voucher`, `/unlock-voucher`, `/unclaim-voucher`, `/claim-voucher`, `PUT /lock-voucher`, `GET /get-vouchers`; forms in, JSON out |
//! | `/__sandbox` | control, below | JSON |
//!
//! # Concurrency
//!
//! All state sits behind one mutex and each request is carried out whole
//! while holding it, so requests are serialised exactly as a provider's
//! database would: when eight tills redeem the same voucher at once, one
//! succeeds and seven get the already-redeemed (or not-enough-balance)
//! error. Faults (delays, stalls) are acted out after the lock is released,
//! so a stalled answer never blocks other tills.
//!
//! # Driving it over HTTP
//!
//! Tests in any language can steer a running emulator through `/__sandbox/`
//! paths, which are never recorded or faulted:
//!
//! | request | effect |
//! |---|---|
//! | `POST /__sandbox/faults` with a [`FaultRule`] object or an array of them | adds them (all or none); `200 {"faults": N}` (rules now active), `400` naming the bad one |
//! | `DELETE /__sandbox/faults` or `POST /__sandbox/faults/clear` | removes every rule; `200 {"cleared": N}` |
//! | `POST /__sandbox/clock` with `{"advance_seconds": N}` | moves the clock forward; `200 {"now": "<RFC 3339>", "unix": S}` |
//! | `GET /__sandbox/clock` | the emulated time, same shape |
//! | `POST /__sandbox/reset` | back to the initial data and clock, no rules, empty log |
//! | `GET /__sandbox/requests` | the provider requests received ([`RecordedRequest::to_json`]) |
//! | `GET /__sandbox/data` | the current state as a [`DataSet`] (loadable again) |
//! | `GET /__sandbox/health` | `200 {"ok": true}` |
//! | `GET /__sandbox/faults` | the active rules, `{"faults": [{path, process, times, real_answer, status, fault}]}` (`times` = uses left, null = until cleared) |
//! | `GET /__sandbox/state` | both providers' vouchers with balance, status, live holds and locks and their `seconds_left`, by the emulated clock (a view, not a data set) |
//! | `GET /__sandbox/exchanges?last=N` | the last N (default 50) provider requests, newest first: method, path (secret query values redacted), status (null when a fault left none), fault, `duration_ms` |
//! | `GET /__sandbox/journal` | the journal given with [`Sandbox::show_journal`], entries grouped by state: `{"path", "counts", "states": {"pending": […], "unknown", "applied", "not_applied"}}` (`path` null without one) |
//!
//! `GET /` serves the dashboard, a page that shows all of the above and refreshes
//! itself every second; it reads only these endpoints (its script and style sheet
//! are under `/__sandbox/dashboard/`).

mod clock;
pub mod data;
pub mod faults;
pub mod smartgift;
pub mod spaaza;
mod views;

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use self::clock::Clock;
pub use self::data::*;
pub use self::faults::FaultRule;
pub use self::views::JournalLister;
use self::views::{Exchange, JournalSource};
use crate::dashboard;
use crate::http::{Answer, Handler, RecordedRequest, Server, lock};

/// How to start a [`Sandbox`]. `Default` = the demo data on a free port,
/// with the real time.
#[derive(Clone, Debug, Default)]
pub struct SandboxOptions {
    /// Port on 127.0.0.1; `None` or `Some(0)` picks a free one.
    pub port: Option<u16>,
    /// The data to start from; `None` = [`DataSet::demo`].
    pub data: Option<DataSet>,
    /// The emulated time at start; `None` = the real time. The clock then
    /// runs with real time (and [`Sandbox::advance_clock`]).
    pub start_time: Option<SystemTime>,
}

/// A running emulator of both providers on `127.0.0.1`.
///
/// `Send + Sync`: share it between test threads. Dropping it stops it.
#[derive(Debug)]
pub struct Sandbox {
    server: Server,
    emulator: Arc<Emulator>,
}

impl Sandbox {
    /// The demo data set on a free port of 127.0.0.1.
    pub fn start() -> io::Result<Sandbox> {
        Sandbox::start_with(SandboxOptions::default())
    }

    /// Starts with the given options. An invalid data set is an
    /// `InvalidInput` error naming the problem; a taken port is the bind error.
    pub fn start_with(options: SandboxOptions) -> io::Result<Sandbox> {
        let data = options.data.unwrap_or_else(DataSet::demo);
        data.validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let emulator = Arc::new(Emulator {
            initial: data.clone(),
            state: Mutex::new(Inner {
                world: World {
                    data,
                    clock: Clock::new(options.start_time),
                    rng: Rng::seeded(),
                },
                faults: Vec::new(),
                requests: Vec::new(),
                exchanges: Vec::new(),
            }),
            journal: Mutex::new(None),
            base_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        });
        let handler = Arc::clone(&emulator) as Arc<dyn Handler>;
        let server = Server::start_on(options.port.unwrap_or(0), handler)?;
        Ok(Sandbox { server, emulator })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// The dashboard page: [`Sandbox::url`] + `/`.
    pub fn dashboard_url(&self) -> String {
        format!("{}/", self.url())
    }

    /// A Smart Gift client's `base_url`: [`Sandbox::url`] + `/smartgift`.
    pub fn smartgift_url(&self) -> String {
        format!("{}/smartgift", self.url())
    }

    /// A Spaaza client's `base_url`: [`Sandbox::url`] + `/spaaza`.
    pub fn spaaza_url(&self) -> String {
        format!("{}/spaaza", self.url())
    }

    /// The data set it started with (not the live state: see `GET /__sandbox/data`).
    pub fn data(&self) -> &DataSet {
        &self.emulator.initial
    }

    /// The first API key of the first Smart Gift company (empty if none).
    pub fn smartgift_key(&self) -> String {
        let companies = &self.data().smartgift.companies;
        companies
            .first()
            .and_then(|c| c.api_keys.first())
            .cloned()
            .unwrap_or_default()
    }

    /// The user id of the first admin of the first Spaaza chain (0 if none).
    pub fn spaaza_session_user_id(&self) -> i64 {
        self.first_admin().map_or(0, |a| a.user_id)
    }

    /// The session key of the first admin of the first Spaaza chain (empty if none).
    pub fn spaaza_session_key(&self) -> String {
        self.first_admin()
            .map(|a| a.session_key.clone())
            .unwrap_or_default()
    }

    fn first_admin(&self) -> Option<&ChainAdmin> {
        self.data().spaaza.chains.first()?.admins.first()
    }

    /// Moves the emulated clock forward: holds, locks and vouchers expire.
    pub fn advance_clock(&self, by: Duration) {
        lock(&self.emulator.state).world.clock.advance(by);
    }

    /// The emulated time.
    pub fn now(&self) -> SystemTime {
        lock(&self.emulator.state).world.clock.now()
    }

    /// Adds a fault rule (after the ones already there).
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.emulator.state).faults.push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.emulator.state).faults.clear();
    }

    /// Every provider request received so far (control requests excepted),
    /// in arrival order, faulted ones included.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.emulator.state).requests.clone()
    }

    /// The live state, in the data set format.
    pub fn state(&self) -> DataSet {
        lock(&self.emulator.state).world.data.clone()
    }

    /// Shows a journal at `GET /__sandbox/journal` (and on the dashboard): `list`
    /// returns its entries as JSON objects with a `state`, newest first, and is
    /// called on each request. `path` is only shown. Replaces any journal shown before.
    pub fn show_journal(
        &self,
        path: impl Into<String>,
        list: impl Fn() -> Result<Vec<Value>, String> + Send + Sync + 'static,
    ) {
        *lock(&self.emulator.journal) = Some(JournalSource {
            path: path.into(),
            list: Arc::new(list),
        });
    }

    /// Back to the initial data and clock, with no fault rules and an empty log.
    pub fn reset(&self) {
        self.emulator.reset();
    }

    /// Stops the server and closes every connection (also done on drop).
    pub fn stop(&self) {
        self.server.stop();
    }
}

/// The handler behind a [`Sandbox`].
#[derive(Debug)]
struct Emulator {
    initial: DataSet,
    /// One lock for everything, so requests are carried out one at a time.
    state: Mutex<Inner>,
    /// The journal the dashboard lists; apart from `state` so reading it (disk I/O)
    /// never holds up provider requests.
    journal: Mutex<Option<JournalSource>>,
    /// Where `body_file`s of fault rules sent over HTTP are read from.
    base_dir: PathBuf,
}

#[derive(Debug)]
struct Inner {
    world: World,
    faults: Vec<FaultRule>,
    requests: Vec<RecordedRequest>,
    /// What became of each request in `requests` (same order), for the dashboard.
    exchanges: Vec<Exchange>,
}

/// What the provider handlers see and change.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) data: DataSet,
    pub(crate) clock: Clock,
    pub(crate) rng: Rng,
}

impl Handler for Emulator {
    fn handle(&self, req: &RecordedRequest) -> Answer {
        if req.path_only() == "/__sandbox" || req.path_only().starts_with("/__sandbox/") {
            return self.control(req);
        }
        if req.path_only() == "/" && matches!(req.method.as_str(), "GET" | "HEAD") {
            // The dashboard: neither a provider request nor recorded.
            return dashboard::page();
        }
        let started = Instant::now();
        let mut inner = lock(&self.state);
        inner.requests.push(req.clone());
        let rule = faults::take(&mut inner.faults, req.path_only());
        let faulted = rule.is_some();
        let answer = match rule {
            None => route(&mut inner.world, req),
            Some(rule) if rule.process => {
                let real = route(&mut inner.world, req);
                rule.answer_for(Some(real))
            }
            Some(rule) => rule.answer_for(None),
        };
        let seq = inner.requests.len();
        let now = inner.world.clock.secs();
        let exchange = Exchange::new(seq, req, &answer, faulted, started.elapsed(), now);
        inner.exchanges.push(exchange);
        answer
    }
}

/// Sends a provider request to its provider.
fn route(world: &mut World, req: &RecordedRequest) -> Answer {
    let path = req.path_only();
    if let Some(rest) = provider_path(path, "/smartgift") {
        smartgift::handle(world, req, rest)
    } else if let Some(rest) = provider_path(path, "/spaaza") {
        spaaza::handle(world, req, rest)
    } else {
        not_found(req)
    }
}

/// `/smartgift/redeem` → `/redeem`.
fn provider_path<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    path.strip_prefix(prefix)
        .filter(|rest| rest.starts_with('/'))
}

/// Unknown paths: 404 with a JSON body naming what was asked.
pub(crate) fn not_found(req: &RecordedRequest) -> Answer {
    Answer::json(
        404,
        &json!({
            "message": "Not Found",
            "sandbox_error": format!(
                "no such endpoint: {} {} (Smart Gift lives under /smartgift, Spaaza under /spaaza)",
                req.method, req.path_only()
            ),
        }),
    )
}

impl Emulator {
    fn reset(&self) {
        let mut inner = lock(&self.state);
        inner.world.data = self.initial.clone();
        inner.world.clock.reset();
        inner.faults.clear();
        inner.requests.clear();
        inner.exchanges.clear();
    }

    fn control(&self, req: &RecordedRequest) -> Answer {
        let error =
            |status, message: String| Answer::json(status, &json!({ "sandbox_error": message }));
        let endpoint = req.path_only();
        match (req.method.as_str(), endpoint) {
            ("POST", "/__sandbox/faults") => match self.parse_rules(&req.body) {
                Ok(rules) => {
                    let mut inner = lock(&self.state);
                    inner.faults.extend(rules);
                    Answer::json(200, &json!({ "faults": inner.faults.len() }))
                }
                Err(message) => error(400, message),
            },
            ("DELETE", "/__sandbox/faults") | ("POST", "/__sandbox/faults/clear") => {
                let cleared = std::mem::take(&mut lock(&self.state).faults).len();
                Answer::json(200, &json!({ "cleared": cleared }))
            }
            ("POST", "/__sandbox/clock") => {
                let body = req.body_json().unwrap_or(Value::Null);
                let Some(seconds) = body.get("advance_seconds").and_then(Value::as_u64) else {
                    return error(
                        400,
                        "expected {\"advance_seconds\": N} with N a non-negative integer".into(),
                    );
                };
                let mut inner = lock(&self.state);
                inner.world.clock.advance(Duration::from_secs(seconds));
                Answer::json(200, &clock_json(&inner.world.clock))
            }
            ("GET", "/__sandbox/clock") => {
                Answer::json(200, &clock_json(&lock(&self.state).world.clock))
            }
            ("POST", "/__sandbox/reset") => {
                self.reset();
                Answer::json(200, &json!({ "reset": true }))
            }
            ("GET", "/__sandbox/requests") => {
                let requests: Vec<Value> = lock(&self.state)
                    .requests
                    .iter()
                    .map(RecordedRequest::to_json)
                    .collect();
                Answer::json(200, &Value::Array(requests))
            }
            ("GET", "/__sandbox/data") => {
                let data = lock(&self.state).world.data.clone();
                Answer::json(200, &serde_json::to_value(&data).unwrap_or(Value::Null))
            }
            ("GET", "/__sandbox/health") => Answer::json(200, &json!({ "ok": true })),
            ("GET", "/__sandbox/faults") => {
                let rules: Vec<Value> = lock(&self.state)
                    .faults
                    .iter()
                    .map(views::rule_json)
                    .collect();
                Answer::json(200, &json!({ "faults": rules }))
            }
            ("GET", "/__sandbox/state") => {
                let inner = lock(&self.state);
                Answer::json(
                    200,
                    &views::state_json(&inner.world.data, &inner.world.clock),
                )
            }
            ("GET", "/__sandbox/exchanges") => {
                let last = match query_number(req, "last") {
                    Ok(n) => n.unwrap_or(50),
                    Err(message) => return error(400, message),
                };
                let inner = lock(&self.state);
                let exchanges: Vec<Value> = inner
                    .exchanges
                    .iter()
                    .rev()
                    .take(last)
                    .map(Exchange::to_json)
                    .collect();
                Answer::json(
                    200,
                    &json!({ "total": inner.exchanges.len(), "exchanges": exchanges }),
                )
            }
            ("GET", "/__sandbox/journal") => {
                // Cloned out so the journal is read without holding the lock.
                let source = lock(&self.journal).clone();
                match views::journal_json(source.as_ref()) {
                    Ok(listing) => Answer::json(200, &listing),
                    Err(message) => error(500, format!("the journal could not be read: {message}")),
                }
            }
            ("GET" | "HEAD", path) if path.starts_with("/__sandbox/dashboard/") => {
                dashboard::asset(&path["/__sandbox/dashboard/".len()..])
                    .unwrap_or_else(|| error(404, format!("no dashboard file {path}")))
            }
            (_, "/__sandbox/faults") => error(405, format!("{endpoint} takes GET, POST or DELETE"))
                .with_header("Allow", "GET, POST, DELETE"),
            (_, "/__sandbox/clock") => error(405, format!("{endpoint} takes GET or POST"))
                .with_header("Allow", "GET, POST"),
            (_, "/__sandbox/faults/clear" | "/__sandbox/reset") => {
                error(405, format!("{endpoint} takes POST")).with_header("Allow", "POST")
            }
            (
                _,
                "/__sandbox/requests"
                | "/__sandbox/data"
                | "/__sandbox/health"
                | "/__sandbox/state"
                | "/__sandbox/exchanges"
                | "/__sandbox/journal",
            ) => error(405, format!("{endpoint} takes GET")).with_header("Allow", "GET"),
            _ => error(404, format!("no control endpoint {endpoint}")),
        }
    }

    /// One rule or an array of rules; all or nothing.
    fn parse_rules(&self, body: &[u8]) -> Result<Vec<FaultRule>, String> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
        match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    FaultRule::from_json(item, &self.base_dir).map_err(|e| format!("rule {i}: {e}"))
                })
                .collect(),
            one => Ok(vec![FaultRule::from_json(&one, &self.base_dir)?]),
        }
    }
}

/// A non-negative integer query parameter (`?last=20`), if present.
fn query_number(req: &RecordedRequest, name: &str) -> Result<Option<usize>, String> {
    match req.query().into_iter().find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, v)) => v
            .parse()
            .map(Some)
            .map_err(|_| format!("{name} must be a non-negative integer, got {v:?}")),
    }
}

/// A decimal as a JSON number, trailing zeros dropped (`100.00` → `100`,
/// `74.50` → `74.5`), as both providers' samples show amounts. The digits
/// go straight into the JSON text, never through a float.
pub(crate) fn number(d: rust_decimal::Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

fn clock_json(clock: &Clock) -> Value {
    let secs = clock.secs();
    json!({ "now": clock::format_rfc3339(secs), "unix": secs })
}

/// A small xorshift64* generator for hold tokens and voucher keys: unique
/// enough for a test double, and no dependency.
#[derive(Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let here = &nanos as *const u64 as u64;
        Rng((nanos ^ here.rotate_left(32)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `len` characters from `alphabet`.
    pub(crate) fn text(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[(self.next() >> 33) as usize % alphabet.len()] as char)
            .collect()
    }
}

/// Letters and digits, for hold tokens.
pub(crate) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Lower-case hex, for Spaaza voucher keys.
pub(crate) const HEX: &[u8] = b"0123456789abcdef";
