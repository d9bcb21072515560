//! `voucherkit._native`: the pyo3 module behind the `voucherkit` Python package.
//!
//! The binding is thin (docs/design.md, "The thin-bindings rule"): it converts Python values to the core's request
//! types, releases the GIL while the core does the network call, converts the results
//! back and maps the core's [`Error`](voucherkit_core::Error) onto the exception classes
//! defined in `voucherkit/errors.py`. It decides nothing the core decides.
//!
//! Every entry point runs under [`guard`], so a Rust panic becomes
//! `voucherkit.InternalError` instead of taking the interpreter down.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;

#[cfg(feature = "bench")]
mod bench;
mod cli;
mod convert;
mod errors;
mod handle;
mod journal;
mod logging;
mod options;
mod smartgift;
mod spaaza;
mod testing;

/// Runs one entry point's body, turning a panic into `voucherkit.InternalError`.
pub(crate) fn guard<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            let err = voucherkit_core::Error::internal(format!(
                "voucherkit hit a bug (a Rust panic: {what}); please report it"
            ));
            Err(errors::to_py(py, &err))
        }
    }
}

/// Panics inside [`guard`]: lets the tests prove that a panic becomes `InternalError`.
#[cfg(feature = "test-hooks")]
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, message: &str) -> PyResult<()> {
    guard(py, || -> PyResult<()> {
        // Panic while detached, as a real bug inside a network call would.
        py.detach(|| panic!("{}", message.to_owned()))
    })
}

/// The core's error kinds as `(name, code)`: the drift test checks that voucherkit has an
/// exception class for each (tests/test_drift.py).
#[pyfunction]
fn _core_error_kinds() -> Vec<(&'static str, u32)> {
    voucherkit_core::ErrorKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.code()))
        .collect()
}

/// The core's transport options as `(name, kind, default)`: the drift test checks that
/// every client takes each one as a keyword (tests/test_drift.py).
#[pyfunction]
fn _core_options() -> Vec<(&'static str, String, &'static str)> {
    voucherkit_core::OPTIONS
        .iter()
        .map(|o| (o.name, format!("{:?}", o.kind).to_lowercase(), o.default))
        .collect()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", voucherkit_core::VERSION)?;
    m.add_class::<journal::PyJournal>()?;
    m.add_class::<journal::PyJournalEntry>()?;
    m.add_class::<smartgift::PySmartGift>()?;
    m.add_class::<smartgift::PySmartGiftVoucher>()?;
    m.add_class::<smartgift::PyExperience>()?;
    m.add_class::<smartgift::PyHold>()?;
    m.add_class::<smartgift::PyRedemption>()?;
    m.add_class::<smartgift::PyReleased>()?;
    m.add_class::<smartgift::PyReversed>()?;
    m.add_class::<spaaza::PySpaaza>()?;
    m.add_class::<spaaza::PySpaazaVoucher>()?;
    m.add_class::<spaaza::PySpaazaWarning>()?;
    m.add_class::<spaaza::PyVoucherList>()?;
    m.add_class::<spaaza::PyVoucherPages>()?;
    m.add_class::<testing::PyScriptedServer>()?;
    m.add_class::<testing::PyRecordedRequest>()?;
    #[cfg(feature = "test-hooks")]
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(_core_error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(_core_options, m)?)?;
    testing::register(m)?;
    cli::register(m)?;
    #[cfg(feature = "bench")]
    bench::register(m)?;
    Ok(())
}
