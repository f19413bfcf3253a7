//! Generated people as five kinds of source write about them, for judging
//! linkage on lists as they are really written (issue 36). The rules are
//! written down in `docs/linkage-generator.md`; in short:
//!
//! - **A Seoul NGO** writes names in Hangul, mostly by the South's
//!   spelling (이영희 for the North's 리영희), home towns in Korean, Chinese
//!   places by their Korean reading (연길) or transcription (옌지), dates
//!   "2013.11.19" or "2013년 11월", births as dates, years or Korean ages.
//! - **An international NGO** romanises names (Revised, McCune–Reischauer
//!   with or without its marks, popular spellings, surname variants, the
//!   surname first or last, given syllables sometimes swapped), writes
//!   places in pinyin or English, often only the prefecture, and ages.
//! - **A news report** gives a romanised or Hangul name, sometimes with a
//!   given syllable dropped, an age, the month, and the province or
//!   prefecture.
//! - **A family appeal** writes the North's spelling, the home town as the
//!   family says it, a Korean age, the month, and often no place.
//! - **A Chinese police record** writes names in hanzi (a homophone may
//!   stand for the usual character) or pinyin, places in hanzi, facilities
//!   (图们边防支队看守所) for the town, whole dates.
//!
//! Each person is arrested in one town and repatriated some weeks later
//! through a border post; each source reports one stage. The place
//! renderings are this module's own table, not the gazetteer's, and
//! include spellings it does not know (Wade–Giles "Yenki").
//!
//! Each record carries its rendering in a `tags` column (script, place,
//! date, birth, name, event), so that results can be told by class.

use rand::SeedableRng;
use rand::distr::{Distribution, StandardUniform};
use rand_xoshiro::Xoshiro256PlusPlus;
use refwatch_domain::PartialDate;
use refwatch_names::chinese_characters;

struct Dice(Xoshiro256PlusPlus);

impl Dice {
    fn unit(&mut self) -> f64 {
        StandardUniform.sample(&mut self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.max(1) - 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        0
    }
}

/// Surnames (in the North's spelling), their shares (percent) and the
/// spellings in Latin letters lists use, commonest first.
const SURNAMES: &[(&str, f64, &[&str])] = &[
    ("김", 21.5, &["Kim", "Gim", "KIM"]),
    ("리", 14.7, &["Lee", "Ri", "Yi", "Rhee", "Yee", "I", "Li"]),
    ("박", 8.4, &["Park", "Pak", "Bak"]),
    ("최", 4.7, &["Choi", "Choe", "Chweh"]),
    ("정", 4.3, &["Jung", "Jeong", "Chung", "Chong", "Cheong"]),
    ("강", 2.3, &["Kang", "Gang"]),
    ("조", 2.1, &["Cho", "Jo", "Joe", "Chough"]),
    ("윤", 2.1, &["Yoon", "Yun"]),
    ("장", 2.0, &["Jang", "Chang"]),
    ("림", 1.7, &["Lim", "Rim", "Im", "Yim"]),
    ("한", 1.5, &["Han"]),
    ("오", 1.5, &["Oh", "O"]),
    ("서", 1.5, &["Seo", "Suh", "So", "Sŏ"]),
    ("신", 1.5, &["Shin", "Sin"]),
    ("권", 1.4, &["Kwon", "Gwon", "Kwŏn"]),
    ("황", 1.4, &["Hwang"]),
    ("안", 1.4, &["Ahn", "An"]),
    ("송", 1.3, &["Song"]),
    ("류", 1.2, &["Ryu", "Yoo", "Yu", "Ryoo", "Ryu"]),
    ("전", 1.1, &["Jeon", "Chun", "Chŏn", "Jun"]),
    ("홍", 1.1, &["Hong"]),
    ("고", 0.9, &["Ko", "Go", "Koh"]),
    ("문", 0.9, &["Moon", "Mun"]),
    ("량", 0.8, &["Yang", "Ryang"]),
    ("변", 0.4, &["Byun", "Pyon", "Byeon", "Pyŏn"]),
    ("로", 0.4, &["Roh", "Noh", "No", "Ro"]),
    ("구", 0.4, &["Ku", "Koo", "Gu"]),
    ("남궁", 0.05, &["Namgung", "Namkoong", "Namkung"]),
];

/// Given-name syllables with weights: common ones often, the North's
/// ㄹ-initial ones (련, 룡, 례) as its names have them.
const GIVEN: &[(&str, f64)] = &[
    ("영", 6.0),
    ("철", 5.0),
    ("순", 5.0),
    ("옥", 4.0),
    ("희", 4.0),
    ("남", 3.0),
    ("성", 3.0),
    ("명", 3.0),
    ("정", 3.0),
    ("광", 3.0),
    ("혁", 2.0),
    ("금", 3.0),
    ("춘", 2.5),
    ("숙", 3.0),
    ("미", 2.5),
    ("수", 2.5),
    ("일", 2.5),
    ("국", 2.0),
    ("룡", 2.0),
    ("련", 2.0),
    ("례", 1.5),
    ("렬", 1.0),
    ("림", 0.8),
    ("란", 1.5),
    ("향", 2.0),
    ("화", 2.0),
    ("경", 2.0),
    ("애", 1.5),
    ("선", 2.0),
    ("복", 1.5),
    ("진", 2.0),
    ("혜", 1.5),
    ("은", 1.5),
    ("주", 1.5),
    ("석", 2.0),
    ("창", 1.5),
    ("호", 2.0),
    ("길", 1.0),
    ("봉", 1.0),
    ("학", 1.0),
    ("송", 1.0),
    ("심", 1.0),
    ("분", 1.0),
    ("단", 1.0),
    ("설", 0.8),
    ("용", 1.5),
    ("현", 1.5),
    ("진", 1.0),
    ("별", 0.5),
    ("하", 1.0),
    ("나", 0.6),
    ("라", 0.5),
    ("윤", 0.8),
    ("아", 0.8),
    ("민", 1.0),
    ("준", 0.8),
    ("태", 1.0),
    ("원", 1.0),
    ("식", 1.0),
    ("만", 0.8),
];

/// The South's spelling of a syllable at the start of a name part.
fn southern(syllable: char) -> char {
    let Some(code) = u32::from(syllable)
        .checked_sub(0xAC00)
        .filter(|c| *c < 11_172)
    else {
        return syllable;
    };
    let (initial, vowel, last) = (code / 588, (code % 588) / 28, code % 28);
    let y_vowel = matches!(vowel, 2 | 3 | 6 | 7 | 12 | 17 | 20);
    let initial = match (initial, y_vowel) {
        (5 | 2, true) => 11,
        (5, false) => 2,
        _ => initial,
    };
    char::from_u32(0xAC00 + initial * 588 + vowel * 28 + last).unwrap_or(syllable)
}

fn south_part(part: &str) -> String {
    let mut c = part.chars();
    c.next().map(southern).into_iter().chain(c).collect()
}

/// Romanisations, this module's own (independent of `refwatch-names`).
#[derive(Clone, Copy, PartialEq)]
enum Roman {
    Revised,
    /// McCune–Reischauer with its breves and apostrophes.
    Marked,
    /// McCune–Reischauer without them, as most lists type it.
    Plain,
    /// Spellings people choose (Young, Soo, Chul, Hee).
    Popular,
}

const RR_INITIAL: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const MR_INITIAL: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch'", "k'", "t'",
    "p'", "h",
];
const RR_VOWEL: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
const MR_VOWEL: [&str; 21] = [
    "a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we",
    "wi", "yu", "ŭ", "ŭi", "i",
];
const FINAL: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

