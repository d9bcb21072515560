//! The journal and reconcile over real HTTP, against the stateful sandbox: a redeem whose
//! answer is lost is settled by reading the voucher again (docs/journal.md).

use std::sync::Arc;
use std::time::Duration;

use voucherkit_core::journal::{Entry, EntryFilter, EntryState, Journal};
use voucherkit_core::smartgift::{
    HoldRequest, RedeemRequest, ReverseRequest, SmartGift, SmartGiftConfig,
};
use voucherkit_core::spaaza::{RedeemVoucherRequest, Spaaza, SpaazaConfig};
use voucherkit_core::{ClientOptions, ErrorKind, Provider};
use voucherkit_sandbox::{Fault, FaultRule, Sandbox};

fn options() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_millis(600),
        max_retries: 0,
        ..ClientOptions::default()
    }
}

fn smartgift(sb: &Sandbox, journal: &Journal) -> SmartGift {
    SmartGift::new(SmartGiftConfig {
        base_url: Some(sb.smartgift_url()),
        options: options(),
        journal: Some(journal.clone()),
        ..SmartGiftConfig::new(sb.smartgift_key())
    })
    .unwrap()
}

fn spaaza(sb: &Sandbox, journal: &Journal) -> Spaaza {
    Spaaza::new(SpaazaConfig {
        base_url: Some(sb.spaaza_url()),
        options: options(),
        journal: Some(journal.clone()),
        ..SpaazaConfig::admin(sb.spaaza_session_user_id(), sb.spaaza_session_key())
    })
    .unwrap()
}

fn remaining(sb: &Sandbox, voucher_no: &str) -> String {
    let state = serde_json::to_value(sb.state()).unwrap();
    let v = state["smartgift"]["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["voucher_no"] == voucher_no)
        .cloned()
        .unwrap();
    v.to_string()
}

fn redeem(value: &str, reference: &str) -> RedeemRequest {
    RedeemRequest {
        reference: Some(reference.into()),
        ..RedeemRequest::money("1000000001", 12, value)
    }
}

fn only(entries: &[Entry]) -> &Entry {
    assert_eq!(entries.len(), 1, "{entries:#?}");
    &entries[0]
}

#[test]
fn a_journaled_redeem_reads_first_and_records_the_result() {
    let sb = Sandbox::start().unwrap();
    let journal = Journal::in_memory().unwrap();
    let sg = smartgift(&sb, &journal);
    let done = sg.redeem(&redeem("10.00", "sale-1")).unwrap();
    let id = done.journal_id.clone().expect("journal id on the result");
    let paths: Vec<String> = sb.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/smartgift/redeem/check", "/smartgift/redeem"]);

    let e = journal.entry(&id).unwrap().unwrap();
    assert_eq!(e.state, EntryState::Applied);
    assert_eq!(e.reference.as_deref(), Some("sale-1"));
    assert_eq!(e.provider, Provider::SmartGift);
    assert_eq!(e.operation, "redeem");
    assert_eq!(e.request["value"], "10.00");
    assert_eq!(e.request["site_id"], "12");
    // The provider's own digits (the sandbox answers 100).
    assert_eq!(e.before.as_ref().unwrap()["remaining_value"], "100");
    assert_eq!(
        e.result.as_ref().unwrap()["redemptions"],
        serde_json::json!(done.redemptions)
    );
    assert!(e.resolved_at.is_some());
    // Nothing open: reconcile examines nothing.
    assert!(sg.reconcile().unwrap().is_empty());
}

#[test]
fn a_lost_answer_after_the_redeem_happened_is_reconciled_as_applied() {
    let sb = Sandbox::start().unwrap();
    let journal = Journal::in_memory().unwrap();
    let sg = smartgift(&sb, &journal);
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Stall)
            .processed()
            .times(1),
    );
    let err = sg.redeem(&redeem("10.00", "sale-2")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");
    let id = err
        .journal_id
        .clone()
        .expect("journal id on outcome_unknown");
    assert_eq!(
        journal.entry(&id).unwrap().unwrap().state,
        EntryState::Unknown
    );

    let settled = sg.reconcile().unwrap();
    let e = only(&settled);
    assert_eq!(e.id, id);
    assert_eq!(e.state, EntryState::Applied, "{e:#?}");
    assert!(!e.certain, "no hold: evidence, not proof");
    assert_eq!(e.reconcile_attempts, 1);
    assert!(e.note.as_deref().unwrap().contains("to 90"), "{e:?}");
    assert!(sg.reconcile().unwrap().is_empty(), "settled once");
}

