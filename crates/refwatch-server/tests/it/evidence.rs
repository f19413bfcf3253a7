//! Evidence and search over HTTP: upload from the page (multipart, CSRF),
//! upload through the API (bearer token), search pages and API per role,
//! downloads as attachments only.

use crate::{App, csrf_of, get, json_of, request, sign_in, spawn_app};

fn bearer(cookies: &str) -> Vec<(&'static str, String)> {
    let token = cookies
        .split("refwatch_session=")
        .nth(1)
        .unwrap()
        .to_owned();
    vec![("Authorization", format!("Bearer {token}"))]
}

fn source() -> String {
    "key:src-cohen-2014"
        .parse::<refwatch_domain::SourceId>()
        .unwrap()
        .to_string()
}

async fn upload_page(
    app: &App,
    cookies: &str,
    csrf: &str,
    text: &str,
    level: &str,
) -> crate::Reply {
    let boundary = "----generatedboundary7";
    let mut body = String::new();
    for (name, value) in [
        ("csrf", csrf.to_owned()),
        ("source", source()),
        ("received_from", "Generated Courier".to_owned()),
        ("received_via", "Signal".to_owned()),
        ("confidentiality", level.to_owned()),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"statement.txt\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
    ));
    request(
        app,
        "POST",
        "/evidence",
        &[
            ("Cookie", cookies.to_owned()),
            (
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            ),
        ],
        &body,
    )
    .await
}

#[tokio::test]
async fn uploads_are_searched_by_who_may_read_them_and_downloaded_as_attachments() {
    let app = spawn_app().await;
    let editor = sign_in(&app, "editor").await;
    let csrf = csrf_of(&editor);
    let stored = upload_page(
        &app,
        &editor,
        &csrf,
        "생성된 증언: 공안이 탈북민을 강제북송을 했다고 한다.",
        "restricted",
    )
    .await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert!(stored.body.contains("SHA-256"), "{}", stored.body);
    // The same bytes again: recognised.
    let again = upload_page(
        &app,
        &editor,
        &csrf,
        "생성된 증언: 공안이 탈북민을 강제북송을 했다고 한다.",
        "restricted",
    )
    .await;
    assert!(again.body.contains("stored already"), "{}", again.body);
    // Without the form's token: refused, nothing stored.
    let forged = upload_page(
        &app,
        &editor,
        "not-the-token",
        "generated forged upload",
        "public",
    )
    .await;
    assert_eq!(forged.status, 403);
    // A viewer may not upload.
    let viewer = sign_in(&app, "viewer").await;
    let denied = upload_page(
        &app,
        &viewer,
        &csrf_of(&viewer),
        "generated viewer upload",
        "restricted",
    )
    .await;
    assert_eq!(denied.status, 422);

    // Through the API: a confidential file, with a bearer token only.
    let path = format!(
        "/api/v1/evidence?source={}&received_from=Generated%20Courier&received_via=email&file_name=note.txt&confidentiality=confidential",
        source()
    );
    let no_token = request(
        &app,
        "POST",
        &path,
        &[("Cookie", editor.clone())],
        "generated safehouse note",
    )
    .await;
    assert_eq!(no_token.status, 401);
    let created = request(
        &app,
        "POST",
        &path,
        &bearer(&editor),
        "generated safehouse note",
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let secret_id = json_of(&created)["id"].as_str().unwrap().to_owned();

    // Search: the restricted Korean text for members, the confidential note for editors only.
    let search = |who: &'static str, q: &'static str| {
        let app = &app;
        async move {
            let cookies = if who == "public" {
                String::new()
            } else {
                sign_in(app, who).await
            };
            let r = request(
                app,
                "GET",
                &format!("/api/v1/search?q={}&kind=evidence", urlencode(q)),
                &[("Cookie", cookies)],
                "",
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.body);
            json_of(&r)["total"].as_u64().unwrap()
        }
    };
    for (who, korean, secret) in [
        ("public", 0, 0),
        ("viewer", 1, 0),
        ("analyst", 1, 0),
        ("editor", 1, 1),
        ("admin", 1, 1),
    ] {
        assert_eq!(search(who, "강제북송").await, korean, "{who}");
        assert_eq!(search(who, "safehouse").await, secret, "{who}");
    }
    let page = get(
        &app,
        &format!("/search?q={}", urlencode("강제북송")),
        &viewer,
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<mark>강제북송</mark>을"),
        "{}",
        page.body
    );
    let ko = get(&app, "/search?q=x", &format!("{viewer}; refwatch_lang=ko")).await;
    assert!(ko.body.contains("검색"));
    let nothing = get(&app, "/search?q=generatednonword", &viewer).await;
    assert!(
        nothing
            .body
            .contains("Nothing found. Every word must be found"),
        "{}",
        nothing.body
    );
    let empty = request(&app, "GET", "/api/v1/search?q=%20", &[], "").await;
    assert_eq!(empty.status, 400);

    // Downloads are attachments of bytes, never pages; each is in the custody.
    let original = get(&app, &format!("/evidence/{secret_id}/original"), &editor).await;
    assert_eq!(original.status, 200);
    assert_eq!(
        original.header("content-type"),
        Some("application/octet-stream")
    );
    assert!(
        original
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(original.body, "generated safehouse note");
    let record = json_of(
        &request(
            &app,
            "GET",
            &format!("/api/v1/evidence/{secret_id}"),
            &bearer(&editor),
            "",
        )
        .await,
    );
    let actions: Vec<&str> = record["custody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["intake", "download", "view"]);
    // A viewer cannot reach it at all.
    assert_eq!(
        get(&app, &format!("/evidence/{secret_id}/original"), &viewer)
            .await
            .status,
        404
    );
    assert_eq!(
        get(&app, &format!("/evidence/{secret_id}"), &viewer)
            .await
            .status,
        404
    );
    let shown = get(&app, &format!("/evidence/{secret_id}"), &editor).await;
    assert!(
        shown.body.contains("generated safehouse note")
            && !shown.body.contains("Generated Courier")
    );
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn search_with_its_year_boxes_left_empty_finds_records() {
    // The search form sends from=&to= when the year boxes are left empty:
    // that means any year, not a plain-text 400.
    let app = spawn_app().await;
    let base = format!("http://{}", app.address);
    let public = reqwest::Client::new();
    let reply = public
        .get(format!("{base}/search?q=repatriation&from=&to="))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let page = reply.text().await.unwrap();
    let filled = public
        .get(format!("{base}/search?q=repatriation"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let hits = |p: &str| p.matches("<li").count();
    assert!(
        hits(&page) > 0 && hits(&page) == hits(&filled),
        "empty boxes are no filter"
    );
    // The language facet names languages, not codes.
    assert!(page.contains(" · English "), "{page}");
    assert!(!page.contains(" · en ") && !page.contains(" · und "));
    let api = public
        .get(format!(
            "{base}/api/v1/search?q=repatriation&from=&to=&limit="
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 200);
}
