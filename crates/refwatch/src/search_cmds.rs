//! `refwatch search …`: search through the protected core.

use std::time::Instant;

use refwatch_domain::Confidentiality;
use refwatch_search::{DocKind, Results};
use refwatch_service::SearchRequest;

use crate::args::Cli;
use crate::dataset_cmds::required_key;
use crate::{Outcome, data_dir};

/// Narrowing a search.
pub(crate) struct Filters<'a> {
    pub(crate) kinds: &'a [String],
    pub(crate) from: Option<i32>,
    pub(crate) to: Option<i32>,
    pub(crate) language: Option<&'a str>,
    pub(crate) level: Option<Confidentiality>,
    pub(crate) limit: usize,
    pub(crate) json: bool,
}

/// The core with the evidence store; the key opens names and evidence
/// texts and seals audit entries.
async fn service(
    cli: &Cli,
) -> anyhow::Result<refwatch_service::Service<refwatch_storage::SqliteStore>> {
    let key = required_key(cli)?;
    data_dir::service_with_evidence(&cli.data_dir, &key, refwatch_service::DEFAULT_MAX_BYTES).await
}

/// Rebuilds the index and reports it.
pub(crate) async fn reindex(cli: &Cli) -> anyhow::Result<Outcome> {
    let service = service(cli).await?;
    eprintln!("Indexing…");
    let stats = service.reindex().await?;
    println!(
        "Indexed {} documents in {:.2} s ({:.1} MiB in memory). The index lives in memory and is rebuilt from the database whenever the records change.",
        stats.documents,
        stats.seconds,
        stats.bytes as f64 / (1 << 20) as f64
    );
    Ok(Outcome::Ok)
}

/// Runs a search and prints the hits.
pub(crate) async fn search(
    cli: &Cli,
    words: &[String],
    filters: &Filters<'_>,
) -> anyhow::Result<Outcome> {
    let mut kinds = Vec::new();
    for k in filters.kinds {
        kinds.push(DocKind::from_code(k).ok_or_else(|| {
            anyhow::anyhow!(
                "unknown kind {k:?}; use incident, person, source, citation, mechanism or evidence"
            )
        })?);
    }
    if let Some(l) = filters.language
        && !refwatch_search::LANGUAGES.contains(&l)
    {
        anyhow::bail!("unknown language {l:?}; use en, ko, zh, ja or und");
    }
    let years = match (filters.from, filters.to) {
        (None, None) => None,
        (from, to) => Some((from.unwrap_or(i32::MIN / 2), to.unwrap_or(i32::MAX / 2))),
    };
    let service = service(cli).await?;
    let started = Instant::now();
    let results = service
        .search(&SearchRequest {
            text: words.join(" "),
            kinds,
            years,
            language: filters.language.map(str::to_owned),
            level: filters.level,
            limit: filters.limit,
            offset: 0,
        })
        .await?;
    if filters.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&refwatch_server::search_json(&results))?
        );
        return Ok(Outcome::Ok);
    }
    println!(
        "{} found in {:.2} s{}",
        results.total,
        started.elapsed().as_secs_f64(),
        facets(&results)
    );
    for h in &results.hits {
        println!(
            "\n{} {}  [{}, {}{}]\n  {}",
            h.kind.code(),
            h.id,
            h.level.code(),
            h.language,
            h.year.map(|y| format!(", {y}")).unwrap_or_default(),
            h.title
        );
        let snippet: String = h
            .snippet
            .iter()
            .map(|s| {
                if s.marked {
                    format!("[{}]", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect();
        if !snippet.is_empty() {
            println!("  {snippet}");
        }
    }
    Ok(Outcome::Ok)
}

fn facets(r: &Results) -> String {
    if r.total == 0 {
        return String::new();
    }
    let kinds: Vec<String> = r
        .facets
        .by_kind()
        .iter()
        .map(|(k, n)| format!("{} {n}", k.code()))
        .collect();
    format!(": {}", kinds.join(", "))
}
