//! `sameas report`: one self-contained HTML report of what `resolve`, `score` and `segment`
//! wrote.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Args;

/// `sameas report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A resolve output directory, and optionally a score and a segment output directory
    /// and a `profile --json` file, each recognized by its contents.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The HTML file to write.
    #[arg(long, default_value = "report.html")]
    out: PathBuf,
}

/// Runs `sameas report`.
pub fn run_report(args: &ReportArgs) -> Result<()> {
    let started = Instant::now();
    let bytes = sameas_report::write_report(&args.inputs, &args.out)?;
    eprintln!(
        "wrote {} ({:.1} kB) in {:.2} s",
        args.out.display(),
        bytes as f64 / 1000.0,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
