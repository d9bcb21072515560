//! The `voucherkit` binary, run as a user would, against the sandbox on 127.0.0.1.

use std::process::{Command, Output};

use serde_json::{Value, json};
use voucherkit_sandbox::{Answer, Fault, ScriptedServer};

const SG_KEY: &str = "sk_test_cli_secret_key_0123456789";
const SP_KEY: &str = "sess_cli_secret_session_key_9876";

fn voucherkit(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_voucherkit"));
    cmd.args(args);
    for var in [
        "SMARTGIFT_API_KEY",
        "SMARTGIFT_BASE_URL",
        "SPAAZA_SESSION_USER_ID",
        "SPAAZA_SESSION_KEY",
        "SPAAZA_AUTH",
        "SPAAZA_BASE_URL",
        "VOUCHERKIT_JOURNAL",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(envs.iter().copied());
    cmd.output().expect("run voucherkit")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn sg_env() -> Vec<(&'static str, &'static str)> {
    vec![("SMARTGIFT_API_KEY", SG_KEY)]
}

fn sp_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SPAAZA_SESSION_USER_ID", "1"),
        ("SPAAZA_SESSION_KEY", SP_KEY),
    ]
}

fn seed_error(message: &str) -> Answer {
    Answer::json(
        422,
        &json!({"message": message, "errors": {"voucher_no": [message]}}),
    )
}

#[test]
fn smartgift_redeem_prints_for_people_and_for_programs() {
    let server = ScriptedServer::start().unwrap();
    let ok =
        json!({"data": {"message": "The voucher has been redeemed.", "redemptions": [21, 22, 23]}});
    server.push(Answer::json(200, &ok));
    server.push(Answer::json(200, &ok));
    let url = server.url();
    let args = [
        "smartgift",
        "redeem",
        "--voucher-no",
        "V1",
        "--site-id",
        "12",
        "--value",
        "10.00",
        "--base-url",
        &url,
    ];
    let out = voucherkit(&args, &sg_env());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("message: The voucher has been redeemed."),
        "{shown}"
    );
    assert!(shown.contains("redemptions: 21, 22, 23"), "{shown}");

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = voucherkit(&json_args, &sg_env());
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["redemptions"], json!([21, 22, 23]));
    assert_eq!(v["raw"]["message"], "The voucher has been redeemed.");

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("smart-auth"), Some(SG_KEY));
    assert_eq!(
        String::from_utf8_lossy(&reqs[0].body),
        r#"{"voucher_no":"V1","site_id":"12","value":10.00}"#
    );
    assert!(reqs[0].header("user-agent").unwrap().contains("(cli"));
}

#[test]
fn each_error_kind_has_its_exit_code_and_json_form() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    let check = |extra: &[&str]| {
        let mut args = vec![
            "smartgift",
            "check",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--base-url",
            &url,
        ];
        args.extend_from_slice(extra);
        voucherkit(&args, &sg_env())
    };
    server.push(seed_error("The voucher number provided has expired."));
    let out = check(&[]);
    assert_eq!(out.status.code(), Some(16), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error: voucher_expired — The voucher number provided has expired."),
        "{err}"
    );
    assert!(err.contains("field voucher_no, HTTP 422"), "{err}");

    server.push(seed_error("Sorry, that voucher number is invalid."));
    let out = check(&["--json"]);
    assert_eq!(out.status.code(), Some(14));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "voucher_not_found");
    assert_eq!(v["error"]["field"], "voucher_no");
    assert_eq!(v["error"]["http_status"], 422);

    // A lost answer to a redeem: 25, and the advice not to retry blindly.
    server.push(Answer::fault(Fault::Stall));
    let out = voucherkit(
        &[
            "smartgift",
            "redeem",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--value",
            "5",
            "--base-url",
            &url,
            "--timeout",
            "0.4",
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(25), "{}", text(&out));
    assert!(text(&out).contains("check the voucher before trying again"));
}

#[test]
fn invalid_input_is_refused_before_sending() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    let out = voucherkit(
        &[
            "smartgift",
            "redeem",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--value",
            "10.005",
            "--base-url",
            &url,
            "--json",
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(11));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["field"], "value");
    assert!(server.requests().is_empty());
}

