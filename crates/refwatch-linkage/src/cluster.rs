//! Clusters from links, strongest first, without merging through weak
//! bridges.

use std::collections::HashMap;

use crate::{Record, ScoredPair, Settings};

/// Records found to describe the same person.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The records (indexes into the input), in the order of their ids.
    pub members: Vec<usize>,
    /// The weakest link that joined them.
    pub weakest_link: f64,
}

/// Builds clusters from the scored pairs (strongest first).
pub(crate) fn build(
    records: &[Record],
    pairs: &[ScoredPair],
    settings: &Settings,
    diagnostics: &mut Vec<String>,
) -> Vec<Cluster> {
    let links = |p: &&ScoredPair| {
        p.label == Some(true) || (p.label.is_none() && p.probability >= settings.threshold)
    };
    let strong: HashMap<(usize, usize), f64> = pairs
        .iter()
        .filter(links)
        .map(|p| ((p.a, p.b), p.probability))
        .collect();
    let apart: std::collections::HashSet<(usize, usize)> = pairs
        .iter()
        .filter(|p| p.label == Some(false))
        .map(|p| (p.a, p.b))
        .collect();
    // Pairs decided the same come first, then the strongest links.
    let mut order: Vec<&ScoredPair> = pairs.iter().filter(links).collect();
    order.sort_by_key(|p| p.label != Some(true));
    // Each record's cluster, and each cluster's members and weakest link.
    let mut cluster_of: Vec<usize> = (0..records.len()).collect();
    let mut members: HashMap<usize, Vec<usize>> =
        (0..records.len()).map(|i| (i, vec![i])).collect();
    let mut weakest: HashMap<usize, f64> = HashMap::new();
    let (mut held, mut kept_apart) = (0usize, 0usize);
    for p in order {
        let (ca, cb) = (cluster_of[p.a], cluster_of[p.b]);
        if ca == cb {
            continue;
        }
        // Two records decided different are never in one cluster.
        if !apart.is_empty()
            && members[&ca].iter().any(|&x| {
                members[&cb]
                    .iter()
                    .any(|&y| apart.contains(&(x.min(y), x.max(y))))
            })
        {
            kept_apart += 1;
            continue;
        }
        let (size_a, size_b) = (members[&ca].len(), members[&cb].len());
        if size_a > 1 && size_b > 1 && p.label != Some(true) {
            // Two groups: join them only if the links between them hold on
            // the whole, not through this one pair alone.
            let mut linked = 0usize;
            for &x in &members[&ca] {
                for &y in &members[&cb] {
                    if strong.contains_key(&(x.min(y), x.max(y))) {
                        linked += 1;
                    }
                }
            }
            let support = linked as f64 / (size_a * size_b) as f64;
            if support < settings.bridge_support {
                held += 1;
                continue;
            }
        }
        let (keep, gone) = if size_a >= size_b { (ca, cb) } else { (cb, ca) };
        let moved = members.remove(&gone).unwrap_or_default();
        for &m in &moved {
            cluster_of[m] = keep;
        }
        members.entry(keep).or_default().extend(moved);
        let w = weakest.remove(&gone).unwrap_or(1.0);
        let entry = weakest.entry(keep).or_insert(1.0);
        let strength = if p.label == Some(true) {
            1.0
        } else {
            p.probability
        };
        *entry = entry.min(w).min(strength);
    }
    if held > 0 {
        diagnostics.push(format!(
            "{held} links between groups of records were held back: too few of the pairs between the groups are links, so one pair alone does not join them; review them"
        ));
    }
    if kept_apart > 0 {
        diagnostics.push(format!(
            "{kept_apart} links were not followed because they would put records decided different into one group"
        ));
    }
    let mut out: Vec<Cluster> = members
        .into_iter()
        .filter(|(_, m)| m.len() > 1)
        .map(|(c, mut m)| {
            m.sort_by(|&x, &y| records[x].id.cmp(&records[y].id));
            Cluster {
                members: m,
                weakest_link: weakest.get(&c).copied().unwrap_or(1.0),
            }
        })
        .collect();
    out.sort_by(|x, y| records[x.members[0]].id.cmp(&records[y.members[0]].id));
    out
}
