//! Pairwise and B-cubed accuracy of a predicted partition against the truth.

use serde::Serialize;

use crate::truth::pairs_among;
use crate::{EvalError, Predicted, Truth};

/// Precision, recall and their harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// Precision, in [0, 1].
    pub precision: f64,
    /// Recall, in [0, 1].
    pub recall: f64,
    /// F1, the harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
}

impl Scores {
    fn new(precision: f64, recall: f64) -> Scores {
        let sum = precision + recall;
        let f1 = if sum > 0.0 {
            2.0 * precision * recall / sum
        } else {
            0.0
        };
        Scores {
            precision,
            recall,
            f1,
        }
    }
}

/// Sizes and pair counts behind the scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Records in the truth.
    pub records: u64,
    /// True clusters.
    pub true_clusters: u64,
    /// Predicted entities.
    pub predicted_entities: u64,
    /// Record pairs in one true cluster.
    pub true_pairs: u64,
    /// Record pairs in one predicted entity.
    pub predicted_pairs: u64,
    /// Pairs both true and predicted.
    pub true_positives: u64,
    /// Predicted pairs that are not true (false merges).
    pub false_positives: u64,
    /// True pairs not predicted (missed links).
    pub false_negatives: u64,
}

/// Two records shown as an example of an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExamplePair {
    /// The first record's id (the earlier in the truth).
    pub record_id_l: String,
    /// The second record's id.
    pub record_id_r: String,
    /// The first record's true cluster.
    pub cluster_l: String,
    /// The second record's true cluster.
    pub cluster_r: String,
}

/// The accuracy of a prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Pairwise scores over every pair within an entity (the transitive closure).
    pub pairwise: Scores,
    /// B-cubed scores: per-record precision and recall, averaged over records.
    pub bcubed: Scores,
    /// Sizes and pair counts.
    pub counts: Counts,
    /// Records in one predicted entity but different true clusters, at most one per entity.
    pub false_merges: Vec<ExamplePair>,
    /// Records in one true cluster but different predicted entities, at most one per cluster.
    pub missed_links: Vec<ExamplePair>,
}

