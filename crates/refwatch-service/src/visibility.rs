//! What part of a dataset a reader may see.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::Arc;

use refwatch_domain::{
    ActorId, Citation, Confidentiality, Dataset, IncidentId, LinkPair, PlaceId, SourceId,
};

/// The records at or below `ceiling`, without identities; citations of
/// sources above the ceiling are dropped, and so are links to records
/// dropped, and decisions on pairs with a record dropped. A record shows at
/// the highest level of what it reveals: places and actors used only by
/// records dropped are dropped (with the places and actors they are within
/// kept for those shown), and so are figures whose every source is dropped.
/// UPR reviews and mechanism records are public records.
pub fn readable_by(mut data: Dataset, ceiling: Confidentiality) -> Dataset {
    data.sources.retain(|s| s.confidentiality <= ceiling);
    let sources: HashSet<SourceId> = data.sources.iter().map(|s| s.id).collect();
    let shown =
        |c: &Citation| sources.contains(&c.source) && c.via.is_none_or(|v| sources.contains(&v));
    let keep = |list: &mut Vec<Citation>| list.retain(shown);
    // Places and actors that only records above the ceiling use would say
    // where and by whom those happened: noted as the records go, in the
    // one pass over them (a hundred thousand incidents are read once).
    let mut hidden = Uses::default();
    let mut used = Uses::default();
    let mut incidents: foldhash::HashSet<IncidentId> = foldhash::HashSet::default();
    data.incidents.retain_mut(|i| {
        let above = i.confidentiality > ceiling;
        let uses = if above { &mut hidden } else { &mut used };
        uses.places.extend(i.places.iter().map(|l| l.place));
        uses.actors.extend(i.actors.iter().map(|l| l.actor));
        if above {
            return false;
        }
        incidents.insert(i.id);
        // Shared with the copy read: copied only when a citation must go.
        let whole = i.citations.iter().all(shown)
            && i.reports.iter().all(|r| r.citations.iter().all(shown));
        if !whole {
            let i = Arc::make_mut(i);
            keep(&mut i.citations);
            for r in &mut i.reports {
                keep(&mut r.citations);
            }
        }
        true
    });
    data.persons.retain_mut(|p| {
        let above = p.confidentiality > ceiling;
        let uses = if above { &mut hidden } else { &mut used };
        uses.places.extend(p.origin_place);
        uses.places
            .extend(p.timeline.iter().filter_map(|e| e.place));
        if above {
            return false;
        }
        let whole = p.identity.is_none()
            && p.citations.iter().all(shown)
            && p.incidents.iter().all(|l| incidents.contains(&l.incident))
            && p.timeline
                .iter()
                .all(|e| e.incident.is_none_or(|i| incidents.contains(&i)));
        if !whole {
            let p = Arc::make_mut(p);
            p.identity = None;
            keep(&mut p.citations);
            p.incidents.retain(|l| incidents.contains(&l.incident));
            for e in &mut p.timeline {
                e.incident = e.incident.filter(|i| incidents.contains(i));
            }
        }
        true
    });
    for r in &mut data.upr_reviews {
        keep(&mut r.citations);
    }
    for m in &mut data.mechanisms {
        keep(&mut m.citations);
        m.incidents.retain(|i| incidents.contains(i));
    }
    // Every figure's place is noted as hidden (what a figure covers says
    // where); one reported only by sources above the ceiling is theirs.
    hidden
        .places
        .extend(data.figures.iter().filter_map(|f| f.place));
    data.figures.retain_mut(|f| {
        let cited = !f.citations.is_empty();
        keep(&mut f.citations);
        !cited || !f.citations.is_empty()
    });
    used.places
        .extend(data.figures.iter().filter_map(|f| f.place));
    let places = kept(
        data.places.iter().map(|p| (p.id, p.parent)),
        &hidden.places,
        &used.places,
    );
    data.places.retain(|p| places.contains(&p.id));
    let actors = kept(
        data.actors.iter().map(|a| (a.id, a.parent)),
        &hidden.actors,
        &used.actors,
    );
    data.actors.retain(|a| actors.contains(&a.id));
    // A decision shows only when both its records do: a link to a hidden
    // record would tell that the record exists.
    let persons: HashSet<_> = data.persons.iter().map(|p| p.id).collect();
    data.links.retain(|l| match l.pair {
        LinkPair::Incidents(a, b) => incidents.contains(&a) && incidents.contains(&b),
        LinkPair::Persons(a, b) => persons.contains(&a) && persons.contains(&b),
    });
    data
}

