//! The redemption journal: a durable record, on the till, of every money-moving call, so
//! that a lost answer or a crash never leaves money in doubt (docs/journal.md).
//!
//! Neither provider offers idempotency keys or a way to look a redemption up. So a client
//! built with a [`Journal`] does what payment terminals do:
//!
//! 1. it reads the voucher first (the *snapshot*: Smart Gift `check`, Spaaza
//!    `get-vouchers`); if that read fails, nothing is sent;
//! 2. it writes a `pending` entry and syncs it to disk **before** the request leaves;
//! 3. it sends, and records what happened: `applied` (the answer said so), `not_applied`
//!    (a definite refusal) or `unknown` (`outcome_unknown`: it may have happened);
//! 4. later, `reconcile()` reads each voucher again and compares it with the snapshot to
//!    settle every `unknown` entry, and every `pending` one whose process died.
//!
//! ```no_run
//! use voucherkit_core::journal::{EntryFilter, EntryState, Journal};
//! use voucherkit_core::smartgift::{RedeemRequest, SmartGift, SmartGiftConfig};
//!
//! let journal = Journal::open("/var/lib/till/vouchers.journal")?;
//! let sg = SmartGift::new(SmartGiftConfig {
//!     journal: Some(journal.clone()),
//!     ..SmartGiftConfig::new("sk_live_…")
//! })?;
//! let req = RedeemRequest { reference: Some("sale-42".into()), ..RedeemRequest::money("1234567890", 12, "10.00") };
//! match sg.redeem(&req) {
//!     Ok(r) => println!("redeemed, entry {:?}", r.journal_id),
//!     Err(e) => println!("{e} (entry {:?})", e.journal_id),
//! }
//! // At start-up, and after any outcome_unknown:
//! for entry in sg.reconcile()? {
//!     println!("{} is now {}", entry.id, entry.state);
//! }
//! let open = journal.entries(&EntryFilter { state: Some(EntryState::Unknown), ..Default::default() })?;
//! # Ok::<(), voucherkit_core::Error>(())
//! ```
//!
//! Storage is SQLite (bundled, no system library) in WAL mode with `synchronous=FULL`,
//! so an entry is on disk before its request leaves; several processes on one till may
//! share a file. No secret is ever written: the journal knows vouchers, amounts and
//! results, never keys.

mod entry;
pub(crate) mod reconcile;
mod store;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

pub(crate) use self::entry::NewEntry;
pub use self::entry::{Entry, EntryFilter, EntryState};
use self::store::Store;
use crate::error::{Error, Result};
use crate::transport::{ClientOptions, Warning};

/// A journal file, shared by clients and threads (`Clone` is cheap: one connection
/// inside, used by one thread at a time).
#[derive(Clone)]
pub struct Journal {
    inner: Arc<Inner>,
}

struct Inner {
    store: Mutex<Store>,
    /// Where it lives, for messages; `:memory:` for an in-memory journal.
    path: String,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Journal {
    /// Opens the journal at `path`, creating it (mode 0600) when it does not exist.
    ///
    /// A path that cannot be opened or created, a file that is not a voucherkit journal,
    /// a journal written by a newer voucherkit, or a read-only file is an
    /// `invalid_request` naming `journal`: better to refuse at start-up than to find out
    /// at the first redeem.
    pub fn open(path: impl AsRef<Path>) -> Result<Journal> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        if shown == ":memory:" {
            return Journal::in_memory();
        }
        let store = Store::open(path)?;
        Ok(Journal::wrap(store, shown))
    }

    /// A journal that lives as long as this value (for tests and demos).
    pub fn in_memory() -> Result<Journal> {
        Ok(Journal::wrap(Store::in_memory()?, ":memory:".to_owned()))
    }

    fn wrap(store: Store, path: String) -> Journal {
        Journal {
            inner: Arc::new(Inner {
                store: Mutex::new(store),
                path,
            }),
        }
    }

    /// Where the journal lives (`:memory:` for an in-memory one).
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// The entries matching `filter`, newest first.
    pub fn entries(&self, filter: &EntryFilter) -> Result<Vec<Entry>> {
        self.store()?.entries(filter)
    }

    /// One entry by id.
    pub fn entry(&self, id: &str) -> Result<Option<Entry>> {
        self.store()?.entry(id)
    }

    pub(crate) fn store(&self) -> Result<MutexGuard<'_, Store>> {
        // A panic while holding the lock leaves SQLite consistent (every change is a
        // transaction), so the connection stays usable.
        Ok(self.inner.store.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Writes a `pending` entry, synced, before its request is sent.
    fn begin(&self, entry: NewEntry) -> Result<String> {
        self.store()?.insert(entry)
    }

    /// Records what a journaled call ended with. Guarded: an entry another process has
    /// already resolved (by reconcile) is left as it is.
    fn finish<T: serde::Serialize>(
        &self,
        id: &str,
        outcome: &std::result::Result<T, Error>,
    ) -> Result<()> {
        let (state, result, error) = match outcome {
            Ok(value) => (
                EntryState::Applied,
                Some(serde_json::to_value(value).map_err(|e| Error::internal(e.to_string()))?),
                None,
            ),
            Err(e) if e.kind == crate::ErrorKind::OutcomeUnknown => {
                (EntryState::Unknown, None, Some(entry::error_json(e)))
            }
            Err(e) => (EntryState::NotApplied, None, Some(entry::error_json(e))),
        };
        self.store()?
            .finish(id, state, result, error, SystemTime::now())
    }

    /// A journaled write: `entry` is written and synced, then `send` runs, then its
    /// outcome is recorded. The entry's id rides on the result (`with_id`) or on the error.
    /// If the entry cannot be written, nothing is sent. If the outcome cannot be recorded,
    /// the call's own outcome still stands (the entry stays `pending` and reconcile will
    /// settle it), and the till hears of it through the client's warning logger.
    pub(crate) fn write<T: serde::Serialize>(
        &self,
        entry: NewEntry,
        options: &ClientOptions,
        send: impl FnOnce() -> Result<T>,
        with_id: impl FnOnce(T, String) -> T,
    ) -> Result<T> {
        let provider = entry.provider;
        let id = self.begin(entry).map_err(|e| e.with_provider(provider))?;
        let outcome = send();
        if let Err(e) = self.finish(&id, &outcome) {
            options.warn(Warning {
                provider,
                operation: "journal",
                message: e.message,
            });
        }
        match outcome {
            Ok(value) => Ok(with_id(value, id)),
            Err(e) => Err(e.with_journal_id(id)),
        }
    }

    /// Records a hold this client took (voucher, token, time), so reconcile knows
    /// whether a redeem was made under a standing hold.
    pub(crate) fn record_hold(
        &self,
        base_url: &str,
        voucher_no: &str,
        hold_token: &str,
        received_at: SystemTime,
    ) -> Result<()> {
        self.store()?
            .record_hold(base_url, voucher_no, hold_token, received_at)
    }

    pub(crate) fn release_hold(
        &self,
        base_url: &str,
        voucher_no: &str,
        hold_token: &str,
    ) -> Result<()> {
        self.store()?
            .release_hold(base_url, voucher_no, hold_token, SystemTime::now())
    }
}
