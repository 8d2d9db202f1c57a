//! serde Deserializer over a borrowed [`Value`].

use std::collections::btree_map;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, Visitor};

use super::attr::UNKNOWN_TOKEN;
use super::number::Number;
use super::ser::NUMBER_TOKEN;

/// Name under which `Value` asks to be deserialized, so that the value
/// deserializer can hand over unknowns that plain data cannot express.
const VALUE_TOKEN: &str = "$tfplugin::Value";
use super::{Value, ValueError, conform::kind_name};
use crate::diagnostics::PathStep;

impl de::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ValueError::new(msg.to_string())
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        // The only enum this deserializer offers to non-enum visitors is the
        // unknown marker.
        if unexp == de::Unexpected::Enum {
            return unknown_error();
        }
        // Null reaches visitors as unit.
        if unexp == de::Unexpected::Unit {
            return ValueError::new(format!(
                "value is null here, expected {exp}; use Attr<T> or Option<T> for fields that may be null"
            ));
        }
        ValueError::new(format!("invalid type: {unexp}, expected {exp}"))
    }
}

pub(crate) struct ValueDeserializer<'a> {
    value: &'a Value,
}

impl<'a> ValueDeserializer<'a> {
    pub(crate) fn new(value: &'a Value) -> Self {
        Self { value }
    }
}

type Result<T> = std::result::Result<T, ValueError>;

/// Also how [`super::Attr`] recognises an unknown below a plain field.
pub(crate) const UNKNOWN_MESSAGE: &str =
    "value is unknown here; use Attr<T> for fields that may be unknown";

fn unknown_error() -> ValueError {
    ValueError::new(UNKNOWN_MESSAGE)
}

impl<'de> Deserializer<'de> for ValueDeserializer<'de> {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Unknown => Err(unknown_error()),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => visitor.visit_seq(SeqAccess {
                iter: v.iter().enumerate(),
            }),
            Value::Map(m) | Value::Object(m) => visitor.visit_map(MapAccess {
                iter: m.iter(),
                pending: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Null => visitor.visit_none(),
            // Attr<T> takes the enum as Unknown; Option<T> rejects it (it
            // would take unit as None, silently losing the unknown).
            Value::Unknown => visitor.visit_enum(UNKNOWN_TOKEN.into_deserializer()),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == NUMBER_TOKEN
            && let Value::Number(n) = self.value
        {
            return visitor.visit_string(n.to_string());
        }
        if name == VALUE_TOKEN && self.value.is_unknown() {
            return visitor.visit_enum(UNKNOWN_TOKEN.into_deserializer());
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.value {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Unknown => Err(unknown_error()),
            other => Err(ValueError::new(format!(
                "expected a string naming a variant, got {}",
                kind_name(other)
            ))),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit_struct seq tuple tuple_struct map struct identifier
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value> {
    if let Some(i) = n.to_i64() {
        visitor.visit_i64(i)
    } else if let Some(u) = n.to_u64() {
        visitor.visit_u64(u)
    } else {
        visitor.visit_f64(n.to_f64())
    }
}

struct SeqAccess<'a> {
    iter: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = ValueError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match self.iter.next() {
            Some((i, v)) => seed
                .deserialize(ValueDeserializer::new(v))
                .map(Some)
                .map_err(|e| e.within(PathStep::Index(i as i64))),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct MapAccess<'a> {
    iter: btree_map::Iter<'a, String, Value>,
    pending: Option<(&'a String, &'a Value)>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = ValueError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.iter.next() {
            Some(entry) => {
                self.pending = Some(entry);
                seed.deserialize(de::value::BorrowedStrDeserializer::new(entry.0))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let (k, v) = self
            .pending
            .take()
            .ok_or_else(|| ValueError::new("map value requested before its key"))?;
        seed.deserialize(ValueDeserializer::new(v))
            .map_err(|e| e.within(PathStep::Attribute(k.clone())))
    }
}

impl<'de> de::Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(NUMBER_TOKEN, NumberVisitor)
    }
}

struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Number, E> {
        Ok(v.into())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Number, E> {
        Ok(v.into())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Number, E> {
        Number::from_f64(v).ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Number, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Number, D::Error> {
        d.deserialize_any(self)
    }
}

/// Deserializes plain data into a value (null, bool, number, string, list,
/// map). Unknowns and sets cannot be expressed by other formats.
impl<'de> de::Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(VALUE_TOKEN, PlainValueVisitor)
    }
}

struct PlainValueVisitor;

impl<'de> Visitor<'de> for PlainValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> std::result::Result<Value, A::Error> {
        let (variant, _) = data.variant::<String>()?;
        if variant == UNKNOWN_TOKEN {
            Ok(Value::Unknown)
        } else {
            Ok(Value::String(variant))
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::List(out))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = std::collections::BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            out.insert(k, v);
        }
        Ok(Value::Map(out))
    }
}
