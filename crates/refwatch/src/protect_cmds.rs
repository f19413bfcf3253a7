//! Commands for protection: `audit verify|show`, `keys rotate`.

use refwatch_domain::Timestamp;

use crate::args::Cli;
use crate::dataset_cmds::required_key;
use crate::{Outcome, data_dir, key_source};

pub(crate) async fn audit_verify(cli: &Cli) -> anyhow::Result<Outcome> {
    let key = required_key(cli)?;
    let service = data_dir::service(&cli.data_dir, Some(&key)).await?;
    let report = service.verify_audit().await?;
    service.into_store().close().await;
    if report.findings.is_empty() {
        println!("ok: the audit log's {} entries are intact.", report.entries);
        println!("head: {}", report.head);
        println!(
            "Write the head down somewhere else; a later head that does not continue from it means the log was rewritten."
        );
        Ok(Outcome::Ok)
    } else {
        eprintln!(
            "the audit log has been tampered with: {} finding(s).",
            report.findings.len()
        );
        for f in &report.findings {
            eprintln!("  {f}");
        }
        Ok(Outcome::Problems)
    }
}

pub(crate) struct ShowFilter<'a> {
    pub(crate) actor: Option<&'a str>,
    pub(crate) action: Option<&'a str>,
    pub(crate) target: Option<&'a str>,
    pub(crate) last: Option<usize>,
}

pub(crate) async fn audit_show(cli: &Cli, filter: ShowFilter<'_>) -> anyhow::Result<Outcome> {
    let service = data_dir::service(&cli.data_dir, None).await?;
    let entries = service.audit_entries().await?;
    service.into_store().close().await;
    let matching: Vec<_> = entries
        .iter()
        .filter(|e| filter.actor.is_none_or(|a| e.event.actor == a))
        .filter(|e| filter.action.is_none_or(|a| e.event.action == a))
        .filter(|e| {
            filter
                .target
                .is_none_or(|t| e.event.target_id.as_deref() == Some(t))
        })
        .collect();
    let skip = filter.last.map_or(0, |n| matching.len().saturating_sub(n));
    for e in &matching[skip..] {
        let target = match (&e.event.target_kind, &e.event.target_id) {
            (Some(k), Some(id)) => format!(" {k} {id}"),
            (None, Some(id)) => format!(" {id}"),
            _ => String::new(),
        };
        let detail = if e.event.detail.is_empty() {
            String::new()
        } else {
            format!(" ({})", e.event.detail)
        };
        println!(
            "{:>6}  {}  {}  {}{target}{detail}",
            e.seq,
            Timestamp::to_string(&e.event.at),
            e.event.actor,
            e.event.action
        );
    }
    eprintln!(
        "{} of {} entries shown.",
        matching.len() - skip,
        entries.len()
    );
    Ok(Outcome::Ok)
}

pub(crate) async fn keys_rotate(
    cli: &Cli,
    new_key_file: Option<&std::path::Path>,
    data_key: bool,
) -> anyhow::Result<Outcome> {
    let key = required_key(cli)?;
    // Evidence files are sealed with the data key too: rotation re-seals them.
    let mut service =
        data_dir::service_with_evidence(&cli.data_dir, &key, refwatch_service::DEFAULT_MAX_BYTES)
            .await?;
    if data_key {
        let done = service
            .rotate_data_key(&key, 100, |done, remaining| {
                eprintln!("re-encrypted {done} identities, {remaining} to go")
            })
            .await?;
        println!(
            "A new data key protects every identity ({done} re-encrypted); the old data key is gone."
        );
    }
    match key_source::new_source(new_key_file, &cli.data_dir)? {
        Some(new) => {
            service.rotate_kek(&new).await?;
            println!(
                "The keys are now protected by the new key file or passphrase; the old one no longer opens them."
            );
        }
        None if !data_key => {
            anyhow::bail!(
                "name the new key: --new-key-file PATH or REFWATCH_NEW_PASSPHRASE (or rotate the data key with --data-key)"
            )
        }
        None => {}
    }
    service.into_store().close().await;
    Ok(Outcome::Ok)
}
