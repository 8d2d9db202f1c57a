//! Networking resources and data sources through the plugin protocol against the fake cloud.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::lifecycle::{self, Case};
use support::{Tf, js, os, paths, s};
use tfplugin::value::Value;

/// An external network `public` with a subnet, as a cloud offers for routers and floating IPs.
fn public_network(tf: &Tf) -> (String, String) {
    let net = tf.cloud.insert(
        os::NETWORKS,
        json!({"name": "public", "router:external": true, "project_id": "admin"}),
    );
    let net_id = net["id"].as_str().unwrap().to_owned();
    let subnet = tf.cloud.insert(
        os::SUBNETS,
        json!({"name": "public-v4", "network_id": net_id, "cidr": "172.24.4.0/24",
            "gateway_ip": "172.24.4.1"}),
    );
    (net_id, subnet["id"].as_str().unwrap().to_owned())
}

/// A tenant network with one subnet, created directly in the cloud.
fn tenant_network(tf: &Tf, name: &str, cidr: &str) -> (String, String) {
    let net = tf.cloud.insert(os::NETWORKS, json!({"name": name}));
    let net_id = net["id"].as_str().unwrap().to_owned();
    let gateway = cidr.replace(".0/24", ".1");
    let subnet = tf.cloud.insert(
        os::SUBNETS,
        json!({"name": format!("{name}-v4"), "network_id": net_id, "cidr": cidr,
            "gateway_ip": gateway}),
    );
    (net_id, subnet["id"].as_str().unwrap().to_owned())
}

fn by_id(state: &Value) -> String {
    s(state, "id").to_owned()
}

#[tokio::test]
async fn provider_registers_every_resource_and_data_source() {
    let tf = Tf::start().await;
    assert_eq!(
        tf.resource_types(),
        [
            "scs_application_credential",
            "scs_cluster",
            "scs_cluster_stack",
            "scs_floating_ip",
            "scs_keypair",
            "scs_network",
            "scs_port",
            "scs_router",
            "scs_router_interface",
            "scs_security_group",
            "scs_security_group_rule",
            "scs_server",
            "scs_server_group",
            "scs_subnet",
            "scs_volume",
            "scs_volume_attachment",
        ]
    );
    assert_eq!(
        tf.data_source_types(),
        [
            "scs_cluster_class",
            "scs_cluster_kubeconfig",
            "scs_flavor",
            "scs_image",
            "scs_network",
            "scs_subnet"
        ]
    );
}

#[tokio::test]
async fn wrong_password_fails_configure_with_the_clouds_answer() {
    let cloud = scs_client::test_util::FakeCloud::openstack().await;
    let tf = Tf::unconfigured(cloud).await;
    let errors = tf
        .configure(json!({"auth_url": tf.cloud.auth_url(), "user_name": "demo",
            "password": "wrong", "project_name": "demo", "user_domain_name": "Default",
            "project_domain_name": "Default"}))
        .await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("Authentication failed"), "{errors:?}");
    assert!(errors[0].contains("requires authentication"), "{errors:?}");
}

fn network_case() -> Case<'static> {
    Case {
        type_name: "scs_network",
        collection: os::NETWORKS.into(),
        config: json!({"name": "app", "description": "the app network", "mtu": 1400}),
        config_only: &["timeouts"],
    }
}

#[tokio::test]
async fn network_life_cycle() {
    let tf = Tf::start().await;
    let case = network_case();
    let state = lifecycle::full(&tf, &case, by_id).await;
    assert_eq!(js(&state)["mtu"], json!(1400));
    assert_eq!(js(&state)["status"], json!("ACTIVE"));
    assert_eq!(js(&state)["admin_state_up"], json!(true));
}

