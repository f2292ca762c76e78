//! Batch runs: fitting, resolving a whole table, and the train, block and score steps a
//! batch run and a threshold sweep share.

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use sameas_core::{Channel, EntityId};
use sameas_match::{
    BlockIndex, CandidatePairs, Dataset, Matcher, RuleStats, ScoredPairs, TermFrequencies,
};
use sameas_merge::cluster::{Clustering, HouseholdGuard, Join, JoinOutcome, Refusal};
use sameas_merge::golden::{GoldenInput, Survivorship};
use sameas_merge::graph::{IdentityGraph, PreviousEntities};

use super::clustering::{
    Constraints, EdgeMask, HouseholdReading, complete_components, edge_guard, read_households,
};
use super::review::review_pairs;
use super::{Configured, Resolver, State};
use crate::control::{Control, Stage};
use crate::input::{InputTable, Prepared};
use crate::resolution::{Refusals, Report, Resolution, ReviewPair, Timings};
use crate::{Error, ResolverConfig};

impl Resolver {
    /// Trains the model on `input` (EM, unsupervised) and freezes its term frequencies for
    /// later incremental adds. Replaces any model the configuration held.
    ///
    /// # Errors
    /// Unreadable input, a configuration that does not fit it, or cancellation.
    pub fn fit(&mut self, input: &InputTable, control: &Control) -> Result<(), Error> {
        let (_, data, mut config) = self.read_dataset(input, control)?;
        control.check()?;
        config.matching.model = None;
        config.term_frequencies = None;
        let fitted = fit_model(&mut config, &data, &mut Timings::default(), control)?;
        control.check()?;
        if reads_households(&config, fitted.trained) {
            // Households are read from the pairs a resolve would score, as there.
            let candidates = fitted.index.candidate_pairs(&data);
            let scored = fitted.matcher.score(&candidates.pairs);
            drop(candidates);
            read_household_guard(&mut config, &scored, fitted.trained);
        }
        config.term_frequencies = Some(fitted.matcher.term_frequencies());
        self.set_config(config);
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
        let (prepared, data, config) = self.read_dataset(input, control)?;
        self.resolve_read(
            prepared, data, config, started, previous, control, true, None,
        )
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
        self.resolve_table(input, previous, control, true, None)
    }

    /// As [`Resolver::resolve_owned`], for a run that ends with its result: the resolver
    /// keeps the fitted configuration but not the records (an `add` afterwards starts from
    /// no records held, as a fitted configuration loaded anew does), and each entity's
    /// records are freed as soon as its golden record is built. The result is the same;
    /// the run's memory peaks lower, since the records shrink as the golden records grow
    /// instead of both being held whole.
    ///
    /// # Errors
    /// As [`Resolver::resolve`].
    pub fn resolve_once(
        &mut self,
        input: InputTable,
        previous: Option<&PreviousEntities>,
        control: &Control,
    ) -> Result<Resolution, Error> {
        self.resolve_table(input, previous, control, false, None)
    }

    /// As [`Resolver::resolve_once`], writing the golden records and conflicts into
    /// `golden` (`golden.csv` and `conflicts.jsonl`) chunk by chunk as they are built
    /// instead of holding them: the returned resolution's `golden` and `conflicts` are
    /// empty and its `golden_written_in` names the directory. Write the rest of the result
    /// into that directory with [`crate::write_resolution`]'s files
    /// ([`crate::write_dir_atomically`] gives a staging directory to create both in).
    ///
    /// ```
    /// use sameas::{Control, GoldenFiles, InputTable, Resolver};
    /// use sameas::table::read_csv;
    /// use sameas_core::Channel;
    ///
    /// let csv = "id,name,phone\n1,张伟,138-0013-8000\n2,張偉,+86 138 0013 8000\n3,李娜,137-1234-5678\n";
    /// let input = InputTable::new(read_csv(csv.as_bytes(), None).unwrap(), Channel::App);
    /// let mut resolver = Resolver::new();
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("out");
    /// sameas::write_dir_atomically(&out, |staging| {
    ///     let mut golden = GoldenFiles::create(staging)?;
    ///     let resolution = resolver.resolve_once_into(input, None, &Control::none(), &mut golden)?;
    ///     assert!(resolution.golden.is_empty());
    ///     let config = resolver.config().expect("fitted");
    ///     sameas::write_resolution_files(staging, &resolution, config, &resolution.report)
    /// })
    /// .unwrap();
    /// let golden = std::fs::read_to_string(out.join("golden.csv")).unwrap();
    /// assert_eq!(golden.lines().count(), 3); // the header and two customers
    /// ```
    ///
    /// # Errors
    /// As [`Resolver::resolve`], and [`Error::Io`] for a file that could not be written.
    pub fn resolve_once_into(
        &mut self,
        input: InputTable,
        previous: Option<&PreviousEntities>,
        control: &Control,
        golden: &mut crate::GoldenFiles,
    ) -> Result<Resolution, Error> {
        self.resolve_table(input, previous, control, false, Some(golden))
    }

