//! `sameas score`: customer value from orders (or a ready summary) for resolved customers.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use jiff::civil::Date;
use sameas::score::{ScoreConfig, TimeUnit};
use sameas::{CustomerMap, ScoreOptions};

use crate::input::{read_input, table_options};

/// Arguments of `sameas score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The orders: CSV or JSON lines with a customer reference (`customer_id`, `record_id`
    /// …), a date and an amount; a channel and a status (returned / cancelled) are read
    /// when present.
    #[arg(long, required_unless_present = "summary", conflicts_with = "summary")]
    transactions: Option<PathBuf>,
    /// A resolve run's entities.csv: the orders' customer references are record ids, and
    /// each customer is the entity they belong to.
    #[arg(long)]
    entities: Option<PathBuf>,
    /// The resolved records: with --customer-key, the orders name customers by that column
    /// of the records (e.g. `member_no`), mapped through the records to their entities.
    #[arg(long, requires_all = ["customer_key", "entities"])]
    records: Option<PathBuf>,
    /// The column naming the customer in the orders (and, with --records, in the records).
    #[arg(long)]
    customer_key: Option<String>,
    /// A ready summary instead of orders: `customer_id,frequency,recency,T[,monetary_value]`
    /// in --unit.
    #[arg(long)]
    summary: Option<PathBuf>,
    /// The output directory: model.json, customers.csv, orders.csv, bad_orders.csv (and
    /// holdout.csv with --calibration-end).
    #[arg(long)]
    out: PathBuf,
    /// Split at this date (YYYY-MM-DD): fit on the orders up to it and compare predictions
    /// with the orders after it, per frequency bucket (holdout.csv).
    #[arg(long)]
    calibration_end: Option<Date>,
    /// The end of observation (YYYY-MM-DD): the date T is measured to. Default: the last
    /// order's date. Orders after it (or after today, without it) are reported as future
    /// dates.
    #[arg(long)]
    as_of: Option<Date>,
    /// The time unit of recency, T, the horizon and the fitted rates: day, week or month.
    #[arg(long, default_value = "week", value_parser = unit_arg)]
    unit: TimeUnit,
    /// Horizon of expected purchases, in --unit (default: one year).
    #[arg(long)]
    horizon: Option<f64>,
    /// CLV discount rate per month.
    #[arg(long, default_value_t = 0.01)]
    discount_rate: f64,
    /// Months of CLV.
    #[arg(long, default_value_t = 12)]
    clv_months: u32,
    /// Share of spend that is margin, for CLV.
    #[arg(long, default_value_t = 1.0)]
    margin: f64,
    /// RFM score bins (5 gives scores 1–5).
    #[arg(long, default_value_t = 5)]
    rfm_bins: u8,
    /// Skip Pareto/NBD, the slowest fit (seconds at a million customers); its columns are
    /// then empty.
    #[arg(long)]
    no_pareto_nbd: bool,
    /// The input files' encoding; detected when left out.
    #[arg(long)]
    encoding: Option<String>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

fn unit_arg(text: &str) -> Result<TimeUnit, String> {
    TimeUnit::parse(text).ok_or_else(|| format!("`{text}` is not day, week or month"))
}

/// Runs `sameas score`.
pub fn run_score(args: &ScoreArgs) -> Result<()> {
    let config = ScoreConfig {
        unit: args.unit,
        horizon: args.horizon,
        clv_months: args.clv_months,
        discount_rate: args.discount_rate,
        margin: args.margin,
        rfm_bins: args.rfm_bins,
        pareto_nbd: !args.no_pareto_nbd,
    };
    let read =
        |path: &PathBuf| read_input(path, &table_options(path, args.encoding.as_deref(), None));
    if args.out.exists() && !args.out.is_dir() {
        bail!("{} is not a directory", args.out.display());
    }
    let value = if let Some(summary) = &args.summary {
        sameas::score_summary(&read(summary)?, &config)
            .with_context(|| format!("{}", summary.display()))?
    } else {
        let transactions = args.transactions.as_ref().expect("clap requires one");
        let map = match &args.entities {
            Some(path) => {
                let entities = CustomerMap::from_entities(&read(path)?)
                    .with_context(|| format!("{}", path.display()))?;
                match &args.records {
                    Some(records) => {
                        let key = args.customer_key.as_deref().expect("clap requires it");
                        let map = CustomerMap::through_records(&read(records)?, key, &entities)
                            .with_context(|| format!("{}", records.display()))?;
                        if map.ambiguous_keys > 0 && !args.quiet {
                            eprintln!(
                                "note: {} `{key}` values are held by records of more than one \
                                 entity; each goes to the entity holding most of them",
                                map.ambiguous_keys
                            );
                        }
                        Some(map)
                    }
                    None => Some(entities),
                }
            }
            None => None,
        };
        let options = ScoreOptions {
            config,
            calibration_end: args.calibration_end,
            as_of: args.as_of,
            today: jiff::Zoned::now().date(),
            customer_key: args.customer_key.clone(),
        };
        let bytes = std::fs::read(transactions)
            .with_context(|| format!("cannot read {}", transactions.display()))?;
        sameas::score_order_file(
            &bytes,
            &table_options(transactions, args.encoding.as_deref(), None),
            map.as_ref(),
            &options,
        )
        .with_context(|| format!("{}", transactions.display()))?
    };
    let written = value.write(&args.out)?;
    if !args.quiet {
        print_summary(&value);
        eprintln!("wrote {} in {}", written.join(", "), args.out.display());
    }
    // The process ends here: its memory goes back at once, where freeing millions of
    // orders' and customers' strings one by one would take a noticeable part of the run.
    std::mem::forget(value);
    Ok(())
}

fn print_summary(value: &sameas::CustomerValue) {
    let bad = value.orders.bad.len();
    if value.period.is_some() {
        eprintln!(
            "{} orders -> {} customers; {bad} rows not counted{}",
            value.orders.orders.len(),
            value.scores.customers.len(),
            if bad > 0 {
                " (bad_orders.csv says why)"
            } else {
                ""
            }
        );
        for (reason, n) in value.orders.bad_counts() {
            eprintln!("  {n} {}", reason.describe());
        }
    } else {
        eprintln!("{} customers", value.scores.customers.len());
    }
    let model = value.model_json();
    for name in ["bg_nbd", "mbg_nbd", "pareto_nbd", "gamma_gamma"] {
        match &model[name] {
            serde_json::Value::Object(params) => {
                let text: Vec<String> = params
                    .iter()
                    .map(|(k, v)| format!("{k} {:.4}", v.as_f64().unwrap_or(f64::NAN)))
                    .collect();
                eprintln!("{name}: {}", text.join(", "));
            }
            _ => eprintln!(
                "{name}: {}",
                model["fits"][name]["error"]
                    .as_str()
                    .unwrap_or("not fitted")
            ),
        }
    }
    eprintln!("unit: {}", value.unit().name());
}
