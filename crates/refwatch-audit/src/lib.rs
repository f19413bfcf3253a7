//! The tamper-evident audit log: what an entry holds, how entries are
//! chained and sealed, and how a log is verified.
//!
//! Pure: entries in, findings out. Each entry carries the seal of the one
//! before it and its own seal, an HMAC under the audit key (see
//! `refwatch-keys`), over its sequence number, the previous seal and its
//! fields. An anchor, sealed the same way, records how many entries there
//! are and the last seal, so that cutting entries off the end is detected
//! too. Without the key nobody can forge a seal; with the key, editing,
//! deleting, inserting, reordering and truncating are all found, at the
//! position where they happened.
//!
//! Entries name actors, actions and record ids, never identity values.

#![deny(missing_docs)]

use std::fmt;

use refwatch_domain::Timestamp;

/// Something that happened, before it is sealed into the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// When.
    pub at: Timestamp,
    /// Who: `operator`, `user:<id>`, `public`, or `anonymous` for a failed sign-in.
    pub actor: String,
    /// What, as a stable code: `create`, `read_identity`, `export_full`, `sign_in_failed`...
    pub action: String,
    /// The kind of record acted on, if any.
    pub target_kind: Option<String>,
    /// The id of the record acted on, if any.
    pub target_id: Option<String>,
    /// Non-identifying detail, e.g. counts.
    pub detail: String,
}

/// A sealed entry of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the log, from 1.
    pub seq: u64,
    /// The event.
    pub event: AuditEvent,
    /// The seal of the entry before (all zeros for the first), hex.
    pub prev_seal: String,
    /// This entry's seal, hex.
    pub seal: String,
}

/// The log's anchor: how many entries it has and the last seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAnchor {
    /// Number of entries.
    pub count: u64,
    /// The last entry's seal (all zeros when empty), hex.
    pub head: String,
    /// The anchor's own seal, hex.
    pub seal: String,
}

/// Computes seals. Implemented by the unlocked keys.
pub trait Sealer: Send + Sync {
    /// HMAC-SHA-256 over `bytes` under the audit key.
    fn mac(&self, bytes: &[u8]) -> [u8; 32];
}

/// The seal before the first entry.
pub fn genesis() -> String {
    "0".repeat(64)
}

fn push_field(buf: &mut Vec<u8>, field: &str) {
    buf.extend_from_slice(&(field.len() as u64).to_be_bytes());
    buf.extend_from_slice(field.as_bytes());
}

fn entry_bytes(seq: u64, prev_seal: &str, e: &AuditEvent) -> Vec<u8> {
    let mut buf = b"refwatch audit entry v1".to_vec();
    buf.extend_from_slice(&seq.to_be_bytes());
    push_field(&mut buf, prev_seal);
    buf.extend_from_slice(&e.at.0.to_be_bytes());
    push_field(&mut buf, &e.actor);
    push_field(&mut buf, &e.action);
    push_field(&mut buf, e.target_kind.as_deref().unwrap_or(""));
    push_field(&mut buf, e.target_id.as_deref().unwrap_or(""));
    push_field(&mut buf, &e.detail);
    buf
}

fn anchor_bytes(count: u64, head: &str) -> Vec<u8> {
    let mut buf = b"refwatch audit anchor v1".to_vec();
    buf.extend_from_slice(&count.to_be_bytes());
    push_field(&mut buf, head);
    buf
}

/// Seals the next entry after `prev` (or the first, when `prev` is `None`).
pub fn seal_next(prev: Option<&AuditEntry>, event: AuditEvent, sealer: &dyn Sealer) -> AuditEntry {
    let (seq, prev_seal) = match prev {
        Some(p) => (p.seq + 1, p.seal.clone()),
        None => (1, genesis()),
    };
    let seal = hex::encode(sealer.mac(&entry_bytes(seq, &prev_seal, &event)));
    AuditEntry {
        seq,
        event,
        prev_seal,
        seal,
    }
}

/// Seals the anchor for a log whose last entry is `last`.
pub fn seal_anchor(last: Option<&AuditEntry>, sealer: &dyn Sealer) -> AuditAnchor {
    let (count, head) = match last {
        Some(e) => (e.seq, e.seal.clone()),
        None => (0, genesis()),
    };
    let seal = hex::encode(sealer.mac(&anchor_bytes(count, &head)));
    AuditAnchor { count, head, seal }
}

/// One thing found wrong with a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The entry at this position (1-based, in stored order) does not carry
    /// the sequence number it should: entries before it were deleted,
    /// inserted or reordered.
    OutOfSequence {
        /// Position in stored order.
        position: u64,
        /// The sequence number stored there.
        found: u64,
    },
    /// The entry does not point at the seal of the entry before it.
    BrokenLink {
        /// Position in stored order.
        position: u64,
    },
    /// The entry's content does not match its seal: it was edited or forged.
    BadSeal {
        /// Position in stored order.
        position: u64,
    },
    /// The anchor's own seal is wrong: it was edited or forged.
    BadAnchor,
    /// There is no anchor although entries exist.
    MissingAnchor,
    /// The log does not end where the anchor says: entries were cut off the
    /// end, or added after it.
    Truncated {
        /// Entries the anchor records.
        anchored: u64,
        /// Entries present.
        present: u64,
    },
    /// The log is empty although the database holds records, accounts or
    /// keys, each of which was written with an audit entry.
    Wiped,
    /// The copy of the anchor kept with the keyring is missing although the
    /// log has entries.
    KeptMissing,
    /// The copy of the anchor kept with the keyring has a wrong seal.
    BadKept,
    /// The log does not end where the copy kept with the keyring says.
    KeptDiffers {
        /// Entries the kept copy records.
        kept: u64,
        /// Entries present.
        present: u64,
    },
}

