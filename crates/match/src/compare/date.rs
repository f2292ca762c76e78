//! Dates: exact, day and month swapped, one digit off, within N days, different.

use std::borrow::Cow;

use foldhash::HashMap;
use sameas_normalize::record::{FieldValue, NormalizedRecord};

use super::{CompileRecords, Level, best_across, count_terms};
use crate::dataset::Records;
use crate::intern::Lists;

/// Date levels.
pub(crate) const LEVELS: &[&str] = &[
    "null",
    "exact",
    "day_month_swapped",
    "one_digit_off",
    "within_days",
    "different",
];

#[derive(Debug, Clone, Copy)]
pub(crate) struct DateValue {
    /// `YYYYMMDD` as a number.
    ymd: u32,
    /// Days since 1970-01-01.
    days: i32,
    /// Dense id of `ymd`, for term frequencies.
    term: u32,
}

/// Compares dates.
#[derive(Debug)]
pub(crate) struct DateComparator {
    within_days: u32,
    /// The term id of each `YYYYMMDD` held.
    ids: HashMap<u32, u32>,
    /// Per term id, its `YYYYMMDD`.
    terms: Vec<u32>,
    values: Lists<DateValue>,
}

/// Whether two eight-digit dates differ in one digit or one adjacent swap.
fn one_digit_off(p: u32, q: u32) -> bool {
    let (mut p, mut q) = (p, q);
    let (mut a, mut b) = ([0u8; 8], [0u8; 8]);
    for i in (0..8).rev() {
        a[i] = (p % 10) as u8;
        b[i] = (q % 10) as u8;
        p /= 10;
        q /= 10;
    }
    let mut diffs = [0usize; 3];
    let mut n = 0;
    for i in 0..8 {
        if a[i] != b[i] {
            if n == 2 {
                return false;
            }
            diffs[n] = i;
            n += 1;
        }
    }
    match n {
        1 => true,
        2 => {
            let (i, j) = (diffs[0], diffs[1]);
            j == i + 1 && a[i] == b[j] && a[j] == b[i]
        }
        _ => false,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe as u32 * 365 + yoe as u32 / 4 - yoe as u32 / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

impl DateComparator {
    pub(crate) fn new(data: Records<'_>, fields: &[usize], within_days: u32) -> Self {
        DateComparator {
            within_days,
            ids: HashMap::default(),
            terms: Vec::new(),
            values: Lists::default(),
        }
        .compile(data, fields)
    }
}

impl CompileRecords for DateComparator {
    type Value = DateValue;

    fn values(&mut self) -> &mut Lists<DateValue> {
        &mut self.values
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let DateComparator {
            ids, terms, values, ..
        } = self;
        for &field in fields {
            let Some(FieldValue::Date(date)) = &record.field(field).value else {
                continue;
            };
            let d = date.0;
            let ymd = d.year() as u32 * 10_000 + d.month() as u32 * 100 + d.day() as u32;
            let next = ids.len() as u32;
            let term = *ids.entry(ymd).or_insert_with(|| {
                terms.push(ymd);
                next
            });
            let days = days_from_civil(
                i32::from(d.year()),
                u32::from(d.month() as u8),
                u32::from(d.day() as u8),
            );
            values.push_value(DateValue { ymd, days, term });
        }
        values.end_row();
    }
}

impl super::Compare for DateComparator {
    fn level_names(&self) -> Vec<String> {
        super::level_names(LEVELS)
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        best_across(self.values.row(a), self.values.row(b), |x, y| {
            if x.ymd == y.ymd {
                return Level::exact(x.term);
            }
            let (xm, xd) = (x.ymd / 100 % 100, x.ymd % 100);
            let (ym, yd) = (y.ymd / 100 % 100, y.ymd % 100);
            if x.ymd / 10_000 == y.ymd / 10_000 && xm == yd && xd == ym {
                return Level::at(2);
            }
            if one_digit_off(x.ymd, y.ymd) {
                return Level::at(3);
            }
            if x.days.abs_diff(y.days) <= self.within_days {
                return Level::at(4);
            }
            Level::at(5)
        })
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        count_terms(&self.values, self.terms.len(), |v| v.term)
    }

    /// The text of every term id from `start`: the date as `YYYYMMDD`.
    fn term_keys_from(&self, start: usize) -> Vec<Cow<'_, str>> {
        self.terms[start.min(self.terms.len())..]
            .iter()
            .map(|d| Cow::Owned(format!("{d:08}")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::one_digit_off;

    #[test]
    fn days() {
        assert_eq!(super::days_from_civil(1970, 1, 1), 0);
        assert_eq!(super::days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(super::days_from_civil(1969, 12, 31), -1);
    }

    #[test]
    fn digits() {
        assert!(one_digit_off(19900102, 19900103));
        assert!(one_digit_off(19900102, 19090102));
        assert!(!one_digit_off(19900102, 19900102));
        assert!(!one_digit_off(19900102, 19911102));
    }
}
