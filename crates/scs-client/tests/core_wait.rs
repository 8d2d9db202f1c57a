//! Waiters: status progression, ERROR with fault, deadline, cancellation.
#![allow(clippy::unwrap_used)]

mod core_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use core_support::{Action, FakeCloud};
use scs_client::wait::fault_message;
use scs_client::{CancellationToken, Error, Poll, WaitOptions, wait_for, wait_for_with};
use serde_json::{Value, json};
use tokio::time::Instant;

const SERVER: &str = "/compute/v2.1/servers/s1";

/// What a server-create wait does: read the server, map its status.
async fn poll_server(c: &scs_client::Client) -> Result<Poll<Value>, Error> {
    let v: Value = c.compute().get_json("/servers/s1").await?;
    let s = &v["server"];
    let status = s["status"].as_str().unwrap_or("").to_owned();
    Ok(match status.as_str() {
        "ACTIVE" => Poll::Ready(s.clone()),
        "ERROR" => Poll::failed(status, fault_message(s)),
        _ => Poll::pending(status),
    })
}

fn server(status: &str) -> Action {
    Action::ok(json!({"server": {"id": "s1", "status": status}}))
}

#[tokio::test]
async fn waits_through_build_to_active() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        SERVER,
        vec![server("BUILD"), server("BUILD"), server("ACTIVE")],
    );
    let c = core_support::client(&mock, 3);
    let deadline = Instant::now() + Duration::from_secs(30);
    let s = wait_for("create server s1", deadline, c.cancellation(), || {
        poll_server(&c)
    })
    .await
    .unwrap();
    assert_eq!(s["status"], "ACTIVE");
    let hits = mock.hits("GET", SERVER);
    assert_eq!(hits.len(), 3);
    // The first re-poll comes after the initial interval, not immediately.
    assert!(hits[1].at.duration_since(hits[0].at) >= Duration::from_millis(190));
}

#[tokio::test]
async fn error_status_returns_the_nova_fault() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        SERVER,
        vec![
            server("BUILD"),
            Action::ok(json!({"server": {"id": "s1", "status": "ERROR",
                "fault": {"code": 500, "message": "No valid host was found. There are not enough hosts available.",
                          "created": "2026-11-27T22:00:00Z"}}})),
        ],
    );
    let c = core_support::client(&mock, 3);
    let err = wait_for(
        "create server s1",
        Instant::now() + Duration::from_secs(30),
        c.cancellation(),
        || poll_server(&c),
    )
    .await
    .unwrap_err();
    let s = err.to_string();
    assert!(matches!(err, Error::WaitFailed { .. }), "{err:?}");
    assert!(s.contains("ERROR"), "{s}");
    assert!(s.contains("No valid host was found"), "{s}");
    assert!(s.contains("create server s1"), "{s}");
}

#[tokio::test]
async fn deadline_reports_last_status() {
    let mock = FakeCloud::start().await;
    mock.on("GET", SERVER, vec![server("BUILD")]);
    let c = core_support::client(&mock, 3);
    let err = wait_for(
        "create server s1",
        Instant::now() + Duration::from_millis(700),
        c.cancellation(),
        || poll_server(&c),
    )
    .await
    .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("last status BUILD"), "{err}");
}

#[tokio::test]
async fn cancellation_mid_wait() {
    let cancel = CancellationToken::new();
    let polls = Arc::new(AtomicU32::new(0));
    let p2 = polls.clone();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        // Cancel once the wait is under way.
        while p2.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        c2.cancel();
    });
    let err = wait_for(
        "delete volume v1",
        Instant::now() + Duration::from_secs(60),
        &cancel,
        || {
            let polls = polls.clone();
            async move {
                polls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Error>(Poll::<()>::pending("deleting"))
            }
        },
    )
    .await
    .unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
    assert!(polls.load(Ordering::SeqCst) >= 2);
}

#[tokio::test]
async fn cancellation_interrupts_a_slow_poll() {
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c2.cancel();
    });
    let err = wait_for(
        "attach volume",
        Instant::now() + Duration::from_secs(60),
        &cancel,
        || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, Error>(Poll::Ready(()))
        },
    )
    .await
    .unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn polling_interval_grows_to_the_cap() {
    // Paused clock: intervals are measured in virtual time, exactly.
    let times = Arc::new(std::sync::Mutex::new(Vec::new()));
    let t2 = times.clone();
    let start = Instant::now();
    let err = wait_for_with(
        "grow",
        start + Duration::from_secs(30),
        &CancellationToken::new(),
        WaitOptions::default(),
        || {
            let t2 = t2.clone();
            async move {
                t2.lock().unwrap().push(Instant::now());
                Ok::<_, Error>(Poll::<()>::pending("x"))
            }
        },
    )
    .await
    .unwrap_err();
    assert!(err.is_timeout());
    let t = times.lock().unwrap();
    let gaps: Vec<Duration> = t.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps[0], Duration::from_millis(200));
    // Non-decreasing, except the last gap, which the deadline may cut short.
    let full = &gaps[..gaps.len() - 1];
    assert!(full.windows(2).all(|g| g[1] >= g[0]), "{gaps:?}");
    assert!(gaps.iter().all(|g| *g <= Duration::from_secs(2)));
    assert!(gaps.contains(&Duration::from_secs(2)), "{gaps:?}");
    // A status change is seen at most a fifth of the time waited so far (plus the first
    // interval) after it happened: each gap is bounded by the wait before it.
    for (i, gap) in full.iter().enumerate() {
        let waited = t[i] - start;
        assert!(
            *gap <= Duration::from_millis(200) + waited / 5 + Duration::from_millis(1),
            "gap {i} of {gap:?} after {waited:?}: {gaps:?}"
        );
    }
}

#[test]
fn fault_message_shapes() {
    assert_eq!(
        fault_message(&json!({"fault": {"message": "boom", "code": 500}})).as_deref(),
        Some("boom (code 500)")
    );
    assert_eq!(
        fault_message(&json!({"status": "error", "status_reason": "quota"})).as_deref(),
        Some("quota")
    );
    assert_eq!(fault_message(&json!({"status": "error"})), None);
}
