//! Scoring candidate pairs with a trained model, and explaining one pair.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::CandidatePairs;
use crate::compare::{Comparator, Compare, CompileRecords};
use crate::config::MatchConfig;
use crate::dataset::Records;
use crate::keys::CompiledKeys;
use crate::model::{TrainedModel, probability};
use crate::term_frequency::{
    ComparisonTerms, PartTerms, TermFrequencies, TermTable, adjustment, agreement,
};
use crate::train::compile_records;
use crate::{Dataset, MatchError};

/// Most comparisons one matcher takes (levels of a pair live in a fixed array).
pub const MAX_COMPARISONS: usize = 32;

/// A compiled matcher over one dataset: comparators, weights and term-frequency
/// adjustments as lookup tables.
#[derive(Debug)]
pub struct Matcher {
    comparators: Vec<Comparator>,
    names: Vec<String>,
    level_names: Vec<Vec<String>>,
    /// Weight per comparison and level (0 for `null`).
    weights: Vec<Vec<f64>>,
    /// Per comparison with term frequencies on: the exact level's adjustment per term.
    term_adjustments: Vec<Option<Vec<f64>>>,
    /// Per comparison, whether term frequencies are on.
    term_frequency: Vec<bool>,
    prior_weight: f64,
    /// The family-conditional weighing of a given name that agrees together with its
    /// family name, when both are compared over the same fields.
    full_names: Option<FullNames>,
    model: TrainedModel,
    deterministic: Option<DeterministicKeys>,
    deterministic_names: Vec<String>,
    threshold: f64,
    /// Per comparison, the schema positions of its fields.
    fields: Vec<Vec<usize>>,
    /// Records compiled.
    records: usize,
    /// Whether the term frequencies were given (frozen) rather than counted over the
    /// compiled records: only then can records be appended without moving any score.
    frozen: bool,
}

/// Scored pairs, column-wise.
#[derive(Debug, Clone, Default)]
pub struct ScoredPairs {
    /// Record index pairs.
    pub pairs: Vec<(u32, u32)>,
    /// Match weight per pair (prior included).
    pub weights: Vec<f64>,
    /// Match probability per pair.
    pub probabilities: Vec<f64>,
    /// Levels, `comparisons` per pair, pair after pair.
    pub levels: Vec<u8>,
    /// Number of comparisons.
    pub comparisons: usize,
    /// How many of the last pairs were scored to complete positive components rather than
    /// found by blocking (0 as [`Matcher::score`] returns them; the facade appends them).
    pub component_pairs: usize,
}

impl ScoredPairs {
    /// The levels of pair `i`.
    pub fn levels_of(&self, i: usize) -> &[u8] {
        &self.levels[i * self.comparisons..(i + 1) * self.comparisons]
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// One comparison's part in a pair's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonExplanation {
    /// The comparison.
    pub comparison: String,
    /// The level reached.
    pub level: String,
    /// The level's index (0 is `null`).
    pub level_index: u8,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match).
    pub u: f64,
    /// log2(m / u); 0 for `null`.
    pub weight: f64,
    /// The term-frequency adjustment added to an exact level (0 otherwise).
    pub term_frequency_adjustment: f64,
}

/// Why a pair scored as it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairExplanation {
    /// The prior as a weight.
    pub prior_weight: f64,
    /// Every comparison.
    pub comparisons: Vec<ComparisonExplanation>,
    /// Prior plus every weight and adjustment.
    pub match_weight: f64,
    /// The model's probability.
    pub model_probability: f64,
    /// Deterministic rules that hold for the pair (any one makes it a match).
    pub deterministic_rules: Vec<String>,
    /// The final probability (1 when a deterministic rule holds).
    pub match_probability: f64,
    /// The threshold in force.
    pub threshold: f64,
    /// Whether the pair is a match.
    pub is_match: bool,
    /// What else a reader should know, such as a value of either record treated as missing
    /// because many unrelated records share it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The records of a family name that must hold another given name than the one weighed
/// before the given names' spread within the family says anything: more than one
/// person's spellings of a name make (a nickname, an initial, a typo or two), as with
/// the people a generic value needs (five).
const OTHER_GIVEN_RECORDS: u32 = 5;

