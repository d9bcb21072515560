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

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::clock::{self, format_plain, format_rfc3339};
use super::data::{Chain, ChainVoucher, ChainVoucherStatus, SpaazaData, decimal_from};
use super::{HEX, World, not_found, number};
use crate::http::{Answer, RecordedRequest, decode_form};

/// Spaaza error names with their codes and HTTP statuses.
pub mod errors {
    /// One kind of Spaaza error answer.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct SpaazaError {
        pub http_status: u16,
        pub code: i64,
        pub name: &'static str,
        pub description: &'static str,
    }

    const fn e(
        http_status: u16,
        code: i64,
        name: &'static str,
        description: &'static str,
    ) -> SpaazaError {
        SpaazaError {
            http_status,
            code,
            name,
            description,
        }
    }

    // Documented by Spaaza (code, name and status).
    pub const NO_VALID_SESSION: SpaazaError =
        e(401, 6, "no_valid_session", "No valid session was found");
    pub const NO_MYPRICE_APP: SpaazaError = e(
        400,
        269,
        "no_myprice_app",
        "No MyPrice app was found for this hostname",
    );
    pub const PERMISSION_DENIED: SpaazaError = e(
        500,
        68,
        "permission_denied_or_non_existent",
        "Permission denied or the entity does not exist",
    );
    pub const VOUCHER_NOT_FOUND: SpaazaError = e(
        400,
        183,
        "voucher_not_found",
        "The voucher could not be found",
    );

    // The names voucherkit maps; the codes are the emulator's own.
    pub const VOUCHER_EXPIRED: SpaazaError =
        e(400, 184, "voucher_expired", "The voucher has expired");
    pub const VOUCHER_ALREADY_REDEEMED: SpaazaError = e(
        400,
        185,
        "voucher_already_redeemed",
        "The voucher has already been redeemed",
    );
    pub const VOUCHER_LOCKED: SpaazaError = e(
        400,
        186,
        "voucher_locked",
        "The voucher is locked to another basket",
    );
    pub const INVALID_AMOUNT: SpaazaError = e(
        400,
        187,
        "invalid_amount",
        "The amount is not valid for this voucher",
    );

    // The emulator's own, for states Spaaza's pages leave undescribed.
    pub const VOUCHER_NOT_CLAIMED: SpaazaError = e(
        400,
        188,
        "voucher_not_claimed",
        "The voucher is not claimed",
    );
    pub const VOUCHER_ALREADY_CLAIMED: SpaazaError = e(
        400,
        189,
        "voucher_already_claimed",
        "The voucher has already been claimed",
    );
    pub const VOUCHER_NOT_LOCKABLE: SpaazaError = e(
        400,
        190,
        "voucher_type_not_lockable",
        "Only basket vouchers can be locked",
    );
    pub const MISSING_PARAMETER: SpaazaError = e(
        400,
        15,
        "missing_parameter",
        "A mandatory parameter is missing",
    );
    pub const INVALID_PARAMETER: SpaazaError = e(
        400,
        16,
        "invalid_parameter",
        "A parameter has an invalid value",
    );
    pub const METHOD_NOT_ALLOWED: SpaazaError = e(
        405,
        17,
        "method_not_allowed",
        "This call does not take this HTTP method",
    );
}
use errors::*;

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

// ---- sessions ------------------------------------------------------------

/// Who is calling.
enum Session {
    /// An admin of these chains.
    Admin(Vec<i64>),
    /// An end-user of a chain.
    User {
        chain: i64,
        user_id: i64,
    },
    Privileged(i64),
}

impl Session {
    fn covers(&self, chain: i64) -> bool {
        match self {
            Session::Admin(chains) => chains.contains(&chain),
            Session::User { chain: c, .. } | Session::Privileged(c) => *c == chain,
        }
    }

