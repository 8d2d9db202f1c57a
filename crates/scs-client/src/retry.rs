//! Retry policy: which failures are retried, and how long to wait.
//!
//! - `429 Too Many Requests`: retried for every method (the server did not
//!   act on the request). The wait is `Retry-After` when given (seconds or an
//!   HTTP date, capped at [`MAX_RETRY_AFTER`]), else exponential backoff.
//! - `500`, `502`, `503`, `504` and connections that broke after the request
//!   was sent: retried for idempotent requests (GET, HEAD, PUT, DELETE, and
//!   anything marked idempotent) only. Repeating a read changes nothing; a
//!   repeated DELETE of an object the first attempt did delete answers 404,
//!   which the delete calls count as done; the PUTs of Neutron, Nova and
//!   Cinder set fields to values, so a second one sets the same values. A
//!   `500` is often an API worker that lost its database or message queue
//!   connection for a moment, so it is worth repeating as the gateway errors
//!   are. A POST that failed with a gateway error or a broken connection may
//!   have created something; it is returned as an error whose
//!   [`crate::Error::may_have_succeeded`] is true, and callers use
//!   [`crate::Client::create_with_lookup`] to look before creating again.
//! - Connections that were never established (refused, DNS): retried for
//!   every method, nothing reached the server.
//! - `401`: the token is re-issued once and the request repeated; this does
//!   not count against `max_retries`.
//!
//! Backoff: `min(cap, base * 2^n)` with "equal jitter" (half fixed, half
//! random), base 0.5 s, cap 30 s: waits of 0.5, 1, 2, 4, 8, 16, 30, 30 s at
//! most, so the default `max_retries` of 8 backs off for 46-92 s in total,
//! which rides out a rate limit or a service restart. `Retry-After` replaces
//! the computed wait. Every wait is also bounded by the request deadline: a
//! wait that would end after it is not started, the last error is returned.

use std::future::Future;
use std::time::{Duration, SystemTime};

use http::HeaderMap;

use crate::error::Result;

/// Largest `Retry-After` honoured; longer waits are clamped to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// Backoff parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl RetryPolicy {
    pub fn new(max_retries: u32) -> Self {
        Self {
            max_retries,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        }
    }

    /// Wait before retry number `retry` (0-based), with jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(retry.min(16)))
            .min(self.cap);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Parses `Retry-After` (delta seconds or HTTP date).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let d = if let Ok(secs) = v.parse::<u64>() {
        Duration::from_secs(secs)
    } else if let Ok(secs) = v.parse::<f64>() {
        Duration::try_from_secs_f64(secs).ok()?
    } else {
        let when = httpdate::parse_http_date(v).ok()?;
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
    };
    Some(d.min(MAX_RETRY_AFTER))
}

/// Whether an HTTP answer with `status` is worth repeating (see the module docs).
pub fn retryable_status(status: http::StatusCode, idempotent: bool) -> bool {
    use http::StatusCode as S;
    match status {
        // The server refused before acting: safe for every method.
        S::TOO_MANY_REQUESTS => true,
        // A failing or overloaded service, or a gateway in front of one:
        // the request may have been acted on, so only requests that are
        // safe to repeat.
        S::INTERNAL_SERVER_ERROR | S::BAD_GATEWAY | S::SERVICE_UNAVAILABLE | S::GATEWAY_TIMEOUT => {
            idempotent
        }
        _ => false,
    }
}

/// Whether a request that got no HTTP answer is worth repeating: always when
/// the connection was never established, else only when idempotent.
pub fn retryable_transport(never_sent: bool, idempotent: bool) -> bool {
    never_sent || idempotent
}

/// True for methods whose repetition is harmless.
pub fn is_idempotent(method: &http::Method) -> bool {
    matches!(
        *method,
        http::Method::GET
            | http::Method::HEAD
            | http::Method::PUT
            | http::Method::DELETE
            | http::Method::OPTIONS
    )
}

