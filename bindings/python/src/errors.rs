//! The core's [`Error`] as the exception classes of `voucherkit/errors.py`.
//!
//! The classes are Python classes (so they pickle and subclass normally under abi3); they
//! are looked up once, by kind name, from `voucherkit.errors._CLASSES`.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use voucherkit_core::{Error, Provider};

static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// The exception a core error stands for.
pub(crate) fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    build(py, e).unwrap_or_else(|failure| {
        // Only when voucherkit.errors cannot be imported: keep the original error visible.
        let err = PyRuntimeError::new_err(format!("{}: {}", e.kind, e.message));
        err.set_cause(py, Some(failure));
        err
    })
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let classes = CLASSES.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
        Ok(py
            .import("voucherkit.errors")?
            .getattr("_CLASSES")?
            .cast_into::<PyDict>()?
            .unbind())
    })?;
    let class = classes
        .bind(py)
        .get_item(e.kind.as_str())?
        .ok_or_else(|| PyRuntimeError::new_err(format!("no class for kind {}", e.kind)))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", e.kind.as_str())?;
    kwargs.set_item("field", e.field.as_deref())?;
    let field_errors = PyDict::new(py);
    for (name, messages) in &e.field_errors {
        field_errors.set_item(name, PyList::new(py, messages)?)?;
    }
    kwargs.set_item("field_errors", field_errors)?;
    kwargs.set_item("http_status", e.http_status)?;
    kwargs.set_item("provider", e.provider.map(Provider::as_str))?;
    kwargs.set_item("provider_code", e.provider_code.as_deref())?;
    kwargs.set_item("retryable", e.retryable)?;
    kwargs.set_item("retry_after", e.retry_after)?;
    kwargs.set_item("journal_id", e.journal_id.as_deref())?;
    let instance = class.call((e.message.as_str(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// An `invalid_request` refused by the binding itself (a Python value of the wrong type
/// for a money or duration parameter), raised like the core's own. `provider` is `None`
/// for what belongs to no provider (a journal's filters).
pub(crate) fn invalid(
    py: Python<'_>,
    provider: impl Into<Option<Provider>>,
    field: &str,
    message: String,
) -> PyErr {
    let mut e = Error::invalid(field, message);
    e.provider = provider.into();
    to_py(py, &e)
}