/// Term frequencies count a family name and a given name each on its own; a rare given
/// name is rare because few *families* use it, so counting both parts' rarity weighs a rare
/// full name twice (two records of one uncommon name look like a certain match). When both
/// parts agree, the given name is weighed instead by how common it is among the records of
/// that family name: `log2(agree_given · count(family) / count(family, given))`. Only where
/// the family name is held with another given name too: when every record of a family
/// name carries the one given name, those may be one person's records, and they say
/// nothing of how given names vary within the family (`marion bidder`, four records of one
/// woman, would make `marion` certain among the Bidders); the given name keeps its own
/// adjustment. So too where fewer than [`OTHER_GIVEN_RECORDS`] records of the family name
/// hold another given name: one person's nickname, initial and typo make those (two records
/// of Jessica Pembrook beside `Jessie Linda`, `Jessiac` and `Jessica L` Pembrook, all one
/// woman's, would make `jessica` two in five among the Pembrooks and cost the pair six
/// bits).
#[derive(Debug)]
struct FullNames {
    family: usize,
    given: usize,
    /// Per (family term, given term) that records hold together, where the family name is
    /// held with another given name too: the given name's adjustment in place of its own.
    adjustments: foldhash::HashMap<(u32, u32), f64>,
}

impl FullNames {
    /// The family and given comparisons over the same fields, both with term frequencies.
    fn pair(config: &MatchConfig) -> Option<(usize, usize)> {
        use crate::compare::ComparisonMethod as M;
        let with_tf = |c: &&crate::ComparisonConfig| c.term_frequency;
        let family = config
            .comparisons
            .iter()
            .position(|c| with_tf(&c) && matches!(c.method, M::FamilyName { .. }))?;
        let given = config.comparisons.iter().position(|c| {
            with_tf(&c)
                && matches!(c.method, M::GivenName { .. })
                && c.fields == config.comparisons[family].fields
        })?;
        Some((family, given))
    }

    fn build(
        config: &MatchConfig,
        comparators: &[Comparator],
        frequencies: Option<&TermFrequencies>,
    ) -> Option<FullNames> {
        let (family, given) = Self::pair(config)?;
        let (Comparator::Name(family_names), Comparator::Name(given_names)) =
            (&comparators[family], &comparators[given])
        else {
            return None;
        };
        let joint = given_names.full_name_counts();
        let (family_counts, _) = family_names.term_counts();
        let adjustments = match frequencies {
            None => {
                let (given_counts, with_value) = given_names.term_counts();
                if with_value == 0 {
                    return None;
                }
                let agree = agreement(&given_counts, with_value);
                joint
                    .into_iter()
                    .filter(|&((f, _), n)| n + OTHER_GIVEN_RECORDS <= family_counts[f as usize])
                    .map(|((f, g), n)| {
                        let within = f64::from(family_counts[f as usize]);
                        ((f, g), (agree * within / f64::from(n)).log2())
                    })
                    .collect()
            }
            Some(frozen) => {
                let given_table = frozen.comparisons[given].table.as_ref()?;
                frozen.comparisons[family].table.as_ref()?;
                frozen.comparisons[given].full_names.as_ref()?;
                if given_table.with_value() == 0 {
                    return None;
                }
                joint
                    .into_keys()
                    .filter_map(|(f, g)| {
                        let adjustment =
                            Self::frozen_adjustment(frozen, (family, given), given_names, (f, g))?;
                        Some(((f, g), adjustment))
                    })
                    .collect()
            }
        };
        Some(FullNames {
            family,
            given,
            adjustments,
        })
    }

    /// The adjustment of the full name of terms `(f, g)` (in `names`' interner) from the
    /// frozen tables of comparisons `(family, given)`; both tables present (checked by
    /// [`FullNames::build`]). `None` when every record of the family name holds this given
    /// name (the given name then keeps its own adjustment, as in a batch run).
    fn frozen_adjustment(
        frozen: &TermFrequencies,
        (family, given): (usize, usize),
        names: &crate::compare::name::NameComparator,
        (f, g): (u32, u32),
    ) -> Option<f64> {
        let (Some(family_table), Some(given_table), Some(full_table)) = (
            frozen.comparisons[family].table.as_ref(),
            frozen.comparisons[given].table.as_ref(),
            frozen.comparisons[given].full_names.as_ref(),
        ) else {
            return Some(0.0);
        };
        let within = family_table.count(names.term(f));
        let together = full_table.count(&names.full_name_key(f, g)).min(within);
        (together + OTHER_GIVEN_RECORDS <= within)
            .then(|| (given_table.agree() * f64::from(within) / f64::from(together)).log2())
    }
}

