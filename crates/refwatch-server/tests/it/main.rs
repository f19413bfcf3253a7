//! The web application over real HTTP on a random loopback port, with a
//! fresh database per test.

use std::sync::Arc;

use refwatch_accounts::Password;
use refwatch_domain::SystemClock;
use refwatch_keys::KekSource;
use refwatch_policy::Role;
use refwatch_server::AppState;
use refwatch_service::Service;
use refwatch_storage::SqliteStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

mod api_tester;
mod e2e;
mod evidence;
mod records;
mod scan;
mod sheets;

const DEMO: &str = include_str!("../../../refwatch/demo/refwatch-demo.json");
const PASSWORD: &str = "generated password 1";
const PAYLOAD: &str = "<script>alert('x')</script>";

/// Records only signed-in roles may see: a restricted and a confidential
/// incident whose titles carry a script payload, and a confidential person.
const PRIVATE: &str = r#"{"format": "refwatch-dataset", "version": 1,
  "sources": [{"id": "key:t-src", "kind": "testimony", "title": "Generated testimony", "confidentiality": "confidential"}],
  "incidents": [
    {"id": "key:t-restricted", "kind": "arrest", "title": "Restricted arrest <script>alert('x')</script>", "date": "2024-03", "victims": {"low": 2}, "verification": "single_source", "confidentiality": "restricted",
     "citations": [{"id": "key:t-c1", "source": "key:t-src", "locator": "p. 1", "quote": "two taken <script>alert('x')</script>"}]},
    {"id": "key:t-confidential", "kind": "detention", "title": "Confidential detention", "date": "2024-04", "victims": {"low": 3}, "verification": "single_source", "confidentiality": "confidential",
     "citations": [{"id": "key:t-c2", "source": "key:t-src", "locator": "p. 2", "quote": "three held"}]}],
  "persons": [{"id": "key:t-person", "identity": {"name_romanized": "Generated Secret Name"}, "confidentiality": "confidential"},
              {"id": "key:t-person-r", "identity": {"name_hangul": "생성비밀", "name_romanized": "Generated Restricted Name"}, "sex": "female", "confidentiality": "restricted"}]}"#;

struct App {
    address: String,
    /// The core as the operator, to look at the audit log.
    core: Service<SqliteStore>,
    _dir: tempfile::TempDir,
}

async fn spawn_app() -> App {
    spawn_with(PRIVATE).await
}

/// A server over the demo data and `private`, with an account of each role.
async fn spawn_with(private: &str) -> App {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("k.key");
    let key = KekSource::KeyFile(refwatch_keys::create_key_file(&key_path).unwrap());
    let store = SqliteStore::open(&dir.path().join("db")).await.unwrap();
    let core = Service::create_keys(store, &key, Arc::new(SystemClock))
        .await
        .unwrap()
        .with_evidence(refwatch_service::EvidenceSetup {
            store: refwatch_evidence::EvidenceStore::in_memory(),
            reader: Arc::new(refwatch_extract::Inline::default()),
            max_bytes: 1 << 20,
        });
    core.import(&refwatch_interchange::parse(DEMO).unwrap())
        .await
        .unwrap();
    core.import(&refwatch_interchange::parse(private).unwrap())
        .await
        .unwrap();
    for (name, role) in [
        ("admin", Role::Administrator),
        ("editor", Role::Editor),
        ("analyst", Role::Analyst),
        ("viewer", Role::Viewer),
    ] {
        core.add_user(name, role, Some(Password::new(PASSWORD.into())))
            .await
            .unwrap();
    }
    // Bound before the server starts: no sleeping, no races.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let operator = core.for_caller(refwatch_service::Caller::operator());
    tokio::spawn(refwatch_server::serve(
        listener,
        AppState::new(core, false),
        std::future::pending(),
    ));
    App {
        address,
        core: operator,
        _dir: dir,
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }
}

/// A plain HTTP/1.1 request over TCP.
async fn request(
    app: &App,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(&app.address).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        app.address,
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

async fn get(app: &App, path: &str, cookies: &str) -> Reply {
    request(app, "GET", path, &[("Cookie", cookies.to_owned())], "").await
}

/// `text` percent-encoded for a URL's query or a form body.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Signs in through the form; returns the cookies of the signed-in browser.
async fn sign_in(app: &App, user: &str) -> String {
    let page = get(app, "/signin", "").await;
    let csrf = page.cookie("refwatch_csrf").unwrap();
    let cookies = format!("refwatch_csrf={csrf}");
    let body = form(&[
        ("csrf", &csrf),
        ("username", user),
        ("password", PASSWORD),
        ("code", ""),
    ]);
    let reply = request(
        app,
        "POST",
        "/signin",
        &[
            ("Cookie", cookies.clone()),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
        ],
        &body,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let session = reply.cookie("refwatch_session").unwrap();
    format!("{cookies}; refwatch_session={session}")
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/incidents",
        "/signin",
        "/static/app.css",
        "/no-such-page",
        "/api/v1/incidents",
    ] {
        let r = get(&app, path, "").await;
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    assert_eq!(get(&app, "/no-such-page", "").await.status, 404);
    let page = get(&app, "/", "").await;
    assert!(!page.body.contains("<script"), "pages carry no script");
    let cookie = page
        .headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with("refwatch_csrf"))
        .unwrap();
    assert!(cookie.1.contains("HttpOnly") && cookie.1.contains("SameSite=Strict"));
}

#[tokio::test]
async fn the_public_sees_public_records_only() {
    let app = spawn_app().await;
    let list = get(&app, "/incidents?q=repatriated", "").await;
    assert_eq!(list.status, 200);
    assert!(
        list.body
            .contains("At least 500 North Korean detainees repatriated")
    );
    let all = get(&app, "/incidents?page=1", "").await.body
        + &get(&app, "/incidents?page=2", "").await.body;
    assert!(!all.contains("Restricted arrest") && !all.contains("Confidential detention"));
    let restricted_id = "key:t-restricted"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap();
    assert_eq!(
        get(&app, &format!("/incidents/{restricted_id}"), "")
            .await
            .status,
        404
    );
    let api = get(&app, "/api/v1/incidents?limit=500", "").await;
    assert_eq!(api.status, 200);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["total"], 22);
    assert_eq!(
        get(&app, &format!("/api/v1/incidents/{restricted_id}"), "")
            .await
            .status,
        404
    );
    assert_eq!(get(&app, "/api/v1/incidents?limit=0", "").await.status, 400);
    for page in [&all, &api.body] {
        assert!(!page.contains("Generated Secret Name"));
    }
}

#[tokio::test]
async fn roles_see_what_the_policy_allows_and_payloads_stay_inert() {
    let app = spawn_app().await;
    let restricted = "key:t-restricted"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap();
    let confidential = "key:t-confidential"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap();
    for (user, sees_restricted, sees_confidential) in [
        ("viewer", true, false),
        ("analyst", true, false),
        ("editor", true, true),
        ("admin", true, true),
    ] {
        let cookies = sign_in(&app, user).await;
        let r = get(&app, &format!("/incidents/{restricted}"), &cookies).await;
        assert_eq!(r.status == 200, sees_restricted, "{user} restricted");
        if r.status == 200 {
            // The payload in the title and the quote is shown as text.
            assert!(
                !r.body.contains(PAYLOAD),
                "{user}: a script payload reached the page"
            );
            assert!(r.body.contains("&lt;script&gt;alert"), "{user}");
        }
        let c = get(&app, &format!("/incidents/{confidential}"), &cookies).await;
        assert_eq!(c.status == 200, sees_confidential, "{user} confidential");
        let list = get(&app, "/incidents?q=arrest", &cookies).await;
        assert!(!list.body.contains(PAYLOAD), "{user}: list");
        // Names are never on these pages, whoever reads them.
        assert!(
            !list.body.contains("Generated Secret Name")
                && !c.body.contains("Generated Secret Name")
        );
        // The API with the session as a bearer token follows the same policy.
        let session = cookies
            .split("refwatch_session=")
            .nth(1)
            .unwrap()
            .to_owned();
        let api = request(
            &app,
            "GET",
            &format!("/api/v1/incidents/{confidential}"),
            &[("Authorization", format!("Bearer {session}"))],
            "",
        )
        .await;
        assert_eq!(api.status == 200, sees_confidential, "{user} API");
    }
}

