//! `refwatch link csv`: de-duplicate one CSV file or link two, with a TOML
//! file naming each column's role. The engine is `refwatch-linkage`; this
//! module reads and writes files and says what it does.

use refwatch_stats::files::neutral;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use refwatch_domain::{PartialDate, Precision};
use refwatch_linkage::{
    Blocking, Compare, Field, Part, Progress, Record, Settings, Value, link_with_progress,
};
use serde::Deserialize;

use crate::Outcome;

/// The roles a column can have.
const ROLES: &str = "id, name, surname, given_name, birth_date, birth_year, age, age_reckoning, sex, origin, place, date, event_kind, identifier, text, exact, ignore";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Column name → role.
    columns: BTreeMap<String, String>,
    /// Pairs at or above this probability are links.
    threshold: Option<f64>,
    /// Pairs below this probability are counted, not written.
    min_probability: Option<f64>,
    /// Each of the two files names a person at most once.
    one_to_one: Option<bool>,
    /// Years apart a birth year may be and still count as close.
    birth_year_tolerance: Option<i32>,
    /// Days apart two birth dates may be and still count as close (a
    /// birthday kept by the lunar calendar moves by weeks).
    birth_date_tolerance_days: Option<i32>,
    /// Days apart two dates may be and still count as close.
    date_tolerance_days: Option<i32>,
    /// Blocking rules: records that agree exactly on every column of one
    /// rule are compared (on the year, for a birth column). Default: see
    /// docs/link-csv.md.
    blocking: Option<Vec<Vec<String>>>,
    /// Pairs of `text` columns sometimes written in each other's place
    /// (a given name and a surname, two address lines).
    swapped: Option<Vec<[String; 2]>>,
    /// How ages are reckoned where no `age_reckoning` column says:
    /// "international", "korean" or "unknown" (the default).
    age_reckoning: Option<String>,
    /// Most rounds of expectation–maximisation (default 1,000).
    em_rounds: Option<usize>,
    /// Days a late stage of an episode (a repatriation) may follow an
    /// early one (an arrest) and still be one episode (default 180).
    episode_window_days: Option<i32>,
    /// The language of the levels written in pairs.csv: "en" (default)
    /// or "ko", for a reviewer reading Korean.
    language: Option<String>,
    /// How names are read: "korean" (in any script, as Korean names),
    /// "other" (as text: English, Chinese names), or, left out, whichever
    /// most names in the files are.
    name_language: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Role {
    /// The row's own id, carried into pairs.csv and clusters.csv.
    Id,
    Name,
    Surname,
    GivenName,
    BirthDate,
    BirthYear,
    /// An age at the time of the row's date: gives a birth year.
    Age,
    /// How the row's age is reckoned ("international", "korean").
    AgeReckoning,
    Sex,
    /// Where a person comes from (a home province and town).
    Origin,
    Place,
    Date,
    /// What the row reports (arrest, repatriation...): with a date, the
    /// stage of an episode the date is; without, a field of its own.
    EventKind,
    Identifier,
    /// A column compared by string similarity, as its own field.
    Text,
    /// A column compared exactly, as its own field.
    Exact,
    Ignore,
}

fn role(text: &str) -> Option<Role> {
    Some(match text {
        "id" => Role::Id,
        "name" => Role::Name,
        "surname" => Role::Surname,
        "given_name" => Role::GivenName,
        "birth_date" => Role::BirthDate,
        "birth_year" => Role::BirthYear,
        "age" => Role::Age,
        "age_reckoning" => Role::AgeReckoning,
        "event_kind" => Role::EventKind,
        "sex" => Role::Sex,
        "origin" => Role::Origin,
        "place" => Role::Place,
        "date" => Role::Date,
        "identifier" => Role::Identifier,
        "text" => Role::Text,
        "exact" => Role::Exact,
        "ignore" => Role::Ignore,
        _ => return None,
    })
}

/// The fields built from the roles present, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Built {
    Name,
    /// The birth date, or year, whichever the files give.
    Birth,
    Sex,
    Origin,
    Place,
    Date,
    EventKind,
    Identifier,
    /// A `text` or `exact` column, by its name.
    Column(String),
}

/// Days since 1970-01-01 of a whole date (see [`partial_date`]); a date
/// that is not a real day (2023-02-30), or not a whole day, is none.
fn days(text: &str) -> Option<i32> {
    let date = partial_date(text)?;
    if date.precision() != Precision::Day {
        return None;
    }
    i32::try_from(date.first_day_number()).ok()
}

/// A date as lists write it, to the day, the month or the year:
/// "2013-11-19", "2013.11.19", "2013/11/19", "20131119", "2013-11",
/// "2013년 11월 19일", "2013년 11월", "19 November 2013", "Nov 2013", "2013".
/// `None` when it is no date, or not a real one (2023-02-30).
fn partial_date(text: &str) -> Option<PartialDate> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let text = text.trim();
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return partial_date(&format!("{}-{}-{}", &text[..4], &text[4..6], &text[6..]));
    }
    let (mut numbers, mut month_named) = (Vec::new(), None);
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .flat_map(|w| w.split(['년', '월', '일']))
        .filter(|w| !w.is_empty())
    {
        if let Ok(n) = word.parse::<u32>() {
            numbers.push((n, word.len()));
        } else {
            let lower = word.to_lowercase();
            month_named = MONTHS
                .iter()
                .position(|m| lower.starts_with(m))
                .map(|m| m as u32 + 1)
                .or(month_named);
            // A word that is no month: not a date.
            month_named?;
        }
    }
    let (year, rest): (u32, Vec<u32>) = match numbers.iter().position(|&(_, len)| len == 4) {
        Some(at) => (
            numbers[at].0,
            numbers
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != at)
                .map(|(_, n)| n.0)
                .collect(),
        ),
        None => return None,
    };
    let year = i32::try_from(year)
        .ok()
        .filter(|y| (1850..=2100).contains(y))?;
    // Year first: year, month, day; a named month: the day is the number left.
    let (month, day) = match (month_named, rest.as_slice()) {
        (Some(m), []) => (Some(m), None),
        (Some(m), [d]) => (Some(m), Some(*d)),
        (None, []) => (None, None),
        (None, [m]) => (Some(*m), None),
        (None, [m, d]) => (Some(*m), Some(*d)),
        _ => return None,
    };
    let small = |n: u32| u8::try_from(n).ok();
    match (month, day) {
        (None, _) => Some(PartialDate::year(year)),
        (Some(m), None) => PartialDate::month(year, small(m)?).ok(),
        (Some(m), Some(d)) => PartialDate::day(year, small(m)?, small(d)?).ok(),
    }
}

