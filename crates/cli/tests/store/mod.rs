//! The store commands end to end, and crash safety: `sameas ingest` and `sameas resolve`
//! killed with SIGKILL at seeded random moments, then checked. `SAMEAS_KILL_RUNS` sets how
//! many kills of each (default 3; BENCHMARKS.md records a run of 100).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn sameas(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sameas"))
        .args(args)
        .env_remove("SAMEAS_STORE_KEY")
        .env_remove("SAMEAS_INDEX_KEY")
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let output = sameas(args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Writes `records` synthetic records (seed `seed`) split into `batches` CSV files.
fn batches(dir: &Path, records: u64, seed: u64, batches: usize) -> Vec<String> {
    let all = dir.join(format!("all-{seed}.csv"));
    let truth = dir.join(format!("truth-{seed}.csv"));
    ok(&[
        "synth",
        "--records",
        &records.to_string(),
        "--seed",
        &seed.to_string(),
        "--out",
        all.to_str().unwrap(),
        "--truth",
        truth.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&all).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let per = rows.len().div_ceil(batches);
    rows.chunks(per)
        .enumerate()
        .map(|(i, chunk)| {
            let path = dir.join(format!("batch-{seed}-{i}.csv"));
            std::fs::write(&path, format!("{header}\n{}\n", chunk.join("\n"))).unwrap();
            path.display().to_string()
        })
        .collect()
}

fn kill_runs() -> u64 {
    std::env::var("SAMEAS_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

/// A seeded delay in `0..max_ms`.
fn delay(seed: u64, max_ms: u64) -> Duration {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    x ^= x >> 31;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 29;
    Duration::from_millis(x % max_ms.max(1))
}

/// Starts `args` and kills it after `after`; returns whether it finished first.
fn kill_after(args: &[&str], after: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sameas"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let finished = child.try_wait().unwrap().is_some();
    let _ = child.kill();
    let _ = child.wait();
    finished
}

#[test]
fn a_day_of_ingestion_through_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let files = batches(dir.path(), 240, 21, 2);
    let db = dir.path().join("customers.db");
    let db = db.to_str().unwrap();
    let out = sameas(&["ingest", "--store", db, "--channel", "app", &files[0]]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("created the key file"),
        "says so"
    );
    assert!(ok(&["ingest", "--store", db, "--channel", "web", &files[1]]).contains("120 added"));
    assert!(
        ok(&["ingest", "--store", db, "--channel", "web", &files[1]]).contains("120 unchanged")
    );
    assert!(ok(&["channel", "list", "--store", db]).contains("web"));
    assert!(ok(&["store", "check", "--store", db]).contains("consistent (240 records"));
    let shown = ok(&["lookup", "--store", db, "--id", "R0000001"]);
    assert!(shown.contains("record R0000001"), "{shown}");
    let exported = dir.path().join("export");
    ok(&["export", "--store", db, "--out", exported.to_str().unwrap()]);
    let entities = std::fs::read_to_string(exported.join("entities.csv")).unwrap();
    assert_eq!(entities.lines().count(), 241);
    let backups = dir.path().join("backups");
    let said = ok(&[
        "backup",
        "--store",
        db,
        "--to",
        backups.to_str().unwrap(),
        "--keep-days",
        "30",
    ]);
    let backup = said.split_whitespace().next().unwrap().to_string();
    ok(&["restore", "--store", db, "--from", &backup]);
    assert!(ok(&["store", "check", "--store", db]).contains("consistent (240 records"));
    // Without the key file nothing opens.
    std::fs::remove_file(format!("{db}.key")).unwrap();
    let out = sameas(&["store", "check", "--store", db]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no keys"));
}

#[test]
fn rotate_key_replaces_the_key_file_after_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let files = batches(dir.path(), 60, 23, 1);
    let db = dir.path().join("customers.db");
    let db = db.to_str().unwrap();
    ok(&["ingest", "--store", db, "--channel", "app", &files[0]]);
    let key_file = format!("{db}.key");
    let old_keys = std::fs::read_to_string(&key_file).unwrap();
    let before = ok(&["lookup", "--store", db, "--id", "R0000001", "--json"]);
    let said = ok(&["store", "rotate-key", "--store", db]);
    assert!(said.contains("sealed values re-encrypted"), "{said}");
    let new_keys = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(new_keys, old_keys);
    // Only the value key changes.
    let line = |text: &str, name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_string()
    };
    assert_eq!(line(&new_keys, "index"), line(&old_keys, "index"));
    assert_ne!(line(&new_keys, "store"), line(&old_keys, "store"));
    assert!(!Path::new(&format!("{key_file}.new")).exists());
    assert_eq!(
        ok(&["lookup", "--store", db, "--id", "R0000001", "--json"]),
        before
    );
    assert!(ok(&["store", "check", "--store", db]).contains("consistent (60 records"));
    // The old keys are refused.
    let old_file = dir.path().join("old.key");
    std::fs::write(&old_file, &old_keys).unwrap();
    let out = sameas(&[
        "store",
        "check",
        "--store",
        db,
        "--key-file",
        old_file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("written under key"));
    // Rotated again, into a named file: the store opens with that one only.
    let elsewhere = dir.path().join("elsewhere.key");
    let elsewhere = elsewhere.to_str().unwrap();
    ok(&[
        "store",
        "rotate-key",
        "--store",
        db,
        "--new-key-file",
        elsewhere,
    ]);
    assert!(!sameas(&["store", "check", "--store", db]).status.success());
    assert!(
        ok(&["store", "check", "--store", db, "--key-file", elsewhere])
            .contains("consistent (60 records")
    );
}

#[test]
fn ingest_killed_at_random_moments_keeps_every_committed_batch_once() {
    let dir = tempfile::tempdir().unwrap();
    let files = batches(dir.path(), 400, 31, 8);
    let db = dir.path().join("customers.db");
    let db = db.to_str().unwrap();
    // The first batch fits the model: not killed, so that every later run is an ingest.
    ok(&["ingest", "--store", db, "--channel", "app", &files[0]]);
    let runs = kill_runs();
    let mut finished = 0;
    for run in 0..runs {
        let file = &files[1 + (run as usize % (files.len() - 1))];
        finished += u64::from(kill_after(
            &["ingest", "--store", db, "--channel", "app", file],
            delay(run, 1500),
        ));
        let check = sameas(&["store", "check", "--store", db]);
        assert!(
            check.status.success(),
            "kill {run}: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }
    eprintln!(
        "ingest: {runs} runs, {} killed while running",
        runs - finished
    );
    // Every committed batch's records are there exactly once: after ingesting every file
    // to the end, the store holds each input record once.
    for file in &files {
        ok(&["ingest", "--store", db, "--channel", "app", file]);
    }
    assert!(ok(&["store", "check", "--store", db]).contains("consistent (400 records"));
}

#[test]
fn resolve_killed_at_random_moments_leaves_the_old_result_or_the_new() {
    let dir = tempfile::tempdir().unwrap();
    let old_input = batches(dir.path(), 300, 41, 1).remove(0);
    let new_input = batches(dir.path(), 500, 42, 1).remove(0);
    let expected = |input: &str, name: &str| {
        let out = dir.path().join(name);
        ok(&["resolve", input, "--out", out.to_str().unwrap(), "-q"]);
        std::fs::read(out.join("entities.csv")).unwrap()
    };
    let (old, new) = (expected(&old_input, "old"), expected(&new_input, "new"));
    let out = dir.path().join("out");
    let out_str = out.to_str().unwrap();
    let runs = kill_runs();
    let (mut finished, mut replaced) = (0, 0);
    for run in 0..runs {
        ok(&["resolve", &old_input, "--out", out_str, "-q"]);
        finished += u64::from(kill_after(
            &["resolve", &new_input, "--out", out_str, "-q"],
            delay(run + 7, 2500),
        ));
        let entities = std::fs::read(out.join("entities.csv")).unwrap();
        assert!(
            entities == old || entities == new,
            "kill {run}: a mixed result"
        );
        for name in ["golden.csv", "report.json", "config.json"] {
            assert!(out.join(name).is_file(), "kill {run}: {name} missing");
        }
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        replaced += u64::from(entities == new);
        let records = if entities == old { 300 } else { 500 };
        assert_eq!(report["records"], records, "kill {run}: files of two runs");
    }
    eprintln!(
        "resolve: {runs} runs, {} killed while running; the new result in place after {replaced}",
        runs - finished
    );
    // A directory holding other files is refused before the run.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let refused = sameas(&["resolve", &old_input, "--out", out_str, "-q"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("did not write (notes.txt)"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
