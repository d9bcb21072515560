//! `voucherkit.SmartGift` and its result classes.

use std::path::PathBuf;
use std::time::UNIX_EPOCH;

use pyo3::BoundObject;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use voucherkit_core::smartgift::Hold;
use voucherkit_core::smartgift::{
    CheckRequest, Experience, HoldRequest, MetaCondition, RedeemRequest, Redemption,
    ReleaseRequest, Released, ReverseRequest, Reversed, SmartGift, SmartGiftConfig,
    SmartGiftVoucher,
};
use voucherkit_core::{Closable, Provider, Secret};

use crate::convert::{self, json_to_py};
use crate::handle::OpenClient;
use crate::journal::{self, PyJournalEntry};
use crate::options::{TransportArgs, client_options};
use crate::{errors, guard};

const PROVIDER: Provider = Provider::SmartGift;

fn meta_condition(py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<MetaCondition> {
    let bad = |why: &str| {
        errors::invalid(
            py,
            PROVIDER,
            "meta_conditions",
            format!(
                "each meta_conditions item must be a dict {{key, operator, value: [str]}}: {why}"
            ),
        )
    };
    let dict = item.cast::<PyDict>().map_err(|_| bad("not a dict"))?;
    let text = |k: &str| -> PyResult<String> {
        dict.get_item(k)?
            .ok_or_else(|| bad(&format!("{k} is missing")))?
            .extract::<String>()
            .map_err(|_| bad(&format!("{k} must be a str")))
    };
    let value = dict
        .get_item("value")?
        .ok_or_else(|| bad("value is missing"))?
        .extract::<Vec<String>>()
        .map_err(|_| bad("value must be a list of str"))?;
    if let Some(extra) = dict
        .keys()
        .iter()
        .filter_map(|k| k.extract::<String>().ok())
        .find(|k| !matches!(k.as_str(), "key" | "operator" | "value"))
    {
        return Err(bad(&format!("unknown key {extra:?}")));
    }
    Ok(MetaCondition {
        key: text("key")?,
        operator: text("operator")?,
        value,
    })
}

/// A Smart Gift client. Thread-safe: share one per till process.
#[pyclass(name = "SmartGift", module = "voucherkit", frozen)]
pub struct PySmartGift {
    inner: Closable<SmartGift>,
    base_url: String,
    user_agent: String,
    api_key: Secret,
    /// The journal's path, for the repr.
    journal: Option<String>,
}

#[pymethods]
impl PySmartGift {
    #[new]
    // Integers and seconds arrive as Python objects (convert::int refuses bool and float,
    // convert::seconds refuses bool), so the defaults (max_retries 2, timeouts 5 s and
    // 30 s, 32 idle connections idle at most 30 s) are applied there and shown by the
    // text signature.
    #[pyo3(signature = (*, api_key, base_url=None, connect_timeout=None, timeout=None, max_retries=None, max_idle_connections=None, max_idle_age=None, ca_bundle=None, proxy=None, allow_insecure_http=false, app_info=None, journal=None))]
    #[pyo3(
        text_signature = "(*, api_key, base_url=None, connect_timeout=5.0, timeout=30.0, max_retries=2, max_idle_connections=32, max_idle_age=30.0, ca_bundle=None, proxy=None, allow_insecure_http=False, app_info=None, journal=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: String,
        base_url: Option<String>,
        connect_timeout: Option<Bound<'_, PyAny>>,
        timeout: Option<Bound<'_, PyAny>>,
        max_retries: Option<Bound<'_, PyAny>>,
        max_idle_connections: Option<Bound<'_, PyAny>>,
        max_idle_age: Option<Bound<'_, PyAny>>,
        ca_bundle: Option<PathBuf>,
        proxy: Option<String>,
        allow_insecure_http: bool,
        app_info: Option<Bound<'_, PyAny>>,
        journal: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PySmartGift> {
        guard(py, || {
            let journal = journal::client_journal(py, &journal, PROVIDER)?;
            let options = client_options(
                py,
                PROVIDER,
                TransportArgs {
                    connect_timeout,
                    timeout,
                    max_retries,
                    max_idle_connections,
                    max_idle_age,
                    ca_bundle,
                    proxy,
                    allow_insecure_http,
                    app_info,
                },
            )?;
            let api_key = Secret::new(api_key);
            let journal_path = journal.as_ref().map(|j| j.path().to_owned());
            let inner = SmartGift::new(SmartGiftConfig {
                journal,
                api_key: api_key.clone(),
                base_url,
                options,
            })
            .map_err(|e| errors::to_py(py, &e))?;
            Ok(PySmartGift {
                base_url: inner.base_url().to_owned(),
                user_agent: inner.user_agent().to_owned(),
                inner: Closable::new(inner, PROVIDER),
                api_key,
                journal: journal_path,
            })
        })
    }

    /// The base URL requests go to.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The User-Agent every request carries.
    #[getter]
    fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Ends the client: its idle connections close, and every later call raises
    /// `InvalidRequestError` (field `client`). Calls in flight finish first (a journaled
    /// write still resolves its entry). Closing twice is harmless.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.inner.close());
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Closes the client; never swallows the exception that ended the block.
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _tb: &Bound<'_, PyAny>,
    ) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut s = format!(
            "SmartGift(base_url='{}', api_key='{}'",
            &self.base_url,
            self.api_key.redacted()
        );
        if let Some(path) = &self.journal {
            s.push_str(&format!(", journal={}", py_repr(py, path.as_str())?));
        }
        s.push(')');
        Ok(s)
    }

    /// What a voucher is worth at a site. A read: safe to retry after any failure.
    #[pyo3(signature = (*, voucher_no, site_id, classifications=None, meta_conditions=None))]
    fn check(
        &self,
        py: Python<'_>,
        voucher_no: String,
        site_id: Bound<'_, PyAny>,
        classifications: Option<Vec<String>>,
        meta_conditions: Option<Vec<Bound<'_, PyAny>>>,
    ) -> PyResult<PySmartGiftVoucher> {
        guard(py, || {
            let client = self.inner.open(py)?;
            let site_id = convert::site_id(py, &site_id, PROVIDER)?;
            let meta = meta_conditions
                .unwrap_or_default()
                .iter()
                .map(|m| meta_condition(py, m))
                .collect::<PyResult<Vec<_>>>()?;
            let req = CheckRequest {
                voucher_no,
                site_id,
                classifications: classifications.unwrap_or_default(),
                meta_conditions: meta,
            };
            let v = py
                .detach(|| client.check(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PySmartGiftVoucher(v))
        })
    }

    /// Reserves the whole voucher for about five minutes.
    #[pyo3(signature = (*, voucher_no))]
    fn hold(&self, py: Python<'_>, voucher_no: String) -> PyResult<PyHold> {
        guard(py, || {
            let client = self.inner.open(py)?;
            let req = HoldRequest { voucher_no };
            let h = py
                .detach(|| client.hold(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyHold(h))
        })
    }

    /// Redeems money (`value`) or experiences (their `bit_value`s).
    /// With a journal: `reference` (the sale's id) is stored on the entry, never sent.
    #[pyo3(signature = (*, voucher_no, site_id, value=None, experiences=None, hold_token=None, reference=None))]
    #[allow(clippy::too_many_arguments)]
    fn redeem(
        &self,
        py: Python<'_>,
        voucher_no: String,
        site_id: Bound<'_, PyAny>,
        value: Option<Bound<'_, PyAny>>,
        experiences: Option<Bound<'_, PyAny>>,
        hold_token: Option<String>,
        reference: Option<String>,
    ) -> PyResult<PyRedemption> {
        guard(py, || {
            let client = self.inner.open(py)?;
            let site_id = convert::site_id(py, &site_id, PROVIDER)?;
            let value = value
                .map(|v| convert::amount(py, &v, "value", PROVIDER))
                .transpose()?;
            let req = RedeemRequest {
                reference,
                voucher_no,
                site_id,
                value,
                experiences: convert::opt_ints(py, &experiences, "experiences", PROVIDER)?,
                hold_token,
            };
            let r = py
                .detach(|| client.redeem(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyRedemption(r))
        })
    }

    /// Gives up a hold before it runs out.
    #[pyo3(signature = (*, voucher_no, hold_token))]
    fn release(
        &self,
        py: Python<'_>,
        voucher_no: String,
        hold_token: String,
    ) -> PyResult<PyReleased> {
        guard(py, || {
            let client = self.inner.open(py)?;
            let req = ReleaseRequest {
                voucher_no,
                hold_token,
            };
            let r = py
                .detach(|| client.release(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyReleased(r))
        })
    }

    /// Undoes redemptions (each id in full).
    #[pyo3(signature = (*, voucher_no, site_id, redemptions, reference=None))]
    fn reverse(
        &self,
        py: Python<'_>,
        voucher_no: String,
        site_id: Bound<'_, PyAny>,
        redemptions: Bound<'_, PyAny>,
        reference: Option<String>,
    ) -> PyResult<PyReversed> {
        guard(py, || {
            let client = self.inner.open(py)?;
            let req = ReverseRequest {
                reference,
                voucher_no,
                site_id: convert::site_id(py, &site_id, PROVIDER)?,
                redemptions: convert::ints(py, &redemptions, "redemptions", PROVIDER)?,
            };
            let r = py
                .detach(|| client.reverse(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyReversed(r))
        })
    }

    /// Settles the journal's open entries of this account (`unknown`, and `pending` ones
    /// whose process died) by reading each voucher again; returns the entries examined,
    /// as they stand afterwards. Needs `journal=`.
    fn reconcile(&self, py: Python<'_>) -> PyResult<Vec<PyJournalEntry>> {
        guard(py, || {
            let client = self.inner.open(py)?;
            journal::reconciled(py, py.detach(|| client.reconcile()))
        })
    }
}

/// `repr()` of a Python value, for the result classes' reprs.
pub(crate) fn py_repr<'py>(py: Python<'py>, v: impl IntoPyObject<'py>) -> PyResult<String> {
    let obj = v
        .into_pyobject(py)
        .map_err(Into::<PyErr>::into)?
        .into_bound()
        .into_any();
    obj.repr()?.extract::<String>()
}

/// The answer to `check`.
#[pyclass(name = "SmartGiftVoucher", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PySmartGiftVoucher(SmartGiftVoucher);

#[pymethods]
impl PySmartGiftVoucher {
    #[getter]
    fn id(&self) -> Option<i64> {
        self.0.id
    }
    #[getter]
    fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    #[getter]
    fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    #[getter]
    fn voucher_no(&self) -> Option<&str> {
        self.0.voucher_no.as_deref()
    }
    /// Monetary: money left. Experience: the sum of the unused experiences' bit values.
    #[getter]
    fn remaining_value<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || convert::opt_decimal(py, &self.0.remaining_value))
    }
    /// The wire `type`: `monetary` or `experience`.
    #[getter]
    fn voucher_type(&self) -> Option<&str> {
        self.0.voucher_type.as_deref()
    }
    #[getter]
    fn sold_out(&self) -> Option<bool> {
        self.0.sold_out
    }
    #[getter]
    fn experiences(&self, py: Python<'_>) -> PyResult<Vec<PyExperience>> {
        guard(py, || {
            Ok(self
                .0
                .experiences
                .iter()
                .cloned()
                .map(PyExperience)
                .collect())
        })
    }
    #[getter]
    fn available_to_redeem<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || {
            convert::opt_json_to_py(py, &self.0.available_to_redeem)
        })
    }
    /// The answer's `data` object (a new dict on every access).
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_to_py(py, &self.0.raw))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "SmartGiftVoucher(voucher_no={}, voucher_type={}, remaining_value={}, sold_out={}, experiences={})",
                py_repr(py, self.0.voucher_no.as_deref())?,
                py_repr(py, self.0.voucher_type.as_deref())?,
                py_repr(py, convert::opt_decimal(py, &self.0.remaining_value)?)?,
                py_repr(py, self.0.sold_out)?,
                self.0.experiences.len()
            ))
        })
    }
}

