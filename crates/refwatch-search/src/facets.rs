//! Counting matches by kind, language and level in the same pass as the
//! search, from the index's fast fields.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::{DocKind, LANGUAGES};
use refwatch_domain::Confidentiality;

/// Matches by kind, language and level (only what the reader may read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    /// By kind, in [`DocKind::ALL`] order.
    pub kinds: [usize; 6],
    /// By language, in [`LANGUAGES`] order.
    pub languages: [usize; 5],
    /// By level, least protected first.
    pub levels: [usize; 3],
}

impl Facets {
    /// All matches.
    pub fn total(&self) -> usize {
        self.kinds.iter().sum()
    }

    /// The kinds with matches, and how many.
    pub fn by_kind(&self) -> Vec<(DocKind, usize)> {
        DocKind::ALL
            .into_iter()
            .zip(self.kinds)
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The languages with matches, and how many.
    pub fn by_language(&self) -> Vec<(&'static str, usize)> {
        LANGUAGES
            .into_iter()
            .zip(self.languages)
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The levels with matches, and how many.
    pub fn by_level(&self) -> Vec<(Confidentiality, usize)> {
        Confidentiality::ALL
            .into_iter()
            .zip(self.levels)
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    fn add(&mut self, other: &Facets) {
        for (a, b) in self.kinds.iter_mut().zip(other.kinds) {
            *a += b;
        }
        for (a, b) in self.languages.iter_mut().zip(other.languages) {
            *a += b;
        }
        for (a, b) in self.levels.iter_mut().zip(other.levels) {
            *a += b;
        }
    }
}

pub(crate) struct Counter;

pub(crate) struct SegmentCounter {
    kind: Column<u64>,
    language: Column<u64>,
    level: Column<u64>,
    facets: Facets,
}

impl Collector for Counter {
    type Fruit = Facets;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        let fast = reader.fast_fields();
        Ok(SegmentCounter {
            kind: fast.u64("kind")?,
            language: fast.u64("language")?,
            level: fast.u64("level")?,
            facets: Facets::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut all = Facets::default();
        for f in &fruits {
            all.add(f);
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let bump = |counts: &mut [usize], value: Option<u64>| {
            if let Some(slot) = value.and_then(|v| counts.get_mut(v as usize)) {
                *slot += 1;
            }
        };
        bump(&mut self.facets.kinds, self.kind.first(doc));
        bump(&mut self.facets.languages, self.language.first(doc));
        bump(&mut self.facets.levels, self.level.first(doc));
    }

    fn harvest(self) -> Facets {
        self.facets
    }
}
