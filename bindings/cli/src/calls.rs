//! Real calls: clients built from the environment and `Common` options, one function per
//! subcommand. Each returns the result as JSON (the same shape every binding shows).

use std::time::Duration;

use serde_json::Value;
use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, RedeemRequest, ReleaseRequest, ReverseRequest, SiteId, SmartGift,
    SmartGiftConfig,
};
use voucherkit_core::spaaza::{
    ClaimRequest, DEFAULT_API_VERSION, GetVouchersRequest, LockVoucherRequest,
    RedeemVoucherRequest, Spaaza, SpaazaAuth, SpaazaConfig, UnlockVoucherRequest,
};
use voucherkit_core::{ClientOptions, Error, Provider, Result, Secret, TimeUnit, duration_option};

use crate::args::{ClaimArgs, Common, SmartGiftOp, SpaazaOp};
use crate::output;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn missing(provider: Provider, field: &str, var: &str) -> Error {
    Error::invalid(
        field,
        format!("set {var} in the environment (secrets are never taken from arguments)"),
    )
    .with_provider(provider)
}

/// A duration flag in seconds, converted by the core so that NaN, infinite, negative
/// and over-an-hour values are an `invalid_request` naming the option.
fn seconds(value: f64, field: &str, provider: Provider) -> Result<Duration> {
    duration_option(value, TimeUnit::Seconds, field).map_err(|e| e.with_provider(provider))
}

fn options(common: &Common, provider: Provider) -> Result<ClientOptions> {
    Ok(ClientOptions {
        timeout: seconds(common.timeout, "timeout", provider)?,
        connect_timeout: seconds(common.connect_timeout, "connect_timeout", provider)?,
        max_retries: common.max_retries,
        max_idle_age: seconds(common.max_idle_age, "max_idle_age", provider)?,
        max_idle_connections: common.max_idle_connections,
        ca_bundle: common.ca_bundle.clone(),
        proxy: common.proxy.clone(),
        allow_insecure_http: common.allow_insecure_http,
        binding: "cli".into(),
        warning_logger: Some(output::warnings_to_stderr()),
        ..ClientOptions::default()
    })
}

fn to_json<T: serde::Serialize>(result: Result<T>) -> Result<Value> {
    result.map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
}

fn site(id: &str) -> SiteId {
    SiteId::Text(id.to_owned())
}

pub fn smartgift(common: &Common, op: &SmartGiftOp) -> Result<Value> {
    let p = Provider::SmartGift;
    let key = env("SMARTGIFT_API_KEY").ok_or_else(|| missing(p, "api_key", "SMARTGIFT_API_KEY"))?;
    let client = SmartGift::new(SmartGiftConfig {
        journal: None,
        api_key: Secret::new(key),
        base_url: common
            .base_url
            .clone()
            .or_else(|| env("SMARTGIFT_BASE_URL")),
        options: options(common, p)?,
    })?;
    match op {
        SmartGiftOp::Check {
            voucher_no,
            site_id,
            classifications,
            meta_conditions,
        } => to_json(client.check(&CheckRequest {
            classifications: classifications.clone(),
            meta_conditions: meta_conditions.clone(),
            ..CheckRequest::new(voucher_no.as_str(), site(site_id))
        })),
        SmartGiftOp::Hold { voucher_no } => to_json(client.hold(&HoldRequest {
            voucher_no: voucher_no.clone(),
        })),
        SmartGiftOp::Redeem {
            voucher_no,
            site_id,
            value,
            experiences,
            hold_token,
        } => to_json(client.redeem(&RedeemRequest {
            reference: None,
            voucher_no: voucher_no.clone(),
            site_id: site(site_id),
            value: value.clone().map(Into::into),
            experiences: (!experiences.is_empty()).then(|| experiences.clone()),
            hold_token: hold_token.clone(),
        })),
        SmartGiftOp::Release {
            voucher_no,
            hold_token,
        } => to_json(client.release(&ReleaseRequest {
            voucher_no: voucher_no.clone(),
            hold_token: hold_token.clone(),
        })),
        SmartGiftOp::Reverse {
            voucher_no,
            site_id,
            redemptions,
        } => to_json(client.reverse(&ReverseRequest {
            reference: None,
            voucher_no: voucher_no.clone(),
            site_id: site(site_id),
            redemptions: redemptions.clone(),
        })),
    }
}

