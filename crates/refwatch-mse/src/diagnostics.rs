//! Convergence of a sampler: several chains from different seeds, the
//! split potential scale reduction factor R-hat (Gelman et al., *Bayesian
//! Data Analysis*, 3rd ed., 11.4) and the effective sample size from the
//! chains' autocorrelations (Geyer's initial positive sequence). Printed
//! with every LCMCR run, so that a reader can tell a posterior from a
//! chain that has not found it.

use crate::CaptureTable;
use crate::lcmcr::{self, Posterior, SamplerError, Settings};

/// R-hat above this says the chains disagree.
pub const R_HAT_LIMIT: f64 = 1.05;
/// Fewer effective samples than this make the 2.5% and 97.5% quantiles
/// shaky: with 200, the tail share below the 2.5% quantile is itself
/// uncertain by about ±1.1 points (sqrt(0.025 × 0.975 / 200)).
pub const ESS_LIMIT: f64 = 200.0;

/// Several chains of one table, and how well they agree.
#[derive(Debug, Clone)]
pub struct Chains {
    /// Every chain's draws, pooled in chain order.
    pub pooled: Posterior,
    /// The seeds, one per chain.
    pub seeds: Vec<u64>,
    /// Split R-hat of the population size over the chains.
    pub r_hat: f64,
    /// Effective sample size of the pooled draws.
    pub ess: f64,
}

impl Chains {
    /// Whether the chains agree well enough to report their quantiles.
    pub fn converged(&self) -> bool {
        self.r_hat <= R_HAT_LIMIT && self.ess >= ESS_LIMIT
    }
}

/// Runs `chains` chains (seeds `settings.seed`, `+1`, ...) on as many
/// threads, and pools them.
pub fn sample_chains(
    table: &CaptureTable,
    settings: &Settings,
    chains: usize,
) -> Result<Chains, SamplerError> {
    if !(1..=16).contains(&chains) {
        return Err(SamplerError::Settings("chains must be from 1 to 16"));
    }
    // Every chain's samples are held at once: the bound on samples kept
    // is for all chains together.
    if settings.samples.saturating_mul(chains as u64) > lcmcr::MAX_SAMPLES {
        return Err(SamplerError::Settings(
            "at most 10,000,000 samples are kept, over all chains",
        ));
    }
    let seeds: Vec<u64> = (0..chains as u64)
        .map(|i| settings.seed.wrapping_add(i))
        .collect();
    let runs: Vec<Result<Posterior, SamplerError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = seeds
            .iter()
            .map(|&seed| scope.spawn(move || lcmcr::sample(table, &Settings { seed, ..*settings })))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or(Err(SamplerError::Settings("a chain stopped unexpectedly")))
            })
            .collect()
    });
    let runs: Vec<Posterior> = runs.into_iter().collect::<Result<_, _>>()?;
    let draws: Vec<Vec<f64>> = runs
        .iter()
        .map(|p| p.n.iter().map(|&n| n as f64).collect())
        .collect();
    let ess = draws.iter().map(|d| ess(d)).sum();
    let r_hat = split_r_hat(&draws);
    let pooled = Posterior {
        n: runs.iter().flat_map(|p| p.n.iter().copied()).collect(),
        iterations: runs.iter().map(|p| p.iterations).sum(),
    };
    Ok(Chains {
        pooled,
        seeds,
        r_hat,
        ess,
    })
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// Split R-hat: each chain cut in halves, then the between- and within-
/// half variances compared. 1 when the halves agree; NaN with fewer than
/// four draws per chain. A chain that never moves counts as agreeing when
/// every chain sits at the same value.
pub fn split_r_hat(chains: &[Vec<f64>]) -> f64 {
    let half = chains.iter().map(Vec::len).min().unwrap_or(0) / 2;
    if half < 2 {
        return f64::NAN;
    }
    let halves: Vec<&[f64]> = chains
        .iter()
        .flat_map(|c| [&c[..half], &c[half..2 * half]])
        .collect();
    let n = half as f64;
    let means: Vec<f64> = halves.iter().map(|h| mean(h)).collect();
    let within = mean(&halves.iter().map(|h| variance(h)).collect::<Vec<_>>());
    let between = n * variance(&means);
    if within <= 0.0 {
        return if between <= 0.0 { 1.0 } else { f64::INFINITY };
    }
    let pooled = (n - 1.0) / n * within + between / n;
    (pooled / within).sqrt()
}

