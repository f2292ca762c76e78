//! Orders read from a table (CSV or JSON lines, read by the caller into header and cells),
//! checked row by row, and summarised per customer. A row that is not a purchase (a refund,
//! a return or cancellation, an amount of zero or below, a date after the observation end,
//! a customer the mapping does not know, an unreadable cell) is counted and reported by row,
//! column and reason, never summed and never dropped without a word.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ScoreError;
use crate::summary::{CustomerSummary, TimeUnit};

/// One purchase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The customer (entity) the order belongs to.
    pub customer: String,
    /// The order's date.
    pub date: Date,
    /// The amount paid, above zero.
    pub amount: f64,
    /// The channel (empty when the table has none).
    pub channel: String,
}

/// Why a row is not counted as a purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BadOrderReason {
    /// The status says returned, refunded or cancelled.
    Refund,
    /// The amount is below zero.
    NegativeAmount,
    /// The amount is zero.
    ZeroAmount,
    /// The amount is not a number.
    UnreadableAmount,
    /// The date is not a date.
    UnreadableDate,
    /// The date is after the observation end.
    FutureDate,
    /// The customer cell is empty.
    MissingCustomer,
    /// The customer reference is not known to the mapping (no such record or entity).
    UnknownCustomer,
}

impl BadOrderReason {
    /// The reason in words.
    pub fn describe(self) -> &'static str {
        match self {
            BadOrderReason::Refund => "returned, refunded or cancelled",
            BadOrderReason::NegativeAmount => "negative amount",
            BadOrderReason::ZeroAmount => "zero amount",
            BadOrderReason::UnreadableAmount => "amount is not a number",
            BadOrderReason::UnreadableDate => "date is not a date",
            BadOrderReason::FutureDate => "date after the observation end",
            BadOrderReason::MissingCustomer => "no customer reference",
            BadOrderReason::UnknownCustomer => "unknown customer",
        }
    }
}

/// A row that is not counted, with its place and reason (never its values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadOrder {
    /// 1-based data row.
    pub row: u64,
    /// The column at fault.
    pub column: String,
    /// Why.
    pub reason: BadOrderReason,
}

/// Orders read from a table, and the rows that were not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Orders {
    /// The purchases, in row order.
    pub orders: Vec<Order>,
    /// The rows not counted, in row order.
    pub bad: Vec<BadOrder>,
}

impl Orders {
    /// Bad rows per reason.
    pub fn bad_counts(&self) -> BTreeMap<BadOrderReason, u64> {
        let mut counts = BTreeMap::new();
        for bad in &self.bad {
            *counts.entry(bad.reason).or_insert(0) += 1;
        }
        counts
    }

    /// The date of the last order.
    pub fn last_date(&self) -> Option<Date> {
        self.orders.iter().map(|o| o.date).max()
    }
}

/// Header names read as each column, compared without case, spaces, `-` and `_`.
const CUSTOMER: &[&str] = &[
    "customerid",
    "customer",
    "customerref",
    "customerreference",
    "recordid",
    "clientid",
    "entityid",
    "客户编号",
    "客户id",
];
const DATE: &[&str] = &[
    "date",
    "orderdate",
    "timestamp",
    "datetime",
    "time",
    "orderedat",
    "createdat",
    "purchasedate",
    "下单时间",
    "日期",
];
const AMOUNT: &[&str] = &[
    "amount",
    "value",
    "total",
    "revenue",
    "ordervalue",
    "price",
    "dollarvalue",
    "金额",
];
const CHANNEL: &[&str] = &["channel", "source", "渠道"];
const STATUS: &[&str] = &["status", "orderstatus", "state", "状态"];

fn folded(header: &str) -> String {
    header
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|name| headers.iter().position(|h| folded(h) == *name))
}

