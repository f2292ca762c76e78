//! Tests of `cluster`.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use sameas_core::RecordId;
use sameas_merge::cluster::{
    ClusterAttribute, ClusterProblem, ClusterReading, Clustering, ClusteringMethod, Edge,
    JoinOutcome, Refusal, Vouching, cluster,
};

const NO_VALUE: u32 = u32::MAX;

fn ids(names: &[&str]) -> Vec<RecordId> {
    names.iter().map(|&name| RecordId::from(name)).collect()
}

fn edge(a: u32, b: u32, probability: f64) -> Edge {
    Edge {
        a,
        b,
        weight: (probability / (1.0 - probability)).log2(),
        probability,
    }
}

/// The clusters as sets of record ids: comparable across numberings.
fn partition(ids: &[RecordId], labels: &[u32]) -> BTreeSet<BTreeSet<RecordId>> {
    let mut clusters: BTreeMap<u32, BTreeSet<RecordId>> = BTreeMap::new();
    for (id, &label) in ids.iter().zip(labels) {
        clusters.entry(label).or_default().insert(id.clone());
    }
    clusters.into_values().collect()
}

fn together(clustering: &Clustering, a: u32, b: u32) -> bool {
    clustering.labels[a as usize] == clustering.labels[b as usize]
}

#[test]
fn a_shared_household_phone_does_not_chain_father_and_son() {
    // A: the father, full name. H: 张先生, an honorific only, sharing the household phone
    // with A and B. B: the son. H matches both; A and B were scored as different people.
    let names = ["A-father", "H-honorific", "B-son"];
    for (father_side, son_side) in [(0.995, 0.97), (0.97, 0.995)] {
        let problem = ClusterProblem {
            ids: &ids(&names),
            edges: &[edge(0, 1, father_side), edge(1, 2, son_side)],
            cannot_link: &[(0, 2)],
            scored_cannot_link: &[],
            must_link: &[],
            exclusive: &[],
            vouching: Vouching::NONE,
        };
        let clustering = cluster(&problem, ClusteringMethod::Constrained);
        assert!(
            !together(&clustering, 0, 2),
            "father and son in one customer"
        );
        assert_eq!(clustering.clusters, 2);
        // H joins the side it matches more strongly.
        let stronger = if father_side > son_side { 0 } else { 2 };
        assert!(together(&clustering, 1, stronger));
        assert_eq!(clustering.joins.len(), 2);
        assert_eq!(clustering.joins[0].outcome, JoinOutcome::Joined);
        let JoinOutcome::Refused(Refusal::CannotLink { a, b }) = clustering.joins[1].outcome else {
            panic!("the weaker edge must be refused: {:?}", clustering.joins[1]);
        };
        assert_eq!(BTreeSet::from([a, b]), BTreeSet::from([0, 2]));

        // Connected components chains the household: the baseline the constraints fix.
        let chained = cluster(&problem, ClusteringMethod::ConnectedComponents);
        assert_eq!(chained.labels, [0, 0, 0]);
        assert!(
            chained
                .joins
                .iter()
                .all(|join| join.outcome == JoinOutcome::Joined)
        );
    }
}

