//! A client that `close()` can end, for bindings whose clients are objects of their
//! language (Python, Node, Kotlin): one rule for a call on a closed client, in every
//! language.
//!
//! The client sits behind an `Arc`. A call takes a clone and works on that, so `close()`
//! never waits for calls in flight: they finish (a journaled write resolves its entry),
//! and the connection pool goes when the last of them does. A call on a closed client is
//! refused as `invalid_request` naming `client`, before anything is sent.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::error::{Error, Provider};

/// What a call on a closed client is told (field `client`).
pub const CLOSED_MESSAGE: &str = "the client is closed: create a new one to make more calls";

/// A client that can be closed once; see the module docs.
pub struct Closable<T> {
    client: Mutex<Option<Arc<T>>>,
    provider: Provider,
}

impl<T> Closable<T> {
    /// An open `client` of `provider` (named in the error a closed client gives).
    pub fn new(client: T, provider: Provider) -> Closable<T> {
        Closable {
            client: Mutex::new(Some(Arc::new(client))),
            provider,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Arc<T>>> {
        // Only an `Option` is read or taken under the lock, so a poisoned one is intact.
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The open client, or `invalid_request` naming `client` once it is closed.
    pub fn get(&self) -> Result<Arc<T>, Error> {
        self.lock()
            .clone()
            .ok_or_else(|| Error::invalid("client", CLOSED_MESSAGE).with_provider(self.provider))
    }

    /// Lets the client go (its pooled connections close once no call in flight uses it).
    /// Closing twice is harmless.
    pub fn close(&self) {
        // Taken under the lock, dropped after it: dropping the last `Arc` closes
        // connections, which need not hold up a concurrent `get`.
        let taken = self.lock().take();
        drop(taken);
    }

    pub fn is_closed(&self) -> bool {
        self.lock().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn an_open_client_is_shared_and_a_closed_one_refused_naming_client() {
        let c = Closable::new(String::from("client"), Provider::Spaaza);
        assert!(!c.is_closed());
        let a = c.get().unwrap();
        let b = c.get().unwrap();
        assert!(Arc::ptr_eq(&a, &b), "every call works on the same client");
        c.close();
        assert!(c.is_closed());
        let e = c.get().unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some("client"));
        assert_eq!(e.provider, Some(Provider::Spaaza));
        assert_eq!(e.message, CLOSED_MESSAGE);
        assert!(!e.retryable);
        assert_eq!(
            *a, "client",
            "a call in flight keeps its client after close()"
        );
    }

    #[test]
    fn closing_twice_is_harmless() {
        let c = Closable::new(1_u8, Provider::SmartGift);
        c.close();
        c.close();
        assert!(c.is_closed());
        assert_eq!(
            c.get().unwrap_err().provider,
            Some(Provider::SmartGift),
            "still names its provider"
        );
    }

    #[test]
    fn the_client_goes_when_the_last_call_in_flight_ends() {
        let c = Closable::new(7_u32, Provider::SmartGift);
        let in_flight = c.get().unwrap();
        let weak = Arc::downgrade(&in_flight);
        c.close();
        assert!(
            weak.upgrade().is_some(),
            "close() does not cut a call in flight"
        );
        drop(in_flight);
        assert!(
            weak.upgrade().is_none(),
            "nothing holds the client after the call"
        );
    }

    #[test]
    fn a_closable_is_shared_between_threads() {
        let c = Arc::new(Closable::new(0_u64, Provider::Spaaza));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || {
                    for _ in 0..100 {
                        match c.get() {
                            Ok(v) => assert_eq!(*v, 0),
                            Err(e) => assert_eq!(e.field.as_deref(), Some("client")),
                        }
                    }
                })
            })
            .collect();
        c.close();
        for h in handles {
            h.join().unwrap();
        }
        assert!(c.is_closed());
    }
}
