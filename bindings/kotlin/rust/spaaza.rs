//! Spaaza: redeem, unlock, unclaim, lock and claim vouchers, and read them.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, mpsc};

use voucherkit_core as vk;
use voucherkit_core::spaaza as sp;
use voucherkit_core::{Closable, Provider};

use crate::journal::{self, Journal, JournalEntry};
use crate::logging::{RequestLogger, WarningLogger};
use crate::types::{AppInfo, Money, SecretString, Transport, VkResult, guard, json_text};

const PROVIDER: Option<Provider> = Some(Provider::Spaaza);

/// How a Spaaza client authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum SpaazaAuth {
    /// An admin session (`sessionUserId` + `sessionKey`): the till case.
    Admin,
    /// An end-user session; also sends `appHostname`.
    User,
    /// `bearerToken` plus `appHostname`.
    Privileged,
}

impl From<SpaazaAuth> for sp::SpaazaAuth {
    fn from(a: SpaazaAuth) -> sp::SpaazaAuth {
        match a {
            SpaazaAuth::Admin => sp::SpaazaAuth::Admin,
            SpaazaAuth::User => sp::SpaazaAuth::User,
            SpaazaAuth::Privileged => sp::SpaazaAuth::Privileged,
        }
    }
}

/// How to reach Spaaza and who the client is. `null` options take the core's defaults.
#[derive(Clone, Debug, uniffi::Record)]
pub struct SpaazaConfig {
    /// Admin and user auth: the session's user id.
    #[uniffi(default = None)]
    pub session_user_id: Option<i64>,
    /// Admin and user auth: the session key; redacted when printed.
    #[uniffi(default = None)]
    pub session_key: Option<SecretString>,
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    /// `X-Spaaza-API-Version`; the core's default (1.6.3) when null.
    #[uniffi(default = None)]
    pub api_version: Option<String>,
    /// Admin when null.
    #[uniffi(default = None)]
    pub auth: Option<SpaazaAuth>,
    /// User and privileged auth: `X-Spaaza-MyPrice-App-Hostname` (never sent with admin).
    #[uniffi(default = None)]
    pub app_hostname: Option<String>,
    /// Privileged auth; redacted when printed.
    #[uniffi(default = None)]
    pub bearer_token: Option<SecretString>,
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<i64>,
    /// One deadline for a whole call, retries included.
    #[uniffi(default = None)]
    pub timeout_ms: Option<i64>,
    #[uniffi(default = None)]
    pub max_retries: Option<i32>,
    #[uniffi(default = None)]
    pub ca_bundle: Option<String>,
    #[uniffi(default = None)]
    pub proxy: Option<String>,
    #[uniffi(default = false)]
    pub allow_insecure_http: bool,
    #[uniffi(default = None)]
    pub max_idle_age_ms: Option<i64>,
    /// Idle connections kept per host for reuse, 0 to 1024; 32 when null.
    #[uniffi(default = None)]
    pub max_idle_connections: Option<i32>,
    /// The till software, appended to the User-Agent (`name/version (url)`).
    #[uniffi(default = None)]
    pub app_info: Option<AppInfo>,
    /// Sees every HTTP attempt (method, path, status, duration; never a body or a secret).
    #[uniffi(default = None)]
    pub logger: Option<Arc<dyn RequestLogger>>,
    /// Told when a call succeeds with a caveat (a redeem answered "ok" whose voucher is
    /// not `redeemed`).
    #[uniffi(default = None)]
    pub warning_logger: Option<Arc<dyn WarningLogger>>,
    /// Journals `redeemVoucher` (which then needs `voucherId`) and enables `reconcile()`.
    #[uniffi(default = None)]
    pub journal: Option<Arc<Journal>>,
}

// One request record per operation (see smartgift.rs for why: JNA crossings).

