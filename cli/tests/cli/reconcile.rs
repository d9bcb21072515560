//! `reconcile` after a lost answer, a failing journal, and the README's lost-answer
//! example.

use std::process::Command;

use serde_json::{Value, json};

use crate::support::{
    TempDir, entries, json_of, lose_next_answer, run, sb_sg_env, sb_sp_env, sg_redeem, text,
    voucherkit,
};

/// The answer to a redeem is lost after the sandbox carried it out: the till gets
/// outcome_unknown with the entry's id, and `reconcile` settles the entry as applied.
#[test]
fn reconcile_settles_a_lost_smartgift_redeem_as_applied() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let url = sb.smartgift_url();
    let dir = TempDir::new();
    let journal = dir.path("till.journal");
    let env = sb_sg_env(&sb);

    lose_next_answer(&sb, "/smartgift/redeem");
    let mut args = sg_redeem(&url, "1000000001", "10.00");
    args.extend_from_slice(&[
        "--journal",
        &journal,
        "--reference",
        "sale-9",
        "--timeout",
        "0.5",
        "--json",
    ]);
    let out = run(&args, &env);
    assert_eq!(out.status.code(), Some(25), "{}", text(&out));
    let err = json_of(&out);
    assert_eq!(err["error"]["kind"], "outcome_unknown");
    let id = err["error"]["journal_id"]
        .as_str()
        .expect("journal_id")
        .to_owned();
    assert_eq!(
        entries(&journal, &["--state", "unknown"])[0]["id"],
        id.as_str()
    );

    // The same lost answer shown to a person: the entry, and how to settle it.
    lose_next_answer(&sb, "/smartgift/redeem");
    let mut args = sg_redeem(&url, "1000000002", "5.00");
    args.extend_from_slice(&["--journal", &journal, "--timeout", "0.5"]);
    let out = run(&args, &env);
    assert_eq!(out.status.code(), Some(25), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stderr);
    let second = entries(&journal, &["--limit", "1"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        shown.contains(&format!("(journal entry {second})")),
        "{shown}"
    );
    assert!(
        shown.contains("`voucherkit smartgift reconcile`"),
        "{shown}"
    );

    // Reconcile, for people: both entries examined and settled.
    let out = run(
        &[
            "smartgift",
            "reconcile",
            "--journal",
            &journal,
            "--base-url",
            &url,
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        shown.starts_with("reconcile examined 2 entries:\n"),
        "{shown}"
    );
    let row = shown
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("no row for {id}: {shown}"));
    assert!(row.contains(" applied "), "{row}");
    assert!(row.contains(" sale-9 "), "{row}");
    assert!(
        row.ends_with("remaining_value went from 100 to 90"),
        "{row}"
    );
    assert!(!shown.contains("still unknown"), "{shown}");

    let settled = &entries(&journal, &["--reference", "sale-9"])[0];
    assert_eq!(settled["state"], "applied");
    assert_eq!(settled["reconcile_attempts"], 1);
    assert_eq!(settled["certain"], false);

    // Nothing left: --json gives an empty array, people a sentence.
    let reconcile = |extra: &[&str]| {
        let mut args = vec![
            "smartgift",
            "reconcile",
            "--journal",
            &journal,
            "--base-url",
            &url,
        ];
        args.extend_from_slice(extra);
        run(&args, &env)
    };
    let out = reconcile(&["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(json_of(&out), json!([]));
    let out = reconcile(&[]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("nothing to reconcile"),
        "{}",
        text(&out)
    );
}

/// A provider that cannot be read leaves entries unknown: reconcile still exits 0 and
/// shows why; the entry is settled by a later reconcile.
#[test]
fn reconcile_exits_0_when_entries_stay_unknown_and_shows_their_notes() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let url = sb.smartgift_url();
    let dir = TempDir::new();
    let journal = dir.path("till.journal");
    let mut env = sb_sg_env(&sb);
    env.push(("VOUCHERKIT_JOURNAL", journal.clone()));
    lose_next_answer(&sb, "/smartgift/redeem");
    let mut args = sg_redeem(&url, "1000000001", "10.00");
    args.extend_from_slice(&["--timeout", "0.5"]);
    assert_eq!(run(&args, &env).status.code(), Some(25));

    // The check that would settle it fails.
    sb.inject(voucherkit_sandbox::FaultRule::new(
        "/smartgift/redeem/check",
        voucherkit_sandbox::Answer::json(500, &json!({"message": "Server Error: the voucher service is down for maintenance until 03:00 UTC"})),
    ));
    let reconcile = |extra: &[&str]| {
        let mut args = vec![
            "smartgift",
            "reconcile",
            "--base-url",
            &url,
            "--max-retries",
            "0",
        ];
        args.extend_from_slice(extra);
        run(&args, &env)
    };
    let out = reconcile(&["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let examined = json_of(&out);
    let e = &examined.as_array().unwrap()[0];
    assert_eq!(e["state"], "unknown", "{examined}");
    assert_eq!(e["reconcile_attempts"], 1);
    let note = e["note"].as_str().unwrap().to_owned();
    assert!(note.contains("failed"), "{note}");

    let out = reconcile(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    let id = e["id"].as_str().unwrap();
    assert!(
        shown.contains(&format!(
            "still unknown: {id} — the check to settle it failed"
        )),
        "the whole note is shown: {shown}"
    );
    let row = shown.lines().find(|l| l.starts_with(id)).unwrap();
    assert!(row.contains(" unknown "), "{row}");
    // In the table the long note is cut to 60 characters.
    let cell = row.split("  ").last().unwrap().trim_start();
    assert!(
        cell.ends_with('…') && cell.chars().count() == 60,
        "{cell:?} in {row}"
    );
    assert!(
        note.starts_with(&cell[..cell.len() - '…'.len_utf8()]),
        "{row}"
    );

    sb.clear_faults();
    let out = reconcile(&["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let examined = json_of(&out);
    assert_eq!(examined[0]["state"], "applied", "{examined}");
    assert_eq!(examined[0]["reconcile_attempts"], 3);
}

/// Under a hold recorded in the journal, reconcile's verdict is proof (`certain`).
#[test]
fn a_journaled_hold_makes_the_reconciled_redeem_certain() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let url = sb.smartgift_url();
    let dir = TempDir::new();
    let journal = dir.path("till.journal");
    let mut env = sb_sg_env(&sb);
    env.push(("VOUCHERKIT_JOURNAL", journal.clone()));
    let out = run(
        &[
            "smartgift",
            "hold",
            "--voucher-no",
            "1000000001",
            "--base-url",
            &url,
            "--json",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let token = json_of(&out)["hold_token"].as_str().unwrap().to_owned();
    lose_next_answer(&sb, "/smartgift/redeem");
    let mut args = sg_redeem(&url, "1000000001", "10.00");
    args.extend_from_slice(&["--hold-token", &token, "--timeout", "0.5"]);
    assert_eq!(run(&args, &env).status.code(), Some(25));
    let out = run(
        &["smartgift", "reconcile", "--base-url", &url, "--json"],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let e = &json_of(&out)[0];
    assert_eq!(e["state"], "applied", "{e}");
    assert_eq!(e["certain"], true, "{e}");
    // The table says so too.
    let out = voucherkit(&["journal", "list", "--journal", &journal], &[]);
    let row = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(row.contains(" applied  yes "), "{row}");
}

/// A lost Spaaza partial redeem: reconcile finds the voucher redeemed and names the
/// regenerated voucher that holds the rest.
#[test]
fn spaaza_reconcile_settles_a_lost_partial_redeem_and_names_the_rest() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let url = sb.spaaza_url();
    let dir = TempDir::new();
    let journal = dir.path("till.journal");
    let mut env = sb_sp_env(&sb);
    env.push(("VOUCHERKIT_JOURNAL", journal.clone()));
    lose_next_answer(&sb, "/spaaza/auth/redeem-voucher");
    let out = run(
        &[
            "spaaza",
            "redeem-voucher",
            "--chain-id",
            "2",
            "--voucher-id",
            "438595",
            "--amount",
            "2.00",
            "--reference",
            "basket-7",
            "--base-url",
            &url,
            "--timeout",
            "0.5",
            "--json",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(25), "{}", text(&out));
    let id = json_of(&out)["error"]["journal_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let out = run(&["spaaza", "reconcile", "--base-url", &url], &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    let state = serde_json::to_value(sb.state()).unwrap();
    let rest = state["spaaza"]["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["parent_voucher_id"] == json!(438595))
        .cloned()
        .expect("the sandbox regenerated a voucher");
    assert!(
        shown.contains(&format!(
            "the rest of {id}: voucher {} (€8, generated)",
            rest["voucher_id"]
        )),
        "{shown}"
    );
    let row = shown.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(
        row.contains(" spaaza ") && row.contains(" applied "),
        "{row}"
    );

    let e = &entries(&journal, &["--reference", "basket-7"])[0];
    assert_eq!(e["state"], "applied");
    assert_eq!(
        e["result"]["regenerated_voucher"]["voucher_id"],
        rest["voucher_id"]
    );
}

/// Reconcile needs a journal that exists; credentials come first as for every call.
#[test]
fn reconcile_refuses_without_a_journal() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let dir = TempDir::new();
    let missing = dir.path("none.journal");
    for (provider, url, env) in [
        ("smartgift", sb.smartgift_url(), sb_sg_env(&sb)),
        ("spaaza", sb.spaaza_url(), sb_sp_env(&sb)),
    ] {
        let out = run(&[provider, "reconcile", "--base-url", &url, "--json"], &env);
        assert_eq!(out.status.code(), Some(11), "{}", text(&out));
        let v = json_of(&out);
        assert_eq!(v["error"]["field"], "journal");
        assert_eq!(v["error"]["provider"], provider);
        let out = run(
            &[
                provider,
                "reconcile",
                "--base-url",
                &url,
                "--journal",
                &missing,
            ],
            &env,
        );
        assert_eq!(out.status.code(), Some(11), "{}", text(&out));
        assert!(text(&out).contains("no journal at"), "{}", text(&out));
        assert!(!std::path::Path::new(&missing).exists());
    }
    assert!(sb.requests().is_empty());
}

/// Drops the entries table under a journal file: it still opens, then every read and
/// write fails (as a full disk or a damaged file would) — the `journal` kind, exit 28.
fn break_journal(path: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("DROP TABLE entries").unwrap();
}

#[test]
fn a_failing_journal_is_exit_code_28_and_nothing_is_sent() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let url = sb.smartgift_url();
    let dir = TempDir::new();
    let journal = dir.path("broken.journal");
    let mut env = sb_sg_env(&sb);
    env.push(("VOUCHERKIT_JOURNAL", journal.clone()));
    assert_eq!(
        run(&sg_redeem(&url, "1000000001", "1.00"), &env)
            .status
            .code(),
        Some(0)
    );
    break_journal(&journal);
    sb.reset();

    let mut args = sg_redeem(&url, "1000000001", "1.00");
    args.push("--json");
    let out = run(&args, &env);
    assert_eq!(out.status.code(), Some(28), "{}", text(&out));
    let v = json_of(&out);
    assert_eq!(v["error"]["kind"], "journal");
    assert_eq!(
        v["error"]["journal_id"],
        Value::Null,
        "no entry was written"
    );
    let paths: Vec<String> = sb.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        ["/smartgift/redeem/check"],
        "the redeem was not sent"
    );

    let out = run(&sg_redeem(&url, "1000000001", "1.00"), &env);
    assert_eq!(out.status.code(), Some(28));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: journal — "), "{err}");
    assert!(err.contains("fix the journal file"), "{err}");

    let out = voucherkit(&["journal", "list", "--journal", &journal, "--json"], &[]);
    assert_eq!(out.status.code(), Some(28), "{}", text(&out));
    assert_eq!(json_of(&out)["error"]["kind"], "journal");

    let out = run(&["smartgift", "reconcile", "--base-url", &url], &env);
    assert_eq!(out.status.code(), Some(28), "{}", text(&out));
}

/// The README's "When the answer is lost" example, run by bash as written, with the
/// binary under test first on PATH. The one change: the sandbox is this test's own, so
/// its port replaces the README's 8700 (a fixed port could be taken on a shared machine).
/// Needs bash and curl, as the README does.
#[cfg(unix)]
#[test]
fn the_readme_lost_answer_example_runs_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme
        .split_once("### When the answer is lost")
        .expect("README has the section")
        .1;
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("an sh block in the section")
        .0;
    assert!(block.contains("8700"), "{block}");
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let script = block.replace("8700", &sb.port().to_string());

    let dir = TempDir::new();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_voucherkit"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["-c", &script])
        .current_dir(&dir.0)
        .env("PATH", path);
    for var in [
        "SMARTGIFT_API_KEY",
        "SMARTGIFT_BASE_URL",
        "VOUCHERKIT_JOURNAL",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("bash runs the README example");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        !stderr.contains("command not found"),
        "bash and curl are needed: {stderr}"
    );
    // The redeem: outcome_unknown, naming its entry, as the README's comment says.
    assert!(stderr.contains("error: outcome_unknown — "), "{stderr}");
    let id = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("(journal entry "))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no journal entry in: {stderr}"))
        .to_owned();
    // reconcile settles it as applied; journal list shows it under its reference.
    assert!(stdout.contains("reconcile examined 1 entry:"), "{stdout}");
    let rows: Vec<&str> = stdout.lines().filter(|l| l.starts_with(&id)).collect();
    assert_eq!(rows.len(), 2, "reconcile's row and list's row: {stdout}");
    for row in &rows {
        assert!(
            row.contains(" sale-42 ") && row.contains(" applied "),
            "{row}"
        );
        assert!(
            row.ends_with("remaining_value went from 100 to 90"),
            "{row}"
        );
    }
    assert!(stdout.trim_end().ends_with("1 entry"), "{stdout}");
    assert!(dir.0.join("till.journal").exists());
    // Redeemed once: the sandbox's voucher lost exactly £10.
    let state = serde_json::to_value(sb.state()).unwrap();
    let voucher = state["smartgift"]["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["voucher_no"] == "1000000001")
        .cloned()
        .unwrap();
    assert_eq!(voucher["value"], "90.00", "{voucher}");
}
