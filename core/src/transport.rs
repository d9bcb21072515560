//! HTTP transport: one ureq agent per client, tuned so that the core sees every answer
//! and never does anything twice on its own.
//!
//! The rules (DESIGN.md §3), and why:
//! - `http_status_as_error(false)`: a 4xx/5xx body carries the provider's message.
//! - No redirects: following one would send the auth headers to another host.
//! - A 1 MiB body cap: a till has no use for more, and must not run out of memory.
//! - One deadline for the whole call, attempts included.
//! - Retries only when the request provably never left (DNS, connect, TLS) or the
//!   provider said "come back later" (429, or 503 with `Retry-After`). A write that was
//!   sent and got no complete answer is `outcome_unknown`, never re-sent: the provider
//!   may have acted. "Sent" is measured, not guessed: the connector below marks the first
//!   byte handed to the socket, and a failure after that counts as sent.

use std::cell::Cell;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use ureq::Agent;
use ureq::http::{self, Uri};
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout,
    RustlsConnector, Transport,
};

use crate::error::{Error, ErrorKind, Provider, Result};
use crate::validate;

/// The largest answer body read; a larger one is never a documented answer.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Transport settings shared by both clients. `Default` gives the documented defaults.
#[derive(Clone)]
pub struct ClientOptions {
    /// Time allowed to open a connection (DNS, TCP, TLS). Default 5 s.
    pub connect_timeout: Duration,
    /// One deadline for a whole call, retries and waits included. Default 30 s.
    pub timeout: Duration,
    /// Extra attempts allowed when a request provably did not reach the provider or the
    /// provider asked for a retry (429, 503 with Retry-After). Default 2.
    pub max_retries: u32,
    /// A PEM file of extra CA certificates, trusted besides the webpki roots (for tills
    /// behind an inspecting proxy).
    pub ca_bundle: Option<PathBuf>,
    /// An HTTP CONNECT proxy URL (`http://` or `https://`). When unset, `HTTPS_PROXY`/
    /// `ALL_PROXY`/`NO_PROXY` from the environment apply, except for loopback base URLs.
    /// SOCKS proxies, set here or in the environment, are refused with an `invalid_request`
    /// naming `proxy`: going around a configured proxy would be worse than not starting.
    pub proxy: Option<String>,
    /// Allow plain `http://` to hosts other than loopback. Off by default: a key sent in
    /// clear text is a key given away.
    pub allow_insecure_http: bool,
    /// Pooled connections idle longer than this are not reused, so a connection the
    /// provider has quietly dropped does not turn a redeem into `outcome_unknown`.
    pub max_idle_age: Duration,
    /// The binding in the User-Agent, e.g. `"python"`; default `"rust"`.
    pub binding: String,
    /// The binding's language version in the User-Agent, e.g. `"3.11.7"`; may be empty.
    pub language_version: String,
    /// Called after every attempt with its method, path, status and duration (never a
    /// body, a query string or a secret). Every attempt is also logged through the `log`
    /// facade at debug level.
    pub logger: Option<RequestLogger>,
}

/// One HTTP attempt, as a [`RequestLogger`] sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestLog {
    pub provider: Provider,
    pub method: &'static str,
    /// The path without its query string (queries can carry customer identifiers).
    pub path: String,
    /// The answer's status; `None` when no answer came.
    pub status: Option<u16>,
    pub duration: Duration,
    /// 1 for the first attempt of a call, 2 for its first retry, …
    pub attempt: u32,
    /// What went wrong at the transport level, if anything.
    pub failure: Option<String>,
}

