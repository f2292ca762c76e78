//! A resolver's identity state record by record, for a store that persists it incrementally:
//! each record's part (its normalized values and its positive edges to earlier records) is
//! written once, when it is added; each record's placement (its entity and its join log) is
//! rewritten when an add or a remove re-clusters it. [`Resolver::take_changed`] names the
//! records whose placement changed, so a batch writes what it touched and nothing else, and
//! [`Resolver::from_parts`] reads the whole state back.

use serde::{Deserialize, Serialize};

use sameas_core::{Channel, EntityId, RecordId};
use sameas_match::Dataset;
use sameas_merge::cluster::{Edge, Join, JoinOutcome, Refusal};
use sameas_merge::graph::IdentityGraph;
use sameas_normalize::record::NormalizedRecord;

use crate::resolver::State;
use crate::{Error, Resolver, ResolverConfig};

/// One record as it was added: fixed once written (a removed record keeps its part; only its
/// placement says it is gone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordPart {
    id: RecordId,
    source: u8,
    channel: Channel,
    bad: bool,
    record: NormalizedRecord,
    /// Positive edges to records added before it: (index, weight, probability).
    edges: Vec<(u32, f64, f64)>,
}

impl RecordPart {
    /// The record's id.
    pub fn id(&self) -> &RecordId {
        &self.id
    }
}

/// Where a record stands: its entity (`None` once removed) and the joins logged with it as
/// the first side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    entity: Option<EntityId>,
    joins: Vec<Join>,
}

impl Placement {
    /// A placement from its entity and join log (as [`Placement::joins`] gave them).
    pub fn new(entity: Option<EntityId>, joins: Vec<Join>) -> Placement {
        Placement { entity, joins }
    }

    /// The joins logged with this record as the first side (record indices, scores and
    /// outcomes).
    pub fn joins(&self) -> &[Join] {
        &self.joins
    }

    /// The record's entity; `None` once removed.
    pub fn entity(&self) -> Option<&EntityId> {
        self.entity.as_ref()
    }
}

impl Resolver {
    /// The record indices issued so far (removed records included): parts are numbered
    /// `0..index_count()`.
    pub fn index_count(&self) -> usize {
        self.state().map_or(0, |s| s.data.len())
    }

    /// The record at `index` as it was added, with its positive edges to earlier records;
    /// `None` past the last index. Edges to records removed since are left out.
    pub fn record_part(&self, index: u32) -> Option<RecordPart> {
        let state = self.state()?;
        let i = index as usize;
        if i >= state.data.len() {
            return None;
        }
        let mut edges: Vec<(u32, f64, f64)> = state
            .graph
            .neighbours(index)
            .filter(|&(other, _, _)| other < index)
            .collect();
        edges.sort_by_key(|e| e.0);
        Some(RecordPart {
            id: state.data.ids[i].clone(),
            source: state.data.sources[i],
            channel: state.channels[i].clone(),
            bad: state.bad[i],
            record: state.data.records[i].clone(),
            edges,
        })
    }

    /// The id of the record at `index` (a removed one's too); `None` past the last index.
    pub fn record_id_at(&self, index: u32) -> Option<&RecordId> {
        self.state()?.data.ids.get(index as usize)
    }

    /// The placement of the record at `index`; `None` past the last index.
    pub fn placement(&self, index: u32) -> Option<Placement> {
        let state = self.state()?;
        let joins = state.joins.get(index as usize)?.clone();
        Some(Placement {
            entity: state.graph.entity_at(index).cloned(),
            joins,
        })
    }

    /// How many removed records the state still holds: a removed record keeps its index
    /// (and its part) with no entity, and a store's update of a record removes it and adds
    /// it again, so each update leaves one behind until [`Resolver::compact`].
    pub fn removed_count(&self) -> usize {
        self.index_count() - self.len()
    }

