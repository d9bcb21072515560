//! The Smart Gift client: check, hold, redeem, release and reverse.
//!
//! ```no_run
//! use voucherkit_core::smartgift::{SmartGift, SmartGiftConfig, RedeemRequest};
//!
//! let sg = SmartGift::new(SmartGiftConfig::new("sk_live_…"))?;
//! let done = sg.redeem(&RedeemRequest::money("1234567890", 12, "10.00"))?;
//! println!("{} {:?}", done.message, done.redemptions);
//! # Ok::<(), voucherkit_core::Error>(())
//! ```

pub(crate) mod errors;
mod models;
pub(crate) mod wire;

use std::time::SystemTime;

pub use self::errors::MESSAGES;
pub use self::models::*;
use crate::error::{Error, Provider, Result};
use crate::secret::Secret;
use crate::transport::{ClientOptions, FixedHeader, HttpClient};
use crate::validate;

/// Smart Gift's production API.
pub const PRODUCTION_URL: &str = "https://api.smart-gift.co.uk";

/// How to reach Smart Gift.
#[derive(Clone, Debug)]
pub struct SmartGiftConfig {
    /// The secret key sent as `Smart-Auth` (redacted in every output).
    pub api_key: Secret,
    /// Defaults to [`PRODUCTION_URL`].
    pub base_url: Option<String>,
    pub options: ClientOptions,
}

impl SmartGiftConfig {
    pub fn new(api_key: impl Into<Secret>) -> SmartGiftConfig {
        SmartGiftConfig {
            api_key: api_key.into(),
            base_url: None,
            options: ClientOptions::default(),
        }
    }
}

/// A Smart Gift client. Cheap to share: `Send + Sync`, one connection pool inside.
#[derive(Debug)]
pub struct SmartGift {
    http: HttpClient,
}

const PROVIDER: Provider = Provider::SmartGift;

fn invalid(e: Error) -> Error {
    e.with_provider(PROVIDER)
}

impl SmartGift {
    /// Checks the configuration (nothing is sent) and builds the client.
    pub fn new(config: SmartGiftConfig) -> Result<SmartGift> {
        validate::header_value(config.api_key.expose(), "api_key").map_err(invalid)?;
        let base = config.base_url.as_deref().unwrap_or(PRODUCTION_URL);
        let headers = vec![
            FixedHeader::public("accept", "application/json".to_owned(), "base_url"),
            FixedHeader::secret("smart-auth", config.api_key.expose().to_owned(), "api_key"),
        ];
        let http = HttpClient::new(PROVIDER, base, &config.options, &errors::RULES, headers)?;
        Ok(SmartGift { http })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.http.base_url()
    }

    /// The User-Agent every request carries.
    pub fn user_agent(&self) -> &str {
        self.http.user_agent()
    }

    /// What a voucher is worth at a site: remaining value and redeemable experiences.
    /// A read: safe to retry after any failure.
    pub fn check(&self, req: &CheckRequest) -> Result<SmartGiftVoucher> {
        let answer = self.http.send(&wire::check_request(req)?)?;
        wire::check_answer(&answer)
    }

    /// Reserves the whole voucher for about five minutes and returns the hold token.
    pub fn hold(&self, req: &HoldRequest) -> Result<Hold> {
        let answer = self.http.send(&wire::hold_request(req)?)?;
        wire::hold_answer(&answer, SystemTime::now())
    }

    /// Redeems money (`value`) or experiences (their bit values) from a voucher.
    ///
    /// If this fails with `outcome_unknown`, the redeem may have happened: call
    /// [`check`](SmartGift::check) and compare `remaining_value` before redeeming again.
    pub fn redeem(&self, req: &RedeemRequest) -> Result<Redemption> {
        let answer = self.http.send(&wire::redeem_request(req)?)?;
        wire::redeem_answer(&answer)
    }

    /// Gives up a hold before its five minutes run out.
    pub fn release(&self, req: &ReleaseRequest) -> Result<Released> {
        let answer = self.http.send(&wire::release_request(req)?)?;
        wire::release_answer(&answer)
    }

    /// Undoes redemptions (each id in full).
    pub fn reverse(&self, req: &ReverseRequest) -> Result<Reversed> {
        let answer = self.http.send(&wire::reverse_request(req)?)?;
        wire::reverse_answer(&answer)
    }
}
