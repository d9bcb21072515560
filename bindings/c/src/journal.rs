//! The redemption journal: `vk_journal` (a journal file), its entries, and the filter
//! vk_journal_entries() takes.
//!
//! Neither provider can be asked "did my redeem happen?" after a lost answer, so a client
//! built with a journal reads the voucher first, writes a `pending` entry to disk before
//! the request leaves, and records what came back; reconcile later reads the voucher again
//! to settle every entry whose outcome was unknown. This module only converts: opening,
//! storage, filtering and reconcile are the core's.

use std::ffi::{CString, c_char};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use voucherkit_core::journal::{Entry, EntryFilter, EntryState, Journal};
use voucherkit_core::{Error, Provider};

use crate::error::vk_error;
use crate::ffi::{
    self, NULL, Strings, c_string, handle, opt_int, opt_str, out_slot, req_str, with,
};
use crate::status::vk_status;

/// A journal file, opened with vk_journal_open() and freed with vk_journal_free().
/// Thread-safe; several clients (and processes) may share one file. A client built with
/// it keeps its own reference, so the handle may be freed while the client lives on.
pub struct vk_journal {
    pub(crate) journal: Journal,
    path: CString,
}

/// One journaled call (a Smart Gift redeem or reverse, a Spaaza redeem-voucher) and where
/// it stands. Entries returned through `out` by vk_journal_entry_get() are freed with
/// vk_journal_entry_free(); those of a vk_journal_entry_list are borrowed from it.
pub struct vk_journal_entry {
    e: Entry,
    s: Strings,
}

/// Entries, newest first (vk_journal_entries()) or as reconcile examined them. Free with
/// vk_journal_entry_list_free().
pub struct vk_journal_entry_list {
    entries: Vec<vk_journal_entry>,
}

/// Which entries vk_journal_entries() returns; every field given narrows the result. A
/// zero-initialised struct (`{0}`) selects every entry. Pointers are NULL when absent.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vk_journal_filter {
    /// `"pending"`, `"applied"`, `"not_applied"` or `"unknown"`; NULL for any. Another
    /// name is refused with `VK_INVALID_REQUEST` (field `state`).
    pub state: *const c_char,
    /// The till's own reference given with the call; NULL for any.
    pub reference: *const c_char,
    /// `"smartgift"` or `"spaaza"`; NULL for any. Another name is refused (field
    /// `provider`).
    pub provider: *const c_char,
    /// Only entries created at or after this time, in milliseconds since the Unix epoch;
    /// NULL for any.
    pub since_ms: *const u64,
    /// At most this many entries (the newest); NULL for all.
    pub limit: *const usize,
}

impl vk_journal_entry {
    pub(crate) fn new(e: Entry) -> vk_journal_entry {
        vk_journal_entry {
            e,
            s: Strings::new(12),
        }
    }
}

impl vk_journal_entry_list {
    pub(crate) fn new(entries: Vec<Entry>) -> vk_journal_entry_list {
        vk_journal_entry_list {
            entries: entries.into_iter().map(vk_journal_entry::new).collect(),
        }
    }
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

unsafe fn filter(f: &vk_journal_filter) -> Result<EntryFilter, Error> {
    // SAFETY (whole block): pointers are NULL or valid, as documented.
    let state = unsafe { opt_str(f.state, "state") }?
        .map(|name| EntryState::parse(name, "state"))
        .transpose()?;
    let provider = unsafe { opt_str(f.provider, "provider") }?
        .map(|name| Provider::parse(name, "provider"))
        .transpose()?;
    let since = match unsafe { opt_int(f.since_ms) } {
        None => None,
        Some(ms) => Some(
            UNIX_EPOCH
                .checked_add(Duration::from_millis(ms))
                .ok_or_else(|| Error::invalid("since_ms", "since_ms is out of range"))?,
        ),
    };
    Ok(EntryFilter {
        state,
        reference: unsafe { ffi::opt_string(f.reference, "reference") }?,
        provider,
        since,
        limit: unsafe { opt_int(f.limit) },
    })
}

// ---- vk_journal ----

/// Opens the journal at `path` (UTF-8), creating it (mode 0600) when it does not exist;
/// `":memory:"` gives a journal that lives as long as its handle and the clients built
/// with it. A directory, a missing parent directory, a file that is not a voucherkit
/// journal, one written by a newer voucherkit or a read-only file is `VK_INVALID_REQUEST`
/// with field `journal`: better at start-up than at the first redeem. The file never
/// holds a key or session secret.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_open(
    path: *const c_char,
    out: *mut *mut vk_journal,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        // SAFETY: NULL or a NUL-terminated string.
        let path = unsafe { req_str(path, "path") }?;
        let out = out_slot(out, "out")?;
        let journal = Journal::open(path)?;
        out.put(vk_journal {
            path: c_string(journal.path()),
            journal,
        });
        Ok(())
    })
}