#[test]
fn two_national_ids_never_share_a_cluster_even_through_a_chain() {
    // P and R hold different national ids; Q holds none and matches both, and S holds P's id.
    let names = ["P", "Q", "R", "S"];
    let exclusive = vec![vec![10, NO_VALUE, 20, 10]];
    let problem = ClusterProblem {
        ids: &ids(&names),
        edges: &[
            edge(0, 1, 0.9),
            edge(1, 2, 0.95),
            edge(2, 3, 0.6),
            edge(0, 3, 0.99),
        ],
        cannot_link: &[],
        scored_cannot_link: &[],
        must_link: &[],
        exclusive: &exclusive,
        vouching: Vouching::NONE,
    };
    let clustering = cluster(&problem, ClusteringMethod::Constrained);
    assert!(together(&clustering, 0, 3), "the same id joins");
    assert!(together(&clustering, 1, 2), "Q joins R, its stronger match");
    assert!(!together(&clustering, 0, 2));
    let refused: Vec<_> = clustering
        .joins
        .iter()
        .filter_map(|join| match join.outcome {
            JoinOutcome::Refused(refusal) => Some(((join.a, join.b), refusal)),
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 2, "{:?}", clustering.joins);
    for ((a, b), refusal) in refused {
        let Refusal::Exclusive {
            attribute: 0,
            a: holder_a,
            b: holder_b,
        } = refusal
        else {
            panic!("refused for another reason: {refusal:?}");
        };
        // The evidence: a record on each side holding a value, and the values differ.
        assert_eq!(
            clustering.labels[holder_a as usize],
            clustering.labels[a as usize]
        );
        assert_eq!(
            clustering.labels[holder_b as usize],
            clustering.labels[b as usize]
        );
        assert_ne!(
            exclusive[0][holder_a as usize],
            exclusive[0][holder_b as usize]
        );
    }
}

#[test]
fn a_must_link_overrides_a_cannot_link() {
    let names = ["a", "b", "c"];
    let exclusive = vec![vec![1, 2, NO_VALUE]];
    let problem = ClusterProblem {
        ids: &ids(&names),
        edges: &[edge(1, 2, 0.9)],
        cannot_link: &[(0, 1)],
        scored_cannot_link: &[],
        must_link: &[(1, 0)],
        exclusive: &exclusive,
        vouching: Vouching::NONE,
    };
    let clustering = cluster(&problem, ClusteringMethod::Constrained);
    assert_eq!(clustering.labels, [0, 0, 0]);
    assert_eq!(clustering.joins[0].outcome, JoinOutcome::MustLink);
    assert_eq!((clustering.joins[0].a, clustering.joins[0].b), (0, 1));
    assert_eq!(clustering.joins[1].outcome, JoinOutcome::Joined);
}

#[test]
fn a_must_link_joins_records_with_no_edge_between_them() {
    let problem = ClusterProblem {
        ids: &ids(&["x", "y", "z"]),
        edges: &[],
        cannot_link: &[],
        scored_cannot_link: &[],
        must_link: &[(2, 0)],
        exclusive: &[],
        vouching: Vouching::NONE,
    };
    let clustering = cluster(&problem, ClusteringMethod::Constrained);
    assert_eq!(clustering.labels, [0, 1, 0]);
}

#[test]
fn edges_are_joined_strongest_first_within_each_component() {
    let names = ["a", "b", "c", "d", "e"];
    let problem = ClusterProblem {
        ids: &ids(&names),
        edges: &[
            edge(0, 1, 0.6),
            edge(3, 4, 0.7),
            edge(1, 2, 0.99),
            edge(0, 2, 0.8),
        ],
        cannot_link: &[],
        scored_cannot_link: &[],
        must_link: &[],
        exclusive: &[],
        vouching: Vouching::NONE,
    };
    let clustering = cluster(&problem, ClusteringMethod::Constrained);
    let logged: Vec<(u32, u32)> = clustering
        .joins
        .iter()
        .map(|join| (join.a, join.b))
        .collect();
    // Component {a, b, c} first (smallest id), strongest first; a–b then lies inside.
    assert_eq!(logged, [(1, 2), (0, 2), (3, 4)]);
    assert_eq!(clustering.labels, [0, 0, 0, 1, 1]);
}

#[test]
fn labels_follow_the_smallest_record_id() {
    let problem = ClusterProblem {
        ids: &ids(&["m", "b", "z", "a"]),
        edges: &[edge(0, 3, 0.9)],
        cannot_link: &[],
        scored_cannot_link: &[],
        must_link: &[],
        exclusive: &[],
        vouching: Vouching::NONE,
    };
    let clustering = cluster(&problem, ClusteringMethod::Constrained);
    // Clusters: {a, m} (smallest a), {b}, {z}.
    assert_eq!(clustering.labels, [0, 1, 2, 0]);
    assert_eq!(clustering.clusters, 3);
}

#[test]
fn an_empty_problem_has_no_clusters() {
    let problem = ClusterProblem {
        ids: &[],
        edges: &[],
        cannot_link: &[],
        scored_cannot_link: &[],
        must_link: &[],
        exclusive: &[],
        vouching: Vouching::NONE,
    };
    let clustering = cluster(&problem, ClusteringMethod::Constrained);
    assert!(clustering.labels.is_empty());
    assert_eq!(clustering.clusters, 0);
}

/// A random problem, owning its data.
#[derive(Debug, Clone)]
struct Generated {
    ids: Vec<RecordId>,
    edges: Vec<Edge>,
    cannot_link: Vec<(u32, u32)>,
    must_link: Vec<(u32, u32)>,
    exclusive: Vec<Vec<u32>>,
}

impl Generated {
    fn problem(&self) -> ClusterProblem<'_> {
        ClusterProblem {
            ids: &self.ids,
            edges: &self.edges,
            cannot_link: &self.cannot_link,
            scored_cannot_link: &[],
            must_link: &self.must_link,
            exclusive: &self.exclusive,
            vouching: Vouching::NONE,
        }
    }

    /// The same problem over `records` only (in that order), renumbered.
    fn restricted(&self, records: &[u32]) -> Generated {
        let position: BTreeMap<u32, u32> = records
            .iter()
            .enumerate()
            .map(|(position, &record)| (record, position as u32))
            .collect();
        let pairs = |pairs: &[(u32, u32)]| -> Vec<(u32, u32)> {
            pairs
                .iter()
                .filter_map(|(a, b)| Some((*position.get(a)?, *position.get(b)?)))
                .collect()
        };
        Generated {
            ids: records
                .iter()
                .map(|&record| self.ids[record as usize].clone())
                .collect(),
            edges: self
                .edges
                .iter()
                .filter_map(|edge| {
                    Some(Edge {
                        a: *position.get(&edge.a)?,
                        b: *position.get(&edge.b)?,
                        ..*edge
                    })
                })
                .collect(),
            cannot_link: pairs(&self.cannot_link),
            must_link: pairs(&self.must_link),
            exclusive: self
                .exclusive
                .iter()
                .map(|values| records.iter().map(|&r| values[r as usize]).collect())
                .collect(),
        }
    }

    /// The components of edges and must-links, by breadth-first search.
    fn components(&self) -> Vec<Vec<u32>> {
        let n = self.ids.len();
        let mut neighbours = vec![Vec::new(); n];
        let pairs = self.edges.iter().map(|edge| (edge.a, edge.b));
        for (a, b) in pairs.chain(self.must_link.iter().copied()) {
            neighbours[a as usize].push(b);
            neighbours[b as usize].push(a);
        }
        let mut seen = vec![false; n];
        let mut components = Vec::new();
        for start in 0..n {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut component = vec![start as u32];
            let mut next = 0;
            while next < component.len() {
                for &other in &neighbours[component[next] as usize] {
                    if !seen[other as usize] {
                        seen[other as usize] = true;
                        component.push(other);
                    }
                }
                next += 1;
            }
            components.push(component);
        }
        components
    }
}

