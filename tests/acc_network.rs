//! Issue 5 acceptance: every networking resource through its whole life on
//! real terraform and tofu against the local cloud: create, empty plan,
//! in-place update, empty plan, import and empty plan, out-of-band delete
//! planned as create, destroy, and an API check that nothing is left.

#![allow(clippy::unwrap_used)]

mod harness;

use std::collections::BTreeMap;
use std::future::Future;

use harness::Scenario;
use scs_client::Client;
use scs_client::config::{CloudConfig, Overrides, Sources};
use scs_client::network as neutron;
use serde_json::Value;

/// A direct API connection to the cloud the scenario's clients use.
struct Cloud {
    rt: tokio::runtime::Runtime,
    client: Client,
}

impl Cloud {
    fn for_scenario(s: &Scenario) -> Cloud {
        let env: BTreeMap<String, String> = s.cloud_env().into_iter().collect();
        let sources = Sources::standard(env, None, None);
        let config = CloudConfig::resolve_with(Overrides::default(), &sources).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = Client::new(config).unwrap();
        Cloud { rt, client }
    }

    fn run<T>(&self, f: impl Future<Output = scs_client::Result<T>>) -> T {
        match self.rt.block_on(f) {
            Ok(v) => v,
            Err(e) => panic!("cloud call failed: {e}"),
        }
    }
}

/// What the generic life cycle needs to know about one resource type.
struct Kind {
    /// `acceptance/scenarios/network/<dir>/{create,update}.tf`.
    dir: &'static str,
    /// The resource under test, e.g. `scs_network.this`.
    address: &'static str,
    /// Whether `update.tf` changes `address` in place (false: nothing to update).
    updates_in_place: bool,
    /// The import ID from the resource's state values.
    import_id: fn(&Value) -> String,
    exists: fn(&Cloud, &str) -> bool,
    delete: fn(&Cloud, &str),
    /// Extra checks after `update.tf` was applied.
    after_update: fn(&Scenario, &Cloud),
}

fn no_check(_: &Scenario, _: &Cloud) {}

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
    let cloud = Cloud::for_scenario(s);
    s.use_config(&format!("network/{}/create.tf", kind.dir));
    s.init();
    s.apply();
    assert_plan_empty(s, "create");
    let created = s.state_resource(kind.address);
    let id = id_of(&created);
    assert!(
        (kind.exists)(&cloud, &id),
        "{} {id} not in the cloud",
        kind.address
    );

    s.use_config(&format!("network/{}/update.tf", kind.dir));
    if kind.updates_in_place {
        assert_eq!(
            s.planned_actions(kind.address),
            ["update"],
            "update.tf must update in place"
        );
        s.apply();
        assert_plan_empty(s, "update");
        assert_eq!(
            id_of(&s.state_resource(kind.address)),
            id,
            "update replaced the object"
        );
    } else {
        s.apply();
        assert_plan_empty(s, "update");
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
    let c = &cloud.client;
    let mut left: Vec<String> = Vec::new();
    let mut note = |kind: &str, names: Vec<String>| {
        left.extend(
            names
                .into_iter()
                .filter(|n| n.starts_with(prefix))
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
fn network_life_cycle() {
    harness::on_both_clients("net-network", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "network",
                address: "scs_network.this",
                updates_in_place: true,
                import_id: id_of,
                exists: |c, id| c.run(neutron::get_network(&c.client, id)).is_some(),
                delete: |c, id| c.run(neutron::delete_network(&c.client, id)),
                after_update: no_check,
            },
        );
    });
}

#[test]
fn subnet_life_cycle() {
    harness::on_both_clients("net-subnet", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "subnet",
                address: "scs_subnet.this",
                updates_in_place: true,
                import_id: id_of,
                exists: |c, id| c.run(neutron::get_subnet(&c.client, id)).is_some(),
                delete: |c, id| c.run(neutron::delete_subnet(&c.client, id)),
                after_update: no_check,
            },
        );
    });
}

#[test]
fn router_life_cycle() {
    harness::on_both_clients("net-router", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "router",
                address: "scs_router.this",
                updates_in_place: true,
                import_id: id_of,
                exists: |c, id| c.run(neutron::get_router(&c.client, id)).is_some(),
                delete: |c, id| c.run(neutron::delete_router(&c.client, id)),
                after_update: |s, c| {
                    let id = id_of(&s.state_resource("scs_router.this"));
                    let router = c.run(neutron::get_router(&c.client, &id)).unwrap();
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
    c.run(neutron::list_ports(&c.client, &[("device_id", router_id)]))
        .into_iter()
        .find(|p| p.fixed_ips.iter().any(|ip| ip.subnet_id == subnet_id))
}

/// `id` of a router interface is its port; it exists while that port is on
/// the router and still carries the interface's subnet.
fn interface_exists(c: &Cloud, port_id: &str) -> bool {
    c.run(neutron::get_port(&c.client, port_id))
        .is_some_and(|p| p.device_owner.starts_with("network:router_interface"))
}

#[test]
fn router_interface_life_cycle() {
    harness::on_both_clients("net-router-interface", |s| {
        life_cycle(
            s,
            &Kind {
                dir: "router_interface",
                address: "scs_router_interface.v4",
                updates_in_place: false,
                import_id: id_of,
                exists: interface_exists,
                delete: |c, port_id| {
                    let port = c.run(neutron::get_port(&c.client, port_id)).unwrap();
                    let req = neutron::RouterInterfaceRequest::PortId(port_id.to_owned());
                    c.run(neutron::remove_router_interface(
                        &c.client,
                        &port.device_id,
                        &req,
                    ));
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
