//! What the journal costs (docs/performance.md): a journaled Smart Gift redeem against the
//! same redeem without a journal, with the snapshot read (`check`) and the local writes
//! (two fsynced SQLite transactions) reported separately; and reconcile of 1 000 open
//! entries, counting its read round trips. A keep-alive responder on 127.0.0.1 answers
//! by path; the journal is a real file in the temporary directory.
//!
//! `cargo run --release -p voucherkit-bench --bin vk-bench-journal -- [calls] [rounds]`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use voucherkit_core::ClientOptions;
use voucherkit_core::journal::{EntryFilter, EntryState, Journal};
use voucherkit_core::smartgift::{CheckRequest, RedeemRequest, SmartGift, SmartGiftConfig};

const CHECK: &str =
    r#"{"data":{"id":1,"voucher_no":"V1","type":"monetary","remaining_value":100}}"#;
const REDEEMED: &str =
    r#"{"data":{"message":"The voucher has been redeemed.","redemptions":[21]}}"#;
const GATEWAY: &str = "<html>502 Bad Gateway</html>";

struct Responder {
    port: u16,
    /// Redeems answered by a gateway page (outcome_unknown) while set.
    failing: AtomicBool,
    checks: AtomicUsize,
}

fn answer(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn start() -> Arc<Responder> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let responder = Arc::new(Responder {
        port: listener.local_addr().unwrap().port(),
        failing: AtomicBool::new(false),
        checks: AtomicUsize::new(0),
    });
    let shared = Arc::clone(&responder);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || serve(stream, &shared));
        }
    });
    responder
}

fn serve(stream: TcpStream, r: &Responder) {
    stream.set_nodelay(true).ok();
    let check = answer("200 OK", "application/json", CHECK);
    let redeemed = answer("200 OK", "application/json", REDEEMED);
    let gateway = answer("502 Bad Gateway", "text/html", GATEWAY);
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let is_check = line.contains("/redeem/check");
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let out = if is_check {
            r.checks.fetch_add(1, Ordering::Relaxed);
            &check
        } else if r.failing.load(Ordering::Relaxed) {
            &gateway
        } else {
            &redeemed
        };
        if writer.write_all(out).is_err() {
            return;
        }
    }
}

fn client(port: u16, journal: Option<&Journal>) -> SmartGift {
    SmartGift::new(SmartGiftConfig {
        base_url: Some(format!("http://127.0.0.1:{port}")),
        options: ClientOptions {
            timeout: Duration::from_secs(10),
            ..ClientOptions::default()
        },
        journal: journal.cloned(),
        ..SmartGiftConfig::new("sk_bench")
    })
    .unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// µs per call of `f`, median of `rounds` rounds of `calls` calls.
fn per_call(calls: usize, rounds: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..calls / 10 + 1 {
        f(); // warm-up: connections, statement caches
    }
    median(
        (0..rounds)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..calls {
                    f();
                }
                t.elapsed().as_secs_f64() * 1e6 / calls as f64
            })
            .collect(),
    )
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let calls = args.first().copied().unwrap_or(200);
    let rounds = args.get(1).copied().unwrap_or(7);
    let responder = start();
    let dir = std::env::temp_dir().join(format!("vk-bench-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = Journal::open(dir.join("bench.journal")).unwrap();

    let plain = client(responder.port, None);
    let journaled = client(responder.port, Some(&journal));
    let req = RedeemRequest::money("V1", 12, "1.00");
    let check = CheckRequest::new("V1", 12);
    let plain_us = per_call(calls, rounds, || {
        plain.redeem(&req).unwrap();
    });
    let check_us = per_call(calls, rounds, || {
        plain.check(&check).unwrap();
    });
    let journaled_us = per_call(calls, rounds, || {
        journaled.redeem(&req).unwrap();
    });
    let local_us = journaled_us - plain_us - check_us;
    println!("journal bench: {calls} calls x {rounds} rounds, median µs per call");
    println!("  redeem, no journal             {plain_us:8.1} µs");
    println!("  the snapshot read (check)      {check_us:8.1} µs  (one read round trip)");
    println!("  journaled redeem               {journaled_us:8.1} µs");
    println!(
        "  local work (entry written, synced, resolved) {local_us:8.1} µs  (target <= 2000 µs)"
    );

    // 1 000 entries whose answers were lost, then one reconcile.
    let open = 1000;
    responder.failing.store(true, Ordering::Relaxed);
    let lost = Journal::open(dir.join("reconcile.journal")).unwrap();
    let till = client(responder.port, Some(&lost));
    for _ in 0..open {
        let e = till.redeem(&req).unwrap_err();
        assert_eq!(e.kind, voucherkit_core::ErrorKind::OutcomeUnknown);
    }
    responder.failing.store(false, Ordering::Relaxed);
    let checks_before = responder.checks.load(Ordering::Relaxed);
    let t = Instant::now();
    let settled = till.reconcile().unwrap();
    let took = t.elapsed();
    let reads = responder.checks.load(Ordering::Relaxed) - checks_before;
    assert_eq!(settled.len(), open);
    let unknown = lost
        .entries(&EntryFilter {
            state: Some(EntryState::Unknown),
            ..Default::default()
        })
        .unwrap()
        .len();
    println!(
        "  reconcile of {open} open entries: {:.0} ms, {reads} read round trips (target <= {open}), \
         {unknown} left unknown",
        took.as_secs_f64() * 1e3
    );
    let _ = std::fs::remove_dir_all(&dir);
}
