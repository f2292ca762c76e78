//! What a batch run returns: entities, golden records, conflicts, events, the review band
//! and a report.

use serde::Serialize;

use sameas_core::{EntityId, RecordId};
use sameas_match::RuleStats;
use sameas_merge::golden::{Conflict, GoldenRecord};
use sameas_merge::graph::Event;

use crate::input::BadRow;

/// A pair a person should decide: scored in the review band below the threshold, or
/// above the threshold but refused by a constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPair {
    /// The first record.
    pub record_id_l: RecordId,
    /// The second record.
    pub record_id_r: RecordId,
    /// The first record's entity.
    pub entity_l: EntityId,
    /// The second record's entity.
    pub entity_r: EntityId,
    /// Match probability.
    pub match_probability: f64,
    /// Match weight (log2 Bayes factor, prior included).
    pub match_weight: f64,
    /// Why the pair is here; written as `band`, `household_guard: no personal evidence`,
    /// `refused: cannot_link`, `refused: exclusive` or `refused: ambiguous`.
    pub reason: ReviewReason,
    /// The level each comparison reached, in comparison order.
    pub levels: Vec<String>,
}

/// Why a pair is in the review file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewReason {
    /// Scored in the review band, below the threshold.
    Band,
    /// At or above the threshold, held back by the household guard: no personal comparison
    /// allowed the join.
    HouseholdGuard,
    /// At or above the threshold, refused by a cannot-link (manual, or personal evidence
    /// against between the two sides).
    CannotLink,
    /// At or above the threshold, refused because the two sides hold different values of an
    /// exclusive field (two national ids).
    Exclusive,
    /// At or above the threshold, refused because one side fits two different people
    /// equally well (see [`Refusal::Ambiguous`](sameas_merge::Refusal::Ambiguous)).
    Ambiguous,
}

impl ReviewReason {
    /// The reason as the review file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewReason::Band => "band",
            ReviewReason::HouseholdGuard => "household_guard: no personal evidence",
            ReviewReason::CannotLink => "refused: cannot_link",
            ReviewReason::Exclusive => "refused: exclusive",
            ReviewReason::Ambiguous => "refused: ambiguous",
        }
    }
}

impl std::fmt::Display for ReviewReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReviewReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Wall seconds per stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Reading rows and normalizing, and the data-quality profile of the records read.
    pub normalize: f64,
    /// Training (0 when the model was given).
    pub train: f64,
    /// Blocking: listing the candidate pairs, and indexing the blocking keys unless
    /// training already indexed them (EM on the blocking rules, the default).
    pub block: f64,
    /// Scoring.
    pub score: f64,
    /// Clustering and entity ids.
    pub cluster: f64,
    /// Golden records and conflicts.
    pub golden: f64,
}

/// Counts of refused joins by constraint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Refusals {
    /// Refused because a pair across the two sides scored below `cannot_link_below`, or a
    /// person said they differ.
    pub cannot_link: u64,
    /// Refused because the two sides hold different values of an exclusive field.
    pub exclusive: u64,
    /// Refused because one side fits two clusters that are different people equally
    /// well: left on its own rather than guessed.
    pub ambiguous: u64,
    /// Pairs at or above the threshold that the household guard kept from being edges:
    /// no personal comparison agreed (a shared family name, phone or address only).
    pub household_guard: u64,
}

/// Counts, blocking statistics, a quality summary and timings of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Input records (bad rows included).
    pub records: u64,
    /// Rows kept as singleton entities because they could not be read as records.
    pub bad_rows: Vec<BadRow>,
    /// Entities.
    pub entities: u64,
    /// Entities of one record.
    pub singletons: u64,
    /// Records in the largest entity.
    pub largest_entity: u64,
    /// Entities by size: `(size, count)`, sizes above 9 pooled under 10.
    pub entity_sizes: Vec<(u64, u64)>,
    /// Candidate pairs blocking found, all scored.
    pub candidate_pairs: u64,
    /// Further pairs scored inside small positive components, so that constraints see the
    /// evidence between records a chain joins but blocking never paired.
    pub component_pairs: u64,
    /// Pairs at or above the threshold.
    pub pairs_above_threshold: u64,
    /// The threshold in force.
    pub threshold: f64,
    /// The lower end of the review band (pairs from here to the threshold go to review).
    pub review_from: f64,
    /// Candidate pairs by match probability: 20 bins of 0.05, the last closed (`[0.95, 1]`).
    pub match_probabilities: Vec<u64>,
    /// Joins that merged two clusters.
    pub joins: u64,
    /// Joins refused, by constraint.
    pub refused: Refusals,
    /// Pairs written for review.
    pub review_pairs: u64,
    /// Golden fields whose records disagree.
    pub conflicts: u64,
    /// Values many unrelated records share, treated as missing for matching (masked), when
    /// this run found them.
    pub generic_values: Vec<crate::GenericReport>,
    /// Per blocking rule: pairs, blocks, capped blocks.
    pub blocking: Vec<RuleStats>,
    /// When this run chose the blocking rules: every candidate, its pairs and expected
    /// matches, and why it was taken or left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocking_choice: Vec<sameas_match::RuleChoice>,
    /// When this run trained: per comparison and level the support, m, u, weight and
    /// warnings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub training: Vec<sameas_match::ComparisonDiagnostics>,
    /// When this run's fit read whether the data holds households: what it read, and the
    /// household guard it chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub households: Option<crate::resolver::HouseholdReading>,
    /// Wall seconds per stage.
    pub timings: Timings,
    /// What the user should know about the run: an input with no data rows, a model left at
    /// its defaults because the data had too few pairs to train on. Never values.
    pub warnings: Vec<String>,
    /// Data quality per channel and field, as read for this run: completeness, validity,
    /// duplicate rate, issues by kind and the quality score against the 90% gate.
    pub quality: sameas_normalize::profile::Profile,
}

/// The result of a batch run.
#[derive(Clone)]
pub struct Resolution {
    /// `(record, entity)`, one per input record, in input order.
    pub entities: Vec<(RecordId, EntityId)>,
    /// One golden record per entity, in entity-id order.
    pub golden: Vec<GoldenRecord>,
    /// The golden file's header.
    pub golden_header: Vec<String>,
    /// Writes golden records as the golden file's rows.
    pub(crate) survivorship: std::sync::Arc<sameas_merge::golden::Survivorship>,
    /// Every field where an entity's records disagree.
    pub conflicts: Vec<Conflict>,
    /// The directory `golden.csv` and `conflicts.jsonl` were written into as they were
    /// built ([`crate::Resolver::resolve_once_into`]); `golden` and `conflicts` are then
    /// empty. `None` when they are held here.
    pub golden_written_in: Option<std::path::PathBuf>,
    /// Entity changes: created, or against a previous run merged / split / retired.
    pub events: Vec<Event>,
    /// Pairs for a person to decide.
    pub review: Vec<ReviewPair>,
    /// Comparison names, for the review file's level columns.
    pub comparisons: Vec<String>,
    /// Counts, statistics and timings.
    pub report: Report,
}

impl Resolution {
    /// The golden file's row for one golden record (columns as [`Resolution::golden_header`]).
    pub fn golden_row(&self, golden: &GoldenRecord) -> Vec<String> {
        self.survivorship.row(golden)
    }
}

impl std::fmt::Debug for Resolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolution")
            .field("records", &self.entities.len())
            .field("entities", &self.golden.len())
            .field("conflicts", &self.conflicts.len())
            .field("events", &self.events.len())
            .field("review", &self.review.len())
            .finish()
    }
}
