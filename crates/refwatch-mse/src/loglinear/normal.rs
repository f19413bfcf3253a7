//! Mh Normal: people differ in how catchable they are by a normal random
//! effect on the logit scale (Rivest 2011; Rcapture's
//! `closedpCI.t(m = "Mh", h = "Normal")`).
//!
//! The expected count of a pattern caught f times is
//! exp(b0 + b1 f + phi(f)), where, with Gauss–Hermite nodes z_i and
//! weights w_i (20 points, as Rcapture) and C_i = (1 + e^(b1 + √2 σ z_i))^-k
//! the chance of being on no list at node i,
//! phi(f) = ln(Σ w_i e^(f √2 σ z_i) C_i / Σ w_i C_i), so that phi(0) = 0
//! and e^b0 is the expected number never listed. The three parameters
//! minimise the Poisson deviance (Nelder–Mead here; BFGS in Rcapture).
//!
//! Standard error: the covariance of the parameters is the inverse of the
//! information, which is half the Hessian of the deviance. Rcapture 1.4-4
//! inverts the Hessian of the deviance itself, so its standard error for
//! this model is this one divided by √2. The interval is Chao's (1987)
//! log-normal interval from the standard error, as Rcapture's.

use super::glm::{deviance, inverse_spd, log_likelihood};
use super::{Fit, IntervalMethod, Model};
use crate::CaptureTable;

/// Gauss–Hermite nodes and weights for ∫ e^(-x²) g(x) dx, by Newton's
/// method on the Hermite polynomial (Golub and Welsch give the same).
pub(super) fn gauss_hermite(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    let pi_quarter = std::f64::consts::PI.powf(-0.25);
    let m = n.div_ceil(2);
    let mut z = 0.0f64;
    for i in 0..m {
        // Starting guesses for the largest roots first (Numerical Recipes).
        z = match i {
            0 => (2.0 * n as f64 + 1.0).sqrt() - 1.855_75 * (2.0 * n as f64 + 1.0).powf(-1.0 / 6.0),
            1 => z - 1.14 * (n as f64).powf(0.426) / z,
            2 => 1.86 * z - 0.86 * nodes[0],
            3 => 1.91 * z - 0.91 * nodes[1],
            _ => 2.0 * z - nodes[i - 2],
        };
        let mut derivative = 0.0;
        for _ in 0..100 {
            // Orthonormal Hermite recurrence.
            let mut p1 = pi_quarter;
            let mut p2 = 0.0;
            for j in 1..=n {
                let p3 = p2;
                p2 = p1;
                p1 = z * (2.0 / j as f64).sqrt() * p2 - ((j as f64 - 1.0) / j as f64).sqrt() * p3;
            }
            derivative = (2.0 * n as f64).sqrt() * p2;
            let step = p1 / derivative;
            z -= step;
            if step.abs() <= 1e-15 * z.abs().max(1.0) {
                break;
            }
        }
        nodes[i] = z;
        nodes[n - 1 - i] = -z;
        weights[i] = 2.0 / (derivative * derivative);
        weights[n - 1 - i] = weights[i];
    }
    (nodes, weights)
}

/// ln(1 + e^x) without overflow.
fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}

fn log_sum_exp(terms: impl Iterator<Item = f64> + Clone) -> f64 {
    let top = terms.clone().fold(f64::NEG_INFINITY, f64::max);
    top + terms.map(|t| (t - top).exp()).sum::<f64>().ln()
}

/// The model's expected counts of the patterns 1 .. 2^k - 1.
struct Means {
    k: usize,
    nodes: Vec<f64>,
    ln_weights: Vec<f64>,
}

impl Means {
    fn new(k: usize) -> Self {
        let (nodes, weights) = gauss_hermite(20);
        Self {
            k,
            nodes,
            ln_weights: weights.iter().map(|w| w.ln()).collect(),
        }
    }

