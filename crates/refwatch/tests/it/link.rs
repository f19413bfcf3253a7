//! `refwatch link csv` on generated lists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::DataDir;

/// Generated people (no real names): Hangul on one list, romanised on the
/// other; three of them on both.
const LIST_A: &str = "성명,생년,성별,지역\n\
김철옥,1985,F,길림/연변/연길\n\
박순자,1972,F,길림/연변/도문\n\
최명수,1990,M,요녕/심양\n\
이영희,1968,F,길림/연변/연길\n\
정은실,1979,F,길림/장백\n";

const LIST_B: &str = "Name,Born,Sex,Note\n\
Kim Cheol-ok,1985-06-01,F,seen in Yanji\n\
Pak Sun Ja,1973,F,\n\
\"Choe, Myong Su\",1990,M,\n\
Han Jin-ho,1990,M,unrelated\n";

const CONFIG: &str = r#"
threshold = 0.5
[columns]
"성명" = "name"
"생년" = "birth_year"
"성별" = "sex"
"지역" = "place"
"Name" = "name"
"Born" = "birth_date"
"Sex" = "sex"
"Note" = "ignore"
"#;

struct Files {
    dir: DataDir,
    root: PathBuf,
}

impl Files {
    fn new(a: &str, b: &str, config: &str) -> Self {
        let dir = DataDir::new();
        let root = dir.path.parent().unwrap().to_path_buf();
        std::fs::write(root.join("a.csv"), a).unwrap();
        std::fs::write(root.join("b.csv"), b).unwrap();
        std::fs::write(root.join("link.toml"), config).unwrap();
        Self { dir, root }
    }

    fn path(&self, name: &str) -> String {
        self.root.join(name).to_str().unwrap().to_owned()
    }

    fn link(&self, files: &[&str]) -> crate::support::Run {
        let mut args = vec![
            "link".to_owned(),
            "csv".into(),
            "--config".into(),
            self.path("link.toml"),
        ];
        args.extend(files.iter().map(|f| self.path(f)));
        args.extend(["--out".to_owned(), self.path("out")]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.dir.run(&args)
    }

    /// Runs `link csv` on `files`, which must succeed; returns what it
    /// wrote to `pairs.csv`.
    fn linked_pairs(&self, files: &[&str]) -> String {
        let run = self.link(files);
        assert!(run.success(), "{}", run.stderr());
        std::fs::read_to_string(self.root.join("out/pairs.csv")).unwrap()
    }

    /// Runs `link csv` on `files`, which must be refused with a message
    /// saying `says` and nothing written; returns the message.
    fn refused(&self, files: &[&str], says: &str) -> String {
        let run = self.link(files);
        assert!(!run.success());
        let stderr = run.stderr();
        assert!(stderr.contains(says), "{stderr}");
        assert!(!self.root.join("out").exists(), "nothing is written");
        stderr
    }
}

fn clusters(path: &Path) -> BTreeSet<BTreeSet<(String, String)>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut by: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        by.entry(f[0].to_owned())
            .or_default()
            .insert((f[1].to_owned(), f[2].to_owned()));
    }
    by.into_values().collect()
}

fn cluster(members: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    members
        .iter()
        .map(|(f, r)| ((*f).to_owned(), (*r).to_owned()))
        .collect()
}

