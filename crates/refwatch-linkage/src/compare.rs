//! Fields, values and comparison levels.

use std::sync::Arc;

use refwatch_names::{Agreement, ParsedName};

use crate::Fast;

/// A value of one field of a record. Its `Debug` output hides names,
/// texts and days of birth (which may identify someone); other numbers and
/// places show.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// Not known.
    Missing,
    /// A name in any script (Hangul, Chinese characters, any romanisation).
    Name(String),
    /// One name written several ways (in Hangul, romanised, in Chinese
    /// characters): two records agree as well as their closest forms do.
    Names(Vec<String>),
    /// A count of people: at least `low`, at most `high` when known.
    Count {
        /// The fewest.
        low: u64,
        /// The most, when bounded.
        high: Option<u64>,
    },
    /// A value compared as it is written (sex, an identifier).
    Text(String),
    /// A year (of birth, say).
    Year(i32),
    /// A day, as days since any fixed day.
    Day(i32),
    /// A birth known to its year, and to the day when `day` is given
    /// (days since any fixed day, the same for every record).
    Born {
        /// The year of birth.
        year: i32,
        /// The day of birth, when known.
        day: Option<i32>,
        /// The date's eight digits as written (YYYYMMDD), when it has
        /// them, even if they are not a real day (19561308, mistyped): two
        /// dates one typo apart are a level of their own.
        digits: Option<u32>,
    },
    /// A place as its path from the broadest to the narrowest
    /// (["Jilin", "Yanbian", "Yanji"]).
    Place(Vec<String>),
    /// A reported event: its day and its stage ([`STAGE_UNKNOWN`],
    /// [`STAGE_EARLY`] for an arrest or detention, [`STAGE_LATE`] for a
    /// repatriation), for [`Compare::Episode`].
    Event {
        /// The day, as days since any fixed day.
        day: i32,
        /// The stage of the episode the event is.
        stage: u8,
    },
}

/// An event's stage not known.
pub const STAGE_UNKNOWN: u8 = 0;
/// An event early in an episode: an arrest, a detention.
pub const STAGE_EARLY: u8 = 1;
/// An event late in an episode: a transfer to the border, a repatriation.
pub const STAGE_LATE: u8 = 2;

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Missing => f.write_str("Missing"),
            Value::Name(_) => f.write_str("Name(<redacted>)"),
            Value::Names(n) => write!(f, "Names(<{} redacted>)", n.len()),
            Value::Count { low, high } => write!(f, "Count({low}, {high:?})"),
            Value::Text(_) => f.write_str("Text(<redacted>)"),
            Value::Year(y) => write!(f, "Year({y})"),
            Value::Day(d) => write!(f, "Day({d})"),
            // A whole birth date can identify someone; its day stays out.
            Value::Born { year, day, digits } => match (day, digits) {
                (None, None) => write!(f, "Born({year})"),
                _ => write!(f, "Born({year}, <day redacted>)"),
            },
            Value::Place(p) => write!(f, "Place({p:?})"),
            Value::Event { day, stage } => write!(f, "Event({day}, {stage})"),
        }
    }
}

/// How a field is compared, and so its levels (0 is the strongest).
#[derive(Debug, Clone, PartialEq)]
pub enum Compare {
    /// Names by their Korean reading: 0 identical, 1 same reading, 2 the
    /// same reading once a word is taken for a typo ("Gimm", "Sng"), 3
    /// every syllable in another order (given syllables swapped), 4 one
    /// syllable left out, 5 all syllables but one, 6 partly, 7 different.
    Name,
    /// Exact: 0 same, 1 different.
    Exact,
    /// Text by string similarity (Jaro–Winkler), for names in other
    /// languages, streets, towns: 0 same, 1 at least 0.92, 2 at least 0.8,
    /// 3 different.
    Text,
    /// Text that may be written in another field's place (a given name
    /// and a surname, two address lines, swapped between columns), as
    /// Splink's reversed columns: 0 same, 1 at least 0.92, 2 at least 0.8,
    /// 3 not very similar as written but very similar (at least 0.92) to
    /// the other record's field `with`, either way round, 4 different.
    TextOrSwapped {
        /// The field (by its place among the fields) this one may be
        /// swapped with.
        with: usize,
    },
    /// Years: 0 same, 1 within the tolerance, 2 further apart.
    Year {
        /// Years apart still counted as close.
        tolerance: i32,
    },
    /// Days: 0 same, 1 within the tolerance, 2 further apart.
    Day {
        /// Days apart still counted as close.
        tolerance: i32,
    },
    /// Births known to the day or only to the year, as one field (so that
    /// a date and its year are not counted twice): 0 the same day (or the
    /// same digits as written), 1 days within `days` (a birthday kept by
    /// the lunar calendar moves by weeks), 2 the same birthday in another
    /// year within `years` (a year misremembered or reckoned another way,
    /// as Korean age counting does, the day and month kept), 3 dates one
    /// typo apart (one digit changed, or two next to each other swapped),
    /// 4 the same year (a day unknown on one side), 5 years within
    /// `years`, 6 both days known and further apart than `days` though the
    /// years are close, 7 different.
    Birth {
        /// Years apart still counted as close.
        years: i32,
        /// Days apart still counted as close.
        days: i32,
    },
    /// Places: 0 the same, 1 one within the other (Yanji and Yanbian, as
    /// a list that gives only the broader place writes it), 2 within the
    /// same broader place (Yanji and Tumen, both in Yanbian), 3 different.
    Place,
    /// Events of an episode (an arrest, then a repatriation weeks later):
    /// 0 the same day, 1 days within `tolerance`, both of one stage (or
    /// a stage unknown), 2 the other stage of one episode (an early
    /// event and a late one no more than `window` days after it, or
    /// `tolerance` days before), 3 different.
    Episode {
        /// Days apart still counted as close.
        tolerance: i32,
        /// Days a late stage may follow an early one.
        window: i32,
    },
    /// Places where the pair's `episode` field may say they are of two
    /// stages (an arrest in Yanji, a repatriation through Tumen): levels
    /// 0 to 3 as [`Compare::Place`] when the events are of one stage, 4 to
    /// 7 the same when they are the other stage of one episode, so that
    /// the model learns what places say in each case.
    PlaceByStage {
        /// The field (by its place among the fields) with the events.
        episode: usize,
    },
    /// Counts of people: 0 the same, 1 ranges that overlap ("over 50" and
    /// "nearly 50" can be one group), 2 within a factor of two, 3 further.
    Count,
}

