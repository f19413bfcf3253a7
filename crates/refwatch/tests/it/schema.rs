//! The documented file format (`docs/dataset.schema.json`) matches what
//! refwatch writes and reads.

use serde_json::{Value, json};

use crate::support::DataDir;

fn validator() -> jsonschema::Validator {
    let text = include_str!("../../../../docs/dataset.schema.json");
    let schema: Value = serde_json::from_str(text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn exports_and_the_demo_file_match_the_schema() {
    let v = validator();
    let demo: Value = serde_json::from_str(include_str!("../../demo/refwatch-demo.json")).unwrap();
    assert_eq!(errors(&v, &demo), Vec::<String>::new());
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let export: Value = serde_json::from_str(&dir.export()).unwrap();
    assert_eq!(errors(&v, &export), Vec::<String>::new());
}

#[test]
fn the_schema_refuses_what_import_refuses_on_shape() {
    let v = validator();
    let bad = [
        json!({"format": "refwatch-dataset", "version": 2}),
        json!({"format": "refwatch-dataset", "version": 1, "incidnets": []}),
        json!({"format": "refwatch-dataset", "version": 1, "sources": [{"id": "s1", "kind": "media", "title": "T"}]}),
        json!({"format": "refwatch-dataset", "version": 1, "figures": [{"id": "key:f", "indicator": "x", "period": "2023/10/09", "value": {"low": 1}, "unit": "people"}]}),
    ];
    for doc in bad {
        assert!(!v.is_valid(&doc), "the schema accepted {doc}");
    }
}

#[test]
fn a_history_in_a_full_export_matches_the_schema_and_comes_back() {
    let v = validator();
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    // A version of a source edited elsewhere, as a full export writes it.
    let file = json!({"format": "refwatch-dataset", "version": 1,
        "sources": [{"id": "key:h-src", "kind": "ngo_report", "title": "Generated report, revised", "confidentiality": "restricted"}],
        "history": [
            {"kind": "source", "id": "key:h-src", "number": 1, "at": "2026-11-23T14:05:09Z", "by": "operator", "action": "create",
             "confidentiality": "restricted", "record": {"id": "key:h-src", "kind": "ngo_report", "title": "Generated report", "confidentiality": "restricted"}},
            {"kind": "source", "id": "key:h-src", "number": 2, "at": "2026-11-24T09:00:00Z", "by": "operator", "action": "update",
             "confidentiality": "restricted", "record": {"id": "key:h-src", "kind": "ngo_report", "title": "Generated report, revised", "confidentiality": "restricted"}}]});
    assert_eq!(errors(&v, &file), Vec::<String>::new());
    let tmp = tempfile::tempdir().unwrap();
    let path = crate::support::write_temp(&tmp, "history.json", &file.to_string());
    dir.ok(&["import", path.to_str().unwrap()]);
    let export: Value = serde_json::from_str(&dir.export()).unwrap();
    assert_eq!(errors(&v, &export), Vec::<String>::new());
    let history = export["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["record"]["title"], "Generated report");
    assert_eq!(history[1]["at"], "2026-11-24T09:00:00Z");
    let id = export["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Generated report, revised")
        .unwrap()["id"]
        .clone();
    assert_eq!(
        history[0]["id"], id,
        "the version names its record as stored"
    );
    // A version that is not a time, or not a record, is refused by path.
    let mut bad = file.clone();
    bad["sources"][0]["id"] = json!("key:h-src-2");
    bad["history"][0]["at"] = json!("yesterday");
    bad["history"][1]["record"] = json!({"title": 3});
    let path = crate::support::write_temp(&tmp, "bad.json", &bad.to_string());
    let run = dir.run(&["import", path.to_str().unwrap()]);
    assert!(!run.success());
    let said = run.stderr();
    assert!(
        said.contains("history[0].at") && said.contains("history[1].record"),
        "{said}"
    );
}
