//! Closed-population log-linear models, fitted as Rcapture's `closedp.t`
//! and `closedpCI.t` fit them: a Poisson regression of the observed
//! pattern counts whose intercept is the log of the expected count of the
//! unobserved pattern.
//!
//! The models are Rcapture's twelve (M0, Mt, Mh and Mth with Chao's lower
//! bound, Poisson2, Darroch and Gamma3.5 heterogeneity, Mb and Mbh), Mh
//! with a normal random effect (`closedpCI.t(h = "Normal")`, see
//! [`normal`]), and Mt with every two-way interaction. Mb and Mbh read the
//! lists as occasions in time, so they are fitted only when the caller
//! says the lists are ordered.

mod glm;
mod normal;

use crate::CaptureTable;
pub(crate) use glm::ln_gamma;
use glm::{Glm, deviance, information, intercept_bias, inverse_spd, log_likelihood};

/// A log-linear model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Every list has the same capture probability.
    M0,
    /// Lists differ; lists are independent and people alike.
    Mt,
    /// Lists alike; people differ (Chao's lower bound).
    MhChao,
    /// Lists alike; people differ (Rivest and Baillargeon's Poisson, theta 2).
    MhPoisson2,
    /// Lists alike; people differ (Darroch's quadratic form).
    MhDarroch,
    /// Lists alike; people differ (Rivest and Baillargeon's gamma, theta 3.5).
    MhGamma35,
    /// Lists alike; people differ by a normal random effect (Rivest 2011).
    MhNormal,
    /// Mt with heterogeneity between people, Chao's lower-bound form.
    MthChao,
    /// Mt with Poisson2 heterogeneity.
    MthPoisson2,
    /// Mt with heterogeneity between people, Darroch's quadratic form.
    MthDarroch,
    /// Mt with Gamma3.5 heterogeneity.
    MthGamma35,
    /// A behavioural response: being caught once changes the chance of
    /// being caught again (lists ordered in time).
    Mb,
    /// Mb with heterogeneity (lists ordered in time).
    Mbh,
    /// Mt with every two-way interaction between lists (list dependence).
    MtTwoWay,
}

/// How the heterogeneity between people enters a model's design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heterogeneity {
    None,
    Chao,
    Poisson2,
    Darroch,
    Gamma35,
    Normal,
}

/// How a 95% interval was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalMethod {
    /// From the multinomial profile likelihood (as `closedpCI.t`).
    Profile,
    /// Chao's (1987) log-normal interval from the standard error, for the
    /// models whose profile Rcapture does not compute (Mb, Mbh, Mh Normal).
    LogNormal,
}

impl Model {
    /// Every model, in Rcapture's order, then Mh Normal and Mt with
    /// two-way interactions.
    pub const ALL: [Model; 14] = [
        Self::M0,
        Self::Mt,
        Self::MhChao,
        Self::MhPoisson2,
        Self::MhDarroch,
        Self::MhGamma35,
        Self::MthChao,
        Self::MthPoisson2,
        Self::MthDarroch,
        Self::MthGamma35,
        Self::Mb,
        Self::Mbh,
        Self::MhNormal,
        Self::MtTwoWay,
    ];