/// An event's date as a day: the day when known; a date known to the
/// month is taken as the middle of its month, so that with the default
/// tolerance of 30 days every day of the month is close to it. A date
/// known only to the year says too little to compare, and is missing.
fn event_day(text: &str) -> Option<i32> {
    let date = partial_date(text)?;
    let first = i32::try_from(date.first_day_number()).ok()?;
    match date.precision() {
        Precision::Day => Some(first),
        Precision::Month => Some(first + 14),
        _ => None,
    }
}

/// The birth year an age gives: the year of the row's date less the age.
/// In Korean reckoning a person is one at birth and a year older each new
/// year, so the birth year is one later; in international reckoning the
/// birthday may not have come yet that year (a year earlier), which
/// the comparison's tolerance of a year covers. Unknown reckoning is
/// taken as international. `None` for ages no one has.
fn born_from_age(age: &str, date: &str, korean: bool) -> Option<i32> {
    let digits: String = age
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let age: i32 = digits.parse().ok().filter(|a| (0..=120).contains(a))?;
    let year = partial_date(date)?.get_year();
    Some(year - age + i32::from(korean))
}

/// A date's eight digits (YYYYMMDD) as written, separators set aside,
/// whether or not they make a real day.
fn date_digits(text: &str) -> Option<u32> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '-' | '/' | '.'))
        .collect();
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

fn year_of(text: &str) -> Option<i32> {
    let digits: String = text.trim().chars().take(4).collect();
    let year: Option<i32> = digits.parse().ok();
    year.filter(|y| (1850..=2100).contains(y))
        .or_else(|| partial_date(text).map(|d| d.get_year()))
}

struct Layout {
    /// Column index of each role in this file.
    columns: Vec<(Role, usize)>,
    /// Whether ages are in Korean reckoning where no column says.
    korean_ages: bool,
    /// Column index of each `text` or `exact` column, by name.
    named: BTreeMap<String, usize>,
}

/// Where each configured column is in one file's header; a column the
/// file lacks is left out (the other file may have it).
fn layout(config: &Config, headers: &csv::StringRecord) -> Layout {
    let mut columns = Vec::new();
    let mut named = BTreeMap::new();
    for (column, role_text) in &config.columns {
        let Some(r) = role(role_text) else { continue };
        let Some(index) = headers.iter().position(|h| h.trim() == column) else {
            continue;
        };
        match r {
            Role::Ignore => {}
            Role::Text | Role::Exact => {
                named.insert(column.clone(), index);
            }
            _ => columns.push((r, index)),
        }
    }
    Layout {
        columns,
        named,
        korean_ages: config.age_reckoning.as_deref().and_then(reckoning) == Some(true),
    }
}

/// A sex as lists write it, in one form: "F", "female", "여", "여성",
/// "女" are "f"; "M", "male", "남", "남성", "男" are "m"; anything else as
/// written, in lower case.
fn sex(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    match lower.as_str() {
        "f" | "female" | "woman" | "w" | "여" | "여성" | "여자" | "女" | "女性" => {
            "f".into()
        }
        "m" | "male" | "man" | "남" | "남성" | "남자" | "男" | "男性" => "m".into(),
        _ => lower,
    }
}

/// What a row reports, in one form across languages: an arrest or
/// detention ("arrest", "detained", 체포, 구금, 拘留, 逮捕), a repatriation
/// (강제북송, 송환, "forcibly returned", 遣返), a transfer; anything else as
/// written, in lower case.
fn event_kind(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    const KINDS: &[(&str, &[&str])] = &[
        (
            "repatriation",
            &[
                "repatriat",
                "return",
                "deport",
                "북송",
                "송환",
                "遣返",
                "遣送",
                "强制",
                "refoul",
            ],
        ),
        (
            "arrest",
            &[
                "arrest",
                "detain",
                "detention",
                "caught",
                "captur",
                "체포",
                "구금",
                "검거",
                "拘留",
                "逮捕",
                "抓",
            ],
        ),
        ("transfer", &["transfer", "이송", "移送", "移交"]),
    ];
    KINDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map_or(lower, |(kind, _)| (*kind).to_owned())
}

/// The stage of an episode an event kind (as [`event_kind`] gives it) is.
fn stage(kind: &str) -> u8 {
    match kind {
        "arrest" => refwatch_linkage::STAGE_EARLY,
        "repatriation" | "transfer" => refwatch_linkage::STAGE_LATE,
        _ => refwatch_linkage::STAGE_UNKNOWN,
    }
}

/// Whether an age reckoning is Korean (`Some(true)`), international
/// (`Some(false)`) or not known (`None`).
fn reckoning(text: &str) -> Option<bool> {
    match text.trim() {
        "korean" | "ko" | "세는나이" | "한국 나이" | "한국나이" => Some(true),
        "international" | "intl" | "만" | "만 나이" | "만나이" => Some(false),
        _ => None,
    }
}

fn reader(path: &Path) -> anyhow::Result<(csv::Reader<std::fs::File>, csv::StringRecord)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{} has no header row", path.display()))?
        .clone();
    Ok((reader, headers))
}

