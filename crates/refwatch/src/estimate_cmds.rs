//! `refwatch estimate`: multiple systems estimation from a capture-pattern
//! table. Reads a file and writes results; touches no data directory.

use std::path::Path;

use anyhow::Context;
use refwatch_mse::lcmcr::{self, Settings};
use refwatch_mse::loglinear::{self, Fit};
use refwatch_mse::{CaptureTable, warnings};
use serde_json::json;

use refwatch_domain::SourceId;
use refwatch_stats::StratumBy;

use crate::args::{Cli, EstimateFormat, EstimateMethod};
use crate::{Outcome, data_dir};

const LCMCR_ASSUMES: &str = "people fall into up to K latent classes; within a class the lists catch independently; heterogeneity and the list dependence it causes are allowed for; the population is closed";

fn interval(f: &Fit) -> serde_json::Value {
    f.interval
        .map_or(serde_json::Value::Null, |(lo, hi)| json!([lo, hi]))
}

/// How to estimate and report.
pub(crate) struct Run {
    pub(crate) method: EstimateMethod,
    pub(crate) format: EstimateFormat,
    pub(crate) lcmcr: Settings,
    /// LCMCR chains, run side by side and pooled.
    pub(crate) chains: usize,
}

/// The estimate for one table as JSON.
fn result_json(table: &CaptureTable, run: &Run) -> anyhow::Result<serde_json::Value> {
    let warnings: Vec<String> = warnings::check(table)
        .iter()
        .map(ToString::to_string)
        .collect();
    let observed = table.observed();
    Ok(match run.method {
        EstimateMethod::Loglinear => {
            if table.k() > loglinear::MAX_LISTS {
                anyhow::bail!(
                    "log-linear models run on up to {} lists (this table has {}): each more list multiplies their time; use --method lcmcr (up to {} lists) or merge lists that overlap little",
                    loglinear::MAX_LISTS,
                    table.k(),
                    lcmcr::MAX_LISTS
                );
            }
            let fits = loglinear::fit_all(table);
            let best = loglinear::best(&fits, false)
                .context("no log-linear model could be fitted to this table")?;
            let models: Vec<_> = fits
                .iter()
                .map(|f| {
                    json!({
                        "model": f.model.name(),
                        "estimate": f.n_hat,
                        "std_error": f.std_error,
                        "interval_95": interval(f),
                        "parameters": f.parameters,
                        "heterogeneity_terms_set_to_zero": f.zeroed,
                        "deviance": f.deviance,
                        "aic": f.aic,
                        "bic": f.bic,
                        "converged": f.converged,
                        "assumes": f.model.assumes(),
                    })
                })
                .collect();
            json!({
                "method": "loglinear",
                "lists": table.lists(),
                "observed": observed,
                "estimate": best.n_hat,
                "interval_95": interval(best),
                "model": best.model.name(),
                "selected_by": "AIC, among the models that estimate (lower bounds shown, never chosen)",
                "assumes": best.model.assumes(),
                "interval_method": "profile likelihood",
                "models": models,
                "warnings": warnings,
            })
        }
        EstimateMethod::Lcmcr => {
            let s = &run.lcmcr;
            let chains = refwatch_mse::diagnostics::sample_chains(table, s, run.chains)?;
            let posterior = &chains.pooled;
            let mut warnings = warnings;
            if !chains.converged() {
                warnings.push(format!(
                    "the chains have not settled (R-hat {:.3}, effective sample size {:.0}; wanted at most {} and at least {}): run longer chains (--burn-in, --samples, --thinning) before quoting this",
                    chains.r_hat,
                    chains.ess,
                    refwatch_mse::diagnostics::R_HAT_LIMIT,
                    refwatch_mse::diagnostics::ESS_LIMIT
                ));
            }
            json!({
                "method": "lcmcr",
                "lists": table.lists(),
                "observed": observed,
                "estimate": posterior.quantile(0.5),
                "interval_95": [posterior.quantile(0.025), posterior.quantile(0.975)],
                "estimate_is": "posterior median; interval is the 2.5% and 97.5% posterior quantiles",
                "assumes": LCMCR_ASSUMES,
                "settings": {
                    "K": s.k,
                    "a_alpha": s.a_alpha,
                    "b_alpha": s.b_alpha,
                    "burn_in": s.burn_in,
                    "samples": s.samples,
                    "thinning": s.thinning,
                    "seed": s.seed,
                    "chains": chains.seeds.len(),
                    "seeds": chains.seeds,
                    "iterations": posterior.iterations,
                },
                "convergence": {
                    "r_hat": chains.r_hat,
                    "effective_sample_size": chains.ess,
                    "converged": chains.converged(),
                },
                "warnings": warnings,
            })
        }
    })
}