#[test]
fn two_lists_in_different_scripts_are_linked_with_explanations() {
    let files = Files::new(LIST_A, LIST_B, CONFIG);
    let run = files.link(&["a.csv", "b.csv"]);
    assert!(run.success(), "{}", run.stderr());
    assert!(run.stderr().contains("Read 5 rows") && run.stderr().contains("clusters"));
    let found = clusters(&files.root.join("out/clusters.csv"));
    for expected in [
        cluster(&[("a.csv", "1"), ("b.csv", "1")]),
        cluster(&[("a.csv", "2"), ("b.csv", "2")]),
        cluster(&[("a.csv", "3"), ("b.csv", "3")]),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    assert!(
        found
            .iter()
            .all(|c| !c.contains(&("b.csv".to_owned(), "4".to_owned()))),
        "the unrelated person stays alone"
    );
    // Pairs come with each field's level and weight.
    let pairs = std::fs::read_to_string(files.root.join("out/pairs.csv")).unwrap();
    let header = pairs.lines().next().unwrap();
    // A birth year on one list and a whole date on the other are one
    // field, compared by the year.
    assert!(header.contains("name_level") && header.contains("birth_date_weight"));
    assert!(!header.contains("birth_year"), "{header}");
    assert!(pairs.contains("same reading"), "{pairs}");
    assert!(pairs.contains("same year"), "{pairs}");
}

#[test]
fn a_bad_configuration_or_file_is_refused_with_what_to_fix_and_nothing_written() {
    // A column in no file.
    let files = Files::new(LIST_A, LIST_B, &CONFIG.replace("\"Born\"", "\"Birth\""));
    files.refused(&["a.csv", "b.csv"], "no file has a column \"Birth\"");
    // A role that does not exist.
    let files = Files::new(LIST_A, LIST_B, &CONFIG.replace("= \"sex\"", "= \"gender\""));
    let run = files.link(&["a.csv", "b.csv"]);
    assert!(
        run.stderr().contains("the roles are") || run.stderr().contains("not one of"),
        "{}",
        run.stderr()
    );
    // A row with a field too many: its line is named.
    let broken = LIST_B.replace("Pak Sun Ja,1973,F,", "Pak, Sun Ja,1973,F,");
    let files = Files::new(LIST_A, &broken, CONFIG);
    let said = files.refused(&["a.csv", "b.csv"], "b.csv line 3");
    assert!(said.contains("5 fields where the header has 4"), "{said}");
    // One-to-one linking with one file only.
    let one = "one_to_one = true\n[columns]\n\"성명\" = \"name\"\n\"생년\" = \"birth_year\"\n";
    let files = Files::new(LIST_A, LIST_B, one);
    files.refused(&["a.csv"], "one_to_one = true is for linking two files");
    // Not TOML at all.
    let files = Files::new(LIST_A, LIST_B, "columns = [");
    let run = files.link(&["a.csv"]);
    assert!(
        run.stderr().contains("is not a link configuration"),
        "{}",
        run.stderr()
    );
}

#[test]
fn two_lists_each_naming_a_person_once_are_linked_one_to_one() {
    // A second Kim Cheol-ok born the same year: one-to-one, the two
    // candidates of the first list's Kim share her chance.
    let b = format!("{LIST_B}Kim Chol Ok,1985,F,\n");
    let files = Files::new(LIST_A, &b, &format!("one_to_one = true\n{CONFIG}"));
    let run = files.link(&["a.csv", "b.csv"]);
    assert!(run.success(), "{}", run.stderr());
    let found = clusters(&files.root.join("out/clusters.csv"));
    assert!(
        found.contains(&cluster(&[("a.csv", "2"), ("b.csv", "2")])),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|c| !c.contains(&("a.csv".to_owned(), "1".to_owned())) || c.len() == 2),
        "{found:?}"
    );
    let pairs = std::fs::read_to_string(files.root.join("out/pairs.csv")).unwrap();
    let kim: Vec<f64> = pairs
        .lines()
        .filter(|l| l.starts_with("a.csv,1,"))
        .map(|l| l.split(',').nth(4).unwrap().parse().unwrap())
        .collect();
    assert!(
        kim.len() == 2 && kim.iter().sum::<f64>() <= 1.0 + 1e-6,
        "{pairs}"
    );
}

#[test]
fn one_list_is_deduplicated() {
    let list = format!("{LIST_A}Kim Chol Ok,1985,F,길림/연변/연길\n");
    let config = "[columns]\n\"성명\" = \"name\"\n\"생년\" = \"birth_year\"\n\"성별\" = \"sex\"\n\"지역\" = \"place\"\n";
    let files = Files::new(&list, LIST_B, config);
    let run = files.link(&["a.csv"]);
    assert!(run.success(), "{}", run.stderr());
    let found = clusters(&files.root.join("out/clusters.csv"));
    assert!(
        found.contains(&cluster(&[("a.csv", "1"), ("a.csv", "6")])),
        "{found:?}"
    );
}

