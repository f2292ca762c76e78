//! Frozen term frequencies: a matcher compiled over a few records of a dataset with the
//! dataset's tables scores their pairs exactly as the matcher over the whole dataset does.

use std::sync::LazyLock;

use proptest::prelude::*;
use sameas_match::{
    BlockIndex, Dataset, LinkMode, MatchConfig, MatchError, Matcher, TermFrequencies,
};

use super::{dataset, generated, trained};

/// A generated dataset, its trained configuration and the tables counted over it.
struct Fixture {
    data: Dataset,
    config: MatchConfig,
    frequencies: TermFrequencies,
    /// Candidate pairs of the whole dataset: pairs that agree on something.
    candidates: Vec<(u32, u32)>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let data = generated(1_500, 7);
    let config = trained(&data, LinkMode::Dedupe);
    let frequencies = Matcher::new(&config, &data).unwrap().term_frequencies();
    let blocking = &config.blocking;
    let candidates = BlockIndex::build(
        &data,
        &blocking.rules,
        blocking.max_block_size,
        LinkMode::Dedupe,
    )
    .unwrap()
    .candidate_pairs(&data)
    .pairs;
    Fixture {
        data,
        config,
        frequencies,
        candidates,
    }
});

/// The records `indices` of `data`, in that order, as a dataset of their own.
fn subset(data: &Dataset, indices: &[usize]) -> Dataset {
    Dataset::with_sources(
        data.schema.clone(),
        indices.iter().map(|&i| data.ids[i].clone()).collect(),
        indices.iter().map(|&i| data.sources[i]).collect(),
        indices.iter().map(|&i| data.records[i].clone()).collect(),
    )
    .unwrap()
}

/// Asserts that `pairs` of `small` (indices into it) score bit-identically to the same
/// pairs of `full` under `to_full`; returns how many exact levels carried an adjustment.
fn assert_same_scores(
    full: &Matcher,
    small: &Matcher,
    pairs: &[(u32, u32)],
    to_full: &[usize],
) -> usize {
    let in_full: Vec<(u32, u32)> = pairs
        .iter()
        .map(|&(a, b)| (to_full[a as usize] as u32, to_full[b as usize] as u32))
        .collect();
    let expected = full.score(&in_full);
    let got = small.score(pairs);
    for i in 0..pairs.len() {
        assert_eq!(
            got.weights[i].to_bits(),
            expected.weights[i].to_bits(),
            "weight of pair {:?} (full {:?})",
            pairs[i],
            in_full[i]
        );
        assert_eq!(
            got.probabilities[i].to_bits(),
            expected.probabilities[i].to_bits()
        );
        assert_eq!(got.levels_of(i), expected.levels_of(i));
    }
    pairs
        .iter()
        .filter(|&&(a, b)| {
            small
                .explain(a as usize, b as usize)
                .comparisons
                .iter()
                .any(|c| c.term_frequency_adjustment != 0.0)
        })
        .count()
}

/// A seeded pick of `pairs` candidate pairs (both records) and `singles` other records, in
/// a seeded order without repeats.
fn pick(fixture: &Fixture, seed: u64, pairs: usize, singles: usize) -> Vec<usize> {
    let mut state = seed | 1;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut chosen = Vec::new();
    for _ in 0..pairs {
        let (a, b) = fixture.candidates[next(fixture.candidates.len())];
        chosen.extend([a as usize, b as usize]);
    }
    for _ in 0..singles {
        chosen.push(next(fixture.data.len()));
    }
    let mut seen = std::collections::HashSet::new();
    chosen.retain(|&i| seen.insert(i));
    for i in (1..chosen.len()).rev() {
        chosen.swap(i, next(i + 1));
    }
    chosen
}

fn all_pairs(n: usize) -> Vec<(u32, u32)> {
    (0..n as u32)
        .flat_map(|a| (0..n as u32).filter(move |&b| b != a).map(move |b| (a, b)))
        .collect()
}

#[test]
fn frozen_tables_score_a_subset_as_the_full_data_does() {
    let fixture = &*FIXTURE;
    let full = Matcher::new(&fixture.config, &fixture.data).unwrap();
    let mut adjusted = 0;
    for seed in 0..6 {
        let chosen = pick(fixture, seed, 30, 20);
        let small = subset(&fixture.data, &chosen);
        let matcher =
            Matcher::with_term_frequencies(&fixture.config, &small, &fixture.frequencies).unwrap();
        adjusted += assert_same_scores(&full, &matcher, &all_pairs(chosen.len()), &chosen);
        // Counted over the subset instead, the weights move.
        let counted = Matcher::new(&fixture.config, &small).unwrap();
        let pairs = all_pairs(chosen.len());
        let (a, b) = (counted.score(&pairs), matcher.score(&pairs));
        assert_ne!(a.weights, b.weights);
    }
    // Pairs that agree exactly on a value with term frequencies on, so the adjustment was
    // exercised and not only the plain weights.
    assert!(adjusted > 50, "{adjusted}");
}