    fn user(&self) -> Option<i64> {
        match self {
            Session::User { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }
}

fn session(sp: &SpaazaData, req: &RecordedRequest) -> Reply<Session> {
    let host = req
        .header("x-spaaza-myprice-app-hostname")
        .map(str::trim)
        .filter(|h| !h.is_empty());
    let chain_of_host = |host: Option<&str>| -> Reply<&Chain> {
        let host = host.ok_or_else(|| fail(NO_MYPRICE_APP, None))?;
        sp.chains
            .iter()
            .find(|c| c.app_hostname.eq_ignore_ascii_case(host))
            .ok_or_else(|| fail(NO_MYPRICE_APP, None))
    };

    if let Some(token) = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
    {
        let chain = chain_of_host(host)?;
        return if chain.privileged_tokens.iter().any(|t| t == token.trim()) {
            Ok(Session::Privileged(chain.id))
        } else {
            Err(fail(NO_VALID_SESSION, None))
        };
    }

    let user_id = req
        .header("x-spaaza-session-user-id")
        .and_then(|u| u.trim().parse::<i64>().ok());
    let key = req.header("x-spaaza-session-key").map(str::trim);
    let (Some(user_id), Some(key)) = (user_id, key) else {
        return Err(fail(NO_VALID_SESSION, None));
    };
    let admin_of: Vec<i64> = sp
        .chains
        .iter()
        .filter(|c| {
            c.admins
                .iter()
                .any(|a| a.user_id == user_id && a.session_key == key)
        })
        .map(|c| c.id)
        .collect();
    if !admin_of.is_empty() {
        return Ok(Session::Admin(admin_of));
    }
    let user_of: Vec<&Chain> = sp
        .chains
        .iter()
        .filter(|c| {
            c.users
                .iter()
                .any(|u| u.user_id == user_id && u.session_key.as_deref() == Some(key))
        })
        .collect();
    if user_of.is_empty() {
        return Err(fail(NO_VALID_SESSION, None));
    }
    let chain = chain_of_host(host)?;
    if user_of.iter().any(|c| c.id == chain.id) {
        Ok(Session::User {
            chain: chain.id,
            user_id,
        })
    } else {
        Err(fail(NO_MYPRICE_APP, None))
    }
}

// ---- parameters ----------------------------------------------------------

/// The request's parameters: body fields first, then the query string.
struct Params(Vec<(String, String)>);

impl Params {
    fn of(req: &RecordedRequest) -> Params {
        let content_type = req.header("content-type").unwrap_or("");
        let mut pairs = match multipart_boundary(content_type) {
            Some(boundary) => multipart(&req.body, &boundary),
            None => decode_form(&req.body),
        };
        pairs.extend(req.query());
        Params(pairs)
    }

    /// The first non-empty value of `name`.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    fn int(&self, name: &str) -> Reply<Option<i64>> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    fail(
                        INVALID_PARAMETER,
                        Some(format!("{name} must be an integer, got {v:?}")),
                    )
                })
            })
            .transpose()
    }

    fn required_int(&self, name: &str) -> Reply<i64> {
        self.int(name)?.ok_or_else(|| missing(name))
    }

    fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }
}

fn missing(name: &str) -> Answer {
    fail(MISSING_PARAMETER, Some(format!("{name} is mandatory")))
}

