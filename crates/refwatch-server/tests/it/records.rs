//! Issue 30: sources, places, actors and incidents created, changed,
//! archived and restored through the API, with their history, by the roles
//! the policy names. Driven with reqwest. Every person here is generated.

use serde_json::{Value, json};

use super::{App, PASSWORD, spawn_app};

/// An API client, signed in as `user` (or the public, with `None`).
struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    async fn new(app: &App, user: Option<&str>) -> Self {
        let http = reqwest::Client::new();
        let base = format!("http://{}", app.address);
        let token = match user {
            Some(user) => {
                let reply = http
                    .post(format!("{base}/api/v1/session"))
                    .header("Content-Type", "application/json")
                    .body(json!({ "username": user, "password": PASSWORD }).to_string())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(reply.status(), 201, "{user} signs in");
                let body: Value = serde_json::from_str(&reply.text().await.unwrap()).unwrap();
                Some(body["token"].as_str().unwrap().to_owned())
            }
            None => None,
        };
        Self { http, base, token }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        let reply = req.send().await.unwrap();
        let status = reply.status().as_u16();
        let text = reply.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body.to_string()))
            .await
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, Some(body.to_string()))
            .await
    }

    async fn delete(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, path, Some(body.to_string()))
            .await
    }
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// The id of the demo place with this English name.
async fn place_id(c: &Client, name: &str) -> String {
    let (_, list) = c.get("/api/v1/places?limit=500").await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name_en"] == name)
        .unwrap_or_else(|| panic!("no place {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_api_records_and_restores_sources_places_and_actors_with_their_history() {
    let app = spawn_app().await;
    let editor = Client::new(&app, Some("editor")).await;

    // A source, its id made by the server.
    let (status, made) = editor
        .post(
            "/api/v1/sources",
            json!({"kind": "ngo_report", "title": "Generated field report", "confidentiality": "restricted"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let (status, source) = editor.get(&format!("/api/v1/sources/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(source["title"], "Generated field report");

    // Changed, then its history shows the difference, then restored.
    let mut changed = source.clone();
    changed["title"] = json!("Generated field report, revised");
    changed["publisher"] = json!("Generated NGO");
    let (status, body) = editor.put(&format!("/api/v1/sources/{id}"), changed).await;
    assert_eq!(status, 200, "{body}");
    let (status, history) = editor.get(&format!("/api/v1/sources/{id}/history")).await;
    assert_eq!(status, 200);
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["action"], "update");
    assert_eq!(versions[1]["by"], "editor");
    assert_eq!(
        versions[1]["changes"][0],
        json!({"field": "title", "before": "Generated field report", "after": "Generated field report, revised"})
    );
    let (status, _) = editor
        .post(
            &format!("/api/v1/sources/{id}/history/1/restore"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, source) = editor.get(&format!("/api/v1/sources/{id}")).await;
    assert_eq!(source["title"], "Generated field report");
    assert_eq!(source.get("publisher"), None);

    // A place inside a demo province, and an actor.
    let liaoning = place_id(&editor, "Liaoning").await;
    let (status, made) = editor
        .post(
            "/api/v1/places",
            json!({"kind": "city", "name_en": "Generated Town", "name_ko": "생성읍", "name_zh": "生成镇",
                   "country": "CN", "parent": liaoning,
                   "coordinates": {"lat": 41.1, "lon": 123.2, "precision": "city"}}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let town = made["id"].as_str().unwrap().to_owned();
    let (status, made) = editor
        .post(
            "/api/v1/actors",
            json!({"kind": "security_force", "name_en": "Generated county police", "name_ko": "생성 공안"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");

    // Who changed what is not the public's to read.
    let public = Client::new(&app, None).await;
    assert_eq!(public.get(&format!("/api/v1/places/{town}")).await.0, 200);
    assert_eq!(
        public
            .get(&format!("/api/v1/places/{town}/history"))
            .await
            .0,
        404
    );

    // Archived with a reason: gone, its history kept, and back.
    let (status, body) = editor
        .delete(
            &format!("/api/v1/places/{town}"),
            json!({"reason": "entered twice"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(editor.get(&format!("/api/v1/places/{town}")).await.0, 404);
    let (_, history) = editor.get(&format!("/api/v1/places/{town}/history")).await;
    let last = history["versions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["action"].as_str(), last["reason"].as_str()),
        (Some("archive"), Some("entered twice"))
    );
    let number = last["number"].as_u64().unwrap();
    let (status, _) = editor
        .post(
            &format!("/api/v1/places/{town}/history/{number}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, place) = editor.get(&format!("/api/v1/places/{town}")).await;
    assert_eq!(place["name_ko"], "생성읍");
    assert_eq!(place["parent"], json!(liaoning));

    // The audit log holds each change by id.
    let admin = app
        .core
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.target_id.as_deref() == Some(town.as_str()))
        .map(|e| e.event.action)
        .collect::<Vec<_>>();
    assert_eq!(admin, ["create", "archive", "restore"]);
}

#[tokio::test]
async fn bad_and_hostile_record_writes_get_clear_errors_and_change_nothing() {
    let app = spawn_app().await;
    let editor = Client::new(&app, Some("editor")).await;
    let liaoning = place_id(&editor, "Liaoning").await;
    let before = editor.get(&format!("/api/v1/places/{liaoning}")).await.1;

    let cases: Vec<(reqwest::Method, String, String, u16, &str)> = vec![
        // Not JSON, not an object, an unknown kind, a missing name.
        (reqwest::Method::POST, "/api/v1/places".into(), "{not json".into(), 400, "bad_body"),
        (reqwest::Method::POST, "/api/v1/places".into(), "[1, 2]".into(), 400, "bad_body"),
        (
            reqwest::Method::POST,
            "/api/v1/places".into(),
            json!({"kind": "no_such_kind", "name_en": "Generated"}).to_string(),
            422,
            "invalid",
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/places/{liaoning}"),
            json!({"id": liaoning, "kind": "province", "name_en": "", "parent": liaoning}).to_string(),
            422,
            "invalid",
        ),
        // Another id in the body than in the address.
        (
            reqwest::Method::PUT,
            format!("/api/v1/places/{liaoning}"),
            json!({"id": "6f1c1d4e-8a55-4c3e-9a57-0d7f0f0a1111", "kind": "province", "name_en": "X"}).to_string(),
            400,
            "id_mismatch",
        ),
        // Not an id, no reason, a version that is not a number or not there.
        (reqwest::Method::GET, "/api/v1/places/not-an-id".into(), String::new(), 400, "bad_id"),
        (reqwest::Method::DELETE, format!("/api/v1/places/{liaoning}"), "{}".into(), 400, "bad_body"),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/places/{liaoning}"),
            json!({"reason": " "}).to_string(),
            422,
            "invalid",
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/places/{liaoning}/history/x/restore"),
            String::new(),
            400,
            "bad_id",
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/places/{liaoning}/history/99/restore"),
            String::new(),
            404,
            "not_found",
        ),
        // A place incidents and other places name cannot be archived.
        (
            reqwest::Method::DELETE,
            format!("/api/v1/places/{liaoning}"),
            json!({"reason": "testing"}).to_string(),
            409,
            "still_linked",
        ),
    ];
    for (method, path, body, status, expected) in cases {
        let (got, reply) = editor
            .send(
                method.clone(),
                &path,
                (!body.is_empty()).then(|| body.clone()),
            )
            .await;
        assert_eq!(
            (got, code(&reply)),
            (status, expected),
            "{method} {path} {body}: {reply}"
        );
        assert!(!reply["error"]["message"].as_str().unwrap().is_empty());
    }
    // The invalid place is named by the field at fault.
    let (_, reply) = editor
        .put(
            &format!("/api/v1/places/{liaoning}"),
            json!({"id": liaoning, "kind": "province", "name_en": "Liaoning", "parent": liaoning}),
        )
        .await;
    assert_eq!(reply["error"]["problems"][0]["path"], "$.parent", "{reply}");
    // Nothing changed, and the server still answers.
    assert_eq!(
        editor.get(&format!("/api/v1/places/{liaoning}")).await.1,
        before
    );
    assert_eq!(
        editor
            .get(&format!("/api/v1/places/{liaoning}/history"))
            .await
            .1["versions"],
        json!([])
    );
}

#[tokio::test]
async fn each_role_writes_records_as_the_policy_allows() {
    let app = spawn_app().await;
    let source = json!({"kind": "ngo_report", "title": "Generated policy source", "confidentiality": "confidential"});
    let mut made = None;
    for (user, allowed) in [
        (Some("admin"), true),
        (Some("editor"), true),
        (Some("analyst"), false),
        (Some("viewer"), false),
        (None, false),
    ] {
        let c = Client::new(&app, user).await;
        let (status, body) = c.post("/api/v1/sources", source.clone()).await;
        if allowed {
            assert_eq!(status, 201, "{user:?}: {body}");
            made.get_or_insert(body["id"].as_str().unwrap().to_owned());
        } else {
            let expected = if user.is_none() { 401 } else { 404 };
            assert_eq!(status, expected, "{user:?}: {body}");
        }
    }
    let id = made.unwrap();
    // A confidential source is not there for those below its level: not
    // its record, not its history, and it cannot be changed or archived.
    for user in [Some("analyst"), Some("viewer"), None] {
        let c = Client::new(&app, user).await;
        assert_eq!(c.get(&format!("/api/v1/sources/{id}")).await.0, 404);
        assert_eq!(c.get(&format!("/api/v1/sources/{id}/history")).await.0, 404);
        let (status, _) = c
            .delete(&format!("/api/v1/sources/{id}"), json!({"reason": "x"}))
            .await;
        assert_eq!(status, if user.is_none() { 401 } else { 404 });
    }
    // Incidents are archived and restored through the same routes; only
    // those who may change them may.
    let editor = Client::new(&app, Some("editor")).await;
    let viewer = Client::new(&app, Some("viewer")).await;
    let (_, list) = editor.get("/api/v1/incidents?limit=500").await;
    let incident = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .unwrap()
                .starts_with("Confidential detention")
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/incidents/{incident}");
    assert_eq!(viewer.delete(&path, json!({"reason": "x"})).await.0, 404);
    let (status, body) = editor
        .delete(&path, json!({"reason": "duplicate of another"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(editor.get(&path).await.0, 404);
    let (_, history) = editor.get(&format!("{path}/history")).await;
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions[0]["action"], "imported");
    let (status, _) = editor
        .post(
            &format!("{path}/history/{}/restore", versions.len()),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(editor.get(&path).await.0, 200);
}

/// A browser without JavaScript: keeps cookies, does not follow
/// redirects, and sends forms with the token the pages carry.
struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    async fn signed_in(app: &App, user: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let b = Self {
            http,
            base: format!("http://{}", app.address),
        };
        let (status, _, body) = b
            .post(
                "/signin",
                &[("username", user), ("password", PASSWORD), ("code", "")],
            )
            .await;
        assert_eq!(status, 303, "{user} signs in: {body}");
        b
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let reply = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (reply.status().as_u16(), reply.text().await.unwrap())
    }

    /// The form token of this browser's pages.
    async fn csrf(&self) -> String {
        let (_, page) = self.get("/signin").await;
        let at = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
        page[at..at + page[at..].find('"').unwrap()].to_owned()
    }

    /// Posts a form with a file, as a browser sends one (multipart).
    async fn post_file(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
        file: (&str, &str, Vec<u8>),
    ) -> (u16, String, String) {
        let csrf = self.csrf().await;
        let mut form = reqwest::multipart::Form::new().text("csrf", csrf);
        for (k, v) in pairs {
            form = form.text(k.to_string(), v.to_string());
        }
        let (name, file_name, bytes) = file;
        form = form.part(
            name.to_owned(),
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
        );
        let reply = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = reply.status().as_u16();
        let location = reply
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, reply.text().await.unwrap())
    }

    /// Posts a form; answers the status, where it leads and the page.
    async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> (u16, String, String) {
        let csrf = self.csrf().await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend_from_slice(pairs);
        let reply = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = reply.status().as_u16();
        let location = reply
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, reply.text().await.unwrap())
    }
}

#[tokio::test]
async fn documenters_record_places_sources_and_actors_in_the_browser_with_their_history() {
    let app = spawn_app().await;
    let editor = Browser::signed_in(&app, "editor").await;

    // The place form offers the places to choose from by name.
    let (status, form) = editor.get("/places/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("<datalist") && form.contains("Liaoning"));

    // A tired documenter: a word for a longitude, a province spelled in
    // Korean (found), a parent that is not there. Nothing is saved; what
    // was typed is kept; each problem sits by its field.
    let mut town = vec![
        ("kind", "city"),
        ("name_en", "Generated Town"),
        ("name_ko", "생성읍"),
        ("parent", "랴오닝성"),
        ("lat", "41.1"),
        ("lon", "east"),
        ("precision", "city"),
    ];
    let (status, _, page) = editor.post("/places", &town).await;
    assert_eq!(status, 422);
    assert!(page.contains("Enter a number, such as 42.9.") && page.contains("Generated Town"));
    town[3] = ("parent", "Atlantis");
    town[5] = ("lon", "123.2");
    let (status, _, page) = editor.post("/places", &town).await;
    assert_eq!(status, 422);
    assert!(page.contains("Not in the list"), "{page}");
    town[3] = ("parent", "랴오닝성");
    let (status, location, _) = editor.post("/places", &town).await;
    assert_eq!(status, 303);
    assert!(location.ends_with("/history?done=saved"), "{location}");
    let base = location.split("/history").next().unwrap().to_owned();
    let (_, page) = editor.get(&location).await;
    assert!(page.contains("Saved.") && page.contains("Recorded"));

    // Edited: the history shows the old and new name.
    town[1] = ("name_en", "Generated Market Town");
    let (status, _, _) = editor.post(&base, &town).await;
    assert_eq!(status, 303);
    let (_, page) = editor.get(&format!("{base}/history")).await;
    assert!(page.contains("<del>Generated Town</del>"), "{page}");
    assert!(page.contains("<ins>Generated Market Town</ins>"));
    let (_, edit) = editor.get(&format!("{base}/edit")).await;
    assert!(
        edit.contains("value=\"Liaoning\""),
        "the parent is shown by name"
    );

    // Version 1 back; archived (a reason is asked for); restored.
    let (status, _, _) = editor.post(&format!("{base}/history/1/restore"), &[]).await;
    assert_eq!(status, 303);
    let (_, places) = editor.get("/places?page=1").await;
    assert!(places.contains(">Generated Town<"));
    let (status, _, page) = editor
        .post(&format!("{base}/archive"), &[("reason", " ")])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("say why the record is archived"));
    let (status, location, _) = editor
        .post(&format!("{base}/archive"), &[("reason", "entered twice")])
        .await;
    assert_eq!(status, 303);
    let (_, page) = editor.get(&location).await;
    assert!(page.contains("This record is archived") && page.contains("entered twice"));
    let (_, places) = editor.get("/places").await;
    assert!(!places.contains("Generated Town"));
    let (status, _, _) = editor.post(&format!("{base}/history/4/restore"), &[]).await;
    assert_eq!(status, 303);
    let (_, places) = editor.get("/places").await;
    assert!(places.contains(">Generated Town<"));

    // A province incidents name cannot be archived: said in words.
    let (_, list) = editor.get("/places").await;
    let at = list.find(">Liaoning</a>").unwrap();
    let href = &list[list[..at].rfind("href=\"").unwrap() + 6..at - 1];
    let liaoning = href.trim_end_matches("/history");
    assert!(liaoning.starts_with("/places/"), "{href}");
    let (status, _, page) = editor
        .post(&format!("{liaoning}/archive"), &[("reason", "testing")])
        .await;
    assert_eq!(status, 422, "{liaoning}: {page}");
    assert!(page.contains("Other records still refer to this one"));

    // A source and an actor, and the source's page offers its history.
    let (status, location, _) = editor
        .post(
            "/sources",
            &[
                ("kind", "ngo_report"),
                ("title", "Generated field report"),
                ("confidentiality", "restricted"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let source = location.split("/history").next().unwrap();
    let (_, page) = editor.get(source).await;
    assert!(page.contains(&format!("{source}/history")));
    // The source document is attached next, the source filled in.
    let id = source.trim_start_matches("/sources/");
    let (_, history) = editor.get(&location).await;
    let attach = format!("/evidence?source={id}");
    assert!(history.contains(&attach), "{history}");
    let (_, upload) = editor.get(&attach).await;
    assert!(
        upload.contains(&format!(
            "name=\"source\" required size=\"40\" value=\"{id}\""
        )),
        "{upload}"
    );
    let (status, _, page) = editor
        .post(
            "/actors",
            &[
                ("kind", "security_force"),
                ("name_en", "Generated county police"),
                ("parent", "People's Republic of China"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");

    // In Korean, the history is labelled in Korean.
    let (status, _, _) = editor.post("/lang", &[("lang", "ko"), ("back", "/")]).await;
    assert_eq!(status, 303);
    let (_, page) = editor.get(&format!("{base}/history")).await;
    assert!(page.contains("변경 이력") && page.contains("이 버전으로 복원"));

    // A viewer may not record, and sees no form.
    let viewer = Browser::signed_in(&app, "viewer").await;
    assert_eq!(viewer.get("/places/new").await.0, 404);
    let (status, _, _) = viewer.post("/places", &town).await;
    assert_eq!(status, 404);
    let (_, places) = viewer.get("/places").await;
    assert!(!places.contains("/places/new"));
}

#[tokio::test]
async fn an_incident_is_recorded_with_places_actors_breakdown_and_citations_it_can_correct() {
    let app: &'static super::App = Box::leak(Box::new(spawn_app().await));
    let editor = Browser::signed_in(app, "editor").await;
    let source = "key:t-src"
        .parse::<refwatch_domain::SourceId>()
        .unwrap()
        .to_string();
    let mut fields = vec![
        ("kind", "detention".to_owned()),
        ("title", "Generated form detention".to_owned()),
        ("date", "2024-05".to_owned()),
        ("low", "3".to_owned()),
        ("verification", "single_source".to_owned()),
        ("confidentiality", "restricted".to_owned()),
        ("places_shown", "1".to_owned()),
        ("place_0", "랴오닝성".to_owned()),
        ("place_role_0", "detention".to_owned()),
        ("place_1", "Atlantis".to_owned()),
        ("place_role_1", "arrest".to_owned()),
        ("actors_shown", "1".to_owned()),
        ("actor_0", "people's republic of china".to_owned()),
        ("actor_role_0", "detaining_authority".to_owned()),
        ("breakdown_shown", "1".to_owned()),
        ("bd_0_term", "sex:female".to_owned()),
        ("bd_0_low", "many".to_owned()),
        ("citations_shown", "1".to_owned()),
        ("source", source.clone()),
        ("locator", "call notes, p. 2".to_owned()),
        ("quote", "three women were held".to_owned()),
    ];
    let pairs = |f: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { f.clone() };
    let post = |path: String, f: Vec<(&'static str, String)>| {
        let editor = &editor;
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            editor.post(&path, &refs).await
        }
    };
    // A place not in the list and a word for a count: nothing saved, both
    // named beside their rows, what was typed kept.
    let (status, _, page) = post("/incidents".into(), pairs(&fields)).await;
    assert_eq!(status, 422);
    assert!(page.contains("Not in the list") && page.contains("Enter a whole number."));
    assert!(page.contains("value=\"Atlantis\"") && page.contains("value=\"many\""));
    let stored = |app: &'static super::App| app.core.dataset();
    assert!(
        !stored(app)
            .await
            .unwrap()
            .incidents
            .iter()
            .any(|i| i.title == "Generated form detention")
    );
    fields.retain(|(k, _)| !k.starts_with("place_1") && *k != "place_role_1");
    for f in &mut fields {
        if f.0 == "bd_0_low" {
            f.1 = "2".into();
        }
    }
    let (status, location, page) = post("/incidents".into(), pairs(&fields)).await;
    assert_eq!(status, 303, "{page}");
    assert!(location.ends_with("/history?done=saved"), "a confirmation");
    let location = location.split("/history").next().unwrap().to_owned();
    let find = |data: &refwatch_domain::Dataset| {
        data.incidents
            .iter()
            .find(|i| i.title == "Generated form detention")
            .cloned()
            .unwrap()
    };
    let made = find(&stored(app).await.unwrap());
    assert_eq!(made.places.len(), 1);
    assert_eq!(made.actors[0].role.code(), "detaining_authority");
    assert_eq!(made.breakdown[0].count.low, 2);
    assert_eq!(made.citations.len(), 1);

    // The edit form shows the citation to correct; corrected, and one added.
    let (_, form) = editor.get(&format!("{location}/edit")).await;
    assert!(form.contains("three women were held") && form.contains("name=\"cite_0_quote\""));
    assert!(form.contains("value=\"Liaoning\""), "the place by name");
    let mut edit = fields.clone();
    edit.retain(|(k, _)| !matches!(*k, "source" | "locator" | "quote"));
    edit.extend([
        ("cite_0_source", source.clone()),
        ("cite_0_locator", "call notes, p. 3".to_owned()),
        ("cite_0_quote", "three women were held at Tumen".to_owned()),
        ("source", source.clone()),
        ("locator", "second call, p. 1".to_owned()),
        ("quote", "they were moved on".to_owned()),
    ]);
    let (status, _, page) = post(location.clone(), edit.clone()).await;
    assert_eq!(status, 303, "{page}");
    let edited = find(&stored(app).await.unwrap());
    assert_eq!(edited.citations.len(), 2);
    assert_eq!(
        edited.citations[0].id, made.citations[0].id,
        "corrected in place"
    );
    assert_eq!(edited.citations[0].quote, "three women were held at Tumen");

    // Removing every citation is refused (a fact needs one): nothing lost.
    let mut remove_all = edit.clone();
    remove_all.retain(|(k, _)| !matches!(*k, "source" | "locator" | "quote"));
    remove_all.extend([
        ("cite_0_remove", "1".to_owned()),
        ("cite_1_quote", "x".to_owned()),
        ("cite_1_remove", "1".to_owned()),
    ]);
    let (status, _, page) = post(location.clone(), remove_all).await;
    assert_eq!(status, 422, "{page}");
    assert_eq!(find(&stored(app).await.unwrap()).citations.len(), 2);
    // One removed.
    let mut remove_one = edit.clone();
    remove_one.retain(|(k, _)| !matches!(*k, "source" | "locator" | "quote"));
    remove_one.push(("cite_0_remove", "1".to_owned()));
    let (status, _, _) = post(location.clone(), remove_one).await;
    assert_eq!(status, 303);
    let now = find(&stored(app).await.unwrap());
    assert_eq!(now.citations.len(), 1);
    assert_eq!(now.citations[0].quote, "they were moved on");

    // A form that does not show places, actors or the breakdown keeps them.
    let bare: Vec<(&'static str, String)> = fields
        .iter()
        .filter(|(k, _)| {
            !(k.starts_with("place")
                || k.starts_with("actor")
                || k.starts_with("bd_")
                || k.starts_with("breakdown")
                || k.starts_with("citations")
                || matches!(*k, "source" | "locator" | "quote"))
        })
        .cloned()
        .collect();
    let (status, _, page) = post(location.clone(), bare).await;
    assert_eq!(status, 303, "{page}");
    let kept = find(&stored(app).await.unwrap());
    assert_eq!(
        (
            kept.places.len(),
            kept.actors.len(),
            kept.breakdown.len(),
            kept.citations.len()
        ),
        (1, 1, 1, 1)
    );
}

#[tokio::test]
async fn a_persons_status_timeline_grows_in_the_browser_and_the_api_without_their_name() {
    let app = spawn_app().await;
    let person = "key:t-person-r"
        .parse::<refwatch_domain::PersonId>()
        .unwrap()
        .to_string();
    let editor = Browser::signed_in(&app, "editor").await;
    let (status, form) = editor.get(&format!("/persons/{person}/edit")).await;
    assert_eq!(status, 200);
    assert!(
        !form.contains("Generated Restricted Name"),
        "no identity in the form"
    );
    let row = |place: &'static str| {
        vec![
            ("sex", "female"),
            ("confidentiality", "restricted"),
            ("timeline_0_date", "2024-06-02"),
            ("timeline_0_status", "detained"),
            ("timeline_0_place", place),
        ]
    };
    let (status, _, page) = editor
        .post(&format!("/persons/{person}"), &row("Atlantis"))
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Not in the list") && page.contains("value=\"Atlantis\""));
    let (status, location, page) = editor
        .post(&format!("/persons/{person}"), &row("랴오닝성"))
        .await;
    assert_eq!(status, 303, "{page}");
    let (_, history) = editor.get(&location).await;
    assert!(
        history.contains("Saved.") && history.contains("Detained"),
        "{history}"
    );
    assert!(!history.contains("Generated Restricted Name"));

    // Through the API: a second status; an identity in the body is refused.
    let api = Client::new(&app, Some("editor")).await;
    let body = json!({"sex": "female", "confidentiality": "restricted", "timeline": [
        {"date": "2024-06-02", "status": "detained"}, {"date": "2024-07", "status": "repatriated"}]});
    let (status, reply) = api
        .put(&format!("/api/v1/persons/{person}"), body.clone())
        .await;
    assert_eq!(status, 200, "{reply}");
    let mut named = body.clone();
    named["identity"] = json!({"name_romanized": "Generated Other Name"});
    let (status, reply) = api.put(&format!("/api/v1/persons/{person}"), named).await;
    assert_eq!((status, code(&reply)), (422, "invalid"));
    assert_eq!(reply["error"]["problems"][0]["path"], "$.identity");
    let (_, versions) = api.get(&format!("/api/v1/persons/{person}/history")).await;
    let versions = versions["versions"].as_array().unwrap().clone();
    assert_eq!(versions.len(), 3, "imported, the browser's, the API's");
    assert!(!json!(versions).to_string().contains("Generated"));
    let viewer = Client::new(&app, Some("viewer")).await;
    assert_eq!(
        viewer
            .put(&format!("/api/v1/persons/{person}"), body)
            .await
            .0,
        404
    );
    // Archived with a reason (none is refused), then brought back.
    let one = format!("/api/v1/persons/{person}");
    let (status, reply) = api.delete(&one, json!({"reason": " "})).await;
    assert_eq!((status, code(&reply)), (422, "invalid"), "{reply}");
    let (status, reply) = api.delete(&one, json!({"reason": "entered twice"})).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(api.get(&one).await.0, 404);
    let (_, history) = api.get(&format!("{one}/history")).await;
    let n = history["versions"].as_array().unwrap().len() - 1;
    let (status, reply) = api
        .post(&format!("{one}/history/{n}/restore"), json!({}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(api.get(&one).await.0, 200);
}

/// Issue 30: a later step of a person's timeline with the citation behind
/// it, and consent with scope, date and recorder, through the API.
#[tokio::test]
async fn a_later_step_is_cited_and_consent_recorded_through_the_api() {
    let app = spawn_app().await;
    let person = "key:t-person-r"
        .parse::<refwatch_domain::PersonId>()
        .unwrap()
        .to_string();
    let source = uuid_of("src-open-letter-2024");
    let api = Client::new(&app, Some("editor")).await;
    let cite = format!("/api/v1/persons/{person}/citations");
    // Bad bodies: said, nothing added.
    for (body, expected) in [
        (json!({"source": source, "locator": "call 2"}), "bad_body"),
        (
            json!({"source": "nowhere", "locator": "call 2", "quote": "x"}),
            "invalid",
        ),
        (
            json!({"source": source, "locator": "call 2", "quote": "  "}),
            "invalid",
        ),
        (
            json!({"source": uuid_of("no-such-source"), "locator": "call 2", "quote": "x"}),
            "invalid",
        ),
    ] {
        let (status, reply) = api.post(&cite, body.clone()).await;
        assert_eq!(code(&reply), expected, "{body}: {status} {reply}");
    }
    let (_, stored) = api.get(&format!("/api/v1/persons/{person}")).await;
    assert_eq!(
        stored["citations"].as_array().map_or(0, Vec::len),
        0,
        "{stored}"
    );
    let (status, made) = api
        .post(
            &cite,
            json!({"source": source, "locator": "call 2", "quote": "Generated Restricted Name was moved"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let cited = made["id"].as_str().unwrap().to_owned();
    let body = json!({"sex": "female", "confidentiality": "restricted",
        "timeline": [{"date": "2024-08", "status": "transferred", "citation": cited}],
        "consent": {"scope": "un_confidential", "date": "2024-08-02", "recorded_by": "editor"}});
    let (status, reply) = api.put(&format!("/api/v1/persons/{person}"), body).await;
    assert_eq!(status, 200, "{reply}");
    let (_, stored) = api.get(&format!("/api/v1/persons/{person}")).await;
    assert_eq!(stored["timeline"][0]["citation"], json!(cited));
    assert_eq!(stored["consent"]["scope"], "un_confidential");
    assert_eq!(stored["consent_public"], false);
    assert!(!stored.to_string().contains("Generated Restricted Name"));
    // Consent that disagrees with the flag is refused by path.
    let body = json!({"sex": "female", "confidentiality": "restricted", "consent_public": true,
        "consent": {"scope": "none", "date": "2024-08-02", "recorded_by": "editor"}});
    let (status, reply) = api.put(&format!("/api/v1/persons/{person}"), body).await;
    assert_eq!((status, code(&reply)), (422, "invalid"), "{reply}");
    // Those who may not change the person may not cite them.
    for user in [Some("analyst"), Some("viewer")] {
        let c = Client::new(&app, user).await;
        let (status, _) = c
            .post(
                &cite,
                json!({"source": source, "locator": "x", "quote": "y"}),
            )
            .await;
        assert_eq!(status, 404, "{user:?}");
    }
    let public = Client::new(&app, None).await;
    assert_eq!(
        public
            .post(
                &cite,
                json!({"source": source, "locator": "x", "quote": "y"})
            )
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn un_recommendations_and_reported_figures_are_recorded_corrected_and_restored_through_the_api()
 {
    let app = spawn_app().await;
    let editor = Client::new(&app, Some("editor")).await;
    let id = |key: &str| -> String { uuid_of(key) };
    let source = id("src-upr-2009-wg");
    let recommendation = json!({
        "kind": "upr_recommendation", "date": "2024-01-23", "text": "Generated: respect the principle of non-refoulement",
        "review": id("upr-4-2024"), "paragraph": "Generated 1", "state": "Generatedland",
        "themes": ["non_refoulement"],
        "citations": [{"source": source, "locator": "para. 1", "quote": "respect the principle of non-refoulement", "id": uuid::Uuid::new_v4().to_string()}]});
    let (status, made) = editor
        .post("/api/v1/mechanisms", recommendation.clone())
        .await;
    assert_eq!(status, 201, "{made}");
    let m = made["id"].as_str().unwrap().to_owned();
    // China's response, recorded later.
    let (_, stored) = editor.get(&format!("/api/v1/mechanisms/{m}")).await;
    let mut answered = stored.clone();
    answered["response"] = json!("noted");
    let (status, reply) = editor
        .put(&format!("/api/v1/mechanisms/{m}"), answered.clone())
        .await;
    assert_eq!(status, 200, "{reply}");
    let (_, history) = editor.get(&format!("/api/v1/mechanisms/{m}/history")).await;
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["changes"][0]["field"], "response");
    // Its implementation, found later: a dated note with its citation; one
    // without a citation is refused.
    let mut noted = answered.clone();
    noted["implementation"] = json!([{"id": uuid::Uuid::new_v4().to_string(), "date": "2024-10",
        "status": "contradicted", "summary": "Generated: returns continued", "citations": []}]);
    let (status, reply) = editor
        .put(&format!("/api/v1/mechanisms/{m}"), noted.clone())
        .await;
    assert_eq!((status, code(&reply)), (422, "invalid"), "{reply}");
    noted["implementation"][0]["citations"] = json!([{"id": uuid::Uuid::new_v4().to_string(),
        "source": source, "locator": "para. 9", "quote": "returns continued"}]);
    let (status, reply) = editor.put(&format!("/api/v1/mechanisms/{m}"), noted).await;
    assert_eq!(status, 200, "{reply}");
    let (_, stored) = editor.get(&format!("/api/v1/mechanisms/{m}")).await;
    assert_eq!(stored["implementation"][0]["status"], "contradicted");
    let (_, history) = editor.get(&format!("/api/v1/mechanisms/{m}/history")).await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 3);
    // A recommendation without its citation is refused by path.
    let mut bare = stored.clone();
    bare["citations"] = json!([]);
    let (status, reply) = editor.put(&format!("/api/v1/mechanisms/{m}"), bare).await;
    assert_eq!((status, code(&reply)), (422, "invalid"), "{reply}");
    assert_eq!(
        editor.get(&format!("/api/v1/mechanisms/{m}")).await.1["response"],
        "noted"
    );

    // A figure: recorded, corrected, archived, restored.
    let figure = json!({"indicator": "border_crossings", "period": "2023", "value": {"low": 10, "high": 20}, "unit": "people",
        "citations": [{"id": uuid::Uuid::new_v4().to_string(), "source": source, "locator": "p. 2", "quote": "between 10 and 20 people"}]});
    // A count larger than can be stored is refused by path, not a 500.
    let mut huge = figure.clone();
    huge["value"] = json!({"low": u64::MAX});
    let (status, reply) = editor.post("/api/v1/figures", huge).await;
    assert_eq!((status, code(&reply)), (422, "invalid"), "{reply}");
    assert_eq!(reply["error"]["problems"][0]["path"], "$.value", "{reply}");
    let (status, made) = editor.post("/api/v1/figures", figure.clone()).await;
    assert_eq!(status, 201, "{made}");
    let f = made["id"].as_str().unwrap().to_owned();
    let (_, mut stored) = editor.get(&format!("/api/v1/figures/{f}")).await;
    stored["value"]["high"] = json!(5);
    let (status, reply) = editor.put(&format!("/api/v1/figures/{f}"), stored).await;
    assert_eq!(
        (status, code(&reply)),
        (422, "invalid"),
        "low above high: {reply}"
    );
    let (status, _) = editor
        .delete(
            &format!("/api/v1/figures/{f}"),
            json!({"reason": "a duplicate"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(editor.get(&format!("/api/v1/figures/{f}")).await.0, 404);
    let (status, _) = editor
        .post(&format!("/api/v1/figures/{f}/history/1/restore"), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        editor.get(&format!("/api/v1/figures/{f}")).await.1["value"]["high"],
        20
    );
    // A viewer does neither.
    let viewer = Client::new(&app, Some("viewer")).await;
    assert_eq!(viewer.post("/api/v1/figures", figure).await.0, 404);
}

/// The UUID refwatch gives a `key:` slug (the same for every kind).
fn uuid_of(key: &str) -> String {
    format!("key:{key}")
        .parse::<refwatch_domain::SourceId>()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_person_at_risk_is_recorded_in_the_browser_their_identity_sealed() {
    let app = spawn_app().await;
    let editor = Browser::signed_in(&app, "editor").await;
    let (status, form) = editor.get("/persons/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"identity_name_hangul\"") && form.contains("sealed when saved"));
    let source = "key:t-src"
        .parse::<refwatch_domain::SourceId>()
        .unwrap()
        .to_string();
    let mut fields = vec![
        ("sex", "female"),
        ("confidentiality", "restricted"),
        ("identity_name_romanized", "Generated Newcomer Name"),
        ("identity_name_hangul", "생성신규"),
        ("timeline_0_date", "2024-06"),
        ("timeline_0_status", "detained"),
        ("timeline_0_place", "랴오닝성"),
        ("cite_source", source.as_str()),
        ("cite_quote", "Generated Newcomer Name was detained in June"),
        ("cite_locator", ""),
    ];
    // No locator: refused, nothing saved, what was typed kept.
    let (status, _, page) = editor.post("/persons", &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("locator") && page.contains("value=\"Generated Newcomer Name\""));
    let before = app.core.dataset().await.unwrap().persons.len();
    fields.retain(|(k, _)| *k != "cite_locator");
    fields.push(("cite_locator", "call notes, p. 1"));
    let (status, location, page) = editor.post("/persons", &fields).await;
    assert_eq!(status, 303, "{page}");
    let id: refwatch_domain::PersonId = location.trim_start_matches("/persons/").parse().unwrap();
    let data = app.core.dataset().await.unwrap();
    assert_eq!(data.persons.len(), before + 1);
    let person = data.persons.iter().find(|p| p.id == id).unwrap();
    assert_eq!(person.timeline[0].status.code(), "detained");
    // The words that name them went into the sealed identity, with the name.
    assert!(refwatch_domain::Person::cited_words_sealed(
        &person.citations[0]
    ));
    let identity = app.core.person_identity(id).await.unwrap().unwrap();
    assert_eq!(identity.name_hangul.as_deref(), Some("생성신규"));
    assert_eq!(
        identity.cited[0].quote,
        "Generated Newcomer Name was detained in June"
    );
    // A viewer reads the person, never the name or the words.
    let viewer = Browser::signed_in(&app, "viewer").await;
    let (status, page) = viewer.get(&location).await;
    assert_eq!(status, 200);
    assert!(!page.contains("Generated Newcomer") && !page.contains("생성신규"));
    assert_eq!(viewer.get("/persons/new").await.0, 404);
}

#[tokio::test]
async fn a_korean_documenter_reads_every_refusal_in_korean() {
    let app = spawn_app().await;
    let editor = Browser::signed_in(&app, "editor").await;
    let (status, _, _) = editor.post("/lang", &[("lang", "ko"), ("back", "/")]).await;
    assert_eq!(status, 303);
    let source = "key:t-src"
        .parse::<refwatch_domain::SourceId>()
        .unwrap()
        .to_string();
    let (status, _, page) = editor
        .post(
            "/incidents",
            &[
                ("kind", "arrest"),
                ("title", "Generated Korean form"),
                ("date", "2024-02-30"),
                ("low", "9"),
                ("high", "4"),
                ("verification", "single_source"),
                ("confidentiality", "restricted"),
                ("source", &source),
                ("locator", ""),
                ("quote", "두 명이 잡혔다"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("달력에 없는 날짜입니다."), "{page}");
    let (status, _, page) = editor
        .post(
            "/incidents",
            &[
                ("kind", "arrest"),
                ("title", "Generated Korean form"),
                ("date", "2024-02"),
                ("low", "9"),
                ("high", "4"),
                ("verification", "single_source"),
                ("confidentiality", "restricted"),
                ("source", &source),
                ("locator", ""),
                ("quote", "두 명이 잡혔다"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("최소치(9)가 최대치(4)보다 큽니다."), "{page}");
    assert!(page.contains("인용에는 출처 내 위치(쪽, 단락, 각주)가 필요합니다."));
    assert!(!page.contains("must not exceed"));
    let (status, _, page) = editor
        .post(
            "/places",
            &[("kind", "city"), ("name_en", ""), ("lat", "41")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("위도와 경도를 모두 입력하거나"), "{page}");
}

#[tokio::test]
async fn a_upr_recommendation_is_recorded_and_chinas_response_added_in_the_browser() {
    let app = spawn_app().await;
    let editor = Browser::signed_in(&app, "editor").await;
    let (status, form) = editor.get("/mechanisms/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"review\"") && form.contains("name=\"cite_quote\""));
    let review = uuid_of("upr-4-2024");
    let source = uuid_of("src-upr-2009-wg");
    let (status, location, page) = editor
        .post(
            "/mechanisms",
            &[
                ("review", review.as_str()),
                ("state", "Generatedland"),
                ("paragraph", "140.1"),
                ("date", "2024-01-23"),
                ("text", "Generated: stop forced returns"),
                ("cite_source", source.as_str()),
                ("cite_locator", "para. 140.1"),
                ("cite_quote", "stop forced returns"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let base = location.split("/history").next().unwrap().to_owned();
    let id: refwatch_domain::MechanismId = base.trim_start_matches("/mechanisms/").parse().unwrap();
    // China's response, months later: the form shows the citation to
    // correct; one the post leaves out is kept; the history shows the
    // response.
    let (_, edit) = editor.get(&format!("{base}/edit")).await;
    assert!(edit.contains("Generatedland") && edit.contains("name=\"cite_0_quote\""));
    let (status, _, page) = editor
        .post(
            &base,
            &[
                ("review", review.as_str()),
                ("state", "Generatedland"),
                ("paragraph", "140.1"),
                ("date", "2024-01-23"),
                ("text", "Generated: stop forced returns"),
                ("response", "noted"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let data = app.core.dataset().await.unwrap();
    let m = data.mechanisms.iter().find(|m| m.id == id).unwrap();
    assert_eq!(
        m.citations.len(),
        1,
        "the citation the form did not show is kept"
    );
    assert!(matches!(
        &m.detail,
        refwatch_domain::MechanismDetail::UprRecommendation { response: Some(r), .. } if r == "noted"
    ));
    let (_, history) = editor.get(&format!("{base}/history")).await;
    assert!(history.contains("<ins>noted</ins>"), "{history}");
    let (_, list) = editor.get("/mechanisms").await;
    assert!(list.contains(&format!("{base}/history")));
    // A recommendation with no text is refused beside its field.
    let (status, _, page) = editor
        .post(
            &base,
            &[
                ("review", review.as_str()),
                ("state", "Generatedland"),
                ("date", "2024-01-23"),
                ("text", " "),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("This must be filled in."), "{page}");
}

impl Browser {
    /// Uploads a text file as evidence of `source`; answers its id.
    async fn upload(&self, source: &str, text: &str) -> String {
        let csrf = self.csrf().await;
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("source", source.to_owned())
            .text("received_from", "Generated Courier")
            .text("received_via", "Signal")
            .text("confidentiality", "restricted")
            .part(
                "file",
                reqwest::multipart::Part::text(text.to_owned())
                    .file_name("statement.txt")
                    .mime_str("text/plain")
                    .unwrap(),
            );
        let reply = self
            .http
            .post(format!("{}/evidence", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let page = reply.text().await.unwrap();
        let at = page.find("href=\"/evidence/").expect("stored") + 16;
        page[at..at + 36].to_owned()
    }
}

#[tokio::test]
async fn evidence_files_are_linked_to_incidents_and_persons_by_those_who_may_change_them() {
    let app = spawn_app().await;
    let editor = Browser::signed_in(&app, "editor").await;
    let source = "key:t-src"
        .parse::<refwatch_domain::SourceId>()
        .unwrap()
        .to_string();
    let evidence = editor
        .upload(&source, "Generated statement about two arrests")
        .await;
    let incident = "key:t-restricted"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap()
        .to_string();
    let page_path = format!("/incidents/{incident}");
    let (_, page) = editor.get(&page_path).await;
    assert!(page.contains("No evidence file is linked") && page.contains("Link an evidence file"));
    let (status, location, _) = editor
        .post(
            &format!("{page_path}/evidence"),
            &[("evidence", &evidence), ("linked", "yes")],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, page_path.as_str()));
    let (_, page) = editor.get(&page_path).await;
    assert!(page.contains(&format!("href=\"/evidence/{evidence}\"")));
    // Linked, the incident is not archived from under its evidence.
    let (status, _, page) = editor
        .post(&format!("{page_path}/archive"), &[("reason", "testing")])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Other records still refer to this one"));

    // Through the API: listed for a viewer who may read both; linked to a
    // person by the editor; a viewer may not link; a bad id is refused.
    let api = Client::new(&app, Some("editor")).await;
    let viewer = Client::new(&app, Some("viewer")).await;
    let (status, listed) = viewer
        .get(&format!("/api/v1/incidents/{incident}/evidence"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed["evidence"][0]["id"], json!(evidence));
    let person = "key:t-person-r"
        .parse::<refwatch_domain::PersonId>()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/persons/{person}/evidence");
    assert_eq!(
        viewer.post(&path, json!({"evidence": evidence})).await.0,
        404
    );
    let (status, reply) = api.post(&path, json!({"evidence": "not-an-id"})).await;
    assert_eq!((status, code(&reply)), (400, "bad_id"));
    let (status, reply) = api.post(&path, json!({"evidence": evidence})).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        api.get(&path).await.1["evidence"].as_array().unwrap().len(),
        1
    );
    // Linked, the person is not archived from under their evidence.
    let (status, reply) = api
        .delete(
            &format!("/api/v1/persons/{person}"),
            json!({"reason": "testing"}),
        )
        .await;
    assert_eq!((status, code(&reply)), (409, "still_linked"), "{reply}");
    let (status, _) = api
        .send(reqwest::Method::DELETE, &format!("{path}/{evidence}"), None)
        .await;
    assert_eq!(status, 200);
    assert!(
        api.get(&path).await.1["evidence"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Unlinked in the browser, the incident can be archived again.
    let (status, _, _) = editor
        .post(
            &format!("{page_path}/evidence"),
            &[("evidence", &evidence), ("linked", "no")],
        )
        .await;
    assert_eq!(status, 303);
    let actions: Vec<String> = app
        .core
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action.ends_with("link_evidence"))
        .map(|e| e.event.action)
        .collect();
    assert_eq!(
        actions,
        [
            "link_evidence",
            "link_evidence",
            "unlink_evidence",
            "unlink_evidence"
        ]
    );
}

/// Issue 30: every kind of UN mechanism record, its implementation noted
/// later with the evidence for it, and a reported figure, all in the
/// browser without JavaScript; bad input is said beside its field and
/// what was typed is kept.
#[tokio::test]
async fn every_kind_of_un_record_and_a_reported_figure_are_recorded_in_the_browser() {
    let app = spawn_app().await;
    let editor = Browser::signed_in(&app, "editor").await;
    let source = uuid_of("src-upr-2009-wg");
    let cite = [
        ("cite_source", source.as_str()),
        ("cite_locator", "para. 7"),
        ("cite_quote", "Generated quoted words"),
    ];
    let kinds: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "treaty_observation",
            vec![
                ("body", "cat"),
                ("paragraph", "46"),
                ("date", "2023-11"),
                ("text", "Generated: end returns"),
                ("themes_shown", "1"),
                ("theme_non_refoulement", "1"),
            ],
        ),
        (
            "communication",
            vec![
                ("reference", "Generated CHN 1/2024"),
                ("date", "2024-02"),
                (
                    "mandate_holders",
                    "Generated Rapporteur\nGenerated Working Group\n",
                ),
                ("reply_received", "false"),
                ("text", "Generated: urgent appeal"),
            ],
        ),
        (
            "coi_recommendation",
            vec![
                ("paragraph", "90 (a)"),
                ("date", "2014-02-07"),
                ("text", "Generated: respect non-refoulement"),
            ],
        ),
        (
            "resolution",
            vec![
                ("body", "Generated Council"),
                ("date", "2024-04"),
                ("vote_yes", "28"),
                ("vote_no", "6"),
                ("vote_abstain", "13"),
                ("china_vote", "no"),
                ("text", "Generated: situation of human rights"),
            ],
        ),
    ];
    let mut made = Vec::new();
    for (kind, fields) in &kinds {
        let (status, form) = editor.get(&format!("/mechanisms/new?kind={kind}")).await;
        assert_eq!(status, 200);
        assert!(
            form.contains(&format!("name=\"kind\" value=\"{kind}\"")),
            "{kind}"
        );
        let mut pairs = vec![("kind", *kind)];
        pairs.extend(fields.iter().copied());
        pairs.extend(cite);
        let (status, location, page) = editor.post("/mechanisms", &pairs).await;
        assert_eq!(status, 303, "{kind}: {page}");
        made.push(location.split("/history").next().unwrap().to_owned());
    }
    let data = app.core.dataset().await.unwrap();
    let find = |base: &str| {
        let id: refwatch_domain::MechanismId =
            base.trim_start_matches("/mechanisms/").parse().unwrap();
        data.mechanisms.iter().find(|m| m.id == id).unwrap().clone()
    };
    use refwatch_domain::MechanismDetail as D;
    assert!(
        matches!(find(&made[0]).detail, D::TreatyObservation { ref body, .. } if body.code() == "cat")
    );
    assert_eq!(
        find(&made[0]).themes,
        vec![refwatch_domain::Term::new("non_refoulement")]
    );
    assert!(matches!(find(&made[1]).detail,
        D::Communication { ref mandate_holders, reply_received: Some(false) } if mandate_holders.len() == 2));
    assert!(matches!(find(&made[3]).detail,
        D::Resolution { vote: Some(v), .. } if (v.yes, v.no, v.abstain) == (28, 6, 13)));

    // A vote with one number missing is said beside it; what was typed stays.
    let (status, _, page) = editor
        .post(
            "/mechanisms",
            &[
                ("kind", "resolution"),
                ("body", "Generated Assembly"),
                ("date", "2024"),
                ("vote_yes", "90"),
                ("text", "Generated text"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Give all three numbers of the vote") && page.contains("value=\"90\""),
        "{page}"
    );

    // Later: the COI recommendation's implementation, with its evidence.
    let coi = &made[2];
    let (_, edit) = editor.get(&format!("{coi}/edit")).await;
    assert!(edit.contains("name=\"note_0_date\""), "a row to add a note");
    let mut note = vec![
        ("kind", "coi_recommendation"),
        ("paragraph", "90 (a)"),
        ("date", "2014-02-07"),
        ("text", "Generated: respect non-refoulement"),
        ("note_0_date", "2024-10"),
        ("note_0_status", "contradicted"),
        ("note_0_summary", "Generated: returns went on"),
        ("note_0_source", source.as_str()),
        ("note_0_locator", ""),
        ("note_0_quote", ""),
    ];
    let (status, _, page) = editor.post(coi, &note).await;
    assert_eq!(status, 422, "a note needs its citation");
    assert!(
        page.contains("every fact needs at least one citation")
            && page.contains("Generated: returns went on"),
        "{page}"
    );
    note[8] = ("note_0_locator", "p. 3");
    note[9] = ("note_0_quote", "returns went on");
    let (status, _, page) = editor.post(coi, &note).await;
    assert_eq!(status, 303, "{page}");
    let (_, list) = editor.get("/mechanisms").await;
    assert!(
        list.contains("Action contrary to the recommendation")
            && list.contains("Generated: returns went on")
    );
    let (_, history) = editor.get(&format!("{coi}/history")).await;
    assert!(history.contains("Implementation"), "{history}");

    // A reported figure: a bad number is said beside it, then recorded,
    // then its citation corrected.
    let (status, form) = editor.get("/figures/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"value_low\""));
    let mut figure = vec![
        ("indicator", "border_crossings"),
        ("period", "2023"),
        ("place", "랴오닝성"),
        ("value_low", "1,2x"),
        ("value_high", "1,500"),
        ("unit", "people"),
    ];
    figure.extend(cite);
    let (status, _, page) = editor.post("/figures", &figure).await;
    assert_eq!(status, 422);
    assert!(page.contains("value=\"1,2x\""), "{page}");
    figure[3] = ("value_low", "1,200");
    let (status, location, page) = editor.post("/figures", &figure).await;
    assert_eq!(status, 303, "{page}");
    let base = location.split("/history").next().unwrap().to_owned();
    let (_, edit) = editor.get(&format!("{base}/edit")).await;
    assert!(
        edit.contains("value=\"1200\"") && edit.contains("name=\"cite_0_quote\""),
        "{edit}"
    );
    let (status, _, page) = editor
        .post(
            &base,
            &[
                ("indicator", "border_crossings"),
                ("period", "2023"),
                ("value_low", "1200"),
                ("value_high", "1500"),
                ("unit", "people"),
                ("cite_0_source", source.as_str()),
                ("cite_0_locator", "para. 8"),
                ("cite_0_quote", "Generated corrected words"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let (_, figures) = editor.get("/figures").await;
    assert!(figures.contains("1,200–1,500 people"), "{figures}");
    let data = app.core.dataset().await.unwrap();
    let f = data
        .figures
        .iter()
        .find(|f| base.ends_with(&f.id.to_string()))
        .unwrap();
    assert_eq!(f.citations[0].quote, "Generated corrected words");
    assert!(
        f.place.is_none(),
        "a field the post left out is cleared, as the form showed it"
    );
}

/// Issue 30: consent with scope, date and recorder, and a later step of a
/// person's timeline with the citation behind it, in the browser; the
/// citation's words are sealed and never shown on the form.
#[tokio::test]
async fn consent_and_a_later_cited_step_are_recorded_in_the_browser() {
    let app = spawn_app().await;
    let person = "key:t-person-r"
        .parse::<refwatch_domain::PersonId>()
        .unwrap()
        .to_string();
    let source = uuid_of("src-open-letter-2024");
    let editor = Browser::signed_in(&app, "editor").await;
    let cite = format!("/persons/{person}/citations");
    // No words: said beside the field, the locator typed kept.
    let (status, _, page) = editor
        .post(
            &cite,
            &[
                ("cite_source", source.as_str()),
                ("cite_locator", "Generated call 2"),
                ("cite_quote", " "),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("exact quoted words") && page.contains("Generated call 2"),
        "{page}"
    );
    let (status, location, _) = editor
        .post(
            &cite,
            &[
                ("cite_source", source.as_str()),
                ("cite_locator", "Generated call 2"),
                ("cite_quote", "Generated words on the transfer"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, history) = editor.get(&location).await;
    assert!(history.contains("Citation added."), "{history}");
    let (_, edit) = editor.get(&format!("/persons/{person}/edit")).await;
    assert!(
        edit.contains("name=\"timeline_0_citation\"") && edit.contains("1. "),
        "{edit}"
    );
    assert!(
        !edit.contains("Generated words on the transfer"),
        "sealed words are not on the form"
    );
    let cited = app
        .core
        .dataset()
        .await
        .unwrap()
        .persons
        .iter()
        .find(|p| p.id.to_string() == person)
        .unwrap()
        .citations[0]
        .id
        .to_string();
    let mut form = vec![
        ("sex", "female"),
        ("confidentiality", "restricted"),
        ("timeline_0_date", "2024-08"),
        ("timeline_0_status", "transferred"),
        ("timeline_0_citation", cited.as_str()),
        ("consent_scope", "un_confidential"),
        ("consent_date", ""),
        ("consent_recorded_by", "Generated Documenter"),
    ];
    let (status, _, page) = editor.post(&format!("/persons/{person}"), &form).await;
    assert_eq!(status, 422, "consent needs its date");
    assert!(
        page.contains("leave all three empty") && page.contains("Generated Documenter"),
        "{page}"
    );
    form[6] = ("consent_date", "2024-08-02");
    let (status, _, page) = editor.post(&format!("/persons/{person}"), &form).await;
    assert_eq!(status, 303, "{page}");
    let data = app.core.dataset().await.unwrap();
    let p = data
        .persons
        .iter()
        .find(|p| p.id.to_string() == person)
        .unwrap();
    assert_eq!(p.timeline[0].citation.map(|c| c.to_string()), Some(cited));
    let consent = p.consent.as_ref().unwrap();
    assert_eq!(
        (consent.scope.code(), consent.recorded_by.as_str()),
        ("un_confidential", "Generated Documenter")
    );
    assert!(!p.consent_public);
    // A viewer may not cite the person.
    let viewer = Browser::signed_in(&app, "viewer").await;
    let (status, _, _) = viewer
        .post(
            &cite,
            &[
                ("cite_source", source.as_str()),
                ("cite_locator", "x"),
                ("cite_quote", "y"),
            ],
        )
        .await;
    assert_eq!(status, 404);
}

/// Issue 30: statistics "as of" a past date, in the API and on the
/// figures page (and its files); a date that does not read is said.
#[tokio::test]
async fn statistics_are_asked_as_of_a_past_date() {
    let app = spawn_app().await;
    let api = Client::new(&app, Some("editor")).await;
    let (_, now) = api.get("/api/v1/stats/per-year").await;
    assert!(!now["rows"].as_array().unwrap().is_empty());
    // Before anything was recorded, nothing; by the end of today, all.
    let (status, then) = api.get("/api/v1/stats/per-year?as_of=2000-01-01").await;
    assert_eq!(status, 200, "{then}");
    assert_eq!(then["rows"], json!([]));
    assert_eq!(then["as_of"], "2000-01-01T23:59:59Z");
    let today = refwatch_domain::Clock::now(&refwatch_domain::SystemClock).to_string();
    let (_, today_rows) = api
        .get(&format!("/api/v1/stats/per-year?as_of={}", &today[..10]))
        .await;
    assert_eq!(today_rows["rows"], now["rows"]);
    let (status, reply) = api.get("/api/v1/stats/per-year?as_of=yesterday").await;
    assert_eq!((status, code(&reply)), (400, "bad_filter"));
    let browser = Browser::signed_in(&app, "editor").await;
    let (status, page) = browser.get("/figures?as_of=2000").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("The records as they stood at the end of 2000"),
        "{page}"
    );
    assert!(page.contains("as_of=2000"), "the downloads keep the date");
    let (_, page) = browser.get("/figures?as_of=soon").await;
    assert!(page.contains("does not read as a date") && page.contains("value=\"soon\""));
    let (status, _) = browser.get("/figures.csv?as_of=soon").await;
    assert_eq!(status, 400);
}

/// Issue 30: writes through the API by every role at every level, as the
/// written policy decides them: created, changed and archived, or refused
/// (401 without a session, 404 for what is not theirs) with nothing
/// written.
#[tokio::test]
async fn every_role_writes_each_kind_at_each_level_through_the_api_as_the_policy_says() {
    use refwatch_domain::Confidentiality;
    use refwatch_policy::{Operation, Principal, Role, decide};
    let app = spawn_app().await;
    let source = uuid_of("src-open-letter-2024");
    let cite = || json!([{"id": uuid::Uuid::new_v4().to_string(), "source": source, "locator": "p. 1", "quote": "Generated words"}]);
    let body = |kind: &str, level: &str| -> Value {
        match kind {
            "sources" => {
                json!({"kind": "ngo_report", "title": "Generated policy source", "confidentiality": level})
            }
            "incidents" => {
                json!({"id": uuid::Uuid::new_v4().to_string(), "kind": "arrest", "title": "Generated policy arrest", "date": "2024",
                "victims": {"low": 1}, "verification": "single_source", "confidentiality": level, "citations": cite()})
            }
            _ => {
                json!({"identity": {"name_romanized": "Generated Policy Person"}, "sex": "female", "confidentiality": level, "citations": cite()})
            }
        }
    };
    let users = [
        (Some("admin"), Principal::Account(Role::Administrator)),
        (Some("editor"), Principal::Account(Role::Editor)),
        (Some("analyst"), Principal::Account(Role::Analyst)),
        (Some("viewer"), Principal::Account(Role::Viewer)),
        (None, Principal::Public),
    ];
    let admin = Client::new(&app, Some("admin")).await;
    let mut changes = 0;
    for kind in ["sources", "incidents", "persons"] {
        for level in Confidentiality::ALL {
            // One record made by an administrator, for the others to change.
            let (status, made) = admin
                .post(&format!("/api/v1/{kind}"), body(kind, level.code()))
                .await;
            assert_eq!(status, 201, "{kind} {level:?}: {made}");
            let id = made["id"].as_str().unwrap().to_owned();
            let path = format!("/api/v1/{kind}/{id}");
            for (user, principal) in users {
                let c = Client::new(&app, user).await;
                let case = format!("{user:?} {kind} {level:?}");
                let refused = if user.is_none() { 401 } else { 404 };
                // Create.
                let (status, reply) = c
                    .post(&format!("/api/v1/{kind}"), body(kind, level.code()))
                    .await;
                let may = decide(principal, Operation::Create, level).allowed();
                assert_eq!(
                    status,
                    if may { 201 } else { refused },
                    "create {case}: {reply}"
                );
                // Change: the record as stored, one field changed.
                let (_, mut stored) = admin.get(&path).await;
                let field = if kind == "persons" {
                    "birth_year"
                } else {
                    "title"
                };
                changes += 1;
                stored[field] = if kind == "persons" {
                    json!(1950 + changes)
                } else {
                    json!(format!("Generated {case}"))
                };
                let (status, reply) = c.put(&path, stored.clone()).await;
                let may = decide(principal, Operation::Update, level).allowed();
                assert_eq!(
                    status,
                    if may { 200 } else { refused },
                    "change {case}: {reply}"
                );
                let (_, after) = admin.get(&path).await;
                assert_eq!(
                    after[field] == stored[field],
                    may,
                    "{case}: changed only when allowed"
                );
                // Archive, then restore for the next case.
                {
                    let (status, reply) =
                        c.delete(&path, json!({"reason": "Generated reason"})).await;
                    let may = decide(principal, Operation::Update, level).allowed();
                    assert_eq!(
                        status,
                        if may { 200 } else { refused },
                        "archive {case}: {reply}"
                    );
                    assert_eq!(
                        admin.get(&path).await.0,
                        if may { 404 } else { 200 },
                        "{case}"
                    );
                    if may {
                        let (_, history) = admin.get(&format!("{path}/history")).await;
                        let n = history["versions"].as_array().unwrap().len() - 1;
                        let (status, _) = admin
                            .post(&format!("{path}/history/{n}/restore"), json!({}))
                            .await;
                        assert_eq!(status, 200, "{case}: restored for the next");
                    }
                }
            }
        }
    }
}

/// Found by the API tester: a new person sent with the id of one already
/// stored is refused by path, not answered with a server error.
#[tokio::test]
async fn a_person_sent_again_is_refused_by_path() {
    let app = spawn_app().await;
    let api = Client::new(&app, Some("editor")).await;
    let person = "key:t-person-r"
        .parse::<refwatch_domain::PersonId>()
        .unwrap()
        .to_string();
    let incident = "key:t-restricted"
        .parse::<refwatch_domain::IncidentId>()
        .unwrap()
        .to_string();
    let admin = Client::new(&app, Some("admin")).await;
    for (c, id) in [(&api, &person), (&admin, &incident)] {
        let (status, reply) = c.post("/api/v1/persons", json!({"id": id})).await;
        assert_eq!((status, code(&reply)), (422, "invalid"), "{reply}");
        assert_eq!(reply["error"]["problems"][0]["path"], "$.id", "{reply}");
    }
    let (status, reply) = admin
        .post(
            "/api/v1/sources",
            json!({"id": incident, "kind": "ngo_report", "title": "Generated"}),
        )
        .await;
    assert_eq!((status, code(&reply)), (422, "invalid"), "{reply}");
}

/// Issue 30: a source is chosen by typing its title (offered as one
/// types, no 45-item list); a title no source has is said beside the
/// field, and what was typed stays.
#[tokio::test]
async fn a_source_is_chosen_by_its_title_on_every_form() {
    let app = spawn_app().await;
    let editor = Browser::signed_in(&app, "editor").await;
    let (_, form) = editor.get("/figures/new").await;
    assert!(
        form.contains("list=\"source-choices\"")
            && form.contains("<datalist id=\"source-choices\">")
    );
    let figure = |source: &'static str| {
        vec![
            ("indicator", "border_crossings"),
            ("period", "2022"),
            ("value_low", "7"),
            ("unit", "people"),
            ("cite_source", source),
            ("cite_locator", "p. 4"),
            ("cite_quote", "Generated seven"),
        ]
    };
    let (status, _, page) = editor
        .post("/figures", &figure("Generated title of no source"))
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Not in the list") && page.contains("value=\"Generated title of no source\""),
        "{page}"
    );
    // Typed in another case, with spaces around it.
    let (status, _, page) = editor
        .post(
            "/figures",
            &figure("  report of the working group on the universal periodic review: china "),
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let data = app.core.dataset().await.unwrap();
    let f = data
        .figures
        .iter()
        .find(|f| f.citations[0].quote == "Generated seven")
        .unwrap();
    assert_eq!(
        f.citations[0].source.to_string(),
        uuid_of("src-upr-2009-wg")
    );
}

#[tokio::test]
async fn persons_are_picked_on_the_incident_form_without_their_names() {
    let app: &'static super::App = Box::leak(Box::new(spawn_app().await));
    let editor = Browser::signed_in(app, "editor").await;
    let person = uuid_of("t-person-r");
    let source = uuid_of("t-src");
    let fields: Vec<(&str, String)> = vec![
        ("kind", "detention".into()),
        ("title", "Generated picked detention".into()),
        ("date", "2024-06".into()),
        ("low", "1".into()),
        ("verification", "single_source".into()),
        ("confidentiality", "restricted".into()),
        ("source", source),
        ("locator", "call notes".into()),
        ("quote", "one person was held".into()),
    ];
    let post = |path: String, extra: Vec<(&'static str, String)>| {
        let editor = &editor;
        let mut all = fields.clone();
        all.extend(extra);
        async move {
            let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            editor.post(&path, &refs).await
        }
    };
    // The picker offers persons by what does not identify them.
    let (_, form) = editor.get("/incidents/new").await;
    assert!(form.contains("person-choices") && form.contains(&person[..8]));
    assert!(!form.contains("Generated Restricted Name") && !form.contains("생성비밀"));
    let roles = || async {
        let data = app.core.dataset().await.unwrap();
        let incident = data
            .incidents
            .iter()
            .find(|i| i.title == "Generated picked detention")
            .map(|i| i.id);
        let p = data
            .persons
            .iter()
            .find(|p| p.id.to_string() == person)
            .unwrap();
        p.incidents
            .iter()
            .filter(|l| Some(l.incident) == incident)
            .map(|l| l.role.code().to_owned())
            .collect::<Vec<_>>()
    };
    // Someone not in the list: refused beside the row, nothing saved.
    let label = format!("{} · Female", &person[..8]);
    let (status, _, page) = post(
        "/incidents".into(),
        vec![
            ("persons_shown", "1".into()),
            ("person_0", label.clone()),
            ("person_role_0", "victim".into()),
            ("person_1", "deadbeef · someone".into()),
            ("person_role_1", "witness".into()),
        ],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Not in the list") && page.contains("deadbeef · someone"));
    let none = app.core.dataset().await.unwrap();
    assert!(
        !none
            .incidents
            .iter()
            .any(|i| i.title == "Generated picked detention")
    );
    // Picked: the incident is saved and the person linked with their role.
    let (status, location, page) = post(
        "/incidents".into(),
        vec![
            ("persons_shown", "1".into()),
            ("person_0", label.clone()),
            ("person_role_0", "victim".into()),
        ],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(roles().await, ["victim"]);
    let path = location.split("/history").next().unwrap().to_owned();
    let (_, form) = editor.get(&format!("{path}/edit")).await;
    assert!(
        form.contains(&format!("value=\"{}", &person[..8])),
        "shown to edit"
    );
    // A form that does not show persons keeps them; one that shows none
    // takes the link away, which the person's history keeps.
    let (status, _, _) = post(path.clone(), vec![]).await;
    assert_eq!(status, 303);
    assert_eq!(roles().await, ["victim"]);
    let (status, _, _) = post(path.clone(), vec![("persons_shown", "1".into())]).await;
    assert_eq!(status, 303);
    assert!(roles().await.is_empty());
    let history = app
        .core
        .history(refwatch_service::RecordKind::Person, &person)
        .await
        .unwrap();
    assert!(history.len() >= 3, "linked, then unlinked, each a version");
}

#[tokio::test]
async fn a_citation_on_a_person_is_corrected_and_removed_in_the_api_and_the_browser() {
    let app = spawn_app().await;
    let person = uuid_of("t-person-r");
    let pid: refwatch_domain::PersonId = person.parse().unwrap();
    let source = uuid_of("src-open-letter-2024");
    let api = Client::new(&app, Some("editor")).await;
    let cite = format!("/api/v1/persons/{person}/citations");
    let (status, made) = api
        .post(
            &cite,
            json!({"source": source, "locator": "call 2", "quote": "Generated words one"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let one = format!("{cite}/{}", made["id"].as_str().unwrap());
    let words = || async {
        app.core
            .person_identity(pid)
            .await
            .unwrap()
            .unwrap()
            .cited
            .iter()
            .map(|c| c.quote.clone())
            .collect::<Vec<_>>()
    };
    // Bad corrections: said, nothing changed.
    for (path, body, status, expected) in [
        (one.clone(), json!({"source": source}), 400, "bad_body"),
        (
            one.clone(),
            json!({"source": "nowhere", "locator": "l", "quote": "q"}),
            422,
            "invalid",
        ),
        (
            one.clone(),
            json!({"source": source, "locator": "l", "quote": " "}),
            422,
            "invalid",
        ),
        (
            format!("{cite}/{}", uuid_of("no-such-citation")),
            json!({"source": source, "locator": "l", "quote": "q"}),
            404,
            "not_found",
        ),
        (
            format!("{cite}/not-an-id"),
            json!({"source": source, "locator": "l", "quote": "q"}),
            400,
            "bad_id",
        ),
    ] {
        let (got, reply) = api.put(&path, body.clone()).await;
        assert_eq!((got, code(&reply)), (status, expected), "{body}: {reply}");
    }
    assert_eq!(words().await, ["Generated words one"]);
    let analyst = Client::new(&app, Some("analyst")).await;
    let (status, _) = analyst.delete(&one, json!({})).await;
    assert_eq!(status, 404, "an analyst may not change persons");
    // Corrected, then removed.
    let (status, reply) = api
        .put(&one, json!({"source": source, "locator": "call 2, minute 3", "quote": "Generated words corrected"}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(words().await, ["Generated words corrected"]);
    let (status, reply) = api.delete(&one, json!({})).await;
    assert_eq!(
        (status, reply["removed"].as_bool()),
        (200, Some(true)),
        "{reply}"
    );
    assert!(words().await.is_empty());
    let (_, stored) = api.get(&format!("/api/v1/persons/{person}")).await;
    assert!(
        stored["citations"].as_array().is_none_or(Vec::is_empty),
        "{stored}"
    );

    // In the browser: each citation has its own form to correct or remove.
    let editor = Browser::signed_in(&app, "editor").await;
    let form_cite = format!("/persons/{person}/citations");
    let (status, _, _) = editor
        .post(
            &form_cite,
            &[
                ("cite_source", source.as_str()),
                ("cite_locator", "call 3"),
                ("cite_quote", "Generated words two"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, edit) = editor.get(&format!("/persons/{person}/edit")).await;
    let marker = "name=\"cite_id\" value=\"";
    let at = edit.find(marker).expect("a correction form") + marker.len();
    let cid = edit[at..at + 36].to_owned();
    assert!(
        !edit.contains("Generated words two"),
        "sealed words are not shown"
    );
    // Corrected without words: said beside the field, nothing changed.
    let (status, _, page) = editor
        .post(
            &form_cite,
            &[
                ("cite_id", cid.as_str()),
                ("cite_source", source.as_str()),
                ("cite_locator", "call 3"),
                ("cite_quote", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("exact quoted words") && page.contains(&cid));
    assert_eq!(words().await, ["Generated words two"]);
    let (status, location, _) = editor
        .post(
            &form_cite,
            &[
                ("cite_id", cid.as_str()),
                ("cite_source", source.as_str()),
                ("cite_locator", "call 3"),
                ("cite_quote", "Generated words three"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location.contains("done=saved"), "{location}");
    assert_eq!(words().await, ["Generated words three"]);
    let (status, _, _) = editor
        .post(
            &form_cite,
            &[("cite_id", cid.as_str()), ("cite_remove", "1")],
        )
        .await;
    assert_eq!(status, 303);
    assert!(words().await.is_empty());
}

#[tokio::test]
async fn a_source_is_recorded_with_its_document_in_one_step() {
    let app = spawn_app().await;
    let editor = Browser::signed_in(&app, "editor").await;
    let (_, form) = editor.get("/sources/new").await;
    assert!(form.contains("multipart/form-data") && form.contains("name=\"document\""));
    let fields = |title: &'static str| {
        vec![
            ("kind", "ngo_report"),
            ("title", title),
            ("confidentiality", "restricted"),
        ]
    };
    let text = "Generated statement: five people were taken to the border.";
    let sources_titled = |title: &'static str| {
        let app = &app;
        async move {
            app.core
                .dataset()
                .await
                .unwrap()
                .sources
                .iter()
                .filter(|s| s.title == title)
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    // A document without who handed it over: said beside the fields,
    // nothing saved.
    let (status, _, page) = editor
        .post_file(
            "/sources",
            &fields("Generated report one"),
            ("document", "statement.txt", text.as_bytes().to_vec()),
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Say who handed the file over"));
    assert!(
        page.contains("Generated report one"),
        "what was typed is kept"
    );
    assert!(sources_titled("Generated report one").await.is_empty());
    // With them: the source and its document, in one step.
    let mut with_who = fields("Generated report one");
    with_who.extend([
        ("doc_received_from", "Generated Courier"),
        ("doc_received_via", "Signal"),
    ]);
    let (status, location, page) = editor
        .post_file(
            "/sources",
            &with_who,
            ("document", "statement.txt", text.as_bytes().to_vec()),
        )
        .await;
    assert_eq!(status, 303, "{page}");
    assert!(location.contains("/history?done=saved"), "{location}");
    let made = sources_titled("Generated report one").await;
    assert_eq!(made.len(), 1);
    let files = app.core.evidence_list().await.unwrap();
    let file = files
        .iter()
        .find(|e| e.source == made[0])
        .expect("the document is evidence of the source");
    assert_eq!(file.confidentiality.code(), "restricted");
    // No file chosen: the source alone (the browser sends an empty part).
    let (status, _, _) = editor
        .post_file(
            "/sources",
            &fields("Generated report two"),
            ("document", "", Vec::new()),
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(sources_titled("Generated report two").await.len(), 1);
    // A document refused (over the test server's 1 MiB limit): the
    // source stays saved and the page says why
    // and where to add the document again.
    let mut refused = fields("Generated report three");
    refused.extend([
        ("doc_received_from", "Generated Courier"),
        ("doc_received_via", "Signal"),
    ]);
    let (status, _, page) = editor
        .post_file(
            "/sources",
            &refused,
            ("document", "big.txt", vec![b'a'; (1 << 20) + 1]),
        )
        .await;
    let three = sources_titled("Generated report three").await;
    assert_eq!(three.len(), 1, "the source is not lost");
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("its document was not stored"), "{page}");
    assert!(page.contains(&format!("/evidence?source={}", three[0])));
    // The plain form (no JavaScript, no file input sent) still works.
    let (status, _, _) = editor
        .post("/sources", &fields("Generated report four"))
        .await;
    assert_eq!(status, 303);
}
