//! The fuzz targets' input formats and the invariants they share.
//!
//! Inputs are plain text, so that `seed_corpus.py` writes the seed corpora straight from
//! the conformance corpus and a crash file can be read (and turned into a unit test) as
//! it is. libFuzzer mutates them byte by byte, so every byte sequence still means
//! something: a line that parses as nothing is skipped, never a reason to stop.

use voucherkit_core::fuzzing::{Answer, Mapped};
use voucherkit_core::smartgift::{
    CheckRequest, HoldRequest, MetaCondition, RedeemRequest, ReleaseRequest, ReverseRequest, SiteId,
};
use voucherkit_core::spaaza::{
    ClaimRequest, GetVouchersRequest, LockVoucherRequest, RedeemVoucherRequest, SpaazaAuth,
    UnlockVoucherRequest,
};
use voucherkit_core::{Amount, Error, ErrorKind, Provider};

/// An answer: the first line is the status (its digits; a `!` on it marks a body over the
/// 1 MiB cap, which the transport then hands over empty), then `Name: value` header lines
/// up to an empty line, then the body, byte for byte.
pub fn answer(data: &[u8]) -> Answer {
    let (first, mut rest) = split_line(data);
    let digits: Vec<u8> = first
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    let number = std::str::from_utf8(&digits)
        .ok()
        .and_then(|d| d.parse::<u64>().ok());
    // What an HTTP parser can hand over: three digits.
    let status = match number {
        None => 200,
        Some(n @ 100..=999) => n as u16,
        Some(n) => 100 + (n % 900) as u16,
    };
    let mut headers = Vec::new();
    let mut body = Vec::new();
    while !rest.is_empty() {
        let (line, next) = split_line(rest);
        rest = next;
        if line.is_empty() {
            body = rest.to_vec();
            break;
        }
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let value = &line[colon + 1..];
            let start = value.iter().position(|&b| b != b' ').unwrap_or(value.len());
            headers.push((line[..colon].to_vec(), value[start..].to_vec()));
        }
    }
    Answer {
        status,
        headers,
        body,
        oversize: first.contains(&b'!'),
    }
}

fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// Checks what every error made from an answer must satisfy, for `provider` and an answer
/// of `status`, decoded as a write or a read.
pub fn check_answer_error(e: &Error, provider: Provider, status: u16, write: bool) {
    assert_ne!(
        e.kind,
        ErrorKind::Internal,
        "an answer gave internal: {e:?}"
    );
    assert_ne!(
        e.kind,
        ErrorKind::InvalidRequest,
        "an answer gave invalid_request: {e:?}"
    );
    assert_eq!(e.http_status, Some(status), "{e:?}");
    assert_eq!(e.provider, Some(provider), "{e:?}");
    assert!(
        !e.message.trim().is_empty(),
        "an error without a message: {e:?}"
    );
    if write && (200..300).contains(&status) {
        // The provider accepted a write: saying "nothing happened" would lose money.
        assert_ne!(e.kind, ErrorKind::InvalidResponse, "2xx to a write: {e:?}");
    }
    if !write {
        assert_ne!(
            e.kind,
            ErrorKind::OutcomeUnknown,
            "a read cannot be unknown: {e:?}"
        );
    }
    if (300..400).contains(&status) {
        assert_eq!(e.kind, ErrorKind::InvalidResponse, "a redirect: {e:?}");
    }
    if e.kind == ErrorKind::OutcomeUnknown {
        assert!(!e.retryable, "outcome_unknown must never be retried: {e:?}");
    }
    if e.retryable {
        assert!(
            e.kind == ErrorKind::RateLimited
                || (status == 503 && e.retry_after.is_some() && e.kind == ErrorKind::ProviderError),
            "retryable without the provider asking: {e:?}"
        );
    }
    let json = e.to_json();
    assert_eq!(json["kind"], e.kind.as_str());
}