/// The columns of an order table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderColumns {
    /// The customer reference.
    pub customer: usize,
    /// The order date (or timestamp; only the date counts).
    pub date: usize,
    /// The amount.
    pub amount: usize,
    /// The channel, if any.
    pub channel: Option<usize>,
    /// The status, if any.
    pub status: Option<usize>,
}

impl OrderColumns {
    /// Finds the columns by their headers, or `customer_key` for the customer.
    ///
    /// # Errors
    /// [`ScoreError::MissingColumn`] naming the column that is missing.
    pub fn find(
        headers: &[String],
        customer_key: Option<&str>,
    ) -> Result<OrderColumns, ScoreError> {
        let customer = match customer_key {
            Some(key) => headers.iter().position(|h| h.trim() == key.trim()),
            None => find(headers, CUSTOMER),
        }
        .ok_or(ScoreError::MissingColumn {
            column: "customer_id",
            hint: "customer_id, customer, record_id or the --customer-key column",
        })?;
        let date = find(headers, DATE).ok_or(ScoreError::MissingColumn {
            column: "date",
            hint: "date, order_date, timestamp or created_at",
        })?;
        let amount = find(headers, AMOUNT).ok_or(ScoreError::MissingColumn {
            column: "amount",
            hint: "amount, value, total or revenue",
        })?;
        Ok(OrderColumns {
            customer,
            date,
            amount,
            channel: find(headers, CHANNEL),
            status: find(headers, STATUS),
        })
    }
}

