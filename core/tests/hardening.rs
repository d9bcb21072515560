//! Money-safety rules over real HTTP on 127.0.0.1 (docs/design.md, "Hardening rules"):
//! nothing a logger, an answer or an option does may make a redeem be sent twice, crash
//! the call, or report what did not happen.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use voucherkit_core::smartgift::{CheckRequest, RedeemRequest, SmartGift, SmartGiftConfig};
use voucherkit_core::spaaza::{GetVouchersRequest, RedeemVoucherRequest, Spaaza, SpaazaConfig};
use voucherkit_core::{ClientOptions, ErrorKind, RequestLog, Warning};
use voucherkit_sandbox::{Answer, Fault, ScriptedServer};

const KEY: &str = "sk_test_hardening_key_0001";

fn options(timeout_ms: u64) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_millis(timeout_ms),
        connect_timeout: Duration::from_millis(1000),
        ..ClientOptions::default()
    }
}

fn smartgift(url: &str, options: ClientOptions) -> SmartGift {
    SmartGift::new(SmartGiftConfig {
        base_url: Some(url.to_owned()),
        options,
        ..SmartGiftConfig::new(KEY)
    })
    .unwrap()
}

fn spaaza(url: &str, options: ClientOptions) -> Spaaza {
    Spaaza::new(SpaazaConfig {
        base_url: Some(url.to_owned()),
        options,
        ..SpaazaConfig::admin(1, "sess_hardening_0001")
    })
    .unwrap()
}

fn redeem() -> RedeemRequest {
    RedeemRequest::money("V1", 12, "10.00")
}

fn redeemed(id: u64) -> Answer {
    Answer::json(
        200,
        &json!({"data": {"message": "The voucher has been redeemed.", "redemptions": [id]}}),
    )
}

fn spaaza_redeem() -> RedeemVoucherRequest {
    RedeemVoucherRequest {
        chain_id: 2,
        voucher_id: Some(438595),
        ..Default::default()
    }
}

/// A port on which nothing listens.
fn refused_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// A logger that makes a voucherkit call of its own on every attempt it logs.
fn nested_caller(inner: Arc<SmartGift>) -> voucherkit_core::RequestLogger {
    Arc::new(move |_: &RequestLog| {
        let _ = inner.check(&CheckRequest::new("V9", 12));
    })
}

