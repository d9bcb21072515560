//! The command line's grammar. Secrets never come from argv (they would show in `ps`
//! and shell history): they come from environment variables only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use voucherkit_core::AppInfo;
use voucherkit_core::smartgift::MetaCondition;

#[derive(Parser, Debug)]
#[command(
    name = "voucherkit",
    version,
    about = "Redeem gift vouchers with Smart Gift and Spaaza",
    long_about = "Redeem gift vouchers with Smart Gift and Spaaza.\n\n\
        Try `voucherkit demo` first: a whole till session against an embedded sandbox, no set-up.\n\n\
        Real calls take their secrets from the environment, never from arguments:\n  \
        SMARTGIFT_API_KEY                       Smart Gift key (Smart-Auth)\n  \
        SPAAZA_SESSION_USER_ID, SPAAZA_SESSION_KEY   Spaaza admin/user session\n  \
        SPAAZA_AUTH (admin|user|privileged), SPAAZA_APP_HOSTNAME, SPAAZA_BEARER_TOKEN, SPAAZA_API_VERSION\n\n\
        With --journal PATH (or VOUCHERKIT_JOURNAL), smartgift redeem/reverse and spaaza\n\
        redeem-voucher record each call in a local journal before sending it; after an\n\
        outcome_unknown, `voucherkit smartgift reconcile` (or `spaaza reconcile`) settles it,\n\
        and `voucherkit journal list` shows the entries.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Shown by `--help`: one exit code per error kind, so scripts can branch on them.
pub const EXIT_CODES: &str = "Exit codes: 0 success; 2 usage error; 10 + the error kind's code otherwise:\n  \
    11 invalid_request   12 authentication   13 permission_denied   14 voucher_not_found\n  \
    15 voucher_not_owned 16 voucher_expired  17 voucher_already_redeemed 18 voucher_not_held\n  \
    19 voucher_locked    20 invalid_site     21 invalid_amount      22 rate_limited\n  \
    23 provider_error    24 network          25 outcome_unknown     26 invalid_response\n  \
    27 internal          28 journal";

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a complete till session against an embedded sandbox (no set-up, no network).
    Demo,
    /// Serve the sandbox emulator of both providers until Ctrl-C.
    Sandbox {
        /// Port on 127.0.0.1 (default: a free one).
        #[arg(long)]
        port: Option<u16>,
        /// A data set in the sandbox's JSON format instead of the demo data.
        #[arg(long)]
        data: Option<PathBuf>,
        /// A voucherkit journal file to list, by state, on the dashboard.
        #[arg(long)]
        journal: Option<PathBuf>,
    },
    /// Smart Gift operations (key from SMARTGIFT_API_KEY).
    #[command(name = "smartgift")]
    SmartGift {
        #[command(flatten)]
        common: Common,
        #[command(subcommand)]
        op: SmartGiftOp,
    },
    /// Spaaza operations (session from SPAAZA_SESSION_USER_ID and SPAAZA_SESSION_KEY).
    Spaaza {
        #[command(flatten)]
        common: Common,
        #[command(subcommand)]
        op: SpaazaOp,
    },
    /// Read the redemption journal (what journaled calls recorded).
    Journal {
        #[command(subcommand)]
        op: JournalOp,
    },
}

/// The redemption journal of a call. VOUCHERKIT_JOURNAL lets a till set it once; the
/// flag, when given, wins. The variable is read by the caller, not by clap, so that an
/// empty one means "none", as for every other variable the CLI reads.
#[derive(Args, Debug, Clone, Default)]
pub struct JournalPath {
    /// The redemption journal, an SQLite file (created by the first journaled call; env
    /// VOUCHERKIT_JOURNAL): each redeem is recorded before it is sent, so `reconcile` can
    /// settle a lost answer.
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
}