/// Few distinct strengths, so that ties (broken by the ids) are common.
fn strength() -> impl Strategy<Value = (f64, f64)> {
    (0usize..4, 0usize..2).prop_map(|(p, w)| ([0.55, 0.8, 0.95, 0.999][p], [3.0, 7.5][w]))
}

fn generated() -> impl Strategy<Value = Generated> {
    (1usize..30).prop_flat_map(|n| {
        let n32 = n as u32;
        (
            proptest::sample::subsequence((0..200u32).collect::<Vec<_>>(), n).prop_shuffle(),
            proptest::collection::vec((0..n32, 0..n32, strength()), 0..n * 2),
            proptest::collection::vec((0..n32, 0..n32), 0..n),
            proptest::collection::vec((0..n32, 0..n32), 0..3),
            proptest::collection::vec(prop_oneof![Just(NO_VALUE), Just(NO_VALUE), 0u32..3], n),
        )
            .prop_map(
                |(names, edges, cannot_link, must_link, national_id)| Generated {
                    ids: names
                        .iter()
                        .map(|name| RecordId::from(format!("id-{name}")))
                        .collect(),
                    edges: edges
                        .into_iter()
                        .map(|(a, b, (probability, weight))| Edge {
                            a,
                            b,
                            weight,
                            probability,
                        })
                        .collect(),
                    cannot_link,
                    must_link,
                    exclusive: vec![national_id],
                },
            )
    })
}

