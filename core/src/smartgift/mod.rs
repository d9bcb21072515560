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

mod errors;
mod models;

use std::time::SystemTime;

use serde_json::{Map, Value};

pub use self::errors::MESSAGES;
pub use self::models::*;
use crate::answer;
use crate::error::{Error, Provider, Result};
use crate::money::{self, decimal_from_json};
use crate::secret::Secret;
use crate::transport::{ClientOptions, Effect, HttpClient, Incoming, Method, Outgoing};
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
            ("accept", "application/json".to_owned(), false),
            ("smart-auth", config.api_key.expose().to_owned(), true),
        ];
        let http = HttpClient::new(PROVIDER, base, &config.options, headers)?;
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
        let filters = check_filters(req)?;
        let body = Body {
            site_id: Some(site_id(&req.site_id)?),
            filters: (!filters.is_empty()).then_some(Value::Object(filters)),
            ..Body::new(voucher_no(&req.voucher_no)?)
        };
        let answer = self.post("/redeem/check", &body, Effect::Read)?;
        self.decode(&answer, Effect::Read, |mut v| {
            match v.get_mut("data")?.take() {
                Value::Object(data) => Some(voucher_from(data)),
                _ => None,
            }
        })
    }

    /// Reserves the whole voucher for about five minutes and returns the hold token.
    pub fn hold(&self, req: &HoldRequest) -> Result<Hold> {
        let body = Body::new(voucher_no(&req.voucher_no)?);
        let answer = self.post("/redeem/hold", &body, Effect::Write)?;
        let received_at = SystemTime::now();
        self.decode(&answer, Effect::Write, |v| {
            Some(Hold {
                message: answer::str_at(&v, "message").unwrap_or_default().to_owned(),
                hold_token: non_empty(answer::str_at(&v, "hold_token")?)?.to_owned(),
                received_at,
                raw: v,
            })
        })
    }

    /// Redeems money (`value`) or experiences (their bit values) from a voucher.
    ///
    /// If this fails with `outcome_unknown`, the redeem may have happened: call
    /// [`check`](SmartGift::check) and compare `remaining_value` before redeeming again.
    pub fn redeem(&self, req: &RedeemRequest) -> Result<Redemption> {
        let voucher_no = voucher_no(&req.voucher_no)?;
        let site_id = site_id(&req.site_id)?;
        let value = match (&req.value, &req.experiences) {
            (Some(amount), None) => {
                let exact = money::validate_amount(amount, "value").map_err(invalid)?;
                json_number(&exact.to_string())
            }
            (None, Some(bits)) => {
                let bits: Vec<u64> = bits
                    .iter()
                    .map(|&b| {
                        u64::try_from(b).map_err(|_| {
                            invalid(Error::invalid(
                                "experiences",
                                format!("experience bit_value {b} is not a power of two"),
                            ))
                        })
                    })
                    .collect::<Result<_>>()?;
                Value::from(money::experiences_value(&bits, "experiences").map_err(invalid)?)
            }
            (Some(_), Some(_)) => {
                return Err(invalid(Error::invalid(
                    "value",
                    "give either value (money) or experiences (bit values), not both",
                )));
            }
            (None, None) => {
                return Err(invalid(Error::invalid(
                    "value",
                    "give value (money) or experiences (bit values) to redeem",
                )));
            }
        };
        let body = Body {
            site_id: Some(site_id),
            value: Some(value),
            hold_token: validate::opt_text(req.hold_token.as_deref(), "hold_token")
                .map_err(invalid)?,
            ..Body::new(voucher_no)
        };
        let answer = self.post("/redeem", &body, Effect::Write)?;
        self.decode(&answer, Effect::Write, |mut v| {
            let data = v.get_mut("data")?.take();
            let ids = data
                .get("redemptions")?
                .as_array()?
                .iter()
                .map(Value::as_u64)
                .collect::<Option<Vec<u64>>>()?;
            Some(Redemption {
                message: answer::str_at(&data, "message")
                    .unwrap_or_default()
                    .to_owned(),
                redemptions: ids,
                raw: data,
            })
        })
    }

    /// Gives up a hold before its five minutes run out.
    pub fn release(&self, req: &ReleaseRequest) -> Result<Released> {
        let body = Body {
            hold_token: Some(validate::text(&req.hold_token, "hold_token").map_err(invalid)?),
            ..Body::new(voucher_no(&req.voucher_no)?)
        };
        let answer = self.post("/redeem/release", &body, Effect::Write)?;
        self.decode(&answer, Effect::Write, |v| {
            Some(Released {
                message: answer::str_at(&v, "message")?.to_owned(),
                raw: v,
            })
        })
    }

    /// Undoes redemptions (each id in full).
    pub fn reverse(&self, req: &ReverseRequest) -> Result<Reversed> {
        let body = Body {
            site_id: Some(site_id(&req.site_id)?),
            redemptions: Some(redemption_ids(&req.redemptions)?),
            ..Body::new(voucher_no(&req.voucher_no)?)
        };
        let answer = self.post("/redeem/reverse", &body, Effect::Write)?;
        self.decode(&answer, Effect::Write, |v| {
            Some(Reversed {
                message: answer::str_at(&v, "message")?.to_owned(),
                raw: v,
            })
        })
    }

    fn post(&self, path: &str, body: &Body, effect: Effect) -> Result<Incoming> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::internal(e.to_string()))?;
        self.http.send(&Outgoing {
            method: Method::Post,
            path: path.to_owned(),
            body: Some(("application/json", bytes)),
            effect,
        })
    }

    /// A 2xx in the documented shape becomes `T`; everything else becomes the error it
    /// stands for. `parse` owns the JSON (results keep it as `raw` without a copy), so
    /// the rare failure path reads the body again.
    fn decode<T>(
        &self,
        answer: &Incoming,
        effect: Effect,
        parse: impl FnOnce(Value) -> Option<T>,
    ) -> Result<T> {
        if (200..300).contains(&answer.status)
            && let Some(result) = answer::json_body(answer).and_then(parse)
        {
            return Ok(result);
        }
        Err(errors::error_for(
            answer,
            answer::json_body(answer).as_ref(),
            effect,
        ))
    }
}

