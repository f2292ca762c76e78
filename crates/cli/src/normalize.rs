//! `sameas normalize`: every input column, then the normalized columns and an issues column.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use sameas::write_csv_row;
use serde::Serialize;

use crate::input::{InputArgs, load};

/// `sameas normalize`.
#[derive(Debug, Args)]
pub struct NormalizeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Where to write the normalized CSV; standard output when left out.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Serialize)]
struct IssueCell<'a> {
    field: &'a str,
    kind: &'a str,
    reason: &'a str,
}

/// Runs `sameas normalize`. Cells a spreadsheet would run as formulas are written with a
/// leading `'` ([`sameas::escape_formula`]).
pub fn normalize(args: &NormalizeArgs) -> Result<()> {
    let loaded = load(&args.input)?;
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let mut writer = csv::Writer::from_writer(BufWriter::new(sink));
    let width = loaded.table.headers.len();
    let has_extra = loaded.table.rows.iter().any(|r| r.cells.len() > width);
    let mut header: Vec<String> = loaded.table.headers.clone();
    header.extend(loaded.normalizer.output_headers());
    header.push("issues".to_string());
    if has_extra {
        header.push("extra_cells".to_string());
    }
    write_csv_row(&mut writer, &header)?;
    let schema = &loaded.inferred.config.schema;
    let mut cells = Vec::with_capacity(header.len());
    let mut flagged = 0;
    for (row, normalized) in loaded.table.rows.iter().zip(&loaded.normalized) {
        cells.clear();
        cells.extend(row.cells.iter().take(width).cloned());
        cells.resize(width, String::new());
        loaded.normalizer.output_cells(normalized, &mut cells);
        let row_reason = row.problem.map(|p| p.reason());
        let mut issues: Vec<IssueCell> = row_reason
            .as_deref()
            .map(|reason| IssueCell {
                field: "_row",
                kind: "invalid",
                reason,
            })
            .into_iter()
            .collect();
        issues.extend(normalized.issues().map(|(field, issue)| IssueCell {
            field: &schema.fields[field].name,
            kind: issue.kind.as_str(),
            reason: issue.reason,
        }));
        flagged += usize::from(!issues.is_empty());
        cells.push(serde_json::to_string(&issues)?);
        if has_extra {
            let extra = row.cells.get(width..).unwrap_or(&[]);
            cells.push(if extra.is_empty() {
                String::new()
            } else {
                serde_json::to_string(extra)?
            });
        }
        write_csv_row(&mut writer, &cells)?;
    }
    writer.flush()?;
    if let Some(path) = &args.out {
        eprintln!(
            "normalized {} records ({} with issues, read as {}) to {}",
            loaded.records.len(),
            flagged,
            loaded.table.encoding,
            path.display()
        );
    }
    Ok(())
}
