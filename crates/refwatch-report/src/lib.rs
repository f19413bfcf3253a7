//! The advocacy brief: per-year tables, a chart, places, key incidents
//! with citations, estimates with their assumptions, and UN
//! recommendations to China with what happened after, as one
//! self-contained HTML page in Korean or English (printed to PDF by the
//! command line).
//!
//! Pure: records in, HTML out. Every text from the data is escaped. Texts of
//! the page itself come from `i18n/report.tsv`.

#![deny(missing_docs)]

pub mod chart;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use refwatch_domain::{
    CoordPrecision, Dataset, Lang, MechanismDetail, Timestamp, Vocabularies, Vocabulary,
};
use refwatch_stats::{YearRange, per_year};

const TEXTS: &str = include_str!("../i18n/report.tsv");

/// One estimate to show, already computed.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimateSummary {
    /// Which people (a stratum label, or `all`).
    pub stratum: String,
    /// The method and model.
    pub method: String,
    /// People documented on the lists.
    pub observed: u64,
    /// The estimate of the whole population.
    pub estimate: f64,
    /// The 95% interval, if any.
    pub interval: Option<(f64, f64)>,
    /// What it assumes.
    pub assumes: String,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// What to report on.
#[derive(Debug)]
pub struct ReportInput<'a> {
    /// The records (the caller passes only what the report may show).
    pub data: &'a Dataset,
    /// First year.
    pub from: i32,
    /// Last year.
    pub to: i32,
    /// Language.
    pub lang: Lang,
    /// Estimates, if any.
    pub estimates: Vec<EstimateSummary>,
    /// When it was generated.
    pub generated: Timestamp,
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

struct Texts(HashMap<&'static str, (&'static str, &'static str)>, Lang);

impl Texts {
    fn load(lang: Lang) -> Self {
        let map = TEXTS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?, (f.next()?, f.next()?)))
            })
            .collect();
        Self(map, lang)
    }

    fn t(&self, key: &str) -> &'static str {
        match (self.0.get(key), self.1) {
            (Some((en, _)), Lang::En) => en,
            (Some((_, ko)), Lang::Ko) => ko,
            // Every key used below is in the file; a test checks both languages.
            (None, _) => "?",
        }
    }
}

