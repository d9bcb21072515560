//! The transport options, listed once, and the one checked way from a binding's plain
//! values to [`ClientOptions`].
//!
//! Every binding receives options as its language has them (Python seconds as floats,
//! Node milliseconds as numbers, C integers, CLI flags). Each fills a
//! [`ClientSettings`] with what the caller gave and calls [`ClientSettings::build`]:
//! the conversions, ranges and error messages live here, so `timeout=1e19`, a negative
//! pool size or a blank app name is refused the same way, naming the same field, in
//! every language. [`OPTIONS`] is the list each binding's tests check their own option
//! names against, so an option added here and forgotten in a binding fails a test.

use std::path::PathBuf;

use super::options::{AppInfo, ClientOptions, TimeUnit, duration_option};
use crate::error::{Error, Result};

/// What kind of value an option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// A duration, in the binding's unit (seconds or milliseconds).
    Duration,
    /// A whole number ≥ 0.
    Count,
    /// Text (a path, a URL).
    Text,
    /// A boolean.
    Flag,
    /// The till software: name, version, url.
    AppInfo,
}

/// One transport option: its name in errors and in snake_case APIs, its kind, and its
/// default as the docs state it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: OptionKind,
    pub default: &'static str,
}

/// Every transport option, in the order the docs list them.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "connect_timeout",
        kind: OptionKind::Duration,
        default: "5 s",
    },
    OptionSpec {
        name: "timeout",
        kind: OptionKind::Duration,
        default: "30 s",
    },
    OptionSpec {
        name: "max_retries",
        kind: OptionKind::Count,
        default: "2",
    },
    OptionSpec {
        name: "max_idle_age",
        kind: OptionKind::Duration,
        default: "30 s",
    },
    OptionSpec {
        name: "max_idle_connections",
        kind: OptionKind::Count,
        default: "32",
    },
    OptionSpec {
        name: "ca_bundle",
        kind: OptionKind::Text,
        default: "none",
    },
    OptionSpec {
        name: "proxy",
        kind: OptionKind::Text,
        default: "none (HTTPS_PROXY/ALL_PROXY/NO_PROXY apply)",
    },
    OptionSpec {
        name: "allow_insecure_http",
        kind: OptionKind::Flag,
        default: "false",
    },
    OptionSpec {
        name: "app_info",
        kind: OptionKind::AppInfo,
        default: "none",
    },
];

/// Transport options as a binding received them: every one optional (absent = the
/// default), numbers not yet checked.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// The unit of `connect_timeout`, `timeout` and `max_idle_age`.
    pub time_unit: TimeUnit,
    pub connect_timeout: Option<f64>,
    pub timeout: Option<f64>,
    pub max_retries: Option<i64>,
    pub max_idle_age: Option<f64>,
    pub max_idle_connections: Option<i64>,
    pub ca_bundle: Option<String>,
    pub proxy: Option<String>,
    pub allow_insecure_http: Option<bool>,
    pub app_info: Option<AppInfo>,
    /// The binding and its language's version, for the User-Agent.
    pub binding: String,
    pub language_version: String,
}

impl ClientSettings {
    /// Nothing given yet, durations in `time_unit`, for the `binding` named.
    pub fn new(time_unit: TimeUnit, binding: &str, language_version: &str) -> ClientSettings {
        ClientSettings {
            time_unit,
            connect_timeout: None,
            timeout: None,
            max_retries: None,
            max_idle_age: None,
            max_idle_connections: None,
            ca_bundle: None,
            proxy: None,
            allow_insecure_http: None,
            app_info: None,
            binding: binding.to_owned(),
            language_version: language_version.to_owned(),
        }
    }

