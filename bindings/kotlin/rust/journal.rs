//! The redemption journal: a SQLite file on the till recording every money-moving call of
//! a client built with one, so `reconcile()` can settle a call whose answer was lost.
//! Everything it does is the core's; this converts its entries and filters.

use std::sync::Arc;
use std::time::SystemTime;

use voucherkit_core as vk;
use voucherkit_core::Provider;
use voucherkit_core::journal::{self as j, EntryState};

use crate::types::{VkResult, guard, json_text};

/// A journal file, shared by clients and threads: pass it as `journal` in
/// `SmartGiftConfig` / `SpaazaConfig`. Closing this handle does not close the file while a
/// client built with it lives.
#[derive(Debug, uniffi::Object)]
pub struct Journal {
    pub(crate) inner: j::Journal,
}

/// Which entries `Journal.entries` returns; every non-null field narrows.
#[derive(Clone, Debug, Default, uniffi::Record)]
pub struct JournalFilter {
    /// `"pending"`, `"applied"`, `"not_applied"` or `"unknown"`.
    #[uniffi(default = None)]
    pub state: Option<String>,
    /// The till's own reference given with the call.
    #[uniffi(default = None)]
    pub reference: Option<String>,
    /// `"smartgift"` or `"spaaza"`.
    #[uniffi(default = None)]
    pub provider: Option<String>,
    /// Entries created at or after this instant.
    #[uniffi(default = None)]
    pub since: Option<SystemTime>,
    /// At most this many (newest first).
    #[uniffi(default = None)]
    pub limit: Option<i32>,
}

/// One journaled call. `request`, `before`, `result` and `error` are the JSON objects the
/// journal stores, as compact JSON text (like every `raw` field): parse them with the
/// till's own JSON library.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct JournalEntry {
    /// A UUID v7: the `journalId` of the call's result or `VoucherException`.
    pub id: String,
    /// The till's own id for the sale or basket, if one was given.
    pub reference: Option<String>,
    /// `"smartgift"` or `"spaaza"`.
    pub provider: String,
    /// `"redeem"`, `"reverse"` (Smart Gift) or `"redeem_voucher"` (Spaaza).
    pub operation: String,
    /// What was asked (identifiers, the amount as a decimal string); never a secret.
    pub request: String,
    /// The voucher as read just before the write, when it was read.
    pub before: Option<String>,
    /// `"pending"`, `"applied"`, `"not_applied"` or `"unknown"`.
    pub state: String,
    /// The success result (redemption ids, the regenerated voucher), when known.
    pub result: Option<String>,
    /// `{"kind", "message", "field", "http_status"}` of the failure, if the call failed.
    pub error: Option<String>,
    /// Whether `applied` / `not_applied` is proven rather than inferred.
    pub certain: bool,
    /// Why an entry is still `unknown`, or how reconcile decided.
    pub note: Option<String>,
    pub created_at: SystemTime,
    pub resolved_at: Option<SystemTime>,
    pub reconcile_attempts: i32,
}

pub(crate) fn entry(e: j::Entry) -> JournalEntry {
    JournalEntry {
        id: e.id,
        reference: e.reference,
        provider: e.provider.as_str().to_owned(),
        operation: e.operation,
        request: json_text(&e.request),
        before: e.before.as_ref().map(json_text),
        state: e.state.as_str().to_owned(),
        result: e.result.as_ref().map(json_text),
        error: e.error.as_ref().map(json_text),
        certain: e.certain,
        note: e.note,
        created_at: e.created_at,
        resolved_at: e.resolved_at,
        // Saturates: two billion reconcile attempts of one entry cannot happen.
        reconcile_attempts: i32::try_from(e.reconcile_attempts).unwrap_or(i32::MAX),
    }
}

pub(crate) fn entries(es: Vec<j::Entry>) -> Vec<JournalEntry> {
    es.into_iter().map(entry).collect()
}

