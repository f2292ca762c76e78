//! `sameas match` and `sameas explain`: read one or two files into a dataset, train or load
//! a model, score the candidate pairs, and explain a pair.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use sameas::{InputTable, ResolverConfig, write_csv_row};
use sameas_match::{Dataset, LinkMode, Matcher, ScoredPairs};
use sameas_normalize::privacy::mask;

use crate::input::{ROW_PROBLEMS_SHOWN, ReadOptions, no_comparisons, read_input, table_options};
use crate::resolve::load_config;

/// Dedupe, link or both, as a command-line value.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// Pairs within one source.
    Dedupe,
    /// Pairs across the two inputs only.
    Link,
    /// Pairs within and across the inputs.
    Both,
}

impl From<ModeArg> for LinkMode {
    fn from(mode: ModeArg) -> Self {
        match mode {
            ModeArg::Dedupe => LinkMode::Dedupe,
            ModeArg::Link => LinkMode::Link,
            ModeArg::Both => LinkMode::Both,
        }
    }
}

/// `sameas match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Input file: CSV with a header row, or JSON lines.
    input: PathBuf,
    /// A second input, for link mode (same columns, any order).
    input2: Option<PathBuf>,
    /// Dedupe within a source, link across two inputs only, or both. Default: link with two
    /// inputs, dedupe with one.
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Where to write the scored pairs; standard output when left out.
    #[arg(long)]
    out: Option<PathBuf>,
    /// A saved configuration with a trained model; inferred and trained when left out.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Write the configuration with its trained model here.
    #[arg(long)]
    save_config: Option<PathBuf>,
    /// Match probability threshold (overrides the configuration's).
    #[arg(long)]
    threshold: Option<f64>,
    /// A truth (record id, cluster id): report each blocking rule's pair completeness and
    /// the reduction ratio.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Train from labels instead of EM: a truth-style CSV (record id, cluster id), or labelled
    /// pairs (`record_id_l`, `record_id_r` and a last column that is 1 / true for a match, or a
    /// score ≥ 0.5, as in Splink's clerical labels).
    #[arg(long)]
    labels: Option<PathBuf>,
    /// Train from labels held in a column of the input (e.g. `cluster`): the column's value
    /// is the record's cluster. Reads the column from `--labels` when given, else from the
    /// input; the record id is the schema's id column.
    #[arg(long)]
    label_column: Option<String>,
    /// Normalizer options are ignored with --config (the saved ones apply).
    #[command(flatten)]
    read: ReadOptions,
}

/// `sameas explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The configuration with a trained model.
    #[arg(long)]
    config: PathBuf,
    /// The input file the records are in.
    input: PathBuf,
    /// The first record's id.
    a: String,
    /// The second record's id.
    b: String,
    /// A second input, for configurations in link mode.
    #[arg(long)]
    with: Option<PathBuf>,
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

