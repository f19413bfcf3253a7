//! Values as field offices write them: dates in several styles, counts in
//! words, lists in one cell. Each reader returns the value in the dataset
//! file's form, or why it cannot.

/// A count as the dataset file holds it, with how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    /// The documented minimum.
    pub low: u64,
    /// The best figure, when the words give one.
    pub best: Option<u64>,
    /// The maximum, when the words give one.
    pub high: Option<u64>,
    /// How the words were read, for the citation's note, when they were
    /// more than a number.
    pub reading: Option<String>,
}

/// Why a value cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    /// Not a date in any style refwatch reads.
    Date,
    /// Not a count in any form refwatch reads.
    Count,
    /// A range whose end is below its start.
    Backwards,
}

/// Removes spaces and lowercases, for comparing names and labels.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '·' && *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The parts of a cell that lists several values: separated by `|` (as
/// Uwazi writes them), `;`, `、` or a line break.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(['|', ';', '、', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Reads one date (no range): `2013.11.19`, `2013-11-19`, `2013/11/19`,
/// `2013. 11. 19.`, `2013년 11월 19일`, `19 November 2013`, `November
/// 2013`, `2013.11`, `2013년 11월`, `2013`, `2013년`; with `약`, `경`,
/// `about`, `c.`, `~` for an approximate date. Returns the dataset form
/// (`2013-11-19`, `2013-11`, `2013`, with a leading `~` when approximate).
fn date_part(text: &str) -> Option<(String, bool)> {
    let mut t = text.trim().to_lowercase();
    let mut approximate = false;
    for prefix in ["약", "about", "around", "circa", "c.", "ca.", "~"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim().to_owned();
            approximate = true;
        }
    }
    for suffix in ["경", "쯤", "무렵", "께"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim().to_owned();
            approximate = true;
        }
    }
    // English month names: "19 november 2013", "november 19, 2013", "nov 2013".
    let month_word = MONTHS.iter().position(|m| {
        t.split(|c: char| !c.is_alphabetic())
            .any(|w| w.starts_with(m) && w.len() >= 3)
    });
    let numbers: Vec<u32> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect::<Option<_>>()?;
    // Anything but digits, separators, Korean date units and month words is not a date.
    let stray = t.chars().any(|c| {
        !(c.is_ascii_digit()
            || c.is_whitespace()
            || ".-/,년월일".contains(c)
            || (month_word.is_some() && c.is_ascii_alphabetic()))
    });
    if stray {
        return None;
    }
    let (year, month, day) = match (month_word, numbers.as_slice()) {
        (Some(m), [y]) => (*y, Some(m as u32 + 1), None),
        (Some(m), [a, b]) => {
            let (d, y) = if *a > 31 { (*b, *a) } else { (*a, *b) };
            (y, Some(m as u32 + 1), Some(d))
        }
        (None, [y]) => (*y, None, None),
        (None, [y, m]) => (*y, Some(*m), None),
        (None, [y, m, d]) => (*y, Some(*m), Some(*d)),
        _ => return None,
    };
    if !(1000..=2999).contains(&year) {
        return None;
    }
    let text = match (month, day) {
        (None, _) => format!("{year:04}"),
        (Some(m), None) if (1..=12).contains(&m) => format!("{year:04}-{m:02}"),
        (Some(m), Some(d)) if (1..=12).contains(&m) && (1..=days_in(year, m)).contains(&d) => {
            format!("{year:04}-{m:02}-{d:02}")
        }
        _ => return None,
    };
    Some((text, approximate))
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A header without an Uwazi language suffix (`title__ko` → `title`).
pub fn header_key(header: &str) -> String {
    let h = header.trim();
    let base = match h.rsplit_once("__") {
        Some((base, code))
            if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_lowercase()) =>
        {
            base
        }
        _ => h,
    };
    normalise(base)
}