/// Reads the date at the start of a cell: `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD`,
/// optionally followed by a time (`T…` or ` …`), which is ignored.
pub fn parse_date(cell: &str) -> Option<Date> {
    let cell = cell.trim();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty();
    let head = cell.split(['T', ' ']).next()?;
    let (y, m, d) = if head.len() == 8 && digits(head) {
        (&head[..4], &head[4..6], &head[6..])
    } else {
        let mut parts = head.split(['-', '/', '.']);
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || !digits(m) || !digits(d) {
            return None;
        }
        (y, m, d)
    };
    if !digits(y) {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

fn is_refund(status: &str) -> bool {
    // Compared without ASCII case and without a lowercased copy per row: the words are
    // lowercase ASCII or non-ASCII, whose bytes case folding leaves alone.
    let s = status.trim().as_bytes();
    ["return", "refund", "cancel", "void", "退", "取消"]
        .iter()
        .any(|word| {
            s.windows(word.len())
                .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
        })
}

/// Reads orders from table rows (`(row number, cells)`). `customer` maps a reference to
/// its customer id (an entity id through `entities.csv`, say), `None` meaning unknown;
/// `observation_end` is the last date an order may carry.
pub fn read_orders<'a>(
    columns: &OrderColumns,
    headers: &[String],
    rows: impl IntoIterator<Item = (u64, &'a [String])>,
    customer: impl Fn(&str) -> Option<String>,
    observation_end: Date,
) -> Orders {
    let mut out = Orders::default();
    for (row, cells) in rows {
        match read_order(columns, headers, row, cells, &customer, observation_end) {
            Ok(order) => out.orders.push(order),
            Err(bad) => out.bad.push(bad),
        }
    }
    out
}

/// Reads one table row as [`read_orders`] does: the order, or why the row is not one.
///
/// # Errors
/// The row, column and reason of a row that is not counted.
pub fn read_order<S: AsRef<str>>(
    columns: &OrderColumns,
    headers: &[String],
    row: u64,
    cells: &[S],
    customer: impl Fn(&str) -> Option<String>,
    observation_end: Date,
) -> Result<Order, BadOrder> {
    let cell = |i: usize| cells.get(i).map_or("", |s| s.as_ref().trim());
    let bad = |column: usize, reason| {
        Err(BadOrder {
            row,
            column: headers.get(column).cloned().unwrap_or_default(),
            reason,
        })
    };
    if let Some(status) = columns.status
        && is_refund(cell(status))
    {
        return bad(status, BadOrderReason::Refund);
    }
    let reference = cell(columns.customer);
    if reference.is_empty() {
        return bad(columns.customer, BadOrderReason::MissingCustomer);
    }
    let Some(amount) = parse_amount(cell(columns.amount)) else {
        return bad(columns.amount, BadOrderReason::UnreadableAmount);
    };
    if !amount.is_finite() {
        return bad(columns.amount, BadOrderReason::UnreadableAmount);
    }
    if amount < 0.0 {
        return bad(columns.amount, BadOrderReason::NegativeAmount);
    }
    if amount == 0.0 {
        return bad(columns.amount, BadOrderReason::ZeroAmount);
    }
    let Some(date) = parse_date(cell(columns.date)) else {
        return bad(columns.date, BadOrderReason::UnreadableDate);
    };
    if date > observation_end {
        return bad(columns.date, BadOrderReason::FutureDate);
    }
    let Some(id) = customer(reference) else {
        return bad(columns.customer, BadOrderReason::UnknownCustomer);
    };
    Ok(Order {
        customer: id,
        date,
        amount,
        channel: columns
            .channel
            .map_or(String::new(), |c| cell(c).to_string()),
    })
}

/// An amount, thousands separators (`,`) ignored.
fn parse_amount(text: &str) -> Option<f64> {
    if text.contains(',') {
        text.replace(',', "").parse().ok()
    } else {
        text.parse().ok()
    }
}

/// The orders' indices sorted by customer id, then date, orders of one customer and day in
/// row order (what a stable sort by (customer, date) gives). One parallel sort of the
/// orders, compared by the first eight bytes of the customer id as an integer; only ids
/// that share those bytes and are longer than eight are compared as strings.
pub fn customer_date_order(orders: &[Order]) -> Vec<u32> {
    assert!(u32::try_from(orders.len()).is_ok(), "at most 2³² orders");
    struct Key {
        /// The id's first eight bytes, big-endian, zero-padded: prefixes order as the ids.
        prefix: u64,
        /// The id's length.
        len: usize,
        day: u32,
        index: u32,
    }
    let mut keys: Vec<Key> = orders
        .par_iter()
        .enumerate()
        .map(|(i, o)| {
            let id = o.customer.as_bytes();
            let mut head = [0u8; 8];
            let n = id.len().min(8);
            head[..n].copy_from_slice(&id[..n]);
            let date = o.date;
            Key {
                prefix: u64::from_be_bytes(head),
                len: id.len(),
                day: (u32::from((i32::from(date.year()) + 0x8000) as u16) << 9)
                    | (u32::from(date.month() as u8) << 5)
                    | u32::from(date.day() as u8),
                index: i as u32,
            }
        })
        .collect();
    // Keys with their index are distinct, so an unstable sort gives the one order.
    keys.par_sort_unstable_by(|a, b| {
        a.prefix
            .cmp(&b.prefix)
            .then_with(|| {
                if a.len <= 8 && b.len <= 8 {
                    // Equal prefixes: the ids are equal up to the shorter one's end.
                    a.len.cmp(&b.len)
                } else {
                    let customer = |k: &Key| orders[k.index as usize].customer.as_str();
                    customer(a).cmp(customer(b))
                }
            })
            .then(a.day.cmp(&b.day))
            .then(a.index.cmp(&b.index))
    });
    keys.into_iter().map(|k| k.index).collect()
}

/// One customer's purchases collapsed to days, and the summaries built from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerHistory {
    /// The summary over the calibration period (the whole period without one).
    pub summary: CustomerSummary,
    /// The first purchase.
    pub first: Date,
    /// The last purchase in the calibration period.
    pub last: Date,
    /// Orders in the calibration period (several on one day count once in `frequency`).
    pub orders: u32,
    /// Spend in the calibration period.
    pub spend: f64,
    /// Purchase days after the calibration end (`None` without a calibration end).
    pub holdout_purchases: Option<u32>,
}

/// How orders become summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The time unit.
    pub unit: TimeUnit,
    /// The end of the calibration period, if the data is split for evaluation.
    pub calibration_end: Option<Date>,
    /// The end of observation (often the last order's date).
    pub end: Date,
}