/// Checks a decoder's outcome: success only for a 2xx, a failure as above.
pub fn check_decoded<T>(r: &Result<T, Error>, provider: Provider, status: u16, write: bool) {
    match r {
        Ok(_) => assert!(
            (200..300).contains(&status),
            "HTTP {status} decoded as a success"
        ),
        Err(e) => check_answer_error(e, provider, status, write),
    }
}

/// Checks the mapping and retry rules that do not depend on the operation.
pub fn check_mapped(m: &Mapped, provider: Provider, status: u16) {
    check_answer_error(&m.error_as_read, provider, status, false);
    check_answer_error(&m.error_as_write, provider, status, true);
    // A write differs from a read only where a lost answer may hide an effect.
    assert!(
        m.error_as_write.kind == m.error_as_read.kind
            || m.error_as_write.kind == ErrorKind::OutcomeUnknown,
        "read {:?} vs write {:?}",
        m.error_as_read,
        m.error_as_write
    );
    if m.retried_as_write {
        assert!(m.retried_as_read, "a write retried where a read is not");
        assert!(
            status == 429 || (status == 503 && m.own_error_body && m.wait_seconds.is_some()),
            "a write retried on HTTP {status} without the provider's own word"
        );
    }
    if m.retried_as_read {
        assert!(status == 429 || status == 503, "retried on HTTP {status}");
    }
}

/// A request for one operation, read from `key=value` lines.
#[derive(Debug)]
pub enum Request {
    Check(CheckRequest),
    Hold(HoldRequest),
    Redeem(RedeemRequest),
    Release(ReleaseRequest),
    Reverse(ReverseRequest),
    RedeemVoucher(RedeemVoucherRequest, SpaazaAuth),
    UnlockVoucher(UnlockVoucherRequest, SpaazaAuth),
    UnclaimVoucher(ClaimRequest, SpaazaAuth),
    ClaimVoucher(ClaimRequest, SpaazaAuth),
    LockVoucher(LockVoucherRequest),
    GetVouchers(GetVouchersRequest, SpaazaAuth),
}

pub const OPERATIONS: &[&str] = &[
    "smartgift.check",
    "smartgift.hold",
    "smartgift.redeem",
    "smartgift.release",
    "smartgift.reverse",
    "spaaza.redeem_voucher",
    "spaaza.unlock_voucher",
    "spaaza.unclaim_voucher",
    "spaaza.claim_voucher",
    "spaaza.lock_voucher",
    "spaaza.get_vouchers",
];

/// The parameters of a request input, in order.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn text(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// An integer parameter; one that does not parse is absent (the API takes `i64`).
    fn int(&self, key: &str) -> Option<i64> {
        self.text(key).and_then(|v| v.parse().ok())
    }

    fn ints(&self, key: &str) -> Option<Vec<i64>> {
        let all = self.all(key);
        (!all.is_empty()).then(|| all.iter().filter_map(|v| v.parse().ok()).collect())
    }

    fn flag(&self, key: &str) -> bool {
        self.text(key).is_some_and(|v| v == "true" || v == "1")
    }

    /// `site_id` is text, `site_id_number` the integer form.
    fn site(&self) -> SiteId {
        match (self.int("site_id_number"), self.text("site_id")) {
            (Some(n), _) => SiteId::Number(n),
            (None, Some(s)) => SiteId::Text(s),
            (None, None) => SiteId::Text(String::new()),
        }
    }
}

