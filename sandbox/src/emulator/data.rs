//! The emulator's data: who may call, and which vouchers exist.
//!
//! A [`DataSet`] is plain data with a JSON form (documented with an example
//! in `sandbox/DATA.md`). The emulator starts from one — [`DataSet::demo`]
//! unless told otherwise — and changes its own copy as requests come in:
//! balances go down, experiences get used, holds and locks come and go,
//! Spaaza vouchers change status and regenerated ones appear.
//! `GET /__sandbox/data` serves that live copy in the same format, so a
//! state can be saved and loaded again.
//!
//! Money is a decimal string in the file (`"100.00"`); a JSON number is
//! accepted too and read from its digits, never through a float. Dates are
//! `YYYY-MM-DD HH:MM:SS` (UTC) or RFC 3339.

use std::collections::HashSet;
use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::clock;

/// Everything both emulated providers know.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSet {
    #[serde(default)]
    pub smartgift: SmartGiftData,
    #[serde(default)]
    pub spaaza: SpaazaData,
}

/// Smart Gift: companies (who calls, from which sites) and their vouchers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmartGiftData {
    #[serde(default)]
    pub companies: Vec<Company>,
    #[serde(default)]
    pub vouchers: Vec<GiftVoucher>,
    /// Live holds. Written by the emulator; usually left out of a file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holds: Vec<Hold>,
    /// Every redemption made, reversed ones included (their ids are what
    /// `reverse` takes). Written by the emulator; usually left out of a file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redemptions: Vec<Redemption>,
}

/// A Smart Gift customer. A request's `Smart-Auth` key picks the company.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub id: i64,
    pub name: String,
    /// Keys accepted in `Smart-Auth`; each belongs to exactly one company.
    #[serde(default)]
    pub api_keys: Vec<String>,
    /// The site numbers a till of this company may send as `site_id`.
    #[serde(default, deserialize_with = "strings")]
    pub sites: Vec<String>,
}

/// `monetary` (a balance in pounds) or `experience` (a set of experiences).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GiftVoucherType {
    Monetary,
    Experience,
}

/// A Smart Gift voucher.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiftVoucher {
    /// The `id` that `check` shows; `10000 + position` when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub voucher_no: String,
    pub company_id: i64,
    #[serde(rename = "type")]
    pub voucher_type: GiftVoucherType,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Monetary vouchers: the balance left (`"0.00"` = fully redeemed).
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    /// Not redeemable before this time (`The voucher number provided has expired.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Not redeemable after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// Experience vouchers: what the voucher buys, one bit each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experiences: Vec<GiftExperience>,
}

/// One experience of an experience voucher.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiftExperience {
    pub id: i64,
    pub name: String,
    /// A power of two, distinct within the voucher; a redeem's `value` is a
    /// sum of these.
    pub bit_value: u64,
    /// Sites where it can be redeemed; empty = every site of the company.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub sites: Vec<String>,
    /// E.g. `food_and_beverage`, `spa`: what `check`'s
    /// `filters.classifications` matches. Unclassified experiences always pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// Already redeemed (and not reversed).
    #[serde(default, skip_serializing_if = "is_false")]
    pub used: bool,
}

/// A live Smart Gift hold (five minutes from `hold`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hold {
    pub voucher_no: String,
    pub hold_token: String,
    pub expires_at: String,
}

/// One Smart Gift redemption: money, or one experience.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redemption {
    pub id: u64,
    pub voucher_no: String,
    pub site_id: String,
    /// Money taken (monetary vouchers).
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    /// The experience used (experience vouchers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bit_value: Option<u64>,
    pub redeemed_at: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub reversed: bool,
}

/// Spaaza: chains (with their sessions) and their vouchers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaazaData {
    #[serde(default)]
    pub chains: Vec<Chain>,
    #[serde(default)]
    pub vouchers: Vec<ChainVoucher>,
}

/// A Spaaza retail chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    pub id: i64,
    pub name: String,
    /// `X-Spaaza-MyPrice-App-Hostname` for user and privileged sessions.
    pub app_hostname: String,
    /// Admin sessions (the till case): `X-Spaaza-Session-User-Id` + `-Key`.
    #[serde(default)]
    pub admins: Vec<ChainAdmin>,
    /// End-users (customers), who claim vouchers.
    #[serde(default)]
    pub users: Vec<ChainUser>,
    /// Bearer tokens accepted for privileged auth.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub privileged_tokens: Vec<String>,
}

