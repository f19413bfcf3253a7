//! Protection as a user meets it: no identity in the files on disk or in a
//! public export, a tamper-evident audit log, and clear errors about keys.

use std::path::Path;

use crate::support::{DataDir, write_temp};

/// Generated people: these names must never be found on disk in the clear.
const NAMES: [&str; 6] = [
    "Pak Generated-Sun",
    "박생성",
    "朴生成",
    "Ri Testname",
    "리시험",
    "2001-02-03",
];

fn people_file() -> String {
    format!(
        r#"{{"format": "refwatch-dataset", "version": 1,
            "sources": [{{"id": "key:s", "kind": "testimony", "title": "Generated interview", "confidentiality": "confidential"}}],
            "persons": [
              {{"id": "key:p1", "identity": {{"name_romanized": "{}", "name_hangul": "{}", "name_chinese": "{}", "birth_date": "{}"}},
                "sex": "female", "category": "dprk_national", "timeline": [{{"date": "2023-10-09", "status": "repatriated"}}], "confidentiality": "confidential"}},
              {{"id": "key:p2", "identity": {{"name_romanized": "{}", "name_hangul": "{}"}}, "sex": "male", "confidentiality": "restricted"}}
            ]}}"#,
        NAMES[0], NAMES[1], NAMES[2], NAMES[5], NAMES[3], NAMES[4]
    )
}

fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_below(&path))
        } else {
            out.push(path)
        }
    }
    out
}

fn hits(files: &[std::path::PathBuf]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        let bytes = std::fs::read(f).unwrap();
        for name in NAMES {
            if bytes.windows(name.len()).any(|w| w == name.as_bytes()) {
                found.push(format!("{} in {}", name, f.display()));
            }
        }
    }
    found
}

/// The demo with the generated people imported.
fn demo_with_people() -> (DataDir, tempfile::TempDir) {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    dir.ok(&[
        "import",
        write_temp(&tmp, "people.json", &people_file())
            .to_str()
            .unwrap(),
    ]);
    (dir, tmp)
}

#[test]
fn no_identity_is_on_disk_in_the_clear_nor_in_a_public_export() {
    let (dir, tmp) = demo_with_people();
    // The names are really there, behind the key.
    let full = dir.export();
    for name in NAMES {
        assert!(
            full.contains(name),
            "{name} should come back in a full export"
        );
    }
    let public = tmp.path().join("public");
    dir.ok(&["export", "--public", "--out", public.to_str().unwrap()]);
    // Every file of the data directory (database, WAL, shared memory) and of the public export.
    let mut files = files_below(&dir.path);
    assert!(files.iter().any(|f| f.ends_with("refwatch.db")));
    files.extend(files_below(&public));
    assert_eq!(hits(&files), Vec::<String>::new());
    // The public tables count the two people without naming them.
    let by_sex = std::fs::read_to_string(public.join("people-by-year-and-sex.csv")).unwrap();
    assert!(by_sex.contains(",x,"), "{by_sex}");
}

#[test]
fn a_missing_or_wrong_key_gives_a_clear_error_and_changes_nothing() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let before = dir.audit_count();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.json");

    let run = dir.run_with(&["export", "--out", out.to_str().unwrap()], &[]);
    assert!(!run.success());
    assert!(
        run.stderr().contains(
            "this needs the data directory's key: pass --key-file PATH or set REFWATCH_PASSPHRASE"
        ),
        "{}",
        run.stderr()
    );

    let other = tmp.path().join("other.key");
    let run = dir.run_with(&["init"], &[("REFWATCH_KEY_FILE", other.to_str().unwrap())]);
    assert!(
        !run.success(),
        "init must refuse a data directory that holds data"
    );
    let wrong = DataDir::new();
    wrong.ok(&["init"]);
    let run = dir.run_with(
        &["export", "--out", out.to_str().unwrap()],
        &[("REFWATCH_KEY_FILE", wrong.key.to_str().unwrap())],
    );
    assert!(!run.success());
    assert!(
        run.stderr()
            .contains("the key does not match this data directory"),
        "{}",
        run.stderr()
    );
    let run = dir.run_with(
        &["export", "--out", out.to_str().unwrap()],
        &[("REFWATCH_PASSPHRASE", "a passphrase that was never set")],
    );
    assert!(!run.success());
    assert!(
        run.stderr()
            .contains("the key does not match this data directory"),
        "{}",
        run.stderr()
    );

    assert!(!out.exists(), "nothing may be written");
    assert_eq!(
        dir.audit_count(),
        before,
        "nothing may be logged by a refused key"
    );
}

