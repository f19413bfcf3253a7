//! The web benchmark: pages of a large dataset under concurrent load, with
//! a bare static axum route served in the same run as the ceiling.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use refwatch_accounts::Password;
use refwatch_domain::SystemClock;
use refwatch_keys::KekSource;
use refwatch_service::{Caller, Service};
use refwatch_storage::SqliteStore;
use refwatch_synth::Spec;

pub(crate) const DEMO: &str = include_str!("../../refwatch/demo/refwatch-demo.json");
const ADMIN: &str = "bench";
/// Incidents per file imported.
const IMPORT_PART: usize = 100_000;
const ADMIN_PASSWORD: &str = "bench-password-not-secret-1";

/// What to load and how hard to push.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Synthetic incidents to load.
    #[arg(long, default_value_t = 100_000)]
    incidents: usize,
    /// Synthetic persons to load.
    #[arg(long, default_value_t = 50_000)]
    persons: usize,
    /// Concurrent connections held open by wrk.
    #[arg(long, default_value_t = 50)]
    connections: usize,
    /// Seconds of load per page.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Writes per second in the mixed load (0: no mixed load).
    #[arg(long, default_value_t = 2.0)]
    writes_per_second: f64,
    /// Seconds of the mixed load, and of the same readers alone.
    #[arg(long, default_value_t = 30)]
    mix_seconds: u64,
    /// Keep the loaded data in this folder and load it from there next
    /// time, instead of generating and importing it again.
    #[arg(long)]
    keep_data: Option<PathBuf>,
    /// Skip the page-by-page runs (the mixed load only).
    #[arg(long)]
    mixed_only: bool,
    /// The refwatch binary to measure (build it with `cargo build --release`).
    #[arg(long, default_value = "target/release/refwatch")]
    refwatch: PathBuf,
}

/// A child process that is stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn refwatch(args: &Args, data: &Path, key: &Path) -> Command {
    let mut cmd = Command::new(&args.refwatch);
    cmd.arg("--data-dir")
        .arg(data)
        .arg("--key-file")
        .arg(key)
        .env_remove("REFWATCH_PASSPHRASE")
        .env("REFWATCH_ADMIN_PASSWORD", ADMIN_PASSWORD);
    cmd
}

fn checked(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("cannot run {what}"))?;
    if !out.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// A process's peak resident memory (VmHWM), where /proc tells it.
fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// One plain GET; the status line and the body.
fn get(addr: SocketAddr, path: &str, token: &str) -> anyhow::Result<(String, String)> {
    let mut stream = TcpStream::connect(addr)?;
    // The first page of a million incidents reads every record first.
    stream.set_read_timeout(Some(Duration::from_secs(900)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Ok((
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    ))
}

fn wait_until_up(addr: SocketAddr, server: &mut Running) -> anyhow::Result<()> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        if let Some(status) = server.0.try_wait()? {
            bail!("refwatch serve stopped: {status}");
        }
        if TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("refwatch serve did not start within two minutes")
}

/// The bare ceiling: one static route on axum, nothing else.
fn serve_static(port: u16) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))?;
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
            let _ = axum::serve(listener, app).await;
        });
    });
    Ok(())
}

/// Figures wrk printed for one page.
pub(crate) struct Figures {
    p50_ms: f64,
    p99_ms: f64,
    requests_per_second: f64,
    errors: String,
}

fn millis(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

pub(crate) fn parse_wrk(out: &str) -> anyhow::Result<Figures> {
    let field = |prefix: &str| {
        out.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix).map(str::trim))
    };
    let errors: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("Socket errors") || l.starts_with("Non-2xx"))
        .collect();
    Ok(Figures {
        p50_ms: field("50%")
            .and_then(millis)
            .context("no p50 in wrk's output")?,
        p99_ms: field("99%")
            .and_then(millis)
            .context("no p99 in wrk's output")?,
        requests_per_second: field("Requests/sec:")
            .and_then(|n| n.parse().ok())
            .context("no requests/sec in wrk's output")?,
        errors: errors.join("; "),
    })
}

