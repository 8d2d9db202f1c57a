//! The creates of one client, so that adopting an object after a lost answer never takes one
//! that another create of the same process made or may be making: with `count = 3` networks of
//! one name, the network found after one lost answer may be a sibling's.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    /// (kind, ID) of every object a create returned or adopted.
    claimed: HashSet<(&'static str, String)>,
    /// Creates under way, by kind and identity.
    in_flight: HashMap<String, usize>,
}

/// A create under way; it ends when this is dropped.
pub struct InFlight {
    ledger: Arc<super::Inner>,
    key: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.ledger.ledger.with(|e| {
            if let Some(n) = e.in_flight.get_mut(&self.key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    e.in_flight.remove(&self.key);
                }
            }
        });
    }
}

impl Ledger {
    fn with<R>(&self, f: impl FnOnce(&mut Entries) -> R) -> R {
        f(&mut super::lock(&self.inner))
    }
}

impl super::Client {
    /// Notes a create of `kind` with `identity` as under way until the guard drops.
    pub(crate) fn create_started(&self, key: String) -> InFlight {
        self.inner
            .ledger
            .with(|e| *e.in_flight.entry(key.clone()).or_default() += 1);
        InFlight {
            ledger: self.inner.clone(),
            key,
        }
    }

    /// Whether creates other than the caller's are under way with `key`.
    pub(crate) fn others_in_flight(&self, key: &str) -> bool {
        self.inner
            .ledger
            .with(|e| e.in_flight.get(key).is_some_and(|n| *n > 1))
    }

    /// Records that a create returned or adopted object `id`; false when it was already taken.
    pub(crate) fn claim(&self, kind: &'static str, id: &str) -> bool {
        self.inner
            .ledger
            .with(|e| e.claimed.insert((kind, id.to_owned())))
    }

    pub(crate) fn is_claimed(&self, kind: &'static str, id: &str) -> bool {
        self.inner
            .ledger
            .with(|e| e.claimed.contains(&(kind, id.to_owned())))
    }
}
