//! A client that `close()` can end: the core client behind an `Arc`, taken out on close.
//!
//! A call clones the `Arc` and works on that, so `close()` never waits for calls in
//! flight: they finish (a journaled write resolves its entry), and the connection pool
//! goes when the last of them does. A call on a closed client is refused as
//! `invalid_request` naming `client`, before anything is sent.

use std::sync::{Arc, PoisonError, RwLock};

use pyo3::prelude::*;
use voucherkit_core::Provider;

use crate::errors;

pub(crate) struct Handle<T> {
    client: RwLock<Option<Arc<T>>>,
    provider: Provider,
}

impl<T> Handle<T> {
    pub(crate) fn new(client: T, provider: Provider) -> Handle<T> {
        Handle {
            client: RwLock::new(Some(Arc::new(client))),
            provider,
        }
    }

    /// The open client, or `invalid_request` naming `client`.
    pub(crate) fn get(&self, py: Python<'_>) -> PyResult<Arc<T>> {
        let client = self.client.read().unwrap_or_else(PoisonError::into_inner);
        client.clone().ok_or_else(|| {
            errors::invalid(
                py,
                self.provider,
                "client",
                "the client is closed: build a new one to make more calls".to_owned(),
            )
        })
    }

    /// Ends the client; closing twice is harmless.
    pub(crate) fn close(&self) {
        let taken = self
            .client
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(taken);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.client
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }
}
