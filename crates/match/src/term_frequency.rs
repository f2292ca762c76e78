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

impl TermFrequencies {
    /// Tables from terms added up over every part of the data: per comparison (in the
    /// configuration's order, under `names`), its table's totals and its full-name table's,
    /// `None` where the comparison keeps none.
    pub fn from_totals(
        names: &[String],
        totals: Vec<(Option<TermTotals>, Option<TermTotals>)>,
    ) -> TermFrequencies {
        TermFrequencies {
            comparisons: names
                .iter()
                .zip(totals)
                .map(|(name, (table, full_names))| ComparisonTerms {
                    comparison: name.clone(),
                    table: table.map(TermTable::from_totals),
                    full_names: full_names.map(TermTable::from_totals),
                })
                .collect(),
        }
    }

    /// Checks that these tables are `config`'s: one per comparison, in its order, under
    /// its names, with a table exactly where term frequencies are on.
    ///
    /// # Errors
    /// [`MatchError::Config`](crate::MatchError::Config) naming the first comparison
    /// that does not fit.
    pub fn check_against(&self, config: &crate::MatchConfig) -> Result<(), crate::MatchError> {
        let frequencies = self;
        use crate::MatchError;
        if frequencies.comparisons.len() != config.comparisons.len() {
            return Err(MatchError::Config(format!(
                "term frequencies for {} comparisons, the configuration has {}",
                frequencies.comparisons.len(),
                config.comparisons.len()
            )));
        }
        for (comparison, terms) in config.comparisons.iter().zip(&frequencies.comparisons) {
            if comparison.name != terms.comparison {
                return Err(MatchError::Config(format!(
                    "term frequencies are for comparison `{}` where the configuration has `{}`",
                    terms.comparison, comparison.name
                )));
            }
            if comparison.term_frequency != terms.table.is_some() {
                return Err(MatchError::Config(format!(
                    "comparison `{}`: term frequencies are {} but a table is {}",
                    comparison.name,
                    if comparison.term_frequency {
                        "on"
                    } else {
                        "off"
                    },
                    if terms.table.is_some() {
                        "given"
                    } else {
                        "missing"
                    },
                )));
            }
        }
        Ok(())
    }

    /// Tables for `config` when none of its comparisons uses term frequencies (none to
    /// count); `None` when one does.
    pub fn without_tables(config: &crate::MatchConfig) -> Option<TermFrequencies> {
        config
            .comparisons
            .iter()
            .all(|c| !c.term_frequency)
            .then(|| TermFrequencies {
                comparisons: config
                    .comparisons
                    .iter()
                    .map(|c| ComparisonTerms {
                        comparison: c.name.clone(),
                        table: None,
                        full_names: None,
                    })
                    .collect(),
            })
    }
}

/// One table's terms counted over one part of the data, to be added up over every part
/// into [`TermTotals`] (a distributed run counts its parts on many machines).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartTerms {
    /// Records of the part with a value.
    pub with_value: u32,
    /// Each term's digest (as the frozen table keeps it) and the records of the part
    /// holding it; each digest once.
    pub terms: Vec<(u64, u32)>,
}

/// One table's terms added up over every part of the data: what
/// [`TermFrequencies::from_totals`] needs to build the table that one dataset holding every
/// part gives (the same bits, unless two terms share a digest, about one chance in 10^7
/// among a million terms).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermTotals {
    /// Records with a value.
    pub with_value: u32,
    /// How many terms exactly `n` records hold, as `(n, terms)`.
    pub histogram: Vec<(u32, u64)>,
    /// The digest and records of each term two or more records hold.
    pub repeated: Vec<(u64, u32)>,
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
/// A term is kept as a 64-bit digest (SipHash-1-3 under fixed keys, a defined algorithm,
/// so a saved table reads back the same in every version), never as its text: a trained
/// configuration carries its frozen tables, and a digest does not show a name or a phone to
/// whoever opens the file. Only terms two or more records hold are kept: a term held by one
/// record or by none counts as 1 in every adjustment, so leaving them out loses nothing and
/// keeps a table over a million mostly distinct e-mails small. Lookups go through a small
/// hash index over the digests (one or two slots touched). Its `Debug` form shows sizes.
#[derive(Clone, Deserialize)]
#[serde(try_from = "TermTableDocument")]
pub struct TermTable {
    with_value: u32,
    agree: f64,
    /// Digests of the terms two or more records hold, ascending.
    digests: Vec<u64>,
    /// Records holding each of those terms (at least 2).
    counts: Vec<u32>,
    /// Open addressing over the digests: a term's index plus 1, 0 for an empty slot;
    /// between a third and two thirds full. Built from the digests, never serialised.
    slots: Vec<u32>,
}