const POPULAR: &[(&str, &str)] = &[
    ("영", "young"),
    ("수", "soo"),
    ("순", "soon"),
    ("정", "jung"),
    ("현", "hyun"),
    ("철", "chul"),
    ("희", "hee"),
    ("석", "suk"),
    ("숙", "sook"),
    ("성", "sung"),
    ("명", "myung"),
    ("은", "eun"),
    ("경", "kyung"),
    ("혜", "hye"),
    ("준", "joon"),
    ("용", "yong"),
    ("룡", "ryong"),
    ("련", "ryun"),
    ("선", "sun"),
    ("진", "jin"),
];

fn romanise_syllable(s: char, system: Roman, first: bool) -> String {
    if system == Roman::Popular
        && let Some((_, p)) = POPULAR.iter().find(|(h, _)| h.starts_with(s))
    {
        return (*p).to_owned();
    }
    let Some(code) = u32::from(s).checked_sub(0xAC00).filter(|c| *c < 11_172) else {
        return s.to_string();
    };
    let (i, v, f) = (
        (code / 588) as usize,
        ((code % 588) / 28) as usize,
        (code % 28) as usize,
    );
    let (initial, vowel) = match system {
        Roman::Revised | Roman::Popular => (RR_INITIAL[i], RR_VOWEL[v]),
        Roman::Marked | Roman::Plain => (MR_INITIAL[i], MR_VOWEL[v]),
    };
    // McCune–Reischauer voices plain stops inside a word.
    let initial = match (system, first, initial) {
        (Roman::Marked | Roman::Plain, false, "k") => "g",
        (Roman::Marked | Roman::Plain, false, "t") => "d",
        (Roman::Marked | Roman::Plain, false, "p") => "b",
        (Roman::Marked | Roman::Plain, false, "ch") => "j",
        (_, _, x) => x,
    };
    // ㅅ before ㅣ is "shi" in McCune–Reischauer.
    let initial = if initial == "s" && v == 20 && system != Roman::Revised {
        "sh"
    } else {
        initial
    };
    let text = format!("{initial}{vowel}{}", FINAL[f]);
    if system == Roman::Plain {
        text.replace('ŏ', "o").replace('ŭ', "u").replace('\'', "")
    } else {
        text
    }
}