/// `redeemVoucher`'s arguments.
#[derive(Clone, Debug, uniffi::Record)]
pub struct RedeemVoucherRequest {
    pub chain_id: i64,
    #[uniffi(default = None)]
    pub voucher_key: Option<String>,
    #[uniffi(default = None)]
    pub voucher_id: Option<i64>,
    #[uniffi(default = None)]
    pub user_id: Option<i64>,
    /// A partial redeem; the whole voucher when null.
    #[uniffi(default = None)]
    pub amount: Option<Money>,
    /// The till's own id for the sale or basket: kept on the journal entry, never sent.
    #[uniffi(default = None)]
    pub reference: Option<String>,
}

/// `unlockVoucher`'s arguments.
#[derive(Clone, Debug, uniffi::Record)]
pub struct UnlockVoucherRequest {
    #[uniffi(default = None)]
    pub voucher_key: Option<String>,
    #[uniffi(default = None)]
    pub voucher_id: Option<i64>,
}

/// `claimVoucher`'s and `unclaimVoucher`'s arguments: one voucher identifier; under admin
/// or privileged auth one end-user identifier (admin also needs `chainId`).
#[derive(Clone, Debug, uniffi::Record)]
pub struct ClaimRequest {
    #[uniffi(default = None)]
    pub chain_id: Option<i64>,
    #[uniffi(default = None)]
    pub voucher_key: Option<String>,
    #[uniffi(default = None)]
    pub voucher_id: Option<i64>,
    #[uniffi(default = None)]
    pub third_party_id: Option<i64>,
    #[uniffi(default = None)]
    pub user_id: Option<i64>,
    #[uniffi(default = None)]
    pub member_number: Option<String>,
    #[uniffi(default = None)]
    pub username: Option<String>,
    #[uniffi(default = None)]
    pub authentication_point_identifier: Option<String>,
    #[uniffi(default = None)]
    pub auxiliary_identifier: Option<String>,
}

impl From<ClaimRequest> for sp::ClaimRequest {
    fn from(r: ClaimRequest) -> sp::ClaimRequest {
        sp::ClaimRequest {
            chain_id: r.chain_id,
            voucher_key: r.voucher_key,
            voucher_id: r.voucher_id,
            third_party_id: r.third_party_id,
            user_id: r.user_id,
            member_number: r.member_number,
            username: r.username,
            authentication_point_identifier: r.authentication_point_identifier,
            auxiliary_identifier: r.auxiliary_identifier,
        }
    }
}

/// `lockVoucher`'s arguments.
#[derive(Clone, Debug, uniffi::Record)]
pub struct LockVoucherRequest {
    pub retailer_basket_code: String,
    #[uniffi(default = None)]
    pub voucher_key: Option<String>,
    #[uniffi(default = None)]
    pub voucher_id: Option<i64>,
    /// Seconds; the core's 300 when null.
    #[uniffi(default = None)]
    pub voucher_lock_period: Option<i64>,
    #[uniffi(default = None)]
    pub voucher_locking_code: Option<String>,
}

/// `getVouchers`' arguments: the chain and optional filters.
#[derive(Clone, Debug, uniffi::Record)]
pub struct GetVouchersRequest {
    pub chain_id: i64,
    #[uniffi(default = None)]
    pub voucher_id: Option<i64>,
    #[uniffi(default = None)]
    pub user_id: Option<i64>,
    #[uniffi(default = None)]
    pub username: Option<String>,
    #[uniffi(default = None)]
    pub member_number: Option<String>,
    #[uniffi(default = None)]
    pub authentication_point_identifier: Option<String>,
    #[uniffi(default = None)]
    pub campaign_id: Option<i64>,
    #[uniffi(default = false)]
    pub show_all_statuses: bool,
    #[uniffi(default = false)]
    pub show_redeemed: bool,
    #[uniffi(default = false)]
    pub show_expired: bool,
    #[uniffi(default = false)]
    pub exclude_regenerated: bool,
    #[uniffi(default = None)]
    pub number_results: Option<i64>,
    #[uniffi(default = None)]
    pub results_offset: Option<i64>,
    #[uniffi(default = None)]
    pub min_created_datetime: Option<String>,
    #[uniffi(default = None)]
    pub max_created_datetime: Option<String>,
    #[uniffi(default = None)]
    pub min_expiry_datetime: Option<String>,
    #[uniffi(default = None)]
    pub max_expiry_datetime: Option<String>,
    #[uniffi(default = None)]
    pub min_redeemed_datetime: Option<String>,
    #[uniffi(default = None)]
    pub max_redeemed_datetime: Option<String>,
}

