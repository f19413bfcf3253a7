//! The Bayesian non-parametric latent class model for capture-recapture
//! (Manrique-Vallier 2016, *Biometrics* 72: 1246–1254), the model of R's
//! LCMCR package, sampled by Gibbs sampling.
//!
//! People fall into up to `K` latent classes; within a class, lists catch
//! independently, each with its own probability. Class weights follow a
//! truncated stick-breaking prior with concentration `alpha ~ Gamma(a, b)`;
//! capture probabilities have uniform priors; the population size has the
//! prior `p(N) ∝ 1/N`. Heterogeneity between people and the dependence
//! between lists that it induces are thereby allowed for.
//!
//! The sampler works on the aggregated table (counts by pattern), so an
//! iteration costs the same for 400 or 400,000 people.

use rand::SeedableRng;
use rand::distr::StandardUniform;
use rand_distr::{Binomial, Distribution, Gamma, Poisson, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::CaptureTable;

/// The sampler's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Maximum number of latent classes.
    pub k: usize,
    /// Shape of the Gamma prior on the stick-breaking concentration.
    pub a_alpha: f64,
    /// Rate of the Gamma prior on the stick-breaking concentration.
    pub b_alpha: f64,
    /// Iterations discarded before sampling.
    pub burn_in: u64,
    /// Samples kept.
    pub samples: u64,
    /// Iterations between kept samples.
    pub thinning: u64,
    /// The random seed: the same seed gives the same samples.
    pub seed: u64,
}

impl Default for Settings {
    /// LCMCR's defaults as used for the Kosovo reference: K = 10,
    /// a = b = 0.25, 10,000 burn-in, 1,000 samples thinned by 100.
    fn default() -> Self {
        Self {
            k: 10,
            a_alpha: 0.25,
            b_alpha: 0.25,
            burn_in: 10_000,
            samples: 1_000,
            thinning: 100,
            seed: 1,
        }
    }
}

/// What the sampler returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// The sampled population sizes, in order.
    pub n: Vec<u64>,
    /// Iterations run in all.
    pub iterations: u64,
}

impl Posterior {
    /// The `q` quantile (0 to 1) of the sampled population sizes, as R's
    /// default `quantile` (type 7) computes it.
    pub fn quantile(&self, q: f64) -> f64 {
        let mut v: Vec<f64> = self.n.iter().map(|&x| x as f64).collect();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return f64::NAN;
        }
        let h = (v.len() - 1) as f64 * q;
        let lo = h.floor() as usize;
        let hi = h.ceil() as usize;
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    }
}

/// Why the sampler cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamplerError {
    /// The settings make no sense.
    #[error("{0}")]
    Settings(&'static str),
    /// Nobody was observed.
    #[error("the table documents nobody")]
    Empty,
}

/// 1/x for small x: the inversion loop multiplies instead of dividing.
const RECIPROCALS: [f64; 256] = {
    let mut table = [0.0; 256];
    let mut x = 1;
    while x < 256 {
        table[x] = 1.0 / x as f64;
        x += 1;
    }
    table
};

/// A Binomial(n, p) draw for p in (0, 1): by inversion when the smaller
/// tail's mean is small (cheap, exact), otherwise by rand_distr's BTPE.
fn binomial(rng: &mut Xoshiro256PlusPlus, n: u64, p: f64) -> u64 {
    let (q, flip) = if p > 0.5 { (1.0 - p, true) } else { (p, false) };
    let x = if (n as f64) * q < 40.0 {
        // Inversion (Kachitvichyanukul and Schmeiser's BINV).
        let mut u: f64 = StandardUniform.sample(rng);
        // P(X = 0) = (1 - q)^n >= 1 - nq (Bernoulli's inequality): most
        // draws with a small mean are 0 and are settled without the power.
        if u <= 1.0 - n as f64 * q {
            return if flip { n } else { 0 };
        }
        let r = q / (1.0 - q);
        let a = (n as f64 + 1.0) * r;
        let f0 = (n as f64 * (-q).ln_1p()).exp();
        let mut f = f0;
        let mut x = 0u64;
        loop {
            if u <= f {
                break x;
            }
            u -= f;
            x += 1;
            if x > n {
                // Rounding at the far tail: start again.
                u = StandardUniform.sample(rng);
                f = f0;
                x = 0;
                continue;
            }
            let inverse = RECIPROCALS
                .get(x as usize)
                .copied()
                .unwrap_or_else(|| 1.0 / x as f64);
            f *= a * inverse - r;
        }
    } else {
        Binomial::new(n, q).map(|b| b.sample(rng)).unwrap_or(0)
    };
    if flip { n - x } else { x }
}

