//! HTTP transport: one ureq agent per client, tuned so that the core sees every answer
//! and never does anything twice on its own (docs/design.md, "Transport").
//!
//! The rules, and why:
//! - `http_status_as_error(false)`: a 4xx/5xx body carries the provider's message.
//! - No redirects: following one would send the auth headers to another host.
//! - A 1 MiB body cap: a till has no use for more, and must not run out of memory.
//! - One deadline for the whole call, attempts included.
//! - Retries only when the request provably never left (DNS, connect, TLS, a refused
//!   proxy tunnel) or the provider said "come back later" ([`retry`]). A write that was
//!   sent and got no complete answer is `outcome_unknown`, never re-sent: the provider
//!   may have acted. "Sent" is measured, not guessed ([`connect::SentProbe`]): the first
//!   byte handed to the socket marks the attempt, and a failure after that counts as sent.
//! - Secrets reach no code but the socket's ([`connect::SecretSlot`]).
//!
//! One file a concern: [`options`] (settings and their ranges), [`base_url`], [`connect`]
//! (connections, the pool check, "was it sent"), [`resolver`], [`tls`], [`retry`].

mod base_url;
mod connect;
pub mod options;
mod resolver;
pub(crate) mod retry;
mod settings;
mod tls;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::Agent;
use ureq::http;
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, RustlsConnector};

pub(crate) use self::base_url::BaseUrl;
use self::connect::{SecretSlot, SentProbe, TcpConnector, TrackSent};
pub use self::options::{
    AppInfo, ClientOptions, RequestLog, RequestLogger, TimeUnit, Warning, WarningLogger,
    duration_option, user_agent,
};
use self::resolver::CachingResolver;
pub(crate) use self::retry::AnswerRules;
pub use self::settings::{ClientSettings, OPTIONS, OptionKind, OptionSpec};
use crate::error::{Error, ErrorKind, Provider, Result};
use crate::validate;

/// The largest answer body read; a larger one is never a documented answer.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The largest request head sent (request line and headers). ureq's output buffer holds
/// 128 KiB; well before that, a head this large is a mistake (a key pasted twice, a
/// query built in a loop), so it is refused before anything is sent.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

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
    /// The parameter named when the request head would be too large (the longest one
    /// in a query string); `None` names `base_url`.
    pub head_field: Option<&'static str>,
}

impl Outgoing {
    /// A request with a body: JSON or a form.
    pub fn with_body(
        method: Method,
        path: &str,
        content_type: &'static str,
        body: Vec<u8>,
        effect: Effect,
    ) -> Outgoing {
        Outgoing {
            method,
            path: path.to_owned(),
            body: Some((content_type, body)),
            effect,
            head_field: None,
        }
    }
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
        retry::retry_after_header(self)
    }
}

/// A header every request of a client carries.
pub(crate) struct FixedHeader {
    pub name: &'static str,
    pub value: String,
    /// Sent only by the socket layer (see [`connect::SecretSlot`]), shown nowhere.
    pub secret: bool,
    /// The option it comes from, named when the value is refused.
    pub field: &'static str,
}

impl FixedHeader {
    pub fn public(name: &'static str, value: String, field: &'static str) -> FixedHeader {
        FixedHeader {
            name,
            value,
            secret: false,
            field,
        }
    }

    pub fn secret(name: &'static str, value: String, field: &'static str) -> FixedHeader {
        FixedHeader {
            name,
            value,
            secret: true,
            field,
        }
    }
}

/// One provider's HTTP client: an agent, a base URL and the call rules.
pub(crate) struct HttpClient {
    agent: Agent,
    base: BaseUrl,
    options: ClientOptions,
    provider: Provider,
    rules: &'static AnswerRules,
    user_agent: String,
    /// The provider's fixed headers (auth included, secrets as placeholders) and the
    /// User-Agent, parsed once.
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// The request line's and fixed headers' size, without the path.
    head_bytes: usize,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("base_url", &self.base.as_str())
            .field("options", &self.options)
            .finish()
    }
}

