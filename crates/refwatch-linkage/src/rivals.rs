//! Two lists that each name a person at most once: a record's candidate
//! pairs compete, since at most one of them can be a match.
//!
//! Each pair's odds are set against those of every other pair either of
//! its records is in, much as Bayes' rule would under the constraint: a
//! record with one strong candidate keeps it, a record with two alike
//! candidates gives each at most an even chance. A rival that is itself
//! taken (its other record matches someone else, more surely) counts for
//! less, in a few rounds of averaging, the way belief propagation settles
//! a matching.

use rayon::prelude::*;

/// Odds no larger than this (2^200), so that sums of them stay finite.
const MOST_ODDS: f64 = 1.606_938_044_258_990_3e60;

/// Rounds: the first sets each pair against all its rivals, the others
/// discount rivals that are taken.
const ROUNDS: usize = 4;

/// Odds below this (a pair about 30 bits against on its own) make a rival
/// of no account and a pair no rival can make likely: such pairs, most of
/// the candidates, are left out of the rounds and set against their
/// records' rivals once, at the end.
const NEGLIGIBLE: f64 = 1e-9;

/// The probability of each pair given its rivals. `pairs` are the
/// candidates (record positions, below `records`), `odds` each pair's odds
/// of a match on its own (already allowing for the one-to-one prior, see
/// the caller), `decided` a pair's decision if it has one: a pair decided
/// the same takes both its records, one decided different is no rival.
pub(crate) fn probabilities(
    pairs: &[(u32, u32)],
    odds: &[f64],
    decided: impl Fn(usize) -> Option<bool> + Sync,
    records: usize,
) -> Vec<f64> {
    let odds: Vec<f64> = odds
        .par_iter()
        .enumerate()
        .map(|(i, &o)| match decided(i) {
            Some(true) => MOST_ODDS,
            Some(false) => 0.0,
            None => o.clamp(0.0, MOST_ODDS),
        })
        .collect();
    // The pairs that count, in the pairs' order.
    let counted: Vec<u32> = (0..pairs.len() as u32)
        .into_par_iter()
        .filter(|&i| odds[i as usize] >= NEGLIGIBLE)
        .collect();
    let (pairs_counted, odds_counted): (Vec<(u32, u32)>, Vec<f64>) = counted
        .par_iter()
        .map(|&i| (pairs[i as usize], odds[i as usize]))
        .unzip();
    let (p, rivals) = rounds(&pairs_counted, &odds_counted, records);
    // The others against the rivals of the last round (which they are not
    // among).
    let mut out: Vec<f64> = pairs
        .par_iter()
        .zip(&odds)
        .map(|(&(a, b), &o)| o / (1.0 + o + rivals[a as usize] + rivals[b as usize]))
        .collect();
    for (&i, &p) in counted.iter().zip(&p) {
        out[i as usize] = p;
    }
    out.par_iter_mut().enumerate().for_each(|(i, p)| {
        if let Some(same) = decided(i) {
            *p = f64::from(u8::from(same));
        }
    });
    out
}

/// The rounds: each pair's probability, and each record's rivals in the
/// last round (the odds of its pairs, each as likely a rival as its other
/// record is not taken).
pub(crate) fn rounds(pairs: &[(u32, u32)], odds: &[f64], records: usize) -> (Vec<f64>, Vec<f64>) {
    let sides = Sides::of(pairs, records);
    // Before the first round no record is taken: every rival counts.
    let mut p = vec![0.0f64; pairs.len()];
    let mut rivals = vec![0.0f64; records];
    for _ in 0..ROUNDS {
        // How surely each record is taken, by all its pairs.
        let taken = sides.sums(|i, _| p[i]);
        // A pair as a rival, seen from each of its records: as likely as
        // its other record is not taken by a third.
        let free = |i: usize, other: u32| (1.0 - (taken[other as usize] - p[i])).clamp(0.0, 1.0);
        let rival: Vec<(f64, f64)> = pairs
            .par_iter()
            .enumerate()
            .map(|(i, &(a, b))| (odds[i] * free(i, b), odds[i] * free(i, a)))
            .collect();
        rivals = sides.sums(|i, first| if first { rival[i].0 } else { rival[i].1 });
        p = pairs
            .par_iter()
            .enumerate()
            .map(|(i, &(a, b))| {
                let (from_a, from_b) = rival[i];
                let o = odds[i];
                o / (1.0
                    + o
                    + (rivals[a as usize] - from_a).max(0.0)
                    + (rivals[b as usize] - from_b).max(0.0))
            })
            .collect();
    }
    (p, rivals)
}

/// Every record's pairs, in the pairs' order, each marked with the side
/// the record is on: so that sums over a record's pairs are made record by
/// record on every core, each adding in the pairs' order (the same sums,
/// to the last bit, whatever the number of cores).
pub(crate) struct Sides {
    /// Where each record's pairs start in `pairs`; one more at the end.
    starts: Vec<usize>,
    /// Pair positions, with the top bit set when the record is the pair's
    /// first.
    pairs: Vec<u64>,
}

impl Sides {
    const FIRST: u64 = 1 << 63;

    pub(crate) fn of(pairs: &[(u32, u32)], records: usize) -> Sides {
        let mut starts = vec![0usize; records + 1];
        for &(a, b) in pairs {
            starts[a as usize + 1] += 1;
            starts[b as usize + 1] += 1;
        }
        for r in 0..records {
            starts[r + 1] += starts[r];
        }
        let mut next = starts.clone();
        let mut out = vec![0u64; starts[records]];
        for (i, &(a, b)) in pairs.iter().enumerate() {
            let i = i as u64;
            out[next[a as usize]] = i | Self::FIRST;
            next[a as usize] += 1;
            out[next[b as usize]] = i;
            next[b as usize] += 1;
        }
        Sides { starts, pairs: out }
    }

    /// Per record, the sum over its pairs of `value(pair, whether the
    /// record is the pair's first)`.
    pub(crate) fn sums(&self, value: impl Fn(usize, bool) -> f64 + Sync) -> Vec<f64> {
        self.starts
            .par_windows(2)
            .map(|w| {
                self.pairs[w[0]..w[1]].iter().fold(0.0f64, |sum, &x| {
                    sum + value((x & !Self::FIRST) as usize, x & Self::FIRST != 0)
                })
            })
            .collect()
    }
}
