//! Spaaza, emulated: redeem (whole or partial), unlock, unclaim, claim,
//! lock, and get-vouchers.
//!
//! Paths are Spaaza's own under `/spaaza` (a client's base URL is
//! `http://127.0.0.1:PORT/spaaza`):
//!
//! | path | methods | sessions |
//! |---|---|---|
//! | `/auth/redeem-voucher` | POST, PUT | admin, privileged |
//! | `/unlock-voucher` | POST, PUT | admin, privileged |
//! | `/unclaim-voucher`, `/claim-voucher` | POST, PUT | user, admin, privileged |
//! | `/lock-voucher` | PUT | user, admin, privileged |
//! | `/get-vouchers` | GET | admin, privileged |
//!
//! Parameters come as `application/x-www-form-urlencoded` or
//! `multipart/form-data` bodies (the query string is read too; the body
//! wins). Answers are JSON in Spaaza's envelope:
//! `{"result":{"code":1,"status":"ok"},"results":{…,"result_type":"<call>"}}`,
//! with vouchers in the seed pages' shapes: redeem-voucher's long form
//! (`regenerated_voucher`, `parent_voucher`, …, exactly the seed's field
//! names, order and nesting), the other calls' short form (the
//! unclaim-voucher seed's), get-vouchers items with `type`. A get-vouchers
//! item of a partly redeemed voucher also carries `regenerated_voucher`: the
//! new voucher's short form, as it is now (the emulator's own addition, so
//! that a journal's reconcile, which reads the voucher with get-vouchers
//! after a lost redeem answer, can tell the till where the remainder went).
//!
//! # Sessions
//!
//! - **admin**: `X-Spaaza-Session-User-Id` + `X-Spaaza-Session-Key` of one
//!   of a chain's `admins`; acts on that chain's vouchers.
//! - **user**: the same headers with an end-user's `session_key`, plus
//!   `X-Spaaza-MyPrice-App-Hostname` equal to the chain's `app_hostname`;
//!   acts on the user's own vouchers.
//! - **privileged**: `Authorization: Bearer <token>` of the chain's
//!   `privileged_tokens`, plus the app hostname.
//!
//! No or unknown session → `no_valid_session` (6, HTTP 401); a user or
//! privileged session without the chain's hostname → `no_myprice_app`
//! (269, HTTP 400); a session acting outside its chain or its rights →
//! `permission_denied_or_non_existent` (68, **HTTP 500**, as Spaaza sends it).
//!
//! # Errors
//!
//! `{"result":{"code":2,"status":"error"},"error":{"code":N,"name":…,"description":…}}`,
//! see [`errors`]. The names `voucher_not_found`, `voucher_expired`,
//! `voucher_already_redeemed`, `voucher_locked` and `invalid_amount` are what
//! voucherkit maps to its kinds; Spaaza does not publish the codes of most
//! of them, so those codes are the emulator's own.
//!
//! # Voucher life
//!
//! - `generated` → (claim) `claimed` → (redeem) `redeemed`; unclaim takes a
//!   claimed voucher back to `generated` and keeps its `user_id`, as the
//!   seed sample shows. Generated and claimed vouchers can both be redeemed
//!   (a regenerated voucher is `generated`).
//! - redeem-voucher without `amount` takes everything. With an `amount`
//!   below the value, the voucher becomes `redeemed` showing
//!   `voucher_amount` = `voucher_amount_redeemed` = `amount`, and a new
//!   voucher (next id, random 64-hex key, `generated`, the remainder, same
//!   campaign, expiry and user) is returned as `regenerated_voucher`; from
//!   then on get-vouchers lists the redeemed voucher with that
//!   `regenerated_voucher` too (short form) and the new one with
//!   `parent_voucher_id`. An `amount` above the value is `invalid_amount`.
//! - lock-voucher (basket vouchers only) ties a voucher to a
//!   `retailer_basket_code` for `voucher_lock_period` seconds of the
//!   emulated clock (no period: until unlocked or redeemed). While the lock
//!   is live, a lock from another basket code and every redeem get
//!   `voucher_locked`; the same basket code may lock again (renewing it).
//!   unlock-voucher clears the lock and the basket tie; a redeem clears
//!   them too. A user session cannot claim, unclaim or lock a locked voucher.
//!
//! The emulator is split by concern: `errors` (the error table), `request`
//! (sessions and parameters), `vouchers` (voucher state and the wire shapes
//! of a voucher) and `operations` (one function per call); this file routes.