fn multipart_boundary(content_type: &str) -> Option<String> {
    let (kind, rest) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    rest.split(';').find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The text fields of a `multipart/form-data` body (enough for these calls).
fn multipart(body: &[u8], boundary: &str) -> Vec<(String, String)> {
    let body = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    body.split(delimiter.as_str())
        .skip(1)
        .take_while(|part| !part.starts_with("--"))
        .filter_map(|part| {
            let part = part.strip_prefix("\r\n").unwrap_or(part);
            let (head, value) = part.split_once("\r\n\r\n")?;
            let name = head.lines().find_map(|line| {
                let (header, rest) = line.split_once(':')?;
                if !header.trim().eq_ignore_ascii_case("content-disposition") {
                    return None;
                }
                let start = rest.find("name=\"")? + 6;
                let len = rest[start..].find('"')?;
                Some(rest[start..start + len].to_string())
            })?;
            let value = value.strip_suffix("\r\n").unwrap_or(value);
            Some((name, value.to_string()))
        })
        .collect()
}

// ---- vouchers ------------------------------------------------------------

/// By `voucher_key` (which wins), else `voucher_id`, else (claim and
/// unclaim) `third_party_id`.
fn find(sp: &SpaazaData, p: &Params, third_party: bool) -> Reply<usize> {
    let not_found = || fail(VOUCHER_NOT_FOUND, None);
    if let Some(key) = p.get("voucher_key") {
        return sp
            .vouchers
            .iter()
            .position(|v| v.voucher_key == key)
            .ok_or_else(not_found);
    }
    if let Some(id) = p.int("voucher_id")? {
        return sp
            .vouchers
            .iter()
            .position(|v| v.voucher_id == id)
            .ok_or_else(not_found);
    }
    if third_party && let Some(id) = p.int("third_party_id")? {
        return sp
            .vouchers
            .iter()
            .position(|v| v.third_party_id == Some(id))
            .ok_or_else(not_found);
    }
    Err(missing(if third_party {
        "voucher_key, voucher_id or third_party_id"
    } else {
        "voucher_key or voucher_id"
    }))
}

fn expiry(v: &ChainVoucher) -> i64 {
    clock::parse(&v.expiry).unwrap_or(i64::MAX)
}

fn is_expired(v: &ChainVoucher, now: i64) -> bool {
    expiry(v) <= now
}

fn lock_is_live(v: &ChainVoucher, now: i64) -> bool {
    v.locked
        && v.locked_until
            .as_deref()
            .is_none_or(|t| clock::parse(t).is_ok_and(|t| t > now))
}

fn clear_lock(v: &mut ChainVoucher) {
    v.locked = false;
    v.locked_until = None;
    v.locking_code = None;
    v.retailer_basket_code = None;
}

/// The shared state checks, in order: redeemed, expired.
fn not_spent(v: &ChainVoucher, now: i64) -> Reply<()> {
    if v.status == ChainVoucherStatus::Redeemed {
        return Err(fail(VOUCHER_ALREADY_REDEEMED, None));
    }
    if is_expired(v, now) {
        return Err(fail(VOUCHER_EXPIRED, None));
    }
    Ok(())
}

/// `{"type":"custom","code":<member number>}`, or `regular` with the user id.
fn entity_card(sp: &SpaazaData, v: &ChainVoucher) -> Value {
    let Some(user_id) = v.user_id else {
        return Value::Null;
    };
    let member = sp
        .chains
        .iter()
        .filter(|c| c.id == v.chain_id)
        .flat_map(|c| &c.users)
        .find(|u| u.user_id == user_id)
        .and_then(|u| u.member_number.clone());
    match member {
        Some(code) => json!({ "type": "custom", "code": code }),
        None => json!({ "type": "regular", "code": user_id.to_string() }),
    }
}

fn amount_redeemed(v: &ChainVoucher) -> Decimal {
    v.amount_redeemed.unwrap_or(match v.status {
        ChainVoucherStatus::Redeemed => v.amount,
        _ => Decimal::ZERO,
    })
}

fn opt_text(s: &Option<String>) -> Value {
    s.as_deref().map_or(Value::Null, Value::from)
}

/// The lock fields, after `voucher_locked`, while a lock is live.
fn insert_lock(out: &mut Map<String, Value>, v: &ChainVoucher, now: i64) {
    let live = lock_is_live(v, now);
    out.insert("voucher_locked".into(), live.into());
    if live {
        out.insert("voucher_locked_until".into(), opt_text(&v.locked_until));
        out.insert("voucher_locking_code".into(), opt_text(&v.locking_code));
        out.insert(
            "voucher_retailer_basket_code_exclusive".into(),
            opt_text(&v.retailer_basket_code),
        );
    }
}

/// The short voucher form (the unclaim and unlock seeds), without `result_type`.
fn short(sp: &SpaazaData, v: &ChainVoucher, now: i64) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("voucher_key".into(), v.voucher_key.clone().into());
    out.insert("voucher_id".into(), v.voucher_id.into());
    out.insert("voucher_status".into(), v.status.as_str().into());
    insert_lock(&mut out, v, now);
    out.insert("campaign_id".into(), v.campaign_id.into());
    out.insert("campaign_type".into(), v.campaign_type.clone().into());
    out.insert("campaign_title".into(), v.campaign_title.clone().into());
    insert_expiry(&mut out, v, now);
    insert_amounts(&mut out, v);
    out.insert("voucher_text".into(), opt_text(&v.text));
    if let Some(id) = v.third_party_id {
        out.insert("voucher_third_party_id".into(), id.into());
    }
    out.insert("user_id".into(), v.user_id.into());
    out.insert("user_entity_card".into(), entity_card(sp, v));
    out
}

