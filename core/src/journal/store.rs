//! The journal's SQLite file: schema, migrations and every query.
//!
//! - WAL mode: readers in other processes never block the writer.
//! - The `pending` entry is written with `synchronous=FULL` (synced before the request
//!   leaves: it survives a power cut). Every later write (the outcome, reconcile's
//!   verdicts, holds) uses `NORMAL`, one fsync fewer per redeem: if a power cut takes
//!   such a write back, the entry is simply still `pending`/`unknown`, and reconcile
//!   settles it again from the provider. Nothing is lost either way.
//! - `application_id` marks the file as a voucherkit journal; `user_version` is the
//!   schema version (a newer one than this library knows is refused, never rewritten).
//! - A busy timeout lets several processes on one till share the file.
//! - Every state change is one guarded `UPDATE … WHERE state IN ('pending','unknown')`,
//!   so an entry is resolved once even when two processes reconcile at the same time.

use std::path::Path;
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, named_params, params};
use serde_json::Value;

use super::entry::{Entry, EntryFilter, EntryState, NewEntry, from_millis, to_millis};
use crate::error::{Error, Provider, Result};

/// `VKJL`: set in every journal file, so another application's database is refused.
const APPLICATION_ID: i32 = 0x564B_4A4C;
/// The schema this library writes; migrations below bring older files up to it.
const SCHEMA_VERSION: i32 = 1;
/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Past its call's timeout, a `pending` entry's process gets this long before reconcile
/// treats it as dead.
pub(crate) const STALE_MARGIN: Duration = Duration::from_secs(5);

const SCHEMA_V1: &str = "
CREATE TABLE entries (
    id TEXT PRIMARY KEY,
    reference TEXT,
    provider TEXT NOT NULL,
    operation TEXT NOT NULL,
    base_url TEXT NOT NULL,
    voucher TEXT NOT NULL,
    request TEXT NOT NULL,
    before TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'applied', 'not_applied', 'unknown')),
    result TEXT,
    error TEXT,
    certain INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    created_at INTEGER NOT NULL,
    timeout_ms INTEGER NOT NULL,
    resolved_at INTEGER,
    reconcile_attempts INTEGER NOT NULL DEFAULT 0,
    examined_at INTEGER, -- microseconds: reconciles that started before it skip the entry
    claimed_by TEXT,
    claimed_until INTEGER
);
CREATE INDEX entries_open ON entries (provider, base_url, state);
CREATE INDEX entries_reference ON entries (reference);
CREATE INDEX entries_voucher ON entries (base_url, voucher);
CREATE TABLE holds (
    base_url TEXT NOT NULL,
    voucher_no TEXT NOT NULL,
    hold_token TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    released_at INTEGER,
    PRIMARY KEY (base_url, voucher_no, hold_token)
);
";

const COLUMNS: &str = "id, reference, provider, operation, request, before, state, result, \
                       error, certain, note, created_at, resolved_at, reconcile_attempts, \
                       timeout_ms";

pub(crate) struct Store {
    conn: Connection,
}

/// An entry as reconcile sees it: with the timeout its writer recorded.
pub(crate) struct OpenEntry {
    pub entry: Entry,
    pub timeout: Duration,
}

fn refuse_open(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::invalid(
        "journal",
        format!("the journal {} cannot be used: {why}", path.display()),
    )
}

