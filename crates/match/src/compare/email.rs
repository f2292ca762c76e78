//! E-mails: exact canonical form, the same local part at a typo'd domain, close (one typo,
//! or the same address but for a `+tag`), fuzzy, different.
//!
//! `close` and `fuzzy` are apart because addresses are often built from names: two people
//! with one common name hold addresses that are alike (`wang.min1956@…`, `wangmin88@…`)
//! without being one typo apart. Each level gets its own weight from the data, so where
//! look-alike addresses belong to different people `fuzzy` counts for little, and where
//! they are one person's mistyped address it counts for much.

use sameas_normalize::record::{FieldValue, NormalizedRecord};

use super::{CompileRecords, Level, best_across, count_terms, interned_keys};
use crate::dataset::Records;
use crate::intern::{Interner, Lists};
use crate::similarity::{damerau_levenshtein, jaro_winkler_at_least, levenshtein_within};

/// E-mail levels.
pub(crate) const LEVELS: &[&str] = &[
    "null",
    "exact",
    "domain_typo",
    "close",
    "fuzzy",
    "different",
];

#[derive(Debug, Clone, Copy)]
pub(crate) struct EmailValue {
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
    pub(crate) fn new(data: Records<'_>, fields: &[usize], fuzzy: f64) -> Self {
        EmailComparator {
            fuzzy,
            strings: Interner::new(),
            values: Lists::default(),
        }
        .compile(data, fields)
    }
}

impl CompileRecords for EmailComparator {
    type Value = EmailValue;

    fn values(&mut self) -> &mut Lists<EmailValue> {
        &mut self.values
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let EmailComparator {
            strings, values, ..
        } = self;
        for &field in fields {
            if let Some(FieldValue::Email(email)) = &record.field(field).value {
                values.push_value(EmailValue {
                    canonical: strings.intern(&email.canonical),
                    local: strings.intern(&email.local),
                    domain: strings.intern(&email.domain),
                });
            }
        }
        values.end_row();
    }
}

impl super::Compare for EmailComparator {
    fn level_names(&self) -> Vec<String> {
        super::level_names(LEVELS)
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
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
            let (canonical_x, canonical_y) =
                (self.strings.get(x.canonical), self.strings.get(y.canonical));
            let same_but_tag = x.domain == y.domain && {
                let base = untagged(self.strings.get(x.local));
                !base.is_empty() && base == untagged(self.strings.get(y.local))
            };
            if same_but_tag || damerau_levenshtein(canonical_x, canonical_y) <= 1 {
                return Level::at(3);
            }
            let fuzzy = jaro_winkler_at_least(canonical_x, canonical_y, self.fuzzy);
            Level::at(if fuzzy.is_some() { 4 } else { 5 })
        })
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        count_terms(&self.values, self.strings.len(), |v| v.canonical)
    }

    /// The text of every term id from `start`: the interned strings.
    fn term_keys_from(&self, start: usize) -> Vec<std::borrow::Cow<'_, str>> {
        interned_keys(&self.strings, start)
    }
}

/// A local part without its sub-address tag (`yanma+2024` → `yanma`). Providers that deliver
/// tags strip them in the canonical form already; elsewhere a tag is still a decoration
/// added to one address, not a second person's address.
fn untagged(local: &str) -> &str {
    local.split_once('+').map_or(local, |(base, _)| base)
}

#[cfg(test)]
mod tests {
    use super::untagged;

    #[test]
    fn tags_are_cut_at_the_first_plus() {
        assert_eq!(untagged("yanma1985+2024"), "yanma1985");
        assert_eq!(untagged("a+b+c"), "a");
        assert_eq!(untagged("plain"), "plain");
        assert_eq!(untagged("+only"), "");
    }
}
