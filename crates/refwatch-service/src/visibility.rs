//! What part of a dataset a reader may see.

use std::collections::HashSet;

use refwatch_domain::{Citation, Confidentiality, Dataset, LinkPair, SourceId};

/// The records at or below `ceiling`, without identities; citations of
/// sources above the ceiling are dropped, and so are links to records
/// dropped, and decisions on pairs with a record dropped. Places, actors, UPR reviews, mechanism records and figures
/// are public records.
pub fn readable_by(mut data: Dataset, ceiling: Confidentiality) -> Dataset {
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
    for f in &mut data.figures {
        keep(&mut f.citations);
    }
    // A decision shows only when both its records do: a link to a hidden
    // record would tell that the record exists.
    let persons: HashSet<_> = data.persons.iter().map(|p| p.id).collect();
    data.links.retain(|l| match l.pair {
        LinkPair::Incidents(a, b) => incidents.contains(&a) && incidents.contains(&b),
        LinkPair::Persons(a, b) => persons.contains(&a) && persons.contains(&b),
    });
    data
}
