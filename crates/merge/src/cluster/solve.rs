//! One component solved: edges joined strongest first, each join checked against the
//! cannot-links and exclusive values the two sides hold.

use std::cmp::Ordering;

use super::components::{ComponentInput, LocalEdge};
use super::{ClusterReading, Join, JoinOutcome, Refusal};

pub(super) struct SolvedComponent {
    pub(super) component: usize,
    /// The root position of each position's cluster.
    pub(super) roots: Vec<u32>,
    pub(super) joins: Vec<Join>,
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

pub(super) fn solve(input: &ComponentInput, constrained: bool) -> SolvedComponent {
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

    // Vouched edges first, then unvouched ones; each strongest first.
    let mut edges = input.edges.to_vec();
    edges.sort_unstable_by(|x, y| y.vouched.cmp(&x.vouched).then(strongest_first(x, y)));
    let first_unvouched = edges.iter().position(|e| !e.vouched).unwrap_or(edges.len());
    let mut ambiguous: Vec<Option<(u32, u32)>> = Vec::new();
    for (i, edge) in edges.iter().enumerate() {
        if i == first_unvouched && state.constrained {
            ambiguous = state.ambiguous_attachments(&edges[first_unvouched..]);
        }
        let (root_a, root_b) = (state.sets.find(edge.a), state.sets.find(edge.b));
        if root_a == root_b {
            continue;
        }
        let ambiguity = |root: u32| ambiguous.get(root as usize).copied().flatten();
        let refusal = state.refusal(root_a, root_b).or_else(|| {
            if edge.vouched {
                return None;
            }
            ambiguity(root_a)
                .or(ambiguity(root_b))
                .map(|(a, b)| Refusal::Ambiguous { a, b })
                .or_else(|| state.conflict(root_a, root_b))
        });
        let outcome = match refusal {
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
            Refusal::Ambiguous { a, b } => Refusal::Ambiguous {
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
    /// Personal-conflict neighbours of each position (checked for unvouched edges only).
    conflicts: Neighbours,
    /// Conflicts that count only where the two clusters do not reconcile them.
    cluster_conflicts: Neighbours,
    /// Per attribute read cluster by cluster: its reading and, per position, the value or
    /// `u32::MAX` (empty when no such conflict is to be checked).
    cluster_attributes: Vec<(ClusterReading, Vec<u32>)>,
    /// Scored cannot-link neighbours, and edge neighbours, of each position, as above.
    scored: Neighbours,
    /// Scored cannot-link neighbours whose evidence the two clusters may reconcile (see
    /// [`ClusterState::reconciled`]).
    scored_cluster_read: Neighbours,
    /// The edges, weighted by their personal balance: those that vote for a join against
    /// scored evidence, and those whose records hold two different identifiers, which only
    /// weigh in.
    linked: Neighbours,
    linked_disputed: Neighbours,
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
        // Constraints are read only when they are checked.
        let weighted = |pairs: &[(u32, u32, f32)]| {
            if constrained {
                Neighbours::weighted(len, pairs.iter().copied())
            } else {
                Neighbours::default()
            }
        };
        let unweighted = |pairs: &[(u32, u32)]| {
            if constrained {
                Neighbours::new(len, pairs.iter().copied())
            } else {
                Neighbours::default()
            }
        };
        let scored = weighted(input.scored_cannot_link);
        let scored_cluster_read = weighted(input.scored_cluster_read);
        // The edges by their personal balance, those between differing identifiers apart.
        let edges_where = |identifier_differs: bool| {
            if scored.is_empty() && scored_cluster_read.is_empty() {
                Neighbours::default()
            } else {
                Neighbours::weighted(
                    len,
                    input
                        .edges
                        .iter()
                        .filter(|e| e.identifier_differs == identifier_differs)
                        .map(|e| (e.a, e.b, e.balance)),
                )
            }
        };
        let (linked, linked_disputed) = (edges_where(false), edges_where(true));
        // In position (that is, id) order, so the evidence reported for a refusal does not
        // depend on the order the pairs came in.
        let cannot_link = unweighted(input.cannot_link);
        let conflicts = unweighted(input.conflicts);
        let cluster_conflicts = unweighted(input.cluster_conflicts);
        let cluster_attributes = if cluster_conflicts.is_empty()
            && scored_cluster_read.is_empty()
            && linked_disputed.is_empty()
        {
            Vec::new()
        } else {
            input
                .cluster_attributes
                .iter()
                .map(|attribute| {
                    let values = input
                        .members
                        .iter()
                        .map(|&record| attribute.values[record as usize])
                        .collect();
                    (attribute.reading, values)
                })
                .collect()
        };
        let (mut next, mut tail) = (Vec::new(), Vec::new());
        if !cannot_link.is_empty()
            || !scored.is_empty()
            || !conflicts.is_empty()
            || !cluster_conflicts.is_empty()
            || !scored_cluster_read.is_empty()
        {
            next = vec![END; len];
            tail = (0..len as u32).collect();
        }
        ClusterState {
            sets: UnionFind::new(len),
            constrained,
            attributes,
            held,
            cannot_link,
            conflicts,
            cluster_conflicts,
            cluster_attributes,
            scored,
            scored_cluster_read,
            linked,
            linked_disputed,
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
        if !self.scored.is_empty() || !self.scored_cluster_read.is_empty() {
            // Scored evidence against: kept apart unless more than twice as many edges as
            // such pairs run between the two clusters, or the personal weights of all of
            // them add up for joining (see `Vouching::scored_cannot_link_balance`). The
            // smaller cluster's pairs are walked, as in `pair_across`.
            let (small, large, a_is_smaller) = self.sets.smaller_first(root_a, root_b);
            let oriented = |member: u32, neighbour: u32| {
                if a_is_smaller {
                    (member, neighbour)
                } else {
                    (neighbour, member)
                }
            };
            let (mut against, mut evidence) = (0usize, None);
            let mut linking = 0usize;
            let mut balance = 0.0f64;
            let mut member = small;
            while member != END {
                for &(neighbour, weight) in self.scored.weighted_of(member) {
                    if self.sets.find(neighbour) == large {
                        against += 1;
                        balance += f64::from(weight);
                        evidence.get_or_insert(oriented(member, neighbour));
                    }
                }
                for &(neighbour, weight) in self.scored_cluster_read.weighted_of(member) {
                    if self.sets.find(neighbour) == large
                        && !self.reconciled(member, small, neighbour, large)
                    {
                        against += 1;
                        balance += f64::from(weight);
                        evidence.get_or_insert(oriented(member, neighbour));
                    }
                }
                for &(neighbour, weight) in self.linked.weighted_of(member) {
                    if self.sets.find(neighbour) == large {
                        linking += 1;
                        balance += f64::from(weight);
                    }
                }
                // An edge whose records hold two different identifiers weighs in, but is
                // no vote for joining where each side holds its value twice: a typo is
                // made once, and two records of each are two people's.
                for &(neighbour, weight) in self.linked_disputed.weighted_of(member) {
                    if self.sets.find(neighbour) == large {
                        balance += f64::from(weight);
                        if !self.both_held_twice(member, small, neighbour, large) {
                            linking += 1;
                        }
                    }
                }
                member = self.next[member as usize];
            }
            if let Some((a, b)) = evidence
                && 2 * against >= linking
                && balance <= 0.0
            {
                return Some(Refusal::CannotLink { a, b });
            }
        }
        pair_across(
            &self.cannot_link,
            &mut self.sets,
            &self.next,
            root_a,
            root_b,
        )
        .map(|(a, b)| Refusal::CannotLink { a, b })
    }

    /// A personal conflict between the clusters rooted at `root_a` and `root_b`, if they
    /// hold one: what keeps apart two clusters that only an unvouched edge would join.
    fn conflict(&mut self, root_a: u32, root_b: u32) -> Option<Refusal> {
        self.conflict_pair(root_a, root_b)
            .map(|(a, b)| Refusal::CannotLink { a, b })
    }

    /// The pair behind [`conflict`](Self::conflict): a member of `root_a`'s cluster and one
    /// of `root_b`'s whose personal comparisons disagree.
    fn conflict_pair(&mut self, root_a: u32, root_b: u32) -> Option<(u32, u32)> {
        pair_across(&self.conflicts, &mut self.sets, &self.next, root_a, root_b)
            .or_else(|| self.unreconciled_pair(root_a, root_b))
    }

    /// The first cluster conflict between the clusters rooted at `root_a` and `root_b`
    /// that the clusters do not reconcile, as (the member on `a`'s side, the one on `b`'s).
    /// Walks the smaller cluster's members, as [`pair_across`] does.
    fn unreconciled_pair(&mut self, root_a: u32, root_b: u32) -> Option<(u32, u32)> {
        if self.cluster_conflicts.is_empty() {
            return None;
        }
        let (small, large, a_is_smaller) = self.sets.smaller_first(root_a, root_b);
        let mut member = small;
        while member != END {
            for neighbour in self.cluster_conflicts.of(member) {
                if self.sets.find(neighbour) == large
                    && !self.reconciled(member, small, neighbour, large)
                {
                    return Some(if a_is_smaller {
                        (member, neighbour)
                    } else {
                        (neighbour, member)
                    });
                }
            }
            member = self.next[member as usize];
        }
        None
    }

    /// Whether the clusters rooted at `root_x` and `root_y` reconcile every cluster-read
    /// attribute on which their members `x` and `y` differ (see [`ClusterReading`]).
    fn reconciled(&self, x: u32, root_x: u32, y: u32, root_y: u32) -> bool {
        self.cluster_attributes.iter().all(|(reading, values)| {
            let (vx, vy) = (values[x as usize], values[y as usize]);
            if vx == u32::MAX || vy == u32::MAX || vx == vy {
                return true;
            }
            match reading {
                ClusterReading::Majority => {
                    let majority = self.majority_value(values, root_x);
                    majority.is_some() && majority == self.majority_value(values, root_y)
                }
                ClusterReading::Held => {
                    self.holds(values, root_y, vx) || self.holds(values, root_x, vy)
                }
            }
        })
    }

    /// Whether some cluster-read attribute on which members `x` and `y` differ has each
    /// one's value held by two or more members of its cluster (rooted at `root_x` and
    /// `root_y`).
    fn both_held_twice(&self, x: u32, root_x: u32, y: u32, root_y: u32) -> bool {
        self.cluster_attributes
            .iter()
            .filter(|(reading, _)| *reading == ClusterReading::Held)
            .any(|(_, values)| {
                let (vx, vy) = (values[x as usize], values[y as usize]);
                vx != u32::MAX
                    && vy != u32::MAX
                    && vx != vy
                    && self.held_by(values, root_x, vx) >= 2
                    && self.held_by(values, root_y, vy) >= 2
            })
    }

    /// The members of the cluster rooted at `root`, by its linked list.
    fn members(&self, root: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(root), |&member| {
            Some(self.next[member as usize]).filter(|&next| next != END)
        })
    }

    /// How many members of the cluster rooted at `root` hold `value`.
    fn held_by(&self, values: &[u32], root: u32, value: u32) -> usize {
        self.members(root)
            .filter(|&member| values[member as usize] == value)
            .count()
    }

    /// Whether a member of the cluster rooted at `root` holds `value`.
    fn holds(&self, values: &[u32], root: u32, value: u32) -> bool {
        self.members(root)
            .any(|member| values[member as usize] == value)
    }

    /// The value more than half of the valued members of the cluster rooted at `root` hold.
    fn majority_value(&self, values: &[u32], root: u32) -> Option<u32> {
        let mut counts: Vec<(u32, u32)> = Vec::new();
        let mut valued = 0u32;
        for member in self.members(root) {
            let value = values[member as usize];
            if value != u32::MAX {
                valued += 1;
                match counts.iter_mut().find(|(v, _)| *v == value) {
                    Some((_, count)) => *count += 1,
                    None => counts.push((value, 1)),
                }
            }
        }
        counts
            .into_iter()
            .find(|&(_, count)| 2 * count > valued)
            .map(|(value, _)| value)
    }

    /// Clusters that unvouched edges would attach to two or more clusters that conflict
    /// with each other, none of them clearly the better: `Mr Brown` at an address where
    /// Thomas Brown and James Brown each have their own records. Per position (valid at
    /// roots): the conflicting pair that makes the cluster's attachment ambiguous.
    ///
    /// The candidates are exclusive hypotheses, so the chance that the cluster belongs to
    /// the best one is its odds over one plus the odds of every rival (the odds of an
    /// edge being p / (1 − p)). Below one half, the best is no likelier than not, and the
    /// cluster stays on its own rather than take a household member's records.
    fn ambiguous_attachments(&mut self, unvouched: &[LocalEdge]) -> Vec<Option<(u32, u32)>> {
        let mut ambiguous = vec![None; self.sets.parent.len()];
        if self.conflicts.is_empty() && self.cluster_conflicts.is_empty() {
            // No two candidates can conflict.
            return ambiguous;
        }
        let mut candidates: Vec<(u32, u32, f64)> = Vec::with_capacity(2 * unvouched.len());
        for edge in unvouched {
            let (root_a, root_b) = (self.sets.find(edge.a), self.sets.find(edge.b));
            if root_a != root_b {
                let p = edge.probability;
                let odds = if p >= 1.0 {
                    f64::INFINITY
                } else {
                    p / (1.0 - p)
                };
                candidates.push((root_a, root_b, odds));
                candidates.push((root_b, root_a, odds));
            }
        }
        // Per (cluster, candidate) the strongest edge, then each cluster's candidates
        // strongest first (ties by position, so the order never depends on the input's).
        candidates
            .sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)).then(y.2.total_cmp(&x.2)));
        candidates.dedup_by(|later, kept| later.0 == kept.0 && later.1 == kept.1);
        candidates.sort_by(|x, y| x.0.cmp(&y.0).then(y.2.total_cmp(&x.2)).then(x.1.cmp(&y.1)));
        for group in candidates.chunk_by(|x, y| x.0 == y.0) {
            let [(cluster, best, best_odds), rivals @ ..] = group else {
                continue;
            };
            let mut rival_odds = 0.0;
            let mut evidence = None;
            for &(_, rival, odds) in rivals {
                if let Some(pair) = self.conflict_pair(*best, rival) {
                    rival_odds += odds;
                    evidence.get_or_insert(pair);
                }
            }
            if evidence.is_some() && *best_odds < 1.0 + rival_odds {
                ambiguous[*cluster as usize] = evidence;
            }
        }
        ambiguous
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

/// The first of `pairs` that runs between the clusters rooted at `root_a` and `root_b`, as
/// (the member on `a`'s side, the one on `b`'s). Walks the smaller cluster's members (`next`
/// links them from the root) and asks whether a neighbour lands in the other: linear in the
/// smaller side, never |A|·|B|.
fn pair_across(
    pairs: &Neighbours,
    sets: &mut UnionFind,
    next: &[u32],
    root_a: u32,
    root_b: u32,
) -> Option<(u32, u32)> {
    if pairs.is_empty() {
        return None;
    }
    let (small, large, a_is_smaller) = sets.smaller_first(root_a, root_b);
    let mut member = small;
    while member != END {
        for neighbour in pairs.of(member) {
            if sets.find(neighbour) == large {
                return Some(if a_is_smaller {
                    (member, neighbour)
                } else {
                    (neighbour, member)
                });
            }
        }
        member = next[member as usize];
    }
    None
}

/// Each position's neighbours under a set of pairs, in position order, each with the
/// pair's weight (0 where pairs carry none).
#[derive(Default)]
struct Neighbours {
    start: Vec<u32>,
    list: Vec<(u32, f32)>,
}

impl Neighbours {
    fn new(len: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Self {
        Neighbours::weighted(len, pairs.map(|(a, b)| (a, b, 0.0)))
    }

    fn weighted(len: usize, pairs: impl Iterator<Item = (u32, u32, f32)> + Clone) -> Self {
        let mut start = vec![0u32; len + 1];
        let mut count = 0;
        for (a, b, _) in pairs.clone() {
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
        let mut list = vec![(0u32, 0.0f32); count];
        for (a, b, weight) in pairs {
            list[fill[a as usize] as usize] = (b, weight);
            fill[a as usize] += 1;
            list[fill[b as usize] as usize] = (a, weight);
            fill[b as usize] += 1;
        }
        for p in 0..len {
            list[start[p] as usize..start[p + 1] as usize]
                .sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
        }
        Neighbours { start, list }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The neighbours of `position`, with the weights of their pairs.
    fn weighted_of(&self, position: u32) -> &[(u32, f32)] {
        if self.list.is_empty() {
            return &[];
        }
        &self.list
            [self.start[position as usize] as usize..self.start[position as usize + 1] as usize]
    }

    /// The neighbours of `position`.
    fn of(&self, position: u32) -> impl Iterator<Item = u32> + '_ {
        self.weighted_of(position)
            .iter()
            .map(|&(neighbour, _)| neighbour)
    }
}

/// Disjoint sets with path halving and union by size.
pub(super) struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub(super) fn new(len: usize) -> Self {
        UnionFind {
            parent: (0..len as u32).collect(),
            size: vec![1; len],
        }
    }

    /// The roots `root_a` and `root_b`, the smaller cluster's first (ties: `root_a`), and
    /// whether that is `root_a`.
    fn smaller_first(&self, root_a: u32, root_b: u32) -> (u32, u32, bool) {
        if self.size[root_a as usize] <= self.size[root_b as usize] {
            (root_a, root_b, true)
        } else {
            (root_b, root_a, false)
        }
    }

    pub(super) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    pub(super) fn union(&mut self, a: u32, b: u32) {
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
