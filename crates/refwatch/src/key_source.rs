//! Where the key comes from: a key file outside the data directory, or a
//! passphrase in the environment.

use std::path::{Path, PathBuf};

use anyhow::Context;
use refwatch_keys::{KekSource, Passphrase};

/// The environment variable that may hold the passphrase.
const PASSPHRASE_VAR: &str = "REFWATCH_PASSPHRASE";
/// The environment variable that may hold a new passphrase for `keys rotate`.
const NEW_PASSPHRASE_VAR: &str = "REFWATCH_NEW_PASSPHRASE";
/// The shortest passphrase accepted for new keys.
const MIN_PASSPHRASE_CHARS: usize = 12;

/// Whether to create a missing key file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    Create,
    Refuse,
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    let abs =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    // Resolve symbolic links of the parts that exist.
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    out.extend(rest.iter().rev());
    Ok(out)
}

fn check_outside(key_file: &Path, data_dir: &Path) -> anyhow::Result<()> {
    if absolute(key_file)?.starts_with(absolute(data_dir)?) {
        anyhow::bail!(
            "the key file {} is inside the data directory {}; keep it elsewhere (removable media, say), so that a copy of the data alone reveals nothing",
            key_file.display(),
            data_dir.display()
        );
    }
    Ok(())
}

fn from_file(path: &Path, data_dir: &Path, missing: Missing) -> anyhow::Result<KekSource> {
    check_outside(path, data_dir)?;
    if path.exists() {
        return Ok(KekSource::KeyFile(refwatch_keys::read_key_file(path)?));
    }
    match missing {
        Missing::Create => {
            let key = refwatch_keys::create_key_file(path)?;
            eprintln!(
                "Created the key file {}. Keep it safe and apart from the data: without it nothing identifying can be read, by anyone.",
                path.display()
            );
            Ok(KekSource::KeyFile(key))
        }
        Missing::Refuse => anyhow::bail!(
            "there is no key file at {}; check --key-file",
            path.display()
        ),
    }
}

fn passphrase(var: &str, missing: Missing) -> anyhow::Result<Option<KekSource>> {
    match std::env::var(var) {
        Ok(text) => {
            if missing == Missing::Create && text.chars().count() < MIN_PASSPHRASE_CHARS {
                anyhow::bail!(
                    "{var} is shorter than {MIN_PASSPHRASE_CHARS} characters; choose a longer passphrase"
                );
            }
            Ok(Some(KekSource::Passphrase(Passphrase::new(text))))
        }
        Err(_) => Ok(None),
    }
}

/// The key source given on the command line or in the environment, if any.
pub(crate) fn given(
    key_file: Option<&Path>,
    data_dir: &Path,
    missing: Missing,
) -> anyhow::Result<Option<KekSource>> {
    match key_file {
        Some(path) => from_file(path, data_dir, missing).map(Some),
        None => passphrase(PASSPHRASE_VAR, missing),
    }
}

/// The new key source for `keys rotate`.
pub(crate) fn new_source(
    key_file: Option<&Path>,
    data_dir: &Path,
) -> anyhow::Result<Option<KekSource>> {
    match key_file {
        Some(path) => {
            if path.exists() {
                anyhow::bail!(
                    "{} already exists; name a new file for the new key",
                    path.display()
                );
            }
            from_file(path, data_dir, Missing::Create).map(Some)
        }
        None => passphrase(NEW_PASSPHRASE_VAR, Missing::Create),
    }
}

/// The key file `demo` uses when none is given: beside the data directory.
pub(crate) fn demo_key_file(data_dir: &Path) -> PathBuf {
    let mut name = data_dir
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "refwatch-data".into());
    name.push(".key");
    data_dir.with_file_name(name)
}
