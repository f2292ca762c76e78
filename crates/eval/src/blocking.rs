//! Blocking quality: how many true pairs the candidate pairs keep, and how many comparisons
//! they save.

use serde::Serialize;

use crate::{EvalError, RecordKey, Truth};

/// Which file of a linkage a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The left file.
    Left,
    /// The right file.
    Right,
}

/// The quality of a list of candidate pairs (Christen, "Data Matching", 2012, §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BlockingQuality {
    /// Candidate pairs given.
    pub candidate_pairs: u64,
    /// Pairs a full comparison would make.
    pub comparable_pairs: u64,
    /// True pairs among the comparable pairs.
    pub true_pairs: u64,
    /// True pairs among the candidates.
    pub true_pairs_found: u64,
    /// Found true pairs over all true pairs; 1 when there are no true pairs.
    pub pair_completeness: f64,
    /// Found true pairs over candidate pairs; 1 when there are no candidates.
    pub pair_quality: f64,
    /// 1 − candidates / comparable pairs; 0 when nothing is comparable.
    pub reduction_ratio: f64,
}

impl BlockingQuality {
    /// Measures candidate pairs for a deduplication. Each unordered pair of distinct records
    /// must be listed at most once (the caller guarantees it; it is not checked). Records are
    /// named by index or id (see [`RecordKey`]). `comparable_pairs` is usually
    /// [`Truth::comparable_pairs`].
    ///
    /// # Errors
    /// [`EvalError::Input`] for a record not in the truth, or more candidates than
    /// comparable pairs.
    ///
    /// ```
    /// use sameas_eval::{BlockingQuality, Truth};
    /// let truth = Truth::from_rows([("a", "1"), ("b", "1"), ("c", "2"), ("d", "2")]).unwrap();
    /// let quality = BlockingQuality::measure(&truth, [("a", "b"), ("b", "c")], truth.comparable_pairs()).unwrap();
    /// assert_eq!(quality.true_pairs_found, 1);
    /// assert_eq!(quality.pair_completeness, 0.5);
    /// assert_eq!(quality.reduction_ratio, 1.0 - 2.0 / 6.0);
    /// ```
    pub fn measure<I, K>(
        truth: &Truth,
        candidates: I,
        comparable_pairs: u64,
    ) -> Result<BlockingQuality, EvalError>
    where
        I: IntoIterator<Item = (K, K)>,
        K: RecordKey,
    {
        let clusters = truth.clusters();
        let (candidate_pairs, found) = count_found(truth, candidates, |l, r| {
            l != r && clusters[l as usize] == clusters[r as usize]
        })?;
        BlockingQuality::from_counts(candidate_pairs, comparable_pairs, truth.true_pairs(), found)
    }

    /// Measures candidate pairs for a linkage of two files: `sides` gives every truth record's
    /// side, by index. Comparable pairs are n_left × n_right, and only true pairs across the
    /// sides count, among the candidates as among the truth.
    ///
    /// # Errors
    /// [`EvalError::Input`] when `sides` does not cover the truth, for a record not in the
    /// truth, or for more candidates than comparable pairs.
    ///
    /// ```
    /// use sameas_eval::{BlockingQuality, Side, Truth};
    /// let truth = Truth::from_febrl_ids(["rec-1-org", "rec-2-org", "rec-1-dup-0", "rec-2-dup-0"]).unwrap();
    /// let sides = [Side::Left, Side::Left, Side::Right, Side::Right];
    /// let quality = BlockingQuality::measure_link(&truth, &sides, [(0u32, 2u32), (0, 3)]).unwrap();
    /// assert_eq!((quality.comparable_pairs, quality.true_pairs, quality.true_pairs_found), (4, 2, 1));
    /// ```
    pub fn measure_link<I, K>(
        truth: &Truth,
        sides: &[Side],
        candidates: I,
    ) -> Result<BlockingQuality, EvalError>
    where
        I: IntoIterator<Item = (K, K)>,
        K: RecordKey,
    {
        if sides.len() != truth.len() {
            return Err(EvalError::Input {
                reason: format!("{} sides for {} truth records", sides.len(), truth.len()),
            });
        }
        let clusters = truth.clusters();
        let mut per_cluster = vec![(0u64, 0u64); truth.cluster_count()];
        for (&cluster, side) in clusters.iter().zip(sides) {
            let counts = &mut per_cluster[cluster as usize];
            match side {
                Side::Left => counts.0 += 1,
                Side::Right => counts.1 += 1,
            }
        }
        let true_pairs = per_cluster.iter().map(|(l, r)| l * r).sum();
        let left = sides.iter().filter(|&&s| s == Side::Left).count() as u64;
        let comparable_pairs = left * (sides.len() as u64 - left);
        let (candidate_pairs, found) = count_found(truth, candidates, |l, r| {
            sides[l as usize] != sides[r as usize] && clusters[l as usize] == clusters[r as usize]
        })?;
        BlockingQuality::from_counts(candidate_pairs, comparable_pairs, true_pairs, found)
    }