/// The parts of a grouped thesaurus value as Uwazi writes it
/// (`Asia::China::Yanji`), most specific first.
pub fn grouped(value: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = value
        .split("::")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    parts.reverse();
    parts
}

/// A point as Uwazi and most spreadsheets write it: `lat|lon` or `lat, lon`.
pub fn geolocation(text: &str) -> Option<(f64, f64)> {
    let (a, b) = text.split_once('|').or_else(|| text.split_once(','))?;
    let (lat, lon): (f64, f64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

/// The distance between two points in kilometres (haversine).
pub fn kilometres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Reads a date or a range of dates (`2013.11 ~ 2013.12`, `2013-11/2013-12`,
/// Uwazi's `2013/11/01:2013/12/01`,
/// `2013년 11월부터 12월까지` is not read: write both dates) into the
/// dataset form.
pub fn date(text: &str) -> Result<String, ValueError> {
    let t = text.trim();
    for separator in ['~', '/', '–', '—', ':'] {
        // `/` also separates day, month and year: a range only when both
        // sides read as dates of their own.
        if let Some((a, b)) = t.split_once(separator)
            && !a.trim().is_empty()
            && let (Some((a, approx_a)), Some((b, approx_b))) = (date_part(a), date_part(b))
        {
            if b < a {
                return Err(ValueError::Backwards);
            }
            let mark = if approx_a || approx_b { "~" } else { "" };
            return Ok(format!("{mark}{a}/{b}"));
        }
    }
    let (d, approximate) = date_part(t).ok_or(ValueError::Date)?;
    Ok(if approximate { format!("~{d}") } else { d })
}

/// Reads an Excel date serial (days since 1899-12-30) as a day.
pub fn excel_day(year: u16, month: u8, day: u8) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

/// The most people a count may say: more is a typing error (and larger
/// numbers could overflow the readings below).
pub const MAX_COUNT: u64 = 10_000_000_000;

/// The whole numbers in a text, a comma between digits taken as a
/// thousands separator; `None` for one above [`MAX_COUNT`]. One pass.
fn numbers(text: &str) -> Option<Vec<u64>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut current: Option<u64> = None;
    for (i, &c) in chars.iter().enumerate() {
        if let Some(d) = c.to_digit(10) {
            let n = current.unwrap_or(0) * 10 + u64::from(d);
            if n > MAX_COUNT {
                return None;
            }
            current = Some(n);
        } else if c == ','
            && current.is_some()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
        {
            // 1,170: the number goes on.
        } else if let Some(n) = current.take() {
            out.push(n);
        }
    }
    out.extend(current);
    Some(out)
}

/// Words for "some hundreds" and the like, with the documented minimum
/// the curation rules give them (docs/demo-dataset.md: "hundreds": at
/// least 200, "tens of thousands": at least 20,000).
const VAGUE: [(&str, u64); 10] = [
    ("수십만", 200_000),
    ("수만", 20_000),
    ("수천", 2_000),
    ("수백", 200),
    ("수십", 20),
    ("hundredsofthousands", 200_000),
    ("tensofthousands", 20_000),
    ("thousands", 2_000),
    ("hundreds", 200),
    ("dozens", 24),
];

fn has(t: &str, words: &[&str]) -> bool {
    words.iter().any(|w| t.contains(w))
}

/// Reads a count of people as the curation rules read words
/// (docs/demo-dataset.md): `500`, `500명`, `1,170` → low and best 500;
/// `at least 500`, `최소 500명`, `500명 이상`, `500+` → low 500, best 500;
/// `over 500`, `more than 500`, `500명 넘게`, `500여 명` → low 501;
/// `nearly 500`, `거의 500명`, `500명 가까이` → low 450, best and high 499;
/// `up to 500`, `최대 500명` → low 0, high 500; `13-15`, `13~15명`,
/// `13 to 15` → low 13, high 15; `about 500`, `약 500명`, `500명가량`
/// → low 450, best 500, high 550; `수백 명`, `hundreds` → at least 200.
/// An empty cell is 0 (nobody documented).
pub fn count(text: &str) -> Result<Count, ValueError> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let plain = |low, best, high, reading: Option<&str>| Count {
        low,
        best,
        high,
        reading: reading.map(|r| format!("\"{}\" read as {r}", text.trim())),
    };
    if t.is_empty() {
        return Ok(plain(0, None, None, None));
    }
    let n = numbers(&t).ok_or(ValueError::Count)?;
    if n.is_empty() {
        return VAGUE
            .iter()
            .find(|(w, _)| t.contains(w))
            .map(|&(_, low)| plain(low, None, None, Some(&format!("at least {low}"))))
            .ok_or(ValueError::Count);
    }
    if let [a, b] = n[..] {
        if has(&t, &["-", "~", "to", "에서", "–"]) {
            if b < a {
                return Err(ValueError::Backwards);
            }
            return Ok(plain(a, None, Some(b), Some(&format!("{a} to {b}"))));
        }
        // "13명 중 2명" and the like: not a count refwatch can read.
        return Err(ValueError::Count);
    }
    let [n] = n[..] else {
        return Err(ValueError::Count);
    };
    let nearly = n.saturating_sub(1);
    let bare = t.replace(',', "");
    let bare = ["명", "people", "persons", "인"]
        .iter()
        .find_map(|unit| bare.strip_suffix(unit))
        .unwrap_or(&bare);
    Ok(if bare.chars().all(|c| c.is_ascii_digit()) {
        plain(n, Some(n), None, None)
    } else if has(&t, &["atleast", "최소", "이상", "+", "적어도"]) {
        plain(n, Some(n), None, Some(&format!("at least {n}")))
    } else if has(&t, &["over", "morethan", "넘", "여명"]) {
        plain(
            n + 1,
            None,
            None,
            Some(&format!("over {n}: at least {}", n + 1)),
        )
    } else if has(
        &t,
        &["nearly", "almost", "거의", "가까이", "가까운", "육박"],
    ) {
        let low = n * 9 / 10;
        plain(
            low,
            Some(nearly),
            Some(nearly),
            Some(&format!("nearly {n}: {low} to {nearly}")),
        )
    } else if has(&t, &["upto", "최대", "까지"]) {
        plain(0, None, Some(n), Some(&format!("up to {n}")))
    } else if has(
        &t,
        &[
            "about",
            "around",
            "approximately",
            "약",
            "가량",
            "정도",
            "내외",
            "쯤",
        ],
    ) || t.starts_with('~')
    {
        let (low, high) = (n * 9 / 10, n + n.div_ceil(10));
        plain(
            low,
            Some(n),
            Some(high),
            Some(&format!("about {n}: {low} to {high}")),
        )
    } else {
        return Err(ValueError::Count);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_styles_field_offices_write() {
        for (text, want) in [
            ("2013.11.19", "2013-11-19"),
            ("2013-11-19", "2013-11-19"),
            ("2013/11/19", "2013-11-19"),
            ("2013. 11. 19.", "2013-11-19"),
            ("2013년 11월 19일", "2013-11-19"),
            ("19 November 2013", "2013-11-19"),
            ("November 19, 2013", "2013-11-19"),
            ("Nov 2013", "2013-11"),
            ("2013.11", "2013-11"),
            ("2013년 11월", "2013-11"),
            ("2013-11", "2013-11"),
            ("2013", "2013"),
            ("2013년", "2013"),
            ("2013년경", "~2013"),
            ("약 2013년", "~2013"),
            ("c. 2013", "~2013"),
            ("2013.11 ~ 2013.12", "2013-11/2013-12"),
            ("2021-07-01/2021-07-31", "2021-07-01/2021-07-31"),
            ("2023/05/01", "2023-05-01"),
            ("2023/05/01:2023/06/15", "2023-05-01/2023-06-15"),
            ("January 15, 2023", "2023-01-15"),
        ] {
            assert_eq!(date(text), Ok(want.to_owned()), "{text}");
        }
        for bad in [
            "",
            "지난 여름",
            "2013.13",
            "2013.02.30",
            "13.11.19",
            "2013-11-19 or so?",
            "999",
        ] {
            assert_eq!(date(bad), Err(ValueError::Date), "{bad}");
        }
        assert_eq!(date("2013.12 ~ 2013.11"), Err(ValueError::Backwards));
    }

    fn c(low: u64, best: Option<u64>, high: Option<u64>) -> (u64, Option<u64>, Option<u64>) {
        (low, best, high)
    }

    #[test]
    fn counts_in_words_as_the_curation_rules_read_them() {
        for (text, want) in [
            ("500", c(500, Some(500), None)),
            ("500명", c(500, Some(500), None)),
            ("1,170", c(1170, Some(1170), None)),
            ("1,170 people", c(1170, Some(1170), None)),
            ("최소 500명", c(500, Some(500), None)),
            ("500명 이상", c(500, Some(500), None)),
            ("at least 500", c(500, Some(500), None)),
            ("500+", c(500, Some(500), None)),
            ("over 50", c(51, None, None)),
            ("50명 넘게", c(51, None, None)),
            ("500여 명", c(501, None, None)),
            ("nearly 50", c(45, Some(49), Some(49))),
            ("거의 50명", c(45, Some(49), Some(49))),
            ("up to 500", c(0, None, Some(500))),
            ("최대 500명", c(0, None, Some(500))),
            ("13-15", c(13, None, Some(15))),
            ("13~15명", c(13, None, Some(15))),
            ("13 to 15", c(13, None, Some(15))),
            ("약 500명", c(450, Some(500), Some(550))),
            ("about 500", c(450, Some(500), Some(550))),
            ("500명가량", c(450, Some(500), Some(550))),
            ("수백 명", c(200, None, None)),
            ("hundreds", c(200, None, None)),
            ("tens of thousands", c(20_000, None, None)),
            ("", c(0, None, None)),
        ] {
            let got = count(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!((got.low, got.best, got.high), want, "{text}");
            let plain = ["500", "500명", "1,170", "1,170 people", ""].contains(&text);
            assert_eq!(got.reading.is_none(), plain, "{text}: {:?}", got.reading);
        }
        for bad in [
            "many",
            "13명 중 2명",
            "five hundred",
            "?",
            "over 18446744073709551615",
            "about 99999999999999999999",
            "10000000001명",
        ] {
            assert_eq!(count(bad), Err(ValueError::Count), "{bad}");
        }
        assert_eq!(count("15-13"), Err(ValueError::Backwards));
    }

    #[test]
    fn uwazi_headers_grouped_values_and_points() {
        assert_eq!(header_key("title__ko"), "title");
        assert_eq!(header_key("Incident type"), "incidenttype");
        assert_eq!(header_key("a__b__en"), header_key("a__b"));
        assert_eq!(grouped("Asia::China::Yanji"), ["Yanji", "China", "Asia"]);
        assert_eq!(geolocation("42.89|129.51"), Some((42.89, 129.51)));
        assert_eq!(geolocation("42.89, 129.51"), Some((42.89, 129.51)));
        assert_eq!(geolocation("north|east"), None);
        assert_eq!(geolocation("91|0"), None);
        let yanji_tumen = kilometres((42.89, 129.51), (42.97, 129.84));
        assert!((25.0..35.0).contains(&yanji_tumen), "{yanji_tumen}");
    }

    #[test]
    fn lists_in_one_cell_and_names_compared_loosely() {
        assert_eq!(
            split_list("Yanji | Tumen;Dandong、 신의주"),
            ["Yanji", "Tumen", "Dandong", "신의주"]
        );
        assert_eq!(normalise(" Yanji City "), "yanjicity");
        assert_eq!(normalise("강제 북송"), normalise("강제북송"));
    }
}
