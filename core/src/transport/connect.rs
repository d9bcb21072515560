//! Connections: opening them, checking a pooled one before reuse, and the outermost layer
//! that knows when a request has left.
//!
//! The chain built in [`super::HttpClient::new`] is ureq's default minus SOCKS:
//! CONNECT proxy → [`TcpConnector`] → rustls → [`TrackSent`]. `TrackSent` sits above
//! TLS, so it sees the request in clear text, exactly as it will leave.

use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
};

thread_local! {
    // Set when a byte of the current request is handed to the socket. ureq drives a call
    // entirely on the calling thread and runs no caller code meanwhile, so this is exact
    // between [`SentProbe::begin`] and [`SentProbe::end`]; it is read only there.
    static SENT: Cell<bool> = const { Cell::new(false) };
}

/// Measures whether one attempt handed any byte of its request to the socket.
///
/// The answer is taken inside the attempt, before any caller code (a request logger, a
/// nested voucherkit call) runs, and the thread's previous flag is put back, so nothing
/// that runs afterwards can change what the attempt reports.
pub(crate) struct SentProbe {
    outer: bool,
}

impl SentProbe {
    pub fn begin() -> SentProbe {
        SentProbe {
            outer: SENT.with(|s| s.replace(false)),
        }
    }

    /// Whether the request (or part of it) left, since [`SentProbe::begin`].
    pub fn end(self) -> bool {
        SENT.with(|s| s.replace(self.outer))
    }
}

/// A header value sent in place of a secret until the last moment.
///
/// ureq-proto logs every request head it writes at TRACE level (as a hex dump), and any
/// `log` backend in the process would receive it. So ureq never sees a secret: it writes
/// the placeholder, and [`CorkedTransport`] puts the real value in as the bytes leave.
#[derive(Clone, Debug)]
pub(crate) struct SecretSlot {
    pub placeholder: Vec<u8>,
    pub value: Vec<u8>,
    /// A searcher for the placeholder, built once per client, not per request.
    finder: memchr::memmem::Finder<'static>,
}

impl SecretSlot {
    /// A placeholder that no real header value collides with: a random tag per client.
    pub fn new(index: usize, value: &str) -> SecretSlot {
        let tag = super::retry::random_u64();
        let placeholder = format!("voucherkit-secret-{index}-{tag:016x}").into_bytes();
        SecretSlot {
            finder: memchr::memmem::Finder::new(&placeholder).into_owned(),
            placeholder,
            value: value.as_bytes().to_vec(),
        }
    }
}

/// Wraps every connection (outermost, above TLS) in a [`CorkedTransport`].
#[derive(Debug)]
pub(crate) struct TrackSent {
    /// Whether the agent sends through a CONNECT proxy: then the connection *to the
    /// proxy* is also built through this chain, and its `CONNECT` preamble is not the
    /// request (a refused tunnel reached nothing, so it must not count as sent).
    pub proxied: bool,
    pub secrets: Arc<[SecretSlot]>,
}

impl<In: Transport> Connector<In> for TrackSent {
    type Out = CorkedTransport;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<CorkedTransport>, ureq::Error> {
        // ureq builds the connection to a CONNECT proxy with a copy of the config
        // that has no proxy; the tunnel to the provider keeps it.
        let to_proxy = self.proxied && details.config.proxy().is_none();
        Ok(chained.map(|inner| CorkedTransport {
            inner: Box::new(inner),
            pending: Vec::new(),
            marks_sent: !to_proxy,
            secrets: Arc::clone(&self.secrets),
        }))
    }
}

/// A connection that sends each request in one piece and knows when it left.
///
/// - ureq hands over the request head and body in separate writes; with `TCP_NODELAY`
///   that is two packets and two wake-ups at the server. Writes are held back ("corked")
///   until ureq first waits for the answer, then sent as one write: an HTTP/1.1 client
///   always has the whole request out before it reads.
/// - The first byte handed to the socket marks the attempt as sent ([`SentProbe`]); a
///   failure after that counts as sent (even half-way through the write).
/// - Secret header values are filled in here, in the head only ([`SecretSlot`]).
/// - Timeouts are rounded up to [`TIMEOUT_STEP`], so the socket's timeout stays the same
///   from one I/O to the next instead of costing a `setsockopt` each time; the deadline
///   may be overrun by less than one step.
#[derive(Debug)]
pub(crate) struct CorkedTransport {
    inner: Box<dyn Transport>,
    pending: Vec<u8>,
    marks_sent: bool,
    secrets: Arc<[SecretSlot]>,
}

