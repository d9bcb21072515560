//! No secret at any log level, from any crate (docs/design.md, "Hardening rules").
//!
//! This test binary installs a `log` backend that keeps every record at TRACE, from
//! every crate (ureq and ureq-proto dump whole request heads there), runs calls of both
//! providers and all auth modes, including failures and a proxy with credentials, and
//! then looks for each secret in the records: as text, and inside the hex dumps
//! reassembled into the bytes they show.

use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;
use voucherkit_core::ClientOptions;
use voucherkit_core::smartgift::{CheckRequest, RedeemRequest, SmartGift, SmartGiftConfig};
use voucherkit_core::spaaza::{
    GetVouchersRequest, RedeemVoucherRequest, Spaaza, SpaazaAuth, SpaazaConfig,
};
use voucherkit_sandbox::{Answer, Fault, ScriptedServer};

const KEY: &str = "sk_live_SECRETKEY_smartgift_0123456789";
const SESSION: &str = "SECRETSESSION_spaaza_abcdefghijkl";
const TOKEN: &str = "SECRETBEARER_token_zyxwvutsrq987";
const PROXY_PASSWORD: &str = "SECRETPROXYPASS42";

struct Capture(Mutex<Vec<(String, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }

    fn log(&self, record: &log::Record) {
        self.0
            .lock()
            .unwrap()
            .push((record.target().to_owned(), record.args().to_string()));
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

fn options() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_millis(600),
        max_retries: 1,
        ..ClientOptions::default()
    }
}

/// The bytes a ureq-proto hex-dump row shows: `5052 4f2d …  PRO-…` (16 bytes a row).
fn dumped_bytes(message: &str) -> Option<Vec<u8>> {
    let (hex, _ascii) = message.split_once("  ")?;
    let digits: String = hex.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return None;
    }
    let mut bytes = Vec::new();
    for pair in digits.as_bytes().chunks(2) {
        let pair = std::str::from_utf8(pair).ok()?;
        if pair == "--" {
            continue;
        }
        bytes.push(u8::from_str_radix(pair, 16).ok()?);
    }
    Some(bytes)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn no_record_at_any_level_carries_a_secret() {
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let server = ScriptedServer::start().unwrap();
    server.push(Answer::json(200, &json!({"data": {"remaining_value": 10}})));
    server.push(Answer::json(
        200,
        &json!({"data": {"message": "The voucher has been redeemed.", "redemptions": [1]}}),
    ));
    server.push(Answer::fault(Fault::Reset));
    server.push(Answer::json(401, &json!({"message": "Unauthenticated."})));
    let sg = SmartGift::new(SmartGiftConfig {
        base_url: Some(server.url()),
        options: options(),
        ..SmartGiftConfig::new(KEY)
    })
    .unwrap();
    sg.check(&CheckRequest::new("V1", 12)).unwrap();
    sg.redeem(&RedeemRequest::money("V1", 12, "1.00")).unwrap();
    let _ = sg.redeem(&RedeemRequest::money("V1", 12, "1.00"));
    let _ = sg.check(&CheckRequest::new("V1", 12));

    let ok = json!({"result": {"code": 1, "status": "ok"}, "results": {"voucher_id": 1}});
    let vouchers = json!({"result": {"code": 1, "status": "ok"}, "results": {"vouchers": []}});
    server.push(Answer::json(200, &ok));
    server.push(Answer::json(200, &vouchers));
    server.push(Answer::fault(Fault::Stall));
    let sp = Spaaza::new(SpaazaConfig {
        base_url: Some(server.url()),
        options: options(),
        ..SpaazaConfig::admin(7, SESSION)
    })
    .unwrap();
    let redeem = RedeemVoucherRequest {
        chain_id: 2,
        voucher_id: Some(1),
        ..Default::default()
    };
    sp.redeem_voucher(&redeem).unwrap();
    sp.get_vouchers(&GetVouchersRequest {
        chain_id: 2,
        ..Default::default()
    })
    .unwrap();
    let _ = sp.redeem_voucher(&redeem);

    server.push(Answer::json(200, &ok));
    let privileged = Spaaza::new(SpaazaConfig {
        auth: SpaazaAuth::Privileged,
        bearer_token: Some(TOKEN.into()),
        app_hostname: Some("till.example.com".into()),
        base_url: Some(server.url()),
        options: options(),
        ..SpaazaConfig::admin(7, SESSION)
    })
    .unwrap();
    privileged.redeem_voucher(&redeem).unwrap();

    // Through a proxy with credentials: the CONNECT, then the request in the tunnel.
    let proxy = ScriptedServer::start().unwrap();
    proxy.push(Answer::new(200));
    proxy.push(Answer::json(200, &json!({"data": {"remaining_value": 10}})));
    let proxied = SmartGift::new(SmartGiftConfig {
        base_url: Some("http://vouchers.example.com".into()),
        options: ClientOptions {
            proxy: Some(format!(
                "http://till:{PROXY_PASSWORD}@127.0.0.1:{}",
                proxy.port()
            )),
            allow_insecure_http: true,
            ..options()
        },
        ..SmartGiftConfig::new(KEY)
    })
    .unwrap();
    proxied.check(&CheckRequest::new("V1", 12)).unwrap();
    assert_eq!(proxy.requests()[1].header("smart-auth"), Some(KEY));

    // The secrets did go out on the wire, in full.
    let wire = server.requests();
    assert_eq!(wire[0].header("smart-auth"), Some(KEY));
    assert!(
        wire.iter()
            .any(|r| r.header("x-spaaza-session-key") == Some(SESSION))
    );
    let bearer = format!("Bearer {TOKEN}");
    assert!(
        wire.iter()
            .any(|r| r.header("authorization") == Some(bearer.as_str()))
    );

    let records = CAPTURE.0.lock().unwrap().clone();
    assert!(
        records
            .iter()
            .any(|(target, _)| target.starts_with("ureq_proto")),
        "ureq-proto's TRACE records were captured (the test would prove nothing otherwise)"
    );
    let mut dumped = Vec::new();
    for (target, message) in &records {
        for secret in [KEY, SESSION, TOKEN, PROXY_PASSWORD] {
            assert!(
                !message.contains(secret),
                "{target} logged a secret: {message}"
            );
        }
        if let Some(bytes) = dumped_bytes(message) {
            dumped.extend(bytes);
        }
    }
    assert!(
        contains(&dumped, "POST /redeem HTTP/1.1"),
        "the hex dumps were reassembled into request heads"
    );
    for secret in [KEY, SESSION, TOKEN, PROXY_PASSWORD] {
        assert!(!contains(&dumped, secret), "a hex dump carries {secret}");
    }
}
