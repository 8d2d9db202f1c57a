//! Typed models: one struct is both the values of a resource and, through
//! `#[derive(Model)]`, its schema.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use tfplugin::Model;
//! use tfplugin::model::{Model as _, Timeouts};
//! use tfplugin::value::Attr;
//!
//! /// A note.
//! #[derive(Model, Serialize, Deserialize, Default, Clone)]
//! #[serde(default)]
//! struct Note {
//!     /// The note's ID.
//!     #[tf(computed, use_state_for_unknown)]
//!     id: Attr<String>,
//!     /// What the note says.
//!     #[tf(required, requires_replace)]
//!     text: Attr<String>,
//!     #[tf(optional, set)]
//!     tags: Attr<Vec<String>>,
//!     #[tf(timeouts(create, delete))]
//!     timeouts: Attr<Timeouts>,
//! }
//!
//! let block = Note::block();
//! assert_eq!(block.description, "A note.");
//! assert!(block.get_attribute("text").is_some_and(|a| a.required && a.requires_replace));
//! assert!(tfplugin::model::check_model::<Note>().is_empty());
//! ```
//!
//! Fields named `id`, `region`, `tags` and `timeouts` get accessors on the
//! [`Model`] trait, so generic life-cycle code can reach them.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{AttributePath, Diagnostics};
use crate::schema::{Block, NestingMode, Schema, TimeoutKind, parse_duration};
use crate::value::{Attr, Type, Value};

/// A struct whose fields are a resource's (or data source's, or nested
/// block's) attributes. Derive it with `#[derive(tfplugin::Model)]`.
pub trait Model: Serialize + DeserializeOwned + Default + Clone + Send + Sync + 'static {
    /// The schema block: one attribute or nested block per field.
    fn block() -> Block;

    /// The schema of a resource or data source with this model.
    fn schema() -> Schema {
        Schema::new(Self::block())
    }

    /// Adds mismatches between nested blocks' models and their schemas.
    fn check_nested(_problems: &mut Vec<String>) {}

    fn id(&self) -> Option<&Attr<String>> {
        None
    }

    fn set_id(&mut self, _id: Attr<String>) {}

    fn region(&self) -> Option<&Attr<String>> {
        None
    }

    fn set_region(&mut self, _region: Attr<String>) {}

    fn tags(&self) -> Option<&Attr<Vec<String>>> {
        None
    }

    fn set_tags(&mut self, _tags: Attr<Vec<String>>) {}

    fn timeouts(&self) -> Option<&Attr<Timeouts>> {
        None
    }

    fn set_timeouts(&mut self, _timeouts: Attr<Timeouts>) {}
}

/// A Rust type that stands for a Terraform value type.
pub trait TfType {
    fn tf_type() -> Type;
}

macro_rules! tf_type {
    ($ty:expr => $($t:ty),*) => {
        $(impl TfType for $t {
            fn tf_type() -> Type {
                $ty
            }
        })*
    };
}

tf_type!(Type::String => String);
tf_type!(Type::Bool => bool);
tf_type!(Type::Number => i64, i32, u64, u32, u16, f64);
tf_type!(Type::Dynamic => Value);

impl<T: TfType> TfType for Attr<T> {
    fn tf_type() -> Type {
        T::tf_type()
    }
}

impl<T: TfType> TfType for Option<T> {
    fn tf_type() -> Type {
        T::tf_type()
    }
}

impl<T: TfType> TfType for Vec<T> {
    fn tf_type() -> Type {
        Type::list(T::tf_type())
    }
}

impl<T: TfType> TfType for BTreeSet<T> {
    fn tf_type() -> Type {
        Type::set(T::tf_type())
    }
}

impl<T: TfType> TfType for BTreeMap<String, T> {
    fn tf_type() -> Type {
        Type::map(T::tf_type())
    }
}

/// `list(T)` as `set(T)`: for `#[tf(set)]` on a `Vec` field.
pub fn as_set(ty: Type) -> Type {
    match ty {
        Type::List(element) => Type::Set(element),
        other => other,
    }
}

/// A Rust type that stands for a nested block: a derived model (one
/// block), a `Vec` of them (a list of blocks), or either inside [`Attr`].
pub trait BlockType {
    const NESTING: NestingMode;

    fn nested_block() -> Block;

    /// Adds mismatches between the block's model and its schema.
    fn check(path: &str, problems: &mut Vec<String>);
}

impl<T: BlockType> BlockType for Attr<T> {
    const NESTING: NestingMode = T::NESTING;