fn insert_expiry(out: &mut Map<String, Value>, v: &ChainVoucher, now: i64) {
    out.insert(
        "voucher_expiry_datetime_utc".into(),
        v.expiry.clone().into(),
    );
    out.insert(
        "voucher_expiry_seconds_remaining".into(),
        (expiry(v) - now).max(0).into(),
    );
}

fn insert_amounts(out: &mut Map<String, Value>, v: &ChainVoucher) {
    out.insert("voucher_currency_id".into(), v.currency_id.into());
    out.insert(
        "voucher_currency_symbol".into(),
        v.currency_symbol.clone().into(),
    );
    out.insert(
        "voucher_amount_original".into(),
        number(v.amount_original.unwrap_or(v.amount)),
    );
    out.insert("voucher_amount_redeemed".into(), number(amount_redeemed(v)));
    out.insert("voucher_amount".into(), number(v.amount));
}

fn created(v: &ChainVoucher, world: &World) -> Value {
    v.created
        .clone()
        .unwrap_or_else(|| format_rfc3339(world.clock.started()))
        .into()
}

/// The summary a regenerated voucher shows of its parent (seed shape).
fn parent_summary(sp: &SpaazaData, v: &ChainVoucher) -> Value {
    let Some(parent) = v
        .parent_voucher_id
        .and_then(|id| sp.vouchers.iter().find(|p| p.voucher_id == id))
    else {
        return Value::Null;
    };
    json!({
        "voucher_id": parent.voucher_id,
        "voucher_key": parent.voucher_key,
        "voucher_redeemed_datetime": opt_text(&parent.redeemed_at),
        "voucher_amount_original": number(parent.amount_original.unwrap_or(parent.amount)),
        "voucher_amount_redeemed": number(amount_redeemed(parent)),
        "voucher_amount": number(parent.amount_original.unwrap_or(parent.amount)),
        "redeeming_basket": [],
    })
}

/// The long form of redeem-voucher's seed, field for field. `top` adds the
/// fields only the top-level voucher carries there (task, user, regenerated).
fn long(world: &World, v: &ChainVoucher, now: i64, top: bool) -> Map<String, Value> {
    let sp = &world.data.spaaza;
    let mut out = Map::new();
    out.insert("voucher_key".into(), v.voucher_key.clone().into());
    out.insert("voucher_id".into(), v.voucher_id.into());
    out.insert("voucher_created_datetime".into(), created(v, world));
    out.insert("voucher_type".into(), v.voucher_type.clone().into());
    out.insert("voucher_status".into(), v.status.as_str().into());
    insert_lock(&mut out, v, now);
    out.insert("campaign_id".into(), v.campaign_id.into());
    out.insert("campaign_type".into(), v.campaign_type.clone().into());
    out.insert("campaign_title".into(), v.campaign_title.clone().into());
    for key in [
        "campaign_image_filename",
        "campaign_image_url",
        "campaign_image_link",
        "campaign_image_dimension_x",
        "campaign_image_dimension_y",
    ] {
        out.insert(key.into(), Value::Null);
    }
    insert_expiry(&mut out, v, now);
    if top && let Some(task) = &v.task {
        out.insert("task".into(), task.clone());
    }
    out.insert("voucher_redeemed_datetime".into(), opt_text(&v.redeemed_at));
    out.insert("generating_return_transaction".into(), json!([]));
    out.insert("parent_voucher".into(), parent_summary(sp, v));
    out.insert("voucher_title".into(), opt_text(&v.title));
    out.insert("voucher_text".into(), opt_text(&v.text));
    out.insert("voucher_description".into(), opt_text(&v.description));
    out.insert("voucher_notes".into(), opt_text(&v.notes));
    out.insert("voucher_honour_code".into(), opt_text(&v.honour_code));
    out.insert("voucher_image_url".into(), Value::Null);
    out.insert("voucher_discount_ratio".into(), 0.into());
    insert_amounts(&mut out, v);
    out.insert("redeeming_basket".into(), json!([]));
    if top {
        out.insert("user_id".into(), v.user_id.into());
        out.insert("user_entity_card".into(), entity_card(sp, v));
    }
    out
}

