//! Typed calls against the in-process fake cloud: envelopes, request bodies, microversions,
//! 404 handling, pagination of typed lists, waiters with the cloud's failure reason.
#![allow(clippy::unwrap_used)]

#[path = "core_support/mod.rs"]
mod core_support;

use std::time::Duration;

use core_support::{Action, FakeCloud};
use scs_client::scs::{FlavorCandidate, FlavorRequirements, ImageCandidate, ImageQuery};
use scs_client::{CancellationToken, compute, image, network, volume};
use serde_json::{Value, json};
use tokio::time::Instant;

fn body(r: &core_support::Recorded) -> Value {
    serde_json::from_str(&r.body).unwrap()
}

fn not_found() -> Action {
    Action::Json(
        404,
        json!({"NeutronError": {"type": "NetworkNotFound", "message": "not found", "detail": ""}}),
    )
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(20)
}

#[tokio::test]
async fn network_crud_uses_envelopes_and_treats_404_as_absent() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "POST",
        "/network/v2.0/networks",
        vec![Action::Json(
            201,
            json!({"network": {"id": "n1", "name": "web", "admin_state_up": true,
                "router:external": false, "status": "ACTIVE", "subnets": [], "description": null,
                "mtu": 1450, "tags": []}}),
        )],
    );
    let created = network::create_network(
        &c,
        &network::CreateNetwork {
            name: Some("web".into()),
            mtu: Some(1450),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!((created.id.as_str(), created.mtu), ("n1", Some(1450)));
    let sent = body(&mock.hits("POST", "/network/v2.0/networks")[0]);
    assert_eq!(sent, json!({"network": {"name": "web", "mtu": 1450}}));

    mock.on("GET", "/network/v2.0/networks/gone", vec![not_found()]);
    assert!(network::get_network(&c, "gone").await.unwrap().is_none());
    mock.on("DELETE", "/network/v2.0/networks/gone", vec![not_found()]);
    network::delete_network(&c, "gone").await.unwrap();

    mock.on(
        "PUT",
        "/network/v2.0/networks/n1/tags",
        vec![Action::ok(json!({"tags": ["a", "b"]}))],
    );
    network::set_network_tags(&c, "n1", &["a".into(), "b".into()])
        .await
        .unwrap();
    let put = &mock.hits("PUT", "/network/v2.0/networks/n1/tags")[0];
    assert_eq!(body(put), json!({"tags": ["a", "b"]}));

    // Other errors are not swallowed.
    mock.on(
        "GET",
        "/network/v2.0/networks/boom",
        vec![Action::Json(
            403,
            json!({"NeutronError": {"type": "Forbidden", "message": "nope", "detail": ""}}),
        )],
    );
    let err = network::get_network(&c, "boom").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}

#[tokio::test]
async fn typed_lists_follow_every_page_and_pass_filters() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "GET",
        "/network/v2.0/security-groups",
        vec![
            Action::ok(json!({"security_groups": [{"id": "a", "name": "default",
                "security_group_rules": [{"id": "r", "direction": "egress", "ethertype": "IPv4",
                "protocol": null, "port_range_min": null, "security_group_id": "a"}]}],
                "security_groups_links": [{"rel": "next", "href": "http://x/v2.0/security-groups?name=default&marker=a"}]})),
            Action::ok(json!({"security_groups": [{"id": "b", "name": "default"}]})),
        ],
    );
    let groups = network::list_security_groups(&c, &[("name", "default")])
        .await
        .unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].security_group_rules[0].protocol, None);
    let hits = mock.hits("GET", "/network/v2.0/security-groups");
    assert_eq!(hits[0].path, "/network/v2.0/security-groups?name=default");
    assert_eq!(
        hits[1].path,
        "/network/v2.0/security-groups?name=default&marker=a"
    );

    // Keypair listings wrap each item.
    mock.on(
        "GET",
        "/compute/v2.1/os-keypairs",
        vec![Action::ok(json!({"keypairs": [
            {"keypair": {"name": "k1", "public_key": "ssh-ed25519 AAA", "fingerprint": "f1"}},
            {"keypair": {"name": "k2", "public_key": "ssh-ed25519 BBB", "fingerprint": "f2"}}]}))],
    );
    let names: Vec<String> = compute::list_keypairs(&c)
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert_eq!(names, ["k1", "k2"]);
}

