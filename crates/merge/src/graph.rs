//! The identity graph: stable entity ids, incremental updates and the event log.
//!
//! [`IdentityGraph`] holds the records, the positive edges between them (pairs scored at or
//! above the match threshold) and the entity of each record. It never scores and never
//! clusters: the caller clusters ([`cluster`](crate::cluster::cluster)) and hands the result
//! over, and the graph gives each cluster an entity id with [`reconcile`]:
//!
//! - a merge keeps the older id (numbered ids by number; ids without a number, read from an
//!   earlier run, count as older than numbered ones and among themselves by text);
//! - a split leaves the id with the larger part;
//! - an entity of new records only gets a fresh number, after every number seen so far;
//! - every change is an [`Event`] in the log (written as `events.jsonl`, one per line).
//!
//! Incremental updates are exact: the facade adds a record ([`IdentityGraph::push_record`])
//! and its edges ([`IdentityGraph::add_edges`]), re-clusters the record's whole positive
//! component ([`IdentityGraph::component`], [`IdentityGraph::edges_among`]) and hands the
//! result to [`IdentityGraph::apply`]. Since clustering solves each positive component on its
//! own, the entities are those a batch run over everything would give.
//!
//! ```
//! use sameas_core::{EntityId, RecordId};
//! use sameas_merge::cluster::{cluster, ClusterProblem, ClusteringMethod, Edge};
//! use sameas_merge::graph::IdentityGraph;
//!
//! let ids: Vec<RecordId> = ["a", "b", "c"].map(RecordId::from).to_vec();
//! let edges = [Edge { a: 0, b: 1, weight: 8.0, probability: 0.99 }];
//! let problem = ClusterProblem { ids: &ids, edges: &edges, cannot_link: &[], scored_cannot_link: &[], must_link: &[], exclusive: &[] };
//! let clustering = cluster(&problem, ClusteringMethod::Constrained);
//! let mut graph = IdentityGraph::from_clustering(ids, &edges, &clustering, None).unwrap();
//! assert_eq!(graph.entity_of(&RecordId::from("b")), Some(&EntityId::numbered(1)));
//! assert_eq!(graph.entity_of(&RecordId::from("c")), Some(&EntityId::numbered(2)));
//!
//! // c turns out to match b: re-cluster the component and apply it. The merge keeps E00000001.
//! graph.add_edges(&[Edge { a: 1, b: 2, weight: 7.0, probability: 0.98 }]);
//! let records = graph.component(2);
//! let edges = graph.edges_among(&records);
//! let ids: Vec<RecordId> = records.iter().map(|&r| graph.record_id(r).unwrap().clone()).collect();
//! let problem = ClusterProblem { ids: &ids, edges: &edges, cannot_link: &[], scored_cannot_link: &[], must_link: &[], exclusive: &[] };
//! graph.apply(&records, &cluster(&problem, ClusteringMethod::Constrained));
//! assert_eq!(graph.entity_of(&RecordId::from("c")), Some(&EntityId::numbered(1)));
//! assert_eq!(graph.entity_count(), 1);
//! ```

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use sameas_core::{EntityId, RecordId};
use serde::{Deserialize, Serialize};

use crate::MergeError;
use crate::cluster::{Clustering, Edge};

/// One change to the entities. Serialized with an `event` tag:
/// `{"event":"merged","entity":"E00000001","absorbed":["E00000004"],"records":["a","b","c"]}`.
///
/// Replaying the log rebuilds the entities: a record belongs to the entity of the last
/// `created`, `merged` or `record_added` event that names it, unless a later
/// `record_removed` deleted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A new entity, with a fresh id.
    Created {
        /// The new id.
        entity: EntityId,
        /// Its records.
        records: Vec<RecordId>,
    },
    /// `entity` kept its id and took in every entity of `absorbed`, whose ids are no longer
    /// used.
    Merged {
        /// The id that survives (the oldest).
        entity: EntityId,
        /// The ids that no longer exist, oldest first.
        absorbed: Vec<EntityId>,
        /// Every record of the entity after the merge.
        records: Vec<RecordId>,
    },
    /// The records of `entity` now lie in several entities.
    Split {
        /// The entity that was split.
        entity: EntityId,
        /// The entities now holding its records, the one holding most of them first (that
        /// is `entity` itself, unless its larger part merged into an older entity). The parts
        /// that became new entities were announced by `created` events just before.
        into: Vec<EntityId>,
    },
    /// A record joined an entity that kept its id: a new record, or one that moved from
    /// another entity (which then has a `split` event).
    RecordAdded {
        /// The entity.
        entity: EntityId,
        /// The record.
        record: RecordId,
    },
    /// A record was deleted.
    RecordRemoved {
        /// The entity that held it.
        entity: EntityId,
        /// The record.
        record: RecordId,
    },
    /// The entity has no records left; its id is no longer used.
    Retired {
        /// The id.
        entity: EntityId,
    },
}

