//! `refwatch import FILE.csv|FILE.xlsx`: spreadsheets as field offices
//! keep them, in; broken ones refused with every problem located.

use crate::support::{DataDir, write_temp};

/// The demo's sources and places the generated rows refer to.
const SOURCE: &str = "Chinese Repatriation of North Korean Refugees";

/// A field office's list: a title row above the headers, Korean headers,
/// dates in three styles, counts in words, a trailing empty row.
fn field_office_csv() -> String {
    format!(
        "2023년 현장 기록 (내부용),,,,,,,\n\
         사건명,발생일,유형,인원,장소,출처,쪽,인용문\n\
         생성된 체포 기록,2023.10.9,체포,약 50명,선양 | 단둥,{SOURCE},p. 1,generated quoted words one\n\
         생성된 송환 기록,2023년 10월,강제북송,수백 명,丹东,{SOURCE},p. 2,generated quoted words two\n\
         생성된 구금 기록,2022,Detention,13~15명,Shenyang,{SOURCE},p. 3,generated quoted words three\n\
         ,,,,,,,\n"
    )
}

#[test]
fn a_field_office_csv_is_checked_then_imported_once() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    let file = write_temp(&tmp, "현장.csv", &field_office_csv());
    let file = file.to_str().unwrap();
    let before = dir.export();
    // The dry run shows the guessed mapping and what would happen, and
    // writes nothing.
    let mapping = tmp.path().join("mapping.toml");
    let check = dir.ok(&[
        "import",
        file,
        "--as",
        "incidents",
        "--check",
        "--save-mapping",
        mapping.to_str().unwrap(),
    ]);
    assert!(
        check.contains("Would create 3 incidents from rows 3, 4, 5."),
        "{check}"
    );
    assert!(check.contains("\"사건명\" = \"title\""), "{check}");
    assert!(
        check.contains("confidentiality = \"restricted\""),
        "{check}"
    );
    assert!(
        check.contains("Row 4: \"丹东\" is place \"Dandong\"."),
        "{check}"
    );
    assert_eq!(dir.export(), before, "--check wrote something");
    // The saved mapping is reused as it is.
    let out = dir.ok(&["import", file, "--mapping", mapping.to_str().unwrap()]);
    assert!(out.contains("3 incidents"), "{out}");
    assert!(out.contains("3 citations"), "{out}");
    let exported: serde_json::Value = serde_json::from_str(&dir.export()).unwrap();
    let made: Vec<&serde_json::Value> = exported["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["title"].as_str().unwrap().starts_with("생성된"))
        .collect();
    assert_eq!(made.len(), 3);
    let arrest = made.iter().find(|i| i["kind"] == "arrest").unwrap();
    assert_eq!(arrest["date"], "2023-10-09");
    assert_eq!(arrest["victims"]["best"], 50);
    assert_eq!(arrest["places"].as_array().unwrap().len(), 2);
    assert_eq!(arrest["confidentiality"], "restricted");
    // Importing the same file again adds nothing and says so.
    let after = dir.export();
    let again = dir.ok(&["import", file, "--as", "incidents"]);
    assert!(again.contains("Nothing new: all 3 rows"), "{again}");
    assert_eq!(dir.export(), after);
}

