//! Compute resources (keypairs, server groups, servers) and the flavor and image data sources
//! through the plugin protocol against the fake cloud.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::lifecycle::{self, Case};
use support::{Tf, js, os, paths, s};
use tfplugin::value::Value;

const PUBLIC_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvVYBbl3WXd8aNo4BXnK5XsVhQmYhLqnbYnR2tFdZ0y test";

/// Flavors and images as an SCS cloud offers them.
fn seed_compute(tf: &Tf) -> (String, String) {
    for (name, vcpus, ram, disk) in [
        ("SCS-1V-2-20", 1, 2048, 20),
        ("SCS-2V-4-20", 2, 4096, 20),
        ("SCS-2V-8-50", 2, 8192, 50),
        ("SCS-4V-16", 4, 16384, 0),
    ] {
        tf.cloud.insert(
            os::FLAVORS,
            json!({"id": format!("flv-{name}"), "name": name, "vcpus": vcpus, "ram": ram,
                "disk": disk}),
        );
    }
    let image = tf.cloud.insert(
        os::IMAGES,
        json!({"name": "Ubuntu 24.04", "os_distro": "ubuntu", "os_version": "24.04",
            "os_purpose": "generic", "min_disk": 5, "created_at": "2026-01-10T00:00:00Z"}),
    );
    let net = tf.cloud.insert(os::NETWORKS, json!({"name": "app"}));
    (
        image["id"].as_str().unwrap().to_owned(),
        net["id"].as_str().unwrap().to_owned(),
    )
}

fn keypair_case() -> Case<'static> {
    Case {
        type_name: "scs_keypair",
        collection: os::KEYPAIRS.into(),
        config: json!({"name": "deploy", "public_key": PUBLIC_KEY}),
        config_only: &[],
    }
}

#[tokio::test]
async fn keypair_life_cycle() {
    let tf = Tf::start().await;
    let case = keypair_case();
    let state = lifecycle::full(&tf, &case, |st| s(st, "name").to_owned()).await;
    assert!(s(&state, "fingerprint").starts_with("fa:ke:"));
    assert_eq!(s(&state, "public_key"), PUBLIC_KEY);
    let sent = tf.bodies("POST", os::KEYPAIRS);
    assert_eq!(sent[0]["keypair"]["public_key"], json!(PUBLIC_KEY));
    // Every argument forces a new keypair.
    let fresh = tf.create("scs_keypair", case.config.clone()).await;
    let config = tf.config(
        "scs_keypair",
        &json!({"name": "deploy-2", "public_key": PUBLIC_KEY}),
    );
    let (_, replace) = tf.plan("scs_keypair", &fresh, &config).await;
    assert_eq!(replace, ["name"]);
}

/// A keypair that existed before is another configuration's until the user says otherwise: it is
/// taken over only with adopt_existing, and only when it has the same public key.
#[tokio::test]
async fn an_existing_keypair_is_adopted_only_when_asked_and_only_with_the_same_key() {
    let tf = Tf::start().await;
    tf.cloud.insert(
        os::KEYPAIRS,
        json!({"name": "deploy", "public_key": PUBLIC_KEY, "fingerprint": "fa:ke:1"}),
    );
    let refused = tf.try_create("scs_keypair", keypair_case().config).await;
    let error = refused.errors.join("\n");
    assert!(error.contains("already exists"), "{error}");
    assert!(
        error.contains("terraform import scs_keypair.NAME deploy"),
        "{error}"
    );
    assert!(error.contains("req-keypair-exists"), "{error}");

    let other_key = json!({"name": "deploy", "adopt_existing": true,
        "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBB other"});
    let refused = tf.try_create("scs_keypair", other_key).await;
    assert!(
        refused.errors.join("\n").contains("already exists"),
        "{refused:?}"
    );

    let adopt = json!({"name": "deploy", "public_key": PUBLIC_KEY, "adopt_existing": true});
    let adopted = tf.create("scs_keypair", adopt).await;
    assert_eq!(s(&adopted, "fingerprint"), "fa:ke:1");
    assert_eq!(js(&adopted)["adopt_existing"], json!(true));
}

