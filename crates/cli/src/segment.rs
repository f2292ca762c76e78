//! `sameas segment`: tiers, RFM segments, lifecycle stages, clusters, tags, cohorts and
//! channel figures from a `sameas score` output directory.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use jiff::civil::Date;
use sameas::segment::SegmentConfig;

use crate::input::{read_input, table_options};

/// Arguments of `sameas segment`.
#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// A `sameas score` output directory (customers.csv and orders.csv).
    dir: PathBuf,
    /// The output directory: customers.csv, cohorts.csv, channels.csv, segments.json.
    #[arg(long)]
    out: PathBuf,
    /// A JSON configuration: tiers, tags, k, max_k, seed, as_of, channel_costs, currency
    /// (see the sameas-segment README); left-out keys keep their defaults.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The date annual spend is measured to (default: the last order's date).
    #[arg(long)]
    as_of: Option<Date>,
    /// Clusters (default: chosen by silhouette, 2 to 8).
    #[arg(long)]
    k: Option<usize>,
    /// A resolve run's entities.csv: entities without orders become prospects.
    #[arg(long)]
    entities: Option<PathBuf>,
    /// A CSV `channel,cost` of acquisition spend, for cost per acquired customer.
    #[arg(long)]
    costs: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `sameas segment`.
pub fn run_segment(args: &SegmentArgs) -> Result<()> {
    let read = |path: &PathBuf| read_input(path, &table_options(path, None, None));
    let mut config: SegmentConfig = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not a segment configuration", path.display()))?
        }
        None => SegmentConfig::default(),
    };
    if args.as_of.is_some() {
        config.as_of = args.as_of;
    }
    if args.k.is_some() {
        config.k = args.k;
    }
    if let Some(path) = &args.costs {
        let table = read(path)?;
        let (Some(c), Some(v)) = (
            table.headers.iter().position(|h| h == "channel"),
            table.headers.iter().position(|h| h == "cost"),
        ) else {
            bail!("{}: needs `channel` and `cost` columns", path.display());
        };
        for row in &table.rows {
            let cost: f64 = row
                .cells
                .get(v)
                .map_or("", |s| s.trim())
                .parse()
                .with_context(|| {
                    format!(
                        "{}: row {}, column `cost`: not a number",
                        path.display(),
                        row.number
                    )
                })?;
            config
                .channel_costs
                .insert(row.cells.get(c).cloned().unwrap_or_default(), cost);
        }
    }
    let file = |name: &str| {
        let path = args.dir.join(name);
        std::fs::read(&path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map(|bytes| (bytes, table_options(&path, None, None)))
    };
    let (customers, options) = file("customers.csv")?;
    let (orders, _) = file("orders.csv")?;
    let entities = args.entities.as_ref().map(read).transpose()?;
    let (result, id_header) =
        sameas::segment_files(&customers, &orders, &options, entities.as_ref(), &config)
            .with_context(|| format!("{}", args.dir.display()))?;
    let id_header = if id_header.is_empty() {
        "entity_id".to_string()
    } else {
        id_header
    };
    sameas::write_segments(&result, &id_header, &args.out)?;
    if !args.quiet {
        eprintln!(
            "{} customers in {} clusters (silhouette {:.2})",
            result.customers.len(),
            result.clusters.len(),
            result.silhouette
        );
        for c in &result.clusters {
            eprintln!(
                "  cluster {} ({} customers): {}",
                c.cluster, c.customers, c.description
            );
        }
        eprintln!(
            "wrote customers.csv, cohorts.csv, channels.csv, segments.json in {}",
            args.out.display()
        );
    }
    // The process ends here: its memory goes back at once, where freeing a million
    // customers' strings one by one would take a noticeable part of the run.
    std::mem::forget(result);
    Ok(())
}