/// A per-client request logger: how the Python, Node and C bindings see each request.
pub type RequestLogger = std::sync::Arc<dyn Fn(&RequestLog) + Send + Sync>;

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            max_retries: 2,
            ca_bundle: None,
            proxy: None,
            allow_insecure_http: false,
            max_idle_age: Duration::from_secs(30),
            binding: "rust".to_owned(),
            language_version: String::new(),
            logger: None,
        }
    }
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("ca_bundle", &self.ca_bundle)
            // A proxy URL may carry credentials.
            .field("proxy", &self.proxy.as_ref().map(|_| "<set>"))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_idle_age", &self.max_idle_age)
            .field("binding", &self.binding)
            .field("logger", &self.logger.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// The User-Agent every request carries.
pub fn user_agent(binding: &str, language_version: &str) -> String {
    let version = crate::VERSION;
    if language_version.is_empty() {
        format!("voucherkit/{version} ({binding})")
    } else {
        format!("voucherkit/{version} ({binding}; {language_version})")
    }
}

/// HTTP methods the providers use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

/// Whether a call changes state at the provider: it decides what a lost answer means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    /// A read: a lost answer is `network`, retrying is safe.
    Read,
    /// A write: a lost answer is `outcome_unknown`.
    Write,
}

/// A request ready for the wire.
pub(crate) struct Outgoing {
    pub method: Method,
    /// Path (and query) after the base URL, starting with `/`.
    pub path: String,
    /// Content type and bytes.
    pub body: Option<(&'static str, Vec<u8>)>,
    pub effect: Effect,
}

/// An answer, read in full (or found too large to read).
#[derive(Debug)]
pub(crate) struct Incoming {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
    /// The body was larger than [`MAX_BODY_BYTES`]; `body` is empty.
    pub oversize: bool,
}

impl Incoming {
    /// A header's value, if present and readable as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `Retry-After` in seconds (delta-seconds or an HTTP date).
    pub fn retry_after(&self) -> Option<u64> {
        let value = self.header("retry-after")?.trim();
        if let Ok(secs) = value.parse::<u64>() {
            return Some(secs);
        }
        let when = httpdate::parse_http_date(value).ok()?;
        Some(
            when.duration_since(SystemTime::now())
                .map(|d| d.as_secs())
                .unwrap_or(0),
        )
    }