impl Compare {
    /// How many levels this comparison has.
    pub fn level_count(&self) -> usize {
        match self {
            Compare::Name => 8,
            Compare::Exact => 2,
            Compare::Text => 4,
            Compare::TextOrSwapped { .. } => 5,
            Compare::Year { .. } | Compare::Day { .. } => 3,
            Compare::Place => 4,
            Compare::Episode { .. } => 4,
            Compare::PlaceByStage { .. } => 8,
            Compare::Count => 4,
            Compare::Birth { .. } => 8,
        }
    }

    /// A level's name, for explanations.
    pub fn level_name(&self, level: u8) -> &'static str {
        match (self, level) {
            (Compare::Name, 0) => "identical",
            (Compare::Name, 1) => "same reading",
            (Compare::Name, 2) => "same reading but for a typo",
            (Compare::Name, 3) => "syllables in another order",
            (Compare::Name, 4) => "one syllable left out",
            (Compare::Name, 5) => "all syllables but one",
            (Compare::Name, 6) => "partly",
            (Compare::Exact, 0) | (Compare::Place, 0) => "same",
            (Compare::Year { .. } | Compare::Day { .. }, 0) => "same",
            (Compare::Year { .. } | Compare::Day { .. }, 1) => "close",
            (Compare::Place, 1) => "one within the other",
            (Compare::Place, 2) => "same broader place",
            (Compare::Episode { .. }, 0) => "same day",
            (Compare::Episode { .. }, 1) => "close",
            (Compare::Episode { .. }, 2) => "other stage",
            (Compare::PlaceByStage { .. }, 0) => "same",
            (Compare::PlaceByStage { .. }, 1) => "one within the other",
            (Compare::PlaceByStage { .. }, 2) => "same broader place",
            (Compare::PlaceByStage { .. }, 3) => "different",
            (Compare::PlaceByStage { .. }, 4) => "same (other stage)",
            (Compare::PlaceByStage { .. }, 5) => "one within the other (other stage)",
            (Compare::PlaceByStage { .. }, 6) => "same broader place (other stage)",
            (Compare::PlaceByStage { .. }, 7) => "different (other stage)",
            (Compare::Text | Compare::TextOrSwapped { .. }, 0) => "same",
            (Compare::Text | Compare::TextOrSwapped { .. }, 1) => "very similar",
            (Compare::Text | Compare::TextOrSwapped { .. }, 2) => "similar",
            (Compare::TextOrSwapped { .. }, 3) => "swapped",
            (Compare::Count, 0) => "same",
            (Compare::Count, 1) => "overlapping",
            (Compare::Count, 2) => "within a factor of two",
            (Compare::Birth { .. }, 0) => "same day",
            (Compare::Birth { .. }, 1) => "close day",
            (Compare::Birth { .. }, 2) => "same birthday in another year",
            (Compare::Birth { .. }, 3) => "one typo apart",
            (Compare::Birth { .. }, 4) => "same year",
            (Compare::Birth { .. }, 5) => "close year",
            (Compare::Birth { .. }, 6) => "other day",
            _ => "different",
        }
    }
}

/// One field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Its name, for explanations.
    pub name: String,
    /// How it is compared.
    pub compare: Compare,
    /// Whether agreement on a common value weighs less than on a rare one.
    pub term_frequency: bool,
}

