//! E-mails: exact canonical form, the same local part at a typo'd domain, fuzzy, different.

use sameas_normalize::record::FieldValue;

use super::{Level, best_across, count_terms, interned_keys};
use crate::Dataset;
use crate::intern::{Interner, Lists};
use crate::similarity::{jaro_winkler_at_least, levenshtein_within};

/// E-mail levels.
pub(crate) const LEVELS: &[&str] = &["null", "exact", "domain_typo", "fuzzy", "different"];

#[derive(Debug, Clone, Copy)]
struct EmailValue {
    canonical: u32,
    local: u32,
    domain: u32,
}

/// Compares e-mail addresses.
#[derive(Debug)]
pub(crate) struct EmailComparator {
    fuzzy: f64,
    strings: Interner,
    values: Lists<EmailValue>,
}

impl EmailComparator {
    pub(crate) fn new(data: &Dataset, fields: &[usize], fuzzy: f64) -> Self {
        let mut strings = Interner::new();
        let mut values = Lists::default();
        for record in &data.records {
            for &field in fields {
                if let Some(FieldValue::Email(email)) = &record.fields[field].value {
                    values.push_value(EmailValue {
                        canonical: strings.intern(&email.canonical),
                        local: strings.intern(&email.local),
                        domain: strings.intern(&email.domain),
                    });
                }
            }
            values.end_row();
        }
        let values = values.compact();
        EmailComparator {
            fuzzy,
            strings,
            values,
        }
    }

    #[inline]
    pub(crate) fn level(&self, a: usize, b: usize) -> Level {
        best_across(self.values.row(a), self.values.row(b), |x, y| {
            if x.canonical == y.canonical {
                return Level::exact(x.canonical);
            }
            if x.local == y.local
                && levenshtein_within(self.strings.get(x.domain), self.strings.get(y.domain), 2)
                    .is_some()
            {
                return Level::at(2);
            }
            let fuzzy = jaro_winkler_at_least(
                self.strings.get(x.canonical),
                self.strings.get(y.canonical),
                self.fuzzy,
            );
            Level::at(if fuzzy.is_some() { 3 } else { 4 })
        })
    }

    pub(crate) fn term_counts(&self) -> (Vec<u32>, u32) {
        count_terms(&self.values, self.strings.len(), |v| v.canonical)
    }

    /// The text of every term id: the interned strings.
    pub(crate) fn term_keys(&self) -> Vec<std::borrow::Cow<'_, str>> {
        interned_keys(&self.strings)
    }
}
