//! Clustering of scored pairs under cannot-link constraints.
//!
//! [`cluster`] turns the pairs scored at or above the match threshold ([`Edge`]s) into
//! clusters. The default method, [`ClusteringMethod::Constrained`], joins edges strongest
//! first and refuses a join that would put evidence against itself into one cluster: a pair
//! known to be two people (a cannot-link: scored very low, or decided by a person), or two
//! different values of an exclusive attribute such as a national id. This is what keeps a
//! shared household phone from chaining a family into one customer. Every join and every
//! refusal is logged.
//!
//! Results depend on record ids, never on input positions or the thread count: edges of equal
//! strength are taken in the order of their record ids, and clusters are numbered by their
//! smallest record id. Each component of the positive edges is solved on its own, so
//! clustering one component's records alone gives the same partition of them as clustering
//! everything; incremental updates rely on this.
//!
//! ```
//! use sameas_core::RecordId;
//! use sameas_merge::cluster::{cluster, ClusterProblem, ClusteringMethod, Edge};
//!
//! // A father and his son share a phone with a record that only says 张先生.
//! let ids: Vec<RecordId> = ["father", "honorific", "son"].map(RecordId::from).to_vec();
//! let edges = [
//!     Edge { a: 0, b: 1, weight: 9.0, probability: 0.998 },
//!     Edge { a: 1, b: 2, weight: 6.0, probability: 0.98 },
//! ];
//! let problem = ClusterProblem {
//!     ids: &ids,
//!     edges: &edges,
//!     cannot_link: &[(0, 2)], // father and son were scored as different people
//!     scored_cannot_link: &[],
//!     must_link: &[],
//!     exclusive: &[],
//! };
//! let clustering = cluster(&problem, ClusteringMethod::Constrained);
//! assert_eq!(clustering.labels, [0, 0, 1]);
//! assert_eq!(clustering.clusters, 2);
//! ```

use std::cmp::Ordering;

use rayon::prelude::*;
use sameas_core::RecordId;
use serde::{Deserialize, Serialize};

use crate::MergeError;

/// A scored pair of records at or above the match threshold: a reason to put them in one
/// entity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// One record, as an index into [`ClusterProblem::ids`].
    pub a: u32,
    /// The other record.
    pub b: u32,
    /// The pair's match weight (log2 Bayes factor).
    pub weight: f64,
    /// The pair's match probability.
    pub probability: f64,
}

/// How edges become clusters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClusteringMethod {
    /// Edges joined strongest first; a join that conflicts with a cannot-link or an exclusive
    /// attribute is refused. Must-links are joined first and override both.
    #[default]
    Constrained,
    /// The transitive closure of the edges and must-links, with no constraints. Chains
    /// households; kept as the baseline to compare with.
    ConnectedComponents,
}

/// How strictly a pair needs personal evidence to be an edge (see
/// [`ClusteringConfig::household_guard`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum HouseholdGuard {
    /// Every pair at or above the threshold is an edge.
    Off,
    /// A pair is held back when a personal comparison disagrees and none agrees (张伟 and
    /// 张芳 on one phone and address). The default.
    #[default]
    NoPersonalDisagreement,
    /// A pair needs a personal comparison that agrees; household evidence alone (张先生 on
    /// the family's phone) is never enough. Fewer household merges, less recall.
    PersonalAgreement,
}

/// The clustering section of the resolver's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusteringConfig {
    /// How edges become clusters.
    pub method: ClusteringMethod,
    /// A scored pair with personal evidence against it (the facade decides which) and a
    /// match probability below this keeps its two records' clusters apart whatever links
    /// them; one scored at or above it only while its side is not outweighed by edges.
    /// Default 0.01. 0 makes every scored cannot-link outweighable.
    pub cannot_link_below: f64,
    /// Fields whose values identify one person, so that two different valid values never
    /// share an entity. `None` means every national-id field of the schema; `Some(vec![])`
    /// means none.
    pub exclusive_fields: Option<Vec<String>>,
    /// Pairs of record ids that a person decided are one customer. They are joined whatever
    /// the evidence against them.
    pub must_link: Vec<[String; 2]>,
    /// Pairs of record ids that a person decided are different customers.
    pub cannot_link: Vec<[String; 2]>,
    /// Pairs with a match probability from this value up to (not including) the match
    /// threshold go to the review list. Default 0.2.
    pub review_from: f64,
    /// The household guard: which pairs at or above the threshold may be edges, judged by
    /// the *personal* comparisons (those a household does not share: given name, birth
    /// date, e-mail, national id, identifiers). A family name, phone and address are what a
    /// household shares. Held-back pairs go to the review list. Deterministic rules and
    /// must-links always pass.
    pub household_guard: HouseholdGuard,
    /// The comparisons that count as personal evidence. `None` means every comparison of a
    /// given name, a birth date, an e-mail, a national id or another identifier.
    pub personal_comparisons: Option<Vec<String>>,
    /// The least weight (log2 Bayes factor) a personal comparison's level must carry to count
    /// as agreement (or at most its negative to count as disagreement). Default 0.5.
    pub min_personal_weight: f64,
}