#[tokio::test]
async fn keypair_whose_create_answer_is_lost_is_the_one_in_the_cloud() {
    let tf = Tf::start().await;
    tf.cloud.on(
        "POST",
        os::KEYPAIRS,
        vec![scs_client::test_util::Action::LoseAnswer],
    );
    let state = tf.create("scs_keypair", keypair_case().config).await;
    assert_eq!(s(&state, "id"), "deploy");
    assert_eq!(tf.cloud.objects(os::KEYPAIRS).len(), 1);
}

#[tokio::test]
async fn keypair_of_the_same_name_but_another_key_is_not_taken_over() {
    let tf = Tf::start().await;
    let other = PUBLIC_KEY.replace("AAAAIBvV", "AAAAIXyz");
    tf.create(
        "scs_keypair",
        json!({"name": "deploy", "public_key": other}),
    )
    .await;
    let answer = tf.try_create("scs_keypair", keypair_case().config).await;
    let error = answer.failed();
    assert!(error.contains("Cannot create keypair"), "{error}");
    assert!(
        answer.value.is_null(),
        "nothing adopted: {:?}",
        answer.value
    );
}

#[tokio::test]
async fn keypair_import_of_an_empty_name_is_refused() {
    let tf = Tf::start().await;
    let answer = tf.import("scs_keypair", " ").await;
    assert!(answer.failed().contains("Invalid import ID"));
}

/// Server groups have no tags or creation time: what tells the group a create made from an older
/// one of the same name is a listing taken before the request.
#[tokio::test]
async fn a_server_group_whose_create_answer_is_lost_is_found_and_an_older_one_left_alone() {
    let tf = Tf::start().await;
    let older = tf.cloud.insert(
        os::SERVER_GROUPS,
        json!({"name": "spread", "policy": "soft-anti-affinity", "members": []}),
    );
    tf.cloud.on(
        "POST",
        os::SERVER_GROUPS,
        vec![scs_client::test_util::Action::LoseAnswer],
    );
    let state = tf
        .create(
            "scs_server_group",
            json!({"name": "spread", "policy": "soft-anti-affinity"}),
        )
        .await;
    assert_ne!(js(&state)["id"], older["id"], "the older group was taken");
    assert_eq!(tf.cloud.objects(os::SERVER_GROUPS).len(), 2);
    assert_eq!(tf.cloud.hits("POST", os::SERVER_GROUPS).len(), 1);
}

#[tokio::test]
async fn server_group_life_cycle() {
    let tf = Tf::start().await;
    let case = Case {
        type_name: "scs_server_group",
        collection: os::SERVER_GROUPS.into(),
        config: json!({"name": "spread", "policy": "soft-anti-affinity"}),
        config_only: &[],
    };
    let state = lifecycle::full(&tf, &case, |st| s(st, "id").to_owned()).await;
    assert_eq!(s(&state, "policy"), "soft-anti-affinity");
    let sent = tf.bodies("POST", os::SERVER_GROUPS);
    assert_eq!(
        sent[0]["server_group"]["policy"],
        json!("soft-anti-affinity")
    );
}

fn server_case(image: &str, net: &str) -> Case<'static> {
    Case {
        type_name: "scs_server",
        collection: os::SERVERS.into(),
        config: json!({"name": "web-1", "flavor_name": "SCS-2V-4-20", "image_id": image,
            "network": [{"uuid": net}], "metadata": {"role": "web"}}),
        config_only: &[
            "timeouts",
            "stop_before_destroy",
            "user_data",
            "user_data_wo_version",
        ],
    }
}

#[tokio::test]
async fn server_life_cycle() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    let case = server_case(&image, &net);
    let state = lifecycle::create_and_read(&tf, &case).await;
    assert_eq!(s(&state, "flavor_id"), "flv-SCS-2V-4-20");
    assert_eq!(s(&state, "status"), "ACTIVE");
    let sent = tf.bodies("POST", os::SERVERS);
    assert_eq!(sent[0]["server"]["flavorRef"], json!("flv-SCS-2V-4-20"));
    assert_eq!(sent[0]["server"]["imageRef"], json!(image));
    assert_eq!(sent[0]["server"]["networks"], json!([{"uuid": net}]));
    // The server is created with the provider's owner tag, which the state does not show.
    assert_eq!(
        sent[0]["server"]["tags"],
        json!(["managed-by=terraform-provider-scs"])
    );
    assert!(js(&state)["tags"].is_null(), "{state:?}");
    let network = js(&state)["network"].clone();
    assert_eq!(network[0]["uuid"], json!(net));
    assert!(
        network[0]["fixed_ip_v4"]
            .as_str()
            .is_some_and(|ip| ip.starts_with("10.0.0.")),
        "{network}"
    );

    lifecycle::import_matches(&tf, &case, s(&state, "id"), &state).await;
    lifecycle::destroy_deletes(&tf, &case, &state).await;
    let state = lifecycle::create_and_read(&tf, &case).await;
    lifecycle::vanished_reads_as_gone(&tf, &case, &state).await;
    lifecycle::create_error_is_reported(&tf, &case, 403).await;
    lifecycle::create_error_is_reported(&tf, &case, 500).await;
}

