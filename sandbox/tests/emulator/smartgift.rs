//! Smart Gift tills against the emulator: check, hold, redeem, release, seed errors
//! from the state, expiring holds, experiences, concurrent redeems of one voucher.

use std::sync::Barrier;
use std::time::Duration;

use voucherkit_core::ErrorKind;
use voucherkit_core::smartgift::{CheckRequest, RedeemRequest, ReverseRequest};
use voucherkit_sandbox::Sandbox;

use crate::support::{
    EXPERIENCE, EXPIRED, HUNDRED, NOT_YET_VALID, OTHER_COMPANY, SEED_KEY, SPENT, TWENTY_FIVE,
    by_key, dec, hold, release, remaining, smartgift, smartgift_with, spaaza,
};

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
