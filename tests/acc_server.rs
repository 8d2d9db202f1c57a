//! Acceptance for `scs_server` on terraform and tofu against the local
//! cloud: create (image boot on a flavor with a disk, implicit boot from
//! volume on a diskless flavor), empty plans, in-place rename/metadata/tags,
//! resize, rebuild, NIC attach and detach, power state, import, out-of-band
//! delete, destroy leaving nothing (root volume included), a server in
//! ERROR showing Nova's fault, and the in-place rebuild of a volume-backed
//! server (Nova 2.93 re-images its root volume).

#![allow(clippy::unwrap_used)]

mod harness;

use harness::Scenario;
use scs_client::compute as nova;
use scs_client::image as glance;
use scs_client::network as neutron;
use scs_client::volume as cinder;
use serde_json::Value;

const DISK: &str = "scs_server.disk";
const BFV: &str = "scs_server.bfv";

fn str_of<'a>(values: &'a Value, key: &str) -> &'a str {
    values[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {values:#}"))
}

fn server(s: &Scenario, id: &str) -> Option<nova::Server> {
    let cloud = s.cloud();
    cloud.run(nova::get_server(cloud.client(), id))
}

fn interfaces(s: &Scenario, id: &str) -> Vec<nova::InterfaceAttachment> {
    let cloud = s.cloud();
    cloud.run(nova::list_server_interfaces(cloud.client(), id))
}

fn image_id(s: &Scenario, name: &str) -> String {
    let cloud = s.cloud();
    let images = cloud.run(glance::list_images(cloud.client(), &[("name", name)]));
    images.into_iter().next().unwrap().id
}

/// Applies with the step's variables and checks the update was in place and
/// leaves an empty plan.
fn step_in_place(s: &mut Scenario, what: &str, id: &str) {
    assert_eq!(
        s.planned_actions(DISK),
        ["update"],
        "planned actions for {what}"
    );
    s.apply();
    assert!(s.plan_is_empty(), "plan after {what} is not empty");
    assert_eq!(
        str_of(&s.state_resource(DISK), "id"),
        id,
        "{what} replaced the server"
    );
}

fn life_cycle(s: &mut Scenario) {
    s.use_scenario("server/lifecycle");
    s.init();

    // The plan shows the implicit boot from volume and its size (min_disk 8).
    let plan = s.plan_json();
    let bfv_plan = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == BFV)
        .unwrap();
    assert_eq!(
        bfv_plan["change"]["after"]["root_volume_size"], 8,
        "{bfv_plan:#}"
    );
    let disk_plan = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == DISK)
        .unwrap();
    assert!(
        disk_plan["change"]["after"]["root_volume_size"].is_null(),
        "{disk_plan:#}"
    );

    s.apply();
    assert!(s.plan_is_empty(), "plan after create is not empty");
    let disk = s.state_resource(DISK);
    let bfv = s.state_resource(BFV);
    let id = str_of(&disk, "id").to_owned();
    let bfv_id = str_of(&bfv, "id").to_owned();
    let root_volume = str_of(&bfv, "root_volume_id").to_owned();
    assert_eq!(str_of(&disk, "status"), "ACTIVE");
    assert_eq!(str_of(&disk, "image_id"), image_id(s, "Ubuntu 24.04"));
    assert_eq!(bfv["network"][0]["fixed_ip_v4"], "10.71.0.20");
    assert!(!str_of(&disk["network"][0], "mac").is_empty());
    let booted = server(s, &bfv_id).unwrap();
    assert_eq!(
        booted.image_id, None,
        "bfv server booted from the image, not a volume"
    );
    assert_eq!(booted.volumes_attached[0].id, root_volume);

    // Rename, metadata, tags: in place.
    s.set_env("TF_VAR_server_name", format!("{}-renamed", s.name_prefix()));
    s.set_env("TF_VAR_metadata", r#"{"role":"db","tier":"2"}"#);
    s.set_env("TF_VAR_tags", r#"["one","two"]"#);
    step_in_place(s, "rename/metadata/tags", &id);
    let nova_view = server(s, &id).unwrap();
    assert!(nova_view.name.ends_with("-renamed"));
    assert_eq!(
        nova_view.metadata.get("tier").map(String::as_str),
        Some("2")
    );
    // The two configured tags, and the provider's owner tag, which the state does not show.
    let mut tags = nova_view.tags.clone();
    tags.sort();
    assert_eq!(tags, ["managed-by=terraform-provider-scs", "one", "two"]);

    // Resize.
    s.set_env("TF_VAR_flavor", "SCS-2V-4-20s");
    step_in_place(s, "resize", &id);
    assert_eq!(
        server(s, &id).unwrap().flavor.original_name.as_deref(),
        Some("SCS-2V-4-20s")
    );

    // Rebuild.
    s.set_env("TF_VAR_image", "Debian 12");
    step_in_place(s, "rebuild", &id);
    let debian = image_id(s, "Debian 12");
    assert_eq!(
        server(s, &id).unwrap().image_id.as_deref(),
        Some(debian.as_str())
    );
    assert_eq!(str_of(&s.state_resource(DISK), "image_id"), debian);

    // NIC attach (b by name), then detach of the first NIC (a) in place.
    s.set_env("TF_VAR_networks", r#"["a","b"]"#);
    step_in_place(s, "NIC attach", &id);
    assert_eq!(interfaces(s, &id).len(), 2);
    s.set_env("TF_VAR_networks", r#"["b"]"#);
    step_in_place(s, "NIC detach", &id);
    let nics = interfaces(s, &id);
    assert_eq!(nics.len(), 1);
    let state = s.state_resource(DISK);
    assert_eq!(
        state["network"][0]["name"],
        format!("{}-net-b", s.name_prefix())
    );
    assert_eq!(str_of(&state["network"][0], "port"), nics[0].port_id);

    // Power state.
    s.set_env("TF_VAR_power_state", "shutoff");
    step_in_place(s, "shutoff", &id);
    assert_eq!(server(s, &id).unwrap().status, "SHUTOFF");
    s.set_env("TF_VAR_power_state", "active");
    step_in_place(s, "start", &id);
    assert_eq!(server(s, &id).unwrap().status, "ACTIVE");

    // Security groups in place.
    s.set_env("TF_VAR_extra_security_group", "true");
    step_in_place(s, "security group added", &id);
    let groups: Vec<String> = server(s, &id)
        .unwrap()
        .security_groups
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert!(
        groups.contains(&format!("{}-sg", s.name_prefix())),
        "{groups:?}"
    );

    // Drift: metadata changed behind Terraform's back is planned back.
    let cloud = s.cloud();
    let c = cloud.client();
    let drift_id = id.clone();
    cloud.change("overwrite metadata", async move {
        let m = std::collections::BTreeMap::from([("role".to_owned(), "changed".to_owned())]);
        nova::set_server_metadata(c, &drift_id, &m).await
    });
    step_in_place(s, "metadata drift", &id);
    assert_eq!(
        server(s, &id)
            .unwrap()
            .metadata
            .get("tier")
            .map(String::as_str),
        Some("2")
    );

    // Import both servers: the plan afterwards is empty.
    let before_disk = s.state_resource(DISK);
    let before_bfv = s.state_resource(BFV);
    for (addr, server_id) in [(DISK, id.as_str()), (BFV, bfv_id.as_str())] {
        s.ok(&["state", "rm", addr]);
        s.import(addr, server_id);
    }
    assert!(s.plan_is_empty(), "plan after import is not empty");
    let after_bfv = s.state_resource(BFV);
    assert_eq!(after_bfv["root_volume_id"], before_bfv["root_volume_id"]);
    assert_eq!(s.state_resource(DISK)["network"], before_disk["network"]);

    // Deleted behind Terraform's back: planned for creation.
    let cloud = s.cloud();
    let c = cloud.client();
    let gone_id = id.clone();
    cloud.change("delete the disk server", async move {
        nova::delete_server(c, &gone_id).await?;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(120);
        nova::wait_for_server_deleted(c, &gone_id, deadline, &Default::default()).await
    });
    assert_eq!(s.planned_actions(DISK), ["create"]);

    s.destroy();
    assert!(
        server(s, &bfv_id).is_none(),
        "bfv server left after destroy"
    );
    let cloud = s.cloud();
    let c = cloud.client();
    let left = cloud.run(async move { cinder::get_volume(c, &root_volume).await });
    assert!(
        left.is_none(),
        "implicit root volume left after destroy: {left:?}"
    );
    let prefix = s.name_prefix();
    let cloud = s.cloud();
    let c = cloud.client();
    let servers = cloud.run(async move { nova::list_servers(c, &[]).await });
    let left: Vec<String> = servers
        .into_iter()
        .map(|x| x.name)
        .filter(|n| n.starts_with(&prefix))
        .collect();
    assert!(left.is_empty(), "servers left after destroy: {left:?}");
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn server_life_cycle() {
    // Not a prefix of the other server scenarios' names: the leftover check below lists
    // servers by name prefix while those run in parallel.
    harness::on_both_clients("srv-life", life_cycle);
}

fn forced_error(s: &mut Scenario) {
    let cloud = s.cloud();
    let c = cloud.client();
    let name = format!("{}-group", s.name_prefix());
    let group = cloud.change("create anti-affinity group", async move {
        nova::create_server_group(c, &name, "anti-affinity").await
    });
    s.set_env("TF_VAR_server_group_id", &group.id);
    s.use_scenario("server/error");
    s.init();
    let out = s.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    // Look first, destroy, then judge: a failed assertion must not leave the
    // servers behind (the harness only cleans up after a successful apply).
    let state = s.run(&["show", "-json", "-no-color"]);
    let actions = s.planned_actions("scs_server.second");
    s.destroy();
    out.assert_failure();
    // Nova's fault, not just "ERROR".
    out.assert_contains("No valid host was found");
    // The failed server is in state (tainted), so nothing is orphaned and the
    // next apply replaces it.
    let state = state.json();
    let second = state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "scs_server.second")
        .unwrap_or_else(|| panic!("the failed server is not in state: {state:#}"));
    assert!(!str_of(&second["values"], "id").is_empty());
    assert_eq!(actions, ["delete", "create"]);
    let cloud = s.cloud();
    let c = cloud.client();
    let id = group.id.clone();
    cloud.change("delete group", async move {
        nova::delete_server_group(c, &id).await
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn server_error_shows_nova_fault() {
    // Two servers in a hard anti-affinity group fail to schedule only on a one-host cloud.
    harness::on_both_clients_locally("server-error", "a single compute host", forced_error);
}

/// Uploads a tiny private image called `name` with the `openstack` CLI (the
/// typed client has no image upload); returns its id.
fn upload_image(s: &Scenario, name: &str) -> String {
    upload_image_with_min_disk(s, name, 1)
}

fn upload_image_with_min_disk(s: &Scenario, name: &str, min_disk: u32) -> String {
    let file = s.root().join("image.raw");
    std::fs::write(&file, vec![0u8; 1 << 20]).unwrap();
    let out = std::process::Command::new("openstack")
        .envs(s.cloud_env())
        .args([
            "image",
            "create",
            "--disk-format",
            "raw",
            "--container-format",
            "bare",
        ])
        .args([
            "--private",
            "--min-disk",
            &min_disk.to_string(),
            "-f",
            "value",
            "-c",
            "id",
            "--file",
        ])
        .arg(&file)
        .arg(name)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "image upload failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn delete_image(s: &Scenario, id: &str) {
    let out = std::process::Command::new("openstack")
        .envs(s.cloud_env())
        .args(["image", "delete", id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "image delete failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn image_rotation(s: &mut Scenario) {
    let name = format!("{}-img", s.name_prefix());
    let first = upload_image(s, &name);
    s.write_config(&format!(
        r#"resource "scs_server" "this" {{
  name        = "{name}-vm"
  flavor_name = "SCS-1V-4-10"
  image_name  = "{name}"
}}
"#
    ));
    s.init();
    s.apply();
    let built_from = str_of(&s.state_resource("scs_server.this"), "image_id").to_owned();
    // The cloud rotates the image: a newer one under the same name, the old
    // one retired.
    let second = upload_image(s, &name);
    delete_image(s, &first);
    let empty = s.plan_is_empty();
    let kept = str_of(&s.state_resource("scs_server.this"), "image_id").to_owned();
    s.destroy();
    delete_image(s, &second);
    assert_eq!(built_from, first);
    assert!(empty, "a rotated image must not plan a change");
    assert_eq!(
        kept, first,
        "the state must keep the image the server was built from"
    );
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn server_keeps_its_image_when_the_name_is_rotated() {
    harness::on_both_clients("server-rotation", image_rotation);
}

fn plan_errors(s: &mut Scenario) {
    let name = format!("{}-nomin", s.name_prefix());
    let image = upload_image_with_min_disk(s, &name, 0);
    // Diskless flavor, image without min_disk, no root_volume_size: the plan
    // cannot know the root volume's size and says which settings would tell it.
    let config = |flavor: &str| {
        format!(
            r#"resource "scs_server" "this" {{
  name       = "{name}-vm"
  image_name = "{name}"
  {flavor}
}}
"#
        )
    };
    s.write_config(&config(r#"flavor_name = "SCS-1V-2""#));
    s.init();
    let sizeless = s.plan();
    // A flavor that does not exist is reported on flavor_name.
    s.write_config(&config(r#"flavor_name = "SCS-3V-7-no-such""#));
    let unknown_flavor = s.plan();
    // Two flavors at once is a validation error on the attribute.
    s.write_config(&config(
        r#"flavor_name = "SCS-1V-2"
  flavor_id   = "x""#,
    ));
    let conflict = s.validate();
    delete_image(s, &image);
    sizeless.assert_failure();
    sizeless.assert_contains("root_volume_size");
    sizeless.assert_contains("min_disk");
    unknown_flavor.assert_failure();
    unknown_flavor.assert_contains("SCS-3V-7-no-such");
    unknown_flavor.assert_contains("flavor_name");
    conflict.assert_failure();
    conflict.assert_contains("flavor_name");
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn server_plan_errors_name_the_attribute() {
    harness::on_both_clients("server-plan-errors", plan_errors);
}

const VB: &str = "scs_server.this";

/// Deletes the images a scenario uploaded, also when it panics.
struct Images {
    env: Vec<(String, String)>,
    ids: Vec<String>,
}

impl Drop for Images {
    fn drop(&mut self) {
        for id in &self.ids {
            let _ = std::process::Command::new("openstack")
                .envs(self.env.clone())
                .args(["image", "delete", id])
                .output();
        }
    }
}

fn volume_backed(s: &mut Scenario) {
    let prefix = s.name_prefix();
    let (first, second) = (format!("{prefix}-img-a"), format!("{prefix}-img-b"));
    let first_id = upload_image(s, &first);
    let second_id = upload_image(s, &second);
    // Larger than the 1 GiB root volume: Nova refuses to re-image onto it.
    let big = format!("{prefix}-img-big");
    let big_id = upload_image_with_min_disk(s, &big, 3);
    let _images = Images {
        env: s.cloud_env(),
        ids: vec![first_id.clone(), second_id.clone(), big_id],
    };
    let text = "#cloud-config\nruncmd:\n  - echo hello\n";
    s.use_scenario("server/volume_rebuild");
    s.set_env("TF_VAR_image", &first);
    s.set_env("TF_VAR_user_data", text);
    s.init();
    s.apply();
    let state = s.state_resource(VB);
    let id = str_of(&state, "id").to_owned();
    let root = str_of(&state, "root_volume_id").to_owned();
    assert!(s.plan_is_empty(), "plan after create is not empty");

    // Other user_data: a new server.
    s.set_env("TF_VAR_user_data", format!("{text}# changed\n"));
    assert_eq!(s.planned_actions(VB), ["delete", "create"]);
    s.set_env("TF_VAR_user_data", text);

    // Another image: Nova 2.93 re-images the root volume in place.
    s.set_env("TF_VAR_image", &second);
    assert_eq!(
        s.planned_actions(VB),
        ["update"],
        "image change of a volume-backed server"
    );
    s.apply();
    let state = s.state_resource(VB);
    assert_eq!(str_of(&state, "id"), id, "the rebuild replaced the server");
    assert_eq!(str_of(&state, "image_id"), second_id);
    assert_eq!(str_of(&state, "root_volume_id"), root);
    assert_eq!(server(s, &id).unwrap().status, "ACTIVE");
    let cloud = s.cloud();
    let c = cloud.client();
    let volume = cloud
        .run(async move { cinder::get_volume(c, &root).await })
        .unwrap();
    assert_eq!(
        volume.image_id(),
        Some(second_id.as_str()),
        "root volume not re-imaged"
    );
    assert!(s.plan_is_empty(), "plan after rebuild is not empty");

    // A rebuild Nova refuses fails the apply with Nova's reason and request
    // id, and the state keeps the image the server still runs.
    s.set_env("TF_VAR_image", &big);
    let refused = s.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    refused.assert_failure();
    refused.assert_contains("minimum size");
    refused.assert_contains("request id");
    let state = s.state_resource(VB);
    assert_eq!(str_of(&state, "image_id"), second_id);
    assert_eq!(str_of(&state, "image_name"), second);
    s.set_env("TF_VAR_image", &second);
    assert!(
        s.plan_is_empty(),
        "plan after a refused rebuild is not empty"
    );

    // Import: Nova does not show user_data, so state has none, and a
    // configuration without user_data plans nothing.
    s.ok(&["state", "rm", VB]);
    s.import(VB, &id);
    assert!(s.state_resource(VB)["user_data"].is_null());
    s.remove_env("TF_VAR_user_data");
    assert!(s.plan_is_empty(), "plan after import is not empty");

    s.destroy();
    assert!(server(s, &id).is_none(), "server left after destroy");
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn server_volume_backed_rebuild_in_place() {
    harness::on_both_clients("server-volume-backed", volume_backed);
}

const NICS: &str = "scs_server.this";

fn ports_of(s: &Scenario, id: &str) -> Vec<neutron::Port> {
    let cloud = s.cloud();
    cloud.run(neutron::list_ports(cloud.client(), &[("device_id", id)]))
}

fn port(s: &Scenario, id: &str) -> Option<neutron::Port> {
    let cloud = s.cloud();
    cloud.run(neutron::get_port(cloud.client(), id))
}

fn nics_keep_the_servers_groups(s: &mut Scenario) {
    s.use_scenario("server/nics");
    s.init();
    s.apply();
    assert!(s.plan_is_empty(), "plan after create is not empty");
    let id = str_of(&s.state_resource(NICS), "id").to_owned();
    let group = s.state_resource("scs_security_group.app");
    let (group_id, group_name) = (str_of(&group, "id"), str_of(&group, "name"));

    // Two more NICs, attached in place, carry the server's group too (not
    // the project's default group).
    s.set_env("TF_VAR_networks", r#"["main","backend","front"]"#);
    assert_eq!(s.planned_actions(NICS), ["update"], "NIC attach");
    s.apply();
    assert!(s.plan_is_empty(), "plan after the NIC attach is not empty");
    let state = s.state_resource(NICS);
    assert_eq!(
        str_of(&state, "id"),
        id,
        "the NIC attach replaced the server"
    );
    assert_eq!(state["security_groups"], serde_json::json!([group_name]));
    let ports = ports_of(s, &id);
    assert_eq!(ports.len(), 3, "{ports:#?}");
    for p in &ports {
        assert_eq!(p.security_groups, [group_id], "groups of port {}", p.id);
    }
    let names: Vec<&Value> = (0..3).map(|i| &state["network"][i]["name"]).collect();
    let prefix = s.name_prefix();
    assert_eq!(
        names,
        [
            &format!("{prefix}-main"),
            &format!("{prefix}-backend"),
            &format!("{prefix}-front")
        ]
    );
    let attached: Vec<String> = (1..3)
        .map(|i| str_of(&state["network"][i], "port").to_owned())
        .collect();

    // Import: the NICs come back in the order the server has them (the boot
    // NIC, then the attached ones in the order they were attached), whatever
    // order Neutron lists the ports in.
    s.ok(&["state", "rm", NICS]);
    s.import(NICS, &id);
    assert!(s.plan_is_empty(), "plan after import is not empty");
    assert_eq!(s.state_resource(NICS)["network"], state["network"]);

    // Detached: the ports made for the NICs go with them.
    s.set_env("TF_VAR_networks", r#"["main"]"#);
    s.apply();
    assert!(s.plan_is_empty(), "plan after the NIC detach is not empty");
    assert_eq!(ports_of(s, &id).len(), 1);
    for p in &attached {
        assert!(port(s, p).is_none(), "the detached NIC's port {p} is left");
    }

    // Deleted with the server: no port is left on the networks.
    s.set_env("TF_VAR_networks", r#"["main","backend"]"#);
    s.apply();
    let nets: Vec<String> = ["main", "backend", "front"]
        .iter()
        .map(|k| {
            let net = s.state_resource(&format!("scs_network.net[\"{k}\"]"));
            str_of(&net, "id").to_owned()
        })
        .collect();
    s.ok(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-target={NICS}"),
    ]);
    for net in &nets {
        let cloud = s.cloud();
        let ports = cloud.run(neutron::list_ports(cloud.client(), &[("network_id", net)]));
        // Neutron's own ports (DHCP, metadata) stay until the network goes.
        let left: Vec<&neutron::Port> = ports
            .iter()
            .filter(|p| !p.device_owner.starts_with("network:"))
            .collect();
        assert!(left.is_empty(), "ports left on network {net}: {left:#?}");
    }
    s.destroy();
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn server_nics_keep_the_servers_security_groups() {
    harness::on_both_clients("server-nics", nics_keep_the_servers_groups);
}