pub mod errors;
mod operations;
mod request;
mod vouchers;

use serde_json::{Map, Value, json};

use super::{World, not_found};
use crate::http::{Answer, RecordedRequest};
use errors::*;
use operations::{claim_or_unclaim, list, lock, redeem, unlock};
use request::{Params, session};
use vouchers::{clear_lock, lock_is_live};

/// A refusal is an answer too; `?` sends it.
type Reply<T = Answer> = Result<T, Answer>;

/// The error body; `detail` replaces the standard description.
fn fail(e: SpaazaError, detail: Option<String>) -> Answer {
    Answer::json(
        e.http_status,
        &json!({
            "result": { "code": 2, "status": "error" },
            "error": {
                "code": e.code,
                "name": e.name,
                "description": detail.unwrap_or_else(|| e.description.to_string()),
            },
        }),
    )
}

fn deny() -> Answer {
    fail(PERMISSION_DENIED, None)
}

/// `{"result":{"code":1,"status":"ok"},"results":{…,"result_type":call}}`.
fn ok(mut results: Map<String, Value>, call: &str) -> Answer {
    results.insert("result_type".into(), call.into());
    Answer::json(
        200,
        &json!({ "result": { "code": 1, "status": "ok" }, "results": results }),
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Redeem,
    Unlock,
    Unclaim,
    Claim,
    Lock,
    List,
}

/// Answers one request under `/spaaza`; `path` is the rest (`/unlock-voucher`).
pub(crate) fn handle(world: &mut World, req: &RecordedRequest, path: &str) -> Answer {
    const WRITE: &[&str] = &["POST", "PUT"];
    let (op, methods): (Op, &[&str]) = match path {
        "/auth/redeem-voucher" => (Op::Redeem, WRITE),
        "/unlock-voucher" => (Op::Unlock, WRITE),
        "/unclaim-voucher" => (Op::Unclaim, WRITE),
        "/claim-voucher" => (Op::Claim, WRITE),
        "/lock-voucher" => (Op::Lock, &["PUT"]),
        "/get-vouchers" => (Op::List, &["GET"]),
        _ => return not_found(req),
    };
    if !methods.contains(&req.method.as_str()) {
        let allowed = methods.join(", ");
        return fail(
            METHOD_NOT_ALLOWED,
            Some(format!("{path} takes {allowed}, not {}", req.method)),
        )
        .with_header("Allow", allowed);
    }
    dispatch(world, req, op).unwrap_or_else(|refusal| refusal)
}

fn dispatch(world: &mut World, req: &RecordedRequest, op: Op) -> Reply {
    let now = world.clock.secs();
    // Locks whose period has run out are gone.
    for v in &mut world.data.spaaza.vouchers {
        if v.locked && !lock_is_live(v, now) {
            clear_lock(v);
        }
    }
    let session = session(&world.data.spaaza, req)?;
    let p = Params::of(req);
    match op {
        Op::Redeem => redeem(world, &session, &p, now),
        Op::Unlock => unlock(world, &session, &p, now),
        Op::Unclaim => claim_or_unclaim(world, &session, &p, now, false),
        Op::Claim => claim_or_unclaim(world, &session, &p, now, true),
        Op::Lock => lock(world, &session, &p, now),
        Op::List => list(world, &session, &p, now),
    }
}