    /// The provider asked for the same request later: 429, or 503 with `Retry-After`.
    fn asks_for_retry(&self) -> bool {
        self.status == 429 || (self.status == 503 && self.retry_after().is_some())
    }
}

/// A parsed, checked base URL (`https://host[:port][/prefix]`, no trailing slash).
#[derive(Clone, Debug)]
pub(crate) struct BaseUrl {
    text: String,
    loopback: bool,
}

impl BaseUrl {
    pub fn parse(raw: &str, allow_insecure_http: bool) -> Result<BaseUrl> {
        let field = "base_url";
        validate::header_value(raw, field)?;
        let uri: Uri = raw
            .parse()
            .map_err(|_| Error::invalid(field, format!("base_url is not a valid URL: {raw:?}")))?;
        let scheme = uri.scheme_str().unwrap_or("");
        if scheme != "http" && scheme != "https" {
            return Err(Error::invalid(
                field,
                format!("base_url must start with https:// (or http:// for loopback), got {raw:?}"),
            ));
        }
        let host = uri.host().unwrap_or("");
        if host.is_empty() {
            return Err(Error::invalid(
                field,
                format!("base_url has no host: {raw:?}"),
            ));
        }
        if uri.query().is_some() || raw.contains('#') {
            return Err(Error::invalid(
                field,
                format!("base_url must not carry a query or fragment: {raw:?}"),
            ));
        }
        if raw.contains('@') {
            return Err(Error::invalid(
                field,
                "base_url must not carry credentials; use the client's key settings",
            ));
        }
        let loopback = is_loopback(host);
        if scheme == "http" && !loopback && !allow_insecure_http {
            return Err(Error::invalid(
                field,
                format!(
                    "base_url uses plain http:// to a non-loopback host ({host}); use https:// \
                     (or set allow_insecure_http to accept sending keys in clear text)"
                ),
            ));
        }
        Ok(BaseUrl {
            text: raw.trim_end_matches('/').to_owned(),
            loopback,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

thread_local! {
    // Set when a byte of the current request is handed to the socket. ureq drives a
    // call entirely on the calling thread, so a thread-local is exact.
    static SENT: Cell<bool> = const { Cell::new(false) };
}

/// Wraps every connection (outermost, above TLS) in a [`MarkedTransport`].
#[derive(Debug)]
struct MarkSent;

impl<In: Transport> Connector<In> for MarkSent {
    type Out = MarkedTransport;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<MarkedTransport>, ureq::Error> {
        // A new connection is ready: whatever was written to set it up (a proxy's
        // CONNECT) is not the request.
        SENT.with(|s| s.set(false));
        Ok(chained.map(|inner| MarkedTransport {
            inner: Box::new(inner),
            pending: Vec::new(),
        }))
    }
}

/// A connection that knows when a request leaves, and sends it in one piece.
///
/// - ureq hands over the request head and body in separate writes; with `TCP_NODELAY`
///   that is two packets and two wake-ups at the server. Writes are held back ("corked")
///   until ureq first waits for the answer, then sent as one write: an HTTP/1.1 client
///   always has the whole request out before it reads.
/// - The first byte handed to the socket sets [`SENT`]; a failure after that counts as
///   sent (even half-way through the write).
/// - Timeouts are rounded up to [`TIMEOUT_STEP`], so the socket's timeout stays the same
///   from one I/O to the next instead of costing a `setsockopt` each time; the deadline
///   may be overrun by less than one step.
#[derive(Debug)]
struct MarkedTransport {
    inner: Box<dyn Transport>,
    pending: Vec<u8>,
}

const TIMEOUT_STEP: std::time::Duration = std::time::Duration::from_millis(50);

fn coarse(mut timeout: NextTimeout) -> NextTimeout {
    if let ureq::unversioned::transport::time::Duration::Exact(d) = timeout.after {
        let step = TIMEOUT_STEP.as_nanos();
        let rounded = d.as_nanos().div_ceil(step) * step;
        timeout.after = ureq::unversioned::transport::time::Duration::Exact(
            std::time::Duration::from_nanos(rounded as u64),
        );
    }
    timeout
}

impl MarkedTransport {
    fn flush(&mut self, timeout: NextTimeout) -> std::result::Result<(), ureq::Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        SENT.with(|s| s.set(true));
        let pending = std::mem::take(&mut self.pending);
        for chunk in pending.chunks(self.inner.buffers().output().len().max(1)) {
            self.inner.buffers().output()[..chunk.len()].copy_from_slice(chunk);
            self.inner.transmit_output(chunk.len(), timeout)?;
        }
        self.pending = pending;
        self.pending.clear();
        Ok(())
    }
}

impl Transport for MarkedTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        _timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        let output = &self.inner.buffers().output()[..amount];
        self.pending.extend_from_slice(output);
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        let timeout = coarse(timeout);
        self.flush(timeout)?;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// Opens plain TCP connections like ureq's `TcpConnector`, but checks a pooled
/// connection with one non-blocking `MSG_PEEK` instead of ureq's three system calls
/// (non-blocking on, read, blocking off) before each reuse.
#[derive(Debug)]
struct TcpConnector;

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, PeekedTcp>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        if let Some(transport) = chained {
            return Ok(Some(Either::A(transport)));
        }
        let limit = match details.timeout.after {
            ureq::unversioned::transport::time::Duration::Exact(d) => Some(d),
            ureq::unversioned::transport::time::Duration::NotHappening => None,
        };
        let started = Instant::now();
        let mut last = None;
        for addr in details.addrs.iter() {
            let attempt = match limit {
                Some(limit) => match limit.checked_sub(started.elapsed()) {
                    Some(left) if !left.is_zero() => {
                        std::net::TcpStream::connect_timeout(addr, left)
                    }
                    _ => return Err(ureq::Error::Timeout(ureq::Timeout::Connect)),
                },
                None => std::net::TcpStream::connect(addr),
            };
            match attempt {
                Ok(stream) => {
                    stream.set_nodelay(details.config.no_delay())?;
                    let config = details.config;
                    return Ok(Some(Either::B(PeekedTcp {
                        stream,
                        buffers: LazyBuffers::new(
                            config.input_buffer_size(),
                            config.output_buffer_size(),
                        ),
                        read_timeout: None,
                        write_timeout: None,
                    })));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                ureq::Error::Timeout(ureq::Timeout::Connect)
            }
            Some(e) => ureq::Error::Io(e),
            None => ureq::Error::ConnectionFailed,
        })
    }
}

/// A TCP transport like ureq's, with a cheaper liveness check (see [`TcpConnector`]).
#[derive(Debug)]
struct PeekedTcp {
    stream: std::net::TcpStream,
    buffers: LazyBuffers,
    /// The socket's current timeouts, so they are only set when they change.
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

/// The socket timeout for `timeout` (`None`: wait forever), or a timeout error now.
fn socket_timeout(timeout: NextTimeout) -> std::result::Result<Option<Duration>, ureq::Error> {
    match timeout.after {
        ureq::unversioned::transport::time::Duration::NotHappening => Ok(None),
        ureq::unversioned::transport::time::Duration::Exact(d) if d.is_zero() => {
            Err(ureq::Error::Timeout(timeout.reason))
        }
        ureq::unversioned::transport::time::Duration::Exact(d) => Ok(Some(d)),
    }
}

fn io_error(e: std::io::Error, timeout: &NextTimeout) -> ureq::Error {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            ureq::Error::Timeout(timeout.reason)
        }
        _ => ureq::Error::Io(e),
    }
}

impl Transport for PeekedTcp {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let limit = socket_timeout(timeout)?;
        if limit != self.write_timeout {
            self.stream.set_write_timeout(limit)?;
            self.write_timeout = limit;
        }
        let output = &self.buffers.output()[..amount];
        std::io::Write::write_all(&mut self.stream, output).map_err(|e| io_error(e, &timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let limit = socket_timeout(timeout)?;
        if limit != self.read_timeout {
            self.stream.set_read_timeout(limit)?;
            self.read_timeout = limit;
        }
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match std::io::Read::read(&mut self.stream, input) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other.map_err(|e| io_error(e, &timeout))?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // Open means: nothing to read yet. Bytes nobody asked for, end of file or an
        // error all mean the connection must not carry a request.
        let mut byte = [std::mem::MaybeUninit::<u8>::uninit(); 1];
        let flags = libc::MSG_PEEK | libc::MSG_DONTWAIT;
        match socket2::SockRef::from(&self.stream).recv_with_flags(&mut byte, flags) {
            Err(e) => e.kind() == std::io::ErrorKind::WouldBlock,
            Ok(_) => false,
        }
    }
}

/// How long a resolved host name is reused. ureq resolves before every request, even one
/// that then reuses a pooled connection, and with a timeout it does so on a new thread:
/// caching (and skipping IP literals) keeps that off the per-call path.
const DNS_TTL: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct CachingResolver {
    inner: DefaultResolver,
    cache: std::sync::Mutex<Vec<(String, Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        });
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            let mut out = self.empty();
            out.push(std::net::SocketAddr::new(ip, port));
            return Ok(out);
        }
        let key = format!("{host}:{port}");
        let now = Instant::now();
        if let Ok(cache) = self.cache.lock()
            && let Some((_, _, addrs)) = cache
                .iter()
                .find(|(k, at, _)| *k == key && now.duration_since(*at) < DNS_TTL)
        {
            return Ok(addrs.clone());
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|(k, at, _)| *k != key && now.duration_since(*at) < DNS_TTL);
            cache.push((key, now, addrs.clone()));
        }
        Ok(addrs)
    }
}

