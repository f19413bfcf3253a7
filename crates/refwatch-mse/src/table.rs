//! Capture-pattern tables.

use std::fmt;

/// Why a capture table cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Line `line` of the CSV is malformed.
    #[error("line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The table is empty or has fewer than two lists.
    #[error("{0}")]
    Shape(String),
}

/// More people than any table of people can hold (over the world's
/// population): a count above it is a typing or export error.
pub(crate) const MAX_PEOPLE: u64 = 10_000_000_000;

fn too_many() -> TableError {
    TableError::Shape(format!(
        "the counts add up to more than {MAX_PEOPLE} people; check the table for a mistyped count"
    ))
}

/// Counts of people by capture pattern over `k` lists. Pattern bits: bit
/// `k-1-j` is list `j`, so the pattern "1010" over four lists is `0b1010`.
#[derive(Clone, PartialEq, Eq)]
pub struct CaptureTable {
    lists: Vec<String>,
    /// `counts[pattern]` for every pattern from 0 to 2^k - 1; `counts[0]`
    /// (never documented) is always 0 here.
    counts: Vec<u64>,
}

/// Whether `text` is a capture pattern: 0s and 1s.
fn is_pattern(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c == '0' || c == '1')
}

impl fmt::Debug for CaptureTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CaptureTable({} lists, {} people)",
            self.lists.len(),
            self.observed()
        )
    }
}

impl CaptureTable {
    /// A table from list names and (pattern, count) pairs.
    pub fn new(
        lists: Vec<String>,
        cells: impl IntoIterator<Item = (u32, u64)>,
    ) -> Result<Self, TableError> {
        let k = lists.len();
        if !(2..=16).contains(&k) {
            return Err(TableError::Shape(format!(
                "{k} lists: estimation needs from 2 to 16 lists"
            )));
        }
        let mut counts = vec![0u64; 1 << k];
        for (pattern, count) in cells {
            if pattern == 0 {
                return Err(TableError::Shape(
                    "the pattern of people on no list cannot be observed; remove it".into(),
                ));
            }
            if pattern as usize >= counts.len() {
                return Err(TableError::Shape(format!(
                    "pattern {pattern:b} has more than {k} lists"
                )));
            }
            let cell = &mut counts[pattern as usize];
            *cell = cell.checked_add(count).ok_or_else(too_many)?;
        }
        let total = counts
            .iter()
            .try_fold(0u64, |sum, &c| sum.checked_add(c))
            .ok_or_else(too_many)?;
        if total > MAX_PEOPLE {
            return Err(too_many());
        }
        Ok(Self { lists, counts })
    }

    /// Refuses a table no estimate can come from: nobody on it, or nobody
    /// on more than one list (without overlaps the number never documented
    /// is not identified: any figure would be made up).
    pub fn estimable(&self) -> Result<(), TableError> {
        if self.observed() == 0 {
            return Err(TableError::Shape(
                "every count is 0: there is nobody to estimate from".into(),
            ));
        }
        let overlap = self.cells().any(|(p, c)| c > 0 && p.count_ones() >= 2);
        if !overlap {
            return Err(TableError::Shape(
                "nobody is on more than one list: without overlaps between the lists the number never documented cannot be estimated".into(),
            ));
        }
        Ok(())
    }

    /// Reads a CSV like `kosovo_patterns.csv`: a header naming the lists
    /// joined by `_` (or any header), then rows of a 0/1 pattern and a count.
    pub fn from_csv(text: &str) -> Result<Self, TableError> {
        // A byte-order mark is not part of the first list's name.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((header_index, header)) = lines.next() else {
            return Err(TableError::Shape("the file is empty".into()));
        };
        let unquote = |s: &str| s.trim().trim_matches('"').to_owned();
        let head: Vec<String> = header.split(',').map(unquote).collect();
        let first = head.first().cloned().unwrap_or_default();
        if is_pattern(&first) && head.get(1).is_some_and(|c| c.parse::<u64>().is_ok()) {
            return Err(TableError::Line {
                line: header_index + 1,
                reason: format!(
                    "this looks like a row of data, not a header; the first line names the lists and the count, e.g. \"{}\",\"count\"",
                    (1..=first.len())
                        .map(|i| format!("list{i}"))
                        .collect::<Vec<_>>()
                        .join("_")
                ),
            });
        }
        let mut cells = Vec::new();
        let mut seen: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
        let mut width = None;
        for (i, line) in lines {
            let err = |reason: String| TableError::Line {
                line: i + 1,
                reason,
            };
            let fields: Vec<String> = line.split(',').map(unquote).collect();
            let [pattern, count] = &fields[..] else {
                return Err(err("expected two fields: a 0/1 pattern and a count".into()));
            };
            if !is_pattern(pattern) {
                return Err(err(format!("\"{pattern}\" is not a pattern of 0s and 1s")));
            }
            if *width.get_or_insert(pattern.len()) != pattern.len() {
                return Err(err(
                    "every pattern must have the same number of lists".into()
                ));
            }
            let count: u64 = count
                .parse()
                .map_err(|_| err(format!("\"{count}\" is not a whole number")))?;
            let bits =
                u32::from_str_radix(pattern, 2).map_err(|_| err("pattern too long".into()))?;
            if let Some(before) = seen.insert(bits, i + 1) {
                return Err(err(format!(
                    "the pattern {pattern} is also on line {before}; give each pattern once, with its whole count"
                )));
            }
            if bits == 0 {
                if count != 0 {
                    return Err(err(
                        "the pattern of people on no list cannot be observed; remove it".into(),
                    ));
                }
                continue;
            }
            cells.push((bits, count));
        }
        let k = width.ok_or_else(|| TableError::Shape("the file has no patterns".into()))?;
        let names: Vec<String> = first.split('_').map(str::to_owned).collect();
        let lists = if names.len() == k {
            names
        } else {
            (1..=k).map(|i| format!("list {i}")).collect()
        };
        Self::new(lists, cells)
    }

    /// The list names.
    pub fn lists(&self) -> &[String] {
        &self.lists
    }

    /// How many lists.
    pub fn k(&self) -> usize {
        self.lists.len()
    }

    /// The count of a pattern.
    pub fn count(&self, pattern: u32) -> u64 {
        self.counts[pattern as usize]
    }

    /// Every observable pattern (1 to 2^k - 1) with its count.
    pub fn cells(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        (1..self.counts.len() as u32).map(|p| (p, self.counts[p as usize]))
    }

    /// People documented at least once.
    pub fn observed(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Whether list `j` is in `pattern`.
    pub fn on_list(&self, pattern: u32, j: usize) -> bool {
        pattern >> (self.k() - 1 - j) & 1 == 1
    }

    /// The table as CSV in the form [`CaptureTable::from_csv`] reads (and
    /// R's `read.csv` with `colClasses = "character"` for the pattern):
    /// a header of the list names joined by `_`, then every pattern with
    /// its count.
    pub fn to_csv(&self) -> String {
        let k = self.k();
        let mut out = format!("\"{}\",\"count\"\n", self.lists.join("_"));
        for (p, c) in self.cells() {
            out.push_str(&format!("\"{:0k$b}\",{c}\n", p));
        }
        out
    }

    /// People on list `j`.
    pub fn list_total(&self, j: usize) -> u64 {
        self.cells()
            .filter(|&(p, _)| self.on_list(p, j))
            .map(|(_, c)| c)
            .sum()
    }
}
