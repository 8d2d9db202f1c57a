//! Runs the schema's per-attribute validators over a configuration value.

use crate::diagnostics::{AttributePath, Diagnostics, PathStep};
use crate::schema::{Attribute, AttributeType, Block, BlockRule, NestingMode};
use crate::value::Value;

/// Runs every attribute validator on known, non-null values of `config`,
/// at every depth. Unknown values (from other resources) are skipped: they
/// are checked again once known.
pub fn validate_config(block: &Block, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    walk_block(block, config, &AttributePath::root(), &mut diags);
    diags
}

/// `config` with every attribute that `diags` has an error on made unknown.
///
/// The resource's own checks run after the schema's and read the
/// configuration into its typed model; a value the schema already refused
/// (a negative size for an unsigned field) would fail that reading and
/// report the same mistake again as an internal error on the whole block.
/// Unknown is what those checks already skip. Only attributes are masked:
/// an unknown list element would be dropped when the model is read, and the
/// elements after it would be reported under the wrong index.
pub fn without_refused(mut config: Value, diags: &Diagnostics) -> Value {
    for d in diags.iter().filter(|d| d.is_error()) {
        if let Some(path) = &d.attribute
            && matches!(path.steps().last(), Some(PathStep::Attribute(_)))
            && let Some(v) = config.get_path_mut(path)
        {
            *v = Value::Unknown;
        }
    }
    config
}

fn walk_block(block: &Block, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if !value.is_known() {
        return;
    }
    walk_attributes(&block.attributes, value, path, diags);
    for rule in &block.rules {
        check_rule(rule, value, path, diags);
    }
    for nb in &block.blocks {
        let child = path.clone().join_attr(nb.name.clone());
        let Some(v) = value.attr(&nb.name) else {
            continue;
        };
        each_nested(nb.nesting, v, &child, &mut |item, item_path| {
            walk_block(&nb.block, item, item_path, diags)
        });
    }
}

fn walk_attributes(
    attrs: &[Attribute],
    value: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    if !value.is_known() {
        return;
    }
    for a in attrs {
        let Some(v) = value.attr(&a.name) else {
            continue;
        };
        if !v.is_known() {
            continue;
        }
        let child = path.clone().join_attr(a.name.clone());
        for validator in &a.validators {
            validator.validate(v, &child, diags);
        }
        if let AttributeType::Nested {
            nesting,
            attributes,
        } = &a.ty
        {
            each_nested(*nesting, v, &child, &mut |item, item_path| {
                walk_attributes(attributes, item, item_path, diags)
            });
        }
    }
}

fn each_nested(
    nesting: NestingMode,
    value: &Value,
    path: &AttributePath,
    f: &mut dyn FnMut(&Value, &AttributePath),
) {
    match (nesting, value) {
        (NestingMode::Single | NestingMode::Group, v) => f(v, path),
        (NestingMode::List | NestingMode::Set, Value::List(items) | Value::Set(items)) => {
            for (i, item) in items.iter().enumerate() {
                f(item, &path.clone().join_index(i as i64));
            }
        }
        (NestingMode::Map, Value::Map(items)) => {
            for (k, item) in items {
                f(item, &path.clone().join_key(k.clone()));
            }
        }
        _ => {}
    }
}

