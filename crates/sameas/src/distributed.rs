//! Resolving a table that lies in parts on many machines, as a distributed engine (Apache
//! Spark) runs it, with the answer one machine's [`Resolver::resolve`](crate::Resolver::resolve)
//! gives when each step is handed what depends on the whole data.
//!
//! The engine holds the plan; this module does the work of each step on one part of the
//! rows, under a configuration fitted beforehand (model, chosen rules, generic values and
//! term frequencies frozen in it, so that every score is one machine's, bit for bit):
//!
//! 1. [`Partitioned::blocking_keys`]: each record's keys under every rule, as `rule:key`.
//!    The engine counts each key's records over the whole data and drops the keys of
//!    blocks above their rule's cap ([`Partitioned::caps`]), as one machine's blocking
//!    skips capped blocks.
//! 2. [`Partitioned::score_blocks`]: the records of some blocks, each with its blocks in
//!    the part. A pair of records is scored once per part that holds a block they share; the
//!    edges (pairs at or above the threshold that the household guard allows) come back,
//!    and the engine keeps one of a pair's edges (they are equal).
//! 3. The engine joins the edges, and the configuration's must-links, into connected
//!    components ([`components`] while they fit on one machine).
//! 4. [`Partitioned::cluster`]: the records of whole components with their uncapped keys:
//!    every candidate pair among them scored, small components completed and clustered
//!    under the constraints, exactly as incremental re-clustering does, which gives the
//!    batch partition.
//! 5. The engine numbers the clusters in the order of their smallest record id
//!    ([`entity_id`]), as one machine numbers them.
//! 6. [`Partitioned::golden`]: golden records and conflicts of whole entities.
//!
//! Only deduplication of one table is supported (`mode` `dedupe`), and every row needs a
//! record id of its own: a row's fallback id (its row number) means nothing across parts.

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use sameas_core::{Channel, EntityId, RecordId};
use sameas_match::{Dataset, LinkMode, Matcher, RuleKeys, TermFrequencies, TermTotals};
use sameas_merge::golden::{Conflict, GoldenInput, Survivorship};
use sameas_normalize::record::RecordNormalizer;

use crate::control::Control;
use crate::input::{InputTable, map_columns, prepare};
use crate::resolver::{
    Constraints, EdgeGuard, complete_components, edge_guard, edge_mask, frozen_frequencies,
};
use crate::{Error, ResolverConfig};

/// A fitted configuration compiled once for the steps of a distributed run.
pub struct Partitioned {
    config: ResolverConfig,
    normalizer: RecordNormalizer,
    keys: RuleKeys,
    caps: Vec<usize>,
    guard: Option<EdgeGuard>,
    survivorship: Arc<Survivorship>,
}

impl std::fmt::Debug for Partitioned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partitioned")
            .field("rules", &self.caps.len())
            .finish_non_exhaustive()
    }
}

/// Rows of one part, read and normalized: each distinct record once, in record-id order.
#[derive(Debug)]
pub struct Part {
    data: Dataset,
    channels: Vec<Channel>,
    /// Per input row, its record in `data`.
    row_record: Vec<u32>,
}

impl Part {
    /// Number of input rows.
    pub fn rows(&self) -> usize {
        self.row_record.len()
    }

    /// The record id of input row `row` (as one machine reads it: the id cell's text).
    ///
    /// # Panics
    /// `row` out of range.
    pub fn record_id(&self, row: usize) -> &RecordId {
        &self.data.ids[self.row_record[row] as usize]
    }
}

/// One entity's golden record (a row under [`Partitioned::golden_header`]) and its
/// conflicts.
pub type GoldenRow = (Vec<String>, Vec<Conflict>);

/// A pair of records at or above the threshold, an edge of the positive graph.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredEdge {
    /// The record whose id sorts first.
    pub a: RecordId,
    /// The other record.
    pub b: RecordId,
    /// The pair's match weight.
    pub weight: f64,
    /// The pair's match probability.
    pub probability: f64,
}

