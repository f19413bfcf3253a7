use super::*;

/// Names of generated people in the forms documents use; each pair is the
/// same name.
const SAME: &[(&str, &str)] = &[
    ("김철옥", "Kim Cheol-ok"),
    ("김철옥", "Kim Chol Ok"),
    ("김철옥", "KIM CHŎL-OK"),
    ("김철옥", "Gim Cheorok"),
    ("김철옥", "金哲玉"),
    ("김철옥", "Jin Zheyu"),
    ("Kim Cheol-ok", "Cheol-ok Kim"),
    ("Kim Cheol-ok", "Chol-Ok KIM"),
    ("이영희", "Lee Young-hee"),
    ("이영희", "Yi Yeong-hui"),
    ("이영희", "Rhee Yong Hui"),
    ("리영희", "Ri Yong-hui"),
    ("리영희", "Lee Young Hee"),
    ("박순자", "Park Soon-ja"),
    ("박순자", "Pak Sun Ja"),
    ("박순자", "Bak Sunja"),
    ("최명수", "Choi Myung-soo"),
    ("최명수", "Choe Myong Su"),
    ("정은실", "Jung Eun-sil"),
    ("정은실", "Chung Un-sil"),
    ("정은실", "Jeong Eunsil"),
    ("남궁현", "Namgung Hyeon"),
    ("남궁현", "Namkoong Hyun"),
    ("한만택", "韓萬澤"),
    ("한만택", "Han Man-taek"),
    ("한만택", "Han Wanze"),
    // The North's spellings against the South's initial-sound rule, at
    // the start of the surname and of the given name.
    ("리영희", "이영희"),
    ("김룡호", "김용호"),
    ("로단례", "노단례"),
    ("류선옥", "유선옥"),
    ("김련하", "김연하"),
    ("림철수", "임철수"),
    ("라명희", "나명희"),
    ("량순희", "양순희"),
    ("김녀옥", "김여옥"),
    ("리영희", "Yi Yeong-hui"),
];

/// Different people.
const DIFFERENT: &[(&str, &str)] = &[
    ("김철옥", "박영희"),
    ("Kim Cheol-ok", "Park Young-hee"),
    ("김철옥", "Choi Myung-soo"),
];

/// The readings of a generated name written out, for failure messages
/// (`Debug` is redacted).
fn shown(name: &str) -> Vec<Vec<Vec<String>>> {
    readings(name)
        .iter()
        .map(|r| {
            r.words
                .iter()
                .map(|w| w.iter().map(|set| set.iter().collect()).collect())
                .collect()
        })
        .collect()
}

#[test]
fn names_never_show_in_debug_output() {
    let text = format!(
        "{:?} {:?}",
        ParsedName::new("김철옥"),
        readings("Kim Cheol-ok")
    );
    assert!(
        !text.contains('김') && !text.contains('철') && !text.contains("Cheol"),
        "{text}"
    );
}

#[test]
fn known_variants_are_read_the_same() {
    for (a, b) in SAME {
        let c = compare(a, b);
        assert!(
            c.agreement >= Agreement::SameReading,
            "{a} / {b}: {c:?}; readings {:?} / {:?}",
            shown(a),
            shown(b)
        );
    }
}

#[test]
fn different_people_are_told_apart() {
    for (a, b) in DIFFERENT {
        let c = compare(a, b);
        assert!(c.agreement <= Agreement::Partly, "{a} / {b}: {c:?}");
    }
    // The same surname alone is partial agreement, not a match.
    let c = compare("Kim Cheol-ok", "Kim Young-hee");
    assert_eq!(c.agreement, Agreement::Partly, "{c:?}");
    assert_eq!(
        compare("Kim Cheol-ok", "Kim Cheol-su").agreement,
        Agreement::AllButOne
    );
}

