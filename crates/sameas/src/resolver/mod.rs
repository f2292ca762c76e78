//! The `Resolver`: fit, batch resolve, incremental add / remove, and explanations. This
//! file holds the resolver, its identity state and reading; each job has a file of its own:
//! [`batch`] (fit and resolve), [`incremental`] (add and remove), [`explain`], [`review`]
//! (the review file's pairs) and [`clustering`] (how scored pairs become edges and
//! constraints: the household guard, personal evidence, overrides, exclusive values).

mod batch;
mod clustering;
mod explain;
mod held;
mod incremental;
mod review;

use sameas_core::{Channel, EntityId, RecordId};
use sameas_match::{Dataset, KeyIndex, Matcher, TermFrequencies};
use sameas_merge::cluster::Join;
use sameas_merge::graph::IdentityGraph;
use sameas_normalize::record::RecordNormalizer;

use crate::control::Control;
use crate::input::{InputTable, Prepared, id_order, permute, prepare};
use crate::{Error, InferOptions, ResolverConfig};

pub use batch::{MatchedPairs, match_pairs};
pub(crate) use batch::{Scored, block, train_block_score};
pub(crate) use clustering::{Constraints, EdgeGuard, complete_components, edge_guard, edge_mask};
pub use clustering::{HouseholdReading, household_guard_note};
pub use explain::{EntityExplanation, JoinDecision, JoinExplanation};
pub use held::PreparedBatch;

/// Resolves customer records into entities: the facade over normalize, match and merge.
///
/// A resolver holds its [`ResolverConfig`] and, once it has resolved or added records, the
/// identity state: the normalized records, the identity graph with its entity ids, and the
/// term frequencies frozen when it was fitted, so that records added one at a time are
/// scored exactly as a batch run over the same data would score them.
pub struct Resolver {
    /// What inference may not decide on its own (the phone region, the date order …).
    pub(crate) options: InferOptions,
    /// The configuration and the state built under it; `None` until a configuration is
    /// given or inferred.
    pub(crate) configured: Option<Configured>,
}

/// A configuration and, once records are held, the identity state built under it: a state
/// without a configuration cannot be written down.
pub(crate) struct Configured {
    /// Once fitted, holds the model and its frozen term frequencies.
    pub(crate) config: ResolverConfig,
    pub(crate) state: Option<State>,
}

