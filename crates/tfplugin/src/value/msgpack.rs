//! The msgpack form of DynamicValue (opentofu docs/plugin-protocol/object-wire-format.md).
//!
//! Written by hand rather than through a serde codec because the wire format is
//! type-directed (a number may be an int, a float or a string; any extension
//! value is an unknown; dynamic values carry their type) and because we must
//! never panic on hostile input.

use std::collections::BTreeMap;

use super::{Number, Type, Value, ValueError, conform::kind_name};
use crate::diagnostics::PathStep;

/// The bytes of an unrefined unknown: fixext1, extension code 0, one zero byte.
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

/// Dynamic values nest types inside values; bound recursion so hostile input
/// cannot exhaust the stack.
const MAX_DEPTH: usize = 256;

/// Decodes a msgpack DynamicValue of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut reader = Reader { buf: bytes, pos: 0 };
    let value = reader.value(ty, 0)?;
    if reader.pos != bytes.len() {
        return Err(ValueError::new(format!(
            "{} trailing bytes after msgpack value",
            bytes.len() - reader.pos
        )));
    }
    Ok(value)
}

/// Encodes `value` as msgpack under type `ty`. Objects are written with every
/// attribute of the type, in the type's (sorted) attribute order.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    write_value(&mut out, value, ty)?;
    Ok(out)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

enum Marker {
    Nil,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(usize),
    Bin(usize),
    Array(usize),
    Map(usize),
    Ext(usize),
}

