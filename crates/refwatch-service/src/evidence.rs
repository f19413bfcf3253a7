//! Evidence files in the protected core: intake (sealed, by content, with
//! the text read out in an isolated reader), the chain of custody of every
//! file, reading it back, handing it on, and re-hashing the whole store.

use std::sync::Arc;

use refwatch_domain::{
    Confidentiality, ContentHash, CustodyAction, CustodyEntry, Evidence, EvidenceId, Extraction,
    SourceId,
};
use refwatch_evidence::{EvidenceStore, Part, hash};
use refwatch_extract::{Reader, check_name, sniff};
use refwatch_policy::{AdminOperation, Operation, decide, decide_admin};
use refwatch_storage::Store;
use zeroize::Zeroizing;

use crate::{Service, ServiceError, require};

/// Where evidence files are kept, how their text is read, and the largest
/// file taken in.
pub struct EvidenceSetup {
    /// The sealed files.
    pub store: EvidenceStore,
    /// Reads files' texts (isolated in a child process in the application).
    pub reader: Arc<dyn Reader>,
    /// The largest file taken in, in bytes.
    pub max_bytes: u64,
}

/// The default size limit: 200 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 200 << 20;

/// What is known of a file as it is taken in.
pub struct Intake {
    /// The source the file belongs to.
    pub source: SourceId,
    /// Who handed it over (sealed: it may identify someone).
    pub received_from: String,
    /// How it came (in person, Signal, e-mail...).
    pub received_via: String,
    /// The file's name as received (sealed; its extension is checked
    /// against the contents).
    pub file_name: String,
    /// Who may read it.
    pub confidentiality: Confidentiality,
}

/// What came of an intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// Stored as a new piece of evidence; `note` says what went wrong
    /// reading its text, or that the text was cut, if anything did.
    Stored {
        /// The new record.
        evidence: Evidence,
        /// A warning for the person who added it.
        note: Option<String>,
    },
    /// These exact bytes were stored already, as this record; the intake
    /// is added to its chain of custody.
    Duplicate(Evidence),
}

/// Who handed a file over, and its original name: sealed, read by roles
/// that read identities. Never printed by `Debug`.
pub struct Provenance {
    /// Who handed it over.
    pub received_from: String,
    /// The name it came with.
    pub file_name: String,
}

impl std::fmt::Debug for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Provenance(<redacted>)")
    }
}

/// A file's record and its chain of custody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceView {
    /// The record.
    pub evidence: Evidence,
    /// Its custody, oldest first.
    pub custody: Vec<CustodyEntry>,
    /// Whether the reader may read its source: if not, the source (its
    /// title, its id) is not shown, whatever the evidence's own level.
    pub source_shown: bool,
}

/// What is wrong with one stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyProblem {
    /// Its object is gone from the store.
    Missing,
    /// Its bytes no longer have the hash recorded at intake.
    Altered {
        /// The hash of what is there now.
        found: ContentHash,
    },
    /// Its object does not open (altered or damaged sealed bytes).
    Unreadable,
}

/// One stored file that failed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFinding {
    /// The file.
    pub evidence: EvidenceId,
    /// What is wrong.
    pub problem: VerifyProblem,
}

fn encode_provenance(from: &str, name: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::new());
    for field in [from, name] {
        out.extend_from_slice(&(field.len() as u32).to_be_bytes());
        out.extend_from_slice(field.as_bytes());
    }
    out
}

fn decode_provenance(bytes: &[u8]) -> Option<Provenance> {
    let mut rest = bytes;
    let mut next = || -> Option<String> {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let text = String::from_utf8(rest.get(4..4 + len)?.to_vec()).ok()?;
        rest = &rest[4 + len..];
        Some(text)
    };
    Some(Provenance {
        received_from: next()?,
        file_name: next()?,
    })
}

