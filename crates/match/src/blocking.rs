//! Blocking: exact keys that decide which pairs are compared.
//!
//! Each rule gives every record zero or more keys (a composite rule takes the product of its
//! parts' values). Records sharing a key form a block; every pair in a block is a candidate.
//! A pair that an earlier rule actually produced is not produced again: before emitting
//! a pair, a rule checks whether the two records share an uncapped key under an earlier rule
//! (or an earlier uncapped key under itself). No global pair set is kept. Blocks above
//! `max_block_size` are capped (skipped and reported); a later rule still produces their
//! pairs, because a capped key does not count as shared.

use std::sync::OnceLock;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::intern::{Lists, transpose};
use crate::keys::{CompiledKeys, KeyRef, KeyScratch, RuleKeySet};
use crate::{Dataset, MatchError};
use sameas_normalize::record::NormalizedRecord;

/// Which pairs are comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMode {
    /// Pairs within one source.
    #[default]
    Dedupe,
    /// Pairs across two sources only.
    Link,
    /// Pairs within and across sources.
    Both,
}

impl LinkMode {
    /// Whether records from these sources may form a pair.
    #[inline]
    pub fn allows(self, source_a: u8, source_b: u8) -> bool {
        match self {
            LinkMode::Dedupe => source_a == source_b,
            LinkMode::Link => source_a != source_b,
            LinkMode::Both => true,
        }
    }

    /// Number of comparable pairs in a dataset with these source sizes.
    pub fn comparable_pairs(self, sizes: [u64; 2]) -> u64 {
        let within = |n: u64| n * n.saturating_sub(1) / 2;
        match self {
            LinkMode::Dedupe => within(sizes[0]) + within(sizes[1]),
            LinkMode::Link => sizes[0] * sizes[1],
            LinkMode::Both => within(sizes[0] + sizes[1]),
        }
    }
}

/// One blocking rule: records that share a value of every key are compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingRule {
    /// Name used in statistics (`phone`, `name+birth_year`).
    pub name: String,
    /// The key parts; all must agree.
    pub keys: Vec<KeyRef>,
    /// This rule's own block cap, below the configuration's (for broad keys such as
    /// family name and city, whose blocks are only worth comparing while small).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_block_size: Option<usize>,
}

impl BlockingRule {
    /// The block cap the rule works under: its own, never above `max_block_size`, the
    /// configuration's.
    pub fn cap(&self, max_block_size: usize) -> usize {
        self.max_block_size
            .map_or(max_block_size, |c| c.min(max_block_size))
    }
}

/// Blocking configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockingConfig {
    /// Rules in order: a pair is produced by the first rule whose uncapped block holds it.
    pub rules: Vec<BlockingRule>,
    /// Blocks with more records than this are capped: skipped and reported.
    pub max_block_size: usize,
    /// When set, `rules` are candidates: fitting keeps those whose pairs hold the most
    /// expected matches per pair, within a pair budget, and writes only those back (with
    /// this setting cleared). An inferred configuration sets it; a hand-written list of
    /// rules without it is used as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<crate::selection::RuleSelection>,
}

/// Statistics of one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleStats {
    /// The rule's name.
    pub rule: String,
    /// Records with at least one key under the rule.
    pub records_with_key: u64,
    /// Blocks (distinct keys).
    pub blocks: u64,
    /// Blocks skipped for being larger than the cap.
    pub capped_blocks: u64,
    /// Records in the largest capped block, 0 when none was capped. In link mode the cap
    /// applies to a block's larger side, and this counts both sides.
    pub largest_capped_block: u64,
    /// Pairs this rule produced that no earlier rule had.
    pub pairs: u64,
}

/// One rule's keys per record and its blocks.
#[derive(Debug)]
struct RuleIndex {
    name: String,
    /// Records with a key under the rule.
    records_with_key: u64,
    /// The rule's distinct keys, those one record holds included.
    keys: u64,
    /// Per record, the blocks it is in; per block (a key two or more records hold), its
    /// records.
    record_keys: Lists<u32>,
    members: Lists<u32>,
    capped: Vec<bool>,
}

