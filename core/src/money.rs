//! Exact decimal amounts.
//!
//! Money never passes through a binary float: `0.1` is not `0.1` in an `f64`, and a till
//! that redeems `10.005` or `9.999999999` has already lost track of a penny. Amounts come
//! in as a [`Decimal`] or as decimal text (every binding can produce one of those), are
//! checked once here, and go out on the wire with the caller's own digits.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::{Error, Result};

/// An amount of money given by the caller: a decimal, or its text form (`"10.00"`).
///
/// Text is what the C, Node and Kotlin bindings pass (and what Python's `Decimal`
/// converts to), so the one set of rules below applies to every language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Amount {
    Decimal(Decimal),
    Text(String),
}

impl From<Decimal> for Amount {
    fn from(d: Decimal) -> Amount {
        Amount::Decimal(d)
    }
}

impl From<&str> for Amount {
    fn from(s: &str) -> Amount {
        Amount::Text(s.to_owned())
    }
}

impl From<String> for Amount {
    fn from(s: String) -> Amount {
        Amount::Text(s)
    }
}

impl From<u32> for Amount {
    fn from(n: u32) -> Amount {
        Amount::Decimal(Decimal::from(n))
    }
}

/// The most decimal places a provider accepts (both work in pounds/euros and cents).
pub const MAX_SCALE: u32 = 2;

/// Checks an amount and returns the exact decimal to send.
///
/// Accepted: greater than zero, finite, representable with 2 decimal places. Zeros past
/// the second place are dropped (`10.500` → `10.50`); otherwise the caller's scale is
/// kept (`2.00` stays `2.00`, `10` stays `10`). `field` names the parameter in errors.
pub fn validate_amount(amount: &Amount, field: &str) -> Result<Decimal> {
    let value = match amount {
        Amount::Decimal(d) => *d,
        Amount::Text(text) => parse_amount_text(text, field)?,
    };
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Error::invalid(
            field,
            format!("{field} must be greater than zero, got {value}"),
        ));
    }
    if value.is_zero() {
        return Err(Error::invalid(
            field,
            format!("{field} must be greater than zero"),
        ));
    }
    if value.scale() <= MAX_SCALE {
        return Ok(value);
    }
    let normalized = value.normalize();
    if normalized.scale() > MAX_SCALE {
        return Err(Error::invalid(
            field,
            format!("{field} must have at most {MAX_SCALE} decimal places, got {value}"),
        ));
    }
    let mut exact = normalized;
    exact.rescale(MAX_SCALE);
    Ok(exact)
}

fn parse_amount_text(text: &str, field: &str) -> Result<Decimal> {
    let lowered = text.trim().to_ascii_lowercase();
    if matches!(
        lowered.trim_start_matches(['+', '-']),
        "nan" | "inf" | "infinity"
    ) {
        return Err(Error::invalid(
            field,
            format!("{field} must be a finite number, got {text:?}"),
        ));
    }
    // Plain decimal notation only: no exponent, no grouping, no spaces, so that what the
    // caller wrote is exactly what is sent.
    let body = text.strip_prefix('-').unwrap_or(text);
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    let well_formed = !int_part.is_empty()
        && int_part.bytes().all(|b| b.is_ascii_digit())
        && frac_part.bytes().all(|b| b.is_ascii_digit())
        && (!body.contains('.') || !frac_part.is_empty());
    if !well_formed {
        return Err(Error::invalid(
            field,
            format!("{field} must be a decimal number like \"10.00\", got {text:?}"),
        ));
    }
    Decimal::from_str_exact(text).map_err(|_| {
        Error::invalid(
            field,
            format!("{field} is too large or too precise to represent exactly: {text:?}"),
        )
    })
}

/// Reads a provider amount (a JSON number, or a numeric string) into a decimal without
/// going through `f64`, keeping the provider's digits (`2` → `2`, `10.5` → `10.5`).
/// `null` and non-numbers give `None`.
pub fn decimal_from_json(value: &Value) -> Option<Decimal> {
    let text = match value {
        Value::Number(n) => n.as_str(),
        Value::String(s) => s.trim(),
        _ => return None,
    };
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
}