#[test]
fn a_broken_sheet_is_refused_with_every_problem_by_row_and_column_in_korean() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let before = dir.export();
    let tmp = tempfile::tempdir().unwrap();
    let broken = format!(
        "사건명,발생일,유형,인원,장소,출처,쪽,인용문\n\
         생성된 기록,지난 여름,체포,많이,선양,{SOURCE},p. 1,words\n\
         ,2023,행진,5,어딘가,없는 보고서,p. 2,\n"
    );
    let file = write_temp(&tmp, "broken.csv", &broken);
    let run = dir.run(&[
        "--lang",
        "ko",
        "import",
        file.to_str().unwrap(),
        "--as",
        "incidents",
    ]);
    assert!(!run.success());
    let err = run.stderr();
    assert!(
        err.contains("문제 7개, 아무것도 바뀌지 않았습니다"),
        "{err}"
    );
    for expected in [
        "2행, B열(발생일): \"지난 여름\"은(는) 읽을 수 있는 날짜가 아닙니다",
        "2행, D열(인원): \"많이\"은(는) 읽을 수 있는 인원이 아닙니다",
        "3행, A열(사건명): \"title\" 칸이 비어 있습니다",
        "3행, C열(유형): \"행진\"은(는) 어휘에 없습니다",
        "3행, E열(장소): \"어딘가\"(이)라는 장소가 없습니다",
        "3행, F열(출처): 제목이나 주소가 \"없는 보고서\"인 출처가 없습니다",
        "3행, H열(인용문): \"quote\" 칸이 비어 있습니다",
    ] {
        assert!(err.contains(expected), "missing {expected}:\n{err}");
    }
    assert!(run.stdout().is_empty());
    assert_eq!(dir.export(), before, "a refused sheet changed the database");
    // A range that ends below its start is placed at its cell.
    let backwards = format!(
        "사건명,발생일,유형,인원,출처,쪽,인용문\n생성된 기록,2023,체포,15-13명,{SOURCE},p. 1,words\n"
    );
    let file = write_temp(&tmp, "backwards.csv", &backwards);
    let run = dir.run(&["import", file.to_str().unwrap(), "--as", "incidents"]);
    assert!(!run.success());
    assert!(
        run.stderr()
            .contains("row 2, column D (인원): \"15-13명\": the range ends before it starts"),
        "{}",
        run.stderr()
    );
    // A rule only the importer knows (a mapping that maps a value to a
    // code the vocabulary lacks) is placed at its row and column too, in
    // the dry run and in the import.
    let mapping = write_temp(
        &tmp,
        "bad-values.toml",
        "as = \"incidents\"\n[columns]\n\"사건명\" = \"title\"\n\"발생일\" = \"date\"\n\"유형\" = { field = \"kind\", values = { \"행진\" = \"parade\" } }\n\"출처\" = \"source\"\n\"쪽\" = \"locator\"\n\"인용문\" = \"quote\"\n",
    );
    let sheet = write_temp(
        &tmp,
        "parade.csv",
        &format!("사건명,발생일,유형,출처,쪽,인용문\n생성된 기록,2023,행진,{SOURCE},p. 1,words\n"),
    );
    for extra in [&["--check"][..], &[][..]] {
        let mut args = vec![
            "import",
            sheet.to_str().unwrap(),
            "--mapping",
            mapping.to_str().unwrap(),
        ];
        args.extend(extra);
        let run = dir.run(&args);
        assert!(!run.success(), "{extra:?}");
        assert!(
            run.stderr()
                .contains("row 2, column C (유형): unknown incident_kind term \"parade\""),
            "{extra:?}: {}",
            run.stderr()
        );
    }
    assert_eq!(dir.export(), before);
}

