//! The stateful emulator driven by the real voucherkit clients over HTTP on
//! 127.0.0.1: every till scenario the issue names, plus the control
//! endpoint, fault rules and data sets.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Barrier;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use voucherkit_core::journal::{EntryState, Journal};
use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, RedeemRequest, ReleaseRequest, ReverseRequest, SmartGift,
    SmartGiftConfig,
};
use voucherkit_core::spaaza::{
    ClaimRequest, GetVouchersRequest, LockVoucherRequest, RedeemVoucherRequest, Spaaza, SpaazaAuth,
    SpaazaConfig, UnlockVoucherRequest,
};
use voucherkit_core::{ClientOptions, Decimal, ErrorKind};
use voucherkit_sandbox::{Answer, DataSet, Fault, FaultRule, Sandbox, SandboxOptions};

// Demo data (see `DataSet::demo`).
const HUNDRED: &str = "1000000001";
const TWENTY_FIVE: &str = "1000000002";
const EXPERIENCE: &str = "1000000003";
const EXPIRED: &str = "1000000004";
const SPENT: &str = "1000000005";
const NOT_YET_VALID: &str = "1000000006";
const OTHER_COMPANY: &str = "2000000001";
const SEED_KEY: &str = "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5";
const SEED_ID: i64 = 438_595;

fn options(timeout: Duration) -> ClientOptions {
    ClientOptions {
        timeout,
        max_retries: 0,
        ..ClientOptions::default()
    }
}

fn smartgift_with(sb: &Sandbox, key: &str, timeout: Duration) -> SmartGift {
    let mut config = SmartGiftConfig::new(key);
    config.base_url = Some(sb.smartgift_url());
    config.options = options(timeout);
    SmartGift::new(config).expect("smart gift client")
}

fn smartgift(sb: &Sandbox) -> SmartGift {
    smartgift_with(sb, &sb.smartgift_key(), Duration::from_secs(10))
}

fn spaaza_with(sb: &Sandbox, mut config: SpaazaConfig) -> Spaaza {
    config.base_url = Some(sb.spaaza_url());
    config.options = options(Duration::from_secs(10));
    Spaaza::new(config).expect("spaaza client")
}

fn spaaza(sb: &Sandbox) -> Spaaza {
    let config = SpaazaConfig::admin(sb.spaaza_session_user_id(), sb.spaaza_session_key());
    spaaza_with(sb, config)
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn remaining(sg: &SmartGift, voucher_no: &str) -> Decimal {
    sg.check(&CheckRequest::new(voucher_no, 12))
        .expect("check")
        .remaining_value
        .expect("remaining_value")
}

fn hold(sg: &SmartGift, voucher_no: &str) -> voucherkit_core::Result<String> {
    sg.hold(&HoldRequest {
        voucher_no: voucher_no.into(),
    })
    .map(|h| h.hold_token)
}

fn release(sg: &SmartGift, voucher_no: &str, token: &str) -> voucherkit_core::Result<String> {
    sg.release(&ReleaseRequest {
        voucher_no: voucher_no.into(),
        hold_token: token.into(),
    })
    .map(|r| r.message)
}

fn by_key(key: &str) -> RedeemVoucherRequest {
    RedeemVoucherRequest {
        chain_id: 2,
        voucher_key: Some(key.into()),
        ..RedeemVoucherRequest::default()
    }
}

fn by_id(id: i64) -> RedeemVoucherRequest {
    RedeemVoucherRequest {
        chain_id: 2,
        voucher_id: Some(id),
        ..RedeemVoucherRequest::default()
    }
}

// ---- Smart Gift ------------------------------------------------------------

#[test]
fn check_reports_balances_and_the_experiences_of_each_site() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb);
    let v = sg.check(&CheckRequest::new(HUNDRED, 12)).unwrap();
    assert_eq!(v.remaining_value, Some(dec("100")));
    assert_eq!(v.voucher_type.as_deref(), Some("monetary"));
    assert_eq!(v.voucher_no.as_deref(), Some(HUNDRED));
    assert!(v.experiences.is_empty());

    let bits = |site: i64, classes: &[&str]| {
        let mut req = CheckRequest::new(EXPERIENCE, site);
        req.classifications = classes.iter().map(|c| c.to_string()).collect();
        let v = sg.check(&req).unwrap();
        assert_eq!(v.remaining_value, Some(dec("15")), "all unused bits count");
        v.experiences
            .iter()
            .map(|e| e.bit_value.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(12, &[]), [1, 4, 8]);
    assert_eq!(bits(14, &[]), [1, 2]);
    assert_eq!(bits(12, &["food_and_beverage"]), [1, 4]);
}

