//! `voucherkit demo`: a whole till session against an embedded sandbox, printed as a
//! till developer would want to read it. Nothing leaves 127.0.0.1.

use std::time::Duration;

use voucherkit_core::journal::{EntryState, Journal};
use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, RedeemRequest, ReleaseRequest, ReverseRequest, SmartGift,
    SmartGiftConfig,
};
use voucherkit_core::spaaza::{RedeemVoucherRequest, Spaaza, SpaazaConfig};
use voucherkit_core::{ClientOptions, Decimal, Error, ErrorKind, Result};
use voucherkit_sandbox::{Fault, FaultRule, Sandbox};

use crate::output::describe_error;

/// The demo data set's vouchers this session uses (see `voucherkit sandbox`).
const SITE: i64 = 12;
const GIFT_100: &str = "1000000001";
const GIFT_25: &str = "1000000002";
const EXPIRED: &str = "1000000004";
const SPENT: &str = "1000000005";
const OTHER_COMPANY: &str = "2000000001";
const SPAAZA_CHAIN: i64 = 2;
const SPAAZA_VOUCHER: i64 = 438595;

fn money(d: Option<Decimal>) -> String {
    d.map(|d| format!("{:.2}", d)).unwrap_or_else(|| "?".into())
}

/// The message of the error that ends the session early when stdout was closed.
const STDOUT_GONE: &str = "stdout was closed: the demo stops";

/// Shows the next step; once nobody reads stdout (`voucherkit demo | head -3`) the session
/// stops here instead of running on unseen.
fn step(n: &mut u32, what: &str) -> Result<()> {
    if crate::output::stdout_closed() {
        return Err(Error::internal(STDOUT_GONE));
    }
    *n += 1;
    outln!("\n  {n}. {what}");
    Ok(())
}

fn show_error(e: &Error) {
    for line in describe_error(e).lines() {
        outln!("     {line}");
    }
}

fn options(timeout: Duration) -> ClientOptions {
    ClientOptions {
        timeout,
        binding: "cli demo".into(),
        warning_logger: Some(crate::output::warnings_to_stderr()),
        ..ClientOptions::default()
    }
}

/// Runs the session; 0 when every step behaved as the demo expects.
pub fn run() -> i32 {
    let sandbox = match Sandbox::start() {
        Ok(sb) => sb,
        Err(e) => {
            errln!("error: could not start the embedded sandbox: {e}");
            return 24;
        }
    };
    match session(&sandbox) {
        Ok(()) => {
            outln!(
                "\nDone. Run `voucherkit sandbox` to keep a sandbox running for your own till code."
            );
            0
        }
        // The reader went away: stop quietly, as `yes | head` does.
        Err(e) if e.message == STDOUT_GONE => 0,
        Err(e) => {
            errln!(
                "\nThe demo hit an unexpected error:\n{}",
                describe_error(&e)
            );
            crate::output::exit_code(&e)
        }
    }
}

