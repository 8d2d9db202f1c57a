//! `moved` blocks from terraform-provider-openstack's resources through the plugin protocol
//! (MoveResourceState, then the refresh Terraform does) against the fake cloud. Each source state
//! is shaped as terraform-provider-openstack 3.4.0 writes it (schema version 0 for every one of
//! these types): every attribute of its schema present, null where unset.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::{Tf, js, os, s};
use tfplugin::value::Value;

const TPO: &str = "registry.terraform.io/terraform-provider-openstack/openstack";
const TENANT: &str = "proj-1";
const MAC: &str = "fa:16:3e:00:00:51";
const PUBLIC_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvVYBbl3WXd8aNo4BXnK5XsVhQmYhLqnbYnR2tFdZ0y test";

/// Moves `source` (a state of `source_type`) into `target`, and checks that the moved state is the
/// state this provider's own create of `config` recorded (`created`), and that a plan of `config`
/// from it changes nothing. The warnings of the move.
async fn moves_to_created(
    tf: &Tf,
    source_type: &str,
    source: serde_json::Value,
    target: &str,
    created: &Value,
    config: &serde_json::Value,
) -> Vec<String> {
    let moved = tf.move_state(TPO, source_type, 0, &source, target).await;
    let warnings = moved.warnings.clone();
    let moved = moved.ok();
    assert_eq!(js(&moved), js(created), "{source_type} -> {target}");
    let config = tf.config(target, config);
    let (planned, replace) = tf.plan(target, &moved, &config).await;
    assert!(replace.is_empty(), "{target}: replaces {replace:?}");
    assert_eq!(
        js(&planned.ok()),
        js(&moved),
        "{target}: plan after the move"
    );
    warnings
}

fn warned(warnings: &[String], attribute: &str) -> bool {
    warnings
        .iter()
        .any(|w| w.contains(&format!("- {attribute}: ")))
}

/// An external network `public` with a subnet.
fn public_network(tf: &Tf) -> String {
    let net = tf.cloud.insert(
        os::NETWORKS,
        json!({"name": "public", "router:external": true, "project_id": "admin"}),
    );
    let net_id = net["id"].as_str().unwrap().to_owned();
    tf.cloud.insert(
        os::SUBNETS,
        json!({"name": "public-v4", "network_id": net_id, "cidr": "172.24.4.0/24",
            "gateway_ip": "172.24.4.1"}),
    );
    net_id
}

#[tokio::test]
async fn the_server_announces_state_moves() {
    let tf = Tf::start().await;
    assert!(tf.capabilities().await.move_resource_state);
}

