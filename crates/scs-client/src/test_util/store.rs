//! The fake cloud's objects: one list of JSON objects per collection, answered with the usual
//! OpenStack REST shape (`GET` list with filters, `GET`/`PUT`/`DELETE` one, `POST` creates,
//! `PUT …/tags`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Action, Recorded};

/// One REST collection of the fake.
#[derive(Clone, Debug)]
pub struct Collection {
    /// Path segments from the root, `*` for a parent's id: `/network/v2.0/networks`,
    /// `/compute/v2.1/servers/*/os-volume_attachments`.
    pub pattern: &'static str,
    /// The envelope key of one object (`network`); `None` for bare objects (Glance).
    pub one: Option<&'static str>,
    /// The envelope key of a listing (`networks`).
    pub many: &'static str,
    /// An extra last segment that lists with details (`detail` for Nova and Cinder).
    pub detail: Option<&'static str>,
    /// The field that identifies an object in its path (`id`; `name` for keypairs).
    pub id_field: &'static str,
    /// Fields a created object has unless the request sets them.
    pub defaults: fn() -> Value,
}

impl Collection {
    /// A collection with `id` identity, no detail listing and no defaults.
    pub const fn new(pattern: &'static str, one: &'static str, many: &'static str) -> Self {
        Collection {
            pattern,
            one: Some(one),
            many,
            detail: None,
            id_field: "id",
            defaults: empty_object,
        }
    }
}

fn empty_object() -> Value {
    json!({})
}

/// Everything the fake holds.
#[derive(Default)]
pub struct Store {
    collections: Vec<Collection>,
    /// By concrete collection path (the pattern with its `*` filled in).
    objects: BTreeMap<String, Vec<Value>>,
    next_id: u64,
}

/// Query parameters that page or shape a listing rather than filter it.
/// The fake keeps no change times, so "changed since" filters list everything: more than the
/// cloud would, never less.
const NOT_FILTERS: [&str; 8] = [
    "limit",
    "marker",
    "sort_key",
    "sort_dir",
    "fields",
    "all_tenants",
    "changes-since",
    "updated_at",
];

impl Store {
    pub fn add_collection(&mut self, collection: Collection) {
        self.collections.push(collection);
    }

    /// A fresh id in UUID form.
    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{:08x}-0000-4000-8000-{:012x}", self.next_id, self.next_id)
    }

    fn collection_of(&self, path: &str) -> Option<&Collection> {
        self.collections
            .iter()
            .find(|c| match_pattern(c.pattern, path).is_some())
    }

    /// Adds `object` to the collection at `path` with an id (unless it has one) and the
    /// collection's defaults for the fields it lacks; returns what was stored.
    pub fn insert(&mut self, path: &str, object: Value) -> Value {
        let (id_field, defaults) = match self.collection_of(path) {
            Some(c) => (c.id_field, (c.defaults)()),
            None => ("id", json!({})),
        };
        let mut stored = defaults;
        merge(&mut stored, object);
        if stored.get(id_field).and_then(Value::as_str).is_none() {
            let id = self.new_id();
            set(&mut stored, id_field, Value::String(id));
        }
        self.objects
            .entry(path.to_owned())
            .or_default()
            .push(stored.clone());
        stored
    }

    /// Every object of the collection at `path`, oldest first.
    pub fn list(&self, path: &str) -> &[Value] {
        self.objects
            .get(path)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn id_field(&self, path: &str) -> &'static str {
        self.collection_of(path).map_or("id", |c| c.id_field)
    }

    pub fn get(&self, path: &str, id: &str) -> Option<&Value> {
        let field = self.id_field(path);
        self.list(path)
            .iter()
            .find(|o| o.get(field).and_then(Value::as_str) == Some(id))
    }

    pub fn get_mut(&mut self, path: &str, id: &str) -> Option<&mut Value> {
        let field = self.id_field(path);
        self.objects
            .get_mut(path)?
            .iter_mut()
            .find(|o| o.get(field).and_then(Value::as_str) == Some(id))
    }

    /// Merges `fields` into the object; returns the updated object.
    pub fn update(&mut self, path: &str, id: &str, fields: Value) -> Option<Value> {
        let object = self.get_mut(path, id)?;
        merge(object, fields);
        Some(object.clone())
    }

    pub fn remove(&mut self, path: &str, id: &str) -> Option<Value> {
        let field = self.id_field(path);
        let list = self.objects.get_mut(path)?;
        let at = list
            .iter()
            .position(|o| o.get(field).and_then(Value::as_str) == Some(id))?;
        Some(list.remove(at))
    }

    /// The store's answer to `req`, if its path belongs to a collection.
    pub fn answer(&mut self, req: &Recorded) -> Option<Action> {
        let path = req.path_only();
        for c in self.collections.clone() {
            let Some((coll, rest)) = split_collection(c.pattern, path) else {
                continue;
            };
            let rest: Vec<String> = rest.iter().map(|s| percent_decode(s)).collect();
            let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
            return Some(match (req.method.as_str(), rest.as_slice()) {
                ("GET", []) => self.answer_list(&c, &coll, req),
                ("GET", [d]) if Some(*d) == c.detail => self.answer_list(&c, &coll, req),
                ("POST", []) => self.answer_create(&c, &coll, req),
                ("GET", [id]) => match self.get(&coll, id) {
                    Some(o) => Action::ok(envelope(&c, o.clone())),
                    None => not_found(&c, id),
                },
                ("PUT" | "PATCH", [id]) => {
                    let body = req.json();
                    let fields = match c.one {
                        Some(key) => body.get(key).cloned().unwrap_or(Value::Null),
                        None => body,
                    };
                    match self.update(&coll, id, fields) {
                        Some(o) => Action::ok(envelope(&c, o)),
                        None => not_found(&c, id),
                    }
                }
                ("DELETE", [id]) => match self.remove(&coll, id) {
                    Some(_) => Action::Text(204, String::new()),
                    None => not_found(&c, id),
                },
                ("PUT", [id, "tags"]) => {
                    let tags = req.json().get("tags").cloned().unwrap_or(json!([]));
                    match self.update(&coll, id, json!({ "tags": tags.clone() })) {
                        Some(_) => Action::ok(json!({ "tags": tags })),
                        None => not_found(&c, id),
                    }
                }
                _ => continue,
            });
        }
        None
    }

    fn answer_list(&self, c: &Collection, coll: &str, req: &Recorded) -> Action {
        let query = req.query();
        let limit: Option<usize> = query
            .iter()
            .find(|(k, _)| k == "limit")
            .and_then(|(_, v)| v.parse().ok());
        let marker = query.iter().find(|(k, _)| k == "marker").map(|(_, v)| v);
        let mut filters: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (k, v) in &query {
            if !NOT_FILTERS.contains(&k.as_str()) {
                filters.entry(k.as_str()).or_default().push(v.as_str());
            }
        }
        let mut found: Vec<Value> = self
            .list(coll)
            .iter()
            .filter(|o| filters.iter().all(|(k, vs)| matches_filter(o, k, vs)))
            .cloned()
            .collect();
        if let Some(marker) = marker
            && let Some(at) = found
                .iter()
                .position(|o| o.get(c.id_field).and_then(Value::as_str) == Some(marker))
        {
            found.drain(..=at);
        }
        if let Some(limit) = limit {
            found.truncate(limit);
        }
        Action::ok(json!({ c.many: found }))
    }

    fn answer_create(&mut self, c: &Collection, coll: &str, req: &Recorded) -> Action {
        let body = req.json();
        let fields = match c.one {
            Some(key) => body.get(key).cloned().unwrap_or(Value::Null),
            None => body,
        };
        if !fields.is_object() {
            return Action::error(coll, 400, "the request has no object to create", "req-bad");
        }
        let mut fields = fields;
        if let Some(obj) = fields.as_object_mut() {
            // Owned by the caller's project unless the request says otherwise.
            for key in ["project_id", "tenant_id"] {
                obj.entry(key)
                    .or_insert_with(|| Value::String(super::PROJECT_ID.into()));
            }
        }
        let stored = self.insert(coll, fields);
        Action::Json(201, envelope(c, stored))
    }
}

