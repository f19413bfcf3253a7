//! The evidence store: evidence files' bytes, sealed, by content.
//!
//! Every file is sealed (XChaCha20-Poly1305 under the current data key,
//! bound to its SHA-256) and stored under a keyed name derived from that
//! hash ([`refwatch_keys::UnlockedKeys::content_name`]): `originals/NAME`
//! for the bytes as received, `texts/NAME` for the working text read out of
//! them. The same bytes always land under the same name, so a duplicate
//! upload is one object.
//!
//! Storage goes through the `object_store` crate: the local file system by
//! default ([`EvidenceStore::local`]), any other `ObjectStore` (S3-compatible
//! storage, memory for tests) through [`EvidenceStore::over`].

#![deny(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use refwatch_domain::{ContentHash, SealedIdentity};
use refwatch_keys::{KeyError, UnlockedKeys};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// What went wrong in the evidence store.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceStoreError {
    /// The store could not be reached, read or written.
    #[error("the evidence store failed: {0}")]
    Store(String),
    /// A stored object is not a sealed refwatch object.
    #[error("the stored object for {0} is damaged (not a sealed refwatch object)")]
    Damaged(String),
    /// Sealing or opening failed (wrong key, or the object was altered).
    #[error(transparent)]
    Keys(#[from] KeyError),
}

/// Which copy of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The bytes as received.
    Original,
    /// The working text read out of them.
    Text,
}

impl Part {
    fn folder(self) -> &'static str {
        match self {
            Self::Original => "originals",
            Self::Text => "texts",
        }
    }
}

/// The SHA-256 of some bytes.
pub fn hash(bytes: &[u8]) -> ContentHash {
    ContentHash(Sha256::digest(bytes).into())
}

/// Sealed objects start with this, then the key version (4 bytes, big
/// endian), the nonce's length (1 byte), the nonce and the ciphertext.
const MAGIC: &[u8; 4] = b"RWE1";

fn context(part: Part, hash: ContentHash) -> String {
    format!("evidence {} {hash}", part.folder())
}

fn envelope(sealed: &SealedIdentity) -> Vec<u8> {
    let mut out = Vec::with_capacity(9 + sealed.nonce.len() + sealed.ciphertext.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&sealed.key_version.to_be_bytes());
    out.push(sealed.nonce.len() as u8);
    out.extend_from_slice(&sealed.nonce);
    out.extend_from_slice(&sealed.ciphertext);
    out
}

fn unwrap_envelope(bytes: &[u8]) -> Option<SealedIdentity> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let version = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
    let nonce_len = *rest.get(4)? as usize;
    let nonce = rest.get(5..5 + nonce_len)?.to_vec();
    let ciphertext = rest.get(5 + nonce_len..)?.to_vec();
    Some(SealedIdentity {
        key_version: version,
        nonce,
        ciphertext,
    })
}

/// Sealed evidence files over an object store.
#[derive(Clone)]
pub struct EvidenceStore {
    objects: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for EvidenceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EvidenceStore({})", self.objects)
    }
}

fn failed(e: object_store::Error) -> EvidenceStoreError {
    // object_store's messages name paths (keyed hashes), never contents.
    EvidenceStoreError::Store(e.to_string())
}

impl EvidenceStore {
    /// The store in a folder of the local file system (created if missing).
    pub fn local(dir: &Path) -> Result<Self, EvidenceStoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            EvidenceStoreError::Store(format!("cannot create {}: {e}", dir.display()))
        })?;
        let local = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(failed)?;
        Ok(Self::over(Arc::new(local)))
    }

    /// A store in memory (tests, trials).
    pub fn in_memory() -> Self {
        Self::over(Arc::new(InMemory::new()))
    }

    /// The store over any object store (S3-compatible storage, say).
    pub fn over(objects: Arc<dyn ObjectStore>) -> Self {
        Self { objects }
    }

    fn path(keys: &UnlockedKeys, part: Part, hash: ContentHash) -> ObjectPath {
        ObjectPath::from(format!("{}/{}", part.folder(), keys.content_name(&hash.0)))
    }

    /// Seals and stores `bytes` as the `part` of the file whose SHA-256 is
    /// `hash`; stored again, the same file replaces its own copy.
    pub async fn put(
        &self,
        keys: &UnlockedKeys,
        part: Part,
        hash: ContentHash,
        bytes: &[u8],
    ) -> Result<(), EvidenceStoreError> {
        let sealed = keys.seal_secret(&context(part, hash), bytes)?;
        self.objects
            .put(
                &Self::path(keys, part, hash),
                PutPayload::from(envelope(&sealed)),
            )
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// Reads and opens a stored part; `None` when it is not there.
    pub async fn get(
        &self,
        keys: &UnlockedKeys,
        part: Part,
        hash: ContentHash,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, EvidenceStoreError> {
        let path = Self::path(keys, part, hash);
        let bytes = match self.objects.get(&path).await {
            Ok(found) => found.bytes().await.map_err(failed)?,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(failed(e)),
        };
        let sealed =
            unwrap_envelope(&bytes).ok_or_else(|| EvidenceStoreError::Damaged(hash.to_string()))?;
        Ok(Some(keys.open_secret(&context(part, hash), &sealed)?))
    }

    /// Removes a stored part (for tests of a missing file, and undoing a
    /// failed intake); absent parts are fine.
    pub async fn delete(
        &self,
        keys: &UnlockedKeys,
        part: Part,
        hash: ContentHash,
    ) -> Result<(), EvidenceStoreError> {
        match self.objects.delete(&Self::path(keys, part, hash)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }

    /// Overwrites a stored part with raw bytes, unsealed (for tests that
    /// damage the store, as an attacker or a failing disk would).
    pub async fn put_raw(
        &self,
        keys: &UnlockedKeys,
        part: Part,
        hash: ContentHash,
        raw: Vec<u8>,
    ) -> Result<(), EvidenceStoreError> {
        self.objects
            .put(&Self::path(keys, part, hash), PutPayload::from(raw))
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// Reads a stored part's raw (sealed) bytes.
    pub async fn get_raw(
        &self,
        keys: &UnlockedKeys,
        part: Part,
        hash: ContentHash,
    ) -> Result<Option<Vec<u8>>, EvidenceStoreError> {
        match self.objects.get(&Self::path(keys, part, hash)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(failed)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }
}

#[cfg(test)]
mod tests;
