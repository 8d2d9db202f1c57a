//! Neutron routers (`/v2.0/routers`), their gateway and interfaces.

use serde::{Deserialize, Serialize};

use super::ROUTERS;
use super::port::FixedIp;
use crate::error::Result;
use crate::model::{Filters, gone, null_default, segment};
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ExternalGateway {
    pub network_id: String,
    pub enable_snat: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub external_fixed_ips: Vec<FixedIp>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct Route {
    pub destination: String,
    pub nexthop: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Router {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub description: String,
    pub admin_state_up: bool,
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    /// `None`: no gateway.
    pub external_gateway_info: Option<ExternalGateway>,
    #[serde(deserialize_with = "null_default")]
    pub routes: Vec<Route>,
    pub distributed: Option<bool>,
    pub ha: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub availability_zone_hints: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub availability_zones: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub project_id: String,
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub revision_number: Option<u64>,
}

/// The gateway part of a create or update.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GatewayRequest {
    pub network_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_snat: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_fixed_ips: Option<Vec<FixedIp>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateRouter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_gateway_info: Option<GatewayRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone_hints: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distributed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ha: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateRouter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    /// `Some(None)` removes the gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_gateway_info: Option<Option<GatewayRequest>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<Route>>,
}

/// Body of `add_router_interface` / `remove_router_interface`: exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouterInterfaceRequest {
    SubnetId(String),
    PortId(String),
}

/// What Neutron answers to an interface add/remove.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RouterInterface {
    /// The router's id.
    pub id: String,
    pub port_id: String,
    pub subnet_id: String,
    #[serde(deserialize_with = "null_default")]
    pub subnet_ids: Vec<String>,
    pub network_id: String,
    #[serde(deserialize_with = "null_default")]
    pub project_id: String,
}

/// All routers, every page.
pub async fn list_routers(client: &Client, filters: Filters<'_>) -> Result<Vec<Router>> {
    ROUTERS.list(client, filters).await
}

/// `None` when the router does not exist.
pub async fn get_router(client: &Client, id: &str) -> Result<Option<Router>> {
    ROUTERS.get(client, id).await
}

pub async fn create_router(client: &Client, req: &CreateRouter) -> Result<Router> {
    ROUTERS
        .create(client, req, req.name.as_deref().unwrap_or_default())
        .await
}

pub async fn update_router(client: &Client, id: &str, req: &UpdateRouter) -> Result<Router> {
    ROUTERS.update(client, id, req).await
}

/// Deleting a router that is already gone succeeds.
pub async fn delete_router(client: &Client, id: &str) -> Result<()> {
    ROUTERS.delete(client, id).await
}

/// Replaces every tag of the router.
pub async fn set_router_tags(client: &Client, id: &str, tags: &[String]) -> Result<()> {
    ROUTERS.set_tags(client, id, tags).await
}

fn interface_request(
    client: &Client,
    router_id: &str,
    action: &str,
    req: &RouterInterfaceRequest,
) -> crate::session::Request {
    let what = match req {
        RouterInterfaceRequest::SubnetId(id) => format!("subnet {id}"),
        RouterInterfaceRequest::PortId(id) => format!("port {id}"),
    };
    client
        .network()
        .put(format!("routers/{}/{action}", segment(router_id)))
        .json_body(req)
        .operation(format!(
            "{} router {router_id} interface on {what}",
            action.replace('_', " ")
        ))
}

/// Attaches the router to a subnet (Neutron makes the port) or to an existing port.
pub async fn add_router_interface(
    client: &Client,
    router_id: &str,
    req: &RouterInterfaceRequest,
) -> Result<RouterInterface> {
    // Not safe to repeat (a second add of the same subnet is refused), so never retried blindly:
    // after a lost answer, the router's port on that subnet (or the port asked for) is the
    // answer.
    let request =
        interface_request(client, router_id, "add_router_interface", req).idempotent(false);
    crate::retry::create_with_lookup(
        "add router interface",
        2,
        || request.try_clone().json(),
        || router_interface_on(client, router_id, req),
    )
    .await
}

/// The interface of router `router_id` that `req` names, if the router has it.
async fn router_interface_on(
    client: &Client,
    router_id: &str,
    req: &RouterInterfaceRequest,
) -> Result<Option<RouterInterface>> {
    let ports = super::list_ports(client, &[("device_id", router_id)]).await?;
    let found = ports.into_iter().find(|p| match req {
        RouterInterfaceRequest::PortId(id) => &p.id == id,
        RouterInterfaceRequest::SubnetId(id) => p.fixed_ips.iter().any(|ip| &ip.subnet_id == id),
    });
    Ok(found.map(|p| RouterInterface {
        id: router_id.to_owned(),
        subnet_id: p
            .fixed_ips
            .first()
            .map(|ip| ip.subnet_id.clone())
            .unwrap_or_default(),
        subnet_ids: p.fixed_ips.iter().map(|ip| ip.subnet_id.clone()).collect(),
        port_id: p.id,
        network_id: p.network_id,
        project_id: p.project_id,
    }))
}

/// Detaches; an interface that is already gone counts as removed.
pub async fn remove_router_interface(
    client: &Client,
    router_id: &str,
    req: &RouterInterfaceRequest,
) -> Result<()> {
    gone(
        interface_request(client, router_id, "remove_router_interface", req)
            .send()
            .await
            .map(|_| ()),
    )
}

/// Sets (`Some`) or removes (`None`) the router's external gateway.
pub async fn set_router_gateway(
    client: &Client,
    router_id: &str,
    gateway: Option<GatewayRequest>,
) -> Result<Router> {
    let req = UpdateRouter {
        external_gateway_info: Some(gateway),
        ..Default::default()
    };
    update_router(client, router_id, &req).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn interface_and_gateway_bodies() {
        assert_eq!(
            serde_json::to_value(RouterInterfaceRequest::SubnetId("s".into())).unwrap(),
            json!({"subnet_id": "s"})
        );
        let clear = UpdateRouter {
            external_gateway_info: Some(None),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(clear).unwrap(),
            json!({"external_gateway_info": null})
        );
        let r: Router = serde_json::from_value(json!({
            "id": "r", "name": "r", "admin_state_up": true, "status": "ACTIVE",
            "external_gateway_info": {"network_id": "ext", "enable_snat": true,
                "external_fixed_ips": [{"subnet_id": "s", "ip_address": "172.24.4.10"}]},
            "routes": [], "description": null
        }))
        .unwrap();
        let gw = r.external_gateway_info.unwrap();
        assert_eq!(gw.external_fixed_ips[0].ip_address, "172.24.4.10");
    }
}
