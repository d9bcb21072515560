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

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use socket2::SockRef;

/// How often a blocked read or write wakes up to check whether the server is
/// stopping. `stop()` also shuts the sockets down, so this is only a backstop.
const POLL: Duration = Duration::from_millis(100);
/// Request line plus headers; more is refused with 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_HEADERS: usize = 256;
/// Request bodies larger than this are refused with 413.
const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;
/// How long a closing connection keeps draining the client's bytes, so the
/// kernel sends FIN rather than RST and the client can read the whole answer.
const LINGER: Duration = Duration::from_millis(500);

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

/// One request as it arrived on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Id of the connection it came on: 1 for the server's first accepted
    /// connection, then 2, … Two requests with the same id shared a
    /// keep-alive connection.
    pub connection_id: u64,
    /// The method as sent, e.g. `POST`.
    pub method: String,
    /// The request target with its query string, e.g. `/get-vouchers?chain_id=2`.
    pub path: String,
    /// Header names as received (case kept) and values, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body, with any chunked transfer coding removed.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first header called `name` (ignoring ASCII case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The path without its query string.
    pub fn path_only(&self) -> &str {
        self.path.split_once('?').map_or(&self.path, |(p, _)| p)
    }

    /// The body parsed as JSON, or `None` if it is not JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body decoded as `application/x-www-form-urlencoded` pairs, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        decode_form(&self.body)
    }

    /// The query string decoded into pairs, in order (empty without a query).
    pub fn query(&self) -> Vec<(String, String)> {
        self.path
            .split_once('?')
            .map_or_else(Vec::new, |(_, q)| decode_form(q.as_bytes()))
    }
}

/// What the server sends back for one request.
///
/// The server frames the body itself: it always writes `Content-Length`
/// (any `Content-Length` or `Transfer-Encoding` in `headers` is dropped) and
/// adds `Content-Type: application/json` when `headers` has none (except on
/// 1xx, 204 and 304 answers, which have no body and no `Content-Length`).
/// A `Connection: close` header makes the server close after the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// Status code, e.g. 200.
    pub status: u16,
    /// Extra headers, written in this order.
    pub headers: Vec<(String, String)>,
    /// Body bytes, sent as they are.
    pub body: Vec<u8>,
    /// Misbehaviour to act out instead of (or around) a normal answer.
    pub fault: Option<Fault>,
}

impl Answer {
    /// An answer with this status, no extra headers and an empty body.
    pub fn new(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            fault: None,
        }
    }

    /// A JSON answer; the value is serialized compactly, numbers keep their digits.
    pub fn json(status: u16, value: &serde_json::Value) -> Answer {
        // Serializing a `Value` cannot fail: its map keys are always strings.
        Answer::new(status).with_body(serde_json::to_vec(value).unwrap_or_default())
    }

    /// An answer with a text body of the given content type, e.g. an HTML error page.
    pub fn text(status: u16, content_type: &str, body: impl Into<String>) -> Answer {
        Answer::new(status)
            .with_header("Content-Type", content_type)
            .with_body(body.into())
    }

    /// An answer that only acts out `fault` (status 200, empty body).
    pub fn fault(fault: Fault) -> Answer {
        Answer::new(200).with_fault(fault)
    }

    /// Adds a header (after the ones already there).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Answer {
        self.body = body.into();
        self
    }

    /// Sets the fault.
    pub fn with_fault(mut self, fault: Fault) -> Answer {
        self.fault = Some(fault);
        self
    }

    /// The first header called `name` (ignoring ASCII case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// A way for an answer to go wrong on the socket, for reliability tests.
///
/// Each one really happens at the TCP level, so a client sees exactly what it
/// would see from a failing provider or gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long, then answer normally (a slow provider; timeouts).
    Delay(Duration),
    /// Never answer: keep the connection open until the client gives up or
    /// the server stops (the request is still recorded).
    Stall,
    /// Send the status line and part of the headers, then reset the
    /// connection (RST), so the client sees "connection reset" mid-answer.
    Reset,
    /// Send the headers with the body's real `Content-Length` but only the
    /// first half of the body, then close. (With an empty body nothing is
    /// missing, so use it with a body.)
    Truncate,
    /// Close the connection without writing a byte: the client reads EOF.
    Close,
    /// Send the answer's status and headers with a body of exactly this many
    /// bytes (`{"pad":"xxx…"}`, or `x`s below 10 bytes) instead of its own,
    /// to test body size caps.
    Oversize(usize),
    /// Send the answer, then, a moment later, a second copy of it on the same
    /// keep-alive connection: a stale answer waiting for the client's next
    /// request (a misbehaving proxy or provider). A client must not read it as
    /// the answer to anything.
    Duplicate,
}

