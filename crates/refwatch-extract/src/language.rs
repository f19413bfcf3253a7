//! A text's language, by the letters it is written in.

/// `ko` when Hangul makes up a fifth of the letters, `ja` when kana are
/// present in number, `zh` when Chinese characters make up a fifth, `en`
/// for Latin letters with common English words, `und` otherwise.
/// Korean, Chinese and English are what refwatch's documents are in; the
/// letters tell them apart reliably, with no model to ship.
pub fn language(text: &str) -> &'static str {
    let (mut hangul, mut kana, mut han, mut latin) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars().take(200_000) {
        match c {
            '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' => {
                hangul += 1
            }
            '\u{3040}'..='\u{30FF}' => kana += 1,
            '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' => han += 1,
            c if c.is_ascii_alphabetic() => latin += 1,
            _ => {}
        }
    }
    let letters = hangul + kana + han + latin;
    if letters == 0 {
        return "und";
    }
    if hangul * 5 >= letters {
        "ko"
    } else if kana * 10 >= letters && kana > 0 {
        "ja"
    } else if han * 5 >= letters {
        "zh"
    } else if is_english(text) {
        "en"
    } else {
        "und"
    }
}

fn is_english(text: &str) -> bool {
    const COMMON: [&str; 12] = [
        "the", "and", "of", "to", "in", "a", "is", "was", "for", "that", "on", "were",
    ];
    let mut words = 0usize;
    let mut common = 0usize;
    for word in text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .take(20_000)
    {
        words += 1;
        if COMMON.iter().any(|c| word.eq_ignore_ascii_case(c)) {
            common += 1;
        }
    }
    // Short texts (titles) in Latin letters count as English; longer ones
    // need a tenth of common words.
    words > 0 && (common * 10 >= words || words < 12)
}

/// The language code as [`language`] returns it, from its text.
pub(crate) fn code(text: &str) -> Option<&'static str> {
    ["ko", "en", "zh", "ja", "und"]
        .into_iter()
        .find(|c| *c == text)
}
