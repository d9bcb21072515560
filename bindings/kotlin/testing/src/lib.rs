//! The Kotlin package's test tools, in their own library and Kotlin package
//! (`voucherkit.testing`) so the published jar carries none of them:
//!
//! - [`Sandbox`] and [`ScriptedServer`]: the sandbox's servers, for JVM tests (a till's own
//!   tests too: add this library and its Kotlin to the test class path).
//! - [`BenchResponder`] and [`bench_core_redeem`]: what `make bench-kotlin` measures against.
//! - [`core_error_kinds`] and [`core_options`]: the core's own lists, which the Kotlin tests
//!   compare with the Kotlin API so a kind or option added to the core and not exposed in
//!   Kotlin fails a test.

uniffi::setup_scaffolding!();

mod bench;
mod sandbox;

pub use bench::{BenchResponder, bench_core_redeem};
pub use sandbox::{Sandbox, SandboxError, ScriptedServer};

use voucherkit_core as vk;

/// A secret the sandbox hands out: `voucherkit.Secret` in Kotlin (`uniffi.toml`), ready for
/// a client config.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(pub String);
uniffi::custom_newtype!(SecretString, String);

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&vk::Secret::new(self.0.as_str()).redacted())
    }
}

/// One error kind as the core lists it (`ErrorKind::ALL`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CoreErrorKind {
    /// The kind's name in every language, e.g. `"voucher_not_found"`.
    pub name: String,
    /// Its stable numeric code (the C API's `vk_status`).
    pub code: u32,
}

/// One transport option as the core lists it (`voucherkit_core::OPTIONS`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CoreOption {
    /// The core's name, e.g. `"max_idle_age"` (what errors name).
    pub name: String,
    /// `"duration"`, `"count"`, `"text"`, `"flag"` or `"app_info"`.
    pub kind: String,
    /// The default as the docs state it.
    pub default_value: String,
}

/// Every error kind the core has (internal: for the Kotlin package's drift tests).
#[uniffi::export]
pub fn core_error_kinds() -> Vec<CoreErrorKind> {
    vk::ErrorKind::ALL
        .iter()
        .map(|k| CoreErrorKind {
            name: k.as_str().to_owned(),
            code: k.code(),
        })
        .collect()
}

/// Every transport option the core has (internal: for the Kotlin package's drift tests).
#[uniffi::export]
pub fn core_options() -> Vec<CoreOption> {
    vk::OPTIONS
        .iter()
        .map(|o| CoreOption {
            name: o.name.to_owned(),
            kind: match o.kind {
                vk::OptionKind::Duration => "duration",
                vk::OptionKind::Count => "count",
                vk::OptionKind::Text => "text",
                vk::OptionKind::Flag => "flag",
                vk::OptionKind::AppInfo => "app_info",
            }
            .to_owned(),
            default_value: o.default.to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_the_cores() {
        assert_eq!(core_error_kinds().len(), vk::ErrorKind::ALL.len());
        assert_eq!(core_options().len(), vk::OPTIONS.len());
        assert_eq!(core_options()[1].name, "timeout");
    }
}