#[tokio::test]
async fn server_update_sends_only_changed_fields() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    let case = server_case(&image, &net);
    let state = tf.create("scs_server", case.config.clone()).await;
    let id = s(&state, "id").to_owned();
    let mut config = case.config.clone();
    config["name"] = json!("web-2");
    let updated = tf.update("scs_server", &state, config.clone()).await;
    assert_eq!(
        tf.bodies("PUT", &format!("{}/{id}", os::SERVERS)),
        [json!({"server": {"name": "web-2"}})]
    );
    assert!(
        tf.bodies("PUT", &format!("{}/{id}/metadata", os::SERVERS))
            .is_empty()
    );
    assert_eq!(s(&updated, "name"), "web-2");

    config["metadata"] = json!({"role": "web", "tier": "front"});
    let updated = tf.update("scs_server", &updated, config).await;
    let meta = tf.bodies("PUT", &format!("{}/{id}/metadata", os::SERVERS));
    assert_eq!(
        meta,
        [json!({"metadata": {"role": "web", "tier": "front"}})]
    );
    assert_eq!(js(&updated)["metadata"]["tier"], json!("front"));
    assert_eq!(s(&updated, "id"), id);
}

#[tokio::test]
async fn server_in_error_is_kept_in_state_with_the_fault() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    tf.cloud.handle("POST", os::SERVERS, |store, req, _| {
        let mut server = req.json()["server"].clone();
        server["status"] = json!("ERROR");
        server["fault"] = json!({"code": 500, "message": "No valid host was found."});
        server["flavor"] = json!({"original_name": "SCS-2V-4-20", "vcpus": 2, "ram": 4096,
            "disk": 20, "extra_specs": {}});
        let stored = store.insert(os::SERVERS, server);
        scs_client::test_util::Action::Json(202, json!({"server": stored}))
    });
    let answer = tf
        .try_create("scs_server", server_case(&image, &net).config)
        .await;
    let error = answer.failed();
    assert!(error.contains("No valid host was found."), "{error}");
    let id = s(&answer.value, "id").to_owned();
    assert!(tf.cloud.object(os::SERVERS, &id).is_some());
}

#[tokio::test]
async fn server_with_an_unknown_flavor_is_refused_at_plan() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    let mut config = server_case(&image, &net).config;
    config["flavor_name"] = json!("SCS-64V-512");
    let config = tf.config("scs_server", &config);
    let (planned, _) = tf.plan("scs_server", &Value::Null, &config).await;
    let error = planned.failed();
    assert!(error.contains("no flavor named \"SCS-64V-512\""), "{error}");
    assert!(
        tf.cloud.hits("POST", os::SERVERS).is_empty(),
        "nothing created"
    );
}

#[tokio::test]
async fn flavor_data_source_by_name_and_by_requirements() {
    let tf = Tf::start().await;
    seed_compute(&tf);
    let by_name = tf
        .read_data("scs_flavor", json!({"name": "SCS-2V-8-50"}))
        .await
        .ok();
    assert_eq!(s(&by_name, "id"), "flv-SCS-2V-8-50");
    assert_eq!(js(&by_name)["ram"], json!(8));

    let smallest = tf
        .read_data("scs_flavor", json!({"vcpus": 2, "ram": 4}))
        .await
        .ok();
    assert_eq!(s(&smallest, "name"), "SCS-2V-4-20");
    let big_disk = tf
        .read_data("scs_flavor", json!({"vcpus": 2, "disk": 40}))
        .await
        .ok();
    assert_eq!(s(&big_disk, "name"), "SCS-2V-8-50");

    let none = tf
        .read_data("scs_flavor", json!({"name": "SCS-64V-512"}))
        .await;
    assert!(none.failed().contains("SCS-64V-512"));
    let none = tf.read_data("scs_flavor", json!({"vcpus": 64})).await;
    none.failed();
}

