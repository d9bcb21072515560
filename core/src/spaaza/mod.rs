//! The Spaaza client: redeem, unlock, unclaim, lock and claim vouchers, and read them.
//!
//! ```no_run
//! use voucherkit_core::spaaza::{RedeemVoucherRequest, Spaaza, SpaazaConfig};
//!
//! let sp = Spaaza::new(SpaazaConfig::admin(1, "session-key"))?;
//! let v = sp.redeem_voucher(&RedeemVoucherRequest {
//!     chain_id: 2,
//!     voucher_key: Some("b45069f0…".into()),
//!     amount: Some("2.00".into()),
//!     ..Default::default()
//! })?;
//! if let Some(rest) = &v.regenerated_voucher {
//!     println!("remaining {:?} on voucher {:?}", rest.voucher_amount, rest.voucher_id);
//! }
//! # Ok::<(), voucherkit_core::Error>(())
//! ```

pub(crate) mod errors;
mod journaled;
mod models;
pub(crate) mod wire;

pub use self::errors::NAMES;
pub use self::models::*;
use crate::error::{Error, Provider, Result};
use crate::journal::{self, Entry, Journal};
use crate::secret::Secret;
use crate::transport::{ClientOptions, FixedHeader, HttpClient, Outgoing, Warning};
use crate::validate;

/// Spaaza's production API.
pub const PRODUCTION_URL: &str = "https://api0.spaaza.com";

/// The API version sent when none is configured (≥ 1.5.3 is needed for the unclaim and
/// claim end-user identifiers).
pub const DEFAULT_API_VERSION: &str = "1.6.3";

/// How to reach Spaaza and who the client is.
#[derive(Clone, Debug)]
pub struct SpaazaConfig {
    pub auth: SpaazaAuth,
    /// Admin and user auth: the session's user id.
    pub session_user_id: Option<i64>,
    /// Admin and user auth: the session key (redacted in every output).
    pub session_key: Option<Secret>,
    /// User and privileged auth: `X-Spaaza-MyPrice-App-Hostname`. Never sent with admin.
    pub app_hostname: Option<String>,
    /// Privileged auth: the bearer token (redacted in every output).
    pub bearer_token: Option<Secret>,
    /// `X-Spaaza-API-Version`, default [`DEFAULT_API_VERSION`].
    pub api_version: String,
    /// Defaults to [`PRODUCTION_URL`].
    pub base_url: Option<String>,
    pub options: ClientOptions,
    /// Journal `redeem_voucher` (a snapshot read first, an entry on disk before the
    /// request leaves) and make [`Spaaza::reconcile`] possible.
    pub journal: Option<Journal>,
}

impl SpaazaConfig {
    /// An admin session: the normal till case.
    pub fn admin(session_user_id: i64, session_key: impl Into<Secret>) -> SpaazaConfig {
        SpaazaConfig {
            auth: SpaazaAuth::Admin,
            session_user_id: Some(session_user_id),
            session_key: Some(session_key.into()),
            app_hostname: None,
            bearer_token: None,
            api_version: DEFAULT_API_VERSION.to_owned(),
            base_url: None,
            options: ClientOptions::default(),
            journal: None,
        }
    }
}

/// A Spaaza client. Cheap to share: `Send + Sync`, one connection pool inside.
pub struct Spaaza {
    http: HttpClient,
    journal: Option<Journal>,
    auth: SpaazaAuth,
    api_version: wire::ApiVersion,
    /// The auth headers sent (names only: the values are secrets).
    header_names: Vec<&'static str>,
}

impl std::fmt::Debug for Spaaza {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spaaza")
            .field("http", &self.http)
            .field("auth", &self.auth)
            .field("headers", &self.header_names)
            .finish()
    }
}

const PROVIDER: Provider = Provider::Spaaza;

fn invalid(e: Error) -> Error {
    e.with_provider(PROVIDER)
}

fn refuse(field: &str, message: impl Into<String>) -> Error {
    invalid(Error::invalid(field, message))
}

