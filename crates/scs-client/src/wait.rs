//! Waiting for a resource to reach a status.
//!
//! The user waits for the cloud plus however long the last poll interval
//! overshoots the moment the cloud was done, so the interval stays a small
//! fraction of the time already waited: polling starts fast (0.2 s; ports,
//! floating IPs and attachments are often done within a second or two) and
//! grows by a fifth each round, so a status change is seen within about a fifth
//! of the time waited so far, and never more than 2 s late on long waits
//! (server boot). A wait of 30 s costs about 25 polls of one status request
//! each. Every wait has a deadline (Terraform's timeout) and a cancellation
//! token (StopProvider). Progress is logged at INFO on every status change and
//! at least every 10 s, so `TF_LOG=INFO` shows what a long apply is waiting
//! for.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result, fmt_duration};

/// What one poll saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll<T> {
    /// Done; the wait returns this value.
    Ready(T),
    /// Not yet; `status` is logged and reported if the wait times out.
    Pending { status: String },
    /// Terminal failure (e.g. status ERROR) with the cloud's reason
    /// (Nova `fault.message`, Cinder's status reason).
    Failed {
        status: String,
        fault: Option<String>,
    },
}

impl<T> Poll<T> {
    pub fn pending(status: impl Into<String>) -> Self {
        Poll::Pending {
            status: status.into(),
        }
    }

    pub fn failed(status: impl Into<String>, fault: Option<String>) -> Self {
        Poll::Failed {
            status: status.into(),
            fault,
        }
    }
}

/// Polling intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitOptions {
    pub initial: Duration,
    pub max: Duration,
    pub factor: f64,
    /// Log at INFO at least this often while the status does not change.
    pub progress_every: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(2),
            factor: 1.2,
            progress_every: Duration::from_secs(10),
        }
    }
}

/// Polls `poll_fn` until it returns [`Poll::Ready`] or [`Poll::Failed`], the
/// deadline passes ([`Error::Timeout`], with the last status seen) or `cancel`
/// fires ([`Error::Cancelled`]). Errors from `poll_fn` end the wait as they are
/// (the request layer has already retried transient ones).
pub async fn wait_for<T, F, Fut>(
    op_name: &str,
    deadline: Instant,
    cancel: &CancellationToken,
    poll_fn: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>>>,
{
    wait_for_with(op_name, deadline, cancel, WaitOptions::default(), poll_fn).await
}

/// [`wait_for`] with explicit polling intervals.
pub async fn wait_for_with<T, F, Fut>(
    op_name: &str,
    deadline: Instant,
    cancel: &CancellationToken,
    opts: WaitOptions,
    mut poll_fn: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>>>,
{
    let started = Instant::now();
    let mut interval = opts.initial;
    let mut last_status: Option<String> = None;
    let mut last_log = started;
    let timeout = |last_status: Option<String>| Error::Timeout {
        operation: op_name.to_owned(),
        after: started.elapsed(),
        last_status,
    };
    loop {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled {
                operation: op_name.to_owned(),
            });
        }
        let polled = tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                return Err(Error::Cancelled { operation: op_name.to_owned() });
            }
            _ = tokio::time::sleep_until(deadline) => {
                return Err(timeout(last_status));
            }
            r = poll_fn() => r?,
        };
        match polled {
            Poll::Ready(v) => {
                tracing::info!(
                    target: "scs_client::wait",
                    operation = op_name,
                    elapsed = %fmt_duration(started.elapsed()),
                    "wait finished"
                );
                return Ok(v);
            }
            Poll::Failed { status, fault } => {
                tracing::info!(
                    target: "scs_client::wait",
                    operation = op_name,
                    status = %status,
                    fault = fault.as_deref().unwrap_or(""),
                    "wait ended in failure status"
                );
                return Err(Error::WaitFailed {
                    operation: op_name.to_owned(),
                    status,
                    fault,
                });
            }
            Poll::Pending { status } => {
                let now = Instant::now();
                let changed = last_status.as_deref() != Some(status.as_str());
                if changed || now.duration_since(last_log) >= opts.progress_every {
                    tracing::info!(
                        target: "scs_client::wait",
                        operation = op_name,
                        status = %status,
                        elapsed = %fmt_duration(started.elapsed()),
                        "still waiting"
                    );
                    last_log = now;
                }
                last_status = Some(status);
            }
        }
        let wake = next_poll(Instant::now(), interval, opts.max).min(deadline);
        tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                return Err(Error::Cancelled { operation: op_name.to_owned() });
            }
            _ = tokio::time::sleep_until(wake) => {}
        }
        interval = interval.mul_f64(opts.factor).min(opts.max);
    }
}