/// The entity of each record in an earlier run (its `entities.csv`), to keep ids stable.
#[derive(Debug, Clone, Default)]
pub struct PreviousEntities {
    entity_of: HashMap<RecordId, EntityId>,
}

impl PreviousEntities {
    /// From `(record id, entity id)` rows. A record given twice keeps its last row.
    pub fn from_rows(rows: impl IntoIterator<Item = (RecordId, EntityId)>) -> Self {
        PreviousEntities {
            entity_of: rows.into_iter().collect(),
        }
    }

    /// The earlier entity of a record.
    pub fn entity_of(&self, record: &RecordId) -> Option<&EntityId> {
        self.entity_of.get(record)
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.entity_of.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.entity_of.is_empty()
    }
}

/// How old an entity id is; smaller is older. Ids without a number come from outside (an
/// earlier system or a hand-edited file) and count as older than any id sameas numbered.
fn age(id: &EntityId) -> (Option<u64>, &str) {
    (id.sequence(), id.as_str())
}

/// Gives each new cluster an entity id, reusing the old ids, and says what changed.
///
/// `old` lists the entities before the change with their records; `new_clusters` the
/// clusters after it (each non-empty, callers list them by smallest record id). Records are
/// indices that `record_id` turns into ids for the events. Records of `old` that no new
/// cluster holds are taken as gone.
///
/// - Each old entity follows the new cluster holding most of its records (on a tie, the one
///   listed first): a split leaves the id with the larger part.
/// - A cluster followed by several old entities keeps the oldest of their ids; the others
///   are absorbed (a merge keeps the older id).
/// - A cluster that no old entity follows gets `EntityId::numbered(*next_sequence)`, and
///   `next_sequence` moves on (first past every numbered id in `old`).
///
/// Returns the id of each new cluster and the events: per cluster in order `created`,
/// `merged` or `record_added`; then `split` per old entity whose records now lie in several
/// clusters; then `retired` per old entity that no cluster holds any record of. A cluster
/// equal to its old entity yields no event.
pub fn reconcile(
    record_id: impl Fn(u32) -> RecordId,
    old: &[(EntityId, Vec<u32>)],
    new_clusters: &[Vec<u32>],
    next_sequence: &mut u64,
) -> (Vec<EntityId>, Vec<Event>) {
    let newest_old = old.iter().filter_map(|(id, _)| id.sequence()).max();
    if let Some(newest) = newest_old {
        *next_sequence = (*next_sequence).max(newest.saturating_add(1));
    }
    let owner = Owners::new(old);
    // Parsed once: comparing ages is the inner step of choosing heirs.
    let ages: Vec<(Option<u64>, &str)> = old.iter().map(|(id, _)| age(id)).collect();
    let mut overlaps: Vec<Overlap> = Vec::new();
    let mut owners = Vec::new();
    for (cluster, members) in new_clusters.iter().enumerate() {
        owners.clear();
        owners.extend(members.iter().filter_map(|&record| owner.get(record)));
        owners.sort_unstable();
        for run in owners.chunk_by(|x, y| x == y) {
            overlaps.push(Overlap {
                entity: run[0],
                cluster: cluster as u32,
                shared: run.len() as u32,
            });
        }
    }
    // Per old entity, its largest part first (the first cluster on a tie).
    overlaps.sort_unstable_by(|x, y| {
        (x.entity.cmp(&y.entity))
            .then(y.shared.cmp(&x.shared))
            .then(x.cluster.cmp(&y.cluster))
    });

    // The cluster each old entity follows, the entities following each cluster, and the
    // oldest of those (the heir of its id).
    let mut followed: Vec<Option<u32>> = vec![None; old.len()];
    let mut followers: Vec<Vec<u32>> = vec![Vec::new(); new_clusters.len()];
    let mut heir: Vec<Option<u32>> = vec![None; new_clusters.len()];
    let mut splits: Vec<&[Overlap]> = Vec::new();
    for parts in overlaps.chunk_by(|x, y| x.entity == y.entity) {
        let (entity, cluster) = (parts[0].entity, parts[0].cluster);
        followed[entity as usize] = Some(cluster);
        followers[cluster as usize].push(entity);
        let slot = &mut heir[cluster as usize];
        if slot.is_none_or(|current| ages[entity as usize] < ages[current as usize]) {
            *slot = Some(entity);
        }
        if parts.len() > 1 {
            splits.push(parts);
        }
    }

    let ids: Vec<EntityId> = heir
        .iter()
        .map(|heir| match heir {
            Some(entity) => old[*entity as usize].0.clone(),
            None => {
                let id = EntityId::numbered(*next_sequence);
                *next_sequence += 1;
                id
            }
        })
        .collect();

    let mut events = Vec::new();
    for (cluster, members) in new_clusters.iter().enumerate() {
        let entity = &ids[cluster];
        let Some(heir) = heir[cluster] else {
            events.push(Event::Created {
                entity: entity.clone(),
                records: members.iter().map(|&r| record_id(r)).collect(),
            });
            continue;
        };
        let mut absorbed: Vec<&EntityId> = followers[cluster]
            .iter()
            .filter(|&&entity| entity != heir)
            .map(|&entity| &old[entity as usize].0)
            .collect();
        if absorbed.is_empty() {
            for &record in members {
                if owner.get(record) != Some(heir) {
                    events.push(Event::RecordAdded {
                        entity: entity.clone(),
                        record: record_id(record),
                    });
                }
            }
        } else {
            absorbed.sort_by(|x, y| age(x).cmp(&age(y)));
            events.push(Event::Merged {
                entity: entity.clone(),
                absorbed: absorbed.into_iter().cloned().collect(),
                records: members.iter().map(|&r| record_id(r)).collect(),
            });
        }
    }
    for parts in splits {
        events.push(Event::Split {
            entity: old[parts[0].entity as usize].0.clone(),
            into: parts
                .iter()
                .map(|part| ids[part.cluster as usize].clone())
                .collect(),
        });
    }
    for (entity, follows) in followed.iter().enumerate() {
        if follows.is_none() {
            events.push(Event::Retired {
                entity: old[entity].0.clone(),
            });
        }
    }
    (ids, events)
}

