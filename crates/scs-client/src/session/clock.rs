//! The cloud's clock, as the `Date` headers of its answers tell it.
//!
//! After a create whose answer was lost, the objects that create may have made are the matching
//! ones the cloud stamped (`created_at`) no earlier than the moment it was sent. That moment has
//! to be on the cloud's clock, not ours: the two may disagree by minutes, and a window that
//! allows for any disagreement would also take in someone else's object made just before.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

/// No offset seen yet.
const UNKNOWN: i64 = i64::MIN;

/// How far the cloud's clock is ahead of ours, in milliseconds (negative: behind).
#[derive(Debug)]
pub(crate) struct CloudClock {
    offset_ms: AtomicI64,
}

impl Default for CloudClock {
    fn default() -> Self {
        Self {
            offset_ms: AtomicI64::new(UNKNOWN),
        }
    }
}

/// A moment on the cloud's clock, and how much it may be off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudTime {
    pub at: SystemTime,
    /// `Date` has whole seconds, and so do most `created_at` stamps; without any `Date` seen,
    /// the local clock is all there is and the margin is wide.
    pub margin: Duration,
}

impl CloudTime {
    /// Whether a `created_at` stamp (RFC 3339, with or without zone; OpenStack's are UTC) may
    /// be at or after this moment. An unreadable stamp may be.
    pub fn may_precede(&self, created_at: Option<&str>) -> bool {
        let Some(stamp) = created_at else {
            return true;
        };
        match humantime::parse_rfc3339_weak(stamp.trim_end_matches('Z')) {
            Ok(created) => created + self.margin >= self.at,
            Err(_) => true,
        }
    }
}

impl CloudClock {
    /// Learns the offset from an answer's `Date` header.
    pub(crate) fn observe(&self, headers: &HeaderMap) {
        let Some(date) = headers
            .get(http::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
        else {
            return;
        };
        self.offset_ms
            .store(millis_between(SystemTime::now(), date), Ordering::Relaxed);
    }

    /// Now, on the cloud's clock.
    pub(crate) fn now(&self) -> CloudTime {
        let local = SystemTime::now();
        match self.offset_ms.load(Ordering::Relaxed) {
            UNKNOWN => CloudTime {
                at: local,
                margin: Duration::from_secs(120),
            },
            ms => CloudTime {
                at: shift(local, ms),
                margin: Duration::from_secs(2),
            },
        }
    }
}

/// `to - from` in milliseconds.
fn millis_between(from: SystemTime, to: SystemTime) -> i64 {
    let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    match to.duration_since(from) {
        Ok(ahead) => ms(ahead),
        Err(behind) => -ms(behind.duration()),
    }
}

fn shift(t: SystemTime, ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        t.checked_add(d).unwrap_or(t)
    } else {
        t.checked_sub(d).unwrap_or(UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn date_header(t: SystemTime) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::DATE,
            httpdate::fmt_http_date(t).parse().unwrap(),
        );
        h
    }

    #[test]
    fn the_offset_follows_the_date_header() {
        let clock = CloudClock::default();
        assert_eq!(clock.now().margin, Duration::from_secs(120));
        let ahead = SystemTime::now() + Duration::from_secs(3600);
        clock.observe(&date_header(ahead));
        let now = clock.now();
        assert_eq!(now.margin, Duration::from_secs(2));
        let off = now.at.duration_since(SystemTime::now()).unwrap();
        assert!(
            off > Duration::from_secs(3590) && off < Duration::from_secs(3610),
            "{off:?}"
        );
        clock.observe(&HeaderMap::new());
        assert!(clock.now().at > SystemTime::now() + Duration::from_secs(3000));
    }

    #[test]
    fn stamps_before_the_moment_are_excluded() {
        let at = humantime::parse_rfc3339("2026-12-04T10:00:10Z").unwrap();
        let t = CloudTime {
            at,
            margin: Duration::from_secs(2),
        };
        assert!(t.may_precede(Some("2026-12-04T10:00:10Z")));
        assert!(t.may_precede(Some("2026-12-04T10:00:08")));
        assert!(t.may_precede(Some("2026-12-04T10:00:11.123456")));
        assert!(!t.may_precede(Some("2026-12-04T10:00:07Z")));
        assert!(!t.may_precede(Some("2026-12-03T23:59:59.000000")));
        assert!(t.may_precede(None));
        assert!(t.may_precede(Some("yesterday")));
    }
}
