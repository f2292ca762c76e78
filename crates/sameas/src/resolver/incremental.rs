//! Incremental updates: records added one at a time and removed, each re-clustering only
//! the positive component it touches, exactly as the batch run would cluster it.

use rayon::prelude::*;
use sameas_core::{Channel, RecordId};
use sameas_match::{Matcher, ScoredPairs, TermFrequencies};
use sameas_merge::cluster::{Clustering, Edge, JoinOutcome, Refusal};
use sameas_merge::graph::Event;
use sameas_normalize::record::NormalizedRecord;

use super::clustering::{
    Constraints, EdgeGuard, complete_components, edge_guard, edge_mask, must_link_edge,
};
use super::{PreparedBatch, Resolver, State, frozen_frequencies};
use crate::control::{Control, Stage};
use crate::input::InputTable;
use crate::{Error, ResolverConfig};

impl Resolver {
    /// Adds records, linking each to the held entities through the blocking keys and the
    /// frozen model: an add may create an entity, join one, or merge several. The records
    /// are scored in parallel and placed in the table's order, with exactly the result of
    /// adding them one at a time in that order. Returns the events it caused. Without held
    /// records, starts from none.
    ///
    /// # Errors
    /// No trained model, unreadable input, a record id already held (the records before it
    /// stay added), or cancellation (checked between chunks of 4,096 records; chunks added
    /// before it stay added).
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
        self.add_records(records, total, CHUNK, control)
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
        self.add_prepared_in_chunks(batch, rows, CHUNK, control)
    }

    /// As [`Resolver::add_prepared`], scoring `chunk` records together at most.
    fn add_prepared_in_chunks(
        &mut self,
        batch: &PreparedBatch,
        rows: &[usize],
        chunk: usize,
        control: &Control,
    ) -> Result<Vec<Event>, Error> {
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
        self.add_records(records, rows.len() as u64, chunk, control)
    }

    fn add_records(
        &mut self,
        records: impl Iterator<Item = (RecordId, Channel, NormalizedRecord, bool)> + Send,
        total: u64,
        chunk: usize,
        control: &Control,
    ) -> Result<Vec<Event>, Error> {
        // On a worker thread of the pool: each re-clustered component makes a few small
        // parallel calls, and a call from a thread outside the pool hands its work over and
        // sleeps until it is done (a third of re-clustering's time at 400,000 records held).
        rayon::scope(|_| self.add_records_on_pool(records, total, chunk, control))
    }

    fn add_records_on_pool(
        &mut self,
        records: impl Iterator<Item = (RecordId, Channel, NormalizedRecord, bool)>,
        total: u64,
        chunk: usize,
        control: &Control,
    ) -> Result<Vec<Event>, Error> {
        // Disjoint borrows of the fields: the frozen tables are large and never copied.
        let Some(configured) = &mut self.configured else {
            return Err(Error::NotFitted);
        };
        let config = &configured.config;
        let frequencies = frozen_frequencies(config).ok_or(Error::NotFitted)?;
        let state = configured.state.get_or_insert_with(|| State::empty(config));
        state.build_keys(config, frequencies)?;
        let start = state.graph.events().len();
        let scoring = Scoring::new(config, frequencies);
        let mut records = records.peekable();
        let mut done = 0u64;
        while records.peek().is_some() {
            control.check()?;
            control.report(Stage::Add, done, total);
            let records: Vec<_> = records.by_ref().take(chunk.max(1)).collect();
            done += records.len() as u64;
            state.add_chunk(&scoring, records)?;
        }
        control.report(Stage::Add, total, total);
        Ok(state.graph.events()[start..].to_vec())
    }

    /// Removes a record; its entity splits where it no longer holds together (the larger
    /// part keeps the id). Returns the events it caused.
    ///
    /// # Errors
    /// [`Error::UnknownRecord`], or [`Error::NothingResolved`].
    pub fn remove(&mut self, record: &str) -> Result<Vec<Event>, Error> {
        // On a worker thread of the pool, as `add_records` is.
        rayon::scope(|_| self.remove_on_pool(record))
    }

    fn remove_on_pool(&mut self, record: &str) -> Result<Vec<Event>, Error> {
        let Some(configured) = &mut self.configured else {
            return Err(Error::NothingResolved);
        };
        let config = &configured.config;
        let frequencies = frozen_frequencies(config).ok_or(Error::NothingResolved)?;
        let state = configured.state.as_mut().ok_or(Error::NothingResolved)?;
        state.build_keys(config, frequencies)?;
        let start = state.graph.events().len();
        let id = RecordId::from(record);
        let index = state.index_of(&id).ok_or(Error::UnknownRecord)?;
        let affected = state
            .graph
            .remove_record(&id)
            .map_err(|_| Error::UnknownRecord)?;
        state.joins[index as usize].clear();
        state.changed.push(index);
        state.moved.push(index);
        if !affected.is_empty() {
            // Taken while re-clustering (built again at the next update if an error loses it).
            let matcher = state.matcher.take().expect("built before removing");
            let mut scorer = PairScorer::new(&matcher);
            state.recluster(
                &Scoring::new(config, frequencies),
                &affected,
                u32::MAX,
                &mut scorer,
            )?;
            state.matcher = Some(matcher);
        }
        Ok(state.graph.events()[start..].to_vec())
    }
}

