//! Issue 30, point 4: a property-based API tester (schemathesis, from
//! PyPI, installed by tools/test-all.sh into target/api-venv and named by
//! REFWATCH_SCHEMATHESIS) against the running server, signed in as an
//! editor: no answer may be a 5xx, and none may break the OpenAPI document
//! (status code, content type or body not as documented).

use serde_json::{Value, json};

use super::{PASSWORD, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_tester_finds_no_server_error_and_no_answer_off_the_document() {
    let Some(tool) = std::env::var_os("REFWATCH_SCHEMATHESIS") else {
        eprintln!(
            "note: REFWATCH_SCHEMATHESIS is not set (tools/test-all.sh installs schemathesis and sets it); the API tester did not run"
        );
        return;
    };
    let app = spawn_app().await;
    let base = format!("http://{}", app.address);
    let http = reqwest::Client::new();
    let reply = http
        .post(format!("{base}/api/v1/session"))
        .header("Content-Type", "application/json")
        .body(json!({"username": "editor", "password": PASSWORD}).to_string())
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&reply.text().await.unwrap()).unwrap();
    let token = body["token"].as_str().unwrap().to_owned();
    let examples = std::env::var("REFWATCH_API_TESTER_EXAMPLES").unwrap_or_else(|_| "25".into());
    let report =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/api-tester");
    std::fs::create_dir_all(&report).unwrap();
    let mut command = std::process::Command::new(tool);
    command
        .args([
            "run",
            &format!("{base}/api/openapi.json"),
            "--url",
            &base,
            "--header",
            &format!("Authorization: Bearer {token}"),
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            &examples,
            "--seed",
            "30",
            // One worker: the tester's generator is not safe on threads
            // under this Python (a SystemError in its own code).
            "--workers",
            "1",
            "--no-color",
            "--generation-database",
            "none",
            // Signing out would end the token the run uses.
            "--exclude-path",
            "/api/v1/session",
            "--report",
            "junit",
            "--report-dir",
        ])
        .arg(&report)
        // Its cache goes with its report, under target/, not into the tree.
        .current_dir(&report);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("schemathesis runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the API tester found failures:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The server is still up and answers.
    let reply = http
        .get(format!("{base}/api/v1/incidents"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
}