/// The identity state: every record seen, the graph, and the join log.
pub(crate) struct State {
    pub(crate) data: Dataset,
    pub(crate) channels: Vec<Channel>,
    pub(crate) bad: Vec<bool>,
    pub(crate) graph: IdentityGraph,
    /// Per record: the joins (accepted or refused) logged with this record as the later of
    /// their two (the higher index), in global indices. A new record's joins to held ones
    /// go into its own log, so a join leaves the held record's log, and the row a store
    /// keeps of it, as they were.
    pub(crate) joins: Vec<Vec<Join>>,
    /// Blocking keys for incremental lookups, built at the first `add`.
    pub(crate) keys: Option<KeyIndex>,
    /// The matcher incremental updates score with: compiled over every held record with
    /// the frozen term frequencies at the first `add` or `remove` (beside the key index),
    /// then extended by each added record.
    pub(crate) matcher: Option<Matcher>,
    /// Records whose placement `add` or `remove` changed since last taken
    /// ([`Resolver::take_changed`]), unsorted, possibly repeated.
    pub(crate) changed: Vec<u32>,
    /// Records whose entity `add` or `remove` changed since last taken
    /// ([`Resolver::take_moved`]; added and removed ones included), unsorted, possibly
    /// repeated: those of `changed` whose entity, not only their join log, changed.
    pub(crate) moved: Vec<u32>,
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
            configured: None,
        }
    }

    /// A resolver with a configuration (trained or not).
    ///
    /// # Errors
    /// A configuration that does not validate.
    pub fn with_config(config: ResolverConfig) -> Result<Self, Error> {
        Self::with_state(config, None)
    }

    /// A resolver with a configuration and the identity state built under it.
    pub(crate) fn with_state(
        mut config: ResolverConfig,
        state: Option<State>,
    ) -> Result<Self, Error> {
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
            configured: Some(Configured { config, state }),
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
        self.config().map(ResolverConfig::to_json).ok_or_else(|| {
            Error::Config("no configuration yet: give one or resolve a table".into())
        })
    }

    /// The configuration, once given or inferred.
    pub fn config(&self) -> Option<&ResolverConfig> {
        self.configured.as_ref().map(|c| &c.config)
    }

    /// The identity state, once records are held.
    pub(crate) fn state(&self) -> Option<&State> {
        self.configured.as_ref()?.state.as_ref()
    }

    /// Replaces the configuration, keeping any held state.
    pub(crate) fn set_config(&mut self, config: ResolverConfig) {
        match &mut self.configured {
            Some(configured) => configured.config = config,
            slot => {
                *slot = Some(Configured {
                    config,
                    state: None,
                })
            }
        }
    }

    /// Whether the configuration holds a trained model with its frozen term frequencies:
    /// what `add` and `explain_pair` need.
    pub fn is_fitted(&self) -> bool {
        self.frozen().is_some()
    }

    /// The configuration and its frozen term frequencies, once fitted.
    fn frozen(&self) -> Option<(&ResolverConfig, &TermFrequencies)> {
        let config = self.config()?;
        Some((config, frozen_frequencies(config)?))
    }

    /// Records held (removed ones not counted).
    pub fn len(&self) -> usize {
        self.state().map_or(0, |s| s.graph.len())
    }

    /// Whether no records are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entities held.
    pub fn entity_count(&self) -> usize {
        self.state().map_or(0, |s| s.graph.entity_count())
    }

    /// The configuration and state, inferring the configuration from `input`'s headers when
    /// there is none.
    fn configured_for(&mut self, input: &InputTable) -> Result<&mut Configured, Error> {
        Ok(match &mut self.configured {
            Some(configured) => configured,
            slot => slot.insert(Configured {
                config: ResolverConfig::infer(&input.table, &self.options)?.config,
                state: None,
            }),
        })
    }

    /// Reads and normalizes `input`. Values the configuration lists as generic are treated
    /// as missing; before fitting (no model yet), the generic values of `input` are found
    /// first and added to the configuration. Returns the records and the configuration.
    fn read(
        &mut self,
        input: &InputTable,
        control: &Control,
    ) -> Result<(Prepared, &ResolverConfig), Error> {
        self.configured_for(input)?;
        self.read_with(|schema, normalizer| prepare(input, schema, normalizer, control))
    }

    /// The generic values found and applied to what `prepare` read under the
    /// configuration (inferred already).
    fn read_with(
        &mut self,
        prepare: impl FnOnce(&sameas_core::Schema, &RecordNormalizer) -> Result<Prepared, Error>,
    ) -> Result<(Prepared, &ResolverConfig), Error> {
        let config = &mut self
            .configured
            .as_mut()
            .expect("configured before reading")
            .config;
        let normalizer = RecordNormalizer::new(config.schema.clone(), config.normalize.clone())?;
        let mut prepared = prepare(&config.schema, &normalizer)?;
        prepared.generic = crate::generic::find_and_apply(config, &mut prepared.records);
        Ok((prepared, config))
    }

    /// Reads `input` and moves its ids and records into a dataset (no copy: at a million
    /// records the normalized values are the largest thing held). Returns a copy of the
    /// configuration as reading left it, for the caller to train or extend.
    pub(crate) fn read_dataset(
        &mut self,
        input: &InputTable,
        control: &Control,
    ) -> Result<(Prepared, Dataset, ResolverConfig), Error> {
        let (prepared, config) = self.read(input, control)?;
        into_dataset(prepared, config.clone())
    }

    /// As [`Resolver::read_dataset`], emptying the table's cells as its rows are read
    /// (for a caller that reads the table no more).
    pub(crate) fn read_dataset_freeing(
        &mut self,
        input: &mut InputTable,
        control: &Control,
    ) -> Result<(Prepared, Dataset, ResolverConfig), Error> {
        self.configured_for(input)?;
        let (prepared, config) = self.read_with(|schema, normalizer| {
            crate::input::prepare_freeing(input, schema, normalizer, control)
        })?;
        into_dataset(prepared, config.clone())
    }

    /// The held records (removed ones included) and whether each is still held.
    pub(crate) fn held(&self) -> Option<(&Dataset, impl Fn(u32) -> bool + '_)> {
        let state = self.state()?;
        Some((&state.data, |i| state.graph.record_id(i).is_some()))
    }

    /// The entity of a held record.
    pub fn entity_of(&self, record: &str) -> Option<EntityId> {
        let state = self.state()?;
        state.graph.entity_of(&RecordId::from(record)).cloned()
    }

    /// Every held entity with its records, in entity-id order.
    pub fn entities(&self) -> Vec<(EntityId, Vec<RecordId>)> {
        let Some(state) = self.state() else {
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

/// Moves read records into a dataset in record-id order: everything after reading works on
/// them so, and the answer never depends on the order of the input's rows (samples,
/// strides and ties follow positions); `input_ids` keeps the input order for the outputs.
fn into_dataset(
    mut prepared: Prepared,
    config: ResolverConfig,
) -> Result<(Prepared, Dataset, ResolverConfig), Error> {
    let schema = config.schema.clone();
    prepared.input_ids = prepared.ids.clone();
    let order = id_order(&prepared.ids);
    let ids = permute(std::mem::take(&mut prepared.ids), &order);
    let records = permute(std::mem::take(&mut prepared.records), &order);
    prepared.channels = permute(std::mem::take(&mut prepared.channels), &order);
    prepared.bad = permute(std::mem::take(&mut prepared.bad), &order);
    let data = Dataset::new(schema, ids, records)?;
    Ok((prepared, data, config))
}

impl State {
    /// The state of held records, their graph and join log; the incremental index and
    /// matcher are built at the first `add` or `remove`, and nothing has changed yet.
    pub(crate) fn held(
        data: Dataset,
        channels: Vec<Channel>,
        bad: Vec<bool>,
        graph: IdentityGraph,
        joins: Vec<Vec<Join>>,
    ) -> State {
        State {
            data,
            channels,
            bad,
            graph,
            joins,
            keys: None,
            matcher: None,
            changed: Vec::new(),
            moved: Vec::new(),
        }
    }

    fn empty(config: &ResolverConfig) -> State {
        State::held(
            Dataset::new(config.schema.clone(), Vec::new(), Vec::new()).expect("empty dataset"),
            Vec::new(),
            Vec::new(),
            IdentityGraph::default(),
            Vec::new(),
        )
    }

    /// Builds the blocking-key index and the matcher for incremental updates, once, the
    /// two at the same time.
    fn build_keys(
        &mut self,
        config: &ResolverConfig,
        frequencies: &TermFrequencies,
    ) -> Result<(), Error> {
        let State {
            data,
            keys,
            matcher,
            ..
        } = self;
        let (built_keys, built_matcher) = rayon::join(
            || {
                keys.is_none()
                    .then(|| KeyIndex::build(data, &config.matching.blocking, config.matching.mode))
                    .transpose()
            },
            || {
                matcher
                    .is_none()
                    .then(|| Matcher::with_term_frequencies(&config.matching, data, frequencies))
                    .transpose()
            },
        );
        if let Some(built) = built_keys? {
            *keys = Some(built);
        }
        if let Some(built) = built_matcher? {
            *matcher = Some(built);
        }
        Ok(())
    }

    fn index_of(&self, id: &RecordId) -> Option<u32> {
        self.graph.index_of(id)
    }

    /// Per record of `indices`, the fields whose value was treated as generic.
    fn generic_notes(&self, schema: &sameas_core::Schema, indices: &[u32]) -> Vec<String> {
        indices
            .iter()
            .flat_map(|&i| {
                crate::generic::generic_value_notes(
                    schema,
                    &self.data.ids[i as usize],
                    &self.data.records[i as usize],
                )
            })
            .collect()
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
}

/// The frozen term frequencies of a fitted configuration (a function of the configuration
/// alone, so the identity state can be borrowed mutably beside it).
pub(crate) fn frozen_frequencies(config: &ResolverConfig) -> Option<&TermFrequencies> {
    config.matching.model.as_ref()?;
    config.term_frequencies.as_ref()
}
