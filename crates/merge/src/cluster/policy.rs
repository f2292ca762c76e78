//! Clustering policy: which scored pairs may become edges (the household guard), which keep
//! two clusters apart (personal evidence against, manual cannot-links, exclusive values),
//! and the manual must-links. The match stage scores pairs; what to make of a score is
//! decided here.

use sameas_core::RecordId;

use super::config::{ClusteringConfig, ClusteringMethod, HouseholdGuard};
use super::{ClusterAttribute, ClusterProblem, Clustering, Edge, Vouching, cluster};

/// Scored pairs as clustering reads them, borrowed from the match stage's output.
#[derive(Debug, Clone, Copy)]
pub struct ScoredPairsView<'a> {
    /// Record index pairs.
    pub pairs: &'a [(u32, u32)],
    /// Match weight per pair.
    pub weights: &'a [f64],
    /// Match probability per pair (1 for a pair a deterministic rule forces).
    pub probabilities: &'a [f64],
    /// Comparison levels, `comparisons` per pair, pair after pair.
    pub levels: &'a [u8],
    /// Comparisons per pair.
    pub comparisons: usize,
    /// How many of the last pairs were scored to complete positive components (pairs a
    /// chain of edges joins but blocking never paired), not found by blocking. Their
    /// evidence against is always outweighable: the chain that joins them is evidence too.
    pub component_pairs: usize,
}

impl ScoredPairsView<'_> {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The levels of pair `i`.
    pub fn levels_of(&self, i: usize) -> &[u8] {
        &self.levels[i * self.comparisons..(i + 1) * self.comparisons]
    }
}

/// What one level of a personal comparison says about two records being one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Evidence they are one person (a given name or a birth date that agrees).
    For,
    /// Evidence they are two (the `different` level of a given name or a birth date).
    Against,
    /// Neither (a missing value, a level that says only that the values are compatible).
    None,
    /// A contact that households may share (a phone) differs. On its own no evidence of two
    /// people (people change numbers), but where nothing personal agrees the pair's support
    /// is what a household shares (a family name, an address), and two members of one
    /// household with phones of their own fit it better than one person.
    ContactDiffers,
}

/// What each level of the personal comparisons says. Personal comparisons are those of
/// what a person has and a household does not share (a given name, a birth date, an
/// identifier); a family name, a phone and an address are what families share, so their
/// agreement is no evidence against a household.
#[derive(Debug, Clone)]
pub struct PersonalEvidence {
    /// Per comparison: per level, what it says (empty when the comparison is not personal).
    levels: Vec<Vec<Evidence>>,
    /// Per comparison: whether it compares an identifier (a national id, a member number).
    identifiers: Vec<bool>,
    /// Per comparison, per level: the size of the level's weight, where agreement is set
    /// against disagreement (empty: any agreement outweighs every disagreement).
    strengths: Vec<Vec<f64>>,
    /// Per comparison: whether its agreement is one that many unrelated people share (a
    /// given name). Such agreement vouches for a pair, but adds nothing to its
    /// [balance](Weighed::balance): the trained weight is an average over all names, and
    /// says nothing of how common this one is.
    common: Vec<bool>,
    /// Per comparison: whether its difference is read cluster by cluster (a gender, a
    /// name; see [`ClusterAttribute`]).
    cluster_read: Vec<bool>,
    /// Per comparison: whether even its exact agreement is one that a household's members
    /// may hold together (an e-mail): it vouches for one person only while it outweighs
    /// what disagrees beside it.
    shareable: Vec<bool>,
}

/// The personal comparisons of one pair, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Weighed {
    /// Some personal comparison agrees, not outweighed (see [`PersonalEvidence::weigh`]).
    pub agrees: bool,
    /// Personal comparisons that disagree.
    pub disagreements: u32,
    /// An identifier is among those that disagree.
    pub identifier_disagrees: bool,
    /// Some comparison disagrees, and every one that does is read cluster by cluster
    /// ([`PersonalEvidence::with_cluster_reading`]).
    pub cluster_read_only: bool,
    /// A contact that households may share differs ([`Evidence::ContactDiffers`]).
    pub contact_differs: bool,
    /// The personal weight of the pair: the strengths of its agreeing levels less those of
    /// its disagreeing ones (0 without [strengths](PersonalEvidence::with_strengths)), an
    /// agreement many unrelated people share left out
    /// ([`with_common_agreement`](PersonalEvidence::with_common_agreement)). What the pair
    /// says of one person against two, leaving out what households share.
    pub balance: f64,
}

impl Weighed {
    /// Whether the pair holds evidence that the two are different people: a personal
    /// comparison disagrees and none agrees. A low score from missing values, or from a
    /// changed phone or address, is not such evidence.
    ///
    /// One personal field that differs is not enough (a nickname the table lacks, a birth
    /// date typed a year off): two must differ, or an identifier, which people do not
    /// misspell the way they misspell names.
    pub fn against(&self) -> bool {
        !self.agrees && (self.disagreements >= 2 || self.identifier_disagrees)
    }

    /// Whether the pair is a personal conflict: some personal comparison disagrees and none
    /// agrees. Weaker than [`against`](Self::against), it keeps apart only what an
    /// unvouched edge would join.
    pub fn conflicts(&self) -> bool {
        !self.agrees && self.disagreements > 0
    }
}