/// A get-vouchers item: the short form with `type`, dates and the user.
fn item(sp: &SpaazaData, world: &World, v: &ChainVoucher, now: i64) -> Value {
    let mut out = Map::new();
    out.insert("voucher_id".into(), v.voucher_id.into());
    out.insert("voucher_key".into(), v.voucher_key.clone().into());
    out.insert("type".into(), v.voucher_type.clone().into());
    out.insert("voucher_status".into(), v.status.as_str().into());
    insert_lock(&mut out, v, now);
    out.insert("campaign_id".into(), v.campaign_id.into());
    out.insert("campaign_type".into(), v.campaign_type.clone().into());
    out.insert("campaign_title".into(), v.campaign_title.clone().into());
    out.insert("voucher_created_datetime".into(), created(v, world));
    insert_expiry(&mut out, v, now);
    out.insert("voucher_redeemed_datetime".into(), opt_text(&v.redeemed_at));
    insert_amounts(&mut out, v);
    out.insert("voucher_text".into(), opt_text(&v.text));
    if let Some(id) = v.third_party_id {
        out.insert("voucher_third_party_id".into(), id.into());
    }
    out.insert("parent_voucher_id".into(), v.parent_voucher_id.into());
    // Where the rest of a partly redeemed voucher went: a reconcile that finds the voucher
    // redeemed (its answer lost) can tell the till the new voucher.
    if let Some(rest) = sp
        .vouchers
        .iter()
        .find(|r| r.parent_voucher_id == Some(v.voucher_id))
    {
        out.insert(
            "regenerated_voucher".into(),
            Value::Object(short(sp, rest, now)),
        );
    }
    out.insert("user_id".into(), v.user_id.into());
    let user = v.user_id.and_then(|id| {
        sp.chains
            .iter()
            .filter(|c| c.id == v.chain_id)
            .flat_map(|c| &c.users)
            .find(|u| u.user_id == id)
    });
    out.insert(
        "user".into(),
        user.map_or(Value::Null, |u| {
            json!({
                "user_id": u.user_id,
                "member_number": u.member_number,
                "username": u.username,
            })
        }),
    );
    Value::Object(out)
}

// ---- operations ----------------------------------------------------------

