//! Transport rules over real HTTP (the scripted sandbox on 127.0.0.1): connection reuse,
//! the one deadline, what is and is not retried, body caps, proxies, redaction.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, RedeemRequest, SmartGift, SmartGiftConfig,
};
use voucherkit_core::spaaza::{Spaaza, SpaazaAuth, SpaazaConfig, UnlockVoucherRequest};
use voucherkit_core::{ClientOptions, ErrorKind, RequestLog};
use voucherkit_sandbox::{Answer, Fault, ScriptedServer};

const KEY: &str = "sk_test_secret_key_abcdef123456";
const SESSION: &str = "sess_secret_session_key_987654";
const TOKEN: &str = "bearer_secret_token_zyxwvu111";

fn options(timeout_ms: u64) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_millis(timeout_ms),
        connect_timeout: Duration::from_millis(1000),
        ..ClientOptions::default()
    }
}

fn smartgift(url: &str, options: ClientOptions) -> SmartGift {
    SmartGift::new(SmartGiftConfig {
        journal: None,
        api_key: KEY.into(),
        base_url: Some(url.to_owned()),
        options,
    })
    .unwrap()
}

fn redeem() -> RedeemRequest {
    RedeemRequest::money("V1", 12, "10.00")
}

fn redeemed() -> Answer {
    Answer::json(
        200,
        &serde_json::json!({"data": {"message": "The voucher has been redeemed.", "redemptions": [1]}}),
    )
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

#[test]
fn connections_are_reused_across_calls() {
    let server = ScriptedServer::start().unwrap();
    server.push_all([redeemed(), redeemed(), redeemed()]);
    let sg = smartgift(&server.url(), options(5000));
    for _ in 0..3 {
        sg.redeem(&redeem()).unwrap();
    }
    let ids: Vec<u64> = server.requests().iter().map(|r| r.connection_id).collect();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter().all(|&id| id == ids[0]),
        "one connection: {ids:?}"
    );
}

#[test]
fn a_stalled_redeem_is_sent_once_and_is_outcome_unknown() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::fault(Fault::Stall));
    server.push(redeemed());
    let sg = smartgift(&server.url(), options(400));
    let started = Instant::now();
    let err = sg.redeem(&redeem()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");
    assert!(!err.retryable);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.requests().len(), 1, "never re-sent");
}

#[test]
fn a_stalled_check_is_network_and_retryable() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::fault(Fault::Stall));
    let sg = smartgift(&server.url(), options(400));
    let err = sg.check(&CheckRequest::new("V1", 12)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network);
    assert!(err.retryable);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_refused_connection_is_network_retried_within_bounds() {
    let sg = smartgift(&refused_url(), options(5000));
    let started = Instant::now();
    let err = sg.redeem(&redeem()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err}");
    assert!(err.retryable);
    assert_eq!(err.http_status, None);
    // Two backoffs (200 ms + 400 ms) were slept: the request was retried, boundedly.
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(550), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn max_retries_zero_makes_one_attempt() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::new(429).with_header("Retry-After", "0"));
    let sg = smartgift(
        &server.url(),
        ClientOptions {
            max_retries: 0,
            ..options(5000)
        },
    );
    let err = sg.redeem(&redeem()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.retry_after, Some(0));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn retry_after_is_honoured_then_the_call_succeeds() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::new(429).with_header("Retry-After", "1"));
    server.push(redeemed());
    let sg = smartgift(&server.url(), options(5000));
    let started = Instant::now();
    sg.redeem(&redeem()).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_retry_after_past_the_deadline_fails_at_once() {
    let server = ScriptedServer::start().unwrap();
    // Smart Gift's own maintenance body: a gateway's page would be outcome_unknown.
    server.push(
        Answer::json(503, &serde_json::json!({"message": "Service Unavailable"}))
            .with_header("Retry-After", "30"),
    );
    let sg = smartgift(&server.url(), options(2000));
    let started = Instant::now();
    let err = sg.redeem(&redeem()).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1000));
    assert_eq!(err.kind, ErrorKind::ProviderError);
    assert_eq!(err.retry_after, Some(30));
    assert!(err.retryable);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_deadline_covers_the_whole_call() {
    let server = ScriptedServer::start().unwrap();
    // Each answer is slow but inside a per-attempt timeout; the sum is not.
    for _ in 0..3 {
        server.push(
            Answer::new(503)
                .with_header("Retry-After", "0")
                .with_fault(Fault::Delay(Duration::from_millis(300))),
        );
    }
    let sg = smartgift(&server.url(), options(700));
    let started = Instant::now();
    let err = sg.check(&CheckRequest::new("V1", 12)).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(err.kind, ErrorKind::Network | ErrorKind::ProviderError),
        "{err}"
    );
}