/// The old entity (its position in `old`) of each record.
enum Owners {
    /// Indexed by record: records are dense indices of one graph, usually.
    Dense(Vec<u32>),
    Sparse(HashMap<u32, u32>),
}

impl Owners {
    fn new(old: &[(EntityId, Vec<u32>)]) -> Self {
        let count: usize = old.iter().map(|(_, members)| members.len()).sum();
        let end = old
            .iter()
            .flat_map(|(_, members)| members.iter().max())
            .max()
            .map_or(0, |&last| last as usize + 1);
        if end <= count.saturating_mul(4) {
            let mut owner = vec![NONE; end];
            for (position, (_, members)) in old.iter().enumerate() {
                for &record in members {
                    owner[record as usize] = position as u32;
                }
            }
            Owners::Dense(owner)
        } else {
            let mut owner = HashMap::with_capacity(count);
            for (position, (_, members)) in old.iter().enumerate() {
                for &record in members {
                    owner.insert(record, position as u32);
                }
            }
            Owners::Sparse(owner)
        }
    }

    fn get(&self, record: u32) -> Option<u32> {
        match self {
            Owners::Dense(owner) => owner.get(record as usize).copied().filter(|&o| o != NONE),
            Owners::Sparse(owner) => owner.get(&record).copied(),
        }
    }
}

/// Records an old entity and a new cluster share.
#[derive(Debug, Clone, Copy)]
struct Overlap {
    /// Position in `old`.
    entity: u32,
    /// Position in `new_clusters`.
    cluster: u32,
    /// How many records they share.
    shared: u32,
}

/// No record, edge or entity.
const NONE: u32 = u32::MAX;

/// One stored edge. Each record's edges form a linked list through `next`, so adding an edge
/// is constant time and a record costs one `u32` (its list's head) however many edges it has.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct StoredEdge {
    /// The two records; `[NONE, NONE]` for a free slot.
    ends: [u32; 2],
    /// The next edge in each end's list.
    next: [u32; 2],
    weight: f64,
    probability: f64,
}

impl StoredEdge {
    /// Which end `record` is (0 or 1).
    fn side(&self, record: u32) -> usize {
        usize::from(self.ends[0] != record)
    }
}

/// The positive edges, about 32 bytes each and 4 per record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Adjacency {
    head: Vec<u32>,
    edges: Vec<StoredEdge>,
    free: Vec<u32>,
}

impl Adjacency {
    fn push_record(&mut self) {
        self.head.push(NONE);
    }

    /// The records sharing an edge with `record`, with the edge.
    fn neighbours(&self, record: u32) -> impl Iterator<Item = (u32, &StoredEdge)> {
        let mut at = self.head[record as usize];
        std::iter::from_fn(move || {
            if at == NONE {
                return None;
            }
            let edge = &self.edges[at as usize];
            let side = edge.side(record);
            at = edge.next[side];
            Some((edge.ends[1 - side], edge))
        })
    }

