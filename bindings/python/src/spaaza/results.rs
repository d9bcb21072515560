//! The Spaaza result classes: a voucher, a warning on an ok answer, a page of vouchers.

use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyList};
use voucherkit_core::spaaza::{SpaazaVoucher, SpaazaWarning, VoucherList};

use crate::convert::{self, json_to_py};
use crate::guard;
use crate::smartgift::py_repr;

/// A Spaaza voucher, as every voucher operation returns it.
#[pyclass(name = "SpaazaVoucher", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PySpaazaVoucher(pub(super) SpaazaVoucher);

#[pymethods]
impl PySpaazaVoucher {
    #[getter]
    fn voucher_key(&self) -> Option<&str> {
        self.0.voucher_key.as_deref()
    }
    #[getter]
    fn voucher_id(&self) -> Option<i64> {
        self.0.voucher_id
    }
    /// `generated`, `claimed` or `redeemed`.
    #[getter]
    fn voucher_status(&self) -> Option<&str> {
        self.0.voucher_status.as_deref()
    }
    #[getter]
    fn voucher_type(&self) -> Option<&str> {
        self.0.voucher_type.as_deref()
    }
    #[getter]
    fn voucher_locked(&self) -> Option<bool> {
        self.0.voucher_locked
    }
    #[getter]
    fn voucher_locked_until(&self) -> Option<&str> {
        self.0.voucher_locked_until.as_deref()
    }
    #[getter]
    fn voucher_locking_code(&self) -> Option<&str> {
        self.0.voucher_locking_code.as_deref()
    }
    #[getter]
    fn voucher_retailer_basket_code_exclusive(&self) -> Option<&str> {
        self.0.voucher_retailer_basket_code_exclusive.as_deref()
    }
    #[getter]
    fn voucher_amount_original<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || {
            convert::opt_decimal(py, &self.0.voucher_amount_original)
        })
    }
    #[getter]
    fn voucher_amount_redeemed<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || {
            convert::opt_decimal(py, &self.0.voucher_amount_redeemed)
        })
    }
    #[getter]
    fn voucher_amount<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || convert::opt_decimal(py, &self.0.voucher_amount))
    }
    #[getter]
    fn voucher_currency_id(&self) -> Option<i64> {
        self.0.voucher_currency_id
    }
    #[getter]
    fn voucher_currency_symbol(&self) -> Option<&str> {
        self.0.voucher_currency_symbol.as_deref()
    }
    #[getter]
    fn voucher_expiry_datetime_utc(&self) -> Option<&str> {
        self.0.voucher_expiry_datetime_utc.as_deref()
    }
    #[getter]
    fn voucher_redeemed_datetime(&self) -> Option<&str> {
        self.0.voucher_redeemed_datetime.as_deref()
    }
    #[getter]
    fn user_id(&self) -> Option<i64> {
        self.0.user_id
    }
    #[getter]
    fn voucher_third_party_id(&self) -> Option<i64> {
        self.0.voucher_third_party_id
    }
    #[getter]
    fn campaign_id(&self) -> Option<i64> {
        self.0.campaign_id
    }
    #[getter]
    fn campaign_title(&self) -> Option<&str> {
        self.0.campaign_title.as_deref()
    }
    /// `signup`, `basket`, ... (as sent).
    #[getter]
    fn campaign_type(&self) -> Option<&str> {
        self.0.campaign_type.as_deref()
    }
    /// Seconds until the voucher expires, as Spaaza counted them when it answered.
    #[getter]
    fn voucher_expiry_seconds_remaining(&self) -> Option<i64> {
        self.0.voucher_expiry_seconds_remaining
    }
    /// The end-user's card: `{"card_type": "custom", "code": "404064"}` (the wire
    /// `type` is `card_type`), else `None`.
    #[getter]
    fn user_entity_card<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        guard(py, || {
            self.0
                .user_entity_card
                .as_ref()
                .map(|card| {
                    let d = PyDict::new(py);
                    d.set_item("card_type", card.card_type.as_deref())?;
                    d.set_item("code", card.code.as_deref())?;
                    Ok(d)
                })
                .transpose()
        })
    }
    /// On a regenerated voucher: the voucher it came from (a summary: id and amounts).
    #[getter]
    fn parent_voucher(&self, py: Python<'_>) -> PyResult<Option<PySpaazaVoucher>> {
        guard(py, || {
            Ok(self
                .0
                .parent_voucher
                .as_deref()
                .cloned()
                .map(PySpaazaVoucher))
        })
    }
    /// The journal entry of this call (`redeem_voucher` on a client with `journal=`),
    /// else `None`.
    #[getter]
    fn journal_id(&self) -> Option<&str> {
        self.0.journal_id.as_deref()
    }
    /// After a partial redeem: the new voucher holding the remainder.
    #[getter]
    fn regenerated_voucher(&self, py: Python<'_>) -> PyResult<Option<PySpaazaVoucher>> {
        guard(py, || {
            Ok(self
                .0
                .regenerated_voucher
                .as_deref()
                .cloned()
                .map(PySpaazaVoucher))
        })
    }
    #[getter]
    fn warnings(&self, py: Python<'_>) -> PyResult<Vec<PySpaazaWarning>> {
        guard(py, || {
            Ok(self
                .0
                .warnings
                .iter()
                .cloned()
                .map(PySpaazaWarning)
                .collect())
        })
    }
    /// The voucher object as sent (a new dict on every access).
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_to_py(py, &self.0.raw))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || voucher_repr(py, &self.0))
    }
}