impl JournalFilter {
    fn into_core(self) -> vk::Result<j::EntryFilter> {
        // The names are the core's to check (fields `state` and `provider`).
        let state = self
            .state
            .map(|name| EntryState::parse(&name, "state"))
            .transpose()?;
        let provider = self
            .provider
            .map(|name| Provider::parse(&name, "provider"))
            .transpose()?;
        let limit =
            match self.limit {
                None => None,
                Some(n) => Some(usize::try_from(n).map_err(|_| {
                    vk::Error::invalid("limit", format!("limit must be ≥ 0, got {n}"))
                })?),
            };
        Ok(j::EntryFilter {
            state,
            reference: self.reference,
            provider,
            since: self.since,
            limit,
        })
    }
}

#[uniffi::export]
impl Journal {
    /// Opens the journal at `path`, creating it (mode 0600) if missing; `":memory:"` is a
    /// journal that lives as long as this object and the clients built with it. A path
    /// that cannot be used (a directory, a missing folder, a file that is not a voucherkit
    /// journal, a read-only file) is `INVALID_REQUEST`, field `journal`.
    #[uniffi::constructor]
    pub fn new(path: String) -> VkResult<Arc<Journal>> {
        guard(None, || {
            Ok(Arc::new(Journal {
                inner: j::Journal::open(&path)?,
            }))
        })
    }

    /// Where the journal lives (`":memory:"` for an in-memory one).
    pub fn path(&self) -> String {
        self.inner.path().to_owned()
    }

    /// The entries matching `filter`, newest first.
    pub fn entries(&self, filter: JournalFilter) -> VkResult<Vec<JournalEntry>> {
        guard(None, || {
            let filter = filter.into_core()?;
            self.inner.entries(&filter).map(entries)
        })
    }

    /// One entry by id (a `journalId`), or null.
    pub fn entry(&self, id: String) -> VkResult<Option<JournalEntry>> {
        guard(None, || self.inner.entry(&id).map(|e| e.map(entry)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(filter: JournalFilter) -> String {
        let e = filter.into_core().unwrap_err();
        assert_eq!(e.kind, vk::ErrorKind::InvalidRequest);
        e.field.unwrap()
    }

    #[test]
    fn filters_convert_or_name_the_bad_field() {
        let f = JournalFilter {
            state: Some("not_applied".into()),
            reference: Some("sale-1".into()),
            provider: Some("spaaza".into()),
            since: Some(SystemTime::UNIX_EPOCH),
            limit: Some(3),
        }
        .into_core()
        .unwrap();
        assert_eq!(f.state, Some(EntryState::NotApplied));
        assert_eq!(f.provider, Some(Provider::Spaaza));
        assert_eq!(f.limit, Some(3));
        assert_eq!(f.reference.as_deref(), Some("sale-1"));
        assert_eq!(
            JournalFilter::default().into_core().unwrap(),
            j::EntryFilter::default()
        );

        let bad_state = JournalFilter {
            state: Some("done".into()),
            ..Default::default()
        };
        assert_eq!(refused(bad_state), "state");
        let bad_provider = JournalFilter {
            provider: Some("SmartGift".into()),
            ..Default::default()
        };
        assert_eq!(refused(bad_provider), "provider");
        let bad_limit = JournalFilter {
            limit: Some(-1),
            ..Default::default()
        };
        assert_eq!(refused(bad_limit), "limit");
    }

    #[test]
    fn a_directory_is_refused_by_field() {
        let dir = std::env::temp_dir().display().to_string();
        let crate::VoucherError::Failure { kind, field, .. } = Journal::new(dir).unwrap_err();
        assert_eq!(kind, crate::ErrorKind::InvalidRequest);
        assert_eq!(field.as_deref(), Some("journal"));
    }

    #[test]
    fn an_in_memory_journal_starts_empty() {
        let journal = Journal::new(":memory:".into()).unwrap();
        assert_eq!(journal.path(), ":memory:");
        assert!(
            journal
                .entries(JournalFilter::default())
                .unwrap()
                .is_empty()
        );
        assert_eq!(journal.entry("nope".into()).unwrap(), None);
    }
}
