//! The Fellegi–Sunter model: a prior, m and u per comparison level, log2 weights, and the
//! term-frequency adjustment of exact levels.

use serde::{Deserialize, Serialize};

/// m and u of one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelModel {
    /// The level's name (`exact`, `same_pinyin` …).
    pub name: String,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match).
    pub u: f64,
}

impl LevelModel {
    /// The level's match weight, `log2(m / u)`.
    pub fn weight(&self) -> f64 {
        (self.m / self.u).log2()
    }
}

/// The levels of one comparison. The `null` level (index 0) is listed for completeness;
/// its weight is always 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonModel {
    /// The comparison's name.
    pub name: String,
    /// Levels in index order, `null` first.
    pub levels: Vec<LevelModel>,
    /// Training rules whose EM pass estimated this comparison's m (empty: the defaults
    /// or labels were used).
    #[serde(default)]
    pub m_trained_by: Vec<String>,
    /// For an identifier or an e-mail: how often its agreement came with given names that
    /// differ, among the training pairs. Absent for other comparisons and for models
    /// trained without blocked pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact_agreement: Option<ExactAgreement>,
}

/// Training pairs at a comparison's `exact` level whose given names could be compared, and
/// how many of them had given names at `different`. Names that two records of one person
/// fail to reconcile give every personal identifier the same small share; an identifier
/// that several people of a household share (a family tablet's device id, a shared
/// account's e-mail) shows a larger one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExactAgreement {
    /// Exact pairs with a given name on both sides.
    pub pairs: u64,
    /// Of those, pairs whose given names differ.
    pub given_name_differs: u64,
}

impl ExactAgreement {
    /// The share of pairs whose given names differ.
    pub fn differing_share(&self) -> f64 {
        if self.pairs == 0 {
            0.0
        } else {
            self.given_name_differs as f64 / self.pairs as f64
        }
    }
}

impl ComparisonModel {
    /// The weight of level `index` (0 for `null`).
    pub fn weight(&self, index: usize) -> f64 {
        if index == 0 {
            0.0
        } else {
            self.levels[index].weight()
        }
    }
}

/// How the model was trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingMethod {
    /// u from random pairs, m by EM, prior from deterministic rules.
    Unsupervised,
    /// m and the prior from labelled pairs or clusters, u from random pairs.
    Supervised,
    /// Nothing trained: default m, u and prior, for data with no pair to learn from
    /// ([`default_model`](crate::default_model)).
    Default,
}

/// A trained Fellegi–Sunter model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    /// Probability that two comparable records match (λ).
    pub prior: f64,
    /// One model per comparison, in configuration order.
    pub comparisons: Vec<ComparisonModel>,
    /// How it was trained.
    pub method: TrainingMethod,
    /// Random pairs behind u.
    pub u_sample_pairs: u64,
    /// Pairs counted by the prior rules (unsupervised) or labelled matching pairs.
    pub prior_evidence_pairs: u64,
}

impl TrainedModel {
    /// The prior as log2 odds.
    pub fn prior_weight(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }
}

/// A match weight (log2 Bayes factor plus prior) as a probability.
pub fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}

/// A probability as a match weight.
pub fn weight_of(probability: f64) -> f64 {
    (probability / (1.0 - probability)).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_and_weight_are_inverse() {
        for p in [0.01, 0.5, 0.9, 0.999] {
            assert!((probability(weight_of(p)) - p).abs() < 1e-12);
        }
        assert_eq!(probability(0.0), 0.5);
        assert_eq!(probability(2000.0), 1.0);
    }
}
