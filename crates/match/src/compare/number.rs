//! Numbers: exact, then a level per absolute (or relative) difference, different.

use std::borrow::Cow;

use foldhash::HashMap;

use super::{Level, best_across, count_terms};
use crate::MatchError;
use crate::dataset::Records;
use crate::intern::Lists;

/// Compares numeric values (any field whose normalized text parses as a number).
#[derive(Debug)]
pub(crate) struct NumberComparator {
    thresholds: Vec<f64>,
    relative: bool,
    terms: usize,
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
        let mut ids: HashMap<u64, u32> = HashMap::default();
        let mut values = Lists::default();
        for record in data.iter() {
            for &field in fields {
                let Some(value) = &record.fields[field].value else {
                    continue;
                };
                let Ok(number) = value.norm().trim().parse::<f64>() else {
                    continue;
                };
                if !number.is_finite() {
                    continue;
                }
                let next = ids.len() as u32;
                let term = *ids.entry(number.to_bits()).or_insert(next);
                values.push_value((number, term));
            }
            values.end_row();
        }
        let values = values.compact();
        Ok(NumberComparator {
            thresholds: thresholds.to_vec(),
            relative,
            terms: ids.len(),
            values,
        })
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
        count_terms(&self.values, self.terms, |&(_, t)| t)
    }

    /// The text of every term id: the number's shortest round-trip decimal form, one text
    /// per bit pattern (`-0` and `0` are two terms, as their ids are).
    fn term_keys(&self) -> Vec<Cow<'_, str>> {
        let mut numbers = vec![0.0f64; self.terms];
        for row in 0..self.values.rows() {
            for &(number, term) in self.values.row(row) {
                numbers[term as usize] = number;
            }
        }
        numbers
            .into_iter()
            .map(|n| Cow::Owned(n.to_string()))
            .collect()
    }
}