#[test]
fn the_initial_sound_rule_joins_only_what_it_changes() {
    // ㅇ before ㅏ is not ㄴ or ㄹ; ㄴ after the first syllable of the
    // given name is as written.
    for (a, b) in [
        ("안영희", "난영희"),
        ("김영나", "김영라"),
        ("김영나", "김영아"),
    ] {
        let c = compare(a, b);
        assert!(c.agreement < Agreement::SameReading, "{a} / {b}: {c:?}");
    }
    // The blocking classes agree where the readings do.
    for (a, b) in [('리', '이'), ('룡', '용'), ('로', '노'), ('녀', '여')] {
        assert_eq!(sound_class(a), sound_class(b), "{a} / {b}");
    }
    assert_ne!(sound_class('아'), sound_class('나'));
}

/// Given syllables swapped, and a syllable left out, are agreements of
/// their own, in every script, either way round.
#[test]
fn swapped_and_left_out_syllables_are_their_own_agreements() {
    for (a, b) in [
        ("김창석", "KIM SEOK CHANG"),
        ("Kim Chang-seok", "Kim Seok-chang"),
        ("김창석", "김석창"),
        ("Chang-seok Kim", "金錫昌"),
    ] {
        for (x, y) in [(a, b), (b, a)] {
            assert_eq!(compare(x, y).agreement, Agreement::Reordered, "{x} / {y}");
        }
    }
    for (a, b) in [
        ("구정희", "Ku Chong"),
        ("구정희", "구정"),
        ("박순자", "Park Soon"),
        ("구정희", "具贞"),
    ] {
        for (x, y) in [(a, b), (b, a)] {
            assert_eq!(compare(x, y).agreement, Agreement::OneLeftOut, "{x} / {y}");
        }
    }
    // A syllable changed is neither.
    assert_eq!(compare("김창석", "김창수").agreement, Agreement::AllButOne);
    assert!(compare("김창석", "박석창").agreement < Agreement::OneLeftOut);
}

#[test]
fn comparison_is_symmetric() {
    let all: Vec<&str> = SAME
        .iter()
        .chain(DIFFERENT)
        .flat_map(|(a, b)| [*a, *b])
        .collect();
    for a in &all {
        for b in &all {
            assert_eq!(compare(a, b), compare(b, a), "{a} / {b}");
        }
    }
}

#[test]
fn what_cannot_be_read_is_unknown_not_a_match() {
    for (a, b) in [
        ("", "김철옥"),
        ("Kim Cheol-ok", "   "),
        ("12345", "67890"),
        ("?", "?!"),
    ] {
        assert_eq!(compare(a, b).agreement, Agreement::Unknown, "{a:?} / {b:?}");
    }
    assert_eq!(compare("Kim", "KIM").agreement, Agreement::Identical);
}

#[test]
fn hangul_is_romanised_by_either_system() {
    assert_eq!(romanize("김철옥", System::Revised), "gimcheolok");
    assert_eq!(romanize("김철옥", System::McCuneReischauer), "kimcholok");
    assert_eq!(romanize("정은실", System::Revised), "jeongeunsil");
    assert_eq!(romanize("정은실", System::McCuneReischauer), "chongunsil");
    assert_eq!(romanize("A-1", System::Revised), "A-1");
}

