//! The few UTC date formats SCS image metadata and the OpenStack APIs use. Parsed into a plain
//! comparable value so that the crate needs no calendar dependency for them.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A UTC point in time with second precision. Field order makes the derived `Ord` chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl Timestamp {
    /// Parses `YYYY-MM-DD`, `YYYY-MM-DD hh:mm[:ss]` (scs-0102 `image_build_date`) and the RFC 3339
    /// form the APIs return (`YYYY-MM-DDThh:mm:ss[.fff](Z|+00:00)`). Other offsets are not UTC and are
    /// refused rather than silently misread.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let date = s.get(..10)?;
        let mut ts = parse_date(date)?;
        let rest = &s[10..];
        if rest.is_empty() {
            return Some(ts);
        }
        let rest = rest.strip_prefix([' ', 'T', 't'])?;
        let rest = rest
            .strip_suffix(['Z', 'z'])
            .or_else(|| rest.strip_suffix("+00:00"))
            .unwrap_or(rest);
        let rest = match rest.split_once('.') {
            Some((time, frac)) if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) => {
                time
            }
            Some(_) => return None,
            None => rest,
        };
        let mut fields = rest.split(':');
        ts.hour = two_digits(fields.next()?).filter(|h| *h < 24)?;
        ts.minute = two_digits(fields.next()?).filter(|m| *m < 60)?;
        ts.second = match fields.next() {
            Some(sec) => two_digits(sec).filter(|s| *s < 61)?,
            None => 0,
        };
        fields.next().is_none().then_some(ts)
    }

    /// The current time from the system clock.
    pub fn now() -> Self {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self::from_unix(secs)
    }

    pub fn from_unix(secs: u64) -> Self {
        let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
        let rem = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        // rem < 86400, so every component below fits.
        Timestamp {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
        }
    }

    /// Midnight at the start of the same day.
    pub fn start_of_day(self) -> Self {
        Timestamp {
            hour: 0,
            minute: 0,
            second: 0,
            ..self
        }
    }

    /// `YYYY-MM-DD`.
    pub fn date_string(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.date_string(),
            self.hour,
            self.minute,
            self.second
        )
    }
}

fn two_digits(s: &str) -> Option<u8> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_date(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = s[..4]
        .parse()
        .ok()
        .filter(|_| s[..4].bytes().all(|c| c.is_ascii_digit()))?;
    let month = two_digits(&s[5..7]).filter(|m| (1..=12).contains(m))?;
    let day = two_digits(&s[8..10]).filter(|d| *d >= 1 && *d <= days_in_month(year, month))?;
    Some(Timestamp {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
    })
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        i32::try_from(year).unwrap_or(i32::MAX),
        month as u8,
        day as u8,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_scs_and_api_formats() {
        let d = Timestamp::parse("2024-05-01").unwrap();
        assert_eq!((d.year, d.month, d.day, d.hour), (2024, 5, 1, 0));
        let t = Timestamp::parse("2024-05-01 13:45").unwrap();
        assert_eq!((t.hour, t.minute, t.second), (13, 45, 0));
        let t = Timestamp::parse("2024-05-01 13:45:07").unwrap();
        assert_eq!(t.second, 7);
        let t = Timestamp::parse("2024-05-01T13:45:07Z").unwrap();
        assert_eq!(t.to_string(), "2024-05-01T13:45:07Z");
        assert!(Timestamp::parse("2024-05-01T13:45:07.123456+00:00").is_some());
        assert!(Timestamp::parse("2024-05-01T13:45:07.000000").is_some());
    }

    #[test]
    fn rejects_what_it_cannot_read_correctly() {
        for bad in [
            "",
            "none",
            "notice",
            "2024-5-1",
            "2024-13-01",
            "2023-02-29",
            "2024-04-31",
            "2024-05-01x",
            "2024-05-01 25:00",
            "2024-05-01 12",
            "2024-05-01T12:00:00+02:00",
            "2024-05-01 12:00:00:00",
            "+024-05-01",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad:?}");
        }
        assert!(Timestamp::parse("2024-02-29").is_some());
        assert!(Timestamp::parse("2000-02-29").is_some());
        assert!(Timestamp::parse("1900-02-29").is_none());
    }

    #[test]
    fn orders_chronologically() {
        let a = Timestamp::parse("2024-05-01 23:59").unwrap();
        let b = Timestamp::parse("2024-05-02").unwrap();
        assert!(a < b);
        assert_eq!(a.start_of_day(), Timestamp::parse("2024-05-01").unwrap());
    }

    #[test]
    fn unix_time_to_civil() {
        assert_eq!(Timestamp::from_unix(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Timestamp::from_unix(951_782_400).to_string(),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix(1_735_689_599).to_string(),
            "2024-12-31T23:59:59Z"
        );
        assert!(Timestamp::now().year >= 2024);
    }
}
