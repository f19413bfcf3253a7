//! The models beyond Rcapture's published reference figures, checked
//! against the formulas of the papers that define them.

use super::*;

/// A table over `k` lists where every pattern caught f times holds
/// `per_pattern[f]` people.
fn by_captures(k: usize, per_pattern: &[f64]) -> CaptureTable {
    let lists = (1..=k).map(|i| format!("l{i}")).collect();
    CaptureTable::new(
        lists,
        (1u32..(1 << k)).map(|p| (p, per_pattern[p.count_ones() as usize] as u64)),
    )
    .unwrap()
}

fn close(got: f64, want: f64, relative: f64) -> bool {
    (got - want).abs() <= relative * want.abs()
}

/// Solves a 3×3 system by Cramer's rule.
fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> [f64; 3] {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(a);
    let mut out = [0.0; 3];
    for (j, o) in out.iter_mut().enumerate() {
        let mut m = a;
        for i in 0..3 {
            m[i][j] = b[i];
        }
        *o = det(m) / d;
    }
    out
}

#[test]
fn with_three_lists_each_mh_model_extrapolates_its_curve_through_the_counts() {
    // With three lists an Mh model has three parameters for the three
    // frequencies f1, f2, f3, so its log-means pass through the observed
    // ones and the unobserved cell is the curve's value at 0 (Rivest and
    // Baillargeon 2007). Per pattern: 20 caught once, 5 twice, 10 three
    // times (convex, so Chao's eta stays positive).
    let table = by_captures(3, &[0.0, 20.0, 5.0, 10.0]);
    let n = table.observed() as f64;
    assert_eq!(n, 85.0);
    let ln_mu = [20f64.ln(), 5f64.ln(), 10f64.ln()];
    for (model, h) in [
        (
            Model::MhPoisson2,
            (|f: f64| 2f64.powf(f) - 1.0) as fn(f64) -> f64,
        ),
        (Model::MhDarroch, |f| f * f / 2.0),
        (Model::MhGamma35, |f| -(3.5 + f).ln() + 3.5f64.ln()),
        (Model::MhChao, |f| (f - 2.0).max(0.0)),
    ] {
        let a = [1.0, 2.0, 3.0].map(|f| [1.0, f, h(f)]);
        let [intercept, _, _] = solve3(a, ln_mu);
        let fit = fit(model, &table).unwrap();
        assert!(
            close(fit.n_hat, n + intercept.exp(), 1e-9),
            "{}: {} against {}",
            model.name(),
            fit.n_hat,
            n + intercept.exp()
        );
        assert!(fit.deviance.abs() < 1e-8, "{}: saturated", model.name());
    }
    // Chao's moment estimator, n + (t - 1) f1² / (2 t f2), and Darroch's
    // by hand: f1 = 60, f2 = 15; exp(3 ln 20 - 3 ln 5 + ln 10) = 640.
    assert!(close(
        fit(Model::MhChao, &table).unwrap().n_hat,
        85.0 + 80.0,
        1e-9
    ));
    assert!(close(
        fit(Model::MhDarroch, &table).unwrap().n_hat,
        85.0 + 640.0,
        1e-9
    ));
}

#[test]
fn mh_chao_is_chaos_moment_estimator_when_no_eta_is_negative() {
    // Five lists; per pattern 40, 10, 5, 4, 5 people caught 1 .. 5 times
    // (log-convex, so every eta is positive): f1 = 200, f2 = 100, and
    // N = n + (t - 1) / t · f1² / (2 f2) = 375 + 160.
    let table = by_captures(5, &[0.0, 40.0, 10.0, 5.0, 4.0, 5.0]);
    assert_eq!(table.observed(), 375);
    let chao = fit(Model::MhChao, &table).unwrap();
    assert!(chao.zeroed.is_empty());
    assert!(close(chao.n_hat, 535.0, 1e-9), "{}", chao.n_hat);
    // Its lower-bound flag keeps it from the headline.
    assert!(chao.model.is_lower_bound());
}

#[test]
fn a_negative_eta_is_set_to_zero_one_at_a_time() {
    // Log-concave counts: eta3 comes out negative; Rcapture removes it,
    // and with three lists Mh Chao is then M0.
    let table = by_captures(3, &[0.0, 20.0, 10.0, 2.0]);
    let chao = fit(Model::MhChao, &table).unwrap();
    assert_eq!(chao.zeroed, vec![3]);
    let m0 = fit(Model::M0, &table).unwrap();
    assert!(close(chao.n_hat, m0.n_hat, 1e-9));
    assert_eq!(chao.parameters, 2);
}