/// An admin session of a chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainAdmin {
    pub user_id: i64,
    pub session_key: String,
}

/// An end-user of a chain; any one identifier finds them in claim/unclaim.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainUser {
    pub user_id: i64,
    /// Also the `user_entity_card` code (`{"type":"custom","code":…}`);
    /// without one the card is `{"type":"regular","code":"<user_id>"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_number: Option<String>,
    /// The user's e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_point_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auxiliary_identifier: Option<String>,
    /// A user session (with the chain's app hostname); none = cannot log in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
}

/// `generated` → `claimed` (by a user) → `redeemed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChainVoucherStatus {
    Generated,
    Claimed,
    Redeemed,
}

impl ChainVoucherStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChainVoucherStatus::Generated => "generated",
            ChainVoucherStatus::Claimed => "claimed",
            ChainVoucherStatus::Redeemed => "redeemed",
        }
    }
}

/// A Spaaza voucher. Field names follow the wire's `voucher_…` names
/// without the prefix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainVoucher {
    pub voucher_id: i64,
    /// 64 hex characters in every Spaaza sample.
    pub voucher_key: String,
    pub chain_id: i64,
    /// `basket` (the only type that can be locked), `honour`, …
    #[serde(rename = "type", default = "basket")]
    pub voucher_type: String,
    pub status: ChainVoucherStatus,
    /// `voucher_amount`: the value while generated or claimed; once redeemed,
    /// the amount that was redeemed (as Spaaza shows it).
    #[serde(with = "money")]
    pub amount: Decimal,
    /// `voucher_amount_original`; `amount` when left out.
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    pub amount_original: Option<Decimal>,
    /// `voucher_amount_redeemed`; `0` (or `amount`, once redeemed) when left out.
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    pub amount_redeemed: Option<Decimal>,
    /// The end-user it belongs to; kept on unclaim, as Spaaza does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(default = "euro_id")]
    pub currency_id: i64,
    #[serde(default = "euro")]
    pub currency_symbol: String,
    pub campaign_id: i64,
    pub campaign_title: String,
    pub campaign_type: String,
    /// `voucher_expiry_datetime_utc`.
    pub expiry: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party_id: Option<i64>,
    /// `voucher_created_datetime`; the sandbox's start time when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `voucher_redeemed_datetime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honour_code: Option<String>,
    /// The campaign task shown by redeem-voucher, as JSON (e.g.
    /// `{"task_id":450,"task_type":"create voucher","title":"no_amount"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Value>,
    /// Set on a voucher regenerated by a partial redeem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_voucher_id: Option<i64>,
    /// Locked by lock-voucher; live until `locked_until` (none = until unlocked).
    #[serde(default, skip_serializing_if = "is_false")]
    pub locked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locking_code: Option<String>,
    /// `voucher_retailer_basket_code_exclusive`: the basket holding the lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retailer_basket_code: Option<String>,
}

impl DataSet {
    /// Reads a data set from its JSON form and checks it (unique keys and
    /// numbers, known companies and chains, valid dates and bit values).
    pub fn from_json(text: &str) -> Result<DataSet, String> {
        let data: DataSet =
            serde_json::from_str(text).map_err(|e| format!("not a voucherkit data set: {e}"))?;
        data.validate()?;
        Ok(data)
    }