#[tokio::test]
async fn forms_need_their_csrf_token_and_bad_passwords_say_so() {
    let app = spawn_app().await;
    let body = form(&[
        ("csrf", "0"),
        ("username", "viewer"),
        ("password", PASSWORD),
    ]);
    let r = request(
        &app,
        "POST",
        "/signin",
        &[("Content-Type", "application/x-www-form-urlencoded".into())],
        &body,
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r.cookie("refwatch_session").is_none());
    let page = get(&app, "/signin", "").await;
    let csrf = page.cookie("refwatch_csrf").unwrap();
    let body = form(&[
        ("csrf", &csrf),
        ("username", "viewer"),
        ("password", "wrong password here"),
    ]);
    let r = request(
        &app,
        "POST",
        "/signin",
        &[
            ("Cookie", format!("refwatch_csrf={csrf}")),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
        ],
        &body,
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Wrong username, password or code."));
    assert!(
        r.body.contains("value=\"viewer\""),
        "the form keeps what was typed"
    );
    assert!(r.cookie("refwatch_session").is_none());
}

#[tokio::test]
async fn the_language_is_chosen_and_remembered() {
    let app = spawn_app().await;
    let page = get(&app, "/", "").await;
    let csrf = page.cookie("refwatch_csrf").unwrap();
    let cookies = format!("refwatch_csrf={csrf}");
    let body = form(&[("csrf", &csrf), ("lang", "ko"), ("back", "/incidents")]);
    let r = request(
        &app,
        "POST",
        "/lang",
        &[
            ("Cookie", cookies.clone()),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
        ],
        &body,
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/incidents"));
    let lang = r.cookie("refwatch_lang").unwrap();
    let ko = get(
        &app,
        "/incidents",
        &format!("{cookies}; refwatch_lang={lang}"),
    )
    .await;
    assert!(
        ko.body.contains("<html lang=\"ko\">") && ko.body.contains("강제북송"),
        "Korean labels"
    );
    // Only paths of this site are followed back.
    let body = form(&[("csrf", &csrf), ("lang", "en"), ("back", "//evil.example/")]);
    let r = request(
        &app,
        "POST",
        "/lang",
        &[
            ("Cookie", cookies),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
        ],
        &body,
    )
    .await;
    assert_eq!(r.header("location"), Some("/"));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let cookies = sign_in(&app, "editor").await;
    let confidential = "key:t-confidential"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap();
    assert_eq!(
        get(&app, &format!("/incidents/{confidential}"), &cookies)
            .await
            .status,
        200
    );
    let csrf = csrf_of(&cookies);
    let r = request(
        &app,
        "POST",
        "/signout",
        &[
            ("Cookie", cookies.clone()),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
        ],
        &form(&[("csrf", &csrf)]),
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        get(&app, &format!("/incidents/{confidential}"), &cookies)
            .await
            .status,
        404,
        "the old session no longer works"
    );
}

fn person(key: &str) -> refwatch_domain::PersonId {
    key.parse().unwrap()
}

#[tokio::test]
async fn identities_show_only_where_the_policy_allows_and_every_view_is_audited() {
    let app = spawn_app().await;
    let restricted = person("key:t-person-r");
    let confidential = person("key:t-person");
    assert_eq!(
        get(&app, "/persons", "").await.status,
        404,
        "the public has no person pages"
    );
    assert_eq!(
        get(&app, &format!("/persons/{restricted}"), "")
            .await
            .status,
        404
    );
    for (user, sees_name, sees_confidential) in [
        ("viewer", false, false),
        ("analyst", false, false),
        ("editor", true, true),
        ("admin", true, true),
    ] {
        let cookies = sign_in(&app, user).await;
        let list = get(&app, "/persons", &cookies).await;
        assert_eq!(list.status, 200);
        assert!(
            !list.body.contains("Generated Restricted Name") && !list.body.contains("생성비밀"),
            "{user}: no names on lists"
        );
        let before = app
            .core
            .audit_entries()
            .await
            .unwrap()
            .iter()
            .filter(|e| e.event.action == "read_identity")
            .count();
        let page = get(&app, &format!("/persons/{restricted}"), &cookies).await;
        assert_eq!(page.status, 200, "{user}");
        assert_eq!(
            page.body.contains("Generated Restricted Name") && page.body.contains("생성비밀"),
            sees_name,
            "{user}"
        );
        let after = app
            .core
            .audit_entries()
            .await
            .unwrap()
            .iter()
            .filter(|e| e.event.action == "read_identity")
            .count();
        assert_eq!(
            after - before,
            usize::from(sees_name),
            "{user}: each identity view is audited"
        );
        let c = get(&app, &format!("/persons/{confidential}"), &cookies).await;
        assert_eq!(c.status == 200, sees_confidential, "{user}");
        assert!(!c.body.contains("Generated Secret Name") || sees_confidential);
    }
}

#[tokio::test]
async fn sources_and_recommendations_are_listed_by_what_the_caller_may_read() {
    let app = spawn_app().await;
    let sources = get(&app, "/sources", "").await;
    assert_eq!(sources.status, 200);
    assert!(sources.body.contains("A/HRC/25/CRP.1"));
    assert!(
        !sources.body.contains("Generated testimony"),
        "a confidential source is not public"
    );
    let editor = sign_in(&app, "editor").await;
    assert!(
        get(&app, "/sources", &editor)
            .await
            .body
            .contains("Generated testimony")
    );
    let mechanisms = get(&app, "/mechanisms", "").await;
    assert!(
        mechanisms
            .body
            .contains("honouring the principle of non-refoulement")
    );
    assert!(
        mechanisms
            .body
            .contains("At least 500 North Korean detainees repatriated"),
        "what happened after 186.241"
    );
}

async fn post_password(app: &App, cookies: &str, csrf: &str, current: &str, new: &str) -> Reply {
    let body = form(&[("csrf", csrf), ("current", current), ("new", new)]);
    let headers = [
        ("Cookie", cookies.to_owned()),
        (
            "Content-Type",
            "application/x-www-form-urlencoded".to_owned(),
        ),
    ];
    request(app, "POST", "/password", &headers, &body).await
}

#[tokio::test]
async fn a_signed_in_user_changes_their_password() {
    let app = spawn_app().await;
    let cookies = sign_in(&app, "viewer").await;
    let csrf = csrf_of(&cookies);
    let short = post_password(&app, &cookies, &csrf, PASSWORD, "short").await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("at least 12 characters"));
    let wrong = post_password(
        &app,
        &cookies,
        &csrf,
        "not the password",
        "a much longer new password",
    )
    .await;
    assert_eq!(wrong.status, 401);
    let ok = post_password(
        &app,
        &cookies,
        &csrf,
        PASSWORD,
        "a much longer new password",
    )
    .await;
    assert_eq!(ok.status, 200);
    assert!(ok.body.contains("Your password has been changed."));
    let signed = app
        .core
        .sign_in(
            "viewer",
            &Password::new("a much longer new password".into()),
            None,
            "test",
        )
        .await;
    assert!(signed.is_ok());
    assert_eq!(
        get(&app, "/password", "").await.status,
        303,
        "signed-out visitors are sent to sign in"
    );
}

#[tokio::test]
async fn a_one_time_password_opens_only_the_password_form_on_web_and_api() {
    let app = spawn_app().await;
    let new = app
        .core
        .add_user("newcomer", Role::Editor, None)
        .await
        .unwrap();
    let once = new.password.expose().to_owned();
    // The API: a token, but every route but the password answers 403 in JSON.
    let session = request(
        &app,
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json".into())],
        &serde_json::json!({ "username": "newcomer", "password": once }).to_string(),
    )
    .await;
    assert_eq!(session.status, 201, "{}", session.body);
    let token: serde_json::Value = serde_json::from_str(&session.body).unwrap();
    assert_eq!(token["must_change_password"], true);
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let persons = request(
        &app,
        "GET",
        "/api/v1/persons",
        &[("Authorization", bearer.clone())],
        "",
    )
    .await;
    assert_eq!(persons.status, 403);
    assert!(
        persons.body.contains("\"must_change_password\""),
        "{}",
        persons.body
    );
    // The web: every page sends the holder to the password form.
    let cookie = format!("refwatch_session={}", token["token"].as_str().unwrap());
    let home = get(&app, "/persons", &cookie).await;
    assert_eq!(home.status, 303);
    assert_eq!(home.header("location"), Some("/password"));
    let change = request(
        &app,
        "POST",
        "/api/v1/password",
        &[
            ("Authorization", bearer.clone()),
            ("Content-Type", "application/json".into()),
        ],
        &serde_json::json!({ "current": once, "new": "a chosen long passphrase" }).to_string(),
    )
    .await;
    assert_eq!(change.status, 204, "{}", change.body);
    let persons = request(
        &app,
        "GET",
        "/api/v1/persons",
        &[("Authorization", bearer)],
        "",
    )
    .await;
    assert_eq!(persons.status, 200);
}

/// A cookie's value from a `Cookie` header's text.
fn cookie_value(cookies: &str, name: &str) -> Option<String> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The form token a browser holding `cookies` gets in its forms: bound to
/// the session when signed in.
fn csrf_of(cookies: &str) -> String {
    match cookie_value(cookies, "refwatch_session") {
        Some(session) => {
            let hash = refwatch_accounts::hash_token(&format!("csrf:{session}"));
            hash[..48].to_owned()
        }
        None => cookie_value(cookies, "refwatch_csrf").unwrap(),
    }
}

#[tokio::test]
async fn forms_are_refused_from_other_sites_and_with_another_sessions_token() {
    let app = spawn_app().await;
    let viewer = sign_in(&app, "viewer").await;
    let other = sign_in(&app, "editor").await;
    // The token in the page's forms is the session's.
    let page = get(&app, "/password", &viewer).await;
    assert!(
        page.body
            .contains(&format!("value=\"{}\"", csrf_of(&viewer))),
        "{}",
        page.body
    );
    let post = |cookies: String, csrf: String, extra: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let body = form(&[("csrf", &csrf), ("lang", "ko"), ("back", "/")]);
            let mut headers = vec![
                ("Cookie", cookies),
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded".to_owned(),
                ),
            ];
            headers.extend(extra);
            request(app, "POST", "/lang", &headers, &body).await.status
        }
    };
    // Another session's token, or the browser's pre-sign-in token: refused.
    assert_eq!(post(viewer.clone(), csrf_of(&other), vec![]).await, 403);
    let cookie_token = cookie_value(&viewer, "refwatch_csrf").unwrap();
    assert_eq!(post(viewer.clone(), cookie_token, vec![]).await, 403);
    // From another site, even with the right token: refused.
    let cross = vec![("Sec-Fetch-Site", "cross-site".to_owned())];
    assert_eq!(post(viewer.clone(), csrf_of(&viewer), cross).await, 403);
    let origin = vec![("Origin", "https://evil.example".to_owned())];
    assert_eq!(post(viewer.clone(), csrf_of(&viewer), origin).await, 403);
    // The same form from this site passes.
    let here = vec![("Sec-Fetch-Site", "same-origin".to_owned())];
    assert_eq!(post(viewer.clone(), csrf_of(&viewer), here).await, 303);
    // Its redirect goes only to this site's paths.
    let body = form(&[
        ("csrf", &csrf_of(&viewer)),
        ("lang", "en"),
        ("back", "/\t/evil.example"),
    ]);
    let r = request(
        &app,
        "POST",
        "/lang",
        &[
            ("Cookie", viewer.clone()),
            (
                "Content-Type",
                "application/x-www-form-urlencoded".to_owned(),
            ),
        ],
        &body,
    )
    .await;
    assert_eq!(r.header("location"), Some("/"));
}

