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
//! use sameas_merge::cluster::{cluster, ClusterProblem, ClusteringMethod, Edge, Vouching};
//! use sameas_merge::graph::IdentityGraph;
//!
//! let ids: Vec<RecordId> = ["a", "b", "c"].map(RecordId::from).to_vec();
//! let edges = [Edge { a: 0, b: 1, weight: 8.0, probability: 0.99 }];
//! let problem = ClusterProblem { ids: &ids, edges: &edges, cannot_link: &[], scored_cannot_link: &[], must_link: &[], exclusive: &[], vouching: Vouching::NONE };
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
//! let problem = ClusterProblem { ids: &ids, edges: &edges, cannot_link: &[], scored_cannot_link: &[], must_link: &[], exclusive: &[], vouching: Vouching::NONE };
//! graph.apply(&records, &cluster(&problem, ClusteringMethod::Constrained));
//! assert_eq!(graph.entity_of(&RecordId::from("c")), Some(&EntityId::numbered(1)));
//! assert_eq!(graph.entity_count(), 1);
//! ```

mod adjacency;
mod events;
mod reconcile;

use foldhash::{HashMap, HashMapExt, HashSet};
use sameas_core::{EntityId, RecordId};
use serde::{Deserialize, Serialize};

use crate::MergeError;
use crate::cluster::{Clustering, Edge};
use adjacency::{Adjacency, Visited};
pub use events::{Event, PreviousEntities};
use reconcile::age;
pub use reconcile::reconcile;

/// No record, edge or entity.
const NONE: u32 = u32::MAX;

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

    /// A graph from its parts, as a store that persists them record by record reads it back:
    /// `ids` by index (`None` for a removed record), the entity of each live record, the
    /// positive edges (those naming a removed record are dropped) and the number the next
    /// fresh entity id will carry. Entities take their slots in the order of their ids; the
    /// event log starts empty.
    ///
    /// # Errors
    ///
    /// [`MergeError::DuplicateRecord`] if two live records share an id;
    /// [`MergeError::Config`] if a live record has no entity, `entities` is not one per
    /// record, or an edge names an index outside `ids`.
    pub fn from_parts(
        ids: Vec<Option<RecordId>>,
        entities: Vec<Option<EntityId>>,
        edges: &[Edge],
        next_sequence: u64,
    ) -> Result<IdentityGraph, MergeError> {
        let n = ids.len();
        if entities.len() != n || u32::try_from(n).map_or(true, |n| n == NONE) {
            return Err(MergeError::Config(
                "graph parts: one entity per record index is needed".into(),
            ));
        }
        let mut graph = IdentityGraph {
            next_sequence,
            ..IdentityGraph::default()
        };
        let mut by_entity: HashMap<EntityId, Vec<u32>> = HashMap::new();
        for (i, (id, entity)) in ids.iter().zip(entities).enumerate() {
            graph.adjacency.push_record();
            graph.slot_of.push(NONE);
            let Some(id) = id else { continue };
            if graph.index.insert(id.clone(), i as u32).is_some() {
                return Err(MergeError::DuplicateRecord);
            }
            let entity = entity.ok_or_else(|| {
                MergeError::Config("graph parts: a live record has no entity".into())
            })?;
            by_entity.entry(entity).or_default().push(i as u32);
            graph.live_records += 1;
        }
        graph.ids = ids;
        let mut slots: Vec<(EntityId, Vec<u32>)> = by_entity.into_iter().collect();
        slots.sort_by_cached_key(|(id, _)| (id.sequence(), id.clone()));
        for (slot, (id, members)) in slots.into_iter().enumerate() {
            for &m in &members {
                graph.slot_of[m as usize] = slot as u32;
            }
            graph.slot_of_entity.insert(id.clone(), slot as u32);
            graph.entities.push(EntitySlot {
                id: Some(id),
                members,
            });
        }
        if edges.iter().any(|e| e.a as usize >= n || e.b as usize >= n) {
            return Err(MergeError::Config(
                "graph parts: an edge names a record index outside the graph".into(),
            ));
        }
        graph.add_edges(edges);
        Ok(graph)
    }

    /// The positive edges of `record`: each neighbour with the edge's weight and probability,
    /// in no particular order; none for a removed record.
    pub fn neighbours(&self, record: u32) -> impl Iterator<Item = (u32, f64, f64)> + '_ {
        let live = self.is_live(record);
        live.then(|| {
            self.adjacency
                .neighbours(record)
                .map(|(other, edge)| (other, edge.weight, edge.probability))
        })
        .into_iter()
        .flatten()
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
