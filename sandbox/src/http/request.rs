//! Requests: reading one off a keep-alive connection (request line, headers,
//! `Content-Length` or chunked body, with size limits) into a [`RecordedRequest`],
//! and the header and form helpers the handlers use.

use std::io::{self, BufRead, BufReader, Read, Write};

use super::connection::Conn;

/// Request line plus headers; more is refused with 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_HEADERS: usize = 256;
/// Request bodies larger than this are refused with 413.
const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

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

/// A request read off the wire, with what the server needs to answer it.
pub(super) struct Incoming {
    pub(super) recorded: RecordedRequest,
    pub(super) keep_alive: bool,
    pub(super) head: bool,
    pub(super) http10: bool,
}

pub(super) enum ReadError {
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
pub(super) fn read_request(
    id: u64,
    reader: &mut BufReader<Conn>,
) -> Result<Option<Incoming>, ReadError> {
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

pub(super) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
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
pub(super) fn header_has_token(headers: &[(String, String)], name: &str, token: &str) -> bool {
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
}
