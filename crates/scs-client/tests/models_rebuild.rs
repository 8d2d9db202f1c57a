//! Rebuild against the in-process fake cloud: a volume-backed server's asks for Nova 2.93 (a
//! cloud below that is told apart before anything is sent), user_data goes out Base64-encoded,
//! and the wait for the rebuild to finish.
#![allow(clippy::unwrap_used)]

#[path = "core_support/mod.rs"]
mod core_support;

use std::time::Duration;

use core_support::{Action, FakeCloud};
use scs_client::microversion::Microversion;
use scs_client::{CancellationToken, compute};
use serde_json::json;
use tokio::time::Instant;

const ACTION: &str = "/compute/v2.1/servers/s1/action";

fn rebuild() -> compute::RebuildServer {
    compute::RebuildServer {
        image_ref: "img-2".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_cloud_with_2_93_rebuilds_volume_backed_servers() {
    let mock = FakeCloud::start().await;
    mock.set_nova_max("2.93");
    let c = core_support::client(&mock, 0);
    assert_eq!(
        compute::volume_backed_rebuild_support(&c).await.unwrap(),
        (true, Some(Microversion::new(2, 93)))
    );
    mock.on("POST", ACTION, vec![Action::Json(202, json!({}))]);
    compute::rebuild_volume_backed_server(&c, "s1", &rebuild())
        .await
        .unwrap();
    let hit = &mock.hits("POST", ACTION)[0];
    assert_eq!(hit.headers["openstack-api-version"], "compute 2.93");
    let sent: serde_json::Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(sent, json!({"rebuild": {"imageRef": "img-2"}}));
}

#[tokio::test]
async fn an_older_cloud_is_refused_before_sending() {
    let mock = FakeCloud::start().await;
    mock.set_nova_max("2.90");
    let c = core_support::client(&mock, 0);
    assert_eq!(
        compute::volume_backed_rebuild_support(&c).await.unwrap(),
        (false, Some(Microversion::new(2, 90)))
    );
    mock.on("POST", ACTION, vec![Action::Json(202, json!({}))]);
    let err = compute::rebuild_volume_backed_server(&c, "s1", &rebuild())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("2.93"), "{err}");
    assert!(mock.hits("POST", ACTION).is_empty());
    // The image-backed rebuild needs no microversion.
    compute::rebuild_server(&c, "s1", &rebuild()).await.unwrap();
    assert_eq!(mock.hits("POST", ACTION).len(), 1);
}

const SERVER: &str = "/compute/v2.1/servers/s1";

fn server(status: &str, task: Option<&str>) -> Action {
    Action::ok(
        json!({"server": {"id": "s1", "status": status, "image": {"id": "img-2"},
        "OS-EXT-STS:task_state": task}}),
    )
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(20)
}

#[tokio::test]
async fn user_data_is_sent_base64_encoded() {
    let mock = FakeCloud::start().await;
    mock.set_nova_max("2.93");
    let c = core_support::client(&mock, 0);
    mock.on("POST", ACTION, vec![Action::Json(202, json!({}))]);
    let req = compute::RebuildServer {
        user_data: Some("#cloud-config\n".into()),
        ..rebuild()
    };
    compute::rebuild_server(&c, "s1", &req).await.unwrap();
    let sent: serde_json::Value = serde_json::from_str(&mock.hits("POST", ACTION)[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"rebuild": {"imageRef": "img-2", "user_data": "I2Nsb3VkLWNvbmZpZwo="}})
    );
}

#[tokio::test]
async fn the_rebuild_wait_ends_when_no_task_is_left() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "GET",
        SERVER,
        vec![
            server("REBUILD", Some("rebuilding")),
            server("REBUILD", Some("rebuild_spawning")),
            // A task still under way is not the end of the rebuild.
            server("ACTIVE", Some("rebuild_spawning")),
            server("ACTIVE", None),
        ],
    );
    let s = compute::wait_for_server_rebuilt(&c, "s1", soon(), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(s.image_id.as_deref(), Some("img-2"));
    assert_eq!(mock.hits("GET", SERVER).len(), 4);
}

#[tokio::test]
async fn a_stopped_server_is_rebuilt_stopped_and_a_failure_names_novas_fault() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "GET",
        SERVER,
        vec![
            server("REBUILD", Some("rebuilding")),
            server("SHUTOFF", None),
        ],
    );
    let s = compute::wait_for_server_rebuilt(&c, "s1", soon(), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(s.status, "SHUTOFF");

    mock.on(
        "GET",
        "/compute/v2.1/servers/s2",
        vec![Action::ok(
            json!({"server": {"id": "s2", "status": "ERROR", "image": "",
            "fault": {"code": 500, "message": "Image is larger than the volume"}}}),
        )],
    );
    let err = compute::wait_for_server_rebuilt(&c, "s2", soon(), &CancellationToken::new())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Image is larger than the volume"), "{err}");

    // Still rebuilding when the deadline comes: a timeout naming the last status.
    mock.on(
        "GET",
        "/compute/v2.1/servers/s3",
        vec![Action::ok(
            json!({"server": {"id": "s3", "status": "REBUILD", "image": "",
            "OS-EXT-STS:task_state": "rebuilding"}}),
        )],
    );
    let near = Instant::now() + Duration::from_millis(700);
    let err = compute::wait_for_server_rebuilt(&c, "s3", near, &CancellationToken::new())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("timed out") && err.contains("REBUILD (rebuilding)"),
        "{err}"
    );
}
