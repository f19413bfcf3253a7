use refwatch_domain::Confidentiality;

use super::*;

const POLICY: &str = include_str!("../../../docs/policy.md");

fn principal(code: &str) -> Principal {
    if code == "public" {
        Principal::Public
    } else {
        Principal::Account(Role::from_code(code).unwrap())
    }
}

/// The rows of the markdown table whose header starts with `first_header`.
fn table(first_header: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = POLICY
        .lines()
        .skip_while(|l| !l.starts_with(&format!("| {first_header} |")));
    let cells = |l: &str| {
        l.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect::<Vec<_>>()
    };
    let header = cells(lines.next().expect("table header"));
    let rows = lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(cells)
        .collect();
    (header, rows)
}

#[test]
fn every_record_operation_matches_the_written_policy() {
    let (header, rows) = table("principal | level");
    assert_eq!(rows.len(), 15, "5 principals x 3 levels");
    let mut cases = 0;
    for row in rows {
        let who = principal(&row[0]);
        let level = Confidentiality::from_code(&row[1]).unwrap();
        for (col, op) in header.iter().zip(&row).skip(2) {
            let operation = Operation::ALL
                .into_iter()
                .find(|o| o.code() == col)
                .unwrap();
            let expected = if op == "allow" {
                Decision::Allow
            } else {
                Decision::Deny
            };
            assert_eq!(
                decide(who, operation, level),
                expected,
                "{} {} {col}",
                row[0],
                row[1]
            );
            cases += 1;
        }
    }
    assert_eq!(cases, 105);
}

#[test]
fn every_system_operation_matches_the_written_policy() {
    let (header, rows) = table("principal | manage_users");
    assert_eq!(rows.len(), 5);
    for row in rows {
        let who = principal(&row[0]);
        for (col, cell) in header.iter().zip(&row).skip(1) {
            let op = match col.as_str() {
                "manage_users" => AdminOperation::ManageUsers,
                "manage_keys" => AdminOperation::ManageKeys,
                "read_audit" => AdminOperation::ReadAudit,
                "verify_evidence" => AdminOperation::VerifyEvidence,
                other => panic!("unknown column {other}"),
            };
            assert_eq!(
                decide_admin(who, op).allowed(),
                cell == "allow",
                "{} {col}",
                row[0]
            );
        }
    }
}

#[test]
fn every_linkage_operation_matches_the_written_policy() {
    let (header, rows) = table("principal | run_linkage");
    assert_eq!(rows.len(), 5);
    let mut cases = 0;
    for row in rows {
        let who = principal(&row[0]);
        for (col, cell) in header.iter().zip(&row).skip(1) {
            let op = LinkOperation::ALL
                .into_iter()
                .find(|o| o.code() == col)
                .unwrap_or_else(|| panic!("unknown column {col}"));
            assert_eq!(
                decide_linkage(who, op).allowed(),
                cell == "allow",
                "{} {col}",
                row[0]
            );
            cases += 1;
        }
    }
    assert_eq!(cases, 15);
}

#[test]
fn identities_are_never_readable_by_analysts_viewers_or_the_public() {
    for who in [
        Principal::Public,
        Principal::Account(Role::Analyst),
        Principal::Account(Role::Viewer),
    ] {
        for level in Confidentiality::ALL {
            assert_eq!(decide(who, Operation::ReadIdentity, level), Decision::Deny);
        }
    }
}
