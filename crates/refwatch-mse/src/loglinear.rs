//! Closed-population log-linear models, fitted as Rcapture's `closedp.t`
//! fits them: a Poisson regression of the observed pattern counts whose
//! intercept is the log of the expected count of the unobserved pattern.

use crate::CaptureTable;

/// A log-linear model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Every list has the same capture probability.
    M0,
    /// Lists differ; lists are independent and people alike.
    Mt,
    /// Mt with heterogeneity between people, Chao's lower-bound form.
    MthChao,
    /// Mt with heterogeneity between people, Darroch's quadratic form.
    MthDarroch,
    /// Mt with every two-way interaction between lists (list dependence).
    MtTwoWay,
}

impl Model {
    /// Every model, simplest first.
    pub const ALL: [Model; 5] = [
        Self::M0,
        Self::Mt,
        Self::MthChao,
        Self::MthDarroch,
        Self::MtTwoWay,
    ];

    /// The model's name as Rcapture prints it.
    pub fn name(self) -> &'static str {
        match self {
            Self::M0 => "M0",
            Self::Mt => "Mt",
            Self::MthChao => "Mth Chao (LB)",
            Self::MthDarroch => "Mth Darroch",
            Self::MtTwoWay => "Mt + all two-way interactions",
        }
    }

    /// What the model assumes, in a sentence.
    pub fn assumes(self) -> &'static str {
        match self {
            Self::M0 => "every list catches every person with the same probability, independently",
            Self::Mt => {
                "lists are independent and every person is equally likely to be caught by a given list"
            }
            Self::MthChao => {
                "lists are independent; people differ in how catchable they are (Chao's lower bound: a minimum, not a best guess)"
            }
            Self::MthDarroch => {
                "lists are independent; people differ in how catchable they are, in Darroch's quadratic form"
            }
            Self::MtTwoWay => {
                "any two lists may depend on each other; people are otherwise alike; no three-way dependence"
            }
        }
    }

    /// Whether the model gives a lower bound rather than an estimate.
    pub fn is_lower_bound(self) -> bool {
        self == Self::MthChao
    }

    /// The design row of a pattern over `k` lists, without the intercept.
    fn row(self, pattern: u32, k: usize) -> Vec<f64> {
        let bit = |j: usize| f64::from((pattern >> (k - 1 - j)) & 1);
        let f = f64::from(pattern.count_ones());
        let mt = (0..k).map(bit);
        match self {
            Self::M0 => vec![f],
            Self::Mt => mt.collect(),
            Self::MthChao => {
                // Chao's lower-bound heterogeneity as Rcapture's Xclosedp
                // codes it: columns (f - c + 1)+ for c = 3 .. k, the last
                // marking "on every list"; a column whose coefficient comes
                // out negative is then dropped and the model refitted
                // (Rcapture's neg = TRUE), see `fit_point`.
                let mut row: Vec<f64> = mt.collect();
                row.extend((3..=k).map(|c| (f - c as f64 + 1.0).max(0.0)));
                row
            }
            Self::MthDarroch => {
                let mut row: Vec<f64> = mt.collect();
                row.push(f * f / 2.0);
                row
            }
            Self::MtTwoWay => {
                let mut row: Vec<f64> = mt.collect();
                for a in 0..k {
                    for b in a + 1..k {
                        row.push(bit(a) * bit(b));
                    }
                }
                row
            }
        }
    }
}

/// The most lists the log-linear models take: their designs have 2^lists
/// rows and, with all two-way interactions, lists² / 2 columns, and the
/// profile interval refits them hundreds of times (10 lists: about 20 s on
/// this kind of machine; 12: over 100 s).
pub const MAX_LISTS: usize = 10;

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The model.
    pub model: Model,
    /// Estimated population size: observed plus the estimated unobserved.
    pub n_hat: f64,
    /// Number of parameters, intercept included.
    pub parameters: usize,
    /// Poisson log-likelihood of the observed cells.
    pub log_likelihood: f64,
    /// Deviance against the saturated model of the observed cells.
    pub deviance: f64,
    /// Akaike's information criterion.
    pub aic: f64,
    /// Bayesian information criterion (with log of the people observed).
    pub bic: f64,
    /// 95% profile-likelihood interval for the population size, when found.
    pub interval: Option<(f64, f64)>,
    /// Standard error of the estimate, as Rcapture computes it:
    /// sqrt(e^b0 + e^(2 b0) var(b0)).
    pub std_error: f64,
    /// Mth Chao: the c of each heterogeneity term (f - c + 1)+ whose
    /// coefficient came out negative and was set to 0 (Rcapture's rule).
    pub zeroed: Vec<usize>,
    /// Whether the fit converged.
    pub converged: bool,
}