fn wrk(args: &Args, url: &str, token: &str) -> anyhow::Result<Figures> {
    let out = Command::new("wrk")
        .args(["-t2", "--latency"])
        .arg(format!("-c{}", args.connections))
        .arg(format!("-d{}s", args.seconds))
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .arg(url)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run wrk: install it with `apt-get install wrk`")?;
    if !out.status.success() {
        bail!("wrk failed on {url}");
    }
    let text = String::from_utf8_lossy(&out.stdout);
    if std::env::var_os("REFWATCH_BENCH_RAW").is_some() {
        eprintln!("{text}");
    }
    parse_wrk(&text)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Signs the benchmark's administrator in through the library; the token
/// is sent as a bearer token, which the pages accept like the cookie.
fn sign_in(db: &Path, key: &Path) -> anyhow::Result<String> {
    let source = KekSource::KeyFile(refwatch_keys::read_key_file(key)?);
    runtime()?.block_on(async {
        let store = SqliteStore::open(db).await?;
        let service = Service::open(
            store,
            Some(&source),
            Arc::new(SystemClock),
            Caller::operator(),
        )
        .await?;
        let signed = service
            .sign_in(
                ADMIN,
                &Password::new(ADMIN_PASSWORD.to_owned()),
                None,
                "bench",
            )
            .await?;
        Ok(signed.token.expose().to_owned())
    })
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    if !args.refwatch.exists() {
        bail!(
            "{} is missing: run `cargo build --release -p refwatch` first, or pass --refwatch",
            args.refwatch.display()
        );
    }
    let tmp = tempfile::tempdir()?;
    let kept = args
        .keep_data
        .clone()
        .unwrap_or_else(|| tmp.path().to_owned());
    let data = kept.join("data");
    let key = kept.join("bench.key");
    std::fs::create_dir_all(&kept)?;
    let loaded = data.join("refwatch.db").exists() && key.exists();
    if !loaded {
        let mut init = refwatch(args, &data, &key);
        init.args(["init", "--demo", "--admin", ADMIN]);
        checked(init, "refwatch init --demo")?;
    }

    let base = refwatch_interchange::parse(DEMO)
        .map_err(|p| anyhow::anyhow!("the demo dataset does not parse: {} problems", p.len()))?;
    let started = Instant::now();
    let made = refwatch_synth::generate(
        &base,
        &Spec {
            incidents: args.incidents,
            persons: args.persons,
            seed: 2026,
        },
    );
    let mut import_seconds = 0.0;
    if !loaded {
        eprintln!(
            "generated {} incidents and {} persons in {:.1} s; importing…",
            made.incidents.len(),
            made.persons.len(),
            started.elapsed().as_secs_f64()
        );
        let started = Instant::now();
        // Files the importer takes (it refuses more than 512 MiB): the
        // incidents in parts, then the persons, who refer to them.
        let mut parts: Vec<refwatch_domain::Dataset> = made
            .incidents
            .chunks(IMPORT_PART)
            .map(|part| refwatch_domain::Dataset {
                incidents: part.to_vec(),
                ..Default::default()
            })
            .collect();
        parts.push(refwatch_domain::Dataset {
            persons: made.persons.clone(),
            ..Default::default()
        });
        for (n, part) in parts.iter().enumerate() {
            let file = tmp.path().join(format!("synthetic-{n}.json"));
            std::fs::write(&file, refwatch_interchange::to_json(part))?;
            let mut import = refwatch(args, &data, &key);
            import.arg("import").arg(&file);
            checked(import, "refwatch import")?;
            std::fs::remove_file(&file)?;
            eprintln!("imported part {} of {}", n + 1, parts.len());
        }
        import_seconds = started.elapsed().as_secs_f64();
        eprintln!("imported in {import_seconds:.1} s");
    }

    let token = sign_in(&data.join("refwatch.db"), &key)?;
    let port = free_port()?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut serve = refwatch(args, &data, &key);
    serve
        .args(["serve", "--listen", &addr.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut server = Running(serve.spawn().context("cannot start refwatch serve")?);
    wait_until_up(addr, &mut server)?;
    let static_port = free_port()?;
    serve_static(static_port)?;

    let incident = made
        .incidents
        .iter()
        .find(|i| !i.reports.is_empty() || i.places.len() > 1)
        .unwrap_or(&made.incidents[0])
        .id;
    let base_url = format!("http://{addr}");
    // (name, url, signed in as the administrator): the public's pages are
    // screened by the publication guard, the administrator's are not.
    let pages = [
        (
            "bare static axum route (ceiling)",
            format!("http://127.0.0.1:{static_port}/"),
            true,
        ),
        ("dashboard /", format!("{base_url}/"), true),
        (
            "incident list /incidents",
            format!("{base_url}/incidents"),
            true,
        ),
        (
            "incident list, filtered, page 3",
            format!("{base_url}/incidents?kind=arrest&from=2015&to=2020&q=river&page=3"),
            true,
        ),
        (
            "incident page",
            format!("{base_url}/incidents/{incident}"),
            true,
        ),
        (
            "public: dashboard / (screened)",
            format!("{base_url}/"),
            false,
        ),
        (
            "public: incident list /incidents (screened)",
            format!("{base_url}/incidents"),
            false,
        ),
        (
            "public: tables /public (disclosure control)",
            format!("{base_url}/public"),
            false,
        ),
    ];
    let token_for = |signed: bool| if signed { token.as_str() } else { "public" };
    // Alone, in this order: the first signed-in page reads every record;
    // the first public one then builds the guard from every sealed name
    // and screens the public copy (once, then only incidents changed).
    for (name, url, signed) in &pages[1..] {
        let path = url.strip_prefix(&base_url).unwrap_or("/");
        let started = Instant::now();
        let (status, body) = get(addr, path, token_for(*signed))?;
        let took = started.elapsed().as_secs_f64() * 1000.0;
        if !status.contains(" 200 ") {
            bail!("{name} answered {status:?} before the load started");
        }
        eprintln!("{name}: {} KB, {took:.1} ms alone", body.len() / 1024);
    }
    let mut rows = Vec::new();
    for (name, url, signed) in pages.iter().filter(|_| !args.mixed_only) {
        eprintln!("loading {name} for {} s…", args.seconds);
        rows.push((name, wrk(args, url, token_for(*signed))?));
    }
    let mixed = if args.writes_per_second > 0.0 {
        Some(mixed_load(
            args,
            &base_url,
            &token,
            &made,
            incident,
            tmp.path(),
        )?)
    } else {
        None
    };
    println!(
        "\n{} incidents, {} persons (plus the demo data); imported in {import_seconds:.1} s; wrk -t2 -c{} -d{}s, signed in as an administrator but for the public rows\n",
        args.incidents, args.persons, args.connections, args.seconds
    );
    println!("| page | p50 ms | p99 ms | requests/s | errors |");
    println!("|---|---:|---:|---:|---|");
    for (name, f) in rows {
        println!(
            "| {name} | {:.2} | {:.2} | {:.0} | {} |",
            f.p50_ms, f.p99_ms, f.requests_per_second, f.errors
        );
    }
    if let Some((alone, together, writes)) = mixed {
        println!(
            "\nMixed load: the pages above in turn (wrk -t2 -c{} -d{}s), alone and with a writer adding and editing incidents through the API at {} writes/s\n",
            args.connections, args.mix_seconds, args.writes_per_second
        );
        println!(
            "| run | reader p50 ms | reader p99 ms | reader requests/s | reader errors | write p50 ms | write p99 ms | writes done | write failures |"
        );
        println!("|---|---:|---:|---:|---|---:|---:|---:|---:|");
        println!(
            "| readers alone | {:.2} | {:.2} | {:.0} | {} | | | | |",
            alone.p50_ms, alone.p99_ms, alone.requests_per_second, alone.errors
        );
        println!(
            "| readers and writer | {:.2} | {:.2} | {:.0} | {} | {:.1} | {:.1} | {} | {} |",
            together.p50_ms,
            together.p99_ms,
            together.requests_per_second,
            together.errors,
            writes.quantile(0.5),
            writes.quantile(0.99),
            writes.latencies_ms.len(),
            writes.failures
        );
        if let Some(f) = &writes.first_failure {
            println!("\nfirst failed write: {f}");
        }
    }
    if let Some(peak) = peak_memory_kib(server.0.id()) {
        println!("\nrefwatch serve peak resident memory: {} MiB", peak / 1024);
    }
    drop(server);
    Ok(())
}

/// Readers alone, then readers with a writer: both runs' figures and the
/// writer's.
fn mixed_load(
    args: &Args,
    base_url: &str,
    token: &str,
    made: &refwatch_domain::Dataset,
    incident: refwatch_domain::IncidentId,
    dir: &Path,
) -> anyhow::Result<(Figures, Figures, crate::mixed::Writes)> {
    let pages = crate::mixed::reader_pages(incident);
    let readers = || {
        crate::mixed::readers(
            base_url,
            &pages,
            token,
            args.connections,
            args.mix_seconds,
            dir,
        )
    };
    eprintln!("readers alone for {} s…", args.mix_seconds);
    let alone = readers()?;
    // Edited in turn: any but the one the readers open.
    let stored: Vec<refwatch_domain::Incident> = made
        .incidents
        .iter()
        .filter(|i| i.id != incident)
        .take(500)
        .map(|i| (**i).clone())
        .collect();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (base, token, stop) = (base_url.to_owned(), token.to_owned(), stop.clone());
        let rate = args.writes_per_second;
        std::thread::spawn(move || crate::mixed::writer(base, token, stored, rate, stop))
    };
    eprintln!(
        "readers with a writer at {} writes/s for {} s…",
        args.writes_per_second, args.mix_seconds
    );
    let together = readers();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let writes = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the writer stopped"))??;
    Ok((alone, together?, writes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_output_is_read_in_milliseconds() {
        let out = "Running 10s test @ http://127.0.0.1:1/\n  2 threads and 50 connections\n  Latency Distribution\n     50%  512.00us\n     75%    1.20ms\n     90%    3.00ms\n     99%    1.05s\n  1000 requests in 10.00s, 1.00MB read\n  Non-2xx or 3xx responses: 3\nRequests/sec:    100.50\nTransfer/sec:    102.40KB\n";
        let f = parse_wrk(out).unwrap();
        assert!((f.p50_ms - 0.512).abs() < 1e-9);
        assert!((f.p99_ms - 1050.0).abs() < 1e-9);
        assert!((f.requests_per_second - 100.5).abs() < 1e-9);
        assert_eq!(f.errors, "Non-2xx or 3xx responses: 3");
    }
}