    /// [`DataSet::from_json`] on a file's contents.
    pub fn load(path: &Path) -> Result<DataSet, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        DataSet::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The JSON form, indented (what [`DataSet::from_json`] reads).
    pub fn to_json_pretty(&self) -> String {
        // Only strings, numbers and plain structs: serializing cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks what serde cannot: references and uniqueness.
    pub fn validate(&self) -> Result<(), String> {
        self.smartgift.validate()?;
        self.spaaza.validate()
    }

    /// The demo data set that `voucherkit sandbox` and `voucherkit demo` use.
    ///
    /// Smart Gift (`Smart-Auth`):
    ///
    /// | voucher_no | company | what |
    /// |---|---|---|
    /// | `1000000001` | 1 | £100.00 monetary |
    /// | `1000000002` | 1 | £25.00 monetary |
    /// | `1000000003` | 1 | experience: 1 afternoon tea (sites 12, 14), 2 massage (14), 4 dinner (12), 8 overnight stay (12) |
    /// | `1000000004` | 1 | £50.00, expired at the end of 2023 |
    /// | `1000000005` | 1 | £0.00: fully redeemed |
    /// | `1000000006` | 1 | £40.00, valid only from 2049 |
    /// | `2000000001` | 2 | £75.00 of the other company |
    ///
    /// Company 1 "Harbour Hotels" has key `sk_demo_harbour_7Qm2xV9pL4` and
    /// sites `12`, `14`; company 2 "Riverside Spa" has key
    /// `sk_demo_riverside_3Kt8wN5rB1` and site `31`.
    ///
    /// Spaaza: chain 2 "ACME Stores" (`acme.spaaza.com`), admin user id `1`
    /// with session key `demo-acme-admin-session-0001`; chain 3 "Globex
    /// Retail", admin `5` / `demo-globex-admin-session-0005`.
    ///
    /// | voucher_id | chain | what |
    /// |---|---|---|
    /// | `438595` | 2 | €10 basket, claimed by user 1107604 (the seed's key `b45069f0…`) |
    /// | `35735` | 2 | €5 basket, claimed by user 1107604 (the unlock seed's) |
    /// | `40577` | 2 | €20 basket, generated (the unclaim seed's; third_party_id 3914599659) |
    /// | `438001` | 2 | €15, redeemed |
    /// | `438002` | 2 | €10, claimed, expired mid-2023 |
    /// | `438003` | 2 | €3 honour voucher (cannot be locked) |
    /// | `500001` | 3 | €25 of the other chain |
    pub fn demo() -> DataSet {
        let money = |s: &str| Some(s.parse::<Decimal>().unwrap_or_default());
        let gift = |id: i64, no: &str, company: i64, name: &str, value: &str| GiftVoucher {
            id: Some(id),
            voucher_no: no.into(),
            company_id: company,
            voucher_type: GiftVoucherType::Monetary,
            name: name.into(),
            description: format!("{name}, to spend at any of our sites"),
            value: money(value),
            valid_from: None,
            valid_until: Some("2050-12-31 23:59:59".into()),
            experiences: Vec::new(),
        };
        let experience =
            |id: i64, name: &str, bit: u64, sites: &[&str], class: &str| GiftExperience {
                id,
                name: name.into(),
                bit_value: bit,
                sites: sites.iter().map(|s| s.to_string()).collect(),
                classification: Some(class.into()),
                used: false,
            };
        let smartgift = SmartGiftData {
            companies: vec![
                Company {
                    id: 1,
                    name: "Harbour Hotels".into(),
                    api_keys: vec!["sk_demo_harbour_7Qm2xV9pL4".into()],
                    sites: vec!["12".into(), "14".into()],
                },
                Company {
                    id: 2,
                    name: "Riverside Spa".into(),
                    api_keys: vec!["sk_demo_riverside_3Kt8wN5rB1".into()],
                    sites: vec!["31".into()],
                },
            ],
            vouchers: vec![
                gift(11401, "1000000001", 1, "£100 Gift Voucher", "100.00"),
                gift(11402, "1000000002", 1, "£25 Gift Voucher", "25.00"),
                GiftVoucher {
                    id: Some(11403),
                    voucher_no: "1000000003".into(),
                    company_id: 1,
                    voucher_type: GiftVoucherType::Experience,
                    name: "Harbour Break for Two".into(),
                    description: "Afternoon tea, a massage, dinner and a night's stay".into(),
                    value: None,
                    valid_from: None,
                    valid_until: Some("2050-12-31 23:59:59".into()),
                    experiences: vec![
                        experience(501, "Afternoon Tea", 1, &["12", "14"], "food_and_beverage"),
                        experience(502, "Full-Body Massage", 2, &["14"], "spa"),
                        experience(503, "Three-Course Dinner", 4, &["12"], "food_and_beverage"),
                        experience(504, "Overnight Stay", 8, &["12"], "accommodation"),
                    ],
                },
                GiftVoucher {
                    valid_from: Some("2023-01-01 00:00:00".into()),
                    valid_until: Some("2023-12-31 23:59:59".into()),
                    ..gift(11404, "1000000004", 1, "£50 Gift Voucher (2023)", "50.00")
                },
                gift(11405, "1000000005", 1, "£30 Gift Voucher (spent)", "0.00"),
                GiftVoucher {
                    valid_from: Some("2049-01-01 00:00:00".into()),
                    ..gift(
                        11406,
                        "1000000006",
                        1,
                        "£40 Gift Voucher (from 2049)",
                        "40.00",
                    )
                },
                gift(21401, "2000000001", 2, "£75 Spa Voucher", "75.00"),
            ],
            holds: Vec::new(),
            redemptions: Vec::new(),
        };

        let voucher = |id: i64, key: &str, chain: i64, amount: &str| ChainVoucher {
            voucher_id: id,
            voucher_key: key.into(),
            chain_id: chain,
            voucher_type: "basket".into(),
            status: ChainVoucherStatus::Claimed,
            amount: money(amount).unwrap_or_default(),
            amount_original: None,
            amount_redeemed: None,
            user_id: Some(1_107_604),
            currency_id: 2,
            currency_symbol: "€".into(),
            campaign_id: 300,
            campaign_title: "ACME Loyalty Campaign".into(),
            campaign_type: "loyalty".into(),
            expiry: "2050-06-12 15:41:40".into(),
            third_party_id: None,
            created: Some("2021-03-16T13:14:32+00:00".into()),
            redeemed_at: None,
            title: None,
            text: None,
            description: None,
            notes: None,
            honour_code: None,
            task: None,
            parent_voucher_id: None,
            locked: false,
            locked_until: None,
            locking_code: None,
            retailer_basket_code: None,
        };
        let spaaza = SpaazaData {
            chains: vec![
                Chain {
                    id: 2,
                    name: "ACME Stores".into(),
                    app_hostname: "acme.spaaza.com".into(),
                    admins: vec![ChainAdmin {
                        user_id: 1,
                        session_key: "demo-acme-admin-session-0001".into(),
                    }],
                    users: vec![
                        ChainUser {
                            user_id: 1_107_604,
                            member_number: Some("404064".into()),
                            username: Some("jane.doe@example.com".into()),
                            session_key: Some("demo-acme-user-session-jane".into()),
                            ..ChainUser::default()
                        },
                        ChainUser {
                            user_id: 1_107_605,
                            member_number: Some("404065".into()),
                            username: Some("sam.roe@example.com".into()),
                            ..ChainUser::default()
                        },
                    ],
                    privileged_tokens: vec!["demo-acme-privileged-token".into()],
                },
                Chain {
                    id: 3,
                    name: "Globex Retail".into(),
                    app_hostname: "globex.spaaza.com".into(),
                    admins: vec![ChainAdmin {
                        user_id: 5,
                        session_key: "demo-globex-admin-session-0005".into(),
                    }],
                    users: vec![ChainUser {
                        user_id: 2_200_001,
                        member_number: Some("900001".into()),
                        username: Some("max.mustermann@example.com".into()),
                        ..ChainUser::default()
                    }],
                    privileged_tokens: Vec::new(),
                },
            ],
            vouchers: vec![
                ChainVoucher {
                    title: Some("no_amount".into()),
                    text: Some("no_amount".into()),
                    description: Some("voucher text".into()),
                    notes: Some("Noted again and again!".into()),
                    honour_code: Some(String::new()),
                    task: Some(serde_json::json!({
                        "task_id": 450, "task_type": "create voucher", "title": "no_amount"
                    })),
                    ..voucher(
                        438_595,
                        "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5",
                        2,
                        "10",
                    )
                },
                ChainVoucher {
                    campaign_id: 136,
                    campaign_title: "Earn €5 on signup".into(),
                    campaign_type: "signup".into(),
                    expiry: "2050-01-01 00:00:00".into(),
                    ..voucher(
                        35_735,
                        "13918dc12e44bc183cb168fa10684d0714115ff37132d4c265f4a8ab6678a741",
                        2,
                        "5",
                    )
                },
                ChainVoucher {
                    status: ChainVoucherStatus::Generated,
                    user_id: None,
                    campaign_id: 2,
                    campaign_title: "20 EUR voucher for every 200 EUR spent".into(),
                    campaign_type: "cashback".into(),
                    expiry: "2050-01-01 00:00:00".into(),
                    third_party_id: Some(3_914_599_659),
                    text: Some("Your new voucher, enjoy!".into()),
                    ..voucher(
                        40_577,
                        "a8c34c86c136e5ddf0ad374e140aa1e3504ebbf23d76d84788677268fd99b809",
                        2,
                        "20",
                    )
                },
                ChainVoucher {
                    status: ChainVoucherStatus::Redeemed,
                    amount_redeemed: money("15"),
                    redeemed_at: Some("2024-05-04T10:12:00+00:00".into()),
                    ..voucher(
                        438_001,
                        "c9288bd2c2a6763334799f6bed883d0b8cc8a946349d88e8a03e496036e518bf",
                        2,
                        "15",
                    )
                },
                ChainVoucher {
                    expiry: "2023-06-30 23:59:59".into(),
                    ..voucher(
                        438_002,
                        "57ad490d23f49cb88ab315a8f67c82acfffe405b686ae5f7e623f5ce35c362c6",
                        2,
                        "10",
                    )
                },
                ChainVoucher {
                    voucher_type: "honour".into(),
                    title: Some("Free coffee".into()),
                    honour_code: Some("COFFEE-2050".into()),
                    ..voucher(
                        438_003,
                        "e3f1b0412b4d3fbb2a5b56ce1b82aa395c7aa846f385d40c4d2e57ca3c8cc126",
                        2,
                        "3",
                    )
                },
                ChainVoucher {
                    user_id: Some(2_200_001),
                    campaign_id: 900,
                    campaign_title: "Globex Welcome".into(),
                    campaign_type: "signup".into(),
                    ..voucher(
                        500_001,
                        "fac489403a3e5b3689ebe8e69578b82a1a29bcf7c50378e34d33dc8046b82a2e",
                        3,
                        "25",
                    )
                },
            ],
        };
        DataSet { smartgift, spaaza }
    }
}

impl SmartGiftData {
    fn validate(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        let mut keys = HashSet::new();
        for c in &self.companies {
            if !ids.insert(c.id) {
                return Err(format!("smartgift: company id {} is used twice", c.id));
            }
            for key in &c.api_keys {
                if key.trim().is_empty() || !keys.insert(key.as_str()) {
                    return Err(format!(
                        "smartgift: company {} has an empty or repeated api key",
                        c.id
                    ));
                }
            }
        }
        let mut numbers = HashSet::new();
        for v in &self.vouchers {
            let at = format!("smartgift voucher {:?}", v.voucher_no);
            if v.voucher_no.is_empty() || !numbers.insert(v.voucher_no.as_str()) {
                return Err(format!("{at}: voucher_no is empty or used twice"));
            }
            let company = self
                .companies
                .iter()
                .find(|c| c.id == v.company_id)
                .ok_or_else(|| format!("{at}: no company {}", v.company_id))?;
            for date in [&v.valid_from, &v.valid_until].into_iter().flatten() {
                clock::parse(date).map_err(|e| format!("{at}: {e}"))?;
            }
            match v.voucher_type {
                GiftVoucherType::Monetary => {
                    let value = v
                        .value
                        .ok_or_else(|| format!("{at}: a monetary voucher needs a value"))?;
                    if value.is_sign_negative() && !value.is_zero() {
                        return Err(format!("{at}: value must not be negative"));
                    }
                    if !v.experiences.is_empty() {
                        return Err(format!("{at}: a monetary voucher has no experiences"));
                    }
                }
                GiftVoucherType::Experience => {
                    if v.experiences.is_empty() {
                        return Err(format!("{at}: an experience voucher needs experiences"));
                    }
                    let mut bits = 0u64;
                    for e in &v.experiences {
                        if !e.bit_value.is_power_of_two() || bits & e.bit_value != 0 {
                            return Err(format!(
                                "{at}: bit_value {} is not a power of two distinct within the voucher",
                                e.bit_value
                            ));
                        }
                        bits |= e.bit_value;
                        if let Some(site) = e.sites.iter().find(|s| !company.sites.contains(s)) {
                            return Err(format!(
                                "{at}: experience {} names site {site:?}, not a site of company {}",
                                e.id, company.id
                            ));
                        }
                    }
                }
            }
        }
        for h in &self.holds {
            if !numbers.contains(h.voucher_no.as_str()) {
                return Err(format!("smartgift hold: no voucher {:?}", h.voucher_no));
            }
            clock::parse(&h.expires_at).map_err(|e| format!("smartgift hold: {e}"))?;
        }
        let mut redemption_ids = HashSet::new();
        for r in &self.redemptions {
            if !redemption_ids.insert(r.id) || !numbers.contains(r.voucher_no.as_str()) {
                return Err(format!(
                    "smartgift redemption {}: id used twice or unknown voucher",
                    r.id
                ));
            }
        }
        Ok(())
    }
}

impl SpaazaData {
    fn validate(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        for c in &self.chains {
            if !ids.insert(c.id) {
                return Err(format!("spaaza: chain id {} is used twice", c.id));
            }
        }
        let mut voucher_ids = HashSet::new();
        let mut keys = HashSet::new();
        for v in &self.vouchers {
            let at = format!("spaaza voucher {}", v.voucher_id);
            if !voucher_ids.insert(v.voucher_id) {
                return Err(format!("{at}: voucher_id used twice"));
            }
            if v.voucher_key.is_empty() || !keys.insert(v.voucher_key.as_str()) {
                return Err(format!("{at}: voucher_key is empty or used twice"));
            }
            if !ids.contains(&v.chain_id) {
                return Err(format!("{at}: no chain {}", v.chain_id));
            }
            if v.amount.is_sign_negative() && !v.amount.is_zero() {
                return Err(format!("{at}: amount must not be negative"));
            }
            let dates = [
                &Some(v.expiry.clone()),
                &v.created,
                &v.redeemed_at,
                &v.locked_until,
            ];
            for date in dates.into_iter().flatten() {
                clock::parse(date).map_err(|e| format!("{at}: {e}"))?;
            }
        }
        Ok(())
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn basket() -> String {
    "basket".into()
}

fn euro_id() -> i64 {
    2
}

fn euro() -> String {
    "€".into()
}

/// Site numbers as strings; integers in a file are accepted and converted.
fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items = Vec::<Value>::deserialize(d)?;
    items
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(serde::de::Error::custom(format!(
                "a site must be a string or an integer, got {other}"
            ))),
        })
        .collect()
}