/// Frees a journal handle; NULL does nothing. Clients built with it keep the journal open
/// until they are freed themselves.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_free(journal: *mut vk_journal) {
    // SAFETY: made by vk_journal_open, freed once.
    unsafe { ffi::free(journal) }
}

/// Where the journal lives (`":memory:"` for an in-memory one; owned by the handle); NULL
/// for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_path(journal: *const vk_journal) -> *const c_char {
    with(journal, NULL, |j| j.path.as_ptr())
}

/// The entries matching `filter` (NULL: every entry), newest first, into `*out`. Free it
/// with vk_journal_entry_list_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entries(
    journal: *const vk_journal,
    filter: *const vk_journal_filter,
    out: *mut *mut vk_journal_entry_list,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let j = unsafe { handle(journal, "journal") }?;
        let out = out_slot(out, "out")?;
        let f = match unsafe { filter.as_ref() } {
            Some(f) => unsafe { self::filter(f) }?,
            None => EntryFilter::default(),
        };
        out.put(vk_journal_entry_list::new(j.journal.entries(&f)?));
        Ok(())
    })
}

/// The entry with id `id` into `*out` (free it with vk_journal_entry_free()); `*out` is
/// set to NULL when no entry has that id (still `VK_OK`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_get(
    journal: *const vk_journal,
    id: *const c_char,
    out: *mut *mut vk_journal_entry,
    err: *mut *mut vk_error,
) -> vk_status {
    ffi::call(err, None, || {
        // SAFETY (whole block): pointers are NULL or valid, as documented.
        let j = unsafe { handle(journal, "journal") }?;
        let id = unsafe { req_str(id, "id") }?;
        let out = out_slot(out, "out")?;
        match j.journal.entry(id)? {
            Some(e) => out.put(vk_journal_entry::new(e)),
            None => out.put_null(),
        }
        Ok(())
    })
}

// ---- vk_journal_entry_list ----

/// Frees an entry list (and every entry in it); NULL does nothing.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_list_free(list: *mut vk_journal_entry_list) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(list) }
}

/// How many entries the list holds (0 for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_list_count(list: *const vk_journal_entry_list) -> usize {
    with(list, 0, |l| l.entries.len())
}

/// Entry `i` (borrowed: valid while the list is; never freed on its own); NULL when out of
/// range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_list_at(
    list: *const vk_journal_entry_list,
    i: usize,
) -> *const vk_journal_entry {
    with(list, std::ptr::null(), |l| {
        l.entries.get(i).map_or(std::ptr::null(), |e| e as *const _)
    })
}

// ---- vk_journal_entry ----

/// Frees an entry returned through `out` by vk_journal_entry_get(); NULL does nothing.
/// Never pass an entry borrowed from a list.
/// Freeing it twice, or using it or anything read from it after it is freed, is undefined
/// behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_free(entry: *mut vk_journal_entry) {
    // SAFETY: made by this library, freed once.
    unsafe { ffi::free(entry) }
}

/// The entry's id (a UUID v7, time-ordered): what vk_error_journal_id() and the results'
/// `_journal_id` accessors give.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_id(entry: *const vk_journal_entry) -> *const c_char {
    with(entry, NULL, |e| e.s.get(0, || Some(e.e.id.clone())))
}

