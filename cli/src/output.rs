//! How results and errors are shown: for people by default, JSON with `--json`.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use voucherkit_core::journal::{Entry, EntryState};
use voucherkit_core::{Error, ErrorKind, RequestLog, RequestLogger, Warning, WarningLogger};

/// Set once stdout could not be written: nothing more is written to it.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes one line to stdout (what `outln!` does). If the reader went away
/// (`voucherkit demo | head -3`: EPIPE, since Rust and Node ignore SIGPIPE), later output
/// is dropped quietly, as standard Unix tools stop when the pipe closes; any other write
/// failure is said once on stderr. Never panics, unlike `println!`.
pub fn line(args: fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut text = args.to_string();
    text.push('\n');
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && !STDOUT_CLOSED.swap(true, Ordering::Relaxed)
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        error_line(format_args!("voucherkit: cannot write to stdout: {e}"));
    }
}

/// True once a write to stdout failed (the reader went away): long commands stop early.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Writes one line to stderr (what `errln!` does); a closed stderr loses it, nothing more.
pub fn error_line(args: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(format_args!("{args}\n"));
}

/// A core warning hook that writes each warning as one line to stderr (stdout may be
/// carrying `--json`): `warning: spaaza redeem-voucher: …`.
pub fn warnings_to_stderr() -> WarningLogger {
    Arc::new(|w: &Warning| {
        error_line(format_args!(
            "warning: {} {}: {}",
            w.provider, w.operation, w.message
        ))
    })
}

/// `--verbose`: one line per HTTP attempt on stderr (stdout may be carrying `--json`),
/// built from the core's request log, which never holds a body, a query string or a
/// secret: `request: spaaza POST /auth/redeem-voucher -> 200 (attempt 1, 12.3 ms,
/// rate limit 59/60 left)`.
pub fn requests_to_stderr() -> RequestLogger {
    Arc::new(|log: &RequestLog| error_line(format_args!("{}", request_line(log))))
}

/// The `--verbose` line for one attempt.
pub fn request_line(log: &RequestLog) -> String {
    let outcome = match (log.status, &log.failure) {
        (Some(status), _) => status.to_string(),
        (None, Some(failure)) => format!("no answer: {failure}"),
        (None, None) => "no answer".to_owned(),
    };
    let mut line = format!(
        "request: {} {} {} -> {outcome} (attempt {}, {:.1} ms",
        log.provider,
        log.method,
        log.path,
        log.attempt,
        log.duration.as_secs_f64() * 1000.0
    );
    match (log.rate_limit_remaining, log.rate_limit_limit) {
        (Some(left), Some(limit)) => line.push_str(&format!(", rate limit {left}/{limit} left")),
        (Some(left), None) => line.push_str(&format!(", rate limit {left} left")),
        _ => {}
    }
    line.push(')');
    line
}

/// The exit code for an error: 10 + the kind's stable code (see `--help`).
pub fn exit_code(err: &Error) -> i32 {
    10 + err.kind.code() as i32
}

/// What a till operator should do next, per kind.
pub fn advice(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidRequest => "fix the named field; nothing was sent",
        ErrorKind::Authentication => "check the key or session; it is missing, wrong or expired",
        ErrorKind::PermissionDenied => "this account may not do this",
        ErrorKind::VoucherNotFound => "check the voucher number with the customer",
        ErrorKind::VoucherNotOwned => "the voucher belongs to another company or chain",
        ErrorKind::VoucherExpired => "the voucher is outside its validity dates",
        ErrorKind::VoucherAlreadyRedeemed => "nothing is left on this voucher",
        ErrorKind::VoucherNotHeld => "there is no live hold to release",
        ErrorKind::VoucherLocked => "another till or basket holds it; it frees itself in minutes",
        ErrorKind::InvalidSite => "check the site number in the provider's dashboard",
        ErrorKind::InvalidAmount => "the provider refused the amount (more than the balance?)",
        ErrorKind::RateLimited => "too many requests; wait and try again",
        ErrorKind::ProviderError => "the provider refused; read its message",
        ErrorKind::Network => "nothing reached the provider; it is safe to try again",
        ErrorKind::OutcomeUnknown => {
            "it MAY have happened: check the voucher before trying again; do not simply retry"
        }
        ErrorKind::InvalidResponse => {
            "the provider's answer made no sense; nothing is known to have changed"
        }
        ErrorKind::Internal => "a bug in voucherkit; please report it",
        ErrorKind::Journal => {
            "the journal could not record the call, so nothing was sent: fix the journal file \
             (disk space, permissions) before redeeming"
        }
        _ => "",
    }
}

