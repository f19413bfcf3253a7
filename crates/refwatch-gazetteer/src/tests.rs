use super::*;

fn path(name: &str) -> Option<Vec<&'static str>> {
    let g = gazetteer();
    g.resolve(name).map(|at| g.path(at))
}

/// Each group is one place written as lists write it.
const SAME: &[&[&str]] = &[
    &[
        "延吉市",
        "延吉",
        "Yanji",
        "Yanji City",
        "YANJI",
        "연길",
        "연길시",
        "옌지",
    ],
    &[
        "延边朝鲜族自治州",
        "延边",
        "Yanbian",
        "Yanbian Korean Autonomous Prefecture",
        "연변",
        "옌볜",
    ],
    &["吉林省", "Jilin", "Jilin Province", "길림성", "지린성"],
    &[
        "Changbai",
        "장백",
        "Jangbaek",
        "长白朝鲜族自治县",
        "Changbai County",
    ],
    &["Dandong", "단동", "단둥", "丹东", "丹東市", "Tandong"],
    &[
        "Tumen",
        "图们市",
        "도문",
        "투먼",
        "Tumen Border Detention Center",
        "图们边防支队看守所",
        "Tumen Public Security Bureau",
        "Detention centre in Tumen",
    ],
    &[
        "함경북도",
        "North Hamgyong",
        "N. Hamgyong",
        "Hamgyŏng-pukto",
        "Hamgyong-bukdo",
        "Hamgyong North",
        "North Hamgyong Province",
        "함북",
    ],
    &["Ryanggang", "Yanggang", "량강도", "양강도", "Ryanggang-do"],
    &["P'yŏngyang", "Pyongyang", "평양", "평양시", "平壤"],
    &["청진", "Chongjin", "Chŏngjin", "Cheongjin", "清津"],
    &["Longjing", "룡정", "용정", "龙井市"],
];

#[test]
fn every_spelling_of_a_place_is_one_entry() {
    for group in SAME {
        let first = path(group[0]);
        assert!(first.is_some(), "{} is not known", group[0]);
        for name in *group {
            assert_eq!(path(name), first, "{name} and {}", group[0]);
        }
    }
}

#[test]
fn places_lie_within_their_broader_places() {
    assert_eq!(path("Yanji"), Some(vec!["cn", "jilin", "yanbian", "yanji"]));
    assert_eq!(
        path("회령"),
        Some(vec!["kp", "kp-north-hamgyong", "kp-hoeryong"])
    );
    let g = gazetteer();
    let at = |n: &str| g.resolve(n).unwrap_or(usize::MAX);
    assert_eq!(g.relation(at("Yanji"), at("연길")), Relation::Same);
    assert_eq!(g.relation(at("Yanji"), at("延边")), Relation::Within);
    assert_eq!(g.relation(at("吉林省"), at("Yanji")), Relation::Within);
    assert_eq!(g.relation(at("Yanji"), at("Tumen")), Relation::Neighbouring);
    assert_eq!(g.relation(at("Yanji"), at("Shenyang")), Relation::Different);
    assert_eq!(g.relation(at("청진"), at("Yanji")), Relation::Different);
}

#[test]
fn jilin_alone_is_the_province_and_jilin_city_the_city() {
    assert_eq!(path("Jilin"), Some(vec!["cn", "jilin"]));
    assert_eq!(path("吉林"), Some(vec!["cn", "jilin"]));
    assert_eq!(path("Jilin City"), Some(vec!["cn", "jilin", "jilin-city"]));
    assert_eq!(path("吉林市"), Some(vec!["cn", "jilin", "jilin-city"]));
}

#[test]
fn what_is_not_known_is_none() {
    for name in [
        "",
        "  ",
        "Springfield",
        "무명리",
        "City",
        "某某村",
        "12345",
        "/",
    ] {
        assert_eq!(path(name), None, "{name}");
    }
}

#[test]
fn names_in_each_language() {
    let g = gazetteer();
    let yanji = g.resolve("Yanji").unwrap_or(0);
    assert_eq!(g.name(yanji, "ko"), "연길시");
    assert_eq!(g.name(yanji, "zh"), "延吉市");
    assert_eq!(g.name(yanji, "en"), "Yanji");
}

#[test]
fn the_data_covers_the_border_provinces_and_the_routes() {
    let g = gazetteer();
    for id in [
        "jilin",
        "liaoning",
        "heilongjiang",
        "inner-mongolia",
        "yunnan",
        "guangxi",
        "kp-north-hamgyong",
        "kp-ryanggang",
        "kp-south-hamgyong",
        "kp-pyongyang",
        "kp-north-pyongan",
        "kp-south-pyongan",
        "kp-jagang",
        "kp-kangwon",
        "kp-north-hwanghae",
        "kp-south-hwanghae",
        "kp-rason",
    ] {
        assert!(g.entries().iter().any(|e| e.id == id), "{id}");
    }
    // Every facility lies within a town, and resolves to it.
    for (at, e) in g.entries().iter().enumerate() {
        if e.kind == Kind::Facility {
            let town = g.resolve(e.names[0]).unwrap_or(at);
            assert_ne!(g.entries()[town].kind, Kind::Facility, "{}", e.id);
            assert_eq!(Some(town), e.within, "{}", e.id);
        }
    }
}

#[test]
fn a_hostile_name_is_looked_up_without_harm() {
    let long = "延".repeat(100_000) + &" Yanji".repeat(2);
    assert!(path(&long).is_some());
    let words = "x ".repeat(300);
    assert_eq!(path(&words), None);
}