fn capital(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// One generated person.
struct Person {
    surname: &'static str,
    given: Vec<&'static str>,
    /// Days since 1970-01-01.
    born: i64,
    female: bool,
    origin: usize,
    /// The home town's index among the province's towns.
    home: usize,
    town: usize,
    /// Arrest (days since 1970-01-01), then the border post and the day of
    /// repatriation.
    arrested: i64,
    post: usize,
    repatriated: i64,
}

/// Home provinces and towns: the North's Hangul, the romanised forms, the
/// hanzi, with the share of escapees from each province.
struct Origin {
    share: f64,
    province: [&'static str; 5],
    towns: &'static [[&'static str; 4]],
}

/// Province: Hangul, short Hangul, plain romanised, marked or Revised,
/// hanzi. Towns: Hangul, plain, marked or Revised, hanzi.
const ORIGINS: &[Origin] = &[
    Origin {
        share: 50.0,
        province: [
            "함경북도",
            "함북",
            "North Hamgyong",
            "Hamgyŏng-pukto",
            "咸镜北道",
        ],
        towns: &[
            ["청진", "Chongjin", "Ch'ŏngjin", "清津"],
            ["회령", "Hoeryong", "Hoeryŏng", "会宁"],
            ["무산", "Musan", "Musan", "茂山"],
            ["온성", "Onsong", "Onsŏng", "稳城"],
            ["김책", "Kimchaek", "Kimch'aek", "金策"],
            ["경원", "Kyongwon", "Gyeongwon", "庆源"],
        ],
    },
    Origin {
        share: 22.0,
        province: ["량강도", "양강도", "Ryanggang", "Yanggang-do", "两江道"],
        towns: &[
            ["혜산", "Hyesan", "Hyesan", "惠山"],
            ["삼지연", "Samjiyon", "Samjiyŏn", "三池渊"],
            ["보천", "Pochon", "Poch'ŏn", "普天"],
            ["갑산", "Kapsan", "Gapsan", "甲山"],
        ],
    },
    Origin {
        share: 10.0,
        province: [
            "함경남도",
            "함남",
            "South Hamgyong",
            "Hamgyŏng-namdo",
            "咸镜南道",
        ],
        towns: &[
            ["함흥", "Hamhung", "Hamhŭng", "咸兴"],
            ["단천", "Tanchon", "Tanch'ŏn", "端川"],
            ["신포", "Sinpo", "Sinp'o", "新浦"],
        ],
    },
    Origin {
        share: 5.0,
        province: ["평양", "평양시", "Pyongyang", "P'yŏngyang", "平壤"],
        towns: &[["만경대", "Mangyongdae", "Man'gyŏngdae", "万景台"]],
    },
    Origin {
        share: 5.0,
        province: [
            "평안북도",
            "평북",
            "North Pyongan",
            "P'yŏngan-pukto",
            "平安北道",
        ],
        towns: &[
            ["신의주", "Sinuiju", "Sinŭiju", "新义州"],
            ["정주", "Jongju", "Chŏngju", "定州"],
        ],
    },
    Origin {
        share: 4.0,
        province: ["자강도", "자강", "Chagang", "Jagang-do", "慈江道"],
        towns: &[
            ["강계", "Kanggye", "Kanggye", "江界"],
            ["만포", "Manpo", "Manp'o", "满浦"],
        ],
    },
    Origin {
        share: 4.0,
        province: ["강원도", "강원", "Kangwon", "Kangwŏn-do", "江原道"],
        towns: &[["원산", "Wonsan", "Wŏnsan", "元山"]],
    },
];

