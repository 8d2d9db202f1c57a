//! `scs_router_interface`: a subnet or port attached to a router
//! (`PUT /v2.0/routers/{id}/add_router_interface`, `.../remove_router_interface`).
//!
//! The interface is identified by its router port. Neutron may put several
//! IPv6 subnets of one network on the same router port, so an interface made
//! from a subnet is removed by subnet: only that subnet leaves the port.

use async_trait::async_trait;
use scs_client::network::{self as neutron, Port, RouterInterface, RouterInterfaceRequest};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind};
use tfplugin::value::{Attr, Value, from_value};

use super::shared::{
    applied, call, client_for, cloud_error, region_attribute, retry_conflicts, timeouts,
    with_timeout,
};
use crate::try_apply;

pub struct RouterInterfaceResource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct InterfaceModel {
    id: Attr<String>,
    region: Attr<String>,
    router_id: Attr<String>,
    subnet_id: Attr<String>,
    port_id: Attr<String>,
    timeouts: Value,
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
            region: prior.region.clone(),
            router_id: Attr::Known(router_id),
            subnet_id,
            port_id: Attr::Known(port.id),
            timeouts: prior.timeouts.clone(),
        })
    }
}

/// The interface our own request made when the client had to repeat the
/// request (the first answer was lost) and the repeat was refused because
/// the router now has that port: the attach did happen.
async fn already_attached_by_retry(
    ctx: &Ctx,
    client: &scs_client::Client,
    router_id: &str,
    request: &RouterInterfaceRequest,
    err: &scs_client::Error,
) -> Option<RouterInterface> {
    let scs_client::Error::Api(api) = err else {
        return None;
    };
    if api.attempts < 2 {
        return None;
    }
    let filters = [("device_id", router_id)];
    let ports = call(
        ctx,
        "Cannot list router ports",
        neutron::list_ports(client, &filters),
    )
    .await
    .ok()?;
    let port = ports.into_iter().find(|p| match request {
        RouterInterfaceRequest::SubnetId(s) => p.fixed_ips.iter().any(|ip| ip.subnet_id == *s),
        RouterInterfaceRequest::PortId(id) => p.id == *id,
    })?;
    ctx.warn(
        "Router interface attached on a repeated request",
        format!(
            "The first answer to attaching port {} to router {router_id} was lost and the repeated request was \
             refused because the interface already existed; it is managed by this resource.",
            port.id
        ),
    );
    Some(RouterInterface {
        id: router_id.to_owned(),
        subnet_ids: port
            .fixed_ips
            .iter()
            .map(|ip| ip.subnet_id.clone())
            .collect(),
        subnet_id: port
            .fixed_ips
            .first()
            .map(|ip| ip.subnet_id.clone())
            .unwrap_or_default(),
        port_id: port.id,
        network_id: port.network_id,
        project_id: port.project_id,
    })
}

#[async_trait]
impl Resource for RouterInterfaceResource {
    fn type_name(&self) -> &str {
        "scs_router_interface"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("A subnet or port attached to a router.")
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .use_state_for_unknown()
                        .description("The ID of the interface's router port."),
                )
                .attribute(region_attribute())
                .attribute(Attribute::string("router_id").required().requires_replace())
                .attribute(
                    Attribute::string("subnet_id")
                        .optional()
                        .computed()
                        .use_state_for_unknown()
                        .requires_replace(),
                )
                .attribute(
                    Attribute::string("port_id")
                        .optional()
                        .computed()
                        .use_state_for_unknown()
                        .requires_replace(),
                )
                .block(timeouts()),
        )
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let given = |name: &str| config.attr(name).is_some_and(|v| !v.is_null());
        match (given("subnet_id"), given("port_id")) {
            (true, false) | (false, true) => {}
            (false, false) => diags.error_at(
                AttributePath::attr("subnet_id"),
                "Missing subnet_id or port_id",
                "Give exactly one of subnet_id or port_id.",
            ),
            (true, true) => diags.error_at(
                AttributePath::attr("port_id"),
                "Conflicting arguments",
                "Give exactly one of subnet_id or port_id, not both.",
            ),
        }
        diags
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: InterfaceModel = try_apply!(req.planned_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let router_id = plan.router_id.known().cloned().unwrap_or_default();
        let request = match (plan.subnet_id.known(), plan.port_id.known()) {
            (Some(subnet), _) => RouterInterfaceRequest::SubnetId(subnet.clone()),
            (None, Some(port)) => RouterInterfaceRequest::PortId(port.clone()),
            (None, None) => {
                return ApplyResult::failed(Diagnostic::error(
                    "Missing subnet_id or port_id",
                    "Give exactly one of subnet_id or port_id.",
                ));
            }
        };
        let added = match ctx
            .run(neutron::add_router_interface(&client, &router_id, &request))
            .await
        {
            Ok(Ok(added)) => added,
            Ok(Err(e)) => {
                match already_attached_by_retry(&ctx, &client, &router_id, &request, &e).await {
                    Some(added) => added,
                    None => {
                        return ApplyResult::failed(cloud_error(
                            "Cannot attach interface to router",
                            &e,
                        ));
                    }
                }
            }
            Err(why) => {
                return ApplyResult::failed(Diagnostic::error(
                    "Cannot attach interface to router",
                    why.to_string(),
                ));
            }
        };
        let subnet_id = match &request {
            RouterInterfaceRequest::SubnetId(s) => Attr::Known(s.clone()),
            RouterInterfaceRequest::PortId(_) => match added.subnet_ids.as_slice() {
                [only] => Attr::Known(only.clone()),
                _ => Attr::Null,
            },
        };
        let state = InterfaceModel {
            id: Attr::Known(added.port_id.clone()),
            region,
            router_id: Attr::Known(router_id),
            subnet_id,
            port_id: Attr::Known(added.port_id),
            timeouts: plan.timeouts,
        };
        applied(&ctx, &state)
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: InterfaceModel = from_value(&state)?;
        let Some(port_id) = prior.port_id.known().or(prior.id.known()).cloned() else {
            return Ok(None);
        };
        let (client, region) = client_for(ctx, &prior.region)?;
        let prior = InterfaceModel { region, ..prior };
        let port = call(
            ctx,
            "Cannot read router interface port",
            neutron::get_port(&client, &port_id),
        )
        .await?;
        port.and_then(|p| InterfaceModel::from_port(p, &prior))
            .map(|m| ctx.to_value(&m))
            .transpose()
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        // Every argument replaces; only `timeouts` can change in place.
        let _ = ctx;
        ApplyResult::ok(req.planned)
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: InterfaceModel = from_value(&state)?;
        let (Some(router_id), Some(port_id)) = (prior.router_id.known(), prior.port_id.known())
        else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        let request = match prior.subnet_id.known() {
            Some(subnet) => RouterInterfaceRequest::SubnetId(subnet.clone()),
            None => RouterInterfaceRequest::PortId(port_id.clone()),
        };
        retry_conflicts(&ctx, "Cannot detach interface from router", || {
            neutron::remove_router_interface(&client, router_id, &request)
        })
        .await
    }

    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
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
        let model = InterfaceModel {
            id: Attr::Known(port_id.to_owned()),
            port_id: Attr::Known(port_id.to_owned()),
            subnet_id,
            ..Default::default()
        };
        Ok(tfplugin::value::to_value(
            &model,
            &self.schema().value_type(),
        )?)
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
