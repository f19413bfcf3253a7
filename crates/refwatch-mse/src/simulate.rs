//! A simulation study: populations of known size, lists that catch people
//! unevenly and depend on each other, and how often each method's 95%
//! interval covers the truth.
//!
//! Each scenario says which assumption it breaks and which method is
//! built for it, so the table reads as an explanation, not a ranking:
//!
//! - `independent` breaks nothing: every method should cover.
//! - `dependent` makes one list follow another (referrals): models of
//!   list dependence (Mt with interactions, and the averaging over
//!   decomposable graphs, built for exactly this) cover; Mt does not.
//! - `heterogeneous` makes some people easier to document on every list
//!   alike: the log-linear heterogeneity models (Mth Darroch, Mh Normal)
//!   are built for it; the AIC choice among all models often lands on
//!   Gamma3.5, whose heavy tail overshoots.
//! - `heterogeneous+dependent`: two kinds of people, each seen mostly by
//!   two of the lists; the latent class model (LCMCR) is built for it.
//! - `hidden`: a third of the people are almost never documented, on any
//!   list. No method can find them: people whom every list misses leave
//!   no trace in the overlaps, so every interval misses low. This is
//!   said, not tuned away.
//!
//! Tables of any scenario can be written out (`refwatch simulate
//! --write-tables`) to check the study with other software.

use rand::SeedableRng;
use rand_distr::{Binomial, Distribution};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::CaptureTable;
use crate::bma;
use crate::lcmcr;
use crate::loglinear;

/// A kind of population and lists.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short name.
    pub name: &'static str,
    /// What it models.
    pub description: &'static str,
    /// The assumption it breaks.
    pub breaks: &'static str,
    /// The method built for it, or why none is.
    pub built_for: &'static str,
    /// The log-linear model built for it, if one is.
    pub model: Option<loglinear::Model>,
    /// True population size.
    pub n: u64,
    /// Latent groups: (share of people, capture probability on each list).
    pub groups: Vec<(f64, Vec<f64>)>,
    /// A referral: (from, to, probability of list `to` for people on list
    /// `from`), replacing the group's probability for them.
    pub referral: Option<(usize, usize, f64)>,
}

/// The scenarios of the study: four lists each.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "independent",
            description: "everyone alike, lists independent",
            breaks: "nothing",
            built_for: "every method",
            model: Some(loglinear::Model::Mt),
            n: 2_000,
            groups: vec![(1.0, vec![0.30, 0.25, 0.20, 0.15])],
            referral: None,
        },
        Scenario {
            name: "dependent",
            description: "everyone alike; list 2 takes in most people on list 1 (referrals)",
            breaks: "independence of lists",
            built_for: "model averaging (BMA) and Mt with interactions",
            model: Some(loglinear::Model::MtTwoWay),
            n: 2_000,
            groups: vec![(1.0, vec![0.30, 0.15, 0.25, 0.20])],
            referral: Some((0, 1, 0.6)),
        },
        Scenario {
            name: "heterogeneous",
            description: "a fifth of people four to five times easier to document, on every list",
            breaks: "equal catchability, alike on every list",
            built_for: "the log-linear heterogeneity models (Mth Darroch)",
            model: Some(loglinear::Model::MthDarroch),
            n: 2_000,
            groups: vec![
                (0.2, vec![0.50, 0.45, 0.40, 0.35]),
                (0.8, vec![0.10, 0.10, 0.08, 0.07]),
            ],
            referral: None,
        },
        Scenario {
            name: "heterogeneous+dependent",
            description: "two kinds of people, each seen mostly by two of the lists",
            breaks: "equal catchability and independence, through latent groups",
            built_for: "LCMCR (latent classes)",
            model: None,
            n: 2_000,
            groups: vec![
                (0.4, vec![0.45, 0.40, 0.08, 0.06]),
                (0.6, vec![0.06, 0.08, 0.35, 0.30]),
            ],
            referral: None,
        },
        Scenario {
            name: "hidden",
            description: "a third of people almost never documented (2% a list), the rest as in independent",
            breaks: "that everyone can be documented",
            built_for: "none: people whom every list misses leave no trace in the overlaps",
            model: None,
            n: 2_000,
            groups: vec![
                (0.67, vec![0.30, 0.25, 0.20, 0.15]),
                (0.33, vec![0.02, 0.02, 0.02, 0.02]),
            ],
            referral: None,
        },
    ]
}