/// The `*` values when `path` has exactly the segments of `pattern`.
pub fn match_pattern(pattern: &str, path: &str) -> Option<Vec<String>> {
    let p: Vec<&str> = segments(pattern);
    let s: Vec<&str> = segments(path);
    if p.len() != s.len() {
        return None;
    }
    let mut captures = Vec::new();
    for (want, got) in p.iter().zip(&s) {
        if *want == "*" {
            captures.push(percent_decode(got));
        } else if want != got {
            return None;
        }
    }
    Some(captures)
}

/// The concrete collection path and the segments after it, when `path` is under `pattern`.
fn split_collection<'a>(pattern: &str, path: &'a str) -> Option<(String, Vec<&'a str>)> {
    let p = segments(pattern);
    let s = segments(path);
    if s.len() < p.len() || s.len() > p.len() + 2 {
        return None;
    }
    for (want, got) in p.iter().zip(&s) {
        if *want != "*" && want != got {
            return None;
        }
    }
    Some((
        format!("/{}", s[..p.len()].join("/")),
        s[p.len()..].to_vec(),
    ))
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

fn envelope(c: &Collection, object: Value) -> Value {
    match c.one {
        Some(key) => json!({ key: object }),
        None => object,
    }
}

fn not_found(c: &Collection, id: &str) -> Action {
    let what = c.one.unwrap_or(c.many);
    Action::Json(
        404,
        json!({"itemNotFound": {"code": 404, "message": format!("{what} {id} could not be found.")}}),
    )
}

/// Whether field `key` of `object` is one of `wanted` (for a list field: holds all of them, as
/// Neutron's `tags` filter does). A filter on a field the object lacks does not match.
fn matches_filter(object: &Value, key: &str, wanted: &[&str]) -> bool {
    // Glance filters by `tag`, one per wanted tag, on the `tags` field.
    let field = if key == "tag" { "tags" } else { key };
    match object.get(field) {
        None | Some(Value::Null) => false,
        Some(Value::Array(items)) => wanted
            .iter()
            .flat_map(|w| w.split(','))
            .all(|w| items.iter().any(|i| scalar_eq(i, w))),
        Some(v) => wanted.iter().any(|w| scalar_eq(v, w)),
    }
}

fn scalar_eq(v: &Value, text: &str) -> bool {
    match v {
        Value::String(s) => s == text,
        Value::Bool(b) => text.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        Value::Number(n) => n.to_string() == text,
        _ => false,
    }
}

/// Sets `key` on an object value.
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(obj) = object.as_object_mut() {
        obj.insert(key.to_owned(), value);
    }
}

/// Shallow merge: every field of `fields` replaces the object's.
pub fn merge(object: &mut Value, fields: Value) {
    if !object.is_object() {
        *object = Value::Object(Map::new());
    }
    if let (Some(obj), Value::Object(fields)) = (object.as_object_mut(), fields) {
        obj.extend(fields);
    }
}
