//! The dashboard's page and the control endpoints it reads (`/__sandbox/state`,
//! `/exchanges`, `/faults` GET, `/journal`), over real HTTP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};
use voucherkit_core::journal::{EntryFilter, Journal};
use voucherkit_core::smartgift::{HoldRequest, RedeemRequest, SmartGift, SmartGiftConfig};
use voucherkit_core::spaaza::{LockVoucherRequest, Spaaza, SpaazaConfig};
use voucherkit_core::{ClientOptions, ErrorKind};
use voucherkit_sandbox::{Fault, FaultRule, Sandbox};

const HUNDRED: &str = "1000000001";

/// One raw HTTP/1.1 request: status, headers (lower-cased names) and body text.
fn http(
    sb: &Sandbox,
    method: &str,
    path: &str,
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", sb.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn get_json(sb: &Sandbox, path: &str) -> Value {
    let (status, _, body) = http(sb, "GET", path, "");
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn options(timeout: Duration) -> ClientOptions {
    ClientOptions {
        timeout,
        max_retries: 0,
        ..ClientOptions::default()
    }
}

fn smartgift(sb: &Sandbox, journal: Option<Journal>, timeout: Duration) -> SmartGift {
    let mut config = SmartGiftConfig::new(sb.smartgift_key());
    config.base_url = Some(sb.smartgift_url());
    config.options = options(timeout);
    config.journal = journal;
    SmartGift::new(config).unwrap()
}

fn smartgift_voucher<'a>(state: &'a Value, voucher_no: &str) -> &'a Value {
    state["smartgift"]["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["voucher_no"] == voucher_no)
        .unwrap()
}

#[test]
fn the_page_and_its_files_are_served_with_their_content_types_and_not_recorded() {
    let sb = Sandbox::start().unwrap();
    assert_eq!(sb.dashboard_url(), format!("{}/", sb.url()));
    let (status, headers, body) = http(&sb, "GET", "/", "");
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(body.starts_with("<!doctype html>"), "{body}");
    assert!(body.contains("<title>voucherkit sandbox</title>"));
    // Nothing external: the page's only references are the sandbox's own files.
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "{body}"
    );
    for (file, content_type) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
    ] {
        let path = format!("/__sandbox/dashboard/{file}");
        assert!(body.contains(&path), "the page loads {path}");
        let (status, headers, text) = http(&sb, "GET", &path, "");
        assert_eq!(status, 200, "{path}");
        assert_eq!(header(&headers, "content-type"), Some(content_type));
        assert!(!text.is_empty() && !text.contains("https://"));
    }
    let (status, _, body) = http(&sb, "GET", "/__sandbox/dashboard/nope.js", "");
    assert_eq!(status, 404, "{body}");
    // The script reads only control endpoints.
    let (_, _, script) = http(&sb, "GET", "/__sandbox/dashboard/app.js", "");
    for endpoint in [
        "/__sandbox/state",
        "/__sandbox/exchanges",
        "/__sandbox/faults",
        "/__sandbox/journal",
    ] {
        assert!(script.contains(endpoint), "{endpoint}");
    }
    // The dashboard is not a provider request.
    assert!(sb.requests().is_empty());
    assert_eq!(get_json(&sb, "/__sandbox/exchanges")["total"], 0);
    // Any other method on / is still an unknown provider path, as before.
    let (status, _, _) = http(&sb, "POST", "/", "");
    assert_eq!(status, 404);
    assert_eq!(sb.requests().len(), 1);
}

