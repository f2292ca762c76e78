//! Term-frequency tables taken from one dataset and kept (frozen), so that a matcher
//! compiled over a few records (a new record and its candidates) adjusts exact agreement by
//! how common a value is in the full data, not among those few.

use std::borrow::Cow;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

/// The term-frequency tables of every comparison of a configuration, in the
/// configuration's order: what [`Matcher::new`](crate::Matcher::new) counts over its data,
/// taken out with [`Matcher::term_frequencies`](crate::Matcher::term_frequencies) and given
/// back to [`Matcher::with_term_frequencies`](crate::Matcher::with_term_frequencies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermFrequencies {
    /// One entry per comparison, in the configuration's order.
    pub comparisons: Vec<ComparisonTerms>,
}

/// One comparison's term-frequency table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonTerms {
    /// The comparison's name.
    pub comparison: String,
    /// The table; present exactly when the comparison has `term_frequency` on.
    pub table: Option<TermTable>,
    /// For a given-name comparison whose family name is compared over the same fields:
    /// how many records hold each full name (family and given, joined by U+001F), so that
    /// a given name agreeing with its family name is weighed by how common it is *within
    /// that family name* (see [`Matcher`](crate::Matcher)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_names: Option<TermTable>,
}

/// How many records hold each value that one comparison agrees on exactly (its *terms*:
/// the normalized phone, the canonical e-mail, the family name …), how many records hold
/// any value, and the chance that two random records agree at all.
///
/// Terms are kept sorted in one string buffer and found through a small hash index (a term
/// costs its bytes plus 18 to 24), so a table over a million distinct values stays in tens
/// of megabytes. Its `Debug` form shows the sizes, never the terms (personal values).
#[derive(Clone, Deserialize)]
#[serde(try_from = "TermTableDocument")]
pub struct TermTable {
    with_value: u32,
    agree: f64,
    /// Every term, ascending, end to end.
    text: String,
    /// Where each term ends in `text`.
    ends: Vec<usize>,
    /// Records holding each term (at least 1).
    counts: Vec<u32>,
    /// Open addressing over the terms by their hash: a term's index plus 1, 0 for an empty
    /// slot; between a third and two thirds full. Built from the terms, never serialised: a
    /// lookup touches one or two slots where a binary search over a large table waits on
    /// a cache miss at every step.
    slots: Vec<u32>,
}

impl PartialEq for TermTable {
    fn eq(&self, other: &Self) -> bool {
        // The slots follow from the terms.
        self.with_value == other.with_value
            && self.agree == other.agree
            && self.text == other.text
            && self.ends == other.ends
            && self.counts == other.counts
    }
}

impl std::fmt::Debug for TermTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermTable")
            .field("terms", &self.len())
            .field("with_value", &self.with_value)
            .field("agree", &self.agree)
            .finish()
    }
}

/// Seeds the hash of the slots: fixed, so that a table is laid out the same on every run.
const SLOT_SEED: u64 = 0x7e4d_f4e9_0c1a_b5e3;

#[inline]
fn term_hash(term: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(SLOT_SEED).hash_one(term)
}

