//! Helpers shared by the typed models and calls of every service: null-tolerant fields, the
//! `{"network": {...}}` envelopes OpenStack wraps single resources in, and 404 handling.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, DeserializeSeed};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::microversion::Microversion;
use crate::retry::create_with_lookup;
use crate::session::{Client, Request, ServiceClient};

/// Reads `null` as the type's default. OpenStack services send `null` for many "unset" strings
/// and lists (a server's `key_name`, a volume's `name`), and one `null` must not make a whole
/// listing undecodable.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `{key: body}`, the request envelope of every OpenStack create/update.
pub(crate) fn wrap<B: Serialize + ?Sized>(key: &str, body: &B) -> Result<Value> {
    let body = serde_json::to_value(body).map_err(|e| Error::InvalidRequest {
        operation: format!("encode {key}"),
        message: e.to_string(),
    })?;
    let mut map = serde_json::Map::new();
    map.insert(key.to_owned(), body);
    Ok(Value::Object(map))
}

/// Sends `req` and decodes the object under `key`, straight from the body: a `Value` in between
/// would sort every map by key, and some maps' order carries meaning (a server's `addresses`
/// list its NICs in the order they were added).
pub(crate) async fn fetch_one<T: DeserializeOwned>(req: Request, key: &str) -> Result<T> {
    let answer = req.send().await?;
    unwrap(answer.body(), key, answer.request_id())
}

/// Decodes the object under `key` of the JSON `body`.
pub(crate) fn unwrap<T: DeserializeOwned>(
    body: &[u8],
    key: &str,
    request_id: Option<&str>,
) -> Result<T> {
    let decode_error = |message: String| Error::Decode {
        operation: format!("read {key}"),
        message,
        request_id: request_id.map(str::to_owned),
    };
    let missing = || decode_error(format!("the answer has no '{key}' object"));
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(missing());
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let found = Enveloped::<T> {
        key,
        inner: std::marker::PhantomData,
    }
    .deserialize(&mut de)
    .and_then(|found| de.end().map(|()| found))
    .map_err(|e| decode_error(e.to_string()))?;
    found.ok_or_else(missing)
}