/// A value made ready for comparing (no `Debug`: it may be a name).
#[derive(Clone, PartialEq)]
pub(crate) enum Ready {
    Missing,
    /// A name's forms (one at least), each read once; the first form's
    /// squeezed letters are its term. Records that write a name alike
    /// share one reading.
    Name(Arc<[ParsedName]>),
    /// A count: low and high (`u64::MAX` when open).
    Range(u64, u64),
    Text(String),
    Number(i32),
    /// A birth: its year, its day when known, its digits as written.
    Birth(i32, Option<i32>, Option<u32>),
    Place(Vec<String>),
    /// An event: its day and its stage.
    Event(i32, u8),
}

impl Ready {
    /// The value's term for frequencies, if it has one.
    pub(crate) fn term(&self) -> Option<&str> {
        match self {
            Ready::Name(forms) => forms.first().map(ParsedName::squeezed),
            Ready::Text(t) => Some(t),
            // Places agreeing exactly agree on their narrowest part.
            Ready::Place(path) => path.last().map(String::as_str),
            _ => None,
        }
    }
}

/// Values made ready, per record, per field.
pub(crate) type Prepared = Vec<Vec<Ready>>;

/// Makes every value ready; values of the wrong kind for their field are
/// counted as missing and reported once per field.
pub(crate) fn prepare(
    records: &[crate::Record],
    fields: &[Field],
    diagnostics: &mut Vec<String>,
) -> Prepared {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let wrong: Vec<AtomicUsize> = fields.iter().map(|_| AtomicUsize::new(0)).collect();
    let count_wrong = |f: usize| {
        wrong[f].fetch_add(1, Ordering::Relaxed);
    };
    // Each name written alike is read once: lists repeat names.
    let mut distinct: Fast<&str, usize> = Fast::default();
    let mut texts: Vec<&str> = Vec::new();
    for r in records {
        for (v, field) in r.values.iter().zip(fields) {
            if let (Compare::Name, Value::Name(t) | Value::Text(t)) = (&field.compare, v) {
                distinct.entry(t.as_str()).or_insert_with(|| {
                    texts.push(t);
                    texts.len() - 1
                });
            }
        }
    }
    let read: Vec<Ready> = texts
        .par_iter()
        .map(|t| name_forms(std::slice::from_ref(t)))
        .collect();
    let out = records
        .par_iter()
        .map(|r| {
            r.values
                .iter()
                .zip(fields)
                .enumerate()
                .map(|(f, (v, field))| match (&field.compare, v) {
                    (_, Value::Missing) => Ready::Missing,
                    (Compare::Name, Value::Name(t) | Value::Text(t)) => {
                        read[distinct[t.as_str()]].clone()
                    }
                    (Compare::Name, Value::Names(forms)) => name_forms(forms),
                    (Compare::Count, Value::Count { low, high }) => {
                        let high = high.unwrap_or(u64::MAX);
                        if high < *low {
                            count_wrong(f);
                            Ready::Missing
                        } else {
                            Ready::Range(*low, high)
                        }
                    }
                    (
                        Compare::Exact | Compare::Text | Compare::TextOrSwapped { .. },
                        Value::Text(t) | Value::Name(t),
                    ) => {
                        let t = t.trim().to_lowercase();
                        if t.is_empty() {
                            Ready::Missing
                        } else {
                            Ready::Text(t)
                        }
                    }
                    (Compare::Exact, Value::Year(n) | Value::Day(n)) => Ready::Text(n.to_string()),
                    (Compare::Year { .. }, Value::Year(n))
                    | (Compare::Day { .. }, Value::Day(n)) => Ready::Number(*n),
                    (Compare::Day { .. }, Value::Event { day, .. }) => Ready::Number(*day),
                    (Compare::Episode { .. }, Value::Event { day, stage }) => {
                        Ready::Event(*day, *stage)
                    }
                    (Compare::Episode { .. }, Value::Day(day)) => Ready::Event(*day, STAGE_UNKNOWN),
                    (Compare::Birth { .. }, Value::Born { year, day, digits }) => {
                        Ready::Birth(*year, *day, *digits)
                    }
                    (Compare::Birth { .. }, Value::Year(year)) => Ready::Birth(*year, None, None),
                    (Compare::Year { .. }, Value::Born { year, .. }) => Ready::Number(*year),
                    (
                        Compare::Place | Compare::PlaceByStage { .. } | Compare::Exact,
                        Value::Place(path),
                    ) => {
                        let path: Vec<String> = path
                            .iter()
                            .map(|p| p.trim().to_lowercase())
                            .filter(|p| !p.is_empty())
                            .collect();
                        if path.is_empty() {
                            Ready::Missing
                        } else if matches!(field.compare, Compare::Exact) {
                            Ready::Text(path.join("/"))
                        } else {
                            Ready::Place(path)
                        }
                    }
                    (Compare::Place | Compare::PlaceByStage { .. }, Value::Text(t))
                        if !t.trim().is_empty() =>
                    {
                        Ready::Place(vec![t.trim().to_lowercase()])
                    }
                    _ => {
                        count_wrong(f);
                        Ready::Missing
                    }
                })
                .collect()
        })
        .collect();
    for (f, n) in wrong.iter().enumerate() {
        let n = n.load(Ordering::Relaxed);
        if n > 0 {
            diagnostics.push(format!(
                "field {}: {n} values of the wrong kind were treated as missing",
                fields[f].name
            ));
        }
    }
    out
}

