//! The one error model shared by every binding (docs/errors.md).
//!
//! Every failure — a refused parameter, a provider's refusal, a lost connection — is an
//! [`Error`] with a [`ErrorKind`]. The kind is what a till decides on: `voucher_expired`
//! means "tell the customer", `network` means "try again", `outcome_unknown` means
//! "the provider may have acted: reconcile before doing anything else".

use std::fmt;

/// Which provider an error (or a client) belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    SmartGift,
    Spaaza,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::SmartGift, Provider::Spaaza];

    /// The wire-neutral name used in every language: `"smartgift"` or `"spaaza"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::SmartGift => "smartgift",
            Provider::Spaaza => "spaaza",
        }
    }

    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// A provider a binding was given by name (a journal filter); anything else is an
    /// `invalid_request` naming `field`.
    pub fn parse(name: &str, field: &str) -> Result<Provider> {
        Provider::from_name(name).ok_or_else(|| {
            Error::invalid(
                field,
                format!("{field} must be \"smartgift\" or \"spaaza\", got {name:?}"),
            )
        })
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! kinds {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $name:literal; )*) => {
        /// What went wrong, as one of a fixed set of kinds.
        ///
        /// The numeric [`code`](ErrorKind::code) is stable: the C API returns it as
        /// `vk_status`, so values are never renumbered, only appended.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorKind {
            /// Every kind, in code order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)*];

            /// The kind's name, identical in every language (`"voucher_not_found"`).
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorKind::$variant => $name,)* }
            }

            /// The stable numeric code (1-based; 0 is "ok" in the C API).
            pub fn code(self) -> u32 {
                match self { $(ErrorKind::$variant => $code,)* }
            }

            /// The kind for a name produced by [`as_str`](ErrorKind::as_str).
            pub fn from_name(name: &str) -> Option<ErrorKind> {
                match name { $($name => Some(ErrorKind::$variant),)* _ => None }
            }

            /// The kind for a code produced by [`code`](ErrorKind::code).
            pub fn from_code(code: u32) -> Option<ErrorKind> {
                match code { $($code => Some(ErrorKind::$variant),)* _ => None }
            }
        }
    };
}

kinds! {
    /// Refused before sending: a parameter is missing or malformed.
    InvalidRequest = 1, "invalid_request";
    /// The key or session is missing, wrong or expired.
    Authentication = 2, "authentication";
    /// Authenticated, but not allowed to do this.
    PermissionDenied = 3, "permission_denied";
    /// The voucher does not exist.
    VoucherNotFound = 4, "voucher_not_found";
    /// The voucher belongs to another company or chain.
    VoucherNotOwned = 5, "voucher_not_owned";
    /// The voucher is outside its validity window.
    VoucherExpired = 6, "voucher_expired";
    /// The voucher has nothing left to redeem.
    VoucherAlreadyRedeemed = 7, "voucher_already_redeemed";
    /// A release was asked for a voucher without a live hold.
    VoucherNotHeld = 8, "voucher_not_held";
    /// Another till or basket holds or locks the voucher.
    VoucherLocked = 9, "voucher_locked";
    /// The site number is not one of the company's.
    InvalidSite = 10, "invalid_site";
    /// The provider refused the amount (exceeds the balance, etc.).
    InvalidAmount = 11, "invalid_amount";
    /// Too many requests; see [`Error::retry_after`].
    RateLimited = 12, "rate_limited";
    /// Any other answer the provider gave as an error; its message is kept.
    ProviderError = 13, "provider_error";
    /// No connection could be made, or a read failed: nothing changed, retrying is safe.
    Network = 14, "network";
    /// A state-changing request was sent but no readable answer came: it may have happened.
    OutcomeUnknown = 15, "outcome_unknown";
    /// An answer in no documented shape, where that proves nothing happened.
    InvalidResponse = 16, "invalid_response";
    /// A bug in voucherkit (a caught panic). Never expected.
    Internal = 17, "internal";
    /// The local journal could not record a journaled call (disk full, file gone
    /// read-only, locked too long), so nothing was sent; or reconcile could not read or
    /// update it. Fix the journal before redeeming again.
    Journal = 18, "journal";
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A voucherkit failure, with everything a till needs to decide what to do next.
///
/// `Display` prints `kind: message`; secrets never appear in either.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The provider's first message, or voucherkit's own.
    pub message: String,
    /// The first offending field, by its wire name (`voucher_no`, `amount`).
    pub field: Option<String>,
    /// Field → messages, exactly as the provider sent them (document order kept).
    pub field_errors: Vec<(String, Vec<String>)>,
    /// The HTTP status, if an answer came.
    pub http_status: Option<u16>,
    /// The provider the failing client talks to.
    pub provider: Option<Provider>,
    /// Spaaza's error name (or numeric code when it sends no name).
    pub provider_code: Option<String>,
    /// True only where trying the same call again is safe.
    pub retryable: bool,
    /// Seconds the provider asked us to wait (rate limits, maintenance).
    pub retry_after: Option<u64>,
    /// The journal entry of a journaled call that failed after its entry was written
    /// (above all `outcome_unknown`: reconcile settles it).
    pub journal_id: Option<String>,
}

