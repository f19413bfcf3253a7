//! Pooled LCMCR posterior quantiles over several seeds, to set beside R
//! LCMCR's reference quantiles (`data/rcapture/README.md`):
//!
//! ```sh
//! cargo run --release -p refwatch-mse --example lcmcr_pool -- \
//!     crates/refwatch-mse/data/kosovo_patterns.csv SEEDS BURN_IN SAMPLES THINNING
//! ```

use refwatch_mse::{CaptureTable, lcmcr};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, file, seeds, burn_in, samples, thinning] = &args[..] else {
        return Err("usage: lcmcr_pool PATTERNS.csv SEEDS BURN_IN SAMPLES THINNING".into());
    };
    let table = CaptureTable::from_csv(&std::fs::read_to_string(file)?)?;
    let settings = lcmcr::Settings {
        burn_in: burn_in.parse()?,
        samples: samples.parse()?,
        thinning: thinning.parse()?,
        ..Default::default()
    };
    let mut all = Vec::new();
    let started = std::time::Instant::now();
    for seed in 1..=seeds.parse::<u64>()? {
        let p = lcmcr::sample(&table, &lcmcr::Settings { seed, ..settings })?;
        eprintln!(
            "seed {seed}: {:.0} / {:.0} / {:.0}",
            p.quantile(0.025),
            p.quantile(0.5),
            p.quantile(0.975)
        );
        all.extend(p.n);
    }
    let p = lcmcr::Posterior {
        n: all,
        iterations: 0,
    };
    let q: Vec<String> = [0.025, 0.25, 0.5, 0.75, 0.975]
        .iter()
        .map(|&q| format!("{:.0}", p.quantile(q)))
        .collect();
    eprintln!(
        "pooled 2.5/25/50/75/97.5%: {} ({:.1} s)",
        q.join(" / "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
