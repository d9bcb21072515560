//! What an answer means when neither provider's body rules decide it: the status rows
//! both providers share (docs/errors.md).
//!
//! The one rule that matters most: an answer that cannot be read, to a request that
//! changes state, is `outcome_unknown`. A gateway can fail after the provider acted, and
//! a 2xx we cannot parse means the provider did act, so the till must reconcile.

use serde_json::Value;

use crate::error::{Error, ErrorKind, Provider};
use crate::transport::{Effect, Incoming};

/// The body as JSON, or `None` when it is over the cap, empty or not JSON.
pub(crate) fn json_body(answer: &Incoming) -> Option<Value> {
    if answer.oversize || answer.body.is_empty() {
        return None;
    }
    serde_json::from_slice(&answer.body).ok()
}

/// A string member of a JSON object.
pub(crate) fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A redirect is never followed: it would carry the auth headers to another host.
pub(crate) fn redirect(answer: &Incoming, provider: Provider) -> Error {
    let location = answer.header("location").unwrap_or("(no Location)");
    Error::new(
        ErrorKind::InvalidResponse,
        format!(
            "the provider answered HTTP {} redirecting to {location}; redirects are never \
             followed (check base_url)",
            answer.status
        ),
    )
    .with_status(answer.status)
    .with_provider(provider)
}

/// Describes what is wrong with an unreadable body, for messages.
fn unreadable(answer: &Incoming) -> &'static str {
    if answer.oversize {
        "a body over the 1 MiB limit"
    } else if answer.body.is_empty() {
        "an empty body"
    } else if serde_json::from_slice::<Value>(&answer.body).is_err() {
        "a body that is not JSON"
    } else {
        "a body in no documented shape"
    }
}

/// A 2xx whose body is not the operation's documented shape.
pub(crate) fn unreadable_success(answer: &Incoming, effect: Effect, provider: Provider) -> Error {
    let what = unreadable(answer);
    let err = match effect {
        Effect::Write => Error::new(
            ErrorKind::OutcomeUnknown,
            format!(
                "the provider accepted the request (HTTP {}) but sent {what}; it has probably \
                 been carried out: check the voucher before trying again",
                answer.status
            ),
        ),
        Effect::Read => Error::new(
            ErrorKind::InvalidResponse,
            format!("the provider answered HTTP {} with {what}", answer.status),
        ),
    };
    err.with_status(answer.status).with_provider(provider)
}

/// The status rows, for an answer no body rule decided. `message` is the provider's own
/// text when it sent one; `retry_after` is the wait it asked for; `own_body` says the
/// body is the provider's own error body (a 503 from a gateway proves nothing).
pub(crate) fn by_status(
    answer: &Incoming,
    json: Option<&Value>,
    message: Option<String>,
    retry_after: Option<u64>,
    effect: Effect,
    provider: Provider,
    own_body: bool,
) -> Error {
    let status = answer.status;
    let say = |default: String| message.clone().unwrap_or(default);
    let (kind, text, retryable) = match status {
        // 101 Switching Protocols: the request was read, and what it did is unknown.
        100..=199 if effect == Effect::Write => (
            ErrorKind::OutcomeUnknown,
            format!(
                "the provider answered HTTP {status} (an interim answer) and nothing after it; \
                 the request may have been carried out: check the voucher before trying again"
            ),
            false,
        ),
        200..=299 => return unreadable_success(answer, effect, provider),
        300..=399 => return redirect(answer, provider),
        401 => (
            ErrorKind::Authentication,
            say("the provider refused the credentials (HTTP 401)".into()),
            false,
        ),
        403 => (
            ErrorKind::PermissionDenied,
            say("the provider does not allow this (HTTP 403)".into()),
            false,
        ),
        429 => (
            ErrorKind::RateLimited,
            say("too many requests (HTTP 429)".into()),
            true,
        ),
        503 if retry_after.is_some() && (own_body || effect == Effect::Read) => (
            ErrorKind::ProviderError,
            say("the provider is unavailable (HTTP 503)".into()),
            true,
        ),
        500..=599 if effect == Effect::Write => (
            ErrorKind::OutcomeUnknown,
            format!(
                "the provider answered HTTP {status} with {}; the request may have been carried \
                 out: check the voucher before trying again",
                if json.is_some() {
                    "no error details"
                } else {
                    unreadable(answer)
                }
            ),
            false,
        ),
        404 => (
            ErrorKind::ProviderError,
            say("the provider does not know this path (HTTP 404): check base_url".into()),
            false,
        ),
        _ if json.is_some() => (
            ErrorKind::ProviderError,
            say(format!("the provider answered HTTP {status}")),
            false,
        ),
        _ => (
            ErrorKind::InvalidResponse,
            format!(
                "the provider answered HTTP {status} with {}",
                unreadable(answer)
            ),
            false,
        ),
    };
    Error::new(kind, text)
        .with_status(status)
        .with_provider(provider)
        .with_retryable(retryable)
        .with_retry_after(retry_after)
}
