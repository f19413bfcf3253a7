//! Commands that bring data in and out: `init`, `demo`, `import`, `export`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use refwatch_domain::{Dataset, Problem, Vocabularies, validate_addition};
use refwatch_interchange::json_path;
use refwatch_storage::{SqliteStore, Store};

use crate::args::Cli;
use crate::{Outcome, data_dir, report_cmds};

/// The demo dataset, curated from the public documents in `shared/seeds`.
pub(crate) const DEMO_DATASET: &str = include_str!("../demo/refwatch-demo.json");

/// The largest dataset file `import` reads.
const MAX_IMPORT_BYTES: u64 = 512 * 1024 * 1024;

fn print_problems(what: &str, problems: &[Problem]) {
    eprintln!(
        "{what}: {} problem(s); nothing was changed.",
        problems.len()
    );
    for p in problems {
        eprintln!("  {}: {}", json_path(&p.path), p.message);
    }
}

/// Checks `incoming` against what is stored and inserts it in one
/// transaction. Problems are printed with paths into the incoming file.
async fn add(store: &SqliteStore, incoming: &Dataset, what: &str) -> anyhow::Result<Outcome> {
    let existing = store.load_dataset().await?;
    let problems = validate_addition(&existing, incoming, &Vocabularies::builtin());
    if !problems.is_empty() {
        print_problems(what, &problems);
        return Ok(Outcome::Problems);
    }
    store.insert_dataset(incoming).await?;
    Ok(Outcome::Ok)
}

fn describe(data: &Dataset) -> String {
    format!(
        "{} sources, {} places, {} actors, {} incidents, {} persons, {} UPR reviews, {} mechanism records, {} reported figures, {} citations",
        data.sources.len(),
        data.places.len(),
        data.actors.len(),
        data.incidents.len(),
        data.persons.len(),
        data.upr_reviews.len(),
        data.mechanisms.len(),
        data.figures.len(),
        data.citations().count()
    )
}

fn demo_dataset() -> anyhow::Result<Dataset> {
    refwatch_interchange::parse(DEMO_DATASET).map_err(|problems| {
        print_problems("the built-in demo dataset", &problems);
        anyhow::anyhow!("the built-in demo dataset is damaged; this is a bug in this build")
    })
}

pub(crate) async fn init(cli: &Cli, demo: bool) -> anyhow::Result<Outcome> {
    let dir = &cli.data_dir;
    if data_dir::exists(dir) {
        let store = data_dir::open(dir).await?;
        if !store.is_empty().await? {
            anyhow::bail!(
                "{} already holds refwatch data; choose another --data-dir, or add records with `refwatch import`",
                dir.display()
            );
        }
    }
    let store = data_dir::create(dir).await?;
    if demo {
        let data = demo_dataset()?;
        if let Outcome::Problems = add(&store, &data, "the built-in demo dataset").await? {
            return Ok(Outcome::Problems);
        }
        println!("Loaded the demo dataset: {}.", describe(&data));
    }
    println!("Initialised {}.", dir.display());
    store.close().await;
    Ok(Outcome::Ok)
}

pub(crate) async fn demo(cli: &Cli) -> anyhow::Result<Outcome> {
    let dir = &cli.data_dir;
    let fresh = !data_dir::exists(dir) || data_dir::open(dir).await?.is_empty().await?;
    if fresh {
        if let Outcome::Problems = init(cli, true).await? {
            return Ok(Outcome::Problems);
        }
    } else {
        println!("Using the data already in {}.", dir.display());
    }
    let store = data_dir::open(dir).await?;
    let data = store.load_dataset().await?;
    store.close().await;
    println!("\nrefwatch holds: {}.\n", describe(&data));
    report_cmds::print_table(&data, Default::default(), cli.lang.lang());
    println!(
        "\nNext: `refwatch stats --format json`, `refwatch export --out FILE`, `refwatch check`. The web application arrives in a later version."
    );
    Ok(Outcome::Ok)
}

pub(crate) async fn export(cli: &Cli, out: &Path) -> anyhow::Result<Outcome> {
    let store = data_dir::open(&cli.data_dir).await?;
    let mut data = store.load_dataset().await?;
    store.close().await;
    data.sort();
    let json = refwatch_interchange::to_json(&data);
    if out == Path::new("-") {
        std::io::stdout()
            .write_all(json.as_bytes())
            .context("cannot write to standard output")?;
        return Ok(Outcome::Ok);
    }
    // Write beside the target and rename, so that a failure never leaves half a file.
    let tmp = out.with_extension("refwatch-partial");
    std::fs::write(&tmp, &json).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot move the export into place at {}", out.display()))?;
    eprintln!("Exported {} to {}.", describe(&data), out.display());
    Ok(Outcome::Ok)
}

pub(crate) async fn import(cli: &Cli, file: &Path) -> anyhow::Result<Outcome> {
    let meta =
        std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
    if meta.len() > MAX_IMPORT_BYTES {
        anyhow::bail!(
            "{} is larger than {} MiB; split it into smaller files",
            file.display(),
            MAX_IMPORT_BYTES >> 20
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let Ok(text) = String::from_utf8(bytes) else {
        anyhow::bail!(
            "{} is not UTF-8 text; save it as UTF-8 JSON and try again; nothing was imported",
            file.display()
        );
    };
    let what = format!("import of {} refused", file.display());
    let incoming = match refwatch_interchange::parse(&text) {
        Ok(data) => data,
        Err(problems) => {
            print_problems(&what, &problems);
            return Ok(Outcome::Problems);
        }
    };
    let store = data_dir::open(&cli.data_dir).await?;
    let outcome = add(&store, &incoming, &what).await?;
    store.close().await;
    if let Outcome::Ok = outcome {
        println!("Imported {}.", describe(&incoming));
    }
    Ok(outcome)
}
