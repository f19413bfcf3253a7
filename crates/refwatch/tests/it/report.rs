//! `refwatch report` in both languages and both formats.

use std::process::Command;

use crate::support::DataDir;

/// Renders a PDF's first page to a grey image and returns the share of dark pixels.
fn ink_on_first_page(pdf: &std::path::Path) -> f64 {
    let prefix = pdf.with_extension("page");
    let status = Command::new("pdftoppm")
        .args(["-r", "40", "-f", "1", "-l", "1", "-gray", "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm is needed: tools/test-all.sh installs poppler-utils");
    assert!(status.success());
    let bytes = std::fs::read(prefix.with_extension("page.pgm")).unwrap();
    // Binary PGM: "P5", width, height, maxval, one whitespace, then pixels.
    let mut fields = 0;
    let mut i = 0;
    while fields < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields += 1;
    }
    let pixels = &bytes[i + 1..];
    pixels.iter().filter(|&&p| p < 128).count() as f64 / pixels.len() as f64
}

#[test]
fn the_brief_is_written_in_both_languages_as_html_and_pdf() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    for lang in ["en", "ko"] {
        let html = tmp.path().join(format!("{lang}.html"));
        dir.ok(&[
            "--lang",
            lang,
            "report",
            "--from",
            "2005",
            "--to",
            "2024",
            "--out",
            html.to_str().unwrap(),
        ]);
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(page.contains(&format!("<html lang=\"{lang}\">")));
        // Key incidents carry their quoted sources; recommendations what happened after.
        assert!(
            page.contains("at least 500 North Korean detainees on the night of October 9, 2023")
        );
        assert!(
            page.contains("Protect North Korean refugees in accordance with international law")
        );
        assert!(page.contains("<svg") && page.contains("<title id=\"map-title\">"));
        // The map marks Shenyang, where detainees were held before the 2021 returns.
        assert!(
            page.contains(if lang == "ko" {
                "선양 (2)"
            } else {
                "Shenyang (2)"
            }),
            "{lang}"
        );
        if lang == "ko" {
            assert!(page.contains("연도·사건 유형별 피해자 수") && page.contains("강제북송"));
        } else {
            assert!(page.contains("People affected per year, by kind of incident"));
        }
        let pdf = tmp.path().join(format!("{lang}.pdf"));
        dir.ok(&[
            "--lang",
            lang,
            "report",
            "--from",
            "2005",
            "--to",
            "2024",
            "--format",
            "pdf",
            "--out",
            pdf.to_str().unwrap(),
        ]);
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
        let ink = ink_on_first_page(&pdf);
        assert!(
            ink > 0.005,
            "the first page of the {lang} PDF looks blank ({ink})"
        );
    }
    let run = dir.run(&[
        "report",
        "--from",
        "2024",
        "--to",
        "2013",
        "--out",
        tmp.path().join("x.html").to_str().unwrap(),
    ]);
    assert!(!run.success());
    assert!(run.stderr().contains("--from 2024 is after --to 2013"));
}

#[test]
fn a_report_never_names_people_nor_shows_restricted_records() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    let people = tmp.path().join("people.json");
    std::fs::write(
        &people,
        r#"{"format": "refwatch-dataset", "version": 1,
            "sources": [{"id": "key:s", "kind": "testimony", "title": "Generated restricted interview", "confidentiality": "restricted"}],
            "incidents": [{"id": "key:i", "kind": "arrest", "title": "Generated restricted arrest", "date": "2020-05", "victims": {"low": 3}, "verification": "single_source", "confidentiality": "restricted",
                           "citations": [{"id": "key:c", "source": "key:s", "locator": "p. 1", "quote": "generated words"}]}],
            "persons": [{"id": "key:p", "identity": {"name_romanized": "Generated Person Name", "name_hangul": "생성된이름"}, "confidentiality": "restricted"}]}"#,
    )
    .unwrap();
    dir.ok(&["import", people.to_str().unwrap()]);
    let html = tmp.path().join("r.html");
    dir.ok(&[
        "report",
        "--from",
        "2005",
        "--to",
        "2024",
        "--out",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    for hidden in [
        "Generated Person Name",
        "생성된이름",
        "Generated restricted arrest",
        "Generated restricted interview",
        "generated words",
    ] {
        assert!(
            !page.contains(hidden),
            "{hidden} must not be in a public brief"
        );
    }
}
