//! What the facade gives the merge stage's clustering policy
//! ([`sameas_merge::cluster::policy`]): which comparisons are personal and what each of
//! their levels says (from the match stage's comparisons and trained weights), the
//! exclusive values of the records, and match's scored pairs as merge reads them.

use sameas_core::RecordId;
use sameas_match::{ComparisonMethod, Dataset, ScoredPairs};
use sameas_merge::cluster::Clustering;
use sameas_merge::cluster::Edge;
use sameas_merge::cluster::HouseholdGuard;
pub(super) use sameas_merge::cluster::policy::must_link_edge;
use sameas_merge::cluster::policy::{self, Evidence, PersonalEvidence, ScoredPairsView};
pub(crate) use sameas_merge::cluster::policy::{EdgeGuard, EdgeMask};
use sameas_merge::cluster::{ClusterAttribute, ClusterReading};
use sameas_normalize::IssueKind;
use sameas_normalize::gender::Gender;
use sameas_normalize::record::NormalizedRecord;

use crate::ResolverConfig;

/// Match's scored pairs as merge reads them.
fn view(scored: &ScoredPairs) -> ScoredPairsView<'_> {
    ScoredPairsView {
        pairs: &scored.pairs,
        weights: &scored.weights,
        probabilities: &scored.probabilities,
        levels: &scored.levels,
        comparisons: scored.comparisons,
        component_pairs: scored.component_pairs,
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
            exclusive_values(config, &data.schema, &data.records),
            cluster_attributes(config, &data.schema, &data.records),
        ))
    }

    /// As [`Constraints::new`], over held records read in place: `ids` and `records` are
    /// the records in the order `scored` numbers them.
    pub(crate) fn of_records(
        config: &ResolverConfig,
        ids: &[RecordId],
        records: &[&NormalizedRecord],
        scored: &ScoredPairs,
    ) -> Self {
        Constraints(policy::Constraints::new(
            &config.clustering,
            ids,
            &view(scored),
            personal_evidence(config).as_ref(),
            exclusive_values(config, &config.schema, records),
            cluster_attributes(config, &config.schema, records),
        ))
    }

    /// The edges `mask` marks and their clustering under the constraints.
    pub(crate) fn cluster(
        &self,
        config: &ResolverConfig,
        ids: &[RecordId],
        scored: &ScoredPairs,
        mask: &EdgeMask,
        guard: Option<&EdgeGuard>,
    ) -> (Vec<Edge>, Clustering) {
        self.0
            .cluster(config.clustering.method, ids, &view(scored), mask, guard)
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

/// Why the household guard holds back a pair that scores as a match, in words; `None`
/// when the pair is no match, a deterministic rule forces it, the guard lets it through or
/// is off. `explanation` is the pair's, under `config` (its comparisons in the
/// configuration's order); the words name comparisons, levels and weights, never values.
pub fn household_guard_note(
    config: &ResolverConfig,
    explanation: &sameas_match::PairExplanation,
) -> Option<String> {
    if !explanation.is_match || explanation.match_probability >= 1.0 {
        return None;
    }
    let guard = edge_guard(config)?;
    let levels: Vec<u8> = explanation
        .comparisons
        .iter()
        .map(|c| c.level_index)
        .collect();
    if guard.allows(&levels) {
        return None;
    }
    let evidence = guard.evidence();
    let (mut agreeing, mut disagreeing, mut contacts) = (Vec::new(), Vec::new(), Vec::new());
    for (i, c) in explanation.comparisons.iter().enumerate() {
        let said = format!("{} {} ({:+.2})", c.comparison, c.level, c.weight);
        match evidence.evidence(i, c.level_index) {
            Evidence::For => agreeing.push(said),
            Evidence::Against => disagreeing.push(said),
            Evidence::ContactDiffers => contacts.push(said),
            Evidence::None => {}
        }
    }
    let why = if !agreeing.is_empty() {
        format!(
            "the agreement of {} is outweighed by {}: two people, of one household",
            agreeing.join(", "),
            disagreeing.join(", ")
        )
    } else if !disagreeing.is_empty() {
        format!(
            "{} and no personal comparison agrees: two people, of one household",
            disagreeing.join(", ")
        )
    } else if !contacts.is_empty() {
        format!(
            "{} and no personal comparison agrees: a household member with a number of their own",
            contacts.join(", ")
        )
    } else {
        "no personal comparison agrees (the guard asks for one)".to_string()
    };
    Some(format!(
        "held back by the household guard, so no edge: {why}"
    ))
}

/// Which of `scored` are edges at `threshold` under `guard` (see [`EdgeMask`]).
pub(crate) fn edge_mask(
    scored: &ScoredPairs,
    threshold: f64,
    guard: Option<&EdgeGuard>,
) -> EdgeMask {
    EdgeMask::new(&view(scored), threshold, guard)
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
    let shared = shared_by_households(model);
    let levels = config
        .matching
        .comparisons
        .iter()
        .zip(&model.comparisons)
        .zip(&shared)
        .map(|((comparison, trained), &shared)| {
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
                // its difference does, where households live. A family name that differs
                // outright is a second person (a spouse keeps hers), and so is a gender
                // that differs (张先生 and 张女士 at one address); a phone that differs is a
                // contact of their own.
                let differs = match comparison.method {
                    // Without households, a family name or a gender that differs is
                    // changed or mistyped (`女` typed for 郑强, a peer's title for his
                    // surname) or the other fields tell the two apart already: the score
                    // weighs it, as any field.
                    ComparisonMethod::FamilyName { .. } | ComparisonMethod::Gender
                        if clustering.household_guard != HouseholdGuard::NoEvidenceAgainst =>
                    {
                        Evidence::Against
                    }
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
                        // What a household shares does not vouch for one person.
                        if shared {
                            Evidence::None
                        } else {
                            Evidence::For
                        }
                    } else if l == last && trained.weight(l) <= -clustering.min_personal_weight {
                        Evidence::Against
                    } else {
                        Evidence::None
                    }
                })
                .collect()
        })
        .collect();
    let per_comparison = |is: fn(&ComparisonMethod) -> bool| -> Vec<bool> {
        config
            .matching
            .comparisons
            .iter()
            .map(|c| is(&c.method))
            .collect()
    };
    let identifiers = per_comparison(|m| matches!(m, ComparisonMethod::Identifier { .. }));
    let strengths = model
        .comparisons
        .iter()
        .map(|trained| {
            (0..trained.levels.len())
                .map(|l| trained.weight(l).abs())
                .collect()
        })
        .collect();
    // A given name is shared by many unrelated people: its agreement vouches for a pair,
    // but adds nothing to the personal weight that can outweigh evidence against.
    let common = per_comparison(|m| matches!(m, ComparisonMethod::GivenName { .. }));
    Some(
        PersonalEvidence::new(levels, identifiers)
            .with_strengths(strengths)
            .with_common_agreement(common)
            .with_cluster_reading(per_comparison(|m| cluster_reading(m).is_some()))
            .with_shareable_agreement(per_comparison(|m| {
                matches!(m, ComparisonMethod::Email { .. })
            })),
    )
}