/// Chinese towns where people are arrested: Korean reading, Korean
/// transcription, pinyin, hanzi, prefecture (Korean, pinyin, hanzi),
/// province (Korean, pinyin, hanzi), odd spellings, with weights and the
/// border post people are sent back through.
struct Town {
    weight: f64,
    korean: &'static str,
    transcribed: &'static str,
    pinyin: &'static str,
    hanzi: &'static str,
    prefecture: [&'static str; 3],
    province: [&'static str; 3],
    odd: &'static [&'static str],
    post: usize,
}

const JILIN: [&str; 3] = ["길림성", "Jilin", "吉林省"];
const YANBIAN: [&str; 3] = ["연변", "Yanbian", "延边朝鲜族自治州"];

const TOWNS: &[Town] = &[
    Town {
        weight: 20.0,
        korean: "연길",
        transcribed: "옌지",
        pinyin: "Yanji",
        hanzi: "延吉市",
        prefecture: YANBIAN,
        province: JILIN,
        odd: &["Yenki", "Yanji-shi"],
        post: 0,
    },
    Town {
        weight: 10.0,
        korean: "도문",
        transcribed: "투먼",
        pinyin: "Tumen",
        hanzi: "图们市",
        prefecture: YANBIAN,
        province: JILIN,
        odd: &["T'umen"],
        post: 0,
    },
    Town {
        weight: 8.0,
        korean: "룡정",
        transcribed: "룽징",
        pinyin: "Longjing",
        hanzi: "龙井市",
        prefecture: YANBIAN,
        province: JILIN,
        odd: &["Lungching", "용정"],
        post: 0,
    },
    Town {
        weight: 8.0,
        korean: "화룡",
        transcribed: "허룽",
        pinyin: "Helong",
        hanzi: "和龙市",
        prefecture: YANBIAN,
        province: JILIN,
        odd: &["Holung"],
        post: 0,
    },
    Town {
        weight: 5.0,
        korean: "훈춘",
        transcribed: "훈춘",
        pinyin: "Hunchun",
        hanzi: "珲春市",
        prefecture: YANBIAN,
        province: JILIN,
        odd: &["Hunchun-shi"],
        post: 0,
    },
    Town {
        weight: 6.0,
        korean: "장백",
        transcribed: "창바이",
        pinyin: "Changbai",
        hanzi: "长白县",
        prefecture: ["백산", "Baishan", "白山市"],
        province: JILIN,
        odd: &["Changpai"],
        post: 1,
    },
    Town {
        weight: 8.0,
        korean: "단동",
        transcribed: "단둥",
        pinyin: "Dandong",
        hanzi: "丹东市",
        prefecture: ["단동", "Dandong", "丹东市"],
        province: ["료녕성", "Liaoning", "辽宁省"],
        odd: &["Tandong", "Antung"],
        post: 2,
    },
    Town {
        weight: 8.0,
        korean: "심양",
        transcribed: "선양",
        pinyin: "Shenyang",
        hanzi: "沈阳市",
        prefecture: ["심양", "Shenyang", "沈阳市"],
        province: ["료녕성", "Liaoning", "辽宁省"],
        odd: &["Mukden", "Shenyang Municipality"],
        post: 2,
    },
    Town {
        weight: 4.0,
        korean: "할빈",
        transcribed: "하얼빈",
        pinyin: "Harbin",
        hanzi: "哈尔滨市",
        prefecture: ["할빈", "Harbin", "哈尔滨市"],
        province: ["흑룡강성", "Heilongjiang", "黑龙江省"],
        odd: &["Haerbin"],
        post: 0,
    },
    Town {
        weight: 3.0,
        korean: "목단강",
        transcribed: "무단장",
        pinyin: "Mudanjiang",
        hanzi: "牡丹江市",
        prefecture: ["목단강", "Mudanjiang", "牡丹江市"],
        province: ["흑룡강성", "Heilongjiang", "黑龙江省"],
        odd: &["Mutankiang"],
        post: 0,
    },
    Town {
        weight: 3.0,
        korean: "곤명",
        transcribed: "쿤밍",
        pinyin: "Kunming",
        hanzi: "昆明市",
        prefecture: ["곤명", "Kunming", "昆明市"],
        province: ["운남성", "Yunnan", "云南省"],
        odd: &["Kunming City"],
        post: 2,
    },
    Town {
        weight: 2.0,
        korean: "맹랍",
        transcribed: "멍라",
        pinyin: "Mengla",
        hanzi: "勐腊县",
        prefecture: ["서쌍판납", "Xishuangbanna", "西双版纳傣族自治州"],
        province: ["운남성", "Yunnan", "云南省"],
        odd: &["Mong La"],
        post: 2,
    },
    Town {
        weight: 3.0,
        korean: "북경",
        transcribed: "베이징",
        pinyin: "Beijing",
        hanzi: "北京市",
        prefecture: ["북경", "Beijing", "北京市"],
        province: ["북경", "Beijing", "北京市"],
        odd: &["Peking"],
        post: 2,
    },
    Town {
        weight: 2.0,
        korean: "청도",
        transcribed: "칭다오",
        pinyin: "Qingdao",
        hanzi: "青岛市",
        prefecture: ["청도", "Qingdao", "青岛市"],
        province: ["산동성", "Shandong", "山东省"],
        odd: &["Tsingtao"],
        post: 2,
    },
];

/// Border posts: the facility as each script writes it, and the town's
/// index in [`TOWNS`].
const POSTS: &[([&str; 4], usize)] = &[
    (
        [
            "도문 변방대 구류장",
            "Tumen Border Detention Center",
            "图们边防支队看守所",
            "Tumen detention facility",
        ],
        1,
    ),
    (
        [
            "장백 구류장",
            "Changbai Border Detention Center",
            "长白边防大队看守所",
            "Changbai detention",
        ],
        5,
    ),
    (
        [
            "단동 수용소",
            "Dandong Border Detention Center",
            "丹东边防支队看守所",
            "Sinuiju crossing, Dandong",
        ],
        6,
    ),
];

fn person(dice: &mut Dice) -> Person {
    let surname_weights: Vec<f64> = SURNAMES.iter().map(|s| s.1).collect();
    let given_weights: Vec<f64> = GIVEN.iter().map(|g| g.1).collect();
    let surname = SURNAMES[dice.weighted(&surname_weights)].0;
    let syllables = if dice.chance(0.08) { 1 } else { 2 };
    let given = (0..syllables)
        .map(|_| GIVEN[dice.weighted(&given_weights)].0)
        .collect();
    let born = PartialDate::year(1945).first_day_number() + dice.below(60 * 365) as i64;
    let origin_weights: Vec<f64> = ORIGINS.iter().map(|o| o.share).collect();
    let town_weights: Vec<f64> = TOWNS.iter().map(|t| t.weight).collect();
    let town = dice.weighted(&town_weights);
    let origin = dice.weighted(&origin_weights);
    let arrested = PartialDate::year(2000).first_day_number() + dice.below(25 * 365) as i64;
    Person {
        surname,
        given,
        born,
        female: dice.chance(0.7),
        origin,
        home: dice.below(ORIGINS[origin].towns.len()),
        town,
        arrested,
        post: TOWNS[town].post,
        repatriated: arrested + 14 + dice.below(60) as i64,
    }
}

/// The five sources.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Source {
    SeoulNgo,
    InternationalNgo,
    News,
    Family,
    Police,
}

