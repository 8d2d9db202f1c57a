//! cty types and their JSON syntax (`"string"`, `["list","number"]`,
//! `["object",{"a":"bool"},["a"]]`), used in schemas and in dynamic values.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value as Json;

/// A cty type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Number,
    String,
    /// The dynamic pseudo-type: any type, chosen by the value.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object {
        attributes: BTreeMap<String, Type>,
        /// Attributes that may be omitted in configuration (cty optional attributes).
        optional: BTreeSet<String>,
    },
    Tuple(Vec<Type>),
}

/// A type's JSON text was not valid cty type syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeJsonError(pub String);

impl fmt::Display for TypeJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid type JSON: {}", self.0)
    }
}

impl std::error::Error for TypeJsonError {}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// An object type without optional attributes.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object {
            attributes: attributes.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }

    pub fn tuple(elements: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elements.into_iter().collect())
    }

    /// The element type of a list, set or map.
    pub fn element(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// The attribute types of an object type.
    pub fn attributes(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Type::Object { attributes, .. } => Some(attributes),
            _ => None,
        }
    }

    /// The JSON form as a `serde_json` tree.
    pub fn to_json_value(&self) -> Json {
        match self {
            Type::Bool => Json::from("bool"),
            Type::Number => Json::from("number"),
            Type::String => Json::from("string"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(t) => Json::Array(vec![Json::from("list"), t.to_json_value()]),
            Type::Set(t) => Json::Array(vec![Json::from("set"), t.to_json_value()]),
            Type::Map(t) => Json::Array(vec![Json::from("map"), t.to_json_value()]),
            Type::Object {
                attributes,
                optional,
            } => {
                let attrs: serde_json::Map<String, Json> = attributes
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json_value()))
                    .collect();
                let mut parts = vec![Json::from("object"), Json::Object(attrs)];
                if !optional.is_empty() {
                    parts.push(Json::Array(
                        optional.iter().map(|o| Json::from(o.as_str())).collect(),
                    ));
                }
                Json::Array(parts)
            }
            Type::Tuple(elems) => Json::Array(vec![
                Json::from("tuple"),
                Json::Array(elems.iter().map(Type::to_json_value).collect()),
            ]),
        }
    }

    /// The JSON text, as sent in `Schema.Attribute.type` and dynamic values.
    pub fn to_json(&self) -> Vec<u8> {
        self.to_json_value().to_string().into_bytes()
    }

    /// Parses the JSON text form.
    pub fn from_json(bytes: &[u8]) -> Result<Type, TypeJsonError> {
        let json: Json = serde_json::from_slice(bytes).map_err(|e| TypeJsonError(e.to_string()))?;
        Type::from_json_value(&json)
    }

    /// Parses the JSON form from a `serde_json` tree.
    pub fn from_json_value(json: &Json) -> Result<Type, TypeJsonError> {
        let bad = |what: &str| TypeJsonError(format!("{what} in {json}"));
        match json {
            Json::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad("unknown primitive type")),
            },
            Json::Array(parts) => {
                let kind = parts
                    .first()
                    .and_then(Json::as_str)
                    .ok_or_else(|| bad("missing type kind"))?;
                let arg = parts.get(1).ok_or_else(|| bad("missing type argument"))?;
                match kind {
                    "list" | "set" | "map" if parts.len() == 2 => {
                        let elem = Box::new(Type::from_json_value(arg)?);
                        Ok(match kind {
                            "list" => Type::List(elem),
                            "set" => Type::Set(elem),
                            _ => Type::Map(elem),
                        })
                    }
                    "object" if parts.len() <= 3 => {
                        let attrs = arg.as_object().ok_or_else(|| bad("object needs a map"))?;
                        let mut attributes = BTreeMap::new();
                        for (k, v) in attrs {
                            attributes.insert(k.clone(), Type::from_json_value(v)?);
                        }
                        let mut optional = BTreeSet::new();
                        if let Some(opt) = parts.get(2) {
                            let names =
                                opt.as_array().ok_or_else(|| bad("optional needs a list"))?;
                            for name in names {
                                let name = name.as_str().ok_or_else(|| bad("bad optional"))?;
                                if !attributes.contains_key(name) {
                                    return Err(bad("optional names a missing attribute"));
                                }
                                optional.insert(name.to_string());
                            }
                        }
                        Ok(Type::Object {
                            attributes,
                            optional,
                        })
                    }
                    "tuple" if parts.len() == 2 => {
                        let elems = arg.as_array().ok_or_else(|| bad("tuple needs a list"))?;
                        Ok(Type::Tuple(
                            elems
                                .iter()
                                .map(Type::from_json_value)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    _ => Err(bad("unknown type kind")),
                }
            }
            _ => Err(bad("unexpected JSON")),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json_value())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_round_trip() {
        let ty = Type::Object {
            attributes: [
                ("a".to_string(), Type::list(Type::String)),
                ("b".to_string(), Type::tuple([Type::Bool, Type::Dynamic])),
                ("c".to_string(), Type::map(Type::set(Type::Number))),
            ]
            .into(),
            optional: ["c".to_string()].into(),
        };
        let text = String::from_utf8(ty.to_json()).unwrap();
        assert_eq!(
            text,
            r#"["object",{"a":["list","string"],"b":["tuple",["bool","dynamic"]],"c":["map",["set","number"]]},["c"]]"#
        );
        assert_eq!(Type::from_json(text.as_bytes()).unwrap(), ty);
    }

    #[test]
    fn rejects_bad_json() {
        for bad in [
            r#""float""#,
            r#"["list"]"#,
            r#"["object",{},["x"]]"#,
            "3",
            "[1]",
        ] {
            assert!(Type::from_json(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
