//! Integration tests against a real cloud (the local test cloud in CI).
//!
//! They run when a cloud is configured (`OS_CLOUD` or `OS_AUTH_URL` set) and
//! fail if it cannot be used; with neither set they print that they skipped.
//! With `OS_CLOUD=scs-local*` both local clouds are used, so application
//! credential and password auth are both exercised; `SCS_LIVE_CLOUDS=a,b`
//! names the clouds explicitly.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::time::Duration;

use scs_client::config::{CloudConfig, Overrides, Sources};
use scs_client::{Client, Microversion, Poll, wait_for};
use serde_json::{Value, json};
use tokio::time::Instant;

fn configured() -> Option<Sources> {
    let src = Sources::from_process();
    let has = |k: &str| src.env.get(k).is_some_and(|v| !v.is_empty());
    if has("OS_CLOUD") || has("OS_AUTH_URL") {
        Some(src)
    } else {
        // Written to stderr directly: libtest captures println!, and the skip must be visible.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: no cloud configured (set OS_CLOUD or OS_AUTH_URL to run live tests)"
        );
        None
    }
}

fn clouds(src: &Sources) -> Vec<Option<String>> {
    if let Ok(list) = std::env::var("SCS_LIVE_CLOUDS") {
        return list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| Some(s.trim().to_owned()))
            .collect();
    }
    match src.env.get("OS_CLOUD") {
        Some(c) if c.starts_with("scs-local") => vec![
            Some("scs-local".to_owned()),
            Some("scs-local-password".to_owned()),
        ],
        Some(c) => vec![Some(c.clone())],
        None => vec![None],
    }
}

async fn connect(src: &Sources, cloud: Option<String>) -> Client {
    let cfg = CloudConfig::resolve_with(
        Overrides {
            cloud,
            ..Overrides::default()
        },
        src,
    )
    .unwrap();
    Client::new(cfg).unwrap()
}

#[tokio::test]
async fn live_authenticates_with_each_configured_cloud() {
    let Some(src) = configured() else { return };
    for cloud in clouds(&src) {
        let c = connect(&src, cloud.clone()).await;
        let info = c.authenticate().await.unwrap();
        println!(
            "cloud {:?}: {} auth ok, project {:?}",
            cloud,
            c.config().auth.kind(),
            info.project_id
        );
        assert!(info.project_id.is_some(), "token is project-scoped");
        // The catalog has what the provider needs.
        for svc in [c.compute(), c.network(), c.image(), c.block_storage()] {
            let base = svc.base_url().await.unwrap();
            assert!(base.path().ends_with('/'), "{base}");
        }
    }
}

#[tokio::test]
async fn live_lists_flavors_and_images_fully() {
    let Some(src) = configured() else { return };
    let c = connect(&src, clouds(&src).remove(0)).await;

    // Small pages so pagination is really exercised.
    let flavors: Vec<Value> = c
        .compute()
        .get("/flavors/detail")
        .query([("limit", 3)])
        .paginate("flavors")
        .await
        .unwrap();
    let all: Vec<Value> = c
        .compute()
        .paginate("/flavors/detail", "flavors")
        .await
        .unwrap();
    println!(
        "flavors: {} (paged by 3), {} unpaged",
        flavors.len(),
        all.len()
    );
    assert!(!flavors.is_empty());
    assert_eq!(flavors.len(), all.len());

    let range = c.compute().version_range().await.unwrap();
    println!("compute microversions: {:?}", range);
    let mv = Microversion::new(2, 61);
    if range.supports(mv) {
        let v: Value = c
            .compute()
            .get("/flavors/detail")
            .microversion(mv)
            .query([("limit", 1)])
            .json()
            .await
            .unwrap();
        assert!(
            v["flavors"][0].get("extra_specs").is_some(),
            "2.61 returns extra_specs"
        );
    }
    let too_new = Microversion::new(2, 999);
    let err = c
        .compute()
        .get("/flavors/detail")
        .microversion(too_new)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("2.999"), "{err}");

    let images: Vec<Value> = c
        .image()
        .get("/images")
        .query([("limit", 1)])
        .paginate("images")
        .await
        .unwrap();
    println!("images: {}", images.len());
    assert!(!images.is_empty());
}