fn fields_of(config: &Config) -> Vec<(Built, Field)> {
    let roles: Vec<Role> = config.columns.values().filter_map(|r| role(r)).collect();
    let has = |r: Role| roles.contains(&r);
    let mut out = Vec::new();
    if has(Role::Name) || has(Role::Surname) || has(Role::GivenName) {
        out.push((
            Built::Name,
            Field {
                name: "name".into(),
                compare: Compare::Name,
                term_frequency: true,
            },
        ));
    }
    // Birth dates and years are one field, so that a date and its year
    // do not count twice.
    let years = config.birth_year_tolerance.unwrap_or(1);
    if has(Role::BirthDate) {
        out.push((
            Built::Birth,
            Field {
                name: "birth_date".into(),
                compare: Compare::Birth {
                    years,
                    days: config.birth_date_tolerance_days.unwrap_or(60),
                },
                term_frequency: false,
            },
        ));
    } else if has(Role::BirthYear) || has(Role::Age) {
        out.push((
            Built::Birth,
            Field {
                name: "birth_year".into(),
                compare: Compare::Year { tolerance: years },
                term_frequency: false,
            },
        ));
    }
    if has(Role::Sex) {
        out.push((
            Built::Sex,
            Field {
                name: "sex".into(),
                compare: Compare::Exact,
                term_frequency: true,
            },
        ));
    }
    if has(Role::Origin) {
        out.push((
            Built::Origin,
            Field {
                name: "origin".into(),
                compare: Compare::Place,
                term_frequency: true,
            },
        ));
    }
    if has(Role::Place) {
        out.push((
            Built::Place,
            Field {
                name: "place".into(),
                compare: Compare::Place,
                term_frequency: false,
            },
        ));
    }
    let tolerance = config.date_tolerance_days.unwrap_or(30);
    if has(Role::Date) {
        out.push((
            Built::Date,
            Field {
                name: "date".into(),
                // With event kinds, dates are compared as an episode's
                // stages, and places by whether the events are one stage.
                compare: if has(Role::EventKind) {
                    Compare::Episode {
                        tolerance,
                        window: config.episode_window_days.unwrap_or(180),
                    }
                } else {
                    Compare::Day { tolerance }
                },
                term_frequency: false,
            },
        ));
        if has(Role::EventKind) {
            let episode = out.len() - 1;
            for (b, field) in &mut out {
                if *b == Built::Place {
                    field.compare = Compare::PlaceByStage { episode };
                }
            }
        }
    } else if has(Role::EventKind) {
        out.push((
            Built::EventKind,
            Field {
                name: "event_kind".into(),
                compare: Compare::Exact,
                term_frequency: true,
            },
        ));
    }
    if has(Role::Identifier) {
        out.push((
            Built::Identifier,
            Field {
                name: "identifier".into(),
                compare: Compare::Exact,
                term_frequency: false,
            },
        ));
    }
    for (column, r) in &config.columns {
        let compare = match role(r) {
            Some(Role::Text) => Compare::Text,
            Some(Role::Exact) => Compare::Exact,
            _ => continue,
        };
        out.push((
            Built::Column(column.clone()),
            Field {
                name: column.clone(),
                compare,
                term_frequency: true,
            },
        ));
    }
    // Columns that may be swapped: each compared also with the other.
    let position = |name: &str| {
        out.iter()
            .position(|(b, _)| matches!(b, Built::Column(c) if c == name))
    };
    let swaps: Vec<(usize, usize)> = config
        .swapped
        .iter()
        .flatten()
        .filter_map(|[x, y]| Some((position(x)?, position(y)?)))
        .collect();
    for (x, y) in swaps {
        out[x].1.compare = Compare::TextOrSwapped { with: y };
        out[y].1.compare = Compare::TextOrSwapped { with: x };
    }
    out
}

/// Checks the `swapped` pairs: two different `text` columns, each in one
/// pair at most.
fn check_swapped(config: &Config) -> anyhow::Result<()> {
    let mut used: Vec<&str> = Vec::new();
    for [x, y] in config.swapped.iter().flatten() {
        if x == y {
            bail!("swapped pairs {x:?} with itself; name two different columns");
        }
        for column in [x, y] {
            if config.columns.get(column).map(String::as_str) != Some("text") {
                bail!(
                    "swapped names {column:?}, which is not a column with the role \"text\"; only text columns can be swapped"
                );
            }
            if used.contains(&column.as_str()) {
                bail!("swapped names {column:?} twice; a column can be swapped with one other");
            }
            used.push(column);
        }
    }
    Ok(())
}

