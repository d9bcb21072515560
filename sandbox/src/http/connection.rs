//! One connection: the keep-alive loop (read a request, ask the handler, answer),
//! the faults that make an answer go wrong on the socket, and how the socket closes.

use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::SockRef;

use super::answer::{Framing, answer_head, padding, write_answer};
use super::request::{ReadError, header_has_token, read_request};
use super::{Answer, Fault, Shared, lock};

/// How often a blocked read or write wakes up to check whether the server is
/// stopping. `stop()` also shuts the sockets down, so this is only a backstop.
const POLL: Duration = Duration::from_millis(100);
/// How long a closing connection keeps draining the client's bytes, so the
/// kernel sends FIN rather than RST and the client can read the whole answer.
const LINGER: Duration = Duration::from_millis(500);

/// How long [`Fault::Duplicate`] waits before the copy: long enough for the client to
/// have read the real answer, short enough to arrive before its next request.
const DUPLICATE_AFTER: Duration = Duration::from_millis(30);

/// How a connection ends.
enum Ending {
    /// Just close (the peer is gone or the server is stopping).
    Drop,
    /// Send FIN, then drain the client's bytes for a moment (see [`LINGER`]).
    Linger,
    /// Abort with RST.
    Reset,
}

pub(super) fn run_connection(id: u64, stream: TcpStream, shared: &Arc<Shared>) {
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

/// A socket whose reads and writes retry after the poll timeout until the
/// server stops, so callers see either progress or a real error.
pub(super) struct Conn {
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
