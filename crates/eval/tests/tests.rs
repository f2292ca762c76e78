//! The shipped labelled datasets and their truth files, and evaluation at scale.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sameas_eval::{BlockingQuality, Predicted, Side, Truth, evaluate, febrl_cluster};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../benches/data")
        .join(path)
}

/// The first column's values (trimmed) and the header of a CSV file.
fn ids_and_header(path: &str) -> (Vec<String>, Vec<String>) {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(data(path))
        .unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let ids = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    (ids, header)
}

fn truth_ids(truth: &Truth) -> Vec<String> {
    (0..truth.len() as u32)
        .map(|i| truth.id(i).to_string())
        .collect()
}

/// Each FEBRL truth file lists exactly the data file's ids, in order, with the cluster the
/// id names; the derived FEBRL truth agrees with it.
#[test]
fn febrl_truth_files_match_the_data() {
    for (truth_file, data_files, records) in [
        (
            "febrl/dataset1_truth.csv",
            &["febrl/dataset1.csv"][..],
            1_000,
        ),
        (
            "febrl/dataset2_truth.csv",
            &["febrl/dataset2.csv"][..],
            5_000,
        ),
        (
            "febrl/dataset3_truth.csv",
            &["febrl/dataset3.csv"][..],
            5_000,
        ),
        (
            "febrl/dataset4_truth.csv",
            &["febrl/dataset4a.csv", "febrl/dataset4b.csv"][..],
            10_000,
        ),
    ] {
        let truth = Truth::from_path(&data(truth_file)).unwrap();
        let mut ids = Vec::new();
        for file in data_files {
            let (file_ids, header) = ids_and_header(file);
            assert_eq!(header[0], "rec_id", "{file}");
            ids.extend(file_ids);
        }
        assert_eq!(ids.len(), records, "{truth_file}");
        assert_eq!(truth_ids(&truth), ids, "{truth_file}");
        for (i, id) in ids.iter().enumerate() {
            let cluster = truth.cluster_label(truth.cluster_of(i as u32));
            assert_eq!(
                febrl_cluster(id),
                Some(cluster),
                "{truth_file} row {}",
                i + 1
            );
        }
        let derived = Truth::from_febrl_ids(&ids).unwrap();
        let same = Predicted::from_labels(
            &truth,
            &(0..derived.len() as u32)
                .map(|i| derived.cluster_of(i))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let eval = evaluate(&truth, &same, 1).unwrap();
        assert_eq!(
            (eval.pairwise.f1, eval.bcubed.f1),
            (1.0, 1.0),
            "{truth_file}"
        );
    }
}

/// Sizes the FEBRL README states: originals and duplicates per dataset.
#[test]
fn febrl_cluster_counts() {
    for (truth_file, clusters) in [
        ("febrl/dataset1_truth.csv", 500),
        ("febrl/dataset2_truth.csv", 4_000),
        ("febrl/dataset3_truth.csv", 2_000),
        ("febrl/dataset4_truth.csv", 5_000),
    ] {
        let truth = Truth::from_path(&data(truth_file)).unwrap();
        assert_eq!(truth.cluster_count(), clusters, "{truth_file}");
    }
    // Dataset 4: every original in 4a has its one duplicate in 4b.
    let truth = Truth::from_path(&data("febrl/dataset4_truth.csv")).unwrap();
    let sides: Vec<Side> = (0..truth.len())
        .map(|i| if i < 5_000 { Side::Left } else { Side::Right })
        .collect();
    let none = BlockingQuality::measure_link(&truth, &sides, Vec::<(u32, u32)>::new()).unwrap();
    assert_eq!(none.true_pairs, 5_000);
    assert_eq!(none.comparable_pairs, 25_000_000);
}

/// The Splink truth lists the data file's ids with its `cluster` column, and its true pairs
/// are exactly the clerical labels scored 1.
#[test]
fn splink_truth_matches_data_and_labels() {
    let truth = Truth::from_path(&data("splink/fake_1000_truth.csv")).unwrap();
    let mut reader = csv::Reader::from_path(data("splink/fake_1000.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let cluster_at = header.iter().position(|h| h == "cluster").unwrap();
    let mut count = 0;
    for (i, row) in reader.records().enumerate() {
        let row = row.unwrap();
        let index = truth
            .index_of(&row[0])
            .expect("every data id is in the truth");
        assert_eq!(index, i as u32);
        assert_eq!(
            truth.cluster_label(truth.cluster_of(index)),
            &row[cluster_at]
        );
        count += 1;
    }
    assert_eq!(count, 1_000);
    assert_eq!(truth.len(), 1_000);

    let mut reader = csv::Reader::from_path(data("splink/fake_1000_labels.csv")).unwrap();
    let mut matches = 0u64;
    for row in reader.records() {
        let row = row.unwrap();
        let (l, r) = (
            truth.index_of(&row[0]).unwrap(),
            truth.index_of(&row[2]).unwrap(),
        );
        let same = truth.cluster_of(l) == truth.cluster_of(r);
        assert_eq!(same, &row[4] == "1.0", "label row {matches}");
        matches += u64::from(same);
    }
    assert_eq!(matches, truth.true_pairs());
}

/// A million records in clusters of one to four, a prediction that splits and merges some:
/// the counts must equal a direct tally. Ignored because it is slow in debug builds; in
/// release (`--release -- --ignored --nocapture`) it prints the times, which are not
/// asserted (speed belongs in benchmarks).
#[test]
#[ignore = "slow in debug builds; run in release"]
fn million_records_evaluate_quickly() {
    use std::fmt::Write;
    use std::time::Instant;
    const N: u32 = 1_000_000;
    let cluster = |i: u32| i / 3 + u32::from(i.is_multiple_of(7));
    let entity = |i: u32| if i.is_multiple_of(11) { i / 6 } else { i / 3 };
    let mut truth_csv = String::from("record_id,cluster\n");
    let mut entities_csv = String::from("record_id,entity_id\n");
    for i in 0..N {
        writeln!(truth_csv, "r{i},c{}", cluster(i)).unwrap();
    }
    // Entities in another order than the truth.
    for i in (0..N).rev() {
        writeln!(entities_csv, "r{i},e{}", entity(i)).unwrap();
    }
    let start = Instant::now();
    let truth = Truth::read_csv(truth_csv.as_bytes(), "truth.csv").unwrap();
    let read_truth = start.elapsed();
    let (predicted, _) =
        Predicted::read_csv(&truth, entities_csv.as_bytes(), "entities.csv", 0.5).unwrap();
    let read_entities = start.elapsed() - read_truth;
    let eval = evaluate(&truth, &predicted, 5).unwrap();
    let total = start.elapsed();
    eprintln!(
        "1M records: truth read {read_truth:?}, entities read {read_entities:?}, total {total:?}; \
         pairwise F1 {:.4}, B-cubed F1 {:.4}",
        eval.pairwise.f1, eval.bcubed.f1
    );
    // Check the counts against a direct tally of the same labels.
    let mut overlap: HashMap<(u32, u32), u64> = HashMap::new();
    for i in 0..N {
        *overlap.entry((cluster(i), entity(i))).or_default() += 1;
    }
    let tp: u64 = overlap.values().map(|&n| n * (n - 1) / 2).sum();
    assert_eq!(eval.counts.true_positives, tp);
}
