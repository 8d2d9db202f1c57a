//! The plan pipeline for PlanResourceChange, after terraform-plugin-framework's
//! order of steps:
//!
//! 1. defaults where configuration is null;
//! 2. write-only attributes planned null;
//! 3. computed attributes that are null in configuration become unknown, but
//!    only on create or when the plan differs from the prior state (marking
//!    them unconditionally gives a perpetual "known after apply" diff); a
//!    change of the `timeouts` block alone does not count;
//! 4. use-state-for-unknown copies a known prior value over such an unknown;
//! 5. requires-replace paths where a prior state exists and the value changed;
//! 6. the resource's `modify_plan` hook (dispatch calls it between
//!    [`prepare`] and [`finish`]);
//! 7. requires-replace paths sorted and deduplicated, and a destroy plan
//!    kept null.

use crate::diagnostics::AttributePath;
use crate::schema::{Attribute, AttributeType, NestedBlock, NestingMode, Schema, TIMEOUTS};
use crate::value::Value;

use super::PlanChange;

static NULL: Value = Value::Null;

/// Steps 1-5: the framework's plan from Terraform's proposed new state.
pub fn prepare(schema: &Schema, prior: &Value, proposed: &Value, config: &Value) -> PlanChange {
    let mut change = PlanChange {
        prior: prior.clone(),
        config: config.clone(),
        planned: Value::Null,
        requires_replace: Vec::new(),
    };
    if proposed.is_null() {
        return change;
    }
    let attrs = &schema.block.attributes;
    let blocks = &schema.block.blocks;
    let root = AttributePath::root();
    let mut planned = proposed.clone();

    visit(
        attrs,
        blocks,
        prior,
        config,
        &mut planned,
        &root,
        true,
        &mut |node, v| {
            if let Node::Attr(a) = node {
                if a.write_only {
                    *v.planned = Value::Null;
                } else if let Some(default) = &a.default
                    && v.config.is_null()
                {
                    *v.planned = default.clone();
                }
            }
        },
    );

    if prior.is_null() || differs_beyond_timeouts(&planned, prior) {
        visit(
            attrs,
            blocks,
            prior,
            config,
            &mut planned,
            &root,
            true,
            &mut |node, v| {
                if let Node::Attr(a) = node
                    && a.computed
                    && a.default.is_none()
                    && v.config.is_null()
                {
                    *v.planned = Value::Unknown;
                }
            },
        );
    }

    visit(
        attrs,
        blocks,
        prior,
        config,
        &mut planned,
        &root,
        true,
        &mut |node, v| {
            if let Node::Attr(a) = node
                && a.use_state_for_unknown
                && v.aligned
                && v.planned.is_unknown()
                && !v.config.is_unknown()
                && v.prior.is_known()
            {
                *v.planned = v.prior.clone();
            }
        },
    );

    if !prior.is_null() {
        let mut paths = Vec::new();
        visit(
            attrs,
            blocks,
            prior,
            config,
            &mut planned,
            &root,
            true,
            &mut |node, v| {
                let replace = match node {
                    Node::Attr(a) => {
                        a.requires_replace
                        && v.aligned
                        && *v.planned != *v.prior
                        // An unknown that only stands for "the provider may
                        // recompute this" is not a user change.
                        && !(v.planned.is_unknown() && v.config.is_null())
                    }
                    Node::Block(b) => {
                        v.aligned
                            && (b.requires_replace
                                || (b.nesting == NestingMode::Set && block_has_replace(b)))
                            && *v.planned != *v.prior
                    }
                };
                if replace {
                    paths.push(v.path.clone());
                }
            },
        );
        change.requires_replace = paths;
    }

    change.planned = planned;
    change
}

/// Whether the plan changes anything but the `timeouts` block: new
/// timeouts alone change no cloud object, so they must not turn computed
/// attributes into "known after apply".
fn differs_beyond_timeouts(planned: &Value, prior: &Value) -> bool {
    match (planned, prior) {
        (Value::Object(p), Value::Object(q)) => p
            .iter()
            .filter(|(k, _)| k.as_str() != TIMEOUTS)
            .any(|(k, v)| q.get(k).unwrap_or(&NULL) != v),
        _ => planned != prior,
    }
}

/// Step 7, after the resource's hook.
pub fn finish(change: &mut PlanChange, destroy: bool) {
    if destroy {
        change.planned = Value::Null;
        change.requires_replace.clear();
        return;
    }
    change.requires_replace.sort();
    change.requires_replace.dedup();
}

