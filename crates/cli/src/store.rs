//! The store commands: `ingest`, `channel`, `export`, `lookup`, `backup`, `restore` and
//! `store` (check, log).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use sameas::{InputTable, LinkMode};
use sameas_store::{IngestOptions, KeySource, Keys, LookupBy, QualityGate, Store};

use crate::input::ReadOptions;

/// Where the store is and how it is unlocked: shared by every store command.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The store's database file.
    #[arg(long = "store", value_name = "DB")]
    pub db: PathBuf,
    /// The key file (`store = <hex>` and `index = <hex>` lines). When left out: the
    /// SAMEAS_STORE_KEY and SAMEAS_INDEX_KEY variables, else `DB.key` beside the database.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
}

impl StoreArgs {
    fn keys(&self, create: bool) -> Result<Keys> {
        let (keys, source) = Keys::locate(&self.db, self.key_file.as_deref(), create)?;
        if let KeySource::Created(path) = source {
            eprintln!(
                "created the key file {} (readable by you only): the store cannot be read \
                 without it; keep it secret, and keep a copy apart from the database's backups",
                path.display()
            );
        }
        Ok(keys)
    }

    fn open(&self) -> Result<Store> {
        let keys = self.keys(false)?;
        Store::open_existing(&self.db, &keys)
            .with_context(|| format!("--store {}", self.db.display()))
    }
}

/// `sameas ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The channel the batch comes from (its quality gate is kept per channel).
    #[arg(long)]
    channel: String,
    /// The batch: CSV or JSON lines with a record id column.
    input: PathBuf,
    #[command(flatten)]
    read: ReadOptions,
    /// For the first batch into an empty store: the configuration to use (trained on the
    /// batch when it holds no model). Later batches use the stored one.
    #[arg(long)]
    config: Option<PathBuf>,
    /// A batch scoring below this quality (0–1) is low.
    #[arg(long, default_value_t = 0.9)]
    quality_threshold: f64,
    /// This many low batches in a row pause the channel.
    #[arg(long, default_value_t = 3)]
    low_batches: u32,
    /// Print the batch's sync-log row as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `sameas ingest`.
pub fn run_ingest(args: &IngestArgs) -> Result<()> {
    if !(args.quality_threshold >= 0.0 && args.quality_threshold <= 1.0) {
        bail!("--quality-threshold must lie between 0 and 1");
    }
    let config = args
        .config
        .as_deref()
        .map(crate::resolve::load_config)
        .transpose()?;
    let input = InputTable::read_path_with(&args.input, &args.read.table_options(&args.input))
        .with_context(|| format!("{} cannot be read as a table", args.input.display()))?;
    let keys = args.store.keys(true)?;
    let mut store = Store::open(&args.store.db, &keys)
        .with_context(|| format!("--store {}", args.store.db.display()))?;
    let options = IngestOptions {
        config,
        infer: args.read.infer_options(LinkMode::Dedupe),
        gate: QualityGate {
            threshold: args.quality_threshold,
            consecutive: args.low_batches,
        },
        source: args
            .input
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    };
    let report = store.ingest(&args.channel, &input, &options)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    let quality = report.quality.expect("an ingested batch is scored");
    writeln!(
        out,
        "batch {} ({}, {}): {}: {} rows read, {} added, {} updated, {} unchanged, {} bad; \
         quality {:.1}% (completeness {:.1}%, validity {:.1}%)",
        report.batch_id,
        report.channel,
        report.source,
        serde_json::to_value(report.status)?
            .as_str()
            .unwrap_or_default(),
        report.rows_read,
        report.rows_added,
        report.rows_updated,
        report.rows_unchanged,
        report.bad_rows.len(),
        quality.score * 100.0,
        quality.completeness * 100.0,
        quality.validity * 100.0,
    )?;
    for note in report.bad_rows.iter().take(20) {
        writeln!(
            out,
            "  row {} (line {}): {}",
            note.row, note.line, note.reason
        )?;
    }
    if report.bad_rows.len() > 20 {
        writeln!(out, "  … {} more bad rows", report.bad_rows.len() - 20)?;
    }
    if !report.message.is_empty() {
        writeln!(out, "{}", report.message)?;
    }
    Ok(())
}

/// `sameas channel`.
#[derive(Debug, Args)]
pub struct ChannelArgs {
    #[command(subcommand)]
    command: ChannelCommand,
}

