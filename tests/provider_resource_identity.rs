//! Resource identity and list resources through the plugin protocol against the fake cloud: the
//! identity schemas, the identity on apply, refresh and import (by ID and by identity), and what
//! `terraform query` finds with its filters.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::resource_identity::id_region;
use support::{Tf, js, os, paths, s};
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::value::Value;
use tonic::Request;

/// Flavors, an image and a network, as a server needs them.
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

fn server_config(name: &str, image: &str, net: &str) -> serde_json::Value {
    json!({"name": name, "flavor_name": "SCS-2V-4-20", "image_id": image,
        "network": [{"uuid": net}]})
}

#[tokio::test]
async fn every_resource_has_an_identity_of_its_id_parts_and_its_region_where_it_has_one() {
    let tf = Tf::start().await;
    let schemas = tf.identity_schemas().await;
    assert!(schemas.diagnostics.is_empty(), "{:?}", schemas.diagnostics);
    let mut types: Vec<&String> = schemas.identity_schemas.keys().collect();
    types.sort();
    assert_eq!(types, tf.resource_types().iter().collect::<Vec<_>>());
    for (type_name, schema) in &schemas.identity_schemas {
        let (required, regional): (&[&str], bool) = match type_name.as_str() {
            "scs_volume_attachment" => (&["server_id", "volume_id"], true),
            // Kubernetes objects: a namespace and a name, in no OpenStack region.
            "scs_cluster" | "scs_cluster_stack" => (&["name", "namespace"], false),
            _ => (&["id"], true),
        };
        let attrs: Vec<(&str, bool, bool)> = schema
            .identity_attributes
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.required_for_import,
                    a.optional_for_import,
                )
            })
            .collect();
        // The protocol lists them by name.
        let mut want: Vec<(&str, bool, bool)> = required
            .iter()
            .map(|n| (*n, true, false))
            .chain(regional.then_some(("region", false, true)))
            .collect();
        want.sort();
        assert_eq!(attrs, want, "{type_name}");
        assert_eq!(schema.version, 0);
        assert!(
            schema
                .identity_attributes
                .iter()
                .all(|a| !a.description.is_empty()),
            "{type_name}: every identity attribute is described"
        );
    }
}

#[tokio::test]
async fn list_resources_are_announced_for_the_main_types() {
    let tf = Tf::start().await;
    let mut listed: Vec<String> = tf.list_schemas().await.into_keys().collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            "scs_network",
            "scs_port",
            "scs_router",
            "scs_security_group",
            "scs_server",
            "scs_subnet",
            "scs_volume",
        ]
    );
    let meta = tf
        .dispatch()
        .get_metadata(Request::new(pb::get_metadata::Request {}))
        .await
        .unwrap()
        .into_inner();
    let mut meta_listed: Vec<String> = meta
        .list_resources
        .into_iter()
        .map(|l| l.type_name)
        .collect();
    meta_listed.sort();
    assert_eq!(meta_listed, listed);
    let server = &tf.list_schemas().await["scs_server"];
    let names: Vec<&str> = server
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["name", "region", "tags"]);
}