#[test]
fn state_shows_balances_statuses_holds_and_locks_with_time_left() {
    let sb = Sandbox::start().unwrap();
    let state = get_json(&sb, "/__sandbox/state");
    let v = smartgift_voucher(&state, HUNDRED);
    assert_eq!(v["balance"], json!(100));
    assert_eq!(v["status"], "available");
    assert_eq!(v["holds"], json!([]));
    assert_eq!(
        smartgift_voucher(&state, "1000000005")["status"],
        "redeemed"
    );
    assert_eq!(smartgift_voucher(&state, "1000000004")["status"], "expired");
    assert!(state["unix"].as_i64().unwrap() > 0);

    let sg = smartgift(&sb, None, Duration::from_secs(10));
    let token = sg
        .hold(&HoldRequest {
            voucher_no: HUNDRED.into(),
        })
        .unwrap()
        .hold_token;
    sg.redeem(&RedeemRequest::money(HUNDRED, 12, "12.50"))
        .unwrap_err(); // held by another: refused
    let mut redeem = RedeemRequest::money(HUNDRED, 12, "12.50");
    redeem.hold_token = Some(token.clone());
    sg.redeem(&redeem).unwrap();
    let hold2 = sg
        .hold(&HoldRequest {
            voucher_no: "1000000002".into(),
        })
        .unwrap()
        .hold_token;
    sb.advance_clock(Duration::from_secs(60));

    let sp = {
        let mut config = SpaazaConfig::admin(sb.spaaza_session_user_id(), sb.spaaza_session_key());
        config.base_url = Some(sb.spaaza_url());
        config.options = options(Duration::from_secs(10));
        Spaaza::new(config).unwrap()
    };
    sp.lock_voucher(&LockVoucherRequest {
        voucher_id: Some(35_735),
        retailer_basket_code: "RCPT-1".into(),
        voucher_lock_period: Some(300),
        ..LockVoucherRequest::default()
    })
    .unwrap();
    sb.advance_clock(Duration::from_secs(100));

    let state = get_json(&sb, "/__sandbox/state");
    let v = smartgift_voucher(&state, HUNDRED);
    assert_eq!(v["balance"], json!(87.5), "{v}");
    let held = smartgift_voucher(&state, "1000000002");
    assert_eq!(held["status"], "held", "{held}");
    let hold = &held["holds"][0];
    // Five minutes, 160 s of them gone (a second of slack for the real clock).
    let left = hold["seconds_left"].as_i64().unwrap();
    assert!((139..=140).contains(&left), "{hold}");
    // Hold tokens are redacted like keys.
    assert_ne!(hold["hold_token"], json!(hold2), "{hold}");
    assert!(hold["hold_token"].as_str().unwrap().starts_with('…'));
    let locked = state["spaaza"]["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["voucher_id"] == 35_735)
        .unwrap();
    let lock = &locked["lock"];
    assert_eq!(lock["basket_code"], "RCPT-1", "{locked}");
    let left = lock["seconds_left"].as_i64().unwrap();
    assert!((199..=200).contains(&left), "{lock}");
    let unlocked = state["spaaza"]["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["voucher_id"] != 35_735)
        .unwrap();
    assert_eq!(unlocked["lock"], Value::Null);

    // Once their time is up, neither shows.
    sb.advance_clock(Duration::from_secs(300));
    let state = get_json(&sb, "/__sandbox/state");
    assert_eq!(smartgift_voucher(&state, "1000000002")["holds"], json!([]));
    assert_eq!(
        smartgift_voucher(&state, "1000000002")["status"],
        "available"
    );
    // The loadable data set is unchanged in shape (no view fields in it).
    let data = get_json(&sb, "/__sandbox/data");
    assert!(data["smartgift"]["vouchers"][0].get("status").is_none());
}

#[test]
fn exchanges_list_the_last_requests_with_status_fault_and_duration() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb, None, Duration::from_millis(700));
    sg.redeem(&RedeemRequest::money(HUNDRED, 12, "1.00"))
        .unwrap();
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Stall)
            .processed()
            .times(1),
    );
    let err = sg
        .redeem(&RedeemRequest::money(HUNDRED, 12, "1.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    sb.inject(
        FaultRule::fault(
            "/smartgift/redeem/check",
            Fault::Delay(Duration::from_millis(150)),
        )
        .processed()
        .times(1),
    );
    let (status, _, _) = http(
        &sb,
        "POST",
        "/spaaza/get-vouchers?session_key=abcdefghijklmnop",
        "",
    );
    assert_eq!(status, 405);
    let (status, _, _) = http(&sb, "POST", "/smartgift/redeem/check", "{}");
    assert_eq!(status, 401);

    let log = get_json(&sb, "/__sandbox/exchanges");
    assert_eq!(log["total"], 4);
    let x = log["exchanges"].as_array().unwrap();
    // Newest first.
    let seqs: Vec<i64> = x.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [4, 3, 2, 1]);
    assert_eq!(x[3]["method"], "POST");
    assert_eq!(x[3]["path"], "/smartgift/redeem");
    assert_eq!(x[3]["status"], 200);
    assert_eq!(x[3]["faulted"], false);
    assert!(x[3]["duration_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        x[2]["status"],
        Value::Null,
        "a stall sends no status: {}",
        x[2]
    );
    assert_eq!(x[2]["fault"], json!({"kind": "stall"}));
    assert_eq!(x[2]["duration_ms"], Value::Null);
    assert_eq!(x[2]["faulted"], true);
    assert_eq!(
        x[1]["path"], "/spaaza/get-vouchers?session_key=…mnop",
        "keys redacted"
    );
    assert_eq!(x[0]["status"], 401);
    assert!(x[0]["duration_ms"].as_f64().unwrap() >= 150.0, "{}", x[0]);
    assert_eq!(x[0]["fault"], json!({"kind": "delay", "ms": 150}));

    let last = get_json(&sb, "/__sandbox/exchanges?last=1");
    assert_eq!(last["exchanges"].as_array().unwrap().len(), 1);
    assert_eq!(last["total"], 4);
    let (status, _, body) = http(&sb, "GET", "/__sandbox/exchanges?last=many", "");
    assert_eq!(status, 400);
    assert!(body.contains("last"), "{body}");

    http(&sb, "POST", "/__sandbox/reset", "");
    assert_eq!(
        get_json(&sb, "/__sandbox/exchanges"),
        json!({"total": 0, "exchanges": []})
    );
}