/// The hash of what was read: the recorded one when intact, the new one
/// when altered, none when nothing could be read.
fn found_hash(
    evidence: &Evidence,
    read: &Result<Zeroizing<Vec<u8>>, VerifyProblem>,
) -> Option<ContentHash> {
    match read {
        Ok(_) => Some(evidence.hash),
        Err(VerifyProblem::Altered { found }) => Some(*found),
        Err(VerifyProblem::Missing | VerifyProblem::Unreadable) => None,
    }
}

fn provenance_context(id: EvidenceId) -> String {
    format!("evidence provenance {id}")
}

impl<S: Store> Service<S> {
    /// The core with an evidence store.
    pub fn with_evidence(mut self, setup: EvidenceSetup) -> Self {
        self.evidence = Some(Arc::new(setup));
        self
    }

    pub(crate) fn setup(&self) -> Result<&EvidenceSetup, ServiceError> {
        self.evidence.as_deref().ok_or(ServiceError::User(
            "this refwatch has no evidence store configured".into(),
        ))
    }

    pub(crate) fn custody_entry(
        &self,
        evidence: EvidenceId,
        action: CustodyAction,
        hash: Option<ContentHash>,
        note: String,
    ) -> CustodyEntry {
        CustodyEntry {
            evidence,
            at: self.clock.now(),
            actor: self.actor.label.clone(),
            action,
            hash,
            note,
        }
    }

    pub(crate) async fn log_custody(&self, entries: Vec<CustodyEntry>) -> Result<(), ServiceError> {
        let events = entries
            .iter()
            .map(|e| {
                self.event(
                    &format!("evidence_{}", e.action.code()),
                    Some("evidence"),
                    Some(e.evidence.to_string()),
                    &e.hash.map(|h| h.to_string()).unwrap_or_default(),
                )
            })
            .collect();
        self.store
            .append_custody(&entries, &self.batch(events)?)
            .await?;
        Ok(())
    }

    /// Takes a file in: checks the policy, the size limit and the source;
    /// recognises bytes stored already; reads its kind from its contents
    /// and its text in the isolated reader; seals and stores the original
    /// and the working text; records it with its first custody entry and
    /// an audit entry. A file whose text cannot be read is stored all the
    /// same, with the reason.
    pub async fn add_evidence(
        &self,
        bytes: &[u8],
        intake: Intake,
    ) -> Result<IntakeOutcome, ServiceError> {
        require(
            decide(
                self.actor.principal,
                Operation::Create,
                intake.confidentiality,
            ),
            "add evidence at this level",
        )?;
        let setup = self.setup()?;
        let keys = self.keys()?;
        let size = bytes.len() as u64;
        if size > setup.max_bytes {
            return Err(ServiceError::TooLarge {
                size,
                limit: setup.max_bytes,
            });
        }
        let data = self.readable().await?;
        if !data.sources.iter().any(|s| s.id == intake.source) {
            return Err(ServiceError::User(
                "no source with this id that you may read: add the source first, or check the id"
                    .into(),
            ));
        }
        let content = hash(bytes);
        if let Some(existing) = self.store.evidence_by_hash(content).await? {
            return self
                .received_again(existing, content, &intake.received_via)
                .await;
        }
        let media = sniff(bytes);
        let read = match check_name(&intake.file_name, media) {
            Err(e) => Err(e),
            Ok(()) if !media.has_text() => Err(refwatch_extract::ExtractError::NoText(media)),
            Ok(()) => {
                let reader = setup.reader.clone();
                let owned = bytes.to_vec();
                tokio::task::spawn_blocking(move || reader.read(&owned, media))
                    .await
                    .unwrap_or_else(|_| {
                        Err(refwatch_extract::ExtractError::Failed(
                            "the reader stopped unexpectedly".into(),
                        ))
                    })
            }
        };
        let (extraction, language, text, note) = match read {
            Ok(e) => {
                let note = e.truncated.then(|| {
                    format!(
                        "the working text was cut at {} bytes; the original is whole",
                        e.text.len()
                    )
                });
                (
                    Extraction::Text {
                        chars: e.text.chars().count() as u64,
                    },
                    Some(e.language.to_owned()),
                    Some(Zeroizing::new(e.text)),
                    note,
                )
            }
            Err(refwatch_extract::ExtractError::NoText(_)) => {
                (Extraction::NotApplicable, None, None, None)
            }
            Err(e) => (
                Extraction::Failed(e.to_string()),
                None,
                None,
                Some(format!("{e}; the original is stored")),
            ),
        };
        setup
            .store
            .put(keys, Part::Original, content, bytes)
            .await?;
        if let Some(text) = &text {
            setup
                .store
                .put(keys, Part::Text, content, text.as_bytes())
                .await?;
        }
        let evidence = Evidence {
            id: EvidenceId::random(),
            hash: content,
            size,
            media,
            source: intake.source,
            received_via: intake.received_via,
            received_at: self.clock.now(),
            confidentiality: intake.confidentiality,
            language,
            extraction,
        };
        let provenance = keys.seal_secret(
            &provenance_context(evidence.id),
            &encode_provenance(&intake.received_from, &intake.file_name),
        )?;
        let first = self.custody_entry(
            evidence.id,
            CustodyAction::Intake,
            Some(content),
            format!("received via {}", evidence.received_via),
        );
        let event = self.event(
            "evidence_add",
            Some("evidence"),
            Some(evidence.id.to_string()),
            &format!(
                "{} {} bytes, source {}",
                evidence.media.code(),
                evidence.size,
                evidence.source
            ),
        );
        let via = evidence.received_via.clone();
        match self
            .store
            .insert_evidence(&evidence, &provenance, &first, &self.batch(vec![event])?)
            .await
        {
            Ok(()) => Ok(IntakeOutcome::Stored { evidence, note }),
            Err(e) => match self.store.evidence_by_hash(content).await? {
                // The same bytes taken in at the same moment by another
                // request: one record, and this intake in its custody.
                Some(existing) => self.received_again(existing, content, &via).await,
                None => Err(e.into()),
            },
        }
    }

