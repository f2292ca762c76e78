//! What the facade gives the merge stage's clustering policy
//! ([`sameas_merge::cluster::policy`]): which comparisons are personal and what each of
//! their levels says (from the match stage's comparisons and trained weights), the
//! exclusive values of the records, and match's scored pairs as merge reads them.

use sameas_core::RecordId;
use sameas_match::{ComparisonMethod, Dataset, ScoredPairs};
use sameas_merge::cluster::Clustering;
use sameas_merge::cluster::Edge;
pub(crate) use sameas_merge::cluster::policy::EdgeGuard;
pub(super) use sameas_merge::cluster::policy::must_link_edge;
use sameas_merge::cluster::policy::{self, Evidence, PersonalEvidence, ScoredPairsView};
use sameas_normalize::IssueKind;

use crate::ResolverConfig;

/// Match's scored pairs as merge reads them.
fn view(scored: &ScoredPairs) -> ScoredPairsView<'_> {
    ScoredPairsView {
        pairs: &scored.pairs,
        weights: &scored.weights,
        probabilities: &scored.probabilities,
        levels: &scored.levels,
        comparisons: scored.comparisons,
    }
}

/// The constraints of one run over `data` (see [`policy::Constraints`]).
pub(crate) struct Constraints(policy::Constraints);

impl Constraints {
    pub(crate) fn new(config: &ResolverConfig, data: &Dataset, scored: &ScoredPairs) -> Self {
        Constraints(policy::Constraints::new(
            &config.clustering,
            &data.ids,
            &view(scored),
            personal_evidence(config).as_ref(),
            exclusive_values(config, data),
        ))
    }

    /// The edges at `threshold` and their clustering under the constraints.
    pub(crate) fn cluster(
        &self,
        config: &ResolverConfig,
        ids: &[RecordId],
        scored: &ScoredPairs,
        threshold: f64,
        guard: Option<&EdgeGuard>,
    ) -> (Vec<Edge>, Clustering) {
        self.0.cluster(
            config.clustering.method,
            ids,
            &view(scored),
            threshold,
            guard,
        )
    }
}

/// The household guard the configuration asks for; `None` when it is off or there is no
/// model.
pub(crate) fn edge_guard(config: &ResolverConfig) -> Option<EdgeGuard> {
    EdgeGuard::new(
        config.clustering.household_guard,
        personal_evidence(config)?,
    )
}

/// Whether scored pair `i` is an edge (see [`policy::is_edge`]).
pub(super) fn is_edge(
    scored: &ScoredPairs,
    i: usize,
    threshold: f64,
    guard: Option<&EdgeGuard>,
) -> bool {
    policy::is_edge(&view(scored), i, threshold, guard)
}

/// What each level of the personal comparisons says, from the trained weights; `None`
/// when there is no model. Personal comparisons are the given name, birth dates, e-mails
/// and identifiers (or those `clustering.personal_comparisons` names). Only the last level
/// (`different`) disagrees: a weaker level that weighs less than nothing (an initial, a
/// family name alone against a full name) says the values are compatible, not that they
/// differ.
fn personal_evidence(config: &ResolverConfig) -> Option<PersonalEvidence> {
    let clustering = &config.clustering;
    let model = config.matching.model.as_ref()?;
    let levels = config
        .matching
        .comparisons
        .iter()
        .zip(&model.comparisons)
        .map(|(comparison, trained)| {
            let is_personal = match &clustering.personal_comparisons {
                Some(names) => names.contains(&comparison.name),
                None => matches!(
                    comparison.method,
                    ComparisonMethod::GivenName { .. }
                        | ComparisonMethod::Date { .. }
                        | ComparisonMethod::Email { .. }
                        | ComparisonMethod::Identifier { .. }
                ),
            };
            let last = trained.levels.len() - 1;
            if !is_personal {
                // What a household may share: its agreement says nothing about two people,
                // its difference does. A family name that differs outright is a second
                // person (a spouse keeps hers); a phone that differs is a contact of their
                // own.
                let differs = match comparison.method {
                    ComparisonMethod::FamilyName { .. } => Evidence::Against,
                    ComparisonMethod::Phone => Evidence::ContactDiffers,
                    _ => return Vec::new(),
                };
                return (0..trained.levels.len())
                    .map(|l| {
                        if l == last
                            && l > 0
                            && trained.weight(l) <= -clustering.min_personal_weight
                        {
                            differs
                        } else {
                            Evidence::None
                        }
                    })
                    .collect();
            }
            (0..trained.levels.len())
                .map(|l| {
                    if l == 0 {
                        Evidence::None
                    } else if trained.weight(l) >= clustering.min_personal_weight {
                        Evidence::For
                    } else if l == last && trained.weight(l) <= -clustering.min_personal_weight {
                        Evidence::Against
                    } else {
                        Evidence::None
                    }
                })
                .collect()
        })
        .collect();
    let identifiers = config
        .matching
        .comparisons
        .iter()
        .map(|c| matches!(c.method, ComparisonMethod::Identifier { .. }))
        .collect();
    Some(PersonalEvidence::new(levels, identifiers))
}

/// Per exclusive field, per record: the interned valid value, or `u32::MAX`.
fn exclusive_values(config: &ResolverConfig, data: &Dataset) -> Vec<Vec<u32>> {
    config
        .exclusive_fields()
        .iter()
        .filter_map(|name| data.schema.field_index(name))
        .map(|field| {
            let mut ids: foldhash::HashMap<String, u32> = foldhash::HashMap::default();
            data.records
                .iter()
                .map(|record| {
                    let value = &record.fields[field];
                    match &value.value {
                        Some(v) if !value.has(IssueKind::Invalid) => {
                            let next = ids.len() as u32;
                            *ids.entry(v.norm()).or_insert(next)
                        }
                        _ => u32::MAX,
                    }
                })
                .collect()
        })
        .collect()
}
