use refwatch_domain::Timestamp;

use super::*;

/// A stand-in keyed MAC for tests: not cryptographic, but keyed, so a
/// "forger" with another key produces other seals.
struct TestSealer(u8);

impl Sealer for TestSealer {
    fn mac(&self, bytes: &[u8]) -> [u8; 32] {
        let mut out = [self.0; 32];
        for (i, b) in bytes.iter().enumerate() {
            out[i % 32] = out[i % 32].wrapping_mul(31).wrapping_add(*b);
        }
        out
    }
}

fn event(n: i64) -> AuditEvent {
    AuditEvent {
        at: Timestamp(1_700_000_000 + n),
        actor: "operator".into(),
        action: "create".into(),
        target_kind: Some("incident".into()),
        target_id: Some(format!("id-{n}")),
        detail: String::new(),
    }
}

fn log(n: i64) -> (Vec<AuditEntry>, AuditAnchor) {
    let s = TestSealer(7);
    let mut entries: Vec<AuditEntry> = Vec::new();
    for i in 0..n {
        let e = seal_next(entries.last(), event(i), &s);
        entries.push(e);
    }
    let anchor = seal_anchor(entries.last(), &s);
    (entries, anchor)
}

fn check(entries: &[AuditEntry], anchor: &AuditAnchor) -> Vec<String> {
    // As a database from before the kept copy: no keyring copy expected.
    let expect = Expect {
        kept: None,
        keyring: false,
        holds_data: true,
    };
    verify(entries, Some(anchor), &expect, &TestSealer(7))
        .iter()
        .map(|f| f.to_string())
        .collect()
}

#[test]
fn an_intact_log_verifies() {
    let (entries, anchor) = log(5);
    assert!(check(&entries, &anchor).is_empty());
    assert_eq!(head(&entries), anchor.head);
}

#[test]
fn an_edit_is_found_at_its_position() {
    let (mut entries, anchor) = log(5);
    entries[2].event.target_id = Some("other".into());
    assert_eq!(
        check(&entries, &anchor),
        vec!["entry 3: its content does not match its seal; it was edited or forged"]
    );
}

#[test]
fn a_forged_reseal_without_the_key_is_found() {
    let (mut entries, anchor) = log(5);
    entries[2].event.detail = "forged".into();
    let forged = seal_next(Some(&entries[1]), entries[2].event.clone(), &TestSealer(99));
    entries[2] = forged;
    assert!(
        check(&entries, &anchor)[0].starts_with("entry 3: its content does not match its seal")
    );
}

#[test]
fn a_deletion_is_found_where_it_happened() {
    let (mut entries, anchor) = log(5);
    entries.remove(1);
    let found = check(&entries, &anchor);
    assert!(
        found[0].starts_with("entry 2: holds sequence number 3"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("entry 2: does not follow"))
    );
}

#[test]
fn an_insertion_is_found_where_it_happened() {
    let (mut entries, anchor) = log(5);
    let mut inserted = entries[1].clone();
    inserted.event.action = "delete".into();
    entries.insert(2, inserted);
    // Renumber as an attacker would, to keep the sequence tidy.
    for (i, e) in entries.iter_mut().enumerate() {
        e.seq = i as u64 + 1;
    }
    let found = check(&entries, &anchor);
    assert!(found[0].starts_with("entry 3:"), "{found:?}");
}

#[test]
fn a_reordering_is_found_where_it_happened() {
    let (mut entries, anchor) = log(5);
    entries.swap(1, 3);
    let found = check(&entries, &anchor);
    assert!(
        found[0].starts_with("entry 2: holds sequence number 4"),
        "{found:?}"
    );
}

#[test]
fn truncation_is_found_by_the_anchor() {
    let (mut entries, anchor) = log(5);
    entries.truncate(3);
    assert_eq!(
        check(&entries, &anchor),
        vec![
            "the anchor records 5 entries but 3 are present; entries were removed from (or added after) the end"
        ]
    );
    let mut forged = anchor.clone();
    forged.count = 3;
    forged.head = entries[2].seal.clone();
    assert!(
        check(&entries, &forged)
            .contains(&"the anchor's seal is wrong; it was edited or forged".to_owned())
    );
}

#[test]
fn a_wiped_log_fails_whenever_the_database_holds_anything() {
    let s = TestSealer(7);
    let (_, kept) = log(5);
    // Every entry and the anchor deleted; the keyring's copy still says 5.
    let holding = Expect {
        kept: Some(kept.clone()),
        keyring: true,
        holds_data: true,
    };
    let found: Vec<Finding> = verify(&[], None, &holding, &s);
    assert!(found.contains(&Finding::Wiped), "{found:?}");
    assert!(found.contains(&Finding::KeptDiffers {
        kept: 5,
        present: 0
    }));
    // The copy removed too: the keyring alone says a log must exist.
    let no_copy = Expect {
        kept: None,
        ..holding.clone()
    };
    assert_eq!(verify(&[], None, &no_copy, &s), [Finding::Wiped]);
    // Without the key, the counts tell the same.
    assert!(verify_counts(0, None, &holding).contains(&Finding::Wiped));
    // A new, empty database has nothing to answer for.
    assert!(verify(&[], None, &Expect::default(), &s).is_empty());
}

#[test]
fn a_shortened_log_with_an_older_anchor_is_caught_by_the_kept_copy() {
    let s = TestSealer(7);
    let (entries, anchor) = log(6);
    let (_, older) = log(4);
    let expect = Expect {
        kept: Some(anchor),
        keyring: true,
        holds_data: true,
    };
    // The last two entries removed and an older anchor put back in place.
    let found = verify(&entries[..4], Some(&older), &expect, &s);
    assert_eq!(
        found,
        [Finding::KeptDiffers {
            kept: 6,
            present: 4
        }]
    );
    assert_eq!(
        verify_counts(4, Some(&older), &expect),
        [Finding::KeptDiffers {
            kept: 6,
            present: 4
        }]
    );
    // The kept copy removed while entries exist.
    let gone = Expect {
        kept: None,
        ..expect
    };
    assert_eq!(
        verify(&entries, Some(&seal_anchor(entries.last(), &s)), &gone, &s),
        [Finding::KeptMissing]
    );
}
