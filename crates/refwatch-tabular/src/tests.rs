//! Sheets as field offices write them, in and out of the converter.

use refwatch_domain::{Dataset, Lang, Vocabularies};

use super::*;

/// A database with one source and a few places (generated, public facts).
fn existing() -> Dataset {
    refwatch_interchange::parse(
        r#"{"format": "refwatch-dataset", "version": 1,
        "sources": [{"id": "key:src-a", "kind": "ngo_report", "title": "Generated list A", "url": "https://example.org/a"}],
        "places": [
          {"id": "key:jilin", "kind": "province", "name_en": "Jilin", "name_ko": "지린성", "name_zh": "吉林省", "country": "CN"},
          {"id": "key:yanji", "kind": "city", "name_en": "Yanji", "name_ko": "옌지", "name_zh": "延吉", "country": "CN", "parent": "key:jilin", "coordinates": {"lat": 42.89, "lon": 129.51, "precision": "city"}},
          {"id": "key:tumen", "kind": "city", "name_en": "Tumen", "name_ko": "투먼", "country": "CN", "parent": "key:jilin", "coordinates": {"lat": 42.97, "lon": 129.84, "precision": "city"}}
        ]}"#,
    )
    .unwrap()
}

const FIELD_OFFICE: &str = "사건명,발생일,유형,인원,장소,출처,쪽,인용문\n\
체포 보고,2013.11.19,체포,약 500명,옌지 | Tumen,Generated list A,p. 3,quoted words one\n\
송환 보고,2013년 11월,강제북송,수백 명,延吉,https://example.org/a,p. 4,quoted words two\n\
구금 보고,2014,구금,13~15명,,Generated list A,p. 5,quoted words three\n\
,,,,,,,\n";

#[test]
fn a_field_office_csv_with_korean_headers_becomes_incidents() {
    let sheet = read_csv("목록.csv", FIELD_OFFICE.as_bytes()).unwrap();
    let mapping = Mapping::guess(RecordKind::Incidents, &sheet.rows[0].1);
    let out = convert(&sheet, &mapping, &existing(), &Vocabularies::builtin()).unwrap();
    assert_eq!(out.rows, vec![2, 3, 4], "the trailing empty row is skipped");
    let incidents = out.dataset["incidents"].as_array().unwrap();
    assert_eq!(incidents[0]["kind"], "arrest");
    assert_eq!(incidents[1]["kind"], "repatriation");
    assert_eq!(incidents[0]["date"], "2013-11-19");
    assert_eq!(incidents[1]["date"], "2013-11");
    assert_eq!(
        incidents[0]["victims"],
        serde_json::json!({"low": 450, "best": 500, "high": 550})
    );
    assert_eq!(incidents[1]["victims"], serde_json::json!({"low": 200}));
    assert_eq!(
        incidents[2]["victims"],
        serde_json::json!({"low": 13, "high": 15})
    );
    assert_eq!(incidents[0]["places"].as_array().unwrap().len(), 2);
    assert_eq!(incidents[0]["confidentiality"], "restricted");
    assert_eq!(incidents[0]["verification"], "single_source");
    // The reading of the words is kept on the citation.
    let note = incidents[0]["citations"][0]["note"].as_str().unwrap();
    assert!(note.contains("about 500"), "{note}");
    // The source found by its address as well as its title.
    assert!(
        out.matched.iter().any(|m| m.row == 3
            && m.cell == "https://example.org/a"
            && m.kind == Reference::Source)
    );
    let place = out.matched.iter().find(|m| m.cell == "延吉").unwrap();
    assert_eq!(place.describe(Lang::Ko), "3행: \"延吉\" → 장소 \"옌지\"");
    assert_eq!(
        place.describe(Lang::En),
        "Row 3: \"延吉\" is place \"Yanji\"."
    );
    // The importer reads what the converter wrote.
    let data = refwatch_interchange::parse(&out.dataset.to_string()).unwrap();
    assert_eq!(data.incidents.len(), 3);
}