/// How a comparison's difference is read against two clusters as wholes, if it is: a
/// gender by the clusters' majorities (mistyped now and then, two values only), a family
/// or given name by the names a cluster holds (one person known by two).
fn cluster_reading(method: &ComparisonMethod) -> Option<ClusterReading> {
    match method {
        ComparisonMethod::Gender => Some(ClusterReading::Majority),
        ComparisonMethod::FamilyName { .. }
        | ComparisonMethod::GivenName { .. }
        | ComparisonMethod::Identifier { .. } => Some(ClusterReading::Held),
        _ => None,
    }
}

/// The attributes of the comparisons read cluster by cluster (in the order of `config`'s
/// comparisons), each with its value per record, numbered in record order: a gender, a
/// family or given name key, an identifier; `u32::MAX` for none.
fn cluster_attributes<R: std::borrow::Borrow<NormalizedRecord> + Sync>(
    config: &ResolverConfig,
    schema: &sameas_core::Schema,
    records: &[R],
) -> Vec<ClusterAttribute> {
    use rayon::prelude::*;
    use sameas_match::compare::{record_gender, record_identifier, record_name_keys};
    use std::hash::BuildHasher;
    let read: Vec<(&ComparisonMethod, ClusterReading, Vec<usize>)> = config
        .matching
        .comparisons
        .iter()
        .filter_map(|comparison| {
            let fields = comparison
                .fields
                .iter()
                .filter_map(|name| schema.field_index(name))
                .collect();
            Some((
                &comparison.method,
                cluster_reading(&comparison.method)?,
                fields,
            ))
        })
        .collect();
    if read.is_empty() {
        return Vec::new();
    }
    // Each record's keys hashed on every core, in one pass (no key is kept: 64 bits tell a
    // cluster's names apart); then numbered in record order.
    let hasher = foldhash::quality::FixedState::with_seed(0);
    let hash = |key: Option<&str>| key.map(|key| hasher.hash_one(key));
    let keys: Vec<Vec<Option<u64>>> = records
        .par_iter()
        .map(|record| {
            let record: &NormalizedRecord = record.borrow();
            read.iter()
                .map(|(method, _, fields)| match method {
                    ComparisonMethod::Gender => {
                        record_gender(record, fields).map(|g| u64::from(g == Gender::Female))
                    }
                    ComparisonMethod::FamilyName { .. } => {
                        let [family, _] = record_name_keys(record, fields);
                        hash(family.as_deref())
                    }
                    ComparisonMethod::GivenName { .. } => {
                        let [_, given] = record_name_keys(record, fields);
                        hash(given.as_deref())
                    }
                    _ => hash(record_identifier(record, fields)),
                })
                .collect()
        })
        .collect();
    read.iter()
        .enumerate()
        .map(|(k, &(_, reading, _))| ClusterAttribute {
            reading,
            values: numbered_in_order(keys.iter().map(|record_keys| record_keys[k])),
        })
        .collect()
}