    /// The sources the caller may read: evidence shows its source only to them.
    pub async fn readable_sources(
        &self,
    ) -> Result<std::collections::HashSet<SourceId>, ServiceError> {
        Ok(self
            .readable()
            .await?
            .sources
            .iter()
            .map(|s| s.id)
            .collect())
    }

    /// Bytes already stored taken in again: a custody entry on the record
    /// that holds them, if the caller may read it.
    async fn received_again(
        &self,
        existing: Evidence,
        content: ContentHash,
        via: &str,
    ) -> Result<IntakeOutcome, ServiceError> {
        if !decide(
            self.actor.principal,
            Operation::Read,
            existing.confidentiality,
        )
        .allowed()
        {
            return Err(ServiceError::User(
                "these exact bytes are stored already, at a level you may not read; ask an administrator".into(),
            ));
        }
        let entry = self.custody_entry(
            existing.id,
            CustodyAction::Intake,
            Some(content),
            format!("received again via {via}"),
        );
        self.log_custody(vec![entry]).await?;
        Ok(IntakeOutcome::Duplicate(existing))
    }

    /// Every piece of evidence the caller may read.
    pub async fn evidence_list(&self) -> Result<Vec<Evidence>, ServiceError> {
        Ok(self
            .store
            .evidence_list()
            .await?
            .into_iter()
            .filter(|e| decide(self.actor.principal, Operation::Read, e.confidentiality).allowed())
            .collect())
    }

    /// One piece of evidence the caller may read; a record they may not
    /// read is answered as one that does not exist.
    pub(crate) async fn readable_evidence(&self, id: EvidenceId) -> Result<Evidence, ServiceError> {
        match self.store.evidence(id).await? {
            Some(e)
                if decide(self.actor.principal, Operation::Read, e.confidentiality).allowed() =>
            {
                Ok(e)
            }
            _ => Err(ServiceError::NotFound("evidence")),
        }
    }