/// Scores `predicted` against `truth`, with up to `examples` example false merges and as
/// many missed links.
///
/// Pair counts come from the table of (true cluster, predicted entity) overlap sizes, so no
/// pair is ever enumerated: for overlaps nᵢⱼ, cluster sizes aᵢ and entity sizes bⱼ,
/// TP = Σ C(nᵢⱼ, 2), true pairs = Σ C(aᵢ, 2) and predicted pairs = Σ C(bⱼ, 2). B-cubed
/// precision is Σ nᵢⱼ² / bⱼ over N records, recall Σ nᵢⱼ² / aᵢ over N.
///
/// With no predicted pairs, pairwise precision is 1 (nothing was merged wrongly); with no
/// true pairs, pairwise recall is 1 (nothing could be missed). With no records every score
/// is 1.
///
/// Examples are chosen deterministically: walking the truth in order, the first record of
/// each offending entity (or cluster) paired with the first later record that disagrees.
///
/// # Errors
/// [`EvalError::Input`] when `predicted` was built for a truth of another size.
///
/// ```
/// use sameas_eval::{Predicted, Truth, evaluate};
/// let truth = Truth::from_rows([("a", "1"), ("b", "1"), ("c", "2")]).unwrap();
/// let predicted = Predicted::from_entities(&truth, [("a", "x"), ("b", "y"), ("c", "y")]).unwrap();
/// let eval = evaluate(&truth, &predicted, 5).unwrap();
/// assert_eq!(eval.counts.true_positives, 0);
/// assert_eq!(eval.counts.false_positives, 1);
/// assert_eq!(eval.pairwise.precision, 0.0);
/// assert_eq!(eval.false_merges[0].record_id_l, "b");
/// assert_eq!(eval.missed_links[0].record_id_r, "b");
/// ```
pub fn evaluate(
    truth: &Truth,
    predicted: &Predicted,
    examples: usize,
) -> Result<Evaluation, EvalError> {
    if predicted.len() != truth.len() {
        return Err(EvalError::Input {
            reason: format!(
                "the prediction covers {} records but the truth has {}",
                predicted.len(),
                truth.len()
            ),
        });
    }
    let clusters = truth.clusters();
    let entities = predicted.entities();
    let cluster_sizes = truth.cluster_sizes();
    let mut entity_sizes = vec![0u32; predicted.entity_count()];
    for &e in entities {
        entity_sizes[e as usize] += 1;
    }

    // The contingency table's non-empty cells, as runs of equal (cluster, entity) keys.
    let mut cells: Vec<u64> = clusters
        .iter()
        .zip(entities)
        .map(|(&c, &e)| (u64::from(c) << 32) | u64::from(e))
        .collect();
    cells.sort_unstable();
    let mut true_positives = 0u64;
    let mut bcubed_precision = 0.0f64;
    let mut bcubed_recall = 0.0f64;
    for run in cells.chunk_by(|a, b| a == b) {
        let key = run[0];
        let (cluster, entity) = ((key >> 32) as usize, (key & 0xffff_ffff) as usize);
        let overlap = run.len() as u64;
        true_positives += pairs_among(overlap);
        let squared = (overlap * overlap) as f64;
        bcubed_precision += squared / f64::from(entity_sizes[entity]);
        bcubed_recall += squared / f64::from(cluster_sizes[cluster]);
    }

    let true_pairs = truth.true_pairs();
    let predicted_pairs: u64 = entity_sizes
        .iter()
        .map(|&n| pairs_among(u64::from(n)))
        .sum();
    let ratio = |num: u64, den: u64| {
        if den == 0 {
            1.0
        } else {
            num as f64 / den as f64
        }
    };
    let records = truth.len() as u64;
    let per_record = |sum: f64| {
        if records == 0 {
            1.0
        } else {
            (sum / records as f64).clamp(0.0, 1.0)
        }
    };
    Ok(Evaluation {
        pairwise: Scores::new(
            ratio(true_positives, predicted_pairs),
            ratio(true_positives, true_pairs),
        ),
        bcubed: Scores::new(per_record(bcubed_precision), per_record(bcubed_recall)),
        counts: Counts {
            records,
            true_clusters: truth.cluster_count() as u64,
            predicted_entities: predicted.entity_count() as u64,
            true_pairs,
            predicted_pairs,
            true_positives,
            false_positives: predicted_pairs - true_positives,
            false_negatives: true_pairs - true_positives,
        },
        false_merges: examples_where(truth, entities, clusters, examples),
        missed_links: examples_where(truth, clusters, entities, examples),
    })
}

