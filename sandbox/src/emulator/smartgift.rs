//! Smart Gift, emulated: check, hold, redeem, release and reverse.
//!
//! Every path is `POST` with a JSON body, under `/smartgift` (so a client's
//! base URL is `http://127.0.0.1:PORT/smartgift`). The `Smart-Auth` key
//! picks the company; a missing or unknown key gets `401
//! {"message":"Unauthenticated."}` (Laravel's answer; Smart Gift documents
//! none).
//!
//! # Errors
//!
//! Every refusal is HTTP 422 in the seed pages' shape, with the message
//! repeated as the top-level `message`:
//!
//! ```json
//! {"message": "Sorry, that voucher number is invalid.",
//!  "errors": {"voucher_no": ["Sorry, that voucher number is invalid."]}}
//! ```
//!
//! They are checked in this order, each from the state:
//!
//! 1. a required field missing (or `null`, or `""`), or of the wrong type →
//!    `{"message": "The given data was invalid.", "errors": {"<field>":
//!    ["The <field> field is required."]}}`, every bad field listed;
//! 2. no voucher with that number → `Sorry, that voucher number is invalid.`;
//! 3. the voucher is another company's → `This voucher does not belong to your company`;
//! 4. `site_id` is not one of the company's sites → `This site number is invalid`
//!    (field `site_id`; check, redeem and reverse);
//! 5. the time is outside `valid_from`..`valid_until` → `The voucher number provided has expired.`;
//! 6. nothing left (balance 0, or every experience used) → `Sorry this voucher has already been redeemed.`;
//! 7. then per operation: `Voucher is already held`, `Voucher is not held`
//!    (field `hold_token`), the not-enough-balance message (field `value`,
//!    top-level `The given data was invalid.`), `Please provide a valid list
//!    of redemptions to reverse` (field `redemptions`).
//!
//! Reverse skips 5 and 6: undoing a redemption of a spent or lapsed voucher
//! is allowed.
//!
//! # Holds
//!
//! `hold` reserves the whole voucher for [`HOLD_SECONDS`] of the emulated
//! clock and returns `hold_token_` + 24 letters and digits. While a hold is
//! live, a second `hold` gets `Voucher is already held`, and so does a
//! `redeem` without the token or with another one. A `redeem` with the right
//! token goes ahead and **keeps the hold** (a till may take a split payment
//! in several redeems under one hold), so `hold → redeem → release` succeeds
//! throughout. A redeem that leaves nothing on the voucher ends the hold, and
//! a release then answers `Sorry this voucher has already been redeemed.`
//! (check 6 comes first). A token sent when no hold is live (say, one that
//! expired) is ignored. `check` and `reverse` ignore holds. Smart Gift does
//! not document any of this; these are the emulator's choices (spec
//! smartgift.md §6, questions 1 and 2).
//!
//! # Redemptions
//!
//! A monetary redeem takes `value` (pounds, at most 2 decimal places, up to
//! the balance) and makes one redemption id. An experience redeem's `value`
//! is a sum of `bit_value`s of unused experiences redeemable at the site; it
//! makes one id per experience, in bit order. Ids come from one counter
//! (the highest id so far + 1, from 21). `reverse` undoes listed ids in
//! full, and refuses the whole list if any id is unknown, of another
//! voucher, already reversed, or listed twice.
//!
//! `check` lists the unused experiences redeemable at the site, narrowed by
//! `filters.classifications` (unclassified experiences always pass;
//! `meta_conditions` are accepted and ignored); an experience voucher with
//! none left at that site gets a 422 on `site_id`.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::clock::{self, format_rfc3339};
use super::data::{GiftVoucher, GiftVoucherType, Hold, Redemption, SmartGiftData, decimal_from};
use super::{ALNUM, World, not_found, number};
use crate::http::{Answer, RecordedRequest};

/// How long a hold lasts: five minutes, as Smart Gift documents.
pub const HOLD_SECONDS: i64 = 300;