/// The keys of the deterministic rules per record: a pair sharing a key under any rule is a
/// match whatever its weight. Keys are known by their seeded 64-bit hash, as the blocking
/// indexes know them.
#[derive(Debug)]
struct DeterministicKeys {
    /// Per rule, per record, its keys' hashes, ascending.
    rules: Vec<crate::intern::Lists<u64>>,
    /// Per rule, its keys compiled.
    keys: Vec<CompiledKeys>,
}

impl DeterministicKeys {
    fn build(config: &MatchConfig, data: Records<'_>) -> Result<Self, MatchError> {
        let keys = config
            .deterministic_rules
            .iter()
            .map(|rule| {
                CompiledKeys::compile(
                    &rule.keys,
                    data.schema,
                    &format!("deterministic rule `{}`", rule.name),
                )
            })
            .collect::<Result<Vec<_>, MatchError>>()?;
        let rules = keys
            .iter()
            .enumerate()
            .map(|(r, keys)| {
                let rows: Vec<Vec<u64>> = (0..data.len())
                    .into_par_iter()
                    .map(|i| Self::row(r, keys, data.get(i)))
                    .collect();
                let mut lists = crate::intern::Lists::default();
                for row in rows {
                    for k in row {
                        lists.push_value(k);
                    }
                    lists.end_row();
                }
                lists
            })
            .collect();
        Ok(DeterministicKeys { rules, keys })
    }

    /// Rule `r`'s key hashes of `record`, ascending.
    fn row(
        r: usize,
        keys: &CompiledKeys,
        record: &sameas_normalize::record::NormalizedRecord,
    ) -> Vec<u64> {
        let mut row = Vec::new();
        keys.hashes(r, record, &mut row);
        row
    }

    /// Compiles one more record.
    fn append(&mut self, record: &sameas_normalize::record::NormalizedRecord) {
        for (r, (keys, lists)) in self.keys.iter().zip(&mut self.rules).enumerate() {
            for k in Self::row(r, keys, record) {
                lists.push_value(k);
            }
            lists.end_row();
        }
    }

    fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Whether records `a` and `b` share a key under `rule`.
    fn share_key(&self, rule: usize, a: usize, b: usize) -> bool {
        let keys = &self.rules[rule];
        let (p, q) = (keys.row(a), keys.row(b));
        p.iter().any(|k| q.binary_search(k).is_ok())
    }
}

impl Matcher {
    /// Compiles `config`'s comparisons over `data` with its trained model. Term frequencies
    /// are counted over `data`.
    ///
    /// # Errors
    /// No model, or a configuration that does not fit the data.
    pub fn new(config: &MatchConfig, data: &Dataset) -> Result<Self, MatchError> {
        Self::compile(config, data, None, None)
    }

    /// As [`Matcher::new`], taking the comparators training compiled over the same `data`
    /// ([`Trained::comparisons`](crate::Trained::comparisons)) instead of compiling them
    /// again; compiled anew when they came from other comparisons or another number of
    /// records. They must have been compiled over this very `data`.
    ///
    /// # Errors
    /// As [`Matcher::new`].
    pub fn with_compiled(
        config: &MatchConfig,
        data: &Dataset,
        compiled: Option<crate::CompiledComparisons>,
    ) -> Result<Self, MatchError> {
        Self::compile(config, data, None, compiled)
    }