/// What a journaled call records besides the request.
#[derive(Args, Debug, Clone, Default)]
pub struct Journaled {
    #[command(flatten)]
    pub path: JournalPath,
    /// The till's own id for the sale or basket, kept on the journal entry (never sent).
    #[arg(long, value_name = "REF")]
    pub reference: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum JournalOp {
    /// List journal entries, newest first.
    List(ListArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ListArgs {
    #[command(flatten)]
    pub path: JournalPath,
    /// Only entries in this state: pending, applied, not_applied or unknown.
    #[arg(long)]
    pub state: Option<String>,
    /// Only entries of this sale or basket.
    #[arg(long)]
    pub reference: Option<String>,
    /// Only entries of this provider: smartgift or spaaza.
    #[arg(long)]
    pub provider: Option<String>,
    /// At most this many entries.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Print the entries as a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Options every real call takes. One flag per core transport option (`--max-idle-age`
/// for `max_idle_age`, …), all optional: an absent flag is the core's default, and every
/// value is checked by the core (`ClientSettings::build`), so a bad one is an
/// `invalid_request` naming the core option, as in every other binding. Numbers are taken
/// as any number, negatives included, for the same reason.
#[derive(Args, Debug, Clone, Default)]
pub struct Common {
    /// The provider's base URL (default: production; env SMARTGIFT_BASE_URL / SPAAZA_BASE_URL).
    #[arg(long, global = true)]
    pub base_url: Option<String>,
    /// Print the result or error as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// Write one line per HTTP attempt to stderr: method, path, status, attempt, duration
    /// and the provider's rate-limit headroom (never a body, a query string or a secret).
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// Whole-call deadline in seconds, retries included (default 30; 1 ms to 1 hour).
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        allow_negative_numbers = true
    )]
    pub timeout: Option<f64>,
    /// Connect timeout in seconds (default 5; 1 ms to 1 hour).
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        allow_negative_numbers = true
    )]
    pub connect_timeout: Option<f64>,
    /// Extra attempts when a request provably did not reach the provider, or on 429/503
    /// (default 2).
    #[arg(long, global = true, value_name = "N", allow_negative_numbers = true)]
    pub max_retries: Option<i64>,
    /// Seconds a pooled connection may stay idle and still be reused (default 30; 0 = never
    /// reuse; at most 1 hour).
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        allow_negative_numbers = true
    )]
    pub max_idle_age: Option<f64>,
    /// Idle connections kept per host for reuse (default 32; 0 to 1024).
    #[arg(long, global = true, value_name = "N", allow_negative_numbers = true)]
    pub max_idle_connections: Option<i64>,
    /// Extra CA certificates (PEM), trusted besides the built-in roots.
    #[arg(long, global = true, value_name = "PATH")]
    pub ca_bundle: Option<String>,
    /// Proxy URL (default: HTTPS_PROXY / ALL_PROXY from the environment).
    #[arg(long, global = true)]
    pub proxy: Option<String>,
    /// Allow plain http:// to hosts other than loopback (sends keys in clear text).
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
    /// The till software, appended to the User-Agent: NAME/VERSION, optionally followed by
    /// a space and a URL (e.g. "MyTill/4.2 https://till.example").
    #[arg(long, global = true, value_name = "NAME/VERSION[ URL]", value_parser = parse_app_info)]
    pub app_info: Option<AppInfo>,
}

/// `--app-info NAME[/VERSION][ URL]` split into its parts: the URL is a last word holding
/// "://". Only the shape is read here: blank parts, spaces, control characters and length
/// are the core's to refuse (it names `app_info`).
pub fn parse_app_info(text: &str) -> Result<AppInfo, String> {
    let text = text.trim();
    let (product, url) = match text.rsplit_once(char::is_whitespace) {
        Some((product, url)) if url.contains("://") => (product.trim_end(), Some(url.to_owned())),
        _ => (text, None),
    };
    let (name, version) = match product.split_once('/') {
        Some((name, version)) => (name.to_owned(), Some(version.to_owned())),
        None => (product.to_owned(), None),
    };
    Ok(AppInfo { name, version, url })
}

