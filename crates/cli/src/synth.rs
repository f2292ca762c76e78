//! `sameas synth`: seeded synthetic customer records with ground truth.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use sameas_synth::{Difficulty, Summary, SynthConfig};

/// A named difficulty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DifficultyName {
    /// The fixed benchmark difficulty (see the sameas-synth README).
    Default,
}

/// Arguments of `sameas synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of records (rows) to generate.
    #[arg(long)]
    records: u64,
    /// Seed; the same seed gives the same bytes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The data CSV to write.
    #[arg(long, default_value = "synth.csv")]
    out: PathBuf,
    /// The truth CSV to write: record_id,person_id,household_id.
    #[arg(long, default_value = "synth_truth.csv")]
    truth: PathBuf,
    /// The difficulty.
    #[arg(long, value_enum, default_value_t = DifficultyName::Default)]
    difficulty: DifficultyName,
}

/// Generates the records and writes the data and truth files.
pub fn synth(args: &SynthArgs) -> Result<()> {
    let difficulty = match args.difficulty {
        DifficultyName::Default => Difficulty::default(),
    };
    let config = SynthConfig {
        records: args.records,
        seed: args.seed,
        difficulty,
    };
    let summary = write_files(&config, &args.out, &args.truth)?;
    eprintln!(
        "wrote {} records of {} persons in {} households",
        summary.records, summary.persons, summary.households
    );
    Ok(())
}

/// Writes the generated records to `out` and their truth to `truth`: the bytes `sameas synth`
/// writes for the same configuration. Each goes to a temporary file beside it, renamed into
/// place only when everything is written, so a failure (a bad setting, a full disk) leaves an
/// existing file as it was.
pub fn write_files(config: &SynthConfig, out: &Path, truth: &Path) -> Result<Summary> {
    let out_tmp = temporary(out);
    let truth_tmp = temporary(truth);
    let written = write_to(config, &out_tmp, &truth_tmp).and_then(|summary| {
        std::fs::rename(&out_tmp, out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        std::fs::rename(&truth_tmp, truth)
            .with_context(|| format!("cannot write {}", truth.display()))?;
        Ok(summary)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&out_tmp);
        let _ = std::fs::remove_file(&truth_tmp);
    }
    written
}

/// A hidden name beside `path` for writing before the rename.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "synth".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn write_to(config: &SynthConfig, out: &Path, truth: &Path) -> Result<Summary> {
    let data = File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let truth =
        File::create(truth).with_context(|| format!("cannot create {}", truth.display()))?;
    sameas_synth::write_csv(
        config,
        BufWriter::with_capacity(1 << 20, data),
        BufWriter::with_capacity(1 << 20, truth),
    )
    .context("synth failed")
}
