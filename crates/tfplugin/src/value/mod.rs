//! Terraform values (cty): types, values, and their msgpack/JSON wire codecs,
//! plus a serde bridge to typed structs.
//!
//! A [`Value`] carries no type of its own; codecs take the schema [`Type`]
//! alongside. Every position in a value may be [`Value::Null`] or
//! [`Value::Unknown`], including whole nested blocks.

mod attr;
mod conform;
mod de;
mod json;
mod msgpack;
mod number;
mod ser;
mod ty;

use std::collections::BTreeMap;
use std::fmt;

pub use attr::Attr;
pub use json::{JsonOptions, decode_json, decode_json_with, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::{Number, ParseNumberError};
pub use ty::{Type, TypeJsonError};

use crate::diagnostics::{AttributePath, PathStep};

/// A Terraform value.
///
/// Equality compares sets without regard to element order (cty sets are
/// unordered), everything else structurally; hashing agrees with it.
#[derive(Debug, Clone, Default)]
pub enum Value {
    #[default]
    Null,
    /// Not known until apply. Refinements sent by the client are dropped.
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => set_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Value {}

fn hash_of(v: &Value) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(v)
}

/// Multiset equality in O(n log n): group by hash, then compare within a
/// group (collisions are rare, so groups are tiny).
fn set_eq(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a == b {
        return true;
    }
    let mut ha: Vec<(u64, &Value)> = a.iter().map(|v| (hash_of(v), v)).collect();
    let mut hb: Vec<(u64, &Value)> = b.iter().map(|v| (hash_of(v), v)).collect();
    ha.sort_by_key(|(h, _)| *h);
    hb.sort_by_key(|(h, _)| *h);
    let mut used = vec![false; hb.len()];
    let mut start = 0;
    for (h, v) in &ha {
        while start < hb.len() && hb[start].0 < *h {
            start += 1;
        }
        let mut found = false;
        let mut j = start;
        while j < hb.len() && hb[j].0 == *h {
            if !used[j] && hb[j].1 == *v {
                used[j] = true;
                found = true;
                break;
            }
            j += 1;
        }
        if !found {
            return false;
        }
    }
    true
}

impl std::hash::Hash for Value {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null | Value::Unknown => {}
            Value::Bool(b) => b.hash(state),
            Value::Number(n) => n.hash(state),
            Value::String(s) => s.hash(state),
            Value::List(v) | Value::Tuple(v) => v.hash(state),
            Value::Map(m) | Value::Object(m) => m.hash(state),
            // Order-independent, like equality.
            Value::Set(v) => {
                v.len().hash(state);
                v.iter()
                    .map(hash_of)
                    .fold(0u64, u64::wrapping_add)
                    .hash(state);
            }
        }
    }
}

/// A value did not match the type it was decoded, encoded or converted with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub path: AttributePath,
    pub message: String,
}

impl ValueError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            path: AttributePath::root(),
            message: message.into(),
        }
    }

    /// Prefixes the error's path with `step` (errors are built bottom-up).
    pub(crate) fn within(mut self, step: PathStep) -> Self {
        let mut steps = vec![step];
        steps.extend(self.path.steps().iter().cloned());
        self.path = steps
            .into_iter()
            .fold(AttributePath::root(), AttributePath::join);
        self
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ValueError {}

impl From<ValueError> for crate::diagnostics::Diagnostic {
    fn from(e: ValueError) -> Self {
        let diag = crate::diagnostics::Diagnostic::error("Invalid value", e.message);
        if e.path.is_root() {
            diag
        } else {
            diag.with_path(e.path)
        }
    }
}

impl From<ValueError> for crate::diagnostics::Diagnostics {
    fn from(e: ValueError) -> Self {
        crate::diagnostics::Diagnostic::from(e).into()
    }
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Neither null nor unknown at the top level (children may still be unknown).
    pub fn is_known(&self) -> bool {
        !self.is_null() && !self.is_unknown()
    }

    /// True when no unknown appears anywhere in the value.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// An object value from attribute name/value pairs.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// Entries of a map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// An object attribute; `None` when `self` is not an object or lacks it.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(name),
            _ => None,
        }
    }

    /// Follows `path`; `None` when a step does not exist (or passes through null/unknown).
    pub fn get_path(&self, path: &AttributePath) -> Option<&Value> {
        let mut cur = self;
        for step in path.steps() {
            cur = match (step, cur) {
                (PathStep::Attribute(n), Value::Object(m)) => m.get(n)?,
                (PathStep::Key(k), Value::Map(m) | Value::Object(m)) => m.get(k)?,
                (PathStep::Index(i), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                    v.get(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Mutable access along `path`, as [`Value::get_path`].
    pub fn get_path_mut(&mut self, path: &AttributePath) -> Option<&mut Value> {
        let mut cur = self;
        for step in path.steps() {
            cur = match (step, cur) {
                (PathStep::Attribute(n), Value::Object(m)) => m.get_mut(n)?,
                (PathStep::Key(k), Value::Map(m) | Value::Object(m)) => m.get_mut(k)?,
                (PathStep::Index(i), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                    v.get_mut(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Converts a loosely shaped value (for example one built by the serde
    /// bridge) to `ty`: fills missing object attributes with null, turns
    /// lists into sets or tuples, numbers into strings and back where cty
    /// would. Fails on shapes that cannot be converted.
    pub fn conform(self, ty: &Type) -> Result<Value, ValueError> {
        conform::conform(self, ty)
    }

    /// A type that fits this value, for encoding under the dynamic pseudo-type.
    pub fn infer_type(&self) -> Type {
        conform::infer_type(self)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}

impl From<Number> for Value {
    fn from(v: Number) -> Self {
        Value::Number(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Number(v.into())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Builds a typed struct from a value (see [`Attr`] for null/unknown-aware fields).
pub fn from_value<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, ValueError> {
    T::deserialize(de::ValueDeserializer::new(value))
}

/// Builds a value of type `ty` from a typed struct.
pub fn to_value<T: serde::Serialize + ?Sized>(data: &T, ty: &Type) -> Result<Value, ValueError> {
    to_untyped_value(data)?.conform(ty)
}

/// Builds a value from a typed struct without a schema type: sequences become
/// lists and structs become objects. Prefer [`to_value`].
pub fn to_untyped_value<T: serde::Serialize + ?Sized>(data: &T) -> Result<Value, ValueError> {
    data.serialize(ser::ValueSerializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_compare_without_order() {
        let a = Value::Set(vec![Value::from("x"), Value::from("y"), Value::from("x")]);
        let b = Value::Set(vec![Value::from("y"), Value::from("x"), Value::from("x")]);
        let c = Value::Set(vec![Value::from("y"), Value::from("y"), Value::from("x")]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(
            a,
            Value::List(vec![Value::from("x"), Value::from("y"), Value::from("x")])
        );
        assert_eq!(hash_of(&a), hash_of(&b));
        let nested = |v: Value| Value::object([("s", v)]);
        assert_eq!(nested(a.clone()), nested(b));
        assert_ne!(nested(a), nested(c));
    }
}
