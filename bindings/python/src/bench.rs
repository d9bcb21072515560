//! Helpers for `bench/run.py`: a keep-alive responder that serves one fixed answer
//! forever (recording nothing, so memory does not grow with the call count), and a loop of
//! Smart Gift redeems through the Rust core alone, to measure the binding's overhead.

use std::sync::Arc;
use std::time::Instant;

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use voucherkit_core::smartgift::{RedeemRequest, SmartGift, SmartGiftConfig};
use voucherkit_core::{ClientOptions, Secret};
use voucherkit_sandbox::http::Server;
use voucherkit_sandbox::{Answer, RecordedRequest};

use crate::{errors, guard};

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<BenchResponder>()?;
    m.add_function(wrap_pyfunction!(_bench_core_redeem, m)?)?;
    Ok(())
}

/// Serves `status` with the JSON `body` to every request, on 127.0.0.1.
#[pyclass(name = "_BenchResponder", module = "voucherkit._native", frozen)]
pub struct BenchResponder {
    server: Server,
}

#[pymethods]
impl BenchResponder {
    #[new]
    fn new(py: Python<'_>, status: u16, body: String) -> PyResult<BenchResponder> {
        guard(py, || {
            let answer = Answer::new(status)
                .with_header("Content-Type", "application/json")
                .with_body(body.into_bytes());
            let handler = move |_: &RecordedRequest| answer.clone();
            let server = Server::start(Arc::new(handler))
                .map_err(|e| PyOSError::new_err(format!("cannot start the responder: {e}")))?;
            Ok(BenchResponder { server })
        })
    }

    #[getter]
    fn url(&self) -> String {
        self.server.url()
    }

    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.server.stop());
    }
}

/// Makes `calls` Smart Gift money redeems (`value=10.00`) through the Rust core with the
/// GIL released, and returns the seconds they took.
#[pyfunction]
fn _bench_core_redeem(
    py: Python<'_>,
    base_url: String,
    api_key: String,
    calls: u64,
) -> PyResult<f64> {
    guard(py, || {
        let client = SmartGift::new(SmartGiftConfig {
            journal: None,
            api_key: Secret::new(api_key),
            base_url: Some(base_url),
            options: ClientOptions::default(),
        })
        .map_err(|e| errors::to_py(py, &e))?;
        let req = RedeemRequest::money("1234567890", 12, "10.00");
        py.detach(|| {
            let start = Instant::now();
            for _ in 0..calls {
                client.redeem(&req)?;
            }
            Ok(start.elapsed().as_secs_f64())
        })
        .map_err(|e| errors::to_py(py, &e))
    })
}
