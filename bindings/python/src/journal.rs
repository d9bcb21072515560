//! `voucherkit.Journal` and `voucherkit.JournalEntry`: the core's journal, converted.
//!
//! Opening, filtering and every state rule are the core's; this module only turns Python
//! values (paths, names, aware datetimes) into the core's types and entries back into
//! immutable Python objects.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyType};
use serde_json::Value;
use voucherkit_core::journal::{Entry, EntryFilter, EntryState, Journal};
use voucherkit_core::{Error, Provider};

use crate::convert::{self, json_to_py, opt_json_to_py};
use crate::smartgift::py_repr;
use crate::{errors, guard};

static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `datetime(1970, 1, 1, tzinfo=timezone.utc)`: times are converted as an offset from it,
/// in whole microseconds, so nothing goes through a float.
fn epoch(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    let epoch = EPOCH.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        let utc = py.import("datetime")?.getattr("timezone")?.getattr("utc")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("tzinfo", utc)?;
        Ok(DATETIME
            .import(py, "datetime", "datetime")?
            .call((1970, 1, 1), Some(&kwargs))?
            .unbind())
    })?;
    Ok(epoch.bind(py))
}

/// A time as an aware `datetime` in UTC.
pub(crate) fn datetime(py: Python<'_>, t: SystemTime) -> PyResult<Bound<'_, PyAny>> {
    let micros = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX),
    };
    let kwargs = PyDict::new(py);
    kwargs.set_item("microseconds", micros)?;
    let delta = TIMEDELTA
        .import(py, "datetime", "timedelta")?
        .call((), Some(&kwargs))?;
    epoch(py)?.call_method1(intern!(py, "__add__"), (delta,))
}

/// `since=`: an aware `datetime`. A naive one is refused: it could mean local time or
/// UTC, and a guess would silently shift the filter by hours.
fn since(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<SystemTime> {
    let is_datetime = value.is_instance(DATETIME.import(py, "datetime", "datetime")?)?;
    if !is_datetime {
        return Err(invalid(
            py,
            "since",
            format!(
                "since must be a timezone-aware datetime, got {}",
                convert::shown(value)?
            ),
        ));
    }
    if value.call_method0(intern!(py, "utcoffset"))?.is_none() {
        return Err(invalid(
            py,
            "since",
            "since must be a timezone-aware datetime (e.g. datetime.now(timezone.utc)), \
             got a naive one"
                .to_owned(),
        ));
    }
    // Whole microseconds since the epoch: `(since - epoch) // timedelta(microseconds=1)`.
    let delta = value.call_method1(intern!(py, "__sub__"), (epoch(py)?,))?;
    let one = {
        let kwargs = PyDict::new(py);
        kwargs.set_item("microseconds", 1)?;
        TIMEDELTA
            .import(py, "datetime", "timedelta")?
            .call((), Some(&kwargs))?
    };
    let micros: i64 = delta
        .call_method1(intern!(py, "__floordiv__"), (one,))?
        .extract()?;
    let offset = Duration::from_micros(micros.unsigned_abs());
    let t = if micros >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    };
    // Before what the platform can represent: every entry is later anyway.
    Ok(t.unwrap_or(UNIX_EPOCH))
}

fn invalid(py: Python<'_>, field: &str, message: String) -> PyErr {
    errors::invalid(py, None, field, message)
}

fn type_name(value: &Bound<'_, PyAny>) -> PyResult<String> {
    value.get_type().name()?.extract::<String>()
}

/// A `str` parameter, refused by name (not as a `TypeError`) when it is anything else.
fn text(py: Python<'_>, value: &Bound<'_, PyAny>, field: &str, wanted: &str) -> PyResult<String> {
    if value.is_instance_of::<PyString>() {
        return value.extract::<String>();
    }
    Err(invalid(
        py,
        field,
        format!("{field} must be {wanted}, got {}", convert::shown(value)?),
    ))
}

/// The name a filter was given: a `str` as is, anything else shown with its type (`1 (an
/// int)`), so the core's refusal names the field and lists the choices either way.
fn name(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if value.is_instance_of::<PyString>() {
        return value.extract::<String>();
    }
    convert::shown(value)
}

