//! What the journal costs (docs/performance.md): a journaled Smart Gift redeem against the
//! same redeem without a journal, with the snapshot read (`check`) and the local writes
//! (the pending entry, synced, and its outcome) reported separately; and reconcile of 1 000 open
//! entries, counting its read round trips. A keep-alive responder on 127.0.0.1 answers
//! by path; the journal is a real file in the temporary directory.
//!
//! `cargo run --release -p voucherkit-bench --bin vk-bench-journal -- [calls] [rounds]`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use voucherkit_core::ClientOptions;
use voucherkit_core::journal::{EntryFilter, EntryState, Journal};
use voucherkit_core::smartgift::{CheckRequest, RedeemRequest, SmartGift, SmartGiftConfig};

mod responder;

const CHECK: &str =
    r#"{"data":{"id":1,"voucher_no":"V1","type":"monetary","remaining_value":100}}"#;
const REDEEMED: &str =
    r#"{"data":{"message":"The voucher has been redeemed.","redemptions":[21]}}"#;
const GATEWAY: &str = "<html>502 Bad Gateway</html>";

struct Responder {
    port: u16,
    /// Redeems answered by a gateway page (outcome_unknown) while set.
    failing: Arc<AtomicBool>,
    checks: Arc<AtomicUsize>,
}

fn start() -> Responder {
    let failing = Arc::new(AtomicBool::new(false));
    let checks = Arc::new(AtomicUsize::new(0));
    let (fail, count) = (Arc::clone(&failing), Arc::clone(&checks));
    let answers = vec![
        responder::answer("200 OK", "application/json", CHECK),
        responder::answer("200 OK", "application/json", REDEEMED),
        responder::answer("502 Bad Gateway", "text/html", GATEWAY),
    ];
    let port = responder::start(answers, move |line| {
        if line.contains("/redeem/check") {
            count.fetch_add(1, Ordering::Relaxed);
            0
        } else if fail.load(Ordering::Relaxed) {
            2
        } else {
            1
        }
    });
    Responder {
        port,
        failing,
        checks,
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
