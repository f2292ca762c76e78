//! Segmenting a `sameas score` output directory: `customers.csv` and `orders.csv` read back,
//! segmented with `sameas-segment`, written as `customers.csv`, `cohorts.csv`,
//! `channels.csv` and `segments.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sameas_normalize::table::{PlainCsv, Table, TableOptions, read_table_with};
use sameas_score::{TimeUnit, parse_date};
use sameas_segment::{OrderTable, ScoredCustomer, SegmentConfig, Segmentation, segment};
use serde_json::json;

use crate::Error;
use crate::output::{write_csv_row, write_csv_rows};

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
) -> Result<(Vec<ScoredCustomer>, OrderTable), Error> {
    scored_with_numbers(customers, orders, None)
}

/// The columns of a score run's `customers.csv`.
struct CustomerColumns {
    /// frequency, T, rfm_recency, rfm_monetary, r_score, f_score, unit.
    columns: Vec<usize>,
    p_alive: Option<usize>,
    churn: Option<usize>,
    clv: Option<usize>,
    /// The columns kept in `numbers`.
    kept: Vec<usize>,
}

impl CustomerColumns {
    fn find(headers: &[String], keep: Option<&BTreeSet<&str>>) -> Result<Self, Error> {
        if !headers
            .first()
            .is_some_and(|h| h == "entity_id" || h == "customer_id")
        {
            return Err(Error::Input(
                "customers.csv: the first column must be entity_id or customer_id".into(),
            ));
        }
        let at = |name: &str| score_column(headers, "customers.csv", name);
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
        .map(|n| at(n))
        .collect::<Result<_, _>>()?;
        let optional = |name: &str| headers.iter().position(|h| h == name);
        Ok(CustomerColumns {
            columns,
            p_alive: optional("p_alive_bg_nbd"),
            churn: optional("churn_risk"),
            clv: optional("clv"),
            kept: (0..headers.len())
                .filter(|&i| keep.is_none_or(|k| k.contains(headers[i].as_str())))
                .collect(),
        })
    }

    /// One row; `score_bins` is set once every row is read.
    fn read<S: AsRef<str>>(
        &self,
        headers: &[String],
        row: u64,
        cells: &[S],
    ) -> Result<ScoredCustomer, Error> {
        let columns = &self.columns;
        let cell = |i: usize| cells.get(i).map_or("", |s| s.as_ref().trim());
        let number = |i: usize| -> Result<f64, Error> {
            cell(i).parse::<f64>().map_err(|_| {
                Error::Input(format!(
                    "customers.csv row {row}, column `{}`: not a number",
                    headers[i]
                ))
            })
        };
        let maybe = |i: Option<usize>| i.and_then(|i| cell(i).parse::<f64>().ok());
        let unit = TimeUnit::parse(cell(columns[6])).ok_or_else(|| {
            Error::Input(format!(
                "customers.csv row {row}, column `unit`: not day, week or month"
            ))
        })?;
        let days = unit.days();
        let r = number(columns[4])? as u8;
        let f = number(columns[5])? as u8;
        let numbers: BTreeMap<String, f64> = self
            .kept
            .iter()
            .filter_map(|&i| cell(i).parse::<f64>().ok().map(|v| (headers[i].clone(), v)))
            .collect();
        Ok(ScoredCustomer {
            id: crate::unescape_formula(cell(0)).to_string(),
            frequency: number(columns[0])? as u32,
            days_since_first: number(columns[1])? * days,
            days_since_last: number(columns[2])? * days,
            rfm_monetary: number(columns[3])?,
            r_score: r,
            f_score: f,
            score_bins: 5,
            p_alive: maybe(self.p_alive),
            churn_risk: maybe(self.churn),
            clv: maybe(self.clv),
            numbers,
        })
    }
}

/// The scale the scores were written on: the largest score seen, at least 5.
fn set_score_bins(scored: &mut [ScoredCustomer]) {
    let bins = scored
        .iter()
        .fold(1u8, |b, s| b.max(s.r_score).max(s.f_score));
    for s in scored {
        s.score_bins = bins.max(5);
    }
}

/// The columns of a score run's `orders.csv`.
struct OrderColumns {
    date: usize,
    amount: usize,
    channel: Option<usize>,
}