/// A permutation of 0..n.
fn permuted(problem: &Generated, order: &[usize]) -> Generated {
    let records: Vec<u32> = order.iter().map(|&r| r as u32).collect();
    problem.restricted(&records)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn each_component_alone_gives_the_batch_partition(problem in generated()) {
        for method in [ClusteringMethod::Constrained, ClusteringMethod::ConnectedComponents] {
            let batch = cluster(&problem.problem(), method);
            let whole = partition(&problem.ids, &batch.labels);
            let mut pieces = BTreeSet::new();
            let mut joins = 0;
            for mut component in problem.components() {
                // Reversed, so positions within the part differ from the batch's.
                component.reverse();
                let part = problem.restricted(&component);
                let alone = cluster(&part.problem(), method);
                pieces.extend(partition(&part.ids, &alone.labels));
                joins += alone.joins.len();
            }
            prop_assert_eq!(&whole, &pieces);
            prop_assert_eq!(batch.joins.len(), joins);
        }
    }

    #[test]
    fn input_order_changes_nothing_but_the_positions(
        (problem, order, edge_order, flips) in generated().prop_flat_map(|problem| {
            let (n, m) = (problem.ids.len(), problem.edges.len());
            (
                Just(problem),
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
                Just((0..m).collect::<Vec<_>>()).prop_shuffle(),
                proptest::collection::vec(any::<bool>(), m),
            )
        })
    ) {
        let mut shuffled = permuted(&problem, &order);
        // Edges and pairs in another order, some written the other way round.
        shuffled.edges = edge_order
            .iter()
            .map(|&e| {
                let edge = shuffled.edges[e];
                if flips[e] { Edge { a: edge.b, b: edge.a, ..edge } } else { edge }
            })
            .collect();
        shuffled.cannot_link.reverse();
        for pair in &mut shuffled.cannot_link {
            *pair = (pair.1, pair.0);
        }
        shuffled.must_link.reverse();
        for method in [ClusteringMethod::Constrained, ClusteringMethod::ConnectedComponents] {
            let original = cluster(&problem.problem(), method);
            let other = cluster(&shuffled.problem(), method);
            // Labels are numbered by ids, so each record keeps its label.
            for (position, &record) in order.iter().enumerate() {
                prop_assert_eq!(other.labels[position], original.labels[record]);
            }
            // The join log is the same once positions are read as ids.
            let id_of = |ids: &[RecordId], record: u32| ids[record as usize].clone();
            let log = |clustering: &Clustering, ids: &[RecordId]| -> Vec<String> {
                clustering.joins.iter().map(|join| {
                    let evidence = match join.outcome {
                        JoinOutcome::Refused(Refusal::CannotLink { a, b })
                        | JoinOutcome::Refused(Refusal::Exclusive { a, b, .. }) => {
                            format!("{} {}", id_of(ids, a), id_of(ids, b))
                        }
                        _ => String::new(),
                    };
                    format!(
                        "{} {} {} {} {:?} {evidence}",
                        id_of(ids, join.a), id_of(ids, join.b), join.probability, join.weight,
                        std::mem::discriminant(&join.outcome),
                    )
                }).collect()
            };
            prop_assert_eq!(log(&original, &problem.ids), log(&other, &shuffled.ids));
        }
    }

    #[test]
    fn connected_components_equals_a_breadth_first_search(problem in generated()) {
        let clustering = cluster(&problem.problem(), ClusteringMethod::ConnectedComponents);
        let reference: BTreeSet<BTreeSet<RecordId>> = problem
            .components()
            .into_iter()
            .map(|component| {
                component.into_iter().map(|r| problem.ids[r as usize].clone()).collect()
            })
            .collect();
        prop_assert_eq!(partition(&problem.ids, &clustering.labels), reference);
        prop_assert_eq!(clustering.clusters, problem.components().len());
    }

    #[test]
    fn constrained_clusters_hold_no_evidence_against_themselves(mut problem in generated()) {
        problem.must_link.clear();
        let clustering = cluster(&problem.problem(), ClusteringMethod::Constrained);
        for &(a, b) in &problem.cannot_link {
            prop_assert!(a == b || !together(&clustering, a, b));
        }
        let mut value_of_cluster: BTreeMap<u32, u32> = BTreeMap::new();
        for (record, &value) in problem.exclusive[0].iter().enumerate() {
            if value != NO_VALUE {
                let held = *value_of_cluster.entry(clustering.labels[record]).or_insert(value);
                prop_assert_eq!(held, value);
            }
        }
        // Numbering: clusters in the order of their smallest id.
        let mut smallest: BTreeMap<u32, &RecordId> = BTreeMap::new();
        for (id, &label) in problem.ids.iter().zip(&clustering.labels) {
            let entry = smallest.entry(label).or_insert(id);
            if id < *entry {
                *entry = id;
            }
        }
        let order: Vec<&RecordId> = smallest.values().copied().collect();
        prop_assert!(order.windows(2).all(|pair| pair[0] < pair[1]));
        prop_assert_eq!(smallest.len(), clustering.clusters);
    }

    #[test]
    fn constrained_equals_connected_components_without_constraints(mut problem in generated()) {
        problem.cannot_link.clear();
        problem.exclusive.clear();
        let constrained = cluster(&problem.problem(), ClusteringMethod::Constrained);
        let components = cluster(&problem.problem(), ClusteringMethod::ConnectedComponents);
        prop_assert_eq!(constrained.labels, components.labels);
    }
}

