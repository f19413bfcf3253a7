//! The whole surface scanned for names, as every role and the public:
//! generated names put in citation quotes on persons, incident titles and
//! source titles at every level come out only where the policy allows
//! (to readers of identities, each such read audited), and never sit in
//! the clear in the data directory's files. Uses a real HTTP client.

use refwatch_domain::{IncidentId, PersonId, SourceId};

use super::*;

/// A restricted person, without public consent: named in their identity,
/// in a quote on them, in incident titles (public and restricted, in both
/// scripts) and in source titles (public and confidential).
const R_HANGUL: &str = "뎡퀘슝";
const R_ROMAN: &str = "Dyeong Kwesyung";
/// A confidential person: named only in their identity and a quote on
/// them, so the name must be nowhere in the clear on disk.
const C_HANGUL: &str = "퉁뷁짱";
const C_ROMAN: &str = "Tung Bwaekjjang";

fn scan_data() -> String {
    format!(
        r#"{{"format": "refwatch-dataset", "version": 1,
  "sources": [
    {{"id": "key:scan-public-src", "kind": "testimony", "title": "Interview with the cousin of {R_ROMAN}", "confidentiality": "public"}},
    {{"id": "key:scan-secret-src", "kind": "testimony", "title": "Notes on the detention of {R_HANGUL}", "confidentiality": "confidential"}}],
  "incidents": [
    {{"id": "key:scan-public", "kind": "arrest", "title": "Arrest of {R_ROMAN} near Tumen", "date": "2024-03", "victims": {{"low": 1}}, "verification": "single_source", "confidentiality": "public",
     "citations": [{{"id": "key:scan-c1", "source": "key:scan-public-src", "locator": "p. 1", "quote": "one taken"}}]}},
    {{"id": "key:scan-restricted", "kind": "detention", "title": "{R_HANGUL} 구금", "date": "2024-04", "victims": {{"low": 1}}, "verification": "single_source", "confidentiality": "restricted",
     "citations": [{{"id": "key:scan-c2", "source": "key:scan-public-src", "locator": "p. 2", "quote": "held"}}]}}],
  "persons": [
    {{"id": "key:scan-r", "identity": {{"name_hangul": "{R_HANGUL}", "name_romanized": "{R_ROMAN}"}}, "confidentiality": "restricted",
     "incidents": [{{"incident": "key:scan-public", "role": "victim"}}],
     "citations": [{{"id": "key:scan-c3", "source": "key:scan-public-src", "locator": "testimony of {R_ROMAN}", "quote": "{R_HANGUL} was taken at night"}}]}},
    {{"id": "key:scan-c", "identity": {{"name_hangul": "{C_HANGUL}", "name_romanized": "{C_ROMAN}"}}, "confidentiality": "confidential",
     "citations": [{{"id": "key:scan-c4", "source": "key:scan-secret-src", "locator": "p. 9", "quote": "{C_ROMAN} ({C_HANGUL}) asked not to be named"}}]}}]}}"#
    )
}

fn id<T: std::str::FromStr + ToString>(key: &str) -> String
where
    T::Err: std::fmt::Debug,
{
    key.parse::<T>().unwrap().to_string()
}

/// Every page, API route and download a reader can ask for.
fn routes() -> Vec<String> {
    let (r, c) = (id::<PersonId>("key:scan-r"), id::<PersonId>("key:scan-c"));
    let incidents = [
        id::<IncidentId>("key:scan-public"),
        id::<IncidentId>("key:scan-restricted"),
    ];
    let sources = [
        id::<SourceId>("key:scan-public-src"),
        id::<SourceId>("key:scan-secret-src"),
    ];
    let mut out: Vec<String> = [
        "/",
        "/incidents",
        "/persons",
        "/sources",
        "/places",
        "/figures",
        "/figures.csv",
        "/mechanisms",
        "/public",
        "/links",
        "/links?kind=incident",
        "/brief?from=2013&to=2024&format=html",
        "/api/v1/incidents?limit=500",
        "/api/v1/persons?limit=500",
        "/api/v1/sources?limit=500",
        "/api/v1/places?limit=500",
        "/api/v1/actors?limit=500",
        "/api/v1/mechanisms?limit=500",
        "/api/v1/stats/per-year",
        "/api/v1/public/tables",
        "/api/v1/links/person",
        "/api/v1/links/incident",
    ]
    .map(str::to_owned)
    .to_vec();
    for p in [&r, &c] {
        out.push(format!("/persons/{p}"));
        out.push(format!("/api/v1/persons/{p}"));
        out.push(format!("/api/v1/persons/{p}/identity"));
    }
    for i in &incidents {
        out.push(format!("/incidents/{i}"));
        out.push(format!("/api/v1/incidents/{i}"));
    }
    for s in &sources {
        out.push(format!("/sources/{s}"));
    }
    for q in [
        R_HANGUL, R_ROMAN, "Dyeong", "Kwesyung", C_HANGUL, C_ROMAN, "Tumen", "night",
    ] {
        let q = percent(q);
        out.push(format!("/search?q={q}"));
        out.push(format!("/api/v1/search?q={q}"));
    }
    out
}