/// The value under `key` of a JSON object, the other members skipped.
struct Enveloped<'k, T> {
    key: &'k str,
    inner: std::marker::PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> serde::de::DeserializeSeed<'de> for Enveloped<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Enveloped<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an object with a '{}' member", self.key)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(member) = map.next_key::<String>()? {
            if member == self.key && found.is_none() {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A read whose 404 means "does not exist".
pub(crate) fn found<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// A delete whose 404 means "already gone", which is what the caller wanted.
pub(crate) fn gone(r: Result<()>) -> Result<()> {
    match r {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}

/// Query pairs for list calls: `[("name", "x"), ("tags", "a"), ("tags", "b")]`.
pub type Filters<'a> = &'a [(&'a str, &'a str)];

/// Percent-encodes one path segment (keypair and other names may hold spaces or slashes).
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One REST collection with the usual OpenStack shape: `GET list_path` returns `{many: [...]}`,
/// `GET path/id`, `POST path`, `PUT path/id` take and return `{one: {...}}`, `DELETE path/id`.
pub(crate) struct Collection {
    pub service: fn(&Client) -> ServiceClient,
    pub path: &'static str,
    /// Where listings come from (`servers/detail` for Nova, else `path`).
    pub list_path: &'static str,
    pub one: &'static str,
    pub many: &'static str,
    /// How errors and logs name one item ("floating IP").
    pub label: &'static str,
    /// Microversion every call of this collection asks for.
    pub microversion: Option<Microversion>,
}

impl Collection {
    fn request(&self, client: &Client, method: http::Method, path: String, op: String) -> Request {
        let req = (self.service)(client).request(method, path).operation(op);
        match self.microversion {
            Some(mv) => req.microversion(mv),
            None => req,
        }
    }

    fn item_path(&self, id: &str) -> String {
        format!("{}/{}", self.path, segment(id))
    }

    pub async fn list<T: DeserializeOwned>(
        &self,
        client: &Client,
        filters: Filters<'_>,
    ) -> Result<Vec<T>> {
        self.request(
            client,
            http::Method::GET,
            self.list_path.to_owned(),
            format!("list {}s", self.label),
        )
        .query(filters.iter().copied())
        .paginate(self.many)
        .await
    }

    /// `None` when the resource does not exist.
    pub async fn get<T: DeserializeOwned>(&self, client: &Client, id: &str) -> Result<Option<T>> {
        let req = self.request(
            client,
            http::Method::GET,
            self.item_path(id),
            format!("get {} {id}", self.label),
        );
        found(fetch_one(req, self.one).await)
    }

    /// Creates several in one request (`POST path` with `{many: [...]}`), where the service
    /// supports bulk creation; the answer lists them in the order of `bodies`. Sent once, like
    /// [`Collection::create`].
    pub async fn create_many<T: DeserializeOwned, B: Serialize>(
        &self,
        client: &Client,
        bodies: &[B],
    ) -> Result<Vec<T>> {
        let req = self
            .request(
                client,
                http::Method::POST,
                self.path.to_owned(),
                format!("create {} {}s", bodies.len(), self.label),
            )
            .json_body(&wrap(self.many, bodies)?);
        fetch_one(req, self.many).await
    }

    /// Creates once; a create is not idempotent and is never retried blindly (see
    /// `Client::create_with_lookup`).
    pub async fn create<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        client: &Client,
        body: &B,
        describe: &str,
    ) -> Result<T> {
        let req = self
            .request(
                client,
                http::Method::POST,
                self.path.to_owned(),
                if describe.is_empty() {
                    format!("create {}", self.label)
                } else {
                    format!("create {} {describe}", self.label)
                },
            )
            .json_body(&wrap(self.one, body)?);
        fetch_one(req, self.one).await
    }

    pub async fn update<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        client: &Client,
        id: &str,
        body: &B,
    ) -> Result<T> {
        let req = self
            .request(
                client,
                http::Method::PUT,
                self.item_path(id),
                format!("update {} {id}", self.label),
            )
            .json_body(&wrap(self.one, body)?);
        fetch_one(req, self.one).await
    }

    /// Succeeds when the resource is already gone.
    pub async fn delete(&self, client: &Client, id: &str) -> Result<()> {
        let req = self.request(
            client,
            http::Method::DELETE,
            self.item_path(id),
            format!("delete {} {id}", self.label),
        );
        gone(req.send().await.map(|_| ()))
    }

    /// Replaces all tags (Neutron's and Nova's `PUT …/tags`).
    pub async fn set_tags(&self, client: &Client, id: &str, tags: &[String]) -> Result<()> {
        self.request(
            client,
            http::Method::PUT,
            format!("{}/tags", self.item_path(id)),
            format!("set tags of {} {id}", self.label),
        )
        .json_body(&serde_json::json!({ "tags": tags }))
        .send()
        .await
        .map(|_| ())
    }
}

/// One kind of API object: the bodies that create and change it, and where it lives. Generic
/// life-cycle code (the provider's) needs nothing else to create, read, change, tag and delete
/// objects of a kind that lives in a plain REST collection.
pub trait ApiObject: DeserializeOwned + Clone + Send + Sync + 'static {
    /// The body of the create request.
    type Create: Serialize + Send + Sync;
    /// The body of the in-place update request; `Default` means "nothing to send", `()` that the
    /// API changes nothing in place.
    type Update: Default + PartialEq + Serialize + Send + Sync;
    /// How messages name one object ("floating IP").
    const KIND: &'static str;
    /// Whether a delete answers 409 Conflict while dependants are still going away (a network's
    /// ports after their server was deleted), so that it is worth repeating until they are gone.
    const DELETE_WAITS_FOR_DEPENDANTS: bool = false;

    /// What identifies the object in its collection (a keypair's name, else its ID).
    fn id(&self) -> &str;

    /// The plain REST collection the objects live in, if they live in one.
    fn objects() -> Option<&'static Objects<Self>> {
        None
    }

    /// List filters that find the objects a create with `body` may have made (its name, its
    /// network), for [`Objects::create`] to adopt the one a lost answer was about. `None`: the
    /// kind cannot be found that way, and a lost answer is an error, never a second create.
    fn identity(_body: &Self::Create) -> Option<Vec<(&'static str, String)>> {
        None
    }

    /// The object's tags, for kinds that have them (Neutron's standard attribute tags); `None`
    /// for kinds without tags.
    fn tags(&self) -> Option<&[String]> {
        None
    }

    /// When the cloud made the object (`created_at`), to tell an object a create just made
    /// from older ones its identity also finds.
    fn created_at(&self) -> Option<&str> {
        None
    }

    /// The filters of a listing of the project's objects (`project_id` for Neutron, which shows
    /// administrators every project's), for [`Objects::get`] to answer many reads with one list.
    /// `None`: every read is a GET of its own.
    fn listing_filters(_project_id: &str) -> Option<Vec<(&'static str, String)>> {
        None
    }
}