#[tokio::test]
async fn network_update_sends_only_changed_fields() {
    let tf = Tf::start().await;
    let state = tf
        .create(
            "scs_network",
            json!({"name": "app", "description": "one", "mtu": 1400}),
        )
        .await;
    let id = s(&state, "id").to_owned();
    let updated = tf
        .update(
            "scs_network",
            &state,
            json!({"name": "app", "description": "two", "mtu": 1400, "tags": ["x"]}),
        )
        .await;
    let puts = tf.bodies("PUT", &format!("{}/{id}", os::NETWORKS));
    assert_eq!(puts, [json!({"network": {"description": "two"}})]);
    // The create marks the network as the provider's; the update keeps the mark.
    let tags = tf.bodies("PUT", &format!("{}/{id}/tags", os::NETWORKS));
    assert_eq!(
        tags,
        [
            json!({"tags": [OWNER_TAG]}),
            json!({"tags": ["x", OWNER_TAG]})
        ]
    );
    assert_eq!(s(&updated, "description"), "two");
    assert_eq!(s(&updated, "id"), id, "updated in place");
    assert_eq!(
        tf.cloud.object(os::NETWORKS, &id).unwrap()["tags"],
        json!(["x", OWNER_TAG])
    );
    // The mark is the provider's, not the configuration's: the state shows only "x".
    assert_eq!(js(&updated)["tags"], json!(["x"]));
    assert!(js(&state)["tags"].is_null(), "{state:?}");
}

const OWNER_TAG: &str = "managed-by=terraform-provider-scs";

#[tokio::test]
async fn an_update_answer_is_the_new_state_without_reading_the_network_back() {
    let tf = Tf::start().await;
    let state = tf
        .create("scs_network", json!({"name": "app", "description": "one"}))
        .await;
    let id = s(&state, "id").to_owned();
    let reads_before = network_reads(&tf, &id);
    let updated = tf
        .update(
            "scs_network",
            &state,
            json!({"name": "app", "description": "two"}),
        )
        .await;
    assert_eq!(s(&updated, "description"), "two");
    assert_eq!(
        network_reads(&tf, &id),
        reads_before,
        "read back after the update"
    );
    // A change of tags after the update request makes its answer stale: then it is read back.
    let retagged = tf
        .update(
            "scs_network",
            &updated,
            json!({"name": "app", "description": "three", "tags": ["x"]}),
        )
        .await;
    assert_eq!(js(&retagged)["tags"], json!(["x"]));
    assert!(network_reads(&tf, &id) > reads_before);
}

/// GETs of the network and listings of networks so far.
fn network_reads(tf: &Tf, id: &str) -> usize {
    tf.cloud
        .hits("GET", &format!("{}/{id}", os::NETWORKS))
        .len()
        + tf.cloud.hits("GET", os::NETWORKS).len()
}

#[tokio::test]
async fn network_update_error_carries_the_clouds_message() {
    let tf = Tf::start().await;
    let state = tf.create("scs_network", json!({"name": "app"})).await;
    let path = format!("{}/{}", os::NETWORKS, s(&state, "id"));
    tf.cloud
        .fail("PUT", &path, 400, "Invalid input for mtu", "req-upd-1");
    let answer = tf
        .try_update("scs_network", &state, json!({"name": "app", "mtu": 9999}))
        .await;
    let error = answer.failed();
    assert!(
        error.contains("Invalid input for mtu") && error.contains("req-upd-1"),
        "{error}"
    );
}

#[tokio::test]
async fn network_tag_failure_keeps_the_network() {
    let tf = Tf::start().await;
    lifecycle::tag_failure_keeps_object(&tf, &network_case()).await;
}

fn subnet_case(network_id: &str) -> Case<'static> {
    Case {
        type_name: "scs_subnet",
        collection: os::SUBNETS.into(),
        config: json!({"name": "app-v4", "network_id": network_id, "cidr": "10.20.0.0/24",
            "dns_nameservers": ["9.9.9.9"]}),
        config_only: &["timeouts"],
    }
}

#[tokio::test]
async fn subnet_life_cycle() {
    let tf = Tf::start().await;
    let net = tf.cloud.insert(os::NETWORKS, json!({"name": "app"}));
    let case = subnet_case(net["id"].as_str().unwrap());
    let state = lifecycle::full(&tf, &case, by_id).await;
    assert_eq!(s(&state, "gateway_ip"), "10.20.0.1");
    assert_eq!(js(&state)["dns_nameservers"], json!(["9.9.9.9"]));
}