/// The literal messages (seed pages, or spec/smartgift.md where marked).
pub mod messages {
    pub const INVALID_VOUCHER: &str = "Sorry, that voucher number is invalid.";
    pub const INVALID_SITE: &str = "This site number is invalid";
    pub const NOT_OWNED: &str = "This voucher does not belong to your company";
    pub const EXPIRED: &str = "The voucher number provided has expired.";
    pub const ALREADY_REDEEMED: &str = "Sorry this voucher has already been redeemed.";
    pub const NOT_HELD: &str = "Voucher is not held";
    /// Spec §3.4 (docs).
    pub const ALREADY_HELD: &str = "Voucher is already held";
    /// Spec §3.1 (an old docs page), under the generic top-level message.
    pub const NOT_ENOUGH: &str = "There is not enough balance on this voucher to redeem or the selected experiences have already been used.";
    /// Spec §3.5 (an old docs page).
    pub const INVALID_REDEMPTIONS: &str = "Please provide a valid list of redemptions to reverse";
    pub const GIVEN_DATA_INVALID: &str = "The given data was invalid.";
    pub const UNAUTHENTICATED: &str = "Unauthenticated.";
    pub const HOLD_SUCCESSFUL: &str = "Voucher hold successful";
    pub const REDEEMED: &str = "The voucher has been redeemed.";
    pub const HOLD_RELEASED: &str = "Voucher hold released";
    pub const REVERSED: &str = "Redemption reversal complete";
    /// Not a documented text (the docs say only "a descriptive message").
    pub const NOTHING_AT_SITE: &str =
        "There are no experiences on this voucher that can be redeemed at this site";
}
use messages::*;

/// A refusal is an answer too; `?` sends it.
type Reply<T = Answer> = Result<T, Answer>;

#[derive(Clone, Copy)]
enum Op {
    Check,
    Hold,
    Redeem,
    Release,
    Reverse,
}

/// Answers one request under `/smartgift`; `path` is the rest (`/redeem`).
pub(crate) fn handle(world: &mut World, req: &RecordedRequest, path: &str) -> Answer {
    let op = match path {
        "/redeem/check" => Op::Check,
        "/redeem/hold" => Op::Hold,
        "/redeem" => Op::Redeem,
        "/redeem/release" => Op::Release,
        "/redeem/reverse" => Op::Reverse,
        _ => return not_found(req),
    };
    if req.method != "POST" {
        // Laravel's text for a route hit with the wrong method.
        return Answer::json(
            405,
            &json!({ "message": format!(
                "The {} method is not supported for this route. Supported methods: POST.",
                req.method
            )}),
        )
        .with_header("Allow", "POST");
    }
    dispatch(world, req, op).unwrap_or_else(|refusal| refusal)
}

fn dispatch(world: &mut World, req: &RecordedRequest, op: Op) -> Reply {
    let company = authenticate(&world.data.smartgift, req)?;
    // Laravel reads a body that is not a JSON object as no input at all.
    let body = match req.body_json() {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let now = world.clock.secs();
    world
        .data
        .smartgift
        .holds
        .retain(|h| clock::parse(&h.expires_at).is_ok_and(|t| t > now));
    let ctx = Ctx { company, now };
    match op {
        Op::Check => check(world, &ctx, &body),
        Op::Hold => hold(world, &ctx, &body),
        Op::Redeem => redeem(world, &ctx, &body),
        Op::Release => release(world, &ctx, &body),
        Op::Reverse => reverse(world, &ctx, &body),
    }
}

/// Who is asking, and when.
struct Ctx {
    company: usize,
    now: i64,
}

fn authenticate(sg: &SmartGiftData, req: &RecordedRequest) -> Reply<usize> {
    let key = req.header("smart-auth").unwrap_or("");
    sg.companies
        .iter()
        .position(|c| !key.is_empty() && c.api_keys.iter().any(|k| k == key))
        .ok_or_else(|| Answer::json(401, &json!({ "message": UNAUTHENTICATED })))
}

// ---- answers -------------------------------------------------------------

/// `{"message": M, "errors": {field: [M]}}`, HTTP 422: the seeds' shape.
fn refuse(field: &str, message: &str) -> Answer {
    Answer::json(
        422,
        &json!({ "message": message, "errors": { field: [message] } }),
    )
}

/// Laravel's validation shape: a generic message, then every field's errors.
fn invalid_data(errors: Vec<(String, String)>) -> Answer {
    let mut map = Map::new();
    for (field, message) in errors {
        map.insert(field, json!([message]));
    }
    Answer::json(
        422,
        &json!({ "message": GIVEN_DATA_INVALID, "errors": Value::Object(map) }),
    )
}

fn not_enough() -> Answer {
    invalid_data(vec![("value".into(), NOT_ENOUGH.into())])
}

// ---- input ---------------------------------------------------------------

/// The body's fields, checked the way Laravel validates a request: every
/// problem found at once.
struct Input<'a> {
    body: &'a Map<String, Value>,
    errors: Vec<(String, String)>,
}

