//! The scripted server seen from the client side, with raw `TcpStream`s, so
//! each test shows exactly what goes over the wire.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use voucherkit_sandbox::{Answer, Fault, RecordedRequest, ScriptedServer};

/// A keep-alive client connection with a generous read timeout, so a broken
/// server fails the test instead of hanging it.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(server: &ScriptedServer) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, raw: &[u8]) {
        self.reader.get_mut().write_all(raw).expect("write request");
    }

    fn get(&mut self, path: &str) {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: sandbox\r\n\r\n").as_bytes());
    }

    fn post(&mut self, path: &str, content_type: &str, body: &[u8]) {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: sandbox\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        self.send(&[head.as_bytes(), body].concat());
    }

    /// Reads the status line and headers.
    fn head(&mut self) -> io::Result<Head> {
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let mut parts = line.trim_end().splitn(3, ' ');
        assert_eq!(parts.next(), Some("HTTP/1.1"), "status line {line:?}");
        let status = parts.next().unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(ErrorKind::UnexpectedEof.into());
            }
            let line = line.trim_end();
            if line.is_empty() {
                return Ok(Head { status, headers });
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_string(), value.trim().to_string()));
        }
    }

    /// Reads one whole answer, body framed by Content-Length.
    fn answer(&mut self) -> Response {
        let head = self.head().expect("answer head");
        let len = head.content_length().expect("Content-Length");
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body).expect("answer body");
        Response { head, body }
    }

    /// Everything until the server closes.
    fn rest(&mut self) -> io::Result<Vec<u8>> {
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest)?;
        Ok(rest)
    }
}

struct Head {
    status: u16,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn content_length(&self) -> Option<usize> {
        self.header("content-length").map(|v| v.parse().unwrap())
    }
}

struct Response {
    head: Head,
    body: Vec<u8>,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

fn text(status: u16, body: &str) -> Answer {
    Answer::text(status, "text/plain", body)
}

/// Polls until the server has recorded `n` requests.
fn wait_for_requests(server: &ScriptedServer, n: usize) -> Vec<RecordedRequest> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let requests = server.requests();
        if requests.len() >= n || Instant::now() > deadline {
            return requests;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn keep_alive_reuses_the_connection() {
    let server = ScriptedServer::start().unwrap();
    server.push_all([text(200, "one"), text(200, "two"), text(200, "three")]);

    let mut client = Client::connect(&server);
    client.get("/a");
    assert_eq!(client.answer().body, b"one");
    client.get("/b");
    assert_eq!(client.answer().body, b"two");
    let mut other = Client::connect(&server);
    other.get("/c");
    assert_eq!(other.answer().body, b"three");

    let requests = server.requests();
    let ids: Vec<u64> = requests.iter().map(|r| r.connection_id).collect();
    assert_eq!(ids[0], ids[1], "same connection");
    assert_ne!(ids[1], ids[2], "a new connection gets a new id");
}

#[test]
fn answers_are_served_in_order_then_599() {
    let server = ScriptedServer::start().unwrap();
    server.push(text(201, "first"));
    server.push_all([
        Answer::new(429).with_header("Retry-After", "2"),
        text(500, "third"),
    ]);
    assert_eq!(server.pending(), 3);

    let mut client = Client::connect(&server);
    let mut seen = Vec::new();
    for _ in 0..4 {
        client.get("/x");
        let response = client.answer();
        seen.push((response.head.status, response.body.clone()));
        if response.head.status == 429 {
            assert_eq!(response.head.header("Retry-After"), Some("2"));
        }
        if response.head.status == 599 {
            assert_eq!(
                response.json(),
                json!({"sandbox_error": "no scripted answer left"})
            );
        }
    }
    assert_eq!(seen[0], (201, b"first".to_vec()));
    assert_eq!(seen[1], (429, Vec::new()));
    assert_eq!(seen[2], (500, b"third".to_vec()));
    assert_eq!(seen[3].0, 599);
    assert_eq!(
        server.requests().len(),
        4,
        "the unanswered request is recorded too"
    );
    assert_eq!(server.pending(), 0);
}

#[test]
fn requests_are_recorded_as_sent() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::new(200));
    let mut client = Client::connect(&server);
    client.send(
        b"POST /redeem?chain_id=2&q=a+b%21 HTTP/1.1\r\nHost: sandbox\r\nX-Spaaza-Session-Key: s3cr3t\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 33\r\n\r\n\
          voucher_key=AB+12&amount=%2410.50",
    );
    assert_eq!(client.answer().head.status, 200);

    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/redeem?chain_id=2&q=a+b%21");
    assert_eq!(request.path_only(), "/redeem");
    assert_eq!(
        request.headers[1].0, "X-Spaaza-Session-Key",
        "name case kept"
    );
    assert_eq!(request.header("x-spaaza-session-key"), Some("s3cr3t"));
    assert_eq!(request.header("missing"), None);
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(request.query(), pairs(&[("chain_id", "2"), ("q", "a b!")]));
    assert_eq!(
        request.form(),
        pairs(&[("voucher_key", "AB 12"), ("amount", "$10.50")])
    );
    assert_eq!(request.body_json(), None);
}

