//! `refwatch estimate`: multiple systems estimation from a capture-pattern
//! table. Reads a file and writes results; touches no data directory.

use std::path::Path;

use anyhow::Context;
use refwatch_mse::lcmcr::{self, Settings};
use refwatch_mse::loglinear::{self, Fit};
use refwatch_mse::{CaptureTable, bma, warnings};
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
    /// Log-linear options: lists ordered in time, Rcapture's `neg`.
    pub(crate) loglinear: loglinear::Options,
    /// BMA: the prior count per cell (None for 2^-lists).
    pub(crate) delta: Option<f64>,
}

/// The estimate for one table as JSON.
fn result_json(table: &CaptureTable, run: &Run) -> anyhow::Result<serde_json::Value> {
    let warnings: Vec<String> = warnings::check(table)
        .iter()
        .map(ToString::to_string)
        .collect();
    match run.method {
        EstimateMethod::Loglinear => loglinear_json(table, run, warnings),
        EstimateMethod::Lcmcr => lcmcr_json(table, run, warnings),
        EstimateMethod::Bma => bma_json(table, run, warnings),
    }
}

fn loglinear_json(
    table: &CaptureTable,
    run: &Run,
    mut warnings: Vec<String>,
) -> anyhow::Result<serde_json::Value> {
    if table.k() > loglinear::MAX_LISTS {
        anyhow::bail!(
            "log-linear models run on up to {} lists (this table has {}): each more list multiplies their time; use --method lcmcr (up to {} lists) or merge lists that overlap little",
            loglinear::MAX_LISTS,
            table.k(),
            lcmcr::MAX_LISTS
        );
    }
    let fits = loglinear::fit_all(table, run.loglinear);
    let best = loglinear::best(&fits, false)
        .context("no log-linear model could be fitted to this table")?;
    let weights = loglinear::aic_weights(&fits);
    let weight_of = |f: &Fit| {
        fits.iter()
            .position(|g| g.model == f.model)
            .map_or(0.0, |i| weights[i])
    };
    if best.bias_is_large() {
        warnings.push(format!(
            "the asymptotic bias of {} is large (about {:.0} people, over a tenth of its estimate): the overlaps hold too little for this model; treat its estimate as unreliable",
            best.model.name(),
            best.asymptotic_bias.unwrap_or(f64::NAN).abs()
        ));
    }
    if weight_of(best) < 0.5 {
        warnings.push(format!(
            "the data do not single out one model: {} carries {:.0}% of the AIC weight; read the estimates of the other models with weight beside it, or use --method bma",
            best.model.name(),
            100.0 * weight_of(best)
        ));
    }
    let models: Vec<_> = fits
        .iter()
        .zip(&weights)
        .map(|(f, w)| {
            json!({
                "model": f.model.name(),
                "estimate": f.n_hat,
                "std_error": f.std_error,
                "interval_95": interval(f),
                "interval_method": interval_method(f.interval_method),
                "is_lower_bound": f.model.is_lower_bound(),
                "parameters": f.parameters,
                "heterogeneity_terms_set_to_zero": f.zeroed,
                "deviance": f.deviance,
                "aic": f.aic,
                "aic_weight": w,
                "bic": f.bic,
                "asymptotic_bias": f.asymptotic_bias,
                "bias_is_large": f.bias_is_large(),
                "converged": f.converged,
                "assumes": f.model.assumes(),
            })
        })
        .collect();
    Ok(json!({
        "method": "loglinear",
        "lists": table.lists(),
        "lists_ordered": run.loglinear.ordered,
        "neg": run.loglinear.neg,
        "observed": table.observed(),
        "estimate": best.n_hat,
        "interval_95": interval(best),
        "model": best.model.name(),
        "aic_weight": weight_of(best),
        "selected_by": "AIC, among the models that estimate (lower bounds shown, never chosen)",
        "assumes": best.model.assumes(),
        "interval_method": interval_method(best.interval_method),
        "models": models,
        "warnings": warnings,
    }))
}

