//! Hangul syllables and their romanisation.

use crate::tables;

/// The first precomposed Hangul syllable, 가.
const FIRST: u32 = 0xAC00;
/// How many precomposed syllables there are.
const COUNT: u32 = 11_172;

/// Initial consonants, vowels and finals in Unicode's order.
pub(crate) const INITIALS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];
pub(crate) const VOWELS: [char; 21] = [
    'ㅏ', 'ㅐ', 'ㅑ', 'ㅒ', 'ㅓ', 'ㅔ', 'ㅕ', 'ㅖ', 'ㅗ', 'ㅘ', 'ㅙ', 'ㅚ', 'ㅛ', 'ㅜ', 'ㅝ', 'ㅞ',
    'ㅟ', 'ㅠ', 'ㅡ', 'ㅢ', 'ㅣ',
];
pub(crate) const FINALS: [Option<char>; 28] = [
    None,
    Some('ㄱ'),
    Some('ㄲ'),
    Some('ㄳ'),
    Some('ㄴ'),
    Some('ㄵ'),
    Some('ㄶ'),
    Some('ㄷ'),
    Some('ㄹ'),
    Some('ㄺ'),
    Some('ㄻ'),
    Some('ㄼ'),
    Some('ㄽ'),
    Some('ㄾ'),
    Some('ㄿ'),
    Some('ㅀ'),
    Some('ㅁ'),
    Some('ㅂ'),
    Some('ㅄ'),
    Some('ㅅ'),
    Some('ㅆ'),
    Some('ㅇ'),
    Some('ㅈ'),
    Some('ㅊ'),
    Some('ㅋ'),
    Some('ㅌ'),
    Some('ㅍ'),
    Some('ㅎ'),
];

/// A syllable's letters by their indexes, if it is a Hangul syllable.
pub(crate) fn split(c: char) -> Option<(usize, usize, usize)> {
    let code = u32::from(c).checked_sub(FIRST)?;
    (code < COUNT).then(|| {
        let code = code as usize;
        (code / (21 * 28), (code % (21 * 28)) / 28, code % 28)
    })
}

/// Whether a vowel (by its index) begins with the sound y or is ㅣ: the
/// vowels before which the initial-sound rule drops ㄹ and ㄴ.
fn y_vowel(v: usize) -> bool {
    matches!(VOWELS[v], 'ㅑ' | 'ㅒ' | 'ㅕ' | 'ㅖ' | 'ㅛ' | 'ㅠ' | 'ㅣ')
}

/// The spellings of a syllable at the start of a word in the two Koreas:
/// the South's initial-sound rule writes 이 and 노 where the North keeps
/// 리 and 로 (리영희 and 이영희, 로단례 and 노단례, 량강도 and 양강도, 녀 and
/// 여). Before ㅣ and the y vowels ㄹ, ㄴ and ㅇ are one; before the other
/// vowels ㄹ and ㄴ. The syllable itself is among them.
pub fn initial_sound_spellings(c: char) -> impl Iterator<Item = char> {
    let found = split(c).filter(|&(i, _, _)| matches!(INITIALS[i], 'ㄴ' | 'ㄹ' | 'ㅇ'));
    let initials: &[usize] = match found {
        Some((i, v, _)) if y_vowel(v) || INITIALS[i] != 'ㅇ' => {
            if y_vowel(v) {
                &[2, 5, 11]
            } else {
                &[2, 5]
            }
        }
        _ => &[],
    };
    let own = initials.is_empty().then_some(c);
    own.into_iter().chain(initials.iter().filter_map(move |&i| {
        let (_, v, f) = found?;
        char::from_u32(FIRST + ((i * 21 + v) * 28 + f) as u32)
    }))
}

/// Every precomposed syllable.
pub(crate) fn all() -> impl Iterator<Item = char> {
    (FIRST..FIRST + COUNT).filter_map(char::from_u32)
}

/// A romanisation system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    /// Revised Romanization (South Korea, 2000).
    Revised,
    /// McCune–Reischauer without diacritics (as the DPRK and most
    /// English-language reports write it).
    McCuneReischauer,
}

/// Romanises Hangul syllable by syllable, as names are written (given-name
/// syllables joined by a hyphen in the caller's hands, not here); anything
/// that is not a Hangul syllable is kept as it is.
pub fn romanize(text: &str, system: System) -> String {
    let t = tables::tables();
    let name = match system {
        System::Revised => "rr",
        System::McCuneReischauer => "mr",
    };
    let mut out = String::new();
    for c in text.chars() {
        match split(c) {
            Some((i, v, f)) => {
                out.push_str(t.letter(name, "initial", INITIALS[i]));
                out.push_str(t.letter(name, "vowel", VOWELS[v]));
                if let Some(last) = FINALS[f] {
                    out.push_str(t.letter(name, "final", last));
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// A syllable's sound class: letters that romanisations confuse are one
/// class (ㄱ ㄲ ㅋ; ㅈ ㅉ ㅊ; ㅓ ㅗ; ㅜ ㅡ; ㅐ ㅔ; ㅢ ㅣ; the finals that sound
/// alike), so that the readings of one name in different scripts share a
/// class even where their exact syllables differ. For blocking, not for
/// comparing.
pub fn sound_class(syllable: char) -> Option<[u8; 3]> {
    let (i, v, f) = split(syllable)?;
    let initial = match INITIALS[i] {
        // The initial-sound rule's letters: one class where the two
        // Koreas spell the syllable differently.
        // (ㅢ is in the class of ㅣ, as its vowel is.)
        'ㄴ' | 'ㄹ' if y_vowel(v) || VOWELS[v] == 'ㅢ' => b'-',
        'ㄴ' | 'ㄹ' => b'N',
        'ㄱ' | 'ㄲ' | 'ㅋ' => b'K',
        'ㄷ' | 'ㄸ' | 'ㅌ' => b'T',
        'ㅂ' | 'ㅃ' | 'ㅍ' => b'P',
        'ㅈ' | 'ㅉ' | 'ㅊ' => b'C',
        'ㅅ' | 'ㅆ' => b'S',
        'ㅁ' => b'M',
        'ㅎ' => b'H',
        _ => b'-',
    };
    let vowel = match VOWELS[v] {
        'ㅏ' => b'a',
        'ㅑ' => b'A',
        'ㅓ' | 'ㅗ' => b'o',
        'ㅕ' | 'ㅛ' => b'O',
        'ㅜ' | 'ㅡ' => b'u',
        'ㅠ' => b'U',
        'ㅐ' | 'ㅔ' => b'e',
        'ㅒ' | 'ㅖ' => b'E',
        'ㅣ' | 'ㅢ' => b'i',
        'ㅘ' => b'w',
        'ㅝ' => b'W',
        'ㅙ' | 'ㅚ' | 'ㅞ' => b'v',
        _ => b'y',
    };
    let last = match FINALS[f] {
        None => b'-',
        Some('ㄱ' | 'ㄲ' | 'ㄳ' | 'ㄺ' | 'ㅋ') => b'k',
        Some('ㄴ' | 'ㄵ' | 'ㄶ') => b'n',
        Some('ㄹ' | 'ㄼ' | 'ㄽ' | 'ㄾ' | 'ㅀ') => b'l',
        Some('ㅁ' | 'ㄻ') => b'm',
        Some('ㅂ' | 'ㅄ' | 'ㄿ' | 'ㅍ') => b'p',
        Some('ㅇ') => b'g',
        Some(_) => b't',
    };
    Some([initial, vowel, last])
}
