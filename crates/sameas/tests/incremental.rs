//! Incremental updates: adding records one at a time gives the batch partition; removing
//! splits; events and ids follow the rules.

use proptest::prelude::*;
use sameas::{Control, Event, Resolver};

use crate::{generated, partition, reordered, shuffled};

/// One row of `input` as a table of its own.
fn single(input: &sameas::InputTable, row: usize) -> sameas::InputTable {
    reordered(input, &[row])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// With the model and term frequencies frozen by `fit`, adding every record one at a
    /// time, in any order, gives the batch run's partition.
    #[test]
    fn adding_one_at_a_time_equals_the_batch_run(seed in 0u64..1000, shuffle in any::<u64>()) {
        let (incremental, batch) = one_at_a_time_and_batch(seed, shuffle);
        prop_assert_eq!(incremental, batch);
    }
}

/// The partitions of 400 generated records (seed `seed`) added one at a time in the order
/// `shuffle` gives, and of a batch run over them, both under the same fitted model.
fn one_at_a_time_and_batch(seed: u64, shuffle: u64) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let (input, _) = generated(400, seed);
    let mut batch = Resolver::new();
    batch.fit(&input, &Control::none()).unwrap();
    batch.resolve(&input, None, &Control::none()).unwrap();
    let mut incremental = Resolver::new();
    incremental.fit(&input, &Control::none()).unwrap();
    assert_eq!(incremental.to_json().unwrap(), batch.to_json().unwrap());
    for row in shuffled(input.table.rows.len(), shuffle) {
        incremental
            .add(&single(&input, row), &Control::none())
            .unwrap();
    }
    (
        partition(&incremental.entities()),
        partition(&batch.entities()),
    )
}

#[test]
fn removing_a_record_splits_what_no_longer_holds_together_and_adding_it_back_rejoins() {
    let (input, _) = generated(600, 9);
    let mut resolver = Resolver::new();
    resolver.fit(&input, &Control::none()).unwrap();
    resolver.resolve(&input, None, &Control::none()).unwrap();
    let before = partition(&resolver.entities());
    // The largest entity's records; remove each in turn, then add it back.
    let entities = resolver.entities();
    let (entity, records) = entities
        .iter()
        .max_by_key(|(_, r)| r.len())
        .expect("entities")
        .clone();
    assert!(records.len() >= 2);
    let victim = records[0].to_string();
    let row = input
        .table
        .rows
        .iter()
        .position(|r| r.cells[0] == victim)
        .expect("in the input");
    let events = resolver.remove(&victim).unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::RecordRemoved { .. })),
        "{events:?}"
    );
    assert!(resolver.entity_of(&victim).is_none());
    // The rest keeps the id when it is the larger part.
    let rest = resolver.entity_of(records[1].as_str()).unwrap();
    if records.len() > 2 {
        let kept = resolver
            .entities()
            .into_iter()
            .filter(|(_, r)| r.iter().any(|x| records.contains(x)))
            .max_by_key(|(_, r)| r.len())
            .unwrap();
        assert_eq!(kept.0, entity, "the larger part keeps the id");
        let _ = rest;
    }
    resolver
        .add(&single(&input, row), &Control::none())
        .unwrap();
    assert_eq!(partition(&resolver.entities()), before);
}

#[test]
fn a_record_added_twice_is_refused() {
    let (input, _) = generated(200, 4);
    let mut resolver = Resolver::new();
    resolver.resolve(&input, None, &Control::none()).unwrap();
    let err = resolver
        .add(&single(&input, 0), &Control::none())
        .unwrap_err();
    assert!(err.to_string().contains("already"), "{err}");
}

#[test]
fn adding_needs_a_trained_model() {
    let (input, _) = generated(50, 4);
    let err = Resolver::new()
        .add(&single(&input, 0), &Control::none())
        .unwrap_err();
    assert!(matches!(err, sameas::Error::NotFitted));
}