const TIMEOUT_STEP: Duration = Duration::from_millis(50);

fn coarse(mut timeout: NextTimeout) -> NextTimeout {
    if let ureq::unversioned::transport::time::Duration::Exact(d) = timeout.after {
        let step = TIMEOUT_STEP.as_nanos();
        let rounded = d.as_nanos().div_ceil(step).saturating_mul(step);
        timeout.after = ureq::unversioned::transport::time::Duration::Exact(Duration::from_nanos(
            u64::try_from(rounded).unwrap_or(u64::MAX),
        ));
    }
    timeout
}

/// Replaces each placeholder in the request head (up to the blank line) by its secret.
/// `memmem` (SIMD) keeps this to a few hundred instructions per request.
fn fill_secrets(bytes: &mut Vec<u8>, secrets: &[SecretSlot]) {
    if secrets.is_empty() {
        return;
    }
    static HEAD_END: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\r\n\r\n"));
    let mut end = HEAD_END.find(bytes).unwrap_or(bytes.len());
    for slot in secrets {
        let mut from = 0;
        while let Some(at) = slot.finder.find(&bytes[from..end]) {
            let at = from + at;
            bytes.splice(at..at + slot.placeholder.len(), slot.value.iter().copied());
            end = end + slot.value.len() - slot.placeholder.len();
            from = at + slot.value.len();
        }
    }
}

impl CorkedTransport {
    fn flush(&mut self, timeout: NextTimeout) -> std::result::Result<(), ureq::Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.marks_sent {
            SENT.with(|s| s.set(true));
        }
        let mut pending = std::mem::take(&mut self.pending);
        fill_secrets(&mut pending, &self.secrets);
        for chunk in pending.chunks(self.inner.buffers().output().len().max(1)) {
            self.inner.buffers().output()[..chunk.len()].copy_from_slice(chunk);
            self.inner.transmit_output(chunk.len(), timeout)?;
        }
        pending.clear();
        self.pending = pending;
        Ok(())
    }
}

impl Transport for CorkedTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        _timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        let output = &self.inner.buffers().output()[..amount];
        self.pending.extend_from_slice(output);
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        let timeout = coarse(timeout);
        self.flush(timeout)?;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// Opens plain TCP connections like ureq's `TcpConnector`, but checks a pooled
/// connection with one non-blocking peek instead of ureq's three system calls
/// (non-blocking on, read, blocking off) before each reuse.
#[derive(Debug)]
pub(crate) struct TcpConnector;

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, PeekedTcp>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        if let Some(transport) = chained {
            return Ok(Some(Either::A(transport)));
        }
        let limit = match details.timeout.after {
            ureq::unversioned::transport::time::Duration::Exact(d) => Some(d),
            ureq::unversioned::transport::time::Duration::NotHappening => None,
        };
        let started = Instant::now();
        let mut last = None;
        for addr in details.addrs.iter() {
            let attempt = match limit {
                Some(limit) => match limit.checked_sub(started.elapsed()) {
                    Some(left) if !left.is_zero() => {
                        std::net::TcpStream::connect_timeout(addr, left)
                    }
                    _ => return Err(ureq::Error::Timeout(ureq::Timeout::Connect)),
                },
                None => std::net::TcpStream::connect(addr),
            };
            match attempt {
                Ok(stream) => {
                    stream.set_nodelay(details.config.no_delay())?;
                    let config = details.config;
                    return Ok(Some(Either::B(PeekedTcp {
                        stream,
                        buffers: LazyBuffers::new(
                            config.input_buffer_size(),
                            config.output_buffer_size(),
                        ),
                        read_timeout: None,
                        write_timeout: None,
                    })));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                ureq::Error::Timeout(ureq::Timeout::Connect)
            }
            Some(e) => ureq::Error::Io(e),
            None => ureq::Error::ConnectionFailed,
        })
    }
}

