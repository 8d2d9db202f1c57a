//! Acceptance: every networking resource through its whole life on
//! real terraform and tofu against the local cloud: create, empty plan,
//! in-place update, empty plan, import and empty plan, out-of-band delete
//! planned as create, destroy, and an API check that nothing is left.

#![allow(clippy::unwrap_used)]

mod harness;

use harness::{Cloud, CmdOutput, Scenario};
use scs_client::network as neutron;
use serde_json::Value;

/// What the generic life cycle needs to know about one resource type.
struct Kind {
    /// `acceptance/scenarios/network/<dir>/{create,update}.tf`.
    dir: &'static str,
    /// The resource under test, e.g. `scs_network.this`.
    address: &'static str,
    /// The plan's actions for `address` between `create.tf` and `update.tf`.
    update_actions: &'static [&'static str],
    /// The import ID from the resource's state values.
    import_id: fn(&Value) -> String,
    exists: fn(&Cloud, &str) -> bool,
    delete: fn(&Cloud, &str),
    /// Extra checks after `create.tf` was applied, given the apply's output.
    after_create: fn(&Scenario, &Cloud, &CmdOutput),
    /// Extra checks after `update.tf` was applied.
    after_update: fn(&Scenario, &Cloud),
}

fn no_check(_: &Scenario, _: &Cloud) {}

fn no_create_check(_: &Scenario, _: &Cloud, _: &CmdOutput) {}

const IN_PLACE: &[&str] = &["update"];

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

/// The whole life cycle of `kind` on the scenario's client.
fn life_cycle(s: &mut Scenario, kind: &Kind) {
    let cloud = s.cloud();
    s.use_config(&format!("network/{}/create.tf", kind.dir));
    s.init();
    let applied = s.apply();
    assert_plan_empty(s, "create");
    let created = s.state_resource(kind.address);
    let id = id_of(&created);
    assert!(
        (kind.exists)(&cloud, &id),
        "{} {id} not in the cloud",
        kind.address
    );
    (kind.after_create)(s, &cloud, &applied);

    s.use_config(&format!("network/{}/update.tf", kind.dir));
    let actions = s.planned_actions(kind.address);
    let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
    let replaced = actions.contains(&"delete");
    assert_eq!(
        actions, kind.update_actions,
        "planned actions for {} with update.tf",
        kind.address
    );
    s.apply();
    assert_plan_empty(s, "update");
    if !replaced {
        assert_eq!(
            id_of(&s.state_resource(kind.address)),
            id,
            "update replaced the object"
        );
    }
    (kind.after_update)(s, &cloud);

    let values = s.state_resource(kind.address);
    let import_id = (kind.import_id)(&values);
    let id = id_of(&values);
    s.ok(&["state", "rm", kind.address]);
    s.import(kind.address, &import_id);
    assert_plan_empty(s, "import");
    assert_eq!(
        s.state_resource(kind.address),
        values,
        "imported state differs"
    );

    eprintln!("[{}] out of band: delete {} {id}", s.client(), kind.address);
    (kind.delete)(&cloud, &id);
    assert_eq!(s.planned_actions(kind.address), ["create"]);

    s.destroy();
    assert!(
        !(kind.exists)(&cloud, &id),
        "{} {id} left after destroy",
        kind.address
    );
    assert_nothing_left(&cloud, &s.name_prefix());
}