    /// Compiles `config`'s comparisons over `data` with its trained model, taking term
    /// frequencies from `frequencies` (counted over other data, usually the full dataset
    /// that `data` holds a few records of) instead of counting them over `data`.
    ///
    /// A pair scores here exactly as it does in a matcher built by [`Matcher::new`] over the
    /// data `frequencies` came from, provided both records' values were in that data. A
    /// value the table does not hold counts as held by one record: it was not in the
    /// counted data, so this record is its first holder, the rarest a value can be (a
    /// count of 0 would make the adjustment infinite). The totals (`with_value`, Σ tf²)
    /// stay as counted: the new records do not move them. A table counted over data with
    /// no value gives no adjustment, as [`Matcher::new`] over such data does.
    ///
    /// ```
    /// # use sameas_core::Channel;
    /// # use sameas_match::{Dataset, LinkMode, Matcher, MatchConfig, train};
    /// # use sameas_normalize::NormalizeOptions;
    /// # use sameas_normalize::infer::{infer_schema, record_from_row};
    /// # use sameas_normalize::record::RecordNormalizer;
    /// # let rows = [
    /// #     ["1", "张伟", "138-0013-8000", "1990-01-02"],
    /// #     ["2", "張偉", "+86 138 0013 8000", "1990/1/2"],
    /// #     ["3", "王芳", "139-0000-1111", "1985-05-06"],
    /// #     ["4", "李娜", "137-1234-5678", "1979-12-30"],
    /// # ];
    /// # let schema = infer_schema(&["id", "姓名", "手机号", "出生日期"]).unwrap().schema;
    /// # let normalizer = RecordNormalizer::new(schema.clone(), NormalizeOptions::default()).unwrap();
    /// # let records: Vec<_> = rows
    /// #     .iter()
    /// #     .enumerate()
    /// #     .map(|(i, row)| record_from_row(&schema, row, i as u64 + 1, &Channel::App))
    /// #     .collect();
    /// # let ids = records.iter().map(|r| r.id.clone()).collect();
    /// # let normalized = records.iter().map(|r| normalizer.normalize(r)).collect();
    /// # let data = Dataset::new(schema.clone(), ids, normalized).unwrap();
    /// # let mut config = MatchConfig::infer(&schema, LinkMode::Dedupe);
    /// # config.model = Some(train(&config, &data).unwrap());
    /// // `data` holds four records; records 0 and 1 share a phone.
    /// let full = Matcher::new(&config, &data).unwrap();
    /// let frozen = full.term_frequencies();
    /// // Those two alone, in the other order, with the full data's term frequencies.
    /// let few = Dataset::new(
    ///     schema,
    ///     vec![data.ids[1].clone(), data.ids[0].clone()],
    ///     vec![data.records[1].clone(), data.records[0].clone()],
    /// )
    /// .unwrap();
    /// let small = Matcher::with_term_frequencies(&config, &few, &frozen).unwrap();
    /// assert_eq!(small.score(&[(1, 0)]).weights, full.score(&[(0, 1)]).weights);
    /// ```
    ///
    /// # Errors
    /// No model, a configuration that does not fit the data, or tables that are not the
    /// configuration's (another count of comparisons, another name at a position, a table
    /// where term frequencies are off or none where they are on).
    pub fn with_term_frequencies(
        config: &MatchConfig,
        data: &Dataset,
        frequencies: &TermFrequencies,
    ) -> Result<Self, MatchError> {
        frequencies.check_against(config)?;
        Self::compile(config, data, Some(frequencies), None)
    }

    /// As [`Matcher::with_term_frequencies`], over the records of `data` at `positions`,
    /// read in place (not copied into a dataset of their own): record `i` of this matcher
    /// is `data`'s record `positions[i]`.
    ///
    /// # Errors
    /// As [`Matcher::with_term_frequencies`]; a position outside `data` is
    /// [`MatchError::Input`].
    pub fn with_term_frequencies_over(
        config: &MatchConfig,
        data: &Dataset,
        positions: &[u32],
        frequencies: &TermFrequencies,
    ) -> Result<Self, MatchError> {
        frequencies.check_against(config)?;
        if positions.iter().any(|&p| p as usize >= data.len()) {
            return Err(MatchError::Input("a record position outside the dataset"));
        }
        Self::compile_records(
            config,
            Records::picked(data, positions),
            Some(frequencies),
            None,
        )
    }

