//! Statistical disclosure control for public tables of people.
//!
//! Pure: tables of counts in, the cells that may be shown out. The tables
//! given together describe the same people (by sex, by age group, by
//! category) and share their rows (years), so the method protects them
//! together against an attacker who knows every published number, that
//! hidden counts are whole and not negative, and that the tables share
//! their row totals and grand total:
//!
//! 1. **Rows are grouped** ([`group_rows`]): neighbouring rows whose total
//!    is below the threshold are merged until every row total reaches it.
//!    Row totals and the grand total are then always shown, and each table
//!    is independent of the others given them.
//! 2. **Sensitive cells are hidden**: counts from 1 to threshold−1, in the
//!    body and in the column totals, and a count that holds a whole row (in
//!    a column other than "unknown"), which would say what every person of
//!    that year is. Every hidden cell is written the same way (`x`), so the
//!    attacker cannot tell a small count from a zero or a large one.
//! 3. **Every hidden cell is audited** ([`Audit`]): a linear program finds
//!    its smallest and largest value consistent with everything published.
//!    While the two are less than the threshold apart, one more cell of its
//!    row or column is hidden (the cheapest that widens it most). Hiding a
//!    cell only loosens the constraints, so a cell once wide stays wide.
//!
//! The constraints of one table with its row totals known are a network
//! matrix (totally unimodular), so the linear program's bounds are the
//! integer bounds. [`attack`] is the attacker: one integer program over all
//! the published tables at once. The method and its limits are described
//! in `docs/public-export.md`.

#![deny(missing_docs)]

use std::ops::Range;

use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOutcome, Variable};

/// A two-way table of counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    /// Labels of the rows (e.g. years), in order.
    pub rows: Vec<String>,
    /// Labels of the columns (e.g. sex).
    pub cols: Vec<String>,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<u64>>,
    /// The column that holds people whose value is not known, if any: a
    /// whole row in it says nothing about anyone.
    pub unknown: Option<usize>,
}

/// A cell as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The count.
    Value(u64),
    /// Hidden: written `x`, whatever the count (zero, small or large).
    Hidden,
}

/// A table ready to publish: cells and margins, some hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTable {
    /// Row labels: a row of the input, or `first–last` for merged rows.
    pub rows: Vec<String>,
    /// Column labels.
    pub cols: Vec<String>,
    /// The extended grid: `grid[r][c]` for the cells, `grid[r][cols]` the
    /// row totals, `grid[rows][c]` the column totals, `grid[rows][cols]` the
    /// grand total.
    pub grid: Vec<Vec<Shown>>,
    /// The threshold: hidden cells are at least this far from being known.
    pub threshold: u64,
}

impl PublishedTable {
    /// How a cell is written: the count, or `x`.
    pub fn text(&self, r: usize, c: usize) -> String {
        match self.grid[r][c] {
            Shown::Value(v) => v.to_string(),
            Shown::Hidden => "x".to_owned(),
        }
    }

    /// How many cells (margins included) are hidden.
    pub fn hidden(&self) -> usize {
        self.grid
            .iter()
            .flatten()
            .filter(|s| matches!(s, Shown::Hidden))
            .count()
    }
}

/// Why tables could not be protected.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DisclosureError {
    /// The threshold must be at least 2.
    #[error("the suppression threshold must be at least 2")]
    Threshold,
    /// Tables protected together must have the same rows with the same totals.
    #[error("tables protected together must have the same rows and row totals")]
    RowsDiffer,
    /// A row has a different number of cells from the column labels.
    #[error("row {0} has a different number of cells from the columns")]
    Ragged(usize),
    /// The linear program failed (a numerical failure of the solver).
    #[error("the disclosure check could not be solved: {0}")]
    Solver(String),
}