/// A typed handle on one collection of [`ApiObject`]s. The `create_*`/`get_*`/... functions of
/// each service do the same for one kind.
pub struct Objects<T> {
    collection: Collection,
    kind: PhantomData<fn() -> T>,
}

impl<T> Objects<T> {
    pub(crate) const fn new(collection: Collection) -> Self {
        Self {
            collection,
            kind: PhantomData,
        }
    }
}

impl<T: ApiObject> Objects<T> {
    /// `None` when the object does not exist. Answered from a listing of the kind when one is
    /// at hand (see `session::snapshot`); an object the listing lacks is asked for directly,
    /// so a listing never makes an object look gone.
    pub async fn get(&self, client: &Client, id: &str) -> Result<Option<T>> {
        if let Some(listed) = self.listing(client).await
            && let Some(object) = listed.get(id)
        {
            return Ok(Some(object.clone()));
        }
        self.collection.get(client, id).await
    }

    async fn listing(&self, client: &Client) -> Option<std::sync::Arc<HashMap<String, T>>> {
        let project = client.project_id().await.ok().flatten()?;
        let filters = T::listing_filters(&project)?;
        client
            .snapshots()
            .listing(T::KIND, client.region(), || async move {
                let pairs: Vec<(&str, &str)> =
                    filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let all: Vec<T> = self.collection.list(client, &pairs).await.ok()?;
                Some(all.into_iter().map(|o| (o.id().to_owned(), o)).collect())
            })
            .await
    }

    /// Creates one object, and never two. When the answer is lost (a reset after the request
    /// went out, a timeout, a 5xx), the objects the create may have made are listed by their
    /// [`ApiObject::identity`]: one made since the request was sent is the answer; none, and
    /// the create is sent again; more than one, or no identity, and the error stands.
    pub async fn create(&self, client: &Client, body: &T::Create) -> Result<T> {
        let identity = T::identity(body);
        let filters = identity.as_deref().map(filter_pairs);
        let filters = &filters;
        create_once(
            client,
            identity.as_deref(),
            || self.collection.create(client, body, ""),
            || async move {
                match &filters {
                    Some(f) => self.collection.list(client, f).await,
                    None => Ok(Vec::new()),
                }
            },
        )
        .await
    }

    pub async fn update(&self, client: &Client, id: &str, body: &T::Update) -> Result<T> {
        self.collection.update(client, id, body).await
    }

    /// The objects `filters` select, every page.
    pub async fn list(&self, client: &Client, filters: Filters<'_>) -> Result<Vec<T>> {
        self.collection.list(client, filters).await
    }

    /// Succeeds when the object is already gone.
    pub async fn delete(&self, client: &Client, id: &str) -> Result<()> {
        self.collection.delete(client, id).await
    }

    /// Replaces every tag (Neutron's and Nova's `PUT …/tags`).
    pub async fn set_tags(&self, client: &Client, id: &str, tags: &[String]) -> Result<()> {
        self.collection.set_tags(client, id, tags).await
    }
}