#[tokio::test]
async fn network_subnet_router_and_interface_move() {
    let tf = Tf::start().await;
    let public = public_network(&tf);

    let net_config = json!({"name": "app", "tags": ["app"]});
    let net = tf.create("scs_network", net_config.clone()).await;
    let net_id = s(&net, "id").to_owned();
    let source = json!({
        "id": net_id, "region": "RegionOne", "name": "app", "description": "",
        "admin_state_up": true, "shared": false, "external": false, "mtu": 1500,
        "port_security_enabled": true, "tags": ["app"], "all_tags": ["app"],
        "availability_zone_hints": [], "dns_domain": "", "qos_policy_id": "",
        "tenant_id": TENANT, "transparent_vlan": false, "value_specs": null, "segments": [],
        "timeouts": null,
    });
    let warnings = moves_to_created(
        &tf,
        "openstack_networking_network_v2",
        source,
        "scs_network",
        &net,
        &net_config,
    )
    .await;
    assert!(warned(&warnings, "tenant_id"), "{warnings:?}");
    assert!(warned(&warnings, "all_tags"), "{warnings:?}");
    // Empty and false values configured nothing: no word about them.
    assert!(!warned(&warnings, "transparent_vlan"), "{warnings:?}");
    assert!(!warned(&warnings, "dns_domain"), "{warnings:?}");

    let subnet_config = json!({"network_id": net_id, "cidr": "10.0.0.0/24",
        "dns_nameservers": ["9.9.9.9"],
        "allocation_pool": [{"start": "10.0.0.10", "end": "10.0.0.100"}]});
    let subnet = tf.create("scs_subnet", subnet_config.clone()).await;
    let source = json!({
        "id": s(&subnet, "id"), "region": "RegionOne", "network_id": net_id, "name": "",
        "description": "", "cidr": "10.0.0.0/24", "ip_version": 4,
        "gateway_ip": s(&subnet, "gateway_ip"), "no_gateway": false, "enable_dhcp": true,
        "dns_nameservers": ["9.9.9.9"], "tags": null, "all_tags": [],
        "allocation_pool": [{"start": "10.0.0.10", "end": "10.0.0.100"}],
        "dns_publish_fixed_ip": null, "ipv6_address_mode": "", "ipv6_ra_mode": "",
        "prefix_length": null, "segment_id": "", "service_types": [], "subnetpool_id": "",
        "tenant_id": TENANT, "value_specs": null, "timeouts": null,
    });
    moves_to_created(
        &tf,
        "openstack_networking_subnet_v2",
        source,
        "scs_subnet",
        &subnet,
        &subnet_config,
    )
    .await;

    let router_config = json!({"name": "edge", "external_network_id": public});
    let router = tf.create("scs_router", router_config.clone()).await;
    let fixed = js(&router)["external_fixed_ips"].clone();
    let source = json!({
        "id": s(&router, "id"), "region": "RegionOne", "name": "edge", "description": "",
        "admin_state_up": true, "external_network_id": public, "enable_snat": true,
        "tags": null, "all_tags": [], "external_fixed_ip": fixed,
        "availability_zone_hints": [], "distributed": false, "external_qos_policy_id": "",
        "external_subnet_ids": null, "tenant_id": TENANT, "value_specs": null,
        "vendor_options": [], "timeouts": null,
    });
    moves_to_created(
        &tf,
        "openstack_networking_router_v2",
        source,
        "scs_router",
        &router,
        &router_config,
    )
    .await;

    let interface_config = json!({"router_id": s(&router, "id"), "subnet_id": s(&subnet, "id")});
    let interface = tf
        .create("scs_router_interface", interface_config.clone())
        .await;
    let source = json!({
        "id": s(&interface, "id"), "region": "RegionOne", "router_id": s(&router, "id"),
        "subnet_id": s(&subnet, "id"), "port_id": s(&interface, "port_id"),
        "force_destroy": false, "timeouts": null,
    });
    moves_to_created(
        &tf,
        "openstack_networking_router_interface_v2",
        source,
        "scs_router_interface",
        &interface,
        &interface_config,
    )
    .await;
}

