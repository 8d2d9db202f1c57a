//! Following every page of a list.
//!
//! Services say "there is more" in different ways:
//! - Neutron, Nova, Cinder: `"<key>_links": [{"rel": "next", "href": URL}]`
//! - Glance: `"next": "/v2/images?marker=..."` (relative to the unversioned root)
//! - Keystone: `"links": {"next": URL-or-null}`
//!
//! Only the query string of the next link is used: the request goes again to
//! our own base URL and path with that query. That way a next link with the
//! wrong scheme or host (clouds behind TLS-terminating proxies often emit
//! `http://internal-host/...`) cannot send the token elsewhere.
//! When a service gives no link but the caller set `limit` and the page was
//! full, the next page is asked for with `marker=<last id>`.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::time::Instant;
use url::Url;

use super::{DEFAULT_REQUEST_TIMEOUT, Request};
use crate::error::{Error, Result};

/// Safety stop against a service whose next link never ends.
const MAX_PAGES: usize = 10_000;

pub(crate) async fn paginate<T: DeserializeOwned>(mut req: Request, key: &str) -> Result<Vec<T>> {
    // One deadline for the whole listing, not per page.
    req.set_deadline_if_unset(Instant::now() + DEFAULT_REQUEST_TIMEOUT);
    let mut out = Vec::new();
    let mut seen_queries = std::collections::HashSet::new();
    for _ in 0..MAX_PAGES {
        let query = req.query_pairs().to_vec();
        seen_queries.insert(query.clone());
        let resp = req.try_clone().send().await?;
        let decode_error = |message: String| Error::Decode {
            operation: format!("list {key}"),
            message,
            request_id: resp.request_id().map(str::to_owned),
        };
        // The page's keys with their JSON text, borrowed from the answer: the
        // items are decoded one by one from their text, so a page of a
        // thousand objects never exists as a tree of JSON values as well.
        let page: HashMap<String, &RawValue> = resp.json_borrowed()?;
        let items: Vec<&RawValue> = page
            .get(key)
            .ok_or_else(|| decode_error(format!("the answer has no '{key}' list")))
            .and_then(|raw| {
                serde_json::from_str(raw.get()).map_err(|e| decode_error(e.to_string()))
            })?;
        let last_id = items
            .last()
            .and_then(|raw| serde_json::from_str::<WithId>(raw.get()).ok())
            .and_then(|item| match item.id {
                Some(Value::String(s)) => Some(s),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            });
        let count = items.len();
        out.reserve(count);
        for raw in items {
            out.push(serde_json::from_str(raw.get()).map_err(|e| decode_error(e.to_string()))?);
        }
        let links: serde_json::Map<String, Value> = page
            .iter()
            .filter(|(k, _)| *k != key)
            .filter_map(|(k, raw)| Some((k.clone(), serde_json::from_str(raw.get()).ok()?)))
            .collect();
        let next =
            next_query(&Value::Object(links), key).or_else(|| marker_query(&query, count, last_id));
        match next {
            Some(q) if count > 0 && !seen_queries.contains(&q) => req.replace_query(q),
            _ => return Ok(out),
        }
    }
    Ok(out)
}

/// The one field of an item the marker of the next page needs.
#[derive(serde::Deserialize)]
struct WithId {
    id: Option<Value>,
}

fn next_query(page: &Value, key: &str) -> Option<Vec<(String, String)>> {
    let href = page
        .get(format!("{key}_links"))
        .and_then(Value::as_array)
        .and_then(|links| {
            links
                .iter()
                .find(|l| l.get("rel").and_then(Value::as_str) == Some("next"))
        })
        .and_then(|l| l.get("href"))
        .and_then(Value::as_str)
        .or_else(|| page.get("next").and_then(Value::as_str))
        .or_else(|| {
            page.get("links")
                .and_then(|l| l.get("next"))
                .and_then(Value::as_str)
        })?;
    let url = Url::parse(href)
        .or_else(|_| Url::parse("http://relative.invalid/").and_then(|b| b.join(href)))
        .ok()?;
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    (!q.is_empty()).then_some(q)
}

fn marker_query(
    query: &[(String, String)],
    count: usize,
    last_id: Option<String>,
) -> Option<Vec<(String, String)>> {
    let limit: usize = query
        .iter()
        .find(|(k, _)| k == "limit")
        .and_then(|(_, v)| v.parse().ok())?;
    if limit == 0 || count < limit {
        return None;
    }
    let mut q: Vec<(String, String)> = query
        .iter()
        .filter(|(k, _)| k != "marker")
        .cloned()
        .collect();
    q.push(("marker".into(), last_id?));
    Some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutron_glance_keystone_links() {
        let n = serde_json::json!({"networks": [], "networks_links": [
            {"rel": "previous", "href": "http://x/v2.0/networks?marker=a&page_reverse=True"},
            {"rel": "next", "href": "http://x/v2.0/networks?limit=2&marker=b"}]});
        assert_eq!(
            next_query(&n, "networks"),
            Some(vec![
                ("limit".into(), "2".into()),
                ("marker".into(), "b".into())
            ])
        );
        let g = serde_json::json!({"images": [], "next": "/v2/images?marker=c"});
        assert_eq!(
            next_query(&g, "images"),
            Some(vec![("marker".into(), "c".into())])
        );
        let k = serde_json::json!({"projects": [], "links": {"next": null, "self": "x"}});
        assert_eq!(next_query(&k, "projects"), None);
    }

    #[test]
    fn marker_fallback_only_on_full_page() {
        let q = vec![("limit".to_string(), "2".to_string())];
        assert_eq!(
            marker_query(&q, 2, Some("z".into())),
            Some(vec![
                ("limit".into(), "2".into()),
                ("marker".into(), "z".into())
            ])
        );
        assert_eq!(marker_query(&q, 1, Some("z".into())), None);
        assert_eq!(marker_query(&[], 5, Some("z".into())), None);
    }
}