/// `state=`: a state by its name everywhere (`"unknown"`).
fn state(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<EntryState> {
    EntryState::parse(&name(value)?, "state").map_err(|e| errors::to_py(py, &e))
}

/// `provider=`: a provider by its name everywhere (`"smartgift"`).
fn provider(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Provider> {
    Provider::parse(&name(value)?, "provider").map_err(|e| errors::to_py(py, &e))
}

/// `limit=`: a count of entries (an `int`, not a bool or a float).
fn limit(py: Python<'_>, value: &Option<Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(n) = convert::opt_int(py, value, "limit", None)? else {
        return Ok(None);
    };
    usize::try_from(n)
        .map(Some)
        .map_err(|_| invalid(py, "limit", format!("limit must not be negative, got {n}")))
}

fn given<'a, 'py>(value: &'a Option<Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    value.as_ref().filter(|v| !v.is_none())
}

/// The `journal=` keyword of a client: a `voucherkit.Journal` or `None`.
pub(crate) fn client_journal(
    py: Python<'_>,
    value: &Option<Bound<'_, PyAny>>,
    provider: Provider,
) -> PyResult<Option<Journal>> {
    let Some(value) = given(value) else {
        return Ok(None);
    };
    match value.cast::<PyJournal>() {
        Ok(j) => Ok(Some(j.get().inner.clone())),
        Err(_) => Err(errors::invalid(
            py,
            provider,
            "journal",
            format!(
                "journal must be a voucherkit.Journal (open one with voucherkit.Journal(path)), \
                 got {}",
                type_name(value)?
            ),
        )),
    }
}

/// Entries as `JournalEntry` objects.
pub(crate) fn entries(list: Vec<Entry>) -> Vec<PyJournalEntry> {
    list.into_iter().map(PyJournalEntry).collect()
}

/// A journal file on the till (SQLite) recording every redeem and reverse made through a
/// client built with `journal=`, so that a lost answer can be settled by `reconcile()`.
/// Share one per process: clients and threads may use it at once.
#[pyclass(name = "Journal", module = "voucherkit", frozen)]
pub struct PyJournal {
    inner: Journal,
}

#[pymethods]
impl PyJournal {
    /// Opens (or creates) the journal at `path` (`str` or `os.PathLike`); `":memory:"`
    /// keeps it in memory, for tests.
    #[new]
    fn new(py: Python<'_>, path: Bound<'_, PyAny>) -> PyResult<PyJournal> {
        guard(py, || {
            // A str or an os.PathLike; anything else (bytes, an int) is refused by name
            // rather than as a TypeError.
            let pathlike =
                path.is_instance_of::<PyString>() || path.hasattr(intern!(py, "__fspath__"))?;
            let path: PathBuf = match path.extract::<PathBuf>() {
                Ok(p) if pathlike => p,
                _ => {
                    return Err(invalid(
                        py,
                        "journal",
                        format!(
                            "the journal path must be a str or os.PathLike, got {}",
                            type_name(&path)?
                        ),
                    ));
                }
            };
            let inner = py
                .detach(|| Journal::open(&path))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyJournal { inner })
        })
    }

    /// Where the journal lives (`":memory:"` for an in-memory one).
    #[getter]
    fn path(&self) -> &str {
        self.inner.path()
    }

    /// The entries matching every filter given, newest first.
    #[pyo3(signature = (*, state=None, reference=None, provider=None, since=None, limit=None))]
    fn entries(
        &self,
        py: Python<'_>,
        state: Option<Bound<'_, PyAny>>,
        reference: Option<Bound<'_, PyAny>>,
        provider: Option<Bound<'_, PyAny>>,
        since: Option<Bound<'_, PyAny>>,
        limit: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyJournalEntry>> {
        guard(py, || {
            let filter = EntryFilter {
                state: given(&state).map(|v| self::state(py, v)).transpose()?,
                reference: given(&reference)
                    .map(|v| text(py, v, "reference", "a str"))
                    .transpose()?,
                provider: given(&provider)
                    .map(|v| self::provider(py, v))
                    .transpose()?,
                since: given(&since).map(|v| self::since(py, v)).transpose()?,
                limit: self::limit(py, &limit)?,
            };
            let list = py
                .detach(|| self.inner.entries(&filter))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(entries(list))
        })
    }

    /// One entry by id (a `journal_id`), or `None`.
    fn entry(&self, py: Python<'_>, id: Bound<'_, PyAny>) -> PyResult<Option<PyJournalEntry>> {
        guard(py, || {
            let id = text(py, &id, "id", "a str (a journal_id)")?;
            let found = py
                .detach(|| self.inner.entry(&id))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(found.map(PyJournalEntry))
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Journal(path={})", py_repr(py, self.inner.path())?))
    }
}

/// One journaled call: what was asked, the snapshot read before it, and where it stands
/// (`"pending"`, `"applied"`, `"not_applied"` or `"unknown"`). Immutable; compare and hash
/// it like a value.
#[pyclass(name = "JournalEntry", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PyJournalEntry(Entry);

#[pymethods]
impl PyJournalEntry {
    /// A UUID v7 (time-ordered); the `journal_id` of the call's result or error.
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }
    /// The till's own id for the sale or basket (`reference=`), if given.
    #[getter]
    fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    /// `"smartgift"` or `"spaaza"`.
    #[getter]
    fn provider(&self) -> &'static str {
        self.0.provider.as_str()
    }
    /// `"redeem"`, `"reverse"` (Smart Gift) or `"redeem_voucher"` (Spaaza).
    #[getter]
    fn operation(&self) -> &str {
        &self.0.operation
    }
    /// What was asked (amounts as decimal strings); never a secret.
    #[getter]
    fn request<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_to_py(py, &self.0.request))
    }
    /// The voucher as read just before the call.
    #[getter]
    fn before<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || opt_json_to_py(py, &self.0.before))
    }
    #[getter]
    fn state(&self) -> &'static str {
        self.0.state.as_str()
    }
    /// The success result, when known.
    #[getter]
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || opt_json_to_py(py, &self.0.result))
    }
    /// `{"kind", "message", "field", "http_status"}` of the failure, if the call failed.
    #[getter]
    fn error<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || opt_json_to_py(py, &self.0.error))
    }
    /// Whether the state is proven rather than inferred.
    #[getter]
    fn certain(&self) -> bool {
        self.0.certain
    }
    /// Why an entry is still `"unknown"`, or how reconcile decided.
    #[getter]
    fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When the entry was written, as an aware UTC datetime.
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || datetime(py, self.0.created_at))
    }
    /// When it left `"pending"`/`"unknown"`, as an aware UTC datetime.
    #[getter]
    fn resolved_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || {
            self.0.resolved_at.map(|t| datetime(py, t)).transpose()
        })
    }
    #[getter]
    fn reconcile_attempts(&self) -> u32 {
        self.0.reconcile_attempts
    }

    /// Consistent with `==`: equal entries share id, state, attempts and resolution time.
    fn __hash__(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.0.id.hash(&mut h);
        self.0.state.hash(&mut h);
        self.0.reconcile_attempts.hash(&mut h);
        self.0.resolved_at.hash(&mut h);
        h.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            // The core's own rendering of the time (RFC 3339 UTC, milliseconds).
            let created = serde_json::to_value(&self.0)
                .ok()
                .and_then(|v| {
                    v.get("created_at")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            let mut s = format!(
                "JournalEntry(id={}, provider={}, operation={}, state={}, reference={}, \
                 created_at={}",
                py_repr(py, self.0.id.as_str())?,
                py_repr(py, self.0.provider.as_str())?,
                py_repr(py, self.0.operation.as_str())?,
                py_repr(py, self.0.state.as_str())?,
                py_repr(py, self.0.reference.as_deref())?,
                created,
            );
            if self.0.certain {
                s.push_str(", certain=True");
            }
            if self.0.reconcile_attempts > 0 {
                s.push_str(&format!(
                    ", reconcile_attempts={}",
                    self.0.reconcile_attempts
                ));
            }
            if let Some(note) = &self.0.note {
                s.push_str(&format!(", note={}", py_repr(py, note.as_str())?));
            }
            s.push(')');
            Ok(s)
        })
    }
}

/// `reconcile()` without a journal is refused by the core; this only keeps the type
/// conversion of its answer in one place.
pub(crate) fn reconciled(
    py: Python<'_>,
    result: Result<Vec<Entry>, Error>,
) -> PyResult<Vec<PyJournalEntry>> {
    result.map(entries).map_err(|e| errors::to_py(py, &e))
}