impl<'a> Reader<'a> {
    fn err(&self, msg: impl Into<String>) -> ValueError {
        ValueError::new(format!("msgpack at byte {}: {}", self.pos, msg.into()))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ValueError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.buf.len())
            .ok_or_else(|| self.err("unexpected end of input"))?;
        let slice = &self.buf[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, ValueError> {
        Ok(self.take(1)?[0])
    }

    fn be<const N: usize>(&mut self) -> Result<[u8; N], ValueError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn len16(&mut self) -> Result<usize, ValueError> {
        Ok(u16::from_be_bytes(self.be()?) as usize)
    }

    fn len32(&mut self) -> Result<usize, ValueError> {
        Ok(u32::from_be_bytes(self.be()?) as usize)
    }

    fn marker(&mut self) -> Result<Marker, ValueError> {
        let b = self.byte()?;
        Ok(match b {
            0x00..=0x7f => Marker::Int(b as i128),
            0x80..=0x8f => Marker::Map((b & 0x0f) as usize),
            0x90..=0x9f => Marker::Array((b & 0x0f) as usize),
            0xa0..=0xbf => Marker::Str((b & 0x1f) as usize),
            0xc0 => Marker::Nil,
            0xc2 => Marker::Bool(false),
            0xc3 => Marker::Bool(true),
            0xc4 => Marker::Bin(self.byte()? as usize),
            0xc5 => Marker::Bin(self.len16()?),
            0xc6 => Marker::Bin(self.len32()?),
            0xc7 => {
                let len = self.byte()? as usize;
                Marker::Ext(len + 1)
            }
            0xc8 => {
                let len = self.len16()?;
                Marker::Ext(len + 1)
            }
            0xc9 => {
                let len = self.len32()?;
                Marker::Ext(len + 1)
            }
            0xca => Marker::Float(f32::from_be_bytes(self.be()?) as f64),
            0xcb => Marker::Float(f64::from_be_bytes(self.be()?)),
            0xcc => Marker::Int(self.byte()? as i128),
            0xcd => Marker::Int(u16::from_be_bytes(self.be()?) as i128),
            0xce => Marker::Int(u32::from_be_bytes(self.be()?) as i128),
            0xcf => Marker::Int(u64::from_be_bytes(self.be()?) as i128),
            0xd0 => Marker::Int(i8::from_be_bytes(self.be()?) as i128),
            0xd1 => Marker::Int(i16::from_be_bytes(self.be()?) as i128),
            0xd2 => Marker::Int(i32::from_be_bytes(self.be()?) as i128),
            0xd3 => Marker::Int(i64::from_be_bytes(self.be()?) as i128),
            // fixext 1/2/4/8/16: type byte plus payload.
            0xd4 => Marker::Ext(2),
            0xd5 => Marker::Ext(3),
            0xd6 => Marker::Ext(5),
            0xd7 => Marker::Ext(9),
            0xd8 => Marker::Ext(17),
            0xd9 => Marker::Str(self.byte()? as usize),
            0xda => Marker::Str(self.len16()?),
            0xdb => Marker::Str(self.len32()?),
            0xdc => Marker::Array(self.len16()?),
            0xdd => Marker::Array(self.len32()?),
            0xde => Marker::Map(self.len16()?),
            0xdf => Marker::Map(self.len32()?),
            0xe0..=0xff => Marker::Int((b as i8) as i128),
            0xc1 => return Err(self.err("reserved marker 0xc1")),
        })
    }

    fn str(&mut self, len: usize) -> Result<&'a str, ValueError> {
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| self.err("string is not UTF-8"))
    }

    fn key(&mut self) -> Result<&'a str, ValueError> {
        match self.marker()? {
            Marker::Str(len) => self.str(len),
            _ => Err(self.err("map key is not a string")),
        }
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, ValueError> {
        if depth > MAX_DEPTH {
            return Err(self.err("value nested too deeply"));
        }
        let marker = self.marker()?;
        match marker {
            Marker::Nil => return Ok(Value::Null),
            // Any extension code is an unknown (0 plain, 12 refined); the
            // refinement payload is skipped.
            Marker::Ext(len) => {
                self.take(len)?;
                return Ok(Value::Unknown);
            }
            _ => {}
        }
        match (ty, marker) {
            (Type::Dynamic, Marker::Array(2)) => {
                let type_json = match self.marker()? {
                    Marker::Bin(len) | Marker::Str(len) => self.take(len)?,
                    _ => return Err(self.err("dynamic value type is not bytes")),
                };
                let inner = Type::from_json(type_json).map_err(|e| self.err(e.to_string()))?;
                self.value(&inner, depth + 1)
            }
            (Type::Dynamic, _) => Err(self.err("dynamic value is not a [type, value] pair")),
            (Type::Bool, Marker::Bool(b)) => Ok(Value::Bool(b)),
            (Type::Number, Marker::Int(i)) => Ok(Value::Number(Number::from(i))),
            (Type::Number, Marker::Float(f)) => Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| self.err("number is not finite")),
            (Type::Number, Marker::Str(len)) => {
                let text = self.str(len)?;
                text.parse()
                    .map(Value::Number)
                    .map_err(|e: super::ParseNumberError| self.err(e.to_string()))
            }
            (Type::String, Marker::Str(len)) => Ok(Value::String(self.str(len)?.to_string())),
            (Type::List(elem), Marker::Array(len)) => {
                Ok(Value::List(self.elements(len, elem, depth)?))
            }
            (Type::Set(elem), Marker::Array(len)) => {
                Ok(Value::Set(self.elements(len, elem, depth)?))
            }
            (Type::Tuple(elems), Marker::Array(len)) => {
                if len != elems.len() {
                    return Err(
                        self.err(format!("tuple needs {} elements, got {len}", elems.len()))
                    );
                }
                let mut out = Vec::with_capacity(len);
                for (i, t) in elems.iter().enumerate() {
                    out.push(
                        self.value(t, depth + 1)
                            .map_err(|e| e.within(PathStep::Index(i as i64)))?,
                    );
                }
                Ok(Value::Tuple(out))
            }
            (Type::Map(elem), Marker::Map(len)) => {
                let mut out = BTreeMap::new();
                for _ in 0..len {
                    let k = self.key()?;
                    let v = self
                        .value(elem, depth + 1)
                        .map_err(|e| e.within(PathStep::Key(k.to_string())))?;
                    out.insert(k.to_string(), v);
                }
                Ok(Value::Map(out))
            }
            (Type::Object { attributes, .. }, Marker::Map(len)) => {
                let mut out = BTreeMap::new();
                for _ in 0..len {
                    let k = self.key()?;
                    let attr_ty = attributes
                        .get(k)
                        .ok_or_else(|| self.err(format!("unsupported attribute {k:?}")))?;
                    let v = self
                        .value(attr_ty, depth + 1)
                        .map_err(|e| e.within(PathStep::Attribute(k.to_string())))?;
                    out.insert(k.to_string(), v);
                }
                for name in attributes.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            (ty, _) => Err(self.err(format!("wrong msgpack kind for {ty}"))),
        }
    }

    fn elements(
        &mut self,
        len: usize,
        elem: &Type,
        depth: usize,
    ) -> Result<Vec<Value>, ValueError> {
        // Each element takes at least one byte: cap the preallocation by what
        // the input can hold so a forged length cannot allocate gigabytes.
        let mut out = Vec::with_capacity(len.min(self.buf.len() - self.pos));
        for i in 0..len {
            out.push(
                self.value(elem, depth + 1)
                    .map_err(|e| e.within(PathStep::Index(i as i64)))?,
            );
        }
        Ok(out)
    }
}

