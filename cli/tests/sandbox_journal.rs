//! `voucherkit sandbox --journal PATH`: the served sandbox lists that journal's entries
//! by state at `/__sandbox/journal` (the dashboard's source), and prints the dashboard URL.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use voucherkit_core::journal::Journal;
use voucherkit_core::smartgift::{RedeemRequest, SmartGift, SmartGiftConfig};

/// Kills the served sandbox if the test fails half-way.
struct Served(std::process::Child);
impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(base: &str, path: &str) -> (u16, String) {
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head[9..12].parse().unwrap(), body.to_owned())
}

#[test]
fn sandbox_lists_the_journal_it_is_given_and_prints_the_dashboard_url() {
    let dir = std::env::temp_dir().join(format!("vk-cli-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("till.journal");
    let _ = std::fs::remove_file(&path);

    let mut served = Served(
        Command::new(env!("CARGO_BIN_EXE_voucherkit"))
            .args(["sandbox", "--journal", path.to_str().unwrap()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(served.0.stdout.take().unwrap()).lines();
    let mut dashboard = None;
    let mut key = None;
    let mut smartgift_url = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Dashboard: ") {
            dashboard = rest.split_whitespace().next().map(str::to_owned);
        }
        if let Some(rest) = line.strip_prefix("Smart Gift   base URL ") {
            smartgift_url = Some(rest.trim().to_owned());
        }
        if let Some(rest) = line.trim().strip_prefix("SMARTGIFT_API_KEY=") {
            key = rest.split_whitespace().next().map(str::to_owned);
        }
        if line.starts_with("Control endpoint") {
            break;
        }
    }
    let dashboard = dashboard.expect("the banner prints the dashboard URL");
    assert!(dashboard.starts_with("http://127.0.0.1:") && dashboard.ends_with('/'));
    let (status, page) = get(&dashboard, "/");
    assert_eq!(status, 200);
    assert!(page.contains("voucherkit sandbox"));

    // A till writes the journal while the sandbox serves it.
    let journal = Journal::open(&path).unwrap();
    let mut config = SmartGiftConfig::new(key.expect("the banner prints a key"));
    config.base_url = smartgift_url;
    config.journal = Some(journal);
    let sg = SmartGift::new(config).unwrap();
    let mut redeem = RedeemRequest::money("1000000001", 12, "4.00");
    redeem.reference = Some("sale-42".into());
    sg.redeem(&redeem).unwrap();

    let (status, body) = get(&dashboard, "/__sandbox/journal");
    assert_eq!(status, 200, "{body}");
    let listing: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(listing["path"], path.to_str().unwrap());
    assert_eq!(listing["counts"]["applied"], 1, "{listing:#}");
    assert_eq!(listing["states"]["applied"][0]["reference"], "sale-42");
    assert_eq!(listing["states"]["unknown"], serde_json::json!([]));
    drop(served);

    // A journal that cannot be opened is refused at start, naming the field.
    let bad = Command::new(env!("CARGO_BIN_EXE_voucherkit"))
        .args(["sandbox", "--journal", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(11));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("invalid_request") && err.contains("journal"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
