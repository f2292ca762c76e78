//! One open store ingesting many batches, as a long-lived service does: N generated records
//! (seed 1) in B batches through one [`Store`], then the cost of opening the store afresh
//! (reading its state into memory) once at the end.
//!
//! ```text
//! cargo run --release -p sameas-store --example ingest_batches -- 1000000 100 [DB]
//! ```
//!
//! The keys go to `DB.key` beside the database. Prints per batch the records held after it, its seconds and records/s; then the first
//! and last batches' rates, the whole run's, the store's bytes per record (WAL checkpointed)
//! and the seconds a fresh open takes to load the state.

use std::time::Instant;

use sameas::InputTable;
use sameas_core::Channel;
use sameas_normalize::table::Table;
use sameas_store::{IngestOptions, Keys, Store};

/// The allocator the `sameas` binary uses (an ingest allocates and frees many small values).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    sameas::memory::prefer_small_pages();
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let batches: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let db = args.next().map_or_else(
        || std::path::PathBuf::from("target/ingest_batches.db"),
        Into::into,
    );
    for suffix in ["", "-wal", "-shm", ".key"] {
        let mut path = db.clone().into_os_string();
        path.push(suffix);
        let _ = std::fs::remove_file(path);
    }
    let rows: Vec<Vec<String>> = sameas_synth::generate(&sameas_synth::SynthConfig {
        records: n,
        seed: 1,
        ..Default::default()
    })
    .expect("generates")
    .records
    .into_iter()
    .map(|r| r.values)
    .collect();
    // Kept beside the database, so that the CLI opens the store afterwards.
    let keys = Keys::generate();
    keys.write_file(&sameas_store::key_file_beside(&db))
        .expect("writes the key file");
    let mut store = Store::open(&db, &keys).expect("opens");
    let per = n.div_ceil(batches) as usize;
    let options = IngestOptions::default();
    println!(
        "{:>6} {:>9} {:>8} {:>10}",
        "batch", "held", "seconds", "records_s"
    );
    let (mut first, mut last) = (0.0, 0.0);
    let all = Instant::now();
    for (b, chunk) in rows.chunks(per).enumerate() {
        let headers = sameas_synth::DATA_HEADER
            .iter()
            .map(|h| h.to_string())
            .collect();
        let table = Table::from_rows(headers, chunk.to_vec(), 1);
        let input = InputTable::new(table, Channel::Unknown);
        let start = Instant::now();
        store.ingest("app", &input, &options).expect("ingests");
        let seconds = start.elapsed().as_secs_f64();
        let rate = chunk.len() as f64 / seconds;
        if b == 0 {
            first = rate;
        }
        last = rate;
        println!(
            "{:>6} {:>9} {:>8.3} {:>10.0}",
            b + 1,
            (b * per + chunk.len()),
            seconds,
            rate
        );
    }
    let total = all.elapsed().as_secs_f64();
    drop(store);
    let bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let start = Instant::now();
    let mut store = Store::open(&db, &keys).expect("opens");
    store.resolver().expect("loads");
    let open = start.elapsed().as_secs_f64();
    println!(
        "first batch {first:.0} records/s, last batch {last:.0} records/s ({:.0}% of the \
         first); all {:.0} records/s; store {:.0} bytes per record; a fresh open loads the \
         state in {open:.2} s",
        100.0 * last / first,
        n as f64 / total,
        bytes as f64 / n as f64
    );
}
