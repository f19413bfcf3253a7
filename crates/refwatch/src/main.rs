//! The `refwatch` command line: the edge where arguments are parsed, the
//! data directory is opened, and errors are reported to the user.
//!
//! Each subcommand lives in its own module; all of them reach records only
//! through [`refwatch_storage::Store`].

// A command-line program prints its results.
#![allow(clippy::print_stdout)]

mod args;
mod brief_cmds;
mod bundle_cmds;
mod data_dir;
mod dataset_cmds;
mod estimate_cmds;
mod evidence_cmds;
mod key_source;
mod link_cmds;
mod protect_cmds;
mod report_cmds;
mod review_cmds;
mod search_cmds;
mod serve_cmds;
mod sheet_cmds;
mod user_cmds;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{AuditCommand, Cli, Command, KeysCommand};

/// mimalloc instead of glibc's allocator: the linkage of a million records
/// allocates from both cores at once, and glibc's per-thread arenas grow in
/// small steps (hundreds of thousands of `mprotect` calls at 1M records).
/// Built without transparent huge pages, which tripled a small run's peak.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A command's outcome: success, or problems already reported to the user.
pub(crate) enum Outcome {
    Ok,
    Problems,
}

/// Output to a pipe whose reader has gone (`refwatch audit show | head -1`)
/// ends the program quietly instead of with a panic message and code 101.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

#[tokio::main]
async fn main() -> ExitCode {
    // Everything this program creates (database, evidence, exports, keys)
    // is readable by its owner only.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Init { demo, admin } => dataset_cmds::init(&cli, *demo, admin).await,
        Command::Demo { listen } => dataset_cmds::demo(&cli, listen).await,
        Command::Export {
            out,
            list: Some(list),
            hxl,
            ..
        } => sheet_cmds::export_list(&cli, out, *list, *hxl).await,
        Command::Export {
            out, public: false, ..
        } => dataset_cmds::export(&cli, out).await,
        Command::Export {
            out,
            public: true,
            threshold,
            ..
        } => dataset_cmds::export_public(&cli, out, *threshold).await,
        Command::Import {
            file,
            kind,
            mapping,
            sheet,
            check,
            save_mapping,
        } => {
            let sheet_options = sheet_cmds::Options {
                kind: *kind,
                mapping: mapping.as_deref(),
                sheet: sheet.as_deref(),
                check: *check,
                save_mapping: save_mapping.as_deref(),
            };
            if sheet_cmds::is_spreadsheet(file) {
                sheet_cmds::import(&cli, file, &sheet_options).await
            } else if sheet_options.any() {
                Err(anyhow::anyhow!(
                    "--as, --mapping, --sheet, --check and --save-mapping are for spreadsheets (.csv, .tsv, .xlsx); {} is read as a JSON dataset file",
                    file.display()
                ))
            } else {
                dataset_cmds::import(&cli, file).await
            }
        }
        Command::Stats {
            from,
            to,
            by,
            format,
            out,
        } => {
            report_cmds::stats(
                &cli,
                *from,
                *to,
                by.map(|b| b.dimension()),
                *format,
                out.as_deref(),
            )
            .await
        }
        Command::Check => report_cmds::check(&cli).await,
        Command::Estimate {
            patterns,
            lists,
            strata,
            method,
            format,
            seed,
            classes,
            burn_in,
            samples,
            thinning,
            chains,
            ordered,
            neg,
            delta,
        } => {
            let lcmcr = refwatch_mse::lcmcr::Settings {
                k: *classes,
                burn_in: *burn_in,
                samples: *samples,
                thinning: *thinning,
                seed: *seed,
                ..Default::default()
            };
            let run = estimate_cmds::Run {
                method: *method,
                format: *format,
                lcmcr,
                chains: *chains,
                loglinear: refwatch_mse::loglinear::Options {
                    ordered: *ordered,
                    neg: *neg,
                },
                delta: *delta,
            };
            match patterns {
                Some(file) => estimate_cmds::from_patterns(file, &run),
                None => estimate_cmds::from_lists(&cli, lists, strata, &run).await,
            }
        }
        Command::Simulate {
            replicates,
            seed,
            format,
            write_tables,
        } => estimate_cmds::simulate(*replicates, *seed, *format, write_tables.as_deref()),
        Command::Report {
            from,
            to,
            format,
            out,
            lists,
        } => brief_cmds::report(&cli, *from, *to, *format, out, lists).await,
        Command::Serve {
            listen,
            secure_cookies,
        } => serve_cmds::serve(&cli, listen, *secure_cookies).await,
        Command::User { command } => user_cmds::run(&cli, command).await,
        Command::Link { command } => review_cmds::run(&cli, command).await,
        Command::Evidence { command } => evidence_cmds::run(&cli, command).await,
        Command::Bundle { command } => bundle_cmds::run(&cli, command).await,
        Command::Search {
            command: Some(_), ..
        } => search_cmds::reindex(&cli).await,
        Command::Search {
            command: None,
            words,
            kind,
            from,
            to,
            language,
            level,
            limit,
            json,
        } => {
            let filters = search_cmds::Filters {
                kinds: kind,
                from: *from,
                to: *to,
                language: language.as_deref(),
                level: level.map(|l| l.level()),
                limit: *limit,
                json: *json,
            };
            search_cmds::search(&cli, words, &filters).await
        }
        Command::ExtractWorker { args } => {
            return ExitCode::from(u8::try_from(refwatch_extract::worker_main(args)).unwrap_or(2));
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => protect_cmds::audit_verify(&cli).await,
        Command::Audit {
            command:
                AuditCommand::Show {
                    actor,
                    action,
                    target,
                    last,
                },
        } => {
            let filter = protect_cmds::ShowFilter {
                actor: actor.as_deref(),
                action: action.as_deref(),
                target: target.as_deref(),
                last: *last,
            };
            protect_cmds::audit_show(&cli, filter).await
        }
        Command::Keys {
            command:
                KeysCommand::Rotate {
                    new_key_file,
                    data_key,
                },
        } => protect_cmds::keys_rotate(&cli, new_key_file.as_deref(), *data_key).await,
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::FAILURE,
        // The reader of our output went away (`| head`): nothing to say.
        Err(err)
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
