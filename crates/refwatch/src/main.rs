//! The `refwatch` command line: the edge where arguments are parsed, the
//! data directory is opened, and errors are reported to the user.
//!
//! Each subcommand lives in its own module; all of them reach records only
//! through [`refwatch_storage::Store`].

// A command-line program prints its results.
#![allow(clippy::print_stdout)]

mod args;
mod data_dir;
mod dataset_cmds;
mod report_cmds;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

/// A command's outcome: success, or problems already reported to the user.
pub(crate) enum Outcome {
    Ok,
    Problems,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Init { demo } => dataset_cmds::init(&cli, *demo).await,
        Command::Demo => dataset_cmds::demo(&cli).await,
        Command::Export { out } => dataset_cmds::export(&cli, out).await,
        Command::Import { file } => dataset_cmds::import(&cli, file).await,
        Command::Stats { from, to, format } => report_cmds::stats(&cli, *from, *to, *format).await,
        Command::Check => report_cmds::check(&cli).await,
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
