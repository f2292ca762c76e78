//! How scored pairs become edges and constraints: the household guard, the personal
//! evidence for and against two records being one person, manual overrides, exclusive
//! values and scored cannot-links.

use sameas_core::RecordId;
use sameas_match::{ComparisonMethod, Dataset, ScoredPairs};
use sameas_merge::cluster::{ClusterProblem, Clustering, Edge, HouseholdGuard, cluster};
use sameas_normalize::IssueKind;

use crate::ResolverConfig;

/// What clustering holds fixed whatever the threshold: the manual overrides, the exclusive
/// values and the scored cannot-links.
pub(crate) struct Constraints {
    overrides: Overrides,
    exclusive: Vec<Vec<u32>>,
    /// Pairs never joined: manual cannot-links, and pairs with personal evidence against
    /// that the model scores below 0.5.
    cannot_link: Vec<(u32, u32)>,
    /// Pairs with personal evidence against that the model scores above 0.5: outweighed by
    /// enough edges.
    scored_cannot_link: Vec<(u32, u32)>,
}

impl Constraints {
    pub(crate) fn new(config: &ResolverConfig, data: &Dataset, scored: &ScoredPairs) -> Self {
        let overrides = Overrides::new(config, &data.ids);
        let evidence = PersonalEvidence::new(config);
        let (mut cannot_link, scored_cannot_link) = cannot_link_pairs(
            scored,
            config.clustering.cannot_link_below,
            evidence.as_ref(),
        );
        cannot_link.extend(overrides.cannot_link.iter().copied());
        Constraints {
            exclusive: exclusive_values(config, data),
            overrides,
            cannot_link,
            scored_cannot_link,
        }
    }

    /// The edges at `threshold` and their clustering under the constraints: what a batch
    /// run, a re-clustering and a threshold sweep share.
    pub(crate) fn cluster(
        &self,
        config: &ResolverConfig,
        ids: &[RecordId],
        scored: &ScoredPairs,
        threshold: f64,
        guard: Option<&EdgeGuard>,
    ) -> (Vec<Edge>, Clustering) {
        let edges = positive_edges(scored, threshold, guard, &self.overrides.must_link);
        let clustering = cluster(
            &ClusterProblem {
                ids,
                edges: &edges,
                cannot_link: &self.cannot_link,
                scored_cannot_link: &self.scored_cannot_link,
                must_link: &self.overrides.must_link,
                exclusive: &self.exclusive,
            },
            config.clustering.method,
        );
        (edges, clustering)
    }
}

pub(super) fn must_link_edge(a: u32, b: u32) -> Edge {
    Edge {
        a: a.min(b),
        b: a.max(b),
        weight: 0.0,
        probability: 1.0,
    }
}

/// Manual overrides resolved to record indices (pairs naming absent records are skipped:
/// an override file outlives the records it names).
struct Overrides {
    must_link: Vec<(u32, u32)>,
    cannot_link: Vec<(u32, u32)>,
}

impl Overrides {
    fn new(config: &ResolverConfig, ids: &[RecordId]) -> Overrides {
        let c = &config.clustering;
        if c.must_link.is_empty() && c.cannot_link.is_empty() {
            return Overrides {
                must_link: Vec::new(),
                cannot_link: Vec::new(),
            };
        }
        let index: foldhash::HashMap<&str, u32> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect();
        let resolve = |pairs: &[[String; 2]]| -> Vec<(u32, u32)> {
            pairs
                .iter()
                .filter_map(|[a, b]| {
                    let (a, b) = (*index.get(a.as_str())?, *index.get(b.as_str())?);
                    (a != b).then_some((a.min(b), a.max(b)))
                })
                .collect()
        };
        Overrides {
            must_link: resolve(&c.must_link),
            cannot_link: resolve(&c.cannot_link),
        }
    }
}

/// What each level of the personal comparisons says about two records being one person.
/// Personal comparisons are those of what a person has and a household does not share: a
/// given name, a birth date, a national id or another identifier (as configured in
/// `clustering.personal_comparisons`). A family name, a phone, an e-mail and an address are
/// what families share, so their agreement is no evidence against a household.
pub(crate) struct PersonalEvidence {
    /// Per comparison: per level, what it says (empty when the comparison is not personal).
    levels: Vec<Vec<Evidence>>,
    /// Per comparison: whether it compares an identifier (a national id, a member number).
    identifiers: Vec<bool>,
}

