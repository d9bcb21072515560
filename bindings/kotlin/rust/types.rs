//! The conversions every client shares: money, secrets, the error, transport options.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

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

/// What went wrong (docs/errors.md). `ErrorKind.VOUCHER_NOT_FOUND.name.lowercase()` is the
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

/// A JSON value as compact text (the `raw` fields).
pub(crate) fn json_text(v: &vk::Value) -> String {
    v.to_string()
}

/// Redemption ids the core gives as `u64`, as Kotlin `Long`s (what `reverse` takes back).
/// An id past `Long.MAX_VALUE` cannot be handed to the till: the redeem was answered but
/// cannot be read: `outcome_unknown` (docs/errors.md).
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

/// The till software a client works for (Stripe's `appInfo`): appended to the User-Agent
/// as `name/version (url)`; the core checks it (field `app_info`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct AppInfo {
    pub name: String,
    #[uniffi(default = None)]
    pub version: Option<String>,
    #[uniffi(default = None)]
    pub url: Option<String>,
}

/// The transport options both configs carry, as Kotlin gave them (`None` = the core's
/// default). Durations are milliseconds.
pub(crate) struct Transport {
    pub connect_timeout_ms: Option<i64>,
    pub timeout_ms: Option<i64>,
    pub max_retries: Option<i32>,
    pub max_idle_age_ms: Option<i64>,
    pub max_idle_connections: Option<i32>,
    pub ca_bundle: Option<String>,
    pub proxy: Option<String>,
    pub allow_insecure_http: bool,
    pub app_info: Option<AppInfo>,
    pub logger: Option<Arc<dyn RequestLogger>>,
    pub warning_logger: Option<Arc<dyn WarningLogger>>,
}

impl Transport {
    /// The core's checked options (`ClientSettings::build`: every conversion, range and
    /// message is the core's, errors name the core option, e.g. `timeout`), with the
    /// Kotlin loggers attached.
    pub fn options(self, provider: Provider) -> vk::Result<ClientOptions> {
        // Milliseconds as f64: exact for every Long below 2^53, and anything larger is
        // over the core's one-hour limit anyway.
        let ms = |v: Option<i64>| v.map(|v| v as f64);
        let settings = vk::ClientSettings {
            connect_timeout: ms(self.connect_timeout_ms),
            timeout: ms(self.timeout_ms),
            max_retries: self.max_retries.map(i64::from),
            max_idle_age: ms(self.max_idle_age_ms),
            max_idle_connections: self.max_idle_connections.map(i64::from),
            ca_bundle: self.ca_bundle,
            proxy: self.proxy,
            allow_insecure_http: Some(self.allow_insecure_http),
            app_info: self.app_info.map(|a| vk::AppInfo {
                name: a.name,
                version: a.version,
                url: a.url,
            }),
            ..vk::ClientSettings::new(vk::TimeUnit::Milliseconds, "kotlin", "")
        };
        let mut o = settings.build().map_err(|e| e.with_provider(provider))?;
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
    fn negative_transport_values_are_refused_by_the_core_option_name() {
        let t = Transport {
            connect_timeout_ms: None,
            timeout_ms: Some(-1),
            max_retries: None,
            ca_bundle: None,
            proxy: None,
            allow_insecure_http: false,
            max_idle_age_ms: None,
            max_idle_connections: None,
            app_info: None,
            logger: None,
            warning_logger: None,
        };
        let e = t.options(Provider::SmartGift).unwrap_err();
        assert_eq!(e.kind, vk::ErrorKind::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some("timeout"));
        assert_eq!(e.provider, Some(Provider::SmartGift));
    }
}