/// Checks Smart Gift experience bit values and returns the wire `value`: their sum.
///
/// Each must be a distinct power of two (a bit of the voucher's experience mask), so the
/// sum equals their bitwise OR and cannot overflow.
pub fn experiences_value(experiences: &[u64], field: &str) -> Result<u64> {
    if experiences.is_empty() {
        return Err(Error::invalid(
            field,
            "experiences must list at least one experience bit_value",
        ));
    }
    let mut mask = 0u64;
    for &bit in experiences {
        if !bit.is_power_of_two() {
            return Err(Error::invalid(
                field,
                format!("experience bit_value {bit} is not a power of two"),
            ));
        }
        if mask & bit != 0 {
            return Err(Error::invalid(
                field,
                format!("experience bit_value {bit} is listed twice"),
            ));
        }
        mask |= bit;
    }
    Ok(mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn ok(text: &str) -> String {
        validate_amount(&Amount::from(text), "value")
            .unwrap()
            .to_string()
    }

    fn refused(text: &str) -> String {
        let err = validate_amount(&Amount::from(text), "amount").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidRequest);
        assert_eq!(err.field.as_deref(), Some("amount"));
        err.message
    }

    #[test]
    fn keeps_the_callers_scale_up_to_two_places() {
        assert_eq!(ok("2.00"), "2.00");
        assert_eq!(ok("10"), "10");
        assert_eq!(ok("10.5"), "10.5");
        assert_eq!(ok("10.500"), "10.50");
        assert_eq!(ok("0.01"), "0.01");
        assert_eq!(ok("7.1000000"), "7.10");
    }

    #[test]
    fn refuses_what_cannot_be_sent_exactly() {
        assert!(refused("10.005").contains("2 decimal places"));
        assert!(refused("0").contains("greater than zero"));
        assert!(refused("0.00").contains("greater than zero"));
        assert!(refused("-1").contains("greater than zero"));
        assert!(refused("NaN").contains("finite"));
        assert!(refused("-inf").contains("finite"));
        assert!(refused("abc").contains("decimal number"));
        assert!(refused("1e3").contains("decimal number"));
        assert!(refused(" 1").contains("decimal number"));
        assert!(refused("1,000").contains("decimal number"));
        assert!(refused("1.").contains("decimal number"));
        assert!(refused("").contains("decimal number"));
        assert!(refused("99999999999999999999999999999999").contains("too large"));
    }

    #[test]
    fn decimals_in_are_checked_like_text() {
        let d = Decimal::from_str("10.500").unwrap();
        assert_eq!(
            validate_amount(&d.into(), "value").unwrap().to_string(),
            "10.50"
        );
        let d = Decimal::from_str("0.001").unwrap();
        assert!(validate_amount(&d.into(), "value").is_err());
    }

    #[test]
    fn provider_numbers_keep_their_digits() {
        let v: Value =
            serde_json::from_str(r#"[2, 10.5, 10.50, null, "8.00", 1.5e1, 0.1]"#).unwrap();
        let got: Vec<Option<String>> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| decimal_from_json(x).map(|d| d.to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                Some("2".into()),
                Some("10.5".into()),
                Some("10.50".into()),
                None,
                Some("8.00".into()),
                Some("15".into()),
                Some("0.1".into())
            ]
        );
    }

    #[test]
    fn experiences_sum_distinct_bits() {
        assert_eq!(experiences_value(&[2, 8], "value").unwrap(), 10);
        assert_eq!(experiences_value(&[1], "value").unwrap(), 1);
        assert!(experiences_value(&[], "value").is_err());
        assert!(experiences_value(&[3], "value").is_err());
        assert!(experiences_value(&[0], "value").is_err());
        assert!(experiences_value(&[4, 4], "value").is_err());
    }
}