#[test]
fn a_corrupted_ciphertext_is_refused_and_not_decrypted() {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let tmp = tempfile::tempdir().unwrap();
    dir.ok(&[
        "import",
        write_temp(&tmp, "people.json", &people_file())
            .to_str()
            .unwrap(),
    ]);
    dir.sql(&["UPDATE person_identity SET ciphertext = X'00' || substr(ciphertext, 2)"]);
    let out = tmp.path().join("out.json");
    let run = dir.run(&["export", "--out", out.to_str().unwrap()]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("failed its authenticity check"),
        "{}",
        run.stderr()
    );
    assert!(!out.exists());
    for name in NAMES {
        assert!(!run.stderr().contains(name) && !run.stdout().contains(name));
    }
}

#[test]
fn the_key_file_must_live_outside_the_data_directory() {
    let dir = DataDir::new();
    let inside = dir.path.join("key");
    let run = dir.run_with(
        &["init"],
        &[("REFWATCH_KEY_FILE", inside.to_str().unwrap())],
    );
    assert!(!run.success());
    assert!(
        run.stderr().contains("is inside the data directory"),
        "{}",
        run.stderr()
    );
}

#[test]
fn key_rotation_replaces_the_key_file_and_reseals_identities() {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let tmp = tempfile::tempdir().unwrap();
    dir.ok(&[
        "import",
        write_temp(&tmp, "people.json", &people_file())
            .to_str()
            .unwrap(),
    ]);
    let before = dir.export();
    let new_key = tmp.path().join("new.key");
    dir.ok(&[
        "keys",
        "rotate",
        "--new-key-file",
        new_key.to_str().unwrap(),
    ]);
    let old = dir.run(&["export", "--out", "-"]);
    assert!(!old.success(), "the old key must no longer open the data");
    let with_new = [("REFWATCH_KEY_FILE", new_key.to_str().unwrap())];
    let after = dir.run_with(&["export", "--out", "-"], &with_new);
    assert!(after.success(), "{}", after.stderr());
    assert_eq!(after.stdout(), before);
    let run = dir.run_with(&["keys", "rotate", "--data-key"], &with_new);
    assert!(run.success(), "{}", run.stderr());
    assert!(run.stdout().contains("2 re-encrypted"), "{}", run.stdout());
    assert_eq!(
        dir.run_with(&["export", "--out", "-"], &with_new).stdout(),
        before
    );
    assert!(dir.run_with(&["audit", "verify"], &with_new).success());
}