#[test]
fn a_logger_that_calls_voucherkit_cannot_make_a_sent_redeem_be_sent_again() {
    // The nested call fails before sending (nothing listens): under a shared "sent" flag
    // it would clear the outer attempt's, and the stalled redeem would be re-sent.
    let unreachable = Arc::new(smartgift(
        &refused_url(),
        ClientOptions {
            max_retries: 0,
            ..options(1000)
        },
    ));
    let server = ScriptedServer::start().unwrap();
    server.push_all([Answer::fault(Fault::Stall), redeemed(2), redeemed(3)]);
    let sg = smartgift(
        &server.url(),
        ClientOptions {
            logger: Some(nested_caller(Arc::clone(&unreachable))),
            ..options(400)
        },
    );
    let err = sg.redeem(&redeem()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");
    assert!(!err.retryable);
    assert_eq!(server.requests().len(), 1, "the redeem was sent once");

    let server = ScriptedServer::start().unwrap();
    server.push_all([Answer::fault(Fault::Reset), redeemed(2), redeemed(3)]);
    let sp = spaaza(
        &server.url(),
        ClientOptions {
            logger: Some(nested_caller(unreachable)),
            ..options(2000)
        },
    );
    let err = sp.redeem_voucher(&spaaza_redeem()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(server.requests().len(), 1, "the redeem was sent once");
}

#[test]
fn a_logger_that_calls_voucherkit_cannot_make_an_unsent_redeem_look_sent() {
    // The other way round: the nested call succeeds (its request leaves), the outer
    // redeem never connected. It is `network`, safe to retry, not `outcome_unknown`.
    let other = ScriptedServer::start().unwrap();
    for _ in 0..3 {
        other.push(Answer::json(200, &json!({"data": {"remaining_value": 1}})));
    }
    let inner = Arc::new(smartgift(&other.url(), options(2000)));
    let sg = smartgift(
        &refused_url(),
        ClientOptions {
            max_retries: 0,
            logger: Some(nested_caller(inner)),
            ..options(2000)
        },
    );
    let err = sg.redeem(&redeem()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err}");
    assert!(err.retryable);
    assert_eq!(other.requests().len(), 1, "the logger's own call went out");
}

#[test]
fn a_gateway_503_to_a_write_is_outcome_unknown_and_sent_once() {
    let gateway = || {
        Answer::text(
            503,
            "text/html",
            "<html><body>503 Service Unavailable</body></html>",
        )
        .with_header("Retry-After", "0")
    };
    let server = ScriptedServer::start().unwrap();
    server.push_all([gateway(), gateway(), gateway()]);
    let err = smartgift(&server.url(), options(3000))
        .redeem(&redeem())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(err.http_status, Some(503));
    assert_eq!(server.requests().len(), 1);

    let server = ScriptedServer::start().unwrap();
    server.push_all([gateway(), gateway(), gateway()]);
    let err = spaaza(&server.url(), options(3000))
        .redeem_voucher(&spaaza_redeem())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(server.requests().len(), 1);

    // The provider's own maintenance body is still retried, and so is a read.
    let server = ScriptedServer::start().unwrap();
    server.push(
        Answer::json(503, &json!({"message": "Service Unavailable"}))
            .with_header("Retry-After", "0"),
    );
    server.push(redeemed(7));
    let done = smartgift(&server.url(), options(3000))
        .redeem(&redeem())
        .unwrap();
    assert_eq!(done.redemptions, [7]);
    let server = ScriptedServer::start().unwrap();
    server.push(gateway());
    server.push(Answer::json(200, &json!({"data": {"remaining_value": 5}})));
    smartgift(&server.url(), options(3000))
        .check(&CheckRequest::new("V1", 12))
        .unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_stale_duplicate_answer_is_never_taken_for_the_next_one() {
    // Each answer is followed by a copy of itself on the same connection. The next
    // redeem must get its own ids: the connection holding the stale copy is closed.
    let server = ScriptedServer::start().unwrap();
    server.push(redeemed(101).with_fault(Fault::Duplicate));
    server.push(redeemed(202).with_fault(Fault::Duplicate));
    server.push(redeemed(303));
    let sg = smartgift(&server.url(), options(3000));
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(sg.redeem(&redeem()).unwrap().redemptions);
        // The copy arrives before the next request leaves (the case a client can
        // detect; docs/design.md says which one it cannot).
        std::thread::sleep(Duration::from_millis(120));
    }
    assert_eq!(ids, [vec![101], vec![202], vec![303]]);
    let connections: Vec<u64> = server.requests().iter().map(|r| r.connection_id).collect();
    assert_eq!(connections, [1, 2, 3], "each stale connection was dropped");
}

/// A raw server that answers every request with the same bytes written in one piece,
/// a complete answer and a stale second copy together: the copy lands in the client's
/// read buffer with the real one.
#[test]
fn a_duplicate_read_together_with_the_answer_is_dropped_too() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(Mutex::new(0u32));
    let seen = Arc::clone(&connections);
    std::thread::spawn(move || {
        for (id, stream) in (1u64..).zip(listener.incoming()) {
            let Ok(stream) = stream else { return };
            *seen.lock().unwrap() += 1;
            std::thread::spawn(move || serve_twice(stream, id));
        }
    });
    let sg = smartgift(&url, options(3000));
    for expected in 1..=3u64 {
        assert_eq!(sg.redeem(&redeem()).unwrap().redemptions, [expected]);
    }
    assert_eq!(*connections.lock().unwrap(), 3);
}

fn serve_twice(stream: TcpStream, id: u64) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let payload =
        json!({"data": {"message": "The voucher has been redeemed.", "redemptions": [id]}})
            .to_string();
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    );
    let mut stream = stream;
    let _ = stream.write_all(format!("{answer}{answer}").as_bytes());
    // Keep the connection open: only the client may decide not to reuse it.
    let mut sink = [0u8; 1024];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
}

#[test]
fn huge_retry_after_values_do_not_panic() {
    for status in [429, 503] {
        let server = ScriptedServer::start().unwrap();
        server.push(
            Answer::json(status, &json!({"message": "Too Many Attempts."}))
                .with_header("Retry-After", "18446744073709551615"),
        );
        let started = Instant::now();
        let err = smartgift(&server.url(), options(2000))
            .redeem(&redeem())
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(err.retryable, "{err}");
        assert_eq!(err.retry_after, Some(u64::MAX));
        assert_eq!(server.requests().len(), 1);
    }
}

#[test]
fn timeouts_outside_1ms_to_1h_are_invalid_requests_naming_the_field() {
    for (field, bad) in [
        ("timeout", Duration::MAX),
        ("timeout", Duration::from_secs(3601)),
        ("timeout", Duration::ZERO),
        ("connect_timeout", Duration::MAX),
        ("max_idle_age", Duration::MAX),
    ] {
        let mut o = ClientOptions::default();
        match field {
            "timeout" => o.timeout = bad,
            "connect_timeout" => o.connect_timeout = bad,
            _ => o.max_idle_age = bad,
        }
        let e = SmartGift::new(SmartGiftConfig {
            base_url: Some("http://127.0.0.1:1".into()),
            options: o.clone(),
            ..SmartGiftConfig::new(KEY)
        })
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some(field), "{e}");
        let e = Spaaza::new(SpaazaConfig {
            base_url: Some("http://127.0.0.1:1".into()),
            options: o,
            ..SpaazaConfig::admin(1, "k")
        })
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{e}");
    }
}

