//! `refwatch estimate` on the Kosovo table and on bad input.

use serde_json::Value;

use crate::support::{DataDir, write_temp};

fn kosovo() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../refwatch-mse/data/kosovo_patterns.csv");
    path.to_str().unwrap().to_owned()
}

#[test]
fn loglinear_estimate_as_json_names_model_interval_and_assumptions() {
    let dir = DataDir::new();
    let out = dir.ok(&["estimate", "--patterns", &kosovo(), "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["method"], "loglinear");
    assert_eq!(v["observed"], 4400);
    assert_eq!(v["model"], "Mt + all two-way interactions");
    assert_eq!(v["estimate"].as_f64().unwrap().round(), 14_402.0);
    assert_eq!(v["interval_95"][0].as_f64().unwrap().round(), 12_523.0);
    assert!(v["assumes"].as_str().unwrap().contains("depend"));
    // Rcapture's ten closedp.t models for unordered lists, Mh Normal and
    // Mt with two-way interactions, each with its Akaike weight.
    let models = v["models"].as_array().unwrap();
    assert_eq!(models.len(), 12);
    let total: f64 = models
        .iter()
        .map(|m| m["aic_weight"].as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-9);
    assert!(v["aic_weight"].as_f64().unwrap() > 0.99);
    assert!(!models.iter().any(|m| m["model"] == "Mb"));
    assert!(v["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn ordered_lists_add_mb_and_the_neg_option_is_rcapture_s() {
    let dir = DataDir::new();
    let kosovo = kosovo();
    let json = |extra: &[&str]| -> Value {
        let mut args = vec!["estimate", "--patterns", &kosovo, "--format", "json"];
        args.extend(extra);
        serde_json::from_str(&dir.ok(&args)).unwrap()
    };
    let model = |v: &Value, name: &str| -> Value {
        v["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["model"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let ordered = json(&["--ordered"]);
    assert_eq!(ordered["lists_ordered"], true);
    assert_eq!(ordered["models"].as_array().unwrap().len(), 14);
    let mb = model(&ordered, "Mb");
    assert!(
        mb["interval_method"]
            .as_str()
            .unwrap()
            .starts_with("log-normal")
    );
    // Rcapture sets Kosovo's negative eta4 to 0; --neg false keeps it.
    let default = json(&[]);
    assert_eq!(
        model(&default, "Mth Chao (LB)")["heterogeneity_terms_set_to_zero"],
        serde_json::json!([4])
    );
    let kept = json(&["--neg", "false"]);
    assert_eq!(kept["neg"], false);
    assert_eq!(
        model(&kept, "Mth Chao (LB)")["heterogeneity_terms_set_to_zero"],
        serde_json::json!([])
    );
    // The table says which model is a lower bound and which bias is large.
    let tmp = tempfile::tempdir().unwrap();
    let sparse = write_temp(
        &tmp,
        "sparse.csv",
        "\"a_b_c\",\"count\"\n100,44\n010,33\n110,2\n001,21\n101,2\n011,2\n111,1\n",
    );
    let out = dir.ok(&["estimate", "--patterns", sparse.to_str().unwrap()]);
    assert!(out.contains("a lower bound, never chosen"), "{out}");
    assert!(out.contains("bias large"), "{out}");
    assert!(out.contains("weight"), "{out}");
}

#[test]
fn model_averaging_over_graphs_reports_the_graphs_that_carry_it() {
    let dir = DataDir::new();
    let v: Value = serde_json::from_str(&dir.ok(&[
        "estimate",
        "--patterns",
        &kosovo(),
        "--method",
        "bma",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v["method"], "bma");
    assert_eq!(v["settings"]["graphs"], 61);
    assert_eq!(v["settings"]["delta"], 0.0625);
    let (lo, mid, hi) = (
        v["interval_95"][0].as_f64().unwrap(),
        v["estimate"].as_f64().unwrap(),
        v["interval_95"][1].as_f64().unwrap(),
    );
    assert!(4_400.0 < lo && lo < mid && mid < hi, "{lo} {mid} {hi}");
    let top = v["top_graphs"].as_array().unwrap();
    assert_eq!(top.len(), 5);
    assert!(top[0]["posterior_probability"].as_f64().unwrap() > 0.5);
    assert!(top[0]["graph"].as_str().unwrap().contains("EXH"));
    // Two lists, or six: refused with the limit, nothing printed.
    let tmp = tempfile::tempdir().unwrap();
    let two = write_temp(
        &tmp,
        "two.csv",
        "\"A_B\",\"count\"\n\"10\",40\n\"01\",30\n\"11\",10\n",
    );
    let run = dir.run(&[
        "estimate",
        "--patterns",
        two.to_str().unwrap(),
        "--method",
        "bma",
    ]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("3 to 5 lists (this table has 2)"),
        "{}",
        run.stderr()
    );
    assert!(run.stdout().is_empty());
    let run = dir.run(&[
        "estimate",
        "--patterns",
        &kosovo(),
        "--method",
        "bma",
        "--delta=-1",
    ]);
    assert!(!run.success());
    assert!(run.stderr().contains("must be above 0"), "{}", run.stderr());
}

#[test]
fn lcmcr_estimate_reports_its_settings_and_is_reproducible() {
    let dir = DataDir::new();
    let args = [
        "estimate",
        "--patterns",
        &kosovo(),
        "--method",
        "lcmcr",
        "--format",
        "json",
        "--burn-in",
        "1000",
        "--samples",
        "100",
        "--thinning",
        "10",
        "--seed",
        "3",
    ];
    let a: Value = serde_json::from_str(&dir.ok(&args)).unwrap();
    let b: Value = serde_json::from_str(&dir.ok(&args)).unwrap();
    assert_eq!(a, b);
    assert_eq!(a["settings"]["K"], 10);
    assert_eq!(a["settings"]["seed"], 3);
    // Two chains by default (seeds 3 and 4), side by side, pooled.
    assert_eq!(a["settings"]["seeds"], serde_json::json!([3, 4]));
    assert_eq!(a["settings"]["iterations"], 4000);
    // 200 sticky draws in all: fewer effective samples than the 200
    // wanted, so the run warns.
    let c = &a["convergence"];
    assert!(c["r_hat"].as_f64().unwrap() > 0.9);
    assert!(c["effective_sample_size"].as_f64().unwrap() < 200.0);
    assert_eq!(c["converged"], false);
    let warnings = a["warnings"].to_string();
    assert!(
        warnings.contains("the chains have not settled"),
        "{warnings}"
    );
}

#[test]
fn shaky_and_broken_tables_are_reported() {
    let dir = DataDir::new();
    let tmp = tempfile::tempdir().unwrap();
    let two = write_temp(
        &tmp,
        "two.csv",
        "\"A_B\",\"count\"\n\"10\",40\n\"01\",30\n\"11\",10\n",
    );
    let out = dir.ok(&["estimate", "--patterns", two.to_str().unwrap()]);
    assert!(out.contains("Warning: only 2 lists"), "{out}");
    let bad = write_temp(&tmp, "bad.csv", "p,count\n101,5\n10,3\n");
    let run = dir.run(&["estimate", "--patterns", bad.to_str().unwrap()]);
    assert!(!run.success());
    assert!(
        run.stderr()
            .contains("line 3: every pattern must have the same number of lists"),
        "{}",
        run.stderr()
    );
}

#[test]
fn the_simulation_study_reports_bias_and_coverage_per_scenario_and_method() {
    let dir = DataDir::new();
    let tmp = tempfile::tempdir().unwrap();
    let tables = tmp.path().join("tables");
    let out = dir.ok(&[
        "simulate",
        "--replicates",
        "2",
        "--seed",
        "9",
        "--format",
        "json",
        "--write-tables",
        tables.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let scenarios = v["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 5);
    for s in scenarios {
        assert!(!s["breaks"].as_str().unwrap().is_empty());
        assert!(!s["built_for"].as_str().unwrap().is_empty());
        let methods = s["methods"].as_array().unwrap();
        assert_eq!(methods.len(), 4);
        for m in methods {
            let c = m["coverage_95"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&c));
        }
        assert_eq!(methods[2]["method"], "LCMCR");
        assert_eq!(methods[2]["replicates"], 2);
    }
    // Every replicate table was written, and each reads back as a table.
    let mut written = Vec::new();
    for scenario in std::fs::read_dir(&tables).unwrap() {
        for file in std::fs::read_dir(scenario.unwrap().path()).unwrap() {
            written.push(file.unwrap().path());
        }
    }
    assert_eq!(written.len(), 5 * 2);
    let out = dir.ok(&["estimate", "--patterns", written[0].to_str().unwrap()]);
    assert!(out.contains("people documented on 4 lists"), "{out}");
    let run = dir.run(&["simulate", "--replicates", "0"]);
    assert!(!run.success());
    assert!(run.stderr().contains("--replicates must be at least 1"));
}

/// Generated people cited by three sources in known patterns.
fn listed_people() -> String {
    let sources: Vec<String> = (1..=3)
        .map(|i| {
            format!(
                r#"{{"id": "key:list-{i}", "kind": "ngo_report", "title": "Generated list {i}"}}"#
            )
        })
        .collect();
    let mut persons = Vec::new();
    let mut n = 0;
    // (pattern over lists 1,2,3; how many women; how many men)
    for (pattern, women, men) in [
        (0b100, 20, 10),
        (0b010, 15, 5),
        (0b001, 12, 8),
        (0b110, 6, 3),
        (0b101, 5, 2),
        (0b011, 4, 4),
        (0b111, 2, 1),
    ] {
        for (sex, count) in [("female", women), ("male", men)] {
            for _ in 0..count {
                n += 1;
                let citations: Vec<String> = (0..3)
                    .filter(|j| pattern >> (2 - j) & 1 == 1)
                    .map(|j| format!(r#"{{"id": "key:c{n}-{j}", "source": "key:list-{}", "locator": "row {n}", "quote": "listed"}}"#, j + 1))
                    .collect();
                persons.push(format!(
                    r#"{{"id": "key:person-{n}", "sex": "{sex}", "timeline": [{{"date": "2023", "status": "repatriated"}}], "confidentiality": "restricted", "citations": [{}]}}"#,
                    citations.join(",")
                ));
            }
        }
    }
    format!(
        r#"{{"format": "refwatch-dataset", "version": 1, "sources": [{}], "persons": [{}]}}"#,
        sources.join(","),
        persons.join(",")
    )
}

#[test]
fn estimates_from_lists_in_the_database_by_stratum() {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let tmp = tempfile::tempdir().unwrap();
    dir.ok(&[
        "import",
        write_temp(&tmp, "people.json", &listed_people())
            .to_str()
            .unwrap(),
    ]);
    let out = dir.ok(&[
        "estimate",
        "--lists",
        "key:list-1,key:list-2,key:list-3",
        "--strata",
        "sex",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let strata = v["strata"].as_array().unwrap();
    let observed: Vec<(String, u64)> = strata
        .iter()
        .map(|s| {
            (
                s["stratum"].as_str().unwrap().to_owned(),
                s["observed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        observed,
        vec![("female".to_owned(), 64), ("male".to_owned(), 33)]
    );
    assert_eq!(strata[0]["lists"][0], "Generated list 1");
    assert!(strata[0]["estimate"].as_f64().unwrap() >= 64.0);
    let all = dir.ok(&["estimate", "--lists", "key:list-1,key:list-2,key:list-3"]);
    assert!(all.contains("97 people documented on 3 lists"), "{all}");
    let run = dir.run(&["estimate", "--lists", "key:list-1,key:nope"]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("there is no source"),
        "{}",
        run.stderr()
    );
    let run = dir.run(&[
        "estimate",
        "--lists",
        "key:list-1,key:list-2",
        "--strata",
        "age",
    ]);
    assert!(
        run.stderr().contains("\"age\" is not year or sex"),
        "{}",
        run.stderr()
    );
}

#[test]
fn tables_no_estimate_can_come_from_are_refused_with_a_sentence() {
    let dir = DataDir::new();
    let tmp = tempfile::tempdir().unwrap();
    for (name, text, says) in [
        (
            "headless.csv",
            "\"0001\",306\n\"0010\",936\n\"0011\",5\n",
            "looks like a row of data",
        ),
        (
            "twice.csv",
            "a_b_c,count\n100,5\n110,3\n100,7\n",
            "also on line 2",
        ),
        (
            "zeros.csv",
            "a_b_c,count\n100,0\n010,0\n011,0\n",
            "every count is 0",
        ),
        (
            "apart.csv",
            "a_b_c,count\n100,50\n010,40\n001,30\n",
            "nobody is on more than one list",
        ),
        (
            "wraps.csv",
            "a_b_c,count\n100,18446744073709551615\n110,2\n",
            "mistyped count",
        ),
    ] {
        let path = write_temp(&tmp, name, text);
        let run = dir.run(&["estimate", "--patterns", path.to_str().unwrap()]);
        assert!(!run.success(), "{name} was estimated: {}", run.stdout());
        assert!(run.stderr().contains(says), "{name}: {}", run.stderr());
        assert!(run.stdout().is_empty(), "{name}: no figure is printed");
    }
}

#[test]
fn impossible_settings_and_too_many_lists_are_refused_before_any_work() {
    let dir = DataDir::new();
    let tmp = tempfile::tempdir().unwrap();
    // Eleven lists: log-linear refuses, naming its limit; a generated table.
    let mut text = (1..=11)
        .map(|i| format!("l{i}"))
        .collect::<Vec<_>>()
        .join("_");
    text.push_str(",count\n");
    for p in [1u32, 3, 6, 12, 24, 48, 96, 192, 384, 768, 1536] {
        text.push_str(&format!("{p:011b},{}\n", 3 + p % 7));
    }
    let eleven = write_temp(&tmp, "eleven.csv", &text);
    let run = dir.run(&["estimate", "--patterns", eleven.to_str().unwrap()]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("up to 10 lists (this table has 11)"),
        "{}",
        run.stderr()
    );
    for args in [
        vec!["--samples", "18446744073709551615"],
        vec!["--samples", "4294967296", "--thinning", "4294967296"],
        vec!["--classes", "100000000000"],
    ] {
        let path = kosovo();
        let mut all = vec!["estimate", "--patterns", &path, "--method", "lcmcr"];
        all.extend(args.iter().copied());
        let run = dir.run(&all);
        assert!(!run.success(), "{args:?} ran");
        assert!(
            run.stderr().contains("at most"),
            "{args:?}: {}",
            run.stderr()
        );
    }
}