impl PartialEq for TermTable {
    fn eq(&self, other: &Self) -> bool {
        // The slots follow from the digests.
        self.with_value == other.with_value
            && self.agree == other.agree
            && self.digests == other.digests
            && self.counts == other.counts
    }
}

impl std::fmt::Debug for TermTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermTable")
            .field("repeated_terms", &self.len())
            .field("with_value", &self.with_value)
            .field("agree", &self.agree)
            .finish()
    }
}

/// The keys of the term digest: fixed, so that a digest means the same term in every run
/// and every version.
const DIGEST_KEYS: (u64, u64) = (0x7e4d_f4e9_0c1a_b5e3, 0x51a3_5a5e_d16e_57a1);

/// A term's digest.
#[inline]
fn term_digest(term: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = siphasher::sip::SipHasher13::new_with_keys(DIGEST_KEYS.0, DIGEST_KEYS.1);
    hasher.write(term.as_bytes());
    hasher.finish()
}

impl TermTable {
    /// The table of `terms` (each with the number of records holding it) among
    /// `with_value` records with any value.
    pub(crate) fn new<'a>(
        terms: impl IntoIterator<Item = (Cow<'a, str>, u32)>,
        with_value: u32,
    ) -> TermTable {
        let mut all_counts = Vec::new();
        let mut repeated: Vec<(u64, u32)> = Vec::new();
        for (term, n) in terms {
            if n == 0 {
                continue;
            }
            all_counts.push(n);
            if n >= 2 {
                repeated.push((term_digest(&term), n));
            }
        }
        let agree = agreement(&all_counts, with_value);
        // Two terms with one digest (about one chance in 10^7 among a million terms) are
        // counted as one term: their records add up, whatever the order they came in.
        repeated.sort_unstable();
        let (digests, counts) = merge_digests(repeated, with_value).into_iter().unzip();
        TermTable::from_parts(with_value, agree, digests, counts)
    }

    /// The terms of one part: each term's digest with its records (terms of one digest
    /// added up), and the records with a value.
    pub(crate) fn part_terms<'a>(
        terms: impl IntoIterator<Item = (Cow<'a, str>, u32)>,
        with_value: u32,
    ) -> PartTerms {
        let mut digests: Vec<(u64, u32)> = terms
            .into_iter()
            .filter(|&(_, n)| n > 0)
            .map(|(term, n)| (term_digest(&term), n))
            .collect();
        digests.sort_unstable();
        PartTerms {
            with_value,
            terms: merge_digests(digests, u32::MAX),
        }
    }

    /// The table of terms added up over every part: as `TermTable::new` over the whole
    /// data, its chance of agreement summed in the same ascending order of counts.
    pub fn from_totals(totals: TermTotals) -> TermTable {
        let TermTotals {
            with_value,
            mut histogram,
            mut repeated,
        } = totals;
        histogram.retain(|&(n, terms)| n > 0 && terms > 0);
        histogram.sort_unstable();
        let w = f64::from(with_value);
        let agree: f64 = histogram
            .iter()
            .flat_map(|&(n, terms)| std::iter::repeat_n((f64::from(n) / w).powi(2), terms as usize))
            .sum();
        repeated.retain(|&(_, n)| n >= 2);
        repeated.sort_unstable();
        let (digests, counts) = merge_digests(repeated, with_value).into_iter().unzip();
        TermTable::from_parts(with_value, agree, digests, counts)
    }