    /// Adds an edge, or updates the scores of the one already between `a` and `b`.
    fn insert(&mut self, a: u32, b: u32, weight: f64, probability: f64) {
        let mut at = self.head[a as usize];
        while at != NONE {
            let edge = &mut self.edges[at as usize];
            let side = edge.side(a);
            if edge.ends[1 - side] == b {
                edge.weight = weight;
                edge.probability = probability;
                return;
            }
            at = edge.next[side];
        }
        let edge = StoredEdge {
            ends: [a, b],
            next: [self.head[a as usize], self.head[b as usize]],
            weight,
            probability,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.edges[slot as usize] = edge;
                slot
            }
            None => {
                self.edges.push(edge);
                (self.edges.len() - 1) as u32
            }
        };
        self.head[a as usize] = slot;
        self.head[b as usize] = slot;
    }

    /// Drops every edge of `record`; returns its former neighbours.
    fn remove_record(&mut self, record: u32) -> Vec<u32> {
        let mut slots = Vec::new();
        let mut at = self.head[record as usize];
        while at != NONE {
            slots.push(at);
            let edge = &self.edges[at as usize];
            at = edge.next[edge.side(record)];
        }
        let mut neighbours = Vec::with_capacity(slots.len());
        for &slot in &slots {
            let edge = self.edges[slot as usize];
            let other = edge.ends[1 - edge.side(record)];
            self.unlink(other, slot);
            neighbours.push(other);
            self.edges[slot as usize].ends = [NONE, NONE];
            self.free.push(slot);
        }
        self.head[record as usize] = NONE;
        neighbours
    }

    /// Takes edge `slot` out of `record`'s list.
    fn unlink(&mut self, record: u32, slot: u32) {
        let after = {
            let edge = &self.edges[slot as usize];
            edge.next[edge.side(record)]
        };
        let mut previous: Option<(u32, usize)> = None;
        let mut at = self.head[record as usize];
        while at != slot {
            let edge = &self.edges[at as usize];
            let side = edge.side(record);
            previous = Some((at, side));
            at = edge.next[side];
        }
        match previous {
            None => self.head[record as usize] = after,
            Some((before, side)) => self.edges[before as usize].next[side] = after,
        }
    }

    fn len(&self) -> usize {
        self.edges.len() - self.free.len()
    }
}

/// The records a search has reached: a hash set while few (most components are small), a
/// bit per record once many.
enum Visited {
    Few(HashSet<u32>, usize),
    Many(Vec<u64>),
}

impl Visited {
    /// Past this many records a bit set is smaller and faster than the hash set.
    const FEW: usize = 2048;

    fn new(records: usize) -> Self {
        Visited::Few(HashSet::new(), records)
    }

    /// Marks `record`; false if it was marked already.
    fn insert(&mut self, record: u32) -> bool {
        match self {
            Visited::Few(set, records) => {
                let new = set.insert(record);
                if set.len() > Self::FEW {
                    let mut bits = vec![0u64; records.div_ceil(64)];
                    for &seen in set.iter() {
                        bits[seen as usize / 64] |= 1 << (seen % 64);
                    }
                    *self = Visited::Many(bits);
                }
                new
            }
            Visited::Many(bits) => {
                let (word, bit) = (record as usize / 64, 1u64 << (record % 64));
                let new = bits[word] & bit == 0;
                bits[word] |= bit;
                new
            }
        }
    }
}

/// One entity slot; `id` is `None` while the slot is free.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct EntitySlot {
    id: Option<EntityId>,
    /// Record indices, ascending.
    members: Vec<u32>,
}

/// Records, their positive edges and their entities, with stable ids and an event log.
///
/// Records are numbered by index in the order they arrived; a removed record's index is not
/// reused, so indices stay valid.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdentityGraph {
    /// The id of each index; `None` once removed.
    ids: Vec<Option<RecordId>>,
    index: HashMap<RecordId, u32>,
    /// The entity slot of each index; `NONE` for a removed record or one not yet placed.
    slot_of: Vec<u32>,
    entities: Vec<EntitySlot>,
    free_slots: Vec<u32>,
    slot_of_entity: HashMap<EntityId, u32>,
    adjacency: Adjacency,
    live_records: usize,
    next_sequence: u64,
    events: Vec<Event>,
}

