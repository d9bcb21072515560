//! The demo data set (`voucherkit sandbox`, `voucherkit demo`, the README examples).

use rust_decimal::Decimal;

use super::*;

impl DataSet {
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