fn interval_method(m: loglinear::IntervalMethod) -> &'static str {
    match m {
        loglinear::IntervalMethod::Profile => "profile likelihood",
        loglinear::IntervalMethod::LogNormal => "log-normal (Chao 1987) from the standard error",
    }
}

fn lcmcr_json(
    table: &CaptureTable,
    run: &Run,
    mut warnings: Vec<String>,
) -> anyhow::Result<serde_json::Value> {
    let s = &run.lcmcr;
    let chains = refwatch_mse::diagnostics::sample_chains(table, s, run.chains)?;
    let posterior = &chains.pooled;
    if !chains.converged() {
        warnings.push(format!(
            "the chains have not settled (R-hat {:.3}, effective sample size {:.0}; wanted at most {} and at least {}): run longer chains (--burn-in, --samples, --thinning) before quoting this",
            chains.r_hat,
            chains.ess,
            refwatch_mse::diagnostics::R_HAT_LIMIT,
            refwatch_mse::diagnostics::ESS_LIMIT
        ));
    }
    Ok(json!({
        "method": "lcmcr",
        "lists": table.lists(),
        "observed": table.observed(),
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
    }))
}

const BMA_ASSUMES: &str = "the lists may depend on each other as any decomposable graph allows (pairs, chains, cliques), weighted by how well each explains the overlaps; people are otherwise alike; the population is closed";

fn bma_json(
    table: &CaptureTable,
    run: &Run,
    mut warnings: Vec<String>,
) -> anyhow::Result<serde_json::Value> {
    let posterior = bma::average(table, &bma::Settings { delta: run.delta })?;
    if posterior.tail_mass > 1e-3 {
        warnings.push(format!(
            "{:.1}% of the posterior lies at the far end of the range searched: the upper end of the interval may be cut short; the lists overlap too little to bound the total well",
            100.0 * posterior.tail_mass
        ));
    }
    let graphs: Vec<_> = posterior
        .graphs
        .iter()
        .take(5)
        .map(|(g, p)| {
            json!({
                "graph": bma::describe(g, table.lists()),
                "dependent_pairs": g.edges.iter().map(|&(a, b)| [&table.lists()[a], &table.lists()[b]]).collect::<Vec<_>>(),
                "posterior_probability": p,
            })
        })
        .collect();
    Ok(json!({
        "method": "bma",
        "lists": table.lists(),
        "observed": table.observed(),
        "estimate": posterior.quantile(0.5),
        "interval_95": [posterior.quantile(0.025), posterior.quantile(0.975)],
        "estimate_is": "posterior median; interval is the 2.5% and 97.5% posterior quantiles, averaged over every decomposable graph",
        "assumes": BMA_ASSUMES,
        "settings": {
            "delta": posterior.delta,
            "prior_on_n": "1/N",
            "graphs": posterior.graphs.len(),
        },
        "top_graphs": graphs,
        "warnings": warnings,
    }))
}

