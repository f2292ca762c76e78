//! One dataset of `sameas bench`, run in a process of its own so that its peak memory is its
//! own: resolve, score against the truth, measure blocking, and optionally sweep thresholds.
//! The row is printed to standard output as JSON.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use sameas::eval::{BlockingQuality, Predicted, Truth, evaluate};
use sameas::{Control, InputTable, Resolver, ResolverConfig};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::compare::apply_patch;
use crate::resolve::evaluate_truth;

/// The day ages are measured against in the bench, so that figures do not drift with the
/// calendar.
pub const REFERENCE_DATE: jiff::civil::Date = jiff::civil::date(2026, 1, 1);

/// `sameas bench-one` (hidden: `sameas bench` runs it once per dataset).
#[derive(Debug, Args)]
pub struct BenchOneArgs {
    /// The row's name.
    #[arg(long)]
    pub name: String,
    /// The data file.
    #[arg(long)]
    pub data: PathBuf,
    /// The truth file.
    #[arg(long)]
    pub truth: PathBuf,
    /// JSON merge patches applied, in order, over the inferred configuration.
    #[arg(long)]
    pub patch: Vec<PathBuf>,
    /// Thresholds to sweep, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub sweep: Vec<f64>,
    /// Write `record_id,entity_id` here.
    #[arg(long)]
    pub entities_out: Option<PathBuf>,
}

/// Wall seconds per stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Seconds {
    /// Normalizing the records.
    pub normalize: f64,
    /// Blocking.
    pub block: f64,
    /// Training (EM).
    pub train: f64,
    /// Scoring the candidate pairs.
    pub score: f64,
    /// Clustering.
    pub cluster: f64,
    /// Golden records.
    pub golden: f64,
    /// Reading the file and the whole resolve.
    pub total: f64,
}

/// The scores at one threshold of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// The threshold.
    pub threshold: f64,
    /// Pairwise precision.
    pub precision: f64,
    /// Pairwise recall.
    pub recall: f64,
    /// Pairwise F1.
    pub f1: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
    /// Entities.
    pub entities: u64,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The dataset.
    pub dataset: String,
    /// Records.
    pub records: u64,
    /// Candidate pairs blocking produced.
    pub candidate_pairs: u64,
    /// True pairs among the candidates over all true pairs.
    pub pair_completeness: f64,
    /// 1 − candidates / all pairs.
    pub reduction_ratio: f64,
    /// Pairwise precision.
    pub precision: f64,
    /// Pairwise recall.
    pub recall: f64,
    /// Pairwise F1.
    pub f1: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
    /// Joins the clustering refused (cannot-links, two identifying values).
    #[serde(default)]
    pub refusals: u64,
    /// Of those, joins of two records of one true person: refusals that split a true
    /// entity.
    #[serde(default)]
    pub wrong_refusals: u64,
    /// The match threshold in force.
    pub threshold: f64,
    /// Wall seconds per stage.
    pub seconds: Seconds,
    /// Peak resident memory of the run (Linux only).
    pub peak_memory_bytes: Option<u64>,
    /// The suite's floor for the pairwise F1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<f64>,
    /// The sweep, when asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sweep: Vec<SweepRow>,
    /// The sweep's threshold of best pairwise F1 (the lowest on a tie).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_threshold: Option<f64>,
}

/// Runs `sameas bench-one`.
pub fn run_bench_one(args: &BenchOneArgs) -> Result<()> {
    let row = bench_one(args).with_context(|| format!("dataset {}", args.name))?;
    println!("{}", serde_json::to_string(&row)?);
    Ok(())
}

