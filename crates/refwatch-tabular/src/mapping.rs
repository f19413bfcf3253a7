//! Which column holds which field: a mapping written in TOML, or guessed
//! from headers in Korean or English and shown for confirmation.
//!
//! ```toml
//! as = "incidents"
//!
//! [defaults]
//! verification = "single_source"
//! confidentiality = "restricted"
//! place_role = "location"
//!
//! [columns]
//! "사건명" = "title"
//! "발생일" = "date"
//! "유형" = { field = "kind", values = { "북송" = "repatriation" } }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::values::header_key;

/// The kind of record each row becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// One incident per row, with the row's citation.
    Incidents,
    /// One source per row.
    Sources,
    /// One place per row; a row may name as its parent a place of an
    /// earlier row.
    Places,
    /// One person at risk per row, with the row's citation; identities are
    /// sealed by the importer, and never shown back in a problem.
    Persons,
}

impl RecordKind {
    /// The kind's name, as in a mapping's `as` and the dataset file.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Incidents => "incidents",
            RecordKind::Sources => "sources",
            RecordKind::Places => "places",
            RecordKind::Persons => "persons",
        }
    }

    /// The kind a name stands for ([`RecordKind::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        [
            RecordKind::Incidents,
            RecordKind::Sources,
            RecordKind::Places,
            RecordKind::Persons,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// A field a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Title.
    Title,
    /// Summary (incidents).
    Summary,
    /// Date, in any style `values::date` reads.
    Date,
    /// Kind: a vocabulary term by code or label.
    Kind,
    /// People affected, in any form `values::count` reads (incidents).
    Victims,
    /// Places by name in any of their languages, several separated by `|`
    /// (Uwazi's grouped values `China::Jilin::Yanji` too).
    Places,
    /// A point, `lat|lon` (as Uwazi exports it): the nearest place in the
    /// database within 25 km, for a row that names no place.
    Geolocation,
    /// Verification status (incidents).
    Verification,
    /// Confidentiality: public, restricted or confidential.
    Confidentiality,
    /// The source a row's citation names, by title or URL (incidents).
    Source,
    /// Where in the source (page, paragraph).
    Locator,
    /// The exact words quoted.
    Quote,
    /// A note.
    Note,
    /// Publisher (sources).
    Publisher,
    /// Author (sources).
    Author,
    /// Web address (sources).
    Url,
    /// Language code (sources).
    Language,
    /// Reliability grade (sources).
    Reliability,
    /// Document symbol (sources).
    Symbol,
    /// English name (places).
    NameEn,
    /// Korean name (places).
    NameKo,
    /// Chinese name (places).
    NameZh,
    /// Country code, ISO 3166 (places).
    Country,
    /// The place it lies within, by name (places).
    Parent,
    /// Precision of the coordinates: exact, city, district, province or
    /// country (places).
    Precision,
    /// Name in Hangul (persons; an identity).
    NameHangul,
    /// Name in Latin letters (persons; an identity).
    NameRomanized,
    /// Name in Chinese characters (persons; an identity).
    NameChinese,
    /// Birth date or year (persons; a full date is an identity, the year
    /// is kept apart).
    Birth,
    /// Sex (persons).
    Sex,
    /// Age group (persons).
    AgeGroup,
    /// Place of origin, by name (persons).
    Origin,
    /// Category (persons).
    Category,
    /// Latest known status (persons).
    Status,
    /// The date of that status (persons).
    StatusDate,
    /// A column to leave out.
    Ignore,
}

