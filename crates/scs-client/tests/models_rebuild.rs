//! Rebuild of a volume-backed server against the in-process fake cloud: it asks for Nova 2.93,
//! and a cloud below that is told apart before anything is sent.
#![allow(clippy::unwrap_used)]

#[path = "core_support/mod.rs"]
mod core_support;

use core_support::{Action, FakeCloud};
use scs_client::compute;
use scs_client::microversion::Microversion;
use serde_json::json;

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