    /// Drops the removed records from the state: the records left are numbered again in
    /// their order, with their positive edges and join logs among themselves (a refused
    /// join naming a removed record goes); entities, their ids and the next entity number
    /// are kept. The blocking-key index and the matcher are built again at the next update,
    /// over the records left. Returns how many records it dropped; a state whose parts and
    /// placements a store keeps is then written again whole.
    ///
    /// # Errors
    /// As [`Resolver::from_parts`] (not expected: the parts fit by construction).
    pub fn compact(&mut self) -> Result<usize, Error> {
        let Some(configured) = self.configured.as_mut() else {
            return Ok(0);
        };
        let Some(state) = configured.state.as_ref() else {
            return Ok(0);
        };
        let n = state.data.len();
        let mut renumbered = vec![u32::MAX; n];
        let mut live = 0u32;
        for (i, slot) in renumbered.iter_mut().enumerate() {
            if state.graph.entity_at(i as u32).is_some() {
                *slot = live;
                live += 1;
            }
        }
        if live as usize == n {
            return Ok(0);
        }
        let renumber = |i: u32| Some(renumbered[i as usize]).filter(|&r| r != u32::MAX);
        let config = configured.config.clone();
        let next_sequence = state.graph.next_sequence();
        let State {
            data,
            channels,
            bad,
            graph,
            joins,
            ..
        } = configured.state.take().expect("held above");
        let Dataset {
            ids,
            sources,
            records,
            ..
        } = data;
        let mut parts = Vec::with_capacity(live as usize);
        let mut placements = Vec::with_capacity(live as usize);
        let held = ids.into_iter().zip(sources).zip(records).zip(channels);
        for (i, ((((id, source), record), channel), (bad, joins))) in
            held.zip(bad.into_iter().zip(joins)).enumerate()
        {
            let index = i as u32;
            if renumber(index).is_none() {
                continue;
            }
            let mut edges: Vec<(u32, f64, f64)> = graph
                .neighbours(index)
                .filter(|&(other, _, _)| other < index)
                .filter_map(|(other, weight, probability)| {
                    Some((renumber(other)?, weight, probability))
                })
                .collect();
            edges.sort_by_key(|e| e.0);
            parts.push(RecordPart {
                id,
                source,
                channel,
                bad,
                record,
                edges,
            });
            placements.push(Placement {
                entity: graph.entity_at(index).cloned(),
                joins: joins
                    .into_iter()
                    .filter_map(|join| renumbered_join(join, renumber))
                    .collect(),
            });
        }
        drop(graph);
        let compacted = Resolver::from_parts(config, parts, placements, next_sequence)?;
        self.configured = compacted.configured;
        Ok(n - live as usize)
    }

    /// The number the next fresh entity id will carry.
    pub fn next_sequence(&self) -> u64 {
        self.state().map_or(1, |s| s.graph.next_sequence())
    }

    /// The indices whose placement `add` and `remove` changed since the state was built or
    /// this was last called (records added among them), ascending, each once. A record
    /// re-clustered into the entity and the join log it had is not among them.
    pub fn take_changed(&mut self) -> Vec<u32> {
        let Some(state) = self.configured.as_mut().and_then(|c| c.state.as_mut()) else {
            return Vec::new();
        };
        let mut changed = std::mem::take(&mut state.changed);
        changed.sort_unstable();
        changed.dedup();
        changed
    }

    /// The indices whose entity `add` and `remove` changed since the state was built or this
    /// was last called (records added and removed among them), ascending, each once: those
    /// of [`Resolver::take_changed`] whose entity changed, not only their join log. A store
    /// that keeps each record's entity apart from its placement rewrites these only.
    pub fn take_moved(&mut self) -> Vec<u32> {
        let Some(state) = self.configured.as_mut().and_then(|c| c.state.as_mut()) else {
            return Vec::new();
        };
        let mut moved = std::mem::take(&mut state.moved);
        moved.sort_unstable();
        moved.dedup();
        moved
    }

    /// Takes the events logged since the state was built or they were last taken, leaving
    /// the log empty: a long-lived resolver whose events are kept elsewhere does not hold
    /// them all (the resolution of its held state then lists only later ones).
    pub fn take_events(&mut self) -> Vec<sameas_merge::graph::Event> {
        self.configured
            .as_mut()
            .and_then(|c| c.state.as_mut())
            .map_or_else(Vec::new, |s| s.graph.take_events())
    }

