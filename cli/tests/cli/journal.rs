//! The journal: every journaled call shows its entry; `journal list`.

use serde_json::Value;

use crate::support::{
    TempDir, entries, json_of, lose_next_answer, rfc3339_millis, run, sb_sg_env, sb_sp_env,
    sg_redeem, shown_journal_id, text, voucherkit,
};

/// Every journaled call shows its entry: `journal_id` in human output and in `--json`,
/// on results and on errors. VOUCHERKIT_JOURNAL names the journal; `--journal` wins.
#[test]
fn journaled_calls_show_their_entry_and_take_the_journal_from_the_environment() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let url = sb.smartgift_url();
    let dir = TempDir::new();
    let from_env = dir.path("env.journal");
    let from_flag = dir.path("flag.journal");
    let mut env = sb_sg_env(&sb);
    env.push(("VOUCHERKIT_JOURNAL", from_env.clone()));

    let mut args = sg_redeem(&url, "1000000001", "10.00");
    args.extend_from_slice(&["--reference", "sale-1"]);
    let out = run(&args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let id = shown_journal_id(&out);
    let listed = entries(&from_env, &[]);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["reference"], "sale-1");
    assert_eq!(listed[0]["operation"], "redeem");
    assert_eq!(listed[0]["state"], "applied");
    assert_eq!(listed[0]["request"]["value"], "10.00");
    let paths: Vec<String> = sb.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        ["/smartgift/redeem/check", "/smartgift/redeem"],
        "a journaled redeem reads the voucher first"
    );

    // The flag wins over the environment.
    let mut args = sg_redeem(&url, "1000000001", "5.00");
    args.extend_from_slice(&["--journal", &from_flag, "--reference", "sale-2", "--json"]);
    let out = run(&args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let redeemed = json_of(&out);
    let flagged = entries(&from_flag, &[]);
    assert_eq!(flagged.len(), 1);
    assert_eq!(redeemed["journal_id"], flagged[0]["id"]);
    assert_eq!(flagged[0]["reference"], "sale-2");
    assert_eq!(
        entries(&from_env, &[]).len(),
        1,
        "the env journal is untouched"
    );

    // Reverse is journaled too; its result carries its own entry.
    let ids: Vec<String> = redeemed["redemptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.to_string())
        .collect();
    let mut args = vec![
        "smartgift",
        "reverse",
        "--voucher-no",
        "1000000001",
        "--site-id",
        "12",
        "--base-url",
        &url,
        "--reference",
        "sale-2",
        "--json",
    ];
    for id in &ids {
        args.extend_from_slice(&["--redemption", id]);
    }
    let out = run(&args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let reversed = json_of(&out);
    let newest = &entries(&from_env, &["--limit", "1"])[0];
    assert_eq!(reversed["journal_id"], newest["id"]);
    assert_eq!(newest["operation"], "reverse");
    assert_eq!(newest["state"], "applied");

    // A refusal is recorded as not_applied and its error names the entry.
    let out = run(&sg_redeem(&url, "1000000002", "500.00"), &env);
    assert_eq!(out.status.code(), Some(21), "{}", text(&out));
    let newest = &entries(&from_env, &["--limit", "1"])[0];
    assert_eq!(newest["state"], "not_applied");
    assert_eq!(newest["error"]["kind"], "invalid_amount");
    let shown = String::from_utf8_lossy(&out.stderr);
    assert!(
        shown.contains(&format!("journal entry {}", newest["id"].as_str().unwrap())),
        "{shown}"
    );

    // An empty variable is no journal: the call is made as without one.
    let before = sb.requests().len();
    let out = run(
        &sg_redeem(&url, "1000000002", "1.00"),
        &[
            ("SMARTGIFT_API_KEY", sb.smartgift_key()),
            ("VOUCHERKIT_JOURNAL", String::new()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("journal_id"), "{}", text(&out));
    assert_eq!(sb.requests().len(), before + 1, "no snapshot read");

    // Spaaza: --reference and the entry id; a journaled redeem needs the voucher id.
    let sp_url = sb.spaaza_url();
    let mut sp_env = sb_sp_env(&sb);
    sp_env.push(("VOUCHERKIT_JOURNAL", from_env.clone()));
    let out = run(
        &[
            "spaaza",
            "redeem-voucher",
            "--chain-id",
            "2",
            "--voucher-id",
            "35735",
            "--reference",
            "basket-1",
            "--base-url",
            &sp_url,
        ],
        &sp_env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let id = shown_journal_id(&out);
    let newest = &entries(&from_env, &["--limit", "1"])[0];
    assert_eq!(newest["id"], id.as_str());
    assert_eq!(newest["provider"], "spaaza");
    assert_eq!(newest["operation"], "redeem_voucher");
    assert_eq!(newest["reference"], "basket-1");
    let before = sb.requests().len();
    let out = run(
        &[
            "spaaza",
            "redeem-voucher",
            "--chain-id",
            "2",
            "--voucher-key",
            "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5",
            "--base-url",
            &sp_url,
            "--json",
        ],
        &sp_env,
    );
    assert_eq!(out.status.code(), Some(11), "{}", text(&out));
    assert_eq!(json_of(&out)["error"]["field"], "voucher_id");
    assert_eq!(sb.requests().len(), before, "nothing sent");
}

/// `journal list`: a table for people, the core's entries for programs, filters that
/// narrow, and bad filters refused by name before the journal is read.
#[test]
fn journal_list_shows_a_table_and_json_and_filters() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let url = sb.smartgift_url();
    let dir = TempDir::new();
    let journal = dir.path("till.journal");
    let mut env = sb_sg_env(&sb);
    env.push(("VOUCHERKIT_JOURNAL", journal.clone()));
    let long_reference = "sale-2026-01-31-till-7-basket-000123456789";
    let mut args = sg_redeem(&url, "1000000001", "10.00");
    args.extend_from_slice(&["--reference", long_reference]);
    assert_eq!(run(&args, &env).status.code(), Some(0));
    lose_next_answer(&sb, "/smartgift/redeem");
    let mut args = sg_redeem(&url, "1000000001", "2.50");
    args.extend_from_slice(&["--reference", "sale-lost", "--timeout", "0.5"]);
    assert_eq!(run(&args, &env).status.code(), Some(25));
    let mut sp_env = sb_sp_env(&sb);
    sp_env.push(("VOUCHERKIT_JOURNAL", journal.clone()));
    let sp_url = sb.spaaza_url();
    let out = run(
        &[
            "spaaza",
            "redeem-voucher",
            "--chain-id",
            "2",
            "--voucher-id",
            "35735",
            "--base-url",
            &sp_url,
        ],
        &sp_env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // --json: the entries as the core serialises them, newest first.
    let all = entries(&journal, &[]);
    assert_eq!(all.len(), 3);
    let keys: Vec<&str> = all[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "reference",
            "provider",
            "operation",
            "request",
            "before",
            "state",
            "result",
            "error",
            "certain",
            "note",
            "created_at",
            "resolved_at",
            "reconcile_attempts"
        ]
    );
    let providers: Vec<&str> = all
        .iter()
        .map(|e| e["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["spaaza", "smartgift", "smartgift"]);
    assert_eq!(all[1]["state"], "unknown");
    assert_eq!(all[1]["error"]["kind"], "outcome_unknown");
    assert_eq!(all[1]["resolved_at"], Value::Null);
    assert_eq!(all[2]["reference"], long_reference);
    assert_eq!(all[2]["before"]["remaining_value"], "100");
    let created = rfc3339_millis(all[2]["created_at"].as_str().unwrap());
    let resolved = rfc3339_millis(all[2]["resolved_at"].as_str().unwrap());
    assert!(resolved >= created);
    assert_eq!(all[2]["reconcile_attempts"], 0);

    // Filters.
    let ids = |filters: &[&str]| -> Vec<String> {
        entries(&journal, filters)
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let id = |i: usize| all[i]["id"].as_str().unwrap().to_owned();
    assert_eq!(ids(&["--state", "unknown"]), [id(1)]);
    assert_eq!(ids(&["--state", "applied"]), [id(0), id(2)]);
    assert!(ids(&["--state", "pending"]).is_empty());
    assert_eq!(ids(&["--reference", "sale-lost"]), [id(1)]);
    assert_eq!(ids(&["--provider", "smartgift"]), [id(1), id(2)]);
    assert_eq!(ids(&["--provider", "spaaza"]), [id(0)]);
    assert_eq!(ids(&["--limit", "2"]), [id(0), id(1)]);
    assert_eq!(
        ids(&["--provider", "smartgift", "--state", "applied"]),
        [id(2)]
    );

    // The table: a header, one row per entry with its id and state, long text cut short.
    let out = voucherkit(&["journal", "list", "--journal", &journal], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = table.lines().collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        [
            "id",
            "created_at",
            "provider",
            "operation",
            "reference",
            "state",
            "certain",
            "note"
        ],
        "{table}"
    );
    assert_eq!(lines.len(), 5, "header, 3 rows, count: {table}");
    for (row, entry) in lines[1..4].iter().zip(&all) {
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells[0], entry["id"].as_str().unwrap(), "{table}");
        let at = entry["created_at"].as_str().unwrap();
        assert_eq!(cells[1], format!("{}Z", &at[..19]), "{table}");
        assert_eq!(cells[2], entry["provider"].as_str().unwrap(), "{table}");
        assert_eq!(cells[3], entry["operation"].as_str().unwrap(), "{table}");
        assert_eq!(cells[5], entry["state"].as_str().unwrap(), "{table}");
        assert_eq!(cells[6], "no", "{table}");
    }
    assert!(lines[2].contains(" sale-lost "), "{table}");
    assert!(
        lines[3].contains(" sale-2026-01-31-til… "),
        "a long reference is cut to 20 characters: {table}"
    );
    assert!(!table.contains(long_reference), "{table}");
    assert_eq!(lines[4], "3 entries", "{table}");
    // Columns line up (in characters: `…` is one): every row's state starts where the
    // header's does.
    let state_at = lines[0].find("state").unwrap();
    for row in &lines[1..4] {
        let from: String = row.chars().skip(state_at).collect();
        assert!(
            ["applied", "unknown"].iter().any(|s| from.starts_with(s)),
            "{table}"
        );
    }
    let out = voucherkit(
        &[
            "journal",
            "list",
            "--journal",
            &journal,
            "--state",
            "pending",
        ],
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "no journal entries\n");

    // Bad filters: invalid_request naming the field (exit 11), --json as an error object.
    for (flag, value, field) in [
        ("--state", "done", "state"),
        ("--state", "Applied", "state"),
        ("--provider", "paypal", "provider"),
    ] {
        let out = voucherkit(
            &["journal", "list", "--journal", &journal, flag, value],
            &[],
        );
        assert_eq!(out.status.code(), Some(11), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("(field {field})")), "{err}");
        let out = voucherkit(
            &[
                "journal",
                "list",
                "--journal",
                &journal,
                flag,
                value,
                "--json",
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(11));
        let v = json_of(&out);
        assert_eq!(v["error"]["kind"], "invalid_request");
        assert_eq!(v["error"]["field"], field);
    }
    let out = voucherkit(
        &["journal", "list", "--journal", &journal, "--limit", "-1"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    // No journal given, or none at the path: refused by name, and no file is created.
    let out = voucherkit(&["journal", "list", "--json"], &[]);
    assert_eq!(out.status.code(), Some(11), "{}", text(&out));
    assert_eq!(json_of(&out)["error"]["field"], "journal");
    assert!(text(&out).contains("VOUCHERKIT_JOURNAL"), "{}", text(&out));
    let missing = dir.path("typo.journal");
    let out = voucherkit(&["journal", "list", "--journal", &missing], &[]);
    assert_eq!(out.status.code(), Some(11), "{}", text(&out));
    assert!(text(&out).contains("no journal at"), "{}", text(&out));
    assert!(!std::path::Path::new(&missing).exists());
    // The environment names it too.
    let out = voucherkit(
        &["journal", "list", "--reference", "sale-lost", "--json"],
        &[("VOUCHERKIT_JOURNAL", journal.as_str())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(json_of(&out).as_array().unwrap().len(), 1);
}
