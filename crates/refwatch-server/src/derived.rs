//! What pages compute from a read copy of the records once per copy, not
//! once per request: lookups by id, the incident list's order and search
//! text, the overview's chart and map. A copy of the records is replaced
//! (never changed) when the data changes, so whatever is derived from one
//! copy stays right for as long as that copy is served.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use refwatch_domain::{
    ActorId, Confidentiality, Dataset, Incident, IncidentId, Lang, Mechanism, Person, PersonId,
    PlaceId, SourceId,
};
use refwatch_service::RecentChange;

/// The overview's figures in one language, rendered.
pub(crate) struct Overview {
    /// The per-year chart, SVG.
    pub(crate) chart: String,
    /// The map, SVG.
    pub(crate) map: String,
}

/// The incidents' list order and the postings its filters use: every list
/// holds ranks (positions in newest-first order) in ascending order, so a
/// page of any combination of filters is an intersection and a slice.
struct ListIndex {
    /// Incident positions in the dataset, newest first.
    order: Vec<u32>,
    /// The year of each rank: descending, so a year range is a rank range.
    years: Vec<i32>,
    by_kind: HashMap<String, Vec<u32>>,
    by_place: HashMap<PlaceId, Vec<u32>>,
    by_actor: HashMap<ActorId, Vec<u32>>,
    by_verification: HashMap<String, Vec<u32>>,
    by_level: HashMap<Confidentiality, Vec<u32>>,
    /// Words of titles and summaries, in lower case.
    words: BTreeMap<String, Vec<u32>>,
}

/// The words of a text, in lower case: letters and digits of any script.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<u32>>, key: K, rank: u32) {
    let list = map.entry(key).or_default();
    if list.last() != Some(&rank) {
        list.push(rank);
    }
}

impl ListIndex {
    fn new(data: &Dataset) -> Self {
        let mut order: Vec<u32> = (0..data.incidents.len() as u32).collect();
        order.sort_by_key(|&n| {
            std::cmp::Reverse(data.incidents[n as usize].date.start().first_day())
        });
        let mut index = Self {
            years: Vec::with_capacity(order.len()),
            order: Vec::new(),
            by_kind: HashMap::new(),
            by_place: HashMap::new(),
            by_actor: HashMap::new(),
            by_verification: HashMap::new(),
            by_level: HashMap::new(),
            words: BTreeMap::new(),
        };
        for (rank, &n) in order.iter().enumerate() {
            let rank = rank as u32;
            let i = &data.incidents[n as usize];
            index.years.push(i.date.start().get_year());
            push(&mut index.by_kind, i.kind.code().to_owned(), rank);
            for l in &i.places {
                push(&mut index.by_place, l.place, rank);
            }
            for l in &i.actors {
                push(&mut index.by_actor, l.actor, rank);
            }
            push(
                &mut index.by_verification,
                i.verification.code().to_owned(),
                rank,
            );
            push(&mut index.by_level, i.confidentiality, rank);
            for w in words(&i.title).chain(words(&i.summary)) {
                let list = index.words.entry(w).or_default();
                if list.last() != Some(&rank) {
                    list.push(rank);
                }
            }
        }
        index.order = order;
        index
    }

    /// Ranks of incidents with a word starting with `prefix`, ascending.
    fn word_prefix(&self, prefix: &str) -> Vec<u32> {
        let mut lists = self
            .words
            .range(prefix.to_owned()..)
            .take_while(|(w, _)| w.starts_with(prefix))
            .map(|(_, l)| l.as_slice());
        let Some(first) = lists.next() else {
            return Vec::new();
        };
        let mut out = first.to_vec();
        let mut more = false;
        for l in lists {
            out.extend_from_slice(l);
            more = true;
        }
        if more {
            out.sort_unstable();
            out.dedup();
        }
        out
    }
}

/// Keeps the ranks of `into` that are also in `other` (both ascending).
fn intersect(into: &mut Vec<u32>, other: &[u32]) {
    let mut at = 0;
    into.retain(|r| {
        // Galloping would do better on lopsided lists; postings here are
        // short or similar in length, and a binary search bounds the worst.
        match other[at..].binary_search(r) {
            Ok(found) => {
                at += found + 1;
                true
            }
            Err(skip) => {
                at += skip;
                false
            }
        }
    });
}

/// What the incident list asks for.
#[derive(Default)]
pub(crate) struct ListQuery {
    pub(crate) kind: Option<String>,
    pub(crate) from: Option<i32>,
    pub(crate) to: Option<i32>,
    pub(crate) place: Option<PlaceId>,
    pub(crate) actor: Option<ActorId>,
    pub(crate) verification: Option<String>,
    pub(crate) level: Option<Confidentiality>,
    /// Words every incident must have (as a word or the start of one).
    pub(crate) words: Vec<String>,
}