/// A name's readable forms, or missing when none has letters.
fn name_forms(forms: &[impl AsRef<str>]) -> Ready {
    let parsed: Vec<ParsedName> = forms
        .iter()
        .map(|t| ParsedName::new(t.as_ref()))
        .filter(|p| !p.squeezed().is_empty())
        .collect();
    if parsed.is_empty() {
        Ready::Missing
    } else {
        Ready::Name(parsed.into())
    }
}

/// Two counts' level: the same, overlapping, within a factor of two
/// (comparing the nearer ends), or further apart.
fn count_level((al, ah): (u64, u64), (bl, bh): (u64, u64)) -> u8 {
    if (al, ah) == (bl, bh) {
        0
    } else if al <= bh && bl <= ah {
        1
    } else {
        // Disjoint: compare the upper end of the lower range with the
        // lower end of the higher.
        let (near_low, near_high) = if ah < bl { (ah, bl) } else { (bh, al) };
        if near_high <= near_low.saturating_mul(2) {
            2
        } else {
            3
        }
    }
}

/// Two names' level: that of their closest forms.
fn names_level(xs: &[ParsedName], ys: &[ParsedName]) -> Option<u8> {
    let mut best: Option<u8> = None;
    for x in xs {
        for y in ys {
            let level = name_pair_level(x, y);
            best = match (best, level) {
                (Some(b), Some(l)) => Some(b.min(l)),
                (b, l) => b.or(l),
            };
            if best == Some(0) {
                return best;
            }
        }
    }
    best
}

fn name_pair_level(x: &ParsedName, y: &ParsedName) -> Option<u8> {
    let (tx, ty) = (x.squeezed(), y.squeezed());
    if tx == ty {
        return Some(0);
    }
    // Names that cannot be read as Korean (another language, say)
    // are compared by their letters instead.
    // Their levels (3 to 5) follow the text bands (1 to 3).
    name_level(x, y).or_else(|| Some(similarity_band(tx, ty) + 2))
}

fn name_level(a: &ParsedName, b: &ParsedName) -> Option<u8> {
    match refwatch_names::compare_parsed(a, b).agreement {
        Agreement::Identical => Some(0),
        Agreement::SameReading => Some(1),
        Agreement::Mistyped => Some(2),
        Agreement::Reordered => Some(3),
        Agreement::OneLeftOut => Some(4),
        Agreement::AllButOne => Some(5),
        Agreement::Partly => Some(6),
        Agreement::Different => Some(7),
        Agreement::Unknown => None,
    }
}

fn place_level(a: &[String], b: &[String]) -> u8 {
    let shared = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    places_level(shared, a.len(), b.len())
}

/// Two places' level from how many parts they have and how many first
/// parts they share.
fn places_level(shared: usize, a: usize, b: usize) -> u8 {
    if shared == a && a == b {
        return 0;
    }
    // One inside the other (Yanji and Yanbian: a list that gives only
    // the broader place), or both inside the same broader place, sharing
    // all but their last part (Yanji and Tumen: two places).
    if shared == 0 {
        3
    } else if shared == a.min(b) {
        1
    } else if a == b && shared == a - 1 {
        2
    } else {
        3
    }
}

/// Most fields a linkage compares: each field's level takes four bits of
/// a [`Levels`].
pub(crate) const MOST_FIELDS: usize = 16;

/// Each field's comparison level for one pair, four bits a field (all
/// ones: missing), so that millions of pairs take little room and equal
/// patterns are equal numbers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Levels(u64);

impl std::fmt::Debug for Levels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Levels({:016x})", self.0)
    }
}

impl Levels {
    const MISSING: u64 = 0xF;

    /// Every field missing.
    pub(crate) const NONE: Levels = Levels(u64::MAX);

    /// Field `f`'s level.
    pub(crate) fn get(self, f: usize) -> Option<u8> {
        let l = (self.0 >> (4 * f)) & Self::MISSING;
        (l != Self::MISSING).then_some(l as u8)
    }

    /// With field `f`'s level set.
    pub(crate) fn with(self, f: usize, level: Option<u8>) -> Levels {
        let l = level.map_or(Self::MISSING, |l| u64::from(l.min(14)));
        Levels((self.0 & !(Self::MISSING << (4 * f))) | (l << (4 * f)))
    }

    /// The first `n` fields' levels.
    pub(crate) fn iter(self, n: usize) -> impl Iterator<Item = Option<u8>> {
        (0..n).map(move |f| self.get(f))
    }
}

/// The comparison levels of two records, one per field.
#[cfg(test)]
pub(crate) fn levels(prepared: &Prepared, fields: &[Field], a: usize, b: usize) -> Vec<Option<u8>> {
    packed(prepared, fields, a, b).iter(fields.len()).collect()
}

/// [`levels`], packed.
pub(crate) fn packed(prepared: &Prepared, fields: &[Field], a: usize, b: usize) -> Levels {
    let levels = fields
        .iter()
        .enumerate()
        .fold(Levels::NONE, |out, (f, field)| {
            out.with(f, field_level(field, f, &prepared[a], &prepared[b]))
        });
    with_stages(levels, fields)
}