#[derive(Debug, Subcommand)]
enum ChannelCommand {
    /// Each channel's state and its last quality scores.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Let a paused channel's batches in again.
    Resume {
        /// The channel.
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Runs `sameas channel`.
pub fn run_channel(args: &ChannelArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match &args.command {
        ChannelCommand::List { store, json } => {
            let channels = store.open()?.channels(5)?;
            if *json {
                serde_json::to_writer_pretty(&mut out, &channels)?;
                writeln!(out)?;
                return Ok(());
            }
            writeln!(
                out,
                "{:<16} {:<7} {:>10}  recent quality (newest first)",
                "channel", "state", "low streak"
            )?;
            for c in &channels {
                let scores: Vec<String> = c
                    .recent_scores
                    .iter()
                    .map(|s| format!("{:.1}%", s * 100.0))
                    .collect();
                writeln!(
                    out,
                    "{:<16} {:<7} {:>10}  {}{}",
                    c.name,
                    if c.paused { "paused" } else { "active" },
                    c.low_streak,
                    scores.join(" "),
                    if c.paused {
                        format!("  ({})", c.reason)
                    } else {
                        String::new()
                    }
                )?;
            }
        }
        ChannelCommand::Resume { name, store } => {
            if store.open()?.resume_channel(name)? {
                writeln!(out, "channel {name} resumed: its batches are taken again")?;
            } else {
                writeln!(out, "channel {name} was not paused")?;
            }
        }
    }
    Ok(())
}

/// `sameas export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The directory for the files `resolve` writes.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `sameas export`.
pub fn run_export(args: &ExportArgs) -> Result<()> {
    let mut store = args.store.open()?;
    store
        .export(&args.out)
        .with_context(|| format!("--out {}", args.out.display()))?;
    eprintln!(
        "{} records in {} entities written to {}",
        store.record_count()?,
        store.entity_count()?,
        args.out.display()
    );
    Ok(())
}

/// `sameas lookup`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("by").required(true)))]
pub struct LookupArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// A phone, written any way.
    #[arg(long, group = "by")]
    phone: Option<String>,
    /// An e-mail address.
    #[arg(long, group = "by")]
    email: Option<String>,
    /// A national id.
    #[arg(long, group = "by")]
    national_id: Option<String>,
    /// A record id.
    #[arg(long, group = "by")]
    id: Option<String>,
    /// Show personal values in the clear (masked by default).
    #[arg(long)]
    clear: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `sameas lookup`.
pub fn run_lookup(args: &LookupArgs) -> Result<()> {
    let (by, value) = match (&args.phone, &args.email, &args.national_id, &args.id) {
        (Some(v), _, _, _) => (LookupBy::Phone, v),
        (_, Some(v), _, _) => (LookupBy::Email, v),
        (_, _, Some(v), _) => (LookupBy::NationalId, v),
        (_, _, _, Some(v)) => (LookupBy::RecordId, v),
        _ => bail!("name one of --phone, --email, --national-id, --id"),
    };
    let views = args.store.open()?.lookup(by, value, args.clear)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &views)?;
        writeln!(out)?;
        return Ok(());
    }
    if views.is_empty() {
        bail!("no customer found");
    }
    for view in &views {
        writeln!(out, "entity {}", view.entity_id)?;
        for (record, channel) in &view.records {
            writeln!(out, "  record {record} ({channel})")?;
        }
        for (column, value) in &view.golden {
            if !value.is_empty() && column != "entity_id" {
                writeln!(out, "  {column:<22} {value}")?;
            }
        }
    }
    Ok(())
}

/// `sameas backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The store's database file.
    #[arg(long = "store", value_name = "DB")]
    db: PathBuf,
    /// The directory for backups.
    #[arg(long)]
    to: PathBuf,
    /// Then delete the backups there older than this many days.
    #[arg(long)]
    keep_days: Option<u64>,
}

/// Runs `sameas backup`.
pub fn run_backup(args: &BackupArgs) -> Result<()> {
    if !args.db.is_file() {
        bail!("--store {}: no store there", args.db.display());
    }
    let info = sameas_store::backup(&args.db, &args.to)?;
    println!("{} ({} bytes)", info.path.display(), info.bytes);
    if let Some(days) = args.keep_days {
        for old in sameas_store::prune_backups(&args.to, days)? {
            println!("deleted {} (older than {days} days)", old.display());
        }
    }
    Ok(())
}

/// `sameas restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The backup file to restore.
    #[arg(long)]
    from: PathBuf,
}

