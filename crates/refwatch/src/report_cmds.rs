//! Commands that report on the data: `stats` and `check`.

use anyhow::Context;
use std::path::Path;

use refwatch_domain::{Dataset, Dimension, Lang, Vocabularies, Vocabulary};
use refwatch_interchange::json_path;
use refwatch_stats::files::{self, value_label};
use refwatch_stats::{YearKindRow, YearRange, per_year_in};
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use crate::args::{Cli, Format};
use crate::key_source::{self, Missing};
use crate::{Outcome, data_dir};

fn high_text(row: &YearKindRow) -> String {
    if row.high_open {
        format!("{}+", row.people_high)
    } else {
        row.people_high.to_string()
    }
}

/// Prints the per-year table for people to read.
pub(crate) fn print_table(data: &Dataset, years: YearRange, by: Option<Dimension>, lang: Lang) {
    let vocab = Vocabularies::builtin();
    let rows = per_year_in(data, years, by);
    let (title, headers) = match lang {
        Lang::En => (
            "Documented minimums: incidents and people affected, by year and kind (a + marks an open upper bound)",
            ["year", "kind", "incidents", "people low", "best", "high"],
        ),
        Lang::Ko => (
            "기록된 최소치: 연도·유형별 사건 수와 피해자 수 (+는 상한이 열려 있음을 뜻함)",
            ["연도", "유형", "사건", "피해자 최소", "최선", "최대"],
        ),
    };
    println!("{title}");
    if rows.is_empty() {
        println!(
            "{}",
            if lang == Lang::Ko {
                "(해당 기간에 기록된 사건이 없습니다)"
            } else {
                "(no incidents documented in this period)"
            }
        );
        return;
    }
    let labels: Vec<String> = rows
        .iter()
        .map(|r| {
            let kind = vocab.label(Vocabulary::IncidentKind, &r.kind, lang);
            let value = value_label(&vocab, by, r, lang);
            if value.is_empty() {
                kind.to_owned()
            } else {
                format!("{kind} / {value}")
            }
        })
        .collect();
    // Pad by display width: Hangul takes two columns in a terminal.
    let width = labels
        .iter()
        .map(|l| l.width())
        .max()
        .unwrap_or(0)
        .max(headers[1].width());
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.width())));
    let lpad = |s: &str, w: usize| format!("{}{s}", " ".repeat(w.saturating_sub(s.width())));
    println!(
        "{}  {}  {}  {}  {}  {}",
        pad(headers[0], 4),
        pad(headers[1], width),
        lpad(headers[2], 9),
        lpad(headers[3], 11),
        lpad(headers[4], 7),
        lpad(headers[5], 8)
    );
    for (row, label) in rows.iter().zip(&labels) {
        println!(
            "{:<4}  {}  {:>9}  {:>11}  {:>7}  {:>8}",
            row.year,
            pad(label, width),
            row.incidents,
            row.people_low,
            row.people_best,
            high_text(row)
        );
    }
}

/// The citations behind a cell, as JSON.
fn cell_citations(data: &Dataset, row: &YearKindRow) -> Vec<serde_json::Value> {
    files::cell_citations(data, row)
        .into_iter()
        .map(|c| {
            json!({
                "incident": c.incident.to_string(),
                "source": c.source.to_string(),
                "source_title": c.source_title,
                "via": c.via_title,
                "locator": c.locator,
                "quote": c.quote,
            })
        })
        .collect()
}

