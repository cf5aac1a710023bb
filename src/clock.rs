//! Time, given to the core by its platform (`SystemTime::now()` panics on wasm32-unknown-unknown),
//! and the timestamp formats of both APIs.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// A source of the current time in milliseconds since the Unix epoch.
pub trait Clock {
    fn now_ms(&self) -> u64;
}

/// A clock that returns a settable time (tests), advancing by `step_ms` on every read.
#[derive(Debug, Default)]
pub struct FixedClock {
    now: std::cell::Cell<u64>,
    step_ms: u64,
}

impl FixedClock {
    pub fn new(now_ms: u64, step_ms: u64) -> Self {
        FixedClock {
            now: std::cell::Cell::new(now_ms),
            step_ms,
        }
    }
    pub fn set(&self, now_ms: u64) {
        self.now.set(now_ms);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> u64 {
        let t = self.now.get();
        self.now.set(t + self.step_ms);
        t
    }
}

const HEAT_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
const CODEARTS_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

fn datetime(ms: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp((ms / 1000) as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Heat's time format: `2015-01-31T15:12:36Z` (UTC, whole seconds).
pub fn heat_time(ms: u64) -> String {
    datetime(ms).format(HEAT_TIME).unwrap_or_default()
}

/// Milliseconds since the epoch of a time in Heat's format; `None` for anything else.
pub fn parse_heat_time(text: &str) -> Option<u64> {
    let parsed = time::PrimitiveDateTime::parse(text, HEAT_TIME).ok()?;
    u64::try_from(parsed.assume_utc().unix_timestamp() * 1000).ok()
}

/// CodeArts' time format: `2021-04-01 17:05:53` (UTC).
pub fn codearts_time(ms: u64) -> String {
    datetime(ms).format(CODEARTS_TIME).unwrap_or_default()
}

const HTTP_DATE: &[BorrowedFormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// An HTTP date (IMF-fixdate, RFC 9110): `Tue, 01 Dec 2026 10:00:00 GMT`, from seconds.
pub fn http_date(secs: u64) -> String {
    datetime(secs.saturating_mul(1000))
        .format(HTTP_DATE)
        .unwrap_or_default()
}

/// Seconds since the epoch of an IMF-fixdate; `None` for anything else.
pub fn parse_http_date(text: &str) -> Option<u64> {
    let parsed = time::PrimitiveDateTime::parse(text.trim(), HTTP_DATE).ok()?;
    u64::try_from(parsed.assume_utc().unix_timestamp()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_times_are_utc_whole_seconds() {
        assert_eq!(heat_time(1_422_717_156_789), "2015-01-31T15:12:36Z");
        assert_eq!(codearts_time(1_422_717_156_789), "2015-01-31 15:12:36");
    }

    #[test]
    fn http_dates_are_imf_fixdates_and_parse_back() {
        let s = http_date(1_796_119_200);
        assert_eq!(s, "Tue, 01 Dec 2026 10:00:00 GMT");
        assert_eq!(parse_http_date(&s), Some(1_796_119_200));
        assert_eq!(parse_http_date("Tuesday, 01-Dec-26 10:00:00 GMT"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn a_fixed_clock_advances_by_its_step() {
        let c = FixedClock::new(1000, 5);
        assert_eq!((c.now_ms(), c.now_ms()), (1000, 1005));
    }
}