impl From<GetVouchersRequest> for sp::GetVouchersRequest {
    fn from(r: GetVouchersRequest) -> sp::GetVouchersRequest {
        sp::GetVouchersRequest {
            chain_id: r.chain_id,
            voucher_id: r.voucher_id,
            user_id: r.user_id,
            username: r.username,
            member_number: r.member_number,
            authentication_point_identifier: r.authentication_point_identifier,
            campaign_id: r.campaign_id,
            show_all_statuses: r.show_all_statuses,
            show_redeemed: r.show_redeemed,
            show_expired: r.show_expired,
            exclude_regenerated: r.exclude_regenerated,
            number_results: r.number_results,
            results_offset: r.results_offset,
            min_created_datetime: r.min_created_datetime,
            max_created_datetime: r.max_created_datetime,
            min_expiry_datetime: r.min_expiry_datetime,
            max_expiry_datetime: r.max_expiry_datetime,
            min_redeemed_datetime: r.min_redeemed_datetime,
            max_redeemed_datetime: r.max_redeemed_datetime,
        }
    }
}

/// A warning riding on an ok answer.
#[derive(Clone, Debug, uniffi::Record)]
pub struct SpaazaWarning {
    pub code: Option<i64>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub message: Option<String>,
}

/// A Spaaza voucher, as every voucher operation returns it.
#[derive(Clone, Debug, uniffi::Record)]
pub struct SpaazaVoucher {
    pub voucher_key: Option<String>,
    pub voucher_id: Option<i64>,
    /// `generated`, `claimed` or `redeemed`.
    pub voucher_status: Option<String>,
    pub voucher_type: Option<String>,
    pub voucher_locked: Option<bool>,
    pub voucher_locked_until: Option<String>,
    pub voucher_locking_code: Option<String>,
    pub voucher_retailer_basket_code_exclusive: Option<String>,
    pub voucher_amount_original: Option<Money>,
    pub voucher_amount_redeemed: Option<Money>,
    pub voucher_amount: Option<Money>,
    pub voucher_currency_id: Option<i64>,
    pub voucher_currency_symbol: Option<String>,
    pub voucher_expiry_datetime_utc: Option<String>,
    pub voucher_redeemed_datetime: Option<String>,
    /// Seconds until the voucher expires, as Spaaza counted when it answered.
    pub voucher_expiry_seconds_remaining: Option<i64>,
    pub user_id: Option<i64>,
    /// The end-user's card the voucher names.
    pub user_entity_card: Option<EntityCard>,
    pub voucher_third_party_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub campaign_title: Option<String>,
    /// `signup`, `basket`, … (kept as sent).
    pub campaign_type: Option<String>,
    /// After a partial redeem: the new voucher holding the remainder.
    pub regenerated_voucher: Option<Box<SpaazaVoucher>>,
    /// On a regenerated voucher: the voucher it came from (a summary: id and amounts).
    pub parent_voucher: Option<Box<SpaazaVoucher>>,
    pub warnings: Vec<SpaazaWarning>,
    /// The voucher object as sent (JSON).
    pub raw: String,
    /// The journal entry recording this redeem (`redeemVoucher` on a client with a
    /// journal), else null.
    pub journal_id: Option<String>,
}