impl State {
    /// Adds `chunk` exactly as adding its records one at a time, in order, would: each
    /// record is blocked and scored against the records held before it (the chunk's
    /// earlier ones included) in parallel, with the held matcher extended by the chunk;
    /// then, in order, its edges join the graph and its component is re-clustered.
    ///
    /// A record id already held (or repeated in the chunk) stops the chunk there: the
    /// records before it are added, then the error is returned.
    fn add_chunk(
        &mut self,
        scoring: &Scoring,
        mut chunk: Vec<(RecordId, Channel, NormalizedRecord, bool)>,
    ) -> Result<(), Error> {
        let mut seen: foldhash::HashSet<&RecordId> = foldhash::HashSet::default();
        let refused = chunk
            .iter()
            .position(|(id, ..)| self.graph.index_of(id).is_some() || !seen.insert(id));
        drop(seen);
        if let Some(k) = refused {
            chunk.truncate(k);
        }
        let first = self.data.len() as u32;
        let keys = self.keys.as_mut().expect("built before adding");
        // A pushed record costs the index a map entry per key (about 100 bytes against 18
        // for a built one). Once more records are pushed than were built, the index is
        // built again over all of them: the same candidates, compacted. The records built
        // at least double each time, so the building costs at most twice the last build.
        if keys.pushed_len() > keys.built_len().max(REBUILD_AFTER) {
            *keys = keys.rebuilt(&self.data, &scoring.config.matching.blocking)?;
        }
        let records: Vec<&NormalizedRecord> =
            chunk.iter().map(|(_, _, record, _)| record).collect();
        let record_keys = keys.keys_of_each(&records);
        for ((id, channel, record, bad), record_keys) in chunk.into_iter().zip(record_keys) {
            let index = self.graph.push_record(id.clone())?;
            debug_assert_eq!(index as usize, self.data.len());
            // A bad row was read as a record with no values: it has no keys.
            let pushed = keys.push_keys(record_keys, 0);
            debug_assert_eq!(pushed, index);
            self.data.ids.push(id);
            self.data.sources.push(0);
            self.data.records.push(record);
            self.channels.push(channel);
            self.bad.push(bad);
            self.joins.push(Vec::new());
            self.changed.push(index);
            self.moved.push(index);
        }
        let end = self.data.len() as u32;
        // The records of each block a push took over its cap, by the record that did.
        let mut crossings: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        for (at, members) in keys.take_crossings() {
            crossings.entry(at).or_default().extend(members);
        }

        // Each record's candidates among the records held before it.
        let keys = self.keys.as_ref().expect("built");
        let candidates: Vec<Vec<u32>> = (first..end)
            .into_par_iter()
            .map(|index| {
                let mut out = Vec::new();
                if !self.bad[index as usize] {
                    keys.candidates_before(index, index + 1, &mut out);
                    out.retain(|&c| self.graph.record_id(c).is_some() && !self.bad[c as usize]);
                }
                out
            })
            .collect();

        // The held matcher, extended by the chunk's records (their values compiled; no
        // held pair's score moves, the term frequencies being frozen). Taken while the
        // chunk is placed: an error that loses it has it built again at the next update.
        let mut matcher = self.matcher.take().expect("built before adding");
        matcher.extend(&self.data, scoring.frequencies)?;

        // Every candidate pair of the chunk, record after record, scored in one parallel
        // call; each record's edges are its pairs at or above the threshold.
        let pairs: Vec<(u32, u32)> = candidates
            .iter()
            .zip(first..end)
            .flat_map(|(list, index)| list.iter().map(move |&c| (c, index)))
            .collect();
        drop(candidates);
        let scored = matcher.score(&pairs);
        drop(pairs);
        let mut edges_of: Vec<Vec<Edge>> = vec![Vec::new(); (end - first) as usize];
        for k in edge_mask(
            &scored,
            scoring.config.matching.threshold,
            scoring.guard.as_ref(),
        )
        .indices()
        {
            let (a, b) = scored.pairs[k];
            edges_of[(b - first) as usize].push(Edge {
                a,
                b,
                weight: scored.weights[k],
                probability: scored.probabilities[k],
            });
        }
        let mut scorer = PairScorer::new(&matcher);
        scorer.remember(scored);

        // In order, as one at a time: the edges, then the component re-clustered; after a
        // record whose push took blocks over their cap, the components of those blocks'
        // records, which lost the pairs through them.
        let mut crossings = crossings.into_iter().peekable();
        for (k, index) in (first..end).enumerate() {
            while let Some((at, members)) = crossings.next_if(|(at, _)| *at < index) {
                self.recluster_crossed(scoring, at, &members, &mut scorer)?;
            }
            if self.bad[index as usize] {
                self.place_alone(index);
                continue;
            }
            let mut edges = edges_of.get_mut(k).map(std::mem::take).unwrap_or_default();
            // Must-links naming this record and one held before it join its component;
            // other pairs were placed before, or will be with the later record.
            let own = self.data.ids[index as usize].as_str();
            for [a, b] in &scoring.config.clustering.must_link {
                let other = if a == own {
                    b
                } else if b == own {
                    a
                } else {
                    continue;
                };
                if let Some(other) = self.graph.index_of(&RecordId::from(other.as_str()))
                    && other < index
                {
                    edges.push(must_link_edge(index, other));
                }
            }
            if edges.is_empty() {
                self.place_alone(index);
                continue;
            }
            self.graph.add_edges(&edges);
            let component = self.graph.component(index);
            self.recluster(scoring, &component, index + 1, &mut scorer)?;
        }
        for (at, members) in crossings {
            self.recluster_crossed(scoring, at, &members, &mut scorer)?;
        }
        drop(scorer);
        self.matcher = Some(matcher);
        match refused {
            Some(_) => Err(sameas_merge::MergeError::DuplicateRecord.into()),
            None => Ok(()),
        }
    }