/// [`compare_parsed`] as it was first written: every pair of readings
/// (from [`readings`], word by word, not the parsed name's block of
/// syllables) aligned in every order, each order made by moving words.
fn compare_every_alignment(a: &str, b: &str) -> Comparison {
    let (pa, pb) = (ParsedName::new(a), ParsedName::new(b));
    let (ra, rb) = (readings(a), readings(b));
    // Empty, identical or unreadable names never reach the alignments.
    if pa.squeezed.is_empty() || pa.squeezed == pb.squeezed || ra.is_empty() || rb.is_empty() {
        return compare_parsed(&pa, &pb);
    }
    // A reading's orders: as given, first word last, last word first.
    let orders = |r: &Reading| -> Vec<Vec<Syllable>> {
        let w = &r.words;
        let mut out = vec![w.concat()];
        if w.len() > 1 {
            out.push([&w[1..], &w[..1]].concat().concat());
        }
        if w.len() > 2 {
            let last = w.len() - 1;
            out.push([&w[last..], &w[..last]].concat().concat());
        }
        out
    };
    // The longest common subsequence of agreeing syllables, in full.
    let lcs = |x: &[Syllable], y: &[Syllable]| -> usize {
        let mut t = vec![vec![0usize; y.len() + 1]; x.len() + 1];
        for i in 1..=x.len() {
            for j in 1..=y.len() {
                t[i][j] = if x[i - 1].is_disjoint(&y[j - 1]) {
                    t[i - 1][j].max(t[i][j - 1])
                } else {
                    t[i - 1][j - 1] + 1
                };
            }
        }
        t[x.len()][y.len()]
    };
    let mut best = (0, usize::MAX);
    let (mut short, mut reordered) = (0, false);
    for x in &ra {
        for y in &rb {
            let (ox, oy) = (orders(x), orders(y));
            let (cx, cy) = (&ox[0], &oy[0]);
            reordered |= cx.len() == cy.len()
                && (2..=MOST_REORDERED).contains(&cx.len())
                && all_matched(cx, cy);
            let tries = std::iter::once((0, 0))
                .chain((1..ox.len()).map(|o| (o, 0)))
                .chain((1..oy.len()).map(|o| (0, o)));
            for (xo, yo) in tries {
                let (p, q) = (&ox[xo], &oy[yo]);
                let same = if p.len() == q.len() {
                    p.iter().zip(q).filter(|(s, t)| !s.is_disjoint(t)).count()
                } else {
                    lcs(p, q)
                };
                let found = (same, p.len().max(q.len()));
                if found.0 > best.0 || (found.0 == best.0 && found.1 < best.1) {
                    best = found;
                    short = p.len().min(q.len());
                }
            }
        }
    }
    // Then the typos, as the parsed comparison allows for them.
    settled(judged_in_full(best, short, reordered), &pa, &pb)
}

/// Passing over reading pairs that cannot do better, and keeping each
/// name's syllables in one block, change no result:
/// generated names in Hangul, both romanisations (surname first or last,
/// given name hyphenated or not) and Chinese characters, every pair.
#[test]
fn passing_over_hopeless_alignments_changes_no_comparison() {
    const SURNAMES: [&str; 6] = ["김", "이", "박", "최", "정", "남궁"];
    const GIVEN: [&str; 8] = ["철", "옥", "영", "수", "은", "실", "민", "호"];
    let mut seed = 11u64;
    let mut below = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((seed >> 33) % n as u64) as usize
    };
    let mut names = Vec::new();
    for _ in 0..60 {
        let surname = SURNAMES[below(SURNAMES.len())];
        let given: String = (0..1 + below(2))
            .map(|_| GIVEN[below(GIVEN.len())])
            .collect();
        names.push(format!("{surname}{given}"));
        let system = [System::Revised, System::McCuneReischauer][below(2)];
        let (s, g) = (romanize(surname, system), romanize(&given, system));
        let (g1, g2) = g.split_at(g.len() / 2);
        names.push(match below(4) {
            0 => format!("{s} {g}"),
            1 => format!("{g} {s}"),
            2 => format!("{s} {g1}-{g2}"),
            _ => format!("{g1} {g2} {s}"),
        });
        let hanja: String = format!("{surname}{given}")
            .chars()
            .filter_map(|c| chinese_characters(c).first().map(|(h, _)| *h))
            .collect();
        names.push(hanja);
    }
    let parsed: Vec<ParsedName> = names.iter().map(|n| ParsedName::new(n)).collect();
    let mut compared = 0;
    for (a, pa) in names.iter().zip(&parsed) {
        for (b, pb) in names.iter().zip(&parsed) {
            assert_eq!(compare_parsed(pa, pb), compare_every_alignment(a, b));
            compared += 1;
        }
    }
    assert_eq!(compared, 180 * 180);
}

/// Names of any length are aligned syllable by syllable, however long
/// (a long name's alignment does not fit the usual room for it).
#[test]
fn long_names_are_aligned_in_full() {
    let syllables: Vec<char> = "김철옥영수은실민호박최정남궁희순자명혜진광미경"
        .chars()
        .collect();
    let long: String = (0..30)
        .map(|i| syllables[(i * 7) % syllables.len()])
        .collect();
    let shorter = |drop: usize| -> String {
        long.chars()
            .enumerate()
            .filter(|&(i, _)| i < 3 || i >= 3 + drop)
            .map(|(_, c)| c)
            .collect()
    };
    for drop in [1, 5, 6, 7, 10, 20] {
        for (a, b) in [(long.clone(), shorter(drop)), (shorter(drop), long.clone())] {
            let c = compare(&a, &b);
            assert_eq!((c.agreeing, c.syllables), (30 - drop, 30), "{drop} dropped");
        }
    }
    assert_eq!(compare(&long, &shorter(1)).agreement, Agreement::OneLeftOut);
    assert_eq!(compare(&long, &shorter(10)).agreement, Agreement::Partly);
}

