//! Spaaza on the wire: each operation's request (checked, then encoded as a form or a
//! query) and the meaning of its answer. Nothing here does I/O, so every function can be
//! tested and fuzzed on its own; [`super::Spaaza`] joins them with the transport.

use serde_json::{Map, Value};

use super::errors;
use super::models::*;
use crate::error::{Error, Provider, Result};
use crate::money;
use crate::status;
use crate::transport::{Effect, Incoming, Method, Outgoing};
use crate::validate;

const PROVIDER: Provider = Provider::Spaaza;
const FORM: &str = "application/x-www-form-urlencoded";

fn invalid(e: Error) -> Error {
    e.with_provider(PROVIDER)
}

fn refuse(field: &str, message: impl Into<String>) -> Error {
    invalid(Error::invalid(field, message))
}

/// Form fields (or query parameters) in the order they are sent.
struct Form {
    out: form_urlencoded::Serializer<'static, String>,
    /// The longest parameter so far, named if the query makes the head too large.
    longest: Option<(usize, &'static str)>,
}

impl Form {
    fn new() -> Form {
        Form {
            out: form_urlencoded::Serializer::new(String::new()),
            longest: None,
        }
    }

    fn put(&mut self, key: &'static str, value: impl ToString) -> &mut Form {
        let value = value.to_string();
        if self.longest.is_none_or(|(len, _)| value.len() > len) {
            self.longest = Some((value.len(), key));
        }
        self.out.append_pair(key, &value);
        self
    }

    fn put_opt(&mut self, key: &'static str, value: Option<impl ToString>) -> &mut Form {
        if let Some(v) = value {
            self.put(key, v);
        }
        self
    }

    fn put_flag(&mut self, key: &'static str, on: bool) -> &mut Form {
        if on {
            self.put(key, "true");
        }
        self
    }

    /// A write: the form as the body.
    fn into_write(mut self, method: Method, path: &str) -> Outgoing {
        Outgoing::with_body(
            method,
            path,
            FORM,
            self.out.finish().into_bytes(),
            Effect::Write,
        )
    }

