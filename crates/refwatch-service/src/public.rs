//! The public export: public records without identities or persons, and
//! tables of documented people by year with small counts suppressed.

use std::collections::HashMap;
use std::sync::Arc;

use refwatch_stats::person_year;

use refwatch_disclosure::{CountTable, PublishedTable, protect_linked};
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

/// The people of the public tables, one count table per dimension, rows
/// by year (ascending, "unknown" last) and the same rows in every table.
pub fn people_tables<P: std::borrow::Borrow<Person>>(
    persons: &[P],
    incident_years: &HashMap<IncidentId, i32>,
) -> Vec<CountTable> {
    let years: Vec<Option<i32>> = persons
        .iter()
        .map(|p| person_year(p.borrow(), incident_years))
        .collect();
    let mut rows: Vec<Option<i32>> = years.clone();
    // Years ascending, unknown last.
    rows.sort_by_key(|y| (y.is_none(), *y));
    rows.dedup();
    let row_of: HashMap<Option<i32>, usize> =
        rows.iter().enumerate().map(|(i, y)| (*y, i)).collect();
    let labels: Vec<String> = rows
        .iter()
        .map(|y| y.map_or_else(|| UNKNOWN.to_owned(), |y| y.to_string()))
        .collect();
    let vocab = Vocabularies::builtin();
    DIMENSIONS
        .iter()
        .map(|&(_, dimension)| {
            let (vocabulary, value): (Vocabulary, ColumnOf) = match dimension {
                Dimension::Sex => (Vocabulary::Sex, |p| p.sex.as_ref()),
                Dimension::AgeGroup => (Vocabulary::AgeGroup, |p| p.age_group.as_ref()),
                Dimension::Category => (Vocabulary::VictimCategory, |p| p.category.as_ref()),
            };
            // The vocabulary's codes, "unknown" always last.
            let mut cols: Vec<String> = vocab
                .codes(vocabulary)
                .filter(|c| *c != UNKNOWN)
                .map(str::to_owned)
                .collect();
            cols.push(UNKNOWN.to_owned());
            let unknown = cols.len() - 1;
            let mut cells = vec![vec![0u64; cols.len()]; rows.len()];
            for (p, year) in persons.iter().zip(&years) {
                let col = value(p.borrow())
                    .and_then(|term| cols.iter().position(|c| c == term.code()))
                    .unwrap_or(unknown);
                cells[row_of[year]][col] += 1;
            }
            CountTable {
                rows: labels.clone(),
                cols,
                cells,
                unknown: Some(unknown),
            }
        })
        .collect()
}

/// The public tables' names and what their columns divide people by.
const DIMENSIONS: [(&str, Dimension); 3] = [
    ("people-by-year-and-sex", Dimension::Sex),
    ("people-by-year-and-age-group", Dimension::AgeGroup),
    ("people-by-year-and-category", Dimension::Category),
];

/// The public tables and what they were made from.
pub(crate) struct TablesFor {
    /// The copy of the records they were last found current for.
    all: Arc<Dataset>,
    /// The incidents persons are linked to, with their years.
    years: HashMap<IncidentId, i32>,
    threshold: u64,
    tables: Arc<Vec<PublicTable>>,
}

/// The year of every incident a person is linked to, by id.
fn referenced_years(all: &Dataset) -> HashMap<IncidentId, i32> {
    all.persons
        .iter()
        .flat_map(|p| p.incidents.iter().map(|l| l.incident))
        .filter_map(|id| {
            let at = all.incidents.binary_search_by_key(&id, |i| i.id).ok()?;
            Some((id, all.incidents[at].date.year()))
        })
        .collect()
}

/// How often counted public views are written to the audit log, in seconds.
const VIEW_FLUSH_SECONDS: i64 = 600;

impl<S: Store> Service<S> {
    /// People per year by sex, age group and category, protected against an
    /// attacker with a solver (`refwatch-disclosure`). Anyone may read them;
    /// made once per threshold and again only when the persons or the years
    /// of their incidents change, and a view is counted
    /// ([`Service::count_public_view`]), not logged one entry each.
    pub async fn public_tables(
        &self,
        threshold: u64,
    ) -> Result<Arc<Vec<PublicTable>>, ServiceError> {
        require(
            decide(
                self.actor.principal,
                Operation::ExportPublic,
                Confidentiality::Public,
            ),
            "read the public tables",
        )?;
        if !(2..=1000).contains(&threshold) {
            return Err(ServiceError::User(
                "the suppression threshold must be from 2 to 1000".into(),
            ));
        }
        let all = self.snapshots.all(&self.store).await?;
        let mut cached = self.snapshots.tables.lock().await;
        if let Some(made) = cached.as_mut()
            && made.threshold == threshold
            && Arc::ptr_eq(&made.all, &all)
        {
            return Ok(made.tables.clone());
        }
        // The tables read the persons and the years of their incidents
        // only: a change to other incidents leaves them as they are.
        if let Some(made) = cached.as_mut()
            && made.threshold == threshold
            && let Some(changed) = all.incidents_changed_from(&made.all)
            && !changed.iter().any(|id| made.years.contains_key(id))
        {
            made.all = all;
            return Ok(made.tables.clone());
        }
        let years = referenced_years(&all);
        let counts = people_tables(&all.persons, &years);
        let published =
            protect_linked(&counts, threshold).map_err(|e| ServiceError::User(e.to_string()))?;
        let tables: Arc<Vec<PublicTable>> = Arc::new(
            DIMENSIONS
                .iter()
                .zip(published)
                .map(|(&(name, dimension), table)| PublicTable {
                    name,
                    dimension,
                    table,
                })
                .collect(),
        );
        *cached = Some(TablesFor {
            all,
            years,
            threshold,
            tables: tables.clone(),
        });
        Ok(tables)
    }

    /// Counts one view of a public page. The count is written to the audit
    /// log as one entry at most every ten minutes (by the view that finds
    /// the last entry older), so that anonymous readers cannot grow the log.
    pub async fn count_public_view(&self, what: &str) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let due = {
            let mut views = self
                .snapshots
                .views
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            views.0 += 1;
            let since = *views.1.get_or_insert(now);
            if now.0 - since.0 >= VIEW_FLUSH_SECONDS {
                let n = views.0;
                *views = (0, Some(now));
                Some((n, since))
            } else {
                None
            }
        };
        if let Some((n, since)) = due {
            let event = self.event(
                "public_views",
                None,
                None,
                &format!("{n} views of public pages since {since} (last: {what})"),
            );
            self.store.append_audit(&self.batch(vec![event])?).await?;
        }
        Ok(())
    }

    /// The public export: public records without persons or identities,
    /// and people per year by sex, age group and category, counts below
    /// `threshold` protected ([`Service::public_tables`]). Anyone may make
    /// it; it is audited.
    pub async fn export_public(&self, threshold: u64) -> Result<PublicExport, ServiceError> {
        let tables = self.public_tables(threshold).await?.as_ref().clone();
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