impl Default for ClusteringConfig {
    fn default() -> Self {
        ClusteringConfig {
            method: ClusteringMethod::Constrained,
            cannot_link_below: 0.01,
            exclusive_fields: None,
            must_link: Vec::new(),
            cannot_link: Vec::new(),
            review_from: 0.2,
            household_guard: HouseholdGuard::NoPersonalDisagreement,
            personal_comparisons: None,
            min_personal_weight: 0.5,
        }
    }
}

impl ClusteringConfig {
    /// Checks that the probabilities lie in [0, 1], that cannot-link evidence lies below the
    /// review band, and that the manual pairs are sound: two distinct records each, and no
    /// pair both must-linked and cannot-linked.
    ///
    /// # Errors
    ///
    /// [`MergeError::Config`] naming the setting (and the pair's position, never its ids).
    pub fn validate(&self) -> Result<(), MergeError> {
        let probability = |name: &str, value: f64| {
            if (0.0..=1.0).contains(&value) {
                Ok(())
            } else {
                Err(MergeError::Config(format!("{name} must be in [0, 1]")))
            }
        };
        probability("cannot_link_below", self.cannot_link_below)?;
        probability("review_from", self.review_from)?;
        if self.cannot_link_below > self.review_from {
            return Err(MergeError::Config(
                "cannot_link_below must not exceed review_from: a pair cannot be both evidence \
                 against a merge and worth reviewing"
                    .into(),
            ));
        }
        if let Some(fields) = &self.exclusive_fields
            && fields.iter().any(|field| field.is_empty())
        {
            return Err(MergeError::Config(
                "exclusive_fields holds an empty name".into(),
            ));
        }
        for (name, pairs) in [
            ("must_link", &self.must_link),
            ("cannot_link", &self.cannot_link),
        ] {
            if let Some(position) = pairs.iter().position(|[a, b]| a == b) {
                return Err(MergeError::Config(format!(
                    "{name} pair {} names one record twice",
                    position + 1
                )));
            }
        }
        let unordered = |[a, b]: &[String; 2]| {
            if a <= b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            }
        };
        let must: foldhash::HashSet<(String, String)> =
            self.must_link.iter().map(unordered).collect();
        if let Some(position) = self
            .cannot_link
            .iter()
            .position(|pair| must.contains(&unordered(pair)))
        {
            return Err(MergeError::Config(format!(
                "cannot_link pair {} is also a must_link pair",
                position + 1
            )));
        }
        Ok(())
    }
}

/// One clustering problem. Indices refer to positions in `ids`; record ids must be unique.
///
/// Results depend only on the ids, never on positions: permuting the records (and renumbering
/// the indices to match) permutes the labels and changes nothing else.
#[derive(Debug, Clone, Copy)]
pub struct ClusterProblem<'a> {
    /// The record ids. Ties between edges and the numbering of clusters use them.
    pub ids: &'a [RecordId],
    /// The pairs at or above the match threshold.
    pub edges: &'a [Edge],
    /// Pairs that must not end in one cluster, whatever links them: manual cannot-links.
    pub cannot_link: &'a [(u32, u32)],
    /// Pairs scored as different people that enough edges may outweigh: they keep two
    /// clusters apart unless more than twice as many edges as such pairs run between them
    /// (one noisy pair does not veto a join that many strong matches make; a record that
    /// links two people who differ does not join them).
    pub scored_cannot_link: &'a [(u32, u32)],
    /// Pairs that must end in one cluster (manual must-links).
    pub must_link: &'a [(u32, u32)],
    /// Per exclusive attribute, per record: an interned value id, or `u32::MAX` for a record
    /// with no valid value. Two records with different values never share a cluster (unless
    /// a must-link puts them there).
    pub exclusive: &'a [Vec<u32>],
}

