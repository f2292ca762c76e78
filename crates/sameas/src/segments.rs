//! Segmenting a `sameas score` output directory: `customers.csv` and `orders.csv` read back,
//! segmented with `sameas-segment`, written as `customers.csv`, `cohorts.csv`,
//! `channels.csv` and `segments.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sameas_normalize::table::Table;
use sameas_score::{TimeUnit, parse_date};
use sameas_segment::{OrderRow, ScoredCustomer, SegmentConfig, Segmentation, segment};
use serde_json::json;

use crate::Error;
use crate::output::write_csv_row;

fn at(table: &Table, name: &str, file: &str) -> Result<usize, Error> {
    table
        .headers
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| {
            Error::Input(format!(
                "{file}: no `{name}` column (is it a score output?)"
            ))
        })
}

/// Reads a score run's `customers.csv` and `orders.csv` tables.
///
/// # Errors
/// [`Error::Input`] naming the file, row and column of a missing column or a bad cell.
pub fn scored_from_tables(
    customers: &Table,
    orders: &Table,
) -> Result<(Vec<ScoredCustomer>, Vec<OrderRow>), Error> {
    scored_with_numbers(customers, orders, None)
}

/// [`scored_from_tables`], each customer's `numbers` holding only the columns `keep` names
/// (all when `None`): a million customers' maps of every column cost gigabytes.
fn scored_with_numbers(
    customers: &Table,
    orders: &Table,
    keep: Option<&BTreeSet<&str>>,
) -> Result<(Vec<ScoredCustomer>, Vec<OrderRow>), Error> {
    let c = customers;
    let kept: Vec<usize> = (0..c.headers.len())
        .filter(|&i| keep.is_none_or(|k| k.contains(c.headers[i].as_str())))
        .collect();
    let id = if c
        .headers
        .first()
        .is_some_and(|h| h == "entity_id" || h == "customer_id")
    {
        0
    } else {
        return Err(Error::Input(
            "customers.csv: the first column must be entity_id or customer_id".into(),
        ));
    };
    let columns: Vec<usize> = [
        "frequency",
        "T",
        "rfm_recency",
        "rfm_monetary",
        "r_score",
        "f_score",
        "unit",
    ]
    .iter()
    .map(|n| at(c, n, "customers.csv"))
    .collect::<Result<_, _>>()?;
    let optional = |name: &str| c.headers.iter().position(|h| h == name);
    let (p_alive, churn, clv) = (
        optional("p_alive_bg_nbd"),
        optional("churn_risk"),
        optional("clv"),
    );
    let mut scored = Vec::with_capacity(c.rows.len());
    let mut bins = 1u8;
    for row in &c.rows {
        let cell = |i: usize| row.cells.get(i).map_or("", |s| s.trim());
        let number = |i: usize| -> Result<f64, Error> {
            cell(i).parse::<f64>().map_err(|_| {
                Error::Input(format!(
                    "customers.csv row {}, column `{}`: not a number",
                    row.number, c.headers[i]
                ))
            })
        };
        let maybe = |i: Option<usize>| i.and_then(|i| cell(i).parse::<f64>().ok());
        let unit = TimeUnit::parse(cell(columns[6])).ok_or_else(|| {
            Error::Input(format!(
                "customers.csv row {}, column `unit`: not day, week or month",
                row.number
            ))
        })?;
        let days = unit.days();
        let r = number(columns[4])? as u8;
        let f = number(columns[5])? as u8;
        bins = bins.max(r).max(f);
        let numbers: BTreeMap<String, f64> = kept
            .iter()
            .filter_map(|&i| {
                cell(i)
                    .parse::<f64>()
                    .ok()
                    .map(|v| (c.headers[i].clone(), v))
            })
            .collect();
        scored.push(ScoredCustomer {
            id: cell(id).to_string(),
            frequency: number(columns[0])? as u32,
            days_since_first: number(columns[1])? * days,
            days_since_last: number(columns[2])? * days,
            rfm_monetary: number(columns[3])?,
            r_score: r,
            f_score: f,
            score_bins: 5,
            p_alive: maybe(p_alive),
            churn_risk: maybe(churn),
            clv: maybe(clv),
            numbers,
        });
    }
    // The scale the scores were written on: the largest score seen, at least 5.
    for s in &mut scored {
        s.score_bins = bins.max(5);
    }
    let o = orders;
    let (oc, od, oa) = (
        0,
        at(o, "date", "orders.csv")?,
        at(o, "amount", "orders.csv")?,
    );
    let ch = o.headers.iter().position(|h| h == "channel");
    let mut rows = Vec::with_capacity(o.rows.len());
    for row in &o.rows {
        let cell = |i: usize| row.cells.get(i).map_or("", |s| s.trim());
        let bad = |column: &str| {
            Error::Input(format!(
                "orders.csv row {}, column `{column}`: unreadable",
                row.number
            ))
        };
        rows.push(OrderRow {
            customer: crate::unescape_formula(cell(oc)).to_string(),
            date: parse_date(cell(od)).ok_or_else(|| bad("date"))?,
            amount: cell(oa).parse().map_err(|_| bad("amount"))?,
            channel: ch.map_or(String::new(), |i| cell(i).to_string()),
        });
    }
    for s in &mut scored {
        s.id = crate::unescape_formula(&s.id).to_string();
    }
    Ok((scored, rows))
}