    /// A resolver from its configuration and its state's parts, one part and one placement
    /// per index in index order, and the next entity sequence: the state of the resolver
    /// whose [`Resolver::record_part`]s and [`Resolver::placement`]s they are. An empty
    /// `parts` gives a fitted resolver holding no record.
    ///
    /// # Errors
    /// [`Error::Config`] for parts that do not fit together (counts, a live record without an
    /// entity, two live records with one id, an index out of range).
    pub fn from_parts(
        config: ResolverConfig,
        parts: Vec<RecordPart>,
        placements: Vec<Placement>,
        next_sequence: u64,
    ) -> Result<Resolver, Error> {
        if parts.is_empty() && placements.is_empty() {
            return Resolver::with_config(config);
        }
        let n = parts.len();
        let unfit = |what: &str| Error::Config(format!("state parts: {what}"));
        if placements.len() != n {
            return Err(unfit("one placement per record is needed"));
        }
        let mut ids = Vec::with_capacity(n);
        let mut sources = Vec::with_capacity(n);
        let mut records = Vec::with_capacity(n);
        let mut channels = Vec::with_capacity(n);
        let mut bad = Vec::with_capacity(n);
        let mut edges = Vec::new();
        for (b, part) in parts.into_iter().enumerate() {
            for (a, weight, probability) in part.edges {
                if a as usize >= b {
                    return Err(unfit("an edge names a later record"));
                }
                edges.push(Edge {
                    a,
                    b: b as u32,
                    weight,
                    probability,
                });
            }
            ids.push(part.id);
            sources.push(part.source);
            records.push(part.record);
            channels.push(part.channel);
            bad.push(part.bad);
        }
        let mut graph_ids = Vec::with_capacity(n);
        let mut entities = Vec::with_capacity(n);
        let mut joins = Vec::with_capacity(n);
        for (id, placement) in ids.iter().zip(placements) {
            graph_ids.push(placement.entity.is_some().then(|| id.clone()));
            entities.push(placement.entity);
            joins.push(placement.joins);
        }
        let in_range = |i: u32| (i as usize) < n;
        let joins_fit = joins.iter().flatten().all(|join: &Join| {
            let evidence = match join.outcome {
                JoinOutcome::Refused(Refusal::CannotLink { a, b })
                | JoinOutcome::Refused(Refusal::Ambiguous { a, b })
                | JoinOutcome::Refused(Refusal::Exclusive { a, b, .. }) => [a, b],
                _ => [join.a, join.b],
            };
            [join.a, join.b].into_iter().chain(evidence).all(in_range)
        });
        if !joins_fit {
            return Err(unfit("a join names a record the state does not hold"));
        }
        let graph = IdentityGraph::from_parts(graph_ids, entities, &edges, next_sequence)
            .map_err(|e| unfit(&e.to_string()))?;
        let data = Dataset::with_sources(config.schema.clone(), ids, sources, records)?;
        Resolver::with_state(config, Some(State::held(data, channels, bad, graph, joins)))
    }
}

/// `join` with its records (and its evidence's) numbered again; `None` when one of them
/// is gone.
fn renumbered_join(mut join: Join, renumber: impl Fn(u32) -> Option<u32>) -> Option<Join> {
    join.a = renumber(join.a)?;
    join.b = renumber(join.b)?;
    if let JoinOutcome::Refused(
        Refusal::CannotLink { a, b }
        | Refusal::Ambiguous { a, b }
        | Refusal::Exclusive { a, b, .. },
    ) = &mut join.outcome
    {
        *a = renumber(*a)?;
        *b = renumber(*b)?;
    }
    Some(join)
}

#[cfg(test)]
mod tests {
    use sameas_normalize::table::read_csv;

    use crate::snapshot::tests::part;
    use crate::{Control, Placement, RecordPart, Resolver};

    /// What a store keeps: parts written once, placements rewritten when changed.
    #[derive(Default)]
    struct Kept {
        parts: Vec<RecordPart>,
        placements: Vec<Placement>,
        /// Each index's entity, kept from `take_moved` alone.
        entities: Vec<Option<crate::EntityId>>,
    }