/// The till's own reference given with the call (a sale or basket id); NULL when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_reference(
    entry: *const vk_journal_entry,
) -> *const c_char {
    with(entry, NULL, |e| e.s.get(1, || e.e.reference.clone()))
}

/// `"smartgift"` or `"spaaza"`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_provider(
    entry: *const vk_journal_entry,
) -> *const c_char {
    with(entry, NULL, |e| {
        e.s.get(2, || Some(e.e.provider.as_str().to_owned()))
    })
}

/// `"redeem"`, `"reverse"` (Smart Gift) or `"redeem_voucher"` (Spaaza).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_operation(
    entry: *const vk_journal_entry,
) -> *const c_char {
    with(entry, NULL, |e| e.s.get(3, || Some(e.e.operation.clone())))
}

/// `"pending"` (sent, or about to be; its process may have died), `"applied"`,
/// `"not_applied"` or `"unknown"` (it may have happened: reconcile settles it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_state(entry: *const vk_journal_entry) -> *const c_char {
    with(entry, NULL, |e| {
        e.s.get(4, || Some(e.e.state.as_str().to_owned()))
    })
}

/// What was asked, as JSON text: identifiers, the amount as a decimal string,
/// experiences, the hold token. Never a secret.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_request_json(
    entry: *const vk_journal_entry,
) -> *const c_char {
    with(entry, NULL, |e| {
        e.s.get(5, || Some(e.e.request.to_string()))
    })
}

/// The snapshot read before the write, as JSON text (Smart Gift: `remaining_value`;
/// Spaaza: status and amounts); NULL when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_before_json(
    entry: *const vk_journal_entry,
) -> *const c_char {
    with(entry, NULL, |e| {
        e.s.get(6, || e.e.before.as_ref().map(|v| v.to_string()))
    })
}

/// The success result as JSON text (redemption ids, the regenerated voucher); NULL when
/// not known.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_result_json(
    entry: *const vk_journal_entry,
) -> *const c_char {
    with(entry, NULL, |e| {
        e.s.get(7, || e.e.result.as_ref().map(|v| v.to_string()))
    })
}

/// The failure as JSON text, `{"kind", "message", "field", "http_status"}`; NULL when the
/// call did not fail.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_error_json(
    entry: *const vk_journal_entry,
) -> *const c_char {
    with(entry, NULL, |e| {
        e.s.get(8, || e.e.error.as_ref().map(|v| v.to_string()))
    })
}

/// True when `applied` / `not_applied` is proven (a redeem under a standing hold, a
/// matching Spaaza redemption) rather than inferred from the balance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_certain(entry: *const vk_journal_entry) -> bool {
    with(entry, false, |e| e.e.certain)
}

/// Why an entry is still `unknown`, or how reconcile decided; NULL when none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_note(entry: *const vk_journal_entry) -> *const c_char {
    with(entry, NULL, |e| e.s.get(9, || e.e.note.clone()))
}

/// When the entry was written, in milliseconds since the Unix epoch (0 for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_created_at_ms(entry: *const vk_journal_entry) -> u64 {
    with(entry, 0, |e| millis(e.e.created_at))
}

/// When the entry left `pending` / `unknown`, in milliseconds since the Unix epoch: true
/// and `*out` set; false (and `*out` untouched) while it is open.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_resolved_at_ms(
    entry: *const vk_journal_entry,
    out: *mut u64,
) -> bool {
    with(entry, false, |e| {
        ffi::put_opt(e.e.resolved_at.map(millis), out)
    })
}

/// How many times reconcile has examined the entry.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_reconcile_attempts(
    entry: *const vk_journal_entry,
) -> u32 {
    with(entry, 0, |e| e.e.reconcile_attempts)
}

/// The whole entry as the JSON object every binding and the CLI show (times as RFC 3339
/// UTC with milliseconds).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vk_journal_entry_to_json(entry: *const vk_journal_entry) -> *const c_char {
    with(entry, NULL, |e| {
        e.s.get(10, || serde_json::to_string(&e.e).ok())
    })
}