#[derive(Subcommand, Debug)]
pub enum SmartGiftOp {
    /// What a voucher is worth at a site.
    Check {
        #[arg(long)]
        voucher_no: String,
        #[arg(long)]
        site_id: String,
        /// Only experiences of this classification (repeatable), e.g. food_and_beverage.
        #[arg(long = "classification")]
        classifications: Vec<String>,
        /// A condition on the voucher's meta records (repeatable; all must match), as
        /// KEY:OPERATOR:VALUE[,VALUE…] (e.g. used_in:in:hotel,bar) or as a JSON object
        /// {"key":…,"operator":…,"value":[…]} when a value holds a comma.
        #[arg(long = "meta-condition", value_name = "KEY:OPERATOR:VALUES", value_parser = parse_meta_condition)]
        meta_conditions: Vec<MetaCondition>,
    },
    /// Reserve a voucher for about five minutes (with a journal, the hold is recorded, so
    /// reconcile can prove a redeem made under it).
    Hold {
        #[arg(long)]
        voucher_no: String,
        #[command(flatten)]
        journal: JournalPath,
    },
    /// Redeem money (--value) or experiences (--experience, repeatable).
    Redeem {
        #[arg(long)]
        voucher_no: String,
        #[arg(long)]
        site_id: String,
        /// Money, e.g. 10.00.
        #[arg(long)]
        value: Option<String>,
        /// An experience bit_value from `check` (repeatable).
        #[arg(long = "experience", allow_negative_numbers = true)]
        experiences: Vec<i64>,
        #[arg(long)]
        hold_token: Option<String>,
        #[command(flatten)]
        journaled: Journaled,
    },
    /// Give up a hold.
    Release {
        #[arg(long)]
        voucher_no: String,
        #[arg(long)]
        hold_token: String,
        #[command(flatten)]
        journal: JournalPath,
    },
    /// Undo redemptions (ids from `redeem`; repeatable).
    Reverse {
        #[arg(long)]
        voucher_no: String,
        #[arg(long)]
        site_id: String,
        #[arg(long = "redemption", required = true, allow_negative_numbers = true)]
        redemptions: Vec<i64>,
        #[command(flatten)]
        journaled: Journaled,
    },
    /// Settle the journal's entries whose answer was lost, by checking each voucher again
    /// (entries of this --base-url only).
    Reconcile {
        #[command(flatten)]
        journal: JournalPath,
    },
}

/// Identifies a voucher: exactly one (unlock accepts key and id).
#[derive(Args, Debug, Clone, Default)]
pub struct VoucherIds {
    #[arg(long)]
    pub voucher_key: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    pub voucher_id: Option<i64>,
}