    /// The term-frequency tables counted over the data this matcher was compiled over (the
    /// ones [`Matcher::new`] scores with), to freeze and give to
    /// [`Matcher::with_term_frequencies`]. Counted again from the comparators' values, so a
    /// matcher keeps no copy of its terms' text. For a matcher compiled with given tables
    /// these are still the counts over its own data, not the given ones.
    pub fn term_frequencies(&self) -> TermFrequencies {
        let comparisons = self
            .comparators
            .par_iter()
            .zip(&self.names)
            .zip(&self.term_frequency)
            .enumerate()
            .map(|(c, ((comparator, name), &on))| {
                let table = on.then(|| {
                    let (counts, with_value) = comparator.term_counts();
                    TermTable::new(comparator.term_keys().into_iter().zip(counts), with_value)
                });
                let full_names = match (&self.full_names, comparator) {
                    (Some(full), Comparator::Name(names)) if full.given == c => {
                        let counts = names.full_name_counts();
                        let with_value = names.term_counts().1;
                        Some(TermTable::new(
                            counts.into_iter().map(|((f, g), n)| {
                                (std::borrow::Cow::Owned(names.full_name_key(f, g)), n)
                            }),
                            with_value,
                        ))
                    }
                    _ => None,
                };
                ComparisonTerms {
                    comparison: name.clone(),
                    table,
                    full_names,
                }
            })
            .collect();
        TermFrequencies { comparisons }
    }

    /// The terms of the data this matcher was compiled over, per comparison its table's and
    /// its full-name table's (as [`Matcher::term_frequencies`] counts them, `None` where it
    /// keeps none), to be added up with other parts' into
    /// [`TermFrequencies::from_totals`].
    pub fn part_terms(&self) -> Vec<(Option<PartTerms>, Option<PartTerms>)> {
        self.comparators
            .par_iter()
            .zip(&self.term_frequency)
            .enumerate()
            .map(|(c, (comparator, &on))| {
                let table = on.then(|| {
                    let (counts, with_value) = comparator.term_counts();
                    TermTable::part_terms(
                        comparator.term_keys().into_iter().zip(counts),
                        with_value,
                    )
                });
                let full_names = match (&self.full_names, comparator) {
                    (Some(full), Comparator::Name(names)) if full.given == c => {
                        let counts = names.full_name_counts();
                        let with_value = names.term_counts().1;
                        Some(TermTable::part_terms(
                            counts.into_iter().map(|((f, g), n)| {
                                (std::borrow::Cow::Owned(names.full_name_key(f, g)), n)
                            }),
                            with_value,
                        ))
                    }
                    _ => None,
                };
                (table, full_names)
            })
            .collect()
    }

    fn compile(
        config: &MatchConfig,
        data: &Dataset,
        frequencies: Option<&TermFrequencies>,
        reuse: Option<crate::CompiledComparisons>,
    ) -> Result<Self, MatchError> {
        Self::compile_records(config, Records::all(data), frequencies, reuse)
    }

    fn compile_records(
        config: &MatchConfig,
        data: Records<'_>,
        frequencies: Option<&TermFrequencies>,
        reuse: Option<crate::CompiledComparisons>,
    ) -> Result<Self, MatchError> {
        config.validate()?;
        let model = config.model.clone().ok_or(MatchError::Untrained)?;
        if config.comparisons.len() > MAX_COMPARISONS {
            return Err(MatchError::Config(format!(
                "at most {MAX_COMPARISONS} comparisons"
            )));
        }
        let compiled = match reuse.and_then(|r| r.take_for(&config.comparisons, data.len())) {
            Some(compiled) => compiled,
            None => compile_records(config, data)?,
        };
        for (c, names) in compiled.level_names.iter().enumerate() {
            let levels = &model.comparisons[c].levels;
            if levels.len() != names.len() || levels.iter().zip(names).any(|(l, n)| &l.name != n) {
                return Err(MatchError::Config(format!(
                    "comparison `{}`: the model's levels are not the comparison's; train again",
                    config.comparisons[c].name,
                )));
            }
        }
        let weights: Vec<Vec<f64>> = model
            .comparisons
            .iter()
            .map(|c| (0..c.levels.len()).map(|l| c.weight(l)).collect())
            .collect();
        let term_adjustments = compiled
            .comparators
            .par_iter()
            .zip(&config.comparisons)
            .enumerate()
            .map(|(c, (comparator, comparison))| {
                if !comparison.term_frequency {
                    return None;
                }
                let (counts, with_value) = comparator.term_counts();
                let Some(frequencies) = frequencies else {
                    if with_value == 0 {
                        return None;
                    }
                    let agree = agreement(&counts, with_value);
                    return Some(
                        counts
                            .iter()
                            .map(|&n| adjustment(n, with_value, agree))
                            .collect(),
                    );
                };
                // Checked by the caller: a table where term frequencies are on.
                let table = frequencies.comparisons[c].table.as_ref()?;
                if table.with_value() == 0 {
                    return None;
                }
                // Every term weighs by its frozen count, whatever the compiled records hold
                // (an adjustment is read only for a term both records of a pair hold), so
                // records appended later weigh as if compiled here; one the table lacks
                // counts 1 (see above).
                Some(
                    comparator
                        .term_keys()
                        .iter()
                        .map(|key| adjustment(table.count(key), table.with_value(), table.agree()))
                        .collect(),
                )
            })
            .collect();
        let full_names = FullNames::build(config, &compiled.comparators, frequencies);
        let fields = config
            .comparisons
            .iter()
            .map(|c| {
                c.fields
                    .iter()
                    .filter_map(|f| data.schema.field_index(f))
                    .collect()
            })
            .collect();
        let deterministic = if config.deterministic_rules.is_empty() {
            None
        } else {
            Some(DeterministicKeys::build(config, data)?)
        };
        Ok(Matcher {
            comparators: compiled.comparators,
            names: config.comparisons.iter().map(|c| c.name.clone()).collect(),
            level_names: compiled.level_names,
            weights,
            term_adjustments,
            term_frequency: config
                .comparisons
                .iter()
                .map(|c| c.term_frequency)
                .collect(),
            prior_weight: model.prior_weight(),
            full_names,
            model,
            deterministic,
            deterministic_names: config
                .deterministic_rules
                .iter()
                .map(|r| r.name.clone())
                .collect(),
            threshold: config.threshold,
            fields,
            records: data.len(),
            frozen: frequencies.is_some(),
        })
    }