/// How long [`Fault::Duplicate`] waits before the copy: long enough for the client to
/// have read the real answer, short enough to arrive before its next request.
const DUPLICATE_AFTER: Duration = Duration::from_millis(30);

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

/// How a connection ends.
enum Ending {
    /// Just close (the peer is gone or the server is stopping).
    Drop,
    /// Send FIN, then drain the client's bytes for a moment (see [`LINGER`]).
    Linger,
    /// Abort with RST.
    Reset,
}

fn run_connection(id: u64, stream: TcpStream, shared: &Arc<Shared>) {
    // Timeouts only bound each blocking call so it can notice stop(); `Conn`
    // retries after them. Nagle would delay small keep-alive answers.
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_write_timeout(Some(POLL));
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(Conn {
        stream,
        shared: Arc::clone(shared),
    });
    let ending = serve(id, &mut reader, shared);
    let stream = reader.into_inner().stream;

    // Drop the registry's clone first: a socket only closes (or resets) when
    // its last handle goes.
    lock(&shared.connections).remove(&id);
    match ending {
        Ending::Drop => {}
        Ending::Linger => linger_close(&stream, shared),
        Ending::Reset => {
            let _ = SockRef::from(&stream).set_linger(Some(Duration::ZERO));
        }
    }
}

/// The keep-alive loop: read a request, answer it, repeat.
fn serve(id: u64, reader: &mut BufReader<Conn>, shared: &Shared) -> Ending {
    loop {
        let request = match read_request(id, reader) {
            Ok(Some(request)) => request,
            Ok(None) | Err(ReadError::Io) => return Ending::Drop,
            Err(ReadError::Refuse(status, message)) => {
                let answer = Answer::json(status, &serde_json::json!({ "sandbox_error": message }));
                let framing = Framing {
                    close: true,
                    http10: false,
                    head_only: false,
                };
                let _ = write_answer(reader.get_mut(), &answer, &answer.body, framing);
                return Ending::Linger;
            }
        };

        let handler = &shared.handler;
        let answer = panic::catch_unwind(AssertUnwindSafe(|| handler.handle(&request.recorded)))
            .unwrap_or_else(|_| {
                Answer::json(
                    500,
                    &serde_json::json!({ "sandbox_error": "the handler panicked" }),
                )
            });
        if shared.is_stopping() {
            return Ending::Drop;
        }
        let framing = Framing {
            // The handler may ask to close after this answer.
            close: !request.keep_alive || header_has_token(&answer.headers, "connection", "close"),
            http10: request.http10,
            head_only: request.head,
        };
        let conn = reader.get_mut();

        let padded;
        let body = match answer.fault {
            None => &answer.body,
            Some(Fault::Delay(delay)) => {
                if shared.sleep(delay) {
                    return Ending::Drop;
                }
                &answer.body
            }
            Some(Fault::Stall) => {
                stall(&mut conn.stream, shared);
                return Ending::Drop;
            }
            Some(Fault::Reset) => {
                let head = answer_head(&answer, Some(answer.body.len()), framing);
                // The status line and about half of the headers.
                let status_line = head.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
                let cut = status_line + (head.len() - status_line) / 2;
                if conn.write_all(&head[..cut]).is_err() {
                    return Ending::Drop;
                }
                // Let those bytes reach the client first, so the reset comes mid-answer.
                shared.sleep(Duration::from_millis(20));
                return Ending::Reset;
            }
            Some(Fault::Truncate) => {
                let head = answer_head(&answer, Some(answer.body.len()), framing);
                let half = &answer.body[..answer.body.len() / 2];
                let _ = conn.write_all(&[head.as_slice(), half].concat());
                return Ending::Linger;
            }
            Some(Fault::Close) => return Ending::Linger,
            Some(Fault::Oversize(size)) => {
                padded = padding(size);
                &padded
            }
            Some(Fault::Duplicate) => {
                if write_answer(conn, &answer, &answer.body, framing).is_err()
                    || shared.sleep(DUPLICATE_AFTER)
                {
                    return Ending::Drop;
                }
                &answer.body
            }
        };

        if write_answer(conn, &answer, body, framing).is_err() {
            return Ending::Drop;
        }
        if framing.close {
            return Ending::Linger;
        }
    }
}

