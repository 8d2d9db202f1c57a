//! Cinder volume actions against the in-process fake cloud: extend (with microversion 3.42 only
//! for attached volumes, and the error on a cloud that is too old), retype and its waiter, a
//! delete Cinder refuses while it is still working on the volume, and a detach whose first
//! attempt's answer was lost.
#![allow(clippy::unwrap_used)]

#[path = "core_support/mod.rs"]
mod core_support;

use std::time::Duration;

use core_support::{Action, FakeCloud};
use scs_client::{CancellationToken, Error, compute, volume};
use serde_json::{Value, json};
use tokio::time::Instant;

const BASE: &str = "/volume/v3/proj-1";

fn action_path(id: &str) -> String {
    format!("{BASE}/volumes/{id}/action")
}

fn body(r: &core_support::Recorded) -> Value {
    serde_json::from_str(&r.body).unwrap()
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(20)
}

fn volume_doc(status: &str, volume_type: &str) -> Action {
    Action::ok(json!({"volume": {"id": "v", "size": 1, "status": status,
        "volume_type": volume_type, "bootable": "false"}}))
}

#[tokio::test]
async fn extend_asks_for_3_42_only_when_attached() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "POST",
        &action_path("v"),
        vec![Action::Json(202, json!({}))],
    );

    volume::extend_volume(&c, "v", 2).await.unwrap();
    volume::extend_attached_volume(&c, "v", 3).await.unwrap();

    let hits = mock.hits("POST", &action_path("v"));
    assert_eq!(hits.len(), 2);
    assert_eq!(body(&hits[0]), json!({"os-extend": {"new_size": 2}}));
    assert_eq!(hits[0].headers.get("openstack-api-version"), None);
    assert_eq!(body(&hits[1]), json!({"os-extend": {"new_size": 3}}));
    assert_eq!(
        hits[1]
            .headers
            .get("openstack-api-version")
            .map(String::as_str),
        Some("volume 3.42")
    );
}

#[tokio::test]
async fn extending_an_attached_volume_on_a_too_old_cloud_names_the_microversion() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "GET",
        "/volume/v3/",
        vec![Action::ok(
            json!({"versions": [{"id": "v3.0", "status": "CURRENT",
            "version": "3.27", "min_version": "3.0"}]}),
        )],
    );
    mock.on(
        "POST",
        &action_path("v"),
        vec![Action::Json(202, json!({}))],
    );

    let err = volume::extend_attached_volume(&c, "v", 2)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, Error::MicroversionUnsupported { .. }),
        "{err:?}"
    );
    assert!(text.contains("3.42") && text.contains("3.27"), "{text}");
    assert!(text.contains("extend attached volume v"), "{text}");
    assert!(mock.hits("POST", &action_path("v")).is_empty(), "not sent");

    // A detached volume needs no microversion, so the same cloud extends it.
    volume::extend_volume(&c, "v", 2).await.unwrap();
    assert_eq!(mock.hits("POST", &action_path("v")).len(), 1);
}

#[tokio::test]
async fn retype_sends_the_policy_and_waits_for_the_new_type() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "POST",
        &action_path("v"),
        vec![Action::Json(202, json!({}))],
    );
    volume::retype_volume(&c, "v", "replicated", volume::MigrationPolicy::OnDemand)
        .await
        .unwrap();
    assert_eq!(
        body(&mock.hits("POST", &action_path("v"))[0]),
        json!({"os-retype": {"new_type": "replicated", "migration_policy": "on-demand"}})
    );

    mock.on(
        "GET",
        &format!("{BASE}/volumes/v"),
        vec![
            volume_doc("retyping", "__DEFAULT__"),
            volume_doc("retyping", "__DEFAULT__"),
            volume_doc("in-use", "replicated"),
        ],
    );
    let v = volume::wait_for_retype(
        &c,
        "v",
        "replicated",
        "in-use",
        soon(),
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(v.volume_type.as_deref(), Some("replicated"));
    assert_eq!(mock.hits("GET", &format!("{BASE}/volumes/v")).len(), 3);
}

#[tokio::test]
async fn a_retype_cinder_gave_up_on_is_an_error_that_says_so() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "GET",
        &format!("{BASE}/volumes/v"),
        vec![
            volume_doc("retyping", "__DEFAULT__"),
            volume_doc("available", "__DEFAULT__"),
        ],
    );
    let err = volume::wait_for_retype(
        &c,
        "v",
        "replicated",
        "available",
        soon(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("retyped to replicated"), "{err}");
    assert!(err.contains("not retyped"), "{err}");
    assert!(err.contains("type __DEFAULT__"), "{err}");
}