#[tokio::test]
async fn subnet_update_and_tags() {
    let tf = Tf::start().await;
    let net = tf.cloud.insert(os::NETWORKS, json!({"name": "app"}));
    let case = subnet_case(net["id"].as_str().unwrap());
    let state = tf.create("scs_subnet", case.config.clone()).await;
    let id = s(&state, "id").to_owned();
    let mut config = case.config.clone();
    config["dns_nameservers"] = json!(["1.1.1.1", "9.9.9.9"]);
    let updated = tf.update("scs_subnet", &state, config).await;
    assert_eq!(
        tf.bodies("PUT", &format!("{}/{id}", os::SUBNETS)),
        [json!({"subnet": {"dns_nameservers": ["1.1.1.1", "9.9.9.9"]}})]
    );
    assert_eq!(
        js(&updated)["dns_nameservers"],
        json!(["1.1.1.1", "9.9.9.9"])
    );
    lifecycle::tag_failure_keeps_object(&tf, &case).await;
}

fn router_case(external: &str) -> Case<'static> {
    Case {
        type_name: "scs_router",
        collection: os::ROUTERS.into(),
        config: json!({"name": "edge", "external_network_id": external}),
        config_only: &["timeouts"],
    }
}

#[tokio::test]
async fn router_life_cycle() {
    let tf = Tf::start().await;
    let (public, _) = public_network(&tf);
    let case = router_case(&public);
    let state = tf.create(case.type_name, case.config.clone()).await;
    let stored = tf.cloud.object(os::ROUTERS, s(&state, "id")).unwrap();
    assert_eq!(stored["external_gateway_info"]["network_id"], json!(public));
    // The life cycle below starts from a cloud without this router: a create whose answer is
    // ambiguous (a 500) would otherwise find it as a router of the same name.
    lifecycle::destroy_deletes(&tf, &case, &state).await;
    lifecycle::full(&tf, &case, by_id).await;
}

#[tokio::test]
async fn router_update_and_tags() {
    let tf = Tf::start().await;
    let (public, _) = public_network(&tf);
    let case = router_case(&public);
    let state = tf.create("scs_router", case.config.clone()).await;
    let id = s(&state, "id").to_owned();
    let updated = tf
        .update(
            "scs_router",
            &state,
            json!({"name": "edge-2", "external_network_id": public}),
        )
        .await;
    assert_eq!(
        tf.bodies("PUT", &format!("{}/{id}", os::ROUTERS)),
        [json!({"router": {"name": "edge-2"}})]
    );
    assert_eq!(s(&updated, "name"), "edge-2");
    lifecycle::tag_failure_keeps_object(&tf, &case).await;
}

#[tokio::test]
async fn router_interface_life_cycle() {
    let tf = Tf::start().await;
    let router = tf.cloud.insert(os::ROUTERS, json!({"name": "edge"}));
    let router_id = router["id"].as_str().unwrap().to_owned();
    let (_, subnet_id) = tenant_network(&tf, "app", "10.30.0.0/24");
    let config = json!({"router_id": router_id, "subnet_id": subnet_id});
    let state = tf.create("scs_router_interface", config.clone()).await;
    let port_id = s(&state, "port_id").to_owned();
    let port = tf
        .cloud
        .object(os::PORTS, &port_id)
        .expect("interface port");
    assert_eq!(port["device_id"], json!(router_id));
    assert_eq!(port["fixed_ips"][0]["ip_address"], json!("10.30.0.1"));
    assert_eq!(s(&state, "subnet_id"), subnet_id);
    let read = tf.read("scs_router_interface", &state).await.ok();
    assert_eq!(js(&read), js(&state));

    let imported = tf.import("scs_router_interface", &port_id).await.ok();
    let (mut got, mut want) = (js(&imported), js(&state));
    got["timeouts"] = json!(null);
    want["timeouts"] = json!(null);
    assert_eq!(got, want, "imported by port id");

    tf.destroy("scs_router_interface", &state).await.ok();
    assert!(
        tf.cloud.object(os::PORTS, &port_id).is_none(),
        "interface removed"
    );
    let hits = tf.bodies(
        "PUT",
        &format!("{}/{router_id}/remove_router_interface", os::ROUTERS),
    );
    assert_eq!(hits.len(), 1);
    assert!(
        tf.destroy("scs_router_interface", &state)
            .await
            .errors
            .is_empty(),
        "an interface already gone (404) is removed"
    );

    // Gone behind Terraform's back.
    let state = tf.create("scs_router_interface", config.clone()).await;
    tf.cloud.remove(os::PORTS, s(&state, "port_id"));
    assert!(tf.read("scs_router_interface", &state).await.ok().is_null());

    // The cloud refusing.
    let add = format!("{}/{router_id}/add_router_interface", os::ROUTERS);
    tf.cloud.fail_once(
        "PUT",
        &add,
        409,
        "Router already has a port on subnet",
        "req-ri-409",
    );
    let error = tf.try_create("scs_router_interface", config).await.failed();
    assert!(error.contains("Router already has a port on subnet") && error.contains("req-ri-409"));
}

