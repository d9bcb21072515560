//! Real calls: clients built from the environment and `Common` options, one function per
//! subcommand. Each returns the result as JSON (the same shape every binding shows), or
//! journal entries.

use std::path::Path;

use serde_json::Value;
use voucherkit_core::journal::{Entry, EntryFilter, EntryState, Journal};
use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, RedeemRequest, ReleaseRequest, ReverseRequest, SiteId, SmartGift,
    SmartGiftConfig,
};
use voucherkit_core::spaaza::{
    ClaimRequest, DEFAULT_API_VERSION, GetVouchersRequest, LockVoucherRequest,
    RedeemVoucherRequest, Spaaza, SpaazaAuth, SpaazaConfig, UnlockVoucherRequest,
};
use voucherkit_core::{ClientOptions, ClientSettings, Error, Provider, Result, Secret, TimeUnit};

use crate::args::{ClaimArgs, Common, JournalPath, ListArgs, SmartGiftOp, SpaazaOp};
use crate::output;

/// What a command hands to the printer.
pub enum Shown {
    /// One result, as JSON.
    Result(Value),
    /// Journal entries (`journal list`).
    Entries(Vec<Entry>),
    /// The entries a reconcile examined, in their state afterwards.
    Reconciled(Vec<Entry>),
}

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

/// The client options from the flags, through the core's one checked conversion: a bad
/// value is an `invalid_request` naming the core option (`timeout`, `max_idle_age`, …).
fn options(common: &Common, provider: Provider) -> Result<ClientOptions> {
    let settings = ClientSettings {
        connect_timeout: common.connect_timeout,
        timeout: common.timeout,
        max_retries: common.max_retries,
        max_idle_age: common.max_idle_age,
        max_idle_connections: common.max_idle_connections,
        ca_bundle: common.ca_bundle.clone(),
        proxy: common.proxy.clone(),
        allow_insecure_http: Some(common.allow_insecure_http),
        app_info: common.app_info.clone(),
        ..ClientSettings::new(TimeUnit::Seconds, "cli", "")
    };
    let mut options = settings.build().map_err(|e| e.with_provider(provider))?;
    options.warning_logger = Some(output::warnings_to_stderr());
    if common.verbose {
        options.logger = Some(output::requests_to_stderr());
    }
    Ok(options)
}

fn to_json<T: serde::Serialize>(result: Result<T>) -> Result<Shown> {
    result.map(|v| Shown::Result(serde_json::to_value(v).unwrap_or(Value::Null)))
}

/// Says how to give a journal when a command needs one and none was given.
fn journal_needed(what: &str) -> Error {
    Error::invalid(
        "journal",
        format!("{what} needs the journal: give --journal PATH or set VOUCHERKIT_JOURNAL"),
    )
}

/// Opens the journal a command names, if any. Commands that only read it (`journal list`,
/// `reconcile`) refuse a path where there is no file, so a mistyped path is not taken for
/// an empty journal (opening would create one).
fn open_journal(arg: &JournalPath, must_exist: bool) -> Result<Option<Journal>> {
    let Some(path) = arg
        .journal
        .clone()
        .or_else(|| env("VOUCHERKIT_JOURNAL").map(Into::into))
    else {
        return Ok(None);
    };
    if must_exist && !Path::new(&path).exists() {
        return Err(Error::invalid(
            "journal",
            format!(
                "there is no journal at {} (the first journaled call creates it)",
                path.display()
            ),
        ));
    }
    Journal::open(path).map(Some)
}

/// `voucherkit journal list`: the entries matching the filters, newest first. A state
/// or provider that is not one of the core's names is an `invalid_request` naming it.
pub fn journal_list(args: &ListArgs) -> Result<Shown> {
    let state = args
        .state
        .as_deref()
        .map(|name| EntryState::parse(name, "state"))
        .transpose()?;
    let provider = args
        .provider
        .as_deref()
        .map(|name| Provider::parse(name, "provider"))
        .transpose()?;
    let journal = open_journal(&args.path, true)?.ok_or_else(|| journal_needed("journal list"))?;
    journal
        .entries(&EntryFilter {
            state,
            reference: args.reference.clone(),
            provider,
            since: None,
            limit: args.limit,
        })
        .map(Shown::Entries)
}