impl Field {
    /// The fields a kind of record takes.
    pub fn of(kind: RecordKind) -> &'static [Field] {
        match kind {
            RecordKind::Incidents => &[
                Field::Title,
                Field::Summary,
                Field::Date,
                Field::Kind,
                Field::Victims,
                Field::Places,
                Field::Geolocation,
                Field::Verification,
                Field::Confidentiality,
                Field::Source,
                Field::Locator,
                Field::Quote,
                Field::Note,
                Field::Ignore,
            ],
            RecordKind::Sources => &[
                Field::Title,
                Field::Kind,
                Field::Date,
                Field::Publisher,
                Field::Author,
                Field::Url,
                Field::Language,
                Field::Reliability,
                Field::Symbol,
                Field::Confidentiality,
                Field::Note,
                Field::Ignore,
            ],
            RecordKind::Persons => &[
                Field::NameHangul,
                Field::NameRomanized,
                Field::NameChinese,
                Field::Birth,
                Field::Sex,
                Field::AgeGroup,
                Field::Origin,
                Field::Category,
                Field::Status,
                Field::StatusDate,
                Field::Confidentiality,
                Field::Source,
                Field::Locator,
                Field::Quote,
                Field::Note,
                Field::Ignore,
            ],
            RecordKind::Places => &[
                Field::NameEn,
                Field::NameKo,
                Field::NameZh,
                Field::Kind,
                Field::Country,
                Field::Parent,
                Field::Geolocation,
                Field::Precision,
                Field::Ignore,
            ],
        }
    }

    /// The fields a row cannot do without (a default can stand in for kind).
    pub fn required(kind: RecordKind) -> &'static [Field] {
        match kind {
            RecordKind::Incidents => &[
                Field::Title,
                Field::Date,
                Field::Kind,
                Field::Source,
                Field::Locator,
                Field::Quote,
            ],
            RecordKind::Sources => &[Field::Title, Field::Kind],
            RecordKind::Places => &[Field::NameEn, Field::Kind],
            RecordKind::Persons => &[Field::Source, Field::Locator, Field::Quote],
        }
    }

    /// The field's name in a mapping file.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Summary => "summary",
            Field::Date => "date",
            Field::Kind => "kind",
            Field::Victims => "victims",
            Field::Places => "places",
            Field::Geolocation => "geolocation",
            Field::Verification => "verification",
            Field::Confidentiality => "confidentiality",
            Field::Source => "source",
            Field::Locator => "locator",
            Field::Quote => "quote",
            Field::Note => "note",
            Field::Publisher => "publisher",
            Field::Author => "author",
            Field::Url => "url",
            Field::Language => "language",
            Field::Reliability => "reliability",
            Field::Symbol => "symbol",
            Field::NameEn => "name_en",
            Field::NameKo => "name_ko",
            Field::NameZh => "name_zh",
            Field::Country => "country",
            Field::Parent => "parent",
            Field::Precision => "precision",
            Field::NameHangul => "name_hangul",
            Field::NameRomanized => "name_romanized",
            Field::NameChinese => "name_chinese",
            Field::Birth => "birth",
            Field::Sex => "sex",
            Field::AgeGroup => "age_group",
            Field::Origin => "origin",
            Field::Category => "category",
            Field::Status => "status",
            Field::StatusDate => "status_date",
            Field::Ignore => "ignore",
        }
    }

    /// Headers that usually mean this field, Korean and English, for
    /// guessing a mapping.
    fn headers(self, kind: RecordKind) -> &'static [&'static str] {
        HEADERS
            .iter()
            .find(|(f, k, _)| *f == self && k.is_none_or(|k| k == kind))
            .map_or(&[], |(_, _, h)| h)
    }

    fn from_name(name: &str) -> Option<Field> {
        Field::of(RecordKind::Incidents)
            .iter()
            .chain(Field::of(RecordKind::Sources))
            .chain(Field::of(RecordKind::Places))
            .chain(Field::of(RecordKind::Persons))
            .copied()
            .find(|f| f.name() == name)
    }
}

