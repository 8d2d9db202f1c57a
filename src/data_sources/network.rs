//! `scs_network` data source: exactly one Neutron network found by filters.

use async_trait::async_trait;
use scs_client::network::{self as neutron, Network};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, DataSource};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Attr, Type, Value, from_value};

use crate::resources::shared::{attr_of, call, client_for};

pub struct NetworkDataSource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct NetworkLookup {
    region: Attr<String>,
    id: Attr<String>,
    name: Attr<String>,
    external: Attr<bool>,
    tags: Attr<Vec<String>>,
    description: Attr<String>,
    admin_state_up: Attr<bool>,
    shared: Attr<bool>,
    mtu: Attr<i64>,
    port_security_enabled: Attr<bool>,
    status: Attr<String>,
    subnet_ids: Attr<Vec<String>>,
}

/// The one match, or an error that names every candidate.
pub(crate) fn exactly_one<T>(
    kind: &str,
    filters: &str,
    mut found: Vec<T>,
    describe: impl Fn(&T) -> String,
) -> Result<T, Diagnostics> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Diagnostic::error(
            format!("No {kind} found"),
            format!("No {kind} matches {filters}."),
        )
        .into()),
        n => {
            let list: Vec<String> = found
                .iter()
                .map(|f| format!("  - {}", describe(f)))
                .collect();
            Err(Diagnostic::error(
                format!("{n} {kind}s match"),
                format!(
                    "{n} {kind}s match {filters}; narrow the filter so exactly one does. Candidates:\n{}",
                    list.join("\n")
                ),
            )
            .into())
        }
    }
}

#[async_trait]
impl DataSource for NetworkDataSource {
    fn type_name(&self) -> &str {
        "scs_network"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("Looks up exactly one Neutron network.")
                .attribute(Attribute::string("region").optional().computed())
                .attribute(Attribute::string("id").optional().computed())
                .attribute(Attribute::string("name").optional().computed())
                .attribute(Attribute::bool("external").optional().computed())
                .attribute(Attribute::set("tags", Type::String).optional().computed())
                .attribute(Attribute::string("description").computed())
                .attribute(Attribute::bool("admin_state_up").computed())
                .attribute(Attribute::bool("shared").computed())
                .attribute(Attribute::number("mtu").computed())
                .attribute(Attribute::bool("port_security_enabled").computed())
                .attribute(Attribute::string("status").computed())
                .attribute(Attribute::set("subnet_ids", Type::String).computed()),
        )
    }

    async fn read(&self, ctx: &Ctx, config: Value) -> Result<Value, Diagnostics> {
        let want: NetworkLookup = from_value(&config)?;
        let (client, region) = client_for(ctx, &want.region)?;
        let external = want.external.known().map(|e| e.to_string());
        let tags = want
            .tags
            .known()
            .filter(|t| !t.is_empty())
            .map(|t| t.join(","));
        let mut filters: Vec<(&str, &str)> = Vec::new();
        if let Some(id) = want.id.known() {
            filters.push(("id", id));
        }
        if let Some(name) = want.name.known() {
            filters.push(("name", name));
        }
        if let Some(e) = &external {
            filters.push(("router:external", e));
        }
        if let Some(t) = &tags {
            filters.push(("tags", t));
        }
        let described: Vec<String> = filters.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        let described = if described.is_empty() {
            "no filter".to_owned()
        } else {
            described.join(", ")
        };
        let found = call(
            ctx,
            "Cannot list networks",
            neutron::list_networks(&client, &filters),
        )
        .await?;
        let net: Network = exactly_one("network", &described, found, |n| {
            format!("{} ({:?})", n.id, n.name)
        })?;
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
        ctx.to_value(&out)
    }
}