#[tokio::test]
async fn security_group_rule_port_and_floating_ip_move() {
    let tf = Tf::start().await;
    public_network(&tf);
    let net = tf.create("scs_network", json!({"name": "app"})).await;
    let net_id = s(&net, "id").to_owned();
    let subnet = tf
        .create(
            "scs_subnet",
            json!({"network_id": net_id, "cidr": "10.0.0.0/24"}),
        )
        .await;

    let group_config = json!({"name": "web", "description": "web servers"});
    let group = tf.create("scs_security_group", group_config.clone()).await;
    let group_id = s(&group, "id").to_owned();
    let source = json!({
        "id": group_id, "region": "RegionOne", "name": "web", "description": "web servers",
        "stateful": true, "delete_default_rules": null, "tags": null, "all_tags": [],
        "tenant_id": TENANT, "timeouts": null,
    });
    moves_to_created(
        &tf,
        "openstack_networking_secgroup_v2",
        source,
        "scs_security_group",
        &group,
        &group_config,
    )
    .await;

    let rule_config = json!({"security_group_id": group_id, "direction": "ingress",
        "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22,
        "remote_ip_prefix": "0.0.0.0/0"});
    let rule = tf
        .create("scs_security_group_rule", rule_config.clone())
        .await;
    let source = json!({
        "id": s(&rule, "id"), "region": "RegionOne", "security_group_id": group_id,
        "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22,
        "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0", "remote_group_id": "",
        "remote_address_group_id": "", "description": "", "tenant_id": TENANT,
        "timeouts": null,
    });
    moves_to_created(
        &tf,
        "openstack_networking_secgroup_rule_v2",
        source,
        "scs_security_group_rule",
        &rule,
        &rule_config,
    )
    .await;

    let port_config = json!({"network_id": net_id, "name": "vip",
        "security_group_ids": [group_id],
        "fixed_ip": [{"subnet_id": s(&subnet, "id"), "ip_address": "10.0.0.50"}],
        "allowed_address_pair": [{"ip_address": "10.0.0.51", "mac_address": MAC}]});
    let port = tf.create("scs_port", port_config.clone()).await;
    let p = js(&port);
    let source = json!({
        "id": p["id"], "region": "RegionOne", "network_id": net_id, "name": "vip",
        "description": "", "admin_state_up": true, "security_group_ids": [group_id],
        "no_security_groups": null, "port_security_enabled": true,
        "mac_address": p["mac_address"], "tags": null, "all_tags": [],
        "fixed_ip": [{"subnet_id": s(&subnet, "id"), "ip_address": "10.0.0.50"}],
        "all_fixed_ips": p["all_fixed_ips"], "device_id": p["device_id"],
        "device_owner": p["device_owner"],
        "allowed_address_pairs": [{"ip_address": "10.0.0.51", "mac_address": MAC}],
        "all_security_group_ids": [group_id],
        "binding": [{"host_id": "", "profile": "", "vif_details": {}, "vif_type": "",
            "vnic_type": "normal"}],
        "dns_assignment": [], "dns_name": "", "extra_dhcp_option": [], "no_fixed_ip": null,
        "qos_policy_id": "", "tenant_id": TENANT, "value_specs": null, "timeouts": null,
    });
    let warnings = moves_to_created(
        &tf,
        "openstack_networking_port_v2",
        source,
        "scs_port",
        &port,
        &port_config,
    )
    .await;
    // A nested block's dropped attribute is named by its path.
    assert!(warned(&warnings, "binding"), "{warnings:?}");
    assert!(warned(&warnings, "all_security_group_ids"), "{warnings:?}");

    let fip_config = json!({"pool": "public", "port_id": p["id"]});
    let fip = tf.create("scs_floating_ip", fip_config.clone()).await;
    let f = js(&fip);
    let source = json!({
        "id": f["id"], "region": "RegionOne", "pool": "public", "address": f["address"],
        "port_id": p["id"], "fixed_ip": f["fixed_ip"], "description": "", "tags": null,
        "all_tags": [], "dns_domain": "", "dns_name": "", "subnet_id": "", "subnet_ids": null,
        "tenant_id": TENANT, "value_specs": null, "timeouts": null,
    });
    moves_to_created(
        &tf,
        "openstack_networking_floatingip_v2",
        source,
        "scs_floating_ip",
        &fip,
        &fip_config,
    )
    .await;

    // An association moves into the floating IP it associates.
    let association = json!({
        "id": f["id"], "region": "RegionOne", "floating_ip": f["address"], "port_id": p["id"],
        "fixed_ip": f["fixed_ip"],
    });
    let moved = tf
        .move_state(
            TPO,
            "openstack_networking_floatingip_associate_v2",
            0,
            &association,
            "scs_floating_ip",
        )
        .await
        .ok();
    assert_eq!(s(&moved, "id"), s(&fip, "id"));
    assert_eq!(s(&moved, "address"), s(&fip, "address"));
    assert_eq!(s(&moved, "port_id"), s(&port, "id"));
}