#[test]
fn is_fitted_says_whether_add_accepts_records() {
    let (input, _) = generated(120, 8);
    let mut resolved = Resolver::new();
    resolved.resolve(&input, None, &Control::none()).unwrap();
    let trained = resolved.to_json().unwrap();
    let mut untrained: serde_json::Value = serde_json::from_str(&trained).unwrap();
    untrained["matching"]["model"] = serde_json::Value::Null;
    let mut fitted = Resolver::new();
    fitted.fit(&input, &Control::none()).unwrap();

    let resolvers = [
        ("new", Resolver::new(), false),
        (
            "untrained config",
            Resolver::from_json(&untrained.to_string()).unwrap(),
            false,
        ),
        ("fitted", fitted, true),
        (
            "trained config",
            Resolver::from_json(&trained).unwrap(),
            true,
        ),
    ];
    for (name, mut resolver, fits) in resolvers {
        assert_eq!(resolver.is_fitted(), fits, "{name}");
        let added = resolver.add(&single(&input, 0), &Control::none());
        assert_eq!(added.is_ok(), resolver.is_fitted(), "{name}");
        if fits {
            assert_eq!(resolver.len(), 1, "{name}");
            assert_eq!(resolver.entity_count(), 1, "{name}");
        } else {
            assert!(matches!(added, Err(sameas::Error::NotFitted)), "{name}");
            assert!(resolver.is_empty(), "{name}");
        }
    }
}

#[test]
fn a_trained_configuration_loaded_elsewhere_adds_records_as_the_batch_run() {
    let (input, _) = generated(400, 21);
    let mut batch = Resolver::new();
    batch.resolve(&input, None, &Control::none()).unwrap();
    let saved = batch.to_json().unwrap();

    // Another process: only the saved document travels.
    let mut loaded = Resolver::from_json(&saved).unwrap();
    assert!(loaded.is_fitted());
    for row in shuffled(input.table.rows.len(), 5) {
        loaded.add(&single(&input, row), &Control::none()).unwrap();
    }
    assert_eq!(partition(&loaded.entities()), partition(&batch.entities()));
    let a = &input.table.rows[0].cells[0];
    let b = &input.table.rows[1].cells[0];
    assert_eq!(
        loaded.explain_pair(a, b).unwrap(),
        batch.explain_pair(a, b).unwrap()
    );

    // The frozen tables hold digests and counts, never a name or a phone.
    let document: serde_json::Value = serde_json::from_str(&saved).unwrap();
    let tables = document["term_frequencies"]["comparisons"]
        .as_array()
        .unwrap();
    assert!(tables.iter().any(|t| !t["table"].is_null()));
    let frozen = document["term_frequencies"].to_string();
    for row in &input.table.rows {
        // (`null` is one of the generator's placeholders, and a JSON word.)
        let values = row.cells.iter().enumerate().skip(1);
        for (column, cell) in values.filter(|(_, c)| c.chars().count() >= 4 && *c != "null") {
            assert!(
                !frozen.contains(cell.as_str()),
                "column {column} in the frozen tables"
            );
        }
    }
}

#[test]
fn frozen_frequencies_must_fit_the_comparisons_and_go_with_the_model() {
    let (input, _) = generated(200, 3);
    let mut resolver = Resolver::new();
    resolver.resolve(&input, None, &Control::none()).unwrap();
    let mut document: serde_json::Value =
        serde_json::from_str(&resolver.to_json().unwrap()).unwrap();
    document["term_frequencies"]["comparisons"][0]["comparison"] = "renamed".into();
    let err = Resolver::from_json(&document.to_string()).unwrap_err();
    assert!(err.to_string().contains("renamed"), "{err}");
    // The model removed to train again: its frozen tables go with it.
    let mut document: serde_json::Value =
        serde_json::from_str(&resolver.to_json().unwrap()).unwrap();
    document["matching"]["model"] = serde_json::Value::Null;
    let untrained = Resolver::from_json(&document.to_string()).unwrap();
    assert!(!untrained.is_fitted());
    assert!(untrained.config().unwrap().term_frequencies.is_none());
}

