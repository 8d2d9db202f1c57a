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
}

fn id_of(values: &Value) -> String {
    values["id"].as_str().unwrap().to_owned()
}

fn str_of<'a>(values: &'a Value, key: &str) -> &'a str {
    values[key].as_str().unwrap_or_else(|| panic!("{key} missing in {values:#}"))
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
    assert!((kind.exists)(&cloud, &id), "{} {id} not in the cloud", kind.address);

    s.use_config(&format!("network/{}/update.tf", kind.dir));
    if kind.updates_in_place {
        assert_eq!(s.planned_actions(kind.address), ["update"], "update.tf must update in place");
        s.apply();
        assert_plan_empty(s, "update");
        assert_eq!(id_of(&s.state_resource(kind.address)), id, "update replaced the object");
    } else {
        s.apply();
        assert_plan_empty(s, "update");
    }

    let values = s.state_resource(kind.address);
    let import_id = (kind.import_id)(&values);
    let id = id_of(&values);
    s.ok(&["state", "rm", kind.address]);
    s.import(kind.address, &import_id);
    assert_plan_empty(s, "import");
    assert_eq!(s.state_resource(kind.address), values, "imported state differs");

    s.out_of_band("delete the object behind terraform's back", || {
        (kind.delete)(&cloud, &id)
    });
    assert_eq!(s.planned_actions(kind.address), ["create"]);

    s.destroy();
    assert!(!(kind.exists)(&cloud, &id), "{} {id} left after destroy", kind.address);
    let left = cloud.run(neutron::list_networks(&cloud.client, &[]));
    let prefix = s.name_prefix();
    let leftovers: Vec<_> = left.iter().filter(|n| n.name.starts_with(&prefix)).collect();
    assert!(leftovers.is_empty(), "networks left after destroy: {leftovers:?}");
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
            },
        );
        let _ = str_of;
    });
}