fn port_case(network_id: &str, subnet_id: &str) -> Case<'static> {
    Case {
        type_name: "scs_port",
        collection: os::PORTS.into(),
        config: json!({"name": "app-port", "network_id": network_id,
            "fixed_ip": [{"subnet_id": subnet_id, "ip_address": "10.40.0.20"}]}),
        config_only: &["timeouts"],
    }
}

#[tokio::test]
async fn port_life_cycle() {
    let tf = Tf::start().await;
    let (net, subnet) = tenant_network(&tf, "app", "10.40.0.0/24");
    let case = port_case(&net, &subnet);
    let state = lifecycle::full(&tf, &case, by_id).await;
    assert_eq!(s(&state, "network_id"), net);
}

#[tokio::test]
async fn port_update_and_tags() {
    let tf = Tf::start().await;
    let (net, subnet) = tenant_network(&tf, "app", "10.40.0.0/24");
    let case = port_case(&net, &subnet);
    let state = tf.create("scs_port", case.config.clone()).await;
    let id = s(&state, "id").to_owned();
    let mut config = case.config.clone();
    config["description"] = json!("frontend");
    let updated = tf.update("scs_port", &state, config).await;
    assert_eq!(
        tf.bodies("PUT", &format!("{}/{id}", os::PORTS)),
        [json!({"port": {"description": "frontend"}})]
    );
    assert_eq!(s(&updated, "description"), "frontend");
    lifecycle::tag_failure_keeps_object(&tf, &case).await;
}

fn floating_ip_case() -> Case<'static> {
    Case {
        type_name: "scs_floating_ip",
        collection: os::FLOATING_IPS.into(),
        config: json!({"pool": "public", "description": "web"}),
        config_only: &["timeouts"],
    }
}

#[tokio::test]
async fn floating_ip_life_cycle() {
    let tf = Tf::start().await;
    let (public, _) = public_network(&tf);
    let case = floating_ip_case();
    let state = lifecycle::full(&tf, &case, by_id).await;
    assert_eq!(s(&state, "floating_network_id"), public);
    assert!(s(&state, "address").starts_with("172.24.4."));
}

#[tokio::test]
async fn floating_ip_update_and_tags() {
    let tf = Tf::start().await;
    public_network(&tf);
    let (net, subnet) = tenant_network(&tf, "app", "10.50.0.0/24");
    let port = tf.cloud.insert(
        os::PORTS,
        json!({"network_id": net, "fixed_ips": [{"subnet_id": subnet, "ip_address": "10.50.0.7"}]}),
    );
    let port_id = port["id"].as_str().unwrap();
    let case = floating_ip_case();
    let state = tf.create("scs_floating_ip", case.config.clone()).await;
    let id = s(&state, "id").to_owned();
    let updated = tf
        .update(
            "scs_floating_ip",
            &state,
            json!({"pool": "public", "description": "web", "port_id": port_id}),
        )
        .await;
    let puts = tf.bodies("PUT", &format!("{}/{id}", os::FLOATING_IPS));
    assert_eq!(puts.len(), 1, "{puts:?}");
    assert_eq!(puts[0]["floatingip"]["port_id"], json!(port_id));
    assert!(
        puts[0]["floatingip"].get("description").is_none(),
        "{puts:?}"
    );
    assert_eq!(s(&updated, "port_id"), port_id);
    lifecycle::tag_failure_keeps_object(&tf, &case).await;
}

fn security_group_case() -> Case<'static> {
    Case {
        type_name: "scs_security_group",
        collection: os::SECURITY_GROUPS.into(),
        config: json!({"name": "web", "description": "web servers"}),
        config_only: &["timeouts", "delete_default_rules"],
    }
}

#[tokio::test]
async fn security_group_life_cycle() {
    let tf = Tf::start().await;
    lifecycle::full(&tf, &security_group_case(), by_id).await;
}

