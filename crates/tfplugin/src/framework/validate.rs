//! Runs the schema's per-attribute validators over a configuration value.

use crate::diagnostics::{AttributePath, Diagnostics};
use crate::schema::{Attribute, AttributeType, Block, NestingMode};
use crate::value::Value;

/// Runs every attribute validator on known, non-null values of `config`,
/// at every depth. Unknown values (from other resources) are skipped: they
/// are checked again once known.
pub fn validate_config(block: &Block, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    walk_block(block, config, &AttributePath::root(), &mut diags);
    diags
}

fn walk_block(block: &Block, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if !value.is_known() {
        return;
    }
    walk_attributes(&block.attributes, value, path, diags);
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