#[test]
fn a_workbook_with_a_merged_title_and_a_sources_sheet() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sources = book.add_worksheet();
    sources.set_name("출처").unwrap();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    sources.merge_range(0, 0, 0, 3, "출처 목록", &bold).unwrap();
    for (c, h) in ["제목", "유형", "발행처", "URL"].iter().enumerate() {
        sources.write(1, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "Generated field report",
        "NGO 보고서·서한",
        "Generated NGO",
        "https://example.org/g",
    ]
    .iter()
    .enumerate()
    {
        sources.write(2, c as u16, *v).unwrap();
    }
    let incidents = book.add_worksheet();
    incidents.set_name("사건").unwrap();
    incidents
        .merge_range(0, 0, 0, 5, "2024년 사건", &bold)
        .unwrap();
    for (c, h) in ["사건명", "날짜", "유형", "출처", "쪽", "인용"]
        .iter()
        .enumerate()
    {
        incidents.write(1, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 2, 1).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    incidents.write(2, 0, "생성된 사건").unwrap();
    incidents
        .write_datetime_with_format(2, 1, &date, &format)
        .unwrap();
    incidents.write(2, 2, "이송").unwrap();
    incidents.write(2, 3, "https://example.org/g").unwrap();
    incidents.write(2, 4, 7).unwrap();
    incidents.write(2, 5, "generated words").unwrap();
    let path = tmp.path().join("기록.xlsx");
    book.save(&path).unwrap();
    let path = path.to_str().unwrap();
    // The sources sheet first (the first sheet by default), then the
    // incidents sheet, whose citation names the new source by address.
    let out = dir.ok(&["import", path, "--as", "sources"]);
    assert!(out.contains("Imported 1 sources"), "{out}");
    let out = dir.ok(&["import", path, "--as", "incidents", "--sheet", "사건"]);
    assert!(out.contains("1 incidents"), "{out}");
    let exported: serde_json::Value = serde_json::from_str(&dir.export()).unwrap();
    let made = exported["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "생성된 사건")
        .unwrap()
        .clone();
    assert_eq!(made["date"], "2024-02-01");
    assert_eq!(made["kind"], "transfer");
    let run = dir.run(&["import", path, "--as", "incidents", "--sheet", "없는 시트"]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("its sheets are: 출처, 사건"),
        "{}",
        run.stderr()
    );
}

#[test]
fn spreadsheet_options_on_json_and_a_missing_kind_are_refused_plainly() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    let json = write_temp(&tmp, "x.json", "{}");
    let run = dir.run(&["import", json.to_str().unwrap(), "--as", "incidents"]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("are for spreadsheets"),
        "{}",
        run.stderr()
    );
    let csv = write_temp(&tmp, "x.csv", &field_office_csv());
    let run = dir.run(&["import", csv.to_str().unwrap()]);
    assert!(!run.success());
    assert!(
        run.stderr()
            .contains("--as incidents, --as sources, --as places or --as persons"),
        "{}",
        run.stderr()
    );
    let header_only = write_temp(&tmp, "h.csv", "사건명,발생일,유형,출처,쪽,인용문\n");
    let run = dir.run(&["import", header_only.to_str().unwrap(), "--as", "incidents"]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("no rows under its header row"),
        "{}",
        run.stderr()
    );
}

#[test]
fn lists_are_exported_as_csv_or_xlsx_with_hxl_and_never_with_names() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("사건.csv");
    dir.ok(&[
        "--lang",
        "ko",
        "export",
        "--list",
        "incidents",
        "--hxl",
        "--out",
        csv.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("\u{feff}ID,제목,유형,날짜,장소")
    );
    assert!(lines.next().unwrap().starts_with("#event+id,#event+name"));
    assert!(text.contains("강제북송"), "kinds in Korean");
    // The same list as a workbook reads back with the same rows.
    let xlsx = tmp.path().join("incidents.xlsx");
    dir.ok(&[
        "export",
        "--list",
        "incidents",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    let sheet = refwatch_tabular::read_xlsx(&std::fs::read(&xlsx).unwrap(), None).unwrap();
    assert_eq!(sheet.name, "Incidents");
    assert_eq!(
        sheet.rows.len(),
        text.lines().count() - 1,
        "header + rows, no hashtag row"
    );
    // Persons: never a name (the demo names people in its identities).
    let persons = dir.ok(&["export", "--list", "persons", "--out", "-"]);
    assert!(persons.lines().count() > 1);
    for name in ["한만택", "Han Man-taek", "Kim Cheol-ok"] {
        assert!(!persons.contains(name), "{name} in the person list");
    }
    // A wrong extension is said plainly.
    let run = dir.run(&[
        "export",
        "--list",
        "sources",
        "--out",
        tmp.path().join("x.txt").to_str().unwrap(),
    ]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("must end in .csv or .xlsx"),
        "{}",
        run.stderr()
    );
}

#[test]
fn an_uwazi_export_comes_in_and_goes_back_out_with_hxl_tags() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    // As Uwazi exports a collection: property titles as headers, a Korean
    // title column, grouped thesauri with `::`, several values with `|`,
    // dates with `/`, a range with `:`, geolocation as `lat|lon`.
    let uwazi = format!(
        "Title,Title__ko,Date,Incident type,Places,Geolocation,Source,Page,Quote,Date added\n\
         Generated Uwazi arrest,생성된 우와지 체포,2023/10/09,Detention events::Arrest,China::Liaoning::Shenyang|Dandong,,{SOURCE},p. 1,generated uwazi words one,2024/01/05\n\
         Generated Uwazi transfer,생성된 우와지 이송,2023/10/01:2023/10/31,Custody::Transfer,,40.13|124.38,{SOURCE},p. 2,generated uwazi words two,2024/01/05\n"
    );
    let file = write_temp(&tmp, "uwazi-export.csv", &uwazi);
    let out = dir.ok(&["import", file.to_str().unwrap(), "--as", "incidents"]);
    assert!(out.contains("2 incidents"), "{out}");
    let csv = dir.ok(&["export", "--list", "incidents", "--hxl", "--out", "-"]);
    let mut lines = csv.lines();
    lines.next();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("#event+id,#event+name,#event+type,#date,#loc+name,#adm1+name")
    );
    let arrest = csv
        .lines()
        .find(|l| l.contains("Generated Uwazi arrest"))
        .unwrap();
    assert!(
        arrest.contains(",Arrest,2023-10-09,Shenyang | Dandong,Liaoning,CN,"),
        "{arrest}"
    );
    let transfer = csv
        .lines()
        .find(|l| l.contains("Generated Uwazi transfer"))
        .unwrap();
    assert!(
        transfer.contains(",Transfer,2023-10-01/2023-10-31,Dandong,"),
        "the point near Dandong: {transfer}"
    );
}

#[test]
fn places_come_in_from_a_sheet_and_incidents_can_then_name_them() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    let places = write_temp(
        &tmp,
        "places.csv",
        "영문명,한국어명,유형,국가,상위,좌표\nGenerated Town,생성시,city,CN,랴오닝성,41.5|123.9\nGenerated Post,생성 검문소,border_crossing,CN,Generated Town,\n",
    );
    let out = dir.ok(&["import", places.to_str().unwrap(), "--as", "places"]);
    assert!(out.contains("2 places"), "{out}");
    let incidents = write_temp(
        &tmp,
        "incidents.csv",
        &format!(
            "사건명,발생일,유형,장소,출처,쪽,인용문\n생성된 검문소 체포,2024.1.5,체포,생성 검문소,{SOURCE},p. 9,generated post words\n"
        ),
    );
    let out = dir.ok(&["import", incidents.to_str().unwrap(), "--as", "incidents"]);
    assert!(out.contains("1 incidents"), "{out}");
    let exported: serde_json::Value = serde_json::from_str(&dir.export()).unwrap();
    let post = exported["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name_en"] == "Generated Post")
        .unwrap()
        .clone();
    let town = exported["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name_en"] == "Generated Town")
        .unwrap()
        .clone();
    assert_eq!(post["parent"], town["id"]);
    let incident = exported["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "생성된 검문소 체포")
        .unwrap()
        .clone();
    assert_eq!(incident["places"][0]["place"], post["id"]);
}

