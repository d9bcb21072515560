//! `Journal`: the core's redemption journal, opened from a path, read with `entries` and
//! `entry`, and handed to a client's constructor. Entries leave as JSON text (top-level
//! keys camelCase; the stored `request`, `before`, `result` and `error` objects as the
//! core wrote them) for `index.js` to turn times into `Date`s.

use napi::bindgen_prelude::{Env, JavaScriptClassExt, Unknown, ValueType};
use napi_derive::napi;
use serde_json::Value;
use voucherkit_core::journal::{Entry, EntryFilter, EntryState, Journal};
use voucherkit_core::{Error, Provider};

use crate::convert::{self, Opts, Vk, camel, error_text, guarded, napi_err};

const FILTER: &[(&str, &str)] = &[
    ("state", "state"),
    ("reference", "reference"),
    ("provider", "provider"),
    ("since", "since"),
    ("limit", "limit"),
];

/// The native journal; `index.js` wraps it.
#[napi(js_name = "Journal")]
pub struct NativeJournal {
    inner: Journal,
}

/// One entry as a JSON object: the core's serialisation (RFC 3339 times, provider names)
/// with camelCase top-level keys.
pub fn entry_value(e: &Entry) -> Vk<Value> {
    match serde_json::to_value(e).map_err(|e| Error::internal(format!("entry to JSON: {e}")))? {
        Value::Object(map) => Ok(Value::Object(
            map.into_iter().map(|(k, v)| (camel(&k), v)).collect(),
        )),
        other => Ok(other),
    }
}

/// Entries (reconcile's, or a journal query's) as the JSON text of an array.
pub fn entries_text(r: Vk<Vec<Entry>>) -> String {
    match r.and_then(|list| list.iter().map(entry_value).collect::<Vk<Vec<_>>>()) {
        Ok(list) => Value::Array(list).to_string(),
        Err(e) => error_text(&e),
    }
}

fn type_of(v: &Unknown) -> Vk<&'static str> {
    Ok(convert::type_name(v.get_type().map_err(napi_err)?))
}

/// A client's `journal` option: the native journal `index.js` found inside the
/// `Journal` it was given, or none.
pub fn client_journal(env: &Env, value: Option<Unknown>) -> Vk<Option<Journal>> {
    let Some(value) = value else {
        return Ok(None);
    };
    if matches!(
        value.get_type().map_err(napi_err)?,
        ValueType::Undefined | ValueType::Null
    ) {
        return Ok(None);
    }
    // Checked first: unwrapping an object of another class would read the wrong type.
    if !NativeJournal::instance_of(env, &value).map_err(napi_err)? {
        return Err(Error::invalid(
            "journal",
            format!("journal must be a Journal, got {}", type_of(&value)?),
        ));
    }
    let native = unsafe { value.cast::<&NativeJournal>() }.map_err(napi_err)?;
    Ok(Some(native.inner.clone()))
}

fn filter(options: Unknown) -> Vk<EntryFilter> {
    let o = Opts::new(options, "entries", FILTER, None)?;
    let state = o
        .str("state")?
        .map(|name| EntryState::parse(&name, "state"))
        .transpose()?;
    let provider = o
        .str("provider")?
        .map(|name| Provider::parse(&name, "provider"))
        .transpose()?;
    let limit = match o.int("limit")? {
        None => None,
        Some(n) => Some(usize::try_from(n).map_err(|_| {
            Error::invalid("limit", format!("limit must be an integer ≥ 0, got {n}"))
        })?),
    };
    Ok(EntryFilter {
        state,
        reference: o.str("reference")?,
        provider,
        since: o.date("since")?,
        limit,
    })
}

#[napi]
impl NativeJournal {
    /// Opens (or creates) the journal at `path`; `":memory:"` is an in-memory one.
    #[napi(constructor)]
    pub fn new(path: Unknown) -> napi::Result<Self> {
        let opened = guarded(None, || {
            if path.get_type().map_err(napi_err)? != ValueType::String {
                return Err(Error::invalid(
                    "journal",
                    format!(
                        "new Journal() takes the journal file's path as a string, got {}",
                        type_of(&path)?
                    ),
                ));
            }
            let path = unsafe { path.cast::<String>() }.map_err(napi_err)?;
            Journal::open(path)
        });
        match opened {
            Ok(inner) => Ok(NativeJournal { inner }),
            Err(e) => Err(convert::thrown(&e)),
        }
    }

    /// Where the journal lives (`:memory:` for an in-memory one).
    #[napi(getter)]
    pub fn path(&self) -> String {
        self.inner.path().to_owned()
    }

    /// The entries matching the filter, newest first, as JSON text.
    #[napi]
    pub fn entries(&self, options: Unknown) -> String {
        entries_text(guarded(None, || self.inner.entries(&filter(options)?)))
    }

    /// One entry's JSON text, `null` when there is none.
    #[napi]
    pub fn entry(&self, id: Unknown) -> String {
        let found = guarded(None, || {
            if id.get_type().map_err(napi_err)? != ValueType::String {
                return Err(Error::invalid(
                    "id",
                    format!("id must be a string, got {}", type_of(&id)?),
                ));
            }
            let id = unsafe { id.cast::<String>() }.map_err(napi_err)?;
            match self.inner.entry(&id)? {
                Some(e) => entry_value(&e),
                None => Ok(Value::Null),
            }
        });
        match found {
            Ok(v) => v.to_string(),
            Err(e) => error_text(&e),
        }
    }
}
