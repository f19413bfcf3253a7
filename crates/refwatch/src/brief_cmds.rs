//! `refwatch report`: the advocacy brief as HTML, or PDF printed by
//! headless Chromium.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use refwatch_domain::{Clock, Confidentiality, SourceId, SystemClock};
use refwatch_mse::CaptureTable;
use refwatch_report::{EstimateSummary, ReportInput};

use crate::args::{Cli, ReportFormat};
use crate::{Outcome, data_dir, dataset_cmds};

/// How long Chromium may take to print.
const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

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
    let mut out = Vec::new();
    for (stratum, cells) in refwatch_stats::capture_patterns(data, &ids, &[]) {
        let table = CaptureTable::new(names.clone(), cells)?;
        let Some(fit) = refwatch_mse::loglinear::select(&table) else {
            continue;
        };
        out.push(EstimateSummary {
            stratum,
            method: format!("log-linear, {} (lowest AIC)", fit.model.name()),
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

/// Prints an HTML file to PDF with headless Chromium (REFWATCH_CHROMIUM, or `chromium`).
fn print_pdf(html: &Path, pdf: &Path) -> anyhow::Result<()> {
    let chromium = std::env::var("REFWATCH_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let profile = tempfile::tempdir().context("cannot make a temporary Chromium profile")?;
    let mut child = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {chromium}: PDF reports need Chromium (Debian package chromium), or set REFWATCH_CHROMIUM"))?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() || !pdf.exists() {
                anyhow::bail!("Chromium could not print the report to PDF ({status})");
            }
            return Ok(());
        }
        if start.elapsed() > PRINT_TIMEOUT {
            let _ = child.kill();
            anyhow::bail!(
                "Chromium took longer than {} s to print the report; nothing was written",
                PRINT_TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
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
    let service = data_dir::service(&cli.data_dir, None).await?;
    let data = refwatch_service::readable_by(service.dataset().await?, Confidentiality::Public);
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
            let tmp = tempfile::tempdir().context("cannot make a temporary folder")?;
            let page = tmp.path().join("report.html");
            std::fs::write(&page, &html).context("cannot write the report page")?;
            let printed = tmp.path().join("report.pdf");
            print_pdf(&page, &printed)?;
            std::fs::copy(&printed, out)
                .with_context(|| format!("cannot write {}", out.display()))?;
        }
    }
    eprintln!("Wrote the report for {from}–{to} to {}.", out.display());
    Ok(Outcome::Ok)
}