#[test]
fn adding_rows_prepared_already_equals_adding_them_from_the_table() {
    let (input, _) = generated(300, 6);
    let mut from_table = Resolver::new();
    from_table.fit(&input, &Control::none()).unwrap();
    let mut prepared = Resolver::from_json(&from_table.to_json().unwrap()).unwrap();
    let rows: Vec<usize> = (0..input.table.rows.len()).filter(|r| r % 3 != 1).collect();
    let added = from_table
        .add(&reordered(&input, &rows), &Control::none())
        .unwrap();
    let batch = prepared.prepare_batch(&input, &Control::none()).unwrap();
    assert_eq!(
        prepared
            .add_prepared(&batch, &rows, &Control::none())
            .unwrap(),
        added
    );
    assert_eq!(prepared.entities(), from_table.entities());
    assert!(
        prepared
            .add_prepared(&batch, &[batch.ids.len()], &Control::none())
            .is_err()
    );
}

/// A resolver with `input`'s fitted model and a block cap of `cap`, holding `held` (rows
/// of `input`) added one at a time.
fn fitted_holding(input: &sameas::InputTable, cap: usize, held: &[usize]) -> Resolver {
    let mut fitted = Resolver::new();
    fitted.fit(input, &Control::none()).unwrap();
    let mut config = fitted.config().unwrap().clone();
    config.matching.blocking.max_block_size = cap;
    let mut resolver = Resolver::with_config(config).unwrap();
    for &row in held {
        resolver.add(&single(input, row), &Control::none()).unwrap();
    }
    resolver
}

/// A batch is scored in parallel and applied in its order: the same events, entity ids
/// and partition as its records added one at a time in that order, for any batch sizes
/// and thread counts, also where a block crosses its cap inside a batch.
#[test]
fn adding_a_batch_equals_adding_its_records_one_at_a_time_in_order() {
    let (input, _) = generated(500, 21);
    let order = shuffled(input.table.rows.len(), 5);
    let (held, rest) = order.split_at(150);
    for cap in [6, 1_000] {
        let mut one_by_one = fitted_holding(&input, cap, held);
        let mut expected: Vec<Event> = Vec::new();
        for &row in rest {
            expected.extend(
                one_by_one
                    .add(&single(&input, row), &Control::none())
                    .unwrap(),
            );
        }
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut batched = fitted_holding(&input, cap, held);
            let mut events: Vec<Event> = Vec::new();
            let mut start = 0;
            for size in [1, 37, 200, 112] {
                let rows = &rest[start..start + size];
                start += size;
                events.extend(
                    pool.install(|| batched.add(&reordered(&input, rows), &Control::none()))
                        .unwrap(),
                );
            }
            assert_eq!(start, rest.len());
            assert_eq!(events, expected, "cap {cap}, {threads} threads");
            assert_eq!(batched.entities(), one_by_one.entities());
        }
    }
}

/// A record id already held stops a batch at that record: those before it are added, as
/// one at a time they would be.
#[test]
fn a_batch_with_a_held_id_adds_the_records_before_it() {
    let (input, _) = generated(200, 4);
    let mut resolver = fitted_holding(&input, 1_000, &[10]);
    let rows = [3, 4, 5, 10, 6, 7];
    assert!(
        resolver
            .add(&reordered(&input, &rows), &Control::none())
            .is_err()
    );
    let mut expected = fitted_holding(&input, 1_000, &[10, 3, 4, 5]);
    assert_eq!(resolver.len(), 4);
    assert_eq!(resolver.entities(), expected.entities());
    // Both go on the same way afterwards.
    let next = reordered(&input, &[6, 7]);
    assert_eq!(
        resolver.add(&next, &Control::none()).unwrap(),
        expected.add(&next, &Control::none()).unwrap()
    );
}

/// A record whose add takes a block over its cap ends the pairs through that block: the
/// records it had paired are placed again without them, as a batch run over all the records
/// would place them (here R0000325, paired through a block that a later record took over
/// its cap, stayed joined to R0000358's entity before).
#[test]
fn an_add_that_caps_a_block_places_its_records_again_without_its_pairs() {
    let (incremental, batch) = one_at_a_time_and_batch(870, 11_086_753_966_518_840_418);
    assert_eq!(incremental, batch);
}