impl IdentityGraph {
    /// The graph of a batch run: records `ids` (index = position), the positive `edges`
    /// clustering saw, and its result.
    ///
    /// Without `previous`, entities are numbered `E00000001`, … in the order of their
    /// smallest record id and each gets a `created` event. With it, ids are kept as
    /// [`reconcile`] says; records of `previous` missing from `ids` get `record_removed`
    /// events (and their entity `retired` if nothing of it is left); fresh ids are numbered
    /// after the largest number in `previous`.
    ///
    /// # Errors
    ///
    /// [`MergeError::DuplicateRecord`] if a record id appears twice.
    ///
    /// # Panics
    ///
    /// If `clustering` has no label for each record, or an edge names an index outside `ids`.
    pub fn from_clustering(
        ids: Vec<RecordId>,
        edges: &[Edge],
        clustering: &Clustering,
        previous: Option<&PreviousEntities>,
    ) -> Result<IdentityGraph, MergeError> {
        assert_eq!(
            clustering.labels.len(),
            ids.len(),
            "the clustering needs one label per record"
        );
        let mut graph = IdentityGraph {
            next_sequence: 1,
            ..IdentityGraph::default()
        };
        graph.index.reserve(ids.len());
        for id in ids {
            graph.push_record(id)?;
        }
        graph.add_edges(edges);
        let clusters = clustering.members();

        let mut old: Vec<(EntityId, Vec<u32>)> = Vec::new();
        if let Some(previous) = previous {
            let mut by_entity: HashMap<&EntityId, (Vec<u32>, Vec<&RecordId>)> = HashMap::new();
            for (record, entity) in &previous.entity_of {
                let (present, gone) = by_entity.entry(entity).or_default();
                match graph.index.get(record) {
                    Some(&index) => present.push(index),
                    None => gone.push(record),
                }
            }
            let mut by_entity: Vec<_> = by_entity.into_iter().collect();
            by_entity.sort_by_cached_key(|(entity, _)| age(entity));
            for (entity, (mut present, mut gone)) in by_entity {
                gone.sort_unstable();
                for record in gone {
                    graph.events.push(Event::RecordRemoved {
                        entity: entity.clone(),
                        record: record.clone(),
                    });
                }
                present.sort_unstable();
                old.push((entity.clone(), present));
            }
        }
        graph.install(&old, &[], clusters);
        Ok(graph)
    }

    /// Adds a record with no edges and no entity yet; returns its index. The next
    /// [`apply`](Self::apply) that covers it places it: in an existing entity (a
    /// `record_added` or `merged` event) or in a new one (`created`). Until then
    /// [`entity_of`](Self::entity_of) answers `None`.
    ///
    /// # Errors
    ///
    /// [`MergeError::DuplicateRecord`] if the graph holds the id already.
    pub fn push_record(&mut self, id: RecordId) -> Result<u32, MergeError> {
        let index = u32::try_from(self.ids.len())
            .ok()
            .filter(|&index| index != NONE)
            .expect("an identity graph holds fewer than 2^32 - 1 records");
        match self.index.entry(id.clone()) {
            std::collections::hash_map::Entry::Occupied(_) => {
                return Err(MergeError::DuplicateRecord);
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
            }
        }
        self.ids.push(Some(id));
        self.slot_of.push(NONE);
        self.adjacency.push_record();
        self.live_records += 1;
        Ok(index)
    }

    /// Adds positive edges (a pair already present takes the new scores). Self-pairs and
    /// edges naming a removed record are ignored. Entities do not change until
    /// [`apply`](Self::apply).
    ///
    /// # Panics
    ///
    /// If an edge names an index the graph never issued.
    pub fn add_edges(&mut self, edges: &[Edge]) {
        for edge in edges {
            assert!(
                (edge.a as usize) < self.ids.len() && (edge.b as usize) < self.ids.len(),
                "an edge names a record index the graph never issued"
            );
            if edge.a == edge.b || !self.is_live(edge.a) || !self.is_live(edge.b) {
                continue;
            }
            self.adjacency
                .insert(edge.a, edge.b, edge.weight, edge.probability);
        }
    }

    /// The records reachable from `record` over positive edges, itself included, ascending;
    /// empty for a removed record.
    pub fn component(&self, record: u32) -> Vec<u32> {
        self.components_of(std::iter::once(record))
    }

    /// The edges between `records` (a whole component, usually), renumbered to positions in
    /// `records`, each once with `a < b`: the input for re-clustering them.
    pub fn edges_among(&self, records: &[u32]) -> Vec<Edge> {
        let position: HashMap<u32, u32> = records
            .iter()
            .enumerate()
            .map(|(position, &record)| (record, position as u32))
            .collect();
        let mut edges = Vec::new();
        for (a, &record) in records.iter().enumerate() {
            if !self.is_live(record) {
                continue;
            }
            for (other, edge) in self.adjacency.neighbours(record) {
                if let Some(&b) = position.get(&other)
                    && (a as u32) < b
                {
                    edges.push(Edge {
                        a: a as u32,
                        b,
                        weight: edge.weight,
                        probability: edge.probability,
                    });
                }
            }
        }
        edges
    }

