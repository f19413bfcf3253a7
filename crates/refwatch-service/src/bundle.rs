//! Signed export bundles of chosen incidents: their records, the sources
//! they cite, the evidence files of those sources and each file's chain
//! of custody, signed with the organisation's Ed25519 key (sealed in the
//! database, made on first use).

use std::collections::BTreeSet;

use refwatch_bundle::{BundleFile, BundleSigningKey, create, public_key_pem};
use refwatch_domain::{Confidentiality, CustodyAction, Dataset, IncidentId, SourceId};
use refwatch_policy::{Operation, decide};
use refwatch_storage::Store;
use serde_json::json;
use zeroize::Zeroizing;

use crate::{Service, ServiceError, require};

/// The sealed secret's name.
const SIGNING_KEY: &str = "bundle signing key";

/// What a bundle holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleMade {
    /// The archive.
    pub bytes: Vec<u8>,
    /// The manifest's SHA-256 (written into each file's custody entry).
    pub manifest_hash: String,
    /// Incidents in it.
    pub incidents: usize,
    /// Evidence files in it.
    pub evidence: usize,
}

impl<S: Store> Service<S> {
    /// Bundles carry records and files at every level: administrators only.
    fn may_export_bundles(&self) -> Result<(), ServiceError> {
        require(
            decide(
                self.actor.principal,
                Operation::ExportFull,
                Confidentiality::Confidential,
            ),
            "export bundles",
        )
    }

    /// The organisation's signing key: opened from the database, or made,
    /// sealed and stored (audited) the first time.
    async fn signing_key(&self) -> Result<BundleSigningKey, ServiceError> {
        let keys = self.keys()?;
        if let Some(sealed) = self.store.sealed_secret(SIGNING_KEY).await? {
            let seed = keys.open_secret(SIGNING_KEY, &sealed)?;
            let seed: [u8; 32] = seed
                .as_slice()
                .try_into()
                .map_err(|_| ServiceError::Keys(refwatch_keys::KeyError::Corrupted))?;
            return Ok(BundleSigningKey::from_bytes(&seed));
        }
        let mut seed = Zeroizing::new([0u8; 32]);
        refwatch_keys::random_bytes(seed.as_mut())?;
        let sealed = keys.seal_secret(SIGNING_KEY, seed.as_ref())?;
        let event = self.event("bundle_key_create", None, None, "Ed25519");
        self.store
            .insert_sealed_secret(SIGNING_KEY, &sealed, &self.batch(vec![event])?)
            .await?;
        Ok(BundleSigningKey::from_bytes(&seed))
    }

    /// The organisation's public key in PEM form, to publish so that
    /// anyone can verify its bundles (administrators: it is made on first use).
    pub async fn bundle_public_key(&self) -> Result<String, ServiceError> {
        self.may_export_bundles()?;
        Ok(public_key_pem(&self.signing_key().await?.verifying_key()))
    }

