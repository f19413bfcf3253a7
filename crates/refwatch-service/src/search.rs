//! Search through the protected core: the index is built from every
//! record, evidence text and (with the keys) every name, kept in memory,
//! rebuilt when the data version moves; each query carries the caller's
//! ceiling and whether they may read identities.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use refwatch_domain::{Citation, Confidentiality, Dataset, Extraction, SourceId};
use refwatch_evidence::Part;
use refwatch_extract::language;
use refwatch_policy::read_ceiling;
use refwatch_search::{DocKind, Query, Results, SearchDoc, SearchIndex};
use refwatch_storage::Store;

use crate::{Service, ServiceError};

/// A search as a caller asks it. Its `Debug` leaves out the words (they
/// may be a name).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    /// The words.
    pub text: String,
    /// Only these kinds (all when empty).
    pub kinds: Vec<DocKind>,
    /// Only these years, inclusive.
    pub years: Option<(i32, i32)>,
    /// Only this language (`en`, `ko`, `zh`, `ja`, `und`).
    pub language: Option<String>,
    /// Only this level.
    pub level: Option<Confidentiality>,
    /// Hits to return (at most 200).
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
}

impl std::fmt::Debug for SearchRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchRequest")
            .field("text", &"<redacted>")
            .field("kinds", &self.kinds)
            .field("years", &self.years)
            .finish_non_exhaustive()
    }
}

/// The most hits a search skips (pages beyond are not shown).
pub(crate) const MAX_OFFSET: usize = 10_000;

/// What building the index took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexStats {
    /// Documents indexed.
    pub documents: usize,
    /// The index's size in memory.
    pub bytes: u64,
    /// Seconds taken, reading included.
    pub seconds: f64,
}

fn doc(
    kind: DocKind,
    owner: DocKind,
    id: String,
    title: String,
    body: String,
    level: Confidentiality,
    year: Option<i32>,
) -> SearchDoc {
    let lang = language(&format!("{title}\n{body}")).to_owned();
    SearchDoc {
        kind,
        id,
        owner,
        title,
        body,
        names: String::new(),
        level,
        year,
        language: lang,
    }
}