    /// Reads `input`, frees its cells, and resolves the records; `keep` and `golden_out` as
    /// in [`Resolver::resolve_read`].
    fn resolve_table(
        &mut self,
        mut input: InputTable,
        previous: Option<&PreviousEntities>,
        control: &Control,
        keep: bool,
        golden_out: Option<&mut crate::GoldenFiles>,
    ) -> Result<Resolution, Error> {
        let started = Instant::now();
        let (prepared, data, config) = self.read_dataset_freeing(&mut input, control)?;
        drop(input);
        self.resolve_read(
            prepared, data, config, started, previous, control, keep, golden_out,
        )
    }

    /// The batch run over read records; `keep` holds the records and the graph for
    /// incremental adds afterwards; `golden_out` takes the golden records and conflicts as
    /// they are built (a run that keeps nothing).
    #[allow(clippy::too_many_arguments)]
    fn resolve_read(
        &mut self,
        prepared: Prepared,
        mut data: Dataset,
        mut config: ResolverConfig,
        started: Instant,
        previous: Option<&PreviousEntities>,
        control: &Control,
        keep: bool,
        golden_out: Option<&mut crate::GoldenFiles>,
    ) -> Result<Resolution, Error> {
        let quality = quality(&config.schema, &data, &prepared);
        let mut timings = Timings {
            normalize: started.elapsed().as_secs_f64(),
            ..Timings::default()
        };
        let Scored {
            mut scored,
            matcher,
            blocking,
            frequencies,
            training,
            rule_choices,
            warnings: training_warnings,
            households,
        } = train_block_score(&mut config, &data, &mut timings, control)?;
        let total_pairs = scored.len() as u64;

        control.check()?;
        let started = Instant::now();
        control.report(Stage::Cluster, 0, total_pairs);
        let threshold = config.matching.threshold;
        let guard = edge_guard(&config);
        let candidate_pairs = scored.len() as u64;
        let mask = complete_components(
            &mut scored,
            |p| matcher.score(p),
            data.len(),
            threshold,
            guard.as_ref(),
        );
        drop(matcher);
        let component_pairs = scored.component_pairs as u64;
        let constraints = Constraints::new(&config, &data, &scored);
        let (edges, clustering) =
            constraints.cluster(&config, &data.ids, &scored, &mask, guard.as_ref());
        // Freed before the identity graph is built, where a million-record run peaks.
        drop(constraints);
        let mut graph =
            IdentityGraph::from_clustering(data.ids.clone(), &edges, &clustering, previous)?;
        drop(edges);
        control.report(Stage::Cluster, total_pairs, total_pairs);
        timings.cluster = started.elapsed().as_secs_f64();

        let comparisons = config.comparison_names();
        let level_names = config.level_names();
        let review = review_pairs(
            &scored,
            &clustering,
            &graph,
            &data.ids,
            &config,
            &mask,
            &level_names,
        );
        let mut report = report(
            &data,
            &graph,
            &scored,
            &clustering,
            &mask,
            config.clustering.review_from,
            &review,
        );
        // The scored pairs are done with: free them before golden records, the last
        // large allocation of the run.
        drop(scored);
        drop(mask);

        control.check()?;
        let started = Instant::now();
        let survivorship = Arc::new(config.survivorship.compile(&config.schema)?);
        let golden_written_in = golden_out.as_ref().map(|out| out.dir().to_path_buf());
        let Built {
            golden,
            conflicts,
            conflict_count,
        } = golden_records(
            &survivorship,
            &mut data,
            &prepared.channels,
            &graph,
            control,
            (!keep || golden_out.is_some()).then_some(GOLDEN_CHUNK),
            golden_out,
        )?;
        timings.golden = started.elapsed().as_secs_f64();

        report.candidate_pairs = candidate_pairs;
        report.component_pairs = component_pairs;
        report.conflicts = conflict_count;
        report.bad_rows = prepared.bad_rows.clone();
        report.generic_values = prepared.generic.clone();
        report.warnings = prepared.warnings.clone();
        report.warnings.extend(training_warnings);
        report.blocking = blocking;
        report.blocking_choice = rule_choices;
        report.training = training;
        report.households = households;
        report.timings = timings;
        report.quality = quality;

        let entities = prepared
            .input_ids
            .into_iter()
            .map(|id| {
                let entity = graph
                    .entity_of(&id)
                    .expect("every record is in an entity")
                    .clone();
                (id, entity)
            })
            .collect();
        // A run that keeps nothing hands over the graph's events instead of copying a
        // million of them at the run's peak, and builds no join log.
        let events = if keep {
            graph.events().to_vec()
        } else {
            graph.take_events()
        };
        let resolution = Resolution {
            entities,
            golden_header: survivorship.headers(),
            golden,
            conflicts,
            golden_written_in,
            events,
            review,
            comparisons,
            report,
            survivorship,
        };
        config.term_frequencies = Some(frequencies);
        let state = keep.then(|| {
            let mut joins: Vec<Vec<Join>> = vec![Vec::new(); data.len()];
            for join in clustering.joins {
                joins[join.a.max(join.b) as usize].push(join);
            }
            State::held(data, prepared.channels, prepared.bad, graph, joins)
        });
        self.configured = Some(Configured { config, state });
        Ok(resolution)
    }
}