/// Holds a stalled connection open until the client closes it or the server stops.
fn stall(stream: &mut TcpStream, shared: &Shared) {
    let mut sink = [0u8; 4096];
    while !shared.is_stopping() {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {} // More requests on a stalled connection are ignored.
            Err(e) if is_timeout(&e) => {}
            Err(_) => return,
        }
    }
}

/// Closes gracefully: FIN first, then read what the client still sends for a
/// moment. Closing with unread bytes would make the kernel send RST, which
/// can destroy an answer the client has not read yet.
fn linger_close(stream: &TcpStream, shared: &Shared) {
    if stream.shutdown(Shutdown::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    let mut reader = stream;
    while !shared.is_stopping() && Instant::now() < deadline {
        match reader.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {}
            Err(_) => return,
        }
    }
}

/// `{"pad":"xxx…"}` of exactly `size` bytes (plain `x`s when that cannot fit).
fn padding(size: usize) -> Vec<u8> {
    const FRAME: usize = r#"{"pad":""}"#.len();
    if size < FRAME {
        return vec![b'x'; size];
    }
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(br#"{"pad":""#);
    body.resize(size - 2, b'x');
    body.extend_from_slice(br#""}"#);
    body
}

/// How an answer is framed on this connection.
#[derive(Clone, Copy)]
struct Framing {
    /// Close after this answer (and say so with `Connection: close`).
    close: bool,
    /// The request was HTTP/1.0, so keep-alive must be announced.
    http10: bool,
    /// A HEAD request: the body's length is announced but not sent.
    head_only: bool,
}

/// Writes the head and the body in one go (one syscall for small answers).
fn write_answer(conn: &mut Conn, answer: &Answer, body: &[u8], framing: Framing) -> io::Result<()> {
    let len = body_allowed(answer.status).then_some(body.len());
    let mut bytes = answer_head(answer, len, framing);
    if len.is_some() && !framing.head_only {
        bytes.extend_from_slice(body);
    }
    conn.write_all(&bytes)?;
    conn.flush()
}

/// 1xx, 204 and 304 answers never carry a body (nor Content-Length).
fn body_allowed(status: u16) -> bool {
    !(status < 200 || status == 204 || status == 304)
}

/// Status line and headers, ending with the blank line.
fn answer_head(answer: &Answer, content_length: Option<usize>, framing: Framing) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", answer.status, reason(answer.status));
    let mut has_type = false;
    let mut has_connection = false;
    for (name, value) in &answer.headers {
        // Framing is the server's job: a stray length would desync keep-alive.
        if name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            continue;
        }
        has_type |= name.eq_ignore_ascii_case("content-type");
        has_connection |= name.eq_ignore_ascii_case("connection");
        // CR or LF in a scripted value would inject headers; flatten them.
        let clean = |s: &str| s.replace(['\r', '\n'], " ");
        head.push_str(&format!("{}: {}\r\n", clean(name), clean(value)));
    }
    if !has_type && body_allowed(answer.status) {
        head.push_str("Content-Type: application/json\r\n");
    }
    if let Some(len) = content_length {
        head.push_str(&format!("Content-Length: {len}\r\n"));
    }
    if !has_connection {
        if framing.close {
            head.push_str("Connection: close\r\n");
        } else if framing.http10 {
            head.push_str("Connection: keep-alive\r\n");
        }
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// Reason phrases for the codes the providers and the tests use.
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        423 => "Locked",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// A socket whose reads and writes retry after the poll timeout until the
/// server stops, so callers see either progress or a real error.
struct Conn {
    stream: TcpStream,
    shared: Arc<Shared>,
}

fn stopping_error() -> io::Error {
    io::Error::other("the sandbox server is stopping")
}

fn is_timeout(e: &io::Error) -> bool {
    // Unix reports an expired socket timeout as WouldBlock, Windows as TimedOut.
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.shared.is_stopping() {
                return Err(stopping_error());
            }
            match self.stream.read(buf) {
                Err(e) if is_timeout(&e) => continue,
                other => return other,
            }
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            if self.shared.is_stopping() {
                return Err(stopping_error());
            }
            match self.stream.write(buf) {
                Err(e) if is_timeout(&e) => continue,
                other => return other,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// A request read off the wire, with what the server needs to answer it.
struct Incoming {
    recorded: RecordedRequest,
    keep_alive: bool,
    head: bool,
    http10: bool,
}

enum ReadError {
    /// The connection failed or closed mid-request: nothing to answer.
    Io,
    /// A malformed or too large request: answer with this status, then close.
    Refuse(u16, String),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> ReadError {
        ReadError::Io
    }
}

fn refuse(status: u16, message: impl Into<String>) -> ReadError {
    ReadError::Refuse(status, message.into())
}

/// Reads one request; `Ok(None)` when the client closed between requests.
fn read_request(id: u64, reader: &mut BufReader<Conn>) -> Result<Option<Incoming>, ReadError> {
    let mut budget = MAX_HEAD_BYTES;

    // RFC 9112 §2.2: ignore empty lines before the request line.
    let line = loop {
        match read_line(reader, &mut budget)? {
            None => return Ok(None),
            Some(line) if line.is_empty() => continue,
            Some(line) => break line,
        }
    };
    let line = String::from_utf8_lossy(&line).into_owned();
    let mut parts = line.split(' ');
    let (Some(method), Some(path), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refuse(400, format!("malformed request line {line:?}")));
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) || path.is_empty() {
        return Err(refuse(400, format!("malformed request line {line:?}")));
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(refuse(505, format!("unsupported version {version:?}"))),
    };

    let mut headers = Vec::new();
    loop {
        let Some(line) = read_line(reader, &mut budget)? else {
            return Err(ReadError::Io);
        };
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(refuse(431, "too many headers"));
        }
        let line = String::from_utf8_lossy(&line).into_owned();
        let Some((name, value)) = line.split_once(':') else {
            return Err(refuse(400, format!("malformed header line {line:?}")));
        };
        // Also rejects obsolete line folding (a line starting with whitespace).
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(refuse(400, format!("malformed header line {line:?}")));
        }
        headers.push((
            name.to_string(),
            value.trim_matches([' ', '\t']).to_string(),
        ));
    }

    let chunked = match joined_header(&headers, "transfer-encoding") {
        None => false,
        Some(codings) => {
            let last = codings.rsplit(',').next().unwrap_or("").trim();
            if !last.eq_ignore_ascii_case("chunked") {
                return Err(refuse(
                    501,
                    format!("unsupported Transfer-Encoding {codings:?}"),
                ));
            }
            true
        }
    };
    let length = if chunked {
        None
    } else {
        content_length(&headers)?
    };

    let wants_body = chunked || length.is_some_and(|n| n > 0);
    if wants_body && !http10 && header_has_token(&headers, "expect", "100-continue") {
        let conn = reader.get_mut();
        conn.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        conn.flush()?;
    }
    let body = match length {
        _ if chunked => read_chunked(reader)?,
        Some(n) => {
            // The declared length is the client's claim: grow as bytes arrive.
            let mut body = Vec::with_capacity(n.min(1 << 20) as usize);
            reader.by_ref().take(n).read_to_end(&mut body)?;
            if body.len() as u64 != n {
                return Err(ReadError::Io); // The client went away mid-body.
            }
            body
        }
        None => Vec::new(),
    };

    let keep_alive = if http10 {
        header_has_token(&headers, "connection", "keep-alive")
    } else {
        !header_has_token(&headers, "connection", "close")
    };
    Ok(Some(Incoming {
        head: method == "HEAD",
        recorded: RecordedRequest {
            connection_id: id,
            method: method.to_string(),
            path: path.to_string(),
            headers,
            body,
        },
        keep_alive,
        http10,
    }))
}

/// The declared body length; all Content-Length values must agree.
fn content_length(headers: &[(String, String)]) -> Result<Option<u64>, ReadError> {
    let mut length = None;
    for (_, value) in headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        for item in value.split(',') {
            let item = item.trim();
            let n = item
                .parse::<u64>()
                .ok()
                .filter(|_| item.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| refuse(400, format!("bad Content-Length {value:?}")))?;
            if length.is_some_and(|l| l != n) {
                return Err(refuse(400, "conflicting Content-Length headers"));
            }
            length = Some(n);
        }
    }
    if length.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(refuse(413, "request body too large"));
    }
    Ok(length)
}