    /// A file's record and custody; the look is itself a custody entry.
    pub async fn evidence_view(&self, id: EvidenceId) -> Result<EvidenceView, ServiceError> {
        let evidence = self.readable_evidence(id).await?;
        let entry = self.custody_entry(
            id,
            CustodyAction::View,
            Some(evidence.hash),
            "record".into(),
        );
        self.log_custody(vec![entry]).await?;
        let custody = self.store.custody(id).await?;
        let source_shown = self.readable_sources().await?.contains(&evidence.source);
        Ok(EvidenceView {
            evidence,
            custody,
            source_shown,
        })
    }

    /// A file's working text (`None` when it has none); a custody entry.
    pub async fn evidence_text(
        &self,
        id: EvidenceId,
    ) -> Result<Option<Zeroizing<String>>, ServiceError> {
        let evidence = self.readable_evidence(id).await?;
        let setup = self.setup()?;
        let Some(bytes) = setup
            .store
            .get(self.keys()?, Part::Text, evidence.hash)
            .await?
        else {
            return Ok(None);
        };
        let entry = self.custody_entry(
            id,
            CustodyAction::View,
            Some(evidence.hash),
            "working text".into(),
        );
        self.log_custody(vec![entry]).await?;
        let mut text = Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned());
        // A testimony names people: screened like every published text.
        if !self.may_identify()
            && let Some(guard) = self.guard().await?
            && let Some(clean) = guard.screen().redact(&text, crate::guard::MASK)
        {
            text = Zeroizing::new(clean);
        }
        Ok(Some(text))
    }

    /// The original bytes, for a download or an export: re-hashed as they
    /// are read, the hash found written to the custody entry. A file that
    /// is missing or no longer matches its hash is refused.
    pub async fn evidence_original(
        &self,
        id: EvidenceId,
        action: CustodyAction,
        note: &str,
    ) -> Result<(Evidence, Zeroizing<Vec<u8>>), ServiceError> {
        let evidence = self.readable_evidence(id).await?;
        let read = self.read_original(&evidence).await?;
        let entry = self.custody_entry(id, action, found_hash(&evidence, &read), note.to_owned());
        self.log_custody(vec![entry]).await?;
        match read {
            Ok(bytes) => Ok((evidence, bytes)),
            Err(_) => Err(ServiceError::Damaged(id)),
        }
    }

    /// Reads and opens a file's original and re-hashes it: the bytes when
    /// they match the hash recorded at intake, otherwise what is wrong.
    pub(crate) async fn read_original(
        &self,
        evidence: &Evidence,
    ) -> Result<Result<Zeroizing<Vec<u8>>, VerifyProblem>, ServiceError> {
        let setup = self.setup()?;
        let keys = self.keys()?;
        Ok(
            match setup.store.get(keys, Part::Original, evidence.hash).await {
                Ok(None) => Err(VerifyProblem::Missing),
                Err(_) => Err(VerifyProblem::Unreadable),
                Ok(Some(bytes)) => {
                    let found = hash(&bytes);
                    if found == evidence.hash {
                        Ok(bytes)
                    } else {
                        Err(VerifyProblem::Altered { found })
                    }
                }
            },
        )
    }

    /// Records that a copy was handed to another custodian: a change to
    /// the file's record, for those who may change records at its level.
    pub async fn transfer_evidence(&self, id: EvidenceId, to: &str) -> Result<(), ServiceError> {
        let evidence = self.readable_evidence(id).await?;
        require(
            decide(
                self.actor.principal,
                Operation::Update,
                evidence.confidentiality,
            ),
            "record a transfer of this file",
        )?;
        if to.trim().is_empty() {
            return Err(ServiceError::User(
                "say to whom the copy went (--to)".into(),
            ));
        }
        let entry = self.custody_entry(
            id,
            CustodyAction::Transfer,
            Some(evidence.hash),
            format!("to {}", to.trim()),
        );
        self.log_custody(vec![entry]).await
    }

    /// Who handed a file over and its original name: for roles that read
    /// identities at its level; audited.
    pub async fn evidence_provenance(&self, id: EvidenceId) -> Result<Provenance, ServiceError> {
        let evidence = self.readable_evidence(id).await?;
        require(
            decide(
                self.actor.principal,
                Operation::ReadIdentity,
                evidence.confidentiality,
            ),
            "read who handed this file over",
        )?;
        let sealed = self
            .store
            .evidence_provenance(id)
            .await?
            .ok_or(ServiceError::NotFound("evidence"))?;
        let plain = self.keys()?.open_secret(&provenance_context(id), &sealed)?;
        let provenance = decode_provenance(&plain)
            .ok_or(ServiceError::Keys(refwatch_keys::KeyError::Corrupted))?;
        let event = self.event(
            "read_provenance",
            Some("evidence"),
            Some(id.to_string()),
            "",
        );
        self.store.append_audit(&self.batch(vec![event])?).await?;
        Ok(provenance)
    }

    /// Re-hashes every stored file (administrators only): each gets a
    /// `verify` custody entry with the hash found; returns what is wrong.
    pub async fn verify_evidence(&self) -> Result<(usize, Vec<VerifyFinding>), ServiceError> {
        require(
            decide_admin(self.actor.principal, AdminOperation::VerifyEvidence),
            "verify the evidence store",
        )?;
        let all = self.store.evidence_list().await?;
        let mut findings = Vec::new();
        let mut entries = Vec::new();
        for evidence in &all {
            let read = self.read_original(evidence).await?;
            let found = found_hash(evidence, &read);
            let problem = read.err();
            let note = match &problem {
                None => "intact",
                Some(VerifyProblem::Missing) => "missing",
                Some(VerifyProblem::Altered { .. }) => "altered",
                Some(VerifyProblem::Unreadable) => "unreadable",
            };
            entries.push(self.custody_entry(
                evidence.id,
                CustodyAction::Verify,
                found,
                note.into(),
            ));
            if let Some(problem) = problem {
                findings.push(VerifyFinding {
                    evidence: evidence.id,
                    problem,
                });
            }
        }
        if !entries.is_empty() {
            self.log_custody(entries).await?;
        }
        Ok((all.len(), findings))
    }
}

