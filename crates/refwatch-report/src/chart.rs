//! The per-year chart, as SVG that needs no script and no web font beyond
//! the page's: for arrests, detentions and repatriations, a bar up to the
//! best figure with a whisker from the documented minimum to the high
//! figure, labelled, on a logarithmic scale (the counts run from one person
//! to thousands).

use std::fmt::Write;

use refwatch_domain::{Lang, Term, Vocabularies, Vocabulary};
use refwatch_stats::YearKindRow;

use crate::escape;

const KINDS: [(&str, &str, &str); 3] = [
    ("arrest", "#9ecae1", "#08519c"),
    ("detention", "#fdae6b", "#a63603"),
    ("repatriation", "#fb6a4a", "#67000d"),
];
const W: f64 = 820.0;
const H: f64 = 340.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 60.0;

fn y_of(v: f64, max_log: f64) -> f64 {
    let plot = H - TOP - BOTTOM;
    let l = (v.max(1.0)).log10();
    H - BOTTOM - plot * (l / max_log)
}

/// The chart as SVG, with a title and description for screen readers.
pub fn svg(
    rows: &[YearKindRow],
    from: i32,
    to: i32,
    vocab: &Vocabularies,
    lang: Lang,
    title: &str,
    desc: &str,
) -> String {
    let years: Vec<i32> = (from..=to).collect();
    let max = rows
        .iter()
        .filter(|r| KINDS.iter().any(|(k, _, _)| r.kind.code() == *k))
        .map(|r| r.people_high.max(r.people_low) as f64)
        .fold(10.0, f64::max);
    let max_log = max.log10().ceil().max(1.0);
    let slot = (W - LEFT - RIGHT) / years.len().max(1) as f64;
    let bar = (slot / 4.0).min(18.0);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"100%\" role=\"img\" aria-labelledby=\"chart-title chart-desc\"><title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
    let _ = write!(
        s,
        "<text x=\"{LEFT}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{}</text>",
        escape(title)
    );
    // Axis and gridlines at powers of ten.
    for p in 0..=(max_log as i32) {
        let v = 10f64.powi(p);
        let y = y_of(v, max_log);
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            crate::number(v)
        );
    }
    for (i, year) in years.iter().enumerate() {
        let x0 = LEFT + slot * i as f64;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{year}</text>",
            x0 + slot / 2.0,
            H - BOTTOM + 16.0
        );
        for (k, (kind, light, dark)) in KINDS.iter().enumerate() {
            let Some(r) = rows
                .iter()
                .find(|r| r.year == *year && r.kind.code() == *kind)
            else {
                continue;
            };
            let x = x0 + slot / 2.0 - 1.5 * bar + k as f64 * bar;
            let base = y_of(1.0, max_log);
            let y_best = y_of(r.people_best.max(1) as f64, max_log);
            let (y_lo, y_hi) = (
                y_of(r.people_low as f64, max_log),
                y_of(r.people_high.max(r.people_low) as f64, max_log),
            );
            let open = if r.high_open { "+" } else { "" };
            let label = escape(vocab.label(Vocabulary::IncidentKind, &Term::new(*kind), lang));
            // The bar rises to the best figure; the whisker spans minimum to high.
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y_best:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{light}\" stroke=\"{dark}\"><title>{year} {label}: {}–{}{open}, best {}</title></rect>",
                bar - 2.0,
                (base - y_best).max(1.5),
                r.people_low,
                r.people_high,
                r.people_best
            );
            let xm = x + bar / 2.0 - 1.0;
            let _ = write!(
                s,
                "<line x1=\"{xm:.1}\" x2=\"{xm:.1}\" y1=\"{y_lo:.1}\" y2=\"{:.1}\" stroke=\"{dark}\" stroke-width=\"2\"/>",
                y_hi.min(y_lo - 0.1)
            );
            let _ = write!(
                s,
                "<text x=\"{xm:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"{dark}\">{}{open}</text>",
                y_hi.min(y_best) - 4.0,
                crate::number(r.people_best as f64)
            );
        }
    }
    // Legend.
    for (k, (kind, light, dark)) in KINDS.iter().enumerate() {
        let x = LEFT + k as f64 * 200.0;
        let y = H - 22.0;
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{light}\" stroke=\"{dark}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            y - 11.0,
            x + 20.0,
            y,
            escape(vocab.label(Vocabulary::IncidentKind, &Term::new(*kind), lang))
        );
    }
    s.push_str("</svg>");
    s
}
