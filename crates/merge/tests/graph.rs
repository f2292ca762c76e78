//! Tests of `graph`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use proptest::prelude::*;
use sameas_core::{EntityId, RecordId};
use sameas_merge::MergeError;
use sameas_merge::cluster::{
    ClusterProblem, Clustering, ClusteringMethod, Edge, Vouching, cluster,
};
use sameas_merge::graph::{Event, IdentityGraph, PreviousEntities};

fn rid(text: &str) -> RecordId {
    RecordId::from(text)
}

fn eid(n: u64) -> EntityId {
    EntityId::numbered(n)
}

fn edge(a: u32, b: u32, probability: f64) -> Edge {
    Edge {
        a,
        b,
        weight: (probability / (1.0 - probability)).log2(),
        probability,
    }
}

/// Clusters `records` of `graph` with the edges the graph holds and the given cannot-links
/// (by record id), as the facade does.
fn recluster(
    graph: &IdentityGraph,
    records: &[u32],
    cannot: &HashSet<(RecordId, RecordId)>,
) -> Clustering {
    let ids: Vec<RecordId> = records
        .iter()
        .map(|&record| graph.record_id(record).unwrap().clone())
        .collect();
    let edges = graph.edges_among(records);
    let cannot_link = cannot_links_among(&ids, cannot);
    let problem = ClusterProblem {
        ids: &ids,
        edges: &edges,
        cannot_link: &cannot_link,
        scored_cannot_link: &[],
        must_link: &[],
        exclusive: &[],
        vouching: Vouching::NONE,
    };
    cluster(&problem, ClusteringMethod::Constrained)
}

fn cannot_links_among(ids: &[RecordId], cannot: &HashSet<(RecordId, RecordId)>) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    for (a, x) in ids.iter().enumerate() {
        for (b, y) in ids.iter().enumerate() {
            if cannot.contains(&(x.clone(), y.clone())) {
                pairs.push((a as u32, b as u32));
            }
        }
    }
    pairs
}

/// Re-clusters the component of `record` and applies it.
fn settle(graph: &mut IdentityGraph, records: &[u32]) {
    let clustering = recluster(graph, records, &HashSet::new());
    graph.apply(records, &clustering);
}

/// A batch graph over `names` with `edges` (by position), no constraints.
fn batch(names: &[&str], edges: &[Edge], previous: Option<&PreviousEntities>) -> IdentityGraph {
    let ids: Vec<RecordId> = names.iter().map(|&name| rid(name)).collect();
    let problem = ClusterProblem {
        ids: &ids,
        edges,
        cannot_link: &[],
        scored_cannot_link: &[],
        must_link: &[],
        exclusive: &[],
        vouching: Vouching::NONE,
    };
    let clustering = cluster(&problem, ClusteringMethod::Constrained);
    IdentityGraph::from_clustering(ids, edges, &clustering, previous).unwrap()
}

fn previous(rows: &[(&str, u64)]) -> PreviousEntities {
    PreviousEntities::from_rows(
        rows.iter()
            .map(|&(record, entity)| (rid(record), eid(entity))),
    )
}

fn entity(graph: &IdentityGraph, record: &str) -> EntityId {
    graph.entity_of(&rid(record)).unwrap().clone()
}

#[test]
fn a_batch_numbers_entities_by_their_smallest_record_id() {
    let graph = batch(&["d", "b", "c", "a"], &[edge(0, 3, 0.9)], None);
    assert_eq!(entity(&graph, "a"), eid(1));
    assert_eq!(entity(&graph, "d"), eid(1));
    assert_eq!(entity(&graph, "b"), eid(2));
    assert_eq!(entity(&graph, "c"), eid(3));
    assert_eq!(graph.next_sequence(), 4);
    assert_eq!(
        graph.events()[0],
        Event::Created {
            entity: eid(1),
            records: vec![rid("d"), rid("a")],
        }
    );
    assert_eq!(graph.events().len(), 3);
    assert_eq!(graph.members(&eid(1)), Some(&[0, 3][..]));
    assert_eq!(graph.edge_count(), 1);
}

#[test]
fn a_batch_refuses_duplicate_record_ids() {
    let ids = vec![rid("a"), rid("a")];
    let clustering = Clustering {
        labels: vec![0, 1],
        clusters: 2,
        joins: Vec::new(),
    };
    let error = IdentityGraph::from_clustering(ids, &[], &clustering, None).unwrap_err();
    assert!(matches!(error, MergeError::DuplicateRecord));
}