impl<S: Store> Service<S> {
    /// Re-seals every stored evidence object, provenance and sealed secret
    /// with the current data key (during a data key rotation).
    pub(crate) async fn reseal_evidence(&self) -> Result<(), ServiceError> {
        let keys = self.keys()?;
        let all = self.store.evidence_list().await?;
        let mut provenances = Vec::with_capacity(all.len());
        for e in &all {
            if let Some(setup) = self.evidence.as_deref() {
                for part in [Part::Original, Part::Text] {
                    if let Some(bytes) = setup.store.get(keys, part, e.hash).await? {
                        setup.store.put(keys, part, e.hash, &bytes).await?;
                    }
                }
            } else {
                return Err(ServiceError::User(
                    "this data directory holds evidence: rotate its keys with the evidence store configured".into(),
                ));
            }
            if let Some(sealed) = self.store.evidence_provenance(e.id).await? {
                let context = provenance_context(e.id);
                let plain = keys.open_secret(&context, &sealed)?;
                provenances.push((e.id, keys.seal_secret(&context, &plain)?));
            }
        }
        let mut secrets = Vec::new();
        for name in self.store.sealed_secret_names().await? {
            if let Some(sealed) = self.store.sealed_secret(&name).await? {
                let plain = keys.open_secret(&name, &sealed)?;
                secrets.push((name.clone(), keys.seal_secret(&name, &plain)?));
            }
        }
        let event = self.event(
            "keys_reseal",
            None,
            None,
            &format!(
                "{} evidence files and {} secrets re-sealed",
                all.len(),
                secrets.len()
            ),
        );
        self.store
            .replace_sealed(&provenances, &secrets, &self.batch(vec![event])?)
            .await?;
        Ok(())
    }
}
