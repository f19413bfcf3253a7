//! Problems found in a sheet, each at its row and column, said in the
//! reader's language with what to do about it.

use refwatch_domain::Lang;

/// What is wrong with a cell, a row or the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No row among the first ones names the mapped columns.
    NoHeader {
        /// Headers the mapping looks for.
        wanted: Vec<String>,
    },
    /// The mapping names a column the header row does not have.
    MissingColumn {
        /// The header named.
        header: String,
        /// The headers there are.
        present: Vec<String>,
    },
    /// A field every row needs has no column (and no default).
    Unmapped {
        /// The field's name.
        field: &'static str,
    },
    /// A cell that must hold something is empty.
    Empty {
        /// The field's name.
        field: &'static str,
    },
    /// Not a date.
    Date {
        /// The cell.
        value: String,
    },
    /// A range that ends before it starts.
    Backwards {
        /// The cell.
        value: String,
    },
    /// Not a count.
    Count {
        /// The cell.
        value: String,
    },
    /// Not a term of the vocabulary.
    Term {
        /// The cell.
        value: String,
        /// Some terms it could be, as labels.
        known: Vec<String>,
    },
    /// No source with this title or address.
    NoSource {
        /// The cell.
        value: String,
    },
    /// No place with this name in any language.
    NoPlace {
        /// The name.
        value: String,
    },
    /// Not a point.
    Point {
        /// The cell.
        value: String,
    },
    /// No place with coordinates near the point.
    NoPlaceNear {
        /// The cell.
        value: String,
    },
    /// Not public, restricted or confidential.
    Confidentiality {
        /// The cell.
        value: String,
    },
    /// A birth that is not a date; the cell is not quoted (it identifies a
    /// person).
    Birth,
    /// Persons were asked for without the key their ids need.
    NeedsKey,
    /// The same record as an earlier row.
    Repeats {
        /// The earlier row.
        row: usize,
    },
    /// Refused by the rules every record follows (as the JSON importer).
    Rule {
        /// The rule's sentence.
        message: String,
    },
}

