//! voucherkit-sandbox: a local stand-in for the Smart Gift and Spaaza APIs.
//!
//! Tests should not talk to real voucher providers: they cost money, change
//! state, and cannot be made to fail on demand. This crate runs a real
//! HTTP/1.1 server on `127.0.0.1` (an ephemeral port, so tests can run in
//! parallel) that a voucherkit client — or any HTTP client in any language —
//! can be pointed at.
//!
//! It has two modes on one server core ([`http::Server`]):
//!
//! - the **stateful emulator** ([`Sandbox`]): both providers with real
//!   state, for till scenarios, demos and users' own tests;
//! - **scripted mode** ([`ScriptedServer`]): serve queued answers verbatim,
//!   for the conformance corpus.
//!
//! # The stateful emulator
//!
//! [`Sandbox`] answers like Smart Gift (under `/smartgift`) and Spaaza
//! (under `/spaaza`) from a [`DataSet`] — the demo one, or your own JSON
//! file (format: `sandbox/DATA.md`). Balances go down, holds and locks
//! block other tills and expire with an injectable clock, Spaaza vouchers
//! move from generated to claimed to redeemed, and every error a provider
//! documents arises from that state with the provider's exact body.
//!
//! ```
//! use std::time::Duration;
//! use voucherkit_sandbox::{Fault, FaultRule, Sandbox};
//!
//! let sandbox = Sandbox::start()?;
//! println!("Smart Gift at {} with key {}", sandbox.smartgift_url(), sandbox.smartgift_key());
//! println!("Spaaza at {} as admin {}", sandbox.spaaza_url(), sandbox.spaaza_session_user_id());
//!
//! // Holds last five minutes of the sandbox's clock, not yours.
//! sandbox.advance_clock(Duration::from_secs(301));
//! // The next redeem happens, but its answer never arrives: the till must reconcile.
//! sandbox.inject(FaultRule::fault("/smartgift/redeem", Fault::Stall).processed().times(1));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Tests in other languages drive a running sandbox through `/__sandbox/`
//! control paths (faults, clock, reset, request log, state); see
//! [`emulator`].
//!
//! # Scripted mode
//!
//! [`ScriptedServer`] serves the [`Answer`]s you queue, in order, and records
//! every [`RecordedRequest`] so you can check what went over the wire:
//!
//! ```
//! use std::io::{BufRead, BufReader, Write};
//! use std::net::TcpStream;
//! use voucherkit_sandbox::{Answer, ScriptedServer};
//!
//! let server = ScriptedServer::start()?;
//! server.push(Answer::json(404, &serde_json::json!({ "error": "Sorry, that voucher number is invalid." })));
//!
//! // Point your client at `server.url()`; here, raw HTTP.
//! let mut client = TcpStream::connect(("127.0.0.1", server.port()))?;
//! client.write_all(b"GET /api/voucher/123?site=7 HTTP/1.1\r\nHost: x\r\nX-Api-Key: k\r\n\r\n")?;
//! let mut status_line = String::new();
//! BufReader::new(client).read_line(&mut status_line)?;
//! assert_eq!(status_line, "HTTP/1.1 404 Not Found\r\n");
//!
//! let request = &server.requests()[0];
//! assert_eq!(request.method, "GET");
//! assert_eq!(request.path, "/api/voucher/123?site=7");
//! assert_eq!(request.header("x-api-key"), Some("k"));
//! assert_eq!(request.query(), [("site".to_string(), "7".to_string())]);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The conformance corpus stores answers as JSON; [`Answer::from_json`] reads
//! them, and the server's `/__sandbox/` control paths let tests written in
//! Python, Node or C queue answers and read the log over HTTP (see
//! [`scripted`]).
//!
//! # Faults
//!
//! An answer can carry a [`Fault`] that really happens on the socket: a
//! delay, a connection that never answers, a reset in the middle of the
//! headers, a body cut short, a close without a byte, or a body far over a
//! size cap. That is how the clients' timeout, retry and `outcome_unknown`
//! handling is tested.
//!
//! ```
//! use std::time::Duration;
//! use voucherkit_sandbox::{Answer, Fault, ScriptedServer};
//!
//! let server = ScriptedServer::start()?;
//! server.push(Answer::text(502, "text/html", "<html>Bad Gateway</html>"));
//! server.push(Answer::new(429).with_header("Retry-After", "2"));
//! server.push(Answer::fault(Fault::Delay(Duration::from_millis(50))));
//! server.push(Answer::fault(Fault::Reset));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Writing another mode
//!
//! [`http::Server`] is the transport alone: it calls an [`http::Handler`] for
//! each request on the connection's thread. The scripted mode is one
//! handler; a stateful emulator is another.

mod dashboard;
pub mod emulator;
pub mod http;
pub mod scripted;

pub use emulator::{
    Chain, ChainAdmin, ChainUser, ChainVoucher, ChainVoucherStatus, Company, DataSet, FaultRule,
    GiftExperience, GiftVoucher, GiftVoucherType, Hold, JournalLister, Redemption, Sandbox,
    SandboxOptions, SmartGiftData, SpaazaData,
};
pub use http::{Answer, Fault, RecordedRequest};
pub use scripted::ScriptedServer;