/// A matcher over some records of a dataset read in place scores their pairs as a matcher
/// over the whole dataset does, deterministic rules included (against the blocking
/// index's own reading of the rule's keys).
#[test]
fn a_matcher_over_positions_scores_as_the_full_data_does() {
    let fixture = &*FIXTURE;
    let mut config = fixture.config.clone();
    config.deterministic_rules = config.blocking.rules.clone();
    let rules = BlockIndex::build(
        &fixture.data,
        &config.deterministic_rules,
        usize::MAX,
        LinkMode::Dedupe,
    )
    .unwrap();
    let full =
        Matcher::with_term_frequencies(&config, &fixture.data, &fixture.frequencies).unwrap();
    let mut forced = 0;
    for seed in 0..4 {
        let chosen = pick(fixture, seed, 30, 20);
        let positions: Vec<u32> = chosen.iter().map(|&i| i as u32).collect();
        let over = Matcher::with_term_frequencies_over(
            &config,
            &fixture.data,
            &positions,
            &fixture.frequencies,
        )
        .unwrap();
        let pairs = all_pairs(chosen.len());
        assert_same_scores(&full, &over, &pairs, &chosen);
        for &(a, b) in &pairs {
            let shared = (0..rules.rule_count())
                .filter(|&r| rules.share_key(r, chosen[a as usize], chosen[b as usize]))
                .count();
            let why = over.explain(a as usize, b as usize);
            assert_eq!(why.deterministic_rules.len(), shared);
            forced += usize::from(shared > 0);
        }
    }
    assert!(forced > 0);
    let outside = [fixture.data.len() as u32];
    assert!(
        Matcher::with_term_frequencies_over(&config, &fixture.data, &outside, &fixture.frequencies)
            .is_err()
    );
}

#[test]
fn frozen_tables_over_the_full_data_are_the_counted_ones() {
    let fixture = &*FIXTURE;
    let config = &fixture.config;
    let counted = Matcher::new(config, &fixture.data).unwrap();
    let frozen =
        Matcher::with_term_frequencies(config, &fixture.data, &fixture.frequencies).unwrap();
    let identity: Vec<usize> = (0..fixture.data.len()).collect();
    let mut pairs = fixture.candidates.clone();
    pairs.extend((0..fixture.data.len() as u32 - 1).map(|i| (i, i + 1)));
    let adjusted = assert_same_scores(&counted, &frozen, &pairs, &identity);
    assert!(adjusted > 100, "{adjusted}");
    assert_eq!(frozen.term_frequencies(), fixture.frequencies);
}

#[test]
fn tables_hold_every_comparison_with_term_frequencies_on() {
    let fixture = &*FIXTURE;
    let config = &fixture.config;
    assert_eq!(
        fixture.frequencies.comparisons.len(),
        config.comparisons.len()
    );
    for (comparison, terms) in config
        .comparisons
        .iter()
        .zip(&fixture.frequencies.comparisons)
    {
        assert_eq!(comparison.name, terms.comparison);
        assert_eq!(comparison.term_frequency, terms.table.is_some());
        if let Some(table) = &terms.table {
            assert!(!table.is_empty(), "{}", comparison.name);
            assert!(table.with_value() as usize <= fixture.data.len());
            assert!(
                table
                    .repeated_counts()
                    .all(|n| n >= 2 && n <= table.with_value())
            );
            assert!(table.agree() > 0.0 && table.agree() <= 1.0);
        }
    }
    // The synthetic people share family names: the most common one is held by many.
    let family = fixture
        .frequencies
        .comparisons
        .iter()
        .find(|c| c.comparison == "family_name")
        .and_then(|c| c.table.as_ref())
        .unwrap();
    assert!(family.repeated_counts().max().unwrap() > 20);
}

#[test]
fn tables_round_trip_through_json_exactly() {
    let frequencies = &FIXTURE.frequencies;
    let json = serde_json::to_string(frequencies).unwrap();
    let back: TermFrequencies = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, frequencies);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    for (a, b) in back.comparisons.iter().zip(&frequencies.comparisons) {
        if let (Some(a), Some(b)) = (&a.table, &b.table) {
            assert_eq!(a.agree().to_bits(), b.agree().to_bits());
        }
    }
}

#[test]
fn tables_that_are_not_the_configurations_are_refused() {
    let fixture = &*FIXTURE;
    let config = &fixture.config;
    let small = subset(&fixture.data, &[0, 1, 2]);
    let refused = |frequencies: &TermFrequencies| match Matcher::with_term_frequencies(
        config,
        &small,
        frequencies,
    ) {
        Err(MatchError::Config(message)) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    };
    let mut fewer = fixture.frequencies.clone();
    fewer.comparisons.pop();
    assert!(refused(&fewer).contains("comparisons"));
    let mut renamed = fixture.frequencies.clone();
    renamed.comparisons[0].comparison = "something_else".into();
    assert!(refused(&renamed).contains("something_else"));
    let on = config
        .comparisons
        .iter()
        .position(|c| c.term_frequency)
        .unwrap();
    let mut missing = fixture.frequencies.clone();
    missing.comparisons[on].table = None;
    assert!(refused(&missing).contains("missing"));
    let off = config
        .comparisons
        .iter()
        .position(|c| !c.term_frequency)
        .unwrap();
    let mut extra = fixture.frequencies.clone();
    extra.comparisons[off].table = fixture.frequencies.comparisons[on].table.clone();
    assert!(refused(&extra).contains("given"));
}

