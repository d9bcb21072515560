//! Smart Gift answers to errors (docs/smartgift.md, "Errors").
//!
//! Smart Gift answers refusals with HTTP 422 and
//! `{"message": …, "errors": {"<field>": ["<message>", …]}}`. The top-level message has
//! changed between API versions (`The given data was invalid.`), so the kind is decided
//! by the field messages, matched exactly against the documented texts.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::error::{Error, ErrorKind, Provider};
use crate::status;
use crate::transport::{AnswerRules, Effect, Incoming};

/// Every documented message and its kind. The texts are the providers', verbatim.
pub const MESSAGES: &[(&str, ErrorKind)] = &[
    (
        "Sorry, that voucher number is invalid.",
        ErrorKind::VoucherNotFound,
    ),
    (
        "This voucher does not belong to your company",
        ErrorKind::VoucherNotOwned,
    ),
    (
        "The voucher number provided has expired.",
        ErrorKind::VoucherExpired,
    ),
    (
        "Sorry this voucher has already been redeemed.",
        ErrorKind::VoucherAlreadyRedeemed,
    ),
    ("Voucher is already held", ErrorKind::VoucherLocked),
    ("Voucher is not held", ErrorKind::VoucherNotHeld),
    ("This site number is invalid", ErrorKind::InvalidSite),
    (
        "There is not enough balance on this voucher to redeem or the selected experiences have already been used.",
        ErrorKind::InvalidAmount,
    ),
];

fn kind_of(message: &str) -> Option<ErrorKind> {
    let message = message.trim();
    MESSAGES
        .iter()
        .find(|(text, _)| *text == message)
        .map(|(_, kind)| *kind)
}

const PROVIDER: Provider = Provider::SmartGift;

