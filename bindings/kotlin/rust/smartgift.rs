//! Smart Gift: check, hold, redeem, release, reverse.

use std::sync::Arc;
use std::time::SystemTime;

use voucherkit_core::smartgift as sg;
use voucherkit_core::{Closable, Provider};

use crate::journal::{self, Journal, JournalEntry};
use crate::logging::{RequestLogger, WarningLogger};
use crate::types::{
    AppInfo, Money, SecretString, Transport, VkResult, guard, json_text, redemption_ids,
};

const PROVIDER: Option<Provider> = Some(Provider::SmartGift);

/// How to reach Smart Gift. `null` options take the core's defaults (5 s connect,
/// 30 s per call, 2 retries, production URL, no loggers).
#[derive(Clone, Debug, uniffi::Record)]
pub struct SmartGiftConfig {
    /// Sent as `Smart-Auth`; redacted when printed.
    pub api_key: SecretString,
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<i64>,
    /// One deadline for a whole call, retries included.
    #[uniffi(default = None)]
    pub timeout_ms: Option<i64>,
    #[uniffi(default = None)]
    pub max_retries: Option<i32>,
    /// A PEM file of extra CA certificates.
    #[uniffi(default = None)]
    pub ca_bundle: Option<String>,
    /// An `http://` or `https://` (CONNECT) proxy; the environment's proxy when null.
    /// SOCKS is refused (`INVALID_REQUEST`, field `proxy`).
    #[uniffi(default = None)]
    pub proxy: Option<String>,
    /// Allow plain `http://` to hosts other than loopback.
    #[uniffi(default = false)]
    pub allow_insecure_http: bool,
    /// Pooled connections idle longer than this are not reused.
    #[uniffi(default = None)]
    pub max_idle_age_ms: Option<i64>,
    /// Idle connections kept per host for reuse, 0 to 1024; the core's default (32) when
    /// null.
    #[uniffi(default = None)]
    pub max_idle_connections: Option<i32>,
    /// The till software, appended to the User-Agent (`name/version (url)`).
    #[uniffi(default = None)]
    pub app_info: Option<AppInfo>,
    /// Sees every HTTP attempt (method, path, status, duration; never a body or a secret).
    #[uniffi(default = None)]
    pub logger: Option<Arc<dyn RequestLogger>>,
    /// Told when a call succeeds with a caveat.
    #[uniffi(default = None)]
    pub warning_logger: Option<Arc<dyn WarningLogger>>,
    /// Journals `redeem` and `reverse` (a read of the voucher first, an entry on disk
    /// before the request leaves) and enables `reconcile()`. Holds are recorded too.
    #[uniffi(default = None)]
    pub journal: Option<Arc<Journal>>,
}

// Each operation takes one request record, not one argument per field: every argument
// uniffi passes as a buffer costs a JNA crossing of its own (≈ 6 µs and two native
// allocations tracked until the next GC), so a record makes a redeem 4 crossings instead
// of 8 (a `getVouchers`, 4 instead of 19). Named-argument forms are Kotlin extensions in
// src/main/kotlin/voucherkit/Operations.kt.

/// A Smart Gift site: an integer id (`SiteId.Number(12)`) or its text (`SiteId.Text("12")`).
/// The core checks either (a positive id, non-blank text) and sends it as text. The
/// named-argument forms take a `Long` or a `String` directly.
#[derive(Clone, Debug, uniffi::Enum)]
pub enum SiteId {
    Number { id: i64 },
    Text { id: String },
}

impl From<SiteId> for sg::SiteId {
    fn from(s: SiteId) -> sg::SiteId {
        match s {
            SiteId::Number { id } => sg::SiteId::Number(id),
            SiteId::Text { id } => sg::SiteId::Text(id),
        }
    }
}

/// `check`'s arguments.
#[derive(Clone, Debug, uniffi::Record)]
pub struct CheckRequest {
    pub voucher_no: String,
    pub site_id: SiteId,
    #[uniffi(default = [])]
    pub classifications: Vec<String>,
    #[uniffi(default = [])]
    pub meta_conditions: Vec<MetaCondition>,
}

impl From<CheckRequest> for sg::CheckRequest {
    fn from(r: CheckRequest) -> sg::CheckRequest {
        sg::CheckRequest {
            voucher_no: r.voucher_no,
            site_id: r.site_id.into(),
            classifications: r.classifications,
            meta_conditions: r
                .meta_conditions
                .into_iter()
                .map(|m| sg::MetaCondition {
                    key: m.key,
                    operator: m.operator,
                    value: m.value,
                })
                .collect(),
        }
    }
}

/// `hold`'s arguments.
#[derive(Clone, Debug, uniffi::Record)]
pub struct HoldRequest {
    pub voucher_no: String,
}

