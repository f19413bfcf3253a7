//! Statistical disclosure control for public tables: small-cell
//! suppression with complementary suppression.
//!
//! Pure: a table of counts in, the cells that may be shown out. A count
//! below the threshold (but not zero) is shown as "<N" (primary
//! suppression). That alone can be undone: a row total minus the shown
//! cells gives the hidden one back. So more cells are hidden
//! (complementary suppression) until every hidden cell lies on a cycle of
//! hidden cells in the table, margins included: then the published totals
//! admit other values for each hidden cell (add and subtract one round the
//! cycle), and no hidden cell can be worked out from the others. The
//! method is described in `docs/public-export.md`.

#![deny(missing_docs)]

/// A two-way table of counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    /// Labels of the rows (e.g. years).
    pub rows: Vec<String>,
    /// Labels of the columns (e.g. sex).
    pub cols: Vec<String>,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<u64>>,
}

/// A cell as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The count.
    Value(u64),
    /// Hidden: shown as "<threshold" when it is small, or as "x" when it
    /// is hidden only to protect another cell.
    Hidden {
        /// Whether the cell itself is small (primary) or hidden to protect
        /// another (complementary).
        primary: bool,
    },
}

/// A table ready to publish: cells and margins, some hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTable {
    /// Row labels.
    pub rows: Vec<String>,
    /// Column labels.
    pub cols: Vec<String>,
    /// The extended grid: `grid[r][c]` for the cells, `grid[r][cols]` the
    /// row totals, `grid[rows][c]` the column totals, `grid[rows][cols]` the
    /// grand total.
    pub grid: Vec<Vec<Shown>>,
    /// The threshold below which counts are hidden.
    pub threshold: u64,
}

impl PublishedTable {
    /// How a cell is written: the count, "<threshold", or "x".
    pub fn text(&self, r: usize, c: usize) -> String {
        match self.grid[r][c] {
            Shown::Value(v) => v.to_string(),
            Shown::Hidden { primary: true } => format!("<{}", self.threshold),
            Shown::Hidden { primary: false } => "x".to_owned(),
        }
    }
}

/// The extended grid of values, margins included.
fn extended(t: &CountTable) -> Vec<Vec<u64>> {
    let (nr, nc) = (t.rows.len(), t.cols.len());
    let mut g = vec![vec![0u64; nc + 1]; nr + 1];
    for r in 0..nr {
        for c in 0..nc {
            let v = t.cells[r][c];
            g[r][c] = v;
            g[r][nc] += v;
            g[nr][c] += v;
            g[nr][nc] += v;
        }
    }
    g
}

fn is_small(v: u64, threshold: u64) -> bool {
    v > 0 && v < threshold
}

/// Primary suppression only: hides small counts, margins included. Not
/// safe on its own; kept to show why (and for tests).
pub fn primary_only(t: &CountTable, threshold: u64) -> PublishedTable {
    let g = extended(t);
    let grid = g
        .iter()
        .map(|row| {
            row.iter()
                .map(|&v| {
                    if is_small(v, threshold) {
                        Shown::Hidden { primary: true }
                    } else {
                        Shown::Value(v)
                    }
                })
                .collect()
        })
        .collect();
    PublishedTable {
        rows: t.rows.clone(),
        cols: t.cols.clone(),
        grid,
        threshold,
    }
}

/// Whether hidden cell (r, c) lies on a cycle of hidden cells: a path
/// through hidden cells alternating between rows and columns from row r
/// back to column c without using (r, c) itself. Rows and columns of the
/// extended grid are the vertices of a bipartite graph whose edges are the
/// hidden cells.
fn on_cycle(hidden: &[Vec<bool>], r: usize, c: usize) -> bool {
    let (nr, nc) = (hidden.len(), hidden[0].len());
    // Breadth-first search from row r to column c, skipping the edge (r, c).
    let mut seen_rows = vec![false; nr];
    let mut seen_cols = vec![false; nc];
    let mut queue = vec![(true, r)];
    seen_rows[r] = true;
    while let Some((is_row, i)) = queue.pop() {
        if is_row {
            for j in 0..nc {
                if hidden[i][j] && !(i == r && j == c) && !seen_cols[j] {
                    if j == c {
                        return true;
                    }
                    seen_cols[j] = true;
                    queue.push((false, j));
                }
            }
        } else {
            for (k, row) in hidden.iter().enumerate() {
                if row[i] && !(k == r && i == c) && !seen_rows[k] {
                    seen_rows[k] = true;
                    queue.push((true, k));
                }
            }
        }
    }
    false
}