    /// Records compiled (the positions pairs are scored at are below this).
    pub fn len(&self) -> usize {
        self.records
    }

    /// Whether no record was compiled.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// Compiles `data`'s records from [`Matcher::len`] on, appended to those this matcher
    /// holds (which must be `data`'s first ones, as it was compiled over all of `data` by
    /// [`Matcher::with_term_frequencies`] and extended since): every comparison's values,
    /// the term-frequency and full-name adjustments of terms it did not hold, the
    /// deterministic rules' keys. `frequencies` are the tables it was compiled with; as
    /// those are frozen, no pair's score moves, and a pair scores as in a matcher compiled
    /// over all of `data` at once.
    ///
    /// # Errors
    /// A matcher that counted its own term frequencies (its scores would move with the
    /// records appended), or `data` holding fewer records than it.
    pub fn extend(
        &mut self,
        data: &Dataset,
        frequencies: &TermFrequencies,
    ) -> Result<(), MatchError> {
        if !self.frozen {
            return Err(MatchError::Input(
                "only a matcher with frozen term frequencies takes more records",
            ));
        }
        if data.len() < self.records {
            return Err(MatchError::Input("fewer records than the matcher holds"));
        }
        let added = &data.records[self.records..];
        if added.is_empty() {
            return Ok(());
        }
        // Name columns are shared by the comparisons over the same fields: each is taken
        // out of its comparators, extended once and put back.
        let mut columns: Vec<(usize, std::sync::Arc<crate::compare::name::NameColumn>)> =
            Vec::new();
        let mut column_of = vec![usize::MAX; self.comparators.len()];
        for (c, comparator) in self.comparators.iter_mut().enumerate() {
            if let Comparator::Name(names) = comparator {
                let column = std::mem::take(names.column_mut());
                column_of[c] = match columns
                    .iter()
                    .position(|(_, held)| std::sync::Arc::ptr_eq(held, &column))
                {
                    Some(k) => k,
                    None => {
                        columns.push((c, column));
                        columns.len() - 1
                    }
                };
            }
        }
        let fields = &self.fields;
        let extend_column =
            |(c, column): &mut (usize, std::sync::Arc<crate::compare::name::NameColumn>)| {
                let column = std::sync::Arc::get_mut(column).expect("taken from every holder");
                for record in added {
                    column.append(record, &fields[*c]);
                }
            };
        let extend_comparator = |(comparator, fields): (&mut Comparator, &Vec<usize>)| {
            for record in added {
                comparator.append(record, fields);
            }
        };
        // Parallel over comparisons for a batch; a few records are not worth waking threads.
        if added.len() >= 64 {
            rayon::join(
                || columns.par_iter_mut().for_each(extend_column),
                || {
                    self.comparators
                        .par_iter_mut()
                        .zip(fields)
                        .for_each(extend_comparator)
                },
            );
        } else {
            columns.iter_mut().for_each(extend_column);
            self.comparators
                .iter_mut()
                .zip(fields)
                .for_each(extend_comparator);
        }
        for (c, comparator) in self.comparators.iter_mut().enumerate() {
            if let Comparator::Name(names) = comparator {
                *names.column_mut() = columns[column_of[c]].1.clone();
            }
        }
        for (c, comparator) in self.comparators.iter().enumerate() {
            let (Some(adjust), Some(table)) = (
                &mut self.term_adjustments[c],
                frequencies.comparisons[c].table.as_ref(),
            ) else {
                continue;
            };
            adjust.extend(
                comparator
                    .term_keys_from(adjust.len())
                    .iter()
                    .map(|key| adjustment(table.count(key), table.with_value(), table.agree())),
            );
        }
        if let Some(full) = &mut self.full_names
            && let Comparator::Name(given) = &self.comparators[full.given]
        {
            for row in self.records..data.len() {
                for pair in given.full_names_of(row) {
                    if !full.adjustments.contains_key(&pair)
                        && let Some(adjustment) = FullNames::frozen_adjustment(
                            frequencies,
                            (full.family, full.given),
                            given,
                            pair,
                        )
                    {
                        full.adjustments.insert(pair, adjustment);
                    }
                }
            }
        }
        if let Some(deterministic) = &mut self.deterministic {
            for record in added {
                deterministic.append(record);
            }
        }
        self.records = data.len();
        Ok(())
    }

