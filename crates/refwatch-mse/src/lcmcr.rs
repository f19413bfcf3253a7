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
//!
//! As the reference implementation does, the stick-breaking draws are
//! taken in log space (on sparse tables alpha is tiny and 1 − V far below
//! any floating-point floor; flooring it pushed alpha up and, on Rcapture's
//! HIV table, the 2.5% quantile from 9,365 down to about 3,500), the chain
//! starts with every class at the lists' shares and alpha held at 1 through
//! a warm-up (the first half of the burn-in), and the classes are put in
//! order of weight once, after the warm-up, so that a heavy class late in
//! the stick order does not hold the chain.

use rand::SeedableRng;
use rand::distr::StandardUniform;
use rand_distr::{Distribution, Gamma, Poisson, StandardNormal};
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
    /// More lists than the sampler runs in reasonable time.
    #[error(
        "the latent class model runs on up to {MAX_LISTS} lists (this table has {0}): each more list doubles its time; merge lists that overlap little"
    )]
    TooManyLists(usize),
}

/// The most lists the sampler takes: an iteration costs K x 2^lists (12
/// lists: about 27 s for the default chain on this kind of machine).
pub const MAX_LISTS: usize = 12;
/// The most latent classes.
pub const MAX_CLASSES: usize = 100;
/// The most iterations one run may ask for (burn-in + samples x thinning).
pub const MAX_ITERATIONS: u64 = 1_000_000_000;
/// The most samples kept.
pub const MAX_SAMPLES: u64 = 10_000_000;

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

/// ln(k!) minus its Stirling approximation `(k + 1/2) ln(k + 1) - (k + 1)
/// + ln(2π)/2`: tabulated below 10, the series beyond (error below 1e-13).
fn stirling_tail(k: f64) -> f64 {
    const TAIL: [f64; 10] = [
        0.081_061_466_795_327_26,
        0.041_340_695_955_409_29,
        0.027_677_925_684_998_34,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_19,
        0.013_876_128_823_070_75,
        0.011_896_709_945_891_77,
        0.010_411_265_261_972_09,
        0.009_255_462_182_712_733,
        0.008_330_563_433_362_87,
    ];
    if k < 10.0 {
        return TAIL[k as usize];
    }
    let k1 = k + 1.0;
    let k1sq = k1 * k1;
    (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / k1sq) / k1sq) / k1
}

/// How many ln(k!) are tabulated.
const LN_FACTORIALS: usize = 1 << 13;

/// ln(k!) for k < LN_FACTORIALS, summed once.
static LN_FACTORIAL: std::sync::LazyLock<Vec<f64>> = std::sync::LazyLock::new(|| {
    let mut table = Vec::with_capacity(LN_FACTORIALS);
    let mut sum = 0.0;
    table.push(0.0);
    for k in 1..LN_FACTORIALS {
        sum += (k as f64).ln();
        table.push(sum);
    }
    table
});

/// ln(k!) for a whole k >= 0: from the table, or by Stirling's series.
fn ln_factorial(k: f64) -> f64 {
    if let Some(&v) = LN_FACTORIAL.get(k as usize) {
        return v;
    }
    const HALF_LN_TAU: f64 = 0.918_938_533_204_672_8;
    (k + 0.5) * (k + 1.0).ln() - (k + 1.0) + HALF_LN_TAU + stirling_tail(k)
}