/// The position of column `name` among the `headers` of `file`, a `score` output.
fn score_column(headers: &[String], file: &str, name: &str) -> Result<usize, Error> {
    headers
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| {
            Error::Input(format!(
                "{file}: no `{name}` column (is it a score output?)"
            ))
        })
}

impl OrderColumns {
    fn find(headers: &[String]) -> Result<Self, Error> {
        let at = |name: &str| score_column(headers, "orders.csv", name);
        Ok(OrderColumns {
            date: at("date")?,
            amount: at("amount")?,
            channel: headers.iter().position(|h| h == "channel"),
        })
    }

    /// Adds one row to `table`.
    fn read<S: AsRef<str>>(
        &self,
        row: u64,
        cells: &[S],
        table: &mut OrderTable,
    ) -> Result<(), Error> {
        let cell = |i: usize| cells.get(i).map_or("", |s| s.as_ref().trim());
        let bad = |column: &str| {
            Error::Input(format!(
                "orders.csv row {row}, column `{column}`: unreadable"
            ))
        };
        let date = parse_date(cell(self.date)).ok_or_else(|| bad("date"))?;
        let amount = cell(self.amount).parse().map_err(|_| bad("amount"))?;
        table.push(
            crate::unescape_formula(cell(0)).as_ref(),
            date,
            amount,
            self.channel.map_or("", cell),
        );
        Ok(())
    }
}

/// [`scored_from_tables`], each customer's `numbers` holding only the columns `keep` names
/// (all when `None`): a million customers' maps of every column cost gigabytes.
fn scored_with_numbers(
    customers: &Table,
    orders: &Table,
    keep: Option<&BTreeSet<&str>>,
) -> Result<(Vec<ScoredCustomer>, OrderTable), Error> {
    let columns = CustomerColumns::find(&customers.headers, keep)?;
    let mut scored = customers
        .rows
        .iter()
        .map(|row| columns.read(&customers.headers, row.number, &row.cells))
        .collect::<Result<Vec<_>, _>>()?;
    set_score_bins(&mut scored);
    let columns = OrderColumns::find(&orders.headers)?;
    let mut table = OrderTable::default();
    table.reserve(orders.rows.len());
    for row in &orders.rows {
        columns.read(row.number, &row.cells, &mut table)?;
    }
    Ok((scored, table))
}

/// The rows of a file read by `read`: in parallel straight from plain CSV ([`PlainCsv`]),
/// else through a table. The first bad row in row order is the error either way.
fn read_rows<T: Send, C>(
    bytes: &[u8],
    options: &TableOptions,
    columns: impl Fn(&[String]) -> Result<C, Error>,
    read: impl Fn(&C, &[String], u64, &[&str]) -> Result<T, Error> + Sync,
) -> Result<(Vec<String>, Vec<T>), Error>
where
    C: Sync,
{
    if let Some(csv) = PlainCsv::new(bytes, options)? {
        let c = columns(&csv.headers)?;
        if let Some(rows) = csv.map_rows(|row, cells| read(&c, &csv.headers, row, cells)) {
            let rows = rows.into_iter().collect::<Result<_, _>>()?;
            return Ok((csv.headers, rows));
        }
    }
    let table = read_table_with(bytes, options)?;
    let c = columns(&table.headers)?;
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let cells: Vec<&str> = row.cells.iter().map(String::as_str).collect();
            read(&c, &table.headers, row.number, &cells)
        })
        .collect::<Result<_, _>>()?;
    Ok((table.headers, rows))
}

/// A score run's `orders.csv` as an [`OrderTable`]: in parallel straight from plain CSV, each
/// chunk of rows into its own table, the tables appended in row order; else through a
/// table. The first bad row in row order is the error either way.
fn read_order_table(bytes: &[u8], options: &TableOptions) -> Result<OrderTable, Error> {
    if let Some(csv) = PlainCsv::new(bytes, options)? {
        let columns = OrderColumns::find(&csv.headers)?;
        let chunks = csv.fold_rows(
            |rows| {
                let mut table = OrderTable::default();
                table.reserve(rows);
                (table, None)
            },
            |(table, error): &mut (OrderTable, Option<Error>), row, cells| {
                if error.is_none()
                    && let Err(e) = columns.read(row, cells, table)
                {
                    *error = Some(e);
                }
            },
        );
        if let Some(chunks) = chunks {
            let mut orders = OrderTable::default();
            orders.reserve(chunks.iter().map(|(t, _)| t.len()).sum());
            for (table, error) in chunks {
                if let Some(error) = error {
                    return Err(error);
                }
                orders.append(table);
            }
            return Ok(orders);
        }
    }
    let table = read_table_with(bytes, options)?;
    let columns = OrderColumns::find(&table.headers)?;
    let mut orders = OrderTable::default();
    orders.reserve(table.rows.len());
    for row in &table.rows {
        columns.read(row.number, &row.cells, &mut orders)?;
    }
    Ok(orders)
}

