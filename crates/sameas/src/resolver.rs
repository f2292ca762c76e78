//! The `Resolver`: fit, batch resolve, incremental add / remove, and explanations.

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use sameas_core::{Channel, EntityId, RecordId};
use sameas_match::{
    BlockIndex, CandidatePairs, ComparisonMethod, Dataset, KeyIndex, Matcher, PairExplanation,
    RuleStats, ScoredPairs, TermFrequencies,
};
use sameas_merge::cluster::{
    ClusterProblem, Clustering, Edge, HouseholdGuard, Join, JoinOutcome, Refusal, cluster,
};
use sameas_merge::golden::{GoldenInput, Survivorship};
use sameas_merge::graph::{Event, IdentityGraph, PreviousEntities};
use sameas_normalize::IssueKind;
use sameas_normalize::record::{NormalizedRecord, RecordNormalizer};
use serde::Serialize;

use crate::control::{Control, Stage};
use crate::input::{InputTable, Prepared, prepare};
use crate::resolution::{Refusals, Report, Resolution, ReviewPair, Timings};
use crate::{Error, InferOptions, ResolverConfig};

/// Resolves customer records into entities: the facade over normalize, match and merge.
///
/// A resolver holds its [`ResolverConfig`] and, once it has resolved or added records, the
/// identity state: the normalized records, the identity graph with its entity ids, and the
/// term frequencies frozen when it was fitted, so that records added one at a time are
/// scored exactly as a batch run over the same data would score them.
pub struct Resolver {
    /// What inference may not decide on its own (the phone region, the date order …).
    pub(crate) options: InferOptions,
    /// The configuration; once fitted it holds the model and its frozen term frequencies.
    pub(crate) config: Option<ResolverConfig>,
    pub(crate) state: Option<State>,
}

/// The identity state: every record seen, the graph, and the join log.
pub(crate) struct State {
    pub(crate) data: Dataset,
    pub(crate) channels: Vec<Channel>,
    pub(crate) bad: Vec<bool>,
    pub(crate) graph: IdentityGraph,
    /// Per record: the joins (accepted or refused) logged with this record as the first
    /// side, in global indices.
    pub(crate) joins: Vec<Vec<Join>>,
    /// Blocking keys for incremental lookups, built at the first `add`.
    pub(crate) keys: Option<KeyIndex>,
}

/// Why an entity is what it is: its records and the joins that built it, with the joins
/// that were refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityExplanation {
    /// The entity.
    pub entity: EntityId,
    /// Its records.
    pub records: Vec<RecordId>,
    /// Joins that built it, strongest first.
    pub joins: Vec<JoinExplanation>,
    /// Joins touching its records that a constraint refused.
    pub refused: Vec<JoinExplanation>,
    /// Values of its records treated as missing because many unrelated records share
    /// them (which record, which field; never the value).
    pub generic: Vec<String>,
}

/// One logged join.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinExplanation {
    /// The first record.
    pub record_id_l: RecordId,
    /// The second record.
    pub record_id_r: RecordId,
    /// Match probability of the pair.
    pub match_probability: f64,
    /// Match weight of the pair.
    pub match_weight: f64,
    /// `joined`, `must_link`, or the constraint that refused it.
    pub outcome: String,
    /// For a refusal by a cannot-link pair: that pair.
    pub evidence: Option<(RecordId, RecordId)>,
    /// For a refusal: why, in words (the constraint and the evidence that holds it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("fitted", &self.is_fitted())
            .field("records", &self.len())
            .finish()
    }
}

impl Default for Resolver {
    fn default() -> Self {
        Self::new()
    }
}

impl Resolver {
    /// A resolver that infers its configuration from the first table it sees.
    pub fn new() -> Self {
        Self::with_options(InferOptions::default())
    }

    /// A resolver that infers its configuration from the first table it sees, with the
    /// reading options `options` fixes.
    pub fn with_options(options: InferOptions) -> Self {
        Resolver {
            options,
            config: None,
            state: None,
        }
    }

    /// A resolver with a configuration (trained or not).
    ///
    /// # Errors
    /// A configuration that does not validate.
    pub fn with_config(mut config: ResolverConfig) -> Result<Self, Error> {
        config.validate()?;
        if config.matching.model.is_none() {
            // Frozen with a model that is gone: training again counts them again.
            config.term_frequencies = None;
        } else if config.term_frequencies.is_none() {
            // A model whose comparisons count no frequencies has nothing to freeze.
            config.term_frequencies = TermFrequencies::without_tables(&config.matching);
        }
        Ok(Resolver {
            options: InferOptions::default(),
            config: Some(config),
            state: None,
        })
    }