/// Headers that usually name each field (for one kind of record, or any).
#[rustfmt::skip]
const HEADERS: &[(Field, Option<RecordKind>, &[&str])] = &[
    (Field::Title, Some(RecordKind::Incidents), &["제목", "사건명", "사건", "title", "incident", "event"]),
    (Field::Title, Some(RecordKind::Sources), &["제목", "자료명", "출처명", "문서명", "title", "name", "document"]),
    (Field::Summary, None, &["요약", "내용", "개요", "설명", "summary", "description", "details"]),
    (Field::Date, None, &["날짜", "일자", "발생일", "발생일자", "일시", "시기", "발행일", "date", "when"]),
    (Field::Kind, Some(RecordKind::Incidents), &["유형", "종류", "사건유형", "구분", "kind", "type", "category", "incidenttype", "eventtype"]),
    (Field::Kind, Some(RecordKind::Sources), &["유형", "종류", "자료유형", "출처유형", "구분", "kind", "type"]),
    (Field::Victims, None, &["인원", "인원수", "피해자수", "피해인원", "명수", "사람수", "victims", "people", "count", "number", "persons"]),
    (Field::Places, None, &["장소", "지역", "발생장소", "발생지", "place", "places", "location", "where"]),
    (Field::Geolocation, None, &["좌표", "위경도", "geolocation", "coordinates", "latlon", "point"]),
    (Field::Verification, None, &["검증", "확인", "확인상태", "검증상태", "verification"]),
    (Field::Confidentiality, None, &["공개", "공개여부", "공개범위", "기밀", "confidentiality", "visibility"]),
    (Field::Source, None, &["출처", "자료", "출처명", "source"]),
    (Field::Locator, None, &["쪽", "페이지", "문단", "쪽수", "위치(출처)", "locator", "page", "paragraph"]),
    (Field::Quote, None, &["인용", "인용문", "원문", "발췌", "quote", "excerpt"]),
    (Field::Note, None, &["비고", "메모", "참고", "note", "notes", "remarks", "comment"]),
    (Field::Publisher, None, &["발행처", "발행기관", "기관", "publisher", "organisation", "organization"]),
    (Field::Author, None, &["저자", "작성자", "author"]),
    (Field::Url, None, &["url", "링크", "주소", "웹주소", "link", "website"]),
    (Field::Language, None, &["언어", "language", "lang"]),
    (Field::Reliability, None, &["신뢰도", "reliability"]),
    (Field::Symbol, None, &["문서번호", "symbol", "documentsymbol"]),
    (Field::NameEn, None, &["영문명", "영어이름", "영문", "nameen", "englishname", "name", "english"]),
    (Field::NameKo, None, &["한국어명", "한글명", "한국어", "이름", "지명", "nameko", "koreanname", "korean"]),
    (Field::NameZh, None, &["중국어명", "한자", "중문", "namezh", "chinesename", "chinese"]),
    (Field::Kind, Some(RecordKind::Places), &["유형", "종류", "구분", "kind", "type"]),
    (Field::Country, None, &["국가", "나라", "country", "countrycode"]),
    (Field::Parent, None, &["상위", "상위지역", "소속", "parent", "within", "partof"]),
    (Field::Precision, None, &["정밀도", "precision"]),
    (Field::NameHangul, None, &["이름", "성명", "한글이름", "한글성명", "namehangul", "koreanname", "name"]),
    (Field::NameRomanized, None, &["영문이름", "영문성명", "로마자", "로마자이름", "nameromanized", "romanized", "englishname"]),
    (Field::NameChinese, None, &["한자이름", "한자성명", "한자", "namechinese", "chinesename"]),
    (Field::Birth, None, &["생년월일", "생일", "출생", "출생일", "출생연도", "생년", "birth", "birthdate", "dateofbirth", "dob", "birthyear"]),
    (Field::Sex, None, &["성별", "sex", "gender"]),
    (Field::AgeGroup, None, &["연령대", "나이대", "agegroup"]),
    (Field::Origin, None, &["출신지", "고향", "출신", "origin", "hometown", "placeoforigin"]),
    (Field::Category, Some(RecordKind::Persons), &["범주", "분류", "category"]),
    (Field::Status, None, &["상태", "현재상태", "최근상태", "status", "currentstatus"]),
    (Field::StatusDate, None, &["상태일", "상태날짜", "확인일", "statusdate", "asof", "날짜", "date"]),
];

/// One column's field, and the cell values to read as vocabulary codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header as written in the file.
    pub header: String,
    /// The field it holds.
    pub field: Field,
    /// Cell values (as written) to read as these codes.
    pub values: BTreeMap<String, String>,
}

/// How the columns of a sheet map to the fields of one kind of record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The kind of record.
    pub kind: RecordKind,
    /// The sheet of a workbook, if not the first.
    pub sheet: Option<String>,
    /// Values for fields no column gives (a vocabulary code, or
    /// `public`/`restricted`/`confidential`), by field name, and
    /// `place_role`.
    pub defaults: BTreeMap<String, String>,
    /// The columns, in the file's order.
    pub columns: Vec<Column>,
}

