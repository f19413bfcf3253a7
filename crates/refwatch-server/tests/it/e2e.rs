//! End to end in Debian's Chromium through chromedriver (installed by
//! tools/test-all.sh), with JavaScript on and off: sign in, record an
//! incident with a citation, find it in the list and on the overview,
//! switch to Korean, and fail to see a confidential person's name as a
//! viewer. Screenshots go to target/e2e-artifacts/.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{PASSWORD, spawn_app};

/// A chromedriver process on a free loopback port, stopped on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is needed: tools/test-all.sh installs chromium-driver");
    // chromedriver is an outside process: wait, boundedly, until it listens.
    let start = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Driver { child, port }
}

/// A WebDriver session, driven with fantoccini.
struct Browser {
    client: fantoccini::Client,
}

impl Browser {
    async fn open(port: u16, javascript: bool, profile: &std::path::Path) -> Browser {
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--window-size=1200,1400", format!("--user-data-dir={}", profile.display())],
                "prefs": {"profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 }}
            }
        });
        let Value::Object(caps) = caps else {
            unreachable!("an object")
        };
        let client = fantoccini::ClientBuilder::rustls()
            .expect("TLS set up")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        Browser { client }
    }

    async fn go(&self, url: &str) {
        self.client.goto(url).await.expect("the page opens");
    }

    /// The page source once it contains `text` (pages load after a click
    /// on their own time); the last source seen after ten seconds otherwise.
    async fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let page = self.source().await;
            if page.contains(text) || start.elapsed() > Duration::from_secs(10) {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The page source once it no longer contains `text` (the page after
    /// a form was sent); the last source seen after ten seconds otherwise.
    async fn wait_gone(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let page = self.source().await;
            if !page.contains(text) || start.elapsed() > Duration::from_secs(10) {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn source(&self) -> String {
        self.client.source().await.expect("the page's source")
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .find(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.expect("cleared");
        e.send_keys(text).await.expect("typed");
    }

    async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("clicked");
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG"));
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Sets the window's size, as a phone's or a laptop's.
    async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resized");
    }

    async fn close(self) {
        self.client.close().await.expect("the session ends");
    }
}

async fn sign_in(b: &Browser, base: &str, user: &str) {
    b.go(&format!("{base}/signin")).await;
    b.type_into("input[name=username]", user).await;
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("main button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documenting_in_a_real_browser_with_and_without_javascript() {
    let driver = start_driver().await;
    for javascript in [true, false] {
        let app = spawn_app().await;
        let base = format!("http://{}", app.address);
        let profile = tempfile::tempdir().unwrap();
        let b = Browser::open(driver.port, javascript, profile.path()).await;
        let tag = if javascript { "js" } else { "nojs" };
        let title = format!("Generated browser arrest {tag}");

        sign_in(&b, &base, "editor").await;
        assert!(
            b.wait_for("Sign out").await.contains("Sign out"),
            "{tag}: signed in"
        );
        b.go(&format!("{base}/incidents/new")).await;
        b.type_into("input[name=title]", &title).await;
        b.type_into("input[name=date]", "2024-05").await;
        b.type_into("input[name=low]", "3").await;
        // The source chosen by typing its title, as offered.
        b.type_into(
            "input[name=source]",
            "Report of the Working Group on the Universal Periodic Review: China",
        )
        .await;
        b.type_into("input[name=locator]", "call notes, p. 1").await;
        b.type_into("textarea[name=quote]", "three people were taken")
            .await;
        b.click("main button[type=submit]").await;
        let page = b.wait_for("three people were taken").await;
        assert!(
            page.contains(&title) && page.contains("three people were taken"),
            "{tag}: the new incident shows with its citation:\n{}",
            &page[page.find("<main").unwrap_or(0)..]
        );

        b.go(&format!("{base}/incidents?q=browser")).await;
        assert!(
            b.source().await.contains(&title),
            "{tag}: found in the list"
        );
        b.go(&format!("{base}/")).await;
        assert!(
            b.source().await.contains(&title),
            "{tag}: on the overview's latest incidents"
        );
        b.screenshot(&format!("dashboard-en-{tag}")).await;
        b.go(&format!("{base}/incidents?q=Shenyang")).await;
        b.click("td a").await;
        b.wait_for("Accounts by source").await;
        b.screenshot(&format!("incident-en-{tag}")).await;

        b.click("select[name=lang] option[value=ko]").await;
        b.click("header form button[type=submit]").await;
        let ko = b.wait_for("출처별 보도").await;
        assert!(
            ko.contains("lang=\"ko\"") && ko.contains("출처별 보도"),
            "{tag}: Korean labels"
        );
        b.screenshot(&format!("incident-ko-{tag}")).await;
        b.go(&format!("{base}/")).await;
        assert!(b.source().await.contains("최근 사건"));
        b.screenshot(&format!("dashboard-ko-{tag}")).await;

        b.click("form[action='/signout'] button").await;
        b.wait_for("로그인").await;
        sign_in(&b, &base, "viewer").await;
        b.wait_for("로그아웃").await;
        let confidential = "key:t-person".parse::<refwatch_domain::PersonId>().unwrap();
        b.go(&format!("{base}/persons/{confidential}")).await;
        assert!(
            !b.source().await.contains("Generated Secret Name"),
            "{tag}: a viewer never sees the name"
        );
        let restricted = "key:t-person-r"
            .parse::<refwatch_domain::PersonId>()
            .unwrap();
        b.go(&format!("{base}/persons/{restricted}")).await;
        let page = b.source().await;
        assert!(
            !page.contains("Generated Restricted Name") && page.contains("표시하지 않음"),
            "{tag}"
        );
        b.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spreadsheet_is_mapped_previewed_and_imported_in_korean_without_javascript() {
    let driver = start_driver().await;
    let app = spawn_app().await;
    let base = format!("http://{}", app.address);
    let profile = tempfile::tempdir().unwrap();
    let b = Browser::open(driver.port, false, profile.path()).await;
    let files = tempfile::tempdir().unwrap();
    let sheet = files.path().join("현장기록.csv");
    std::fs::write(
        &sheet,
        "2023년 현장 기록,,,,,,,\n\
         사건명,발생일,구분,인원,장소,출처,쪽,인용문\n\
         생성된 브라우저 체포,2023.10.9,체포,약 50명,선양 | 단둥,Chinese Repatriation of North Korean Refugees,p. 1,generated browser words one\n\
         생성된 브라우저 송환,2023년 10월,강제북송,수백 명,丹东,Chinese Repatriation of North Korean Refugees,p. 2,generated browser words two\n",
    )
    .unwrap();
    sign_in(&b, &base, "editor").await;
    b.wait_for("Sign out").await;
    b.go(&format!("{base}/import")).await;
    b.click("select[name=lang] option[value=ko]").await;
    b.click("header form button[type=submit]").await;
    b.wait_for("스프레드시트").await;
    b.type_into("input[name=file]", sheet.to_str().unwrap())
        .await;
    b.click("main button[value=preview]").await;
    let preview = b.wait_for("가져올 기록 (2)").await;
    assert!(preview.contains("가져올 기록 (2)"), "preview:\n{preview}");
    b.screenshot("import-preview-ko-nojs").await;
    // Leave the places out, preview again (waiting for the new page: the
    // old one already says the same count), then import.
    b.click("select[name=col4] option[value=ignore]").await;
    b.click("main button[value=preview]").await;
    let start = Instant::now();
    loop {
        let page = b.source().await;
        if (page.contains("가져올 기록 (2)") && !page.contains("→ 장소"))
            || start.elapsed() > Duration::from_secs(10)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.click("main button[value=import]").await;
    let done = b.wait_for("가져왔습니다").await;
    assert!(done.contains("가져왔습니다: 2"), "import:\n{done}");
    b.screenshot("import-done-ko-nojs").await;
    b.go(&format!(
        "{base}/incidents?q=%EB%B8%8C%EB%9D%BC%EC%9A%B0%EC%A0%80"
    ))
    .await;
    assert!(b.source().await.contains("생성된 브라우저 체포"));
    b.close().await;
}

/// The first `href` in `page` that starts with `prefix` and ends with `suffix`.
fn link(page: &str, prefix: &str, suffix: &str) -> String {
    page.match_indices(&format!("href=\"{prefix}"))
        .map(|(at, _)| {
            let start = at + 6;
            page[start..start + page[start..].find('"').unwrap()].to_owned()
        })
        .find(|href| href.ends_with(suffix))
        .unwrap_or_else(|| panic!("no link {prefix}…{suffix}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_place_is_recorded_edited_restored_and_archived_in_a_real_browser() {
    let driver = start_driver().await;
    for javascript in [false, true] {
        let app = spawn_app().await;
        let base = format!("http://{}", app.address);
        let profile = tempfile::tempdir().unwrap();
        let b = Browser::open(driver.port, javascript, profile.path()).await;
        let tag = if javascript { "js" } else { "nojs" };
        sign_in(&b, &base, "editor").await;
        b.wait_for("Sign out").await;

        b.go(&format!("{base}/places/new")).await;
        b.click("select[name=kind] option[value=city]").await;
        b.type_into("input[name=name_en]", "Generated Browser Town")
            .await;
        b.type_into("input[name=name_ko]", "생성읍").await;
        // The province in Korean, as a Seoul documenter types it.
        b.type_into("input[name=parent]", "랴오닝성").await;
        b.type_into("input[name=lat]", "41.8").await;
        b.type_into("input[name=lon]", "123.4").await;
        b.click("main form button[type=submit]").await;
        let page = b.wait_for("Saved.").await;
        assert!(page.contains("Saved."), "{tag}: saved");

        b.go(&format!("{base}{}", link(&page, "/places/", "/edit")))
            .await;
        b.type_into("input[name=name_en]", "Generated Market Town")
            .await;
        b.click("main form button[type=submit]").await;
        let page = b.wait_for("<ins>").await;
        assert!(
            page.contains("<del>Generated Browser Town</del>")
                && page.contains("<ins>Generated Market Town</ins>"),
            "{tag}: the difference is shown"
        );
        b.screenshot(&format!("place-history-en-{tag}")).await;
        b.resize(390, 844).await;
        b.screenshot(&format!("place-history-en-phone-{tag}")).await;
        b.resize(1200, 1400).await;

        b.click("select[name=lang] option[value=ko]").await;
        b.click("header form button[type=submit]").await;
        let page = b.wait_for("변경 이력").await;
        assert!(page.contains("이 버전으로 복원"), "{tag}: Korean labels");
        b.screenshot(&format!("place-history-ko-{tag}")).await;
        b.resize(390, 844).await;
        b.screenshot(&format!("place-history-ko-phone-{tag}")).await;
        b.resize(1200, 1400).await;

        // The first version back, then archived with a reason.
        b.click("form[action*='/history/1/restore'] button").await;
        let page = b.wait_for("복원되었습니다").await;
        assert!(page.contains("복원되었습니다"), "{tag}: restored");
        b.type_into("input[name=reason]", "두 번 입력됨").await;
        b.click("form[action$='/archive'] button").await;
        let page = b.wait_for("보관 처리된 기록").await;
        assert!(
            page.contains("두 번 입력됨"),
            "{tag}: archived with its reason"
        );
        b.screenshot(&format!("place-archived-ko-{tag}")).await;
        b.go(&format!("{base}/places")).await;
        assert!(
            !b.source().await.contains("Generated Browser Town"),
            "{tag}: out of the list"
        );
        // The incident form with its places, actors, breakdown and
        // citations, and the person form, as a documenter sees them.
        let incident = "key:t-restricted"
            .parse::<refwatch_domain::IncidentId>()
            .unwrap();
        b.go(&format!("{base}/incidents/{incident}/edit")).await;
        let form = b.wait_for("cite_0_quote").await;
        assert!(form.contains("name=\"place_0\""), "{tag}: rows to fill");
        b.screenshot(&format!("incident-edit-ko-{tag}")).await;
        b.resize(390, 844).await;
        b.screenshot(&format!("incident-edit-ko-phone-{tag}")).await;
        b.go(&format!("{base}/persons/new")).await;
        b.wait_for("identity_name_hangul").await;
        b.screenshot(&format!("person-new-ko-phone-{tag}")).await;
        b.resize(1200, 1400).await;
        b.close().await;
    }
}

/// The numbers of the versions a history page offers to restore.
fn restorable(page: &str) -> Vec<u32> {
    let mut numbers: Vec<u32> = page
        .match_indices("/restore\"")
        .filter_map(|(at, _)| {
            let head = &page[..at];
            head[head.rfind('/')? + 1..].parse().ok()
        })
        .collect();
    numbers.sort_unstable();
    numbers
}

/// Saves the form of the page and waits for the confirmation.
async fn save(b: &Browser, tag: &str, what: &str) -> String {
    b.click("main form button[type=submit]").await;
    let page = b.wait_for("role=\"status\"").await;
    assert!(
        page.contains("role=\"status\""),
        "{tag}: {what} saved: {page}"
    );
    page
}

/// Records, as an editor, one record of every kind that an incident uses,
/// and the incident with two citations; answers the incident's and the
/// person's addresses.
async fn record_everything(
    b: &Browser,
    base: &str,
    tag: &str,
    source_file: &std::path::Path,
) -> (String, String) {
    // A source, and its document kept as evidence in the same step.
    b.go(&format!("{base}/sources/new")).await;
    b.click("select[name=kind] option[value=ngo_report]").await;
    b.type_into(
        "input[name=title]",
        &format!("Generated scenario report {tag}"),
    )
    .await;
    b.find("input[name=document]")
        .await
        .send_keys(&source_file.display().to_string())
        .await
        .unwrap();
    b.type_into("input[name=doc_received_from]", "Generated Courier")
        .await;
    b.type_into("input[name=doc_received_via]", "Signal").await;
    let page = save(b, tag, "source with its document").await;
    let title = format!("Generated scenario report {tag}");
    let evidence = link(&page, "/evidence/", "")
        .trim_start_matches("/evidence/")
        .to_owned();
    b.screenshot(&format!("scenario-source-{tag}")).await;

    // A place inside another, typed in Korean; an actor.
    b.go(&format!("{base}/places/new")).await;
    b.click("select[name=kind] option[value=city]").await;
    b.type_into(
        "input[name=name_en]",
        &format!("Generated Scenario Town {tag}"),
    )
    .await;
    b.type_into("input[name=parent]", "랴오닝성").await;
    save(b, tag, "place").await;
    b.go(&format!("{base}/actors/new")).await;
    b.type_into(
        "input[name=name_en]",
        &format!("Generated Border Unit {tag}"),
    )
    .await;
    save(b, tag, "actor").await;

    // A person with two status entries, consent and a citation.
    b.go(&format!("{base}/persons/new")).await;
    b.type_into(
        "input[name=identity_name_romanized]",
        "Generated Scenario Person",
    )
    .await;
    b.click("select[name=sex] option[value=female]").await;
    for (n, date, status) in [(0, "2024-03", "arrested"), (1, "2024-05", "detained")] {
        b.type_into(&format!("input[name=timeline_{n}_date]"), date)
            .await;
        b.click(&format!(
            "select[name=timeline_{n}_status] option[value={status}]"
        ))
        .await;
    }
    b.click("select[name=consent_scope] option[value=un_confidential]")
        .await;
    b.type_into("input[name=consent_date]", "2024-06-01").await;
    b.type_into("input[name=consent_recorded_by]", "Generated Documenter")
        .await;
    b.type_into("input[name=cite_source]", &title).await;
    b.type_into("input[name=cite_locator]", "interview 1").await;
    b.type_into(
        "textarea[name=cite_quote]",
        "Generated Scenario Person was taken",
    )
    .await;
    b.click("main form button[type=submit]").await;
    let page = b.wait_for("/history").await;
    let person = link(&page, "/persons/", "/history")
        .trim_end_matches("/history")
        .to_owned();
    b.screenshot(&format!("scenario-person-{tag}")).await;

    // The incident that uses them, with a breakdown and two citations.
    b.go(&format!("{base}/incidents/new")).await;
    b.click("select[name=kind] option[value=arrest]").await;
    b.type_into(
        "input[name=title]",
        &format!("Generated scenario arrest {tag}"),
    )
    .await;
    b.type_into("input[name=date]", "2024-03").await;
    b.type_into("input[name=low]", "3").await;
    b.type_into("input[name=high]", "5").await;
    b.type_into(
        "input[name=place_0]",
        &format!("Generated Scenario Town {tag}"),
    )
    .await;
    b.type_into(
        "input[name=actor_0]",
        &format!("Generated Border Unit {tag}"),
    )
    .await;
    b.click("select[name=bd_0_term] option[value='sex:female']")
        .await;
    b.type_into("input[name=bd_0_low]", "2").await;
    b.type_into("input[name=source]", &title).await;
    b.type_into("input[name=locator]", "p. 1").await;
    b.type_into("textarea[name=quote]", "three to five people were arrested")
        .await;
    let page = save(b, tag, "incident").await;
    let incident = link(&page, "/incidents/", "/edit")
        .trim_end_matches("/edit")
        .to_owned();
    b.go(&format!("{base}{incident}/edit")).await;
    b.type_into("input[name=source]", &title).await;
    b.type_into("input[name=locator]", "p. 2").await;
    b.type_into("textarea[name=quote]", "they were taken to the border")
        .await;
    save(b, tag, "second citation").await;
    b.screenshot(&format!("scenario-incident-history-{tag}"))
        .await;

    // The person linked to it; the evidence file linked to it.
    b.go(&format!("{base}{person}/edit")).await;
    b.type_into(
        "input[name=incident_0]",
        &format!("Generated scenario arrest {tag}"),
    )
    .await;
    b.click("select[name=incident_0_role] option[value=victim]")
        .await;
    save(b, tag, "person's incident").await;
    b.go(&format!("{base}{incident}")).await;
    b.click(&format!("select[name=evidence] option[value='{evidence}']"))
        .await;
    b.click(&format!(
        "form[action='{incident}/evidence'] button[type=submit]"
    ))
    .await;
    let page = b.wait_for(&format!("/evidence/{evidence}")).await;
    assert!(
        page.contains(&format!("/evidence/{evidence}")),
        "{tag}: evidence linked"
    );
    b.screenshot(&format!("scenario-incident-{tag}")).await;

    // A UPR recommendation with China's response, and later a note on its
    // implementation with its evidence.
    b.go(&format!("{base}/mechanisms/new?kind=upr_recommendation"))
        .await;
    b.type_into("input[name=state]", "Generatedland").await;
    b.type_into("input[name=date]", "2024-01-23").await;
    b.type_into(
        "textarea[name=text]",
        &format!("Generated: stop forced returns {tag}"),
    )
    .await;
    b.type_into("input[name=response]", "noted").await;
    b.type_into("input[name=cite_source]", &title).await;
    b.type_into("input[name=cite_locator]", "para. 140").await;
    b.type_into("textarea[name=cite_quote]", "stop forced returns")
        .await;
    let page = save(b, tag, "recommendation").await;
    let recommendation = link(&page, "/mechanisms/", "/edit");
    b.go(&format!("{base}{recommendation}")).await;
    b.type_into("input[name=note_0_date]", "2024-10").await;
    b.click("select[name=note_0_status] option[value=contradicted]")
        .await;
    b.type_into(
        "textarea[name=note_0_summary]",
        "Generated: returns went on",
    )
    .await;
    b.type_into("input[name=note_0_source]", &title).await;
    b.type_into("input[name=note_0_locator]", "p. 9").await;
    b.type_into("textarea[name=note_0_quote]", "returns went on")
        .await;
    save(b, tag, "implementation note").await;
    b.go(&format!("{base}/mechanisms")).await;
    assert!(
        b.source().await.contains("Generated: returns went on"),
        "{tag}: note listed"
    );
    b.screenshot(&format!("scenario-mechanisms-{tag}")).await;
    (incident, person)
}

/// Issue 30's scenario: every kind of record in the browser, then the
/// incident edited, its difference viewed, the earlier version restored,
/// archived and restored again; with JavaScript off (in English) and on
/// (in Korean), desktop and phone screenshots in target/e2e-artifacts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_records_every_kind_and_restores_an_incident_in_a_real_browser() {
    let driver = start_driver().await;
    let files = tempfile::tempdir().unwrap();
    let source_file = files.path().join("generated-report.txt");
    std::fs::write(
        &source_file,
        "Generated report: three to five people were arrested.",
    )
    .unwrap();
    for (javascript, lang) in [(false, "en"), (true, "ko")] {
        let app = spawn_app().await;
        let base = format!("http://{}", app.address);
        let profile = tempfile::tempdir().unwrap();
        let b = Browser::open(driver.port, javascript, profile.path()).await;
        let tag = format!("{lang}-{}", if javascript { "js" } else { "nojs" });
        sign_in(&b, &base, "editor").await;
        b.wait_for("/signout").await;
        if lang == "ko" {
            b.click("select[name=lang] option[value=ko]").await;
            b.click("header form button[type=submit]").await;
            b.wait_for("lang=\"ko\"").await;
        }
        let (incident, person) = record_everything(&b, &base, &tag, &source_file).await;

        // Edited: the difference shown field by field.
        b.go(&format!("{base}{incident}/edit")).await;
        b.type_into(
            "input[name=title]",
            &format!("Generated scenario arrest {tag}, corrected"),
        )
        .await;
        let page = save(&b, &tag, "edit").await;
        assert!(
            page.contains("<ins>Generated scenario arrest") && page.contains("corrected</ins>"),
            "{tag}: difference"
        );
        b.screenshot(&format!("scenario-difference-{tag}")).await;
        b.resize(390, 844).await;
        b.screenshot(&format!("scenario-difference-phone-{tag}"))
            .await;
        b.resize(1200, 1400).await;
        // The version before the edit restored, then archived, then back.
        let numbers = restorable(&page);
        assert_eq!(
            numbers.len(),
            2,
            "{tag}: created and cited again, before the edit"
        );
        b.click(&format!(
            "form[action$='/history/{}/restore'] button",
            numbers[1]
        ))
        .await;
        let restored = if lang == "ko" {
            "복원되었습니다"
        } else {
            "Restored."
        };
        let page = b.wait_for(restored).await;
        assert!(page.contains(restored), "{tag}: restored");
        // Refused while the person and the evidence file refer to it, in
        // words; archived once they no longer do.
        b.type_into("input[name=reason]", "Generated: recorded twice")
            .await;
        b.click("form[action$='/archive'] button").await;
        let page = b.wait_for("role=\"alert\"").await;
        assert!(
            page.contains("role=\"alert\"") && page.contains("/history"),
            "{tag}: refused"
        );
        b.screenshot(&format!("scenario-archive-refused-{tag}"))
            .await;
        b.go(&format!("{base}{incident}")).await;
        b.click("form input[name=linked][value=no] ~ button").await;
        let page = b.wait_gone("name=\"linked\" value=\"no\"").await;
        assert!(
            !page.contains("name=\"linked\" value=\"no\""),
            "{tag}: unlinked"
        );
        b.go(&format!("{base}{person}/edit")).await;
        b.type_into("input[name=incident_0]", "").await;
        save(&b, &tag, "person unlinked").await;
        b.go(&format!("{base}{incident}/history")).await;
        b.type_into("input[name=reason]", "Generated: recorded twice")
            .await;
        b.click("form[action$='/archive'] button").await;
        let page = b.wait_for("Generated: recorded twice").await;
        assert!(
            page.contains("Generated: recorded twice"),
            "{tag}: archived with its reason: {page}"
        );
        b.go(&format!("{base}/incidents")).await;
        assert!(
            !b.source()
                .await
                .contains(&format!("Generated scenario arrest {tag}")),
            "{tag}: out of the list"
        );
        b.go(&format!("{base}{incident}/history")).await;
        let last = *restorable(&b.source().await)
            .last()
            .expect("a version to restore");
        b.click(&format!("form[action$='/history/{last}/restore'] button"))
            .await;
        assert!(b.wait_for(restored).await.contains(restored), "{tag}: back");
        b.go(&format!("{base}/incidents")).await;
        assert!(
            b.source()
                .await
                .contains(&format!("Generated scenario arrest {tag}")),
            "{tag}: back in the list"
        );
        b.screenshot(&format!("scenario-restored-{tag}")).await;
        b.close().await;
    }
}