/// Prints the log-linear models, one line each.
fn print_models(v: &serde_json::Value) {
    let range = |iv: &serde_json::Value| match (iv[0].as_f64(), iv[1].as_f64()) {
        (Some(lo), Some(hi)) => format!("{lo:.0} to {hi:.0}"),
        _ => "-".to_owned(),
    };
    println!(
        "{:<32}  {:>10}  {:>8}  {:>20}  {:>9}  {:>7}",
        "model", "estimate", "s.e.", "95% interval", "AIC", "weight"
    );
    for m in v["models"].as_array().into_iter().flatten() {
        let mut notes = Vec::new();
        if m["model"] == v["model"] {
            notes.push("chosen: lowest AIC of the estimates");
        }
        if m["is_lower_bound"] == true {
            notes.push("a lower bound, never chosen");
        }
        if m["bias_is_large"] == true {
            notes.push("bias large");
        }
        if m["interval_method"] != "profile likelihood" {
            notes.push("log-normal interval");
        }
        if m["converged"] == false {
            notes.push("did not converge");
        }
        println!(
            "{:<32}  {:>10.0}  {:>8.1}  {:>20}  {:>9.1}  {:>6.1}%{}",
            m["model"].as_str().unwrap_or_default(),
            m["estimate"].as_f64().unwrap_or(f64::NAN),
            m["std_error"].as_f64().unwrap_or(f64::NAN),
            range(&m["interval_95"]),
            m["aic"].as_f64().unwrap_or(f64::NAN),
            100.0 * m["aic_weight"].as_f64().unwrap_or(0.0),
            if notes.is_empty() {
                String::new()
            } else {
                format!("  <- {}", notes.join("; "))
            }
        );
    }
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
        print_models(v);
    } else if v["method"] == "bma" {
        println!(
            "Averaged over {} decomposable graphs (delta {}, prior 1/N): median {:.0}, 95% interval {}.",
            v["settings"]["graphs"],
            v["settings"]["delta"],
            v["estimate"].as_f64().unwrap_or(f64::NAN),
            range(&v["interval_95"])
        );
        for g in v["top_graphs"].as_array().into_iter().flatten() {
            println!(
                "  {:>5.1}%  {}",
                100.0 * g["posterior_probability"].as_f64().unwrap_or(0.0),
                g["graph"].as_str().unwrap_or_default()
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
    write_tables: Option<&Path>,
) -> anyhow::Result<Outcome> {
    use refwatch_mse::simulate;
    if replicates == 0 {
        anyhow::bail!("--replicates must be at least 1");
    }
    let settings = simulate::StudySettings {
        replicates,
        seed,
        ..Default::default()
    };
    if let Some(dir) = write_tables {
        let written = write_study_tables(dir, &settings)?;
        eprintln!("wrote {written} capture tables to {}", dir.display());
    }
    let mut rows = Vec::new();
    for scenario in simulate::scenarios() {
        let results = simulate::run(&scenario, &settings, |done| {
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
                        "breaks": s.breaks,
                        "built_for": s.built_for,
                        "model_built_for_it": s.model.map(|m| m.name()),
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
        EstimateFormat::Table => print_study(&rows, replicates, seed),
    }
    Ok(Outcome::Ok)
}

/// Writes every replicate table of every scenario as
/// `DIR/<scenario>/<replicate>.csv`; returns how many.
fn write_study_tables(
    dir: &Path,
    settings: &refwatch_mse::simulate::StudySettings,
) -> anyhow::Result<usize> {
    let mut written = 0;
    for scenario in refwatch_mse::simulate::scenarios() {
        let folder = dir.join(scenario.name.replace('+', "_and_"));
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        for (r, table) in refwatch_mse::simulate::tables(&scenario, settings)
            .iter()
            .enumerate()
        {
            let path = folder.join(format!("{:03}.csv", r + 1));
            std::fs::write(&path, table.to_csv())
                .with_context(|| format!("cannot write {}", path.display()))?;
            written += 1;
        }
    }
    Ok(written)
}

fn print_study(
    rows: &[(
        refwatch_mse::simulate::Scenario,
        Vec<refwatch_mse::simulate::MethodResult>,
    )],
    replicates: usize,
    seed: u64,
) {
    for (s, results) in rows {
        println!(
            "\n{} ({}): breaks {}; built for {}.",
            s.name, s.description, s.breaks, s.built_for
        );
        println!(
            "  {:<42}  {:>8}  {:>13}  {:>10}",
            "method", "bias", "95% coverage", "width/N"
        );
        for r in results {
            if r.replicates == 0 {
                continue;
            }
            let method = match (r.method, s.model) {
                ("log-linear, built for it", Some(m)) => format!("log-linear, {}", m.name()),
                (name, _) => name.to_owned(),
            };
            println!(
                "  {:<42}  {:>7.1}%  {:>12.1}%  {:>10.2}",
                method,
                100.0 * r.relative_bias,
                100.0 * r.coverage,
                r.relative_width
            );
        }
    }
    println!(
        "\n{replicates} replicates per scenario, seed {seed}; N = 2,000 people on 4 lists in every scenario."
    );
    println!(
        "Where every list misses the same people (hidden), no method can see how many it misses: low coverage there is the data's limit, not a fault to tune away."
    );
}