impl Source {
    const ALL: [(Source, f64); 5] = [
        (Source::SeoulNgo, 0.45),
        (Source::InternationalNgo, 0.3),
        (Source::News, 0.12),
        (Source::Family, 0.2),
        (Source::Police, 0.3),
    ];

    fn name(self) -> &'static str {
        match self {
            Source::SeoulNgo => "seoul_ngo",
            Source::InternationalNgo => "international_ngo",
            Source::News => "news",
            Source::Family => "family",
            Source::Police => "police",
        }
    }
}

/// One record as a source writes it, with its tags.
#[derive(Default)]
struct Written {
    name: String,
    birth: String,
    age: String,
    age_basis: &'static str,
    sex: &'static str,
    origin: String,
    place: String,
    date: String,
    event: &'static str,
    tags: Vec<String>,
}

fn hangul_name(dice: &mut Dice, p: &Person, south: f64, w: &mut Written) {
    let given: String = p.given.concat();
    let (surname, given, nk) = if dice.chance(south) {
        (south_part(p.surname), south_part(&given), false)
    } else {
        (p.surname.to_owned(), given, true)
    };
    let spaced = dice.chance(0.15);
    w.name = if spaced {
        format!("{surname} {given}")
    } else {
        format!("{surname}{given}")
    };
    let northern_differs =
        south_part(p.surname) != p.surname || south_part(&p.given.concat()) != p.given.concat();
    w.tags.push(format!(
        "script=hangul{}",
        if nk && northern_differs { "_north" } else { "" }
    ));
}

/// The given name's syllables as a list might misremember them: swapped
/// (Chang-seok for Seok-chang) or one dropped.
fn given_syllables(
    dice: &mut Dice,
    p: &Person,
    w: &mut Written,
    swap: f64,
    drop: f64,
) -> Vec<char> {
    let mut given: Vec<char> = p.given.iter().flat_map(|g| g.chars()).collect();
    if given.len() == 2 && dice.chance(swap) {
        given.swap(0, 1);
        w.tags.push("name=swapped".into());
    } else if given.len() == 2 && dice.chance(drop) {
        given.remove(dice.below(2));
        w.tags.push("name=dropped".into());
    }
    given
}

fn latin_name(dice: &mut Dice, p: &Person, w: &mut Written, swap: f64, drop: f64) {
    let system = *dice.pick(&[
        Roman::Revised,
        Roman::Marked,
        Roman::Plain,
        Roman::Plain,
        Roman::Popular,
    ]);
    let given = given_syllables(dice, p, w, swap, drop);
    let (_, _, spellings) = SURNAMES
        .iter()
        .find(|s| s.0 == p.surname)
        .copied()
        .unwrap_or(("", 0.0, &[]));
    let surname = if dice.chance(0.7) && !spellings.is_empty() {
        (*dice.pick(&spellings[..spellings.len().min(4)])).to_owned()
    } else {
        let chars: Vec<char> = p.surname.chars().collect();
        capital(
            &chars
                .iter()
                .enumerate()
                .map(|(i, c)| romanise_syllable(*c, system, i == 0))
                .collect::<String>(),
        )
    };
    let parts: Vec<String> = given
        .iter()
        .enumerate()
        .map(|(i, c)| romanise_syllable(*c, system, i == 0))
        .collect();
    let mut given_text = match dice.below(3) {
        0 => capital(&parts.join("-")),
        1 => parts
            .iter()
            .map(|p| capital(p))
            .collect::<Vec<_>>()
            .join(" "),
        _ => capital(&parts.concat()),
    };
    if system == Roman::Marked && dice.chance(0.3) {
        // The apostrophe as typed: ‘ ’ or `.
        let mark: &str = ["‘", "’", "`"][dice.below(3)];
        given_text = given_text.replace('\'', mark);
    }
    w.name = match dice.below(4) {
        0 => format!("{given_text} {surname}"),
        1 => format!("{} {given_text}", surname.to_uppercase()),
        2 => format!(
            "{} {}",
            surname.to_uppercase(),
            given_text.to_uppercase().replace('-', " ")
        ),
        _ => format!("{surname} {given_text}"),
    };
    if dice.chance(0.03) {
        let mut chars: Vec<char> = w.name.chars().collect();
        if chars.len() > 3 {
            let at = 1 + dice.below(chars.len() - 2);
            chars.remove(at);
            w.name = chars.into_iter().collect();
            w.tags.push("name=typo".into());
        }
    }
    w.tags.push("script=latin".into());
}