    /// A table of sorted, distinct digests with its slots built.
    fn from_parts(with_value: u32, agree: f64, digests: Vec<u64>, counts: Vec<u32>) -> TermTable {
        let n = digests.len();
        let mut slots = vec![0u32; (n + n / 2).next_power_of_two().max(2)];
        let mask = slots.len() - 1;
        for (i, &digest) in digests.iter().enumerate() {
            let mut slot = digest as usize & mask;
            while slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = i as u32 + 1;
        }
        TermTable {
            with_value,
            agree,
            digests,
            counts,
            slots,
        }
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

    /// Records holding `term`, counting a term held by one record or by none as 1.
    pub fn count(&self, term: &str) -> u32 {
        let digest = term_digest(term);
        let mask = self.slots.len() - 1;
        let mut slot = digest as usize & mask;
        loop {
            match self.slots[slot] {
                0 => return 1,
                i if self.digests[i as usize - 1] == digest => {
                    return self.counts[i as usize - 1];
                }
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// Number of terms two or more records hold.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// How many records hold each term two or more records hold, in digest order (the
    /// terms themselves are not kept).
    pub fn repeated_counts(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.counts.iter().copied()
    }

    /// Whether no term is held by two or more records.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.digests.capacity() * size_of::<u64>()
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

/// The serialised form: digests (16 hexadecimal digits each) and counts as two arrays.
#[derive(Deserialize)]
struct TermTableDocument {
    with_value: u32,
    agree: f64,
    digests: Vec<String>,
    counts: Vec<u32>,
}

impl TryFrom<TermTableDocument> for TermTable {
    type Error = String;

    fn try_from(document: TermTableDocument) -> Result<Self, String> {
        let TermTableDocument {
            with_value,
            agree,
            digests,
            counts,
        } = document;
        if digests.len() != counts.len() || u32::try_from(digests.len()).is_err() {
            return Err("a term table needs one count per digest".into());
        }
        let digests = digests
            .iter()
            .map(|d| {
                if d.len() == 16 {
                    u64::from_str_radix(d, 16).ok()
                } else {
                    None
                }
            })
            .collect::<Option<Vec<u64>>>()
            .ok_or("a term digest is 16 hexadecimal digits")?;
        if digests.windows(2).any(|w| w[0] >= w[1]) {
            return Err("a term table's digests must be distinct and in ascending order".into());
        }
        if counts.iter().any(|&n| n < 2 || n > with_value) {
            return Err("a kept term's count must be between 2 and `with_value`".into());
        }
        if !agree.is_finite() || !(0.0..=1.0).contains(&agree) {
            return Err("a term table's `agree` must be between 0 and 1".into());
        }
        Ok(TermTable::from_parts(with_value, agree, digests, counts))
    }
}

impl Serialize for TermTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The digests as hexadecimal strings (a JSON number loses digits past 2^53 in many
        /// readers), written without a copy of the table.
        struct Digests<'a>(&'a [u64]);
        impl Serialize for Digests<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|d| format!("{d:016x}")))
            }
        }
        let mut document = serializer.serialize_struct("TermTable", 4)?;
        document.serialize_field("with_value", &self.with_value)?;
        document.serialize_field("agree", &self.agree)?;
        document.serialize_field("digests", &Digests(&self.digests))?;
        document.serialize_field("counts", &self.counts)?;
        document.end()
    }
}