/// An end-user's card as a voucher names it.
#[derive(Clone, Debug, uniffi::Record)]
pub struct EntityCard {
    /// `regular`, `custom`, … (the wire `type`).
    pub card_type: Option<String>,
    pub code: Option<String>,
}

/// The answer to `getVouchers`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct VoucherList {
    pub results_count_total: Option<i64>,
    pub vouchers: Vec<SpaazaVoucher>,
    pub warnings: Vec<SpaazaWarning>,
    /// The `results` object as sent (JSON).
    pub raw: String,
}

fn warnings(ws: Vec<sp::SpaazaWarning>) -> Vec<SpaazaWarning> {
    ws.into_iter()
        .map(|w| SpaazaWarning {
            code: w.code,
            name: w.name,
            description: w.description,
            message: w.message,
        })
        .collect()
}

fn voucher(v: sp::SpaazaVoucher) -> SpaazaVoucher {
    SpaazaVoucher {
        voucher_key: v.voucher_key,
        voucher_id: v.voucher_id,
        voucher_status: v.voucher_status,
        voucher_type: v.voucher_type,
        voucher_locked: v.voucher_locked,
        voucher_locked_until: v.voucher_locked_until,
        voucher_locking_code: v.voucher_locking_code,
        voucher_retailer_basket_code_exclusive: v.voucher_retailer_basket_code_exclusive,
        voucher_amount_original: v.voucher_amount_original.map(Money::from_decimal),
        voucher_amount_redeemed: v.voucher_amount_redeemed.map(Money::from_decimal),
        voucher_amount: v.voucher_amount.map(Money::from_decimal),
        voucher_currency_id: v.voucher_currency_id,
        voucher_currency_symbol: v.voucher_currency_symbol,
        voucher_expiry_datetime_utc: v.voucher_expiry_datetime_utc,
        voucher_redeemed_datetime: v.voucher_redeemed_datetime,
        voucher_expiry_seconds_remaining: v.voucher_expiry_seconds_remaining,
        user_id: v.user_id,
        user_entity_card: v.user_entity_card.map(|c| EntityCard {
            card_type: c.card_type,
            code: c.code,
        }),
        voucher_third_party_id: v.voucher_third_party_id,
        campaign_id: v.campaign_id,
        campaign_title: v.campaign_title,
        campaign_type: v.campaign_type,
        regenerated_voucher: v.regenerated_voucher.map(|r| Box::new(voucher(*r))),
        parent_voucher: v.parent_voucher.map(|p| Box::new(voucher(*p))),
        warnings: warnings(v.warnings),
        raw: json_text(&v.raw),
        journal_id: v.journal_id,
    }
}

/// A Spaaza client. Thread-safe: share one between threads (one connection pool).
/// Every call blocks: run it off the UI thread. `close()` ends it: a later call is
/// `INVALID_REQUEST` naming `client`, as in every language.
#[derive(uniffi::Object)]
pub struct Spaaza {
    // A call's `Arc` is shared with the worker thread of a `VoucherPager`.
    inner: Closable<sp::Spaaza>,
    // Kept apart so they still answer once the client is closed.
    base_url: String,
    user_agent: String,
}