/// The documents of every record (identities apart).
fn record_docs(data: &Dataset) -> Vec<SearchDoc> {
    let mut out = Vec::new();
    let sources: HashMap<SourceId, &refwatch_domain::Source> =
        data.sources.iter().map(|s| (s.id, s)).collect();
    let source_level = |id: SourceId| {
        sources
            .get(&id)
            .map_or(Confidentiality::Confidential, |s| s.confidentiality)
    };
    let source_title = |id: SourceId| {
        sources
            .get(&id)
            .map(|s| s.title.clone())
            .unwrap_or_default()
    };
    // A citation is as protected as its record and its source, whichever is higher.
    let mut citations = |owner_kind: DocKind,
                         owner: String,
                         level: Confidentiality,
                         year: Option<i32>,
                         list: &[&Citation]| {
        for c in list {
            out.push(doc(
                DocKind::Citation,
                owner_kind,
                owner.clone(),
                format!("{}, {}", source_title(c.source), c.locator),
                [Some(c.quote.as_str()), c.note.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("\n"),
                level.max(source_level(c.source)),
                year,
            ));
        }
    };
    for i in &data.incidents {
        let year = Some(i.date.year());
        let all: Vec<&Citation> = i
            .citations
            .iter()
            .chain(i.reports.iter().flat_map(|r| r.citations.iter()))
            .collect();
        citations(
            DocKind::Incident,
            i.id.to_string(),
            i.confidentiality,
            year,
            &all,
        );
    }
    // A person's citations' words are sealed with the identity: they are
    // searched with the names (see `add_names`), not as citations.
    for m in &data.mechanisms {
        citations(
            DocKind::Mechanism,
            m.id.to_string(),
            Confidentiality::Public,
            Some(m.date.year()),
            &m.citations.iter().collect::<Vec<_>>(),
        );
    }
    for i in &data.incidents {
        let mut body = vec![i.summary.clone()];
        body.extend(i.reports.iter().map(|r| r.summary.clone()));
        out.push(doc(
            DocKind::Incident,
            DocKind::Incident,
            i.id.to_string(),
            i.title.clone(),
            body.join("\n"),
            i.confidentiality,
            Some(i.date.year()),
        ));
    }
    for p in &data.persons {
        let mut facts: Vec<String> = Vec::new();
        facts.extend(p.sex.as_ref().map(|s| s.code().to_owned()));
        facts.extend(p.birth_year.map(|y| format!("born {y}")));
        facts.extend(p.category.as_ref().map(|c| c.code().to_owned()));
        facts.extend(
            p.timeline
                .iter()
                .map(|t| format!("{} {}", t.status.code(), t.date.year())),
        );
        out.push(doc(
            DocKind::Person,
            DocKind::Person,
            p.id.to_string(),
            format!("Person {}", p.id),
            facts.join(", "),
            p.confidentiality,
            p.timeline.first().map(|t| t.date.year()),
        ));
    }
    for s in &data.sources {
        out.push(doc(
            DocKind::Source,
            DocKind::Source,
            s.id.to_string(),
            s.title.clone(),
            [&s.publisher, &s.author, &s.symbol, &s.note]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n"),
            s.confidentiality,
            None,
        ));
    }
    for m in &data.mechanisms {
        out.push(doc(
            DocKind::Mechanism,
            DocKind::Mechanism,
            m.id.to_string(),
            m.reference.clone().unwrap_or_else(|| "UN mechanism".into()),
            m.text.clone(),
            Confidentiality::Public,
            Some(m.date.year()),
        ));
    }
    out
}

/// Withholds the names of persons who have not consented from what every
/// reader searches and sees (titles, bodies, snippets); a document whose
/// text named someone keeps its words in the names fields, which only
/// readers of identities search.
fn screen_docs(guard: &refwatch_guard::Guard<refwatch_domain::PersonId>, docs: &mut [SearchDoc]) {
    let mut screen = guard.screen();
    for d in docs.iter_mut().filter(|d| d.kind != DocKind::Person) {
        let title = screen.redact(&d.title, crate::guard::MASK);
        let body = screen.redact(&d.body, crate::guard::MASK);
        if title.is_none() && body.is_none() {
            continue;
        }
        d.names = format!("{}\n{}", d.title, d.body);
        if let Some(t) = title {
            d.title = t;
        }
        if let Some(b) = body {
            d.body = b;
        }
    }
}

impl<S: Store> Service<S> {
    /// Every document to index: records, names (when the keys are open)
    /// and evidence texts (when an evidence store is configured).
    async fn documents(&self, data: &Arc<Dataset>) -> Result<Vec<SearchDoc>, ServiceError> {
        let mut docs = record_docs(data);
        let Some(keys) = self.keys.as_deref() else {
            return Ok(docs);
        };
        self.add_names(keys, &mut docs).await?;
        if let Some(setup) = self.evidence.as_deref() {
            docs.extend(self.evidence_docs(keys, setup, data).await?);
        }
        if let Some(guard) = self.guard_for(data).await? {
            screen_docs(&guard, &mut docs);
        }
        Ok(docs)
    }

    /// The documents of the incidents `ids` as they are in `data` (none
    /// for one no longer there), screened like every other.
    async fn incident_docs(
        &self,
        data: &Arc<Dataset>,
        ids: &[refwatch_domain::IncidentId],
    ) -> Result<Vec<SearchDoc>, ServiceError> {
        let incidents: Dataset = Dataset {
            incidents: ids
                .iter()
                .filter_map(|id| {
                    let at = data.incidents.binary_search_by_key(id, |i| i.id).ok()?;
                    Some(data.incidents[at].clone())
                })
                .collect(),
            ..Dataset::default()
        };
        let mut part = refwatch_domain::context_for(data, &incidents);
        part.incidents = incidents.incidents;
        let mut docs: Vec<SearchDoc> = record_docs(&part)
            .into_iter()
            .filter(|d| d.owner == DocKind::Incident)
            .collect();
        if let Some(guard) = self.guard_for(data).await? {
            screen_docs(&guard, &mut docs);
        }
        Ok(docs)
    }

    /// Opens each person's identity into the names field of their document.
    async fn add_names(
        &self,
        keys: &refwatch_keys::UnlockedKeys,
        docs: &mut [SearchDoc],
    ) -> Result<(), ServiceError> {
        let sealed: HashMap<_, _> = self.store.sealed_identities().await?.into_iter().collect();
        for d in docs.iter_mut().filter(|d| d.kind == DocKind::Person) {
            let Some((id, s)) =
                d.id.parse()
                    .ok()
                    .and_then(|id| Some((id, sealed.get(&id)?)))
            else {
                continue;
            };
            // A seal that does not open is reported by `refwatch check`;
            // the person is still found by the other fields.
            // The words of the citations on the person may name them too,
            // so they are searched only by readers of identities.
            if let Ok(identity) = keys.open_identity(id, s) {
                let names = [
                    &identity.name_hangul,
                    &identity.name_romanized,
                    &identity.name_chinese,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str);
                let cited = identity
                    .cited
                    .iter()
                    .flat_map(|c| [Some(c.quote.as_str()), c.note.as_deref()])
                    .flatten();
                d.names = names.chain(cited).collect::<Vec<_>>().join("\n");
            }
        }
        Ok(())
    }

    /// A document for each evidence file, its working text as the body
    /// (read for the index, not by a person: no custody entry).
    async fn evidence_docs(
        &self,
        keys: &refwatch_keys::UnlockedKeys,
        setup: &crate::EvidenceSetup,
        data: &Dataset,
    ) -> Result<Vec<SearchDoc>, ServiceError> {
        let mut out = Vec::new();
        for e in self.store.evidence_list().await? {
            let body = match e.extraction {
                Extraction::Text { .. } => setup
                    .store
                    .get(keys, Part::Text, e.hash)
                    .await
                    .ok()
                    .flatten()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            // The source's title only where every reader of the evidence
            // may read the source too.
            let source = data
                .sources
                .iter()
                .find(|s| s.id == e.source && s.confidentiality <= e.confidentiality)
                .map_or_else(|| "—".to_owned(), |s| s.title.clone());
            out.push(SearchDoc {
                kind: DocKind::Evidence,
                id: e.id.to_string(),
                owner: DocKind::Evidence,
                title: format!("{source} ({}), {}", e.media.code(), e.received_at),
                body,
                names: String::new(),
                level: e.confidentiality,
                year: Some(e.received_at.year()),
                language: e.language.clone().unwrap_or_else(|| "und".into()),
            });
        }
        Ok(out)
    }

    /// The current index: the one held if the data have not changed since
    /// it was built, otherwise a new one.
    async fn index(&self) -> Result<(Arc<SearchIndex>, Option<IndexStats>), ServiceError> {
        let version = self.store.data_version().await?;
        let mut held = self.snapshots.search.lock().await;
        if let Some((v, index)) = held.as_ref() {
            if *v == version {
                return Ok((index.clone(), None));
            }
            // Only incidents changed: their documents are replaced.
            if let Some((now, changed)) = self.store.incidents_changed_since(*v).await? {
                let data = self.snapshots.all(&self.store).await?;
                let docs = self.incident_docs(&data, &changed).await?;
                let ids: Vec<String> = changed.iter().map(ToString::to_string).collect();
                let index = index.clone();
                let updated = index.clone();
                tokio::task::spawn_blocking(move || updated.update(&ids, docs))
                    .await
                    .map_err(|_| {
                        ServiceError::User("updating the search index stopped".into())
                    })??;
                *held = Some((now, index.clone()));
                return Ok((index, None));
            }
        }
        let started = Instant::now();
        let data = self.snapshots.all(&self.store).await?;
        let docs = self.documents(&data).await?;
        let index = tokio::task::spawn_blocking(move || SearchIndex::build(docs, |_| {}))
            .await
            .map_err(|_| ServiceError::User("building the search index stopped".into()))??;
        let index = Arc::new(index);
        let stats = IndexStats {
            documents: index.len(),
            bytes: index.size_bytes(),
            seconds: started.elapsed().as_secs_f64(),
        };
        *held = Some((version, index.clone()));
        Ok((index, Some(stats)))
    }

    /// Builds the index anew from the database.
    pub async fn reindex(&self) -> Result<IndexStats, ServiceError> {
        *self.snapshots.search.lock().await = None;
        let (_, stats) = self.index().await?;
        stats.ok_or(ServiceError::User("the index was not rebuilt".into()))
    }

    /// Searches what the caller may read: nothing above their ceiling
    /// matches, and names are searched only if they may read identities.
    pub async fn search(&self, request: &SearchRequest) -> Result<Results, ServiceError> {
        // The index allocates for the hits it skips: a huge offset would
        // take the server's memory (issue 29).
        if request.offset > MAX_OFFSET {
            return Err(ServiceError::User(format!(
                "offset {} is past the last page a search shows ({MAX_OFFSET}); narrow the search instead",
                request.offset
            )));
        }
        let ceiling = read_ceiling(self.actor.principal);
        let (index, _) = self.index().await?;
        let names = self.may_identify();
        let query = Query {
            text: request.text.clone(),
            kinds: request.kinds.clone(),
            years: request.years,
            language: request.language.clone(),
            level: request.level,
            ceiling,
            names,
            limit: request.limit.clamp(1, 200),
            offset: request.offset,
        };
        Ok(tokio::task::spawn_blocking(move || index.search(&query))
            .await
            .map_err(|_| ServiceError::User("the search stopped".into()))??)
    }
}