fn read_chunked(reader: &mut BufReader<Conn>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let mut budget = 4096;
        let line = read_line(reader, &mut budget)?.ok_or(ReadError::Io)?;
        let line = String::from_utf8_lossy(&line);
        // Chunk extensions (";name=value") are allowed and ignored.
        let size = line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size, 16)
            .map_err(|_| refuse(400, format!("bad chunk size line {line:?}")))?;
        if size == 0 {
            break;
        }
        if body.len() as u64 + size > MAX_BODY_BYTES {
            return Err(refuse(413, "request body too large"));
        }
        let before = body.len();
        reader.by_ref().take(size).read_to_end(&mut body)?;
        if (body.len() - before) as u64 != size {
            return Err(ReadError::Io);
        }
        let mut budget = 2;
        match read_line(reader, &mut budget)? {
            Some(end) if end.is_empty() => {}
            _ => return Err(refuse(400, "chunk data longer than its size")),
        }
    }
    // Trailer fields are read and dropped.
    let mut budget = MAX_HEAD_BYTES;
    loop {
        match read_line(reader, &mut budget)? {
            None => return Err(ReadError::Io),
            Some(line) if line.is_empty() => return Ok(body),
            Some(_) => {}
        }
    }
}

/// One line without its CRLF (a bare LF is accepted too); `None` at EOF
/// before any byte. Each line's bytes count against `budget`.
fn read_line(
    reader: &mut BufReader<Conn>,
    budget: &mut usize,
) -> Result<Option<Vec<u8>>, ReadError> {
    let mut line = Vec::new();
    reader
        .by_ref()
        .take(*budget as u64 + 1)
        .read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        if line.len() > *budget {
            return Err(refuse(431, "request head too large"));
        }
        return Err(ReadError::Io); // EOF mid-line.
    }
    *budget -= line.len();
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