#[test]
fn a_merge_keeps_the_older_id() {
    // m and n are E1 and E2; a arrives later as E3, then matches n.
    let mut graph = batch(&["m", "n"], &[], None);
    graph.take_events();
    let a = graph.push_record(rid("a")).unwrap();
    assert_eq!(graph.entity_of(&rid("a")), None, "placed by the next apply");
    let component = graph.component(a);
    settle(&mut graph, &component);
    assert_eq!(entity(&graph, "a"), eid(3));
    assert_eq!(
        graph.take_events(),
        [Event::Created {
            entity: eid(3),
            records: vec![rid("a")],
        }]
    );
    graph.add_edges(&[edge(a, 1, 0.99)]);
    let component = graph.component(a);
    assert_eq!(component, [1, a]);
    settle(&mut graph, &component);
    // a has the smaller id, but n's entity is older.
    assert_eq!(entity(&graph, "a"), eid(2));
    assert_eq!(entity(&graph, "n"), eid(2));
    assert_eq!(graph.members(&eid(3)), None);
    assert_eq!(
        graph.take_events(),
        [Event::Merged {
            entity: eid(2),
            absorbed: vec![eid(3)],
            records: vec![rid("n"), rid("a")],
        }]
    );
}

#[test]
fn a_new_record_that_matches_joins_without_a_new_id() {
    let mut graph = batch(&["m", "n"], &[edge(0, 1, 0.9)], None);
    graph.take_events();
    let a = graph.push_record(rid("a")).unwrap();
    graph.add_edges(&[edge(a, 0, 0.95)]);
    let component = graph.component(a);
    settle(&mut graph, &component);
    assert_eq!(entity(&graph, "a"), eid(1));
    assert_eq!(
        graph.take_events(),
        [Event::RecordAdded {
            entity: eid(1),
            record: rid("a"),
        }]
    );
    assert_eq!(graph.next_sequence(), 2, "no id was spent");
    assert_eq!(
        graph.push_record(rid("m")).unwrap_err().to_string(),
        MergeError::DuplicateRecord.to_string()
    );
}

#[test]
fn a_split_leaves_the_id_with_the_larger_part() {
    // Before: one entity E5 = {a, b, c}. Now a no longer matches.
    let before = previous(&[("a", 5), ("b", 5), ("c", 5)]);
    let graph = batch(&["a", "b", "c"], &[edge(1, 2, 0.9)], Some(&before));
    assert_eq!(entity(&graph, "b"), eid(5));
    assert_eq!(entity(&graph, "c"), eid(5));
    assert_eq!(entity(&graph, "a"), eid(6));
    assert_eq!(
        graph.events(),
        [
            Event::Created {
                entity: eid(6),
                records: vec![rid("a")],
            },
            Event::Split {
                entity: eid(5),
                into: vec![eid(5), eid(6)],
            },
        ]
    );
}

#[test]
fn the_same_partition_keeps_every_id_and_logs_nothing() {
    let before = previous(&[("a", 3), ("b", 3), ("c", 9), ("d", 1)]);
    let graph = batch(&["d", "c", "b", "a"], &[edge(2, 3, 0.9)], Some(&before));
    assert_eq!(entity(&graph, "a"), eid(3));
    assert_eq!(entity(&graph, "b"), eid(3));
    assert_eq!(entity(&graph, "c"), eid(9));
    assert_eq!(entity(&graph, "d"), eid(1));
    assert!(graph.events().is_empty(), "{:?}", graph.events());
    assert_eq!(graph.next_sequence(), 10);
}

#[test]
fn a_re_run_logs_records_that_left_and_arrived() {
    // x left the input; y is new and matches a; z is new and alone; q's entity is gone.
    let before = previous(&[("a", 2), ("x", 2), ("q", 4)]);
    let graph = batch(&["a", "y", "z"], &[edge(0, 1, 0.9)], Some(&before));
    assert_eq!(entity(&graph, "a"), eid(2));
    assert_eq!(entity(&graph, "y"), eid(2));
    assert_eq!(
        entity(&graph, "z"),
        eid(5),
        "fresh ids come after every old one"
    );
    assert_eq!(
        graph.events(),
        [
            Event::RecordRemoved {
                entity: eid(2),
                record: rid("x"),
            },
            Event::RecordRemoved {
                entity: eid(4),
                record: rid("q"),
            },
            Event::RecordAdded {
                entity: eid(2),
                record: rid("y"),
            },
            Event::Created {
                entity: eid(5),
                records: vec![rid("z")],
            },
            Event::Retired { entity: eid(4) },
        ]
    );
}

