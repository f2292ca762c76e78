//! Criterion benches of the resolver's pipeline on generated retail records (the synth
//! generator's default difficulty, seed 1), by input size: blocking, constrained clustering
//! and connected components of the scored pairs, entity ids, golden records, and
//! [`Resolver`] end to end from CSV bytes (parse, normalize, train, block, score, cluster,
//! golden records; no file I/O, no output files).
//!
//! `PIPELINE_RECORDS` sets the sizes (comma-separated; default `10000,100000`).

use std::hint::black_box;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use rayon::prelude::*;
use sameas::table::read_csv;
use sameas::{Channel, Control, InputTable, Resolver, ResolverConfig};
use sameas_match::{BlockIndex, Dataset, LinkMode, Matcher, ScoredPairs, train};
use sameas_merge::cluster::{ClusterProblem, ClusteringMethod, Edge, Vouching, cluster};
use sameas_merge::golden::GoldenInput;
use sameas_merge::graph::IdentityGraph;
use sameas_normalize::IssueKind;
use sameas_normalize::record::RecordNormalizer;
use sameas_synth::{SynthConfig, write_csv};

/// What the stages after scoring start from, built once per size.
struct Scored {
    config: ResolverConfig,
    data: Dataset,
    channels: Vec<Channel>,
    scored: ScoredPairs,
    edges: Vec<Edge>,
    cannot_link: Vec<(u32, u32)>,
    exclusive: Vec<Vec<u32>>,
}

fn csv_bytes(records: u64) -> Vec<u8> {
    let config = SynthConfig {
        records,
        seed: 1,
        ..SynthConfig::default()
    };
    let mut data = Vec::new();
    write_csv(&config, &mut data, std::io::sink()).unwrap();
    data
}

/// Normalizes, trains and scores the default blocking's candidate pairs, as the resolver
/// does; edges are the pairs at or above the threshold (household guard off), cannot-links
/// the pairs below the configuration's `cannot_link_below`.
fn scored(bytes: &[u8]) -> Scored {
    let table = read_csv(bytes, None).unwrap();
    let mut config = ResolverConfig::infer(&table, &sameas::InferOptions::default())
        .unwrap()
        .config;
    let normalizer =
        RecordNormalizer::new(config.schema.clone(), config.normalize.clone()).unwrap();
    let (data, channels) = Dataset::from_table(&table, &normalizer, &Channel::Unknown).unwrap();

    config.matching.model = Some(train(&config.matching, &data).unwrap());
    let blocking = &config.matching.blocking;
    let index = BlockIndex::build(
        &data,
        &blocking.rules,
        blocking.max_block_size,
        LinkMode::Dedupe,
    )
    .unwrap();
    let pairs = index.candidate_pairs(&data).pairs;
    let scored = Matcher::new(&config.matching, &data).unwrap().score(&pairs);

    let threshold = config.matching.threshold;
    let below = config.clustering.cannot_link_below;
    let mut edges = Vec::new();
    let mut cannot_link = Vec::new();
    for (i, &(a, b)) in scored.pairs.iter().enumerate() {
        let probability = scored.probabilities[i];
        if probability >= threshold {
            let weight = scored.weights[i];
            edges.push(Edge {
                a,
                b,
                weight,
                probability,
            });
        } else if probability < below {
            cannot_link.push((a, b));
        }
    }
    // Per national-id field, per record: the interned valid value, or u32::MAX.
    let exclusive = config
        .exclusive_fields()
        .iter()
        .filter_map(|name| data.schema.field_index(name))
        .map(|field| {
            let mut interned = foldhash::HashMap::<String, u32>::default();
            data.records
                .iter()
                .map(|record| match record.field(field) {
                    value if value.has(IssueKind::Invalid) => u32::MAX,
                    value => value.value.as_ref().map_or(u32::MAX, |v| {
                        let next = interned.len() as u32;
                        *interned.entry(v.norm()).or_insert(next)
                    }),
                })
                .collect()
        })
        .collect();
    Scored {
        config,
        data,
        channels,
        scored,
        edges,
        cannot_link,
        exclusive,
    }
}

