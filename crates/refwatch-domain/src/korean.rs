//! The rules' messages in Korean, for Korean readers of the forms, the
//! importer and the command line. Each English message of `validate` and
//! of a date that does not read is a template here (`{}` where it puts a
//! value), with its Korean sentence (`{0}`, `{1}` for the values in order);
//! a test checks that every message the rules give has one.

/// (English template, Korean template).
const MESSAGES: &[(&str, &str)] = &[
    (
        "unknown {} term \"{}\"; use one of: {}",
        "{0} 용어 \"{1}\"은(는) 목록에 없습니다. 다음 중에서 고르십시오: {2}",
    ),
    (
        "{} is empty; write it out",
        "{0}이(가) 비어 있습니다. 채워 넣으십시오.",
    ),
    (
        "refers to {} {}, which does not exist in the data",
        "{0} {1}을(를) 가리키지만 그런 기록이 없습니다.",
    ),
    (
        "low ({}) is more than best ({}); low must not exceed best",
        "최소치({0})가 최선 추정({1})보다 큽니다. 최소치는 최선 추정을 넘을 수 없습니다.",
    ),
    (
        "low ({}) is more than high ({}); low must not exceed high",
        "최소치({0})가 최대치({1})보다 큽니다. 최소치는 최대치를 넘을 수 없습니다.",
    ),
    (
        "best ({}) is more than high ({}); best must not exceed high",
        "최선 추정({0})이 최대치({1})보다 큽니다. 최선 추정은 최대치를 넘을 수 없습니다.",
    ),
    (
        "a citation needs the exact quoted words; paste them from the source",
        "인용에는 출처의 정확한 문구가 필요합니다. 출처에서 그대로 붙여 넣으십시오.",
    ),
    (
        "a citation needs a locator (page, paragraph or footnote)",
        "인용에는 출처 내 위치(쪽, 단락, 각주)가 필요합니다.",
    ),
    (
        "every fact needs at least one citation; add the source, locator and quote",
        "모든 사실에는 인용이 하나 이상 필요합니다. 출처, 위치, 인용문을 넣으십시오.",
    ),
    (
        "id {} is used again (first at {}); every record and citation needs its own id",
        "식별자 {0}이(가) 다시 쓰였습니다(처음: {1}). 기록과 인용마다 고유한 식별자가 필요합니다.",
    ),
    (
        "a record with this id is already in the database (or earlier in this file); give it a new id",
        "이 식별자를 가진 기록이 이미 데이터베이스(또는 이 파일 앞부분)에 있습니다. 새 식별자를 주십시오.",
    ),
    (
        "latitude must be within -90..90 and longitude within -180..180",
        "위도는 -90에서 90, 경도는 -180에서 180 사이여야 합니다.",
    ),
    (
        "the {} parts add up to at least {} people, more than the incident's high count ({}); correct the parts or raise the high count",
        "{0} 구분의 합이 최소 {1}명으로, 사건의 최대치({2})보다 많습니다. 구분을 고치거나 최대치를 올리십시오.",
    ),
    (
        "birth year {} is not plausible; use a year between 1900 and 2100",
        "출생 연도 {0}은(는) 있을 수 없는 값입니다. 1900년에서 2100년 사이로 쓰십시오.",
    ),
    (
        "a mandate holder's entry is empty; remove it or fill it in",
        "특별절차 수임자 항목이 비어 있습니다. 지우거나 채우십시오.",
    ),
    (
        "{} is larger than a count can be; counts go up to {}",
        "{0}은(는) 셀 수 있는 수보다 큽니다. 수는 {1}까지 쓸 수 있습니다.",
    ),
    (
        "consent_public does not agree with the recorded consent's scope; only the scope `public` allows public advocacy",
        "공개 동의 여부가 기록된 동의 범위와 맞지 않습니다. 범위가 `public`일 때만 공개 옹호 활동이 허용됩니다.",
    ),
    (
        "this pair was already decided at links[{}]; keep one decision per pair",
        "이 쌍은 이미 links[{0}]에서 판정되었습니다. 한 쌍에는 판정을 하나만 두십시오.",
    ),
    (
        "expected a date as YYYY, YYYY-MM or YYYY-MM-DD, a range A/B, or either with a leading ~ for approximate",
        "날짜는 YYYY, YYYY-MM, YYYY-MM-DD, 범위 A/B로 쓰고, 대략이면 앞에 ~를 붙이십시오.",
    ),
    ("no such calendar date", "달력에 없는 날짜입니다."),
    (
        "\"{}\" is not a valid {}: {}",
        "\"{0}\"은(는) 올바른 {1}이(가) 아닙니다: {2}",
    ),
    ("missing field `{}`", "필수 항목 `{0}`이(가) 없습니다."),
    (
        "unknown field `{}`, expected {}",
        "알 수 없는 항목 `{0}`입니다. 가능한 항목: {1}",
    ),
    (
        "invalid type: {}, expected {}",
        "형식이 맞지 않습니다: {0} (필요한 형식: {1})",
    ),
    (
        "the date range ends before it starts",
        "날짜 범위의 끝이 시작보다 앞섭니다.",
    ),
    (
        "say why the record is archived",
        "보관 처리하는 이유를 적으십시오.",
    ),
    (
        "a place cannot lie within itself or within a place inside it; choose another",
        "장소는 자기 자신이나 자기 안의 장소에 속할 수 없습니다. 다른 장소를 고르십시오.",
    ),
    (
        "a body cannot belong to itself or to one of its own parts; choose another",
        "기관은 자기 자신이나 자기 하위 기관에 속할 수 없습니다. 다른 기관을 고르십시오.",
    ),
];