/// Blocks of every rule over one dataset.
#[derive(Debug)]
pub struct BlockIndex {
    rules: Vec<RuleIndex>,
    mode: LinkMode,
    /// Every rule's uncapped keys per record in one row, built at the first question that
    /// needs it and dropped when the rules change.
    pairing: OnceLock<Pairing>,
}

/// Every rule's uncapped keys of a record in one sorted row, as global key ids (a rule's
/// keys follow the keys of the rules before it), so that which rule first pairs two records
/// is one merge of two short rows instead of a lookup per earlier rule: in block order the
/// rows of a record under forty rules lie in forty places, and listing candidate pairs (and
/// counting the training pairs no earlier rule holds) waited on those loads.
#[derive(Debug)]
struct Pairing {
    /// Per rule, the global id of its key 0.
    first_key: Vec<u32>,
    keys: Lists<u32>,
}

impl Pairing {
    fn build(rules: &[RuleIndex]) -> Pairing {
        let mut first_key = Vec::with_capacity(rules.len());
        let mut next = 0u32;
        for rule in rules {
            first_key.push(next);
            next += rule.capped.len() as u32;
        }
        let records = rules.first().map_or(0, |r| r.record_keys.rows());
        let chunks: Vec<(Vec<u32>, Vec<u32>)> = (0..records)
            .into_par_iter()
            .chunks(16_384)
            .map(|chunk| {
                let mut lengths = Vec::with_capacity(chunk.len());
                let mut keys = Vec::new();
                for i in chunk {
                    let start = keys.len();
                    for (rule, first) in rules.iter().zip(&first_key) {
                        keys.extend(
                            rule.record_keys
                                .row(i)
                                .iter()
                                .filter(|&&k| !rule.capped[k as usize])
                                .map(|&k| first + k),
                        );
                    }
                    lengths.push((keys.len() - start) as u32);
                }
                (lengths, keys)
            })
            .collect();
        let mut keys = Lists::default();
        for (lengths, values) in chunks {
            let mut values = values.into_iter();
            for length in lengths {
                for value in values.by_ref().take(length as usize) {
                    keys.push_value(value);
                }
                keys.end_row();
            }
        }
        Pairing { first_key, keys }
    }