#[tokio::test]
async fn live_creates_and_deletes_a_network() {
    let Some(src) = configured() else { return };
    let c = connect(&src, clouds(&src).remove(0)).await;
    let net = c.network();
    let name = format!(
        "scs-client-core-live-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    );

    let started = Instant::now();
    let created: Value = c
        .create_with_lookup(
            &format!("create network {name}"),
            || async {
                let v: Value = net
                    .post("/networks")
                    .json_body(&json!({"network": {"name": name, "admin_state_up": true}}))
                    .operation(format!("create network {name}"))
                    .json()
                    .await?;
                Ok(v["network"].clone())
            },
            || async {
                let found: Vec<Value> = net
                    .get("/networks")
                    .query([("name", name.as_str())])
                    .paginate("networks")
                    .await?;
                Ok(found.into_iter().next())
            },
        )
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    println!("created network {id} in {:?}", started.elapsed());

    let outcome = async {
        let path = format!("/networks/{id}");
        let active = wait_for(
            &format!("network {id} to become ACTIVE"),
            Instant::now() + Duration::from_secs(60),
            c.cancellation(),
            || async {
                let v: Value = net.get_json(&path).await?;
                let status = v["network"]["status"].as_str().unwrap_or("").to_owned();
                Ok(match status.as_str() {
                    "ACTIVE" => Poll::Ready(v),
                    "ERROR" => Poll::failed(status, None),
                    _ => Poll::pending(status),
                })
            },
        )
        .await?;
        assert_eq!(active["network"]["name"], name.as_str());
        Ok::<_, scs_client::Error>(())
    }
    .await;

    // Clean up whatever happened above.
    net.delete(&format!("/networks/{id}")).await.unwrap();
    let gone = net
        .get_json::<Value>(&format!("/networks/{id}"))
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    println!("deleted network {id}; total {:?}", started.elapsed());
    outcome.unwrap();
}

fn unique(kind: &str) -> String {
    format!(
        "scs-client-core-live-{kind}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    )
}

/// Polls `GET path` until `key.status` is `ready`; `ERROR`/`error` ends the
/// wait with the resource's fault message.
async fn wait_status(
    svc: &scs_client::ServiceClient,
    path: &str,
    key: &str,
    ready: &str,
    timeout: Duration,
) -> Result<Value, scs_client::Error> {
    wait_for(
        &format!("{path} to become {ready}"),
        Instant::now() + timeout,
        svc.client().cancellation(),
        || async {
            let v: Value = svc.get_json(path).await?;
            let r = v[key].clone();
            let status = r["status"].as_str().unwrap_or("").to_owned();
            Ok(if status == ready {
                Poll::Ready(r)
            } else if status.eq_ignore_ascii_case("error") {
                Poll::failed(status, scs_client::wait::fault_message(&r))
            } else {
                Poll::pending(status)
            })
        },
    )
    .await
}

/// Polls until `GET path` answers 404.
async fn wait_gone(
    svc: &scs_client::ServiceClient,
    path: &str,
    timeout: Duration,
) -> Result<(), scs_client::Error> {
    wait_for(
        &format!("{path} to be deleted"),
        Instant::now() + timeout,
        svc.client().cancellation(),
        || async {
            match svc.get_json::<Value>(path).await {
                Ok(v) => Ok(Poll::pending(
                    v.as_object()
                        .and_then(|o| o.values().next())
                        .and_then(|r| r["status"].as_str())
                        .unwrap_or("present")
                        .to_owned(),
                )),
                Err(e) if e.is_not_found() => Ok(Poll::Ready(())),
                Err(e) => Err(e),
            }
        },
    )
    .await
}

#[tokio::test]
async fn live_volume_to_available_and_back() {
    let Some(src) = configured() else { return };
    let c = connect(&src, clouds(&src).remove(0)).await;
    let bs = c.block_storage();
    let name = unique("vol");
    let started = Instant::now();
    let v: Value = bs
        .post_json("/volumes", &json!({"volume": {"size": 1, "name": name}}))
        .await
        .unwrap();
    let id = v["volume"]["id"].as_str().unwrap().to_owned();
    let path = format!("/volumes/{id}");
    let ready = wait_status(&bs, &path, "volume", "available", Duration::from_secs(180)).await;
    println!(
        "volume {id}: {:?} after {:?}",
        ready.as_ref().map(|r| r["status"].clone()),
        started.elapsed()
    );
    bs.delete(&path).await.unwrap();
    wait_gone(&bs, &path, Duration::from_secs(180))
        .await
        .unwrap();
    println!("volume {id} deleted; total {:?}", started.elapsed());
    ready.unwrap();
}

#[tokio::test]
async fn live_server_to_active_and_back() {
    let Some(src) = configured() else { return };
    let c = connect(&src, clouds(&src).remove(0)).await;
    let compute = c.compute();
    // An active image with the smallest min_disk, then the smallest flavor
    // whose root disk fits it (diskless flavors need a boot volume). The
    // test cloud's hypervisor is fake, so size does not matter otherwise.
    let images: Vec<Value> = c.image().paginate("/images", "images").await.unwrap();
    let image = images
        .iter()
        .filter(|i| i["status"] == "active")
        .min_by_key(|i| i["min_disk"].as_u64().unwrap_or(0))
        .unwrap();
    let min_disk = image["min_disk"].as_u64().unwrap_or(0).max(1);
    let min_ram = image["min_ram"].as_u64().unwrap_or(0);
    let flavors: Vec<Value> = compute
        .paginate("/flavors/detail", "flavors")
        .await
        .unwrap();
    let flavor = flavors
        .iter()
        .filter(|f| f["disk"].as_u64().unwrap_or(0) >= min_disk)
        .filter(|f| f["ram"].as_u64().unwrap_or(0) >= min_ram)
        .min_by_key(|f| {
            (
                f["ram"].as_u64().unwrap_or(u64::MAX),
                f["disk"].as_u64().unwrap_or(0),
            )
        })
        .unwrap();
    let name = unique("srv");
    let mv = Microversion::new(2, 37); // `"networks": "none"`
    let started = Instant::now();
    let v: Value = compute
        .post("/servers")
        .microversion(mv)
        .json_body(&json!({"server": {"name": name, "flavorRef": flavor["id"],
            "imageRef": image["id"], "networks": "none"}}))
        .json()
        .await
        .unwrap();
    let id = v["server"]["id"].as_str().unwrap().to_owned();
    let path = format!("/servers/{id}");
    let ready = wait_status(
        &compute,
        &path,
        "server",
        "ACTIVE",
        Duration::from_secs(300),
    )
    .await;
    println!(
        "server {id} ({}): {:?} after {:?}",
        flavor["name"],
        ready.as_ref().map(|r| r["status"].clone()),
        started.elapsed()
    );
    compute.delete(&path).await.unwrap();
    wait_gone(&compute, &path, Duration::from_secs(300))
        .await
        .unwrap();
    println!("server {id} deleted; total {:?}", started.elapsed());
    ready.unwrap();
}