#[test]
fn a_lost_request_that_never_happened_is_reconciled_as_not_applied() {
    let sb = Sandbox::start().unwrap();
    let journal = Journal::in_memory().unwrap();
    let sg = smartgift(&sb, &journal);
    // The request reaches the server, which drops it without acting.
    sb.inject(FaultRule::fault("/smartgift/redeem", Fault::Close).times(1));
    let err = sg.redeem(&redeem("10.00", "sale-3")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");
    let e = sg.reconcile().unwrap();
    assert_eq!(only(&e).state, EntryState::NotApplied);
    assert!(
        remaining(&sb, "1000000001").contains("\"100"),
        "{}",
        remaining(&sb, "1000000001")
    );
}

#[test]
fn under_a_standing_hold_the_verdict_is_certain() {
    let sb = Sandbox::start().unwrap();
    let journal = Journal::in_memory().unwrap();
    let sg = smartgift(&sb, &journal);
    let hold = sg
        .hold(&HoldRequest {
            voucher_no: "1000000001".into(),
        })
        .unwrap();
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Reset)
            .processed()
            .times(1),
    );
    let req = RedeemRequest {
        hold_token: Some(hold.hold_token.clone()),
        ..redeem("25.00", "sale-4")
    };
    assert_eq!(sg.redeem(&req).unwrap_err().kind, ErrorKind::OutcomeUnknown);
    let settled = sg.reconcile().unwrap();
    let e = only(&settled);
    assert_eq!(e.state, EntryState::Applied);
    assert!(
        e.certain,
        "the hold still stands: no other till could redeem"
    );
}

#[test]
fn a_snapshot_that_fails_stops_the_write() {
    let sb = Sandbox::start().unwrap();
    let journal = Journal::in_memory().unwrap();
    let sg = smartgift(&sb, &journal);
    sb.inject(FaultRule::fault("/smartgift/redeem/check", Fault::Close).times(1));
    let err = sg.redeem(&redeem("10.00", "sale-5")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err}");
    assert_eq!(err.journal_id, None);
    let paths: Vec<String> = sb.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        ["/smartgift/redeem/check"],
        "the redeem was not sent"
    );
    assert!(journal.entries(&EntryFilter::default()).unwrap().is_empty());

    // A definite refusal is not_applied, at once.
    let err = sg
        .redeem(&RedeemRequest::money("1000000001", 12, "500.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidAmount);
    let e = journal
        .entry(err.journal_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(e.state, EntryState::NotApplied);
    assert_eq!(e.error.as_ref().unwrap()["kind"], "invalid_amount");
}

#[test]
fn reconcile_against_a_provider_that_is_down_keeps_entries_unknown() {
    let sb = Sandbox::start().unwrap();
    let journal = Journal::in_memory().unwrap();
    let sg = smartgift(&sb, &journal);
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Stall)
            .processed()
            .times(1),
    );
    assert!(sg.redeem(&redeem("5.00", "sale-6")).is_err());
    sb.inject(FaultRule::fault("/smartgift/redeem/check", Fault::Close));
    for attempt in 1..=2 {
        let e = sg.reconcile().unwrap();
        let e = only(&e);
        assert_eq!(e.state, EntryState::Unknown);
        assert_eq!(e.reconcile_attempts, attempt);
        assert!(e.note.as_deref().unwrap().contains("failed"), "{e:?}");
    }
    sb.clear_faults();
    assert_eq!(only(&sg.reconcile().unwrap()).state, EntryState::Applied);
}

