//! Customer value after resolution: orders mapped to their entities (through
//! `entities.csv`, or through an identifier column of the records), scored with
//! `sameas-score`, and written as `model.json`, `customers.csv` and `orders.csv`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use jiff::civil::Date;
use sameas_normalize::table::{PlainCsv, Table, TableOptions, read_table_with};
use sameas_score::{
    BadOrder, CustomerHistory, CustomerSummary, Fitted, Model, OrderColumns, Orders, Period,
    ScoreConfig, ScoreError, Scores, TimeUnit, customer_date_order, read_order, read_orders,
    score_histories, score_summaries, summarise_in_order,
};
use serde_json::{Map, Value, json};

use crate::Error;
use crate::output::{write_csv_row, write_csv_rows};

/// Headers read as a record id, compared without case.
const RECORD_ID: &[&str] = &[
    "record_id",
    "id",
    "rec_id",
    "unique_id",
    "客户编号",
    "客户id",
];

fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|name| {
        headers
            .iter()
            .position(|h| h.trim().to_lowercase() == *name)
    })
}

/// Which customer (entity) each customer reference of an order belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerMap {
    by_reference: HashMap<String, String>,
    /// Keys whose records fall in more than one entity (each goes to the entity holding
    /// most of them, ties to the smallest entity id).
    pub ambiguous_keys: u64,
}

impl CustomerMap {
    /// The map of an entities table (`record_id`, `entity_id`), as `sameas resolve`
    /// writes `entities.csv`.
    ///
    /// # Errors
    /// [`Error::Input`] when a column is missing or a row has an empty id.
    pub fn from_entities(table: &Table) -> Result<CustomerMap, Error> {
        let (Some(record), Some(entity)) = (
            column(&table.headers, &["record_id"]),
            column(&table.headers, &["entity_id"]),
        ) else {
            return Err(Error::Input(
                "the entities table needs `record_id` and `entity_id` columns".into(),
            ));
        };
        let mut by_reference = HashMap::with_capacity(table.rows.len());
        for row in &table.rows {
            let cell = |i: usize| {
                crate::unescape_formula(row.cells.get(i).map_or("", |s| s.as_str())).to_string()
            };
            let (r, e) = (cell(record), cell(entity));
            if r.trim().is_empty() || e.trim().is_empty() {
                return Err(Error::Input(format!(
                    "entities row {}: a record id and an entity id are needed",
                    row.number
                )));
            }
            by_reference.insert(r, e);
        }
        Ok(CustomerMap {
            by_reference,
            ambiguous_keys: 0,
        })
    }

    /// The map from the values of `key` (an identifier column of the records, such as
    /// `member_no`) to the entities of the records that carry them.
    ///
    /// # Errors
    /// [`Error::Input`] when the records have no such column or no record id column.
    pub fn through_records(
        records: &Table,
        key: &str,
        entities: &CustomerMap,
    ) -> Result<CustomerMap, Error> {
        let key_at = records
            .headers
            .iter()
            .position(|h| h.trim() == key.trim())
            .ok_or_else(|| Error::Input(format!("the records have no `{key}` column")))?;
        let id_at = column(&records.headers, RECORD_ID)
            .ok_or_else(|| Error::Input("the records have no record id column".into()))?;
        let mut votes: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
        for row in &records.rows {
            let value = row.cells.get(key_at).map_or("", |s| s.trim());
            let id = row.cells.get(id_at).map_or("", |s| s.as_str());
            if value.is_empty() {
                continue;
            }
            if let Some(entity) = entities.get(id) {
                *votes.entry(value).or_default().entry(entity).or_insert(0) += 1;
            }
        }
        let mut map = CustomerMap::default();
        for (value, counts) in votes {
            if counts.len() > 1 {
                map.ambiguous_keys += 1;
            }
            // Most records first, then the smallest entity id (the map is ordered).
            let (entity, _) = counts
                .iter()
                .fold(None::<(&str, u64)>, |best, (e, n)| match best {
                    Some((_, m)) if m >= *n => best,
                    _ => Some((e, *n)),
                })
                .expect("at least one entity");
            map.by_reference
                .insert(value.to_string(), entity.to_string());
        }
        Ok(map)
    }

