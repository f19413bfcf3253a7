//! The publication guard at the web benchmark's scale: build it from the
//! names of the synthetic persons (none consented) and screen the text of
//! the synthetic incidents (titles, summaries, reports, citations), as the
//! core does when it reads the public's copy whole.

use std::time::Instant;

use refwatch_guard::Guard;
use refwatch_synth::Spec;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Synthetic incidents whose text is screened.
    #[arg(long, default_value_t = 100_000)]
    incidents: usize,
    /// Synthetic persons whose names are screened for.
    #[arg(long, default_value_t = 50_000)]
    persons: usize,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let base = refwatch_interchange::parse(crate::web::DEMO)
        .map_err(|p| anyhow::anyhow!("the demo dataset does not parse: {} problems", p.len()))?;
    let data = refwatch_synth::generate(
        &base,
        &Spec {
            incidents: args.incidents,
            persons: args.persons,
            seed: 2026,
        },
    );
    let names: Vec<(usize, String)> = data
        .persons
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((i, p.identity.as_ref()?.name_hangul.clone()?)))
        .collect();
    let started = Instant::now();
    let guard = Guard::new(names.iter().map(|(i, n)| (*i, n.as_str())));
    let build = started.elapsed().as_secs_f64();

    let mut texts: Vec<&str> = Vec::new();
    for i in &data.incidents {
        texts.push(&i.title);
        texts.push(&i.summary);
        texts.extend(i.reports.iter().map(|r| r.summary.as_str()));
        texts.extend(i.citations.iter().map(|c| c.quote.as_str()));
    }
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let started = Instant::now();
    let mut screen = guard.screen();
    let hits: usize = texts.iter().map(|t| screen.find(t).len()).sum();
    let screening = started.elapsed().as_secs_f64();
    println!(
        "\n{} names of {} persons; {} texts ({:.1} MB) of {} incidents\n",
        names.len(),
        data.persons.len(),
        texts.len(),
        bytes as f64 / 1e6,
        data.incidents.len()
    );
    println!("| stage | seconds | per item |");
    println!("|---|---:|---:|");
    println!(
        "| build the guard | {build:.3} | {:.1} µs a name |",
        build * 1e6 / names.len().max(1) as f64
    );
    println!(
        "| screen every text | {screening:.3} | {:.1} µs a text |",
        screening * 1e6 / texts.len().max(1) as f64
    );
    println!("\nnames found (generated names read in generated text): {hits}");
    Ok(())
}