impl PersonalEvidence {
    /// Evidence read from `levels` (per comparison, per level; empty for a comparison that
    /// is not personal) and `identifiers` (per comparison, whether it compares an
    /// identifier).
    pub fn new(levels: Vec<Vec<Evidence>>, identifiers: Vec<bool>) -> Self {
        PersonalEvidence {
            levels,
            identifiers,
            strengths: Vec::new(),
            common: Vec::new(),
            cluster_read: Vec::new(),
            shareable: Vec::new(),
        }
    }

    /// What level `level` of comparison `comparison` says; [`Evidence::None`] for a
    /// comparison that is not personal or a level past its levels.
    pub fn evidence(&self, comparison: usize, level: u8) -> Evidence {
        self.levels
            .get(comparison)
            .and_then(|levels| levels.get(usize::from(level)))
            .copied()
            .unwrap_or(Evidence::None)
    }

    /// The same evidence, with the size of each level's weight (log2 Bayes factor, per
    /// comparison, per level). An agreement short of exact (a similar given name, a birth
    /// date a digit off) then vouches for one person only while it outweighs the
    /// disagreements beside it: `刘燕` and `王洋` at one address, their given names read as
    /// similar (yan, yang), are two people when their family names and e-mails differ.
    pub fn with_strengths(mut self, strengths: Vec<Vec<f64>>) -> Self {
        self.strengths = strengths;
        self
    }

    /// The same evidence, with the comparisons whose agreement many unrelated people share
    /// (per comparison; see [`Weighed::balance`]).
    pub fn with_common_agreement(mut self, common: Vec<bool>) -> Self {
        self.common = common;
        self
    }

    /// The same evidence, with the comparisons whose difference is read cluster by cluster
    /// (per comparison; see [`ClusterAttribute`]): two clusters
    /// whose only personal conflicts are such differences conflict only where the clusters
    /// do not reconcile them.
    pub fn with_cluster_reading(mut self, cluster_read: Vec<bool>) -> Self {
        self.cluster_read = cluster_read;
        self
    }

    /// The same evidence, with the comparisons whose exact agreement a household may hold
    /// together (per comparison: an e-mail), which then gives way, as a weaker agreement
    /// does, to disagreements that weigh more.
    pub fn with_shareable_agreement(mut self, shareable: Vec<bool>) -> Self {
        self.shareable = shareable;
        self
    }

    /// What a pair with these comparison levels says: whether one personal comparison
    /// agrees, how many disagree, and whether an identifier is among those. With
    /// [strengths](Self::with_strengths), agreement that is nowhere exact is outweighed by
    /// two or more disagreements, or a differing identifier, that weigh more: it says two
    /// people, not one. The personal weights are what tells one person from another of the
    /// same household, whose shared fields (address, family name, phone) say nothing
    /// either way.
    pub fn weigh(&self, levels: &[u8]) -> Weighed {
        let mut weighed = Weighed::default();
        let (mut exact_agreement, mut for_strength, mut against_strength) = (false, 0.0, 0.0);
        let mut contact_strength = 0.0f64;
        let mut specific_strength = 0.0;
        let mut other_disagreements = 0u32;
        let mut unshareable_agreement = false;
        for (c, ((personal, &l), &identifier)) in self
            .levels
            .iter()
            .zip(levels)
            .zip(&self.identifiers)
            .enumerate()
        {
            let strength = || {
                self.strengths
                    .get(c)
                    .and_then(|s| s.get(usize::from(l)))
                    .copied()
                    .unwrap_or(0.0)
            };
            match personal.get(usize::from(l)) {
                Some(Evidence::For) => {
                    weighed.agrees = true;
                    // Level 0 is a missing value, level 1 the strongest agreement.
                    let shareable = self.shareable.get(c).copied().unwrap_or(false);
                    exact_agreement |= l == 1 && !shareable;
                    unshareable_agreement |= !shareable;
                    let strength = strength();
                    for_strength += strength;
                    if !self.common.get(c).copied().unwrap_or(false) {
                        specific_strength += strength;
                    }
                }
                Some(Evidence::Against) => {
                    weighed.disagreements += 1;
                    weighed.identifier_disagrees |= identifier;
                    against_strength += strength();
                    if !self.cluster_read.get(c).copied().unwrap_or(false) {
                        other_disagreements += 1;
                    }
                }
                Some(Evidence::ContactDiffers) => {
                    weighed.contact_differs = true;
                    contact_strength = contact_strength.max(strength());
                }
                _ => {}
            }
        }
        weighed.balance = specific_strength - against_strength;
        weighed.cluster_read_only = weighed.disagreements > 0 && other_disagreements == 0;
        // A weak agreement gives way to two disagreements, or a differing identifier, that
        // weigh more; or to those beside a contact of their own (a phone that differs)
        // that weigh more together: `阿明` and `王敏` at one address, `ming` and `min` alike
        // in fuzzy pinyin, each with a phone: a household member, not one person.
        let outweighed = ((weighed.disagreements >= 2 || weighed.identifier_disagrees)
            && against_strength > for_strength)
            || (weighed.contact_differs && against_strength + contact_strength > for_strength);
        if weighed.agrees && !exact_agreement && !self.strengths.is_empty() && outweighed {
            weighed.agrees = false;
        }
        // Only a household's e-mail agrees, while a given name or a birth date differs and
        // each has a phone of their own: two members of the household, whatever the
        // e-mail's weight (a weight read as if people never shared one).
        if weighed.agrees
            && !unshareable_agreement
            && weighed.disagreements > 0
            && weighed.contact_differs
        {
            weighed.agrees = false;
        }
        weighed
    }

