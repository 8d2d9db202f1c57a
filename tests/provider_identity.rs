//! The managed `scs_application_credential` through the plugin protocol against the fake cloud:
//! create (with a generated or a given secret), refresh, import, replacement on every change,
//! delete, `clouds_yaml`, and what happens when Keystone's answer to the create is lost.
#![allow(clippy::unwrap_used)]

mod support;

use scs_client::test_util::Action;
use serde_json::json;
use support::lifecycle::{self, Case};
use support::{Tf, js, os, s};
use tfplugin::value::Value;

const TYPE: &str = "scs_application_credential";

fn case() -> Case<'static> {
    Case {
        type_name: TYPE,
        collection: os::APPLICATION_CREDENTIALS.into(),
        config: json!({"name": "k8s"}),
        // Keystone shows the secret only to the create: an import cannot know it.
        config_only: &["secret", "clouds_yaml"],
    }
}

/// The one cloud of a `clouds_yaml`, parsed.
fn cloud_of(state: &Value, name: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_yaml::from_str(s(state, "clouds_yaml")).unwrap();
    let clouds = doc["clouds"].as_object().unwrap();
    assert_eq!(clouds.len(), 1, "{doc}");
    clouds[name].clone()
}

/// Plan `config` from `state`: the planned value and what forces replacement.
async fn plan(tf: &Tf, state: &Value, config: serde_json::Value) -> (Value, Vec<String>) {
    let config = tf.config(TYPE, &config);
    let (planned, replace) = tf.plan(TYPE, state, &config).await;
    (planned.ok(), replace)
}

#[tokio::test]
async fn application_credential_life_cycle() {
    let tf = Tf::start().await;
    let state = lifecycle::full(&tf, &case(), |st| s(st, "id").to_owned()).await;
    assert_eq!(s(&state, "secret"), os::GENERATED_SECRET);
}

#[tokio::test]
async fn create_records_the_generated_secret_and_a_clouds_yaml_for_it() {
    let tf = Tf::start().await;
    let state = tf
        .create(
            TYPE,
            json!({"name": "k8s", "description": "cluster", "expires_at": "2030-01-01T00:00:00Z"}),
        )
        .await;
    let sent = tf.bodies("POST", os::APPLICATION_CREDENTIALS);
    assert_eq!(sent.len(), 1);
    let body = &sent[0]["application_credential"];
    assert_eq!(body["name"], "k8s");
    assert_eq!(body["unrestricted"], false);
    assert_eq!(body["expires_at"], "2030-01-01T00:00:00Z");
    assert!(body.get("secret").is_none(), "{body}");
    assert!(body.get("roles").is_none(), "{body}");

    let got = js(&state);
    assert_eq!(got["secret"], os::GENERATED_SECRET);
    assert_eq!(got["unrestricted"], false, "Keystone's null is false");
    assert_eq!(
        got["roles"],
        json!(["member", "reader"]),
        "all of the user's roles"
    );
    assert_eq!(got["project_id"], "proj-1");
    assert_eq!(got["cloud_name"], "openstack");
    assert_eq!(got["expires_at"], "2030-01-01T00:00:00Z");

    let cloud = cloud_of(&state, "openstack");
    assert_eq!(cloud["auth_type"], "v3applicationcredential");
    assert_eq!(cloud["auth"]["auth_url"], tf.cloud.auth_url());
    assert_eq!(cloud["auth"]["application_credential_id"], got["id"]);
    assert_eq!(
        cloud["auth"]["application_credential_secret"],
        os::GENERATED_SECRET
    );
    assert_eq!(cloud["region_name"], "RegionOne");
    assert_eq!(cloud["interface"], "public");
    assert_eq!(cloud["identity_api_version"], 3);

    // Keystone's answers to reads carry no secret: the state keeps the one of the create.
    let stored = tf
        .cloud
        .object(os::APPLICATION_CREDENTIALS, s(&state, "id"))
        .unwrap();
    assert!(stored.get("secret").is_none(), "{stored}");
    tf.next_command().await;
    let refreshed = tf.read(TYPE, &state).await.ok();
    assert_eq!(js(&refreshed), got);

    let (planned, replace) = plan(
        &tf,
        &refreshed,
        json!({"name": "k8s", "description": "cluster", "expires_at": "2030-01-01T00:00:00Z"}),
    )
    .await;
    assert!(replace.is_empty(), "{replace:?}");
    assert_eq!(js(&planned), got, "the plan after apply is empty");
}

