//! Similarity kernels against `strsim` on short name pairs, the shape of the pair-scoring hot
//! path. Each iteration scores every pair of a set once; throughput is in pairs.
//!
//! `cargo bench -p sameas-match --bench similarity`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sameas_match::similarity;

const ASCII_NAMES: [(&str, &str); 8] = [
    ("jonathan", "johnathan"),
    ("smith", "smyth"),
    ("catherine", "kathryn"),
    ("martha", "marhta"),
    ("dwayne", "duane"),
    ("williams", "william"),
    ("elizabeth", "elisabeth"),
    ("oconnor", "o connor"),
];

const HAN_NAMES: [(&str, &str); 8] = [
    ("张伟", "章伟"),
    ("王小明", "汪晓明"),
    ("李娜", "黎娜"),
    ("欧阳修远", "欧阳秀远"),
    ("刘洋", "刘洋"),
    ("陈静", "程静"),
    ("杨丽华", "杨华丽"),
    ("赵敏", "周敏"),
];

type Kernel<T> = fn(&str, &str) -> T;

fn bench_pairs<T>(
    c: &mut Criterion,
    group: &str,
    pairs: &[(&str, &str)],
    kernels: &[(&str, Kernel<T>)],
) {
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Elements(pairs.len() as u64));
    for &(name, kernel) in kernels {
        group.bench_function(name, |bencher| {
            bencher.iter(|| {
                for &(a, b) in pairs {
                    black_box(kernel(black_box(a), black_box(b)));
                }
            })
        });
    }
    group.finish();
}

fn jaro_winkler_at_least_0_8(a: &str, b: &str) -> Option<f64> {
    similarity::jaro_winkler_at_least(a, b, 0.8)
}

fn similarity_kernels(c: &mut Criterion) {
    let jaro_winkler: [(&str, Kernel<f64>); 2] = [
        ("sameas", similarity::jaro_winkler),
        ("strsim", strsim::jaro_winkler),
    ];
    let levenshtein: [(&str, Kernel<usize>); 2] = [
        ("sameas", similarity::levenshtein),
        ("strsim", strsim::levenshtein),
    ];
    let osa: [(&str, Kernel<usize>); 2] = [
        ("sameas", similarity::damerau_levenshtein),
        ("strsim", strsim::osa_distance),
    ];
    let jaccard: [(&str, Kernel<f64>); 2] = [
        ("tokens", similarity::jaccard_tokens),
        ("bigrams", similarity::jaccard_bigrams),
    ];
    let cutoff: [(&str, Kernel<Option<f64>>); 1] = [("sameas", jaro_winkler_at_least_0_8)];
    for (script, pairs) in [("ascii", &ASCII_NAMES), ("han", &HAN_NAMES)] {
        bench_pairs(c, &format!("jaro_winkler/{script}"), pairs, &jaro_winkler);
        bench_pairs(
            c,
            &format!("jaro_winkler_at_least_0.8/{script}"),
            pairs,
            &cutoff,
        );
        bench_pairs(c, &format!("levenshtein/{script}"), pairs, &levenshtein);
        bench_pairs(c, &format!("osa/{script}"), pairs, &osa);
        bench_pairs(c, &format!("jaccard/{script}"), pairs, &jaccard);
    }
}

criterion_group!(benches, similarity_kernels);
criterion_main!(benches);