/// One provider's HTTP client: an agent, a base URL and the call rules.
pub(crate) struct HttpClient {
    agent: Agent,
    base: BaseUrl,
    options: ClientOptions,
    provider: Provider,
    user_agent: String,
    /// The provider's fixed headers (auth included) and the User-Agent, parsed once.
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("base_url", &self.base.as_str())
            .field("options", &self.options)
            .finish()
    }
}

impl HttpClient {
    /// `headers` go on every request; their values must already be checked (no control
    /// characters). Secret values are marked sensitive so that nothing prints them.
    pub fn new(
        provider: Provider,
        base_url: &str,
        options: &ClientOptions,
        headers: Vec<(&'static str, String, bool)>,
    ) -> Result<HttpClient> {
        let fail = |e: Error| e.with_provider(provider);
        let base = BaseUrl::parse(base_url, options.allow_insecure_http).map_err(fail)?;
        if options.timeout.is_zero() {
            return Err(fail(Error::invalid(
                "timeout",
                "timeout must be greater than zero",
            )));
        }
        if options.connect_timeout.is_zero() {
            return Err(fail(Error::invalid(
                "connect_timeout",
                "connect_timeout must be greater than zero",
            )));
        }
        let user_agent = user_agent(
            validate::header_value(&options.binding, "binding").map_err(fail)?,
            &options.language_version,
        );
        validate::header_value(&user_agent, "language_version").map_err(fail)?;

        let tls = tls_config(options).map_err(fail)?;
        let proxy = match &options.proxy {
            Some(url) => Some(ureq::Proxy::new(url).map_err(|e| {
                fail(Error::invalid(
                    "proxy",
                    format!("proxy is not a usable proxy URL: {e}"),
                ))
            })?),
            // Environment proxies are for reaching the internet; the sandbox is local.
            None if base.loopback => None,
            None => ureq::Proxy::try_from_env(),
        };
        if let Some(p) = &proxy
            && !matches!(
                p.protocol(),
                ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
            )
        {
            let whence = if options.proxy.is_some() {
                "proxy"
            } else {
                "the environment's proxy (ALL_PROXY/HTTPS_PROXY)"
            };
            return Err(fail(Error::invalid(
                "proxy",
                format!(
                    "{whence} is a SOCKS proxy; only http:// and https:// (CONNECT) proxies are \
                     supported: set proxy to one, or clear the variable"
                ),
            )));
        }
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_global(Some(options.timeout))
            .max_idle_age(options.max_idle_age)
            .proxy(proxy)
            .tls_config(tls)
            .build();
        // ureq's default chain minus SOCKS (refused above), with our TCP connector.
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector)
                .chain(RustlsConnector::default())
                .chain(MarkSent);
        let agent = Agent::with_parts(config, connector, CachingResolver::default());
        let mut fixed = Vec::with_capacity(headers.len() + 1);
        for (name, value, secret) in
            headers
                .into_iter()
                .chain([("user-agent", user_agent.clone(), false)])
        {
            let mut value = http::HeaderValue::from_str(&value).map_err(|_| {
                fail(Error::invalid(
                    name,
                    format!("{name} is not a valid header value"),
                ))
            })?;
            value.set_sensitive(secret);
            fixed.push((http::HeaderName::from_static(name), value));
        }
        Ok(HttpClient {
            agent,
            base,
            options: options.clone(),
            provider,
            user_agent,
            headers: fixed,
        })
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Sends `out`, retrying only where that is provably safe, within one deadline.
    ///
    /// `Ok` is any answer (any status): the provider modules decide what it means.
    /// `Err` is a transport failure, already classified as `network` or `outcome_unknown`.
    pub fn send(&self, out: &Outgoing) -> Result<Incoming> {
        let deadline = Instant::now() + self.options.timeout;
        let mut attempt = 0u32;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            SENT.with(|s| s.set(false));
            let attempt_started = Instant::now();
            let result = self.attempt(out, remaining, attempt == 0);
            self.log(out, &result, attempt_started.elapsed(), attempt + 1);
            let sent = SENT.with(|s| s.get());
            let (result, status) = match result {
                Ok(answer) => (Ok(answer), None),
                Err((e, status)) => (Err(e), status),
            };
            let retry_wait = match &result {
                Ok(answer) if answer.asks_for_retry() => {
                    Some(answer.retry_after().map(Duration::from_secs))
                }
                Err(_) if !sent => Some(None),
                _ => None,
            };
            if let Some(wait) = retry_wait
                && attempt < self.options.max_retries
            {
                let wait = wait.unwrap_or_else(|| backoff(attempt));
                if Instant::now() + wait < deadline {
                    log::debug!(
                        "{} {} {}: retrying in {:?} (attempt {})",
                        self.provider,
                        out.method.as_str(),
                        out.path.split('?').next().unwrap_or_default(),
                        wait,
                        attempt + 2
                    );
                    std::thread::sleep(wait);
                    attempt += 1;
                    continue;
                }
            }
            return result.map_err(|e| {
                let err = self.classify(e, sent, out.effect);
                match status {
                    Some(s) => err.with_status(s),
                    None => err,
                }
            });
        }
    }