/// One read copy of the records with what is derived from it.
pub(crate) struct Derived {
    /// The records.
    pub(crate) data: Arc<Dataset>,
    list: ListIndex,
    incident_at: HashMap<IncidentId, usize>,
    person_at: HashMap<PersonId, usize>,
    persons_of: HashMap<IncidentId, Vec<usize>>,
    mechanisms_of: HashMap<IncidentId, Vec<usize>>,
    cited: HashMap<SourceId, usize>,
    overview: Mutex<HashMap<Lang, Arc<Overview>>>,
    /// The latest changes to these incidents. Every change to an incident
    /// replaces the copy, so they hold for as long as the copy does.
    pub(crate) recent: std::sync::OnceLock<Vec<RecentChange>>,
}

impl Derived {
    fn new(data: Arc<Dataset>) -> Self {
        let incident_at = data
            .incidents
            .iter()
            .enumerate()
            .map(|(n, i)| (i.id, n))
            .collect();
        let person_at = data
            .persons
            .iter()
            .enumerate()
            .map(|(n, p)| (p.id, n))
            .collect();
        let mut persons_of: HashMap<IncidentId, Vec<usize>> = HashMap::new();
        for (n, p) in data.persons.iter().enumerate() {
            for link in &p.incidents {
                persons_of.entry(link.incident).or_default().push(n);
            }
        }
        let mut mechanisms_of: HashMap<IncidentId, Vec<usize>> = HashMap::new();
        for (n, m) in data.mechanisms.iter().enumerate() {
            for i in &m.incidents {
                mechanisms_of.entry(*i).or_default().push(n);
            }
        }
        let mut cited: HashMap<SourceId, usize> = HashMap::new();
        for c in data.citations() {
            *cited.entry(c.source).or_default() += 1;
        }
        Self {
            cited,
            list: ListIndex::new(&data),
            data,
            incident_at,
            person_at,
            persons_of,
            mechanisms_of,
            overview: Mutex::default(),
            recent: std::sync::OnceLock::new(),
        }
    }

    /// An incident by id.
    pub(crate) fn incident(&self, id: IncidentId) -> Option<&Incident> {
        self.incident_at.get(&id).map(|&n| &*self.data.incidents[n])
    }

    /// A person by id.
    pub(crate) fn person(&self, id: PersonId) -> Option<&Person> {
        self.person_at.get(&id).map(|&n| &*self.data.persons[n])
    }

    /// How many citations quote a source.
    pub(crate) fn citations_of(&self, source: SourceId) -> usize {
        self.cited.get(&source).copied().unwrap_or(0)
    }

    /// The persons linked to an incident.
    pub(crate) fn persons_of(&self, incident: IncidentId) -> impl Iterator<Item = &Person> {
        self.persons_of
            .get(&incident)
            .into_iter()
            .flatten()
            .map(|&n| &*self.data.persons[n])
    }

    /// The mechanism records linked to an incident.
    pub(crate) fn mechanisms_of(&self, incident: IncidentId) -> impl Iterator<Item = &Mechanism> {
        self.mechanisms_of
            .get(&incident)
            .into_iter()
            .flatten()
            .map(|&n| &self.data.mechanisms[n])
    }

    /// The incidents `q` selects, newest first: how many, and those from
    /// position `skip` on, at most `take`.
    pub(crate) fn select<'a>(
        &'a self,
        q: &ListQuery,
        skip: usize,
        take: usize,
    ) -> (usize, Vec<&'a Incident>) {
        let list = &self.list;
        let lo = q.to.map_or(0, |to| list.years.partition_point(|&y| y > to));
        let hi = q
            .from
            .map_or(list.years.len(), |from| {
                list.years.partition_point(|&y| y >= from)
            })
            .max(lo);
        let none: &[u32] = &[];
        let found = |list: Option<&'a Vec<u32>>| -> Cow<'a, [u32]> {
            Cow::Borrowed(list.map_or(none, Vec::as_slice))
        };
        let mut postings: Vec<Cow<'a, [u32]>> = [
            q.kind.as_ref().map(|k| found(list.by_kind.get(k))),
            q.place.as_ref().map(|p| found(list.by_place.get(p))),
            q.actor.as_ref().map(|a| found(list.by_actor.get(a))),
            q.verification
                .as_ref()
                .map(|v| found(list.by_verification.get(v))),
            q.level.as_ref().map(|c| found(list.by_level.get(c))),
        ]
        .into_iter()
        .flatten()
        .collect();
        for w in q.words.iter().flat_map(|w| words(w)) {
            postings.push(Cow::Owned(list.word_prefix(&w)));
        }
        let at = |rank: u32| &*self.data.incidents[list.order[rank as usize] as usize];
        if postings.is_empty() {
            let shown = (lo + skip..hi).take(take).map(|r| at(r as u32)).collect();
            return (hi - lo, shown);
        }
        postings.sort_by_key(|p| p.len());
        let (lo, hi) = (lo as u32, hi as u32);
        let mut ranks: Vec<u32> = postings[0]
            .iter()
            .copied()
            .filter(|r| (lo..hi).contains(r))
            .collect();
        for p in &postings[1..] {
            intersect(&mut ranks, p);
        }
        let shown = ranks.iter().skip(skip).take(take).map(|&r| at(r)).collect();
        (ranks.len(), shown)
    }

    /// The overview in `lang`, rendered by `render` the first time it is asked for.
    pub(crate) fn overview(
        &self,
        lang: Lang,
        render: impl FnOnce(&Dataset) -> Overview,
    ) -> Arc<Overview> {
        let mut held = self.overview.lock().unwrap_or_else(PoisonError::into_inner);
        held.entry(lang)
            .or_insert_with(|| Arc::new(render(&self.data)))
            .clone()
    }
}