    fn nested_block() -> Block {
        T::nested_block()
    }

    fn check(path: &str, problems: &mut Vec<String>) {
        T::check(path, problems)
    }
}

impl<T: BlockType> BlockType for Vec<T> {
    const NESTING: NestingMode = NestingMode::List;

    fn nested_block() -> Block {
        T::nested_block()
    }

    fn check(path: &str, problems: &mut Vec<String>) {
        T::check(path, problems)
    }
}

/// The `timeouts { create = "10m" }` block as a model field:
/// `#[tf(timeouts(create, delete))] timeouts: Attr<Timeouts>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Timeouts {
    #[serde(skip_serializing_if = "Attr::is_null")]
    pub create: Attr<String>,
    #[serde(skip_serializing_if = "Attr::is_null")]
    pub read: Attr<String>,
    #[serde(skip_serializing_if = "Attr::is_null")]
    pub update: Attr<String>,
    #[serde(skip_serializing_if = "Attr::is_null")]
    pub delete: Attr<String>,
}

impl Timeouts {
    /// The configured limit for `kind`, if any.
    pub fn limit(&self, kind: TimeoutKind) -> Result<Option<Duration>, Diagnostics> {
        let text = match kind {
            TimeoutKind::Create => &self.create,
            TimeoutKind::Read => &self.read,
            TimeoutKind::Update => &self.update,
            TimeoutKind::Delete => &self.delete,
        };
        let Some(text) = text.known() else {
            return Ok(None);
        };
        match parse_duration(text) {
            Some(d) => Ok(Some(d)),
            None => {
                let mut diags = Diagnostics::new();
                diags.error_at(
                    AttributePath::attr(crate::schema::TIMEOUTS).join_attr(kind.name()),
                    "Invalid duration",
                    format!("{text:?} is not a duration such as \"30s\", \"10m\" or \"1h30m\""),
                );
                Err(diags)
            }
        }
    }
}

/// The configured limit of a model's `timeouts` block for `kind`, if any.
pub fn timeout_of<M: Model>(model: &M, kind: TimeoutKind) -> Result<Option<Duration>, Diagnostics> {
    match model.timeouts().and_then(Attr::known) {
        Some(t) => t.limit(kind),
        None => Ok(None),
    }
}

/// Where a model and its schema disagree: a field the schema lacks (its
/// value would be refused) or an attribute no field holds (its value would
/// be dropped from state without a word). Empty when they agree.
pub fn check_model<M: Model>() -> Vec<String> {
    let mut problems = Vec::new();
    check_model_at::<M>(std::any::type_name::<M>(), &mut problems);
    problems
}