impl Partitioned {
    /// Compiles a fitted configuration (with a model and its frozen term frequencies).
    ///
    /// # Errors
    /// [`Error::NotFitted`] without a model, [`Error::Config`] for a mode other than
    /// `dedupe`, a table without a record-id column, or rules that do not fit the schema.
    pub fn new(config: ResolverConfig) -> Result<Self, Error> {
        config.validate()?;
        frozen_frequencies(&config).ok_or(Error::NotFitted)?;
        if config.matching.mode != LinkMode::Dedupe {
            return Err(Error::Config(
                "a distributed run deduplicates one table (mode `dedupe`)".into(),
            ));
        }
        if config.schema.id_column.is_none() {
            return Err(Error::Config(
                "a distributed run needs a record-id column in the schema".into(),
            ));
        }
        let normalizer = RecordNormalizer::new(config.schema.clone(), config.normalize.clone())?;
        let blocking = &config.matching.blocking;
        let keys = RuleKeys::compile(&blocking.rules, &config.schema)?;
        let caps = blocking
            .rules
            .iter()
            .map(|r| r.cap(blocking.max_block_size))
            .collect();
        let guard = edge_guard(&config);
        let survivorship = Arc::new(config.survivorship.compile(&config.schema)?);
        Ok(Partitioned {
            config,
            normalizer,
            keys,
            caps,
            guard,
            survivorship,
        })
    }

