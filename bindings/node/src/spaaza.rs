//! `Spaaza`: redeem, unlock, unclaim, lock and claim vouchers, and read them.

use napi::bindgen_prelude::{AsyncTask, Env, Unknown};
use napi_derive::napi;
use serde::Serialize;
use voucherkit_core::journal::Journal;
use voucherkit_core::spaaza::{
    ClaimRequest, DEFAULT_API_VERSION, GetVouchersRequest, LockVoucherRequest,
    RedeemVoucherRequest, Spaaza, SpaazaAuth, SpaazaConfig, UnlockVoucherRequest,
};
use voucherkit_core::{Closable, Error, Provider, Secret};

use crate::convert::{self, CLIENT_OPTIONS, Opts, Vk, guarded, result_text};
use crate::journal::{client_journal, entries_text};
use crate::pages::NativeVoucherPages;
use crate::{Job, LogCallback};

const PROVIDER: Provider = Provider::Spaaza;

const CONFIG: &[(&str, &str)] = &[
    ("sessionUserId", "session_user_id"),
    ("sessionKey", "session_key"),
    ("apiVersion", "api_version"),
    ("auth", "auth"),
    ("appHostname", "app_hostname"),
    ("bearerToken", "bearer_token"),
    CLIENT_OPTIONS[0],
    CLIENT_OPTIONS[1],
    CLIENT_OPTIONS[2],
    CLIENT_OPTIONS[3],
    CLIENT_OPTIONS[4],
    CLIENT_OPTIONS[5],
    CLIENT_OPTIONS[6],
    CLIENT_OPTIONS[7],
    CLIENT_OPTIONS[8],
    CLIENT_OPTIONS[9],
    CLIENT_OPTIONS[10],
    CLIENT_OPTIONS[11],
    CLIENT_OPTIONS[12],
];
// Every client option listed above: one added to CLIENT_OPTIONS must be added here too.
const _: () = assert!(CONFIG.len() == 6 + CLIENT_OPTIONS.len());
const REDEEM: &[(&str, &str)] = &[
    ("chainId", "chain_id"),
    ("voucherKey", "voucher_key"),
    ("voucherId", "voucher_id"),
    ("userId", "user_id"),
    ("amount", "amount"),
    ("reference", "reference"),
];
const UNLOCK: &[(&str, &str)] = &[("voucherKey", "voucher_key"), ("voucherId", "voucher_id")];
const CLAIM: &[(&str, &str)] = &[
    ("chainId", "chain_id"),
    ("voucherKey", "voucher_key"),
    ("voucherId", "voucher_id"),
    ("thirdPartyId", "third_party_id"),
    ("userId", "user_id"),
    ("memberNumber", "member_number"),
    ("username", "username"),
    (
        "authenticationPointIdentifier",
        "authentication_point_identifier",
    ),
    ("auxiliaryIdentifier", "auxiliary_identifier"),
];
const LOCK: &[(&str, &str)] = &[
    ("voucherKey", "voucher_key"),
    ("voucherId", "voucher_id"),
    ("retailerBasketCode", "retailer_basket_code"),
    ("voucherLockPeriod", "voucher_lock_period"),
    ("voucherLockingCode", "voucher_locking_code"),
];
const GET: &[(&str, &str)] = &[
    ("chainId", "chain_id"),
    ("voucherId", "voucher_id"),
    ("userId", "user_id"),
    ("username", "username"),
    ("memberNumber", "member_number"),
    (
        "authenticationPointIdentifier",
        "authentication_point_identifier",
    ),
    ("campaignId", "campaign_id"),
    ("showAllStatuses", "show_all_statuses"),
    ("showRedeemed", "show_redeemed"),
    ("showExpired", "show_expired"),
    ("excludeRegenerated", "exclude_regenerated"),
    ("numberResults", "number_results"),
    ("resultsOffset", "results_offset"),
    ("minCreatedDatetime", "min_created_datetime"),
    ("maxCreatedDatetime", "max_created_datetime"),
    ("minExpiryDatetime", "min_expiry_datetime"),
    ("maxExpiryDatetime", "max_expiry_datetime"),
    ("minRedeemedDatetime", "min_redeemed_datetime"),
    ("maxRedeemedDatetime", "max_redeemed_datetime"),
];

/// The second argument of `vouchers`.
const PAGING: &[(&str, &str)] = &[("max", "max")];

fn opts<'env>(
    v: Unknown<'env>,
    what: &str,
    known: &'static [(&'static str, &'static str)],
) -> Vk<Opts<'env>> {
    Opts::new(v, what, known, PROVIDER)
}