/// Prints a result: `--json` gives the result object, otherwise `field: value` lines
/// (without `raw`, which is for programs).
pub fn print_result(value: &Value, json: bool) {
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
        return;
    }
    print_fields(value, "");
}

fn print_fields(value: &Value, indent: &str) {
    let Some(map) = value.as_object() else {
        outln!("{indent}{}", scalar(value));
        return;
    };
    for (key, v) in map {
        if key == "raw" || v.is_null() {
            continue;
        }
        match v {
            Value::Object(_) => {
                outln!("{indent}{key}:");
                print_fields(v, &format!("{indent}  "));
            }
            Value::Array(items) if items.iter().any(Value::is_object) => {
                outln!("{indent}{key}:");
                for item in items {
                    outln!("{indent}  -");
                    print_fields(item, &format!("{indent}    "));
                }
            }
            Value::Array(items) if items.is_empty() => {}
            _ => outln!("{indent}{key}: {}", scalar(v)),
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Prints an error to stderr (people) or stdout (`--json`, as `{"error": …}`).
pub fn print_error(err: &Error, json: bool) {
    if json {
        let body = serde_json::json!({ "error": err.to_json() });
        outln!(
            "{}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        );
        return;
    }
    errln!("{}", describe_error(err));
}

/// An error as a person reads it: kind and message, then where and what next.
pub fn describe_error(err: &Error) -> String {
    let mut out = format!("error: {} — {}", err.kind, err.message);
    let mut facts = Vec::new();
    if let Some(field) = &err.field {
        facts.push(format!("field {field}"));
    }
    if let Some(status) = err.http_status {
        facts.push(format!("HTTP {status}"));
    }
    if let Some(code) = &err.provider_code {
        facts.push(format!("provider code {code}"));
    }
    if let Some(secs) = err.retry_after {
        facts.push(format!("retry after {secs}s"));
    }
    if let Some(id) = &err.journal_id {
        facts.push(format!("journal entry {id}"));
    }
    if !facts.is_empty() {
        out.push_str(&format!("\n  ({})", facts.join(", ")));
    }
    out.push_str(&format!(
        "\n  what to do: {} [retryable: {}]",
        advice(err.kind),
        if err.retryable { "yes" } else { "no" }
    ));
    // With a journal the till need not check by hand: reconcile reads the voucher again.
    if let (ErrorKind::OutcomeUnknown, Some(_), Some(provider)) =
        (err.kind, &err.journal_id, err.provider)
    {
        out.push_str(&format!(
            "\n  the journal keeps it as unknown: `voucherkit {provider} reconcile` (same journal \
             and base URL) settles it"
        ));
    }
    out
}

/// Prints journal entries: `--json` gives the array as the core serialises it, otherwise
/// a table, newest first.
pub fn print_entries(entries: &[Entry], json: bool) {
    if json {
        print_json_entries(entries);
        return;
    }
    if entries.is_empty() {
        outln!("no journal entries");
        return;
    }
    print_table(entries);
    outln!(
        "{} {}",
        entries.len(),
        if entries.len() == 1 {
            "entry"
        } else {
            "entries"
        }
    );
}

/// Prints what a reconcile examined. Entries still unknown get their whole note (it says
/// why and what to do); a Spaaza redeem that regenerated a voucher says where the rest is.
pub fn print_reconciled(entries: &[Entry], json: bool) {
    if json {
        print_json_entries(entries);
        return;
    }
    if entries.is_empty() {
        outln!("nothing to reconcile: no unknown entries, and no pending entry past its deadline");
        return;
    }
    outln!(
        "reconcile examined {} {}:",
        entries.len(),
        if entries.len() == 1 {
            "entry"
        } else {
            "entries"
        }
    );
    print_table(entries);
    for e in entries {
        if e.state == EntryState::Unknown {
            outln!(
                "still unknown: {} — {}",
                e.id,
                e.note.as_deref().unwrap_or("no note")
            );
        }
        if let Some(rest) = e
            .result
            .as_ref()
            .and_then(|r| r.get("regenerated_voucher"))
            .filter(|r| r.is_object())
        {
            let text = |key: &str| rest.get(key).map(scalar).unwrap_or_else(|| "?".into());
            outln!(
                "the rest of {}: voucher {} ({}{}, {})",
                e.id,
                text("voucher_id"),
                text("voucher_currency_symbol"),
                text("voucher_amount"),
                text("voucher_status")
            );
        }
    }
}

fn print_json_entries(entries: &[Entry]) {
    let value = serde_json::to_value(entries).unwrap_or(Value::Null);
    outln!(
        "{}",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    );
}

/// One line per entry, columns as wide as their widest cell; free text is cut short.
fn print_table(entries: &[Entry]) {
    const HEADER: [&str; 8] = [
        "id",
        "created_at",
        "provider",
        "operation",
        "reference",
        "state",
        "certain",
        "note",
    ];
    let rows: Vec<[String; 8]> = entries
        .iter()
        .map(|e| {
            let created = serde_json::to_value(e)
                .ok()
                .and_then(|v| v["created_at"].as_str().map(seconds_only))
                .unwrap_or_default();
            [
                e.id.clone(),
                created,
                e.provider.to_string(),
                e.operation.clone(),
                cut(e.reference.as_deref().unwrap_or("-"), 20),
                e.state.to_string(),
                if e.certain { "yes" } else { "no" }.to_owned(),
                cut(e.note.as_deref().unwrap_or("-"), 60),
            ]
        })
        .collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 8]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let pad = w - cell.chars().count();
                text.push_str(cell);
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        outln!("{}", text.trim_end());
    };
    line(HEADER);
    for row in &rows {
        line(row.each_ref().map(String::as_str));
    }
}

/// `2026-01-31T10:00:00.123Z` → `2026-01-31T10:00:00Z`: the table needs no milliseconds
/// (`--json` keeps them).
fn seconds_only(t: &str) -> String {
    match t.split_once('.') {
        Some((whole, _)) => format!("{whole}Z"),
        None => t.to_owned(),
    }
}

/// One line of at most `max` characters: line breaks become spaces, and a cut is marked
/// with `…`.
fn cut(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        return flat;
    }
    let mut short: String = flat.chars().take(max - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use voucherkit_core::Provider;

    use super::*;

    #[test]
    fn verbose_line_shows_status_attempt_duration_and_rate_limit() {
        let mut log = RequestLog {
            provider: Provider::SmartGift,
            method: "POST",
            path: "/redeem".into(),
            status: Some(200),
            duration: Duration::from_micros(12_345),
            attempt: 2,
            failure: None,
            rate_limit_remaining: Some(59),
            rate_limit_limit: Some(60),
        };
        assert_eq!(
            request_line(&log),
            "request: smartgift POST /redeem -> 200 (attempt 2, 12.3 ms, rate limit 59/60 left)"
        );
        log.status = None;
        log.failure = Some("connection refused".into());
        log.rate_limit_remaining = None;
        log.rate_limit_limit = None;
        assert_eq!(
            request_line(&log),
            "request: smartgift POST /redeem -> no answer: connection refused (attempt 2, 12.3 ms)"
        );
    }
}