/// The result of one attempt, with whether any of its request left.
struct Attempt {
    result: std::result::Result<Incoming, (ureq::Error, Option<u16>)>,
    sent: bool,
}

impl HttpClient {
    /// `headers` go on every request; their values must already be checked (no control
    /// characters).
    pub fn new(
        provider: Provider,
        base_url: &str,
        options: &ClientOptions,
        rules: &'static AnswerRules,
        headers: Vec<FixedHeader>,
    ) -> Result<HttpClient> {
        let fail = |e: Error| e.with_provider(provider);
        let base = BaseUrl::parse(base_url, options.allow_insecure_http).map_err(fail)?;
        options.check().map_err(fail)?;
        let app = match &options.app_info {
            Some(app) => Some(app.render().map_err(fail)?),
            None => None,
        };
        let user_agent = user_agent(
            validate::header_value(&options.binding, "binding").map_err(fail)?,
            &options.language_version,
            app.as_deref(),
        );
        validate::header_value(&user_agent, "language_version").map_err(fail)?;

        let tls = tls::tls_config(options).map_err(fail)?;
        let proxy = proxy(options, &base).map_err(fail)?;
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_global(Some(options.timeout))
            .max_idle_age(options.max_idle_age)
            .max_idle_connections(options.max_idle_connections)
            .max_idle_connections_per_host(options.max_idle_connections)
            .proxy(proxy.clone())
            .tls_config(tls)
            .build();

        let mut fixed = Vec::with_capacity(headers.len() + 1);
        let mut secrets = Vec::new();
        // "POST " + base path + " HTTP/1.1\r\nhost: …\r\ncontent-type/-length …\r\n\r\n"
        let mut head_bytes = 160 + base.as_str().len() + base.authority().len();
        let mut largest: Option<(usize, &'static str)> = None;
        let all = headers.into_iter().chain([FixedHeader::public(
            "user-agent",
            user_agent.clone(),
            "language_version",
        )]);
        for header in all {
            let size = header.name.len() + header.value.len() + 4;
            head_bytes += size;
            if largest.is_none_or(|(s, _)| size > s) {
                largest = Some((size, header.field));
            }
            let sent = if header.secret {
                let slot = SecretSlot::new(secrets.len(), &header.value);
                let placeholder = String::from_utf8_lossy(&slot.placeholder).into_owned();
                secrets.push(slot);
                placeholder
            } else {
                header.value
            };
            let mut value = http::HeaderValue::from_str(&sent).map_err(|_| {
                fail(Error::invalid(
                    header.field,
                    format!("{} is not a valid header value", header.field),
                ))
            })?;
            value.set_sensitive(header.secret);
            fixed.push((http::HeaderName::from_static(header.name), value));
        }
        // Leave room for a path: the fixed part alone may take at most 60 KiB.
        if head_bytes > MAX_HEAD_BYTES - 4096
            && let Some((_, field)) = largest
        {
            return Err(fail(head_too_large(field, head_bytes)));
        }

        // ureq's default chain minus SOCKS (refused above), with our TCP connector.
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector)
                .chain(RustlsConnector::default())
                .chain(TrackSent {
                    proxied: proxy.is_some(),
                    secrets: Arc::from(secrets),
                });
        let agent = Agent::with_parts(config, connector, CachingResolver::default());
        Ok(HttpClient {
            agent,
            base,
            options: options.clone(),
            provider,
            rules,
            user_agent,
            headers: fixed,
            head_bytes,
        })
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The client's options, for hooks (warnings) the provider modules call.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// Sends `out`, retrying only where that is provably safe, within one deadline.
    ///
    /// `Ok` is any answer (any status): the provider modules decide what it means.
    /// `Err` is a transport failure, already classified as `network` or `outcome_unknown`.
    pub fn send(&self, out: &Outgoing) -> Result<Incoming> {
        let head = self.head_bytes + out.path.len();
        if head > MAX_HEAD_BYTES {
            let field = out.head_field.unwrap_or("base_url");
            return Err(head_too_large(field, head).with_provider(self.provider));
        }
        let deadline = retry::deadline_after(self.options.timeout);
        let mut attempt = 0u32;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let started = Instant::now();
            let Attempt { result, sent } = self.attempt(out, remaining, attempt == 0);
            // The logger runs after the attempt measured itself: whatever it does
            // (even a voucherkit call) cannot change `sent`.
            self.log(out, &result, started.elapsed(), attempt + 1);
            let (result, status) = match result {
                Ok(answer) => (Ok(answer), None),
                Err((e, status)) => (Err(e), status),
            };
            let retry_wait = match &result {
                Ok(answer) if retry::asks_for_retry(answer, out.effect, self.rules) => {
                    Some((self.rules.wait_seconds)(answer).map(Duration::from_secs))
                }
                Err(_) if !sent => Some(None),
                _ => None,
            };
            if let Some(wait) = retry_wait
                && attempt < self.options.max_retries
            {
                let wait = wait.unwrap_or_else(|| retry::backoff(attempt));
                if retry::fits_before(deadline, wait) {
                    log::debug!(
                        "{} {} {}: retrying in {:?} (attempt {})",
                        self.provider,
                        out.method.as_str(),
                        path_only(&out.path),
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
        let header = |name: &str| {
            result
                .as_ref()
                .ok()
                .and_then(|a| a.header(name))
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let entry = RequestLog {
            provider: self.provider,
            method: out.method.as_str(),
            path: path_only(&out.path).to_owned(),
            status,
            duration,
            attempt,
            failure,
            rate_limit_remaining: header("x-ratelimit-remaining"),
            rate_limit_limit: header("x-ratelimit-limit"),
        };
        log::debug!("{entry:?}");
        if let Some(logger) = &self.options.logger {
            logger(&entry);
        }
    }

    /// One attempt. A failure while reading the body carries the status already received.
    fn attempt(&self, out: &Outgoing, remaining: Duration, first: bool) -> Attempt {
        let probe = SentProbe::begin();
        let result = self.exchange(out, remaining, first);
        Attempt {
            result,
            sent: probe.end(),
        }
    }

    fn exchange(
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
        if status < 200 {
            // An interim answer ureq hands over (101 Switching Protocols): the request
            // was read, and there is no body to wait for.
            return Ok(Incoming {
                status,
                headers,
                body: Vec::new(),
                oversize: false,
            });
        }
        // One byte past the cap is read to tell "exactly 1 MiB" from "more".
        let expected = response.body().content_length().unwrap_or(1024);
        let mut body = Vec::with_capacity(expected.min(MAX_BODY_BYTES as u64 + 1) as usize);
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
                ureq::Error::ConnectProxyFailed(why) => {
                    format!("the proxy did not open a tunnel to the provider ({why})")
                }
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

fn path_only(path: &str) -> &str {
    path.split('?').next().unwrap_or_default()
}

fn head_too_large(field: &str, bytes: usize) -> Error {
    Error::invalid(
        field,
        format!(
            "the request head would be {bytes} bytes, over the {} KiB limit: {field} is far \
             too long",
            MAX_HEAD_BYTES / 1024
        ),
    )
}

/// The proxy to use: the configured one, else the environment's (never for loopback).
fn proxy(options: &ClientOptions, base: &BaseUrl) -> Result<Option<ureq::Proxy>> {
    let proxy = match &options.proxy {
        Some(url) => Some(ureq::Proxy::new(url).map_err(|e| {
            Error::invalid("proxy", format!("proxy is not a usable proxy URL: {e}"))
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
        return Err(Error::invalid(
            "proxy",
            format!(
                "{whence} is a SOCKS proxy; only http:// and https:// (CONNECT) proxies are \
                 supported: set proxy to one, or clear the variable"
            ),
        ));
    }
    Ok(proxy)
}