/// Korean surnames as Chinese documents write them: the character and its
/// pinyin (朴 is Piao in Chinese).
const SURNAME_HANZI: &[(&str, &str, &str)] = &[
    ("김", "金", "Jin"),
    ("리", "李", "Li"),
    ("박", "朴", "Piao"),
    ("최", "崔", "Cui"),
    ("정", "郑", "Zheng"),
    ("강", "姜", "Jiang"),
    ("조", "赵", "Zhao"),
    ("윤", "尹", "Yin"),
    ("장", "张", "Zhang"),
    ("림", "林", "Lin"),
    ("한", "韩", "Han"),
    ("오", "吴", "Wu"),
    ("서", "徐", "Xu"),
    ("신", "申", "Shen"),
    ("권", "权", "Quan"),
    ("황", "黄", "Huang"),
    ("안", "安", "An"),
    ("송", "宋", "Song"),
    ("류", "柳", "Liu"),
    ("전", "全", "Quan"),
    ("홍", "洪", "Hong"),
    ("고", "高", "Gao"),
    ("문", "文", "Wen"),
    ("량", "梁", "Liang"),
    ("변", "卞", "Bian"),
    ("로", "卢", "Lu"),
    ("구", "具", "Ju"),
    ("남궁", "南宫", "Nangong"),
];

fn chinese_name(dice: &mut Dice, p: &Person, w: &mut Written) -> bool {
    let Some(&(_, family_hanzi, family_pinyin)) = SURNAME_HANZI.iter().find(|s| s.0 == p.surname)
    else {
        return false;
    };
    let syllables: Vec<char> = p.given.iter().flat_map(|g| g.chars()).collect();
    let mut chosen = Vec::new();
    for s in syllables {
        // A character read this way, by the South's spelling if the
        // North's has none.
        let mut options = chinese_characters(s);
        if options.is_empty() {
            options = chinese_characters(southern(s));
        }
        if options.is_empty() {
            return false;
        }
        // The first characters the table lists most often; a homophone
        // sometimes.
        let at = if dice.chance(0.85) {
            dice.below(options.len().min(3))
        } else {
            dice.below(options.len())
        };
        chosen.push(options[at].clone());
    }
    if dice.chance(0.6) {
        w.name = family_hanzi.to_owned();
        w.name.extend(chosen.iter().map(|(c, _)| *c));
        w.tags.push("script=hanzi".into());
    } else {
        let family = family_pinyin;
        let given: String = chosen.iter().map(|(_, p)| p[0].as_str()).collect();
        w.name = if dice.chance(0.5) {
            format!("{} {}", family.to_uppercase(), capital(&given))
        } else {
            format!("{} {}", capital(family), capital(&given))
        };
        w.tags.push("script=pinyin".into());
    }
    true
}

/// A date as a source writes it, to the day or the month (`precision`:
/// 0 day, 1 month, 2 year), in its script's way.
fn written_date(dice: &mut Dice, day: i64, precision: u8, korean: bool) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let d = PartialDate::from_day_number(day).to_string();
    let (y, m, dd) = (&d[..4], &d[5..7], &d[8..10]);
    let month_name = MONTHS[m.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1];
    match (precision, korean) {
        (0, true) => match dice.below(3) {
            0 => format!("{y}.{m}.{dd}"),
            1 => format!(
                "{y}년 {}월 {}일",
                m.trim_start_matches('0'),
                dd.trim_start_matches('0')
            ),
            _ => d.clone(),
        },
        (0, false) => match dice.below(3) {
            0 => format!("{} {month_name} {y}", dd.trim_start_matches('0')),
            1 => format!("{y}/{m}/{dd}"),
            _ => d.clone(),
        },
        (1, true) => {
            if dice.chance(0.5) {
                format!("{y}년 {}월", m.trim_start_matches('0'))
            } else {
                format!("{y}.{m}")
            }
        }
        (1, false) => {
            if dice.chance(0.5) {
                format!("{month_name} {y}")
            } else {
                format!("{y}-{m}")
            }
        }
        _ => y.to_owned(),
    }
}