fn voucher_repr(py: Python<'_>, v: &SpaazaVoucher) -> PyResult<String> {
    let mut s = format!(
        "SpaazaVoucher(voucher_id={}, voucher_key={}, voucher_status={}, voucher_amount={}",
        py_repr(py, v.voucher_id)?,
        py_repr(py, v.voucher_key.as_deref())?,
        py_repr(py, v.voucher_status.as_deref())?,
        py_repr(py, convert::opt_decimal(py, &v.voucher_amount)?)?,
    );
    if v.voucher_locked == Some(true) {
        s.push_str(", voucher_locked=True");
    }
    if let Some(r) = &v.regenerated_voucher {
        s.push_str(&format!(", regenerated_voucher={}", voucher_repr(py, r)?));
    }
    if !v.warnings.is_empty() {
        s.push_str(&format!(", warnings={}", v.warnings.len()));
    }
    s.push(')');
    Ok(s)
}

/// A warning riding on an ok Spaaza answer.
#[pyclass(name = "SpaazaWarning", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PySpaazaWarning(pub(super) SpaazaWarning);

#[pymethods]
impl PySpaazaWarning {
    #[getter]
    fn code(&self) -> Option<i64> {
        self.0.code
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
    fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "SpaazaWarning(code={}, name={}, description={}, message={})",
                py_repr(py, self.0.code)?,
                py_repr(py, self.0.name.as_deref())?,
                py_repr(py, self.0.description.as_deref())?,
                py_repr(py, self.0.message.as_deref())?
            ))
        })
    }
}

/// The answer to `get_vouchers`: the vouchers (also by iteration and `len()`) and the
/// total the query matched.
#[pyclass(name = "VoucherList", module = "voucherkit", frozen, eq, sequence)]
#[derive(PartialEq)]
pub struct PyVoucherList(pub(super) VoucherList);

#[pymethods]
impl PyVoucherList {
    #[getter]
    fn results_count_total(&self) -> Option<i64> {
        self.0.results_count_total
    }
    #[getter]
    fn vouchers(&self, py: Python<'_>) -> PyResult<Vec<PySpaazaVoucher>> {
        guard(py, || {
            Ok(self
                .0
                .vouchers
                .iter()
                .cloned()
                .map(PySpaazaVoucher)
                .collect())
        })
    }
    #[getter]
    fn warnings(&self, py: Python<'_>) -> PyResult<Vec<PySpaazaWarning>> {
        guard(py, || {
            Ok(self
                .0
                .warnings
                .iter()
                .cloned()
                .map(PySpaazaWarning)
                .collect())
        })
    }
    /// The `results` object as sent (a new dict on every access).
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_to_py(py, &self.0.raw))
    }
    fn __len__(&self) -> usize {
        self.0.vouchers.len()
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        guard(py, || {
            let items: Vec<PySpaazaVoucher> = self
                .0
                .vouchers
                .iter()
                .cloned()
                .map(PySpaazaVoucher)
                .collect();
            PyList::new(py, items)?.try_iter()
        })
    }
    fn __getitem__(&self, py: Python<'_>, index: isize) -> PyResult<PySpaazaVoucher> {
        guard(py, || {
            let n = self.0.vouchers.len() as isize;
            let i = if index < 0 { index + n } else { index };
            if i < 0 || i >= n {
                return Err(PyIndexError::new_err("VoucherList index out of range"));
            }
            Ok(PySpaazaVoucher(self.0.vouchers[i as usize].clone()))
        })
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "VoucherList(results_count_total={}, vouchers={})",
                py_repr(py, self.0.results_count_total)?,
                self.0.vouchers.len()
            ))
        })
    }
}