#[test]
fn a_reverse_is_reconciled_from_the_redeems_the_journal_knows() {
    let sb = Sandbox::start().unwrap();
    let journal = Journal::in_memory().unwrap();
    let sg = smartgift(&sb, &journal);
    let done = sg.redeem(&redeem("30.00", "sale-7")).unwrap();
    sb.inject(
        FaultRule::fault("/smartgift/redeem/reverse", Fault::Stall)
            .processed()
            .times(1),
    );
    let err = sg
        .reverse(&ReverseRequest {
            voucher_no: "1000000001".into(),
            site_id: 12.into(),
            redemptions: done.redemptions.iter().map(|&i| i as i64).collect(),
            reference: Some("sale-7".into()),
        })
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    let e = sg.reconcile().unwrap();
    let e = only(&e);
    assert_eq!(e.operation, "reverse");
    assert_eq!(e.state, EntryState::Applied, "{e:#?}");
    let by_reference = journal
        .entries(&EntryFilter {
            reference: Some("sale-7".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_reference.len(), 2);
}

#[test]
fn spaaza_needs_a_voucher_id_and_is_reconciled_by_status() {
    let sb = Sandbox::start().unwrap();
    let journal = Journal::in_memory().unwrap();
    let sp = spaaza(&sb, &journal);
    let by_key = RedeemVoucherRequest {
        chain_id: 2,
        voucher_key: Some(
            "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5".into(),
        ),
        ..Default::default()
    };
    let err = sp.redeem_voucher(&by_key).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidRequest);
    assert_eq!(err.field.as_deref(), Some("voucher_id"));
    assert!(sb.requests().is_empty(), "nothing sent");

    sb.inject(
        FaultRule::fault("/spaaza/auth/redeem-voucher", Fault::Truncate)
            .processed()
            .times(1),
    );
    let req = RedeemVoucherRequest {
        chain_id: 2,
        voucher_id: Some(438595),
        amount: Some("2.00".into()),
        reference: Some("basket-9".into()),
        ..Default::default()
    };
    let err = sp.redeem_voucher(&req).unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");
    let settled = sp.reconcile().unwrap();
    let e = only(&settled);
    assert_eq!(e.state, EntryState::Applied, "{e:#?}");
    assert!(
        e.certain,
        "redeemed within the call's window, for the amount asked"
    );
    assert_eq!(e.result.as_ref().unwrap()["voucher_status"], "redeemed");

    // A redeem the provider never saw: the status is unchanged.
    sb.inject(FaultRule::fault("/spaaza/auth/redeem-voucher", Fault::Close).times(1));
    let req = RedeemVoucherRequest {
        chain_id: 2,
        voucher_id: Some(35735),
        ..Default::default()
    };
    assert!(sp.redeem_voucher(&req).is_err());
    assert_eq!(only(&sp.reconcile().unwrap()).state, EntryState::NotApplied);
}

#[test]
fn two_reconciles_at_once_settle_each_entry_once() {
    // Eight vouchers, one lost redeem each: every comparison is unambiguous.
    let mut data = voucherkit_sandbox::DataSet::demo();
    let template = data.smartgift.vouchers[0].clone();
    for i in 0..8 {
        data.smartgift
            .vouchers
            .push(voucherkit_sandbox::GiftVoucher {
                id: None,
                voucher_no: format!("CONC-{i}"),
                ..template.clone()
            });
    }
    let sb = Sandbox::start_with(voucherkit_sandbox::SandboxOptions {
        data: Some(data),
        ..Default::default()
    })
    .unwrap();
    let journal = Journal::in_memory().unwrap();
    let sg = Arc::new(smartgift(&sb, &journal));
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Reset)
            .processed()
            .times(8),
    );
    for i in 0..8 {
        let err = sg
            .redeem(&RedeemRequest::money(format!("CONC-{i}"), 12, "1.00"))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    }
    // Two lost redeems on one voucher: the later one's comparison fits (applied, as
    // evidence), the earlier one's cannot (unknown, with a note).
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Reset)
            .processed()
            .times(2),
    );
    for _ in 0..2 {
        assert!(sg.redeem(&redeem("1.00", "twice")).is_err());
    }
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let sg = Arc::clone(&sg);
            std::thread::spawn(move || sg.reconcile().unwrap())
        })
        .collect();
    let examined: Vec<Entry> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let mut ids: Vec<&str> = examined.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10);
    assert_eq!(
        examined.len(),
        10,
        "every entry examined by exactly one reconcile"
    );
    let count = |state| {
        journal
            .entries(&EntryFilter {
                state: Some(state),
                ..Default::default()
            })
            .unwrap()
            .len()
    };
    assert_eq!(count(EntryState::Applied), 9);
    assert_eq!(count(EntryState::Unknown), 1);
    for e in examined.iter().filter(|e| e.state == EntryState::Unknown) {
        assert!(e.note.as_deref().unwrap().contains("another till"), "{e:?}");
    }
}

