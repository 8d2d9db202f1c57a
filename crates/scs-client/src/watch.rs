//! Status reads for waits, shared by the waits of one kind: one listing answers the polls of
//! many waits.
//!
//! Terraform applies up to `-parallelism` resources at a time, so the ten servers of a `count`
//! boot together and each wait polls its own server: ten GETs a round, about 25 rounds for a
//! 30 s boot, against an API that may be rate limited. So the polls of one kind work like a
//! group commit: a poll that finds no read of its kind on its way goes out at once, alone, as
//! the same GET as without sharing; polls that come while one is on its way queue, and when it
//! is answered they go out together as one listing of the objects that changed since the
//! earliest of their waits began (Nova's `changes-since`, Cinder's `updated_at` filter). Waits
//! that poll at the longest interval poll on a shared beat (see `wait`), so their polls come
//! together.
//!
//! The listing never decides alone that an object is unchanged or gone: an object it lacks
//! (not changed since its wait began, deleted, or on a page the cloud did not send), or shows
//! as deleted, is read with its own GET. A listing that fails only costs those GETs. Every poll
//! is answered by a read that started after the poll asked, so no wait sees an older status
//! than a GET of its own would have shown.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use tokio::sync::oneshot;

use crate::error::{Error, Result};
use crate::session::clock::CloudTime;
use crate::session::{Client, lock};

/// A kind of object that waits poll.
pub(crate) trait Watched: Clone + Send + Sync + 'static {
    const KIND: &'static str;

    fn watched_id(&self) -> &str;

    /// The object, read on its own; `None` when it does not exist.
    fn read(client: &Client, id: &str) -> impl Future<Output = Result<Option<Self>>> + Send;

    /// The objects of the project changed at or after `since`, every page; `None` when the
    /// cloud cannot list them that way.
    fn changed_since(
        client: &Client,
        since: SystemTime,
    ) -> impl Future<Output = Result<Option<Vec<Self>>>> + Send;

    /// A listed object the cloud keeps only as a record of its deletion.
    fn listed_as_deleted(&self) -> bool {
        false
    }
}

/// How far before a wait began a listing reaches back, beyond the cloud clock's own margin:
/// timestamps of whole seconds, and a status change just before the wait's first poll.
const LOOK_BACK: Duration = Duration::from_secs(2);

/// The current status of `id`, read with the polls of other waits of its kind when they come
/// together (see the module doc). `since`: when the wait began, on the cloud's clock.
pub(crate) async fn poll<T: Watched>(
    client: &Client,
    id: &str,
    since: CloudTime,
) -> Result<Option<T>> {
    let boards = client.shared::<Boards<T>>();
    let region = client.region().map(str::to_owned);
    let (answer, answered) = oneshot::channel();
    let start_reader = {
        let mut all = lock(&boards.by_region);
        let board = all.entry(region.clone()).or_default();
        let waiting = board.waiting.entry(id.to_owned()).or_default();
        waiting.answers.push(answer);
        let start = since
            .at
            .checked_sub(since.margin + LOOK_BACK)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        waiting.since = Some(waiting.since.map_or(start, |s| s.min(start)));
        !std::mem::replace(&mut board.reading, true)
    };
    if start_reader {
        // A task of its own: a wait that ends (a timeout, Terraform's cancel) must not end the
        // reads of the others queued behind it.
        let client = client.clone();
        tokio::spawn(async move { read_queued(&client, &boards, region).await });
    }
    answered.await.unwrap_or_else(|_| {
        Err(Error::Cancelled {
            operation: format!("read {} {id}", T::KIND),
        })
    })
}

struct Boards<T> {
    by_region: std::sync::Mutex<HashMap<Option<String>, Board<T>>>,
    /// The cloud refused such a listing (a filter it does not take): every poll reads alone
    /// from then on, instead of a refused request every round.
    refused: AtomicBool,
}

impl<T> Default for Boards<T> {
    fn default() -> Self {
        Self {
            by_region: std::sync::Mutex::default(),
            refused: AtomicBool::new(false),
        }
    }
}

