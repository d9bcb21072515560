//! Transport settings, the hooks that see each request, and the ranges every option must
//! fall in.
//!
//! Every binding hands its options to the core as they came (seconds, milliseconds,
//! counts); the core checks them here once, so a timeout of `1e19` seconds is the same
//! `invalid_request` in every language instead of a panic in one of them.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Provider, Result};

/// The shortest timeout accepted (connect or whole call).
pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);
/// The longest timeout, and the longest idle age, accepted: a till that waits longer than
/// an hour for one voucher has a bug, and larger values would overflow clock arithmetic.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// The most idle connections a client keeps per host.
pub const MAX_IDLE_CONNECTIONS: usize = 1024;

/// Transport settings shared by both clients. `Default` gives the documented defaults.
#[derive(Clone)]
pub struct ClientOptions {
    /// Time allowed to open a connection (DNS, TCP, TLS). Default 5 s; 1 ms to 1 hour.
    pub connect_timeout: Duration,
    /// One deadline for a whole call, retries and waits included. Default 30 s; 1 ms to
    /// 1 hour.
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
    /// Default 30 s; 0 to 1 hour (0: never reuse a connection).
    pub max_idle_age: Duration,
    /// Idle connections kept per host for reuse. Default 32, so a client shared by up to
    /// 32 concurrent calls opens each connection once (each one is a TLS handshake with
    /// a real provider); 0 to [`MAX_IDLE_CONNECTIONS`].
    pub max_idle_connections: usize,
    /// The till software, appended to the User-Agent (`MyTill/4.2 (https://…)`), so a
    /// provider's support can tell which till sent a request. Checked: no control
    /// characters, at most [`MAX_APP_INFO_BYTES`] once written out.
    pub app_info: Option<AppInfo>,
    /// The binding in the User-Agent, e.g. `"python"`; default `"rust"`.
    pub binding: String,
    /// The binding's language version in the User-Agent, e.g. `"3.11.7"`; may be empty.
    pub language_version: String,
    /// Called after every attempt with its method, path, status and duration (never a
    /// body, a query string or a secret). Every attempt is also logged through the `log`
    /// facade at debug level.
    pub logger: Option<RequestLogger>,
    /// Called when a call succeeds with something the till should know (Spaaza answered
    /// a redeem "ok" but the voucher is not `redeemed`). Without one, warnings go to the
    /// `log` facade at warn level.
    pub warning_logger: Option<WarningLogger>,
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
    /// `X-RateLimit-Remaining` / `X-RateLimit-Limit` of the answer, when it names them
    /// (Smart Gift allows 60 requests a minute): a till can slow down before a 429.
    pub rate_limit_remaining: Option<u64>,
    pub rate_limit_limit: Option<u64>,
}

/// A per-client request logger: how the Python, Node, C and Kotlin bindings see each
/// request. It may itself call voucherkit (on any client): what it does never changes
/// the outcome of the call it logs.
pub type RequestLogger = Arc<dyn Fn(&RequestLog) + Send + Sync>;

/// Something a till should know about a call that succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub provider: Provider,
    /// The operation's wire name, e.g. `"redeem-voucher"`.
    pub operation: &'static str,
    pub message: String,
}

/// A per-client warning hook: Python's `logging`, Node's `onWarning`, the C callback.
pub type WarningLogger = Arc<dyn Fn(&Warning) + Send + Sync>;

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
            max_idle_connections: 32,
            app_info: None,
            binding: "rust".to_owned(),
            language_version: String::new(),
            logger: None,
            warning_logger: None,
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
            .field("max_idle_connections", &self.max_idle_connections)
            .field("app_info", &self.app_info)
            .field("binding", &self.binding)
            .field("logger", &self.logger.as_ref().map(|_| "<set>"))
            .field(
                "warning_logger",
                &self.warning_logger.as_ref().map(|_| "<set>"),
            )
            .finish()
    }
}

