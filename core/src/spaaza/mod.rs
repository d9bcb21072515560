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

mod errors;
mod models;

use serde_json::{Map, Value};

pub use self::errors::NAMES;
pub use self::models::*;
use crate::answer;
use crate::error::{Error, Provider, Result};
use crate::money;
use crate::secret::Secret;
use crate::transport::{ClientOptions, Effect, HttpClient, Incoming, Method, Outgoing};
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
        }
    }
}

/// A Spaaza client. Cheap to share: `Send + Sync`, one connection pool inside.
pub struct Spaaza {
    http: HttpClient,
    auth: SpaazaAuth,
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

/// Form fields in the order they are sent.
struct Form(form_urlencoded::Serializer<'static, String>);

impl Form {
    fn new() -> Form {
        Form(form_urlencoded::Serializer::new(String::new()))
    }

    fn put(&mut self, key: &str, value: impl ToString) -> &mut Form {
        self.0.append_pair(key, &value.to_string());
        self
    }

    fn put_opt(&mut self, key: &str, value: Option<impl ToString>) -> &mut Form {
        if let Some(v) = value {
            self.put(key, v);
        }
        self
    }

    fn put_flag(&mut self, key: &str, on: bool) -> &mut Form {
        if on {
            self.put(key, "true");
        }
        self
    }

    fn finish(&mut self) -> String {
        self.0.finish()
    }
}

impl Spaaza {
    /// Checks the configuration (nothing is sent) and builds the client.
    pub fn new(config: SpaazaConfig) -> Result<Spaaza> {
        let version = config.api_version.as_str();
        let parts: Vec<&str> = version.split('.').collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(refuse(
                "api_version",
                format!("api_version must look like 1.6.3, got {version:?}"),
            ));
        }
        let mut headers = vec![
            ("accept", "application/json".to_owned(), false),
            ("x-spaaza-api-version", version.to_owned(), false),
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
            headers.push(("x-spaaza-session-user-id", user_id.to_string(), false));
            headers.push(("x-spaaza-session-key", key.expose().to_owned(), true));
        }
        if config.auth == SpaazaAuth::Privileged {
            let token = config.bearer_token.as_ref().ok_or_else(|| {
                refuse(
                    "bearer_token",
                    "bearer_token is required for privileged auth",
                )
            })?;
            validate::header_value(token.expose(), "bearer_token").map_err(invalid)?;
            headers.push(("authorization", format!("Bearer {}", token.expose()), true));
        }
        if matches!(config.auth, SpaazaAuth::User | SpaazaAuth::Privileged) {
            let host = config.app_hostname.as_deref().ok_or_else(|| {
                refuse(
                    "app_hostname",
                    format!("app_hostname is required for {} auth", config.auth.as_str()),
                )
            })?;
            validate::header_value(host, "app_hostname").map_err(invalid)?;
            headers.push(("x-spaaza-myprice-app-hostname", host.to_owned(), false));
        } else if let Some(host) = &config.app_hostname {
            // Not sent with admin auth (the seed forbids it), but still checked.
            validate::header_value(host, "app_hostname").map_err(invalid)?;
        }
        let base = config.base_url.as_deref().unwrap_or(PRODUCTION_URL);
        let header_names = headers.iter().map(|(name, _, _)| *name).collect();
        let http = HttpClient::new(PROVIDER, base, &config.options, headers)?;
        Ok(Spaaza {
            http,
            auth: config.auth,
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
        self.allow(
            &[SpaazaAuth::Admin, SpaazaAuth::Privileged],
            "redeem-voucher",
        )?;
        let mut form = Form::new();
        voucher_key_or_id(&mut form, &req.voucher_key, req.voucher_id)?;
        form.put("chain_id", id(req.chain_id, "chain_id")?);
        form.put_opt("user_id", opt_id(req.user_id, "user_id")?);
        if let Some(amount) = &req.amount {
            form.put(
                "amount",
                money::validate_amount(amount, "amount").map_err(invalid)?,
            );
        }
        let v = self.write(Method::Post, "/auth/redeem-voucher", form.finish())?;
        if v.voucher_status.as_deref().is_some_and(|s| s != "redeemed") {
            log::warn!(
                "spaaza redeem-voucher answered ok with voucher_status {:?}",
                v.voucher_status
            );
        }
        Ok(v)
    }

    /// Unlocks a locked voucher (and drops its basket tie).
    pub fn unlock_voucher(&self, req: &UnlockVoucherRequest) -> Result<SpaazaVoucher> {
        self.allow(
            &[SpaazaAuth::Admin, SpaazaAuth::Privileged],
            "unlock-voucher",
        )?;
        let mut form = Form::new();
        match (&req.voucher_key, req.voucher_id) {
            (Some(key), _) => {
                form.put(
                    "voucher_key",
                    validate::text(key, "voucher_key").map_err(invalid)?,
                );
                if let Some(vid) = req.voucher_id {
                    id(vid, "voucher_id")?;
                }
            }
            (None, Some(vid)) => {
                form.put("voucher_id", id(vid, "voucher_id")?);
            }
            (None, None) => {
                return Err(refuse(
                    "voucher_key",
                    "unlock-voucher: give voucher_key or voucher_id",
                ));
            }
        }
        self.write(Method::Post, "/unlock-voucher", form.finish())
    }

    /// Takes a claimed voucher back from its end-user (`claimed` → `generated`).
    pub fn unclaim_voucher(&self, req: &ClaimRequest) -> Result<SpaazaVoucher> {
        let body = self.claim_form(req, "unclaim-voucher")?;
        self.write(Method::Post, "/unclaim-voucher", body)
    }

    /// Gives a voucher to an end-user (`generated` → `claimed`).
    pub fn claim_voucher(&self, req: &ClaimRequest) -> Result<SpaazaVoucher> {
        let body = self.claim_form(req, "claim-voucher")?;
        self.write(Method::Post, "/claim-voucher", body)
    }

    /// Locks a basket voucher to `retailer_basket_code` for `voucher_lock_period` seconds.
    pub fn lock_voucher(&self, req: &LockVoucherRequest) -> Result<SpaazaVoucher> {
        let mut form = Form::new();
        voucher_key_or_id(&mut form, &req.voucher_key, req.voucher_id)?;
        let basket =
            validate::text(&req.retailer_basket_code, "retailer_basket_code").map_err(invalid)?;
        form.put("retailer_basket_code", basket);
        let period = req.voucher_lock_period.unwrap_or(DEFAULT_LOCK_PERIOD);
        form.put("voucher_lock_period", id(period, "voucher_lock_period")?);
        form.put_opt(
            "voucher_locking_code",
            validate::opt_text(req.voucher_locking_code.as_deref(), "voucher_locking_code")
                .map_err(invalid)?,
        );
        self.write(Method::Put, "/lock-voucher", form.finish())
    }

    /// Reads vouchers of a chain. A read: safe to retry after any failure.
    pub fn get_vouchers(&self, req: &GetVouchersRequest) -> Result<VoucherList> {
        self.allow(&[SpaazaAuth::Admin, SpaazaAuth::Privileged], "get-vouchers")?;
        let mut q = Form::new();
        q.put("chain_id", id(req.chain_id, "chain_id")?);
        q.put_opt("voucher_id", opt_id(req.voucher_id, "voucher_id")?);
        q.put_opt("user_id", opt_id(req.user_id, "user_id")?);
        for (key, value) in [
            ("username", &req.username),
            ("member_number", &req.member_number),
            (
                "authentication_point_identifier",
                &req.authentication_point_identifier,
            ),
        ] {
            q.put_opt(
                key,
                validate::opt_text(value.as_deref(), key).map_err(invalid)?,
            );
        }
        q.put_opt("campaign_id", opt_id(req.campaign_id, "campaign_id")?);
        q.put_flag("show_all_statuses", req.show_all_statuses)
            .put_flag("show_redeemed", req.show_redeemed)
            .put_flag("show_expired", req.show_expired)
            .put_flag("exclude_regenerated", req.exclude_regenerated);
        q.put_opt(
            "number_results",
            opt_id(req.number_results, "number_results")?,
        );
        if let Some(offset) = req.results_offset {
            if offset < 0 {
                return Err(refuse(
                    "results_offset",
                    format!("results_offset must not be negative, got {offset}"),
                ));
            }
            q.put("results_offset", offset);
        }
        for (key, value) in [
            ("min_created_datetime", &req.min_created_datetime),
            ("max_created_datetime", &req.max_created_datetime),
            ("min_expiry_datetime", &req.min_expiry_datetime),
            ("max_expiry_datetime", &req.max_expiry_datetime),
            ("min_redeemed_datetime", &req.min_redeemed_datetime),
            ("max_redeemed_datetime", &req.max_redeemed_datetime),
        ] {
            q.put_opt(
                key,
                validate::opt_text(value.as_deref(), key).map_err(invalid)?,
            );
        }
        let out = Outgoing {
            method: Method::Get,
            path: format!("/get-vouchers?{}", q.finish()),
            body: None,
            effect: Effect::Read,
        };
        let answer = self.http.send(&out)?;
        decode(&answer, Effect::Read, |warnings, results| {
            let vouchers = match results.get("vouchers") {
                None | Some(Value::Null) => Vec::new(),
                Some(list) => list
                    .as_array()?
                    .iter()
                    .map(|v| v.as_object().map(|o| voucher_from(o.clone(), Vec::new())))
                    .collect::<Option<Vec<_>>>()?,
            };
            Some(VoucherList {
                results_count_total: results.get("results_count_total").and_then(Value::as_i64),
                vouchers,
                warnings,
                raw: Value::Object(results),
            })
        })
    }

    fn allow(&self, modes: &[SpaazaAuth], call: &str) -> Result<()> {
        if modes.contains(&self.auth) {
            return Ok(());
        }
        let names: Vec<&str> = modes.iter().map(|m| m.as_str()).collect();
        Err(refuse(
            "auth",
            format!(
                "{call} needs {} auth; this client uses {} auth",
                names.join(" or "),
                self.auth.as_str()
            ),
        ))
    }

    fn claim_form(&self, req: &ClaimRequest, call: &str) -> Result<String> {
        let mut form = Form::new();
        let which = validate::exactly_one(
            &[
                ("voucher_key", req.voucher_key.is_some()),
                ("voucher_id", req.voucher_id.is_some()),
                ("third_party_id", req.third_party_id.is_some()),
            ],
            call,
        )
        .map_err(invalid)?;
        match which {
            0 => form.put(
                "voucher_key",
                validate::text(
                    req.voucher_key.as_deref().unwrap_or_default(),
                    "voucher_key",
                )
                .map_err(invalid)?,
            ),
            1 => form.put("voucher_id", id(req.voucher_id.unwrap_or(0), "voucher_id")?),
            _ => form.put(
                "third_party_id",
                id(req.third_party_id.unwrap_or(0), "third_party_id")?,
            ),
        };
        match (self.auth, req.chain_id) {
            (_, Some(chain)) => {
                form.put("chain_id", id(chain, "chain_id")?);
            }
            (SpaazaAuth::Admin, None) => {
                return Err(refuse(
                    "chain_id",
                    format!("{call}: chain_id is required with admin auth"),
                ));
            }
            _ => {}
        }
        let end_user = [
            ("user_id", req.user_id.map(|u| u.to_string())),
            ("member_number", req.member_number.clone()),
            ("username", req.username.clone()),
            (
                "authentication_point_identifier",
                req.authentication_point_identifier.clone(),
            ),
            ("auxiliary_identifier", req.auxiliary_identifier.clone()),
        ];
        let given: Vec<(&str, bool)> = end_user.iter().map(|(k, v)| (*k, v.is_some())).collect();
        let chosen = if self.auth == SpaazaAuth::User {
            // The session is the end-user: an identifier is optional, at most one.
            match given.iter().filter(|(_, on)| *on).count() {
                0 => None,
                _ => Some(
                    validate::exactly_one(&given, &format!("{call} end-user")).map_err(invalid)?,
                ),
            }
        } else {
            Some(validate::exactly_one(&given, &format!("{call} end-user")).map_err(invalid)?)
        };
        if let Some(i) = chosen {
            let (key, value) = &end_user[i];
            let value = value.as_deref().unwrap_or_default();
            if i == 0 {
                id(req.user_id.unwrap_or(0), "user_id")?;
            } else {
                validate::text(value, key).map_err(invalid)?;
            }
            if *key == "username" && !value.contains('@') {
                return Err(refuse(
                    "username",
                    format!("username must be an email address, got {value:?}"),
                ));
            }
            form.put(key, value);
        }
        Ok(form.finish())
    }

    fn write(&self, method: Method, path: &str, form: String) -> Result<SpaazaVoucher> {
        let out = Outgoing {
            method,
            path: path.to_owned(),
            body: Some(("application/x-www-form-urlencoded", form.into_bytes())),
            effect: Effect::Write,
        };
        let answer = self.http.send(&out)?;
        decode(&answer, Effect::Write, |warnings, results| {
            Some(voucher_from(results, warnings))
        })
    }
}

fn id(value: i64, field: &str) -> Result<i64> {
    validate::positive_id(value, field).map_err(invalid)
}

fn opt_id(value: Option<i64>, field: &str) -> Result<Option<i64>> {
    value.map(|v| id(v, field)).transpose()
}

/// Exactly one of `voucher_key` / `voucher_id`, where Spaaza names no precedence.
fn voucher_key_or_id(form: &mut Form, key: &Option<String>, vid: Option<i64>) -> Result<()> {
    let which = validate::exactly_one(
        &[
            ("voucher_key", key.is_some()),
            ("voucher_id", vid.is_some()),
        ],
        "voucher",
    )
    .map_err(invalid)?;
    if which == 0 {
        let key = key.as_deref().unwrap_or_default();
        form.put(
            "voucher_key",
            validate::text(key, "voucher_key").map_err(invalid)?,
        );
    } else {
        form.put("voucher_id", id(vid.unwrap_or(0), "voucher_id")?);
    }
    Ok(())
}

/// An ok answer with a readable `results` becomes `T`; everything else the error it
/// stands for. `parse` gets the root and its `results`.
fn decode<T>(
    answer: &Incoming,
    effect: Effect,
    parse: impl FnOnce(Vec<SpaazaWarning>, Map<String, Value>) -> Option<T>,
) -> Result<T> {
    let json = answer::json_body(answer);
    if (200..300).contains(&answer.status)
        && let Some(mut root) = json
        && errors::error_object(&root).is_none()
        && root.get("result").and_then(|r| answer::str_at(r, "status")) == Some("ok")
        && let Some(Value::Object(results)) = root.get_mut("results").map(Value::take)
        && let Some(result) = parse(warnings_from(&root), results)
    {
        return Ok(result);
    }
    // The failure path reads the body again: the success path owned (and kept) it.
    Err(errors::error_for(
        answer,
        answer::json_body(answer).as_ref(),
        effect,
    ))
}
