//! Genders: exact or different. A record without a stated gender is read for the one its
//! national id or its name's honorific implies.

use std::borrow::Cow;

use sameas_normalize::gender::Gender;
use sameas_normalize::record::{FieldValue, NormalizedRecord};

use super::{CompileRecords, Level, best_across, count_terms};
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
        GenderComparator {
            values: Lists::default(),
        }
        .compile(data, fields)
    }
}

impl CompileRecords for GenderComparator {
    type Value = u32;

    fn values(&mut self) -> &mut Lists<u32> {
        &mut self.values
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let values = &mut self.values;
        for gender in genders_of(record, fields) {
            values.push_value(u32::from(gender == Gender::Female));
        }
        values.end_row();
    }
}

/// The genders a record states in `fields`, else the one it implies (see
/// [`implied_gender`]): what the gender comparison compares. Nothing is allocated: the
/// comparison reads every record.
fn genders_of<'r>(
    record: &'r NormalizedRecord,
    fields: &'r [usize],
) -> impl Iterator<Item = Gender> + 'r {
    let stated = move || {
        fields
            .iter()
            .filter_map(move |&field| match &record.field(field).value {
                Some(FieldValue::Gender(g)) => Some(*g),
                _ => None,
            })
    };
    let implied = if stated().next().is_none() {
        implied_gender(record)
    } else {
        None
    };
    stated().chain(implied)
}

/// The one gender the gender comparison reads for a record in `fields`; `None` when it
/// reads none, or two that differ.
pub fn record_gender(record: &NormalizedRecord, fields: &[usize]) -> Option<Gender> {
    let mut genders = genders_of(record, fields);
    let first = genders.next()?;
    genders.all(|g| g == first).then_some(first)
}

/// The gender a record implies where its gender fields say nothing: a national id's (which
/// encodes it), else a name's honorific (张先生, Ms Smith). A record that only says 朱女士
/// is then told apart from 朱先生 at the same address.
fn implied_gender(record: &NormalizedRecord) -> Option<Gender> {
    let fields = || record.fields().filter_map(|f| f.value.as_ref());
    fields()
        .find_map(|v| match v {
            FieldValue::NationalId(id) => Some(id.gender),
            _ => None,
        })
        .or_else(|| {
            fields().find_map(|v| match v {
                FieldValue::Name(name) => name.gender_hint,
                _ => None,
            })
        })
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
