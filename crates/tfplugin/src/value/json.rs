//! The JSON form of values: `DynamicValue.json` and the `raw_state.json` of
//! UpgradeResourceState. JSON cannot carry unknowns.
//!
//! Numbers are read from their literal text so no precision is lost, which is
//! why this uses its own small parser instead of `serde_json::Value`.

use std::collections::BTreeMap;

use super::{Number, Type, Value, ValueError, conform::kind_name};
use crate::diagnostics::PathStep;

/// How lenient JSON decoding is.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOptions {
    /// Drop object attributes the type does not know (old state after an
    /// attribute was removed from the schema) instead of failing.
    pub ignore_undefined_attributes: bool,
}

/// Decodes a JSON value of type `ty`, rejecting attributes the type lacks.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    decode_json_with(bytes, ty, JsonOptions::default())
}

/// Decodes a JSON value of type `ty` with explicit options.
pub fn decode_json_with(
    bytes: &[u8],
    ty: &Type,
    options: JsonOptions,
) -> Result<Value, ValueError> {
    let mut parser = Parser { buf: bytes, pos: 0 };
    let tree = parser.document()?;
    convert(tree, ty, options, 0)
}

/// Encodes `value` as JSON under type `ty`. Fails on unknown values.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    write(&mut out, value, ty)?;
    Ok(out)
}

const MAX_DEPTH: usize = 256;

enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    fn into_serde(self) -> serde_json::Value {
        match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(b),
            Json::Number(n) => serde_json::from_str(&n).unwrap_or(serde_json::Value::Null),
            Json::String(s) => serde_json::Value::String(s),
            Json::Array(v) => {
                serde_json::Value::Array(v.into_iter().map(Json::into_serde).collect())
            }
            Json::Object(m) => {
                serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, v.into_serde())).collect())
            }
        }
    }
}

struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, msg: &str) -> ValueError {
        ValueError::new(format!("JSON at byte {}: {msg}", self.pos))
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.buf.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.buf.get(self.pos).copied()
    }

    fn expect(&mut self, b: u8) -> Result<(), ValueError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected {:?}", b as char)))
        }
    }

    fn document(&mut self) -> Result<Json, ValueError> {
        let v = self.value(0)?;
        if self.peek().is_some() {
            return Err(self.err("trailing characters"));
        }
        Ok(v)
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, ValueError> {
        if self.buf[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, ValueError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Json::Object(entries));
                }
                loop {
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected object key"));
                    }
                    let key = self.string()?;
                    self.expect(b':')?;
                    entries.push((key, self.value(depth + 1)?));
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Json::Object(entries));
                        }
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') =
                    self.buf.get(self.pos)
                {
                    self.pos += 1;
                }
                let text = std::str::from_utf8(&self.buf[start..self.pos])
                    .map_err(|_| self.err("invalid number"))?;
                Ok(Json::Number(text.to_string()))
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn string(&mut self) -> Result<String, ValueError> {
        // Find the closing quote and let serde_json handle escapes: it is
        // correct about surrogate pairs and fast on plain text.
        let start = self.pos;
        self.pos += 1;
        let mut has_escape = false;
        loop {
            match self.buf.get(self.pos) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => break,
                Some(b'\\') => {
                    has_escape = true;
                    self.pos += 2;
                }
                Some(_) => self.pos += 1,
            }
        }
        self.pos += 1;
        let raw = &self.buf[start..self.pos];
        if has_escape {
            serde_json::from_slice(raw).map_err(|_| self.err("invalid string"))
        } else {
            std::str::from_utf8(&raw[1..raw.len() - 1])
                .map(str::to_string)
                .map_err(|_| self.err("string is not UTF-8"))
        }
    }
}

fn mismatch(json: &Json, ty: &Type) -> ValueError {
    ValueError::new(format!("JSON {} where {ty} is expected", json.kind()))
}

