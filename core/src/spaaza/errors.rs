//! Spaaza answers to errors (docs/spaaza.md, "Errors").
//!
//! Spaaza sends its error object with 400, 401 and even 500, so the body is read first
//! whatever the status. The error `name` decides the kind; `description` may come back
//! translated, so it is shown but never matched.

use serde_json::Value;

use crate::error::{Error, ErrorKind, Provider};
use crate::status;
use crate::transport::{AnswerRules, Effect, Incoming};

/// Every known error name and its kind.
pub const NAMES: &[(&str, ErrorKind)] = &[
    ("no_valid_session", ErrorKind::Authentication),
    ("password_error_or_non_existent", ErrorKind::Authentication),
    ("no_myprice_app", ErrorKind::Authentication),
    (
        "permission_denied_or_non_existent",
        ErrorKind::PermissionDenied,
    ),
    ("voucher_not_found", ErrorKind::VoucherNotFound),
    ("voucher_expired", ErrorKind::VoucherExpired),
    (
        "voucher_already_redeemed",
        ErrorKind::VoucherAlreadyRedeemed,
    ),
    ("voucher_locked", ErrorKind::VoucherLocked),
    ("invalid_amount", ErrorKind::InvalidAmount),
    ("basket_already_exists", ErrorKind::ProviderError),
];

const PROVIDER: Provider = Provider::Spaaza;

/// Spaaza's own error body: the error envelope, as opposed to a gateway's page.
fn own_error_body(answer: &Incoming) -> bool {
    status::json_body(answer).is_some_and(|v| error_object(&v).is_some())
}

/// What the transport needs to know about Spaaza's answers.
pub(crate) const RULES: AnswerRules = AnswerRules {
    own_error_body,
    wait_seconds: crate::transport::retry::retry_after_header,
};

/// The error object of a Spaaza error body, if `json` is one.
///
/// Current APIs send `"error": {…}`; before 1.4.0 it was `"errors": {"6": {…}}`, and an
/// array is taken defensively too.
/// An `error`/`errors` key alone is enough: a gateway or an older API may leave `result`
/// out, and `{"error":{"name":"permission_denied_or_non_existent"}}` is still Spaaza
/// refusing.
pub(crate) fn error_object(json: &Value) -> Option<&Value> {
    let status_error =
        json.get("result").and_then(|r| status::str_at(r, "status")) == Some("error");
    let code_error = json
        .get("result")
        .and_then(|r| r.get("code"))
        .and_then(Value::as_i64)
        .is_some_and(|c| c == 0 || c == 2);
    let object =
        json.get("error")
            .filter(|e| e.is_object())
            .or_else(|| match json.get("errors")? {
                Value::Object(map) => map.values().next(),
                Value::Array(items) => items.first(),
                _ => None,
            });
    match object {
        Some(o) => Some(o),
        None if status_error || code_error => Some(&Value::Null),
        None => None,
    }
}