/// A whole number with thousands separators.
pub fn number(n: f64) -> String {
    let s = format!("{:.0}", n.round());
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

const STYLE: &str = "body{font-family:'Noto Sans CJK KR','Noto Sans KR','NanumGothic',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1d;line-height:1.5}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}blockquote{margin:.25rem 0 .25rem 1rem;color:#333;font-style:italic}
.basis{background:#f4f4f4;padding:.5rem 1rem}.warn{color:#8a4b00}figure{margin:1rem 0}svg text{font-family:inherit}
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}";

/// The brief as one HTML page.
pub fn html(input: &ReportInput<'_>) -> String {
    let t = Texts::load(input.lang);
    let vocab = Vocabularies::builtin();
    let data = input.data;
    let years = YearRange {
        from: Some(input.from),
        to: Some(input.to),
    };
    let in_period: Vec<_> = data
        .incidents
        .iter()
        .filter(|i| (input.from..=input.to).contains(&i.date.year()))
        .collect();
    let mut h = String::new();
    let lang = if input.lang == Lang::Ko { "ko" } else { "en" };
    let _ = write!(
        h,
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(t.t("title"))
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p>{}: {}–{} · {}: {}</p><p class=\"basis\">{}</p>",
        escape(t.t("title")),
        escape(t.t("period")),
        input.from,
        input.to,
        escape(t.t("generated")),
        &input.generated.to_string()[..10],
        escape(t.t("basis"))
    );

    // Per-year table.
    let rows = per_year(
        in_period.iter().map(|i| &***i),
        &refwatch_domain::same_incidents(&data.links),
        years,
        None,
    );
    let _ = write!(
        h,
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(t.t("per_year")),
        escape(t.t("year")),
        escape(t.t("kind")),
        escape(t.t("incidents")),
        escape(t.t("low")),
        escape(t.t("best")),
        escape(t.t("high"))
    );
    for r in &rows {
        let high = if r.high_open {
            format!("{}+", number(r.people_high as f64))
        } else {
            number(r.people_high as f64)
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            r.year,
            escape(vocab.label(Vocabulary::IncidentKind, &r.kind, input.lang)),
            r.incidents,
            number(r.people_low as f64),
            number(r.people_best as f64),
            high
        );
    }
    h.push_str("</tbody></table>");
    let _ = write!(
        h,
        "<figure>{}</figure>",
        chart::svg(
            &rows,
            input.from,
            input.to,
            &vocab,
            input.lang,
            t.t("chart_title"),
            t.t("chart_desc")
        )
    );

    // Places.
    let names: HashMap<_, _> = data
        .places
        .iter()
        .map(|p| (p.id, p.name(input.lang).to_owned()))
        .collect();
    let mut per_place: BTreeMap<String, u64> = BTreeMap::new();
    for i in &in_period {
        for l in &i.places {
            if let Some(name) = names.get(&l.place) {
                *per_place.entry(name.clone()).or_default() += 1;
            }
        }
    }
    // The map marks places known more precisely than a country.
    let mut markers: BTreeMap<String, refwatch_geo::Marker> = BTreeMap::new();
    for i in &in_period {
        for l in &i.places {
            let Some(place) = data.places.iter().find(|p| p.id == l.place) else {
                continue;
            };
            let Some(c) = place
                .coordinates
                .filter(|c| c.precision != CoordPrecision::Country)
            else {
                continue;
            };
            let label = names.get(&place.id).cloned().unwrap_or_default();
            markers
                .entry(label.clone())
                .or_insert(refwatch_geo::Marker {
                    lon: c.lon,
                    lat: c.lat,
                    label,
                    count: 0,
                })
                .count += 1;
        }
    }
    let markers: Vec<_> = markers.into_values().collect();
    let _ = write!(
        h,
        "<h2>{}</h2><figure>{}</figure><table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(t.t("places")),
        refwatch_geo::map_svg(&markers, t.t("map_title"), t.t("map_desc")),
        escape(t.t("place")),
        escape(t.t("incidents"))
    );
    for (name, n) in &per_place {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
            escape(name)
        );
    }
    h.push_str("</tbody></table>");

    // Key incidents with their citations, largest first.
    let titles: HashMap<_, _> = data
        .sources
        .iter()
        .map(|s| (s.id, s.title.as_str()))
        .collect();
    let mut key: Vec<_> = in_period.clone();
    key.sort_by(|a, b| {
        b.victims
            .low
            .cmp(&a.victims.low)
            .then(a.date.to_string().cmp(&b.date.to_string()))
    });
    let _ = write!(h, "<h2>{}</h2>", escape(t.t("key_incidents")));
    for i in key.iter().take(12) {
        let people = match i.victims.high {
            Some(hi) if hi != i.victims.low => {
                format!("{}–{}", number(i.victims.low as f64), number(hi as f64))
            }
            Some(_) => number(i.victims.low as f64),
            None => format!("{}+", number(i.victims.low as f64)),
        };
        let _ = write!(
            h,
            "<h3>{} · {}</h3><p>{}: {} · {}</p>",
            escape(&i.date.to_string()),
            escape(&i.title),
            escape(t.t("people")),
            people,
            escape(vocab.label(Vocabulary::Verification, &i.verification, input.lang))
        );
        let cites = i
            .citations
            .iter()
            .chain(i.reports.iter().flat_map(|r| r.citations.iter()));
        for c in cites {
            let via = c
                .via
                .and_then(|v| titles.get(&v))
                .map(|v| format!(", via {}", escape(v)))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<blockquote>“{}”</blockquote><p>— {}{via}, {}</p>",
                escape(&c.quote),
                escape(titles.get(&c.source).copied().unwrap_or("?")),
                escape(&c.locator)
            );
        }
    }

    // Estimates.
    let _ = write!(h, "<h2>{}</h2>", escape(t.t("estimates")));
    if input.estimates.is_empty() {
        let _ = write!(h, "<p>{}</p>", escape(t.t("no_estimates")));
    }
    for e in &input.estimates {
        let interval = e.interval.map_or("–".to_owned(), |(lo, hi)| {
            format!("{}–{}", number(lo), number(hi))
        });
        let _ = write!(
            h,
            "<h3>{}</h3><p>{}: {} · {}: {} ({}: {}) · {}</p><p>{}: {}</p>",
            escape(&e.stratum),
            escape(t.t("observed")),
            number(e.observed as f64),
            escape(t.t("estimate")),
            number(e.estimate),
            escape(t.t("interval")),
            interval,
            escape(&e.method),
            escape(t.t("assumes")),
            escape(&e.assumes)
        );
        for w in &e.warnings {
            let _ = write!(
                h,
                "<p class=\"warn\">{}: {}</p>",
                escape(t.t("warning")),
                escape(w)
            );
        }
    }

    // Recommendations and what happened after.
    let incidents: HashMap<_, _> = data.incidents.iter().map(|i| (i.id, i)).collect();
    let _ = write!(
        h,
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(t.t("recommendations")),
        escape(t.t("recommendation")),
        escape(t.t("by")),
        escape(t.t("response")),
        escape(t.t("after"))
    );
    let mut mechanisms: Vec<_> = data.mechanisms.iter().collect();
    mechanisms.sort_by_key(|m| m.date.start());
    for m in mechanisms {
        let (by, response) = match &m.detail {
            MechanismDetail::UprRecommendation {
                state,
                paragraph,
                response,
                ..
            } => (
                format!(
                    "{state}{}",
                    paragraph
                        .as_ref()
                        .map(|p| format!(" ({p})"))
                        .unwrap_or_default()
                ),
                response.clone(),
            ),
            MechanismDetail::TreatyObservation { body, .. } => (
                vocab
                    .label(Vocabulary::TreatyBody, body, input.lang)
                    .to_owned(),
                None,
            ),
            MechanismDetail::Communication { .. } => ("UN special procedures".to_owned(), None),
            MechanismDetail::CoiRecommendation { paragraph } => {
                (format!("COI, para. {paragraph}"), None)
            }
            MechanismDetail::Resolution { body, .. } => (body.clone(), None),
        };
        let after: Vec<String> = m
            .incidents
            .iter()
            .filter_map(|id| incidents.get(id))
            .filter(|i| i.date.start().first_day() >= m.date.start().first_day())
            .map(|i| format!("{} {}", i.date, i.title))
            .collect();
        let after = if after.is_empty() {
            t.t("none_recorded").to_owned()
        } else {
            after.join("; ")
        };
        let _ = write!(
            h,
            "<tr><td>{} — {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&m.date.to_string()),
            escape(&m.text),
            escape(&by),
            escape(response.as_deref().unwrap_or(t.t("no_response"))),
            escape(&after)
        );
    }
    h.push_str("</tbody></table>");

    // Reported figures.
    let _ = write!(
        h,
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(t.t("figures")),
        escape(t.t("indicator")),
        escape(t.t("period")),
        escape(t.t("value")),
        escape(t.t("sources"))
    );
    for f in &data.figures {
        let value = match (f.value.best, f.value.high) {
            (_, Some(hi)) if hi != f.value.low => {
                format!("{}–{}", number(f.value.low as f64), number(hi as f64))
            }
            (Some(b), _) => number(b as f64),
            _ => format!("{}+", number(f.value.low as f64)),
        };
        let unit = if f.unit == "percent" { "%" } else { "" };
        let source = f
            .citations
            .first()
            .map(|c| titles.get(&c.source).copied().unwrap_or("?"))
            .unwrap_or("");
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{value}{unit}</td><td>{}</td></tr>",
            escape(vocab.label(Vocabulary::Indicator, &f.indicator, input.lang)),
            escape(&f.period.to_string()),
            escape(source)
        );
    }
    h.push_str("</tbody></table></body></html>\n");
    h
}

#[cfg(test)]
mod tests;