    /// The quality from counts: candidates, comparable pairs, true pairs and the true pairs
    /// among the candidates (for summing the measures of disjoint candidate lists).
    ///
    /// # Errors
    /// [`EvalError::Input`] for more candidates than comparable pairs.
    pub fn from_counts(
        candidate_pairs: u64,
        comparable_pairs: u64,
        true_pairs: u64,
        true_pairs_found: u64,
    ) -> Result<BlockingQuality, EvalError> {
        if candidate_pairs > comparable_pairs {
            return Err(EvalError::Input {
                reason: format!(
                    "{candidate_pairs} candidate pairs but only {comparable_pairs} comparable pairs"
                ),
            });
        }
        let ratio = |num: u64, den: u64| {
            if den == 0 {
                1.0
            } else {
                num as f64 / den as f64
            }
        };
        let reduction_ratio = if comparable_pairs == 0 {
            0.0
        } else {
            1.0 - candidate_pairs as f64 / comparable_pairs as f64
        };
        Ok(BlockingQuality {
            candidate_pairs,
            comparable_pairs,
            true_pairs,
            true_pairs_found,
            pair_completeness: ratio(true_pairs_found, true_pairs),
            pair_quality: ratio(true_pairs_found, candidate_pairs),
            reduction_ratio,
        })
    }
}

/// Counts candidates and those `is_true` accepts.
fn count_found<I, K>(
    truth: &Truth,
    candidates: I,
    is_true: impl Fn(u32, u32) -> bool,
) -> Result<(u64, u64), EvalError>
where
    I: IntoIterator<Item = (K, K)>,
    K: RecordKey,
{
    let (mut count, mut found) = (0u64, 0u64);
    for (left, right) in candidates {
        count += 1;
        let resolve = |key: K| {
            key.resolve(truth).ok_or_else(|| EvalError::Input {
                reason: format!("candidate pair {count} names a record not in the truth"),
            })
        };
        let (left, right) = (resolve(left)?, resolve(right)?);
        found += u64::from(is_true(left, right));
    }
    Ok((count, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth() -> Truth {
        Truth::from_rows([
            ("a", "1"),
            ("b", "1"),
            ("c", "1"),
            ("d", "2"),
            ("e", "2"),
            ("f", "3"),
        ])
        .unwrap()
    }

    #[test]
    fn dedupe() {
        let truth = truth();
        // True pairs: ab ac bc de = 4; comparable 15.
        let q = BlockingQuality::measure(
            &truth,
            [(0u32, 1u32), (2, 1), (3, 4), (4, 5), (0, 5)],
            truth.comparable_pairs(),
        )
        .unwrap();
        assert_eq!(q.candidate_pairs, 5);
        assert_eq!(q.comparable_pairs, 15);
        assert_eq!(q.true_pairs, 4);
        assert_eq!(q.true_pairs_found, 3);
        assert_eq!(q.pair_completeness, 0.75);
        assert_eq!(q.pair_quality, 0.6);
        assert!((q.reduction_ratio - 10.0 / 15.0).abs() < 1e-12);
        let ids = BlockingQuality::measure(
            &truth,
            [("a", "b"), ("c", "b"), ("d", "e"), ("e", "f"), ("a", "f")],
            15,
        )
        .unwrap();
        assert_eq!(ids, q);
    }

    #[test]
    fn link() {
        let truth = truth();
        use Side::{Left, Right};
        let sides = [Left, Right, Right, Left, Right, Left];
        // Left a d f, right b c e: comparable 9; true across: ab ac de = 3.
        let q = BlockingQuality::measure_link(&truth, &sides, [("a", "b"), ("d", "b"), ("f", "e")])
            .unwrap();
        assert_eq!(q.comparable_pairs, 9);
        assert_eq!(q.true_pairs, 3);
        assert_eq!(q.true_pairs_found, 1);
        // A same-side true pair is not a cross-side true pair.
        let q = BlockingQuality::measure_link(&truth, &sides, [("b", "c")]).unwrap();
        assert_eq!(q.true_pairs_found, 0);
        assert!(BlockingQuality::measure_link(&truth, &sides[..2], [("a", "b")]).is_err());
    }

    #[test]
    fn errors() {
        let truth = truth();
        let unknown = BlockingQuality::measure(&truth, [("a", "zz")], 15).unwrap_err();
        assert!(unknown.to_string().contains("candidate pair 1"));
        assert!(!unknown.to_string().contains("zz"));
        assert!(BlockingQuality::measure(&truth, [(0u32, 1u32), (0, 2)], 1).is_err());
        let none = BlockingQuality::measure(&truth, Vec::<(u32, u32)>::new(), 0).unwrap();
        assert_eq!(
            (
                none.pair_quality,
                none.reduction_ratio,
                none.pair_completeness
            ),
            (1.0, 0.0, 0.0)
        );
    }
}
