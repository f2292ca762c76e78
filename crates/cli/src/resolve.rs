//! `sameas resolve` and `sameas explain-entity`: the main job, through the facade.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use sameas::eval::households::{HouseholdMerges, household_merges};
use sameas::eval::{Evaluation, Predicted, Truth, evaluate};
use sameas::{
    ClusteringMethod, Control, InputTable, PreviousEntities, Progress, Report, Resolver,
    ResolverConfig, read_review_decisions, write_resolution,
};
use sameas_core::{EntityId, RecordId};
use sameas_match::LinkMode;
use serde::Serialize;

use crate::commands::ReadOptions;

/// Clustering method, as a command-line value.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ClusteringArg {
    /// Strongest edges first, refusing joins that break a constraint.
    Constrained,
    /// Plain connected components of the matches, no constraints.
    Components,
}

/// `sameas resolve`.
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// Input file: CSV with a header row, or JSON lines (`.jsonl`, `.ndjson`, or content
    /// starting with `{`).
    input: PathBuf,
    /// Output directory (created when missing).
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// A configuration (e.g. a previous run's DIR/config.json); inferred and trained when
    /// left out, trained when it has no model.
    #[arg(long)]
    config: Option<PathBuf>,
    /// A truth CSV (record id, true cluster id, optionally a `household_id` column): adds
    /// the evaluation to the report.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Match probability threshold (overrides the configuration's).
    #[arg(long)]
    threshold: Option<f64>,
    /// A previous run's entities.csv: entities keep their old ids.
    #[arg(long)]
    previous: Option<PathBuf>,
    /// A review.csv with its `decision` column filled in: the decisions become must-link /
    /// cannot-link overrides, saved in DIR/config.json so later runs keep them.
    #[arg(long)]
    decisions: Option<PathBuf>,
    /// Override the clustering method.
    #[arg(long, value_enum)]
    clustering: Option<ClusteringArg>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
    /// Normalizer options are ignored with --config (the saved ones apply).
    #[command(flatten)]
    read: ReadOptions,
}

/// `sameas explain-entity`.
#[derive(Debug, Args)]
pub struct ExplainEntityArgs {
    /// A resolve run's DIR/config.json.
    #[arg(long)]
    config: PathBuf,
    /// The input file the run resolved.
    input: PathBuf,
    /// The entity id.
    entity: String,
    /// The same run's entities.csv, so that ids match that run (default: beside the config).
    #[arg(long)]
    entities: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// File encoding; detected when left out.
    #[arg(long)]
    encoding: Option<String>,
}

fn load_config(path: &Path) -> Result<ResolverConfig> {
    let json =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    ResolverConfig::from_json(&json)
        .with_context(|| format!("{} is not a usable config", path.display()))
}

/// Reads a `record_id,entity_id` file.
fn read_previous(path: &Path) -> Result<PreviousEntities> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record
            .with_context(|| format!("{}: row {} is not valid CSV", path.display(), row + 1))?;
        let (Some(id), Some(entity)) = (record.get(0), record.get(1)) else {
            bail!(
                "{}: row {} needs a record id and an entity id",
                path.display(),
                row + 1
            );
        };
        rows.push((RecordId::from(id), EntityId::from(entity)));
    }
    Ok(PreviousEntities::from_rows(rows))
}

/// A progress bar on a terminal's stderr, one stage at a time.
struct Bar {
    bar: ProgressBar,
    stage: Mutex<Option<sameas::Stage>>,
}

impl Bar {
    fn new(quiet: bool) -> Option<Bar> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("a fixed template")
                .progress_chars("=> "),
        );
        Some(Bar {
            bar,
            stage: Mutex::new(None),
        })
    }

    fn update(&self, progress: Progress) {
        let mut stage = self.stage.lock().expect("not poisoned");
        if *stage != Some(progress.stage) {
            *stage = Some(progress.stage);
            self.bar.set_prefix(progress.stage.as_str());
            self.bar.set_length(progress.total);
        }
        self.bar.set_position(progress.done);
    }
}