/// Reads `paths` (one or two) as `resolve` reads a table (the library's `read_records`:
/// columns by header, bad rows kept with no values, generic values treated as missing)
/// under `config`, or under the configuration inferred from the first file when there is
/// none. Returns the records and the configuration they were read with.
pub(crate) fn read_dataset(
    paths: &[&Path],
    config: Option<ResolverConfig>,
    infer: &sameas::InferOptions,
    encoding: Option<&str>,
    delimiter: Option<u8>,
) -> Result<(Dataset, ResolverConfig)> {
    let tables = paths
        .iter()
        .map(|path| {
            InputTable::read_path_with(path, &table_options(path, encoding, delimiter))
                .with_context(|| format!("{} cannot be read as a table", path.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut config = match config {
        Some(config) => config,
        None => {
            let (path, first) = (paths[0], &tables[0].table);
            let inferred = ResolverConfig::infer(first, infer)
                .with_context(|| format!("{}: line 1 is not a usable header", path.display()))?;
            for warning in &inferred.warnings {
                eprintln!("warning: {}: {warning}", path.display());
            }
            if inferred.config.matching.comparisons.is_empty() {
                return Err(no_comparisons(path, first.headers.len()));
            }
            inferred.config
        }
    };
    let records = sameas::read_records(&tables, &mut config, &sameas::Control::default())?;
    for warning in &records.warnings {
        eprintln!("warning: {warning}");
    }
    for bad in records.bad_rows.iter().take(ROW_PROBLEMS_SHOWN) {
        eprintln!(
            "warning: record {} (row {}, line {}): {}; kept with no values, never matched",
            bad.record_id, bad.row, bad.line, bad.reason
        );
    }
    if records.bad_rows.len() > ROW_PROBLEMS_SHOWN {
        eprintln!(
            "warning: {} more bad rows, all kept with no values",
            records.bad_rows.len() - ROW_PROBLEMS_SHOWN
        );
    }
    Ok((records.data, config))
}

/// Reads labels: a truth-style file (record id, cluster id) or labelled pairs.
fn read_labels(path: &Path, data: &Dataset) -> Result<sameas_match::Labels> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader.headers()?.clone();
    if let (Some(l), Some(r)) = (
        headers
            .iter()
            .position(|h| h == "record_id_l" || h == "unique_id_l"),
        headers
            .iter()
            .position(|h| h == "record_id_r" || h == "unique_id_r"),
    ) {
        let label_column = headers.len() - 1;
        let index: std::collections::HashMap<&str, u32> = data
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect();
        let mut pairs = Vec::new();
        for (row, record) in reader.records().enumerate() {
            let record = record
                .with_context(|| format!("{}: row {} is not valid CSV", path.display(), row + 1))?;
            let label = record.get(label_column).unwrap_or("");
            let is_match = match label {
                "1" | "true" | "True" | "TRUE" | "yes" => true,
                "0" | "false" | "False" | "FALSE" | "no" => false,
                other => other.parse::<f64>().map(|v| v >= 0.5).map_err(|_| {
                    anyhow::anyhow!(
                        "{}: row {}, column {}: the label is neither a boolean nor a number",
                        path.display(),
                        row + 1,
                        label_column + 1
                    )
                })?,
            };
            let (Some(a), Some(b)) = (
                record.get(l).and_then(|id| index.get(id)),
                record.get(r).and_then(|id| index.get(id)),
            ) else {
                bail!(
                    "{}: row {}: a record id is not in the input",
                    path.display(),
                    row + 1
                );
            };
            pairs.push((*a, *b, is_match));
        }
        return Ok(sameas_match::Labels::Pairs(pairs));
    }
    let mut by_id = std::collections::HashMap::new();
    let mut clusters = std::collections::HashMap::new();
    for (row, record) in reader.records().enumerate() {
        let record = record
            .with_context(|| format!("{}: row {} is not valid CSV", path.display(), row + 1))?;
        let (Some(id), Some(cluster)) = (record.get(0), record.get(1)) else {
            bail!(
                "{}: row {} needs a record id and a cluster id",
                path.display(),
                row + 1
            );
        };
        let next = clusters.len() as u32;
        let cluster = *clusters.entry(cluster.to_string()).or_insert(next);
        by_id.insert(id.to_string(), cluster);
    }
    Ok(sameas_match::Labels::Clusters(
        data.ids
            .iter()
            .map(|id| by_id.get(id.as_str()).copied())
            .collect(),
    ))
}

/// Reads cluster labels from a named column of a table whose id column is the schema's.
fn read_label_column(
    path: &Path,
    column: &str,
    data: &Dataset,
    encoding: Option<&str>,
) -> Result<sameas_match::Labels> {
    let table = read_input(path, &table_options(path, encoding, None))?;
    let label = table
        .headers
        .iter()
        .position(|h| h == column)
        .with_context(|| format!("{}: no column `{column}`", path.display()))?;
    let id_header = data
        .schema
        .id_column
        .as_ref()
        .map(|c| c.header.as_str())
        .context("the schema has no id column to join labels on")?;
    let id = table
        .headers
        .iter()
        .position(|h| h == id_header)
        .with_context(|| format!("{}: no id column `{id_header}`", path.display()))?;
    let mut clusters = std::collections::HashMap::new();
    let mut by_id = std::collections::HashMap::new();
    for row in &table.rows {
        let (Some(key), Some(value)) = (row.cells.get(id), row.cells.get(label)) else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        let next = clusters.len() as u32;
        let cluster = *clusters.entry(value.trim().to_string()).or_insert(next);
        by_id.insert(key.trim().to_string(), cluster);
    }
    Ok(sameas_match::Labels::Clusters(
        data.ids
            .iter()
            .map(|id| by_id.get(id.as_str()).copied())
            .collect(),
    ))
}

/// `sameas match`.
pub fn run_match(args: &MatchArgs) -> Result<()> {
    let started = Instant::now();
    let mut paths: Vec<&Path> = vec![&args.input];
    if let Some(second) = &args.input2 {
        paths.push(second);
    }
    let mode: LinkMode = match args.mode {
        Some(m) => m.into(),
        None if paths.len() == 2 => LinkMode::Link,
        None => LinkMode::Dedupe,
    };
    if mode == LinkMode::Link && paths.len() != 2 {
        bail!("link mode takes two input files");
    }
    let loaded = args.config.as_deref().map(load_config).transpose()?;
    let given_config = loaded.is_some();
    let (data, mut config) = read_dataset(
        &paths,
        loaded,
        &args.read.infer_options(mode),
        args.read.encoding.as_deref(),
        args.read.delimiter,
    )?;
    let read_time = started.elapsed();
    if args.mode.is_some() || !given_config {
        config.matching.mode = mode;
    }
    let mode = config.matching.mode;
    if mode == LinkMode::Link && paths.len() != 2 {
        bail!("the configuration links two inputs; give two files");
    }
    if let Some(t) = args.threshold {
        config.matching.threshold = t;
    }
    let train_started = Instant::now();
    let labels = match (&args.label_column, &args.labels) {
        (Some(column), labels) => {
            let path = labels.as_deref().unwrap_or(&args.input);
            Some(read_label_column(
                path,
                column,
                &data,
                args.read.encoding.as_deref(),
            )?)
        }
        (None, Some(labels)) => Some(read_labels(labels, &data)?),
        (None, None) => None,
    };
    if let Some(labels) = &labels {
        config.matching.model = Some(sameas_match::train_supervised(
            &config.matching,
            &data,
            labels,
        )?);
    }
    if labels.is_some() || config.matching.model.is_none() {
        // Frozen term frequencies belong to the model they were counted for.
        config.term_frequencies = None;
    }
    // Trained (unless labels or the configuration gave a model), the blocking rules chosen
    // from the candidates, blocked and scored: the same steps and pairs as `resolve`.
    let sameas::MatchedPairs {
        pairs: output,
        rule_choices,
        warnings,
    } = sameas::match_pairs(&mut config, &data)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let fit_time = train_started.elapsed();
    if let Some(path) = &args.save_config {
        std::fs::write(path, config.to_json())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !rule_choices.is_empty() {
        let kept = rule_choices.iter().filter(|c| c.taken.is_some()).count();
        if kept == 0 {
            // The fit keeps every candidate when none can show its yield.
            eprintln!(
                "blocking: too few records to show any rule's yield: all {} candidate rules kept",
                rule_choices.len()
            );
        } else {
            eprintln!(
                "blocking: {kept} of {} candidate rules kept under the pair budget (the rules below; `resolve` reports each choice in report.json)",
                rule_choices.len()
            );
        }
    }
    let matcher_names = config.comparison_names();
    let level_names = config.level_names();
    let write_started = Instant::now();
    match &args.out {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            write_pairs(
                BufWriter::new(file),
                &data,
                &output.scored,
                &matcher_names,
                &level_names,
            )?;
        }
        None => write_pairs(
            BufWriter::new(io::stdout().lock()),
            &data,
            &output.scored,
            &matcher_names,
            &level_names,
        )?,
    }
    let above = output
        .scored
        .probabilities
        .iter()
        .filter(|&&p| p >= config.matching.threshold)
        .count();
    eprintln!(
        "{} records, {} candidate pairs, {} at or above {} (read {:.2}s, train, block and score {:.2}s, write {:.2}s)",
        data.len(),
        output.scored.len(),
        above,
        config.matching.threshold,
        read_time.as_secs_f64(),
        fit_time.as_secs_f64(),
        write_started.elapsed().as_secs_f64()
    );
    let quality = match &args.truth {
        Some(path) => Some(blocking_quality(path, &data, &output.candidates, mode)?),
        None => None,
    };
    for (r, stats) in output.candidates.stats.iter().enumerate() {
        let completeness = quality
            .as_ref()
            .map(|q| {
                format!(
                    ", cumulative pair completeness {:.4}, reduction ratio {:.6}",
                    q.1[r].0, q.1[r].1
                )
            })
            .unwrap_or_default();
        eprintln!(
            "  rule {:<30} {:>10} pairs {:>8} blocks{}{completeness}",
            stats.rule,
            stats.pairs,
            stats.blocks,
            if stats.capped_blocks > 0 {
                format!(
                    ", {} capped (largest {} records)",
                    stats.capped_blocks, stats.largest_capped_block
                )
            } else {
                String::new()
            }
        );
    }
    if let Some((overall, _)) = quality {
        eprintln!(
            "blocking: {} of {} true pairs among the candidates, pair completeness {:.4}, reduction ratio {:.6}",
            overall.true_pairs_found,
            overall.true_pairs,
            overall.pair_completeness,
            overall.reduction_ratio
        );
    }
    Ok(())
}

/// Blocking quality against a truth: overall, and the cumulative pair completeness and
/// reduction ratio after each rule.
fn blocking_quality(
    path: &Path,
    data: &Dataset,
    candidates: &sameas_match::CandidatePairs,
    mode: LinkMode,
) -> Result<(sameas_eval::BlockingQuality, Vec<(f64, f64)>)> {
    use sameas_eval::{BlockingQuality, Side, Truth};
    let truth = Truth::from_path(path)?;
    let ids = |pairs: &[(u32, u32)]| -> Vec<(&str, &str)> {
        pairs
            .iter()
            .map(|&(a, b)| (data.ids[a as usize].as_str(), data.ids[b as usize].as_str()))
            .collect()
    };
    let sides: Option<Vec<Side>> = (mode == LinkMode::Link).then(|| {
        let mut sides = vec![Side::Left; truth.len()];
        for (i, id) in data.ids.iter().enumerate() {
            if let Some(t) = truth.index_of(id.as_str())
                && data.sources[i] == 1
            {
                sides[t as usize] = Side::Right;
            }
        }
        sides
    });
    let measure = |pairs: &[(u32, u32)]| -> Result<BlockingQuality> {
        Ok(match &sides {
            Some(sides) => BlockingQuality::measure_link(&truth, sides, ids(pairs))?,
            None => BlockingQuality::measure(
                &truth,
                ids(pairs),
                mode.comparable_pairs(data.source_sizes()),
            )?,
        })
    };
    // Each rule's pairs are measured once; the running sums give the cumulative figures.
    let mut cumulative = Vec::with_capacity(candidates.stats.len());
    let (mut start, mut found) = (0, 0);
    let mut overall = measure(&[])?;
    for stats in &candidates.stats {
        let end = start + stats.pairs as usize;
        let rule = measure(&candidates.pairs[start..end])?;
        found += rule.true_pairs_found;
        overall = BlockingQuality::from_counts(
            end as u64,
            rule.comparable_pairs,
            rule.true_pairs,
            found,
        )?;
        cumulative.push((overall.pair_completeness, overall.reduction_ratio));
        start = end;
    }
    Ok((overall, cumulative))
}

fn write_pairs(
    mut out: impl Write,
    data: &Dataset,
    scored: &ScoredPairs,
    comparisons: &[String],
    level_names: &[Vec<String>],
) -> Result<()> {
    let mut header = vec![
        "record_id_l".to_string(),
        "record_id_r".to_string(),
        "match_weight".to_string(),
        "match_probability".to_string(),
    ];
    header.extend(comparisons.iter().map(|c| format!("{c}.level")));
    let mut head = csv::Writer::from_writer(Vec::new());
    write_csv_row(&mut head, &header)?;
    out.write_all(
        &head
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{}", e.error()))?,
    )?;
    // In the records' order (record-id order), whatever order blocking found the pairs in:
    // the same pairs are the same file.
    let mut order: Vec<((u32, u32), u32)> = scored
        .pairs
        .iter()
        .enumerate()
        .map(|(i, &pair)| (pair, i as u32))
        .collect();
    order.par_sort_unstable();
    // Rows are formatted in parallel, a window of chunks at a time, and written in order.
    const CHUNK: usize = 1 << 16;
    const WINDOW: usize = 16 * CHUNK;
    let format_chunk = |chunk: &[((u32, u32), u32)]| -> Result<Vec<u8>> {
        let mut part = csv::Writer::from_writer(Vec::new());
        let mut row: Vec<String> = Vec::with_capacity(header.len());
        for &((a, b), i) in chunk {
            let i = i as usize;
            row.clear();
            row.push(data.ids[a as usize].as_str().to_string());
            row.push(data.ids[b as usize].as_str().to_string());
            row.push(format!("{:.6}", scored.weights[i]));
            row.push(format!("{:.8}", scored.probabilities[i]));
            for (c, &level) in scored.levels_of(i).iter().enumerate() {
                row.push(level_names[c][level as usize].clone());
            }
            write_csv_row(&mut part, &row)?;
        }
        part.into_inner()
            .map_err(|e| anyhow::anyhow!("{}", e.error()))
    };
    for window in order.chunks(WINDOW) {
        let parts: Vec<Vec<u8>> = window
            .par_chunks(CHUNK)
            .map(format_chunk)
            .collect::<Result<_>>()?;
        for part in parts {
            out.write_all(&part)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// `sameas explain`.
pub fn run_explain(args: &ExplainArgs) -> Result<()> {
    let mut paths: Vec<&Path> = vec![&args.input];
    if let Some(second) = &args.with {
        paths.push(second);
    }
    let (data, config) = read_dataset(
        &paths,
        Some(load_config(&args.config)?),
        &sameas::InferOptions::default(),
        args.encoding.as_deref(),
        args.delimiter,
    )?;
    let find = |id: &str, which: &str| {
        data.ids
            .iter()
            .position(|r| r.as_str() == id)
            .with_context(|| format!("no record with the {which} id in the input"))
    };
    let (a, b) = (find(&args.a, "first")?, find(&args.b, "second")?);
    // A trained configuration carries the term frequencies it was trained with: the pair is
    // weighed as the run that wrote it weighed it (and as `explain-entity` does).
    let matcher = match &config.term_frequencies {
        Some(frozen) => Matcher::with_term_frequencies(&config.matching, &data, frozen)?,
        None => Matcher::new(&config.matching, &data)?,
    };
    let mut explanation = matcher.explain(a, b);
    explanation
        .notes
        .extend(sameas::household_guard_note(&config, &explanation));
    for i in [a, b] {
        explanation.notes.extend(sameas::generic_value_notes(
            &data.schema,
            &data.ids[i],
            &data.records[i],
        ));
    }
    let values: Vec<MaskedValues> = config
        .matching
        .comparisons
        .iter()
        .map(|c| MaskedValues {
            comparison: c.name.clone(),
            left: masked_values(&data, a, &c.fields),
            right: masked_values(&data, b, &c.fields),
        })
        .collect();
    let mut out = io::stdout().lock();
    if args.json {
        let output = ExplainOutput {
            explanation: &explanation,
            values: &values,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&output)?)?;
    } else {
        write!(out, "{}", explanation.to_text())?;
        writeln!(out, "\nvalues (normalized, masked)")?;
        for v in &values {
            writeln!(out, "{:<16} {:<30} | {}", v.comparison, v.left, v.right)?;
        }
    }
    Ok(())
}

/// One comparison's values on both sides, normalized then masked.
#[derive(serde::Serialize)]
struct MaskedValues {
    comparison: String,
    left: String,
    right: String,
}

#[derive(serde::Serialize)]
struct ExplainOutput<'a> {
    #[serde(flatten)]
    explanation: &'a sameas_match::PairExplanation,
    values: &'a [MaskedValues],
}

/// A record's normalized values of `fields`, masked by kind, joined by ` / `.
fn masked_values(data: &Dataset, record: usize, fields: &[String]) -> String {
    let values: Vec<String> = fields
        .iter()
        .filter_map(|name| {
            let index = data.schema.field_index(name)?;
            let value = data.records[record].field(index).value.as_ref()?;
            let norm = value.norm();
            (!norm.is_empty()).then(|| mask(data.schema.fields[index].kind, &norm))
        })
        .collect();
    if values.is_empty() {
        "-".to_string()
    } else {
        values.join(" / ")
    }
}