fn bench_one(args: &BenchOneArgs) -> Result<Row> {
    let started = Instant::now();
    let input = InputTable::read_path(&args.data, None)
        .with_context(|| format!("{} cannot be read as a table", args.data.display()))?;
    let config = configure(&input, &args.data, &args.patch)?;
    let mut resolver = Resolver::with_config(config)?;
    let resolution = resolver.resolve_owned(input, None, &Control::none())?;
    let total = started.elapsed().as_secs_f64();
    let peak_memory_bytes = peak_memory_bytes();

    let truth = Truth::from_path(&args.truth)?;
    let (evaluation, _) = evaluate_truth(&args.truth, &truth, &resolution.entities)?;
    let refused = resolver.refused_joins();
    let wrong_refusals = refused
        .iter()
        .filter(|(a, b)| {
            let cluster =
                |id: &sameas::RecordId| truth.index_of(id.as_str()).map(|i| truth.cluster_of(i));
            cluster(a).is_some() && cluster(a) == cluster(b)
        })
        .count() as u64;
    let pairs = resolver.candidate_pairs()?;
    let blocking = BlockingQuality::measure(
        &truth,
        pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())),
        truth.comparable_pairs(),
    )?;
    drop(pairs);
    if let Some(path) = &args.entities_out {
        write_entities(path, &resolution.entities)?;
    }
    let report = &resolution.report;
    let t = &report.timings;
    let mut row = Row {
        dataset: args.name.clone(),
        records: report.records,
        candidate_pairs: report.candidate_pairs,
        pair_completeness: blocking.pair_completeness,
        reduction_ratio: blocking.reduction_ratio,
        precision: evaluation.pairwise.precision,
        recall: evaluation.pairwise.recall,
        f1: evaluation.pairwise.f1,
        bcubed_f1: evaluation.bcubed.f1,
        refusals: refused.len() as u64,
        wrong_refusals,
        threshold: report.threshold,
        seconds: Seconds {
            normalize: t.normalize,
            block: t.block,
            train: t.train,
            score: t.score,
            cluster: t.cluster,
            golden: t.golden,
            total,
        },
        peak_memory_bytes,
        floor: None,
        sweep: Vec::new(),
        best_threshold: None,
    };
    if !args.sweep.is_empty() {
        // The trained model of the run above, so that the curve belongs to the row.
        let trained = resolver.config().expect("resolved").clone();
        drop(resolution);
        drop(resolver);
        let input = InputTable::read_path(&args.data, None)
            .with_context(|| format!("{} cannot be read as a table", args.data.display()))?;
        let sweep = Resolver::with_config(trained)?.sweep(&input, &args.sweep, &Control::none())?;
        drop(input);
        let truth_index = sweep
            .ids
            .iter()
            .map(|id| truth.index_of(id.as_str()))
            .collect::<Option<Vec<u32>>>()
            .context("a record is not in the truth")?;
        if truth_index.len() != truth.len() {
            bail!(
                "{} records but {} in the truth",
                truth_index.len(),
                truth.len()
            );
        }
        let mut by_truth = vec![0u32; truth.len()];
        for point in &sweep.points {
            for (&t, &label) in truth_index.iter().zip(&point.labels) {
                by_truth[t as usize] = label;
            }
            let scores = evaluate(&truth, &Predicted::from_labels(&truth, &by_truth)?, 0)?;
            row.sweep.push(SweepRow {
                threshold: point.threshold,
                precision: scores.pairwise.precision,
                recall: scores.pairwise.recall,
                f1: scores.pairwise.f1,
                bcubed_f1: scores.bcubed.f1,
                entities: point.clusters as u64,
            });
        }
        row.best_threshold = best_threshold(&row.sweep);
    }
    Ok(row)
}

/// The configuration `sameas resolve` infers from the header (ages measured against
/// [`REFERENCE_DATE`]), with the patches applied.
fn configure(input: &InputTable, path: &Path, patches: &[PathBuf]) -> Result<ResolverConfig> {
    let options = sameas::InferOptions {
        reference_date: Some(REFERENCE_DATE),
        ..sameas::InferOptions::default()
    };
    let mut config = ResolverConfig::infer(&input.table, &options)
        .with_context(|| format!("{}: the header is not usable", path.display()))?
        .config;
    for patch in patches {
        let text = std::fs::read_to_string(patch)
            .with_context(|| format!("cannot read {}", patch.display()))?;
        let value: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", patch.display()))?;
        config = apply_patch(&config, &value)
            .with_context(|| format!("{} does not apply", patch.display()))?;
    }
    Ok(config)
}

/// The lowest threshold with the best F1.
pub fn best_threshold(sweep: &[SweepRow]) -> Option<f64> {
    sweep
        .iter()
        .fold(None::<&SweepRow>, |best, s| match best {
            Some(b) if b.f1 >= s.f1 => Some(b),
            _ => Some(s),
        })
        .map(|s| s.threshold)
}

/// The peak resident memory of this process so far (`VmHWM`); `None` where the system does
/// not report it.
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kb * 1024)
}

fn write_entities(path: &Path, entities: &[(sameas::RecordId, sameas::EntityId)]) -> Result<()> {
    let mut writer = csv::Writer::from_path(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    writer.write_record(["record_id", "entity_id"])?;
    for (record, entity) in entities {
        writer.write_record([record.as_str(), entity.as_str()])?;
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(threshold: f64, f1: f64) -> SweepRow {
        SweepRow {
            threshold,
            precision: 0.0,
            recall: 0.0,
            f1,
            bcubed_f1: 0.0,
            entities: 0,
        }
    }

    #[test]
    fn best_threshold_is_the_lowest_of_the_best() {
        assert_eq!(best_threshold(&[]), None);
        let sweep = [
            point(0.1, 0.5),
            point(0.2, 0.9),
            point(0.3, 0.9),
            point(0.4, 0.7),
        ];
        assert_eq!(best_threshold(&sweep), Some(0.2));
    }

    #[test]
    fn peak_memory_is_read_where_the_system_reports_it() {
        if Path::new("/proc/self/status").exists() {
            assert!(peak_memory_bytes().unwrap() > 1 << 20);
        }
    }
}