fn sizes() -> Vec<u64> {
    std::env::var("PIPELINE_RECORDS")
        .ok()
        .map(|v| v.split(',').map(|n| n.trim().parse().unwrap()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

fn pipeline(c: &mut Criterion) {
    for records in sizes() {
        let bytes = csv_bytes(records);
        let s = scored(&bytes);
        let problem = ClusterProblem {
            ids: &s.data.ids,
            edges: &s.edges,
            cannot_link: &s.cannot_link,
            scored_cannot_link: &[],
            must_link: &[],
            exclusive: &s.exclusive,
            vouching: Vouching::NONE,
        };
        eprintln!(
            "{records} records: {} candidate pairs, {} edges, {} cannot-links",
            s.scored.len(),
            s.edges.len(),
            s.cannot_link.len()
        );

        // Blocking at 10k and 50k is in sameas-match's score bench; the larger size here.
        if records > 50_000 {
            let mut group = c.benchmark_group("block");
            group.sample_size(10);
            group.throughput(Throughput::Elements(records));
            let blocking = &s.config.matching.blocking;
            group.bench_function(BenchmarkId::from_parameter(records), |b| {
                b.iter(|| {
                    let index = BlockIndex::build(
                        &s.data,
                        &blocking.rules,
                        blocking.max_block_size,
                        LinkMode::Dedupe,
                    )
                    .unwrap();
                    black_box(index.candidate_pairs(&s.data))
                })
            });
            group.finish();
        }

        let mut group = c.benchmark_group("cluster");
        group.sample_size(10);
        group.throughput(Throughput::Elements(s.edges.len() as u64));
        for (name, method) in [
            ("constrained", ClusteringMethod::Constrained),
            ("components", ClusteringMethod::ConnectedComponents),
        ] {
            group.bench_function(BenchmarkId::new(name, records), |b| {
                b.iter(|| black_box(cluster(&problem, method)))
            });
        }
        group.finish();

        let clustering = cluster(&problem, ClusteringMethod::Constrained);
        let mut group = c.benchmark_group("entity_ids");
        group.sample_size(10);
        group.throughput(Throughput::Elements(records));
        group.bench_function(BenchmarkId::from_parameter(records), |b| {
            b.iter(|| {
                black_box(
                    IdentityGraph::from_clustering(s.data.ids.clone(), &s.edges, &clustering, None)
                        .unwrap(),
                )
            })
        });
        group.finish();

        // Golden records for every entity, in parallel, as the resolver builds them.
        let graph = IdentityGraph::from_clustering(s.data.ids.clone(), &s.edges, &clustering, None)
            .unwrap();
        let entities: Vec<(&str, &[u32])> = graph
            .entities()
            .map(|(id, members)| (id.as_str(), members))
            .collect();
        let survivorship = s.config.survivorship.compile(&s.config.schema).unwrap();
        let input = GoldenInput {
            ids: &s.data.ids,
            channels: &s.channels,
            records: &s.data.records,
        };
        let mut group = c.benchmark_group("golden");
        group.sample_size(10);
        group.throughput(Throughput::Elements(entities.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(records), |b| {
            b.iter_with_large_drop(|| {
                entities
                    .par_iter()
                    .map(|&(id, members)| survivorship.golden(&input, id, members))
                    .collect::<Vec<_>>()
            })
        });
        group.finish();

        // End to end from CSV bytes: untrained (inferred and trained, as `sameas resolve`
        // runs without a config) and with the model already trained.
        let mut group = c.benchmark_group("resolve");
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Elements(records));
        for (name, config) in [("untrained", None), ("trained", Some(&s.config))] {
            group.bench_function(BenchmarkId::new(name, records), |b| {
                b.iter_with_large_drop(|| {
                    let table = read_csv(&bytes, None).unwrap();
                    let input = InputTable::new(table, Channel::Unknown);
                    let mut resolver = match config {
                        Some(config) => Resolver::with_config(config.clone()).unwrap(),
                        None => Resolver::new(),
                    };
                    let resolution = resolver
                        .resolve_owned(input, None, &Control::none())
                        .unwrap();
                    (resolver, resolution)
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