/// A query string value, percent-decoded.
fn decode(q: &str) -> String {
    let mut bytes = Vec::new();
    let mut it = q.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex: String = [it.next().unwrap(), it.next().unwrap()]
                .iter()
                .map(|&c| c as char)
                .collect();
            bytes.push(u8::from_str_radix(&hex, 16).unwrap());
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// Whether `text` holds any form of a name, in any case.
fn names_in(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    [
        R_HANGUL,
        R_ROMAN,
        "kwesyung",
        C_HANGUL,
        C_ROMAN,
        "bwaekjjang",
    ]
    .into_iter()
    .filter(|n| lower.contains(&n.to_lowercase()))
    .collect()
}

/// A browser-like client signed in as `user` (or the public, for `None`).
async fn client(app: &App, user: Option<&str>) -> reqwest::Client {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    if let Some(user) = user {
        let base = format!("http://{}", app.address);
        let page = http.get(format!("{base}/signin")).send().await.unwrap();
        let html = page.text().await.unwrap();
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let signed = http
            .post(format!("{base}/signin"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("csrf", &csrf),
                ("username", user),
                ("password", PASSWORD),
                ("code", ""),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(signed.status(), 303, "{user} signs in");
    }
    http
}

/// Every file below `dir`.
fn files_below(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_below(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_come_out_only_where_the_policy_allows_for_every_role() {
    let app = spawn_with(&scan_data()).await;
    let base = format!("http://{}", app.address);
    let routes = routes();
    let (r, c) = (id::<PersonId>("key:scan-r"), id::<PersonId>("key:scan-c"));
    for user in [
        None,
        Some("viewer"),
        Some("analyst"),
        Some("editor"),
        Some("admin"),
    ] {
        let http = client(&app, user).await;
        let reads_identities = matches!(user, Some("editor" | "admin"));
        let before = app.core.audit_entries().await.unwrap().len();
        let mut seen = Vec::new();
        for route in &routes {
            let reply = http.get(format!("{base}{route}")).send().await.unwrap();
            let status = reply.status().as_u16();
            assert!(status < 500, "{user:?} {route}: {status}");
            let mut body = reply.text().await.unwrap();
            // The search page shows the words asked in its box: the
            // reader's own words, not something refwatch revealed.
            if let Some(q) = route.strip_prefix("/search?q=") {
                let asked = decode(q);
                body = body.replace(&format!("value=\"{asked}\""), "");
            }
            for name in names_in(&body) {
                seen.push((route.clone(), name));
            }
        }
        if reads_identities {
            // They read both people's identities, and each read is audited.
            for (person, name) in [(&r, R_HANGUL), (&c, C_HANGUL)] {
                assert!(
                    seen.iter()
                        .any(|(route, n)| route.ends_with(&format!("{person}/identity"))
                            && *n == name),
                    "{user:?} reads {person}'s identity"
                );
            }
            let entries = app.core.audit_entries().await.unwrap();
            for person in [&r, &c] {
                assert!(
                    entries[before..]
                        .iter()
                        .any(|e| e.event.action == "read_identity"
                            && e.event.target_id.as_deref() == Some(person.as_str())),
                    "{user:?}: reading {person}'s identity is audited"
                );
            }
        } else {
            assert_eq!(seen, Vec::<(String, &str)>::new(), "{user:?} sees names");
        }
    }
    // On disk: the confidential person's name, said only in their identity
    // and a quote on them, is nowhere in the clear, in UTF-8 or UTF-16.
    let files = files_below(app._dir.path());
    assert!(files.iter().any(|f| f.ends_with("db")));
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        for name in [C_HANGUL, C_ROMAN, "Bwaekjjang"] {
            let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
            for needle in [name.as_bytes().to_vec(), utf16] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                    "{name} in the clear in {}",
                    file.display()
                );
            }
        }
    }
}
