//! Typed calls and SCS selection against a real cloud (the local test cloud in CI:
//! `OS_CLIENT_CONFIG_FILE=acceptance/localcloud/clouds.yaml OS_CLOUD=scs-local`).
//!
//! Each test skips, saying why, when no cloud is configured (neither `OS_CLOUD` nor
//! `OS_AUTH_URL` set). A configured cloud that does not answer fails the tests.
#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use scs_client::config::{CloudConfig, Overrides};
use scs_client::scs::standard_flavors::MANDATORY;
use scs_client::scs::{
    FlavorCandidate, FlavorName, FlavorRequirements, ImageCandidate, ImageQuery,
};
use scs_client::{CancellationToken, Client, compute, image, network, volume};
use tokio::time::Instant;

fn live_client(test: &str) -> Option<Client> {
    let configured = ["OS_CLOUD", "OS_AUTH_URL"]
        .iter()
        .any(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()));
    if !configured {
        eprintln!(
            "{test}: skipped: no cloud configured (set OS_CLOUD and OS_CLIENT_CONFIG_FILE, e.g. \
             OS_CLIENT_CONFIG_FILE=acceptance/localcloud/clouds.yaml OS_CLOUD=scs-local)"
        );
        return None;
    }
    let config = CloudConfig::resolve(Overrides::default()).unwrap();
    Some(Client::new(config).unwrap())
}

/// A name no other run uses, so parallel runs and leftovers never collide.
fn unique(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("models-live-{what}-{}-{nanos}", std::process::id())
}

fn deadline(minutes: u64) -> Instant {
    Instant::now() + Duration::from_secs(minutes * 60)
}

