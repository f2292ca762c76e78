//! `sameas bench`: the resolver over a suite of labelled datasets, one table. Each dataset
//! runs in a child process (`sameas bench-one`), so that its peak memory is its own.
//!
//! `suite.rs` reads the suite file and its data, `run.rs` runs one dataset (the child),
//! `compare.rs` compares two configurations; this file runs the suite and prints the table.

mod compare;
pub(crate) mod run;
mod suite;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::Args;
use sameas::eval::Truth;
use serde::Serialize;

use compare::{PairChanges, pair_changes};
use run::{Row, best_threshold};
use suite::{DATA_DIR, Dataset, Files, Suite};

/// `sameas bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The suite file (e.g. benches/suite.toml).
    suite: PathBuf,
    /// Run only these datasets (comma-separated names), slow ones included.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Include the datasets marked slow.
    #[arg(long)]
    slow: bool,
    /// Also write the table as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Exit non-zero when a dataset's pairwise F1 is below its floor.
    #[arg(long)]
    check: bool,
    /// Sweep the threshold from A to B by STEP (e.g. 0.1:0.9:0.05): score once, cluster at
    /// each, print the precision / recall curve and the best-F1 threshold.
    #[arg(long, value_name = "A:B:STEP")]
    sweep: Option<String>,
    /// A JSON merge patch over each dataset's inferred configuration, applied to every run.
    #[arg(long, value_name = "A.json")]
    config: Option<PathBuf>,
    /// Compare with a second configuration: this JSON merge patch over the first. Prints
    /// each metric's delta and the record pairs that changed side.
    #[arg(long, value_name = "VARIANT.json")]
    compare: Option<PathBuf>,
    /// How many changed pairs to show per dataset and direction, masked.
    #[arg(long, default_value_t = 3)]
    examples: usize,
}

/// The table as JSON.
#[derive(Serialize)]
struct JsonTable<'a> {
    suite: String,
    rows: &'a [Row],
    #[serde(skip_serializing_if = "Option::is_none")]
    compare: Option<JsonCompare<'a>>,
}

#[derive(Serialize)]
struct JsonCompare<'a> {
    variant: String,
    rows: &'a [Row],
    changes: &'a [PairChanges],
}

