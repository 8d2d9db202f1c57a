//! Converting loosely shaped values to a schema type, and inferring a type
//! for values stored under the dynamic pseudo-type.

use std::collections::BTreeMap;

use super::{Number, Type, Value, ValueError};
use crate::diagnostics::PathStep;

pub(super) fn conform(value: Value, ty: &Type) -> Result<Value, ValueError> {
    if matches!(value, Value::Null | Value::Unknown) || *ty == Type::Dynamic {
        return Ok(value);
    }
    match (ty, value) {
        (Type::Bool, Value::Bool(b)) => Ok(Value::Bool(b)),
        (Type::Bool, Value::String(s)) if s == "true" || s == "false" => {
            Ok(Value::Bool(s == "true"))
        }
        (Type::Number, Value::Number(n)) => Ok(Value::Number(n)),
        (Type::Number, Value::String(s)) => s
            .parse::<Number>()
            .map(Value::Number)
            .map_err(|e| ValueError::new(e.to_string())),
        (Type::String, Value::String(s)) => Ok(Value::String(s)),
        (Type::String, Value::Number(n)) => Ok(Value::String(n.to_string())),
        (Type::String, Value::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::List(elem), Value::List(v) | Value::Set(v) | Value::Tuple(v)) => {
            Ok(Value::List(conform_elements(v, elem)?))
        }
        (Type::Set(elem), Value::List(v) | Value::Set(v) | Value::Tuple(v)) => {
            let items = conform_elements(v, elem)?;
            let mut seen = std::collections::HashSet::with_capacity(items.len());
            let mut out: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                // Values with unknowns are never duplicates of each other:
                // each may still become a different value.
                if !item.is_wholly_known() || seen.insert(item.clone()) {
                    out.push(item);
                }
            }
            Ok(Value::Set(out))
        }
        (Type::Tuple(elems), Value::List(v) | Value::Tuple(v)) => {
            if v.len() != elems.len() {
                return Err(ValueError::new(format!(
                    "tuple needs {} elements, got {}",
                    elems.len(),
                    v.len()
                )));
            }
            let out = v
                .into_iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (item, t))| {
                    conform(item, t).map_err(|e| e.within(PathStep::Index(i as i64)))
                })
                .collect::<Result<_, _>>()?;
            Ok(Value::Tuple(out))
        }
        (Type::Map(elem), Value::Map(m) | Value::Object(m)) => {
            let out = m
                .into_iter()
                .map(|(k, v)| match conform(v, elem) {
                    Ok(v) => Ok((k, v)),
                    Err(e) => Err(e.within(PathStep::Key(k))),
                })
                .collect::<Result<_, _>>()?;
            Ok(Value::Map(out))
        }
        (Type::Object { attributes, .. }, Value::Map(mut m) | Value::Object(mut m)) => {
            let mut out = BTreeMap::new();
            for (name, attr_ty) in attributes {
                let v = m.remove(name).unwrap_or(Value::Null);
                let v =
                    conform(v, attr_ty).map_err(|e| e.within(PathStep::Attribute(name.clone())))?;
                out.insert(name.clone(), v);
            }
            if let Some(extra) = m.keys().next() {
                return Err(ValueError::new(format!("unsupported attribute {extra:?}")));
            }
            Ok(Value::Object(out))
        }
        (ty, value) => Err(ValueError::new(format!(
            "{} value where {ty} is expected",
            kind_name(&value)
        ))),
    }
}

fn conform_elements(items: Vec<Value>, elem: &Type) -> Result<Vec<Value>, ValueError> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| conform(item, elem).map_err(|e| e.within(PathStep::Index(i as i64))))
        .collect()
}

pub(super) fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Tuple(_) => "tuple",
    }
}

pub(super) fn infer_type(value: &Value) -> Type {
    match value {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(v) => Type::list(common_type(v.iter())),
        Value::Set(v) => Type::set(common_type(v.iter())),
        Value::Map(m) => Type::map(common_type(m.values())),
        Value::Object(m) => Type::object(m.iter().map(|(k, v)| (k.clone(), infer_type(v)))),
        Value::Tuple(v) => Type::tuple(v.iter().map(infer_type)),
    }
}

/// The element type shared by all items, or dynamic when they differ.
fn common_type<'a>(items: impl Iterator<Item = &'a Value>) -> Type {
    let mut found: Option<Type> = None;
    for item in items {
        if !item.is_known() {
            continue;
        }
        let t = infer_type(item);
        match &found {
            None => found = Some(t),
            Some(prev) if *prev == t => {}
            Some(_) => return Type::Dynamic,
        }
    }
    found.unwrap_or(Type::Dynamic)
}