/// The rows merged into each published row: consecutive rows are joined
/// until their total reaches `threshold`; a short remainder joins the group
/// before it. Rows with no people at all stay as they are.
pub fn group_rows(totals: &[u64], threshold: u64) -> Vec<Range<usize>> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    let mut sum = 0;
    for (i, &t) in totals.iter().enumerate() {
        if sum == 0 && t == 0 {
            groups.push(i..i + 1);
            start = i + 1;
            continue;
        }
        sum += t;
        if sum >= threshold {
            groups.push(start..i + 1);
            start = i + 1;
            sum = 0;
        }
    }
    if start < totals.len() {
        // A remainder below the threshold joins the last group with people.
        match groups
            .iter()
            .rposition(|g| g.clone().any(|i| totals[i] > 0))
        {
            Some(k) => {
                let merged = groups[k].start..totals.len();
                groups.truncate(k);
                groups.push(merged);
            }
            None => {
                groups.clear();
                groups.push(0..totals.len());
            }
        }
    }
    groups
}

fn group_label(rows: &[String], g: &Range<usize>) -> String {
    if g.len() == 1 {
        rows[g.start].clone()
    } else {
        format!("{}–{}", rows[g.start], rows[g.end - 1])
    }
}

/// The extended grid of values of a table whose rows are grouped.
fn extended(t: &CountTable, groups: &[Range<usize>]) -> Vec<Vec<u64>> {
    let nc = t.cols.len();
    let nr = groups.len();
    let mut g = vec![vec![0u64; nc + 1]; nr + 1];
    for (r, group) in groups.iter().enumerate() {
        for row in &t.cells[group.clone()] {
            for (c, &v) in row.iter().enumerate() {
                g[r][c] += v;
                g[r][nc] += v;
                g[nr][c] += v;
                g[nr][nc] += v;
            }
        }
    }
    g
}

/// Protects one table alone; see [`protect_linked`].
pub fn protect(t: &CountTable, threshold: u64) -> Result<PublishedTable, DisclosureError> {
    let mut out = protect_linked(std::slice::from_ref(t), threshold)?;
    Ok(out.remove(0))
}

/// Protects tables of the same people that share their rows: groups rows,
/// hides sensitive cells, and hides more until no hidden cell can be
/// narrowed to less than `threshold` between its smallest and largest
/// possible value.
pub fn protect_linked(
    tables: &[CountTable],
    threshold: u64,
) -> Result<Vec<PublishedTable>, DisclosureError> {
    if threshold < 2 {
        return Err(DisclosureError::Threshold);
    }
    let Some(first) = tables.first() else {
        return Ok(Vec::new());
    };
    let totals_of = |t: &CountTable| -> Result<Vec<u64>, DisclosureError> {
        t.cells
            .iter()
            .enumerate()
            .map(|(r, row)| {
                if row.len() == t.cols.len() {
                    Ok(row.iter().sum())
                } else {
                    Err(DisclosureError::Ragged(r))
                }
            })
            .collect()
    };
    let totals = totals_of(first)?;
    for t in tables {
        if t.rows != first.rows || totals_of(t)? != totals {
            return Err(DisclosureError::RowsDiffer);
        }
    }
    let groups = group_rows(&totals, threshold);
    let labels: Vec<String> = groups.iter().map(|g| group_label(&first.rows, g)).collect();
    tables
        .iter()
        .map(|t| {
            let values = extended(t, &groups);
            let hidden = Audit::new(&values, t.unknown, threshold).run()?;
            let grid = values
                .iter()
                .zip(&hidden)
                .map(|(vals, hid)| {
                    vals.iter()
                        .zip(hid)
                        .map(|(&v, &h)| if h { Shown::Hidden } else { Shown::Value(v) })
                        .collect()
                })
                .collect();
            Ok(PublishedTable {
                rows: labels.clone(),
                cols: t.cols.clone(),
                grid,
                threshold,
            })
        })
        .collect()
}

/// Choosing the hidden cells of one table (rows already grouped) and
/// checking each with a linear program.
pub struct Audit<'a> {
    values: &'a [Vec<u64>],
    hidden: Vec<Vec<bool>>,
    threshold: u64,
}

