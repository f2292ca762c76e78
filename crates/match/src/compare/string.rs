//! Generic strings: exact, then a level per threshold of Jaro–Winkler, Levenshtein,
//! Damerau or Jaccard similarity, different.

use super::{CompileRecords, Level, StringMetric, best_across, count_terms, interned_keys};
use crate::MatchError;
use crate::dataset::Records;
use crate::intern::{Interner, Lists};
use crate::similarity::{
    damerau_levenshtein_similarity, jaccard_tokens, jaro_winkler, levenshtein_similarity,
};
use sameas_normalize::record::NormalizedRecord;

/// Compares normalized strings of any field.
#[derive(Debug)]
pub(crate) struct StringComparator {
    metric: StringMetric,
    thresholds: Vec<f64>,
    words: Option<f64>,
    strings: Interner,
    values: Lists<u32>,
}

/// Checks that thresholds are in (0, 1) and descending.
fn check_thresholds(thresholds: &[f64]) -> Result<(), MatchError> {
    if thresholds.len() > 8 {
        return Err(MatchError::Config("at most 8 thresholds".into()));
    }
    if thresholds.iter().any(|t| !(0.0..=1.0).contains(t))
        || thresholds.windows(2).any(|w| w[0] <= w[1])
    {
        return Err(MatchError::Config(
            "string thresholds must be in [0, 1] and strictly descending".into(),
        ));
    }
    Ok(())
}

impl StringComparator {
    pub(crate) fn new(
        data: Records<'_>,
        fields: &[usize],
        metric: StringMetric,
        thresholds: &[f64],
        words: Option<f64>,
    ) -> Result<Self, MatchError> {
        check_thresholds(thresholds)?;
        if words.is_some_and(|w| !(w > 0.0 && w <= 1.0)) {
            return Err(MatchError::Config(
                "a string comparison's words share must be in (0, 1]".into(),
            ));
        }
        Ok(StringComparator {
            metric,
            thresholds: thresholds.to_vec(),
            words,
            strings: Interner::new(),
            values: Lists::default(),
        }
        .compile(data, fields))
    }
}

/// The text a value is compared and blocked by: its normalized form, folded. Pass-through
/// text keeps its case and width; `Singapore Exports` and `SINGAPORE exports` are one value,
/// in a comparison and in a blocking key alike.
pub(crate) fn compared_text(value: &sameas_normalize::record::FieldValue) -> String {
    let norm = value.norm();
    match sameas_normalize::text::fold(&norm) {
        // Already folded: the normalized text itself, not a copy of it.
        std::borrow::Cow::Borrowed(folded) if folded.len() == norm.len() => norm,
        folded => folded.into_owned(),
    }
}

impl CompileRecords for StringComparator {
    type Value = u32;

    fn values(&mut self) -> &mut Lists<u32> {
        &mut self.values
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let StringComparator {
            strings, values, ..
        } = self;
        for &field in fields {
            if let Some(value) = &record.field(field).value {
                let folded = compared_text(value);
                if !folded.is_empty() {
                    values.push_value(strings.intern(&folded));
                }
            }
        }
        values.end_row();
    }
}

impl super::Compare for StringComparator {
    fn level_names(&self) -> Vec<String> {
        let metric = match self.metric {
            StringMetric::JaroWinkler => "jaro_winkler",
            StringMetric::Levenshtein => "levenshtein",
            StringMetric::Damerau => "damerau",
            StringMetric::Jaccard => "jaccard",
        };
        let mut names = vec!["null".to_string(), "exact".to_string()];
        names.extend(self.thresholds.iter().map(|t| format!("{metric}>={t}")));
        if let Some(words) = self.words {
            names.push(format!("words>={words}"));
        }
        names.push("different".to_string());
        names
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        best_across(self.values.row(a), self.values.row(b), |&x, &y| {
            if x == y {
                return Level::exact(x);
            }
            let (p, q) = (self.strings.get(x), self.strings.get(y));
            let score = match self.metric {
                StringMetric::JaroWinkler => jaro_winkler(p, q),
                StringMetric::Levenshtein => levenshtein_similarity(p, q),
                StringMetric::Damerau => damerau_levenshtein_similarity(p, q),
                StringMetric::Jaccard => jaccard_tokens(p, q),
            };
            let bands = self.thresholds.len();
            if let Some(band) = self.thresholds.iter().position(|&t| score >= t) {
                return Level::at(2 + band as u8);
            }
            match self.words {
                Some(words) if jaccard_tokens(p, q) >= words => Level::at(2 + bands as u8),
                Some(_) => Level::at(3 + bands as u8),
                None => Level::at(2 + bands as u8),
            }
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
