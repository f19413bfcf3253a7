use super::*;

fn table(cells: Vec<Vec<u64>>) -> CountTable {
    CountTable {
        rows: (0..cells.len()).map(|i| format!("r{i}")).collect(),
        cols: (0..cells[0].len()).map(|i| format!("c{i}")).collect(),
        cells,
    }
}

/// A table where hiding the small cells alone can be undone by subtraction.
fn attackable() -> CountTable {
    table(vec![vec![20, 3, 15], vec![12, 18, 9], vec![7, 25, 30]])
}

#[test]
fn naive_suppression_is_undone_by_subtraction() {
    let naive = primary_only(&attackable(), 5);
    assert_eq!(naive.text(0, 1), "<5");
    let recovered = recover_by_subtraction(&naive);
    assert_eq!(
        recovered,
        vec![(0, 1, 3)],
        "the row total minus the other cells gives the 3 back"
    );
    assert!(!is_protected(&naive));
}

#[test]
fn complementary_suppression_cannot_be_undone() {
    let safe = protect(&attackable(), 5);
    assert_eq!(safe.text(0, 1), "<5");
    assert!(recover_by_subtraction(&safe).is_empty());
    assert!(is_protected(&safe));
    // The protection hides the fewest and smallest counts it can: a rectangle.
    let hidden: usize = safe
        .grid
        .iter()
        .flatten()
        .filter(|s| matches!(s, Shown::Hidden { .. }))
        .count();
    assert_eq!(hidden, 4);
    // Margins stay published where possible.
    assert_eq!(safe.text(3, 3), "139");
}

#[test]
fn small_margins_are_protected_too() {
    // Row 1 holds only small counts, so its total (4) is small as well.
    let t = table(vec![vec![10, 20, 30], vec![1, 0, 3], vec![40, 50, 60]]);
    let safe = protect(&t, 5);
    assert_eq!(safe.text(1, 3), "<5");
    assert!(recover_by_subtraction(&safe).is_empty());
    assert!(is_protected(&safe));
}

#[test]
fn tables_without_small_counts_are_published_whole() {
    let t = table(vec![vec![10, 20], vec![30, 0]]);
    let safe = protect(&t, 5);
    assert!(
        safe.grid
            .iter()
            .flatten()
            .all(|s| matches!(s, Shown::Value(_)))
    );
    assert_eq!(safe.text(2, 2), "60");
}

#[test]
fn many_random_tables_are_always_protected() {
    // A small deterministic generator: no clock, no randomness from outside.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..300 {
        let rows = 2 + (next() % 6) as usize;
        let cols = 2 + (next() % 5) as usize;
        let cells = (0..rows)
            .map(|_| {
                (0..cols)
                    .map(|_| [0, 1, 2, 3, 4, 7, 12, 30][(next() % 8) as usize])
                    .collect()
            })
            .collect();
        let t = table(cells);
        let safe = protect(&t, 5);
        assert!(is_protected(&safe), "{t:?}");
        assert!(recover_by_subtraction(&safe).is_empty(), "{t:?}");
        // Every small count is hidden.
        for (r, row) in t.cells.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                if v > 0 && v < 5 {
                    assert!(matches!(safe.grid[r][c], Shown::Hidden { primary: true }));
                }
            }
        }
    }
}
