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
        "/../../tests/conformance/bodies/spaaza-redeem-voucher-success.json"
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
        "[default: 30]",
        "[default: 32]",
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
