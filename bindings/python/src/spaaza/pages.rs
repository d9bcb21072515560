//! `Spaaza.iter_vouchers`: every voucher, page by page.

use std::sync::{Arc, Mutex, PoisonError, mpsc};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use voucherkit_core::spaaza::{GetVouchersRequest, Spaaza, SpaazaVoucher};

use super::PySpaazaVoucher;
use crate::{errors, guard};

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
    pub(super) fn start(
        client: Arc<Spaaza>,
        req: GetVouchersRequest,
        max: Option<usize>,
    ) -> PyVoucherPages {
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
