//! The search engine on a few generated documents.

use refwatch_domain::Confidentiality;

use crate::*;

fn doc(
    kind: DocKind,
    id: &str,
    title: &str,
    body: &str,
    level: Confidentiality,
    year: i32,
    lang: &str,
) -> SearchDoc {
    SearchDoc {
        kind,
        id: id.into(),
        owner: if kind == DocKind::Citation {
            DocKind::Incident
        } else {
            kind
        },
        title: title.into(),
        body: body.into(),
        names: String::new(),
        level,
        year: Some(year),
        language: lang.into(),
    }
}

fn corpus() -> SearchIndex {
    use Confidentiality::*;
    let mut docs = vec![
        doc(
            DocKind::Incident,
            "i1",
            "Yanji repatriation",
            "Chinese police repatriated 60 escapees from Yanji.",
            Public,
            2023,
            "en",
        ),
        doc(
            DocKind::Evidence,
            "e1",
            "증언",
            "공안이 탈북민을 강제북송을 했다고 말했다.",
            Restricted,
            2021,
            "ko",
        ),
        doc(
            DocKind::Evidence,
            "e2",
            "기사",
            "2023년 10월 강제북송된 600명의 탈북민",
            Public,
            2023,
            "ko",
        ),
        doc(
            DocKind::Citation,
            "i1",
            "UN report, para 12",
            "中国强制遣返脱北者",
            Public,
            2023,
            "zh",
        ),
        doc(
            DocKind::Evidence,
            "e3",
            "secret",
            "The hidden informant's testimony about the repatriation route",
            Confidential,
            2022,
            "en",
        ),
    ];
    let mut person = doc(
        DocKind::Person,
        "p1",
        "Person",
        "female, born 1990, repatriated 2023",
        Restricted,
        2023,
        "en",
    );
    person.names = "김서윤 Kim Seo-yun".into();
    docs.push(person);
    SearchIndex::build(docs, |_| {}).unwrap()
}

fn query(text: &str, ceiling: Confidentiality) -> Query {
    Query {
        text: text.into(),
        kinds: vec![],
        years: None,
        language: None,
        level: None,
        ceiling,
        names: false,
        limit: 10,
        offset: 0,
    }
}

fn ids(r: &Results) -> Vec<String> {
    let mut v: Vec<String> = r
        .hits
        .iter()
        .map(|h| format!("{}:{}", h.kind.code(), h.id))
        .collect();
    v.sort();
    v
}

#[test]
fn korean_words_are_found_inside_compounds_and_under_particles() {
    let index = corpus();
    let r = index
        .search(&query("강제북송", Confidentiality::Confidential))
        .unwrap();
    assert_eq!(ids(&r), ["evidence:e1", "evidence:e2"]);
    let marked: Vec<&str> = r.hits[0]
        .snippet
        .iter()
        .filter(|s| s.marked)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(marked, ["강제북송"]);
    // Two words: both must be found.
    let r = index
        .search(&query("탈북민 강제북송", Confidentiality::Confidential))
        .unwrap();
    assert_eq!(r.total, 2);
    let r = index
        .search(&query("강제북송 공안", Confidentiality::Confidential))
        .unwrap();
    assert_eq!(ids(&r), ["evidence:e1"]);
}

#[test]
fn english_is_stemmed_and_chinese_found_by_pairs() {
    let index = corpus();
    let r = index
        .search(&query("repatriation", Confidentiality::Restricted))
        .unwrap();
    assert_eq!(ids(&r), ["incident:i1", "person:p1"]);
    let hit = r.hits.iter().find(|h| h.id == "i1").unwrap();
    assert!(
        hit.snippet
            .iter()
            .any(|s| s.marked && s.text == "repatriated"),
        "{:?}",
        hit.snippet
    );
    let r = index
        .search(&query("强制遣返", Confidentiality::Public))
        .unwrap();
    assert_eq!(ids(&r), ["citation:i1"]);
}

#[test]
fn nothing_above_the_ceiling_matches_or_is_counted() {
    let index = corpus();
    let r = index
        .search(&query("informant", Confidentiality::Restricted))
        .unwrap();
    assert_eq!(r.total, 0);
    assert!(r.hits.is_empty());
    assert_eq!(r.facets, Facets::default());
    let r = index
        .search(&query("informant", Confidentiality::Confidential))
        .unwrap();
    assert_eq!(r.total, 1);
    // The public sees the public Korean article only, and counts only it.
    let r = index
        .search(&query("강제북송", Confidentiality::Public))
        .unwrap();
    assert_eq!(ids(&r), ["evidence:e2"]);
    assert_eq!(r.facets.by_level(), [(Confidentiality::Public, 1)]);
}

#[test]
fn names_are_searched_only_for_readers_of_identities() {
    let index = corpus();
    let mut q = query("김서윤", Confidentiality::Confidential);
    assert_eq!(index.search(&q).unwrap().total, 0);
    q.names = true;
    let r = index.search(&q).unwrap();
    assert_eq!(ids(&r), ["person:p1"]);
    // The name is never stored, so never in a snippet or title.
    assert!(r.hits[0].snippet.iter().all(|s| !s.text.contains("서윤")));
    q.text = "Seo-yun".into();
    assert_eq!(index.search(&q).unwrap().total, 1);
}

#[test]
fn filters_narrow_by_kind_year_language_and_level() {
    let index = corpus();
    let mut q = query("강제북송", Confidentiality::Confidential);
    q.years = Some((2023, 2023));
    assert_eq!(ids(&index.search(&q).unwrap()), ["evidence:e2"]);
    let mut q = query("repatriated", Confidentiality::Confidential);
    q.kinds = vec![DocKind::Person];
    assert_eq!(ids(&index.search(&q).unwrap()), ["person:p1"]);
    let mut q = query("repatriation", Confidentiality::Confidential);
    q.level = Some(Confidentiality::Confidential);
    assert_eq!(ids(&index.search(&q).unwrap()), ["evidence:e3"]);
    let mut q = query("repatriation", Confidentiality::Confidential);
    q.language = Some("ko".into());
    assert_eq!(index.search(&q).unwrap().total, 0);
    let r = index
        .search(&query("repatriation", Confidentiality::Confidential))
        .unwrap();
    assert_eq!(
        r.facets.by_kind(),
        [
            (DocKind::Incident, 1),
            (DocKind::Person, 1),
            (DocKind::Evidence, 1)
        ]
    );
    assert!(matches!(
        index.search(&query("  ,. ", Confidentiality::Public)),
        Err(SearchError::Empty)
    ));
    let long: Vec<String> = (0..40).map(|i| format!("word{i}")).collect();
    assert!(matches!(
        index.search(&query(&long.join(" "), Confidentiality::Public)),
        Err(SearchError::TooManyWords(32))
    ));
}
