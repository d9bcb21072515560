//! `voucherkit.Spaaza`: the client. Its result classes are in `results`, the page iterator
//! in `pages`.

use std::path::PathBuf;

use pyo3::prelude::*;
use voucherkit_core::spaaza::{
    ClaimRequest, GetVouchersRequest, LockVoucherRequest, RedeemVoucherRequest, Spaaza, SpaazaAuth,
    SpaazaConfig, UnlockVoucherRequest,
};
use voucherkit_core::{Closable, Provider, Secret};

use crate::convert;
use crate::handle::OpenClient;
use crate::journal::{self, PyJournalEntry};
use crate::options::{TransportArgs, client_options};
use crate::smartgift::py_repr;
use crate::{errors, guard};

mod pages;
mod results;

pub use pages::PyVoucherPages;
pub use results::{PySpaazaVoucher, PySpaazaWarning, PyVoucherList};

const PROVIDER: Provider = Provider::Spaaza;

/// A Spaaza client. Thread-safe: share one per till process.
#[pyclass(name = "Spaaza", module = "voucherkit", frozen)]
pub struct PySpaaza {
    inner: Closable<Spaaza>,
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
                inner: Closable::new(inner, PROVIDER),
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
            let client = self.inner.open(py)?;
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
            let client = self.inner.open(py)?;
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
            let client = self.inner.open(py)?;
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
            let client = self.inner.open(py)?;
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
            let client = self.inner.open(py)?;
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
            let client = self.inner.open(py)?;
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
            let client = self.inner.open(py)?;
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
            let client = self.inner.open(py)?;
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
