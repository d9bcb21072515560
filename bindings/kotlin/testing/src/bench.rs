//! Helpers for `bindings/kotlin/bench`: a keep-alive responder that serves one fixed answer and
//! records nothing (so memory does not grow with the call count), and a loop of Smart
//! Gift redeems through the Rust core alone, to tell the binding's cost from the core's.

use std::sync::Arc;
use std::time::Instant;

use voucherkit_core::smartgift::{RedeemRequest, SmartGift, SmartGiftConfig};
use voucherkit_core::{ClientOptions, Secret};
use voucherkit_sandbox::http::Server;
use voucherkit_sandbox::{Answer, RecordedRequest};

use crate::sandbox::SandboxError;

/// Answers every request with `status` and the JSON `body`, on 127.0.0.1 (bench only).
#[derive(Debug, uniffi::Object)]
pub struct BenchResponder {
    server: Server,
}

#[uniffi::export]
impl BenchResponder {
    #[uniffi::constructor]
    pub fn new(status: u16, body: String) -> Result<Arc<BenchResponder>, SandboxError> {
        let answer = Answer::new(status)
            .with_header("Content-Type", "application/json")
            .with_body(body.into_bytes());
        let handler = move |_: &RecordedRequest| answer.clone();
        let server = Server::start(Arc::new(handler))
            .map_err(|e| SandboxError::Io(format!("cannot start the responder: {e}")))?;
        Ok(Arc::new(BenchResponder { server }))
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn stop(&self) {
        self.server.stop();
    }
}

/// Makes `calls` Smart Gift money redeems (`value` 10.00, site 12) through the Rust core
/// alone, on the calling thread, and returns the seconds they took (bench only).
#[uniffi::export]
pub fn bench_core_redeem(
    base_url: String,
    api_key: String,
    calls: u32,
) -> Result<f64, SandboxError> {
    let run = || -> voucherkit_core::Result<f64> {
        let client = SmartGift::new(SmartGiftConfig {
            journal: None,
            api_key: Secret::new(api_key),
            base_url: Some(base_url),
            options: ClientOptions::default(),
        })?;
        let req = RedeemRequest::money("1234567890", 12, "10.00");
        let start = Instant::now();
        for _ in 0..calls {
            client.redeem(&req)?;
        }
        Ok(start.elapsed().as_secs_f64())
    };
    // A failure here is the bench's setup gone wrong, not a result to measure.
    run().map_err(|e| SandboxError::Invalid(format!("the core redeem failed: {e}")))
}