    /// The model's name as Rcapture prints it.
    pub fn name(self) -> &'static str {
        match self {
            Self::M0 => "M0",
            Self::Mt => "Mt",
            Self::MhChao => "Mh Chao (LB)",
            Self::MhPoisson2 => "Mh Poisson2",
            Self::MhDarroch => "Mh Darroch",
            Self::MhGamma35 => "Mh Gamma3.5",
            Self::MhNormal => "Mh Normal",
            Self::MthChao => "Mth Chao (LB)",
            Self::MthPoisson2 => "Mth Poisson2",
            Self::MthDarroch => "Mth Darroch",
            Self::MthGamma35 => "Mth Gamma3.5",
            Self::Mb => "Mb",
            Self::Mbh => "Mbh",
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
            Self::MhChao => {
                "lists are alike and independent; people differ in how catchable they are (Chao's lower bound: a minimum, not a best guess)"
            }
            Self::MhPoisson2 | Self::MhDarroch | Self::MhGamma35 => {
                "lists are alike and independent; people differ in how catchable they are, in the form named"
            }
            Self::MhNormal => {
                "lists are alike and independent; how catchable people are varies as a normal variable on the logit scale"
            }
            Self::MthChao => {
                "lists are independent; people differ in how catchable they are (Chao's lower bound: a minimum, not a best guess)"
            }
            Self::MthPoisson2 | Self::MthDarroch | Self::MthGamma35 => {
                "lists are independent; people differ in how catchable they are, in the form named"
            }
            Self::Mb => {
                "the lists were made one after another and being on an earlier one changes the chance of being on a later one"
            }
            Self::Mbh => {
                "as Mb, with the first list catching differently from the later ones (heterogeneity)"
            }
            Self::MtTwoWay => {
                "any two lists may depend on each other; people are otherwise alike; no three-way dependence"
            }
        }
    }

    /// Whether the model gives a lower bound rather than an estimate.
    pub fn is_lower_bound(self) -> bool {
        matches!(self, Self::MhChao | Self::MthChao)
    }

    /// Whether the model reads the lists as occasions in time (Mb, Mbh).
    pub fn needs_order(self) -> bool {
        matches!(self, Self::Mb | Self::Mbh)
    }

    /// The fewest lists the model can be fitted to (Rcapture fits only
    /// M0, Mt and Mb to two).
    pub fn min_lists(self) -> usize {
        match self {
            Self::M0 | Self::Mt | Self::Mb => 2,
            _ => 3,
        }
    }

    fn heterogeneity(self) -> Heterogeneity {
        match self {
            Self::MhChao | Self::MthChao => Heterogeneity::Chao,
            Self::MhPoisson2 | Self::MthPoisson2 => Heterogeneity::Poisson2,
            Self::MhDarroch | Self::MthDarroch => Heterogeneity::Darroch,
            Self::MhGamma35 | Self::MthGamma35 => Heterogeneity::Gamma35,
            Self::MhNormal => Heterogeneity::Normal,
            _ => Heterogeneity::None,
        }
    }

    /// The columns before the heterogeneity terms (intercept included).
    fn leading_columns(self, k: usize) -> usize {
        match self {
            Self::M0 | Self::MhChao | Self::MhPoisson2 | Self::MhDarroch | Self::MhGamma35 => 2,
            Self::MhNormal => 2,
            Self::Mb => 3,
            Self::Mbh => 4,
            Self::Mt
            | Self::MthChao
            | Self::MthPoisson2
            | Self::MthDarroch
            | Self::MthGamma35
            | Self::MtTwoWay => 1 + k,
        }
    }

    /// The design row of a pattern over `k` lists, without the intercept.
    fn row(self, pattern: u32, k: usize) -> Vec<f64> {
        let bit = |j: usize| f64::from((pattern >> (k - 1 - j)) & 1);
        let f = f64::from(pattern.count_ones());
        // Lists before the first that holds the person (Mb, Mbh).
        let before = || (k as u32 - (32 - pattern.leading_zeros())) as f64;
        let mut row: Vec<f64> = match self {
            Self::M0 | Self::MhChao | Self::MhPoisson2 | Self::MhDarroch | Self::MhGamma35 => {
                vec![f]
            }
            Self::MhNormal => vec![f],
            Self::Mb => vec![before(), f - 1.0],
            Self::Mbh => vec![1.0 - bit(0), before(), f - 1.0],
            _ => (0..k).map(bit).collect(),
        };
        match self.heterogeneity() {
            // Chao's lower-bound heterogeneity as Rcapture's Xclosedp codes
            // it: columns (f - c + 1)+ for c = 3 .. k, the last marking "on
            // every list"; a column whose coefficient comes out negative is
            // then dropped and the model refitted (Rcapture's neg = TRUE).
            Heterogeneity::Chao => row.extend((3..=k).map(|c| (f - c as f64 + 1.0).max(0.0))),
            Heterogeneity::Poisson2 => row.push(2f64.powf(f) - 1.0),
            Heterogeneity::Darroch => row.push(f * f / 2.0),
            Heterogeneity::Gamma35 => row.push(-(3.5 + f).ln() + 3.5f64.ln()),
            Heterogeneity::None | Heterogeneity::Normal => {}
        }
        if self == Self::MtTwoWay {
            for a in 0..k {
                for b in a + 1..k {
                    row.push(bit(a) * bit(b));
                }
            }
        }
        row
    }
}

