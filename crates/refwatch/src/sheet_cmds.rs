//! `refwatch import FILE.csv|FILE.xlsx`: records from a spreadsheet, one
//! per row, through the same importer as JSON; all or nothing, every
//! problem located by sheet, row and column.

use std::path::Path;

use anyhow::Context;
use refwatch_domain::{Lang, Vocabularies};
use refwatch_service::ServiceError;
use refwatch_tabular::{Converted, Located, Mapping, RecordKind, Sheet};

use crate::args::{Cli, ListArg, SheetKind};
use crate::dataset_cmds::{describe, required_key};
use crate::{Outcome, data_dir};

/// The largest spreadsheet read.
const MAX_SHEET_BYTES: u64 = 256 * 1024 * 1024;

/// How to read a spreadsheet.
pub(crate) struct Options<'a> {
    pub(crate) kind: Option<SheetKind>,
    pub(crate) mapping: Option<&'a Path>,
    pub(crate) sheet: Option<&'a str>,
    pub(crate) check: bool,
    pub(crate) save_mapping: Option<&'a Path>,
}

impl Options<'_> {
    /// Whether any spreadsheet option was given.
    pub(crate) fn any(&self) -> bool {
        self.kind.is_some()
            || self.mapping.is_some()
            || self.sheet.is_some()
            || self.check
            || self.save_mapping.is_some()
    }
}