/// Why a join was refused. `a` lies in the cluster of the join's `a`, `b` in that of its `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// The two clusters hold a cannot-link pair: records `a` and `b`.
    CannotLink {
        /// The record on the join's `a` side.
        a: u32,
        /// The record on the join's `b` side.
        b: u32,
    },
    /// The two clusters hold different values of exclusive attribute `attribute` (its
    /// position in [`ClusterProblem::exclusive`]), held by records `a` and `b`.
    Exclusive {
        /// The attribute's position in [`ClusterProblem::exclusive`].
        attribute: usize,
        /// A record holding the value on the join's `a` side.
        a: u32,
        /// A record holding the value on the join's `b` side.
        b: u32,
    },
}

/// What became of a pair that could join two clusters.
///
/// Serialized with a `type` tag; a refusal adds its `reason` tag and evidence beside it:
/// `{"type":"refused","reason":"cannot_link","a":0,"b":2}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JoinOutcome {
    /// The edge joined the two clusters.
    Joined,
    /// A must-link joined the two clusters, whatever the evidence against it.
    MustLink,
    /// The edge was refused.
    Refused(Refusal),
}

/// One entry of the join log: an edge or must-link that met two different clusters.
///
/// Edges between records already in one cluster are not logged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Join {
    /// The record with the smaller id.
    pub a: u32,
    /// The record with the larger id.
    pub b: u32,
    /// The edge's match weight; 0 for a must-link (a person's decision, not a score).
    pub weight: f64,
    /// The edge's match probability; 1 for a must-link.
    pub probability: f64,
    /// What became of it.
    pub outcome: JoinOutcome,
}

/// The result of [`cluster`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clustering {
    /// The cluster of each record: clusters are numbered from 0 in the order of their
    /// smallest record id (string order).
    pub labels: Vec<u32>,
    /// The number of clusters.
    pub clusters: usize,
    /// Every join and refusal, component by component (components in the order of their
    /// smallest record id), must-links first, then edges strongest first.
    pub joins: Vec<Join>,
}

impl Clustering {
    /// The records of each cluster, by label; each list in ascending index order.
    pub fn members(&self) -> Vec<Vec<u32>> {
        let mut members = vec![Vec::new(); self.clusters];
        for (record, &label) in self.labels.iter().enumerate() {
            members[label as usize].push(record as u32);
        }
        members
    }
}

/// Clusters the records of `problem` by `method`.
///
/// # Panics
///
/// If an edge or pair names an index outside `ids`, or an exclusive attribute's vector is not
/// as long as `ids`.
pub fn cluster(problem: &ClusterProblem, method: ClusteringMethod) -> Clustering {
    let n = problem.ids.len();
    for values in problem.exclusive {
        assert_eq!(
            values.len(),
            n,
            "an exclusive attribute needs one value per record"
        );
    }
    // The position of each record in id order: every tie below is broken by it.
    let mut by_id: Vec<u32> = (0..n as u32).collect();
    by_id.par_sort_unstable_by(|&x, &y| {
        problem.ids[x as usize]
            .cmp(&problem.ids[y as usize])
            .then(x.cmp(&y))
    });

    let components = Components::new(problem, &by_id);
    let constrained = method == ClusteringMethod::Constrained;
    let solved: Vec<SolvedComponent> = (0..components.len())
        .into_par_iter()
        .filter(|&component| components.members(component).len() > 1)
        .map(|component| solve(&components.input(component, problem), constrained))
        .collect();

    // Each cluster is keyed by its component's first member slot plus its local root: unique.
    let mut cluster_key = vec![0u32; n];
    for component in 0..components.len() {
        let start = components.start[component];
        if let [record] = components.members(component) {
            cluster_key[*record as usize] = start;
        }
    }
    let mut joins = Vec::new();
    for solution in solved {
        let start = components.start[solution.component];
        for (&record, &root) in components
            .members(solution.component)
            .iter()
            .zip(&solution.roots)
        {
            cluster_key[record as usize] = start + root;
        }
        joins.extend(solution.joins);
    }
    let mut label_of_key = vec![u32::MAX; n];
    let mut labels = vec![0; n];
    let mut clusters = 0;
    for &record in &by_id {
        let key = cluster_key[record as usize] as usize;
        if label_of_key[key] == u32::MAX {
            label_of_key[key] = clusters;
            clusters += 1;
        }
        labels[record as usize] = label_of_key[key];
    }
    Clustering {
        labels,
        clusters: clusters as usize,
        joins,
    }
}