impl PersonalEvidence {
    /// `None` when there is no model.
    pub(crate) fn new(config: &ResolverConfig) -> Option<PersonalEvidence> {
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
                if !is_personal {
                    return Vec::new();
                }
                // Only the last level (`different`) disagrees: a weaker level that weighs
                // less than nothing (an initial, a family name alone against a full name)
                // says the values are compatible, not that they differ.
                let last = trained.levels.len() - 1;
                (0..trained.levels.len())
                    .map(|l| {
                        if l == 0 {
                            Evidence::None
                        } else if trained.weight(l) >= clustering.min_personal_weight {
                            Evidence::For
                        } else if l == last && trained.weight(l) <= -clustering.min_personal_weight
                        {
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
        Some(PersonalEvidence {
            levels,
            identifiers,
        })
    }

    /// What the pair's personal comparisons say: whether one agrees, how many disagree,
    /// and whether an identifier is among those.
    fn weigh(&self, levels: &[u8]) -> Weighed {
        let mut weighed = Weighed::default();
        for ((personal, &l), &identifier) in self.levels.iter().zip(levels).zip(&self.identifiers) {
            match personal.get(l as usize) {
                Some(Evidence::For) => weighed.agrees = true,
                Some(Evidence::Against) => {
                    weighed.disagreements += 1;
                    weighed.identifier_disagrees |= identifier;
                }
                _ => {}
            }
        }
        weighed
    }

    /// Whether the pair holds evidence that the two are different people: a personal
    /// comparison disagrees and none agrees. A low score from missing values, or from a
    /// changed phone or address, is not such evidence.
    ///
    /// One personal field that differs is not enough (a nickname the table lacks, a birth
    /// date typed a year off): two must differ, or an identifier, which people do not
    /// misspell the way they misspell names.
    fn against(&self, levels: &[u8]) -> bool {
        let weighed = self.weigh(levels);
        !weighed.agrees && (weighed.disagreements >= 2 || weighed.identifier_disagrees)
    }
}

/// The personal comparisons of one pair, counted.
#[derive(Default)]
struct Weighed {
    agrees: bool,
    disagreements: u32,
    identifier_disagrees: bool,
}

/// The household guard: which scored pairs at or above the threshold may become edges.
pub(crate) struct EdgeGuard {
    evidence: PersonalEvidence,
    /// Whether a pair needs personal agreement, or only no disagreement.
    require_agreement: bool,
}

impl EdgeGuard {
    /// `None` when the guard is off or there is no model.
    pub(crate) fn new(config: &ResolverConfig) -> Option<EdgeGuard> {
        let require_agreement = match config.clustering.household_guard {
            HouseholdGuard::Off => return None,
            HouseholdGuard::NoPersonalDisagreement => false,
            _ => true,
        };
        Some(EdgeGuard {
            evidence: PersonalEvidence::new(config)?,
            require_agreement,
        })
    }

    /// Whether the pair may be an edge: some personal comparison agrees, or (when the guard
    /// does not require agreement) none disagrees.
    fn allows(&self, levels: &[u8]) -> bool {
        let weighed = self.evidence.weigh(levels);
        weighed.agrees || (weighed.disagreements == 0 && !self.require_agreement)
    }
}

/// What one personal comparison's level says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Evidence {
    For,
    Against,
    None,
}

/// Whether scored pair `i` is an edge: at or above the threshold, and either forced by a
/// deterministic rule or carrying personal evidence.
pub(super) fn is_edge(
    scored: &ScoredPairs,
    i: usize,
    threshold: f64,
    guard: Option<&EdgeGuard>,
) -> bool {
    let p = scored.probabilities[i];
    p >= threshold && (p >= 1.0 || guard.is_none_or(|g| g.allows(scored.levels_of(i))))
}

/// Pairs that are edges (see [`is_edge`]), and the manual must-links.
fn positive_edges(
    scored: &ScoredPairs,
    threshold: f64,
    guard: Option<&EdgeGuard>,
    must_link: &[(u32, u32)],
) -> Vec<Edge> {
    let mut edges: Vec<Edge> = (0..scored.len())
        .filter(|&i| is_edge(scored, i, threshold, guard))
        .map(|i| {
            let (a, b) = scored.pairs[i];
            Edge {
                a,
                b,
                weight: scored.weights[i],
                probability: scored.probabilities[i],
            }
        })
        .collect();
    edges.extend(must_link.iter().map(|&(a, b)| must_link_edge(a, b)));
    edges
}

/// Pairs of record indices.
type RecordPairs = Vec<(u32, u32)>;

/// Scored pairs that hold evidence they are different people (see
/// [`PersonalEvidence::against`]): those the model also scores below `below`
/// (`clustering.cannot_link_below`) keep two clusters apart always, like a manual
/// cannot-link; the others keep them apart unless more edges than twice such pairs join
/// them. A low score alone (missing values, a changed phone) is never a cannot-link.
/// Returns (always apart, outweighable).
fn cannot_link_pairs(
    scored: &ScoredPairs,
    below: f64,
    evidence: Option<&PersonalEvidence>,
) -> (RecordPairs, RecordPairs) {
    let (mut hard, mut soft) = (Vec::new(), Vec::new());
    let Some(evidence) = evidence else {
        return (hard, soft);
    };
    for i in 0..scored.len() {
        let p = scored.probabilities[i];
        if p < 1.0 && evidence.against(scored.levels_of(i)) {
            if p < below { &mut hard } else { &mut soft }.push(scored.pairs[i]);
        }
    }
    (hard, soft)
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