/// Terms sorted by digest with their records, one entry per digest: two terms of one
/// digest are counted as one, their records added up to at most `cap`.
fn merge_digests(sorted: Vec<(u64, u32)>, cap: u32) -> Vec<(u64, u32)> {
    let mut merged: Vec<(u64, u32)> = Vec::with_capacity(sorted.len());
    for (digest, n) in sorted {
        match merged.last_mut() {
            Some((last, count)) if *last == digest => *count = count.saturating_add(n).min(cap),
            _ => merged.push((digest, n)),
        }
    }
    merged
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
    fn repeated_terms_are_found_by_their_text_and_others_count_once() {
        let table = table();
        assert_eq!(table.len(), 2);
        assert_eq!(table.count("a"), 1);
        assert_eq!(table.count("b"), 3);
        assert_eq!(table.count("张伟"), 2);
        assert_eq!(table.count("c"), 1);
        assert_eq!(table.count(""), 1);
        assert_eq!(table.count("zz"), 1);
        // The single record holding "a" still counts in the chance of agreeing.
        let expected = (1.0f64 / 6.0).powi(2) + (2.0f64 / 6.0).powi(2) + (3.0f64 / 6.0).powi(2);
        assert_eq!(table.agree(), expected);
    }

    #[test]
    fn every_repeated_term_of_a_large_table_is_found_and_no_other() {
        let terms: Vec<String> = (0..5_000).map(|i| format!("+86138{i:08}")).collect();
        let count = |i: usize| i as u32 % 7 + 1;
        let table = TermTable::new(
            terms
                .iter()
                .enumerate()
                .map(|(i, t)| (Cow::Borrowed(t.as_str()), count(i))),
            20_000,
        );
        for (i, term) in terms.iter().enumerate() {
            assert_eq!(table.count(term), count(i));
            assert_eq!(table.count(&format!("{term}0")), 1);
        }
        assert_eq!(table.len(), (0..5_000).filter(|&i| count(i) >= 2).count());
        // Sizes only: a term is a personal value.
        let debug = format!("{table:?}");
        assert!(
            debug.contains("repeated_terms") && !debug.contains("+86"),
            "{debug}"
        );
    }

    #[test]
    fn a_table_round_trips_through_json_without_its_terms_and_bad_ones_are_refused() {
        let table = table();
        let json = serde_json::to_string(&table).unwrap();
        assert!(!json.contains("张伟") && !json.contains(r#""b""#), "{json}");
        let document: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(document["counts"].as_array().unwrap().len(), 2);
        let back = serde_json::from_str::<TermTable>(&json).unwrap();
        assert_eq!(back, table);
        assert_eq!(back.count("b"), 3);
        assert_eq!(back.count("张伟"), 2);
        assert_eq!(back.count("a"), 1);
        let d = |term: &str| format!("{:016x}", term_digest(term));
        let (low, high) = {
            let (x, y) = (d("x"), d("y"));
            if x < y { (x, y) } else { (y, x) }
        };
        for bad in [
            format!(
                r#"{{"with_value":6,"agree":0.5,"digests":["{high}","{low}"],"counts":[2,2]}}"#
            ),
            format!(r#"{{"with_value":6,"agree":0.5,"digests":["{low}","{low}"],"counts":[2,2]}}"#),
            format!(r#"{{"with_value":6,"agree":0.5,"digests":["{low}"],"counts":[2,2]}}"#),
            format!(r#"{{"with_value":6,"agree":0.5,"digests":["{low}"],"counts":[1]}}"#),
            format!(r#"{{"with_value":6,"agree":0.5,"digests":["{low}"],"counts":[7]}}"#),
            format!(r#"{{"with_value":6,"agree":-1.0,"digests":["{low}"],"counts":[2]}}"#),
            r#"{"with_value":6,"agree":0.5,"digests":["xyz"],"counts":[2]}"#.to_string(),
        ] {
            assert!(serde_json::from_str::<TermTable>(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_digest_is_fixed_across_versions() {
        // A saved configuration's tables are read by later versions: the digest of a term
        // must never change.
        assert_eq!(format!("{:016x}", term_digest("张伟")), DIGEST_OF_ZHANG_WEI);
    }

    /// SipHash-1-3 of the UTF-8 bytes of 张伟 under `DIGEST_KEYS`, as the algorithm's
    /// definition gives it (checked against a separate implementation of that definition).
    const DIGEST_OF_ZHANG_WEI: &str = "f1db1dd7298c90d0";

    #[test]
    fn a_rarer_term_gets_a_larger_adjustment() {
        let table = table();
        let rare = adjustment(1, table.with_value(), table.agree());
        let common = adjustment(3, table.with_value(), table.agree());
        assert!(rare > common);
        assert_eq!(adjustment(0, 6, table.agree()), 0.0);
    }
}
