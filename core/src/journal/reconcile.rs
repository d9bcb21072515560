//! The reconcile driver: claim each open entry, let the provider's rule read the voucher
//! and decide, write the verdict. The rules themselves live beside each provider
//! (`smartgift/journaled.rs`, `spaaza/journaled.rs`).

use std::time::{Duration, SystemTime};

use serde_json::Value;

pub(crate) use super::store::OpenEntry;
use super::{Entry, EntryState, Journal};
use crate::error::{Provider, Result};

/// How long past its client's timeout a claim on an entry lasts: a reconcile that dies
/// mid-way frees its entries for the next one after this.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// What a provider's rule decided about one entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Verdict {
    pub state: EntryState,
    pub certain: bool,
    pub note: Option<String>,
    /// What became known of the result (e.g. a regenerated voucher); kept with any
    /// result the entry already has when `None`.
    pub result: Option<Value>,
}

impl Verdict {
    /// The entry stays (or becomes) `unknown`, and `note` says why.
    pub fn unknown(note: impl Into<String>) -> Verdict {
        Verdict {
            state: EntryState::Unknown,
            certain: false,
            note: Some(note.into()),
            result: None,
        }
    }

    pub fn settled(state: EntryState, certain: bool, note: impl Into<String>) -> Verdict {
        Verdict {
            state,
            certain,
            note: Some(note.into()),
            result: None,
        }
    }
}

/// Settles the open entries of one provider account (`base_url`): returns exactly the
/// entries this call examined, each in its state afterwards. An entry another process
/// claimed or resolved meanwhile is left to it and not returned. Fails only when the
/// journal itself does; an unreachable provider leaves entries `unknown` with a note.
pub(crate) fn run(
    journal: &Journal,
    provider: Provider,
    base_url: &str,
    timeout: Duration,
    examine: impl Fn(&OpenEntry) -> Verdict,
) -> Result<Vec<Entry>> {
    let claimer = uuid::Uuid::now_v7().to_string();
    let started = SystemTime::now();
    let open = journal.store()?.open_entries(provider, base_url, started)?;
    let mut examined = Vec::with_capacity(open.len());
    for entry in open {
        let id = entry.entry.id.clone();
        let now = SystemTime::now();
        let until = now + timeout + LEASE_MARGIN;
        if !journal.store()?.claim(&id, &claimer, started, now, until)? {
            continue;
        }
        // The provider is read without holding the journal: other calls go on meanwhile.
        let verdict = examine(&entry);
        let settled = journal.store()?.settle(
            &id,
            &claimer,
            verdict.state,
            verdict.certain,
            verdict.note.as_deref(),
            verdict.result.as_ref(),
            SystemTime::now(),
        )?;
        if settled && let Some(after) = journal.entry(&id)? {
            examined.push(after);
        }
    }
    Ok(examined)
}
