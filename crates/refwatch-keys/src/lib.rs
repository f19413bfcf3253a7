//! Keys and encryption at rest.
//!
//! Identity fields are sealed with XChaCha20-Poly1305 under a
//! data-encryption key (DEK). The DEK, and a separate key that seals the
//! audit log, are stored only wrapped (encrypted) under a key-encryption key
//! (KEK) that comes from a key file kept outside the data directory or from
//! a passphrase (argon2id). Rotating the KEK re-wraps the stored keys;
//! rotating the DEK adds a new version and re-seals records.
//!
//! This crate does no I/O beyond reading and writing a key file; storage of
//! the [`Keyring`] is the storage crate's. Key material is zeroed when
//! dropped and never printed: every type here has a redacting `Debug`.

#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use refwatch_domain::{PersonId, PersonIdentity, SealedIdentity};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

/// What went wrong with keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file or passphrase does not open this data directory's keys.
    #[error(
        "the key does not match this data directory: wrong key file or passphrase; nothing was decrypted or written"
    )]
    WrongKey,
    /// The key file cannot be read or has the wrong form.
    #[error("cannot use the key file {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A sealed value was changed or damaged, or sealed for another record.
    #[error(
        "a sealed value failed its authenticity check (damaged, altered or moved between records); it was not decrypted"
    )]
    Corrupted,
    /// A sealed value names a key version this keyring does not hold.
    #[error("a sealed value uses data key version {0}, which this keyring does not hold")]
    UnknownKeyVersion(u32),
    /// The operating system's random source failed.
    #[error("no secure randomness available")]
    Random,
    /// The key-derivation parameters are invalid.
    #[error("invalid key-derivation settings")]
    Kdf,
}

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// 32 bytes of key material, zeroed on drop, never printed.
#[derive(Clone, Zeroize, zeroize::ZeroizeOnDrop)]
pub struct KeyMaterial([u8; KEY_LEN]);

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyMaterial(<redacted>)")
    }
}

impl KeyMaterial {
    fn random() -> Result<Self, KeyError> {
        let mut k = [0u8; KEY_LEN];
        getrandom::fill(&mut k).map_err(|_| KeyError::Random)?;
        Ok(Self(k))
    }
}

/// Fills a buffer with random bytes.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), KeyError> {
    getrandom::fill(buf).map_err(|_| KeyError::Random)
}

/// A passphrase, zeroed on drop, never printed.
#[derive(Clone, Zeroize, zeroize::ZeroizeOnDrop)]
pub struct Passphrase(String);

impl Passphrase {
    /// Wraps a passphrase.
    pub fn new(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// Where the key-encryption key comes from.
#[derive(Debug, Clone)]
pub enum KekSource {
    /// 32 random bytes, hex-encoded, in a file outside the data directory.
    KeyFile(KeyMaterial),
    /// A passphrase, stretched with argon2id and the keyring's salt.
    Passphrase(Passphrase),
}

/// Writes a new random key file (mode 0600 on Unix). Refuses to overwrite.
pub fn create_key_file(path: &Path) -> Result<KeyMaterial, KeyError> {
    let err = |reason: String| KeyError::KeyFile {
        path: path.display().to_string(),
        reason,
    };
    let key = KeyMaterial::random()?;
    let text = Zeroizing::new(format!("{}\n", hex::encode(key.0)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| err(e.to_string()))?;
    let written =
        std::io::Write::write_all(&mut file, text.as_bytes()).and_then(|()| file.sync_all());
    if let Err(e) = written {
        // A half-written key file (the disk full, say) would block the next
        // attempt and hold no key: it goes.
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(err(e.to_string()));
    }
    Ok(key)
}

/// Reads a key file written by [`create_key_file`].
pub fn read_key_file(path: &Path) -> Result<KeyMaterial, KeyError> {
    let err = |reason: &str| KeyError::KeyFile {
        path: path.display().to_string(),
        reason: reason.to_owned(),
    };
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|_| err("it cannot be read"))?);
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    hex::decode_to_slice(text.trim(), bytes.as_mut())
        .map_err(|_| err("it does not hold a refwatch key (64 hexadecimal digits)"))?;
    Ok(KeyMaterial(*bytes))
}

/// Settings of the passphrase key derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Parallelism.
    pub parallelism: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        // OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane.
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// A key stored encrypted under the KEK.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// What the key is for.
    pub purpose: KeyPurpose,
    /// Its version (data keys count up from 1).
    pub version: u32,
    /// The AEAD nonce.
    pub nonce: Vec<u8>,
    /// The encrypted key with its tag.
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WrappedKey({:?} v{})", self.purpose, self.version)
    }
}

