//! `scs_router_interface`: a subnet or port attached to a router
//! (`PUT /v2.0/routers/{id}/add_router_interface`, `.../remove_router_interface`).
//!
//! The interface is identified by its router port. Neutron may put several
//! IPv6 subnets of one network on the same router port, so an interface made
//! from a subnet is removed by subnet: only that subnet leaves the port.

use async_trait::async_trait;
use scs_client::network::{
    self as neutron, FixedIp, Port, RouterInterface, RouterInterfaceRequest,
};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::Ctx;
use tfplugin::model::Timeouts;
use tfplugin::value::Attr;

use crate::lifecycle::{CloudObject, Plan, Step};
use crate::support::Cloud;
use crate::support::schema::region;

pub struct RouterInterfaceResource;

/// A subnet or port attached to a router.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[tf(exactly_one_of(subnet_id, port_id))]
pub struct InterfaceModel {
    /// The ID of the interface's router port (the same as `port_id`).
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    /// The ID of the router.
    #[tf(required, requires_replace)]
    router_id: Attr<String>,
    /// The ID of the subnet to attach; Neutron creates or reuses a router port for it. Exactly one
    /// of `subnet_id` and `port_id` is required.
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    subnet_id: Attr<String>,
    /// The ID of an existing port to attach. Exactly one of `subnet_id` and `port_id` is required;
    /// when `subnet_id` is given, this is the port Neutron used.
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    port_id: Attr<String>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

fn subnets_of(port: &Port) -> Vec<&str> {
    port.fixed_ips
        .iter()
        .map(|ip| ip.subnet_id.as_str())
        .collect()
}

impl InterfaceModel {
    /// The state for the router port `port`, or `None` when the port no
    /// longer stands for this interface.
    fn from_port(port: Port, prior: &InterfaceModel) -> Option<InterfaceModel> {
        let router_id = match prior.router_id.known() {
            Some(r) if *r != port.device_id => return None,
            Some(r) => r.clone(),
            None if port.device_id.is_empty() => return None,
            None => port.device_id.clone(),
        };
        let subnets = subnets_of(&port);
        let subnet_id = match prior.subnet_id.known() {
            Some(s) if !subnets.contains(&s.as_str()) => return None,
            Some(s) => Attr::Known(s.clone()),
            // A port with one subnet: which subnet is unambiguous.
            None => match subnets.as_slice() {
                [only] => Attr::Known((*only).to_owned()),
                _ => Attr::Null,
            },
        };
        Some(InterfaceModel {
            id: Attr::Known(port.id.clone()),
            router_id: Attr::Known(router_id),
            subnet_id,
            port_id: Attr::Known(port.id),
            ..Default::default()
        })
    }
}

/// The router port as the attach answer describes it.
fn attached_port(added: RouterInterface) -> Port {
    Port {
        id: added.port_id,
        device_id: added.id,
        network_id: added.network_id,
        project_id: added.project_id,
        fixed_ips: added
            .subnet_ids
            .into_iter()
            .map(|subnet_id| FixedIp {
                subnet_id,
                ip_address: String::new(),
            })
            .collect(),
        ..Default::default()
    }
}

fn request_of(model: &InterfaceModel) -> Option<RouterInterfaceRequest> {
    match (model.subnet_id.known(), model.port_id.known()) {
        (Some(subnet), _) => Some(RouterInterfaceRequest::SubnetId(subnet.clone())),
        (None, Some(port)) => Some(RouterInterfaceRequest::PortId(port.clone())),
        (None, None) => None,
    }
}

#[async_trait]
impl CloudObject for RouterInterfaceResource {
    type Model = InterfaceModel;
    type Api = Port;
    const TYPE_NAME: &'static str = "scs_router_interface";
    const KIND: &'static str = "router interface";
    const RETRY_DELETE_CONFLICTS: bool = true;