/// Scored candidate pairs and what the run keeps of blocking and scoring.
pub(crate) struct Scored {
    /// Every candidate pair, scored.
    pub(crate) scored: ScoredPairs,
    /// The matcher that scored them, for the pairs that complete positive components at
    /// a threshold (see [`complete_components`]).
    pub(crate) matcher: Matcher,
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
    /// What this run's fit read of households, when it read them.
    pub(crate) households: Option<HouseholdReading>,
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

/// What [`match_pairs`] gives back.
#[derive(Debug)]
pub struct MatchedPairs {
    /// The candidate pairs with per-rule statistics, and their scores.
    pub pairs: sameas_match::MatchOutput,
    /// How the blocking rules were chosen; empty when they were not candidates.
    pub rule_choices: Vec<sameas_match::RuleChoice>,
    /// What fitting has to say (a default model, too few pairs to train on), as `resolve`'s
    /// report says it.
    pub warnings: Vec<String>,
}

/// Scored candidate pairs of `data` exactly as `resolve` finds them: trains when `config` has
/// no model and chooses the blocking rules when they are candidates (`blocking.select`),
/// writing the model and the chosen rules into `config`, then blocks and scores. What
/// `sameas match` runs, so that its pairs are the ones `resolve` clusters.
///
/// # Errors
/// A configuration that does not fit the data.
pub fn match_pairs(config: &mut ResolverConfig, data: &Dataset) -> Result<MatchedPairs, Error> {
    let Fitted {
        matcher,
        index,
        rule_choices,
        warnings,
        ..
    } = fit_model(config, data, &mut Timings::default(), &Control::default())?;
    let candidates = index.candidate_pairs(data);
    drop(index);
    let scored = matcher.score_candidates(&candidates);
    Ok(MatchedPairs {
        pairs: sameas_match::MatchOutput { candidates, scored },
        rule_choices,
        warnings,
    })
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
    /// Whether this fit trained the model (rather than reading it from the configuration).
    pub(crate) trained: bool,
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
    let mut trained_comparators = None;
    let mut training = Vec::new();
    let mut warnings = Vec::new();
    let trained = config.matching.model.is_none();
    if trained {
        control.check()?;
        let started = Instant::now();
        control.report(Stage::Train, 0, 1);
        let (
            sameas_match::Trained {
                model,
                index,
                diagnostics,
                comparisons,
            },
            warning,
        ) = train_or_default(&config.matching, data)?;
        training = diagnostics;
        super::clustering::note_shared_identifiers(&model, &mut training);
        config.matching.model = Some(model);
        trained_index = index;
        trained_comparators = comparisons;
        warnings.extend(warning);
        control.report(Stage::Train, 1, 1);
        timings.train = started.elapsed().as_secs_f64();
    }
    let matcher = Matcher::with_compiled(&config.matching, data, trained_comparators)?;

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
        let (mut taken, mut choices) =
            sameas_match::choose_rules(selection, &index, data, &matcher, &[]);
        // A rule left out for the budget alone is tried again split by a further key.
        let split = sameas_match::sub_blocked_rules(
            &config.matching.blocking.rules,
            &choices,
            &selection.sub_keys,
        );
        if !split.is_empty() && !taken.is_empty() {
            control.check()?;
            let rules: Vec<_> = split.iter().map(|(_, rule)| rule.clone()).collect();
            index.append(BlockIndex::build(
                data,
                &rules,
                config.matching.blocking.max_block_size,
                config.matching.mode,
            )?);
            let split_of: Vec<String> = split
                .iter()
                .map(|&(r, _)| config.matching.blocking.rules[r].name.clone())
                .collect();
            config.matching.blocking.rules.extend(rules);
            (taken, choices) =
                sameas_match::choose_rules(selection, &index, data, &matcher, &taken);
            note_sub_blocking(&mut choices, &split_of);
        }
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
        trained,
    })
}

