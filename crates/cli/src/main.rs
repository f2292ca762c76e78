//! The `sameas` command line.

mod bench;
mod eval;
mod infer;
mod input;
mod matching;
mod normalize;
mod profile;
mod report;
mod resolve;
mod score;
mod segment;
mod store;
mod synth;

/// mimalloc in place of the system allocator: a run allocates and frees millions of small
/// values (normalized fields, keys, ids), and glibc's free lists (consolidation, unlinking)
/// took a sixth of a million-record run's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Identity resolution for customer records.
#[derive(Debug, Parser)]
#[command(name = "sameas", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Normalize a file: every input column, then the normalized columns and an issues column.
    Normalize(normalize::NormalizeArgs),
    /// Print a data-quality profile per channel and field.
    Profile(profile::ProfileArgs),
    /// Show how each column of a file is read (kind, field, compared or not) and why, and
    /// the normalizer options, comparisons and candidate blocking rules that follow.
    Infer(infer::InferArgs),
    /// Resolve a file into entities: golden records, conflicts, events, a review file and a
    /// report in one directory.
    Resolve(resolve::ResolveArgs),
    /// Explain one entity of a resolve run: its records, the joins that built it and the
    /// refused ones.
    ExplainEntity(resolve::ExplainEntityArgs),
    /// Block, train (or load a model) and write the scored candidate pairs.
    Match(matching::MatchArgs),
    /// Explain one pair's score: every comparison's level, m, u and weight.
    Explain(matching::ExplainArgs),
    /// Score predicted entities or pairs against a truth.
    Eval(eval::EvalArgs),
    /// Score customers from their orders (or a ready summary): RFM, BG/NBD, MBG/NBD,
    /// Pareto/NBD and Gamma-Gamma fits, P(alive), expected purchases, CLV and churn risk.
    Score(score::ScoreArgs),
    /// Segment scored customers: value tiers, RFM segments, lifecycle stages, k-means
    /// clusters described in words, tags, cohort retention and per-channel figures.
    Segment(segment::SegmentArgs),
    /// Write one self-contained HTML report (charts inline, works offline) of a resolve
    /// directory, optionally with score and segment directories.
    Report(report::ReportArgs),
    /// Generate seeded synthetic multi-channel customer records with ground truth.
    Synth(synth::SynthArgs),
    /// Run the resolver over a suite of labelled datasets and print one table: blocking,
    /// pairwise and B-cubed scores, seconds per stage and peak memory.
    Bench(bench::BenchArgs),
    /// Ingest a batch into a persistent store: add new records, replace changed ones, log
    /// the batch with its quality score; a channel whose batches keep scoring low is paused.
    Ingest(store::IngestArgs),
    /// List a store's channels (state, recent quality) or resume a paused one.
    Channel(store::ChannelArgs),
    /// Write a store's entities, golden records, conflicts and events as `resolve` does.
    Export(store::ExportArgs),
    /// Print a customer's unified view from a store, by phone, e-mail, national id or
    /// record id (masked unless --clear).
    Lookup(store::LookupArgs),
    /// Back a store up (SQLite's online backup: ingests may go on meanwhile).
    Backup(store::BackupArgs),
    /// Restore a store from a backup, after checking the backup.
    Restore(store::RestoreArgs),
    /// Check a store's consistency, or print its sync log.
    Store(store::StoreCommandArgs),
    /// One dataset of a bench run, printed as JSON (run by `bench`).
    #[command(hide = true)]
    BenchOne(bench::run::BenchOneArgs),
}

fn main() -> ExitCode {
    // Ordinary pages: huge ones cost a third of a large run's CPU in the kernel.
    sameas::memory::prefer_small_pages();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Normalize(args) => normalize::normalize(&args),
        Command::Profile(args) => profile::profile(&args),
        Command::Infer(args) => infer::run_infer(&args),
        Command::Resolve(args) => resolve::run_resolve(&args),
        Command::ExplainEntity(args) => resolve::run_explain_entity(&args),
        Command::Match(args) => matching::run_match(&args),
        Command::Explain(args) => matching::run_explain(&args),
        Command::Eval(args) => eval::eval(&args),
        Command::Score(args) => score::run_score(&args),
        Command::Segment(args) => segment::run_segment(&args),
        Command::Report(args) => report::run_report(&args),
        Command::Synth(args) => synth::synth(&args),
        Command::Bench(args) => bench::run_bench(&args),
        Command::Ingest(args) => store::run_ingest(&args),
        Command::Channel(args) => store::run_channel(&args),
        Command::Export(args) => store::run_export(&args),
        Command::Lookup(args) => store::run_lookup(&args),
        Command::Backup(args) => store::run_backup(&args),
        Command::Restore(args) => store::run_restore(&args),
        Command::Store(args) => store::run_store(&args),
        Command::BenchOne(args) => bench::run::run_bench_one(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`sameas … | head`): nothing is wrong, and nothing is left
        // to say to anyone.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", message(&err));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes joined by `: `, each said once: a cause whose text the message
/// already ends with (an I/O error a wrapper quoted) is not repeated.
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Whether writing failed because standard output's reader closed the pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |kind: std::io::ErrorKind| kind == std::io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return broken(io.kind());
        }
        if let Some(csv) = cause.downcast_ref::<csv::Error>() {
            return matches!(csv.kind(), csv::ErrorKind::Io(io) if broken(io.kind()));
        }
        if let Some(json) = cause.downcast_ref::<serde_json::Error>() {
            return json.io_error_kind().is_some_and(broken);
        }
        false
    })
}