/// What a wrapped key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyPurpose {
    /// Seals identity fields and other secrets in records.
    Data,
    /// Seals the audit log's entries.
    Audit,
}

impl KeyPurpose {
    /// The purpose's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Data => "data",
            Self::Audit => "audit",
        }
    }

    /// Reads a purpose's code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Data, Self::Audit]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// What the database stores about keys: how the KEK is obtained and the
/// wrapped keys. Holds no secret in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyring {
    /// `Some` when the KEK comes from a passphrase: the salt and settings.
    pub passphrase_kdf: Option<(Vec<u8>, KdfParams)>,
    /// The wrapped keys, in (purpose, version) order: every data key version
    /// still in use, and the audit key.
    pub keys: Vec<WrappedKey>,
}

/// The keys, unwrapped and ready. Zeroed on drop, never printed.
pub struct UnlockedKeys {
    data: BTreeMap<u32, KeyMaterial>,
    audit: KeyMaterial,
}

impl fmt::Debug for UnlockedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UnlockedKeys(data versions {:?}, <redacted>)",
            self.data.keys().collect::<Vec<_>>()
        )
    }
}

fn kek_from(
    source: &KekSource,
    kdf: &Option<(Vec<u8>, KdfParams)>,
) -> Result<KeyMaterial, KeyError> {
    match (source, kdf) {
        (KekSource::KeyFile(k), None) => Ok(k.clone()),
        (KekSource::Passphrase(p), Some((salt, params))) => {
            let params = Params::new(
                params.memory_kib,
                params.iterations,
                params.parallelism,
                Some(KEY_LEN),
            )
            .map_err(|_| KeyError::Kdf)?;
            let mut out = [0u8; KEY_LEN];
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password_into(p.0.as_bytes(), salt, &mut out)
                .map_err(|_| KeyError::Kdf)?;
            Ok(KeyMaterial(out))
        }
        // A key file offered where a passphrase protects the keys, or the reverse.
        _ => Err(KeyError::WrongKey),
    }
}

fn wrap_aad(purpose: KeyPurpose, version: u32) -> Vec<u8> {
    let mut aad = b"refwatch wrapped key v1:".to_vec();
    aad.extend_from_slice(purpose.code().as_bytes());
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

fn seal_bytes(
    key: &KeyMaterial,
    plaintext: &[u8],
    aad: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
    let cipher = XChaCha20Poly1305::new_from_slice(&key.0).map_err(|_| KeyError::Corrupted)?;
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce)?;
    let xnonce = XNonce::try_from(&nonce[..]).map_err(|_| KeyError::Corrupted)?;
    let ciphertext = cipher
        .encrypt(
            &xnonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| KeyError::Corrupted)?;
    Ok((nonce.to_vec(), ciphertext))
}

fn open_bytes(
    key: &KeyMaterial,
    nonce: &[u8],
    ciphertext: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let cipher = XChaCha20Poly1305::new_from_slice(&key.0).map_err(|_| KeyError::Corrupted)?;
    let xnonce = XNonce::try_from(nonce).map_err(|_| KeyError::Corrupted)?;
    cipher
        .decrypt(
            &xnonce,
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| KeyError::Corrupted)
}

fn wrap(
    kek: &KeyMaterial,
    purpose: KeyPurpose,
    version: u32,
    key: &KeyMaterial,
) -> Result<WrappedKey, KeyError> {
    let (nonce, ciphertext) = seal_bytes(kek, &key.0, &wrap_aad(purpose, version))?;
    Ok(WrappedKey {
        purpose,
        version,
        nonce,
        ciphertext,
    })
}