/// Suppresses small counts and enough other cells that none can be worked
/// out from the published ones.
pub fn protect(t: &CountTable, threshold: u64) -> PublishedTable {
    let g = extended(t);
    let (nr, nc) = (g.len(), g[0].len());
    let mut hidden: Vec<Vec<bool>> = g
        .iter()
        .map(|row| row.iter().map(|&v| is_small(v, threshold)).collect())
        .collect();
    let primary = hidden.clone();
    // Each pass protects one exposed hidden cell by hiding the cheapest
    // rectangle through it; a rectangle makes a cycle, so it always helps
    // and the loop ends (at worst everything is hidden).
    loop {
        let exposed = (0..nr)
            .flat_map(|r| (0..nc).map(move |c| (r, c)))
            .find(|&(r, c)| hidden[r][c] && !on_cycle(&hidden, r, c));
        let Some((r, c)) = exposed else { break };
        let mut best: Option<(u64, usize, usize)> = None;
        for r2 in (0..nr).filter(|&x| x != r) {
            for c2 in (0..nc).filter(|&x| x != c) {
                // What hiding this rectangle costs: the counts newly hidden,
                // with margins (which carry more information) weighted up.
                let cost: u64 = [(r, c2), (r2, c), (r2, c2)]
                    .iter()
                    .filter(|&&(a, b)| !hidden[a][b])
                    .map(|&(a, b)| {
                        let margin = a == nr - 1 || b == nc - 1;
                        g[a][b]
                            .saturating_add(1)
                            .saturating_mul(if margin { 1000 } else { 1 })
                    })
                    .sum();
                if best.is_none_or(|(b, _, _)| cost < b) {
                    best = Some((cost, r2, c2));
                }
            }
        }
        let Some((_, r2, c2)) = best else {
            // A 1-by-1 grid cannot occur (margins always add a row and a column).
            break;
        };
        hidden[r][c2] = true;
        hidden[r2][c] = true;
        hidden[r2][c2] = true;
    }
    let grid = (0..nr)
        .map(|r| {
            (0..nc)
                .map(|c| {
                    if hidden[r][c] {
                        Shown::Hidden {
                            primary: primary[r][c],
                        }
                    } else {
                        Shown::Value(g[r][c])
                    }
                })
                .collect()
        })
        .collect();
    PublishedTable {
        rows: t.rows.clone(),
        cols: t.cols.clone(),
        grid,
        threshold,
    }
}

// Rows and columns are walked by index on purpose: each step reads across
// both directions of the grid.
#[allow(clippy::needless_range_loop)]
/// What an attacker recovers by subtraction: repeatedly, in any row or
/// column (margins included) with exactly one hidden cell, that cell is the
/// total minus the others. Returns the hidden cells so recovered. A safe
/// table gives none back.
pub fn recover_by_subtraction(p: &PublishedTable) -> Vec<(usize, usize, u64)> {
    let nr = p.grid.len();
    let nc = p.grid[0].len();
    let mut known: Vec<Vec<Option<u64>>> = p
        .grid
        .iter()
        .map(|row| {
            row.iter()
                .map(|s| {
                    if let Shown::Value(v) = s {
                        Some(*v)
                    } else {
                        None
                    }
                })
                .collect()
        })
        .collect();
    let mut recovered = Vec::new();
    loop {
        let mut progress = false;
        // Rows: cells 0..nc-1 sum to the last.
        for r in 0..nr {
            let unknown: Vec<usize> = (0..nc).filter(|&c| known[r][c].is_none()).collect();
            if let [c] = unknown[..] {
                let parts: i128 = (0..nc - 1)
                    .filter(|&x| x != c)
                    .map(|x| known[r][x].unwrap_or(0) as i128)
                    .sum();
                let v = if c == nc - 1 {
                    parts
                } else {
                    known[r][nc - 1].unwrap_or(0) as i128 - parts
                };
                known[r][c] = Some(v.max(0) as u64);
                recovered.push((r, c, v.max(0) as u64));
                progress = true;
            }
        }
        for c in 0..nc {
            let unknown: Vec<usize> = (0..nr).filter(|&r| known[r][c].is_none()).collect();
            if let [r] = unknown[..] {
                let parts: i128 = (0..nr - 1)
                    .filter(|&x| x != r)
                    .map(|x| known[x][c].unwrap_or(0) as i128)
                    .sum();
                let v = if r == nr - 1 {
                    parts
                } else {
                    known[nr - 1][c].unwrap_or(0) as i128 - parts
                };
                known[r][c] = Some(v.max(0) as u64);
                recovered.push((r, c, v.max(0) as u64));
                progress = true;
            }
        }
        if !progress {
            return recovered;
        }
    }
}

/// Whether every hidden cell lies on a cycle of hidden cells, so that no
/// linear combination of published counts determines it.
pub fn is_protected(p: &PublishedTable) -> bool {
    let hidden: Vec<Vec<bool>> = p
        .grid
        .iter()
        .map(|row| {
            row.iter()
                .map(|s| matches!(s, Shown::Hidden { .. }))
                .collect()
        })
        .collect();
    (0..hidden.len())
        .all(|r| (0..hidden[0].len()).all(|c| !hidden[r][c] || on_cycle(&hidden, r, c)))
}

#[cfg(test)]
mod tests;