#[test]
fn a_refused_proxy_tunnel_is_network_and_retried() {
    for answer in [
        Answer::new(407).with_header("Proxy-Authenticate", "Basic realm=\"proxy\""),
        Answer::text(502, "text/html", "<h1>Bad Gateway</h1>"),
        Answer::fault(Fault::Close),
    ] {
        let proxy = ScriptedServer::start().unwrap();
        proxy.push_all([answer.clone(), answer.clone()]);
        let sg = SmartGift::new(SmartGiftConfig {
            base_url: Some("http://vouchers.example.com".into()),
            options: ClientOptions {
                proxy: Some(proxy.url()),
                allow_insecure_http: true,
                max_retries: 1,
                ..options(5000)
            },
            ..SmartGiftConfig::new(KEY)
        })
        .unwrap();
        let err = sg.redeem(&redeem()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Network, "{answer:?}: {err}");
        assert!(err.retryable);
        let reqs = proxy.requests();
        assert_eq!(reqs.len(), 2, "the tunnel was asked for again: {reqs:?}");
        assert!(reqs.iter().all(|r| r.method == "CONNECT"));
    }
}

#[test]
fn credentials_in_a_base_url_are_refused_without_being_echoed() {
    for url in [
        "ftp://u:SECRET@vouchers.example.com",
        "https://u:SECRET@h.example/x",
    ] {
        let e = SmartGift::new(SmartGiftConfig {
            base_url: Some(url.into()),
            ..SmartGiftConfig::new(KEY)
        })
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("base_url"));
        assert!(!e.message.contains("SECRET"), "{}", e.message);
        assert!(!e.to_json().to_string().contains("SECRET"));
    }
}

#[test]
fn an_oversized_request_head_is_refused_before_anything_is_sent() {
    let server = ScriptedServer::start().unwrap();
    let e = SmartGift::new(SmartGiftConfig {
        base_url: Some(server.url()),
        ..SmartGiftConfig::new("k".repeat(128 * 1024))
    })
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert_eq!(e.field.as_deref(), Some("api_key"));

    let sp = spaaza(&server.url(), options(2000));
    let e = sp
        .get_vouchers(&GetVouchersRequest {
            chain_id: 2,
            username: Some("u".repeat(200 * 1024)),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest, "{e}");
    assert_eq!(e.field.as_deref(), Some("username"));
    assert!(!e.retryable);
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[test]
fn switching_protocols_to_a_write_is_outcome_unknown() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::new(101).with_header("Upgrade", "websocket"));
    let err = smartgift(&server.url(), options(2000))
        .redeem(&redeem())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(err.http_status, Some(101));
    assert_eq!(server.requests().len(), 1);

    let server = ScriptedServer::start().unwrap();
    server.push(Answer::new(101).with_header("Upgrade", "websocket"));
    let err = smartgift(&server.url(), options(2000))
        .check(&CheckRequest::new("V1", 12))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidResponse, "{err}");
}

#[test]
fn smart_gift_rate_limits_wait_for_the_reset_time() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // No Retry-After: the reset time (2 s away) says when to come back.
    let server = ScriptedServer::start().unwrap();
    server.push(
        Answer::json(429, &json!({"message": "Too Many Attempts."}))
            .with_header("X-RateLimit-Reset", (now + 2).to_string()),
    );
    server.push(redeemed(5));
    let started = Instant::now();
    smartgift(&server.url(), options(5000))
        .redeem(&redeem())
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);

    // A reset past the deadline: not slept, one request, the wait reported.
    let server = ScriptedServer::start().unwrap();
    server.push(
        Answer::json(429, &json!({"message": "Too Many Attempts."}))
            .with_header("X-RateLimit-Reset", (now + 600).to_string()),
    );
    let started = Instant::now();
    let err = smartgift(&server.url(), options(5000))
        .redeem(&redeem())
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert!(
        err.retry_after.is_some_and(|s| (590..=600).contains(&s)),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_client_shared_by_16_threads_opens_at_most_16_connections() {
    let server = ScriptedServer::start().unwrap();
    let per_thread = 150;
    for i in 0..16 * per_thread {
        server.push(redeemed(i + 1));
    }
    let sg = Arc::new(smartgift(&server.url(), options(10_000)));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let sg = Arc::clone(&sg);
            std::thread::spawn(move || {
                for _ in 0..per_thread {
                    sg.redeem(&redeem()).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut ids: Vec<u64> = server.requests().iter().map(|r| r.connection_id).collect();
    assert_eq!(ids.len() as u64, 16 * per_thread);
    ids.sort_unstable();
    ids.dedup();
    assert!(ids.len() <= 16, "{} connections for 16 threads", ids.len());
}

#[test]
fn a_redeem_answered_ok_but_not_redeemed_reaches_the_warning_logger() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::json(
        200,
        &json!({"result": {"code": 1, "status": "ok"},
                "results": {"voucher_id": 438595, "voucher_status": "claimed"}}),
    ));
    let seen: Arc<Mutex<Vec<Warning>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let sp = spaaza(
        &server.url(),
        ClientOptions {
            warning_logger: Some(Arc::new(move |w: &Warning| {
                sink.lock().unwrap().push(w.clone())
            })),
            ..options(2000)
        },
    );
    let v = sp.redeem_voucher(&spaaza_redeem()).unwrap();
    assert_eq!(v.voucher_status.as_deref(), Some("claimed"));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].operation, "redeem-voucher");
    assert!(seen[0].message.contains("438595") && seen[0].message.contains("claimed"));
}