/// Expected counts per pattern when people's logit catchability is
/// b + sigma z with z standard normal, over `k` lists, for `n` people,
/// by a 60-point Gauss–Hermite rule (the model uses 20).
fn logit_normal_counts(n: f64, k: usize, b: f64, sigma: f64) -> Vec<f64> {
    let (x, w) = normal::gauss_hermite(60);
    let pi = std::f64::consts::PI;
    (0..=k)
        .map(|f| {
            x.iter()
                .zip(&w)
                .map(|(x, w)| {
                    let eta = b + sigma * std::f64::consts::SQRT_2 * x;
                    let p = 1.0 / (1.0 + (-eta).exp());
                    w * p.powi(f as i32) * (1.0 - p).powi((k - f) as i32)
                })
                .sum::<f64>()
                * n
                / pi.sqrt()
        })
        .collect()
}

#[test]
fn mh_normal_recovers_the_size_of_a_logit_normal_population() {
    // Mh Normal is exact for people whose logit catchability is normal
    // (Rivest 2011): fitted to the expected counts, it finds N.
    let k = 5;
    let expected = logit_normal_counts(1_000_000.0, k, -1.5, 1.0);
    let table = by_captures(k, &expected.iter().map(|c| c.round()).collect::<Vec<_>>());
    let seen = table.observed() as f64;
    let unseen_true = expected[0].round();
    let normal = fit(Model::MhNormal, &table).unwrap();
    assert!(normal.converged);
    assert!(
        close(normal.n_hat - seen, unseen_true, 0.01),
        "unseen {} against {unseen_true}",
        normal.n_hat - seen
    );
    assert!((normal::sigma(&table).unwrap() - 1.0).abs() < 0.02);
    // Its interval is Chao's log-normal one from the standard error.
    assert_eq!(normal.interval_method, IntervalMethod::LogNormal);
    let (lo, hi) = normal.interval.unwrap();
    assert!(lo < normal.n_hat && normal.n_hat < hi);
    // Mh Darroch, with the wrong form of heterogeneity, is further off.
    let darroch = fit(Model::MhDarroch, &table).unwrap();
    assert!((darroch.n_hat - seen - unseen_true).abs() > (normal.n_hat - seen - unseen_true).abs());
}

#[test]
fn mh_normal_without_heterogeneity_is_m0() {
    let k = 4;
    let p: f64 = 0.3;
    let per_pattern: Vec<f64> = (0..=k)
        .map(|f| (100_000.0 * p.powi(f as i32) * (1.0 - p).powi((k - f) as i32)).round())
        .collect();
    let table = by_captures(k, &per_pattern);
    let normal = fit(Model::MhNormal, &table).unwrap();
    let m0 = fit(Model::M0, &table).unwrap();
    assert!(normal::sigma(&table).unwrap() < 0.05);
    assert!(
        close(normal.n_hat, m0.n_hat, 1e-3),
        "{} {}",
        normal.n_hat,
        m0.n_hat
    );
}

/// The removal (Zippin) estimate under Poisson sampling from first
/// captures u_0 .. u_(t-1): N = U / (1 - q^t), where q solves
/// -U / (1 - q) + S / q + U t q^(t-1) / (1 - q^t) = 0 (S = Σ j u_j).
fn removal(first: &[f64]) -> f64 {
    let t = first.len() as i32;
    let u: f64 = first.iter().sum();
    let s: f64 = first.iter().enumerate().map(|(j, c)| j as f64 * c).sum();
    let score = |q: f64| -u / (1.0 - q) + s / q + u * t as f64 * q.powi(t - 1) / (1.0 - q.powi(t));
    let (mut lo, mut hi) = (1e-12, 1.0 - 1e-12);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if score(mid) > 0.0 { lo = mid } else { hi = mid }
    }
    u / (1.0 - lo.powi(t))
}

fn first_captures(table: &CaptureTable) -> Vec<f64> {
    let k = table.k();
    (0..k)
        .map(|j| {
            table
                .cells()
                .filter(|&(p, _)| (k as u32 - (32 - p.leading_zeros())) as usize == j)
                .map(|(_, c)| c as f64)
                .sum()
        })
        .collect()
}

