//! Dates and numbers written the way each language writes them: "9 October
//! 2023", "2023년 10월 9일", "1,170"; ranges and approximate dates included.

use refwatch_domain::{DateValue, Lang, PartialDate, Precision};

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

fn one(d: PartialDate, lang: Lang) -> String {
    let (y, m, day) = d.first_day();
    match (d.precision(), lang) {
        (Precision::Year, Lang::En) => y.to_string(),
        (Precision::Year, Lang::Ko) => format!("{y}년"),
        (Precision::Month, Lang::En) => format!("{} {y}", MONTHS[usize::from(m) - 1]),
        (Precision::Month, Lang::Ko) => format!("{y}년 {m}월"),
        (Precision::Day, Lang::En) => format!("{day} {} {y}", MONTHS[usize::from(m) - 1]),
        (Precision::Day, Lang::Ko) => format!("{y}년 {m}월 {day}일"),
    }
}

/// A date (or range) for people to read.
pub(crate) fn text(d: &DateValue, lang: Lang) -> String {
    let mut out = one(d.start(), lang);
    if let Some(end) = d.end() {
        out.push_str(" – ");
        out.push_str(&one(end, lang));
    }
    if d.is_approximate() {
        out = match lang {
            Lang::En => format!("about {out}"),
            Lang::Ko => format!("{out}경"),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally_in_both_languages() {
        let d = |s: &str| s.parse::<DateValue>().unwrap();
        assert_eq!(text(&d("2023-10-09"), Lang::En), "9 October 2023");
        assert_eq!(text(&d("2023-10-09"), Lang::Ko), "2023년 10월 9일");
        assert_eq!(text(&d("2021-07"), Lang::En), "July 2021");
        assert_eq!(text(&d("2005"), Lang::Ko), "2005년");
        assert_eq!(text(&d("~2005"), Lang::En), "about 2005");
        assert_eq!(text(&d("~2005"), Lang::Ko), "2005년경");
        assert_eq!(
            text(&d("2013-11/2013-11-19"), Lang::En),
            "November 2013 – 19 November 2013"
        );
    }
}

/// A whole number as readers write it, in thousands: `1,170` (Korean
/// writes it the same way).
pub(crate) fn number(n: u64, _lang: Lang) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod number_tests {
    #[test]
    fn thousands_are_grouped() {
        for (n, shown) in [
            (0, "0"),
            (999, "999"),
            (1_170, "1,170"),
            (1_000_000, "1,000,000"),
        ] {
            assert_eq!(super::number(n, refwatch_domain::Lang::Ko), shown);
        }
    }
}
