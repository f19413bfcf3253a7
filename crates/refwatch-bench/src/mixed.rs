//! The mixed load: readers on every page while a writer adds and edits
//! incidents through the API at a steady rate, beside the same readers
//! with no writer, in one run.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use refwatch_domain::{CitationId, Dataset, Incident, IncidentId, ReportId};

use crate::web::{Figures, parse_wrk};

/// The pages the readers ask for in turn: (path, signed in).
pub(crate) fn reader_pages(incident: IncidentId) -> Vec<(String, bool)> {
    vec![
        ("/".into(), true),
        ("/incidents".into(), true),
        (
            "/incidents?kind=arrest&from=2015&to=2020&q=river&page=3".into(),
            true,
        ),
        (format!("/incidents/{incident}"), true),
        ("/".into(), false),
        ("/incidents".into(), false),
        ("/public".into(), false),
    ]
}

/// A wrk script that asks for `pages` in turn, each with its token.
fn script(pages: &[(String, bool)], token: &str) -> String {
    let list: Vec<String> = pages
        .iter()
        .map(|(path, signed)| {
            let t = if *signed { token } else { "public" };
            format!("{{\"{path}\", \"{t}\"}}")
        })
        .collect();
    format!(
        "local pages = {{ {} }}\nlocal n = 0\nrequest = function()\n  n = n + 1\n  local p = pages[(n % #pages) + 1]\n  return wrk.format(\"GET\", p[1], {{ [\"Authorization\"] = \"Bearer \" .. p[2] }})\nend\n",
        list.join(", ")
    )
}

/// Runs the readers for `seconds` with wrk; their figures.
pub(crate) fn readers(
    base: &str,
    pages: &[(String, bool)],
    token: &str,
    connections: usize,
    seconds: u64,
    dir: &Path,
) -> anyhow::Result<Figures> {
    let file = dir.join("mix.lua");
    std::fs::write(&file, script(pages, token))?;
    let out = Command::new("wrk")
        .args(["-t2", "--latency", "--timeout", "10s"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("-s")
        .arg(&file)
        .arg(base)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run wrk: install it with `apt-get install wrk`")?;
    if !out.status.success() {
        bail!("wrk failed on the mixed pages");
    }
    parse_wrk(&String::from_utf8_lossy(&out.stdout))
}

/// What the writer measured.
pub(crate) struct Writes {
    pub(crate) latencies_ms: Vec<f64>,
    pub(crate) failures: usize,
    pub(crate) first_failure: Option<String>,
}

impl Writes {
    /// The `q` quantile of the latencies, in milliseconds.
    pub(crate) fn quantile(&self, q: f64) -> f64 {
        let mut sorted = self.latencies_ms.clone();
        sorted.sort_by(f64::total_cmp);
        if sorted.is_empty() {
            return f64::NAN;
        }
        let at = ((sorted.len() - 1) as f64 * q).round() as usize;
        sorted[at]
    }
}

/// One incident in the dataset file format, as the API takes it.
fn incident_json(incident: &Incident) -> anyhow::Result<String> {
    let data = Dataset {
        incidents: vec![Arc::new(incident.clone())],
        ..Dataset::default()
    };
    let whole: serde_json::Value = serde_json::from_str(&refwatch_interchange::to_json(&data))?;
    Ok(whole["incidents"][0].to_string())
}

/// `template` with new ids for it and everything in it.
fn renewed(template: &Incident, n: usize) -> Incident {
    let mut i = template.clone();
    i.id = IncidentId::random();
    i.title = format!("Bench write {n}: arrest reported");
    for c in &mut i.citations {
        c.id = CitationId::random();
    }
    for r in &mut i.reports {
        r.id = ReportId::random();
        for c in &mut r.citations {
            c.id = CitationId::random();
        }
    }
    i
}

/// Writes at `per_second` until `stop`: a new incident, then an edit of a
/// stored one, in turn, each through the API with the bearer token.
pub(crate) fn writer(
    base: String,
    token: String,
    stored: Vec<Incident>,
    per_second: f64,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Writes> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let gap = Duration::from_secs_f64(1.0 / per_second);
    let mut out = Writes {
        latencies_ms: Vec::new(),
        failures: 0,
        first_failure: None,
    };
    let mut next = Instant::now();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now < next {
            std::thread::sleep(next - now);
        }
        next += gap;
        let template = &stored[n % stored.len()];
        let request = if n.is_multiple_of(2) {
            let made = renewed(template, n);
            client
                .post(format!("{base}/api/v1/incidents"))
                .body(incident_json(&made)?)
        } else {
            let mut edited = template.clone();
            edited.title = format!("Bench edit {n}: {}", template.title);
            client
                .put(format!("{base}/api/v1/incidents/{}", template.id))
                .body(incident_json(&edited)?)
        };
        let started = Instant::now();
        let answer = request
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .send();
        let took = started.elapsed().as_secs_f64() * 1000.0;
        match answer {
            Ok(r) if r.status().is_success() => out.latencies_ms.push(took),
            Ok(r) => {
                out.failures += 1;
                let status = r.status();
                out.first_failure
                    .get_or_insert_with(|| format!("{status}: {}", r.text().unwrap_or_default()));
            }
            Err(e) => {
                out.failures += 1;
                out.first_failure.get_or_insert_with(|| e.to_string());
            }
        }
        n += 1;
    }
    Ok(out)
}
