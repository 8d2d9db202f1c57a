//! `Attr<T>`: a struct field that may be null, unknown or known.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

/// Name the value serializer recognises to produce [`super::Value::Unknown`].
pub(crate) const UNKNOWN_TOKEN: &str = "$tfplugin::Unknown";

/// A field of a typed model that mirrors a Terraform attribute: null (not set),
/// unknown (known after apply) or a known value.
///
/// Use it for every field whose value may be unknown at plan time or null:
/// `Attr<String>`, `Attr<i64>`, `Attr<Vec<Attr<String>>>`, `Attr<Block>`.
/// A missing field deserializes as `Null`. A partly unknown value that `T`
/// cannot hold (a list with an unknown element in `Attr<Vec<String>>`)
/// deserializes as `Unknown`; use `Attr<Vec<Attr<String>>>` to see the
/// known elements.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Attr<T> {
    #[default]
    Null,
    Unknown,
    Known(T),
}

impl<T> Attr<T> {
    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown)
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Attr::Known(_))
    }

    /// The known value, if any.
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    /// The known value, if any, by value.
    pub fn into_known(self) -> Option<T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_ref(&self) -> Attr<&T> {
        match self {
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
            Attr::Known(v) => Attr::Known(v),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        match self {
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
            Attr::Known(v) => Attr::Known(f(v)),
        }
    }

    /// Replaces an unknown with `other` (typically the value the cloud
    /// returned after apply); null and known values stay.
    pub fn or_if_unknown(self, other: Attr<T>) -> Attr<T> {
        match self {
            Attr::Unknown => other,
            v => v,
        }
    }
}

impl<T> Attr<Vec<T>> {
    /// The elements of a known list or set; none when it is null or unknown.
    pub fn items(&self) -> std::slice::Iter<'_, T> {
        self.known().map_or([].iter(), |items| items.iter())
    }

    /// `f` of every element of a known list or set, in order; empty when it is null or unknown.
    pub fn map_items<U>(&self, f: impl FnMut(&T) -> U) -> Vec<U> {
        self.items().map(f).collect()
    }
}

impl<T> From<Option<T>> for Attr<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Attr::Null, Attr::Known)
    }
}

impl<T> From<T> for Attr<T> {
    fn from(v: T) -> Self {
        Attr::Known(v)
    }
}

/// A known string from a string slice: `Attr::from("web")`.
impl From<&str> for Attr<String> {
    fn from(v: &str) -> Self {
        Attr::Known(v.to_owned())
    }
}

impl<T: Serialize> Serialize for Attr<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Attr::Null => serializer.serialize_none(),
            Attr::Unknown => serializer.serialize_unit_variant(UNKNOWN_TOKEN, 0, UNKNOWN_TOKEN),
            Attr::Known(v) => serializer.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Attr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The value deserializer answers deserialize_option with an enum
        // marker for an unknown; other formats only ever produce none/some.
        deserializer.deserialize_option(AttrVisitor(PhantomData))
    }
}

struct AttrVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for AttrVisitor<T> {
    type Value = Attr<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a null, unknown or known value")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Attr::Null)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Attr::Null)
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let (variant, _) = data.variant::<String>()?;
        if variant == UNKNOWN_TOKEN {
            Ok(Attr::Unknown)
        } else {
            Err(serde::de::Error::custom(
                "expected a null, unknown or known value",
            ))
        }
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match T::deserialize(d) {
            Ok(v) => Ok(Attr::Known(v)),
            // A value that is only partly known (a list with an unknown
            // element, say) where `T` has no place for the unknown part: the
            // whole attribute is not known yet.
            Err(e) if e.to_string().contains(super::de::UNKNOWN_MESSAGE) => Ok(Attr::Unknown),
            Err(e) => Err(e),
        }
    }
}