#[tokio::test]
async fn security_group_update_tags_and_default_rules() {
    let tf = Tf::start().await;
    let case = security_group_case();
    let state = tf.create("scs_security_group", case.config.clone()).await;
    let id = s(&state, "id").to_owned();
    let updated = tf
        .update(
            "scs_security_group",
            &state,
            json!({"name": "web", "description": "public web servers"}),
        )
        .await;
    assert_eq!(
        tf.bodies("PUT", &format!("{}/{id}", os::SECURITY_GROUPS)),
        [json!({"security_group": {"description": "public web servers"}})]
    );
    assert_eq!(s(&updated, "description"), "public web servers");

    let rules_of = |group: &str| {
        tf.cloud
            .objects(os::SECURITY_GROUP_RULES)
            .into_iter()
            .filter(|r| r["security_group_id"] == json!(group))
            .count()
    };
    assert_eq!(rules_of(&id), 2, "Neutron's default egress rules are kept");
    let bare = tf
        .create(
            "scs_security_group",
            json!({"name": "bare", "delete_default_rules": true}),
        )
        .await;
    assert_eq!(rules_of(s(&bare, "id")), 0, "default rules deleted");
    lifecycle::tag_failure_keeps_object(&tf, &case).await;
}

#[tokio::test]
async fn security_group_rule_life_cycle() {
    let tf = Tf::start().await;
    let group = tf.cloud.insert(os::SECURITY_GROUPS, json!({"name": "web"}));
    let case = Case {
        type_name: "scs_security_group_rule",
        collection: os::SECURITY_GROUP_RULES.into(),
        config: json!({"security_group_id": group["id"], "direction": "ingress",
            "protocol": "tcp", "port_range_min": 443, "port_range_max": 443,
            "remote_ip_prefix": "0.0.0.0/0"}),
        config_only: &["timeouts"],
    };
    let state = lifecycle::full(&tf, &case, by_id).await;
    assert_eq!(s(&state, "ethertype"), "IPv4");
    let sent = tf.bodies("POST", os::SECURITY_GROUP_RULES);
    assert_eq!(sent[0]["security_group_rule"]["port_range_min"], json!(443));
    assert_eq!(sent[0]["security_group_rule"]["protocol"], json!("tcp"));
    // Every argument forces a new rule: there is no in-place update.
    let mut config = case.config.clone();
    config["port_range_max"] = json!(444);
    let config = tf.config("scs_security_group_rule", &config);
    let fresh = tf
        .create("scs_security_group_rule", case.config.clone())
        .await;
    let (_, replace) = tf.plan("scs_security_group_rule", &fresh, &config).await;
    assert_eq!(replace, ["port_range_max"]);
}

#[tokio::test]
async fn network_and_subnet_data_sources_find_by_name() {
    let tf = Tf::start().await;
    let (net, subnet) = tenant_network(&tf, "app", "10.60.0.0/24");
    tenant_network(&tf, "twin", "10.61.0.0/24");
    tenant_network(&tf, "twin", "10.62.0.0/24");

    let found = tf
        .read_data("scs_network", json!({"name": "app"}))
        .await
        .ok();
    assert_eq!(s(&found, "id"), net);
    let found = tf
        .read_data("scs_subnet", json!({"name": "app-v4"}))
        .await
        .ok();
    assert_eq!(s(&found, "id"), subnet);
    assert_eq!(s(&found, "cidr"), "10.60.0.0/24");

    let none = tf.read_data("scs_network", json!({"name": "nope"})).await;
    assert!(none.failed().contains("nope"), "{:?}", none.errors);
    let many = tf.read_data("scs_network", json!({"name": "twin"})).await;
    let error = many.failed();
    assert!(error.contains("twin") && error.contains('2'), "{error}");
    let none = tf.read_data("scs_subnet", json!({"name": "nope"})).await;
    assert!(none.failed().contains("nope"));
    let many = tf.read_data("scs_subnet", json!({"name": "twin-v4"})).await;
    let error = many.failed();
    assert!(
        error.contains("10.61.0.0/24") || error.contains("twin-v4"),
        "{error}"
    );
    let one = tf
        .read_data(
            "scs_subnet",
            json!({"name": "twin-v4", "cidr": "10.62.0.0/24"}),
        )
        .await
        .ok();
    assert_eq!(s(&one, "cidr"), "10.62.0.0/24");
}