#[tokio::test]
async fn a_network_keeps_one_identity_through_create_update_refresh_and_import() {
    let tf = Tf::start().await;
    let (created, planned_identity, identity) = tf
        .apply_with_identity("scs_network", &Value::Null, json!({"name": "app"}))
        .await;
    let state = created.ok();
    assert!(
        planned_identity.is_null(),
        "a new object has no identity yet"
    );
    let id = s(&state, "id").to_owned();
    assert_eq!(js(&identity), id_region(&id, "RegionOne"));

    let (updated, planned_identity, after_update) = tf
        .apply_with_identity("scs_network", &state, json!({"name": "app-2"}))
        .await;
    let updated = updated.ok();
    assert_eq!(s(&updated, "name"), "app-2");
    assert_eq!(planned_identity, identity, "an update keeps the identity");
    assert_eq!(after_update, identity);

    // The identity Terraform stored is the one planned, also for a state that lacks the region.
    let mut no_region = updated.clone();
    if let Value::Object(fields) = &mut no_region {
        fields.insert("region".into(), Value::Null);
    }
    let stored = tf
        .planned_identity(
            "scs_network",
            &no_region,
            json!({"name": "app-2"}),
            &identity,
        )
        .await;
    assert_eq!(stored, identity);

    let (read, read_identity) = tf.read_with_identity("scs_network", &updated).await;
    assert_eq!(js(&read.ok()), js(&updated));
    assert_eq!(read_identity, identity);

    let (by_id, by_id_identity) = tf.import_with_identity("scs_network", &id).await;
    let by_id = by_id.ok();
    assert_eq!(by_id_identity, identity);

    // Only the required attribute: the provider's region is filled in.
    let only_id = tf.identity("scs_network", json!({"id": id})).await;
    let (by_identity, by_identity_identity) = tf.import_by_identity("scs_network", &only_id).await;
    assert_eq!(js(&by_identity.ok()), js(&by_id));
    assert_eq!(by_identity_identity, identity);

    let full = tf
        .identity("scs_network", id_region(&id, "RegionOne"))
        .await;
    let (again, again_identity) = tf.import_by_identity("scs_network", &full).await;
    assert_eq!(js(&again.ok()), js(&by_id));
    assert_eq!(again_identity, identity);

    // Destroy plans keep the identity of the object they delete; the apply returns none.
    let (destroyed, _, gone_identity) = tf
        .apply_with_identity("scs_network", &updated, serde_json::Value::Null)
        .await;
    assert!(destroyed.ok().is_null());
    assert!(gone_identity.is_null());
}

#[tokio::test]
async fn import_by_identity_without_its_id_names_the_attribute() {
    let tf = Tf::start().await;
    let identity = tf
        .identity("scs_volume", json!({"region": "RegionOne"}))
        .await;
    let (answer, _) = tf.import_by_identity("scs_volume", &identity).await;
    let error = answer.failed();
    assert!(
        error.contains("Missing required identity attribute"),
        "{error}"
    );
    assert!(error.contains("needs id"), "{error}");
}

#[tokio::test]
async fn import_by_identity_of_a_missing_object_finds_nothing() {
    let tf = Tf::start().await;
    let identity = tf
        .identity("scs_volume", json!({"id": "no-such-volume"}))
        .await;
    let (answer, identity) = tf.import_by_identity("scs_volume", &identity).await;
    assert!(
        answer.ok().is_null(),
        "the read after the import finds no volume"
    );
    assert!(identity.is_null());
}

#[tokio::test]
async fn a_volume_and_a_server_import_by_identity_as_by_id() {
    let tf = Tf::start().await;
    let volume = tf
        .create("scs_volume", json!({"name": "data", "size": 1}))
        .await;
    let vid = s(&volume, "id").to_owned();
    let (by_id, by_id_identity) = tf.import_with_identity("scs_volume", &vid).await;
    let identity = tf.identity("scs_volume", json!({"id": vid})).await;
    let (by_identity, identity) = tf.import_by_identity("scs_volume", &identity).await;
    assert_eq!(js(&by_identity.ok()), js(&by_id.ok()));
    assert_eq!(identity, by_id_identity);
    assert_eq!(js(&identity), id_region(&vid, "RegionOne"));

    let (image, net) = seed_compute(&tf);
    let server = tf
        .create("scs_server", server_config("web-1", &image, &net))
        .await;
    let sid = s(&server, "id").to_owned();
    let (by_id, by_id_identity) = tf.import_with_identity("scs_server", &sid).await;
    let identity = tf
        .identity("scs_server", id_region(&sid, "RegionOne"))
        .await;
    let (by_identity, identity) = tf.import_by_identity("scs_server", &identity).await;
    assert_eq!(js(&by_identity.ok()), js(&by_id.ok()));
    assert_eq!(identity, by_id_identity);
    let (_, read_identity) = tf.read_with_identity("scs_server", &server).await;
    assert_eq!(
        read_identity, identity,
        "import and apply agree on the identity"
    );
}

