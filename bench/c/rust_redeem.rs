//! The Rust side of bench/c: the same redeem loop as `c_redeem.c`, straight on the core.
//!
//! A scripted sandbox server on 127.0.0.1 (keep-alive, one connection) answers every
//! call with the seed's redeem success body. Prints `calls_per_sec <n>`.
//! Usage: bench_rust_redeem <tests/conformance dir> <calls>

use std::time::Instant;

use voucherkit_core::smartgift::{RedeemRequest, SmartGift, SmartGiftConfig};
use voucherkit_sandbox::{Answer, ScriptedServer};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus = args.get(1).map_or("tests/conformance", String::as_str);
    let calls: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let warmup = calls / 10;
    let body = std::fs::read(format!("{corpus}/bodies/smartgift-redeem-success.json"))
        .expect("redeem body");
    let server = ScriptedServer::start().expect("scripted server");
    server.push_all((0..warmup + calls).map(|_| Answer::new(200).with_body(body.clone())));
    let mut config = SmartGiftConfig::new("sk_bench_0001");
    config.base_url = Some(server.url());
    let sg = SmartGift::new(config).expect("client");
    let req = RedeemRequest::money("SG-1000-0001", "12", "10.00");
    for _ in 0..warmup {
        sg.redeem(&req).expect("redeem");
    }
    let start = Instant::now();
    for _ in 0..calls {
        let r = sg.redeem(&req).expect("redeem");
        assert_eq!(r.redemptions.len(), 3);
    }
    let secs = start.elapsed().as_secs_f64();
    println!("calls_per_sec {:.1}", calls as f64 / secs);
    server.stop();
}
