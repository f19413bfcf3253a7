//! `refwatch evidence add|list|show|text|get|transfer|verify` on a data
//! directory, with generated files only.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::{DataDir, write_temp};

const SOURCE: &str = r#"{"format": "refwatch-dataset", "version": 1, "sources": [{"id": "key:generated-testimonies", "kind": "testimony", "title": "Generated testimonies", "confidentiality": "confidential"}]}"#;

fn ready() -> (DataDir, tempfile::TempDir) {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let tmp = tempfile::tempdir().unwrap();
    dir.ok(&[
        "import",
        write_temp(&tmp, "s.json", SOURCE).to_str().unwrap(),
    ]);
    (dir, tmp)
}

fn add(dir: &DataDir, file: &Path, level: &str) -> String {
    dir.ok(&[
        "evidence",
        "add",
        file.to_str().unwrap(),
        "--source",
        "key:generated-testimonies",
        "--received-from",
        "Generated Courier 17",
        "--received-via",
        "Signal",
        "--confidentiality",
        level,
    ])
}

fn id_of(added: &str) -> String {
    added
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Stored evidence "))
        .unwrap_or_else(|| panic!("no id in {added}"))
        .to_owned()
}

fn write_bytes(tmp: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = tmp.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A PNG signature followed by bytes of every value.
fn photo() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..70_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    bytes
}

fn custody_actions(dir: &DataDir, id: &str) -> Vec<String> {
    let shown = dir.ok(&["evidence", "show", id]);
    shown
        .lines()
        .skip_while(|l| !l.starts_with("Chain of custody"))
        .skip(1)
        .map(|l| l.split_whitespace().nth(1).unwrap().to_owned())
        .collect()
}

#[test]
fn a_file_round_trips_byte_for_byte_with_its_custody() {
    let (dir, tmp) = ready();
    let bytes = photo();
    let file = write_bytes(&tmp, "scan.png", &bytes);
    let added = add(&dir, &file, "restricted");
    let id = id_of(&added);
    assert!(added.contains("image"), "{added}");
    assert!(added.contains("no text to read"), "{added}");

    // The same bytes again are recognised, under another name too.
    let again = write_bytes(&tmp, "copy of scan.png", &bytes);
    let dup = add(&dir, &again, "restricted");
    assert!(
        dup.contains(&format!("stored already as evidence {id}")),
        "{dup}"
    );
    assert_eq!(dir.ok(&["evidence", "list"]).lines().count(), 1);

    let out = tmp.path().join("back.png");
    let got = dir.ok(&["evidence", "get", &id, "--out", out.to_str().unwrap()]);
    assert!(got.contains("checked"), "{got}");
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    // Nothing is overwritten.
    let refused = dir.run(&["evidence", "get", &id, "--out", out.to_str().unwrap()]);
    assert!(!refused.success());
    assert!(
        refused.stderr().contains("exists already"),
        "{}",
        refused.stderr()
    );

    dir.ok(&["evidence", "transfer", &id, "--to", "UN OHCHR Seoul office"]);
    assert!(dir.run(&["evidence", "verify"]).success());
    assert_eq!(
        custody_actions(&dir, &id),
        ["intake", "intake", "download", "transfer", "verify", "view"]
    );
    let shown = dir.ok(&["evidence", "show", &id, "--provenance"]);
    assert!(shown.contains("Generated Courier 17"), "{shown}");
    assert!(shown.contains("scan.png"), "{shown}");
    // Without --provenance, who handed it over is not shown.
    assert!(
        !dir.ok(&["evidence", "show", &id])
            .contains("Generated Courier")
    );
}