    /// Whether the pair holds evidence that the two are different people (see
    /// [`Weighed::against`]).
    pub fn against(&self, levels: &[u8]) -> bool {
        self.weigh(levels).against()
    }
}

/// The household guard: which scored pairs at or above the threshold may become edges.
#[derive(Debug, Clone)]
pub struct EdgeGuard {
    evidence: PersonalEvidence,
    /// What a pair needs of its personal comparisons.
    needs: GuardNeeds,
}

/// What the household guard asks of a pair's personal comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GuardNeeds {
    /// One that agrees.
    Agreement,
    /// One that agrees, or none that disagrees and no contact that differs.
    NoDisagreement,
    /// No evidence of two people ([`Weighed::against`]).
    NoEvidenceAgainst,
}

impl EdgeGuard {
    /// The guard `mode` asks for over `evidence`; `None` when the guard is off.
    pub fn new(mode: HouseholdGuard, evidence: PersonalEvidence) -> Option<EdgeGuard> {
        let needs = match mode {
            HouseholdGuard::Off => return None,
            // A guard never read from the data (a model from elsewhere) stays on.
            HouseholdGuard::NoPersonalDisagreement | HouseholdGuard::Read => {
                GuardNeeds::NoDisagreement
            }
            HouseholdGuard::NoEvidenceAgainst => GuardNeeds::NoEvidenceAgainst,
            _ => GuardNeeds::Agreement,
        };
        Some(EdgeGuard { evidence, needs })
    }

    /// The personal evidence the guard reads.
    pub fn evidence(&self) -> &PersonalEvidence {
        &self.evidence
    }

    /// Whether a pair with these levels may be an edge: some personal comparison agrees,
    /// or (when the guard does not require agreement) none disagrees and no contact a
    /// household may share differs; for data without households, whenever the personal
    /// comparisons do not say two people ([`Weighed::against`]).
    pub fn allows(&self, levels: &[u8]) -> bool {
        let weighed = self.evidence.weigh(levels);
        match self.needs {
            GuardNeeds::Agreement => weighed.agrees,
            GuardNeeds::NoDisagreement => {
                weighed.agrees || (weighed.disagreements == 0 && !weighed.contact_differs)
            }
            GuardNeeds::NoEvidenceAgainst => !weighed.against(),
        }
    }
}

/// Whether scored pair `i` is an edge: at or above the threshold, and either forced by a
/// deterministic rule or allowed by the household guard. Read through an [`EdgeMask`],
/// which asks once per pair.
fn is_edge(
    scored: &ScoredPairsView<'_>,
    i: usize,
    threshold: f64,
    guard: Option<&EdgeGuard>,
) -> bool {
    let p = scored.probabilities[i];
    p >= threshold && (p >= 1.0 || guard.is_none_or(|g| g.allows(scored.levels_of(i))))
}

/// Which scored pairs are edges at one threshold under one household guard: one bit per
/// pair, in the scored pairs' order. The policy is evaluated once per pair, here; every
/// reader (component completion, clustering, the guard's refusal count, the review list,
/// incremental adds) reads the mask.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeMask {
    bits: Vec<u64>,
    len: usize,
    threshold: f64,
}

impl EdgeMask {
    /// The edges among `scored` at `threshold` under `guard`.
    pub fn new(scored: &ScoredPairsView<'_>, threshold: f64, guard: Option<&EdgeGuard>) -> Self {
        let mut mask = EdgeMask {
            bits: Vec::new(),
            len: 0,
            threshold,
        };
        mask.extend(scored, guard);
        mask
    }

    /// Reads the pairs appended to `scored` since the mask was made or last extended
    /// (those past [`EdgeMask::len`]), at the mask's threshold under `guard`.
    pub fn extend(&mut self, scored: &ScoredPairsView<'_>, guard: Option<&EdgeGuard>) {
        let (from, to) = (self.len, scored.len());
        assert!(to >= from, "scored pairs are only ever appended to");
        self.bits.resize(to.div_ceil(64), 0);
        for i in from..to {
            if is_edge(scored, i, self.threshold, guard) {
                self.bits[i / 64] |= 1 << (i % 64);
            }
        }
        self.len = to;
    }

    /// The threshold the mask was made at.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Number of pairs the mask covers.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mask covers no pairs.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether scored pair `i` is an edge.
    ///
    /// # Panics
    /// When `i` is past the pairs the mask covers.
    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        assert!(
            i < self.len,
            "pair {i} past the {} the mask covers",
            self.len
        );
        self.bits[i / 64] >> (i % 64) & 1 == 1
    }

    /// The indices of the edges, ascending.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.bits.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    w * 64 + bit
                })
            })
        })
    }

    /// Number of edges.
    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// The edge a manual must-link makes.
pub fn must_link_edge(a: u32, b: u32) -> Edge {
    Edge {
        a: a.min(b),
        b: a.max(b),
        weight: 0.0,
        probability: 1.0,
    }
}