    fn log(
        &self,
        out: &Outgoing,
        result: &std::result::Result<Incoming, (ureq::Error, Option<u16>)>,
        duration: Duration,
        attempt: u32,
    ) {
        let (status, failure) = match result {
            Ok(answer) => (Some(answer.status), None),
            Err((e, status)) => (*status, Some(e.to_string())),
        };
        let entry = RequestLog {
            provider: self.provider,
            method: out.method.as_str(),
            path: out.path.split('?').next().unwrap_or_default().to_owned(),
            status,
            duration,
            attempt,
            failure,
        };
        log::debug!("{entry:?}");
        if let Some(logger) = &self.options.logger {
            logger(&entry);
        }
    }

    /// One attempt. A failure while reading the body carries the status already received.
    fn attempt(
        &self,
        out: &Outgoing,
        remaining: Duration,
        first: bool,
    ) -> std::result::Result<Incoming, (ureq::Error, Option<u16>)> {
        if remaining.is_zero() {
            return Err((ureq::Error::Timeout(ureq::Timeout::Global), None));
        }
        let url = format!("{}{}", self.base.as_str(), out.path);
        let body = match &out.body {
            Some((_, bytes)) => bytes.as_slice(),
            None => &[],
        };
        let mut request = http::Request::builder()
            .method(out.method.as_str())
            .uri(url)
            .body(body)
            .map_err(|e| (e.into(), None))?;
        let headers = request.headers_mut();
        headers.reserve(self.headers.len() + 1);
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        if let Some((content_type, _)) = &out.body {
            headers.append(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(content_type),
            );
        }
        if !first {
            // A retry gets what is left of the call's deadline. The first attempt runs
            // on the agent's own timeouts (the whole deadline), sparing a config clone.
            request = self
                .agent
                .configure_request(request)
                .timeout_global(Some(remaining))
                .timeout_connect(Some(self.options.connect_timeout.min(remaining)))
                .build();
        }
        let mut response = self.agent.run(request).map_err(|e| (e, None))?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        // One byte past the cap is read to tell "exactly 1 MiB" from "more".
        let expected = response.body().content_length().unwrap_or(1024) as usize;
        let mut body = Vec::with_capacity(expected.min(MAX_BODY_BYTES + 1));
        let read = std::io::Read::read_to_end(
            &mut std::io::Read::take(response.body_mut().as_reader(), MAX_BODY_BYTES as u64 + 1),
            &mut body,
        );
        if let Err(e) = read {
            return Err((ureq::Error::from(e), Some(status)));
        }
        let oversize = body.len() > MAX_BODY_BYTES;
        if oversize {
            body = Vec::new();
        }
        Ok(Incoming {
            status,
            headers,
            body,
            oversize,
        })
    }

