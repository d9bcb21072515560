//! The journal under chaos (docs/journal.md, "Proof"): journaled redeems over both
//! providers against the stateful sandbox, random faults, and the till process killed
//! (SIGKILL) at random moments; after each kill a fresh process opens the journal and
//! reconciles. At the end, for every voucher, the sandbox's state must equal what the
//! journal says was applied: nothing lost, nothing applied twice, nothing left pending.
//!
//! Size: `VOUCHERKIT_CHAOS_REDEEMS` (default 300) and `VOUCHERKIT_CHAOS_KILLS` (default
//! 10); `make test-rust` runs that, `make chaos` 2 000 redeems and 50 kills. The test re-runs its own binary as
//! the till (`chaos_child`, which does nothing unless `VOUCHERKIT_CHAOS_ROLE` is set).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde_json::{Value, json};
use voucherkit_core::journal::{EntryFilter, EntryState, Journal};
use voucherkit_core::smartgift::{RedeemRequest, SmartGift, SmartGiftConfig};
use voucherkit_core::spaaza::{RedeemVoucherRequest, Spaaza, SpaazaConfig};
use voucherkit_core::{ClientOptions, ErrorKind};
use voucherkit_sandbox::{ChainVoucherStatus, DataSet, GiftVoucher, Sandbox, SandboxOptions};

const CLIENT_TIMEOUT: Duration = Duration::from_millis(300);
const SG_VALUE: &str = "1000.00";
const FIRST_SPAAZA_ID: i64 = 900_000;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small xorshift generator: reproducible runs from a printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Redeem `i` of the plan: even ones on Smart Gift, odd ones on Spaaza; every redeem has
/// a voucher of its own, as a till that reconciles before touching a voucher again would.
fn planned(i: usize) -> (bool, String, String) {
    let cents = 100 + (i as u64 * 7919) % 90_000; // 1.00 … 900.99
    let amount = format!("{}.{:02}", cents / 100, cents % 100);
    if i.is_multiple_of(2) {
        (true, format!("CHAOS-{i}"), amount)
    } else {
        (
            false,
            (FIRST_SPAAZA_ID + i as i64).to_string(),
            format!("{}.00", 1 + i % 9),
        )
    }
}

fn data(redeems: usize) -> DataSet {
    let mut data = DataSet::demo();
    let sg_template = data.smartgift.vouchers[0].clone();
    let sp_template = data.spaaza.vouchers[0].clone();
    for i in 0..redeems {
        let (smartgift, voucher, _) = planned(i);
        if smartgift {
            data.smartgift.vouchers.push(GiftVoucher {
                id: None,
                voucher_no: voucher,
                value: Some(SG_VALUE.parse().unwrap()),
                ..sg_template.clone()
            });
        } else {
            let id: i64 = voucher.parse().unwrap();
            data.spaaza.vouchers.push(voucherkit_sandbox::ChainVoucher {
                voucher_id: id,
                voucher_key: format!("{id:064x}"),
                status: ChainVoucherStatus::Claimed,
                amount: "10.00".parse().unwrap(),
                amount_original: None,
                amount_redeemed: None,
                redeemed_at: None,
                third_party_id: None,
                parent_voucher_id: None,
                ..sp_template.clone()
            });
        }
    }
    data
}

/// Where the till finds the sandbox, from the parent's environment variables.
fn endpoint(env: &[(&str, String)], key: &str) -> String {
    env.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| std::env::var(key).unwrap())
}

fn clients(journal: &Journal, env: &[(&str, String)]) -> (SmartGift, Spaaza) {
    let var = |k: &str| endpoint(env, k);
    let options = ClientOptions {
        timeout: CLIENT_TIMEOUT,
        max_retries: 1,
        ..ClientOptions::default()
    };
    let sg = SmartGift::new(SmartGiftConfig {
        base_url: Some(var("CHAOS_SG_URL")),
        options: options.clone(),
        journal: Some(journal.clone()),
        ..SmartGiftConfig::new(var("CHAOS_SG_KEY"))
    })
    .unwrap();
    let sp = Spaaza::new(SpaazaConfig {
        base_url: Some(var("CHAOS_SP_URL")),
        options,
        journal: Some(journal.clone()),
        ..SpaazaConfig::admin(var("CHAOS_SP_USER").parse().unwrap(), var("CHAOS_SP_KEY"))
    })
    .unwrap();
    (sg, sp)
}

/// A random fault rule for the next redeem (its snapshot read or the write itself).
fn fault(rng: &mut Rng, smartgift: bool) -> Value {
    let path = match (smartgift, rng.below(3)) {
        (true, 0) => "/smartgift/redeem/check",
        (true, _) => "/smartgift/redeem",
        (false, 0) => "/spaaza/get-vouchers",
        (false, _) => "/spaaza/auth/redeem-voucher",
    };
    let answer = match rng.below(5) {
        0 => json!({"fault": {"kind": "stall"}}),
        1 => json!({"fault": {"kind": "reset"}}),
        2 => json!({"fault": {"kind": "truncate"}}),
        3 => json!({"fault": {"kind": "close"}}),
        _ => json!({"status": 502, "body_text": "<html>502 Bad Gateway</html>",
                    "content_type": "text/html"}),
    };
    json!({"path": path, "process": rng.below(2) == 0, "times": 1, "answer": answer})
}