fn filter_pairs<'a>(identity: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    identity.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Creates one object of kind `T`, never two. When the answer is lost (a reset after the request
/// went out, a timeout, a 5xx), the objects the create may have made are listed by `identity`
/// (`list`): one made since the request was sent, and not taken by another create of this client,
/// is the answer; none, and the create is sent again; more than one, or no identity, and the
/// create's error stands.
pub(crate) async fn create_once<T, CF, LF>(
    client: &Client,
    identity: Option<&[(&'static str, String)]>,
    create: impl FnMut() -> CF,
    list: impl Fn() -> LF,
) -> Result<T>
where
    T: ApiObject,
    CF: Future<Output = Result<T>>,
    LF: Future<Output = Result<Vec<T>>>,
{
    let key = format!("{}:{identity:?}", T::KIND);
    let _under_way = client.create_started(key.clone());
    let sent = client.cloud_now();
    let unsure = |message: String| Error::InvalidRequest {
        operation: format!("find the {} a lost create answer was about", T::KIND),
        message,
    };
    let (list, key, unsure) = (&list, &key, &unsure);
    let made = create_with_lookup(
        &format!("create {}", T::KIND),
        client.policy().max_retries.clamp(1, 3),
        create,
        || async move {
            if identity.is_none() {
                return Err(unsure(format!(
                    "{}s cannot be found by what creates them",
                    T::KIND
                )));
            }
            let mut made = list().await?;
            made.retain(|o| {
                sent.may_precede(o.created_at()) && !client.is_claimed(T::KIND, o.id())
            });
            if !made.is_empty() && client.others_in_flight(key) {
                return Err(unsure(format!(
                    "another create of the same {} is under way, so it cannot be told whose it is",
                    T::KIND
                )));
            }
            match made.len() {
                0 => Ok(None),
                1 => Ok(made.pop().filter(|o| client.claim(T::KIND, o.id()))),
                n => Err(unsure(format!(
                    "{n} {}s match it, made since it was sent",
                    T::KIND
                ))),
            }
        },
    )
    .await?;
    client.claim(T::KIND, made.id());
    Ok(made)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Deserialize, Default, Debug)]
    #[serde(default)]
    struct Sample {
        #[serde(deserialize_with = "null_default")]
        name: String,
        #[serde(deserialize_with = "null_default")]
        tags: Vec<String>,
    }

    #[test]
    fn null_and_missing_become_default() {
        let s: Sample = serde_json::from_str(r#"{"name": null}"#).unwrap();
        assert_eq!(s.name, "");
        assert!(s.tags.is_empty());
        let s: Sample = serde_json::from_str(r#"{"name": "x", "tags": ["a"]}"#).unwrap();
        assert_eq!((s.name.as_str(), s.tags.len()), ("x", 1));
        assert!(serde_json::from_str::<Sample>(r#"{"name": 3}"#).is_err());
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(segment("my key/1"), "my%20key%2F1");
        assert_eq!(segment("a-b_c.d~9"), "a-b_c.d~9");
        assert_eq!(segment("ü"), "%C3%BC");
    }

    #[test]
    fn envelopes() {
        let body = wrap("network", &serde_json::json!({"name": "n"})).unwrap();
        assert_eq!(body, serde_json::json!({"network": {"name": "n"}}));
        let s: Sample =
            unwrap(br#"{"network": {"name": "n"}, "x": [1]}"#, "network", None).unwrap();
        assert_eq!(s.name, "n");
        let err = unwrap::<Sample>(br#"{"port": {}}"#, "network", Some("req-1")).unwrap_err();
        assert!(err.to_string().contains("no 'network' object"), "{err}");
        assert!(unwrap::<Sample>(b" ", "network", None).is_err());
        assert!(unwrap::<Sample>(br#"{"network": {"name": 3}}"#, "network", None).is_err());
        assert!(unwrap::<Sample>(br#"{"network": {}} x"#, "network", None).is_err());
    }

    #[test]
    fn envelopes_keep_the_order_of_maps() {
        #[derive(Deserialize)]
        struct Ordered(#[serde(deserialize_with = "keys")] Vec<String>);
        fn keys<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
            struct Keys;
            impl<'de> serde::de::Visitor<'de> for Keys {
                type Value = Vec<String>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a map")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Vec<String>, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                        out.push(k);
                    }
                    Ok(out)
                }
            }
            d.deserialize_map(Keys)
        }
        let Ordered(keys) = unwrap(
            br#"{"server": {"zz": 1, "aa": 2, "mm": 3}}"#,
            "server",
            None,
        )
        .unwrap();
        assert_eq!(keys, ["zz", "aa", "mm"]);
    }
}