/// A Binomial(n, q) draw for q <= 1/2 and nq >= 10 (the method's range) by
/// Hörmann's transformed rejection with squeeze (BTRS; W. Hörmann, "The
/// generation of binomial random variates", J. Statist. Comput. Simul. 46,
/// 1993). Most draws take two uniforms and no logarithm; the exact density
/// test behind the squeeze is set up only when first needed.
fn binomial_btrs(rng: &mut Xoshiro256PlusPlus, n: u64, q: f64) -> u64 {
    let nf = n as f64;
    let spq = (nf * q * (1.0 - q)).sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * q;
    let c = nf * q + 0.5;
    let v_r = 0.92 - 4.2 / b;
    // The density test's constants, made on first need.
    let mut exact: Option<(f64, f64, f64, f64)> = None;
    loop {
        let u: f64 = StandardUniform.sample(rng);
        let v: f64 = StandardUniform.sample(rng);
        let u = u - 0.5;
        let us = 0.5 - u.abs();
        let x = (2.0 * a / us + b) * u + c;
        if !(0.0..nf + 1.0).contains(&x) {
            continue;
        }
        // The floor, by truncation: x is not negative.
        let k = (x as u64) as f64;
        if us >= 0.07 && v <= v_r {
            return k as u64;
        }
        let (alpha, m, lpq, h) = *exact.get_or_insert_with(|| {
            let alpha = (2.83 + 5.1 / b) * spq;
            let m = ((nf + 1.0) * q).floor();
            let lpq = (q / (1.0 - q)).ln();
            let h = ln_factorial(m) + ln_factorial(nf - m);
            (alpha, m, lpq, h)
        });
        let v = (v * alpha / (a / (us * us) + b)).ln();
        let lk = ln_factorial(k) + ln_factorial(nf - k);
        if v <= h - lk + (k - m) * lpq {
            return k as u64;
        }
    }
}

/// Below this mean (of the smaller tail) a binomial is drawn by inversion:
/// BTRS's quick acceptance is rare at small means (measured on Kosovo).
const INVERSION_BELOW: f64 = 25.0;

/// A Binomial(n, p) draw for p in (0, 1): by inversion when the smaller
/// tail's mean is small (cheap, exact), otherwise by BTRS.
fn binomial(rng: &mut Xoshiro256PlusPlus, n: u64, p: f64) -> u64 {
    let (q, flip) = if p > 0.5 { (1.0 - p, true) } else { (p, false) };
    let x = if (n as f64) * q < INVERSION_BELOW {
        // Inversion (Kachitvichyanukul and Schmeiser's BINV).
        let mut u: f64 = StandardUniform.sample(rng);
        // P(X = 0) = (1 - q)^n >= 1 - nq (Bernoulli's inequality): most
        // draws with a small mean are 0 and are settled without the power.
        if u <= 1.0 - n as f64 * q {
            return if flip { n } else { 0 };
        }
        let r = q / (1.0 - q);
        let a = (n as f64 + 1.0) * r;
        // (1 - q)^n by repeated squaring: cheaper than exp(n ln(1 - q)),
        // and as exact for the n of a capture table.
        let f0 = match i32::try_from(n) {
            Ok(n) => (1.0 - q).powi(n),
            Err(_) => (n as f64 * (-q).ln_1p()).exp(),
        };
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
        binomial_btrs(rng, n, q)
    };
    if flip { n - x } else { x }
}

/// The classes of one iteration in the order a split draws them: the
/// heaviest by class weight first, each on its own; the light ones after
/// them, which together hold little weight, pooled.
struct Order {
    classes: Vec<usize>,
    /// How many of `classes`, from the start, are drawn one by one.
    heavy: usize,
}

/// Up to this many people in the light pool are placed one by one; more
/// are split by binomials.
const ONE_BY_ONE: u64 = 32;

/// The share of the class weights below which the light classes are pooled.
const POOLED_SHARE: f64 = 0.02;

impl Order {
    fn new(k: usize) -> Self {
        Self {
            classes: (0..k).collect(),
            heavy: k,
        }
    }

    fn sort(&mut self, pi: &[f64]) {
        self.classes
            .sort_unstable_by(|&a, &b| pi[b].total_cmp(&pi[a]));
        let total: f64 = pi.iter().sum();
        let mut light = 0.0;
        self.heavy = self.classes.len();
        while self.heavy > 1 {
            let next = light + pi[self.classes[self.heavy - 1]];
            if next >= POOLED_SHARE * total {
                break;
            }
            light = next;
            self.heavy -= 1;
        }
    }
}

