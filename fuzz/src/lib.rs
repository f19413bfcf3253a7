//! What each fuzz target does with one input: the work refwatch does with
//! a file or a request body from outside. A target must end, whatever the
//! input; a panic, an abort or a hang is a finding.

use refwatch_domain::{MediaKind, Vocabularies};

/// A dataset file (or an incident body of the API, which is read the same
/// way): read, then checked against every rule.
pub fn dataset(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    if let Ok(data) = refwatch_interchange::parse(text) {
        let _ = refwatch_domain::validate(&data, &Vocabularies::builtin());
        let _ = refwatch_interchange::to_json(&data);
    }
}

/// A capture-pattern CSV for `estimate`: read, checked, and fitted with
/// the independence models (their point estimates: the intervals and the
/// other models take too long a run for a fuzzer).
pub fn capture_table(input: &[u8]) {
    use refwatch_mse::loglinear::{Model, fit_point};
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    if let Ok(table) = refwatch_mse::CaptureTable::from_csv(text) {
        let _ = refwatch_mse::warnings::check(&table);
        if table.estimable().is_ok() && table.k() <= 6 {
            let _ = fit_point(Model::M0, &table);
            let _ = fit_point(Model::Mt, &table);
        }
    }
}

/// Two names, split at the first newline: parsed, read every way and
/// compared.
pub fn names(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    let (a, b) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = refwatch_names::readings(a);
    let _ = refwatch_names::compare(a, b);
}

/// An evidence file, its kind chosen by the first byte: read as the
/// evidence worker reads it.
pub fn extract(input: &[u8]) {
    let Some((&first, bytes)) = input.split_first() else {
        return;
    };
    let kind = MediaKind::ALL[usize::from(first) % MediaKind::ALL.len()];
    let _ = refwatch_extract::extract(bytes, kind, &refwatch_extract::Limits::default());
}