#[test]
fn every_problem_of_a_broken_sheet_is_listed_by_row_and_column() {
    let broken = "사건명,발생일,유형,인원,장소,출처,쪽,인용문\n\
체포 보고,지난 여름,체포,많이,옌지,Generated list A,p. 3,words\n\
,2013,행진,5,Nowhere,Unknown report,p. 4,\n\
체포 보고,지난 여름,체포,많이,옌지,Generated list A,p. 3,words\n";
    let sheet = read_csv("broken.csv", broken.as_bytes()).unwrap();
    let mapping = Mapping::guess(RecordKind::Incidents, &sheet.rows[0].1);
    let problems = convert(&sheet, &mapping, &existing(), &Vocabularies::builtin()).unwrap_err();
    let said: Vec<String> = problems.iter().map(|p| p.describe(Lang::En)).collect();
    let expect = [
        "row 2, column B (발생일): \"지난 여름\" is not a date",
        "row 2, column D (인원): \"많이\" is not a count",
        "row 3, column A (사건명): the \"title\" cell is empty",
        "row 3, column C (유형): \"행진\" is not in the vocabulary",
        "row 3, column E (장소): no place is named \"Nowhere\"",
        "row 3, column F (출처): no source has the title or address \"Unknown report\"",
        "row 3, column H (인용문): the \"quote\" cell is empty",
        "row 4, column B (발생일)",
    ];
    for e in expect {
        assert!(
            said.iter().any(|s| s.contains(e)),
            "missing {e}:\n{}",
            said.join("\n")
        );
    }
    // In Korean too.
    let ko = problems[0].describe(Lang::Ko);
    assert!(ko.starts_with("시트 broken.csv, 2행, B열(발생일)"), "{ko}");
}

#[test]
fn a_workbook_with_a_merged_title_row_and_a_mapping_file() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("2023년").unwrap();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    sheet
        .merge_range(0, 0, 0, 5, "2023년 강제북송 사건 목록 (내부용)", &bold)
        .unwrap();
    for (c, h) in ["사건", "날짜", "구분", "출처", "페이지", "원문"]
        .iter()
        .enumerate()
    {
        sheet.write(1, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2023, 10, 9).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy\"년\" m\"월\" d\"일\"");
    sheet.write(2, 0, "대규모 송환").unwrap();
    sheet
        .write_datetime_with_format(2, 1, &date, &format)
        .unwrap();
    sheet.write(2, 2, "북송").unwrap();
    sheet.write(2, 3, "Generated list A").unwrap();
    sheet.write(2, 4, 12).unwrap();
    sheet.write(2, 5, "generated quoted words").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let mapping = Mapping::from_toml(
        r#"
as = "incidents"
[defaults]
confidentiality = "public"
[columns]
"사건" = "title"
"날짜" = "date"
"구분" = { field = "kind", values = { "북송" = "repatriation" } }
"출처" = "source"
"페이지" = "locator"
"원문" = "quote"
"#,
    )
    .unwrap();
    let sheet = read_xlsx(&bytes, None).unwrap();
    let out = convert(&sheet, &mapping, &existing(), &Vocabularies::builtin()).unwrap();
    assert_eq!(out.rows, vec![3]);
    let incident = &out.dataset["incidents"][0];
    assert_eq!(incident["kind"], "repatriation");
    assert_eq!(incident["date"], "2023-10-09");
    assert_eq!(incident["confidentiality"], "public");
    assert_eq!(incident["citations"][0]["locator"], "12");
    assert_eq!(incident["victims"], serde_json::json!({"low": 0}));
}

#[test]
fn a_missing_column_or_field_is_said_before_any_row() {
    let sheet = read_csv("a.csv", "사건명,발생일\n체포,2013\n".as_bytes()).unwrap();
    let mut mapping = Mapping::guess(RecordKind::Incidents, &sheet.rows[0].1);
    mapping.columns.push(mapping::Column {
        header: "비고란".into(),
        field: Field::Note,
        values: Default::default(),
    });
    let problems = convert(&sheet, &mapping, &existing(), &Vocabularies::builtin()).unwrap_err();
    let said: Vec<String> = problems.iter().map(|p| p.describe(Lang::En)).collect();
    assert!(
        said.iter()
            .any(|s| s.contains("\"비고란\" that the header row does not have")),
        "{said:?}"
    );
    for field in ["kind", "source", "locator", "quote"] {
        assert!(
            said.iter()
                .any(|s| s.contains(&format!("no column holds \"{field}\""))),
            "{field}: {said:?}"
        );
    }
}

#[test]
fn rows_imported_before_are_left_out_and_repeats_are_refused() {
    let sheet = read_csv("목록.csv", FIELD_OFFICE.as_bytes()).unwrap();
    let mapping = Mapping::guess(RecordKind::Incidents, &sheet.rows[0].1);
    let vocab = Vocabularies::builtin();
    let first = convert(&sheet, &mapping, &existing(), &vocab).unwrap();
    let mut db = existing();
    let imported = refwatch_interchange::parse(&first.dataset.to_string()).unwrap();
    db.incidents.extend(imported.incidents);
    let again = convert(&sheet, &mapping, &db, &vocab).unwrap();
    assert!(again.rows.is_empty());
    assert_eq!(again.already, vec![2, 3, 4]);
    let twice = format!("{FIELD_OFFICE}{}", FIELD_OFFICE.lines().nth(1).unwrap());
    let sheet = read_csv("twice.csv", twice.as_bytes()).unwrap();
    let problems = convert(&sheet, &mapping, &existing(), &vocab).unwrap_err();
    assert_eq!(problems[0].problem, Problem::Repeats { row: 2 });
}

