//! Input and options: validation before sending, keys from the environment only, no
//! secret in any output, duration and count flags judged by the core, `--app-info`,
//! `--verbose`.

use serde_json::{Value, json};
use voucherkit_sandbox::{Answer, ScriptedServer};

use crate::support::{SG_KEY, SP_KEY, sg_env, sp_env, text, voucherkit};

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