#[test]
fn oversize_bodies_are_not_read() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::new(200).with_fault(Fault::Oversize(2 * 1024 * 1024)));
    server.push(Answer::new(200).with_fault(Fault::Oversize(2 * 1024 * 1024)));
    let sg = smartgift(&server.url(), options(5000));
    assert_eq!(
        sg.redeem(&redeem()).unwrap_err().kind,
        ErrorKind::OutcomeUnknown
    );
    assert_eq!(
        sg.check(&CheckRequest::new("V1", 12)).unwrap_err().kind,
        ErrorKind::InvalidResponse
    );
}

#[test]
fn redirects_are_never_followed() {
    let server = ScriptedServer::start().unwrap();
    let elsewhere = ScriptedServer::start().unwrap();
    server.push(Answer::new(307).with_header("Location", format!("{}/redeem", elsewhere.url())));
    let sg = smartgift(&server.url(), options(5000));
    let err = sg.redeem(&redeem()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidResponse);
    assert_eq!(err.http_status, Some(307));
    assert!(elsewhere.requests().is_empty(), "the key must not travel");
}

#[test]
fn every_request_names_voucherkit_and_the_binding() {
    let server = ScriptedServer::start().unwrap();
    server.push(redeemed());
    let sg = smartgift(
        &server.url(),
        ClientOptions {
            binding: "python".into(),
            language_version: "3.11.7".into(),
            ..options(5000)
        },
    );
    sg.redeem(&redeem()).unwrap();
    let req = &server.requests()[0];
    let ua = format!("voucherkit/{} (python; 3.11.7)", voucherkit_core::VERSION);
    assert_eq!(req.header("user-agent"), Some(ua.as_str()));
    assert_eq!(sg.user_agent(), ua);
    // Compact JSON, one body, the caller's digits.
    assert_eq!(
        String::from_utf8_lossy(&req.body),
        r#"{"voucher_no":"V1","site_id":"12","value":10.00}"#
    );
}

#[test]
fn the_request_logger_sees_every_attempt_without_secrets() {
    let server = ScriptedServer::start().unwrap();
    server.push(
        Answer::new(429)
            .with_header("Retry-After", "0")
            .with_header("X-RateLimit-Limit", "60")
            .with_header("X-RateLimit-Remaining", "0"),
    );
    server.push(redeemed().with_header("X-RateLimit-Remaining", "59"));
    let seen: Arc<Mutex<Vec<RequestLog>>> = Arc::default();
    let sink = seen.clone();
    let sg = smartgift(
        &server.url(),
        ClientOptions {
            logger: Some(Arc::new(move |entry: &RequestLog| {
                sink.lock().unwrap().push(entry.clone())
            })),
            ..options(5000)
        },
    );
    sg.redeem(&redeem()).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[0].status, seen[0].attempt), (Some(429), 1));
    assert_eq!((seen[1].status, seen[1].attempt), (Some(200), 2));
    assert_eq!(seen[1].method, "POST");
    assert_eq!(seen[1].path, "/redeem");
    assert_eq!(
        (seen[0].rate_limit_remaining, seen[0].rate_limit_limit),
        (Some(0), Some(60))
    );
    assert_eq!(
        (seen[1].rate_limit_remaining, seen[1].rate_limit_limit),
        (Some(59), None)
    );
    assert!(!format!("{seen:?}").contains(KEY));
}