/// `Mr Wang` (2) matches the father (0) and the son (1) on the family name and address
/// alone: unvouched edges. Father and son differ in their given names: a personal
/// conflict. He joins the one he matches best, and never chains the two together.
#[test]
fn an_unvouched_record_joins_one_side_of_a_personal_conflict() {
    let ids = ids(&["father", "son", "mr"]);
    let edges = [edge(0, 2, 0.97), edge(1, 2, 0.95)];
    let problem = |vouching| vouched_problem(&ids, &edges, vouching);
    let chained = cluster(&problem(Vouching::NONE), ClusteringMethod::Constrained);
    assert_eq!(chained.clusters, 1);
    let vouching = Vouching {
        vouched: &[false, false],
        conflicts: &[(0, 1)],
        ..Vouching::NONE
    };
    let kept = cluster(&problem(vouching), ClusteringMethod::Constrained);
    assert_eq!(kept.clusters, 2);
    assert_eq!(kept.labels[0], kept.labels[2]);
    assert_ne!(kept.labels[1], kept.labels[2]);
    // A vouched edge (the son's given name agreeing) is not held back by the conflict.
    let vouched = Vouching {
        vouched: &[false, true],
        conflicts: &[(0, 1)],
        ..Vouching::NONE
    };
    let joined = cluster(&problem(vouched), ClusteringMethod::Constrained);
    assert_eq!(joined.labels[1], joined.labels[2]);
    assert_ne!(joined.labels[0], joined.labels[2]);
}