impl<'a> Input<'a> {
    fn new(body: &'a Map<String, Value>) -> Input<'a> {
        Input {
            body,
            errors: Vec::new(),
        }
    }

    /// The field, unless absent, `null` or `""` (then it is recorded missing).
    fn required(&mut self, field: &str) -> Option<&'a Value> {
        match self.body.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(v) => Some(v),
        }
        .or_else(|| {
            self.fail(field, format!("The {field} field is required."));
            None
        })
    }

    fn fail(&mut self, field: &str, message: String) {
        self.errors.push((field.to_string(), message));
    }

    /// A string field; integers are taken as their digits (site ids often are).
    fn text(&mut self, field: &str) -> String {
        match self.required(field) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
            Some(_) => {
                self.fail(field, format!("The {field} must be a string."));
                String::new()
            }
            None => String::new(),
        }
    }

    /// A number field (a numeric string is accepted too).
    fn decimal(&mut self, field: &str) -> Decimal {
        match self.required(field) {
            Some(v @ (Value::Number(_) | Value::String(_))) => {
                decimal_from(v).unwrap_or_else(|| {
                    self.fail(field, format!("The {field} must be a number."));
                    Decimal::ZERO
                })
            }
            Some(_) => {
                self.fail(field, format!("The {field} must be a number."));
                Decimal::ZERO
            }
            None => Decimal::ZERO,
        }
    }

    fn ids(&mut self, field: &str) -> Vec<Value> {
        match self.required(field) {
            Some(Value::Array(items)) => items.clone(),
            Some(_) => {
                self.fail(field, format!("The {field} must be an array."));
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// `Err` with every problem, if there was one.
    fn done(self) -> Reply<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(invalid_data(self.errors))
        }
    }
}

// ---- the shared voucher checks --------------------------------------------

/// Checks 2 and 3: the voucher exists and is the caller's.
fn find(sg: &SmartGiftData, ctx: &Ctx, voucher_no: &str) -> Reply<usize> {
    let i = sg
        .vouchers
        .iter()
        .position(|v| v.voucher_no == voucher_no)
        .ok_or_else(|| refuse("voucher_no", INVALID_VOUCHER))?;
    if sg.vouchers[i].company_id != sg.companies[ctx.company].id {
        return Err(refuse("voucher_no", NOT_OWNED));
    }
    Ok(i)
}

/// Check 4: the site is one of the caller's.
fn site(sg: &SmartGiftData, ctx: &Ctx, site_id: &str) -> Reply<()> {
    if sg.companies[ctx.company].sites.iter().any(|s| s == site_id) {
        Ok(())
    } else {
        Err(refuse("site_id", INVALID_SITE))
    }
}

/// Checks 5 and 6: within its validity, and something left.
fn usable(v: &GiftVoucher, now: i64) -> Reply<()> {
    let before = |date: &Option<String>| {
        date.as_deref()
            .and_then(|d| clock::parse(d).ok())
            .is_some_and(|t| now < t)
    };
    let after = |date: &Option<String>| {
        date.as_deref()
            .and_then(|d| clock::parse(d).ok())
            .is_some_and(|t| now > t)
    };
    if before(&v.valid_from) || after(&v.valid_until) {
        return Err(refuse("voucher_no", EXPIRED));
    }
    if remaining(v).is_zero() {
        return Err(refuse("voucher_no", ALREADY_REDEEMED));
    }
    Ok(())
}

/// Money left, or the sum of the unused experiences' bits.
fn remaining(v: &GiftVoucher) -> Decimal {
    match v.voucher_type {
        GiftVoucherType::Monetary => v.value.unwrap_or_default(),
        GiftVoucherType::Experience => Decimal::from(
            v.experiences
                .iter()
                .filter(|e| !e.used)
                .map(|e| e.bit_value)
                .sum::<u64>(),
        ),
    }
}