/// Generated names with one typo that leaves a word unreadable as written:
/// a letter doubled, added or left out. Each is the first name mistyped.
const MISTYPED: &[(&str, &str)] = &[
    ("김철옥", "Gimm Cheol-ok"),
    ("김철옥", "Kim Chol Okk"),
    ("김철옥", "Kim Chl-ok"),
    ("이영희", "Lee Yyong-hui"),
    ("박순자", "Pak Sn Ja"),
    ("박순자", "Bakk Sunja"),
    ("최명수", "Choe Myng Su"),
    ("이영희", "Lee Yng-hui"),
    ("장미광", "Jahg Mi-gwang"),
    ("정은실", "Jeong Eunsl"),
    ("남궁현", "Namgung Hyeonn"),
];

#[test]
fn one_typo_in_a_romanised_word_is_its_own_agreement() {
    for (a, b) in MISTYPED {
        // Unreadable as written: the typo, not the tables, is at fault.
        assert!(
            b.split_whitespace()
                .flat_map(|w| w.split('-'))
                .any(|p| tables::read_part(&fold(p)).is_empty()),
            "{b} reads as written"
        );
        for (x, y) in [(a, b), (b, a)] {
            let c = compare(x, y);
            assert_eq!(
                c.agreement,
                Agreement::Mistyped,
                "{x} / {y}: {c:?}; readings {:?} / {:?}",
                shown(x),
                shown(y)
            );
        }
    }
    // Weaker than a reading as written, stronger than a syllable missed.
    assert!(Agreement::Mistyped < Agreement::SameReading);
    assert!(Agreement::Mistyped > Agreement::AllButOne);
    // A typo does not make another person the same.
    for (typo, other) in [
        ("Gimm Cheol-ok", "박영희"),
        ("Gimm Cheol-ok", "김영희"),
        ("Pak Sn Ja", "최명수"),
    ] {
        let c = compare(typo, other);
        assert!(c.agreement <= Agreement::Partly, "{typo} / {other}: {c:?}");
    }
    assert_eq!(
        compare("Gimm Cheol-ok", "김철수").agreement,
        Agreement::AllButOne
    );
    // Names read as written are not taken for typos, nor is what cannot
    // be read even with one letter mended.
    for (a, b) in SAME {
        assert_ne!(compare(a, b).agreement, Agreement::Mistyped, "{a} / {b}");
    }
    assert_eq!(
        compare("Wxqzt Cheol-ok", "김철옥").agreement,
        Agreement::Unknown
    );
    // A long run of letters is not one name's syllables mistyped: it is
    // not searched for a typo (which would cost more the longer it is).
    assert!(!tables::read_part("cheolokcheolok").is_empty());
    assert!(tables::read_part("cheolokcheolokk").is_empty());
    assert!(tables::read_mistyped("cheolokcheolokk").is_empty());
    assert_eq!(
        compare("Kim Cheolokcheolokk", "김철옥철옥").agreement,
        Agreement::Unknown
    );
}

/// Romanised names with one typo that still read, as some other name
/// ("Eunchuun" reads 은추운, "Sang-hyeo" 상혀): a letter left out, doubled
/// or two swapped in a spelling of the Hangul name.
const MISTYPED_BUT_READABLE: [(&str, &str); 8] = [
    ("임은춘", "Lim Eunchuun"),
    ("김상현", "GHIM Sang-hyeo"),
    ("이윤동", "I Yun-ong"),
    ("박창석", "Bak Chaang Seok"),
    ("김희성", "Kim Huisoong"),
    ("이분주", "Bun-ju Leee"),
    ("정원옥", "Jeong Won-ko"),
    ("남궁현", "Namgnug Hyeon"),
];