/// The components of the edges and must-links, each with its records (in id order) and the
/// edges and pairs inside it, renumbered to positions within the component.
struct Components {
    /// Component `c`'s records are `members[start[c]..start[c + 1]]`.
    start: Vec<u32>,
    members: Vec<u32>,
    edges: Bucketed<LocalEdge>,
    must_link: Bucketed<(u32, u32)>,
    cannot_link: Bucketed<(u32, u32)>,
    scored_cannot_link: Bucketed<(u32, u32)>,
}

/// Items grouped by component: component `c`'s are `items[start[c]..start[c + 1]]`.
struct Bucketed<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy + Default> Bucketed<T> {
    fn new(components: usize, entries: impl Iterator<Item = (u32, T)> + Clone) -> Self {
        let mut start = vec![0u32; components + 1];
        for (component, _) in entries.clone() {
            start[component as usize + 1] += 1;
        }
        for c in 0..components {
            start[c + 1] += start[c];
        }
        let mut next = start.clone();
        let mut items = vec![T::default(); start[components] as usize];
        for (component, item) in entries {
            let slot = &mut next[component as usize];
            items[*slot as usize] = item;
            *slot += 1;
        }
        Bucketed { start, items }
    }

    fn of(&self, component: usize) -> &[T] {
        &self.items[self.start[component] as usize..self.start[component + 1] as usize]
    }
}

/// An edge between two positions of one component, `a < b`: `a` has the smaller id.
#[derive(Debug, Clone, Copy, Default)]
struct LocalEdge {
    a: u32,
    b: u32,
    weight: f64,
    probability: f64,
}

impl Components {
    fn new(problem: &ClusterProblem, by_id: &[u32]) -> Self {
        let n = problem.ids.len();
        let mut sets = UnionFind::new(n);
        for edge in problem.edges {
            sets.union(edge.a, edge.b);
        }
        for &(a, b) in problem.must_link {
            sets.union(a, b);
        }
        // Components are numbered in the order of their smallest id, and each lists its
        // records in id order, so positions within a component follow the ids.
        let mut component_of_root = vec![u32::MAX; n];
        let mut component = vec![0u32; n];
        let mut position = vec![0u32; n];
        let mut sizes: Vec<u32> = Vec::new();
        for &record in by_id {
            let root = sets.find(record) as usize;
            if component_of_root[root] == u32::MAX {
                component_of_root[root] = sizes.len() as u32;
                sizes.push(0);
            }
            let c = component_of_root[root];
            component[record as usize] = c;
            position[record as usize] = sizes[c as usize];
            sizes[c as usize] += 1;
        }
        let count = sizes.len();
        let mut start = Vec::with_capacity(count + 1);
        start.push(0u32);
        for size in &sizes {
            start.push(start.last().copied().unwrap_or(0) + size);
        }
        let mut members = vec![0u32; n];
        for record in 0..n {
            let c = component[record] as usize;
            members[(start[c] + position[record]) as usize] = record as u32;
        }
        let local = |a: u32, b: u32| {
            let (pa, pb) = (position[a as usize], position[b as usize]);
            (pa.min(pb), pa.max(pb))
        };
        let edges = Bucketed::new(
            count,
            problem
                .edges
                .iter()
                .filter(|edge| edge.a != edge.b)
                .map(|edge| {
                    let (a, b) = local(edge.a, edge.b);
                    let local_edge = LocalEdge {
                        a,
                        b,
                        weight: edge.weight,
                        probability: edge.probability,
                    };
                    (component[edge.a as usize], local_edge)
                }),
        );
        let pairs = |pairs: &[(u32, u32)]| {
            let component = &component;
            let local = &local;
            Bucketed::new(
                count,
                pairs
                    .iter()
                    .filter(move |&&(a, b)| {
                        a != b && component[a as usize] == component[b as usize]
                    })
                    .map(move |&(a, b)| (component[a as usize], local(a, b))),
            )
        };
        Components {
            must_link: pairs(problem.must_link),
            cannot_link: pairs(problem.cannot_link),
            scored_cannot_link: pairs(problem.scored_cannot_link),
            start,
            members,
            edges,
        }
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }

    fn members(&self, component: usize) -> &[u32] {
        &self.members[self.start[component] as usize..self.start[component + 1] as usize]
    }

    fn input<'s>(&'s self, component: usize, problem: &'s ClusterProblem) -> ComponentInput<'s> {
        ComponentInput {
            component,
            members: self.members(component),
            edges: self.edges.of(component),
            must_link: self.must_link.of(component),
            cannot_link: self.cannot_link.of(component),
            scored_cannot_link: self.scored_cannot_link.of(component),
            exclusive: problem.exclusive,
        }
    }
}

