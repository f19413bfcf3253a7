//! `refwatch-bench`: measures refwatch beside its references, in one run on
//! one machine, and prints the figures as a table. Not a test: nothing here
//! asserts a speed.

// A command-line program: its results go to standard output.
#![allow(clippy::print_stdout)]

mod disclosure;
mod guard;
mod link;
mod mixed;
mod search;
mod sources;
mod web;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Benchmarks of refwatch beside their references")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load synthetic incidents and persons, serve them with `refwatch
    /// serve`, and measure pages with wrk beside a bare static axum route.
    Web(web::Args),
    /// Link the FEBRL datasets and generated Korean names with refwatch and
    /// with Splink 5.0, side by side.
    Link(link::Args),
    /// Build the publication guard from synthetic persons' names and screen
    /// synthetic incidents' text with it.
    Guard(guard::Args),
    /// Protect the public tables of the demo and of generated sets of
    /// people, and run the attacker with a solver against them.
    Disclosure(disclosure::Args),
    /// Index synthetic documents (half English, half Korean) and time one-
    /// and two-word queries.
    Search(search::Args),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Web(args) => web::run(&args),
        Command::Link(args) => link::run(&args),
        Command::Search(args) => search::run(&args),
        Command::Guard(args) => guard::run(&args),
        Command::Disclosure(args) => disclosure::run(&args),
    }
}