/// Runs `sameas bench`.
pub fn run_bench(args: &BenchArgs) -> Result<()> {
    let suite = Suite::read(&args.suite)?;
    let suite_dir = args.suite.parent().unwrap_or(Path::new("."));
    let datasets = suite.select(&args.only, args.slow)?;
    if datasets.is_empty() {
        bail!("no dataset selected");
    }
    let thresholds = args.sweep.as_deref().map(parse_sweep).transpose()?;
    let base: Vec<PathBuf> = args.config.iter().cloned().collect();
    let mut variant = base.clone();
    variant.extend(args.compare.iter().cloned());
    let runs_dir = Path::new(DATA_DIR).join("runs");

    let mut rows = Vec::new();
    let mut variant_rows = Vec::new();
    let mut changes = Vec::new();
    for dataset in &datasets {
        let files = dataset.files(suite_dir)?;
        let entities = |side: &str| runs_dir.join(format!("{}.{side}.csv", dataset.name));
        if args.compare.is_some() {
            std::fs::create_dir_all(&runs_dir)
                .with_context(|| format!("cannot create {}", runs_dir.display()))?;
        }
        let keep = args.compare.as_ref().map(|_| entities("a"));
        let row = run_child(
            dataset,
            &files,
            &base,
            thresholds.as_deref(),
            keep.as_deref(),
        )?;
        eprintln!("{}: pairwise F1 {:.4}", dataset.name, row.f1);
        rows.push(row);
        if args.compare.is_some() {
            let b = entities("b");
            let row = run_child(dataset, &files, &variant, thresholds.as_deref(), Some(&b))?;
            eprintln!("{} (B): pairwise F1 {:.4}", dataset.name, row.f1);
            variant_rows.push(row);
            let truth = Truth::from_path(&files.truth)?;
            changes.push(pair_changes(
                &dataset.name,
                &truth,
                &entities("a"),
                &b,
                &files.data,
                args.examples,
            )?);
        }
    }

    let mut out = std::io::stdout().lock();
    let compare_label = args.compare.as_ref().map(|p| p.display().to_string());
    if let Some(label) = &compare_label {
        writeln!(
            out,
            "A: the inferred configuration{}",
            patch_note(&args.config)
        )?;
        writeln!(out, "B: A with {label}")?;
        writeln!(out)?;
        writeln!(out, "A")?;
    }
    write_table(&mut out, &rows)?;
    if compare_label.is_some() {
        writeln!(out)?;
        writeln!(out, "B")?;
        write_table(&mut out, &variant_rows)?;
        writeln!(out)?;
        writeln!(out, "B - A")?;
        write_deltas(&mut out, &rows, &variant_rows)?;
        for change in &changes {
            writeln!(out)?;
            write_changes(&mut out, change)?;
        }
    }
    for (label, rows) in [("", &rows), (" (B)", &variant_rows)] {
        for row in rows.iter().filter(|r| !r.sweep.is_empty()) {
            writeln!(out)?;
            write_sweep(&mut out, row, label)?;
        }
    }
    if let Some(path) = &args.json {
        let table = JsonTable {
            suite: args.suite.display().to_string(),
            rows: &rows,
            compare: compare_label.map(|variant| JsonCompare {
                variant,
                rows: &variant_rows,
                changes: &changes,
            }),
        };
        let json = serde_json::to_string_pretty(&table)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.check {
        let below: Vec<String> = rows
            .iter()
            .filter_map(|r| {
                let floor = r.floor?;
                (r.f1 < floor).then(|| format!("{} (F1 {:.4} < floor {floor})", r.dataset, r.f1))
            })
            .collect();
        if !below.is_empty() {
            bail!("pairwise F1 below its floor: {}", below.join(", "));
        }
    }
    Ok(())
}

fn patch_note(config: &Option<PathBuf>) -> String {
    config
        .as_ref()
        .map(|p| format!(" with {}", p.display()))
        .unwrap_or_default()
}

/// Runs one dataset in a child process and reads its row.
fn run_child(
    dataset: &Dataset,
    files: &Files,
    patches: &[PathBuf],
    thresholds: Option<&[f64]>,
    entities_out: Option<&Path>,
) -> Result<Row> {
    let exe = std::env::current_exe().context("cannot find the sameas binary")?;
    let mut command = Command::new(exe);
    command
        .arg("bench-one")
        .arg("--name")
        .arg(&dataset.name)
        .arg("--data")
        .arg(&files.data)
        .arg("--truth")
        .arg(&files.truth);
    for patch in patches {
        command.arg("--patch").arg(patch);
    }
    if let Some(thresholds) = thresholds {
        let list: Vec<String> = thresholds.iter().map(f64::to_string).collect();
        command.arg("--sweep").arg(list.join(","));
    }
    if let Some(path) = entities_out {
        command.arg("--entities-out").arg(path);
    }
    let output = command
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("dataset {}: cannot start the run", dataset.name))?;
    if !output.status.success() {
        bail!(
            "dataset {}: the run failed ({})",
            dataset.name,
            output.status
        );
    }
    let mut row: Row = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("dataset {}: the run printed no row", dataset.name))?;
    row.floor = dataset.floor;
    Ok(row)
}

/// `A:B:STEP` as the thresholds A, A + STEP, … up to B (within rounding).
fn parse_sweep(spec: &str) -> Result<Vec<f64>> {
    let parts: Vec<f64> = spec
        .split(':')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("--sweep {spec}: expected A:B:STEP, three numbers"))?;
    let [from, to, step] = parts[..] else {
        bail!("--sweep {spec}: expected A:B:STEP, three numbers");
    };
    if !(from > 0.0 && to < 1.0 && from <= to && step > 0.0) {
        bail!("--sweep {spec}: need 0 < A <= B < 1 and STEP > 0");
    }
    let count = ((to - from) / step + 1e-9).floor() as usize + 1;
    if count > 1000 {
        bail!("--sweep {spec}: more than 1000 thresholds");
    }
    // Rounded to 1e-9 so that 0.1 + 3 × 0.05 prints as 0.25.
    Ok((0..count)
        .map(|k| ((from + k as f64 * step) * 1e9).round() / 1e9)
        .collect())
}

const HEADER: [&str; 18] = [
    "dataset", "records", "pairs", "PC", "RR", "P", "R", "F1", "B3 F1", "refused", "norm s",
    "block s", "train s", "score s", "clust s", "golden s", "total s", "peak MB",
];

