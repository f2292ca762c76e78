//! Genders: exact or different.

use std::borrow::Cow;

use sameas_normalize::gender::Gender;
use sameas_normalize::record::{FieldValue, NormalizedRecord};

use super::{Level, best_across, count_terms};
use crate::dataset::Records;
use crate::intern::Lists;

/// Gender levels.
pub(crate) const LEVELS: &[&str] = &["null", "exact", "different"];

/// Compares genders.
#[derive(Debug)]
pub(crate) struct GenderComparator {
    values: Lists<u32>,
}

impl GenderComparator {
    pub(crate) fn new(data: Records<'_>, fields: &[usize]) -> Self {
        let mut comparator = GenderComparator {
            values: Lists::default(),
        };
        for record in data.iter() {
            comparator.push(record, fields);
        }
        comparator.values = comparator.values.compact();
        comparator
    }

    /// Compiles one more record.
    pub(crate) fn append(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        self.values.reopen();
        self.push(record, fields);
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let values = &mut self.values;
        {
            for &field in fields {
                if let Some(FieldValue::Gender(g)) = &record.fields[field].value {
                    values.push_value(u32::from(*g == Gender::Female));
                }
            }
            values.end_row();
        }
    }
}

impl super::Compare for GenderComparator {
    fn level_names(&self) -> Vec<String> {
        super::level_names(LEVELS)
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        best_across(self.values.row(a), self.values.row(b), |&x, &y| {
            if x == y {
                Level::exact(x)
            } else {
                Level::at(2)
            }
        })
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        count_terms(&self.values, 2, |&v| v)
    }

    /// The text of every term id from `start`: the gender's code (`M`, `F`).
    fn term_keys_from(&self, start: usize) -> Vec<Cow<'_, str>> {
        [Gender::Male, Gender::Female]
            .iter()
            .skip(start)
            .map(|g| Cow::Borrowed(g.code()))
            .collect()
    }
}