#[tokio::test]
async fn a_configured_secret_is_sent_and_kept() {
    let tf = Tf::start().await;
    let config = json!({"name": "k8s", "secret": "my-own-s3cret", "roles": ["reader"],
        "unrestricted": true});
    let state = tf.create(TYPE, config.clone()).await;
    let body = &tf.bodies("POST", os::APPLICATION_CREDENTIALS)[0]["application_credential"];
    assert_eq!(body["secret"], "my-own-s3cret");
    assert_eq!(body["roles"], json!([{"name": "reader"}]));
    assert_eq!(body["unrestricted"], true);
    assert_eq!(s(&state, "secret"), "my-own-s3cret");
    assert_eq!(js(&state)["roles"], json!(["reader"]));
    assert_eq!(
        cloud_of(&state, "openstack")["auth"]["application_credential_secret"],
        "my-own-s3cret"
    );
    let (planned, replace) = plan(&tf, &state, config).await;
    assert!(replace.is_empty(), "{replace:?}");
    assert_eq!(js(&planned), js(&state));
}

#[tokio::test]
async fn every_keystone_argument_forces_a_new_credential_and_cloud_name_does_not() {
    let tf = Tf::start().await;
    let base = json!({"name": "k8s", "roles": ["member"], "description": "a",
        "expires_at": "2030-01-01T00:00:00Z", "access_rules": [
            {"service": "compute", "path": "/v2.1/servers", "method": "GET"}]});
    let state = tf.create(TYPE, base.clone()).await;
    for (attr, value) in [
        ("name", json!("k8s-2")),
        ("description", json!("b")),
        ("roles", json!(["reader"])),
        ("expires_at", json!("2031-01-01T00:00:00Z")),
        ("unrestricted", json!(true)),
        ("secret", json!("another")),
        (
            "access_rules",
            json!([{"service": "compute", "path": "/v2.1/servers", "method": "PUT"}]),
        ),
    ] {
        let mut config = base.clone();
        config[attr] = value;
        let (_, replace) = plan(&tf, &state, config).await;
        assert_eq!(replace, [attr], "changing {attr}");
    }

    let posts = tf.cloud.hits("POST", os::APPLICATION_CREDENTIALS).len();
    let mut renamed = base.clone();
    renamed["cloud_name"] = json!("capo");
    let (planned, replace) = plan(&tf, &state, renamed.clone()).await;
    assert!(replace.is_empty(), "{replace:?}");
    let rules = |v: &Value| js(&v.attr("access_rules").cloned().unwrap());
    assert_eq!(
        rules(&planned),
        rules(&state),
        "the rules keep their IDs in the plan"
    );
    let updated = tf.update(TYPE, &state, renamed).await;
    assert_eq!(
        tf.cloud.hits("POST", os::APPLICATION_CREDENTIALS).len(),
        posts,
        "no new credential"
    );
    assert_eq!(s(&updated, "id"), s(&state, "id"));
    assert_eq!(s(&updated, "secret"), s(&state, "secret"));
    assert_eq!(js(&updated)["access_rules"], js(&state)["access_rules"]);
    let cloud = cloud_of(&updated, "capo");
    assert_eq!(cloud["auth"]["application_credential_id"], s(&state, "id"));
}