/// Draws one set of lists from a scenario.
pub fn draw(s: &Scenario, rng: &mut Xoshiro256PlusPlus) -> CaptureTable {
    let k = s.groups[0].1.len();
    let mut counts = vec![0u64; 1 << k];
    let mut left = s.n;
    let mut share_left = 1.0;
    for (g, (share, probs)) in s.groups.iter().enumerate() {
        let size = if g == s.groups.len() - 1 {
            left
        } else {
            Binomial::new(left, (share / share_left).clamp(0.0, 1.0))
                .map(|b| b.sample(rng))
                .unwrap_or(0)
        };
        left -= size;
        share_left -= share;
        for _ in 0..size {
            let mut pattern = 0usize;
            for (j, &p) in probs.iter().enumerate() {
                let p = match s.referral {
                    Some((from, to, q)) if to == j && pattern >> (k - 1 - from) & 1 == 1 => q,
                    _ => p,
                };
                let u: f64 = rand::distr::StandardUniform.sample(rng);
                if u < p {
                    pattern |= 1 << (k - 1 - j);
                }
            }
            counts[pattern] += 1;
        }
    }
    let lists = (1..=k).map(|i| format!("list{i}")).collect();
    // The drawn patterns are 0 to 2^k - 1, so the table is well formed.
    CaptureTable::new(lists, (1..counts.len()).map(|p| (p as u32, counts[p])))
        .expect("simulated table")
}

/// How one method did on one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodResult {
    /// The method.
    pub method: &'static str,
    /// Replicates where the method gave an estimate.
    pub replicates: usize,
    /// Mean of (estimate - N) / N.
    pub relative_bias: f64,
    /// Share of 95% intervals that contained N.
    pub coverage: f64,
    /// Mean interval width relative to N.
    pub relative_width: f64,
}

/// The study's settings.
#[derive(Debug, Clone, Copy)]
pub struct StudySettings {
    /// Replicates per scenario.
    pub replicates: usize,
    /// Seed for the populations and the samplers.
    pub seed: u64,
    /// LCMCR chain: burn-in, samples, thinning.
    pub lcmcr_chain: (u64, u64, u64),
}

impl Default for StudySettings {
    fn default() -> Self {
        Self {
            replicates: 100,
            seed: 2024,
            lcmcr_chain: (5_000, 1_000, 10),
        }
    }
}

fn summarise(method: &'static str, n: u64, rows: &[(f64, f64, f64)]) -> MethodResult {
    let n = n as f64;
    let count = rows.len().max(1) as f64;
    MethodResult {
        method,
        replicates: rows.len(),
        relative_bias: rows.iter().map(|(e, _, _)| (e - n) / n).sum::<f64>() / count,
        coverage: rows
            .iter()
            .filter(|(_, lo, hi)| *lo <= n && n <= *hi)
            .count() as f64
            / count,
        relative_width: rows.iter().map(|(_, lo, hi)| (hi - lo) / n).sum::<f64>() / count,
    }
}

/// The methods of the study, in the order [`run`] reports them: the
/// log-linear model AIC chooses, the log-linear model built for the
/// scenario (none for some), LCMCR, and the averaging over graphs.
pub const METHODS: [&str; 4] = [
    "log-linear (AIC)",
    "log-linear, built for it",
    "LCMCR",
    "BMA (dga)",
];

/// The replicate tables of a scenario, as [`run`] draws them.
pub fn tables(s: &Scenario, settings: &StudySettings) -> Vec<CaptureTable> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    (0..settings.replicates)
        .map(|_| draw(s, &mut rng))
        .collect()
}

/// Runs every method on `replicates` draws of a scenario. `progress` is
/// called after each replicate.
pub fn run(
    s: &Scenario,
    settings: &StudySettings,
    mut progress: impl FnMut(usize),
) -> Vec<MethodResult> {
    let (burn_in, samples, thinning) = settings.lcmcr_chain;
    let mut rows: [Vec<(f64, f64, f64)>; 4] = Default::default();
    for (r, table) in tables(s, settings).iter().enumerate() {
        if let Some(f) = loglinear::select(table)
            && let Some((lo, hi)) = f.interval
        {
            rows[0].push((f.n_hat, lo, hi));
        }
        if let Some(f) = s.model.and_then(|m| loglinear::fit(m, table))
            && let Some((lo, hi)) = f.interval
        {
            rows[1].push((f.n_hat, lo, hi));
        }
        let chain = lcmcr::Settings {
            burn_in,
            samples,
            thinning,
            seed: settings.seed ^ (r as u64 + 1),
            ..Default::default()
        };
        if let Ok(p) = lcmcr::sample(table, &chain) {
            rows[2].push((p.quantile(0.5), p.quantile(0.025), p.quantile(0.975)));
        }
        if let Ok(p) = bma::average(table, &bma::Settings::default()) {
            rows[3].push((p.quantile(0.5), p.quantile(0.025), p.quantile(0.975)));
        }
        progress(r + 1);
    }
    METHODS
        .iter()
        .zip(&rows)
        .map(|(method, rows)| summarise(method, s.n, rows))
        .collect()
}
