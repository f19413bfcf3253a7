//! Dates that carry their precision: a day, a month, a year, a range of
//! them, or an approximation ("about 2005").

use std::fmt;
use std::str::FromStr;

/// A calendar date known to the day, the month or only the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
}

/// How precisely a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Known to the day.
    Day,
    /// Known to the month.
    Month,
    /// Known to the year.
    Year,
}

/// Why a date text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not of the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[error(
        "expected a date as YYYY, YYYY-MM or YYYY-MM-DD, a range A/B, or either with a leading ~ for approximate"
    )]
    Format,
    /// The month or day does not exist.
    #[error("no such calendar date")]
    NoSuchDate,
    /// The range ends before it starts.
    #[error("the date range ends before it starts")]
    EndsBeforeStart,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap { 29 } else { 28 }
        }
    }
}

impl PartialDate {
    /// A date known to the year.
    pub fn year(year: i32) -> Self {
        Self {
            year,
            month: None,
            day: None,
        }
    }

    /// A date known to the month.
    pub fn month(year: i32, month: u8) -> Result<Self, DateError> {
        if !(1..=12).contains(&month) {
            return Err(DateError::NoSuchDate);
        }
        Ok(Self {
            year,
            month: Some(month),
            day: None,
        })
    }

    /// A date known to the day.
    pub fn day(year: i32, month: u8, day: u8) -> Result<Self, DateError> {
        let m = Self::month(year, month)?;
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::NoSuchDate);
        }
        Ok(Self {
            day: Some(day),
            ..m
        })
    }

    /// The day a day number (days since 1970-01-01) stands for: the
    /// inverse of [`PartialDate::first_day_number`] on whole days.
    pub fn from_day_number(days: i64) -> Self {
        let (year, month, day) = crate::time::civil_from_days(days);
        Self {
            year: year as i32,
            month: Some(month as u8),
            day: Some(day as u8),
        }
    }

    /// The year.
    pub fn get_year(&self) -> i32 {
        self.year
    }

    /// How precisely this date is known.
    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    /// The earliest day this date may stand for, as (year, month, day).
    pub fn first_day(&self) -> (i32, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The earliest day this date may stand for, as days since 1970-01-01.
    pub fn first_day_number(&self) -> i64 {
        let (y, m, d) = self.first_day();
        crate::time::days_from_civil(y, m, d)
    }

    /// The latest day this date may stand for, as (year, month, day).
    pub fn last_day(&self) -> (i32, u8, u8) {
        let month = self.month.unwrap_or(12);
        (
            self.year,
            month,
            self.day.unwrap_or_else(|| days_in_month(self.year, month)),
        )
    }
}

impl FromStr for PartialDate {
    type Err = DateError;
    fn from_str(text: &str) -> Result<Self, DateError> {
        let parts: Vec<&str> = text.split('-').collect();
        let num = |s: &str, len: usize| -> Result<u32, DateError> {
            if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateError::Format);
            }
            s.parse().map_err(|_| DateError::Format)
        };
        let year = num(parts[0], 4)? as i32;
        match parts.len() {
            1 => Ok(Self::year(year)),
            2 => Self::month(year, num(parts[1], 2)? as u8),
            3 => Self::day(year, num(parts[1], 2)? as u8, num(parts[2], 2)? as u8),
            _ => Err(DateError::Format),
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

/// A date as reported: one partial date or a range, possibly approximate.
///
/// Written as `2023-10-09`, `2023-10`, `2023`, `2013-11-02/2013-11-19`, or
/// with a leading `~` for "about": `~2005`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateValue {
    start: PartialDate,
    end: Option<PartialDate>,
    approximate: bool,
}

impl DateValue {
    /// A single date.
    pub fn on(date: PartialDate) -> Self {
        Self {
            start: date,
            end: None,
            approximate: false,
        }
    }

    /// A range; it must not end before it starts.
    pub fn between(start: PartialDate, end: PartialDate) -> Result<Self, DateError> {
        if end.last_day() < start.first_day() {
            return Err(DateError::EndsBeforeStart);
        }
        Ok(Self {
            start,
            end: Some(end),
            approximate: false,
        })
    }

    /// The same date marked approximate.
    pub fn approximately(self) -> Self {
        Self {
            approximate: true,
            ..self
        }
    }

    /// Where the date (or range) starts.
    pub fn start(&self) -> PartialDate {
        self.start
    }

    /// Where the range ends, if it is one.
    pub fn end(&self) -> Option<PartialDate> {
        self.end
    }

    /// Whether the date is approximate.
    pub fn is_approximate(&self) -> bool {
        self.approximate
    }

    /// The year the date starts in; used to attribute events to a year.
    pub fn year(&self) -> i32 {
        self.start.year
    }
}

impl FromStr for DateValue {
    type Err = DateError;
    fn from_str(text: &str) -> Result<Self, DateError> {
        let (approximate, rest) = match text.strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let value = match rest.split_once('/') {
            Some((a, b)) => Self::between(a.parse()?, b.parse()?)?,
            None => Self::on(rest.parse()?),
        };
        Ok(Self {
            approximate,
            ..value
        })
    }
}

impl fmt::Display for DateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.approximate {
            f.write_str("~")?;
        }
        write!(f, "{}", self.start)?;
        if let Some(end) = self.end {
            write!(f, "/{end}")?;
        }
        Ok(())
    }
}