#[test]
fn hold_then_redeem_then_release() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb);
    let token = hold(&sg, HUNDRED).unwrap();
    assert!(
        token.starts_with("hold_token_") && token.len() == 35,
        "{token}"
    );

    // Another till, without the token, is kept out.
    let err = sg
        .redeem(&RedeemRequest::money(HUNDRED, 12, "10.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherLocked);
    assert_eq!(err.message, "Voucher is already held");
    assert_eq!(err.http_status, Some(422));

    let mut req = RedeemRequest::money(HUNDRED, 12, "10.00");
    req.hold_token = Some(token.clone());
    let done = sg.redeem(&req).unwrap();
    assert_eq!(done.message, "The voucher has been redeemed.");
    assert_eq!(done.redemptions.len(), 1);
    // The hold survives the redeem (split payments): a second part goes through.
    req.value = Some("15.50".into());
    let second = sg.redeem(&req).unwrap();
    assert_eq!(second.redemptions, [done.redemptions[0] + 1]);
    assert_eq!(remaining(&sg, HUNDRED), dec("74.5"));

    assert_eq!(
        release(&sg, HUNDRED, &token).unwrap(),
        "Voucher hold released"
    );
    let err = release(&sg, HUNDRED, &token).unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherNotHeld);
    // Released: anyone may redeem again.
    sg.redeem(&RedeemRequest::money(HUNDRED, 14, "4.50"))
        .unwrap();
    assert_eq!(remaining(&sg, HUNDRED), dec("70"));
}

#[test]
fn release_without_a_hold_is_voucher_not_held() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb);
    let err = release(&sg, HUNDRED, "hold_token_nothingHeldHere000000000").unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherNotHeld);
    assert_eq!(err.field.as_deref(), Some("hold_token"));
    assert_eq!(err.message, "Voucher is not held");
}

#[test]
fn redeeming_until_empty_then_again_is_already_redeemed() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb);
    let err = sg
        .redeem(&RedeemRequest::money(TWENTY_FIVE, 12, "25.01"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidAmount);
    assert_eq!(err.field.as_deref(), Some("value"));
    sg.redeem(&RedeemRequest::money(TWENTY_FIVE, 12, "20"))
        .unwrap();
    sg.redeem(&RedeemRequest::money(TWENTY_FIVE, 12, "5.00"))
        .unwrap();
    let err = sg
        .redeem(&RedeemRequest::money(TWENTY_FIVE, 12, "1.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherAlreadyRedeemed);
    assert_eq!(err.message, "Sorry this voucher has already been redeemed.");
    let err = sg.check(&CheckRequest::new(TWENTY_FIVE, 12)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherAlreadyRedeemed);
}

#[test]
fn seed_errors_come_from_the_state() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb);
    let check = |no: &str, site: i64| sg.check(&CheckRequest::new(no, site)).unwrap_err();
    let cases = [
        (
            check(EXPIRED, 12),
            ErrorKind::VoucherExpired,
            "The voucher number provided has expired.",
        ),
        (
            check(NOT_YET_VALID, 12),
            ErrorKind::VoucherExpired,
            "The voucher number provided has expired.",
        ),
        (
            check(OTHER_COMPANY, 12),
            ErrorKind::VoucherNotOwned,
            "This voucher does not belong to your company",
        ),
        (
            check("9999999999", 12),
            ErrorKind::VoucherNotFound,
            "Sorry, that voucher number is invalid.",
        ),
        (
            check(SPENT, 12),
            ErrorKind::VoucherAlreadyRedeemed,
            "Sorry this voucher has already been redeemed.",
        ),
        (
            check(HUNDRED, 31),
            ErrorKind::InvalidSite,
            "This site number is invalid",
        ),
    ];
    for (err, kind, message) in cases {
        assert_eq!((err.kind, err.message.as_str()), (kind, message));
        assert_eq!(err.http_status, Some(422));
    }
    // The same rules guard redeem, and the other company's key sees its own voucher.
    let err = sg
        .redeem(&RedeemRequest::money(EXPIRED, 12, "1"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherExpired);
    let err = sg
        .redeem(&RedeemRequest::money(HUNDRED, 31, "1"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSite);
    let other = smartgift_with(&sb, "sk_demo_riverside_3Kt8wN5rB1", Duration::from_secs(10));
    let v = other.check(&CheckRequest::new(OTHER_COMPANY, 31)).unwrap();
    assert_eq!(v.remaining_value, Some(dec("75")));
}

#[test]
fn an_unknown_key_is_401() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift_with(&sb, "sk_wrong", Duration::from_secs(10));
    let err = sg.check(&CheckRequest::new(HUNDRED, 12)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Authentication);
    assert_eq!(err.http_status, Some(401));
    assert_eq!(err.message, "Unauthenticated.");
}

#[test]
fn a_hold_expires_with_the_clock() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb);
    let first = hold(&sg, HUNDRED).unwrap();
    let err = hold(&sg, HUNDRED).unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherLocked);
    // (A margin below 300 s: real seconds tick on while the test runs.)
    sb.advance_clock(Duration::from_secs(290));
    assert_eq!(
        hold(&sg, HUNDRED).unwrap_err().kind,
        ErrorKind::VoucherLocked
    );
    sb.advance_clock(Duration::from_secs(11));
    let second = hold(&sg, HUNDRED).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        release(&sg, HUNDRED, &first).unwrap_err().kind,
        ErrorKind::VoucherNotHeld
    );
    release(&sg, HUNDRED, &second).unwrap();
}

