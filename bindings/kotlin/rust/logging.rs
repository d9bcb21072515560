//! The request logger and the warning logger: Kotlin objects the core calls back.
//!
//! Both are uniffi foreign traits (a Kotlin `interface`; `RequestLogger { entry -> … }`
//! in Logging.kt makes one from a lambda). Whatever the Kotlin side does, the call being
//! logged goes on: an exception it throws comes back as an `Err` (or, past uniffi, a
//! panic), and both are dropped here, never reaching the core.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use uniffi::UnexpectedUniFFICallbackError;
use voucherkit_core as vk;

use crate::types::{ErrorKind, FieldErrors, VoucherError};

/// One HTTP attempt, as a [`RequestLogger`] sees it: never a body, a query string or a
/// secret.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct RequestLog {
    /// `"smartgift"` or `"spaaza"`.
    pub provider: String,
    /// `"GET"`, `"POST"` or `"PUT"`.
    pub method: String,
    /// The path without its query string (queries can name customers), e.g. `"/redeem"`.
    pub path: String,
    /// The answer's HTTP status; null when no answer came.
    pub status: Option<i32>,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: f64,
    /// 1 for a call's first attempt, 2 for its first retry, …
    pub attempt: i32,
    /// What went wrong at the transport level; null when nothing did.
    pub failure: Option<String>,
    /// The answer's `X-RateLimit-Remaining`, when it sent one.
    pub rate_limit_remaining: Option<i64>,
    /// The answer's `X-RateLimit-Limit`, when it sent one.
    pub rate_limit_limit: Option<i64>,
}

impl From<&vk::RequestLog> for RequestLog {
    fn from(log: &vk::RequestLog) -> RequestLog {
        RequestLog {
            provider: log.provider.as_str().to_owned(),
            method: log.method.to_owned(),
            path: log.path.clone(),
            status: log.status.map(i32::from),
            duration_ms: log.duration.as_secs_f64() * 1000.0,
            attempt: i32::try_from(log.attempt).unwrap_or(i32::MAX),
            failure: log.failure.clone(),
            // Saturates: no provider counts past Long.MAX_VALUE.
            rate_limit_remaining: log
                .rate_limit_remaining
                .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            rate_limit_limit: log
                .rate_limit_limit
                .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
        }
    }
}

/// Something the till should know about a call that succeeded, e.g. Spaaza answered a
/// redeem "ok" but the voucher is not `redeemed`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Warning {
    /// `"smartgift"` or `"spaaza"`.
    pub provider: String,
    /// The operation's wire name, e.g. `"redeem-voucher"`.
    pub operation: String,
    /// What happened, naming the voucher where there is one.
    pub message: String,
}

impl From<&vk::Warning> for Warning {
    fn from(w: &vk::Warning) -> Warning {
        Warning {
            provider: w.provider.as_str().to_owned(),
            operation: w.operation.to_owned(),
            message: w.message.clone(),
        }
    }
}

/// Called after every HTTP attempt of a client, on the thread that made the call. It may
/// call voucherkit itself, on this client or another: nothing it does (throwing included)
/// changes the outcome of the call it logs.
#[uniffi::export(foreign)]
pub trait RequestLogger: Send + Sync + fmt::Debug {
    fn log(&self, entry: RequestLog) -> Result<(), VoucherError>;
}

/// Called when a call succeeds with a caveat the till should know, on the thread that
/// made the call, before the call returns. Throwing changes nothing.
#[uniffi::export(foreign)]
pub trait WarningLogger: Send + Sync + fmt::Debug {
    fn warn(&self, warning: Warning) -> Result<(), VoucherError>;
}

/// Anything but a `VoucherException` thrown by a logger arrives as this; it is dropped.
impl From<UnexpectedUniFFICallbackError> for VoucherError {
    fn from(e: UnexpectedUniFFICallbackError) -> VoucherError {
        VoucherError::Failure {
            kind: ErrorKind::Internal,
            message: format!("a logger threw: {}", e.reason),
            field: None,
            field_errors: FieldErrors::default(),
            http_status: None,
            provider: None,
            provider_code: None,
            retryable: false,
            retry_after: None,
            journal_id: None,
        }
    }
}

/// The core's logger, handing each attempt to the Kotlin one.
pub(crate) fn request_logger(logger: Arc<dyn RequestLogger>) -> vk::RequestLogger {
    Arc::new(move |log: &vk::RequestLog| {
        let entry = RequestLog::from(log);
        // A throw is an `Err`; a panic can only come from uniffi's own plumbing. Neither
        // may unwind into the core in the middle of a call.
        let _ = catch_unwind(AssertUnwindSafe(|| logger.log(entry)));
    })
}

/// The core's warning logger, handing each warning to the Kotlin one.
pub(crate) fn warning_logger(logger: Arc<dyn WarningLogger>) -> vk::WarningLogger {
    Arc::new(move |w: &vk::Warning| {
        let warning = Warning::from(w);
        // As in `request_logger`.
        let _ = catch_unwind(AssertUnwindSafe(|| logger.warn(warning)));
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    #[derive(Debug, Default)]
    struct Seen(Mutex<Vec<RequestLog>>);

    impl RequestLogger for Seen {
        fn log(&self, entry: RequestLog) -> Result<(), VoucherError> {
            self.0.lock().unwrap().push(entry);
            Err(UnexpectedUniFFICallbackError::new("thrown").into())
        }
    }

    #[derive(Debug)]
    struct Panics;

    impl WarningLogger for Panics {
        fn warn(&self, _: Warning) -> Result<(), VoucherError> {
            panic!("a broken logger")
        }
    }

    #[test]
    fn entries_carry_every_field_and_errors_stay_here() {
        let seen = Arc::new(Seen::default());
        let log = request_logger(seen.clone());
        log(&vk::RequestLog {
            rate_limit_limit: Some(100),
            rate_limit_remaining: Some(99),
            provider: vk::Provider::Spaaza,
            method: "POST",
            path: "/auth/redeem-voucher".into(),
            status: Some(200),
            duration: Duration::from_micros(1500),
            attempt: 2,
            failure: None,
        });
        let got = seen.0.lock().unwrap().clone();
        assert_eq!(
            got,
            [RequestLog {
                provider: "spaaza".into(),
                method: "POST".into(),
                path: "/auth/redeem-voucher".into(),
                status: Some(200),
                duration_ms: 1.5,
                attempt: 2,
                failure: None,
                rate_limit_remaining: Some(99),
                rate_limit_limit: Some(100),
            }]
        );
    }

    #[test]
    fn a_panicking_warning_logger_does_not_unwind() {
        let warn = warning_logger(Arc::new(Panics));
        warn(&vk::Warning {
            provider: vk::Provider::Spaaza,
            operation: "redeem-voucher",
            message: "m".into(),
        });
    }
}
