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
    verify(entries, Some(anchor), &TestSealer(7))
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