/// The first of `config`'s comparisons whose method `is` says yes to.
fn comparison_position(
    config: &ResolverConfig,
    is: fn(&ComparisonMethod) -> bool,
) -> Option<usize> {
    config
        .matching
        .comparisons
        .iter()
        .position(|c| is(&c.method))
}

/// Scored pairs that share a family name and an address needed before households are read.
const HOUSEHOLD_READING_PAIRS: u64 = 100;

/// The household share below which the data holds no households: fewer than one in ten of
/// the pairs that share a family name and an address are two people.
const NO_HOUSEHOLDS_BELOW: f64 = 0.1;

/// What a fit read of households in the data, for the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HouseholdReading {
    /// The address level read: the most specific one with enough pairs (`same_detail`
    /// with `similar_detail`, then `same_district`, then `same_city`).
    pub address_level: String,
    /// Scored pairs with the same family name at that address level, both given names
    /// compared.
    pub pairs: u64,
    /// The share of those whose given names differ.
    pub given_name_differs: f64,
    /// The share of one person's record pairs whose given names differ: the trained m of
    /// the given name's `different` level.
    pub name_noise: f64,
    /// What the difference says: the share of those pairs that are two people,
    /// `(differs − noise) / (1 − noise)`.
    pub household_share: f64,
    /// The guard the fit chose.
    pub guard: sameas_merge::cluster::HouseholdGuard,
}