async fn post_form(app: &App, path: &str, cookies: &str, pairs: &[(&str, &str)]) -> Reply {
    let headers = [
        ("Cookie", cookies.to_owned()),
        (
            "Content-Type",
            "application/x-www-form-urlencoded".to_owned(),
        ),
    ];
    request(app, "POST", path, &headers, &form(pairs)).await
}

#[tokio::test]
async fn documenters_record_and_edit_incidents_through_validated_forms() {
    let app = spawn_app().await;
    let source = "key:t-src"
        .parse::<refwatch_domain::SourceId>()
        .unwrap()
        .to_string();
    let editor = sign_in(&app, "editor").await;
    let csrf = csrf_of(&editor);
    assert_eq!(get(&app, "/incidents/new", &editor).await.status, 200);
    let fields =
        |title: &'static str, low: &'static str, high: &'static str, date: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("kind", "arrest".to_owned()),
                ("title", title.to_owned()),
                ("summary", format!("summary {PAYLOAD}")),
                ("date", date.to_owned()),
                ("low", low.to_owned()),
                ("best", String::new()),
                ("high", high.to_owned()),
                ("verification", "single_source".to_owned()),
                ("confidentiality", "restricted".to_owned()),
                ("source", source.clone()),
                ("locator", "interview notes, p. 3".to_owned()),
                ("quote", format!("words {PAYLOAD}")),
            ]
        };
    let as_refs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    // Bad input: nothing saved, every problem beside its field, what was typed kept.
    let bad = fields("Generated form arrest", "9", "4", "2024-13");
    let pairs: Vec<(&str, String)> = as_refs(&bad);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post_form(&app, "/incidents", &editor, &pairs).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Nothing was saved"));
    assert!(r.body.contains("no such calendar date"), "{}", r.body);
    assert!(
        r.body.contains("value=\"Generated form arrest\""),
        "the title typed is kept"
    );
    assert!(!r.body.contains(PAYLOAD));
    let bad = fields("Generated form arrest", "9", "4", "2024-03");
    let pairs: Vec<(&str, String)> = as_refs(&bad);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post_form(&app, "/incidents", &editor, &pairs).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("low (9) is more than high (4)"));
    assert!(
        !get(&app, "/incidents?q=Generated+form", &editor)
            .await
            .body
            .contains("Generated form arrest"),
        "nothing was saved"
    );
    // Good input: saved, shown, payloads inert.
    let good = fields("Generated form arrest", "2", "4", "2024-03");
    let pairs: Vec<(&str, String)> = as_refs(&good);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post_form(&app, "/incidents", &editor, &pairs).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.header("location").unwrap().to_owned();
    // Saved: its history confirms it; the incident's page shows it.
    assert!(get(&app, &location, &editor).await.body.contains("Saved."));
    let location = location.split("/history").next().unwrap().to_owned();
    let page = get(&app, &location, &editor).await;
    assert!(
        page.body.contains("Generated form arrest") && page.body.contains("interview notes, p. 3")
    );
    assert!(!page.body.contains(PAYLOAD) && page.body.contains("words &lt;script&gt;"));
    // Edit it.
    let edit = fields("Generated form arrest, edited", "2", "5", "2024-03");
    let mut pairs: Vec<(&str, String)> = as_refs(&edit);
    pairs.retain(|(k, _)| *k != "quote");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post_form(&app, &location, &editor, &pairs).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        get(&app, &location, &editor)
            .await
            .body
            .contains("Generated form arrest, edited")
    );
    // A viewer can do neither.
    let viewer = sign_in(&app, "viewer").await;
    assert_eq!(get(&app, "/incidents/new", &viewer).await.status, 404);
    assert_eq!(
        get(&app, &format!("{location}/edit"), &viewer).await.status,
        404
    );
    let viewer_csrf = csrf_of(&viewer);
    let r = post_form(
        &app,
        &location,
        &viewer,
        &[
            ("csrf", &viewer_csrf),
            ("title", "taken over"),
            ("low", "1"),
            ("date", "2024"),
        ],
    )
    .await;
    assert_eq!(r.status, 404);
    assert!(
        !get(&app, &location, &editor)
            .await
            .body
            .contains("taken over")
    );
    // Every change is in the audit log, by account.
    let entries = app.core.audit_entries().await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.event.action == "update" && e.event.actor.starts_with("user:"))
    );
}

