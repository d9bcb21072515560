//! The conversions every client shares: money, secrets, the error, transport options.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use voucherkit_core as vk;
use voucherkit_core::{ClientOptions, Provider};

use crate::logging::{self, RequestLogger, WarningLogger};

/// An amount of money as exact decimal text (`"10.00"`). Kotlin sees `java.math.BigDecimal`
/// (`uniffi.toml`): `toPlainString()` in, `BigDecimal(text)` out, never a binary float.
/// The core checks amounts in (scale, sign) and keeps the provider's digits out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money(pub String);
uniffi::custom_newtype!(Money, String);

impl Money {
    pub(crate) fn from_decimal(d: vk::Decimal) -> Money {
        Money(d.to_string())
    }

    pub(crate) fn amount(self) -> vk::Amount {
        vk::Amount::Text(self.0)
    }
}

/// An API key, session key or bearer token. Kotlin sees `voucherkit.Secret`, whose
/// `toString()` is redacted, so a printed config never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(pub String);
uniffi::custom_newtype!(SecretString, String);

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&vk::Secret::new(self.0.as_str()).redacted())
    }
}

impl From<SecretString> for vk::Secret {
    fn from(s: SecretString) -> vk::Secret {
        vk::Secret::new(s.0)
    }
}

/// The redacted form of a secret (`…abcd`), as the core prints it: `Secret.toString()`.
#[uniffi::export]
pub fn redacted_secret(secret: String) -> String {
    vk::Secret::new(secret).redacted()
}

/// The messages a provider gave for one field.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct FieldError {
    pub field: String,
    pub messages: Vec<String>,
}

/// Field → messages in the provider's order. Kotlin sees `Map<String, List<String>>` (a
/// `LinkedHashMap`, so the order is kept; a uniffi map would lose it).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FieldErrors(pub Vec<FieldError>);
uniffi::custom_newtype!(FieldErrors, Vec<FieldError>);

/// What went wrong (DESIGN.md §4). `ErrorKind.VOUCHER_NOT_FOUND.name.lowercase()` is the
/// kind's name in every language (`"voucher_not_found"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ErrorKind {
    InvalidRequest,
    Authentication,
    PermissionDenied,
    VoucherNotFound,
    VoucherNotOwned,
    VoucherExpired,
    VoucherAlreadyRedeemed,
    VoucherNotHeld,
    VoucherLocked,
    InvalidSite,
    InvalidAmount,
    RateLimited,
    ProviderError,
    Network,
    OutcomeUnknown,
    InvalidResponse,
    Internal,
    Journal,
}

impl From<vk::ErrorKind> for ErrorKind {
    fn from(kind: vk::ErrorKind) -> ErrorKind {
        use vk::ErrorKind as K;
        match kind {
            K::InvalidRequest => ErrorKind::InvalidRequest,
            K::Authentication => ErrorKind::Authentication,
            K::PermissionDenied => ErrorKind::PermissionDenied,
            K::VoucherNotFound => ErrorKind::VoucherNotFound,
            K::VoucherNotOwned => ErrorKind::VoucherNotOwned,
            K::VoucherExpired => ErrorKind::VoucherExpired,
            K::VoucherAlreadyRedeemed => ErrorKind::VoucherAlreadyRedeemed,
            K::VoucherNotHeld => ErrorKind::VoucherNotHeld,
            K::VoucherLocked => ErrorKind::VoucherLocked,
            K::InvalidSite => ErrorKind::InvalidSite,
            K::InvalidAmount => ErrorKind::InvalidAmount,
            K::RateLimited => ErrorKind::RateLimited,
            K::ProviderError => ErrorKind::ProviderError,
            K::Network => ErrorKind::Network,
            K::OutcomeUnknown => ErrorKind::OutcomeUnknown,
            K::InvalidResponse => ErrorKind::InvalidResponse,
            K::Journal => ErrorKind::Journal,
            // The core's kinds are non-exhaustive; a kind added there and not here is a
            // binding bug, reported as such.
            _ => ErrorKind::Internal,
        }
    }
}

