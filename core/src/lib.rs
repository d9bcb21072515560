//! # voucherkit-core
//!
//! Redeem gift vouchers with **Smart Gift** and **Spaaza** from a till, safely.
//!
//! This crate is the one core behind every voucherkit package (C, C++, Python, Node,
//! Kotlin). It decides everything once — validation, the requests on the wire, what each
//! answer means — so a till gets the same behaviour in every language.
//!
//! Three promises shape the API:
//! - **Nothing is sent that is wrong.** Requests are checked first; a bad parameter is an
//!   [`ErrorKind::InvalidRequest`] naming the field, and nothing reaches the wire.
//! - **Nothing is done twice.** A redeem that may have reached the provider is never
//!   re-sent: a lost answer is [`ErrorKind::OutcomeUnknown`], and the till reconciles.
//! - **Money is exact.** Amounts are decimals ([`rust_decimal::Decimal`]), never floats.
//!
//! ```no_run
//! use voucherkit_core::smartgift::{CheckRequest, SmartGift, SmartGiftConfig};
//! use voucherkit_core::ErrorKind;
//!
//! let sg = SmartGift::new(SmartGiftConfig::new("sk_live_…"))?;
//! match sg.check(&CheckRequest::new("1234567890", 12)) {
//!     Ok(v) => println!("{:?} left", v.remaining_value),
//!     Err(e) if e.kind == ErrorKind::VoucherExpired => println!("expired: {}", e.message),
//!     Err(e) => return Err(e),
//! }
//! # Ok::<(), voucherkit_core::Error>(())
//! ```

mod closable;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod journal;
pub mod money;
mod secret;
pub mod smartgift;
pub mod spaaza;
mod status;
pub mod transport;
mod validate;

pub use closable::{CLOSED_MESSAGE, Closable};
pub use error::{Error, ErrorKind, Provider, Result};
pub use money::Amount;
pub use rust_decimal::Decimal;
pub use secret::Secret;
pub use serde_json::Value;
pub use transport::{
    AppInfo, ClientOptions, ClientSettings, OPTIONS, OptionKind, OptionSpec, RequestLog,
    RequestLogger, TimeUnit, Warning, WarningLogger, duration_option,
};

// The README's Rust example runs as a doctest, so the quick start cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// This crate's version, as sent in the User-Agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