#[tokio::test]
async fn image_data_source_by_name_properties_and_ambiguity() {
    let tf = Tf::start().await;
    let (image, _) = seed_compute(&tf);
    let found = tf
        .read_data("scs_image", json!({"name": "Ubuntu 24.04"}))
        .await
        .ok();
    assert_eq!(s(&found, "id"), image);
    let found = tf
        .read_data(
            "scs_image",
            json!({"os_distro": "ubuntu", "os_version": "24.04"}),
        )
        .await
        .ok();
    assert_eq!(s(&found, "id"), image);

    let none = tf.read_data("scs_image", json!({"name": "Windows"})).await;
    assert!(none.failed().contains("Windows"));

    let newer = tf.cloud.insert(
        os::IMAGES,
        json!({"name": "Ubuntu 24.04", "os_distro": "ubuntu", "os_version": "24.04",
            "os_purpose": "generic", "created_at": "2026-03-01T00:00:00Z"}),
    );
    let two = tf
        .read_data("scs_image", json!({"name": "Ubuntu 24.04"}))
        .await;
    let error = two.failed();
    assert!(
        error.contains(&image) && error.contains(newer["id"].as_str().unwrap()),
        "{error}"
    );
    let latest = tf
        .read_data(
            "scs_image",
            json!({"name": "Ubuntu 24.04", "most_recent": true}),
        )
        .await
        .ok();
    assert_eq!(js(&latest)["id"], newer["id"]);
}

#[tokio::test]
async fn a_vanished_server_group_reads_as_gone_and_its_delete_404_is_success() {
    let tf = Tf::start().await;
    let state = tf
        .create(
            "scs_server_group",
            json!({"name": "g", "policy": "anti-affinity"}),
        )
        .await;
    let path = format!("{}/{}", os::SERVER_GROUPS, s(&state, "id"));
    tf.cloud.fail(
        "DELETE",
        &path,
        404,
        "Server group could not be found.",
        "req-404",
    );
    assert!(
        tf.destroy("scs_server_group", &state)
            .await
            .errors
            .is_empty()
    );
    assert_eq!(tf.cloud.hits("DELETE", &path).len(), 1);
}

/// User data that Nova would refuse as too long fails validation on `user_data`, with sizes
/// only: the value is sensitive.
#[tokio::test]
async fn user_data_over_novas_limit_is_refused_before_the_cloud_sees_it() {
    let tf = Tf::start().await;
    let server = |user_data: String| {
        json!({"name": "web-1", "flavor_name": "SCS-2V-4-20", "image_name": "Ubuntu 24.04",
            "user_data": user_data})
    };
    let fits = format!("#cloud-config\n{}", "s".repeat(49_149 - 14));
    assert!(
        tf.validate_offline("scs_server", &server(fits))
            .await
            .is_empty()
    );
    let too_big = format!("#cloud-config\n{}", "s".repeat(49_150 - 14));
    let problems = tf.validate_offline("scs_server", &server(too_big)).await;
    assert_eq!(paths(&problems), ["user_data"], "{problems:#?}");
    let detail = &problems[0].detail;
    assert!(
        detail.contains("65535") && detail.contains("49150 bytes"),
        "{detail}"
    );
    assert!(
        !detail.contains("cloud-config") && !detail.contains("sss"),
        "{detail}"
    );
}

/// Nova's 400 for bad user data quotes it, as sent (Base64) and decoded: the diagnostic shows
/// neither form.
#[tokio::test]
async fn a_cloud_error_quoting_the_user_data_does_not_show_it() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    const USER_DATA: &str = "#cloud-config\npassword: hunter2-S3cret\n";
    const SENT: &str = "I2Nsb3VkLWNvbmZpZwpwYXNzd29yZDogaHVudGVyMi1TM2NyZXQK";
    tf.cloud.fail(
        "POST",
        os::SERVERS,
        400,
        &format!(
            "Invalid input for field/attribute user_data. Value: {SENT}. '{SENT}' is not a \
             'base64'; it reads {USER_DATA}"
        ),
        "req-user-data",
    );
    let answer = tf
        .try_create(
            "scs_server",
            json!({"name": "web-1", "flavor_name": "SCS-2V-4-20", "image_id": image,
                "network": [{"uuid": net}], "user_data": USER_DATA}),
        )
        .await;
    let error = answer.failed();
    let sent = tf.bodies("POST", os::SERVERS);
    assert_eq!(
        sent[0]["server"]["user_data"],
        json!(SENT),
        "the request carried it"
    );
    assert!(
        error.contains("Invalid input for field/attribute user_data"),
        "{error}"
    );
    assert!(error.contains("req-user-data"), "{error}");
    for leaked in [SENT, "hunter2", USER_DATA] {
        assert!(!error.contains(leaked), "{leaked:?} shown in: {error}");
    }
}

