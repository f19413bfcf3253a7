//! `refwatch link …`: spreadsheets (`link csv`, in `link_cmds`) and
//! `run|review|accept|reject|undo|split`: record linkage over the database, through the protected core. The core compares
//! identities; this module shows levels, weights and opaque ids only.

use std::time::Instant;

use refwatch_domain::{LinkKind, LinkPair, Verdict};
use refwatch_service::{LinkOptions, ReviewItem};

use crate::args::{Cli, LinkCommand, ReviewCommand};
use crate::dataset_cmds::required_key;
use crate::{Outcome, data_dir};

/// Runs one of the linkage commands.
pub(crate) async fn run(cli: &Cli, command: &LinkCommand) -> anyhow::Result<Outcome> {
    match command {
        // Spreadsheets need no data directory.
        LinkCommand::Csv {
            config,
            first,
            second,
            out,
        } => crate::link_cmds::csv(config, first, second.as_deref(), out),
        LinkCommand::Database(command) => database(cli, command).await,
    }
}

/// Runs one of the commands over the data directory.
async fn database(cli: &Cli, command: &ReviewCommand) -> anyhow::Result<Outcome> {
    // The key opens identities (for a run over persons) and seals the
    // audit entries every command here writes.
    let key = required_key(cli)?;
    let service = data_dir::service(&cli.data_dir, Some(&key)).await?;
    let outcome = match command {
        ReviewCommand::Run { kind, threshold } => {
            let kind = kind.kind();
            eprintln!("Linking {}s…", kind.code());
            let started = Instant::now();
            let report = service
                .run_linkage(
                    kind,
                    LinkOptions {
                        threshold: *threshold,
                    },
                )
                .await?;
            println!(
                "{} {}s compared, {} candidate pairs, {} pairs suggested ({} not decided yet) in {:.1} s.",
                report.run.records,
                kind.code(),
                report.run.candidate_pairs,
                report.suggested,
                report.undecided,
                started.elapsed().as_secs_f64()
            );
            for d in &report.run.diagnostics {
                println!("note: {d}");
            }
            if report.undecided > 0 {
                println!("Review them: refwatch link review {}", kind.code());
            }
            Outcome::Ok
        }
        ReviewCommand::Review { kind, all, limit } => {
            let kind = kind.kind();
            let Some(review) = service.link_review(kind).await? else {
                anyhow::bail!(
                    "no {0} linkage has run yet: run `refwatch link run {0}` first",
                    kind.code()
                );
            };
            let mut items: Vec<&ReviewItem> = review
                .items
                .iter()
                .filter(|i| *all || i.decision.is_none())
                .collect();
            // Undecided first, each group most probable first (as stored).
            items.sort_by_key(|i| i.decision.is_some());
            println!(
                "{} suggestions from the run of {} (threshold {}); {} shown.",
                review.items.len(),
                review.run.ran_at,
                review.run.threshold,
                items.len().min(*limit)
            );
            for (n, item) in items.iter().take(*limit).enumerate() {
                print_item(n + 1, item);
            }
            if items.is_empty() {
                println!("Nothing left to review.");
            } else {
                println!(
                    "Decide with: refwatch link accept|reject {} ID ID",
                    kind.code()
                );
            }
            Outcome::Ok
        }
        ReviewCommand::Accept { kind, a, b } => {
            decide(&service, kind.kind(), a, b, Some(Verdict::Same)).await?
        }
        ReviewCommand::Reject { kind, a, b } => {
            decide(&service, kind.kind(), a, b, Some(Verdict::Different)).await?
        }
        ReviewCommand::Undo { kind, a, b } => decide(&service, kind.kind(), a, b, None).await?,
        ReviewCommand::Split { kind, record } => {
            let changed = service.split_link(kind.kind(), record).await?;
            if changed.is_empty() {
                println!("That record is in no group; nothing changed.");
            } else {
                println!(
                    "{} decision(s) changed to \"different\"; the record stands alone:",
                    changed.len()
                );
                for pair in changed {
                    let (a, b) = pair.ids();
                    println!("  {a}  {b}");
                }
            }
            Outcome::Ok
        }
    };
    service.into_store().close().await;
    Ok(outcome)
}

fn print_item(n: usize, item: &ReviewItem) {
    let s = &item.suggestion;
    let (a, b) = s.pair.ids();
    let status = match item.decision {
        None => "undecided",
        Some(Verdict::Same) => "decided: same",
        Some(Verdict::Different) => "decided: different",
    };
    println!("{n:>3}. {:.3}  {a}  {b}  {status}", s.probability);
    let parts: Vec<String> = s
        .explanation
        .iter()
        .map(|f| match &f.level {
            Some(level) => format!("{}: {level} ({:+.2})", f.field, f.weight),
            None => format!("{}: missing", f.field),
        })
        .collect();
    println!("       {}", parts.join(" · "));
}

async fn decide(
    service: &refwatch_service::Service<refwatch_storage::SqliteStore>,
    kind: LinkKind,
    a: &str,
    b: &str,
    verdict: Option<Verdict>,
) -> anyhow::Result<Outcome> {
    let Some(pair) = LinkPair::parse(kind, a.trim(), b.trim()) else {
        anyhow::bail!(
            "give two different {} ids (as `refwatch link review {}` shows them)",
            kind.code(),
            kind.code()
        );
    };
    service.decide_link(pair, verdict).await?;
    println!(
        "{}",
        match verdict {
            Some(Verdict::Same) =>
                "Decided: the same. Both records stay as they are; statistics now count them once.",
            Some(Verdict::Different) =>
                "Decided: different. The pair will not be linked again unless you undo this.",
            None => "The decision on this pair is taken back.",
        }
    );
    Ok(Outcome::Ok)
}