#[test]
fn faults_can_be_listed_and_the_old_verbs_still_work() {
    let sb = Sandbox::start().unwrap();
    assert_eq!(get_json(&sb, "/__sandbox/faults"), json!({"faults": []}));
    let rules = json!([
        {"path": "/smartgift/redeem", "process": true, "times": 2, "answer": {"fault": {"kind": "reset"}}},
        {"path": "/spaaza/auth/redeem-voucher", "answer": {"status": 503, "body_text": "down"}},
    ]);
    let (status, _, body) = http(&sb, "POST", "/__sandbox/faults", &rules.to_string());
    assert_eq!((status, body.as_str()), (200, r#"{"faults":2}"#));
    assert_eq!(
        get_json(&sb, "/__sandbox/faults"),
        json!({"faults": [
            {"path": "/smartgift/redeem", "process": true, "times": 2, "real_answer": true,
             "status": null, "fault": {"kind": "reset"}},
            {"path": "/spaaza/auth/redeem-voucher", "process": false, "times": null,
             "real_answer": false, "status": 503, "fault": null},
        ]})
    );
    // `times` counts down as rules are used.
    let sg = smartgift(&sb, None, Duration::from_secs(5));
    sg.redeem(&RedeemRequest::money(HUNDRED, 12, "1.00"))
        .unwrap_err();
    assert_eq!(get_json(&sb, "/__sandbox/faults")["faults"][0]["times"], 1);

    let (status, headers, _) = http(&sb, "PUT", "/__sandbox/faults", "");
    assert_eq!(status, 405);
    assert_eq!(header(&headers, "allow"), Some("GET, POST, DELETE"));
    let (status, _, body) = http(&sb, "DELETE", "/__sandbox/faults", "");
    assert_eq!((status, body.as_str()), (200, r#"{"cleared":2}"#));
    assert_eq!(get_json(&sb, "/__sandbox/faults"), json!({"faults": []}));
}

#[test]
fn the_journal_is_listed_by_state_once_given() {
    let sb = Sandbox::start().unwrap();
    let empty = get_json(&sb, "/__sandbox/journal");
    assert_eq!(
        empty,
        json!({"path": null,
               "counts": {"pending": 0, "unknown": 0, "applied": 0, "not_applied": 0},
               "states": {"pending": [], "unknown": [], "applied": [], "not_applied": []}})
    );

    let dir = std::env::temp_dir().join(format!("vk-dashboard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("journal.db");
    let _ = std::fs::remove_file(&path);
    let journal = Journal::open(&path).unwrap();
    let sg = smartgift(&sb, Some(journal.clone()), Duration::from_millis(700));
    let mut ok = RedeemRequest::money(HUNDRED, 12, "5.00");
    ok.reference = Some("sale-1".into());
    sg.redeem(&ok).unwrap();
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Stall)
            .processed()
            .times(1),
    );
    assert_eq!(
        sg.redeem(&RedeemRequest::money(HUNDRED, 12, "5.00"))
            .unwrap_err()
            .kind,
        ErrorKind::OutcomeUnknown
    );

    // As the CLI does: a second handle on the file, listed through the core's API.
    let reader = Journal::open(&path).unwrap();
    sb.show_journal(path.display().to_string(), move || {
        let entries = reader
            .entries(&EntryFilter::default())
            .map_err(|e| e.to_string())?;
        entries
            .iter()
            .map(|e| serde_json::to_value(e).map_err(|e| e.to_string()))
            .collect()
    });
    let listing = get_json(&sb, "/__sandbox/journal");
    assert_eq!(listing["path"], path.display().to_string());
    assert_eq!(
        listing["counts"],
        json!({"pending": 0, "unknown": 1, "applied": 1, "not_applied": 0}),
        "{listing:#}"
    );
    let applied = &listing["states"]["applied"][0];
    assert_eq!(applied["reference"], "sale-1");
    assert_eq!(applied["operation"], "redeem");
    assert_eq!(applied["provider"], "smartgift");
    // Entries never carry the key.
    assert!(!listing.to_string().contains(&sb.smartgift_key()));

    // A journal that cannot be read is a 500 naming the problem, not a crash.
    sb.show_journal("broken", || Err("disk gone".into()));
    let (status, _, body) = http(&sb, "GET", "/__sandbox/journal", "");
    assert_eq!(status, 500);
    assert!(body.contains("disk gone"), "{body}");
    std::fs::remove_dir_all(&dir).ok();
}