impl Error {
    /// A bare error of `kind` with `message`; the builders below fill in the rest.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            field: None,
            field_errors: Vec::new(),
            http_status: None,
            provider: None,
            provider_code: None,
            retryable: matches!(kind, ErrorKind::Network | ErrorKind::RateLimited),
            retry_after: None,
            journal_id: None,
        }
    }

    /// An `invalid_request` error naming `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidRequest, message).with_field(field)
    }

    /// A caught panic or an impossible state.
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Error {
        self.field = Some(field.into());
        self
    }

    pub fn with_status(mut self, status: u16) -> Error {
        self.http_status = Some(status);
        self
    }

    pub fn with_provider(mut self, provider: Provider) -> Error {
        self.provider = Some(provider);
        self
    }

    pub fn with_retryable(mut self, retryable: bool) -> Error {
        self.retryable = retryable;
        self
    }

    pub fn with_retry_after(mut self, seconds: Option<u64>) -> Error {
        self.retry_after = seconds;
        self
    }

    pub fn with_journal_id(mut self, id: impl Into<String>) -> Error {
        self.journal_id = Some(id.into());
        self
    }

    /// A `journal` error: the journal failed; `what` says at which step.
    pub fn journal(what: impl std::fmt::Display) -> Error {
        Error::new(ErrorKind::Journal, what.to_string())
    }

    /// The error as the JSON object every binding and the CLI print:
    /// `{"kind", "message", "field", "field_errors", "http_status", "provider",
    /// "provider_code", "retryable", "retry_after", "journal_id"}` (absent values are
    /// `null`).
    pub fn to_json(&self) -> serde_json::Value {
        let field_errors: serde_json::Map<String, serde_json::Value> = self
            .field_errors
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::from(v.clone())))
            .collect();
        serde_json::json!({
            "kind": self.kind.as_str(),
            "message": self.message,
            "field": self.field,
            "field_errors": field_errors,
            "http_status": self.http_status,
            "provider": self.provider.map(Provider::as_str),
            "provider_code": self.provider_code,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
            "journal_id": self.journal_id,
        })
    }

    /// The kind's name, as in [`ErrorKind::as_str`].
    pub fn kind_str(&self) -> &'static str {
        self.kind.as_str()
    }
}

/// The result type of every voucherkit operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_name_and_code() {
        for (i, kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(kind.code() as usize, i + 1);
            assert_eq!(ErrorKind::from_name(kind.as_str()), Some(*kind));
            assert_eq!(ErrorKind::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(ErrorKind::ALL.len(), 18);
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::from_name("nope"), None);
    }

    #[test]
    fn only_network_and_rate_limits_default_to_retryable() {
        assert!(Error::new(ErrorKind::Network, "x").retryable);
        assert!(Error::new(ErrorKind::RateLimited, "x").retryable);
        assert!(!Error::new(ErrorKind::OutcomeUnknown, "x").retryable);
        assert!(!Error::invalid("voucher_no", "x").retryable);
    }
}