/// One experience of an experience voucher, as `check` lists it.
#[pyclass(name = "Experience", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PyExperience(Experience);

#[pymethods]
impl PyExperience {
    /// Pass it to `redeem(experiences=[...])`.
    #[getter]
    fn bit_value(&self) -> Option<u64> {
        self.0.bit_value
    }
    #[getter]
    fn id(&self) -> Option<i64> {
        self.0.id
    }
    #[getter]
    fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_to_py(py, &self.0.raw))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "Experience(bit_value={}, id={}, name={})",
                py_repr(py, self.0.bit_value)?,
                py_repr(py, self.0.id)?,
                py_repr(py, self.0.name.as_deref())?
            ))
        })
    }
}

/// The answer to `hold`.
#[pyclass(name = "Hold", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PyHold(Hold);

#[pymethods]
impl PyHold {
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    /// Pass it to `release` (and optionally `redeem`).
    #[getter]
    fn hold_token(&self) -> &str {
        &self.0.hold_token
    }
    /// When the answer arrived, in seconds since the epoch (like `time.time()`); the hold
    /// lasts about five minutes from then.
    #[getter]
    fn received_at(&self) -> f64 {
        self.0
            .received_at
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
    /// When the hold lapses (about five minutes after `received_at`), as an aware
    /// `datetime` in UTC.
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || journal::datetime(py, self.0.expires_at))
    }
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_to_py(py, &self.0.raw))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "Hold(message={}, hold_token={})",
                py_repr(py, self.0.message.as_str())?,
                py_repr(py, self.0.hold_token.as_str())?
            ))
        })
    }
}

