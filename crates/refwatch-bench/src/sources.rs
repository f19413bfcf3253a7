//! Linkage on lists as five kinds of source write them
//! (`refwatch_synth::sources`): precision, recall and F1 at two thresholds,
//! overall and by rendering class (the scripts of the two names, places
//! written in different scripts, dates known to the month, ages instead of
//! births, given syllables swapped or dropped, the other stage of one
//! episode), so that the weakest class shows.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Context;

/// The configuration refwatch is run with on these lists.
pub(crate) const CONFIG: &str = r#"
min_probability = 0.01
[columns]
id = "id"
name = "name"
birth = "birth_date"
age = "age"
age_basis = "age_reckoning"
sex = "sex"
origin = "origin"
place = "place"
date = "date"
event = "event_kind"
truth = "ignore"
source = "ignore"
tags = "ignore"
"#;

/// One record's rendering tags (`script=latin`, `date=month`...).
struct Tags(HashMap<String, String>);

impl Tags {
    fn of(text: &str) -> Tags {
        Tags(
            text.split(';')
                .filter_map(|t| t.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> &str {
        self.0.get(key).map_or("", String::as_str)
    }
}

/// The rendering classes a pair of records is in.
fn classes(a: &Tags, b: &Tags) -> Vec<String> {
    let mut out = vec!["all".to_owned()];
    let mut scripts = [a.get("script"), b.get("script")];
    scripts.sort_unstable();
    out.push(format!("names {} / {}", scripts[0], scripts[1]));
    let places = [a.get("place"), b.get("place")];
    if places.contains(&"none") {
        out.push("a place missing".into());
    } else if places[0] != places[1] {
        out.push("places in two scripts".into());
    }
    for (tag, value, class) in [
        ("date", "month", "a date to the month"),
        ("birth", "age", "an age, no birth"),
        ("name", "swapped", "given syllables swapped"),
        ("name", "dropped", "a given syllable dropped"),
        ("name", "typo", "a typo in the name"),
    ] {
        if a.get(tag) == value || b.get(tag) == value {
            out.push(class.into());
        }
    }
    if a.get("event") != b.get("event") {
        out.push("the other stage".into());
    }
    out
}

/// Counts for one class.
#[derive(Default, Clone, Copy)]
struct Counts {
    truth: u64,
    found: [u64; 2],
    right: [u64; 2],
}

/// Per class: true pairs, then precision, recall and F1 at each threshold.
pub(crate) type ByClass = BTreeMap<String, (u64, [f64; 2], [f64; 2], [f64; 2])>;

/// The file's records: truth and tags, by id.
struct Truth {
    person: HashMap<String, (String, Tags)>,
}

fn truth(path: &Path) -> anyhow::Result<Truth> {
    let mut reader = csv::Reader::from_path(path)?;
    let mut person = HashMap::new();
    for row in reader.records() {
        let row = row?;
        person.insert(
            row[0].to_owned(),
            (row[1].to_owned(), Tags::of(row.get(12).unwrap_or(""))),
        );
    }
    Ok(Truth { person })
}

/// Scores refwatch's pairs.csv (with id columns) at the two thresholds.
pub(crate) fn score(file: &Path, out: &Path, thresholds: [f64; 2]) -> anyhow::Result<ByClass> {
    let t = truth(file)?;
    let mut by: BTreeMap<String, Counts> = BTreeMap::new();
    // Every true pair, by class.
    let mut groups: HashMap<&str, Vec<&Tags>> = HashMap::new();
    for (person, tags) in t.person.values() {
        groups.entry(person.as_str()).or_default().push(tags);
    }
    for members in groups.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                for c in classes(a, b) {
                    by.entry(c).or_default().truth += 1;
                }
            }
        }
    }
    let mut reader = csv::Reader::from_path(out.join("pairs.csv"))
        .with_context(|| format!("no pairs in {}", out.display()))?;
    for row in reader.records() {
        let row = row?;
        let p: f64 = row[6].parse().unwrap_or(0.0);
        let (Some((pa, ta)), Some((pb, tb))) = (t.person.get(&row[4]), t.person.get(&row[5]))
        else {
            continue;
        };
        for c in classes(ta, tb) {
            let counts = by.entry(c).or_default();
            for (k, threshold) in thresholds.iter().enumerate() {
                if p >= *threshold {
                    counts.found[k] += 1;
                    counts.right[k] += u64::from(pa == pb);
                }
            }
        }
    }
    Ok(by
        .into_iter()
        .map(|(c, n)| {
            let mut precision = [0.0; 2];
            let mut recall = [0.0; 2];
            let mut f1 = [0.0; 2];
            for k in 0..2 {
                precision[k] = n.right[k] as f64 / n.found[k].max(1) as f64;
                recall[k] = n.right[k] as f64 / n.truth.max(1) as f64;
                f1[k] = if precision[k] + recall[k] > 0.0 {
                    2.0 * precision[k] * recall[k] / (precision[k] + recall[k])
                } else {
                    0.0
                };
            }
            (c, (n.truth, precision, recall, f1))
        })
        .collect())
}

/// Prints the classes' figures as a table.
pub(crate) fn print(records: usize, thresholds: [f64; 2], scored: &ByClass) {
    println!(
        "\nFive sources, {records} records: by rendering class (a pair is in a class when either record is)\n"
    );
    println!(
        "| class | true pairs | P at {0} | R at {0} | F1 at {0} | P at {1} | R at {1} | F1 at {1} |",
        thresholds[0], thresholds[1]
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    // A class no true pair is in (only one source writes hanzi, so no
    // true pair is hanzi and hanzi) has only false links: left out.
    for (class, (truth, p, r, f)) in scored.iter().filter(|(_, s)| s.0 > 0) {
        println!(
            "| {class} | {truth} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
            p[0], r[0], f[0], p[1], r[1], f[1]
        );
    }
}