/// Segments a score run's tables; `entities`, when given, adds the entities without orders
/// as prospects.
///
/// # Errors
/// As [`scored_from_tables`], and [`Error::Input`] for a bad configuration.
pub fn segment_tables(
    customers: &Table,
    orders: &Table,
    entities: Option<&Table>,
    config: &SegmentConfig,
) -> Result<Segmentation, Error> {
    // Only tag rules read `numbers`.
    let fields: BTreeSet<&str> = config.tags.iter().map(|t| t.field.as_str()).collect();
    let (scored, rows) = scored_with_numbers(customers, orders, Some(&fields))?;
    let mut prospects = Vec::new();
    if let Some(entities) = entities {
        let e = at(entities, "entity_id", "entities.csv")?;
        let known: BTreeSet<&str> = scored.iter().map(|s| s.id.as_str()).collect();
        let all: BTreeSet<String> = entities
            .rows
            .iter()
            .filter_map(|r| {
                r.cells
                    .get(e)
                    .map(|s| crate::unescape_formula(s.trim()).to_string())
            })
            .collect();
        prospects = all
            .into_iter()
            .filter(|id| !known.contains(id.as_str()))
            .collect();
    }
    segment(&scored, &rows, &prospects, config).map_err(|err| Error::Input(err.to_string()))
}

/// Writes `customers.csv` (id, tier, annual spend, RFM segment, lifecycle, cluster, tags),
/// `cohorts.csv`, `channels.csv` and `segments.json` into `dir`.
///
/// # Errors
/// [`Error::Io`] when a file cannot be written.
pub fn write_segments(result: &Segmentation, id_header: &str, dir: &Path) -> Result<(), Error> {
    let io = |name: &str| {
        let path = dir.join(name).display().to_string();
        move |err: csv::Error| Error::Io {
            path,
            source: std::io::Error::other(err.to_string()),
        }
    };
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut out = csv::Writer::from_path(dir.join("customers.csv")).map_err(io("customers.csv"))?;
    write_csv_row(
        &mut out,
        [
            id_header,
            "tier",
            "annual_spend",
            "rfm_segment",
            "lifecycle",
            "cluster",
            "tags",
        ],
    )
    .map_err(io("customers.csv"))?;
    for c in &result.customers {
        write_csv_row(
            &mut out,
            [
                c.id.clone(),
                c.tier.clone(),
                c.annual_spend.to_string(),
                c.rfm_segment.clone(),
                c.lifecycle.clone(),
                c.cluster.map_or(String::new(), |k| k.to_string()),
                c.tags.join(";"),
            ],
        )
        .map_err(io("customers.csv"))?;
    }
    out.flush().map_err(|e| io("customers.csv")(e.into()))?;
    let mut out = csv::Writer::from_path(dir.join("cohorts.csv")).map_err(io("cohorts.csv"))?;
    write_csv_row(
        &mut out,
        ["cohort", "months_since", "customers", "active", "share"],
    )
    .map_err(io("cohorts.csv"))?;
    for c in &result.cohorts {
        write_csv_row(
            &mut out,
            [
                c.cohort.clone(),
                c.months_since.to_string(),
                c.customers.to_string(),
                c.active.to_string(),
                c.share.to_string(),
            ],
        )
        .map_err(io("cohorts.csv"))?;
    }
    out.flush().map_err(|e| io("cohorts.csv")(e.into()))?;
    let mut out = csv::Writer::from_path(dir.join("channels.csv")).map_err(io("channels.csv"))?;
    write_csv_row(
        &mut out,
        [
            "channel",
            "customers",
            "orders",
            "repurchase_rate",
            "average_order_value",
            "high_value_share",
            "acquired",
            "acquisition_cost_per_customer",
        ],
    )
    .map_err(io("channels.csv"))?;
    for c in &result.channels {
        write_csv_row(
            &mut out,
            [
                c.channel.clone(),
                c.customers.to_string(),
                c.orders.to_string(),
                c.repurchase_rate.to_string(),
                c.average_order_value.to_string(),
                c.high_value_share.to_string(),
                c.acquired.to_string(),
                c.acquisition_cost_per_customer
                    .map_or(String::new(), |v| v.to_string()),
            ],
        )
        .map_err(io("channels.csv"))?;
    }
    out.flush().map_err(|e| io("channels.csv")(e.into()))?;
    let summary = segments_summary(result);
    let text = serde_json::to_string_pretty(&summary)? + "\n";
    std::fs::write(dir.join("segments.json"), text).map_err(|source| Error::Io {
        path: dir.join("segments.json").display().to_string(),
        source,
    })
}

/// `segments.json`: customers per tier, RFM segment, lifecycle stage and tag, the clusters
/// described, the silhouette and the as-of date.
pub fn segments_summary(result: &Segmentation) -> serde_json::Value {
    let count = |f: &dyn Fn(&sameas_segment::CustomerSegment) -> String| {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for c in &result.customers {
            *counts.entry(f(c)).or_insert(0) += 1;
        }
        counts
    };
    let mut tags: BTreeMap<String, u64> = BTreeMap::new();
    for c in &result.customers {
        for t in &c.tags {
            *tags.entry(t.clone()).or_insert(0) += 1;
        }
    }
    json!({
        "customers": result.customers.len(),
        "as_of": result.as_of.map(|d| d.to_string()),
        "tiers": count(&|c| c.tier.clone()),
        "rfm_segments": count(&|c| c.rfm_segment.clone()),
        "lifecycle": count(&|c| c.lifecycle.clone()),
        "tags": tags,
        "clusters": result.clusters,
        "silhouette": result.silhouette,
    })
}
