//! Gibbs iterations per second of the LCMCR sampler on the Kosovo table
//! with K = 10, as `cargo bench -p refwatch-mse` reports them, beside R's
//! LCMCR 0.4.14 at 47,000–72,000 iterations per second: the rate in
//! data/rcapture/README.md, measured interleaved with a Rust sampler on
//! this kind of machine (R cannot be installed from the registries here,
//! so the reference is not rerun in the same run; the 21,000–23,000 given
//! earlier was measured on a loaded machine). Set LCMCR_BENCH_ITERATIONS to
//! change the run's length and LCMCR_BENCH_SEEDS (such as `11,12,13`) to
//! run one chain per seed, for comparing posteriors across seeds.

use std::time::Instant;

use refwatch_mse::CaptureTable;
use refwatch_mse::lcmcr::{Settings, sample};

/// R's LCMCR 0.4.14 on one core of this kind of machine, from
/// data/rcapture/README.md (not rerun: R and CRAN cannot be installed here).
const R_SLOWEST: f64 = 47_000.0;
const R_FASTEST: f64 = 72_000.0;

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/kosovo_patterns.csv");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let table = CaptureTable::from_csv(&text).expect("the Kosovo table reads");
    let iterations: u64 = std::env::var("LCMCR_BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_100_000);
    let seeds: Vec<u64> = std::env::var("LCMCR_BENCH_SEEDS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| vec![11]);
    for seed in seeds {
        let settings = Settings {
            burn_in: iterations / 11,
            samples: iterations * 10 / 11 / 100,
            thinning: 100,
            seed,
            ..Settings::default()
        };
        let start = Instant::now();
        let posterior = sample(&table, &settings).expect("the sampler runs");
        let seconds = start.elapsed().as_secs_f64();
        let rate = posterior.iterations as f64 / seconds;
        eprintln!(
            "lcmcr kosovo K=10 seed {seed}: {} iterations in {seconds:.2} s = {:.0} iterations/s; posterior N 2.5% {:.0}, 50% {:.0}, 97.5% {:.0}",
            posterior.iterations,
            rate,
            posterior.quantile(0.025),
            posterior.quantile(0.5),
            posterior.quantile(0.975)
        );
        eprintln!(
            "  against R's LCMCR's reference rate ({R_SLOWEST:.0}-{R_FASTEST:.0} iterations/s, data/rcapture/README.md, not measured in this run): {:.1}x to {:.1}x",
            rate / R_FASTEST,
            rate / R_SLOWEST
        );
    }
}