#[test]
fn experiences_are_redeemed_by_bit_and_reversed_by_id() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb);
    let done = sg
        .redeem(&RedeemRequest::experiences(EXPERIENCE, 12, vec![1, 4]))
        .unwrap();
    assert_eq!(done.redemptions.len(), 2, "one id per experience");
    assert_eq!(remaining(&sg, EXPERIENCE), dec("10"));

    // Used already, or not redeemable at this site: the same refusal.
    for (bits, site) in [(vec![1], 12), (vec![2], 12)] {
        let err = sg
            .redeem(&RedeemRequest::experiences(EXPERIENCE, site, bits))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidAmount);
    }
    let ids: Vec<i64> = done.redemptions.iter().map(|&id| id as i64).collect();
    let reverse = |ids: Vec<i64>| {
        sg.reverse(&ReverseRequest {
            reference: None,
            voucher_no: EXPERIENCE.into(),
            site_id: 12.into(),
            redemptions: ids,
        })
    };
    assert_eq!(
        reverse(ids.clone()).unwrap().message,
        "Redemption reversal complete"
    );
    assert_eq!(remaining(&sg, EXPERIENCE), dec("15"));
    let err = reverse(ids).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ProviderError);
    assert_eq!(err.field.as_deref(), Some("redemptions"));
    assert_eq!(
        err.message,
        "Please provide a valid list of redemptions to reverse"
    );
}

#[test]
fn eight_tills_redeem_one_voucher_and_exactly_one_succeeds() {
    let sb = Sandbox::start().unwrap();
    let sg = smartgift(&sb);
    let sp = spaaza(&sb);
    let barrier = Barrier::new(16);
    let (gift, spaaza): (Vec<_>, Vec<_>) = std::thread::scope(|s| {
        let gift: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    sg.redeem(&RedeemRequest::money(TWENTY_FIVE, 12, "25.00"))
                })
            })
            .collect();
        let spaaza: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    sp.redeem_voucher(&by_key(SEED_KEY))
                })
            })
            .collect();
        (
            gift.into_iter().map(|h| h.join().unwrap()).collect(),
            spaaza.into_iter().map(|h| h.join().unwrap()).collect(),
        )
    });
    for (name, results) in [
        (
            "smart gift",
            gift.iter()
                .map(|r| r.as_ref().err().map(|e| e.kind))
                .collect::<Vec<_>>(),
        ),
        (
            "spaaza",
            spaaza
                .iter()
                .map(|r| r.as_ref().err().map(|e| e.kind))
                .collect(),
        ),
    ] {
        assert_eq!(
            results.iter().filter(|r| r.is_none()).count(),
            1,
            "{name}: {results:?}"
        );
        assert!(
            results
                .iter()
                .flatten()
                .all(|k| *k == ErrorKind::VoucherAlreadyRedeemed),
            "{name}: {results:?}"
        );
    }
}

// ---- Spaaza ----------------------------------------------------------------