/// Field `f`'s level for two records' ready values: [`level`], and for a
/// field that may be swapped with another, whether it was.
fn field_level(field: &Field, f: usize, a: &[Ready], b: &[Ready]) -> Option<u8> {
    let Compare::TextOrSwapped { with } = field.compare else {
        return level(&field.compare, &a[f], &b[f]);
    };
    // As plain text first; a swap only where that is not very similar.
    let text = |p: &Ready, q: &Ready| level(&Compare::Text, p, q);
    let direct = text(&a[f], &b[f])?;
    if direct <= 1 {
        return Some(direct);
    }
    // Text levels are symmetric: each side's value against the other
    // record's other field.
    let close = |p: &Ready, q: Option<&Ready>| q.and_then(|q| text(p, q)).is_some_and(|l| l <= 1);
    let swapped = close(&a[f], b.get(with)) || close(&b[f], a.get(with));
    Some(match (swapped, direct) {
        (true, _) => 3,
        (false, 2) => 2,
        (false, _) => 4,
    })
}

/// Every record's name on one field as a slot among the distinct names
/// (records that write a name alike share one reading, see [`prepare`]),
/// `u32::MAX` for none, with those names.
pub(crate) fn name_slots(prepared: &Prepared, field: usize) -> (Vec<u32>, Vec<&[ParsedName]>) {
    let mut seen: Fast<*const ParsedName, u32> = Fast::default();
    let mut names: Vec<&[ParsedName]> = Vec::new();
    let slots = prepared
        .iter()
        .map(|values| match values.get(field) {
            Some(Ready::Name(forms)) => *seen.entry(forms.as_ptr()).or_insert_with(|| {
                names.push(forms);
                (names.len() - 1) as u32
            }),
            _ => u32::MAX,
        })
        .collect();
    (slots, names)
}

/// [`packed`] for many pairs. Names are compared once per pair of
/// distinct names: lists repeat names, and a name's comparison costs more
/// than all other fields' together.
pub(crate) fn packed_all(
    prepared: &Prepared,
    fields: &[Field],
    rows: &Rows,
    pairs: &[(u32, u32)],
) -> Vec<Levels> {
    use rayon::prelude::*;
    let names: Vec<usize> = (0..fields.len())
        .filter(|&f| matches!(fields[f].compare, Compare::Name))
        .collect();
    let mut out: Vec<Levels> = pairs
        .par_iter()
        .map(|&(a, b)| rows.levels(prepared, fields, a as usize, b as usize))
        .collect();
    for f in names {
        let (slots, distinct) = name_slots(prepared, f);
        // (the smaller slot, the larger, the pair's index), sorted: each
        // run is one pair of names.
        let mut keyed: Vec<(u64, u32)> = pairs
            .par_iter()
            .enumerate()
            .filter_map(|(i, &(a, b))| {
                let (x, y) = (slots[a as usize], slots[b as usize]);
                (x != u32::MAX && y != u32::MAX)
                    .then(|| ((u64::from(x.min(y)) << 32 | u64::from(x.max(y))), i as u32))
            })
            .collect();
        keyed.par_sort_unstable();
        // Each run's level, then written to each of its pairs.
        type Run<'a> = &'a [(u64, u32)];
        let found: Vec<(Option<u8>, Run)> = keyed
            .chunk_by(|x, y| x.0 == y.0)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|run| {
                let key = run[0].0;
                let (x, y) = (
                    distinct[(key >> 32) as usize],
                    distinct[key as u32 as usize],
                );
                (names_level(x, y), run)
            })
            .collect();
        for (level, run) in found {
            for &(_, i) in run {
                out[i as usize] = out[i as usize].with(f, level);
            }
        }
    }
    out
}

/// Most parts of a place that [`Rows`] codes; a field with longer places
/// is compared from its ready values.
const MOST_PLACE_PARTS: usize = 4;

/// How one field sits in a record's row of [`Rows`].
#[derive(Clone, Copy)]
enum Coded {
    /// Names, and the kinds compared from their ready values.
    Ready,
    /// Exact text: one word, a number per distinct text.
    Exact(usize),
    /// A year or a day: one word.
    Number(usize, i32),
    /// An event: its day and its stage (two words), the tolerance and the
    /// window.
    Event(usize, i32, i32),
    /// A birth: its year, its day, its digits and which of these two are
    /// known (four words).
    Birth(usize, i32, i32),
    /// A place: its number of parts, then a number per distinct beginning
    /// of it (its first part, its first two...).
    Place(usize),
}

/// The fields other than names, coded as numbers in one row of words per
/// record: comparing millions of pairs then reads two short rows instead
/// of following each record's values and their texts around memory. Each
/// level is the one [`level`] gives the ready values. Made once, for
/// blocking (whether one place is within another) and for comparing.
pub(crate) struct Rows {
    coded: Vec<Coded>,
    width: usize,
    /// Per record, a word whose bit `f` is set when field `f` is missing,
    /// then the fields' words.
    words: Vec<u32>,
}

