//! Resource identity (protocol 6.9+, Terraform 1.12+): a small object that
//! names the remote object behind a resource instance, stored next to its
//! state, written by the user in `import { identity = { ... } }` and
//! returned for every result of a list resource.
//!
//! In this framework an identity is always a projection of the state: its
//! attributes are attributes of the resource's schema with the same names
//! and types. That keeps it stable across updates (it changes only when
//! the state's own values do) and makes it equal after an import by ID and
//! an import by identity, since both end in the same state.

use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::value::{Type, Value};

/// The identity schema of one resource type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentitySchema {
    /// Bumped when the attributes change; older stored identities go
    /// through `upgrade_identity`.
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

/// One attribute of an identity.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    /// Must be written in `import { identity = { ... } }`; otherwise the
    /// provider can fill it in (optional for import).
    pub required_for_import: bool,
    /// Markdown.
    pub description: String,
}

impl IdentitySchema {
    /// An identity of the resource attributes `required` (needed for an
    /// import) and `optional` (filled in by the provider when left out), with
    /// the types and descriptions the resource schema gives them. Names the
    /// schema lacks are skipped here and reported by [`IdentitySchema::problems`].
    pub fn of_attributes(schema: &Schema, required: &[&str], optional: &[&str]) -> Self {
        let pick = |name: &&str, required_for_import: bool| {
            schema.block.get_attribute(name).map(|a| IdentityAttribute {
                name: (*name).to_owned(),
                ty: a.value_type(),
                required_for_import,
                description: a.description.clone(),
            })
        };
        let attributes = required
            .iter()
            .filter_map(|n| pick(n, true))
            .chain(optional.iter().filter_map(|n| pick(n, false)))
            .collect();
        Self {
            version: 0,
            attributes,
        }
    }

    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    /// The object type of identity values.
    pub fn value_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }

    /// Mistakes that make the identity unusable: no attributes, duplicates,
    /// attributes the resource schema lacks or types it differs on.
    pub fn problems(&self, schema: &Schema) -> Vec<String> {
        let mut problems = Vec::new();
        if self.attributes.is_empty() {
            problems.push("the identity schema has no attributes".to_owned());
        }
        if !self.attributes.iter().any(|a| a.required_for_import) {
            problems.push("no identity attribute is required for import".to_owned());
        }
        for (i, a) in self.attributes.iter().enumerate() {
            if self.attributes[..i].iter().any(|b| b.name == a.name) {
                problems.push(format!("identity attribute {} is declared twice", a.name));
            }
            match schema.block.get_attribute(&a.name) {
                None => problems.push(format!(
                    "identity attribute {} is not an attribute of the resource",
                    a.name
                )),
                Some(attr) if attr.value_type() != a.ty => problems.push(format!(
                    "identity attribute {} has another type than the resource attribute",
                    a.name
                )),
                Some(_) => {}
            }
        }
        problems
    }

    /// The identity of the object whose state is `state`: `None` for a null
    /// state, or while a required attribute is null or anything is unknown
    /// (an identity is only ever sent wholly known).
    pub fn of_state(&self, state: &Value) -> Option<Value> {
        if !state.is_known() {
            return None;
        }
        let mut fields = std::collections::BTreeMap::new();
        for a in &self.attributes {
            let v = state.attr(&a.name).cloned().unwrap_or(Value::Null);
            if !v.is_wholly_known() || (a.required_for_import && v.is_null()) {
                return None;
            }
            fields.insert(a.name.clone(), v);
        }
        Some(Value::Object(fields))
    }

    /// Errors for an identity from `import { identity = { ... } }` that
    /// leaves out an attribute required for import, named on the attribute.
    pub fn check_import(&self, type_name: &str, identity: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if !identity.is_known() {
            diags.error(
                "Missing resource identity",
                format!("Importing a {type_name} by identity needs the identity object."),
            );
            return diags;
        }
        let written: Vec<&str> = self
            .attributes
            .iter()
            .filter(|a| a.required_for_import)
            .map(|a| a.name.as_str())
            .collect();
        for a in self.attributes.iter().filter(|a| a.required_for_import) {
            let set = identity
                .attr(&a.name)
                .is_some_and(|v| v.is_known() && v.as_str() != Some(""));
            if !set {
                diags.error_at(
                    AttributePath::attr(a.name.clone()),
                    "Missing required identity attribute",
                    format!(
                        "Importing a {type_name} by identity needs {} ({}); the other identity \
                         attributes are optional.",
                        a.name,
                        written.join(", ")
                    ),
                );
            }
        }
        diags
    }
}