impl ClientOptions {
    /// Checks every value against its range; the error names the option.
    pub fn check(&self) -> Result<()> {
        check_timeout(self.connect_timeout, "connect_timeout")?;
        check_timeout(self.timeout, "timeout")?;
        if self.max_idle_age > MAX_TIMEOUT {
            return Err(Error::invalid(
                "max_idle_age",
                format!(
                    "max_idle_age must be at most 1 hour, got {}",
                    show(self.max_idle_age)
                ),
            ));
        }
        if let Some(app) = &self.app_info {
            app.render()?;
        }
        if self.max_idle_connections > MAX_IDLE_CONNECTIONS {
            return Err(Error::invalid(
                "max_idle_connections",
                format!(
                    "max_idle_connections must be between 0 and {MAX_IDLE_CONNECTIONS}, got {}",
                    self.max_idle_connections
                ),
            ));
        }
        Ok(())
    }

    /// Tells the till a call succeeded with a caveat (see [`ClientOptions::warning_logger`]).
    pub(crate) fn warn(&self, warning: Warning) {
        match &self.warning_logger {
            Some(hook) => hook(&warning),
            None => log::warn!(
                "{} {}: {}",
                warning.provider,
                warning.operation,
                warning.message
            ),
        }
    }
}

fn check_timeout(value: Duration, field: &str) -> Result<()> {
    if value < MIN_TIMEOUT || value > MAX_TIMEOUT {
        let what = if value.is_zero() {
            format!("{field} must be greater than zero")
        } else {
            format!(
                "{field} must be between 1 ms and 1 hour, got {}",
                show(value)
            )
        };
        return Err(Error::invalid(field, what));
    }
    Ok(())
}

fn show(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// The unit a binding receives a duration option in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Seconds,
    Milliseconds,
}

