//! `sameas synth`: seeded synthetic customer records with ground truth.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use sameas_synth::{Difficulty, Summary, SynthConfig, TransactionConfig};
use std::collections::BTreeMap;

/// A named difficulty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DifficultyName {
    /// The fixed benchmark difficulty (see the sameas-synth README).
    Default,
}

/// The purchase process of `--transactions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProcessName {
    /// BG/NBD purchasing and dropout (CDNOW's published parameters).
    BgNbd,
    /// Pareto/NBD purchasing and dropout (CDNOW's published parameters).
    ParetoNbd,
}

/// Arguments of `sameas synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of records (rows) to generate.
    #[arg(long, required_unless_present = "customers")]
    records: Option<u64>,
    /// Also write orders of every generated person to this CSV
    /// (`customer_id,order_id,date,amount,channel,status`, the customer being one of the
    /// person's record ids, so one person's orders span their channels), and the generating
    /// parameters beside it (`<stem>.params.json`).
    #[arg(long)]
    transactions: Option<PathBuf>,
    /// With --transactions and without --records: orders of this many customers named
    /// `C0000001` …, no records written (for checking model fits at scale).
    #[arg(long, requires = "transactions", conflicts_with = "records")]
    customers: Option<u64>,
    /// With --customers: also write the customers' exact summaries (continuous times, in
    /// weeks) here, for checking a fit without the rounding of orders to days.
    #[arg(long, requires = "customers")]
    summary: Option<PathBuf>,
    /// The purchase process of --transactions; Gamma-Gamma spend either way.
    #[arg(long, value_enum, default_value_t = ProcessName::BgNbd)]
    process: ProcessName,
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
    if let Some(records) = args.records {
        let config = SynthConfig {
            records,
            seed: args.seed,
            difficulty,
        };
        let summary = write_files(&config, &args.out, &args.truth)?;
        eprintln!(
            "wrote {} records of {} persons in {} households",
            summary.records, summary.persons, summary.households
        );
        if let Some(path) = &args.transactions {
            let generated = sameas_synth::generate(&config).context("synth failed")?;
            // Each person's records, in record id order; persons in order of their first
            // record id.
            let mut persons: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
            for record in &generated.records {
                persons
                    .entry(record.truth.person_id.as_str())
                    .or_default()
                    .push((record.values[0].clone(), record.values[1].clone()));
            }
            let mut customers: Vec<Vec<(String, String)>> = persons.into_values().collect();
            for refs in &mut customers {
                refs.sort();
            }
            customers.sort();
            write_transactions(args, &customers, path)?;
        }
    } else if let (Some(n), Some(path)) = (args.customers, &args.transactions) {
        let customers: Vec<Vec<(String, String)>> = (1..=n)
            .map(|i| vec![(format!("C{i:07}"), String::new())])
            .collect();
        write_transactions(args, &customers, path)?;
        if let Some(summary) = &args.summary {
            let config =
                TransactionConfig::cdnow_like(args.process == ProcessName::ParetoNbd, args.seed);
            let file = File::create(summary)
                .with_context(|| format!("cannot create {}", summary.display()))?;
            sameas_synth::write_summary(&config, n, BufWriter::with_capacity(1 << 20, file))
                .with_context(|| format!("cannot write {}", summary.display()))?;
        }
    }
    Ok(())
}

/// Writes the orders and `<stem>.params.json` beside them.
fn write_transactions(
    args: &SynthArgs,
    customers: &[Vec<(String, String)>],
    path: &Path,
) -> Result<()> {
    let config = TransactionConfig::cdnow_like(args.process == ProcessName::ParetoNbd, args.seed);
    let tmp = temporary(path);
    let file = File::create(&tmp).with_context(|| format!("cannot create {}", path.display()))?;
    let written =
        sameas_synth::write_orders(&config, customers, BufWriter::with_capacity(1 << 20, file));
    let orders = match written {
        Ok(n) => n,
        Err(err) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(err).with_context(|| format!("cannot write {}", path.display()));
        }
    };
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    let params = path.with_extension("params.json");
    let text = serde_json::to_string_pretty(&serde_json::json!({
        "unit": "week",
        "customers": customers.len(),
        "generator": config,
    }))? + "\n";
    std::fs::write(&params, text).with_context(|| format!("cannot write {}", params.display()))?;
    eprintln!(
        "wrote {orders} order rows of {} customers to {} (parameters in {})",
        customers.len(),
        path.display(),
        params.display()
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
