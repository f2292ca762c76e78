//! `score` and `segment`: customer value from orders (or a ready summary table) and the
//! segments of scored customers, as the `sameas score` and `sameas segment` commands make
//! them.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use sameas::score::{ScoreConfig, TimeUnit, parse_date};
use sameas::segment::SegmentConfig;
use sameas::table::Table;
use sameas::{CustomerMap, CustomerValue, ScoreOptions};

use crate::errors;
use crate::input::Data;
use crate::output::{self, Column, Columns};

/// Reads optional data as a table, without the GIL for the reading.
fn table(py: Python<'_>, data: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Table>> {
    let Some(data) = data else {
        return Ok(None);
    };
    let data = Data::extract(data)?;
    py.detach(|| data.into_input())
        .map(|input| Some(input.table))
        .map_err(|e| errors::to_py(py, e))
}

fn date(py: Python<'_>, name: &str, text: Option<&str>) -> PyResult<Option<jiff::civil::Date>> {
    text.map(|t| {
        parse_date(t).ok_or_else(|| errors::input(py, format!("{name}: not a date (YYYY-MM-DD)")))
    })
    .transpose()
}

/// Text columns as they are; every other column as floats (an empty cell is NaN).
fn typed_columns(header: Vec<String>, rows: Vec<Vec<String>>, text: &[&str]) -> Columns {
    header
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let column = if i == 0 || text.contains(&name.as_str()) {
                Column::Text(rows.iter().map(|r| Some(r[i].clone())).collect())
            } else {
                Column::Float(
                    rows.iter()
                        .map(|r| r[i].parse::<f64>().unwrap_or(f64::NAN))
                        .collect(),
                )
            };
            (name, column)
        })
        .collect()
}

fn score_result<'py>(py: Python<'py>, value: &CustomerValue) -> PyResult<Bound<'py, PyDict>> {
    let (header, rows) = value.customer_rows();
    let customers = output::table(py, typed_columns(header, rows, &["rfm_score", "unit"]))?;
    let mut orders: Vec<&sameas::score::Order> = value.orders.orders.iter().collect();
    orders.sort_by(|a, b| (&a.customer, a.date).cmp(&(&b.customer, b.date)));
    let orders = output::table(
        py,
        vec![
            (
                value.id_header.to_string(),
                Column::Text(orders.iter().map(|o| Some(o.customer.clone())).collect()),
            ),
            (
                "date".into(),
                Column::Text(orders.iter().map(|o| Some(o.date.to_string())).collect()),
            ),
            (
                "amount".into(),
                Column::Float(orders.iter().map(|o| o.amount).collect()),
            ),
            (
                "channel".into(),
                Column::Text(orders.iter().map(|o| Some(o.channel.clone())).collect()),
            ),
        ],
    )?;
    let out = PyDict::new(py);
    out.set_item("customers", customers)?;
    out.set_item("orders", orders)?;
    out.set_item("model", output::to_python(py, &value.model_json())?)?;
    Ok(out)
}

/// Scores customers: RFM, BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma fits, P(alive),
/// expected purchases, CLV and churn risk, as ``sameas score`` does.
///
/// Give either ``transactions`` (orders: a customer reference, order id, date, amount,
/// channel, optional status) or ``summary`` (``customer_id,frequency,recency,T
/// [,monetary_value]`` in ``unit``). With ``entities`` (a resolution's entities table),
/// each order's customer reference is a record id mapped to its entity; with ``records``
/// and ``customer_key`` too, the reference is that identifier column of the records.
///
/// Returns a dict: ``customers`` (a pyarrow Table, one row per customer, as
/// ``customers.csv``), ``orders`` (the orders counted: id, date, amount, channel) and
/// ``model`` (``model.json``: each model's parameters and log-likelihood, the settings,
/// fit details, bad-order counts and the holdout evaluation).
#[pyfunction]
#[pyo3(signature = (
    transactions = None,
    *,
    summary = None,
    entities = None,
    records = None,
    customer_key = None,
    unit = "week",
    horizon = None,
    clv_months = 12,
    discount_rate = 0.01,
    margin = 1.0,
    rfm_bins = 5,
    calibration_end = None,
    as_of = None,
    pareto_nbd = true,
))]
#[allow(clippy::too_many_arguments)]
pub fn score<'py>(
    py: Python<'py>,
    transactions: Option<&Bound<'py, PyAny>>,
    summary: Option<&Bound<'py, PyAny>>,
    entities: Option<&Bound<'py, PyAny>>,
    records: Option<&Bound<'py, PyAny>>,
    customer_key: Option<String>,
    unit: &str,
    horizon: Option<f64>,
    clv_months: u32,
    discount_rate: f64,
    margin: f64,
    rfm_bins: u8,
    calibration_end: Option<&str>,
    as_of: Option<&str>,
    pareto_nbd: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let unit = TimeUnit::parse(unit)
        .ok_or_else(|| errors::input(py, "unit: must be day, week or month"))?;
    let config = ScoreConfig {
        unit,
        horizon,
        clv_months,
        discount_rate,
        margin,
        rfm_bins,
        pareto_nbd,
    };
    let value = match (transactions, summary) {
        (None, Some(summary)) => {
            let table = table(py, Some(summary))?.expect("given");
            py.detach(|| sameas::score_summary(&table, &config))
        }
        (Some(transactions), None) => {
            let orders = table(py, Some(transactions))?.expect("given");
            let entities = table(py, entities)?;
            let records = table(py, records)?;
            let options = ScoreOptions {
                config,
                calibration_end: date(py, "calibration_end", calibration_end)?,
                as_of: date(py, "as_of", as_of)?,
                today: jiff::Zoned::now().date(),
                customer_key: customer_key.clone(),
            };
            py.detach(|| {
                let map = match (&entities, &records) {
                    (Some(entities), None) => Some(CustomerMap::from_entities(entities)?),
                    (Some(entities), Some(records)) => {
                        let key = customer_key.as_deref().ok_or_else(|| {
                            sameas::Error::Input("records need a customer_key column".into())
                        })?;
                        let entities = CustomerMap::from_entities(entities)?;
                        Some(CustomerMap::through_records(records, key, &entities)?)
                    }
                    (None, Some(_)) => {
                        return Err(sameas::Error::Input(
                            "records are read only with entities".into(),
                        ));
                    }
                    (None, None) => None,
                };
                sameas::score_orders(&orders, map.as_ref(), &options)
            })
        }
        _ => {
            return Err(errors::input(
                py,
                "give either transactions or summary, not both",
            ));
        }
    }
    .map_err(|e| errors::to_py(py, e))?;
    score_result(py, &value)
}