#[test]
fn sources_from_a_sheet() {
    let text = "제목,유형,발행처,URL,날짜\nGenerated list B,NGO 보고서·서한,Generated NGO,https://example.org/b,2024.03\nGenerated report C,언론 보도,,,\n";
    let sheet = read_csv("sources.csv", text.as_bytes()).unwrap();
    let mapping = Mapping::guess(RecordKind::Sources, &sheet.rows[0].1);
    let out = convert(&sheet, &mapping, &existing(), &Vocabularies::builtin()).unwrap();
    let sources = out.dataset["sources"].as_array().unwrap();
    assert_eq!(sources[0]["kind"], "ngo_report");
    assert_eq!(sources[0]["date"], "2024-03");
    assert_eq!(sources[1]["kind"], "media");
    let data = refwatch_interchange::parse(&out.dataset.to_string()).unwrap();
    assert_eq!(data.sources.len(), 2);
}

#[test]
fn lists_go_out_with_korean_or_english_headers_hxl_tags_and_no_formulas() {
    let mut db = existing();
    let sheet = read_csv("목록.csv", FIELD_OFFICE.as_bytes()).unwrap();
    let mapping = Mapping::guess(RecordKind::Incidents, &sheet.rows[0].1);
    let out = convert(&sheet, &mapping, &db, &Vocabularies::builtin()).unwrap();
    let mut imported = refwatch_interchange::parse(&out.dataset.to_string()).unwrap();
    // A title a spreadsheet would run as a formula.
    let mut risky = (*imported.incidents[0]).clone();
    risky.title = "=HYPERLINK(\"http://evil.example\",\"click\")".into();
    imported.incidents[0] = std::sync::Arc::new(risky);
    db.incidents.extend(imported.incidents);
    let ko = lists::table(&db, lists::List::Incidents, Lang::Ko, None);
    let csv = ko.to_csv(true);
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("\u{feff}ID,제목,유형,날짜,장소,성·도,국가,인원(최소)"),
        "{header}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("#event+id,#event+name,#event+type,#date,#loc+name,#adm1+name")
    );
    assert!(csv.contains("'=HYPERLINK"), "neutralised: {csv}");
    assert!(csv.contains("옌지 | 투먼"), "places in Korean: {csv}");
    assert!(csv.contains(",지린성,CN,"), "province and country: {csv}");
    assert!(csv.contains(",체포,"), "kinds as Korean labels: {csv}");
    let en = lists::table(&db, lists::List::Incidents, Lang::En, None).to_csv(false);
    assert!(en.starts_with("\u{feff}ID,Title,Kind,Date,Places,Province,Country,People (at least)"));
    assert!(!en.contains("#event"), "no hashtags unless asked");
    // XLSX reads back with numbers as numbers and the formula as text.
    let bytes = lists::table(&db, lists::List::Incidents, Lang::En, None)
        .to_xlsx(true)
        .unwrap();
    let sheet = read_xlsx(&bytes, None).unwrap();
    assert_eq!(sheet.name, "Incidents");
    assert_eq!(sheet.rows[1].1[0], "#event+id");
    assert!(
        sheet
            .rows
            .iter()
            .any(|(_, r)| r[1].starts_with("=HYPERLINK"))
    );
    // Sources and citations too.
    let sources = lists::table(&db, lists::List::Sources, Lang::En, None).to_csv(true);
    assert!(sources.contains("Generated list A") && sources.contains("#meta+url"));
    let citations = lists::table(&db, lists::List::Citations, Lang::Ko, None).to_csv(false);
    assert!(citations.contains("quoted words two"), "{citations}");
}

#[test]
fn a_person_list_never_holds_an_identity() {
    let db = refwatch_interchange::parse(
        r#"{"format": "refwatch-dataset", "version": 1,
        "persons": [{"id": "key:p1", "identity": {"name_hangul": "생성이름", "name_romanized": "Generated Name", "birth_date": "1990-01-02"}, "sex": "female", "birth_year": 1990, "confidentiality": "confidential",
                     "timeline": [{"date": "2023-10", "status": "repatriated"}]}]}"#,
    )
    .unwrap();
    for lang in [Lang::En, Lang::Ko] {
        let csv = lists::table(&db, lists::List::Persons, lang, None).to_csv(true);
        assert!(
            !csv.contains("생성이름")
                && !csv.contains("Generated Name")
                && !csv.contains("1990-01-02"),
            "{csv}"
        );
        assert!(csv.contains("1990"));
    }
    let ko = lists::table(&db, lists::List::Persons, Lang::Ko, None).to_csv(false);
    assert!(
        ko.contains("여성") && ko.contains("북송됨") && ko.contains("기밀"),
        "{ko}"
    );
}