#[test]
fn json_bodies_and_default_content_type() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::json(200, &json!({"ok": true})));
    server.push(Answer::text(502, "text/html", "<html>Bad Gateway</html>"));
    let mut client = Client::connect(&server);

    client.post("/j", "application/json", br#"{"amount": 10.50}"#);
    let response = client.answer();
    assert_eq!(
        response.head.header("Content-Type"),
        Some("application/json")
    );
    assert_eq!(response.json(), json!({"ok": true}));
    let body = server.requests()[0].body_json().unwrap();
    assert_eq!(body["amount"].to_string(), "10.50", "digits kept");

    client.get("/h");
    let response = client.answer();
    assert_eq!(response.head.status, 502);
    assert_eq!(response.head.header("Content-Type"), Some("text/html"));
    assert_eq!(response.body, b"<html>Bad Gateway</html>");
}

#[test]
fn chunked_request_bodies_are_decoded() {
    let server = ScriptedServer::start().unwrap();
    server.push_all([Answer::new(200), Answer::new(200)]);
    let mut client = Client::connect(&server);
    client.send(
        b"POST /c HTTP/1.1\r\nHost: sandbox\r\nTransfer-Encoding: chunked\r\n\r\n\
          5\r\nhello\r\n7;ext=1\r\n, world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n",
    );
    assert_eq!(client.answer().head.status, 200);
    // The connection is still in sync after the chunked body.
    client.get("/after");
    assert_eq!(client.answer().head.status, 200);

    let requests = server.requests();
    assert_eq!(requests[0].body, b"hello, world0123456789");
    assert_eq!(requests[1].path, "/after");
    assert_eq!(requests[0].connection_id, requests[1].connection_id);
}

#[test]
fn expect_100_continue_is_honoured() {
    let server = ScriptedServer::start().unwrap();
    server.push(text(200, "done"));
    let mut client = Client::connect(&server);
    client.send(
        b"POST /e HTTP/1.1\r\nHost: sandbox\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
    );
    assert_eq!(client.head().unwrap().status, 100);
    client.send(b"body");
    let response = client.answer();
    assert_eq!(response.body, b"done");
    assert_eq!(server.requests()[0].body, b"body");
}

#[test]
fn connection_close_and_http_1_0_close_after_the_answer() {
    let server = ScriptedServer::start().unwrap();
    server.push_all([text(200, "a"), text(200, "b")]);

    let mut client = Client::connect(&server);
    client.send(b"GET /x HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n");
    let response = client.answer();
    assert_eq!(response.head.header("Connection"), Some("close"));
    assert_eq!(client.rest().unwrap(), b"", "closed after the answer");

    let mut client = Client::connect(&server);
    client.send(b"GET /y HTTP/1.0\r\n\r\n");
    assert_eq!(client.answer().body, b"b");
    assert_eq!(client.rest().unwrap(), b"");
}

