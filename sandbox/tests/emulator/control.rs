//! Faults, the control endpoint, forms, data sets, threads and fixed ports.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use voucherkit_core::ErrorKind;
use voucherkit_core::smartgift::{CheckRequest, RedeemRequest};
use voucherkit_core::spaaza::RedeemVoucherRequest;
use voucherkit_sandbox::{Answer, DataSet, Fault, FaultRule, Sandbox, SandboxOptions};

use crate::support::{
    HUNDRED, TWENTY_FIVE, dec, keys, remaining, smartgift, smartgift_with, spaaza,
};

#[test]
fn a_redeem_whose_answer_is_lost_happened_and_check_shows_it() {
    let sb = Sandbox::start().unwrap();
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Stall)
            .processed()
            .times(1),
    );
    let impatient = smartgift_with(&sb, &sb.smartgift_key(), Duration::from_millis(800));
    let err = impatient
        .redeem(&RedeemRequest::money(HUNDRED, 12, "10.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    // Reconcile: the provider acted.
    let sg = smartgift(&sb);
    assert_eq!(remaining(&sg, HUNDRED), dec("90"));

    // A gateway error without processing: outcome unknown too, but nothing happened.
    sb.inject(
        FaultRule::new(
            "/smartgift/redeem",
            Answer::text(502, "text/html", "<html>Bad Gateway</html>"),
        )
        .times(1),
    );
    let err = sg
        .redeem(&RedeemRequest::money(HUNDRED, 12, "10.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(remaining(&sg, HUNDRED), dec("90"));

    // A processed answer cut in half.
    sb.inject(FaultRule::fault("/smartgift/redeem", Fault::Truncate).processed());
    let err = sg
        .redeem(&RedeemRequest::money(HUNDRED, 12, "1.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    sb.clear_faults();
    assert_eq!(remaining(&sg, HUNDRED), dec("89"));
    let paths: Vec<String> = sb.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.len(), 6);
    assert!(paths.iter().all(|p| p.starts_with("/smartgift/redeem")));
}

/// One raw HTTP/1.1 request; returns the status and the JSON body.
fn raw(sb: &Sandbox, method: &str, path: &str, headers: &str, body: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(("127.0.0.1", sb.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n{headers}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn the_control_endpoint_drives_it_over_http() {
    let sb = Sandbox::start().unwrap();
    let key = format!(
        "Smart-Auth: {}\r\nContent-Type: application/json\r\n",
        sb.smartgift_key()
    );
    let check = format!(r#"{{"voucher_no":"{HUNDRED}","site_id":"12"}}"#);
    let hold_body = format!(r#"{{"voucher_no":"{HUNDRED}"}}"#);

    assert_eq!(
        raw(&sb, "GET", "/__sandbox/health", "", ""),
        (200, json!({"ok": true}))
    );
    let rule = json!([{"path": "/smartgift/redeem/check", "times": 1,
        "answer": {"status": 429, "headers": {"Retry-After": "30"}, "body": {"message": "Too Many Attempts."}}}]);
    assert_eq!(
        raw(&sb, "POST", "/__sandbox/faults", "", &rule.to_string()),
        (200, json!({"faults": 1}))
    );
    let (status, body) = raw(&sb, "POST", "/smartgift/redeem/check", &key, &check);
    assert_eq!(
        (status, body["message"].as_str()),
        (429, Some("Too Many Attempts."))
    );
    let (status, body) = raw(&sb, "POST", "/smartgift/redeem/check", &key, &check);
    assert_eq!(
        (status, &body["data"]["remaining_value"]),
        (200, &json!(100))
    );
    let (status, body) = raw(&sb, "POST", "/__sandbox/faults", "", r#"{"path": "nope"}"#);
    assert_eq!(status, 400, "{body}");

    // The clock, over HTTP.
    assert_eq!(
        raw(&sb, "POST", "/smartgift/redeem/hold", &key, &hold_body).0,
        200
    );
    assert_eq!(
        raw(&sb, "POST", "/smartgift/redeem/hold", &key, &hold_body).0,
        422
    );
    let (status, now) = raw(
        &sb,
        "POST",
        "/__sandbox/clock",
        "",
        r#"{"advance_seconds": 301}"#,
    );
    assert_eq!(status, 200);
    assert!(now["now"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(
        raw(&sb, "POST", "/smartgift/redeem/hold", &key, &hold_body).0,
        200
    );

    // State and log.
    let redeem = format!(r#"{{"voucher_no":"{TWENTY_FIVE}","site_id":"12","value":5}}"#);
    assert_eq!(raw(&sb, "POST", "/smartgift/redeem", &key, &redeem).0, 200);
    let (_, data) = raw(&sb, "GET", "/__sandbox/data", "", "");
    assert_eq!(data["smartgift"]["vouchers"][1]["value"], "20.00");
    assert_eq!(data["smartgift"]["holds"].as_array().unwrap().len(), 1);
    let (_, log) = raw(&sb, "GET", "/__sandbox/requests", "", "");
    assert_eq!(log.as_array().unwrap().len(), 6);
    assert_eq!(log[5]["path"], "/smartgift/redeem");

    // Faults cleared, reset to the start.
    let rule = r#"{"path": "/smartgift/redeem", "answer": {"fault": {"kind": "close"}}}"#;
    assert_eq!(raw(&sb, "POST", "/__sandbox/faults", "", rule).0, 200);
    assert_eq!(
        raw(&sb, "DELETE", "/__sandbox/faults", "", ""),
        (200, json!({"cleared": 1}))
    );
    assert_eq!(raw(&sb, "POST", "/__sandbox/reset", "", "").0, 200);
    let (_, data) = raw(&sb, "GET", "/__sandbox/data", "", "");
    assert_eq!(
        serde_json::from_value::<DataSet>(data).unwrap(),
        DataSet::demo()
    );
    assert!(sb.requests().is_empty());
    assert_eq!(raw(&sb, "GET", "/nowhere", "", "").0, 404);
}

#[test]
fn spaaza_takes_url_encoded_and_multipart_forms() {
    let sb = Sandbox::start().unwrap();
    let admin = format!(
        "X-Spaaza-Session-User-Id: {}\r\nX-Spaaza-Session-Key: {}\r\n",
        sb.spaaza_session_user_id(),
        sb.spaaza_session_key()
    );
    let form = format!("{admin}Content-Type: application/x-www-form-urlencoded\r\n");
    let (status, body) = raw(
        &sb,
        "PUT",
        "/spaaza/unlock-voucher",
        &form,
        "voucher_id=35735",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], json!({"code": 1, "status": "ok"}));
    let unlock_seed_fields = [
        "voucher_key",
        "voucher_id",
        "voucher_status",
        "voucher_locked",
        "campaign_id",
        "campaign_type",
        "campaign_title",
        "voucher_expiry_datetime_utc",
        "voucher_expiry_seconds_remaining",
        "voucher_currency_id",
        "voucher_currency_symbol",
        "voucher_amount_original",
        "voucher_amount_redeemed",
        "voucher_amount",
        "voucher_text",
        "user_id",
        "user_entity_card",
        "result_type",
    ];
    assert_eq!(keys(&body["results"]), unlock_seed_fields);

    let multipart = format!("{admin}Content-Type: multipart/form-data; boundary=XyZ\r\n");
    let parts = "--XyZ\r\nContent-Disposition: form-data; name=\"voucher_id\"\r\n\r\n438595\r\n\
                 --XyZ\r\nContent-Disposition: form-data; name=\"chain_id\"\r\n\r\n2\r\n\
                 --XyZ\r\nContent-Disposition: form-data; name=\"amount\"\r\n\r\n2.5\r\n--XyZ--\r\n";
    let (status, body) = raw(
        &sb,
        "POST",
        "/spaaza/auth/redeem-voucher",
        &multipart,
        parts,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["results"]["regenerated_voucher"]["voucher_amount"],
        json!(7.5)
    );

    let (status, body) = raw(
        &sb,
        "POST",
        "/spaaza/auth/redeem-voucher",
        &form,
        "voucher_id=35735",
    );
    assert_eq!(status, 400);
    assert_eq!(body["error"]["name"], "missing_parameter");
    assert_eq!(body["result"], json!({"code": 2, "status": "error"}));
    assert_eq!(raw(&sb, "POST", "/spaaza/lock-voucher", &form, "").0, 405);
}

#[test]
fn data_sets_round_trip_and_load_from_files() {
    let demo = DataSet::demo();
    assert_eq!(DataSet::from_json(&demo.to_json_pretty()).unwrap(), demo);

    let custom = r#"{
      "smartgift": {
        "companies": [{"id": 7, "name": "Tea Rooms", "api_keys": ["sk_tea"], "sites": ["1"]}],
        "vouchers": [{"voucher_no": "TEA-1", "company_id": 7, "type": "monetary",
                      "name": "Tea for two", "value": "12.50", "valid_until": "2031-01-01T00:00:00Z"}]
      },
      "spaaza": {
        "chains": [{"id": 9, "name": "Shop", "app_hostname": "shop.spaaza.com",
                    "admins": [{"user_id": 90, "session_key": "k90"}]}],
        "vouchers": [{"voucher_id": 1, "voucher_key": "ab", "chain_id": 9, "status": "generated",
                      "amount": "4", "campaign_id": 1, "campaign_title": "C", "campaign_type": "loyalty",
                      "expiry": "2031-01-01 00:00:00"}]
      }
    }"#;
    let dir = std::env::temp_dir().join(format!(
        "voucherkit-sandbox-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("data.json");
    std::fs::write(&file, custom).unwrap();
    let data = DataSet::load(&file).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(DataSet::load(&dir.join("missing.json")).is_err());

    // Pinned to 2030 so the voucher is valid, whatever today is.
    let start = UNIX_EPOCH + Duration::from_secs(1_893_456_000);
    let sb = Sandbox::start_with(SandboxOptions {
        data: Some(data.clone()),
        start_time: Some(start),
        ..SandboxOptions::default()
    })
    .unwrap();
    assert_eq!(sb.data(), &data);
    assert_eq!(sb.smartgift_key(), "sk_tea");
    assert_eq!(
        (
            sb.spaaza_session_user_id(),
            sb.spaaza_session_key().as_str()
        ),
        (90, "k90")
    );
    assert!(sb.now().duration_since(start).unwrap() < Duration::from_secs(60));
    let sg = smartgift(&sb);
    let v = sg.check(&CheckRequest::new("TEA-1", "1")).unwrap();
    assert_eq!(v.remaining_value, Some(dec("12.5")));
    let v = spaaza(&sb)
        .redeem_voucher(&RedeemVoucherRequest {
            chain_id: 9,
            voucher_key: Some("ab".into()),
            ..RedeemVoucherRequest::default()
        })
        .unwrap();
    assert_eq!(v.voucher_amount, Some(dec("4")));
    // A year later the Smart Gift voucher has expired.
    sb.advance_clock(Duration::from_secs(366 * 86_400));
    let err = sg.check(&CheckRequest::new("TEA-1", "1")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherExpired);
    sb.reset();
    assert!(sg.check(&CheckRequest::new("TEA-1", "1")).is_ok());

    let broken = SandboxOptions {
        data: Some(DataSet::from_json(r#"{"spaaza": {}}"#).unwrap()),
        ..SandboxOptions::default()
    };
    assert!(
        Sandbox::start_with(broken).is_ok(),
        "an empty data set is fine"
    );
    let mut bad = DataSet::demo();
    bad.smartgift.vouchers[0].company_id = 42;
    let err = Sandbox::start_with(SandboxOptions {
        data: Some(bad),
        ..SandboxOptions::default()
    })
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn the_example_in_data_md_loads() {
    let doc = include_str!("../../DATA.md");
    let start = doc.find("```json\n").expect("a JSON example") + 8;
    let len = doc[start..].find("```").unwrap();
    let data = DataSet::from_json(&doc[start..start + len]).expect("DATA.md's example");
    assert_eq!(data.smartgift.vouchers.len(), 2);
    assert_eq!(data.spaaza.vouchers[0].voucher_key.len(), 64);
    let sb = Sandbox::start_with(SandboxOptions {
        data: Some(data),
        ..SandboxOptions::default()
    })
    .unwrap();
    let v = smartgift(&sb)
        .check(&CheckRequest::new("TEA-0002", "1"))
        .unwrap();
    assert_eq!(v.experiences.len(), 1, "the fizz is only at site 2");
}

#[test]
fn a_sandbox_is_shareable_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Sandbox>();
    send_sync::<FaultRule>();
    send_sync::<DataSet>();
}

#[test]
fn a_fixed_port_and_stop() {
    let port = {
        let probe = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        probe.local_addr().unwrap().port()
    };
    let sb = Sandbox::start_with(SandboxOptions {
        port: Some(port),
        ..SandboxOptions::default()
    })
    .unwrap();
    assert_eq!(sb.port(), port);
    assert_eq!(sb.url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(sb.spaaza_url(), format!("http://127.0.0.1:{port}/spaaza"));
    sb.stop();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}
