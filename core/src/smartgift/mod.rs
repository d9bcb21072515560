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
mod journaled;
mod models;
pub(crate) mod wire;

use std::time::SystemTime;

pub use self::errors::MESSAGES;
pub use self::models::*;
use crate::error::{Error, Provider, Result};
use crate::journal::{self, Entry, Journal};
use crate::secret::Secret;
use crate::transport::{ClientOptions, FixedHeader, HttpClient, Warning};
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
    /// Journal `redeem` and `reverse` (a snapshot read first, an entry on disk before the
    /// request leaves) and make [`SmartGift::reconcile`] possible.
    pub journal: Option<Journal>,
}

impl SmartGiftConfig {
    pub fn new(api_key: impl Into<Secret>) -> SmartGiftConfig {
        SmartGiftConfig {
            api_key: api_key.into(),
            base_url: None,
            options: ClientOptions::default(),
            journal: None,
        }
    }
}

/// A Smart Gift client. Cheap to share: `Send + Sync`, one connection pool inside.
#[derive(Debug)]
pub struct SmartGift {
    http: HttpClient,
    journal: Option<Journal>,
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
        Ok(SmartGift {
            http,
            journal: config.journal,
        })
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
    /// A journaled client records the hold, so reconcile knows a redeem made under it.
    pub fn hold(&self, req: &HoldRequest) -> Result<Hold> {
        let answer = self.http.send(&wire::hold_request(req)?)?;
        let hold = wire::hold_answer(&answer, SystemTime::now())?;
        if let Some(journal) = &self.journal {
            self.note_journal_failure(journal.record_hold(
                self.base_url(),
                &req.voucher_no,
                &hold.hold_token,
                hold.received_at,
            ));
        }
        Ok(hold)
    }

    /// Redeems money (`value`) or experiences (their bit values) from a voucher.
    ///
    /// If this fails with `outcome_unknown`, the redeem may have happened. With a journal,
    /// [`reconcile`](SmartGift::reconcile) settles it; without one, call
    /// [`check`](SmartGift::check) and compare `remaining_value` before redeeming again.
    pub fn redeem(&self, req: &RedeemRequest) -> Result<Redemption> {
        let out = wire::redeem_request(req)?;
        match &self.journal {
            Some(journal) => self.journaled_redeem(journal, req, &out),
            None => wire::redeem_answer(&self.http.send(&out)?),
        }
    }

    /// Gives up a hold before its five minutes run out.
    pub fn release(&self, req: &ReleaseRequest) -> Result<Released> {
        let answer = self.http.send(&wire::release_request(req)?)?;
        let released = wire::release_answer(&answer)?;
        if let Some(journal) = &self.journal {
            self.note_journal_failure(journal.release_hold(
                self.base_url(),
                &req.voucher_no,
                &req.hold_token,
            ));
        }
        Ok(released)
    }

    /// Undoes redemptions (each id in full). Journaled like `redeem`.
    pub fn reverse(&self, req: &ReverseRequest) -> Result<Reversed> {
        let out = wire::reverse_request(req)?;
        match &self.journal {
            Some(journal) => self.journaled_reverse(journal, req, &out),
            None => wire::reverse_answer(&self.http.send(&out)?),
        }
    }

    /// Settles this account's journal entries whose outcome is unknown (and those whose
    /// process died mid-call), by reading each voucher again: returns the entries it
    /// examined, in their state afterwards. Needs a journal (`invalid_request`, field
    /// `journal`, without one).
    pub fn reconcile(&self) -> Result<Vec<Entry>> {
        let journal = self.journal.as_ref().ok_or_else(|| {
            invalid(Error::invalid(
                "journal",
                "reconcile needs a client built with a journal",
            ))
        })?;
        journal::reconcile::run(
            journal,
            PROVIDER,
            self.base_url(),
            self.http.options().timeout,
            |open| self.examine(journal, open),
        )
    }

    /// A journal step that failed after the provider answered: the call's own outcome
    /// stands, reconcile will settle the entry, and the till hears about it.
    fn note_journal_failure(&self, outcome: Result<()>) {
        if let Err(e) = outcome {
            self.http.options().warn(Warning {
                provider: PROVIDER,
                operation: "journal",
                message: e.message,
            });
        }
    }
}