fn site(id: &str) -> SiteId {
    SiteId::Text(id.to_owned())
}

pub fn smartgift(common: &Common, op: &SmartGiftOp) -> Result<Shown> {
    let p = Provider::SmartGift;
    let key = env("SMARTGIFT_API_KEY").ok_or_else(|| missing(p, "api_key", "SMARTGIFT_API_KEY"))?;
    let (journal_arg, reconcile) = match op {
        SmartGiftOp::Check { .. } => (None, false),
        SmartGiftOp::Hold { journal, .. } | SmartGiftOp::Release { journal, .. } => {
            (Some(journal), false)
        }
        SmartGiftOp::Redeem { journaled, .. } | SmartGiftOp::Reverse { journaled, .. } => {
            (Some(&journaled.path), false)
        }
        SmartGiftOp::Reconcile { journal } => (Some(journal), true),
    };
    let journal = match journal_arg {
        Some(arg) => open_journal(arg, reconcile).map_err(|e| e.with_provider(p))?,
        None => None,
    };
    if reconcile && journal.is_none() {
        return Err(journal_needed("smartgift reconcile").with_provider(p));
    }
    let client = SmartGift::new(SmartGiftConfig {
        journal,
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
        SmartGiftOp::Hold { voucher_no, .. } => to_json(client.hold(&HoldRequest {
            voucher_no: voucher_no.clone(),
        })),
        SmartGiftOp::Redeem {
            voucher_no,
            site_id,
            value,
            experiences,
            hold_token,
            journaled,
        } => to_json(client.redeem(&RedeemRequest {
            reference: journaled.reference.clone(),
            voucher_no: voucher_no.clone(),
            site_id: site(site_id),
            value: value.clone().map(Into::into),
            experiences: (!experiences.is_empty()).then(|| experiences.clone()),
            hold_token: hold_token.clone(),
        })),
        SmartGiftOp::Release {
            voucher_no,
            hold_token,
            ..
        } => to_json(client.release(&ReleaseRequest {
            voucher_no: voucher_no.clone(),
            hold_token: hold_token.clone(),
        })),
        SmartGiftOp::Reverse {
            voucher_no,
            site_id,
            redemptions,
            journaled,
        } => to_json(client.reverse(&ReverseRequest {
            reference: journaled.reference.clone(),
            voucher_no: voucher_no.clone(),
            site_id: site(site_id),
            redemptions: redemptions.clone(),
        })),
        SmartGiftOp::Reconcile { .. } => client.reconcile().map(Shown::Reconciled),
    }
}

/// The client's settings from the environment and flags (the journal is added by the
/// caller, once the credentials are known to be there).
fn spaaza_config(common: &Common) -> Result<SpaazaConfig> {
    let p = Provider::Spaaza;
    let auth_name = env("SPAAZA_AUTH").unwrap_or_else(|| "admin".into());
    let auth = SpaazaAuth::parse(&auth_name).map_err(|e| e.with_provider(p))?;
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
    Ok(SpaazaConfig {
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

pub fn spaaza(common: &Common, op: &SpaazaOp) -> Result<Shown> {
    let p = Provider::Spaaza;
    let config = spaaza_config(common)?;
    let journal = match op {
        SpaazaOp::RedeemVoucher { journaled, .. } => {
            open_journal(&journaled.path, false).map_err(|e| e.with_provider(p))?
        }
        SpaazaOp::Reconcile { journal } => Some(
            open_journal(journal, true)
                .map_err(|e| e.with_provider(p))?
                .ok_or_else(|| journal_needed("spaaza reconcile").with_provider(p))?,
        ),
        _ => None,
    };
    let client = Spaaza::new(SpaazaConfig { journal, ..config })?;
    match op {
        SpaazaOp::Reconcile { .. } => client.reconcile().map(Shown::Reconciled),
        SpaazaOp::RedeemVoucher {
            chain_id,
            ids,
            user_id,
            amount,
            journaled,
        } => to_json(client.redeem_voucher(&RedeemVoucherRequest {
            reference: journaled.reference.clone(),
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