/// The polls waiting for a read, and whether a reader is at work.
struct Board<T> {
    waiting: HashMap<String, Waiting<T>>,
    reading: bool,
}

impl<T> Default for Board<T> {
    fn default() -> Self {
        Self {
            waiting: HashMap::new(),
            reading: false,
        }
    }
}

/// The polls of one object (two waits may watch the same one).
struct Waiting<T> {
    answers: Vec<oneshot::Sender<Result<Option<T>>>>,
    /// The earliest moment a listing for these polls has to reach back to.
    since: Option<SystemTime>,
}

impl<T> Default for Waiting<T> {
    fn default() -> Self {
        Self {
            answers: Vec::new(),
            since: None,
        }
    }
}

/// Answers what is queued, round after round, until nothing is.
async fn read_queued<T: Watched>(client: &Client, boards: &Boards<T>, region: Option<String>) {
    loop {
        // Polls due at the same moment wake together: let them queue before the round starts.
        tokio::task::yield_now().await;
        let round = {
            let mut all = lock(&boards.by_region);
            let board = all.entry(region.clone()).or_default();
            let round = std::mem::take(&mut board.waiting);
            if round.is_empty() {
                board.reading = false;
            }
            round
        };
        if round.is_empty() {
            return;
        }
        answer(client, round, &boards.refused).await;
    }
}

async fn answer<T: Watched>(
    client: &Client,
    round: HashMap<String, Waiting<T>>,
    refused: &AtomicBool,
) {
    let mut listed = HashMap::new();
    if round.len() > 1 && !refused.load(Ordering::Relaxed) {
        let since = round.values().filter_map(|w| w.since).min();
        let since = since.unwrap_or(SystemTime::UNIX_EPOCH);
        match T::changed_since(client, since).await {
            Ok(Some(objects)) => {
                listed = objects
                    .into_iter()
                    .filter(|o| !o.listed_as_deleted())
                    .map(|o| (o.watched_id().to_owned(), o))
                    .collect();
            }
            Ok(None) => {}
            Err(e) => {
                if e.status().is_some_and(|s| s.is_client_error()) {
                    refused.store(true, Ordering::Relaxed);
                }
                tracing::debug!(
                    target: "scs_client::wait",
                    kind = T::KIND,
                    polls = round.len(),
                    error = %e,
                    "listing for waits failed; reading each object on its own"
                );
            }
        }
    }
    let mut reads = tokio::task::JoinSet::new();
    for (id, waiting) in round {
        match listed.remove(&id) {
            Some(object) => {
                for answer in waiting.answers {
                    let _ = answer.send(Ok(Some(object.clone())));
                }
            }
            None => {
                let client = client.clone();
                reads.spawn(async move { read_alone(&client, &id, waiting.answers).await });
            }
        }
    }
    reads.join_all().await;
}

/// One GET for the polls of one object. An error goes to the first poll; any others read again,
/// each on its own, so that every one gets an answer of its own.
async fn read_alone<T: Watched>(
    client: &Client,
    id: &str,
    answers: Vec<oneshot::Sender<Result<Option<T>>>>,
) {
    let mut answers = answers.into_iter();
    let Some(first) = answers.next() else {
        return;
    };
    match T::read(client, id).await {
        Ok(found) => {
            for answer in answers {
                let _ = answer.send(Ok(found.clone()));
            }
            let _ = first.send(Ok(found));
        }
        Err(e) => {
            let _ = first.send(Err(e));
            for answer in answers {
                let _ = answer.send(T::read(client, id).await);
            }
        }
    }
}

/// `since` as an ISO 8601 UTC timestamp of whole seconds, rounded down, for list filters.
pub(crate) fn iso_seconds(since: SystemTime) -> String {
    humantime::format_rfc3339_seconds(since).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_whole_seconds_in_utc() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_979_200_900);
        assert_eq!(iso_seconds(t), "2025-12-06T00:00:00Z");
    }
}
