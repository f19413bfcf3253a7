//! Poisson regression as R's `glm(family = poisson)` fits it, with the
//! pieces Rcapture reads off the fit: the covariance of the coefficients,
//! the deviance, and the asymptotic bias of the estimated missing count.

/// Solves `a x = b` for a symmetric positive definite `a` (Cholesky).
pub(crate) fn solve_spd(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let l = cholesky(a)?;
    Some(solve_with(&l, b))
}

fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
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
    Some(l)
}

fn solve_with(l: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    x
}

/// The inverse of a symmetric positive definite matrix.
pub(crate) fn inverse_spd(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let l = cholesky(a)?;
    let n = a.len();
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            let mut unit = vec![0.0; n];
            unit[j] = 1.0;
            solve_with(&l, &unit)
        })
        .collect();
    Some(
        (0..n)
            .map(|i| (0..n).map(|j| columns[j][i]).collect())
            .collect(),
    )
}

/// X'WX for the design `x` and weights `w`.
pub(crate) fn information(x: &[Vec<f64>], w: &[f64]) -> Vec<Vec<f64>> {
    let p = x[0].len();
    let mut xtwx = vec![vec![0.0; p]; p];
    for (row, &w) in x.iter().zip(w) {
        for a in 0..p {
            let ra = row[a] * w;
            if ra == 0.0 {
                continue;
            }
            for b in 0..p {
                xtwx[a][b] += ra * row[b];
            }
        }
    }
    xtwx
}

/// A Poisson regression's fit.
pub(crate) struct Glm {
    /// Coefficients, intercept first.
    pub beta: Vec<f64>,
    /// Fitted means.
    pub mu: Vec<f64>,
    /// Whether the deviance settled.
    pub converged: bool,
}

/// Fits a Poisson log-linear regression by iteratively reweighted least
/// squares (R's start: mu = y + 0.5; up to 200 steps).
pub(crate) fn poisson_irls(x: &[Vec<f64>], y: &[f64]) -> Option<Glm> {
    let p = x[0].len();
    let mut mu: Vec<f64> = y.iter().map(|&v| v + 0.5).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut beta = vec![0.0; p];
    let mut last_dev = f64::INFINITY;
    for _ in 0..200 {
        let mut xtwz = vec![0.0; p];
        for (i, row) in x.iter().enumerate() {
            let z = eta[i] + (y[i] - mu[i]) / mu[i];
            for a in 0..p {
                xtwz[a] += row[a] * mu[i] * z;
            }
        }
        beta = solve_spd(&information(x, &mu), &xtwz)?;
        for (i, row) in x.iter().enumerate() {
            eta[i] = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
            mu[i] = eta[i].exp();
        }
        let dev = deviance(y, &mu);
        if !dev.is_finite() {
            return None;
        }
        if (last_dev - dev).abs() <= 1e-12 * (1.0 + dev.abs()) {
            return Some(Glm {
                beta,
                mu,
                converged: true,
            });
        }
        last_dev = dev;
    }
    Some(Glm {
        beta,
        mu,
        converged: false,
    })
}

/// The Poisson deviance of means `mu` for counts `y`.
pub(crate) fn deviance(y: &[f64], mu: &[f64]) -> f64 {
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

/// The Poisson log-likelihood of counts `y` at means `mu`.
pub(crate) fn log_likelihood(y: &[f64], mu: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .map(|(&y, &m)| y * m.ln() - m - ln_gamma(y + 1.0))
        .sum()
}

/// The first-order asymptotic bias of exp(intercept), the estimated number
/// never observed, as Rcapture 1.4-4 computes it (Rivest and Lévesque
/// 2001): with V the inverse information, xi_i = -x_i'V x_i / 2,
/// psi = -2 X' diag(mu) xi - e_1, bias = exp(b0) (-V psi)_1 / 2.
pub(crate) fn intercept_bias(x: &[Vec<f64>], glm: &Glm, v: &[Vec<f64>]) -> f64 {
    let p = x[0].len();
    let mut psi = vec![0.0; p];
    for (row, &m) in x.iter().zip(&glm.mu) {
        let quad: f64 = (0..p)
            .map(|a| row[a] * (0..p).map(|b| v[a][b] * row[b]).sum::<f64>())
            .sum();
        let xi = -0.5 * quad;
        for a in 0..p {
            psi[a] += -2.0 * row[a] * m * xi;
        }
    }
    psi[0] -= 1.0;
    let first: f64 = -(0..p).map(|b| v[0][b] * psi[b]).sum::<f64>();
    0.5 * glm.beta[0].exp() * first
}

/// The logarithm of the gamma function.
pub(crate) fn ln_gamma(x: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inverse_times_the_matrix_is_the_identity() {
        let a = vec![
            vec![4.0, 1.0, 0.5],
            vec![1.0, 3.0, 0.25],
            vec![0.5, 0.25, 2.0],
        ];
        let inv = inverse_spd(&a).unwrap();
        for (i, row) in a.iter().enumerate() {
            for (j, want) in (0..3).map(|j| (j, f64::from(u8::from(i == j)))) {
                let got: f64 = (0..3).map(|k| row[k] * inv[k][j]).sum();
                assert!((got - want).abs() < 1e-12, "{i},{j}: {got}");
            }
        }
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut f = 1.0f64;
        for n in 1..30 {
            f *= n as f64;
            assert!((ln_gamma(n as f64 + 1.0) - f.ln()).abs() < 1e-11 * f.ln().max(1.0));
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }
}
