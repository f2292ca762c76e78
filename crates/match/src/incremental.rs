//! An index of blocking keys that takes records one at a time after a batch build, for
//! incremental matching: which records does a new record share an uncapped block with?
//!
//! Keys are not kept as strings: each (rule, key) is a 64-bit hash under a fixed seed. The
//! records of the batch build lie in one sorted, flat layout (per rule, the distinct key
//! hashes in ascending order, each with its records); records pushed later go to a small
//! map beside it. A block's size is what the index holds now, so a block grows past its
//! cap as records arrive, exactly as a batch over the grown data would cap it.
//!
//! Two different keys of one rule with the same hash share one block (the chance of any
//! such pair is about N² / 2⁶⁵ for N distinct keys under a rule: 3·10⁻⁸ for a million). Its
//! records get compared though no key of theirs agrees (a spurious candidate), and the
//! merged block counts both keys' records against the cap. A collision never splits a
//! block, so a pair that shares a key is always found while the merged block stays under
//! the cap. Keys of different rules never share a block.

use foldhash::HashMap;
use rayon::prelude::*;
use sameas_normalize::record::NormalizedRecord;

use crate::blocking::{BlockingConfig, LinkMode, first_shared, rule_builders};
use crate::intern::transpose;
use crate::keys::{CompiledKeys, KeyScratch, RuleKeySet};
use crate::{Dataset, MatchError};

/// Seeds the key hash ([`CompiledKeys::hashes`]): fixed, so that a build is the same on
/// every run. Hashes are never stored outside the index.
pub(crate) const KEY_HASH_SEED: u64 = 0x5a4d_e5a5_c0ff_ee01;

/// Blocking keys of a dataset that records can be added to one at a time: the candidates of
/// any record, and whether two records share an uncapped block.
///
/// Built from the same [`BlockingConfig`] and [`LinkMode`] as a
/// [`BlockIndex`](crate::BlockIndex), over the same records it gives every record exactly
/// the partners [`BlockIndex::candidate_pairs`](crate::BlockIndex::candidate_pairs) pairs it
/// with (barring a hash collision, see the module notes).
///
/// ```
/// use sameas_core::Channel;
/// use sameas_match::{Dataset, KeyIndex, LinkMode, MatchConfig};
/// use sameas_normalize::NormalizeOptions;
/// use sameas_normalize::infer::{infer_schema, record_from_row};
/// use sameas_normalize::record::RecordNormalizer;
///
/// let schema = infer_schema(&["id", "name", "phone"]).unwrap().schema;
/// let normalizer = RecordNormalizer::new(schema.clone(), NormalizeOptions::default()).unwrap();
/// let normalize = |i: u64, row: &[&str]| {
///     normalizer.normalize(&record_from_row(&schema, row, i, &Channel::App))
/// };
/// let records = vec![
///     normalize(1, &["1", "张伟", "138-0013-8000"]),
///     normalize(2, &["2", "王芳", "139-0000-1111"]),
/// ];
/// let ids = vec!["1".into(), "2".into()];
/// let data = Dataset::new(schema.clone(), ids, records).unwrap();
/// let config = MatchConfig::infer(&schema, LinkMode::Dedupe);
///
/// let mut index = KeyIndex::build(&data, &config.blocking, LinkMode::Dedupe).unwrap();
/// let new = index.push(&normalize(3, &["3", "張偉", "+86 138 0013 8000"]), 0);
/// let mut candidates = Vec::new();
/// index.candidates(new, &mut candidates);
/// assert_eq!(candidates, [0]);
/// ```
#[derive(Debug, Clone)]
pub struct KeyIndex {
    mode: LinkMode,
    /// The rules' keys, each distinct part read once per record.
    key_set: RuleKeySet,
    /// Block cap per rule: its own, or the configuration's when lower.
    caps: Vec<usize>,
    /// Rule `r`'s built blocks are `rule_starts[r]..rule_starts[r + 1]`.
    rule_starts: Vec<u32>,
    /// Key hash per built block, ascending within each rule.
    block_hashes: Vec<u64>,
    /// Block `b`'s records are `members[block_starts[b]..block_starts[b + 1]]`.
    block_starts: Vec<u32>,
    /// Records per built block, ascending.
    members: Vec<u32>,
    /// In link mode, per built block, its records from source 1 (the cap applies to a
    /// block's larger side); empty otherwise.
    block_ones: Vec<u32>,
    /// Built record `i`'s blocks are `record_blocks[record_starts[i]..record_starts[i + 1]]`,
    /// ascending (so grouped by rule).
    record_starts: Vec<u32>,
    record_blocks: Vec<u32>,
    /// Source per record, built and pushed.
    sources: Vec<u8>,
    /// Records at or above this index were pushed.
    built: u32,
    /// The records pushed into each (rule, key hash).
    pushed: HashMap<(u32, u64), PushedBlock>,
    /// Per pushed record, its (rule, key hash) pairs.
    pushed_keys: Vec<Box<[(u32, u64)]>>,
    /// Blocks that a push took over their cap.
    capped_by_push: u64,
    /// The blocks pushes took over their cap since [`KeyIndex::take_crossings`]: the
    /// record whose push did, and the block's (rule, key hash).
    crossed: Vec<(u32, (u32, u64))>,
}