#[tokio::test]
async fn an_import_has_no_secret_and_plans_nothing_unless_one_is_configured() {
    let tf = Tf::start().await;
    let rules = json!([{"service": "image", "path": "/v2/images", "method": "GET"}]);
    let created = tf
        .create(
            TYPE,
            json!({"name": "k8s", "secret": "known-s3cret", "access_rules": rules}),
        )
        .await;
    let id = s(&created, "id").to_owned();
    tf.next_command().await;
    let imported = tf.import(TYPE, &id).await.ok();
    let got = js(&imported);
    assert_eq!(got["secret"], serde_json::Value::Null);
    assert_eq!(got["clouds_yaml"], serde_json::Value::Null);
    assert_eq!(got["name"], "k8s");

    // Without a secret in the configuration: nothing to do.
    let (planned, replace) = plan(
        &tf,
        &imported,
        json!({"name": "k8s", "access_rules": rules}),
    )
    .await;
    assert!(replace.is_empty(), "{replace:?}");
    assert_eq!(js(&planned), got, "the plan after import is empty");

    // With it: recorded in place, not a new credential.
    let posts = tf.cloud.hits("POST", os::APPLICATION_CREDENTIALS).len();
    let updated = tf
        .update(
            TYPE,
            &imported,
            json!({"name": "k8s", "secret": "known-s3cret", "access_rules": rules}),
        )
        .await;
    assert_eq!(
        tf.cloud.hits("POST", os::APPLICATION_CREDENTIALS).len(),
        posts
    );
    assert_eq!(s(&updated, "secret"), "known-s3cret");
    assert_eq!(
        cloud_of(&updated, "openstack")["auth"]["application_credential_secret"],
        "known-s3cret"
    );
    let (planned, replace) = plan(
        &tf,
        &updated,
        json!({"name": "k8s", "secret": "known-s3cret", "access_rules": rules}),
    )
    .await;
    assert!(replace.is_empty(), "{replace:?}");
    assert_eq!(js(&planned), js(&updated));
}

#[tokio::test]
async fn access_rules_are_sent_recorded_and_cleaned_up_after_delete() {
    let tf = Tf::start().await;
    let state = tf
        .create(
            TYPE,
            json!({"name": "k8s", "access_rules": [
                {"service": "compute", "path": "/v2.1/servers", "method": "GET"}]}),
        )
        .await;
    let body = &tf.bodies("POST", os::APPLICATION_CREDENTIALS)[0]["application_credential"];
    assert_eq!(
        body["access_rules"],
        json!([{"service": "compute", "path": "/v2.1/servers", "method": "GET"}])
    );
    let rules = js(&state)["access_rules"].clone();
    assert_eq!(rules[0]["id"], "rule-k8s-0", "{rules}");
    tf.destroy(TYPE, &state).await.ok();
    assert!(
        tf.cloud
            .object(os::APPLICATION_CREDENTIALS, s(&state, "id"))
            .is_none()
    );
    let deleted = tf
        .cloud
        .hits("DELETE", &format!("{}/rule-k8s-0", os::ACCESS_RULES));
    assert_eq!(
        deleted.len(),
        1,
        "the access rule Keystone keeps is deleted"
    );
}

/// The answer with Keystone's secret is lost: the credential it made is unusable without the
/// secret, so it is deleted and made again; one credential remains, whose secret is in state.
#[tokio::test]
async fn a_lost_answer_without_a_secret_makes_the_credential_again_never_twice() {
    let tf = Tf::start().await;
    tf.configure_with(json!({"max_retries": 2})).await;
    tf.cloud.on(
        "POST",
        os::APPLICATION_CREDENTIALS,
        vec![Action::LoseAnswer, Action::Pass],
    );
    let state = tf.create(TYPE, json!({"name": "k8s"})).await;
    assert_eq!(tf.cloud.hits("POST", os::APPLICATION_CREDENTIALS).len(), 2);
    let left = tf.cloud.objects(os::APPLICATION_CREDENTIALS);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["id"].as_str(), Some(s(&state, "id")));
    assert_eq!(s(&state, "secret"), os::GENERATED_SECRET);
}

