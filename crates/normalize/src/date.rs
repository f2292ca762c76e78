//! Dates: a hand-rolled tolerant parser for the shapes customer data uses (`1990-01-02`,
//! `1990/1/2`, `19900102`, `1990年1月2日`, `Jan 2 1990`, `2 Jan 1990`, `01/02/1990`, a trailing
//! time as in `updated_at` columns), validated with [`jiff::civil::Date`] and written as ISO.
//!
//! Reading rules, in order:
//! - one 8-digit number is `YYYYMMDD` when that is a date from year 1000 on, else `MMDDYYYY`
//!   (or `DDMMYYYY`, by the same rule as slashed dates below): US exports write `01302005`;
//! - a month name takes the month; of the two numbers left, a 3–4 digit one is the year, else
//!   the first is the day and the second the year;
//! - three numbers starting with a 3–4 digit one are year, month, day;
//! - otherwise the year is last and the first two are month and day: a number over 12 forces
//!   its place (`13/02/1990` is 13 February), `DD.MM.YYYY` with dots is day-first (the
//!   European convention), and anything else follows [`DateOrder`].
//!
//! Two-digit years pivot on the reference date: `yy` up to the reference year's last two
//! digits is 20yy, above it 19yy (with a 2026 reference, `26` is 2026 and `27` is 1927). Birth
//! dates are the main reason two-digit years occur, so a pivot that never lands in the future
//! is the useful one.

use std::borrow::Cow;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{DateOrder, Issue, IssueKind, MatchKeys, NormalizeOptions, Normalized, text};

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NormalizedDate(pub Date);

impl MatchKeys for NormalizedDate {
    fn norm(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }

    fn keys(&self) -> Vec<(&'static str, String)> {
        vec![
            ("year", format!("{:04}", self.0.year())),
            ("month", format!("{:02}", self.0.month())),
            ("day", format!("{:02}", self.0.day())),
        ]
    }
}

/// Reads dates under fixed options; build it once and reuse it.
#[derive(Debug, Clone)]
pub struct DateNormalizer {
    order: DateOrder,
    reference: Date,
}

/// Birth dates older than this many years are flagged.
const MAX_AGE_YEARS: i32 = 120;

impl DateNormalizer {
    /// A normalizer for `options`. The reference date (for ages and the two-digit-year pivot)
    /// is taken now, once, so a long batch sees one consistent "today".
    ///
    /// ```
    /// use sameas_normalize::date::DateNormalizer;
    /// use sameas_normalize::{DateOrder, MatchKeys, NormalizeOptions};
    ///
    /// let options = NormalizeOptions { date_order: DateOrder::DayFirst, ..Default::default() };
    /// let dates = DateNormalizer::new(&options);
    /// assert_eq!(dates.normalize("01/02/1990").value.unwrap().norm(), "1990-02-01");
    /// ```
    pub fn new(options: &NormalizeOptions) -> Self {
        DateNormalizer {
            order: options.date_order,
            reference: options.reference_date(),
        }
    }

    /// Reads any date (no age checks).
    ///
    /// ```
    /// use sameas_normalize::date::DateNormalizer;
    /// use sameas_normalize::{IssueKind, MatchKeys, NormalizeOptions};
    ///
    /// let dates = DateNormalizer::new(&NormalizeOptions::default());
    /// for raw in ["1990-01-02", "1990年1月2日", "Jan 2 1990", "01/02/1990", "1990-01-02T13:45:00Z"] {
    ///     assert_eq!(dates.normalize(raw).value.unwrap().norm(), "1990-01-02");
    /// }
    /// assert!(dates.normalize("1990-02-30").has(IssueKind::Invalid));
    /// assert!(dates.normalize(" ").has(IssueKind::Missing));
    /// ```
    pub fn normalize(&self, raw: &str) -> Normalized<NormalizedDate> {
        if raw.trim().is_empty() {
            return Normalized::missing();
        }
        let text: Cow<'_, str> = text::nfkc(raw);
        if let Some(date) = spreadsheet_day(&text) {
            let mut out = Normalized::ok(NormalizedDate(date));
            out.issues.push(Issue::new(
                IssueKind::Repaired,
                "a spreadsheet's day number, read as its date",
            ));
            return out;
        }
        match self.parse(&text) {
            Ok(date) => Normalized::ok(NormalizedDate(date)),
            Err(reason) => {
                let repairs: [(Repair, &str); 2] = [
                    (day_month_swapped, REASON_DAY_MONTH_SWAPPED),
                    (digits_misread, REASON_MISREAD_DIGITS),
                ];
                for (repair, why) in repairs {
                    if let Some(Ok(date)) = repair(&text).map(|read| self.parse(&read)) {
                        let mut out = Normalized::ok(NormalizedDate(date));
                        out.issues.push(Issue::new(IssueKind::Repaired, why));
                        return out;
                    }
                }
                Normalized::invalid(reason)
            }
        }
    }