#[test]
fn reconcile_without_a_journal_is_refused_by_name() {
    let sb = Sandbox::start().unwrap();
    let sg = SmartGift::new(SmartGiftConfig {
        base_url: Some(sb.smartgift_url()),
        ..SmartGiftConfig::new(sb.smartgift_key())
    })
    .unwrap();
    let e = sg.reconcile().unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert_eq!(e.field.as_deref(), Some("journal"));
}

#[test]
fn a_journal_file_is_private_holds_no_secret_and_survives_reopening() {
    let dir = tempdir();
    let path = dir.join("till.journal");
    let journal = Journal::open(&path).unwrap();
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb, &journal);
    sg.redeem(&redeem("1.00", "sale-x")).unwrap();
    let sp = spaaza(&sb, &journal);
    sp.redeem_voucher(&RedeemVoucherRequest {
        chain_id: 2,
        voucher_id: Some(35735),
        ..Default::default()
    })
    .unwrap();
    drop((sg, sp, journal));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mut bytes = std::fs::read(&path).unwrap();
    for companion in ["till.journal-wal", "till.journal-shm"] {
        bytes.extend(std::fs::read(dir.join(companion)).unwrap_or_default());
    }
    for secret in [sb.smartgift_key(), sb.spaaza_session_key()] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the journal holds {secret}"
        );
    }
    assert!(
        bytes.windows(6).any(|w| w == b"sale-x"),
        "the file was read"
    );

    let again = Journal::open(&path).unwrap();
    assert_eq!(again.entries(&EntryFilter::default()).unwrap().len(), 2);
}

#[test]
fn unusable_journal_files_are_refused_when_opened() {
    let dir = tempdir();
    let refused = |path: &std::path::Path| {
        let e = Journal::open(path).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest, "{e}");
        assert_eq!(e.field.as_deref(), Some("journal"));
        e.message
    };
    assert!(refused(&dir).contains("directory"));
    assert!(refused(&dir.join("missing/x.journal")).contains("cannot be used"));

    let text = dir.join("notes.txt");
    std::fs::write(&text, "not a database, just some text that is long enough").unwrap();
    assert!(refused(&text).contains("not a voucherkit journal"));

    let other = dir.join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE t (x)").unwrap();
    drop(conn);
    assert!(refused(&other).contains("another application"));

    let newer = dir.join("newer.journal");
    drop(Journal::open(&newer).unwrap());
    let conn = rusqlite::Connection::open(&newer).unwrap();
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(conn);
    assert!(refused(&newer).contains("newer voucherkit"));

    #[cfg(unix)]
    if !running_as_root() {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.join("ro.journal");
        drop(Journal::open(&ro).unwrap());
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o400)).unwrap();
        refused(&ro);
    }
}

#[cfg(unix)]
fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    })
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "voucherkit-journal-{}-{}",
        std::process::id(),
        uuid_like()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn a_journal_that_cannot_record_the_call_stops_the_write() {
    let dir = tempdir();
    let path = dir.join("broken.journal");
    let journal = Journal::open(&path).unwrap();
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb, &journal);
    // Another process breaks the file under the open journal (as a full disk or a
    // vanished file would make the write fail).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE entries").unwrap();
    drop(conn);
    let err = sg.redeem(&redeem("10.00", "sale-z")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Journal, "{err}");
    assert!(!err.retryable);
    assert!(err.message.contains("nothing was sent"), "{}", err.message);
    let paths: Vec<String> = sb.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        ["/smartgift/redeem/check"],
        "the redeem was not sent"
    );
}
