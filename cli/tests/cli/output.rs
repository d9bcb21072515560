//! What the binary prints and how it exits: results for people and programs, exit
//! codes, usage errors, `demo`, `sandbox`, a closed stdout, warnings on stderr.

use std::process::Command;

use serde_json::{Value, json};
use voucherkit_sandbox::{Answer, Fault, ScriptedServer};

use crate::support::{SG_KEY, sg_env, sp_env, text, voucherkit};

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

fn seed_error(message: &str) -> Answer {
    Answer::json(
        422,
        &json!({"message": message, "errors": {"voucher_no": [message]}}),
    )
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
