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