/// A block that pushed records joined: the built block of the same key, if any, and the
/// pushed records.
#[derive(Debug, Clone)]
struct PushedBlock {
    built: Option<u32>,
    /// Ascending, as records are pushed in index order.
    members: Vec<u32>,
    ones: u32,
}

/// One block of a record, as the index holds it now.
#[derive(Clone, Copy)]
struct Block<'a> {
    rule: usize,
    built: Option<u32>,
    pushed: Option<&'a PushedBlock>,
}

/// A record's blocking keys, computed by [`KeyIndex::keys_of`] for
/// [`KeyIndex::push_keys`].
#[derive(Debug, Clone)]
pub struct RecordKeys {
    keys: Vec<(u32, u64)>,
    /// Per key, the built block of the same rule and hash, if any: looked up with the keys
    /// (in parallel for a batch), as built blocks never change.
    built: Vec<Option<u32>>,
}

impl KeyIndex {
    /// Indexes `data` under `blocking`'s rules, with the same caps as
    /// [`BlockIndex::build`](crate::BlockIndex::build).
    ///
    /// # Errors
    /// A rule naming an unknown field or key, or more blocking keys than a `u32` counts.
    pub fn build(
        data: &Dataset,
        blocking: &BlockingConfig,
        mode: LinkMode,
    ) -> Result<KeyIndex, MatchError> {
        let rules = blocking
            .rules
            .iter()
            .map(|r| {
                CompiledKeys::compile(
                    &r.keys,
                    &data.schema,
                    &format!("blocking rule `{}`", r.name),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let caps = blocking
            .rules
            .iter()
            .map(|r| r.cap(blocking.max_block_size))
            .collect();
        let too_many = || MatchError::Input("more blocking keys than an index holds (2^32)");
        let key_set = RuleKeySet::new(rules);
        let mut rule_starts = vec![0u32];
        let mut block_hashes: Vec<u64> = Vec::new();
        let mut block_starts: Vec<u32> = Vec::new();
        let mut members: Vec<u32> = Vec::new();
        for builder in rule_builders(&key_set, &data.records) {
            // Sorted one rule at a time, each rule's entries freed once filed.
            let mut entries = builder.into_entries();
            entries.par_sort_unstable();
            // Two keys of one record with one hash are one entry.
            entries.dedup();
            members.reserve(entries.len());
            let first = block_hashes.len();
            for (hash, record) in entries {
                if block_hashes.len() == first || block_hashes.last() != Some(&hash) {
                    block_hashes.push(hash);
                    block_starts.push(u32::try_from(members.len()).map_err(|_| too_many())?);
                }
                members.push(record);
            }
            rule_starts.push(u32::try_from(block_hashes.len()).map_err(|_| too_many())?);
        }
        block_starts.push(u32::try_from(members.len()).map_err(|_| too_many())?);

        // Each record's blocks, ascending.
        let (record_starts, record_blocks) = transpose(&block_starts, &members, data.len());
        let block_ones = if mode == LinkMode::Link {
            (0..block_hashes.len())
                .map(|b| {
                    members[block_starts[b] as usize..block_starts[b + 1] as usize]
                        .iter()
                        .filter(|&&m| data.sources[m as usize] == 1)
                        .count() as u32
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(KeyIndex {
            mode,
            key_set,
            caps,
            rule_starts,
            block_hashes,
            block_starts,
            members,
            block_ones,
            record_starts,
            record_blocks,
            sources: data.sources.clone(),
            built: data.len() as u32,
            pushed: HashMap::default(),
            pushed_keys: Vec::new(),
            capped_by_push: 0,
            crossed: Vec::new(),
        })
    }

    /// This index built again over `data`, the records it holds (built and pushed, in
    /// order), under the rules it was built with: every candidate and candidate pair is as
    /// before, but the pushed records' map entries become compact built ones (see
    /// [`KeyIndex::push`]). [`KeyIndex::capped_by_push`] carries over.
    ///
    /// # Errors
    /// As [`KeyIndex::build`], and `data` holding another number of records.
    pub fn rebuilt(
        &self,
        data: &Dataset,
        blocking: &BlockingConfig,
    ) -> Result<KeyIndex, MatchError> {
        if data.len() != self.len() {
            return Err(MatchError::Input(
                "an index is built again over the records it holds",
            ));
        }
        let mut index = KeyIndex::build(data, blocking, self.mode)?;
        index.capped_by_push = self.capped_by_push;
        Ok(index)
    }

    /// Records pushed since the index was built.
    pub fn pushed_len(&self) -> usize {
        self.sources.len() - self.built as usize
    }

    /// Records the index was built over.
    pub fn built_len(&self) -> usize {
        self.built as usize
    }

    /// Adds a record from `source` (0 or 1, as in [`Dataset::sources`]); returns its index,
    /// the number of records before it. Every block it joins grows by one, and a block
    /// that grows past its cap stops pairing its records (counted by
    /// [`KeyIndex::capped_by_push`]).
    ///
    /// A pushed record's entries live in a map (about 100 bytes each against 18 for a
    /// built one); after many pushes, [`KeyIndex::rebuilt`] compacts them.
    ///
    /// # Panics
    /// When the index already holds `u32::MAX` records.
    pub fn push(&mut self, record: &NormalizedRecord, source: u8) -> u32 {
        let keys = self.keys_of(record);
        self.push_keys(keys, source)
    }

    /// A record's keys under every rule, as [`KeyIndex::push_keys`] takes them: what
    /// [`KeyIndex::push`] computes first, apart so that a batch's records can have theirs
    /// computed in parallel.
    pub fn keys_of(&self, record: &NormalizedRecord) -> RecordKeys {
        self.keys_with(record, &mut KeyScratch::default(), &mut Vec::new())
    }

    /// [`KeyIndex::keys_of`] each record, in parallel, in order.
    pub fn keys_of_each(&self, records: &[&NormalizedRecord]) -> Vec<RecordKeys> {
        records
            .par_iter()
            .map_init(
                || (KeyScratch::default(), Vec::new()),
                |(scratch, hashes), record| self.keys_with(record, scratch, hashes),
            )
            .collect()
    }

    fn keys_with(
        &self,
        record: &NormalizedRecord,
        scratch: &mut KeyScratch,
        hashes: &mut Vec<Vec<u64>>,
    ) -> RecordKeys {
        hashes.resize_with(self.key_set.rule_count(), Vec::new);
        self.key_set.hashes(record, scratch, hashes);
        // Each rule's hashes are sorted and distinct (two keys of one rule with one hash
        // are one block), the rules in order: so are the (rule, hash) pairs.
        let keys: Vec<(u32, u64)> = hashes
            .iter()
            .enumerate()
            .flat_map(|(r, rule)| rule.iter().map(move |&hash| (r as u32, hash)))
            .collect();
        debug_assert!(keys.is_sorted());
        let built = keys
            .iter()
            .map(|&(rule, hash)| self.built_block(rule as usize, hash))
            .collect();
        RecordKeys { keys, built }
    }

    /// As [`KeyIndex::push`], for keys [`KeyIndex::keys_of`] computed (over this index's
    /// rules).
    ///
    /// # Panics
    /// As [`KeyIndex::push`].
    pub fn push_keys(&mut self, keys: RecordKeys, source: u8) -> u32 {
        let RecordKeys { keys, built } = keys;
        let index = u32::try_from(self.sources.len())
            .ok()
            .filter(|&i| i < u32::MAX)
            .expect("fewer than 2^32 - 1 records");
        debug_assert!(source <= 1, "a source index is 0 or 1");
        self.sources.push(source);
        for (&(rule, hash), built) in keys.iter().zip(built) {
            let entry = self.pushed.entry((rule, hash)).or_insert(PushedBlock {
                built,
                members: Vec::new(),
                ones: 0,
            });
            let before = Self::over_cap(
                self.mode,
                self.caps[rule as usize],
                &self.block_starts,
                &self.block_ones,
                entry,
            );
            entry.members.push(index);
            entry.ones += u32::from(source == 1);
            let after = Self::over_cap(
                self.mode,
                self.caps[rule as usize],
                &self.block_starts,
                &self.block_ones,
                entry,
            );
            if after && !before {
                self.capped_by_push += 1;
                self.crossed.push((index, (rule, hash)));
            }
        }
        self.pushed_keys.push(keys.into_boxed_slice());
        index
    }

    /// Sets `out` to the records that share with `record` a key, under any rule, whose block
    /// is not capped (its size as the index holds it now, `record` included), that the link
    /// mode lets `record` pair with; ascending, without `record` itself.
    ///
    /// # Panics
    /// When `record` is not in the index.
    pub fn candidates(&self, record: u32, out: &mut Vec<u32>) {
        self.candidates_before(record, u32::MAX, out);
    }

    /// As [`KeyIndex::candidates`], as the index was before the record at `limit` was
    /// pushed: records pushed at `limit` or after neither pair nor count towards a block's
    /// size (built records always do). A batch of records pushed together then finds, for
    /// each of them with `limit` one past it, exactly what pushing them one at a time and
    /// asking after each push would have found.
    ///
    /// # Panics
    /// When `record` is not in the index.
    pub fn candidates_before(&self, record: u32, limit: u32, out: &mut Vec<u32>) {
        out.clear();
        let source = self.sources[record as usize];
        self.for_each_block(record, |block| {
            if self.capped(block, limit) {
                return;
            }
            let built = block.built.map_or(&[][..], |b| self.block_members(b));
            let pushed = block
                .pushed
                .map_or(&[][..], |p| self.pushed_before(p, limit));
            out.extend(
                built
                    .iter()
                    .chain(pushed)
                    .copied()
                    .filter(|&m| m != record && self.mode.allows(source, self.sources[m as usize])),
            );
        });
        out.sort_unstable();
        out.dedup();
    }

    /// Whether the records share a key, under any rule, whose block is not capped. The link
    /// mode is not consulted (see [`KeyIndex::is_candidate_pair`]).
    ///
    /// # Panics
    /// When either record is not in the index.
    pub fn shares_uncapped_key(&self, a: u32, b: u32) -> bool {
        self.shares_uncapped_key_before(a, b, u32::MAX)
    }

    fn shares_uncapped_key_before(&self, a: u32, b: u32, limit: u32) -> bool {
        assert!((b as usize) < self.len(), "record {b} is not in the index");
        if a < self.built && b < self.built {
            // Two built records: only the blocks both hold (their ascending lists merged)
            // are looked up among the pushed ones and sized.
            return first_shared(self.built_blocks_of(a), self.built_blocks_of(b), |block| {
                !self.capped(self.built_block_now(block), limit)
            })
            .is_some();
        }
        let mut shared = false;
        self.for_each_block(a, |block| {
            shared = shared || (self.holds(block, b) && !self.capped(block, limit));
        });
        shared
    }

    /// A built record's built blocks, ascending.
    fn built_blocks_of(&self, record: u32) -> &[u32] {
        let i = record as usize;
        &self.record_blocks[self.record_starts[i] as usize..self.record_starts[i + 1] as usize]
    }

    /// Built block `b` as the index holds it now: with the records pushed into its key.
    fn built_block_now(&self, b: u32) -> Block<'_> {
        let rule = self.rule_starts.partition_point(|&start| start <= b) - 1;
        let pushed = if self.pushed.is_empty() {
            None
        } else {
            self.pushed
                .get(&(rule as u32, self.block_hashes[b as usize]))
        };
        Block {
            rule,
            built: Some(b),
            pushed,
        }
    }

    /// Whether `a` and `b` are a candidate pair: two records the link mode lets pair that
    /// share an uncapped key. The same as `b` being among [`KeyIndex::candidates`] of `a`.
    ///
    /// # Panics
    /// When either record is not in the index.
    pub fn is_candidate_pair(&self, a: u32, b: u32) -> bool {
        self.is_candidate_pair_before(a, b, u32::MAX)
    }

    /// As [`KeyIndex::is_candidate_pair`], as the index was before the record at `limit`
    /// was pushed (see [`KeyIndex::candidates_before`]); both records are below `limit`.
    ///
    /// # Panics
    /// When either record is not in the index.
    pub fn is_candidate_pair_before(&self, a: u32, b: u32, limit: u32) -> bool {
        a != b
            && self
                .mode
                .allows(self.sources[a as usize], self.sources[b as usize])
            && self.shares_uncapped_key_before(a, b, limit)
    }

    /// How many times a push took a block over its cap. Such a block no longer pairs its
    /// records (as a batch over all the records would not), but pairs found through it
    /// before it crossed were already handed out: at most the pairs of these blocks more
    /// than a batch run over the same records, which [`KeyIndex::take_crossings`] names.
    pub fn capped_by_push(&self) -> u64 {
        self.capped_by_push
    }

    /// The blocks pushes took over their cap since the last call, each as the record whose
    /// push did (ascending) and the block's records up to it. Pairs through such a block
    /// were candidates before that record and are not after it: whoever placed records on
    /// them places those records again.
    pub fn take_crossings(&mut self) -> Vec<(u32, Vec<u32>)> {
        let crossed = std::mem::take(&mut self.crossed);
        crossed
            .into_iter()
            .map(|(record, key)| {
                let pushed = &self.pushed[&key];
                let built = pushed.built.map_or(&[][..], |b| self.block_members(b));
                let members = built
                    .iter()
                    .chain(self.pushed_before(pushed, record + 1))
                    .copied()
                    .collect();
                (record, members)
            })
            .collect()
    }

    /// Number of records, built and pushed.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// Whether the index holds no record.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Number of (rule, key, record) entries.
    pub fn entries(&self) -> usize {
        self.members.len() + self.pushed.values().map(|p| p.members.len()).sum::<usize>()
    }

    /// Bytes the index holds on the heap (the compiled rules aside), pushed records'
    /// map estimated from its capacity.
    pub fn heap_bytes(&self) -> usize {
        let pushed_entry = size_of::<((u32, u64), PushedBlock)>() + 1;
        self.rule_starts.capacity() * 4
            + self.block_hashes.capacity() * 8
            + self.block_starts.capacity() * 4
            + self.members.capacity() * 4
            + self.block_ones.capacity() * 4
            + self.record_starts.capacity() * 4
            + self.record_blocks.capacity() * 4
            + self.sources.capacity()
            + self.pushed.capacity() * pushed_entry
            + self
                .pushed
                .values()
                .map(|p| p.members.capacity() * 4)
                .sum::<usize>()
            + self.pushed_keys.capacity() * size_of::<Box<[(u32, u64)]>>()
            + self
                .pushed_keys
                .iter()
                .map(|k| size_of_val::<[(u32, u64)]>(k))
                .sum::<usize>()
    }

    fn block_members(&self, block: u32) -> &[u32] {
        let b = block as usize;
        &self.members[self.block_starts[b] as usize..self.block_starts[b + 1] as usize]
    }

    /// The built block of `rule` with key hash `hash`.
    fn built_block(&self, rule: usize, hash: u64) -> Option<u32> {
        let start = self.rule_starts[rule] as usize;
        let end = self.rule_starts[rule + 1] as usize;
        interpolation_search(&self.block_hashes[start..end], hash).map(|i| (start + i) as u32)
    }

    /// Calls `visit` with every block of `record`.
    fn for_each_block<'a>(&'a self, record: u32, mut visit: impl FnMut(Block<'a>)) {
        let i = record as usize;
        if record < self.built {
            for &b in self.built_blocks_of(record) {
                visit(self.built_block_now(b));
            }
        } else {
            for &(rule, hash) in &self.pushed_keys[i - self.built as usize] {
                let pushed = &self.pushed[&(rule, hash)];
                visit(Block {
                    rule: rule as usize,
                    built: pushed.built,
                    pushed: Some(pushed),
                });
            }
        }
    }

    /// Whether `record` is in `block`.
    fn holds(&self, block: Block<'_>, record: u32) -> bool {
        if record < self.built {
            block
                .built
                .is_some_and(|b| self.built_blocks_of(record).binary_search(&b).is_ok())
        } else {
            block
                .pushed
                .is_some_and(|p| p.members.binary_search(&record).is_ok())
        }
    }

    /// Whether `block` is over its cap, counting the records pushed before `limit`.
    fn capped(&self, block: Block<'_>, limit: u32) -> bool {
        let (mut size, mut ones) = (0, 0);
        if let Some(b) = block.built {
            size += self.block_size(b);
            ones += self.block_ones.get(b as usize).copied().unwrap_or(0) as usize;
        }
        if let Some(p) = block.pushed {
            let before = self.pushed_before(p, limit);
            size += before.len();
            ones += if before.len() == p.members.len() {
                p.ones as usize
            } else {
                before
                    .iter()
                    .filter(|&&m| self.sources[m as usize] == 1)
                    .count()
            };
        }
        cap_exceeded(self.mode, self.caps[block.rule], size, ones)
    }

    /// A pushed block's records pushed before `limit` (its members are ascending).
    fn pushed_before<'a>(&self, block: &'a PushedBlock, limit: u32) -> &'a [u32] {
        if block.members.last().is_none_or(|&m| m < limit) {
            &block.members
        } else {
            &block.members[..block.members.partition_point(|&m| m < limit)]
        }
    }

    fn block_size(&self, block: u32) -> usize {
        let b = block as usize;
        (self.block_starts[b + 1] - self.block_starts[b]) as usize
    }

    /// Whether a pushed block (with its built part) is over `cap`.
    fn over_cap(
        mode: LinkMode,
        cap: usize,
        block_starts: &[u32],
        block_ones: &[u32],
        block: &PushedBlock,
    ) -> bool {
        let (mut size, mut ones) = (block.members.len(), block.ones as usize);
        if let Some(b) = block.built {
            let b = b as usize;
            size += (block_starts[b + 1] - block_starts[b]) as usize;
            ones += block_ones.get(b).copied().unwrap_or(0) as usize;
        }
        cap_exceeded(mode, cap, size, ones)
    }
}

/// Whether a block of `size` records, `ones` of them from source 1, is over `cap`: in link
/// mode its larger side (a link block costs left × right pairs), else all of it.
#[inline]
fn cap_exceeded(mode: LinkMode, cap: usize, size: usize, ones: usize) -> bool {
    let counted = match mode {
        LinkMode::Link => ones.max(size - ones),
        _ => size,
    };
    counted > cap
}

/// The position of `hash` in `sorted` (ascending, spread evenly over `u64` as a good hash's
/// values are), found by interpolation: a few probes where a binary search over a million
/// blocks takes twenty, each a likely cache miss. A guess that cuts off little is followed
/// by a halving, so any input still takes logarithmic time.
fn interpolation_search(sorted: &[u64], hash: u64) -> Option<usize> {
    use std::cmp::Ordering;
    let (mut low, mut high) = (0usize, sorted.len());
    while high - low > 8 {
        let (first, last) = (sorted[low], sorted[high - 1]);
        if hash < first || hash > last {
            return None;
        }
        let width = high - low;
        let span = u128::from(last - first).max(1);
        let guess = low + (u128::from(hash - first) * (width - 1) as u128 / span) as usize;
        match sorted[guess].cmp(&hash) {
            Ordering::Equal => return Some(guess),
            Ordering::Less => low = guess + 1,
            Ordering::Greater => high = guess,
        }
        if (high - low) * 4 > width * 3 && high - low > 8 {
            let middle = low + (high - low) / 2;
            match sorted[middle].cmp(&hash) {
                Ordering::Equal => return Some(middle),
                Ordering::Less => low = middle + 1,
                Ordering::Greater => high = middle,
            }
        }
    }
    sorted[low..high]
        .iter()
        .position(|&h| h == hash)
        .map(|i| low + i)
}

#[cfg(test)]
mod tests {
    use super::interpolation_search;

    /// Finds every value and nothing else, on evenly spread hashes, on clustered and repeated
    /// ones, and on the edges of `u64`: as a binary search would.
    #[test]
    fn interpolation_search_finds_what_binary_search_finds() {
        let hasher = foldhash::quality::FixedState::with_seed(7);
        let spread: Vec<u64> = (0..5000u64)
            .map(|i| std::hash::BuildHasher::hash_one(&hasher, i))
            .collect();
        let clustered: Vec<u64> = (0..3000u64)
            .map(|i| if i % 3 == 0 { i } else { u64::MAX - i * i })
            .collect();
        let edges = vec![0, 1, 2, u64::MAX / 2, u64::MAX - 1, u64::MAX];
        for mut values in [spread, clustered, edges, vec![], vec![5]] {
            values.sort_unstable();
            values.dedup();
            let mut probes: Vec<u64> = values.clone();
            probes.extend(values.iter().map(|v| v.wrapping_add(1)));
            probes.extend(values.iter().map(|v| v.wrapping_sub(1)));
            probes.extend([0, 3, u64::MAX, u64::MAX - 2]);
            for probe in probes {
                assert_eq!(
                    interpolation_search(&values, probe),
                    values.binary_search(&probe).ok(),
                    "{probe} in {} values",
                    values.len()
                );
            }
        }
    }
}