/// A request: the first line names the operation (`smartgift.redeem`; an unknown name
/// picks one by its first byte), the next lines are `key=value` parameters by their wire
/// names (repeat a key for a list; `auth=user` sets Spaaza's auth mode;
/// `meta_condition=key|operator|value|…`). Values are UTF-8, invalid bytes replaced.
pub fn request(data: &[u8]) -> Request {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or_default();
    let fields = Fields(
        lines
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    );
    let op = OPERATIONS
        .iter()
        .position(|o| *o == first)
        .unwrap_or_else(|| usize::from(first.bytes().next().unwrap_or(0)) % OPERATIONS.len());
    let auth = fields
        .text("auth")
        .and_then(|a| SpaazaAuth::from_name(&a))
        .unwrap_or_default();
    let f = &fields;
    let s = |k: &str| f.text(k).unwrap_or_default();
    let claim = || ClaimRequest {
        chain_id: f.int("chain_id"),
        voucher_key: f.text("voucher_key"),
        voucher_id: f.int("voucher_id"),
        third_party_id: f.int("third_party_id"),
        user_id: f.int("user_id"),
        member_number: f.text("member_number"),
        username: f.text("username"),
        authentication_point_identifier: f.text("authentication_point_identifier"),
        auxiliary_identifier: f.text("auxiliary_identifier"),
    };
    match op {
        0 => Request::Check(CheckRequest {
            voucher_no: s("voucher_no"),
            site_id: f.site(),
            classifications: f.all("classifications"),
            meta_conditions: f
                .all("meta_condition")
                .iter()
                .map(|m| {
                    let mut parts = m.split('|').map(str::to_owned);
                    MetaCondition {
                        key: parts.next().unwrap_or_default(),
                        operator: parts.next().unwrap_or_default(),
                        value: parts.collect(),
                    }
                })
                .collect(),
        }),
        1 => Request::Hold(HoldRequest {
            voucher_no: s("voucher_no"),
        }),
        2 => Request::Redeem(RedeemRequest {
            voucher_no: s("voucher_no"),
            site_id: f.site(),
            value: f.text("value").map(Amount::Text),
            experiences: f.ints("experiences"),
            hold_token: f.text("hold_token"),
            reference: f.text("reference"),
        }),
        3 => Request::Release(ReleaseRequest {
            voucher_no: s("voucher_no"),
            hold_token: s("hold_token"),
        }),
        4 => Request::Reverse(ReverseRequest {
            voucher_no: s("voucher_no"),
            site_id: f.site(),
            redemptions: f.ints("redemptions").unwrap_or_default(),
            reference: f.text("reference"),
        }),
        5 => Request::RedeemVoucher(
            RedeemVoucherRequest {
                chain_id: f.int("chain_id").unwrap_or_default(),
                voucher_key: f.text("voucher_key"),
                voucher_id: f.int("voucher_id"),
                user_id: f.int("user_id"),
                amount: f.text("amount").map(Amount::Text),
                reference: f.text("reference"),
            },
            auth,
        ),
        6 => Request::UnlockVoucher(
            UnlockVoucherRequest {
                voucher_key: f.text("voucher_key"),
                voucher_id: f.int("voucher_id"),
            },
            auth,
        ),
        7 => Request::UnclaimVoucher(claim(), auth),
        8 => Request::ClaimVoucher(claim(), auth),
        9 => Request::LockVoucher(LockVoucherRequest {
            voucher_key: f.text("voucher_key"),
            voucher_id: f.int("voucher_id"),
            retailer_basket_code: s("retailer_basket_code"),
            voucher_lock_period: f.int("voucher_lock_period"),
            voucher_locking_code: f.text("voucher_locking_code"),
        }),
        _ => Request::GetVouchers(
            GetVouchersRequest {
                chain_id: f.int("chain_id").unwrap_or_default(),
                voucher_id: f.int("voucher_id"),
                user_id: f.int("user_id"),
                username: f.text("username"),
                member_number: f.text("member_number"),
                authentication_point_identifier: f.text("authentication_point_identifier"),
                campaign_id: f.int("campaign_id"),
                show_all_statuses: f.flag("show_all_statuses"),
                show_redeemed: f.flag("show_redeemed"),
                show_expired: f.flag("show_expired"),
                exclude_regenerated: f.flag("exclude_regenerated"),
                number_results: f.int("number_results"),
                results_offset: f.int("results_offset"),
                min_created_datetime: f.text("min_created_datetime"),
                max_created_datetime: f.text("max_created_datetime"),
                min_expiry_datetime: f.text("min_expiry_datetime"),
                max_expiry_datetime: f.text("max_expiry_datetime"),
                min_redeemed_datetime: f.text("min_redeemed_datetime"),
                max_redeemed_datetime: f.text("max_redeemed_datetime"),
            },
            auth,
        ),
    }
}