/// Segments scored customers, as ``sameas segment`` does: value tier, RFM segment,
/// lifecycle stage, k-means cluster and tags per customer, cohort retention and channel
/// figures.
///
/// ``customers`` and ``orders`` are what ``score`` returned (or the ``customers.csv`` and
/// ``orders.csv`` of ``sameas score``); ``entities``, when given, adds the entities without
/// orders as prospects. ``config`` is a dict as the command's ``--config`` JSON (tiers,
/// tags, k, max_k, seed, as_of, channel_costs, currency); ``k`` and ``as_of`` override it.
///
/// Returns a dict: ``customers``, ``cohorts`` and ``channels`` (pyarrow Tables) and
/// ``summary`` (``segments.json``).
#[pyfunction]
#[pyo3(signature = (customers, orders, *, entities = None, config = None, k = None, as_of = None))]
pub fn segment<'py>(
    py: Python<'py>,
    customers: &Bound<'py, PyAny>,
    orders: &Bound<'py, PyAny>,
    entities: Option<&Bound<'py, PyAny>>,
    config: Option<&Bound<'py, PyAny>>,
    k: Option<usize>,
    as_of: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut settings: SegmentConfig = match config {
        Some(config) => {
            let text: String = py
                .import("json")?
                .call_method1("dumps", (config,))?
                .extract()?;
            serde_json::from_str(&text).map_err(|e| {
                errors::new_error(
                    py,
                    errors::Kind::Config,
                    format!("not a segment configuration: {e}"),
                )
            })?
        }
        None => SegmentConfig::default(),
    };
    if k.is_some() {
        settings.k = k;
    }
    if let Some(d) = date(py, "as_of", as_of)? {
        settings.as_of = Some(d);
    }
    let customers = table(py, Some(customers))?.expect("given");
    let orders = table(py, Some(orders))?.expect("given");
    let entities = table(py, entities)?;
    let id_header = customers
        .headers
        .first()
        .cloned()
        .unwrap_or_else(|| "entity_id".into());
    let result = py
        .detach(|| sameas::segment_tables(&customers, &orders, entities.as_ref(), &settings))
        .map_err(|e| errors::to_py(py, e))?;
    let c = &result.customers;
    let text = |f: &dyn Fn(&sameas::segment::CustomerSegment) -> String| {
        Column::Text(c.iter().map(|s| Some(f(s))).collect())
    };
    let customers = output::table(
        py,
        vec![
            (id_header, text(&|s| s.id.clone())),
            ("tier".into(), text(&|s| s.tier.to_string())),
            (
                "annual_spend".into(),
                Column::Float(c.iter().map(|s| s.annual_spend).collect()),
            ),
            ("rfm_segment".into(), text(&|s| s.rfm_segment.to_string())),
            ("lifecycle".into(), text(&|s| s.lifecycle.to_string())),
            (
                "cluster".into(),
                Column::Float(
                    c.iter()
                        .map(|s| s.cluster.map_or(f64::NAN, |k| k as f64))
                        .collect(),
                ),
            ),
            ("tags".into(), text(&|s| s.tags.join(";"))),
        ],
    )?;
    let out = PyDict::new(py);
    out.set_item("customers", customers)?;
    out.set_item(
        "cohorts",
        output::json_table(
            py,
            &result.cohorts,
            &["cohort", "months_since", "customers", "active", "share"],
        )?,
    )?;
    out.set_item(
        "channels",
        output::json_table(py, &result.channels, &["channel", "customers", "orders"])?,
    )?;
    out.set_item(
        "summary",
        output::to_python(py, &sameas::segments_summary(&result))?,
    )?;
    Ok(out)
}