/// Whether `name` is set in a block value: known and not null (an empty
/// nested block list counts as not set). Unknown is `None`: it may still
/// turn out either way.
fn is_set(value: &Value, name: &str) -> Option<bool> {
    match value.attr(name) {
        None | Some(Value::Null) => Some(false),
        Some(Value::List(items) | Value::Set(items)) if items.is_empty() => Some(false),
        Some(v) if !v.is_known() => None,
        Some(_) => Some(true),
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_rule(rule: &BlockRule, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let at = |name: &str| path.clone().join_attr(name.to_owned());
    match rule {
        BlockRule::ConflictsWith(names) | BlockRule::ExactlyOneOf(names) => {
            let set: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| is_set(value, n) == Some(true))
                .collect();
            if let [first, rest @ ..] = &set[..]
                && !rest.is_empty()
            {
                for name in rest {
                    diags.error_at(
                        at(name),
                        "Conflicting arguments",
                        format!(
                            "{name:?} cannot be set together with {first:?}; set only one of {}.",
                            quoted(names)
                        ),
                    );
                }
            }
            let undecided = names.iter().any(|n| is_set(value, n).is_none());
            if matches!(rule, BlockRule::ExactlyOneOf(_)) && set.is_empty() && !undecided {
                missing_one_of(names, path, diags);
            }
        }
        BlockRule::AtLeastOneOf(names) => {
            if names.iter().all(|n| is_set(value, n) == Some(false)) {
                missing_one_of(names, path, diags);
            }
        }
        BlockRule::RequiredWith(names) => {
            let Some((first, others)) = names.split_first() else {
                return;
            };
            if is_set(value, first) != Some(true) {
                return;
            }
            for other in others {
                if is_set(value, other) == Some(false) {
                    diags.error_at(
                        at(other),
                        "Missing required argument",
                        format!("{other:?} must be set when {first:?} is set."),
                    );
                }
            }
        }
    }
}

fn missing_one_of(names: &[&str], path: &AttributePath, diags: &mut Diagnostics) {
    let detail = format!("One of {} must be set.", quoted(names));
    if path.is_root() {
        diags.error("Missing required argument", detail);
    } else {
        diags.error_at(path.clone(), "Missing required argument", detail);
    }
}

#[cfg(test)]
mod rule_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn refused_attributes_are_masked_but_not_list_elements() {
        let config = Value::object([
            ("a", Value::from("bad")),
            ("b", Value::from("good")),
            (
                "c",
                Value::List(vec![Value::object([("d", Value::from("bad"))])]),
            ),
        ]);
        let mut d = Diagnostics::new();
        d.error_at(AttributePath::attr("a"), "Invalid", "a");
        d.error_at(
            AttributePath::attr("c").join_index(0).join_attr("d"),
            "Invalid",
            "d",
        );
        d.error_at(AttributePath::attr("c").join_index(0), "Invalid", "c[0]");
        d.warning_at(AttributePath::attr("b"), "Odd", "b");
        let masked = without_refused(config, &d);
        assert!(masked.attr("a").unwrap().is_unknown());
        assert_eq!(masked.attr("b"), Some(&Value::from("good")));
        let c0 = &masked.attr("c").unwrap().as_elements().unwrap()[0];
        assert!(c0.is_known(), "the element stays");
        assert!(c0.attr("d").unwrap().is_unknown());
    }

    fn block(rule: BlockRule) -> Block {
        Block::new()
            .attribute(Attribute::string("a").optional())
            .attribute(Attribute::string("b").optional())
            .attribute(Attribute::string("c").optional())
            .rule(rule)
    }

    fn config(a: Value, b: Value) -> Value {
        Value::object([("a", a), ("b", b), ("c", Value::Null)])
    }

    #[test]
    fn conflicts_name_the_second_attribute() {
        let b = block(BlockRule::ConflictsWith(vec!["a", "b"]));
        let d = validate_config(&b, &config(Value::from("x"), Value::from("y")));
        assert_eq!(d.attribute_paths(), vec!["b".to_owned()]);
        assert!(d.iter().next().unwrap().detail.contains("\"a\", \"b\""));
        assert!(validate_config(&b, &config(Value::from("x"), Value::Null)).is_empty());
        assert!(validate_config(&b, &config(Value::from("x"), Value::Unknown)).is_empty());
    }

    #[test]
    fn exactly_one_needs_one_unless_undecided() {
        let b = block(BlockRule::ExactlyOneOf(vec!["a", "b"]));
        let d = validate_config(&b, &config(Value::Null, Value::Null));
        assert!(d.has_errors());
        assert!(validate_config(&b, &config(Value::Unknown, Value::Null)).is_empty());
        assert!(validate_config(&b, &config(Value::Null, Value::from("y"))).is_empty());
        assert!(validate_config(&b, &config(Value::from("x"), Value::from("y"))).has_errors());
    }

    #[test]
    fn at_least_one_and_required_with() {
        let b = block(BlockRule::AtLeastOneOf(vec!["a", "b"]));
        assert!(validate_config(&b, &config(Value::Null, Value::Null)).has_errors());
        assert!(validate_config(&b, &config(Value::from("x"), Value::from("y"))).is_empty());
        let b = block(BlockRule::RequiredWith(vec!["a", "b"]));
        let d = validate_config(&b, &config(Value::from("x"), Value::Null));
        assert_eq!(d.attribute_paths(), vec!["b".to_owned()]);
        assert!(validate_config(&b, &config(Value::Null, Value::Null)).is_empty());
        assert!(validate_config(&b, &config(Value::from("x"), Value::Unknown)).is_empty());
    }
}