#[tokio::test]
async fn administrators_manage_users_and_read_the_audit_log_and_nobody_else_can() {
    let app = spawn_app().await;
    for user in ["editor", "analyst", "viewer"] {
        let cookies = sign_in(&app, user).await;
        for path in ["/admin/users", "/admin/audit"] {
            assert_eq!(get(&app, path, &cookies).await.status, 404, "{user} {path}");
        }
        let csrf = csrf_of(&cookies);
        let r = post_form(
            &app,
            "/admin/users",
            &cookies,
            &[
                ("csrf", &csrf),
                ("action", "add"),
                ("username", "intruder"),
                ("role", "administrator"),
            ],
        )
        .await;
        assert_eq!(r.status, 404, "{user}");
    }
    assert_eq!(get(&app, "/admin/users", "").await.status, 404);
    let admin = sign_in(&app, "admin").await;
    let csrf = csrf_of(&admin);
    let users = get(&app, "/admin/users", &admin).await;
    assert_eq!(users.status, 200);
    assert!(users.body.contains("analyst") && !users.body.contains("intruder"));
    let r = post_form(
        &app,
        "/admin/users",
        &admin,
        &[
            ("csrf", &csrf),
            ("action", "add"),
            ("username", "new.documenter"),
            ("role", "editor"),
        ],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("One-time password"), "{}", r.body);
    let r = post_form(
        &app,
        "/admin/users",
        &admin,
        &[
            ("csrf", &csrf),
            ("action", "add"),
            ("username", "new.documenter"),
            ("role", "editor"),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("already exists"));
    let r = post_form(
        &app,
        "/admin/users",
        &admin,
        &[
            ("csrf", &csrf),
            ("action", "disable"),
            ("username", "viewer"),
        ],
    )
    .await;
    assert_eq!(r.status, 200);
    let page = get(&app, "/signin", "").await;
    let c = page.cookie("refwatch_csrf").unwrap();
    let body = form(&[("csrf", &c), ("username", "viewer"), ("password", PASSWORD)]);
    let r = request(
        &app,
        "POST",
        "/signin",
        &[
            ("Cookie", format!("refwatch_csrf={c}")),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
        ],
        &body,
    )
    .await;
    assert_eq!(r.status, 401, "a disabled user cannot sign in");
    let audit = get(&app, "/admin/audit", &admin).await;
    assert_eq!(audit.status, 200);
    assert!(audit.body.contains("The audit log is intact."));
    assert!(audit.body.contains("user_disable"));
}

#[tokio::test]
async fn the_public_tables_are_suppressed_and_name_nobody() {
    let app = spawn_app().await;
    let before = app.core.audit_entries().await.unwrap().len();
    let r = get(&app, "/public", "").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("people-by-year-and-sex") && r.body.contains(">x<"));
    // Anonymous views are counted, not logged one entry each.
    for _ in 0..20 {
        assert_eq!(get(&app, "/public", "").await.status, 200);
        assert_eq!(get(&app, "/api/v1/public/tables", "").await.status, 200);
    }
    assert_eq!(app.core.audit_entries().await.unwrap().len(), before);
    assert!(
        !r.body.contains("Generated Restricted Name") && !r.body.contains("Generated Secret Name")
    );
}

#[tokio::test]
async fn the_openapi_document_matches_what_the_server_does() {
    let app = spawn_app().await;
    let doc = get(&app, "/api/openapi.json", "").await;
    assert_eq!(doc.status, 200);
    let spec: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
    let any_id = "key:inc-2023-10-09-500"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap()
        .to_string();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", &any_id).replace("{kind}", "person");
        for (method, op) in item.as_object().unwrap() {
            let documented: Vec<u16> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(|k| k.parse().unwrap())
                .collect();
            let r = request(
                &app,
                &method.to_uppercase(),
                &concrete,
                &[],
                if method == "get" { "" } else { "{}" },
            )
            .await;
            assert!(
                documented.contains(&r.status),
                "{method} {path}: {} not documented",
                r.status
            );
            assert!(
                r.header("content-type")
                    .unwrap_or_default()
                    .starts_with("application/json"),
                "{path}"
            );
        }
    }
    // And the other way: a method the document does not list for a path
    // is not served there (405), so no operation goes undocumented.
    for (path, item) in spec["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", &any_id).replace("{kind}", "person");
        for method in ["get", "post", "put", "delete"] {
            if item.get(method).is_some() {
                continue;
            }
            let r = request(&app, &method.to_uppercase(), &concrete, &[], "{}").await;
            assert_eq!(
                r.status, 405,
                "{method} {path} is served but not documented"
            );
        }
    }
    // Documented errors come with their stable codes.
    let bad = get(&app, "/api/v1/incidents/not-an-id", "").await;
    assert_eq!(bad.status, 400);
    let body: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!(body["error"]["code"], "bad_id");
}

#[tokio::test]
async fn places_and_actors_are_listed_in_both_languages() {
    let app = spawn_app().await;
    let en = get(&app, "/places", "").await;
    assert_eq!(en.status, 200);
    assert!(
        en.body.contains("Yanji")
            && en.body.contains("Yanbian Korean Autonomous Prefecture")
            && en.body.contains("Human Rights Watch")
    );
    let ko = get(&app, "/places", "refwatch_lang=ko").await;
    assert!(ko.body.contains("옌지(연길)") && ko.body.contains("국가보위성"));
}

#[tokio::test]
async fn the_api_lists_what_pages_show_and_identities_follow_the_policy() {
    let app = spawn_app().await;
    let sources: serde_json::Value =
        serde_json::from_str(&get(&app, "/api/v1/sources?limit=500", "").await.body).unwrap();
    assert_eq!(sources["total"], 45, "public sources only");
    let mechanisms: serde_json::Value =
        serde_json::from_str(&get(&app, "/api/v1/mechanisms", "").await.body).unwrap();
    assert_eq!(mechanisms["total"], 28);
    assert_eq!(
        get(&app, "/api/v1/persons", "").await.status,
        404,
        "no person data for the public"
    );
    let restricted = "key:t-person-r"
        .parse::<refwatch_domain::PersonId>()
        .unwrap();
    for (user, sees) in [("viewer", false), ("analyst", false), ("editor", true)] {
        let cookies = sign_in(&app, user).await;
        let token = cookies
            .split("refwatch_session=")
            .nth(1)
            .unwrap()
            .to_owned();
        let auth = [("Authorization", format!("Bearer {token}"))];
        let persons = request(&app, "GET", "/api/v1/persons?limit=500", &auth, "").await;
        assert_eq!(persons.status, 200);
        assert!(
            !persons.body.contains("Generated Restricted Name"),
            "{user}: lists carry no names"
        );
        let identity = request(
            &app,
            "GET",
            &format!("/api/v1/persons/{restricted}/identity"),
            &auth,
            "",
        )
        .await;
        assert_eq!(identity.status == 200, sees, "{user}");
        assert_eq!(
            identity.body.contains("Generated Restricted Name"),
            sees,
            "{user}"
        );
    }
}

#[tokio::test]
async fn the_overview_lists_latest_changes_the_caller_may_read() {
    let app = spawn_app().await;
    let public = get(&app, "/", "").await;
    assert!(public.body.contains("Latest changes"));
    assert!(
        !public.body.contains("Restricted arrest"),
        "restricted changes are not for the public"
    );
    let editor = sign_in(&app, "editor").await;
    let page = get(&app, "/", &editor).await;
    let changes = &page.body[page.body.find("Latest changes").unwrap()..];
    assert!(
        changes.contains("Confidential detention"),
        "an editor sees recent confidential records"
    );
    assert!(
        !changes.contains("user:") && !changes.contains("operator"),
        "who changed what stays in the audit log"
    );
}

#[tokio::test]
async fn the_api_records_and_changes_incidents_with_a_token_only() {
    let app = spawn_app().await;
    let editor = sign_in(&app, "editor").await;
    let token = editor.split("refwatch_session=").nth(1).unwrap().to_owned();
    let bearer = |t: &str| {
        vec![
            ("Authorization", format!("Bearer {t}")),
            ("Content-Type", "application/json".to_owned()),
        ]
    };
    let body = r#"{"id": "key:api-1", "kind": "arrest", "title": "Generated API arrest", "date": "2024-06", "victims": {"low": 2},
                  "verification": "single_source", "confidentiality": "restricted",
                  "citations": [{"id": "key:api-c1", "source": "key:t-src", "locator": "p. 4", "quote": "two held"}]}"#;
    // A cookie alone does not write.
    let r = request(
        &app,
        "POST",
        "/api/v1/incidents",
        &[
            ("Cookie", editor.clone()),
            ("Content-Type", "application/json".into()),
        ],
        body,
    )
    .await;
    assert_eq!(r.status, 401);
    let r = request(&app, "POST", "/api/v1/incidents", &bearer(&token), body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let id = id["id"].as_str().unwrap().to_owned();
    // Invalid input lists every problem with its path; nothing is saved.
    let bad = body
        .replace("key:api-1", "key:api-2")
        .replace("key:api-c1", "key:api-c2")
        .replace(r#""low": 2"#, r#""low": 9, "high": 3"#)
        .replace("arrest", "teleport");
    let r = request(&app, "POST", "/api/v1/incidents", &bearer(&token), &bad).await;
    assert_eq!(r.status, 422);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let paths: Vec<&str> = v["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"$.kind") && paths.contains(&"$.victims"),
        "{paths:?}"
    );
    // Change it.
    let changed = body.replace("Generated API arrest", "Generated API arrest, changed");
    let r = request(
        &app,
        "PUT",
        &format!("/api/v1/incidents/{id}"),
        &bearer(&token),
        &changed,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = request(
        &app,
        "GET",
        &format!("/api/v1/incidents/{id}"),
        &bearer(&token),
        "",
    )
    .await;
    assert!(got.body.contains("Generated API arrest, changed"));
    // A viewer's token cannot write.
    let viewer = sign_in(&app, "viewer").await;
    let vtoken = viewer.split("refwatch_session=").nth(1).unwrap().to_owned();
    let other = body
        .replace("key:api-1", "key:api-3")
        .replace("key:api-c1", "key:api-c3");
    assert_eq!(
        request(&app, "POST", "/api/v1/incidents", &bearer(&vtoken), &other)
            .await
            .status,
        404
    );
    assert_eq!(
        request(
            &app,
            "PUT",
            &format!("/api/v1/incidents/{id}"),
            &bearer(&vtoken),
            &changed
        )
        .await
        .status,
        404
    );
}

fn json_of(reply: &Reply) -> serde_json::Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|_| panic!("not JSON: {}", reply.body))
}