    fn classify(&self, e: ureq::Error, sent: bool, effect: Effect) -> Error {
        let err = if !sent {
            let what = match &e {
                ureq::Error::HostNotFound => {
                    "could not resolve the provider's host name".to_owned()
                }
                ureq::Error::Timeout(_) => "timed out before the request could be sent".to_owned(),
                ureq::Error::ConnectionFailed => "could not connect to the provider".to_owned(),
                ureq::Error::Io(io) => format!("could not connect to the provider: {io}"),
                ureq::Error::Tls(msg) => format!("TLS handshake with the provider failed: {msg}"),
                other => format!("could not reach the provider: {other}"),
            };
            Error::new(
                ErrorKind::Network,
                format!(
                    "{what} ({}); nothing was sent, so retrying is safe",
                    self.base.as_str()
                ),
            )
        } else {
            let what = match &e {
                ureq::Error::Timeout(_) => "no answer came before the timeout".to_owned(),
                ureq::Error::Io(io) => format!("the connection failed: {io}"),
                other => format!("the answer could not be read: {other}"),
            };
            match effect {
                Effect::Write => Error::new(
                    ErrorKind::OutcomeUnknown,
                    format!(
                        "the request was sent but {what}; it may have been carried out: \
                         check the voucher before trying again"
                    ),
                ),
                Effect::Read => Error::new(
                    ErrorKind::Network,
                    format!(
                        "the request was sent but {what}; it changes nothing, so retrying is safe"
                    ),
                ),
            }
        };
        err.with_provider(self.provider)
    }
}