impl TermTable {
    /// The table of `terms` (each with the number of records holding it; terms no record
    /// holds are left out) among `with_value` records with any value.
    pub(crate) fn new<'a>(
        terms: impl IntoIterator<Item = (Cow<'a, str>, u32)>,
        with_value: u32,
    ) -> TermTable {
        let mut terms: Vec<(Cow<'a, str>, u32)> =
            terms.into_iter().filter(|&(_, n)| n > 0).collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let counts: Vec<u32> = terms.iter().map(|&(_, n)| n).collect();
        let agree = agreement(&counts, with_value);
        let mut text = String::with_capacity(terms.iter().map(|(t, _)| t.len()).sum());
        let mut ends = Vec::with_capacity(terms.len());
        for (term, _) in &terms {
            text.push_str(term);
            ends.push(text.len());
        }
        TermTable::from_parts(with_value, agree, text, ends, counts)
    }

    /// A table of sorted, distinct terms with its slots built.
    fn from_parts(
        with_value: u32,
        agree: f64,
        text: String,
        ends: Vec<usize>,
        counts: Vec<u32>,
    ) -> TermTable {
        let mut table = TermTable {
            with_value,
            agree,
            text,
            ends,
            counts,
            slots: Vec::new(),
        };
        let n = table.len();
        let mut slots = vec![0u32; (n + n / 2).next_power_of_two().max(2)];
        let mask = slots.len() - 1;
        for i in 0..n {
            let mut slot = term_hash(table.term(i)) as usize & mask;
            while slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = i as u32 + 1;
        }
        table.slots = slots;
        table
    }

    /// Records with any value for the comparison.
    pub fn with_value(&self) -> u32 {
        self.with_value
    }

    /// The chance that two records drawn at random (among those with a value) hold the same
    /// term: Σ (count / with_value)², summed in ascending count order.
    pub fn agree(&self) -> f64 {
        self.agree
    }

    /// Records holding `term`; `None` for a term no record held.
    pub fn count(&self, term: &str) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut slot = term_hash(term) as usize & mask;
        loop {
            match self.slots[slot] {
                0 => return None,
                i if self.term(i as usize - 1) == term => {
                    return Some(self.counts[i as usize - 1]);
                }
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether no record held a term.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Every term with its count, in ascending term order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, u32)> + '_ {
        (0..self.len()).map(|i| (self.term(i), self.counts[i]))
    }

    fn term(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.ends.capacity() * size_of::<usize>()
            + self.counts.capacity() * size_of::<u32>()
            + self.slots.capacity() * size_of::<u32>()
    }
}

/// Σ (n / with_value)² over `counts`, summed in ascending order so that the result does not
/// depend on which value was interned first (the input order). Counts of 0 add nothing.
pub(crate) fn agreement(counts: &[u32], with_value: u32) -> f64 {
    let with_value = f64::from(with_value);
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    sorted
        .iter()
        .map(|&n| (f64::from(n) / with_value).powi(2))
        .sum()
}

/// The exact level's adjustment for a term `count` records hold: log2(agree / tf). The
/// adjustment redistributes the exact level's weight by how common the shared value is,
/// around the chance that two random records agree at all (Σ tf²), so a typical value keeps
/// the level's weight.
#[inline]
pub(crate) fn adjustment(count: u32, with_value: u32, agree: f64) -> f64 {
    if count == 0 {
        0.0
    } else {
        (agree / (f64::from(count) / f64::from(with_value))).log2()
    }
}

/// The serialised form: terms and counts as two arrays.
#[derive(Deserialize)]
struct TermTableDocument {
    with_value: u32,
    agree: f64,
    terms: Vec<String>,
    counts: Vec<u32>,
}

impl TryFrom<TermTableDocument> for TermTable {
    type Error = String;

