//! Whole tables from arbitrary bytes: reading never panics, every data row becomes a record,
//! and every record normalizes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas_core::Channel;
use sameas_normalize::NormalizeOptions;
use sameas_normalize::infer::{infer_schema, record_from_row};
use sameas_normalize::record::RecordNormalizer;
use sameas_normalize::table::read_csv;

fuzz_target!(|data: &[u8]| {
    let Ok(table) = read_csv(data, None) else { return };
    let Ok(inferred) = infer_schema(&table.headers) else { return };
    let normalizer = RecordNormalizer::new(inferred.schema, NormalizeOptions::default()).unwrap();
    for row in &table.rows {
        let record = record_from_row(normalizer.schema(), &row.cells, row.number, &Channel::Unknown);
        let normalized = normalizer.normalize(&record);
        assert_eq!(normalized.field_count(), normalizer.schema().fields.len());
        let mut cells = Vec::new();
        normalizer.output_cells(&normalized, &mut cells);
        assert_eq!(cells.len(), normalizer.output_headers().len());
    }
});