    /// Reads a birth date: like [`normalize`](Self::normalize), and a date in the future or an
    /// age over 120 at the reference date is flagged suspicious (the value is still returned).
    ///
    /// ```
    /// use jiff::civil::date;
    /// use sameas_normalize::date::DateNormalizer;
    /// use sameas_normalize::{IssueKind, NormalizeOptions};
    ///
    /// let options = NormalizeOptions { reference_date: Some(date(2024, 6, 1)), ..Default::default() };
    /// let dates = DateNormalizer::new(&options);
    /// assert!(dates.normalize_birth_date("1990-01-02").issues.is_empty());
    /// let future = dates.normalize_birth_date("2030-01-01");
    /// assert!(future.value.is_some() && future.has(IssueKind::Suspicious));
    /// assert!(dates.normalize_birth_date("1890-01-01").has(IssueKind::Suspicious));
    /// ```
    pub fn normalize_birth_date(&self, raw: &str) -> Normalized<NormalizedDate> {
        let mut out = self.normalize(raw);
        if let Some(NormalizedDate(date)) = out.value
            && let Some(reason) = birth_date_problem(date, self.reference)
        {
            out.issues.push(Issue::new(IssueKind::Suspicious, reason));
        }
        out
    }

    fn parse(&self, s: &str) -> Result<Date, &'static str> {
        let tokens = tokenize(s)?;
        let (year, month, day, two_digit_year) = self.assign(&tokens)?;
        let year = if two_digit_year {
            pivot_year(year, self.reference)
        } else {
            year
        };
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err("not a valid calendar date");
        }
        // The ranges above make the narrowing casts lossless.
        Date::new(year as i16, month as i8, day as i8).map_err(|_| "not a valid calendar date")
    }

    /// Decides which token is the year, month and day. Returns the year's two-digit flag.
    fn assign(&self, t: &Tokens) -> Result<(u32, u32, u32, bool), &'static str> {
        let nums = &t.nums[..t.n_nums];
        if let Some(month) = t.month {
            let [a, b] = nums else {
                return Err("not a recognised date format");
            };
            // A 3-4 digit number first is the year (`1990 Jan 2`); else the day comes first
            // (`Jan 2 1990`, `2 Jan 1990`, `2 Jan 90`).
            let (year, day) = if a.digits >= 3 { (a, b) } else { (b, a) };
            if day.digits > 2 || year.digits == 1 {
                return Err("not a recognised date format");
            }
            return Ok((year.value, month, day.value, year.digits == 2));
        }
        match nums {
            [one] if one.digits == 8 => {
                let (head, middle, tail) =
                    (one.value / 10_000, one.value / 100 % 100, one.value % 100);
                if head >= 1000 && is_calendar_date(head, middle, tail) {
                    return Ok((head, middle, tail, false));
                }
                // Year last: the first two digits and the next two are month and day.
                let (a, b, year) = (
                    one.value / 1_000_000,
                    one.value / 10_000 % 100,
                    one.value % 10_000,
                );
                let day_first = a > 12 || (b <= 12 && self.order == DateOrder::DayFirst);
                let (month, day) = if day_first { (b, a) } else { (a, b) };
                if year >= 1000 && is_calendar_date(year, month, day) {
                    Ok((year, month, day, false))
                } else {
                    Ok((head, middle, tail, false))
                }
            }
            [a, b, c] if a.digits >= 3 => {
                if b.digits > 2 || c.digits > 2 {
                    return Err("not a recognised date format");
                }
                Ok((a.value, b.value, c.value, false))
            }
            [a, b, c] => {
                if a.digits > 2 || b.digits > 2 || !(c.digits == 2 || c.digits == 4) {
                    return Err("not a recognised date format");
                }
                let day_first = if a.value > 12 {
                    true
                } else if b.value > 12 {
                    false
                } else if t.dotted {
                    true
                } else {
                    self.order == DateOrder::DayFirst
                };
                let (month, day) = if day_first {
                    (b.value, a.value)
                } else {
                    (a.value, b.value)
                };
                Ok((c.value, month, day, c.digits == 2))
            }
            _ => Err("not a recognised date format"),
        }
    }
}