    fn of(&self, theta: &[f64]) -> Vec<f64> {
        let (b0, b1, sigma) = (theta[0], theta[1], theta[2]);
        let k = self.k;
        let s = std::f64::consts::SQRT_2 * sigma;
        let ln_c: Vec<f64> = self
            .nodes
            .iter()
            .map(|z| -(k as f64) * softplus(b1 + s * z))
            .collect();
        let base = log_sum_exp((0..self.nodes.len()).map(|i| self.ln_weights[i] + ln_c[i]));
        let by_captures: Vec<f64> = (0..=k)
            .map(|f| {
                let phi = log_sum_exp(
                    (0..self.nodes.len())
                        .map(|i| self.ln_weights[i] + f as f64 * s * self.nodes[i] + ln_c[i]),
                ) - base;
                (b0 + b1 * f as f64 + phi).exp()
            })
            .collect();
        (1u32..(1 << k))
            .map(|p| by_captures[p.count_ones() as usize])
            .collect()
    }
}

/// Minimises `f` by Nelder and Mead's simplex from `start`, restarting
/// until a restart no longer improves; returns the point and whether the
/// simplex shrank below tolerance.
fn nelder_mead(f: impl Fn(&[f64]) -> f64, start: &[f64]) -> (Vec<f64>, bool) {
    let n = start.len();
    let mut best = start.to_vec();
    let mut best_value = f(&best);
    let mut converged = false;
    for _ in 0..20 {
        let mut simplex: Vec<Vec<f64>> = vec![best.clone()];
        for j in 0..n {
            let mut v = best.clone();
            v[j] += if v[j].abs() > 1e-3 { 0.05 * v[j] } else { 0.05 };
            simplex.push(v);
        }
        let mut values: Vec<f64> = simplex.iter().map(|v| f(v)).collect();
        converged = false;
        for _ in 0..20_000 {
            let mut order: Vec<usize> = (0..=n).collect();
            order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
            simplex = order.iter().map(|&i| simplex[i].clone()).collect();
            values = order.iter().map(|&i| values[i]).collect();
            let spread = values[n] - values[0];
            let size = (1..=n)
                .flat_map(|i| (0..n).map(move |j| (i, j)))
                .map(|(i, j)| (simplex[i][j] - simplex[0][j]).abs())
                .fold(0.0, f64::max);
            // Settled, or shrunk to the resolution of the numbers (where
            // rounding in a deviance near 0 is all the spread left).
            let scale = 1.0 + simplex[0].iter().map(|v| v.abs()).fold(0.0, f64::max);
            if (spread <= 1e-12 * (1.0 + values[0].abs()) && size <= 1e-6) || size <= 1e-13 * scale
            {
                converged = true;
                break;
            }
            let centroid: Vec<f64> = (0..n)
                .map(|j| simplex[..n].iter().map(|v| v[j]).sum::<f64>() / n as f64)
                .collect();
            let towards = |t: f64| -> Vec<f64> {
                (0..n)
                    .map(|j| centroid[j] + t * (simplex[n][j] - centroid[j]))
                    .collect()
            };
            let reflected = towards(-1.0);
            let fr = f(&reflected);
            if fr < values[0] {
                let expanded = towards(-2.0);
                let fe = f(&expanded);
                (simplex[n], values[n]) = if fe < fr {
                    (expanded, fe)
                } else {
                    (reflected, fr)
                };
            } else if fr < values[n - 1] {
                (simplex[n], values[n]) = (reflected, fr);
            } else {
                let contracted = if fr < values[n] {
                    towards(-0.5)
                } else {
                    towards(0.5)
                };
                let fc = f(&contracted);
                if fc < values[n].min(fr) {
                    (simplex[n], values[n]) = (contracted, fc);
                } else {
                    for i in 1..=n {
                        simplex[i] = (0..n)
                            .map(|j| simplex[0][j] + 0.5 * (simplex[i][j] - simplex[0][j]))
                            .collect();
                        values[i] = f(&simplex[i]);
                    }
                }
            }
        }
        let improved = best_value - values[0];
        best.clone_from(&simplex[0]);
        best_value = values[0];
        if improved <= 1e-12 * (1.0 + best_value.abs()) {
            break;
        }
    }
    (best, converged)
}