/// Home towns are compared through their hierarchy; a rule of one's own
/// replaces the default rules, and a birth column in it agrees as written
/// (the same day, or the same year where a row gives only the year).
#[test]
fn origin_is_compared_and_a_blocking_rule_of_ones_own_is_followed() {
    let a = "성명,생년월일,고향\n\
김철옥,1985-06-01,North Hamgyong/Hoeryong\n\
박순자,1972,Ryanggang/Hyesan\n";
    let b = "Name,Born,Hometown\n\
Kim Cheol-ok,1985,North Hamgyong\n\
Pak Sun Ja,1972-03-02,Ryanggang/Hyesan\n";
    let config = r#"
threshold = 0.5
blocking = [["Born"]]
[columns]
"성명" = "name"
"생년월일" = "birth_date"
"고향" = "origin"
"Name" = "name"
"Born" = "birth_date"
"Hometown" = "origin"
"#;
    let files = Files::new(a, b, config);
    let pairs = files.linked_pairs(&["a.csv", "b.csv"]);
    let header = pairs.lines().next().unwrap();
    assert!(header.contains("origin_level"), "{header}");
    // Only the two pairs of a date and its year were compared, not four.
    assert_eq!(pairs.lines().count(), 3, "{pairs}");
    // A home town and its province alone: one within the other.
    assert!(pairs.contains("one within the other") && pairs.contains("same year"));
    // A rule naming a column the configuration does not have is refused.
    let files = Files::new(a, b, &config.replace("[[\"Born\"]]", "[[\"Birth\"]]"));
    files.refused(&["a.csv", "b.csv"], "not a configured column");
}

/// A surname written no way the tables know ("Qim") still pairs a row
/// with its Hangul form by the given name, the day of birth, the sex and a
/// place within the other's, or where one of the two gives no place.
#[test]
fn a_surname_read_no_way_pairs_by_given_name_birth_and_place() {
    let a = "성명,생년월일,성별,지역\n\
김철옥,1985-06-01,F,길림/연변/연길\n\
박순자,1972-02-03,F,\n\
최명수,1990-01-05,M,길림/연변/연길\n";
    let b = "Name,Born,Sex,Place\n\
Qim Cheol-ok,1985-06-01,F,길림/연변\n\
Qak Sun Ja,1972-02-03,F,길림/연변/도문\n\
Qoe Myong Su,1990-01-05,M,길림/연변/도문\n";
    let config = r#"
threshold = 0.5
[columns]
"성명" = "name"
"생년월일" = "birth_date"
"성별" = "sex"
"지역" = "place"
"Name" = "name"
"Born" = "birth_date"
"Sex" = "sex"
"Place" = "place"
"#;
    let files = Files::new(a, b, config);
    let pairs = files.linked_pairs(&["a.csv", "b.csv"]);
    let compared = |x: &str, y: &str| pairs.contains(&format!("a.csv,{x},b.csv,{y},"));
    assert!(compared("1", "1"), "{pairs}");
    assert!(compared("2", "2"), "{pairs}");
    // Yanji and Tumen are two places: not paired by this rule.
    assert!(!compared("3", "3"), "{pairs}");
}