/// `redeem`'s arguments: exactly one of `value` and `experiences`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct RedeemRequest {
    pub voucher_no: String,
    pub site_id: SiteId,
    #[uniffi(default = None)]
    pub value: Option<Money>,
    /// Bit values of the experiences to redeem (the core sums them).
    #[uniffi(default = None)]
    pub experiences: Option<Vec<i64>>,
    /// From `hold`: redeems under that hold.
    #[uniffi(default = None)]
    pub hold_token: Option<String>,
    /// The till's own id for the sale or basket: kept on the journal entry, never sent.
    #[uniffi(default = None)]
    pub reference: Option<String>,
}

impl From<RedeemRequest> for sg::RedeemRequest {
    fn from(r: RedeemRequest) -> sg::RedeemRequest {
        sg::RedeemRequest {
            reference: r.reference,
            voucher_no: r.voucher_no,
            site_id: r.site_id.into(),
            value: r.value.map(Money::amount),
            experiences: r.experiences,
            hold_token: r.hold_token,
        }
    }
}

/// `release`'s arguments.
#[derive(Clone, Debug, uniffi::Record)]
pub struct ReleaseRequest {
    pub voucher_no: String,
    pub hold_token: String,
}

/// `reverse`'s arguments.
#[derive(Clone, Debug, uniffi::Record)]
pub struct ReverseRequest {
    pub voucher_no: String,
    pub site_id: SiteId,
    /// Redemption ids from `redeem`.
    pub redemptions: Vec<i64>,
    /// The till's own id for the sale or basket: kept on the journal entry, never sent.
    #[uniffi(default = None)]
    pub reference: Option<String>,
}

/// One condition on a voucher's meta records for `check`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct MetaCondition {
    pub key: String,
    /// Only `"in"` is documented.
    pub operator: String,
    pub value: Vec<String>,
}

/// One experience of an experience voucher.
#[derive(Clone, Debug, uniffi::Record)]
pub struct Experience {
    /// Pass it to `redeem(experiences = …)`.
    pub bit_value: Option<i64>,
    pub id: Option<i64>,
    pub name: Option<String>,
    /// The experience object as sent (JSON).
    pub raw: String,
}

/// The answer to `check`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct SmartGiftVoucher {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub voucher_no: Option<String>,
    /// Money left (monetary), or the sum of unused experiences' bit values.
    pub remaining_value: Option<Money>,
    /// The wire `type`: `monetary` or `experience`.
    pub voucher_type: Option<String>,
    pub sold_out: Option<bool>,
    pub experiences: Vec<Experience>,
    /// Undocumented shape, as sent (JSON), or null.
    pub available_to_redeem: Option<String>,
    /// The answer's `data` object (JSON).
    pub raw: String,
}

/// The answer to `hold`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct Hold {
    pub message: String,
    /// Pass it to `release` (and optionally `redeem`).
    pub hold_token: String,
    /// When the answer arrived.
    pub received_at: SystemTime,
    /// When the hold lapses: `receivedAt` + five minutes, by this till's clock (Smart Gift
    /// documents five minutes and sends no time of its own).
    pub expires_at: SystemTime,
    /// The answer (JSON).
    pub raw: String,
}

/// The answer to `redeem`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct Redemption {
    pub message: String,
    /// Keep them: `reverse` takes them.
    pub redemptions: Vec<i64>,
    /// The answer's `data` object (JSON).
    pub raw: String,
    /// The journal entry recording this redeem (a client with a journal), else null.
    pub journal_id: Option<String>,
}

/// The answer to `release`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct Released {
    pub message: String,
    pub raw: String,
}

/// The answer to `reverse`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct Reversed {
    pub message: String,
    pub raw: String,
    /// The journal entry recording this reverse (a client with a journal), else null.
    pub journal_id: Option<String>,
}

/// A Smart Gift client. Thread-safe: share one between threads (one connection pool).
/// Every call blocks: run it off the UI thread. `close()` ends it: a later call is
/// `INVALID_REQUEST` naming `client`, as in every language.
#[derive(uniffi::Object)]
pub struct SmartGift {
    inner: Closable<sg::SmartGift>,
    // Kept apart so they still answer once the client is closed.
    base_url: String,
    user_agent: String,
}

fn voucher(v: sg::SmartGiftVoucher) -> SmartGiftVoucher {
    SmartGiftVoucher {
        id: v.id,
        name: v.name,
        description: v.description,
        voucher_no: v.voucher_no,
        remaining_value: v.remaining_value.map(Money::from_decimal),
        voucher_type: v.voucher_type,
        sold_out: v.sold_out,
        experiences: v
            .experiences
            .into_iter()
            .map(|e| Experience {
                // A bit past Long.MAX_VALUE cannot be redeemed through the core either.
                bit_value: e.bit_value.and_then(|b| i64::try_from(b).ok()),
                id: e.id,
                name: e.name,
                raw: json_text(&e.raw),
            })
            .collect(),
        available_to_redeem: v.available_to_redeem.as_ref().map(json_text),
        raw: json_text(&v.raw),
    }
}