fn session(sb: &Sandbox) -> Result<()> {
    outln!(
        "voucherkit demo — a till session against an embedded sandbox (nothing leaves this machine)"
    );
    outln!(
        "  sandbox: {}  (Smart Gift at {}, Spaaza at {})",
        sb.url(),
        sb.smartgift_url(),
        sb.spaaza_url()
    );

    let sg = SmartGift::new(SmartGiftConfig {
        base_url: Some(sb.smartgift_url()),
        options: options(Duration::from_secs(10)),
        ..SmartGiftConfig::new(sb.smartgift_key())
    })?;
    let mut n = 0;

    outln!(
        "\nSmart Gift — a customer pays £30.00 of a bill with a £100 gift voucher at site {SITE}"
    );
    step(&mut n, &format!("check voucher {GIFT_100}"))?;
    let v = sg.check(&CheckRequest::new(GIFT_100, SITE))?;
    outln!(
        "     {} ({}): £{} left",
        v.name.as_deref().unwrap_or("?"),
        v.voucher_type.as_deref().unwrap_or("?"),
        money(v.remaining_value)
    );

    step(&mut n, "hold it while the bill is settled")?;
    let hold = sg.hold(&HoldRequest {
        voucher_no: GIFT_100.into(),
    })?;
    outln!(
        "     {} — token {} (lasts about 5 minutes)",
        hold.message,
        hold.hold_token
    );

    step(&mut n, "redeem £30.00 under the hold")?;
    let redeemed = sg.redeem(&RedeemRequest {
        hold_token: Some(hold.hold_token.clone()),
        ..RedeemRequest::money(GIFT_100, SITE, "30.00")
    })?;
    outln!(
        "     {} — redemption ids {:?} (keep them: reverse needs them)",
        redeemed.message,
        redeemed.redemptions
    );

    step(&mut n, "check again")?;
    let v = sg.check(&CheckRequest::new(GIFT_100, SITE))?;
    outln!("     £{} left", money(v.remaining_value));

    step(
        &mut n,
        "the waiter keyed the wrong bill: reverse the redemption",
    )?;
    let reversed = sg.reverse(&ReverseRequest {
        reference: None,
        voucher_no: GIFT_100.into(),
        site_id: SITE.into(),
        redemptions: redeemed.redemptions.iter().map(|&id| id as i64).collect(),
    })?;
    let v = sg.check(&CheckRequest::new(GIFT_100, SITE))?;
    outln!(
        "     {} — £{} left again",
        reversed.message,
        money(v.remaining_value)
    );

    step(
        &mut n,
        &format!("another customer holds voucher {GIFT_25}, then changes their mind: release"),
    )?;
    let hold = sg.hold(&HoldRequest {
        voucher_no: GIFT_25.into(),
    })?;
    let released = sg.release(&ReleaseRequest {
        voucher_no: GIFT_25.into(),
        hold_token: hold.hold_token,
    })?;
    outln!("     {}", released.message);

    outln!("\nSpaaza — redeem €2.00 of a €10 basket voucher; Spaaza re-issues the rest");
    let sp = Spaaza::new(SpaazaConfig {
        base_url: Some(sb.spaaza_url()),
        options: options(Duration::from_secs(10)),
        ..SpaazaConfig::admin(sb.spaaza_session_user_id(), sb.spaaza_session_key())
    })?;
    step(
        &mut n,
        &format!("redeem-voucher {SPAAZA_VOUCHER} amount 2.00 (chain {SPAAZA_CHAIN})"),
    )?;
    let v = sp.redeem_voucher(&RedeemVoucherRequest {
        chain_id: SPAAZA_CHAIN,
        voucher_id: Some(SPAAZA_VOUCHER),
        amount: Some("2.00".into()),
        ..Default::default()
    })?;
    outln!(
        "     voucher {} is {}: €{} redeemed of €{}",
        v.voucher_id.unwrap_or_default(),
        v.voucher_status.as_deref().unwrap_or("?"),
        money(v.voucher_amount_redeemed),
        money(v.voucher_amount_original)
    );
    if let Some(rest) = &v.regenerated_voucher {
        outln!(
            "     regenerated voucher {} (key {}…): €{} left, status {}",
            rest.voucher_id.unwrap_or_default(),
            rest.voucher_key
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(12)
                .collect::<String>(),
            money(rest.voucher_amount),
            rest.voucher_status.as_deref().unwrap_or("?")
        );
    }

    outln!("\nWhat errors look like — every one has a kind, and the kind says what to do");
    let expect = |n: &mut u32, what: &str, result: Result<()>| -> Result<()> {
        step(n, what)?;
        match result {
            Ok(()) => Err(Error::internal(format!(
                "the demo expected an error from: {what}"
            ))),
            Err(e) => {
                show_error(&e);
                Ok(())
            }
        }
    };
    let check = |no: &str, site: i64| sg.check(&CheckRequest::new(no, site)).map(drop);
    expect(
        &mut n,
        &format!("check an expired voucher ({EXPIRED})"),
        check(EXPIRED, SITE),
    )?;
    expect(
        &mut n,
        &format!("check a spent voucher ({SPENT})"),
        check(SPENT, SITE),
    )?;
    expect(
        &mut n,
        "check an unknown voucher",
        check("9999999999", SITE),
    )?;
    expect(
        &mut n,
        &format!("another company's voucher ({OTHER_COMPANY})"),
        check(OTHER_COMPANY, SITE),
    )?;
    expect(&mut n, "a site that is not ours (99)", check(GIFT_100, 99))?;
    expect(
        &mut n,
        "redeem £500.00 from a £25 voucher",
        sg.redeem(&RedeemRequest::money(GIFT_25, SITE, "500.00"))
            .map(drop),
    )?;
    expect(
        &mut n,
        "release a voucher nobody holds",
        sg.release(&ReleaseRequest {
            voucher_no: GIFT_25.into(),
            hold_token: "hold_token_not_a_real_one".into(),
        })
        .map(drop),
    )?;
    expect(
        &mut n,
        "redeem £10.005 (refused before sending: money has 2 decimals)",
        sg.redeem(&RedeemRequest::money(GIFT_25, SITE, "10.005"))
            .map(drop),
    )?;
    let wrong_key = SmartGift::new(SmartGiftConfig {
        base_url: Some(sb.smartgift_url()),
        options: options(Duration::from_secs(10)),
        ..SmartGiftConfig::new("sk_demo_wrong_key_000000")
    })?;
    expect(
        &mut n,
        "a wrong API key",
        wrong_key
            .check(&CheckRequest::new(GIFT_100, SITE))
            .map(drop),
    )?;
    let nowhere = SmartGift::new(SmartGiftConfig {
        base_url: Some(unused_local_url()),
        options: ClientOptions {
            max_retries: 1,
            ..options(Duration::from_secs(5))
        },
        ..SmartGiftConfig::new(sb.smartgift_key())
    })?;
    expect(
        &mut n,
        "the provider cannot be reached",
        nowhere.check(&CheckRequest::new(GIFT_100, SITE)).map(drop),
    )?;

    // The one that matters most: the provider acts, the answer is lost.
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Stall)
            .processed()
            .times(1),
    );
    let impatient = SmartGift::new(SmartGiftConfig {
        base_url: Some(sb.smartgift_url()),
        options: options(Duration::from_millis(500)),
        ..SmartGiftConfig::new(sb.smartgift_key())
    })?;
    let before = sg.check(&CheckRequest::new(GIFT_25, SITE))?.remaining_value;
    expect(
        &mut n,
        "redeem £5.00 — the provider does it, but its answer never arrives",
        impatient
            .redeem(&RedeemRequest::money(GIFT_25, SITE, "5.00"))
            .map(drop),
    )?;
    let after = sg.check(&CheckRequest::new(GIFT_25, SITE))?.remaining_value;
    outln!(
        "     reconcile with check: £{} before, £{} now — the redeem DID happen, so the till must not redeem again",
        money(before),
        money(after)
    );

    journaled_session(sb, &mut n)
}