#[test]
fn mb_is_the_removal_estimate_from_first_captures() {
    // Under Mb the first captures decline geometrically and the later
    // recaptures say nothing about N: its estimate is Zippin's removal
    // estimate, and Mbh's is the first occasion's catch plus the removal
    // estimate from the later occasions (Otis et al. 1978; Rcapture's
    // closedp.bc reads them so).
    let hare = CaptureTable::from_csv(include_str!("../../data/rcapture/hare.csv")).unwrap();
    for table in [
        hare,
        by_captures(4, &[0.0, 30.0, 12.0, 6.0, 2.0]),
        by_captures(3, &[0.0, 25.0, 9.0, 3.0]),
    ] {
        let first = first_captures(&table);
        let mb = fit(Model::Mb, &table).unwrap();
        assert!(
            close(mb.n_hat, removal(&first), 1e-7),
            "Mb {} {}",
            mb.n_hat,
            removal(&first)
        );
        let mbh = fit(Model::Mbh, &table).unwrap();
        let want = first[0] + removal(&first[1..]);
        assert!(close(mbh.n_hat, want, 1e-7), "Mbh {} {want}", mbh.n_hat);
        assert!(mb.std_error > 0.0 && mbh.std_error > 0.0);
        assert_eq!(mb.interval_method, IntervalMethod::LogNormal);
    }
}

#[test]
fn mb_and_mbh_are_fitted_only_to_lists_ordered_in_time() {
    let table = by_captures(4, &[0.0, 30.0, 12.0, 6.0, 2.0]);
    let unordered: Vec<Model> = fit_all(&table, Options::default())
        .iter()
        .map(|f| f.model)
        .collect();
    assert!(!unordered.contains(&Model::Mb) && !unordered.contains(&Model::Mbh));
    let ordered: Vec<Model> = fit_all(
        &table,
        Options {
            ordered: true,
            ..Default::default()
        },
    )
    .iter()
    .map(|f| f.model)
    .collect();
    assert!(ordered.contains(&Model::Mb) && ordered.contains(&Model::Mbh));
    assert_eq!(ordered.len(), Model::ALL.len());
    // With two lists only M0, Mt and Mb, as Rcapture.
    let two = by_captures(2, &[0.0, 30.0, 12.0]);
    let fitted: Vec<Model> = fit_all(
        &two,
        Options {
            ordered: true,
            ..Default::default()
        },
    )
    .iter()
    .map(|f| f.model)
    .collect();
    assert_eq!(fitted, vec![Model::M0, Model::Mt, Model::Mb]);
}

#[test]
fn akaike_weights_add_to_one_and_favour_the_lowest_aic() {
    let table = by_captures(4, &[0.0, 30.0, 12.0, 6.0, 2.0]);
    let fits = fit_all(&table, Options::default());
    let w = aic_weights(&fits);
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let lowest = fits
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.aic.total_cmp(&b.1.aic))
        .unwrap()
        .0;
    assert!(w.iter().all(|&x| x <= w[lowest]));
    // Two AIC units apart is a ratio of e.
    let pair = [fits[0].clone(), {
        let mut f = fits[0].clone();
        f.aic += 2.0;
        f
    }];
    let w = aic_weights(&pair);
    assert!((w[0] / w[1] - std::f64::consts::E).abs() < 1e-12);
}

#[test]
fn rcapture_s_neg_option_keeps_or_drops_a_negative_eta() {
    // Kosovo: Rcapture (neg = TRUE, its default) sets Mth Chao's eta4 to
    // 0 (8,591.184 in data/rcapture/README.md); with neg = FALSE the
    // negative term stays in the model and the fit is closer.
    let kosovo = CaptureTable::from_csv(include_str!("../../data/kosovo_patterns.csv")).unwrap();
    let dropped = fit(Model::MthChao, &kosovo).unwrap();
    assert_eq!(dropped.zeroed, vec![4]);
    assert_eq!(dropped.n_hat.round(), 8_591.0);
    let kept = fit_with(
        Model::MthChao,
        &kosovo,
        Options {
            neg: false,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(kept.zeroed.is_empty());
    assert_eq!(kept.parameters, dropped.parameters + 1);
    assert!(kept.deviance < dropped.deviance);
    assert_ne!(kept.n_hat.round(), dropped.n_hat.round());
    // Models without Chao's terms do not change.
    let options = Options {
        neg: false,
        ..Default::default()
    };
    assert_eq!(
        fit_with(Model::Mt, &kosovo, options),
        fit(Model::Mt, &kosovo)
    );
}