fn seed_compute(tf: &Tf) -> (String, String) {
    tf.cloud.insert(
        os::FLAVORS,
        json!({"id": "flv-SCS-2V-4-20", "name": "SCS-2V-4-20", "vcpus": 2, "ram": 4096,
            "disk": 20}),
    );
    let image = tf.cloud.insert(
        os::IMAGES,
        json!({"name": "Ubuntu 24.04", "os_distro": "ubuntu", "os_version": "24.04",
            "min_disk": 5, "created_at": "2026-01-10T00:00:00Z"}),
    );
    let net = tf.cloud.insert(os::NETWORKS, json!({"name": "app"}));
    (
        image["id"].as_str().unwrap().to_owned(),
        net["id"].as_str().unwrap().to_owned(),
    )
}

/// A server state as terraform-provider-openstack writes it, from this provider's state of the
/// same server.
fn tpo_server(state: &Value, image_name: &str, user_data: serde_json::Value) -> serde_json::Value {
    let st = js(state);
    let network: Vec<serde_json::Value> = st["network"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            json!({"uuid": n["uuid"], "name": n["name"], "port": n["port"],
                "fixed_ip_v4": n["fixed_ip_v4"], "fixed_ip_v6": n["fixed_ip_v6"],
                "mac": n["mac"], "access_network": false})
        })
        .collect();
    json!({
        "id": st["id"], "region": "RegionOne", "name": st["name"],
        "flavor_id": st["flavor_id"], "flavor_name": st["flavor_name"],
        "image_id": st["image_id"], "image_name": image_name, "key_pair": st["key_pair"],
        "security_groups": st["security_groups"], "metadata": st["metadata"],
        "all_metadata": st["all_metadata"], "tags": null, "all_tags": [],
        "availability_zone": st["availability_zone"], "config_drive": null,
        "power_state": "active", "stop_before_destroy": false,
        "access_ip_v4": st["access_ip_v4"], "access_ip_v6": st["access_ip_v6"],
        "network": network, "block_device": [], "user_data": user_data,
        "scheduler_hints": [], "admin_pass": null, "availability_zone_hints": null,
        "created": "2026-01-10 10:00:00 +0000 UTC", "updated": "2026-01-10 10:00:30 +0000 UTC",
        "force_delete": false, "hypervisor_hostname": "", "network_mode": null,
        "personality": [], "vendor_options": [], "timeouts": null,
    })
}