#[test]
fn no_secret_appears_in_debug_or_display() {
    let server = ScriptedServer::start().unwrap();
    server.push(Answer::json(
        401,
        &serde_json::json!({"message": "Unauthenticated."}),
    ));
    let sg = smartgift(&server.url(), options(5000));
    let err = sg
        .hold(&HoldRequest {
            voucher_no: "V1".into(),
        })
        .unwrap_err();
    let config = SmartGiftConfig::new(KEY);
    let sp_config = SpaazaConfig {
        bearer_token: Some(TOKEN.into()),
        ..SpaazaConfig::admin(1, SESSION)
    };
    let sp = Spaaza::new(SpaazaConfig {
        base_url: Some(server.url()),
        ..sp_config.clone()
    })
    .unwrap();
    let privileged = Spaaza::new(SpaazaConfig {
        auth: SpaazaAuth::Privileged,
        app_hostname: Some("acme.spaaza.com".into()),
        base_url: Some(server.url()),
        ..sp_config.clone()
    })
    .unwrap();
    server.push(Answer::new(502));
    let sp_err = sp
        .unlock_voucher(&UnlockVoucherRequest {
            voucher_key: Some("k".into()),
            voucher_id: None,
        })
        .unwrap_err();
    let printed = [
        format!("{sg:?}"),
        format!("{config:?}"),
        format!("{sp_config:?}"),
        format!("{sp:?}"),
        format!("{privileged:?}"),
        format!("{err:?} {err} {}", err.to_json()),
        format!("{sp_err:?} {sp_err} {}", sp_err.to_json()),
    ]
    .join("\n");
    for secret in [KEY, SESSION, TOKEN] {
        assert!(!printed.contains(secret), "{secret} leaked:\n{printed}");
        // Not even a long piece of it.
        assert!(
            !printed.contains(&secret[..12]),
            "{secret} leaked:\n{printed}"
        );
    }
    assert!(printed.contains("…3456"), "redacted form shown: {printed}");
}

#[test]
fn plain_http_off_loopback_is_refused_before_anything_is_sent() {
    let err = SmartGift::new(SmartGiftConfig {
        base_url: Some("http://vouchers.example.com".into()),
        ..SmartGiftConfig::new(KEY)
    })
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidRequest);
    assert_eq!(err.field.as_deref(), Some("base_url"));
}

#[test]
fn an_http_proxy_carries_the_request() {
    // The scripted server plays the proxy: the client opens a CONNECT tunnel to the
    // provider's host through it, then sends the request inside the tunnel.
    let proxy = ScriptedServer::start().unwrap();
    proxy.push(Answer::new(200)); // the CONNECT tunnel is open
    proxy.push(redeemed());
    let sg = SmartGift::new(SmartGiftConfig {
        base_url: Some("http://vouchers.example.com".into()),
        options: ClientOptions {
            proxy: Some(proxy.url()),
            allow_insecure_http: true,
            ..options(3000)
        },
        ..SmartGiftConfig::new(KEY)
    })
    .unwrap();
    sg.redeem(&redeem()).unwrap();
    let reqs = proxy.requests();
    assert_eq!(
        reqs.len(),
        2,
        "the proxy received the tunnel and the request"
    );
    assert_eq!(reqs[0].method, "CONNECT");
    assert_eq!(reqs[0].path, "vouchers.example.com:80");
    assert_eq!(
        (reqs[1].method.as_str(), reqs[1].path.as_str()),
        ("POST", "/redeem")
    );
    assert_eq!(reqs[1].header("smart-auth"), Some(KEY));
}

#[test]
fn ca_bundles_are_checked_when_the_client_is_built() {
    let dir = std::env::temp_dir().join(format!("vk-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let build = |path: &std::path::Path| {
        SmartGift::new(SmartGiftConfig {
            options: ClientOptions {
                ca_bundle: Some(path.to_owned()),
                ..ClientOptions::default()
            },
            ..SmartGiftConfig::new(KEY)
        })
    };
    let missing = build(&dir.join("missing.pem")).unwrap_err();
    assert_eq!(missing.field.as_deref(), Some("ca_bundle"));
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "no certificates here\n").unwrap();
    assert_eq!(
        build(&empty).unwrap_err().field.as_deref(),
        Some("ca_bundle")
    );
    // A real CA certificate (ISRG Root X1, taken from the webpki roots) is accepted.
    let der = webpki_root_der();
    let pem = pem_encode(&der);
    let good = dir.join("good.pem");
    std::fs::write(&good, pem).unwrap();
    assert!(build(&good).is_ok());
    std::fs::remove_dir_all(&dir).ok();
}

