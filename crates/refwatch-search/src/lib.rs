//! Search across refwatch's records and documents in English, Korean and
//! Chinese, on tantivy.
//!
//! Each [`SearchDoc`] is indexed twice over: its English words, lower-cased
//! and stemmed ("repatriated" finds "repatriation"), and its Korean,
//! Chinese and Japanese letters as overlapping pairs, so that a Korean
//! word is found inside compounds and under particles ("강제북송" finds
//! "강제북송을" and "강제북송된") with no dictionary to ship. Names of
//! persons are indexed in fields of their own, searched only when the
//! query says the reader may read identities.
//!
//! The index lives in memory and is built from the database (it holds the
//! words of confidential documents and names, which must not lie on disk
//! in the clear). Every query carries the reader's ceiling: documents above
//! it never match, so no hit, count or facet reveals them.

#![deny(missing_docs)]

mod cjk;
mod facets;
mod snippet;

use std::ops::Bound;

use refwatch_domain::Confidentiality;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, Occur, PhraseQuery, Query as TantivyQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term, doc};

pub use snippet::Segment;

/// What went wrong in the search engine.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The engine failed.
    #[error("search failed: {0}")]
    Engine(#[from] tantivy::TantivyError),
    /// The query has no word to search for.
    #[error("type at least one word to search for")]
    Empty,
    /// The query has more words than are searched at once.
    #[error("use at most {0} words in one search")]
    TooManyWords(usize),
}

/// The most words searched at once.
pub const MOST_WORDS: usize = 32;

/// The kinds of things searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocKind {
    /// An incident.
    Incident,
    /// A person (non-identifying fields; names only for readers of identities).
    Person,
    /// A source.
    Source,
    /// A citation: the exact words a source says.
    Citation,
    /// A UN mechanism's text.
    Mechanism,
    /// An evidence file's working text.
    Evidence,
}

impl DocKind {
    /// Every kind.
    pub const ALL: [DocKind; 6] = [
        Self::Incident,
        Self::Person,
        Self::Source,
        Self::Citation,
        Self::Mechanism,
        Self::Evidence,
    ];

    /// The kind's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Incident => "incident",
            Self::Person => "person",
            Self::Source => "source",
            Self::Citation => "citation",
            Self::Mechanism => "mechanism",
            Self::Evidence => "evidence",
        }
    }

    /// Reads a kind's code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    fn number(self) -> u64 {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0) as u64
    }
}

/// The languages told apart, as [`refwatch_extract`]-style codes.
pub const LANGUAGES: [&str; 5] = ["en", "ko", "zh", "ja", "und"];

fn language_number(code: &str) -> u64 {
    LANGUAGES.iter().position(|l| *l == code).unwrap_or(4) as u64
}

fn level_number(level: Confidentiality) -> u64 {
    Confidentiality::ALL
        .iter()
        .position(|l| *l == level)
        .unwrap_or(2) as u64
}

/// One thing to index.
#[derive(Clone, PartialEq, Eq)]
pub struct SearchDoc {
    /// What it is.
    pub kind: DocKind,
    /// Its record's id (for a citation, the record it belongs to).
    pub id: String,
    /// The kind of record `id` names: the document's own kind, or for a
    /// citation the kind of record it belongs to.
    pub owner: DocKind,
    /// A title to show.
    pub title: String,
    /// The text searched and shown in snippets.
    pub body: String,
    /// Names that identify a person: searched only for readers of
    /// identities, never stored in the index or shown.
    pub names: String,
    /// Who may read it.
    pub level: Confidentiality,
    /// The year it concerns, if any.
    pub year: Option<i32>,
    /// Its language code (`en`, `ko`, `zh`, `ja`, `und`).
    pub language: String,
}

impl std::fmt::Debug for SearchDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchDoc({} {})", self.kind.code(), self.id)
    }
}