fn write_len(
    out: &mut Vec<u8>,
    len: usize,
    fix: Option<(u8, usize)>,
    m16: u8,
    m32: u8,
) -> Result<(), ValueError> {
    match fix {
        Some((base, max)) if len <= max => out.push(base | len as u8),
        _ if len <= u16::MAX as usize => {
            out.push(m16);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            let len =
                u32::try_from(len).map_err(|_| ValueError::new("value too large for msgpack"))?;
            out.push(m32);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    Ok(())
}

fn write_str(out: &mut Vec<u8>, s: &str) -> Result<(), ValueError> {
    if s.len() <= 0xff && s.len() > 31 {
        out.push(0xd9);
        out.push(s.len() as u8);
    } else {
        write_len(out, s.len(), Some((0xa0, 31)), 0xda, 0xdb)?;
    }
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn write_bin(out: &mut Vec<u8>, b: &[u8]) -> Result<(), ValueError> {
    if b.len() <= 0xff {
        out.push(0xc4);
        out.push(b.len() as u8);
    } else {
        write_len(out, b.len(), None, 0xc5, 0xc6)?;
    }
    out.extend_from_slice(b);
    Ok(())
}

fn write_array_len(out: &mut Vec<u8>, len: usize) -> Result<(), ValueError> {
    write_len(out, len, Some((0x90, 15)), 0xdc, 0xdd)
}

fn write_map_len(out: &mut Vec<u8>, len: usize) -> Result<(), ValueError> {
    write_len(out, len, Some((0x80, 15)), 0xde, 0xdf)
}

fn write_int(out: &mut Vec<u8>, i: i64) {
    // The smallest encoding, preferring unsigned markers for non-negatives
    // as msgpack encoders conventionally do.
    if (0..=0x7f).contains(&i) || (-32..0).contains(&i) {
        out.push(i as i8 as u8);
    } else if i >= 0 {
        if let Ok(v) = u8::try_from(i) {
            out.push(0xcc);
            out.push(v);
        } else if let Ok(v) = u16::try_from(i) {
            out.push(0xcd);
            out.extend_from_slice(&v.to_be_bytes());
        } else if let Ok(v) = u32::try_from(i) {
            out.push(0xce);
            out.extend_from_slice(&v.to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(i as u64).to_be_bytes());
        }
    } else if let Ok(v) = i8::try_from(i) {
        out.push(0xd0);
        out.push(v as u8);
    } else if let Ok(v) = i16::try_from(i) {
        out.push(0xd1);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = i32::try_from(i) {
        out.push(0xd2);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

fn write_number(out: &mut Vec<u8>, n: &Number) -> Result<(), ValueError> {
    // Like cty: an integer when it fits; otherwise the exact decimal text,
    // which every client parses losslessly.
    match n.to_i64() {
        Some(i) => {
            write_int(out, i);
            Ok(())
        }
        None => write_str(out, &n.to_string()),
    }
}

fn mismatch(value: &Value, ty: &Type) -> ValueError {
    ValueError::new(format!("{} value where {ty} is expected", kind_name(value)))
}

fn write_value(out: &mut Vec<u8>, value: &Value, ty: &Type) -> Result<(), ValueError> {
    match value {
        Value::Unknown => {
            out.extend_from_slice(&UNKNOWN);
            return Ok(());
        }
        Value::Null => {
            out.push(0xc0);
            return Ok(());
        }
        _ => {}
    }
    match (ty, value) {
        (Type::Dynamic, v) => {
            let inner = v.infer_type();
            write_array_len(out, 2)?;
            write_bin(out, &inner.to_json())?;
            write_value(out, v, &inner)
        }
        (Type::Bool, Value::Bool(b)) => {
            out.push(if *b { 0xc3 } else { 0xc2 });
            Ok(())
        }
        (Type::Number, Value::Number(n)) => write_number(out, n),
        (Type::String, Value::String(s)) => write_str(out, s),
        (Type::List(elem) | Type::Set(elem), Value::List(v) | Value::Set(v) | Value::Tuple(v)) => {
            write_array_len(out, v.len())?;
            for (i, item) in v.iter().enumerate() {
                write_value(out, item, elem).map_err(|e| e.within(PathStep::Index(i as i64)))?;
            }
            Ok(())
        }
        (Type::Tuple(elems), Value::List(v) | Value::Tuple(v)) if v.len() == elems.len() => {
            write_array_len(out, v.len())?;
            for (i, (item, t)) in v.iter().zip(elems).enumerate() {
                write_value(out, item, t).map_err(|e| e.within(PathStep::Index(i as i64)))?;
            }
            Ok(())
        }
        (Type::Map(elem), Value::Map(m) | Value::Object(m)) => {
            write_map_len(out, m.len())?;
            for (k, v) in m {
                write_str(out, k)?;
                write_value(out, v, elem).map_err(|e| e.within(PathStep::Key(k.clone())))?;
            }
            Ok(())
        }
        (Type::Object { attributes, .. }, Value::Object(m) | Value::Map(m)) => {
            if let Some(extra) = m.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(ValueError::new(format!("unsupported attribute {extra:?}")));
            }
            write_map_len(out, attributes.len())?;
            for (name, attr_ty) in attributes {
                write_str(out, name)?;
                let v = m.get(name).unwrap_or(&Value::Null);
                write_value(out, v, attr_ty)
                    .map_err(|e| e.within(PathStep::Attribute(name.clone())))?;
            }
            Ok(())
        }
        (ty, v) => Err(mismatch(v, ty)),
    }
}