fn webpki_root_der() -> Vec<u8> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS[0]
        .as_ref()
        .to_vec()
}

fn pem_encode(der: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

#[test]
fn a_connection_the_server_quietly_closed_is_not_reused() {
    // A keep-alive answer, then the server drops the idle connection without a word:
    // the next call must see it closed and open a new one, rather than write into the
    // dead one (which would end as a false outcome_unknown).
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let body = r#"{"data":{"message":"ok","redemptions":[1]}}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        for _ in 0..2 {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            reader.read_exact(&mut vec![0; length]).unwrap();
            (&stream).write_all(answer.as_bytes()).unwrap();
            drop(reader);
            drop(stream); // closes quietly
        }
    });
    let sg = smartgift(&url, options(3000));
    sg.redeem(&redeem()).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    sg.redeem(&redeem())
        .expect("a new connection carries the second redeem");
    server.join().unwrap();
}

#[test]
fn socks_proxies_are_refused_rather_than_bypassed() {
    let err = SmartGift::new(SmartGiftConfig {
        options: ClientOptions {
            proxy: Some("socks5://127.0.0.1:1080".into()),
            ..ClientOptions::default()
        },
        ..SmartGiftConfig::new(KEY)
    })
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("proxy"));
}

/// Run in a child process by `a_socks_proxy_from_the_environment_is_refused_by_name` (the
/// environment is process-wide: setting it here would race the other tests).
#[test]
fn env_socks_child() {
    if std::env::var_os("VK_ENV_SOCKS_CHILD").is_none() {
        return;
    }
    let err = SmartGift::new(SmartGiftConfig {
        base_url: Some("https://smartgift.example".into()),
        ..SmartGiftConfig::new(KEY)
    })
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("proxy"));
    assert!(err.message.contains("ALL_PROXY"), "{}", err.message);
    // A loopback base URL ignores environment proxies, so the sandbox keeps working.
    SmartGift::new(SmartGiftConfig {
        base_url: Some("http://127.0.0.1:9".into()),
        ..SmartGiftConfig::new(KEY)
    })
    .expect("loopback ignores ALL_PROXY");
}

#[test]
fn a_socks_proxy_from_the_environment_is_refused_by_name() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "env_socks_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("VK_ENV_SOCKS_CHILD", "1")
        .env("ALL_PROXY", "socks5://127.0.0.1:1080")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("1 passed"), "{text}");
}

#[test]
fn app_info_rides_on_the_user_agent_and_is_checked_first() {
    let server = ScriptedServer::start().unwrap();
    server.push(redeemed());
    let sg = smartgift(
        &server.url(),
        ClientOptions {
            app_info: Some(voucherkit_core::AppInfo {
                name: "CornerTill".into(),
                version: Some("4.2.0".into()),
                url: Some("https://till.example".into()),
            }),
            ..options(5000)
        },
    );
    sg.redeem(&redeem()).unwrap();
    let ua = server.requests()[0]
        .header("user-agent")
        .unwrap()
        .to_owned();
    assert!(
        ua.starts_with(&format!("voucherkit/{} (rust)", voucherkit_core::VERSION)),
        "{ua}"
    );
    assert!(
        ua.ends_with(" CornerTill/4.2.0 (https://till.example)"),
        "{ua}"
    );

    let e = SmartGift::new(SmartGiftConfig {
        base_url: Some(server.url()),
        options: ClientOptions {
            app_info: Some(voucherkit_core::AppInfo {
                name: "Till\r\nX-Injected: 1".into(),
                ..Default::default()
            }),
            ..ClientOptions::default()
        },
        ..SmartGiftConfig::new(KEY)
    })
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("app_info"));
    assert_eq!(server.requests().len(), 1, "nothing more was sent");
}