#[test]
fn a_value_the_tables_never_saw_counts_once() {
    // Counted over rows whose phones never include the last pool phone; then two records
    // that share it are scored with those tables.
    let rows: Vec<super::Row> = (0..40)
        .map(|i| [i % 9, i % 4, i % 5, i % 5, i % 4, i % 3])
        .collect();
    let counted_over = dataset(&rows, None);
    let config = trained(&counted_over, LinkMode::Dedupe);
    let frequencies = Matcher::new(&config, &counted_over)
        .unwrap()
        .term_frequencies();
    let new = dataset(&[[0, 4, 4, 4, 3, 2], [1, 4, 4, 4, 3, 2]], None);
    let matcher = Matcher::with_term_frequencies(&config, &new, &frequencies).unwrap();
    let phone = matcher
        .explain(0, 1)
        .comparisons
        .into_iter()
        .find(|c| c.comparison == "phone")
        .unwrap();
    assert_eq!(phone.level, "exact");
    let table = frequencies
        .comparisons
        .iter()
        .find(|c| c.comparison == "phone")
        .and_then(|c| c.table.as_ref())
        .unwrap();
    assert_eq!(table.count("+8613800138001"), 1);
    let once = (table.agree() / (1.0 / f64::from(table.with_value()))).log2();
    assert_eq!(phone.term_frequency_adjustment.to_bits(), once.to_bits());
    // The rarest value: at least the adjustment of the rarest counted phone.
    let rarest = table.repeated_counts().min().unwrap();
    assert!(once >= (table.agree() / (f64::from(rarest) / f64::from(table.with_value()))).log2());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any subset, in any order, scores every one of its pairs as the full data does.
    #[test]
    fn any_subset_scores_as_the_full_data(
        seed in any::<u64>(),
        pairs in 0usize..12,
        singles in 1usize..12,
    ) {
        let fixture = &*FIXTURE;
        let full = Matcher::new(&fixture.config, &fixture.data).unwrap();
        let chosen = pick(fixture, seed, pairs, singles);
        let small = subset(&fixture.data, &chosen);
        let matcher = Matcher::with_term_frequencies(
            &fixture.config,
            &small,
            &fixture.frequencies,
        )
        .unwrap();
        assert_same_scores(&full, &matcher, &all_pairs(chosen.len()), &chosen);
    }
}

/// A matcher compiled over a dataset's first records and extended, step by step, to the
/// rest scores every pair as one compiled over all of them at once: with tables counted
/// over only part of the data (so extending meets terms the tables lack), deterministic
/// rules included.
#[test]
fn an_extended_matcher_scores_as_one_compiled_over_all() {
    let fixture = &*FIXTURE;
    let mut config = fixture.config.clone();
    config.deterministic_rules = config.blocking.rules.clone();
    let first: Vec<usize> = (0..500).collect();
    let frequencies = Matcher::new(&config, &subset(&fixture.data, &first))
        .unwrap()
        .term_frequencies();
    let all = Matcher::with_term_frequencies(&config, &fixture.data, &frequencies).unwrap();
    let mut growing = subset(&fixture.data, &(0..100).collect::<Vec<_>>());
    let mut extended = Matcher::with_term_frequencies(&config, &growing, &frequencies).unwrap();
    for end in [101, 104, 300, 1_000, fixture.data.len()] {
        for i in growing.len()..end {
            growing.ids.push(fixture.data.ids[i].clone());
            growing.sources.push(fixture.data.sources[i]);
            growing.records.push(fixture.data.records[i].clone());
        }
        extended.extend(&growing, &frequencies).unwrap();
        assert_eq!(extended.len(), end);
    }
    let identity: Vec<usize> = (0..fixture.data.len()).collect();
    let mut pairs = fixture.candidates.clone();
    pairs.extend((0..fixture.data.len() as u32 - 1).map(|i| (i, i + 1)));
    let adjusted = assert_same_scores(&all, &extended, &pairs, &identity);
    assert!(adjusted > 100, "{adjusted}");
    for &(a, b) in pairs.iter().step_by(7) {
        assert_eq!(
            extended.explain(a as usize, b as usize),
            all.explain(a as usize, b as usize)
        );
    }
    // Counted over its own records, a matcher's scores would move: it takes none.
    let mut counted = Matcher::new(&config, &subset(&fixture.data, &first)).unwrap();
    assert!(counted.extend(&fixture.data, &frequencies).is_err());
}
