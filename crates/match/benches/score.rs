//! Criterion benches of the match stage on generated retail records (the synth generator's
//! default difficulty, 12 columns, 10 compared fields): scoring candidate pairs (the
//! pairs-per-second figure), each comparison alone, blocking, compiling a matcher, and
//! training.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sameas_core::Channel;
use sameas_match::{BlockIndex, Dataset, LinkMode, MatchConfig, Matcher, train};
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

fn match_stage(c: &mut Criterion) {
    for records in [10_000u64, 50_000] {
        let data = generated(records);
        let mut config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        config.model = Some(train(&config, &data).unwrap());
        let matcher = Matcher::new(&config, &data).unwrap();
        let blocking = &config.blocking;
        let index = BlockIndex::build(
            &data,
            &blocking.rules,
            blocking.max_block_size,
            LinkMode::Dedupe,
        )
        .unwrap();
        let pairs = index.candidate_pairs(&data).pairs;

        let mut group = c.benchmark_group("score_pairs");
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(records), &pairs, |b, pairs| {
            b.iter(|| black_box(matcher.score(pairs)))
        });
        // One thread: the per-core figure.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        group.bench_with_input(
            BenchmarkId::new("one_thread", records),
            &pairs,
            |b, pairs| b.iter(|| one.install(|| black_box(matcher.score(pairs)))),
        );
        group.finish();

        let mut group = c.benchmark_group("block");
        group.sample_size(10);
        group.throughput(Throughput::Elements(records));
        group.bench_function(BenchmarkId::from_parameter(records), |b| {
            b.iter(|| {
                let index = BlockIndex::build(
                    &data,
                    &blocking.rules,
                    blocking.max_block_size,
                    LinkMode::Dedupe,
                )
                .unwrap();
                black_box(index.candidate_pairs(&data))
            })
        });
        group.finish();

        if records == 10_000 {
            // Each comparison alone (one thread): a matcher with that comparison and its
            // trained levels only, over the same candidate pairs.
            let model = config.model.as_ref().unwrap();
            let mut group = c.benchmark_group("score_comparison");
            group.sample_size(20);
            group.throughput(Throughput::Elements(pairs.len() as u64));
            for (at, comparison) in config.comparisons.iter().enumerate() {
                let mut single = config.clone();
                single.comparisons = vec![comparison.clone()];
                let mut single_model = model.clone();
                single_model.comparisons = vec![model.comparisons[at].clone()];
                single.model = Some(single_model);
                let matcher = Matcher::new(&single, &data).unwrap();
                group.bench_with_input(
                    BenchmarkId::new(&comparison.name, records),
                    &pairs,
                    |b, pairs| b.iter(|| one.install(|| black_box(matcher.score(pairs)))),
                );
            }
            group.finish();

            // Compiling the matcher: comparators, and the term-frequency tables counted.
            let mut group = c.benchmark_group("compile");
            group.sample_size(20);
            group.throughput(Throughput::Elements(records));
            group.bench_function(BenchmarkId::from_parameter(records), |b| {
                b.iter(|| black_box(Matcher::new(&config, &data).unwrap()))
            });
            group.finish();

            let mut group = c.benchmark_group("train");
            group.sample_size(10);
            group.throughput(Throughput::Elements(records));
            group.bench_function(BenchmarkId::from_parameter(records), |b| {
                b.iter(|| black_box(train(&config, &data).unwrap()))
            });
            group.finish();
        }
    }
}

criterion_group!(benches, match_stage);
criterion_main!(benches);
