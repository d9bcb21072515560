//! A client that `close()` can end is the core's `Closable` (the rule for a call on a
//! closed client lives there); this only raises its refusal as the Python exception.

use std::sync::Arc;

use pyo3::prelude::*;
use voucherkit_core::Closable;

use crate::errors;

pub(crate) trait OpenClient<T> {
    /// The open client, or `InvalidRequestError` naming `client`.
    fn open(&self, py: Python<'_>) -> PyResult<Arc<T>>;
}

impl<T> OpenClient<T> for Closable<T> {
    fn open(&self, py: Python<'_>) -> PyResult<Arc<T>> {
        self.get().map_err(|e| errors::to_py(py, &e))
    }
}
