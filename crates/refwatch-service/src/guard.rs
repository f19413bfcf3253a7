//! The publication guard inside the core: text that leaves for a reader
//! who may not identify people is screened for the sealed names of every
//! person who has not consented to public advocacy (`refwatch-guard`), and
//! each name found is replaced by [`MASK`]. The guard is built from the
//! opened identities when a copy of the records is read whole, kept while
//! only incidents change (no name does), and never leaves the core.

use std::collections::HashSet;
use std::sync::Arc;

use refwatch_domain::{Citation, Dataset, Incident, IncidentId, MechanismDetail, PersonId};
use refwatch_guard::{Guard, Screen};
use refwatch_storage::Store;
use zeroize::Zeroizing;

use crate::{Service, ServiceError};

/// What a withheld name is replaced by.
pub const MASK: &str = "[withheld · 비공개]";

/// Text that names a person who has not consented, found by `check`: where
/// it is, never what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// The field, as validation names it (`incidents[3].title`), with the
    /// record's id.
    pub path: String,
    /// Whose name it holds.
    pub person: PersonId,
}

/// Every free-text field of an incident that [`screen_dataset`] screens.
fn incident_texts(i: &Incident) -> impl Iterator<Item = &str> {
    fn cited(c: &Citation) -> impl Iterator<Item = &str> {
        [c.quote.as_str(), c.locator.as_str()]
            .into_iter()
            .chain(c.note.as_deref())
    }
    [i.title.as_str(), i.summary.as_str()]
        .into_iter()
        .chain(i.citations.iter().flat_map(cited))
        .chain(i.reports.iter().flat_map(|r| {
            std::iter::once(r.summary.as_str()).chain(r.citations.iter().flat_map(cited))
        }))
}

/// Screens every free-text field of `data` that a reader may see,
/// replacing names with [`MASK`]; with `leaks`, records where each was.
///
/// With `done`, an incident of `data` found in that copy already screened
/// (whose id is not among those changed since) is taken from it as it is.
pub(crate) fn screen_dataset(
    data: &mut Dataset,
    screen: &mut Screen<'_, PersonId>,
    mut leaks: Option<&mut Vec<Leak>>,
    done: Option<(&Dataset, &HashSet<IncidentId>)>,
) {
    // Incidents are shared with the copy read: one is copied only when its
    // text names someone.
    let naming: Vec<bool> = data
        .incidents
        .iter_mut()
        .map(|i| {
            if let Some((screened, changed)) = done
                && !changed.contains(&i.id)
                && let Ok(at) = screened.incidents.binary_search_by_key(&i.id, |s| s.id)
            {
                *i = screened.incidents[at].clone();
                return false;
            }
            incident_texts(i).any(|t| !screen.find(t).is_empty())
        })
        .collect();
    let recorders_naming: Vec<bool> = data
        .persons
        .iter()
        .map(|p| {
            p.consent
                .as_ref()
                .is_some_and(|c| !screen.find(&c.recorded_by).is_empty())
        })
        .collect();
    let mut fix = |path: String, text: &mut String| {
        let hits = screen.find(text);
        if hits.is_empty() {
            return;
        }
        if let Some(leaks) = leaks.as_deref_mut() {
            leaks.extend(hits.iter().map(|h| Leak {
                path: path.clone(),
                person: h.owner,
            }));
        }
        *text = refwatch_guard::masked(text, &hits, MASK);
    };
    fn cites(fix: &mut impl FnMut(String, &mut String), path: &str, list: &mut [Citation]) {
        for (k, c) in list.iter_mut().enumerate() {
            fix(format!("{path}.citations[{k}].quote"), &mut c.quote);
            fix(format!("{path}.citations[{k}].locator"), &mut c.locator);
            if let Some(n) = c.note.as_mut() {
                fix(format!("{path}.citations[{k}].note"), n);
            }
        }
    }
    for (n, s) in data.sources.iter_mut().enumerate() {
        let path = format!("sources[{n}] ({})", s.id);
        fix(format!("{path}.title"), &mut s.title);
        for (field, value) in [
            ("author", &mut s.author),
            ("publisher", &mut s.publisher),
            ("note", &mut s.note),
        ] {
            if let Some(v) = value.as_mut() {
                fix(format!("{path}.{field}"), v);
            }
        }
    }
    for (n, i) in data.incidents.iter_mut().enumerate() {
        if !naming[n] {
            continue;
        }
        let i = Arc::make_mut(i);
        let path = format!("incidents[{n}] ({})", i.id);
        fix(format!("{path}.title"), &mut i.title);
        fix(format!("{path}.summary"), &mut i.summary);
        cites(&mut fix, &path, &mut i.citations);
        for (k, r) in i.reports.iter_mut().enumerate() {
            fix(format!("{path}.reports[{k}].summary"), &mut r.summary);
            cites(&mut fix, &format!("{path}.reports[{k}]"), &mut r.citations);
        }
    }
    for (n, m) in data.mechanisms.iter_mut().enumerate() {
        let path = format!("mechanisms[{n}] ({})", m.id);
        fix(format!("{path}.text"), &mut m.text);
        if let Some(r) = m.reference.as_mut() {
            fix(format!("{path}.reference"), r);
        }
        if let MechanismDetail::UprRecommendation {
            response: Some(r), ..
        } = &mut m.detail
        {
            fix(format!("{path}.response"), r);
        }
        cites(&mut fix, &path, &mut m.citations);
        for (k, note) in m.implementation.iter_mut().enumerate() {
            let at = format!("{path}.implementation[{k}]");
            fix(format!("{at}.summary"), &mut note.summary);
            cites(&mut fix, &at, &mut note.citations);
        }
    }
    // Who recorded a person's consent is free text a reader of the person
    // sees; a person's record is copied only when it names someone.
    for (n, p) in data.persons.iter_mut().enumerate() {
        if !recorders_naming[n] {
            continue;
        }
        let id = p.id;
        if let Some(c) = Arc::make_mut(p).consent.as_mut() {
            fix(
                format!("persons[{n}] ({id}).consent.recorded_by"),
                &mut c.recorded_by,
            );
        }
    }
    for (n, r) in data.upr_reviews.iter_mut().enumerate() {
        cites(
            &mut fix,
            &format!("upr_reviews[{n}] ({})", r.id),
            &mut r.citations,
        );
    }
    for (n, f) in data.figures.iter_mut().enumerate() {
        cites(
            &mut fix,
            &format!("figures[{n}] ({})", f.id),
            &mut f.citations,
        );
    }
}