    /// The entity of a customer reference.
    pub fn get(&self, reference: &str) -> Option<&str> {
        self.by_reference.get(reference).map(String::as_str)
    }

    /// References known.
    pub fn len(&self) -> usize {
        self.by_reference.len()
    }

    /// Whether no reference is known.
    pub fn is_empty(&self) -> bool {
        self.by_reference.is_empty()
    }
}

/// How to score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreOptions {
    /// Models, horizon, CLV and RFM settings.
    pub config: ScoreConfig,
    /// Split the orders here for a holdout evaluation: summaries from orders on or before
    /// it, predictions checked against the orders after it.
    pub calibration_end: Option<Date>,
    /// The end of observation: orders after it are reported as future dates. Default: the
    /// last order's date, with orders after `today` reported as future dates.
    pub as_of: Option<Date>,
    /// Today's date.
    pub today: Date,
    /// The orders' customer column, when it is not found by its header.
    pub customer_key: Option<String>,
}

/// Customers scored: the orders read, the scores and what is needed to write them.
#[derive(Debug, Clone)]
pub struct CustomerValue {
    /// The header of the customer id column: `entity_id` for resolved customers, else
    /// `customer_id`.
    pub id_header: &'static str,
    /// The orders counted and the rows that were not (empty for a summary table).
    pub orders: Orders,
    /// The observation period (`None` for a summary table).
    pub period: Option<Period>,
    /// The scores.
    pub scores: Scores,
    /// The settings used.
    pub config: ScoreConfig,
    /// `orders.orders` by customer and date ([`customer_date_order`]), for `orders.csv`;
    /// empty when not yet known.
    by_customer: Vec<u32>,
}

/// Scores the orders of `table`, each customer reference mapped through `map` (or taken as
/// the customer id without one).
///
/// # Errors
/// [`Error::Score`] for a missing column or a bad setting; [`Error::Input`] for a
/// calibration end that leaves no customer or no holdout.
pub fn score_orders(
    table: &Table,
    map: Option<&CustomerMap>,
    options: &ScoreOptions,
) -> Result<CustomerValue, Error> {
    let columns = OrderColumns::find(&table.headers, options.customer_key.as_deref())?;
    let cutoff = options.as_of.unwrap_or(options.today);
    let rows = table.rows.iter().map(|r| (r.number, r.cells.as_slice()));
    let orders = read_orders(
        &columns,
        &table.headers,
        rows,
        |reference| customer_of(map, reference),
        cutoff,
    );
    score_read_orders(orders, map.is_some(), options)
}

fn customer_of(map: Option<&CustomerMap>, reference: &str) -> Option<String> {
    match map {
        Some(map) => map.get(reference).map(str::to_string),
        None => Some(reference.to_string()),
    }
}

/// [`score_orders`] on an order file's bytes, read as `table` options say. A plain CSV
/// file (no quotes) is parsed in parallel straight into orders, without a table of strings
/// in between; any other file is read as a table. Either way the orders, bad rows and
/// scores are the same.
///
/// # Errors
/// As [`score_orders`], and [`Error::Table`] for a file that cannot be read as a table.
pub fn score_order_file(
    bytes: &[u8],
    table: &TableOptions,
    map: Option<&CustomerMap>,
    options: &ScoreOptions,
) -> Result<CustomerValue, Error> {
    if let Some(csv) = PlainCsv::new(bytes, table)? {
        let columns = OrderColumns::find(&csv.headers, options.customer_key.as_deref())?;
        let cutoff = options.as_of.unwrap_or(options.today);
        // Each chunk of rows sorted into its orders and bad rows, then joined in row order
        // into vectors of their final size: no vector of every row's result in between.
        let read = csv.fold_rows(
            |rows| Orders {
                orders: Vec::with_capacity(rows),
                bad: Vec::new(),
            },
            |out, row, cells| match read_order(
                &columns,
                &csv.headers,
                row,
                cells,
                |reference| customer_of(map, reference),
                cutoff,
            ) {
                Ok(order) => out.orders.push(order),
                Err(bad) => out.bad.push(bad),
            },
        );
        if let Some(chunks) = read {
            let mut orders = Orders {
                orders: Vec::with_capacity(chunks.iter().map(|c| c.orders.len()).sum()),
                bad: Vec::with_capacity(chunks.iter().map(|c| c.bad.len()).sum()),
            };
            for chunk in chunks {
                orders.orders.extend(chunk.orders);
                orders.bad.extend(chunk.bad);
            }
            return score_read_orders(orders, map.is_some(), options);
        }
    }
    score_orders(&read_table_with(bytes, table)?, map, options)
}

