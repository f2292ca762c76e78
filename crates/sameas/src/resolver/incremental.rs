//! Incremental updates: records added one at a time and removed, each re-clustering only
//! the positive component it touches, exactly as the batch run would cluster it.

use sameas_core::{Channel, RecordId};
use sameas_match::{Matcher, TermFrequencies};
use sameas_merge::cluster::{Clustering, Edge, JoinOutcome, Refusal};
use sameas_merge::graph::Event;
use sameas_normalize::record::NormalizedRecord;

use super::clustering::{
    Constraints, EdgeGuard, complete_components, edge_guard, is_edge, must_link_edge,
};
use super::{PreparedBatch, Resolver, State, frozen_frequencies};
use crate::control::{Control, Stage};
use crate::input::InputTable;
use crate::{Error, ResolverConfig};

impl Resolver {
    /// Adds records one at a time, linking each to the held entities through the blocking
    /// keys and the frozen model: an add may create an entity, join one, or merge several.
    /// Returns the events it caused. Without held records, starts from none.
    ///
    /// # Errors
    /// No trained model, unreadable input, a record id already held, or cancellation
    /// (records added before it stay added).
    pub fn add(&mut self, input: &InputTable, control: &Control) -> Result<Vec<Event>, Error> {
        if !self.is_fitted() {
            return Err(Error::NotFitted);
        }
        let (prepared, _) = self.read(input, control)?;
        let total = prepared.ids.len() as u64;
        let records = prepared
            .ids
            .into_iter()
            .zip(prepared.channels)
            .zip(prepared.records.into_iter().zip(prepared.bad))
            .map(|((id, channel), (record, bad))| (id, channel, record, bad));
        self.add_records(records, total, control)
    }

    /// As [`Resolver::add`], for rows of a batch that [`Resolver::prepare_batch`] read
    /// already: those at positions `rows`, in that order, without reading them again.
    ///
    /// # Errors
    /// As [`Resolver::add`]; a position outside the batch is [`Error::Input`].
    pub fn add_prepared(
        &mut self,
        batch: &PreparedBatch,
        rows: &[usize],
        control: &Control,
    ) -> Result<Vec<Event>, Error> {
        if !self.is_fitted() {
            return Err(Error::NotFitted);
        }
        if rows.iter().any(|&i| i >= batch.ids.len()) {
            return Err(Error::Input("a row position outside the batch".into()));
        }
        let records = rows.iter().map(|&i| {
            (
                batch.ids[i].clone(),
                batch.channels[i].clone(),
                batch.records[i].clone(),
                batch.bad[i],
            )
        });
        self.add_records(records, rows.len() as u64, control)
    }

    fn add_records(
        &mut self,
        records: impl Iterator<Item = (RecordId, Channel, NormalizedRecord, bool)> + Send,
        total: u64,
        control: &Control,
    ) -> Result<Vec<Event>, Error> {
        // Disjoint borrows of the fields: the frozen tables are large and never copied.
        let Some(configured) = &mut self.configured else {
            return Err(Error::NotFitted);
        };
        let config = &configured.config;
        let frequencies = frozen_frequencies(config).ok_or(Error::NotFitted)?;
        let state = configured.state.get_or_insert_with(|| State::empty(config));
        state.build_keys(config)?;
        let start = state.graph.events().len();
        let scoring = Scoring::new(config, frequencies);
        // Each add compiles a matcher over a handful of records and re-clusters one
        // component: work too small to share, where waking other threads for every record
        // costs more than it saves (measured: a quarter more records per second on 2 cores
        // on one thread). The answer does not depend on the thread count.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .map_err(|e| Error::Config(format!("a thread for adding records: {e}")))?;
        one.install(|| {
            for (i, (id, channel, record, bad)) in records.enumerate() {
                if i % 1024 == 0 {
                    control.check()?;
                    control.report(Stage::Add, i as u64, total);
                }
                state.add_one(&scoring, id, channel, record, bad)?;
            }
            Ok::<(), Error>(())
        })?;
        control.report(Stage::Add, total, total);
        Ok(state.graph.events()[start..].to_vec())
    }

    /// Removes a record; its entity splits where it no longer holds together (the larger
    /// part keeps the id). Returns the events it caused.
    ///
    /// # Errors
    /// [`Error::UnknownRecord`], or [`Error::NothingResolved`].
    pub fn remove(&mut self, record: &str) -> Result<Vec<Event>, Error> {
        let Some(configured) = &mut self.configured else {
            return Err(Error::NothingResolved);
        };
        let config = &configured.config;
        let frequencies = frozen_frequencies(config).ok_or(Error::NothingResolved)?;
        let state = configured.state.as_mut().ok_or(Error::NothingResolved)?;
        state.build_keys(config)?;
        let start = state.graph.events().len();
        let id = RecordId::from(record);
        let index = state.index_of(&id).ok_or(Error::UnknownRecord)?;
        let affected = state
            .graph
            .remove_record(&id)
            .map_err(|_| Error::UnknownRecord)?;
        state.joins[index as usize].clear();
        state.changed.push(index);
        if !affected.is_empty() {
            state.recluster(&Scoring::new(config, frequencies), &affected)?;
        }
        Ok(state.graph.events()[start..].to_vec())
    }
}