/// With a configured secret the credential the lost answer was about is usable: it is taken,
/// and no second create goes out.
#[tokio::test]
async fn a_lost_answer_with_a_configured_secret_takes_the_credential_it_made() {
    let tf = Tf::start().await;
    tf.configure_with(json!({"max_retries": 2})).await;
    tf.cloud.on(
        "POST",
        os::APPLICATION_CREDENTIALS,
        vec![Action::LoseAnswer, Action::Pass],
    );
    let state = tf
        .create(TYPE, json!({"name": "k8s", "secret": "mine-123"}))
        .await;
    assert_eq!(tf.cloud.hits("POST", os::APPLICATION_CREDENTIALS).len(), 1);
    assert_eq!(tf.cloud.objects(os::APPLICATION_CREDENTIALS).len(), 1);
    assert_eq!(s(&state, "secret"), "mine-123");
    assert!(
        !tf.cloud
            .requests()
            .iter()
            .any(|r| r.method == "DELETE" && r.path.starts_with(os::APPLICATION_CREDENTIALS)),
        "nothing deleted"
    );
}

#[tokio::test]
async fn a_credential_of_the_same_name_is_never_taken_over() {
    let tf = Tf::start().await;
    tf.cloud.insert(
        os::APPLICATION_CREDENTIALS,
        json!({"id": "theirs", "name": "k8s"}),
    );
    let answer = tf.try_create(TYPE, json!({"name": "k8s"})).await;
    let error = answer.failed();
    assert!(
        error.contains("theirs") && error.contains("unique"),
        "{error}"
    );
    assert!(error.contains("terraform import"), "{error}");
    assert!(answer.value.is_null());
    assert!(
        tf.cloud
            .hits("POST", os::APPLICATION_CREDENTIALS)
            .is_empty()
    );
    assert!(
        tf.cloud
            .object(os::APPLICATION_CREDENTIALS, "theirs")
            .is_some()
    );
}

#[tokio::test]
async fn keystone_refusing_a_restricted_provider_credential_says_why() {
    let tf = Tf::start().await;
    tf.cloud.fail(
        "POST",
        os::APPLICATION_CREDENTIALS,
        403,
        "Using method 'application_credential' is not allowed for managing additional application credentials.",
        "req-appcred-403",
    );
    let answer = tf.try_create(TYPE, json!({"name": "k8s"})).await;
    let error = answer.failed();
    assert!(error.contains("req-appcred-403"), "{error}");
    assert!(error.contains("not allowed for managing"), "{error}");
    assert!(
        error.contains("restricted application credential"),
        "{error}"
    );
}

#[tokio::test]
async fn bad_arguments_are_refused_at_plan_time_by_name() {
    let tf = Tf::start().await;
    for (config, path, word) in [
        (
            json!({"name": "k8s", "expires_at": "2030-01-01"}),
            "expires_at",
            "RFC 3339",
        ),
        (
            json!({"name": "k8s", "expires_at": "2030-01-01T00:00:00+02:00"}),
            "expires_at",
            "UTC",
        ),
        (
            json!({"name": "k8s", "cloud_name": "my cloud"}),
            "cloud_name",
            "letters",
        ),
        (json!({"name": ""}), "name", "empty"),
        (
            json!({"name": "k8s", "access_rules": [
                {"service": "compute", "path": "/", "method": "FETCH"}]}),
            "method",
            "GET",
        ),
    ] {
        let problems = tf.validate(TYPE, &config).await;
        assert!(
            problems
                .iter()
                .any(|p| p.path.contains(path)
                    && format!("{} {}", p.summary, p.detail).contains(word)),
            "{config}: {problems:?}"
        );
    }
    assert!(tf.validate(TYPE, &json!({"name": "k8s"})).await.is_empty());
}
