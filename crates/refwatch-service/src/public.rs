//! The public export: public records without identities or persons, and
//! tables of documented people by year with small counts suppressed.

use std::collections::{BTreeMap, HashMap};

use refwatch_stats::person_year;

use refwatch_disclosure::{CountTable, PublishedTable, protect};
use refwatch_domain::{
    Confidentiality, Dataset, Dimension, IncidentId, Person, Term, Vocabularies, Vocabulary,
};
use refwatch_policy::{Operation, decide};
use refwatch_storage::Store;

use crate::{Service, ServiceError, require};

/// One published table.
#[derive(Debug, Clone)]
pub struct PublicTable {
    /// A file-friendly name, e.g. `people-by-year-and-sex`.
    pub name: &'static str,
    /// What the columns divide people by.
    pub dimension: Dimension,
    /// The table, with hidden cells.
    pub table: PublishedTable,
}

/// What `export --public` writes.
#[derive(Debug, Clone)]
pub struct PublicExport {
    /// Public records only; no persons, no identities.
    pub dataset: Dataset,
    /// People documented per year, by sex, age group and category.
    pub tables: Vec<PublicTable>,
}

const UNKNOWN: &str = "unknown";

/// Reads the value a table's columns divide people by.
type ColumnOf = fn(&Person) -> Option<&Term>;

fn people_table(
    persons: &[Person],
    incident_years: &HashMap<IncidentId, i32>,
    dimension: Dimension,
    threshold: u64,
) -> PublishedTable {
    let vocab = Vocabularies::builtin();
    let (codes, value): (Vec<String>, ColumnOf) = match dimension {
        Dimension::Sex => (
            vocab.codes(Vocabulary::Sex).map(str::to_owned).collect(),
            |p| p.sex.as_ref(),
        ),
        Dimension::AgeGroup => (
            vocab
                .codes(Vocabulary::AgeGroup)
                .map(str::to_owned)
                .collect(),
            |p| p.age_group.as_ref(),
        ),
        Dimension::Category => (
            vocab
                .codes(Vocabulary::VictimCategory)
                .map(str::to_owned)
                .collect(),
            |p| p.category.as_ref(),
        ),
    };
    let mut cols = codes;
    if !cols.iter().any(|c| c == UNKNOWN) {
        cols.push(UNKNOWN.to_owned());
    }
    let mut counts: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for p in persons {
        let row =
            person_year(p, incident_years).map_or_else(|| UNKNOWN.to_owned(), |y| y.to_string());
        let col = value(p)
            .map(Term::code)
            .and_then(|code| cols.iter().position(|c| c == code))
            .unwrap_or(cols.len() - 1);
        counts.entry(row).or_insert_with(|| vec![0; cols.len()])[col] += 1;
    }
    let rows: Vec<String> = counts.keys().cloned().collect();
    let cells = counts.into_values().collect();
    protect(&CountTable { rows, cols, cells }, threshold)
}

impl<S: Store> Service<S> {
    /// The public export: public records without persons or identities,
    /// and people per year by sex, age group and category, counts below
    /// `threshold` suppressed with complementary suppression. Anyone may
    /// make it; it is audited.
    pub async fn export_public(&self, threshold: u64) -> Result<PublicExport, ServiceError> {
        require(
            decide(
                self.actor.principal,
                Operation::ExportPublic,
                Confidentiality::Public,
            ),
            "export the public dataset",
        )?;
        if threshold < 2 {
            return Err(ServiceError::User(
                "the suppression threshold must be at least 2".into(),
            ));
        }
        let all = self.snapshots.all(&self.store).await?;
        let incident_years: HashMap<IncidentId, i32> = all
            .incidents
            .iter()
            .map(|i| (i.id, i.date.year()))
            .collect();
        let tables = [
            ("people-by-year-and-sex", Dimension::Sex),
            ("people-by-year-and-age-group", Dimension::AgeGroup),
            ("people-by-year-and-category", Dimension::Category),
        ]
        .into_iter()
        .map(|(name, dimension)| PublicTable {
            name,
            dimension,
            table: people_table(&all.persons, &incident_years, dimension, threshold),
        })
        .collect();
        // Text screened for names whoever exports (a public output).
        self.keys()?;
        let mut dataset = (*self.readable_under(Confidentiality::Public, true).await?).clone();
        // Individuals never appear in public outputs, not even pseudonymously.
        dataset.persons.clear();
        dataset.sort();
        let event = self.event(
            "export_public",
            None,
            None,
            &format!("threshold {threshold}"),
        );
        self.store.append_audit(&self.batch(vec![event])?).await?;
        Ok(PublicExport { dataset, tables })
    }
}