/// The Hessian of `f` at `x` by central differences.
fn hessian(f: &impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let h = 1e-4;
    let at = |da: (usize, f64), db: (usize, f64)| {
        let mut v = x.to_vec();
        v[da.0] += da.1;
        v[db.0] += db.1;
        f(&v)
    };
    (0..n)
        .map(|a| {
            (0..n)
                .map(|b| {
                    (at((a, h), (b, h)) - at((a, h), (b, -h)) - at((a, -h), (b, h))
                        + at((a, -h), (b, -h)))
                        / (4.0 * h * h)
                })
                .collect()
        })
        .collect()
}

/// Fits Mh Normal (without its interval).
pub(super) fn fit_point(table: &CaptureTable) -> Option<Fit> {
    let k = table.k();
    // Rcapture's start: Mh Darroch's intercept and slope, sigma 0.2.
    let darroch = super::fit_glm(Model::MhDarroch, table, None, true)?.2;
    let means = Means::new(k);
    let y: Vec<f64> = (1u32..(1 << k)).map(|p| table.count(p) as f64).collect();
    let objective = |theta: &[f64]| {
        let d = deviance(&y, &means.of(theta));
        if d.is_finite() { d } else { f64::INFINITY }
    };
    let (mut theta, converged) = nelder_mead(objective, &[darroch.beta[0], darroch.beta[1], 0.2]);
    theta[2] = theta[2].abs();
    let mu = means.of(&theta);
    let n = table.observed() as f64;
    // The information is half the deviance's Hessian; where sigma sits at
    // 0 the curvature in sigma can vanish, and the intercept's variance is
    // read from the other two parameters.
    let h = hessian(&objective, &theta);
    let variance = inverse_spd(&h).map(|v| 2.0 * v[0][0]).or_else(|| {
        let block = vec![h[0][..2].to_vec(), h[1][..2].to_vec()];
        inverse_spd(&block).map(|v| 2.0 * v[0][0])
    })?;
    let unseen = theta[0].exp();
    let ll = log_likelihood(&y, &mu);
    Some(Fit {
        model: Model::MhNormal,
        n_hat: n + unseen,
        parameters: 3,
        log_likelihood: ll,
        deviance: deviance(&y, &mu),
        aic: -2.0 * ll + 6.0,
        bic: -2.0 * ll + 3.0 * n.ln(),
        interval: None,
        interval_method: IntervalMethod::LogNormal,
        std_error: (unseen + unseen * unseen * variance).sqrt(),
        asymptotic_bias: None,
        zeroed: Vec::new(),
        converged,
    })
}

/// The spread sigma of the fitted random effect (for tests and reports).
#[cfg(test)]
pub(super) fn sigma(table: &CaptureTable) -> Option<f64> {
    let darroch = super::fit_glm(Model::MhDarroch, table, None, true)?.2;
    let means = Means::new(table.k());
    let y: Vec<f64> = (1u32..(1 << table.k()))
        .map(|p| table.count(p) as f64)
        .collect();
    let objective = |theta: &[f64]| deviance(&y, &means.of(theta));
    let (theta, _) = nelder_mead(objective, &[darroch.beta[0], darroch.beta[1], 0.2]);
    Some(theta[2].abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_hermite_integrates_polynomials_exactly() {
        // ∫ e^(-x²) x^(2m) dx = Γ(m + 1/2), exact for degree below 40.
        let (x, w) = gauss_hermite(20);
        assert!((x[0] - 5.387_480_890_011_233).abs() < 1e-12, "{}", x[0]);
        for m in 0..19 {
            let got: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(2 * m)).sum();
            let want = super::super::glm::ln_gamma(m as f64 + 0.5).exp();
            assert!((got - want).abs() < 1e-10 * want, "m {m}: {got} {want}");
        }
    }

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum() {
        let f = |v: &[f64]| (v[0] - 1.0).powi(2) + 10.0 * (v[1] + 2.0).powi(2) + v[2].powi(4);
        let (x, converged) = nelder_mead(f, &[0.0, 0.0, 1.0]);
        assert!(converged);
        assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6 && x[2].abs() < 1e-2);
    }
}
