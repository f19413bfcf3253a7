//! `refwatch evidence …`: evidence files through the protected core.

use std::io::Write;

use anyhow::Context;
use refwatch_domain::{CustodyAction, Evidence, EvidenceId, Extraction};
use refwatch_service::{Intake, IntakeOutcome, VerifyProblem};

use crate::args::{Cli, EvidenceCommand};
use crate::dataset_cmds::required_key;
use crate::{Outcome, data_dir};

fn evidence_id(text: &str) -> anyhow::Result<EvidenceId> {
    text.parse().map_err(|_| {
        anyhow::anyhow!("{text:?} is not an evidence id; `refwatch evidence list` shows them")
    })
}

fn extraction(e: &Evidence) -> String {
    match &e.extraction {
        Extraction::Text { chars } => format!(
            "text of {chars} characters, language {}",
            e.language.as_deref().unwrap_or("und")
        ),
        Extraction::NotApplicable => "no text to read".into(),
        Extraction::Failed(why) => format!("text not read: {why}"),
    }
}

fn line(e: &Evidence) -> String {
    format!(
        "{}  {:<5}  {:>10} bytes  {:<12}  source {}  {}",
        e.id,
        e.media.code(),
        e.size,
        e.confidentiality.code(),
        e.source,
        extraction(e)
    )
}

/// Runs one of the evidence commands.
pub(crate) async fn run(cli: &Cli, command: &EvidenceCommand) -> anyhow::Result<Outcome> {
    let key = required_key(cli)?;
    let max_mib = match command {
        EvidenceCommand::Add { max_mib, .. } => *max_mib,
        _ => refwatch_service::DEFAULT_MAX_BYTES >> 20,
    };
    let service =
        data_dir::service_with_evidence(&cli.data_dir, &key, max_mib.saturating_mul(1 << 20))
            .await?;
    match command {
        EvidenceCommand::Add {
            file,
            source,
            received_from,
            received_via,
            confidentiality,
            ..
        } => {
            let source = source.parse().map_err(|_| {
                anyhow::anyhow!("{source:?} is not a source id (a UUID or key:slug)")
            })?;
            let meta = std::fs::metadata(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            if meta.len() > max_mib.saturating_mul(1 << 20) {
                anyhow::bail!(
                    "{} is {} bytes, more than the limit of {max_mib} MiB; nothing was stored (raise it with --max-mib if it must be kept)",
                    file.display(),
                    meta.len()
                );
            }
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let outcome = service
                .add_evidence(
                    &bytes,
                    Intake {
                        source,
                        received_from: received_from.clone(),
                        received_via: received_via.clone(),
                        file_name,
                        confidentiality: confidentiality.level(),
                    },
                )
                .await?;
            match outcome {
                IntakeOutcome::Stored { evidence, note } => {
                    println!("Stored evidence {}", evidence.id);
                    println!("  sha256 {}", evidence.hash);
                    println!("  {}", line(&evidence));
                    if let Some(note) = note {
                        println!("note: {note}");
                    }
                }
                IntakeOutcome::Duplicate(evidence) => {
                    println!(
                        "These exact bytes are stored already as evidence {} (sha256 {}); nothing new was stored, and this intake was added to its chain of custody.",
                        evidence.id, evidence.hash
                    );
                }
            }
            Ok(Outcome::Ok)
        }
        EvidenceCommand::List => {
            let all = service.evidence_list().await?;
            if all.is_empty() {
                println!(
                    "No evidence yet: add a file with `refwatch evidence add FILE --source ID ...`."
                );
            }
            for e in &all {
                println!("{}", line(e));
            }
            Ok(Outcome::Ok)
        }
        EvidenceCommand::Show { id, provenance } => {
            let id = evidence_id(id)?;
            let view = service.evidence_view(id).await?;
            let e = &view.evidence;
            println!("Evidence {}", e.id);
            println!("  sha256           {}", e.hash);
            println!("  kind             {}", e.media.code());
            println!("  size             {} bytes", e.size);
            println!("  source           {}", e.source);
            println!("  received via     {}", e.received_via);
            println!("  received at      {}", e.received_at);
            println!("  confidentiality  {}", e.confidentiality.code());
            println!("  text             {}", extraction(e));
            if *provenance {
                let p = service.evidence_provenance(id).await?;
                println!("  received from    {}", p.received_from);
                println!("  original name    {}", p.file_name);
            }
            println!("Chain of custody:");
            for c in &view.custody {
                println!(
                    "  {}  {:<8}  {:<16}  {}  {}",
                    c.at,
                    c.action.code(),
                    c.actor,
                    c.hash
                        .map(|h| h.to_string())
                        .unwrap_or_else(|| "(no hash: unreadable)".into()),
                    c.note
                );
            }
            Ok(Outcome::Ok)
        }
        EvidenceCommand::Text { id } => {
            let id = evidence_id(id)?;
            match service.evidence_text(id).await? {
                Some(text) => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(text.as_bytes())?;
                    out.write_all(b"\n")?;
                    Ok(Outcome::Ok)
                }
                None => anyhow::bail!(
                    "evidence {id} has no working text (see `refwatch evidence show {id}` for why)"
                ),
            }
        }
        EvidenceCommand::Get { id, out } => {
            let id = evidence_id(id)?;
            if out.exists() {
                anyhow::bail!(
                    "{} exists already; choose another --out (nothing is overwritten)",
                    out.display()
                );
            }
            let (evidence, bytes) = service
                .evidence_original(id, CustodyAction::Download, "to a file")
                .await?;
            std::fs::write(out, &bytes[..])
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote evidence {} ({} bytes, sha256 {} checked) to {}",
                evidence.id,
                evidence.size,
                evidence.hash,
                out.display()
            );
            Ok(Outcome::Ok)
        }
        EvidenceCommand::Transfer { id, to } => {
            let id = evidence_id(id)?;
            service.transfer_evidence(id, to).await?;
            println!("Recorded in the chain of custody of {id}: a copy went to {to}.");
            Ok(Outcome::Ok)
        }
        EvidenceCommand::Verify => {
            let (count, findings) = service.verify_evidence().await?;
            for f in &findings {
                match &f.problem {
                    VerifyProblem::Missing => println!("MISSING   {}", f.evidence),
                    VerifyProblem::Altered { found } => {
                        println!("ALTERED   {}  (its bytes now hash to {found})", f.evidence)
                    }
                    VerifyProblem::Unreadable => {
                        println!(
                            "UNREADABLE {}  (its sealed object was changed or damaged)",
                            f.evidence
                        )
                    }
                }
            }
            if findings.is_empty() {
                println!("All {count} evidence files are present and match their SHA-256.");
                Ok(Outcome::Ok)
            } else {
                println!(
                    "{} of {count} evidence files are missing or altered; restore them from a backup.",
                    findings.len()
                );
                Ok(Outcome::Problems)
            }
        }
    }
}
