//! Criterion benches of incremental matching on generated retail records: the key index's
//! candidates of a record, pushing a record and reading its candidates, building the index,
//! and compiling a matcher with frozen term frequencies over a record and its candidates.
//!
//! `KEY_INDEX_RECORDS` sets the dataset size (default 100,000); the index's size is printed.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sameas_core::Channel;
use sameas_match::{Dataset, KeyIndex, LinkMode, MatchConfig, Matcher, train};
use sameas_normalize::NormalizeOptions;
use sameas_normalize::infer::infer_schema;
use sameas_normalize::record::RecordNormalizer;
use sameas_normalize::table::read_csv;
use sameas_synth::{SynthConfig, write_csv};

fn generated(records: u64) -> Dataset {
    let config = SynthConfig {
        records,
        seed: 1,
        ..SynthConfig::default()
    };
    let mut data = Vec::new();
    write_csv(&config, &mut data, std::io::sink()).unwrap();
    let table = read_csv(&data, None).unwrap();
    let schema = infer_schema(&table.headers).unwrap().schema;
    let options = NormalizeOptions {
        reference_date: Some(jiff::civil::date(2026, 1, 1)),
        ..NormalizeOptions::default()
    };
    let normalizer = RecordNormalizer::new(schema, options).unwrap();
    Dataset::from_table(&table, &normalizer, &Channel::Unknown)
        .unwrap()
        .0
}

/// The first `n` records of `data`.
fn head(data: &Dataset, n: usize) -> Dataset {
    Dataset::new(
        data.schema.clone(),
        data.ids[..n].to_vec(),
        data.records[..n].to_vec(),
    )
    .unwrap()
}

/// Records pushed (or looked up) per iteration.
const BATCH: usize = 1_000;

/// Matchers compiled per iteration.
const NEIGHBOURHOODS: usize = 100;

fn incremental(c: &mut Criterion) {
    let records: usize = std::env::var("KEY_INDEX_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let data = generated(records as u64);
    let config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
    let blocking = &config.blocking;
    let index = KeyIndex::build(&data, blocking, LinkMode::Dedupe).unwrap();
    eprintln!(
        "key index over {records} records, {} rules: {} entries, {:.1} MB, {:.1} bytes per entry",
        blocking.rules.len(),
        index.entries(),
        index.heap_bytes() as f64 / 1e6,
        index.heap_bytes() as f64 / index.entries() as f64,
    );

    let mut group = c.benchmark_group("key_index");
    group.throughput(Throughput::Elements(BATCH as u64));
    let step = records / BATCH;
    group.bench_function(BenchmarkId::new("candidates", records), |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut found = 0;
            for record in (0..records).step_by(step).take(BATCH) {
                index.candidates(record as u32, &mut out);
                found += out.len();
            }
            black_box(found)
        })
    });
    // The last records arrive one by one after a build over the others. (Setup that only
    // a bench needs is done in its closure, which runs only when the bench is selected.)
    let built = std::cell::OnceCell::new();
    group.bench_function(BenchmarkId::new("push_and_candidates", records), |b| {
        let built = built.get_or_init(|| {
            KeyIndex::build(&head(&data, records - BATCH), blocking, LinkMode::Dedupe).unwrap()
        });
        let mut out = Vec::new();
        b.iter_batched(
            || built.clone(),
            |mut index| {
                let mut found = 0;
                for record in &data.records[records - BATCH..] {
                    let new = index.push(record, 0);
                    index.candidates(new, &mut out);
                    found += out.len();
                }
                black_box((index, found))
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("key_index_build");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records as u64));
    group.bench_function(BenchmarkId::from_parameter(records), |b| {
        b.iter(|| black_box(KeyIndex::build(&data, blocking, LinkMode::Dedupe).unwrap()))
    });
    group.finish();

    // A record and its candidates, compiled with the full data's term frequencies: the
    // matcher incremental scoring builds per record. Beside it, the same compiled counting
    // over the few records (the wrong tables): the difference is the cost of the lookups.
    // The setup (training on the whole data) runs once, and only when a bench here is
    // selected.
    let setup = std::cell::OnceCell::new();
    let setup = || {
        setup.get_or_init(|| {
            let mut config = config.clone();
            config.model = Some(train(&config, &data).unwrap());
            let frequencies = Matcher::new(&config, &data).unwrap().term_frequencies();
            let mut out = Vec::new();
            let neighbourhoods: Vec<Dataset> = (0..records)
                .step_by(step)
                .take(NEIGHBOURHOODS)
                .map(|record| {
                    index.candidates(record as u32, &mut out);
                    let members: Vec<usize> = std::iter::once(record)
                        .chain(out.iter().map(|&c| c as usize))
                        .collect();
                    Dataset::new(
                        data.schema.clone(),
                        members.iter().map(|&i| data.ids[i].clone()).collect(),
                        members.iter().map(|&i| data.records[i].clone()).collect(),
                    )
                    .unwrap()
                })
                .collect();
            (config, frequencies, neighbourhoods)
        })
    };
    let mut group = c.benchmark_group("frozen_matcher");
    group.throughput(Throughput::Elements(NEIGHBOURHOODS as u64));
    group.bench_function(BenchmarkId::new("frozen", records), |b| {
        let (config, frequencies, neighbourhoods) = setup();
        b.iter(|| {
            for small in neighbourhoods {
                let matcher = Matcher::with_term_frequencies(config, small, frequencies).unwrap();
                let pairs: Vec<(u32, u32)> = (1..small.len() as u32).map(|c| (0, c)).collect();
                black_box(matcher.score(&pairs));
            }
        })
    });
    group.bench_function(BenchmarkId::new("counted", records), |b| {
        let (config, _, neighbourhoods) = setup();
        b.iter(|| {
            for small in neighbourhoods {
                let matcher = Matcher::new(config, small).unwrap();
                let pairs: Vec<(u32, u32)> = (1..small.len() as u32).map(|c| (0, c)).collect();
                black_box(matcher.score(&pairs));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, incremental);
criterion_main!(benches);
