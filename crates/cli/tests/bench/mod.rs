//! `sameas bench` on a small suite: Splink's fake_1000 and a small generated set.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::stderr;

fn data(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../benches/data")
        .join(path)
        .display()
        .to_string()
}

/// A suite file in `dir`: fake_1000 with `floor`, and 600 generated records (seed 3).
fn suite(dir: &Path, floor: f64) -> PathBuf {
    let text = format!(
        "[[dataset]]\nname = \"fake_1000\"\ninputs = [{:?}]\ntruth = {:?}\nfloor = {floor}\n\n\
         [[dataset]]\nname = \"tiny\"\nsynth = {{ records = 600, seed = 3 }}\n\n\
         [[dataset]]\nname = \"big\"\nsynth = {{ records = 1000000, seed = 1 }}\nslow = true\n",
        data("splink/fake_1000.csv"),
        data("splink/fake_1000_truth.csv"),
    );
    let path = dir.join("suite.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `sameas ARGS` in `dir` (generated data goes under `dir/target/bench-data`).
fn bench(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sameas"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The table line of a dataset, split on whitespace.
fn table_row<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in\n{text}"))
        .split_whitespace()
        .collect()
}

#[test]
fn prints_the_table_writes_json_sweeps_and_generates_data_as_synth_does() {
    let dir = tempfile::tempdir().unwrap();
    let suite = suite(dir.path(), 0.5);
    let output = bench(
        dir.path(),
        &[
            "bench",
            suite.to_str().unwrap(),
            "--json",
            "table.json",
            "--sweep",
            "0.3:0.7:0.2",
            "--check",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    for column in [
        "dataset", "records", "pairs", "PC", "RR", "P", "R", "F1", "B3", "norm", "block", "train",
        "score", "clust", "golden", "total", "peak", "floor",
    ] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    assert_eq!(table_row(&text, "fake_1000")[1], "1000");
    assert_eq!(table_row(&text, "tiny")[1], "600");
    assert!(!text.contains("\nbig "), "slow datasets are left out");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("table.json")).unwrap()).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        for key in [
            "pair_completeness",
            "reduction_ratio",
            "precision",
            "recall",
            "f1",
        ] {
            let v = row[key].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&v), "{key} {v}");
        }
        assert!(row["candidate_pairs"].as_u64().unwrap() > 0);
        assert!(row["seconds"]["total"].as_f64().unwrap() > 0.0);
        // The sweep at the configured threshold is the row itself: one scoring, same model.
        let sweep = row["sweep"].as_array().unwrap();
        let thresholds: Vec<f64> = sweep
            .iter()
            .map(|s| s["threshold"].as_f64().unwrap())
            .collect();
        assert_eq!(thresholds, [0.3, 0.5, 0.7]);
        assert_eq!(row["threshold"].as_f64(), Some(0.5));
        assert_eq!(sweep[1]["f1"], row["f1"]);
        assert_eq!(sweep[1]["precision"], row["precision"]);
        assert!(thresholds.contains(&row["best_threshold"].as_f64().unwrap()));
    }
    let fake = &rows[0];
    assert_eq!(fake["dataset"], "fake_1000");
    assert_eq!(fake["floor"].as_f64(), Some(0.5));
    let f1 = format!("{:.4}", fake["f1"].as_f64().unwrap());
    assert_eq!(table_row(&text, "fake_1000")[7], f1);
    assert!(text.contains("fake_1000: threshold sweep"));
    assert!(text.contains("best pairwise F1"));

    // Generated data is what `sameas synth` writes, and is reused.
    let synth = bench(
        dir.path(),
        &[
            "synth",
            "--records",
            "600",
            "--seed",
            "3",
            "--out",
            "s.csv",
            "--truth",
            "t.csv",
        ],
    );
    assert!(synth.status.success());
    let read = |p: &str| std::fs::read(dir.path().join(p)).unwrap();
    assert_eq!(read("target/bench-data/tiny.csv"), read("s.csv"));
    assert_eq!(read("target/bench-data/tiny_truth.csv"), read("t.csv"));
}

#[test]
fn check_fails_on_a_floor_the_f1_does_not_reach() {
    let dir = tempfile::tempdir().unwrap();
    let suite = suite(dir.path(), 1.0);
    let output = bench(
        dir.path(),
        &[
            "bench",
            suite.to_str().unwrap(),
            "--only",
            "fake_1000",
            "--check",
        ],
    );
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("below its floor: fake_1000"), "{err}");
    assert!(!dir.path().join("target/bench-data/tiny.csv").exists());
    let unknown = bench(
        dir.path(),
        &["bench", suite.to_str().unwrap(), "--only", "nope"],
    );
    assert!(stderr(&unknown).contains("`nope`"));
}

#[test]
fn compare_prints_deltas_and_changed_pairs_masked() {
    let dir = tempfile::tempdir().unwrap();
    let suite = suite(dir.path(), 0.5);
    let variant = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../benches/variants/no_household_guard.json");
    let output = bench(
        dir.path(),
        &[
            "bench",
            suite.to_str().unwrap(),
            "--only",
            "tiny",
            "--compare",
            variant.to_str().unwrap(),
            "--examples",
            "5",
            "--json",
            "compare.json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("\nB - A\n"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("compare.json")).unwrap()).unwrap();
    let (a, b) = (&json["rows"][0], &json["compare"]["rows"][0]);
    let change = &json["compare"]["changes"][0];
    // Turning the guard off lets held-back pairs join.
    let joined = &change["joined_in_b"];
    let pairs = joined["pairs"].as_u64().unwrap();
    assert!(pairs > 0, "{text}");
    assert_ne!(a["precision"], b["precision"]);
    assert!(text.contains(&format!("tiny: {pairs} pairs joined in B, apart in A")));
    let examples = joined["examples"].as_array().unwrap();
    assert!(!examples.is_empty());

    // No raw value of a shown record leaks: only ids and masked values are printed.
    let mut reader = csv::Reader::from_path(dir.path().join("target/bench-data/tiny.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let shown: Vec<String> = examples
        .iter()
        .flat_map(|e| [e["record_id_l"].clone(), e["record_id_r"].clone()])
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let json_text = std::fs::read_to_string(dir.path().join("compare.json")).unwrap();
    let mut checked = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if !shown.iter().any(|id| id == &record[0]) {
            continue;
        }
        for (column, value) in header.iter().zip(record.iter()) {
            let personal = [
                "name",
                "phone",
                "phone2",
                "email",
                "address",
                "birth_date",
                "id_number",
            ];
            // A value masked at the source (a marketplace phone) is shown as it is.
            let value = value.trim();
            if personal.contains(&column) && value.chars().count() >= 2 && !value.contains('*') {
                assert!(!text.contains(value), "{column} leaks");
                assert!(!json_text.contains(value), "{column} leaks");
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
    assert!(
        examples[0]["masked_l"]["name"]
            .as_str()
            .unwrap()
            .contains('*')
    );
}