/// RFC 9110 token characters (methods and header names).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// All values of a header joined with commas, as RFC 9110 allows.
fn joined_header(headers: &[(String, String)], name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// Whether a comma-separated header lists `token` (ignoring ASCII case).
fn header_has_token(headers: &[(String, String)], name: &str, token: &str) -> bool {
    joined_header(headers, name)
        .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

/// Decodes `application/x-www-form-urlencoded`: `&`-separated `name=value`
/// pairs, `+` for space, `%XX` escapes (a malformed escape is kept as is).
pub(crate) fn decode_form(input: &[u8]) -> Vec<(String, String)> {
    input
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &pair[pair.len()..]),
            };
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(input: &[u8]) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        let pairs = decode_form(b"a=1&b=two+words&c=%C3%A9t%C3%A9&d&e=&&f=100%&g=%zz%4");
        let expect = [
            ("a", "1"),
            ("b", "two words"),
            ("c", "été"),
            ("d", ""),
            ("e", ""),
            ("f", "100%"),
            ("g", "%zz%4"),
        ];
        let expect: Vec<(String, String)> = expect
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs, expect);
        assert_eq!(
            decode_form(b"k%3Dx=v%26w"),
            vec![("k=x".into(), "v&w".into())]
        );
    }

    #[test]
    fn padding_has_the_exact_size_and_is_json() {
        for size in [0, 1, 9, 10, 11, 1000] {
            let pad = padding(size);
            assert_eq!(pad.len(), size);
            if size >= 10 {
                assert!(serde_json::from_slice::<serde_json::Value>(&pad).is_ok());
            }
        }
    }
}