/// The default import by identity: the import by ID of the identity's `id`
/// attribute when it has one, with every other identity attribute that is
/// set copied into the state; else a state holding just the identity's
/// attributes, for `read` to complete.
pub fn state_from_identity(
    schema: &Schema,
    identity: &Value,
    imported_by_id: Option<Value>,
) -> Result<Value, Diagnostics> {
    let ty = schema.value_type();
    let mut state = match imported_by_id {
        Some(v) => v,
        None => Value::object(Vec::<(String, Value)>::new()),
    };
    if let (Value::Object(fields), Some(entries)) = (&mut state, identity.as_entries()) {
        for (name, v) in entries {
            if !v.is_null() && ty.attributes().is_some_and(|a| a.contains_key(name)) {
                fields.insert(name.clone(), v.clone());
            }
        }
    }
    state.conform(&ty).map_err(|e| {
        Diagnostic::error(
            "Invalid resource identity",
            format!("The identity does not fit the resource's attributes: {e}."),
        )
        .into()
    })
}

/// What a resource without an identity upgrade answers for an identity
/// stored by an older identity schema `version`.
pub fn unsupported_identity_version(type_name: &str, version: i64) -> Diagnostics {
    Diagnostic::error(
        "Unsupported identity version",
        format!("{type_name} cannot upgrade a resource identity from identity version {version}."),
    )
    .into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::schema::{Attribute, Block};

    fn schema() -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("id").computed().description("The ID."))
                .attribute(Attribute::string("region").optional().computed())
                .attribute(Attribute::string("name").required()),
        )
    }

    fn identity() -> IdentitySchema {
        IdentitySchema::of_attributes(&schema(), &["id"], &["region"])
    }

    #[test]
    fn attributes_take_the_resource_types_and_descriptions() {
        let i = identity();
        assert_eq!(i.attributes.len(), 2);
        assert!(i.attributes[0].required_for_import);
        assert_eq!(i.attributes[0].description, "The ID.");
        assert!(!i.attributes[1].required_for_import);
        assert!(i.problems(&schema()).is_empty());
    }

    #[test]
    fn problems_name_missing_and_mistyped_attributes() {
        let mut i = IdentitySchema::of_attributes(&schema(), &["id"], &[]);
        i.attributes.push(IdentityAttribute {
            name: "zone".into(),
            ty: Type::String,
            required_for_import: false,
            description: String::new(),
        });
        i.attributes.push(IdentityAttribute {
            name: "name".into(),
            ty: Type::Number,
            required_for_import: false,
            description: String::new(),
        });
        let p = i.problems(&schema()).join("; ");
        assert!(p.contains("zone is not an attribute"), "{p}");
        assert!(p.contains("name has another type"), "{p}");
        assert!(!IdentitySchema::default().problems(&schema()).is_empty());
    }

    #[test]
    fn identity_is_the_projection_of_a_known_state() {
        let state = Value::object([
            ("id", Value::from("n-1")),
            ("region", Value::from("RegionOne")),
            ("name", Value::from("web")),
        ]);
        assert_eq!(
            identity().of_state(&state),
            Some(Value::object([
                ("id", Value::from("n-1")),
                ("region", Value::from("RegionOne")),
            ]))
        );
        let no_region = Value::object([("id", Value::from("n-1")), ("region", Value::Null)]);
        assert!(identity().of_state(&no_region).is_some());
        let planned = Value::object([("id", Value::Unknown), ("region", Value::Null)]);
        assert_eq!(identity().of_state(&planned), None);
        let no_id = Value::object([("id", Value::Null), ("region", Value::from("r"))]);
        assert_eq!(identity().of_state(&no_id), None);
        assert_eq!(identity().of_state(&Value::Null), None);
    }

    #[test]
    fn import_check_names_the_missing_attribute() {
        let d = identity().check_import("x_net", &Value::object([("region", Value::from("r"))]));
        assert!(d.has_errors());
        let first = d.iter().next().unwrap();
        assert_eq!(first.attribute, Some(AttributePath::attr("id")));
        let empty = Value::object([("id", Value::from(""))]);
        assert!(identity().check_import("x_net", &empty).has_errors());
        let ok = Value::object([("id", Value::from("n-1")), ("region", Value::Null)]);
        assert!(!identity().check_import("x_net", &ok).has_errors());
    }

    #[test]
    fn state_from_identity_overlays_the_import_by_id() {
        let by_id = Value::object([("id", Value::from("n-1"))])
            .conform(&schema().value_type())
            .unwrap();
        let identity = Value::object([("id", Value::from("n-1")), ("region", Value::from("r2"))]);
        let state = state_from_identity(&schema(), &identity, Some(by_id)).unwrap();
        assert_eq!(state.attr("region"), Some(&Value::from("r2")));
        assert_eq!(state.attr("name"), Some(&Value::Null));
        let bare = state_from_identity(&schema(), &identity, None).unwrap();
        assert_eq!(bare.attr("id"), Some(&Value::from("n-1")));
    }
}
