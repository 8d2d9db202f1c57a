//! Waits for several objects of one kind at once share their polls: listings of what changed
//! since the waits began, and a GET of its own for any object a listing lacks.
#![allow(clippy::unwrap_used)]

mod core_support;

use std::time::Duration;

use core_support::{FakeCloud, Recorded};
use scs_client::test_util::openstack::{SERVERS, VOLUMES};
use scs_client::{CancellationToken, compute, volume};
use serde_json::json;
use tokio::task::JoinSet;
use tokio::time::Instant;

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(20)
}

/// `n` objects of `collection` in `status`; their ids.
fn insert_all(cloud: &FakeCloud, collection: &str, n: usize, status: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            let o = cloud.insert(
                collection,
                json!({"name": format!("w{i}"), "status": status}),
            );
            o["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// How the waits ended, sorted.
async fn ended(waits: JoinSet<scs_client::Result<String>>) -> Vec<String> {
    let mut ended: Vec<String> = waits
        .join_all()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    ended.sort();
    ended
}

/// The listings of `collection` with details.
fn listings<'a>(requests: &'a [Recorded], collection: &str) -> Vec<&'a Recorded> {
    let detail = format!("{collection}/detail");
    requests
        .iter()
        .filter(|r| r.method == "GET" && r.path_only() == detail)
        .collect()
}

fn is_one_of(r: &Recorded, collection: &str) -> bool {
    r.method == "GET"
        && r.path_only().starts_with(collection)
        && r.path_only().len() > collection.len() + 1
        && !r.path_only().ends_with("/detail")
}

// On worker threads, as in the provider: polls that wake together still queue together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_waits_at_the_same_time_are_answered_by_listings() {
    let cloud = FakeCloud::openstack().await;
    let c = core_support::client(&cloud, 0);
    let ids = insert_all(&cloud, VOLUMES, 4, "creating");
    let mut waits = JoinSet::new();
    for id in &ids[..3] {
        let (c, id) = (c.clone(), id.clone());
        waits.spawn(async move {
            volume::wait_for_volume(&c, &id, &["available"], soon(), &CancellationToken::new())
                .await
                .map(|v| v.status)
        });
    }
    let (c4, gone) = (c.clone(), ids[3].clone());
    waits.spawn(async move {
        volume::wait_for_volume_deleted(&c4, &gone, soon(), &CancellationToken::new())
            .await
            .map(|()| "deleted".to_owned())
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for id in &ids[..3] {
        cloud.with_store(|s| s.update(VOLUMES, id, json!({"status": "available"})));
    }
    assert!(cloud.remove(VOLUMES, &ids[3]));
    assert_eq!(
        ended(waits).await,
        ["available", "available", "available", "deleted"]
    );

    let requests = cloud.requests();
    let listings = listings(&requests, VOLUMES);
    let alone = requests.iter().filter(|r| is_one_of(r, VOLUMES)).count();
    assert!(!listings.is_empty(), "no listing answered the waits");
    for l in &listings {
        assert_eq!(l.headers["openstack-api-version"], "volume 3.60");
        let since = l
            .query()
            .into_iter()
            .find(|(k, _)| k == "updated_at")
            .map(|(_, v)| v)
            .unwrap();
        assert!(
            since.starts_with("gte:20") && since.ends_with('Z'),
            "{since}"
        );
    }
    // Each wait polls six times or more in 1.5 s (after 0.2 s, then 1.2 times longer each
    // time): 24 GETs without sharing.
    assert!(
        alone + listings.len() < 18,
        "{alone} GETs and {} listings",
        listings.len()
    );
    // The deleted volume is in no listing: its own GET found it gone.
    let gone_reads = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path_only() == format!("{VOLUMES}/{}", ids[3]))
        .count();
    assert!(gone_reads >= 1);
}

#[tokio::test]
async fn server_waits_list_what_nova_changed_and_read_deleted_ones_alone() {
    let cloud = FakeCloud::openstack().await;
    let c = core_support::client(&cloud, 0);
    let ids = insert_all(&cloud, SERVERS, 3, "BUILD");
    let mut waits = JoinSet::new();
    for id in &ids[..2] {
        let (c, id) = (c.clone(), id.clone());
        waits.spawn(async move {
            compute::wait_for_server(&c, &id, &["ACTIVE"], soon(), &CancellationToken::new())
                .await
                .map(|s| s.status)
        });
    }
    let (c3, gone) = (c.clone(), ids[2].clone());
    waits.spawn(async move {
        compute::wait_for_server_deleted(&c3, &gone, soon(), &CancellationToken::new())
            .await
            .map(|()| "deleted".to_owned())
    });
    tokio::time::sleep(Duration::from_millis(1200)).await;
    for id in &ids[..2] {
        cloud.with_store(|s| s.update(SERVERS, id, json!({"status": "ACTIVE"})));
    }
    // Nova lists a deleted server as DELETED, while its own GET answers 404: until the GET
    // says so, the wait goes on.
    cloud.with_store(|s| s.update(SERVERS, &ids[2], json!({"status": "DELETED"})));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(cloud.remove(SERVERS, &ids[2]));
    assert_eq!(ended(waits).await, ["ACTIVE", "ACTIVE", "deleted"]);

    let requests = cloud.requests();
    let listings = listings(&requests, SERVERS);
    assert!(!listings.is_empty(), "no listing answered the waits");
    assert!(listings.iter().all(|l| {
        l.query()
            .iter()
            .any(|(k, v)| k == "changes-since" && v.ends_with('Z'))
    }));
    let gone_reads = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path_only() == format!("{SERVERS}/{}", ids[2]))
        .count();
    assert!(gone_reads >= 2, "the DELETED server was read on its own");
}

#[tokio::test]
async fn a_refused_listing_is_not_asked_for_again_and_each_wait_reads_alone() {
    let cloud = FakeCloud::openstack().await;
    let c = core_support::client(&cloud, 0);
    let detail = format!("{VOLUMES}/detail");
    cloud.fail(
        "GET",
        &detail,
        400,
        "Invalid filter keys: updated_at",
        "req-1",
    );
    let ids = insert_all(&cloud, VOLUMES, 3, "creating");
    let mut waits = JoinSet::new();
    for id in &ids {
        let (c, id) = (c.clone(), id.clone());
        waits.spawn(async move {
            volume::wait_for_volume(&c, &id, &["available"], soon(), &CancellationToken::new())
                .await
                .map(|v| v.status)
        });
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    for id in &ids {
        cloud.with_store(|s| s.update(VOLUMES, id, json!({"status": "available"})));
    }
    for ended in waits.join_all().await {
        assert_eq!(ended.unwrap(), "available");
    }
    assert_eq!(cloud.hits("GET", &detail).len(), 1);
    let requests = cloud.requests();
    assert!(requests.iter().filter(|r| is_one_of(r, VOLUMES)).count() >= 9);
}