/// Solves `a x = b` for a symmetric positive definite `a` (Cholesky).
fn solve_spd(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d <= 1e-300 {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    Some(x)
}

/// Fits a Poisson log-linear regression by iteratively reweighted least
/// squares; returns the coefficients and fitted means.
fn poisson_irls(x: &[Vec<f64>], y: &[f64]) -> Option<(Vec<f64>, Vec<f64>, bool)> {
    let p = x[0].len();
    let mut mu: Vec<f64> = y.iter().map(|&v| v + 0.5).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut beta = vec![0.0; p];
    let mut last_dev = f64::INFINITY;
    for _ in 0..200 {
        let mut xtwx = vec![vec![0.0; p]; p];
        let mut xtwz = vec![0.0; p];
        for (i, row) in x.iter().enumerate() {
            let w = mu[i];
            let z = eta[i] + (y[i] - mu[i]) / mu[i];
            for a in 0..p {
                xtwz[a] += row[a] * w * z;
                for b in 0..p {
                    xtwx[a][b] += row[a] * w * row[b];
                }
            }
        }
        beta = solve_spd(&xtwx, &xtwz)?;
        for (i, row) in x.iter().enumerate() {
            eta[i] = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
            mu[i] = eta[i].exp();
        }
        let dev = deviance(y, &mu);
        if (last_dev - dev).abs() <= 1e-12 * (1.0 + dev.abs()) {
            return Some((beta, mu, true));
        }
        last_dev = dev;
    }
    Some((beta, mu, false))
}

/// The variance of the intercept: the first diagonal entry of the inverse
/// of the Fisher information X'WX at the fitted means.
fn intercept_variance(x: &[Vec<f64>], mu: &[f64]) -> Option<f64> {
    let p = x[0].len();
    let mut xtwx = vec![vec![0.0; p]; p];
    for (row, &w) in x.iter().zip(mu) {
        for a in 0..p {
            for b in 0..p {
                xtwx[a][b] += row[a] * w * row[b];
            }
        }
    }
    let mut unit = vec![0.0; p];
    unit[0] = 1.0;
    Some(solve_spd(&xtwx, &unit)?[0])
}

fn deviance(y: &[f64], mu: &[f64]) -> f64 {
    2.0 * y
        .iter()
        .zip(mu)
        .map(|(&y, &m)| {
            if y > 0.0 {
                y * (y / m).ln() - (y - m)
            } else {
                m
            }
        })
        .sum::<f64>()
}

fn ln_gamma(x: f64) -> f64 {
    // Lanczos approximation (g = 7, n = 9); accurate to about 1e-15.
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum: f64 = C[0] + (1..9).map(|i| C[i] / (x + i as f64)).sum::<f64>();
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The design matrix (intercept first) without the columns of the
/// heterogeneity terms `zeroed` (Mth Chao), and its patterns.
fn design(
    model: Model,
    table: &CaptureTable,
    with_zero: bool,
    zeroed: &[usize],
) -> (Vec<Vec<f64>>, Vec<u32>) {
    let k = table.k();
    let start = if with_zero { 0 } else { 1 };
    let patterns: Vec<u32> = (start..(1u32 << k)).collect();
    // Mth Chao's column of term c is 1 + k + (c - 3).
    let dropped: Vec<usize> = zeroed.iter().map(|c| 1 + k + c - 3).collect();
    let x = patterns
        .iter()
        .map(|&p| {
            let mut row = vec![1.0];
            row.extend(model.row(p, k));
            row.into_iter()
                .enumerate()
                .filter(|(i, _)| !dropped.contains(i))
                .map(|(_, v)| v)
                .collect()
        })
        .collect();
    (x, patterns)
}

/// The multinomial log-likelihood of population size `n_total`, maximised
/// over the model's parameters (up to a constant).
fn profile(model: Model, table: &CaptureTable, n_total: f64) -> Option<f64> {
    let n = table.observed() as f64;
    // Mth Chao's negative terms are dropped at every N, as in the fit.
    let mut zeroed = Vec::new();
    let (y, mu) = loop {
        let (x, patterns) = design(model, table, true, &zeroed);
        let y: Vec<f64> = patterns
            .iter()
            .map(|&p| {
                if p == 0 {
                    n_total - n
                } else {
                    table.count(p) as f64
                }
            })
            .collect();
        let (beta, mu, _) = poisson_irls(&x, &y)?;
        let negative = negative_terms(model, table.k(), &zeroed, &beta);
        if negative.is_empty() {
            break (y, mu);
        }
        zeroed.extend(negative);
    };
    let total: f64 = mu.iter().sum();
    let ll: f64 = y
        .iter()
        .zip(&mu)
        .map(|(&y, &m)| if y > 0.0 { y * (m / total).ln() } else { 0.0 })
        .sum();
    Some(ln_gamma(n_total + 1.0) - ln_gamma(n_total - n + 1.0) + ll)
}

/// Mth Chao's heterogeneity terms still in the model (by c) whose
/// coefficient in `beta` is negative: Rcapture sets them to 0 and refits.
fn negative_terms(model: Model, k: usize, zeroed: &[usize], beta: &[f64]) -> Vec<usize> {
    if model != Model::MthChao {
        return Vec::new();
    }
    (3..=k)
        .filter(|c| !zeroed.contains(c))
        .zip(beta.get(1 + k..).unwrap_or(&[]))
        .filter(|&(_, &b)| b < 0.0)
        .map(|(c, _)| c)
        .collect()
}

/// The 95% profile-likelihood interval for the population size.
fn profile_interval(model: Model, table: &CaptureTable, n_hat: f64) -> Option<(f64, f64)> {
    let profile = |n_total: f64| profile(model, table, n_total);
    let n = table.observed() as f64;
    // The profile's maximum, by golden-section search around the estimate.
    let (mut a, mut b) = (n + 1e-6, (n_hat * 4.0).max(n + 10.0));
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..200 {
        let c = b - g * (b - a);
        let d = a + g * (b - a);
        if profile(c)? > profile(d)? {
            b = d
        } else {
            a = c
        }
    }
    let top_n = (a + b) / 2.0;
    let top = profile(top_n)?;
    let cut = top - 3.841_458_820_694_124 / 2.0;
    let bisect = |mut lo: f64, mut hi: f64, rising: bool| -> Option<f64> {
        for _ in 0..200 {
            let mid = (lo + hi) / 2.0;
            let above = profile(mid)? > cut;
            if above == rising { hi = mid } else { lo = mid }
        }
        Some((lo + hi) / 2.0)
    };
    let lower = if profile(n + 1e-6)? > cut {
        n
    } else {
        bisect(n + 1e-6, top_n, true)?
    };
    let mut far = top_n * 2.0;
    let mut tries = 0;
    while profile(far)? > cut {
        far *= 2.0;
        tries += 1;
        if tries > 40 {
            return None;
        }
    }
    let upper = bisect(top_n, far, false)?;
    Some((lower, upper))
}

/// Fits one model to a table, with its profile-likelihood interval.
pub fn fit(model: Model, table: &CaptureTable) -> Option<Fit> {
    let mut f = fit_point(model, table)?;
    f.interval = profile_interval(model, table, f.n_hat);
    Some(f)
}

/// Fits one model without its interval (cheaper; for model choice).
pub fn fit_point(model: Model, table: &CaptureTable) -> Option<Fit> {
    let k = table.k();
    let mut zeroed: Vec<usize> = Vec::new();
    let (x, y, beta, mu, converged) = loop {
        let (x, patterns) = design(model, table, false, &zeroed);
        let y: Vec<f64> = patterns.iter().map(|&p| table.count(p) as f64).collect();
        if x[0].len() > y.len() {
            return None;
        }
        let (beta, mu, converged) = poisson_irls(&x, &y)?;
        let negative = negative_terms(model, k, &zeroed, &beta);
        if negative.is_empty() {
            break (x, y, beta, mu, converged);
        }
        zeroed.extend(negative);
    };
    let n = table.observed() as f64;
    let n_hat = n + beta[0].exp();
    let std_error = intercept_variance(&x, &mu).map_or(f64::NAN, |v| {
        (beta[0].exp() + (2.0 * beta[0]).exp() * v).sqrt()
    });
    let log_likelihood: f64 = y
        .iter()
        .zip(&mu)
        .map(|(&y, &m)| y * m.ln() - m - ln_gamma(y + 1.0))
        .sum();
    let p = x[0].len();
    Some(Fit {
        model,
        n_hat,
        parameters: p,
        log_likelihood,
        deviance: deviance(&y, &mu),
        aic: -2.0 * log_likelihood + 2.0 * p as f64,
        bic: -2.0 * log_likelihood + p as f64 * n.ln(),
        interval: None,
        std_error,
        zeroed,
        converged,
    })
}

/// Fits every model that the table can support.
pub fn fit_all(table: &CaptureTable) -> Vec<Fit> {
    Model::ALL.iter().filter_map(|&m| fit(m, table)).collect()
}

/// The model [`best`] chooses by AIC, fitted with its interval.
pub fn select(table: &CaptureTable) -> Option<Fit> {
    let fits: Vec<Fit> = Model::ALL
        .iter()
        .filter_map(|&m| fit_point(m, table))
        .collect();
    let model = best(&fits, false)?.model;
    fit(model, table)
}

/// The fit with the lowest AIC (or BIC) among the models that estimate
/// the population (a lower bound, Mth Chao, is never the headline: it is a
/// minimum by construction, and its interval misses the truth whenever
/// heterogeneity is strong; it is shown beside the others). Only when no
/// other model fits is the lower bound returned.
pub fn best(fits: &[Fit], by_bic: bool) -> Option<&Fit> {
    let estimates = fits
        .iter()
        .filter(|f| f.converged && !f.model.is_lower_bound());
    let lower_bounds = fits
        .iter()
        .filter(|f| f.converged && f.model.is_lower_bound());
    let candidates: Vec<&Fit> = if estimates.clone().next().is_some() {
        estimates.collect()
    } else {
        lower_bounds.collect()
    };
    candidates.into_iter().min_by(|a, b| {
        let (x, y) = if by_bic {
            (a.bic, b.bic)
        } else {
            (a.aic, b.aic)
        };
        x.total_cmp(&y)
    })
}