async fn api_sign_in(app: &App, user: &str, password: &str) -> Reply {
    let body = serde_json::json!({ "username": user, "password": password }).to_string();
    request(
        app,
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json".into())],
        &body,
    )
    .await
}

#[tokio::test]
async fn programs_sign_in_and_out_through_the_api() {
    let app = spawn_app().await;
    let wrong = api_sign_in(&app, "editor", "not the password").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(json_of(&wrong)["error"]["code"], "bad_sign_in");
    let garbled = request(&app, "POST", "/api/v1/session", &[], "username=editor").await;
    assert_eq!(garbled.status, 400);
    assert_eq!(json_of(&garbled)["error"]["code"], "bad_body");

    let signed = api_sign_in(&app, "editor", PASSWORD).await;
    assert_eq!(signed.status, 201, "{}", signed.body);
    let token = json_of(&signed)["token"].as_str().unwrap().to_owned();
    let auth = [("Authorization", format!("Bearer {token}"))];
    let confidential = "key:t-confidential"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap();
    let path = format!("/api/v1/incidents/{confidential}");
    assert_eq!(request(&app, "GET", &path, &auth, "").await.status, 200);

    let out = request(&app, "DELETE", "/api/v1/session", &auth, "").await;
    assert_eq!(out.status, 204);
    assert_eq!(
        request(&app, "GET", &path, &auth, "").await.status,
        404,
        "the token no longer opens anything"
    );
}

#[tokio::test]
async fn the_incident_list_filters_by_place_actor_kind_and_level_on_pages_and_in_the_api() {
    let app = spawn_app().await;
    let place = "key:pl-beijing"
        .parse::<refwatch_domain::PlaceId>()
        .unwrap();
    let actor = "key:ac-dprk-mss"
        .parse::<refwatch_domain::ActorId>()
        .unwrap();
    let by_place = json_of(
        &get(
            &app,
            &format!("/api/v1/incidents?place={place}&limit=500"),
            "",
        )
        .await,
    );
    let items = by_place["items"].as_array().unwrap();
    assert_eq!(by_place["total"], 3);
    assert!(items.iter().all(|i| {
        i["places"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["place"] == place.to_string())
    }));
    let both = json_of(
        &get(
            &app,
            &format!("/api/v1/incidents?actor={actor}&kind=repatriation&limit=500"),
            "",
        )
        .await,
    );
    let n = both["total"].as_u64().unwrap();
    assert!(
        n > 0 && n < 9,
        "the kind narrows the actor's incidents: {n}"
    );
    assert!(
        both["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == "repatriation")
    );
    // Newest first.
    let dates: Vec<&str> = both["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["date"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0][..4] >= w[1][..4]),
        "{dates:?}"
    );

    // A program is told when a filter is not understood, instead of
    // getting everything.
    let bad = get(&app, "/api/v1/incidents?place=yanji", "").await;
    assert_eq!(bad.status, 400);
    assert_eq!(json_of(&bad)["error"]["code"], "bad_filter");
    assert_eq!(
        get(&app, "/api/v1/incidents?confidentiality=secret", "")
            .await
            .status,
        400
    );
    for query in ["from=20x3", "offset=-1", "limit=many"] {
        let r = get(&app, &format!("/api/v1/incidents?{query}"), "").await;
        assert_eq!(r.status, 400, "{query}");
        assert_eq!(json_of(&r)["error"]["code"], "bad_query", "{query}");
    }

    // The level filter never widens what a caller may read.
    let public = json_of(&get(&app, "/api/v1/incidents?confidentiality=restricted", "").await);
    assert_eq!(public["total"], 0);
    let cookies = sign_in(&app, "viewer").await;
    let viewer = json_of(
        &get(
            &app,
            "/api/v1/incidents?confidentiality=restricted",
            &cookies,
        )
        .await,
    );
    assert_eq!(viewer["total"], 1);
    let hidden = json_of(
        &get(
            &app,
            "/api/v1/incidents?confidentiality=confidential",
            &cookies,
        )
        .await,
    );
    assert_eq!(hidden["total"], 0);

    // The page: the same filters, the choice kept in the form, the count shown.
    let page = get(&app, &format!("/incidents?place={place}"), "").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("<option value=\"{place}\" selected"))
    );
    assert!(page.body.contains("3 incidents match"));
    // A mistyped filter on the page filters nothing and breaks nothing.
    let typo = get(&app, "/incidents?place=yanji&from=20x3", "").await;
    assert_eq!(typo.status, 200);
    assert!(typo.body.contains("22 incidents match"));
}

#[tokio::test]
async fn the_api_gives_places_actors_and_per_year_figures() {
    let app = spawn_app().await;
    let places = json_of(&get(&app, "/api/v1/places?limit=500", "").await);
    assert_eq!(places["total"], 17);
    assert!(
        places["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name_ko"] == "옌지(연길)")
    );
    let actors = json_of(&get(&app, "/api/v1/actors?limit=500", "").await);
    assert_eq!(actors["total"], 12);

    let stats = json_of(&get(&app, "/api/v1/stats/per-year?from=2023&to=2023", "").await);
    let repatriation = stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "repatriation")
        .unwrap();
    assert_eq!(repatriation["people"]["low"], 620);
    assert!(!repatriation["incident_ids"].as_array().unwrap().is_empty());
    let by_sex = json_of(&get(&app, "/api/v1/stats/per-year?from=2013&by=sex", "").await);
    assert_eq!(by_sex["by"], "sex");
    let bad = get(&app, "/api/v1/stats/per-year?by=eye_colour", "").await;
    assert_eq!(bad.status, 400);
    assert_eq!(json_of(&bad)["error"]["code"], "bad_filter");
}

#[tokio::test]
async fn incident_pages_link_persons_for_members_only_and_the_un_records_that_bear_on_them() {
    let app = spawn_app().await;
    let incident = "key:inc-2023-10-09-500"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap();
    let person = "key:per-kim-cheol-ok"
        .parse::<refwatch_domain::PersonId>()
        .unwrap();
    let path = format!("/incidents/{incident}");
    let public = get(&app, &path, "").await;
    assert_eq!(public.status, 200);
    assert!(public.body.contains("UN records that bear on it"));
    // The UN records linked to this incident, by their references (the
    // navigation's link to /mechanisms is on every page, so it proves nothing).
    let section = public
        .body
        .split("UN records that bear on it")
        .nth(1)
        .unwrap();
    assert!(
        section.contains("JAL CHN 9/2023")
            && section.contains("OHCHR press release, 17 October 2023"),
        "{section}"
    );
    assert!(
        !public.body.contains(&format!("/persons/{person}")),
        "the public sees no person links"
    );
    let cookies = sign_in(&app, "viewer").await;
    let member = get(&app, &path, &cookies).await;
    assert!(member.body.contains(&format!("/persons/{person}")));
    assert!(!member.body.contains("Kim Cheol-ok") && !member.body.contains("김철옥"));
}