fn redeem(world: &mut World, s: &Session, p: &Params, now: i64) -> Reply {
    if s.user().is_some() {
        return Err(deny());
    }
    let chain_id = p.required_int("chain_id")?;
    if !s.covers(chain_id) {
        return Err(deny());
    }
    let sp = &world.data.spaaza;
    let i = find(sp, p, false)?;
    let v = &sp.vouchers[i];
    if v.chain_id != chain_id {
        return Err(deny());
    }
    let user_id = p.int("user_id")?;
    if let Some(uid) = user_id {
        let known = chain_users(sp, chain_id).any(|u| u.user_id == uid);
        if !known || v.user_id.is_some_and(|owner| owner != uid) {
            return Err(deny());
        }
    }
    not_spent(v, now)?;
    if lock_is_live(v, now) {
        return Err(fail(VOUCHER_LOCKED, None));
    }
    let value = v.amount;
    let amount = match p.get("amount") {
        None => value,
        Some(text) => {
            let amount = decimal_from(&Value::String(text.to_string()))
                .filter(|a| *a > Decimal::ZERO && a.normalize().scale() <= 2)
                .ok_or_else(|| {
                    fail(
                        INVALID_AMOUNT,
                        Some(format!(
                            "amount must be a positive number with at most 2 decimals, got {text:?}"
                        )),
                    )
                })?;
            if amount > value {
                return Err(fail(
                    INVALID_AMOUNT,
                    Some(format!(
                        "amount {amount} is more than the voucher's {}",
                        value.normalize()
                    )),
                ));
            }
            amount
        }
    };

    let new_id = sp.vouchers.iter().map(|v| v.voucher_id).max().unwrap_or(0) + 1;
    let mut new_key = world.rng.text(HEX, 64);
    while sp.vouchers.iter().any(|v| v.voucher_key == new_key) {
        new_key = world.rng.text(HEX, 64);
    }
    let sp = &mut world.data.spaaza;
    let v = &mut sp.vouchers[i];
    let rest = value - amount;
    v.amount_original = Some(v.amount_original.unwrap_or(value));
    v.status = ChainVoucherStatus::Redeemed;
    v.amount = amount;
    v.amount_redeemed = Some(amount);
    v.redeemed_at = Some(format_rfc3339(now));
    if v.user_id.is_none() {
        v.user_id = user_id;
    }
    clear_lock(v);
    let regenerated = (rest > Decimal::ZERO).then(|| ChainVoucher {
        voucher_id: new_id,
        voucher_key: new_key,
        status: ChainVoucherStatus::Generated,
        amount: rest,
        amount_original: Some(rest),
        amount_redeemed: None,
        third_party_id: None,
        created: Some(format_rfc3339(now)),
        redeemed_at: None,
        honour_code: None,
        task: None,
        parent_voucher_id: Some(v.voucher_id),
        ..v.clone()
    });
    if let Some(r) = regenerated {
        sp.vouchers.push(r);
    }

    let sp = &world.data.spaaza;
    let v = &sp.vouchers[i];
    let mut out = long(world, v, now, true);
    let regenerated = (rest > Decimal::ZERO)
        .then(|| sp.vouchers.last())
        .flatten()
        .map_or(Value::Null, |r| Value::Object(long(world, r, now, false)));
    out.insert("regenerated_voucher".into(), regenerated);
    Ok(ok(out, "redeem-voucher"))
}

fn chain_users(sp: &SpaazaData, chain_id: i64) -> impl Iterator<Item = &super::data::ChainUser> {
    sp.chains
        .iter()
        .filter(move |c| c.id == chain_id)
        .flat_map(|c| &c.users)
}

/// An optional `chain_id` must name the voucher's chain.
fn chain_matches(p: &Params, v: &ChainVoucher) -> Reply<()> {
    match p.int("chain_id")? {
        Some(chain) if chain != v.chain_id => Err(deny()),
        _ => Ok(()),
    }
}

fn unlock(world: &mut World, s: &Session, p: &Params, now: i64) -> Reply {
    if s.user().is_some() {
        return Err(deny());
    }
    let sp = &mut world.data.spaaza;
    let i = find(sp, p, false)?;
    if !s.covers(sp.vouchers[i].chain_id) {
        return Err(deny());
    }
    chain_matches(p, &sp.vouchers[i])?;
    clear_lock(&mut sp.vouchers[i]);
    let sp = &world.data.spaaza;
    Ok(ok(short(sp, &sp.vouchers[i], now), "unlock-voucher"))
}

