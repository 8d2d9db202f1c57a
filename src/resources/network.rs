//! `scs_network`: a Neutron network (`/v2.0/networks`).

use async_trait::async_trait;
use scs_client::network::{CreateNetwork, Network, UpdateNetwork};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::model::Timeouts;
use tfplugin::schema::validators::int_between;
use tfplugin::value::Attr;

use crate::lifecycle::{Change, CloudObject, Plan, Step};
use crate::support::schema::{description, name, region, tags};
use crate::support::{attr_of, string_from_api};

pub struct NetworkResource;

/// A Neutron network.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkModel {
    /// The network's UUID.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    #[tf(schema = name("A name for the network. Names need not be unique."))]
    name: Attr<String>,
    #[tf(schema = description("Free text describing the network."))]
    description: Attr<String>,
    /// The administrative state of the network.
    #[tf(default = true)]
    admin_state_up: Attr<bool>,
    /// Whether every project may use the network. Usually allowed for administrators only. If
    /// unset, Neutron decides (`false`) and its choice is recorded in the state.
    #[tf(optional, computed, use_state_for_unknown)]
    shared: Attr<bool>,
    /// Whether the network is external (`router:external`), i.e. usable as a router gateway and
    /// floating IP pool. Usually allowed for administrators only.
    #[tf(optional, computed, use_state_for_unknown)]
    external: Attr<bool>,
    /// The MTU of the network. If unset, Neutron picks it and the chosen value is recorded in the
    /// state.
    #[tf(optional, computed, use_state_for_unknown, validator = int_between(68, 65535))]
    mtu: Attr<i64>,
    /// The default port security of ports created on this network. If unset, Neutron's default is
    /// recorded.
    #[tf(optional, computed, use_state_for_unknown)]
    port_security_enabled: Attr<bool>,
    #[tf(schema = tags)]
    tags: Attr<Vec<String>>,
    /// The status Neutron reports (`ACTIVE`, `DOWN`, `BUILD`, `ERROR`).
    #[tf(computed)]
    status: Attr<String>,
    /// The IDs of the subnets on this network.
    #[tf(computed, set)]
    subnet_ids: Attr<Vec<String>>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

/// The MTU as Neutron takes it; the schema keeps it within 68..=65535.
fn mtu(value: Option<&i64>) -> Option<u32> {
    value.and_then(|m| u32::try_from(*m).ok())
}

#[async_trait]
impl CloudObject for NetworkResource {
    type Model = NetworkModel;
    type Api = Network;
    const TYPE_NAME: &'static str = "scs_network";

    fn state_from(&self, net: Network, prior: &NetworkModel) -> NetworkModel {
        NetworkModel {
            name: string_from_api(net.name, &prior.name),
            description: string_from_api(net.description, &prior.description),
            admin_state_up: Attr::Known(net.admin_state_up),
            shared: Attr::Known(net.shared),
            external: Attr::Known(net.external),
            mtu: attr_of(net.mtu.map(i64::from)),
            port_security_enabled: attr_of(net.port_security_enabled),
            status: Attr::Known(net.status),
            subnet_ids: Attr::Known(net.subnets),
            ..Default::default()
        }
    }

    fn create_body(&self, plan: Plan<'_, NetworkModel>) -> Step<CreateNetwork> {
        Ok(CreateNetwork {
            name: plan.name.known().cloned(),
            description: plan.description.known().cloned(),
            admin_state_up: plan.admin_state_up.known().copied(),
            shared: plan.shared.known().copied(),
            external: plan.external.known().copied(),
            mtu: mtu(plan.mtu.known()),
            port_security_enabled: plan.port_security_enabled.known().copied(),
            ..Default::default()
        })
    }

    fn update_body(&self, change: Change<'_, NetworkModel>) -> Step<UpdateNetwork> {
        Ok(UpdateNetwork {
            name: change.changed_or_cleared(|m| &m.name),
            description: change.changed_or_cleared(|m| &m.description),
            admin_state_up: change.changed(|m| &m.admin_state_up),
            shared: change.changed(|m| &m.shared),
            external: change.changed(|m| &m.external),
            mtu: mtu(change.changed(|m| &m.mtu).as_ref()),
            port_security_enabled: change.changed(|m| &m.port_security_enabled),
            ..Default::default()
        })
    }
}