/// A search. Its `Debug` leaves out the words (they may be a name).
#[derive(Clone, PartialEq)]
pub struct Query {
    /// The words; every word must be found.
    pub text: String,
    /// Only these kinds (all when empty).
    pub kinds: Vec<DocKind>,
    /// Only years in this range, inclusive.
    pub years: Option<(i32, i32)>,
    /// Only this language.
    pub language: Option<String>,
    /// Only this level.
    pub level: Option<Confidentiality>,
    /// The highest level the reader may read: nothing above it matches.
    pub ceiling: Confidentiality,
    /// Whether the reader may read identities (names are searched).
    pub names: bool,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("text", &"<redacted>")
            .field("kinds", &self.kinds)
            .field("ceiling", &self.ceiling)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

/// One hit. Its `Debug` names the record, never its text (a testimony's
/// words may name people).
#[derive(Clone, PartialEq)]
pub struct Hit {
    /// What it is.
    pub kind: DocKind,
    /// Its record's id.
    pub id: String,
    /// The kind of record `id` names (for a citation, its record's kind).
    pub owner: DocKind,
    /// Its title.
    pub title: String,
    /// A piece of its text around the words found, the words marked.
    pub snippet: Vec<Segment>,
    /// Its level.
    pub level: Confidentiality,
    /// Its year.
    pub year: Option<i32>,
    /// Its language.
    pub language: String,
    /// The relevance score.
    pub score: f32,
}

impl std::fmt::Debug for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Hit({} {}, score {})",
            self.kind.code(),
            self.id,
            self.score
        )
    }
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// How many things match (all of them readable by the reader).
    pub total: usize,
    /// The hits asked for.
    pub hits: Vec<Hit>,
    /// Matches by kind, language and level.
    pub facets: facets::Facets,
}

pub use facets::Facets;

#[derive(Clone, Copy)]
struct Fields {
    kind: Field,
    owner: Field,
    id: Field,
    title: Field,
    body: Field,
    en: Field,
    cjk: Field,
    names_en: Field,
    names_cjk: Field,
    level: Field,
    year: Field,
    language: Field,
}

/// An index of documents, in memory.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    english: TextAnalyzer,
    /// The writer of updates, made at the first one and kept, so that
    /// its segments are merged as they accumulate.
    writer: std::sync::Mutex<Option<IndexWriter<TantivyDocument>>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} documents)", self.len())
    }
}

const EN: &str = "refwatch_en";
const CJK: &str = "refwatch_cjk";

fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        kind: b.add_u64_field("kind", INDEXED | FAST | STORED),
        owner: b.add_u64_field("owner", STORED),
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
        en: b.add_text_field("en", text(EN, false)),
        cjk: b.add_text_field("cjk", text(CJK, false)),
        names_en: b.add_text_field("names_en", text(EN, false)),
        names_cjk: b.add_text_field("names_cjk", text(CJK, false)),
        level: b.add_u64_field("level", INDEXED | FAST | STORED),
        year: b.add_u64_field("year", INDEXED | FAST | STORED),
        language: b.add_u64_field("language", INDEXED | FAST | STORED),
    };
    (b.build(), fields)
}

/// Years are stored offset so that none is negative.
const YEAR_ZERO: i64 = 10_000;

/// The memory of the writer of updates (tantivy's least is 15 MB).
const UPDATE_MEMORY: usize = 16 << 20;

/// The engine's document for one of ours.
fn document_of(f: &Fields, d: SearchDoc) -> TantivyDocument {
    let indexed = format!("{}\n{}", d.title, d.body);
    let mut document = doc!(
        f.kind => d.kind.number(),
        f.owner => d.owner.number(),
        f.id => d.id,
        f.title => d.title,
        f.body => d.body,
        f.en => indexed.clone(),
        f.cjk => indexed,
        f.level => level_number(d.level),
        f.language => language_number(&d.language),
    );
    if let Some(year) = d.year {
        document.add_u64(f.year, (i64::from(year) + YEAR_ZERO) as u64);
    }
    if !d.names.is_empty() {
        document.add_text(f.names_en, &d.names);
        document.add_text(f.names_cjk, &d.names);
    }
    document
}

impl SearchIndex {
    /// Builds an index of `docs` in memory, calling `progress` every
    /// 10,000 documents with the number done.
    pub fn build(
        docs: impl IntoIterator<Item = SearchDoc>,
        mut progress: impl FnMut(usize),
    ) -> Result<Self, SearchError> {
        let (schema, f) = schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(EN, english());
        index
            .tokenizers()
            .register(CJK, TextAnalyzer::builder(cjk::Bigrams).build());
        let mut writer = index.writer::<TantivyDocument>(256 << 20)?;
        let mut count = 0usize;
        for d in docs {
            writer.add_document(document_of(&f, d))?;
            count += 1;
            if count.is_multiple_of(10_000) {
                progress(count);
            }
        }
        writer.commit()?;
        drop(writer);
        let reader = index.reader()?;
        Ok(Self {
            index,
            reader,
            fields: f,
            english: english(),
            writer: std::sync::Mutex::default(),
        })
    }