fn extension(file: &Path) -> String {
    file.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Whether a file is read as a spreadsheet (by its extension).
pub(crate) fn is_spreadsheet(file: &Path) -> bool {
    matches!(extension(file).as_str(), "csv" | "tsv" | "xlsx" | "xlsm")
}

fn read(file: &Path, sheet: Option<&str>) -> anyhow::Result<Sheet> {
    let meta =
        std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
    if meta.len() > MAX_SHEET_BYTES {
        anyhow::bail!(
            "{} is larger than {} MiB; split it into smaller files",
            file.display(),
            MAX_SHEET_BYTES >> 20
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let read = match extension(file).as_str() {
        "xlsx" | "xlsm" => refwatch_tabular::read_xlsx(&bytes, sheet),
        _ => {
            if sheet.is_some() {
                anyhow::bail!("--sheet is for workbooks (.xlsx); a CSV file has one sheet");
            }
            refwatch_tabular::read_csv(&name, &bytes)
        }
    };
    read.with_context(|| format!("{} cannot be read; nothing was imported", file.display()))
}

/// The mapping: from its file, or guessed from the headers.
fn mapping(options: &Options, sheet: &Sheet) -> anyhow::Result<Mapping> {
    if let Some(path) = options.mapping {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the mapping {}", path.display()))?;
        let mapping = Mapping::from_toml(&text)
            .with_context(|| format!("{} cannot be used; nothing was imported", path.display()))?;
        if let Some(kind) = options.kind
            && record_kind(kind) != mapping.kind
        {
            anyhow::bail!(
                "--as says one kind of record and the mapping {} another; give one",
                path.display()
            );
        }
        return Ok(mapping);
    }
    let kind = options.kind.map(record_kind).context(
        "say what each row is with --as incidents, --as sources, --as places or --as persons (or give a --mapping with `as`)",
    )?;
    Ok(refwatch_tabular::guess(kind, sheet))
}

fn record_kind(kind: SheetKind) -> RecordKind {
    match kind {
        SheetKind::Incidents => RecordKind::Incidents,
        SheetKind::Sources => RecordKind::Sources,
        SheetKind::Places => RecordKind::Places,
        SheetKind::Persons => RecordKind::Persons,
    }
}

fn print_located(problems: &[Located], lang: Lang, file: &Path) {
    eprintln!(
        "{}",
        if lang == Lang::Ko {
            format!(
                "{} 가져오기 거부: 문제 {}개, 아무것도 바뀌지 않았습니다.",
                file.display(),
                problems.len()
            )
        } else {
            format!(
                "import of {} refused: {} problem(s); nothing was changed.",
                file.display(),
                problems.len()
            )
        }
    );
    for p in problems {
        eprintln!("  {}", p.describe(lang));
    }
}

fn print_check(converted: &Converted, mapping: &Mapping, kind: RecordKind, lang: Lang) {
    let ko = lang == Lang::Ko;
    let rows = |r: &[usize]| {
        r.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let what = match (kind, ko) {
        (k, false) => k.name(),
        (RecordKind::Incidents, true) => "사건",
        (RecordKind::Sources, true) => "출처",
        (RecordKind::Places, true) => "장소",
        (RecordKind::Persons, true) => "인물",
    };
    if ko {
        println!("매핑 (--save-mapping으로 저장해 고친 뒤 --mapping으로 다시 쓸 수 있습니다):\n");
    } else {
        println!("Mapping (save with --save-mapping, edit, reuse with --mapping):\n");
    }
    println!("{}", mapping.to_toml());
    if ko {
        println!(
            "{}행에서 {what} {}건을 만듭니다.",
            rows(&converted.rows),
            converted.rows.len()
        );
    } else {
        println!(
            "Would create {} {what} from rows {}.",
            converted.rows.len(),
            rows(&converted.rows)
        );
    }
    if !converted.already.is_empty() {
        if ko {
            println!("이미 가져온 행이라 뺍니다: {}행.", rows(&converted.already));
        } else {
            println!(
                "Already imported, left out: rows {}.",
                rows(&converted.already)
            );
        }
    }
    for m in &converted.matched {
        println!("{}", m.describe(lang));
    }
    if ko {
        println!("아무것도 쓰지 않았습니다 (--check).");
    } else {
        println!("Nothing was written (--check).");
    }
}

pub(crate) async fn import(
    cli: &Cli,
    file: &Path,
    options: &Options<'_>,
) -> anyhow::Result<Outcome> {
    let lang = cli.lang.lang();
    let sheet = read(file, options.sheet)?;
    let mapping = mapping(options, &sheet)?;
    if let Some(path) = options.save_mapping {
        std::fs::write(path, mapping.to_toml())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let key = required_key(cli)?;
    let service = data_dir::service(&cli.data_dir, Some(&key)).await?;
    let existing = service.readable().await?;
    let vocab = Vocabularies::builtin();
    // Persons' ids are keyed (they must say nothing about the person).
    service.sheet_row_id(&[])?;
    let person_id = |parts: &[&str]| service.sheet_row_id(parts).unwrap_or_default();
    let mut converted =
        match refwatch_tabular::convert_with(&sheet, &mapping, &existing, &vocab, Some(&person_id))
        {
            Ok(c) => c,
            Err(problems) => {
                service.into_store().close().await;
                print_located(&problems, lang, file);
                return Ok(Outcome::Problems);
            }
        };
    // The converter writes the dataset file's form; it reads back here
    // with the JSON importer's own reader, so every rule is the same.
    let incoming = match refwatch_interchange::parse_value(std::mem::take(&mut converted.dataset)) {
        Ok(data) => data,
        Err(problems) => {
            service.into_store().close().await;
            let located: Vec<Located> = problems
                .iter()
                .map(|p| converted.locate(&p.path, &p.message))
                .collect();
            print_located(&located, lang, file);
            return Ok(Outcome::Problems);
        }
    };
    if options.check {
        let problems = refwatch_domain::validate_addition(
            &refwatch_domain::context_for(&existing, &incoming),
            &incoming,
            &vocab,
        );
        service.into_store().close().await;
        if !problems.is_empty() {
            let located: Vec<Located> = problems
                .iter()
                .map(|p| converted.locate(&p.path, &p.message))
                .collect();
            print_located(&located, lang, file);
            return Ok(Outcome::Problems);
        }
        print_check(&converted, &mapping, mapping.kind, lang);
        return Ok(Outcome::Ok);
    }
    if converted.rows.is_empty() && converted.already.is_empty() {
        service.into_store().close().await;
        eprintln!(
            "{} has no rows under its header row; nothing was imported",
            file.display()
        );
        return Ok(Outcome::Problems);
    }
    if converted.rows.is_empty() {
        service.into_store().close().await;
        println!(
            "Nothing new: all {} rows of {} were imported before.",
            converted.already.len(),
            file.display()
        );
        return Ok(Outcome::Ok);
    }
    let result = service.import(&incoming).await;
    service.into_store().close().await;
    match result {
        Ok(_) => {
            println!(
                "Imported {} from {} rows of {}{}.",
                describe(&incoming),
                converted.rows.len(),
                file.display(),
                if converted.already.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} rows were imported before and left out",
                        converted.already.len()
                    )
                }
            );
            Ok(Outcome::Ok)
        }
        Err(ServiceError::Invalid(problems)) => {
            let located: Vec<Located> = problems
                .iter()
                .map(|p| converted.locate(&p.path, &p.message))
                .collect();
            print_located(&located, lang, file);
            Ok(Outcome::Problems)
        }
        Err(e) => Err(e.into()),
    }
}

/// `export --list`: one list as CSV or XLSX (by the extension of `out`),
/// headers in the reader's language, no identities.
pub(crate) async fn export_list(
    cli: &Cli,
    out: &Path,
    list: ListArg,
    hxl: bool,
) -> anyhow::Result<Outcome> {
    use refwatch_tabular::lists::{self, List};
    let list = match list {
        ListArg::Incidents => List::Incidents,
        ListArg::Sources => List::Sources,
        ListArg::Citations => List::Citations,
        ListArg::Mechanisms => List::Mechanisms,
        ListArg::Persons => List::Persons,
    };
    let service = data_dir::service(&cli.data_dir, None).await?;
    let data = service.readable().await?;
    service.into_store().close().await;
    let table = lists::table(&data, list, cli.lang.lang(), None);
    let count = table.rows.len();
    if extension(out) == "xlsx" {
        let bytes = table
            .to_xlsx(hxl)
            .context("the workbook could not be made")?;
        std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
    } else if out.as_os_str() == "-" {
        print!("{}", table.to_csv(hxl));
        return Ok(Outcome::Ok);
    } else if extension(out) == "csv" {
        crate::dataset_cmds::write_out(out, &table.to_csv(hxl))?;
    } else {
        anyhow::bail!(
            "--out must end in .csv or .xlsx (or be - for CSV on standard output): {}",
            out.display()
        );
    }
    eprintln!("Wrote {count} rows to {}.", out.display());
    Ok(Outcome::Ok)
}