/// No object named with the scenario's prefix is left in the cloud.
fn assert_nothing_left(cloud: &Cloud, prefix: &str) {
    let c = cloud.client();
    let mut left: Vec<String> = Vec::new();
    let mut note = |kind: &str, names: Vec<String>| {
        left.extend(
            names
                .into_iter()
                .filter(|n| n.starts_with(&format!("{prefix}-")))
                .map(|n| format!("{kind} {n}")),
        );
    };
    note(
        "network",
        cloud
            .run(neutron::list_networks(c, &[]))
            .into_iter()
            .map(|x| x.name)
            .collect(),
    );
    note(
        "subnet",
        cloud
            .run(neutron::list_subnets(c, &[]))
            .into_iter()
            .map(|x| x.name)
            .collect(),
    );
    note(
        "router",
        cloud
            .run(neutron::list_routers(c, &[]))
            .into_iter()
            .map(|x| x.name)
            .collect(),
    );
    note(
        "port",
        cloud
            .run(neutron::list_ports(c, &[]))
            .into_iter()
            .map(|x| x.name)
            .collect(),
    );
    note(
        "security group",
        cloud
            .run(neutron::list_security_groups(c, &[]))
            .into_iter()
            .map(|x| x.name)
            .collect(),
    );
    assert!(left.is_empty(), "left in the cloud after destroy: {left:?}");
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn network_life_cycle() {
    harness::on_both_clients("net-network", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "network",
                address: "scs_network.this",
                update_actions: IN_PLACE,
                import_id: id_of,
                exists: |c, id| c.run(neutron::get_network(c.client(), id)).is_some(),
                delete: |c, id| c.run(neutron::delete_network(c.client(), id)),
                after_create: no_create_check,
                after_update: |s, c| {
                    // Drift: a rename behind terraform's back shows as an in-place update.
                    let net = s.state_resource("scs_network.this");
                    let id = id_of(&net);
                    let rename = |name: &str| neutron::UpdateNetwork {
                        name: Some(name.to_owned()),
                        ..Default::default()
                    };
                    c.run(neutron::update_network(c.client(), &id, &rename("drifted")));
                    assert_eq!(s.planned_actions("scs_network.this"), ["update"]);
                    c.run(neutron::update_network(
                        c.client(),
                        &id,
                        &rename(str_of(&net, "name")),
                    ));
                },
            },
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn subnet_life_cycle() {
    harness::on_both_clients("net-subnet", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "subnet",
                address: "scs_subnet.this",
                update_actions: IN_PLACE,
                import_id: id_of,
                exists: |c, id| c.run(neutron::get_subnet(c.client(), id)).is_some(),
                delete: |c, id| c.run(neutron::delete_subnet(c.client(), id)),
                after_create: no_create_check,
                after_update: no_check,
            },
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn router_life_cycle() {
    harness::on_both_clients("net-rtr", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "router",
                address: "scs_router.this",
                update_actions: IN_PLACE,
                import_id: id_of,
                exists: |c, id| c.run(neutron::get_router(c.client(), id)).is_some(),
                delete: |c, id| c.run(neutron::delete_router(c.client(), id)),
                after_create: no_create_check,
                after_update: |s, c| {
                    let id = id_of(&s.state_resource("scs_router.this"));
                    let router = c.run(neutron::get_router(c.client(), &id)).unwrap();
                    assert!(
                        router.external_gateway_info.is_none(),
                        "gateway not cleared"
                    );
                },
            },
        );
    });
}

/// The router port that carries `subnet_id`, if any.
fn router_port_of(c: &Cloud, router_id: &str, subnet_id: &str) -> Option<neutron::Port> {
    c.run(neutron::list_ports(c.client(), &[("device_id", router_id)]))
        .into_iter()
        .find(|p| p.fixed_ips.iter().any(|ip| ip.subnet_id == subnet_id))
}