#[uniffi::export]
impl Spaaza {
    /// Checks the configuration (nothing is sent) and builds the client.
    #[uniffi::constructor]
    pub fn new(config: SpaazaConfig) -> VkResult<Arc<Spaaza>> {
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
            .options(Provider::Spaaza)?;
            let inner = sp::Spaaza::new(sp::SpaazaConfig {
                journal: config.journal.map(|j| j.inner.clone()),
                auth: config.auth.map(Into::into).unwrap_or_default(),
                session_user_id: config.session_user_id,
                session_key: config.session_key.map(Into::into),
                app_hostname: config.app_hostname,
                bearer_token: config.bearer_token.map(Into::into),
                api_version: config
                    .api_version
                    .unwrap_or_else(|| sp::DEFAULT_API_VERSION.to_owned()),
                base_url: config.base_url,
                options,
            })?;
            Ok(Arc::new(Spaaza {
                base_url: inner.base_url().to_owned(),
                user_agent: inner.user_agent().to_owned(),
                inner: Closable::new(inner, Provider::Spaaza),
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
    /// close once no call in flight (or open voucher iteration) uses them; a later call is
    /// `INVALID_REQUEST` naming `client`. Closing twice is harmless.
    pub fn close_client(&self) {
        self.inner.close();
    }

    /// Redeems a voucher wholly (no `amount`) or partly (the rest comes back as
    /// `regeneratedVoucher`). Exactly one of `voucherKey` / `voucherId` (with a journal,
    /// `voucherId` is required). On `OUTCOME_UNKNOWN` the redeem may have happened:
    /// `reconcile()` (with a journal) or `getVouchers` before retrying.
    pub fn redeem_voucher(&self, request: RedeemVoucherRequest) -> VkResult<SpaazaVoucher> {
        guard(PROVIDER, || {
            self.inner
                .get()?
                .redeem_voucher(&sp::RedeemVoucherRequest {
                    reference: request.reference,
                    chain_id: request.chain_id,
                    voucher_key: request.voucher_key,
                    voucher_id: request.voucher_id,
                    user_id: request.user_id,
                    amount: request.amount.map(Money::amount),
                })
                .map(voucher)
        })
    }

    /// Unlocks a locked voucher. Both identifiers may be given: only the key is sent.
    pub fn unlock_voucher(&self, request: UnlockVoucherRequest) -> VkResult<SpaazaVoucher> {
        guard(PROVIDER, || {
            self.inner
                .get()?
                .unlock_voucher(&sp::UnlockVoucherRequest {
                    voucher_key: request.voucher_key,
                    voucher_id: request.voucher_id,
                })
                .map(voucher)
        })
    }

    /// Takes a claimed voucher back from its end-user.
    pub fn unclaim_voucher(&self, request: ClaimRequest) -> VkResult<SpaazaVoucher> {
        guard(PROVIDER, || {
            self.inner
                .get()?
                .unclaim_voucher(&request.into())
                .map(voucher)
        })
    }

    /// Gives a voucher to an end-user.
    pub fn claim_voucher(&self, request: ClaimRequest) -> VkResult<SpaazaVoucher> {
        guard(PROVIDER, || {
            self.inner
                .get()?
                .claim_voucher(&request.into())
                .map(voucher)
        })
    }

    /// Locks a basket voucher to `retailerBasketCode` for `voucherLockPeriod` seconds
    /// (the core's 300 when null). Exactly one of `voucherKey` / `voucherId`.
    pub fn lock_voucher(&self, request: LockVoucherRequest) -> VkResult<SpaazaVoucher> {
        guard(PROVIDER, || {
            self.inner
                .get()?
                .lock_voucher(&sp::LockVoucherRequest {
                    voucher_key: request.voucher_key,
                    voucher_id: request.voucher_id,
                    retailer_basket_code: request.retailer_basket_code,
                    voucher_lock_period: request.voucher_lock_period,
                    voucher_locking_code: request.voucher_locking_code,
                })
                .map(voucher)
        })
    }

    /// Reads a chain's vouchers, e.g. to reconcile after `OUTCOME_UNKNOWN`. A read: safe
    /// to retry.
    pub fn get_vouchers(&self, request: GetVouchersRequest) -> VkResult<VoucherList> {
        guard(PROVIDER, || {
            let list = self.inner.get()?.get_vouchers(&request.into())?;
            Ok(VoucherList {
                results_count_total: list.results_count_total,
                vouchers: list.vouchers.into_iter().map(voucher).collect(),
                warnings: warnings(list.warnings),
                raw: json_text(&list.raw),
            })
        })
    }

    /// Every voucher `request` selects, a page at a time (see [`VoucherPager`]); at most
    /// `max` of them when given. `Spaaza.vouchers(…)` in Kotlin makes it a `Sequence`.
    pub fn iter_vouchers(
        &self,
        request: GetVouchersRequest,
        max: Option<i64>,
    ) -> VkResult<Arc<VoucherPager>> {
        guard(PROVIDER, || {
            // Long → usize: only a negative count cannot be converted.
            let max = max
                .map(|n| {
                    usize::try_from(n).map_err(|_| {
                        vk::Error::invalid("max", format!("max must not be negative, got {n}"))
                            .with_provider(Provider::Spaaza)
                    })
                })
                .transpose()?;
            Ok(Arc::new(VoucherPager::start(
                self.inner.get()?,
                request.into(),
                max,
            )))
        })
    }

    /// Settles this account's journal entries whose outcome is unknown (and those whose
    /// process died mid-call) by reading each voucher again; returns the entries it
    /// examined, in their state afterwards. Without a journal: `INVALID_REQUEST`, field
    /// `journal`.
    pub fn reconcile(&self) -> VkResult<Vec<JournalEntry>> {
        guard(PROVIDER, || {
            self.inner.get()?.reconcile().map(journal::entries)
        })
    }
}

/// Every voucher a `getVouchers` request selects, page after page (the core's
/// `Spaaza::iter_vouchers`: `numberResults` a page, 50 when null; it stops at a short page,
/// `resultsCountTotal` or `max`). Kotlin reads it as a `Sequence` (`Spaaza.vouchers(…)` in
/// Operations.kt). A page is read only when the vouchers before it are used up; a failed
/// page is thrown by the `next()` that needed it, and ends the walk.
///
/// The core's iterator borrows its client, so it lives on a worker thread of its own that
/// holds the client; each `next()` asks it for one voucher and waits. Request loggers are
/// therefore called on that thread. Closing the pager (or dropping it) ends the thread.
#[derive(Debug, uniffi::Object)]
pub struct VoucherPager {
    link: Mutex<Option<PagerLink>>,
}

#[derive(Debug)]
struct PagerLink {
    ask: mpsc::SyncSender<()>,
    answers: mpsc::Receiver<Option<vk::Result<sp::SpaazaVoucher>>>,
}

impl VoucherPager {
    fn start(
        client: Arc<sp::Spaaza>,
        request: sp::GetVouchersRequest,
        max: Option<usize>,
    ) -> VoucherPager {
        let (ask, asked) = mpsc::sync_channel::<()>(0);
        let (answer, answers) = mpsc::sync_channel(1);
        std::thread::spawn(move || {
            let mut vouchers = client.iter_vouchers(&request, max);
            // Each demand yields one item; a dropped pager ends the loop.
            while asked.recv().is_ok() {
                let item =
                    catch_unwind(AssertUnwindSafe(|| vouchers.next())).unwrap_or_else(|_| {
                        Some(Err(vk::Error::internal(
                            "voucherkit bug: a panic while paging",
                        )
                        .with_provider(Provider::Spaaza)))
                    });
                let end = !matches!(item, Some(Ok(_)));
                if answer.send(item).is_err() || end {
                    break;
                }
            }
        });
        VoucherPager {
            link: Mutex::new(Some(PagerLink { ask, answers })),
        }
    }
}

#[uniffi::export]
impl VoucherPager {
    /// The next voucher, or null once every one has been returned.
    pub fn next(&self) -> VkResult<Option<SpaazaVoucher>> {
        guard(PROVIDER, || {
            let mut link = self.link.lock().unwrap_or_else(|p| p.into_inner());
            let Some(l) = link.as_ref() else {
                return Ok(None);
            };
            let item = match l.ask.send(()) {
                Ok(()) => l.answers.recv().ok().flatten(),
                Err(_) => None,
            };
            match item {
                Some(Ok(v)) => Ok(Some(voucher(v))),
                other => {
                    // The walk is over: forget the worker (it has ended or ends now).
                    *link = None;
                    other.transpose().map(|_| None)
                }
            }
        })
    }
}
