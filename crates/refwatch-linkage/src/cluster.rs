//! Clusters from links, strongest first, without merging through weak
//! bridges.

use std::collections::HashMap;

use crate::{ScoredPair, Settings};

/// Records found to describe the same person.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The records (indexes into the input), in the order of their ids.
    pub members: Vec<usize>,
    /// The weakest link that joined them.
    pub weakest_link: f64,
}

/// Builds clusters from the scored pairs (strongest first); `rank` is each
/// record's place in the order of their ids.
pub(crate) fn build(
    rank: &[u32],
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
    // Each record's cluster (named by one of its records), and each
    // cluster's members (none listed for a record alone) and weakest link.
    let mut cluster_of: Vec<usize> = (0..rank.len()).collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); rank.len()];
    fn group<'a>(members: &'a [Vec<usize>], cluster: &'a usize) -> &'a [usize] {
        match &members[*cluster] {
            alone if alone.is_empty() => std::slice::from_ref(cluster),
            listed => listed,
        }
    }
    let mut weakest: HashMap<usize, f64> = HashMap::new();
    let (mut held, mut kept_apart) = (0usize, 0usize);
    for p in order {
        let (ca, cb) = (cluster_of[p.a], cluster_of[p.b]);
        if ca == cb {
            continue;
        }
        let (group_a, group_b) = (group(&members, &ca), group(&members, &cb));
        // Two records decided different are never in one cluster.
        if !apart.is_empty()
            && group_a.iter().any(|&x| {
                group_b
                    .iter()
                    .any(|&y| apart.contains(&(x.min(y), x.max(y))))
            })
        {
            kept_apart += 1;
            continue;
        }
        let (size_a, size_b) = (group_a.len(), group_b.len());
        if size_a > 1 && size_b > 1 && p.label != Some(true) {
            // Two groups: join them only if the links between them hold on
            // the whole, not through this one pair alone.
            let mut linked = 0usize;
            for &x in group_a {
                for &y in group_b {
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
        let moved = match std::mem::take(&mut members[gone]) {
            alone if alone.is_empty() => vec![gone],
            listed => listed,
        };
        for &m in &moved {
            cluster_of[m] = keep;
        }
        if members[keep].is_empty() {
            members[keep].push(keep);
        }
        members[keep].extend(moved);
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
        .enumerate()
        .filter(|(_, m)| m.len() > 1)
        .map(|(c, mut m)| {
            m.sort_by_key(|&x| rank[x]);
            Cluster {
                members: m,
                weakest_link: weakest.get(&c).copied().unwrap_or(1.0),
            }
        })
        .collect();
    out.sort_by_key(|c| rank[c.members[0]]);
    out
}