/// Wait before retry `attempt` (0-based) when the provider named no time: 200 ms, 400 ms, …
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200u64.saturating_mul(1u64 << attempt.min(10)))
}

fn tls_config(options: &ClientOptions) -> Result<TlsConfig> {
    let Some(path) = &options.ca_bundle else {
        return Ok(TlsConfig::builder().root_certs(RootCerts::WebPki).build());
    };
    let pem = std::fs::read(path).map_err(|e| {
        Error::invalid(
            "ca_bundle",
            format!("ca_bundle {} could not be read: {e}", path.display()),
        )
    })?;
    let mut extra = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => extra.push(cert),
            Ok(_) => {}
            Err(e) => {
                return Err(Error::invalid(
                    "ca_bundle",
                    format!("ca_bundle {} is not valid PEM: {e}", path.display()),
                ));
            }
        }
    }
    if extra.is_empty() {
        return Err(Error::invalid(
            "ca_bundle",
            format!("ca_bundle {} holds no certificate", path.display()),
        ));
    }
    // Extra CAs are added to the webpki roots, never instead of them.
    let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    roots.extend(extra);
    Ok(TlsConfig::builder()
        .root_certs(RootCerts::new_with_certs(&roots))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert!(BaseUrl::parse("https://api.smart-gift.co.uk", false).is_ok());
        assert!(BaseUrl::parse("http://127.0.0.1:8080", false).is_ok());
        assert!(BaseUrl::parse("http://localhost:1/", false).is_ok());
        assert!(BaseUrl::parse("http://[::1]:1", false).is_ok());
        assert_eq!(
            BaseUrl::parse("https://h.example/x/", false)
                .unwrap()
                .as_str(),
            "https://h.example/x"
        );
        for bad in [
            "http://example.com",
            "ftp://h",
            "h.example",
            "",
            "https://",
            "https://u:p@h",
        ] {
            let e = BaseUrl::parse(bad, false).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("base_url"), "{bad}");
        }
        assert!(BaseUrl::parse("http://example.com", true).is_ok());
    }

    #[test]
    fn user_agent_names_binding() {
        assert_eq!(
            user_agent("python", "3.11.7"),
            format!("voucherkit/{} (python; 3.11.7)", crate::VERSION)
        );
        assert_eq!(
            user_agent("rust", ""),
            format!("voucherkit/{} (rust)", crate::VERSION)
        );
    }

    #[test]
    fn backoff_grows() {
        assert_eq!(backoff(0), Duration::from_millis(200));
        assert_eq!(backoff(1), Duration::from_millis(400));
    }
}
