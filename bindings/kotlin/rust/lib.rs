//! voucherkit for Kotlin/JVM and Android, through uniffi (DESIGN.md §8).
//!
//! The binding is thin: it converts Kotlin values into the core's request types, calls the
//! core, and converts results and errors back. It decides nothing the core decides
//! (validation, wire formats, the meaning of answers, retries). `uniffi-bindgen` (the
//! separate crate in `bindgen/`) reads this library and writes the Kotlin source that the
//! Maven project beside it compiles (src/main/kotlin); see `uniffi.toml` for the
//! Kotlin-side names and custom types.
//!
//! - [`SmartGift`] and [`Spaaza`]: clients built from [`SmartGiftConfig`] / [`SpaazaConfig`].
//! - [`VoucherError`] (`VoucherException` in Kotlin): every attribute of DESIGN.md §4.
//! - [`Journal`]: the redemption journal a config may carry; `reconcile()` on each client
//!   settles the calls whose answer was lost, as [`JournalEntry`] records.
//! - [`RequestLogger`] and [`WarningLogger`]: Kotlin interfaces the configs carry.
//! - Money is [`Money`]: decimal text here, `java.math.BigDecimal` in Kotlin.
//! - [`Sandbox`] and [`ScriptedServer`]: the sandbox's servers, for JVM tests.

// Every exported call returns `Result<_, VoucherError>` by value: uniffi serialises the
// error into a buffer for the JVM, so its size only matters on the (rare) error path.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

mod bench;
mod journal;
mod logging;
mod smartgift;
mod spaaza;
mod testing;
mod types;

pub use bench::{BenchResponder, bench_core_redeem};
pub use journal::{Journal, JournalEntry, JournalFilter};
pub use logging::{RequestLog, RequestLogger, Warning, WarningLogger};
pub use smartgift::{
    Experience, Hold, MetaCondition, Redemption, Released, Reversed, SmartGift, SmartGiftConfig,
    SmartGiftVoucher,
};
pub use spaaza::{Spaaza, SpaazaAuth, SpaazaConfig, SpaazaVoucher, SpaazaWarning, VoucherList};
pub use testing::{Sandbox, SandboxError, ScriptedServer};
pub use types::{ErrorKind, FieldError, FieldErrors, Money, SecretString, VoucherError};

/// The voucherkit version this library was built from (as sent in the User-Agent).
#[uniffi::export]
pub fn version() -> String {
    voucherkit_core::VERSION.to_owned()
}