fn redeem_request(v: Unknown) -> Vk<RedeemVoucherRequest> {
    let o = opts(v, "redeemVoucher", REDEEM)?;
    Ok(RedeemVoucherRequest {
        reference: o.str("reference")?,
        chain_id: o.int("chainId")?.unwrap_or(0),
        voucher_key: o.str("voucherKey")?,
        voucher_id: o.int("voucherId")?,
        user_id: o.int("userId")?,
        amount: o.money("amount")?,
    })
}

fn unlock_request(v: Unknown) -> Vk<UnlockVoucherRequest> {
    let o = opts(v, "unlockVoucher", UNLOCK)?;
    Ok(UnlockVoucherRequest {
        voucher_key: o.str("voucherKey")?,
        voucher_id: o.int("voucherId")?,
    })
}

fn claim_request(v: Unknown, what: &str) -> Vk<ClaimRequest> {
    let o = opts(v, what, CLAIM)?;
    Ok(ClaimRequest {
        chain_id: o.int("chainId")?,
        voucher_key: o.str("voucherKey")?,
        voucher_id: o.int("voucherId")?,
        third_party_id: o.int("thirdPartyId")?,
        user_id: o.int("userId")?,
        member_number: o.str("memberNumber")?,
        username: o.str("username")?,
        authentication_point_identifier: o.str("authenticationPointIdentifier")?,
        auxiliary_identifier: o.str("auxiliaryIdentifier")?,
    })
}

fn lock_request(v: Unknown) -> Vk<LockVoucherRequest> {
    let o = opts(v, "lockVoucher", LOCK)?;
    Ok(LockVoucherRequest {
        voucher_key: o.str("voucherKey")?,
        voucher_id: o.int("voucherId")?,
        retailer_basket_code: o.string("retailerBasketCode")?,
        voucher_lock_period: o.int("voucherLockPeriod")?,
        voucher_locking_code: o.str("voucherLockingCode")?,
    })
}

fn get_request(v: Unknown) -> Vk<GetVouchersRequest> {
    let o = opts(v, "getVouchers", GET)?;
    Ok(GetVouchersRequest {
        chain_id: o.int("chainId")?.unwrap_or(0),
        voucher_id: o.int("voucherId")?,
        user_id: o.int("userId")?,
        username: o.str("username")?,
        member_number: o.str("memberNumber")?,
        authentication_point_identifier: o.str("authenticationPointIdentifier")?,
        campaign_id: o.int("campaignId")?,
        show_all_statuses: o.bool("showAllStatuses")?.unwrap_or(false),
        show_redeemed: o.bool("showRedeemed")?.unwrap_or(false),
        show_expired: o.bool("showExpired")?.unwrap_or(false),
        exclude_regenerated: o.bool("excludeRegenerated")?.unwrap_or(false),
        number_results: o.int("numberResults")?,
        results_offset: o.int("resultsOffset")?,
        min_created_datetime: o.str("minCreatedDatetime")?,
        max_created_datetime: o.str("maxCreatedDatetime")?,
        min_expiry_datetime: o.str("minExpiryDatetime")?,
        max_expiry_datetime: o.str("maxExpiryDatetime")?,
        min_redeemed_datetime: o.str("minRedeemedDatetime")?,
        max_redeemed_datetime: o.str("maxRedeemedDatetime")?,
    })
}

/// The native Spaaza client; `index.js` wraps it.
#[napi(js_name = "Spaaza")]
pub struct NativeSpaaza {
    inner: Closable<Spaaza>,
    summary: String,
    user_agent: String,
}

impl NativeSpaaza {
    fn job<R: Send + 'static, T: Serialize + 'static>(
        &self,
        read: impl FnOnce() -> Vk<R>,
        call: fn(&Spaaza, &R) -> Vk<T>,
    ) -> Job {
        let client = self.inner.get();
        let request = guarded(Some(PROVIDER), read);
        Job::new(move || result_text(guarded(Some(PROVIDER), || call(&*client?, &request?))))
    }

    /// Settles the journal's open entries; answers the entries it examined.
    fn reconcile_job(&self) -> Job {
        let client = self.inner.get();
        Job::new(move || entries_text(guarded(Some(PROVIDER), || client?.reconcile())))
    }
}

fn config(o: &Opts, version: String, journal: Option<Journal>) -> Vk<SpaazaConfig> {
    // Absent = the admin session, as the other languages default; the name is the core's.
    let auth = match o.str("auth")? {
        Some(name) => SpaazaAuth::parse(&name)?,
        None => SpaazaAuth::Admin,
    };
    Ok(SpaazaConfig {
        journal,
        auth,
        session_user_id: o.int("sessionUserId")?,
        session_key: o.str("sessionKey")?.map(Secret::new),
        app_hostname: o.str("appHostname")?,
        bearer_token: o.str("bearerToken")?.map(Secret::new),
        api_version: o
            .str("apiVersion")?
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned()),
        base_url: o.str("baseUrl")?,
        options: o.client_options(version)?,
    })
}

