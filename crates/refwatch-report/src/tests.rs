use refwatch_domain::*;

use super::*;

fn data() -> Dataset {
    let source = Source {
        id: SourceId::random(),
        kind: Term::new("media"),
        title: "Report <b>bold</b>".into(),
        publisher: None,
        author: None,
        date: None,
        language: None,
        url: None,
        symbol: None,
        reliability: None,
        confidentiality: Confidentiality::Public,
        note: None,
    };
    let incident = Incident {
        id: IncidentId::random(),
        kind: Term::new("repatriation"),
        title: "<script>alert(1)</script> returned".into(),
        summary: String::new(),
        date: "2023-10-09".parse().unwrap(),
        places: vec![],
        actors: vec![],
        victims: Count {
            low: 500,
            best: Some(500),
            high: None,
        },
        breakdown: vec![],
        verification: Term::new("corroborated"),
        confidentiality: Confidentiality::Public,
        reports: vec![],
        citations: vec![Citation {
            id: CitationId::random(),
            source: source.id,
            via: None,
            locator: "fn. 14".into(),
            quote: "at least 500 & more".into(),
            note: None,
        }],
    };
    Dataset {
        sources: vec![source],
        incidents: vec![incident.into()],
        ..Dataset::default()
    }
}

fn input(data: &Dataset, lang: Lang) -> ReportInput<'_> {
    ReportInput {
        data,
        from: 2013,
        to: 2024,
        lang,
        estimates: vec![],
        generated: Timestamp(1_795_442_709),
    }
}

#[test]
fn every_text_key_has_both_languages() {
    for line in TEXTS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "{line}");
        assert!(!f[1].is_empty() && !f[2].is_empty(), "{line}");
    }
    let page = html(&input(&data(), Lang::Ko));
    assert!(!page.contains(">?<"), "a text key is missing");
}

#[test]
fn the_brief_is_in_the_chosen_language_and_escapes_everything() {
    let d = data();
    let en = html(&input(&d, Lang::En));
    let ko = html(&input(&d, Lang::Ko));
    assert!(en.contains("<html lang=\"en\">") && en.contains("Documented minimum"));
    assert!(
        ko.contains("<html lang=\"ko\">")
            && ko.contains("기록된 최소치")
            && ko.contains("강제북송")
    );
    for page in [&en, &ko] {
        assert!(!page.contains("<script>"), "data must be escaped");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("at least 500 &amp; more"));
        assert!(page.contains("Report &lt;b&gt;bold&lt;/b&gt;"));
        assert!(page.contains("<svg") && page.contains("<title id=\"chart-title\">"));
        assert!(page.contains("500+"));
    }
}

#[test]
fn numbers_have_thousands_separators() {
    assert_eq!(number(1170.0), "1,170");
    assert_eq!(number(200000.0), "200,000");
    assert_eq!(number(17.0), "17");
    assert_eq!(number(-1500.0), "-1,500");
}