/// The Korean names of what the rules name inside their messages.
const WORDS: &[(&str, &str)] = &[
    ("the English name", "영어 이름"),
    ("the title", "제목"),
    ("the text", "본문"),
    ("the unit", "단위"),
    ("the recommending state", "권고 국가"),
    ("the report's summary", "보도 요약"),
    ("the COI paragraph", "조사위원회 보고서 단락"),
    ("who recorded the consent", "동의를 기록한 사람"),
    ("what was found", "확인된 내용"),
    ("citation of this person", "이 인물의 인용"),
    ("the body that adopted the resolution", "결의를 채택한 기구"),
    ("source", "출처"),
    ("place", "장소"),
    ("actor", "행위자"),
    ("incident", "사건"),
    ("person", "인물"),
    ("UPR review", "UPR 심의"),
    ("date", "날짜"),
    ("id", "식별자"),
];

/// The values `text` gives to `template`'s `{}` places, if it is of that
/// template.
fn values<'a>(template: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let parts: Vec<&str> = template.split("{}").collect();
    let mut rest = text.strip_prefix(parts[0])?;
    let mut out = Vec::new();
    for (n, part) in parts.iter().enumerate().skip(1) {
        let last = n + 1 == parts.len();
        let at = if last {
            rest.len()
                .checked_sub(part.len())
                .filter(|&at| rest[at..] == **part)?
        } else {
            rest.find(part)?
        };
        out.push(&rest[..at]);
        rest = &rest[at + part.len()..];
    }
    rest.is_empty().then_some(out)
}

