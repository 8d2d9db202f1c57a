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
