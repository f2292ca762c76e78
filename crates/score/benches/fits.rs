//! Maximum-likelihood fits on the CDNOW summary (2,357 customers, 1,016 distinct
//! (frequency, recency, T) groups): every model by L-BFGS on analytic gradients.
//! Throughput is in customers. Fits at a million
//! customers are timed by the `fit_timing` example (BENCHMARKS.md).
//!
//! `cargo bench -p sameas-score --bench fits`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sameas_score::{BgNbd, CustomerSummary, GammaGamma, MbgNbd, ParetoNbd, SummaryGroups, fit};

fn cdnow() -> Vec<CustomerSummary> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/cdnow/cdnow_customers_summary_with_transactions.csv");
    let mut reader = csv::Reader::from_path(path).expect("the CDNOW summary");
    reader
        .records()
        .map(|row| {
            let row = row.expect("a row");
            let number = |i: usize| row[i].trim().parse::<f64>().expect("a number");
            CustomerSummary {
                id: row[0].to_string(),
                frequency: number(1) as u32,
                recency: number(2),
                t: number(3),
                monetary_value: number(4),
            }
        })
        .collect()
}

fn fits(c: &mut Criterion) {
    let customers = cdnow();
    let groups = SummaryGroups::new(&customers);
    let spend = GammaGamma::groups(&customers);
    let mut group = c.benchmark_group("cdnow");
    group.throughput(Throughput::Elements(customers.len() as u64));
    group.bench_function("bg_nbd", |b| {
        b.iter(|| fit::<BgNbd>(black_box(&groups)).expect("fits"))
    });
    group.bench_function("mbg_nbd", |b| {
        b.iter(|| fit::<MbgNbd>(black_box(&groups)).expect("fits"))
    });
    group.bench_function("gamma_gamma", |b| {
        b.iter(|| fit::<GammaGamma>(black_box(&spend)).expect("fits"))
    });
    group.sample_size(10);
    group.bench_function("pareto_nbd", |b| {
        b.iter(|| fit::<ParetoNbd>(black_box(&groups)).expect("fits"))
    });
    group.finish();
}

criterion_group!(benches, fits);
criterion_main!(benches);