/// Identifies the end-user for claim/unclaim: exactly one under admin auth.
#[derive(Args, Debug, Clone, Default)]
pub struct EndUser {
    #[arg(long, allow_negative_numbers = true)]
    pub user_id: Option<i64>,
    #[arg(long)]
    pub member_number: Option<String>,
    #[arg(long)]
    pub username: Option<String>,
    #[arg(long)]
    pub authentication_point_identifier: Option<String>,
    #[arg(long)]
    pub auxiliary_identifier: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum SpaazaOp {
    /// Redeem a voucher: all of it, or --amount of it (the rest is re-issued). With a
    /// journal, --voucher-id is needed: a lost answer is settled by reading the voucher by id.
    RedeemVoucher {
        #[arg(long, allow_negative_numbers = true)]
        chain_id: i64,
        #[command(flatten)]
        ids: VoucherIds,
        #[arg(long, allow_negative_numbers = true)]
        user_id: Option<i64>,
        /// Money, e.g. 2.00. Without it the WHOLE remaining value is redeemed.
        #[arg(long)]
        amount: Option<String>,
        #[command(flatten)]
        journaled: Journaled,
    },
    /// Unlock a locked voucher.
    UnlockVoucher {
        #[command(flatten)]
        ids: VoucherIds,
    },
    /// Take a claimed voucher back from its end-user.
    UnclaimVoucher {
        #[command(flatten)]
        claim: ClaimArgs,
    },
    /// Give a voucher to an end-user.
    ClaimVoucher {
        #[command(flatten)]
        claim: ClaimArgs,
    },
    /// Lock a basket voucher to one basket.
    LockVoucher {
        #[command(flatten)]
        ids: VoucherIds,
        #[arg(long)]
        retailer_basket_code: String,
        /// Seconds (default 300).
        #[arg(long, allow_negative_numbers = true)]
        voucher_lock_period: Option<i64>,
        #[arg(long)]
        voucher_locking_code: Option<String>,
    },
    /// Read vouchers of a chain (to reconcile after outcome_unknown).
    GetVouchers {
        /// The chain whose vouchers to read.
        #[arg(long, allow_negative_numbers = true)]
        chain_id: i64,
        /// Only this voucher (what reconciliation uses: keep the id from lock, claim or redeem).
        #[arg(long, allow_negative_numbers = true)]
        voucher_id: Option<i64>,
        #[command(flatten)]
        filters: GetVouchersFilters,
    },
    /// Settle the journal's entries whose answer was lost, by reading each voucher again
    /// (entries of this --base-url only).
    Reconcile {
        #[command(flatten)]
        journal: JournalPath,
    },
}

/// `get-vouchers` filters besides the chain and the voucher id (all optional; the
/// provider's defaults leave out redeemed and expired vouchers).
#[derive(Args, Debug, Clone, Default)]
pub struct GetVouchersFilters {
    /// Only this end-user's vouchers (by user id).
    #[arg(long, allow_negative_numbers = true)]
    pub user_id: Option<i64>,
    /// Only this end-user's vouchers (by username).
    #[arg(long)]
    pub username: Option<String>,
    /// Only this end-user's vouchers (by member number).
    #[arg(long)]
    pub member_number: Option<String>,
    /// Only this end-user's vouchers (by authentication point identifier).
    #[arg(long)]
    pub authentication_point_identifier: Option<String>,
    /// Only vouchers of this campaign.
    #[arg(long, allow_negative_numbers = true)]
    pub campaign_id: Option<i64>,
    /// Include generated, claimed and redeemed vouchers (what reconciliation wants).
    #[arg(long)]
    pub show_all_statuses: bool,
    /// Include redeemed vouchers.
    #[arg(long)]
    pub show_redeemed: bool,
    /// Include expired vouchers.
    #[arg(long)]
    pub show_expired: bool,
    /// Leave out vouchers re-issued after a partial redeem.
    #[arg(long)]
    pub exclude_regenerated: bool,
    /// Paging: at most this many vouchers.
    #[arg(long, allow_negative_numbers = true)]
    pub number_results: Option<i64>,
    /// Paging: skip this many vouchers first (0 = the first page).
    #[arg(long, allow_negative_numbers = true)]
    pub results_offset: Option<i64>,
    /// Created at or after this time (ISO 8601, e.g. 2026-01-31T00:00:00Z; sent as given).
    #[arg(long, value_name = "DATETIME")]
    pub min_created_datetime: Option<String>,
    /// Created at or before this time (ISO 8601, sent as given).
    #[arg(long, value_name = "DATETIME")]
    pub max_created_datetime: Option<String>,
    /// Expiring at or after this time (ISO 8601, sent as given).
    #[arg(long, value_name = "DATETIME")]
    pub min_expiry_datetime: Option<String>,
    /// Expiring at or before this time (ISO 8601, sent as given).
    #[arg(long, value_name = "DATETIME")]
    pub max_expiry_datetime: Option<String>,
    /// Redeemed at or after this time (ISO 8601, sent as given).
    #[arg(long, value_name = "DATETIME")]
    pub min_redeemed_datetime: Option<String>,
    /// Redeemed at or before this time (ISO 8601, sent as given).
    #[arg(long, value_name = "DATETIME")]
    pub max_redeemed_datetime: Option<String>,
}

/// `--meta-condition`: `KEY:OPERATOR:VALUE[,VALUE…]`, or a JSON object for values that
/// hold a comma. Empty keys and operators are left for the core to refuse (it names the
/// field); only the shape is checked here.
pub fn parse_meta_condition(text: &str) -> Result<MetaCondition, String> {
    if text.trim_start().starts_with('{') {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
        let string = |name: &str| {
            v.get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("\"{name}\" must be a string"))
        };
        let values = match v.get("value") {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>(),
            Some(serde_json::Value::String(one)) => Some(vec![one.clone()]),
            _ => None,
        }
        .ok_or("\"value\" must be a list of strings")?;
        if let Some(extra) = v.as_object().and_then(|m| {
            m.keys()
                .find(|k| !["key", "operator", "value"].contains(&k.as_str()))
        }) {
            return Err(format!("unknown key {extra:?} (key, operator, value)"));
        }
        return Ok(MetaCondition {
            key: string("key")?,
            operator: string("operator")?,
            value: values,
        });
    }
    let mut parts = text.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(key), Some(operator), Some(values)) => Ok(MetaCondition {
            key: key.to_owned(),
            operator: operator.to_owned(),
            value: if values.is_empty() {
                Vec::new()
            } else {
                values.split(',').map(str::to_owned).collect()
            },
        }),
        _ => Err("expected KEY:OPERATOR:VALUE[,VALUE…], e.g. used_in:in:hotel,bar".into()),
    }
}