/// Columns written in each other's place (a given name in the surname's
/// column, address lines swapped) are compared crosswise when the
/// configuration says they may be swapped.
#[test]
fn columns_that_may_be_swapped_are_compared_crosswise() {
    // Generated people; rows 1 and 2 are one person with the name and
    // address columns swapped, row 3 someone else in the same town.
    let list = "given,family,line1,line2,town\n\
anna,berg,12 oak road,hill farm,norton\n\
berg,anna,hill farm,12 oak road,norton\n\
carl,dunn,4 elm lane,,norton\n";
    let config = r#"
blocking = [["town"]]
swapped = [["given", "family"], ["line1", "line2"]]
[columns]
given = "text"
family = "text"
line1 = "text"
line2 = "text"
town = "exact"
"#;
    let files = Files::new(list, "", config);
    let pairs = files.linked_pairs(&["a.csv"]);
    let swapped = pairs
        .lines()
        .find(|l| l.starts_with("a.csv,1,a.csv,2,"))
        .unwrap_or_else(|| panic!("{pairs}"));
    assert_eq!(swapped.matches(",swapped,").count(), 4, "{swapped}");
    let other = pairs
        .lines()
        .find(|l| l.starts_with("a.csv,1,a.csv,3,"))
        .unwrap_or_else(|| panic!("{pairs}"));
    assert!(!other.contains("swapped"), "{other}");
    let probability = |l: &str| l.split(',').nth(4).unwrap().parse::<f64>().unwrap();
    assert!(probability(swapped) > probability(other), "{pairs}");

    // Swapping a column that is not text, or one twice, is refused.
    for (bad, says) in [
        (
            r#"[["given", "town"]]"#,
            "\"town\", which is not a column with the role \"text\"",
        ),
        (
            r#"[["given", "family"], ["family", "line1"]]"#,
            "\"family\" twice",
        ),
        (r#"[["given", "given"]]"#, "\"given\" with itself"),
        (
            r#"[["given", "nickname"]]"#,
            "\"nickname\", which is not a column",
        ),
    ] {
        let files = Files::new(
            list,
            "",
            &config.replace(r#"[["given", "family"], ["line1", "line2"]]"#, bad),
        );
        files.refused(&["a.csv"], says);
    }
}

/// The same town in two scripts, a facility for its town, a prefecture for
/// its town and a home province by any of its spellings agree by the
/// gazetteer, not by the letters: generated people, places of record.
#[test]
fn places_in_any_script_agree_by_the_gazetteer() {
    let a = "성명,생년,지역,고향\n\
김철옥,1985,연길,함경북도/회령\n\
박순자,1972,图们边防支队看守所,량강도\n\
최명수,1990,丹东市,평안북도 신의주\n\
이영희,1968,장백,자강도\n";
    let b = "Name,Born,Place,Hometown\n\
Kim Cheol-ok,1985,Yanji City,N. Hamgyong\n\
Pak Sun Ja,1972,Tumen Border Detention Center,Yanggang\n\
Choe Myong Su,1990,Shenyang,Sinuiju\n\
Yi Yong Hui,1968,\"Jangbaek, Jilin\",Hamgyong-bukdo\n";
    let config = r#"
threshold = 0.5
[columns]
"성명" = "name"
"생년" = "birth_year"
"지역" = "place"
"고향" = "origin"
"Name" = "name"
"Born" = "birth_year"
"Place" = "place"
"Hometown" = "origin"
"#;
    let files = Files::new(a, b, config);
    let pairs = files.linked_pairs(&["a.csv", "b.csv"]);
    let level = |row: &str, field: &str| -> String {
        let mut lines = pairs.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = header.iter().position(|h| *h == field).unwrap();
        lines
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| c[1] == row && c[3] == row)
            .map(|c| c[col].to_owned())
            .unwrap_or_default()
    };
    assert_eq!(level("1", "place_level"), "same", "{pairs}");
    assert_eq!(level("1", "origin_level"), "one within the other");
    assert_eq!(level("2", "place_level"), "same", "a facility is its town");
    assert_eq!(level("2", "origin_level"), "same", "량강도 is Yanggang");
    assert_eq!(
        level("3", "place_level"),
        "same broader place",
        "Dandong and Shenyang"
    );
    assert_eq!(level("3", "origin_level"), "same");
    assert_eq!(level("4", "place_level"), "same");
    assert_eq!(
        level("4", "origin_level"),
        "same broader place",
        "two provinces of the DPRK"
    );
}

/// An id column is carried into pairs.csv and clusters.csv; an age gives a
/// birth year from the row's date, in its reckoning; a date known to the
/// month is compared with a day in it; an event kind makes dates the
/// stages of an episode. Generated people.
#[test]
fn ids_ages_months_and_event_kinds_are_read() {
    let a = "record,성명,생년,고향,날짜,사건\n\
NGO-17,김철옥,1985,함경북도,2013-11-19,체포\n\
NGO-18,박순자,1972,량강도,2011-09-02,체포\n";
    let b = "ref,Name,Age,Age basis,Hometown,Date,Event\n\
AP/2,Kim Chol Ok,29,korean,North Hamgyong,2013년 11월,arrest\n\
AP/3,Pak Sun Ja,40,international,Ryanggang,2011.09,repatriation\n";
    let config = r#"
threshold = 0.5
em_rounds = 50
[columns]
"record" = "id"
"ref" = "id"
"성명" = "name"
"생년" = "birth_year"
"고향" = "origin"
"날짜" = "date"
"사건" = "event_kind"
"Name" = "name"
"Age" = "age"
"Age basis" = "age_reckoning"
"Hometown" = "origin"
"Date" = "date"
"Event" = "event_kind"
"#;
    let files = Files::new(a, b, config);
    let pairs = files.linked_pairs(&["a.csv", "b.csv"]);
    let mut lines = pairs.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..6],
        ["file_a", "row_a", "file_b", "row_b", "id_a", "id_b"]
    );
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let pair = |id: &str| rows.iter().find(|r| r[4] == id).unwrap();
    // 29 in Korean reckoning in 2013: born 1985; 40 in 2011: 1971 (or
    // 1970), a year from 1972.
    assert_eq!(pair("NGO-17")[5], "AP/2");
    assert_eq!(pair("NGO-17")[col("birth_year_level")], "same");
    assert_eq!(pair("NGO-18")[col("birth_year_level")], "close");
    // A month against a day in it: close, not missing; an arrest and a
    // repatriation two weeks later: the other stage of one episode, and
    // their places are weighed as such.
    assert_eq!(pair("NGO-17")[col("date_level")], "close");
    assert_eq!(pair("NGO-18")[col("date_level")], "other stage");
    assert!(
        !header.contains(&"event_kind_level"),
        "the kind is in the date's level"
    );
    let clusters = std::fs::read_to_string(files.root.join("out/clusters.csv")).unwrap();
    assert!(
        clusters.starts_with("cluster,file,row,id,weakest_link"),
        "{clusters}"
    );
    assert!(
        clusters.contains("AP/2") && clusters.contains("NGO-17"),
        "{clusters}"
    );
    // The model's fitting is reported: rounds run, within the limit set.
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(files.root.join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert!(
        summary["em_rounds"].as_u64().is_some_and(|r| r <= 50),
        "{summary}"
    );
    assert!(summary["em_settled"].is_boolean(), "{summary}");
    // A reckoning or a window the configuration cannot use is refused.
    let bad = config.replace("em_rounds = 50", "age_reckoning = \"lunar\"");
    Files::new(a, b, &bad).refused(&["a.csv", "b.csv"], "age_reckoning");
    let bad = config.replace("em_rounds = 50", "episode_window_days = -5");
    Files::new(a, b, &bad).refused(&["a.csv", "b.csv"], "episode_window_days");
    let bad = config.replace("em_rounds = 50", "em_rounds = 99999999999");
    Files::new(a, b, &bad).refused(&["a.csv", "b.csv"], "em_rounds");
}

