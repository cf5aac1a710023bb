//! Time, given to the core by its platform (`SystemTime::now()` panics on wasm32-unknown-unknown),
//! and the timestamp formats of both APIs.

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

fn datetime(ms: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp((ms / 1000) as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

// The formats below are written out with `format!` and parsed by hand, as signing.rs does for the
// SDK's date: time's generic formatter and parser (`format_description!`) would add about 40 KB
// of code to the Worker's wasm. time still does the calendar arithmetic.

/// `YYYY-MM-DD{sep}hh:mm:ss`.
fn date_time(ms: u64, sep: char) -> String {
    let t = datetime(ms);
    format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Heat's time format: `2015-01-31T15:12:36Z` (UTC, whole seconds).
pub fn heat_time(ms: u64) -> String {
    date_time(ms, 'T') + "Z"
}

/// Milliseconds since the epoch of a time in Heat's format; `None` for anything else.
pub fn parse_heat_time(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let n = |at: usize, len: usize| number(&text[at..at + len]);
    let seconds = unix_seconds(
        i32::try_from(n(0, 4)?).ok()?,
        n(5, 2)?,
        n(8, 2)?,
        (n(11, 2)?, n(14, 2)?, n(17, 2)?),
    )?;
    u64::try_from(seconds).ok()?.checked_mul(1000)
}

/// Milliseconds since the epoch of midnight UTC of a date written `yyyy-MM-dd` (CodeArts' query
/// dates); `None` for anything else.
pub fn parse_date(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let n = |at: usize, len: usize| number(&text[at..at + len]);
    let seconds = unix_seconds(i32::try_from(n(0, 4)?).ok()?, n(5, 2)?, n(8, 2)?, (0, 0, 0))?;
    u64::try_from(seconds).ok()?.checked_mul(1000)
}

/// CodeArts' time format: `2021-04-01 17:05:53` (UTC).
pub fn codearts_time(ms: u64) -> String {
    date_time(ms, ' ')
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An HTTP date (IMF-fixdate, RFC 9110): `Tue, 01 Dec 2026 10:00:00 GMT`, from seconds.
pub fn http_date(secs: u64) -> String {
    let t = datetime(secs.saturating_mul(1000));
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[usize::from(t.weekday().number_days_from_monday())],
        t.day(),
        MONTHS[usize::from(u8::from(t.month()) - 1)],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Seconds since the epoch of an IMF-fixdate; `None` for anything else (the weekday must be the
/// date's).
pub fn parse_http_date(text: &str) -> Option<u64> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() != 29 || &text[3..5] != ", " || b[7] != b' ' || b[11] != b' ' || b[16] != b' ' {
        return None;
    }
    if b[19] != b':' || b[22] != b':' || &text[25..] != " GMT" {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == &text[8..11])? as u64 + 1;
    let n = |at: usize, len: usize| number(&text[at..at + len]);
    let seconds = unix_seconds(
        i32::try_from(n(12, 4)?).ok()?,
        month,
        n(5, 2)?,
        (n(17, 2)?, n(20, 2)?, n(23, 2)?),
    )?;
    let secs = u64::try_from(seconds).ok()?;
    (http_date(secs) == text).then_some(secs)
}

/// The value of a run of ASCII digits; `None` for anything else.
fn number(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Seconds since the epoch of a valid UTC calendar date and time of day.
fn unix_seconds(year: i32, month: u64, day: u64, (h, m, s): (u64, u64, u64)) -> Option<i64> {
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
    let at = time::Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(s).ok()?,
    )
    .ok()?;
    Some(
        time::PrimitiveDateTime::new(date, at)
            .assume_utc()
            .unix_timestamp(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_times_are_utc_whole_seconds_and_parse_back() {
        assert_eq!(heat_time(1_422_717_156_789), "2015-01-31T15:12:36Z");
        assert_eq!(codearts_time(1_422_717_156_789), "2015-01-31 15:12:36");
        assert_eq!(
            parse_heat_time("2015-01-31T15:12:36Z"),
            Some(1_422_717_156_000)
        );
        for bad in [
            "2015-02-30T15:12:36Z",
            "2015-01-31 15:12:36",
            "2015-01-31T25:00:00Z",
            "2015-1-31T15:12:36Z",
            "+015-01-31T15:12:36Z",
            "",
        ] {
            assert_eq!(parse_heat_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates_are_imf_fixdates_and_parse_back() {
        let s = http_date(1_796_119_200);
        assert_eq!(s, "Tue, 01 Dec 2026 10:00:00 GMT");
        assert_eq!(parse_http_date(&s), Some(1_796_119_200));
        assert_eq!(parse_http_date("Tuesday, 01-Dec-26 10:00:00 GMT"), None);
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(
            parse_http_date("Mon, 01 Dec 2026 10:00:00 GMT"),
            None,
            "not a Monday"
        );
        assert_eq!(parse_http_date("Tue, 01 Dez 2026 10:00:00 GMT"), None);
        assert_eq!(parse_http_date(" Thu, 01 Jan 1970 00:00:00 GMT "), Some(0));
    }

    #[test]
    fn codearts_query_dates_are_utc_midnights() {
        assert_eq!(parse_date("2015-01-31"), Some(1_422_662_400_000));
        for bad in ["2015-02-30", "2015-1-31", "2015/01/31", "", "2015-01-31 "] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_fixed_clock_advances_by_its_step() {
        let c = FixedClock::new(1000, 5);
        assert_eq!((c.now_ms(), c.now_ms()), (1000, 1005));
    }
}
