//! Measures incremental updates on generated records.
//!
//! ```text
//! cargo run --release -p sameas --example incremental -- --records 10000 --against-batch
//! cargo run --release -p sameas --example incremental -- --records 1000000 --adds 1000
//! cargo run --release -p sameas --example incremental -- --records 1000000 --adds 102000 --singles 2000 --batch 10000
//! ```
//!
//! With `--against-batch`: fits on all records, resolves them as a batch, then adds every
//! record one at a time to a second resolver fitted the same way, and prints the pairwise
//! F1 of the incremental partition against the batch one, with the median time per add.
//! Without it: resolves `--records` records as a batch, then adds `--adds` more generated
//! records (held out of the batch) one at a time and prints the median, 90th and 99th
//! percentile time per add. With `--batch N`, adds them in batches of N records instead
//! (one `add` call each) and prints each batch's records per second and the whole run's;
//! `--singles K` adds the first K of them one at a time first, timed as above.

use std::time::Instant;

use sameas::eval::{Predicted, Truth, evaluate};
use sameas::table::Table;
use sameas::{Channel, Control, InputTable, Resolver};

/// The allocator the `sameas` binary uses, so that the figures are the command line's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn table(rows: Vec<Vec<String>>, first: u64) -> InputTable {
    let headers = sameas_synth::DATA_HEADER
        .iter()
        .map(|h| h.to_string())
        .collect();
    InputTable::new(Table::from_rows(headers, rows, first), Channel::Unknown)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    sameas::memory::prefer_small_pages();
    let records: u64 = arg("--records").map_or(Ok(10_000), |s| s.parse())?;
    let adds: u64 = arg("--adds").map_or(Ok(1_000), |s| s.parse())?;
    let seed: u64 = arg("--seed").map_or(Ok(1), |s| s.parse())?;
    let against_batch = std::env::args().any(|a| a == "--against-batch");
    let batch_size: Option<usize> = arg("--batch").map(|s| s.parse()).transpose()?;
    let singles: usize = arg("--singles").map_or(Ok(0), |s| s.parse())?;
    let total = if against_batch {
        records
    } else {
        records + adds
    };
    let generated = sameas_synth::generate(&sameas_synth::SynthConfig {
        records: total,
        seed,
        ..Default::default()
    })?;
    let rows: Vec<Vec<String>> = generated.records.into_iter().map(|r| r.values).collect();
    let control = Control::none();
    let mut times = Vec::new();
    if against_batch {
        let input = table(rows.clone(), 1);
        let mut batch = Resolver::new();
        batch.fit(&input, &control)?;
        batch.resolve(&input, None, &control)?;
        let mut incremental = Resolver::new();
        incremental.fit(&input, &control)?;
        for (i, row) in rows.into_iter().enumerate() {
            let one = table(vec![row], i as u64 + 1);
            let started = Instant::now();
            incremental.add(&one, &control)?;
            times.push(started.elapsed().as_secs_f64());
        }
        let batch_rows: Vec<(String, String)> = batch
            .entities()
            .into_iter()
            .flat_map(|(e, records)| {
                records
                    .into_iter()
                    .map(move |r| (r.to_string(), e.to_string()))
            })
            .collect();
        let truth = Truth::from_rows(batch_rows.iter().map(|(r, e)| (r.as_str(), e.as_str())))?;
        let predicted = Predicted::from_entities(
            &truth,
            incremental
                .entities()
                .into_iter()
                .flat_map(|(e, records)| {
                    records
                        .into_iter()
                        .map(move |r| (r.to_string(), e.to_string()))
                })
                .collect::<Vec<_>>()
                .iter()
                .map(|(r, e)| (r.as_str(), e.as_str())),
        )?;
        let evaluation = evaluate(&truth, &predicted, 0)?;
        println!(
            "{records} records: incremental against batch pairwise P {:.6} R {:.6} F1 {:.6} ({} batch pairs, {} incremental)",
            evaluation.pairwise.precision,
            evaluation.pairwise.recall,
            evaluation.pairwise.f1,
            evaluation.counts.true_pairs,
            evaluation.counts.predicted_pairs
        );
    } else {
        let held_out = rows[records as usize..].to_vec();
        let input = table(rows[..records as usize].to_vec(), 1);
        let mut resolver = Resolver::new();
        let started = Instant::now();
        resolver.resolve(&input, None, &control)?;
        println!(
            "batch of {records} records resolved in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        // The first add builds the incremental key index; time it apart.
        let mut held_out = held_out.into_iter().enumerate();
        if let Some((i, row)) = held_out.next() {
            let started = Instant::now();
            resolver.add(&table(vec![row], records + i as u64 + 1), &control)?;
            println!(
                "first add (builds the key index): {:.2} s",
                started.elapsed().as_secs_f64()
            );
        }
        match batch_size {
            Some(size) => {
                for (i, row) in held_out.by_ref().take(singles) {
                    let one = table(vec![row], records + i as u64 + 1);
                    let started = Instant::now();
                    resolver.add(&one, &control)?;
                    times.push(started.elapsed().as_secs_f64());
                }
                let rest: Vec<(usize, Vec<String>)> = held_out.collect();
                let (mut added, mut seconds) = (0usize, 0.0f64);
                for batch in rest.chunks(size.max(1)) {
                    let first = records + batch[0].0 as u64 + 1;
                    let rows = batch.iter().map(|(_, row)| row.clone()).collect();
                    let input = table(rows, first);
                    let started = Instant::now();
                    resolver.add(&input, &control)?;
                    let elapsed = started.elapsed().as_secs_f64();
                    added += batch.len();
                    seconds += elapsed;
                    println!(
                        "batch of {} records ({} held after): {:.3} s, {:.0} records/s",
                        batch.len(),
                        resolver.len(),
                        elapsed,
                        batch.len() as f64 / elapsed
                    );
                }
                println!(
                    "{added} records in batches of {size}: {seconds:.2} s, {:.0} records/s",
                    added as f64 / seconds
                );
            }
            None => {
                for (i, row) in held_out {
                    let one = table(vec![row], records + i as u64 + 1);
                    let started = Instant::now();
                    resolver.add(&one, &control)?;
                    times.push(started.elapsed().as_secs_f64());
                }
            }
        }
    }
    times.sort_by(f64::total_cmp);
    if !times.is_empty() {
        println!(
            "{} adds: median {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms per record",
            times.len(),
            1e3 * quantile(&times, 0.5),
            1e3 * quantile(&times, 0.9),
            1e3 * quantile(&times, 0.99),
            1e3 * quantile(&times, 1.0)
        );
    }
    Ok(())
}
