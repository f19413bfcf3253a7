//! Shared read copies of the records.
//!
//! Reading every record from the store for each page does not scale to a
//! hundred thousand incidents. The core keeps one copy of all records (never
//! identities: the store does not load them with the records) and, per read
//! ceiling, the part a caller under that ceiling may read, tagged with the
//! store's data version. Every read asks the store for its version first (one
//! tiny query), so a change made by this process, another server or the
//! command line is seen by the next read; a stale copy is never served.
//!
//! A copy is never changed; a change replaces it. When the store's journal
//! says that only incidents changed since the copy was read (the common
//! write: an incident added or edited), those incidents alone are read and
//! put in place, every other record shared with the old copy, so a write
//! costs what it changed rather than a read of everything. The copies per
//! ceiling are then made again when first asked for, taking each unchanged
//! incident from the old one as it was filtered and screened.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use refwatch_domain::{Confidentiality, Dataset, Incident, IncidentId, PersonId};
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
    /// Each made once, by the first reader who asks for it.
    by_ceiling: HashMap<(Confidentiality, bool), Arc<tokio::sync::OnceCell<Arc<Dataset>>>>,
    /// Copies per ceiling made before the incidents in `changed` changed:
    /// what they screened of other incidents still holds.
    stale: HashMap<(Confidentiality, bool), Arc<Dataset>>,
    changed: HashSet<IncidentId>,
}

/// Takes each incident of `view` whose id is not in `changed` from `old`
/// (an older copy made the same way), where it is.
fn reuse_unchanged(view: &mut Dataset, old: &Dataset, changed: &HashSet<IncidentId>) {
    for i in &mut view.incidents {
        if !changed.contains(&i.id)
            && let Ok(at) = old.incidents.binary_search_by_key(&i.id, |o| o.id)
        {
            *i = old.incidents[at].clone();
        }
    }
}

/// Past this many incidents changed, stale copies are not worth keeping.
const MAX_REUSED_CHANGES: usize = 10_000;

/// `all` with the incidents `changed` replaced by `fresh` (those of them
/// that still exist), each list still sorted by id.
fn with_incidents(all: &Dataset, changed: &[IncidentId], fresh: Vec<Incident>) -> Dataset {
    let mut next = all.clone();
    // Found by binary search: the others are not read at all.
    for id in changed {
        if let Ok(at) = next.incidents.binary_search_by_key(id, |i| i.id) {
            next.incidents.remove(at);
        }
    }
    for i in fresh {
        let at = next.incidents.partition_point(|j| j.id < i.id);
        next.incidents.insert(at, Arc::new(i));
    }
    next
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
    pub(crate) tables: tokio::sync::Mutex<Option<crate::public::TablesFor>>,
    /// Views of public pages not yet written to the audit log, and since when.
    pub(crate) views: std::sync::Mutex<(u64, Option<refwatch_domain::Timestamp>)>,
    /// Sign-in back-off per name and client, shared by every caller.
    pub(crate) throttle: std::sync::Mutex<refwatch_accounts::Throttle>,
}

impl Snapshots {
    /// Every record, current as of this call.
    ///
    /// A copy a change made stale is brought up to date by what changed
    /// when the store's journal says that only incidents changed: those are
    /// read again and put in place, sharing every other record with the old
    /// copy, and the copies per ceiling and the publication guard follow.
    /// Otherwise every record is read again.
    pub(crate) async fn all<S: Store>(&self, store: &S) -> Result<Arc<Dataset>, StoreError> {
        let version = store.data_version().await?;
        let mut held = self.held.lock().await;
        if let (Some(v), Some(all)) = (held.version, held.all.clone()) {
            if v == version {
                return Ok(all);
            }
            if let Some((now, changed)) = store.incidents_changed_since(v).await? {
                let fresh = store.incidents_by_id(&changed).await?;
                let next = Arc::new(with_incidents(&all, &changed, fresh));
                // The copies per ceiling are made again when asked for,
                // reusing what the old ones screened.
                let views = std::mem::take(&mut held.by_ceiling);
                held.stale.extend(
                    views
                        .into_iter()
                        .filter_map(|(k, cell)| Some((k, cell.get()?.clone()))),
                );
                held.changed.extend(changed);
                if held.changed.len() > MAX_REUSED_CHANGES {
                    held.stale.clear();
                    held.changed.clear();
                }
                held.version = Some(now);
                held.all = Some(next.clone());
                // The guard holds the names of persons, which did not change.
                let mut guard = self.guard.lock().await;
                if let Some((built_for, g)) = guard.take()
                    && Arc::ptr_eq(&built_for, &all)
                {
                    *guard = Some((next.clone(), g));
                }
                return Ok(next);
            }
        }
        // Read after the version: if a change lands in between, the copy
        // is newer than its tag and the next read merely reloads.
        let mut data = store.load_dataset().await?;
        data.sort();
        *held = Held {
            version: Some(version),
            all: Some(Arc::new(data)),
            ..Held::default()
        };
        Ok(held.all.clone().unwrap_or_default())
    }

    /// The records of `all` (a copy [`Snapshots::all`] gave) readable under
    /// `ceiling`; with a guard, their text screened for the names it holds.
    /// `None` when `all` has been replaced since, unless `or_uncached`: then
    /// the copy is filtered and screened whole, and not kept.
    pub(crate) async fn readable(
        &self,
        all: Arc<Dataset>,
        ceiling: Confidentiality,
        guard: Option<&Guard<PersonId>>,
        or_uncached: bool,
    ) -> Option<Arc<Dataset>> {
        let key = (ceiling, guard.is_some());
        let build = |done: Option<(&Dataset, &HashSet<IncidentId>)>| {
            if ceiling == Confidentiality::Confidential && guard.is_none() {
                // Everything is readable: the same copy, no second one.
                return all.clone();
            }
            let mut view = readable_by((*all).clone(), ceiling);
            match guard {
                Some(g) => crate::guard::screen_dataset(&mut view, &mut g.screen(), None, done),
                // The same incident as in the old copy, so that what pages
                // derived from it can be kept too.
                None => {
                    if let Some((old, changed)) = done {
                        reuse_unchanged(&mut view, old, changed);
                    }
                }
            }
            Arc::new(view)
        };
        // The copy is made outside the lock: readers of other ceilings are
        // not held up, and readers of this one wait for the one being made.
        let (cell, old) = {
            let mut held = self.held.lock().await;
            let current = held.all.as_ref().is_some_and(|a| Arc::ptr_eq(a, &all));
            if !current {
                // A copy replaced since it was read is served as read,
                // filtered, without being kept.
                drop(held);
                return or_uncached.then(|| build(None));
            }
            let cell = held.by_ceiling.entry(key).or_default().clone();
            if let Some(view) = cell.get() {
                return Some(view.clone());
            }
            let old = held
                .stale
                .get(&key)
                .map(|old| (old.clone(), held.changed.clone()));
            (cell, old)
        };
        let view = cell
            .get_or_init(|| async { build(old.as_ref().map(|(view, changed)| (&**view, changed))) })
            .await;
        Some(view.clone())
    }
}