#[tokio::test]
async fn a_refused_retype_carries_cinders_message_and_request_id() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "POST",
        &action_path("v"),
        vec![Action::Json(
            400,
            json!({"badRequest": {"code": 400, "message":
                "Invalid volume: Retype needs volume to be in available or in-use state, not be part of an active migration or a consistency group, requested type has to be different that the one from the volume, and for in-use volumes front-end qos specs cannot change."}}),
        )],
    );
    let err = volume::retype_volume(&c, "v", "replicated", volume::MigrationPolicy::OnDemand)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Retype needs volume to be in available"),
        "{err}"
    );
    assert!(err.contains("(request id req-"), "{err}");
    assert!(err.contains("change the type of volume v"), "{err}");
}

/// Cinder's answer to a delete of a volume in a status it cannot delete from.
fn delete_refused() -> Action {
    Action::error(
        &format!("{BASE}/volumes/v"),
        400,
        "Invalid volume: Volume status must be available or error or error_restoring or \
         error_extending or error_managing and must not be migrating, attached, belong to a \
         group, have snapshots, awaiting a transfer, or be disassociated from snapshots after \
         volume transfer.",
        "req-del",
    )
}

#[tokio::test]
async fn a_volume_still_being_created_is_deleted_once_cinder_is_done_with_it() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    let path = format!("{BASE}/volumes/v");
    mock.on(
        "DELETE",
        &path,
        vec![delete_refused(), Action::Json(202, json!({}))],
    );
    mock.on(
        "GET",
        &path,
        vec![
            volume_doc("creating", "__DEFAULT__"),
            volume_doc("creating", "__DEFAULT__"),
            volume_doc("available", "__DEFAULT__"),
        ],
    );
    volume::delete_volume(&c, "v").await.unwrap();
    assert_eq!(mock.hits("DELETE", &path).len(), 2);
    assert_eq!(mock.hits("GET", &path).len(), 3);
}

#[tokio::test]
async fn a_volume_that_cinder_finished_between_refusal_and_look_is_deleted() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    let path = format!("{BASE}/volumes/v");
    mock.on(
        "DELETE",
        &path,
        vec![delete_refused(), Action::Json(202, json!({}))],
    );
    mock.on("GET", &path, vec![volume_doc("available", "__DEFAULT__")]);
    volume::delete_volume(&c, "v").await.unwrap();
    assert_eq!(mock.hits("DELETE", &path).len(), 2);
}

#[tokio::test]
async fn a_delete_refused_for_a_settled_volume_fails_with_cinders_reason() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    let path = format!("{BASE}/volumes/v");
    mock.on("DELETE", &path, vec![delete_refused(), delete_refused()]);
    mock.on("GET", &path, vec![volume_doc("in-use", "__DEFAULT__")]);
    let err = volume::delete_volume(&c, "v")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Volume status must be available"), "{err}");
    assert!(err.contains("(request id req-del)"), "{err}");
    assert_eq!(mock.hits("DELETE", &path).len(), 2);
}

const DETACH: &str = "/compute/v2.1/servers/s/os-volume_attachments/v";

/// Nova's answer to a detach of a volume that is not `in-use`.
fn detach_refused() -> Action {
    Action::error(
        DETACH,
        400,
        "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and \
         attach_status must be 'attached' to detach.",
        "req-detach",
    )
}

#[tokio::test]
async fn a_detach_repeated_after_its_answer_was_lost_finds_the_volume_detaching() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 2);
    // The first attempt's connection breaks (Nova may have started the detach); the repeated
    // request is refused because the volume is detaching already.
    mock.on("DELETE", DETACH, vec![Action::Reset, detach_refused()]);
    mock.on(
        "GET",
        &format!("{BASE}/volumes/v"),
        vec![volume_doc("detaching", "__DEFAULT__")],
    );
    compute::detach_volume(&c, "s", "v").await.unwrap();
    assert_eq!(mock.hits("DELETE", DETACH).len(), 2);
}

#[tokio::test]
async fn a_detach_refused_for_a_volume_still_in_use_is_an_error() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 2);
    mock.on("DELETE", DETACH, vec![detach_refused()]);
    mock.on(
        "GET",
        &format!("{BASE}/volumes/v"),
        vec![volume_doc("in-use", "__DEFAULT__")],
    );
    let err = compute::detach_volume(&c, "s", "v")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Unable to detach volume"), "{err}");
}