/// Every voucherkit failure: `VoucherException` in Kotlin (`VoucherException.Failure`,
/// the only variant, so `catch (e: VoucherException)` catches them all).
///
/// `message` is `errorMessage` in Kotlin (`uniffi.toml`), since an exception's `message`
/// is Throwable's own.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Error)]
pub enum VoucherError {
    Failure {
        kind: ErrorKind,
        /// The provider's first message, or voucherkit's own.
        message: String,
        /// The first offending field, by its wire name (`voucher_no`).
        field: Option<String>,
        /// Field → messages, as the provider sent them.
        field_errors: FieldErrors,
        /// The HTTP status, if an answer came.
        http_status: Option<i32>,
        /// `"smartgift"` or `"spaaza"`.
        provider: Option<String>,
        /// Spaaza's error name (or code).
        provider_code: Option<String>,
        /// True only where trying the same call again is safe.
        retryable: bool,
        /// Seconds the provider asked to wait.
        retry_after: Option<i64>,
        /// The journal entry of a journaled call that failed once its entry existed
        /// (above all `OUTCOME_UNKNOWN`): what `reconcile()` settles.
        journal_id: Option<String>,
    },
}

impl fmt::Display for VoucherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let VoucherError::Failure { kind, message, .. } = self;
        write!(f, "{kind:?}: {message}")
    }
}

impl std::error::Error for VoucherError {}

impl From<vk::Error> for VoucherError {
    fn from(e: vk::Error) -> VoucherError {
        VoucherError::Failure {
            kind: e.kind.into(),
            message: e.message,
            field: e.field,
            field_errors: FieldErrors(
                e.field_errors
                    .into_iter()
                    .map(|(field, messages)| FieldError { field, messages })
                    .collect(),
            ),
            http_status: e.http_status.map(i32::from),
            provider: e.provider.map(|p| p.as_str().to_owned()),
            provider_code: e.provider_code,
            retryable: e.retryable,
            retry_after: e.retry_after.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            journal_id: e.journal_id,
        }
    }
}

pub(crate) type VkResult<T> = Result<T, VoucherError>;

/// Runs a core call; a panic becomes an `internal` error instead of unwinding into the JVM.
pub(crate) fn guard<T>(
    provider: Option<Provider>,
    f: impl FnOnce() -> vk::Result<T>,
) -> VkResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(VoucherError::from),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_owned());
            let mut e = vk::Error::internal(format!("voucherkit bug: {what}"));
            e.provider = provider;
            Err(e.into())
        }
    }
}

/// Panics inside [`guard`]: lets the Kotlin tests prove that a Rust panic becomes a
/// `VoucherException` of kind `INTERNAL` and the JVM carries on. Never called otherwise.
#[uniffi::export]
pub fn panic_for_tests(message: String) -> VkResult<()> {
    guard(None, || panic!("{message}"))
}

/// A JSON value as compact text (the `raw` fields).
pub(crate) fn json_text(v: &vk::Value) -> String {
    v.to_string()
}

/// Redemption ids the core gives as `u64`, as Kotlin `Long`s (what `reverse` takes back).
/// An id past `Long.MAX_VALUE` cannot be handed to the till: the redeem was answered but
/// cannot be read, which DESIGN.md §4 calls `outcome_unknown`.
pub(crate) fn redemption_ids(ids: Vec<u64>) -> vk::Result<Vec<i64>> {
    ids.into_iter()
        .map(|n| {
            i64::try_from(n).map_err(|_| {
                vk::Error::new(
                    vk::ErrorKind::OutcomeUnknown,
                    format!("redemption id {n} does not fit a Long"),
                )
                .with_provider(Provider::SmartGift)
            })
        })
        .collect()
}

/// The transport options both configs carry (`None` = the core's default).
pub(crate) struct Transport {
    pub connect_timeout_ms: Option<i64>,
    pub timeout_ms: Option<i64>,
    pub max_retries: Option<i32>,
    pub ca_bundle: Option<String>,
    pub proxy: Option<String>,
    pub allow_insecure_http: bool,
    pub max_idle_age_ms: Option<i64>,
    pub max_idle_connections: Option<i32>,
    pub logger: Option<Arc<dyn RequestLogger>>,
    pub warning_logger: Option<Arc<dyn WarningLogger>>,
}