/// Every Smart Gift request body: the fields an operation leaves out are not sent, and
/// the order is the documented one (voucher_no, site_id, value, hold_token, …).
#[derive(serde::Serialize)]
struct Body<'a> {
    voucher_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    site_id: Option<String>,
    /// Money with the caller's digits, or an experience bit sum.
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hold_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redemptions: Option<Vec<u64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filters: Option<Value>,
}

impl<'a> Body<'a> {
    fn new(voucher_no: &'a str) -> Body<'a> {
        Body {
            voucher_no,
            site_id: None,
            value: None,
            hold_token: None,
            redemptions: None,
            filters: None,
        }
    }
}

fn voucher_no(v: &str) -> Result<&str> {
    validate::text(v, "voucher_no").map_err(invalid)
}

fn site_id(site: &SiteId) -> Result<String> {
    match site {
        SiteId::Number(n) => validate::positive_id(*n, "site_id").map(|n| n.to_string()),
        SiteId::Text(s) => validate::text(s, "site_id").map(str::to_owned),
    }
    .map_err(invalid)
}

fn redemption_ids(ids: &[i64]) -> Result<Vec<u64>> {
    if ids.is_empty() {
        return Err(invalid(Error::invalid(
            "redemptions",
            "redemptions must list at least one redemption id",
        )));
    }
    let mut out: Vec<u64> = Vec::with_capacity(ids.len());
    for &id in ids {
        let id = validate::positive_id(id, "redemptions").map_err(invalid)? as u64;
        if out.contains(&id) {
            return Err(invalid(Error::invalid(
                "redemptions",
                format!("redemption id {id} is listed twice"),
            )));
        }
        out.push(id);
    }
    Ok(out)
}

fn check_filters(req: &CheckRequest) -> Result<Map<String, Value>> {
    let mut filters = Map::new();
    if !req.classifications.is_empty() {
        for c in &req.classifications {
            validate::text(c, "classifications").map_err(invalid)?;
        }
        filters.insert("classifications".into(), req.classifications.clone().into());
    }
    if !req.meta_conditions.is_empty() {
        let mut list = Vec::with_capacity(req.meta_conditions.len());
        for cond in &req.meta_conditions {
            validate::text(&cond.key, "meta_conditions").map_err(invalid)?;
            validate::text(&cond.operator, "meta_conditions").map_err(invalid)?;
            let mut m = Map::new();
            m.insert("key".into(), cond.key.clone().into());
            m.insert("operator".into(), cond.operator.clone().into());
            m.insert("value".into(), cond.value.clone().into());
            list.push(Value::Object(m));
        }
        filters.insert("meta_conditions".into(), Value::Array(list));
    }
    Ok(filters)
}

/// A JSON number written with exactly these digits (serde_json keeps number text).
fn json_number(digits: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(digits)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

fn voucher_from(data: Map<String, Value>) -> SmartGiftVoucher {
    let s = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_owned);
    let experiences = data
        .get("experiences")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|e| Experience {
                    bit_value: e.get("bit_value").and_then(Value::as_u64),
                    id: e.get("id").and_then(Value::as_i64),
                    name: e.get("name").and_then(Value::as_str).map(str::to_owned),
                    raw: e.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    SmartGiftVoucher {
        id: data.get("id").and_then(Value::as_i64),
        name: s("name"),
        description: s("description"),
        voucher_no: s("voucher_no"),
        remaining_value: data.get("remaining_value").and_then(decimal_from_json),
        voucher_type: s("type"),
        sold_out: data.get("sold_out").and_then(Value::as_bool),
        experiences,
        available_to_redeem: data
            .get("available_to_redeem")
            .filter(|v| !v.is_null())
            .cloned(),
        raw: Value::Object(data),
    }
}