impl Problem {
    /// The problem in a sentence, with what to do.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Ko => self.korean(),
            Lang::En => self.english(),
        }
    }

    fn english(&self) -> String {
        match self {
            Self::NoHeader { wanted } => format!(
                "no header row among the first 20 rows names the mapped columns ({}); fix the headers or the mapping",
                wanted.join(", ")
            ),
            Self::MissingColumn { header, present } => format!(
                "the mapping names a column \"{header}\" that the header row does not have; its columns are: {}",
                present.join(", ")
            ),
            Self::Unmapped { field } => {
                format!("no column holds \"{field}\"; add one or name it in the mapping")
            }
            Self::Empty { field } => format!("the \"{field}\" cell is empty; fill it in"),
            Self::Date { value } => format!(
                "\"{value}\" is not a date refwatch reads; write it like 2013-11-19, 2013.11, 2013년 11월 or 2013"
            ),
            Self::Backwards { value } => format!("\"{value}\": the range ends before it starts"),
            Self::Count { value } => format!(
                "\"{value}\" is not a count refwatch reads; write it like 500, at least 500, about 500, 13-15 or hundreds"
            ),
            Self::Term { value, known } => format!(
                "\"{value}\" is not in the vocabulary; use one of these or map it under values in the mapping: {}",
                known.join(", ")
            ),
            Self::NoSource { value } => format!(
                "no source has the title or address \"{value}\"; import the sources first (--as sources)"
            ),
            Self::NoPlace { value } => format!(
                "no place is named \"{value}\" in any language; add the place first or correct the name"
            ),
            Self::Confidentiality { value } => {
                format!("\"{value}\": write public, restricted or confidential")
            }
            Self::Point { value } => {
                format!("\"{value}\" is not a point; write latitude|longitude, like 42.89|129.51")
            }
            Self::NoPlaceNear { value } => format!(
                "no place in the database lies within 25 km of {value}; add the place (with its coordinates) first or name it in the places column"
            ),
            Self::Birth => "the birth cell is not a date or a year refwatch reads (its value is not repeated here: it identifies a person); write it like 1990, 1990.3 or 1990.3.4".to_owned(),
            Self::NeedsKey => "persons are imported only with the key (their ids are keyed so that they say nothing about the person)".to_owned(),
            Self::Repeats { row } => format!("the same record as row {row}; delete one of them"),
            Self::Rule { message } => message.clone(),
        }
    }

    fn korean(&self) -> String {
        match self {
            Self::NoHeader { wanted } => format!(
                "첫 20행 가운데 머리글 행을 찾지 못했습니다. 매핑이 찾는 열 이름: {}. 머리글을 고치거나 매핑을 맞추세요",
                wanted.join(", ")
            ),
            Self::MissingColumn { header, present } => format!(
                "매핑에 있는 열 \"{header}\"이(가) 머리글 행에 없습니다. 있는 열: {}",
                present.join(", ")
            ),
            Self::Unmapped { field } => {
                format!("\"{field}\"을(를) 담은 열이 없습니다. 열을 추가하거나 매핑에서 지정하세요")
            }
            Self::Empty { field } => format!("\"{field}\" 칸이 비어 있습니다. 채워 주세요"),
            Self::Date { value } => format!(
                "\"{value}\"은(는) 읽을 수 있는 날짜가 아닙니다. 2013.11.19, 2013년 11월, 2013처럼 쓰세요"
            ),
            Self::Backwards { value } => format!("\"{value}\": 범위의 끝이 시작보다 앞섭니다"),
            Self::Count { value } => format!(
                "\"{value}\"은(는) 읽을 수 있는 인원이 아닙니다. 500, 최소 500명, 약 500명, 13~15명, 수백 명처럼 쓰세요"
            ),
            Self::Term { value, known } => format!(
                "\"{value}\"은(는) 어휘에 없습니다. 다음 중 하나를 쓰거나 매핑의 values에 연결하세요: {}",
                known.join(", ")
            ),
            Self::NoSource { value } => format!(
                "제목이나 주소가 \"{value}\"인 출처가 없습니다. 출처를 먼저 가져오세요 (--as sources)"
            ),
            Self::NoPlace { value } => format!(
                "\"{value}\"(이)라는 장소가 없습니다. 장소를 먼저 추가하거나 이름을 고치세요"
            ),
            Self::Confidentiality { value } => {
                format!("\"{value}\": 공개, 제한, 기밀 가운데 하나를 쓰세요")
            }
            Self::Point { value } => {
                format!("\"{value}\"은(는) 좌표가 아닙니다. 42.89|129.51처럼 위도|경도로 쓰세요")
            }
            Self::NoPlaceNear { value } => format!(
                "{value}에서 25 km 안에 데이터베이스의 장소가 없습니다. 좌표와 함께 장소를 먼저 추가하거나 장소 열에 이름을 쓰세요"
            ),
            Self::Birth => "생년 칸을 날짜나 연도로 읽을 수 없습니다(사람을 알아볼 수 있는 값이라 여기 옮기지 않습니다). 1990, 1990.3, 1990.3.4처럼 쓰세요".to_owned(),
            Self::NeedsKey => "인물은 키가 있어야 가져올 수 있습니다(식별자가 그 사람에 대해 아무것도 드러내지 않도록 키로 만듭니다)".to_owned(),
            Self::Repeats { row } => format!("{row}행과 같은 기록입니다. 한 행을 지우세요"),
            Self::Rule { message } => message.clone(),
        }
    }
}

/// A problem at its place in the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The sheet.
    pub sheet: String,
    /// The row a spreadsheet shows (0 for the sheet as a whole).
    pub row: usize,
    /// The column: its letters and header.
    pub column: Option<(String, String)>,
    /// What is wrong.
    pub problem: Problem,
}

impl Located {
    /// "sheet 사건, row 7, column C (날짜): …" in the reader's language.
    pub fn describe(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        let mut at = if ko {
            format!("시트 {}", self.sheet)
        } else {
            format!("sheet {}", self.sheet)
        };
        if self.row > 0 {
            at.push_str(&if ko {
                format!(", {}행", self.row)
            } else {
                format!(", row {}", self.row)
            });
        }
        if let Some((letters, header)) = &self.column {
            at.push_str(&if ko {
                format!(", {letters}열({header})")
            } else {
                format!(", column {letters} ({header})")
            });
        }
        format!("{at}: {}", self.problem.message(lang))
    }
}