#[tokio::test]
async fn a_volume_attachment_identity_is_its_server_and_volume() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    let server = tf
        .create("scs_server", server_config("db", &image, &net))
        .await;
    let volume = tf
        .create("scs_volume", json!({"name": "db-data", "size": 1}))
        .await;
    let (attached, _, identity) = tf
        .apply_with_identity(
            "scs_volume_attachment",
            &Value::Null,
            json!({"server_id": s(&server, "id"), "volume_id": s(&volume, "id")}),
        )
        .await;
    let attached = attached.ok();
    let id = format!("{}/{}", s(&server, "id"), s(&volume, "id"));
    assert_eq!(s(&attached, "id"), id);
    assert_eq!(
        js(&identity),
        json!({"server_id": s(&server, "id"), "volume_id": s(&volume, "id"),
            "region": "RegionOne"})
    );
    let by_identity = tf
        .identity(
            "scs_volume_attachment",
            json!({"server_id": s(&server, "id"), "volume_id": s(&volume, "id")}),
        )
        .await;
    let (imported, imported_identity) = tf
        .import_by_identity("scs_volume_attachment", &by_identity)
        .await;
    assert_eq!(s(&imported.ok(), "id"), id);
    assert_eq!(imported_identity, identity);
    let (by_id, by_id_identity) = tf.import_with_identity("scs_volume_attachment", &id).await;
    assert_eq!(s(&by_id.ok(), "volume_id"), s(&volume, "id"));
    assert_eq!(by_id_identity, identity);
    let only_server = tf
        .identity(
            "scs_volume_attachment",
            json!({"server_id": s(&server, "id")}),
        )
        .await;
    let (refused, _) = tf
        .import_by_identity("scs_volume_attachment", &only_server)
        .await;
    let error = refused.failed();
    assert!(error.contains("needs volume_id"), "{error}");
}

#[tokio::test]
async fn servers_are_listed_by_exact_name_with_their_identity() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    let web = tf
        .create("scs_server", server_config("web", &image, &net))
        .await;
    tf.create("scs_server", server_config("web-2", &image, &net))
        .await;
    tf.create("scs_server", server_config("db", &image, &net))
        .await;

    let all = tf
        .list("scs_server", serde_json::Value::Null, false, 100)
        .await;
    assert!(all.errors.is_empty(), "{:?}", all.errors);
    let names: Vec<&str> = all.items.iter().map(|i| i.display_name.as_str()).collect();
    assert_eq!(names, ["db", "web", "web-2"]);

    let found = tf
        .list("scs_server", json!({"name": "web"}), false, 100)
        .await;
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(found.items.len(), 1, "{found:?}");
    let item = &found.items[0];
    assert_eq!(item.display_name, "web");
    assert_eq!(js(&item.identity), id_region(s(&web, "id"), "RegionOne"));
    assert!(item.object.is_null(), "no object unless asked for");

    let limited = tf
        .list("scs_server", serde_json::Value::Null, false, 2)
        .await;
    assert_eq!(limited.items.len(), 2);
}

#[tokio::test]
async fn listed_objects_are_what_an_import_reads() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    tf.create("scs_server", server_config("web", &image, &net))
        .await;
    let found = tf
        .list("scs_server", json!({"name": "web"}), true, 100)
        .await;
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let item = &found.items[0];
    let (imported, identity) = tf.import_by_identity("scs_server", &item.identity).await;
    assert_eq!(js(&item.object), js(&imported.ok()));
    assert_eq!(identity, item.identity);

    let volume = tf
        .create("scs_volume", json!({"name": "logs", "size": 2}))
        .await;
    let found = tf
        .list("scs_volume", json!({"name": "logs"}), true, 100)
        .await;
    assert_eq!(found.items.len(), 1, "{found:?}");
    let (imported, _) = tf
        .import_with_identity("scs_volume", s(&volume, "id"))
        .await;
    assert_eq!(js(&found.items[0].object), js(&imported.ok()));
}

