//! Generated Korean-named people on two lists, with the differences real
//! lists have: Hangul on one, romanisations on the other (Revised or
//! McCune–Reischauer, surname variants, surname first or last, hyphens or
//! spaces), names from Chinese documents (in Chinese characters or in
//! pinyin), birth dates known to the day or only to the year, year slips
//! and gaps, typos, home towns and places of detention recorded less
//! precisely or not at all, detention dates reported days apart.

use rand::SeedableRng;
use rand::distr::{Distribution, StandardUniform};
use rand_xoshiro::Xoshiro256PlusPlus;
use refwatch_domain::PartialDate;
use refwatch_names::{System, chinese_characters, romanize, surname_spellings};

/// Surnames with their approximate shares of the population (percent).
const SURNAMES: [(&str, f64); 24] = [
    ("김", 21.5),
    ("이", 14.7),
    ("박", 8.4),
    ("최", 4.7),
    ("정", 4.3),
    ("강", 2.3),
    ("조", 2.1),
    ("윤", 2.1),
    ("장", 2.0),
    ("임", 1.7),
    ("한", 1.5),
    ("오", 1.5),
    ("서", 1.5),
    ("신", 1.5),
    ("권", 1.4),
    ("황", 1.4),
    ("안", 1.4),
    ("송", 1.3),
    ("류", 1.2),
    ("전", 1.1),
    ("홍", 1.1),
    ("고", 0.9),
    ("문", 0.9),
    ("남궁", 0.05),
];

const GIVEN: [&str; 64] = [
    "영", "민", "수", "지", "현", "정", "준", "서", "은", "희", "진", "성", "혜", "경", "미", "주",
    "연", "철", "광", "호", "석", "순", "자", "숙", "옥", "남", "동", "상", "우", "재", "태", "명",
    "선", "종", "용", "기", "원", "훈", "윤", "아", "나", "라", "유", "하", "소", "예", "다", "인",
    "혁", "범", "규", "창", "한", "일", "승", "찬", "효", "금", "분", "춘", "향", "란", "봉", "길",
];

const PLACES: [&str; 10] = [
    "jilin/yanbian/yanji",
    "jilin/yanbian/tumen",
    "jilin/yanbian/longjing",
    "jilin/yanbian/hunchun",
    "jilin/changbai",
    "jilin/baishan",
    "liaoning/shenyang",
    "liaoning/dandong",
    "heilongjiang/harbin",
    "beijing",
];

/// Where people come from (North Korean provinces and some of their towns,
/// in the romanisation lists use), with the approximate share of escapees
/// from each province (percent): most come from the border provinces.
const ORIGINS: [(&str, f64, &[&str]); 9] = [
    (
        "north hamgyong",
        50.0,
        &[
            "chongjin",
            "hoeryong",
            "musan",
            "onsong",
            "kyongsong",
            "kimchaek",
            "saebyol",
            "yonsa",
        ],
    ),
    (
        "ryanggang",
        22.0,
        &[
            "hyesan",
            "samjiyon",
            "pochon",
            "kimjongsuk",
            "unhung",
            "kapsan",
        ],
    ),
    (
        "south hamgyong",
        10.0,
        &["hamhung", "tanchon", "sinpo", "hongwon"],
    ),
    ("pyongyang", 4.0, &["central", "mangyongdae", "sadong"]),
    ("south pyongan", 4.0, &["pyongsong", "sunchon", "anju"]),
    ("north pyongan", 3.5, &["sinuiju", "jongju", "kusong"]),
    ("jagang", 2.5, &["kanggye", "manpo", "huichon"]),
    ("kangwon", 2.0, &["wonsan", "munchon"]),
    ("south hwanghae", 2.0, &["haeju", "ongjin"]),
];

/// The share of the second list's names written as a Chinese document
/// writes them (in Chinese characters or in pinyin).
const CHINESE_SHARE: f64 = 0.1;

struct Dice(Xoshiro256PlusPlus);