/// `Mr Brown` (2) matches Thomas (0) and James (1), who conflict, equally well: he is no
/// likelier one's than the other's, so he stays on his own and the refusal says why. A
/// phone shared with Thomas alone makes Thomas clearly the likelier, and he joins him.
#[test]
fn an_unvouched_record_that_fits_two_conflicting_people_equally_stays_apart() {
    let ids = ids(&["thomas", "james", "mr"]);
    let vouching = Vouching {
        vouched: &[false, false],
        conflicts: &[(0, 1)],
        ..Vouching::NONE
    };
    let solve = |edges: &[Edge]| {
        cluster(
            &vouched_problem(&ids, edges, vouching),
            ClusteringMethod::Constrained,
        )
    };
    let even = solve(&[edge(0, 2, 0.95), edge(1, 2, 0.95)]);
    assert_eq!(even.clusters, 3);
    // The evidence is the conflicting pair of candidates (ties go by id: James first).
    assert!(even.joins.iter().all(|j| matches!(
        j.outcome,
        JoinOutcome::Refused(Refusal::Ambiguous { a: 1, b: 0 })
    )));
    // Edge order does not decide it.
    let reversed = solve(&[edge(1, 2, 0.95), edge(0, 2, 0.95)]);
    assert_eq!(reversed.labels, even.labels);
    // Odds 999 against 19: Thomas is the likelier by far.
    let clear = solve(&[edge(0, 2, 0.999), edge(1, 2, 0.95)]);
    assert_eq!(clear.clusters, 2);
    assert_eq!(clear.labels[0], clear.labels[2]);
    // Without the conflict the two candidates are not rivals: one cluster of three.
    let no_conflict = Vouching {
        vouched: &[false, false],
        conflicts: &[],
        ..Vouching::NONE
    };
    let apart = cluster(
        &vouched_problem(&ids, &[edge(0, 2, 0.95), edge(1, 2, 0.95)], no_conflict),
        ClusteringMethod::Constrained,
    );
    assert_eq!(apart.clusters, 1);
}

/// Four records of a man (0–3), one of them mistyped female (3), joined by vouched edges;
/// a record marked male (4) with nothing personal but his gender matches them on the phone
/// alone. He differs from the mistyped record only: the cluster's majority is male, as he
/// is, so he joins. Where the cluster's genders tie, or its majority is female, the
/// conflict stands.
#[test]
fn a_gender_conflict_counts_only_against_a_cluster_of_the_other_majority() {
    let ids = ids(&["a", "b", "c", "d", "mr"]);
    let edges = [
        edge(0, 1, 0.99),
        edge(1, 2, 0.99),
        edge(2, 3, 0.99),
        edge(0, 4, 0.95),
    ];
    let solve = |genders: &[u32]| {
        let attributes = [ClusterAttribute {
            reading: ClusterReading::Majority,
            values: genders.to_vec(),
        }];
        let vouching = Vouching {
            vouched: &[true, true, true, false],
            cluster_conflicts: &[(3, 4)],
            cluster_attributes: &attributes,
            ..Vouching::NONE
        };
        cluster(
            &vouched_problem(&ids, &edges, vouching),
            ClusteringMethod::Constrained,
        )
    };
    const M: u32 = 0;
    const F: u32 = 1;
    const NONE: u32 = u32::MAX;
    let joined = solve(&[M, M, M, F, M]);
    assert_eq!(joined.clusters, 1);
    // A record without a gender is not counted: two male against one female still holds.
    let unstated = solve(&[M, NONE, M, F, M]);
    assert_eq!(unstated.clusters, 1);
    for genders in [[M, NONE, NONE, F, M], [F, F, M, F, M]] {
        let kept = solve(&genders);
        assert_eq!(kept.clusters, 2, "{genders:?}");
        assert_ne!(kept.labels[0], kept.labels[4]);
        assert!(kept.joins.iter().any(|j| matches!(
            j.outcome,
            JoinOutcome::Refused(Refusal::CannotLink { a: 3, b: 4 })
        )));
    }
}

