//! `scs_network` data source: exactly one Neutron network found by filters.

use async_trait::async_trait;
use scs_client::network::{self as neutron, Network};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{Ctx, TypedDataSource};
use tfplugin::value::Attr;

use crate::support::{attr_of, client_for, find_one, set_filters};

pub struct NetworkDataSource;

/// Looks up exactly one Neutron network.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkLookup {
    /// The region to search in. Defaults to the provider's region.
    #[tf(optional, computed)]
    region: Attr<String>,
    /// The network's ID.
    #[tf(optional, computed)]
    id: Attr<String>,
    /// The network's exact name.
    #[tf(optional, computed)]
    name: Attr<String>,
    /// Only external (`true`) or only internal (`false`) networks.
    #[tf(optional, computed)]
    external: Attr<bool>,
    /// A set of tags; a network matches when it has all of them.
    #[tf(optional, computed, set)]
    tags: Attr<Vec<String>>,
    /// The network's description.
    #[tf(computed)]
    description: Attr<String>,
    /// The administrative state.
    #[tf(computed)]
    admin_state_up: Attr<bool>,
    /// Whether the network is shared with every project.
    #[tf(computed)]
    shared: Attr<bool>,
    /// The MTU.
    #[tf(computed)]
    mtu: Attr<i64>,
    /// The default port security of new ports.
    #[tf(computed)]
    port_security_enabled: Attr<bool>,
    /// The status Neutron reports.
    #[tf(computed)]
    status: Attr<String>,
    /// The IDs of the network's subnets.
    #[tf(computed, set)]
    subnet_ids: Attr<Vec<String>>,
}

#[async_trait]
impl TypedDataSource for NetworkDataSource {
    type Model = NetworkLookup;
    const TYPE_NAME: &'static str = "scs_network";

    async fn read(&self, ctx: &Ctx, want: NetworkLookup) -> Result<NetworkLookup, Diagnostics> {
        let (client, region) = client_for(ctx, &want.region)?;
        let external = want.external.known().map(|e| e.to_string());
        let tags = want
            .tags
            .known()
            .filter(|t| !t.is_empty())
            .map(|t| t.join(","));
        let filters = set_filters([
            ("id", want.id.known()),
            ("name", want.name.known()),
            ("router:external", external.as_ref()),
            ("tags", tags.as_ref()),
        ]);
        let list = neutron::list_networks(&client, &filters);
        let net: Network = find_one(ctx, "network", &filters, list, |n| {
            format!("{} ({:?})", n.id, n.name)
        })
        .await?;
        let out = NetworkLookup {
            region,
            id: Attr::Known(net.id),
            name: Attr::Known(net.name),
            external: Attr::Known(net.external),
            tags: Attr::Known(net.tags),
            description: Attr::Known(net.description),
            admin_state_up: Attr::Known(net.admin_state_up),
            shared: Attr::Known(net.shared),
            mtu: attr_of(net.mtu.map(i64::from)),
            port_security_enabled: attr_of(net.port_security_enabled),
            status: Attr::Known(net.status),
            subnet_ids: Attr::Known(net.subnets),
        };
        Ok(out)
    }
}