/// Reads from the scored candidate pairs whether the data holds households, and so
/// whether the household guard is needed. Two records with one family name at one address
/// are one person or two of one household; one person's records give different given names
/// only as often as the model's name noise (the trained m of the given name's `different`
/// level), so any excess over it is households. Historical registers and FEBRL hold none
/// (historical persons at one postcode differ on the given name in 8.7% of pairs against a
/// noise of 6.0%); retail files and pseudopeople are full of them (26–69% against under 5%).
/// Where the excess is below [`NO_HOUSEHOLDS_BELOW`] the guard holds back only pairs with
/// evidence of two people (two personal comparisons that differ, or an identifier): the
/// pairs it would hold back for one differing given name are one person's name variants
/// (`nessie` and `agnes`). `None` (the guard stays on) without a
/// trained family name, given name and address, or with fewer than
/// [`HOUSEHOLD_READING_PAIRS`] such pairs at any address level.
pub(crate) fn read_households(
    config: &ResolverConfig,
    scored: &ScoredPairs,
) -> Option<HouseholdReading> {
    let model = config.matching.model.as_ref()?;
    let position = |is: fn(&ComparisonMethod) -> bool| comparison_position(config, is);
    let family = position(|m| matches!(m, ComparisonMethod::FamilyName { .. }))?;
    let given = position(|m| matches!(m, ComparisonMethod::GivenName { .. }))?;
    let address = position(|m| matches!(m, ComparisonMethod::Address { .. }))?;
    let level_of = |c: usize, name: &str| {
        model.comparisons[c]
            .levels
            .iter()
            .position(|l| l.name == name)
            .map(|l| l as u8)
    };
    let family_exact = level_of(family, "exact")?;
    let given_levels = &model.comparisons[given].levels;
    let given_differs = (given_levels.len() - 1) as u8;
    let family_only = level_of(given, "family_only");
    const TIERS: [&[&str]; 3] = [
        &["same_detail", "similar_detail"],
        &["same_district"],
        &["same_city"],
    ];
    // Per tier: pairs, and those whose given names differ.
    let mut counts = [(0u64, 0u64); TIERS.len()];
    let tier_of: Vec<Option<usize>> = model.comparisons[address]
        .levels
        .iter()
        .map(|l| TIERS.iter().position(|t| t.contains(&l.name.as_str())))
        .collect();
    for i in 0..scored.len() {
        let levels = scored.levels_of(i);
        let g = levels[given];
        if levels[family] != family_exact || g == 0 || Some(g) == family_only {
            continue;
        }
        if let Some(Some(tier)) = tier_of.get(usize::from(levels[address])) {
            counts[*tier].0 += 1;
            counts[*tier].1 += u64::from(g == given_differs);
        }
    }
    let tier = counts
        .iter()
        .position(|&(pairs, _)| pairs >= HOUSEHOLD_READING_PAIRS)?;
    let (pairs, differs) = counts[tier];
    let given_name_differs = differs as f64 / pairs as f64;
    let name_noise = given_levels[usize::from(given_differs)].m;
    let household_share = (given_name_differs - name_noise) / (1.0 - name_noise).max(1e-9);
    Some(HouseholdReading {
        address_level: TIERS[tier].join("+"),
        pairs,
        given_name_differs,
        name_noise,
        household_share,
        guard: if household_share < NO_HOUSEHOLDS_BELOW {
            HouseholdGuard::NoEvidenceAgainst
        } else {
            HouseholdGuard::NoPersonalDisagreement
        },
    })
}

/// Exact pairs an identifier needs before its share of differing given names is read.
const AGREEMENT_PAIRS_READ: u64 = 100;

/// The excess share of differing given names, over the data's own name noise, at which an
/// identifier counts as shared: one agreement in fifty between two people of a household is
/// too many for its agreement to vouch for one person.
const SHARED_EXCESS: f64 = 0.02;

/// Per comparison, whether it is an identifier or an e-mail that households share, read
/// from the training pairs ([`ExactAgreement`](sameas_match::ExactAgreement)).
///
/// Two records of one person that agree on a personal identifier still have given names
/// the name comparison calls `different` now and then (a name the tables cannot reconcile):
/// the data's name noise, the same for every personal identifier. The least such share
/// among the identifiers is taken as that noise. An identifier whose share exceeds it by
/// [`SHARED_EXCESS`] of its pairs also agrees between people with names of their own, a
/// family tablet's device id or a shared account: its agreement then does not vouch for one
/// person, while its difference still says what the weights say of it. With one
/// identifier there is nothing to compare against, and it stays personal.
pub(crate) fn shared_by_households(model: &sameas_match::TrainedModel) -> Vec<bool> {
    let read = |c: &sameas_match::ComparisonModel| {
        c.exact_agreement
            .filter(|a| a.pairs >= AGREEMENT_PAIRS_READ)
            .map(|a| a.differing_share())
    };
    let noise = model
        .comparisons
        .iter()
        .filter_map(read)
        .min_by(f64::total_cmp);
    model
        .comparisons
        .iter()
        .map(|c| match (read(c), noise) {
            (Some(share), Some(noise)) if noise < 1.0 => {
                (share - noise) / (1.0 - noise) >= SHARED_EXCESS
            }
            _ => false,
        })
        .collect()
}