/// The error an answer stands for; called for every answer that is not a success.
pub(crate) fn error_for(answer: &Incoming, json: Option<&Value>, effect: Effect) -> Error {
    if (300..400).contains(&answer.status) {
        return status::redirect(answer, PROVIDER);
    }
    let retry_after = answer.retry_after();
    let Some(object) = json.and_then(error_object) else {
        return status::by_status(answer, json, None, retry_after, effect, PROVIDER, false);
    };
    let name = status::str_at(object, "name").filter(|n| !n.is_empty());
    let code = match object.get("code") {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let provider_code = name.map(str::to_owned).or(code);
    let message = status::str_at(object, "description")
        .filter(|d| !d.trim().is_empty())
        .map(str::to_owned)
        .or_else(|| provider_code.clone().filter(|c| !c.trim().is_empty()))
        .unwrap_or_else(|| "Spaaza reported an error without details".to_owned());
    let known = name.and_then(|n| NAMES.iter().find(|(k, _)| *k == n).map(|(_, kind)| *kind));
    let kind = known.unwrap_or(match answer.status {
        401 => ErrorKind::Authentication,
        403 => ErrorKind::PermissionDenied,
        429 => ErrorKind::RateLimited,
        _ => ErrorKind::ProviderError,
    });
    // 503 + Retry-After from Spaaza itself: maintenance, over once the wait has passed.
    let unavailable = answer.status == 503 && retry_after.is_some();
    let mut err = Error::new(kind, message)
        .with_status(answer.status)
        .with_provider(PROVIDER)
        .with_retryable(kind == ErrorKind::RateLimited || unavailable);
    if kind == ErrorKind::RateLimited || unavailable {
        err = err.with_retry_after(retry_after);
    }
    err.provider_code = provider_code;
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(status: u16, body: &str, effect: Effect) -> Error {
        let answer = Incoming {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
            oversize: false,
        };
        let json = status::json_body(&answer);
        error_for(&answer, json.as_ref(), effect)
    }

    #[test]
    fn the_name_decides_whatever_the_status() {
        let e = map(
            500,
            r#"{"result":{"code":2,"status":"error"},"error":{"code":68,"name":"permission_denied_or_non_existent","description":"Permission denied"}}"#,
            Effect::Write,
        );
        assert_eq!(e.kind, ErrorKind::PermissionDenied);
        assert_eq!(
            e.provider_code.as_deref(),
            Some("permission_denied_or_non_existent")
        );
        assert_eq!(e.message, "Permission denied");
        assert_eq!(e.http_status, Some(500));
        assert_eq!(e.field, None);
    }

    #[test]
    fn old_error_maps_and_empty_descriptions() {
        let e = map(
            401,
            r#"{"result":{"code":2,"status":"error"},"errors":{"6":{"code":6,"name":"no_valid_session","description":""}}}"#,
            Effect::Write,
        );
        assert_eq!(e.kind, ErrorKind::Authentication);
        assert_eq!(e.message, "no_valid_session");
    }

    #[test]
    fn unknown_names_fall_back_on_status() {
        let body = r#"{"result":{"code":2,"status":"error"},"error":{"code":999,"name":"brand_new","description":"Nieuw"}}"#;
        assert_eq!(
            map(401, body, Effect::Write).kind,
            ErrorKind::Authentication
        );
        assert_eq!(
            map(403, body, Effect::Write).kind,
            ErrorKind::PermissionDenied
        );
        let e = map(400, body, Effect::Write);
        assert_eq!(e.kind, ErrorKind::ProviderError);
        assert_eq!(e.provider_code.as_deref(), Some("brand_new"));
        assert_eq!(e.message, "Nieuw");
        let nameless = r#"{"result":{"code":2,"status":"error"},"error":{"code":77}}"#;
        assert_eq!(
            map(400, nameless, Effect::Write).provider_code.as_deref(),
            Some("77")
        );
    }

    #[test]
    fn gateway_pages_on_writes_are_outcome_unknown() {
        let html = "<html>502</html>";
        assert_eq!(
            map(502, html, Effect::Write).kind,
            ErrorKind::OutcomeUnknown
        );
        assert_eq!(
            map(502, html, Effect::Read).kind,
            ErrorKind::InvalidResponse
        );
    }

    /// Caught by the fuzz targets' invariant that every error has a message: a blank
    /// error name gave an error with a blank one.
    #[test]
    fn blank_names_and_codes_are_no_message() {
        let e = map(400, r#"{"error":{"name":" "}}"#, Effect::Write);
        assert_eq!(e.kind, ErrorKind::ProviderError);
        assert_eq!(e.message, "Spaaza reported an error without details");
        assert_eq!(e.provider_code.as_deref(), Some(" "));
        let e = map(400, r#"{"error":{"code":"\t"}}"#, Effect::Read);
        assert_eq!(e.message, "Spaaza reported an error without details");
    }
}
