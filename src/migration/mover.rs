//! The state move behind `moved` blocks from terraform-provider-openstack's resource types: the
//! source state's attributes are renamed, transformed or dropped as the table in
//! [`super::openstack`] says, and every dropped attribute that held a value is named in a warning.
//! The framework then refreshes the moved state from the cloud.

use async_trait::async_trait;
use serde_json::{Map, Value as Json};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, MoveSource, StateMover};
use tfplugin::schema::Schema;
use tfplugin::value::{JsonOptions, Value, decode_json_with};

use super::openstack::{
    ResourceMapping, SOURCE_PROVIDER, SOURCE_PROVIDER_ALIASES, Target, Transform, mapping,
    mappings_to,
};

/// Moves states of terraform-provider-openstack's resources to ours.
pub struct OpenStackMover;

/// A source attribute that held a value and has no counterpart here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedValue {
    /// `name`, or `block.name` inside a nested block.
    pub path: String,
    pub reason: String,
}

/// The target state's attributes as JSON and what was left behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub attributes: Map<String, Json>,
    pub dropped: Vec<DroppedValue>,
    /// What the user must change in the configuration for the plan to stay empty.
    pub notices: Vec<String>,
}

#[async_trait]
impl StateMover for OpenStackMover {
    fn source_providers(&self) -> Vec<String> {
        std::iter::once(SOURCE_PROVIDER)
            .chain(SOURCE_PROVIDER_ALIASES.iter().copied())
            .map(str::to_owned)
            .collect()
    }

    fn source_types(&self, target_type: &str) -> Vec<String> {
        mappings_to(target_type)
            .map(|m| m.from.to_owned())
            .collect()
    }

    async fn move_state(
        &self,
        ctx: &Ctx,
        source: &MoveSource,
        target_type: &str,
        target: &Schema,
    ) -> Result<Value, Diagnostics> {
        let Some(table) = mapping(&source.type_name).filter(|m| m.to == target_type) else {
            return Err(Diagnostic::error(
                "Unsupported resource move",
                format!(
                    "{target_type} cannot take over the state of a {}.",
                    source.type_name
                ),
            )
            .into());
        };
        if !table.schema_versions.contains(&source.schema_version) {
            return Err(Diagnostic::error(
                "Unsupported source schema version",
                format!(
                    "The state of this {} was written with schema version {}; {target_type} \
                     reads versions {:?} (terraform-provider-openstack 3.x). Apply once with \
                     terraform-provider-openstack 3.x, then move.",
                    source.type_name, source.schema_version, table.schema_versions
                ),
            )
            .into());
        }
        let mapped = map_attributes(table, source.attributes()?)?;
        if !mapped.dropped.is_empty() {
            let lines: Vec<String> = mapped
                .dropped
                .iter()
                .map(|d| format!("- {}: {}", d.path, d.reason))
                .collect();
            ctx.warn(
                "Attributes without a counterpart",
                format!(
                    "{} moves to {target_type} without these attributes, which had values:\n{}",
                    source.type_name,
                    lines.join("\n")
                ),
            );
        }
        for notice in &mapped.notices {
            ctx.warn("Configuration change needed", notice.clone());
        }
        let mut attributes = mapped.attributes;
        unset_zero_values(target, &mut attributes);
        if target_type == "scs_subnet" {
            forget_default_allocation_pools(&mut attributes);
        }
        let json = serde_json::to_vec(&Json::Object(attributes)).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid moved state",
                format!("The moved state could not be written: {e}."),
            ))
        })?;
        decode_json_with(&json, &target.value_type(), JsonOptions::default()).map_err(|e| {
            Diagnostic::error(
                "Invalid moved state",
                format!(
                    "The state of the {} does not fit {target_type}: {e}. This is a bug in the \
                     provider's migration table.",
                    source.type_name
                ),
            )
            .into()
        })
    }
}

/// The source provider records an optional attribute the configuration leaves out as its type's
/// zero value (`""`, `0`, `false`, empty); here such an attribute stays null. For the attributes
/// only the configuration sets (optional, not computed, no default), a zero value becomes null so
/// that the configuration that left them out plans no change.
fn unset_zero_values(target: &Schema, attributes: &mut Map<String, Json>) {
    for a in &target.block.attributes {
        if !a.optional || a.computed || a.default.is_some() {
            continue;
        }
        if attributes.get(&a.name).is_some_and(is_zero) {
            attributes.remove(&a.name);
        }
    }
}

fn is_zero(v: &Json) -> bool {
    match v {
        Json::String(s) => s.is_empty(),
        Json::Bool(b) => !b,
        Json::Number(n) => n.as_f64() == Some(0.0),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        Json::Null => false,
    }
}