/// Problems of one network block point at that block, a size that is no whole number points at
/// its attribute, and names Nova refuses fail validation on `name`.
#[tokio::test]
async fn server_problems_point_at_their_attribute() {
    let tf = Tf::start().await;
    let server = json!({"name": "web-1", "flavor_name": "SCS-2V-4-20",
        "image_name": "Ubuntu 24.04", "network": [{"uuid": "u"}, {}, {"uuid": "u", "name": "n"}]});
    let problems = tf.validate_offline("scs_server", &server).await;
    assert_eq!(
        paths(&problems),
        ["network[1]", "network[2]"],
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .all(|p| p.summary == "Network block needs exactly one network")
    );

    // A size that is no whole number is one problem on its attribute; the other checks still run.
    let mut fractional = server.clone();
    fractional["root_volume_size"] = json!(20.5);
    let problems = tf.validate_offline("scs_server", &fractional).await;
    assert_eq!(
        paths(&problems),
        ["root_volume_size", "network[1]", "network[2]"],
        "{problems:#?}"
    );

    for name in [" web-1", "web-1 ", "web\t1", ""] {
        let config = json!({"name": name, "flavor_name": "SCS-2V-4-20",
            "image_name": "Ubuntu 24.04"});
        let problems = tf.validate_offline("scs_server", &config).await;
        assert_eq!(paths(&problems), ["name"], "{name:?}: {problems:#?}");
    }
    let problems = tf
        .validate_offline(
            "scs_keypair",
            &json!({"name": "deploy\n", "public_key": PUBLIC_KEY}),
        )
        .await;
    assert_eq!(paths(&problems), ["name"], "{problems:#?}");
    let problems = tf
        .validate_offline(
            "scs_server_group",
            &json!({"name": "x".repeat(256), "policy": "anti-affinity"}),
        )
        .await;
    assert_eq!(paths(&problems), ["name"], "{problems:#?}");
}

/// A server names its flavor and its image one way each: by ID or by name.
#[tokio::test]
async fn a_flavor_or_image_given_both_ways_is_a_conflict_on_the_name() {
    let tf = Tf::start().await;
    let server = json!({"name": "web-1", "flavor_id": "f", "flavor_name": "SCS-2V-4-20",
        "image_id": "i", "image_name": "Ubuntu 24.04", "network": [{"uuid": "u"}]});
    let problems = tf.validate_offline("scs_server", &server).await;
    assert_eq!(
        paths(&problems),
        ["flavor_name", "image_name"],
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .all(|p| p.summary == "Conflicting arguments")
    );
}

const SECRET_USER_DATA: &str = "#cloud-config\nchpasswd: {list: 'root:Wr1te-Only-S3cret'}\n";

fn write_only_server(image: &str, net: &str, version: i64) -> serde_json::Value {
    json!({"name": "web-1", "flavor_name": "SCS-2V-4-20", "image_id": image,
        "network": [{"uuid": net}], "user_data_wo": SECRET_USER_DATA,
        "user_data_wo_version": version})
}