#[uniffi::export]
impl SmartGift {
    /// Checks the configuration (nothing is sent) and builds the client.
    #[uniffi::constructor]
    pub fn new(config: SmartGiftConfig) -> VkResult<Arc<SmartGift>> {
        guard(PROVIDER, || {
            let options = Transport {
                connect_timeout_ms: config.connect_timeout_ms,
                timeout_ms: config.timeout_ms,
                max_retries: config.max_retries,
                ca_bundle: config.ca_bundle,
                proxy: config.proxy,
                allow_insecure_http: config.allow_insecure_http,
                max_idle_age_ms: config.max_idle_age_ms,
                max_idle_connections: config.max_idle_connections,
                app_info: config.app_info,
                logger: config.logger,
                warning_logger: config.warning_logger,
            }
            .options(Provider::SmartGift)?;
            let inner = sg::SmartGift::new(sg::SmartGiftConfig {
                journal: config.journal.map(|j| j.inner.clone()),
                api_key: config.api_key.into(),
                base_url: config.base_url,
                options,
            })?;
            Ok(Arc::new(SmartGift {
                base_url: inner.base_url().to_owned(),
                user_agent: inner.user_agent().to_owned(),
                inner: Closable::new(inner, Provider::SmartGift),
            }))
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The User-Agent every request carries.
    pub fn user_agent(&self) -> String {
        self.user_agent.clone()
    }

    /// Ends the client (Kotlin's `close()`, which `use {}` calls): its pooled connections
    /// close once no call in flight uses them; a later call is `INVALID_REQUEST` naming
    /// `client`. Closing twice is harmless.
    pub fn close_client(&self) {
        self.inner.close();
    }

    /// What a voucher is worth at a site. A read: safe to retry.
    pub fn check(&self, request: CheckRequest) -> VkResult<SmartGiftVoucher> {
        guard(PROVIDER, || {
            self.inner.get()?.check(&request.into()).map(voucher)
        })
    }

    /// Reserves the whole voucher for about five minutes.
    pub fn hold(&self, request: HoldRequest) -> VkResult<Hold> {
        guard(PROVIDER, || {
            let h = self.inner.get()?.hold(&sg::HoldRequest {
                voucher_no: request.voucher_no,
            })?;
            Ok(Hold {
                message: h.message,
                hold_token: h.hold_token,
                received_at: h.received_at,
                expires_at: h.expires_at,
                raw: json_text(&h.raw),
            })
        })
    }

    /// Redeems money (`value`) or experiences (their bit values): exactly one of them.
    /// On `OUTCOME_UNKNOWN` the redeem may have happened: `reconcile()` (with a journal)
    /// or `check` before trying again.
    pub fn redeem(&self, request: RedeemRequest) -> VkResult<Redemption> {
        guard(PROVIDER, || {
            let r = self.inner.get()?.redeem(&request.into())?;
            Ok(Redemption {
                message: r.message,
                redemptions: redemption_ids(r.redemptions)?,
                raw: json_text(&r.raw),
                journal_id: r.journal_id,
            })
        })
    }

    /// Gives up a hold before it expires.
    pub fn release(&self, request: ReleaseRequest) -> VkResult<Released> {
        guard(PROVIDER, || {
            let r = self.inner.get()?.release(&sg::ReleaseRequest {
                voucher_no: request.voucher_no,
                hold_token: request.hold_token,
            })?;
            Ok(Released {
                message: r.message,
                raw: json_text(&r.raw),
            })
        })
    }

    /// Undoes redemptions (each id in full).
    pub fn reverse(&self, request: ReverseRequest) -> VkResult<Reversed> {
        guard(PROVIDER, || {
            let r = self.inner.get()?.reverse(&sg::ReverseRequest {
                reference: request.reference,
                voucher_no: request.voucher_no,
                site_id: request.site_id.into(),
                redemptions: request.redemptions,
            })?;
            Ok(Reversed {
                message: r.message,
                raw: json_text(&r.raw),
                journal_id: r.journal_id,
            })
        })
    }

    /// Settles this account's journal entries whose outcome is unknown (and those whose
    /// process died mid-call) by reading each voucher again; returns the entries it
    /// examined, in their state afterwards. Run it at start-up and after any
    /// `OUTCOME_UNKNOWN`. Without a journal: `INVALID_REQUEST`, field `journal`.
    pub fn reconcile(&self) -> VkResult<Vec<JournalEntry>> {
        guard(PROVIDER, || {
            self.inner.get()?.reconcile().map(journal::entries)
        })
    }
}