/// Adds to the training diagnostics of each identifier that households share (see
/// [`shared_by_households`]) what was seen and what it means for clustering.
pub(crate) fn note_shared_identifiers(
    model: &sameas_match::TrainedModel,
    diagnostics: &mut [sameas_match::ComparisonDiagnostics],
) {
    for ((comparison, shared), diagnostic) in model
        .comparisons
        .iter()
        .zip(shared_by_households(model))
        .zip(diagnostics.iter_mut())
    {
        if let (true, Some(agreement)) = (shared, comparison.exact_agreement) {
            diagnostic.warnings.push(format!(
                "shared by households: {:.1}% of {} training pairs that agree on it have \
                 given names that differ, more than the data's other identifiers; its \
                 agreement does not vouch for one person when clustering",
                100.0 * agreement.differing_share(),
                agreement.pairs
            ));
        }
    }
}

/// Per exclusive field, per record: the interned valid value, or `u32::MAX`.
fn exclusive_values<R: std::borrow::Borrow<NormalizedRecord>>(
    config: &ResolverConfig,
    schema: &sameas_core::Schema,
    records: &[R],
) -> Vec<Vec<u32>> {
    config
        .exclusive_fields()
        .iter()
        .filter_map(|name| schema.field_index(name))
        .map(|field| {
            numbered_in_order(records.iter().map(|record| {
                let value = record.borrow().field(field);
                match &value.value {
                    Some(v) if !value.has(IssueKind::Invalid) => Some(v.norm()),
                    _ => None,
                }
            }))
        })
        .collect()
}

/// Each value numbered by its first appearance (0, 1, 2 … in order), `u32::MAX` for none:
/// the same numbers however the values are spelled as keys.
fn numbered_in_order<K: std::hash::Hash + Eq>(values: impl Iterator<Item = Option<K>>) -> Vec<u32> {
    let mut ids: foldhash::HashMap<K, u32> = foldhash::HashMap::default();
    values
        .map(|value| {
            value.map_or(u32::MAX, |key| {
                let next = ids.len() as u32;
                *ids.entry(key).or_insert(next)
            })
        })
        .collect()
}

/// Positive components of at most this many records have every pair inside them scored,
/// not only blocking's candidates. Completing a component of k records costs fewer than
/// k / 2 comparisons per record, so the cap bounds the extra work at 16 per record.
pub(crate) const COMPLETED_COMPONENT_MAX: usize = 32;