    /// Replaces every document whose id is one of `ids` by `docs` (the
    /// documents of those records now; none for a record deleted). The
    /// next search sees the change.
    pub fn update(&self, ids: &[String], docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        let mut held = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if held.is_none() {
            *held = Some(self.index.writer_with_num_threads(1, UPDATE_MEMORY)?);
        }
        let Some(writer) = held.as_mut() else {
            return Ok(());
        };
        for id in ids {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        for d in docs {
            writer.add_document(document_of(&self.fields, d))?;
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Documents indexed.
    pub fn len(&self) -> usize {
        self.reader.searcher().num_docs() as usize
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index's size in memory, in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.reader
            .searcher()
            .space_usage()
            .map(|u| u.total().get_bytes())
            .unwrap_or(0)
    }

    /// Runs a search.
    pub fn search(&self, query: &Query) -> Result<Results, SearchError> {
        let f = self.fields;
        let mut english = self.english.clone();
        let words = snippet::words(&query.text, &mut english);
        if words.is_empty() {
            return Err(SearchError::Empty);
        }
        if words.len() > MOST_WORDS {
            return Err(SearchError::TooManyWords(MOST_WORDS));
        }
        let mut must: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        for word in &words {
            let mut fields = vec![(f.en, f.cjk)];
            if query.names {
                fields.push((f.names_en, f.names_cjk));
            }
            let alternatives: Vec<(Occur, Box<dyn TantivyQuery>)> = fields
                .into_iter()
                .map(|(en, cjk)| (Occur::Should, word_query(word, en, cjk)))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
        }
        // The ceiling: only levels the reader may read.
        let allowed: Vec<(Occur, Box<dyn TantivyQuery>)> = Confidentiality::ALL
            .into_iter()
            .filter(|l| *l <= query.ceiling && query.level.is_none_or(|only| only == *l))
            .map(|l| (Occur::Should, u64_term(f.level, level_number(l))))
            .collect();
        if allowed.is_empty() {
            return Ok(Results {
                total: 0,
                hits: Vec::new(),
                facets: Facets::default(),
            });
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(allowed))));
        if !query.kinds.is_empty() {
            let kinds = query
                .kinds
                .iter()
                .map(|k| (Occur::Should, u64_term(f.kind, k.number())))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));
        }
        if let Some(language) = &query.language {
            must.push((Occur::Must, u64_term(f.language, language_number(language))));
        }
        if let Some((from, to)) = query.years {
            let bound = |y: i32| Term::from_field_u64(f.year, (i64::from(y) + YEAR_ZERO) as u64);
            must.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(bound(from)),
                    Bound::Included(bound(to)),
                )),
            ));
        }
        let combined = BooleanQuery::new(must);
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(query.limit.max(1))
            .and_offset(query.offset)
            .order_by_score();
        let (top, facets) = searcher.search(&combined, &(top, facets::Counter))?;
        let mut hits = Vec::new();
        for (score, address) in top.into_iter().take(query.limit) {
            let stored: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| {
                stored
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let number = |field: Field| stored.get_first(field).and_then(|v| v.as_u64());
            let body = text(f.body);
            let title = text(f.title);
            let snippet = snippet::snippet(&body, &words, &mut english);
            hits.push(Hit {
                kind: DocKind::ALL[number(f.kind).unwrap_or(0) as usize % DocKind::ALL.len()],
                owner: DocKind::ALL[number(f.owner).unwrap_or(0) as usize % DocKind::ALL.len()],
                id: text(f.id),
                snippet: if snippet.is_empty() {
                    snippet::snippet(&title, &words, &mut english)
                } else {
                    snippet
                },
                title,
                level: Confidentiality::ALL
                    [number(f.level).unwrap_or(2) as usize % Confidentiality::ALL.len()],
                year: number(f.year).map(|y| (y as i64 - YEAR_ZERO) as i32),
                language: LANGUAGES[number(f.language).unwrap_or(4) as usize % LANGUAGES.len()]
                    .to_owned(),
                score,
            });
        }
        Ok(Results {
            total: facets.total(),
            hits,
            facets,
        })
    }
}

fn u64_term(field: Field, value: u64) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(
        Term::from_field_u64(field, value),
        IndexRecordOption::Basic,
    ))
}

/// A word's query: its stem in the English field, or its letter pairs in
/// a row in the CJK field.
fn word_query(word: &snippet::Word, en: Field, cjk: Field) -> Box<dyn TantivyQuery> {
    match word {
        snippet::Word::Latin(stem) => Box::new(TermQuery::new(
            Term::from_field_text(en, stem),
            IndexRecordOption::WithFreqs,
        )),
        snippet::Word::Cjk(run) => {
            let pairs: Vec<Term> = cjk::pairs(run)
                .into_iter()
                .map(|p| Term::from_field_text(cjk, &p))
                .collect();
            if pairs.len() == 1 {
                Box::new(TermQuery::new(
                    pairs
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| Term::from_field_text(cjk, run)),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new(pairs))
            }
        }
    }
}

#[cfg(test)]
mod tests;