#[test]
fn one_typo_that_still_reads_is_taken_for_a_typo_of_the_hangul() {
    for (a, b) in MISTYPED_BUT_READABLE {
        // Readable as written, as another name: only the spelling tells.
        assert!(!readings(b).is_empty(), "{b} does not read");
        let (x, y) = (ParsedName::new(a), ParsedName::new(b));
        assert!(!x.misspells(&x) && !y.misspells(&y));
        for (p, q) in [(a, b), (b, a)] {
            let c = compare(p, q);
            assert_eq!(c.agreement, Agreement::Mistyped, "{p} / {q}: {c:?}");
            assert_eq!(c.syllables, a.chars().count());
        }
    }
    // A letter changed turns one syllable into another: not a typo.
    for (a, b) in [
        ("김민수", "Kim Min-so"),
        ("김민수", "Kim Man-su"),
        ("이영희", "Lee Yeong-ho"),
    ] {
        let c = compare(a, b);
        assert!(c.agreement < Agreement::Mistyped, "{a} / {b}: {c:?}");
    }
    // Two slips are not one; another name's spelling is not a typo.
    for (a, b) in [
        ("김상현", "Kim Sang-hyoo"),
        ("김상현", "Kim Sng-hyeo"),
        ("박창석", "Park Chang-su"),
        ("박창석", "창석박"),
    ] {
        let c = compare(a, b);
        assert!(c.agreement < Agreement::Mistyped, "{a} / {b}: {c:?}");
    }
}

/// One slip: a letter left out or added anywhere, or two neighbours
/// swapped; not a letter changed, not two slips, not the same text.
#[test]
fn one_slip_is_a_letter_left_out_added_or_two_swapped() {
    let word = b"huiseong";
    for at in 0..=word.len() {
        if at < word.len() {
            let mut left_out = word.to_vec();
            left_out.remove(at);
            assert!(one_slip_apart(word, &left_out), "{at}");
            assert!(one_slip_apart(&left_out, word), "{at}");
            let mut changed = word.to_vec();
            changed[at] = b'x';
            assert!(!one_slip_apart(word, &changed), "{at}");
        }
        if at + 1 < word.len() && word[at] != word[at + 1] {
            let mut swapped = word.to_vec();
            swapped.swap(at, at + 1);
            assert!(one_slip_apart(word, &swapped), "{at}");
        }
        let mut added = word.to_vec();
        added.insert(at, b'q');
        assert!(one_slip_apart(word, &added), "{at}");
        let mut twice = added.clone();
        twice.insert(0, b'z');
        assert!(!one_slip_apart(word, &twice), "{at}");
    }
    assert!(!one_slip_apart(word, word));
    // Two swaps, or a swap and a letter left out.
    assert!(!one_slip_apart(b"abcd", b"badc"));
    assert!(!one_slip_apart(b"abcde", b"bacd"));
}

#[test]
fn a_hostile_cell_is_read_only_as_far_as_a_name_goes() {
    // 100,000 characters took 96 s in `link csv`; only the first
    // MOST_READ are read, so the time is bounded and the reading is theirs.
    let long = format!("Kim {}", "a".repeat(100_000));
    let head: String = long.chars().take(crate::MOST_READ).collect();
    let a = crate::ParsedName::new(&long);
    let b = crate::ParsedName::new(&head);
    assert!(a == b, "the same reading as the first MOST_READ characters");
}

/// Korean names in any script look Korean; English names do not, even
/// where a word of them reads as a syllable.
#[test]
fn korean_names_are_told_from_others() {
    for name in [
        "김철옥",
        "Kim Cheol-ok",
        "Cheol-ok Kim",
        "KIM CHOL OK",
        "金哲玉",
        "Jin Zheyu",
        "Ri Yong Hui",
        "PIAO Xitai",
    ] {
        assert!(looks_korean(name), "{name}");
    }
    for name in [
        "thomas clifford",
        "tom chudleigh",
        "mary ann smith",
        "john",
        "",
        "12",
    ] {
        assert!(!looks_korean(name), "{name}");
    }
}
