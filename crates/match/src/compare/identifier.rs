//! Identifiers (national ids, member numbers, device ids): exact, one edit apart, different.

use sameas_normalize::record::{FieldValue, NormalizedRecord};

use super::{CompileRecords, Level, best_across, count_terms, interned_keys};
use crate::dataset::Records;
use crate::intern::{Interner, Lists};
use crate::similarity::within_one_edit;

/// Identifier levels.
pub(crate) const LEVELS: &[&str] = &["null", "exact", "one_edit", "different"];

/// Compares identifiers.
#[derive(Debug)]
pub(crate) struct IdentifierComparator {
    one_edit: bool,
    /// Whether nearly all the column's identifiers are digits alone (a social security
    /// number, a member number): a letter in one is then a digit misread.
    digits: bool,
    strings: Interner,
    values: Lists<u32>,
}

/// The share of a column's distinct identifiers that must be digits alone for a letter in
/// one to be read as a misread digit: nine in ten (an alphanumeric column, such as
/// Singapore's `S1234567D`, keeps its letters).
const DIGIT_COLUMN_SHARE: f64 = 0.9;

/// The most letters an identifier read as digits may hold.
const MAX_MISREAD_LETTERS: usize = 2;

impl IdentifierComparator {
    pub(crate) fn new(data: Records<'_>, fields: &[usize], one_edit: bool) -> Self {
        let mut comparator = IdentifierComparator {
            one_edit,
            digits: false,
            strings: Interner::new(),
            values: Lists::default(),
        }
        .compile(data, fields);
        let terms = comparator.strings.len();
        let all_digits = (0..terms as u32)
            .filter(|&id| {
                comparator
                    .strings
                    .get(id)
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            })
            .count();
        comparator.digits = terms > 0 && all_digits as f64 >= DIGIT_COLUMN_SHARE * terms as f64;
        comparator
    }
}

/// Whether two identifiers of a column of digits are one number, a letter or two in
/// either a digit misread (`S47294476`, `547294476`).
fn same_digits_misread(p: &str, q: &str) -> bool {
    if p.len() != q.len() || !(p.bytes().chain(q.bytes())).any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let mut misread = 0;
    let read = |c: char, misread: &mut usize| match sameas_normalize::text::digit_misread_as(c) {
        Some(digit) => {
            *misread += 1;
            digit
        }
        None => c,
    };
    let same = p
        .chars()
        .zip(q.chars())
        .all(|(x, y)| read(x, &mut misread) == read(y, &mut misread));
    same && misread <= MAX_MISREAD_LETTERS
}

/// The first identifier in `fields` of a record, as the identifier comparison reads it.
pub fn record_identifier<'r>(record: &'r NormalizedRecord, fields: &[usize]) -> Option<&'r str> {
    fields
        .iter()
        .find_map(|&field| identifier_text(record.field(field).value.as_ref()?))
}

/// The text of an identifier value; `None` for a value of another kind.
fn identifier_text(value: &FieldValue) -> Option<&str> {
    match value {
        FieldValue::Identifier(id) => Some(&id.0),
        FieldValue::NationalId(id) => Some(id.id.as_str()),
        _ => None,
    }
}

impl CompileRecords for IdentifierComparator {
    type Value = u32;

    fn values(&mut self) -> &mut Lists<u32> {
        &mut self.values
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let IdentifierComparator {
            strings, values, ..
        } = self;
        for &field in fields {
            if let Some(id) = record.field(field).value.as_ref().and_then(identifier_text) {
                values.push_value(strings.intern(id));
            }
        }
        values.end_row();
    }
}

impl super::Compare for IdentifierComparator {
    fn level_names(&self) -> Vec<String> {
        super::level_names(LEVELS)
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        best_across(self.values.row(a), self.values.row(b), |&x, &y| {
            if x == y {
                return Level::exact(x);
            }
            if self.one_edit {
                let (p, q) = (self.strings.get(x), self.strings.get(y));
                if within_one_edit(p, q) || (self.digits && same_digits_misread(p, q)) {
                    return Level::at(2);
                }
            }
            Level::at(3)
        })
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        count_terms(&self.values, self.strings.len(), |&v| v)
    }

    /// The text of every term id from `start`: the interned strings.
    fn term_keys_from(&self, start: usize) -> Vec<std::borrow::Cow<'_, str>> {
        interned_keys(&self.strings, start)
    }
}

#[cfg(test)]
mod tests {
    use super::same_digits_misread;

    #[test]
    fn a_letter_or_two_read_as_the_digits_they_resemble() {
        assert!(same_digits_misread("S47Z94476", "547294476"));
        assert!(same_digits_misread("0164O0S55", "016400555"));
        // Equal strings, other letters, three misread letters, other lengths: no.
        assert!(!same_digits_misread("547294476", "547294476"));
        assert!(!same_digits_misread("X47294476", "547294476"));
        assert!(!same_digits_misread("SZS294476", "525294476"));
        assert!(!same_digits_misread("S4729447", "547294476"));
    }
}
