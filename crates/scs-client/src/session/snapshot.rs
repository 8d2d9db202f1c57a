//! Listings that answer many reads: one list request per kind of object instead of one GET per
//! object.
//!
//! A `plan` refreshes every resource in state, each with its own read; for 300 networks and
//! subnets that is 300 requests, most of the plan's time. The first read of a kind lists the
//! kind once (per region) and keeps the listing; the reads after it are answered from there.
//! Any write through this client (any request but GET and HEAD, while it runs and when it ends)
//! makes every listing stale, so an apply, which writes, keeps reading object by object, and a
//! listing that overlapped a write is never used. The client lives as long as the provider
//! process, which Terraform starts anew for every command, so no listing outlives the command.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::OnceCell;

type Listed = Option<Arc<dyn Any + Send + Sync>>;

#[derive(Default)]
pub(crate) struct Snapshots {
    /// Bumped when a write starts and when it ends.
    writes: AtomicU64,
    listings: std::sync::Mutex<HashMap<(&'static str, Option<String>), Listing>>,
}

struct Listing {
    taken_at: u64,
    cell: Arc<OnceCell<Listed>>,
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshots")
            .field("writes", &self.writes.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Snapshots {
    pub(crate) fn write_seen(&self) {
        self.writes.fetch_add(1, Ordering::AcqRel);
    }

    /// The listing of `kind` in `region`, made by `list` the first time (concurrent callers wait
    /// for the one list). `None` when the list failed or a write made it stale.
    pub(crate) async fn listing<T, F, Fut>(
        &self,
        kind: &'static str,
        region: Option<&str>,
        list: F,
    ) -> Option<Arc<HashMap<String, T>>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Option<HashMap<String, T>>>,
    {
        let now = self.writes.load(Ordering::Acquire);
        let cell = {
            let mut listings = super::lock(&self.listings);
            let listing = listings
                .entry((kind, region.map(str::to_owned)))
                .or_insert_with(|| Listing {
                    taken_at: now,
                    cell: Arc::default(),
                });
            if listing.taken_at != now {
                *listing = Listing {
                    taken_at: now,
                    cell: Arc::default(),
                };
            }
            listing.cell.clone()
        };
        let listed = cell
            .get_or_init(|| async {
                let map = list().await?;
                Some(Arc::new(map) as Arc<dyn Any + Send + Sync>)
            })
            .await
            .clone()?;
        if self.writes.load(Ordering::Acquire) != now {
            return None;
        }
        listed.downcast::<HashMap<String, T>>().ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn two() -> Option<HashMap<String, u32>> {
        Some(HashMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)]))
    }

    #[tokio::test]
    async fn one_list_answers_every_read_until_a_write() {
        let s = Snapshots::default();
        let lists = std::sync::atomic::AtomicU32::new(0);
        let list = || async {
            lists.fetch_add(1, Ordering::Relaxed);
            two()
        };
        let first = s.listing("thing", None, list).await.unwrap();
        let again = s.listing("thing", None, list).await.unwrap();
        assert_eq!((first["a"], again["b"]), (1, 2));
        assert_eq!(lists.load(Ordering::Relaxed), 1);
        s.listing("thing", Some("other"), list).await.unwrap();
        assert_eq!(lists.load(Ordering::Relaxed), 2, "regions are listed apart");
        s.write_seen();
        s.listing("thing", None, list).await.unwrap();
        assert_eq!(
            lists.load(Ordering::Relaxed),
            3,
            "a write makes listings stale"
        );
    }

    #[tokio::test]
    async fn a_listing_that_overlapped_a_write_is_not_used() {
        let s = Snapshots::default();
        let got = s
            .listing("thing", None, || async {
                s.write_seen();
                two()
            })
            .await;
        assert!(got.is_none());
        let failed = s
            .listing::<u32, _, _>("other", None, || async { None })
            .await;
        assert!(failed.is_none());
    }
}