/// When to poll next: `interval` from now, or, for a wait that polls at the longest interval,
/// on the next beat of a clock shared by all waits of the process that ticks once per `max`
/// (never later than `interval` from now). Waits that poll at the longest interval thus poll
/// together, and their reads of one kind go out as one listing (see `watch`).
fn next_poll(now: Instant, interval: Duration, max: Duration) -> Instant {
    static BEAT_ZERO: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    if interval < max || max.is_zero() {
        return now + interval;
    }
    let zero = *BEAT_ZERO.get_or_init(|| now);
    let since_zero = now.saturating_duration_since(zero).as_nanos();
    let beat = max.as_nanos();
    let to_next = beat - since_zero % beat;
    now + Duration::from_nanos(u64::try_from(to_next).unwrap_or(u64::MAX))
}

/// How long a multi-step operation may still take, and what cancels it:
/// Terraform's timeout and StopProvider, as the caller's request context has
/// them. Waits and conflict retries take one instead of two loose values.
#[derive(Debug, Clone)]
pub struct Budget {
    pub deadline: Instant,
    pub cancel: CancellationToken,
}

impl Budget {
    pub fn new(deadline: Instant, cancel: CancellationToken) -> Self {
        Self { deadline, cancel }
    }
}

/// Runs `op` again while the cloud answers 409 Conflict (an object still in
/// use, such as a network whose DHCP port Neutron is still removing, or a
/// volume still detaching), until it succeeds, fails otherwise, or the budget
/// runs out: then the last conflict is reported as the timeout's last status.
/// The pause starts at 0.5 s and grows by half up to 3 s: what it waits for is
/// usually gone within seconds, and the user waits for the retry that follows.
pub async fn retry_conflicts<T, F, Fut>(op_name: &str, budget: &Budget, mut op: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let started = Instant::now();
    let mut pause = Duration::from_millis(500);
    loop {
        let err = tokio::select! {
            biased;
            _ = budget.cancel.cancelled() => {
                return Err(Error::Cancelled { operation: op_name.to_owned() });
            }
            r = op() => match r {
                Err(e) if e.is_conflict() => e,
                other => return other,
            },
        };
        if Instant::now() + pause >= budget.deadline {
            return Err(Error::Timeout {
                operation: op_name.to_owned(),
                after: started.elapsed(),
                last_status: Some(format!("still in conflict: {err}")),
            });
        }
        tracing::info!(
            target: "scs_client::wait",
            operation = op_name,
            "conflict, trying again in {}",
            fmt_duration(pause)
        );
        tokio::select! {
            biased;
            _ = budget.cancel.cancelled() => {
                return Err(Error::Cancelled { operation: op_name.to_owned() });
            }
            _ = tokio::time::sleep(pause) => {}
        }
        pause = pause.mul_f64(1.5).min(Duration::from_secs(3));
    }
}

/// The status reason of a resource that went to ERROR, picked from the places
/// services put it: Nova `fault.message` (+ `fault.details` first line),
/// Cinder `migration_status`-free `status_reason`/`reason`, Neutron none.
pub fn fault_message(resource: &serde_json::Value) -> Option<String> {
    if let Some(f) = resource.get("fault") {
        let msg = f.get("message").and_then(|m| m.as_str()).unwrap_or("");
        let code = f.get("code").and_then(|c| c.as_i64());
        if !msg.is_empty() {
            return Some(match code {
                Some(c) => format!("{msg} (code {c})"),
                None => msg.to_owned(),
            });
        }
    }
    for key in ["status_reason", "reason", "fault_message", "error_message"] {
        if let Some(s) = resource.get(key).and_then(|v| v.as_str())
            && !s.is_empty()
        {
            return Some(s.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_at_the_longest_interval_poll_on_a_shared_beat() {
        let max = Duration::from_secs(2);
        let t = Instant::now();
        let short = Duration::from_millis(500);
        assert_eq!(next_poll(t, short, max), t + short);
        let first = next_poll(t, max, max);
        assert!(first > t && first <= t + max);
        // Once on the beat, a wait polls every `max`.
        assert_eq!(next_poll(first, max, max), first + max);
        // Another wait, started 0.7 s later, polls on the same beats.
        let other = next_poll(t + Duration::from_millis(700), max, max);
        assert!(
            other == first || other == first + max,
            "{other:?} {first:?}"
        );
    }
}