#[test]
fn malformed_requests_get_400_and_are_not_recorded() {
    let server = ScriptedServer::start().unwrap();
    let mut client = Client::connect(&server);
    client.send(b"NOT A VALID REQUEST LINE\r\n\r\n");
    let response = client.answer();
    assert_eq!(response.head.status, 400);
    assert_eq!(response.head.header("Connection"), Some("close"));
    assert!(response.json()["sandbox_error"].is_string());
    assert_eq!(client.rest().unwrap(), b"");
    assert!(server.requests().is_empty());
}

#[test]
fn fault_delay_answers_after_the_delay() {
    let server = ScriptedServer::start().unwrap();
    server.push(text(200, "late").with_fault(Fault::Delay(Duration::from_millis(300))));
    let mut client = Client::connect(&server);
    let started = Instant::now();
    client.get("/slow");
    // Recorded before the delay is over.
    assert_eq!(wait_for_requests(&server, 1).len(), 1);
    let response = client.answer();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.body, b"late");
}

#[test]
fn fault_stall_never_answers_but_records() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::fault(Fault::Stall));
    let mut client = Client::connect(&server);
    client
        .reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    client.get("/stalled");
    let mut byte = [0u8; 1];
    let err = client.reader.read(&mut byte).expect_err("no answer");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );
    assert_eq!(server.requests()[0].path, "/stalled");
}

#[test]
fn fault_reset_cuts_the_headers() {
    let server = ScriptedServer::start().unwrap();
    server.push(text(200, "never seen").with_fault(Fault::Reset));
    let mut client = Client::connect(&server);
    client.get("/reset");
    let mut received = Vec::new();
    // A reset surfaces as ConnectionReset after the head bytes that made it;
    // Linux always reports it, other systems may show an early end instead.
    let outcome = client.reader.read_to_end(&mut received);
    if cfg!(target_os = "linux") || outcome.is_err() {
        let err = outcome.expect_err("a reset, not a clean close");
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
    }
    let received = String::from_utf8_lossy(&received);
    assert!(
        !received.contains("\r\n\r\n"),
        "got a full head: {received:?}"
    );
    // Whatever arrived before the reset is the start of the head.
    assert!(
        "HTTP/1.1 200 OK\r\n".starts_with(&*received)
            || received.starts_with("HTTP/1.1 200 OK\r\n"),
        "{received:?}"
    );
    assert!(!received.contains("never seen"));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn fault_truncate_sends_half_the_body() {
    let server = ScriptedServer::start().unwrap();
    let body = "0123456789".repeat(10);
    server.push(text(200, &body).with_fault(Fault::Truncate));
    let mut client = Client::connect(&server);
    client.get("/cut");
    let head = client.head().unwrap();
    assert_eq!(head.content_length(), Some(100));
    let received = client.rest().unwrap();
    assert_eq!(received, &body.as_bytes()[..50]);
}

#[test]
fn fault_close_sends_nothing() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::fault(Fault::Close));
    let mut client = Client::connect(&server);
    client.get("/closed");
    assert_eq!(client.rest().unwrap(), b"");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn fault_oversize_sends_exactly_n_bytes() {
    let server = ScriptedServer::start().unwrap();
    let n = 2_000_000;
    server.push(
        Answer::new(200)
            .with_header("X-Big", "yes")
            .with_fault(Fault::Oversize(n)),
    );
    server.push(text(200, "next"));
    let mut client = Client::connect(&server);
    client.get("/big");
    let response = client.answer();
    assert_eq!(response.head.header("X-Big"), Some("yes"));
    assert_eq!(response.head.content_length(), Some(n));
    assert_eq!(response.body.len(), n);
    assert_eq!(response.json()["pad"].as_str().unwrap().len(), n - 10);
    // Still in sync: the next answer follows on the same connection.
    client.get("/next");
    assert_eq!(client.answer().body, b"next");
}

