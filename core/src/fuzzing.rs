//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`, off by default).
//!
//! They wrap the crate-internal, I/O-free functions of each operation — request encoders,
//! answer decoders, error mappers and retry rules — so that the targets reach exactly the
//! code a client runs, without widening the public API. Not a stable interface: it moves
//! with the internals it wraps.

use std::time::SystemTime;

use ureq::http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::smartgift::{
    self, CheckRequest, Hold, HoldRequest, RedeemRequest, Redemption, ReleaseRequest, Released,
    ReverseRequest, Reversed, SmartGiftVoucher,
};
use crate::spaaza::{
    self, ClaimRequest, GetVouchersRequest, LockVoucherRequest, RedeemVoucherRequest, SpaazaAuth,
    SpaazaVoucher, UnlockVoucherRequest, VoucherList,
};
use crate::status;
use crate::transport::{self, AnswerRules, Incoming, Method, Outgoing, retry};

/// An answer as the transport hands it to the decoders. Header lines that HTTP could not
/// carry (a bad name or value) are left out, as the HTTP parser would refuse them.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: Vec<u8>,
    /// The body was over the 1 MiB cap: the transport then hands over no body at all.
    pub oversize: bool,
}

impl Answer {
    fn incoming(&self) -> Incoming {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) =
                (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
            {
                headers.append(name, value);
            }
        }
        Incoming {
            status: self.status,
            headers,
            body: if self.oversize {
                Vec::new()
            } else {
                self.body.clone()
            },
            oversize: self.oversize,
        }
    }
}

/// What the transport and the error mappers make of one answer, whatever the operation.
#[derive(Debug)]
pub struct Mapped {
    /// The error the answer stands for, to a read and to a write.
    pub error_as_read: Error,
    pub error_as_write: Error,
    /// Whether the transport would send the same request again.
    pub retried_as_read: bool,
    pub retried_as_write: bool,
    /// The wait the answer names, in seconds.
    pub wait_seconds: Option<u64>,
    /// The body is the provider's own error body.
    pub own_error_body: bool,
}

fn mapped(
    incoming: &Incoming,
    rules: &AnswerRules,
    error_for: fn(&Incoming, Option<&serde_json::Value>, transport::Effect) -> Error,
) -> Mapped {
    let json = status::json_body(incoming);
    Mapped {
        error_as_read: error_for(incoming, json.as_ref(), transport::Effect::Read),
        error_as_write: error_for(incoming, json.as_ref(), transport::Effect::Write),
        retried_as_read: retry::asks_for_retry(incoming, transport::Effect::Read, rules),
        retried_as_write: retry::asks_for_retry(incoming, transport::Effect::Write, rules),
        wait_seconds: (rules.wait_seconds)(incoming),
        own_error_body: (rules.own_error_body)(incoming),
    }
}

/// One answer decoded by every Smart Gift operation. `check` is the one read.
#[derive(Debug)]
pub struct SmartGiftDecoded {
    pub check: Result<SmartGiftVoucher>,
    pub hold: Result<Hold>,
    pub redeem: Result<Redemption>,
    pub release: Result<Released>,
    pub reverse: Result<Reversed>,
    pub mapped: Mapped,
}

pub fn smartgift_answers(answer: &Answer) -> SmartGiftDecoded {
    use smartgift::{errors, wire};
    let incoming = answer.incoming();
    SmartGiftDecoded {
        check: wire::check_answer(&incoming),
        hold: wire::hold_answer(&incoming, SystemTime::UNIX_EPOCH),
        redeem: wire::redeem_answer(&incoming),
        release: wire::release_answer(&incoming),
        reverse: wire::reverse_answer(&incoming),
        mapped: mapped(&incoming, &errors::RULES, errors::error_for),
    }
}

