//! Numbers: exact, then a level per absolute (or relative) difference, different.

use std::borrow::Cow;

use foldhash::HashMap;

use super::{CompileRecords, Level, best_across, count_terms};
use crate::MatchError;
use crate::dataset::Records;
use crate::intern::Lists;
use sameas_normalize::record::NormalizedRecord;

/// Compares numeric values (any field whose normalized text parses as a number).
#[derive(Debug)]
pub(crate) struct NumberComparator {
    thresholds: Vec<f64>,
    relative: bool,
    /// The term id of each number held, by its bits.
    ids: HashMap<u64, u32>,
    /// Per term id, its number.
    terms: Vec<f64>,
    values: Lists<(f64, u32)>,
}

impl NumberComparator {
    pub(crate) fn new(
        data: Records<'_>,
        fields: &[usize],
        thresholds: &[f64],
        relative: bool,
    ) -> Result<Self, MatchError> {
        if thresholds.len() > 8
            || thresholds.iter().any(|t| !t.is_finite() || *t < 0.0)
            || thresholds.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(MatchError::Config(
                "number thresholds must be finite, non-negative, strictly ascending, at most 8"
                    .into(),
            ));
        }
        Ok(NumberComparator {
            thresholds: thresholds.to_vec(),
            relative,
            ids: HashMap::default(),
            terms: Vec::new(),
            values: Lists::default(),
        }
        .compile(data, fields))
    }
}

impl CompileRecords for NumberComparator {
    type Value = (f64, u32);

    fn values(&mut self) -> &mut Lists<(f64, u32)> {
        &mut self.values
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let NumberComparator {
            ids, terms, values, ..
        } = self;
        for &field in fields {
            let Some(value) = &record.field(field).value else {
                continue;
            };
            let Ok(number) = value.norm().trim().parse::<f64>() else {
                continue;
            };
            if !number.is_finite() {
                continue;
            }
            let next = ids.len() as u32;
            let term = *ids.entry(number.to_bits()).or_insert_with(|| {
                terms.push(number);
                next
            });
            values.push_value((number, term));
        }
        values.end_row();
    }
}

impl super::Compare for NumberComparator {
    fn level_names(&self) -> Vec<String> {
        let unit = if self.relative {
            "relative"
        } else {
            "absolute"
        };
        let mut names = vec!["null".to_string(), "exact".to_string()];
        names.extend(self.thresholds.iter().map(|t| format!("{unit}<={t}")));
        names.push("different".to_string());
        names
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        best_across(
            self.values.row(a),
            self.values.row(b),
            |&(x, tx), &(y, _)| {
                if x == y {
                    return Level::exact(tx);
                }
                let mut diff = (x - y).abs();
                if self.relative {
                    diff /= x.abs().max(y.abs());
                }
                let band = self.thresholds.iter().position(|&t| diff <= t);
                Level::at(2 + band.unwrap_or(self.thresholds.len()) as u8)
            },
        )
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        count_terms(&self.values, self.terms.len(), |&(_, t)| t)
    }

    /// The text of every term id from `start`: the number's shortest round-trip decimal
    /// form, one text per bit pattern (`-0` and `0` are two terms, as their ids are).
    fn term_keys_from(&self, start: usize) -> Vec<Cow<'_, str>> {
        self.terms[start.min(self.terms.len())..]
            .iter()
            .map(|n| Cow::Owned(n.to_string()))
            .collect()
    }
}
