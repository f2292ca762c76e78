//! The incremental key index against the batch blocking index: the same partners for every
//! record, whether built at once or half built and half pushed.

use std::collections::{BTreeSet, HashSet};
use std::sync::LazyLock;

use proptest::prelude::*;
use sameas_match::{BlockIndex, BlockingConfig, Dataset, KeyIndex, LinkMode, MatchConfig};

use super::{dataset, generated, row_strategy};

static DATA: LazyLock<Dataset> = LazyLock::new(|| generated(2_000, 11));

/// The data with every other record from source 1 (for link and both modes).
fn with_sources(data: &Dataset, mode: LinkMode) -> Dataset {
    let mut data = data.clone();
    if mode != LinkMode::Dedupe {
        data.sources = (0..data.len()).map(|i| (i % 2) as u8).collect();
    }
    data
}

fn blocking(data: &Dataset, cap: Option<usize>) -> BlockingConfig {
    let mut blocking = MatchConfig::infer(&data.schema, LinkMode::Dedupe).blocking;
    if let Some(cap) = cap {
        blocking.max_block_size = cap;
    }
    blocking
}

/// Per record, the partners the batch pairs it with.
fn batch_partners(data: &Dataset, blocking: &BlockingConfig, mode: LinkMode) -> Vec<Vec<u32>> {
    let index = BlockIndex::build(data, &blocking.rules, blocking.max_block_size, mode).unwrap();
    let mut partners = vec![Vec::new(); data.len()];
    for &(a, b) in &index.candidate_pairs(data).pairs {
        partners[a as usize].push(b);
        partners[b as usize].push(a);
    }
    for p in &mut partners {
        p.sort_unstable();
    }
    partners
}

fn capped_blocks(data: &Dataset, blocking: &BlockingConfig, mode: LinkMode) -> u64 {
    BlockIndex::build(data, &blocking.rules, blocking.max_block_size, mode)
        .unwrap()
        .candidate_pairs(data)
        .stats
        .iter()
        .map(|s| s.capped_blocks)
        .sum()
}

fn first(data: &Dataset, n: usize) -> Dataset {
    Dataset::with_sources(
        data.schema.clone(),
        data.ids[..n].to_vec(),
        data.sources[..n].to_vec(),
        data.records[..n].to_vec(),
    )
    .unwrap()
}

/// Checks `index` (over all of `data`) against the batch, record by record.
fn assert_batch_partners(index: &KeyIndex, partners: &[Vec<u32>]) {
    assert_eq!(index.len(), partners.len());
    let mut out = Vec::new();
    for (record, expected) in partners.iter().enumerate() {
        index.candidates(record as u32, &mut out);
        assert_eq!(&out, expected, "record {record}");
        for &partner in expected {
            assert!(index.is_candidate_pair(record as u32, partner));
            assert!(index.shares_uncapped_key(partner, record as u32));
        }
    }
}

/// Checks that `index`, asked as it was before each pushed record's successor arrived,
/// gives the candidates that record had when it was pushed (`as_pushed`, from `split`
/// on), and that a pair is a candidate pair then exactly when it was one of them.
fn assert_as_pushed(index: &KeyIndex, split: usize, as_pushed: &[Vec<u32>]) {
    let mut out = Vec::new();
    for (k, expected) in as_pushed.iter().enumerate() {
        let record = (split + k) as u32;
        index.candidates_before(record, record + 1, &mut out);
        assert_eq!(&out, expected, "record {record}");
        // Every earlier record of a small index, a stride of a large one, and the candidates.
        let stride = if record > 64 { 37 } else { 1 };
        for other in (0..record).step_by(stride).chain(expected.iter().copied()) {
            assert_eq!(
                index.is_candidate_pair_before(other, record, record + 1),
                expected.binary_search(&other).is_ok(),
                "{other} {record}"
            );
        }
    }
}

/// Builds over the first `split` records and pushes the rest; returns the index and every
/// pair the pushes handed out (a pushed record with the candidates it had when pushed),
/// with the batch pairs of the first part. Checks the candidates each record had when
/// pushed against [`KeyIndex::candidates_before`] on the final index.
fn built_then_pushed(
    data: &Dataset,
    blocking: &BlockingConfig,
    mode: LinkMode,
    split: usize,
) -> (KeyIndex, BTreeSet<(u32, u32)>) {
    let head = first(data, split);
    let mut index = KeyIndex::build(&head, blocking, mode).unwrap();
    let mut handed_out: BTreeSet<(u32, u32)> = batch_partners(&head, blocking, mode)
        .iter()
        .enumerate()
        .flat_map(|(a, p)| p.iter().map(move |&b| (a as u32, b)))
        .filter(|&(a, b)| a < b)
        .collect();
    let mut out = Vec::new();
    let mut as_pushed = Vec::new();
    for i in split..data.len() {
        let record = index.push(&data.records[i], data.sources[i]);
        assert_eq!(record as usize, i);
        index.candidates(record, &mut out);
        assert!(
            out.iter().all(|&c| c < record),
            "only earlier records exist"
        );
        handed_out.extend(out.iter().map(|&c| (c, record)));
        as_pushed.push(out.clone());
    }
    assert_as_pushed(&index, split, &as_pushed);
    (index, handed_out)
}

