//! `sp.vouchers(…)`: every voucher a `getVouchers` request selects, page after page, by
//! the core's `Spaaza::iter_vouchers` (page size, offsets, when to stop: all decided
//! there). The core's iterator borrows its client, so it lives on a thread of its own
//! that owns a handle to the client; each `next()` (on the libuv pool) asks that thread
//! for one voucher, so a page is fetched only when the vouchers before it are used up.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};

use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use voucherkit_core::spaaza::{GetVouchersRequest, Spaaza, SpaazaVoucher};
use voucherkit_core::{Error, Provider};

use crate::Job;
use crate::convert::{Vk, error_text, guarded, result_text};

const PROVIDER: Provider = Provider::Spaaza;

/// The next voucher, none at the end, or the error the iteration ends with.
type Item = Vk<Option<SpaazaVoucher>>;

enum State {
    /// Not started: the thread is spawned by the first `next()`.
    Ready {
        client: Arc<Spaaza>,
        req: GetVouchersRequest,
        max: Option<usize>,
    },
    Running {
        want: Sender<()>,
        items: Receiver<Item>,
    },
    /// The request could not be read (or the client was closed): the first `next()`
    /// reports it, then the iteration is over.
    Failed(Error),
    Done,
}

/// The native iterator behind `Spaaza.vouchers`; `index.js` wraps it in an async generator.
#[napi(js_name = "VoucherPages")]
pub struct NativeVoucherPages {
    state: Arc<Mutex<State>>,
    closed: Arc<AtomicBool>,
}

impl NativeVoucherPages {
    pub fn new(setup: Vk<(Arc<Spaaza>, GetVouchersRequest, Option<usize>)>) -> Self {
        let state = match setup {
            Ok((client, req, max)) => State::Ready { client, req, max },
            Err(e) => State::Failed(e),
        };
        NativeVoucherPages {
            state: Arc::new(Mutex::new(state)),
            closed: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// The thread that owns the core's iterator: one voucher per request, until the
/// iteration ends or the JavaScript side lets go (its `want` sender dropped).
fn spawn(client: Arc<Spaaza>, req: GetVouchersRequest, max: Option<usize>) -> Vk<State> {
    let (want, wanted) = channel::<()>();
    let (send, items) = channel::<Item>();
    std::thread::Builder::new()
        .name("voucherkit-pages".to_owned())
        .spawn(move || {
            let mut pages = client.iter_vouchers(&req, max);
            while wanted.recv().is_ok() {
                let item = guarded(Some(PROVIDER), || pages.next().transpose());
                let last = !matches!(item, Ok(Some(_)));
                if send.send(item).is_err() || last {
                    break;
                }
            }
        })
        .map_err(|e| Error::internal(format!("starting the voucher pages thread: {e}")))?;
    Ok(State::Running { want, items })
}

/// One step: the next voucher's JSON text, `null` at the end, or `E…` for the error the
/// iteration ends with.
fn step(state: &Mutex<State>, closed: &AtomicBool) -> String {
    let mut st = state.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if closed.load(Ordering::Acquire) {
            *st = State::Done;
        }
        match std::mem::replace(&mut *st, State::Done) {
            State::Done => return "null".to_owned(),
            State::Failed(e) => return error_text(&e),
            State::Ready { client, req, max } => match spawn(client, req, max) {
                Ok(running) => *st = running,
                Err(e) => return error_text(&e),
            },
            State::Running { want, items } => {
                let item = want
                    .send(())
                    .ok()
                    .and_then(|()| items.recv().ok())
                    .unwrap_or_else(|| {
                        Err(Error::internal("the voucher pages thread stopped")
                            .with_provider(PROVIDER))
                    });
                return match item {
                    Ok(Some(v)) => {
                        *st = State::Running { want, items };
                        result_text(Ok(v))
                    }
                    Ok(None) => "null".to_owned(),
                    Err(e) => error_text(&e),
                };
            }
        }
    }
}

#[napi]
impl NativeVoucherPages {
    /// Resolves with the next voucher's JSON text, `null` after the last.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn next(&self) -> AsyncTask<Job> {
        let state = Arc::clone(&self.state);
        let closed = Arc::clone(&self.closed);
        Job::new(move || step(&state, &closed)).promise()
    }

    /// Ends the iteration (a `break` out of `for await`): the thread stops and no further
    /// page is read. Never waits for a page being read.
    #[napi]
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        if let Ok(mut st) = self.state.try_lock() {
            *st = State::Done;
        }
    }
}
