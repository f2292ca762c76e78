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
    strings: Interner,
    values: Lists<u32>,
}

impl IdentifierComparator {
    pub(crate) fn new(data: Records<'_>, fields: &[usize], one_edit: bool) -> Self {
        IdentifierComparator {
            one_edit,
            strings: Interner::new(),
            values: Lists::default(),
        }
        .compile(data, fields)
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
            let id = match &record.field(field).value {
                Some(FieldValue::Identifier(id)) => &id.0,
                Some(FieldValue::NationalId(id)) => id.id.as_str(),
                _ => continue,
            };
            values.push_value(strings.intern(id));
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
                if within_one_edit(p, q) {
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