/// English names are told from Korean ones and compared as text (a first
/// name and a surname also crosswise); blocking rules may take a column's
/// first characters, or a birth's year. Made-up people.
#[test]
fn english_names_are_compared_as_text_and_rules_take_beginnings() {
    let a = "id,first,last,born,postcode\n\
e1,thomas,hardcastle,1830-02-01,tq13 8df\n\
e2,margaret,ellingworth,1795-07-12,sy10 8ra\n\
e3,bartholomew,quennell,1902-11-30,gl2 8jb\n";
    let b = "id,first,last,born,postcode\n\
f1,tom,hardcastle,1830-02-01,tq13 8hu\n\
f2,ellingworth,margaret,1795-07-12,sy10 8ra\n\
f3,barthlomew,quenell,1902,gl2 9zz\n";
    let config = r#"
threshold = 0.5
blocking = [["first:3", "last:3"], ["postcode:4"], ["born:4", "last:2"]]
[columns]
id = "id"
first = "given_name"
last = "surname"
born = "birth_date"
postcode = "text"
"#;
    let files = Files::new(a, b, config);
    let run = files.link(&["a.csv", "b.csv"]);
    assert!(run.success(), "{}", run.stderr());
    assert!(
        run.stderr().contains("compared as text"),
        "{}",
        run.stderr()
    );
    let pairs = std::fs::read_to_string(files.root.join("out/pairs.csv")).unwrap();
    for (x, y) in [("e1", "f1"), ("e2", "f2"), ("e3", "f3")] {
        assert!(pairs.contains(&format!(",{x},{y},")), "{x} / {y}: {pairs}");
    }
    // Swapped first and last names are a level of their own.
    assert!(pairs.contains("swapped"), "{pairs}");
    // Told, in the words a user would write, the result is the same.
    let told = Files::new(a, b, &format!("name_language = \"english\"\n{config}"));
    assert_eq!(told.linked_pairs(&["a.csv", "b.csv"]), pairs);
    files_refused(
        a,
        b,
        &format!("name_language = \"klingon\"\n{config}"),
        "name_language",
    );
    // A beginning that is no number, or of a column without text, is refused.
    for bad in [r#"["first:x"]"#, r#"["born:2"]"#] {
        let config = config.replace(r#"["postcode:4"]"#, bad);
        files_refused(a, b, &config, "blocking rule");
    }
}

fn files_refused(a: &str, b: &str, config: &str, says: &str) {
    Files::new(a, b, config).refused(&["a.csv", "b.csv"], says);
}

/// A reviewer who reads Korean gets the levels in Korean.
#[test]
fn levels_are_written_in_the_reviewers_language() {
    let config = format!("language = \"ko\"\n{CONFIG}");
    let files = Files::new(LIST_A, LIST_B, &config);
    let pairs = files.linked_pairs(&["a.csv", "b.csv"]);
    assert!(
        pairs.contains("같은 읽기") && pairs.contains("같은 해"),
        "{pairs}"
    );
    assert!(!pairs.contains("same reading"), "{pairs}");
    files_refused(
        LIST_A,
        LIST_B,
        &format!("language = \"fr\"\n{CONFIG}"),
        "language",
    );
}
