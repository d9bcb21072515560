//! voucherkit for Kotlin/JVM and Android, through uniffi (docs/design.md).
//!
//! The binding is thin: it converts Kotlin values into the core's request types, calls the
//! core, and converts results and errors back. It decides nothing the core decides
//! (validation, wire formats, the meaning of answers, retries). `uniffi-bindgen` (the
//! separate crate in `bindgen/`) reads this library and writes the Kotlin source that the
//! Maven project beside it compiles (src/main/kotlin); see `uniffi.toml` for the
//! Kotlin-side names and custom types.
//!
//! - [`SmartGift`] and [`Spaaza`]: clients built from [`SmartGiftConfig`] / [`SpaazaConfig`].
//! - [`VoucherError`] (`VoucherException` in Kotlin): every attribute of an error (docs/errors.md).
//! - [`Journal`]: the redemption journal a config may carry; `reconcile()` on each client
//!   settles the calls whose answer was lost, as [`JournalEntry`] records.
//! - [`RequestLogger`] and [`WarningLogger`]: Kotlin interfaces the configs carry.
//! - Money is [`Money`]: decimal text here, `java.math.BigDecimal` in Kotlin.
//!
//! The sandbox and the bench helpers live in `testing/` (Kotlin package `voucherkit.testing`),
//! outside the published library.

// Every exported call returns `Result<_, VoucherError>` by value: uniffi serialises the
// error into a buffer for the JVM, so its size only matters on the (rare) error path.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

mod journal;
mod logging;
mod smartgift;
mod spaaza;
mod types;

pub use journal::{Journal, JournalEntry, JournalFilter};
pub use logging::{RequestLog, RequestLogger, Warning, WarningLogger};
pub use smartgift::{
    Experience, Hold, MetaCondition, Redemption, Released, Reversed, SiteId, SmartGift,
    SmartGiftConfig, SmartGiftVoucher,
};
pub use spaaza::{
    EntityCard, Spaaza, SpaazaAuth, SpaazaConfig, SpaazaVoucher, SpaazaWarning, VoucherList,
    VoucherPager,
};
pub use types::{AppInfo, ErrorKind, FieldError, FieldErrors, Money, SecretString, VoucherError};

/// The voucherkit version this library was built from (as sent in the User-Agent).
#[uniffi::export]
pub fn version() -> String {
    voucherkit_core::VERSION.to_owned()
}