#[tokio::test]
async fn the_un_records_page_groups_by_mechanism_with_responses_replies_and_votes() {
    let app = spawn_app().await;
    let en = get(&app, "/mechanisms", "").await;
    assert_eq!(en.status, 200);
    for heading in [
        "UPR recommendations to China",
        "Treaty-body observations",
        "Special-procedures communications",
        "Commission of Inquiry recommendations",
        "Resolutions",
    ] {
        assert!(en.body.contains(heading), "{heading}");
    }
    assert!(en.body.contains("30–6–11"), "the 2014 vote");
    // The demo's documents do not say whether China replied: the page says
    // it is not known rather than guessing.
    assert!(en.body.contains("<th>Reply</th>") && en.body.contains("Not known"));
    let ko = get(&app, "/mechanisms", "refwatch_lang=ko").await;
    assert!(ko.body.contains("중국에 대한 UPR 권고") && ko.body.contains("특별절차 서한"));
}

#[tokio::test]
async fn a_source_page_quotes_every_citation_the_caller_may_read() {
    let app = spawn_app().await;
    let letter = "key:src-open-letter-2024"
        .parse::<refwatch_domain::SourceId>()
        .unwrap();
    let page = get(&app, &format!("/sources/{letter}"), "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Cited in"));
    assert!(
        page.body.matches("<blockquote>").count() >= 3,
        "{}",
        page.body
    );
    let list = get(&app, "/sources", "").await;
    assert!(list.body.contains(&format!("/sources/{letter}")));
    // A confidential source is not there for those who may not read it.
    let secret = "key:t-src".parse::<refwatch_domain::SourceId>().unwrap();
    assert_eq!(
        get(&app, &format!("/sources/{secret}"), "").await.status,
        404
    );
    let viewer = sign_in(&app, "viewer").await;
    assert_eq!(
        get(&app, &format!("/sources/{secret}"), &viewer)
            .await
            .status,
        404
    );
    let editor = sign_in(&app, "editor").await;
    let seen = get(&app, &format!("/sources/{secret}"), &editor).await;
    assert_eq!(seen.status, 200);
    assert!(seen.body.contains("three held"));
    assert!(!seen.body.contains(PAYLOAD), "quotes are escaped");
}

/// Every page and API route that reads, as the public and as each role:
/// the status the policy gives, no live script payload, and confidential
/// words only where the role may read them.
#[tokio::test]
async fn every_reading_route_as_every_role_shows_only_what_the_policy_allows() {
    let app = spawn_app().await;
    let id = |key: &str| {
        key.parse::<refwatch_domain::IncidentId>()
            .unwrap()
            .to_string()
    };
    let restricted = id("key:t-restricted");
    let confidential = id("key:t-confidential");
    let secret_person = person("key:t-person").to_string();
    let restricted_person = person("key:t-person-r").to_string();
    let secret_source = "key:t-src"
        .parse::<refwatch_domain::SourceId>()
        .unwrap()
        .to_string();
    let public_source = "key:src-open-letter-2024"
        .parse::<refwatch_domain::SourceId>()
        .unwrap()
        .to_string();
    let routes: Vec<String> = vec![
        "/".into(),
        "/incidents".into(),
        "/incidents?q=arrest".into(),
        format!("/incidents/{restricted}"),
        format!("/incidents/{confidential}"),
        "/incidents/new".into(),
        format!("/incidents/{restricted}/edit"),
        "/persons".into(),
        format!("/persons/{secret_person}"),
        format!("/persons/{restricted_person}"),
        "/sources".into(),
        format!("/sources/{secret_source}"),
        format!("/sources/{public_source}"),
        "/places".into(),
        "/mechanisms".into(),
        "/figures?from=2013&by=sex".into(),
        "/figures.csv".into(),
        "/brief".into(),
        "/brief?from=2013&to=2024&format=html".into(),
        "/public".into(),
        "/password".into(),
        "/admin/users".into(),
        "/admin/audit".into(),
        "/api/v1/incidents?limit=500".into(),
        format!("/api/v1/incidents/{confidential}"),
        "/api/v1/persons?limit=500".into(),
        format!("/api/v1/persons/{secret_person}/identity"),
        format!("/api/v1/persons/{restricted_person}"),
        format!("/api/v1/persons/{secret_person}"),
        "/api/v1/public/tables".into(),
        "/api/v1/admin/users".into(),
        "/api/v1/admin/audit/verify".into(),
        "/api/v1/sources?limit=500".into(),
        "/api/v1/places".into(),
        "/api/v1/actors".into(),
        "/api/v1/mechanisms".into(),
        "/api/v1/stats/per-year".into(),
        "/links".into(),
        "/links?kind=incident&all=1".into(),
        "/api/v1/links/person".into(),
        "/api/v1/links/incident".into(),
    ];
    for user in ["public", "viewer", "analyst", "editor", "admin"] {
        let cookies = if user == "public" {
            String::new()
        } else {
            sign_in(&app, user).await
        };
        let members = user != "public";
        let cleared = matches!(user, "editor" | "admin");
        for route in &routes {
            let r = get(&app, route, &cookies).await;
            assert!(
                !r.body.contains(PAYLOAD),
                "{user} {route}: a live script payload"
            );
            let expected_ok = if route.contains(&confidential) || route.contains(&secret_source) {
                cleared
            } else if route.contains(&restricted) {
                members && (!route.ends_with("/edit") || cleared)
            } else if route.contains(&secret_person) {
                cleared
            } else if route.contains("/persons") || route.contains("/links") {
                members
            } else if route.starts_with("/admin") || route.starts_with("/api/v1/admin") {
                user == "admin"
            } else if route == "/incidents/new" {
                cleared
            } else if route == "/password" {
                members
            } else {
                true
            };
            assert_eq!(r.status == 200, expected_ok, "{user} {route}: {}", r.status);
            if !cleared {
                assert!(
                    !r.body.contains("Confidential detention") && !r.body.contains("three held"),
                    "{user} {route}: a confidential record leaked"
                );
            }
            let identity_view =
                route.contains("identity") || (route.starts_with("/persons/") && cleared);
            if !identity_view {
                assert!(
                    !r.body.contains("Generated Secret Name")
                        && !r.body.contains("Generated Restricted Name")
                        && !r.body.contains("생성비밀"),
                    "{user} {route}: a name outside an identity view"
                );
            }
        }
    }
}

fn people_low_in(csv: &str, year: &str) -> u64 {
    csv.lines()
        .skip(1)
        .filter(|l| l.starts_with(&format!("{year},")))
        .map(|l| l.split(',').nth(4).unwrap().parse::<u64>().unwrap())
        .sum()
}

#[tokio::test]
async fn figures_per_year_count_what_the_caller_may_read_and_download_as_csv_and_xlsx() {
    let app = spawn_app().await;
    let page = get(&app, "/figures?from=2023&to=2023", "").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<td class=\"n\">620</td>"),
        "the 2023 repatriations' documented minimum"
    );
    assert!(
        page.body
            .contains("/incidents?kind=repatriation&amp;from=2023&amp;to=2023")
    );
    let ko = get(
        &app,
        "/figures?from=2023&to=2023&by=sex",
        "refwatch_lang=ko",
    )
    .await;
    assert!(
        ko.body.contains("연도별 인원과 사건") && ko.body.contains("강제북송"),
        "Korean labels"
    );
    let reversed = get(&app, "/figures?from=2024&to=2013", "").await;
    assert!(reversed.body.contains("give the earlier year first"));

    let csv = get(&app, "/figures.csv?from=2024&to=2024", "").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    let editor = sign_in(&app, "editor").await;
    let all = get(&app, "/figures.csv?from=2024&to=2024", &editor).await;
    assert_eq!(
        people_low_in(&all.body, "2024"),
        people_low_in(&csv.body, "2024") + 5,
        "the restricted (2) and confidential (3) incidents count for the editor only"
    );
    let xlsx = get(&app, "/figures.xlsx?from=2013&by=category", "").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"), "an XLSX file is a zip archive");
}

#[tokio::test]
async fn the_brief_is_made_from_public_records_as_html_or_pdf() {
    let app = spawn_app().await;
    let form = get(&app, "/brief", "").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"format\""));
    let editor = sign_in(&app, "editor").await;
    let html = get(&app, "/brief?from=2013&to=2024&format=html", &editor).await;
    assert_eq!(html.status, 200);
    assert!(
        html.header("content-disposition")
            .unwrap()
            .contains("refwatch-brief-2013-2024-en.html")
    );
    assert!(html.body.contains("<html") && html.body.contains("2023"));
    assert!(
        !html.body.contains("Confidential detention") && !html.body.contains("Restricted arrest"),
        "the brief is public records only, whoever asks"
    );
    let ko = get(
        &app,
        "/brief?from=2013&to=2024&format=html",
        "refwatch_lang=ko",
    )
    .await;
    assert!(
        ko.header("content-disposition")
            .unwrap()
            .contains("-ko.html")
    );
    let pdf = get(&app, "/brief?from=2020&to=2024&format=pdf", "").await;
    assert_eq!(
        pdf.status, 200,
        "PDF needs Chromium, which the test command installs"
    );
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.body.starts_with("%PDF"));
    let reversed = get(&app, "/brief?from=2024&to=2013&format=pdf", "").await;
    assert_eq!(reversed.status, 400);
    assert!(reversed.body.contains("give the earlier year first"));
}

