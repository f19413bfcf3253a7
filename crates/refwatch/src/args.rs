//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use refwatch_domain::Lang;

/// refwatch: documentation, evidence and advocacy on the forced repatriation
/// of North Korean escapees from China.
#[derive(Parser)]
#[command(version, about, long_about = None)]
pub(crate) struct Cli {
    /// The data directory that holds the database.
    #[arg(
        long,
        global = true,
        env = "REFWATCH_DATA_DIR",
        default_value = "./refwatch-data"
    )]
    pub(crate) data_dir: PathBuf,

    /// Language of labels in tables and summaries.
    #[arg(long, global = true, env = "REFWATCH_LANG", value_enum, default_value_t = LangArg::En)]
    pub(crate) lang: LangArg,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Create a data directory with an empty database.
    Init {
        /// Load the demo dataset curated from public documents.
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo dataset into an empty data directory and show it.
    Demo,
    /// Write the whole dataset as a JSON file (see docs/dataset.schema.json).
    Export {
        /// Where to write; `-` writes to standard output.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add the records of a JSON dataset file; all or nothing.
    Import {
        /// The file to read.
        file: PathBuf,
    },
    /// Documented incidents and people affected, per year and kind.
    Stats {
        /// First year to include.
        #[arg(long)]
        from: Option<i32>,
        /// Last year to include.
        #[arg(long)]
        to: Option<i32>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Check the database's integrity and every record's validity.
    Check,
}

/// Output formats of `stats`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
    Csv,
}

/// Languages on the command line.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LangArg {
    /// English.
    En,
    /// Korean (한국어).
    Ko,
}

impl LangArg {
    pub(crate) fn lang(self) -> Lang {
        match self {
            LangArg::En => Lang::En,
            LangArg::Ko => Lang::Ko,
        }
    }
}
