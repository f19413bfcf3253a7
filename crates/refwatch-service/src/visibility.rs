//! What part of a dataset a reader may see.

use std::collections::{HashMap, HashSet};

use refwatch_domain::{ActorId, Citation, Confidentiality, Dataset, LinkPair, PlaceId, SourceId};

/// The records at or below `ceiling`, without identities; citations of
/// sources above the ceiling are dropped, and so are links to records
/// dropped, and decisions on pairs with a record dropped. A record shows at
/// the highest level of what it reveals: places and actors used only by
/// records dropped are dropped (with the places and actors they are within
/// kept for those shown), and so are figures whose every source is dropped.
/// UPR reviews and mechanism records are public records.
pub fn readable_by(mut data: Dataset, ceiling: Confidentiality) -> Dataset {
    // Places and actors that only records above the ceiling use would say
    // where and by whom those happened: noted before the records go.
    let (hidden_places, hidden_actors) = used_by(&data, |level| level > ceiling);
    data.sources.retain(|s| s.confidentiality <= ceiling);
    data.incidents.retain(|i| i.confidentiality <= ceiling);
    data.persons.retain(|p| p.confidentiality <= ceiling);
    let sources: HashSet<SourceId> = data.sources.iter().map(|s| s.id).collect();
    let incidents: HashSet<_> = data.incidents.iter().map(|i| i.id).collect();
    let keep = |list: &mut Vec<Citation>| {
        list.retain(|c| sources.contains(&c.source) && c.via.is_none_or(|v| sources.contains(&v)));
    };
    for i in &mut data.incidents {
        keep(&mut i.citations);
        for r in &mut i.reports {
            keep(&mut r.citations);
        }
    }
    for p in &mut data.persons {
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
    let mut places: HashSet<PlaceId> = data
        .places
        .iter()
        .map(|p| p.id)
        .filter(|id| !hidden_places.contains(id) || used_places.contains(id))
        .collect();
    let parents: HashMap<PlaceId, Option<PlaceId>> =
        data.places.iter().map(|p| (p.id, p.parent)).collect();
    for id in places.clone() {
        // The places a shown place is within stay shown.
        let mut at = parents.get(&id).copied().flatten();
        while let Some(p) = at {
            if !places.insert(p) {
                break;
            }
            at = parents.get(&p).copied().flatten();
        }
    }
    data.places.retain(|p| places.contains(&p.id));
    let mut actors: HashSet<ActorId> = data
        .actors
        .iter()
        .map(|a| a.id)
        .filter(|id| !hidden_actors.contains(id) || used_actors.contains(id))
        .collect();
    let actor_parents: HashMap<ActorId, Option<ActorId>> =
        data.actors.iter().map(|a| (a.id, a.parent)).collect();
    for id in actors.clone() {
        let mut at = actor_parents.get(&id).copied().flatten();
        while let Some(a) = at {
            if !actors.insert(a) {
                break;
            }
            at = actor_parents.get(&a).copied().flatten();
        }
    }
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