/// Whether year, month and day name a day of the calendar.
/// A date a spreadsheet wrote as its day number (`32874` for 1990-01-01: days since
/// 1899-12-30 in Excel's and LibreOffice's 1900 system), as files saved from one often carry.
/// Only five bare digits from 10000 (1927-05-18) to 73050 (2099-12-31): four digits are a
/// year, and no other date shape is five digits long.
fn spreadsheet_day(s: &str) -> Option<Date> {
    let s = s.trim();
    let s = s.strip_suffix(".0").unwrap_or(s);
    if s.len() != 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let days: i32 = s.parse().ok()?;
    if !(10_000..=73_050).contains(&days) {
        return None;
    }
    Date::new(1899, 12, 30)
        .ok()?
        .checked_add(jiff::Span::new().days(days))
        .ok()
}

fn is_calendar_date(year: u32, month: u32, day: u32) -> bool {
    (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && Date::new(year as i16, month as i8, day as i8).is_ok()
}

/// A reading of a date that failed as written: the text to parse instead, if any.
type Repair = fn(&str) -> Option<String>;

/// The reason a year-first date read with its day and month swapped gives.
pub const REASON_DAY_MONTH_SWAPPED: &str = "a month over 12 read as the day, the day as the month";

/// A year-first date whose month is over 12 and whose day could be a month
/// (`19661411`, `1966-14-11`), written with the two swapped (`19661114`, `1966-11-14`): day
/// and month typed the other way round, as the `day_month_swapped` comparison level sees
/// between two records. `None` for any other text. Read only after the date failed to parse
/// as written.
fn day_month_swapped(text: &str) -> Option<String> {
    let runs: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .collect();
    let swappable = |month: &str, day: &str| {
        let (month, day) = (month.parse::<u32>().ok()?, day.parse::<u32>().ok()?);
        (month > 12 && (1..=12).contains(&day)).then_some(())
    };
    match runs.as_slice() {
        [compact] if compact.len() == 8 => {
            let (year, month, day) = (&compact[..4], &compact[4..6], &compact[6..]);
            swappable(month, day)?;
            Some(format!("{year}{day}{month}"))
        }
        [year, month, day] if year.len() == 4 && month.len() <= 2 && day.len() <= 2 => {
            swappable(month, day)?;
            Some(format!("{year}-{day}-{month}"))
        }
        _ => None,
    }
}

/// The reason a date read with letters taken for the digits they resemble gives.
pub const REASON_MISREAD_DIGITS: &str = "letters read as the digits they resemble";

/// A date written in digits with a few letters a scan or a hurried typist put for the
/// digits they look like (`1999O1O3`, `O3/l2/1980`, `19G5`), the letters read as those
/// digits; `None` when there is no such letter, more than two, or any other letter (a
/// month's name). Read only after the date failed to parse as written.
fn digits_misread(text: &str) -> Option<String> {
    let mut misread = 0;
    let read: String = text
        .chars()
        .map(|c| match text::digit_misread_as(c) {
            Some(digit) => {
                misread += 1;
                digit
            }
            None => c,
        })
        .collect();
    let digits = read.chars().filter(char::is_ascii_digit).count();
    ((1..=2).contains(&misread) && digits >= 6 && !read.chars().any(char::is_alphabetic))
        .then_some(read)
}

/// The reason a birth date too long ago to be a living person's gives.
pub const AGE_OVER_LIMIT: &str = "age over 120";

/// Why a birth date looks wrong at `reference`, if it does.
fn birth_date_problem(date: Date, reference: Date) -> Option<&'static str> {
    if date > reference {
        return Some("birth date in the future");
    }
    let mut age = i32::from(reference.year()) - i32::from(date.year());
    if (reference.month(), reference.day()) < (date.month(), date.day()) {
        age -= 1;
    }
    (age > MAX_AGE_YEARS).then_some(AGE_OVER_LIMIT)
}