/// Scores orders already read.
fn score_read_orders(
    orders: Orders,
    mapped: bool,
    options: &ScoreOptions,
) -> Result<CustomerValue, Error> {
    let end = options
        .as_of
        .or_else(|| orders.last_date())
        .ok_or_else(|| Error::Input("no order can be counted".into()))?;
    if let Some(c) = options.calibration_end
        && c >= end
    {
        return Err(Error::Input(
            "the calibration end must come before the last order date (or --as-of)".into(),
        ));
    }
    let period = Period {
        unit: options.config.unit,
        calibration_end: options.calibration_end,
        end,
    };
    let by_customer = customer_date_order(&orders.orders);
    let histories: Vec<CustomerHistory> = summarise_in_order(&orders.orders, &by_customer, &period);
    if histories.is_empty() {
        return Err(Error::Input(
            "no customer has an order in the calibration period".into(),
        ));
    }
    let holdout = options.calibration_end.map(|_| period.holdout_length());
    let scores = score_histories(&histories, holdout, &options.config)?;
    Ok(CustomerValue {
        id_header: if mapped { "entity_id" } else { "customer_id" },
        orders,
        by_customer,
        period: Some(period),
        scores,
        config: options.config,
    })
}

/// Scores a ready summary table: `customer_id,frequency,recency,T[,monetary_value]`
/// (`ID`, `id` and Fader and Hardie's `x,t_x,T,zbar` are read too), in `config.unit`.
///
/// # Errors
/// [`Error::Score`] naming a missing column or a bad row and column.
pub fn score_summary(table: &Table, config: &ScoreConfig) -> Result<CustomerValue, Error> {
    let h = &table.headers;
    let need = |names: &[&str], column: &'static str| {
        column_exact(h, names).ok_or(ScoreError::MissingColumn {
            column,
            hint: "a summary needs customer_id, frequency, recency and T",
        })
    };
    let id = need(&["customer_id", "id", "ID", "entity_id"], "customer_id")?;
    let frequency = need(&["frequency", "x"], "frequency")?;
    let recency = need(&["recency", "t_x"], "recency")?;
    let t = need(&["T", "t"], "T")?;
    let monetary = column_exact(h, &["monetary_value", "zbar"]);
    let mut customers = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let number = |i: usize| -> Result<f64, ScoreError> {
            let cell = row.cells.get(i).map_or("", |s| s.trim());
            cell.parse::<f64>().map_err(|_| ScoreError::BadSummaryRow {
                row: row.number,
                column: h[i].clone(),
                reason: "not a number",
            })
        };
        let x = number(frequency)?;
        if !(x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX)) {
            return Err(ScoreError::BadSummaryRow {
                row: row.number,
                column: h[frequency].clone(),
                reason: "frequency must be a whole number of at least 0",
            }
            .into());
        }
        customers.push(CustomerSummary {
            id: row.cells.get(id).cloned().unwrap_or_default(),
            frequency: x as u32,
            recency: number(recency)?,
            t: number(t)?,
            monetary_value: monetary.map_or(Ok(0.0), number)?,
        });
    }
    let scores = score_summaries(&customers, config).map_err(|err| match err {
        // The summary's rows are the table's rows.
        ScoreError::BadSummaryRow { row, reason, .. } => ScoreError::BadSummaryRow {
            row: table.rows.get(row as usize - 1).map_or(row, |r| r.number),
            column: "recency / T".into(),
            reason,
        },
        other => other,
    })?;
    Ok(CustomerValue {
        id_header: "customer_id",
        orders: Orders::default(),
        by_customer: Vec::new(),
        period: None,
        scores,
        config: *config,
    })
}

fn column_exact(headers: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|name| headers.iter().position(|h| h.trim() == *name))
}

/// The header of `customers.csv`, after the id column.
pub const CUSTOMER_COLUMNS: [&str; 18] = [
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
    "p_alive_bg_nbd",
    "p_alive_pareto_nbd",
    "expected_purchases",
    "expected_spend",
    "clv",
    "churn_risk",
    "unit",
];

