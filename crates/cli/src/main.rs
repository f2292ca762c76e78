//! The `sameas` command line.

mod bench;
mod bench_compare;
mod bench_run;
mod bench_suite;
mod commands;
mod eval;
mod matching;
mod resolve;
mod synth;

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
    Normalize(commands::NormalizeArgs),
    /// Print a data-quality profile per channel and field.
    Profile(commands::ProfileArgs),
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
    /// Generate seeded synthetic multi-channel customer records with ground truth.
    Synth(synth::SynthArgs),
    /// Run the resolver over a suite of labelled datasets and print one table: blocking,
    /// pairwise and B-cubed scores, seconds per stage and peak memory.
    Bench(bench::BenchArgs),
    /// One dataset of a bench run, printed as JSON (run by `bench`).
    #[command(hide = true)]
    BenchOne(bench_run::BenchOneArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Normalize(args) => commands::normalize(&args),
        Command::Profile(args) => commands::profile(&args),
        Command::Resolve(args) => resolve::run_resolve(&args),
        Command::ExplainEntity(args) => resolve::run_explain_entity(&args),
        Command::Match(args) => matching::run_match(&args),
        Command::Explain(args) => matching::run_explain(&args),
        Command::Eval(args) => eval::eval(&args),
        Command::Synth(args) => synth::synth(&args),
        Command::Bench(args) => bench::run_bench(&args),
        Command::BenchOne(args) => bench_run::run_bench_one(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