/// Effective sample size of one chain: n / (1 + 2 Σ ρ_t), the sum of
/// autocorrelations over Geyer's initial positive sequence (pairs of lags
/// summed while positive).
pub fn ess(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 4 {
        return n as f64;
    }
    let m = mean(x);
    let c0: f64 = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64;
    if c0 <= 0.0 {
        return n as f64;
    }
    let rho = |lag: usize| -> f64 {
        (0..n - lag)
            .map(|i| (x[i] - m) * (x[i + lag] - m))
            .sum::<f64>()
            / n as f64
            / c0
    };
    let mut sum = 0.0;
    let mut lag = 1;
    while lag + 1 < n {
        let pair = rho(lag) + rho(lag + 1);
        if pair <= 0.0 {
            break;
        }
        sum += pair;
        lag += 2;
    }
    (n as f64 / (1.0 + 2.0 * sum)).min(n as f64)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};
    use rand_xoshiro::Xoshiro256PlusPlus;

    use super::*;

    fn ar1(rho: f64, n: usize, seed: u64, shift: f64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut x = 0.0;
        (0..n)
            .map(|_| {
                let e: f64 = StandardNormal.sample(&mut rng);
                x = rho * x + e;
                x + shift
            })
            .collect()
    }

    #[test]
    fn independent_draws_count_whole_and_correlated_ones_less() {
        let iid = ess(&ar1(0.0, 4_000, 1, 0.0));
        assert!((3_400.0..=4_000.0).contains(&iid), "{iid}");
        // AR(1) with rho 0.9: n (1 - rho) / (1 + rho) = 4,000 / 19, about 210.
        let sticky = ess(&ar1(0.9, 4_000, 2, 0.0));
        assert!((140.0..=300.0).contains(&sticky), "{sticky}");
    }

    #[test]
    fn r_hat_is_near_one_for_agreeing_chains_and_large_for_disagreeing() {
        let agree = split_r_hat(&[ar1(0.5, 2_000, 3, 0.0), ar1(0.5, 2_000, 4, 0.0)]);
        assert!((0.99..=1.02).contains(&agree), "{agree}");
        let apart = split_r_hat(&[ar1(0.5, 2_000, 5, 0.0), ar1(0.5, 2_000, 6, 5.0)]);
        assert!(apart > 1.5, "{apart}");
        assert!(split_r_hat(&[vec![1.0, 2.0]]).is_nan());
    }

    #[test]
    fn chains_on_kosovo_agree_and_pool_every_draw() {
        let table = CaptureTable::from_csv(include_str!("../data/kosovo_patterns.csv")).unwrap();
        let settings = Settings {
            samples: 500,
            ..Settings::default()
        };
        let chains = sample_chains(&table, &settings, 2).unwrap();
        assert_eq!(chains.pooled.n.len(), 1_000);
        assert_eq!(chains.seeds, [1, 2]);
        assert!(chains.r_hat < 1.1, "{}", chains.r_hat);
        // Kosovo's chains are sticky even thinned by 100: about a sixth of
        // the draws count.
        assert!(chains.ess > 100.0, "{}", chains.ess);
        assert!(sample_chains(&table, &settings, 0).is_err());
        // The samples held, over all chains, are bounded before any work.
        let many = Settings {
            samples: 6_000_000,
            ..settings
        };
        assert!(sample_chains(&table, &many, 2).is_err());
    }
}
