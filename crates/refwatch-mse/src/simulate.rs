//! A simulation study: populations of known size, lists that catch people
//! unevenly and depend on each other, and how often each method's 95%
//! interval covers the truth.

use rand::SeedableRng;
use rand_distr::{Binomial, Distribution};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::CaptureTable;
use crate::lcmcr;
use crate::loglinear;

/// A kind of population and lists.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short name.
    pub name: &'static str,
    /// What it models.
    pub description: &'static str,
    /// True population size.
    pub n: u64,
    /// Latent groups: (share of people, capture probability on each list).
    pub groups: Vec<(f64, Vec<f64>)>,
}

/// The scenarios of the study: four lists each.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "independent",
            description: "everyone alike, lists independent",
            n: 2_000,
            groups: vec![(1.0, vec![0.30, 0.25, 0.20, 0.15])],
        },
        Scenario {
            name: "heterogeneous",
            description: "a fifth of people four to five times easier to document, on every list",
            n: 2_000,
            groups: vec![
                (0.2, vec![0.50, 0.45, 0.40, 0.35]),
                (0.8, vec![0.10, 0.10, 0.08, 0.07]),
            ],
        },
        Scenario {
            name: "heterogeneous+dependent",
            description: "two kinds of people, each seen mostly by two of the lists (positive dependence within pairs)",
            n: 2_000,
            groups: vec![
                (0.4, vec![0.45, 0.40, 0.08, 0.06]),
                (0.6, vec![0.06, 0.08, 0.35, 0.30]),
            ],
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
                let u: f64 = rand::distr::StandardUniform.sample(rng);
                if u < p {
                    pattern |= 1 << (k - 1 - j);
                }
            }
            counts[pattern] += 1;
        }
    }
    let lists = (1..=k).map(|i| format!("list {i}")).collect();
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

/// Runs every method on `replicates` draws of a scenario. `progress` is
/// called after each replicate.
pub fn run(
    s: &Scenario,
    settings: &StudySettings,
    mut progress: impl FnMut(usize),
) -> Vec<MethodResult> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    let (burn_in, samples, thinning) = settings.lcmcr_chain;
    let mut loglinear_rows = Vec::new();
    let mut lcmcr_rows = Vec::new();
    for r in 0..settings.replicates {
        let table = draw(s, &mut rng);
        if let Some(f) = loglinear::select(&table)
            && let Some((lo, hi)) = f.interval
        {
            loglinear_rows.push((f.n_hat, lo, hi));
        }
        let chain = lcmcr::Settings {
            burn_in,
            samples,
            thinning,
            seed: settings.seed ^ (r as u64 + 1),
            ..Default::default()
        };
        if let Ok(p) = lcmcr::sample(&table, &chain) {
            lcmcr_rows.push((p.quantile(0.5), p.quantile(0.025), p.quantile(0.975)));
        }
        progress(r + 1);
    }
    vec![
        summarise("log-linear (AIC)", s.n, &loglinear_rows),
        summarise("LCMCR", s.n, &lcmcr_rows),
    ]
}
