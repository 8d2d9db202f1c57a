//! The checks every resource goes through: create, refresh, import, vanish, destroy, cloud
//! errors and tagging failures. Each test file supplies the configurations and the fake's
//! collection; what is specific to a resource (its update) stays in the test file.

use serde_json::json;
use tfplugin::value::Value;

use super::{Tf, js, s};

/// One resource type under test.
pub struct Case<'a> {
    pub type_name: &'a str,
    /// The fake's collection that holds the created object.
    pub collection: String,
    /// A configuration that creates it.
    pub config: serde_json::Value,
    /// Attributes an import cannot know because only the configuration has them.
    pub config_only: &'a [&'a str],
}

impl Case<'_> {
    /// The cloud's id of the object in `state` (the keypair's is its name).
    fn cloud_id<'s>(&self, state: &'s Value) -> &'s str {
        match self.type_name {
            "scs_keypair" => s(state, "name"),
            _ => s(state, "id"),
        }
    }
}

/// Create through plan and apply; the object is in the fake with the configured name (if one
/// is configured); refresh returns the same state. Returns the state.
pub async fn create_and_read(tf: &Tf, case: &Case<'_>) -> Value {
    let state = tf.create(case.type_name, case.config.clone()).await;
    let id = case.cloud_id(&state).to_owned();
    let stored = tf
        .cloud
        .object(&case.collection, &id)
        .unwrap_or_else(|| panic!("{} {id} is not in the cloud", case.type_name));
    if let Some(name) = case.config.get("name").and_then(|n| n.as_str()) {
        assert_eq!(stored["name"], json!(name), "name sent to the cloud");
        assert_eq!(s(&state, "name"), name);
    }
    let refreshed = tf.read(case.type_name, &state).await.ok();
    assert_eq!(js(&refreshed), js(&state), "refresh changes nothing");
    state
}

/// Import by `import_id` and refresh: the state the apply produced, but for the attributes only
/// the configuration knows.
pub async fn import_matches(tf: &Tf, case: &Case<'_>, import_id: &str, applied: &Value) {
    let imported = tf.import(case.type_name, import_id).await.ok();
    let mut want = js(applied);
    let mut got = js(&imported);
    for name in case.config_only {
        want[*name] = serde_json::Value::Null;
        got[*name] = serde_json::Value::Null;
    }
    assert_eq!(got, want, "{} imported by {import_id}", case.type_name);
}

/// Destroy deletes the object from the cloud; destroying it again (the cloud answers 404) is a
/// success too.
pub async fn destroy_deletes(tf: &Tf, case: &Case<'_>, state: &Value) {
    let id = case.cloud_id(state).to_owned();
    tf.destroy(case.type_name, state).await.ok();
    assert!(
        tf.cloud.object(&case.collection, &id).is_none(),
        "{} {id} is still in the cloud after destroy",
        case.type_name
    );
    let again = tf.destroy(case.type_name, state).await;
    assert!(
        again.errors.is_empty(),
        "destroying a gone object: {:?}",
        again.errors
    );
}

/// An object deleted behind Terraform's back refreshes to a null state (Terraform then plans to
/// create it again) in the next command, whose provider is configured anew.
pub async fn vanished_reads_as_gone(tf: &Tf, case: &Case<'_>, state: &Value) {
    let id = case.cloud_id(state).to_owned();
    assert!(
        tf.cloud.remove(&case.collection, &id),
        "{id} was in the cloud"
    );
    tf.next_command().await;
    let read = tf.read(case.type_name, state).await;
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    assert!(
        read.value.is_null(),
        "a vanished object reads as gone: {:?}",
        read.value
    );
}

/// The cloud refusing the create (`status`) gives an error diagnostic with the cloud's message
/// and request id, and no state.
pub async fn create_error_is_reported(tf: &Tf, case: &Case<'_>, status: u16) {
    let message = format!("Quota exceeded for resources: ['{}'].", case.type_name);
    let request_id = format!("req-{status}-3f2a9c");
    tf.cloud
        .fail_once("POST", &case.collection, status, &message, &request_id);
    let answer = tf.try_create(case.type_name, case.config.clone()).await;
    let error = answer.failed();
    assert!(error.contains(&message), "cloud message in {error}");
    assert!(error.contains(&request_id), "request id in {error}");
    assert!(
        answer.value.is_null(),
        "nothing was created: {:?}",
        answer.value
    );
}

/// A create whose tagging fails keeps the created object in state (so it is not orphaned) and
/// reports the tagging error.
pub async fn tag_failure_keeps_object(tf: &Tf, case: &Case<'_>) {
    let tags_path = format!("{}/*/tags", case.collection);
    tf.cloud.handle("PUT", &tags_path, |_, req, _| {
        scs_client::test_util::Action::error(
            req.path_only(),
            500,
            "tag service down",
            "req-tags-77",
        )
    });
    let mut config = case.config.clone();
    config["tags"] = json!(["blue", "green"]);
    let answer = tf.try_create(case.type_name, config).await;
    let error = answer.failed();
    assert!(
        error.contains("tag service down") && error.contains("req-tags-77"),
        "{error}"
    );
    let id = case.cloud_id(&answer.value).to_owned();
    assert!(
        tf.cloud.object(&case.collection, &id).is_some(),
        "the object exists"
    );
    let tags = answer.value.attr("tags").cloned().unwrap_or(Value::Null);
    assert!(
        js(&tags).as_array().is_none_or(|t| t.len() != 2),
        "the state does not claim the tags that failed: {tags:?}"
    );
}

/// The whole life cycle without update: create, refresh, import, vanish, destroy, and the
/// error paths.
pub async fn full(tf: &Tf, case: &Case<'_>, import_id: impl Fn(&Value) -> String) -> Value {
    let state = create_and_read(tf, case).await;
    import_matches(tf, case, &import_id(&state), &state).await;
    destroy_deletes(tf, case, &state).await;
    let state = create_and_read(tf, case).await;
    vanished_reads_as_gone(tf, case, &state).await;
    create_error_is_reported(tf, case, 409).await;
    create_error_is_reported(tf, case, 500).await;
    state
}