/// The networks named `name` in the cloud.
fn networks_named(tf: &Tf, name: &str) -> Vec<serde_json::Value> {
    tf.cloud
        .objects(os::NETWORKS)
        .into_iter()
        .filter(|n| n["name"] == name)
        .collect()
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_adopts_what_it_made_instead_of_making_another() {
    let tf = Tf::start().await;
    tf.cloud.on(
        "POST",
        os::NETWORKS,
        vec![
            scs_client::test_util::Action::LoseAnswer,
            scs_client::test_util::Action::Pass,
        ],
    );
    let state = tf
        .create("scs_network", json!({"name": "lost-answer"}))
        .await;
    let made = networks_named(&tf, "lost-answer");
    assert_eq!(made.len(), 1, "exactly one network: {made:?}");
    assert_eq!(s(&state, "id"), made[0]["id"].as_str().unwrap());
    assert_eq!(
        tf.cloud.hits("POST", os::NETWORKS).len(),
        1,
        "one create sent"
    );
}

#[tokio::test]
async fn a_create_lost_before_it_reached_the_cloud_is_sent_again() {
    let tf = Tf::start().await;
    // A 503 from a gateway in front of Neutron: the lookup finds nothing, so the create is
    // repeated. The harness sets max_retries = 0; one more attempt needs at least one retry.
    tf.configure_with(json!({"max_retries": 2})).await;
    tf.cloud.on(
        "POST",
        os::NETWORKS,
        vec![
            scs_client::test_util::Action::error(os::NETWORKS, 503, "gateway busy", "req-gw-1"),
            scs_client::test_util::Action::Pass,
        ],
    );
    let state = tf.create("scs_network", json!({"name": "retried"})).await;
    let made = networks_named(&tf, "retried");
    assert_eq!(made.len(), 1, "exactly one network: {made:?}");
    assert_eq!(s(&state, "id"), made[0]["id"].as_str().unwrap());
    assert_eq!(tf.cloud.hits("POST", os::NETWORKS).len(), 2);
}

#[tokio::test]
async fn a_lost_answer_never_adopts_an_object_that_is_not_provably_its_own() {
    let tf = Tf::start().await;
    // Two networks of this name appear while the create is under way (one of them another
    // tool's): the provider cannot tell which is its own and must not guess or create a third.
    tf.cloud.insert(os::NETWORKS, json!({"name": "twin"}));
    tf.cloud.on(
        "POST",
        os::NETWORKS,
        vec![scs_client::test_util::Action::LoseAnswer],
    );
    let answer = tf.try_create("scs_network", json!({"name": "twin"})).await;
    let error = answer.failed();
    assert!(error.contains("Cannot create network"), "{error}");
    assert_eq!(networks_named(&tf, "twin").len(), 2, "no third network");
    assert_eq!(
        tf.cloud.hits("POST", os::NETWORKS).len(),
        1,
        "one create sent"
    );
}

#[tokio::test]
async fn a_create_that_outlives_its_timeout_is_kept_in_state_not_orphaned() {
    let tf = Tf::start().await;
    tf.cloud.on(
        "POST",
        os::NETWORKS,
        vec![scs_client::test_util::Action::Delay(
            std::time::Duration::from_millis(1500),
            Box::new(scs_client::test_util::Action::Pass),
        )],
    );
    let answer = tf
        .try_create(
            "scs_network",
            json!({"name": "slow", "timeouts": {"create": "200ms"}}),
        )
        .await;
    let error = answer.failed();
    assert!(error.contains("timeout"), "{error}");
    let made = networks_named(&tf, "slow");
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(
        s(&answer.value, "id"),
        made[0]["id"].as_str().unwrap(),
        "the network the create made is in state (tainted by the error)"
    );
}

#[tokio::test]
async fn a_refresh_reads_each_kind_with_one_list_request() {
    let tf = Tf::start().await;
    let mut states = Vec::new();
    for i in 0..5 {
        states.push(
            tf.create("scs_network", json!({"name": format!("n{i}")}))
                .await,
        );
    }
    // A plan is a new provider process: its refresh reads every network.
    tf.next_command().await;
    tf.cloud.clear_requests();
    let reads = states.iter().map(|st| tf.read("scs_network", st));
    for read in futures_util::future::join_all(reads).await {
        assert!(read.errors.is_empty(), "{:?}", read.errors);
        assert!(!read.value.is_null());
    }
    let lists = tf.cloud.hits("GET", os::NETWORKS);
    assert_eq!(lists.len(), 1, "one listing: {lists:?}");
    assert!(
        lists[0]
            .query()
            .contains(&("project_id".into(), "proj-1".into())),
        "the project's networks only: {:?}",
        lists[0].query()
    );
    let singles = tf
        .cloud
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path_only().starts_with(&format!("{}/", os::NETWORKS)))
        .count();
    assert_eq!(singles, 0, "no GET per network");

    // Gone from the cloud after the listing: the listing does not hide it, the direct GET
    // confirms what the listing lacks, and a write makes the listing stale.
    let extra = tf.cloud.insert(os::NETWORKS, json!({"name": "late"}));
    let late = tf
        .read(
            "scs_network",
            &tf.import("scs_network", extra["id"].as_str().unwrap())
                .await
                .value,
        )
        .await;
    assert_eq!(s(&late.value, "name"), "late", "found by a direct GET");
    tf.cloud.clear_requests();
    let renamed = tf
        .update("scs_network", &states[0], json!({"name": "renamed"}))
        .await;
    assert_eq!(
        s(&renamed, "name"),
        "renamed",
        "read back after the write, not from before"
    );
    let after_write = tf.read("scs_network", &states[1]).await;
    assert!(!after_write.value.is_null());
    assert_eq!(
        tf.cloud.hits("GET", os::NETWORKS).len(),
        1,
        "listed anew after the write"
    );
}