    /// Comparison names, in order.
    pub fn comparison_names(&self) -> &[String] {
        &self.names
    }

    /// Level names of comparison `c`.
    pub fn level_names(&self, c: usize) -> &[String] {
        &self.level_names[c]
    }

    /// The threshold in force.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Scores one pair into `levels`; returns the match weight.
    #[inline]
    fn score_into(&self, a: usize, b: usize, levels: &mut [u8]) -> f64 {
        let mut weight = self.prior_weight;
        let mut terms = [crate::intern::NONE; MAX_COMPARISONS];
        for (c, comparator) in self.comparators.iter().enumerate() {
            let level = comparator.level(a, b);
            levels[c] = level.index;
            weight += self.weights[c][level.index as usize];
            if level.index == 1
                && level.term != crate::intern::NONE
                && let Some(adjust) = &self.term_adjustments[c]
            {
                terms[c] = level.term;
                weight += adjust[level.term as usize];
            }
        }
        weight + self.full_name_correction(&terms)
    }

    /// What the full name's weighing changes in the given name's adjustment, when family and
    /// given names both agree exactly (`terms`: per comparison, the exact level's term).
    #[inline]
    fn full_name_correction(&self, terms: &[u32]) -> f64 {
        let Some(full) = &self.full_names else {
            return 0.0;
        };
        let (f, g) = (terms[full.family], terms[full.given]);
        if f == crate::intern::NONE || g == crate::intern::NONE {
            return 0.0;
        }
        match (
            full.adjustments.get(&(f, g)),
            &self.term_adjustments[full.given],
        ) {
            (Some(joint), Some(own)) => joint - own[g as usize],
            _ => 0.0,
        }
    }

    fn forced(&self, a: usize, b: usize) -> bool {
        self.deterministic
            .as_ref()
            .is_some_and(|index| (0..index.rule_count()).any(|r| index.share_key(r, a, b)))
    }