#[test]
fn a_re_run_merge_keeps_the_older_id_even_when_smaller() {
    // E2 = {a}, E7 = {b, c, d}: now one person. E7 is larger, E2 older: E2 survives.
    let before = previous(&[("a", 2), ("b", 7), ("c", 7), ("d", 7)]);
    let graph = batch(
        &["a", "b", "c", "d"],
        &[edge(0, 1, 0.9), edge(1, 2, 0.9), edge(2, 3, 0.9)],
        Some(&before),
    );
    assert_eq!(graph.entity_count(), 1);
    assert_eq!(entity(&graph, "d"), eid(2));
    assert_eq!(
        graph.events(),
        [Event::Merged {
            entity: eid(2),
            absorbed: vec![eid(7)],
            records: vec![rid("a"), rid("b"), rid("c"), rid("d")],
        }]
    );
}

#[test]
fn a_re_run_split_and_merge_at_once() {
    // E1 = {a, b, c} loses c to E2 = {d}; c and d are one person, E1's larger part stays.
    let before = previous(&[("a", 1), ("b", 1), ("c", 1), ("d", 2)]);
    let graph = batch(
        &["a", "b", "c", "d"],
        &[edge(0, 1, 0.9), edge(2, 3, 0.9)],
        Some(&before),
    );
    assert_eq!(entity(&graph, "a"), eid(1));
    assert_eq!(entity(&graph, "c"), eid(2));
    assert_eq!(
        graph.events(),
        [
            Event::RecordAdded {
                entity: eid(2),
                record: rid("c"),
            },
            Event::Split {
                entity: eid(1),
                into: vec![eid(1), eid(2)],
            },
        ]
    );
}

#[test]
fn removing_the_middle_of_a_chain_splits_the_entity() {
    // a–b–c–d is one entity; without b, {a} and {c, d} remain. The larger part keeps E1.
    let mut graph = batch(
        &["a", "b", "c", "d"],
        &[edge(0, 1, 0.9), edge(1, 2, 0.9), edge(2, 3, 0.9)],
        None,
    );
    graph.take_events();
    assert_eq!(graph.remove_record(&rid("b")).unwrap(), [0, 2, 3]);
    assert_eq!(graph.len(), 3);
    assert_eq!(graph.index_count(), 4);
    assert_eq!(graph.record_id(1), None);
    assert_eq!(graph.edge_count(), 1);
    assert_eq!(graph.component(0), [0]);
    assert_eq!(graph.component(1), Vec::<u32>::new());
    settle(&mut graph, &[0, 2, 3]);
    assert_eq!(entity(&graph, "c"), eid(1));
    assert_eq!(entity(&graph, "d"), eid(1));
    assert_eq!(entity(&graph, "a"), eid(2));
    assert_eq!(
        graph.take_events(),
        [
            Event::RecordRemoved {
                entity: eid(1),
                record: rid("b"),
            },
            Event::Created {
                entity: eid(2),
                records: vec![rid("a")],
            },
            Event::Split {
                entity: eid(1),
                into: vec![eid(1), eid(2)],
            },
        ]
    );
    assert_eq!(
        graph.remove_record(&rid("b")).unwrap_err().to_string(),
        MergeError::UnknownRecord.to_string()
    );
}

#[test]
fn a_graph_read_back_with_parts_that_disagree_is_not_consistent() {
    let mut graph = batch(
        &["a", "b", "c", "d"],
        &[edge(0, 1, 0.9), edge(1, 2, 0.9), edge(2, 3, 0.9)],
        None,
    );
    graph.remove_record(&rid("d")).unwrap();
    settle(&mut graph, &[0, 1, 2]);
    assert!(graph.is_consistent());
    let document = serde_json::to_value(&graph).unwrap();
    let read =
        |doc: &serde_json::Value| serde_json::from_value::<IdentityGraph>(doc.clone()).unwrap();
    assert!(read(&document).is_consistent());

    let corruptions: [(&str, serde_json::Value); 5] = [
        // A record placed in an entity slot that does not exist.
        ("/slot_of/0", 7.into()),
        // A live-record count that does not match the ids.
        ("/live_records", 4.into()),
        // An entity member outside the records.
        ("/entities/0/members/0", 40.into()),
        // An edge list that leaves the edges.
        ("/adjacency/head/0", 99.into()),
        // An edge whose next edge is itself, for both ends: a list that never ends.
        ("/adjacency/edges/0/next", serde_json::json!([0, 0])),
    ];
    for (path, value) in corruptions {
        let mut corrupt = document.clone();
        *corrupt
            .pointer_mut(path)
            .unwrap_or_else(|| panic!("{path}")) = value;
        assert!(!read(&corrupt).is_consistent(), "{path}");
    }
}

