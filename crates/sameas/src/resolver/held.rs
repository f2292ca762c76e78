//! Reading the held state back: a batch of rows normalized under the held configuration
//! (without adding it), and the resolution of the held records (every entity, or some),
//! as a persistent store needs them.

use std::sync::Arc;

use rayon::prelude::*;

use sameas_core::{Channel, EntityId, RecordId};
use sameas_merge::golden::GoldenInput;
use sameas_normalize::record::{NormalizedRecord, RecordNormalizer};

use super::{Configured, Resolver};
use crate::Error;
use crate::control::Control;
use crate::input::{BadRow, InputTable, prepare};
use crate::resolution::{Report, Resolution};

/// A table's rows read and normalized under a resolver's configuration, in input order.
#[derive(Debug, Clone)]
pub struct PreparedBatch {
    /// One id per row (rows without one get `N` or `row-N`, N the data row).
    pub ids: Vec<RecordId>,
    /// The normalized values, generic values treated as missing.
    pub records: Vec<NormalizedRecord>,
    /// Per row: its channel (the table's, or the row's channel column).
    pub channels: Vec<Channel>,
    /// Per row: whether the row could not be read as a record.
    pub bad: Vec<bool>,
    /// The rows that could not be read, with the reason (never their content).
    pub bad_rows: Vec<BadRow>,
}

impl Resolver {
    /// Reads and normalizes `input` under the configuration without adding it: what a caller
    /// needs to judge a batch (its quality, which of its records changed) before adding it.
    ///
    /// # Errors
    /// [`Error::Config`] before a configuration exists; a schema column the table lacks; a
    /// repeated record id (naming the row).
    pub fn prepare_batch(
        &self,
        input: &InputTable,
        control: &Control,
    ) -> Result<PreparedBatch, Error> {
        let config = self
            .config()
            .ok_or_else(|| Error::Config("no configuration yet: give one or fit a table".into()))?;
        let normalizer = RecordNormalizer::new(config.schema.clone(), config.normalize.clone())?;
        let mut prepared = prepare(input, &config.schema, &normalizer, control)?;
        crate::generic::apply(
            &config.generic_values,
            &config.schema,
            &mut prepared.records,
        );
        Ok(PreparedBatch {
            ids: prepared.ids,
            records: prepared.records,
            channels: prepared.channels,
            bad: prepared.bad,
            bad_rows: prepared.bad_rows,
        })
    }

    /// The normalized values of a held record.
    pub fn normalized(&self, record: &str) -> Option<&NormalizedRecord> {
        let state = self.state()?;
        let index = state.graph.index_of(&RecordId::from(record))?;
        state.data.records.get(index as usize)
    }

    /// The records of a held entity, sorted by id.
    pub fn records_of(&self, entity: &str) -> Option<Vec<RecordId>> {
        let state = self.state()?;
        let members = state.graph.members(&EntityId::from(entity))?;
        let mut ids: Vec<RecordId> = members
            .iter()
            .map(|&m| state.data.ids[m as usize].clone())
            .collect();
        ids.sort();
        Some(ids)
    }

    /// The resolution of the held records as a batch run writes it: entities (in `order`,
    /// else by record id), golden records and conflicts of every held entity, or of
    /// `only` those entities (unknown ids skipped); the events the state has logged. There
    /// is no review file: pairs are scored as records arrive and not kept.
    ///
    /// # Errors
    /// [`Error::NothingResolved`] when nothing is held; a survivorship configuration that
    /// does not compile.
    pub fn held_resolution(
        &self,
        only: Option<&[EntityId]>,
        order: Option<&[RecordId]>,
        control: &Control,
    ) -> Result<Resolution, Error> {
        let Some(Configured {
            config,
            state: Some(state),
        }) = &self.configured
        else {
            return Err(Error::NothingResolved);
        };
        let survivorship = Arc::new(config.survivorship.compile(&config.schema)?);
        let mut entities: Vec<(&EntityId, &[u32])> = match only {
            None => state.graph.entities().collect(),
            Some(ids) => ids
                .iter()
                .filter_map(|id| state.graph.members(id).map(|m| (id, m)))
                .collect(),
        };
        entities.sort_unstable_by(|a, b| a.0.cmp(b.0));
        entities.dedup_by(|a, b| a.0 == b.0);
        let input = GoldenInput {
            ids: &state.data.ids,
            channels: &state.channels,
            records: &state.data.records,
        };
        let mut golden = Vec::with_capacity(entities.len());
        let mut conflicts = Vec::new();
        let mut sizes = super::batch::EntitySizes::default();
        let mut rows: Vec<(RecordId, EntityId)> = Vec::new();
        for group in entities.chunks(4096) {
            control.check()?;
            // Golden records on every core, gathered in entity order.
            let built: Vec<_> = group
                .par_iter()
                .map(|(id, members)| survivorship.golden(&input, id.as_str(), members))
                .collect();
            for ((id, members), (record, found)) in group.iter().zip(built) {
                golden.push(record);
                conflicts.extend(found);
                sizes.add(members.len());
                rows.extend(
                    members
                        .iter()
                        .map(|&m| (state.data.ids[m as usize].clone(), (*id).clone())),
                );
            }
        }
        match order {
            Some(order) => {
                let entity_of: foldhash::HashMap<RecordId, EntityId> = rows.into_iter().collect();
                rows = order
                    .iter()
                    .filter_map(|r| entity_of.get(r).map(|e| (r.clone(), e.clone())))
                    .collect();
            }
            None => rows.sort(),
        }
        let report = Report {
            records: rows.len() as u64,
            entities: golden.len() as u64,
            singletons: sizes.singletons(),
            largest_entity: sizes.largest,
            entity_sizes: sizes.histogram(),
            threshold: config.matching.threshold,
            conflicts: conflicts.len() as u64,
            ..Report::default()
        };
        Ok(Resolution {
            entities: rows,
            golden_header: survivorship.headers(),
            golden,
            conflicts,
            golden_written_in: None,
            events: state.graph.events().to_vec(),
            review: Vec::new(),
            comparisons: config.comparison_names(),
            report,
            survivorship,
        })
    }
}
