//! Acceptance for keypairs, server groups, volumes, volume
//! attachments, the flavor and image data sources and the quickstart, on real
//! terraform and tofu against the local cloud: create, empty plan, update,
//! empty plan, import and empty plan, out-of-band delete planned as create,
//! destroy, and an API check that nothing is left.

#![allow(clippy::unwrap_used)]

mod harness;

use std::time::Duration;

use harness::{Cloud, Scenario};
use scs_client::compute as nova;
use scs_client::volume as cinder;
use serde_json::Value;

fn id_of(values: &Value) -> String {
    values["id"].as_str().unwrap().to_owned()
}

fn str_of<'a>(values: &'a Value, key: &str) -> &'a str {
    values[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {values:#}"))
}

fn assert_plan_empty(s: &Scenario, after: &str) {
    assert!(s.plan_is_empty(), "plan after {after} is not empty");
}

/// The volume type retype scenarios change to: by default the scs-0114 type the local cloud seeds
/// next to `__DEFAULT__` (same NFS backend); on another cloud, `TF_ACC_RETYPE_TO` names one of its types.
fn scs_volume_type() -> String {
    std::env::var("TF_ACC_RETYPE_TO").unwrap_or_else(|_| "replicated".to_owned())
}

fn deadline() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(300)
}

/// Import `address` by `import_id` into an emptied slot and check that the
/// state equals what apply produced and the plan is empty.
fn import_round_trip(s: &mut Scenario, address: &str, import_id: &str) {
    let before = s.state_resource(address);
    s.ok(&["state", "rm", address]);
    s.import(address, import_id);
    assert_plan_empty(s, "import");
    assert_eq!(s.state_resource(address), before, "imported state differs");
}