/// Prints one result for people to read.
fn print_result(v: &serde_json::Value) {
    let lists: Vec<&str> = v["lists"]
        .as_array()
        .map(|a| a.iter().filter_map(|l| l.as_str()).collect())
        .unwrap_or_default();
    println!(
        "{} people documented on {} lists ({}).",
        v["observed"],
        lists.len(),
        lists.join(", ")
    );
    let range = |iv: &serde_json::Value| match (iv[0].as_f64(), iv[1].as_f64()) {
        (Some(lo), Some(hi)) => format!("{lo:.0} to {hi:.0}"),
        _ => "-".to_owned(),
    };
    if v["method"] == "loglinear" {
        println!(
            "{:<32}  {:>10}  {:>8}  {:>23}  {:>10}",
            "model", "estimate", "s.e.", "95% interval (profile)", "AIC"
        );
        for m in v["models"].as_array().into_iter().flatten() {
            let mark = if m["model"] == v["model"] {
                " <- chosen: lowest AIC of the estimates (a lower bound is never chosen)"
            } else {
                ""
            };
            println!(
                "{:<32}  {:>10.0}  {:>8.1}  {:>23}  {:>10.1}{mark}",
                m["model"].as_str().unwrap_or_default(),
                m["estimate"].as_f64().unwrap_or(f64::NAN),
                m["std_error"].as_f64().unwrap_or(f64::NAN),
                range(&m["interval_95"]),
                m["aic"].as_f64().unwrap_or(f64::NAN)
            );
        }
    } else {
        println!(
            "Latent class model (K = {}, seed {}): median {:.0}, 95% interval {}.",
            v["settings"]["K"],
            v["settings"]["seed"],
            v["estimate"].as_f64().unwrap_or(f64::NAN),
            range(&v["interval_95"])
        );
        println!(
            "Convergence over {} chains: R-hat {:.3}, effective sample size {:.0}.",
            v["settings"]["chains"],
            v["convergence"]["r_hat"].as_f64().unwrap_or(f64::NAN),
            v["convergence"]["effective_sample_size"]
                .as_f64()
                .unwrap_or(f64::NAN)
        );
    }
    println!("Assumes: {}.", v["assumes"].as_str().unwrap_or_default());
    for w in v["warnings"].as_array().into_iter().flatten() {
        println!("Warning: {}.", w.as_str().unwrap_or_default());
    }
    println!(
        "Documented: {}. Estimates include the undocumented and rest on the assumptions above.",
        v["observed"]
    );
}

pub(crate) fn from_patterns(patterns: &Path, run: &Run) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(patterns)
        .with_context(|| format!("cannot read {}", patterns.display()))?;
    let table = CaptureTable::from_csv(&text)
        .with_context(|| format!("{} is not a capture-pattern table", patterns.display()))?;
    table
        .estimable()
        .with_context(|| format!("{} cannot be estimated from", patterns.display()))?;
    let v = result_json(&table, run)?;
    if format_is_table(run.format) {
        print_result(&v);
    } else {
        println!("{}", serde_json::to_string_pretty(&v)?);
    }
    Ok(Outcome::Ok)
}

pub(crate) async fn from_lists(
    cli: &Cli,
    lists: &[String],
    strata: &[String],
    run: &Run,
) -> anyhow::Result<Outcome> {
    if lists.len() < 2 {
        anyhow::bail!(
            "name at least two sources with --lists (three or more to allow for dependence between them)"
        );
    }
    let ids: Vec<SourceId> = lists
        .iter()
        .map(|l| {
            l.trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("--lists: \"{}\" is not a source id", l.trim()))
        })
        .collect::<anyhow::Result<_>>()?;
    let by: Vec<StratumBy> = strata
        .iter()
        .map(|s| match s.trim() {
            "year" => Ok(StratumBy::Year),
            "sex" => Ok(StratumBy::Sex),
            other => Err(anyhow::anyhow!("--strata: \"{other}\" is not year or sex")),
        })
        .collect::<anyhow::Result<_>>()?;
    let service = data_dir::service(&cli.data_dir, None).await?;
    let data = service.dataset().await?;
    service.into_store().close().await;
    let mut names = Vec::new();
    for id in &ids {
        let source = data.sources.iter().find(|s| s.id == *id).ok_or_else(|| {
            anyhow::anyhow!("--lists: there is no source {id} (or you may not read it)")
        })?;
        names.push(source.title.chars().take(40).collect::<String>());
    }
    let mut results = Vec::new();
    let mut estimated = 0;
    for (label, cells) in refwatch_stats::capture_patterns(&data, &ids, &by) {
        let table = CaptureTable::new(names.clone(), cells)?;
        let v = match table.estimable() {
            Ok(()) => {
                estimated += 1;
                result_json(&table, run)?
            }
            // Said, with how many were seen, instead of a made-up figure.
            Err(why) => json!({
                "lists": table.lists(),
                "observed": table.observed(),
                "no_estimate": why.to_string(),
            }),
        };
        let mut v = v;
        v["stratum"] = json!(label);
        results.push(v);
    }
    if results.is_empty() {
        anyhow::bail!("no documented person is cited by any of these sources");
    }
    if format_is_table(run.format) {
        for v in &results {
            println!("\n== {} ==", v["stratum"].as_str().unwrap_or_default());
            match v["no_estimate"].as_str() {
                Some(why) => println!("{} people documented; no estimate: {why}.", v["observed"]),
                None => print_result(v),
            }
        }
    } else {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "strata": results }))?
        );
    }
    if estimated == 0 {
        eprintln!(
            "no estimate: nobody is cited by more than one of these sources (in any stratum)"
        );
        return Ok(Outcome::Problems);
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
