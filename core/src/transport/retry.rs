//! When a call is tried again, and how long it waits first.
//!
//! Only two situations allow another attempt: the request provably never left (DNS,
//! connect, TLS, a refused proxy tunnel), or the provider itself asked for it (429, or 503
//! with `Retry-After`). A write is re-sent on a 503 only when the body is the provider's
//! own error body: a gateway's page says nothing about whether the provider acted.
//! Every wait is computed without overflow, whatever number an answer carries, and never
//! runs past the call's one deadline.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime};

use super::{Effect, Incoming};

/// What each provider's module says about its own answers.
pub(crate) struct AnswerRules {
    /// The body is the provider's own error body, not a gateway's or a proxy's page.
    pub own_error_body: fn(&Incoming) -> bool,
    /// Seconds to wait that the answer names (`Retry-After`; Smart Gift adds
    /// `X-RateLimit-Reset`).
    pub wait_seconds: fn(&Incoming) -> Option<u64>,
}

/// `Retry-After` in seconds (delta-seconds or an HTTP date); malformed is `None`.
pub(crate) fn retry_after_header(answer: &Incoming) -> Option<u64> {
    let value = answer.header("retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .map(|d| d.as_secs())
            .unwrap_or(0),
    )
}

/// Whether the provider asked for the same request later.
pub(crate) fn asks_for_retry(answer: &Incoming, effect: Effect, rules: &AnswerRules) -> bool {
    match answer.status {
        429 => true,
        503 => {
            retry_after_header(answer).is_some()
                && (effect == Effect::Read || (rules.own_error_body)(answer))
        }
        _ => false,
    }
}

/// Wait before retry `attempt` (0-based) when the provider named no time: 200 ms, 400 ms,
/// 800 ms, … plus up to half as much again at random, so tills that failed together do
/// not all come back at the same instant.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1u64 << attempt.min(10));
    let jitter = random_u64() % (base / 2 + 1);
    Duration::from_millis(base + jitter)
}

/// Whether waiting `wait` from now still ends before `deadline`.
pub(crate) fn fits_before(deadline: Instant, wait: Duration) -> bool {
    Instant::now()
        .checked_add(wait)
        .is_some_and(|end| end < deadline)
}

/// `now + timeout`, or the farthest instant the clock can hold.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + super::options::MAX_TIMEOUT)
}

/// A random number from the standard library's per-process hash keys: enough for jitter
/// and placeholder tags, and no dependency.
pub(crate) fn random_u64() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&'static str, &str)]) -> Incoming {
        let mut map = ureq::http::HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Incoming {
            status,
            headers: map,
            body: Vec::new(),
            oversize: false,
        }
    }

    const NEVER_OWN: AnswerRules = AnswerRules {
        own_error_body: |_| false,
        wait_seconds: retry_after_header,
    };
    const ALWAYS_OWN: AnswerRules = AnswerRules {
        own_error_body: |_| true,
        wait_seconds: retry_after_header,
    };

    #[test]
    fn backoff_grows_with_bounded_jitter() {
        for _ in 0..50 {
            let first = backoff(0);
            assert!(first >= Duration::from_millis(200) && first <= Duration::from_millis(300));
            let second = backoff(1);
            assert!(second >= Duration::from_millis(400) && second <= Duration::from_millis(600));
        }
        assert!(backoff(u32::MAX) <= Duration::from_millis(204_800 * 3 / 2));
        let draws: std::collections::HashSet<Duration> = (0..50).map(|_| backoff(3)).collect();
        assert!(draws.len() > 1, "jitter varies");
    }

    #[test]
    fn writes_retry_a_503_only_on_the_providers_own_body() {
        let gateway = answer(503, &[("retry-after", "0")]);
        assert!(!asks_for_retry(&gateway, Effect::Write, &NEVER_OWN));
        assert!(asks_for_retry(&gateway, Effect::Write, &ALWAYS_OWN));
        assert!(asks_for_retry(&gateway, Effect::Read, &NEVER_OWN));
        assert!(!asks_for_retry(
            &answer(503, &[]),
            Effect::Read,
            &ALWAYS_OWN
        ));
        assert!(asks_for_retry(&answer(429, &[]), Effect::Write, &NEVER_OWN));
    }

    #[test]
    fn huge_waits_never_overflow() {
        let far = Duration::from_secs(u64::MAX);
        assert!(!fits_before(Instant::now() + Duration::from_secs(1), far));
        assert!(deadline_after(Duration::MAX) > Instant::now());
        let a = answer(429, &[("retry-after", "18446744073709551615")]);
        assert_eq!(retry_after_header(&a), Some(u64::MAX));
        let a = answer(429, &[("retry-after", "99999999999999999999999")]);
        assert_eq!(retry_after_header(&a), None);
        let a = answer(429, &[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]);
        assert_eq!(retry_after_header(&a), Some(0));
    }
}