/// The most lists the log-linear models take: their designs have 2^lists
/// rows and, with all two-way interactions, lists² / 2 columns, and the
/// profile interval refits them hundreds of times (10 lists: about 20 s on
/// this kind of machine; 12: over 100 s).
pub const MAX_LISTS: usize = 10;

/// The share of the estimate above which Rcapture calls the asymptotic
/// bias large ("the asymptotic bias is large", its infoFit code 1).
pub const LARGE_BIAS: f64 = 0.1;

/// How the models are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The lists were made one after another, in the order of the table's
    /// columns: Mb and Mbh are fitted too.
    pub ordered: bool,
    /// Rcapture's `neg`: a Chao heterogeneity term whose coefficient comes
    /// out negative is set to 0 and the model refitted (default true).
    pub neg: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            ordered: false,
            neg: true,
        }
    }
}

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
    /// 95% interval for the population size, when found.
    pub interval: Option<(f64, f64)>,
    /// How the interval was found.
    pub interval_method: IntervalMethod,
    /// Standard error of the estimate, as Rcapture computes it:
    /// sqrt(e^b0 + e^(2 b0) var(b0)), or by the delta method for Mb, Mbh.
    pub std_error: f64,
    /// The first-order asymptotic bias of the estimate (Rivest and
    /// Lévesque 2001), as Rcapture computes it; none for Mh Normal.
    pub asymptotic_bias: Option<f64>,
    /// Chao's models: the c of each heterogeneity term (f - c + 1)+ whose
    /// coefficient came out negative and was set to 0 (Rcapture's rule).
    pub zeroed: Vec<usize>,
    /// Whether the fit converged.
    pub converged: bool,
}

impl Fit {
    /// Whether the asymptotic bias is over a tenth of the estimate, where
    /// Rcapture warns "the asymptotic bias is large".
    pub fn bias_is_large(&self) -> bool {
        self.asymptotic_bias
            .is_some_and(|b| b.abs() > LARGE_BIAS * self.n_hat)
    }
}