impl Rows {
    pub(crate) fn of(prepared: &Prepared, fields: &[Field]) -> Rows {
        use rayon::prelude::*;
        let mut width = 1;
        let mut take = |n: usize| {
            width += n;
            width - n
        };
        let coded: Vec<Coded> = fields
            .iter()
            .enumerate()
            .map(|(f, field)| match field.compare {
                Compare::Exact => Coded::Exact(take(1)),
                Compare::Year { tolerance } | Compare::Day { tolerance } => {
                    Coded::Number(take(1), tolerance)
                }
                Compare::Birth { years, days } => Coded::Birth(take(4), years, days),
                Compare::Episode { tolerance, window } => Coded::Event(take(2), tolerance, window),
                Compare::Place | Compare::PlaceByStage { .. }
                    if prepared.iter().all(|values| match &values[f] {
                        Ready::Place(path) => path.len() <= MOST_PLACE_PARTS,
                        _ => true,
                    }) =>
                {
                    Coded::Place(take(1 + MOST_PLACE_PARTS))
                }
                _ => Coded::Ready,
            })
            .collect();
        // Numbers for texts and beginnings of places, field by field.
        let numbers: Vec<Fast<&[String], u32>> = coded
            .par_iter()
            .enumerate()
            .map(|(f, coded)| {
                let mut numbers: Fast<&[String], u32> = Fast::default();
                if !matches!(coded, Coded::Exact(_) | Coded::Place(_)) {
                    return numbers;
                }
                for values in prepared {
                    let keys = match (coded, &values[f]) {
                        (Coded::Exact(_), Ready::Text(t)) => std::slice::from_ref(t),
                        (Coded::Place(_), Ready::Place(path)) => path.as_slice(),
                        _ => continue,
                    };
                    for end in 1..=keys.len() {
                        let next = numbers.len() as u32;
                        numbers.entry(&keys[..end]).or_insert(next);
                    }
                }
                numbers
            })
            .collect();
        let mut words = vec![0u32; width * prepared.len()];
        words
            .par_chunks_mut(width)
            .zip(prepared)
            .for_each(|(row, values)| {
                for (f, coded) in coded.iter().enumerate() {
                    let number = |key: &[String]| numbers[f][key];
                    match (*coded, &values[f]) {
                        (Coded::Ready, _) => {}
                        (_, Ready::Missing) => row[0] |= 1 << f,
                        (Coded::Exact(at), Ready::Text(t)) => {
                            row[at] = number(std::slice::from_ref(t));
                        }
                        (Coded::Number(at, _), Ready::Number(n)) => row[at] = *n as u32,
                        (Coded::Event(at, ..), Ready::Event(day, stage)) => {
                            row[at] = *day as u32;
                            row[at + 1] = u32::from(*stage);
                        }
                        (Coded::Birth(at, ..), Ready::Birth(year, day, digits)) => {
                            row[at] = *year as u32;
                            row[at + 1] = day.unwrap_or(0) as u32;
                            row[at + 2] = digits.unwrap_or(0);
                            row[at + 3] =
                                u32::from(day.is_some()) | u32::from(digits.is_some()) << 1;
                        }
                        (Coded::Place(at), Ready::Place(path)) => {
                            row[at] = path.len() as u32;
                            for end in 1..=path.len() {
                                row[at + end] = number(&path[..end]);
                            }
                        }
                        // A value of another kind has no level.
                        _ => row[0] |= 1 << f,
                    }
                }
            });
        Rows {
            coded,
            width,
            words,
        }
    }

    /// The levels of every field but names for records `a` and `b`.
    fn levels(&self, prepared: &Prepared, fields: &[Field], a: usize, b: usize) -> Levels {
        let mut out = Levels::NONE;
        for (f, (coded, field)) in self.coded.iter().zip(fields).enumerate() {
            if matches!((coded, &field.compare), (Coded::Ready, Compare::Name)) {
                continue;
            }
            out = out.with(f, self.level(prepared, fields, f, a, b));
        }
        with_stages(out, fields)
    }

    /// Whether records `a` and `b` have places on field `f` that are the
    /// same or one within the other (levels 0 and 1 of
    /// [`Compare::Place`]).
    pub(crate) fn places_within(
        &self,
        prepared: &Prepared,
        fields: &[Field],
        f: usize,
        a: usize,
        b: usize,
    ) -> bool {
        matches!(
            fields[f].compare,
            Compare::Place | Compare::PlaceByStage { .. }
        ) && matches!(self.level(prepared, fields, f, a, b), Some(0 | 1))
    }