    /// Replaces the entities of `records` by `clustering` (computed over exactly those
    /// records, in this order: `clustering.labels[i]` is the cluster of `records[i]`), keeping
    /// ids as [`reconcile`] says and logging the changes. `records` should be whole positive
    /// components; if an entity also holds records outside them, those stay together as one
    /// entity. Removed records are skipped.
    ///
    /// # Panics
    ///
    /// If `clustering` has no label for each record.
    pub fn apply(&mut self, records: &[u32], clustering: &Clustering) {
        assert_eq!(
            clustering.labels.len(),
            records.len(),
            "the clustering needs one label per record"
        );
        let mut clusters = vec![Vec::new(); clustering.clusters];
        for (&record, &label) in records.iter().zip(&clustering.labels) {
            if self.is_live(record) {
                clusters[label as usize].push(record);
            }
        }
        clusters.retain(|members| !members.is_empty());
        for members in &mut clusters {
            members.sort_unstable();
            members.dedup();
        }
        let in_scope: HashSet<u32> = records.iter().copied().collect();
        let mut touched: Vec<u32> = records
            .iter()
            .filter(|&&record| self.is_live(record))
            .map(|&record| self.slot_of[record as usize])
            .filter(|&slot| slot != NONE)
            .collect();
        touched.sort_unstable();
        touched.dedup();
        let mut old = Vec::with_capacity(touched.len());
        let mut remainders = Vec::new();
        for &slot in &touched {
            let entity = &self.entities[slot as usize];
            let id = entity.id.clone().expect("a record's entity slot is in use");
            let outside: Vec<u32> = entity
                .members
                .iter()
                .copied()
                .filter(|record| !in_scope.contains(record))
                .collect();
            if !outside.is_empty() {
                remainders.push(outside);
            }
            old.push((id, entity.members.clone()));
        }
        old.sort_by_cached_key(|(id, _)| (id.sequence(), id.clone()));
        self.install(
            &old,
            &touched,
            clusters.into_iter().chain(remainders).collect(),
        );
    }

    /// Removes a record and its edges: logs `record_removed` (and `retired` if its entity is
    /// left empty). Returns the records to re-cluster and [`apply`](Self::apply): the
    /// positive components its former neighbours and entity-mates now fall into, ascending.
    /// Its index is not reused.
    ///
    /// # Errors
    ///
    /// [`MergeError::UnknownRecord`] if the graph holds no such record.
    pub fn remove_record(&mut self, id: &RecordId) -> Result<Vec<u32>, MergeError> {
        let index = self.index.remove(id).ok_or(MergeError::UnknownRecord)?;
        let mut seeds = self.adjacency.remove_record(index);
        let slot = self.slot_of[index as usize];
        if slot != NONE {
            let entity = &mut self.entities[slot as usize];
            let entity_id = entity.id.clone().expect("a record's entity slot is in use");
            if let Ok(position) = entity.members.binary_search(&index) {
                entity.members.remove(position);
            }
            seeds.extend_from_slice(&entity.members);
            self.events.push(Event::RecordRemoved {
                entity: entity_id.clone(),
                record: id.clone(),
            });
            if entity.members.is_empty() {
                self.events.push(Event::Retired {
                    entity: entity_id.clone(),
                });
                self.free_slot(slot);
            }
        }
        self.ids[index as usize] = None;
        self.slot_of[index as usize] = NONE;
        self.live_records -= 1;
        Ok(self.components_of(seeds.into_iter()))
    }

    /// The entity of a record; `None` for an unknown record or one not yet placed.
    pub fn entity_of(&self, record: &RecordId) -> Option<&EntityId> {
        self.entity_at(*self.index.get(record)?)
    }

    /// The entity of the record at `index`; `None` for a removed record or one not yet placed.
    pub fn entity_at(&self, index: u32) -> Option<&EntityId> {
        let slot = *self.slot_of.get(index as usize)?;
        if slot == NONE {
            return None;
        }
        self.entities[slot as usize].id.as_ref()
    }

    /// The index of a record.
    pub fn index_of(&self, record: &RecordId) -> Option<u32> {
        self.index.get(record).copied()
    }

    /// The id of the record at `index`; `None` once removed.
    pub fn record_id(&self, index: u32) -> Option<&RecordId> {
        self.ids.get(index as usize)?.as_ref()
    }

    /// The records of an entity, ascending indices.
    pub fn members(&self, entity: &EntityId) -> Option<&[u32]> {
        let slot = *self.slot_of_entity.get(entity)?;
        Some(&self.entities[slot as usize].members)
    }

    /// Every entity with its records (ascending indices), in no particular order.
    pub fn entities(&self) -> impl Iterator<Item = (&EntityId, &[u32])> {
        self.entities
            .iter()
            .filter_map(|entity| Some((entity.id.as_ref()?, entity.members.as_slice())))
    }

    /// The number of entities.
    pub fn entity_count(&self) -> usize {
        self.slot_of_entity.len()
    }

    /// The number of records held (removed ones not counted).
    pub fn len(&self) -> usize {
        self.live_records
    }

    /// Whether the graph holds no record.
    pub fn is_empty(&self) -> bool {
        self.live_records == 0
    }