fn unwrap(kek: &KeyMaterial, w: &WrappedKey) -> Result<KeyMaterial, KeyError> {
    // A key that fails to unwrap means the KEK is not this keyring's.
    let bytes = open_bytes(
        kek,
        &w.nonce,
        &w.ciphertext,
        &wrap_aad(w.purpose, w.version),
    )
    .map_err(|_| KeyError::WrongKey)?;
    let arr: [u8; KEY_LEN] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::Corrupted)?;
    Ok(KeyMaterial(arr))
}

fn kdf_for(source: &KekSource) -> Result<Option<(Vec<u8>, KdfParams)>, KeyError> {
    Ok(match source {
        KekSource::KeyFile(_) => None,
        KekSource::Passphrase(_) => {
            let mut salt = vec![0u8; 16];
            random_bytes(&mut salt)?;
            Some((salt, KdfParams::default()))
        }
    })
}

impl Keyring {
    /// Makes new data and audit keys, wrapped under the KEK from `source`.
    pub fn create(source: &KekSource) -> Result<(Keyring, UnlockedKeys), KeyError> {
        let passphrase_kdf = kdf_for(source)?;
        let kek = kek_from(source, &passphrase_kdf)?;
        let data = KeyMaterial::random()?;
        let audit = KeyMaterial::random()?;
        let keys = vec![
            wrap(&kek, KeyPurpose::Data, 1, &data)?,
            wrap(&kek, KeyPurpose::Audit, 1, &audit)?,
        ];
        Ok((
            Keyring {
                passphrase_kdf,
                keys,
            },
            UnlockedKeys {
                data: BTreeMap::from([(1, data)]),
                audit,
            },
        ))
    }

    /// Unwraps the keys with the KEK from `source`.
    pub fn unlock(&self, source: &KekSource) -> Result<UnlockedKeys, KeyError> {
        let kek = kek_from(source, &self.passphrase_kdf)?;
        let mut data = BTreeMap::new();
        let mut audit = None;
        for w in &self.keys {
            let key = unwrap(&kek, w)?;
            match w.purpose {
                KeyPurpose::Data => {
                    data.insert(w.version, key);
                }
                KeyPurpose::Audit => audit = Some(key),
            }
        }
        match (data.is_empty(), audit) {
            (false, Some(audit)) => Ok(UnlockedKeys { data, audit }),
            _ => Err(KeyError::Corrupted),
        }
    }

    /// The same keys wrapped under a new KEK: nothing else is re-encrypted.
    pub fn rewrap(&self, keys: &UnlockedKeys, new_source: &KekSource) -> Result<Keyring, KeyError> {
        let passphrase_kdf = kdf_for(new_source)?;
        let kek = kek_from(new_source, &passphrase_kdf)?;
        let mut wrapped = Vec::new();
        for (version, key) in &keys.data {
            wrapped.push(wrap(&kek, KeyPurpose::Data, *version, key)?);
        }
        wrapped.push(wrap(&kek, KeyPurpose::Audit, 1, &keys.audit)?);
        Ok(Keyring {
            passphrase_kdf,
            keys: wrapped,
        })
    }

    /// Adds a new data key version, which seals everything from now on.
    /// Older versions stay until [`Keyring::retire_data_keys_before`].
    pub fn add_data_key(
        &self,
        keys: &mut UnlockedKeys,
        source: &KekSource,
    ) -> Result<Keyring, KeyError> {
        let kek = kek_from(source, &self.passphrase_kdf)?;
        let version = keys.current_version() + 1;
        let key = KeyMaterial::random()?;
        let mut ring = self.clone();
        ring.keys.push(wrap(&kek, KeyPurpose::Data, version, &key)?);
        ring.keys.sort_by_key(|w| (w.purpose, w.version));
        keys.data.insert(version, key);
        Ok(ring)
    }