    /// As [`Partitioned::new`], from the configuration's JSON.
    ///
    /// # Errors
    /// As [`ResolverConfig::from_json`] and [`Partitioned::new`].
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::new(ResolverConfig::from_json(json)?)
    }

    /// The configuration.
    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    /// The header of the record-id column.
    pub fn id_column(&self) -> &str {
        let column = self.config.schema.id_column.as_ref();
        column.map_or("", |c| c.header.as_str())
    }

    /// Per blocking rule, its block cap: a block of more records is skipped.
    pub fn caps(&self) -> &[usize] {
        &self.caps
    }

    /// The columns of a golden record, as [`Partitioned::golden`] writes its rows.
    pub fn golden_header(&self) -> Vec<String> {
        self.survivorship.headers()
    }

    /// Reads and normalizes `input` (the configuration's generic values treated as
    /// missing). Rows repeating a record id are read once.
    ///
    /// # Errors
    /// A column of the schema missing from the table, or a row without a record id (naming
    /// its row and column).
    pub fn read(&self, mut input: InputTable) -> Result<Part, Error> {
        let schema = &self.config.schema;
        let mapped = map_columns(schema, &input.table.headers, &input.name)?;
        let id_column = mapped.id_column.as_ref().expect("checked when compiled");
        let mut first: HashMap<String, u32> = HashMap::with_capacity(input.table.rows.len());
        let mut row_first = Vec::with_capacity(input.table.rows.len());
        let mut keep = Vec::with_capacity(input.table.rows.len());
        for row in &input.table.rows {
            let id = row.cells.get(id_column.index).map_or("", |c| c.trim());
            if id.is_empty() {
                return Err(Error::Input(format!(
                    "{}: row {}: column `{}`: no record id (a distributed run needs one in \
                     every row)",
                    input.name, row.number, id_column.header
                )));
            }
            let next = first.len() as u32;
            let at = *first.entry(id.to_string()).or_insert(next);
            keep.push(at == next);
            row_first.push(at);
        }
        drop(first);
        let mut k = keep.iter();
        input
            .table
            .rows
            .retain(|_| *k.next().expect("one flag per row"));
        let mut prepared = prepare(&input, schema, &self.normalizer, &Control::none())?;
        crate::generic::apply(&self.config.generic_values, schema, &mut prepared.records);
        // Record-id order, as one machine works in.
        let mut order: Vec<u32> = (0..prepared.ids.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| prepared.ids[a as usize].cmp(&prepared.ids[b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let ids = order.iter().map(|&i| prepared.ids[i as usize].clone());
        let channels = order
            .iter()
            .map(|&i| prepared.channels[i as usize].clone())
            .collect();
        let mut records: Vec<_> = prepared.records.into_iter().map(Some).collect();
        let records = order
            .iter()
            .map(|&i| records[i as usize].take().expect("each record once"))
            .collect();
        let data = Dataset::new(schema.clone(), ids.collect(), records)?;
        let row_record = row_first.into_iter().map(|f| rank[f as usize]).collect();
        Ok(Part {
            data,
            channels,
            row_record,
        })
    }

    /// Per input row, its record's blocking keys under every rule, as `rule:key` (the rule's
    /// position in the configuration, then the key), sorted. A bad row has none.
    pub fn blocking_keys(&self, part: &Part) -> Vec<Vec<String>> {
        let per_record: Vec<Vec<String>> = part
            .data
            .records
            .iter()
            .map(|record| {
                let mut keys: Vec<String> = (0..self.keys.len())
                    .flat_map(|r| {
                        self.keys
                            .keys(r, record)
                            .into_iter()
                            .map(move |k| format!("{r}:{k}"))
                    })
                    .collect();
                keys.sort_unstable();
                keys
            })
            .collect();
        part.row_record
            .iter()
            .map(|&r| per_record[r as usize].clone())
            .collect()
    }

    /// Scores the pairs of the blocks in `part`: row `i`'s record is a member of the blocks
    /// `blocks[i]` (rows may repeat a record, each with some of its blocks). A pair of
    /// records sharing several blocks of the part is scored once; over a whole run, a pair
    /// whose shared blocks lie in several parts comes back from each, with the same weight
    /// and probability (the matcher's term frequencies are frozen), and the engine keeps one.
    /// Returns the edges (pairs at or above the threshold that the household guard allows),
    /// in record order.
    ///
    /// # Errors
    /// [`Error::Input`] when the lengths differ.
    pub fn score_blocks(
        &self,
        part: &Part,
        blocks: &[Vec<String>],
    ) -> Result<Vec<ScoredEdge>, Error> {
        if blocks.len() != part.rows() {
            return Err(Error::Input("one list of blocks per row is needed".into()));
        }
        let mut members: HashMap<&str, Vec<u32>> = HashMap::new();
        for (row, list) in blocks.iter().enumerate() {
            for block in list {
                members
                    .entry(block.as_str())
                    .or_default()
                    .push(part.row_record[row]);
            }
        }
        let mut pairs = Vec::new();
        for (_, mut list) in members {
            list.sort_unstable();
            list.dedup();
            for (x, &a) in list.iter().enumerate() {
                pairs.extend(list[x + 1..].iter().map(|&b| (a, b)));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let matcher = self.matcher(&part.data)?;
        let scored = matcher.score(&pairs);
        let mask = edge_mask(&scored, self.config.matching.threshold, self.guard.as_ref());
        Ok(mask
            .indices()
            .map(|k| {
                let (a, b) = scored.pairs[k];
                ScoredEdge {
                    a: part.data.ids[a as usize].clone(),
                    b: part.data.ids[b as usize].clone(),
                    weight: scored.weights[k],
                    probability: scored.probabilities[k],
                }
            })
            .collect())
    }

    /// Clusters whole components: row `i` belongs to component `components[i]` and its
    /// record holds the uncapped keys `keys[i]`. Every candidate pair inside a component is
    /// scored, small positive components are completed, and the records are clustered under
    /// the constraints and the household guard, as one machine clusters them. Returns, per
    /// row, the smallest record id of its cluster.
    ///
    /// # Errors
    /// [`Error::Input`] when the lengths differ.
    pub fn cluster(
        &self,
        part: &Part,
        keys: &[Vec<String>],
        components: &[String],
    ) -> Result<Vec<RecordId>, Error> {
        if keys.len() != part.rows() || components.len() != part.rows() {
            return Err(Error::Input(
                "one list of keys and one component per row are needed".into(),
            ));
        }
        let record_keys = self.record_keys(part, keys);
        let mut members: HashMap<&str, Vec<u32>> = HashMap::new();
        for (row, component) in components.iter().enumerate() {
            members
                .entry(component.as_str())
                .or_default()
                .push(part.row_record[row]);
        }
        let mut first_of = vec![u32::MAX; part.data.len()];
        let threshold = self.config.matching.threshold;
        let guard = self.guard.as_ref();
        for (_, mut records) in members {
            records.sort_unstable();
            records.dedup();
            let mut pairs = Vec::new();
            for (x, &a) in records.iter().enumerate() {
                for (y, &b) in records.iter().enumerate().skip(x + 1) {
                    if first_shared(&record_keys[a as usize], &record_keys[b as usize]).is_some() {
                        pairs.push((x as u32, y as u32));
                    }
                }
            }
            let subset = Dataset::new(
                part.data.schema.clone(),
                records
                    .iter()
                    .map(|&r| part.data.ids[r as usize].clone())
                    .collect(),
                records
                    .iter()
                    .map(|&r| part.data.records[r as usize].clone())
                    .collect(),
            )?;
            let matcher = self.matcher(&subset)?;
            let mut scored = matcher.score(&pairs);
            let mask = complete_components(
                &mut scored,
                |p| matcher.score(p),
                subset.len(),
                threshold,
                guard,
            );
            let (_, clustering) = Constraints::new(&self.config, &subset, &scored).cluster(
                &self.config,
                &subset.ids,
                &scored,
                &mask,
                guard,
            );
            // Records are in id order, so a cluster's first member is its smallest id.
            let mut first = vec![u32::MAX; clustering.clusters];
            for (x, &label) in clustering.labels.iter().enumerate() {
                let slot = &mut first[label as usize];
                if *slot == u32::MAX {
                    *slot = records[x];
                }
                first_of[records[x] as usize] = *slot;
            }
        }
        Ok(part
            .row_record
            .iter()
            .map(|&r| {
                let first = first_of[r as usize];
                part.data.ids[first as usize].clone()
            })
            .collect())
    }

    /// The golden record (a row under [`Partitioned::golden_header`]) and the conflicts of
    /// each whole entity in `part`: row `i` belongs to entity `entities[i]`. Entities come
    /// in id order.
    ///
    /// # Errors
    /// [`Error::Input`] when the lengths differ.
    pub fn golden(&self, part: &Part, entities: &[String]) -> Result<Vec<GoldenRow>, Error> {
        if entities.len() != part.rows() {
            return Err(Error::Input("one entity per row is needed".into()));
        }
        let mut members: HashMap<&str, Vec<u32>> = HashMap::new();
        for (row, entity) in entities.iter().enumerate() {
            members
                .entry(entity.as_str())
                .or_default()
                .push(part.row_record[row]);
        }
        let mut members: Vec<(&str, Vec<u32>)> = members.into_iter().collect();
        members.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let input = GoldenInput {
            ids: &part.data.ids,
            channels: &part.channels,
            records: &part.data.records,
        };
        Ok(members
            .into_iter()
            .map(|(entity, mut list)| {
                list.sort_unstable();
                list.dedup();
                let (golden, conflicts) = self.survivorship.golden(&input, entity, &list);
                (self.survivorship.row(&golden), conflicts)
            })
            .collect())
    }

    /// The term counts of `part` for the frozen tables (table `2c` is comparison `c`'s,
    /// `2c + 1` its full-name table): per table a row `(table, None, records with a value)`
    /// and a row `(table, Some(digest), records holding the term)` per term. Added up over
    /// every part, they give [`Partitioned::with_term_totals`] the whole data's tables.
    ///
    /// # Errors
    /// A configuration that does not fit the part's records.
    pub fn term_counts(&self, part: &Part) -> Result<Vec<(u32, Option<u64>, u32)>, Error> {
        let matcher = Matcher::new(&self.config.matching, &part.data)?;
        let mut out = Vec::new();
        for (c, (table, full_names)) in matcher.part_terms().into_iter().enumerate() {
            for (k, terms) in [(0, table), (1, full_names)] {
                let Some(terms) = terms else { continue };
                let at = (2 * c + k) as u32;
                out.push((at, None, terms.with_value));
                out.extend(terms.terms.into_iter().map(|(d, n)| (at, Some(d), n)));
            }
        }
        Ok(out)
    }

    /// The configuration with its frozen term frequencies replaced by the tables of the
    /// whole data, from [`Partitioned::term_counts`] added up over every part: per table
    /// (numbered as there) its records with a value, its histogram `(table, n, terms held
    /// by exactly n records)`, and its terms held by two or more `(table, digest, records)`.
    /// Tables are built where the configuration keeps one.
    ///
    /// # Errors
    /// A table number the configuration has no table for.
    pub fn with_term_totals(
        &self,
        with_value: &[(u32, u32)],
        histogram: &[(u32, u32, u64)],
        repeated: &[(u32, u64, u32)],
    ) -> Result<ResolverConfig, Error> {
        let frozen = frozen_frequencies(&self.config).expect("checked when compiled");
        let mut totals: Vec<Option<TermTotals>> = frozen
            .comparisons
            .iter()
            .flat_map(|c| [c.table.is_some(), c.full_names.is_some()])
            .map(|kept| kept.then(TermTotals::default))
            .collect();
        fn slot(totals: &mut [Option<TermTotals>], table: u32) -> Result<&mut TermTotals, Error> {
            totals
                .get_mut(table as usize)
                .and_then(Option::as_mut)
                .ok_or_else(|| Error::Config(format!("no term-frequency table {table}")))
        }
        for &(table, n) in with_value {
            slot(&mut totals, table)?.with_value = n;
        }
        for &(table, n, terms) in histogram {
            slot(&mut totals, table)?.histogram.push((n, terms));
        }
        for &(table, digest, n) in repeated {
            slot(&mut totals, table)?.repeated.push((digest, n));
        }
        let names: Vec<String> = frozen
            .comparisons
            .iter()
            .map(|c| c.comparison.clone())
            .collect();
        let mut pairs = Vec::with_capacity(names.len());
        let mut totals = totals.into_iter();
        for _ in &names {
            let table = totals.next().flatten();
            let full_names = totals.next().flatten();
            pairs.push((table, full_names));
        }
        let mut config = self.config.clone();
        config.term_frequencies = Some(TermFrequencies::from_totals(&names, pairs));
        Ok(config)
    }

    /// Each record's sorted keys, from its first row.
    fn record_keys<'k>(&self, part: &Part, keys: &'k [Vec<String>]) -> Vec<Vec<&'k str>> {
        let mut out: Vec<Option<Vec<&str>>> = vec![None; part.data.len()];
        for (row, list) in keys.iter().enumerate() {
            let slot = &mut out[part.row_record[row] as usize];
            if slot.is_none() {
                let mut sorted: Vec<&str> = list.iter().map(String::as_str).collect();
                sorted.sort_unstable();
                sorted.dedup();
                *slot = Some(sorted);
            }
        }
        out.into_iter().map(Option::unwrap_or_default).collect()
    }

    fn matcher(&self, data: &Dataset) -> Result<Matcher, Error> {
        let frequencies: &TermFrequencies =
            frozen_frequencies(&self.config).expect("checked when compiled");
        Ok(Matcher::with_term_frequencies(
            &self.config.matching,
            data,
            frequencies,
        )?)
    }
}

/// The first key (in sorted order) two sorted lists share.
fn first_shared<'a>(a: &[&'a str], b: &[&str]) -> Option<&'a str> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(a[i]),
        }
    }
    None
}