fn convert(json: Json, ty: &Type, options: JsonOptions, depth: usize) -> Result<Value, ValueError> {
    if depth > MAX_DEPTH {
        return Err(ValueError::new("JSON value nested too deeply"));
    }
    if matches!(json, Json::Null) {
        return Ok(Value::Null);
    }
    let elements = |items: Vec<Json>, elem: &Type| -> Result<Vec<Value>, ValueError> {
        items
            .into_iter()
            .enumerate()
            .map(|(i, j)| {
                convert(j, elem, options, depth + 1)
                    .map_err(|e| e.within(PathStep::Index(i as i64)))
            })
            .collect()
    };
    match (ty, json) {
        (Type::Dynamic, Json::Object(entries)) => {
            let mut value = None;
            let mut inner_ty = None;
            for (k, v) in entries {
                match k.as_str() {
                    "value" => value = Some(v),
                    "type" => {
                        inner_ty = Some(
                            Type::from_json_value(&v.into_serde())
                                .map_err(|e| ValueError::new(e.to_string()))?,
                        )
                    }
                    _ => return Err(ValueError::new("dynamic JSON value has extra keys")),
                }
            }
            match (value, inner_ty) {
                (Some(v), Some(t)) => convert(v, &t, options, depth + 1),
                _ => Err(ValueError::new(
                    "dynamic JSON value needs \"value\" and \"type\"",
                )),
            }
        }
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(b)),
        (Type::Number, Json::Number(n) | Json::String(n)) => n
            .parse::<Number>()
            .map(Value::Number)
            .map_err(|e| ValueError::new(e.to_string())),
        (Type::String, Json::String(s)) => Ok(Value::String(s)),
        // Flatmap-era states stored numbers and bools as strings.
        (Type::Bool, Json::String(s)) if s == "true" || s == "false" => {
            Ok(Value::Bool(s == "true"))
        }
        (Type::List(elem), Json::Array(items)) => Ok(Value::List(elements(items, elem)?)),
        (Type::Set(elem), Json::Array(items)) => Ok(Value::Set(elements(items, elem)?)),
        (Type::Tuple(elems), Json::Array(items)) => {
            if items.len() != elems.len() {
                return Err(ValueError::new(format!(
                    "tuple needs {} elements, got {}",
                    elems.len(),
                    items.len()
                )));
            }
            let out = items
                .into_iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (j, t))| {
                    convert(j, t, options, depth + 1)
                        .map_err(|e| e.within(PathStep::Index(i as i64)))
                })
                .collect::<Result<_, _>>()?;
            Ok(Value::Tuple(out))
        }
        (Type::Map(elem), Json::Object(entries)) => {
            let mut out = BTreeMap::new();
            for (k, j) in entries {
                let v = convert(j, elem, options, depth + 1)
                    .map_err(|e| e.within(PathStep::Key(k.clone())))?;
                out.insert(k, v);
            }
            Ok(Value::Map(out))
        }
        (Type::Object { attributes, .. }, Json::Object(entries)) => {
            let mut out = BTreeMap::new();
            for (k, j) in entries {
                let Some(attr_ty) = attributes.get(&k) else {
                    if options.ignore_undefined_attributes {
                        continue;
                    }
                    return Err(ValueError::new(format!("unsupported attribute {k:?}")));
                };
                let v = convert(j, attr_ty, options, depth + 1)
                    .map_err(|e| e.within(PathStep::Attribute(k.clone())))?;
                out.insert(k, v);
            }
            for name in attributes.keys() {
                out.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(out))
        }
        (ty, json) => Err(mismatch(&json, ty)),
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's string escaping cannot fail for a &str.
    let escaped = serde_json::to_string(s).unwrap_or_default();
    out.extend_from_slice(escaped.as_bytes());
}

fn write(out: &mut Vec<u8>, value: &Value, ty: &Type) -> Result<(), ValueError> {
    match (ty, value) {
        (_, Value::Unknown) => Err(ValueError::new("unknown values cannot be written as JSON")),
        (_, Value::Null) => {
            out.extend_from_slice(b"null");
            Ok(())
        }
        (Type::Dynamic, v) => {
            let inner = v.infer_type();
            out.extend_from_slice(b"{\"value\":");
            write(out, v, &inner)?;
            out.extend_from_slice(b",\"type\":");
            out.extend_from_slice(&inner.to_json());
            out.push(b'}');
            Ok(())
        }
        (Type::Bool, Value::Bool(b)) => {
            out.extend_from_slice(if *b { b"true" } else { b"false" });
            Ok(())
        }
        (Type::Number, Value::Number(n)) => {
            out.extend_from_slice(n.to_string().as_bytes());
            Ok(())
        }
        (Type::String, Value::String(s)) => {
            write_str(out, s);
            Ok(())
        }
        (Type::List(elem) | Type::Set(elem), Value::List(v) | Value::Set(v) | Value::Tuple(v)) => {
            out.push(b'[');
            for (i, item) in v.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, item, elem).map_err(|e| e.within(PathStep::Index(i as i64)))?;
            }
            out.push(b']');
            Ok(())
        }
        (Type::Tuple(elems), Value::List(v) | Value::Tuple(v)) if v.len() == elems.len() => {
            out.push(b'[');
            for (i, (item, t)) in v.iter().zip(elems).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, item, t).map_err(|e| e.within(PathStep::Index(i as i64)))?;
            }
            out.push(b']');
            Ok(())
        }
        (Type::Map(elem), Value::Map(m) | Value::Object(m)) => {
            out.push(b'{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, k);
                out.push(b':');
                write(out, v, elem).map_err(|e| e.within(PathStep::Key(k.clone())))?;
            }
            out.push(b'}');
            Ok(())
        }
        (Type::Object { attributes, .. }, Value::Object(m) | Value::Map(m)) => {
            if let Some(extra) = m.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(ValueError::new(format!("unsupported attribute {extra:?}")));
            }
            out.push(b'{');
            for (i, (name, attr_ty)) in attributes.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, name);
                out.push(b':');
                let v = m.get(name).unwrap_or(&Value::Null);
                write(out, v, attr_ty).map_err(|e| e.within(PathStep::Attribute(name.clone())))?;
            }
            out.push(b'}');
            Ok(())
        }
        (ty, v) => Err(ValueError::new(format!(
            "{} value where {ty} is expected",
            kind_name(v)
        ))),
    }
}