#[test]
fn verify_catches_a_flipped_byte_and_a_deleted_file() {
    let (dir, tmp) = ready();
    let a = id_of(&add(
        &dir,
        &write_temp(&tmp, "a.txt", "first generated statement"),
        "restricted",
    ));
    let b = id_of(&add(
        &dir,
        &write_temp(&tmp, "b.txt", "second generated statement"),
        "restricted",
    ));
    let c = id_of(&add(
        &dir,
        &write_temp(&tmp, "c.txt", "third generated statement"),
        "restricted",
    ));
    assert!(dir.run(&["evidence", "verify"]).success());
    let originals = dir.path.join("evidence/originals");
    let mut objects: Vec<PathBuf> = std::fs::read_dir(&originals)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    objects.sort();
    assert_eq!(objects.len(), 3);
    // Which object is whose is hidden by the keyed names: damage two and
    // see which records report it.
    let mut flipped = std::fs::read(&objects[0]).unwrap();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    std::fs::write(&objects[0], flipped).unwrap();
    std::fs::remove_file(&objects[1]).unwrap();
    let run = dir.run(&["evidence", "verify"]);
    assert!(!run.success());
    let out = run.stdout();
    let reported: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("MISSING") || l.starts_with("UNREADABLE"))
        .collect();
    assert_eq!(reported.len(), 2, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("MISSING")).count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("2 of 3 evidence files are missing or altered"),
        "{out}"
    );
    let intact: Vec<&String> = [&a, &b, &c]
        .into_iter()
        .filter(|id| !reported.iter().any(|l| l.contains(id.as_str())))
        .collect();
    assert_eq!(intact.len(), 1);
    // The damaged ones are refused on download, and the refusal is in their custody.
    let damaged = [&a, &b, &c]
        .into_iter()
        .find(|id| !intact.contains(id))
        .unwrap();
    let get = dir.run(&[
        "evidence",
        "get",
        damaged,
        "--out",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert!(!get.success());
    assert!(get.stderr().contains("evidence verify"), "{}", get.stderr());
    let actions = custody_actions(&dir, damaged);
    assert_eq!(actions, ["intake", "verify", "verify", "download", "view"]);
}

#[test]
fn a_confidential_text_leaves_no_plaintext_on_disk() {
    let (dir, tmp) = ready();
    let marker = "GENERATED-MARKER-4417 탈북민 증언 강제북송";
    let file = write_temp(&tmp, "statement-of-generated-person.txt", marker);
    let id = id_of(&add(&dir, &file, "confidential"));
    // The text was read (it is searchable and viewable)...
    assert!(dir.ok(&["evidence", "text", &id]).contains(marker));
    // ...but no file under the data directory holds it, the courier's
    // name or the file's name in the clear.
    for needle in [
        marker.as_bytes(),
        "GENERATED-MARKER".as_bytes(),
        "강제북송".as_bytes(),
        b"Generated Courier",
        b"statement-of-generated-person",
    ] {
        for path in walk(&dir.path) {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds {:?} in the clear",
                path.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A Word document whose document part unpacks to `mib` MiB.
fn docx_bomb(mib: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(b"<w:document><w:body><w:p><w:r><w:t>")
        .unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..mib {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(b"</w:t></w:r></w:p></w:body></w:document>")
        .unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn hostile_files_are_stored_with_a_clear_reason_and_too_large_ones_refused() {
    let (dir, tmp) = ready();
    let bomb = docx_bomb(80);
    let file = write_bytes(&tmp, "report.docx", &bomb);
    let added = add(&dir, &file, "restricted");
    let id = id_of(&added);
    assert!(added.contains("text not read"), "{added}");
    assert!(added.contains("limit"), "{added}");
    assert!(added.contains("the original is stored"), "{added}");
    let out = tmp.path().join("bomb-back.docx");
    dir.ok(&["evidence", "get", &id, "--out", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), bomb);

    // Text claiming to be a PDF.
    let liar = write_temp(&tmp, "scan.pdf", "not a pdf at all, generated");
    let added = add(&dir, &liar, "restricted");
    assert!(
        added.contains("named as pdf but its contents are text"),
        "{added}"
    );

    // Over the size limit: refused, nothing stored.
    let big = write_bytes(&tmp, "big.png", &vec![0x89; 2 << 20]);
    let run = dir.run(&[
        "evidence",
        "add",
        big.to_str().unwrap(),
        "--source",
        "key:generated-testimonies",
        "--received-from",
        "x",
        "--received-via",
        "x",
        "--max-mib",
        "1",
    ]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("more than the limit of 1 MiB"),
        "{}",
        run.stderr()
    );
    assert_eq!(dir.ok(&["evidence", "list"]).lines().count(), 2);

    // An unknown source: refused with what to do.
    let run = dir.run(&[
        "evidence",
        "add",
        liar.to_str().unwrap(),
        "--source",
        "key:no-such-source",
        "--received-from",
        "x",
        "--received-via",
        "x",
    ]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("add the source first"),
        "{}",
        run.stderr()
    );
    // A mistyped id.
    let run = dir.run(&["evidence", "show", "not-an-id"]);
    assert!(
        run.stderr().contains("is not an evidence id"),
        "{}",
        run.stderr()
    );
}

#[test]
fn search_finds_korean_inside_words_and_reindex_reports() {
    let (dir, tmp) = ready();
    add(
        &dir,
        &write_temp(
            &tmp,
            "k.txt",
            "생성된 증언: 공안이 탈북민을 강제북송을 했다.",
        ),
        "restricted",
    );
    add(
        &dir,
        &write_temp(
            &tmp,
            "e.txt",
            "Generated statement: they were forcibly repatriated.",
        ),
        "restricted",
    );
    let found = dir.ok(&["search", "강제북송"]);
    assert!(found.starts_with("1 found"), "{found}");
    assert!(found.contains("[강제북송]을"), "{found}");
    let found = dir.ok(&["search", "repatriation", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&found).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["kind"], "evidence");
    assert_eq!(v["facets"]["language"]["en"], 1);
    let none = dir.ok(&["search", "강제북송", "--language", "en"]);
    assert!(none.starts_with("0 found"), "{none}");
    let bad = dir.run(&["search", "x", "--kind", "people"]);
    assert!(bad.stderr().contains("unknown kind"), "{}", bad.stderr());
    let re = dir.ok(&["search", "reindex"]);
    assert!(re.starts_with("Indexed "), "{re}");
}

const WITH_INCIDENT: &str = r#"{"format": "refwatch-dataset", "version": 1, "incidents": [{"id": "key:generated-arrest", "kind": "arrest", "title": "Generated arrest", "date": "2023-10-09", "victims": {"low": 3}, "verification": "single_source", "confidentiality": "restricted", "citations": [{"id": "key:generated-citation", "source": "key:generated-testimonies", "locator": "p. 1", "quote": "generated words"}]}]}"#;

#[test]
fn a_bundle_verifies_with_refwatch_and_with_openssl_alone() {
    let (dir, tmp) = ready();
    dir.ok(&[
        "import",
        write_temp(&tmp, "i.json", WITH_INCIDENT).to_str().unwrap(),
    ]);
    let photo_bytes = photo();
    let id = id_of(&add(
        &dir,
        &write_bytes(&tmp, "scan.png", &photo_bytes),
        "confidential",
    ));
    let bundle = tmp.path().join("bundle.zip");
    let made = dir.ok(&[
        "bundle",
        "create",
        "--incident",
        "key:generated-arrest",
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert!(made.contains("1 incidents, 1 evidence files"), "{made}");
    assert!(custody_actions(&dir, &id).contains(&"export".to_owned()));
    let pem = tmp.path().join("org.pub.pem");
    dir.ok(&["bundle", "public-key", "--out", pem.to_str().unwrap()]);
    let ok = dir.ok(&[
        "bundle",
        "verify",
        bundle.to_str().unwrap(),
        "--public-key",
        pem.to_str().unwrap(),
    ]);
    assert!(ok.starts_with("Intact"), "{ok}");

    // Without refwatch: unpack, check the signature with OpenSSL and the
    // hashes with sha256sum.
    let out = tmp.path().join("unpacked");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&bundle).unwrap()).unwrap();
    archive.extract(&out).unwrap();
    let openssl = std::process::Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(&pem)
        .args([
            "-rawin",
            "-in",
            "MANIFEST.sha256",
            "-sigfile",
            "MANIFEST.sha256.sig",
        ])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(
        openssl.status.success(),
        "{}",
        String::from_utf8_lossy(&openssl.stderr)
    );
    let sums = std::process::Command::new("sha256sum")
        .args(["--check", "--strict", "MANIFEST.sha256"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(sums.status.success());
    let evidence_file = std::fs::read_dir(out.join("evidence"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(std::fs::read(evidence_file).unwrap(), photo_bytes);

    // Another organisation's key does not verify it.
    let other = DataDir::new();
    other.ok(&["init"]);
    let other_pem = tmp.path().join("other.pub.pem");
    other.ok(&["bundle", "public-key", "--out", other_pem.to_str().unwrap()]);
    let run = dir.run(&[
        "bundle",
        "verify",
        bundle.to_str().unwrap(),
        "--public-key",
        other_pem.to_str().unwrap(),
    ]);
    assert!(!run.success());
    assert!(
        run.stdout().contains("signature does not match"),
        "{}",
        run.stdout()
    );
    // No overwrite, and unknown incidents are refused.
    assert!(
        !dir.run(&[
            "bundle",
            "create",
            "--incident",
            "key:generated-arrest",
            "--out",
            bundle.to_str().unwrap()
        ])
        .success()
    );
    let run = dir.run(&[
        "bundle",
        "create",
        "--incident",
        "key:nothing",
        "--out",
        tmp.path().join("n.zip").to_str().unwrap(),
    ]);
    assert!(run.stderr().contains("no incident"), "{}", run.stderr());
}

#[test]
fn a_data_key_rotation_reseals_evidence_so_nothing_is_lost() {
    let (dir, tmp) = ready();
    let bytes = photo();
    let id = id_of(&add(
        &dir,
        &write_bytes(&tmp, "scan.png", &bytes),
        "restricted",
    ));
    let text_id = id_of(&add(
        &dir,
        &write_temp(&tmp, "t.txt", "generated statement"),
        "restricted",
    ));
    let pem_before = dir.ok(&["bundle", "public-key"]);
    dir.ok(&["keys", "rotate", "--data-key"]);
    let out = tmp.path().join("after.png");
    dir.ok(&["evidence", "get", &id, "--out", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    assert!(
        dir.ok(&["evidence", "text", &text_id])
            .contains("generated statement")
    );
    assert!(
        dir.ok(&["evidence", "show", &id, "--provenance"])
            .contains("Generated Courier 17")
    );
    assert_eq!(dir.ok(&["bundle", "public-key"]), pem_before);
    assert!(dir.run(&["evidence", "verify"]).success());
}