#[test]
fn keys_come_from_the_environment_only() {
    let out = voucherkit(&["smartgift", "hold", "--voucher-no", "V1"], &[]);
    assert_eq!(out.status.code(), Some(11));
    assert!(text(&out).contains("SMARTGIFT_API_KEY"), "{}", text(&out));
    // There is no flag for a key.
    let out = voucherkit(
        &[
            "smartgift",
            "--api-key",
            SG_KEY,
            "hold",
            "--voucher-no",
            "V1",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_secret_is_ever_printed() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    server.push(Answer::json(401, &json!({"message": "Unauthenticated."})));
    let out = voucherkit(
        &[
            "smartgift",
            "hold",
            "--voucher-no",
            "V1",
            "--base-url",
            &url,
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(12));
    server.push(Answer::json(
        401,
        &json!({"result": {"code": 2, "status": "error"}, "error": {"code": 6, "name": "no_valid_session", "description": "No valid session"}}),
    ));
    let out2 = voucherkit(
        &[
            "spaaza",
            "unlock-voucher",
            "--voucher-id",
            "5",
            "--base-url",
            &url,
            "--json",
        ],
        &sp_env(),
    );
    assert_eq!(out2.status.code(), Some(12));
    let bad_url = voucherkit(
        &[
            "spaaza",
            "unlock-voucher",
            "--voucher-id",
            "5",
            "--base-url",
            "ftp://x",
        ],
        &sp_env(),
    );
    assert_eq!(bad_url.status.code(), Some(11));
    for out in [&out, &out2, &bad_url] {
        let all = text(out);
        assert!(
            !all.contains(SG_KEY) && !all.contains(SP_KEY),
            "secret printed: {all}"
        );
    }
    assert_eq!(
        server.requests()[1].header("x-spaaza-session-key"),
        Some(SP_KEY)
    );
}

#[test]
fn spaaza_partial_redeem_shows_the_regenerated_voucher() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/conformance/bodies/spaaza-redeem-voucher-success.json"
    ))
    .unwrap();
    server.push(Answer::new(200).with_body(body));
    let out = voucherkit(
        &[
            "spaaza",
            "redeem-voucher",
            "--chain-id",
            "2",
            "--voucher-id",
            "438595",
            "--amount",
            "2.00",
            "--base-url",
            &url,
        ],
        &sp_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("voucher_status: redeemed"), "{shown}");
    assert!(shown.contains("regenerated_voucher:"), "{shown}");
    assert!(shown.contains("  voucher_amount: 8"), "{shown}");
    let form = server.requests()[0].form();
    assert!(form.contains(&("amount".into(), "2.00".into())), "{form:?}");
}