/// Up to `limit` pairs of records that share a `group` but differ in `other`: the group's
/// first record and the first later record whose `other` differs, one pair per group.
fn examples_where(truth: &Truth, group: &[u32], other: &[u32], limit: usize) -> Vec<ExamplePair> {
    const NONE: u32 = u32::MAX;
    let mut out = Vec::new();
    if limit == 0 {
        return out;
    }
    let groups = group.iter().map(|&g| g as usize + 1).max().unwrap_or(0);
    let mut first = vec![NONE; groups];
    let mut reported = vec![false; groups];
    for (index, &g) in group.iter().enumerate() {
        let index = index as u32;
        let g = g as usize;
        let head = first[g];
        if head == NONE {
            first[g] = index;
        } else if !reported[g] && other[head as usize] != other[index as usize] {
            reported[g] = true;
            out.push(ExamplePair {
                record_id_l: truth.id(head).to_string(),
                record_id_r: truth.id(index).to_string(),
                cluster_l: truth.cluster_label(truth.cluster_of(head)).to_string(),
                cluster_r: truth.cluster_label(truth.cluster_of(index)).to_string(),
            });
            if out.len() == limit {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Bagga and Baldwin (1998), "Algorithms for scoring coreference chains", figure 2: truth
    /// {1–5}, {6, 7}, {8–12}. Response A merges the two five-record chains, response B merges
    /// {6, 7} into {8–12}. MUC scores both alike; B-cubed precision is 7/12 ≈ 0.58 for A and
    /// 16/21 ≈ 0.76 for B, both with recall 1, as the paper reports.
    #[test]
    fn bagga_baldwin_example() {
        let truth_of = |i: u32| match i {
            1..=5 => "x",
            6 | 7 => "y",
            _ => "z",
        };
        let truth = Truth::from_rows((1..=12).map(|i| (i.to_string(), truth_of(i)))).unwrap();
        let response_a =
            Predicted::from_labels(&truth, &[0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]).unwrap();
        let a = evaluate(&truth, &response_a, 10).unwrap();
        assert!(close(a.bcubed.precision, 7.0 / 12.0), "{:?}", a.bcubed);
        assert!(close(a.bcubed.recall, 1.0));
        // Pairs: C(10,2) + C(2,2) = 46 predicted, 10 + 1 + 10 = 21 true, all found.
        assert_eq!(a.counts.predicted_pairs, 46);
        assert_eq!(a.counts.true_pairs, 21);
        assert_eq!(a.counts.true_positives, 21);
        assert_eq!(a.counts.false_positives, 25);
        assert!(close(a.pairwise.precision, 21.0 / 46.0));
        assert!(close(a.pairwise.recall, 1.0));
        assert!(close(a.pairwise.f1, 2.0 * 21.0 / 67.0));
        assert_eq!(a.false_merges.len(), 1);
        assert_eq!(
            (
                a.false_merges[0].record_id_l.as_str(),
                a.false_merges[0].record_id_r.as_str()
            ),
            ("1", "8")
        );
        assert!(a.missed_links.is_empty());

        let response_b =
            Predicted::from_labels(&truth, &[0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]).unwrap();
        let b = evaluate(&truth, &response_b, 10).unwrap();
        // (5·1 + 2·2/7 + 5·5/7) / 12 = 16/21.
        assert!(close(b.bcubed.precision, 16.0 / 21.0), "{:?}", b.bcubed);
        assert_eq!(b.counts.predicted_pairs, 31);
        assert!(close(b.pairwise.precision, 21.0 / 31.0));
    }

    /// A hand-worked split and merge: truth {a, b, c}, {d, e}; prediction {a, b}, {c, d, e}.
    #[test]
    fn split_and_merge() {
        let truth =
            Truth::from_rows([("a", "1"), ("b", "1"), ("c", "1"), ("d", "2"), ("e", "2")]).unwrap();
        let predicted = Predicted::from_entities(
            &truth,
            [("a", "p"), ("b", "p"), ("c", "q"), ("d", "q"), ("e", "q")],
        )
        .unwrap();
        let eval = evaluate(&truth, &predicted, 3).unwrap();
        // True pairs ab ac bc de; predicted ab cd ce de; TP ab de.
        assert_eq!(
            eval.counts,
            Counts {
                records: 5,
                true_clusters: 2,
                predicted_entities: 2,
                true_pairs: 4,
                predicted_pairs: 4,
                true_positives: 2,
                false_positives: 2,
                false_negatives: 2,
            }
        );
        assert!(close(eval.pairwise.precision, 0.5));
        assert!(close(eval.pairwise.recall, 0.5));
        // Precision per record: a, b 2/2; c 1/3; d, e 2/3 → (2 + 1/3 + 4/3) / 5 = 11/15.
        // Recall per record: a, b 2/3; c 1/3; d, e 2/2 → (4/3 + 1/3 + 2) / 5 = 11/15.
        assert!(close(eval.bcubed.precision, 11.0 / 15.0));
        assert!(close(eval.bcubed.recall, 11.0 / 15.0));
        let pair = |e: &ExamplePair| (e.record_id_l.clone(), e.record_id_r.clone());
        assert_eq!(
            eval.false_merges.iter().map(pair).collect::<Vec<_>>(),
            [("c".to_string(), "d".to_string())]
        );
        assert_eq!(eval.false_merges[0].cluster_r, "2");
        assert_eq!(
            eval.missed_links.iter().map(pair).collect::<Vec<_>>(),
            [("a".to_string(), "c".to_string())]
        );
        assert!(
            evaluate(&truth, &predicted, 0)
                .unwrap()
                .false_merges
                .is_empty()
        );
    }

    #[test]
    fn degenerate_cases() {
        let empty = Truth::from_rows(std::iter::empty::<(&str, &str)>()).unwrap();
        let none = Predicted::from_labels(&empty, &[]).unwrap();
        let eval = evaluate(&empty, &none, 5).unwrap();
        assert_eq!((eval.pairwise.f1, eval.bcubed.f1), (1.0, 1.0));

        let singletons = Truth::from_rows([("a", "1"), ("b", "2")]).unwrap();
        let merged = Predicted::from_labels(&singletons, &[0, 0]).unwrap();
        let eval = evaluate(&singletons, &merged, 5).unwrap();
        assert_eq!(eval.pairwise.precision, 0.0);
        assert_eq!(eval.pairwise.recall, 1.0);
        assert_eq!(eval.pairwise.f1, 0.0);
        assert!(close(eval.bcubed.precision, 0.5));

        let other = Truth::from_rows([("a", "1")]).unwrap();
        assert!(matches!(
            evaluate(&other, &merged, 5),
            Err(EvalError::Input { .. })
        ));
    }

    /// Counts pairs one by one, for comparison with the contingency table.
    fn brute_force(clusters: &[u32], entities: &[u32]) -> (u64, u64, u64) {
        let (mut true_pairs, mut predicted, mut both) = (0, 0, 0);
        for i in 0..clusters.len() {
            for j in i + 1..clusters.len() {
                let t = clusters[i] == clusters[j];
                let p = entities[i] == entities[j];
                true_pairs += u64::from(t);
                predicted += u64::from(p);
                both += u64::from(t && p);
            }
        }
        (true_pairs, predicted, both)
    }

    /// B-cubed by definition: per record, the overlap of its cluster and its entity.
    fn brute_bcubed(clusters: &[u32], entities: &[u32]) -> (f64, f64) {
        let n = clusters.len();
        let (mut p, mut r) = (0.0, 0.0);
        for i in 0..n {
            let same_entity = (0..n).filter(|&j| entities[j] == entities[i]).count() as f64;
            let same_cluster = (0..n).filter(|&j| clusters[j] == clusters[i]).count() as f64;
            let both = (0..n)
                .filter(|&j| entities[j] == entities[i] && clusters[j] == clusters[i])
                .count() as f64;
            p += both / same_entity;
            r += both / same_cluster;
        }
        (p / n as f64, r / n as f64)
    }

    fn partitions() -> impl Strategy<Value = (Vec<u32>, Vec<u32>)> {
        (1usize..40).prop_flat_map(|n| {
            (
                proptest::collection::vec(0u32..8, n),
                proptest::collection::vec(0u32..8, n),
            )
        })
    }

    fn build(clusters: &[u32], entities: &[u32]) -> (Truth, Predicted) {
        let truth = Truth::from_rows(
            clusters
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("r{i}"), c.to_string())),
        )
        .unwrap();
        let predicted = Predicted::from_labels(&truth, entities).unwrap();
        (truth, predicted)
    }

    proptest! {
        #[test]
        fn counts_match_brute_force((clusters, entities) in partitions()) {
            let (truth, predicted) = build(&clusters, &entities);
            let eval = evaluate(&truth, &predicted, 3).unwrap();
            let (true_pairs, predicted_pairs, both) = brute_force(&clusters, &entities);
            prop_assert_eq!(eval.counts.true_pairs, true_pairs);
            prop_assert_eq!(eval.counts.predicted_pairs, predicted_pairs);
            prop_assert_eq!(eval.counts.true_positives, both);
            let (p, r) = brute_bcubed(&clusters, &entities);
            prop_assert!(close(eval.bcubed.precision, p));
            prop_assert!(close(eval.bcubed.recall, r));
        }

        #[test]
        fn scores_lie_in_unit_interval((clusters, entities) in partitions()) {
            let (truth, predicted) = build(&clusters, &entities);
            let eval = evaluate(&truth, &predicted, 3).unwrap();
            for score in [eval.pairwise, eval.bcubed] {
                for x in [score.precision, score.recall, score.f1] {
                    prop_assert!((0.0..=1.0).contains(&x), "{:?}", score);
                }
            }
            // Examples really are errors of their kind.
            for e in &eval.false_merges {
                let (l, r) = (truth.index_of(&e.record_id_l).unwrap(), truth.index_of(&e.record_id_r).unwrap());
                prop_assert_eq!(predicted.entity_of(l), predicted.entity_of(r));
                prop_assert_ne!(truth.cluster_of(l), truth.cluster_of(r));
            }
            for e in &eval.missed_links {
                let (l, r) = (truth.index_of(&e.record_id_l).unwrap(), truth.index_of(&e.record_id_r).unwrap());
                prop_assert_ne!(predicted.entity_of(l), predicted.entity_of(r));
                prop_assert_eq!(truth.cluster_of(l), truth.cluster_of(r));
            }
            prop_assert_eq!(eval.false_merges.is_empty(), eval.counts.false_positives == 0);
            prop_assert_eq!(eval.missed_links.is_empty(), eval.counts.false_negatives == 0);
        }

        #[test]
        fn perfect_prediction_scores_one(clusters in proptest::collection::vec(0u32..10, 0..50)) {
            let (truth, predicted) = build(&clusters, &clusters);
            let eval = evaluate(&truth, &predicted, 3).unwrap();
            for score in [eval.pairwise, eval.bcubed] {
                prop_assert_eq!(score.precision, 1.0);
                prop_assert_eq!(score.recall, 1.0);
                prop_assert_eq!(score.f1, 1.0);
            }
            prop_assert!(eval.false_merges.is_empty() && eval.missed_links.is_empty());
        }

        #[test]
        fn independent_of_row_order(
            (clusters, entities) in partitions(),
            seed in any::<u64>(),
        ) {
            let (truth, predicted) = build(&clusters, &entities);
            let eval = evaluate(&truth, &predicted, 3).unwrap();
            // Reorder the rows of both files by a seeded sort key.
            let key = |i: usize| (i as u64 ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut order: Vec<usize> = (0..clusters.len()).collect();
            order.sort_by_key(|&i| key(i));
            let truth_rows: Vec<(String, String)> =
                order.iter().map(|&i| (format!("r{i}"), clusters[i].to_string())).collect();
            let shuffled_truth = Truth::from_rows(truth_rows).unwrap();
            order.reverse();
            let entity_rows: Vec<(String, String)> =
                order.iter().map(|&i| (format!("r{i}"), format!("e{}", entities[i]))).collect();
            let shuffled = Predicted::from_entities(&shuffled_truth, entity_rows.iter().map(|(a, b)| (a, b))).unwrap();
            let again = evaluate(&shuffled_truth, &shuffled, 3).unwrap();
            prop_assert_eq!(again.counts, eval.counts);
            prop_assert!(close(again.bcubed.precision, eval.bcubed.precision));
            prop_assert!(close(again.bcubed.recall, eval.bcubed.recall));
            prop_assert_eq!(again.pairwise, eval.pairwise);

            // Reordering only the prediction's rows leaves even the examples alike.
            let same_truth_rows: Vec<(String, String)> =
                order.iter().map(|&i| (format!("r{i}"), format!("e{}", entities[i]))).collect();
            let reordered = Predicted::from_entities(&truth, same_truth_rows.iter().map(|(a, b)| (a, b))).unwrap();
            prop_assert_eq!(evaluate(&truth, &reordered, 3).unwrap(), eval);
        }
    }
}