/// A client without write-only attributes (none announced, as before Terraform and OpenTofu
/// 1.11) would store `user_data_wo` in state: it gets an error on the attribute naming the client
/// versions that can. One that announces them may use it.
#[tokio::test]
async fn user_data_wo_needs_a_client_with_write_only_attributes() {
    use tfplugin::proto::tfplugin6 as pb;
    let tf = Tf::start().await;
    let config = write_only_server("img", "net", 1);
    let old_client = tf.validate_offline("scs_server", &config).await;
    assert_eq!(paths(&old_client), ["user_data_wo"], "{old_client:#?}");
    let detail = &old_client[0].detail;
    assert!(
        detail.contains("Terraform 1.11") && detail.contains("OpenTofu 1.11"),
        "{detail}"
    );
    assert!(!detail.contains("Wr1te-Only"), "{detail}");
    let declined = tf
        .validate_from(
            "scs_server",
            &config,
            Some(pb::ClientCapabilities {
                write_only_attributes_allowed: false,
                ..Default::default()
            }),
        )
        .await;
    assert_eq!(paths(&declined), ["user_data_wo"]);
    let able = tf
        .validate_from(
            "scs_server",
            &config,
            Some(pb::ClientCapabilities {
                write_only_attributes_allowed: true,
                ..Default::default()
            }),
        )
        .await;
    assert!(able.is_empty(), "{able:#?}");
    // Without user_data_wo nothing changes for old clients.
    let mut plain = config.clone();
    plain.as_object_mut().unwrap().remove("user_data_wo");
    plain
        .as_object_mut()
        .unwrap()
        .remove("user_data_wo_version");
    assert!(tf.validate_offline("scs_server", &plain).await.is_empty());
}

#[tokio::test]
async fn user_data_and_user_data_wo_conflict() {
    let tf = Tf::start().await;
    let mut config = write_only_server("img", "net", 1);
    config["user_data"] = json!("#cloud-config\n");
    let problems = tf.validate_offline("scs_server", &config).await;
    assert!(paths(&problems).contains(&"user_data_wo"), "{problems:#?}");
    let mut version_alone = write_only_server("img", "net", 1);
    version_alone
        .as_object_mut()
        .unwrap()
        .remove("user_data_wo");
    // A version without the text it versions names what is missing.
    let problems = tf.validate_offline("scs_server", &version_alone).await;
    assert_eq!(paths(&problems), ["user_data_wo"], "{problems:#?}");
    assert!(
        problems[0].detail.contains("user_data_wo_version"),
        "{problems:#?}"
    );
}

/// `user_data_wo` reaches Nova as user data, and neither the plan nor the state holds it; a new
/// `user_data_wo_version` replaces the server, new text alone changes nothing.
#[tokio::test]
async fn user_data_wo_reaches_nova_but_no_plan_or_state() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    let config = tf.config("scs_server", &write_only_server(&image, &net, 1));
    let (planned, _) = tf.plan("scs_server", &Value::Null, &config).await;
    let planned = planned.ok();
    assert_eq!(planned.attr("user_data_wo"), Some(&Value::Null));
    let state = tf
        .apply("scs_server", &Value::Null, &planned, &config)
        .await
        .ok();
    let sent = tf.bodies("POST", os::SERVERS);
    assert_eq!(
        sent[0]["server"]["user_data"],
        json!("I2Nsb3VkLWNvbmZpZwpjaHBhc3N3ZDoge2xpc3Q6ICdyb290OldyMXRlLU9ubHktUzNjcmV0J30K"),
        "Nova gets the user data, Base64-encoded"
    );
    assert_eq!(state.attr("user_data_wo"), Some(&Value::Null));
    assert_eq!(state.attr("user_data_wo_version"), Some(&Value::from(1)));
    assert_eq!(state.attr("user_data"), Some(&Value::Null));
    for (what, value) in [("plan", &planned), ("state", &state)] {
        // As the client receives it (msgpack).
        let wire = tfplugin::value::encode_msgpack(value, &value.infer_type()).unwrap();
        assert!(
            !wire.windows(10).any(|w| w == b"Wr1te-Only"),
            "the {what} holds it: {value:?}"
        );
    }
    let refreshed = tf.read("scs_server", &state).await.ok();
    assert_eq!(refreshed.attr("user_data_wo"), Some(&Value::Null));

    // Other text, same version: nothing to do (a write-only value is compared with nothing).
    let mut other_text = write_only_server(&image, &net, 1);
    other_text["user_data_wo"] = json!("#cloud-config\n# other\n");
    let other_text = tf.config("scs_server", &other_text);
    let (planned, replace) = tf.plan("scs_server", &refreshed, &other_text).await;
    assert!(replace.is_empty(), "{replace:?}");
    assert_eq!(planned.ok(), refreshed);

    // A new version replaces the server.
    let next = tf.config("scs_server", &write_only_server(&image, &net, 2));
    let (planned, replace) = tf.plan("scs_server", &refreshed, &next).await;
    assert_eq!(replace, ["user_data_wo_version"]);
    assert_eq!(planned.ok().attr("user_data_wo"), Some(&Value::Null));
}