#[test]
fn control_endpoint_round_trip() {
    let dir = std::env::temp_dir().join(format!("voucherkit-sandbox-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("bodies")).unwrap();
    std::fs::write(dir.join("bodies/page.html"), b"<html>\xff raw</html>").unwrap();
    let server = ScriptedServer::start_with_base_dir(&dir).unwrap();
    let mut control = Client::connect(&server);

    // Raw JSON text, as a corpus file holds it (10.50 must keep its digits).
    let answers = r#"[
        {"status": 200, "headers": {"X-One": "1", "A-Two": "2"}, "body": {"amount": 10.50, "b": [1, 2]}},
        {"status": 502, "body_file": "bodies/page.html", "content_type": "text/html"},
        {"status": 503, "body_text": "busy", "fault": {"kind": "delay", "ms": 1}}
    ]"#;
    control.post("/__sandbox/answers", "application/json", answers.as_bytes());
    let response = control.answer();
    assert_eq!(response.head.status, 200);
    assert_eq!(response.json(), json!({"queued": 3}));
    assert_eq!(server.pending(), 3);

    let mut client = Client::connect(&server);
    client.post("/voucher", "application/json", b"{}");
    let first = client.answer();
    let names: Vec<&str> = first.head.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(&names[..2], ["X-One", "A-Two"], "header order kept");
    assert_eq!(first.body, br#"{"amount":10.50,"b":[1,2]}"#);
    client.get("/page");
    let second = client.answer();
    assert_eq!(second.head.status, 502);
    assert_eq!(second.head.header("content-type"), Some("text/html"));
    assert_eq!(second.body, b"<html>\xff raw</html>");

    control.get("/__sandbox/requests");
    let log = control.answer().json();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 2, "control requests are not recorded");
    assert_eq!(log[0]["method"], "POST");
    assert_eq!(log[0]["path"], "/voucher");
    assert_eq!(log[0]["body_text"], "{}");
    assert_eq!(log[0]["headers"][0], json!(["Host", "sandbox"]));
    assert!(log[0]["connection_id"].as_u64().is_some());
    assert_eq!(log[1]["path"], "/page");

    // A bad batch queues nothing and says which answer is wrong.
    control.post(
        "/__sandbox/answers",
        "application/json",
        br#"[{"status": 200}, {"status": 200, "fault": {"kind": "explode"}}]"#,
    );
    let response = control.answer();
    assert_eq!(response.head.status, 400);
    let message = response.json()["sandbox_error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.starts_with("answer 1:") && message.contains("explode"),
        "{message}"
    );
    control.post("/__sandbox/answers", "application/json", b"not json");
    assert_eq!(control.answer().head.status, 400);
    assert_eq!(server.pending(), 1);

    control.post("/__sandbox/reset", "application/json", b"");
    assert_eq!(control.answer().head.status, 200);
    assert_eq!(server.pending(), 0);
    assert!(server.requests().is_empty());
    control.get("/__sandbox/nope");
    assert_eq!(control.answer().head.status, 404);
    control.get("/__sandbox/health");
    assert_eq!(control.answer().json(), json!({"ok": true}));
    assert!(server.requests().is_empty());

    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reset_clears_queue_and_log() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::new(200));
    let mut client = Client::connect(&server);
    client.get("/x");
    client.answer();
    server.push(Answer::new(201));
    server.reset();
    assert!(server.requests().is_empty());
    client.get("/y");
    assert_eq!(client.answer().head.status, 599);
}