/// Names and descriptions the cloud would refuse, or would store with control characters in them,
/// fail validation on their attribute before anything is sent.
#[tokio::test]
async fn names_and_descriptions_are_checked_before_they_reach_the_cloud() {
    let tf = Tf::start().await;
    let cases = [
        ("scs_network", json!({})),
        (
            "scs_subnet",
            json!({"network_id": "n", "cidr": "10.0.0.0/24"}),
        ),
        ("scs_router", json!({})),
        ("scs_port", json!({"network_id": "n"})),
        ("scs_security_group", json!({})),
        ("scs_floating_ip", json!({"pool": "public"})),
        (
            "scs_security_group_rule",
            json!({"security_group_id": "g", "direction": "ingress"}),
        ),
    ];
    for (type_name, base) in cases {
        let has_name = type_name != "scs_floating_ip" && type_name != "scs_security_group_rule";
        let mut fine = base.clone();
        fine["description"] = json!("line one\n\tline two, 255 characters at most: ünïcödé");
        if has_name {
            fine["name"] = json!("app (blue) ✓");
        }
        let problems = tf.validate_offline(type_name, &fine).await;
        assert!(problems.is_empty(), "{type_name}: {problems:#?}");

        let mut bad = base.clone();
        bad["description"] = json!("x".repeat(256));
        if has_name {
            bad["name"] = json!("app\u{0}");
        }
        let problems = tf.validate_offline(type_name, &bad).await;
        let want: &[&str] = if has_name {
            &["name", "description"]
        } else {
            &["description"]
        };
        assert_eq!(paths(&problems), want, "{type_name}: {problems:#?}");
        assert!(problems.iter().any(|p| p.detail.contains("256 characters")));
        if has_name {
            assert!(
                problems[0].detail.contains("U+0000 (NUL)"),
                "{type_name}: {}",
                problems[0].detail
            );
        }

        let mut newline_in_name = base;
        if has_name {
            newline_in_name["name"] = json!("app\nsecond line");
            let problems = tf.validate_offline(type_name, &newline_in_name).await;
            assert_eq!(paths(&problems), ["name"], "{type_name}");
        }
    }
}