/// Draws a multinomial split of `n` over weights `w` (not necessarily
/// normalised) into `out`, by sequential conditional binomials, which is
/// exact in any order and under any grouping. The light classes go first
/// as one pool (usually nobody, for one uniform), and the few people in it,
/// if any, are placed one by one; then the heavy classes, the heaviest
/// first, the last taking whoever is left.
fn multinomial(rng: &mut Xoshiro256PlusPlus, n: u64, w: &[f64], out: &mut [u64], order: &Order) {
    out.iter_mut().for_each(|o| *o = 0);
    let (heavy, light) = order.classes.split_at(order.heavy);
    let light_mass: f64 = light.iter().map(|&i| w[i]).sum();
    let mut mass: f64 = heavy.iter().map(|&i| w[i]).sum();
    if n == 0 || mass + light_mass <= 0.0 {
        out[heavy[0]] = n;
        return;
    }
    let mut remaining = n;
    if light_mass > 0.0 {
        let pooled = if mass <= 0.0 {
            n
        } else {
            binomial(rng, n, light_mass / (mass + light_mass))
        };
        if pooled <= ONE_BY_ONE {
            for _ in 0..pooled {
                let u: f64 = StandardUniform.sample(rng);
                let mut target = u * light_mass;
                let mut chosen = light[light.len() - 1];
                for &i in light {
                    if target < w[i] {
                        chosen = i;
                        break;
                    }
                    target -= w[i];
                }
                out[chosen] += 1;
            }
        } else {
            // Many (a huge cell): by binomials, so that the time does not
            // grow with the count.
            let (mut left, mut left_mass) = (pooled, light_mass);
            for (n, &i) in light.iter().enumerate() {
                let draw = if n + 1 == light.len() || left_mass <= 0.0 {
                    left
                } else {
                    binomial(rng, left, (w[i] / left_mass).clamp(0.0, 1.0))
                };
                out[i] += draw;
                left -= draw;
                left_mass -= w[i];
            }
        }
        remaining -= pooled;
    }
    let Some((&last, first)) = heavy.split_last() else {
        return;
    };
    for &i in first {
        if remaining == 0 || mass <= 0.0 {
            break;
        }
        let p = w[i] / mass;
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
    }
    out[last] += remaining;
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

/// The logarithm of a Gamma(shape, 1) draw, exact for small shapes: the
/// boost Gamma(a) = Gamma(a + 1) * U^(1/a) is taken in log space, where
/// U^(1/a) does not underflow to 0 when a is tiny.
fn ln_gamma(rng: &mut Xoshiro256PlusPlus, shape: f64) -> f64 {
    if shape < 1.0 {
        // In (0, 1], so that its logarithm is finite.
        let u = 1.0 - Distribution::<f64>::sample(&StandardUniform, rng);
        return ln_gamma(rng, shape + 1.0) + u.ln() / shape;
    }
    gamma(rng, shape).ln()
}

/// ln(1 - e^x) for x <= 0, accurately at both ends.
fn ln_one_minus_exp(x: f64) -> f64 {
    if x > -std::f64::consts::LN_2 {
        (-x.exp_m1()).ln()
    } else {
        (-x.exp()).ln_1p()
    }
}

/// A stick-breaking draw V ~ Beta(a, b) as (ln V, ln(1 - V)), in log space
/// as LCMCR does: 1 - V can be far below any floating-point floor near 1
/// (on sparse tables the concentration alpha, and with it b, is tiny), and
/// flooring it biases alpha upwards.
fn ln_stick(rng: &mut Xoshiro256PlusPlus, a: f64, b: f64) -> (f64, f64) {
    if a == 1.0 {
        // Beta(1, b): 1 - V = U^(1/b).
        let u = 1.0 - Distribution::<f64>::sample(&StandardUniform, rng);
        let ln_rest = u.ln() / b;
        return (ln_one_minus_exp(ln_rest), ln_rest);
    }
    let x = ln_gamma(rng, a);
    let y = ln_gamma(rng, b);
    let top = x.max(y);
    let ln_sum = top + ((x - top).exp() + (y - top).exp()).ln();
    (x - ln_sum, y - ln_sum)
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
    if k_classes > MAX_CLASSES {
        return Err(SamplerError::Settings("K (classes) must be at most 100"));
    }
    if settings.samples > MAX_SAMPLES {
        return Err(SamplerError::Settings(
            "at most 10,000,000 samples are kept",
        ));
    }
    let total = settings
        .samples
        .checked_mul(settings.thinning)
        .and_then(|kept| kept.checked_add(settings.burn_in))
        .filter(|&t| t <= MAX_ITERATIONS)
        .ok_or(SamplerError::Settings(
            "burn-in + samples x thinning must be at most 1,000,000,000 iterations",
        ))?;
    if table.k() > MAX_LISTS {
        return Err(SamplerError::TooManyLists(table.k()));
    }
    let n_obs = table.observed();
    if n_obs == 0 {
        return Err(SamplerError::Empty);
    }
    let lists = table.k();
    // The observed cells: pattern number, count, and the lists it is on.
    let cells: Vec<(usize, u64, Vec<usize>)> = table
        .cells()
        .filter(|&(_, c)| c > 0)
        .map(|(p, c)| {
            let on = (0..lists).filter(|&j| table.on_list(p, j)).collect();
            (p as usize, c, on)
        })
        .collect();

    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    // Start as LCMCR does: equal weights, every class's capture
    // probabilities at the lists' shares of the people seen, alpha 1 and
    // held there through the warm-up (the first half of the burn-in).
    let mut pi = vec![1.0 / k_classes as f64; k_classes];
    let shares: Vec<f64> = (0..lists)
        .map(|j| {
            let on: u64 = cells
                .iter()
                .filter(|(_, _, l)| l.contains(&j))
                .map(|(_, c, _)| c)
                .sum();
            (on as f64 / n_obs as f64).clamp(0.01, 0.99)
        })
        .collect();
    let mut lambda: Vec<Vec<f64>> = vec![shares; k_classes];
    let mut alpha = 1.0;
    let warm_up = settings.burn_in / 2;

    let mut class_n = vec![0u64; k_classes];
    // Row j holds, class by class, how many people of each class list j caught.
    let mut class_ones = vec![vec![0u64; k_classes]; lists];
    let mut split = vec![0u64; k_classes];
    let mut order = Order::new(k_classes);
    // Row e holds, class by class, each class's probability of pattern e.
    let mut pattern_prob = vec![vec![0.0f64; k_classes]; 1 << lists];
    let mut class_patterns = vec![0.0f64; 1 << lists];
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
            let probs = &mut class_patterns;
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
            for (row, &p) in pattern_prob.iter_mut().zip(probs.iter()) {
                row[k] = p;
            }
        }
        order.sort(&pi);
        // 1. The observed people of each pattern, split over classes.
        for (bits, count, on) in &cells {
            multinomial(&mut rng, *count, &pattern_prob[*bits], &mut split, &order);
            for (n, s) in class_n.iter_mut().zip(&split) {
                *n += s;
            }
            for &j in on {
                for (n, s) in class_ones[j].iter_mut().zip(&split) {
                    *n += s;
                }
            }
        }
        // 2. The unobserved: how many, then their classes.
        let weights = &pattern_prob[0];
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
        multinomial(&mut rng, n0, weights, &mut split, &order);
        for (n, s) in class_n.iter_mut().zip(&split) {
            *n += s;
        }
        // 3. Capture probabilities within classes.
        for k in 0..k_classes {
            for j in 0..lists {
                let ones = class_ones[j][k] as f64;
                lambda[k][j] = beta(&mut rng, 1.0 + ones, 1.0 + class_n[k] as f64 - ones);
            }
        }
        // 4. Class weights by stick-breaking (in log space), and its
        // concentration (held during the warm-up).
        let mut rest: u64 = class_n.iter().sum();
        let mut ln_left: f64 = 0.0;
        let mut log_sum = 0.0;
        for k in 0..k_classes {
            rest -= class_n[k];
            if k == k_classes - 1 {
                pi[k] = ln_left.exp();
            } else {
                let (ln_v, ln_rest) =
                    ln_stick(&mut rng, 1.0 + class_n[k] as f64, alpha + rest as f64);
                pi[k] = (ln_left + ln_v).exp();
                ln_left += ln_rest;
                log_sum += ln_rest;
            }
        }
        if iteration > warm_up {
            let shape = settings.a_alpha + k_classes as f64 - 1.0;
            let rate = settings.b_alpha - log_sum;
            alpha = Gamma::new(shape, 1.0 / rate)
                .map(|g| g.sample(&mut rng))
                .unwrap_or(alpha)
                .max(1e-300);
        }
        if iteration == warm_up {
            // Once, after the warm-up: the classes in order of weight, so
            // that a heavy class late in the stick order does not hold the
            // chain (LCMCR does the same).
            let mut by_weight: Vec<usize> = (0..k_classes).collect();
            by_weight.sort_by(|&a, &b| pi[b].total_cmp(&pi[a]));
            pi = by_weight.iter().map(|&k| pi[k]).collect();
            lambda = by_weight.iter().map(|&k| lambda[k].clone()).collect();
        }

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

    /// Pearson's chi-square of `draws` against Binomial(n, p), over the
    /// values whose expected count is at least 5 (the rest pooled), and the
    /// number of degrees of freedom.
    fn chi_square(draws: &[u64], n: u64, p: f64) -> (f64, usize) {
        let total = draws.len() as f64;
        let mut observed = vec![0u64; n as usize + 1];
        for &d in draws {
            observed[d as usize] += 1;
        }
        let mut statistic = 0.0;
        let mut bins = 0;
        let (mut pooled_obs, mut pooled_exp) = (0.0, 0.0);
        for (k, &o) in observed.iter().enumerate() {
            let k = k as f64;
            let nf = n as f64;
            let ln_pmf = ln_factorial(nf) - ln_factorial(k) - ln_factorial(nf - k)
                + k * p.ln()
                + (nf - k) * (1.0 - p).ln();
            let expected = total * ln_pmf.exp();
            if expected >= 5.0 {
                statistic += (o as f64 - expected).powi(2) / expected;
                bins += 1;
            } else {
                pooled_obs += o as f64;
                pooled_exp += expected;
            }
        }
        if pooled_exp > 0.0 {
            statistic += (pooled_obs - pooled_exp).powi(2) / pooled_exp;
            bins += 1;
        }
        (statistic, bins - 1)
    }

    #[test]
    fn the_binomial_follows_its_distribution_in_both_methods() {
        // Inversion below a mean of 25, BTRS above, flipped above p = 1/2.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2026);
        for (n, p) in [
            (1000u64, 0.02),
            (60, 0.45),
            (200, 0.3),
            (5000, 0.01),
            (9000, 0.6),
            (40, 0.9),
        ] {
            let draws: Vec<u64> = (0..200_000).map(|_| binomial(&mut rng, n, p)).collect();
            let (statistic, df) = chi_square(&draws, n, p);
            // The 99.99% point of chi-square is below df + 4.5 sqrt(2 df) + 12.
            let bound = df as f64 + 4.5 * (2.0 * df as f64).sqrt() + 12.0;
            assert!(
                statistic < bound,
                "Binomial({n},{p}): chi-square {statistic:.1} on {df} df (bound {bound:.1})"
            );
        }
    }

    #[test]
    fn ln_factorial_matches_the_sum_of_logarithms_beyond_its_table() {
        let k = (LN_FACTORIALS + 500) as f64;
        let direct: f64 = (1..=LN_FACTORIALS + 500).map(|i| (i as f64).ln()).sum();
        assert!((ln_factorial(k) - direct).abs() / direct < 1e-12);
        assert_eq!(ln_factorial(0.0), 0.0);
        assert!((ln_factorial(5.0) - 120f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn the_pooled_multinomial_splits_everyone_with_the_right_means() {
        // Two heavy classes and light ones that go into the pool.
        let w = [0.5, 0.001, 0.3, 0.0004, 0.1996, 0.0, 0.00002];
        let mut order = Order::new(w.len());
        order.sort(&w);
        assert!(order.heavy < w.len(), "some classes are pooled");
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut out = vec![0u64; w.len()];
        // Few people in the pool (placed one by one) and a huge cell (the
        // pool split by binomials, in time that does not grow with it).
        for (n, rounds) in [(300u64, 100_000u32), (1_000_000_000, 2_000)] {
            let mut sums = vec![0.0f64; w.len()];
            for _ in 0..rounds {
                multinomial(&mut rng, n, &w, &mut out, &order);
                assert_eq!(out.iter().sum::<u64>(), n);
                assert_eq!(out[5], 0, "a class of weight 0 gets nobody");
                for (s, &o) in sums.iter_mut().zip(&out) {
                    *s += o as f64;
                }
            }
            let total: f64 = w.iter().sum();
            for (i, &wi) in w.iter().enumerate() {
                let p = wi / total;
                let mean = sums[i] / f64::from(rounds);
                let sd = (n as f64 * p * (1.0 - p) / f64::from(rounds)).sqrt();
                assert!(
                    (mean - n as f64 * p).abs() <= 4.0 * sd + 1e-9,
                    "n {n}, class {i}: mean {mean} vs {}",
                    n as f64 * p
                );
            }
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