/// The answer to `redeem`.
#[pyclass(name = "Redemption", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PyRedemption(Redemption);

#[pymethods]
impl PyRedemption {
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    /// Keep these: `reverse` needs them.
    #[getter]
    fn redemptions(&self) -> Vec<u64> {
        self.0.redemptions.clone()
    }
    /// The journal entry of this call (a client with `journal=`), else `None`.
    #[getter]
    fn journal_id(&self) -> Option<&str> {
        self.0.journal_id.as_deref()
    }
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_to_py(py, &self.0.raw))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "Redemption(message={}, redemptions={:?})",
                py_repr(py, self.0.message.as_str())?,
                self.0.redemptions
            ))
        })
    }
}

/// The answer to `release`.
#[pyclass(name = "Released", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PyReleased(Released);

#[pymethods]
impl PyReleased {
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_to_py(py, &self.0.raw))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "Released(message={})",
                py_repr(py, self.0.message.as_str())?
            ))
        })
    }
}

/// The answer to `reverse`.
#[pyclass(name = "Reversed", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PyReversed(Reversed);

#[pymethods]
impl PyReversed {
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    /// The journal entry of this call (a client with `journal=`), else `None`.
    #[getter]
    fn journal_id(&self) -> Option<&str> {
        self.0.journal_id.as_deref()
    }
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_to_py(py, &self.0.raw))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "Reversed(message={})",
                py_repr(py, self.0.message.as_str())?
            ))
        })
    }
}