#[test]
fn usage_errors_exit_2_and_help_lists_exit_codes() {
    let out = voucherkit(&["smartgift", "redeem"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = voucherkit(&["--help"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("25 outcome_unknown"), "{help}");
    assert!(help.contains("28 journal"), "{help}");
}

#[test]
fn demo_runs_a_whole_session_and_shows_each_error() {
    let out = voucherkit(&["demo"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "£100.00 left",
        "Voucher hold successful",
        "The voucher has been redeemed.",
        "£70.00 left",
        "Redemption reversal complete",
        "Voucher hold released",
        "regenerated voucher",
        "€8.00 left, status generated",
        "error: voucher_expired",
        "error: voucher_already_redeemed",
        "error: voucher_not_found",
        "error: voucher_not_owned",
        "error: invalid_site",
        "error: invalid_amount",
        "error: voucher_not_held",
        "error: invalid_request",
        "error: authentication",
        "error: network",
        "error: outcome_unknown",
        "£25.00 before, £20.00 now",
        "With a journal",
        "redeem £5.00 from 1000000002 for sale-42",
        "`voucherkit smartgift reconcile`",
        "(sale-42): unknown",
        "(sale-42): applied — remaining_value went from 20 to 15",
    ] {
        assert!(
            shown.contains(expected),
            "missing {expected:?} in:\n{shown}"
        );
    }
    assert!(
        !shown.contains("sk_demo_harbour_7Qm2xV9pL4"),
        "the demo key is never printed"
    );
    // The journaled step names one entry: the lost redeem, then the same one settled.
    let lost = shown
        .lines()
        .find_map(|l| l.trim().strip_prefix("(journal entry "))
        .and_then(|rest| rest.strip_suffix(')'))
        .expect("the outcome_unknown names its journal entry");
    assert!(
        shown.contains(&format!("journal entry {lost} (sale-42): applied")),
        "{shown}"
    );
}

#[cfg(unix)]
#[test]
fn sandbox_serves_until_ctrl_c_and_accepts_a_data_file() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = std::env::temp_dir().join(format!("vk-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data.json");
    let mut set = voucherkit_sandbox::DataSet::demo();
    set.smartgift.companies[0].api_keys = vec!["sk_custom_data_key_42".into()];
    std::fs::write(&data, set.to_json_pretty()).unwrap();

    /// Kills the served sandbox if the test fails half-way.
    struct Served(std::process::Child);
    impl Drop for Served {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut served = Served(
        Command::new(env!("CARGO_BIN_EXE_voucherkit"))
            .args(["sandbox", "--data", data.to_str().unwrap()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut served.0;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    let mut smartgift_url = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Smart Gift   base URL ") {
            smartgift_url = Some(rest.trim().to_owned());
        }
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("Control endpoint") {
            break;
        }
    }
    assert!(banner.contains("sk_custom_data_key_42"), "{banner}");
    let url = smartgift_url.expect("banner prints the Smart Gift URL");
    // The served sandbox answers a real call from the CLI.
    let out = voucherkit(
        &[
            "smartgift",
            "check",
            "--voucher-no",
            "1000000001",
            "--site-id",
            "12",
            "--base-url",
            &url,
            "--json",
        ],
        &[("SMARTGIFT_API_KEY", "sk_custom_data_key_42")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let left: f64 = v["remaining_value"].as_str().unwrap().parse().unwrap();
    assert_eq!(left, 100.0, "{v}");

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(rest.iter().any(|l| l == "sandbox stopped"), "{rest:?}");
    std::fs::remove_dir_all(&dir).ok();

    let bad = voucherkit(&["sandbox", "--data", "/nonexistent/data.json"], &[]);
    assert_eq!(bad.status.code(), Some(11));
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (exactly that shape) as milliseconds since the epoch.
fn rfc3339_millis(text: &str) -> i64 {
    assert!(
        text.len() == 24 && text.as_bytes()[19] == b'.' && text.ends_with('Z'),
        "{text}"
    );
    let at = humantime::parse_rfc3339(text).expect(text);
    at.duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn smartgift_hold_json_carries_received_at() {
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let key = sb.smartgift_key();
    let url = sb.smartgift_url();
    let out = voucherkit(
        &[
            "smartgift",
            "hold",
            "--voucher-no",
            "1000000001",
            "--base-url",
            &url,
            "--json",
        ],
        &[("SMARTGIFT_API_KEY", key.as_str())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["hold_token"].as_str().is_some_and(|t| !t.is_empty()),
        "{v}"
    );
    let at = rfc3339_millis(v["received_at"].as_str().expect("received_at is text"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((now - at).abs() < 60_000, "received_at {v} vs now {now}");
    // People see it too.
    let held = voucherkit(
        &[
            "smartgift",
            "hold",
            "--voucher-no",
            "1000000002",
            "--base-url",
            &url,
        ],
        &[("SMARTGIFT_API_KEY", key.as_str())],
    );
    assert_eq!(held.status.code(), Some(0), "{}", text(&held));
    assert!(
        String::from_utf8_lossy(&held.stdout).contains("received_at: 20"),
        "{}",
        text(&held)
    );
}

#[test]
fn smartgift_check_sends_meta_conditions() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    server.push(Answer::json(
        200,
        &json!({"data": {"id": 1, "voucher_no": "V1", "remaining_value": 10, "type": "monetary", "experiences": []}}),
    ));
    let out = voucherkit(
        &[
            "smartgift",
            "check",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--classification",
            "spa",
            "--meta-condition",
            "used_in:in:hotel,bar",
            "--meta-condition",
            r#"{"key": "area", "operator": "in", "value": ["north, upstairs"]}"#,
            "--base-url",
            &url,
            "--json",
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path_only(), "/redeem/check");
    assert_eq!(
        reqs[0].body_json().unwrap(),
        json!({
            "voucher_no": "V1",
            "site_id": "12",
            "filters": {
                "classifications": ["spa"],
                "meta_conditions": [
                    {"key": "used_in", "operator": "in", "value": ["hotel", "bar"]},
                    {"key": "area", "operator": "in", "value": ["north, upstairs"]}
                ]
            }
        })
    );

    // A malformed condition is a usage error; nothing is sent.
    for bad in [
        "used_in",
        "used_in:in",
        r#"{"key": "k", "value": ["v"]}"#,
        "{not json",
    ] {
        let out = voucherkit(
            &[
                "smartgift",
                "check",
                "--voucher-no",
                "V1",
                "--site-id",
                "12",
                "--meta-condition",
                bad,
                "--base-url",
                &url,
            ],
            &sg_env(),
        );
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out));
        assert!(text(&out).contains("--meta-condition"), "{}", text(&out));
    }
    // An empty key is the core's to refuse, naming the field.
    let out = voucherkit(
        &[
            "smartgift",
            "check",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--meta-condition",
            ":in:x",
            "--base-url",
            &url,
            "--json",
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(11), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["field"], "meta_conditions");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn spaaza_get_vouchers_sends_every_filter() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    server.push(Answer::json(
        200,
        &json!({"result": {"code": 1, "status": "ok"}, "results": {"results_count_total": 0, "vouchers": []}}),
    ));
    let out = voucherkit(
        &[
            "spaaza",
            "get-vouchers",
            "--chain-id",
            "2",
            "--voucher-id",
            "438595",
            "--user-id",
            "7",
            "--username",
            "ann@example.com",
            "--member-number",
            "M-42",
            "--authentication-point-identifier",
            "card 9",
            "--campaign-id",
            "31",
            "--show-all-statuses",
            "--show-redeemed",
            "--show-expired",
            "--exclude-regenerated",
            "--number-results",
            "20",
            "--results-offset",
            "40",
            "--min-created-datetime",
            "2026-01-01T00:00:00Z",
            "--max-created-datetime",
            "2026-01-31T23:59:59Z",
            "--min-expiry-datetime",
            "2026-02-01T00:00:00+01:00",
            "--max-expiry-datetime",
            "2026-12-31T00:00:00Z",
            "--min-redeemed-datetime",
            "2026-03-01T00:00:00Z",
            "--max-redeemed-datetime",
            "2026-03-31T00:00:00Z",
            "--base-url",
            &url,
            "--json",
        ],
        &sp_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["results_count_total"], 0);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path_only(), "/get-vouchers");
    let sent: Vec<(String, String)> = reqs[0].query();
    let expected: Vec<(String, String)> = [
        ("chain_id", "2"),
        ("voucher_id", "438595"),
        ("user_id", "7"),
        ("username", "ann@example.com"),
        ("member_number", "M-42"),
        ("authentication_point_identifier", "card 9"),
        ("campaign_id", "31"),
        ("show_all_statuses", "true"),
        ("show_redeemed", "true"),
        ("show_expired", "true"),
        ("exclude_regenerated", "true"),
        ("number_results", "20"),
        ("results_offset", "40"),
        ("min_created_datetime", "2026-01-01T00:00:00Z"),
        ("max_created_datetime", "2026-01-31T23:59:59Z"),
        ("min_expiry_datetime", "2026-02-01T00:00:00+01:00"),
        ("max_expiry_datetime", "2026-12-31T00:00:00Z"),
        ("min_redeemed_datetime", "2026-03-01T00:00:00Z"),
        ("max_redeemed_datetime", "2026-03-31T00:00:00Z"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(sent, expected);

    // A negative offset is refused by the core before anything is sent.
    let out = voucherkit(
        &[
            "spaaza",
            "get-vouchers",
            "--chain-id",
            "2",
            "--results-offset",
            "-1",
            "--base-url",
            &url,
            "--json",
        ],
        &sp_env(),
    );
    assert_eq!(out.status.code(), Some(11), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["field"], "results_offset");
    assert_eq!(server.requests().len(), 1);
}

/// Runs `voucherkit` with stdout a pipe whose reading end is closed after `read_lines`
/// lines (0: closed before the program writes anything), as `voucherkit … | head -n`
/// does. Returns the exit status and stderr.
#[cfg(unix)]
fn with_stdout_closed_early(
    args: &[&str],
    envs: &[(&str, &str)],
    read_lines: usize,
) -> (std::process::ExitStatus, String) {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;

    let mut child = Command::new(env!("CARGO_BIN_EXE_voucherkit"))
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run voucherkit");
    let stdout = child.stdout.take().unwrap();
    if read_lines > 0 {
        let mut reader = BufReader::new(stdout);
        for _ in 0..read_lines {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
        }
    } // dropped here: the pipe's reading end is closed
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap(), stderr)
}

/// `voucherkit demo | head -3` and `… --json | head -1`: the binary stops quietly with
/// exit code 0 (a write to the closed pipe fails with EPIPE, since Rust programs ignore
/// SIGPIPE, and the CLI drops the rest of its output instead of panicking), the same way
/// in the binary and under Node's `npx voucherkit`.
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_quietly_without_a_panic() {
    use std::os::unix::process::ExitStatusExt;

    for read_lines in [0, 1, 3] {
        let (status, stderr) = with_stdout_closed_early(&["demo"], &[], read_lines);
        assert_eq!(
            (status.code(), status.signal()),
            (Some(0), None),
            "demo | head -{read_lines}: {stderr}"
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "demo | head -{read_lines}: {stderr}"
        );
        assert!(stderr.is_empty(), "demo | head -{read_lines}: {stderr}");
    }

    // Closed during the journaled step (the lost answer, then reconcile): still quiet.
    let full = voucherkit(&["demo"], &[]);
    let into_journal_step = String::from_utf8_lossy(&full.stdout)
        .lines()
        .position(|l| l.contains("for sale-42"))
        .expect("the demo has a journaled step")
        + 1;
    let (status, stderr) = with_stdout_closed_early(&["demo"], &[], into_journal_step);
    assert_eq!(
        (status.code(), status.signal()),
        (Some(0), None),
        "{stderr}"
    );
    assert!(stderr.is_empty(), "{stderr}");

    // A real hold against the sandbox, its JSON written to a closed pipe.
    let sb = voucherkit_sandbox::Sandbox::start().unwrap();
    let key = sb.smartgift_key();
    let url = sb.smartgift_url();
    let (status, stderr) = with_stdout_closed_early(
        &[
            "smartgift",
            "hold",
            "--voucher-no",
            "1000000001",
            "--base-url",
            &url,
            "--json",
        ],
        &[("SMARTGIFT_API_KEY", key.as_str())],
        0,
    );
    assert_eq!(
        (status.code(), status.signal()),
        (Some(0), None),
        "{stderr}"
    );
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(
        sb.requests()
            .iter()
            .filter(|r| r.path_only() == "/smartgift/redeem/hold")
            .count(),
        1,
        "the hold was made"
    );

    // An error with --json goes to stdout too: its exit code is kept.
    let (status, stderr) = with_stdout_closed_early(
        &[
            "smartgift",
            "hold",
            "--voucher-no",
            "9999999999",
            "--base-url",
            &url,
            "--json",
        ],
        &[("SMARTGIFT_API_KEY", key.as_str())],
        0,
    );
    assert_eq!(status.code(), Some(14), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

/// Every duration flag takes any number and lets the core judge it: out of range, NaN or
/// infinite is a clean `invalid_request` naming the option (exit 11, the `{"error": …}`
/// object with `--json`), never a panic (exit 101), and nothing is sent.
#[test]
fn bad_durations_are_invalid_requests_naming_the_option() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    let cases = [
        ("--timeout", "1e19", "timeout"),
        ("--timeout", "1e300", "timeout"),
        ("--timeout", "inf", "timeout"),
        ("--timeout", "NaN", "timeout"),
        ("--timeout", "-1", "timeout"),
        ("--timeout", "3601", "timeout"),
        ("--timeout", "0", "timeout"),
        ("--connect-timeout", "1e19", "connect_timeout"),
        ("--connect-timeout", "nan", "connect_timeout"),
        ("--connect-timeout", "-0.5", "connect_timeout"),
        ("--max-idle-age", "1e19", "max_idle_age"),
        ("--max-idle-age", "infinity", "max_idle_age"),
        ("--max-idle-age", "-1", "max_idle_age"),
        ("--max-idle-age", "3600.5", "max_idle_age"),
    ];
    for (flag, value, field) in cases {
        let sg = ["smartgift", "hold", "--voucher-no", "V1"];
        let sp = ["spaaza", "unlock-voucher", "--voucher-id", "5"];
        for (op, env) in [(&sg, sg_env()), (&sp, sp_env())] {
            let mut args = op.to_vec();
            args.extend_from_slice(&["--base-url", &url, flag, value]);
            let out = voucherkit(&args, &env);
            assert_eq!(out.status.code(), Some(11), "{args:?}: {}", text(&out));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("error: invalid_request"), "{args:?}: {err}");
            assert!(err.contains(&format!("(field {field})")), "{args:?}: {err}");
            assert!(!err.contains("panicked"), "{args:?}: {err}");

            args.push("--json");
            let out = voucherkit(&args, &env);
            assert_eq!(out.status.code(), Some(11), "{args:?}: {}", text(&out));
            let v: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", text(&out)));
            assert_eq!(v["error"]["kind"], "invalid_request", "{args:?}");
            assert_eq!(v["error"]["field"], field, "{args:?}");
        }
    }
    assert!(server.requests().is_empty());
}

#[test]
fn idle_connection_flags_show_their_defaults_and_reach_the_pool() {
    let out = voucherkit(&["smartgift", "--help"], &[]);
    let help = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "--max-idle-age <SECONDS>",
        "--max-idle-connections <N>",
        // The defaults are the core's (the flags are optional and the core fills in what
        // is absent), so the help states them in prose rather than as clap defaults.
        "(default 30;",
        "(default 32;",
    ] {
        assert!(help.contains(expected), "missing {expected:?} in:\n{help}");
    }

    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    // Over the core's limit: refused by the core, naming the option; nothing sent.
    let sg = ["smartgift", "hold", "--voucher-no", "V1"];
    let sp = ["spaaza", "unlock-voucher", "--voucher-id", "5"];
    for (op, env) in [(&sg, sg_env()), (&sp, sp_env())] {
        let mut args = op.to_vec();
        args.extend_from_slice(&[
            "--base-url",
            &url,
            "--max-idle-connections",
            "1025",
            "--json",
        ]);
        let out = voucherkit(&args, &env);
        assert_eq!(out.status.code(), Some(11), "{}", text(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["kind"], "invalid_request");
        assert_eq!(v["error"]["field"], "max_idle_connections");
    }
    assert!(server.requests().is_empty());

    // A read answered 429 is retried: on the same connection when one may stay idle, on
    // a new one when none may (no idle connection kept, or none young enough).
    let connections = |extra: &[&str]| {
        server.reset();
        server.push(
            Answer::json(429, &json!({"message": "Too Many Attempts."}))
                .with_header("Retry-After", "0"),
        );
        server.push(Answer::json(
            200,
            &json!({"data": {"voucher_no": "V1", "type": "monetary", "remaining_value": "5.00"}}),
        ));
        let mut args = vec![
            "smartgift",
            "check",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--base-url",
            &url,
        ];
        args.extend_from_slice(extra);
        let out = voucherkit(&args, &sg_env());
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", text(&out));
        let ids: Vec<u64> = server.requests().iter().map(|r| r.connection_id).collect();
        assert_eq!(ids.len(), 2, "{extra:?}");
        ids[0] == ids[1]
    };
    assert!(
        connections(&[]),
        "by default the retry reuses the connection"
    );
    assert!(!connections(&["--max-idle-connections", "0"]));
    assert!(!connections(&["--max-idle-age", "0"]));
    assert!(connections(&[
        "--max-idle-age",
        "10",
        "--max-idle-connections",
        "1"
    ]));
}

/// A core warning is one line on stderr; stdout keeps only the result (here JSON).
#[test]
fn warnings_go_to_stderr_as_one_line() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    let claimed = json!({
        "result": {"code": 1, "status": "ok"},
        "results": {"voucher_id": 438595, "voucher_status": "claimed"}
    });
    server.push(Answer::json(200, &claimed));
    let out = voucherkit(
        &[
            "spaaza",
            "redeem-voucher",
            "--chain-id",
            "2",
            "--voucher-id",
            "438595",
            "--base-url",
            &url,
            "--json",
        ],
        &sp_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is only the JSON result");
    assert_eq!(v["voucher_status"], "claimed");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("warning: spaaza redeem-voucher: "),
        "{err}"
    );
    assert!(
        lines[0].contains("438595") && lines[0].contains("claimed"),
        "{err}"
    );

    // A redeemed voucher is no news: stderr stays empty.
    let redeemed = json!({
        "result": {"code": 1, "status": "ok"},
        "results": {"voucher_id": 438595, "voucher_status": "redeemed"}
    });
    server.push(Answer::json(200, &redeemed));
    let out = voucherkit(
        &[
            "spaaza",
            "redeem-voucher",
            "--chain-id",
            "2",
            "--voucher-id",
            "438595",
            "--base-url",
            &url,
        ],
        &sp_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(out.stderr.is_empty(), "{}", text(&out));
}

// ---- the journal ---------------------------------------------------------------------

/// A directory of its own under the system temp dir, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!("vk-cli-j-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The sandbox's Smart Gift key as the environment the CLI reads.
fn sb_sg_env(sb: &voucherkit_sandbox::Sandbox) -> Vec<(&'static str, String)> {
    vec![("SMARTGIFT_API_KEY", sb.smartgift_key())]
}

fn sb_sp_env(sb: &voucherkit_sandbox::Sandbox) -> Vec<(&'static str, String)> {
    vec![
        (
            "SPAAZA_SESSION_USER_ID",
            sb.spaaza_session_user_id().to_string(),
        ),
        ("SPAAZA_SESSION_KEY", sb.spaaza_session_key()),
    ]
}

fn run(args: &[&str], envs: &[(&'static str, String)]) -> Output {
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    voucherkit(args, &envs)
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

/// `journal list --json` of a journal file: the entries, newest first.
fn entries(journal: &str, filters: &[&str]) -> Vec<Value> {
    let mut args = vec!["journal", "list", "--journal", journal, "--json"];
    args.extend_from_slice(filters);
    let out = voucherkit(&args, &[]);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out));
    json_of(&out).as_array().expect("an array").clone()
}

/// The journal id a human-readable result shows (`journal_id: …`).
fn shown_journal_id(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("journal_id: "))
        .unwrap_or_else(|| panic!("no journal_id in: {}", text(out)))
        .to_owned()
}

fn sg_redeem<'a>(url: &'a str, voucher: &'a str, value: &'a str) -> Vec<&'a str> {
    vec![
        "smartgift",
        "redeem",
        "--voucher-no",
        voucher,
        "--site-id",
        "12",
        "--value",
        value,
        "--base-url",
        url,
    ]
}

fn lose_next_answer(sb: &voucherkit_sandbox::Sandbox, path: &str) {
    sb.inject(
        voucherkit_sandbox::FaultRule::fault(path, Fault::Stall)
            .processed()
            .times(1),
    );
}

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

/// The count flags take any integer and let the core judge it, like the durations: a
/// negative count is an `invalid_request` naming the core option, not a usage error.
#[test]
fn bad_counts_and_app_info_are_invalid_requests_naming_the_core_option() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    let cases = [
        ("--max-retries", "-1", "max_retries"),
        ("--max-retries", "4294967296", "max_retries"),
        ("--max-idle-connections", "-1", "max_idle_connections"),
        ("--max-idle-connections", "1025", "max_idle_connections"),
        ("--app-info", "My Till/1.0", "app_info"),
        ("--app-info", "/1.0", "app_info"),
        ("--app-info", "MyTill/", "app_info"),
    ];
    for (flag, value, field) in cases {
        let sg = ["smartgift", "hold", "--voucher-no", "V1"];
        let sp = ["spaaza", "unlock-voucher", "--voucher-id", "5"];
        for (op, env) in [(&sg, sg_env()), (&sp, sp_env())] {
            let mut args = op.to_vec();
            args.extend_from_slice(&["--base-url", &url, flag, value, "--json"]);
            let out = voucherkit(&args, &env);
            assert_eq!(out.status.code(), Some(11), "{args:?}: {}", text(&out));
            let v: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", text(&out)));
            assert_eq!(v["error"]["kind"], "invalid_request", "{args:?}");
            assert_eq!(v["error"]["field"], field, "{args:?}");
        }
    }
    assert!(server.requests().is_empty());
}

/// `--app-info` reaches the User-Agent of both providers, after the library's own token.
#[test]
fn app_info_is_appended_to_the_user_agent() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    server.push(Answer::json(
        200,
        &json!({"data": {"voucher_no": "V1", "type": "monetary", "remaining_value": "5.00"}}),
    ));
    let out = voucherkit(
        &[
            "smartgift",
            "check",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--base-url",
            &url,
            "--app-info",
            "MyTill/4.2 https://till.example",
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let reqs = server.requests();
    let ua = reqs[0].header("user-agent").unwrap();
    assert!(ua.contains("(cli"), "{ua}");
    assert!(ua.ends_with(" MyTill/4.2 (https://till.example)"), "{ua}");
}

/// A Spaaza auth mode that is not one of the core's is refused by the core, naming `auth`.
#[test]
fn an_unknown_spaaza_auth_is_refused_naming_auth() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    let mut env = sp_env();
    env.push(("SPAAZA_AUTH", "root"));
    let out = voucherkit(
        &[
            "spaaza",
            "unlock-voucher",
            "--voucher-id",
            "5",
            "--base-url",
            &url,
            "--json",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(11), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["field"], "auth");
    assert_eq!(v["error"]["provider"], "spaaza");
    assert!(server.requests().is_empty());
}

/// `--verbose`: one stderr line per attempt (a retried 429 makes two) with method, path,
/// status, attempt, duration and the rate-limit headroom; stdout keeps only the result,
/// and no line carries the key, the body or the query string.
#[test]
fn verbose_logs_each_attempt_on_stderr_without_secrets() {
    let server = ScriptedServer::start().unwrap();
    let url = server.url();
    server.push(
        Answer::json(429, &json!({"message": "Too Many Attempts."}))
            .with_header("Retry-After", "0")
            .with_header("X-RateLimit-Limit", "60")
            .with_header("X-RateLimit-Remaining", "0"),
    );
    server.push(
        Answer::json(
            200,
            &json!({"data": {"voucher_no": "V1", "type": "monetary", "remaining_value": "5.00"}}),
        )
        .with_header("X-RateLimit-Limit", "60")
        .with_header("X-RateLimit-Remaining", "58"),
    );
    let out = voucherkit(
        &[
            "smartgift",
            "check",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--base-url",
            &url,
            "--json",
            "--verbose",
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["voucher_no"], "V1");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("request: ")).collect();
    assert_eq!(lines.len(), 2, "{err}");
    let reqs = server.requests();
    let bare = reqs[0].path.split('?').next().unwrap();
    assert!(
        lines[0].starts_with(&format!(
            "request: smartgift {} {bare} -> 429 (attempt 1, ",
            reqs[0].method
        )),
        "{err}"
    );
    assert!(lines[0].ends_with(" ms, rate limit 0/60 left)"), "{err}");
    assert!(
        lines[1].starts_with(&format!(
            "request: smartgift {} {bare} -> 200 (attempt 2, ",
            reqs[1].method
        )),
        "{err}"
    );
    assert!(lines[1].ends_with(" ms, rate limit 58/60 left)"), "{err}");
    for secret in [SG_KEY, "V1", "site_id", "?"] {
        assert!(!err.contains(secret), "{secret:?} in {err}");
    }

    // Without the flag: no request lines.
    server.reset();
    server.push(Answer::json(
        200,
        &json!({"data": {"voucher_no": "V1", "type": "monetary", "remaining_value": "5.00"}}),
    ));
    let out = voucherkit(
        &[
            "smartgift",
            "check",
            "--voucher-no",
            "V1",
            "--site-id",
            "12",
            "--base-url",
            &url,
        ],
        &sg_env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("request: "));
}
