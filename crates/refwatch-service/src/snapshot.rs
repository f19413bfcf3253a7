//! Shared read copies of the records.
//!
//! Reading every record from the store for each page does not scale to a
//! hundred thousand incidents. The core keeps one copy of all records (never
//! identities: the store does not load them with the records) and, per read
//! ceiling, the part a caller under that ceiling may read, tagged with the
//! store's data version. Every read asks the store for its version first (one
//! tiny query), so a change made by this process, another server or the
//! command line is seen by the next read; a stale copy is never served.

use std::collections::HashMap;
use std::sync::Arc;

use refwatch_domain::{Confidentiality, Dataset, PersonId};
use refwatch_guard::Guard;
use refwatch_storage::{Store, StoreError};

use crate::readable_by;

/// A publication guard and the copy of the records it was built for.
pub(crate) type GuardFor = (Arc<Dataset>, Arc<Guard<PersonId>>);

#[derive(Default)]
struct Held {
    version: Option<u64>,
    all: Option<Arc<Dataset>>,
    /// By ceiling and whether the text was screened for names.
    by_ceiling: HashMap<(Confidentiality, bool), Arc<Dataset>>,
}

/// The copies, shared by every caller of one core.
#[derive(Default)]
pub(crate) struct Snapshots {
    // An async lock: while one caller reloads, the others wait for its copy
    // instead of each reading every record again.
    held: tokio::sync::Mutex<Held>,
    /// The publication guard and the copy of the records it was built for.
    pub(crate) guard: tokio::sync::Mutex<Option<GuardFor>>,
    /// The search index and the data version it was built at.
    pub(crate) search: tokio::sync::Mutex<Option<(u64, Arc<refwatch_search::SearchIndex>)>>,
    /// The public tables, the copy of the records and the threshold they
    /// were made from.
    pub(crate) tables: tokio::sync::Mutex<Option<TablesFor>>,
    /// Views of public pages not yet written to the audit log, and since when.
    pub(crate) views: std::sync::Mutex<(u64, Option<refwatch_domain::Timestamp>)>,
    /// Sign-in back-off per name and client, shared by every caller.
    pub(crate) throttle: std::sync::Mutex<refwatch_accounts::Throttle>,
}

/// The public tables made from one copy of the records at one threshold.
pub(crate) type TablesFor = (Arc<Dataset>, u64, Arc<Vec<crate::public::PublicTable>>);

impl Snapshots {
    /// Every record, current as of this call.
    pub(crate) async fn all<S: Store>(&self, store: &S) -> Result<Arc<Dataset>, StoreError> {
        let version = store.data_version().await?;
        let mut held = self.held.lock().await;
        if held.version != Some(version) || held.all.is_none() {
            // Read after the version: if a change lands in between, the copy
            // is newer than its tag and the next read merely reloads.
            let mut data = store.load_dataset().await?;
            data.sort();
            *held = Held {
                version: Some(version),
                all: Some(Arc::new(data)),
                by_ceiling: HashMap::new(),
            };
        }
        Ok(held.all.clone().unwrap_or_default())
    }

    /// The records of `all` (a copy [`Snapshots::all`] gave) readable under
    /// `ceiling`; with a guard, their text screened for the names it holds.
    pub(crate) async fn readable(
        &self,
        all: Arc<Dataset>,
        ceiling: Confidentiality,
        guard: Option<&Guard<PersonId>>,
    ) -> Arc<Dataset> {
        let view_of = |all: &Dataset| {
            let mut view = readable_by(all.clone(), ceiling);
            if let Some(g) = guard {
                crate::guard::screen_dataset(&mut view, &mut g.screen(), None);
            }
            view
        };
        let mut held = self.held.lock().await;
        if !held.all.as_ref().is_some_and(|a| Arc::ptr_eq(a, &all)) {
            // Replaced since it was read: serve the copy as read, filtered,
            // without caching it.
            return Arc::new(view_of(&all));
        }
        let key = (ceiling, guard.is_some());
        if let Some(view) = held.by_ceiling.get(&key) {
            return view.clone();
        }
        let view = if ceiling == Confidentiality::Confidential && guard.is_none() {
            // Everything is readable: the same copy, no second one.
            all
        } else {
            Arc::new(view_of(&all))
        };
        held.by_ceiling.insert(key, view.clone());
        view
    }
}
