//! `voucherkit.Spaaza` and its result classes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, mpsc};

use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyList};
use voucherkit_core::spaaza::{
    ClaimRequest, GetVouchersRequest, LockVoucherRequest, RedeemVoucherRequest, Spaaza, SpaazaAuth,
    SpaazaConfig, SpaazaVoucher, SpaazaWarning, UnlockVoucherRequest, VoucherList,
};
use voucherkit_core::{Provider, Secret};

use crate::convert::{self, json_to_py};
use crate::handle::Handle;
use crate::journal::{self, PyJournalEntry};
use crate::options::{TransportArgs, client_options};
use crate::smartgift::py_repr;
use crate::{errors, guard};

const PROVIDER: Provider = Provider::Spaaza;

/// A Spaaza client. Thread-safe: share one per till process.
#[pyclass(name = "Spaaza", module = "voucherkit", frozen)]
pub struct PySpaaza {
    inner: Handle<Spaaza>,
    base_url: String,
    user_agent: String,
    auth: SpaazaAuth,
    session_user_id: Option<i64>,
    session_key: Option<Secret>,
    bearer_token: Option<Secret>,
    /// The journal's path, for the repr.
    journal: Option<String>,
}

#[pymethods]
impl PySpaaza {
    #[new]
    #[pyo3(signature = (*, session_user_id=None, session_key=None, base_url=None, api_version="1.6.3".to_owned(), auth="admin".to_owned(), app_hostname=None, bearer_token=None, connect_timeout=None, timeout=None, max_retries=None, max_idle_connections=None, max_idle_age=None, ca_bundle=None, proxy=None, allow_insecure_http=false, app_info=None, journal=None))]
    #[pyo3(
        text_signature = "(*, session_user_id=None, session_key=None, base_url=None, api_version='1.6.3', auth='admin', app_hostname=None, bearer_token=None, connect_timeout=5.0, timeout=30.0, max_retries=2, max_idle_connections=32, max_idle_age=30.0, ca_bundle=None, proxy=None, allow_insecure_http=False, app_info=None, journal=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        session_user_id: Option<Bound<'_, PyAny>>,
        session_key: Option<String>,
        base_url: Option<String>,
        api_version: String,
        auth: String,
        app_hostname: Option<String>,
        bearer_token: Option<String>,
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
    ) -> PyResult<PySpaaza> {
        guard(py, || {
            let journal = journal::client_journal(py, &journal, PROVIDER)?;
            let session_user_id =
                convert::opt_int(py, &session_user_id, "session_user_id", PROVIDER)?;
            let mode = SpaazaAuth::parse(&auth)
                .map_err(|e| errors::to_py(py, &e.with_provider(PROVIDER)))?;
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
            let session_key = session_key.map(Secret::new);
            let bearer_token = bearer_token.map(Secret::new);
            let journal_path = journal.as_ref().map(|j| j.path().to_owned());
            let inner = Spaaza::new(SpaazaConfig {
                journal,
                auth: mode,
                session_user_id,
                session_key: session_key.clone(),
                app_hostname,
                bearer_token: bearer_token.clone(),
                api_version,
                base_url,
                options,
            })
            .map_err(|e| errors::to_py(py, &e))?;
            Ok(PySpaaza {
                base_url: inner.base_url().to_owned(),
                user_agent: inner.user_agent().to_owned(),
                inner: Handle::new(inner, PROVIDER),
                auth: mode,
                session_user_id,
                session_key,
                bearer_token,
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

    /// `"admin"`, `"user"` or `"privileged"`.
    #[getter]
    fn auth(&self) -> &'static str {
        self.auth.as_str()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut parts = vec![
            format!("base_url='{}'", &self.base_url),
            format!("auth='{}'", self.auth.as_str()),
        ];
        if let Some(id) = self.session_user_id {
            parts.push(format!("session_user_id={id}"));
        }
        if let Some(key) = &self.session_key {
            parts.push(format!("session_key='{}'", key.redacted()));
        }
        if let Some(token) = &self.bearer_token {
            parts.push(format!("bearer_token='{}'", token.redacted()));
        }
        if let Some(path) = &self.journal {
            parts.push(format!("journal={}", py_repr(py, path.as_str())?));
        }
        Ok(format!("Spaaza({})", parts.join(", ")))
    }

    /// Redeems a voucher: all of it, or `amount` (the rest comes back as
    /// `regenerated_voucher`). With a journal it needs `voucher_id`, and `reference` (the
    /// basket's id) is stored on the entry, never sent.
    #[pyo3(signature = (*, chain_id, voucher_key=None, voucher_id=None, user_id=None, amount=None, reference=None))]
    #[allow(clippy::too_many_arguments)]
    fn redeem_voucher(
        &self,
        py: Python<'_>,
        chain_id: Bound<'_, PyAny>,
        voucher_key: Option<String>,
        voucher_id: Option<Bound<'_, PyAny>>,
        user_id: Option<Bound<'_, PyAny>>,
        amount: Option<Bound<'_, PyAny>>,
        reference: Option<String>,
    ) -> PyResult<PySpaazaVoucher> {
        guard(py, || {
            let client = self.inner.get(py)?;
            let amount = amount
                .map(|a| convert::amount(py, &a, "amount", PROVIDER))
                .transpose()?;
            let req = RedeemVoucherRequest {
                reference,
                chain_id: convert::int(py, &chain_id, "chain_id", PROVIDER)?,
                voucher_key,
                voucher_id: convert::opt_int(py, &voucher_id, "voucher_id", PROVIDER)?,
                user_id: convert::opt_int(py, &user_id, "user_id", PROVIDER)?,
                amount,
            };
            let v = py
                .detach(|| client.redeem_voucher(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PySpaazaVoucher(v))
        })
    }

    /// Unlocks a locked voucher (given both, only the key is sent).
    #[pyo3(signature = (*, voucher_key=None, voucher_id=None))]
    fn unlock_voucher(
        &self,
        py: Python<'_>,
        voucher_key: Option<String>,
        voucher_id: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PySpaazaVoucher> {
        guard(py, || {
            let client = self.inner.get(py)?;
            let req = UnlockVoucherRequest {
                voucher_key,
                voucher_id: convert::opt_int(py, &voucher_id, "voucher_id", PROVIDER)?,
            };
            let v = py
                .detach(|| client.unlock_voucher(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PySpaazaVoucher(v))
        })
    }

    /// Takes a claimed voucher back from its end-user.
    #[pyo3(signature = (*, chain_id=None, voucher_key=None, voucher_id=None, third_party_id=None, user_id=None, member_number=None, username=None, authentication_point_identifier=None, auxiliary_identifier=None))]
    #[allow(clippy::too_many_arguments)]
    fn unclaim_voucher(
        &self,
        py: Python<'_>,
        chain_id: Option<Bound<'_, PyAny>>,
        voucher_key: Option<String>,
        voucher_id: Option<Bound<'_, PyAny>>,
        third_party_id: Option<Bound<'_, PyAny>>,
        user_id: Option<Bound<'_, PyAny>>,
        member_number: Option<String>,
        username: Option<String>,
        authentication_point_identifier: Option<String>,
        auxiliary_identifier: Option<String>,
    ) -> PyResult<PySpaazaVoucher> {
        guard(py, || {
            let client = self.inner.get(py)?;
            let req = ClaimRequest {
                chain_id: convert::opt_int(py, &chain_id, "chain_id", PROVIDER)?,
                voucher_key,
                voucher_id: convert::opt_int(py, &voucher_id, "voucher_id", PROVIDER)?,
                third_party_id: convert::opt_int(py, &third_party_id, "third_party_id", PROVIDER)?,
                user_id: convert::opt_int(py, &user_id, "user_id", PROVIDER)?,
                member_number,
                username,
                authentication_point_identifier,
                auxiliary_identifier,
            };
            let v = py
                .detach(|| client.unclaim_voucher(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PySpaazaVoucher(v))
        })
    }

    /// Gives a voucher to an end-user.
    #[pyo3(signature = (*, chain_id=None, voucher_key=None, voucher_id=None, third_party_id=None, user_id=None, member_number=None, username=None, authentication_point_identifier=None, auxiliary_identifier=None))]
    #[allow(clippy::too_many_arguments)]
    fn claim_voucher(
        &self,
        py: Python<'_>,
        chain_id: Option<Bound<'_, PyAny>>,
        voucher_key: Option<String>,
        voucher_id: Option<Bound<'_, PyAny>>,
        third_party_id: Option<Bound<'_, PyAny>>,
        user_id: Option<Bound<'_, PyAny>>,
        member_number: Option<String>,
        username: Option<String>,
        authentication_point_identifier: Option<String>,
        auxiliary_identifier: Option<String>,
    ) -> PyResult<PySpaazaVoucher> {
        guard(py, || {
            let client = self.inner.get(py)?;
            let req = ClaimRequest {
                chain_id: convert::opt_int(py, &chain_id, "chain_id", PROVIDER)?,
                voucher_key,
                voucher_id: convert::opt_int(py, &voucher_id, "voucher_id", PROVIDER)?,
                third_party_id: convert::opt_int(py, &third_party_id, "third_party_id", PROVIDER)?,
                user_id: convert::opt_int(py, &user_id, "user_id", PROVIDER)?,
                member_number,
                username,
                authentication_point_identifier,
                auxiliary_identifier,
            };
            let v = py
                .detach(|| client.claim_voucher(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PySpaazaVoucher(v))
        })
    }

    /// Locks a basket voucher to `retailer_basket_code` for `voucher_lock_period` seconds.
    #[pyo3(signature = (*, retailer_basket_code, voucher_key=None, voucher_id=None, voucher_lock_period=None, voucher_locking_code=None))]
    #[pyo3(
        text_signature = "($self, *, retailer_basket_code, voucher_key=None, voucher_id=None, voucher_lock_period=300, voucher_locking_code=None)"
    )]
    fn lock_voucher(
        &self,
        py: Python<'_>,
        retailer_basket_code: String,
        voucher_key: Option<String>,
        voucher_id: Option<Bound<'_, PyAny>>,
        voucher_lock_period: Option<Bound<'_, PyAny>>,
        voucher_locking_code: Option<String>,
    ) -> PyResult<PySpaazaVoucher> {
        guard(py, || {
            let client = self.inner.get(py)?;
            let req = LockVoucherRequest {
                voucher_key,
                voucher_id: convert::opt_int(py, &voucher_id, "voucher_id", PROVIDER)?,
                retailer_basket_code,
                voucher_lock_period: convert::opt_int(
                    py,
                    &voucher_lock_period,
                    "voucher_lock_period",
                    PROVIDER,
                )?,
                voucher_locking_code,
            };
            let v = py
                .detach(|| client.lock_voucher(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PySpaazaVoucher(v))
        })
    }

    /// Reads a chain's vouchers (e.g. to reconcile after `OutcomeUnknownError`). A read:
    /// safe to retry after any failure.
    #[pyo3(signature = (*, chain_id, voucher_id=None, user_id=None, username=None, member_number=None, authentication_point_identifier=None, campaign_id=None, show_all_statuses=false, show_redeemed=false, show_expired=false, exclude_regenerated=false, number_results=None, results_offset=None, min_created_datetime=None, max_created_datetime=None, min_expiry_datetime=None, max_expiry_datetime=None, min_redeemed_datetime=None, max_redeemed_datetime=None))]
    #[allow(clippy::too_many_arguments)]
    fn get_vouchers(
        &self,
        py: Python<'_>,
        chain_id: Bound<'_, PyAny>,
        voucher_id: Option<Bound<'_, PyAny>>,
        user_id: Option<Bound<'_, PyAny>>,
        username: Option<String>,
        member_number: Option<String>,
        authentication_point_identifier: Option<String>,
        campaign_id: Option<Bound<'_, PyAny>>,
        show_all_statuses: bool,
        show_redeemed: bool,
        show_expired: bool,
        exclude_regenerated: bool,
        number_results: Option<Bound<'_, PyAny>>,
        results_offset: Option<Bound<'_, PyAny>>,
        min_created_datetime: Option<String>,
        max_created_datetime: Option<String>,
        min_expiry_datetime: Option<String>,
        max_expiry_datetime: Option<String>,
        min_redeemed_datetime: Option<String>,
        max_redeemed_datetime: Option<String>,
    ) -> PyResult<PyVoucherList> {
        guard(py, || {
            let client = self.inner.get(py)?;
            let req = vouchers_request(
                py,
                chain_id,
                voucher_id,
                user_id,
                username,
                member_number,
                authentication_point_identifier,
                campaign_id,
                show_all_statuses,
                show_redeemed,
                show_expired,
                exclude_regenerated,
                number_results,
                results_offset,
                min_created_datetime,
                max_created_datetime,
                min_expiry_datetime,
                max_expiry_datetime,
                min_redeemed_datetime,
                max_redeemed_datetime,
            )?;
            let list = py
                .detach(|| client.get_vouchers(&req))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyVoucherList(list))
        })
    }

    /// Every voucher the filters select, page after page (`number_results` a page, 50 when
    /// not given), fetched one page at a time as the loop needs it, until the last page
    /// or `max` vouchers. A failed page raises where the loop reached it.
    #[pyo3(signature = (*, chain_id, voucher_id=None, user_id=None, username=None, member_number=None, authentication_point_identifier=None, campaign_id=None, show_all_statuses=false, show_redeemed=false, show_expired=false, exclude_regenerated=false, number_results=None, results_offset=None, min_created_datetime=None, max_created_datetime=None, min_expiry_datetime=None, max_expiry_datetime=None, min_redeemed_datetime=None, max_redeemed_datetime=None, max=None))]
    #[allow(clippy::too_many_arguments)]
    fn iter_vouchers(
        &self,
        py: Python<'_>,
        chain_id: Bound<'_, PyAny>,
        voucher_id: Option<Bound<'_, PyAny>>,
        user_id: Option<Bound<'_, PyAny>>,
        username: Option<String>,
        member_number: Option<String>,
        authentication_point_identifier: Option<String>,
        campaign_id: Option<Bound<'_, PyAny>>,
        show_all_statuses: bool,
        show_redeemed: bool,
        show_expired: bool,
        exclude_regenerated: bool,
        number_results: Option<Bound<'_, PyAny>>,
        results_offset: Option<Bound<'_, PyAny>>,
        min_created_datetime: Option<String>,
        max_created_datetime: Option<String>,
        min_expiry_datetime: Option<String>,
        max_expiry_datetime: Option<String>,
        min_redeemed_datetime: Option<String>,
        max_redeemed_datetime: Option<String>,
        max: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyVoucherPages> {
        guard(py, || {
            let client = self.inner.get(py)?;
            let req = vouchers_request(
                py,
                chain_id,
                voucher_id,
                user_id,
                username,
                member_number,
                authentication_point_identifier,
                campaign_id,
                show_all_statuses,
                show_redeemed,
                show_expired,
                exclude_regenerated,
                number_results,
                results_offset,
                min_created_datetime,
                max_created_datetime,
                min_expiry_datetime,
                max_expiry_datetime,
                min_redeemed_datetime,
                max_redeemed_datetime,
            )?;
            let max = convert::opt_int(py, &max, "max", PROVIDER)?
                .map(|n| {
                    usize::try_from(n).map_err(|_| {
                        errors::invalid(
                            py,
                            PROVIDER,
                            "max",
                            format!("max must not be negative, got {n}"),
                        )
                    })
                })
                .transpose()?;
            Ok(PyVoucherPages::start(client, req, max))
        })
    }

    /// Settles the journal's open entries of this account (`unknown`, and `pending` ones
    /// whose process died) by reading each voucher again; returns the entries examined,
    /// as they stand afterwards. Needs `journal=`.
    fn reconcile(&self, py: Python<'_>) -> PyResult<Vec<PyJournalEntry>> {
        guard(py, || {
            let client = self.inner.get(py)?;
            journal::reconciled(py, py.detach(|| client.reconcile()))
        })
    }
}

/// The `get_vouchers` / `iter_vouchers` filters as the core's request (types checked
/// here, values by the core).
#[allow(clippy::too_many_arguments)]
fn vouchers_request(
    py: Python<'_>,
    chain_id: Bound<'_, PyAny>,
    voucher_id: Option<Bound<'_, PyAny>>,
    user_id: Option<Bound<'_, PyAny>>,
    username: Option<String>,
    member_number: Option<String>,
    authentication_point_identifier: Option<String>,
    campaign_id: Option<Bound<'_, PyAny>>,
    show_all_statuses: bool,
    show_redeemed: bool,
    show_expired: bool,
    exclude_regenerated: bool,
    number_results: Option<Bound<'_, PyAny>>,
    results_offset: Option<Bound<'_, PyAny>>,
    min_created_datetime: Option<String>,
    max_created_datetime: Option<String>,
    min_expiry_datetime: Option<String>,
    max_expiry_datetime: Option<String>,
    min_redeemed_datetime: Option<String>,
    max_redeemed_datetime: Option<String>,
) -> PyResult<GetVouchersRequest> {
    Ok(GetVouchersRequest {
        chain_id: convert::int(py, &chain_id, "chain_id", PROVIDER)?,
        voucher_id: convert::opt_int(py, &voucher_id, "voucher_id", PROVIDER)?,
        user_id: convert::opt_int(py, &user_id, "user_id", PROVIDER)?,
        username,
        member_number,
        authentication_point_identifier,
        campaign_id: convert::opt_int(py, &campaign_id, "campaign_id", PROVIDER)?,
        show_all_statuses,
        show_redeemed,
        show_expired,
        exclude_regenerated,
        number_results: convert::opt_int(py, &number_results, "number_results", PROVIDER)?,
        results_offset: convert::opt_int(py, &results_offset, "results_offset", PROVIDER)?,
        min_created_datetime,
        max_created_datetime,
        min_expiry_datetime,
        max_expiry_datetime,
        min_redeemed_datetime,
        max_redeemed_datetime,
    })
}

/// The iterator `Spaaza.iter_vouchers` returns: the core's page iterator, run on a thread
/// of its own (it borrows the client, which the thread keeps alive) and asked for one
/// voucher at a time, so a page is fetched only when the loop needs it.
#[pyclass(name = "VoucherPages", module = "voucherkit", frozen)]
pub struct PyVoucherPages {
    state: Mutex<Pages>,
}

type Item = voucherkit_core::Result<SpaazaVoucher>;

enum Pages {
    /// The way to the thread, between two vouchers.
    Ready {
        ask: mpsc::Sender<()>,
        items: mpsc::Receiver<Option<Item>>,
    },
    /// A `__next__` is waiting for the thread (the lock is not held meanwhile, so the
    /// waiting call never holds it without the GIL).
    Busy,
    /// Used up, or a page failed.
    Done,
}

impl PyVoucherPages {
    fn start(client: Arc<Spaaza>, req: GetVouchersRequest, max: Option<usize>) -> PyVoucherPages {
        let (ask, asked) = mpsc::channel::<()>();
        let (give, items) = mpsc::channel::<Option<Item>>();
        // Ends when the iterator is dropped (the asking side goes) or the pages end.
        std::thread::spawn(move || {
            let mut pages = client.iter_vouchers(&req, max);
            while asked.recv().is_ok() {
                let item = pages.next();
                let last = !matches!(item, Some(Ok(_)));
                if give.send(item).is_err() || last {
                    break;
                }
            }
        });
        PyVoucherPages {
            state: Mutex::new(Pages::Ready { ask, items }),
        }
    }

    fn set(&self, state: Pages) -> Pages {
        let mut now = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::replace(&mut *now, state)
    }
}

#[pymethods]
impl PyVoucherPages {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<PySpaazaVoucher>> {
        guard(py, || {
            let (ask, items) = match self.set(Pages::Busy) {
                Pages::Ready { ask, items } => (ask, items),
                Pages::Done => {
                    self.set(Pages::Done);
                    return Ok(None);
                }
                Pages::Busy => {
                    return Err(PyValueError::new_err(
                        "iter_vouchers: the iterator is already being advanced in another thread",
                    ));
                }
            };
            let (ask, items, item) = py.detach(move || {
                let item = ask.send(()).ok().and_then(|()| items.recv().ok().flatten());
                (ask, items, item)
            });
            match item {
                Some(Ok(v)) => {
                    self.set(Pages::Ready { ask, items });
                    Ok(Some(PySpaazaVoucher(v)))
                }
                Some(Err(e)) => {
                    self.set(Pages::Done);
                    Err(errors::to_py(py, &e))
                }
                None => {
                    self.set(Pages::Done);
                    Ok(None)
                }
            }
        })
    }
}

/// A Spaaza voucher, as every voucher operation returns it.
#[pyclass(name = "SpaazaVoucher", module = "voucherkit", frozen, eq)]
#[derive(PartialEq)]
pub struct PySpaazaVoucher(SpaazaVoucher);

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
pub struct PySpaazaWarning(SpaazaWarning);

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
pub struct PyVoucherList(VoucherList);

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
