//! Configuration generated from a state (GenerateResourceConfig, protocol
//! 6.10): what `terraform query -generate-config-out` and `plan
//! -generate-config-out` write for an imported object. Without it Terraform
//! writes every optional attribute the state holds, also both of two that
//! conflict (a name and the ID it resolves to), and the result does not
//! validate.

use crate::schema::{Block, BlockRule, NestingMode, TIMEOUTS};
use crate::value::Value;

/// A configuration for `state`: the state without what only the provider
/// sets (computed-only attributes), what is never stored (write-only
/// attributes), the `timeouts` block, and, of attributes the block's rules
/// say conflict (`ConflictsWith`, `ExactlyOneOf`), all but the first set one
/// in the rule's order. Nested blocks are treated alike.
pub fn config_from_state(block: &Block, state: &Value) -> Value {
    let Value::Object(fields) = state else {
        return state.clone();
    };
    let mut fields = fields.clone();
    for a in &block.attributes {
        if (a.computed && !a.optional && !a.required) || a.write_only {
            fields.insert(a.name.clone(), Value::Null);
        }
    }
    for rule in &block.rules {
        let names = match rule {
            BlockRule::ConflictsWith(names) | BlockRule::ExactlyOneOf(names) => names,
            BlockRule::AtLeastOneOf(_) | BlockRule::RequiredWith(_) => continue,
        };
        let mut kept = false;
        for name in names {
            let set = fields.get(*name).is_some_and(|v| !v.is_null());
            if set && kept {
                fields.insert((*name).to_owned(), Value::Null);
            }
            kept |= set;
        }
    }
    for nested in &block.blocks {
        if nested.name == TIMEOUTS {
            fields.insert(nested.name.clone(), Value::Null);
            continue;
        }
        let Some(v) = fields.get_mut(&nested.name) else {
            continue;
        };
        *v = match (nested.nesting, &*v) {
            (NestingMode::List, Value::List(items)) => Value::List(
                items
                    .iter()
                    .map(|i| config_from_state(&nested.block, i))
                    .collect(),
            ),
            (NestingMode::Set, Value::Set(items)) => Value::Set(
                items
                    .iter()
                    .map(|i| config_from_state(&nested.block, i))
                    .collect(),
            ),
            (NestingMode::Map, Value::Map(items)) => Value::Map(
                items
                    .iter()
                    .map(|(k, i)| (k.clone(), config_from_state(&nested.block, i)))
                    .collect(),
            ),
            (_, other) => config_from_state(&nested.block, other),
        };
    }
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, NestedBlock, Schema};

    #[test]
    fn computed_write_only_timeouts_and_conflicts_are_left_out() {
        let schema = Schema::new(
            Block::new()
                .attribute(Attribute::string("id").computed())
                .attribute(Attribute::string("flavor_id").optional().computed())
                .attribute(Attribute::string("flavor_name").optional().computed())
                .attribute(Attribute::string("secret").optional().write_only())
                .attribute(Attribute::string("name").required())
                .rule(BlockRule::ConflictsWith(vec!["flavor_id", "flavor_name"]))
                .block(NestedBlock::list(
                    "nic",
                    Block::new()
                        .attribute(Attribute::string("uuid").optional())
                        .attribute(Attribute::string("name").optional())
                        .attribute(Attribute::string("mac").computed())
                        .rule(BlockRule::ExactlyOneOf(vec!["uuid", "name"])),
                ))
                .block(NestedBlock::single(
                    TIMEOUTS,
                    Block::new().attribute(Attribute::string("create").optional()),
                )),
        );
        let state = Value::object([
            ("id", Value::from("s-1")),
            ("flavor_id", Value::from("f-1")),
            ("flavor_name", Value::from("small")),
            ("secret", Value::Null),
            ("name", Value::from("web")),
            (
                "nic",
                Value::List(vec![Value::object([
                    ("uuid", Value::from("n-1")),
                    ("name", Value::from("app")),
                    ("mac", Value::from("fa:16")),
                ])]),
            ),
            (TIMEOUTS, Value::object([("create", Value::from("5m"))])),
        ]);
        let config = config_from_state(&schema.block, &state);
        assert_eq!(
            config,
            Value::object([
                ("id", Value::Null),
                ("flavor_id", Value::from("f-1")),
                ("flavor_name", Value::Null),
                ("secret", Value::Null),
                ("name", Value::from("web")),
                (
                    "nic",
                    Value::List(vec![Value::object([
                        ("uuid", Value::from("n-1")),
                        ("name", Value::Null),
                        ("mac", Value::Null),
                    ])]),
                ),
                (TIMEOUTS, Value::Null),
            ])
        );
    }
}
