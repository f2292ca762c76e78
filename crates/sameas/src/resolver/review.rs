//! The review file: pairs in the review band, and pairs above the threshold that the
//! household guard or a constraint refused.

use sameas_core::RecordId;
use sameas_match::ScoredPairs;
use sameas_merge::cluster::{Clustering, Join, JoinOutcome};
use sameas_merge::graph::IdentityGraph;

use super::clustering::EdgeMask;
use sameas_merge::cluster::Refusal;

use crate::ResolverConfig;
use crate::resolution::{ReviewPair, ReviewReason};

/// Pairs in the review band, and pairs above the threshold that a constraint refused.
pub(super) fn review_pairs(
    scored: &ScoredPairs,
    clustering: &Clustering,
    graph: &IdentityGraph,
    ids: &[RecordId],
    config: &ResolverConfig,
    mask: &EdgeMask,
    level_names: &[Vec<String>],
) -> Vec<ReviewPair> {
    let threshold = mask.threshold();
    let from = config.clustering.review_from;
    let entity = |i: u32| {
        graph
            .entity_of(&ids[i as usize])
            .expect("every record is in an entity")
            .clone()
    };
    let levels = |i: usize| -> Vec<String> {
        scored
            .levels_of(i)
            .iter()
            .enumerate()
            .map(|(c, &l)| level_names[c][l as usize].clone())
            .collect()
    };
    let refused: foldhash::HashMap<(u32, u32), &Join> = clustering
        .joins
        .iter()
        .filter(|j| matches!(j.outcome, JoinOutcome::Refused(_)))
        .map(|j| ((j.a.min(j.b), j.a.max(j.b)), j))
        .collect();
    let mut out = Vec::new();
    for i in 0..scored.len() {
        let p = scored.probabilities[i];
        let (a, b) = scored.pairs[i];
        let reason = if p >= threshold {
            if !mask.contains(i) {
                ReviewReason::HouseholdGuard
            } else {
                match refused.get(&(a.min(b), a.max(b))).map(|j| &j.outcome) {
                    Some(JoinOutcome::Refused(Refusal::CannotLink { .. })) => {
                        ReviewReason::CannotLink
                    }
                    Some(JoinOutcome::Refused(Refusal::Exclusive { .. })) => {
                        ReviewReason::Exclusive
                    }
                    Some(JoinOutcome::Refused(Refusal::Ambiguous { .. })) => {
                        ReviewReason::Ambiguous
                    }
                    _ => continue,
                }
            }
        } else if p >= from {
            ReviewReason::Band
        } else {
            continue;
        };
        let (ea, eb) = (entity(a), entity(b));
        if ea == eb {
            continue;
        }
        out.push(ReviewPair {
            record_id_l: ids[a as usize].clone(),
            record_id_r: ids[b as usize].clone(),
            entity_l: ea,
            entity_r: eb,
            match_probability: p,
            match_weight: scored.weights[i],
            reason,
            levels: levels(i),
        });
    }
    out.sort_by(|x, y| {
        y.match_probability
            .total_cmp(&x.match_probability)
            .then_with(|| x.record_id_l.cmp(&y.record_id_l))
            .then_with(|| x.record_id_r.cmp(&y.record_id_r))
    });
    out
}