#[test]
fn persons_come_in_sealed_once_and_never_show_in_a_problem_or_a_list() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    let sheet = format!(
        "이름,영문이름,생년월일,성별,출신지,상태,상태일,출처,쪽,인용문\n\
         생성가,Generated Ga,1990.3.4,여성,단둥,북송됨,2023.10.9,{SOURCE},p. 1,generated person words one\n\
         생성나,,1985,남성,,구금됨,2024.1,{SOURCE},p. 2,generated person words two\n"
    );
    let file = write_temp(&tmp, "persons.csv", &sheet);
    let out = dir.ok(&["import", file.to_str().unwrap(), "--as", "persons"]);
    assert!(out.contains("2 persons"), "{out}");
    // The full export (administrators, with the key) holds the identities.
    let exported = dir.export();
    assert!(exported.contains("생성가") && exported.contains("1990-03-04"));
    // The person list never does.
    let list = dir.ok(&["export", "--list", "persons", "--out", "-"]);
    assert!(
        !list.contains("생성가") && !list.contains("Generated Ga") && !list.contains("1990-03-04")
    );
    // Again: nothing new (the ids are keyed, the same row the same id).
    let again = dir.ok(&["import", file.to_str().unwrap(), "--as", "persons"]);
    assert!(again.contains("Nothing new: all 2 rows"), "{again}");
    // A broken birth date is refused without repeating it or the name.
    let broken = write_temp(
        &tmp,
        "broken.csv",
        &sheet
            .replace("1990.3.4", "1990.13.40")
            .replace("생성나", "생성다"),
    );
    let run = dir.run(&["import", broken.to_str().unwrap(), "--as", "persons"]);
    assert!(!run.success());
    let err = run.stderr();
    assert!(err.contains("row 2, column C (생년월일)"), "{err}");
    for secret in ["1990.13.40", "생성가", "Generated Ga", "생성다"] {
        assert!(!err.contains(secret), "{secret} in: {err}");
    }
}