    /// Scores pairs in parallel.
    pub fn score(&self, pairs: &[(u32, u32)]) -> ScoredPairs {
        let n = self.comparators.len();
        let mut weights = vec![0.0; pairs.len()];
        let mut probabilities = vec![0.0; pairs.len()];
        let mut levels = vec![0u8; pairs.len() * n];
        const CHUNK: usize = 8192;
        weights
            .par_chunks_mut(CHUNK)
            .zip(probabilities.par_chunks_mut(CHUNK))
            .zip(levels.par_chunks_mut(CHUNK * n.max(1)))
            .zip(pairs.par_chunks(CHUNK))
            .for_each(|(((w, p), l), chunk)| {
                for (i, &(a, b)) in chunk.iter().enumerate() {
                    let (a, b) = (a as usize, b as usize);
                    let weight = self.score_into(a, b, &mut l[i * n..(i + 1) * n]);
                    w[i] = weight;
                    p[i] = if self.forced(a, b) {
                        1.0
                    } else {
                        probability(weight)
                    };
                }
            });
        ScoredPairs {
            pairs: pairs.to_vec(),
            weights,
            probabilities,
            levels,
            comparisons: n,
            component_pairs: 0,
        }
    }

    /// Scores candidate pairs.
    pub fn score_candidates(&self, candidates: &CandidatePairs) -> ScoredPairs {
        self.score(&candidates.pairs)
    }

    /// Every comparison's level, m, u, term-frequency adjustment and weight for one pair.
    pub fn explain(&self, a: usize, b: usize) -> PairExplanation {
        let mut levels = [0u8; MAX_COMPARISONS];
        let mut terms = [crate::intern::NONE; MAX_COMPARISONS];
        let mut comparisons = Vec::with_capacity(self.comparators.len());
        let mut total = self.prior_weight;
        for (c, comparator) in self.comparators.iter().enumerate() {
            let level = comparator.level(a, b);
            levels[c] = level.index;
            if level.index == 1 && self.term_adjustments[c].is_some() {
                terms[c] = level.term;
            }
            let model = &self.model.comparisons[c].levels[level.index as usize];
            let weight = self.weights[c][level.index as usize];
            let adjustment = match (&self.term_adjustments[c], level.index) {
                (Some(adjust), 1) if level.term != crate::intern::NONE => {
                    adjust[level.term as usize]
                }
                _ => 0.0,
            };
            total += weight;
            total += adjustment;
            comparisons.push(ComparisonExplanation {
                comparison: self.names[c].clone(),
                level: self.level_names[c][level.index as usize].clone(),
                level_index: level.index,
                m: model.m,
                u: model.u,
                weight,
                term_frequency_adjustment: adjustment,
            });
        }
        let correction = self.full_name_correction(&terms);
        if correction != 0.0
            && let Some(full) = &self.full_names
        {
            comparisons[full.given].term_frequency_adjustment += correction;
            total += correction;
        }
        let deterministic_rules: Vec<String> = match &self.deterministic {
            Some(index) => (0..index.rule_count())
                .filter(|&r| index.share_key(r, a, b))
                .map(|r| self.deterministic_names[r].clone())
                .collect(),
            None => Vec::new(),
        };
        let model_probability = probability(total);
        let match_probability = if deterministic_rules.is_empty() {
            model_probability
        } else {
            1.0
        };
        PairExplanation {
            prior_weight: self.prior_weight,
            comparisons,
            match_weight: total,
            model_probability,
            deterministic_rules,
            match_probability,
            threshold: self.threshold,
            is_match: match_probability >= self.threshold,
            notes: Vec::new(),
        }
    }
}

impl PairExplanation {
    /// A readable table.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<16} {:<20} {:>10} {:>10} {:>8} {:>8}",
            "comparison", "level", "m", "u", "weight", "tf adj"
        );
        let _ = writeln!(
            out,
            "{:<16} {:<20} {:>10} {:>10} {:>8.3} {:>8}",
            "prior", "", "", "", self.prior_weight, ""
        );
        for c in &self.comparisons {
            let _ = writeln!(
                out,
                "{:<16} {:<20} {:>10.6} {:>10.6} {:>8.3} {:>8.3}",
                c.comparison, c.level, c.m, c.u, c.weight, c.term_frequency_adjustment
            );
        }
        let _ = writeln!(
            out,
            "match weight {:.3}, model probability {:.6}",
            self.match_weight, self.model_probability
        );
        if !self.deterministic_rules.is_empty() {
            let _ = writeln!(
                out,
                "deterministic rules that hold: {}",
                self.deterministic_rules.join(", ")
            );
        }
        let _ = writeln!(
            out,
            "match probability {:.6} against threshold {}: {}",
            self.match_probability,
            self.threshold,
            if self.is_match { "MATCH" } else { "no match" }
        );
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}
