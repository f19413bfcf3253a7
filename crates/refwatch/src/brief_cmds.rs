//! `refwatch report`: the advocacy brief as HTML, or PDF printed by
//! headless Chromium.

use std::path::Path;

use anyhow::Context;
use refwatch_domain::{Clock, SourceId, SystemClock};
use refwatch_mse::CaptureTable;
use refwatch_report::{EstimateSummary, ReportInput};

use crate::args::{Cli, ReportFormat};
use crate::{Outcome, data_dir, dataset_cmds};

fn estimates(
    data: &refwatch_domain::Dataset,
    lists: &[String],
) -> anyhow::Result<Vec<EstimateSummary>> {
    if lists.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<SourceId> = lists
        .iter()
        .map(|l| {
            l.trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("--lists: \"{}\" is not a source id", l.trim()))
        })
        .collect::<anyhow::Result<_>>()?;
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            data.sources
                .iter()
                .find(|s| s.id == *id)
                .map(|s| s.title.chars().take(40).collect())
                .ok_or_else(|| anyhow::anyhow!("--lists: there is no public source {id}"))
        })
        .collect::<anyhow::Result<_>>()?;
    if ids.len() > refwatch_mse::loglinear::MAX_LISTS {
        anyhow::bail!(
            "--lists: the brief's estimates use log-linear models, which run on up to {} lists",
            refwatch_mse::loglinear::MAX_LISTS
        );
    }
    let mut out = Vec::new();
    for (stratum, cells) in refwatch_stats::capture_patterns(data, &ids, &[]) {
        let table = CaptureTable::new(names.clone(), cells)?;
        if table.estimable().is_err() {
            // Without overlaps any figure would be made up: none is printed.
            continue;
        }
        let Some(fit) = refwatch_mse::loglinear::select(&table) else {
            continue;
        };
        out.push(EstimateSummary {
            stratum,
            method: format!(
                "log-linear, {} (lowest AIC of the estimates)",
                fit.model.name()
            ),
            observed: table.observed(),
            estimate: fit.n_hat,
            interval: fit.interval,
            assumes: fit.model.assumes().to_owned(),
            warnings: refwatch_mse::warnings::check(&table)
                .iter()
                .map(ToString::to_string)
                .collect(),
        });
    }
    Ok(out)
}

pub(crate) async fn report(
    cli: &Cli,
    from: i32,
    to: i32,
    format: ReportFormat,
    out: &Path,
    lists: &[String],
) -> anyhow::Result<Outcome> {
    if from > to {
        anyhow::bail!("--from {from} is after --to {to}; give the earlier year first");
    }
    // The key opens the names that the brief's text is screened for.
    let key = crate::dataset_cmds::required_key(cli)?;
    let service = data_dir::service(&cli.data_dir, Some(&key)).await?;
    let data = (*service
        .for_caller(refwatch_service::Caller::public())
        .readable()
        .await?)
        .clone();
    service.into_store().close().await;
    let input = ReportInput {
        data: &data,
        from,
        to,
        lang: cli.lang.lang(),
        estimates: estimates(&data, lists)?,
        generated: SystemClock.now(),
    };
    let html = refwatch_report::html(&input);
    match format {
        ReportFormat::Html => dataset_cmds::write_out(out, &html)?,
        ReportFormat::Pdf => {
            let pdf = refwatch_print::html_to_pdf(&html)?;
            std::fs::write(out, pdf).with_context(|| format!("cannot write {}", out.display()))?;
        }
    }
    eprintln!("Wrote the report for {from}–{to} to {}.", out.display());
    Ok(Outcome::Ok)
}