fn failed(what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::journal(format!("the journal could not {what}: {e}"))
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        if path.is_dir() {
            return Err(refuse_open(path, "it is a directory"));
        }
        create_private(path).map_err(|e| refuse_open(path, e))?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| refuse_open(path, e))?;
        Store::prepare(conn, true).map_err(|e| refuse_open(path, e))
    }

    pub fn in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(failed("be created in memory"))?;
        Store::prepare(conn, false)
            .map_err(|e| Error::journal(format!("the in-memory journal failed: {e}")))
    }

    /// Settings, then the schema: created when the file is new, migrated when older,
    /// refused when newer or foreign. Errors are plain text for the caller to wrap.
    fn prepare(conn: Connection, file: bool) -> std::result::Result<Store, String> {
        let sql = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => {
                "it is not a voucherkit journal (not an SQLite file)".to_owned()
            }
            Some(rusqlite::ErrorCode::ReadOnly) => "the file is read-only".to_owned(),
            _ => e.to_string(),
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        if file {
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(sql)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(format!("it cannot use WAL mode (got {mode})"));
            }
            conn.execute_batch("PRAGMA synchronous = NORMAL")
                .map_err(sql)?;
        }
        // One writer at a time decides what the file is, so two processes opening a new
        // file create the schema once.
        conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
        let outcome = migrate(&conn).map_err(|e| e.unwrap_or_else(&sql));
        match outcome {
            Ok(()) => conn.execute_batch("COMMIT").map_err(sql)?,
            Err(why) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(why);
            }
        }
        Ok(Store { conn })
    }

    /// Writes the `pending` entry and syncs it: the one write that must be on disk
    /// before the request leaves.
    pub fn insert(&mut self, e: NewEntry) -> Result<String> {
        let id = uuid::Uuid::now_v7().to_string();
        let unsent = "record the call before sending it; nothing was sent";
        self.conn
            .execute_batch("PRAGMA synchronous = FULL")
            .map_err(failed(unsent))?;
        let inserted = self.conn.execute(
            "INSERT INTO entries (id, reference, provider, operation, base_url, voucher, \
                 request, before, state, created_at, timeout_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9, ?10)",
            params![
                id,
                e.reference,
                e.provider.as_str(),
                e.operation,
                e.base_url,
                e.voucher,
                e.request.to_string(),
                e.before.to_string(),
                to_millis(SystemTime::now()),
                i64::try_from(e.timeout.as_millis()).unwrap_or(i64::MAX),
            ],
        );
        // Should this fail, the connection merely stays at FULL: slower, never less safe.
        let _ = self.conn.execute_batch("PRAGMA synchronous = NORMAL");
        inserted.map_err(failed(unsent))?;
        Ok(id)
    }

    pub fn finish(
        &mut self,
        id: &str,
        state: EntryState,
        result: Option<Value>,
        error: Option<Value>,
        now: SystemTime,
    ) -> Result<()> {
        let resolved = (state != EntryState::Unknown).then(|| to_millis(now));
        self.conn
            .execute(
                "UPDATE entries SET state = ?2, result = ?3, error = ?4, resolved_at = ?5 \
                 WHERE id = ?1 AND state IN ('pending', 'unknown')",
                params![
                    id,
                    state.as_str(),
                    result.map(|v| v.to_string()),
                    error.map(|v| v.to_string()),
                    resolved,
                ],
            )
            .map_err(failed("record the call's outcome"))?;
        Ok(())
    }

    pub fn entry(&self, id: &str) -> Result<Option<Entry>> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM entries WHERE id = ?1"),
                [id],
                read_entry,
            )
            .optional()
            .map_err(failed("be read"))
    }

    pub fn entries(&self, f: &EntryFilter) -> Result<Vec<Entry>> {
        let limit = f.limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM entries \
                 WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR reference = ?2) \
                   AND (?3 IS NULL OR provider = ?3) AND (?4 IS NULL OR created_at >= ?4) \
                 ORDER BY created_at DESC, id DESC LIMIT ?5"
            ))
            .map_err(failed("be read"))?;
        let rows = stmt
            .query_map(
                params![
                    f.state.map(EntryState::as_str),
                    f.reference,
                    f.provider.map(Provider::as_str),
                    f.since.map(to_millis),
                    limit,
                ],
                read_entry,
            )
            .map_err(failed("be read"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(failed("be read"))
    }

    /// The entries reconcile may take: `unknown`, and `pending` ones whose process must
    /// have died (older than their timeout plus [`STALE_MARGIN`]), not claimed by a live
    /// reconcile elsewhere.
    pub fn open_entries(
        &self,
        provider: Provider,
        base_url: &str,
        now: SystemTime,
    ) -> Result<Vec<OpenEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM entries \
                 WHERE provider = :provider AND base_url = :base_url AND {OPEN} \
                   AND (claimed_until IS NULL OR claimed_until < :now) \
                   AND (examined_at IS NULL OR examined_at <= :now_us) \
                 ORDER BY created_at"
            ))
            .map_err(failed("be read"))?;
        let rows = stmt
            .query_map(
                named_params! {
                    ":provider": provider.as_str(),
                    ":base_url": base_url,
                    ":now": to_millis(now),
                    ":now_us": to_micros(now),
                    ":stale": STALE_MS,
                },
                |row| {
                    Ok(OpenEntry {
                        entry: read_entry(row)?,
                        timeout: Duration::from_millis(row.get::<_, i64>(14)?.max(0) as u64),
                    })
                },
            )
            .map_err(failed("be read"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(failed("be read"))
    }

    /// Takes an open entry for this reconcile until `until`; false when another process
    /// has it, resolved it, or examined it since this reconcile began (`started`): each
    /// reconcile examines an entry at most once, even one that stays `unknown`.
    pub fn claim(
        &mut self,
        id: &str,
        claimer: &str,
        started: SystemTime,
        now: SystemTime,
        until: SystemTime,
    ) -> Result<bool> {
        let n = self
            .conn
            .execute(
                &format!(
                    "UPDATE entries SET claimed_by = :claimer, claimed_until = :until \
                     WHERE id = :id AND {OPEN} \
                       AND (claimed_until IS NULL OR claimed_until < :now) \
                       AND (examined_at IS NULL OR examined_at <= :started)"
                ),
                named_params! {
                    ":id": id,
                    ":claimer": claimer,
                    ":started": to_micros(started),
                    ":now": to_millis(now),
                    ":until": to_millis(until),
                    ":stale": STALE_MS,
                },
            )
            .map_err(failed("claim an entry"))?;
        Ok(n == 1)
    }

    /// Writes reconcile's verdict on an entry it claimed; false when the claim was lost.
    #[allow(clippy::too_many_arguments)]
    pub fn settle(
        &mut self,
        id: &str,
        claimer: &str,
        state: EntryState,
        certain: bool,
        note: Option<&str>,
        result: Option<&Value>,
        now: SystemTime,
    ) -> Result<bool> {
        let resolved = (state != EntryState::Unknown).then(|| to_millis(now));
        let n = self
            .conn
            .execute(
                "UPDATE entries SET state = ?3, certain = ?4, note = ?5, \
                     result = COALESCE(?6, result), resolved_at = ?7, \
                     reconcile_attempts = reconcile_attempts + 1, examined_at = ?8, \
                     claimed_by = NULL, claimed_until = NULL \
                 WHERE id = ?1 AND claimed_by = ?2 AND state IN ('pending', 'unknown')",
                params![
                    id,
                    claimer,
                    state.as_str(),
                    certain,
                    note,
                    result.map(Value::to_string),
                    resolved,
                    to_micros(now),
                ],
            )
            .map_err(failed("record a reconcile verdict"))?;
        Ok(n == 1)
    }

    /// Applied redeems of one voucher (for a reverse's amount).
    pub fn applied(&self, base_url: &str, voucher: &str, operation: &str) -> Result<Vec<Entry>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM entries \
                 WHERE base_url = ?1 AND voucher = ?2 AND operation = ?3 AND state = 'applied' \
                 ORDER BY created_at"
            ))
            .map_err(failed("be read"))?;
        let rows = stmt
            .query_map(params![base_url, voucher, operation], read_entry)
            .map_err(failed("be read"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(failed("be read"))
    }

    pub fn record_hold(
        &mut self,
        base_url: &str,
        voucher_no: &str,
        hold_token: &str,
        received_at: SystemTime,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO holds (base_url, voucher_no, hold_token, received_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![base_url, voucher_no, hold_token, to_millis(received_at)],
            )
            .map_err(failed("record a hold"))?;
        Ok(())
    }

    pub fn release_hold(
        &mut self,
        base_url: &str,
        voucher_no: &str,
        hold_token: &str,
        now: SystemTime,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE holds SET released_at = ?4 \
                 WHERE base_url = ?1 AND voucher_no = ?2 AND hold_token = ?3",
                params![base_url, voucher_no, hold_token, to_millis(now)],
            )
            .map_err(failed("record a release"))?;
        Ok(())
    }

    /// When a hold this journal recorded was taken, if it was and it was not released.
    pub fn standing_hold(
        &self,
        base_url: &str,
        voucher_no: &str,
        hold_token: &str,
    ) -> Result<Option<SystemTime>> {
        self.conn
            .query_row(
                "SELECT received_at FROM holds WHERE base_url = ?1 AND voucher_no = ?2 \
                 AND hold_token = ?3 AND released_at IS NULL",
                params![base_url, voucher_no, hold_token],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|ms| ms.map(from_millis))
            .map_err(failed("be read"))
    }
}