impl State {
    fn add_one(
        &mut self,
        scoring: &Scoring,
        id: RecordId,
        channel: Channel,
        record: NormalizedRecord,
        bad: bool,
    ) -> Result<(), Error> {
        let Scoring {
            config,
            guard,
            frequencies,
        } = scoring;
        let guard = guard.as_ref();
        let index = self.graph.push_record(id.clone())?;
        debug_assert_eq!(index as usize, self.data.len());
        let keys = self.keys.as_mut().expect("built before adding");
        // A bad row was read as a record with no values: it has no keys.
        let pushed = keys.push(&record, 0);
        debug_assert_eq!(pushed, index);
        self.data.ids.push(id);
        self.data.sources.push(0);
        self.data.records.push(record);
        self.channels.push(channel);
        self.bad.push(bad);
        self.joins.push(Vec::new());
        self.changed.push(index);
        if bad {
            self.place_alone(index);
            return Ok(());
        }
        let mut candidates = Vec::new();
        self.keys
            .as_ref()
            .expect("built")
            .candidates(index, &mut candidates);
        candidates.retain(|&c| self.graph.record_id(c).is_some() && !self.bad[c as usize]);
        let mut edges: Vec<Edge> = Vec::new();
        if !candidates.is_empty() {
            let mut local: Vec<u32> = candidates.clone();
            local.push(index);
            let subset = self.subset(&local)?;
            let matcher = Matcher::with_term_frequencies(&config.matching, &subset, frequencies)?;
            let last = (local.len() - 1) as u32;
            let pairs: Vec<(u32, u32)> = (0..last).map(|k| (k, last)).collect();
            let scored = matcher.score(&pairs);
            for (k, &(l, _)) in scored.pairs.iter().enumerate() {
                if is_edge(&scored, k, config.matching.threshold, guard) {
                    edges.push(Edge {
                        a: local[l as usize],
                        b: index,
                        weight: scored.weights[k],
                        probability: scored.probabilities[k],
                    });
                }
            }
        }
        // Must-links naming this record join its component; other pairs were placed before.
        let own = self.data.ids[index as usize].as_str();
        for [a, b] in &config.clustering.must_link {
            let other = if a == own {
                b
            } else if b == own {
                a
            } else {
                continue;
            };
            if let Some(other) = self.graph.index_of(&RecordId::from(other.as_str()))
                && other != index
            {
                edges.push(must_link_edge(index, other));
            }
        }
        if edges.is_empty() {
            self.place_alone(index);
            return Ok(());
        }
        self.graph.add_edges(&edges);
        let component = self.graph.component(index);
        self.recluster(scoring, &component)
    }

    /// Places a record with no positive edge as an entity of its own.
    fn place_alone(&mut self, index: u32) {
        let alone = Clustering {
            labels: vec![0],
            clusters: 1,
            joins: Vec::new(),
        };
        self.graph.apply(&[index], &alone);
    }

    /// Re-clusters `records` (whole positive components) exactly as a batch run clusters
    /// them: every candidate pair among them is scored with the frozen model.
    fn recluster(&mut self, scoring: &Scoring, records: &[u32]) -> Result<(), Error> {
        let Scoring {
            config,
            guard,
            frequencies,
        } = scoring;
        let guard = guard.as_ref();
        let keys = self.keys.as_ref().expect("built before re-clustering");
        let mut pairs = Vec::new();
        for (x, &a) in records.iter().enumerate() {
            for (y, &b) in records.iter().enumerate().skip(x + 1) {
                if keys.is_candidate_pair(a, b) {
                    pairs.push((x as u32, y as u32));
                }
            }
        }
        let subset = self.subset(records)?;
        let matcher = Matcher::with_term_frequencies(&config.matching, &subset, frequencies)?;
        let mut scored = matcher.score(&pairs);
        // As the batch run does: the pairs inside small positive components, scored too.
        complete_components(
            &mut scored,
            &matcher,
            subset.len(),
            config.matching.threshold,
            guard,
        );
        let (_, clustering) = Constraints::new(config, &subset, &scored).cluster(
            config,
            &subset.ids,
            &scored,
            config.matching.threshold,
            guard,
        );
        // Every record of an entity the clustering replaces may change entity, those of it
        // outside `records` included.
        let mut replaced: Vec<&sameas_core::EntityId> = Vec::new();
        for &r in records {
            self.joins[r as usize].clear();
            self.changed.push(r);
            if let Some(entity) = self.graph.entity_at(r) {
                replaced.push(entity);
            }
        }
        replaced.sort_unstable();
        replaced.dedup();
        for entity in replaced {
            if let Some(members) = self.graph.members(entity) {
                self.changed.extend_from_slice(members);
            }
        }
        for join in &clustering.joins {
            let mut global = *join;
            global.a = records[join.a as usize];
            global.b = records[join.b as usize];
            if let JoinOutcome::Refused(
                Refusal::CannotLink { a, b } | Refusal::Exclusive { a, b, .. },
            ) = &mut global.outcome
            {
                *a = records[*a as usize];
                *b = records[*b as usize];
            }
            self.joins[global.a as usize].push(global);
        }
        self.graph.apply(records, &clustering);
        Ok(())
    }
}

/// What incremental scoring holds fixed: the configuration, its household guard and the
/// frozen term frequencies.
struct Scoring<'a> {
    config: &'a ResolverConfig,
    guard: Option<EdgeGuard>,
    frequencies: &'a TermFrequencies,
}

impl<'a> Scoring<'a> {
    fn new(config: &'a ResolverConfig, frequencies: &'a TermFrequencies) -> Self {
        Scoring {
            config,
            guard: edge_guard(config),
            frequencies,
        }
    }
}
