//! A default model for data too small to train on: a file of one record (or none) has no
//! pair to learn from, yet it still has an answer (one entity per record).

use crate::config::MatchConfig;
use crate::model::{ComparisonModel, LevelModel, TrainedModel, TrainingMethod};
use crate::{Dataset, MatchError};

/// The prior of a default model: one pair in a hundred matches, so that one strong agreement
/// (an exact phone) with a second one (an exact name) links, and one alone does not.
const DEFAULT_PRIOR: f64 = 0.01;

/// u of the strongest level of a default model; each weaker level is 1.5 times as common
/// among strangers, and the last level (`different`) takes the rest.
const DEFAULT_U_STRONGEST: f64 = 0.01;

/// An untrained model for `config`: m much as EM starts it (most mass on the strongest level,
/// halving down the levels, a little on the last), u rising from 0.01 on the strongest level
/// to the rest on the last, and a prior of 0.01. Its method is [`TrainingMethod::Default`].
/// `data` only supplies the comparisons' level names: it may hold no record at all.
///
/// # Errors
/// A configuration that does not fit the data's schema.
///
/// ```
/// use sameas_core::Channel;
/// use sameas_match::{Dataset, LinkMode, MatchConfig, TrainingMethod, default_model};
/// use sameas_normalize::infer::infer_schema;
///
/// let schema = infer_schema(&["id", "name", "phone"]).unwrap().schema;
/// let config = MatchConfig::infer(&schema, LinkMode::Dedupe);
/// let empty = Dataset::new(schema, Vec::new(), Vec::new()).unwrap();
/// let model = default_model(&config, &empty).unwrap();
/// assert_eq!(model.method, TrainingMethod::Default);
/// assert_eq!(model.comparisons.len(), config.comparisons.len());
/// ```
pub fn default_model(config: &MatchConfig, data: &Dataset) -> Result<TrainedModel, MatchError> {
    config.validate()?;
    let compiled = crate::train::compile(config, data)?;
    let comparisons = config
        .comparisons
        .iter()
        .zip(&compiled.level_names)
        .map(|(comparison, names)| {
            let m = default_m(names.len());
            let u = default_u(names.len());
            ComparisonModel {
                name: comparison.name.clone(),
                levels: names
                    .iter()
                    .enumerate()
                    .map(|(l, name)| LevelModel {
                        name: name.clone(),
                        m: m[l],
                        u: u[l],
                    })
                    .collect(),
                m_trained_by: Vec::new(),
                exact_agreement: None,
            }
        })
        .collect();
    Ok(TrainedModel {
        prior: DEFAULT_PRIOR,
        comparisons,
        method: TrainingMethod::Default,
        u_sample_pairs: 0,
        prior_evidence_pairs: 0,
    })
}

/// m per level, `null` (1.0) first: the strongest level weighs 1, each next one half as much
/// but never under 0.05, the last (`different`) 0.05, normalised over the non-null levels.
/// (EM's starting m halves all the way down; with many levels that would make a weak
/// agreement weigh less than `different`.)
fn default_m(levels: usize) -> Vec<f64> {
    let mut weights: Vec<f64> = (0..levels.saturating_sub(1))
        .map(|i| 0.5f64.powi(i as i32).max(0.05))
        .collect();
    if let Some(last) = weights.last_mut() {
        *last = 0.05;
    }
    with_null(weights)
}

/// u per level, `null` (1.0) first: 0.01 on the strongest level, 1.5 times more on each
/// next, the rest on the last (`different`), scaled down when the levels are many.
fn default_u(levels: usize) -> Vec<f64> {
    let non_null = levels.saturating_sub(1);
    let mut weights: Vec<f64> = (0..non_null.saturating_sub(1))
        .map(|i| DEFAULT_U_STRONGEST * 1.5f64.powi(i as i32))
        .collect();
    let agreeing: f64 = weights.iter().sum();
    if agreeing > 0.5 {
        for w in &mut weights {
            *w *= 0.5 / agreeing;
        }
    }
    if non_null > 0 {
        weights.push(1.0 - weights.iter().sum::<f64>());
    }
    with_null(weights)
}

/// `[1.0]` (the null level) then `weights` divided by their sum.
fn with_null(weights: Vec<f64>) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    let mut out = vec![1.0];
    out.extend(weights.iter().map(|w| w / total));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_distributions_with_the_strongest_level_weighing_most() {
        for levels in 2..=12 {
            for p in [default_m(levels), default_u(levels)] {
                assert_eq!(p[0], 1.0);
                let sum: f64 = p[1..].iter().sum();
                assert!((sum - 1.0).abs() < 1e-12, "{levels}: {p:?}");
                assert!(p[1..].iter().all(|&v| v > 0.0 && v <= 1.0), "{p:?}");
            }
            let (m, u) = (default_m(levels), default_u(levels));
            let weights: Vec<f64> = (1..levels).map(|l| (m[l] / u[l]).log2()).collect();
            assert!(
                weights.windows(2).all(|w| w[0] > w[1]),
                "{levels}: weights fall level by level: {weights:?}"
            );
            if levels > 2 {
                assert!(weights[0] > 0.0 && *weights.last().unwrap() < 0.0);
            }
        }
    }
}
