//! Compute and block-storage calls the other live tests do not reach: keypairs, server groups,
//! availability zones, volume types, and attaching a volume to a running server (the
//! `scs_volume_attachment` flow). Skips, saying why, when no cloud is configured.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use scs_client::config::{CloudConfig, Overrides};
use scs_client::scs::{FlavorCandidate, FlavorRequirements, ImageCandidate, ImageQuery};
use scs_client::{CancellationToken, Client, compute, image, network, volume};
use tokio::time::Instant;

/// A public key made for these tests; its private half was thrown away.
const PUBLIC_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDGUSOYOd0SeIWwds9T4UFP611HHzYmBj7Xd/AKfj0cR scs-client-live-test";

fn live_client(test: &str) -> Option<Client> {
    let configured = ["OS_CLOUD", "OS_AUTH_URL"]
        .iter()
        .any(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()));
    if !configured {
        eprintln!("{test}: skipped: no cloud configured (set OS_CLOUD and OS_CLIENT_CONFIG_FILE)");
        return None;
    }
    Some(Client::new(CloudConfig::resolve(Overrides::default()).unwrap()).unwrap())
}

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

fn text(e: scs_client::Error) -> String {
    e.to_string()
}

#[tokio::test]
async fn live_keypair_server_group_zones_and_volume_types() {
    let Some(c) = live_client("live_compute_catalog") else {
        return;
    };
    let name = unique("kp");
    let kp = compute::create_keypair(
        &c,
        &compute::CreateKeypair {
            name: name.clone(),
            public_key: PUBLIC_KEY.into(),
            key_type: Some("ssh".into()),
        },
        false,
    )
    .await
    .unwrap();
    let checks = async {
        if kp.fingerprint.is_empty() {
            return Err(format!("no fingerprint: {kp:?}"));
        }
        let got = compute::get_keypair(&c, &name)
            .await
            .map_err(text)?
            .ok_or("keypair not found by name")?;
        if got.public_key.trim() != PUBLIC_KEY {
            return Err(format!("public key changed: {:?}", got.public_key));
        }
        let all = compute::list_keypairs(&c).await.map_err(text)?;
        if !all.iter().any(|k| k.name == name) {
            return Err("keypair not listed".into());
        }
        Ok(())
    }
    .await;
    compute::delete_keypair(&c, &name).await.unwrap();
    checks.unwrap();
    assert!(compute::get_keypair(&c, &name).await.unwrap().is_none());

    let group = compute::create_server_group(&c, &unique("sg"), "soft-anti-affinity")
        .await
        .unwrap();
    let read = compute::get_server_group(&c, &group.id).await.unwrap();
    compute::delete_server_group(&c, &group.id).await.unwrap();
    let read = read.unwrap();
    assert_eq!(read.effective_policy(), Some("soft-anti-affinity"));
    assert!(read.members.is_empty());
    assert!(
        compute::get_server_group(&c, &group.id)
            .await
            .unwrap()
            .is_none()
    );

    let zones = compute::list_availability_zones(&c).await.unwrap();
    assert!(zones.iter().any(|z| z.state.available), "{zones:?}");
    let types = volume::list_volume_types(&c).await.unwrap();
    assert!(!types.is_empty());
    eprintln!(
        "live_compute_catalog: zones {:?}, volume types {:?}",
        zones.iter().map(|z| &z.name).collect::<Vec<_>>(),
        types.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
}

/// Everything the attachment test made, for cleanup in reverse order.
#[derive(Default)]
struct Made {
    network: Option<String>,
    server: Option<String>,
    volume: Option<String>,
}

async fn attach_flow(c: &Client, name: &str, made: &mut Made) -> Result<(), String> {
    let cancel = CancellationToken::new();
    let images = image::list_images(c, &[]).await.map_err(text)?;
    let candidates: Vec<ImageCandidate> = images.iter().map(ImageCandidate::from).collect();
    let img = ImageQuery {
        os_distro: Some("ubuntu".into()),
        most_recent: true,
        ..Default::default()
    }
    .select(&candidates)
    .map_err(|e| e.to_string())?;
    let min_disk = images
        .iter()
        .find(|i| i.id == img.id)
        .map(|i| i.min_disk)
        .unwrap_or(1);
    let flavors = compute::list_flavors(c, &[]).await.map_err(text)?;
    let flavor_candidates: Vec<FlavorCandidate> =
        flavors.iter().map(FlavorCandidate::from).collect();
    let (flavor, _) = FlavorRequirements {
        vcpus: Some(1),
        disk_gb: Some(min_disk.max(1)),
        ..Default::default()
    }
    .select(&flavor_candidates)
    .map_err(|e| e.to_string())?;

    let net = network::create_network(
        c,
        &network::CreateNetwork {
            name: Some(name.into()),
            ..Default::default()
        },
    )
    .await
    .map_err(text)?;
    made.network = Some(net.id.clone());
    network::create_subnet(
        c,
        &network::CreateSubnet {
            network_id: net.id.clone(),
            cidr: "10.252.0.0/24".into(),
            ip_version: 4,
            ..Default::default()
        },
    )
    .await
    .map_err(text)?;

    let vol = volume::create_volume(
        c,
        &volume::CreateVolume {
            size: 1,
            name: Some(name.into()),
            ..Default::default()
        },
    )
    .await
    .map_err(text)?;
    made.volume = Some(vol.id.clone());
    let server = compute::create_server(
        c,
        &compute::CreateServer {
            name: name.into(),
            flavor_ref: flavor.id.clone(),
            image_ref: Some(img.id.clone()),
            networks: compute::ServerNetworks::List(vec![compute::ServerNetwork {
                uuid: Some(net.id.clone()),
                ..Default::default()
            }]),
            metadata: Some([("purpose".to_string(), "live-test".to_string())].into()),
            ..Default::default()
        },
    )
    .await
    .map_err(text)?;
    made.server = Some(server.id.clone());
    volume::wait_for_volume(c, &vol.id, &["available"], deadline(5), &cancel)
        .await
        .map_err(text)?;
    let server = compute::wait_for_server(c, &server.id, &["ACTIVE"], deadline(10), &cancel)
        .await
        .map_err(text)?;
    if server.metadata.get("purpose").map(String::as_str) != Some("live-test") {
        return Err(format!("metadata {:?}", server.metadata));
    }
    if server.flavor.original_name.as_deref() != Some(flavor.name.as_str()) {
        return Err(format!("flavor {:?}", server.flavor));
    }

    let started = std::time::Instant::now();
    let att = compute::attach_volume(
        c,
        &server.id,
        &compute::AttachVolume {
            volume_id: vol.id.clone(),
            ..Default::default()
        },
    )
    .await
    .map_err(text)?;
    let v = volume::wait_for_volume(c, &vol.id, &["in-use"], deadline(5), &cancel)
        .await
        .map_err(text)?;
    eprintln!(
        "live_attach: in-use after {:.1} s at {}",
        started.elapsed().as_secs_f64(),
        att.device
    );
    if v.attachments.first().and_then(|a| a.server_id.as_deref()) != Some(server.id.as_str()) {
        return Err(format!("attachments {:?}", v.attachments));
    }
    let listed = compute::get_volume_attachment(c, &server.id, &vol.id)
        .await
        .map_err(text)?
        .ok_or("attachment not found")?;
    if listed.volume_id != vol.id {
        return Err(format!("attachment {listed:?}"));
    }
    compute::detach_volume(c, &server.id, &vol.id)
        .await
        .map_err(text)?;
    volume::wait_for_volume(c, &vol.id, &["available"], deadline(5), &cancel)
        .await
        .map_err(text)?;
    eprintln!(
        "live_attach: detached and available after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn cleanup(c: &Client, made: &Made) -> Result<(), String> {
    let cancel = CancellationToken::new();
    if let Some(id) = &made.server {
        compute::delete_server(c, id).await.map_err(text)?;
        compute::wait_for_server_deleted(c, id, deadline(10), &cancel)
            .await
            .map_err(text)?;
    }
    if let Some(id) = &made.volume {
        // Right after a server is deleted its volumes may still be detaching.
        volume::wait_for_volume(c, id, &["available", "error"], deadline(5), &cancel)
            .await
            .map_err(text)?;
        volume::delete_volume(c, id).await.map_err(text)?;
        volume::wait_for_volume_deleted(c, id, deadline(5), &cancel)
            .await
            .map_err(text)?;
    }
    if let Some(id) = &made.network {
        for _ in 0..20 {
            match network::delete_network(c, id).await {
                Ok(()) => break,
                Err(e) if e.is_conflict() => tokio::time::sleep(Duration::from_millis(500)).await,
                Err(e) => return Err(e.to_string()),
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn live_volume_attach_and_detach_on_a_running_server() {
    let Some(c) = live_client("live_attach") else {
        return;
    };
    let name = unique("att");
    let mut made = Made::default();
    let flow = attach_flow(&c, &name, &mut made).await;
    let cleaned = cleanup(&c, &made).await;
    flow.unwrap();
    cleaned.unwrap();
}

/// A server the cloud cannot place ends the wait with Nova's own fault message. A hard
/// anti-affinity group makes the second member unplaceable on a cloud with one compute host,
/// such as the local test cloud; on a bigger cloud this test fails by design.
#[tokio::test]
async fn live_unplaceable_server_fails_with_nova_fault() {
    let Some(c) = live_client("live_fault") else {
        return;
    };
    let cancel = CancellationToken::new();
    let images = image::list_images(&c, &[]).await.unwrap();
    let candidates: Vec<ImageCandidate> = images.iter().map(ImageCandidate::from).collect();
    let img_id = ImageQuery {
        os_distro: Some("ubuntu".into()),
        most_recent: true,
        ..Default::default()
    }
    .select(&candidates)
    .unwrap()
    .id
    .clone();
    let min_disk = images
        .iter()
        .find(|i| i.id == img_id)
        .map(|i| i.min_disk.max(1))
        .unwrap_or(1);
    let flavors = compute::list_flavors(&c, &[]).await.unwrap();
    let flavor_candidates: Vec<FlavorCandidate> =
        flavors.iter().map(FlavorCandidate::from).collect();
    let (flavor, _) = FlavorRequirements {
        vcpus: Some(1),
        disk_gb: Some(min_disk),
        ..Default::default()
    }
    .select(&flavor_candidates)
    .unwrap();
    let group = compute::create_server_group(&c, &unique("aa"), "anti-affinity")
        .await
        .unwrap();
    let boot = |n: &str| compute::CreateServer {
        name: unique(n),
        flavor_ref: flavor.id.clone(),
        image_ref: Some(img_id.clone()),
        networks: compute::ServerNetworks::None,
        scheduler_hints: Some(compute::SchedulerHints {
            group: Some(group.id.clone()),
        }),
        ..Default::default()
    };
    let first = compute::create_server(&c, &boot("aa1")).await.unwrap();
    let first_up = compute::wait_for_server(&c, &first.id, &["ACTIVE"], deadline(5), &cancel).await;
    let second = compute::create_server(&c, &boot("aa2")).await.unwrap();
    let second_up =
        compute::wait_for_server(&c, &second.id, &["ACTIVE"], deadline(5), &cancel).await;
    for id in [&first.id, &second.id] {
        compute::delete_server(&c, id).await.unwrap();
        compute::wait_for_server_deleted(&c, id, deadline(5), &cancel)
            .await
            .unwrap();
    }
    compute::delete_server_group(&c, &group.id).await.unwrap();
    let first_up = first_up.unwrap();
    assert_eq!(first_up.server_groups, std::slice::from_ref(&group.id));
    let err = match second_up {
        Ok(s) => panic!(
            "second anti-affine server became {}: this test needs a cloud with one compute host",
            s.status
        ),
        Err(e) => e.to_string(),
    };
    eprintln!("live_fault: {err}");
    assert!(err.contains("ERROR"), "{err}");
    assert!(err.contains("No valid host"), "{err}");
}