    /// Drops data keys older than `version`, once nothing is sealed with them.
    pub fn retire_data_keys_before(&self, keys: &mut UnlockedKeys, version: u32) -> Keyring {
        keys.data.retain(|v, _| *v >= version);
        let mut ring = self.clone();
        ring.keys
            .retain(|w| w.purpose != KeyPurpose::Data || w.version >= version);
        ring
    }
}

fn identity_aad(person: PersonId, version: u32) -> Vec<u8> {
    let mut aad = b"refwatch identity v1:".to_vec();
    aad.extend_from_slice(person.as_uuid().as_bytes());
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

fn encode_identity(identity: &PersonIdentity) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::new());
    for field in [
        &identity.name_hangul,
        &identity.name_romanized,
        &identity.name_chinese,
        &identity.birth_date,
        &identity.origin,
        &identity.family_contacts,
    ] {
        match field {
            None => out.push(0),
            Some(text) => {
                out.push(1);
                out.extend_from_slice(&(text.len() as u32).to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    // The words of the person's citations follow (older seals end here).
    if !identity.cited.is_empty() {
        put_u32(&mut out, identity.cited.len());
        for c in &identity.cited {
            out.extend_from_slice(c.citation.as_uuid().as_bytes());
            for text in [Some(&c.locator), Some(&c.quote), c.note.as_ref()] {
                match text {
                    None => out.push(0),
                    Some(text) => {
                        out.push(1);
                        put_u32(&mut out, text.len());
                        out.extend_from_slice(text.as_bytes());
                    }
                }
            }
        }
    }
    out
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_be_bytes());
}

fn decode_identity(bytes: &[u8]) -> Result<PersonIdentity, KeyError> {
    let mut rest = bytes;
    let mut next = || -> Result<Option<String>, KeyError> {
        let (&flag, tail) = rest.split_first().ok_or(KeyError::Corrupted)?;
        rest = tail;
        if flag == 0 {
            return Ok(None);
        }
        if rest.len() < 4 {
            return Err(KeyError::Corrupted);
        }
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let body = rest.get(4..4 + len).ok_or(KeyError::Corrupted)?;
        let text = String::from_utf8(body.to_vec()).map_err(|_| KeyError::Corrupted)?;
        rest = &rest[4 + len..];
        Ok(Some(text))
    };
    let mut identity = PersonIdentity::default();
    identity.name_hangul = next()?;
    identity.name_romanized = next()?;
    identity.name_chinese = next()?;
    identity.birth_date = next()?;
    identity.origin = next()?;
    identity.family_contacts = next()?;
    if !rest.is_empty() {
        identity.cited = decode_cited(rest)?;
    }
    Ok(identity)
}

/// The words of a person's citations, as [`encode_identity`] writes them
/// after the identity's fields.
fn decode_cited(bytes: &[u8]) -> Result<Vec<refwatch_domain::CitedText>, KeyError> {
    let mut rest = bytes;
    let mut take = |n: usize| -> Result<&[u8], KeyError> {
        let (head, tail) = rest.split_at_checked(n).ok_or(KeyError::Corrupted)?;
        rest = tail;
        Ok(head)
    };
    let count = u32::from_be_bytes(take(4)?.try_into().map_err(|_| KeyError::Corrupted)?);
    let mut out = Vec::new();
    for _ in 0..count {
        let id = uuid::Uuid::from_slice(take(16)?).map_err(|_| KeyError::Corrupted)?;
        let mut texts = [None, None, None];
        for slot in &mut texts {
            if take(1)?[0] == 1 {
                let len = u32::from_be_bytes(take(4)?.try_into().map_err(|_| KeyError::Corrupted)?);
                let body = take(len as usize)?;
                *slot = Some(String::from_utf8(body.to_vec()).map_err(|_| KeyError::Corrupted)?);
            }
        }
        let [locator, quote, note] = texts;
        out.push(refwatch_domain::CitedText {
            citation: refwatch_domain::CitationId::from_uuid(id),
            locator: locator.unwrap_or_default(),
            quote: quote.unwrap_or_default(),
            note,
        });
    }
    if rest.is_empty() {
        Ok(out)
    } else {
        Err(KeyError::Corrupted)
    }
}

impl UnlockedKeys {
    /// The data key version that seals new values.
    pub fn current_version(&self) -> u32 {
        // A keyring always holds at least one data key (checked on unlock).
        self.data.keys().next_back().copied().unwrap_or(1)
    }

    /// Seals a person's identity, bound to that person's id.
    pub fn seal_identity(
        &self,
        person: PersonId,
        identity: &PersonIdentity,
    ) -> Result<SealedIdentity, KeyError> {
        let version = self.current_version();
        let key = self
            .data
            .get(&version)
            .ok_or(KeyError::UnknownKeyVersion(version))?;
        let plain = encode_identity(identity);
        let (nonce, ciphertext) = seal_bytes(key, &plain, &identity_aad(person, version))?;
        Ok(SealedIdentity {
            key_version: version,
            nonce,
            ciphertext,
        })
    }

    /// Opens a sealed identity; fails if it was altered or belongs to another person.
    pub fn open_identity(
        &self,
        person: PersonId,
        sealed: &SealedIdentity,
    ) -> Result<PersonIdentity, KeyError> {
        let key = self
            .data
            .get(&sealed.key_version)
            .ok_or(KeyError::UnknownKeyVersion(sealed.key_version))?;
        let plain = open_bytes(
            key,
            &sealed.nonce,
            &sealed.ciphertext,
            &identity_aad(person, sealed.key_version),
        )?;
        decode_identity(&plain)
    }

    /// Seals a short secret (e.g. a TOTP seed) bound to a context string.
    pub fn seal_secret(&self, context: &str, secret: &[u8]) -> Result<SealedIdentity, KeyError> {
        let version = self.current_version();
        let key = self
            .data
            .get(&version)
            .ok_or(KeyError::UnknownKeyVersion(version))?;
        let (nonce, ciphertext) = seal_bytes(
            key,
            secret,
            format!("refwatch secret v1:{context}").as_bytes(),
        )?;
        Ok(SealedIdentity {
            key_version: version,
            nonce,
            ciphertext,
        })
    }

    /// Opens a secret sealed with [`UnlockedKeys::seal_secret`].
    pub fn open_secret(
        &self,
        context: &str,
        sealed: &SealedIdentity,
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let key = self
            .data
            .get(&sealed.key_version)
            .ok_or(KeyError::UnknownKeyVersion(sealed.key_version))?;
        open_bytes(
            key,
            &sealed.nonce,
            &sealed.ciphertext,
            format!("refwatch secret v1:{context}").as_bytes(),
        )
    }

    /// The name under which a file with this SHA-256 is stored: a keyed
    /// hash (HMAC-SHA-256 under the audit key, which never rotates), so
    /// that someone holding the evidence store alone cannot test whether a
    /// file they know is in it.
    pub fn content_name(&self, sha256: &[u8; 32]) -> String {
        let mut bytes = b"refwatch evidence name v1\0".to_vec();
        bytes.extend_from_slice(sha256);
        hex::encode(self.audit_mac(&bytes))
    }

    /// A record id for a spreadsheet row that holds identities (a person):
    /// a keyed hash of the row's parts, so that the same row imported again
    /// is recognised while the id tells nothing about the person to
    /// someone without the key (a plain hash of a name and birth date
    /// could be tested against guesses).
    pub fn row_name(&self, parts: &[&str]) -> String {
        let mut bytes = b"refwatch sheet row v1\0".to_vec();
        for part in parts {
            bytes.extend_from_slice(part.as_bytes());
            bytes.push(0x1f);
        }
        hex::encode(&self.audit_mac(&bytes)[..16])
    }

    /// The audit log's seal (HMAC-SHA-256) over some bytes.
    pub fn audit_mac(&self, bytes: &[u8]) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.audit.0)
            .expect("HMAC takes any key length");
        mac.update(bytes);
        mac.finalize().into_bytes().into()
    }
}

impl refwatch_audit::Sealer for UnlockedKeys {
    fn mac(&self, bytes: &[u8]) -> [u8; 32] {
        self.audit_mac(bytes)
    }
}

#[cfg(test)]
mod tests;