/// [`segment_tables`] on the bytes of a score run's `customers.csv` and `orders.csv`, read
/// as `options` say: plain CSV is parsed in parallel straight into customers and orders,
/// without tables of strings in between; anything else is read as a table. The result is
/// the same either way. Returns it with the header of the customers' id column.
///
/// # Errors
/// As [`segment_tables`], and [`Error::Table`] for a file that cannot be read as a table.
pub fn segment_files(
    customers: &[u8],
    orders: &[u8],
    options: &TableOptions,
    entities: Option<&Table>,
    config: &SegmentConfig,
) -> Result<(Segmentation, String), Error> {
    let fields: BTreeSet<&str> = config.tags.iter().map(|t| t.field.as_str()).collect();
    let (headers, mut scored) = read_rows(
        customers,
        options,
        |headers| CustomerColumns::find(headers, Some(&fields)),
        |c, headers, row, cells| c.read(headers, row, cells),
    )?;
    set_score_bins(&mut scored);
    let rows = read_order_table(orders, options)?;
    let prospects = prospects(entities, &scored)?;
    let result =
        segment(&scored, &rows, &prospects, config).map_err(|err| Error::Input(err.to_string()))?;
    Ok((result, headers.into_iter().next().unwrap_or_default()))
}

/// The entities without orders.
fn prospects(entities: Option<&Table>, scored: &[ScoredCustomer]) -> Result<Vec<String>, Error> {
    let Some(entities) = entities else {
        return Ok(Vec::new());
    };
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
    Ok(all
        .into_iter()
        .filter(|id| !known.contains(id.as_str()))
        .collect())
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
    let prospects = prospects(entities, &scored)?;
    segment(&scored, &rows, &prospects, config).map_err(|err| Error::Input(err.to_string()))
}

/// Tags as one cell, `;` between them.
struct Joined<'a>(&'a [sameas_segment::Label]);

impl std::fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, tag) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(tag)?;
        }
        Ok(())
    }
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
    write_csv_rows(
        &dir.join("customers.csv"),
        &[
            id_header,
            "tier",
            "annual_spend",
            "rfm_segment",
            "lifecycle",
            "cluster",
            "tags",
        ],
        &result.customers,
        |c, cells| {
            cells.text(&c.id)?;
            cells.text(&c.tier)?;
            cells.float(c.annual_spend)?;
            cells.text(&c.rfm_segment)?;
            cells.text(&c.lifecycle)?;
            cells.maybe(c.cluster)?;
            cells.show(Joined(&c.tags))
        },
    )?;
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
    // Counted in hash maps (a million customers, a few labels), then ordered by label.
    let count = |f: &dyn Fn(&sameas_segment::CustomerSegment) -> &str| {
        let mut counts: foldhash::HashMap<&str, u64> = foldhash::HashMap::default();
        for c in &result.customers {
            *counts.entry(f(c)).or_insert(0) += 1;
        }
        counts.into_iter().collect::<BTreeMap<&str, u64>>()
    };
    let mut tags: foldhash::HashMap<&str, u64> = foldhash::HashMap::default();
    for c in &result.customers {
        for t in &c.tags {
            *tags.entry(&**t).or_insert(0) += 1;
        }
    }
    let tags: BTreeMap<&str, u64> = tags.into_iter().collect();
    json!({
        "customers": result.customers.len(),
        "as_of": result.as_of.map(|d| d.to_string()),
        "tiers": count(&|c| &c.tier),
        "rfm_segments": count(&|c| &c.rfm_segment),
        "lifecycle": count(&|c| &c.lifecycle),
        "tags": tags,
        "clusters": result.clusters,
        "silhouette": result.silhouette,
    })
}
