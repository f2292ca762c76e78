//! Integration tests for the `sameas` facade.

mod distributed;
mod incremental;
mod resolve;
mod tuning;

use sameas::table::Table;
use sameas::{Channel, InputTable};

/// A table of `rows` under `headers`, numbered from 1.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> InputTable {
    let headers = headers.iter().map(|h| h.to_string()).collect();
    InputTable::new(Table::from_rows(headers, rows, 1), Channel::Unknown)
}

/// `records` generated records with seed `seed`, and each record's true person.
pub fn generated(records: u64, seed: u64) -> (InputTable, Vec<String>) {
    let generated = sameas_synth::generate(&sameas_synth::SynthConfig {
        records,
        seed,
        ..Default::default()
    })
    .expect("generates");
    let persons = generated
        .records
        .iter()
        .map(|r| r.truth.person_id.clone())
        .collect();
    let rows = generated.records.into_iter().map(|r| r.values).collect();
    (table(&sameas_synth::DATA_HEADER, rows), persons)
}

/// A seeded shuffle of `0..n` (Fisher–Yates over xorshift), so a case is reproducible from
/// its seed.
pub fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed | 1;
    for i in (1..n).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    order
}

/// The table's rows in another order.
pub fn reordered(input: &InputTable, order: &[usize]) -> InputTable {
    let mut out = input.clone();
    out.table.rows = order
        .iter()
        .enumerate()
        .map(|(i, &o)| {
            let mut row = input.table.rows[o].clone();
            row.number = i as u64 + 1;
            row
        })
        .collect();
    out
}

/// A partition as sorted groups of record ids, comparable whatever the entity ids.
pub fn partition(entities: &[(sameas::EntityId, Vec<sameas::RecordId>)]) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = entities
        .iter()
        .map(|(_, records)| {
            let mut ids: Vec<String> = records.iter().map(|r| r.to_string()).collect();
            ids.sort();
            ids
        })
        .collect();
    groups.sort();
    groups
}
