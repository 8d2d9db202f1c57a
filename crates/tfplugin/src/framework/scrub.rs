//! Sensitive values kept out of diagnostics.
//!
//! Terraform hides sensitive attributes in plans and state output, but it
//! prints a diagnostic's summary and detail as they are. A provider's
//! message may quote what it was given (a cloud's error that echoes the
//! request, a decoding error naming a value), so before diagnostics leave
//! an RPC every string held by a sensitive attribute of that RPC's values
//! is replaced in them.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::{AttributeType, Block, NestingMode};
use crate::value::Value;

/// What a sensitive value is replaced with.
pub const HIDDEN: &str = "(sensitive value)";

/// Every non-empty string held by a sensitive attribute of `value`, a
/// value of `block`, at any depth.
pub fn sensitive_strings(block: &Block, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_block(block, value, &mut out);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

fn walk_block(block: &Block, value: &Value, out: &mut Vec<String>) {
    for a in &block.attributes {
        let Some(v) = value.attr(&a.name) else {
            continue;
        };
        if a.sensitive {
            strings(v, out);
        } else if let AttributeType::Nested {
            nesting,
            attributes,
        } = &a.ty
        {
            let nested = Block {
                attributes: attributes.clone(),
                ..Block::default()
            };
            each(*nesting, v, &mut |item| walk_block(&nested, item, out));
        }
    }
    for nb in &block.blocks {
        if let Some(v) = value.attr(&nb.name) {
            each(nb.nesting, v, &mut |item| walk_block(&nb.block, item, out));
        }
    }
}

fn each(nesting: NestingMode, value: &Value, f: &mut dyn FnMut(&Value)) {
    match (nesting, value) {
        (NestingMode::Single | NestingMode::Group, v) => f(v),
        (_, Value::List(items) | Value::Set(items)) => items.iter().for_each(f),
        (_, Value::Map(items)) => items.values().for_each(f),
        _ => {}
    }
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if !s.is_empty() => out.push(s.clone()),
        Value::List(items) | Value::Set(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Map(items) | Value::Object(items) => items.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// `diags` with every occurrence of a secret in summary and detail replaced.
/// `secrets` come longest first (as [`sensitive_strings`] returns them), so
/// a secret holding another is replaced whole.
pub fn scrub(diags: Diagnostics, secrets: &[String]) -> Diagnostics {
    if secrets.is_empty() {
        return diags;
    }
    let hide = |text: String| {
        secrets.iter().filter(|s| !s.is_empty()).fold(text, |t, s| {
            if t.contains(s.as_str()) {
                t.replace(s.as_str(), HIDDEN)
            } else {
                t
            }
        })
    };
    diags
        .into_iter()
        .map(|d| Diagnostic {
            summary: hide(d.summary),
            detail: hide(d.detail),
            ..d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::schema::{Attribute, NestedBlock};

    fn block() -> Block {
        Block::new()
            .attribute(Attribute::string("name").optional())
            .attribute(Attribute::string("user_data").optional().sensitive())
            .attribute(
                Attribute::map("secrets", crate::value::Type::String)
                    .optional()
                    .sensitive(),
            )
            .block(NestedBlock::list(
                "login",
                Block::new()
                    .attribute(Attribute::string("user").optional())
                    .attribute(Attribute::string("password").optional().sensitive()),
            ))
    }

    fn value() -> Value {
        Value::object([
            ("name", Value::from("web")),
            ("user_data", Value::from("#!/bin/sh")),
            (
                "secrets",
                Value::Map([("k".to_owned(), Value::from("s3cr3t"))].into()),
            ),
            (
                "login",
                Value::List(vec![Value::object([
                    ("user", Value::from("admin")),
                    ("password", Value::from("pw-1")),
                ])]),
            ),
        ])
    }

    #[test]
    fn finds_sensitive_strings_at_every_depth_and_nothing_else() {
        let found = sensitive_strings(&block(), &value());
        assert_eq!(found, ["#!/bin/sh", "s3cr3t", "pw-1"]);
        assert!(sensitive_strings(&block(), &Value::Null).is_empty());
    }

    #[test]
    fn scrub_replaces_them_in_summary_and_detail() {
        let secrets = sensitive_strings(&block(), &value());
        let mut d = Diagnostics::new();
        d.error(
            "Cannot create web with pw-1",
            "Nova said: '#!/bin/sh' is bad",
        );
        d.warning("fine", "web is fine");
        let out: Vec<Diagnostic> = scrub(d, &secrets).into_iter().collect();
        assert_eq!(out[0].summary, format!("Cannot create web with {HIDDEN}"));
        assert_eq!(out[0].detail, format!("Nova said: '{HIDDEN}' is bad"));
        assert_eq!(out[1].detail, "web is fine");
    }
}