    impl Kept {
        fn update(&mut self, resolver: &mut Resolver) {
            for i in self.parts.len()..resolver.index_count() {
                self.parts.push(resolver.record_part(i as u32).unwrap());
                self.placements.push(resolver.placement(i as u32).unwrap());
                self.entities.push(None);
            }
            let changed = resolver.take_changed();
            for &i in &changed {
                self.placements[i as usize] = resolver.placement(i).unwrap();
            }
            let moved = resolver.take_moved();
            for &i in &moved {
                assert!(changed.binary_search(&i).is_ok(), "a moved record changed");
                self.entities[i as usize] = resolver.placement(i).unwrap().entity().cloned();
            }
            // The entities kept from the moved records alone are every record's.
            for (i, entity) in self.entities.iter().enumerate() {
                assert_eq!(
                    entity.as_ref(),
                    resolver.placement(i as u32).unwrap().entity()
                );
            }
        }

        fn read(&self, resolver: &Resolver) -> Resolver {
            Resolver::from_parts(
                resolver.config().unwrap().clone(),
                self.parts.clone(),
                self.placements.clone(),
                resolver.next_sequence(),
            )
            .unwrap()
        }
    }

    /// The sample customers and a resolver fitted on all of them (holding none yet).
    fn fitted_sample() -> (sameas_normalize::table::Table, Resolver) {
        let csv = include_str!("../../../examples/data/customers.csv");
        let table = read_csv(csv.as_bytes(), None).unwrap();
        let mut resolver = Resolver::new();
        resolver
            .fit(&part(&table, 0..table.rows.len()), &Control::none())
            .unwrap();
        (table, resolver)
    }

    /// A join is logged with the later of its records: a new record joining a held
    /// record's entity changes its own placement only (the held record keeps its entity
    /// and its log, so a store leaves its row as it was).
    #[test]
    fn a_new_record_joining_a_held_one_changes_only_its_own_placement() {
        let (table, mut resolver) = fitted_sample();
        let n = table.rows.len();
        resolver.add(&part(&table, 0..n), &Control::none()).unwrap();
        resolver.take_changed();
        resolver.take_moved();
        // A held record alone in its entity, typed in again under a new id.
        let entities = resolver.entities();
        let (entity, records) = entities
            .iter()
            .find(|(_, records)| records.len() == 1)
            .expect("a record alone");
        let row = table
            .rows
            .iter()
            .position(|r| r.cells[0] == records[0].as_str())
            .unwrap();
        let mut again = part(&table, row..row + 1);
        again.table.rows[0].cells[0] = "again".into();
        resolver.add(&again, &Control::none()).unwrap();
        assert_eq!(resolver.entity_of("again").as_ref(), Some(entity));
        let new = (resolver.index_count() - 1) as u32;
        assert_eq!(resolver.take_changed(), [new]);
    }

    #[test]
    fn parts_kept_batch_by_batch_read_back_as_the_resolver() {
        let (table, mut resolver) = fitted_sample();
        let n = table.rows.len();
        let mut kept = Kept::default();
        let step = n / 4;
        for start in (0..n - 6).step_by(step) {
            let end = (start + step).min(n - 6);
            resolver
                .add(&part(&table, start..end), &Control::none())
                .unwrap();
            kept.update(&mut resolver);
            assert_eq!(kept.read(&resolver).entities(), resolver.entities());
        }
        // Removals re-cluster what the removed records held together.
        let (_, joined) = resolver
            .entities()
            .into_iter()
            .find(|(_, records)| records.len() > 2)
            .unwrap();
        resolver.remove(joined[0].as_str()).unwrap();
        kept.update(&mut resolver);
        let mut read = kept.read(&resolver);
        assert_eq!(read.entities(), resolver.entities());
        // The read-back resolver goes on exactly as the original.
        let more = part(&table, n - 6..n);
        assert_eq!(
            read.add(&more, &Control::none()).unwrap(),
            resolver.add(&more, &Control::none()).unwrap()
        );
        assert_eq!(read.entities(), resolver.entities());
        for (entity, _) in resolver.entities() {
            assert_eq!(
                read.explain_entity(entity.as_str()).unwrap(),
                resolver.explain_entity(entity.as_str()).unwrap()
            );
        }
    }