impl<'a> Audit<'a> {
    /// Starts from the sensitive cells of the extended grid `values`.
    pub fn new(values: &'a [Vec<u64>], unknown: Option<usize>, threshold: u64) -> Self {
        let nr = values.len() - 1;
        let nc = values[0].len() - 1;
        let small = |v: u64| v > 0 && v < threshold;
        let mut hidden = vec![vec![false; nc + 1]; nr + 1];
        let grand = values[nr][nc];
        if grand < threshold || nc < 2 {
            // Too few people (or one column): nothing can be shown safely.
            for row in &mut hidden {
                row.fill(true);
            }
        } else {
            for r in 0..=nr {
                for c in 0..nc {
                    let v = values[r][c];
                    let whole_row = r < nr && v > 0 && v == values[r][nc] && Some(c) != unknown;
                    hidden[r][c] = small(v) || whole_row;
                }
            }
        }
        Self {
            values,
            hidden,
            threshold,
        }
    }

    fn dims(&self) -> (usize, usize) {
        (self.values.len() - 1, self.values[0].len() - 1)
    }

    /// The grid as an attacker sees it.
    fn seen(&self) -> Vec<Vec<Option<u64>>> {
        self.values
            .iter()
            .zip(&self.hidden)
            .map(|(v, h)| v.iter().zip(h).map(|(&v, &h)| (!h).then_some(v)).collect())
            .collect()
    }

    fn width(&self, cell: (usize, usize)) -> Result<u64, DisclosureError> {
        let seen = self.seen();
        let system = System::new(&[&seen], false);
        let (lo, hi) = system.interval(0, cell)?;
        Ok(hi.map_or(u64::MAX, |hi| hi.saturating_sub(lo)))
    }

    /// Cells that may be hidden to widen `cell`: unhidden cells of its row
    /// and column (body and column totals; row totals stay shown), in rows
    /// that hold people.
    fn candidates(&self, (r, c): (usize, usize)) -> Vec<(usize, usize)> {
        let (nr, nc) = self.dims();
        let open =
            |&(a, b): &(usize, usize)| !self.hidden[a][b] && (a == nr || self.values[a][nc] > 0);
        let mut near: Vec<(usize, usize)> = (0..nc)
            .map(|b| (r, b))
            .chain((0..=nr).map(|a| (a, c)))
            .filter(open)
            .collect();
        if near.is_empty() {
            near = (0..=nr)
                .flat_map(|a| (0..nc).map(move |b| (a, b)))
                .filter(open)
                .collect();
        }
        near
    }

    fn cost(&self, (a, b): (usize, usize)) -> u64 {
        let (nr, _) = self.dims();
        let weight = if a == nr { 10 } else { 1 };
        self.values[a][b].saturating_add(1).saturating_mul(weight)
    }

    /// Hides cells until every hidden cell is at least `threshold` wide;
    /// returns which cells are hidden.
    pub fn run(mut self) -> Result<Vec<Vec<bool>>, DisclosureError> {
        let (nr, nc) = self.dims();
        let mut queue: Vec<(usize, usize)> = (0..=nr)
            .flat_map(|r| (0..nc).map(move |c| (r, c)))
            .filter(|&(r, c)| self.hidden[r][c])
            .collect();
        let mut next = 0;
        while next < queue.len() {
            let cell = queue[next];
            if self.hidden[nr][nc] {
                break; // everything is hidden already
            }
            let mut width = self.width(cell)?;
            while width < self.threshold {
                let mut options = self.candidates(cell);
                if options.is_empty() {
                    // Nothing left to hide but the totals: hide everything.
                    for row in &mut self.hidden {
                        row.fill(true);
                    }
                    return Ok(self.hidden);
                }
                options.sort_by_key(|&o| self.cost(o));
                // The cheapest cell that makes it wide enough; else the one
                // that widens it most.
                let mut best: Option<((usize, usize), u64)> = None;
                for o in options {
                    self.hidden[o.0][o.1] = true;
                    let w = self.width(cell)?;
                    self.hidden[o.0][o.1] = false;
                    if w >= self.threshold {
                        best = Some((o, w));
                        break;
                    }
                    if best.is_none_or(|(_, bw)| w > bw) {
                        best = Some((o, w));
                    }
                }
                let Some((o, w)) = best else { break };
                self.hidden[o.0][o.1] = true;
                queue.push(o);
                width = w;
            }
            next += 1;
        }
        Ok(self.hidden)
    }
}