/// The places and actors some records use.
#[derive(Default)]
struct Uses {
    places: HashSet<PlaceId>,
    actors: HashSet<ActorId>,
}

/// The ids of records (each with its parent) to keep: those not used only
/// by hidden records, and everything a kept one lies within (the places a
/// shown place is in, the bodies a shown actor belongs to).
fn kept<Id: Copy + Eq + Hash>(
    records: impl Iterator<Item = (Id, Option<Id>)>,
    hidden: &HashSet<Id>,
    used: &HashSet<Id>,
) -> HashSet<Id> {
    let parents: HashMap<Id, Option<Id>> = records.collect();
    let mut keep: HashSet<Id> = parents
        .keys()
        .copied()
        .filter(|id| !hidden.contains(id) || used.contains(id))
        .collect();
    for id in keep.clone() {
        let mut at = parents.get(&id).copied().flatten();
        while let Some(parent) = at {
            if !keep.insert(parent) {
                break;
            }
            at = parents.get(&parent).copied().flatten();
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use refwatch_domain::{LinkDecision, Verdict};

    /// `readable_by` as it was written before it read each record once:
    /// the reference the one-pass version must agree with.
    fn reference(mut data: Dataset, ceiling: Confidentiality) -> Dataset {
        // Places and actors that only records above the ceiling use would say
        // where and by whom those happened: noted before the records go.
        let (hidden_places, hidden_actors) = used_by(&data, |level| level > ceiling);
        data.sources.retain(|s| s.confidentiality <= ceiling);
        data.incidents.retain(|i| i.confidentiality <= ceiling);
        data.persons.retain(|p| p.confidentiality <= ceiling);
        let sources: HashSet<SourceId> = data.sources.iter().map(|s| s.id).collect();
        let incidents: HashSet<_> = data.incidents.iter().map(|i| i.id).collect();
        let shown = |c: &Citation| {
            sources.contains(&c.source) && c.via.is_none_or(|v| sources.contains(&v))
        };
        let keep = |list: &mut Vec<Citation>| list.retain(shown);
        // Incidents and persons are shared with the copy read: one is copied
        // only when something in it must go.
        for i in &mut data.incidents {
            let whole = i.citations.iter().all(shown)
                && i.reports.iter().all(|r| r.citations.iter().all(shown));
            if !whole {
                let i = Arc::make_mut(i);
                keep(&mut i.citations);
                for r in &mut i.reports {
                    keep(&mut r.citations);
                }
            }
        }
        for p in &mut data.persons {
            let whole = p.identity.is_none()
                && p.citations.iter().all(shown)
                && p.incidents.iter().all(|l| incidents.contains(&l.incident))
                && p.timeline
                    .iter()
                    .all(|e| e.incident.is_none_or(|i| incidents.contains(&i)));
            if whole {
                continue;
            }
            let p = Arc::make_mut(p);
            p.identity = None;
            keep(&mut p.citations);
            p.incidents.retain(|l| incidents.contains(&l.incident));
            for e in &mut p.timeline {
                e.incident = e.incident.filter(|i| incidents.contains(i));
            }
        }
        for r in &mut data.upr_reviews {
            keep(&mut r.citations);
        }
        for m in &mut data.mechanisms {
            keep(&mut m.citations);
            m.incidents.retain(|i| incidents.contains(i));
        }
        // A figure reported only by sources above the ceiling is theirs.
        data.figures.retain_mut(|f| {
            let cited = !f.citations.is_empty();
            keep(&mut f.citations);
            !cited || !f.citations.is_empty()
        });
        let (used_places, used_actors) = used_by(&data, |_| true);
        let places = kept(
            data.places.iter().map(|p| (p.id, p.parent)),
            &hidden_places,
            &used_places,
        );
        data.places.retain(|p| places.contains(&p.id));
        let actors = kept(
            data.actors.iter().map(|a| (a.id, a.parent)),
            &hidden_actors,
            &used_actors,
        );
        data.actors.retain(|a| actors.contains(&a.id));
        // A decision shows only when both its records do: a link to a hidden
        // record would tell that the record exists.
        let persons: HashSet<_> = data.persons.iter().map(|p| p.id).collect();
        data.links.retain(|l| match l.pair {
            LinkPair::Incidents(a, b) => incidents.contains(&a) && incidents.contains(&b),
            LinkPair::Persons(a, b) => persons.contains(&a) && persons.contains(&b),
        });
        data
    }

    /// The places and actors used by incidents and persons whose level
    /// `counts`, and by every figure.
    fn used_by(
        data: &Dataset,
        counts: impl Fn(Confidentiality) -> bool,
    ) -> (HashSet<PlaceId>, HashSet<ActorId>) {
        let mut places = HashSet::new();
        let mut actors = HashSet::new();
        for i in data.incidents.iter().filter(|i| counts(i.confidentiality)) {
            places.extend(i.places.iter().map(|l| l.place));
            actors.extend(i.actors.iter().map(|l| l.actor));
        }
        for p in data.persons.iter().filter(|p| counts(p.confidentiality)) {
            places.extend(p.origin_place);
            places.extend(p.timeline.iter().filter_map(|e| e.place));
        }
        places.extend(data.figures.iter().filter_map(|f| f.place));
        (places, actors)
    }

    /// Generated records at every level, some cited by hidden sources,
    /// with figures and decisions, sorted as copies are.
    fn generated(seed: u64) -> Dataset {
        let mut base = refwatch_synth::base(6);
        let mut data = refwatch_synth::generate(
            &base,
            &refwatch_synth::Spec {
                incidents: 300,
                persons: 120,
                seed,
            },
        );
        let levels = Confidentiality::ALL;
        for (n, s) in base.sources.iter_mut().enumerate() {
            s.confidentiality = levels[(n + seed as usize) % 3];
        }
        // A place within another that only confidential incidents use.
        let mut secret_place = base.places[0].clone();
        secret_place.id = refwatch_domain::PlaceId::random();
        secret_place.parent = Some(base.places[0].id);
        for (n, i) in data.incidents.iter_mut().enumerate() {
            if n % 7 == 0 {
                let i = Arc::make_mut(i);
                i.confidentiality = levels[(n / 7 + seed as usize) % 3];
                if i.confidentiality == Confidentiality::Confidential
                    && let Some(l) = i.places.first_mut()
                {
                    l.place = secret_place.id;
                }
            }
        }
        base.places.push(secret_place);
        let ids: Vec<IncidentId> = data.incidents.iter().map(|i| i.id).collect();
        for k in 0..20 {
            if let Some(pair) = refwatch_domain::LinkPair::incidents(ids[k], ids[k * 7 + 1]) {
                data.links.push(LinkDecision {
                    pair,
                    verdict: Verdict::Same,
                });
            }
        }
        data.sources = base.sources;
        data.places = base.places;
        data.actors = base.actors;
        data.upr_reviews = base.upr_reviews;
        data.mechanisms = base.mechanisms;
        data.figures = base.figures;
        data.sort();
        data
    }

    #[test]
    fn one_pass_gives_what_the_reference_gives_at_every_ceiling() {
        let (mut dropped, mut uncited, mut unplaced) = (0, 0, 0);
        for seed in 0..6 {
            let data = generated(seed);
            for ceiling in Confidentiality::ALL {
                let fast = readable_by(data.clone(), ceiling);
                let slow = reference(data.clone(), ceiling);
                assert_eq!(fast, slow, "seed {seed}, ceiling {ceiling:?}");
                assert!(fast.incidents.iter().all(|i| i.confidentiality <= ceiling));
                dropped += data.incidents.len() - fast.incidents.len();
                unplaced += data.places.len() - fast.places.len();
                uncited += fast
                    .incidents
                    .iter()
                    .filter(|i| {
                        let whole = data.incidents.iter().find(|w| w.id == i.id).unwrap();
                        i.citations.len() < whole.citations.len()
                    })
                    .count();
            }
        }
        // The sets exercise every way a record is cut.
        assert!(
            dropped > 0 && uncited > 0 && unplaced > 0,
            "{dropped} {uncited} {unplaced}"
        );
    }
}