fn number(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

fn fit_json<M: Model + serde::Serialize>(fit: &Result<Fitted<M>, ScoreError>) -> Value {
    match fit {
        Ok(f) => {
            let mut object = Map::new();
            for (name, value) in M::PARAMETERS.iter().zip(f.model.parameters()) {
                object.insert((*name).into(), json!(value));
            }
            object.insert("log_likelihood".into(), json!(f.log_likelihood));
            Value::Object(object)
        }
        Err(_) => Value::Null,
    }
}

fn fit_details<M: Model>(fit: &Result<Fitted<M>, ScoreError>) -> Value {
    match fit {
        Ok(f) => {
            let errors: Map<String, Value> = match &f.standard_errors {
                Some(se) => M::PARAMETERS
                    .iter()
                    .zip(se)
                    .map(|(n, v)| ((*n).to_string(), json!(v)))
                    .collect(),
                None => Map::new(),
            };
            json!({
                "customers": f.customers,
                "groups": f.groups,
                "evaluations": f.evaluations,
                "standard_errors": errors,
            })
        }
        Err(err) => json!({ "error": err.to_string() }),
    }
}

impl CustomerValue {
    /// `model.json`: each model's parameters and log-likelihood as a flat object (`null`
    /// when it could not be fitted, with the reason under `fits`), the settings, fit
    /// details, bad-order counts and the holdout evaluation.
    pub fn model_json(&self) -> Value {
        let fits = &self.scores.fits;
        let bad: Map<String, Value> = self
            .orders
            .bad_counts()
            .into_iter()
            .map(|(reason, n)| (reason.describe().to_string(), json!(n)))
            .collect();
        json!({
            "bg_nbd": fit_json(&fits.bg_nbd),
            "mbg_nbd": fit_json(&fits.mbg_nbd),
            "pareto_nbd": fit_json(&fits.pareto_nbd),
            "gamma_gamma": fit_json(&fits.gamma_gamma),
            "unit": self.config.unit.name(),
            "horizon": self.config.horizon(),
            "clv_months": self.config.clv_months,
            "discount_rate": self.config.discount_rate,
            "margin": self.config.margin,
            "customers": self.scores.customers.len(),
            "orders": self.orders.orders.len(),
            "bad_orders": bad,
            "calibration_end": self.period.and_then(|p| p.calibration_end).map(|d| d.to_string()),
            "observation_end": self.period.map(|p| p.end.to_string()),
            "fits": {
                "bg_nbd": fit_details(&fits.bg_nbd),
                "mbg_nbd": fit_details(&fits.mbg_nbd),
                "pareto_nbd": fit_details(&fits.pareto_nbd),
                "gamma_gamma": fit_details(&fits.gamma_gamma),
            },
            "holdout": self.scores.holdout,
        })
    }

    /// The header and rows of `customers.csv`.
    pub fn customer_rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut header = vec![self.id_header.to_string()];
        header.extend(CUSTOMER_COLUMNS.iter().map(|s| s.to_string()));
        let unit = self.config.unit.name();
        let rows = self
            .scores
            .customers
            .iter()
            .map(|c| {
                let s = &c.summary;
                vec![
                    s.id.clone(),
                    s.frequency.to_string(),
                    s.recency.to_string(),
                    s.t.to_string(),
                    s.monetary_value.to_string(),
                    c.rfm_recency.to_string(),
                    c.rfm_frequency.to_string(),
                    c.rfm_monetary.to_string(),
                    c.r_score.to_string(),
                    c.f_score.to_string(),
                    c.m_score.to_string(),
                    format!("{}{}{}", c.r_score, c.f_score, c.m_score),
                    number(c.p_alive_bg_nbd),
                    number(c.p_alive_pareto_nbd),
                    number(c.expected_purchases),
                    number(c.expected_spend),
                    number(c.clv),
                    number(c.churn_risk),
                    unit.to_string(),
                ]
            })
            .collect();
        (header, rows)
    }

    /// Writes `model.json`, `customers.csv`, `orders.csv` (`entity_id,date,amount,channel`
    /// of every counted order, for `segment`), `bad_orders.csv` (row, column, reason) and,
    /// with a calibration split, `holdout.csv` into `dir`.
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<Vec<&'static str>, Error> {
        let io = |name: &str| {
            let path = dir.join(name).display().to_string();
            move |source: std::io::Error| Error::Io { path, source }
        };
        let csv_io = |name: &str| {
            let path = dir.join(name).display().to_string();
            move |err: csv::Error| Error::Io {
                path,
                source: std::io::Error::other(err.to_string()),
            }
        };
        std::fs::create_dir_all(dir).map_err(io(""))?;
        let text = serde_json::to_string_pretty(&self.model_json())? + "\n";
        std::fs::write(dir.join("model.json"), text).map_err(io("model.json"))?;
        let mut written = vec![
            "model.json",
            "customers.csv",
            "orders.csv",
            "bad_orders.csv",
        ];

        let mut header = vec![self.id_header];
        header.extend(CUSTOMER_COLUMNS);
        let unit = self.config.unit.name();
        write_csv_rows(
            &dir.join("customers.csv"),
            &header,
            &self.scores.customers,
            |c, cells| {
                let s = &c.summary;
                cells.text(&s.id)?;
                cells.show(s.frequency)?;
                cells.float(s.recency)?;
                cells.float(s.t)?;
                cells.float(s.monetary_value)?;
                cells.float(c.rfm_recency)?;
                cells.show(c.rfm_frequency)?;
                cells.float(c.rfm_monetary)?;
                cells.show(c.r_score)?;
                cells.show(c.f_score)?;
                cells.show(c.m_score)?;
                cells.show(format_args!("{}{}{}", c.r_score, c.f_score, c.m_score))?;
                cells.maybe_float(c.p_alive_bg_nbd)?;
                cells.maybe_float(c.p_alive_pareto_nbd)?;
                cells.maybe_float(c.expected_purchases)?;
                cells.maybe_float(c.expected_spend)?;
                cells.maybe_float(c.clv)?;
                cells.maybe_float(c.churn_risk)?;
                cells.text(unit)
            },
        )?;

        let orders = &self.orders.orders;
        write_csv_rows(
            &dir.join("orders.csv"),
            &[self.id_header, "date", "amount", "channel"],
            &if self.by_customer.len() == orders.len() {
                Cow::Borrowed(&self.by_customer)
            } else {
                Cow::Owned(customer_date_order(orders))
            },
            |&i, cells| {
                let o = &orders[i as usize];
                cells.text(&o.customer)?;
                cells.show(o.date)?;
                cells.float(o.amount)?;
                cells.text(&o.channel)
            },
        )?;

        let mut out =
            csv::Writer::from_path(dir.join("bad_orders.csv")).map_err(csv_io("bad_orders.csv"))?;
        write_csv_row(&mut out, ["row", "column", "reason"]).map_err(csv_io("bad_orders.csv"))?;
        for BadOrder {
            row,
            column,
            reason,
        } in &self.orders.bad
        {
            write_csv_row(
                &mut out,
                [row.to_string().as_str(), column, reason.describe()],
            )
            .map_err(csv_io("bad_orders.csv"))?;
        }
        out.flush().map_err(io("bad_orders.csv"))?;

        if let Some(holdout) = &self.scores.holdout {
            let mut out =
                csv::Writer::from_path(dir.join("holdout.csv")).map_err(csv_io("holdout.csv"))?;
            write_csv_row(
                &mut out,
                [
                    "frequency",
                    "customers",
                    "actual",
                    "predicted_bg_nbd",
                    "predicted_pareto_nbd",
                ],
            )
            .map_err(csv_io("holdout.csv"))?;
            for r in &holdout.rows {
                write_csv_row(
                    &mut out,
                    [
                        r.frequency.clone(),
                        r.customers.to_string(),
                        r.actual.to_string(),
                        number(r.predicted_bg_nbd),
                        number(r.predicted_pareto_nbd),
                    ],
                )
                .map_err(csv_io("holdout.csv"))?;
            }
            out.flush().map_err(io("holdout.csv"))?;
            written.push("holdout.csv");
        }
        Ok(written)
    }

    /// The time unit.
    pub fn unit(&self) -> TimeUnit {
        self.config.unit
    }
}