/// What an attacker can learn of one hidden cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// Which table (in the order given).
    pub table: usize,
    /// Row of the extended grid (the last is the column totals).
    pub row: usize,
    /// Column of the extended grid (the last is the row totals).
    pub col: usize,
    /// The smallest value consistent with everything published.
    pub min: u64,
    /// The largest, or `None` when nothing bounds it.
    pub max: Option<u64>,
}

impl Interval {
    /// `max − min`, or `u64::MAX` when unbounded.
    pub fn width(&self) -> u64 {
        self.max.map_or(u64::MAX, |m| m - self.min)
    }
}

/// The attacker: for every hidden cell of the published tables, its
/// smallest and largest value, from one integer program over all the
/// tables at once, knowing every shown count, that hidden counts are whole
/// and not negative, and that tables with the same row labels share their
/// row totals and grand total.
pub fn attack(published: &[PublishedTable]) -> Result<Vec<Interval>, DisclosureError> {
    let grids: Vec<Vec<Vec<Option<u64>>>> = published
        .iter()
        .map(|p| {
            p.grid
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|s| match s {
                            Shown::Value(v) => Some(*v),
                            Shown::Hidden => None,
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let refs: Vec<&Vec<Vec<Option<u64>>>> = grids.iter().collect();
    let system = System::new(&refs, true);
    let mut out = Vec::new();
    for (t, g) in grids.iter().enumerate() {
        for (r, row) in g.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if v.is_none() {
                    let (min, max) = system.interval(t, (r, c))?;
                    out.push(Interval {
                        table: t,
                        row: r,
                        col: c,
                        min,
                        max,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// A cell of a grid: a known count or an unknown.
#[derive(Clone, Copy)]
enum Term {
    Known(u64),
    Unknown(usize),
}

/// The published grids as a system of linear equations in the hidden
/// cells: every row and column of every grid sums to its total, and grids
/// with the same shape share their row totals and grand total.
struct System {
    /// For each grid, each cell's term.
    terms: Vec<Vec<Vec<Term>>>,
    unknowns: usize,
    integer: bool,
    /// A bound no count exceeds (the sum of everything shown, at least).
    cap: u64,
    equations: Vec<(Vec<i64>, i64)>,
}

type Grid = Vec<Vec<Option<u64>>>;

impl System {
    fn new(grids: &[&Grid], integer: bool) -> Self {
        let mut unknowns = 0;
        let terms: Vec<Vec<Vec<Term>>> = grids
            .iter()
            .map(|g| {
                g.iter()
                    .map(|row| {
                        row.iter()
                            .map(|v| match v {
                                Some(v) => Term::Known(*v),
                                None => {
                                    unknowns += 1;
                                    Term::Unknown(unknowns - 1)
                                }
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut equations = Vec::new();
        let mut cap: u64 = 0;
        for (t, g) in terms.iter().enumerate() {
            let nr = g.len() - 1;
            let nc = g[0].len() - 1;
            for row in g {
                for term in row {
                    if let Term::Known(v) = term {
                        cap = cap.max(*v);
                    }
                }
            }
            let rows = (0..=nr).map(|r| ((0..nc).map(|c| (r, c)).collect::<Vec<_>>(), (r, nc)));
            let cols = (0..=nc).map(|c| ((0..nr).map(|r| (r, c)).collect::<Vec<_>>(), (nr, c)));
            for (parts, total) in rows.chain(cols) {
                let mut eq = Equation::default();
                for p in parts {
                    eq.add(g[p.0][p.1], 1);
                }
                eq.add(g[total.0][total.1], -1);
                equations.push(eq);
            }
            // Shared row totals and grand total with the grids before it.
            for earlier in &terms[..t] {
                if earlier.len() == g.len() {
                    let enc = earlier[0].len() - 1;
                    for r in 0..=nr {
                        let mut eq = Equation::default();
                        eq.add(g[r][nc], 1);
                        eq.add(earlier[r][enc], -1);
                        equations.push(eq);
                    }
                }
            }
        }
        let equations = equations
            .into_iter()
            .filter(|e| e.vars.iter().any(|k| *k != 0))
            .map(|e| (e.vars, e.constant))
            .collect();
        Self {
            terms,
            unknowns,
            integer,
            cap: cap.max(1),
            equations,
        }
    }

    /// The smallest and largest value of a hidden cell, or the count of a
    /// shown one.
    fn interval(
        &self,
        grid: usize,
        (r, c): (usize, usize),
    ) -> Result<(u64, Option<u64>), DisclosureError> {
        let var = match self.terms[grid][r][c] {
            Term::Known(v) => return Ok((v, Some(v))),
            Term::Unknown(i) => i,
        };
        let lo = self.optimise(var, OptimizationDirection::Minimize)?;
        let hi = self.optimise(var, OptimizationDirection::Maximize)?;
        let lo = lo.map_or(0, |v| v.max(0.0).round() as u64);
        // Values at the artificial cap are unbounded in truth.
        let hi = hi.and_then(|v| {
            let v = v.round() as u64;
            (v < self.big()).then_some(v)
        });
        Ok((lo, hi))
    }

    fn big(&self) -> u64 {
        self.cap.saturating_mul(4).saturating_add(1000)
    }

    fn optimise(
        &self,
        target: usize,
        direction: OptimizationDirection,
    ) -> Result<Option<f64>, DisclosureError> {
        let mut problem = Problem::new(direction);
        let big = self.big();
        let vars: Vec<Variable> = (0..self.unknowns)
            .map(|i| {
                let obj = if i == target { 1.0 } else { 0.0 };
                if self.integer {
                    problem.add_integer_var(obj, (0, i32::try_from(big).unwrap_or(i32::MAX)))
                } else {
                    problem.add_var(obj, (0.0, big as f64))
                }
            })
            .collect();
        for (coefs, constant) in &self.equations {
            let expr: Vec<(Variable, f64)> = coefs
                .iter()
                .enumerate()
                .filter(|(_, k)| **k != 0)
                .map(|(i, k)| (vars[i], *k as f64))
                .collect();
            // Stored as Σ coef·x + constant = 0.
            problem.add_constraint(expr, ComparisonOp::Eq, -(*constant as f64));
        }
        match problem.solve() {
            Ok(SolveOutcome::Solution(s)) => Ok(Some(s.objective())),
            Ok(SolveOutcome::Interrupted(_)) => Err(DisclosureError::Solver("interrupted".into())),
            Err(microlp::Error::Unbounded) => Ok(None),
            Err(e) => Err(DisclosureError::Solver(e.to_string())),
        }
    }
}

/// One linear equation being built: coefficients of the unknowns (dense,
/// by index) and a constant, summing to zero.
#[derive(Default)]
struct Equation {
    vars: Vec<i64>,
    constant: i64,
}

impl Equation {
    fn add(&mut self, term: Term, k: i64) {
        match term {
            Term::Known(v) => self.constant += k * v as i64,
            Term::Unknown(i) => {
                if self.vars.len() <= i {
                    self.vars.resize(i + 1, 0);
                }
                self.vars[i] += k;
            }
        }
    }
}

#[cfg(test)]
mod tests;