#[test]
fn answer_from_json_shapes_and_errors() {
    let base = Path::new(".");
    let answer = Answer::from_json(
        &json!({"headers": [["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]], "content_type": "text/plain",
                "fault": {"kind": "oversize", "bytes": 20}}),
        base,
    )
    .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers.len(), 3);
    assert_eq!(answer.header("content-type"), Some("text/plain"));
    assert_eq!(answer.fault, Some(Fault::Oversize(20)));
    assert!(answer.body.is_empty());

    let delay = Answer::from_json(
        &json!({"status": 504, "fault": {"kind": "delay", "ms": 250}}),
        base,
    );
    assert_eq!(
        delay.unwrap().fault,
        Some(Fault::Delay(Duration::from_millis(250)))
    );
    for kind in ["stall", "reset", "truncate", "close"] {
        assert!(
            Answer::from_json(&json!({"fault": {"kind": kind}}), base).is_ok(),
            "{kind}"
        );
    }

    let err = |v: Value| Answer::from_json(&v, base).unwrap_err();
    assert!(err(json!({"stauts": 200})).contains("\"stauts\""));
    assert!(err(json!({"status": 200, "body": {}, "body_text": ""})).contains("at most one"));
    assert!(err(json!({"fault": {"kind": "explode"}})).contains("explode"));
    assert!(err(json!({"fault": {"kind": "delay"}})).contains("ms"));
    assert!(err(json!({"fault": {"kind": "close", "ms": 3}})).contains("\"ms\""));
    assert!(err(json!({"status": 42})).contains("status"));
    assert!(err(json!({"headers": {"X": 1}})).contains("\"X\""));
    assert!(err(json!({"body_file": "no/such/file.json"})).contains("file.json"));
    assert!(err(json!([])).contains("object"));
}

#[test]
fn stop_is_prompt_with_a_stalled_connection() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::fault(Fault::Stall));
    let mut stalled = Client::connect(&server);
    stalled.get("/stalled");
    let _idle = Client::connect(&server); // An idle keep-alive connection too.
    assert_eq!(wait_for_requests(&server, 1).len(), 1);

    let started = Instant::now();
    server.stop();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The stalled client sees its connection end, not a hang.
    let outcome = stalled.rest();
    assert!(matches!(outcome, Ok(ref bytes) if bytes.is_empty()) || outcome.is_err());
    assert!(
        TcpStream::connect(("127.0.0.1", server.port())).is_err(),
        "listener closed"
    );
    server.stop(); // Idempotent.
}

#[test]
fn drop_stops_the_server_with_a_delayed_answer_in_flight() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::new(200).with_fault(Fault::Delay(Duration::from_secs(60))));
    let mut client = Client::connect(&server);
    client.get("/slow");
    wait_for_requests(&server, 1);
    let started = Instant::now();
    drop(server);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn concurrent_connections_each_get_one_answer() {
    let server = ScriptedServer::start().unwrap();
    server.push_all((0..16).map(|i| text(200, &i.to_string())));
    let port = server.port();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut client = Client {
                    reader: BufReader::new(stream),
                };
                (0..4)
                    .map(|_| {
                        client.get("/n");
                        String::from_utf8(client.answer().body)
                            .unwrap()
                            .parse::<u32>()
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<u32> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort();
    assert_eq!(all, (0..16).collect::<Vec<_>>());
    let ids: std::collections::BTreeSet<u64> =
        server.requests().iter().map(|r| r.connection_id).collect();
    assert_eq!(ids.len(), 4);
}

#[test]
fn head_requests_get_the_length_but_no_body() {
    let server = ScriptedServer::start().unwrap();
    server.push_all([text(200, "twelve bytes"), text(200, "after")]);
    let mut client = Client::connect(&server);
    client.send(b"HEAD /h HTTP/1.1\r\nHost: sandbox\r\n\r\n");
    assert_eq!(client.head().unwrap().content_length(), Some(12));
    client.get("/next"); // No body bytes were sent, so this answer comes next.
    assert_eq!(client.answer().body, b"after");
}

#[test]
fn any_handler_plugs_into_the_server() {
    use std::sync::Arc;
    use voucherkit_sandbox::http::Server;

    let handler = |req: &RecordedRequest| {
        if req.path == "/panic" {
            panic!("deliberate test panic");
        }
        Answer::json(
            200,
            &json!({ "method": req.method, "id": req.connection_id }),
        )
    };
    let server = Server::start(Arc::new(handler)).unwrap();
    assert_eq!(server.url(), format!("http://127.0.0.1:{}", server.port()));

    let stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut client = Client {
        reader: BufReader::new(stream),
    };
    client.send(b"DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(client.answer().json(), json!({"method": "DELETE", "id": 1}));
    // A panicking handler costs one 500, not the connection or the server.
    client.get("/panic");
    assert_eq!(client.answer().head.status, 500);
    client.get("/y");
    assert_eq!(client.answer().json(), json!({"method": "GET", "id": 1}));
}