/// One woman's records as `Maria` (0), `Guadalupe` (1) and `Maria Guadalupe` (2), joined by
/// vouched edges; a record that says `Guadalupe` (3) matches them on her e-mail alone, and
/// its given name differs from record 0's. The cluster holds `Guadalupe` already, so the
/// difference is no second person and she joins; a cluster without it keeps her apart.
#[test]
fn a_name_conflict_is_reconciled_by_a_cluster_that_holds_the_name() {
    let ids = ids(&["maria", "guadalupe", "maria_guadalupe", "record"]);
    let edges = [edge(0, 1, 0.99), edge(1, 2, 0.99), edge(0, 3, 0.95)];
    let (maria, guadalupe, both) = (0, 1, 2);
    let solve = |given: [u32; 4]| {
        let attributes = [ClusterAttribute {
            reading: ClusterReading::Held,
            values: given.to_vec(),
        }];
        let vouching = Vouching {
            vouched: &[true, true, false],
            cluster_conflicts: &[(0, 3)],
            cluster_attributes: &attributes,
            ..Vouching::NONE
        };
        cluster(
            &vouched_problem(&ids, &edges, vouching),
            ClusteringMethod::Constrained,
        )
    };
    let joined = solve([maria, guadalupe, both, guadalupe]);
    assert_eq!(joined.clusters, 1);
    let kept = solve([maria, both, both, guadalupe]);
    assert_eq!(kept.clusters, 2);
    assert_ne!(kept.labels[0], kept.labels[3]);
}

/// A woman's two records (0, 1) under two member numbers, joined by a vouched edge; a
/// third (2) has the first number and differs from record 1's: scored evidence against.
/// Read cluster by cluster, the cluster holds her number already and she joins; read pair
/// by pair, the difference keeps her apart.
#[test]
fn scored_evidence_against_is_reconciled_by_a_cluster_that_holds_the_value() {
    let ids = ids(&["first_card", "second_card", "record"]);
    let edges = [edge(0, 1, 0.99), edge(0, 2, 0.95)];
    let attributes = [ClusterAttribute {
        reading: ClusterReading::Held,
        values: vec![1, 2, 1],
    }];
    let solve = |cluster_read: &[bool]| {
        let problem = ClusterProblem {
            scored_cannot_link: &[(1, 2)],
            ..vouched_problem(
                &ids,
                &edges,
                Vouching {
                    vouched: &[true, true],
                    balance: &[0.0, 0.0],
                    scored_cannot_link_balance: &[-4.7],
                    scored_cannot_link_cluster_read: cluster_read,
                    cluster_attributes: &attributes,
                    ..Vouching::NONE
                },
            )
        };
        cluster(&problem, ClusteringMethod::Constrained)
    };
    assert_eq!(solve(&[true]).clusters, 1);
    let kept = solve(&[false]);
    assert_eq!(kept.clusters, 2);
    assert_ne!(kept.labels[1], kept.labels[2]);
}

/// A problem of `edges` over `ids` with `vouching` and no other constraint.
fn vouched_problem<'a>(
    ids: &'a [RecordId],
    edges: &'a [Edge],
    vouching: Vouching<'a>,
) -> ClusterProblem<'a> {
    ClusterProblem {
        ids,
        edges,
        cannot_link: &[],
        scored_cannot_link: &[],
        must_link: &[],
        exclusive: &[],
        vouching,
    }
}