/// The source provider records a subnet's allocation pools whether the configuration set them or
/// Neutron chose them; here `allocation_pool` blocks are only what the configuration sets. Pools
/// that are exactly Neutron's default for the CIDR and gateway are taken as not configured.
fn forget_default_allocation_pools(attributes: &mut Map<String, Json>) {
    let text = |name: &str| {
        attributes
            .get(name)
            .and_then(Json::as_str)
            .map(str::to_owned)
    };
    let (Some(cidr), gateway) = (text("cidr"), text("gateway_ip")) else {
        return;
    };
    let Some(default) = default_pools(&cidr, gateway.as_deref().filter(|g| !g.is_empty())) else {
        return;
    };
    let Some(Json::Array(pools)) = attributes.get("allocation_pool") else {
        return;
    };
    let mut recorded: Vec<(String, String)> = pools
        .iter()
        .filter_map(|p| {
            Some((
                p.get("start")?.as_str()?.to_owned(),
                p.get("end")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    recorded.sort();
    if recorded.len() == pools.len() && recorded == default {
        attributes.remove("allocation_pool");
    }
}

/// Neutron's allocation pools for a subnet without configured ones: every host address of the
/// CIDR but the gateway (IPv4 without the network and broadcast addresses, IPv6 without the
/// subnet-router anycast address), as sorted (start, end) pairs.
fn default_pools(cidr: &str, gateway: Option<&str>) -> Option<Vec<(String, String)>> {
    use std::net::IpAddr;
    let (network, prefix) = cidr.split_once('/')?;
    let network: IpAddr = network.parse().ok()?;
    let prefix: u32 = prefix.parse().ok()?;
    let (bits, base) = match network {
        IpAddr::V4(a) => (32u32, u128::from(u32::from(a))),
        IpAddr::V6(a) => (128u32, u128::from(a)),
    };
    if prefix >= bits.saturating_sub(1) {
        return None;
    }
    let size = 1u128.checked_shl(bits - prefix)?;
    let first = base + 1;
    let last = if bits == 32 {
        base + size - 2
    } else {
        base + size - 1
    };
    let show = |n: u128| -> Option<String> {
        Some(match network {
            IpAddr::V4(_) => std::net::Ipv4Addr::from(u32::try_from(n).ok()?).to_string(),
            IpAddr::V6(_) => std::net::Ipv6Addr::from(n).to_string(),
        })
    };
    let gateway = match gateway {
        Some(g) => Some(match (g.parse::<IpAddr>().ok()?, network) {
            (IpAddr::V4(g), IpAddr::V4(_)) => u128::from(u32::from(g)),
            (IpAddr::V6(g), IpAddr::V6(_)) => u128::from(g),
            _ => return None,
        }),
        None => None,
    };
    let mut ranges = Vec::new();
    match gateway.filter(|g| (first..=last).contains(g)) {
        Some(g) => {
            if g > first {
                ranges.push((first, g - 1));
            }
            if g < last {
                ranges.push((g + 1, last));
            }
        }
        None => ranges.push((first, last)),
    }
    let mut out = ranges
        .into_iter()
        .map(|(a, b)| Some((show(a)?, show(b)?)))
        .collect::<Option<Vec<_>>>()?;
    out.sort();
    Some(out)
}

/// Whether a source value configured or recorded something: not null, not empty, not `false`.
fn has_value(v: &Json) -> bool {
    match v {
        Json::Null | Json::Bool(false) => false,
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => a.iter().any(has_value),
        Json::Object(o) => o.values().any(has_value),
        _ => true,
    }
}

/// Applies `table` to the source state's top-level `attributes`.
pub fn map_attributes(
    table: &ResourceMapping,
    attributes: Map<String, Json>,
) -> Result<Mapped, Diagnostics> {
    let mut out = Mapped {
        attributes: Map::new(),
        dropped: Vec::new(),
        notices: Vec::new(),
    };
    for (name, value) in attributes {
        let target = table.attribute(&name).map(|a| a.target);
        match target {
            Some(Target::Same) => {
                let v = map_nested(table, &name, value, &mut out.dropped);
                out.attributes.insert(name, v);
            }
            Some(Target::Renamed(to)) => {
                let v = map_nested(table, &name, value, &mut out.dropped);
                out.attributes.insert(to.to_owned(), v);
            }
            Some(Target::Transformed { to, how }) => {
                transform(table, &name, value, to, how, &mut out)?;
            }
            Some(Target::Dropped(reason)) => drop_value(&name, reason, &value, &mut out.dropped),
            None => drop_value(
                &name,
                "not an attribute of terraform-provider-openstack 3.4, which the move knows",
                &value,
                &mut out.dropped,
            ),
        }
    }
    Ok(out)
}

fn drop_value(path: &str, reason: &str, value: &Json, dropped: &mut Vec<DroppedValue>) {
    if has_value(value) {
        dropped.push(DroppedValue {
            path: path.to_owned(),
            reason: reason.to_owned(),
        });
    }
}

/// Renames and drops the attributes of the elements of nested block `block` as the table's
/// `block.name` entries say; unlisted ones keep their name.
fn map_nested(
    table: &ResourceMapping,
    block: &str,
    value: Json,
    dropped: &mut Vec<DroppedValue>,
) -> Json {
    let prefix = format!("{block}.");
    if !table.attributes.iter().any(|a| a.from.starts_with(&prefix)) {
        return value;
    }
    let mut element = |fields: Map<String, Json>| {
        let mut mapped = Map::new();
        for (name, v) in fields {
            let path = format!("{prefix}{name}");
            match table.attribute(&path).map(|a| a.target) {
                None | Some(Target::Same) => {
                    mapped.insert(name, v);
                }
                Some(Target::Renamed(to)) | Some(Target::Transformed { to, .. }) => {
                    mapped.insert(to.to_owned(), v);
                }
                Some(Target::Dropped(reason)) => drop_value(&path, reason, &v, dropped),
            }
        }
        Json::Object(mapped)
    };
    match value {
        Json::Array(items) => Json::Array(
            items
                .into_iter()
                .map(|item| match item {
                    Json::Object(fields) => element(fields),
                    other => other,
                })
                .collect(),
        ),
        Json::Object(fields) => element(fields),
        other => other,
    }
}

fn transform(
    table: &ResourceMapping,
    name: &str,
    value: Json,
    to: &str,
    how: Transform,
    out: &mut Mapped,
) -> Result<(), Diagnostics> {
    match how {
        Transform::FirstElement => {
            let items = match value {
                Json::Null => Vec::new(),
                Json::Array(items) => items,
                other => vec![other],
            };
            if items.len() > 1 {
                return Err(Diagnostic::error(
                    "Cannot move this state",
                    format!(
                        "{name} of this {} holds {} values; {} takes one in {to}.",
                        table.from,
                        items.len(),
                        table.to
                    ),
                )
                .into());
            }
            if let Some(first) = items.into_iter().next() {
                out.attributes.insert(to.to_owned(), first);
            }
        }
        Transform::SchedulerHintGroup => {
            let hints = match value {
                Json::Array(items) => items,
                Json::Null => Vec::new(),
                other => vec![other],
            };
            for hint in hints {
                let Json::Object(fields) = hint else { continue };
                for (key, v) in fields {
                    if key == "group" && has_value(&v) {
                        out.attributes.insert(to.to_owned(), v);
                    } else {
                        drop_value(
                            &format!("{name}.{key}"),
                            "only the `group` scheduler hint has a counterpart (`server_group_id`)",
                            &v,
                            &mut out.dropped,
                        );
                    }
                }
            }
        }
        // Lookups of data sources: no state of them is ever moved.
        Transform::PropertiesToAttributes | Transform::MebibytesToGibibytes => {
            return Err(Diagnostic::error(
                "Cannot move this state",
                format!(
                    "{name} of a {} has no state form; this is a bug in the provider's migration \
                     table.",
                    table.from
                ),
            )
            .into());
        }
        Transform::UserDataToWriteOnly => {
            if has_value(&value) {
                out.attributes.insert(to.to_owned(), Json::from(1));
                out.notices.push(format!(
                    "The {} state holds only a hash of {name}, so the moved {} records \
                     {to} = 1 instead. Write the text as user_data_wo with user_data_wo_version = 1 \
                     (the migrate command does this); with {name} the server would be replaced.",
                    table.from, table.to
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pools(cidr: &str, gateway: Option<&str>) -> Vec<(String, String)> {
        default_pools(cidr, gateway).unwrap_or_default()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn neutron_default_pools_leave_out_the_gateway() {
        assert_eq!(
            pools("10.10.0.0/24", Some("10.10.0.1")),
            [pair("10.10.0.2", "10.10.0.254")]
        );
        assert_eq!(
            pools("10.0.0.0/24", Some("10.0.0.100")),
            [
                pair("10.0.0.1", "10.0.0.99"),
                pair("10.0.0.101", "10.0.0.254")
            ]
        );
        assert_eq!(pools("10.0.0.0/24", None), [pair("10.0.0.1", "10.0.0.254")]);
        assert_eq!(
            pools("fd00::/64", Some("fd00::1")),
            [pair("fd00::2", "fd00::ffff:ffff:ffff:ffff")]
        );
        assert!(pools("10.0.0.0/31", None).is_empty());
        assert!(pools("nonsense", None).is_empty());
    }

    #[test]
    fn only_the_default_pool_is_forgotten() {
        let subnet = |pool: Json| match serde_json::json!({
            "cidr": "10.10.0.0/24", "gateway_ip": "10.10.0.1", "allocation_pool": pool,
        }) {
            Json::Object(m) => m,
            _ => Map::new(),
        };
        let mut default = subnet(serde_json::json!([{"start": "10.10.0.2", "end": "10.10.0.254"}]));
        forget_default_allocation_pools(&mut default);
        assert!(!default.contains_key("allocation_pool"));
        let mut own = subnet(serde_json::json!([{"start": "10.10.0.10", "end": "10.10.0.20"}]));
        forget_default_allocation_pools(&mut own);
        assert!(own.contains_key("allocation_pool"));
    }
}
