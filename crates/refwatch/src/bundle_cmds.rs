//! `refwatch bundle create|verify|public-key`.

use std::io::Write;

use anyhow::Context;
use refwatch_domain::IncidentId;

use crate::args::{BundleCommand, Cli};
use crate::dataset_cmds::required_key;
use crate::{Outcome, data_dir};

/// Runs one of the bundle commands.
pub(crate) async fn run(cli: &Cli, command: &BundleCommand) -> anyhow::Result<Outcome> {
    match command {
        BundleCommand::Verify { file, public_key } => verify(file, public_key),
        BundleCommand::Create { incidents, out } => {
            let ids: Vec<IncidentId> = incidents
                .iter()
                .map(|i| {
                    i.parse().map_err(|_| {
                        anyhow::anyhow!("{i:?} is not an incident id (a UUID or key:slug)")
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            if out.exists() {
                anyhow::bail!(
                    "{} exists already; choose another --out (nothing is overwritten)",
                    out.display()
                );
            }
            let service = core(cli).await?;
            let made = service.create_bundle(&ids).await?;
            std::fs::write(out, &made.bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote {} ({} incidents, {} evidence files, {} bytes). Manifest SHA-256 {}.",
                out.display(),
                made.incidents,
                made.evidence,
                made.bytes.len(),
                made.manifest_hash
            );
            println!(
                "Check it with: refwatch bundle verify {} --public-key ORG.pub.pem",
                out.display()
            );
            Ok(Outcome::Ok)
        }
        BundleCommand::PublicKey { out } => {
            let pem = core(cli).await?.bundle_public_key().await?;
            if out.as_os_str() == "-" {
                std::io::stdout().lock().write_all(pem.as_bytes())?;
            } else {
                std::fs::write(out, pem)
                    .with_context(|| format!("cannot write {}", out.display()))?;
                println!(
                    "Wrote the public key to {}; publish it so that anyone can check your bundles.",
                    out.display()
                );
            }
            Ok(Outcome::Ok)
        }
    }
}

/// The core with the evidence store; the key opens names and evidence
/// texts and seals audit entries.
async fn core(
    cli: &Cli,
) -> anyhow::Result<refwatch_service::Service<refwatch_storage::SqliteStore>> {
    let key = required_key(cli)?;
    data_dir::service_with_evidence(&cli.data_dir, &key, refwatch_service::DEFAULT_MAX_BYTES).await
}

fn verify(file: &std::path::Path, public_key: &std::path::Path) -> anyhow::Result<Outcome> {
    let pem = std::fs::read_to_string(public_key)
        .with_context(|| format!("cannot read {}", public_key.display()))?;
    let key = refwatch_bundle::parse_public_key(&pem)?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let report = refwatch_bundle::verify(&bytes, &key)?;
    if report.findings.is_empty() {
        println!(
            "Intact: the signature matches this key and all {} files match the manifest.",
            report.listed
        );
        return Ok(Outcome::Ok);
    }
    for f in &report.findings {
        println!("{f}");
    }
    println!("NOT INTACT: {} problem(s) found.", report.findings.len());
    Ok(Outcome::Problems)
}