/// An export as Uwazi writes it: property titles as headers, a Korean
/// title column (`title__ko`), thesauri values grouped with `::` and
/// several joined by `|`, dates with `/` and ranges with `:`, a
/// geolocation column `lat|lon`, and Uwazi's own `Date added`.
pub(crate) const UWAZI: &str = "Title,Title__ko,Date,Incident type,Places,Geolocation,Source,Page,Quote,Date added\n\
Generated arrest in Yanji,생성된 옌지 체포,2023/10/09,Detention events::Arrest,China::Jilin::Yanji|Tumen,42.89|129.51,Generated list A,p. 1,generated uwazi words one,2024/01/05\n\
Generated transfer,생성된 이송,2023/10/01:2023/10/31,Custody::Transfer,,42.95|129.60,Generated list A,p. 2,generated uwazi words two,2024/01/05\n";

#[test]
fn an_uwazi_export_is_read_with_its_thesauri_and_geolocation() {
    let sheet = read_csv("uwazi.csv", UWAZI.as_bytes()).unwrap();
    let mapping = guess(RecordKind::Incidents, &sheet);
    let fields: Vec<Field> = mapping.columns.iter().map(|c| c.field).collect();
    assert!(
        fields.contains(&Field::Geolocation) && fields.contains(&Field::Kind),
        "{fields:?}"
    );
    let out = convert(&sheet, &mapping, &existing(), &Vocabularies::builtin()).unwrap();
    let incidents = out.dataset["incidents"].as_array().unwrap();
    assert_eq!(
        incidents[0]["title"], "Generated arrest in Yanji",
        "the default-language title"
    );
    assert_eq!(incidents[0]["kind"], "arrest");
    assert_eq!(incidents[0]["date"], "2023-10-09");
    assert_eq!(incidents[0]["places"].as_array().unwrap().len(), 2);
    assert_eq!(incidents[1]["kind"], "transfer");
    assert_eq!(incidents[1]["date"], "2023-10-01/2023-10-31");
    // No place named: the point 8 km from Yanji is taken for Yanji.
    let yanji = out.matched.iter().find(|m| m.row == 3).unwrap();
    assert_eq!(
        (yanji.cell.as_str(), yanji.name.as_str()),
        ("42.95|129.60", "Yanji")
    );
    // A point far from every place is refused, naming the cell.
    let far = UWAZI.replace("42.95|129.60", "10.0|10.0");
    let sheet = read_csv("far.csv", far.as_bytes()).unwrap();
    let problems = convert(&sheet, &mapping, &existing(), &Vocabularies::builtin()).unwrap_err();
    assert!(
        problems[0].describe(Lang::En).contains(
            "column F (Geolocation): no place in the database lies within 25 km of 10.0|10.0"
        ),
        "{problems:?}"
    );
}

#[test]
fn places_from_a_sheet_with_parents_earlier_in_it_or_in_the_database() {
    let text = "영문명,한국어명,중국어명,유형,국가,상위,좌표\n\
                Yanbian,연변,延边,prefecture,cn,지린성,42.9|129.5\n\
                Helong,허룽,和龙,city,CN,Yanbian,42.52|129.0\n\
                Helong Border Post,허룽 검문소,,border_crossing,CN,허룽,\n";
    let sheet = read_csv("places.csv", text.as_bytes()).unwrap();
    let mapping = guess(RecordKind::Places, &sheet);
    assert_eq!(mapping.columns.len(), 7, "{:?}", mapping.columns);
    let out = convert(&sheet, &mapping, &existing(), &Vocabularies::builtin()).unwrap();
    let places = out.dataset["places"].as_array().unwrap();
    assert_eq!(places[0]["country"], "CN");
    assert_eq!(places[0]["coordinates"]["precision"], "district");
    assert_eq!(places[1]["coordinates"]["precision"], "city");
    // Helong lies in Yanbian (a row above); the post in Helong, named in Korean.
    assert_eq!(places[1]["parent"], places[0]["id"]);
    assert_eq!(places[2]["parent"], places[1]["id"]);
    // Yanbian lies in Jilin, found in the database by its Korean name.
    let jilin: refwatch_domain::PlaceId = "key:jilin".parse().unwrap();
    assert_eq!(places[0]["parent"], jilin.to_string());
    let data = refwatch_interchange::parse(&out.dataset.to_string()).unwrap();
    let mut db = existing();
    db.places.extend(data.places);
    assert!(refwatch_domain::validate(&db, &Vocabularies::builtin()).is_empty());
    // A parent nobody knows, and a broken point, are refused at their cells.
    let bad = "영문명,유형,상위,좌표\nNowhere Town,city,Atlantis,north\n";
    let sheet = read_csv("bad.csv", bad.as_bytes()).unwrap();
    let problems = convert(
        &sheet,
        &guess(RecordKind::Places, &sheet),
        &existing(),
        &Vocabularies::builtin(),
    )
    .unwrap_err();
    let said: Vec<String> = problems.iter().map(|p| p.describe(Lang::En)).collect();
    assert!(
        said.iter()
            .any(|s| s.contains("column C (상위): no place is named \"Atlantis\"")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|s| s.contains("column D (좌표): \"north\" is not a point")),
        "{said:?}"
    );
}