/// Shared with the national id module: same checks, same phrases.
pub(crate) fn birth_date_issue(date: Date, reference: Date) -> Option<Issue> {
    birth_date_problem(date, reference).map(|reason| Issue::new(IssueKind::Suspicious, reason))
}

fn pivot_year(yy: u32, reference: Date) -> u32 {
    let reference_year = u32::try_from(reference.year()).unwrap_or(2000);
    let century = reference_year / 100 * 100;
    if yy <= reference_year % 100 {
        century + yy
    } else {
        century.saturating_sub(100) + yy
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Num {
    value: u32,
    digits: u8,
}

/// The date parts found, on the stack.
#[derive(Debug, Default)]
struct Tokens {
    nums: [Num; 3],
    n_nums: usize,
    month: Option<u32>,
    /// Dots separate the numbers (`02.01.1990`).
    dotted: bool,
}

impl Tokens {
    fn complete(&self) -> bool {
        self.n_nums + usize::from(self.month.is_some()) >= 3
            || (self.n_nums == 1 && self.nums[0].digits == 8 && self.month.is_none())
    }
}

fn tokenize(s: &str) -> Result<Tokens, &'static str> {
    let mut t = Tokens::default();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if t.complete() {
            // Closing marks (`日`, `号`) and separators end the date; what follows may be a time.
            let rest = &s[i..];
            let skip = rest.len() - rest.trim_start_matches(is_separator).len();
            if skip > 0 {
                i += skip;
                continue;
            }
            return if is_time_tail(&s[i..]) {
                Ok(t)
            } else {
                Err("not a recognised date format")
            };
        }
        let b = bytes[i];
        if b.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let len = i - start;
            if len > 8 || t.n_nums == 3 {
                return Err("not a recognised date format");
            }
            let value = s[start..i]
                .bytes()
                .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
            t.nums[t.n_nums] = Num {
                value,
                digits: len as u8,
            };
            t.n_nums += 1;
            // Ordinal suffixes: 1st, 2nd, 3rd, 4th.
            if let Some(rest) = s.get(i..) {
                let lower = rest.as_bytes();
                if lower.len() >= 2 {
                    let pair = [lower[0].to_ascii_lowercase(), lower[1].to_ascii_lowercase()];
                    let ends_word = lower.get(2).is_none_or(|c| !c.is_ascii_alphabetic());
                    if ends_word && matches!(&pair, b"st" | b"nd" | b"rd" | b"th") {
                        i += 2;
                    }
                }
            }
        } else if b.is_ascii_alphabetic() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let word = &s[start..i];
            if let Some(month) = month_number(word) {
                if t.month.is_some() {
                    return Err("not a recognised date format");
                }
                t.month = Some(month);
            } else if !is_weekday(word) {
                return Err("not a recognised date format");
            }
        } else if b == b'.' {
            t.dotted = true;
            i += 1;
        } else {
            let Some(c) = s[i..].chars().next() else {
                break;
            };
            if !is_separator(c) {
                return Err("not a recognised date format");
            }
            i += c.len_utf8();
        }
    }
    if t.complete() {
        Ok(t)
    } else {
        Err("not a recognised date format")
    }
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '/' | ',' | '_' | '年' | '月' | '日' | '号' | '號' | '、'
    ) || c.is_whitespace()
}