/// [`check_model`] for a model found at `path`.
pub fn check_model_at<M: Model>(path: &str, problems: &mut Vec<String>) {
    let schema_names: BTreeSet<String> = M::block()
        .value_type()
        .attributes()
        .map(|a| a.keys().cloned().collect())
        .unwrap_or_default();
    let model_names: BTreeSet<String> = match crate::value::to_untyped_value(&M::default()) {
        Ok(Value::Object(fields)) => fields.into_keys().collect(),
        Ok(other) => {
            problems.push(format!(
                "{path}: the model serializes as {other:?}, not as an object"
            ));
            return;
        }
        Err(e) => {
            problems.push(format!("{path}: the model does not serialize: {e}"));
            return;
        }
    };
    for missing in schema_names.difference(&model_names) {
        problems.push(format!(
            "{path}: schema attribute {missing:?} has no model field, so its value would be lost"
        ));
    }
    for extra in model_names.difference(&schema_names) {
        problems.push(format!(
            "{path}: model field {extra:?} is not in the schema"
        ));
    }
    M::check_nested(problems);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Model;
    use crate::schema::BlockRule;

    /// A rule.
    #[derive(Model, Serialize, Deserialize, Default, Clone)]
    #[serde(default)]
    struct Rule {
        #[tf(required)]
        port: Attr<i64>,
    }

    /// A thing.
    ///
    /// With a second paragraph.
    #[derive(Model, Serialize, Deserialize, Default, Clone)]
    #[serde(default)]
    #[tf(conflicts_with(name, name_regex))]
    struct Thing {
        /// The ID.
        #[tf(computed, use_state_for_unknown)]
        id: Attr<String>,
        #[tf(optional)]
        name: Attr<String>,
        #[tf(optional)]
        name_regex: Attr<String>,
        #[tf(optional, set)]
        tags: Attr<Vec<String>>,
        #[tf(default = 3)]
        count: Attr<i64>,
        #[tf(optional, sensitive, requires_replace)]
        secret: Attr<String>,
        /// Rules.
        #[tf(block, max_items = 2)]
        rule: Attr<Vec<Rule>>,
        #[tf(timeouts(create))]
        timeouts: Attr<Timeouts>,
    }

    #[test]
    fn schema_follows_the_fields() {
        let b = Thing::block();
        assert_eq!(b.description, "A thing.\n\nWith a second paragraph.");
        let id = b.get_attribute("id").unwrap();
        assert!(id.computed && !id.optional && id.use_state_for_unknown);
        assert_eq!(id.description, "The ID.");
        assert_eq!(
            b.get_attribute("tags").unwrap().value_type(),
            Type::set(Type::String)
        );
        let count = b.get_attribute("count").unwrap();
        assert!(count.optional && count.computed);
        assert_eq!(count.default, Some(Value::from(3)));
        let secret = b.get_attribute("secret").unwrap();
        assert!(secret.sensitive && secret.requires_replace);
        let rule = b.get_block("rule").unwrap();
        assert_eq!(rule.nesting, NestingMode::List);
        assert_eq!(rule.max_items, 2);
        assert_eq!(rule.block.description, "Rules.");
        assert!(rule.block.get_attribute("port").unwrap().required);
        assert!(
            b.get_block("timeouts")
                .unwrap()
                .block
                .get_attribute("create")
                .is_some()
        );
        assert!(
            matches!(&b.rules[..], [BlockRule::ConflictsWith(n)] if n == &["name", "name_regex"])
        );
        assert!(Thing::schema().validate().is_empty());
        assert!(
            check_model::<Thing>().is_empty(),
            "{:?}",
            check_model::<Thing>()
        );
    }

    #[test]
    fn accessors_reach_the_conventional_fields() {
        let mut t = Thing::default();
        t.set_id(Attr::Known("x".into()));
        assert_eq!(t.id(), Some(&Attr::Known("x".to_owned())));
        assert!(t.region().is_none());
        t.timeouts = Attr::Known(Timeouts {
            create: Attr::Known("2m".into()),
            ..Default::default()
        });
        assert_eq!(
            timeout_of(&t, TimeoutKind::Create).unwrap(),
            Some(Duration::from_secs(120))
        );
        assert_eq!(timeout_of(&t, TimeoutKind::Delete).unwrap(), None);
        t.timeouts = Attr::Known(Timeouts {
            create: Attr::Known("soon".into()),
            ..Default::default()
        });
        assert!(timeout_of(&t, TimeoutKind::Create).is_err());
    }

    #[test]
    fn typed_timeouts_round_trip_through_the_schema_type() {
        let t = Thing {
            timeouts: Attr::Known(Timeouts {
                create: Attr::Known("1m".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let v = crate::value::to_untyped_value(&t)
            .unwrap()
            .conform(&Thing::block().value_type())
            .unwrap();
        let back: Thing = crate::value::from_value(&v).unwrap();
        assert_eq!(back.timeouts, t.timeouts);
        let none: Thing = crate::value::from_value(
            &Value::object([("timeouts", Value::Null)])
                .conform(&Thing::block().value_type())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(none.timeouts, Attr::Null);
    }

    /// A model whose field is renamed away from its attribute.
    #[derive(Model, Serialize, Deserialize, Default, Clone)]
    struct Drifted {
        #[tf(optional)]
        #[serde(rename = "other")]
        name: Attr<String>,
    }

    #[test]
    fn a_model_that_differs_from_its_schema_is_reported() {
        let problems = check_model::<Drifted>();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("\"name\" has no model field"));
        assert!(problems[1].contains("\"other\" is not in the schema"));
    }

    /// An object as `#[derive(TfObject)]` types it: one attribute per field, named as serde names it.
    #[derive(crate::TfObject, Serialize, Deserialize)]
    struct Condition {
        #[serde(rename = "type")]
        type_: String,
        ready: bool,
        #[serde(default)]
        count: i64,
    }

    #[test]
    fn a_derived_object_type_has_each_field_under_its_serde_name() {
        assert_eq!(
            <Vec<Condition> as TfType>::tf_type(),
            Type::list(Type::object([
                ("type", Type::String),
                ("ready", Type::Bool),
                ("count", Type::Number),
            ]))
        );
    }
}
