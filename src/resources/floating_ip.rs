//! `scs_floating_ip`: a floating IP (`/v2.0/floatingips`) and its
//! association with a port. This resource is the only owner of the
//! association: binding, moving and unbinding are in-place updates, and an
//! update of anything else never sends `port_id`.

use async_trait::async_trait;
use scs_client::Client;
use scs_client::network::{
    self as neutron, CreateFloatingIp, FloatingIp, UpdateFloatingIp, collections,
};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::framework::{Ctx, PlanChange};
use tfplugin::model::Timeouts;
use tfplugin::value::{Attr, Value};

use crate::lifecycle::{Change, CloudObject, Found, Plan, Step};
use crate::support::net::ip_validator;
use crate::support::schema::{description, region, tags};
use crate::support::{attr_of, cloud_error, exactly_one, string_from_api};

pub struct FloatingIpResource;

/// A floating IP and its association with a port.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[tf(
    exactly_one_of(pool, floating_network_id),
    required_with(fixed_ip, port_id)
)]
pub struct FloatingIpModel {
    /// The floating IP's UUID.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    /// The name of the external network to allocate from. Give `pool` or `floating_network_id`;
    /// when you give `floating_network_id`, the network's name is recorded here.
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    pool: Attr<String>,
    /// The ID of the external network to allocate from. Give `pool` or `floating_network_id`; when
    /// you give `pool`, the network's ID is recorded here.
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    floating_network_id: Attr<String>,
    /// A specific address to allocate (usually allowed for administrators only). If unset, Neutron
    /// picks one and it is recorded in the state.
    #[tf(optional, computed, use_state_for_unknown, requires_replace, validator = ip_validator)]
    address: Attr<String>,
    /// The ID of the port to bind the address to. Changed in place; remove it to unbind the
    /// address.
    #[tf(optional)]
    port_id: Attr<String>,
    /// Which of the port's addresses the floating IP maps to, for ports with several. Needs
    /// `port_id`. If unset while `port_id` is set, Neutron picks one and it is recorded in the
    /// state.
    #[tf(optional, computed, use_state_for_unknown, validator = ip_validator)]
    fixed_ip: Attr<String>,
    #[tf(schema = description("Free text describing the floating IP."))]
    description: Attr<String>,
    #[tf(schema = tags)]
    tags: Attr<Vec<String>>,
    /// The status Neutron reports (`ACTIVE`, `DOWN`, `ERROR`).
    #[tf(computed)]
    status: Attr<String>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

/// The external network's ID for a pool name.
async fn network_of_pool(client: &Client, pool: &str) -> Result<String, Diagnostics> {
    let filters = [("name", pool), ("router:external", "true")];
    let found = neutron::list_networks(client, &filters)
        .await
        .map_err(|e| cloud_error("Cannot look up the floating IP pool", &e))?;
    let net = exactly_one("external network", &format!("name={pool:?}"), found, |n| {
        format!("{} ({:?})", n.id, n.name)
    })
    .map_err(|d| {
        let mut out = Diagnostics::new();
        for diag in d.iter() {
            out.push(diag.clone().with_path(AttributePath::attr("pool")));
        }
        out
    })?;
    Ok(net.id)
}

#[async_trait]
impl CloudObject for FloatingIpResource {
    type Model = FloatingIpModel;
    type Api = FloatingIp;
    const TYPE_NAME: &'static str = "scs_floating_ip";

    fn state_from(&self, fip: FloatingIp, prior: &FloatingIpModel) -> FloatingIpModel {
        FloatingIpModel {
            // The configured name, or the network's name once `complete` looked it up.
            pool: prior.pool.clone(),
            floating_network_id: Attr::Known(fip.floating_network_id),
            address: Attr::Known(fip.floating_ip_address),
            port_id: attr_of(fip.port_id),
            fixed_ip: attr_of(fip.fixed_ip_address),
            description: string_from_api(fip.description, &prior.description),
            status: Attr::Known(fip.status),
            ..Default::default()
        }
    }

    /// Records the pool's name when only the network was given (or imported).
    async fn complete(&self, found: Found<'_, FloatingIpModel>) -> Step<FloatingIpModel> {
        let (cloud, mut state) = (found.cloud, found.state);
        if !state.pool.is_known()
            && let Some(network_id) = state.floating_network_id.known()
        {
            let net = neutron::get_network(cloud, network_id).await?;
            state.pool = net.map_or(Attr::Null, |n| Attr::Known(n.name));
        }
        Ok(state)
    }

    async fn modify_plan(&self, _ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        if plan.is_create() {
            return Ok(());
        }
        let port = plan.planned.attr("port_id").cloned().unwrap_or_default();
        let moved = plan.prior.attr("port_id") != Some(&port);
        if port.is_null() {
            plan.set_planned("fixed_ip", Value::Null);
        } else if moved && !plan.configured("fixed_ip") {
            plan.set_planned("fixed_ip", Value::Unknown);
        }
        if moved {
            plan.set_planned("status", Value::Unknown);
        }
        Ok(())
    }

    async fn create(&self, plan: Plan<'_, FloatingIpModel>) -> Step<FloatingIp> {
        let network_id = match (
            plan.config.floating_network_id.known(),
            plan.config.pool.known(),
        ) {
            (Some(id), _) => id.clone(),
            (None, Some(pool)) => network_of_pool(plan.cloud, pool).await?,
            // The schema's rules make one of them required.
            (None, None) => String::new(),
        };
        let body = CreateFloatingIp {
            floating_network_id: network_id,
            floating_ip_address: plan.config.address.known().cloned(),
            port_id: plan.config.port_id.known().cloned(),
            fixed_ip_address: plan.config.fixed_ip.known().cloned(),
            description: plan.config.description.known().cloned(),
            subnet_id: None,
        };
        Ok(collections::FLOATING_IPS.create(plan.cloud, &body).await?)
    }

    fn update_body(&self, change: Change<'_, FloatingIpModel>) -> Step<UpdateFloatingIp> {
        let port_changed = change.prior.port_id != change.port_id;
        let fixed_changed =
            change.config.fixed_ip.is_known() && change.prior.fixed_ip != change.fixed_ip;
        let (port_id, fixed_ip_address) = if port_changed || fixed_changed {
            // Only a configured fixed_ip is sent; otherwise Neutron picks the port's address.
            (
                Some(change.port_id.known().cloned()),
                change.config.fixed_ip.known().map(|f| Some(f.clone())),
            )
        } else {
            (None, None)
        };
        Ok(UpdateFloatingIp {
            port_id,
            fixed_ip_address,
            description: change.changed_or_cleared(|m| &m.description),
        })
    }
}
