use std::io::Write;

use super::*;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn files() -> Vec<BundleFile> {
    vec![
        BundleFile {
            path: "records.json".into(),
            bytes: br#"{"generated": true}"#.to_vec(),
        },
        BundleFile {
            path: "evidence/aa.txt".into(),
            bytes: "생성된 증언".as_bytes().to_vec(),
        },
    ]
}

/// Rewrites a bundle with `change` applied to its files (name, bytes).
fn rewrite(bundle: &[u8], change: impl Fn(&mut Vec<(String, Vec<u8>)>)) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bundle)).unwrap();
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut e = archive.by_index(i).unwrap();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        entries.push((e.name().unwrap().into_owned(), b));
    }
    change(&mut entries);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn an_intact_bundle_verifies_with_the_public_key() {
    let k = key(7);
    let (bundle, _) = create(&files(), &k).unwrap();
    let public = parse_public_key(&public_key_pem(&k.verifying_key())).unwrap();
    let report = verify(&bundle, &public).unwrap();
    assert_eq!(
        report,
        Report {
            listed: 2,
            findings: vec![]
        }
    );
}

#[test]
fn each_alteration_is_named() {
    let k = key(7);
    let public = k.verifying_key();
    let (bundle, _) = create(&files(), &k).unwrap();
    let changed = rewrite(&bundle, |e| {
        let f = e.iter_mut().find(|(n, _)| n == "evidence/aa.txt").unwrap();
        f.1[0] ^= 1;
    });
    assert_eq!(
        verify(&changed, &public).unwrap().findings,
        [Finding::Changed("evidence/aa.txt".into())]
    );
    let removed = rewrite(&bundle, |e| e.retain(|(n, _)| n != "records.json"));
    assert_eq!(
        verify(&removed, &public).unwrap().findings,
        [Finding::Missing("records.json".into())]
    );
    let added = rewrite(&bundle, |e| {
        e.push(("evidence/extra.txt".into(), b"x".to_vec()))
    });
    assert_eq!(
        verify(&added, &public).unwrap().findings,
        [Finding::Added("evidence/extra.txt".into())]
    );
    // A forged signature: the manifest re-signed by another key.
    let forged = rewrite(&bundle, |e| {
        let manifest = e.iter().find(|(n, _)| n == MANIFEST).unwrap().1.clone();
        let sig = e.iter_mut().find(|(n, _)| n == SIGNATURE).unwrap();
        sig.1 = key(9).sign(&manifest).to_bytes().to_vec();
    });
    assert_eq!(
        verify(&forged, &public).unwrap().findings,
        [Finding::BadSignature]
    );
    // A changed file with its manifest line changed to match: the signature catches it.
    let covered = rewrite(&bundle, |e| {
        let f = e.iter_mut().find(|(n, _)| n == "records.json").unwrap();
        f.1 = b"{}".to_vec();
        let m = e.iter_mut().find(|(n, _)| n == MANIFEST).unwrap();
        let text = String::from_utf8(m.1.clone()).unwrap();
        let fixed: String = text
            .lines()
            .map(|l| {
                if l.ends_with("records.json") {
                    format!("{}  records.json\n", sha256_hex(b"{}"))
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        m.1 = fixed.into_bytes();
    });
    assert_eq!(
        verify(&covered, &public).unwrap().findings,
        [Finding::BadSignature]
    );
    assert!(matches!(
        verify(b"not a zip", &public),
        Err(BundleError::NotABundle)
    ));
}

#[test]
fn names_that_escape_or_collide_are_refused() {
    for bad in ["../x", "/etc/passwd", "a//b", MANIFEST, ""] {
        let f = vec![BundleFile {
            path: bad.into(),
            bytes: vec![],
        }];
        assert!(
            matches!(create(&f, &key(1)), Err(BundleError::BadName(_))),
            "{bad}"
        );
    }
    let mut twice = files();
    twice.push(twice[0].clone());
    assert!(matches!(
        create(&twice, &key(1)),
        Err(BundleError::BadName(_))
    ));
}