#[test]
fn removing_the_last_record_retires_the_entity() {
    let mut graph = batch(&["a", "b"], &[], None);
    graph.take_events();
    assert_eq!(graph.remove_record(&rid("a")).unwrap(), Vec::<u32>::new());
    assert_eq!(
        graph.take_events(),
        [
            Event::RecordRemoved {
                entity: eid(1),
                record: rid("a"),
            },
            Event::Retired { entity: eid(1) },
        ]
    );
    assert_eq!(graph.entity_count(), 1);
    assert_eq!(graph.entities().count(), 1);
    // The retired number is not handed out again.
    let c = graph.push_record(rid("c")).unwrap();
    let component = graph.component(c);
    settle(&mut graph, &component);
    assert_eq!(entity(&graph, "c"), eid(3));
}

#[test]
fn edges_among_renumbers_to_positions() {
    let graph = batch(&["a", "b", "c"], &[edge(0, 1, 0.9), edge(2, 1, 0.8)], None);
    let mut edges = graph.edges_among(&[2, 1]);
    edges.sort_by(|x, y| x.probability.total_cmp(&y.probability));
    assert_eq!(edges.len(), 1);
    assert_eq!((edges[0].a, edges[0].b, edges[0].probability), (0, 1, 0.8));
}

/// One step of an incremental session.
#[derive(Debug, Clone)]
enum Step {
    /// A new record with edges to existing ones (picked modulo the live count) and perhaps a
    /// cannot-link with one of them.
    Add {
        edges: Vec<(usize, f64)>,
        cannot: Option<usize>,
    },
    /// A new edge between two live records.
    Link {
        a: usize,
        b: usize,
        probability: f64,
    },
    /// A live record is deleted.
    Remove { record: usize },
}

fn step() -> impl Strategy<Value = Step> {
    let probability = prop_oneof![Just(0.6), Just(0.9), Just(0.99)];
    prop_oneof![
        3 => (
            proptest::collection::vec((any::<usize>(), probability.clone()), 0..3),
            proptest::option::of(any::<usize>()),
        )
            .prop_map(|(edges, cannot)| Step::Add { edges, cannot }),
        2 => (any::<usize>(), any::<usize>(), probability)
            .prop_map(|(a, b, probability)| Step::Link { a, b, probability }),
        1 => any::<usize>().prop_map(|record| Step::Remove { record }),
    ]
}

/// Replays events into a record → entity map.
fn replay(events: &[Event], entity_of: &mut HashMap<RecordId, EntityId>) {
    for event in events {
        match event {
            Event::Created { entity, records }
            | Event::Merged {
                entity, records, ..
            } => {
                for record in records {
                    entity_of.insert(record.clone(), entity.clone());
                }
            }
            Event::RecordAdded { entity, record } => {
                entity_of.insert(record.clone(), entity.clone());
            }
            Event::RecordRemoved { record, .. } => {
                entity_of.remove(record);
            }
            Event::Split { .. } | Event::Retired { .. } => {}
        }
    }
}