/// What was derived from the copies being served: one per read ceiling
/// at most, plus copies still in use by requests that began before a change.
#[derive(Default)]
pub(crate) struct DerivedCache {
    held: Mutex<Vec<Arc<Derived>>>,
}

impl DerivedCache {
    /// What is derived from `data`, computed now if it is a new copy.
    pub(crate) fn get(&self, data: Arc<Dataset>) -> Arc<Derived> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = held.iter().find(|d| Arc::ptr_eq(&d.data, &data)) {
            return found.clone();
        }
        // A copy that only this cache still holds has been replaced by the
        // core and is no longer being served: forget it.
        held.retain(|d| Arc::strong_count(&d.data) > 1);
        let derived = Arc::new(Derived::new(data));
        held.push(derived.clone());
        derived
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list's answer, the slow and obvious way.
    fn brute_force<'a>(all: &[(&'a Incident, Vec<String>)], q: &ListQuery) -> Vec<&'a Incident> {
        let wanted: Vec<String> = q.words.iter().flat_map(|w| words(w)).collect();
        all.iter()
            .filter(|(i, have)| {
                let year = i.date.year();
                q.kind.as_deref().is_none_or(|k| i.kind.code() == k)
                    && q.from.is_none_or(|y| year >= y)
                    && q.to.is_none_or(|y| year <= y)
                    && q.place
                        .is_none_or(|p| i.places.iter().any(|l| l.place == p))
                    && q.actor
                        .is_none_or(|a| i.actors.iter().any(|l| l.actor == a))
                    && q.verification
                        .as_deref()
                        .is_none_or(|v| i.verification.code() == v)
                    && q.level.is_none_or(|c| i.confidentiality == c)
                    && wanted
                        .iter()
                        .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
            })
            .map(|(i, _)| *i)
            .collect()
    }

    #[test]
    fn every_combination_of_filters_gives_what_filtering_one_by_one_gives() {
        let base = refwatch_synth::base(4);
        let data = Arc::new(refwatch_synth::generate(
            &base,
            &refwatch_synth::Spec {
                incidents: 3_000,
                persons: 0,
                seed: 11,
            },
        ));
        let derived = Derived::new(data.clone());
        let mut all: Vec<(&Incident, Vec<String>)> = data
            .incidents
            .iter()
            .map(|i| (&**i, words(&i.title).chain(words(&i.summary)).collect()))
            .collect();
        all.sort_by_key(|(i, _)| std::cmp::Reverse(i.date.start().first_day()));
        let places = [None, Some(base.places[0].id), Some(base.places[3].id)];
        let actors = [None, Some(base.actors[1].id)];
        let kinds = [None, Some("arrest"), Some("no_such_kind")];
        let years = [
            (None, None),
            (Some(2015), None),
            (None, Some(2016)),
            (Some(2017), Some(2019)),
            (Some(2020), Some(2014)),
        ];
        let texts: [&[&str]; 5] = [
            &[],
            &["river"],
            &["riv", "bor"],
            &["RIVER", "night"],
            &["nothingmatches"],
        ];
        let levels = [None, Some(Confidentiality::Restricted)];
        let mut checked = 0;
        for place in places {
            for actor in actors {
                for kind in kinds {
                    for (from, to) in years {
                        for text in texts {
                            for level in levels {
                                let q = ListQuery {
                                    kind: kind.map(str::to_owned),
                                    from,
                                    to,
                                    place,
                                    actor,
                                    verification: None,
                                    level,
                                    words: text.iter().map(|w| w.to_lowercase()).collect(),
                                };
                                let expected = brute_force(&all, &q);
                                let (count, page) = derived.select(&q, 20, 20);
                                assert_eq!(count, expected.len());
                                let ids =
                                    |l: &[&Incident]| l.iter().map(|i| i.id).collect::<Vec<_>>();
                                let want: Vec<&Incident> =
                                    expected.iter().skip(20).take(20).copied().collect();
                                assert_eq!(ids(&page), ids(&want));
                                checked += usize::from(count > 0);
                            }
                        }
                    }
                }
            }
        }
        assert!(
            checked > 100,
            "most combinations should match something: {checked}"
        );
    }

    #[test]
    fn replaced_copies_are_forgotten_and_current_ones_kept() {
        let cache = DerivedCache::default();
        let first = Arc::new(Dataset::default());
        let a = cache.get(first.clone());
        assert!(Arc::ptr_eq(&a, &cache.get(first.clone())));
        drop(a);
        // The core replaces its copy: only the cache still holds the first.
        drop(first);
        let second = Arc::new(Dataset::default());
        let b = cache.get(second.clone());
        assert!(Arc::ptr_eq(&b.data, &second));
        assert_eq!(cache.held.lock().unwrap().len(), 1);
    }
}