/// The end-user a claim or unclaim is for.
fn end_user(sp: &SpaazaData, s: &Session, p: &Params, chain_id: i64) -> Reply<i64> {
    let given = [
        "user_id",
        "member_number",
        "username",
        "authentication_point_identifier",
        "auxiliary_identifier",
    ]
    .into_iter()
    .find_map(|key| p.get(key).map(|value| (key, value)));
    let Some((key, value)) = given else {
        return s.user().ok_or_else(|| {
            missing("user_id, member_number, username, authentication_point_identifier or auxiliary_identifier")
        });
    };
    let found = chain_users(sp, chain_id).find(|u| {
        let text = |f: &Option<String>| f.as_deref().is_some_and(|f| f.eq_ignore_ascii_case(value));
        match key {
            "user_id" => u.user_id.to_string() == value,
            "member_number" => u.member_number.as_deref() == Some(value),
            "username" => text(&u.username),
            "authentication_point_identifier" => {
                u.authentication_point_identifier.as_deref() == Some(value)
            }
            _ => u.auxiliary_identifier.as_deref() == Some(value),
        }
    });
    match (found, s.user()) {
        (Some(u), None) => Ok(u.user_id),
        (Some(u), Some(me)) if u.user_id == me => Ok(me),
        _ => Err(deny()),
    }
}

fn claim_or_unclaim(world: &mut World, s: &Session, p: &Params, now: i64, claim: bool) -> Reply {
    let sp = &world.data.spaaza;
    let chain_id = match (s, p.int("chain_id")?) {
        (_, Some(chain)) => chain,
        (Session::Admin(_), None) => return Err(missing("chain_id")),
        (Session::User { chain, .. } | Session::Privileged(chain), None) => *chain,
    };
    if !s.covers(chain_id) {
        return Err(deny());
    }
    let i = find(sp, p, true)?;
    let v = &sp.vouchers[i];
    if v.chain_id != chain_id {
        return Err(deny());
    }
    let user_id = end_user(sp, s, p, chain_id)?;
    not_spent(v, now)?;
    if claim {
        if v.status == ChainVoucherStatus::Claimed {
            return Err(fail(VOUCHER_ALREADY_CLAIMED, None));
        }
    } else {
        if v.status != ChainVoucherStatus::Claimed {
            return Err(fail(VOUCHER_NOT_CLAIMED, None));
        }
        if v.user_id != Some(user_id) {
            return Err(deny());
        }
    }
    if s.user().is_some() && lock_is_live(v, now) {
        return Err(fail(VOUCHER_LOCKED, None));
    }
    let v = &mut world.data.spaaza.vouchers[i];
    if claim {
        v.status = ChainVoucherStatus::Claimed;
        v.user_id = Some(user_id);
    } else {
        v.status = ChainVoucherStatus::Generated;
    }
    let sp = &world.data.spaaza;
    let call = if claim {
        "claim-voucher"
    } else {
        "unclaim-voucher"
    };
    Ok(ok(short(sp, &sp.vouchers[i], now), call))
}

fn lock(world: &mut World, s: &Session, p: &Params, now: i64) -> Reply {
    let sp = &world.data.spaaza;
    let i = find(sp, p, false)?;
    let v = &sp.vouchers[i];
    if !s.covers(v.chain_id) || s.user().is_some_and(|me| v.user_id != Some(me)) {
        return Err(deny());
    }
    chain_matches(p, v)?;
    let basket = p
        .get("retailer_basket_code")
        .ok_or_else(|| missing("retailer_basket_code"))?
        .to_string();
    let period = p.int("voucher_lock_period")?;
    if period.is_some_and(|s| s <= 0) {
        return Err(fail(
            INVALID_PARAMETER,
            Some("voucher_lock_period must be a positive number of seconds".into()),
        ));
    }
    if v.voucher_type != "basket" {
        return Err(fail(VOUCHER_NOT_LOCKABLE, None));
    }
    not_spent(v, now)?;
    if lock_is_live(v, now) && v.retailer_basket_code.as_deref() != Some(basket.as_str()) {
        return Err(fail(VOUCHER_LOCKED, None));
    }
    let locking_code = p.get("voucher_locking_code").map(str::to_string);
    let v = &mut world.data.spaaza.vouchers[i];
    v.locked = true;
    v.locked_until = period.map(|secs| format_plain(now + secs));
    v.locking_code = locking_code;
    v.retailer_basket_code = Some(basket);
    let sp = &world.data.spaaza;
    Ok(ok(short(sp, &sp.vouchers[i], now), "lock-voucher"))
}