fn check_invariants(graph: &IdentityGraph, live: &[u32]) -> Result<(), TestCaseError> {
    prop_assert!(graph.is_consistent());
    prop_assert_eq!(graph.len(), live.len());
    let mut seen_records = HashSet::new();
    let mut seen_ids = HashSet::new();
    for (id, members) in graph.entities() {
        prop_assert!(!members.is_empty(), "empty entity");
        prop_assert!(seen_ids.insert(id.clone()), "id used twice");
        prop_assert!(members.windows(2).all(|pair| pair[0] < pair[1]));
        for &record in members {
            prop_assert!(seen_records.insert(record), "record in two entities");
            prop_assert_eq!(graph.entity_at(record), Some(id));
        }
        prop_assert!(id.sequence().is_some_and(|n| n < graph.next_sequence()));
    }
    prop_assert_eq!(graph.entity_count(), seen_ids.len());
    let live_set: HashSet<u32> = live.iter().copied().collect();
    prop_assert_eq!(&seen_records, &live_set);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Incremental steps keep the graph sound, equal to a batch run over the same records,
    /// edges and cannot-links, and the event log replays to the same entities.
    #[test]
    fn incremental_updates_equal_a_batch_run(
        first in proptest::collection::vec(any::<u16>(), 0..6),
        steps in proptest::collection::vec(step(), 1..25),
    ) {
        // The session starts from a small batch run of singletons.
        let mut names: Vec<String> = Vec::new();
        for n in first {
            let name = format!("r{n:05}");
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let ids: Vec<RecordId> = names.iter().map(|name| rid(name)).collect();
        let singletons = Clustering {
            labels: {
                let mut order: Vec<usize> = (0..ids.len()).collect();
                order.sort_by(|&x, &y| ids[x].cmp(&ids[y]));
                let mut labels = vec![0; ids.len()];
                for (label, record) in order.into_iter().enumerate() {
                    labels[record] = label as u32;
                }
                labels
            },
            clusters: ids.len(),
            joins: Vec::new(),
        };
        let mut graph = IdentityGraph::from_clustering(ids, &[], &singletons, None).unwrap();
        let mut live: Vec<u32> = (0..names.len() as u32).collect();
        let mut edges: BTreeMap<(u32, u32), f64> = BTreeMap::new();
        let mut cannot: HashSet<(RecordId, RecordId)> = HashSet::new();
        let mut ever_used: HashSet<EntityId> = graph.entities().map(|(id, _)| id.clone()).collect();
        let mut replayed = HashMap::new();
        replay(graph.events(), &mut replayed);
        let mut seen_events = graph.events().len();
        let mut counter = 100_000u32;

        for step in steps {
            let to_settle: Vec<u32> = match step {
                Step::Add { edges: links, cannot: veto } => {
                    // Ids that sort before and after the existing ones alike.
                    counter += 7919;
                    let name = format!("r{:05}", counter % 99_991);
                    let Ok(record) = graph.push_record(rid(&name)) else { continue };
                    let mut new_edges = Vec::new();
                    if !live.is_empty() {
                        for (pick, probability) in links {
                            let other = live[pick % live.len()];
                            new_edges.push(edge(record, other, probability));
                            edges.insert((other.min(record), other.max(record)), probability);
                        }
                        if let Some(pick) = veto {
                            let other = graph.record_id(live[pick % live.len()]).unwrap().clone();
                            cannot.insert((rid(&name), other.clone()));
                            cannot.insert((other, rid(&name)));
                        }
                    }
                    live.push(record);
                    graph.add_edges(&new_edges);
                    graph.component(record)
                }
                Step::Link { a, b, probability } => {
                    if live.is_empty() {
                        continue;
                    }
                    let (a, b) = (live[a % live.len()], live[b % live.len()]);
                    if a == b {
                        continue;
                    }
                    graph.add_edges(&[edge(a, b, probability)]);
                    edges.insert((a.min(b), a.max(b)), probability);
                    graph.component(a)
                }
                Step::Remove { record } => {
                    if live.is_empty() {
                        continue;
                    }
                    let record = live.swap_remove(record % live.len());
                    edges.retain(|&(a, b), _| a != record && b != record);
                    let id = graph.record_id(record).unwrap().clone();
                    let affected = graph.remove_record(&id).unwrap();
                    prop_assert!(!affected.contains(&record));
                    affected
                }
            };
            let clustering = recluster(&graph, &to_settle, &cannot);
            graph.apply(&to_settle, &clustering);

            check_invariants(&graph, &live)?;
            prop_assert_eq!(graph.edge_count(), edges.len());

            // Fresh ids are never ones used before.
            let new_events = &graph.events()[seen_events..];
            for event in new_events {
                if let Event::Created { entity, .. } = event {
                    prop_assert!(ever_used.insert(entity.clone()), "an id came back");
                }
            }
            replay(new_events, &mut replayed);
            seen_events = graph.events().len();
            for &record in &live {
                let id = graph.record_id(record).unwrap();
                prop_assert_eq!(replayed.get(id), graph.entity_at(record));
            }
            prop_assert_eq!(replayed.len(), live.len());

            // The same partition as a batch run over everything now present.
            let mut all = live.clone();
            all.sort_unstable();
            let batch = recluster(&graph, &all, &cannot);
            let mut batch_groups: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
            for (&record, &label) in all.iter().zip(&batch.labels) {
                batch_groups.entry(label).or_default().insert(record);
            }
            let batch_partition: BTreeSet<BTreeSet<u32>> = batch_groups.into_values().collect();
            let graph_partition: BTreeSet<BTreeSet<u32>> = graph
                .entities()
                .map(|(_, members)| members.iter().copied().collect())
                .collect();
            prop_assert_eq!(graph_partition, batch_partition);
        }
    }
}
