//! Generated names only.

use super::*;

fn guard(names: &[&'static str]) -> Guard<usize> {
    Guard::new(names.iter().copied().enumerate())
}

fn redacted(g: &Guard<usize>, text: &str) -> String {
    g.screen()
        .redact(text, "[withheld]")
        .unwrap_or_else(|| text.to_owned())
}

#[test]
fn a_name_is_found_in_every_script_and_romanisation() {
    let g = guard(&["김철옥"]);
    for text in [
        "Arrest of 김철옥 in Yanji",
        "김철옥은 2013년에 체포되었다",
        "김철옥씨가 송환되었다",
        "Kim Cheol-ok was detained",
        "KIM CHOL OK, 24, detained",
        "Kim Chŏl-ok was detained",
        "Cheol-ok Kim was detained",
        "Kim, Cheol Ok was detained",
        "Kimcheolok was detained",
        "金哲玉在延吉被捕",
    ] {
        let out = redacted(&g, text);
        assert!(out.contains("[withheld]"), "not found in {text:?}: {out}");
        for part in ["김철옥", "Cheol", "CHOL", "Chŏl", "金哲玉", "Kimcheolok"] {
            assert!(!out.contains(part), "{text:?} -> {out}");
        }
    }
    // The rest of the text stays.
    assert_eq!(
        redacted(&g, "김철옥은 2013년에 체포되었다"),
        "[withheld]은 2013년에 체포되었다"
    );
    assert_eq!(
        redacted(&g, "KIM CHOL OK, 24, detained"),
        "[withheld], 24, detained"
    );
}

#[test]
fn a_name_given_in_latin_letters_is_found_in_hangul() {
    let g = guard(&["Pak Sun-hui"]);
    assert_ne!(redacted(&g, "박순희가 체포되었다"), "박순희가 체포되었다");
    assert_ne!(redacted(&g, "PARK SOON HEE"), "PARK SOON HEE");
}

#[test]
fn other_names_and_ordinary_text_are_left_alone() {
    let g = guard(&["김철옥", "Pak Sun-hui"]);
    for text in [
        "Arrest of 17 people in Shenyang, Yanji and Dandong",
        "김철수가 체포되었다",
        "Kim Cheol-su was detained",
        "강제북송 반대 공개서한",
        "The Committee against Torture reviewed China in 2008",
        "",
    ] {
        assert_eq!(redacted(&g, text), text);
    }
    assert!(guard(&[]).screen().find("김철옥").is_empty());
}

#[test]
fn hits_say_whose_name_without_printing_it() {
    let g = guard(&["이영희", "김철옥"]);
    let hits = g.screen().find("이영희 and Kim Cheol-ok");
    assert_eq!(hits.iter().map(|h| h.owner).collect::<Vec<_>>(), vec![0, 1]);
    let shown = format!("{g:?} {hits:?}");
    assert!(!shown.contains("이영희") && !shown.contains("Cheol"));
}