impl Dice {
    fn unit(&mut self) -> f64 {
        StandardUniform.sample(&mut self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n - 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// A day number (days since 1970-01-01) as YYYY-MM-DD.
fn civil(days: i64) -> String {
    PartialDate::from_day_number(days).to_string()
}

fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn typo(dice: &mut Dice, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let letters: Vec<usize> = (1..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.is_empty() {
        return text.to_owned();
    }
    let at = letters[dice.below(letters.len())];
    let mut out = chars.clone();
    if dice.chance(0.5) {
        out.remove(at);
    } else {
        out.insert(at, chars[at]);
    }
    out.into_iter().collect()
}

/// The person's name as a Chinese document writes it: in Chinese
/// characters read that way in Korean (金哲玉 for 김철옥), or in their
/// pinyin ("Jin Zheyu"). `None` when a syllable has no character.
fn chinese(dice: &mut Dice, surname: &str, given: &[&str]) -> Option<String> {
    let mut pick = |syllables: &str| -> Option<Vec<(char, String)>> {
        syllables
            .chars()
            .map(|s| {
                let options = chinese_characters(s);
                if options.is_empty() {
                    return None;
                }
                let (c, pinyin) = &options[dice.below(options.len())];
                Some((*c, pinyin[0].clone()))
            })
            .collect()
    };
    let family = pick(surname)?;
    let given: Vec<(char, String)> = pick(&given.concat())?;
    Some(if dice.chance(0.5) {
        family.iter().chain(&given).map(|(c, _)| *c).collect()
    } else {
        let family: String = family.iter().map(|(_, p)| p.as_str()).collect();
        let given: String = given.iter().map(|(_, p)| p.as_str()).collect();
        format!("{} {}", capitalised(&family), capitalised(&given))
    })
}

/// The person's name as a romanising list writes it.
fn romanised(dice: &mut Dice, surname: &str, given: &[&str]) -> String {
    let system = if dice.chance(0.5) {
        System::Revised
    } else {
        System::McCuneReischauer
    };
    let spellings = surname_spellings(surname);
    let family = if !spellings.is_empty() && dice.chance(0.6) {
        spellings[dice.below(spellings.len().min(3))].clone()
    } else {
        romanize(surname, system)
    };
    let parts: Vec<String> = given.iter().map(|g| romanize(g, system)).collect();
    let given_text = match dice.below(3) {
        0 => capitalised(&parts.join("-")),
        1 => parts
            .iter()
            .map(|p| capitalised(p))
            .collect::<Vec<_>>()
            .join(" "),
        _ => capitalised(&parts.concat()),
    };
    let name = if dice.chance(0.25) {
        format!("{given_text} {}", capitalised(&family))
    } else if dice.chance(0.3) {
        format!("{} {given_text}", family.to_uppercase())
    } else {
        format!("{} {given_text}", capitalised(&family))
    };
    if dice.chance(0.05) {
        typo(dice, &name)
    } else {
        name
    }
}

/// One generated person.
struct Person {
    surname: &'static str,
    given: [&'static str; 2],
    /// Day of birth, since 1970-01-01.
    born: i64,
    sex: &'static str,
    /// Province, town.
    origin: (&'static str, &'static str),
    place: &'static str,
    /// Day of detention, since 1970-01-01.
    detained: i64,
}

fn pick_weighted<T: Copy>(dice: &mut Dice, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut pick = dice.unit() * total;
    for &(item, w) in items {
        if pick < w {
            return item;
        }
        pick -= w;
    }
    items[0].0
}

/// A person: `provinces` are the indexes of [`ORIGINS`] with their shares.
fn person(dice: &mut Dice, provinces: &[(usize, f64)]) -> Person {
    let surname = pick_weighted(dice, &SURNAMES);
    let given = [
        GIVEN[dice.below(GIVEN.len())],
        GIVEN[dice.below(GIVEN.len())],
    ];
    let born = PartialDate::year(1930).first_day_number() + dice.below(80 * 365) as i64;
    let sex = if dice.chance(0.7) { "F" } else { "M" };
    let (province, _, towns) = ORIGINS[pick_weighted(dice, provinces)];
    let origin = (province, towns[dice.below(towns.len())]);
    let place = PLACES[dice.below(PLACES.len())];
    let detained = PartialDate::year(2000).first_day_number() + dice.below(26 * 365) as i64;
    Person {
        surname,
        given,
        born,
        sex,
        origin,
        place,
        detained,
    }
}

/// A birth date as a list writes it: to the day, or only its year
/// (`day_share` of the time; otherwise the year), or not at all.
fn birth(dice: &mut Dice, born: i64, day_share: f64, slips: bool) -> String {
    let year = i64::from(PartialDate::from_day_number(born).get_year());
    if dice.chance(0.05) {
        return String::new();
    }
    // A year misremembered, or a date reckoned another way (lunar
    // calendars put birthdays weeks apart).
    let (year, born) = if slips {
        match dice.below(20) {
            0 | 1 => (year + 1, born + 365),
            2 => (year - 1, born - 365),
            3 => (year, born + 20 + dice.below(30) as i64),
            _ => (year, born),
        }
    } else {
        (year, born)
    };
    if dice.chance(day_share) {
        civil(born)
    } else {
        year.to_string()
    }
}

pub(crate) fn lists(people: usize, seed: u64) -> (String, String) {
    let mut dice = Dice(Xoshiro256PlusPlus::seed_from_u64(seed));
    let header = "rec_id,truth,name,birth_date,sex,origin,place,detained\n";
    let (mut a, mut b) = (String::from(header), String::from(header));
    let (mut na, mut nb) = (0usize, 0usize);
    let provinces: Vec<(usize, f64)> = ORIGINS
        .iter()
        .enumerate()
        .map(|(i, (_, w, _))| (i, *w))
        .collect();
    for index in 0..people {
        let p = person(&mut dice, &provinces);
        if dice.chance(0.7) {
            na += 1;
            // A family's or an NGO's list in Hangul: home town as the
            // family gives it, detention date as first reported.
            let born = birth(&mut dice, p.born, 0.6, false);
            let origin = match dice.below(20) {
                0 => String::new(),
                1..=3 => p.origin.0.to_owned(),
                _ => format!("{}/{}", p.origin.0, p.origin.1),
            };
            let detained = if dice.chance(0.2) {
                String::new()
            } else {
                civil(p.detained)
            };
            a.push_str(&format!(
                "a{na},{index},{}{},{born},{},{origin},{},{detained}\n",
                p.surname,
                p.given.concat(),
                p.sex,
                p.place
            ));
        }
        if dice.chance(0.7) {
            nb += 1;
            // Some records come from Chinese documents.
            let name = if dice.chance(CHINESE_SHARE) {
                chinese(&mut dice, p.surname, &p.given)
            } else {
                None
            };
            let name = name.unwrap_or_else(|| romanised(&mut dice, p.surname, &p.given));
            let born = birth(&mut dice, p.born, 0.7, true);
            let sex = if dice.chance(0.05) { "" } else { p.sex };
            let origin = match dice.below(10) {
                0..=2 => String::new(),
                3..=5 => p.origin.0.to_owned(),
                _ => format!("{}/{}", p.origin.0, p.origin.1),
            };
            let place = if dice.chance(0.1) {
                p.place.rsplit_once('/').map_or(p.place, |(broad, _)| broad)
            } else {
                p.place
            };
            let detained = if dice.chance(0.3) {
                String::new()
            } else if dice.chance(0.3) {
                civil(p.detained + 1 + dice.below(20) as i64)
            } else {
                civil(p.detained)
            };
            b.push_str(&format!(
                "b{nb},{index},{name},{born},{sex},{origin},{place},{detained}\n"
            ));
        }
    }
    (a, b)
}
