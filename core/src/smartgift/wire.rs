//! Smart Gift on the wire: each operation's request (checked, then encoded) and the
//! meaning of its answer. Nothing here does I/O, so every function can be tested and
//! fuzzed on its own; [`super::SmartGift`] joins them with the transport.

use std::time::SystemTime;

use serde_json::{Map, Value};

use super::errors;
use super::models::*;
use crate::error::{Error, Provider, Result};
use crate::money::{self, decimal_from_json};
use crate::status;
use crate::transport::{Effect, Incoming, Method, Outgoing};
use crate::validate;

const PROVIDER: Provider = Provider::SmartGift;

fn invalid(e: Error) -> Error {
    e.with_provider(PROVIDER)
}

/// `POST /redeem/check`.
pub(crate) fn check_request(req: &CheckRequest) -> Result<Outgoing> {
    let filters = check_filters(req)?;
    let body = Body {
        site_id: Some(site_id(&req.site_id)?),
        filters: (!filters.is_empty()).then_some(Value::Object(filters)),
        ..Body::new(voucher_no(&req.voucher_no)?)
    };
    post("/redeem/check", &body, Effect::Read)
}

pub(crate) fn check_answer(answer: &Incoming) -> Result<SmartGiftVoucher> {
    decode(answer, Effect::Read, |mut v| {
        match v.get_mut("data")?.take() {
            Value::Object(data) => Some(voucher_from(data)),
            _ => None,
        }
    })
}

/// `POST /redeem/hold`.
pub(crate) fn hold_request(req: &HoldRequest) -> Result<Outgoing> {
    post(
        "/redeem/hold",
        &Body::new(voucher_no(&req.voucher_no)?),
        Effect::Write,
    )
}

/// `received_at` is when the answer arrived: the hold's five minutes start then.
pub(crate) fn hold_answer(answer: &Incoming, received_at: SystemTime) -> Result<Hold> {
    decode(answer, Effect::Write, |v| {
        Some(Hold {
            message: status::str_at(&v, "message").unwrap_or_default().to_owned(),
            hold_token: non_empty(status::str_at(&v, "hold_token")?)?.to_owned(),
            received_at,
            expires_at: received_at + HOLD_DURATION,
            raw: v,
        })
    })
}

/// `POST /redeem`: the value is money with the caller's digits, or the bit values' sum.
pub(crate) fn redeem_request(req: &RedeemRequest) -> Result<Outgoing> {
    let voucher_no = voucher_no(&req.voucher_no)?;
    let site_id = site_id(&req.site_id)?;
    let value = match redeem_value(req)? {
        RedeemValue::Money(amount) => json_number(&amount.to_string()),
        RedeemValue::Experiences(sum) => Value::from(sum),
    };
    let body = Body {
        site_id: Some(site_id),
        value: Some(value),
        hold_token: validate::opt_non_blank(req.hold_token.as_deref(), "hold_token")
            .map_err(invalid)?,
        ..Body::new(voucher_no)
    };
    post("/redeem", &body, Effect::Write)
}

/// What a redeem takes off the voucher, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RedeemValue {
    Money(rust_decimal::Decimal),
    /// The sum of the experiences' bit values.
    Experiences(u64),
}

pub(crate) fn redeem_value(req: &RedeemRequest) -> Result<RedeemValue> {
    match (&req.value, &req.experiences) {
        (Some(amount), None) => money::validate_amount(amount, "value")
            .map(RedeemValue::Money)
            .map_err(invalid),
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
            money::experiences_value(&bits, "experiences")
                .map(RedeemValue::Experiences)
                .map_err(invalid)
        }
        (Some(_), Some(_)) => Err(invalid(Error::invalid(
            "value",
            "give either value (money) or experiences (bit values), not both",
        ))),
        (None, None) => Err(invalid(Error::invalid(
            "value",
            "give value (money) or experiences (bit values) to redeem",
        ))),
    }
}

pub(crate) fn redeem_answer(answer: &Incoming) -> Result<Redemption> {
    decode(answer, Effect::Write, |mut v| {
        let data = v.get_mut("data")?.take();
        let ids = data
            .get("redemptions")?
            .as_array()?
            .iter()
            .map(Value::as_u64)
            .collect::<Option<Vec<u64>>>()?;
        Some(Redemption {
            message: status::str_at(&data, "message")
                .unwrap_or_default()
                .to_owned(),
            redemptions: ids,
            raw: data,
            journal_id: None,
        })
    })
}