/// What the rest of the database says the log must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// The copy of the anchor kept with the keyring, if any.
    pub kept: Option<AuditAnchor>,
    /// Whether a keyring exists (made with an audit entry).
    pub keyring: bool,
    /// Whether any record or account exists (each made with an audit entry).
    pub holds_data: bool,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfSequence { position, found } => write!(
                f,
                "entry {position}: holds sequence number {found}; entries before it were deleted, inserted or reordered"
            ),
            Self::BrokenLink { position } => {
                write!(
                    f,
                    "entry {position}: does not follow from the entry before it; entries were deleted, inserted or reordered here"
                )
            }
            Self::BadSeal { position } => write!(
                f,
                "entry {position}: its content does not match its seal; it was edited or forged"
            ),
            Self::BadAnchor => f.write_str("the anchor's seal is wrong; it was edited or forged"),
            Self::MissingAnchor => {
                f.write_str("the anchor is missing although the log has entries")
            }
            Self::Truncated { anchored, present } => write!(
                f,
                "the anchor records {anchored} entries but {present} are present; entries were removed from (or added after) the end"
            ),
            Self::Wiped => f.write_str(
                "the log is empty although the database holds records, accounts or keys; it was wiped",
            ),
            Self::KeptMissing => f.write_str(
                "the copy of the anchor kept with the keyring is missing; it was removed",
            ),
            Self::BadKept => f.write_str(
                "the copy of the anchor kept with the keyring has a wrong seal; it was edited or forged",
            ),
            Self::KeptDiffers { kept, present } => write!(
                f,
                "the copy kept with the keyring records {kept} entries but {present} are present; the log was cut or replaced"
            ),
        }
    }
}

/// Verifies a log (entries in stored order), its anchor and the copy kept
/// with the keyring, against what the rest of the database says it must
/// hold. Returns every finding; empty means intact.
pub fn verify(
    entries: &[AuditEntry],
    anchor: Option<&AuditAnchor>,
    expect: &Expect,
    sealer: &dyn Sealer,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut prev_seal = genesis();
    for (i, e) in entries.iter().enumerate() {
        let position = i as u64 + 1;
        if e.seq != position {
            findings.push(Finding::OutOfSequence {
                position,
                found: e.seq,
            });
        }
        if e.prev_seal != prev_seal {
            findings.push(Finding::BrokenLink { position });
        }
        let expected = hex::encode(sealer.mac(&entry_bytes(e.seq, &e.prev_seal, &e.event)));
        if expected != e.seal {
            findings.push(Finding::BadSeal { position });
        }
        prev_seal = e.seal.clone();
    }
    let sealed =
        |a: &AuditAnchor| hex::encode(sealer.mac(&anchor_bytes(a.count, &a.head))) == a.seal;
    if anchor.is_some_and(|a| !sealed(a)) {
        findings.push(Finding::BadAnchor);
    }
    if expect.kept.as_ref().is_some_and(|k| !sealed(k)) {
        findings.push(Finding::BadKept);
    }
    let ends_at = |a: &AuditAnchor| a.count == entries.len() as u64 && a.head == prev_seal;
    findings.extend(shape(entries.len() as u64, anchor, expect, ends_at));
    findings
}

/// What can be told of the log without the key: whether it is there at all,
/// and whether it has as many entries as its anchor and the kept copy say.
pub fn verify_counts(present: u64, anchor: Option<&AuditAnchor>, expect: &Expect) -> Vec<Finding> {
    shape(present, anchor, expect, |a| a.count == present)
}

fn shape(
    present: u64,
    anchor: Option<&AuditAnchor>,
    expect: &Expect,
    ends_at: impl Fn(&AuditAnchor) -> bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if present == 0 && (expect.keyring || expect.holds_data) {
        findings.push(Finding::Wiped);
    }
    match anchor {
        None if present > 0 => findings.push(Finding::MissingAnchor),
        Some(a) if !ends_at(a) => findings.push(Finding::Truncated {
            anchored: a.count,
            present,
        }),
        _ => {}
    }
    match &expect.kept {
        None if expect.keyring && present > 0 => findings.push(Finding::KeptMissing),
        Some(k) if !ends_at(k) => findings.push(Finding::KeptDiffers {
            kept: k.count,
            present,
        }),
        _ => {}
    }
    findings
}

/// The head of the log: its last seal, to write down elsewhere and compare later.
pub fn head(entries: &[AuditEntry]) -> String {
    entries
        .last()
        .map(|e| e.seal.clone())
        .unwrap_or_else(genesis)
}

#[cfg(test)]
mod tests;
