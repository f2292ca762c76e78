//! `sameas resolve` and `sameas explain-entity`: the main job, through the facade.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use sameas::eval::households::{HouseholdMerges, household_merges};
use sameas::eval::{Evaluation, Predicted, Truth, evaluate};
use sameas::{
    ClusteringMethod, Control, GoldenFiles, InputTable, PreviousEntities, Progress, Report,
    Resolution, Resolver, ResolverConfig, read_review_decisions, write_resolution_files,
};
use sameas_core::spreadsheet::unescape_formula;
use sameas_core::{EntityId, RecordId};
use sameas_match::LinkMode;
use serde::Serialize;

use crate::input::ReadOptions;

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
    /// The CSV column separator; detected when left out.
    #[arg(long, value_parser = crate::input::delimiter_arg)]
    delimiter: Option<u8>,
}

/// Reads a configuration document (`resolve`, `match` and `explain` read the same one) and
/// warns of keys it does not know.
pub(crate) fn load_config(path: &Path) -> Result<ResolverConfig> {
    let json =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let config = ResolverConfig::from_json(&json)
        .with_context(|| format!("{} is not a usable config", path.display()))?;
    warn_unknown_keys(path, &config, &json);
    Ok(config)
}

/// Warns of each key of a configuration document that this version ignores (a misspelt
/// setting would otherwise change nothing without a word).
fn warn_unknown_keys(path: &Path, config: &ResolverConfig, json: &str) {
    for key in config.unknown_keys(json) {
        eprintln!(
            "warning: {}: unknown key `{key}` is ignored",
            path.display()
        );
    }
}

/// What a side file looks like, for errors that name what was given instead.
fn looks_like(headers: &csv::StringRecord) -> &'static str {
    let has = |name: &str| headers.iter().any(|h| h == name);
    if has("record_id_l") {
        " (it looks like a review or pairs file)"
    } else if has("record_count") {
        " (it looks like golden.csv)"
    } else {
        ""
    }
}

/// Reads an entities file (`record_id`, `entity_id` columns, as a resolve run writes
/// `entities.csv`). Ids are read exactly as written, less the quote that kept a formula-like
/// id inert.
fn read_previous(path: &Path) -> Result<PreviousEntities> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: line 1 is not a CSV header", path.display()))?
        .clone();
    let at = |name: &str| headers.iter().position(|h| h == name);
    let (Some(record_at), Some(entity_at)) = (at("record_id"), at("entity_id")) else {
        bail!(
            "{}: not an entities file: it needs `record_id` and `entity_id` columns, as a \
             resolve run's entities.csv has{}",
            path.display(),
            looks_like(&headers)
        );
    };
    let mut rows = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record
            .with_context(|| format!("{}: row {} is not valid CSV", path.display(), row + 1))?;
        let cell = |at: usize| unescape_formula(record.get(at).unwrap_or(""));
        let (id, entity) = (cell(record_at), cell(entity_at));
        if id.trim().is_empty() || entity.trim().is_empty() {
            bail!(
                "{}: row {} needs a record id and an entity id",
                path.display(),
                row + 1
            );
        }
        rows.push((RecordId::from(id), EntityId::from(entity)));
    }
    Ok(PreviousEntities::from_rows(rows))
}