/// A message of the rules in Korean; `None` for one without a Korean
/// sentence (shown as it is).
pub fn problem_in_korean(message: &str) -> Option<String> {
    MESSAGES.iter().find_map(|(en, ko)| {
        let found = values(en, message)?;
        let mut out = (*ko).to_owned();
        for (n, v) in found.iter().enumerate() {
            let word = match WORDS.iter().find(|(en, _)| en == v) {
                Some((_, ko)) => (*ko).to_owned(),
                // A message within a message (a date's, inside "not a
                // valid date").
                None if v.len() > 12 => problem_in_korean(v).unwrap_or_else(|| (*v).to_owned()),
                None => (*v).to_owned(),
            };
            out = out.replace(&format!("{{{n}}}"), &word);
        }
        Some(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    #[test]
    fn values_are_found_in_their_places() {
        assert_eq!(
            problem_in_korean("low (9) is more than high (4); low must not exceed high").as_deref(),
            Some("최소치(9)가 최대치(4)보다 큽니다. 최소치는 최대치를 넘을 수 없습니다.")
        );
        assert_eq!(
            problem_in_korean("the title is empty; write it out").as_deref(),
            Some("제목이(가) 비어 있습니다. 채워 넣으십시오.")
        );
        assert_eq!(problem_in_korean("something else entirely"), None);
        assert_eq!(
            problem_in_korean("\"2024-13\" is not a valid date: no such calendar date").as_deref(),
            Some("\"2024-13\"은(는) 올바른 날짜이(가) 아닙니다: 달력에 없는 날짜입니다.")
        );
    }

    #[test]
    fn every_message_the_rules_give_has_a_korean_sentence() {
        // A dataset that breaks every rule it can.
        let text = include_str!("validate.rs");
        let source = Source {
            id: SourceId::random(),
            kind: Term::new("no_such_kind"),
            title: " ".into(),
            publisher: None,
            author: None,
            date: None,
            language: None,
            url: None,
            symbol: None,
            reliability: None,
            confidentiality: Confidentiality::Public,
            note: None,
        };
        let place = Place {
            id: PlaceId::random(),
            kind: Term::new("city"),
            name_en: String::new(),
            name_ko: None,
            name_zh: None,
            country: None,
            parent: Some(PlaceId::random()),
            coordinates: Some(Coordinates {
                lat: 100.0,
                lon: 0.0,
                precision: CoordPrecision::City,
            }),
        };
        let cite = |source| Citation {
            id: CitationId::random(),
            source,
            via: None,
            locator: String::new(),
            quote: String::new(),
            note: None,
        };
        let incident = Incident {
            id: IncidentId::random(),
            kind: Term::new("arrest"),
            title: String::new(),
            summary: String::new(),
            date: "2024".parse().unwrap(),
            places: vec![],
            actors: vec![],
            victims: Count {
                low: 9,
                best: Some(10),
                high: Some(4),
            },
            breakdown: vec![BreakdownPart {
                dimension: Dimension::Sex,
                term: Term::new("female"),
                count: Count::exact(30),
            }],
            verification: Term::new("single_source"),
            confidentiality: Confidentiality::Public,
            reports: vec![],
            citations: vec![cite(SourceId::random()), cite(source.id)],
        };
        let mut twin = incident.clone();
        twin.citations = vec![];
        let person = Person {
            id: PersonId::random(),
            identity: None,
            sex: None,
            birth_year: None,
            age_group: None,
            origin_place: None,
            category: None,
            timeline: vec![StatusEvent {
                date: "2024".parse().unwrap(),
                status: Term::new("detained"),
                place: None,
                incident: None,
                citation: Some(CitationId::random()),
            }],
            incidents: vec![],
            consent_public: true,
            consent: Some(Consent {
                scope: Term::new("none"),
                date: "2024".parse().unwrap(),
                recorded_by: " ".into(),
            }),
            confidentiality: Confidentiality::Confidential,
            citations: vec![],
        };
        let mechanism = Mechanism {
            id: MechanismId::random(),
            detail: MechanismDetail::CoiRecommendation {
                paragraph: "90 (a)".into(),
            },
            reference: None,
            date: "2014".parse().unwrap(),
            text: "Text".into(),
            themes: vec![],
            incidents: vec![],
            implementation: vec![ImplementationNote {
                id: ImplementationId::random(),
                date: "2024".parse().unwrap(),
                status: Term::new("implemented"),
                summary: String::new(),
                citations: vec![],
            }],
            citations: vec![cite(source.id)],
        };
        let data = Dataset {
            sources: vec![source],
            places: vec![place],
            incidents: vec![incident.into(), twin.into()],
            persons: vec![person.into()],
            mechanisms: vec![mechanism],
            figures: vec![ReportedFigure {
                id: FigureId::random(),
                indicator: Term::new("border_crossings"),
                period: "2023".parse().unwrap(),
                place: None,
                value: Count::exact(u64::MAX),
                unit: "people".into(),
                citations: vec![],
            }],
            ..Dataset::default()
        };
        let problems = validate(&data, &Vocabularies::builtin());
        assert!(problems.len() >= 10, "{problems:?}");
        for path in [
            "persons[0].consent_public",
            "persons[0].consent.recorded_by",
            "persons[0].timeline[0].citation",
            "mechanisms[0].implementation[0].summary",
            "mechanisms[0].implementation[0].citations",
            "figures[0].value",
        ] {
            assert!(
                problems.iter().any(|p| p.path == path),
                "{path}: {problems:?}"
            );
        }
        for p in &problems {
            assert!(
                problem_in_korean(&p.message).is_some(),
                "no Korean for: {}",
                p.message
            );
        }
        for e in [
            DateError::Format,
            DateError::NoSuchDate,
            DateError::EndsBeforeStart,
        ] {
            assert!(problem_in_korean(&e.to_string()).is_some(), "{e}");
        }
        // Each template of the rules' own is one of their messages (a tidy
        // check over the source), so none is kept here for nothing.
        for (en, _) in MESSAGES {
            let first = en.split("{}").max_by_key(|s| s.len()).unwrap();
            if [
                "say why",
                "a place cannot",
                "a body cannot",
                "a person at risk",
                "expected a date",
                "no such calendar",
                "the date range",
                // The file reader's and its JSON reader's.
                "\"",
                "missing field",
                "unknown field",
                "invalid type",
            ]
            .iter()
            .any(|p| en.starts_with(p))
            {
                continue;
            }
            assert!(text.contains(first), "not a message of validate.rs: {en}");
        }
    }
}