    fn state_from(&self, port: Port, prior: &InterfaceModel) -> InterfaceModel {
        let id = port.id.clone();
        InterfaceModel::from_port(port, prior).unwrap_or_else(|| InterfaceModel {
            id: Attr::Known(id.clone()),
            port_id: Attr::Known(id),
            ..prior.clone()
        })
    }

    fn still_ours(&self, port: &Port, prior: &InterfaceModel) -> bool {
        InterfaceModel::from_port(port.clone(), prior).is_some()
    }

    async fn create(&self, plan: Plan<'_, InterfaceModel>) -> Step<Port> {
        let router_id = plan.router_id.known().cloned().unwrap_or_default();
        let request = request_of(plan.planned).ok_or_else(|| {
            Diagnostic::error(
                "Missing subnet_id or port_id",
                "Give exactly one of subnet_id or port_id.",
            )
        })?;
        let added = neutron::add_router_interface(plan.cloud, &router_id, &request).await?;
        Ok(attached_port(added))
    }

    async fn get(&self, cloud: &Cloud<'_>, port_id: &str) -> Step<Option<Port>> {
        Ok(neutron::get_port(cloud, port_id).await?)
    }

    /// An interface made from a subnet is removed by subnet: Neutron may have
    /// put several IPv6 subnets on the same port, and only this one leaves.
    async fn delete(&self, cloud: &Cloud<'_>, port_id: &str, state: &InterfaceModel) -> Step<()> {
        let Some(router_id) = state.router_id.known() else {
            return Ok(());
        };
        let request = match state.subnet_id.known() {
            Some(subnet) => RouterInterfaceRequest::SubnetId(subnet.clone()),
            None => RouterInterfaceRequest::PortId(port_id.to_owned()),
        };
        Ok(neutron::remove_router_interface(cloud, router_id, &request).await?)
    }

    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<InterfaceModel, Diagnostics> {
        let (port_id, subnet_id) = match id.split_once('/') {
            Some((port, subnet)) => (port, Attr::Known(subnet.to_owned())),
            None => (id, Attr::Null),
        };
        if port_id.is_empty() {
            return Err(Diagnostic::error(
                "Invalid import ID",
                "Import a router interface by its port ID, or <port_id>/<subnet_id> for a port with several subnets.",
            )
            .into());
        }
        Ok(InterfaceModel {
            id: Attr::Known(port_id.to_owned()),
            port_id: Attr::Known(port_id.to_owned()),
            subnet_id,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use scs_client::network::FixedIp;

    fn port(device: &str, subnets: &[&str]) -> Port {
        Port {
            id: "p".into(),
            device_id: device.into(),
            fixed_ips: subnets
                .iter()
                .map(|s| FixedIp {
                    subnet_id: (*s).into(),
                    ip_address: String::new(),
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn interface_follows_its_port() {
        let prior = InterfaceModel {
            router_id: Attr::Known("r".into()),
            subnet_id: Attr::Known("a".into()),
            ..Default::default()
        };
        assert!(InterfaceModel::from_port(port("r", &["a", "b"]), &prior).is_some());
        // Subnet removed from the shared port, or port moved to another router: gone.
        assert!(InterfaceModel::from_port(port("r", &["b"]), &prior).is_none());
        assert!(InterfaceModel::from_port(port("other", &["a"]), &prior).is_none());
    }

    #[test]
    fn import_fills_router_and_single_subnet() {
        let imported = InterfaceModel {
            port_id: Attr::Known("p".into()),
            ..Default::default()
        };
        let m = InterfaceModel::from_port(port("r", &["a"]), &imported).unwrap();
        assert_eq!(m.router_id, Attr::Known("r".into()));
        assert_eq!(m.subnet_id, Attr::Known("a".into()));
        let m = InterfaceModel::from_port(port("r", &["a", "b"]), &imported).unwrap();
        assert_eq!(m.subnet_id, Attr::Null);
    }
}