#[derive(Args, Debug, Clone)]
pub struct ClaimArgs {
    #[arg(long, allow_negative_numbers = true)]
    pub chain_id: Option<i64>,
    #[command(flatten)]
    pub ids: VoucherIds,
    #[arg(long, allow_negative_numbers = true)]
    pub third_party_id: Option<i64>,
    #[command(flatten)]
    pub end_user: EndUser,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use voucherkit_core::{ErrorKind, OPTIONS};

    use super::*;

    /// Fails when the core gains a transport option the CLI has no flag for: every
    /// `voucherkit_core::OPTIONS` entry is a `--kebab-case` flag of both providers.
    #[test]
    fn every_core_option_is_a_flag() {
        let cli = Cli::command();
        for provider in ["smartgift", "spaaza"] {
            let sub = cli.find_subcommand(provider).expect(provider);
            for option in OPTIONS {
                let flag = option.name.replace('_', "-");
                assert!(
                    sub.get_arguments()
                        .any(|a| a.get_long() == Some(flag.as_str())),
                    "`voucherkit {provider}` has no --{flag} for the core option {}",
                    option.name
                );
            }
        }
    }

    /// Fails when the core gains an error kind that `--help` does not list with its exit
    /// code (10 + the kind's code), or when a listed code is wrong.
    #[test]
    fn help_lists_every_error_kind_with_its_exit_code() {
        let listed: Vec<(u32, &str)> = EXIT_CODES
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .filter_map(|w| Some((w[0].parse().ok()?, w[1])))
            .filter(|(code, name)| {
                *code >= 10 && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            })
            .collect();
        for kind in ErrorKind::ALL {
            let code = 10 + kind.code();
            assert!(
                listed.contains(&(code, kind.as_str())),
                "--help does not list exit code {code} for {}",
                kind.as_str()
            );
        }
        assert_eq!(listed.len(), ErrorKind::ALL.len(), "{listed:?}");
    }

    #[test]
    fn app_info_is_split_into_name_version_and_url() {
        let cases = [
            ("MyTill/4.2", ("MyTill", Some("4.2"), None)),
            (
                "MyTill/4.2 https://till.example/x",
                ("MyTill", Some("4.2"), Some("https://till.example/x")),
            ),
            ("MyTill", ("MyTill", None, None)),
            (
                "MyTill https://t.example",
                ("MyTill", None, Some("https://t.example")),
            ),
            // Left whole for the core to refuse (a space in the name).
            ("My Till/1.0", ("My Till", Some("1.0"), None)),
        ];
        for (text, (name, version, url)) in cases {
            let info = parse_app_info(text).unwrap();
            assert_eq!(
                (
                    info.name.as_str(),
                    info.version.as_deref(),
                    info.url.as_deref()
                ),
                (name, version, url),
                "{text}"
            );
        }
    }
}