/// One component to solve; pairs are in positions within it.
struct ComponentInput<'a> {
    component: usize,
    /// The records, in id order.
    members: &'a [u32],
    edges: &'a [LocalEdge],
    must_link: &'a [(u32, u32)],
    cannot_link: &'a [(u32, u32)],
    scored_cannot_link: &'a [(u32, u32)],
    exclusive: &'a [Vec<u32>],
}

struct SolvedComponent {
    component: usize,
    /// The root position of each position's cluster.
    roots: Vec<u32>,
    joins: Vec<Join>,
}

/// What one cluster holds of one exclusive attribute.
#[derive(Debug, Clone, Copy)]
enum Held {
    Nothing,
    /// One value, and a record (global index) holding it.
    One {
        value: u32,
        record: u32,
    },
    /// Several values: only a must-link can do that. A record holding one of them.
    Several {
        record: u32,
    },
}

impl Held {
    fn record(self) -> Option<u32> {
        match self {
            Held::Nothing => None,
            Held::One { record, .. } | Held::Several { record } => Some(record),
        }
    }

    fn conflicts(self, other: Held) -> bool {
        match (self, other) {
            (Held::Nothing, _) | (_, Held::Nothing) => false,
            (Held::One { value: x, .. }, Held::One { value: y, .. }) => x != y,
            _ => true,
        }
    }

    fn combine(self, other: Held) -> Held {
        match (self, other) {
            (Held::Nothing, held) | (held, Held::Nothing) => held,
            (Held::One { value: x, record }, Held::One { value: y, .. }) if x == y => {
                Held::One { value: x, record }
            }
            (held, _) => Held::Several {
                record: held.record().unwrap_or(u32::MAX),
            },
        }
    }
}

/// The strongest edge first: probability, then weight, descending; then the ids (positions
/// follow them).
fn strongest_first(x: &LocalEdge, y: &LocalEdge) -> Ordering {
    y.probability
        .total_cmp(&x.probability)
        .then(y.weight.total_cmp(&x.weight))
        .then(x.a.cmp(&y.a))
        .then(x.b.cmp(&y.b))
}

fn solve(input: &ComponentInput, constrained: bool) -> SolvedComponent {
    let len = input.members.len();
    let global = |position: u32| input.members[position as usize];
    let mut state = ClusterState::new(input, constrained);
    let mut joins = Vec::new();

    let mut must_link = input.must_link.to_vec();
    must_link.sort_unstable();
    for (a, b) in must_link {
        if state.union_forced(a, b) {
            joins.push(Join {
                a: global(a),
                b: global(b),
                weight: 0.0,
                probability: 1.0,
                outcome: JoinOutcome::MustLink,
            });
        }
    }

    let mut edges = input.edges.to_vec();
    edges.sort_unstable_by(strongest_first);
    for edge in edges {
        let (root_a, root_b) = (state.sets.find(edge.a), state.sets.find(edge.b));
        if root_a == root_b {
            continue;
        }
        let outcome = match state.refusal(root_a, root_b) {
            Some(refusal) => JoinOutcome::Refused(refusal.to_global(&global)),
            None => {
                state.union(root_a, root_b);
                JoinOutcome::Joined
            }
        };
        joins.push(Join {
            a: global(edge.a),
            b: global(edge.b),
            weight: edge.weight,
            probability: edge.probability,
            outcome,
        });
    }
    let roots = (0..len as u32).map(|p| state.sets.find(p)).collect();
    SolvedComponent {
        component: input.component,
        roots,
        joins,
    }
}

impl Refusal {
    fn to_global(self, global: &impl Fn(u32) -> u32) -> Refusal {
        match self {
            Refusal::CannotLink { a, b } => Refusal::CannotLink {
                a: global(a),
                b: global(b),
            },
            // Exclusive evidence is held as global indices already.
            exclusive @ Refusal::Exclusive { .. } => exclusive,
        }
    }
}

/// The clusters of one component while it is being solved.
struct ClusterState {
    sets: UnionFind,
    /// Whether constraints are checked at all.
    constrained: bool,
    attributes: usize,
    /// `held[root * attributes + attribute]`: what each cluster holds, valid at roots.
    held: Vec<Held>,
    /// Cannot-link neighbours of each position.
    cannot_link: Neighbours,
    /// Scored cannot-link neighbours, and edge neighbours, of each position, as above.
    scored: Neighbours,
    linked: Neighbours,
    /// Each cluster's positions as a linked list from its root: `next` and the root's `tail`.
    /// Kept only when there are cannot-links to check.
    next: Vec<u32>,
    tail: Vec<u32>,
}

