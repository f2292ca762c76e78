//! The components of a clustering problem's edges and must-links, each renumbered to
//! positions of its own so that it is solved alone.

use super::ClusterProblem;
use super::solve::UnionFind;

/// The components of the edges and must-links, each with its records (in id order) and the
/// edges and pairs inside it, renumbered to positions within the component.
pub(super) struct Components {
    /// Component `c`'s records are `members[start[c]..start[c + 1]]`.
    pub(super) start: Vec<u32>,
    members: Vec<u32>,
    edges: Bucketed<LocalEdge>,
    must_link: Bucketed<(u32, u32)>,
    cannot_link: Bucketed<(u32, u32)>,
    scored_cannot_link: Bucketed<(u32, u32, f32)>,
    scored_cluster_read: Bucketed<(u32, u32, f32)>,
    conflicts: Bucketed<(u32, u32)>,
    cluster_conflicts: Bucketed<(u32, u32)>,
}

/// Items grouped by component: component `c`'s are `items[start[c]..start[c + 1]]`.
pub(super) struct Bucketed<T> {
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
pub(super) struct LocalEdge {
    pub(super) a: u32,
    pub(super) b: u32,
    pub(super) weight: f64,
    pub(super) probability: f64,
    /// Whether personal agreement vouches for it (see [`Vouching`](super::Vouching)).
    pub(super) vouched: bool,
    /// Its personal weight (see [`Vouching::balance`](super::Vouching::balance)).
    pub(super) balance: f32,
    /// An identifier of its pair differs (see
    /// [`Vouching::identifier_differs`](super::Vouching::identifier_differs)).
    pub(super) identifier_differs: bool,
}

impl Components {
    pub(super) fn new(problem: &ClusterProblem, by_id: &[u32]) -> Self {
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
                .enumerate()
                .filter(|(_, edge)| edge.a != edge.b)
                .map(|(i, edge)| {
                    let (a, b) = local(edge.a, edge.b);
                    let local_edge = LocalEdge {
                        a,
                        b,
                        weight: edge.weight,
                        probability: edge.probability,
                        vouched: problem.vouching.vouched.get(i).copied().unwrap_or(true),
                        balance: problem.vouching.balance.get(i).copied().unwrap_or(0.0),
                        identifier_differs: problem
                            .vouching
                            .identifier_differs
                            .get(i)
                            .copied()
                            .unwrap_or(false),
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
        let balance = problem.vouching.scored_cannot_link_balance;
        let cluster_read = problem.vouching.scored_cannot_link_cluster_read;
        let scored = |read_by_cluster: bool| {
            Bucketed::new(
                count,
                problem
                    .scored_cannot_link
                    .iter()
                    .enumerate()
                    .filter(|&(i, &(a, b))| {
                        a != b
                            && component[a as usize] == component[b as usize]
                            && cluster_read.get(i).copied().unwrap_or(false) == read_by_cluster
                    })
                    .map(|(i, &(a, b))| {
                        let (pa, pb) = local(a, b);
                        let weight = balance.get(i).copied().unwrap_or(0.0);
                        (component[a as usize], (pa, pb, weight))
                    }),
            )
        };
        let scored_cannot_link = scored(false);
        let scored_cluster_read = scored(true);
        Components {
            must_link: pairs(problem.must_link),
            cannot_link: pairs(problem.cannot_link),
            scored_cannot_link,
            scored_cluster_read,
            conflicts: pairs(if problem.vouching.vouched.is_empty() {
                &[]
            } else {
                problem.vouching.conflicts
            }),
            cluster_conflicts: pairs(if problem.vouching.vouched.is_empty() {
                &[]
            } else {
                problem.vouching.cluster_conflicts
            }),
            start,
            members,
            edges,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub(super) fn members(&self, component: usize) -> &[u32] {
        &self.members[self.start[component] as usize..self.start[component + 1] as usize]
    }

    pub(super) fn input<'s>(
        &'s self,
        component: usize,
        problem: &'s ClusterProblem,
    ) -> ComponentInput<'s> {
        ComponentInput {
            component,
            members: self.members(component),
            edges: self.edges.of(component),
            must_link: self.must_link.of(component),
            cannot_link: self.cannot_link.of(component),
            scored_cannot_link: self.scored_cannot_link.of(component),
            scored_cluster_read: self.scored_cluster_read.of(component),
            conflicts: self.conflicts.of(component),
            cluster_conflicts: self.cluster_conflicts.of(component),
            exclusive: problem.exclusive,
            cluster_attributes: problem.vouching.cluster_attributes,
        }
    }
}

/// One component to solve; pairs are in positions within it.
pub(super) struct ComponentInput<'a> {
    pub(super) component: usize,
    /// The records, in id order.
    pub(super) members: &'a [u32],
    pub(super) edges: &'a [LocalEdge],
    pub(super) must_link: &'a [(u32, u32)],
    pub(super) cannot_link: &'a [(u32, u32)],
    /// Scored evidence against, with each pair's personal weight.
    pub(super) scored_cannot_link: &'a [(u32, u32, f32)],
    /// Those whose disagreeing comparisons are all read cluster by cluster.
    pub(super) scored_cluster_read: &'a [(u32, u32, f32)],
    pub(super) conflicts: &'a [(u32, u32)],
    /// Conflicts that count only where the clusters do not reconcile them.
    pub(super) cluster_conflicts: &'a [(u32, u32)],
    pub(super) exclusive: &'a [Vec<u32>],
    /// The attributes read cluster by cluster (values by global index).
    pub(super) cluster_attributes: &'a [super::ClusterAttribute],
}