/// A duration option as a binding receives it (`timeout=2.5` seconds in Python,
/// `timeoutMs: 2500` in Node), converted without the panics of `Duration::from_secs_f64`:
/// not a number, infinite, negative or over an hour is an `invalid_request` naming
/// `field`. The range of each option is checked when the client is built.
pub fn duration_option(value: f64, unit: TimeUnit, field: &str) -> Result<Duration> {
    let (seconds, unit_name) = match unit {
        TimeUnit::Seconds => (value, "seconds"),
        TimeUnit::Milliseconds => (value / 1000.0, "milliseconds"),
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(Error::invalid(
            field,
            format!("{field} must be a finite, non-negative number of {unit_name}, got {value}"),
        ));
    }
    if seconds > MAX_TIMEOUT.as_secs_f64() {
        return Err(Error::invalid(
            field,
            format!("{field} must be at most 1 hour, got {value} {unit_name}"),
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The longest `app_info` accepted, written out as `name/version (url)`.
pub const MAX_APP_INFO_BYTES: usize = 200;

/// The till software a client works for, as Stripe's `set_app_info` takes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppInfo {
    pub name: String,
    pub version: Option<String>,
    pub url: Option<String>,
}

impl AppInfo {
    /// `name/version (url)`, or an `invalid_request` naming `app_info`: a blank name,
    /// a control character (CR/LF would split the header), a space or `/` in the name or
    /// version (they would blur the product token), or more than
    /// [`MAX_APP_INFO_BYTES`] bytes.
    pub fn render(&self) -> Result<String> {
        let bad = |why: String| Error::invalid("app_info", why);
        let token = |part: &str, what: &str| -> Result<()> {
            if part.trim().is_empty() {
                return Err(bad(format!("app_info {what} must not be blank")));
            }
            if part
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '/')
            {
                return Err(bad(format!(
                    "app_info {what} must be one word without spaces, '/' or control \
                     characters, got {part:?}"
                )));
            }
            Ok(())
        };
        token(&self.name, "name")?;
        let mut out = self.name.clone();
        if let Some(v) = &self.version {
            token(v, "version")?;
            out = format!("{out}/{v}");
        }
        if let Some(url) = &self.url {
            if url.trim().is_empty() || url.chars().any(|c| c.is_control() || c == ')') {
                return Err(bad(format!(
                    "app_info url must not be blank or hold control characters or ')', got {url:?}"
                )));
            }
            out = format!("{out} ({url})");
        }
        if out.len() > MAX_APP_INFO_BYTES {
            return Err(bad(format!(
                "app_info must be at most {MAX_APP_INFO_BYTES} bytes written out, got {}",
                out.len()
            )));
        }
        Ok(out)
    }
}

/// The User-Agent every request carries: `voucherkit/<version> (<binding>; <language
/// version>)`, then the till's own product token when `app_info` is set.
pub fn user_agent(binding: &str, language_version: &str, app: Option<&str>) -> String {
    let version = crate::VERSION;
    let ours = if language_version.is_empty() {
        format!("voucherkit/{version} ({binding})")
    } else {
        format!("voucherkit/{version} ({binding}; {language_version})")
    };
    match app {
        Some(app) => format!("{ours} {app}"),
        None => ours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_binding() {
        assert_eq!(
            user_agent("python", "3.11.7", None),
            format!("voucherkit/{} (python; 3.11.7)", crate::VERSION)
        );
        assert_eq!(
            user_agent("rust", "", Some("Till/2")),
            format!("voucherkit/{} (rust) Till/2", crate::VERSION)
        );
    }

    #[test]
    fn app_info_is_written_out_and_checked() {
        let app = |name: &str, version: Option<&str>, url: Option<&str>| AppInfo {
            name: name.into(),
            version: version.map(Into::into),
            url: url.map(Into::into),
        };
        assert_eq!(
            app("CornerTill", Some("4.2.0"), Some("https://till.example"))
                .render()
                .unwrap(),
            "CornerTill/4.2.0 (https://till.example)"
        );
        assert_eq!(
            app("CornerTill", None, None).render().unwrap(),
            "CornerTill"
        );
        for bad in [
            app("", None, None),
            app("Corner Till", None, None),
            app("Till\r\nX-Evil: 1", None, None),
            app("Till", Some("1/2"), None),
            app("Till", None, Some("https://x\n")),
            app("Till", None, Some(&"u".repeat(200))),
        ] {
            let e = bad.render().unwrap_err();
            assert_eq!(e.field.as_deref(), Some("app_info"), "{bad:?}");
        }
    }

    #[test]
    fn timeouts_outside_1ms_to_1h_are_refused_by_name() {
        let with = |timeout, connect_timeout| ClientOptions {
            timeout,
            connect_timeout,
            ..ClientOptions::default()
        };
        let ok = Duration::from_secs(5);
        assert!(with(MIN_TIMEOUT, ok).check().is_ok());
        assert!(with(MAX_TIMEOUT, MAX_TIMEOUT).check().is_ok());
        for bad in [
            Duration::ZERO,
            Duration::from_micros(999),
            MAX_TIMEOUT + Duration::from_nanos(1),
            Duration::MAX,
        ] {
            let e = with(bad, ok).check().unwrap_err();
            assert_eq!(e.field.as_deref(), Some("timeout"), "{bad:?}");
            let e = with(ok, bad).check().unwrap_err();
            assert_eq!(e.field.as_deref(), Some("connect_timeout"), "{bad:?}");
        }
        let e = ClientOptions {
            max_idle_age: Duration::MAX,
            ..ClientOptions::default()
        }
        .check()
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("max_idle_age"));
        let e = ClientOptions {
            max_idle_connections: usize::MAX,
            ..ClientOptions::default()
        }
        .check()
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("max_idle_connections"));
    }

    #[test]
    fn durations_from_numbers_never_panic() {
        assert_eq!(
            duration_option(2.5, TimeUnit::Seconds, "timeout").unwrap(),
            Duration::from_millis(2500)
        );
        assert_eq!(
            duration_option(250.0, TimeUnit::Milliseconds, "timeout_ms").unwrap(),
            Duration::from_millis(250)
        );
        for bad in [1e19, f64::INFINITY, f64::NAN, -1.0, 3600.001, f64::MAX] {
            let e = duration_option(bad, TimeUnit::Seconds, "timeout").unwrap_err();
            assert_eq!(e.field.as_deref(), Some("timeout"), "{bad}");
        }
        assert!(duration_option(1e19, TimeUnit::Milliseconds, "timeout_ms").is_err());
    }
}
