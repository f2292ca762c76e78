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
//! use sameas_merge::cluster::{cluster, ClusterProblem, ClusteringMethod, Edge, Vouching};
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
//!     vouching: Vouching::NONE,
//! };
//! let clustering = cluster(&problem, ClusteringMethod::Constrained);
//! assert_eq!(clustering.labels, [0, 0, 1]);
//! assert_eq!(clustering.clusters, 2);
//! ```

mod components;
mod config;
pub mod policy;
mod solve;

use rayon::prelude::*;
use sameas_core::RecordId;
use serde::{Deserialize, Serialize};

use components::Components;
pub use config::{ClusteringConfig, ClusteringMethod, HouseholdGuard};
use solve::{SolvedComponent, solve};

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
    /// Which edges a personal agreement vouches for, and the conflicts that keep apart
    /// what only unvouched edges would join.
    pub vouching: Vouching<'a>,
}

/// Edges that personal evidence vouches for, and those it does not: a pair joined only by
/// what a household shares (a family name, an address, a phone), a record with no given
/// name, a title and a family name alone. Vouched edges are joined first, strongest
/// first, as people; unvouched ones then attach what is left, strongest first, but never
/// across a personal conflict: a pair of the two sides whose personal comparisons disagree
/// with nothing agreeing (given names that differ). So `Mr Wang` at the family's address
/// joins the one Wang he best matches, not both the father and the son, and a number the
/// household shares does not chain two of its members into one customer.
#[derive(Debug, Clone, Copy)]
pub struct Vouching<'a> {
    /// Per edge of [`ClusterProblem::edges`], whether personal agreement vouches for it.
    /// Empty: every edge is vouched for, and nothing below is read.
    pub vouched: &'a [bool],
    /// Pairs whose personal comparisons disagree and none agrees.
    pub conflicts: &'a [(u32, u32)],
    /// Such pairs whose disagreeing comparisons are each read cluster by cluster (a
    /// gender, a name; see [`ClusterAttribute`]): they keep two clusters apart unless the
    /// clusters reconcile every attribute of [`cluster_attributes`](Self::cluster_attributes)
    /// on which the pair's records differ.
    pub cluster_conflicts: &'a [(u32, u32)],
    /// The attributes read cluster by cluster.
    pub cluster_attributes: &'a [ClusterAttribute],
    /// Per edge, its personal weight: the log2 Bayes factors of the personal comparisons
    /// (given name, birth date, identifiers), leaving out what households share. Empty:
    /// none is known.
    pub balance: &'a [f32],
    /// Per edge, whether an identifier of its pair differs (two passports, two member
    /// cards). Where each of the two clusters holds its record's value on two or more
    /// records, such an edge adds its weight to the balance against scored evidence but
    /// is not one of the edges whose number outvotes it: a typo is made once, and a value
    /// held twice on each side is two people's. Empty: none differs.
    pub identifier_differs: &'a [bool],
    /// Per pair of [`ClusterProblem::scored_cannot_link`], its personal weight, as above.
    /// Scored evidence against keeps two clusters apart unless more than twice as many
    /// edges run between them, or the personal weights of every edge and scored pair
    /// between them add up for joining: two records of one person, each with its own typo
    /// in a different field, disagree with each other but both agree with a third.
    pub scored_cannot_link_balance: &'a [f32],
    /// Per pair of [`ClusterProblem::scored_cannot_link`], whether its disagreeing
    /// comparisons are all read cluster by cluster: it counts only where the two clusters
    /// do not reconcile them (see [`cluster_conflicts`](Self::cluster_conflicts)). Empty:
    /// none is.
    pub scored_cannot_link_cluster_read: &'a [bool],
}

impl Vouching<'_> {
    /// Every edge vouched for: clustering as without this distinction.
    pub const NONE: Vouching<'static> = Vouching {
        vouched: &[],
        conflicts: &[],
        cluster_conflicts: &[],
        cluster_attributes: &[],
        balance: &[],
        identifier_differs: &[],
        scored_cannot_link_balance: &[],
        scored_cannot_link_cluster_read: &[],
    };
}

/// An attribute whose difference between two records is read against their clusters as
/// wholes: a record that differs from one member of a cluster but fits the cluster is no
/// second person for that difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterAttribute {
    /// How a cluster's values are read.
    pub reading: ClusterReading,
    /// Per record: an interned value id, or `u32::MAX` for none.
    pub values: Vec<u32>,
}

/// How a cluster's values of a [`ClusterAttribute`] are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterReading {
    /// By the value more than half of its valued members hold: two records that differ fit
    /// their clusters when the two clusters' majorities agree. For a gender, mistyped now
    /// and then (`女` for 郑强), where two values are all there are: four records of a man,
    /// one marked female, are a man's, but a man and a woman of one household stay apart.
    Majority,
    /// By every value its members hold: a record fits a cluster that holds its value
    /// already. For names, of which one person is known by several (`Maria` and
    /// `Guadalupe`, a maiden family name beside a married one).
    Held,
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
    /// One side would attach, by edges no personal agreement vouches for, to either of two
    /// clusters that hold a personal conflict (records `a` and `b`, one in each, neither on
    /// the join's other side necessarily), and neither is clearly the likelier: `Mr Brown` at
    /// an address where Thomas and James Brown each have records. It stays on its own.
    Ambiguous {
        /// A record of the likelier candidate.
        a: u32,
        /// The record of a rival candidate it conflicts with.
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

    let vouched = problem.vouching.vouched.len();
    assert!(
        vouched == 0 || vouched == problem.edges.len(),
        "vouching needs one flag per edge"
    );
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
            vouching: Vouching::NONE,
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
            vouching: Vouching::NONE,
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
            vouching: Vouching::NONE,
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