/// The design matrix (intercept first) without the columns of the
/// heterogeneity terms `zeroed` (Chao's models), and its patterns.
fn design(
    model: Model,
    table: &CaptureTable,
    with_zero: bool,
    zeroed: &[usize],
) -> (Vec<Vec<f64>>, Vec<u32>) {
    let k = table.k();
    let start = if with_zero { 0 } else { 1 };
    let patterns: Vec<u32> = (start..(1u32 << k)).collect();
    // Chao's column of term c is leading + (c - 3).
    let lead = model.leading_columns(k);
    let dropped: Vec<usize> = zeroed.iter().map(|c| lead + c - 3).collect();
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

/// Chao's heterogeneity term (by c) to set to 0 next: the first still in
/// the model whose coefficient in `beta` is negative, as Rcapture's
/// `Chao.neg` removes one at a time and refits.
fn first_negative_term(model: Model, k: usize, zeroed: &[usize], beta: &[f64]) -> Option<usize> {
    if model.heterogeneity() != Heterogeneity::Chao {
        return None;
    }
    (3..=k)
        .filter(|c| !zeroed.contains(c))
        .zip(beta.get(model.leading_columns(k)..).unwrap_or(&[]))
        .find(|&(_, &b)| b < 0.0)
        .map(|(c, _)| c)
}

/// A Poisson regression fitted for a model: its design, counts, fit, and
/// the Chao terms set to 0.
type Fitted = (Vec<Vec<f64>>, Vec<f64>, Glm, Vec<usize>);

/// Fits the Poisson regression of `model` to counts of the patterns the
/// design covers, dropping negative Chao terms one by one.
fn fit_glm(
    model: Model,
    table: &CaptureTable,
    unobserved: Option<f64>,
    neg: bool,
) -> Option<Fitted> {
    let mut zeroed = Vec::new();
    loop {
        let (x, patterns) = design(model, table, unobserved.is_some(), &zeroed);
        let y: Vec<f64> = patterns
            .iter()
            .map(|&p| match (p, unobserved) {
                (0, Some(n0)) => n0,
                _ => table.count(p) as f64,
            })
            .collect();
        if x[0].len() > y.len() {
            return None;
        }
        let glm = glm::poisson_irls(&x, &y)?;
        match first_negative_term(model, table.k(), &zeroed, &glm.beta) {
            Some(c) if neg => zeroed.push(c),
            _ => return Some((x, y, glm, zeroed)),
        }
    }
}

/// The multinomial log-likelihood of population size `n_total`, maximised
/// over the model's parameters (up to a constant).
fn profile(model: Model, table: &CaptureTable, n_total: f64, neg: bool) -> Option<f64> {
    let n = table.observed() as f64;
    // Chao's negative terms are dropped at every N, as in the fit.
    let (_, y, glm, _) = fit_glm(model, table, Some(n_total - n), neg)?;
    let total: f64 = glm.mu.iter().sum();
    let ll: f64 = y
        .iter()
        .zip(&glm.mu)
        .map(|(&y, &m)| if y > 0.0 { y * (m / total).ln() } else { 0.0 })
        .sum();
    Some(ln_gamma(n_total + 1.0) - ln_gamma(n_total - n + 1.0) + ll)
}

/// The 95% profile-likelihood interval for the population size.
fn profile_interval(
    model: Model,
    table: &CaptureTable,
    n_hat: f64,
    neg: bool,
) -> Option<(f64, f64)> {
    let profile = |n_total: f64| profile(model, table, n_total, neg);
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

/// Chao's (1987) log-normal 95% interval: n + (N - n) / C to
/// n + (N - n) C, with C = exp(1.96 sqrt(ln(1 + se² / (N - n)²))).
pub(crate) fn log_normal_interval(n: f64, n_hat: f64, se: f64) -> Option<(f64, f64)> {
    let unseen = n_hat - n;
    if !(unseen > 0.0 && se.is_finite()) {
        return None;
    }
    let c = (1.959_963_984_540_054 * (1.0 + se * se / (unseen * unseen)).ln().sqrt()).exp();
    Some((n + unseen / c, n + unseen * c))
}

/// Fits one model to a table, with its 95% interval.
pub fn fit(model: Model, table: &CaptureTable) -> Option<Fit> {
    fit_with(model, table, Options::default())
}

/// [`fit`] with options other than the defaults.
pub fn fit_with(model: Model, table: &CaptureTable, options: Options) -> Option<Fit> {
    let mut f = fit_point_with(model, table, options)?;
    f.interval = match f.interval_method {
        IntervalMethod::Profile => profile_interval(model, table, f.n_hat, options.neg),
        IntervalMethod::LogNormal => {
            log_normal_interval(table.observed() as f64, f.n_hat, f.std_error)
        }
    };
    Some(f)
}

/// The estimate and its standard error by Rcapture's formulas: the
/// intercept's for most models, the delta method for Mb and Mbh.
fn estimate(model: Model, k: usize, n: f64, beta: &[f64], v: &[Vec<f64>]) -> (f64, f64) {
    let e = f64::exp;
    let quad = |g: &[f64]| -> f64 {
        (0..g.len())
            .map(|a| g[a] * (0..g.len()).map(|b| v[a][b] * g[b]).sum::<f64>())
            .sum()
    };
    let t = k as f64;
    match model {
        Model::Mb => {
            let (b0, b1, b2) = (beta[0], beta[1], beta[2]);
            let denominator = 1.0 + e(b2) - e(b1);
            let n_hat = e(b0) * (1.0 + e(b2)).powf(t) / denominator;
            let g = [
                n_hat,
                n_hat * e(b1) / denominator,
                n_hat * (t * e(b2) / (1.0 + e(b2)) - e(b2) / denominator),
            ];
            (n_hat, (quad(&g) - n_hat).sqrt())
        }
        Model::Mbh => {
            let (b0, b1, b2, b3) = (beta[0], beta[1], beta[2], beta[3]);
            let denominator = 1.0 + e(b3) - e(b2);
            let scale = e(b0) * (1.0 + e(b3)).powf(t - 1.0);
            let n_hat = scale * (1.0 + e(b1 + b2) / denominator);
            let g = [
                scale * (1.0 + e(b1 + b2) / denominator),
                scale * e(b1 + b2) / denominator,
                scale * (e(b1 + b2) / denominator + e(b1 + 2.0 * b2) / (denominator * denominator)),
                scale
                    * ((t - 1.0) * e(b3) / (1.0 + e(b3))
                        - e(b1 + b2 + b3) / (denominator * denominator)),
            ];
            (n_hat, (quad(&g) - n_hat).sqrt())
        }
        _ => {
            let unseen = e(beta[0]);
            (n + unseen, (unseen + unseen * unseen * v[0][0]).sqrt())
        }
    }
}

/// Fits one model without its interval (cheaper; for model choice).
/// `None` when the table has too few lists for the model or the fit fails.
pub fn fit_point(model: Model, table: &CaptureTable) -> Option<Fit> {
    fit_point_with(model, table, Options::default())
}

fn fit_point_with(model: Model, table: &CaptureTable, options: Options) -> Option<Fit> {
    if table.k() < model.min_lists() {
        return None;
    }
    if model == Model::MhNormal {
        return normal::fit_point(table);
    }
    let (x, y, glm, zeroed) = fit_glm(model, table, None, options.neg)?;
    let n = table.observed() as f64;
    let v = inverse_spd(&information(&x, &glm.mu))?;
    let (n_hat, std_error) = estimate(model, table.k(), n, &glm.beta, &v);
    let log_likelihood = log_likelihood(&y, &glm.mu);
    let p = x[0].len();
    Some(Fit {
        model,
        n_hat,
        parameters: p,
        log_likelihood,
        deviance: deviance(&y, &glm.mu),
        aic: -2.0 * log_likelihood + 2.0 * p as f64,
        bic: -2.0 * log_likelihood + p as f64 * n.ln(),
        interval: None,
        interval_method: if model.needs_order() {
            IntervalMethod::LogNormal
        } else {
            IntervalMethod::Profile
        },
        std_error,
        asymptotic_bias: Some(intercept_bias(&x, &glm, &v)),
        zeroed,
        converged: glm.converged,
    })
}

/// The models fitted to a table: those that do not read the lists as
/// ordered in time, and Mb and Mbh too when `ordered`.
pub fn models(ordered: bool) -> impl Iterator<Item = Model> {
    Model::ALL
        .into_iter()
        .filter(move |m| ordered || !m.needs_order())
}

/// Fits every model that the table can support (Mb and Mbh only when the
/// lists are ordered in time).
pub fn fit_all(table: &CaptureTable, options: Options) -> Vec<Fit> {
    models(options.ordered)
        .filter_map(|m| fit_with(m, table, options))
        .collect()
}

/// The model [`best`] chooses by AIC among the models for unordered
/// lists, fitted with its interval.
pub fn select(table: &CaptureTable) -> Option<Fit> {
    let fits: Vec<Fit> = models(false).filter_map(|m| fit_point(m, table)).collect();
    let model = best(&fits, false)?.model;
    fit(model, table)
}

/// The fit with the lowest AIC (or BIC) among the models that estimate
/// the population (a lower bound, Chao's, is never the headline: it is a
/// minimum by construction, and its interval misses the truth whenever
/// heterogeneity is strong; it is shown beside the others). Only when no
/// other model fits is a lower bound returned.
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

/// Akaike weights: exp(-ΔAIC / 2), normalised over the converged fits
/// (0 for a fit that did not converge), in the order of `fits`. They say
/// how the evidence of the data is shared among the models, not how
/// likely each estimate is; a lower bound can carry weight.
pub fn aic_weights(fits: &[Fit]) -> Vec<f64> {
    let usable = |f: &Fit| f.converged && f.aic.is_finite();
    let lowest = fits
        .iter()
        .filter(|f| usable(f))
        .map(|f| f.aic)
        .fold(f64::INFINITY, f64::min);
    let raw: Vec<f64> = fits
        .iter()
        .map(|f| {
            if usable(f) {
                (-(f.aic - lowest) / 2.0).exp()
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = raw.iter().sum();
    raw.iter()
        .map(|w| if total > 0.0 { w / total } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests;
