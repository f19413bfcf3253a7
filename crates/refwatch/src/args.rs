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

    /// The key file that protects this data directory: 32 random bytes as
    /// hex, kept outside the data directory (on removable media, say).
    /// `init` creates it if it does not exist. Instead of a key file, a
    /// passphrase can be given in REFWATCH_PASSPHRASE.
    #[arg(long, global = true, env = "REFWATCH_KEY_FILE")]
    pub(crate) key_file: Option<PathBuf>,

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
        /// The first administrator's username. Its one-time password is
        /// printed, unless REFWATCH_ADMIN_PASSWORD gives one (for scripts).
        #[arg(long, default_value = "admin")]
        admin: String,
    },
    /// Load the demo dataset into an empty data directory, show a summary,
    /// and serve it on the web until Ctrl-C.
    Demo {
        /// Address to serve the web application on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Write the whole dataset, identities included, as a JSON file (see
    /// docs/dataset.schema.json); or, with --public, the public records and
    /// tables with small counts suppressed into a directory. Needs the key; audited.
    Export {
        /// Where to write: a file (`-` for standard output), or with --public a directory.
        #[arg(long)]
        out: PathBuf,
        /// Write only what the public may see (docs/public-export.md).
        #[arg(long)]
        public: bool,
        /// With --public: counts below this are suppressed.
        #[arg(long, default_value_t = 5, requires = "public")]
        threshold: u64,
        /// Instead of the dataset file: one list as a spreadsheet (CSV or
        /// XLSX, by --out's extension), headers in --lang; no identities.
        #[arg(long, value_enum, conflicts_with = "public")]
        list: Option<ListArg>,
        /// With --list: a row of HXL hashtags under the headers.
        #[arg(long, requires = "list")]
        hxl: bool,
    },
    /// Add the records of a JSON dataset file, or of a spreadsheet (CSV or
    /// XLSX, one record per row); all or nothing (docs/spreadsheets.md).
    Import {
        /// The file to read: .json, .csv, .tsv or .xlsx.
        file: PathBuf,
        /// Spreadsheets: what each row is (or `as` in the mapping).
        #[arg(long = "as", value_enum)]
        kind: Option<SheetKind>,
        /// Spreadsheets: which column holds which field (TOML); without
        /// it, the mapping is guessed from the headers (Korean or English).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Spreadsheets: the workbook's sheet (the first if not given).
        #[arg(long)]
        sheet: Option<String>,
        /// Spreadsheets: show the mapping and what would be created,
        /// matched and refused; write nothing.
        #[arg(long)]
        check: bool,
        /// Spreadsheets: write the mapping used (guessed or given) to this
        /// file, to check, edit and reuse.
        #[arg(long)]
        save_mapping: Option<PathBuf>,
    },
    /// Documented incidents and people affected, per year and kind, as
    /// documented minimum / best / high; each cell lists its incidents and
    /// their citations (json, csv, xlsx).
    Stats {
        /// First year to include.
        #[arg(long)]
        from: Option<i32>,
        /// Last year to include.
        #[arg(long)]
        to: Option<i32>,
        /// Break people down by sex, age group or category.
        #[arg(long, value_enum)]
        by: Option<ByArg>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Where to write (needed for xlsx; other formats print).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check the database's integrity and every record's validity (and,
    /// with the key, the audit log).
    Check,
    /// Estimate how many people were never documented, from the overlap of
    /// several lists (multiple systems estimation).
    #[command(group(clap::ArgGroup::new("input").required(true).args(["patterns", "lists"])))]
    Estimate {
        /// A capture-pattern table: a header, then rows of a 0/1 pattern
        /// (one digit per list) and a count, like kosovo_patterns.csv.
        #[arg(long)]
        patterns: Option<PathBuf>,
        /// Or: the sources to use as lists, by id (comma-separated, at least
        /// three); a person is on a list when a citation names that source.
        #[arg(long, value_delimiter = ',')]
        lists: Vec<String>,
        /// With --lists: estimate separately by `year`, `sex` or both (`year,sex`).
        #[arg(long, value_delimiter = ',', requires = "lists")]
        strata: Vec<String>,
        /// The method.
        #[arg(long, value_enum, default_value_t = EstimateMethod::Loglinear)]
        method: EstimateMethod,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EstimateFormat::Table)]
        format: EstimateFormat,
        /// lcmcr: the random seed (the same seed gives the same result).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// lcmcr: the maximum number of latent classes.
        #[arg(long, default_value_t = 10)]
        classes: usize,
        /// lcmcr: iterations discarded before sampling.
        #[arg(long, default_value_t = 10_000)]
        burn_in: u64,
        /// lcmcr: samples kept.
        #[arg(long, default_value_t = 1_000)]
        samples: u64,
        /// lcmcr: iterations between kept samples.
        #[arg(long, default_value_t = 100)]
        thinning: u64,
        /// lcmcr: chains run side by side (seeds seed, seed+1, ...), pooled,
        /// and compared for convergence (R-hat, effective sample size).
        #[arg(long, default_value_t = 2)]
        chains: usize,
        /// loglinear: the lists were made one after another, in the order
        /// of the table's columns, so Mb and Mbh (a behavioural response)
        /// are fitted too.
        #[arg(long)]
        ordered: bool,
        /// loglinear: as Rcapture's `neg`, set a Chao heterogeneity term
        /// that comes out negative to 0 and refit (`--neg false` keeps it).
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        neg: bool,
        /// bma: the prior count per cell of the full table (default
        /// 2^-lists, as dga suggests).
        #[arg(long)]
        delta: Option<f64>,
    },
    /// The simulation study: populations of known size with uneven and
    /// dependent lists; reports each method's bias and how often its 95%
    /// interval covers the truth.
    Simulate {
        /// Replicates per scenario.
        #[arg(long, default_value_t = 100)]
        replicates: usize,
        /// The random seed.
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EstimateFormat::Table)]
        format: EstimateFormat,
        /// Also write every simulated capture table into this folder (one
        /// CSV per scenario and replicate, readable by `estimate
        /// --patterns` and by R), so others can check the study.
        #[arg(long)]
        write_tables: Option<PathBuf>,
    },
    /// The advocacy brief: per-year tables, chart, places, key incidents
    /// with citations, estimates and UN recommendations, from public records,
    /// in the language of --lang, as HTML or PDF (PDF needs Chromium).
    Report {
        /// First year.
        #[arg(long)]
        from: i32,
        /// Last year.
        #[arg(long)]
        to: i32,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
        format: ReportFormat,
        /// Where to write.
        #[arg(long)]
        out: PathBuf,
        /// Sources to estimate the undocumented from (three or more, comma-separated).
        #[arg(long, value_delimiter = ',')]
        lists: Vec<String>,
    },
    /// Serve the web application and JSON API. Needs the key.
    Serve {
        /// Address to listen on. Anything but loopback should sit behind a
        /// TLS reverse proxy (see README).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Mark cookies Secure: set this when a TLS proxy serves refwatch.
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Record linkage: find the same person, or the same incident, across
    /// sources and lists, review the suggestions and decide.
    Link {
        #[command(subcommand)]
        command: LinkCommand,
    },
    /// Evidence files: take them in (sealed, by content, with their text
    /// read out), look at them and their chain of custody, hand them on,
    /// and re-hash the whole store.
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// Search incidents, persons, sources, citations, UN texts and
    /// evidence texts in English, Korean and Chinese: `refwatch search
    /// 강제북송 Yanji`. Only what your role may read is found or counted.
    #[command(args_conflicts_with_subcommands = true)]
    Search {
        #[command(subcommand)]
        command: Option<SearchCommand>,
        /// The words; every one must be found.
        words: Vec<String>,
        /// Only these kinds (incident, person, source, citation, mechanism, evidence).
        #[arg(long, value_delimiter = ',')]
        kind: Vec<String>,
        /// Only from this year.
        #[arg(long)]
        from: Option<i32>,
        /// Only to this year.
        #[arg(long)]
        to: Option<i32>,
        /// Only in this language (en, ko, zh, ja).
        #[arg(long)]
        language: Option<String>,
        /// Only at this level.
        #[arg(long, value_enum)]
        level: Option<LevelArg>,
        /// Hits to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Signed export bundles for courts and UN offices: chosen incidents,
    /// their sources, evidence files and custody, with a signed manifest.
    Bundle {
        #[command(subcommand)]
        command: BundleCommand,
    },
    /// Reads one evidence file's text from standard input (run by refwatch
    /// itself, isolated, under time and memory limits).
    #[command(hide = true)]
    ExtractWorker {
        /// The limits and the file's kind.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// User accounts (administrators only).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Keys that protect identities and the audit log.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
pub(crate) enum LinkCommand {
    /// De-duplicate one CSV file, or link two, as a small TOML file says
    /// (docs/link-csv.md): writes pairs.csv (every scored pair, with each
    /// field's level and weight) and clusters.csv into DIR. Needs no data
    /// directory.
    Csv {
        /// The TOML file naming each column's role.
        #[arg(long)]
        config: PathBuf,
        /// The first CSV file.
        first: PathBuf,
        /// A second CSV file, to link with the first.
        second: Option<PathBuf>,
        /// Where to write the results (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    #[command(flatten)]
    Database(ReviewCommand),
}

/// Linkage over the data directory, through the protected core.
#[derive(Subcommand)]
pub(crate) enum ReviewCommand {
    /// Compare the database's persons (identities are compared inside the
    /// protected core; needs the key) or incidents, with earlier decisions
    /// as labels, and keep the likely pairs for review.
    Run {
        /// What to link.
        #[arg(value_enum)]
        kind: LinkKindArg,
        /// Pairs at least this probable are suggested for review.
        #[arg(long, default_value_t = 0.5)]
        threshold: f64,
    },
    /// Show the latest run's suggestions with each field's level and
    /// weight, undecided first.
    Review {
        /// What was linked.
        #[arg(value_enum)]
        kind: LinkKindArg,
        /// Show decided pairs too.
        #[arg(long)]
        all: bool,
        /// Show at most this many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Decide that two records are the same person or event: both stay as
    /// they are; statistics count them once.
    Accept {
        /// What the records are.
        #[arg(value_enum)]
        kind: LinkKindArg,
        /// One record's id.
        a: String,
        /// The other's.
        b: String,
    },
    /// Decide that two records are not the same (also undoes an accepted
    /// link); the pair is not suggested as a link again.
    Reject {
        /// What the records are.
        #[arg(value_enum)]
        kind: LinkKindArg,
        /// One record's id.
        a: String,
        /// The other's.
        b: String,
    },
    /// Take back the decision on a pair, as if none had been made.
    Undo {
        /// What the records are.
        #[arg(value_enum)]
        kind: LinkKindArg,
        /// One record's id.
        a: String,
        /// The other's.
        b: String,
    },
    /// Take a record out of its group: every decision that it is the same
    /// as another record becomes "different".
    Split {
        /// What the record is.
        #[arg(value_enum)]
        kind: LinkKindArg,
        /// The record's id.
        record: String,
    },
}

/// What records to link.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LinkKindArg {
    /// Persons: the same individual in several records.
    Person,
    /// Incidents: several reports of the same event.
    Incident,
}

impl LinkKindArg {
    pub(crate) fn kind(self) -> refwatch_domain::LinkKind {
        match self {
            Self::Person => refwatch_domain::LinkKind::Person,
            Self::Incident => refwatch_domain::LinkKind::Incident,
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum UserCommand {
    /// Add a user; prints a one-time password to hand over.
    Add {
        /// The username.
        name: String,
        /// The role.
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// List users with their roles and state.
    List,
    /// Stop a user from signing in and end their sessions.
    Disable {
        /// The username.
        name: String,
    },
    /// Let a disabled or locked-out user sign in again.
    Enable {
        /// The username.
        name: String,
    },
    /// Give a user a new one-time password and end their sessions.
    ResetPassword {
        /// The username.
        name: String,
    },
    /// Change a user's role.
    SetRole {
        /// The username.
        name: String,
        /// The new role.
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Require a TOTP code at sign-in; prints the authenticator address and recovery codes.
    TotpEnable {
        /// The username.
        name: String,
    },
}

/// Roles on the command line.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum RoleArg {
    /// Manages users, keys and the audit log; may do everything.
    Administrator,
    /// Documenter: records incidents and persons, reads identities.
    Editor,
    /// Works on pseudonymous records; never sees identities.
    Analyst,
    /// Reads public and restricted records.
    Viewer,
}

impl RoleArg {
    pub(crate) fn role(self) -> refwatch_policy::Role {
        use refwatch_policy::Role;
        match self {
            RoleArg::Administrator => Role::Administrator,
            RoleArg::Editor => Role::Editor,
            RoleArg::Analyst => Role::Analyst,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum EvidenceCommand {
    /// Take a file in: PDF, DOCX, HTML, text, images, audio. It is stored
    /// sealed under its SHA-256; the same bytes again are recognised.
    Add {
        /// The file.
        file: PathBuf,
        /// The id of the source it belongs to.
        #[arg(long)]
        source: String,
        /// Who handed it over (sealed; read only by roles that read identities).
        #[arg(long)]
        received_from: String,
        /// How it came: in person, Signal, e-mail, courier...
        #[arg(long)]
        received_via: String,
        /// Who may read it.
        #[arg(long, value_enum, default_value_t = LevelArg::Restricted)]
        confidentiality: LevelArg,
        /// The largest file taken in, in MiB.
        #[arg(long, env = "REFWATCH_EVIDENCE_MAX_MIB", default_value_t = 200)]
        max_mib: u64,
    },
    /// List the files you may read.
    List,
    /// Show a file's record and its chain of custody (the look is recorded).
    Show {
        /// The evidence id.
        id: String,
        /// Also who handed it over and its original name (editors and
        /// administrators; audited).
        #[arg(long)]
        provenance: bool,
    },
    /// Print a file's working text (the look is recorded).
    Text {
        /// The evidence id.
        id: String,
    },
    /// Write the original bytes to a file, re-hashed on the way (recorded).
    Get {
        /// The evidence id.
        id: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Record that a copy was handed to another custodian.
    Transfer {
        /// The evidence id.
        id: String,
        /// To whom (an organisation, an office).
        #[arg(long)]
        to: String,
    },
    /// Re-hash every stored file and report any that is missing or altered
    /// (administrators).
    Verify,
}

#[derive(Subcommand)]
pub(crate) enum BundleCommand {
    /// Write a bundle of these incidents (administrators; needs the key).
    Create {
        /// An incident's id; repeat for more.
        #[arg(long = "incident", required = true)]
        incidents: Vec<String>,
        /// The archive to write (not overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a bundle offline with the organisation's public key: the
    /// signature, then every file; names each file changed, removed or
    /// added. Needs no data directory.
    Verify {
        /// The bundle.
        file: PathBuf,
        /// The organisation's public key (PEM), as `bundle public-key` wrote it.
        #[arg(long)]
        public_key: PathBuf,
    },
    /// Write the organisation's public key (PEM), to publish.
    PublicKey {
        /// Where to write it (`-` for standard output).
        #[arg(long, default_value = "-")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum SearchCommand {
    /// Build the search index anew from the database and say how long it took.
    Reindex,
}

/// A confidentiality level.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LevelArg {
    /// Anyone, the public included.
    Public,
    /// Members of the organisation.
    Restricted,
    /// Those cleared for confidential material.
    Confidential,
}

impl LevelArg {
    pub(crate) fn level(self) -> refwatch_domain::Confidentiality {
        match self {
            Self::Public => refwatch_domain::Confidentiality::Public,
            Self::Restricted => refwatch_domain::Confidentiality::Restricted,
            Self::Confidential => refwatch_domain::Confidentiality::Confidential,
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum AuditCommand {
    /// Check every entry's seal and the chain; say where anything was
    /// edited, deleted, inserted, reordered or cut off. Needs the key.
    Verify,
    /// List entries.
    Show {
        /// Only entries by this actor (`operator`, `user:<id>`...).
        #[arg(long)]
        actor: Option<String>,
        /// Only entries with this action (`create`, `read_identity`, `export_full`...).
        #[arg(long)]
        action: Option<String>,
        /// Only entries about this record id.
        #[arg(long)]
        target: Option<String>,
        /// Only the last N entries.
        #[arg(long)]
        last: Option<usize>,
    },
}

#[derive(Subcommand)]
pub(crate) enum KeysCommand {
    /// Protect the keys with a new key file or passphrase (re-wraps the data
    /// key; records are not re-encrypted). With --data-key, make a new data
    /// key and re-encrypt every identity with it (resumable).
    Rotate {
        /// The new key file (created if missing). Or set REFWATCH_NEW_PASSPHRASE.
        #[arg(long, env = "REFWATCH_NEW_KEY_FILE")]
        new_key_file: Option<PathBuf>,
        /// Make a new data key and re-encrypt every identity with it.
        #[arg(long)]
        data_key: bool,
    },
}

/// A list `export --list` writes.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ListArg {
    /// Incidents.
    Incidents,
    /// Sources.
    Sources,
    /// Citations, with the record each belongs to.
    Citations,
    /// UN mechanism records.
    Mechanisms,
    /// Persons at risk, without identities.
    Persons,
}

/// What each row of a spreadsheet becomes.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SheetKind {
    /// An incident, with the row's citation.
    Incidents,
    /// A source.
    Sources,
    /// A place (a row may name a place of an earlier row as its parent).
    Places,
    /// A person at risk, with the row's citation; identities are sealed.
    Persons,
}

/// Estimation methods.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum EstimateMethod {
    /// Log-linear models (as R's Rcapture), every one with its AIC weight;
    /// the lowest AIC of those that estimate is the headline.
    Loglinear,
    /// The Bayesian non-parametric latent class model (as R's LCMCR).
    Lcmcr,
    /// Bayesian model averaging over decomposable graphical models (as
    /// R's dga, Madigan and York's method), 3 to 5 lists.
    Bma,
}

/// Output formats of `report`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ReportFormat {
    Html,
    Pdf,
}

/// Output formats of `estimate`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum EstimateFormat {
    Table,
    Json,
}

/// Output formats of `stats`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
    Csv,
    Xlsx,
}

/// Dimensions of `stats --by`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ByArg {
    Sex,
    AgeGroup,
    Category,
}

impl ByArg {
    pub(crate) fn dimension(self) -> refwatch_domain::Dimension {
        use refwatch_domain::Dimension;
        match self {
            ByArg::Sex => Dimension::Sex,
            ByArg::AgeGroup => Dimension::AgeGroup,
            ByArg::Category => Dimension::Category,
        }
    }
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
