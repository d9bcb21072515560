//! The Rust side of bindings/c/bench: the same redeem loop as `c_redeem.c`, straight on the core.
//!
//! A scripted sandbox server on 127.0.0.1 (keep-alive, one connection) answers every
//! call with the seed's redeem success body. Prints `calls_per_sec <n>` and
//! `cpu_us_per_call <n>` (the calling thread's CPU time, from /proc/thread-self/schedstat:
//! the client's own work, robust to other load on the machine).
//! Usage: bench_rust_redeem <tests/conformance dir> <calls>

use std::path::Path;
use std::time::Instant;

use voucherkit_core::smartgift::{RedeemRequest, Redemption, SmartGift, SmartGiftConfig};
use voucherkit_sandbox::{Answer, ScriptedServer};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus = args.get(1).map_or("tests/conformance", String::as_str);
    let calls: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let warmup = calls / 10;
    // Queued exactly as c_redeem.c queues them (one answer read from the corpus each), so
    // both processes start their loop from the same heap history.
    let answer =
        serde_json::json!({"status": 200, "body_file": "bodies/smartgift-redeem-success.json"});
    let server = ScriptedServer::start().expect("scripted server");
    for _ in 0..warmup + calls {
        server.push(Answer::from_json(&answer, Path::new(corpus)).expect("answer"));
    }
    let mut config = SmartGiftConfig::new("sk_bench_0001");
    config.base_url = Some(server.url());
    let sg = SmartGift::new(config).expect("client");
    let req = RedeemRequest::money("SG-1000-0001", "12", "10.00");
    for _ in 0..warmup {
        sg.redeem(&req).expect("redeem");
    }
    let cpu = thread_cpu_ns();
    let start = Instant::now();
    for _ in 0..calls {
        let r = sg.redeem(&req).expect("redeem");
        assert_eq!(consume(r), 3);
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu_us = (thread_cpu_ns() - cpu) as f64 / 1000.0 / calls as f64;
    println!("calls_per_sec {:.1}", calls as f64 / secs);
    println!("cpu_us_per_call {cpu_us:.2}");
    server.stop();
}

/// Reads the result and drops it, as the C loop reads the count and frees the handle; kept
/// out of line so that run.py's callgrind count can include the drop.
#[inline(never)]
fn consume(r: Redemption) -> usize {
    r.redemptions.len()
}

/// Nanoseconds this thread has run on a CPU.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