#[test]
fn every_record_has_the_partners_the_batch_pairs_it_with() {
    for mode in [LinkMode::Dedupe, LinkMode::Link, LinkMode::Both] {
        let data = with_sources(&DATA, mode);
        for cap in [None, Some(4)] {
            let blocking = blocking(&data, cap);
            let partners = batch_partners(&data, &blocking, mode);
            assert!(partners.iter().any(|p| !p.is_empty()));
            let index = KeyIndex::build(&data, &blocking, mode).unwrap();
            assert_batch_partners(&index, &partners);
            assert_eq!(index.capped_by_push(), 0);
            // Records that are not partners are not candidate pairs.
            for a in (0..data.len() as u32).step_by(97) {
                for b in (0..data.len() as u32).step_by(89) {
                    let paired = partners[a as usize].binary_search(&b).is_ok();
                    assert_eq!(index.is_candidate_pair(a, b), paired, "{mode:?} {a} {b}");
                }
            }
        }
    }
}

/// Over more records than the index computes keys for at once (16,384), every record still
/// has the batch's partners: each key is filed under its own record.
#[test]
fn a_build_over_many_chunks_of_records_gives_the_batch_partners() {
    let data = generated(20_000, 12);
    let blocking = blocking(&data, None);
    let partners = batch_partners(&data, &blocking, LinkMode::Dedupe);
    let index = KeyIndex::build(&data, &blocking, LinkMode::Dedupe).unwrap();
    assert_batch_partners(&index, &partners);
    assert!(partners[16_384..].iter().any(|p| !p.is_empty()));
}

#[test]
fn pushing_records_one_by_one_gives_the_batch_candidates() {
    for mode in [LinkMode::Dedupe, LinkMode::Link, LinkMode::Both] {
        let data = with_sources(&DATA, mode);
        for cap in [None, Some(4)] {
            let blocking = blocking(&data, cap);
            let split = data.len() / 2;
            let (index, handed_out) = built_then_pushed(&data, &blocking, mode, split);
            let partners = batch_partners(&data, &blocking, mode);
            assert_batch_partners(&index, &partners);
            // A block only grows, so each block capped at the end but not after the build
            // crossed its cap once, during a push.
            let crossed = capped_blocks(&data, &blocking, mode)
                - capped_blocks(&first(&data, split), &blocking, mode);
            assert_eq!(index.capped_by_push(), crossed, "{mode:?} {cap:?}");
            let batch: BTreeSet<(u32, u32)> = partners
                .iter()
                .enumerate()
                .flat_map(|(a, p)| p.iter().map(move |&b| (a as u32, b)))
                .filter(|&(a, b)| a < b)
                .collect();
            // Pairs handed out before their block crossed its cap are extra; without a
            // crossing the pushes hand out exactly the batch pairs.
            assert!(handed_out.is_superset(&batch));
            if crossed == 0 {
                assert_eq!(handed_out, batch, "{mode:?} {cap:?}");
            } else {
                assert!(handed_out.len() > batch.len());
            }
            // Each crossing names a block's records, the record that crossed among them:
            // every extra pair lies within one, so re-placing them takes every extra pair back.
            let crossings = index.clone().take_crossings();
            assert_eq!(crossings.len() as u64, crossed, "{mode:?} {cap:?}");
            for (at, members) in &crossings {
                assert!(members.contains(at) && members.len() > 1);
            }
            for &(a, b) in handed_out.difference(&batch) {
                assert!(
                    crossings
                        .iter()
                        .any(|(_, m)| m.contains(&a) && m.contains(&b)),
                    "{mode:?} {cap:?}: extra pair {a}-{b} outside every crossed block"
                );
            }
            if cap.is_some() {
                assert!(crossed > 0, "a cap of 4 is crossed somewhere ({mode:?})");
            }
        }
    }
}