/// Neutron stores the protocol `icmp` of an IPv6 rule as `ipv6-icmp`; the rule keeps the
/// configured spelling, so the apply is consistent and the next plan changes nothing.
#[tokio::test]
async fn an_ipv6_icmp_rule_accepts_either_spelling() {
    let tf = Tf::start().await;
    let group = tf.cloud.insert(os::SECURITY_GROUPS, json!({"name": "web"}));
    for protocol in ["icmp", "icmpv6", "ipv6-icmp"] {
        let config = json!({"security_group_id": group["id"], "direction": "ingress",
            "ethertype": "IPv6", "protocol": protocol, "remote_ip_prefix": "::/0"});
        assert!(
            tf.validate_offline("scs_security_group_rule", &config)
                .await
                .is_empty()
        );
        let state = tf.create("scs_security_group_rule", config.clone()).await;
        assert_eq!(s(&state, "protocol"), protocol);
        let stored = tf
            .cloud
            .object(os::SECURITY_GROUP_RULES, s(&state, "id"))
            .unwrap();
        assert_eq!(
            stored["protocol"],
            json!("ipv6-icmp"),
            "as Neutron stores it"
        );

        let refreshed = tf.read("scs_security_group_rule", &state).await.ok();
        assert_eq!(js(&refreshed), js(&state), "refresh keeps {protocol}");
        let config = tf.config("scs_security_group_rule", &config);
        let (planned, replace) = tf
            .plan("scs_security_group_rule", &refreshed, &config)
            .await;
        assert!(replace.is_empty(), "{protocol}: replaced for {replace:?}");
        assert_eq!(js(&planned.ok()), js(&refreshed), "{protocol}: no change");
    }
    // Imported, the rule shows what Neutron stores.
    let rules = tf.cloud.objects(os::SECURITY_GROUP_RULES);
    let id = rules.last().unwrap()["id"].as_str().unwrap().to_owned();
    let imported = tf.import("scs_security_group_rule", &id).await.ok();
    assert_eq!(s(&imported, "protocol"), "ipv6-icmp");
}

/// An `endpoint_overrides` key that names no service would be ignored silently; validation and
/// configure refuse it on its key, listing the known service types, before any request.
#[tokio::test]
async fn endpoint_overrides_take_only_known_service_types() {
    let cloud = scs_client::test_util::FakeCloud::openstack().await;
    let tf = Tf::unconfigured(cloud).await;
    let config = json!({"auth_url": tf.cloud.auth_url(), "user_name": "demo",
        "password": scs_client::test_util::PASSWORD, "project_name": "demo",
        "user_domain_name": "Default", "project_domain_name": "Default",
        "endpoint_overrides": {"network": tf.cloud.base() + "/network",
            "computer": tf.cloud.base() + "/compute/v2.1"}});
    let problems = tf.validate_provider(config.clone()).await;
    assert_eq!(paths(&problems), [r#"endpoint_overrides["computer"]"#]);
    let detail = &problems[0].detail;
    for known in [
        "compute",
        "network",
        "block-storage",
        "image",
        "identity",
        "volumev3",
    ] {
        assert!(detail.contains(&format!("`{known}`")), "{detail}");
    }
    let errors = tf.configure(config).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(tf.cloud.requests().is_empty(), "no token was requested");
}

#[tokio::test]
async fn a_router_interface_whose_answer_is_lost_is_found_on_the_router() {
    let tf = Tf::start().await;
    let router = tf.cloud.insert(os::ROUTERS, json!({"name": "edge"}));
    let router_id = router["id"].as_str().unwrap().to_owned();
    let (_, subnet_id) = tenant_network(&tf, "app", "10.31.0.0/24");
    tf.cloud.on(
        "PUT",
        &format!("{}/{router_id}/add_router_interface", os::ROUTERS),
        vec![scs_client::test_util::Action::LoseAnswer],
    );
    let state = tf
        .create(
            "scs_router_interface",
            json!({"router_id": router_id, "subnet_id": subnet_id}),
        )
        .await;
    let ports: Vec<_> = tf
        .cloud
        .objects(os::PORTS)
        .into_iter()
        .filter(|p| p["device_id"] == router_id)
        .collect();
    assert_eq!(ports.len(), 1, "{ports:?}");
    assert_eq!(s(&state, "port_id"), ports[0]["id"].as_str().unwrap());
}

#[tokio::test]
async fn a_rule_takes_a_remote_prefix_or_a_remote_group() {
    let tf = Tf::start().await;
    let rule = json!({"security_group_id": "g", "direction": "ingress",
        "remote_ip_prefix": "10.0.0.0/8", "remote_group_id": "other"});
    let problems = tf.validate_offline("scs_security_group_rule", &rule).await;
    assert_eq!(paths(&problems), ["remote_group_id"], "{problems:#?}");
    assert_eq!(problems[0].summary, "Conflicting arguments");
}