/// Runs `audit verify` after `tamper` and returns what it said.
fn tampered(tamper: &[&'static str]) -> (bool, String) {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    assert!(dir.run(&["audit", "verify"]).success());
    dir.sql(tamper);
    let run = dir.run(&["audit", "verify"]);
    (run.success(), run.stderr())
}

#[test]
fn audit_verify_finds_an_edited_entry_where_it_is() {
    let (ok, err) = tampered(&["UPDATE audit_log SET target_id = 'someone else' WHERE seq = 7"]);
    assert!(!ok);
    assert!(
        err.contains("entry 7: its content does not match its seal; it was edited or forged"),
        "{err}"
    );
}

#[test]
fn audit_verify_finds_a_deleted_entry_where_it_was() {
    let (ok, err) = tampered(&["DELETE FROM audit_log WHERE seq = 5"]);
    assert!(!ok);
    assert!(err.contains("entry 5: holds sequence number 6"), "{err}");
}

#[test]
fn audit_verify_finds_an_inserted_entry_where_it_was_put() {
    let (ok, err) = tampered(&[
        // Make room at 4 by moving every later entry up one, as a careful forger would.
        "UPDATE audit_log SET seq = -seq WHERE seq >= 4",
        "UPDATE audit_log SET seq = -seq + 1 WHERE seq < 0",
        "INSERT INTO audit_log (seq, at, actor, action, target_kind, target_id, detail, prev_seal, seal)
         SELECT 4, at, actor, 'delete', target_kind, target_id, detail, seal, seal FROM audit_log WHERE seq = 3",
    ]);
    assert!(!ok);
    let first = err.lines().nth(1).unwrap_or_default();
    assert!(first.contains("entry 4:"), "{err}");
}

#[test]
fn audit_verify_finds_reordered_entries() {
    let (ok, err) = tampered(&[
        "UPDATE audit_log SET seq = -1 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 8",
        "UPDATE audit_log SET seq = 8 WHERE seq = -1",
    ]);
    assert!(!ok);
    let first = err.lines().nth(1).unwrap_or_default();
    assert!(first.contains("entry 3:"), "{err}");
    assert!(err.contains("entry 8:"), "{err}");
}

#[test]
fn audit_verify_finds_a_truncated_log() {
    let (ok, err) =
        tampered(&["DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) - 3 FROM audit_log)"]);
    assert!(!ok);
    assert!(err.contains("entries but"), "{err}");
    assert!(
        err.contains("removed from (or added after) the end"),
        "{err}"
    );
}

#[test]
fn a_wiped_audit_log_fails_verify_and_check_with_or_without_the_key() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    dir.sql(&["DELETE FROM audit_log", "DELETE FROM audit_anchor"]);
    let verify = dir.run(&["audit", "verify"]);
    assert!(!verify.success());
    assert!(
        verify.stderr().contains("it was wiped"),
        "{}",
        verify.stderr()
    );
    let check = dir.run(&["check"]);
    assert!(!check.success(), "{}", check.stdout());
    assert!(
        check.stderr().contains("audit log: the log is empty"),
        "{}",
        check.stderr()
    );
    let keyless = dir.run_with(&["check"], &[]);
    assert!(!keyless.success(), "{}", keyless.stdout());
    assert!(
        keyless.stderr().contains("it was wiped"),
        "{}",
        keyless.stderr()
    );
    // The copy kept with the keyring cleared as well: the keyring alone
    // still says that a log must exist.
    dir.sql(&["UPDATE keyring SET audit_count = NULL, audit_head = NULL, audit_seal = NULL"]);
    assert!(!dir.run_with(&["check"], &[]).success());
}

#[test]
fn a_log_cut_back_to_an_older_anchor_fails_by_the_copy_kept_with_the_keyring() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    // Keep the anchor as it is now, add entries, then cut them off and put
    // the old anchor back, as someone with a copy of the file could.
    dir.sql(&["CREATE TABLE old_anchor AS SELECT * FROM audit_anchor"]);
    dir.ok(&["export", "--out", "-"]);
    dir.sql(&[
        "DELETE FROM audit_log WHERE seq > (SELECT count FROM old_anchor)",
        "DELETE FROM audit_anchor",
        "INSERT INTO audit_anchor SELECT * FROM old_anchor",
        "DROP TABLE old_anchor",
    ]);
    let verify = dir.run(&["audit", "verify"]);
    assert!(!verify.success());
    assert!(
        verify
            .stderr()
            .contains("the copy kept with the keyring records"),
        "{}",
        verify.stderr()
    );
    assert!(!dir.run_with(&["check"], &[]).success());
}