#[test]
fn the_index_takes_few_bytes_per_entry() {
    let data = &*DATA;
    let index = KeyIndex::build(data, &blocking(data, None), LinkMode::Dedupe).unwrap();
    let per_entry = index.heap_bytes() as f64 / index.entries() as f64;
    // A record's entry (4), the block's record (4), and a share of the block's hash and
    // start (12) and of the record's start and source (5).
    // Twenty rules; a generated record has a key under about six of them.
    assert!(index.entries() > 4 * data.len());
    assert!(per_entry < 24.0, "{per_entry}");
}

#[test]
fn a_rule_over_an_unknown_field_is_refused() {
    let data = &*DATA;
    let mut blocking = blocking(data, None);
    blocking.rules[0].keys[0].fields = vec!["no_such_field".into()];
    assert!(KeyIndex::build(data, &blocking, LinkMode::Dedupe).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Built at once or pushed after any prefix, every record's candidates are the batch's
    /// partners, and a pair is a candidate pair exactly when the batch pairs it.
    #[test]
    fn candidates_are_the_batch_partners(
        rows in proptest::collection::vec(row_strategy(), 1..40),
        cap in 2usize..8,
        mode in prop_oneof![Just(LinkMode::Dedupe), Just(LinkMode::Link), Just(LinkMode::Both)],
        split in 0usize..40,
    ) {
        let sources: Vec<u8> = (0..rows.len()).map(|i| (i % 3 == 0) as u8).collect();
        let data = dataset(&rows, Some(&sources));
        let mut blocking = blocking(&data, Some(cap));
        if let Some(rule) = blocking.rules.get_mut(1) {
            rule.max_block_size = Some(2);
        }
        let partners = batch_partners(&data, &blocking, mode);
        let split = split.min(rows.len());
        let (index, handed_out) = built_then_pushed(&data, &blocking, mode, split);
        let mut out = Vec::new();
        for a in 0..data.len() as u32 {
            index.candidates(a, &mut out);
            prop_assert_eq!(&out, &partners[a as usize]);
            let expected: HashSet<u32> = partners[a as usize].iter().copied().collect();
            for b in 0..data.len() as u32 {
                prop_assert_eq!(index.is_candidate_pair(a, b), expected.contains(&b));
            }
        }
        let batch = partners
            .iter()
            .enumerate()
            .flat_map(|(a, p)| p.iter().map(move |&b| (a as u32, b)))
            .filter(|&(a, b)| a < b)
            .count();
        prop_assert!(handed_out.len() >= batch);
        if index.capped_by_push() == 0 {
            prop_assert_eq!(handed_out.len(), batch);
        }
    }

    /// An index built again part-way through its pushes hands out, at every later push, the
    /// candidates one that never was built again hands out, and ends with the same candidate
    /// pairs and the same count of blocks pushed over their cap.
    #[test]
    fn building_again_after_pushes_changes_no_candidate(
        rows in proptest::collection::vec(row_strategy(), 1..40),
        cap in 2usize..8,
        mode in prop_oneof![Just(LinkMode::Dedupe), Just(LinkMode::Link), Just(LinkMode::Both)],
        split in 0usize..40,
        again in 0usize..40,
    ) {
        let sources: Vec<u8> = (0..rows.len()).map(|i| (i % 3 == 0) as u8).collect();
        let data = dataset(&rows, Some(&sources));
        let blocking = blocking(&data, Some(cap));
        let split = split.min(rows.len());
        let again = again.clamp(split, rows.len());
        let mut plain = KeyIndex::build(&first(&data, split), &blocking, mode).unwrap();
        let mut compacted = plain.clone();
        let (mut expected, mut out) = (Vec::new(), Vec::new());
        for i in split..data.len() {
            if i == again {
                compacted = compacted.rebuilt(&first(&data, i), &blocking).unwrap();
                prop_assert_eq!((compacted.built_len(), compacted.pushed_len()), (i, 0));
            }
            let record = plain.push(&data.records[i], data.sources[i]);
            prop_assert_eq!(compacted.push(&data.records[i], data.sources[i]), record);
            plain.candidates(record, &mut expected);
            compacted.candidates(record, &mut out);
            prop_assert_eq!(&out, &expected);
        }
        for a in 0..data.len() as u32 {
            for b in 0..data.len() as u32 {
                prop_assert_eq!(compacted.is_candidate_pair(a, b), plain.is_candidate_pair(a, b));
            }
        }
        prop_assert_eq!(compacted.capped_by_push(), plain.capped_by_push());
        if split < data.len() {
            // Built again over fewer records than it holds: refused.
            prop_assert!(compacted.rebuilt(&first(&data, split), &blocking).is_err());
        }
    }
}
