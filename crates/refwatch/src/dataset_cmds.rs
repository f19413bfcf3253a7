//! Commands that bring data in and out: `init`, `demo`, `import`, `export`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use refwatch_accounts::Password;
use refwatch_domain::{Dataset, Problem, SystemClock};
use refwatch_interchange::json_path;
use refwatch_keys::KekSource;
use refwatch_policy::Role;
use refwatch_service::{Service, ServiceError};
use refwatch_stats::files::csv_field;
use refwatch_storage::Store;

use crate::args::Cli;
use crate::key_source::{self, Missing};
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

/// Imports through the protected core, printing problems with paths into
/// the incoming file.
async fn add<S: Store>(
    service: &Service<S>,
    incoming: &Dataset,
    what: &str,
) -> anyhow::Result<Outcome> {
    match service.import(incoming).await {
        Ok(_) => Ok(Outcome::Ok),
        Err(ServiceError::Invalid(problems)) => {
            print_problems(what, &problems);
            Ok(Outcome::Problems)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn describe(data: &Dataset) -> String {
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

/// The key a command needs; a clear error when none was given.
pub(crate) fn required_key(cli: &Cli) -> anyhow::Result<KekSource> {
    data_dir::ensure_exists(&cli.data_dir)?;
    key_source::given(cli.key_file.as_deref(), &cli.data_dir, Missing::Refuse)?
        .ok_or_else(|| anyhow::anyhow!("{}", ServiceError::NeedsKey))
}

async fn init_with(
    cli: &Cli,
    demo: bool,
    admin: &str,
    key_file: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let dir = &cli.data_dir;
    if data_dir::exists(dir) && !data_dir::open(dir).await?.is_empty().await? {
        anyhow::bail!(
            "{} already holds refwatch data; choose another --data-dir, or add records with `refwatch import`",
            dir.display()
        );
    }
    // A directory that already has keys (from an earlier, interrupted init)
    // must be opened with its own key, never a new one.
    let has_keys = data_dir::exists(dir) && data_dir::open(dir).await?.keyring().await?.is_some();
    let missing = if has_keys {
        Missing::Refuse
    } else {
        Missing::Create
    };
    let source = key_source::given(key_file, dir, missing)?.ok_or_else(|| {
        anyhow::anyhow!(
            "init needs a key to protect identities: pass --key-file PATH (created if missing; keep it outside the data directory) or set REFWATCH_PASSPHRASE"
        )
    })?;
    let store = data_dir::create(dir).await?;
    let service = Service::create_keys(store, &source, Arc::new(SystemClock)).await?;
    if !service.has_users().await? {
        let given = std::env::var("REFWATCH_ADMIN_PASSWORD")
            .ok()
            .map(Password::new);
        let scripted = given.is_some();
        let account = service.add_user(admin, Role::Administrator, given).await?;
        if scripted {
            println!("Administrator account: {admin} (password from REFWATCH_ADMIN_PASSWORD).");
        } else {
            println!(
                "Administrator account: {admin}, one-time password: {} (shown once; it must be changed at first sign-in).",
                account.password.expose()
            );
        }
    }
    if demo {
        let data = demo_dataset()?;
        if let Outcome::Problems = add(&service, &data, "the built-in demo dataset").await? {
            return Ok(Outcome::Problems);
        }
        println!("Loaded the demo dataset: {}.", describe(&data));
    }
    println!("Initialised {}.", dir.display());
    service.into_store().close().await;
    Ok(Outcome::Ok)
}

pub(crate) async fn init(cli: &Cli, demo: bool, admin: &str) -> anyhow::Result<Outcome> {
    init_with(cli, demo, admin, cli.key_file.as_deref()).await
}

pub(crate) async fn demo(cli: &Cli, listen: &str) -> anyhow::Result<Outcome> {
    let dir = &cli.data_dir;
    let fresh = !data_dir::exists(dir) || data_dir::open(dir).await?.is_empty().await?;
    if fresh {
        // The demo data is public, so a key file beside the data directory
        // is acceptable here; real data deserves a key kept elsewhere.
        let key_file = cli
            .key_file
            .clone()
            .unwrap_or_else(|| key_source::demo_key_file(dir));
        let passphrase =
            cli.key_file.is_none() && std::env::var_os("REFWATCH_PASSPHRASE").is_some();
        let key = if passphrase {
            None
        } else {
            Some(key_file.as_path())
        };
        if let Outcome::Problems = init_with(cli, true, "admin", key).await? {
            return Ok(Outcome::Problems);
        }
        if !passphrase {
            println!(
                "Key file: {} (pass --key-file {} to commands that need the key).",
                key_file.display(),
                key_file.display()
            );
        }
    } else {
        println!("Using the data already in {}.", dir.display());
    }
    let service = data_dir::service(dir, None).await?;
    let data = service.dataset().await?;
    service.into_store().close().await;
    println!("\nrefwatch holds: {}.\n", describe(&data));
    report_cmds::print_table(&data, Default::default(), None, cli.lang.lang());
    println!(
        "\nAlso: `refwatch stats --format json`, `refwatch report --from 2005 --to 2024 --out brief.html`, `refwatch check`, `refwatch audit show`."
    );
    // Serve with the key given, or the demo's own key file beside the data.
    let key = match key_source::given(cli.key_file.as_deref(), dir, Missing::Refuse)? {
        Some(key) => key,
        None => key_source::given(Some(&key_source::demo_key_file(dir)), dir, Missing::Refuse)?
            .ok_or_else(|| anyhow::anyhow!("{}", ServiceError::NeedsKey))?,
    };
    crate::serve_cmds::serve_with_key(cli, key, listen, false).await
}

/// Writes `text` to `out` (or standard output for `-`), never leaving half a file.
pub(crate) fn write_out(out: &Path, text: &str) -> anyhow::Result<()> {
    if out == Path::new("-") {
        std::io::stdout()
            .write_all(text.as_bytes())
            .context("cannot write to standard output")?;
        return Ok(());
    }
    let tmp = out.with_extension("refwatch-partial");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot move the export into place at {}", out.display()))
}

pub(crate) async fn export(cli: &Cli, out: &Path) -> anyhow::Result<Outcome> {
    let key = required_key(cli)?;
    let service = data_dir::service(&cli.data_dir, Some(&key)).await?;
    let data = service.export_full().await?;
    service.into_store().close().await;
    write_out(out, &refwatch_interchange::to_json(&data))?;
    if out != Path::new("-") {
        eprintln!(
            "Exported {} to {}. It holds identities in the clear: keep it as safe as the key.",
            describe(&data),
            out.display()
        );
    }
    Ok(Outcome::Ok)
}

fn table_csv(t: &refwatch_disclosure::PublishedTable) -> String {
    let mut out = format!(
        "year,{},total\n",
        t.cols
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
    );
    for r in 0..=t.rows.len() {
        let label = t.rows.get(r).map_or("total", String::as_str);
        let cells: Vec<String> = (0..=t.cols.len()).map(|c| t.text(r, c)).collect();
        out.push_str(&format!("{},{}\n", csv_field(label), cells.join(",")));
    }
    out
}

fn incidents_csv(data: &Dataset) -> String {
    let mut out =
        String::from("id,kind,date,title,people_low,people_best,people_high,verification\n");
    for i in &data.incidents {
        let opt = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            i.id,
            i.kind,
            i.date,
            csv_field(&i.title),
            i.victims.low,
            opt(i.victims.best),
            opt(i.victims.high),
            i.verification
        ));
    }
    out
}

pub(crate) async fn export_public(
    cli: &Cli,
    out: &Path,
    threshold: u64,
) -> anyhow::Result<Outcome> {
    let key = required_key(cli)?;
    let service = data_dir::service(&cli.data_dir, Some(&key)).await?;
    let export = service.export_public(threshold).await?;
    service.into_store().close().await;
    if out.is_file() {
        anyhow::bail!(
            "{} is a file; --public writes a directory of files",
            out.display()
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_out(
        &out.join("dataset.json"),
        &refwatch_interchange::to_json(&export.dataset),
    )?;
    write_out(&out.join("incidents.csv"), &incidents_csv(&export.dataset))?;
    for t in &export.tables {
        write_out(&out.join(format!("{}.csv", t.name)), &table_csv(&t.table))?;
    }
    write_out(
        &out.join("README.txt"),
        &format!(
            "refwatch public export\n\n\
             dataset.json: public records only (format: docs/dataset.schema.json); no persons and no identities.\n\
             incidents.csv: public incidents; people counts are documented minimums (low), best and high.\n\
             people-by-year-and-*.csv: people documented per year (of their first recorded event), by sex, age group and category.\n\
             Years with fewer than {threshold} people are merged with the next (a row such as 2003–2005).\n\
             A cell shown as \"x\" is hidden: it may be 0, small or large. Counts from 1 to {} are always hidden, and enough others that no hidden count can be worked out within {threshold} from the shown ones (docs/public-export.md).\n",
            threshold - 1
        ),
    )?;
    println!(
        "Wrote the public export ({} incidents, {} tables) to {}.",
        export.dataset.incidents.len(),
        export.tables.len(),
        out.display()
    );
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
    let key = required_key(cli)?;
    let service = data_dir::service(&cli.data_dir, Some(&key)).await?;
    let outcome = add(&service, &incoming, &what).await?;
    service.into_store().close().await;
    if let Outcome::Ok = outcome {
        println!("Imported {}.", describe(&incoming));
    }
    Ok(outcome)
}