const END: u32 = u32::MAX;

impl ClusterState {
    fn new(input: &ComponentInput, constrained: bool) -> Self {
        let len = input.members.len();
        let attributes = if constrained {
            input.exclusive.len()
        } else {
            0
        };
        let mut held = Vec::with_capacity(len * attributes);
        for &record in input.members {
            for values in input.exclusive.iter().take(attributes) {
                let value = values[record as usize];
                held.push(if value == u32::MAX {
                    Held::Nothing
                } else {
                    Held::One { value, record }
                });
            }
        }
        let scored = if constrained {
            Neighbours::new(len, input.scored_cannot_link.iter().copied())
        } else {
            Neighbours::default()
        };
        let linked = if scored.is_empty() {
            Neighbours::default()
        } else {
            Neighbours::new(len, input.edges.iter().map(|e| (e.a, e.b)))
        };
        // In position (that is, id) order, so the evidence reported for a refusal does not
        // depend on the order the pairs came in.
        let cannot_link = if constrained {
            Neighbours::new(len, input.cannot_link.iter().copied())
        } else {
            Neighbours::default()
        };
        let (mut next, mut tail) = (Vec::new(), Vec::new());
        if !cannot_link.is_empty() || !scored.is_empty() {
            next = vec![END; len];
            tail = (0..len as u32).collect();
        }
        ClusterState {
            sets: UnionFind::new(len),
            constrained,
            attributes,
            held,
            cannot_link,
            scored,
            linked,
            next,
            tail,
        }
    }

    /// Joins the clusters of `a` and `b` whatever the evidence; false if already one.
    fn union_forced(&mut self, a: u32, b: u32) -> bool {
        let (root_a, root_b) = (self.sets.find(a), self.sets.find(b));
        if root_a == root_b {
            return false;
        }
        self.union(root_a, root_b);
        true
    }

    /// Why the clusters rooted at `root_a` and `root_b` must not be joined, if they must not.
    fn refusal(&mut self, root_a: u32, root_b: u32) -> Option<Refusal> {
        if !self.constrained {
            return None;
        }
        for attribute in 0..self.attributes {
            let held_a = self.held[root_a as usize * self.attributes + attribute];
            let held_b = self.held[root_b as usize * self.attributes + attribute];
            if held_a.conflicts(held_b) {
                return Some(Refusal::Exclusive {
                    attribute,
                    a: held_a.record().unwrap_or(u32::MAX),
                    b: held_b.record().unwrap_or(u32::MAX),
                });
            }
        }
        if self.cannot_link.is_empty() && self.scored.is_empty() {
            return None;
        }
        // Walk the smaller cluster's cannot-links and ask whether they land in the other:
        // linear in the smaller side, never |A|·|B|.
        let a_is_smaller = self.sets.size[root_a as usize] <= self.sets.size[root_b as usize];
        let (small, large) = if a_is_smaller {
            (root_a, root_b)
        } else {
            (root_b, root_a)
        };
        let oriented = |member: u32, neighbour: u32| {
            if a_is_smaller {
                (member, neighbour)
            } else {
                (neighbour, member)
            }
        };
        if !self.scored.is_empty() {
            // Scored evidence against: kept apart unless more than twice as many edges as
            // such pairs run between the two clusters.
            let (mut against, mut evidence) = (0usize, None);
            let mut linking = 0usize;
            let mut member = small;
            while member != END {
                for &neighbour in self.scored.of(member) {
                    if self.sets.find(neighbour) == large {
                        against += 1;
                        evidence.get_or_insert(oriented(member, neighbour));
                    }
                }
                for &neighbour in self.linked.of(member) {
                    if self.sets.find(neighbour) == large {
                        linking += 1;
                    }
                }
                member = self.next[member as usize];
            }
            if let Some((a, b)) = evidence
                && 2 * against >= linking
            {
                return Some(Refusal::CannotLink { a, b });
            }
        }
        if self.cannot_link.is_empty() {
            return None;
        }
        let mut member = small;
        while member != END {
            for &neighbour in self.cannot_link.of(member) {
                if self.sets.find(neighbour) == large {
                    let (a, b) = oriented(member, neighbour);
                    return Some(Refusal::CannotLink { a, b });
                }
            }
            member = self.next[member as usize];
        }
        None
    }