    /// Whether the graph's parts agree with each other, as every graph built by this crate's
    /// methods does: for a graph read back from a document of unknown origin (a snapshot),
    /// before anything walks it.
    pub fn is_consistent(&self) -> bool {
        let n = self.ids.len();
        if self.slot_of.len() != n || self.adjacency.head.len() != n {
            return false;
        }
        let live = self.ids.iter().filter(|id| id.is_some()).count();
        if live != self.live_records || self.index.len() < live {
            return false;
        }
        for (i, id) in self.ids.iter().enumerate() {
            let slot = self.slot_of[i];
            match id {
                Some(id) if self.index.get(id) != Some(&(i as u32)) => return false,
                None if slot != NONE => return false,
                _ => {}
            }
            if slot != NONE
                && self
                    .entities
                    .get(slot as usize)
                    .is_none_or(|e| e.id.is_none() || e.members.binary_search(&(i as u32)).is_err())
            {
                return false;
            }
        }
        if self.index.values().any(|&i| i as usize >= n) {
            return false;
        }
        let mut named = 0;
        for (slot, entity) in self.entities.iter().enumerate() {
            let Some(id) = &entity.id else {
                if !entity.members.is_empty() {
                    return false;
                }
                continue;
            };
            named += 1;
            if self.slot_of_entity.get(id) != Some(&(slot as u32))
                || !entity.members.windows(2).all(|w| w[0] < w[1])
                || entity
                    .members
                    .iter()
                    .any(|&m| self.slot_of.get(m as usize) != Some(&(slot as u32)))
            {
                return false;
            }
        }
        if named != self.slot_of_entity.len()
            || self
                .free_slots
                .iter()
                .any(|&f| f as usize >= self.entities.len())
        {
            return false;
        }
        // Every record's edge list stays inside the edges, names the record at each step,
        // and ends within as many steps as there are edges.
        let edges = &self.adjacency.edges;
        let valid = |at: u32| at == NONE || (at as usize) < edges.len();
        if edges.iter().any(|e| {
            !valid(e.next[0])
                || !valid(e.next[1])
                || e.ends.iter().any(|&r| r != NONE && r as usize >= n)
        }) || !self
            .adjacency
            .free
            .iter()
            .all(|&f| (f as usize) < edges.len())
        {
            return false;
        }
        (0..n as u32).all(|record| {
            let mut at = self.adjacency.head[record as usize];
            let mut steps = 0;
            while at != NONE {
                let Some(edge) = edges.get(at as usize) else {
                    return false;
                };
                if !edge.ends.contains(&record) || steps > edges.len() {
                    return false;
                }
                steps += 1;
                at = edge.next[edge.side(record)];
            }
            true
        })
    }

    /// The number of indices issued, removed records included: every index is below it.
    pub fn index_count(&self) -> usize {
        self.ids.len()
    }

    /// The number of positive edges held.
    pub fn edge_count(&self) -> usize {
        self.adjacency.len()
    }

    /// The number the next fresh entity id will carry.
    pub fn next_sequence(&self) -> u64 {
        self.next_sequence
    }