    /// A resolver from a configuration document.
    ///
    /// # Errors
    /// As [`ResolverConfig::from_json`].
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::with_config(ResolverConfig::from_json(json)?)
    }

    /// The configuration document, trained model included once fitted.
    ///
    /// # Errors
    /// [`Error::Config`] before any configuration exists (nothing was given or inferred).
    pub fn to_json(&self) -> Result<String, Error> {
        self.config
            .as_ref()
            .map(ResolverConfig::to_json)
            .ok_or_else(|| {
                Error::Config("no configuration yet: give one or resolve a table".into())
            })
    }

    /// The configuration, once given or inferred.
    pub fn config(&self) -> Option<&ResolverConfig> {
        self.config.as_ref()
    }

    /// Whether the configuration holds a trained model with its frozen term frequencies:
    /// what `add` and `explain_pair` need.
    pub fn is_fitted(&self) -> bool {
        self.frozen().is_some()
    }

    /// The configuration and its frozen term frequencies, once fitted.
    fn frozen(&self) -> Option<(&ResolverConfig, &TermFrequencies)> {
        frozen_parts(&self.config)
    }

    /// Records held (removed ones not counted).
    pub fn len(&self) -> usize {
        self.state.as_ref().map_or(0, |s| s.graph.len())
    }

    /// Whether no records are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entities held.
    pub fn entity_count(&self) -> usize {
        self.state.as_ref().map_or(0, |s| s.graph.entity_count())
    }

    /// The configuration, inferring it from `input`'s headers when there is none.
    fn config_for(&mut self, input: &InputTable) -> Result<&ResolverConfig, Error> {
        if self.config.is_none() {
            self.config = Some(ResolverConfig::infer(&input.table, &self.options)?.config);
        }
        Ok(self.config.as_ref().expect("set above"))
    }

    /// Reads and normalizes `input`. Values the configuration lists as generic are treated
    /// as missing; before fitting (no model yet), the generic values of `input` are found
    /// first and added to the configuration.
    fn read(&mut self, input: &InputTable, control: &Control) -> Result<Prepared, Error> {
        self.config_for(input)?;
        let config = self.config.as_mut().expect("set above");
        let normalizer = RecordNormalizer::new(config.schema.clone(), config.normalize.clone())?;
        let mut prepared = prepare(input, &config.schema, &normalizer, control)?;
        if config.matching.model.is_none() {
            let (found, reports) = crate::generic::detect(&config.schema, &prepared.records);
            config.generic_values.extend(found);
            config.generic_values.sort();
            config.generic_values.dedup();
            prepared.generic = reports;
        }
        crate::generic::apply(
            &config.generic_values,
            &config.schema,
            &mut prepared.records,
        );
        Ok(prepared)
    }

    /// Reads `input` and moves its ids and records into a dataset (no copy: at a million
    /// records the normalized values are the largest thing held).
    pub(crate) fn read_dataset(
        &mut self,
        input: &InputTable,
        control: &Control,
    ) -> Result<(Prepared, Dataset), Error> {
        let mut prepared = self.read(input, control)?;
        let schema = self.config.as_ref().expect("read sets it").schema.clone();
        // Everything after reading works on the records in record-id order, so that the
        // answer never depends on the order of the input's rows (samples, strides and ties
        // follow positions); `input_ids` keeps the input order for the outputs.
        prepared.input_ids = prepared.ids.clone();
        let mut order: Vec<u32> = (0..prepared.ids.len() as u32).collect();
        order
            .par_sort_unstable_by(|&a, &b| prepared.ids[a as usize].cmp(&prepared.ids[b as usize]));
        let ids = permute(std::mem::take(&mut prepared.ids), &order);
        let records = permute(std::mem::take(&mut prepared.records), &order);
        prepared.channels = permute(std::mem::take(&mut prepared.channels), &order);
        prepared.bad = permute(std::mem::take(&mut prepared.bad), &order);
        let data = Dataset::new(schema, ids, records)?;
        Ok((prepared, data))
    }

    /// Trains the model on `input` (EM, unsupervised) and freezes its term frequencies for
    /// later incremental adds. Replaces any model the configuration held.
    ///
    /// # Errors
    /// Unreadable input, a configuration that does not fit it, or cancellation.
    pub fn fit(&mut self, input: &InputTable, control: &Control) -> Result<(), Error> {
        let (_, data) = self.read_dataset(input, control)?;
        control.check()?;
        let mut config = self.config.clone().expect("read sets it");
        config.matching.model = None;
        config.term_frequencies = None;
        let fitted = fit_model(&mut config, &data, &mut Timings::default(), control)?;
        control.check()?;
        config.term_frequencies = Some(fitted.matcher.term_frequencies());
        self.config = Some(config);
        Ok(())
    }

    /// Resolves `input` as a batch: trains first when the configuration has no model, then
    /// blocks, scores, clusters under the constraints and builds golden records. With
    /// `previous` (a past run's record → entity rows), entities keep their old ids.
    /// The resolver then holds the result for incremental `add` / `remove`.
    ///
    /// # Errors
    /// Unreadable input, a configuration that does not fit it, or cancellation (the
    /// resolver is then unchanged).
    pub fn resolve(
        &mut self,
        input: &InputTable,
        previous: Option<&PreviousEntities>,
        control: &Control,
    ) -> Result<Resolution, Error> {
        let started = Instant::now();
        let (prepared, data) = self.read_dataset(input, control)?;
        self.resolve_read(prepared, data, started, previous, control)
    }

    /// As [`Resolver::resolve`], but takes the table and frees its cells as soon as the
    /// records are normalized: at a million rows the raw cells are hundreds of megabytes.
    ///
    /// # Errors
    /// As [`Resolver::resolve`].
    pub fn resolve_owned(
        &mut self,
        input: InputTable,
        previous: Option<&PreviousEntities>,
        control: &Control,
    ) -> Result<Resolution, Error> {
        let started = Instant::now();
        let (prepared, data) = self.read_dataset(&input, control)?;
        drop(input);
        self.resolve_read(prepared, data, started, previous, control)
    }

    fn resolve_read(
        &mut self,
        prepared: Prepared,
        data: Dataset,
        started: Instant,
        previous: Option<&PreviousEntities>,
        control: &Control,
    ) -> Result<Resolution, Error> {
        let mut timings = Timings {
            normalize: started.elapsed().as_secs_f64(),
            ..Timings::default()
        };
        let mut config = self.config.clone().expect("read sets it");
        let Scored {
            scored,
            blocking,
            frequencies,
            training,
            rule_choices,
            warnings: training_warnings,
        } = train_block_score(&mut config, &data, &mut timings, control)?;
        let total_pairs = scored.len() as u64;

        control.check()?;
        let started = Instant::now();
        control.report(Stage::Cluster, 0, total_pairs);
        let threshold = config.matching.threshold;
        let guard = EdgeGuard::new(&config);
        let constraints = Constraints::new(&config, &data, &scored);
        let (edges, clustering) =
            constraints.cluster(&config, &data.ids, &scored, threshold, guard.as_ref());
        let graph =
            IdentityGraph::from_clustering(data.ids.clone(), &edges, &clustering, previous)?;
        control.report(Stage::Cluster, total_pairs, total_pairs);
        timings.cluster = started.elapsed().as_secs_f64();

        let comparisons: Vec<String> = config
            .matching
            .comparisons
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let level_names = level_names(&config);
        let review = review_pairs(
            &scored,
            &clustering,
            &graph,
            &data.ids,
            &config,
            guard.as_ref(),
            &level_names,
        );
        let mut report = report(
            &data,
            &graph,
            &scored,
            &clustering,
            threshold,
            guard.as_ref(),
            &review,
        );
        // The scored pairs are done with: free them before golden records, the last
        // large allocation of the run.
        drop(scored);
        drop(edges);
        drop(constraints);

        control.check()?;
        let started = Instant::now();
        let survivorship = Arc::new(config.survivorship.compile(&config.schema)?);
        let (golden, conflicts) =
            golden_records(&survivorship, &data, &prepared.channels, &graph, control);
        timings.golden = started.elapsed().as_secs_f64();

        report.conflicts = conflicts.len() as u64;
        report.bad_rows = prepared.bad_rows.clone();
        report.generic_values = prepared.generic.clone();
        report.warnings = prepared.warnings.clone();
        report.warnings.extend(training_warnings);
        report.blocking = blocking;
        report.blocking_choice = rule_choices;
        report.training = training;
        report.timings = timings;

        let entities = prepared
            .input_ids
            .iter()
            .map(|id| {
                let entity = graph
                    .entity_of(id)
                    .expect("every record is in an entity")
                    .clone();
                (id.clone(), entity)
            })
            .collect();
        let events = graph.events().to_vec();
        let mut joins: Vec<Vec<Join>> = vec![Vec::new(); data.len()];
        for join in clustering.joins {
            joins[join.a as usize].push(join);
        }
        let resolution = Resolution {
            entities,
            golden_header: survivorship.headers(),
            golden,
            conflicts,
            events,
            review,
            comparisons,
            report,
            survivorship,
        };
        config.term_frequencies = Some(frequencies);
        self.config = Some(config);
        self.state = Some(State {
            data,
            channels: prepared.channels,
            bad: prepared.bad,
            graph,
            joins,
            keys: None,
        });
        Ok(resolution)
    }

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
        let prepared = self.read(input, control)?;
        // Disjoint borrows of the fields: the frozen tables are large and never copied.
        let Some((config, frequencies)) = frozen_parts(&self.config) else {
            return Err(Error::NotFitted);
        };
        let state = self.state.get_or_insert_with(|| State::empty(config));
        if state.keys.is_none() {
            state.keys = Some(KeyIndex::build(
                &state.data,
                &config.matching.blocking,
                config.matching.mode,
            )?);
        }
        let start = state.graph.events().len();
        let scoring = Scoring::new(config, frequencies);
        let total = prepared.ids.len() as u64;
        for (i, ((id, channel), (record, bad))) in prepared
            .ids
            .into_iter()
            .zip(prepared.channels)
            .zip(prepared.records.into_iter().zip(prepared.bad))
            .enumerate()
        {
            if i % 1024 == 0 {
                control.check()?;
                control.report(Stage::Add, i as u64, total);
            }
            state.add_one(&scoring, id, channel, record, bad)?;
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
        let Some((config, frequencies)) = frozen_parts(&self.config) else {
            return Err(Error::NothingResolved);
        };
        let state = self.state.as_mut().ok_or(Error::NothingResolved)?;
        if state.keys.is_none() {
            state.keys = Some(KeyIndex::build(
                &state.data,
                &config.matching.blocking,
                config.matching.mode,
            )?);
        }
        let start = state.graph.events().len();
        let id = RecordId::from(record);
        let index = state.index_of(&id).ok_or(Error::UnknownRecord)?;
        let affected = state
            .graph
            .remove_record(&id)
            .map_err(|_| Error::UnknownRecord)?;
        state.joins[index as usize].clear();
        if !affected.is_empty() {
            state.recluster(&Scoring::new(config, frequencies), &affected)?;
        }
        Ok(state.graph.events()[start..].to_vec())
    }

    /// Every comparison's level, m, u and weight for two held records, scored exactly as the
    /// batch run scored them (frozen term frequencies).
    ///
    /// # Errors
    /// No model, no records, or an unknown record id.
    pub fn explain_pair(&self, a: &str, b: &str) -> Result<PairExplanation, Error> {
        let (config, frequencies) = self.frozen().ok_or(Error::NotFitted)?;
        let state = self.state.as_ref().ok_or(Error::NothingResolved)?;
        let ia = state
            .index_of(&RecordId::from(a))
            .ok_or(Error::UnknownRecord)?;
        let ib = state
            .index_of(&RecordId::from(b))
            .ok_or(Error::UnknownRecord)?;
        let local = state.subset(&[ia, ib])?;
        let matcher = Matcher::with_term_frequencies(&config.matching, &local, frequencies)?;
        let mut explanation = matcher.explain(0, 1);
        explanation.notes = state.generic_notes(&config.schema, &[ia, ib]);
        Ok(explanation)
    }

    /// The records of an entity and the joins that built it, with the refused ones.
    ///
    /// # Errors
    /// [`Error::UnknownEntity`] or [`Error::NothingResolved`].
    pub fn explain_entity(&self, entity: &str) -> Result<EntityExplanation, Error> {
        let state = self.state.as_ref().ok_or(Error::NothingResolved)?;
        let id = EntityId::from(entity);
        let members = state
            .graph
            .members(&id)
            .ok_or_else(|| Error::UnknownEntity(entity.to_string()))?
            .to_vec();
        let member_set: foldhash::HashSet<u32> = members.iter().copied().collect();
        let mut joins = Vec::new();
        let mut refused = Vec::new();
        let explain = |join: &Join| JoinExplanation {
            record_id_l: state.data.ids[join.a as usize].clone(),
            record_id_r: state.data.ids[join.b as usize].clone(),
            match_probability: join.probability,
            match_weight: join.weight,
            outcome: outcome_name(&join.outcome),
            evidence: match &join.outcome {
                JoinOutcome::Refused(
                    Refusal::CannotLink { a, b } | Refusal::Exclusive { a, b, .. },
                ) => Some((
                    state.data.ids[*a as usize].clone(),
                    state.data.ids[*b as usize].clone(),
                )),
                _ => None,
            },
            reason: match &join.outcome {
                JoinOutcome::Refused(refusal) => Some(self.refusal_reason(refusal)),
                _ => None,
            },
        };
        for join in state.joins.iter().flatten() {
            let (a_in, b_in) = (member_set.contains(&join.a), member_set.contains(&join.b));
            match join.outcome {
                JoinOutcome::Refused(_) if a_in || b_in => refused.push(explain(join)),
                JoinOutcome::Joined | JoinOutcome::MustLink if a_in && b_in => {
                    joins.push(explain(join));
                }
                _ => {}
            }
        }
        let by_strength = |x: &JoinExplanation, y: &JoinExplanation| {
            y.match_probability
                .total_cmp(&x.match_probability)
                .then(y.match_weight.total_cmp(&x.match_weight))
        };
        joins.sort_by(by_strength);
        refused.sort_by(by_strength);
        let generic = self
            .config
            .as_ref()
            .map(|c| state.generic_notes(&c.schema, &members))
            .unwrap_or_default();
        Ok(EntityExplanation {
            entity: id,
            generic,
            records: members
                .iter()
                .map(|&m| state.data.ids[m as usize].clone())
                .collect(),
            joins,
            refused,
        })
    }

    /// The joins the clustering refused (a cannot-link or two identifying values), as the
    /// two records of each refused edge, in record-id order.
    pub fn refused_joins(&self) -> Vec<(RecordId, RecordId)> {
        let Some(state) = &self.state else {
            return Vec::new();
        };
        let mut refused: Vec<(RecordId, RecordId)> = state
            .joins
            .iter()
            .flatten()
            .filter(|j| matches!(j.outcome, JoinOutcome::Refused(_)))
            .map(|j| {
                (
                    state.data.ids[j.a as usize].clone(),
                    state.data.ids[j.b as usize].clone(),
                )
            })
            .collect();
        refused.sort();
        refused
    }

    /// The held records (removed ones included) and whether each is still held.
    pub(crate) fn held(&self) -> Option<(&Dataset, impl Fn(u32) -> bool + '_)> {
        let state = self.state.as_ref()?;
        Some((&state.data, |i| state.graph.record_id(i).is_some()))
    }

    /// The entity of a held record.
    pub fn entity_of(&self, record: &str) -> Option<EntityId> {
        let state = self.state.as_ref()?;
        state.graph.entity_of(&RecordId::from(record)).cloned()
    }

    /// Every held entity with its records, in entity-id order.
    pub fn entities(&self) -> Vec<(EntityId, Vec<RecordId>)> {
        let Some(state) = &self.state else {
            return Vec::new();
        };
        let mut out: Vec<(EntityId, Vec<RecordId>)> = state
            .graph
            .entities()
            .map(|(id, members)| {
                let mut records: Vec<RecordId> = members
                    .iter()
                    .map(|&m| state.data.ids[m as usize].clone())
                    .collect();
                records.sort();
                (id.clone(), records)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

impl Resolver {
    /// A refusal in words: the constraint, and for a cannot-link the comparisons of the
    /// evidence pair that disagree.
    fn refusal_reason(&self, refusal: &Refusal) -> String {
        let Some(state) = self.state.as_ref() else {
            return "refused".to_string();
        };
        let id = |i: u32| state.data.ids[i as usize].clone();
        match refusal {
            Refusal::CannotLink { a, b } => {
                let (a, b) = (id(*a), id(*b));
                let disagreeing = self
                    .explain_pair(a.as_str(), b.as_str())
                    .map(|e| {
                        e.comparisons
                            .iter()
                            .filter(|c| c.weight < 0.0 && c.level == "different")
                            .map(|c| format!("{} different ({:.1} bits)", c.comparison, c.weight))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                if disagreeing.is_empty() {
                    format!("{a} and {b} were decided to be different customers")
                } else {
                    format!(
                        "{a} and {b}, one on each side, are different people: {}",
                        disagreeing.join(", ")
                    )
                }
            }
            Refusal::Exclusive { a, b, .. } => format!(
                "{} and {}, one on each side, hold different valid values of a field that \
                 identifies one person (a national id)",
                id(*a),
                id(*b)
            ),
            #[allow(unreachable_patterns)]
            _ => "refused".to_string(),
        }
    }
}

fn outcome_name(outcome: &JoinOutcome) -> String {
    match outcome {
        JoinOutcome::Joined => "joined".into(),
        JoinOutcome::MustLink => "must_link".into(),
        JoinOutcome::Refused(Refusal::CannotLink { .. }) => "refused: cannot_link".into(),
        JoinOutcome::Refused(Refusal::Exclusive { .. }) => "refused: exclusive".into(),
        #[allow(unreachable_patterns)]
        _ => "refused".into(),
    }
}

impl State {
    fn empty(config: &ResolverConfig) -> State {
        State {
            data: Dataset::new(config.schema.clone(), Vec::new(), Vec::new())
                .expect("empty dataset"),
            channels: Vec::new(),
            bad: Vec::new(),
            graph: IdentityGraph::default(),
            joins: Vec::new(),
            keys: None,
        }
    }

    fn index_of(&self, id: &RecordId) -> Option<u32> {
        self.graph.index_of(id)
    }

    /// Per record of `indices`, the fields whose value was treated as generic.
    fn generic_notes(&self, schema: &sameas_core::Schema, indices: &[u32]) -> Vec<String> {
        let mut notes = Vec::new();
        for &i in indices {
            for (spec, field) in schema
                .fields
                .iter()
                .zip(&self.data.records[i as usize].fields)
            {
                if field
                    .issues
                    .iter()
                    .any(|issue| issue.reason == crate::generic::GENERIC_REASON)
                {
                    notes.push(format!(
                        "{}: its {} is a generic value (many unrelated records share it), \
                         not used for matching",
                        self.data.ids[i as usize], spec.name
                    ));
                }
            }
        }
        notes
    }

    /// The held records `indices` as a dataset of their own, in that order.
    fn subset(&self, indices: &[u32]) -> Result<Dataset, Error> {
        Ok(Dataset::new(
            self.data.schema.clone(),
            indices
                .iter()
                .map(|&i| self.data.ids[i as usize].clone())
                .collect(),
            indices
                .iter()
                .map(|&i| self.data.records[i as usize].clone())
                .collect(),
        )?)
    }

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
        let scored = matcher.score(&pairs);
        let (_, clustering) = Constraints::new(config, &subset, &scored).cluster(
            config,
            &subset.ids,
            &scored,
            config.matching.threshold,
            guard,
        );
        for &r in records {
            self.joins[r as usize].clear();
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

/// Scored candidate pairs and what the run keeps of blocking and scoring.
pub(crate) struct Scored {
    /// Every candidate pair, scored.
    pub(crate) scored: ScoredPairs,
    /// Per blocking rule statistics.
    pub(crate) blocking: Vec<RuleStats>,
    /// The term frequencies the scores used, frozen for incremental adds.
    pub(crate) frequencies: TermFrequencies,
    /// How training went, when this run trained.
    pub(crate) training: Vec<sameas_match::ComparisonDiagnostics>,
    /// How the blocking rules were chosen, when this run chose them.
    pub(crate) rule_choices: Vec<sameas_match::RuleChoice>,
    /// What the report should say about training (a default model, too few pairs).
    pub(crate) warnings: Vec<String>,
}

/// The blocking steps a batch run and [`Resolver::candidate_pairs`] share.
pub(crate) fn block(config: &ResolverConfig, data: &Dataset) -> Result<CandidatePairs, Error> {
    let index = BlockIndex::build(
        data,
        &config.matching.blocking.rules,
        config.matching.blocking.max_block_size,
        config.matching.mode,
    )?;
    Ok(index.candidate_pairs(data))
}

/// A configuration made ready to score: trained (unless it had a model), its blocking rules
/// chosen (when they were candidates), compiled over the data.
pub(crate) struct Fitted {
    /// The compiled matcher, term frequencies counted over the data.
    pub(crate) matcher: Matcher,
    /// The block index over the rules in force.
    pub(crate) index: BlockIndex,
    /// How training went, when it ran.
    pub(crate) training: Vec<sameas_match::ComparisonDiagnostics>,
    /// How the rules were chosen, when they were.
    pub(crate) rule_choices: Vec<sameas_match::RuleChoice>,
    /// What the report should say about training (a default model, too few pairs).
    pub(crate) warnings: Vec<String>,
}

/// Trains when `config` has no model, then chooses the blocking rules when they are
/// candidates (`blocking.select`), writing the model and the chosen rules into `config`.
pub(crate) fn fit_model(
    config: &mut ResolverConfig,
    data: &Dataset,
    timings: &mut Timings,
    control: &Control,
) -> Result<Fitted, Error> {
    // EM blocks with the prediction rules by default: its index then serves blocking too.
    let mut trained_index = None;
    let mut training = Vec::new();
    let mut warnings = Vec::new();
    if config.matching.model.is_none() {
        control.check()?;
        let started = Instant::now();
        control.report(Stage::Train, 0, 1);
        let (
            sameas_match::Trained {
                model,
                index,
                diagnostics,
            },
            warning,
        ) = train_or_default(&config.matching, data)?;
        config.matching.model = Some(model);
        trained_index = index;
        training = diagnostics;
        warnings.extend(warning);
        control.report(Stage::Train, 1, 1);
        timings.train = started.elapsed().as_secs_f64();
    }
    let matcher = Matcher::new(&config.matching, data)?;

    control.check()?;
    let started = Instant::now();
    control.report(Stage::Block, 0, data.len() as u64);
    let mut index = match trained_index {
        Some(index) => index,
        None => BlockIndex::build(
            data,
            &config.matching.blocking.rules,
            config.matching.blocking.max_block_size,
            config.matching.mode,
        )?,
    };
    // Candidate rules: keep those whose pairs hold the most expected matches per pair.
    let mut rule_choices = Vec::new();
    // Data too small to show any rule's yield keeps every candidate, and the choice for a
    // later fit.
    if let Some(selection) = &config.matching.blocking.select {
        let (taken, choices) = sameas_match::choose_rules(selection, &index, data, &matcher);
        if !taken.is_empty() {
            index.retain_rules(&taken);
            config.matching.blocking.rules = taken
                .iter()
                .map(|&r| config.matching.blocking.rules[r].clone())
                .collect();
            config.matching.blocking.select = None;
        }
        rule_choices = choices;
    }
    timings.block = started.elapsed().as_secs_f64();
    Ok(Fitted {
        matcher,
        index,
        training,
        rule_choices,
        warnings,
    })
}

/// Trains when `config` has no model (keeping the model in it), then blocks and scores:
/// what a batch run and a threshold sweep share.
pub(crate) fn train_block_score(
    config: &mut ResolverConfig,
    data: &Dataset,
    timings: &mut Timings,
    control: &Control,
) -> Result<Scored, Error> {
    let Fitted {
        matcher,
        index,
        training,
        rule_choices,
        warnings,
    } = fit_model(config, data, timings, control)?;
    let started = Instant::now();
    let candidates = index.candidate_pairs(data);
    drop(index);
    control.report(Stage::Block, data.len() as u64, data.len() as u64);
    timings.block += started.elapsed().as_secs_f64();

    control.check()?;
    let started = Instant::now();
    let total_pairs = candidates.pairs.len() as u64;
    control.report(Stage::Score, 0, total_pairs);
    let scored = matcher.score(&candidates.pairs);
    let blocking = candidates.stats;
    drop(candidates.pairs);
    let frequencies = matcher.term_frequencies();
    drop(matcher);
    control.report(Stage::Score, total_pairs, total_pairs);
    timings.score = started.elapsed().as_secs_f64();
    Ok(Scored {
        scored,
        blocking,
        frequencies,
        training,
        rule_choices,
        warnings,
    })
}

/// Trains, or, when the data has no comparable pair (fewer than two records), takes the
/// default model: one record is one customer, and has its answer without a model to learn.
/// The warning says when the model is a default, or when EM found too few pairs to train
/// any comparison's m.
fn train_or_default(
    config: &sameas_match::MatchConfig,
    data: &Dataset,
) -> Result<(sameas_match::Trained, Option<String>), Error> {
    if config.mode.comparable_pairs(data.source_sizes()) == 0 {
        let model = sameas_match::default_model(config, data)?;
        let warning = format!(
            "too few records ({}) to hold a pair to train on: the model is the untrained \
             default (method `default` in the configuration); train on more records to \
             replace it",
            data.len()
        );
        let trained = sameas_match::Trained {
            model,
            index: None,
            diagnostics: Vec::new(),
        };
        return Ok((trained, Some(warning)));
    }
    let trained = sameas_match::train_keeping_index(config, data)?;
    let warning = trained
        .model
        .comparisons
        .iter()
        .all(|c| c.m_trained_by.is_empty())
        .then(|| {
            format!(
                "too few records ({}) for any blocking rule to find the pairs EM needs: every \
                 comparison keeps its default m (u and the prior were estimated)",
                data.len()
            )
        });
    Ok((trained, warning))
}

/// What clustering holds fixed whatever the threshold: the manual overrides, the exclusive
/// values and the scored cannot-links.
pub(crate) struct Constraints {
    overrides: Overrides,
    exclusive: Vec<Vec<u32>>,
    /// Pairs never joined: manual cannot-links, and pairs with personal evidence against
    /// that the model scores below 0.5.
    cannot_link: Vec<(u32, u32)>,
    /// Pairs with personal evidence against that the model scores above 0.5: outweighed by
    /// enough edges.
    scored_cannot_link: Vec<(u32, u32)>,
}

impl Constraints {
    pub(crate) fn new(config: &ResolverConfig, data: &Dataset, scored: &ScoredPairs) -> Self {
        let overrides = Overrides::new(config, &data.ids);
        let evidence = PersonalEvidence::new(config);
        let (mut cannot_link, scored_cannot_link) = cannot_link_pairs(
            scored,
            config.clustering.cannot_link_below,
            evidence.as_ref(),
        );
        cannot_link.extend(overrides.cannot_link.iter().copied());
        Constraints {
            exclusive: exclusive_values(config, data),
            overrides,
            cannot_link,
            scored_cannot_link,
        }
    }

    /// The edges at `threshold` and their clustering under the constraints: what a batch
    /// run, a re-clustering and a threshold sweep share.
    pub(crate) fn cluster(
        &self,
        config: &ResolverConfig,
        ids: &[RecordId],
        scored: &ScoredPairs,
        threshold: f64,
        guard: Option<&EdgeGuard>,
    ) -> (Vec<Edge>, Clustering) {
        let edges = positive_edges(scored, threshold, guard, &self.overrides.must_link);
        let clustering = cluster(
            &ClusterProblem {
                ids,
                edges: &edges,
                cannot_link: &self.cannot_link,
                scored_cannot_link: &self.scored_cannot_link,
                must_link: &self.overrides.must_link,
                exclusive: &self.exclusive,
            },
            config.clustering.method,
        );
        (edges, clustering)
    }
}

fn must_link_edge(a: u32, b: u32) -> Edge {
    Edge {
        a: a.min(b),
        b: a.max(b),
        weight: 0.0,
        probability: 1.0,
    }
}

/// A fitted configuration and its frozen term frequencies (borrowing the configuration
/// field only, so the identity state can be borrowed mutably beside it).
fn frozen_parts(config: &Option<ResolverConfig>) -> Option<(&ResolverConfig, &TermFrequencies)> {
    let config = config.as_ref()?;
    config.matching.model.as_ref()?;
    Some((config, config.term_frequencies.as_ref()?))
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
            guard: EdgeGuard::new(config),
            frequencies,
        }
    }
}

/// Manual overrides resolved to record indices (pairs naming absent records are skipped:
/// an override file outlives the records it names).
struct Overrides {
    must_link: Vec<(u32, u32)>,
    cannot_link: Vec<(u32, u32)>,
}

impl Overrides {
    fn new(config: &ResolverConfig, ids: &[RecordId]) -> Overrides {
        let c = &config.clustering;
        if c.must_link.is_empty() && c.cannot_link.is_empty() {
            return Overrides {
                must_link: Vec::new(),
                cannot_link: Vec::new(),
            };
        }
        let index: foldhash::HashMap<&str, u32> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect();
        let resolve = |pairs: &[[String; 2]]| -> Vec<(u32, u32)> {
            pairs
                .iter()
                .filter_map(|[a, b]| {
                    let (a, b) = (*index.get(a.as_str())?, *index.get(b.as_str())?);
                    (a != b).then_some((a.min(b), a.max(b)))
                })
                .collect()
        };
        Overrides {
            must_link: resolve(&c.must_link),
            cannot_link: resolve(&c.cannot_link),
        }
    }
}

/// What each level of the personal comparisons says about two records being one person.
/// Personal comparisons are those of what a person has and a household does not share: a
/// given name, a birth date, a national id or another identifier (as configured in
/// `clustering.personal_comparisons`). A family name, a phone, an e-mail and an address are
/// what families share, so their agreement is no evidence against a household.
pub(crate) struct PersonalEvidence {
    /// Per comparison: per level, what it says (empty when the comparison is not personal).
    levels: Vec<Vec<Evidence>>,
    /// Per comparison: whether it compares an identifier (a national id, a member number).
    identifiers: Vec<bool>,
}

impl PersonalEvidence {
    /// `None` when there is no model.
    pub(crate) fn new(config: &ResolverConfig) -> Option<PersonalEvidence> {
        let clustering = &config.clustering;
        let model = config.matching.model.as_ref()?;
        let levels = config
            .matching
            .comparisons
            .iter()
            .zip(&model.comparisons)
            .map(|(comparison, trained)| {
                let is_personal = match &clustering.personal_comparisons {
                    Some(names) => names.contains(&comparison.name),
                    None => matches!(
                        comparison.method,
                        ComparisonMethod::GivenName { .. }
                            | ComparisonMethod::Date { .. }
                            | ComparisonMethod::Email { .. }
                            | ComparisonMethod::Identifier { .. }
                    ),
                };
                if !is_personal {
                    return Vec::new();
                }
                // Only the last level (`different`) disagrees: a weaker level that weighs
                // less than nothing (an initial, a family name alone against a full name)
                // says the values are compatible, not that they differ.
                let last = trained.levels.len() - 1;
                (0..trained.levels.len())
                    .map(|l| {
                        if l == 0 {
                            Evidence::None
                        } else if trained.weight(l) >= clustering.min_personal_weight {
                            Evidence::For
                        } else if l == last && trained.weight(l) <= -clustering.min_personal_weight
                        {
                            Evidence::Against
                        } else {
                            Evidence::None
                        }
                    })
                    .collect()
            })
            .collect();
        let identifiers = config
            .matching
            .comparisons
            .iter()
            .map(|c| matches!(c.method, ComparisonMethod::Identifier { .. }))
            .collect();
        Some(PersonalEvidence {
            levels,
            identifiers,
        })
    }

    /// What the pair's personal comparisons say: whether one agrees, how many disagree,
    /// and whether an identifier is among those.
    fn weigh(&self, levels: &[u8]) -> Weighed {
        let mut weighed = Weighed::default();
        for ((personal, &l), &identifier) in self.levels.iter().zip(levels).zip(&self.identifiers) {
            match personal.get(l as usize) {
                Some(Evidence::For) => weighed.agrees = true,
                Some(Evidence::Against) => {
                    weighed.disagreements += 1;
                    weighed.identifier_disagrees |= identifier;
                }
                _ => {}
            }
        }
        weighed
    }

    /// Whether the pair holds evidence that the two are different people: a personal
    /// comparison disagrees and none agrees. A low score from missing values, or from a
    /// changed phone or address, is not such evidence.
    ///
    /// One personal field that differs is not enough (a nickname the table lacks, a birth
    /// date typed a year off): two must differ, or an identifier, which people do not
    /// misspell the way they misspell names.
    fn against(&self, levels: &[u8]) -> bool {
        let weighed = self.weigh(levels);
        !weighed.agrees && (weighed.disagreements >= 2 || weighed.identifier_disagrees)
    }
}

/// The personal comparisons of one pair, counted.
#[derive(Default)]
struct Weighed {
    agrees: bool,
    disagreements: u32,
    identifier_disagrees: bool,
}

/// The household guard: which scored pairs at or above the threshold may become edges.
pub(crate) struct EdgeGuard {
    evidence: PersonalEvidence,
    /// Whether a pair needs personal agreement, or only no disagreement.
    require_agreement: bool,
}

impl EdgeGuard {
    /// `None` when the guard is off or there is no model.
    pub(crate) fn new(config: &ResolverConfig) -> Option<EdgeGuard> {
        let require_agreement = match config.clustering.household_guard {
            HouseholdGuard::Off => return None,
            HouseholdGuard::NoPersonalDisagreement => false,
            _ => true,
        };
        Some(EdgeGuard {
            evidence: PersonalEvidence::new(config)?,
            require_agreement,
        })
    }

    /// Whether the pair may be an edge: some personal comparison agrees, or (when the guard
    /// does not require agreement) none disagrees.
    fn allows(&self, levels: &[u8]) -> bool {
        let weighed = self.evidence.weigh(levels);
        weighed.agrees || (weighed.disagreements == 0 && !self.require_agreement)
    }
}

/// What one personal comparison's level says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Evidence {
    For,
    Against,
    None,
}

/// Whether scored pair `i` is an edge: at or above the threshold, and either forced by a
/// deterministic rule or carrying personal evidence.
fn is_edge(scored: &ScoredPairs, i: usize, threshold: f64, guard: Option<&EdgeGuard>) -> bool {
    let p = scored.probabilities[i];
    p >= threshold && (p >= 1.0 || guard.is_none_or(|g| g.allows(scored.levels_of(i))))
}

/// Pairs that are edges (see [`is_edge`]), and the manual must-links.
fn positive_edges(
    scored: &ScoredPairs,
    threshold: f64,
    guard: Option<&EdgeGuard>,
    must_link: &[(u32, u32)],
) -> Vec<Edge> {
    let mut edges: Vec<Edge> = (0..scored.len())
        .filter(|&i| is_edge(scored, i, threshold, guard))
        .map(|i| {
            let (a, b) = scored.pairs[i];
            Edge {
                a,
                b,
                weight: scored.weights[i],
                probability: scored.probabilities[i],
            }
        })
        .collect();
    edges.extend(must_link.iter().map(|&(a, b)| must_link_edge(a, b)));
    edges
}

/// Pairs of record indices.
type RecordPairs = Vec<(u32, u32)>;

/// Scored pairs that hold evidence they are different people (see
/// [`PersonalEvidence::against`]): those the model also scores below `below`
/// (`clustering.cannot_link_below`) keep two clusters apart always, like a manual
/// cannot-link; the others keep them apart unless more edges than twice such pairs join
/// them. A low score alone (missing values, a changed phone) is never a cannot-link.
/// Returns (always apart, outweighable).
fn cannot_link_pairs(
    scored: &ScoredPairs,
    below: f64,
    evidence: Option<&PersonalEvidence>,
) -> (RecordPairs, RecordPairs) {
    let (mut hard, mut soft) = (Vec::new(), Vec::new());
    let Some(evidence) = evidence else {
        return (hard, soft);
    };
    for i in 0..scored.len() {
        let p = scored.probabilities[i];
        if p < 1.0 && evidence.against(scored.levels_of(i)) {
            if p < below { &mut hard } else { &mut soft }.push(scored.pairs[i]);
        }
    }
    (hard, soft)
}

/// Per exclusive field, per record: the interned valid value, or `u32::MAX`.
fn exclusive_values(config: &ResolverConfig, data: &Dataset) -> Vec<Vec<u32>> {
    config
        .exclusive_fields()
        .iter()
        .filter_map(|name| data.schema.field_index(name))
        .map(|field| {
            let mut ids: foldhash::HashMap<String, u32> = foldhash::HashMap::default();
            data.records
                .iter()
                .map(|record| {
                    let value = &record.fields[field];
                    match &value.value {
                        Some(v) if !value.has(IssueKind::Invalid) => {
                            let next = ids.len() as u32;
                            *ids.entry(v.norm()).or_insert(next)
                        }
                        _ => u32::MAX,
                    }
                })
                .collect()
        })
        .collect()
}

fn level_names(config: &ResolverConfig) -> Vec<Vec<String>> {
    config
        .matching
        .model
        .as_ref()
        .map(|m| {
            m.comparisons
                .iter()
                .map(|c| c.levels.iter().map(|l| l.name.clone()).collect())
                .collect()
        })
        .unwrap_or_default()
}

/// Golden records and conflicts for every entity, in parallel, in entity-id order.
fn golden_records(
    survivorship: &Survivorship,
    data: &Dataset,
    channels: &[Channel],
    graph: &IdentityGraph,
    control: &Control,
) -> (
    Vec<sameas_merge::golden::GoldenRecord>,
    Vec<sameas_merge::golden::Conflict>,
) {
    let mut entities: Vec<(&EntityId, &[u32])> = graph.entities().collect();
    entities.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let total = entities.len() as u64;
    control.report(Stage::Golden, 0, total);
    let input = GoldenInput {
        ids: &data.ids,
        channels,
        records: &data.records,
    };
    let built: Vec<_> = entities
        .par_iter()
        .map(|(id, members)| survivorship.golden(&input, id.as_str(), members))
        .collect();
    let mut golden = Vec::with_capacity(built.len());
    let mut conflicts = Vec::new();
    for (record, entity_conflicts) in built {
        golden.push(record);
        conflicts.extend(entity_conflicts);
    }
    control.report(Stage::Golden, total, total);
    (golden, conflicts)
}

/// Pairs in the review band, and pairs above the threshold that a constraint refused.
fn review_pairs(
    scored: &ScoredPairs,
    clustering: &Clustering,
    graph: &IdentityGraph,
    ids: &[RecordId],
    config: &ResolverConfig,
    guard: Option<&EdgeGuard>,
    level_names: &[Vec<String>],
) -> Vec<ReviewPair> {
    let threshold = config.matching.threshold;
    let from = config.clustering.review_from;
    let entity = |i: u32| {
        graph
            .entity_of(&ids[i as usize])
            .expect("every record is in an entity")
            .clone()
    };
    let levels = |i: usize| -> Vec<String> {
        scored
            .levels_of(i)
            .iter()
            .enumerate()
            .map(|(c, &l)| level_names[c][l as usize].clone())
            .collect()
    };
    let refused: foldhash::HashMap<(u32, u32), &Join> = clustering
        .joins
        .iter()
        .filter(|j| matches!(j.outcome, JoinOutcome::Refused(_)))
        .map(|j| ((j.a.min(j.b), j.a.max(j.b)), j))
        .collect();
    let mut out = Vec::new();
    for i in 0..scored.len() {
        let p = scored.probabilities[i];
        let (a, b) = scored.pairs[i];
        let reason = if p >= threshold {
            if !is_edge(scored, i, threshold, guard) {
                "household_guard: no personal evidence".to_string()
            } else {
                match refused.get(&(a.min(b), a.max(b))) {
                    Some(join) => outcome_name(&join.outcome),
                    None => continue,
                }
            }
        } else if p >= from {
            "band".to_string()
        } else {
            continue;
        };
        let (ea, eb) = (entity(a), entity(b));
        if ea == eb {
            continue;
        }
        out.push(ReviewPair {
            record_id_l: ids[a as usize].clone(),
            record_id_r: ids[b as usize].clone(),
            entity_l: ea,
            entity_r: eb,
            match_probability: p,
            match_weight: scored.weights[i],
            reason,
            levels: levels(i),
        });
    }
    out.sort_by(|x, y| {
        y.match_probability
            .total_cmp(&x.match_probability)
            .then_with(|| x.record_id_l.cmp(&y.record_id_l))
            .then_with(|| x.record_id_r.cmp(&y.record_id_r))
    });
    out
}

fn report(
    data: &Dataset,
    graph: &IdentityGraph,
    scored: &ScoredPairs,
    clustering: &Clustering,
    threshold: f64,
    guard: Option<&EdgeGuard>,
    review: &[ReviewPair],
) -> Report {
    let mut sizes = [0u64; 11];
    let mut largest = 0;
    let mut entities = 0;
    for (_, members) in graph.entities() {
        entities += 1;
        let size = members.len() as u64;
        largest = largest.max(size);
        sizes[(size as usize).min(10)] += 1;
    }
    let mut refused = Refusals::default();
    let mut above = 0;
    for i in 0..scored.len() {
        if scored.probabilities[i] >= threshold {
            above += 1;
            refused.household_guard += u64::from(!is_edge(scored, i, threshold, guard));
        }
    }
    let mut joins = 0;
    for join in &clustering.joins {
        match join.outcome {
            JoinOutcome::Joined | JoinOutcome::MustLink => joins += 1,
            JoinOutcome::Refused(Refusal::CannotLink { .. }) => refused.cannot_link += 1,
            JoinOutcome::Refused(Refusal::Exclusive { .. }) => refused.exclusive += 1,
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
    Report {
        records: data.len() as u64,
        entities,
        singletons: sizes[1],
        largest_entity: largest,
        entity_sizes: (1..=10)
            .filter(|&s| sizes[s] > 0)
            .map(|s| (s as u64, sizes[s]))
            .collect(),
        candidate_pairs: scored.len() as u64,
        pairs_above_threshold: above,
        threshold,
        joins,
        refused,
        review_pairs: review.len() as u64,
        ..Report::default()
    }
}

/// `values` in the order `order` gives (`order[i]` is the position of the i-th value).
fn permute<T>(values: Vec<T>, order: &[u32]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = values.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&i| slots[i as usize].take().expect("a permutation"))
        .collect()
}