/// The birth as a source gives it: a date, a year or an age at `at` (in
/// Korean or international reckoning), with slips.
fn birth(dice: &mut Dice, p: &Person, at: i64, kinds: [f64; 4], korean_age: f64, w: &mut Written) {
    let year = i64::from(PartialDate::from_day_number(p.born).get_year());
    let slip = if dice.chance(0.06) {
        *dice.pick(&[-1, 1])
    } else {
        0
    };
    match dice.weighted(&kinds) {
        0 => {
            let day = p.born + slip * 365;
            w.birth = written_date(dice, day, 0, w.tags.iter().any(|t| t.contains("hangul")));
            w.tags.push("birth=date".into());
        }
        1 => {
            w.birth = (year + slip).to_string();
            w.tags.push("birth=year".into());
        }
        2 => {
            let event_year = i64::from(PartialDate::from_day_number(at).get_year());
            let had_birthday = (at - p.born).rem_euclid(365)
                >= (PartialDate::year(event_year as i32).first_day_number() - p.born)
                    .rem_euclid(365);
            let international = event_year - year - i64::from(!had_birthday);
            if dice.chance(korean_age) {
                w.age = format!("{}", event_year - year + 1 + slip);
                w.age_basis = if dice.chance(0.5) { "korean" } else { "" };
            } else {
                w.age = format!("{}", international + slip);
                w.age_basis = if dice.chance(0.5) {
                    "international"
                } else {
                    ""
                };
            }
            w.tags.push("birth=age".into());
        }
        _ => w.tags.push("birth=none".into()),
    }
}

fn origin(dice: &mut Dice, p: &Person, script: usize, w: &mut Written) {
    let o = &ORIGINS[p.origin];
    let town = &o.towns[p.home];
    w.origin = match (script, dice.below(4)) {
        (_, 0) if dice.chance(0.5) => String::new(),
        (0, 1) => o.province[0].to_owned(),
        (0, 2) => format!("{} {}", o.province[dice.below(2)], town[0]),
        (0, _) => format!("{}/{}", o.province[0], town[0]),
        (1, 1) => o.province[2 + dice.below(2)].to_owned(),
        (1, 2) => format!(
            "{}, {}",
            town[1 + dice.below(2)],
            o.province[2 + dice.below(2)]
        ),
        (1, _) => town[1 + dice.below(2)].to_owned(),
        (_, 1) => o.province[4].to_owned(),
        (_, _) => format!("{}{}", o.province[4], town[3]),
    };
}

/// The place of the reported stage as a source writes it: script 0
/// Korean, 1 Latin, 2 hanzi.
fn place(dice: &mut Dice, p: &Person, script: usize, stage: bool, vague: f64, w: &mut Written) {
    let t = &TOWNS[p.town];
    let level = if dice.chance(vague) {
        1 + dice.below(2)
    } else {
        0
    };
    let text = if stage {
        // Repatriation: the border post, or its town.
        let (post, town) = POSTS[p.post];
        if dice.chance(0.5) {
            match script {
                0 => post[0].to_owned(),
                1 => post[if dice.chance(0.8) { 1 } else { 3 }].to_owned(),
                _ => post[2].to_owned(),
            }
        } else {
            let t = &TOWNS[town];
            [t.korean, t.pinyin, t.hanzi][script].to_owned()
        }
    } else {
        match (script, level) {
            (0, 0) => if dice.chance(0.6) {
                t.korean
            } else {
                t.transcribed
            }
            .to_owned(),
            (0, 1) => t.prefecture[0].to_owned(),
            (0, _) => t.province[0].to_owned(),
            (1, 0) => match dice.below(5) {
                0 => format!("{} City", t.pinyin),
                1 => format!("{}, {}", t.pinyin, t.province[1]),
                2 => (*dice.pick(t.odd)).to_owned(),
                _ => t.pinyin.to_owned(),
            },
            (1, 1) => t.prefecture[1].to_owned(),
            (1, _) => format!("{} Province", t.province[1]),
            (_, 0) => t.hanzi.to_owned(),
            (_, 1) => t.prefecture[2].to_owned(),
            (_, _) => t.province[2].to_owned(),
        }
    };
    w.tags
        .push(format!("place={}", ["korean", "latin", "hanzi"][script]));
    w.place = text;
}