/// Pairs of record indices.
type RecordPairs = Vec<(u32, u32)>;

/// What clustering holds fixed whatever the threshold: the manual overrides, the exclusive
/// values and the scored cannot-links.
#[derive(Debug, Clone)]
pub struct Constraints {
    must_link: RecordPairs,
    /// Pairs never joined: manual cannot-links, and pairs with personal evidence against
    /// that the model scores below `cannot_link_below`.
    cannot_link: RecordPairs,
    /// Pairs with personal evidence against that the model scores higher: outweighed by
    /// enough edges.
    scored_cannot_link: RecordPairs,
    /// The personal weight of each of those ([`Weighed::balance`]).
    scored_cannot_link_balance: Vec<f32>,
    /// Whether each of those is read cluster by cluster ([`Weighed::cluster_read_only`]).
    scored_cannot_link_cluster_read: Vec<bool>,
    /// Pairs whose personal comparisons disagree and none agrees: they keep apart what
    /// only unvouched edges would join ([`Vouching`]).
    conflicts: RecordPairs,
    /// Conflicts whose disagreeing comparisons are all read cluster by cluster
    /// ([`PersonalEvidence::with_cluster_reading`]).
    cluster_conflicts: RecordPairs,
    /// Per exclusive field, per record: the interned valid value, or `u32::MAX`.
    exclusive: Vec<Vec<u32>>,
    /// The attributes those conflicts are read against.
    cluster_attributes: Vec<ClusterAttribute>,
}

impl Constraints {
    /// The constraints over records `ids`: `config`'s manual overrides (pairs naming absent
    /// records are skipped: an override file outlives the records it names), the scored
    /// pairs that hold personal evidence against, the `exclusive` values (per field, per
    /// record: a value id, or `u32::MAX` for none) and the `cluster_attributes` the
    /// conflicts of comparisons `evidence` reads cluster by cluster are read against.
    pub fn new(
        config: &ClusteringConfig,
        ids: &[RecordId],
        scored: &ScoredPairsView<'_>,
        evidence: Option<&PersonalEvidence>,
        exclusive: Vec<Vec<u32>>,
        cluster_attributes: Vec<ClusterAttribute>,
    ) -> Self {
        let (must_link, manual_cannot_link) = overrides(config, ids);
        let EvidenceAgainst {
            hard: mut cannot_link,
            soft: scored_cannot_link,
            soft_balance: scored_cannot_link_balance,
            soft_cluster_read: scored_cannot_link_cluster_read,
            conflicts,
            cluster_conflicts,
        } = evidence_against(
            scored,
            config.cannot_link_below,
            evidence,
            config.household_guard == HouseholdGuard::NoEvidenceAgainst,
        );
        cannot_link.extend(manual_cannot_link);
        Constraints {
            must_link,
            cannot_link,
            scored_cannot_link,
            scored_cannot_link_balance,
            scored_cannot_link_cluster_read,
            conflicts,
            cluster_conflicts,
            exclusive,
            cluster_attributes,
        }
    }

    /// The manual must-links, as record index pairs.
    pub fn must_link(&self) -> &[(u32, u32)] {
        &self.must_link
    }

    /// The edges `mask` marks among `scored` and their clustering under the constraints:
    /// what a batch run, a re-clustering and a threshold sweep share. `guard` is the one the
    /// mask was made under; it says which edges personal agreement vouches for.
    pub fn cluster(
        &self,
        method: ClusteringMethod,
        ids: &[RecordId],
        scored: &ScoredPairsView<'_>,
        mask: &EdgeMask,
        guard: Option<&EdgeGuard>,
    ) -> (Vec<Edge>, Clustering) {
        let PositiveEdges {
            edges,
            vouched,
            balance,
            identifier_differs,
        } = positive_edges(scored, mask, guard, &self.must_link);
        let clustering = cluster(
            &ClusterProblem {
                ids,
                edges: &edges,
                cannot_link: &self.cannot_link,
                scored_cannot_link: &self.scored_cannot_link,
                must_link: &self.must_link,
                exclusive: &self.exclusive,
                vouching: Vouching {
                    vouched: &vouched,
                    conflicts: &self.conflicts,
                    cluster_conflicts: &self.cluster_conflicts,
                    cluster_attributes: &self.cluster_attributes,
                    balance: &balance,
                    identifier_differs: &identifier_differs,
                    scored_cannot_link_balance: &self.scored_cannot_link_balance,
                    scored_cannot_link_cluster_read: &self.scored_cannot_link_cluster_read,
                },
            },
            method,
        );
        (edges, clustering)
    }
}

/// Manual overrides resolved to record indices: (must-links, cannot-links).
fn overrides(config: &ClusteringConfig, ids: &[RecordId]) -> (RecordPairs, RecordPairs) {
    if config.must_link.is_empty() && config.cannot_link.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let index: foldhash::HashMap<&str, u32> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as u32))
        .collect();
    let resolve = |pairs: &[[String; 2]]| -> RecordPairs {
        pairs
            .iter()
            .filter_map(|[a, b]| {
                let (a, b) = (*index.get(a.as_str())?, *index.get(b.as_str())?);
                (a != b).then_some((a.min(b), a.max(b)))
            })
            .collect()
    };
    (resolve(&config.must_link), resolve(&config.cannot_link))
}