/// The condition for an entry reconcile may take.
const OPEN: &str =
    "(state = 'unknown' OR (state = 'pending' AND created_at + timeout_ms + :stale < :now))";
const STALE_MS: i64 = STALE_MARGIN.as_millis() as i64;

/// Microseconds since the epoch: fine enough that a reconcile started after another
/// finished always sees its verdicts as earlier.
fn to_micros(t: SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// The file, created with mode 0600 when it does not exist (SQLite gives its WAL and
/// shared-memory files the same mode).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Inside `BEGIN IMMEDIATE`: `Err(Some(why))` refuses the file, `Err(None)` is SQLite's.
fn migrate(
    conn: &Connection,
) -> std::result::Result<(), std::result::Result<String, rusqlite::Error>> {
    let get = |pragma: &str| -> std::result::Result<i32, _> {
        conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
            .map_err(Err)
    };
    let app = get("application_id")?;
    let version = get("user_version")?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(Err)?;
    match (app, version) {
        (0, 0) if tables == 0 => {
            conn.execute_batch(SCHEMA_V1).map_err(Err)?;
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION}"
            ))
            .map_err(Err)?;
            Ok(())
        }
        (APPLICATION_ID, v) if v == SCHEMA_VERSION => Ok(()),
        (APPLICATION_ID, v) if v > SCHEMA_VERSION => Err(Ok(format!(
            "it was written by a newer voucherkit (journal schema {v}; this version knows up to \
             {SCHEMA_VERSION}): upgrade voucherkit"
        ))),
        (APPLICATION_ID, v) => Err(Ok(format!(
            "its journal schema {v} is unknown to this version"
        ))),
        _ => Err(Ok(
            "it is not a voucherkit journal (another application's database)".to_owned(),
        )),
    }
}

fn json_column(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<Value>> {
    let text: Option<String> = row.get(i)?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

fn read_entry(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let provider: String = row.get(2)?;
    let state: String = row.get(6)?;
    Ok(Entry {
        id: row.get(0)?,
        reference: row.get(1)?,
        provider: match provider.as_str() {
            "spaaza" => Provider::Spaaza,
            _ => Provider::SmartGift,
        },
        operation: row.get(3)?,
        request: json_column(row, 4)?.unwrap_or(Value::Null),
        before: json_column(row, 5)?,
        state: EntryState::from_name(&state).unwrap_or(EntryState::Unknown),
        result: json_column(row, 7)?,
        error: json_column(row, 8)?,
        certain: row.get(9)?,
        note: row.get(10)?,
        created_at: from_millis(row.get(11)?),
        resolved_at: row.get::<_, Option<i64>>(12)?.map(from_millis),
        reconcile_attempts: row.get::<_, i64>(13)?.clamp(0, i64::from(u32::MAX)) as u32,
    })
}