/// Below this many people a multinomial split is drawn person by person.
const SMALL_SPLIT: u64 = 16;

/// Draws a multinomial split of `n` over weights `w` (not necessarily
/// normalised) into `out`. Large splits go by sequential binomials in
/// `order` (the heaviest classes first, so that few large binomials are
/// drawn); the last few people are placed one by one.
fn multinomial(rng: &mut Xoshiro256PlusPlus, n: u64, w: &[f64], out: &mut [u64], order: &[usize]) {
    out.iter_mut().for_each(|o| *o = 0);
    let mut mass: f64 = w.iter().sum();
    if n == 0 || mass <= 0.0 {
        if let Some(first) = out.first_mut() {
            *first = n;
        }
        return;
    }
    let mut remaining = n;
    let mut next = 0;
    while remaining > SMALL_SPLIT && next < order.len() - 1 {
        let i = order[next];
        let p = (w[i] / mass).clamp(0.0, 1.0);
        let draw = if p >= 1.0 {
            remaining
        } else if p <= 0.0 {
            0
        } else {
            binomial(rng, remaining, p)
        };
        out[i] = draw;
        remaining -= draw;
        mass -= w[i];
        next += 1;
        if mass <= 0.0 {
            break;
        }
    }
    if next == order.len() - 1 || mass <= 0.0 {
        out[order[next.min(order.len() - 1)]] += remaining;
        return;
    }
    // The rest, one by one, among the classes not yet drawn.
    let rest = &order[next..];
    for _ in 0..remaining {
        let u: f64 = StandardUniform.sample(rng);
        let mut target = u * mass;
        let mut chosen = rest[rest.len() - 1];
        for &i in rest {
            if target < w[i] {
                chosen = i;
                break;
            }
            target -= w[i];
        }
        out[chosen] += 1;
    }
}