fn is_replace(actions: &[String]) -> bool {
    actions.iter().any(|a| a == "delete") && actions.iter().any(|a| a == "create")
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn keypair_life_cycle() {
    harness::on_both_clients("st-keypair", |s| {
        let cloud = s.cloud();
        let client = cloud.client();
        s.use_config("keypair/create.tf");
        s.init();
        s.apply();
        assert_plan_empty(s, "create");
        let kp = s.state_resource("scs_keypair.this");
        let name = id_of(&kp);
        assert_eq!(name, format!("{}-key", s.name_prefix()));
        assert!(!str_of(&kp, "fingerprint").is_empty());
        assert!(kp.get("private_key").is_none(), "no private key in state");

        s.use_config("keypair/update.tf");
        assert!(is_replace(&s.planned_actions("scs_keypair.this")));
        s.apply();
        assert_plan_empty(s, "update");
        let found = cloud.run(nova::get_keypair(client, &name)).unwrap();
        assert!(found.public_key.contains("tfacc-test-key-2"));

        import_round_trip(s, "scs_keypair.this", &name);

        cloud.change("delete keypair", nova::delete_keypair(client, &name));
        assert_eq!(s.planned_actions("scs_keypair.this"), ["create"]);
        s.destroy();
        assert!(cloud.run(nova::get_keypair(client, &name)).is_none());
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn server_group_life_cycle() {
    harness::on_both_clients("st-group", |s| {
        let cloud = s.cloud();
        let client = cloud.client();
        s.use_config("server_group/create.tf");
        s.init();
        s.apply();
        assert_plan_empty(s, "create");
        let first = id_of(&s.state_resource("scs_server_group.this"));

        s.use_config("server_group/update.tf");
        assert!(is_replace(&s.planned_actions("scs_server_group.this")));
        s.apply();
        assert_plan_empty(s, "update");
        let group = s.state_resource("scs_server_group.this");
        let id = id_of(&group);
        assert_ne!(id, first, "policy change must replace the group");
        assert_eq!(str_of(&group, "policy"), "soft-anti-affinity");
        assert!(cloud.run(nova::get_server_group(client, &first)).is_none());

        import_round_trip(s, "scs_server_group.this", &id);

        cloud.change("delete group", nova::delete_server_group(client, &id));
        assert_eq!(s.planned_actions("scs_server_group.this"), ["create"]);
        s.destroy();
        assert!(cloud.run(nova::get_server_group(client, &id)).is_none());
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn volume_life_cycle() {
    harness::on_both_clients("st-volume", |s| {
        let cloud = s.cloud();
        let client = cloud.client();
        s.use_config("volume/create.tf");
        s.init();
        s.apply();
        assert_plan_empty(s, "create");
        let vol = s.state_resource("scs_volume.this");
        let id = id_of(&vol);
        assert_eq!(str_of(&vol, "status"), "available");
        assert_eq!(vol["size"], 1);

        // Drift: a rename behind terraform's back plans an in-place update.
        let rename = cinder::UpdateVolume {
            name: Some("drifted".into()),
            ..Default::default()
        };
        cloud.change("rename volume", cinder::update_volume(client, &id, &rename));
        assert_eq!(s.planned_actions("scs_volume.this"), ["update"]);

        s.use_config("volume/update.tf");
        assert_eq!(s.planned_actions("scs_volume.this"), ["update"]);
        s.apply();
        assert_plan_empty(s, "update");
        let vol = s.state_resource("scs_volume.this");
        assert_eq!(id_of(&vol), id, "update replaced the volume");
        let api = cloud.run(cinder::get_volume(client, &id)).unwrap();
        assert_eq!(api.size, 2, "extend did not reach the cloud");
        assert_eq!(api.name, format!("{}-vol-renamed", s.name_prefix()));
        assert_eq!(api.metadata.get("extra").map(String::as_str), Some("yes"));

        // A new volume type is a retype in place: same ID, the new type, available again.
        s.set_env("TF_VAR_volume_type", scs_volume_type());
        assert_eq!(s.planned_actions("scs_volume.this"), ["update"]);
        s.apply();
        assert_plan_empty(s, "retype");
        assert_eq!(
            id_of(&s.state_resource("scs_volume.this")),
            id,
            "retype replaced the volume"
        );
        let api = cloud.run(cinder::get_volume(client, &id)).unwrap();
        assert_eq!(api.volume_type.as_deref(), Some(scs_volume_type().as_str()));
        assert_eq!(api.status, "available");
        assert_eq!(api.size, 2, "the retype lost the extend");
        eprintln!(
            "[{}] retyped volume: migration_status {:?}",
            s.client(),
            api.migration_status
        );

        // Shrinking is a plan error that names `size`.
        s.use_config("volume/shrink.tf");
        let out = s.run(&["plan", "-no-color", "-input=false"]);
        out.assert_failure();
        out.assert_contains("Volumes cannot shrink");
        out.assert_contains("size");
        s.use_config("volume/update.tf");

        import_round_trip(s, "scs_volume.this", &id);

        // The same type written as its ID: an update that changes nothing in the cloud, and
        // the ID stays in the state although Cinder reports types by name.
        let by_id = cloud
            .change(
                "find the volume type",
                cinder::find_volume_type(client, &scs_volume_type()),
            )
            .unwrap();
        s.set_env("TF_VAR_volume_type", &by_id.id);
        s.apply();
        assert_plan_empty(s, "naming the volume type by its ID");
        let vol = s.state_resource("scs_volume.this");
        assert_eq!(str_of(&vol, "volume_type"), by_id.id);
        let again = cloud.run(cinder::get_volume(client, &id)).unwrap();
        assert_eq!(again.updated_at, api.updated_at, "no retype expected");

        // A type the project cannot use fails the apply on `volume_type`, before any retype.
        s.set_env("TF_VAR_volume_type", "no-such-type");
        let out = s.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        out.assert_failure();
        out.assert_contains("Unknown volume type");
        out.assert_contains("volume_type");
        let unchanged = cloud.run(cinder::get_volume(client, &id)).unwrap();
        assert_eq!(
            unchanged.volume_type.as_deref(),
            Some(scs_volume_type().as_str())
        );
        assert_eq!(unchanged.status, "available");
        s.set_env("TF_VAR_volume_type", scs_volume_type());
        assert_plan_empty(s, "going back to the type's name");

        cloud.change("delete volume", cinder::delete_volume(client, &id));
        cloud.change(
            "wait for the volume to go",
            cinder::wait_for_volume_deleted(client, &id, deadline(), &Default::default()),
        );
        assert_eq!(s.planned_actions("scs_volume.this"), ["create"]);
        s.destroy();
        assert!(cloud.run(cinder::get_volume(client, &id)).is_none());
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn volume_attachment_life_cycle() {
    harness::on_both_clients("st-attach", |s| {
        let cloud = s.cloud();
        let client = cloud.client();
        s.use_config("volume_attachment/create.tf");
        s.init();
        s.apply();
        assert_plan_empty(s, "create");
        let att = s.state_resource("scs_volume_attachment.this");
        let server_id = str_of(&att, "server_id").to_owned();
        let volume_id = str_of(&att, "volume_id").to_owned();
        assert_eq!(id_of(&att), format!("{server_id}/{volume_id}"));
        assert!(!str_of(&att, "device").is_empty());
        let vol = cloud.run(cinder::get_volume(client, &volume_id)).unwrap();
        assert_eq!(vol.status, "in-use");
        // The volume's own view of the attachment shows after a refresh.
        s.ok(&["refresh", "-no-color", "-input=false"]);
        let vol_state = s.state_resource("scs_volume.this");
        assert_eq!(vol_state["attachments"][0]["server_id"], server_id.as_str());
        assert_plan_empty(s, "refresh");

        // Renaming the attached volume leaves the attachment alone.
        s.set_env("TF_VAR_volume_name", "vol-renamed");
        assert_eq!(s.planned_actions("scs_volume.this"), ["update"]);
        assert_eq!(s.planned_actions("scs_volume_attachment.this"), ["no-op"]);
        s.apply();
        assert_plan_empty(s, "update");

        import_round_trip(s, "scs_volume_attachment.this", &id_of(&att));

        cloud.change(
            "detach the volume",
            nova::detach_volume(client, &server_id, &volume_id),
        );
        cloud.change(
            "wait for the volume to be free",
            cinder::wait_for_volume(
                client,
                &volume_id,
                &["available"],
                deadline(),
                &Default::default(),
            ),
        );
        assert_eq!(s.planned_actions("scs_volume_attachment.this"), ["create"]);
        s.apply();
        assert_plan_empty(s, "re-attach");

        s.destroy();
        assert!(cloud.run(cinder::get_volume(client, &volume_id)).is_none());
        assert!(cloud.run(nova::get_server(client, &server_id)).is_none());
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn flavor_and_image_data_sources_select_by_properties() {
    harness::on_both_clients("st-select", |s| {
        s.use_scenario("flavor");
        s.init();
        s.apply();
        let out = s.ok(&["output", "-json"]).json();
        let small = &out["small"]["value"];
        assert_eq!(small["name"], "SCS-2V-4");
        assert_eq!(small["vcpus"], 2);
        assert_eq!(small["ram"], 4);
        assert_eq!(small["disk"], 0);
        assert_eq!(small["scs_standard"], "mandatory");
        assert_eq!(small["scs"]["cpu_type"], "shared-core");
        assert_eq!(small["extra_specs"]["scs:cpu-type"], "shared-core");
        assert_eq!(out["ssd"]["value"]["name"], "SCS-2V-4-20s");
        assert_eq!(out["ssd"]["value"]["scs"]["disk_type"], "ssd");
        assert_eq!(out["by_v1_name"]["value"], "SCS-2V-4");
        assert_eq!(out["at_least_3"]["value"], "SCS-4V-8");
        assert_plan_empty(s, "flavor lookups");

        s.use_scenario("image");
        s.apply();
        let out = s.ok(&["output", "-json"]).json();
        let ubuntu = &out["ubuntu"]["value"];
        assert_eq!(ubuntu["name"], "Ubuntu 24.04");
        assert_eq!(ubuntu["properties"]["os_distro"], "ubuntu");
        assert!(ubuntu["min_disk_gb"].as_u64().unwrap() >= 1);
        assert!(ubuntu["image_build_date"].is_string());
        assert_eq!(out["debian_name"]["value"], "Debian 12");
        assert_plan_empty(s, "image lookups");

        // The server and the data source resolve the v1 name to the same flavor, and the
        // server keeps the name as configured.
        s.use_scenario("flavor/server");
        s.apply();
        let out = s.ok(&["output", "-json"]).json();
        let server = s.state_resource("scs_server.by_v1_name");
        assert_eq!(str_of(&server, "flavor_name"), "SCS-2V:4");
        let data_source_id = out["data_source_flavor_id"]["value"].as_str().unwrap();
        assert_eq!(str_of(&server, "flavor_id"), data_source_id);
        let cloud = s.cloud();
        let server_id = id_of(&server);
        let nova_server = cloud
            .run(nova::get_server(cloud.client(), &server_id))
            .expect("the server exists");
        assert_eq!(
            nova_server.flavor.original_name.as_deref(),
            Some("SCS-2V-4")
        );
        assert_plan_empty(s, "a server named by its flavor's v1 name");
        s.destroy();
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn plan_time_validation_names_the_attribute() {
    harness::on_both_clients("st-validate", |s| {
        s.write_config(
            r#"
data "scs_flavor" "both" {
  name  = "SCS-2V-4"
  vcpus = 2
}

resource "scs_server_group" "bad" {
  name   = "x"
  policy = "sideways"
}

resource "scs_volume" "two_sources" {
  size        = 1
  image_id    = "a"
  snapshot_id = "b"
}
"#,
        );
        s.init();
        let out = s.run(&["validate", "-no-color"]);
        out.assert_failure();
        for needle in ["vcpus", "policy", "snapshot_id", "Conflicting arguments"] {
            out.assert_contains(needle);
        }
    });
}

/// `examples/quickstart` works as the README says: apply, empty plan, the
/// outputs, destroy, nothing left.
#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn quickstart_applies_and_destroys() {
    harness::on_both_clients("st-quickstart", |s| {
        let cloud = s.cloud();
        let client = cloud.client();
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/main.tf");
        s.write_config(&std::fs::read_to_string(&path).unwrap());
        s.init();
        s.apply();
        assert_plan_empty(s, "applying the quickstart");
        let out = s.ok(&["output", "-json"]).json();
        let address = out["floating_ip"]["value"].as_str().unwrap().to_owned();
        assert!(!address.is_empty());
        let server_id = out["server_id"]["value"].as_str().unwrap().to_owned();
        let server = cloud.run(nova::get_server(client, &server_id)).unwrap();
        assert_eq!(server.status, "ACTIVE");
        let volume_id = id_of(&s.state_resource("scs_volume.data"));
        let vol = cloud.run(cinder::get_volume(client, &volume_id)).unwrap();
        assert_eq!(vol.status, "in-use");
        s.destroy();
        assert!(cloud.run(nova::get_server(client, &server_id)).is_none());
        assert!(cloud.run(cinder::get_volume(client, &volume_id)).is_none());
    });
}

/// A volume Cinder puts into `error` fails the apply with Cinder's reason and
/// stays in state (tainted), so the next plan replaces it and destroy removes
/// it: nothing is orphaned.
#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn volume_in_error_is_kept_in_state_and_tainted() {
    harness::on_both_clients_locally(
        "st-volerr",
        "a volume larger than its backend can hold",
        |s| {
            let cloud = s.cloud();
            let client = cloud.client();
            s.use_config("volume/error.tf");
            s.init();
            let out = s.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
            out.assert_failure();
            out.assert_contains("Volume did not become available");
            // Cinder's own reason (its user message), e.g. "schedule allocate volume: ...".
            out.assert_contains("went to status error: schedule allocate volume");
            eprintln!(
                "[{}] apply of a volume in error:\n{}",
                s.client(),
                out.all()
            );
            let vol = s.state_resource("scs_volume.this");
            let id = id_of(&vol);
            assert_eq!(str_of(&vol, "status"), "error");
            let actions = s.planned_actions("scs_volume.this");
            assert!(
                is_replace(&actions),
                "a tainted volume is replaced, got {actions:?}"
            );
            s.destroy();
            assert!(cloud.run(cinder::get_volume(client, &id)).is_none());
        },
    );
}

/// The volume's attachments as Cinder reports them: (server, attachment id).
fn cinder_attachments(cloud: &Cloud, id: &str) -> Vec<(String, String)> {
    let vol = cloud.run(cinder::get_volume(cloud.client(), id)).unwrap();
    vol.attachments
        .into_iter()
        .map(|a| {
            (
                a.server_id.unwrap_or_default(),
                a.attachment_id.unwrap_or_default(),
            )
        })
        .collect()
}

/// Resets a volume's status with the admin cloud (what an operator does after a failed
/// action leaves a volume in `error_*`), so the scenario can clean up.
fn admin_reset_status(s: &Scenario, id: &str, status: &str) {
    let out = std::process::Command::new("openstack")
        .envs(s.cloud_env())
        .args([
            "--os-cloud",
            "scs-local-admin",
            "volume",
            "set",
            "--state",
            status,
            id,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "volume reset failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Growing and retyping a volume while it is attached: both are updates in place that keep the
/// attachment. The local cloud's Cinder NFS driver cannot extend attached volumes (Zed's
/// driver refuses while attached), so there the online extend is asserted to fail with
/// Cinder's reason and the provider's explanation, with the attachment intact.
#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn attached_volume_grows_and_retypes_in_place() {
    harness::on_both_clients_locally(
        "st-online",
        "the seeded volume type `replicated`, the NFS backend and its admin account",
        |s| {
            let cloud = s.cloud();
            let client = cloud.client();
            s.use_config("volume_attachment/create.tf");
            s.init();
            s.apply();
            let att = s.state_resource("scs_volume_attachment.this");
            let server_id = str_of(&att, "server_id").to_owned();
            let volume_id = str_of(&att, "volume_id").to_owned();
            let attached = cinder_attachments(&cloud, &volume_id);
            assert_eq!(attached.len(), 1);
            assert_eq!(attached[0].0, server_id);

            // Grow while attached: the request asks for microversion 3.42.
            s.set_env("TF_VAR_volume_size", "2");
            assert_eq!(s.planned_actions("scs_volume.this"), ["update"]);
            assert_eq!(s.planned_actions("scs_volume_attachment.this"), ["no-op"]);
            let out = s.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
            eprintln!("[{}] online extend:\n{}", s.client(), out.all());
            let vol = cloud.run(cinder::get_volume(client, &volume_id)).unwrap();
            let now_attached = cinder_attachments(&cloud, &volume_id);
            let on_server = cloud.run(nova::list_volume_attachments(client, &server_id));
            // Reset first, so that a failed assertion below still lets the cleanup detach it.
            if vol.status == "error_extending" {
                admin_reset_status(s, &volume_id, "in-use");
            }
            out.assert_failure();
            out.assert_contains("Volume extension did not finish");
            out.assert_contains("error_extending");
            // Cinder's user message, then ours on what it means and how to get out.
            out.assert_contains("Volume Driver failed to extend volume");
            out.assert_contains("could not extend it while attached");
            assert_eq!(vol.size, 1);
            assert_eq!(vol.status, "error_extending");
            assert_eq!(
                now_attached, attached,
                "the failed extend changed the attachment"
            );
            assert!(on_server.iter().any(|a| a.volume_id == volume_id));

            // Retype while attached: Cinder migrates, Nova swaps the server over, same volume ID.
            s.set_env("TF_VAR_volume_size", "1");
            s.set_env("TF_VAR_volume_type", scs_volume_type());
            assert_eq!(s.planned_actions("scs_volume.this"), ["update"]);
            s.apply();
            assert_plan_empty(s, "retyping the attached volume");
            let vol = cloud.run(cinder::get_volume(client, &volume_id)).unwrap();
            assert_eq!(vol.volume_type.as_deref(), Some(scs_volume_type().as_str()));
            assert_eq!(vol.status, "in-use");
            let now = cinder_attachments(&cloud, &volume_id);
            assert_eq!(now.len(), 1);
            assert_eq!(now[0].0, server_id, "the retype moved the attachment");

            s.destroy();
            assert!(cloud.run(cinder::get_volume(client, &volume_id)).is_none());
        },
    );
}