impl Period {
    /// Time units from `from` to `to`.
    pub fn between(&self, from: Date, to: Date) -> f64 {
        let days = (to - from).get_days() as f64;
        days / self.unit.days()
    }

    /// The length of the holdout period in units (0 without one).
    pub fn holdout_length(&self) -> f64 {
        self.calibration_end
            .map_or(0.0, |c| self.between(c, self.end).max(0.0))
    }
}

/// Summarises orders per customer, in customer id order. Purchases on one day count as one
/// purchase (its value their sum), as the published summaries count them. With a
/// calibration end, customers whose first purchase comes after it are left out (they are
/// new in the holdout period), and each customer's purchase days after it are counted as
/// holdout purchases.
pub fn summarise(orders: &[Order], period: &Period) -> Vec<CustomerHistory> {
    summarise_in_order(orders, &customer_date_order(orders), period)
}

/// [`summarise`] with the orders' [`customer_date_order`] already known.
pub fn summarise_in_order(
    orders: &[Order],
    order: &[u32],
    period: &Period,
) -> Vec<CustomerHistory> {
    // Orders sorted by (customer, date), then each customer's run of days read in one pass:
    // far cheaper than a map of maps at millions of orders. Ties keep row order, so the
    // amounts of a day are added in input order and the sums do not depend on threads.
    assert_eq!(orders.len(), order.len(), "an order of these orders");
    let cutoff = period.calibration_end.unwrap_or(period.end);
    let end = cutoff.min(period.end);
    // Each customer's run of `order`, read through the indices in place (no sorted copy of
    // millions of orders).
    let mut runs: Vec<&[u32]> = Vec::new();
    let mut start = 0;
    for i in 1..=order.len() {
        if i == order.len()
            || orders[order[i] as usize].customer != orders[order[start] as usize].customer
        {
            runs.push(&order[start..i]);
            start = i;
        }
    }
    runs.par_iter()
        .filter_map(|run| {
            // Purchase days: (date, spend, orders).
            let mut days: Vec<(Date, f64, u32)> = Vec::new();
            for &i in *run {
                let o = &orders[i as usize];
                match days.last_mut() {
                    Some(day) if day.0 == o.date => {
                        day.1 += o.amount;
                        day.2 += 1;
                    }
                    _ => days.push((o.date, o.amount, 1)),
                }
            }
            let split = days.partition_point(|d| d.0 <= cutoff);
            let calibration = &days[..split];
            let first = calibration.first()?.0;
            let last = calibration.last()?.0;
            let frequency = calibration.len() as u32 - 1;
            let repeat_spend: f64 = calibration.iter().skip(1).map(|d| d.1).sum();
            let monetary_value = if frequency > 0 {
                repeat_spend / f64::from(frequency)
            } else {
                0.0
            };
            let holdout_purchases = period
                .calibration_end
                .map(|c| days.iter().filter(|d| d.0 > c).count() as u32);
            Some(CustomerHistory {
                summary: CustomerSummary {
                    id: orders[run[0] as usize].customer.clone(),
                    frequency,
                    recency: period.between(first, last),
                    t: period.between(first, end),
                    monetary_value,
                },
                first,
                last,
                orders: calibration.iter().map(|d| d.2).sum(),
                spend: calibration.iter().map(|d| d.1).sum(),
                holdout_purchases,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bad_rows_are_reported_by_row_column_and_reason() {
        let headers = strings(&["customer_id", "order_id", "date", "amount", "status"]);
        let rows = [
            strings(&["R1", "1", "2024-01-01", "10", "paid"]),
            strings(&["R1", "2", "2024-01-05T10:00:00", "-3", ""]),
            strings(&["R1", "3", "2024-01-06", "0", ""]),
            strings(&["R9", "4", "2024-01-06", "5", ""]),
            strings(&["R1", "5", "2030-01-06", "5", ""]),
            strings(&["R1", "6", "2024-01-07", "5", "Returned"]),
            strings(&["R1", "7", "Jan", "5", ""]),
            strings(&["", "8", "2024-01-07", "5", ""]),
            strings(&["R2", "9", "20240108", "7.5", ""]),
        ];
        let columns = OrderColumns::find(&headers, None).unwrap();
        let end = Date::constant(2024, 12, 31);
        let known = |r: &str| (r != "R9").then(|| format!("E-{r}"));
        let orders = read_orders(
            &columns,
            &headers,
            rows.iter()
                .enumerate()
                .map(|(i, r)| (i as u64 + 1, r.as_slice())),
            known,
            end,
        );
        assert_eq!(orders.orders.len(), 2);
        assert_eq!(orders.orders[1].customer, "E-R2");
        let reasons: Vec<(u64, &str, BadOrderReason)> = orders
            .bad
            .iter()
            .map(|b| (b.row, b.column.as_str(), b.reason))
            .collect();
        use BadOrderReason::*;
        assert_eq!(
            reasons,
            [
                (2, "amount", NegativeAmount),
                (3, "amount", ZeroAmount),
                (4, "customer_id", UnknownCustomer),
                (5, "date", FutureDate),
                (6, "status", Refund),
                (7, "date", UnreadableDate),
                (8, "customer_id", MissingCustomer),
            ]
        );
        assert_eq!(orders.bad_counts().values().sum::<u64>(), 7);
    }

    #[test]
    fn refund_words_are_found_in_any_ascii_case() {
        for status in [
            "Returned",
            " REFUND ",
            "cancelled",
            "Void",
            "已退款",
            "已取消",
        ] {
            assert!(is_refund(status), "{status}");
        }
        for status in ["", "paid", "PAID", "re fund", "取"] {
            assert!(!is_refund(status), "{status}");
        }
    }

    #[test]
    fn missing_columns_are_named() {
        let err = OrderColumns::find(&strings(&["customer_id", "amount"]), None).unwrap_err();
        assert!(err.to_string().contains("`date`"), "{err}");
        assert!(
            OrderColumns::find(&strings(&["member_no", "date", "total"]), Some("member_no"))
                .is_ok()
        );
    }

    #[test]
    fn summaries_count_days_and_split_at_the_calibration_end() {
        let order = |c: &str, d: Date, amount: f64| Order {
            customer: c.into(),
            date: d,
            amount,
            channel: String::new(),
        };
        let orders = [
            order("A", Date::constant(2024, 1, 1), 10.0),
            order("A", Date::constant(2024, 1, 8), 20.0),
            order("A", Date::constant(2024, 1, 8), 5.0),
            order("A", Date::constant(2024, 1, 15), 30.0),
            order("A", Date::constant(2024, 2, 5), 1.0),
            order("B", Date::constant(2024, 2, 1), 1.0),
        ];
        let period = Period {
            unit: TimeUnit::Week,
            calibration_end: Some(Date::constant(2024, 1, 29)),
            end: Date::constant(2024, 2, 26),
        };
        let histories = summarise(&orders, &period);
        assert_eq!(histories.len(), 1, "B starts after the calibration end");
        let a = &histories[0];
        assert_eq!(a.summary.frequency, 2);
        assert_eq!(a.summary.recency, 2.0);
        assert_eq!(a.summary.t, 4.0);
        assert_eq!(a.summary.monetary_value, 27.5);
        assert_eq!(a.holdout_purchases, Some(1));
        assert_eq!(a.orders, 4);
        assert_eq!(period.holdout_length(), 4.0);
        assert_eq!(parse_date("1997/01/02"), Some(Date::constant(1997, 1, 2)));
        assert_eq!(parse_date("2024-02-30"), None);
    }
}
