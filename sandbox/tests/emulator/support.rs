//! The demo data and the helpers every test module shares.

use std::time::Duration;

use serde_json::Value;
use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, ReleaseRequest, SmartGift, SmartGiftConfig,
};
use voucherkit_core::spaaza::{RedeemVoucherRequest, Spaaza, SpaazaConfig};
use voucherkit_core::{ClientOptions, Decimal};
use voucherkit_sandbox::Sandbox;

// Demo data (see `DataSet::demo`).
pub const HUNDRED: &str = "1000000001";
pub const TWENTY_FIVE: &str = "1000000002";
pub const EXPERIENCE: &str = "1000000003";
pub const EXPIRED: &str = "1000000004";
pub const SPENT: &str = "1000000005";
pub const NOT_YET_VALID: &str = "1000000006";
pub const OTHER_COMPANY: &str = "2000000001";
pub const SEED_KEY: &str = "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5";
pub const SEED_ID: i64 = 438_595;

pub fn options(timeout: Duration) -> ClientOptions {
    ClientOptions {
        timeout,
        max_retries: 0,
        ..ClientOptions::default()
    }
}

pub fn smartgift_with(sb: &Sandbox, key: &str, timeout: Duration) -> SmartGift {
    let mut config = SmartGiftConfig::new(key);
    config.base_url = Some(sb.smartgift_url());
    config.options = options(timeout);
    SmartGift::new(config).expect("smart gift client")
}

pub fn smartgift(sb: &Sandbox) -> SmartGift {
    smartgift_with(sb, &sb.smartgift_key(), Duration::from_secs(10))
}

pub fn spaaza_with(sb: &Sandbox, mut config: SpaazaConfig) -> Spaaza {
    config.base_url = Some(sb.spaaza_url());
    config.options = options(Duration::from_secs(10));
    Spaaza::new(config).expect("spaaza client")
}

pub fn spaaza(sb: &Sandbox) -> Spaaza {
    let config = SpaazaConfig::admin(sb.spaaza_session_user_id(), sb.spaaza_session_key());
    spaaza_with(sb, config)
}

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub fn remaining(sg: &SmartGift, voucher_no: &str) -> Decimal {
    sg.check(&CheckRequest::new(voucher_no, 12))
        .expect("check")
        .remaining_value
        .expect("remaining_value")
}

pub fn hold(sg: &SmartGift, voucher_no: &str) -> voucherkit_core::Result<String> {
    sg.hold(&HoldRequest {
        voucher_no: voucher_no.into(),
    })
    .map(|h| h.hold_token)
}

pub fn release(sg: &SmartGift, voucher_no: &str, token: &str) -> voucherkit_core::Result<String> {
    sg.release(&ReleaseRequest {
        voucher_no: voucher_no.into(),
        hold_token: token.into(),
    })
    .map(|r| r.message)
}

pub fn by_key(key: &str) -> RedeemVoucherRequest {
    RedeemVoucherRequest {
        chain_id: 2,
        voucher_key: Some(key.into()),
        ..RedeemVoucherRequest::default()
    }
}

pub fn by_id(id: i64) -> RedeemVoucherRequest {
    RedeemVoucherRequest {
        chain_id: 2,
        voucher_id: Some(id),
        ..RedeemVoucherRequest::default()
    }
}

pub fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}
