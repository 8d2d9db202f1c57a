//! Block storage resources (volumes, volume attachments) through the plugin protocol against the
//! fake cloud.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::lifecycle::{self, Case};
use support::{Tf, js, os, paths, s};

fn seed_types(tf: &Tf) {
    for name in ["standard", "ssd"] {
        tf.cloud.insert(os::VOLUME_TYPES, json!({"name": name}));
    }
}

fn volume_case() -> Case<'static> {
    Case {
        type_name: "scs_volume",
        collection: os::VOLUMES.into(),
        config: json!({"name": "data", "size": 10, "volume_type": "standard",
            "metadata": {"backup": "daily"}}),
        config_only: &["timeouts"],
    }
}

#[tokio::test]
async fn volume_life_cycle() {
    let tf = Tf::start().await;
    seed_types(&tf);
    let state = lifecycle::full(&tf, &volume_case(), |st| s(st, "id").to_owned()).await;
    assert_eq!(js(&state)["size"], json!(10));
    assert_eq!(s(&state, "status"), "available");
    let sent = tf.bodies("POST", os::VOLUMES);
    assert_eq!(sent[0]["volume"]["size"], json!(10));
    assert_eq!(sent[0]["volume"]["volume_type"], json!("standard"));
    // The provider's owner mark goes with the configured metadata, and stays out of the state.
    assert_eq!(
        sent[0]["volume"]["metadata"],
        json!({"backup": "daily", "managed-by": "terraform-provider-scs"})
    );
    assert_eq!(js(&state)["metadata"], json!({"backup": "daily"}));
}

#[tokio::test]
async fn volume_update_renames_extends_and_retypes_in_place() {
    let tf = Tf::start().await;
    seed_types(&tf);
    let case = volume_case();
    let state = tf.create("scs_volume", case.config.clone()).await;
    let id = s(&state, "id").to_owned();
    let action = format!("{}/{id}/action", os::VOLUMES);

    let mut config = case.config.clone();
    config["description"] = json!("database files");
    let state = tf.update("scs_volume", &state, config.clone()).await;
    assert_eq!(
        tf.bodies("PUT", &format!("{}/{id}", os::VOLUMES)),
        [json!({"volume": {"description": "database files"}})]
    );
    assert!(
        tf.bodies("POST", &action).is_empty(),
        "no action for a rename"
    );

    config["size"] = json!(20);
    config["volume_type"] = json!("ssd");
    let state = tf.update("scs_volume", &state, config).await;
    let actions = tf.bodies("POST", &action);
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[0], json!({"os-extend": {"new_size": 20}}));
    assert_eq!(actions[1]["os-retype"]["new_type"], json!("ssd"));
    assert_eq!(
        tf.bodies("PUT", &format!("{}/{id}", os::VOLUMES)).len(),
        1,
        "no second PUT"
    );
    assert_eq!(js(&state)["size"], json!(20));
    assert_eq!(s(&state, "volume_type"), "ssd");
    assert_eq!(s(&state, "id"), id);
    let stored = tf.cloud.object(os::VOLUMES, &id).unwrap();
    assert_eq!(
        (stored["size"].clone(), stored["volume_type"].clone()),
        (json!(20), json!("ssd"))
    );
}

#[tokio::test]
async fn volume_extend_refused_by_the_cloud_is_an_error_with_its_message() {
    let tf = Tf::start().await;
    seed_types(&tf);
    let case = volume_case();
    let state = tf.create("scs_volume", case.config.clone()).await;
    let action = format!("{}/{}/action", os::VOLUMES, s(&state, "id"));
    tf.cloud.fail(
        "POST",
        &action,
        413,
        "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota.",
        "req-quota-413",
    );
    let mut config = case.config.clone();
    config["size"] = json!(2000);
    let error = tf.try_update("scs_volume", &state, config).await.failed();
    assert!(
        error.contains("exceeds allowed gigabytes quota") && error.contains("req-quota-413"),
        "{error}"
    );
}