/// Whether the text after a complete date is a time of day (`13:45:00`, `T13:45:00Z`,
/// `13:45:00.123+08:00`, `1:05 pm`).
fn is_time_tail(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches([' ', ',', '\t']);
    let starts_t = trimmed.starts_with(['T', 't']);
    let body = if starts_t { &trimmed[1..] } else { trimmed };
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if !starts_t && !body.contains(':') {
        return false;
    }
    let mut words = body.split(|c: char| !c.is_ascii_alphabetic());
    let words_ok = words.all(|w| {
        w.is_empty()
            || ["am", "pm", "z", "utc", "gmt"]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k))
    });
    words_ok
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'+' | b'-' | b' '))
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if word.len() < 3 || word.len() > 9 {
        return None;
    }
    if word.eq_ignore_ascii_case("sept") {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| {
            word.len() == 3 && m[..3].eq_ignore_ascii_case(word) || m.eq_ignore_ascii_case(word)
        })
        .map(|p| p as u32 + 1)
}

fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    word.len() >= 3
        && DAYS.iter().any(|d| {
            word.len() == 3 && d[..3].eq_ignore_ascii_case(word) || d.eq_ignore_ascii_case(word)
        })
}

impl crate::field::NormalizeField for DateNormalizer {
    const KEYS: &'static [&'static str] = &["year", "month", "day"];

    fn compile(options: &NormalizeOptions) -> Result<Self, crate::NormalizeError> {
        Ok(DateNormalizer::new(options))
    }

    fn normalize_field(&self, raw: &str) -> Normalized<crate::record::FieldValue> {
        self.normalize(raw).map(crate::record::FieldValue::Date)
    }
}

/// The birth-date field normalizer: a date with age checks
/// ([`DateNormalizer::normalize_birth_date`]).
#[derive(Debug)]
pub(crate) struct BirthDateNormalizer(DateNormalizer);