/// `id` of a router interface is its port; it exists while that port is on
/// the router and still carries the interface's subnet.
fn interface_exists(c: &Cloud, port_id: &str) -> bool {
    c.run(neutron::get_port(c.client(), port_id))
        .is_some_and(|p| p.device_owner.starts_with("network:router_interface"))
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn router_interface_life_cycle() {
    harness::on_both_clients("net-rif", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "router_interface",
                address: "scs_router_interface.v4",
                update_actions: &["no-op"],
                import_id: id_of,
                exists: interface_exists,
                delete: |c, port_id| {
                    let port = c.run(neutron::get_port(c.client(), port_id)).unwrap();
                    let req = neutron::RouterInterfaceRequest::PortId(port_id.to_owned());
                    c.run(neutron::remove_router_interface(
                        c.client(),
                        &port.device_id,
                        &req,
                    ));
                },
                after_create: |s, c, _| {
                    // The scenario is only meaningful if Neutron really shared the port.
                    let v6a = s.state_resource("scs_router_interface.v6a");
                    let v6b = s.state_resource("scs_router_interface.v6b");
                    assert_eq!(
                        v6a["port_id"], v6b["port_id"],
                        "IPv6 interfaces do not share a port"
                    );
                    let _ = c;
                },
                after_update: |s, c| {
                    // v6b shared its router port with v6a; removing v6b must leave
                    // the port and v6a on it.
                    let router = id_of(&s.state_resource("scs_router.this"));
                    let v6a = id_of(&s.state_resource("scs_subnet.v6a"));
                    let v6b = id_of(&s.state_resource("scs_subnet.v6b"));
                    let iface = s.state_resource("scs_router_interface.v6a");
                    let port = router_port_of(c, &router, &v6a).expect("v6a lost its router port");
                    assert_eq!(port.id, str_of(&iface, "port_id"));
                    assert!(
                        port.fixed_ips.iter().all(|ip| ip.subnet_id != v6b),
                        "v6b still on the router port: {port:?}"
                    );
                },
            },
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn security_group_life_cycle() {
    harness::on_both_clients("net-sg", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "security_group",
                address: "scs_security_group.this",
                update_actions: IN_PLACE,
                import_id: id_of,
                exists: |c, id| c.run(neutron::get_security_group(c.client(), id)).is_some(),
                delete: |c, id| c.run(neutron::delete_security_group(c.client(), id)),
                after_create: no_create_check,
                after_update: no_check,
            },
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn security_group_rule_life_cycle() {
    harness::on_both_clients("net-sgrule", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "security_group_rule",
                address: "scs_security_group_rule.ssh",
                update_actions: &["delete", "create"],
                import_id: id_of,
                exists: |c, id| {
                    c.run(neutron::get_security_group_rule(c.client(), id))
                        .is_some()
                },
                delete: |c, id| c.run(neutron::delete_security_group_rule(c.client(), id)),
                after_create: |s, c, applied| {
                    // The default egress rule was adopted, with a warning, not a 409.
                    applied.assert_contains("Adopted an existing security group rule");
                    let adopted = s.state_resource("scs_security_group_rule.default_egress_v4");
                    let group = id_of(&s.state_resource("scs_security_group.this"));
                    let rules = c.run(neutron::list_security_group_rules(
                        c.client(),
                        &[("security_group_id", &group)],
                    ));
                    assert!(
                        rules.iter().any(|r| r.id == str_of(&adopted, "id")),
                        "adopted rule is not one of the group's rules"
                    );
                },
                after_update: no_check,
            },
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn port_life_cycle() {
    harness::on_both_clients("net-port", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "port",
                address: "scs_port.this",
                update_actions: IN_PLACE,
                import_id: id_of,
                exists: |c, id| c.run(neutron::get_port(c.client(), id)).is_some(),
                delete: |c, id| c.run(neutron::delete_port(c.client(), id)),
                after_create: no_create_check,
                after_update: |s, c| {
                    let id = id_of(&s.state_resource("scs_port.this"));
                    let port = c.run(neutron::get_port(c.client(), &id)).unwrap();
                    assert_eq!(port.security_groups.len(), 2, "{port:?}");
                    assert_eq!(port.fixed_ips[0].ip_address, "10.63.0.11");
                    assert!(!port.admin_state_up);
                },
            },
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn floating_ip_life_cycle() {
    harness::on_both_clients("net-fip", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "floating_ip",
                address: "scs_floating_ip.this",
                update_actions: IN_PLACE,
                import_id: id_of,
                exists: |c, id| c.run(neutron::get_floating_ip(c.client(), id)).is_some(),
                delete: |c, id| c.run(neutron::delete_floating_ip(c.client(), id)),
                after_create: no_create_check,
                after_update: |s, c| {
                    let fip = s.state_resource("scs_floating_ip.this");
                    let port = id_of(&s.state_resource("scs_port.this"));
                    let api = c
                        .run(neutron::get_floating_ip(c.client(), &id_of(&fip)))
                        .unwrap();
                    assert_eq!(
                        api.port_id.as_deref(),
                        Some(port.as_str()),
                        "not bound to the port"
                    );
                },
            },
        );
    });
}

/// A whole topology: network, subnet, router with gateway, interface,
/// a group with 20 rules created concurrently, two ports, and a floating IP
/// that moves from one port to the other in place.
#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn topology_floating_ip_moves_in_place() {
    harness::on_both_clients("net-topology", |s| {
        let cloud = s.cloud();
        s.use_config("network/topology/create.tf");
        s.init();
        s.apply();
        assert_plan_empty(s, "create");
        let group = id_of(&s.state_resource("scs_security_group.this"));
        let rules = cloud.run(neutron::list_security_group_rules(
            cloud.client(),
            &[("security_group_id", &group)],
        ));
        let ingress = rules.iter().filter(|r| r.direction == "ingress").count();
        assert_eq!(ingress, 20, "expected 20 ingress rules: {rules:?}");
        let fip = s.state_resource("scs_floating_ip.this");
        let port_a = id_of(&s.state_resource("scs_port.a"));
        assert_eq!(str_of(&fip, "port_id"), port_a);

        s.use_config("network/topology/update.tf");
        assert_eq!(s.planned_actions("scs_floating_ip.this"), ["update"]);
        s.apply();
        assert_plan_empty(s, "moving the floating IP");
        let moved = s.state_resource("scs_floating_ip.this");
        let port_b = id_of(&s.state_resource("scs_port.b"));
        assert_eq!(id_of(&moved), id_of(&fip), "floating IP was replaced");
        assert_eq!(moved["address"], fip["address"], "address changed");
        let api = cloud
            .run(neutron::get_floating_ip(cloud.client(), &id_of(&moved)))
            .unwrap();
        assert_eq!(api.port_id.as_deref(), Some(port_b.as_str()));

        s.destroy();
        assert!(
            cloud
                .run(neutron::get_floating_ip(cloud.client(), &id_of(&moved)))
                .is_none()
        );
        assert_nothing_left(&cloud, &s.name_prefix());
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn data_sources_find_exactly_one() {
    harness::on_both_clients("net-data", |s| {
        let config = r#"

data "scs_network" "public" {
  name     = "public"
  external = true
}

resource "scs_network" "this" {
  name = "${var.prefix}-net"
}

resource "scs_subnet" "this" {
  network_id = scs_network.this.id
  name       = "${var.prefix}-subnet"
  cidr       = "10.66.0.0/24"
}

# External subnets are not visible to a project; look up our own.
data "scs_subnet" "found" {
  network_id = scs_subnet.this.network_id
  cidr       = "10.66.0.0/24"
}

output "network" {
  value = data.scs_network.public.id
}

output "subnet" {
  value = data.scs_subnet.found.id
}
"#
        .to_owned();
        s.write_config(&config);
        s.init();
        s.apply();
        let outputs = s.ok(&["output", "-json"]).json();
        let cloud = s.cloud();
        let public = cloud.run(neutron::list_networks(
            cloud.client(),
            &[("name", "public")],
        ));
        assert_eq!(outputs["network"]["value"], public[0].id.as_str());
        let subnet = id_of(&s.state_resource("scs_subnet.this"));
        assert_eq!(outputs["subnet"]["value"], subnet.as_str());

        // No filter at all: several networks match, and the error lists them.
        s.write_config("data \"scs_network\" \"any\" {}\n");
        let out = s.plan();
        out.assert_failure()
            .assert_contains("networks match")
            .assert_contains("Candidates");
        // Back to the first configuration so cleanup can destroy what it made.
        s.write_config(&config);
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn plan_time_validation_names_the_attribute() {
    harness::on_both_clients("net-check", |s| {
        s.write_config(
            r#"

resource "scs_subnet" "bad" {
  network_id = "00000000-0000-0000-0000-000000000000"
  cidr       = "10.1.2.3/24"
}

resource "scs_subnet" "pool" {
  network_id = "00000000-0000-0000-0000-000000000000"
  cidr       = "10.1.0.0/24"
  ip_version = 6

  allocation_pool {
    start = "10.1.0.10"
    end   = "10.1.1.10"
  }
}

resource "scs_security_group_rule" "ports" {
  security_group_id = "00000000-0000-0000-0000-000000000000"
  direction         = "ingress"
  protocol          = "tcp"
  port_range_min    = 443
  port_range_max    = 80
}

resource "scs_security_group_rule" "proto" {
  security_group_id = "00000000-0000-0000-0000-000000000000"
  direction         = "ingress"
  protocol          = "tcpp"
}
"#,
        );
        s.init();
        let out = s.validate();
        out.assert_failure();
        for quoted in [
            r#"cidr       = "10.1.2.3/24""#,
            "ip_version = 6",
            r#"start = "10.1.0.10""#,
            "port_range_max    = 80",
            r#"protocol          = "tcpp""#,
        ] {
            out.assert_contains(quoted);
        }
        out.assert_contains("10.1.2.0/24");
    });
}

/// `examples/network` is runnable as documented: apply, empty plan, destroy.
#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn network_example_applies() {
    harness::on_both_clients("net-example", |s| {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/network/main.tf");
        let example = std::fs::read_to_string(&path).unwrap();
        s.write_config(&example);
        s.init();
        s.apply();
        assert_plan_empty(s, "applying the example");
        let out = s.ok(&["output", "-json"]).json();
        assert!(
            out["bastion_address"]["value"]
                .as_str()
                .is_some_and(|a| !a.is_empty())
        );
        s.destroy();
    });
}

/// Not a pass/fail test: prints how long creating and destroying 100 rules
/// of one group takes (run with `-- --ignored rule_throughput`). Neutron is
/// asked concurrently, as far as the client's -parallelism allows.
#[test]
#[ignore = "measurement, run on demand"]
fn on_demand_rule_throughput() {
    harness::on_both_clients("net-rule-bench", |s| {
        s.write_config(
            r#"
resource "scs_security_group" "this" {
  name                 = "${var.prefix}-sg"
  delete_default_rules = true
}

resource "scs_security_group_rule" "tcp" {
  count = 100

  security_group_id = scs_security_group.this.id
  direction         = "ingress"
  protocol          = "tcp"
  port_range_min    = 10000 + count.index
  port_range_max    = 10000 + count.index
  remote_ip_prefix  = "0.0.0.0/0"
}
"#,
        );
        s.init();
        let started = std::time::Instant::now();
        s.apply();
        let created = started.elapsed();
        let started = std::time::Instant::now();
        s.destroy();
        let destroyed = started.elapsed();
        eprintln!(
            "[{}] 100 rules (+1 group): apply {:.1}s, destroy {:.1}s",
            s.client(),
            created.as_secs_f64(),
            destroyed.as_secs_f64()
        );
    });
}