pub(crate) async fn stats(
    cli: &Cli,
    from: Option<i32>,
    to: Option<i32>,
    by: Option<Dimension>,
    format: Format,
    out: Option<&Path>,
) -> anyhow::Result<Outcome> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        anyhow::bail!("--from {f} is after --to {t}; give the earlier year first");
    }
    if matches!(format, Format::Xlsx) && out.is_none() {
        anyhow::bail!("--format xlsx writes a file: add --out FILE.xlsx");
    }
    let service = data_dir::service(&cli.data_dir, None).await?;
    let data = service.dataset().await?;
    service.into_store().close().await;
    let years = YearRange { from, to };
    let lang = cli.lang.lang();
    let vocab = Vocabularies::builtin();
    let rows = per_year_in(&data, years, by);
    let text = match format {
        Format::Table => {
            print_table(&data, years, by, lang);
            return Ok(Outcome::Ok);
        }
        Format::Xlsx => {
            let path = out.expect("checked above");
            let bytes = files::xlsx(&data, &rows, by, lang).context("cannot make the workbook")?;
            std::fs::write(path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Wrote {} rows to {}.", rows.len(), path.display());
            return Ok(Outcome::Ok);
        }
        Format::Json => {
            let rows: Vec<_> = rows
                .iter()
                .map(|r| {
                    json!({
                        "year": r.year,
                        "kind": r.kind.code(),
                        "kind_label": vocab.label(Vocabulary::IncidentKind, &r.kind, lang),
                        "value": r.value.as_ref().map(|v| v.code()),
                        "value_label": by.map(|_| value_label(&vocab, by, r, lang)),
                        "incidents": r.incidents,
                        "people_low": r.people_low,
                        "people_best": r.people_best,
                        "people_high": r.people_high,
                        "high_open": r.high_open,
                        "incident_ids": r.incident_ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "citations": cell_citations(&data, r),
                    })
                })
                .collect();
            let doc = json!({
                "basis": "documented minimums: only recorded incidents, each counted once however many reports it has; years by the incident's start date",
                "by": by.map(|d| d.code()),
                "from": from,
                "to": to,
                "rows": rows,
            });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&doc).context("cannot format the statistics")?
            )
        }
        Format::Csv => files::csv(&rows),
    };
    match out {
        Some(path) => crate::dataset_cmds::write_out(path, &text)?,
        None => print!("{text}"),
    }
    Ok(Outcome::Ok)
}

pub(crate) async fn check(cli: &Cli) -> anyhow::Result<Outcome> {
    data_dir::ensure_exists(&cli.data_dir)?;
    let key = key_source::given(cli.key_file.as_deref(), &cli.data_dir, Missing::Refuse)?;
    let service = data_dir::service(&cli.data_dir, key.as_ref()).await?;
    let report = service.check().await?;
    service.into_store().close().await;
    let mut problems: Vec<String> = report.integrity.clone();
    problems.extend(report.unreadable.clone());
    problems.extend(
        report
            .invalid
            .iter()
            .map(|p| format!("{}: {}", json_path(&p.path), p.message)),
    );
    if let Some(audit) = &report.audit {
        problems.extend(audit.findings.iter().map(|f| format!("audit log: {f}")));
    }
    problems.extend(
        report
            .audit_counts
            .iter()
            .map(|f| format!("audit log: {f}")),
    );
    if report.sealed_unchecked > 0 {
        println!(
            "note: the sealed words of {} citation(s) on persons were not checked (give the key to check them)",
            report.sealed_unchecked
        );
    }
    let outcome = checked(&report, &problems);
    if !report.leaks.is_empty() {
        println!(
            "{} field(s) name a person who has not consented to public advocacy; the names are withheld from the public, analysts and viewers wherever these are shown (reword a title or summary to publish it whole):",
            report.leaks.len()
        );
        for l in &report.leaks {
            println!("  {}: names person {}", l.path, l.person);
        }
    }
    Ok(outcome)
}

/// Prints what `check` found besides leaks.
fn checked(report: &refwatch_service::CheckReport, problems: &[String]) -> Outcome {
    if report.is_clean() {
        let audit = match &report.audit {
            Some(a) => format!(
                "; audit log of {} entries intact, head {}",
                a.entries, a.head
            ),
            None => "; audit log not verified (no key given)".to_owned(),
        };
        println!(
            "ok: database integrity and {} records checked; no problems{audit}.",
            report.records
        );
        Outcome::Ok
    } else {
        eprintln!(
            "check found {} problem(s) (paths are those of `refwatch export`):",
            problems.len()
        );
        for p in problems {
            eprintln!("  {p}");
        }
        Outcome::Problems
    }
}