/// A keyed id for tests (the importer's key stands behind the real one).
fn keyed(parts: &[&str]) -> String {
    format!("key:sheet-p-{}", fnv_for_tests(parts))
}

fn fnv_for_tests(parts: &[&str]) -> String {
    let mut h: u64 = 0x1234_5678_9abc_def0;
    for p in parts {
        for b in p.bytes().chain([0]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[test]
fn persons_from_a_list_with_their_identities_and_never_a_name_in_a_problem() {
    let text = "이름,영문이름,생년월일,성별,출신지,상태,상태일,출처,쪽,인용문\n\
                생성가,Generated Ga,1990.3.4,여성,옌지,북송됨,2023.10.9,Generated list A,p. 1,generated person words one\n\
                생성나,,1985,남성,,구금됨,2024.1,Generated list A,p. 2,generated person words two\n";
    let sheet = read_csv("persons.csv", text.as_bytes()).unwrap();
    let mapping = guess(RecordKind::Persons, &sheet);
    assert_eq!(mapping.columns.len(), 10, "{:?}", mapping.columns);
    assert_eq!(mapping.defaults["confidentiality"], "confidential");
    // Without keyed ids, persons are refused.
    let refused = convert(&sheet, &mapping, &existing(), &Vocabularies::builtin()).unwrap_err();
    assert_eq!(refused[0].problem, Problem::NeedsKey);
    let out = convert_with(
        &sheet,
        &mapping,
        &existing(),
        &Vocabularies::builtin(),
        Some(&keyed),
    )
    .unwrap();
    let persons = out.dataset["persons"].as_array().unwrap();
    assert_eq!(persons[0]["identity"]["name_hangul"], "생성가");
    assert_eq!(persons[0]["identity"]["birth_date"], "1990-03-04");
    assert_eq!(persons[0]["birth_year"], 1990);
    assert_eq!(persons[0]["sex"], "female");
    assert_eq!(persons[0]["timeline"][0]["status"], "repatriated");
    assert_eq!(persons[0]["confidentiality"], "confidential");
    assert_eq!(persons[0]["consent_public"], false);
    assert!(
        persons[1]
            .get("identity")
            .is_some_and(|i| i.get("birth_date").is_none()),
        "a year alone is not an identity"
    );
    assert_eq!(persons[1]["birth_year"], 1985);
    // Ids are the keyed ones, not a hash anyone can recompute.
    assert!(
        persons[0]["id"]
            .as_str()
            .unwrap()
            .starts_with("key:sheet-p-")
    );
    let data = refwatch_interchange::parse(&out.dataset.to_string()).unwrap();
    assert_eq!(data.persons.len(), 2);
    // A broken birth date is refused without repeating it.
    let broken = text.replace("1990.3.4", "1990.13.40");
    let sheet = read_csv("broken.csv", broken.as_bytes()).unwrap();
    let problems = convert_with(
        &sheet,
        &mapping,
        &existing(),
        &Vocabularies::builtin(),
        Some(&keyed),
    )
    .unwrap_err();
    for (lang, at) in [
        (Lang::En, "row 2, column C (생년월일)"),
        (Lang::Ko, "2행, C열(생년월일)"),
    ] {
        let said: Vec<String> = problems.iter().map(|p| p.describe(lang)).collect();
        assert!(said.iter().any(|s| s.contains(at)), "{said:?}");
        assert!(
            said.iter()
                .all(|s| !s.contains("1990.13.40") && !s.contains("생성가")),
            "{said:?}"
        );
    }
}
