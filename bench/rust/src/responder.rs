//! A minimal keep-alive HTTP/1.1 responder on 127.0.0.1 for the benches: reads each
//! request (head and body) and writes one of a few prebuilt answers, picked from the
//! request line (no allocation per request: the server's cost stays out of the ratios).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

/// Starts the responder on a free port: `pick` chooses which of `answers` a request gets.
pub fn start(answers: Vec<Vec<u8>>, pick: impl Fn(&str) -> usize + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let shared = Arc::new((answers, pick));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || serve(stream, &shared.0, &shared.1));
        }
    });
    port
}

/// `HTTP/1.1 <status>` with a body and its length.
pub fn answer(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn serve(stream: TcpStream, answers: &[Vec<u8>], pick: &dyn Fn(&str) -> usize) {
    stream.set_nodelay(true).ok();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    let mut line = String::new();
    loop {
        request_line.clear();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        let answer = &answers[pick(&request_line)];
        if reader.read_exact(&mut body).is_err() || writer.write_all(answer).is_err() {
            return;
        }
    }
}
