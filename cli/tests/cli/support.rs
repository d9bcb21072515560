//! Helpers every test module shares: running the binary, the environments, the journal.

use std::process::{Command, Output};

use serde_json::Value;
use voucherkit_sandbox::Fault;

pub const SG_KEY: &str = "sk_test_cli_secret_key_0123456789";
pub const SP_KEY: &str = "sess_cli_secret_session_key_9876";

pub fn voucherkit(args: &[&str], envs: &[(&str, &str)]) -> Output {
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

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn sg_env() -> Vec<(&'static str, &'static str)> {
    vec![("SMARTGIFT_API_KEY", SG_KEY)]
}

pub fn sp_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SPAAZA_SESSION_USER_ID", "1"),
        ("SPAAZA_SESSION_KEY", SP_KEY),
    ]
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (exactly that shape) as milliseconds since the epoch.
pub fn rfc3339_millis(text: &str) -> i64 {
    assert!(
        text.len() == 24 && text.as_bytes()[19] == b'.' && text.ends_with('Z'),
        "{text}"
    );
    let at = humantime::parse_rfc3339(text).expect(text);
    at.duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A directory of its own under the system temp dir, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!("vk-cli-j-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The sandbox's Smart Gift key as the environment the CLI reads.
pub fn sb_sg_env(sb: &voucherkit_sandbox::Sandbox) -> Vec<(&'static str, String)> {
    vec![("SMARTGIFT_API_KEY", sb.smartgift_key())]
}

pub fn sb_sp_env(sb: &voucherkit_sandbox::Sandbox) -> Vec<(&'static str, String)> {
    vec![
        (
            "SPAAZA_SESSION_USER_ID",
            sb.spaaza_session_user_id().to_string(),
        ),
        ("SPAAZA_SESSION_KEY", sb.spaaza_session_key()),
    ]
}

pub fn run(args: &[&str], envs: &[(&'static str, String)]) -> Output {
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    voucherkit(args, &envs)
}

pub fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

/// `journal list --json` of a journal file: the entries, newest first.
pub fn entries(journal: &str, filters: &[&str]) -> Vec<Value> {
    let mut args = vec!["journal", "list", "--journal", journal, "--json"];
    args.extend_from_slice(filters);
    let out = voucherkit(&args, &[]);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out));
    json_of(&out).as_array().expect("an array").clone()
}

/// The journal id a human-readable result shows (`journal_id: …`).
pub fn shown_journal_id(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("journal_id: "))
        .unwrap_or_else(|| panic!("no journal_id in: {}", text(out)))
        .to_owned()
}

pub fn sg_redeem<'a>(url: &'a str, voucher: &'a str, value: &'a str) -> Vec<&'a str> {
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

pub fn lose_next_answer(sb: &voucherkit_sandbox::Sandbox, path: &str) {
    sb.inject(
        voucherkit_sandbox::FaultRule::fault(path, Fault::Stall)
            .processed()
            .times(1),
    );
}