/// The lost answer again, with a journal: the till need not check by hand, reconcile
/// reads the voucher and settles the entry. In memory, so the demo leaves no file.
fn journaled_session(sb: &Sandbox, n: &mut u32) -> Result<()> {
    outln!(
        "\nWith a journal — each redeem is recorded before it is sent, and reconcile settles a lost answer"
    );
    let journal = Journal::in_memory()?;
    let till = SmartGift::new(SmartGiftConfig {
        base_url: Some(sb.smartgift_url()),
        options: options(Duration::from_millis(500)),
        journal: Some(journal.clone()),
        ..SmartGiftConfig::new(sb.smartgift_key())
    })?;
    sb.inject(
        FaultRule::fault("/smartgift/redeem", Fault::Stall)
            .processed()
            .times(1),
    );
    step(
        n,
        &format!(
            "redeem £5.00 from {GIFT_25} for sale-42 — the provider does it, the answer is lost"
        ),
    )?;
    let lost = till.redeem(&RedeemRequest {
        reference: Some("sale-42".into()),
        ..RedeemRequest::money(GIFT_25, SITE, "5.00")
    });
    let id = match lost {
        Err(e) if e.kind == ErrorKind::OutcomeUnknown => {
            show_error(&e);
            e.journal_id
                .clone()
                .ok_or_else(|| Error::internal("the lost redeem has no journal entry"))?
        }
        Err(e) => return Err(e),
        Ok(_) => {
            return Err(Error::internal(
                "the demo expected outcome_unknown from the journaled redeem",
            ));
        }
    };
    if let Some(e) = journal.entry(&id)? {
        outln!(
            "     journal entry {} ({}): {}",
            e.id,
            e.reference.as_deref().unwrap_or("-"),
            e.state
        );
    }

    step(n, "reconcile: read the voucher again and settle the entry")?;
    let examined = till.reconcile()?;
    for e in &examined {
        outln!(
            "     journal entry {} ({}): {} — {}",
            e.id,
            e.reference.as_deref().unwrap_or("-"),
            e.state,
            e.note.as_deref().unwrap_or("")
        );
    }
    if !examined
        .iter()
        .any(|e| e.id == id && e.state == EntryState::Applied)
    {
        return Err(Error::internal(
            "reconcile did not settle the lost redeem as applied",
        ));
    }
    outln!("     applied: the sale is paid; the till must not redeem again");
    Ok(())
}

/// A loopback URL where nothing listens (the port was free a moment ago).
fn unused_local_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    format!("http://127.0.0.1:{port}")
}