/// Two records of one person, each with a typo of its own in a different field (one a
/// birth date, the other an identifier), disagree with each other, though each agrees with
/// a third record of the person: scored evidence against (0, 1) outweighed by the personal
/// weights of the edges that join them. Where those add up against joining (edges vouched
/// only by a shared given name weigh nothing), the evidence holds them apart.
#[test]
fn personal_weights_across_outweigh_scored_evidence_against() {
    let ids = ids(&["typo_date", "typo_id", "clean"]);
    let edges = [edge(0, 2, 0.99), edge(1, 2, 0.98)];
    let solve = |balance: &[f32], against: &[f32]| {
        let problem = ClusterProblem {
            scored_cannot_link: &[(0, 1)],
            ..vouched_problem(
                &ids,
                &edges,
                Vouching {
                    vouched: &[true, true],
                    conflicts: &[],
                    balance,
                    scored_cannot_link_balance: against,
                    ..Vouching::NONE
                },
            )
        };
        cluster(&problem, ClusteringMethod::Constrained)
    };
    // Two edges against one pair with evidence against: not more than twice as many.
    let unweighed = solve(&[], &[]);
    assert_eq!(unweighed.clusters, 2);
    assert!(
        unweighed
            .joins
            .iter()
            .any(|j| matches!(j.outcome, JoinOutcome::Refused(Refusal::CannotLink { .. })))
    );
    // Each edge agrees on a birth date or an identifier (+11.5 bits); the pair against
    // differs on both (-8): one person.
    let outweighed = solve(&[11.5, 11.5], &[-8.0]);
    assert_eq!(outweighed.clusters, 1);
    // Edges whose agreement weighs less than the evidence against: two people.
    let held = solve(&[3.0, 4.0], &[-8.0]);
    assert_eq!(held.clusters, 2);
    assert_eq!(held.labels, unweighed.labels);
}

/// Patrick (0, 1) and Patricia (2, 3) Smith of one address, each with a passport on two
/// records (`Pat` on one of each): two strong edges join each one's records, three weak
/// ones (a nickname, the address) run across, each between records whose passports
/// differ, and Patrick's and Patricia's full records score as different people. Three
/// edges against one pair would outvote it, but an edge between two passports each
/// held twice is no vote: two people. Where one side holds its passport once (a typo
/// made once), the edges vote as before and the clusters join.
#[test]
fn edges_between_identifiers_each_held_twice_do_not_outvote_evidence_against() {
    let ids = ids(&["patrick", "pat_1", "patricia", "pat_2"]);
    let edges = [
        edge(0, 1, 0.9998),
        edge(2, 3, 0.9998),
        edge(0, 3, 0.74),
        edge(1, 2, 0.74),
        edge(1, 3, 0.60),
    ];
    let solve = |passports: Vec<u32>| {
        let attributes = [ClusterAttribute {
            reading: ClusterReading::Held,
            values: passports,
        }];
        let problem = ClusterProblem {
            scored_cannot_link: &[(0, 2)],
            ..vouched_problem(
                &ids,
                &edges,
                Vouching {
                    vouched: &[true; 5],
                    balance: &[4.0, 4.0, 0.6, 0.6, -4.8],
                    identifier_differs: &[false, false, true, true, true],
                    scored_cannot_link_balance: &[-6.7],
                    cluster_attributes: &attributes,
                    ..Vouching::NONE
                },
            )
        };
        cluster(&problem, ClusteringMethod::Constrained)
    };
    let two = solve(vec![1, 1, 2, 2]);
    assert_eq!(two.clusters, 2);
    assert_eq!(two.labels[0], two.labels[1]);
    assert_eq!(two.labels[2], two.labels[3]);
    assert!(
        two.joins
            .iter()
            .any(|j| matches!(j.outcome, JoinOutcome::Refused(Refusal::CannotLink { .. })))
    );
    // Patrick's second record holds a mistyped passport: held once, no dispute of two
    // people, and the three edges outvote the one pair against.
    let one = solve(vec![1, 3, 2, 2]);
    assert_eq!(one.clusters, 1);
}