fn cells(row: &Row) -> Vec<String> {
    let s = &row.seconds;
    let mut cells = vec![
        row.dataset.clone(),
        row.records.to_string(),
        row.candidate_pairs.to_string(),
        format!("{:.4}", row.pair_completeness),
        format!("{:.6}", row.reduction_ratio),
        format!("{:.4}", row.precision),
        format!("{:.4}", row.recall),
        format!("{:.4}", row.f1),
        format!("{:.4}", row.bcubed_f1),
        // Refused joins, and in brackets those that split a true entity.
        format!("{} ({})", row.refusals, row.wrong_refusals),
    ];
    for t in [
        s.normalize,
        s.block,
        s.train,
        s.score,
        s.cluster,
        s.golden,
        s.total,
    ] {
        cells.push(format!("{t:.2}"));
    }
    cells.push(
        row.peak_memory_bytes
            .map(|b| format!("{:.0}", b as f64 / 1e6))
            .unwrap_or_else(|| "-".into()),
    );
    cells
}

/// Prints rows of cells under a header, the first column left-aligned.
fn write_grid(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut line = |cells: &[&str]| -> std::io::Result<()> {
        let text: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| {
                if c == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        writeln!(out, "{}", text.join("  ").trim_end())
    };
    line(header)?;
    for row in rows {
        line(&row.iter().map(String::as_str).collect::<Vec<_>>())?;
    }
    Ok(())
}

fn write_table(out: &mut impl Write, rows: &[Row]) -> Result<()> {
    let mut header = HEADER.to_vec();
    header.push("floor");
    let grid: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut c = cells(r);
            c.push(r.floor.map(|f| f.to_string()).unwrap_or_else(|| "-".into()));
            c
        })
        .collect();
    write_grid(out, &header, &grid)
}

/// B − A for every numeric column.
fn write_deltas(out: &mut impl Write, a: &[Row], b: &[Row]) -> Result<()> {
    let grid: Vec<Vec<String>> = a
        .iter()
        .zip(b)
        .map(|(a, b)| {
            let (ca, cb) = (cells(a), cells(b));
            let mut row = vec![a.dataset.clone()];
            for (x, y) in ca.iter().zip(&cb).skip(1) {
                let decimals = y.split_once('.').map_or(0, |(_, d)| d.len());
                row.push(match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(x), Ok(y)) => format!("{:+.decimals$}", y - x),
                    _ => "-".into(),
                });
            }
            row
        })
        .collect();
    write_grid(out, &HEADER, &grid)
}

fn write_changes(out: &mut impl Write, change: &PairChanges) -> Result<()> {
    for (title, c) in [
        ("joined in B, apart in A", &change.joined_in_b),
        ("apart in B, joined in A", &change.split_in_b),
    ] {
        writeln!(
            out,
            "{}: {} pairs {title} ({} right, {} wrong by the truth)",
            change.dataset, c.pairs, c.right, c.wrong
        )?;
        for e in &c.examples {
            let show = |m: &crate::eval::Masked| {
                m.iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            writeln!(
                out,
                "  {} ~ {}  {}\n      {}\n      {}",
                e.record_id_l,
                e.record_id_r,
                if e.right { "right" } else { "wrong" },
                show(&e.masked_l),
                show(&e.masked_r)
            )?;
        }
    }
    Ok(())
}

fn write_sweep(out: &mut impl Write, row: &Row, label: &str) -> Result<()> {
    writeln!(out, "{}{label}: threshold sweep", row.dataset)?;
    let grid: Vec<Vec<String>> = row
        .sweep
        .iter()
        .map(|s| {
            vec![
                format!("{}", s.threshold),
                format!("{:.4}", s.precision),
                format!("{:.4}", s.recall),
                format!("{:.4}", s.f1),
                format!("{:.4}", s.bcubed_f1),
                s.entities.to_string(),
            ]
        })
        .collect();
    write_grid(
        out,
        &["threshold", "P", "R", "F1", "B3 F1", "entities"],
        &grid,
    )?;
    if let Some(best) = best_threshold(&row.sweep) {
        let f1 = row
            .sweep
            .iter()
            .find(|s| s.threshold == best)
            .map_or(0.0, |s| s.f1);
        writeln!(
            out,
            "best pairwise F1 {f1:.4} at threshold {best} (configured {}: F1 {:.4})",
            row.threshold, row.f1
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_parse_inclusively() {
        assert_eq!(
            parse_sweep("0.1:0.3:0.05").unwrap(),
            [0.1, 0.15, 0.2, 0.25, 0.3]
        );
        assert_eq!(parse_sweep("0.5:0.5:0.1").unwrap(), [0.5]);
        for bad in [
            "0:0.5:0.1",
            "0.5:0.4:0.1",
            "0.1:0.9",
            "0.1:1:0.1",
            "a:b:c",
            "0.1:0.9:0",
        ] {
            assert!(parse_sweep(bad).is_err(), "{bad}");
        }
    }
}