impl Transport {
    pub fn options(self, provider: Provider) -> vk::Result<ClientOptions> {
        let refuse = |field: &str, message: String| {
            vk::Error::invalid(field, message).with_provider(provider)
        };
        let millis = |field: &str, v: i64| {
            u64::try_from(v)
                .map(Duration::from_millis)
                .map_err(|_| refuse(field, format!("{field} must be ≥ 0 milliseconds, got {v}")))
        };
        let mut o = ClientOptions {
            binding: "kotlin".to_owned(),
            ..ClientOptions::default()
        };
        if let Some(v) = self.connect_timeout_ms {
            o.connect_timeout = millis("connect_timeout_ms", v)?;
        }
        if let Some(v) = self.timeout_ms {
            o.timeout = millis("timeout_ms", v)?;
        }
        if let Some(v) = self.max_idle_age_ms {
            o.max_idle_age = millis("max_idle_age_ms", v)?;
        }
        if let Some(n) = self.max_retries {
            o.max_retries = u32::try_from(n)
                .map_err(|_| refuse("max_retries", format!("max_retries must be ≥ 0, got {n}")))?;
        }
        if let Some(n) = self.max_idle_connections {
            // The range (0 to 1024) is the core's to check.
            o.max_idle_connections = usize::try_from(n).map_err(|_| {
                refuse(
                    "max_idle_connections",
                    format!("max_idle_connections must be ≥ 0, got {n}"),
                )
            })?;
        }
        o.ca_bundle = self.ca_bundle.map(Into::into);
        o.proxy = self.proxy;
        o.allow_insecure_http = self.allow_insecure_http;
        o.logger = self.logger.map(logging::request_logger);
        o.warning_logger = self.warning_logger.map(logging::warning_logger);
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_has_its_own_kotlin_kind() {
        let mut seen = std::collections::HashSet::new();
        for kind in vk::ErrorKind::ALL {
            let mine = ErrorKind::from(*kind);
            // The Kotlin enum name, lower-cased, is the kind's name in every language.
            let name = format!("{mine:?}");
            let snake: String = name
                .chars()
                .enumerate()
                .flat_map(|(i, c)| {
                    let mut out = Vec::new();
                    if c.is_uppercase() && i > 0 {
                        out.push('_');
                    }
                    out.extend(c.to_lowercase());
                    out
                })
                .collect();
            assert_eq!(snake, kind.as_str());
            assert!(seen.insert(mine));
        }
        assert_eq!(seen.len(), 18);
    }

    #[test]
    fn errors_keep_every_attribute() {
        let mut e = vk::Error::new(vk::ErrorKind::RateLimited, "slow down")
            .with_field("voucher_no")
            .with_status(429)
            .with_provider(Provider::Spaaza)
            .with_retry_after(Some(30));
        e.provider_code = Some("rate_limited".into());
        e.journal_id = Some("0190-entry".into());
        e.field_errors = vec![
            ("b".into(), vec!["one".into()]),
            ("a".into(), vec!["two".into(), "three".into()]),
        ];
        let VoucherError::Failure {
            kind,
            message,
            field,
            field_errors,
            http_status,
            provider,
            provider_code,
            retryable,
            retry_after,
            journal_id,
        } = VoucherError::from(e);
        assert_eq!(kind, ErrorKind::RateLimited);
        assert_eq!(message, "slow down");
        assert_eq!(field.as_deref(), Some("voucher_no"));
        let order: Vec<&str> = field_errors.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(order, ["b", "a"]);
        assert_eq!(http_status, Some(429));
        assert_eq!(provider.as_deref(), Some("spaaza"));
        assert_eq!(provider_code.as_deref(), Some("rate_limited"));
        assert!(retryable);
        assert_eq!(retry_after, Some(30));
        assert_eq!(journal_id.as_deref(), Some("0190-entry"));
    }

    #[test]
    fn a_panic_is_an_internal_error() {
        let err = guard::<()>(Some(Provider::SmartGift), || panic!("boom")).unwrap_err();
        let VoucherError::Failure {
            kind,
            message,
            provider,
            ..
        } = err;
        assert_eq!(kind, ErrorKind::Internal);
        assert!(message.contains("boom"));
        assert_eq!(provider.as_deref(), Some("smartgift"));
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let s = SecretString("sk_live_0123456789abcd".into());
        assert_eq!(format!("{s:?}"), "…abcd");
        assert_eq!(redacted_secret("short".into()), "…");
    }

    #[test]
    fn negative_transport_values_are_refused_by_field() {
        let t = Transport {
            connect_timeout_ms: None,
            timeout_ms: Some(-1),
            max_retries: None,
            ca_bundle: None,
            proxy: None,
            allow_insecure_http: false,
            max_idle_age_ms: None,
            max_idle_connections: None,
            logger: None,
            warning_logger: None,
        };
        let e = t.options(Provider::SmartGift).unwrap_err();
        assert_eq!(e.kind, vk::ErrorKind::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some("timeout_ms"));
    }
}