/// Runs `sameas restore`.
pub fn run_restore(args: &RestoreArgs) -> Result<()> {
    let keys = args.store.keys(false)?;
    sameas_store::restore(&args.from, &args.store.db, &keys)?;
    println!(
        "{} checked and restored as {}",
        args.from.display(),
        args.store.db.display()
    );
    Ok(())
}

/// `sameas store`.
#[derive(Debug, Args)]
pub struct StoreCommandArgs {
    #[command(subcommand)]
    command: StoreCommand,
}

#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Check the store's consistency (SQLite's integrity, every record in one entity, the
    /// resolver's state against the tables).
    Check {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Re-encrypt every sealed value under a new value key, in one transaction (the
    /// blind-index key is kept). The new keys replace the key file in use, or go to
    /// --new-key-file; backups made before stay under the old key.
    RotateKey {
        #[command(flatten)]
        store: StoreArgs,
        /// Where the new keys go: made there when the file does not exist; taken from it
        /// when it holds keys other than the current ones (with the same index key).
        #[arg(long)]
        new_key_file: Option<PathBuf>,
    },
    /// Print the sync log, newest batch first.
    Log {
        #[command(flatten)]
        store: StoreArgs,
        /// How many batches.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

/// Runs `sameas store`.
pub fn run_store(args: &StoreCommandArgs) -> Result<()> {
    match &args.command {
        StoreCommand::Check { store } => {
            let mut opened = store.open()?;
            let problems = opened.check()?;
            if problems.is_empty() {
                println!(
                    "{}: consistent ({} records, {} entities)",
                    store.db.display(),
                    opened.record_count()?,
                    opened.entity_count()?
                );
                Ok(())
            } else {
                for p in &problems {
                    println!("{p}");
                }
                bail!("{}: {} problems", store.db.display(), problems.len())
            }
        }
        StoreCommand::RotateKey {
            store,
            new_key_file,
        } => rotate_key(store, new_key_file.as_deref()),
        StoreCommand::Log { store, limit } => {
            let log = store.open()?.sync_log(*limit)?;
            print_log(&log)
        }
    }
}

fn rotate_key(store: &StoreArgs, new_key_file: Option<&std::path::Path>) -> Result<()> {
    let (old, source) = Keys::locate(&store.db, store.key_file.as_deref(), false)?;
    let old_file = match source {
        KeySource::File(p) | KeySource::Created(p) => Some(p),
        KeySource::Environment => None,
    };
    let Some(target) = new_key_file.map(PathBuf::from).or_else(|| old_file.clone()) else {
        bail!(
            "the keys come from SAMEAS_STORE_KEY and SAMEAS_INDEX_KEY: name a \
             --new-key-file for the new ones"
        );
    };
    let rotation = sameas_store::rotate_key_file(&store.db, &old, &target)
        .with_context(|| format!("--store {}", store.db.display()))?;
    println!(
        "{}: {} sealed values re-encrypted under key {} (was {}); the keys are in {}",
        store.db.display(),
        rotation.values,
        rotation.new_key_id,
        rotation.old_key_id,
        rotation.key_file.display()
    );
    if old_file.as_deref() != Some(target.as_path()) {
        eprintln!(
            "the old keys no longer open the store{}",
            if old_file.is_some() {
                "; their file was left as it was"
            } else {
                ": set the variables from the new key file, or unset them"
            }
        );
    }
    eprintln!("backups made before this stay under the old key: keep it to restore them");
    Ok(())
}

fn print_log(log: &[sameas_store::BatchReport]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:>5} {:<24} {:<12} {:<8} {:>7} {:>7} {:>7} {:>9} {:>5} {:>8}",
        "batch",
        "finished",
        "channel",
        "status",
        "read",
        "added",
        "updated",
        "unchanged",
        "bad",
        "quality"
    )?;
    for b in log {
        writeln!(
            out,
            "{:>5} {:<24} {:<12} {:<8} {:>7} {:>7} {:>7} {:>9} {:>5} {:>8}",
            b.batch_id,
            b.finished,
            b.channel,
            serde_json::to_value(b.status)?.as_str().unwrap_or_default(),
            b.rows_read,
            b.rows_added,
            b.rows_updated,
            b.rows_unchanged,
            b.bad_rows.len(),
            b.quality
                .map_or_else(|| "-".to_string(), |q| format!("{:.1}%", q.score * 100.0))
        )?;
    }
    Ok(())
}
