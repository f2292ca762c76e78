//! Whole tables from arbitrary bytes through blocking, training and scoring: nothing
//! panics, every pair is produced once, and every probability is in [0, 1].
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas_core::Channel;
use sameas_match::{Dataset, LinkMode, MatchConfig, run, train};
use sameas_normalize::NormalizeOptions;
use sameas_normalize::infer::{infer_schema, record_from_row};
use sameas_normalize::record::RecordNormalizer;
use sameas_normalize::table::read_csv;

fuzz_target!(|data: &[u8]| {
    let Ok(table) = read_csv(data, None) else { return };
    let Ok(inferred) = infer_schema(&table.headers) else { return };
    let options = NormalizeOptions {
        reference_date: Some(jiff::civil::date(2026, 1, 1)),
        ..NormalizeOptions::default()
    };
    let normalizer = RecordNormalizer::new(inferred.schema.clone(), options.clone()).unwrap();
    let (mut ids, mut records) = (Vec::new(), Vec::new());
    for row in &table.rows {
        let record = record_from_row(normalizer.schema(), &row.cells, row.number, &Channel::Unknown);
        ids.push(record.id.clone());
        records.push(normalizer.normalize(&record));
    }
    let Ok(dataset) = Dataset::new(inferred.schema.clone(), ids, records) else { return };
    let mut config = MatchConfig::infer(&inferred.schema, LinkMode::Dedupe);
    config.training.u_sample_pairs = 200;
    let Ok(model) = train(&config, &dataset) else { return };
    config.model = Some(model);
    let output = run(&config, &dataset).expect("a trained config runs");
    let mut pairs = output.scored.pairs.clone();
    pairs.sort_unstable();
    pairs.dedup();
    assert_eq!(pairs.len(), output.scored.pairs.len());
    assert!(output.scored.probabilities.iter().all(|p| (0.0..=1.0).contains(p)));
});