    /// A read: the form as the query string.
    fn into_read(mut self, path: &str) -> Outgoing {
        Outgoing {
            method: Method::Get,
            path: format!("{path}?{}", self.out.finish()),
            body: None,
            effect: Effect::Read,
            head_field: self.longest.map(|(_, key)| key),
        }
    }
}

/// Refuses a call the client's auth mode may not make, before anything is sent.
pub(crate) fn allow(auth: SpaazaAuth, modes: &[SpaazaAuth], call: &str) -> Result<()> {
    if modes.contains(&auth) {
        return Ok(());
    }
    let names: Vec<&str> = modes.iter().map(|m| m.as_str()).collect();
    Err(refuse(
        "auth",
        format!(
            "{call} needs {} auth; this client uses {} auth",
            names.join(" or "),
            auth.as_str()
        ),
    ))
}

const ADMIN_OR_PRIVILEGED: &[SpaazaAuth] = &[SpaazaAuth::Admin, SpaazaAuth::Privileged];

/// `POST /auth/redeem-voucher`.
pub(crate) fn redeem_voucher_request(
    req: &RedeemVoucherRequest,
    auth: SpaazaAuth,
) -> Result<Outgoing> {
    allow(auth, ADMIN_OR_PRIVILEGED, "redeem-voucher")?;
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
    Ok(form.into_write(Method::Post, "/auth/redeem-voucher"))
}

/// `POST /unlock-voucher`: both identifiers are allowed, and only the key is sent.
pub(crate) fn unlock_voucher_request(
    req: &UnlockVoucherRequest,
    auth: SpaazaAuth,
) -> Result<Outgoing> {
    allow(auth, ADMIN_OR_PRIVILEGED, "unlock-voucher")?;
    let mut form = Form::new();
    match (&req.voucher_key, req.voucher_id) {
        (Some(key), _) => {
            form.put(
                "voucher_key",
                validate::non_blank(key, "voucher_key").map_err(invalid)?,
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
    Ok(form.into_write(Method::Post, "/unlock-voucher"))
}

/// `X-Spaaza-API-Version`, as three numbers: some parameters exist only from a version on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ApiVersion(u32, u32, u32);

impl ApiVersion {
    /// The version that brought unclaim/claim's end-user identifiers other than `user_id`.
    const END_USER_IDENTIFIERS: ApiVersion = ApiVersion(1, 5, 3);

    /// `major.minor.fix`, digits only.
    pub fn parse(text: &str) -> Option<ApiVersion> {
        let mut parts = text.split('.').map(|p| {
            p.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| p.parse::<u32>().ok())
                .flatten()
        });
        let version = ApiVersion(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(version)
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// `POST /unclaim-voucher`.
pub(crate) fn unclaim_voucher_request(
    req: &ClaimRequest,
    auth: SpaazaAuth,
    version: ApiVersion,
) -> Result<Outgoing> {
    Ok(claim_form(req, auth, version, "unclaim-voucher")?
        .into_write(Method::Post, "/unclaim-voucher"))
}

/// `POST /claim-voucher`.
pub(crate) fn claim_voucher_request(
    req: &ClaimRequest,
    auth: SpaazaAuth,
    version: ApiVersion,
) -> Result<Outgoing> {
    Ok(claim_form(req, auth, version, "claim-voucher")?.into_write(Method::Post, "/claim-voucher"))
}

/// `PUT /lock-voucher`: a period is always sent, so no lock is endless.
pub(crate) fn lock_voucher_request(req: &LockVoucherRequest) -> Result<Outgoing> {
    let mut form = Form::new();
    voucher_key_or_id(&mut form, &req.voucher_key, req.voucher_id)?;
    let basket =
        validate::non_blank(&req.retailer_basket_code, "retailer_basket_code").map_err(invalid)?;
    form.put("retailer_basket_code", basket);
    let period = req.voucher_lock_period.unwrap_or(DEFAULT_LOCK_PERIOD);
    form.put("voucher_lock_period", id(period, "voucher_lock_period")?);
    form.put_opt(
        "voucher_locking_code",
        validate::opt_non_blank(req.voucher_locking_code.as_deref(), "voucher_locking_code")
            .map_err(invalid)?,
    );
    Ok(form.into_write(Method::Put, "/lock-voucher"))
}

/// `GET /get-vouchers?…`.
pub(crate) fn get_vouchers_request(req: &GetVouchersRequest, auth: SpaazaAuth) -> Result<Outgoing> {
    allow(auth, ADMIN_OR_PRIVILEGED, "get-vouchers")?;
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
            validate::opt_non_blank(value.as_deref(), key).map_err(invalid)?,
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
            validate::opt_non_blank(value.as_deref(), key).map_err(invalid)?,
        );
    }
    Ok(q.into_read("/get-vouchers"))
}

/// The answer to every voucher write (redeem, unlock, unclaim, lock, claim).
pub(crate) fn voucher_answer(answer: &Incoming) -> Result<SpaazaVoucher> {
    decode(answer, Effect::Write, |warnings, results| {
        Some(voucher_from(results, warnings))
    })
}

pub(crate) fn get_vouchers_answer(answer: &Incoming) -> Result<VoucherList> {
    decode(answer, Effect::Read, |warnings, results| {
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

fn claim_form(
    req: &ClaimRequest,
    auth: SpaazaAuth,
    version: ApiVersion,
    call: &str,
) -> Result<Form> {
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
            validate::non_blank(
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
    match (auth, req.chain_id) {
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
    let end_user: [(&'static str, Option<String>); 5] = [
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
    let chosen = if auth == SpaazaAuth::User {
        // The session is the end-user: an identifier is optional, at most one.
        match given.iter().filter(|(_, on)| *on).count() {
            0 => None,
            _ => Some(validate::exactly_one(&given, &format!("{call} end-user")).map_err(invalid)?),
        }
    } else {
        Some(validate::exactly_one(&given, &format!("{call} end-user")).map_err(invalid)?)
    };
    if let Some(i) = chosen {
        let (key, value) = &end_user[i];
        if i > 0 && version < ApiVersion::END_USER_IDENTIFIERS {
            return Err(refuse(
                key,
                format!(
                    "{call}: {key} needs Spaaza API {} or later; this client sends api_version \
                     {version} (use user_id, or a newer api_version)",
                    ApiVersion::END_USER_IDENTIFIERS
                ),
            ));
        }
        let value = value.as_deref().unwrap_or_default();
        if i == 0 {
            id(req.user_id.unwrap_or(0), "user_id")?;
        } else {
            validate::non_blank(value, key).map_err(invalid)?;
        }
        if *key == "username" && !value.contains('@') {
            return Err(refuse(
                "username",
                format!("username must be an email address, got {value:?}"),
            ));
        }
        form.put(key, value);
    }
    Ok(form)
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
            validate::non_blank(key, "voucher_key").map_err(invalid)?,
        );
    } else {
        form.put("voucher_id", id(vid.unwrap_or(0), "voucher_id")?);
    }
    Ok(())
}

/// An ok answer with a readable `results` becomes `T`; everything else the error it
/// stands for. `parse` gets the root's warnings and its `results`.
fn decode<T>(
    answer: &Incoming,
    effect: Effect,
    parse: impl FnOnce(Vec<SpaazaWarning>, Map<String, Value>) -> Option<T>,
) -> Result<T> {
    let json = status::json_body(answer);
    if (200..300).contains(&answer.status)
        && let Some(mut root) = json
        && errors::error_object(&root).is_none()
        && root.get("result").and_then(|r| status::str_at(r, "status")) == Some("ok")
        && let Some(Value::Object(results)) = root.get_mut("results").map(Value::take)
        && let Some(result) = parse(warnings_from(&root), results)
    {
        return Ok(result);
    }
    // The failure path reads the body again: the success path owned (and kept) it.
    Err(errors::error_for(
        answer,
        status::json_body(answer).as_ref(),
        effect,
    ))
}

#[cfg(test)]
mod tests {
    use super::ApiVersion;

    #[test]
    fn api_versions_compare_as_numbers() {
        let v = |s| ApiVersion::parse(s).unwrap();
        assert!(v("1.5.2") < v("1.5.3"));
        assert!(v("1.10.0") > v("1.5.3"));
        assert_eq!(v("1.6.3").to_string(), "1.6.3");
        for bad in [
            "",
            "1.5",
            "1.5.3.1",
            "1.x.3",
            "1..3",
            "+1.5.3",
            "1.5.99999999999",
        ] {
            assert!(ApiVersion::parse(bad).is_none(), "{bad}");
        }
    }
}
