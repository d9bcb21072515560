//! Any request of every operation through its encoder: it is refused as `invalid_request`
//! naming a field, or encoded into a body (JSON, form) or query that reads back with the
//! caller's values, every one of them checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use voucherkit_core::fuzzing::{self as f, Encoded};
use voucherkit_core::money::validate_amount;
use voucherkit_core::smartgift::SiteId;
use voucherkit_core::spaaza::{DEFAULT_LOCK_PERIOD, SpaazaAuth};
use voucherkit_core::{Amount, Error, ErrorKind, Provider};
use voucherkit_fuzz::{Request, request};

fn check_refusal(e: &Error, provider: Provider) {
    assert_eq!(e.kind, ErrorKind::InvalidRequest, "{e:?}");
    assert!(e.field.as_deref().is_some_and(|f| !f.is_empty()), "{e:?}");
    assert_eq!(e.provider, Some(provider), "{e:?}");
    assert!(!e.message.is_empty(), "{e:?}");
    assert_eq!(e.http_status, None);
}

/// What the core promises of every text it sends: present, not blank, no control chars.
fn sendable(s: &str) -> bool {
    !s.trim().is_empty() && !s.chars().any(char::is_control)
}

fn site(s: &SiteId) -> String {
    match s {
        SiteId::Number(n) => {
            assert!(*n > 0);
            n.to_string()
        }
        SiteId::Text(t) => {
            assert!(sendable(t), "{t:?}");
            t.clone()
        }
    }
}

fn amount_digits(a: &Amount) -> String {
    validate_amount(a, "value")
        .expect("an amount that was sent validates")
        .to_string()
}

/// A Smart Gift body: a JSON object, `voucher_no` first, nothing but `expected` in it.
fn smartgift_body(enc: &Encoded, path: &str, write: bool, expected: Vec<(&str, Value)>) {
    assert_eq!(enc.method, "POST");
    assert_eq!(enc.path, path);
    assert_eq!(enc.write, write);
    assert_eq!(enc.content_type, Some("application/json"));
    let body = enc.body.as_deref().expect("a body");
    let parsed: Value = serde_json::from_slice(body).expect("the body is JSON");
    let obj = parsed.as_object().expect("an object");
    assert_eq!(obj.keys().next().map(String::as_str), Some("voucher_no"));
    let got: Vec<(&str, &Value)> = obj.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let want: Vec<(&str, &Value)> = expected.iter().map(|(k, v)| (*k, v)).collect();
    assert_eq!(got, want, "{}", String::from_utf8_lossy(body));
}

fn smartgift(req: &Request) -> Option<Result<(), Error>> {
    let s = |v: &str| {
        assert!(sendable(v), "{v:?} was sent");
        Value::from(v)
    };
    let outcome = match req {
        Request::Check(r) => f::smartgift_check(r).map(|enc| {
            let mut want = vec![("voucher_no", s(&r.voucher_no)), ("site_id", Value::from(site(&r.site_id)))];
            let mut filters = serde_json::Map::new();
            if !r.classifications.is_empty() {
                let list: Vec<Value> = r.classifications.iter().map(|c| s(c)).collect();
                filters.insert("classifications".into(), list.into());
            }
            if !r.meta_conditions.is_empty() {
                let list: Vec<Value> = r
                    .meta_conditions
                    .iter()
                    .map(|m| {
                        serde_json::json!({"key": s(&m.key), "operator": s(&m.operator), "value": m.value})
                    })
                    .collect();
                filters.insert("meta_conditions".into(), list.into());
            }
            if !filters.is_empty() {
                want.push(("filters", Value::Object(filters)));
            }
            smartgift_body(&enc, "/redeem/check", false, want);
        }),
        Request::Hold(r) => f::smartgift_hold(r).map(|enc| {
            smartgift_body(&enc, "/redeem/hold", true, vec![("voucher_no", s(&r.voucher_no))]);
        }),
        Request::Redeem(r) => f::smartgift_redeem(r).map(|enc| {
            let value = match (&r.value, &r.experiences) {
                (Some(a), None) => {
                    // The number goes out with exactly the validated digits.
                    serde_json::from_str::<Value>(&amount_digits(a)).unwrap()
                }
                (None, Some(bits)) => {
                    let mut mask = 0u64;
                    for &b in bits {
                        let b = u64::try_from(b).expect("a negative bit was sent");
                        assert!(b.is_power_of_two() && mask & b == 0, "{bits:?}");
                        mask |= b;
                    }
                    Value::from(mask)
                }
                other => panic!("redeem sent with {other:?}"),
            };
            let mut want = vec![
                ("voucher_no", s(&r.voucher_no)),
                ("site_id", Value::from(site(&r.site_id))),
                ("value", value),
            ];
            if let Some(t) = &r.hold_token {
                want.push(("hold_token", s(t)));
            }
            smartgift_body(&enc, "/redeem", true, want);
        }),
        Request::Release(r) => f::smartgift_release(r).map(|enc| {
            smartgift_body(
                &enc,
                "/redeem/release",
                true,
                vec![("voucher_no", s(&r.voucher_no)), ("hold_token", s(&r.hold_token))],
            );
        }),
        Request::Reverse(r) => f::smartgift_reverse(r).map(|enc| {
            assert!(!r.redemptions.is_empty());
            let mut ids: Vec<i64> = r.redemptions.clone();
            assert!(ids.iter().all(|&i| i > 0));
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), r.redemptions.len(), "duplicate ids were sent");
            smartgift_body(
                &enc,
                "/redeem/reverse",
                true,
                vec![
                    ("voucher_no", s(&r.voucher_no)),
                    ("site_id", Value::from(site(&r.site_id))),
                    ("redemptions", Value::from(r.redemptions.clone())),
                ],
            );
        }),
        _ => return None,
    };
    Some(outcome)
}