    /// Joins two distinct clusters, given their roots.
    fn union(&mut self, root_a: u32, root_b: u32) {
        let (root, child) = self.sets.link(root_a, root_b);
        if !self.next.is_empty() {
            self.next[self.tail[root as usize] as usize] = child;
            self.tail[root as usize] = self.tail[child as usize];
        }
        for attribute in 0..self.attributes {
            let (r, c) = (
                root as usize * self.attributes + attribute,
                child as usize * self.attributes + attribute,
            );
            self.held[r] = self.held[r].combine(self.held[c]);
        }
    }
}

/// Each position's neighbours under a set of pairs, in position order.
#[derive(Default)]
struct Neighbours {
    start: Vec<u32>,
    list: Vec<u32>,
}

impl Neighbours {
    fn new(len: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Self {
        let mut start = vec![0u32; len + 1];
        let mut count = 0;
        for (a, b) in pairs.clone() {
            start[a as usize + 1] += 1;
            start[b as usize + 1] += 1;
            count += 2;
        }
        if count == 0 {
            return Neighbours::default();
        }
        for p in 0..len {
            start[p + 1] += start[p];
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; count];
        for (a, b) in pairs {
            list[fill[a as usize] as usize] = b;
            fill[a as usize] += 1;
            list[fill[b as usize] as usize] = a;
            fill[b as usize] += 1;
        }
        for p in 0..len {
            list[start[p] as usize..start[p + 1] as usize].sort_unstable();
        }
        Neighbours { start, list }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn of(&self, position: u32) -> &[u32] {
        &self.list
            [self.start[position as usize] as usize..self.start[position as usize + 1] as usize]
    }
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(len: usize) -> Self {
        UnionFind {
            parent: (0..len as u32).collect(),
            size: vec![1; len],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (root_a, root_b) = (self.find(a), self.find(b));
        if root_a != root_b {
            self.link(root_a, root_b);
        }
    }

    /// Links two distinct roots: the larger set's root stays (the smaller position on a tie,
    /// so the result follows the ids). Returns (kept root, linked root).
    fn link(&mut self, root_a: u32, root_b: u32) -> (u32, u32) {
        let (size_a, size_b) = (self.size[root_a as usize], self.size[root_b as usize]);
        let (root, child) = if size_a > size_b || (size_a == size_b && root_a < root_b) {
            (root_a, root_b)
        } else {
            (root_b, root_a)
        };
        self.parent[child as usize] = root;
        self.size[root as usize] = size_a + size_b;
        (root, child)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(names: &[&str]) -> Vec<RecordId> {
        names.iter().map(|&name| RecordId::from(name)).collect()
    }

    fn edge(a: u32, b: u32, probability: f64) -> Edge {
        Edge {
            a,
            b,
            weight: probability * 10.0,
            probability,
        }
    }

    #[test]
    fn default_config_is_valid_and_round_trips() {
        let config = ClusteringConfig::default();
        config.validate().unwrap();
        let json = serde_json::to_string(&config).unwrap();
        assert!(
            json.contains(r#""method":{"type":"constrained"}"#),
            "{json}"
        );
        let back: ClusteringConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config);
        let partial: ClusteringConfig = serde_json::from_str(r#"{"review_from":0.3}"#).unwrap();
        assert_eq!(partial.review_from, 0.3);
        assert_eq!(partial.cannot_link_below, 0.01);
    }

    #[test]
    fn floats_round_trip_exactly() {
        let config = ClusteringConfig {
            cannot_link_below: 0.1 + 0.2 - 0.3,
            review_from: 1.0 / 3.0,
            ..ClusteringConfig::default()
        };
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(
            serde_json::from_str::<ClusteringConfig>(&json).unwrap(),
            config
        );
    }

    #[test]
    fn validate_rejects_bad_settings() {
        let bad = [
            ClusteringConfig {
                cannot_link_below: -0.1,
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                review_from: 1.5,
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                review_from: f64::NAN,
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                cannot_link_below: 0.5,
                review_from: 0.2,
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                exclusive_fields: Some(vec![String::new()]),
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                must_link: vec![["a".into(), "a".into()]],
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                must_link: vec![["a".into(), "b".into()]],
                cannot_link: vec![["b".into(), "a".into()]],
                ..ClusteringConfig::default()
            },
        ];
        for config in bad {
            let error = config.validate().unwrap_err();
            assert!(matches!(error, MergeError::Config(_)), "{config:?}");
        }
    }

    #[test]
    fn validation_errors_do_not_repeat_record_ids() {
        let config = ClusteringConfig {
            must_link: vec![["secret-1".into(), "secret-2".into()]],
            cannot_link: vec![["secret-2".into(), "secret-1".into()]],
            ..ClusteringConfig::default()
        };
        let message = config.validate().unwrap_err().to_string();
        assert!(!message.contains("secret"), "{message}");
        assert!(message.contains("pair 1"), "{message}");
    }

    #[test]
    fn join_outcomes_serialize_with_both_tags() {
        let refused = JoinOutcome::Refused(Refusal::CannotLink { a: 0, b: 2 });
        let json = serde_json::to_string(&refused).unwrap();
        assert_eq!(
            json,
            r#"{"type":"refused","reason":"cannot_link","a":0,"b":2}"#
        );
        assert_eq!(serde_json::from_str::<JoinOutcome>(&json).unwrap(), refused);
        let exclusive = JoinOutcome::Refused(Refusal::Exclusive {
            attribute: 1,
            a: 3,
            b: 4,
        });
        let json = serde_json::to_string(&exclusive).unwrap();
        assert_eq!(
            serde_json::from_str::<JoinOutcome>(&json).unwrap(),
            exclusive
        );
        assert_eq!(
            serde_json::to_string(&JoinOutcome::MustLink).unwrap(),
            r#"{"type":"must_link"}"#
        );
    }

    #[test]
    fn equal_edges_are_taken_in_id_order_not_input_order() {
        // x–y and y–z are equally strong and x, z cannot link: whichever comes first in id
        // order wins, wherever the records stand in the input.
        let names = ["z", "y", "x"];
        let problem = ClusterProblem {
            ids: &ids(&names),
            edges: &[edge(1, 0, 0.9), edge(2, 1, 0.9)],
            cannot_link: &[(0, 2)],
            scored_cannot_link: &[],
            must_link: &[],
            exclusive: &[],
        };
        let clustering = cluster(&problem, ClusteringMethod::Constrained);
        // x (position 2) and y (position 1) share a cluster, numbered 0 as x is smallest.
        assert_eq!(clustering.labels, [1, 0, 0]);
        assert_eq!(clustering.joins[0].outcome, JoinOutcome::Joined);
        assert_eq!((clustering.joins[0].a, clustering.joins[0].b), (2, 1));
        // y–z is refused: x (on y's side) cannot link with z.
        assert_eq!((clustering.joins[1].a, clustering.joins[1].b), (1, 0));
        assert_eq!(
            clustering.joins[1].outcome,
            JoinOutcome::Refused(Refusal::CannotLink { a: 2, b: 0 })
        );
    }

    #[test]
    fn edges_inside_a_cluster_are_not_logged() {
        let problem = ClusterProblem {
            ids: &ids(&["a", "b", "c"]),
            edges: &[
                edge(0, 1, 0.9),
                edge(1, 2, 0.8),
                edge(0, 2, 0.7),
                edge(0, 0, 0.99),
            ],
            cannot_link: &[],
            scored_cannot_link: &[],
            must_link: &[],
            exclusive: &[],
        };
        let clustering = cluster(&problem, ClusteringMethod::Constrained);
        assert_eq!(clustering.labels, [0, 0, 0]);
        assert_eq!(clustering.joins.len(), 2);
    }

    #[test]
    fn a_must_link_joins_a_conflicting_exclusive_value_and_then_blocks_both() {
        // a and b hold ids 1 and 2 but a person linked them; c holds id 1 and may not join
        // a cluster that also holds id 2.
        let exclusive = vec![vec![1, 2, 1, u32::MAX]];
        let problem = ClusterProblem {
            ids: &ids(&["a", "b", "c", "d"]),
            edges: &[edge(1, 2, 0.9), edge(0, 3, 0.8)],
            cannot_link: &[],
            scored_cannot_link: &[],
            must_link: &[(0, 1)],
            exclusive: &exclusive,
        };
        let clustering = cluster(&problem, ClusteringMethod::Constrained);
        assert_eq!(clustering.labels, [0, 0, 1, 0]);
        assert_eq!(clustering.joins[0].outcome, JoinOutcome::MustLink);
        assert!(matches!(
            clustering.joins[1].outcome,
            JoinOutcome::Refused(Refusal::Exclusive { attribute: 0, .. })
        ));
    }
}
