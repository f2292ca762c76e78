//! Phones: exact E.164, masked-compatible (`138****8000` against a full number), one digit
//! off (or the same national digits under another country code), different.

use sameas_normalize::record::{FieldValue, NormalizedRecord};

use super::{CompileRecords, Level, best_across, count_terms, interned_keys};
use crate::dataset::Records;
use crate::intern::{Interner, Lists, NONE};
use crate::similarity::one_edit_apart_digits;

/// Phone levels.
pub(crate) const LEVELS: &[&str] = &[
    "null",
    "exact",
    "masked_compatible",
    "one_digit_off",
    "different",
];

/// Fewer visible digits than this cannot make a masked number compatible.
const MIN_VISIBLE_DIGITS: usize = 5;

#[derive(Debug, Clone, Copy)]
pub(crate) struct PhoneValue {
    /// E.164 of a full number; `NONE` when masked.
    e164: u32,
    /// National digits of a full number.
    national: u32,
    /// Visible digits of a masked number.
    prefix: u32,
    suffix: u32,
}

/// Compares phone numbers.
#[derive(Debug)]
pub(crate) struct PhoneComparator {
    strings: Interner,
    values: Lists<PhoneValue>,
}

impl PhoneComparator {
    pub(crate) fn new(data: Records<'_>, fields: &[usize]) -> Self {
        PhoneComparator {
            strings: Interner::new(),
            values: Lists::default(),
        }
        .compile(data, fields)
    }

    fn pair(&self, x: &PhoneValue, y: &PhoneValue) -> Level {
        match (x.e164 != NONE, y.e164 != NONE) {
            (true, true) => {
                if x.e164 == y.e164 {
                    Level::exact(x.e164)
                } else if x.national == y.national {
                    // One number read under two country codes (`+7 4812 85-62-34` and
                    // `(4812) 85-62-34` in a file read as American): close, not exact.
                    Level::at(3)
                } else if one_edit_apart_digits(
                    self.strings.get(x.national),
                    self.strings.get(y.national),
                ) {
                    Level::at(3)
                } else {
                    Level::at(4)
                }
            }
            (true, false) => self.masked_against_full(y, x),
            (false, true) => self.masked_against_full(x, y),
            (false, false) => {
                if x.prefix == y.prefix && x.suffix == y.suffix {
                    Level::at(2)
                } else {
                    Level::at(4)
                }
            }
        }
    }

    fn masked_against_full(&self, masked: &PhoneValue, full: &PhoneValue) -> Level {
        let national = self.strings.get(full.national);
        let prefix = self.strings.get(masked.prefix);
        let suffix = self.strings.get(masked.suffix);
        if national.len() >= prefix.len() + suffix.len()
            && national.starts_with(prefix)
            && national.ends_with(suffix)
        {
            Level::at(2)
        } else {
            Level::at(4)
        }
    }
}

impl CompileRecords for PhoneComparator {
    type Value = PhoneValue;

    fn values(&mut self) -> &mut Lists<PhoneValue> {
        &mut self.values
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let PhoneComparator { strings, values } = self;
        for &field in fields {
            let Some(FieldValue::Phone(phone)) = &record.field(field).value else {
                continue;
            };
            let value = match (&phone.e164, &phone.masked) {
                (Some(e164), _) => PhoneValue {
                    e164: strings.intern(e164),
                    national: strings.intern(
                        phone
                            .national()
                            .unwrap_or_else(|| e164.trim_start_matches('+')),
                    ),
                    prefix: NONE,
                    suffix: NONE,
                },
                (None, Some(masked)) => {
                    if masked.prefix.len() + masked.suffix.len() < MIN_VISIBLE_DIGITS {
                        continue;
                    }
                    PhoneValue {
                        e164: NONE,
                        national: NONE,
                        prefix: strings.intern(&masked.prefix),
                        suffix: strings.intern(&masked.suffix),
                    }
                }
                (None, None) => continue,
            };
            values.push_value(value);
        }
        values.end_row();
    }
}

impl super::Compare for PhoneComparator {
    fn level_names(&self) -> Vec<String> {
        super::level_names(LEVELS)
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        best_across(self.values.row(a), self.values.row(b), |x, y| {
            self.pair(x, y)
        })
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        count_terms(&self.values, self.strings.len(), |v| v.e164)
    }

    /// The text of every term id from `start`: the interned strings.
    fn term_keys_from(&self, start: usize) -> Vec<std::borrow::Cow<'_, str>> {
        interned_keys(&self.strings, start)
    }
}
