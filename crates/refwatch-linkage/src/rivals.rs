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

/// Odds no larger than this (2^200), so that sums of them stay finite.
const MOST_ODDS: f64 = 1.606_938_044_258_990_3e60;

/// Rounds: the first sets each pair against all its rivals, the others
/// discount rivals that are taken.
const ROUNDS: usize = 4;

/// The probability of each pair given its rivals. `pairs` are the
/// candidates (record positions, below `records`), `odds` each pair's odds
/// of a match on its own (already allowing for the one-to-one prior, see
/// the caller), `decided` a pair's decision if it has one: a pair decided
/// the same takes both its records, one decided different is no rival.
pub(crate) fn probabilities(
    pairs: &[(u32, u32)],
    odds: &[f64],
    decided: impl Fn(usize) -> Option<bool>,
    records: usize,
) -> Vec<f64> {
    let odds: Vec<f64> = odds
        .iter()
        .enumerate()
        .map(|(i, &o)| match decided(i) {
            Some(true) => MOST_ODDS,
            Some(false) => 0.0,
            None => o.clamp(0.0, MOST_ODDS),
        })
        .collect();
    // Every record's sum over its pairs of `value`.
    let per_record = |value: &dyn Fn(usize) -> (f64, f64)| {
        let mut sums = vec![0.0f64; records];
        for (i, &(a, b)) in pairs.iter().enumerate() {
            let (for_a, for_b) = value(i);
            sums[a as usize] += for_a;
            sums[b as usize] += for_b;
        }
        sums
    };
    // Before the first round no record is taken: every rival counts.
    let mut p = vec![0.0f64; pairs.len()];
    for _ in 0..ROUNDS {
        // How surely each record is taken, by all its pairs.
        let taken = per_record(&|i| (p[i], p[i]));
        // A pair as a rival, seen from one record: as likely as its other
        // record is not taken by a third.
        let free = |i: usize, other: u32| (1.0 - (taken[other as usize] - p[i])).clamp(0.0, 1.0);
        let rival = |i: usize| {
            let (a, b) = pairs[i];
            (odds[i] * free(i, b), odds[i] * free(i, a))
        };
        let rivals = per_record(&rival);
        p = pairs
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| {
                let (from_a, from_b) = rival(i);
                let o = odds[i];
                o / (1.0
                    + o
                    + (rivals[a as usize] - from_a).max(0.0)
                    + (rivals[b as usize] - from_b).max(0.0))
            })
            .collect();
    }
    for (i, p) in p.iter_mut().enumerate() {
        if let Some(same) = decided(i) {
            *p = f64::from(u8::from(same));
        }
    }
    p
}
