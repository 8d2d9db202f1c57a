//! Objects this provider reads but never writes (flavors, images), fetched once per command.
//!
//! Creating a server looks its flavor and image up while Terraform plans it and again while it
//! is created, in the same provider process, and every server of a configuration usually names
//! the same ones: two to four requests on the path to the server's create that answer the same
//! thing. Nothing this client does changes a flavor or an image, so the first answer for an id
//! serves the rest of the process, which Terraform starts anew for every command. Unlike the
//! listings of `snapshot`, writes do not make these stale. A failed request or an id the cloud
//! does not know is not kept: the next lookup asks again.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::error::Error;

type Found = Arc<dyn Any + Send + Sync>;
type Key = (&'static str, Option<String>, String);

#[derive(Default)]
pub(crate) struct Lookups {
    cells: std::sync::Mutex<HashMap<Key, Arc<OnceCell<Found>>>>,
}

/// Why a fetch left nothing to keep.
enum Missed {
    NotFound,
    Failed(Error),
}

impl Lookups {
    /// The object of `kind` with `id` in `region`, fetched by `fetch` the first time it is found
    /// (concurrent callers wait for the one fetch).
    pub(crate) async fn get<T, F, Fut>(
        &self,
        kind: &'static str,
        region: Option<&str>,
        id: &str,
        fetch: F,
    ) -> Result<Option<T>, Error>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<T>, Error>>,
    {
        let cell = {
            let mut cells = super::lock(&self.cells);
            cells
                .entry((kind, region.map(str::to_owned), id.to_owned()))
                .or_default()
                .clone()
        };
        let found = cell
            .get_or_try_init(|| async {
                match fetch().await {
                    Ok(Some(object)) => Ok(Arc::new(object) as Found),
                    Ok(None) => Err(Missed::NotFound),
                    Err(e) => Err(Missed::Failed(e)),
                }
            })
            .await;
        match found {
            Ok(object) => Ok(object.downcast_ref::<T>().cloned()),
            Err(Missed::NotFound) => Ok(None),
            Err(Missed::Failed(e)) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_found_object_is_fetched_once_per_id_and_region() {
        let l = Lookups::default();
        let fetches = AtomicU32::new(0);
        let fetch = |v: u32| {
            let fetches = &fetches;
            move || async move {
                fetches.fetch_add(1, Ordering::Relaxed);
                Ok(Some(v))
            }
        };
        assert_eq!(l.get("flavor", None, "a", fetch(1)).await.unwrap(), Some(1));
        assert_eq!(l.get("flavor", None, "a", fetch(2)).await.unwrap(), Some(1));
        assert_eq!(fetches.load(Ordering::Relaxed), 1);
        assert_eq!(l.get("flavor", None, "b", fetch(3)).await.unwrap(), Some(3));
        assert_eq!(l.get("image", None, "a", fetch(4)).await.unwrap(), Some(4));
        assert_eq!(
            l.get("flavor", Some("other"), "a", fetch(5)).await.unwrap(),
            Some(5)
        );
        assert_eq!(fetches.load(Ordering::Relaxed), 4);
    }

    #[tokio::test]
    async fn misses_and_failures_are_asked_again() {
        let l = Lookups::default();
        let none = l
            .get::<u32, _, _>("image", None, "a", || async { Ok(None) })
            .await
            .unwrap();
        assert_eq!(none, None);
        let failed = l
            .get::<u32, _, _>("image", None, "a", || async {
                Err(Error::Cancelled {
                    operation: "get image a".into(),
                })
            })
            .await;
        assert!(failed.is_err());
        let found = l
            .get("image", None, "a", || async { Ok(Some(7u32)) })
            .await
            .unwrap();
        assert_eq!(found, Some(7));
    }
}
