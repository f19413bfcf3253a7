//! Texts of the web pages in English and Korean, from `i18n/web.tsv`.

use std::collections::HashMap;
use std::sync::OnceLock;

use refwatch_domain::Lang;

const TEXTS: &str = include_str!("../i18n/web.tsv");

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static TABLE: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TEXTS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?, (f.next()?, f.next()?)))
            })
            .collect()
    })
}

/// The text for `key` in `lang`; the key itself if missing (a test checks none is).
pub(crate) fn t(lang: Lang, key: &'static str) -> &'static str {
    text(lang, key).unwrap_or(key)
}

/// The text for a key made at run time, if the table has it.
pub(crate) fn text(lang: Lang, key: &str) -> Option<&'static str> {
    table().get(key).map(|(en, ko)| match lang {
        Lang::En => *en,
        Lang::Ko => *ko,
    })
}

/// A message of the rules (or of a date that does not read) in `lang`:
/// Korean where the rules have a Korean sentence for it.
pub(crate) fn problem(lang: Lang, message: &str) -> String {
    match lang {
        Lang::Ko => {
            refwatch_domain::problem_in_korean(message).unwrap_or_else(|| message.to_owned())
        }
        Lang::En => message.to_owned(),
    }
}

/// A confidentiality level's name in `lang`.
pub(crate) fn level(lang: Lang, level: refwatch_domain::Confidentiality) -> &'static str {
    use refwatch_domain::Confidentiality as C;
    t(
        lang,
        match level {
            C::Public => "level_public",
            C::Restricted => "level_restricted",
            C::Confidential => "level_confidential",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_english_and_korean() {
        let mut keys = std::collections::HashSet::new();
        for line in TEXTS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 3, "{line}");
            assert!(fields.iter().all(|f| !f.trim().is_empty()), "{line}");
            // A key given twice would hide one of its texts.
            assert!(keys.insert(fields[0]), "{} is given twice", fields[0]);
        }
        assert_eq!(t(Lang::Ko, "incidents"), "사건");
    }
}
