//! Checking a value against a ClusterClass variable's OpenAPI v3 schema: the parts of the schema
//! that decide whether the API server takes a value (types, enums, required properties, bounds).
//! What this does not check, the API server still does when the Cluster is applied.

use serde_json::Value;

/// One problem with a value: where inside the value (`[]` for the value itself, then object keys
/// and list indexes) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Vec<PathStep>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

impl Problem {
    /// The path as `.a[0].b`, empty for the value itself.
    pub fn path_text(&self) -> String {
        self.path
            .iter()
            .map(|s| match s {
                PathStep::Key(k) => format!(".{k}"),
                PathStep::Index(i) => format!("[{i}]"),
            })
            .collect()
    }
}

/// Every problem of `value` against `schema`.
pub fn check(schema: &Value, value: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    walk(schema, value, &mut Vec::new(), &mut problems);
    problems
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(expected: &str, v: &Value) -> bool {
    match expected {
        "integer" => match v {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        "number" => v.is_number(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn walk(schema: &Value, value: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Problem>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    let mut problem = |path: &Vec<PathStep>, message: String| {
        out.push(Problem {
            path: path.clone(),
            message,
        })
    };
    if value.is_null() {
        if schema.get("nullable").and_then(Value::as_bool) != Some(true) {
            problem(path, "null is not allowed".to_owned());
        }
        return;
    }
    if let Some(expected) = schema.get("type").and_then(Value::as_str)
        && !type_matches(expected, value)
    {
        problem(
            path,
            format!("must be of type {expected}, got {}", type_name(value)),
        );
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
        problem(
            path,
            format!("must be one of {}, got {value}", list.join(", ")),
        );
    }
    match value {
        Value::String(s) => {
            let len = s.chars().count() as u64;
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
                && len < min
            {
                problem(path, format!("must be at least {min} characters long"));
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
                && len > max
            {
                problem(path, format!("must be at most {max} characters long"));
            }
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
                && x < min
            {
                problem(path, format!("must be at least {min}"));
            }
            if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
                && x > max
            {
                problem(path, format!("must be at most {max}"));
            }
        }
        Value::Array(items) => {
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                && (items.len() as u64) < min
            {
                problem(path, format!("must have at least {min} items"));
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                && (items.len() as u64) > max
            {
                problem(path, format!("must have at most {max} items"));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    path.push(PathStep::Index(i));
                    walk(item_schema, item, path, out);
                    path.pop();
                }
            }
        }
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for key in required.iter().filter_map(Value::as_str) {
                    if !map.contains_key(key) {
                        problem(path, format!("the property {key:?} is required"));
                    }
                }
            }
            let preserve = schema
                .get("x-kubernetes-preserve-unknown-fields")
                .and_then(Value::as_bool)
                == Some(true);
            let additional = schema.get("additionalProperties");
            for (key, item) in map {
                path.push(PathStep::Key(key.clone()));
                match (properties.and_then(|p| p.get(key)), additional) {
                    (Some(prop), _) => walk(prop, item, path, out),
                    (None, Some(Value::Object(extra))) => {
                        walk(&Value::Object(extra.clone()), item, path, out)
                    }
                    (None, Some(Value::Bool(true))) => {}
                    (None, _) if preserve || properties.is_none() => {}
                    (None, _) => {
                        let known: Vec<&String> =
                            properties.map(|p| p.keys().collect()).unwrap_or_default();
                        out.push(Problem {
                            path: path.clone(),
                            message: format!(
                                "is not a property of this object; known: {}",
                                known
                                    .iter()
                                    .map(|k| k.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        });
                    }
                }
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn scalars_are_checked_by_type_enum_and_bounds() {
        let s = json!({"type": "integer", "minimum": 1, "maximum": 10});
        assert!(check(&s, &json!(5)).is_empty());
        assert!(check(&s, &json!(5.0)).is_empty());
        assert_eq!(
            check(&s, &json!("5"))[0].message,
            "must be of type integer, got string"
        );
        assert_eq!(check(&s, &json!(11))[0].message, "must be at most 10");
        let e = json!({"type": "string", "enum": ["none", "octavia-ovn"]});
        assert!(check(&e, &json!("none")).is_empty());
        assert!(
            check(&e, &json!("x"))[0]
                .message
                .contains("\"octavia-ovn\"")
        );
        assert!(!check(&json!({"type": "boolean"}), &Value::Null).is_empty());
    }

    #[test]
    fn objects_and_arrays_name_the_path_of_the_problem() {
        let s = json!({"type": "object", "required": ["issuer_url"], "properties": {
            "issuer_url": {"type": "string"},
            "devices": {"type": "array", "items": {"type": "object", "properties": {
                "sizeGiB": {"type": "integer"}}}}}});
        let problems = check(
            &s,
            &json!({"devices": [{"sizeGiB": 1}, {"sizeGiB": "big"}], "extra": 1}),
        );
        let texts: Vec<(String, String)> = problems
            .iter()
            .map(|p| (p.path_text(), p.message.clone()))
            .collect();
        assert!(
            texts.contains(&("".into(), "the property \"issuer_url\" is required".into())),
            "{texts:?}"
        );
        assert!(
            texts.contains(&(
                ".devices[1].sizeGiB".into(),
                "must be of type integer, got string".into()
            )),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|(p, m)| p == ".extra" && m.contains("issuer_url")),
            "{texts:?}"
        );
        let open = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {}});
        assert!(check(&open, &json!({"anything": 1})).is_empty());
    }
}