/// The field order of the redeem-voucher seed's top-level voucher.
const SEED_FIELDS: [&str; 37] = [
    "voucher_key",
    "voucher_id",
    "voucher_created_datetime",
    "voucher_type",
    "voucher_status",
    "voucher_locked",
    "campaign_id",
    "campaign_type",
    "campaign_title",
    "campaign_image_filename",
    "campaign_image_url",
    "campaign_image_link",
    "campaign_image_dimension_x",
    "campaign_image_dimension_y",
    "voucher_expiry_datetime_utc",
    "voucher_expiry_seconds_remaining",
    "task",
    "voucher_redeemed_datetime",
    "generating_return_transaction",
    "parent_voucher",
    "voucher_title",
    "voucher_text",
    "voucher_description",
    "voucher_notes",
    "voucher_honour_code",
    "voucher_image_url",
    "voucher_discount_ratio",
    "voucher_currency_id",
    "voucher_currency_symbol",
    "voucher_amount_original",
    "voucher_amount_redeemed",
    "voucher_amount",
    "redeeming_basket",
    "user_id",
    "user_entity_card",
    "regenerated_voucher",
    "result_type",
];

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn a_partial_redeem_regenerates_the_rest_which_can_be_redeemed_in_turn() {
    let sb = Sandbox::start().unwrap();
    let sp = spaaza(&sb);
    let mut req = by_key(SEED_KEY);
    req.amount = Some("2.00".into());
    let v = sp.redeem_voucher(&req).unwrap();
    assert_eq!(v.voucher_status.as_deref(), Some("redeemed"));
    assert_eq!(v.voucher_amount_original, Some(dec("10")));
    assert_eq!(v.voucher_amount_redeemed, Some(dec("2")));
    assert_eq!(v.voucher_amount, Some(dec("2")));
    assert_eq!(keys(&v.raw), SEED_FIELDS);

    let rest = v.regenerated_voucher.expect("regenerated_voucher");
    assert_eq!(rest.voucher_status.as_deref(), Some("generated"));
    assert_eq!(rest.voucher_amount, Some(dec("8")));
    assert_eq!(rest.voucher_amount_original, Some(dec("8")));
    assert_eq!(rest.voucher_amount_redeemed, Some(dec("0")));
    let rest_key = rest.voucher_key.clone().unwrap();
    assert!(rest_key.len() == 64 && rest_key.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(rest_key, SEED_KEY);
    let parent = &rest.raw["parent_voucher"];
    assert_eq!(parent["voucher_id"], json!(SEED_ID));
    assert_eq!(parent["voucher_amount_redeemed"], json!(2));
    let regenerated_seed_fields: Vec<&str> = SEED_FIELDS
        .iter()
        .copied()
        .filter(|k| {
            ![
                "task",
                "user_id",
                "user_entity_card",
                "regenerated_voucher",
                "result_type",
            ]
            .contains(k)
        })
        .collect();
    assert_eq!(keys(&rest.raw), regenerated_seed_fields);

    // The original is spent; the regenerated voucher is redeemed whole.
    let err = sp.redeem_voucher(&by_key(SEED_KEY)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherAlreadyRedeemed);
    let last = sp.redeem_voucher(&by_id(rest.voucher_id.unwrap())).unwrap();
    assert_eq!(last.voucher_amount, Some(dec("8")));
    assert_eq!(last.voucher_status.as_deref(), Some("redeemed"));
    assert!(last.regenerated_voucher.is_none());
    assert_eq!(last.raw["parent_voucher"]["voucher_id"], json!(SEED_ID));
}

#[test]
fn get_vouchers_shows_where_the_rest_of_a_partly_redeemed_voucher_went() {
    let sb = Sandbox::start().unwrap();
    let sp = spaaza(&sb);
    let read = |id: i64| {
        let list = sp
            .get_vouchers(&GetVouchersRequest {
                chain_id: 2,
                voucher_id: Some(id),
                show_all_statuses: true,
                ..GetVouchersRequest::default()
            })
            .unwrap();
        assert_eq!(list.vouchers.len(), 1, "{list:?}");
        list.vouchers.into_iter().next().unwrap()
    };
    // Before any redeem there is no rest to point at.
    assert!(read(SEED_ID).raw.get("regenerated_voucher").is_none());

    let mut req = by_id(SEED_ID);
    req.amount = Some("2.00".into());
    let answer = sp.redeem_voucher(&req).unwrap();
    let rest = answer.regenerated_voucher.expect("regenerated_voucher");
    let rest_id = rest.voucher_id.unwrap();

    let parent = read(SEED_ID);
    assert_eq!(parent.voucher_status.as_deref(), Some("redeemed"));
    let listed = parent
        .regenerated_voucher
        .expect("get-vouchers names the regenerated voucher");
    assert_eq!(listed.voucher_id, Some(rest_id));
    assert_eq!(listed.voucher_key, rest.voucher_key);
    assert_eq!(listed.voucher_status.as_deref(), Some("generated"));
    assert_eq!(listed.voucher_amount, Some(dec("8")));
    // The short form, as unlock-voucher answers (without its `result_type`).
    let short = sp
        .unlock_voucher(&UnlockVoucherRequest {
            voucher_id: Some(rest_id),
            ..UnlockVoucherRequest::default()
        })
        .unwrap();
    let short_keys: Vec<&str> = keys(&short.raw)
        .into_iter()
        .filter(|k| *k != "result_type")
        .collect();
    assert_eq!(keys(&parent.raw["regenerated_voucher"]), short_keys);

    // The new voucher points back, and names no rest of its own until it is split too;
    // the listing shows its state now.
    let child = read(rest_id);
    assert_eq!(child.raw["parent_voucher_id"], json!(SEED_ID));
    assert!(child.regenerated_voucher.is_none());
    sp.redeem_voucher(&by_id(rest_id)).unwrap();
    let parent = read(SEED_ID);
    assert_eq!(
        parent
            .regenerated_voucher
            .unwrap()
            .voucher_status
            .as_deref(),
        Some("redeemed")
    );
    assert!(
        read(rest_id).regenerated_voucher.is_none(),
        "redeemed whole"
    );

    // A voucher redeemed whole has no rest.
    sp.redeem_voucher(&by_id(35_735)).unwrap();
    assert!(read(35_735).raw.get("regenerated_voucher").is_none());
}

/// A journaled partial redeem whose answer is lost: reconcile reads the voucher with
/// get-vouchers, finds it redeemed, and its entry's result names the new voucher.
#[test]
fn reconcile_after_a_lost_partial_redeem_learns_the_regenerated_voucher() {
    let sb = Sandbox::start().unwrap();
    let journal = Journal::in_memory().unwrap();
    let mut config = SpaazaConfig::admin(sb.spaaza_session_user_id(), sb.spaaza_session_key());
    config.journal = Some(journal.clone());
    config.base_url = Some(sb.spaaza_url());
    config.options = options(Duration::from_millis(600));
    let sp = Spaaza::new(config).unwrap();
    sb.inject(
        FaultRule::fault("/spaaza/auth/redeem-voucher", Fault::Stall)
            .processed()
            .times(1),
    );
    let mut req = by_id(SEED_ID);
    req.amount = Some("2.00".into());
    req.reference = Some("basket-7".into());
    let err = sp.redeem_voucher(&req).unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown, "{err}");

    let settled = sp.reconcile().unwrap();
    assert_eq!(settled.len(), 1, "{settled:#?}");
    let e = &settled[0];
    assert_eq!(e.state, EntryState::Applied, "{e:#?}");
    let rest = &e.result.as_ref().unwrap()["regenerated_voucher"];
    assert_eq!(rest["voucher_status"], "generated", "{e:#?}");
    assert_eq!(rest["voucher_amount"], "8", "{e:#?}");
    let state = serde_json::to_value(sb.state()).unwrap();
    let newest = state["spaaza"]["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["parent_voucher_id"] == json!(SEED_ID))
        .cloned()
        .expect("the sandbox regenerated a voucher");
    assert_eq!(rest["voucher_id"], newest["voucher_id"]);
    assert_eq!(rest["voucher_key"], newest["voucher_key"]);
}

#[test]
fn a_locked_voucher_cannot_be_redeemed_until_unlocked() {
    let sb = Sandbox::start().unwrap();
    let sp = spaaza(&sb);
    let lock = |basket: &str| {
        sp.lock_voucher(&LockVoucherRequest {
            voucher_id: Some(35_735),
            retailer_basket_code: basket.into(),
            voucher_lock_period: Some(300),
            voucher_locking_code: Some("till-7".into()),
            ..LockVoucherRequest::default()
        })
    };
    let locked = lock("RCPT-1").unwrap();
    assert_eq!(locked.voucher_locked, Some(true));
    assert_eq!(
        locked.voucher_retailer_basket_code_exclusive.as_deref(),
        Some("RCPT-1")
    );
    assert_eq!(locked.voucher_locking_code.as_deref(), Some("till-7"));
    assert!(locked.voucher_locked_until.is_some());
    assert_eq!(lock("RCPT-2").unwrap_err().kind, ErrorKind::VoucherLocked);
    lock("RCPT-1").expect("the same basket may lock again");
    assert_eq!(
        sp.redeem_voucher(&by_id(35_735)).unwrap_err().kind,
        ErrorKind::VoucherLocked
    );

    let unlocked = sp
        .unlock_voucher(&UnlockVoucherRequest {
            voucher_id: Some(35_735),
            ..UnlockVoucherRequest::default()
        })
        .unwrap();
    assert_eq!(unlocked.voucher_locked, Some(false));
    assert_eq!(unlocked.raw["result_type"], "unlock-voucher");
    assert_eq!(
        sp.redeem_voucher(&by_id(35_735)).unwrap().voucher_amount,
        Some(dec("5"))
    );

    // A lock also ends with its period.
    sp.lock_voucher(&LockVoucherRequest {
        voucher_key: Some(SEED_KEY.into()),
        retailer_basket_code: "RCPT-3".into(),
        voucher_lock_period: Some(60),
        ..LockVoucherRequest::default()
    })
    .unwrap();
    sb.advance_clock(Duration::from_secs(61));
    sp.redeem_voucher(&by_key(SEED_KEY)).unwrap();
}

#[test]
fn unclaim_and_claim_round_trip() {
    let sb = Sandbox::start().unwrap();
    let sp = spaaza(&sb);
    let req = |user_id: i64| ClaimRequest {
        chain_id: Some(2),
        voucher_id: Some(35_735),
        user_id: Some(user_id),
        ..ClaimRequest::default()
    };
    let v = sp.unclaim_voucher(&req(1_107_604)).unwrap();
    assert_eq!(v.voucher_status.as_deref(), Some("generated"));
    assert_eq!(v.user_id, Some(1_107_604), "unclaim keeps the user");
    assert_eq!(v.raw["result_type"], "unclaim-voucher");
    assert_eq!(
        v.raw["user_entity_card"],
        json!({"type": "custom", "code": "404064"})
    );
    let err = sp.unclaim_voucher(&req(1_107_604)).unwrap_err();
    assert_eq!(err.provider_code.as_deref(), Some("voucher_not_claimed"));

    let v = sp.claim_voucher(&req(1_107_605)).unwrap();
    assert_eq!(v.voucher_status.as_deref(), Some("claimed"));
    assert_eq!(v.user_id, Some(1_107_605));
    assert_eq!(v.raw["result_type"], "claim-voucher");

    // The end-user's own session, with the chain's app hostname.
    let mut user = SpaazaConfig::admin(1_107_604, "demo-acme-user-session-jane");
    user.auth = SpaazaAuth::User;
    user.app_hostname = Some("acme.spaaza.com".into());
    let jane = spaaza_with(&sb, user.clone());
    let v = jane
        .claim_voucher(&ClaimRequest {
            voucher_key: Some(
                "a8c34c86c136e5ddf0ad374e140aa1e3504ebbf23d76d84788677268fd99b809".into(),
            ),
            ..ClaimRequest::default()
        })
        .unwrap();
    assert_eq!(v.user_id, Some(1_107_604));
    assert_eq!(v.voucher_third_party_id, Some(3_914_599_659));
    user.app_hostname = Some("globex.spaaza.com".into());
    let err = spaaza_with(&sb, user)
        .unclaim_voucher(&ClaimRequest {
            voucher_id: Some(40_577),
            ..ClaimRequest::default()
        })
        .unwrap_err();
    assert_eq!(err.provider_code.as_deref(), Some("no_myprice_app"));
}

#[test]
fn get_vouchers_shows_a_redeemed_voucher_only_when_asked() {
    let sb = Sandbox::start().unwrap();
    let sp = spaaza(&sb);
    let list = |all: bool| {
        sp.get_vouchers(&GetVouchersRequest {
            chain_id: 2,
            voucher_id: Some(40_577),
            show_all_statuses: all,
            ..GetVouchersRequest::default()
        })
        .unwrap()
    };
    assert_eq!(
        list(false).vouchers[0].voucher_status.as_deref(),
        Some("generated")
    );
    sp.redeem_voucher(&by_id(40_577)).unwrap();
    assert_eq!(list(false).results_count_total, Some(0));
    let after = list(true);
    assert_eq!(after.results_count_total, Some(1));
    let v = &after.vouchers[0];
    assert_eq!(v.voucher_status.as_deref(), Some("redeemed"));
    assert_eq!(v.voucher_type.as_deref(), Some("basket"));
    assert_eq!(v.voucher_amount_redeemed, Some(dec("20")));

    // The whole chain: live vouchers only by default (not chain 3's).
    let all = sp
        .get_vouchers(&GetVouchersRequest {
            chain_id: 2,
            ..GetVouchersRequest::default()
        })
        .unwrap();
    let ids: Vec<i64> = all.vouchers.iter().map(|v| v.voucher_id.unwrap()).collect();
    assert_eq!(ids, [SEED_ID, 35_735, 438_003]);
}

#[test]
fn spaaza_errors_come_from_the_state() {
    let sb = Sandbox::start().unwrap();
    let sp = spaaza(&sb);
    let fails = |req: RedeemVoucherRequest| sp.redeem_voucher(&req).unwrap_err();
    let err = fails(by_id(438_002));
    assert_eq!(
        (err.kind, err.http_status),
        (ErrorKind::VoucherExpired, Some(400))
    );
    assert_eq!(
        fails(by_id(438_001)).kind,
        ErrorKind::VoucherAlreadyRedeemed
    );
    let err = fails(by_id(999));
    assert_eq!(
        (err.kind, err.provider_code.as_deref()),
        (ErrorKind::VoucherNotFound, Some("voucher_not_found"))
    );
    // Another chain's voucher: Spaaza's permission error, sent with HTTP 500.
    let err = fails(RedeemVoucherRequest {
        chain_id: 2,
        voucher_id: Some(500_001),
        ..RedeemVoucherRequest::default()
    });
    assert_eq!(
        (err.kind, err.http_status, err.provider_code.as_deref()),
        (
            ErrorKind::PermissionDenied,
            Some(500),
            Some("permission_denied_or_non_existent")
        )
    );
    let mut too_much = by_key(SEED_KEY);
    too_much.amount = Some("10.01".into());
    assert_eq!(fails(too_much).kind, ErrorKind::InvalidAmount);

    let stranger = spaaza_with(&sb, SpaazaConfig::admin(1, "not-the-key"));
    let err = stranger.redeem_voucher(&by_key(SEED_KEY)).unwrap_err();
    assert_eq!(
        (err.kind, err.http_status, err.provider_code.as_deref()),
        (
            ErrorKind::Authentication,
            Some(401),
            Some("no_valid_session")
        )
    );
    // Privileged auth: a bearer token plus the chain's app hostname.
    let privileged = |token: &str| {
        let mut config = SpaazaConfig::admin(1, "unused");
        config.auth = SpaazaAuth::Privileged;
        config.session_user_id = None;
        config.session_key = None;
        config.bearer_token = Some(token.into());
        config.app_hostname = Some("acme.spaaza.com".into());
        spaaza_with(&sb, config)
    };
    let err = privileged("wrong")
        .redeem_voucher(&by_id(35_735))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Authentication);
    let v = privileged("demo-acme-privileged-token")
        .redeem_voucher(&by_id(35_735))
        .unwrap();
    assert_eq!(v.voucher_status.as_deref(), Some("redeemed"));

    // Nothing above changed the voucher.
    assert_eq!(
        sp.redeem_voucher(&by_key(SEED_KEY)).unwrap().voucher_amount,
        Some(dec("10"))
    );
}