    /// The checked options (no loggers: a binding attaches its own hooks after).
    pub fn build(self) -> Result<ClientOptions> {
        // Destructured in full: a field added above and not handled here does not compile.
        let ClientSettings {
            time_unit,
            connect_timeout,
            timeout,
            max_retries,
            max_idle_age,
            max_idle_connections,
            ca_bundle,
            proxy,
            allow_insecure_http,
            app_info,
            binding,
            language_version,
        } = self;
        let d = ClientOptions::default();
        let duration = |value: Option<f64>, field: &str, default| match value {
            Some(v) => duration_option(v, time_unit, field),
            None => Ok(default),
        };
        let options = ClientOptions {
            connect_timeout: duration(connect_timeout, "connect_timeout", d.connect_timeout)?,
            timeout: duration(timeout, "timeout", d.timeout)?,
            max_retries: match max_retries {
                Some(n) => count(n, "max_retries", u32::MAX as u64)? as u32,
                None => d.max_retries,
            },
            max_idle_age: duration(max_idle_age, "max_idle_age", d.max_idle_age)?,
            max_idle_connections: match max_idle_connections {
                Some(n) => count(
                    n,
                    "max_idle_connections",
                    super::options::MAX_IDLE_CONNECTIONS as u64,
                )? as usize,
                None => d.max_idle_connections,
            },
            ca_bundle: ca_bundle.map(PathBuf::from),
            proxy,
            allow_insecure_http: allow_insecure_http.unwrap_or(d.allow_insecure_http),
            app_info,
            binding,
            language_version,
            ..d
        };
        options.check()?;
        Ok(options)
    }
}

fn count(n: i64, field: &str, max: u64) -> Result<u64> {
    match u64::try_from(n) {
        Ok(v) if v <= max => Ok(v),
        Ok(_) => Err(Error::invalid(
            field,
            format!("{field} must be at most {max}, got {n}"),
        )),
        Err(_) => Err(Error::invalid(
            field,
            format!("{field} must not be negative, got {n}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn settings() -> ClientSettings {
        ClientSettings::new(TimeUnit::Milliseconds, "test", "")
    }

    #[test]
    fn nothing_given_is_the_defaults() {
        let o = settings().build().unwrap();
        let d = ClientOptions::default();
        assert_eq!(o.timeout, d.timeout);
        assert_eq!(o.connect_timeout, d.connect_timeout);
        assert_eq!(o.max_retries, d.max_retries);
        assert_eq!(o.max_idle_connections, d.max_idle_connections);
        assert_eq!(o.binding, "test");
    }

    #[test]
    fn values_are_converted_in_the_bindings_unit() {
        let o = ClientSettings {
            timeout: Some(2.5),
            max_idle_age: Some(0.0),
            ..ClientSettings::new(TimeUnit::Seconds, "python", "3.11")
        }
        .build()
        .unwrap();
        assert_eq!(o.timeout, Duration::from_millis(2500));
        assert_eq!(o.max_idle_age, Duration::ZERO);
        let o = ClientSettings {
            connect_timeout: Some(250.0),
            max_retries: Some(0),
            max_idle_connections: Some(1024),
            ..settings()
        }
        .build()
        .unwrap();
        assert_eq!(o.connect_timeout, Duration::from_millis(250));
        assert_eq!((o.max_retries, o.max_idle_connections), (0, 1024));
    }

    #[test]
    fn every_bad_value_names_its_option() {
        let cases: Vec<(ClientSettings, &str)> = vec![
            (
                ClientSettings {
                    timeout: Some(f64::NAN),
                    ..settings()
                },
                "timeout",
            ),
            (
                ClientSettings {
                    timeout: Some(0.0),
                    ..settings()
                },
                "timeout",
            ),
            (
                ClientSettings {
                    connect_timeout: Some(-1.0),
                    ..settings()
                },
                "connect_timeout",
            ),
            (
                ClientSettings {
                    max_idle_age: Some(1e19),
                    ..settings()
                },
                "max_idle_age",
            ),
            (
                ClientSettings {
                    max_retries: Some(-1),
                    ..settings()
                },
                "max_retries",
            ),
            (
                ClientSettings {
                    max_retries: Some(i64::MAX),
                    ..settings()
                },
                "max_retries",
            ),
            (
                ClientSettings {
                    max_idle_connections: Some(1025),
                    ..settings()
                },
                "max_idle_connections",
            ),
            (
                ClientSettings {
                    app_info: Some(AppInfo {
                        name: " ".into(),
                        ..AppInfo::default()
                    }),
                    ..settings()
                },
                "app_info",
            ),
        ];
        for (s, field) in cases {
            let e = s.clone().build().unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{s:?}: {e}");
        }
    }

    #[test]
    fn the_list_names_every_setting() {
        let names: Vec<&str> = OPTIONS.iter().map(|o| o.name).collect();
        assert_eq!(
            names,
            [
                "connect_timeout",
                "timeout",
                "max_retries",
                "max_idle_age",
                "max_idle_connections",
                "ca_bundle",
                "proxy",
                "allow_insecure_http",
                "app_info"
            ]
        );
    }
}
