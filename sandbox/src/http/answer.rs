//! Answers: what a handler returns ([`Answer`], [`Fault`]) and how the server
//! frames it on the wire (status line, headers, `Content-Length`, keep-alive).

use std::io::{self, Write};
use std::time::Duration;

use super::connection::Conn;
use super::request::find_header;

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

/// `{"pad":"xxx…"}` of exactly `size` bytes (plain `x`s when that cannot fit).
pub(super) fn padding(size: usize) -> Vec<u8> {
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
pub(super) struct Framing {
    /// Close after this answer (and say so with `Connection: close`).
    pub(super) close: bool,
    /// The request was HTTP/1.0, so keep-alive must be announced.
    pub(super) http10: bool,
    /// A HEAD request: the body's length is announced but not sent.
    pub(super) head_only: bool,
}

/// Writes the head and the body in one go (one syscall for small answers).
pub(super) fn write_answer(
    conn: &mut Conn,
    answer: &Answer,
    body: &[u8],
    framing: Framing,
) -> io::Result<()> {
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
pub(super) fn answer_head(
    answer: &Answer,
    content_length: Option<usize>,
    framing: Framing,
) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