#[tokio::test]
async fn networks_are_listed_for_the_project_only_and_by_tags() {
    let tf = Tf::start().await;
    tf.cloud.insert(
        os::NETWORKS,
        json!({"name": "public", "router:external": true, "project_id": "admin"}),
    );
    let tagged = tf
        .create(
            "scs_network",
            json!({"name": "app", "tags": ["env=prod", "team=a"]}),
        )
        .await;
    tf.create("scs_network", json!({"name": "app", "tags": ["env=test"]}))
        .await;
    let all = tf
        .list("scs_network", serde_json::Value::Null, false, 100)
        .await;
    let names: Vec<&str> = all.items.iter().map(|i| i.display_name.as_str()).collect();
    assert_eq!(
        names,
        ["app", "app"],
        "another project's network is not listed"
    );

    let prod = tf
        .list("scs_network", json!({"tags": ["env=prod"]}), false, 100)
        .await;
    assert_eq!(prod.items.len(), 1, "{prod:?}");
    assert_eq!(
        prod.items[0].identity.attr("id"),
        tagged.attr("id"),
        "the tagged network"
    );
    let none = tf
        .list(
            "scs_network",
            json!({"name": "app", "tags": ["env=prod", "team=b"]}),
            false,
            100,
        )
        .await;
    assert!(none.items.is_empty() && none.errors.is_empty(), "{none:?}");
}

#[tokio::test]
async fn list_configuration_problems_are_reported_before_listing() {
    let tf = Tf::start().await;
    let problems = tf
        .validate_list("scs_server", json!({"name": ""}), 10)
        .await;
    assert_eq!(paths(&problems), ["name"], "{problems:?}");
    let problems = tf
        .validate_list("scs_volume", json!({"region": ""}), 10)
        .await;
    assert_eq!(paths(&problems), ["region"], "{problems:?}");
    let problems = tf.validate_list("scs_network", json!({}), -1).await;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].summary.contains("Invalid list limit"),
        "{problems:?}"
    );
    assert!(
        tf.validate_list("scs_network", json!({"name": "a"}), 5)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn listing_an_unlisted_type_or_a_failing_cloud_is_an_error_event() {
    let tf = Tf::start().await;
    let resp = tf
        .dispatch()
        .list_resource(Request::new(pb::list_resource::Request {
            type_name: "scs_keypair".into(),
            limit: 10,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    use futures_util::StreamExt;
    let events: Vec<_> = resp.collect().await;
    assert_eq!(events.len(), 1);
    let event = events[0].as_ref().unwrap();
    assert!(event.identity.is_none());
    assert!(
        event.diagnostic[0]
            .summary
            .contains("Unknown list resource type"),
        "{event:?}"
    );

    let servers = format!("{}/detail", os::SERVERS);
    tf.cloud.fail_once(
        "GET",
        &servers,
        403,
        "Policy does not allow listing.",
        "req-list-7",
    );
    let failed = tf
        .list("scs_server", serde_json::Value::Null, false, 10)
        .await;
    assert!(failed.items.is_empty());
    assert_eq!(failed.errors.len(), 1, "{failed:?}");
    let error = &failed.errors[0];
    assert!(error.starts_with("Cannot list servers"), "{error}");
    assert!(error.contains("Policy does not allow listing."), "{error}");
    assert!(error.contains("req-list-7"), "{error}");
}

#[tokio::test]
async fn generated_configuration_validates_and_plans_no_change() {
    let tf = Tf::start().await;
    let (image, net) = seed_compute(&tf);
    let server = tf
        .create("scs_server", server_config("web", &image, &net))
        .await;
    let network = tf
        .create("scs_network", json!({"name": "app", "tags": ["a"]}))
        .await;
    let volume = tf
        .create("scs_volume", json!({"name": "data", "size": 1}))
        .await;
    for (type_name, state) in [
        ("scs_server", &server),
        ("scs_network", &network),
        ("scs_volume", &volume),
    ] {
        let (imported, _) = tf.import_with_identity(type_name, s(state, "id")).await;
        let imported = imported.ok();
        let config = tf.generate_config(type_name, &imported).await.ok();
        assert!(
            config.attr("id").is_some_and(Value::is_null),
            "{type_name}: {config:?}"
        );
        let problems = tf.validate_value(type_name, &config).await;
        assert!(problems.is_empty(), "{type_name}: {problems:?}");
        let (planned, replace) = tf.plan(type_name, &imported, &config).await;
        assert!(replace.is_empty(), "{type_name}: {replace:?}");
        assert_eq!(js(&planned.ok()), js(&imported), "{type_name}: no change");
    }
    let config = tf.generate_config("scs_server", &server).await.ok();
    assert!(config.attr("flavor_name").is_some_and(Value::is_null));
    assert_eq!(config.attr("flavor_id"), server.attr("flavor_id"));
}