/// A place's path, broadest first, as the gazetteer knows it: "Jilin/
/// Yanbian/Yanji", "Yanji", 延吉市 and 연길 are all cn/jilin/yanbian/yanji
/// (see `refwatch-gazetteer`). Of the parts written ("Yanji, Jilin"), the
/// narrowest known one gives the path, and the parts after it that the
/// gazetteer does not know (a village) are kept as written. A place the
/// gazetteer does not know at all is its parts as written.
fn place_path(text: &str) -> Vec<String> {
    let parts: Vec<&str> = text
        .split(['/', '>', ',', '、', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let g = refwatch_gazetteer::gazetteer();
    let known: Vec<Option<Vec<&str>>> = parts
        .iter()
        .map(|p| g.resolve(p).map(|at| g.path(at)))
        .collect();
    let narrowest = known
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.as_ref().map(|k| (k.len(), i)))
        .max();
    match narrowest {
        Some((_, at)) => {
            let mut path: Vec<String> = known[at]
                .iter()
                .flatten()
                .map(|s| (*s).to_owned())
                .collect();
            path.extend(
                parts[at + 1..]
                    .iter()
                    .zip(&known[at + 1..])
                    .filter(|(_, k)| k.is_none())
                    .map(|(p, _)| p.to_lowercase()),
            );
            path
        }
        None => parts.iter().map(|p| (*p).to_owned()).collect(),
    }
}

/// Places already read, so that each place written alike is looked up
/// once.
#[derive(Default)]
struct PlaceCache(std::collections::HashMap<String, Vec<String>>);

impl PlaceCache {
    fn get(&mut self, text: &str) -> Value {
        if let Some(path) = self.0.get(text) {
            return Value::Place(path.clone());
        }
        let path = place_path(text);
        if self.0.len() < 1 << 20 {
            self.0.insert(text.to_owned(), path.clone());
        }
        Value::Place(path)
    }
}

fn value(
    built: &Built,
    row: &csv::StringRecord,
    layout: &Layout,
    places: &mut PlaceCache,
) -> Value {
    let get = |r: Role| {
        layout
            .columns
            .iter()
            .find(|(role, _)| *role == r)
            .and_then(|(_, i)| row.get(*i))
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    let text = |t: Option<&str>| t.map_or(Value::Missing, |t| Value::Text(t.to_owned()));
    match built {
        Built::Name => match (get(Role::Name), get(Role::Surname), get(Role::GivenName)) {
            (Some(n), _, _) => Value::Name(n.to_owned()),
            (None, Some(s), Some(g)) => Value::Name(format!("{s} {g}")),
            (None, Some(one), None) | (None, None, Some(one)) => Value::Name(one.to_owned()),
            (None, None, None) => Value::Missing,
        },
        // A birth date to the day, or its year; or the birth year.
        Built::Birth => {
            let date = get(Role::BirthDate);
            let digits = date.and_then(date_digits);
            match (date.and_then(days), date.and_then(year_of)) {
                (day @ Some(_), Some(year)) => Value::Born { year, day, digits },
                // A mistyped date (19561308) keeps its digits.
                (None, Some(year)) if digits.is_some() => Value::Born {
                    year,
                    day: None,
                    digits,
                },
                (_, Some(year)) => Value::Year(year),
                _ => get(Role::BirthYear)
                    .and_then(year_of)
                    .or_else(|| {
                        let korean = match get(Role::AgeReckoning).map(str::to_lowercase) {
                            Some(r) => reckoning(&r) == Some(true),
                            None => layout.korean_ages,
                        };
                        born_from_age(get(Role::Age)?, get(Role::Date)?, korean)
                    })
                    .map_or(Value::Missing, Value::Year),
            }
        }
        Built::Sex => get(Role::Sex).map_or(Value::Missing, |t| Value::Text(sex(t))),
        Built::Origin => get(Role::Origin).map_or(Value::Missing, |t| places.get(t)),
        Built::Place => get(Role::Place).map_or(Value::Missing, |t| places.get(t)),
        Built::Date => get(Role::Date)
            .and_then(event_day)
            .map_or(Value::Missing, |day| match get(Role::EventKind) {
                Some(kind) => Value::Event {
                    day,
                    stage: stage(&event_kind(kind)),
                },
                None => Value::Day(day),
            }),
        Built::EventKind => {
            get(Role::EventKind).map_or(Value::Missing, |t| Value::Text(event_kind(t)))
        }
        Built::Identifier => text(get(Role::Identifier)),
        Built::Column(name) => text(
            layout
                .named
                .get(name)
                .and_then(|i| row.get(*i))
                .map(str::trim)
                .filter(|t| !t.is_empty()),
        ),
    }
}

/// Reads one CSV file's rows as records, row by row.
fn read(
    mut reader: csv::Reader<std::fs::File>,
    path: &Path,
    list: u8,
    layout: &Layout,
    built: &[(Built, Field)],
    records: &mut Vec<Record>,
    ids: &mut Vec<String>,
) -> anyhow::Result<usize> {
    let id_column = layout
        .columns
        .iter()
        .find(|(r, _)| *r == Role::Id)
        .map(|(_, i)| *i);
    let mut row = csv::StringRecord::new();
    let mut count = 0;
    let mut places = PlaceCache::default();
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                bail!(
                    "{} line {line}: {}; fix the row (quote fields that hold commas) and run again; nothing was written",
                    path.display(),
                    match e.kind() {
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => format!("{len} fields where the header has {expected_len}"),
                        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
                        _ => "not readable as CSV".to_owned(),
                    }
                );
            }
        }
        count += 1;
        ids.push(
            id_column
                .and_then(|i| row.get(i))
                .map_or_else(String::new, |t| t.trim().to_owned()),
        );
        records.push(Record {
            id: format!("{list}:{count:09}"),
            list,
            values: built
                .iter()
                .map(|(b, _)| value(b, &row, layout, &mut places))
                .collect(),
        });
        if count % 100_000 == 0 {
            eprintln!("  read {count} rows of {}…", path.display());
        }
    }
    Ok(count)
}

fn csv_out(path: &Path) -> anyhow::Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))
}