/// `POST /redeem/release`.
pub(crate) fn release_request(req: &ReleaseRequest) -> Result<Outgoing> {
    let body = Body {
        hold_token: Some(validate::non_blank(&req.hold_token, "hold_token").map_err(invalid)?),
        ..Body::new(voucher_no(&req.voucher_no)?)
    };
    post("/redeem/release", &body, Effect::Write)
}

pub(crate) fn release_answer(answer: &Incoming) -> Result<Released> {
    decode(answer, Effect::Write, |v| {
        Some(Released {
            message: status::str_at(&v, "message")?.to_owned(),
            raw: v,
        })
    })
}

/// `POST /redeem/reverse`.
pub(crate) fn reverse_request(req: &ReverseRequest) -> Result<Outgoing> {
    let body = Body {
        site_id: Some(site_id(&req.site_id)?),
        redemptions: Some(redemption_ids(&req.redemptions)?),
        ..Body::new(voucher_no(&req.voucher_no)?)
    };
    post("/redeem/reverse", &body, Effect::Write)
}

pub(crate) fn reverse_answer(answer: &Incoming) -> Result<Reversed> {
    decode(answer, Effect::Write, |v| {
        Some(Reversed {
            message: status::str_at(&v, "message")?.to_owned(),
            raw: v,
            journal_id: None,
        })
    })
}

fn post(path: &str, body: &Body, effect: Effect) -> Result<Outgoing> {
    let bytes = serde_json::to_vec(body).map_err(|e| Error::internal(e.to_string()))?;
    Ok(Outgoing::with_body(
        Method::Post,
        path,
        "application/json",
        bytes,
        effect,
    ))
}

/// A 2xx in the documented shape becomes `T`; everything else becomes the error it
/// stands for. `parse` owns the JSON (results keep it as `raw` without a copy), so
/// the rare failure path reads the body again.
fn decode<T>(
    answer: &Incoming,
    effect: Effect,
    parse: impl FnOnce(Value) -> Option<T>,
) -> Result<T> {
    if (200..300).contains(&answer.status)
        && let Some(result) = status::json_body(answer).and_then(parse)
    {
        return Ok(result);
    }
    Err(errors::error_for(
        answer,
        status::json_body(answer).as_ref(),
        effect,
    ))
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

pub(crate) fn voucher_no(v: &str) -> Result<&str> {
    validate::non_blank(v, "voucher_no").map_err(invalid)
}

/// The site as sent: always a string. A site number must be positive whether it came as
/// a number or as text (`"-5"` from a C or C++ till is refused like `-5` from Python).
pub(crate) fn site_id(site: &SiteId) -> Result<String> {
    match site {
        SiteId::Number(n) => validate::positive_id(*n, "site_id").map(|n| n.to_string()),
        SiteId::Text(s) => {
            validate::non_blank(s, "site_id").and_then(|text| match text.trim().parse::<i64>() {
                Ok(n) => validate::positive_id(n, "site_id").map(|_| text.to_owned()),
                Err(_) => Ok(text.to_owned()),
            })
        }
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
            validate::non_blank(c, "classifications").map_err(invalid)?;
        }
        filters.insert("classifications".into(), req.classifications.clone().into());
    }
    if !req.meta_conditions.is_empty() {
        let mut list = Vec::with_capacity(req.meta_conditions.len());
        for cond in &req.meta_conditions {
            validate::non_blank(&cond.key, "meta_conditions").map_err(invalid)?;
            validate::non_blank(&cond.operator, "meta_conditions").map_err(invalid)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_number_must_be_positive_as_a_number_or_as_text() {
        assert_eq!(site_id(&SiteId::Number(12)).unwrap(), "12");
        assert_eq!(site_id(&SiteId::Text("12".into())).unwrap(), "12");
        assert_eq!(site_id(&SiteId::Text("X".into())).unwrap(), "X");
        for bad in [
            SiteId::Number(0),
            SiteId::Number(-5),
            SiteId::Text("0".into()),
            SiteId::Text(" -5 ".into()),
            SiteId::Text(" ".into()),
        ] {
            let e = site_id(&bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("site_id"), "{bad:?}");
        }
    }
}
