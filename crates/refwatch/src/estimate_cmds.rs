//! `refwatch estimate`: multiple systems estimation from a capture-pattern
//! table. Reads a file and writes results; touches no data directory.

use std::path::Path;

use anyhow::Context;
use refwatch_mse::lcmcr::{self, Settings};
use refwatch_mse::loglinear::{self, Fit};
use refwatch_mse::{CaptureTable, warnings};
use serde_json::json;

use crate::Outcome;
use crate::args::{EstimateFormat, EstimateMethod};

const LCMCR_ASSUMES: &str = "people fall into up to K latent classes; within a class the lists catch independently; heterogeneity and the list dependence it causes are allowed for; the population is closed";

fn interval(f: &Fit) -> serde_json::Value {
    f.interval
        .map_or(serde_json::Value::Null, |(lo, hi)| json!([lo, hi]))
}

pub(crate) fn estimate(
    patterns: &Path,
    method: EstimateMethod,
    format: EstimateFormat,
    settings: &Settings,
) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(patterns)
        .with_context(|| format!("cannot read {}", patterns.display()))?;
    let table = CaptureTable::from_csv(&text)
        .with_context(|| format!("{} is not a capture-pattern table", patterns.display()))?;
    let warnings: Vec<String> = warnings::check(&table)
        .iter()
        .map(ToString::to_string)
        .collect();
    let observed = table.observed();
    match method {
        EstimateMethod::Loglinear => {
            let fits = loglinear::fit_all(&table);
            let best = loglinear::best(&fits, false)
                .context("no log-linear model could be fitted to this table")?;
            match format {
                EstimateFormat::Json => {
                    let models: Vec<_> = fits
                        .iter()
                        .map(|f| {
                            json!({
                                "model": f.model.name(),
                                "estimate": f.n_hat,
                                "interval_95": interval(f),
                                "parameters": f.parameters,
                                "deviance": f.deviance,
                                "aic": f.aic,
                                "bic": f.bic,
                                "converged": f.converged,
                                "assumes": f.model.assumes(),
                            })
                        })
                        .collect();
                    let out = json!({
                        "method": "loglinear",
                        "lists": table.lists(),
                        "observed": observed,
                        "estimate": best.n_hat,
                        "interval_95": interval(best),
                        "model": best.model.name(),
                        "selected_by": "AIC",
                        "assumes": best.model.assumes(),
                        "interval_method": "profile likelihood",
                        "models": models,
                        "warnings": warnings,
                    });
                    println!("{}", serde_json::to_string_pretty(&out)?);
                }
                EstimateFormat::Table => {
                    println!(
                        "{} people documented on {} lists ({}).",
                        observed,
                        table.k(),
                        table.lists().join(", ")
                    );
                    println!(
                        "{:<32}  {:>10}  {:>23}  {:>10}",
                        "model", "estimate", "95% interval (profile)", "AIC"
                    );
                    for f in &fits {
                        let iv = f
                            .interval
                            .map_or("-".to_owned(), |(lo, hi)| format!("{lo:.0} to {hi:.0}"));
                        let mark = if f.model == best.model {
                            " <- lowest AIC"
                        } else {
                            ""
                        };
                        println!(
                            "{:<32}  {:>10.0}  {:>23}  {:>10.1}{mark}",
                            f.model.name(),
                            f.n_hat,
                            iv,
                            f.aic
                        );
                    }
                    println!("Assumes: {}.", best.model.assumes());
                }
            }
        }
        EstimateMethod::Lcmcr => {
            let posterior = lcmcr::sample(&table, settings)?;
            let (lo, mid, hi) = (
                posterior.quantile(0.025),
                posterior.quantile(0.5),
                posterior.quantile(0.975),
            );
            match format {
                EstimateFormat::Json => {
                    let out = json!({
                        "method": "lcmcr",
                        "lists": table.lists(),
                        "observed": observed,
                        "estimate": mid,
                        "interval_95": [lo, hi],
                        "estimate_is": "posterior median; interval is the 2.5% and 97.5% posterior quantiles",
                        "assumes": LCMCR_ASSUMES,
                        "settings": {
                            "K": settings.k,
                            "a_alpha": settings.a_alpha,
                            "b_alpha": settings.b_alpha,
                            "burn_in": settings.burn_in,
                            "samples": settings.samples,
                            "thinning": settings.thinning,
                            "seed": settings.seed,
                            "iterations": posterior.iterations,
                        },
                        "warnings": warnings,
                    });
                    println!("{}", serde_json::to_string_pretty(&out)?);
                }
                EstimateFormat::Table => {
                    println!(
                        "{} people documented on {} lists ({}).",
                        observed,
                        table.k(),
                        table.lists().join(", ")
                    );
                    println!(
                        "Latent class model (K = {}, seed {}): median {mid:.0}, 95% interval {lo:.0} to {hi:.0}.",
                        settings.k, settings.seed
                    );
                    println!("Assumes: {LCMCR_ASSUMES}.");
                }
            }
        }
    }
    if format_is_table(format) {
        for w in &warnings {
            println!("Warning: {w}.");
        }
        println!(
            "Documented: {observed}. Estimates include the undocumented and rest on the assumptions above."
        );
    }
    Ok(Outcome::Ok)
}

fn format_is_table(format: EstimateFormat) -> bool {
    matches!(format, EstimateFormat::Table)
}

pub(crate) fn simulate(
    replicates: usize,
    seed: u64,
    format: EstimateFormat,
) -> anyhow::Result<Outcome> {
    if replicates == 0 {
        anyhow::bail!("--replicates must be at least 1");
    }
    let settings = refwatch_mse::simulate::StudySettings {
        replicates,
        seed,
        ..Default::default()
    };
    let mut rows = Vec::new();
    for scenario in refwatch_mse::simulate::scenarios() {
        let results = refwatch_mse::simulate::run(&scenario, &settings, |done| {
            if done % 10 == 0 || done == replicates {
                eprintln!("{}: {done} of {replicates} replicates", scenario.name);
            }
        });
        rows.push((scenario, results));
    }
    match format {
        EstimateFormat::Json => {
            let out: Vec<_> = rows
                .iter()
                .map(|(s, results)| {
                    json!({
                        "scenario": s.name,
                        "description": s.description,
                        "n": s.n,
                        "methods": results.iter().map(|r| json!({
                            "method": r.method,
                            "replicates": r.replicates,
                            "relative_bias": r.relative_bias,
                            "coverage_95": r.coverage,
                            "relative_width": r.relative_width,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &json!({ "replicates": replicates, "seed": seed, "scenarios": out })
                )?
            );
        }
        EstimateFormat::Table => {
            println!(
                "{:<26}  {:<18}  {:>8}  {:>13}  {:>10}",
                "scenario", "method", "bias", "95% coverage", "width/N"
            );
            for (s, results) in &rows {
                for r in results {
                    println!(
                        "{:<26}  {:<18}  {:>7.1}%  {:>12.1}%  {:>10.2}",
                        s.name,
                        r.method,
                        100.0 * r.relative_bias,
                        100.0 * r.coverage,
                        r.relative_width
                    );
                }
            }
            println!(
                "{replicates} replicates per scenario, seed {seed}; N = 2,000 people on 4 lists in every scenario."
            );
        }
    }
    Ok(Outcome::Ok)
}