/// A decimal from a JSON string or number, read from its digits.
pub(crate) fn decimal_from(v: &Value) -> Option<Decimal> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Decimal::from_str_exact(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

/// Money as a decimal string (`"10.00"`); a JSON number is read too.
mod money {
    use super::*;

    pub(super) fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let v = Value::deserialize(d)?;
        decimal_from(&v).ok_or_else(|| {
            serde::de::Error::custom(format!("money must be a decimal like \"10.00\", got {v}"))
        })
    }
}

mod opt_money {
    use super::*;

    pub(super) fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => decimal_from(&v).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!("money must be a decimal like \"10.00\", got {v}"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_valid_and_round_trips() {
        let demo = DataSet::demo();
        demo.validate().unwrap();
        let text = demo.to_json_pretty();
        assert!(text.contains("\"value\": \"100.00\""), "{text}");
        assert_eq!(DataSet::from_json(&text).unwrap(), demo);
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| DataSet::from_json(text).unwrap_err();
        assert!(err(r#"{"smartgift": {"companys": []}}"#).contains("companys"));
        let no_company = r#"{"smartgift": {"vouchers": [{"voucher_no": "1", "company_id": 9,
            "type": "monetary", "name": "x", "value": "1.00"}]}}"#;
        assert!(err(no_company).contains("no company 9"));
        let bad_bits = r#"{"smartgift": {"companies": [{"id": 1, "name": "c", "sites": [12]}],
            "vouchers": [{"voucher_no": "1", "company_id": 1, "type": "experience", "name": "x",
            "experiences": [{"id": 1, "name": "a", "bit_value": 3}]}]}}"#;
        assert!(err(bad_bits).contains("power of two"));
        let ok = r#"{"smartgift": {"companies": [{"id": 1, "name": "c", "sites": [12]}],
            "vouchers": [{"voucher_no": "1", "company_id": 1, "type": "monetary", "name": "x",
            "value": 12.50}]}}"#;
        let data = DataSet::from_json(ok).unwrap();
        assert_eq!(data.smartgift.companies[0].sites, ["12"]);
        assert_eq!(
            data.smartgift.vouchers[0].value,
            Some(Decimal::new(1250, 2))
        );
    }
}
