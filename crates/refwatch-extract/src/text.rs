//! Plain text in the encodings Korean and Chinese documents arrive in.

use encoding_rs::{EUC_KR, Encoding, GB18030, UTF_16BE, UTF_16LE};

use crate::ExtractError;

/// Decodes text: a byte-order mark decides; otherwise UTF-8, then EUC-KR
/// (Windows code page 949) when nearly all of it is then Hangul, then
/// GB18030, then EUC-KR: the first that decodes without a single error.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, ExtractError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return if had_errors && encoding != UTF_16LE && encoding != UTF_16BE {
            Err(ExtractError::Encoding)
        } else {
            Ok(text.into_owned())
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    // The two overlap: Chinese in GB18030 often decodes as EUC-KR too, to
    // a jumble of Hangul and Hanja. Korean prose is nearly all Hangul.
    let clean = |encoding: &'static Encoding| {
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        (!had_errors).then(|| text.into_owned())
    };
    let korean = clean(EUC_KR);
    if let Some(text) = &korean {
        let wide: Vec<char> = text.chars().filter(|c| !c.is_ascii()).collect();
        let hangul = wide
            .iter()
            .filter(|c| ('\u{AC00}'..='\u{D7A3}').contains(*c))
            .count();
        if hangul * 10 >= wide.len() * 9 {
            return Ok(korean.unwrap_or_default());
        }
    }
    if let Some(text) = clean(GB18030) {
        return Ok(text);
    }
    if let Some(text) = korean {
        return Ok(text);
    }
    Err(ExtractError::Encoding)
}
