//! Request logs and warnings to the Python `logging` logger `voucherkit`.
//!
//! The core calls both hooks on the calling thread while the GIL is released (after every
//! HTTP attempt, and when a call succeeds with a caveat); a hook takes the GIL back only
//! for as long as it logs, and does nothing more than `isEnabledFor` when the logger would
//! drop the record. What is logged is what the core gives: provider, method, path (no
//! query), status, duration, attempt and a transport failure, or the warning's operation
//! and message; never a body, a header or a secret. A handler may itself call voucherkit,
//! and one that raises is reported as unraisable: neither changes the logged call.

use std::sync::Arc;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use voucherkit_core::{RequestLog, RequestLogger, Warning, WarningLogger};

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

const DEBUG: u32 = 10;
const WARNING: u32 = 30;

/// The `voucherkit` logger.
fn logger(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    LOGGER.get_or_try_init(py, || {
        Ok(py
            .import("logging")?
            .call_method1("getLogger", ("voucherkit",))?
            .unbind())
    })
}

/// A hook for [`voucherkit_core::ClientOptions::logger`] that logs to `voucherkit`:
/// answered attempts at DEBUG, attempts that got no answer at WARNING.
pub(crate) fn request_logger(py: Python<'_>) -> PyResult<RequestLogger> {
    let logger = logger(py)?.clone_ref(py);
    Ok(Arc::new(move |log: &RequestLog| {
        Python::attach(|py| {
            if let Err(e) = emit(py, logger.bind(py), log) {
                // A failing handler must not fail the call; Python reports it as
                // logging itself would.
                e.write_unraisable(py, Some(logger.bind(py)));
            }
        })
    }))
}

fn emit(py: Python<'_>, logger: &Bound<'_, PyAny>, log: &RequestLog) -> PyResult<()> {
    let level = if log.failure.is_some() {
        WARNING
    } else {
        DEBUG
    };
    if !logger
        .call_method1(intern!(py, "isEnabledFor"), (level,))?
        .is_truthy()?
    {
        return Ok(());
    }
    let millis = log.duration.as_secs_f64() * 1000.0;
    let outcome = match (log.status, &log.failure) {
        (Some(status), None) => status.to_string(),
        (Some(status), Some(failure)) => format!("{status} ({failure})"),
        (None, Some(failure)) => format!("no answer ({failure})"),
        (None, None) => "no answer".to_owned(),
    };
    let extra = PyDict::new(py);
    extra.set_item("voucherkit_provider", log.provider.as_str())?;
    extra.set_item("voucherkit_method", log.method)?;
    extra.set_item("voucherkit_path", &log.path)?;
    extra.set_item("voucherkit_status", log.status)?;
    extra.set_item("voucherkit_duration_ms", millis)?;
    extra.set_item("voucherkit_attempt", log.attempt)?;
    // From X-RateLimit-Remaining / X-RateLimit-Limit, when the provider sent them.
    extra.set_item("voucherkit_rate_limit_remaining", log.rate_limit_remaining)?;
    extra.set_item("voucherkit_rate_limit_limit", log.rate_limit_limit)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("extra", extra)?;
    logger.call_method(
        intern!(py, "log"),
        (
            level,
            "%s %s %s -> %s in %.1f ms (attempt %d)",
            log.provider.as_str(),
            log.method,
            &log.path,
            outcome,
            millis,
            log.attempt,
        ),
        Some(&kwargs),
    )?;
    Ok(())
}

/// A hook for [`voucherkit_core::ClientOptions::warning_logger`] that logs each warning
/// to `voucherkit` at WARNING (Spaaza answered a redeem "ok" but the voucher is not
/// `redeemed`: the till must look before handing goods over).
pub(crate) fn warning_logger(py: Python<'_>) -> PyResult<WarningLogger> {
    let logger = logger(py)?.clone_ref(py);
    Ok(Arc::new(move |warning: &Warning| {
        Python::attach(|py| {
            if let Err(e) = warn(py, logger.bind(py), warning) {
                e.write_unraisable(py, Some(logger.bind(py)));
            }
        })
    }))
}

fn warn(py: Python<'_>, logger: &Bound<'_, PyAny>, warning: &Warning) -> PyResult<()> {
    if !logger
        .call_method1(intern!(py, "isEnabledFor"), (WARNING,))?
        .is_truthy()?
    {
        return Ok(());
    }
    let extra = PyDict::new(py);
    extra.set_item("voucherkit_provider", warning.provider.as_str())?;
    extra.set_item("voucherkit_operation", warning.operation)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("extra", extra)?;
    logger.call_method(
        intern!(py, "log"),
        (
            WARNING,
            "%s %s: %s",
            warning.provider.as_str(),
            warning.operation,
            &warning.message,
        ),
        Some(&kwargs),
    )?;
    Ok(())
}
