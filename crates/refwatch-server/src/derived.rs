//! What pages compute from a read copy of the records once per copy, not
//! once per request: lookups by id, the incident list's order and search
//! text, the overview's chart and map. A copy of the records is replaced
//! (never changed) when the data changes, so whatever is derived from one
//! copy stays right for as long as that copy is served.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use refwatch_domain::SameGroups;
use refwatch_domain::{
    ActorId, Confidentiality, Dataset, Incident, IncidentId, Lang, Mechanism, Person, PersonId,
    PlaceId, SourceId,
};
use refwatch_service::RecentChange;
use refwatch_stats::{YearRange, YearRows};

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
    /// The rank of each position: `order` inverted.
    rank_of: Vec<u32>,
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
        let mut rank_of = vec![0u32; order.len()];
        for (rank, &n) in order.iter().enumerate() {
            rank_of[n as usize] = rank as u32;
        }
        let mut index = Self {
            years: Vec::with_capacity(order.len()),
            order: Vec::new(),
            rank_of,
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

/// Incidents changed since the list's copy: the list answers for the
/// others, and these are filtered one by one.
#[derive(Default)]
struct Changes {
    /// Ranks in the list of incidents changed or deleted since, ascending.
    gone: Vec<u32>,
    /// Their ids.
    gone_ids: HashSet<IncidentId>,
    /// The changed incidents as they are now, in the list's order.
    added: Vec<Arc<Incident>>,
}

/// What the overview counts: incidents and people per year and kind, the
/// years incidents began in, and incidents per place. Kept up to date
/// across changes to incidents that no decision groups with another.
#[derive(Clone)]
pub(crate) struct Counts {
    same: Arc<SameGroups<IncidentId>>,
    /// Rows of every year.
    pub(crate) rows: YearRows,
    /// Incidents per year they began in.
    pub(crate) years: BTreeMap<i32, u64>,
    /// Incidents per place.
    pub(crate) places: HashMap<PlaceId, u64>,
}

impl Counts {
    fn new(data: &Dataset) -> Self {
        let same = Arc::new(refwatch_domain::same_incidents(&data.links));
        let rows = refwatch_stats::year_rows(
            data.incidents.iter().map(|i| &**i),
            &same,
            YearRange::default(),
            None,
        );
        let mut counts = Self {
            same,
            rows,
            years: BTreeMap::new(),
            places: HashMap::new(),
        };
        for i in &data.incidents {
            counts.tally(i, true);
        }
        counts
    }

    /// Counts the year and places of `i` in (`true`) or out.
    fn tally(&mut self, i: &Incident, add: bool) {
        let step = |n: &mut u64| *n = if add { *n + 1 } else { n.saturating_sub(1) };
        let year = self.years.entry(i.date.year()).or_default();
        step(year);
        if *year == 0 {
            self.years.remove(&i.date.year());
        }
        for link in &i.places {
            step(self.places.entry(link.place).or_default());
        }
    }

    /// The counts of `data`, which differs from `before` (counted in
    /// `self`) in the incidents `changed`; `None` when one of them is
    /// grouped with another, which only counting anew gets right.
    fn after(&self, before: &Dataset, data: &Dataset, changed: &[IncidentId]) -> Option<Self> {
        if changed.iter().any(|id| self.same.contains(*id)) {
            return None;
        }
        let mut next = self.clone();
        for id in changed {
            for (copy, add) in [(before, false), (data, true)] {
                let Ok(at) = copy.incidents.binary_search_by_key(id, |i| i.id) else {
                    continue;
                };
                let i = &copy.incidents[at];
                if add {
                    next.rows.add(i, &[i.id]);
                } else {
                    next.rows.remove(i, &[i.id]);
                }
                next.tally(i, add);
            }
        }
        Some(next)
    }
}

/// Past this many incidents changed, the list is made again.
const MOST_CHANGES: usize = 2_048;

/// The list's order: newest first, then by id.
fn list_key(i: &Incident) -> (std::cmp::Reverse<(i32, u8, u8)>, IncidentId) {
    (std::cmp::Reverse(i.date.start().first_day()), i.id)
}

/// Whether `i` is one of the incidents `q` selects (`wanted`: the query's
/// words, as [`words`] splits them).
fn selects(q: &ListQuery, wanted: &[String], i: &Incident) -> bool {
    let year = i.date.start().get_year();
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
        && (wanted.is_empty() || {
            let have: Vec<String> = words(&i.title).chain(words(&i.summary)).collect();
            wanted
                .iter()
                .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
        })
}

/// One read copy of the records with what is derived from it.
pub(crate) struct Derived {
    /// The records.
    pub(crate) data: Arc<Dataset>,
    /// The incident list's index, made for `listed`.
    list: Arc<ListIndex>,
    listed: Arc<Dataset>,
    /// What changed between `listed` and `data`.
    changes: Changes,
    persons_of: Arc<HashMap<IncidentId, Vec<usize>>>,
    mechanisms_of: Arc<HashMap<IncidentId, Vec<usize>>>,
    cited: HashMap<SourceId, usize>,
    counts: std::sync::OnceLock<Arc<Counts>>,
    overview: Mutex<HashMap<Lang, Arc<Overview>>>,
    choices: Mutex<HashMap<Lang, Arc<crate::pages::FilterChoices>>>,
    /// The latest changes to these incidents. Every change to an incident
    /// replaces the copy, so they hold for as long as the copy does.
    pub(crate) recent: std::sync::OnceLock<Vec<RecentChange>>,
}

impl Derived {
    fn new(data: Arc<Dataset>) -> Self {
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
            list: Arc::new(ListIndex::new(&data)),
            listed: data.clone(),
            changes: Changes::default(),
            data,
            persons_of: Arc::new(persons_of),
            mechanisms_of: Arc::new(mechanisms_of),
            counts: std::sync::OnceLock::new(),
            overview: Mutex::default(),
            choices: Mutex::default(),
            recent: std::sync::OnceLock::new(),
        }
    }

    /// What is derived from `data`, a copy that differs from `before`'s in
    /// the incidents `changed` only: the list and the lookups are kept, and
    /// the changed incidents are looked at one by one.
    fn after(before: &Derived, data: Arc<Dataset>, changed: &[IncidentId]) -> Self {
        let find = |d: &Dataset, id: &IncidentId| {
            d.incidents
                .binary_search_by_key(id, |i| i.id)
                .ok()
                .map(|at| d.incidents[at].clone())
        };
        let mut cited = before.cited.clone();
        for id in changed {
            for (old, sign) in [(find(&before.data, id), false), (find(&data, id), true)] {
                let Some(i) = old else { continue };
                let cites = i
                    .citations
                    .iter()
                    .chain(i.reports.iter().flat_map(|r| r.citations.iter()));
                for c in cites {
                    let n = cited.entry(c.source).or_default();
                    *n = if sign { *n + 1 } else { n.saturating_sub(1) };
                }
            }
        }
        let mut changes = Changes {
            gone: before.changes.gone.clone(),
            gone_ids: before.changes.gone_ids.clone(),
            added: Vec::new(),
        };
        let now: HashSet<IncidentId> = changed.iter().copied().collect();
        for id in changed {
            if changes.gone_ids.contains(id) {
                continue;
            }
            if let Ok(at) = before.listed.incidents.binary_search_by_key(id, |i| i.id) {
                changes.gone.push(before.list.rank_of[at]);
                changes.gone_ids.insert(*id);
            }
        }
        changes.gone.sort_unstable();
        changes.added = before
            .changes
            .added
            .iter()
            .filter(|i| !now.contains(&i.id))
            .cloned()
            .chain(changed.iter().filter_map(|id| find(&data, id)))
            .collect();
        changes.added.sort_by_key(|i| list_key(i));
        let counts = std::sync::OnceLock::new();
        if let Some(c) = before.counts.get()
            && let Some(next) = c.after(&before.data, &data, changed)
        {
            let _ = counts.set(Arc::new(next));
        }
        Self {
            counts,
            data,
            list: before.list.clone(),
            listed: before.listed.clone(),
            changes,
            persons_of: before.persons_of.clone(),
            mechanisms_of: before.mechanisms_of.clone(),
            cited,
            overview: Mutex::default(),
            choices: Mutex::default(),
            recent: std::sync::OnceLock::new(),
        }
    }

    /// An incident by id.
    pub(crate) fn incident(&self, id: IncidentId) -> Option<&Incident> {
        let at = self
            .data
            .incidents
            .binary_search_by_key(&id, |i| i.id)
            .ok()?;
        Some(&*self.data.incidents[at])
    }

    /// A person by id.
    pub(crate) fn person(&self, id: PersonId) -> Option<&Person> {
        let at = self.data.persons.binary_search_by_key(&id, |p| p.id).ok()?;
        Some(&*self.data.persons[at])
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
        let at = |rank: u32| &*self.listed.incidents[list.order[rank as usize] as usize];
        // The list's answer without the incidents changed since, and the
        // changed ones that the query selects, merged in the list's order.
        let gone = &self.changes.gone;
        let (base, base_count): (Box<dyn Iterator<Item = u32> + '_>, usize) = if postings.is_empty()
        {
            let (lo, hi) = (lo as u32, hi as u32);
            let inside = gone.partition_point(|&r| r < hi) - gone.partition_point(|&r| r < lo);
            (Box::new(lo..hi), (hi - lo) as usize - inside)
        } else {
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
            let inside = gone
                .iter()
                .filter(|r| ranks.binary_search(r).is_ok())
                .count();
            let count = ranks.len() - inside;
            (Box::new(ranks.into_iter()), count)
        };
        if gone.is_empty() && self.changes.added.is_empty() {
            // Nothing changed since the list was made: a slice of it.
            return (base_count, base.skip(skip).take(take).map(at).collect());
        }
        let base = base.filter(|r| gone.binary_search(r).is_err());
        let wanted: Vec<String> = q.words.iter().flat_map(|w| words(w)).collect();
        let added: Vec<&Incident> = self
            .changes
            .added
            .iter()
            .filter(|i| selects(q, &wanted, i))
            .map(|i| &**i)
            .collect();
        let count = base_count + added.len();
        let mut added = added.into_iter().peekable();
        let mut base = base.map(at).peekable();
        let mut shown = Vec::new();
        let mut passed = 0;
        while shown.len() < take {
            let next = match (base.peek(), added.peek()) {
                (None, None) => break,
                (Some(_), None) => base.next(),
                (None, Some(_)) => added.next(),
                (Some(b), Some(a)) => {
                    if list_key(a) < list_key(b) {
                        added.next()
                    } else {
                        base.next()
                    }
                }
            };
            let Some(i) = next else { break };
            if passed >= skip {
                shown.push(i);
            }
            passed += 1;
        }
        (count, shown)
    }

    /// The incident list's filter choices in `lang`, made by `make` the
    /// first time they are asked for.
    pub(crate) fn filter_choices(
        &self,
        lang: Lang,
        make: impl FnOnce(&Dataset) -> crate::pages::FilterChoices,
    ) -> Arc<crate::pages::FilterChoices> {
        let mut held = self.choices.lock().unwrap_or_else(PoisonError::into_inner);
        held.entry(lang)
            .or_insert_with(|| Arc::new(make(&self.data)))
            .clone()
    }

    /// The overview in `lang`, rendered by `render` the first time it is asked for.
    pub(crate) fn overview(
        &self,
        lang: Lang,
        render: impl FnOnce(&Dataset, &Counts) -> Overview,
    ) -> Arc<Overview> {
        let counts = self
            .counts
            .get_or_init(|| Arc::new(Counts::new(&self.data)));
        let mut held = self.overview.lock().unwrap_or_else(PoisonError::into_inner);
        held.entry(lang)
            .or_insert_with(|| Arc::new(render(&self.data, counts)))
            .clone()
    }
}

/// Where a copy being derived will be, once it is.
type Slot = Arc<std::sync::OnceLock<Arc<Derived>>>;

/// What was derived from the copies being served: one per read ceiling
/// at most, plus copies still in use by requests that began before a change.
#[derive(Default)]
pub(crate) struct DerivedCache {
    held: Mutex<Vec<Arc<Derived>>>,
    /// Copies being derived now, each by the first request for it (the
    /// others wait for it), outside the lock on `held`.
    making: Mutex<Vec<(Arc<Dataset>, Slot)>>,
}

impl DerivedCache {
    /// What is derived from `data`, computed now if it is a new copy.
    pub(crate) fn get(&self, data: Arc<Dataset>) -> Arc<Derived> {
        let before = {
            let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(found) = held.iter().find(|d| Arc::ptr_eq(&d.data, &data)) {
                return found.clone();
            }
            held.clone()
        };
        let slot = {
            let mut making = self.making.lock().unwrap_or_else(PoisonError::into_inner);
            making.retain(|(d, slot)| slot.get().is_none() || Arc::strong_count(d) > 1);
            match making.iter().find(|(d, _)| Arc::ptr_eq(d, &data)) {
                Some((_, slot)) => slot.clone(),
                None => {
                    let slot = Arc::new(std::sync::OnceLock::new());
                    making.push((data.clone(), slot.clone()));
                    slot
                }
            }
        };
        let derived = slot
            .get_or_init(|| Arc::new(Self::derive(data.clone(), &before)))
            .clone();
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if !held.iter().any(|d| Arc::ptr_eq(d, &derived)) {
            held.push(derived.clone());
            Self::forget_replaced(&mut held);
        }
        self.making
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(d, _)| !Arc::ptr_eq(d, &data));
        derived
    }

    /// What is derived from `data`: from one of `before` (the latest
    /// first) when the two copies differ in some incidents only (a change
    /// to them since), otherwise anew.
    fn derive(data: Arc<Dataset>, before: &[Arc<Derived>]) -> Derived {
        let kept = before.iter().rev().find_map(|d| {
            let changed = data.incidents_changed_from(&d.data)?;
            let total = changed.len() + d.changes.gone.len() + d.changes.added.len();
            (total <= MOST_CHANGES).then_some((d, changed))
        });
        match kept {
            Some((d, changed)) => Derived::after(d, data, &changed),
            None => Derived::new(data),
        }
    }

    /// Forgets a copy that only this cache still holds (as what was derived
    /// from it, or as the copy a kept list was made for): the core has
    /// replaced it and it is no longer being served.
    fn forget_replaced(held: &mut Vec<Arc<Derived>>) {
        let inside = |data: &Arc<Dataset>| {
            held.iter()
                .map(|e| {
                    usize::from(Arc::ptr_eq(&e.data, data))
                        + usize::from(Arc::ptr_eq(&e.listed, data))
                })
                .sum::<usize>()
        };
        let served: Vec<bool> = held
            .iter()
            .map(|d| Arc::strong_count(&d.data) > inside(&d.data))
            .collect();
        let mut served = served.into_iter();
        held.retain(|_| served.next().unwrap_or(false));
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

    /// Asks `derived` every combination of filters and checks each answer
    /// (its count and its second page) against filtering one by one.
    fn answers_as_filtering_one_by_one(derived: &Derived, base: &Dataset) {
        let data = &derived.data;
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
        let texts: [&[&str]; 6] = [
            &[],
            &["river"],
            &["riv", "bor"],
            &["RIVER", "night"],
            &["nothingmatches"],
            &["edited"],
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

    fn generated(base: &Dataset, seed: u64) -> Dataset {
        let mut data = refwatch_synth::generate(
            base,
            &refwatch_synth::Spec {
                incidents: 3_000,
                persons: 0,
                seed,
            },
        );
        data.sort();
        data
    }

    #[test]
    fn every_combination_of_filters_gives_what_filtering_one_by_one_gives() {
        let base = refwatch_synth::base(4);
        let derived = Derived::new(Arc::new(generated(&base, 11)));
        answers_as_filtering_one_by_one(&derived, &base);
    }

    /// `data` with some incidents deleted, some edited (date, kind, words)
    /// and some added from `more`; the others shared.
    fn changed(data: &Dataset, more: &Dataset, round: usize) -> Dataset {
        let mut next = data.clone();
        next.incidents
            .retain(|i| i.id.to_string().as_bytes()[round] % 16 != 0);
        for (n, i) in next.incidents.iter_mut().enumerate() {
            if n % 97 == round {
                let i = Arc::make_mut(i);
                i.title = format!("Edited {n}");
                i.date = "2018-03".parse().unwrap();
                i.kind = refwatch_domain::Term::new("arrest");
            }
        }
        next.incidents
            .extend(more.incidents.iter().skip(round * 40).take(40).cloned());
        next.sort();
        next
    }

    #[test]
    fn a_list_kept_across_changes_answers_as_one_made_anew() {
        let base = refwatch_synth::base(4);
        let first = Arc::new(generated(&base, 11));
        let more = generated(&base, 12);
        let mut derived = Derived::new(first.clone());
        let mut data = first;
        for round in 0..3 {
            let next = Arc::new(changed(&data, &more, round));
            let delta = next.incidents_changed_from(&data).unwrap();
            assert!(!delta.is_empty() && delta.len() < 400, "{}", delta.len());
            derived = Derived::after(&derived, next.clone(), &delta);
            // The list was kept, not made again.
            assert!(!derived.changes.added.is_empty());
            answers_as_filtering_one_by_one(&derived, &base);
            let anew = Derived::new(next.clone());
            for source in next.sources.iter().map(|s| s.id) {
                assert_eq!(derived.citations_of(source), anew.citations_of(source));
            }
            data = next;
        }
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