fn list(world: &mut World, s: &Session, p: &Params, now: i64) -> Reply {
    if s.user().is_some() {
        return Err(deny());
    }
    let chain_id = p.required_int("chain_id")?;
    if !s.covers(chain_id) {
        return Err(deny());
    }
    let sp = &world.data.spaaza;
    let voucher_id = p.int("voucher_id")?;
    let campaign_id = p.int("campaign_id")?;
    // An end-user filter that matches nobody matches no voucher.
    let user_filter = [
        "user_id",
        "username",
        "member_number",
        "authentication_point_identifier",
    ]
    .into_iter()
    .find_map(|key| p.get(key).map(|value| (key, value)))
    .map(|(key, value)| {
        chain_users(sp, chain_id)
            .find(|u| match key {
                "user_id" => u.user_id.to_string() == value,
                "username" => u
                    .username
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(value)),
                "member_number" => u.member_number.as_deref() == Some(value),
                _ => u.authentication_point_identifier.as_deref() == Some(value),
            })
            .map(|u| u.user_id)
    });
    let all = p.flag("show_all_statuses");
    let show_redeemed = all || p.flag("show_redeemed");
    let show_expired = all || p.flag("show_expired");
    let exclude_regenerated = p.flag("exclude_regenerated");
    let mut ranges = Vec::new();
    for (name, pick) in [("created", 0usize), ("expiry", 1), ("redeemed", 2)] {
        let bound = |which: &str| -> Reply<Option<i64>> {
            let key = format!("{which}_{name}_datetime");
            p.get(&key)
                .map(|text| {
                    clock::parse(text)
                        .map_err(|e| fail(INVALID_PARAMETER, Some(format!("{key}: {e}"))))
                })
                .transpose()
        };
        ranges.push((pick, bound("min")?, bound("max")?));
    }

    let matching: Vec<&ChainVoucher> = sp
        .vouchers
        .iter()
        .filter(|v| v.chain_id == chain_id)
        .filter(|v| voucher_id.is_none_or(|id| v.voucher_id == id))
        .filter(|v| campaign_id.is_none_or(|id| v.campaign_id == id))
        .filter(|v| user_filter.is_none_or(|u| u.is_some() && v.user_id == u))
        .filter(|v| show_redeemed || v.status != ChainVoucherStatus::Redeemed)
        .filter(|v| show_expired || !is_expired(v, now))
        .filter(|v| !exclude_regenerated || v.parent_voucher_id.is_none())
        .filter(|v| {
            ranges.iter().all(|&(pick, min, max)| {
                let at = match pick {
                    0 => v.created.as_deref().and_then(|t| clock::parse(t).ok()),
                    1 => Some(expiry(v)),
                    _ => v.redeemed_at.as_deref().and_then(|t| clock::parse(t).ok()),
                };
                let inside = |t: i64| min.is_none_or(|m| t >= m) && max.is_none_or(|m| t <= m);
                (min.is_none() && max.is_none()) || at.is_some_and(inside)
            })
        })
        .collect();
    let total = matching.len();
    let offset = p.int("results_offset")?.unwrap_or(0).max(0) as usize;
    let limit = p
        .int("number_results")?
        .map_or(usize::MAX, |n| n.max(0) as usize);
    let vouchers: Vec<Value> = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|v| item(sp, world, v, now))
        .collect();
    let mut results = Map::new();
    results.insert("results_count_total".into(), total.into());
    results.insert("vouchers".into(), Value::Array(vouchers));
    Ok(ok(results, "get-vouchers"))
}
