//! `/import` over HTTP with reqwest: a field office's spreadsheet is
//! uploaded, its columns mapped and previewed, then imported; a broken
//! one shows every problem by row and column and imports nothing; only
//! the session that uploaded a file can use it.

use crate::{App, PASSWORD, spawn_app};

const SOURCE: &str = "Chinese Repatriation of North Korean Refugees";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of a hidden form field in a page.
fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in:\n{page}"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn signed_in(app: &App, user: &str) -> reqwest::Client {
    let c = client();
    let base = format!("http://{}", app.address);
    let page = c
        .get(format!("{base}/signin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let reply = c
        .post(format!("{base}/signin"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", user),
            ("password", PASSWORD),
            ("code", ""),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        reply.status().is_redirection(),
        "signed in: {}",
        reply.status()
    );
    c
}

fn sheet() -> String {
    format!(
        "2023년 현장 기록,,,,,,,\n\
         사건명,발생일,구분,인원,장소,출처,쪽,인용문\n\
         생성된 웹 체포,2023.10.9,체포,약 50명,선양 | 단둥,{SOURCE},p. 1,generated web words one\n\
         생성된 웹 송환,2023년 10월,강제북송,수백 명,丹东,{SOURCE},p. 2,generated web words two\n"
    )
}

async fn upload(
    c: &reqwest::Client,
    app: &App,
    csrf: &str,
    name: &str,
    text: &str,
) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_owned())
        .text("kind", "incidents")
        .text("action", "preview")
        .part(
            "file",
            reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name(name.to_owned()),
        );
    let reply = c
        .post(format!("http://{}/import", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (reply.status().as_u16(), reply.text().await.unwrap())
}

#[tokio::test]
async fn a_spreadsheet_is_mapped_previewed_and_imported_in_korean() {
    let app = spawn_app().await;
    let base = format!("http://{}", app.address);
    let editor = signed_in(&app, "editor").await;
    // In Korean.
    let page = editor
        .get(format!("{base}/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    editor
        .post(format!("{base}/lang"))
        .form(&[("csrf", csrf.as_str()), ("lang", "ko"), ("back", "/import")])
        .send()
        .await
        .unwrap();
    let page = editor
        .get(format!("{base}/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("가져오기") && page.contains("스프레드시트"),
        "{page}"
    );
    let (status, preview) = upload(&editor, &app, &csrf, "현장.csv", &sheet()).await;
    // "구분" is guessed as the kind; the title row above is skipped.
    assert_eq!(status, 200, "{preview}");
    assert!(preview.contains("가져올 기록 (2)"), "{preview}");
    assert!(
        preview.contains("3행: &quot;선양&quot; → 장소 &quot;선양&quot;"),
        "{preview}"
    );
    assert!(
        preview.contains("<option value=\"kind\" selected>유형</option>"),
        "{preview}"
    );
    assert!(
        preview.contains("value=\"import\""),
        "the import button is offered"
    );
    let token = hidden(&preview, "upload");
    // Nothing is written by the preview.
    let before = app.core.dataset().await.unwrap().incidents.len();
    // Map "장소" out, keep the rest, and import.
    let columns: Vec<(String, &str)> = [
        "title", "date", "kind", "victims", "ignore", "source", "locator", "quote",
    ]
    .iter()
    .enumerate()
    .map(|(i, f)| (format!("col{i}"), *f))
    .collect();
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("upload", token.clone())
        .text("kind", "incidents")
        .text("confidentiality", "restricted")
        .text("action", "import");
    for (k, v) in columns {
        form = form.text(k, v.to_owned());
    }
    let reply = editor
        .post(format!("{base}/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = reply.status().as_u16();
    let done = reply.text().await.unwrap();
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("가져왔습니다: 2"), "{done}");
    let data = app.core.dataset().await.unwrap();
    assert_eq!(data.incidents.len(), before + 2);
    let made = data
        .incidents
        .iter()
        .find(|i| i.title == "생성된 웹 체포")
        .unwrap();
    assert!(made.places.is_empty(), "the places column was left out");
    // The upload is gone once imported.
    let again = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("upload", token)
        .text("kind", "incidents")
        .text("action", "import");
    let reply = editor
        .post(format!("{base}/import"))
        .multipart(again)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 422);
    assert!(reply.text().await.unwrap().contains("다시 올려 주세요"));
}

#[tokio::test]
async fn a_broken_sheet_shows_every_problem_and_imports_nothing() {
    let app = spawn_app().await;
    let base = format!("http://{}", app.address);
    let editor = signed_in(&app, "editor").await;
    let page = editor
        .get(format!("{base}/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let before = app.core.dataset().await.unwrap().incidents.len();
    let broken = format!(
        "사건명,발생일,유형,인원,출처,쪽,인용문\n생성된 기록,지난 여름,체포,많이,{SOURCE},p. 1,words\n,2023,체포,5,없는 보고서,p. 2,words\n"
    );
    let (status, page) = upload(&editor, &app, &csrf, "broken.csv", &broken).await;
    assert_eq!(status, 422);
    for expected in [
        "row 2, column B (발생일)",
        "row 2, column D (인원)",
        "row 3, column A (사건명)",
        "row 3, column E (출처)",
    ] {
        assert!(page.contains(expected), "missing {expected}:\n{page}");
    }
    assert!(
        !page.contains("value=\"import\""),
        "no import button while problems remain"
    );
    // Forcing the import anyway imports nothing.
    let token = hidden(&page, "upload");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("upload", token.clone())
        .text("kind", "incidents")
        .text("action", "import");
    let reply = editor
        .post(format!("{base}/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 422);
    assert_eq!(app.core.dataset().await.unwrap().incidents.len(), before);
    // Another session cannot use this upload, even with its own token.
    let other = signed_in(&app, "admin").await;
    let page = other
        .get(format!("{base}/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let other_csrf = hidden(&page, "csrf");
    let form = reqwest::multipart::Form::new()
        .text("csrf", other_csrf)
        .text("upload", token)
        .text("kind", "incidents")
        .text("action", "preview");
    let reply = other
        .post(format!("{base}/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 422);
    assert!(reply.text().await.unwrap().contains("no longer held"));
}

#[tokio::test]
async fn viewers_and_forged_forms_cannot_import() {
    let app = spawn_app().await;
    let base = format!("http://{}", app.address);
    let viewer = signed_in(&app, "viewer").await;
    let reply = viewer.get(format!("{base}/import")).send().await.unwrap();
    assert_eq!(reply.status().as_u16(), 403);
    let page = reply.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let (status, _) = upload(&viewer, &app, &csrf, "x.csv", &sheet()).await;
    assert_eq!(status, 403);
    let editor = signed_in(&app, "editor").await;
    let (status, _) = upload(&editor, &app, "forged", "x.csv", &sheet()).await;
    assert_eq!(status, 403);
    // An unreadable file is said plainly and the server stays up.
    let page = editor
        .get(format!("{base}/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let (status, page) = upload(&editor, &app, &csrf, "x.xlsx", "not a workbook").await;
    assert_eq!(status, 422);
    assert!(page.contains("cannot be read"), "{page}");
    assert_eq!(
        editor
            .get(format!("{base}/"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn lists_download_as_filtered_with_hxl_and_what_the_reader_may_see() {
    let app = spawn_app().await;
    let base = format!("http://{}", app.address);
    let public = client();
    // The public: public incidents only, filtered as on the page.
    let page = public
        .get(format!("{base}/incidents?kind=repatriation"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("/incidents.csv?kind=repatriation"),
        "download links keep the filters"
    );
    let reply = public
        .get(format!("{base}/incidents.csv?kind=repatriation&hxl=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    assert!(
        reply.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment; filename=\"refwatch-incidents.csv\"")
    );
    let csv = reply.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("\u{feff}ID,Title,Kind"));
    assert!(lines.next().unwrap().starts_with("#event+id"));
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r.contains(",Forced repatriation,")),
        "only the filtered kind"
    );
    assert!(
        !csv.contains("Restricted arrest"),
        "nothing the public may not read"
    );
    // A signed-in editor gets the restricted incident, with its script
    // payload as plain text.
    let editor = signed_in(&app, "editor").await;
    let csv = editor
        .get(format!("{base}/incidents.csv?q=Restricted"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Restricted arrest <script>"), "{csv}");
    // Workbooks, and the other lists.
    let xlsx = editor
        .get(format!("{base}/incidents.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
    let sources = public
        .get(format!("{base}/sources.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        sources.contains(SOURCE) && !sources.contains("Generated testimony"),
        "public sources only"
    );
    let mechanisms = public
        .get(format!("{base}/mechanisms.xlsx?hxl=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(mechanisms.status().as_u16(), 200);
}

#[tokio::test]
async fn a_persons_sheet_previews_without_identities() {
    let app = spawn_app().await;
    let base = format!("http://{}", app.address);
    let editor = signed_in(&app, "editor").await;
    let page = editor
        .get(format!("{base}/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let sheet = format!(
        "이름,생년월일,성별,상태,상태일,출처,쪽,인용문\n생성웹가,1991.5.6,여성,북송됨,2023.10.9,{SOURCE},p. 1,generated web person words\n"
    );
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("kind", "persons")
        .text("action", "preview")
        .part(
            "file",
            reqwest::multipart::Part::bytes(sheet.into_bytes()).file_name("persons.csv"),
        );
    let reply = editor
        .post(format!("{base}/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let preview = reply.text().await.unwrap();
    assert!(preview.contains("(identity not shown)"), "{preview}");
    assert!(
        !preview.contains("생성웹가") && !preview.contains("1991"),
        "no identity in the preview"
    );
    let token = hidden(&preview, "upload");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("upload", token)
        .text("kind", "persons")
        .text("action", "import");
    let reply = editor
        .post(format!("{base}/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        reply.status().as_u16(),
        200,
        "{}",
        reply.text().await.unwrap()
    );
    let data = app.core.dataset().await.unwrap();
    assert!(data.persons.iter().any(|p| p.birth_year == Some(1991)));
}