    /// The first global key both records hold (rules in order, then keys): the block that
    /// first pairs them.
    #[inline]
    fn first_shared(&self, a: usize, b: usize) -> Option<u32> {
        let (p, q) = (self.keys.row(a), self.keys.row(b));
        let (mut i, mut j) = (0, 0);
        while i < p.len() && j < q.len() {
            match p[i].cmp(&q[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => return Some(p[i]),
            }
        }
        None
    }
}

/// Candidate pairs, each produced once, with the rule that produced it.
#[derive(Debug, Clone, Default)]
pub struct CandidatePairs {
    /// Record index pairs, left below right.
    pub pairs: Vec<(u32, u32)>,
    /// Per pair, the index of the rule that produced it.
    pub rules: Vec<u16>,
    /// Per rule statistics.
    pub stats: Vec<RuleStats>,
}

impl BlockIndex {
    /// Indexes `data` under `rules`.
    ///
    /// # Errors
    /// A rule naming an unknown field or key.
    pub fn build(
        data: &Dataset,
        rules: &[BlockingRule],
        max_block_size: usize,
        mode: LinkMode,
    ) -> Result<Self, MatchError> {
        if rules.len() > usize::from(u16::MAX) {
            return Err(MatchError::Config("too many blocking rules".into()));
        }
        let compiled = rules
            .iter()
            .map(|r| {
                CompiledKeys::compile(
                    &r.keys,
                    &data.schema,
                    &format!("blocking rule `{}`", r.name),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let key_set = RuleKeySet::new(compiled);
        let builders = rule_builders(&key_set, &data.records);
        let rules: Vec<RuleIndex> = rules
            .par_iter()
            .zip(builders)
            .map(|(rule, builder)| builder.finish(data, &rule.name, rule.cap(max_block_size), mode))
            .collect();
        Ok(BlockIndex {
            rules,
            mode,
            pairing: OnceLock::new(),
        })
    }

    /// Number of rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Whether a rule before `rule` pairs records `a` and `b` (in an uncapped block): such a
    /// pair is that rule's candidate, not `rule`'s. Asked rule by rule, so that training,
    /// which asks it of a bounded sample, does not build the pairing of every record under
    /// every candidate rule (a second of a million records' run).
    pub(crate) fn paired_before(&self, rule: usize, a: usize, b: usize) -> bool {
        (0..rule).any(|earlier| self.shares_uncapped_key(earlier, a, b))
    }

    fn pairing(&self) -> &Pairing {
        self.pairing.get_or_init(|| Pairing::build(&self.rules))
    }

    /// The first key under `rule` that both records hold in an uncapped block.
    #[inline]
    fn first_shared_uncapped(&self, rule: usize, a: usize, b: usize) -> Option<u32> {
        let index = &self.rules[rule];
        first_shared(index.record_keys.row(a), index.record_keys.row(b), |key| {
            !index.capped[key as usize]
        })
    }

    /// Whether the records share a key under `rule` whose block is not capped: the pair is
    /// in one of the rule's blocks.
    pub fn shares_uncapped_key(&self, rule: usize, a: usize, b: usize) -> bool {
        self.first_shared_uncapped(rule, a, b).is_some()
    }

    /// Whether the records share any key under `rule`, capped or not.
    #[inline]
    pub fn share_key(&self, rule: usize, a: usize, b: usize) -> bool {
        let index = &self.rules[rule];
        let (p, q) = (index.record_keys.row(a), index.record_keys.row(b));
        p.iter().any(|k| q.binary_search(k).is_ok())
    }

    /// The pairs of `rule`'s uncapped blocks, each once; with `skip_earlier`, without the
    /// pairs an earlier rule produced.
    fn rule_pairs(&self, data: &Dataset, rule: usize, skip_earlier: bool) -> Vec<(u32, u32)> {
        let index = &self.rules[rule];
        let blocks = index.members.rows();
        let pairing = skip_earlier.then(|| self.pairing());
        let chunks: Vec<Vec<(u32, u32)>> = (0..blocks)
            .into_par_iter()
            .with_min_len(64)
            .map(|key| {
                let mut out = Vec::new();
                if index.capped[key] {
                    return out;
                }
                let members = index.members.row(key);
                for (x, &a) in members.iter().enumerate() {
                    for &b in &members[x + 1..] {
                        let (a, b) = (a as usize, b as usize);
                        if !self.mode.allows(data.sources[a], data.sources[b]) {
                            continue;
                        }
                        // The pair belongs to the block that first holds it: with
                        // `skip_earlier`, over every rule; else over this rule's own.
                        let first = match pairing {
                            Some(p) => p.first_shared(a, b) == Some(p.first_key[rule] + key as u32),
                            None => self.first_shared_uncapped(rule, a, b) == Some(key as u32),
                        };
                        if !first {
                            continue;
                        }
                        out.push((a as u32, b as u32));
                    }
                }
                out
            })
            .collect();
        chunks.concat()
    }

    /// Every rule's pairs, each pair once, in rule order.
    pub fn candidate_pairs(&self, data: &Dataset) -> CandidatePairs {
        let mut out = CandidatePairs::default();
        for (r, index) in self.rules.iter().enumerate() {
            let pairs = self.rule_pairs(data, r, true);
            let mut stats = index.stats();
            stats.pairs = pairs.len() as u64;
            out.rules.extend(std::iter::repeat_n(r as u16, pairs.len()));
            out.pairs.extend(pairs);
            out.stats.push(stats);
        }
        out
    }

    /// The pairs of one rule's own blocks (earlier rules not removed), for training.
    pub fn training_pairs(&self, data: &Dataset, rule: usize) -> Vec<(u32, u32)> {
        self.rule_pairs(data, rule, false)
    }

    /// At most `wanted` pairs of one rule's own blocks (earlier rules not removed), at an
    /// even stride over the pairs in block order, and how many pairs the rule holds.
    ///
    /// Only the sampled positions are visited, so the cost follows `wanted` and the number
    /// of blocks, not the rule's pairs (a common name within a district holds hundreds of
    /// records at a few million, and its pairs grow as the square of the data). When the
    /// rule holds no more than `wanted` pair positions, every pair is returned and the count
    /// is exact. Otherwise a sampled position whose pair belongs to another block of the
    /// rule (records with several keys) or that the link mode forbids is skipped, and the
    /// count is the positions scaled by the share kept.
    pub fn training_sample(&self, data: &Dataset, rule: usize, wanted: usize) -> RulePairSample {
        let index = &self.rules[rule];
        let blocks = index.members.rows();
        // Pair positions before each block: block k holds s(s-1)/2 of them when uncapped.
        let mut offsets = Vec::with_capacity(blocks + 1);
        let mut total = 0u64;
        offsets.push(0u64);
        for key in 0..blocks {
            if !index.capped[key] {
                let s = index.members.row(key).len() as u64;
                total += s * s.saturating_sub(1) / 2;
            }
            offsets.push(total);
        }
        if total <= wanted as u64 {
            let pairs = self.rule_pairs(data, rule, false);
            return RulePairSample {
                pairs: pairs.len() as u64,
                sample: pairs,
            };
        }
        let step = total as f64 / wanted as f64;
        let sample: Vec<(u32, u32)> = (0..wanted)
            .into_par_iter()
            .with_min_len(1024)
            .filter_map(|i| {
                let position = ((i as f64 * step) as u64).min(total - 1);
                let key = offsets.partition_point(|&o| o <= position) - 1;
                let members = index.members.row(key);
                let (x, y) = nth_pair(members.len(), position - offsets[key]);
                let (a, b) = (members[x] as usize, members[y] as usize);
                let kept = self.mode.allows(data.sources[a], data.sources[b])
                    && self.first_shared_uncapped(rule, a, b) == Some(key as u32);
                kept.then_some((a as u32, b as u32))
            })
            .collect();
        let pairs = (total as f64 * sample.len() as f64 / wanted as f64).round() as u64;
        RulePairSample { pairs, sample }
    }

    /// The pairs of `rule`'s capped blocks (blocks too large to pair, a value hundreds of
    /// records share), counted as if paired; in link mode, pairs within one source too.
    pub(crate) fn capped_pairs(&self, rule: usize) -> u64 {
        let index = &self.rules[rule];
        (0..index.members.rows())
            .filter(|&key| index.capped[key])
            .map(|key| {
                let s = index.members.row(key).len() as u64;
                s * s.saturating_sub(1) / 2
            })
            .sum()
    }

    /// How many candidate pairs every rule produces together (each pair once), without
    /// holding them.
    pub fn candidate_pair_count(&self, data: &Dataset) -> u64 {
        let pairing = self.pairing();
        (0..self.rules.len())
            .map(|rule| {
                let index = &self.rules[rule];
                (0..index.members.rows())
                    .into_par_iter()
                    .with_min_len(64)
                    .filter(|&key| !index.capped[key])
                    .map(|key| {
                        let members = index.members.row(key);
                        let mut count = 0u64;
                        for (x, &a) in members.iter().enumerate() {
                            for &b in &members[x + 1..] {
                                let (a, b) = (a as usize, b as usize);
                                if self.mode.allows(data.sources[a], data.sources[b])
                                    && pairing.first_shared(a, b)
                                        == Some(pairing.first_key[rule] + key as u32)
                                {
                                    count += 1;
                                }
                            }
                        }
                        count
                    })
                    .sum::<u64>()
            })
            .sum()
    }

    /// The rule's name.
    pub fn rule_name(&self, rule: usize) -> &str {
        &self.rules[rule].name
    }

    /// Adds the rules of `other`, an index over the same dataset, after this one's: rules
    /// indexed later without indexing the first ones again.
    ///
    /// # Panics
    /// When the two indexes hold different numbers of records or link modes.
    pub fn append(&mut self, other: BlockIndex) {
        assert_eq!(self.mode, other.mode, "one link mode");
        if let (Some(a), Some(b)) = (self.rules.first(), other.rules.first()) {
            assert_eq!(a.record_keys.rows(), b.record_keys.rows(), "one dataset");
        }
        self.rules.extend(other.rules);
        self.pairing = OnceLock::new();
    }

    /// Splits the index in two at rule `at`: this one keeps the rules before it, the one
    /// returned holds the rest (the records are not indexed again).
    ///
    /// # Panics
    /// `at` beyond the rules.
    pub fn split_off(&mut self, at: usize) -> BlockIndex {
        let rest = self.rules.split_off(at);
        self.pairing = OnceLock::new();
        BlockIndex {
            rules: rest,
            mode: self.mode,
            pairing: OnceLock::new(),
        }
    }

    /// Keeps only the rules `keep` names (indices into the current rules), in that order:
    /// the index of chosen rules, without indexing the records again.
    ///
    /// # Panics
    /// When `keep` names a rule twice or one the index does not have.
    pub fn retain_rules(&mut self, keep: &[usize]) {
        let mut taken: Vec<Option<RuleIndex>> = std::mem::take(&mut self.rules)
            .into_iter()
            .map(Some)
            .collect();
        self.rules = keep
            .iter()
            .map(|&r| taken[r].take().expect("each kept rule once"))
            .collect();
        self.pairing = OnceLock::new();
    }
}

/// A sample of one rule's pairs ([`BlockIndex::training_sample`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulePairSample {
    /// The pairs the rule holds: exact when `sample` is all of them, else estimated.
    pub pairs: u64,
    /// The sampled pairs, in block order.
    pub sample: Vec<(u32, u32)>,
}

/// The `position`-th pair `(x, y)`, `x < y`, of a block of `size` members, pairs listed
/// as (0, 1), (0, 2), …, (0, size − 1), (1, 2), ….
fn nth_pair(size: usize, mut position: u64) -> (usize, usize) {
    let mut x = 0;
    loop {
        let row = (size - 1 - x) as u64;
        if position < row {
            return (x, x + 1 + position as usize);
        }
        position -= row;
        x += 1;
    }
}

impl RuleIndex {
    fn stats(&self) -> RuleStats {
        let capped_sizes = (0..self.members.rows())
            .filter(|&k| self.capped[k])
            .map(|k| self.members.row(k).len() as u64);
        RuleStats {
            rule: self.name.clone(),
            records_with_key: self.records_with_key,
            blocks: self.keys,
            capped_blocks: self.capped.iter().filter(|&&c| c).count() as u64,
            largest_capped_block: capped_sizes.max().unwrap_or(0),
            pairs: 0,
        }
    }
}

/// Every rule's (key hash, record) entries of `records`, one builder per rule of `key_set`.
/// Records are visited once for all rules, in chunks: reading a record's values is the
/// cost, and a chunk's keys stay small. A chunk's keys lie in a few flat runs (one per run
/// of records), not one small vector per record and rule.
pub(crate) fn rule_builders(
    key_set: &RuleKeySet,
    records: &[NormalizedRecord],
) -> Vec<RuleBuilder> {
    let rule_count = key_set.rule_count();
    let mut builders: Vec<RuleBuilder> = (0..rule_count).map(|_| RuleBuilder::default()).collect();
    if rule_count == 0 {
        return builders;
    }
    for chunk in records.chunks(KEY_CHUNK) {
        let runs: Vec<KeyRun> = chunk
            .par_chunks(KEY_RUN)
            .map_init(
                || (KeyScratch::default(), vec![Vec::new(); rule_count]),
                |(scratch, hashes), run| {
                    let mut keys = KeyRun::default();
                    for record in run {
                        key_set.hashes(record, scratch, hashes);
                        for rule_hashes in hashes.iter() {
                            keys.hashes.extend_from_slice(rule_hashes);
                            keys.ends.push(keys.hashes.len() as u32);
                        }
                    }
                    keys
                },
            )
            .collect();
        builders
            .par_iter_mut()
            .enumerate()
            .for_each(|(r, builder)| {
                for run in &runs {
                    for record in 0..run.ends.len() / rule_count {
                        builder.push(run.keys(record, r, rule_count));
                    }
                }
                if builder.records as usize == chunk.len() && chunk.len() < records.len() {
                    // The first chunk's keys foretell the rest's: one allocation for
                    // them, not a doubling and copying as they come.
                    let expected = builder.entries.len() * records.len() / chunk.len();
                    builder
                        .entries
                        .reserve(expected + expected / 16 - builder.entries.len());
                }
            });
    }
    builders
}

/// Records whose keys are computed together before they are filed under each rule.
const KEY_CHUNK: usize = 16_384;

/// Records whose keys one task computes into one flat run.
const KEY_RUN: usize = 512;

/// The keys of a run of records under every rule: for record `i` and rule `r`, the hashes
/// `hashes[ends[i * rules + r - 1]..ends[i * rules + r]]` (from the record's start for
/// the first rule).
#[derive(Default)]
struct KeyRun {
    hashes: Vec<u64>,
    ends: Vec<u32>,
}

impl KeyRun {
    /// The hashes of the run's `record`-th record under rule `rule` of `rules`.
    fn keys(&self, record: usize, rule: usize, rules: usize) -> &[u64] {
        let at = record * rules + rule;
        let start = match at {
            0 => 0,
            _ => self.ends[at - 1] as usize,
        };
        &self.hashes[start..self.ends[at] as usize]
    }
}

/// One rule's keys as records arrive, each with its record. A key is known by its 64-bit
/// hash, not its text: the index of every candidate rule is built at once, and holding each
/// rule's distinct keys as strings was most of its memory. Two keys whose hashes collide
/// would share a block (an extra candidate pair, never a lost one), the same as the
/// incremental index, whose blocks are told apart the same way.
#[derive(Default)]
pub(crate) struct RuleBuilder {
    /// (key hash, record) in record order; a record's hashes are distinct.
    entries: Vec<(u64, u32)>,
    records: u32,
    records_with_key: u64,
}

impl RuleBuilder {
    /// The (key hash, record) entries, in record order.
    pub(crate) fn into_entries(self) -> Vec<(u64, u32)> {
        self.entries
    }

    fn push(&mut self, hashes: &[u64]) {
        let record = self.records;
        self.entries
            .extend(hashes.iter().map(|&hash| (hash, record)));
        self.records += 1;
        self.records_with_key += u64::from(!hashes.is_empty());
    }

    /// Sorts the keys: blocks are numbered in the order of their keys' hashes (so neither
    /// the row order nor the thread count moves them), and each block's members come out
    /// ascending, in one pass over the sorted keys instead of a hash table per rule.
    fn finish(
        mut self,
        data: &Dataset,
        name: &str,
        max_block_size: usize,
        mode: LinkMode,
    ) -> RuleIndex {
        self.entries.sort_unstable();
        // A key only one record holds pairs nothing: it gets no block, and its record
        // does not list it.
        let mut member_starts = vec![0u32];
        let mut member_records = Vec::with_capacity(self.entries.len());
        let mut keys = 0u64;
        for block in self.entries.chunk_by(|x, y| x.0 == y.0) {
            keys += 1;
            if block.len() > 1 {
                member_records.extend(block.iter().map(|&(_, record)| record));
                member_starts.push(member_records.len() as u32);
            }
        }
        drop(self.entries);
        let (record_starts, record_blocks) =
            transpose(&member_starts, &member_records, self.records as usize);
        let members = Lists::from_rows(member_starts, member_records);
        let record_keys = Lists::from_rows(record_starts, record_blocks);
        RuleIndex {
            name: name.to_string(),
            records_with_key: self.records_with_key,
            keys,
            record_keys: record_keys.compact(),
            capped: capped_blocks(data, &members, max_block_size, mode),
            members,
        }
    }
}

/// Per block, whether it is larger than the cap.
fn capped_blocks(
    data: &Dataset,
    members: &Lists<u32>,
    max_block_size: usize,
    mode: LinkMode,
) -> Vec<bool> {
    (0..members.rows())
        .map(|k| {
            let row = members.row(k);
            let size = match mode {
                LinkMode::Link => {
                    let ones = row
                        .iter()
                        .filter(|&&i| data.sources[i as usize] == 1)
                        .count();
                    // A link block costs its left × right pairs; cap on the larger side.
                    ones.max(row.len() - ones)
                }
                _ => row.len(),
            };
            size > max_block_size
        })
        .collect()
}

/// The first value of two ascending lists that both hold and `wanted` accepts (the lists
/// merged, so each is read once).
pub(crate) fn first_shared(
    p: &[u32],
    q: &[u32],
    mut wanted: impl FnMut(u32) -> bool,
) -> Option<u32> {
    let (mut i, mut j) = (0, 0);
    while i < p.len() && j < q.len() {
        match p[i].cmp(&q[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if wanted(p[i]) {
                    return Some(p[i]);
                }
                i += 1;
                j += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::nth_pair;

    /// 24 records whose names, phones, e-mails and birth dates repeat at different
    /// strides: keys that one record holds, a few, and many.
    fn mixed_records() -> crate::Dataset {
        use sameas_core::Channel;
        use sameas_normalize::NormalizeOptions;
        use sameas_normalize::infer::{infer_schema, record_from_row};
        use sameas_normalize::record::RecordNormalizer;
        let headers = ["id", "name", "phone", "email", "birth_date"];
        let schema = infer_schema(&headers).unwrap().schema;
        let normalizer =
            RecordNormalizer::new(schema.clone(), NormalizeOptions::default()).unwrap();
        let names = ["张伟", "张伟", "王芳", "Zhang Wei", "李娜", ""];
        let phones = [
            "13800138000",
            "13800138000",
            "13900139000",
            "",
            "138****8000",
        ];
        let emails = ["zw@qq.com", "", "wf@163.com", "zw@qq.com"];
        let dates = ["1990-01-02", "1990-01-02", "1985-05-06", ""];
        let (mut ids, mut records) = (Vec::new(), Vec::new());
        for i in 0..24usize {
            let row = [
                i.to_string(),
                names[i % names.len()].to_string(),
                phones[(i / 2) % phones.len()].to_string(),
                emails[(i / 3) % emails.len()].to_string(),
                dates[(i / 5) % dates.len()].to_string(),
            ];
            let record = record_from_row(&schema, &row, i as u64 + 1, &Channel::App);
            ids.push(record.id.clone());
            records.push(normalizer.normalize(&record));
        }
        crate::Dataset::new(schema, ids, records).unwrap()
    }

    /// The index leaves out keys that one record holds, yet pairs exactly the records that
    /// share a key in a block under the cap, and its statistics count every key.
    #[test]
    fn keys_of_one_record_leave_the_pairs_and_counts_as_they_were() {
        let data = mixed_records();
        let config = crate::MatchConfig::infer(&data.schema, crate::LinkMode::Dedupe);
        let rules = &config.blocking.rules;
        let keys = crate::RuleKeys::compile(rules, &data.schema).unwrap();
        for cap in [3, 500] {
            let index =
                super::BlockIndex::build(&data, rules, cap, crate::LinkMode::Dedupe).unwrap();
            let candidates = index.candidate_pairs(&data);
            let mut expected = std::collections::BTreeSet::new();
            let mut singletons = 0;
            let mut any_capped = false;
            for (r, stats) in candidates.stats.iter().enumerate() {
                let mut holders: std::collections::BTreeMap<String, Vec<usize>> =
                    Default::default();
                let mut with_key = 0;
                for i in 0..data.len() {
                    let record_keys = keys.keys(r, &data.records[i]);
                    with_key += usize::from(!record_keys.is_empty());
                    for key in record_keys {
                        holders.entry(key).or_default().push(i);
                    }
                }
                assert_eq!(stats.records_with_key, with_key as u64, "{}", stats.rule);
                assert_eq!(stats.blocks, holders.len() as u64, "{}", stats.rule);
                let mut capped_pairs = 0u64;
                for members in holders.values() {
                    singletons += usize::from(members.len() == 1);
                    if members.len() > rules[r].cap(cap) {
                        let s = members.len() as u64;
                        capped_pairs += s * (s - 1) / 2;
                        continue;
                    }
                    for (x, &a) in members.iter().enumerate() {
                        for &b in &members[x + 1..] {
                            expected.insert((a as u32, b as u32));
                        }
                    }
                }
                assert_eq!(index.capped_pairs(r), capped_pairs, "{}", stats.rule);
                any_capped |= capped_pairs > 0;
            }
            let found: std::collections::BTreeSet<(u32, u32)> =
                candidates.pairs.iter().copied().collect();
            assert_eq!(found.len(), candidates.pairs.len(), "each pair once");
            assert_eq!(found, expected, "cap {cap}");
            assert!(singletons > 0, "some key is one record's");
            assert_eq!(any_capped, cap == 3, "a cap of 3 caps some block, 500 none");
        }
    }

    /// Rule by rule, `paired_before` says what the pairing of every rule says: whether the
    /// first uncapped key the two records share belongs to an earlier rule.
    #[test]
    fn an_earlier_rule_pairs_what_the_pairing_says_it_pairs() {
        let data = mixed_records();
        let schema = data.schema.clone();
        let config = crate::MatchConfig::infer(&schema, crate::LinkMode::Dedupe);
        for cap in [3, 500] {
            let index = super::BlockIndex::build(
                &data,
                &config.blocking.rules,
                cap,
                crate::LinkMode::Dedupe,
            )
            .unwrap();
            let pairing = index.pairing();
            let mut earlier = 0;
            for a in 0..data.len() {
                for b in a + 1..data.len() {
                    for rule in 0..index.rule_count() {
                        let expected = pairing
                            .first_shared(a, b)
                            .is_some_and(|g| g < pairing.first_key[rule]);
                        assert_eq!(index.paired_before(rule, a, b), expected, "{a} {b} {rule}");
                        earlier += usize::from(expected);
                    }
                }
            }
            assert!(earlier > 0, "some pair is an earlier rule's");
        }
    }

    #[test]
    fn an_index_split_in_two_pairs_as_the_two_halves_built_apart() {
        let data = mixed_records();
        let config = crate::MatchConfig::infer(&data.schema, crate::LinkMode::Dedupe);
        let rules = &config.blocking.rules;
        let at = rules.len() / 2;
        let build = |rules: &[crate::BlockingRule]| {
            super::BlockIndex::build(&data, rules, 4, crate::LinkMode::Dedupe).unwrap()
        };
        let mut whole = build(rules);
        let rest = whole.split_off(at);
        assert_eq!(whole.rule_count(), at);
        assert_eq!(rest.rule_count(), rules.len() - at);
        for (half, split, apart) in [
            (0, &whole, build(&rules[..at])),
            (1, &rest, build(&rules[at..])),
        ] {
            let count = split.candidate_pair_count(&data);
            assert!(count > 0);
            assert_eq!(count, apart.candidate_pair_count(&data));
            let (mut split, mut apart) = (
                split.candidate_pairs(&data).pairs,
                apart.candidate_pairs(&data).pairs,
            );
            if half == 0 {
                // The rules kept keep their positions, and their keys the same blocks.
                assert_eq!(split, apart);
            } else {
                // A rule's key hashes carry its position: the same pairs, blocks in
                // another order.
                split.sort_unstable();
                apart.sort_unstable();
                assert_eq!(split, apart);
            }
        }
    }

    #[test]
    fn pair_positions_list_every_pair_once_in_order() {
        for size in 2..9 {
            let listed: Vec<(usize, usize)> = (0..size * (size - 1) / 2)
                .map(|p| nth_pair(size, p as u64))
                .collect();
            let expected: Vec<(usize, usize)> = (0..size)
                .flat_map(|x| (x + 1..size).map(move |y| (x, y)))
                .collect();
            assert_eq!(listed, expected);
        }
    }
}