    /// Records updated (removed and added again) leave removed ones behind; compacting
    /// drops them and keeps every entity, and the compacted resolver goes on as the one it
    /// came from.
    #[test]
    fn compacting_drops_removed_records_and_keeps_every_entity() {
        let (table, _) = fitted_sample();
        let n = table.rows.len();
        let build = || {
            let (_, mut resolver) = fitted_sample();
            resolver
                .add(&part(&table, 0..n - 6), &Control::none())
                .unwrap();
            // Every third record updated: removed, then added again (the same values).
            for row in (0..n - 6).step_by(3) {
                let id = table.rows[row].cells[0].clone();
                resolver.remove(&id).unwrap();
                resolver
                    .add(&part(&table, row..row + 1), &Control::none())
                    .unwrap();
            }
            resolver
        };
        let original = build();
        let mut compacted = build();
        let updated = (0..n - 6).step_by(3).count();
        assert_eq!(compacted.removed_count(), updated);
        assert_eq!(compacted.compact().unwrap(), updated);
        assert_eq!(compacted.removed_count(), 0);
        assert_eq!(compacted.index_count(), n - 6);
        assert_eq!(compacted.entities(), original.entities());
        assert_eq!(compacted.next_sequence(), original.next_sequence());
        assert_eq!(compacted.compact().unwrap(), 0);
        // Both go on alike: the same events, entities and refusals.
        let mut original = original;
        let more = part(&table, n - 6..n);
        assert_eq!(
            compacted.add(&more, &Control::none()).unwrap(),
            original.add(&more, &Control::none()).unwrap()
        );
        assert_eq!(compacted.entities(), original.entities());
        assert_eq!(compacted.refused_joins(), original.refused_joins());
    }

    /// Records whose entity an add changed (merged into another entity) are named by
    /// `take_moved`, so entities kept from it alone stay every record's.
    #[test]
    fn moved_records_are_every_record_whose_entity_changed() {
        let generated = sameas_synth::generate(&sameas_synth::SynthConfig {
            records: 600,
            seed: 5,
            ..Default::default()
        })
        .unwrap();
        let headers: Vec<String> = sameas_synth::DATA_HEADER
            .iter()
            .map(|h| h.to_string())
            .collect();
        let rows: Vec<Vec<String>> = generated.records.into_iter().map(|r| r.values).collect();
        let table = |rows: &[Vec<String>]| {
            crate::InputTable::new(
                sameas_normalize::table::Table::from_rows(headers.clone(), rows.to_vec(), 1),
                sameas_core::Channel::Unknown,
            )
        };
        let mut resolver = Resolver::new();
        resolver.fit(&table(&rows), &Control::none()).unwrap();
        let mut kept = Kept::default();
        let mut held_moved = 0;
        for batch in rows.chunks(50) {
            let held = resolver.index_count() as u32;
            resolver.add(&table(batch), &Control::none()).unwrap();
            let moved = resolver.take_moved();
            held_moved += moved.iter().filter(|&&i| i < held).count();
            // Put back for `update`, which takes both again.
            resolver
                .configured
                .as_mut()
                .unwrap()
                .state
                .as_mut()
                .unwrap()
                .moved = moved;
            kept.update(&mut resolver);
        }
        assert!(held_moved > 0, "some held record changed entity");
    }

    #[test]
    fn parts_that_do_not_fit_are_refused() {
        let csv = include_str!("../../../examples/data/customers.csv");
        let table = read_csv(csv.as_bytes(), None).unwrap();
        let mut resolver = Resolver::new();
        resolver
            .resolve(&part(&table, 0..20), None, &Control::none())
            .unwrap();
        let config = resolver.config().unwrap().clone();
        let parts: Vec<RecordPart> = (0..20).map(|i| resolver.record_part(i).unwrap()).collect();
        let placements: Vec<Placement> = (0..20).map(|i| resolver.placement(i).unwrap()).collect();
        assert!(
            Resolver::from_parts(config.clone(), parts.clone(), placements[1..].to_vec(), 1)
                .is_err()
        );
        let mut twice = parts.clone();
        twice[1] = twice[0].clone();
        assert!(Resolver::from_parts(config, twice, placements, 1).is_err());
    }
}
