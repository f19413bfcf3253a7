//! Signed export bundles: one ZIP archive of chosen records, their
//! citations and evidence files, with a manifest of SHA-256 hashes in the
//! format of `sha256sum` (`MANIFEST.sha256`) and an Ed25519 signature over
//! the manifest's bytes (`MANIFEST.sha256.sig`, the raw 64 bytes).
//!
//! Anyone can check a bundle offline with the organisation's public key
//! alone, with refwatch ([`verify`]) or without it (OpenSSL and
//! `sha256sum`, as `docs/bundle.md` shows).

#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

pub use ed25519_dalek::{SigningKey as BundleSigningKey, VerifyingKey as BundlePublicKey};

/// The manifest's name inside a bundle.
pub const MANIFEST: &str = "MANIFEST.sha256";
/// The signature's name inside a bundle.
pub const SIGNATURE: &str = "MANIFEST.sha256.sig";
/// The signer's public key, for reference only: verify with the key the
/// organisation publishes, never with the one a bundle carries.
pub const SIGNER: &str = "signer.pub.pem";

/// What went wrong making or reading a bundle.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The file is not a readable ZIP archive.
    #[error("the file is not a readable bundle (not a ZIP archive, or damaged)")]
    NotABundle,
    /// A file in the bundle is larger than refwatch reads.
    #[error("a file in the bundle unpacks to more than {0} bytes; it was not read")]
    TooLarge(u64),
    /// A file name the bundle may not hold.
    #[error("the name {0:?} may not be used in a bundle")]
    BadName(String),
    /// The public key cannot be read.
    #[error("the public key is not an Ed25519 public key in PEM form")]
    BadKey,
    /// Writing the archive failed.
    #[error("the bundle could not be written: {0}")]
    Write(String),
}

/// One file to put in a bundle.
#[derive(Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Its path inside the bundle (`records.json`, `evidence/...`).
    pub path: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for BundleFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BundleFile({}, {} bytes)", self.path, self.bytes.len())
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn valid_name(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\n')
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
        && ![MANIFEST, SIGNATURE, SIGNER].contains(&path)
}

/// The public key in PEM form (SubjectPublicKeyInfo), as OpenSSL reads it.
pub fn public_key_pem(key: &VerifyingKey) -> String {
    key.to_public_key_pem(LineEnding::LF).unwrap_or_default()
}

/// Reads a public key in PEM form.
pub fn parse_public_key(pem: &str) -> Result<VerifyingKey, BundleError> {
    VerifyingKey::from_public_key_pem(pem.trim()).map_err(|_| BundleError::BadKey)
}

/// The manifest of `files`: `HASH  PATH` lines, sorted by path.
pub fn manifest(files: &[BundleFile]) -> String {
    let mut lines: Vec<String> = files
        .iter()
        .map(|f| format!("{}  {}\n", sha256_hex(&f.bytes), f.path))
        .collect();
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    lines.concat()
}

/// Writes a bundle of `files`, its manifest signed with `key`. Returns the
/// archive's bytes and the manifest's SHA-256 (to note in custody records).
pub fn create(files: &[BundleFile], key: &SigningKey) -> Result<(Vec<u8>, String), BundleError> {
    let mut seen = std::collections::BTreeSet::new();
    for f in files {
        if !valid_name(&f.path) || !seen.insert(f.path.as_str()) {
            return Err(BundleError::BadName(f.path.clone()));
        }
    }
    let manifest = manifest(files);
    let signature = key.sign(manifest.as_bytes());
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut add = |path: &str, bytes: &[u8]| -> Result<(), BundleError> {
        zip.start_file(path, options)
            .map_err(|e| BundleError::Write(e.to_string()))?;
        zip.write_all(bytes)
            .map_err(|e| BundleError::Write(e.to_string()))
    };
    let mut sorted: Vec<&BundleFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for f in sorted {
        add(&f.path, &f.bytes)?;
    }
    add(MANIFEST, manifest.as_bytes())?;
    add(SIGNATURE, &signature.to_bytes())?;
    add(SIGNER, public_key_pem(&key.verifying_key()).as_bytes())?;
    let bytes = zip
        .finish()
        .map_err(|e| BundleError::Write(e.to_string()))?
        .into_inner();
    Ok((bytes, sha256_hex(manifest.as_bytes())))
}

/// Something wrong with a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// There is no manifest or no signature.
    Unsigned,
    /// The signature does not match the manifest under the given key: the
    /// manifest was changed, or someone else signed it.
    BadSignature,
    /// A manifest line cannot be read.
    BadManifestLine(usize),
    /// A file's bytes differ from its manifest hash.
    Changed(String),
    /// A file in the manifest is not in the bundle.
    Missing(String),
    /// A file in the bundle is not in the manifest.
    Added(String),
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unsigned => write!(f, "the bundle has no manifest or no signature"),
            Self::BadSignature => write!(
                f,
                "the signature does not match: the manifest was changed, or the bundle was not signed with this key"
            ),
            Self::BadManifestLine(n) => write!(f, "line {n} of the manifest cannot be read"),
            Self::Changed(p) => write!(f, "changed: {p} (its SHA-256 differs from the manifest's)"),
            Self::Missing(p) => write!(f, "removed: {p} (in the manifest, not in the bundle)"),
            Self::Added(p) => write!(f, "added: {p} (in the bundle, not in the manifest)"),
        }
    }
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Files the manifest lists.
    pub listed: usize,
    /// Everything wrong; empty when the bundle is intact and signed by the key.
    pub findings: Vec<Finding>,
}

/// The most a file in a bundle may unpack to.
const MAX_FILE: u64 = 4 << 30;

/// Checks a bundle with the organisation's public key: the signature over
/// the manifest, then every file against it, naming each file changed,
/// removed or added.
pub fn verify(bundle: &[u8], key: &VerifyingKey) -> Result<Report, BundleError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bundle)).map_err(|_| BundleError::NotABundle)?;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|_| BundleError::NotABundle)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map_err(|_| BundleError::NotABundle)?
            .into_owned();
        let mut bytes = Vec::new();
        entry
            .take(MAX_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| BundleError::NotABundle)?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(BundleError::TooLarge(MAX_FILE));
        }
        files.insert(name, bytes);
    }
    let mut findings = Vec::new();
    let (Some(manifest), Some(signature)) = (files.remove(MANIFEST), files.remove(SIGNATURE))
    else {
        return Ok(Report {
            listed: 0,
            findings: vec![Finding::Unsigned],
        });
    };
    files.remove(SIGNER);
    let signed = Signature::from_slice(&signature)
        .ok()
        .is_some_and(|s| key.verify_strict(&manifest, &s).is_ok());
    if !signed {
        findings.push(Finding::BadSignature);
    }
    let text = String::from_utf8_lossy(&manifest);
    let mut listed = 0;
    for (n, line) in text.lines().enumerate() {
        let Some((hash, path)) = line.split_once("  ") else {
            findings.push(Finding::BadManifestLine(n + 1));
            continue;
        };
        listed += 1;
        match files.remove(path) {
            None => findings.push(Finding::Missing(path.to_owned())),
            Some(bytes) if sha256_hex(&bytes) != hash => {
                findings.push(Finding::Changed(path.to_owned()))
            }
            Some(_) => {}
        }
    }
    findings.extend(files.into_keys().map(Finding::Added));
    Ok(Report { listed, findings })
}

#[cfg(test)]
mod tests;