#[tokio::test]
async fn keypair_server_group_and_server_move() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);

    let keypair_config = json!({"name": "deploy", "public_key": PUBLIC_KEY});
    let keypair = tf.create("scs_keypair", keypair_config.clone()).await;
    let source = json!({
        "id": "deploy", "region": "RegionOne", "name": "deploy", "public_key": PUBLIC_KEY,
        "fingerprint": s(&keypair, "fingerprint"), "private_key": "", "user_id": "",
        "value_specs": null,
    });
    moves_to_created(
        &tf,
        "openstack_compute_keypair_v2",
        source,
        "scs_keypair",
        &keypair,
        &keypair_config,
    )
    .await;

    let group_config = json!({"name": "spread", "policy": "anti-affinity"});
    let group = tf.create("scs_server_group", group_config.clone()).await;
    let source = json!({
        "id": s(&group, "id"), "region": "RegionOne", "name": "spread",
        "policies": ["anti-affinity"], "members": [], "rules": [], "value_specs": null,
    });
    moves_to_created(
        &tf,
        "openstack_compute_servergroup_v2",
        source,
        "scs_server_group",
        &group,
        &group_config,
    )
    .await;
    // More than one policy has no counterpart: an error, not a guess.
    let two = json!({"id": s(&group, "id"), "region": "RegionOne", "name": "spread",
        "policies": ["anti-affinity", "affinity"], "members": [], "rules": [],
        "value_specs": null});
    let error = tf
        .move_state(
            TPO,
            "openstack_compute_servergroup_v2",
            0,
            &two,
            "scs_server_group",
        )
        .await
        .failed();
    assert!(
        error.contains("policies") && error.contains("2 values"),
        "{error}"
    );

    let server_config = json!({"name": "web-1", "flavor_name": "SCS-2V-4-20",
        "image_id": image, "key_pair": "deploy", "network": [{"uuid": net}],
        "metadata": {"role": "web"}});
    let server = tf.create("scs_server", server_config.clone()).await;
    let warnings = moves_to_created(
        &tf,
        "openstack_compute_instance_v2",
        tpo_server(&server, "Ubuntu 24.04", json!(null)),
        "scs_server",
        &server,
        &server_config,
    )
    .await;
    assert!(warned(&warnings, "created"), "{warnings:?}");
    assert!(!warned(&warnings, "network.access_network"), "{warnings:?}");

    // The source keeps only a hash of user_data: the moved server records user_data_wo_version
    // 1, and the configuration that writes the text as user_data_wo plans no change.
    let hashed = tpo_server(
        &server,
        "Ubuntu 24.04",
        json!("6b3a55e0261b0304143f805a24924d0c1c44524821305f31d9277843b8a10f4e"),
    );
    let moved = tf
        .move_state(
            TPO,
            "openstack_compute_instance_v2",
            0,
            &hashed,
            "scs_server",
        )
        .await;
    assert!(
        moved
            .warnings
            .iter()
            .any(|w| w.contains("user_data_wo_version = 1")),
        "{:?}",
        moved.warnings
    );
    let moved = moved.ok();
    assert_eq!(js(&moved)["user_data_wo_version"], json!(1));
    assert!(js(&moved)["user_data"].is_null());
    let mut wo_config = server_config.clone();
    wo_config["user_data_wo"] = json!("#cloud-config\n");
    wo_config["user_data_wo_version"] = json!(1);
    let config = tf.config("scs_server", &wo_config);
    let (planned, replace) = tf.plan("scs_server", &moved, &config).await;
    assert!(replace.is_empty(), "{replace:?}");
    assert_eq!(js(&planned.ok()), js(&moved));
}