impl crate::field::NormalizeField for BirthDateNormalizer {
    const KEYS: &'static [&'static str] = DateNormalizer::KEYS;

    fn compile(options: &NormalizeOptions) -> Result<Self, crate::NormalizeError> {
        Ok(BirthDateNormalizer(DateNormalizer::new(options)))
    }

    fn normalize_field(&self, raw: &str) -> Normalized<crate::record::FieldValue> {
        self.0
            .normalize_birth_date(raw)
            .map(crate::record::FieldValue::Date)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    fn options(order: DateOrder) -> NormalizeOptions {
        NormalizeOptions {
            date_order: order,
            reference_date: Some(date(2026, 6, 1)),
            ..Default::default()
        }
    }

    fn iso(n: &DateNormalizer, raw: &str) -> Option<String> {
        n.normalize(raw).value.map(|d| d.norm())
    }

    /// Each `(raw, read)`: `raw` reads as the date `read`, flagged repaired.
    fn assert_repaired(n: &DateNormalizer, cases: &[(&str, &str)]) {
        for &(raw, read) in cases {
            let out = n.normalize(raw);
            assert_eq!(out.value.map(|d| d.norm()).as_deref(), Some(read), "{raw}");
            assert!(out.has(IssueKind::Repaired), "{raw}");
        }
    }

    #[test]
    fn a_month_over_twelve_beside_a_day_that_could_be_one_is_read_swapped() {
        let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
        assert_repaired(
            &n,
            &[
                ("19661411", "1966-11-14"),
                ("1966-14-11", "1966-11-14"),
                ("1990/13/01", "1990-01-13"),
            ],
        );
        // A date that reads as written is never swapped; two numbers over 12 are no date.
        assert!(n.normalize("1966-11-14").issues.is_empty());
        assert!(iso(&n, "1966-14-14").is_none());
        assert!(iso(&n, "14/11/1966").is_some_and(|d| d == "1966-11-14"));
    }

    #[test]
    fn letters_taken_for_digits_are_read_as_those_digits() {
        let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
        assert_repaired(
            &n,
            &[
                ("1999O1O3", "1999-01-03"),
                ("O3/l2/1980", "1980-03-12"),
                ("09/11/19G5", "1965-09-11"),
                ("2Z/04/1990", "1990-04-22"),
            ],
        );
        // A month's name is no misread digit, three letters are too many, and a date that
        // reads as written is never changed.
        assert_eq!(iso(&n, "May 3 1987").as_deref(), Some("1987-05-03"));
        assert!(n.normalize("Dec 1 2001").issues.is_empty());
        assert!(iso(&n, "2Oth Mey 1990").is_none());
        assert!(iso(&n, "OO/OO/1990").is_none());
        assert!(iso(&n, "ISO").is_none());
    }

    #[test]
    fn required_shapes_read_the_same_date() {
        let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
        for raw in [
            "1990-01-02",
            "1990/01/02",
            "19900102",
            "1990年1月2日",
            "Jan 2 1990",
            "01/02/1990",
            "1990.01.02",
            "2 Jan 1990",
            "January 2, 1990",
            "1990-1-2",
            "１９９０－０１－０２",
            "１９９０年１月２日",
            "1990-01-02 13:45:00",
            "1990-01-02T13:45:00Z",
            "1990-01-02T13:45:00.123+08:00",
            "19900102T134500Z",
            "2nd Jan 1990",
            "Tue, 2 Jan 1990",
            "1990 Jan 2",
            "JAN 2 1990",
            "02.01.1990",
            "1990年01月02号",
            "01021990",
        ] {
            assert_eq!(iso(&n, raw).as_deref(), Some("1990-01-02"), "{raw}");
        }
        // Eight digits that are no YYYYMMDD date read year last, month first unless the
        // first pair can only be a day or the order says so.
        assert_eq!(iso(&n, "01302005").as_deref(), Some("2005-01-30"));
        assert_eq!(iso(&n, "30012005").as_deref(), Some("2005-01-30"));
        assert_eq!(iso(&n, "20071231").as_deref(), Some("2007-12-31"));
        let day_first = DateNormalizer::new(&options(DateOrder::DayFirst));
        assert_eq!(iso(&day_first, "02011990").as_deref(), Some("1990-01-02"));
        assert_eq!(iso(&n, "99999999"), None);
    }

    #[test]
    fn order_option_decides_ambiguous_dates() {
        let month_first = DateNormalizer::new(&options(DateOrder::MonthFirst));
        let day_first = DateNormalizer::new(&options(DateOrder::DayFirst));
        assert_eq!(
            iso(&month_first, "01/02/1990").as_deref(),
            Some("1990-01-02")
        );
        assert_eq!(iso(&day_first, "01/02/1990").as_deref(), Some("1990-02-01"));
        // A day over 12 forces its place whatever the option.
        assert_eq!(
            iso(&month_first, "13/02/1990").as_deref(),
            Some("1990-02-13")
        );
        assert_eq!(iso(&day_first, "02/13/1990").as_deref(), Some("1990-02-13"));
        // Unambiguous forms ignore the option.
        assert_eq!(iso(&day_first, "1990-01-02").as_deref(), Some("1990-01-02"));
    }

    #[test]
    fn two_digit_years_pivot_on_the_reference_year() {
        let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
        assert_eq!(iso(&n, "02/01/90").as_deref(), Some("1990-02-01"));
        assert_eq!(iso(&n, "02/01/26").as_deref(), Some("2026-02-01"));
        assert_eq!(iso(&n, "02/01/27").as_deref(), Some("1927-02-01"));
        assert_eq!(iso(&n, "2 Jan 05").as_deref(), Some("2005-01-02"));
    }

    #[test]
    fn impossible_and_unreadable_dates_are_invalid() {
        let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
        for raw in [
            "1990-02-30",
            "19901313",
            "1990-13-13",
            "0000-01-01",
            "1990-01",
            "hello",
            "1990-01-02 hello",
            "1990-01-02 05",
            "123456789",
            "1/2/3",
            "Jan Feb 1990",
            "1990-01-02-03",
            "2 Foo 1990",
        ] {
            let out = n.normalize(raw);
            assert!(out.value.is_none() && out.has(IssueKind::Invalid), "{raw}");
        }
        assert!(n.normalize("").has(IssueKind::Missing));
        assert!(n.normalize(" \t").has(IssueKind::Missing));
    }

    #[test]
    fn spreadsheet_day_numbers_read_as_their_dates() {
        let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
        for (raw, iso) in [
            ("32874", "1990-01-01"),
            ("32874.0", "1990-01-01"),
            ("10000", "1927-05-18"),
            ("45658", "2025-01-01"),
            ("73050", "2099-12-31"),
        ] {
            let out = n.normalize(raw);
            assert_eq!(out.value.map(|d| d.norm()).as_deref(), Some(iso), "{raw}");
            assert!(out.has(IssueKind::Repaired), "{raw}");
        }
        // Four digits are a year, not a day number; out of range stays unread.
        for raw in ["1990", "9999", "73051", "123456"] {
            assert!(n.normalize(raw).value.is_none(), "{raw}");
        }
    }

    #[test]
    fn leap_days() {
        let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
        assert_eq!(iso(&n, "2000-02-29").as_deref(), Some("2000-02-29"));
        assert!(n.normalize("1900-02-29").has(IssueKind::Invalid));
    }

    #[test]
    fn birth_date_checks() {
        let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
        let ok = n.normalize_birth_date("1990-01-02");
        assert!(ok.issues.is_empty());
        let future = n.normalize_birth_date("2026-06-02");
        assert_eq!(future.value.unwrap().norm(), "2026-06-02");
        assert_eq!(
            future.issues,
            vec![Issue::new(
                IssueKind::Suspicious,
                "birth date in the future"
            )]
        );
        // 120 until the day before the 121st birthday is fine; 121 is not.
        assert!(n.normalize_birth_date("1905-06-02").issues.is_empty());
        let old = n.normalize_birth_date("1905-06-01");
        assert!(old.value.is_some());
        assert_eq!(
            old.issues,
            vec![Issue::new(IssueKind::Suspicious, "age over 120")]
        );
        // Plain normalize never checks ages.
        assert!(n.normalize("2030-01-01").issues.is_empty());
    }

    #[test]
    fn keys_are_zero_padded() {
        let d = NormalizedDate(date(1990, 1, 2));
        assert_eq!(d.norm(), "1990-01-02");
        assert_eq!(
            d.keys(),
            vec![
                ("year", "1990".to_string()),
                ("month", "01".to_string()),
                ("day", "02".to_string())
            ]
        );
    }

    proptest! {
        #[test]
        fn no_panic_and_idempotent(raw in "\\PC*") {
            let n = DateNormalizer::new(&options(DateOrder::DayFirst));
            if let Some(d) = n.normalize(&raw).value {
                let again = n.normalize(&d.norm()).value.map(|d| d.norm());
                prop_assert_eq!(again, Some(d.norm()));
            }
        }

        #[test]
        fn no_panic_any(raw in ".*") {
            let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
            let _ = n.normalize_birth_date(&raw);
        }

        #[test]
        fn shaped_dates_round_trip(
            y in 1900u32..2100, m in 1u32..=12, d in 1u32..=28,
            sep in prop::sample::select(vec!["-", "/", ".", " "]),
        ) {
            let n = DateNormalizer::new(&options(DateOrder::MonthFirst));
            let raw = format!("{y}{sep}{m}{sep}{d}");
            let out = n.normalize(&raw).value.expect("valid date");
            let expected = format!("{y:04}-{m:02}-{d:02}");
            prop_assert_eq!(out.norm(), expected.clone());
            let us = format!("{m:02}/{d:02}/{y}");
            prop_assert_eq!(n.normalize(&us).value.map(|d| d.norm()), Some(expected));
        }
    }
}