fn live_hold<'a>(sg: &'a SmartGiftData, voucher_no: &str) -> Option<&'a Hold> {
    sg.holds.iter().find(|h| h.voucher_no == voucher_no)
}

// ---- operations ----------------------------------------------------------

fn check(world: &mut World, ctx: &Ctx, body: &Map<String, Value>) -> Reply {
    let mut input = Input::new(body);
    let voucher_no = input.text("voucher_no");
    let site_id = input.text("site_id");
    input.done()?;
    let sg = &world.data.smartgift;
    let i = find(sg, ctx, &voucher_no)?;
    site(sg, ctx, &site_id)?;
    let v = &sg.vouchers[i];
    usable(v, ctx.now)?;

    let here: Vec<_> = v
        .experiences
        .iter()
        .filter(|e| !e.used && (e.sites.is_empty() || e.sites.contains(&site_id)))
        .collect();
    if v.voucher_type == GiftVoucherType::Experience && here.is_empty() {
        return Err(refuse("site_id", NOTHING_AT_SITE));
    }
    let wanted: Vec<&str> = body
        .get("filters")
        .and_then(|f| f.get("classifications"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let experiences: Vec<Value> = here
        .into_iter()
        .filter(|e| {
            wanted.is_empty()
                || e.classification
                    .as_deref()
                    .is_none_or(|c| wanted.contains(&c))
        })
        .map(|e| json!({ "id": e.id, "name": e.name, "bit_value": e.bit_value }))
        .collect();
    Ok(Answer::json(
        200,
        &json!({ "data": {
            "id": v.id.unwrap_or(10_000 + i as i64),
            "name": v.name,
            "description": v.description,
            "voucher_no": v.voucher_no,
            "remaining_value": number(remaining(v)),
            "type": match v.voucher_type {
                GiftVoucherType::Monetary => "monetary",
                GiftVoucherType::Experience => "experience",
            },
            "sold_out": false,
            "experiences": experiences,
        }}),
    ))
}

fn hold(world: &mut World, ctx: &Ctx, body: &Map<String, Value>) -> Reply {
    let mut input = Input::new(body);
    let voucher_no = input.text("voucher_no");
    input.done()?;
    let sg = &mut world.data.smartgift;
    let i = find(sg, ctx, &voucher_no)?;
    usable(&sg.vouchers[i], ctx.now)?;
    if live_hold(sg, &voucher_no).is_some() {
        return Err(refuse("voucher_no", ALREADY_HELD));
    }
    let token = format!("hold_token_{}", world.rng.text(ALNUM, 24));
    sg.holds.push(Hold {
        voucher_no,
        hold_token: token.clone(),
        expires_at: format_rfc3339(ctx.now + HOLD_SECONDS),
    });
    Ok(Answer::json(
        200,
        &json!({ "message": HOLD_SUCCESSFUL, "hold_token": token }),
    ))
}

fn redeem(world: &mut World, ctx: &Ctx, body: &Map<String, Value>) -> Reply {
    let mut input = Input::new(body);
    let voucher_no = input.text("voucher_no");
    let site_id = input.text("site_id");
    let value = input.decimal("value");
    let token = match body.get("hold_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            input.fail("hold_token", "The hold_token must be a string.".into());
            None
        }
    };
    input.done()?;
    let sg = &mut world.data.smartgift;
    let i = find(sg, ctx, &voucher_no)?;
    site(sg, ctx, &site_id)?;
    usable(&sg.vouchers[i], ctx.now)?;
    if let Some(hold) = live_hold(sg, &voucher_no)
        && token.as_deref() != Some(hold.hold_token.as_str())
    {
        return Err(refuse("voucher_no", ALREADY_HELD));
    }

    let mut next_id = sg.redemptions.iter().map(|r| r.id + 1).max().unwrap_or(21);
    let redeemed_at = format_rfc3339(ctx.now);
    let mut made = Vec::new();
    let v = &mut sg.vouchers[i];
    match v.voucher_type {
        GiftVoucherType::Monetary => {
            let balance = v.value.unwrap_or_default();
            if value <= Decimal::ZERO {
                return Err(invalid_data(vec![(
                    "value".into(),
                    "The value must be greater than 0.".into(),
                )]));
            }
            if value.normalize().scale() > 2 {
                return Err(invalid_data(vec![(
                    "value".into(),
                    "The value must have at most 2 decimal places.".into(),
                )]));
            }
            if value > balance {
                return Err(not_enough());
            }
            v.value = Some(balance - value);
            made.push(Redemption {
                id: next_id,
                voucher_no: voucher_no.clone(),
                site_id: site_id.clone(),
                value: Some(value),
                bit_value: None,
                redeemed_at,
                reversed: false,
            });
        }
        GiftVoucherType::Experience => {
            let mask = u64::try_from(value.normalize().mantissa())
                .ok()
                .filter(|_| value.normalize().scale() == 0 && value > Decimal::ZERO)
                .ok_or_else(not_enough)?;
            let usable_here: u64 = v
                .experiences
                .iter()
                .filter(|e| !e.used && (e.sites.is_empty() || e.sites.contains(&site_id)))
                .map(|e| e.bit_value)
                .sum();
            if mask & !usable_here != 0 {
                return Err(not_enough());
            }
            let mut chosen: Vec<_> = v
                .experiences
                .iter_mut()
                .filter(|e| mask & e.bit_value != 0)
                .collect();
            chosen.sort_by_key(|e| e.bit_value);
            for e in chosen {
                e.used = true;
                made.push(Redemption {
                    id: next_id,
                    voucher_no: voucher_no.clone(),
                    site_id: site_id.clone(),
                    value: None,
                    bit_value: Some(e.bit_value),
                    redeemed_at: redeemed_at.clone(),
                    reversed: false,
                });
                next_id += 1;
            }
        }
    }
    if remaining(v).is_zero() {
        sg.holds.retain(|h| h.voucher_no != voucher_no);
    }
    let ids: Vec<u64> = made.iter().map(|r| r.id).collect();
    sg.redemptions.extend(made);
    Ok(Answer::json(
        200,
        &json!({ "data": { "message": REDEEMED, "redemptions": ids } }),
    ))
}

fn release(world: &mut World, ctx: &Ctx, body: &Map<String, Value>) -> Reply {
    let mut input = Input::new(body);
    let voucher_no = input.text("voucher_no");
    let token = input.text("hold_token");
    input.done()?;
    let sg = &mut world.data.smartgift;
    let i = find(sg, ctx, &voucher_no)?;
    usable(&sg.vouchers[i], ctx.now)?;
    let before = sg.holds.len();
    sg.holds
        .retain(|h| !(h.voucher_no == voucher_no && h.hold_token == token));
    if sg.holds.len() == before {
        return Err(refuse("hold_token", NOT_HELD));
    }
    Ok(Answer::json(200, &json!({ "message": HOLD_RELEASED })))
}

fn reverse(world: &mut World, ctx: &Ctx, body: &Map<String, Value>) -> Reply {
    let mut input = Input::new(body);
    let voucher_no = input.text("voucher_no");
    let site_id = input.text("site_id");
    let listed = input.ids("redemptions");
    input.done()?;
    let sg = &mut world.data.smartgift;
    let i = find(sg, ctx, &voucher_no)?;
    site(sg, ctx, &site_id)?;

    // All or nothing: find every redemption before changing any.
    let mut picked: Vec<usize> = Vec::new();
    for id in &listed {
        let found = id.as_u64().and_then(|id| {
            sg.redemptions
                .iter()
                .position(|r| r.id == id && r.voucher_no == voucher_no && !r.reversed)
        });
        match found {
            Some(at) if !picked.contains(&at) => picked.push(at),
            _ => return Err(refuse("redemptions", INVALID_REDEMPTIONS)),
        }
    }
    if picked.is_empty() {
        return Err(refuse("redemptions", INVALID_REDEMPTIONS));
    }
    for at in picked {
        let r = &mut sg.redemptions[at];
        r.reversed = true;
        let v = &mut sg.vouchers[i];
        if let Some(value) = r.value {
            v.value = Some(v.value.unwrap_or_default() + value);
        }
        if let Some(bit) = r.bit_value
            && let Some(e) = v.experiences.iter_mut().find(|e| e.bit_value == bit)
        {
            e.used = false;
        }
    }
    Ok(Answer::json(200, &json!({ "message": REVERSED })))
}