    /// Re-clusters the positive components of `members`, records of blocks that the push of
    /// the record at `at` took over their cap, as the index is after that record: pairs
    /// through those blocks are no longer candidates, as a batch run over the records would
    /// not pair them. Only a component holding two of them that no other key pairs loses
    /// a pair (the clustering reads pairs inside components alone); the others keep their
    /// places.
    fn recluster_crossed(
        &mut self,
        scoring: &Scoring,
        at: u32,
        members: &[u32],
        scorer: &mut PairScorer,
    ) -> Result<(), Error> {
        let members: foldhash::HashSet<u32> = members.iter().copied().collect();
        let mut records: Vec<u32> = Vec::new();
        let mut seen: foldhash::HashSet<u32> = foldhash::HashSet::default();
        for &m in &members {
            if seen.contains(&m) || self.graph.record_id(m).is_none() {
                continue;
            }
            let component = self.graph.component(m);
            seen.extend(component.iter().copied());
            let held: Vec<u32> = component
                .iter()
                .copied()
                .filter(|r| members.contains(r))
                .collect();
            let keys = self.keys.as_ref().expect("built before re-clustering");
            let lost = held.iter().enumerate().any(|(i, &x)| {
                held[i + 1..]
                    .iter()
                    .any(|&y| !keys.is_candidate_pair_before(x, y, at + 1))
            });
            if lost {
                records.extend(component);
            }
        }
        if records.is_empty() {
            return Ok(());
        }
        records.sort_unstable();
        self.recluster(scoring, &records, at + 1, scorer)
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

    /// Re-clusters `records` (whole positive components, ascending) exactly as a batch run
    /// clusters them: every candidate pair among them (as the key index was before the
    /// record at `limit`) is scored with the frozen model, pairs `scorer` scored before
    /// taken from it.
    fn recluster(
        &mut self,
        scoring: &Scoring,
        records: &[u32],
        limit: u32,
        scorer: &mut PairScorer,
    ) -> Result<(), Error> {
        let Scoring { config, guard, .. } = scoring;
        let guard = guard.as_ref();
        let keys = self.keys.as_ref().expect("built before re-clustering");
        let mut pairs = Vec::new();
        let mut global = Vec::new();
        for (x, &a) in records.iter().enumerate() {
            for (y, &b) in records.iter().enumerate().skip(x + 1) {
                if keys.is_candidate_pair_before(a, b, limit) {
                    pairs.push((x as u32, y as u32));
                    global.push((a, b));
                }
            }
        }
        let mut scored = scorer.score(&global);
        scored.pairs = pairs;
        // As the batch run does: the pairs inside small positive components, scored too.
        let mask = complete_components(
            &mut scored,
            |extra| {
                let global: Vec<(u32, u32)> = extra
                    .iter()
                    .map(|&(x, y)| (records[x as usize], records[y as usize]))
                    .collect();
                let mut scored = scorer.score(&global);
                scored.pairs = extra.to_vec();
                scored
            },
            records.len(),
            config.matching.threshold,
            guard,
        );
        let clustering = {
            let ids: Vec<RecordId> = records
                .iter()
                .map(|&r| self.data.ids[r as usize].clone())
                .collect();
            let held: Vec<&NormalizedRecord> = records
                .iter()
                .map(|&r| &self.data.records[r as usize])
                .collect();
            Constraints::of_records(config, &ids, &held, &scored)
                .cluster(config, &ids, &scored, &mask, guard)
                .1
        };
        // Every record of an entity the clustering replaces may change entity, those of it
        // outside `records` included; the records of `records` get their join logs again.
        // Which placements changed is what a store rewrites: a record re-clustered into the
        // entity and the log it had is not counted.
        let mut before: Vec<Placed> = Vec::with_capacity(records.len());
        let mut replaced: Vec<&sameas_core::EntityId> = Vec::new();
        for &r in records {
            let entity = self.graph.entity_at(r);
            if let Some(entity) = entity {
                replaced.push(entity);
            }
            before.push(Placed {
                record: r,
                entity: entity.cloned(),
                joins: Some(std::mem::take(&mut self.joins[r as usize])),
            });
        }
        replaced.sort_unstable();
        replaced.dedup();
        for entity in replaced {
            if let Some(members) = self.graph.members(entity) {
                for &m in members {
                    if records.binary_search(&m).is_err() {
                        before.push(Placed {
                            record: m,
                            entity: Some(entity.clone()),
                            joins: None,
                        });
                    }
                }
            }
        }
        for join in &clustering.joins {
            let mut global = *join;
            global.a = records[join.a as usize];
            global.b = records[join.b as usize];
            if let JoinOutcome::Refused(
                Refusal::CannotLink { a, b }
                | Refusal::Ambiguous { a, b }
                | Refusal::Exclusive { a, b, .. },
            ) = &mut global.outcome
            {
                *a = records[*a as usize];
                *b = records[*b as usize];
            }
            self.joins[global.a.max(global.b) as usize].push(global);
        }
        self.graph.apply(records, &clustering);
        for placed in before {
            let r = placed.record as usize;
            let moved = self.graph.entity_at(placed.record) != placed.entity.as_ref();
            if moved || placed.joins.is_some_and(|joins| joins != self.joins[r]) {
                self.changed.push(placed.record);
            }
            if moved {
                self.moved.push(placed.record);
            }
        }
        Ok(())
    }
}

/// A record's placement before it is re-clustered.
struct Placed {
    record: u32,
    entity: Option<sameas_core::EntityId>,
    /// Its join log, for a record whose log is made again (`None`: kept as it is).
    joins: Option<Vec<sameas_merge::cluster::Join>>,
}

/// Records scored together by one matcher when a batch is added.
const CHUNK: usize = 4096;

/// The fewest pushed records for which the key index is built again (fewer in tests, so that
/// their small batches build it again, at different points).
const REBUILD_AFTER: usize = if cfg!(test) { 16 } else { CHUNK };

/// Scores pairs of held records (the lower first) with the held matcher, each pair once: a
/// pair scored before is taken from what was kept.
struct PairScorer<'m> {
    matcher: &'m Matcher,
    /// A scored pair's row in `kept`.
    known: foldhash::HashMap<(u32, u32), usize>,
    kept: ScoredPairs,
}