/// The report as written: the run's, plus the evaluation with `--truth`.
#[derive(Serialize)]
struct FullReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    evaluation: Option<EvaluationReport<'a>>,
    total_seconds: f64,
}

#[derive(Serialize)]
struct EvaluationReport<'a> {
    truth: String,
    #[serde(flatten)]
    evaluation: &'a Evaluation,
    #[serde(skip_serializing_if = "Option::is_none")]
    households: Option<HouseholdMerges>,
}

/// Runs `sameas resolve`.
pub fn run_resolve(args: &ResolveArgs) -> Result<()> {
    let started = Instant::now();
    let mut config = args.config.as_deref().map(load_config).transpose()?;
    let input = InputTable::read_path(&args.input, args.read.encoding.as_deref())
        .with_context(|| format!("{} cannot be read as a table", args.input.display()))?;
    if config.is_none() {
        let inferred =
            ResolverConfig::infer(&input.table, &args.read.infer_options(LinkMode::Dedupe))
                .with_context(|| format!("{}: the header is not usable", args.input.display()))?;
        for warning in &inferred.warnings {
            eprintln!("warning: {}: {warning}", args.input.display());
        }
        config = Some(inferred.config);
    }
    let mut config = config.expect("set above");
    if let Some(t) = args.threshold {
        if !(t > 0.0 && t < 1.0) {
            bail!("--threshold must be a probability strictly between 0 and 1");
        }
        config.matching.threshold = t;
        config.clustering.review_from = config.clustering.review_from.min(t);
    }
    if let Some(method) = args.clustering {
        config.clustering.method = match method {
            ClusteringArg::Constrained => ClusteringMethod::Constrained,
            ClusteringArg::Components => ClusteringMethod::ConnectedComponents,
        };
    }
    if let Some(path) = &args.decisions {
        let (must, cannot) = read_review_decisions(path)?;
        eprintln!(
            "{}: {} match and {} no-match decisions become overrides",
            path.display(),
            must.len(),
            cannot.len()
        );
        config.clustering.must_link.extend(must);
        config.clustering.cannot_link.extend(cannot);
        for list in [
            &mut config.clustering.must_link,
            &mut config.clustering.cannot_link,
        ] {
            list.sort();
            list.dedup();
        }
    }
    let previous = args.previous.as_deref().map(read_previous).transpose()?;
    for row in input
        .table
        .rows
        .iter()
        .filter(|r| r.problem.is_some())
        .take(20)
    {
        if let Some(problem) = row.problem {
            eprintln!(
                "warning: {}: row {} (line {}): {}; kept as its own entity",
                args.input.display(),
                row.number,
                row.line,
                problem.reason()
            );
        }
    }

    let mut resolver = Resolver::with_config(config)?;
    let bar = Bar::new(args.quiet);
    let callback = |p: Progress| {
        if let Some(bar) = &bar {
            bar.update(p);
        }
    };
    let control = Control::none().with_progress(&callback);
    let resolution = resolver.resolve_owned(input, previous.as_ref(), &control)?;
    if let Some(bar) = &bar {
        bar.bar.finish_and_clear();
    }

    let evaluation = match &args.truth {
        Some(path) => Some(evaluate_truth(
            path,
            &Truth::from_path(path)?,
            &resolution.entities,
        )?),
        None => None,
    };
    let write_started = Instant::now();
    let config = resolver.config().expect("resolved");
    let report = FullReport {
        report: &resolution.report,
        evaluation: evaluation.as_ref().map(|(e, h)| EvaluationReport {
            truth: args
                .truth
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            evaluation: e,
            households: *h,
        }),
        total_seconds: started.elapsed().as_secs_f64(),
    };
    write_resolution(&args.out, &resolution, config, &report)?;
    let write_seconds = write_started.elapsed().as_secs_f64();

    let r = &resolution.report;
    println!(
        "{} records -> {} entities ({} singletons, largest {}); {} bad rows kept as singletons",
        r.records,
        r.entities,
        r.singletons,
        r.largest_entity,
        r.bad_rows.len()
    );
    println!(
        "{} candidate pairs, {} at or above {} ({} held back by the household guard); {} joins, {} refused ({} cannot-link, {} exclusive id); {} pairs to review; {} conflicts",
        r.candidate_pairs,
        r.pairs_above_threshold,
        r.threshold,
        r.refused.household_guard,
        r.joins,
        r.refused.cannot_link + r.refused.exclusive,
        r.refused.cannot_link,
        r.refused.exclusive,
        r.review_pairs,
        r.conflicts
    );
    let t = &r.timings;
    println!(
        "seconds: normalize {:.2}, train {:.2}, block {:.2}, score {:.2}, cluster {:.2}, golden {:.2}, write {:.2}, total {:.2}",
        t.normalize,
        t.train,
        t.block,
        t.score,
        t.cluster,
        t.golden,
        write_seconds,
        started.elapsed().as_secs_f64()
    );
    if let Some((e, households)) = &evaluation {
        println!(
            "against the truth: pairwise P {:.4} R {:.4} F1 {:.4}; B-cubed F1 {:.4}",
            e.pairwise.precision, e.pairwise.recall, e.pairwise.f1, e.bcubed.f1
        );
        if let Some(h) = households {
            println!(
                "households merged: {} of {} with two or more people ({:.2}%)",
                h.falsely_merged,
                h.households,
                100.0 * h.rate
            );
        }
    }
    println!(
        "wrote {} in {}",
        sameas::OUTPUT_FILES.join(", "),
        args.out.display()
    );
    Ok(())
}

