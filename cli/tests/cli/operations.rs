//! Provider operations and what they send: Spaaza partial redeems and filters, Smart
//! Gift holds and checks.

use serde_json::{Value, json};
use voucherkit_sandbox::{Answer, ScriptedServer};

use crate::support::{rfc3339_millis, sg_env, sp_env, text, voucherkit};

#[test]
fn spaaza_partial_redeem_shows_the_regenerated_voucher() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/conformance/bodies/spaaza-redeem-voucher-success.json"
    ))
    .unwrap();
    server.push(Answer::new(200).with_body(body));
    let out = voucherkit(
        &[
            "spaaza",
            "redeem-voucher",
            "--chain-id",
            "2",
            "--voucher-id",
            "438595",
            "--amount",
            "2.00",
            "--base-url",
            &url,
        ],
        &sp_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("voucher_status: redeemed"), "{shown}");
    assert!(shown.contains("regenerated_voucher:"), "{shown}");
    assert!(shown.contains("  voucher_amount: 8"), "{shown}");
    let form = server.requests()[0].form();
    assert!(form.contains(&("amount".into(), "2.00".into())), "{form:?}");
}

#[test]
fn smartgift_hold_json_carries_received_at() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let key = sb.smartgift_key();
    let url = sb.smartgift_url();
    let out = voucherkit(
        &[
            "smartgift",
            "hold",
            "--voucher-no",
            "1000000001",
            "--base-url",
            &url,
            "--json",
        ],
        &[("SMARTGIFT_API_KEY", key.as_str())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["hold_token"].as_str().is_some_and(|t| !t.is_empty()),
        "{v}"
    );
    let at = rfc3339_millis(v["received_at"].as_str().expect("received_at is text"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((now - at).abs() < 60_000, "received_at {v} vs now {now}");
    // People see it too.
    let held = voucherkit(
        &[
            "smartgift",
            "hold",
            "--voucher-no",
            "1000000002",
            "--base-url",
            &url,
        ],
        &[("SMARTGIFT_API_KEY", key.as_str())],
    );
    assert_eq!(held.status.code(), Some(0), "{}", text(&held));
    assert!(
        String::from_utf8_lossy(&held.stdout).contains("received_at: 20"),
        "{}",
        text(&held)
    );
}

#[test]
fn smartgift_check_sends_meta_conditions() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    server.push(Answer::json(
        200,
        &json!({"data": {"id": 1, "voucher_no": "V1", "remaining_value": 10, "type": "monetary", "experiences": []}}),
    ));
    let out = voucherkit(
        &[
            "smartgift",
            "check",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--classification",
            "spa",
            "--meta-condition",
            "used_in:in:hotel,bar",
            "--meta-condition",
            r#"{"key": "area", "operator": "in", "value": ["north, upstairs"]}"#,
            "--base-url",
            &url,
            "--json",
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path_only(), "/redeem/check");
    assert_eq!(
        reqs[0].body_json().unwrap(),
        json!({
            "voucher_no": "V1",
            "site_id": "12",
            "filters": {
                "classifications": ["spa"],
                "meta_conditions": [
                    {"key": "used_in", "operator": "in", "value": ["hotel", "bar"]},
                    {"key": "area", "operator": "in", "value": ["north, upstairs"]}
                ]
            }
        })
    );

    // A malformed condition is a usage error; nothing is sent.
    for bad in [
        "used_in",
        "used_in:in",
        r#"{"key": "k", "value": ["v"]}"#,
        "{not json",
    ] {
        let out = voucherkit(
            &[
                "smartgift",
                "check",
                "--voucher-no",
                "V1",
                "--site-id",
                "12",
                "--meta-condition",
                bad,
                "--base-url",
                &url,
            ],
            &sg_env(),
        );
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out));
        assert!(text(&out).contains("--meta-condition"), "{}", text(&out));
    }
    // An empty key is the core's to refuse, naming the field.
    let out = voucherkit(
        &[
            "smartgift",
            "check",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--meta-condition",
            ":in:x",
            "--base-url",
            &url,
            "--json",
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(11), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["field"], "meta_conditions");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn spaaza_get_vouchers_sends_every_filter() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    server.push(Answer::json(
        200,
        &json!({"result": {"code": 1, "status": "ok"}, "results": {"results_count_total": 0, "vouchers": []}}),
    ));
    let out = voucherkit(
        &[
            "spaaza",
            "get-vouchers",
            "--chain-id",
            "2",
            "--voucher-id",
            "438595",
            "--user-id",
            "7",
            "--username",
            "ann@example.com",
            "--member-number",
            "M-42",
            "--authentication-point-identifier",
            "card 9",
            "--campaign-id",
            "31",
            "--show-all-statuses",
            "--show-redeemed",
            "--show-expired",
            "--exclude-regenerated",
            "--number-results",
            "20",
            "--results-offset",
            "40",
            "--min-created-datetime",
            "2026-01-01T00:00:00Z",
            "--max-created-datetime",
            "2026-01-31T23:59:59Z",
            "--min-expiry-datetime",
            "2026-02-01T00:00:00+01:00",
            "--max-expiry-datetime",
            "2026-12-31T00:00:00Z",
            "--min-redeemed-datetime",
            "2026-03-01T00:00:00Z",
            "--max-redeemed-datetime",
            "2026-03-31T00:00:00Z",
            "--base-url",
            &url,
            "--json",
        ],
        &sp_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["results_count_total"], 0);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path_only(), "/get-vouchers");
    let sent: Vec<(String, String)> = reqs[0].query();
    let expected: Vec<(String, String)> = [
        ("chain_id", "2"),
        ("voucher_id", "438595"),
        ("user_id", "7"),
        ("username", "ann@example.com"),
        ("member_number", "M-42"),
        ("authentication_point_identifier", "card 9"),
        ("campaign_id", "31"),
        ("show_all_statuses", "true"),
        ("show_redeemed", "true"),
        ("show_expired", "true"),
        ("exclude_regenerated", "true"),
        ("number_results", "20"),
        ("results_offset", "40"),
        ("min_created_datetime", "2026-01-01T00:00:00Z"),
        ("max_created_datetime", "2026-01-31T23:59:59Z"),
        ("min_expiry_datetime", "2026-02-01T00:00:00+01:00"),
        ("max_expiry_datetime", "2026-12-31T00:00:00Z"),
        ("min_redeemed_datetime", "2026-03-01T00:00:00Z"),
        ("max_redeemed_datetime", "2026-03-31T00:00:00Z"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(sent, expected);

    // A negative offset is refused by the core before anything is sent.
    let out = voucherkit(
        &[
            "spaaza",
            "get-vouchers",
            "--chain-id",
            "2",
            "--results-offset",
            "-1",
            "--base-url",
            &url,
            "--json",
        ],
        &sp_env(),
    );
    assert_eq!(out.status.code(), Some(11), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["field"], "results_offset");
    assert_eq!(server.requests().len(), 1);
}