/// Runs `body`, then `cleanup` whatever happened, then fails with the body's error if any.
async fn with_cleanup<B, C>(body: B, cleanup: C)
where
    B: Future<Output = Result<(), String>>,
    C: Future<Output = ()>,
{
    let outcome = body.await;
    cleanup.await;
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

#[tokio::test]
async fn live_flavors_include_the_mandatory_scs_set_and_all_scs_names_parse() {
    let Some(c) = live_client("live_flavors") else {
        return;
    };
    let flavors = compute::list_flavors(&c, &[]).await.unwrap();
    let mut parsed = 0;
    for f in &flavors {
        if !scs_client::scs::flavor_name::is_scs_name(&f.name) {
            continue;
        }
        let name = FlavorName::parse(&f.name).unwrap_or_else(|e| panic!("{e}"));
        // A name may understate, never overstate, what the flavor has.
        assert!(f.vcpus >= name.vcpus, "{}: vcpus {}", f.name, f.vcpus);
        assert!(f.ram >= name.ram_mib(), "{}: ram {}", f.name, f.ram);
        if let Some(disk) = name.disk_gb() {
            assert!(f.disk >= u64::from(disk), "{}: disk {}", f.name, f.disk);
        }
        parsed += 1;
    }
    for m in MANDATORY {
        assert!(
            flavors.iter().any(|f| f.name == m.name),
            "mandatory flavor {} missing",
            m.name
        );
    }
    eprintln!(
        "live_flavors: {} flavors, {parsed} SCS names parsed",
        flavors.len()
    );
}

#[tokio::test]
async fn live_selects_scs_2v_4_for_two_vcpus_and_four_gib() {
    let Some(c) = live_client("live_select_flavor") else {
        return;
    };
    let flavors = compute::list_flavors(&c, &[]).await.unwrap();
    let candidates: Vec<FlavorCandidate> = flavors.iter().map(FlavorCandidate::from).collect();
    let req = FlavorRequirements {
        vcpus: Some(2),
        ram_gib: Some(4.0),
        ..Default::default()
    };
    let (chosen, profile) = req.select(&candidates).unwrap();
    assert_eq!(chosen.name, "SCS-2V-4");
    assert_eq!(
        profile.standard,
        scs_client::scs::flavor_select::StandardRank::Mandatory
    );
    let with_disk = FlavorRequirements {
        disk_gb: Some(1),
        ..req
    };
    let (chosen, _) = with_disk.select(&candidates).unwrap();
    assert!(chosen.disk_gb >= 1, "{chosen:?}");
}

#[tokio::test]
async fn live_finds_ubuntu_24_04_by_scs_properties() {
    let Some(c) = live_client("live_image") else {
        return;
    };
    let images = image::list_images(&c, &[]).await.unwrap();
    let candidates: Vec<ImageCandidate> = images.iter().map(ImageCandidate::from).collect();
    let q = ImageQuery {
        os_distro: Some("ubuntu".into()),
        os_version: Some("24.04".into()),
        most_recent: true,
        ..Default::default()
    };
    let chosen = q.select(&candidates).unwrap_or_else(|e| {
        let names: Vec<&str> = images.iter().map(|i| i.name.as_str()).collect();
        panic!("{e}; images: {names:?}")
    });
    // The same image by its scs-0104 name, filtered by Glance itself.
    let by_name = ImageQuery {
        name: Some("Ubuntu 24.04".into()),
        most_recent: true,
        ..Default::default()
    };
    let filters = by_name.server_filters();
    let pairs: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let named = image::list_images(&c, &pairs).await.unwrap();
    assert!(named.iter().all(|i| i.name == "Ubuntu 24.04"), "{named:?}");
    let named: Vec<ImageCandidate> = named.iter().map(ImageCandidate::from).collect();
    assert_eq!(by_name.select(&named).unwrap().id, chosen.id);
    let full = image::get_image(&c, &chosen.id).await.unwrap().unwrap();
    assert_eq!(full.property("os_distro").as_deref(), Some("ubuntu"));
    eprintln!("live_image: chose {:?} ({})", chosen.name, chosen.id);
}

#[tokio::test]
async fn live_network_create_tag_find_delete() {
    let Some(c) = live_client("live_network") else {
        return;
    };
    let name = unique("net");
    let net = network::create_network(
        &c,
        &network::CreateNetwork {
            name: Some(name.clone()),
            description: Some("scs-client live test".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let id = net.id.clone();
    let body = async {
        network::set_network_tags(&c, &id, &["live".into()])
            .await
            .map_err(|e| e.to_string())?;
        let found = network::list_networks(&c, &[("name", name.as_str())])
            .await
            .map_err(|e| e.to_string())?;
        if found.len() != 1 || found[0].tags != ["live"] {
            return Err(format!("listing by name found {found:?}"));
        }
        let updated = network::update_network(
            &c,
            &id,
            &network::UpdateNetwork {
                description: Some("changed".into()),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        if updated.description != "changed" {
            return Err(format!("update did not stick: {updated:?}"));
        }
        network::delete_network(&c, &id)
            .await
            .map_err(|e| e.to_string())?;
        match network::get_network(&c, &id).await {
            Ok(None) => Ok(()),
            other => Err(format!("network still there after delete: {other:?}")),
        }
    };
    with_cleanup(body, async {
        let _ = network::delete_network(&c, &id).await;
    })
    .await;
}

struct TestNet {
    network_id: String,
}

async fn make_test_net(c: &Client, name: &str) -> TestNet {
    let net = network::create_network(
        c,
        &network::CreateNetwork {
            name: Some(name.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    network::create_subnet(
        c,
        &network::CreateSubnet {
            network_id: net.id.clone(),
            cidr: "10.250.0.0/24".into(),
            ip_version: 4,
            name: Some(name.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    TestNet { network_id: net.id }
}

async fn remove_test_net(c: &Client, net: &TestNet) {
    // Ports of a just-deleted server may linger for a moment; retry briefly.
    for _ in 0..20 {
        match network::delete_network(c, &net.network_id).await {
            Ok(()) => return,
            Err(e) if e.is_conflict() => tokio::time::sleep(Duration::from_millis(500)).await,
            Err(e) => panic!("cleanup of network {}: {e}", net.network_id),
        }
    }
}

async fn find_ubuntu(c: &Client) -> image::Image {
    let images = image::list_images(c, &[]).await.unwrap();
    let candidates: Vec<ImageCandidate> = images.iter().map(ImageCandidate::from).collect();
    let q = ImageQuery {
        os_distro: Some("ubuntu".into()),
        most_recent: true,
        ..Default::default()
    };
    let id = q.select(&candidates).unwrap().id.clone();
    images.into_iter().find(|i| i.id == id).unwrap()
}

/// Boots, waits for ACTIVE, checks the NIC, deletes and waits until gone.
async fn boot_and_delete(c: &Client, what: &str, req: compute::CreateServer) -> Result<(), String> {
    let server = compute::create_server(c, &req)
        .await
        .map_err(|e| e.to_string())?;
    let id = server.id.clone();
    let cancel = CancellationToken::new();
    let started = std::time::Instant::now();
    let checked = async {
        let active = compute::wait_for_server(c, &id, &["ACTIVE"], deadline(10), &cancel)
            .await
            .map_err(|e| e.to_string())?;
        eprintln!(
            "{what}: server ACTIVE after {:.1} s on {:?}",
            started.elapsed().as_secs_f64(),
            active.addresses.keys().collect::<Vec<_>>()
        );
        let interfaces = compute::list_server_interfaces(c, &id)
            .await
            .map_err(|e| e.to_string())?;
        if interfaces.len() != 1 {
            return Err(format!("expected one NIC, got {interfaces:?}"));
        }
        Ok(())
    }
    .await;
    let deleted = async {
        compute::delete_server(c, &id).await?;
        compute::wait_for_server_deleted(c, &id, deadline(10), &cancel).await
    }
    .await
    .map_err(|e| format!("cleanup: {e}"));
    checked.and(deleted)
}

#[tokio::test]
async fn live_servers_boot_from_image_and_from_volume() {
    let Some(c) = live_client("live_server") else {
        return;
    };
    let img = find_ubuntu(&c).await;
    // Select flavors the way the scs_flavor data source does: smallest that meets the needs.
    let flavors = compute::list_flavors(&c, &[]).await.unwrap();
    let candidates: Vec<FlavorCandidate> = flavors.iter().map(FlavorCandidate::from).collect();
    let pick = |disk_gb: u64| {
        let req = FlavorRequirements {
            vcpus: Some(1),
            disk_gb: Some(disk_gb),
            ..Default::default()
        };
        let (f, _) = req.select(&candidates).unwrap();
        eprintln!("live_server: disk {disk_gb} -> {}", f.name);
        f.id.clone()
    };
    // The image's min_disk decides which root disk is big enough.
    let (with_disk, diskless) = (pick(img.min_disk.max(1)), pick(0));
    let name = unique("srv");
    let net = make_test_net(&c, &name).await;
    let nic = compute::ServerNetworks::List(vec![compute::ServerNetwork {
        uuid: Some(net.network_id.clone()),
        ..Default::default()
    }]);
    let body = async {
        // A flavor with a root disk boots from the image directly.
        boot_and_delete(
            &c,
            "live_server image boot",
            compute::CreateServer {
                name: format!("{name}-img"),
                flavor_ref: with_disk,
                image_ref: Some(img.id.clone()),
                networks: nic.clone(),
                ..Default::default()
            },
        )
        .await?;
        // A diskless standard flavor boots from a volume made from the image, deleted with it.
        boot_and_delete(
            &c,
            "live_server volume boot",
            compute::CreateServer {
                name: format!("{name}-bfv"),
                flavor_ref: diskless,
                networks: nic.clone(),
                block_device_mapping_v2: Some(vec![
                    compute::BlockDeviceMapping::boot_volume_from_image(
                        &img.id,
                        img.min_disk.max(1),
                        None,
                        true,
                    ),
                ]),
                ..Default::default()
            },
        )
        .await
    };
    with_cleanup(body, remove_test_net(&c, &net)).await;
}

#[tokio::test]
async fn live_volume_create_extend_delete() {
    let Some(c) = live_client("live_volume") else {
        return;
    };
    let cancel = CancellationToken::new();
    let v = volume::create_volume(
        &c,
        &volume::CreateVolume {
            size: 1,
            name: Some(unique("vol")),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let id = v.id.clone();
    let started = std::time::Instant::now();
    let body = async {
        let v = volume::wait_for_volume(&c, &id, &["available"], deadline(5), &cancel)
            .await
            .map_err(|e| e.to_string())?;
        eprintln!(
            "live_volume: available after {:.1} s",
            started.elapsed().as_secs_f64()
        );
        if v.size != 1 {
            return Err(format!("size {}", v.size));
        }
        volume::extend_volume(&c, &id, 2)
            .await
            .map_err(|e| e.to_string())?;
        let v = volume::wait_for_volume(&c, &id, &["available"], deadline(5), &cancel)
            .await
            .map_err(|e| e.to_string())?;
        // Cinder reports `available` before the new size on some backends; poll the size too.
        let mut size = v.size;
        for _ in 0..50 {
            if size == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            size = volume::get_volume(&c, &id)
                .await
                .map_err(|e| e.to_string())?
                .map(|v| v.size)
                .unwrap_or_default();
        }
        if size != 2 {
            return Err(format!("extend left size {size}"));
        }
        Ok(())
    };
    with_cleanup(body, async {
        volume::delete_volume(&c, &id).await.unwrap();
        volume::wait_for_volume_deleted(&c, &id, deadline(5), &cancel)
            .await
            .unwrap();
    })
    .await;
}