/// Pairwise / B-cubed scores against `truth` (read from `path`), and household merges when
/// the file has a `household_id` column.
pub(crate) fn evaluate_truth(
    path: &Path,
    truth: &Truth,
    entities: &[(RecordId, EntityId)],
) -> Result<(Evaluation, Option<HouseholdMerges>)> {
    let predicted = Predicted::from_entities(
        truth,
        entities.iter().map(|(r, e)| (r.as_str(), e.as_str())),
    )?;
    let evaluation = evaluate(truth, &predicted, 5)?;
    let households = sameas_eval::households::read_households(path, truth)?
        .map(|household_of| household_merges(truth, &household_of, &predicted));
    Ok((evaluation, households))
}

/// Runs `sameas explain-entity`.
pub fn run_explain_entity(args: &ExplainEntityArgs) -> Result<()> {
    let config = load_config(&args.config)?;
    let input = InputTable::read_path(&args.input, args.encoding.as_deref())
        .with_context(|| format!("{} cannot be read as a table", args.input.display()))?;
    let entities = args.entities.clone().unwrap_or_else(|| {
        args.config
            .parent()
            .unwrap_or(Path::new("."))
            .join("entities.csv")
    });
    let previous = if entities.exists() {
        Some(read_previous(&entities)?)
    } else {
        None
    };
    let mut resolver = Resolver::with_config(config)?;
    resolver.resolve(&input, previous.as_ref(), &Control::none())?;
    let explanation = resolver.explain_entity(&args.entity)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&explanation)?);
        return Ok(());
    }
    println!(
        "entity {}: {} records: {}",
        explanation.entity,
        explanation.records.len(),
        explanation
            .records
            .iter()
            .map(RecordId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("joins (strongest first):");
    for j in &explanation.joins {
        println!(
            "  {} + {}  p={:.6} w={:+.2}  {}",
            j.record_id_l, j.record_id_r, j.match_probability, j.match_weight, j.outcome
        );
    }
    if !explanation.refused.is_empty() {
        println!("refused:");
        for j in &explanation.refused {
            let evidence = j
                .evidence
                .as_ref()
                .map(|(a, b)| format!(" (evidence: records {a} and {b})"))
                .unwrap_or_default();
            println!(
                "  {} + {}  p={:.6} w={:+.2}  {}{evidence}",
                j.record_id_l, j.record_id_r, j.match_probability, j.match_weight, j.outcome
            );
        }
    }
    Ok(())
}