pub(crate) fn csv(
    config_path: &Path,
    first: &Path,
    second: Option<&Path>,
    out: &Path,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let text = std::fs::read_to_string(config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let config: Config = toml::from_str(&text).with_context(|| {
        format!(
            "{} is not a link configuration (see docs/link-csv.md)",
            config_path.display()
        )
    })?;
    for r in config.columns.values() {
        if role(r).is_none() {
            bail!("the role {r:?} is not one of: {ROLES}");
        }
    }
    let files: Vec<&Path> = std::iter::once(first).chain(second).collect();
    let config = names_as_text(config, &files)?;
    check_swapped(&config)?;
    if let Some(r) = &config.age_reckoning
        && r != "unknown"
        && reckoning(r).is_none()
    {
        bail!("age_reckoning = {r:?}: write \"international\", \"korean\" or \"unknown\"");
    }
    if let Some(days) = config
        .episode_window_days
        .filter(|d| !(0..=3_650).contains(d))
    {
        bail!(
            "episode_window_days = {days}: write the days a repatriation may follow an arrest, 0 to 3650 (default 180)"
        );
    }
    if let Some(rounds) = config
        .em_rounds
        .filter(|r| !(1..=MOST_EM_ROUNDS).contains(r))
    {
        bail!(
            "em_rounds = {rounds}: write how many rounds the model may take to fit, 1 to {MOST_EM_ROUNDS} (the default is 1000)"
        );
    }
    let korean = match config.language.as_deref() {
        None | Some("en") => false,
        Some("ko") => true,
        Some(other) => bail!("language = {other:?}: write \"en\" or \"ko\""),
    };
    let built = fields_of(&config);
    if built.is_empty() {
        bail!(
            "the configuration names no column to compare; give at least a name, and ideally a birth year"
        );
    }
    // Every file's header first: a configured column found in no file is
    // a mistake to report before anything is read or written.
    let mut opened = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for path in &files {
        let (rows, headers) = reader(path)?;
        seen.extend(headers.iter().map(|h| h.trim().to_owned()));
        opened.push((rows, layout(&config, &headers)));
    }
    for (column, role_text) in &config.columns {
        if role_text != "ignore" && !seen.contains(column) {
            bail!(
                "no file has a column {column:?} (their columns: {}); fix the configuration",
                seen.join(", ")
            );
        }
    }
    // Each file read on a thread of its own, its records then taken in
    // the files' order; the first file's error, if any, is the one told.
    type Read = (Vec<Record>, Vec<String>);
    let read_each: Vec<anyhow::Result<Read>> = std::thread::scope(|scope| {
        let reading: Vec<_> = files
            .iter()
            .zip(opened)
            .enumerate()
            .map(|(list, (path, (rows, layout)))| {
                let built = &built;
                scope.spawn(move || {
                    let (mut records, mut ids) = (Vec::new(), Vec::new());
                    let n = read(
                        rows,
                        path,
                        list as u8,
                        &layout,
                        built,
                        &mut records,
                        &mut ids,
                    )?;
                    eprintln!("Read {n} rows from {}.", path.display());
                    Ok((records, ids))
                })
            })
            .collect();
        reading
            .into_iter()
            .map(|r| {
                r.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let (mut records, mut row_ids) = (Vec::new(), Vec::new());
    for part in read_each {
        let (mut r, mut i) = part?;
        records.append(&mut r);
        row_ids.append(&mut i);
    }
    let with_ids = config.columns.values().any(|r| r == "id");
    let blocking = blocking_rules(&config, &built)?;
    let mut settings = Settings::new(built.iter().map(|(_, f)| f.clone()).collect(), blocking);
    settings.across_lists_only = second.is_some();
    if config.one_to_one == Some(true) {
        if second.is_none() {
            bail!(
                "one_to_one = true is for linking two files, each naming a person at most once; give a second file or leave it out"
            );
        }
        settings.one_to_one = true;
    }
    if let Some(t) = config.threshold {
        settings.threshold = t;
    }
    if let Some(p) = config.min_probability {
        settings.min_probability = p;
    }
    if let Some(rounds) = config.em_rounds {
        settings.em_rounds = rounds;
    }
    eprintln!("Linking {} rows…", records.len());
    let step = Instant::now();
    let linkage = link_with_progress(&records, &settings, &mut |done| {
        let seconds = step.elapsed().as_secs_f64();
        match done {
            Progress::Prepared { records } => {
                eprintln!("  {seconds:6.1} s  names read in {records} rows");
            }
            Progress::Blocked { candidates } => {
                eprintln!("  {seconds:6.1} s  {candidates} candidate pairs");
            }
            Progress::Compared { patterns } => {
                eprintln!("  {seconds:6.1} s  compared ({patterns} patterns)");
            }
            Progress::Fitted { rounds } => {
                eprintln!("  {seconds:6.1} s  model fitted ({rounds} rounds)");
            }
            Progress::Scored { kept } => {
                eprintln!("  {seconds:6.1} s  scored; {kept} pairs kept");
            }
            _ => {}
        }
    })?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let name_of = |r: &Record| -> (String, String, String) {
        let (list, row) = r.id.split_once(':').unwrap_or(("0", "0"));
        let file = files
            .get(list.parse::<usize>().unwrap_or(0))
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (file, row.trim_start_matches('0').to_owned(), String::new())
    };
    let mut pairs = csv_out(&out.join("pairs.csv"))?;
    let mut header = vec![
        "file_a",
        "row_a",
        "file_b",
        "row_b",
        "probability",
        "match_weight",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    if with_ids {
        header.splice(4..4, ["id_a".to_owned(), "id_b".to_owned()]);
    }
    for (_, f) in &built {
        header.push(format!("{}_level", f.name));
        header.push(format!("{}_weight", f.name));
    }
    pairs.write_record(header.iter().map(|c| neutral(c).into_owned()))?;
    // Each record's file and row, made once.
    let places: Vec<(String, String, String)> = records
        .iter()
        .zip(row_ids)
        .map(|(r, id)| {
            let (file, row, _) = name_of(r);
            (file, row, id)
        })
        .collect();
    pairs.flush()?;
    let mut file = pairs.into_inner().map_err(|e| e.into_error())?;
    let mut links = 0;
    // Lines are made on every core, a block at a time, and written in order.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    for block in linkage.pairs.chunks(1 << 16) {
        let share = block.len().div_ceil(threads);
        let made: Vec<anyhow::Result<(Vec<u8>, usize)>> = std::thread::scope(|scope| {
            let parts: Vec<_> = block
                .chunks(share)
                .map(|part| {
                    let (places, built) = (&places, &built);
                    let threshold = settings.threshold;
                    scope
                        .spawn(move || pair_lines(part, places, built, threshold, with_ids, korean))
                })
                .collect();
            parts
                .into_iter()
                .map(|part| match part.join() {
                    Ok(made) => made,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        for part in made {
            let (bytes, found) = part?;
            file.write_all(&bytes)
                .with_context(|| format!("cannot write {}", out.join("pairs.csv").display()))?;
            links += found;
        }
    }
    file.flush()?;
    let mut clusters = csv_out(&out.join("clusters.csv"))?;
    if with_ids {
        clusters.write_record(["cluster", "file", "row", "id", "weakest_link"])?;
    } else {
        clusters.write_record(["cluster", "file", "row", "weakest_link"])?;
    }
    let mut weakest = String::new();
    for (n, c) in linkage.clusters.iter().enumerate() {
        fixed(&mut weakest, c.weakest_link, 6);
        let number = (n + 1).to_string();
        for &m in &c.members {
            let (file, row, id) = &places[m];
            if with_ids {
                clusters.write_record(
                    [number.as_str(), file, row, id, &weakest].map(|c| neutral(c).into_owned()),
                )?;
            } else {
                clusters.write_record(
                    [number.as_str(), file, row, &weakest].map(|c| neutral(c).into_owned()),
                )?;
            }
        }
    }
    clusters.flush()?;
    // The run in figures, for scripts (no names, no values).
    let summary = serde_json::json!({
        "rows": records.len(),
        "candidate_pairs": linkage.candidates,
        "pairs_written": linkage.pairs.len(),
        "min_probability": settings.min_probability,
        "threshold": settings.threshold,
        "links": links,
        "clusters": linkage.clusters.len(),
        // How the model was fitted: rounds run, and whether it settled
        // before the limit (em_rounds).
        "em_rounds": linkage.model.rounds,
        "em_settled": linkage.model.rounds < settings.em_rounds,
        "notes": linkage.diagnostics,
    });
    std::fs::write(
        out.join("summary.json"),
        serde_json::to_string_pretty(&summary)? + "\n",
    )
    .with_context(|| format!("cannot write {}", out.join("summary.json").display()))?;
    for d in &linkage.diagnostics {
        eprintln!("Note: {d}");
    }
    eprintln!(
        "{} rows, {} candidate pairs ({} written), {links} links at probability ≥ {}, {} clusters; written to {} in {:.1} s.",
        records.len(),
        linkage.candidates,
        linkage.pairs.len(),
        settings.threshold,
        linkage.clusters.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    // The process ends now: freeing millions of records and pairs one by
    // one would only keep the user waiting.
    std::mem::forget((records, linkage));
    Ok(Outcome::Ok)
}

/// The configuration's own blocking rules: each a list of columns that
/// must agree (a birth as written; "column:N" its first N characters).
fn configured_rules(
    config: &Config,
    rules: &[Vec<String>],
    built: &[(Built, Field)],
) -> anyhow::Result<Vec<Blocking>> {
    let position = |b: Built| built.iter().position(|(x, _)| *x == b);
    let mut blocking = Vec::new();
    for rule in rules {
        let mut parts = Vec::new();
        for written in rule {
            // "column" or "column:N", its first N characters.
            let (column, chars) = match written.rsplit_once(':') {
                Some((c, n)) if !config.columns.contains_key(written) => (
                    c.to_owned(),
                    Some(n.parse::<usize>().ok().filter(|n| *n > 0).with_context(|| {
                        format!("the blocking rule {rule:?} names {written:?}: after the colon, write how many characters (\"surname:3\")")
                    })?),
                ),
                _ => (written.clone(), None),
            };
            let column = &column;
            let Some(r) = config.columns.get(column).and_then(|r| role(r)) else {
                bail!(
                    "the blocking rule {rule:?} names {column:?}, which is not a configured column"
                );
            };
            // A birth's first four characters: its year.
            if chars == Some(4) && matches!(r, Role::BirthDate | Role::BirthYear | Role::Age) {
                if let Some(field) = position(Built::Birth) {
                    parts.push(Part::Near { field, within: 0 });
                }
                continue;
            }
            if let Some(chars) = chars {
                let Some(field) = (matches!(r, Role::Text | Role::Exact | Role::Identifier))
                    .then(|| match r {
                        Role::Identifier => position(Built::Identifier),
                        _ => position(Built::Column(column.clone())),
                    })
                    .flatten()
                else {
                    bail!(
                        "the blocking rule {rule:?} takes the beginning of {column:?}; only text, exact and identifier columns have one"
                    );
                };
                parts.push(Part::Prefix { field, chars });
                continue;
            }
            let wanted = match r {
                Role::Name | Role::Surname | Role::GivenName => Built::Name,
                Role::BirthDate | Role::BirthYear => Built::Birth,
                Role::Sex => Built::Sex,
                Role::Origin => Built::Origin,
                Role::Place => Built::Place,
                Role::Date => Built::Date,
                Role::Identifier => Built::Identifier,
                Role::Age => Built::Birth,
                Role::EventKind => Built::EventKind,
                Role::Text | Role::Exact => Built::Column(column.clone()),
                Role::Ignore | Role::Id | Role::AgeReckoning => {
                    bail!("the blocking rule {rule:?} names the ignored column {column:?}")
                }
            };
            // A birth column agrees as written: on the day when both
            // give one, on the year when either gives only the year.
            let part = |field| match wanted {
                Built::Birth => Part::Born(field),
                _ => Part::Same(field),
            };
            parts.extend(position(wanted.clone()).map(part));
        }
        if !parts.is_empty() {
            blocking.push(Blocking::All(parts));
        }
    }
    Ok(blocking)
}

/// A comparison level's name in Korean, for reviewers who read Korean
/// (see `language` in docs/link-csv.md).
fn level_in_korean(english: &str) -> &'static str {
    match english {
        "identical" => "똑같음",
        "same reading" => "같은 읽기",
        "same reading but for a typo" => "오타 하나 외 같은 읽기",
        "syllables in another order" => "음절 순서만 다름",
        "one syllable left out" => "음절 하나 빠짐",
        "all syllables but one" => "음절 하나만 다름",
        "partly" => "일부 같음",
        "same" => "같음",
        "close" => "가까움",
        "one within the other" => "한쪽이 다른 쪽 안",
        "same broader place" => "같은 상위 지역",
        "same day" => "같은 날",
        "close day" => "가까운 날",
        "same birthday in another year" => "다른 해의 같은 생일",
        "one typo apart" => "오타 하나 차이",
        "same year" => "같은 해",
        "close year" => "가까운 해",
        "other day" => "다른 날",
        "other stage" => "한 사건의 다른 단계",
        "same (other stage)" => "같음 (다른 단계)",
        "one within the other (other stage)" => "한쪽이 다른 쪽 안 (다른 단계)",
        "same broader place (other stage)" => "같은 상위 지역 (다른 단계)",
        "different (other stage)" => "다름 (다른 단계)",
        "very similar" => "매우 비슷함",
        "similar" => "비슷함",
        "swapped" => "서로 바뀜",
        "overlapping" => "겹침",
        "within a factor of two" => "두 배 이내",
        "missing" => "없음",
        _ => "다름",
    }
}

/// The most rounds of fitting a configuration may allow: each round is a
/// pass over the comparison patterns, and the model settles in hundreds.
const MOST_EM_ROUNDS: usize = 100_000;

/// Names sampled to tell their language.
const NAMES_SAMPLED: usize = 1_000;

/// The configuration with its name columns read as text when the names
/// are not Korean: `name_language = "other"`, or, without it, when fewer
/// than half the names in the first rows of the files can be read as
/// Korean names (English names are not forced into Korean readings). A
/// surname and a given name are then compared crosswise as well.
fn names_as_text(mut config: Config, files: &[&Path]) -> anyhow::Result<Config> {
    let name_roles = ["name", "surname", "given_name"];
    let columns: Vec<String> = config
        .columns
        .iter()
        .filter(|(_, r)| name_roles.contains(&r.as_str()))
        .map(|(c, _)| c.clone())
        .collect();
    let other = match config.name_language.as_deref() {
        Some("korean" | "ko") => false,
        Some("other" | "english" | "en" | "chinese" | "zh") => true,
        Some(l) => bail!(
            "name_language = {l:?}: write \"korean\", or \"other\" for names in other languages (English, Chinese), or leave it out"
        ),
        None if columns.is_empty() => false,
        None => {
            let (mut read, mut sampled) = (0usize, 0usize);
            for path in files {
                let (mut rows, headers) = reader(path)?;
                let at: Vec<usize> = columns
                    .iter()
                    .filter_map(|c| headers.iter().position(|h| h.trim() == c))
                    .collect();
                for row in rows.records().take(NAMES_SAMPLED).flatten() {
                    let name: Vec<&str> = at.iter().filter_map(|&i| row.get(i)).collect();
                    let name = name.join(" ");
                    if !name.trim().is_empty() {
                        sampled += 1;
                        read += usize::from(refwatch_names::looks_korean(&name));
                    }
                }
            }
            let other = sampled > 0 && read * 2 < sampled;
            if other {
                eprintln!(
                    "Note: {read} of {sampled} names sampled look Korean; names are compared as text (set name_language = \"korean\" to read them as Korean)."
                );
            }
            other
        }
    };
    if other {
        let with = |role: &str| -> Vec<String> {
            config
                .columns
                .iter()
                .filter(|(_, r)| *r == role)
                .map(|(c, _)| c.clone())
                .collect()
        };
        let (surnames, givens) = (with("surname"), with("given_name"));
        for c in &columns {
            config.columns.insert(c.clone(), "text".into());
        }
        if let ([surname], [given]) = (&surnames[..], &givens[..]) {
            let swapped = config.swapped.get_or_insert_with(Vec::new);
            if !swapped.iter().flatten().any(|c| c == surname || c == given) {
                swapped.push([given.clone(), surname.clone()]);
            }
        }
    }
    Ok(config)
}

/// The blocking rules: the configuration's own, or the defaults for the
/// fields there are (see docs/link-csv.md).
fn blocking_rules(config: &Config, built: &[(Built, Field)]) -> anyhow::Result<Vec<Blocking>> {
    let position = |b: Built| built.iter().position(|(x, _)| *x == b);
    // How far apart a field's numbers may be and still be near: its
    // comparison's tolerance (a birth's years, a date's days).
    let near = |field: usize| Part::Near {
        field,
        within: match built[field].1.compare {
            Compare::Birth { years, .. } => years,
            Compare::Year { tolerance }
            | Compare::Day { tolerance }
            | Compare::Episode { tolerance, .. } => tolerance,
            _ => 0,
        }
        .max(0),
    };
    let mut blocking = Vec::new();
    match (position(Built::Name), position(Built::Birth)) {
        (Some(name), Some(birth)) => {
            // Names that read the same in full born within the tolerance
            // of each other; given names that read the same born as
            // written alike, the same day or, where either gives only the
            // year, the same year, of the same sex, in the same place or
            // one within the other (surname spelled differently or
            // mistyped).
            blocking.push(Blocking::All(vec![Part::Reading(name), near(birth)]));
            let mut parts = vec![Part::Sound(name), Part::Born(birth)];
            parts.extend(position(Built::Sex).map(Part::Same));
            if let Some(place) = position(Built::Place) {
                // (And where one of the two has no place.)
                let mut unplaced = parts.clone();
                unplaced.push(Part::Unknown(place));
                blocking.push(Blocking::All(unplaced));
                parts.push(Part::Within(place));
            }
            blocking.push(Blocking::All(parts));
            // Where one of the two has no birth: names that read the same
            // in the same place or one within the other (one list giving
            // the town, the other only the province; anywhere, without
            // places).
            let mut parts = vec![Part::Reading(name), Part::Unknown(birth)];
            parts.extend(position(Built::Place).map(Part::Within));
            parts.extend(position(Built::Sex).map(Part::Same));
            blocking.push(Blocking::All(parts));
            if let Some(date) = position(Built::Date) {
                // The same date and a birth year within the tolerance,
                // whatever the names say (mistyped, or read no way the
                // tables know); or, with places, the same date and place
                // where one of the two has no birth.
                blocking.push(Blocking::All(vec![Part::Same(date), near(birth)]));
                if let Some(place) = position(Built::Place) {
                    blocking.push(Blocking::All(vec![
                        Part::Same(date),
                        Part::Unknown(birth),
                        Part::Same(place),
                    ]));
                }
            }
        }
        (Some(name), None) => blocking.push(Blocking::NameReading(name)),
        (None, Some(birth)) => {
            let mut parts = vec![Part::Near {
                field: birth,
                within: 0,
            }];
            parts.extend(position(Built::Place).map(Part::Same));
            blocking.push(Blocking::All(parts));
        }
        (None, None) => {}
    }
    if let (Some(name), Some(date)) = (position(Built::Name), position(Built::Date)) {
        // Names that read the same on records dated close together (the
        // same detention, say), for records without a birth year.
        blocking.push(Blocking::All(vec![Part::Reading(name), near(date)]));
    }
    if let Some(id) = position(Built::Identifier) {
        blocking.push(Blocking::Same(vec![id]));
    }
    if let Some(birth) = position(Built::Birth)
        && matches!(built[birth].1.compare, Compare::Birth { .. })
    {
        // Born the same day (a birth as a key is its day), with surnames
        // that may read the same when there are names: given names with a
        // typo, or read no way the tables know.
        let mut parts = vec![Part::Same(birth)];
        parts.extend(position(Built::Name).map(Part::Surname));
        blocking.push(Blocking::All(parts));
    }
    if let Some(rules) = &config.blocking {
        blocking = configured_rules(config, rules, built)?;
    }
    if blocking.is_empty() {
        bail!(
            "give a name, a birth year or an identifier column: without one, every row would be compared with every other"
        );
    }
    Ok(blocking)
}

/// The lines of `pairs.csv` for some pairs, and how many of them are links.
fn pair_lines(
    pairs: &[refwatch_linkage::ScoredPair],
    places: &[(String, String, String)],
    built: &[(Built, Field)],
    threshold: f64,
    with_ids: bool,
    korean: bool,
) -> anyhow::Result<(Vec<u8>, usize)> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // The rows' file and row, their ids (with an id column), then the
    // probability, the weight and each field's level and weight.
    let first = if with_ids { 6 } else { 4 };
    let mut cells = vec![String::new(); first + 2 + 2 * built.len()];
    let mut links = 0;
    for p in pairs {
        if p.probability >= threshold {
            links += 1;
        }
        let ((fa, ra, ia), (fb, rb, ib)) = (&places[p.a], &places[p.b]);
        for (cell, text) in cells.iter_mut().zip([fa, ra, fb, rb, ia, ib]) {
            cell.clone_from(text);
        }
        fixed(&mut cells[first], p.probability, 6);
        fixed(&mut cells[first + 1], p.weight, 3);
        for (f, (_, field)) in built.iter().enumerate() {
            let level = &mut cells[first + 2 + 2 * f];
            level.clear();
            let name = p.levels[f].map_or("missing", |l| field.compare.level_name(l));
            level.push_str(if korean { level_in_korean(name) } else { name });
            fixed(&mut cells[first + 3 + 2 * f], p.field_weights[f], 3);
        }
        writer.write_record(cells.iter().map(|c| neutral(c).into_owned()))?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok((bytes, links))
}

/// Writes `x` into `out` with `places` decimals (at most 9), as `{:.N}`
/// would but without its exact-decimal machinery: a pairs file holds
/// millions of such numbers.
fn fixed(out: &mut String, x: f64, places: u32) {
    use std::fmt::Write as _;
    out.clear();
    let scale = 10u64.pow(places.min(9));
    let scaled = (x.abs() * scale as f64).round();
    if !scaled.is_finite() || scaled >= u64::MAX as f64 {
        let _ = write!(out, "{x:.*}", places as usize);
        return;
    }
    let scaled = scaled as u64;
    if x.is_sign_negative() && scaled > 0 {
        out.push('-');
    }
    let _ = write!(
        out,
        "{}.{:0width$}",
        scaled / scale,
        scaled % scale,
        width = places as usize
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixed_writes_what_format_writes() {
        let mut out = String::new();
        // Probabilities, weights and edge values; seeded, not random.
        let mut x = 0.123_456_789_f64;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            0.9,
            0.999_999_7,
            -12.345_6,
            1e-9,
            123_456.789,
        ];
        for _ in 0..2_000 {
            x = (x * 7_919.123_4).fract();
            values.push(x);
            values.push((x - 0.5) * 60.0);
        }
        for v in values {
            for places in [3, 6] {
                fixed(&mut out, v, places);
                let expected = format!("{v:.*}", places as usize);
                let expected = expected
                    .strip_prefix("-")
                    .filter(|e| e.trim_matches(['0', '.']).is_empty())
                    .map_or(expected.clone(), str::to_owned);
                assert_eq!(out, expected, "{v} to {places} places");
            }
        }
    }

    use super::*;

    #[test]
    fn dates_count_days_from_1970() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2023-10-09"), Some(19_639));
        assert_eq!(
            days("2024-02-29").map(|d| d - days("2024-02-28").unwrap_or(0)),
            Some(1)
        );
        assert_eq!(days("2023-13-01"), None);
        assert_eq!(days("2023-02-30"), None, "not a real day");
        assert_eq!(days("2023-10"), None, "not a whole day");
        assert_eq!(days("yesterday"), None);
        assert_eq!(days("20231009"), days("2023-10-09"));
        assert_eq!(year_of("1985-03-02"), Some(1985));
        assert_eq!(year_of("1985년 3월"), Some(1985));
        assert_eq!(year_of("85"), None);
    }

    #[test]
    fn dates_are_read_to_the_day_the_month_or_the_year() {
        let day = |y, m, d| PartialDate::day(y, m, d).ok();
        for text in [
            "2013-11-19",
            "2013.11.19",
            "2013/11/19",
            "20131119",
            "2013년 11월 19일",
            "19 November 2013",
            "Nov 19, 2013",
        ] {
            assert_eq!(partial_date(text), day(2013, 11, 19), "{text}");
        }
        for text in [
            "2013-11",
            "2013.11",
            "2013년 11월",
            "November 2013",
            "Nov. 2013",
        ] {
            assert_eq!(
                partial_date(text),
                PartialDate::month(2013, 11).ok(),
                "{text}"
            );
        }
        assert_eq!(partial_date("2013"), Some(PartialDate::year(2013)));
        for text in [
            "",
            "yesterday",
            "2013-13",
            "2013-02-30",
            "13-11-19",
            "1-2-3-2013",
        ] {
            assert_eq!(partial_date(text), None, "{text}");
        }
        // A month is the middle of the month: every day of it is close.
        let mid = event_day("2013-11").unwrap_or(0);
        for d in ["2013-11-01", "2013-11-30"] {
            assert!((event_day(d).unwrap_or(0) - mid).abs() <= 15, "{d}");
        }
        assert_eq!(
            event_day("2013"),
            None,
            "a year alone is too vague to compare"
        );
    }

    #[test]
    fn every_level_has_a_korean_name() {
        let compares = [
            Compare::Name,
            Compare::Exact,
            Compare::Text,
            Compare::TextOrSwapped { with: 0 },
            Compare::Year { tolerance: 1 },
            Compare::Day { tolerance: 1 },
            Compare::Birth { years: 1, days: 1 },
            Compare::Place,
            Compare::Episode {
                tolerance: 1,
                window: 9,
            },
            Compare::PlaceByStage { episode: 0 },
            Compare::Count,
        ];
        for c in compares {
            for l in 0..c.level_count() {
                let english = c.level_name(l as u8);
                let korean = level_in_korean(english);
                assert!(
                    english == "different" || korean != "다름",
                    "{english} has no Korean name"
                );
            }
        }
    }

    #[test]
    fn sexes_and_event_kinds_are_one_form_in_any_language() {
        for f in ["F", "female", "여", "여성", "女"] {
            assert_eq!(sex(f), "f", "{f}");
        }
        for m in ["M", "Male", "남", "男"] {
            assert_eq!(sex(m), "m", "{m}");
        }
        assert_eq!(sex("X"), "x");
        for r in ["repatriation", "Forcibly repatriated", "강제북송", "遣返"] {
            assert_eq!(event_kind(r), "repatriation", "{r}");
        }
        for a in ["arrest", "detention", "Detained", "체포", "拘留"] {
            assert_eq!(event_kind(a), "arrest", "{a}");
        }
        assert_eq!(event_kind("Released"), "released");
    }

    #[test]
    fn an_age_gives_a_birth_year_by_its_reckoning() {
        assert_eq!(born_from_age("27", "2013-11-19", false), Some(1986));
        assert_eq!(born_from_age("27세", "2013년 11월", true), Some(1987));
        assert_eq!(born_from_age("27", "", false), None, "no date, no year");
        assert_eq!(born_from_age("about", "2013", false), None);
        assert_eq!(born_from_age("300", "2013", false), None);
        assert_eq!(reckoning("korean"), Some(true));
        assert_eq!(reckoning("international"), Some(false));
        assert_eq!(reckoning("unknown"), None);
    }
}