// ---- faults, control, data -------------------------------------------------

#[test]
fn a_redeem_whose_answer_is_lost_happened_and_check_shows_it() {
    let sb = Sandbox::start().unwrap();
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Stall)
            .processed()
            .times(1),
    );
    let impatient = smartgift_with(&sb, &sb.smartgift_key(), Duration::from_millis(800));
    let err = impatient
        .redeem(&RedeemRequest::money(HUNDRED, 12, "10.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    // Reconcile: the provider acted.
    let sg = smartgift(&sb);
    assert_eq!(remaining(&sg, HUNDRED), dec("90"));

    // A gateway error without processing: outcome unknown too, but nothing happened.
    sb.inject(
        FaultRule::new(
            "/smartgift/redeem",
            Answer::text(502, "text/html", "<html>Bad Gateway</html>"),
        )
        .times(1),
    );
    let err = sg
        .redeem(&RedeemRequest::money(HUNDRED, 12, "10.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(remaining(&sg, HUNDRED), dec("90"));

    // A processed answer cut in half.
    sb.inject(FaultRule::fault("/smartgift/redeem", Fault::Truncate).processed());
    let err = sg
        .redeem(&RedeemRequest::money(HUNDRED, 12, "1.00"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    sb.clear_faults();
    assert_eq!(remaining(&sg, HUNDRED), dec("89"));
    let paths: Vec<String> = sb.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.len(), 6);
    assert!(paths.iter().all(|p| p.starts_with("/smartgift/redeem")));
}

/// One raw HTTP/1.1 request; returns the status and the JSON body.
fn raw(sb: &Sandbox, method: &str, path: &str, headers: &str, body: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(("127.0.0.1", sb.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n{headers}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn the_control_endpoint_drives_it_over_http() {
    let sb = Sandbox::start().unwrap();
    let key = format!(
        "Smart-Auth: {}\r\nContent-Type: application/json\r\n",
        sb.smartgift_key()
    );
    let check = format!(r#"{{"voucher_no":"{HUNDRED}","site_id":"12"}}"#);
    let hold_body = format!(r#"{{"voucher_no":"{HUNDRED}"}}"#);

    assert_eq!(
        raw(&sb, "GET", "/__sandbox/health", "", ""),
        (200, json!({"ok": true}))
    );
    let rule = json!([{"path": "/smartgift/redeem/check", "times": 1,
        "answer": {"status": 429, "headers": {"Retry-After": "30"}, "body": {"message": "Too Many Attempts."}}}]);
    assert_eq!(
        raw(&sb, "POST", "/__sandbox/faults", "", &rule.to_string()),
        (200, json!({"faults": 1}))
    );
    let (status, body) = raw(&sb, "POST", "/smartgift/redeem/check", &key, &check);
    assert_eq!(
        (status, body["message"].as_str()),
        (429, Some("Too Many Attempts."))
    );
    let (status, body) = raw(&sb, "POST", "/smartgift/redeem/check", &key, &check);
    assert_eq!(
        (status, &body["data"]["remaining_value"]),
        (200, &json!(100))
    );
    let (status, body) = raw(&sb, "POST", "/__sandbox/faults", "", r#"{"path": "nope"}"#);
    assert_eq!(status, 400, "{body}");

    // The clock, over HTTP.
    assert_eq!(
        raw(&sb, "POST", "/smartgift/redeem/hold", &key, &hold_body).0,
        200
    );
    assert_eq!(
        raw(&sb, "POST", "/smartgift/redeem/hold", &key, &hold_body).0,
        422
    );
    let (status, now) = raw(
        &sb,
        "POST",
        "/__sandbox/clock",
        "",
        r#"{"advance_seconds": 301}"#,
    );
    assert_eq!(status, 200);
    assert!(now["now"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(
        raw(&sb, "POST", "/smartgift/redeem/hold", &key, &hold_body).0,
        200
    );

    // State and log.
    let redeem = format!(r#"{{"voucher_no":"{TWENTY_FIVE}","site_id":"12","value":5}}"#);
    assert_eq!(raw(&sb, "POST", "/smartgift/redeem", &key, &redeem).0, 200);
    let (_, data) = raw(&sb, "GET", "/__sandbox/data", "", "");
    assert_eq!(data["smartgift"]["vouchers"][1]["value"], "20.00");
    assert_eq!(data["smartgift"]["holds"].as_array().unwrap().len(), 1);
    let (_, log) = raw(&sb, "GET", "/__sandbox/requests", "", "");
    assert_eq!(log.as_array().unwrap().len(), 6);
    assert_eq!(log[5]["path"], "/smartgift/redeem");

    // Faults cleared, reset to the start.
    let rule = r#"{"path": "/smartgift/redeem", "answer": {"fault": {"kind": "close"}}}"#;
    assert_eq!(raw(&sb, "POST", "/__sandbox/faults", "", rule).0, 200);
    assert_eq!(
        raw(&sb, "DELETE", "/__sandbox/faults", "", ""),
        (200, json!({"cleared": 1}))
    );
    assert_eq!(raw(&sb, "POST", "/__sandbox/reset", "", "").0, 200);
    let (_, data) = raw(&sb, "GET", "/__sandbox/data", "", "");
    assert_eq!(
        serde_json::from_value::<DataSet>(data).unwrap(),
        DataSet::demo()
    );
    assert!(sb.requests().is_empty());
    assert_eq!(raw(&sb, "GET", "/nowhere", "", "").0, 404);
}

#[test]
fn spaaza_takes_url_encoded_and_multipart_forms() {
    let sb = Sandbox::start().unwrap();
    let admin = format!(
        "X-Spaaza-Session-User-Id: {}\r\nX-Spaaza-Session-Key: {}\r\n",
        sb.spaaza_session_user_id(),
        sb.spaaza_session_key()
    );
    let form = format!("{admin}Content-Type: application/x-www-form-urlencoded\r\n");
    let (status, body) = raw(
        &sb,
        "PUT",
        "/spaaza/unlock-voucher",
        &form,
        "voucher_id=35735",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], json!({"code": 1, "status": "ok"}));
    let unlock_seed_fields = [
        "voucher_key",
        "voucher_id",
        "voucher_status",
        "voucher_locked",
        "campaign_id",
        "campaign_type",
        "campaign_title",
        "voucher_expiry_datetime_utc",
        "voucher_expiry_seconds_remaining",
        "voucher_currency_id",
        "voucher_currency_symbol",
        "voucher_amount_original",
        "voucher_amount_redeemed",
        "voucher_amount",
        "voucher_text",
        "user_id",
        "user_entity_card",
        "result_type",
    ];
    assert_eq!(keys(&body["results"]), unlock_seed_fields);

    let multipart = format!("{admin}Content-Type: multipart/form-data; boundary=XyZ\r\n");
    let parts = "--XyZ\r\nContent-Disposition: form-data; name=\"voucher_id\"\r\n\r\n438595\r\n\
                 --XyZ\r\nContent-Disposition: form-data; name=\"chain_id\"\r\n\r\n2\r\n\
                 --XyZ\r\nContent-Disposition: form-data; name=\"amount\"\r\n\r\n2.5\r\n--XyZ--\r\n";
    let (status, body) = raw(
        &sb,
        "POST",
        "/spaaza/auth/redeem-voucher",
        &multipart,
        parts,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["results"]["regenerated_voucher"]["voucher_amount"],
        json!(7.5)
    );

    let (status, body) = raw(
        &sb,
        "POST",
        "/spaaza/auth/redeem-voucher",
        &form,
        "voucher_id=35735",
    );
    assert_eq!(status, 400);
    assert_eq!(body["error"]["name"], "missing_parameter");
    assert_eq!(body["result"], json!({"code": 2, "status": "error"}));
    assert_eq!(raw(&sb, "POST", "/spaaza/lock-voucher", &form, "").0, 405);
}

#[test]
fn data_sets_round_trip_and_load_from_files() {
    let demo = DataSet::demo();
    assert_eq!(DataSet::from_json(&demo.to_json_pretty()).unwrap(), demo);

    let custom = r#"{
      "smartgift": {
        "companies": [{"id": 7, "name": "Tea Rooms", "api_keys": ["sk_tea"], "sites": ["1"]}],
        "vouchers": [{"voucher_no": "TEA-1", "company_id": 7, "type": "monetary",
                      "name": "Tea for two", "value": "12.50", "valid_until": "2031-01-01T00:00:00Z"}]
      },
      "spaaza": {
        "chains": [{"id": 9, "name": "Shop", "app_hostname": "shop.spaaza.com",
                    "admins": [{"user_id": 90, "session_key": "k90"}]}],
        "vouchers": [{"voucher_id": 1, "voucher_key": "ab", "chain_id": 9, "status": "generated",
                      "amount": "4", "campaign_id": 1, "campaign_title": "C", "campaign_type": "loyalty",
                      "expiry": "2031-01-01 00:00:00"}]
      }
    }"#;
    let dir = std::env::temp_dir().join(format!(
        "voucherkit-sandbox-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("data.json");
    std::fs::write(&file, custom).unwrap();
    let data = DataSet::load(&file).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(DataSet::load(&dir.join("missing.json")).is_err());

    // Pinned to 2030 so the voucher is valid, whatever today is.
    let start = UNIX_EPOCH + Duration::from_secs(1_893_456_000);
    let sb = Sandbox::start_with(SandboxOptions {
        data: Some(data.clone()),
        start_time: Some(start),
        ..SandboxOptions::default()
    })
    .unwrap();
    assert_eq!(sb.data(), &data);
    assert_eq!(sb.smartgift_key(), "sk_tea");
    assert_eq!(
        (
            sb.spaaza_session_user_id(),
            sb.spaaza_session_key().as_str()
        ),
        (90, "k90")
    );
    assert!(sb.now().duration_since(start).unwrap() < Duration::from_secs(60));
    let sg = smartgift(&sb);
    let v = sg.check(&CheckRequest::new("TEA-1", "1")).unwrap();
    assert_eq!(v.remaining_value, Some(dec("12.5")));
    let v = spaaza(&sb)
        .redeem_voucher(&RedeemVoucherRequest {
            chain_id: 9,
            voucher_key: Some("ab".into()),
            ..RedeemVoucherRequest::default()
        })
        .unwrap();
    assert_eq!(v.voucher_amount, Some(dec("4")));
    // A year later the Smart Gift voucher has expired.
    sb.advance_clock(Duration::from_secs(366 * 86_400));
    let err = sg.check(&CheckRequest::new("TEA-1", "1")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::VoucherExpired);
    sb.reset();
    assert!(sg.check(&CheckRequest::new("TEA-1", "1")).is_ok());

    let broken = SandboxOptions {
        data: Some(DataSet::from_json(r#"{"spaaza": {}}"#).unwrap()),
        ..SandboxOptions::default()
    };
    assert!(
        Sandbox::start_with(broken).is_ok(),
        "an empty data set is fine"
    );
    let mut bad = DataSet::demo();
    bad.smartgift.vouchers[0].company_id = 42;
    let err = Sandbox::start_with(SandboxOptions {
        data: Some(bad),
        ..SandboxOptions::default()
    })
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn the_example_in_data_md_loads() {
    let doc = include_str!("../DATA.md");
    let start = doc.find("```json\n").expect("a JSON example") + 8;
    let len = doc[start..].find("```").unwrap();
    let data = DataSet::from_json(&doc[start..start + len]).expect("DATA.md's example");
    assert_eq!(data.smartgift.vouchers.len(), 2);
    assert_eq!(data.spaaza.vouchers[0].voucher_key.len(), 64);
    let sb = Sandbox::start_with(SandboxOptions {
        data: Some(data),
        ..SandboxOptions::default()
    })
    .unwrap();
    let v = smartgift(&sb)
        .check(&CheckRequest::new("TEA-0002", "1"))
        .unwrap();
    assert_eq!(v.experiences.len(), 1, "the fizz is only at site 2");
}

#[test]
fn a_sandbox_is_shareable_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Sandbox>();
    send_sync::<FaultRule>();
    send_sync::<DataSet>();
}

#[test]
fn a_fixed_port_and_stop() {
    let port = {
        let probe = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        probe.local_addr().unwrap().port()
    };
    let sb = Sandbox::start_with(SandboxOptions {
        port: Some(port),
        ..SandboxOptions::default()
    })
    .unwrap();
    assert_eq!(sb.port(), port);
    assert_eq!(sb.url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(sb.spaaza_url(), format!("http://127.0.0.1:{port}/spaaza"));
    sb.stop();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}