    /// Field `f`'s level for records `a` and `b`.
    fn level(
        &self,
        prepared: &Prepared,
        fields: &[Field],
        f: usize,
        a: usize,
        b: usize,
    ) -> Option<u8> {
        let x = &self.words[a * self.width..(a + 1) * self.width];
        let y = &self.words[b * self.width..(b + 1) * self.width];
        match self.coded[f] {
            Coded::Ready => field_level(&fields[f], f, &prepared[a], &prepared[b]),
            _ if (x[0] | y[0]) & (1 << f) != 0 => None,
            Coded::Exact(at) => Some(u8::from(x[at] != y[at])),
            Coded::Number(at, tolerance) => {
                Some(number_level(x[at] as i32, y[at] as i32, tolerance))
            }
            Coded::Event(at, tolerance, window) => Some(episode_level(
                (x[at] as i32, x[at + 1] as u8),
                (y[at] as i32, y[at + 1] as u8),
                tolerance,
                window,
            )),
            Coded::Birth(at, years, days) => {
                let born = |w: &[u32]| -> Born {
                    (
                        w[at] as i32,
                        (w[at + 3] & 1 != 0).then_some(w[at + 1] as i32),
                        (w[at + 3] & 2 != 0).then_some(w[at + 2]),
                    )
                };
                Some(birth_level(born(x), born(y), years, days))
            }
            Coded::Place(at) => {
                let (la, lb) = (x[at] as usize, y[at] as usize);
                let shared = (1..=la.min(lb))
                    .take_while(|&end| x[at + end] == y[at + end])
                    .count();
                Some(places_level(shared, la, lb))
            }
        }
    }
}

/// One field's level for two ready values.
pub(crate) fn level(compare: &Compare, a: &Ready, b: &Ready) -> Option<u8> {
    match (compare, a, b) {
        (_, Ready::Missing, _) | (_, _, Ready::Missing) => None,
        (Compare::Name, Ready::Name(x), Ready::Name(y)) => names_level(x, y),
        (Compare::Count, Ready::Range(al, ah), Ready::Range(bl, bh)) => {
            Some(count_level((*al, *ah), (*bl, *bh)))
        }
        (Compare::Exact, Ready::Text(x), Ready::Text(y)) => Some(u8::from(x != y)),
        (Compare::Text, Ready::Text(x), Ready::Text(y)) => {
            Some(if x == y { 0 } else { similarity_band(x, y) })
        }
        (
            Compare::Year { tolerance } | Compare::Day { tolerance },
            Ready::Number(x),
            Ready::Number(y),
        ) => Some(number_level(*x, *y, *tolerance)),
        (Compare::Place | Compare::PlaceByStage { .. }, Ready::Place(x), Ready::Place(y)) => {
            Some(place_level(x, y))
        }
        (Compare::Episode { tolerance, window }, Ready::Event(xd, xs), Ready::Event(yd, ys)) => {
            Some(episode_level((*xd, *xs), (*yd, *ys), *tolerance, *window))
        }
        (
            Compare::Birth { years, days },
            Ready::Birth(xy, xd, xdigits),
            Ready::Birth(yy, yd, ydigits),
        ) => Some(birth_level(
            (*xy, *xd, *xdigits),
            (*yy, *yd, *ydigits),
            *years,
            *days,
        )),
        _ => None,
    }
}

/// Two years' or days' level: the same, within the tolerance, further.
/// Two events' level (see [`Compare::Episode`]).
fn episode_level(x: (i32, u8), y: (i32, u8), tolerance: i32, window: i32) -> u8 {
    let one_stage = x.1 == STAGE_UNKNOWN || y.1 == STAGE_UNKNOWN || x.1 == y.1;
    if one_stage {
        return match number_level(x.0, y.0, tolerance) {
            2 => 3,
            level => level,
        };
    }
    // The later stage's day less the earlier's.
    let (early, late) = if x.1 < y.1 { (x.0, y.0) } else { (y.0, x.0) };
    if (-tolerance..=window).contains(&(late - early)) {
        2
    } else {
        3
    }
}

/// The level of a field compared by [`Compare::PlaceByStage`], given its
/// place level and the events' level: moved up by four where the events
/// are the other stage of one episode.
fn staged(place: Option<u8>, events: Option<u8>) -> Option<u8> {
    place.map(|l| if events == Some(2) { l + 4 } else { l })
}

/// Moves the levels of [`Compare::PlaceByStage`] fields by their events'.
fn with_stages(mut levels: Levels, fields: &[Field]) -> Levels {
    for (f, field) in fields.iter().enumerate() {
        if let Compare::PlaceByStage { episode } = field.compare {
            levels = levels.with(f, staged(levels.get(f), levels.get(episode)));
        }
    }
    levels
}

fn number_level(x: i32, y: i32, tolerance: i32) -> u8 {
    let apart = (x - y).abs();
    if apart == 0 {
        0
    } else if apart <= tolerance {
        1
    } else {
        2
    }
}

/// A birth: its year, its day when known, its digits as written.
type Born = (i32, Option<i32>, Option<u32>);

/// Two births' level, with the tolerances of [`Compare::Birth`].
fn birth_level((xy, xd, xdigits): Born, (yy, yd, ydigits): Born, years: i32, days: i32) -> u8 {
    let close_years = (xy - yy).abs() <= years;
    match ((xd, xdigits), (yd, ydigits)) {
        ((Some(x), _), (Some(y), _)) if x == y => 0,
        ((_, Some(x)), (_, Some(y))) if x == y => 0,
        ((Some(x), _), (Some(y), _)) if (x - y).abs() <= days => 1,
        ((Some(x), _), (Some(y), _)) if close_years && whole_years_apart(x, y, (xy - yy).abs()) => {
            2
        }
        ((_, Some(x)), (_, Some(y))) if one_typo_apart(x, y) => 3,
        ((Some(_), _), (Some(_), _)) if close_years => 6,
        _ if xy == yy => 4,
        _ if close_years => 5,
        _ => 7,
    }
}