/// The `errors` object as field → messages, document order kept.
fn field_errors(errors: &serde_json::Map<String, Value>) -> Vec<(String, Vec<String>)> {
    errors
        .iter()
        .map(|(field, messages)| {
            let list = match messages {
                Value::Array(items) => items.iter().map(text_of).collect(),
                other => vec![text_of(other)],
            };
            (field.clone(), list)
        })
        .collect()
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Seconds to wait after a 429: `Retry-After`, else `X-RateLimit-Reset` (unix time) − now.
/// Smart Gift allows 60 requests a minute, so a blind 200 ms backoff would only spend
/// the retries; the reset time says when the next request can succeed.
fn retry_after(answer: &Incoming) -> Option<u64> {
    answer.retry_after().or_else(|| {
        let reset: u64 = answer.header("x-ratelimit-reset")?.trim().parse().ok()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        Some(reset.saturating_sub(now))
    })
}

/// Smart Gift's own error body: a JSON object with a `message` text or an `errors`
/// object (Laravel's shape), as opposed to a gateway's HTML page.
fn own_error_body(answer: &Incoming) -> bool {
    status::json_body(answer).is_some_and(|v| is_own_error(&v))
}

fn is_own_error(v: &Value) -> bool {
    v.get("message").is_some_and(Value::is_string) || v.get("errors").is_some_and(Value::is_object)
}

/// What the transport needs to know about Smart Gift's answers.
pub(crate) const RULES: AnswerRules = AnswerRules {
    own_error_body,
    wait_seconds: retry_after,
};

/// The error an answer stands for; called for every answer that is not a success.
pub(crate) fn error_for(answer: &Incoming, json: Option<&Value>, effect: Effect) -> Error {
    if (300..400).contains(&answer.status) {
        return status::redirect(answer, PROVIDER);
    }
    // Smart Gift refuses with 422. A 2xx means the request was accepted, whatever its
    // body says: for a write, an `errors` object there proves nothing was done no more
    // than any other unreadable success does.
    if (200..300).contains(&answer.status) && effect == Effect::Write {
        return status::unreadable_success(answer, effect, PROVIDER);
    }
    // A blank message is no message: the error then says what happened in our words.
    let top_message = json
        .and_then(|v| status::str_at(v, "message"))
        .filter(|m| !m.trim().is_empty())
        .map(str::to_owned);
    if let Some(errors) = json
        .and_then(|v| v.get("errors"))
        .and_then(Value::as_object)
        .filter(|e| !e.is_empty())
    {
        return from_field_errors(answer, errors);
    }
    if answer.status == 422
        && let Some(message) = &top_message
    {
        let kind = kind_of(message).unwrap_or(ErrorKind::ProviderError);
        return Error::new(kind, message.clone())
            .with_status(422)
            .with_provider(PROVIDER)
            .with_retryable(false);
    }
    status::by_status(
        answer,
        json,
        top_message,
        retry_after(answer),
        effect,
        PROVIDER,
        json.is_some_and(is_own_error),
    )
}

/// The message of a refusal whose field messages are all blank.
fn refused(field: &str, status: u16) -> String {
    if field.trim().is_empty() {
        format!("the provider refused the request (HTTP {status})")
    } else {
        format!("the provider refused {field} (HTTP {status})")
    }
}

fn from_field_errors(answer: &Incoming, errors: &serde_json::Map<String, Value>) -> Error {
    let fields = field_errors(errors);
    let first_of = |(field, messages): &(String, Vec<String>)| {
        messages
            .first()
            .map(|m| (field.clone(), m.trim().to_owned()))
    };
    let matched = fields
        .iter()
        .filter_map(first_of)
        .find_map(|(field, message)| kind_of(&message).map(|kind| (kind, field, message)));
    let (kind, field, message) = match matched {
        Some(found) => found,
        None => {
            let (field, messages) = &fields[0];
            let message = messages
                .iter()
                .find(|m| !m.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| refused(field, answer.status));
            (ErrorKind::ProviderError, field.clone(), message)
        }
    };
    let retry_after = if answer.status == 429 {
        retry_after(answer)
    } else {
        None
    };
    let mut err = Error::new(kind, message)
        .with_field(field)
        .with_status(answer.status)
        .with_provider(PROVIDER)
        .with_retryable(kind == ErrorKind::RateLimited)
        .with_retry_after(retry_after);
    err.field_errors = fields;
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(status: u16, body: &str) -> Incoming {
        Incoming {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
            oversize: false,
        }
    }

    fn map(status: u16, body: &str, effect: Effect) -> Error {
        let answer = incoming(status, body);
        let json = status::json_body(&answer);
        error_for(&answer, json.as_ref(), effect)
    }

    #[test]
    fn the_first_known_field_message_decides() {
        let e = map(
            422,
            r#"{"message":"The given data was invalid.","errors":{"foo":["odd"],"site_id":["This site number is invalid"],"voucher_no":["Sorry, that voucher number is invalid."]}}"#,
            Effect::Write,
        );
        assert_eq!(e.kind, ErrorKind::InvalidSite);
        assert_eq!(e.field.as_deref(), Some("site_id"));
        assert_eq!(e.message, "This site number is invalid");
        assert_eq!(e.field_errors.len(), 3);
        assert_eq!(e.field_errors[0].0, "foo");
        assert_eq!(e.http_status, Some(422));
    }

    #[test]
    fn unknown_messages_are_provider_errors_with_field() {
        let e = map(
            422,
            r#"{"message":"x","errors":{"redemptions":["Please provide a valid list of redemptions to reverse"]}}"#,
            Effect::Write,
        );
        assert_eq!(e.kind, ErrorKind::ProviderError);
        assert_eq!(e.field.as_deref(), Some("redemptions"));
        assert_eq!(
            e.message,
            "Please provide a valid list of redemptions to reverse"
        );
    }

    #[test]
    fn a_success_status_to_a_write_is_never_a_refusal() {
        let body =
            r#"{"message":"x","errors":{"voucher_no":["Sorry, that voucher number is invalid."]}}"#;
        let e = map(200, body, Effect::Write);
        assert_eq!(e.kind, ErrorKind::OutcomeUnknown, "{e}");
        assert_eq!(e.http_status, Some(200));
        assert_eq!(
            map(200, body, Effect::Read).kind,
            ErrorKind::VoucherNotFound
        );
    }

    #[test]
    fn gateway_failures_on_writes_are_outcome_unknown() {
        let html = "<html><body>502 Bad Gateway</body></html>";
        assert_eq!(
            map(502, html, Effect::Write).kind,
            ErrorKind::OutcomeUnknown
        );
        assert_eq!(
            map(502, html, Effect::Read).kind,
            ErrorKind::InvalidResponse
        );
        let server = r#"{"message":"Server Error"}"#;
        assert_eq!(
            map(500, server, Effect::Write).kind,
            ErrorKind::OutcomeUnknown
        );
        let e = map(500, server, Effect::Read);
        assert_eq!(e.kind, ErrorKind::ProviderError);
        assert_eq!(e.message, "Server Error");
    }

    #[test]
    fn status_rows() {
        assert_eq!(
            map(401, r#"{"message":"Unauthenticated."}"#, Effect::Write).kind,
            ErrorKind::Authentication
        );
        assert_eq!(
            map(403, "", Effect::Write).kind,
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            map(404, "<h1>nope</h1>", Effect::Write).kind,
            ErrorKind::ProviderError
        );
        let e = map(429, r#"{"message":"Too Many Attempts."}"#, Effect::Write);
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert!(e.retryable);
        assert_eq!(
            map(400, "<p>bad</p>", Effect::Write).kind,
            ErrorKind::InvalidResponse
        );
    }

    /// Caught by the fuzz targets' invariant that every error has a message: a blank
    /// provider message gave an error with an empty one.
    #[test]
    fn blank_provider_messages_are_no_message() {
        let e = map(422, r#"{"message":""}"#, Effect::Write);
        assert_eq!(e.kind, ErrorKind::ProviderError);
        assert_eq!(e.message, "the provider answered HTTP 422");
        let e = map(401, r#"{"message":" "}"#, Effect::Read);
        assert_eq!(e.kind, ErrorKind::Authentication);
        assert_eq!(e.message, "the provider refused the credentials (HTTP 401)");
        let e = map(
            422,
            r#"{"errors":{"voucher_no":["", "Bad number"]}}"#,
            Effect::Write,
        );
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("voucher_no"), "Bad number")
        );
        // The provider's messages are still kept as sent.
        assert_eq!(
            e.field_errors[0].1,
            vec!["".to_owned(), "Bad number".to_owned()]
        );
        let e = map(422, r#"{"errors":{"site_id":[" "]}}"#, Effect::Write);
        assert_eq!(e.message, "the provider refused site_id (HTTP 422)");
        let e = map(422, r#"{"errors":{"":[]}}"#, Effect::Write);
        assert_eq!(e.message, "the provider refused the request (HTTP 422)");
    }
}