/// One answer decoded by every Spaaza operation: the voucher writes share one decoder,
/// `get_vouchers` is the one read.
#[derive(Debug)]
pub struct SpaazaDecoded {
    pub voucher: Result<SpaazaVoucher>,
    pub get_vouchers: Result<VoucherList>,
    pub mapped: Mapped,
}

pub fn spaaza_answers(answer: &Answer) -> SpaazaDecoded {
    use spaaza::{errors, wire};
    let incoming = answer.incoming();
    SpaazaDecoded {
        voucher: wire::voucher_answer(&incoming),
        get_vouchers: wire::get_vouchers_answer(&incoming),
        mapped: mapped(&incoming, &errors::RULES, errors::error_for),
    }
}

/// A request as it would go on the wire (after the base URL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    pub method: &'static str,
    /// Path, and the query string of a read.
    pub path: String,
    pub content_type: Option<&'static str>,
    pub body: Option<Vec<u8>>,
    pub write: bool,
    /// The parameter named when the request head is too large.
    pub head_field: Option<&'static str>,
}

impl From<Outgoing> for Encoded {
    fn from(out: Outgoing) -> Encoded {
        let (content_type, body) = match out.body {
            Some((content_type, body)) => (Some(content_type), Some(body)),
            None => (None, None),
        };
        Encoded {
            method: match out.method {
                Method::Get => "GET",
                Method::Post => "POST",
                Method::Put => "PUT",
            },
            path: out.path,
            content_type,
            body,
            write: out.effect == transport::Effect::Write,
            head_field: out.head_field,
        }
    }
}

pub fn smartgift_check(req: &CheckRequest) -> Result<Encoded> {
    smartgift::wire::check_request(req).map(Encoded::from)
}

pub fn smartgift_hold(req: &HoldRequest) -> Result<Encoded> {
    smartgift::wire::hold_request(req).map(Encoded::from)
}

pub fn smartgift_redeem(req: &RedeemRequest) -> Result<Encoded> {
    smartgift::wire::redeem_request(req).map(Encoded::from)
}

pub fn smartgift_release(req: &ReleaseRequest) -> Result<Encoded> {
    smartgift::wire::release_request(req).map(Encoded::from)
}

pub fn smartgift_reverse(req: &ReverseRequest) -> Result<Encoded> {
    smartgift::wire::reverse_request(req).map(Encoded::from)
}

pub fn spaaza_redeem_voucher(req: &RedeemVoucherRequest, auth: SpaazaAuth) -> Result<Encoded> {
    spaaza::wire::redeem_voucher_request(req, auth).map(Encoded::from)
}

pub fn spaaza_unlock_voucher(req: &UnlockVoucherRequest, auth: SpaazaAuth) -> Result<Encoded> {
    spaaza::wire::unlock_voucher_request(req, auth).map(Encoded::from)
}

pub fn spaaza_unclaim_voucher(req: &ClaimRequest, auth: SpaazaAuth) -> Result<Encoded> {
    spaaza::wire::unclaim_voucher_request(req, auth, default_version()).map(Encoded::from)
}

pub fn spaaza_claim_voucher(req: &ClaimRequest, auth: SpaazaAuth) -> Result<Encoded> {
    spaaza::wire::claim_voucher_request(req, auth, default_version()).map(Encoded::from)
}

/// Lock is allowed to every auth mode, so its encoder takes none.
pub fn spaaza_lock_voucher(req: &LockVoucherRequest) -> Result<Encoded> {
    spaaza::wire::lock_voucher_request(req).map(Encoded::from)
}

pub fn spaaza_get_vouchers(req: &GetVouchersRequest, auth: SpaazaAuth) -> Result<Encoded> {
    spaaza::wire::get_vouchers_request(req, auth).map(Encoded::from)
}

/// The version a client sends when none is configured.
fn default_version() -> spaaza::wire::ApiVersion {
    spaaza::wire::ApiVersion::parse(spaaza::DEFAULT_API_VERSION)
        .unwrap_or_else(|| unreachable!("the default api_version parses"))
}