/// A fit that trained the model reads from its scored pairs whether the data holds
/// households ([`read_households`]) where the configuration leaves the household guard to
/// it, and writes the guard it chose into the configuration (the guard stays on where the
/// pairs cannot tell).
fn read_household_guard(
    config: &mut ResolverConfig,
    scored: &ScoredPairs,
    trained: bool,
) -> Option<HouseholdReading> {
    if !reads_households(config, trained) {
        return None;
    }
    let reading = read_households(config, scored);
    config.clustering.household_guard = reading
        .as_ref()
        .map_or(HouseholdGuard::NoPersonalDisagreement, |r| r.guard);
    reading
}

/// Whether a fit reads households: it trained the model, and the configuration leaves the
/// household guard to it.
fn reads_households(config: &ResolverConfig, trained: bool) -> bool {
    trained && config.clustering.household_guard == HouseholdGuard::Read
}

/// Says in the report which rule each sub-blocked rule splits, and which rules were split.
/// `split_of` names, per sub-blocked rule (the last rules of `choices`), the rule it splits.
fn note_sub_blocking(choices: &mut [sameas_match::RuleChoice], split_of: &[String]) {
    let first_split = choices.len() - split_of.len();
    let (candidates, split) = choices.split_at_mut(first_split);
    for (choice, of) in split.iter_mut().zip(split_of) {
        choice.reason = format!(
            "sub-blocks `{of}` (its pairs would pass the budget): {}",
            choice.reason
        );
    }
    for choice in candidates {
        if split_of.contains(&choice.rule) {
            choice.reason = format!(
                "{}; tried again sub-blocked by each further key (the rules `{}+…`)",
                choice.reason, choice.rule
            );
        }
    }
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
        trained,
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
    let households = read_household_guard(config, &scored, trained);
    let blocking = candidates.stats;
    drop(candidates.pairs);
    let frequencies = matcher.term_frequencies();
    control.report(Stage::Score, total_pairs, total_pairs);
    timings.score = started.elapsed().as_secs_f64();
    Ok(Scored {
        scored,
        matcher,
        blocking,
        frequencies,
        training,
        rule_choices,
        warnings,
        households,
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
            comparisons: None,
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

/// The data-quality profile of the records read, per channel and field (bad rows count as
/// records with no values).
fn quality(
    schema: &sameas_core::Schema,
    data: &Dataset,
    prepared: &Prepared,
) -> sameas_normalize::profile::Profile {
    let mut builder = sameas_normalize::profile::ProfileBuilder::new(schema);
    let rows: Vec<_> = data
        .records
        .iter()
        .zip(&prepared.channels)
        .zip(&prepared.bad)
        .map(|((record, channel), &bad)| (channel.label(), record, bad))
        .collect();
    builder.add_all(&rows);
    builder.finish()
}

/// Entities whose golden records are built between two frees of their records.
const GOLDEN_CHUNK: usize = 1 << 15;

/// What [`golden_records`] built: the golden records and conflicts it holds (none when
/// they were written as built), and how many conflicts there were.
struct Built {
    golden: Vec<sameas_merge::golden::GoldenRecord>,
    conflicts: Vec<sameas_merge::golden::Conflict>,
    conflict_count: u64,
}

/// Golden records and conflicts for every entity, in parallel, in entity-id order. With
/// `free_every` entities, the records of each such chunk of entities are emptied once the
/// chunk's golden records are built (every record is in exactly one entity), so memory
/// moves from the records to the golden records instead of holding both whole. With
/// `out`, each chunk's golden records and conflicts are written there and dropped.
fn golden_records(
    survivorship: &Survivorship,
    data: &mut Dataset,
    channels: &[Channel],
    graph: &IdentityGraph,
    control: &Control,
    free_every: Option<usize>,
    mut out: Option<&mut crate::GoldenFiles>,
) -> Result<Built, Error> {
    let mut entities: Vec<(&EntityId, &[u32])> = graph.entities().collect();
    entities.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let total = entities.len() as u64;
    control.report(Stage::Golden, 0, total);
    if let Some(out) = &mut out {
        out.begin(&survivorship.headers())?;
    }
    let chunk = free_every.unwrap_or(entities.len()).max(1);
    // When freeing, per record: whether the current chunk's golden records were just built
    // from it.
    let mut built_for = free_every.map(|_| vec![false; data.records.len()]);
    let mut golden = Vec::with_capacity(if out.is_some() { 0 } else { entities.len() });
    let mut conflicts = Vec::new();
    let mut conflict_count = 0;
    let mut done = 0;
    for entities in entities.chunks(chunk) {
        let input = GoldenInput {
            ids: &data.ids,
            channels,
            records: &data.records,
        };
        let built: Vec<_> = entities
            .par_iter()
            .map(|(id, members)| survivorship.golden(&input, id.as_str(), members))
            .collect();
        let from = golden.len();
        let conflicts_from = conflicts.len();
        for (record, entity_conflicts) in built {
            golden.push(record);
            conflict_count += entity_conflicts.len() as u64;
            conflicts.extend(entity_conflicts);
        }
        if let Some(out) = &mut out {
            out.append(survivorship, &golden[from..], &conflicts[conflicts_from..])?;
            // Dropped on all cores: a chunk is tens of thousands of small allocations.
            rayon::join(
                || golden.par_drain(..).for_each(drop),
                || conflicts.par_drain(..).for_each(drop),
            );
        }
        if let Some(built_for) = &mut built_for {
            // Marked, then freed on all cores.
            for &member in entities.iter().flat_map(|(_, members)| members.iter()) {
                built_for[member as usize] = true;
            }
            data.records
                .par_iter_mut()
                .zip(built_for.par_iter_mut())
                .filter(|(_, built)| **built)
                .for_each(|(record, built)| {
                    record.clear();
                    *built = false;
                });
        }
        done += entities.len() as u64;
        control.report(Stage::Golden, done, total);
        control.check()?;
    }
    if let Some(out) = &mut out {
        out.flush()?;
    }
    control.report(Stage::Golden, total, total);
    Ok(Built {
        golden,
        conflicts,
        conflict_count,
    })
}

/// Bins of the report's match-probability histogram.
const PROBABILITY_BINS: usize = 20;

fn report(
    data: &Dataset,
    graph: &IdentityGraph,
    scored: &ScoredPairs,
    clustering: &Clustering,
    mask: &EdgeMask,
    review_from: f64,
    review: &[ReviewPair],
) -> Report {
    let threshold = mask.threshold();
    let mut sizes = EntitySizes::default();
    let mut entities = 0;
    for (_, members) in graph.entities() {
        entities += 1;
        sizes.add(members.len());
    }
    let mut refused = Refusals::default();
    let mut above = 0;
    let mut probabilities = vec![0u64; PROBABILITY_BINS];
    for i in 0..scored.len() {
        let p = scored.probabilities[i];
        probabilities[((p * PROBABILITY_BINS as f64) as usize).min(PROBABILITY_BINS - 1)] += 1;
        if p >= threshold {
            above += 1;
            refused.household_guard += u64::from(!mask.contains(i));
        }
    }
    let mut joins = 0;
    for join in &clustering.joins {
        match join.outcome {
            JoinOutcome::Joined | JoinOutcome::MustLink => joins += 1,
            JoinOutcome::Refused(Refusal::CannotLink { .. }) => refused.cannot_link += 1,
            JoinOutcome::Refused(Refusal::Exclusive { .. }) => refused.exclusive += 1,
            JoinOutcome::Refused(Refusal::Ambiguous { .. }) => refused.ambiguous += 1,
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
    Report {
        records: data.len() as u64,
        entities,
        singletons: sizes.singletons(),
        largest_entity: sizes.largest,
        entity_sizes: sizes.histogram(),
        candidate_pairs: scored.len() as u64,
        pairs_above_threshold: above,
        threshold,
        review_from,
        match_probabilities: probabilities,
        joins,
        refused,
        review_pairs: review.len() as u64,
        ..Report::default()
    }
}

/// Entities counted by size for the report: sizes 1 to 9 each, 10 and more together, and
/// the largest.
#[derive(Debug, Default)]
pub(super) struct EntitySizes {
    counts: [u64; 11],
    pub(super) largest: u64,
}

impl EntitySizes {
    /// Counts an entity of `size` records.
    pub(super) fn add(&mut self, size: usize) {
        self.counts[size.min(10)] += 1;
        self.largest = self.largest.max(size as u64);
    }

    /// Entities of one record.
    pub(super) fn singletons(&self) -> u64 {
        self.counts[1]
    }

    /// (size, entities) for each size held, 10 standing for 10 and more.
    pub(super) fn histogram(&self) -> Vec<(u64, u64)> {
        (1..=10)
            .filter(|&s| self.counts[s] > 0)
            .map(|s| (s as u64, self.counts[s]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_records_built_while_freeing_records_equal_those_built_at_once() {
        let generated = sameas_synth::generate(&sameas_synth::SynthConfig {
            records: 600,
            seed: 5,
            ..sameas_synth::SynthConfig::default()
        })
        .unwrap();
        let rows = generated.records.into_iter().map(|r| r.values).collect();
        let headers = sameas_synth::DATA_HEADER
            .iter()
            .map(|h| h.to_string())
            .collect();
        let input = InputTable::new(
            sameas_normalize::table::Table::from_rows(headers, rows, 1),
            Channel::Unknown,
        );
        let mut resolver = Resolver::new();
        let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
        let configured = resolver.configured.as_ref().unwrap();
        let state = configured.state.as_ref().unwrap();
        let survivorship = configured
            .config
            .survivorship
            .compile(&configured.config.schema)
            .unwrap();
        let mut data = state.data.clone();
        let at_once = (resolution.golden.clone(), resolution.conflicts.clone());
        // Chunks of 7 entities: later chunks never read a record an earlier one freed.
        let freeing = golden_records(
            &survivorship,
            &mut data,
            &state.channels,
            &state.graph,
            &Control::none(),
            Some(7),
            None,
        )
        .unwrap();
        assert!(at_once.0.len() > 7 * 3, "several chunks");
        assert_eq!((freeing.golden, freeing.conflicts), at_once);
        assert_eq!(freeing.conflict_count, at_once.1.len() as u64);
        assert!(data.records.iter().all(|r| r.field_count() == 0));

        // Written chunk by chunk as built: the files of the records written at once.
        let whole = tempfile::tempdir().unwrap();
        let mut files = crate::GoldenFiles::create(whole.path()).unwrap();
        files.begin(&survivorship.headers()).unwrap();
        files.append(&survivorship, &at_once.0, &at_once.1).unwrap();
        files.flush().unwrap();
        let chunked = tempfile::tempdir().unwrap();
        let mut files = crate::GoldenFiles::create(chunked.path()).unwrap();
        let written = golden_records(
            &survivorship,
            &mut state.data.clone(),
            &state.channels,
            &state.graph,
            &Control::none(),
            Some(7),
            Some(&mut files),
        )
        .unwrap();
        assert!(written.golden.is_empty() && written.conflicts.is_empty());
        assert_eq!(written.conflict_count, at_once.1.len() as u64);
        for file in ["golden.csv", "conflicts.jsonl"] {
            let bytes = std::fs::read(chunked.path().join(file)).unwrap();
            assert!(bytes.len() > 1000, "{file}");
            assert_eq!(
                bytes,
                std::fs::read(whole.path().join(file)).unwrap(),
                "{file}"
            );
        }
    }
}