fn control(method: &str, path: &str, body: &Value) {
    use std::io::{Read, Write};
    let port: u16 = std::env::var("CHAOS_PORT").unwrap().parse().unwrap();
    let body = body.to_string();
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        conn,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// The till: redeems from `CHAOS_FROM` on, announcing each start on stdout before it
/// begins, so the parent knows where a killed run stopped.
#[test]
fn chaos_child() {
    let Ok(role) = std::env::var("VOUCHERKIT_CHAOS_ROLE") else {
        return;
    };
    let journal = Journal::open(std::env::var("CHAOS_JOURNAL").unwrap()).unwrap();
    let (sg, sp) = clients(&journal, &[]);
    if role == "reconcile" {
        let settled = sg.reconcile().unwrap().len() + sp.reconcile().unwrap().len();
        println!("chaos: reconciled {settled}");
        return;
    }
    let from: usize = std::env::var("CHAOS_FROM").unwrap().parse().unwrap();
    let to: usize = std::env::var("CHAOS_TO").unwrap().parse().unwrap();
    let mut rng = Rng(std::env::var("CHAOS_SEED").unwrap().parse().unwrap());
    for i in from..to {
        let (smartgift, voucher, amount) = planned(i);
        if rng.below(100) < 35 {
            control("POST", "/__sandbox/faults", &fault(&mut rng, smartgift));
            println!("chaos: fault");
        }
        println!("chaos: start {i}");
        let outcome = if smartgift {
            sg.redeem(&RedeemRequest::money(voucher, 12, amount))
                .map(|_| ())
        } else {
            sp.redeem_voucher(&RedeemVoucherRequest {
                chain_id: 2,
                voucher_id: Some(voucher.parse().unwrap()),
                amount: Some(amount.into()),
                ..Default::default()
            })
            .map(|_| ())
        };
        if let Err(e) = outcome {
            assert!(
                e.kind != ErrorKind::Journal && e.kind != ErrorKind::Internal,
                "{e}"
            );
        }
    }
    println!("chaos: done");
}

fn spawn(role: &str, env: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["chaos_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("VOUCHERKIT_CHAOS_ROLE", role)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

#[test]
#[ignore = "run on its own with --nocapture by make test-rust (small) and make chaos (full)"]
fn chaos() {
    if std::env::var("VOUCHERKIT_CHAOS_ROLE").is_ok() {
        return;
    }
    let redeems = env_number("VOUCHERKIT_CHAOS_REDEEMS", 300);
    let min_kills = env_number("VOUCHERKIT_CHAOS_KILLS", 10);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("chaos: seed {seed}, {redeems} redeems, at least {min_kills} kills");
    let sandbox = Sandbox::start_with(SandboxOptions {
        data: Some(data(redeems)),
        ..Default::default()
    })
    .unwrap();
    let dir = std::env::temp_dir().join(format!("voucherkit-chaos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let journal_path: PathBuf = dir.join("till.journal");
    let env = vec![
        ("CHAOS_SG_URL", sandbox.smartgift_url()),
        ("CHAOS_SG_KEY", sandbox.smartgift_key()),
        ("CHAOS_SP_URL", sandbox.spaaza_url()),
        (
            "CHAOS_SP_USER",
            sandbox.spaaza_session_user_id().to_string(),
        ),
        ("CHAOS_SP_KEY", sandbox.spaaza_session_key()),
        ("CHAOS_PORT", sandbox.port().to_string()),
        ("CHAOS_JOURNAL", journal_path.display().to_string()),
        ("CHAOS_TO", redeems.to_string()),
    ];
    let mut rng = Rng(seed);
    let (mut next, mut kills, mut faults, mut started, mut runs) = (0, 0, 0, 0, 0);
    let started_at = Instant::now();
    // Each run is killed at a random moment soon after it starts redeem `target`, so the
    // kills land everywhere: in the snapshot read, the journal write, the request, the
    // answer, the recording of the outcome.
    let spread = (redeems / (2 * min_kills.max(1))).max(1);
    while next < redeems {
        runs += 1;
        let mut run_env = env.clone();
        run_env.push(("CHAOS_FROM", next.to_string()));
        run_env.push(("CHAOS_SEED", rng.next().to_string()));
        let mut child = spawn("redeem", &run_env);
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            // libtest prints "test chaos_child ... " without a newline before the test
            // runs, so the first message shares its line.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let Some(at) = line.find("chaos: ") else {
                    continue;
                };
                if tx.send(line[at..].to_owned()).is_err() {
                    return;
                }
            }
        });
        let target = next + rng.below(spread as u64) as usize;
        let kill_after = Duration::from_millis(rng.below(60));
        let mut last_start = None;
        let mut reached_at: Option<Instant> = None;
        loop {
            match rx.recv_timeout(Duration::from_millis(2)) {
                Ok(line) => {
                    if let Some(i) = line.strip_prefix("chaos: start ") {
                        let i: usize = i.parse().unwrap();
                        last_start = Some(i);
                        started += 1;
                        if i >= target && reached_at.is_none() {
                            reached_at = Some(Instant::now());
                        }
                    } else if line == "chaos: fault" {
                        faults += 1;
                    }
                }
                // The run finished before its moment came.
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if reached_at.is_some_and(|at| at.elapsed() >= kill_after) {
                child.kill().unwrap(); // SIGKILL: no destructor, no flush, no goodbye
                kills += 1;
                break;
            }
        }
        let _ = child.wait();
        // What the run printed before it died is the truth about where it stopped.
        for line in rx.iter() {
            if let Some(i) = line.strip_prefix("chaos: start ") {
                last_start = Some(i.parse().unwrap());
                started += 1;
            } else if line == "chaos: fault" {
                faults += 1;
            }
        }
        next = last_start.map_or(next, |i| i + 1);
        // A fresh process opens the journal and reconciles, as a restarted till would.
        let mut reconciler = spawn("reconcile", &env);
        assert!(
            reconciler.wait().unwrap().success(),
            "reconcile after a kill failed"
        );
    }
    assert!(
        kills >= min_kills,
        "only {kills} kills in {runs} runs (need {min_kills})"
    );

    // The end: no fault left, every pending entry's writer is long dead.
    sandbox.clear_faults();
    std::thread::sleep(CLIENT_TIMEOUT + Duration::from_secs(5) + Duration::from_millis(200));
    let journal = Journal::open(&journal_path).unwrap();
    let (sg, sp) = clients(&journal, &env);
    for _ in 0..3 {
        sg.reconcile().unwrap();
        sp.reconcile().unwrap();
    }

    let entries = journal.entries(&EntryFilter::default()).unwrap();
    let mut by_state: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &entries {
        *by_state.entry(e.state.as_str()).or_default() += 1;
    }
    let mut mismatches = Vec::new();
    let mut applied_per_voucher: BTreeMap<String, usize> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.state == EntryState::Applied) {
        let voucher = e.request["voucher_no"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| e.request["voucher_id"].as_i64().map(|i| i.to_string()))
            .unwrap();
        *applied_per_voucher.entry(voucher).or_default() += 1;
    }
    let state = sandbox.state();
    let requests = sandbox.requests();
    let mut sent_per_voucher: BTreeMap<String, usize> = BTreeMap::new();
    for r in &requests {
        let voucher = match r.path_only() {
            "/smartgift/redeem" => r
                .body_json()
                .and_then(|b| b["voucher_no"].as_str().map(str::to_owned)),
            "/spaaza/auth/redeem-voucher" => r
                .form()
                .into_iter()
                .find(|(k, _)| k == "voucher_id")
                .map(|(_, v)| v),
            _ => None,
        };
        if let Some(v) = voucher {
            *sent_per_voucher.entry(v).or_default() += 1;
        }
    }
    let with_entry: HashSet<String> = entries
        .iter()
        .map(|e| {
            e.request["voucher_no"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| e.request["voucher_id"].to_string())
        })
        .collect();
    let lost = sent_per_voucher
        .keys()
        .filter(|v| !with_entry.contains(*v))
        .count();
    let double = sent_per_voucher.values().filter(|n| **n > 1).count()
        + applied_per_voucher.values().filter(|n| **n > 1).count();
    for i in 0..redeems {
        let (smartgift, voucher, amount) = planned(i);
        let applied = applied_per_voucher.contains_key(&voucher);
        let ok = if smartgift {
            let v = state
                .smartgift
                .vouchers
                .iter()
                .find(|v| v.voucher_no == voucher)
                .unwrap();
            let expected = SG_VALUE.parse::<Decimal>().unwrap()
                - if applied {
                    amount.parse().unwrap()
                } else {
                    Decimal::ZERO
                };
            v.value == Some(expected)
        } else {
            let id: i64 = voucher.parse().unwrap();
            let v = state
                .spaaza
                .vouchers
                .iter()
                .find(|v| v.voucher_id == id)
                .unwrap();
            (v.status == ChainVoucherStatus::Redeemed) == applied
        };
        if !ok {
            mismatches.push(voucher);
        }
    }
    let pending = by_state.get("pending").copied().unwrap_or(0);
    let unknown_without_note = entries
        .iter()
        .filter(|e| e.state == EntryState::Unknown && e.note.is_none())
        .count();
    let reconciled = entries.iter().filter(|e| e.reconcile_attempts > 0).count();
    println!(
        "chaos: {started} redeems started, {faults} faults, {kills} kills in {runs} runs, \
         {} entries {by_state:?} ({reconciled} settled by reconcile), {} mismatches, \
         {lost} lost, {double} double, {} s",
        entries.len(),
        mismatches.len(),
        started_at.elapsed().as_secs()
    );
    assert!(mismatches.is_empty(), "mismatches: {mismatches:?}");
    assert_eq!(lost, 0, "redeems that reached the sandbox without an entry");
    assert_eq!(double, 0, "redeems sent or applied twice");
    assert_eq!(pending, 0, "entries left pending");
    assert_eq!(unknown_without_note, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