/// The answer to the first attach was lost and the router did not show the interface yet, so the
/// request went out again; Neutron refused it because the first had made the interface by then.
/// That interface is the answer.
#[tokio::test]
async fn a_repeated_router_interface_refused_as_existing_is_the_first_ones() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 2);
    let path = "/network/v2.0/routers/r1/add_router_interface";
    mock.on(
        "PUT",
        path,
        vec![
            Action::Reset,
            Action::error(
                path,
                400,
                "Bad router request: Router already has a port on subnet s1.",
                "req-dup",
            ),
        ],
    );
    let router_port = json!({"ports": [{"id": "p1", "network_id": "n1", "device_id": "r1",
        "fixed_ips": [{"subnet_id": "s1", "ip_address": "10.0.0.1"}]}]});
    mock.on(
        "GET",
        "/network/v2.0/ports",
        vec![Action::ok(json!({"ports": []})), Action::ok(router_port)],
    );
    let itf = network::add_router_interface(
        &c,
        "r1",
        &network::RouterInterfaceRequest::SubnetId("s1".into()),
    )
    .await
    .unwrap();
    assert_eq!(itf.port_id, "p1");
    assert_eq!(mock.hits("PUT", path).len(), 2);
}

#[tokio::test]
async fn router_interfaces_and_gateway() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    let path = "/network/v2.0/routers/r1/add_router_interface";
    mock.on(
        "PUT",
        path,
        vec![Action::ok(
            json!({"id": "r1", "subnet_id": "s1", "subnet_ids": ["s1"],
            "port_id": "p1", "network_id": "n1", "tenant_id": "t"}),
        )],
    );
    let itf = network::add_router_interface(
        &c,
        "r1",
        &network::RouterInterfaceRequest::SubnetId("s1".into()),
    )
    .await
    .unwrap();
    assert_eq!(itf.port_id, "p1");
    assert_eq!(body(&mock.hits("PUT", path)[0]), json!({"subnet_id": "s1"}));

    let rm = "/network/v2.0/routers/r1/remove_router_interface";
    mock.on("PUT", rm, vec![not_found()]);
    network::remove_router_interface(
        &c,
        "r1",
        &network::RouterInterfaceRequest::PortId("p9".into()),
    )
    .await
    .unwrap();

    mock.on(
        "PUT",
        "/network/v2.0/routers/r1",
        vec![Action::ok(
            json!({"router": {"id": "r1", "external_gateway_info": null}}),
        )],
    );
    let r = network::set_router_gateway(&c, "r1", None).await.unwrap();
    assert!(r.external_gateway_info.is_none());
    assert_eq!(
        body(&mock.hits("PUT", "/network/v2.0/routers/r1")[0]),
        json!({"router": {"external_gateway_info": null}})
    );
}

#[tokio::test]
async fn server_create_asks_for_the_microversion_its_fields_need() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "POST",
        "/compute/v2.1/servers",
        vec![Action::Json(
            202,
            json!({"server": {"id": "s1", "links": [], "adminPass": "x"}}),
        )],
    );
    let req = compute::CreateServer {
        name: "vm".into(),
        flavor_ref: "f".into(),
        networks: compute::ServerNetworks::Auto,
        tags: Some(vec!["t".into()]),
        block_device_mapping_v2: Some(vec![compute::BlockDeviceMapping::boot_volume_from_image(
            "img", 10, None, true,
        )]),
        scheduler_hints: Some(compute::SchedulerHints {
            group: Some("g1".into()),
        }),
        ..Default::default()
    };
    let s = compute::create_server(&c, &req).await.unwrap();
    assert_eq!(s.id, "s1");
    let hit = &mock.hits("POST", "/compute/v2.1/servers")[0];
    assert_eq!(hit.headers["openstack-api-version"], "compute 2.52");
    let sent = body(hit);
    assert_eq!(sent["os:scheduler_hints"], json!({"group": "g1"}));
    assert_eq!(sent["server"]["networks"], "auto");
    assert!(sent["server"].get("imageRef").is_none());

    // A volume type in the mapping needs 2.67; a cloud at 2.60 is refused before sending.
    mock.set_nova_max("2.60");
    let c_old = core_support::client(&mock, 0);
    let mut typed = req.clone();
    typed.block_device_mapping_v2 =
        Some(vec![compute::BlockDeviceMapping::boot_volume_from_image(
            "img",
            10,
            Some("ssd".into()),
            true,
        )]);
    let err = compute::create_server(&c_old, &typed).await.unwrap_err();
    assert!(err.to_string().contains("2.67"), "{err}");
    assert_eq!(mock.hits("POST", "/compute/v2.1/servers").len(), 1);
}

