//! Spaaza tills against the emulator: partial redeems and the regenerated voucher,
//! get-vouchers, reconcile after a lost answer, locks, claim/unclaim, errors from the state.

use std::time::Duration;

use serde_json::json;
use voucherkit_core::ErrorKind;
use voucherkit_core::journal::{EntryState, Journal};
use voucherkit_core::spaaza::{
    ClaimRequest, GetVouchersRequest, LockVoucherRequest, RedeemVoucherRequest, Spaaza, SpaazaAuth,
    SpaazaConfig, UnlockVoucherRequest,
};
use voucherkit_sandbox::{Fault, FaultRule, Sandbox};

use crate::support::{SEED_ID, SEED_KEY, by_id, by_key, dec, keys, options, spaaza, spaaza_with};

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
