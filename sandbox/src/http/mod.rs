//! The HTTP/1.1 server core shared by every sandbox mode.
//!
//! [`Server`] is a small thread-per-connection server on `127.0.0.1` built on
//! `std::net`. It knows nothing about vouchers: it parses each request into a
//! [`RecordedRequest`], asks a [`Handler`] for an [`Answer`], and writes that
//! answer to the socket — or misbehaves on purpose when the answer carries a
//! [`Fault`]. The scripted mode ([`crate::scripted`]) is one handler; a
//! stateful emulator is another.
//!
//! Connections are keep-alive: one thread reads request after request until
//! the client closes or asks for `Connection: close`. Every accepted
//! connection gets an id (1, 2, 3, …) that is stamped on its requests, so a
//! test can check that a client really reused a pooled connection.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use std::sync::Arc;
//! use voucherkit_sandbox::http::{Handler, Server};
//! use voucherkit_sandbox::{Answer, RecordedRequest};
//!
//! // Any `Fn(&RecordedRequest) -> Answer` is a handler.
//! let echo = |req: &RecordedRequest| Answer::new(200).with_body(req.path.clone());
//! let server = Server::start(Arc::new(echo))?;
//!
//! let mut client = TcpStream::connect(("127.0.0.1", server.port()))?;
//! client.write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
//! let mut answer = String::new();
//! client.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(answer.ends_with("\r\n\r\n/hello"));
//!
//! server.stop(); // also done on drop
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The module is split by concern: `request` reads and parses requests,
//! `answer` frames answers, `connection` runs the keep-alive loop and the
//! faults on one socket, and this file holds the listener.

mod answer;
mod connection;
mod request;

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use socket2::SockRef;

use connection::run_connection;

pub use answer::{Answer, Fault};
pub use request::RecordedRequest;
pub(crate) use request::decode_form;

/// Answers requests for a [`Server`].
///
/// Called on the connection's own thread once a request has been read in
/// full, so it may block (briefly) and must be thread-safe. Closures
/// `Fn(&RecordedRequest) -> Answer` implement it.
pub trait Handler: Send + Sync {
    /// The answer to `req`. A panic here becomes a 500 answer.
    fn handle(&self, req: &RecordedRequest) -> Answer;
}

impl<F> Handler for F
where
    F: Fn(&RecordedRequest) -> Answer + Send + Sync,
{
    fn handle(&self, req: &RecordedRequest) -> Answer {
        self(req)
    }
}

/// A running HTTP/1.1 server on `127.0.0.1` and an ephemeral port.
///
/// Stops when [`Server::stop`] is called or when it is dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// A second handle on the listening socket, to wake the acceptor on stop.
    listener: TcpListener,
    acceptor: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish()
    }
}

impl Server {
    /// Binds `127.0.0.1:0` and starts accepting connections on a background thread.
    pub fn start(handler: Arc<dyn Handler>) -> io::Result<Server> {
        Server::start_on(0, handler)
    }

    /// Like [`Server::start`], on `127.0.0.1:port` (`0` picks a free port).
    /// A fixed port is for people who point a till at the sandbox by hand;
    /// tests should use `0` so they can run in parallel.
    pub fn start_on(port: u16, handler: Arc<dyn Handler>) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let wake = listener.try_clone()?;
        let shared = Arc::new(Shared {
            handler,
            stopping: AtomicBool::new(false),
            stop_flag: Mutex::new(false),
            stop_signal: Condvar::new(),
            last_connection_id: AtomicU64::new(0),
            connections: Mutex::new(HashMap::new()),
            workers: Mutex::new(Vec::new()),
        });
        let for_acceptor = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("sandbox-accept".into())
            .spawn(move || accept_loop(listener, for_acceptor))?;
        Ok(Server {
            addr,
            shared,
            listener: wake,
            acceptor: Mutex::new(Some(acceptor)),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Stops the server: closes the listener and every open connection (also
    /// stalled and delayed ones) and waits for all its threads. Idempotent.
    pub fn stop(&self) {
        let Some(acceptor) = lock(&self.acceptor).take() else {
            return;
        };
        self.shared.signal_stop();

        // Wake the acceptor out of accept(): shutting a listening socket down
        // does it on Linux; a throw-away connection does it everywhere.
        let _ = SockRef::from(&self.listener).shutdown(Shutdown::Both);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(500));
        let _ = acceptor.join();

        // The acceptor is gone, so every connection is registered by now.
        // Shutting the sockets down wakes threads blocked in read or write.
        for (_, stream) in lock(&self.shared.connections).drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let workers = std::mem::take(&mut *lock(&self.shared.workers));
        let me = thread::current().id();
        for worker in workers {
            // A handler calling stop() must not join its own thread.
            if worker.thread().id() != me {
                let _ = worker.join();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// State shared by the acceptor, the connection threads and `Server`.
struct Shared {
    handler: Arc<dyn Handler>,
    /// Fast check for the I/O loops; `stop_flag` + `stop_signal` let sleeps end early.
    stopping: AtomicBool,
    stop_flag: Mutex<bool>,
    stop_signal: Condvar,
    last_connection_id: AtomicU64,
    /// A clone of each open connection's socket, so stop() can shut it down.
    connections: Mutex<HashMap<u64, TcpStream>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    fn signal_stop(&self) {
        *lock(&self.stop_flag) = true;
        self.stopping.store(true, Ordering::Release);
        self.stop_signal.notify_all();
    }

    /// Sleeps for `duration` unless the server stops first; true if it stopped.
    fn sleep(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut stopped = lock(&self.stop_flag);
        while !*stopped {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            stopped = self
                .stop_signal
                .wait_timeout(stopped, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

/// Locks a mutex, ignoring poisoning: the data (queues, handles) stays usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let accepted = listener.accept();
        if shared.is_stopping() {
            return; // Drops the wake-up connection, if that is what came in.
        }
        match accepted {
            Ok((stream, _)) => spawn_connection(stream, &shared),
            // E.g. out of file descriptors: back off instead of spinning.
            Err(_) => {
                if shared.sleep(Duration::from_millis(10)) {
                    return;
                }
            }
        }
    }
}

fn spawn_connection(stream: TcpStream, shared: &Arc<Shared>) {
    let id = shared.last_connection_id.fetch_add(1, Ordering::Relaxed) + 1;
    // Without a registered clone stop() could not interrupt this connection,
    // so refuse it rather than risk a hang.
    let Ok(registered) = stream.try_clone() else {
        return;
    };
    lock(&shared.connections).insert(id, registered);
    let for_worker = Arc::clone(shared);
    let spawned = thread::Builder::new()
        .name(format!("sandbox-conn-{id}"))
        .spawn(move || run_connection(id, stream, &for_worker));
    match spawned {
        Ok(worker) => {
            let mut workers = lock(&shared.workers);
            workers.retain(|w| !w.is_finished());
            workers.push(worker);
        }
        Err(_) => {
            lock(&shared.connections).remove(&id);
        }
    }
}