/// A TCP transport like ureq's, with a cheaper liveness check (see [`TcpConnector`]).
#[derive(Debug)]
pub(crate) struct PeekedTcp {
    stream: std::net::TcpStream,
    buffers: LazyBuffers,
    /// The socket's current timeouts, so they are only set when they change.
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

/// The socket timeout for `timeout` (`None`: wait forever), or a timeout error now.
fn socket_timeout(timeout: NextTimeout) -> std::result::Result<Option<Duration>, ureq::Error> {
    match timeout.after {
        ureq::unversioned::transport::time::Duration::NotHappening => Ok(None),
        ureq::unversioned::transport::time::Duration::Exact(d) if d.is_zero() => {
            Err(ureq::Error::Timeout(timeout.reason))
        }
        ureq::unversioned::transport::time::Duration::Exact(d) => Ok(Some(d)),
    }
}

fn io_error(e: std::io::Error, timeout: &NextTimeout) -> ureq::Error {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            ureq::Error::Timeout(timeout.reason)
        }
        _ => ureq::Error::Io(e),
    }
}

impl Transport for PeekedTcp {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let limit = socket_timeout(timeout)?;
        if limit != self.write_timeout {
            self.stream.set_write_timeout(limit)?;
            self.write_timeout = limit;
        }
        let output = &self.buffers.output()[..amount];
        std::io::Write::write_all(&mut self.stream, output).map_err(|e| io_error(e, &timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let limit = socket_timeout(timeout)?;
        if limit != self.read_timeout {
            self.stream.set_read_timeout(limit)?;
            self.read_timeout = limit;
        }
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match std::io::Read::read(&mut self.stream, input) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other.map_err(|e| io_error(e, &timeout))?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // Open means: nothing to read yet. Bytes nobody asked for (a stale or duplicated
        // answer), end of file or an error all mean the connection must not carry a
        // request.
        nothing_to_read(&self.stream)
    }
}

/// One non-blocking peek: `MSG_PEEK | MSG_DONTWAIT` where the platform has it.
#[cfg(unix)]
fn nothing_to_read(stream: &std::net::TcpStream) -> bool {
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    let flags = libc::MSG_PEEK | libc::MSG_DONTWAIT;
    match socket2::SockRef::from(stream).recv_with_flags(&mut byte, flags) {
        Err(e) => e.kind() == std::io::ErrorKind::WouldBlock,
        Ok(_) => false,
    }
}

/// Elsewhere (Windows): non-blocking on, peek, non-blocking off, as ureq itself does.
#[cfg(not(unix))]
fn nothing_to_read(stream: &std::net::TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0u8; 1];
    let open = match stream.peek(&mut byte) {
        Err(e) => e.kind() == std::io::ErrorKind::WouldBlock,
        Ok(_) => false,
    };
    stream.set_nonblocking(false).is_ok() && open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_filled_in_the_head_only() {
        let slot = SecretSlot {
            placeholder: b"PH-1".to_vec(),
            value: b"the-real-key".to_vec(),
            finder: memchr::memmem::Finder::new(b"PH-1").into_owned(),
        };
        let mut bytes =
            b"POST /x HTTP/1.1\r\nsmart-auth: PH-1\r\nx: PH-1\r\n\r\n{\"k\":\"PH-1\"}".to_vec();
        fill_secrets(&mut bytes, std::slice::from_ref(&slot));
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "POST /x HTTP/1.1\r\nsmart-auth: the-real-key\r\nx: the-real-key\r\n\r\n{\"k\":\"PH-1\"}"
        );
    }

    #[test]
    fn the_sent_flag_belongs_to_the_attempt_that_measured_it() {
        let outer = SentProbe::begin();
        SENT.with(|s| s.set(true)); // the outer attempt's request left
        let inner = SentProbe::begin(); // e.g. a call made by a logging hook
        assert!(!inner.end(), "a nested attempt starts unsent");
        assert!(
            outer.end(),
            "and gives the outer attempt its own answer back"
        );
    }
}
