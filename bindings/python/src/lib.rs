//! `voucherkit._native`: the pyo3 module behind the `voucherkit` Python package.
//!
//! The binding is thin (DESIGN.md §1): it converts Python values to the core's request
//! types, releases the GIL while the core does the network call, converts the results
//! back and maps the core's [`Error`](voucherkit_core::Error) onto the exception classes
//! defined in `voucherkit/errors.py`. It decides nothing the core decides.
//!
//! Every entry point runs under [`guard`], so a Rust panic becomes
//! `voucherkit.InternalError` instead of taking the interpreter down.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;

mod bench;
mod cli;
mod convert;
mod errors;
mod journal;
mod logging;
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
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, message: &str) -> PyResult<()> {
    guard(py, || -> PyResult<()> {
        // Panic while detached, as a real bug inside a network call would.
        py.detach(|| panic!("{}", message.to_owned()))
    })
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
    m.add_class::<testing::PyScriptedServer>()?;
    m.add_class::<testing::PyRecordedRequest>()?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    testing::register(m)?;
    cli::register(m)?;
    bench::register(m)?;
    Ok(())
}