    /// Makes a signed bundle of `incidents` (administrators: a bundle
    /// carries records and files at every level). Every evidence file put
    /// in it gets an `export` custody entry naming the manifest's hash.
    pub async fn create_bundle(
        &self,
        incidents: &[IncidentId],
    ) -> Result<BundleMade, ServiceError> {
        self.may_export_bundles()?;
        if incidents.is_empty() {
            return Err(ServiceError::User(
                "name at least one incident (--incident ID)".into(),
            ));
        }
        let all = self.snapshots.all(&self.store).await?;
        let wanted: BTreeSet<IncidentId> = incidents.iter().copied().collect();
        let chosen: Vec<_> = all
            .incidents
            .iter()
            .filter(|i| wanted.contains(&i.id))
            .cloned()
            .collect();
        if chosen.len() != wanted.len() {
            let missing = wanted
                .iter()
                .find(|id| !chosen.iter().any(|i| i.id == **id))
                .map(ToString::to_string)
                .unwrap_or_default();
            return Err(ServiceError::User(format!(
                "no incident {missing}; nothing was written"
            )));
        }
        let mut cited: BTreeSet<SourceId> = BTreeSet::new();
        for i in &chosen {
            for c in i
                .citations
                .iter()
                .chain(i.reports.iter().flat_map(|r| r.citations.iter()))
            {
                cited.insert(c.source);
                cited.extend(c.via);
            }
        }
        let records = Dataset {
            sources: all
                .sources
                .iter()
                .filter(|s| cited.contains(&s.id))
                .cloned()
                .collect(),
            places: all.places.clone(),
            actors: all.actors.clone(),
            incidents: chosen.clone(),
            ..Dataset::default()
        };
        let mut files = vec![BundleFile {
            path: "records.json".into(),
            bytes: refwatch_interchange::to_json(&records).into_bytes(),
        }];
        let evidence: Vec<_> = self
            .store
            .evidence_list()
            .await?
            .into_iter()
            .filter(|e| cited.contains(&e.source))
            .collect();
        let mut custody = Vec::new();
        for e in &evidence {
            let bytes = self
                .read_original(e)
                .await?
                .map_err(|_| ServiceError::Damaged(e.id))?;
            files.push(BundleFile {
                path: format!("evidence/{}.{}", e.hash, e.media.code()),
                bytes: bytes.to_vec(),
            });
            let chain = self.store.custody(e.id).await?;
            custody.push(json!({
                "evidence": e.id.to_string(),
                "sha256": e.hash.to_string(),
                "file": format!("evidence/{}.{}", e.hash, e.media.code()),
                "source": e.source.to_string(),
                "received_via": e.received_via,
                "received_at": e.received_at.to_string(),
                "custody": chain.iter().map(|c| json!({
                    "at": c.at.to_string(),
                    "actor": c.actor,
                    "action": c.action.code(),
                    "sha256": c.hash.map(|h| h.to_string()),
                    "note": c.note,
                })).collect::<Vec<_>>(),
            }));
        }
        files.push(BundleFile {
            path: "custody.json".into(),
            bytes: serde_json::to_vec_pretty(&custody).unwrap_or_default(),
        });
        files.push(BundleFile {
            path: "README.txt".into(),
            bytes: README.as_bytes().to_vec(),
        });
        let key = self.signing_key().await?;
        let (bytes, manifest_hash) =
            create(&files, &key).map_err(|e| ServiceError::User(e.to_string()))?;
        let mut entries = Vec::new();
        for e in &evidence {
            entries.push(self.custody_entry(
                e.id,
                CustodyAction::Export,
                Some(e.hash),
                format!("bundle, manifest sha256 {manifest_hash}"),
            ));
        }
        if !entries.is_empty() {
            self.log_custody(entries).await?;
        }
        let event = self.event(
            "bundle_create",
            None,
            None,
            &format!(
                "{} incidents, {} evidence files, manifest {manifest_hash}",
                chosen.len(),
                evidence.len()
            ),
        );
        self.store.append_audit(&self.batch(vec![event])?).await?;
        Ok(BundleMade {
            bytes,
            manifest_hash,
            incidents: chosen.len(),
            evidence: evidence.len(),
        })
    }
}

const README: &str = "This is a refwatch export bundle.

records.json   the incidents, the sources they cite, places and actors
               (refwatch's dataset format, docs/dataset.schema.json)
custody.json   each evidence file's chain of custody
evidence/      the evidence files, exactly as received, named by SHA-256
MANIFEST.sha256      the SHA-256 of every file above (sha256sum format)
MANIFEST.sha256.sig  the Ed25519 signature of MANIFEST.sha256 (64 bytes)
signer.pub.pem       the key that signed it, for reference only

To check it without refwatch, with the organisation's published public
key in org.pub.pem (OpenSSL 3 and coreutils):

  openssl pkeyutl -verify -pubin -inkey org.pub.pem -rawin \\
      -in MANIFEST.sha256 -sigfile MANIFEST.sha256.sig
  sha256sum --check --strict MANIFEST.sha256

and check that no file other than the three MANIFEST/signer files is
present that MANIFEST.sha256 does not list. With refwatch:

  refwatch bundle verify BUNDLE.zip --public-key org.pub.pem
";
