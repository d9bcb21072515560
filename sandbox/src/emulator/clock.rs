//! The emulator's clock, and the two date formats the providers use.
//!
//! Holds (Smart Gift, five minutes) and locks (Spaaza, `voucher_lock_period`
//! seconds) expire with time, and so do vouchers. Tests cannot wait five
//! minutes, so the emulator never reads the system clock directly: it reads
//! a [`Clock`] that runs with real time from a chosen start and can be
//! pushed forward ([`crate::Sandbox::advance_clock`]).
//!
//! Everything is whole seconds since the Unix epoch, in UTC. The formats are
//! written and read here without a date library:
//!
//! | form | example | used for |
//! |---|---|---|
//! | Spaaza | `2050-06-12 15:41:40` | expiry and lock times, data set dates |
//! | RFC 3339 | `2021-03-17T08:54:10+00:00` | Spaaza's created/redeemed times, holds |

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Real time from a starting point, plus whatever a test added.
#[derive(Debug)]
pub(crate) struct Clock {
    /// The time [`Clock::reset`] goes back to; `None` means "the real time then".
    start: Option<SystemTime>,
    origin: SystemTime,
    since: Instant,
    advanced: Duration,
}

impl Clock {
    pub(crate) fn new(start: Option<SystemTime>) -> Clock {
        Clock {
            start,
            origin: start.unwrap_or_else(SystemTime::now),
            since: Instant::now(),
            advanced: Duration::ZERO,
        }
    }

    /// The emulated "now".
    pub(crate) fn now(&self) -> SystemTime {
        self.origin + self.since.elapsed() + self.advanced
    }

    /// When the clock started (or was last reset), in seconds since the epoch.
    pub(crate) fn started(&self) -> i64 {
        unix(self.origin)
    }

    /// [`Clock::now`] in whole seconds since the epoch.
    pub(crate) fn secs(&self) -> i64 {
        unix(self.now())
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.advanced += by;
    }

    /// Back to the start time (or the real time, without one), advances forgotten.
    pub(crate) fn reset(&mut self) {
        *self = Clock::new(self.start);
    }
}

/// Whole seconds since the epoch (negative before 1970).
pub(crate) fn unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs_f64().ceil() as i64),
    }
}

/// `YYYY-MM-DD HH:MM:SS`, UTC (Spaaza's `voucher_expiry_datetime_utc`).
pub(crate) fn format_plain(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// `YYYY-MM-DDTHH:MM:SS+00:00` (Spaaza's `voucher_redeemed_datetime`).
pub(crate) fn format_rfc3339(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+00:00")
}

/// Reads `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` (UTC) or RFC 3339
/// (`YYYY-MM-DDTHH:MM:SS` with optional fraction and `Z` or `±HH:MM`; no
/// offset means UTC). A date alone is midnight UTC.
pub(crate) fn parse(text: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "{text:?} is not a date: use \"YYYY-MM-DD HH:MM:SS\" (UTC) or RFC 3339 \
             like \"2030-12-31T23:59:59Z\""
        )
    };
    let t = text.trim();
    let num = |s: &str| -> Result<i64, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (date, rest) = match t.find(['T', 't', ' ']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mut dparts = date.split('-');
    let (Some(y), Some(mo), Some(d), None) =
        (dparts.next(), dparts.next(), dparts.next(), dparts.next())
    else {
        return Err(bad());
    };
    let (y, mo, d) = (num(y)?, num(mo)?, num(d)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return Err(bad());
    }
    let mut secs = days_from_civil(y, mo, d) * 86_400;
    let Some(rest) = rest else {
        return Ok(secs);
    };
    // Split off the offset: `Z`, or the last `+`/`-`.
    let (time, offset) = if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        (time, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (sign, hm) = (&rest[i..i + 1], &rest[i + 1..]);
        let (oh, om) = hm.split_once(':').ok_or_else(bad)?;
        let minutes = num(oh)? * 60 + num(om)?;
        (&rest[..i], if sign == "+" { minutes } else { -minutes })
    } else {
        (rest, 0)
    };
    let time = time.split('.').next().unwrap_or(time);
    let mut tparts = time.split(':');
    let (Some(h), Some(mi), Some(s), None) =
        (tparts.next(), tparts.next(), tparts.next(), tparts.next())
    else {
        return Err(bad());
    };
    let (h, mi, s) = (num(h)?, num(mi)?, num(s)?);
    if h > 23 || mi > 59 || s > 60 {
        return Err(bad());
    }
    secs += h * 3600 + mi * 60 + s - offset * 60;
    Ok(secs)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day, hour, minute, second) of a Unix time, UTC.
fn civil(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        for secs in [0, 951_782_400, 1_615_970_050, 2_538_661_300, -86_400] {
            assert_eq!(parse(&format_plain(secs)), Ok(secs));
            assert_eq!(parse(&format_rfc3339(secs)), Ok(secs));
        }
        assert_eq!(format_plain(1_615_970_050), "2021-03-17 08:34:10");
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00+00:00");
    }

    #[test]
    fn parses_the_documented_forms() {
        let t = parse("2050-06-12 15:41:40").unwrap();
        assert_eq!(format_plain(t), "2050-06-12 15:41:40");
        assert_eq!(parse("2050-06-12T15:41:40Z"), Ok(t));
        assert_eq!(parse("2050-06-12T17:41:40.123+02:00"), Ok(t));
        assert_eq!(parse("2050-06-12T14:41:40-01:00"), Ok(t));
        assert_eq!(
            parse("2024-02-29"),
            Ok(parse("2024-02-29 00:00:00").unwrap())
        );
        for bad in [
            "",
            "2023-02-29",
            "2050-13-01",
            "12/06/2050",
            "2050-06-12 25:00:00",
            "soon",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn the_clock_moves_and_resets() {
        let start = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut clock = Clock::new(Some(start));
        assert!(clock.secs() - 1_000_000 < 5);
        clock.advance(Duration::from_secs(301));
        assert!(clock.secs() >= 1_000_301);
        clock.reset();
        assert!(clock.secs() < 1_000_301);
    }
}
