//! Amounts: caller text and decimals through the one validation, provider numbers read
//! without a float, experience bit sums.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voucherkit_core::money::{Amount, decimal_from_json, experiences_value, validate_amount};
use voucherkit_core::{Decimal, ErrorKind, Value};

/// What a valid amount must be sent as: the caller's digits, leading zeros of the integer
/// part dropped (`007` is `7`), zeros past the second decimal place dropped.
fn expected_digits(text: &str) -> String {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    assert!(
        frac.len() <= 2 || frac[2..].bytes().all(|b| b == b'0'),
        "{text:?} has more than 2 significant decimal places but was accepted"
    );
    let frac = &frac[..frac.len().min(2)];
    if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    }
}

fn check_valid(d: Decimal) {
    assert!(d > Decimal::ZERO, "{d}");
    assert!(d.scale() <= 2, "{d}");
    // What goes on the wire reads back as the same digits, from a JSON number or a string.
    let digits = d.to_string();
    let n: serde_json::Number = serde_json::from_str(&digits).expect("a JSON number");
    assert_eq!(n.as_str(), digits);
    let back = decimal_from_json(&Value::Number(n)).expect("reads back");
    assert_eq!(back.to_string(), digits);
    assert_eq!(decimal_from_json(&Value::String(digits.clone())), Some(d));
    // Validating what validation gave changes nothing.
    assert_eq!(
        validate_amount(&Amount::Decimal(d), "value")
            .unwrap()
            .to_string(),
        digits
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match validate_amount(&Amount::Text(text.to_string()), "value") {
        Ok(d) => {
            assert_eq!(d.to_string(), expected_digits(&text), "{text:?}");
            check_valid(d);
        }
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::InvalidRequest);
            assert_eq!(e.field.as_deref(), Some("value"));
        }
    }

    // A decimal and its text are the same amount: both refused, or both give one value.
    if data.len() >= 13 {
        let word = |i: usize| u32::from_le_bytes(data[i..i + 4].try_into().unwrap());
        let d = Decimal::from_parts(
            word(0),
            word(4),
            word(8),
            data[12] & 1 == 1,
            u32::from(data[12] >> 1) % 29,
        );
        let as_decimal = validate_amount(&Amount::Decimal(d), "amount");
        let as_text = validate_amount(&Amount::Text(d.to_string()), "amount");
        match (&as_decimal, &as_text) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.to_string(), b.to_string(), "{d}");
                check_valid(*a);
            }
            (Err(a), Err(b)) => {
                assert_eq!(a.field.as_deref(), Some("amount"));
                assert_eq!(b.field.as_deref(), Some("amount"));
            }
            _ => panic!("{d}: as a decimal {as_decimal:?}, as text {as_text:?}"),
        }
    }

    // Provider amounts: anything JSON may hold, read without panicking.
    let _ = decimal_from_json(&Value::String(text.to_string()));
    if let Ok(v) = serde_json::from_slice::<Value>(data)
        && let Some(d) = decimal_from_json(&v)
        && let Value::Number(n) = &v
        && !n.as_str().contains(['e', 'E'])
    {
        // Plain digits that fit a decimal are kept as sent (`10.50` stays `10.50`).
        let plain = n.as_str();
        let digits = plain.bytes().filter(u8::is_ascii_digit).count();
        if digits <= 28 && !d.is_zero() {
            assert_eq!(d.to_string(), plain);
        }
    }

    // Experience bits: the sum of distinct powers of two, or a refusal naming the field.
    let bits: Vec<u64> = data
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    match experiences_value(&bits, "experiences") {
        Ok(mask) => {
            assert_eq!(mask.count_ones() as usize, bits.len());
            assert_eq!(bits.iter().fold(0u64, |m, b| m | b), mask);
        }
        Err(e) => assert_eq!(e.field.as_deref(), Some("experiences")),
    }
});