/// The connected components of the graph of `pairs` (record ids): each record named in a
/// pair with the smallest record id of its component. Sorted by record id.
pub fn components<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String)> {
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut parent: Vec<u32> = Vec::new();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for (a, b) in pairs {
        let [a, b] = [a, b].map(|id| {
            *index.entry(id).or_insert_with(|| {
                names.push(id);
                parent.push(parent.len() as u32);
                (parent.len() - 1) as u32
            })
        });
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let mut smallest: Vec<u32> = (0..parent.len() as u32).collect();
    for x in 0..parent.len() as u32 {
        let r = root(&mut parent, x) as usize;
        if names[x as usize] < names[smallest[r] as usize] {
            smallest[r] = x;
        }
    }
    let mut out: Vec<(String, String)> = (0..parent.len() as u32)
        .map(|x| {
            let r = root(&mut parent, x) as usize;
            (
                names[x as usize].to_string(),
                names[smallest[r] as usize].to_string(),
            )
        })
        .collect();
    out.sort_unstable();
    out
}

/// The id of the entity numbered `sequence` (from 1): one machine numbers new entities in
/// the order of their smallest record id.
pub fn entity_id(sequence: u64) -> EntityId {
    EntityId::numbered(sequence)
}

/// The record-id column that a configuration inferred from `input` reads, if any: the engine
/// needs it to sample records by id before fitting.
///
/// # Errors
/// Headers that cannot be read (empty or repeated).
pub fn inferred_id_column(input: &InputTable) -> Result<Option<String>, Error> {
    let inferred = sameas_normalize::infer::infer_schema_from_table(&input.table)?;
    Ok(inferred.schema.id_column.map(|c| c.header))
}