#[napi]
impl NativeSpaaza {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        options: Unknown,
        on_request: Option<LogCallback>,
        journal: Option<Unknown>,
    ) -> napi::Result<Self> {
        let version = crate::node_version(&env);
        let built = guarded(Some(PROVIDER), || {
            let o = opts(options, "new Spaaza()", CONFIG)?;
            let mut config = config(&o, version, client_journal(&env, journal)?)?;
            config.options.logger = on_request.map(crate::logger);
            config.options.warning_logger = Some(crate::warning_logger());
            let mut summary = serde_json::json!({
                "baseUrl": null,
                "auth": config.auth.as_str(),
                "apiVersion": config.api_version,
                "sessionUserId": config.session_user_id,
                "sessionKey": config.session_key.as_ref().map(Secret::redacted),
                "bearerToken": config.bearer_token.as_ref().map(Secret::redacted),
                "appHostname": config.app_hostname,
            });
            let client = Spaaza::new(config)?;
            summary["baseUrl"] = client.base_url().into();
            Ok((client, summary.to_string()))
        });
        match built {
            Ok((client, summary)) => Ok(NativeSpaaza {
                user_agent: client.user_agent().to_owned(),
                inner: Closable::new(client, PROVIDER),
                summary,
            }),
            Err(e) => Err(convert::thrown(&e)),
        }
    }

    /// The configuration with secrets redacted, for `util.inspect`.
    #[napi(getter)]
    pub fn summary(&self) -> String {
        self.summary.clone()
    }

    /// The User-Agent every request carries.
    #[napi(getter)]
    pub fn user_agent(&self) -> String {
        self.user_agent.clone()
    }

    /// Closes the client: its pooled connections go once calls in flight finish, and
    /// every later call is refused (`invalid_request`, field `client`). Idempotent.
    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn redeem_voucher(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(|| redeem_request(options), Spaaza::redeem_voucher)
            .promise()
    }

    #[napi]
    pub fn redeem_voucher_sync(&self, options: Unknown) -> String {
        self.job(|| redeem_request(options), Spaaza::redeem_voucher)
            .run_here()
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn unlock_voucher(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(|| unlock_request(options), Spaaza::unlock_voucher)
            .promise()
    }

    #[napi]
    pub fn unlock_voucher_sync(&self, options: Unknown) -> String {
        self.job(|| unlock_request(options), Spaaza::unlock_voucher)
            .run_here()
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn unclaim_voucher(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(
            || claim_request(options, "unclaimVoucher"),
            Spaaza::unclaim_voucher,
        )
        .promise()
    }

    #[napi]
    pub fn unclaim_voucher_sync(&self, options: Unknown) -> String {
        self.job(
            || claim_request(options, "unclaimVoucher"),
            Spaaza::unclaim_voucher,
        )
        .run_here()
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn claim_voucher(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(
            || claim_request(options, "claimVoucher"),
            Spaaza::claim_voucher,
        )
        .promise()
    }

    #[napi]
    pub fn claim_voucher_sync(&self, options: Unknown) -> String {
        self.job(
            || claim_request(options, "claimVoucher"),
            Spaaza::claim_voucher,
        )
        .run_here()
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn lock_voucher(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(|| lock_request(options), Spaaza::lock_voucher)
            .promise()
    }

    #[napi]
    pub fn lock_voucher_sync(&self, options: Unknown) -> String {
        self.job(|| lock_request(options), Spaaza::lock_voucher)
            .run_here()
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn get_vouchers(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(|| get_request(options), Spaaza::get_vouchers)
            .promise()
    }

    #[napi]
    pub fn get_vouchers_sync(&self, options: Unknown) -> String {
        self.job(|| get_request(options), Spaaza::get_vouchers)
            .run_here()
    }

    /// Every voucher `options` selects, page after page (`paging`: `{max}`), by the
    /// core's `Spaaza::iter_vouchers`. A closed client or a bad option is reported by
    /// the first `next()`, before anything is sent.
    #[napi]
    pub fn vouchers(&self, options: Unknown, paging: Unknown) -> NativeVoucherPages {
        let setup = self.inner.get().and_then(|client| {
            guarded(Some(PROVIDER), || {
                let req = get_request(options)?;
                let p = opts(paging, "vouchers", PAGING)?;
                let max = match p.int("max")? {
                    None => None,
                    Some(n) => Some(usize::try_from(n).map_err(|_| {
                        Error::invalid("max", format!("max must be an integer ≥ 0, got {n}"))
                            .with_provider(PROVIDER)
                    })?),
                };
                Ok((client, req, max))
            })
        });
        NativeVoucherPages::new(setup)
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn reconcile(&self) -> AsyncTask<Job> {
        self.reconcile_job().promise()
    }

    #[napi]
    pub fn reconcile_sync(&self) -> String {
        self.reconcile_job().run_here()
    }
}