#[tokio::test]
async fn volume_that_ends_in_error_is_kept_in_state() {
    let tf = Tf::start().await;
    seed_types(&tf);
    tf.cloud.handle("POST", os::VOLUMES, |store, req, _| {
        let mut volume = req.json()["volume"].clone();
        volume["status"] = json!("error");
        let stored = store.insert(os::VOLUMES, volume);
        scs_client::test_util::Action::Json(202, json!({"volume": stored}))
    });
    let answer = tf.try_create("scs_volume", volume_case().config).await;
    let error = answer.failed();
    assert!(error.contains("error"), "{error}");
    let id = s(&answer.value, "id").to_owned();
    assert!(
        tf.cloud.object(os::VOLUMES, &id).is_some(),
        "the volume exists"
    );
}

/// A server and a volume made directly in the cloud.
fn server_and_volume(tf: &Tf) -> (String, String) {
    let server = tf.cloud.insert(os::SERVERS, json!({"name": "db"}));
    let volume = tf
        .cloud
        .insert(os::VOLUMES, json!({"name": "data", "size": 10}));
    (
        server["id"].as_str().unwrap().to_owned(),
        volume["id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn volume_attachment_life_cycle() {
    let tf = Tf::start().await;
    let (server, volume) = server_and_volume(&tf);
    let case = Case {
        type_name: "scs_volume_attachment",
        collection: os::volume_attachments(&server),
        config: json!({"server_id": server, "volume_id": volume}),
        config_only: &["timeouts"],
    };
    let state = tf.create(case.type_name, case.config.clone()).await;
    assert_eq!(s(&state, "id"), format!("{server}/{volume}"));
    assert_eq!(s(&state, "device"), "/dev/vdb");
    assert!(tf.cloud.object(&case.collection, &volume).is_some());
    assert_eq!(
        tf.cloud.object(os::VOLUMES, &volume).unwrap()["status"],
        json!("in-use")
    );
    let read = tf.read(case.type_name, &state).await.ok();
    assert_eq!(js(&read), js(&state));

    lifecycle::import_matches(&tf, &case, &format!("{server}/{volume}"), &state).await;

    tf.destroy(case.type_name, &state).await.ok();
    assert!(
        tf.cloud.object(&case.collection, &volume).is_none(),
        "detached"
    );
    assert_eq!(
        tf.cloud.object(os::VOLUMES, &volume).unwrap()["status"],
        json!("available")
    );
    assert!(
        tf.destroy(case.type_name, &state).await.errors.is_empty(),
        "detaching a detached volume (404) succeeds"
    );

    let state = tf.create(case.type_name, case.config.clone()).await;
    tf.cloud.remove(&case.collection, &volume);
    assert!(tf.read(case.type_name, &state).await.ok().is_null(), "gone");
    tf.cloud.with_store(|st| {
        st.update(
            os::VOLUMES,
            &volume,
            json!({"status": "available", "attachments": []}),
        )
    });

    tf.cloud.fail_once(
        "POST",
        &case.collection,
        409,
        "Cannot 'attach_volume' instance while it is in task_state migrating",
        "req-att-409",
    );
    let error = tf
        .try_create(case.type_name, case.config.clone())
        .await
        .failed();
    assert!(
        error.contains("task_state migrating") && error.contains("req-att-409"),
        "{error}"
    );
}

#[tokio::test]
async fn volume_attachment_import_id_must_name_server_and_volume() {
    let tf = Tf::start().await;
    let answer = tf.import("scs_volume_attachment", "just-a-volume").await;
    answer.failed();
}

/// A size that is no whole number of GiB is one problem on `size`, not a second one about reading
/// the configuration; a name or description the cloud would refuse is one on its attribute.
#[tokio::test]
async fn volume_arguments_are_checked_before_they_reach_the_cloud() {
    let tf = Tf::start().await;
    assert!(
        tf.validate_offline("scs_volume", &json!({"size": 1}))
            .await
            .is_empty()
    );
    for size in [json!(-1), json!(1.5), json!(0)] {
        let problems = tf
            .validate_offline("scs_volume", &json!({"size": size}))
            .await;
        assert_eq!(paths(&problems), ["size"], "size {size}: {problems:#?}");
        assert!(
            problems[0].detail.contains("whole number between 1 and"),
            "{}",
            problems[0].detail
        );
    }
    let problems = tf
        .validate_offline(
            "scs_volume",
            &json!({"size": 1, "name": "data\u{1b}[2J", "description": "ok\n\u{7f}"}),
        )
        .await;
    assert_eq!(paths(&problems), ["name", "description"], "{problems:#?}");
}