    /// The events logged since the graph was built or the log last taken.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Takes the events logged so far, leaving the log empty.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    fn is_live(&self, record: u32) -> bool {
        self.ids.get(record as usize).is_some_and(|id| id.is_some())
    }

    /// The union of the positive components of `seeds` (live ones), ascending.
    fn components_of(&self, seeds: impl Iterator<Item = u32>) -> Vec<u32> {
        let mut seen = Visited::new(self.ids.len());
        // The found records double as the queue of the breadth-first search.
        let mut records: Vec<u32> = Vec::new();
        for seed in seeds {
            if self.is_live(seed) && seen.insert(seed) {
                records.push(seed);
            }
        }
        let mut next = 0;
        while next < records.len() {
            let record = records[next];
            next += 1;
            for (other, _) in self.adjacency.neighbours(record) {
                if seen.insert(other) {
                    records.push(other);
                }
            }
        }
        records.sort_unstable();
        records
    }

    /// Frees the slots `replaced`, then installs `clusters` as entities with the ids
    /// [`reconcile`] gives them against `old`, logging its events.
    fn install(&mut self, old: &[(EntityId, Vec<u32>)], replaced: &[u32], clusters: Vec<Vec<u32>>) {
        let ids = &self.ids;
        let (entity_ids, events) = reconcile(
            |record| {
                ids[record as usize]
                    .clone()
                    .expect("clusters hold live records only")
            },
            old,
            &clusters,
            &mut self.next_sequence,
        );
        self.events.extend(events);
        for &slot in replaced {
            self.free_slot(slot);
        }
        for (id, members) in entity_ids.into_iter().zip(clusters) {
            let slot = match self.free_slots.pop() {
                Some(slot) => slot,
                None => {
                    self.entities.push(EntitySlot::default());
                    (self.entities.len() - 1) as u32
                }
            };
            for &record in &members {
                self.slot_of[record as usize] = slot;
            }
            self.slot_of_entity.insert(id.clone(), slot);
            self.entities[slot as usize] = EntitySlot {
                id: Some(id),
                members,
            };
        }
    }

    fn free_slot(&mut self, slot: u32) {
        let entity = std::mem::take(&mut self.entities[slot as usize]);
        if let Some(id) = entity.id {
            self.slot_of_entity.remove(&id);
        }
        self.free_slots.push(slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> RecordId {
        RecordId::from(text)
    }

    fn names(n: u32) -> impl Fn(u32) -> RecordId {
        move |record| {
            assert!(record < n);
            RecordId::from(format!("r{record}"))
        }
    }

    #[test]
    fn events_serialize_with_an_event_tag() {
        let event = Event::Merged {
            entity: EntityId::numbered(1),
            absorbed: vec![EntityId::numbered(4)],
            records: vec![id("a"), id("b")],
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(
            json,
            r#"{"event":"merged","entity":"E00000001","absorbed":["E00000004"],"records":["a","b"]}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
        let json = serde_json::to_string(&Event::RecordAdded {
            entity: EntityId::numbered(2),
            record: id("c"),
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"event":"record_added","entity":"E00000002","record":"c"}"#
        );
    }

    #[test]
    fn reconcile_without_old_numbers_clusters_in_order() {
        let mut next = 1;
        let (ids, events) = reconcile(names(3), &[], &[vec![0, 2], vec![1]], &mut next);
        assert_eq!(ids, [EntityId::numbered(1), EntityId::numbered(2)]);
        assert_eq!(next, 3);
        assert_eq!(events.len(), 2);
        assert!(matches!(&events[0], Event::Created { records, .. } if records.len() == 2));
    }

    #[test]
    fn reconcile_keeps_ids_of_unchanged_entities_silently() {
        let old = [
            (EntityId::numbered(7), vec![0, 1]),
            (EntityId::numbered(3), vec![2]),
        ];
        let mut next = 1;
        let (ids, events) = reconcile(names(3), &old, &[vec![0, 1], vec![2]], &mut next);
        assert_eq!(ids, [EntityId::numbered(7), EntityId::numbered(3)]);
        assert!(events.is_empty(), "{events:?}");
        assert_eq!(next, 8, "fresh numbers come after every number seen");
    }

    #[test]
    fn a_merge_keeps_the_oldest_id_whatever_the_order_of_old() {
        let old = [
            (EntityId::numbered(7), vec![1, 2, 3]),
            (EntityId::numbered(9), vec![4]),
            (EntityId::numbered(2), vec![0]),
        ];
        let mut next = 10;
        let (ids, events) = reconcile(names(5), &old, &[vec![0, 1, 2, 3, 4]], &mut next);
        assert_eq!(ids, [EntityId::numbered(2)]);
        assert_eq!(
            events,
            [Event::Merged {
                entity: EntityId::numbered(2),
                absorbed: vec![EntityId::numbered(7), EntityId::numbered(9)],
                records: (0..5).map(|r| id(&format!("r{r}"))).collect(),
            }]
        );
        assert_eq!(next, 10);
    }

    #[test]
    fn ids_without_a_number_count_as_older() {
        let old = [
            (EntityId::numbered(1), vec![0]),
            (EntityId::from("legacy-9"), vec![1]),
        ];
        let mut next = 2;
        let (ids, _) = reconcile(names(2), &old, &[vec![0, 1]], &mut next);
        assert_eq!(ids, [EntityId::from("legacy-9")]);
    }

    #[test]
    fn a_part_that_moves_logs_record_added_and_split() {
        // E1 = {0, 1, 2}, E2 = {3, 4}; record 2 moves over to E2.
        let old = [
            (EntityId::numbered(1), vec![0, 1, 2]),
            (EntityId::numbered(2), vec![3, 4]),
        ];
        let mut next = 3;
        let (ids, events) = reconcile(names(5), &old, &[vec![0, 1], vec![2, 3, 4]], &mut next);
        assert_eq!(ids, [EntityId::numbered(1), EntityId::numbered(2)]);
        assert_eq!(
            events,
            [
                Event::RecordAdded {
                    entity: EntityId::numbered(2),
                    record: id("r2"),
                },
                Event::Split {
                    entity: EntityId::numbered(1),
                    into: vec![EntityId::numbered(1), EntityId::numbered(2)],
                },
            ]
        );
    }

    #[test]
    fn adjacency_unlinks_from_the_middle_of_a_list() {
        let mut adjacency = Adjacency::default();
        for _ in 0..4 {
            adjacency.push_record();
        }
        adjacency.insert(0, 1, 1.0, 0.9);
        adjacency.insert(0, 2, 2.0, 0.9);
        adjacency.insert(0, 3, 3.0, 0.9);
        adjacency.insert(2, 0, 5.0, 0.95);
        assert_eq!(adjacency.len(), 3, "a repeated pair updates its edge");
        assert_eq!(adjacency.remove_record(2), [0]);
        let mut left: Vec<u32> = adjacency.neighbours(0).map(|(other, _)| other).collect();
        left.sort_unstable();
        assert_eq!(left, [1, 3]);
        assert_eq!(adjacency.len(), 2);
        adjacency.insert(1, 3, 1.0, 0.8);
        assert_eq!(adjacency.edges.len(), 3, "a freed slot is reused");
    }
}
