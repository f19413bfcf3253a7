//! The public tables against the attacker: the demo's people and generated
//! sets of people (`refwatch_synth::table_people`, many with tiny years)
//! are protected as `export --public` does, then the attacker of
//! `refwatch-disclosure` solves one integer program per hidden cell's
//! bound over all three tables at once. Reports how narrow the attacker
//! gets, how much is hidden, and the time each side takes; also the
//! people of the web benchmark's scale, for the cost per data version.

use std::time::Instant;

use refwatch_disclosure::{Interval, attack, protect_linked};
use refwatch_domain::{Dataset, Person};
use refwatch_stats::incident_years;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Generated sets of people.
    #[arg(long, default_value_t = 200)]
    sets: usize,
    /// The threshold N: hidden cells must stay at least N wide.
    #[arg(long, default_value_t = 5)]
    threshold: u64,
    /// Persons for the timing at scale (none for no timing).
    #[arg(long, default_value_t = 50_000)]
    persons: usize,
}

/// Hidden cells, cells in all, the narrowest width (None: nothing hidden),
/// seconds protecting and seconds attacking.
fn one(
    persons: &[impl std::borrow::Borrow<Person>],
    years: &std::collections::HashMap<refwatch_domain::IncidentId, i32>,
    threshold: u64,
) -> anyhow::Result<(usize, usize, Option<u64>, f64, f64)> {
    let counts = refwatch_service::people_tables(persons, years);
    let started = Instant::now();
    let published = protect_linked(&counts, threshold)?;
    let protecting = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let narrowest = attack(&published)?.iter().map(Interval::width).min();
    let attacking = started.elapsed().as_secs_f64();
    let hidden = published.iter().map(|p| p.hidden()).sum();
    let cells = published
        .iter()
        .map(|p| p.grid.len() * p.grid[0].len())
        .sum();
    Ok((hidden, cells, narrowest, protecting, attacking))
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let demo: Dataset = refwatch_interchange::parse(crate::web::DEMO)
        .map_err(|p| anyhow::anyhow!("the demo dataset does not parse: {} problems", p.len()))?;
    let (hidden, cells, narrowest, p, a) =
        one(&demo.persons, &incident_years(&demo), args.threshold)?;
    println!(
        "demo ({} persons): {hidden} of {cells} cells hidden; narrowest hidden cell {}; protect {:.3} s, attack {:.3} s",
        demo.persons.len(),
        narrowest.map_or("-".into(), |w| w.to_string()),
        p,
        a
    );
    let (mut hidden, mut cells, mut worst, mut below, mut with_hidden) = (0, 0, u64::MAX, 0, 0);
    let (mut protecting, mut attacking) = (0.0, 0.0);
    let mut tiny_years = 0;
    for set in 0..args.sets {
        let (persons, years) = refwatch_synth::table_people(set, 29);
        let counts = refwatch_service::people_tables(&persons, &years);
        tiny_years += counts[0]
            .cells
            .iter()
            .filter(|row| (1..args.threshold).contains(&row.iter().sum::<u64>()))
            .count();
        let (h, c, n, p, a) = one(&persons, &years, args.threshold)?;
        hidden += h;
        cells += c;
        protecting += p;
        attacking += a;
        if let Some(n) = n {
            with_hidden += 1;
            worst = worst.min(n);
            below += usize::from(n < args.threshold);
        }
    }
    println!(
        "{} generated sets ({tiny_years} years with 1 to {} people before merging): {hidden} of {cells} cells hidden; {with_hidden} sets hide something; narrowest hidden cell {}; sets with a cell narrower than {}: {below}; protect {:.2} s, attack {:.2} s in all",
        args.sets,
        args.threshold - 1,
        if worst == u64::MAX {
            "-".into()
        } else {
            worst.to_string()
        },
        args.threshold,
        protecting,
        attacking
    );
    if args.persons > 0 {
        let base = refwatch_synth::base(4);
        let data = refwatch_synth::generate(
            &base,
            &refwatch_synth::Spec {
                incidents: args.persons,
                persons: args.persons,
                seed: 2026,
            },
        );
        let counts = refwatch_service::people_tables(&data.persons, &incident_years(&data));
        let started = Instant::now();
        let published = protect_linked(&counts, args.threshold)?;
        println!(
            "{} generated persons over {} years: protected in {:.3} s, {} cells hidden",
            data.persons.len(),
            counts[0].rows.len(),
            started.elapsed().as_secs_f64(),
            published.iter().map(|p| p.hidden()).sum::<usize>()
        );
    }
    Ok(())
}