/// Scores the pairs that blocking did not make candidates inside each positive component
/// (records joined by edges at `threshold` the guard allows) of 3 to
/// [`COMPLETED_COMPONENT_MAX`] records, and appends them to `scored` (counted in its
/// `component_pairs`). Their evidence against is outweighable, never absolute: the chain
/// that joined the two records is evidence too, and on files of many variant records per
/// person (historical names) absolute refusals split true entities.
///
/// Constraints are only as good as the pairs they see. A chain through records that say
/// little (a family name alone, a phone alone) joins people whose own records were never
/// compared, because no blocking key put them together: 黄秀英 and 谢德华 meet through
/// 黄女士 on the family's phone. Scored, such a pair shows the personal evidence against
/// that keeps them apart. The batch run and incremental re-clustering complete components
/// the same way, so both give the same partition.
///
/// `score` scores pairs of record positions (as `scored` numbers them), in the order given.
/// Returns which of the pairs, those appended included, are edges: the one edge pass every
/// later reader shares.
pub(crate) fn complete_components(
    scored: &mut ScoredPairs,
    mut score: impl FnMut(&[(u32, u32)]) -> ScoredPairs,
    records: usize,
    threshold: f64,
    guard: Option<&EdgeGuard>,
) -> EdgeMask {
    let mut mask = edge_mask(scored, threshold, guard);
    let mut parent: Vec<u32> = (0..records as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for i in mask.indices() {
        let (a, b) = scored.pairs[i];
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            // The smaller root wins, so the roots do not depend on the pairs' order.
            let (keep, join) = (ra.min(rb), ra.max(rb));
            parent[join as usize] = keep;
        }
    }
    let roots: Vec<u32> = (0..records as u32).map(|x| root(&mut parent, x)).collect();
    let mut size = vec![0u32; records];
    for &r in &roots {
        size[r as usize] += 1;
    }
    let completed = |r: u32| (3..=COMPLETED_COMPONENT_MAX as u32).contains(&size[r as usize]);
    // Members of each completed component, in record order; and its pairs already scored.
    let mut members: foldhash::HashMap<u32, Vec<u32>> = foldhash::HashMap::default();
    for (x, &r) in roots.iter().enumerate() {
        if completed(r) {
            members.entry(r).or_default().push(x as u32);
        }
    }
    if members.is_empty() {
        return mask;
    }
    let mut known: foldhash::HashSet<(u32, u32)> = foldhash::HashSet::default();
    for &(a, b) in &scored.pairs {
        let r = roots[a as usize];
        if r == roots[b as usize] && completed(r) {
            known.insert((a.min(b), a.max(b)));
        }
    }
    let mut components: Vec<(u32, Vec<u32>)> = members.into_iter().collect();
    components.sort_unstable_by_key(|(r, _)| *r);
    let mut extra = Vec::new();
    for (_, list) in &components {
        for (i, &a) in list.iter().enumerate() {
            for &b in &list[i + 1..] {
                if !known.contains(&(a, b)) {
                    extra.push((a, b));
                }
            }
        }
    }
    if extra.is_empty() {
        return mask;
    }
    let added = score(&extra);
    scored.component_pairs += added.len();
    // Exactly the room the added pairs need: a vector grown by `extend` doubles, and the
    // scored pairs are held until clustering ends (at a million records, 6.8M pairs and
    // 0.14M added, doubling held 0.2 GB of unused room through the cluster stage's peak).
    scored.pairs.reserve_exact(added.pairs.len());
    scored.weights.reserve_exact(added.weights.len());
    scored
        .probabilities
        .reserve_exact(added.probabilities.len());
    scored.levels.reserve_exact(added.levels.len());
    scored.pairs.extend(added.pairs);
    scored.weights.extend(added.weights);
    scored.probabilities.extend(added.probabilities);
    scored.levels.extend(added.levels);
    mask.extend(&view(scored), guard);
    mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use sameas_match::{ComparisonModel, ExactAgreement, TrainedModel, TrainingMethod};

    fn comparison(name: &str, agreement: Option<(u64, u64)>) -> ComparisonModel {
        ComparisonModel {
            name: name.to_string(),
            levels: Vec::new(),
            m_trained_by: Vec::new(),
            exact_agreement: agreement.map(|(pairs, given_name_differs)| ExactAgreement {
                pairs,
                given_name_differs,
            }),
        }
    }

    fn model(comparisons: Vec<ComparisonModel>) -> TrainedModel {
        TrainedModel {
            prior: 0.01,
            comparisons,
            method: TrainingMethod::Unsupervised,
            u_sample_pairs: 0,
            prior_evidence_pairs: 0,
        }
    }

    /// Scored pairs with one comparison, level 1 for each.
    fn scored(pairs: &[(u32, u32)], probabilities: &[f64]) -> ScoredPairs {
        ScoredPairs {
            pairs: pairs.to_vec(),
            weights: vec![0.0; pairs.len()],
            probabilities: probabilities.to_vec(),
            levels: vec![1; pairs.len()],
            comparisons: 1,
            component_pairs: 0,
        }
    }

    #[test]
    fn completing_components_gives_the_edges_of_every_pair_it_holds() {
        // A chain 0-1-2-3 of edges and a pair below the threshold: one component of four,
        // completed with the three pairs blocking did not find.
        let mut pairs = scored(&[(0, 1), (1, 2), (2, 3), (3, 4)], &[0.9, 0.95, 1.0, 0.1]);
        let mut asked = Vec::new();
        let mask = complete_components(
            &mut pairs,
            |extra| {
                asked.extend_from_slice(extra);
                let probabilities: Vec<f64> = extra
                    .iter()
                    .map(|&(a, _)| [0.2, 0.99][a as usize % 2])
                    .collect();
                scored(extra, &probabilities)
            },
            5,
            0.5,
            None,
        );
        assert_eq!(asked, [(0, 2), (0, 3), (1, 3)]);
        assert_eq!((pairs.len(), pairs.component_pairs), (7, 3));
        assert_eq!(mask, edge_mask(&pairs, 0.5, None));
        assert_eq!(mask.indices().collect::<Vec<_>>(), [0, 1, 2, 6]);
    }

    #[test]
    fn a_gender_or_family_name_that_differs_says_two_people_only_where_households_live() {
        let csv = "id,name,gender,phone\n1,Ann Lee,F,(702) 919-1300\n2,Bo Chan,M,702-919-1301\n";
        let table = crate::table::read_csv(csv.as_bytes(), None).unwrap();
        let mut config = ResolverConfig::infer(&table, &crate::InferOptions::default())
            .unwrap()
            .config;
        // Every comparison two levels past `null` (agrees, differs), each differing level
        // far below nothing.
        let comparisons = config
            .matching
            .comparisons
            .iter()
            .map(|c| {
                let mut trained = comparison(&c.name, None);
                trained.levels = ["null", "agrees", "differs"]
                    .iter()
                    .zip([(1.0, 1.0), (0.9, 0.01), (0.1, 0.99)])
                    .map(|(name, (m, u))| sameas_match::LevelModel {
                        name: name.to_string(),
                        m,
                        u,
                    })
                    .collect();
                trained
            })
            .collect();
        config.matching.model = Some(model(comparisons));
        let position =
            |is: fn(&ComparisonMethod) -> bool| comparison_position(&config, is).unwrap();
        let gender = position(|m| *m == ComparisonMethod::Gender);
        let family = position(|m| matches!(m, ComparisonMethod::FamilyName { .. }));
        let mut says = |guard| {
            config.clustering.household_guard = guard;
            let evidence = personal_evidence(&config).unwrap();
            [evidence.evidence(gender, 2), evidence.evidence(family, 2)]
        };
        // 张先生 and 张女士, or 张伟 and 李娜, at one address: two people of a household.
        let two = [Evidence::Against, Evidence::Against];
        assert_eq!(says(HouseholdGuard::NoPersonalDisagreement), two);
        assert_eq!(says(HouseholdGuard::Read), two);
        // In a file without households a gender or a family name that differs is mistyped
        // or changed, or the other fields tell the two people apart.
        assert_eq!(
            says(HouseholdGuard::NoEvidenceAgainst),
            [Evidence::None, Evidence::None]
        );
    }

    #[test]
    fn an_identifier_households_share_is_told_from_the_name_noise() {
        let shared = shared_by_households(&model(vec![
            comparison("given_name", None),
            // Name noise: 0.5% of a member number's agreeing pairs.
            comparison("member_no", Some((12_000, 60))),
            comparison("email", Some((2_600, 20))),
            // A family tablet: 7.5%.
            comparison("device_id", Some((8_400, 630))),
            // Too few pairs to read.
            comparison("passport", Some((40, 20))),
        ]));
        assert_eq!(shared, [false, false, false, true, false]);
        // One identifier alone has nothing to be compared with.
        let alone = shared_by_households(&model(vec![comparison("ssn", Some((5_000, 800)))]));
        assert_eq!(alone, [false]);
    }
}