#[tokio::test]
async fn administrators_manage_accounts_and_anyone_changes_their_password_through_the_api() {
    let app = spawn_app().await;
    let token = |reply: &Reply| json_of(reply)["token"].as_str().unwrap().to_owned();
    let admin = token(&api_sign_in(&app, "admin", PASSWORD).await);
    let editor = token(&api_sign_in(&app, "editor", PASSWORD).await);
    let bearer = |t: &str| vec![("Authorization", format!("Bearer {t}"))];
    let new_user = r#"{"username": "newcomer", "role": "analyst"}"#;

    // Not for editors, and never by cookie alone.
    let refused = request(
        &app,
        "POST",
        "/api/v1/admin/users",
        &bearer(&editor),
        new_user,
    )
    .await;
    assert_eq!(refused.status, 404);
    let cookies = sign_in(&app, "admin").await;
    let by_cookie = request(
        &app,
        "POST",
        "/api/v1/admin/users",
        &[("Cookie", cookies)],
        new_user,
    )
    .await;
    assert_eq!(by_cookie.status, 401);

    let added = request(
        &app,
        "POST",
        "/api/v1/admin/users",
        &bearer(&admin),
        new_user,
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let otp = json_of(&added)["one_time_password"]
        .as_str()
        .unwrap()
        .to_owned();
    let again = request(
        &app,
        "POST",
        "/api/v1/admin/users",
        &bearer(&admin),
        new_user,
    )
    .await;
    assert_eq!(again.status, 422, "a username is taken once");
    let bad_role = request(
        &app,
        "POST",
        "/api/v1/admin/users",
        &bearer(&admin),
        r#"{"username": "x", "role": "king"}"#,
    )
    .await;
    assert_eq!(json_of(&bad_role)["error"]["code"], "bad_filter");

    // The newcomer signs in with the one-time password and changes it.
    let newcomer = token(&api_sign_in(&app, "newcomer", &otp).await);
    let wrong = request(
        &app,
        "POST",
        "/api/v1/password",
        &bearer(&newcomer),
        r#"{"current": "nope", "new": "a much longer new password"}"#,
    )
    .await;
    assert_eq!(wrong.status, 401);
    let body =
        serde_json::json!({ "current": otp, "new": "a much longer new password" }).to_string();
    let changed = request(&app, "POST", "/api/v1/password", &bearer(&newcomer), &body).await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(
        api_sign_in(&app, "newcomer", "a much longer new password")
            .await
            .status,
        201
    );

    // Disabling ends the account's sessions at once.
    let fresh = token(&api_sign_in(&app, "newcomer", "a much longer new password").await);
    let disabled = request(
        &app,
        "PATCH",
        "/api/v1/admin/users/newcomer",
        &bearer(&admin),
        r#"{"disabled": true}"#,
    )
    .await;
    assert_eq!(disabled.status, 204);
    let restricted = "key:t-restricted"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap();
    assert_eq!(
        request(
            &app,
            "GET",
            &format!("/api/v1/incidents/{restricted}"),
            &bearer(&fresh),
            ""
        )
        .await
        .status,
        404
    );
    assert_eq!(
        api_sign_in(&app, "newcomer", "a much longer new password")
            .await
            .status,
        401
    );
    let users = json_of(&request(&app, "GET", "/api/v1/admin/users", &bearer(&admin), "").await);
    let entry = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "newcomer")
        .unwrap()
        .clone();
    assert_eq!(entry["disabled"], true);
    assert_eq!(entry["role"], "analyst");
}

/// The records of one generated woman, written in Hangul on one list and
/// romanised on another (no real person's name).
const TWICE: &str = r#"{"format": "refwatch-dataset", "version": 1,
  "persons": [
    {"id": "key:w-hangul", "identity": {"name_hangul": "김서하"}, "sex": "female", "birth_year": 1991, "confidentiality": "restricted"},
    {"id": "key:w-roman", "identity": {"name_romanized": "Kim Seo-ha"}, "sex": "female", "birth_year": 1991, "confidentiality": "restricted"}]}"#;