impl<S: Store> Service<S> {
    /// The guard for the current data (see [`Service::guard_for`]).
    pub(crate) async fn guard(&self) -> Result<Option<Arc<Guard<PersonId>>>, ServiceError> {
        let all = self.snapshots.all(&self.store).await?;
        self.guard_for(&all).await
    }

    /// The guard for this copy of the records: the names of every person
    /// who has not consented to public advocacy, built once per copy (so a
    /// read copy is always screened for the persons it holds). `None`
    /// without the keys.
    pub(crate) async fn guard_for(
        &self,
        data: &Arc<Dataset>,
    ) -> Result<Option<Arc<Guard<PersonId>>>, ServiceError> {
        let Some(keys) = self.keys.as_deref() else {
            return Ok(None);
        };
        let mut held = self.snapshots.guard.lock().await;
        if let Some((built_for, g)) = held.as_ref()
            && Arc::ptr_eq(built_for, data)
        {
            return Ok(Some(g.clone()));
        }
        let consented: HashSet<PersonId> = data
            .persons
            .iter()
            .filter(|p| p.consent_public)
            .map(|p| p.id)
            .collect();
        let mut names: Vec<(PersonId, Zeroizing<String>)> = Vec::new();
        for (id, sealed) in self.store.sealed_identities().await? {
            if consented.contains(&id) {
                continue;
            }
            // A seal that does not open is reported by `check`.
            let Ok(identity) = keys.open_identity(id, &sealed) else {
                continue;
            };
            for name in [
                &identity.name_hangul,
                &identity.name_romanized,
                &identity.name_chinese,
            ]
            .into_iter()
            .flatten()
            {
                names.push((id, Zeroizing::new(name.clone())));
            }
        }
        let guard = tokio::task::spawn_blocking(move || {
            Guard::new(names.iter().map(|(id, n)| (*id, n.as_str())))
        })
        .await
        .map_err(|_| ServiceError::User("building the publication guard stopped".into()))?;
        let guard = Arc::new(guard);
        *held = Some((data.clone(), guard.clone()));
        Ok(Some(guard))
    }

    /// The records whose text names a person who has not consented, as a
    /// reader who may not identify people would have them withheld.
    pub(crate) async fn leaks(&self) -> Result<Vec<Leak>, ServiceError> {
        let all = self.snapshots.all(&self.store).await?;
        let Some(guard) = self.guard_for(&all).await? else {
            return Ok(Vec::new());
        };
        let mut data = (*all).clone();
        let mut leaks = Vec::new();
        screen_dataset(&mut data, &mut guard.screen(), Some(&mut leaks), None);
        // One line per field and person.
        let mut seen = HashSet::new();
        leaks.retain(|l| seen.insert((l.path.clone(), l.person)));
        Ok(leaks)
    }
}
