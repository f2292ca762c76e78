//! `sameas infer`: how each column of a file is read, and why; the normalizer options the
//! values show; the comparisons and candidate blocking rules that follow.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use crate::input::{ReadOptions, read_input};

/// `sameas infer`.
#[derive(Debug, Args)]
pub struct InferArgs {
    /// The input file (CSV or JSON lines).
    input: PathBuf,
    #[command(flatten)]
    read: ReadOptions,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the inferred (untrained) configuration here, to edit and pass to
    /// `resolve --config`.
    #[arg(long)]
    save_config: Option<PathBuf>,
}

#[derive(Serialize)]
struct InferReport<'a> {
    file: String,
    columns: &'a [sameas::ColumnReading],
    options: &'a [String],
    comparisons: Vec<&'a str>,
    candidate_blocking_rules: Vec<&'a str>,
    warnings: &'a [String],
}

/// Runs `sameas infer`.
pub fn run_infer(args: &InferArgs) -> Result<()> {
    let path = &args.input;
    let table = read_input(path, &args.read.table_options(path))?;
    let inferred =
        sameas::ResolverConfig::infer(&table, &args.read.infer_options(sameas::LinkMode::Dedupe))
            .with_context(|| format!("{}: line 1 is not a usable header", path.display()))?;
    let matching = &inferred.config.matching;
    let report = InferReport {
        file: path.display().to_string(),
        columns: &inferred.columns,
        options: &inferred.options,
        comparisons: matching
            .comparisons
            .iter()
            .map(|c| c.name.as_str())
            .collect(),
        candidate_blocking_rules: matching
            .blocking
            .rules
            .iter()
            .map(|r| r.name.as_str())
            .collect(),
        warnings: &inferred.warnings,
    };
    if let Some(out) = &args.save_config {
        std::fs::write(out, inferred.config.to_json())
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("{} ({} rows)", report.file, table.rows.len());
    println!(
        "{:<4} {:<28} {:<18} {:<16} {:<8} why",
        "col", "header", "read as", "field", "compared"
    );
    for c in report.columns {
        println!(
            "{:<4} {:<28} {:<18} {:<16} {:<8} {}",
            c.column + 1,
            c.header,
            c.read_as,
            c.field.as_deref().unwrap_or("-"),
            if c.compared { "yes" } else { "no" },
            c.reason
        );
    }
    for line in report.options {
        println!("option: {line}");
    }
    println!("comparisons: {}", report.comparisons.join(", "));
    println!(
        "candidate blocking rules ({}; resolve keeps those whose pairs hold the most expected \
         matches, within 10 pairs per record): {}",
        report.candidate_blocking_rules.len(),
        report.candidate_blocking_rules.join(", ")
    );
    for warning in report.warnings {
        eprintln!("warning: {}: {warning}", path.display());
    }
    Ok(())
}