#[tokio::test]
async fn reviewers_run_the_linkage_see_levels_and_decide_in_the_pages_and_api() {
    let app = spawn_app().await;
    app.core
        .import(&refwatch_interchange::parse(TWICE).unwrap())
        .await
        .unwrap();
    let (a, b) = (person("key:w-hangul"), person("key:w-roman"));
    let (a, b) = (a.min(b).to_string(), a.max(b).to_string());
    let analyst = sign_in(&app, "analyst").await;
    let csrf = csrf_of(&analyst);

    // Nothing yet; then a run from the page.
    let page = get(&app, "/links", &analyst).await;
    assert!(
        page.body.contains("No linkage has run yet"),
        "{}",
        page.body
    );
    let ran = post_form(
        &app,
        "/links",
        &analyst,
        &[
            ("csrf", &csrf),
            ("kind", "person"),
            ("action", "run"),
            ("threshold", "0.5"),
        ],
    )
    .await;
    assert_eq!(ran.status, 200, "{}", ran.body);
    assert!(ran.body.contains("Linkage run"), "{}", ran.body);
    assert!(ran.body.contains(&a[..8]) && ran.body.contains(&b[..8]));
    assert!(ran.body.contains("same reading"));
    for name in [
        "김서하",
        "Kim Seo-ha",
        "Generated Restricted Name",
        "생성비밀",
    ] {
        assert!(!ran.body.contains(name), "a name on the review page");
    }

    // Side by side: the analyst sees how strongly the names agree, an
    // editor sees the names, and each view of them is audited.
    let pair_page = format!("/links/pair?kind=person&a={a}&b={b}");
    let seen = get(&app, &pair_page, &analyst).await;
    assert_eq!(seen.status, 200);
    assert!(seen.body.contains("Your role does not read identities"));
    assert!(!seen.body.contains("김서하") && !seen.body.contains("Kim Seo-ha"));
    let editor = sign_in(&app, "editor").await;
    let before = app.core.audit_entries().await.unwrap().len();
    let named = get(&app, &pair_page, &editor).await;
    assert!(named.body.contains("김서하") && named.body.contains("Kim Seo-ha"));
    let log = app.core.audit_entries().await.unwrap();
    assert_eq!(
        log[before..]
            .iter()
            .filter(|e| e.event.action == "read_identity")
            .count(),
        2
    );

    // In Korean.
    let ko = request(
        &app,
        "GET",
        "/links",
        &[("Cookie", format!("{analyst}; refwatch_lang=ko"))],
        "",
    )
    .await;
    assert!(
        ko.body.contains("연계") && ko.body.contains("같은 발음"),
        "{}",
        ko.body
    );

    // A decision from the page, seen by the API; a mistyped pair refused
    // with what to do, nothing decided.
    let bad = post_form(
        &app,
        "/links",
        &analyst,
        &[
            ("csrf", &csrf),
            ("kind", "person"),
            ("action", "same"),
            ("a", &a),
            ("b", "nobody"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Give two different record ids"));
    assert!(app.core.dataset().await.unwrap().links.is_empty());
    let forged = post_form(
        &app,
        "/links",
        &analyst,
        &[
            ("csrf", "0"),
            ("kind", "person"),
            ("action", "same"),
            ("a", &a),
            ("b", &b),
        ],
    )
    .await;
    assert_ne!(forged.status, 200);
    assert!(app.core.dataset().await.unwrap().links.is_empty());
    let saved = post_form(
        &app,
        "/links",
        &analyst,
        &[
            ("csrf", &csrf),
            ("kind", "person"),
            ("action", "same"),
            ("a", &a),
            ("b", &b),
        ],
    )
    .await;
    assert!(saved.body.contains("Decision saved"), "{}", saved.body);
    let signed = api_sign_in(&app, "analyst", PASSWORD).await;
    let token = json_of(&signed)["token"].as_str().unwrap().to_owned();
    let auth = [("Authorization", format!("Bearer {token}"))];
    let review = json_of(&request(&app, "GET", "/api/v1/links/person", &auth, "").await);
    let item = review["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["a"] == a.as_str() && s["b"] == b.as_str())
        .unwrap()
        .clone();
    assert_eq!(item["decision"], "same");
    assert_eq!(item["explanation"][0]["field"], "name");

    // Taken back through the API; writes need the bearer token.
    let undo = format!(r#"{{"a": "{a}", "b": "{b}", "verdict": null}}"#);
    let no_token = request(
        &app,
        "POST",
        "/api/v1/links/person/decisions",
        &[("Cookie", analyst.clone())],
        &undo,
    )
    .await;
    assert_eq!(no_token.status, 401);
    let done = request(&app, "POST", "/api/v1/links/person/decisions", &auth, &undo).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(app.core.dataset().await.unwrap().links.is_empty());
    let odd = request(
        &app,
        "POST",
        "/api/v1/links/person/decisions",
        &auth,
        &format!(r#"{{"a": "{a}", "b": "{b}", "verdict": "maybe"}}"#),
    )
    .await;
    assert_eq!(odd.status, 400);

    // Viewers look but do not decide or run.
    let viewer = sign_in(&app, "viewer").await;
    let look = get(&app, "/links", &viewer).await;
    assert_eq!(look.status, 200);
    assert!(!look.body.contains("Run the linkage") && !look.body.contains("action=\"/links\""));
    let tried = post_form(
        &app,
        "/links",
        &viewer,
        &[
            ("csrf", &csrf_of(&viewer)),
            ("kind", "person"),
            ("action", "same"),
            ("a", &a),
            ("b", &b),
        ],
    )
    .await;
    assert_eq!(tried.status, 404);
    assert!(app.core.dataset().await.unwrap().links.is_empty());
}

#[tokio::test]
async fn oversized_numbers_are_refused_before_any_work_and_the_server_stays_up() {
    let app = spawn_app().await;
    // Each of these once aborted the server or asked for gigabytes (issue 29).
    for path in [
        "/search?q=x&offset=100000000000000000",
        "/search?q=x&offset=10001",
        "/brief?from=-2147483648&to=2147483647",
        "/brief?from=1000&to=2020",
        "/brief?from=1950&to=2099",
    ] {
        let reply = get(&app, path, "").await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        assert!(reply.body.contains("role=\"alert\""), "{path}");
    }
    let api = get(&app, "/api/v1/search?q=x&offset=100000000000000000", "").await;
    assert_eq!(api.status, 422, "{}", api.body);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["error"]["code"], "refused", "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("offset"),
        "{v}"
    );
    for path in [
        "/api/v1/incidents?offset=18446744073709551615",
        "/api/v1/incidents?limit=0",
        "/api/v1/incidents?from=-2147483648&to=2147483647",
        "/api/v1/stats/per-year?from=-2147483648&to=2147483647",
        "/api/v1/places?offset=1000001",
    ] {
        let r = get(&app, path, "").await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert!(
            v["error"]["code"].as_str().unwrap().starts_with("bad_"),
            "{path}: {v}"
        );
    }
    // Still answering.
    assert_eq!(get(&app, "/search?q=repatriated", "").await.status, 200);
    assert_eq!(
        get(&app, "/brief?from=2013&to=2024&format=html", "")
            .await
            .status,
        200
    );
}

/// Sends `first`, then nothing more; returns what the server answers and
/// whether it closed the connection within `limit`.
async fn stall(app: &App, first: &str, limit: std::time::Duration) -> Option<String> {
    let mut stream = tokio::net::TcpStream::connect(&app.address).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut answer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn half_sent_headers_and_stalled_bodies_are_cut_off_and_others_are_served() {
    let app = spawn_app().await;
    let limit = std::time::Duration::from_secs(40);
    let headers = stall(&app, "GET / HTTP/1.1\r\nHost: refwatch\r\nX-Slow: ", limit);
    let body = stall(
        &app,
        "POST /api/v1/session HTTP/1.1\r\nHost: refwatch\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"username\": ",
        limit,
    );
    let meanwhile = async {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        get(&app, "/", "").await.status
    };
    let (headers, body, status) = tokio::join!(headers, body, meanwhile);
    assert_eq!(status, 200, "others are served while two clients stall");
    assert!(headers.is_some(), "half-sent headers are cut off");
    let body = body.expect("a stalled body is cut off");
    assert!(body.starts_with("HTTP/1.1 400"), "{body}");
    assert!(
        body.contains("\"bad_request\""),
        "API errors are JSON: {body}"
    );
}

#[tokio::test]
async fn every_api_error_is_json_with_a_code() {
    let app = spawn_app().await;
    for (method, path, body) in [
        ("GET", "/api/v1/no-such-route", ""),
        ("DELETE", "/api/v1/incidents", ""),
        ("POST", "/api/v1/session", "{not json"),
        ("GET", "/api/v1/incidents?limit=abc", ""),
        ("GET", "/api/v1/incidents/not-an-id", ""),
    ] {
        let r = request(
            &app,
            method,
            path,
            &[("Content-Type", "application/json".into())],
            body,
        )
        .await;
        assert!(r.status >= 400, "{method} {path}: {}", r.status);
        let v: serde_json::Value = serde_json::from_str(&r.body)
            .unwrap_or_else(|_| panic!("{method} {path} answered {}: {}", r.status, r.body));
        assert!(v["error"]["code"].is_string(), "{method} {path}: {v}");
    }
}

#[tokio::test]
async fn a_database_held_by_another_writer_answers_503_with_retry_after() {
    let app = spawn_app().await;
    let signed = api_sign_in(&app, "editor", PASSWORD).await;
    let token = json_of(&signed)["token"].as_str().unwrap().to_owned();
    let auth = [("Authorization", format!("Bearer {token}"))];
    // Another process holds the write lock past the store's 10 s wait.
    use sqlx::Connection;
    let url = format!("sqlite://{}", app._dir.path().join("db").display());
    let mut holder = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    // Signing out writes: told to come back, in JSON, not a 500.
    let busy = request(&app, "DELETE", "/api/v1/session", &auth, "").await;
    assert_eq!(busy.status, 503, "{}", busy.body);
    assert_eq!(busy.header("retry-after"), Some("5"));
    assert_eq!(json_of(&busy)["error"]["code"], "busy");
    // Reading still works meanwhile, and the write works once the lock goes.
    assert_eq!(get(&app, "/incidents", "").await.status, 200);
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    let out = request(&app, "DELETE", "/api/v1/session", &auth, "").await;
    assert_eq!(out.status, 204);
}

#[tokio::test]
async fn long_lists_of_sources_and_places_come_in_pages() {
    let sources: Vec<String> = (0..150)
        .map(|i| format!(r#"{{"id": "key:gen-src-{i}", "kind": "media", "title": "Generated source {i:03}", "confidentiality": "public"}}"#))
        .collect();
    let places: Vec<String> = (0..130)
        .map(|i| {
            format!(
                r#"{{"id": "key:gen-pl-{i}", "kind": "city", "name_en": "Generated town {i:03}"}}"#
            )
        })
        .collect();
    let data = format!(
        r#"{{"format": "refwatch-dataset", "version": 1, "sources": [{}], "places": [{}]}}"#,
        sources.join(","),
        places.join(",")
    );
    let app = spawn_with(&data).await;
    let rows = |body: &str, what: &str| body.matches(what).count();
    let first = get(&app, "/sources", "").await;
    assert_eq!(first.status, 200);
    assert_eq!(
        rows(&first.body, "href=\"/sources/"),
        100,
        "one page of 100 rows"
    );
    assert!(first.body.contains("/sources?page=2"));
    // The demo's sources and the 150 generated ones, over two pages.
    let second = get(&app, "/sources?page=2", "").await;
    assert_eq!(
        rows(&first.body, "Generated source ") + rows(&second.body, "Generated source "),
        150
    );
    // A page past the end shows the last one.
    assert_eq!(get(&app, "/sources?page=999999999", "").await.status, 200);
    let places_page = get(&app, "/places", "").await;
    let places_next = get(&app, "/places?page=2", "").await;
    assert!(places_page.body.contains("/places?page=2"));
    assert_eq!(
        rows(&places_page.body, "Generated town ") + rows(&places_next.body, "Generated town "),
        130
    );
}
