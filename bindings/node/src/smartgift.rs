//! `SmartGift`: check, hold, redeem, release, reverse (each a Promise and a `…Sync` twin).

use napi::bindgen_prelude::{AsyncTask, Env, Unknown};
use napi_derive::napi;
use serde::Serialize;
use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, MetaCondition, RedeemRequest, ReleaseRequest, ReverseRequest,
    SmartGift, SmartGiftConfig,
};
use voucherkit_core::{Closable, Provider, Secret};

use crate::convert::{self, CLIENT_OPTIONS, Opts, Vk, guarded, result_text};
use crate::journal::{client_journal, entries_text};
use crate::{Job, LogCallback};

const PROVIDER: Provider = Provider::SmartGift;

const CONFIG: &[(&str, &str)] = &[
    ("apiKey", "api_key"),
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
const _: () = assert!(CONFIG.len() == 1 + CLIENT_OPTIONS.len());
const CHECK: &[(&str, &str)] = &[
    ("voucherNo", "voucher_no"),
    ("siteId", "site_id"),
    ("classifications", "classifications"),
    ("metaConditions", "meta_conditions"),
];
const META: &[(&str, &str)] = &[
    ("key", "meta_conditions"),
    ("operator", "meta_conditions"),
    ("value", "meta_conditions"),
];
const HOLD: &[(&str, &str)] = &[("voucherNo", "voucher_no")];
const REDEEM: &[(&str, &str)] = &[
    ("voucherNo", "voucher_no"),
    ("siteId", "site_id"),
    ("value", "value"),
    ("experiences", "experiences"),
    ("holdToken", "hold_token"),
    ("reference", "reference"),
];
const RELEASE: &[(&str, &str)] = &[("voucherNo", "voucher_no"), ("holdToken", "hold_token")];
const REVERSE: &[(&str, &str)] = &[
    ("voucherNo", "voucher_no"),
    ("siteId", "site_id"),
    ("redemptions", "redemptions"),
    ("reference", "reference"),
];

/// The native Smart Gift client; `index.js` wraps it.
#[napi(js_name = "SmartGift")]
pub struct NativeSmartGift {
    inner: Closable<SmartGift>,
    summary: String,
    user_agent: String,
}

fn opts<'env>(
    v: Unknown<'env>,
    what: &str,
    known: &'static [(&'static str, &'static str)],
) -> Vk<Opts<'env>> {
    Opts::new(v, what, known, PROVIDER)
}

fn check_request(v: Unknown) -> Vk<CheckRequest> {
    let o = opts(v, "check", CHECK)?;
    let meta_conditions = o
        .objects("metaConditions", META)?
        .into_iter()
        .map(|m| {
            Ok(MetaCondition {
                key: m.string("key")?,
                operator: m.string("operator")?,
                value: m.strings("value")?,
            })
        })
        .collect::<Vk<Vec<_>>>()?;
    Ok(CheckRequest {
        voucher_no: o.string("voucherNo")?,
        site_id: o.site_id("siteId")?,
        classifications: o.strings("classifications")?,
        meta_conditions,
    })
}

fn hold_request(v: Unknown) -> Vk<HoldRequest> {
    let o = opts(v, "hold", HOLD)?;
    Ok(HoldRequest {
        voucher_no: o.string("voucherNo")?,
    })
}

fn redeem_request(v: Unknown) -> Vk<RedeemRequest> {
    let o = opts(v, "redeem", REDEEM)?;
    Ok(RedeemRequest {
        reference: o.str("reference")?,
        voucher_no: o.string("voucherNo")?,
        site_id: o.site_id("siteId")?,
        value: o.money("value")?,
        experiences: o.ints("experiences")?,
        hold_token: o.str("holdToken")?,
    })
}

fn release_request(v: Unknown) -> Vk<ReleaseRequest> {
    let o = opts(v, "release", RELEASE)?;
    Ok(ReleaseRequest {
        voucher_no: o.string("voucherNo")?,
        hold_token: o.string("holdToken")?,
    })
}

fn reverse_request(v: Unknown) -> Vk<ReverseRequest> {
    let o = opts(v, "reverse", REVERSE)?;
    Ok(ReverseRequest {
        reference: o.str("reference")?,
        voucher_no: o.string("voucherNo")?,
        site_id: o.site_id("siteId")?,
        redemptions: o.ints("redemptions")?.unwrap_or_default(),
    })
}

impl NativeSmartGift {
    /// Reads the options here (JavaScript values live on this thread only) and returns
    /// the call to run, here or on the pool.
    fn job<R: Send + 'static, T: Serialize + 'static>(
        &self,
        read: impl FnOnce() -> Vk<R>,
        call: fn(&SmartGift, &R) -> Vk<T>,
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

#[napi]
impl NativeSmartGift {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        options: Unknown,
        on_request: Option<LogCallback>,
        journal: Option<Unknown>,
    ) -> napi::Result<Self> {
        let version = crate::node_version(&env);
        let built = guarded(Some(PROVIDER), || {
            let o = opts(options, "new SmartGift()", CONFIG)?;
            let mut client_options = o.client_options(version)?;
            client_options.logger = on_request.map(crate::logger);
            client_options.warning_logger = Some(crate::warning_logger());
            let config = SmartGiftConfig {
                journal: client_journal(&env, journal)?,
                api_key: Secret::new(o.string("apiKey")?),
                base_url: o.str("baseUrl")?,
                options: client_options,
            };
            let summary = serde_json::json!({
                "baseUrl": null,
                "apiKey": config.api_key.redacted(),
            });
            let client = SmartGift::new(config)?;
            let mut summary = summary;
            summary["baseUrl"] = client.base_url().into();
            Ok((client, summary.to_string()))
        });
        match built {
            Ok((client, summary)) => Ok(NativeSmartGift {
                user_agent: client.user_agent().to_owned(),
                inner: Closable::new(client, PROVIDER),
                summary,
            }),
            Err(e) => Err(convert::thrown(&e)),
        }
    }

    /// `{"baseUrl", "apiKey"}` with the key redacted, for `util.inspect`.
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
    pub fn check(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(|| check_request(options), SmartGift::check)
            .promise()
    }

    #[napi]
    pub fn check_sync(&self, options: Unknown) -> String {
        self.job(|| check_request(options), SmartGift::check)
            .run_here()
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn hold(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(|| hold_request(options), SmartGift::hold)
            .promise()
    }

    #[napi]
    pub fn hold_sync(&self, options: Unknown) -> String {
        self.job(|| hold_request(options), SmartGift::hold)
            .run_here()
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn redeem(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(|| redeem_request(options), SmartGift::redeem)
            .promise()
    }

    #[napi]
    pub fn redeem_sync(&self, options: Unknown) -> String {
        self.job(|| redeem_request(options), SmartGift::redeem)
            .run_here()
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn release(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(|| release_request(options), SmartGift::release)
            .promise()
    }

    #[napi]
    pub fn release_sync(&self, options: Unknown) -> String {
        self.job(|| release_request(options), SmartGift::release)
            .run_here()
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn reverse(&self, options: Unknown) -> AsyncTask<Job> {
        self.job(|| reverse_request(options), SmartGift::reverse)
            .promise()
    }

    #[napi]
    pub fn reverse_sync(&self, options: Unknown) -> String {
        self.job(|| reverse_request(options), SmartGift::reverse)
            .run_here()
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