/// Checks, before any work, that `dir` can take the outputs: not a file, creatable, writable.
fn check_output_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "--out {}: is a file, not a directory; name a directory for the outputs",
            dir.display()
        );
    }
    sameas::check_output_dir(dir).context("--out")?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("--out {}: cannot create the directory", dir.display()))?;
    let probe = dir.join(format!(".sameas-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("--out {}: cannot write in the directory", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The record ids `input`'s rows will have under `schema` (the id cell, else the row
/// number), for checking side files before the run.
fn provisional_ids<'a>(
    input: &'a InputTable,
    schema: &sameas_core::Schema,
) -> impl Iterator<Item = (u64, std::borrow::Cow<'a, str>)> + 'a {
    let id_at = schema.id_column.as_ref().and_then(|c| {
        input
            .table
            .headers
            .iter()
            .position(|h| h.trim() == c.header.trim())
    });
    input.table.rows.iter().map(move |row| {
        let cell = id_at
            .and_then(|at| row.cells.get(at))
            .filter(|c| !c.trim().is_empty());
        let id = match cell {
            Some(cell) => std::borrow::Cow::Borrowed(cell.as_str()),
            None => std::borrow::Cow::Owned(row.number.to_string()),
        };
        (row.number, id)
    })
}

/// A truth must hold every input record: else the evaluation fails after the whole run.
fn check_truth_covers(
    truth: &Truth,
    path: &Path,
    input: &InputTable,
    schema: &sameas_core::Schema,
) -> Result<()> {
    let mut missing = provisional_ids(input, schema).filter(|(_, id)| truth.index_of(id).is_none());
    if let Some((row, _)) = missing.next() {
        bail!(
            "{}: the record of {} row {row} is not in the truth ({} more missing); a truth file \
             has the record id and the true cluster id as its first two columns",
            path.display(),
            input.name,
            missing.count()
        );
    }
    Ok(())
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

/// Runs `sameas resolve`. Side files, the output directory and the configuration are
/// checked before the run, so that none fails after it.
pub fn run_resolve(args: &ResolveArgs) -> Result<()> {
    let started = Instant::now();
    let mut config = args.config.as_deref().map(load_config).transpose()?;
    let truth = args
        .truth
        .as_deref()
        .map(|path| Truth::from_path(path).with_context(|| format!("--truth {}", path.display())))
        .transpose()?;
    let previous = args.previous.as_deref().map(read_previous).transpose()?;
    let decisions = args
        .decisions
        .as_deref()
        .map(read_review_decisions)
        .transpose()?;
    let input = InputTable::read_path_with(&args.input, &args.read.table_options(&args.input))
        .with_context(|| format!("{} cannot be read as a table", args.input.display()))?;
    if config.is_none() {
        let inferred =
            ResolverConfig::infer(&input.table, &args.read.infer_options(LinkMode::Dedupe))
                .with_context(|| format!("{}: the header is not usable", args.input.display()))?;
        for warning in &inferred.warnings {
            eprintln!("warning: {}: {warning}", args.input.display());
        }
        if inferred.config.matching.comparisons.is_empty() {
            return Err(crate::input::no_comparisons(
                &args.input,
                input.table.headers.len(),
            ));
        }
        config = Some(inferred.config);
    }
    let mut config = config.expect("set above");
    if let (Some(truth), Some(path)) = (&truth, &args.truth) {
        check_truth_covers(truth, path, &input, &config.schema)?;
    }
    check_output_dir(&args.out)?;
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
    let mut decided: Vec<[String; 2]> = Vec::new();
    if let (Some((must, cannot)), Some(path)) = (decisions, &args.decisions) {
        eprintln!(
            "{}: {} match and {} no-match decisions become overrides",
            path.display(),
            must.len(),
            cannot.len()
        );
        decided.extend(must.iter().chain(&cannot).cloned());
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
    // The result is built in a staging directory that takes `--out`'s place only once
    // whole: golden records and conflicts go there as they are built, never held whole.
    let mut resolved = None;
    let mut evaluation_error = None;
    let mut write_seconds = 0.0;
    let written = sameas::write_dir_atomically(&args.out, |staging| {
        let mut golden = GoldenFiles::create(staging)?;
        let resolution =
            resolver.resolve_once_into(input, previous.as_ref(), &control, &mut golden)?;
        if let Some(bar) = &bar {
            bar.bar.finish_and_clear();
        }
        for warning in &resolution.report.warnings {
            eprintln!("warning: {}: {warning}", args.input.display());
        }
        if let Some(path) = &args.decisions {
            warn_unknown_decisions(path, &decided, &resolution);
        }
        // An evaluation that fails does not cost the outputs: they are written, then the
        // error.
        let evaluation = match (&args.truth, &truth) {
            (Some(path), Some(truth)) => match evaluate_truth(path, truth, &resolution.entities) {
                Ok(evaluation) => Some(evaluation),
                Err(err) => {
                    evaluation_error = Some(err);
                    None
                }
            },
            _ => None,
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
        write_resolution_files(staging, &resolution, config, &report)?;
        write_seconds = write_started.elapsed().as_secs_f64();
        resolved = Some((resolution, evaluation));
        Ok(())
    });
    written.map_err(|err| match (&args.config, &err) {
        // A saved configuration naming fields or keys this input's schema lacks.
        (Some(path), sameas::Error::Match(_)) => anyhow::Error::new(err).context(format!(
            "{}: the configuration does not fit {}",
            path.display(),
            args.input.display()
        )),
        _ => err.into(),
    })?;
    let (resolution, evaluation) = resolved.expect("written");
    if let Some(err) = evaluation_error {
        return Err(err.context(format!(
            "the outputs are written in {}, without the evaluation",
            args.out.display()
        )));
    }

    let r = &resolution.report;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} records -> {} entities ({} singletons, largest {}); {} bad rows kept as singletons",
        r.records,
        r.entities,
        r.singletons,
        r.largest_entity,
        r.bad_rows.len()
    )?;
    writeln!(
        out,
        "{} candidate pairs and {} more inside positive components, {} at or above {} ({} held back by the household guard); {} joins, {} refused ({} cannot-link, {} exclusive id, {} ambiguous); {} pairs to review; {} conflicts",
        r.candidate_pairs,
        r.component_pairs,
        r.pairs_above_threshold,
        r.threshold,
        r.refused.household_guard,
        r.joins,
        r.refused.cannot_link + r.refused.exclusive + r.refused.ambiguous,
        r.refused.cannot_link,
        r.refused.exclusive,
        r.refused.ambiguous,
        r.review_pairs,
        r.conflicts
    )?;
    let t = &r.timings;
    writeln!(
        out,
        "seconds: normalize {:.2}, train {:.2}, block {:.2}, score {:.2}, cluster {:.2}, golden {:.2}, write {:.2}, total {:.2}",
        t.normalize,
        t.train,
        t.block,
        t.score,
        t.cluster,
        t.golden,
        write_seconds,
        started.elapsed().as_secs_f64()
    )?;
    if let Some((e, households)) = &evaluation {
        writeln!(
            out,
            "against the truth: pairwise P {:.4} R {:.4} F1 {:.4}; B-cubed F1 {:.4}",
            e.pairwise.precision, e.pairwise.recall, e.pairwise.f1, e.bcubed.f1
        )?;
        if let Some(h) = households {
            writeln!(
                out,
                "households merged: {} of {} with two or more people ({:.2}%)",
                h.falsely_merged,
                h.households,
                100.0 * h.rate
            )?;
        }
    }
    writeln!(
        out,
        "wrote {} in {}",
        sameas::OUTPUT_FILES.join(", "),
        args.out.display()
    )?;
    // The command ends here and the process with it: handing the result's millions of
    // small allocations back one by one cost most of a second at a million records, and the
    // kernel takes the pages back at exit in one go.
    std::mem::forget(resolution);
    std::mem::forget(resolver);
    Ok(())
}

/// Warns of review decisions that name a record id the input does not hold.
fn warn_unknown_decisions(path: &Path, decided: &[[String; 2]], resolution: &Resolution) {
    let held: std::collections::HashSet<&str> = resolution
        .entities
        .iter()
        .map(|(r, _)| r.as_str())
        .collect();
    let unknown = decided
        .iter()
        .filter(|pair| pair.iter().any(|id| !held.contains(id.as_str())))
        .count();
    if unknown > 0 {
        eprintln!(
            "warning: {}: {unknown} decisions name a record id that is not in the input; \
             they change nothing",
            path.display()
        );
    }
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
    let options =
        crate::input::table_options(&args.input, args.encoding.as_deref(), args.delimiter);
    let input = InputTable::read_path_with(&args.input, &options)
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
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&explanation)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "entity {}: {} records: {}",
        explanation.entity,
        explanation.records.len(),
        explanation
            .records
            .iter()
            .map(RecordId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(out, "joins (strongest first):")?;
    for j in &explanation.joins {
        writeln!(
            out,
            "  {} + {}  p={:.6} w={:+.2}  {}",
            j.record_id_l, j.record_id_r, j.match_probability, j.match_weight, j.outcome
        )?;
    }
    if !explanation.refused.is_empty() {
        writeln!(out, "refused:")?;
        for j in &explanation.refused {
            writeln!(
                out,
                "  {} + {}  p={:.6} w={:+.2}  {}",
                j.record_id_l, j.record_id_r, j.match_probability, j.match_weight, j.outcome
            )?;
            if let Some(reason) = &j.reason {
                writeln!(out, "      why: {reason}")?;
            }
        }
    }
    if !explanation.generic.is_empty() {
        writeln!(out, "generic values:")?;
        for note in &explanation.generic {
            writeln!(out, "  {note}")?;
        }
    }
    Ok(())
}
