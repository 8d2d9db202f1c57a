//! The cluster stack resources through the plugin protocol, without a management cluster: what
//! validate and plan decide on their own, and that nothing needs the management cluster before a
//! resource does.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::{Tf, paths};
use tfplugin::value::Value;

/// A management cluster that cannot be reached: nothing listens on port 1.
fn unreachable() -> serde_json::Value {
    json!({"kubernetes": {"host": "https://127.0.0.1:1", "token": "t", "insecure": true}})
}

fn stack_block(version: &str, minor: &str) -> serde_json::Value {
    json!([{"infrastructure_provider": "docker", "name": "inmem",
            "kubernetes_version": minor, "version": version}])
}

#[tokio::test]
async fn configure_with_a_kubernetes_block_contacts_nothing_until_a_resource_needs_it() {
    let tf = Tf::start().await;
    // The block names a server that does not exist; configure still succeeds.
    tf.configure_with(unreachable()).await;
    let problems = tf
        .validate_provider(json!({"kubernetes": {"client_certificate": "PEM"}}))
        .await;
    assert_eq!(paths(&problems), ["kubernetes"], "{problems:?}");
}

#[tokio::test]
async fn a_new_cluster_plans_before_the_management_cluster_can_be_reached() {
    let tf = Tf::start().await;
    tf.configure_with(unreachable()).await;
    let config = tf.config(
        "scs_cluster",
        &json!({"name": "c1", "cluster_stack": stack_block("v1", "1.36"),
                "worker": [{"name": "md-0", "replicas": 1}],
                "variables": {"imageName": "\"ubuntu\""}}),
    );
    let (planned, replace) = tf.plan("scs_cluster", &Value::Null, &config).await;
    assert!(replace.is_empty());
    let planned = planned.ok();
    assert_eq!(
        planned.attr("cluster_class").and_then(Value::as_str),
        Some("docker-inmem-1-36-v1")
    );
    assert!(
        planned
            .attr("kubernetes_version")
            .is_some_and(Value::is_unknown)
    );
    assert_eq!(
        planned.attr("namespace").and_then(Value::as_str),
        Some("default")
    );
    assert_eq!(
        planned.attr("wait_for").and_then(Value::as_str),
        Some("available")
    );
}

#[tokio::test]
async fn a_class_change_the_operator_refuses_is_a_plan_error_on_the_stack_block() {
    let tf = Tf::start().await;
    tf.configure_with(unreachable()).await;
    let prior = tf.config(
        "scs_cluster",
        &json!({"id": "default/c1", "namespace": "default", "name": "c1",
                "cluster_class": "docker-inmem-1-36-v1", "cluster_stack": stack_block("v1", "1.36"),
                "kubernetes_version": "v1.36.0", "wait_for": "available", "api_version": "v1beta2",
                "phase": "Provisioned", "conditions": [], "control_plane_endpoint": "https://127.0.0.1:20000",
                "worker": [{"name": "md-0", "class": "default-worker", "replicas": 1}]}),
    );
    let skip_a_minor = tf.config(
        "scs_cluster",
        &json!({"name": "c1", "cluster_stack": stack_block("v1", "1.38"),
                "worker": [{"name": "md-0", "replicas": 1}]}),
    );
    let (planned, _) = tf.plan("scs_cluster", &prior, &skip_a_minor).await;
    let error = planned.failed();
    assert!(error.contains("go up by one"), "{error}");
    assert!(error.contains("docker-inmem-1-38-v1"), "{error}");

    // The next version of the same stack is an in-place upgrade whose Kubernetes version is
    // left to the apply (the management cluster cannot be asked now).
    let next = tf.config(
        "scs_cluster",
        &json!({"name": "c1", "cluster_stack": stack_block("v2", "1.36"),
                "worker": [{"name": "md-0", "replicas": 1}]}),
    );
    let (planned, replace) = tf.plan("scs_cluster", &prior, &next).await;
    assert!(replace.is_empty(), "{replace:?}");
    let planned = planned.ok();
    assert_eq!(
        planned.attr("cluster_class").and_then(Value::as_str),
        Some("docker-inmem-1-36-v2")
    );
    assert!(
        planned
            .attr("kubernetes_version")
            .is_some_and(Value::is_unknown)
    );
}

#[tokio::test]
async fn validate_names_the_attribute_of_each_mistake() {
    let tf = Tf::start().await;
    let both = tf
        .validate_offline(
            "scs_cluster",
            &json!({"name": "c1", "cluster_class": "x", "cluster_stack": stack_block("v1", "1.36")}),
        )
        .await;
    assert_eq!(paths(&both), ["cluster_class"], "{both:?}");
    let not_json = tf
        .validate_offline(
            "scs_cluster",
            &json!({"name": "c1", "cluster_class": "x", "variables": {"flavor": "SCS-2V-4"}}),
        )
        .await;
    assert_eq!(paths(&not_json), ["variables[\"flavor\"]"], "{not_json:?}");
    let bad_stack = tf
        .validate_offline(
            "scs_cluster_stack",
            &json!({"infrastructure_provider": "open-stack", "name": "scs2",
                    "kubernetes_version": "1.33.1", "versions": ["v1", "1"]}),
        )
        .await;
    assert_eq!(
        paths(&bad_stack),
        [
            "infrastructure_provider",
            "kubernetes_version",
            "versions[1]"
        ],
        "{bad_stack:?}"
    );
    let wrong_channel = tf
        .validate_offline(
            "scs_cluster_stack",
            &json!({"infrastructure_provider": "openstack", "name": "scs",
                    "kubernetes_version": "1.32", "versions": ["v0-sha.lvlvyfw"]}),
        )
        .await;
    assert_eq!(paths(&wrong_channel), ["versions[0]"], "{wrong_channel:?}");
}

#[tokio::test]
async fn an_unreachable_management_cluster_fails_the_apply_naming_it() {
    let tf = Tf::start().await;
    tf.configure_with(unreachable()).await;
    let answer = tf
        .try_create(
            "scs_cluster_stack",
            json!({"infrastructure_provider": "docker", "name": "inmem",
                   "kubernetes_version": "1.36", "versions": ["v1"]}),
        )
        .await;
    let error = answer.failed();
    assert!(error.contains("Cannot create cluster stack"), "{error}");
    assert!(error.contains("127.0.0.1:1"), "{error}");
    assert!(
        answer.value.is_null(),
        "nothing was created: {:?}",
        answer.value
    );
}

#[tokio::test]
async fn import_ids_are_namespace_and_name() {
    let tf = Tf::start().await;
    for type_name in ["scs_cluster", "scs_cluster_stack"] {
        let answer = tf.import(type_name, "no-slash").await;
        let error = answer.failed();
        assert!(error.contains("NAMESPACE/NAME"), "{type_name}: {error}");
    }
}