impl<'m> PairScorer<'m> {
    fn new(matcher: &'m Matcher) -> Self {
        PairScorer {
            matcher,
            known: foldhash::HashMap::default(),
            kept: ScoredPairs {
                comparisons: matcher.comparison_names().len(),
                ..ScoredPairs::default()
            },
        }
    }

    /// Keeps pairs scored elsewhere by the same matcher (pairs in global indices).
    fn remember(&mut self, scored: ScoredPairs) {
        if scored.is_empty() {
            return;
        }
        debug_assert_eq!(scored.comparisons, self.kept.comparisons);
        for (k, &pair) in scored.pairs.iter().enumerate() {
            self.known.entry(pair).or_insert(self.kept.len() + k);
        }
        self.kept.pairs.extend(scored.pairs);
        self.kept.weights.extend(scored.weights);
        self.kept.probabilities.extend(scored.probabilities);
        self.kept.levels.extend(scored.levels);
    }

    /// The scores of `pairs` (distinct, global indices), in that order.
    fn score(&mut self, pairs: &[(u32, u32)]) -> ScoredPairs {
        let missing: Vec<(u32, u32)> = pairs
            .iter()
            .filter(|p| !self.known.contains_key(p))
            .copied()
            .collect();
        if !missing.is_empty() {
            let fresh = self.matcher.score(&missing);
            self.remember(fresh);
        }
        let n = self.kept.comparisons;
        let mut out = ScoredPairs {
            comparisons: n,
            ..ScoredPairs::default()
        };
        out.pairs.reserve(pairs.len());
        for pair in pairs {
            let row = self.known[pair];
            out.pairs.push(*pair);
            out.weights.push(self.kept.weights[row]);
            out.probabilities.push(self.kept.probabilities[row]);
            out.levels.extend_from_slice(self.kept.levels_of(row));
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;
    use sameas_normalize::table::Table;

    /// Chunk boundaries change nothing: a batch added in chunks of a few records gives the
    /// events and entities of its records added one at a time.
    #[test]
    fn chunks_of_a_batch_give_what_one_at_a_time_gives() {
        let generated = sameas_synth::generate(&sameas_synth::SynthConfig {
            records: 300,
            seed: 8,
            ..Default::default()
        })
        .unwrap();
        let headers = sameas_synth::DATA_HEADER
            .iter()
            .map(|h| h.to_string())
            .collect();
        let rows = generated.records.into_iter().map(|r| r.values).collect();
        let input = InputTable::new(Table::from_rows(headers, rows, 1), Channel::Unknown);
        let mut fitted = Resolver::new();
        fitted.fit(&input, &Control::none()).unwrap();
        let json = fitted.to_json().unwrap();
        let mut chunked = Resolver::from_json(&json).unwrap();
        let mut one_by_one = Resolver::from_json(&json).unwrap();
        let batch = chunked.prepare_batch(&input, &Control::none()).unwrap();
        let rows: Vec<usize> = (0..batch.ids.len()).rev().collect();
        let events = chunked
            .add_prepared_in_chunks(&batch, &rows, 7, &Control::none())
            .unwrap();
        let mut expected = Vec::new();
        for &row in &rows {
            expected.extend(
                one_by_one
                    .add_prepared_in_chunks(&batch, &[row], 1, &Control::none())
                    .unwrap(),
            );
        }
        assert_eq!(events, expected);
        assert_eq!(chunked.entities(), one_by_one.entities());
        assert!(
            chunked.entity_count() < chunked.len(),
            "some records joined"
        );
    }
}