    fn try_from(document: TermTableDocument) -> Result<Self, String> {
        let TermTableDocument {
            with_value,
            agree,
            terms,
            counts,
        } = document;
        if terms.len() != counts.len() || u32::try_from(terms.len()).is_err() {
            return Err("a term table needs one count per term".into());
        }
        if terms.windows(2).any(|w| w[0] >= w[1]) {
            return Err("a term table's terms must be distinct and in ascending order".into());
        }
        if counts.iter().any(|&n| n == 0 || n > with_value) {
            return Err("a term's count must be between 1 and `with_value`".into());
        }
        if !agree.is_finite() || agree < 0.0 {
            return Err("a term table's `agree` must be finite and non-negative".into());
        }
        let mut text = String::with_capacity(terms.iter().map(String::len).sum());
        let mut ends = Vec::with_capacity(terms.len());
        for term in &terms {
            text.push_str(term);
            ends.push(text.len());
        }
        Ok(TermTable::from_parts(with_value, agree, text, ends, counts))
    }
}

impl Serialize for TermTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The terms as a sequence, written straight from the buffer (no copy of the table).
        struct Terms<'a>(&'a TermTable);
        impl Serialize for Terms<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|(term, _)| term))
            }
        }
        let mut document = serializer.serialize_struct("TermTable", 4)?;
        document.serialize_field("with_value", &self.with_value)?;
        document.serialize_field("agree", &self.agree)?;
        document.serialize_field("terms", &Terms(self))?;
        document.serialize_field("counts", &self.counts)?;
        document.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> TermTable {
        TermTable::new(
            [("b", 3), ("a", 1), ("c", 0), ("张伟", 2)].map(|(t, n)| (Cow::Borrowed(t), n)),
            6,
        )
    }

    #[test]
    fn terms_are_found_by_their_text() {
        let table = table();
        assert_eq!(table.len(), 3);
        assert_eq!(table.count("a"), Some(1));
        assert_eq!(table.count("b"), Some(3));
        assert_eq!(table.count("张伟"), Some(2));
        assert_eq!(table.count("c"), None);
        assert_eq!(table.count(""), None);
        assert_eq!(table.count("zz"), None);
        let terms: Vec<&str> = table.iter().map(|(t, _)| t).collect();
        assert_eq!(terms, ["a", "b", "张伟"]);
        let expected = (1.0f64 / 6.0).powi(2) + (2.0f64 / 6.0).powi(2) + (3.0f64 / 6.0).powi(2);
        assert_eq!(table.agree(), expected);
    }

    #[test]
    fn every_term_of_a_large_table_is_found_and_no_other() {
        let terms: Vec<String> = (0..5_000).map(|i| format!("+86138{i:08}")).collect();
        let table = TermTable::new(
            terms
                .iter()
                .enumerate()
                .map(|(i, t)| (Cow::Borrowed(t.as_str()), i as u32 % 7 + 1)),
            10_000,
        );
        for (i, term) in terms.iter().enumerate() {
            assert_eq!(table.count(term), Some(i as u32 % 7 + 1));
            assert_eq!(table.count(&format!("{term}0")), None);
        }
        assert_eq!(table.iter().count(), terms.len());
        // Sizes only: a term is a personal value.
        let debug = format!("{table:?}");
        assert!(
            debug.contains("terms: 5000") && !debug.contains("+86"),
            "{debug}"
        );
    }

    #[test]
    fn a_table_round_trips_through_json_and_bad_ones_are_refused() {
        let table = table();
        let json = serde_json::to_string(&table).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"with_value":6,"agree":{},"terms":["a","b","张伟"],"counts":[1,3,2]}}"#,
                table.agree()
            )
        );
        assert_eq!(serde_json::from_str::<TermTable>(&json).unwrap(), table);
        for bad in [
            r#"{"with_value":6,"agree":0.5,"terms":["b","a"],"counts":[1,1]}"#,
            r#"{"with_value":6,"agree":0.5,"terms":["a","a"],"counts":[1,1]}"#,
            r#"{"with_value":6,"agree":0.5,"terms":["a"],"counts":[1,1]}"#,
            r#"{"with_value":6,"agree":0.5,"terms":["a"],"counts":[0]}"#,
            r#"{"with_value":6,"agree":0.5,"terms":["a"],"counts":[7]}"#,
            r#"{"with_value":6,"agree":-1.0,"terms":["a"],"counts":[1]}"#,
        ] {
            assert!(serde_json::from_str::<TermTable>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_rarer_term_gets_a_larger_adjustment() {
        let table = table();
        let rare = adjustment(1, table.with_value(), table.agree());
        let common = adjustment(3, table.with_value(), table.agree());
        assert!(rare > common);
        assert_eq!(adjustment(0, 6, table.agree()), 0.0);
    }
}
