use super::*;

fn table(cells: Vec<Vec<u64>>) -> CountTable {
    CountTable {
        rows: (0..cells.len()).map(|i| format!("{}", 2000 + i)).collect(),
        cols: (0..cells[0].len()).map(|i| format!("c{i}")).collect(),
        cells,
        unknown: None,
    }
}

/// The narrowest hidden cell the attacker finds, over all tables.
fn narrowest(published: &[PublishedTable]) -> Option<Interval> {
    attack(published)
        .expect("the attacker's program solves")
        .into_iter()
        .min_by_key(Interval::width)
}

fn assert_safe(published: &[PublishedTable], t: u64, what: &str) {
    if let Some(i) = narrowest(published) {
        assert!(
            i.width() >= t,
            "{what}: hidden cell {i:?} narrowed below {t}"
        );
    }
}

/// A table where hiding the small cells alone can be undone.
fn attackable() -> CountTable {
    table(vec![vec![20, 3, 15], vec![12, 18, 9], vec![7, 25, 30]])
}

#[test]
fn hiding_only_the_small_counts_is_undone_by_the_attacker() {
    // What refwatch published before: the small cell alone hidden.
    let t = attackable();
    let values = extended(&t, &group_rows(&[38, 39, 62], 5));
    let grid = values
        .iter()
        .map(|row| {
            row.iter()
                .map(|&v| {
                    if v > 0 && v < 5 {
                        Shown::Hidden
                    } else {
                        Shown::Value(v)
                    }
                })
                .collect()
        })
        .collect();
    let naive = PublishedTable {
        rows: t.rows.clone(),
        cols: t.cols.clone(),
        grid,
        threshold: 5,
    };
    let i = narrowest(&[naive]).unwrap();
    assert_eq!((i.row, i.col, i.min, i.max), (0, 1, 3, Some(3)));
}

#[test]
fn protected_cells_stay_at_least_the_threshold_wide() {
    let safe = protect(&attackable(), 5).unwrap();
    assert_eq!(safe.text(0, 1), "x");
    assert_safe(std::slice::from_ref(&safe), 5, "attackable");
    // Totals stay published.
    assert_eq!(safe.text(3, 3), "139");
    assert_eq!(safe.text(0, 3), "38");
}

#[test]
fn a_year_whose_people_all_share_one_value_does_not_say_so() {
    // 2001: all six people are in c1; the zeros beside them would say so.
    let t = table(vec![vec![10, 20, 30], vec![0, 6, 0], vec![40, 50, 60]]);
    let safe = protect(&t, 5).unwrap();
    assert_eq!(safe.text(1, 1), "x");
    assert_safe(std::slice::from_ref(&safe), 5, "whole row");
}

#[test]
fn a_whole_year_of_unknowns_says_nothing_and_stays_shown() {
    let mut t = table(vec![vec![10, 20, 30], vec![0, 0, 6], vec![40, 50, 60]]);
    t.unknown = Some(2);
    let safe = protect(&t, 5).unwrap();
    assert_eq!(safe.hidden(), 0);
}

#[test]
fn small_years_are_merged_until_each_reaches_the_threshold() {
    assert_eq!(group_rows(&[10, 2, 1, 3, 8], 5), vec![0..1, 1..4, 4..5]);
    // A short remainder joins the group before it.
    assert_eq!(group_rows(&[10, 8, 2], 5), vec![0..1, 1..3]);
    // Fewer people than the threshold in all: one group.
    assert_eq!(group_rows(&[1, 2], 5), vec![0..2]);
    // Years with nobody stay apart and say nothing.
    assert_eq!(group_rows(&[0, 7, 0], 5), vec![0..1, 1..2, 2..3]);
    let t = table(vec![
        vec![10, 20],
        vec![1, 1],
        vec![0, 2],
        vec![1, 0],
        vec![5, 3],
    ]);
    let safe = protect(&t, 5).unwrap();
    assert_eq!(safe.rows, ["2000", "2001–2003", "2004"]);
    assert_safe(std::slice::from_ref(&safe), 5, "merged");
}

#[test]
fn fewer_people_than_the_threshold_shows_nothing() {
    let safe = protect(&table(vec![vec![1, 2], vec![0, 1]]), 5).unwrap();
    // The two years are merged into one row: its cells, totals, all.
    assert_eq!(safe.rows, ["2000–2001"]);
    assert_eq!(safe.hidden(), 2 * 3);
}

#[test]
fn tables_without_small_counts_are_published_whole() {
    let t = table(vec![vec![10, 20], vec![30, 5]]);
    let safe = protect(&t, 5).unwrap();
    assert_eq!(safe.hidden(), 0);
    assert_eq!(safe.text(2, 2), "65");
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    assert_eq!(protect(&attackable(), 1), Err(DisclosureError::Threshold));
    let mut other = attackable();
    other.cells[0][0] += 1;
    assert_eq!(
        protect_linked(&[attackable(), other], 5),
        Err(DisclosureError::RowsDiffer)
    );
    let mut ragged = attackable();
    ragged.cells[1].pop();
    assert_eq!(protect(&ragged, 5), Err(DisclosureError::Ragged(1)));
}

/// A small deterministic generator: no clock, no randomness from outside.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Three tables of the same people (one list, three attributes), rows by
/// year, many years small.
fn linked(rng: &mut Xorshift) -> Vec<CountTable> {
    let years = 1 + (rng.next() % 12) as usize;
    let widths = [3usize, 5, 7];
    let mut tables: Vec<CountTable> = widths
        .iter()
        .map(|&w| {
            let mut t = table(vec![vec![0; w]; years]);
            t.unknown = Some(w - 1);
            t
        })
        .collect();
    for y in 0..years {
        let people = [0, 1, 2, 3, 4, 6, 9, 25][(rng.next() % 8) as usize];
        for _ in 0..people {
            for t in &mut tables {
                let w = t.cols.len() as u64;
                // Skewed: most people in the first columns.
                let c = (rng.next() % w).min(rng.next() % w) as usize;
                t.cells[y][c] += 1;
            }
        }
    }
    tables
}

#[test]
fn the_attacker_narrows_no_hidden_cell_of_many_linked_tables() {
    let mut rng = Xorshift(0x2545_f491_4f6c_dd1d);
    let mut hidden = 0;
    for n in 0..120 {
        let tables = linked(&mut rng);
        let published = protect_linked(&tables, 5).unwrap();
        // Every count shown is zero or at least the threshold.
        for p in &published {
            for (r, row) in p.grid.iter().enumerate() {
                for (c, s) in row.iter().enumerate() {
                    if let Shown::Value(v) = s {
                        assert!(*v == 0 || *v >= 5, "set {n}: ({r}, {c}) shows {v}");
                    }
                }
            }
            hidden += p.hidden();
        }
        assert_safe(&published, 5, &format!("set {n}"));
    }
    assert!(hidden > 100, "the sets hide cells at all ({hidden})");
}