#[tokio::test]
async fn server_wait_reports_nova_fault_and_actions_have_their_bodies() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    let path = "/compute/v2.1/servers/s1";
    mock.on(
        "GET",
        path,
        vec![
            Action::ok(json!({"server": {"id": "s1", "status": "BUILD",
                "OS-EXT-STS:task_state": "spawning", "image": ""}})),
            // ERROR before the fault is recorded, as Nova's scheduler does it.
            Action::ok(json!({"server": {"id": "s1", "status": "ERROR", "image": ""}})),
            Action::ok(json!({"server": {"id": "s1", "status": "ERROR", "image": "",
                "fault": {"code": 500, "message": "No valid host was found. There are not enough hosts available."}}})),
        ],
    );
    let err = compute::wait_for_server(&c, "s1", &["ACTIVE"], soon(), &CancellationToken::new())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("No valid host was found"), "{msg}");
    assert!(msg.contains("ERROR"), "{msg}");
    assert_eq!(
        mock.hits("GET", path)[0].headers["openstack-api-version"],
        "compute 2.71"
    );

    let action = "/compute/v2.1/servers/s1/action";
    mock.on("POST", action, vec![Action::Json(202, json!({}))]);
    compute::resize_server(&c, "s1", "f2").await.unwrap();
    compute::confirm_resize(&c, "s1").await.unwrap();
    compute::stop_server(&c, "s1").await.unwrap();
    let bodies: Vec<Value> = mock.hits("POST", action).iter().map(body).collect();
    assert_eq!(
        bodies,
        [
            json!({"resize": {"flavorRef": "f2"}}),
            json!({"confirmResize": null}),
            json!({"os-stop": null})
        ]
    );

    mock.on("GET", "/compute/v2.1/servers/s2", vec![
        Action::ok(json!({"server": {"id": "s2", "status": "ACTIVE", "OS-EXT-STS:task_state": "deleting"}})),
        Action::Json(404, json!({"itemNotFound": {"code": 404, "message": "gone"}})),
    ]);
    compute::wait_for_server_deleted(&c, "s2", soon(), &CancellationToken::new())
        .await
        .unwrap();

    // An ERROR whose fault never appears still ends the wait, without a reason.
    mock.on(
        "GET",
        "/compute/v2.1/servers/s3",
        vec![Action::ok(
            json!({"server": {"id": "s3", "status": "ERROR"}}),
        )],
    );
    let err = compute::wait_for_server(&c, "s3", &["ACTIVE"], soon(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(err.to_string().ends_with("status ERROR"), "{err}");
    assert_eq!(mock.hits("GET", "/compute/v2.1/servers/s3").len(), 4);
}

#[tokio::test]
async fn interfaces_and_volume_attachments() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    let itf = "/compute/v2.1/servers/s1/os-interface";
    mock.on(
        "POST",
        itf,
        vec![Action::ok(
            json!({"interfaceAttachment": {"port_id": "p2", "net_id": "n2",
            "mac_addr": "fa:16:3e:00:00:02", "port_state": "DOWN",
            "fixed_ips": [{"subnet_id": "s", "ip_address": "10.0.1.5"}]}}),
        )],
    );
    let a = compute::attach_interface(
        &c,
        "s1",
        &compute::AttachInterface {
            net_id: Some("n2".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(a.fixed_ips[0].ip_address, "10.0.1.5");
    assert_eq!(
        body(&mock.hits("POST", itf)[0]),
        json!({"interfaceAttachment": {"net_id": "n2"}})
    );
    mock.on("DELETE", &format!("{itf}/p2"), vec![not_found()]);
    compute::detach_interface(&c, "s1", "p2").await.unwrap();

    let va = "/compute/v2.1/servers/s1/os-volume_attachments";
    mock.on(
        "POST",
        va,
        vec![Action::ok(
            json!({"volumeAttachment": {"id": "v1", "serverId": "s1",
            "volumeId": "v1", "device": "/dev/vdb"}}),
        )],
    );
    let att = compute::attach_volume(
        &c,
        "s1",
        &compute::AttachVolume {
            volume_id: "v1".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(att.device, "/dev/vdb");
    mock.on(
        "GET",
        &format!("{va}/v9"),
        vec![Action::Json(404, json!({}))],
    );
    assert!(
        compute::get_volume_attachment(&c, "s1", "v9")
            .await
            .unwrap()
            .is_none()
    );
}

fn flavor(id: &str, name: &str, vcpus: u32, ram_gib: u64, disk: u64) -> Value {
    json!({"id": id, "name": name, "vcpus": vcpus, "ram": ram_gib * 1024, "disk": disk,
           "swap": 0, "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": false,
           "os-flavor-access:is_public": true})
}

#[tokio::test]
async fn flavors_come_with_extra_specs_on_new_and_old_clouds() {
    let mock = FakeCloud::start().await;
    let mut f1 = flavor("1", "SCS-2V-4", 2, 4, 0);
    f1["extra_specs"] = json!({"scs:name-v1": "SCS-2V:4", "scs:cpu-type": "shared-core"});
    let f2 = flavor("2", "SCS-2V-8", 2, 8, 0);
    mock.on(
        "GET",
        "/compute/v2.1/flavors/detail",
        vec![Action::ok(json!({"flavors": [f1, f2]}))],
    );
    let c = core_support::client(&mock, 0);
    let flavors = compute::list_flavors(&c, &[]).await.unwrap();
    assert_eq!(flavors[0].extra_specs["scs:cpu-type"], "shared-core");
    assert_eq!(
        mock.hits("GET", "/compute/v2.1/flavors/detail")[0].headers["openstack-api-version"],
        "compute 2.61"
    );
    let candidates: Vec<FlavorCandidate> = flavors.iter().map(FlavorCandidate::from).collect();
    let req = FlavorRequirements {
        vcpus: Some(2),
        ram_gib: Some(4.0),
        ..Default::default()
    };
    assert_eq!(req.select(&candidates).unwrap().0.id, "1");

    // Before 2.61 the specs are read flavor by flavor.
    let old = FakeCloud::start().await;
    old.set_nova_max("2.60");
    old.on(
        "GET",
        "/compute/v2.1/flavors/detail",
        vec![Action::ok(
            json!({"flavors": [flavor("1", "SCS-2V-4", 2, 4, 0)]}),
        )],
    );
    old.on(
        "GET",
        "/compute/v2.1/flavors/1/os-extra_specs",
        vec![Action::ok(
            json!({"extra_specs": {"scs:cpu-type": "shared-core"}}),
        )],
    );
    let c = core_support::client(&old, 0);
    let flavors = compute::list_flavors(&c, &[]).await.unwrap();
    assert_eq!(flavors[0].extra_specs["scs:cpu-type"], "shared-core");
    assert!(
        !old.hits("GET", "/compute/v2.1/flavors/detail")[0]
            .headers
            .contains_key("openstack-api-version")
    );
}

#[tokio::test]
async fn images_have_no_envelope_and_select_by_scs_properties() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    let img = |id: &str, build: &str| {
        json!({"id": id, "name": "Ubuntu 24.04", "status": "active", "visibility": "public",
               "protected": false, "os_hidden": false, "min_disk": 5, "min_ram": 512, "tags": [],
               "os_distro": "ubuntu", "os_version": "24.04", "os_purpose": "generic",
               "architecture": "x86_64", "image_build_date": build, "provided_until": "2020-01-01",
               "self": format!("/v2/images/{id}")})
    };
    mock.on(
        "GET",
        "/image/v2/images",
        vec![
            Action::ok(json!({"images": [img("i1", "2025-01-01")], "next": "/v2/images?os_distro=ubuntu&marker=i1"})),
            Action::ok(json!({"images": [img("i2", "2025-02-01")]})),
        ],
    );
    let images = image::list_images(&c, &[("os_distro", "ubuntu")])
        .await
        .unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(
        mock.hits("GET", "/image/v2/images")[0].path,
        "/image/v2/images?os_distro=ubuntu"
    );
    let candidates: Vec<ImageCandidate> = images.iter().map(ImageCandidate::from).collect();
    let q = ImageQuery {
        os_distro: Some("ubuntu".into()),
        os_version: Some("24.04".into()),
        most_recent: true,
        ..Default::default()
    };
    let chosen = q.select(&candidates).unwrap();
    assert_eq!(chosen.id, "i2");
    let life = scs_client::scs::ImageLifecycle::of(chosen);
    assert!(
        life.expiry_warning(chosen, scs_client::scs::date::Timestamp::now())
            .is_some()
    );

    mock.on(
        "GET",
        "/image/v2/images/i2",
        vec![Action::ok(img("i2", "2025-02-01"))],
    );
    let got = image::get_image(&c, "i2").await.unwrap().unwrap();
    assert_eq!(got.min_disk, 5);
    mock.on(
        "GET",
        "/image/v2/images/nope",
        vec![Action::Text(404, "Not Found".into())],
    );
    assert!(image::get_image(&c, "nope").await.unwrap().is_none());
}

#[tokio::test]
async fn volume_lifecycle_and_error_reason_from_user_messages() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    let base = "/volume/v3/proj-1";
    mock.on(
        "POST",
        &format!("{base}/volumes"),
        vec![Action::Json(
            202,
            json!({"volume": {"id": "v1", "size": 1, "status": "creating", "name": "data"}}),
        )],
    );
    let v = volume::create_volume(
        &c,
        &volume::CreateVolume {
            size: 1,
            name: Some("data".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(v.status, "creating");

    mock.on(
        "GET",
        &format!("{base}/volumes/v1"),
        vec![
            Action::ok(json!({"volume": {"id": "v1", "size": 1, "status": "creating", "bootable": "false"}})),
            Action::ok(json!({"volume": {"id": "v1", "size": 1, "status": "available", "bootable": "false"}})),
        ],
    );
    let v = volume::wait_for_volume(&c, "v1", &["available"], soon(), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(v.status, "available");

    mock.on(
        "POST",
        &format!("{base}/volumes/v1/action"),
        vec![Action::Json(202, json!({}))],
    );
    volume::extend_volume(&c, "v1", 2).await.unwrap();
    assert_eq!(
        body(&mock.hits("POST", &format!("{base}/volumes/v1/action"))[0]),
        json!({"os-extend": {"new_size": 2}})
    );

    mock.on(
        "GET",
        &format!("{base}/volumes/v2"),
        vec![Action::ok(
            json!({"volume": {"id": "v2", "size": 1, "status": "error"}}),
        )],
    );
    mock.on(
        "GET",
        &format!("{base}/messages"),
        vec![Action::ok(json!({"messages": [
            {"id": "m1", "user_message": "older", "created_at": "2026-01-01T00:00:00.000000"},
            {"id": "m2", "user_message": "schedule allocate volume:Could not find any available weighted backend.",
             "created_at": "2026-01-02T00:00:00.000000"}]}))],
    );
    let err = volume::wait_for_volume(&c, "v2", &["available"], soon(), &CancellationToken::new())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Could not find any available weighted backend"),
        "{err}"
    );
    let msg_hit = &mock.hits("GET", &format!("{base}/messages"))[0];
    assert_eq!(msg_hit.path, format!("{base}/messages?resource_uuid=v2"));
    assert_eq!(msg_hit.headers["openstack-api-version"], "volume 3.3");
}

/// Resources await these calls inside `#[async_trait]` methods, which need `Send` futures.
#[test]
fn call_futures_are_send() {
    fn send<T: Send>(_: T) {}
    let c = || -> scs_client::Client { unreachable!("never called: only the future types matter") };
    let cancel = CancellationToken::new();
    let never = false;
    if never {
        let c = c();
        send(compute::wait_for_server(
            &c,
            "s",
            &["ACTIVE"],
            soon(),
            &cancel,
        ));
        send(compute::wait_for_server_deleted(&c, "s", soon(), &cancel));
        send(compute::create_server(
            &c,
            &compute::CreateServer::default(),
        ));
        send(compute::list_flavors(&c, &[]));
        send(compute::get_server(&c, "s"));
        send(compute::attach_volume(
            &c,
            "s",
            &compute::AttachVolume::default(),
        ));
        send(compute::create_server_group(&c, "g", "affinity"));
        send(volume::wait_for_volume(
            &c,
            "v",
            &["available"],
            soon(),
            &cancel,
        ));
        send(volume::wait_for_volume_deleted(&c, "v", soon(), &cancel));
        send(volume::extend_volume(&c, "v", 2));
        send(network::list_networks(&c, &[]));
        send(network::add_router_interface(
            &c,
            "r",
            &network::RouterInterfaceRequest::SubnetId("s".into()),
        ));
        send(image::list_images(&c, &[]));
        send(image::get_image(&c, "i"));
    }
}

#[tokio::test]
async fn port_update_sends_only_what_changed_including_the_mac_address() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "PUT",
        "/network/v2.0/ports/p1",
        vec![Action::ok(
            json!({"port": {"id": "p1", "network_id": "n1", "name": "web",
                "mac_address": "fa:16:3e:00:00:09", "admin_state_up": false,
                "fixed_ips": [], "security_groups": [], "tags": [], "status": "DOWN"}}),
        )],
    );
    let port = network::update_port(
        &c,
        "p1",
        &network::UpdatePort {
            admin_state_up: Some(false),
            mac_address: Some("fa:16:3e:00:00:09".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(port.mac_address, "fa:16:3e:00:00:09");
    let sent = body(&mock.hits("PUT", "/network/v2.0/ports/p1")[0]);
    assert_eq!(
        sent,
        json!({"port": {"admin_state_up": false, "mac_address": "fa:16:3e:00:00:09"}})
    );
}