fn spaaza_client(common: &Common) -> Result<Spaaza> {
    let p = Provider::Spaaza;
    let auth_name = env("SPAAZA_AUTH").unwrap_or_else(|| "admin".into());
    let auth = SpaazaAuth::from_name(&auth_name).ok_or_else(|| {
        Error::invalid(
            "auth",
            format!("SPAAZA_AUTH must be admin, user or privileged, got {auth_name:?}"),
        )
        .with_provider(p)
    })?;
    let needs_session = matches!(auth, SpaazaAuth::Admin | SpaazaAuth::User);
    let session_user_id = match env("SPAAZA_SESSION_USER_ID") {
        Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
            Error::invalid(
                "session_user_id",
                format!("SPAAZA_SESSION_USER_ID must be an integer, got {v:?}"),
            )
            .with_provider(p)
        })?),
        None if needs_session => {
            return Err(missing(p, "session_user_id", "SPAAZA_SESSION_USER_ID"));
        }
        None => None,
    };
    let session_key = match env("SPAAZA_SESSION_KEY") {
        Some(k) => Some(Secret::new(k)),
        None if needs_session => return Err(missing(p, "session_key", "SPAAZA_SESSION_KEY")),
        None => None,
    };
    Spaaza::new(SpaazaConfig {
        journal: None,
        auth,
        session_user_id,
        session_key,
        app_hostname: env("SPAAZA_APP_HOSTNAME"),
        bearer_token: env("SPAAZA_BEARER_TOKEN").map(Secret::new),
        api_version: env("SPAAZA_API_VERSION").unwrap_or_else(|| DEFAULT_API_VERSION.into()),
        base_url: common.base_url.clone().or_else(|| env("SPAAZA_BASE_URL")),
        options: options(common, p)?,
    })
}

fn claim(c: &ClaimArgs) -> ClaimRequest {
    ClaimRequest {
        chain_id: c.chain_id,
        voucher_key: c.ids.voucher_key.clone(),
        voucher_id: c.ids.voucher_id,
        third_party_id: c.third_party_id,
        user_id: c.end_user.user_id,
        member_number: c.end_user.member_number.clone(),
        username: c.end_user.username.clone(),
        authentication_point_identifier: c.end_user.authentication_point_identifier.clone(),
        auxiliary_identifier: c.end_user.auxiliary_identifier.clone(),
    }
}

pub fn spaaza(common: &Common, op: &SpaazaOp) -> Result<Value> {
    let client = spaaza_client(common)?;
    match op {
        SpaazaOp::RedeemVoucher {
            chain_id,
            ids,
            user_id,
            amount,
        } => to_json(client.redeem_voucher(&RedeemVoucherRequest {
            reference: None,
            chain_id: *chain_id,
            voucher_key: ids.voucher_key.clone(),
            voucher_id: ids.voucher_id,
            user_id: *user_id,
            amount: amount.clone().map(Into::into),
        })),
        SpaazaOp::UnlockVoucher { ids } => to_json(client.unlock_voucher(&UnlockVoucherRequest {
            voucher_key: ids.voucher_key.clone(),
            voucher_id: ids.voucher_id,
        })),
        SpaazaOp::UnclaimVoucher { claim: c } => to_json(client.unclaim_voucher(&claim(c))),
        SpaazaOp::ClaimVoucher { claim: c } => to_json(client.claim_voucher(&claim(c))),
        SpaazaOp::LockVoucher {
            ids,
            retailer_basket_code,
            voucher_lock_period,
            voucher_locking_code,
        } => to_json(client.lock_voucher(&LockVoucherRequest {
            voucher_key: ids.voucher_key.clone(),
            voucher_id: ids.voucher_id,
            retailer_basket_code: retailer_basket_code.clone(),
            voucher_lock_period: *voucher_lock_period,
            voucher_locking_code: voucher_locking_code.clone(),
        })),
        SpaazaOp::GetVouchers {
            chain_id,
            voucher_id,
            filters: f,
        } => to_json(client.get_vouchers(&GetVouchersRequest {
            chain_id: *chain_id,
            voucher_id: *voucher_id,
            user_id: f.user_id,
            username: f.username.clone(),
            member_number: f.member_number.clone(),
            authentication_point_identifier: f.authentication_point_identifier.clone(),
            campaign_id: f.campaign_id,
            show_all_statuses: f.show_all_statuses,
            show_redeemed: f.show_redeemed,
            show_expired: f.show_expired,
            exclude_regenerated: f.exclude_regenerated,
            number_results: f.number_results,
            results_offset: f.results_offset,
            min_created_datetime: f.min_created_datetime.clone(),
            max_created_datetime: f.max_created_datetime.clone(),
            min_expiry_datetime: f.min_expiry_datetime.clone(),
            max_expiry_datetime: f.max_expiry_datetime.clone(),
            min_redeemed_datetime: f.min_redeemed_datetime.clone(),
            max_redeemed_datetime: f.max_redeemed_datetime.clone(),
        })),
    }
}