/// Why a mapping file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// Not TOML of the documented shape.
    #[error("the mapping is not valid: {0}")]
    Toml(String),
    /// A field name refwatch does not know.
    #[error("column \"{header}\": \"{field}\" is not a field of {kind}; the fields are: {known}")]
    UnknownField {
        /// The column.
        header: String,
        /// The field named.
        field: String,
        /// The record kind.
        kind: &'static str,
        /// The fields there are.
        known: String,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ColumnToml {
    Field(String),
    Full {
        field: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        values: BTreeMap<String, String>,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingToml {
    #[serde(rename = "as")]
    kind: RecordKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sheet: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    defaults: BTreeMap<String, String>,
    #[serde(default)]
    columns: toml::Table,
}

impl Mapping {
    /// Reads a mapping file.
    pub fn from_toml(text: &str) -> Result<Self, MappingError> {
        let raw: MappingToml =
            toml::from_str(text).map_err(|e| MappingError::Toml(e.message().to_owned()))?;
        let mut columns = Vec::new();
        for (header, value) in raw.columns {
            let column: ColumnToml = value.try_into().map_err(|e: toml::de::Error| {
                MappingError::Toml(format!("column \"{header}\": {}", e.message()))
            })?;
            let (field, values) = match column {
                ColumnToml::Field(f) => (f, BTreeMap::new()),
                ColumnToml::Full { field, values } => (field, values),
            };
            let known = Field::of(raw.kind);
            let Some(f) = Field::from_name(&field).filter(|f| known.contains(f)) else {
                return Err(MappingError::UnknownField {
                    header,
                    field,
                    kind: raw.kind.name(),
                    known: known
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            columns.push(Column {
                header,
                field: f,
                values,
            });
        }
        Ok(Self {
            kind: raw.kind,
            sheet: raw.sheet,
            defaults: raw.defaults,
            columns,
        })
    }

    /// The mapping as a file, to save, check and edit.
    pub fn to_toml(&self) -> String {
        let mut columns = toml::Table::new();
        for c in &self.columns {
            let value = if c.values.is_empty() {
                toml::Value::String(c.field.name().to_owned())
            } else {
                let mut t = toml::Table::new();
                t.insert(
                    "field".into(),
                    toml::Value::String(c.field.name().to_owned()),
                );
                t.insert(
                    "values".into(),
                    toml::Value::Table(
                        c.values
                            .iter()
                            .map(|(k, v)| (k.clone(), toml::Value::String(v.clone())))
                            .collect(),
                    ),
                );
                toml::Value::Table(t)
            };
            columns.insert(c.header.clone(), value);
        }
        let file = MappingToml {
            kind: self.kind,
            sheet: self.sheet.clone(),
            defaults: self.defaults.clone(),
            columns,
        };
        toml::to_string(&file).unwrap_or_default()
    }

    /// Guesses a mapping from a header row, Korean or English: each
    /// header that usually names a field is mapped to it (each field once);
    /// the others are left out.
    pub fn guess(kind: RecordKind, header: &[String]) -> Self {
        let mut taken = Vec::new();
        let mut columns = Vec::new();
        for h in header {
            let n = header_key(h);
            if n.is_empty() {
                continue;
            }
            let field = Field::of(kind)
                .iter()
                .copied()
                .find(|f| !taken.contains(f) && f.headers(kind).iter().any(|w| header_key(w) == n));
            if let Some(field) = field {
                taken.push(field);
                columns.push(Column {
                    header: h.clone(),
                    field,
                    values: BTreeMap::new(),
                });
            }
        }
        // The defaults the converter applies, written out so that the
        // person confirming the mapping sees them.
        let mut defaults = BTreeMap::new();
        match kind {
            RecordKind::Places => {}
            RecordKind::Persons => {
                defaults.insert("confidentiality".to_owned(), "confidential".to_owned());
            }
            _ => {
                defaults.insert("confidentiality".to_owned(), "restricted".to_owned());
            }
        }
        if kind == RecordKind::Incidents {
            defaults.insert("verification".to_owned(), "single_source".to_owned());
            defaults.insert("place_role".to_owned(), "location".to_owned());
        }
        Self {
            kind,
            sheet: None,
            defaults,
            columns,
        }
    }

    /// The column that holds a field, if one does.
    pub fn column(&self, field: Field) -> Option<&Column> {
        self.columns.iter().find(|c| c.field == field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_reads_back_as_written_and_names_unknown_fields() {
        let text = r#"
as = "incidents"

[defaults]
verification = "single_source"

[columns]
"사건명" = "title"
"발생일" = "date"
"유형" = { field = "kind", values = { "북송" = "repatriation" } }
"#;
        let m = Mapping::from_toml(text).unwrap();
        assert_eq!(m.kind, RecordKind::Incidents);
        assert_eq!(m.columns.len(), 3);
        assert_eq!(
            m.column(Field::Kind).unwrap().values["북송"],
            "repatriation"
        );
        assert_eq!(Mapping::from_toml(&m.to_toml()).unwrap(), m);
        let bad = Mapping::from_toml("as = \"incidents\"\n[columns]\n\"x\" = \"publisher\"\n")
            .unwrap_err();
        assert!(
            bad.to_string()
                .contains("\"publisher\" is not a field of incidents"),
            "{bad}"
        );
        assert!(matches!(
            Mapping::from_toml("as = \"people\""),
            Err(MappingError::Toml(_))
        ));
    }

    #[test]
    fn headers_in_korean_or_english_are_guessed() {
        let header: Vec<String> = [
            "사건명",
            "발생 일자",
            "유형",
            "인원",
            "장소",
            "출처",
            "쪽",
            "인용문",
            "담당자",
        ]
        .map(String::from)
        .to_vec();
        let m = Mapping::guess(RecordKind::Incidents, &header);
        let fields: Vec<Field> = m.columns.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                Field::Title,
                Field::Date,
                Field::Kind,
                Field::Victims,
                Field::Places,
                Field::Source,
                Field::Locator,
                Field::Quote
            ]
        );
        let english: Vec<String> = ["Title", "Date", "Type", "People", "Source", "Page", "Quote"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            Mapping::guess(RecordKind::Incidents, &english)
                .columns
                .len(),
            7
        );
    }
}