#[test]
fn audit_show_filters_and_never_names_people() {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let tmp = tempfile::tempdir().unwrap();
    dir.ok(&[
        "import",
        write_temp(&tmp, "people.json", &people_file())
            .to_str()
            .unwrap(),
    ]);
    dir.export();
    let all = dir.ok(&["audit", "show"]);
    for name in NAMES {
        assert!(!all.contains(name));
    }
    let exports = dir.ok(&["audit", "show", "--action", "export_full"]);
    assert_eq!(exports.lines().count(), 1, "{exports}");
    assert!(exports.contains("operator  export_full"));
    let last = dir.ok(&["audit", "show", "--last", "2"]);
    assert_eq!(last.lines().count(), 2);
}

#[test]
fn users_are_managed_from_the_console() {
    let dir = DataDir::new();
    let out = dir.ok(&["init", "--admin", "chief"]);
    assert!(
        out.contains("Administrator account: chief, one-time password: "),
        "{out}"
    );
    let added = dir.ok(&["user", "add", "kim.doc", "--role", "editor"]);
    assert!(added.contains("One-time password: "));
    dir.ok(&["user", "set-role", "kim.doc", "analyst"]);
    dir.ok(&["user", "disable", "kim.doc"]);
    let list = dir.ok(&["user", "list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("kim.doc") && l.contains("analyst") && l.contains("disabled")),
        "{list}"
    );
    dir.ok(&["user", "enable", "kim.doc"]);
    let reset = dir.ok(&["user", "reset-password", "kim.doc"]);
    assert!(reset.contains("New one-time password for kim.doc"));
    let run = dir.run(&["user", "add", "kim.doc", "--role", "viewer"]);
    assert!(!run.success());
    assert!(run.stderr().contains("a user named kim.doc already exists"));
    let run = dir.run(&["user", "disable", "nobody"]);
    assert!(run.stderr().contains("there is no user named nobody"));
    let run = dir.run(&["user", "add", "has space", "--role", "viewer"]);
    assert!(run.stderr().contains("a username is 1 to 64 letters"));
    let audit = dir.ok(&["audit", "show", "--action", "user_set_role"]);
    assert_eq!(audit.lines().count(), 1);
}

#[test]
fn check_reports_a_planted_name_where_it_is_and_publishing_withholds_it() {
    let (dir, tmp) = demo_with_people();
    dir.ok(&["check"]);
    // A documenter writes the restricted person's name, sealed in Hangul,
    // romanised into a public incident's title.
    let planted = r#"{"format": "refwatch-dataset", "version": 1,
        "sources": [{"id": "key:news", "kind": "media", "title": "Generated news item", "confidentiality": "public"}],
        "incidents": [{"id": "key:planted", "kind": "arrest", "title": "Arrest of Ri Si-heom in Yanji",
          "date": "2024-03", "victims": {"low": 1}, "verification": "single_source", "confidentiality": "public",
          "citations": [{"id": "key:planted-c", "source": "key:news", "locator": "para. 2", "quote": "one person was taken"}]}]}"#;
    dir.ok(&[
        "import",
        write_temp(&tmp, "planted.json", planted).to_str().unwrap(),
    ]);
    let out = dir.ok(&["check"]);
    let planted = dir.export();
    let full: serde_json::Value = serde_json::from_str(&planted).unwrap();
    let planted_id = full["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"].as_str().unwrap().contains("Si-heom"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        out.lines()
            .any(|l| l.contains(&planted_id) && l.contains(".title")),
        "{out}"
    );
    assert!(!out.contains("Si-heom") && !out.contains("리시험"), "{out}");
    // The public export and the brief withhold it.
    let public = tmp.path().join("public");
    dir.ok(&["export", "--public", "--out", public.to_str().unwrap()]);
    let csv = std::fs::read_to_string(public.join("incidents.csv")).unwrap();
    assert!(
        csv.contains("Arrest of [withheld · 비공개] in Yanji"),
        "{csv}"
    );
    assert!(!csv.contains("Si-heom"));
    let brief = tmp.path().join("brief.html");
    dir.ok(&[
        "report",
        "--from",
        "2024",
        "--to",
        "2024",
        "--out",
        brief.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&brief).unwrap();
    assert!(html.contains("Arrest of [withheld · 비공개] in Yanji"));
    assert!(!html.contains("Si-heom"));
}

/// A file's permission bits.
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn what_refwatch_writes_is_owner_only_and_its_csv_holds_no_formulas() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    assert_eq!(mode(&dir.path), 0o700, "the data directory");
    assert_eq!(mode(&dir.path.join("refwatch.db")), 0o600, "the database");
    assert_eq!(mode(&dir.key), 0o600, "the key file");
    // A title a spreadsheet would run: the public CSV shows it as text.
    dir.sql(&[
        "UPDATE incident SET title = '=HYPERLINK(\"http://evil.example\",\"open\")' WHERE id = (SELECT min(id) FROM incident WHERE confidentiality = 'public')",
        "UPDATE incident SET title = '@SUM(1+1)*cmd|'' /C calc''!A0' WHERE id = (SELECT max(id) FROM incident WHERE confidentiality = 'public')",
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let public = tmp.path().join("public");
    dir.ok(&["export", "--public", "--out", public.to_str().unwrap()]);
    let csv = std::fs::read_to_string(public.join("incidents.csv")).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\""),
        "{csv}"
    );
    assert!(csv.contains(",'@SUM(1+1)"), "{csv}");
    assert!(
        !csv.contains(",=") && !csv.contains(",@") && !csv.contains(",\"="),
        "{csv}"
    );
    assert_eq!(mode(&public), 0o700);
    assert_eq!(mode(&public.join("incidents.csv")), 0o600);
    let full = tmp.path().join("full.json");
    dir.ok(&["export", "--out", full.to_str().unwrap()]);
    assert_eq!(mode(&full), 0o600, "a full export holds identities");
    // A directory an older version left open is closed on the next use.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir.path, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(
            dir.path.join("refwatch.db"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    dir.ok(&["check"]);
    assert_eq!(mode(&dir.path), 0o700);
    assert_eq!(mode(&dir.path.join("refwatch.db")), 0o600);
}

#[test]
fn a_database_held_by_another_writer_is_said_in_words_and_nothing_is_lost() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let before = dir.export();
    let tmp = tempfile::tempdir().unwrap();
    let file = write_temp(&tmp, "people.json", &people_file());
    // Another process holds the write lock for longer than refwatch waits.
    let db = dir.path.join("refwatch.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut holder = rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    });
    let run = dir.run(&["import", file.to_str().unwrap()]);
    assert!(!run.success());
    assert_eq!(
        run.stderr().trim(),
        "error: another refwatch is writing to this database; try again in a moment",
        "said once, in words"
    );
    rt.block_on(async {
        sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    });
    drop(holder);
    assert_eq!(dir.export(), before, "nothing was changed");
    dir.ok(&["import", file.to_str().unwrap()]);
}

#[test]
fn the_same_file_imported_twice_at_once_lands_once_and_the_other_is_refused() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    let file = write_temp(&tmp, "people.json", &people_file());
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_refwatch"))
            .args([
                "--data-dir",
                dir.path.to_str().unwrap(),
                "import",
                file.to_str().unwrap(),
            ])
            .env("REFWATCH_KEY_FILE", &dir.key)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let ok = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(ok, 1, "one import lands");
    let refused = outs.iter().find(|o| !o.status.success()).unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    // Refused by the store's check inside the write lock, or, when the
    // other import had already landed, by the check of the file itself:
    // either way in words, never a constraint error.
    assert!(
        stderr.contains("already exist") || stderr.contains("already in the database"),
        "a clean refusal: {stderr}"
    );
    assert!(!stderr.contains("UNIQUE"), "{stderr}");
    assert!(dir.run(&["check"]).success());
}