/// Whether any attribute inside a set-nested block forces replacement; set
/// elements have no stable identity, so the set as a whole is compared.
fn block_has_replace(b: &NestedBlock) -> bool {
    b.block.attributes.iter().any(attr_has_replace)
        || b.block
            .blocks
            .iter()
            .any(|nb| nb.requires_replace || block_has_replace(nb))
}

fn attr_has_replace(a: &Attribute) -> bool {
    a.requires_replace
        || match &a.ty {
            AttributeType::Nested { attributes, .. } => attributes.iter().any(attr_has_replace),
            AttributeType::Type(_) => false,
        }
}

enum Node<'a> {
    Attr(&'a Attribute),
    Block(&'a NestedBlock),
}

/// What the visitor sees at one attribute or block.
struct Visit<'v> {
    prior: &'v Value,
    config: &'v Value,
    planned: &'v mut Value,
    path: &'v AttributePath,
    /// Whether `prior` is the same element as `planned` (false inside sets
    /// and for elements or keys the prior state did not have).
    aligned: bool,
}

type Visitor<'f> = dyn FnMut(&Node<'_>, Visit<'_>) + 'f;

#[allow(clippy::too_many_arguments)]
fn visit(
    attrs: &[Attribute],
    blocks: &[NestedBlock],
    prior: &Value,
    config: &Value,
    planned: &mut Value,
    path: &AttributePath,
    aligned: bool,
    f: &mut Visitor<'_>,
) {
    let Value::Object(fields) = planned else {
        return;
    };
    for a in attrs {
        let child_path = path.clone().join_attr(a.name.clone());
        let slot = fields.entry(a.name.clone()).or_insert(Value::Null);
        let (p, c) = (field(prior, &a.name), field(config, &a.name));
        let node = Node::Attr(a);
        f(
            &node,
            Visit {
                prior: p,
                config: c,
                planned: slot,
                path: &child_path,
                aligned,
            },
        );
        if let AttributeType::Nested {
            nesting,
            attributes,
        } = &a.ty
        {
            descend(
                attributes,
                &[],
                *nesting,
                p,
                c,
                slot,
                &child_path,
                aligned,
                f,
            );
        }
    }
    for b in blocks {
        let child_path = path.clone().join_attr(b.name.clone());
        let slot = fields.entry(b.name.clone()).or_insert(Value::Null);
        let (p, c) = (field(prior, &b.name), field(config, &b.name));
        let node = Node::Block(b);
        f(
            &node,
            Visit {
                prior: p,
                config: c,
                planned: slot,
                path: &child_path,
                aligned,
            },
        );
        descend(
            &b.block.attributes,
            &b.block.blocks,
            b.nesting,
            p,
            c,
            slot,
            &child_path,
            aligned,
            f,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn descend(
    attrs: &[Attribute],
    blocks: &[NestedBlock],
    nesting: NestingMode,
    prior: &Value,
    config: &Value,
    planned: &mut Value,
    path: &AttributePath,
    aligned: bool,
    f: &mut Visitor<'_>,
) {
    match (nesting, planned) {
        (NestingMode::Single | NestingMode::Group, planned @ Value::Object(_)) => {
            visit(attrs, blocks, prior, config, planned, path, aligned, f);
        }
        (NestingMode::List, Value::List(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                let p = element(prior, i);
                let item_aligned = aligned && !p.is_null();
                let item_path = path.clone().join_index(i as i64);
                visit(
                    attrs,
                    blocks,
                    p,
                    element(config, i),
                    item,
                    &item_path,
                    item_aligned,
                    f,
                );
            }
        }
        (NestingMode::Set, Value::Set(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                let item_path = path.clone().join_index(i as i64);
                visit(
                    attrs,
                    blocks,
                    &NULL,
                    element(config, i),
                    item,
                    &item_path,
                    false,
                    f,
                );
            }
        }
        (NestingMode::Map, Value::Map(items)) => {
            for (k, item) in items.iter_mut() {
                let p = key(prior, k);
                let item_aligned = aligned && !p.is_null();
                let item_path = path.clone().join_key(k.clone());
                visit(
                    attrs,
                    blocks,
                    p,
                    key(config, k),
                    item,
                    &item_path,
                    item_aligned,
                    f,
                );
            }
        }
        _ => {}
    }
}

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.attr(name).unwrap_or(&NULL)
}

fn element(v: &Value, i: usize) -> &Value {
    v.as_elements().and_then(|e| e.get(i)).unwrap_or(&NULL)
}

fn key<'a>(v: &'a Value, k: &str) -> &'a Value {
    match v {
        Value::Map(m) => m.get(k).unwrap_or(&NULL),
        _ => &NULL,
    }
}