fn write(dice: &mut Dice, p: &Person, source: Source) -> Written {
    let mut w = Written::default();
    // Which stage the source reports.
    let repatriation = match source {
        Source::Police => dice.chance(0.5),
        Source::Family => dice.chance(0.2),
        _ => dice.chance(0.4),
    };
    let day = if repatriation {
        p.repatriated
    } else {
        p.arrested
    };
    let korean_script = matches!(source, Source::SeoulNgo | Source::Family)
        || (source == Source::News && dice.chance(0.4));
    match source {
        Source::SeoulNgo => hangul_name(dice, p, 0.75, &mut w),
        Source::Family => hangul_name(dice, p, 0.3, &mut w),
        Source::Police => {
            if !chinese_name(dice, p, &mut w) {
                latin_name(dice, p, &mut w, 0.0, 0.0);
            }
        }
        Source::InternationalNgo => latin_name(dice, p, &mut w, 0.06, 0.02),
        Source::News => {
            if korean_script {
                hangul_name(dice, p, 0.9, &mut w);
            } else {
                latin_name(dice, p, &mut w, 0.05, 0.08);
            }
        }
    }
    let (precision, kinds, korean_age) = match source {
        Source::SeoulNgo => (
            if dice.chance(0.6) { 0 } else { 1 },
            [0.5, 0.25, 0.2, 0.05],
            0.6,
        ),
        Source::InternationalNgo => (
            if dice.chance(0.5) { 0 } else { 1 },
            [0.3, 0.3, 0.35, 0.05],
            0.1,
        ),
        Source::News => (
            if dice.chance(0.3) {
                0
            } else if dice.chance(0.8) {
                1
            } else {
                2
            },
            [0.05, 0.15, 0.7, 0.1],
            0.4,
        ),
        Source::Family => (
            if dice.chance(0.3) { 0 } else { 1 },
            [0.3, 0.3, 0.35, 0.05],
            0.8,
        ),
        Source::Police => (0, [0.85, 0.1, 0.0, 0.05], 0.0),
    };
    let precision = if dice.chance(0.08) { 3 } else { precision };
    if precision < 3 {
        // A day reported a little late, sometimes.
        let day = if dice.chance(0.15) {
            day + 1 + dice.below(10) as i64
        } else {
            day
        };
        w.date = written_date(dice, day, precision, korean_script);
    }
    w.tags.push(format!(
        "date={}",
        ["day", "month", "year", "none"][usize::from(precision)]
    ));
    birth(dice, p, day, kinds, korean_age, &mut w);
    let script = match source {
        Source::SeoulNgo | Source::Family => 0,
        Source::Police => 2,
        Source::News if korean_script => 0,
        _ => 1,
    };
    w.sex = match (dice.chance(0.07), script, p.female) {
        (true, _, _) => "",
        (_, 0, true) => "여",
        (_, 0, false) => "남",
        (_, 2, true) => "女",
        (_, 2, false) => "男",
        (_, _, true) => {
            if dice.chance(0.5) {
                "F"
            } else {
                "female"
            }
        }
        (_, _, false) => {
            if dice.chance(0.5) {
                "M"
            } else {
                "male"
            }
        }
    };
    origin(dice, p, script, &mut w);
    let vague = match source {
        Source::News => 0.6,
        Source::InternationalNgo => 0.3,
        Source::Family => 0.3,
        _ => 0.05,
    };
    if !(source == Source::Family && dice.chance(0.4)) {
        place(dice, p, script, repatriation, vague, &mut w);
    } else {
        w.tags.push("place=none".into());
    }
    w.event = match (script, repatriation) {
        (0, false) => "체포",
        (0, true) => "강제북송",
        (2, false) => "拘留",
        (2, true) => "遣返",
        (_, false) => {
            if dice.chance(0.5) {
                "arrest"
            } else {
                "detention"
            }
        }
        (_, true) => "repatriation",
    };
    w.tags.push(format!(
        "event={}",
        if repatriation {
            "repatriation"
        } else {
            "arrest"
        }
    ));
    w
}

fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The header of [`records`]' CSV.
pub const HEADER: &str =
    "id,truth,source,name,birth,age,age_basis,sex,origin,place,date,event,tags\n";

/// About `records` records of generated people as the five sources write
/// them, as one CSV (see [`HEADER`]); `truth` is the person. The same
/// seed gives the same file.
pub fn records(records: usize, seed: u64) -> String {
    let mut dice = Dice(Xoshiro256PlusPlus::seed_from_u64(seed));
    let mut out = String::from(HEADER);
    let mut n = 0;
    let mut person_index = 0;
    while n < records {
        let p = person(&mut dice);
        person_index += 1;
        for (source, share) in Source::ALL {
            if n >= records || !dice.chance(share) {
                continue;
            }
            n += 1;
            let w = write(&mut dice, &p, source);
            let row = [
                format!("r{n}"),
                person_index.to_string(),
                source.name().to_owned(),
                cell(&w.name),
                cell(&w.birth),
                w.age.clone(),
                w.age_basis.to_owned(),
                w.sex.to_owned(),
                cell(&w.origin),
                cell(&w.place),
                cell(&w.date),
                w.event.to_owned(),
                w.tags.join(";"),
            ];
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}
