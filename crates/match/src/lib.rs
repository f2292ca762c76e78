//! Matching for sameas: blocking, comparisons with levels, a Fellegi–Sunter model trained
//! by EM (or from labels) with term-frequency adjustments, deterministic rules, scoring and
//! explanations. For records that arrive one at a time after a batch run, a [`KeyIndex`]
//! finds a new record's candidates, and [`Matcher::with_term_frequencies`] scores them
//! with the batch data's [`TermFrequencies`].
//!
//! ```
//! use sameas_core::Channel;
//! use sameas_match::{Dataset, LinkMode, Matcher, MatchConfig, run, train};
//! use sameas_normalize::NormalizeOptions;
//! use sameas_normalize::infer::{infer_schema, record_from_row};
//! use sameas_normalize::record::RecordNormalizer;
//!
//! let rows = [
//!     ["1", "张伟", "138-0013-8000", "1990-01-02"],
//!     ["2", "張偉", "+86 138 0013 8000", "1990/1/2"],
//!     ["3", "王芳", "139-0000-1111", "1985-05-06"],
//!     ["4", "李娜", "137-1234-5678", "1979-12-30"],
//! ];
//! let schema = infer_schema(&["id", "姓名", "手机号", "出生日期"]).unwrap().schema;
//! let normalizer = RecordNormalizer::new(schema.clone(), NormalizeOptions::default()).unwrap();
//! let records: Vec<_> = rows
//!     .iter()
//!     .enumerate()
//!     .map(|(i, row)| record_from_row(&schema, row, i as u64 + 1, &Channel::App))
//!     .collect();
//! let ids = records.iter().map(|r| r.id.clone()).collect();
//! let normalized = records.iter().map(|r| normalizer.normalize(r)).collect();
//! let data = Dataset::new(schema.clone(), ids, normalized).unwrap();
//!
//! let mut config = MatchConfig::infer(&schema, LinkMode::Dedupe);
//! config.model = Some(train(&config, &data).unwrap());
//! let output = run(&config, &data).unwrap();
//! assert_eq!(output.scored.pairs, vec![(0, 1)]);
//! let why = Matcher::new(&config, &data).unwrap().explain(0, 1);
//! assert!(why.comparisons.iter().any(|c| c.comparison == "phone" && c.level == "exact"));
//! ```
#![deny(missing_docs)]

pub mod blocking;
pub mod compare;
mod config;
mod dataset;
mod error;
mod fallback;
mod incremental;
pub mod intern;
pub mod keys;
pub mod model;
mod score;
pub mod selection;
pub mod similarity;
mod term_frequency;
mod train;

pub use blocking::{
    BlockIndex, BlockingConfig, BlockingRule, CandidatePairs, LinkMode, RulePairSample, RuleStats,
};
pub use compare::{ComparisonConfig, ComparisonMethod, StringMetric};
pub use config::{DEFAULT_THRESHOLD, MatchConfig, TrainingConfig};
pub use dataset::Dataset;
pub use error::MatchError;
pub use fallback::default_model;
pub use incremental::{KeyIndex, RecordKeys};
pub use keys::{KeyRef, RuleKeys};
pub use model::{ComparisonModel, ExactAgreement, LevelModel, TrainedModel, TrainingMethod};
pub use score::{ComparisonExplanation, MAX_COMPARISONS, Matcher, PairExplanation, ScoredPairs};
pub use selection::{RuleChoice, RuleSelection, SubKey, choose_rules, sub_blocked_rules};
pub use term_frequency::{ComparisonTerms, PartTerms, TermFrequencies, TermTable, TermTotals};
pub use train::{
    ComparisonDiagnostics, CompiledComparisons, Labels, LevelDiagnostics, Trained, train,
    train_keeping_index, train_supervised,
};

/// Candidate pairs and their scores.
#[derive(Debug)]
pub struct MatchOutput {
    /// The blocked pairs with per-rule statistics.
    pub candidates: CandidatePairs,
    /// Their scores, in the same order.
    pub scored: ScoredPairs,
}

/// Blocks and scores `data` with a trained config.
///
/// # Errors
/// No trained model, or a configuration that does not fit the data.
pub fn run(config: &MatchConfig, data: &Dataset) -> Result<MatchOutput, MatchError> {
    let matcher = Matcher::new(config, data)?;
    let index = BlockIndex::build(
        data,
        &config.blocking.rules,
        config.blocking.max_block_size,
        config.mode,
    )?;
    let candidates = index.candidate_pairs(data);
    let scored = matcher.score_candidates(&candidates);
    Ok(MatchOutput { candidates, scored })
}