/// A Gamma(shape, 1) draw by Marsaglia and Tsang's method (2000); shapes
/// below 1 are boosted: Gamma(a) = Gamma(a + 1) * U^(1/a).
fn gamma(rng: &mut Xoshiro256PlusPlus, shape: f64) -> f64 {
    if shape < 1.0 {
        let u: f64 = StandardUniform.sample(rng);
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x: f64 = StandardNormal.sample(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u: f64 = StandardUniform.sample(rng);
        let x2 = x * x;
        if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// A Beta(a, b) draw: by inversion when a or b is 1 (the empty classes'
/// draws, which are most of them), otherwise as a ratio of Gamma draws.
fn beta(rng: &mut Xoshiro256PlusPlus, a: f64, b: f64) -> f64 {
    if a == 1.0 || b == 1.0 {
        let u: f64 = StandardUniform.sample(rng);
        // Beta(1, b) = 1 - U^(1/b); Beta(a, 1) = U^(1/a); Beta(1, 1) = U.
        return match (a == 1.0, b == 1.0) {
            (true, true) => u,
            (true, false) => 1.0 - u.powf(1.0 / b),
            _ => u.powf(1.0 / a),
        };
    }
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    if x + y > 0.0 { x / (x + y) } else { 0.5 }
}

/// Runs the Gibbs sampler.
pub fn sample(table: &CaptureTable, settings: &Settings) -> Result<Posterior, SamplerError> {
    let k_classes = settings.k;
    if k_classes < 1 || settings.samples == 0 || settings.thinning == 0 {
        return Err(SamplerError::Settings(
            "K, samples and thinning must be at least 1",
        ));
    }
    if settings.a_alpha <= 0.0 || settings.b_alpha <= 0.0 {
        return Err(SamplerError::Settings(
            "the Gamma prior's shape and rate must be positive",
        ));
    }
    let n_obs = table.observed();
    if n_obs == 0 {
        return Err(SamplerError::Empty);
    }
    let lists = table.k();
    let cells: Vec<(Vec<bool>, u64)> = table
        .cells()
        .filter(|&(_, c)| c > 0)
        .map(|(p, c)| ((0..lists).map(|j| table.on_list(p, j)).collect(), c))
        .collect();

    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    // Start: equal weights, capture probabilities drawn from the prior, alpha 1.
    let mut pi = vec![1.0 / k_classes as f64; k_classes];
    let mut lambda: Vec<Vec<f64>> = (0..k_classes)
        .map(|_| (0..lists).map(|_| beta(&mut rng, 1.0, 1.0)).collect())
        .collect();
    let mut alpha = 1.0;

    let mut class_n = vec![0u64; k_classes];
    let mut class_ones = vec![vec![0u64; lists]; k_classes];
    let mut weights = vec![0.0; k_classes];
    let mut split = vec![0u64; k_classes];
    let mut order = vec![0usize; k_classes];
    let mut pattern_prob = vec![vec![0.0f64; 1 << lists]; k_classes];
    let cell_bits: Vec<usize> = table
        .cells()
        .filter(|&(_, c)| c > 0)
        .map(|(p, _)| p as usize)
        .collect();
    let total = settings.burn_in + settings.samples * settings.thinning;
    let mut kept = Vec::with_capacity(settings.samples as usize);

    for iteration in 1..=total {
        class_n.iter_mut().for_each(|c| *c = 0);
        class_ones
            .iter_mut()
            .for_each(|row| row.iter_mut().for_each(|c| *c = 0));
        // Each class's probability of every pattern, built list by list:
        // after list j, entry e holds the first j + 1 bits of a pattern,
        // list 0 the highest, as the table numbers patterns.
        for k in 0..k_classes {
            let probs = &mut pattern_prob[k];
            probs[0] = pi[k];
            let mut filled = 1;
            for l in &lambda[k] {
                for e in (0..filled).rev() {
                    let w = probs[e];
                    probs[2 * e] = w * (1.0 - l);
                    probs[2 * e + 1] = w * l;
                }
                filled *= 2;
            }
        }
        // Heaviest classes first: the splits below then draw few large binomials.
        for (i, o) in order.iter_mut().enumerate() {
            *o = i;
        }
        order.sort_unstable_by(|&a, &b| pi[b].total_cmp(&pi[a]));
        // 1. The observed people of each pattern, split over classes.
        for (index, (pattern, count)) in cells.iter().enumerate() {
            let bits = cell_bits[index];
            for k in 0..k_classes {
                weights[k] = pattern_prob[k][bits];
            }
            multinomial(&mut rng, *count, &weights, &mut split, &order);
            for k in 0..k_classes {
                if split[k] == 0 {
                    continue;
                }
                class_n[k] += split[k];
                for (j, &on) in pattern.iter().enumerate() {
                    if on {
                        class_ones[k][j] += split[k];
                    }
                }
            }
        }
        // 2. The unobserved: how many, then their classes.
        for k in 0..k_classes {
            weights[k] = pattern_prob[k][0];
        }
        let p0: f64 = weights.iter().sum::<f64>().clamp(0.0, 1.0 - 1e-12);
        let n0 = if p0 <= 0.0 {
            0
        } else {
            // Negative binomial as a Gamma–Poisson mixture: with p(N) ∝ 1/N,
            // n0 | rest ~ NB(n_obs, 1 - p0).
            let rate = Gamma::new(n_obs as f64, p0 / (1.0 - p0))
                .map(|g| g.sample(&mut rng))
                .unwrap_or(0.0);
            if rate <= 0.0 {
                0
            } else {
                Poisson::new(rate)
                    .map(|p| p.sample(&mut rng) as u64)
                    .unwrap_or(0)
            }
        };
        multinomial(&mut rng, n0, &weights, &mut split, &order);
        for k in 0..k_classes {
            class_n[k] += split[k];
        }
        // 3. Capture probabilities within classes.
        for k in 0..k_classes {
            for j in 0..lists {
                let ones = class_ones[k][j] as f64;
                lambda[k][j] = beta(&mut rng, 1.0 + ones, 1.0 + class_n[k] as f64 - ones);
            }
        }
        // 4. Class weights by stick-breaking, and its concentration.
        let mut rest: u64 = class_n.iter().sum();
        let mut left = 1.0;
        let mut log_sum = 0.0;
        for k in 0..k_classes {
            rest -= class_n[k];
            if k == k_classes - 1 {
                pi[k] = left;
            } else {
                let v =
                    beta(&mut rng, 1.0 + class_n[k] as f64, alpha + rest as f64).min(1.0 - 1e-12);
                pi[k] = left * v;
                left *= 1.0 - v;
                log_sum += (1.0 - v).ln();
            }
        }
        let shape = settings.a_alpha + k_classes as f64 - 1.0;
        let rate = settings.b_alpha - log_sum;
        alpha = Gamma::new(shape, 1.0 / rate)
            .map(|g| g.sample(&mut rng))
            .unwrap_or(alpha)
            .max(1e-6);

        if iteration > settings.burn_in
            && (iteration - settings.burn_in).is_multiple_of(settings.thinning)
        {
            kept.push(n_obs + n0);
        }
    }
    Ok(Posterior {
        n: kept,
        iterations: total,
    })
}

#[cfg(test)]
mod beta_tests {
    use super::*;

    #[test]
    fn the_binomial_has_the_right_mean_and_variance() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for (n, p) in [
            (10u64, 0.3),
            (40, 0.2),
            (900, 0.01),
            (900, 0.985),
            (300, 0.4),
            (5, 0.9),
        ] {
            let draws: Vec<f64> = (0..200_000)
                .map(|_| binomial(&mut rng, n, p) as f64)
                .collect();
            let count = draws.len() as f64;
            let mean = draws.iter().sum::<f64>() / count;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (count - 1.0);
            let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
            assert!(
                (mean - m).abs() < 4.0 * (v / count).sqrt(),
                "Binomial({n},{p}) mean {mean} vs {m}"
            );
            assert!(
                (var - v).abs() / v < 0.03,
                "Binomial({n},{p}) variance {var} vs {v}"
            );
            assert!(draws.iter().all(|&x| x <= n as f64));
        }
    }

    #[test]
    fn the_gamma_ratio_beta_has_the_right_mean_and_variance() {
        // Beta(a, b): mean a / (a + b), variance ab / ((a + b)^2 (a + b + 1)).
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
        for (a, b) in [(1.0, 1.0), (3.0, 7.0), (0.3, 2.0), (120.0, 40.0)] {
            let draws: Vec<f64> = (0..200_000).map(|_| beta(&mut rng, a, b)).collect();
            let n = draws.len() as f64;
            let mean = draws.iter().sum::<f64>() / n;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let (m, v) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            assert!(
                (mean - m).abs() < 4.0 * (v / n).sqrt(),
                "Beta({a},{b}) mean {mean} vs {m}"
            );
            assert!(
                (var - v).abs() / v < 0.03,
                "Beta({a},{b}) variance {var} vs {v}"
            );
        }
    }
}
