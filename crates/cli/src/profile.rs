//! `sameas profile`: a data-quality profile per channel and field.

use std::io::{self, Write};

use anyhow::Result;
use clap::Args;
use sameas_normalize::profile::ProfileBuilder;
use serde::Serialize;

use crate::input::{InputArgs, load};

/// `sameas profile`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct ProfileReport<'a> {
    file: String,
    encoding: &'a str,
    warnings: &'a [String],
    #[serde(flatten)]
    profile: &'a sameas_normalize::profile::Profile,
    /// Values many unrelated records share, masked.
    generic_values: &'a [sameas::GenericReport],
}

/// Runs `sameas profile`.
pub fn profile(args: &ProfileArgs) -> Result<()> {
    let loaded = load(&args.input)?;
    let mut builder = ProfileBuilder::new(&loaded.inferred.config.schema);
    for ((record, normalized), row) in loaded
        .records
        .iter()
        .zip(&loaded.normalized)
        .zip(&loaded.table.rows)
    {
        builder.add(record, normalized, row.problem.is_some());
    }
    let profile = builder.finish();
    let (_, generic) =
        sameas::detect_generic_values(&loaded.inferred.config.schema, &loaded.normalized);
    let mut out = io::stdout().lock();
    if args.json {
        let report = ProfileReport {
            file: args.input.input.display().to_string(),
            encoding: loaded.table.encoding,
            warnings: &loaded.inferred.warnings,
            profile: &profile,
            generic_values: &generic,
        };
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{} (read as {})",
            args.input.input.display(),
            loaded.table.encoding
        )?;
        write!(out, "{}", profile.to_table())?;
        if !generic.is_empty() {
            writeln!(
                out,
                "\ngeneric values (many unrelated records share them; not used for matching):"
            )?;
            for g in &generic {
                writeln!(
                    out,
                    "  {:<20} {:<9} {:<24} {}",
                    g.field, g.part, g.masked, g.reason
                )?;
            }
        }
    }
    Ok(())
}