/// Pairs that are edges (those `mask` marks) and the manual must-links, and per edge
/// whether personal agreement vouches for it and its personal weight ([`Weighed::balance`];
/// both empty without a guard: every edge is vouched for). A pair a deterministic rule
/// forces, and a must-link, is vouched for; a must-link weighs nothing.
fn positive_edges(
    scored: &ScoredPairsView<'_>,
    mask: &EdgeMask,
    guard: Option<&EdgeGuard>,
    must_link: &[(u32, u32)],
) -> PositiveEdges {
    debug_assert_eq!(
        mask.len(),
        scored.len(),
        "the mask covers every scored pair"
    );
    let kept: Vec<usize> = mask.indices().collect();
    let mut edges: Vec<Edge> = kept
        .iter()
        .map(|&i| {
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
    let mut positive = PositiveEdges {
        edges,
        ..PositiveEdges::default()
    };
    let Some(guard) = guard else {
        return positive;
    };
    for &i in &kept {
        let weighed = guard.evidence().weigh(scored.levels_of(i));
        positive
            .vouched
            .push(scored.probabilities[i] >= 1.0 || weighed.agrees);
        positive.balance.push(weighed.balance as f32);
        positive
            .identifier_differs
            .push(weighed.identifier_disagrees);
    }
    for _ in must_link {
        positive.vouched.push(true);
        positive.balance.push(0.0);
        positive.identifier_differs.push(false);
    }
    positive
}

/// The edges of [`positive_edges`] and, per edge (all empty without a guard), what
/// [`Vouching`] reads of it.
#[derive(Default)]
struct PositiveEdges {
    edges: Vec<Edge>,
    vouched: Vec<bool>,
    balance: Vec<f32>,
    identifier_differs: Vec<bool>,
}

/// What the scored pairs say against joining their records, in pair order.
#[derive(Default)]
struct EvidenceAgainst {
    /// Pairs with evidence they are different people (see [`PersonalEvidence::against`])
    /// that the model also scores below `clustering.cannot_link_below`: they keep two
    /// clusters apart always, like a manual cannot-link, unless they were scored to complete
    /// a component.
    hard: RecordPairs,
    /// The other pairs with such evidence: they keep two clusters apart unless more edges
    /// than twice such pairs join them, or the personal weights across are for joining.
    soft: RecordPairs,
    /// The personal weight of each soft pair ([`Weighed::balance`]).
    soft_balance: Vec<f32>,
    /// Whether each soft pair is read cluster by cluster ([`Weighed::cluster_read_only`]).
    soft_cluster_read: Vec<bool>,
    /// Personal conflicts ([`Weighed::conflicts`]): what keeps apart two clusters that only
    /// an unvouched edge would join.
    conflicts: RecordPairs,
    /// Those conflicts whose disagreeing comparisons are all read cluster by cluster
    /// ([`Weighed::cluster_read_only`]).
    cluster_conflicts: RecordPairs,
}

/// Pairs of scored pairs read per task of [`evidence_against`]: fixed, so that the work is
/// split the same way whatever the thread count.
const EVIDENCE_CHUNK: usize = 1 << 16;

/// Reads each scored pair's personal evidence once, in parallel, and sorts the pairs into
/// [`EvidenceAgainst`]'s lists. A low score alone (missing values, a changed phone) is never
/// a cannot-link.
fn evidence_against(
    scored: &ScoredPairsView<'_>,
    below: f64,
    evidence: Option<&PersonalEvidence>,
    no_households: bool,
) -> EvidenceAgainst {
    use rayon::prelude::*;
    let Some(evidence) = evidence else {
        return EvidenceAgainst::default();
    };
    let blocked = scored.len() - scored.component_pairs.min(scored.len());
    let chunks: Vec<EvidenceAgainst> = (0..scored.len().div_ceil(EVIDENCE_CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut found = EvidenceAgainst::default();
            let start = chunk * EVIDENCE_CHUNK;
            for i in start..(start + EVIDENCE_CHUNK).min(scored.len()) {
                let weighed = evidence.weigh(scored.levels_of(i));
                let pair = scored.pairs[i];
                // Without households, one differing given name is a name variant, not a
                // second person: only evidence against keeps unvouched edges apart.
                let conflict = if no_households {
                    weighed.against()
                } else {
                    weighed.conflicts()
                };
                if conflict && weighed.cluster_read_only {
                    found.cluster_conflicts.push(pair);
                } else if conflict {
                    found.conflicts.push(pair);
                }
                let p = scored.probabilities[i];
                if p < 1.0 && weighed.against() {
                    if p < below && i < blocked {
                        found.hard.push(pair);
                    } else {
                        found.soft.push(pair);
                        found.soft_balance.push(weighed.balance as f32);
                        found.soft_cluster_read.push(weighed.cluster_read_only);
                    }
                }
            }
            found
        })
        .collect();
    let mut all = EvidenceAgainst::default();
    for chunk in chunks {
        all.hard.extend(chunk.hard);
        all.soft.extend(chunk.soft);
        all.soft_balance.extend(chunk.soft_balance);
        all.soft_cluster_read.extend(chunk.soft_cluster_read);
        all.conflicts.extend(chunk.conflicts);
        all.cluster_conflicts.extend(chunk.cluster_conflicts);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One personal comparison (given name: exact For, different Against) and one shared
    /// (address), three levels each.
    fn evidence() -> PersonalEvidence {
        PersonalEvidence::new(
            vec![
                vec![Evidence::None, Evidence::For, Evidence::Against],
                Vec::new(),
            ],
            vec![false, false],
        )
    }

    #[test]
    fn the_guard_holds_back_a_household_and_lets_a_person_through() {
        let guard = EdgeGuard::new(HouseholdGuard::NoPersonalDisagreement, evidence()).unwrap();
        // Same address, given names differ: two people of one household.
        assert!(!guard.allows(&[2, 1]));
        // Same address, given names agree, or the given name missing.
        assert!(guard.allows(&[1, 1]));
        assert!(guard.allows(&[0, 1]));
        assert!(EdgeGuard::new(HouseholdGuard::Off, evidence()).is_none());
    }

    #[test]
    fn a_shared_email_gives_way_to_a_differing_given_name_and_phones_of_their_own() {
        // Given name, e-mail (exact, different each) and a phone (exact, different).
        let evidence = PersonalEvidence::new(
            vec![
                vec![Evidence::None, Evidence::For, Evidence::Against],
                vec![Evidence::None, Evidence::For, Evidence::Against],
                vec![Evidence::None, Evidence::None, Evidence::ContactDiffers],
            ],
            vec![false; 3],
        )
        .with_strengths(vec![
            vec![0.0, 7.0, 5.0],
            vec![0.0, 17.0, 2.0],
            vec![0.0, 9.0, 5.0],
        ])
        .with_shareable_agreement(vec![false, true, false]);
        // The family's e-mail, two given names and two phones: two people.
        assert!(!evidence.weigh(&[2, 1, 2]).agrees);
        // Without the phones to tell them apart, or with the given names agreeing, the
        // e-mail still vouches for one person.
        assert!(evidence.weigh(&[2, 1, 0]).agrees);
        assert!(evidence.weigh(&[2, 1, 1]).agrees);
        assert!(evidence.weigh(&[1, 1, 2]).agrees);
        assert!(evidence.weigh(&[0, 1, 2]).agrees);
        // An e-mail not marked shareable outweighs them, as before.
        let unmarked = evidence.clone().with_shareable_agreement(Vec::new());
        assert!(unmarked.weigh(&[2, 1, 2]).agrees);
    }

    #[test]
    fn a_pair_differing_only_in_a_cluster_read_comparison_is_marked() {
        // Given name (exact, different) and gender (different only), gender read cluster
        // by cluster.
        let evidence = PersonalEvidence::new(
            vec![
                vec![Evidence::None, Evidence::For, Evidence::Against],
                vec![Evidence::None, Evidence::None, Evidence::Against],
            ],
            vec![false; 2],
        )
        .with_cluster_reading(vec![false, true]);
        let gender_only = evidence.weigh(&[0, 2]);
        assert!(gender_only.conflicts() && gender_only.cluster_read_only);
        let both = evidence.weigh(&[2, 2]);
        assert!(both.conflicts() && !both.cluster_read_only);
        assert!(!evidence.weigh(&[2, 1]).cluster_read_only);
        assert!(!evidence.weigh(&[0, 1]).cluster_read_only);
    }

    #[test]
    fn without_households_one_differing_given_name_is_no_second_person() {
        // Given name and birth date (exact, different), and an address.
        let evidence = PersonalEvidence::new(
            vec![
                vec![Evidence::None, Evidence::For, Evidence::Against],
                vec![Evidence::None, Evidence::For, Evidence::Against],
                Vec::new(),
            ],
            vec![false; 3],
        );
        let guard = EdgeGuard::new(HouseholdGuard::NoEvidenceAgainst, evidence.clone()).unwrap();
        // A given name the tables cannot reconcile (`nessie`, `agnes`) at one address passes.
        assert!(guard.allows(&[2, 0, 1]));
        // Given name and birth date both differing say two people.
        assert!(!guard.allows(&[2, 2, 1]));
        // Where households live, the given name alone holds it back.
        let household = EdgeGuard::new(HouseholdGuard::NoPersonalDisagreement, evidence).unwrap();
        assert!(!household.allows(&[2, 0, 1]));
        // A guard never read from the data stays the household one.
        let unread = EdgeGuard::new(HouseholdGuard::Read, household.evidence().clone()).unwrap();
        assert!(!unread.allows(&[2, 0, 1]));
    }

    #[test]
    fn a_pairs_balance_leaves_out_what_many_people_share() {
        // Given name and birth date (exact, different).
        let levels = vec![vec![Evidence::None, Evidence::For, Evidence::Against]; 2];
        let strengths = vec![vec![0.0, 8.0, 8.0], vec![0.0, 15.0, 4.0]];
        let evidence = PersonalEvidence::new(levels, vec![false; 2]).with_strengths(strengths);
        // Birth dates agree, given names differ: 15 - 8.
        assert_eq!(evidence.weigh(&[2, 1]).balance, 7.0);
        assert_eq!(evidence.weigh(&[1, 2]).balance, 4.0);
        // A given name agrees with many unrelated people: it vouches, but weighs nothing.
        let common = evidence.with_common_agreement(vec![true, false]);
        let name_only = common.weigh(&[1, 2]);
        assert!(name_only.agrees);
        assert_eq!(name_only.balance, -4.0);
        assert_eq!(common.weigh(&[2, 1]).balance, 7.0);
        // Nothing personal known: nothing either way.
        assert_eq!(common.weigh(&[0, 0]).balance, 0.0);
    }

    /// A given name's evidence: `null`, exact and similar (for), different (against).
    fn given_name_levels() -> Vec<Evidence> {
        vec![
            Evidence::None,
            Evidence::For,
            Evidence::For,
            Evidence::Against,
        ]
    }

    #[test]
    fn a_weak_agreement_is_outweighed_by_stronger_disagreements() {
        // Given name (exact, similar, different), birth date and e-mail (exact, different).
        let levels = vec![
            given_name_levels(),
            vec![Evidence::None, Evidence::For, Evidence::Against],
            vec![Evidence::None, Evidence::For, Evidence::Against],
        ];
        let strengths = vec![
            vec![0.0, 8.0, 3.0, 8.0],
            vec![0.0, 15.0, 4.0],
            vec![0.0, 12.0, 9.0],
        ];
        let plain = PersonalEvidence::new(levels.clone(), vec![false; 3]);
        let weighted =
            PersonalEvidence::new(levels.clone(), vec![false; 3]).with_strengths(strengths);
        // A similar given name against a birth date and an e-mail that differ: two people.
        let similar_both_differ = [2, 2, 2];
        assert!(plain.weigh(&similar_both_differ).agrees);
        assert!(!weighted.weigh(&similar_both_differ).agrees);
        assert!(weighted.against(&similar_both_differ));
        // One disagreement is not enough, however strong.
        assert!(weighted.weigh(&[2, 2, 0]).agrees);
        // An exact given name is never outweighed.
        assert!(weighted.weigh(&[1, 2, 2]).agrees);
        // Agreement that weighs more than the disagreements still vouches.
        let strong = PersonalEvidence::new(levels.clone(), vec![false; 3]).with_strengths(vec![
            vec![0.0, 8.0, 7.0, 8.0],
            vec![0.0, 15.0, 3.0],
            vec![0.0, 12.0, 3.0],
        ]);
        assert!(strong.weigh(&[2, 2, 2]).agrees);
        // An identifier that differs, stronger than a similar given name, outweighs it alone:
        // people do not misspell a member number the way they misspell a name. The given
        // name as above, then an identifier (exact, different).
        let with_identifier = |differs: f64| {
            PersonalEvidence::new(levels[..2].to_vec(), vec![false, true])
                .with_strengths(vec![vec![0.0, 8.0, 3.0, 8.0], vec![0.0, 15.0, differs]])
        };
        assert!(!with_identifier(6.0).weigh(&[2, 2]).agrees);
        assert!(with_identifier(6.0).against(&[2, 2]));
        // Not an exact given name, and not a weaker identifier.
        assert!(with_identifier(6.0).weigh(&[1, 2]).agrees);
        assert!(with_identifier(2.0).weigh(&[2, 2]).agrees);
    }

    #[test]
    fn a_weak_agreement_is_outweighed_by_a_contact_of_their_own() {
        // Given name (exact, similar, different), address, phone (same, differs).
        let levels = vec![
            given_name_levels(),
            Vec::new(),
            vec![Evidence::None, Evidence::None, Evidence::ContactDiffers],
        ];
        let with_phone_weight = |differs: f64| {
            PersonalEvidence::new(levels.clone(), vec![false; 3]).with_strengths(vec![
                vec![0.0, 7.0, 1.5, 8.0],
                vec![0.0, 9.0],
                vec![0.0, 15.0, differs],
            ])
        };
        let evidence = with_phone_weight(3.4);
        let guard = EdgeGuard::new(HouseholdGuard::NoPersonalDisagreement, evidence.clone());
        let guard = guard.unwrap();
        // `阿明` and `王敏` at one address, each with a phone of their own: two people.
        assert!(!evidence.weigh(&[2, 1, 2]).agrees);
        assert!(!guard.allows(&[2, 1, 2]));
        // No evidence against either: a phone is no personal field.
        assert!(!evidence.against(&[2, 1, 2]));
        // An exact given name is never outweighed; a phone that weighs less does not.
        assert!(guard.allows(&[1, 1, 2]));
        assert!(with_phone_weight(1.0).weigh(&[2, 1, 2]).agrees);
        // The same phone, or none: the weak agreement vouches.
        assert!(guard.allows(&[2, 1, 1]) && guard.allows(&[2, 1, 0]));
    }

    #[test]
    fn a_phone_that_differs_holds_back_a_pair_that_nothing_personal_joins() {
        // Given name, address, phone (missing, same, differs).
        let evidence = PersonalEvidence::new(
            vec![
                vec![Evidence::None, Evidence::For, Evidence::Against],
                Vec::new(),
                vec![Evidence::None, Evidence::None, Evidence::ContactDiffers],
            ],
            vec![false, false, false],
        );
        let guard = EdgeGuard::new(HouseholdGuard::NoPersonalDisagreement, evidence.clone());
        let guard = guard.unwrap();
        // 王先生 at the family's address with another number: a household member.
        assert!(!guard.allows(&[0, 1, 2]));
        // The same with the given name agreeing: one person who changed numbers.
        assert!(guard.allows(&[1, 1, 2]));
        assert!(guard.allows(&[0, 1, 1]));
        // A differing phone is no evidence against on its own: no cannot-link.
        assert!(!evidence.against(&[0, 1, 2]));
    }

    #[test]
    fn the_edge_mask_holds_what_the_policy_says_of_each_pair() {
        // 130 pairs (three words of bits), probabilities and given-name levels cycling.
        let n = 130;
        let pairs: Vec<(u32, u32)> = (0..n).map(|i| (i, i + 1)).collect();
        let probabilities: Vec<f64> = (0..n)
            .map(|i| [0.2, 0.95, 1.0, 0.6][i as usize % 4])
            .collect();
        let weights = vec![0.0; n as usize];
        let levels: Vec<u8> = (0..n).flat_map(|i| [(i % 3) as u8, 1]).collect();
        let scored = ScoredPairsView {
            pairs: &pairs,
            weights: &weights,
            probabilities: &probabilities,
            levels: &levels,
            comparisons: 2,
            component_pairs: 0,
        };
        let guard = EdgeGuard::new(HouseholdGuard::NoPersonalDisagreement, evidence()).unwrap();
        for guard in [None, Some(&guard)] {
            let mask = EdgeMask::new(&scored, 0.5, guard);
            assert_eq!((mask.len(), mask.threshold()), (pairs.len(), 0.5));
            let expected: Vec<usize> = (0..scored.len())
                .filter(|&i| is_edge(&scored, i, 0.5, guard))
                .collect();
            assert!(!expected.is_empty() && expected.len() < pairs.len());
            assert_eq!(mask.indices().collect::<Vec<_>>(), expected);
            assert_eq!(mask.count(), expected.len());
            for i in 0..scored.len() {
                assert_eq!(
                    mask.contains(i),
                    is_edge(&scored, i, 0.5, guard),
                    "pair {i}"
                );
            }
            // Read in two steps, as component completion appends pairs: the same mask.
            let first = ScoredPairsView {
                pairs: &pairs[..70],
                probabilities: &probabilities[..70],
                weights: &weights[..70],
                levels: &levels[..140],
                ..scored
            };
            let mut grown = EdgeMask::new(&first, 0.5, guard);
            assert_eq!(grown.len(), 70);
            grown.extend(&scored, guard);
            assert_eq!(grown, mask);
        }
        // Without a guard every pair at or above the threshold is an edge.
        let open = EdgeMask::new(&scored, 0.5, None);
        assert_eq!(
            open.count(),
            probabilities.iter().filter(|&&p| p >= 0.5).count()
        );
    }

    #[test]
    fn a_cannot_link_needs_evidence_against_not_a_low_score() {
        let pairs = [(0, 1), (1, 2), (2, 3)];
        let probabilities = [0.001, 0.001, 0.9];
        let weights = [-10.0, -10.0, 3.0];
        // Pair 0: a missing given name and a low score; pair 1: given names differ;
        // pair 2: given names differ but the score is high.
        let levels = [0, 2, 2, 2, 2, 1];
        let scored = ScoredPairsView {
            pairs: &pairs,
            weights: &weights,
            probabilities: &probabilities,
            levels: &levels,
            comparisons: 2,
            component_pairs: 0,
        };
        // One personal disagreement is not enough; make the given name an identifier.
        let strict = PersonalEvidence::new(evidence().levels, vec![true, false]);
        let found = evidence_against(&scored, 0.01, Some(&strict), false);
        assert_eq!(found.hard, [(1, 2)]);
        assert_eq!(found.soft, [(2, 3)]);
        let found = evidence_against(&scored, 0.01, Some(&evidence()), false);
        assert!(found.hard.is_empty() && found.soft.is_empty());
        // Either way pairs 1 and 2 hold a personal conflict, pair 0 none.
        assert_eq!(found.conflicts, [(1, 2), (2, 3)]);
        let many: Vec<(u32, u32)> = (0..3 * EVIDENCE_CHUNK as u32).map(|i| (i, i + 1)).collect();
        let many_levels: Vec<u8> = levels
            .iter()
            .copied()
            .cycle()
            .take(2 * many.len())
            .collect();
        let many_probabilities: Vec<f64> = (0..many.len()).map(|i| probabilities[i % 3]).collect();
        let many_scored = ScoredPairsView {
            pairs: &many,
            weights: &vec![0.0; many.len()],
            probabilities: &many_probabilities,
            levels: &many_levels,
            comparisons: 2,
            component_pairs: 0,
        };
        // Across tasks the lists keep the pairs' order.
        let found = evidence_against(&many_scored, 0.01, Some(&strict), false);
        let expected: Vec<(u32, u32)> = many.iter().copied().skip(1).step_by(3).collect();
        assert_eq!(found.hard, expected);
        assert_eq!(found.conflicts.len(), 2 * many.len() / 3);
        assert!(found.conflicts.is_sorted());
        // Pairs 1 and 2 scored to complete a component: evidence against, never absolute.
        let completing = ScoredPairsView {
            component_pairs: 2,
            ..scored
        };
        let found = evidence_against(&completing, 0.01, Some(&strict), false);
        assert!(found.hard.is_empty());
        assert_eq!(found.soft, [(1, 2), (2, 3)]);
    }
}