/// Creates an object without ever creating it twice.
///
/// `create` is tried; if it fails in a way that leaves open whether the
/// object was made ([`crate::Error::may_have_succeeded`]), `lookup` is asked (for
/// example: list by the unique name the create used). If it finds the
/// object, that is the result; if not, `create` is tried again, up to
/// `max_attempts` times in total. A repeated create that is refused is
/// looked up once more (the earlier attempt may have finished after the
/// lookup). Other errors are returned as they are; if the lookup itself
/// fails, the create's error is returned (never a blind second create).
pub async fn create_with_lookup<T, C, CF, L, LF>(
    operation: &str,
    max_attempts: u32,
    mut create: C,
    mut lookup: L,
) -> Result<T>
where
    C: FnMut() -> CF,
    CF: Future<Output = Result<T>>,
    L: FnMut() -> LF,
    LF: Future<Output = Result<Option<T>>>,
{
    let policy = RetryPolicy::new(max_attempts);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let err = match create().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        if !err.may_have_succeeded() {
            // A repeat refused outright (say, as a duplicate) after an earlier attempt's answer
            // was lost: that attempt made the object after all, later than the lookup looked.
            if attempt > 1
                && let Ok(Some(found)) = lookup().await
            {
                tracing::info!(target: "scs_client::retry", operation, "the repeated create was refused; an earlier attempt had made the object");
                return Ok(found);
            }
            return Err(err);
        }
        tracing::warn!(
            target: "scs_client::retry",
            operation,
            attempt,
            error = %err,
            "create failed ambiguously; looking up whether it happened"
        );
        match lookup().await {
            Ok(Some(found)) => {
                tracing::info!(target: "scs_client::retry", operation, "create had succeeded; using the existing object");
                return Ok(found);
            }
            Ok(None) => {}
            Err(lookup_err) => {
                // Unknown whether it exists: creating again could duplicate
                // it, so stop with the create's own (more telling) error.
                tracing::warn!(target: "scs_client::retry", operation, error = %lookup_err, "lookup after ambiguous create failed");
                return Err(err);
            }
        }
        if attempt >= max_attempts.max(1) {
            return Err(err);
        }
        tokio::time::sleep(policy.backoff(attempt - 1)).await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::new(8);
        for n in 0..20 {
            let d = p.backoff(n);
            let exp = p
                .base
                .saturating_mul(2u32.saturating_pow(n.min(16)))
                .min(p.cap);
            assert!(d >= exp / 2 && d <= exp, "retry {n}: {d:?} vs {exp:?}");
        }
        assert!(p.backoff(30) <= p.cap);
    }

    fn ambiguous() -> crate::Error {
        crate::Error::Transport {
            operation: "create x".into(),
            message: "connection reset".into(),
            may_have_reached_server: true,
            attempts: 1,
        }
    }

    fn definite() -> crate::Error {
        crate::Error::InvalidRequest {
            operation: "create x".into(),
            message: "bad".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn create_with_lookup_paths() {
        use std::cell::Cell;
        // Ambiguous failure, nothing found: create again, which succeeds.
        let creates = Cell::new(0);
        let lookups = Cell::new(0);
        let r = create_with_lookup(
            "create x",
            3,
            || {
                creates.set(creates.get() + 1);
                let n = creates.get();
                async move { if n == 1 { Err(ambiguous()) } else { Ok(n) } }
            },
            || {
                lookups.set(lookups.get() + 1);
                async { Ok(None) }
            },
        )
        .await
        .unwrap();
        assert_eq!((r, creates.get(), lookups.get()), (2, 2, 1));

        // Ambiguous failure, found: no second create.
        creates.set(0);
        let r = create_with_lookup(
            "create x",
            3,
            || {
                creates.set(creates.get() + 1);
                async { Err::<u32, _>(ambiguous()) }
            },
            || async { Ok(Some(7)) },
        )
        .await
        .unwrap();
        assert_eq!((r, creates.get()), (7, 1));

        // Definite failure: returned at once, no lookup.
        lookups.set(0);
        let e = create_with_lookup(
            "create x",
            3,
            || async { Err::<u32, _>(definite()) },
            || {
                lookups.set(lookups.get() + 1);
                async { Ok(Some(1)) }
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, crate::Error::InvalidRequest { .. }));
        assert_eq!(lookups.get(), 0);

        // Lookup fails: the create's error, and no second create.
        creates.set(0);
        let e = create_with_lookup(
            "create x",
            3,
            || {
                creates.set(creates.get() + 1);
                async { Err::<u32, _>(ambiguous()) }
            },
            || async { Err(definite()) },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, crate::Error::Transport { .. }));
        assert_eq!(creates.get(), 1);

        // Never found, always ambiguous: stops after max_attempts.
        creates.set(0);
        let e = create_with_lookup(
            "create x",
            3,
            || {
                creates.set(creates.get() + 1);
                async { Err::<u32, _>(ambiguous()) }
            },
            || async { Ok(None) },
        )
        .await
        .unwrap_err();
        assert!(e.may_have_succeeded());
        assert_eq!(creates.get(), 3);
    }

    #[test]
    fn server_errors_are_retried_only_when_repeating_is_safe() {
        use http::StatusCode as S;
        for status in [
            S::INTERNAL_SERVER_ERROR,
            S::BAD_GATEWAY,
            S::SERVICE_UNAVAILABLE,
            S::GATEWAY_TIMEOUT,
        ] {
            assert!(retryable_status(status, true), "{status}");
            assert!(!retryable_status(status, false), "{status}");
        }
        for status in [
            S::NOT_IMPLEMENTED,
            S::BAD_REQUEST,
            S::CONFLICT,
            S::NOT_FOUND,
        ] {
            assert!(!retryable_status(status, true), "{status}");
        }
        assert!(retryable_status(S::TOO_MANY_REQUESTS, false));
        for method in [
            http::Method::GET,
            http::Method::HEAD,
            http::Method::PUT,
            http::Method::DELETE,
        ] {
            assert!(is_idempotent(&method), "{method}");
        }
        assert!(!is_idempotent(&http::Method::POST));
        assert!(!is_idempotent(&http::Method::PATCH));
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(http::header::RETRY_AFTER, "99999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
        h.insert(
            http::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