/// Whether two days (day numbers) `years` years apart fall on the same
/// birthday: as many days apart as that many years make, give or take
/// the day a leap year moves a date by.
fn whole_years_apart(x: i32, y: i32, years: i32) -> bool {
    if years == 0 {
        return false;
    }
    // 365.2425 days a year, in ten-thousandths, rounded.
    let whole = (i64::from(years) * 3_652_425 + 5_000) / 10_000;
    (i64::from((x - y).abs()) - whole).abs() <= 1
}

/// Whether two different eight-digit dates are one typo apart: one digit
/// changed, or two neighbouring digits swapped (a Damerau–Levenshtein
/// distance of one).
fn one_typo_apart(x: u32, y: u32) -> bool {
    let digits = |mut n: u32| {
        let mut d = [0u8; 8];
        for slot in d.iter_mut().rev() {
            *slot = (n % 10) as u8;
            n /= 10;
        }
        d
    };
    let (a, b) = (digits(x), digits(y));
    let differ: Vec<usize> = (0..8).filter(|&i| a[i] != b[i]).collect();
    match differ[..] {
        [_] => true,
        [i, j] => j == i + 1 && a[i] == b[j] && a[j] == b[i],
        _ => false,
    }
}

/// How similar two different texts are: 1 at Jaro–Winkler 0.92 or more,
/// 2 at 0.8 or more, 3 below.
fn similarity_band(a: &str, b: &str) -> u8 {
    let similarity = jaro_winkler(a, b);
    if similarity >= 0.92 {
        1
    } else if similarity >= 0.8 {
        2
    } else {
        3
    }
}

/// Characters of a text compared at most: no name is longer, and the
/// comparison's time grows with the product of the lengths.
pub(crate) const MOST_COMPARED: usize = 256;

/// The Jaro–Winkler similarity of two texts (0 to 1), by characters, of
/// their first [`MOST_COMPARED`] characters, as Winkler defined it (the
/// common prefix of up to four characters counts above a Jaro of 0.7).
/// Symmetric.
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() && a.len() <= 64 && b.len() <= 64 {
        return jaro_winkler_of(a.as_bytes(), b.as_bytes());
    }
    let (a, b): (Vec<char>, Vec<char>) = (
        a.chars().take(MOST_COMPARED).collect(),
        b.chars().take(MOST_COMPARED).collect(),
    );
    jaro_winkler_of(&a, &b)
}

/// Jaro–Winkler over any comparable units, without allocating for texts
/// of up to 64 units (the matched flags are bit sets).
fn jaro_winkler_of<T: PartialEq + Ord + Copy>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if a == b { 1.0 } else { 0.0 };
    }
    // Jaro is symmetric in value; compute it with the shorter first so the
    // floating-point path is the same either way round.
    let (s, t) = if (a.len(), a) <= (b.len(), b) {
        (a, b)
    } else {
        (b, a)
    };
    let window = (t.len().max(s.len()) / 2).saturating_sub(1);
    let wide = t.len() > 64;
    let mut t_bits = 0u64;
    let mut t_flags = if wide {
        vec![false; t.len()]
    } else {
        Vec::new()
    };
    let mut s_bits = 0u128;
    let mut s_flags = if s.len() > 128 {
        vec![false; s.len()]
    } else {
        Vec::new()
    };
    let mut matches = 0usize;
    for (i, c) in s.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(t.len());
        for j in lo..hi {
            let taken = if wide {
                t_flags[j]
            } else {
                t_bits & (1 << j) != 0
            };
            if !taken && t[j] == *c {
                if wide {
                    t_flags[j] = true;
                } else {
                    t_bits |= 1 << j;
                }
                if s.len() > 128 {
                    s_flags[i] = true;
                } else {
                    s_bits |= 1 << i;
                }
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let s_taken = |i: usize| {
        if s.len() > 128 {
            s_flags[i]
        } else {
            s_bits & (1 << i) != 0
        }
    };
    let t_taken = |j: usize| {
        if wide {
            t_flags[j]
        } else {
            t_bits & (1 << j) != 0
        }
    };
    let mut transposed = 0usize;
    let mut j = 0;
    for i in (0..s.len()).filter(|&i| s_taken(i)) {
        while !t_taken(j) {
            j += 1;
        }
        if s[i] != t[j] {
            transposed += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let jaro = (m / s.len() as f64 + m / t.len() as f64 + (m - (transposed / 2) as f64) / m) / 3.0;
    // Winkler's boost threshold: a common prefix says more only of texts
    // already alike.
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = s
        .iter()
        .zip(t.iter())
        .take(4)
        .take_while(|(x, y)| x == y)
        .count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}