/// A Spaaza form or query: decoded, no key twice, each value exactly `value_of(key)`,
/// every `required` group present.
fn spaaza_form(
    enc: &Encoded,
    method: &str,
    path: &str,
    value_of: impl Fn(&str) -> Option<String>,
    required: &[&[&str]],
) {
    assert_eq!(enc.method, method);
    let encoded: &[u8] = if method == "GET" {
        assert!(!enc.write);
        assert!(enc.body.is_none());
        let (p, query) = enc.path.split_once('?').expect("a query");
        assert_eq!(p, path);
        assert!(enc.head_field.is_some());
        query.as_bytes()
    } else {
        assert!(enc.write);
        assert_eq!(enc.path, path);
        assert_eq!(enc.content_type, Some("application/x-www-form-urlencoded"));
        enc.body.as_deref().expect("a body")
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(encoded).into_owned().collect();
    for (i, (k, v)) in pairs.iter().enumerate() {
        assert!(!pairs[..i].iter().any(|(k2, _)| k2 == k), "{k} sent twice");
        assert_eq!(value_of(k).as_ref(), Some(v), "{k}={v:?} in {pairs:?}");
        assert!(sendable(v), "{k}={v:?}");
    }
    for group in required {
        assert!(
            group.iter().any(|k| pairs.iter().any(|(p, _)| p == k)),
            "none of {group:?} in {pairs:?}"
        );
    }
}

fn id(v: Option<i64>) -> Option<String> {
    v.map(|n| {
        assert!(n > 0, "id {n} was sent");
        n.to_string()
    })
}

fn spaaza(req: &Request) -> Option<Result<(), Error>> {
    let flag = |on: bool| on.then(|| "true".to_owned());
    let outcome = match req {
        Request::RedeemVoucher(r, auth) => f::spaaza_redeem_voucher(r, *auth).map(|enc| {
            assert_ne!(*auth, SpaazaAuth::User);
            let value_of = |k: &str| match k {
                "chain_id" => id(Some(r.chain_id)),
                "voucher_key" => r.voucher_key.clone(),
                "voucher_id" => id(r.voucher_id),
                "user_id" => id(r.user_id),
                "amount" => r.amount.as_ref().map(amount_digits),
                _ => None,
            };
            spaaza_form(
                &enc,
                "POST",
                "/auth/redeem-voucher",
                value_of,
                &[&["chain_id"], &["voucher_key", "voucher_id"]],
            );
        }),
        Request::UnlockVoucher(r, auth) => f::spaaza_unlock_voucher(r, *auth).map(|enc| {
            assert_ne!(*auth, SpaazaAuth::User);
            let value_of = |k: &str| match k {
                "voucher_key" => r.voucher_key.clone(),
                // Only the key is sent when both are given.
                "voucher_id" if r.voucher_key.is_none() => id(r.voucher_id),
                _ => None,
            };
            spaaza_form(
                &enc,
                "POST",
                "/unlock-voucher",
                value_of,
                &[&["voucher_key", "voucher_id"]],
            );
        }),
        Request::UnclaimVoucher(r, auth) | Request::ClaimVoucher(r, auth) => {
            let (encoded, path) = match req {
                Request::ClaimVoucher(..) => (f::spaaza_claim_voucher(r, *auth), "/claim-voucher"),
                _ => (f::spaaza_unclaim_voucher(r, *auth), "/unclaim-voucher"),
            };
            encoded.map(|enc| {
                let value_of = |k: &str| match k {
                    "chain_id" => id(r.chain_id),
                    "voucher_key" => r.voucher_key.clone(),
                    "voucher_id" => id(r.voucher_id),
                    "third_party_id" => id(r.third_party_id),
                    "user_id" => id(r.user_id),
                    "member_number" => r.member_number.clone(),
                    "username" => r.username.clone().inspect(|u| assert!(u.contains('@'))),
                    "authentication_point_identifier" => r.authentication_point_identifier.clone(),
                    "auxiliary_identifier" => r.auxiliary_identifier.clone(),
                    _ => None,
                };
                let mut required: Vec<&[&str]> =
                    vec![&["voucher_key", "voucher_id", "third_party_id"]];
                if *auth == SpaazaAuth::Admin {
                    required.push(&["chain_id"]);
                }
                if *auth != SpaazaAuth::User {
                    required.push(&[
                        "user_id",
                        "member_number",
                        "username",
                        "authentication_point_identifier",
                        "auxiliary_identifier",
                    ]);
                }
                spaaza_form(&enc, "POST", path, value_of, &required);
            })
        }
        Request::LockVoucher(r) => f::spaaza_lock_voucher(r).map(|enc| {
            let value_of = |k: &str| match k {
                "voucher_key" => r.voucher_key.clone(),
                "voucher_id" => id(r.voucher_id),
                "retailer_basket_code" => Some(r.retailer_basket_code.clone()),
                "voucher_lock_period" => {
                    id(Some(r.voucher_lock_period.unwrap_or(DEFAULT_LOCK_PERIOD)))
                }
                "voucher_locking_code" => r.voucher_locking_code.clone(),
                _ => None,
            };
            spaaza_form(
                &enc,
                "PUT",
                "/lock-voucher",
                value_of,
                &[
                    &["voucher_key", "voucher_id"],
                    &["retailer_basket_code"],
                    &["voucher_lock_period"],
                ],
            );
        }),
        Request::GetVouchers(r, auth) => f::spaaza_get_vouchers(r, *auth).map(|enc| {
            assert_ne!(*auth, SpaazaAuth::User);
            let value_of = |k: &str| match k {
                "chain_id" => id(Some(r.chain_id)),
                "voucher_id" => id(r.voucher_id),
                "user_id" => id(r.user_id),
                "campaign_id" => id(r.campaign_id),
                "number_results" => id(r.number_results),
                "results_offset" => r
                    .results_offset
                    .inspect(|o| assert!(*o >= 0))
                    .map(|o| o.to_string()),
                "username" => r.username.clone(),
                "member_number" => r.member_number.clone(),
                "authentication_point_identifier" => r.authentication_point_identifier.clone(),
                "show_all_statuses" => flag(r.show_all_statuses),
                "show_redeemed" => flag(r.show_redeemed),
                "show_expired" => flag(r.show_expired),
                "exclude_regenerated" => flag(r.exclude_regenerated),
                "min_created_datetime" => r.min_created_datetime.clone(),
                "max_created_datetime" => r.max_created_datetime.clone(),
                "min_expiry_datetime" => r.min_expiry_datetime.clone(),
                "max_expiry_datetime" => r.max_expiry_datetime.clone(),
                "min_redeemed_datetime" => r.min_redeemed_datetime.clone(),
                "max_redeemed_datetime" => r.max_redeemed_datetime.clone(),
                _ => None,
            };
            spaaza_form(&enc, "GET", "/get-vouchers", value_of, &[&["chain_id"]]);
        }),
        _ => return None,
    };
    Some(outcome)
}

fuzz_target!(|data: &[u8]| {
    let req = request(data);
    if let Some(outcome) = smartgift(&req) {
        if let Err(e) = outcome {
            check_refusal(&e, Provider::SmartGift);
        }
    } else if let Some(Err(e)) = spaaza(&req) {
        check_refusal(&e, Provider::Spaaza);
    }
});