impl Spaaza {
    /// Checks the configuration (nothing is sent) and builds the client.
    pub fn new(config: SpaazaConfig) -> Result<Spaaza> {
        let version = config.api_version.as_str();
        let api_version = wire::ApiVersion::parse(version).ok_or_else(|| {
            refuse(
                "api_version",
                format!("api_version must look like 1.6.3, got {version:?}"),
            )
        })?;
        let mut headers = vec![
            FixedHeader::public("accept", "application/json".to_owned(), "base_url"),
            FixedHeader::public("x-spaaza-api-version", version.to_owned(), "api_version"),
        ];
        if matches!(config.auth, SpaazaAuth::Admin | SpaazaAuth::User) {
            let user_id = config.session_user_id.ok_or_else(|| {
                refuse(
                    "session_user_id",
                    "session_user_id is required for admin and user auth",
                )
            })?;
            validate::positive_id(user_id, "session_user_id").map_err(invalid)?;
            let key = config.session_key.as_ref().ok_or_else(|| {
                refuse(
                    "session_key",
                    "session_key is required for admin and user auth",
                )
            })?;
            validate::header_value(key.expose(), "session_key").map_err(invalid)?;
            headers.push(FixedHeader::public(
                "x-spaaza-session-user-id",
                user_id.to_string(),
                "session_user_id",
            ));
            headers.push(FixedHeader::secret(
                "x-spaaza-session-key",
                key.expose().to_owned(),
                "session_key",
            ));
        }
        if config.auth == SpaazaAuth::Privileged {
            let token = config.bearer_token.as_ref().ok_or_else(|| {
                refuse(
                    "bearer_token",
                    "bearer_token is required for privileged auth",
                )
            })?;
            validate::header_value(token.expose(), "bearer_token").map_err(invalid)?;
            headers.push(FixedHeader::secret(
                "authorization",
                format!("Bearer {}", token.expose()),
                "bearer_token",
            ));
        }
        if matches!(config.auth, SpaazaAuth::User | SpaazaAuth::Privileged) {
            let host = config.app_hostname.as_deref().ok_or_else(|| {
                refuse(
                    "app_hostname",
                    format!("app_hostname is required for {} auth", config.auth.as_str()),
                )
            })?;
            validate::header_value(host, "app_hostname").map_err(invalid)?;
            headers.push(FixedHeader::public(
                "x-spaaza-myprice-app-hostname",
                host.to_owned(),
                "app_hostname",
            ));
        } else if let Some(host) = &config.app_hostname {
            // Not sent with admin auth (the seed forbids it), but still checked.
            validate::header_value(host, "app_hostname").map_err(invalid)?;
        }
        let base = config.base_url.as_deref().unwrap_or(PRODUCTION_URL);
        let header_names = headers.iter().map(|h| h.name).collect();
        let http = HttpClient::new(PROVIDER, base, &config.options, &errors::RULES, headers)?;
        Ok(Spaaza {
            http,
            journal: config.journal,
            auth: config.auth,
            api_version,
            header_names,
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

    /// Redeems a voucher, wholly (no `amount`) or partly.
    ///
    /// If this fails with `outcome_unknown`, the redeem may have happened: read the
    /// voucher with [`get_vouchers`](Spaaza::get_vouchers) before trying again.
    pub fn redeem_voucher(&self, req: &RedeemVoucherRequest) -> Result<SpaazaVoucher> {
        let out = wire::redeem_voucher_request(req, self.auth)?;
        let v = match &self.journal {
            Some(journal) => self.journaled_redeem(journal, req, &out)?,
            None => self.write(&out)?,
        };
        if let Some(status) = v.voucher_status.as_deref().filter(|s| *s != "redeemed") {
            self.http.options().warn(Warning {
                provider: PROVIDER,
                operation: "redeem-voucher",
                message: format!(
                    "Spaaza answered the redeem ok, but voucher {} is {status:?}, not \
                     \"redeemed\"; read it with get_vouchers before handing goods over",
                    v.voucher_id
                        .map_or_else(|| "?".to_owned(), |id| id.to_string())
                ),
            });
        }
        Ok(v)
    }

    /// Unlocks a locked voucher (and drops its basket tie).
    pub fn unlock_voucher(&self, req: &UnlockVoucherRequest) -> Result<SpaazaVoucher> {
        self.write(&wire::unlock_voucher_request(req, self.auth)?)
    }

    /// Takes a claimed voucher back from its end-user (`claimed` → `generated`).
    pub fn unclaim_voucher(&self, req: &ClaimRequest) -> Result<SpaazaVoucher> {
        self.write(&wire::unclaim_voucher_request(
            req,
            self.auth,
            self.api_version,
        )?)
    }

    /// Gives a voucher to an end-user (`generated` → `claimed`).
    pub fn claim_voucher(&self, req: &ClaimRequest) -> Result<SpaazaVoucher> {
        self.write(&wire::claim_voucher_request(
            req,
            self.auth,
            self.api_version,
        )?)
    }

    /// Locks a basket voucher to `retailer_basket_code` for `voucher_lock_period` seconds.
    pub fn lock_voucher(&self, req: &LockVoucherRequest) -> Result<SpaazaVoucher> {
        self.write(&wire::lock_voucher_request(req)?)
    }

    /// Reads vouchers of a chain. A read: safe to retry after any failure.
    pub fn get_vouchers(&self, req: &GetVouchersRequest) -> Result<VoucherList> {
        let answer = self
            .http
            .send(&wire::get_vouchers_request(req, self.auth)?)?;
        wire::get_vouchers_answer(&answer)
    }

    /// Every voucher `req` selects, page after page: `number_results` a page (50 when not
    /// given) from `results_offset` (0), until a short page, `results_count_total` or
    /// `max` vouchers. A failed page is yielded as the iterator's last item. Each page is
    /// one `get-vouchers` read, fetched only when the vouchers before it are used up.
    pub fn iter_vouchers(&self, req: &GetVouchersRequest, max: Option<usize>) -> VoucherPages<'_> {
        VoucherPages {
            client: self,
            req: GetVouchersRequest {
                number_results: Some(req.number_results.unwrap_or(DEFAULT_PAGE_SIZE)),
                results_offset: Some(req.results_offset.unwrap_or(0)),
                ..req.clone()
            },
            page: Vec::new().into_iter(),
            left: max,
            done: false,
        }
    }

    /// Settles this account's journal entries whose outcome is unknown (and those whose
    /// process died mid-call), by reading each voucher again: returns the entries it
    /// examined, in their state afterwards. Needs a journal (`invalid_request`, field
    /// `journal`, without one).
    pub fn reconcile(&self) -> Result<Vec<Entry>> {
        let journal = self
            .journal
            .as_ref()
            .ok_or_else(|| refuse("journal", "reconcile needs a client built with a journal"))?;
        journal::reconcile::run(
            journal,
            PROVIDER,
            self.base_url(),
            self.http.options().timeout,
            |open| self.examine(open),
        )
    }

    fn write(&self, out: &Outgoing) -> Result<SpaazaVoucher> {
        let answer = self.http.send(out)?;
        wire::voucher_answer(&answer)
    }
}

/// The page size [`Spaaza::iter_vouchers`] asks for when the request names none.
pub const DEFAULT_PAGE_SIZE: i64 = 50;

/// The vouchers of [`Spaaza::iter_vouchers`], fetched a page at a time.
pub struct VoucherPages<'a> {
    client: &'a Spaaza,
    req: GetVouchersRequest,
    page: std::vec::IntoIter<SpaazaVoucher>,
    left: Option<usize>,
    done: bool,
}

impl Iterator for VoucherPages<'_> {
    type Item = Result<SpaazaVoucher>;

    fn next(&mut self) -> Option<Result<SpaazaVoucher>> {
        if self.left == Some(0) {
            return None;
        }
        if let Some(v) = self.page.next() {
            self.left = self.left.map(|n| n - 1);
            return Some(Ok(v));
        }
        if self.done {
            return None;
        }
        let list = match self.client.get_vouchers(&self.req) {
            Ok(list) => list,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let size = self.req.number_results.unwrap_or(DEFAULT_PAGE_SIZE);
        let offset = self.req.results_offset.unwrap_or(0) + list.vouchers.len() as i64;
        let short = (list.vouchers.len() as i64) < size;
        let all = list
            .results_count_total
            .is_some_and(|total| offset >= total);
        self.done = short || all || list.vouchers.is_empty();
        self.req.results_offset = Some(offset);
        self.page = list.vouchers.into_iter();
        self.next()
    }
}
