//! Per-call cost of a Smart Gift redeem through the voucherkit core, side by side with the
//! physical limit (prebuilt bytes on a raw `TcpStream`) and plain `ureq` use, all against
//! one minimal keep-alive responder on 127.0.0.1. Prints µs per call (median of rounds)
//! and the ratios docs/performance.md sets targets for.
//!
//! `cargo run --release -p voucherkit-bench -- [calls-per-round] [rounds]`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use voucherkit_core::smartgift::{RedeemRequest, SmartGift, SmartGiftConfig};
use voucherkit_core::{ClientOptions, Value};

mod responder;

const ANSWER: &str =
    r#"{"data":{"message":"The voucher has been redeemed.","redemptions":[21,22,23]}}"#;

/// A keep-alive responder that answers every request with the redeem success.
fn start_responder() -> u16 {
    responder::start(
        vec![responder::answer("200 OK", "application/json", ANSWER)],
        |_| 0,
    )
}

/// Resident set size in KiB (Linux `/proc/self/statm`; 0 elsewhere).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// µs per call for each client: rounds are interleaved (a, b, c, a, b, c, …) so that a
/// busy machine slows every client alike, and the median round is kept.
/// A named client: one call per invocation.
type Client<'a> = (&'a str, Box<dyn FnMut()>);

fn measure_all(calls: usize, rounds: usize, clients: &mut [Client]) -> Vec<f64> {
    for (_, f) in clients.iter_mut() {
        for _ in 0..calls / 10 {
            f();
        }
    }
    let mut samples = vec![Vec::new(); clients.len()];
    for _ in 0..rounds {
        for (i, (_, f)) in clients.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..calls {
                f();
            }
            samples[i].push(t.elapsed().as_secs_f64() * 1e6 / calls as f64);
        }
    }
    samples.into_iter().map(median).collect()
}

fn raw_client(port: u16) -> impl FnMut() {
    let body = r#"{"voucher_no":"V1","site_id":"12","value":10.00}"#;
    let request = format!(
        "POST /redeem HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nAccept: application/json\r\nSmart-Auth: sk_bench\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes();
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    move || {
        writer.write_all(&request).unwrap();
        let mut length = 0;
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert!(v["data"]["redemptions"].is_array());
    }
}

/// Plain ureq as its README shows it; `timeouts` adds the deadlines a payment client needs.
fn ureq_client(port: u16, timeouts: bool) -> impl FnMut() {
    let mut config = ureq::Agent::config_builder().http_status_as_error(false);
    if timeouts {
        config = config
            .timeout_global(Some(Duration::from_secs(10)))
            .timeout_connect(Some(Duration::from_secs(5)));
    }
    let agent: ureq::Agent = config.build().into();
    let url = format!("http://127.0.0.1:{port}/redeem");
    let body = serde_json::json!({"voucher_no": "V1", "site_id": "12", "value": 10});
    move || {
        let v: Value = agent
            .post(&url)
            .header("Smart-Auth", "sk_bench")
            .header("Accept", "application/json")
            .send_json(&body)
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        assert!(v["data"]["redemptions"].is_array());
    }
}

fn core_client(port: u16) -> impl FnMut() {
    let sg = SmartGift::new(SmartGiftConfig {
        base_url: Some(format!("http://127.0.0.1:{port}")),
        options: ClientOptions {
            timeout: Duration::from_secs(10),
            ..ClientOptions::default()
        },
        ..SmartGiftConfig::new("sk_bench")
    })
    .unwrap();
    let req = RedeemRequest::money("V1", 12, "10.00");
    move || {
        let r = sg.redeem(&req).unwrap();
        assert_eq!(r.redemptions.len(), 3);
    }
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let calls = args.first().copied().unwrap_or(1000);
    let rounds = args.get(1).copied().unwrap_or(15);
    let port = start_responder();
    let mut clients: Vec<Client> = vec![
        ("raw", Box::new(raw_client(port))),
        ("ureq", Box::new(ureq_client(port, false))),
        ("core", Box::new(core_client(port))),
    ];
    if std::env::var_os("VK_BENCH_TIMEOUTS").is_some() {
        clients.push(("ureq+timeouts", Box::new(ureq_client(port, true))));
    }
    if let Ok(only) = std::env::var("VK_BENCH_ONLY") {
        // Profiling aid: one client alone (for strace / callgrind).
        let (_, f) = clients
            .iter_mut()
            .find(|(n, _)| *n == only)
            .expect("client name");
        for _ in 0..calls {
            f();
        }
        return;
    }
    let us = measure_all(calls, rounds, &mut clients);
    let (raw, plain, core) = (us[0], us[1], us[2]);
    if let Some(t) = us.get(3) {
        println!("  ureq with timeouts             {t:8.1} µs");
    }
    println!("rust bench: {calls} calls x {rounds} rounds, median µs per call");
    println!("  raw TcpStream (prebuilt bytes) {raw:8.1} µs");
    println!(
        "  plain ureq send_json           {plain:8.1} µs  ({:.2}x raw)",
        plain / raw
    );
    println!(
        "  voucherkit core redeem         {core:8.1} µs  ({:.2}x raw; target <= 1.50x)",
        core / raw
    );
    println!("  core vs plain ureq: {:.2}x faster", plain / core);
    // Memory: RSS before and after 100 000 more calls through the core (warm client).
    let before = rss_kib();
    let (_, core_call) = &mut clients[2];
    for _ in 0..100_000 {
        core_call();
    }
    let after = rss_kib();
    println!(
        "  RSS growth over 100000 core calls: {:.2} MiB (target < 1 MiB; RSS {:.1} MiB)",
        (after as f64 - before as f64) / 1024.0,
        after as f64 / 1024.0
    );
}