#[tokio::test]
async fn volume_and_attachment_move() {
    let tf = Tf::start().await;
    let server = tf.cloud.insert(os::SERVERS, json!({"name": "db"}));
    let server_id = server["id"].as_str().unwrap().to_owned();

    let volume_config = json!({"name": "data", "size": 10, "metadata": {"tier": "db"}});
    let volume = tf.create("scs_volume", volume_config.clone()).await;
    let volume_id = s(&volume, "id").to_owned();
    let attachment_config = json!({"server_id": server_id, "volume_id": volume_id});
    let attachment = tf
        .create("scs_volume_attachment", attachment_config.clone())
        .await;
    let source = json!({
        "id": format!("{server_id}/{volume_id}"), "region": "RegionOne",
        "instance_id": server_id, "volume_id": volume_id, "device": s(&attachment, "device"),
        "multiattach": null, "tag": null, "vendor_options": [], "timeouts": null,
    });
    moves_to_created(
        &tf,
        "openstack_compute_volume_attach_v2",
        source,
        "scs_volume_attachment",
        &attachment,
        &attachment_config,
    )
    .await;

    // The volume as it is now, attached.
    let volume = tf.read("scs_volume", &volume).await.ok();
    let v = js(&volume);
    let attachments: Vec<serde_json::Value> = v["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!({"id": a["id"], "instance_id": a["server_id"], "device": a["device"]}))
        .collect();
    assert_eq!(attachments.len(), 1, "{v}");
    let source = json!({
        "id": volume_id, "region": "RegionOne", "name": "data", "description": "", "size": 10,
        "volume_type": v["volume_type"], "image_id": null, "snapshot_id": "",
        "source_vol_id": "", "availability_zone": v["availability_zone"],
        "metadata": {"tier": "db"}, "attachment": attachments, "backup_id": "",
        "consistency_group_id": null, "enable_online_resize": null, "scheduler_hints": [],
        "source_replica": null, "volume_retype_policy": null, "timeouts": null,
    });
    moves_to_created(
        &tf,
        "openstack_blockstorage_volume_v3",
        source,
        "scs_volume",
        &volume,
        &volume_config,
    )
    .await;
}

#[tokio::test]
async fn every_form_of_the_source_address_is_accepted() {
    let tf = Tf::start().await;
    let net = tf.create("scs_network", json!({"name": "app"})).await;
    let source = json!({"id": s(&net, "id"), "name": "app", "tenant_id": ""});
    for address in [
        TPO,
        "registry.opentofu.org/terraform-provider-openstack/openstack",
        "terraform-provider-openstack/openstack",
        "openstack",
    ] {
        let moved = tf
            .move_state(
                address,
                "openstack_networking_network_v2",
                0,
                &source,
                "scs_network",
            )
            .await;
        assert_eq!(s(&moved.ok(), "id"), s(&net, "id"), "{address}");
    }
}

#[tokio::test]
async fn unsupported_moves_are_errors_that_say_what_is_supported() {
    let tf = Tf::start().await;
    let source = json!({"id": "n-1", "name": "app"});

    let error = tf
        .move_state(
            "registry.terraform.io/hashicorp/aws",
            "aws_vpc",
            0,
            &source,
            "scs_network",
        )
        .await
        .failed();
    assert!(
        error.starts_with("Unsupported source provider")
            && error.contains("registry.terraform.io/hashicorp/aws")
            && error.contains("terraform-provider-openstack/openstack"),
        "{error}"
    );

    let error = tf
        .move_state(TPO, "openstack_dns_zone_v2", 0, &source, "scs_network")
        .await
        .failed();
    assert!(
        error.starts_with("Unsupported resource move")
            && error.contains("openstack_dns_zone_v2")
            && error.contains("openstack_networking_network_v2"),
        "{error}"
    );

    // A source type of another target.
    let error = tf
        .move_state(
            TPO,
            "openstack_networking_port_v2",
            0,
            &source,
            "scs_network",
        )
        .await
        .failed();
    assert!(error.starts_with("Unsupported resource move"), "{error}");

    let error = tf
        .move_state(
            TPO,
            "openstack_networking_network_v2",
            1,
            &source,
            "scs_network",
        )
        .await
        .failed();
    assert!(
        error.starts_with("Unsupported source schema version") && error.contains("version 1"),
        "{error}"
    );

    let error = tf
        .move_state(
            TPO,
            "openstack_networking_network_v2",
            0,
            &json!([1]),
            "scs_network",
        )
        .await
        .failed();
    assert!(error.starts_with("Invalid source state"), "{error}");
}

#[tokio::test]
async fn an_attribute_the_table_does_not_know_is_named_not_lost_silently() {
    let tf = Tf::start().await;
    let net = tf.create("scs_network", json!({"name": "app"})).await;
    let source = json!({"id": s(&net, "id"), "name": "app", "future_field": "x"});
    let moved = tf
        .move_state(
            TPO,
            "openstack_networking_network_v2",
            0,
            &source,
            "scs_network",
        )
        .await;
    assert!(
        warned(&moved.warnings, "future_field"),
        "{:?}",
        moved.warnings
    );
    moved.ok();
}

#[tokio::test]
async fn this_providers_own_state_under_another_registry_moves_as_it_is() {
    let tf = Tf::start().await;
    let net = tf.create("scs_network", json!({"name": "app"})).await;
    let moved = tf
        .move_state(
            "registry.opentofu.org/sovereigncloudstack/scs",
            "scs_network",
            0,
            &js(&net),
            "scs_network",
        )
        .await;
    assert!(moved.warnings.is_empty(), "{:?}", moved.warnings);
    assert_eq!(js(&moved.ok()), js(&net));
}
