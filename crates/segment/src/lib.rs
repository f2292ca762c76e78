//! Segments of scored customers: value tiers, the RFM segment map, lifecycle stages,
//! k-means clusters described in words, tags, cohort retention and per-channel summaries.
//!
//! Everything is deterministic: rules are pure functions of a customer's values, and
//! k-means is seeded and sums its centroids in a fixed order, so the same customers give
//! the same segments whatever their order or the thread count.
//!
//! ```
//! use jiff::civil::Date;
//! use sameas_segment::{OrderTable, ScoredCustomer, SegmentConfig, segment};
//!
//! let customers: Vec<ScoredCustomer> = (0..40u32)
//!     .map(|i| ScoredCustomer {
//!         id: format!("E{i}"),
//!         frequency: i % 8,
//!         days_since_first: 100.0 + f64::from(i),
//!         days_since_last: f64::from(i % 9) * 10.0,
//!         rfm_monetary: f64::from(50 + i * 40),
//!         r_score: (1 + i % 5) as u8,
//!         f_score: (1 + i % 5) as u8,
//!         score_bins: 5,
//!         p_alive: Some(0.9),
//!         churn_risk: Some(0.1),
//!         clv: Some(f64::from(i) * 30.0),
//!         numbers: Default::default(),
//!     })
//!     .collect();
//! let mut orders = OrderTable::default();
//! for c in &customers {
//!     orders.push(&c.id, Date::constant(2025, 3, 1), c.rfm_monetary, "app");
//! }
//! let result = segment(&customers, &orders, &[], &SegmentConfig::default()).unwrap();
//! assert_eq!(result.customers.len(), 40);
//! assert_eq!(result.customers[0].rfm_segment, "Lost");
//! // One order each: too few to call a channel preferred.
//! assert!(result.customers.iter().all(|c| !c.tags.iter().any(|t| t == "prefers_app")));
//! assert!(result.clusters.len() >= 2);
//! ```
#![deny(missing_docs)]

mod kmeans;
mod rules;

use std::borrow::Cow;
use std::collections::BTreeMap;

use foldhash::HashMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use kmeans::{Clustering, cluster, kmeans, silhouette, standardise};
pub use rules::{Lifecycle, TagRule, TierRule, default_tiers, lifecycle, rfm_segment, to_five};

/// Why segmenting failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SegmentError {
    /// A setting is out of range.
    #[error("invalid setting `{setting}`: {reason}")]
    InvalidSetting {
        /// The setting.
        setting: String,
        /// Why.
        reason: &'static str,
    },
}

/// The segmentation settings (a versioned JSON document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SegmentConfig {
    /// The document's version.
    pub version: u32,
    /// Value tiers, highest first; a customer gets the first whose conditions all hold,
    /// else `basic`.
    pub tiers: Vec<TierRule>,
    /// The currency tier spends are in (a label).
    pub currency: String,
    /// User-defined tags.
    pub tags: Vec<TagRule>,
    /// Clusters; chosen by silhouette in 2..=`max_k` when left out.
    pub k: Option<usize>,
    /// The most clusters tried.
    pub max_k: usize,
    /// The k-means seed.
    pub seed: u64,
    /// The date annual spend and recency are measured to (default: the last order's date).
    pub as_of: Option<Date>,
    /// Acquisition spend per channel, for cost per acquired customer.
    pub channel_costs: BTreeMap<String, f64>,
}

impl Default for SegmentConfig {
    fn default() -> Self {
        SegmentConfig {
            version: 1,
            tiers: default_tiers(),
            currency: "CNY".into(),
            tags: Vec::new(),
            k: None,
            max_k: 8,
            seed: 0x5eed,
            as_of: None,
            channel_costs: BTreeMap::new(),
        }
    }
}

impl SegmentConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`SegmentError::InvalidSetting`] naming the setting.
    pub fn validate(&self) -> Result<(), SegmentError> {
        let bad = |setting: &str, reason| {
            Err(SegmentError::InvalidSetting {
                setting: setting.to_string(),
                reason,
            })
        };
        if self.version != 1 {
            return bad("version", "only version 1 is known");
        }
        if self.k == Some(0) || self.max_k < 2 {
            return bad("k", "k must be at least 1 and max_k at least 2");
        }
        for tag in &self.tags {
            if ![">=", ">", "<=", "<", "=="].contains(&tag.op.as_str()) {
                return bad(
                    &format!("tags.{}.op", tag.name),
                    "must be >=, >, <=, < or ==",
                );
            }
        }
        if self.tiers.iter().any(|t| t.name.trim().is_empty()) {
            return bad("tiers", "every tier needs a name");
        }
        Ok(())
    }
}

/// A scored customer, as `sameas score` writes `customers.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredCustomer {
    /// The entity (or customer) id.
    pub id: String,
    /// Repeat purchases.
    pub frequency: u32,
    /// Days from the first purchase to the end of observation.
    pub days_since_first: f64,
    /// Days since the last purchase.
    pub days_since_last: f64,
    /// Mean value of a purchase.
    pub rfm_monetary: f64,
    /// Recency score.
    pub r_score: u8,
    /// Frequency score.
    pub f_score: u8,
    /// The score scale (5 for 1–5).
    pub score_bins: u8,
    /// P(alive), if a model gave one.
    pub p_alive: Option<f64>,
    /// Churn risk, if known.
    pub churn_risk: Option<f64>,
    /// CLV, if known.
    pub clv: Option<f64>,
    /// Every numeric column by name, for tag rules.
    pub numbers: BTreeMap<String, f64>,
}

/// One counted order, as a row (see [`OrderTable`], the form [`segment`] reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRow {
    /// The customer.
    pub customer: String,
    /// The date.
    pub date: Date,
    /// The amount.
    pub amount: f64,
    /// The channel (may be empty).
    pub channel: String,
}

/// Counted orders column by column: each order's customer and channel an index into a list
/// of names, its date and amount in vectors. Orders grouped by customer (as a score run
/// writes them) name each customer once, where a row per order would hold a `String` each.
///
/// The lists may name one customer or channel more than once (a table is built in pieces
/// and appended); names are compared by value, so the result is the same either way.
///
/// ```
/// use jiff::civil::Date;
/// use sameas_segment::OrderTable;
///
/// let mut orders = OrderTable::default();
/// orders.push("E1", Date::constant(2025, 3, 1), 20.0, "app");
/// orders.push("E1", Date::constant(2025, 3, 9), 35.0, "app");
/// orders.push("E2", Date::constant(2025, 3, 2), 10.0, "web");
/// assert_eq!(orders.len(), 3);
/// assert_eq!(orders.ids, ["E1", "E2"]);
/// assert_eq!(orders.customer_of(1), "E1");
/// assert_eq!(orders.channel_of(2), "web");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderTable {
    /// Customer ids; `customer` indexes them.
    pub ids: Vec<String>,
    /// Each order's customer.
    pub customer: Vec<u32>,
    /// Each order's date.
    pub date: Vec<Date>,
    /// Each order's amount.
    pub amount: Vec<f64>,
    /// Channel names (an empty one for no channel); `channel` indexes them.
    pub channels: Vec<String>,
    /// Each order's channel.
    pub channel: Vec<u32>,
}

/// Channels looked up among those already listed before a new entry is made: channels are
/// few, so a short list is searched instead of being hashed.
const CHANNEL_SEARCH: usize = 32;

impl OrderTable {
    /// Orders.
    pub fn len(&self) -> usize {
        self.date.len()
    }

    /// Whether there is no order.
    pub fn is_empty(&self) -> bool {
        self.date.is_empty()
    }

    /// Adds an order; a customer id equal to the last one listed is not listed again.
    ///
    /// # Panics
    /// Past 2³² − 1 customer or channel entries.
    pub fn push(&mut self, customer: &str, date: Date, amount: f64, channel: &str) {
        if self.ids.last().is_none_or(|last| last != customer) {
            self.ids.push(customer.to_string());
        }
        let c = u32::try_from(self.ids.len() - 1).expect("at most 2³² customer ids");
        let listed = match self.channel.last() {
            Some(&last) if self.channels[last as usize] == channel => Some(last),
            _ => self.channels[self.channels.len().saturating_sub(CHANNEL_SEARCH)..]
                .iter()
                .rposition(|name| name == channel)
                .map(|i| (i + self.channels.len().saturating_sub(CHANNEL_SEARCH)) as u32),
        };
        let k = listed.unwrap_or_else(|| {
            self.channels.push(channel.to_string());
            u32::try_from(self.channels.len() - 1).expect("at most 2³² channels")
        });
        self.customer.push(c);
        self.date.push(date);
        self.amount.push(amount);
        self.channel.push(k);
    }

    /// Moves `other`'s orders after these (in their order). Its first customer is not
    /// listed again when it is the last one listed here.
    pub fn append(&mut self, other: OrderTable) {
        let joined = matches!((self.ids.last(), other.ids.first()), (Some(a), Some(b)) if a == b);
        let shift = self.ids.len() as u32 - u32::from(joined);
        self.ids
            .extend(other.ids.into_iter().skip(usize::from(joined)));
        self.customer
            .extend(other.customer.into_iter().map(|c| c + shift));
        let channel_shift = self.channels.len() as u32;
        self.channels.extend(other.channels);
        self.channel
            .extend(other.channel.into_iter().map(|c| c + channel_shift));
        self.date.extend(other.date);
        self.amount.extend(other.amount);
    }

    /// Reserves room for `orders` more orders.
    pub fn reserve(&mut self, orders: usize) {
        self.customer.reserve(orders);
        self.date.reserve(orders);
        self.amount.reserve(orders);
        self.channel.reserve(orders);
    }

    /// The customer of order `i`.
    pub fn customer_of(&self, i: usize) -> &str {
        &self.ids[self.customer[i] as usize]
    }

    /// The channel of order `i`.
    pub fn channel_of(&self, i: usize) -> &str {
        &self.channels[self.channel[i] as usize]
    }
}

impl<'a> FromIterator<&'a OrderRow> for OrderTable {
    fn from_iter<I: IntoIterator<Item = &'a OrderRow>>(rows: I) -> Self {
        let mut table = OrderTable::default();
        for row in rows {
            table.push(&row.customer, row.date, row.amount, &row.channel);
        }
        table
    }
}

/// A segment label: a fixed name borrowed for the program's life (an RFM segment, a
/// lifecycle stage, a built-in tag, the `basic` tier), or a name of the configuration or a
/// channel held by value. A million customers' labels then cost no allocation each.
pub type Label = Cow<'static, str>;

/// One customer's segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSegment {
    /// The customer.
    pub id: String,
    /// Value tier.
    pub tier: Label,
    /// Net spend over the 365 days ending at the as-of date.
    pub annual_spend: f64,
    /// RFM segment (empty for prospects).
    pub rfm_segment: Label,
    /// Lifecycle stage.
    pub lifecycle: Label,
    /// k-means cluster (none for prospects).
    pub cluster: Option<usize>,
    /// Tags.
    pub tags: Vec<Label>,
}

/// A cluster described.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    /// Cluster number.
    pub cluster: usize,
    /// Customers in it.
    pub customers: u64,
    /// In words, from its medians.
    pub description: String,
    /// Medians of the features in their own units.
    pub medians: BTreeMap<String, f64>,
}

/// Retention of one acquisition month in one later month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortCell {
    /// Month of the first purchase, `YYYY-MM`.
    pub cohort: String,
    /// Months after it.
    pub months_since: u32,
    /// Customers acquired that month.
    pub customers: u64,
    /// Of them, those with an order in the month.
    pub active: u64,
    /// `active / customers`.
    pub share: f64,
}

/// One channel's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSummary {
    /// The channel.
    pub channel: String,
    /// Customers with an order in it.
    pub customers: u64,
    /// Orders in it.
    pub orders: u64,
    /// Share of its customers with two or more orders in it.
    pub repurchase_rate: f64,
    /// Mean order value.
    pub average_order_value: f64,
    /// Share of its customers in the highest tier.
    pub high_value_share: f64,
    /// Customers whose first order was in it.
    pub acquired: u64,
    /// Acquisition spend per acquired customer, when a cost is configured.
    pub acquisition_cost_per_customer: Option<f64>,
}

/// Everything segmenting gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segmentation {
    /// Per customer, scored customers in input order, then prospects.
    pub customers: Vec<CustomerSegment>,
    /// The clusters.
    pub clusters: Vec<ClusterSummary>,
    /// The silhouette of the clustering.
    pub silhouette: f64,
    /// Cohort retention, by cohort and month.
    pub cohorts: Vec<CohortCell>,
    /// Per channel, by name.
    pub channels: Vec<ChannelSummary>,
    /// The as-of date used.
    pub as_of: Option<Date>,
}

/// Per-customer activity up to the as-of date, customers indexed by their id's rank among
/// all ids (scored customers' and orders'), channels by their name's rank: vectors indexed
/// by integers instead of maps keyed by strings.
struct Activity<'a> {
    /// Every id, sorted; a customer's index is its place here.
    ids: Vec<&'a str>,
    /// Each scored customer's index.
    scored: Vec<u32>,
    /// The channels, sorted.
    channels: Vec<&'a str>,
    /// Net spend over the year ending at the as-of date, per customer.
    annual_spend: Vec<f64>,
    /// First order, per customer.
    first: Vec<Option<Date>>,
    /// Orders, per customer.
    orders: Vec<u64>,
    /// Orders per customer and channel, `channels.len()` per customer.
    by_channel: Vec<u32>,
    /// Distinct months of orders, per customer (`month_start[i]..month_start[i + 1]`).
    months: Vec<(i16, i8)>,
    month_start: Vec<usize>,
    /// Per channel, per customer with an order in it: (customer, orders, amount), by customer.
    channel_customers: Vec<Vec<(u32, u64, f64)>>,
    /// Each customer's first order's (date, channel), if any.
    acquired: Vec<Option<(Date, u32)>>,
}

/// Every id (scored customers' and orders') sorted, each scored customer's rank among
/// them and the rank of each entry of the orders' id list.
type IdRanks<'a> = (Vec<&'a str>, Vec<u32>, Vec<u32>);

/// [`IdRanks`] by interning the ids in a hash map and sorting the distinct ones.
fn interned_ids<'a>(customers: &'a [ScoredCustomer], orders: &'a OrderTable) -> IdRanks<'a> {
    use rayon::prelude::*;
    let mut seen: HashMap<&str, u32> = HashMap::default();
    let mut intern = |id: &'a str| {
        let next = seen.len() as u32;
        *seen.entry(id).or_insert(next)
    };
    let scored: Vec<u32> = customers.iter().map(|c| intern(&c.id)).collect();
    let listed: Vec<u32> = orders.ids.iter().map(|id| intern(id)).collect();
    let mut ids: Vec<(&str, u32)> = seen.into_iter().collect();
    ids.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut rank = vec![0u32; ids.len()];
    for (r, (_, i)) in ids.iter().enumerate() {
        rank[*i as usize] = r as u32;
    }
    let ids: Vec<&str> = ids.into_iter().map(|(id, _)| id).collect();
    let scored = scored.into_iter().map(|i| rank[i as usize]).collect();
    let listed = listed.into_iter().map(|i| rank[i as usize]).collect();
    (ids, scored, listed)
}

/// [`IdRanks`] without hashing or sorting when the input comes as a score run writes it:
/// customers in strictly increasing id order and the orders' ids listed once each, in
/// increasing order. The two sorted lists are merged; `None` when either is out of order.
/// The ranks are those of [`interned_ids`].
fn sorted_ids<'a>(customers: &'a [ScoredCustomer], orders: &'a OrderTable) -> Option<IdRanks<'a>> {
    if !customers.windows(2).all(|w| w[0].id < w[1].id)
        || !orders.ids.windows(2).all(|w| w[0] < w[1])
    {
        return None;
    }
    let mut ids: Vec<&str> = Vec::with_capacity(customers.len().max(orders.ids.len()));
    let mut scored = Vec::with_capacity(customers.len());
    let mut listed = Vec::with_capacity(orders.ids.len());
    let (mut c, mut o) = (0, 0);
    while c < customers.len() || o < orders.ids.len() {
        let from_customer = customers.get(c).map(|x| x.id.as_str());
        let from_order = orders.ids.get(o).map(String::as_str);
        let id = match (from_customer, from_order) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => unreachable!("the loop runs while either is left"),
        };
        let rank = ids.len() as u32;
        ids.push(id);
        if from_customer == Some(id) {
            scored.push(rank);
            c += 1;
        }
        if from_order == Some(id) {
            listed.push(rank);
            o += 1;
        }
    }
    Some((ids, scored, listed))
}

/// The distinct channels of the orders, sorted, and each order's channel as its index
/// there.
fn channel_ids(orders: &OrderTable) -> (Vec<&str>, Vec<u32>) {
    use rayon::prelude::*;
    let mut channels: Vec<&str> = orders.channels.iter().map(String::as_str).collect();
    channels.sort_unstable();
    channels.dedup();
    let rank: Vec<u32> = orders
        .channels
        .iter()
        .map(|n| {
            channels
                .binary_search(&n.as_str())
                .expect("a listed channel") as u32
        })
        .collect();
    let ids = orders
        .channel
        .par_iter()
        .map(|&c| rank[c as usize])
        .collect();
    (channels, ids)
}

impl<'a> Activity<'a> {
    fn new(
        customers: &'a [ScoredCustomer],
        orders: &'a OrderTable,
        as_of: Option<Date>,
        year_ago: Option<Date>,
    ) -> Activity<'a> {
        use rayon::prelude::*;
        let (ids, scored, listed) =
            sorted_ids(customers, orders).unwrap_or_else(|| interned_ids(customers, orders));
        let (channels, channel_ids) = channel_ids(orders);
        // Counted orders grouped by customer, in input order within each customer.
        let mut counted: Vec<(u32, u32)> = (0..orders.len())
            .filter(|&i| as_of.is_none_or(|d| orders.date[i] <= d))
            .map(|i| (listed[orders.customer[i] as usize], i as u32))
            .collect();
        counted.par_sort_unstable();
        let n = ids.len();
        let width = channels.len();
        let mut activity = Activity {
            annual_spend: vec![0.0; n],
            first: vec![None; n],
            orders: vec![0; n],
            by_channel: vec![0; n * width],
            months: Vec::new(),
            month_start: Vec::with_capacity(n + 1),
            channel_customers: vec![Vec::new(); width],
            acquired: vec![None; n],
            ids,
            scored,
            channels,
        };
        let mut run = 0;
        let mut per_channel: Vec<(u64, f64)> = vec![(0, 0.0); width];
        for customer in 0..n {
            activity.month_start.push(activity.months.len());
            let start = run;
            while run < counted.len() && counted[run].0 as usize == customer {
                run += 1;
            }
            if start == run {
                continue;
            }
            let mut months: Vec<(i16, i8)> = Vec::new();
            for &(_, i) in &counted[start..run] {
                let (date, amount) = (orders.date[i as usize], orders.amount[i as usize]);
                let channel = channel_ids[i as usize];
                if year_ago.is_some_and(|y| date > y) {
                    activity.annual_spend[customer] += amount;
                }
                let first = &mut activity.first[customer];
                *first = Some(first.map_or(date, |f| f.min(date)));
                activity.orders[customer] += 1;
                activity.by_channel[customer * width + channel as usize] += 1;
                months.push((date.year(), date.month()));
                let c = &mut per_channel[channel as usize];
                c.0 += 1;
                c.1 += amount;
                let acquired = &mut activity.acquired[customer];
                if acquired.is_none_or(|a| (date, channel) < a) {
                    *acquired = Some((date, channel));
                }
            }
            months.sort_unstable();
            months.dedup();
            activity.months.extend(months);
            for (channel, c) in per_channel.iter_mut().enumerate() {
                if c.0 > 0 {
                    activity.channel_customers[channel].push((customer as u32, c.0, c.1));
                    *c = (0, 0.0);
                }
            }
        }
        activity.month_start.push(activity.months.len());
        activity
    }

    fn channel_counts(&self, customer: usize) -> &[u32] {
        let width = self.channels.len();
        &self.by_channel[customer * width..(customer + 1) * width]
    }

    fn months(&self, customer: usize) -> &[(i16, i8)] {
        &self.months[self.month_start[customer]..self.month_start[customer + 1]]
    }
}

fn months_between(from: (i16, i8), to: (i16, i8)) -> u32 {
    ((i32::from(to.0) - i32::from(from.0)) * 12 + i32::from(to.1) - i32::from(from.1)).max(0) as u32
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    // The middle value(s) in the total order, found without sorting every value.
    let (n, m) = (values.len(), values.len() / 2);
    let (below, &mut middle, _) = values.select_nth_unstable_by(m, f64::total_cmp);
    if n % 2 == 1 {
        middle
    } else {
        let lower = below
            .iter()
            .copied()
            .max_by(f64::total_cmp)
            .expect("an even count of two or more");
        (lower + middle) / 2.0
    }
}

/// Segments scored customers with their orders; `prospects` are entities without orders.
///
/// # Errors
/// [`SegmentError::InvalidSetting`] for a bad configuration.
pub fn segment(
    customers: &[ScoredCustomer],
    orders: &OrderTable,
    prospects: &[String],
    config: &SegmentConfig,
) -> Result<Segmentation, SegmentError> {
    use rayon::prelude::*;
    config.validate()?;
    let as_of = config.as_of.or_else(|| orders.date.iter().copied().max());
    let year_ago = as_of.and_then(|d| d.checked_sub(jiff::Span::new().days(365)).ok());
    let activity = Activity::new(customers, orders, as_of, year_ago);
    let high = config.tiers.first().map(|t| t.name.clone());
    let channels: Vec<String> = activity.channels.iter().map(|c| c.to_string()).collect();

    // k-means features: recency, frequency, monetary, CLV, tenure, channel shares,
    // standardised in place (the descriptions read the shares from the activity).
    let mut features: Vec<Vec<f64>> = customers
        .par_iter()
        .zip(&activity.scored)
        .map(|(c, &a)| {
            let a = a as usize;
            let mut row = Vec::with_capacity(5 + channels.len());
            row.extend([
                c.days_since_last,
                f64::from(c.frequency).ln_1p(),
                c.rfm_monetary.max(0.0).ln_1p(),
                c.clv.unwrap_or(0.0).max(0.0).ln_1p(),
                c.days_since_first,
            ]);
            for &n in activity.channel_counts(a) {
                row.push(f64::from(n) / activity.orders[a].max(1) as f64);
            }
            row
        })
        .collect();
    kmeans::standardise_in_place(&mut features);
    let clustering = cluster(&features, config.k, config.max_k, config.seed);
    drop(features);

    // Each customer's segments depend on that customer alone: built in parallel, in order.
    let mut out: Vec<CustomerSegment> = customers
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let a = activity.scored[i] as usize;
            let annual_spend = activity.annual_spend[a];
            let orders = activity.orders[a];
            let tier: Label = config
                .tiers
                .iter()
                .find(|t| t.holds(annual_spend, c.frequency))
                .map_or(Cow::Borrowed("basic"), |t| Cow::Owned(t.name.clone()));
            let r = to_five(c.r_score, c.score_bins);
            let f = to_five(c.f_score, c.score_bins);
            let stage = lifecycle(c.days_since_first, c.frequency, c.p_alive, c.churn_risk);
            let mut tags = Vec::new();
            if high.as_deref() == Some(&*tier) {
                tags.push(Cow::Borrowed("high_value"));
            }
            if c.days_since_last > 90.0 {
                tags.push(Cow::Borrowed("sleeping"));
            }
            if c.frequency >= 1 && c.churn_risk.is_some_and(|r| r >= 0.7) {
                tags.push(Cow::Borrowed("at_risk"));
            }
            // The last channel (by name) of the most orders, as a max over a name-ordered map.
            if orders >= 2
                && let Some((channel, n)) = activity
                    .channel_counts(a)
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .max_by_key(|(_, n)| **n)
                && f64::from(*n) >= 0.8 * orders as f64
                && !channels[channel].is_empty()
            {
                tags.push(Cow::Owned(format!("prefers_{}", channels[channel])));
            }
            if let (Some(first), Some(d)) = (activity.first[a], as_of)
                && (first.year(), first.month()) == (d.year(), d.month())
            {
                tags.push(Cow::Borrowed("new_this_month"));
            }
            for rule in &config.tags {
                let value = if rule.field == "annual_spend" {
                    Some(annual_spend)
                } else {
                    c.numbers.get(&rule.field).copied()
                };
                if value.is_some_and(|v| rule.holds(v)) {
                    tags.push(Cow::Owned(rule.name.clone()));
                }
            }
            CustomerSegment {
                id: c.id.clone(),
                tier,
                annual_spend,
                rfm_segment: Cow::Borrowed(rfm_segment(r, f)),
                lifecycle: Cow::Borrowed(stage.name()),
                cluster: clustering.labels.get(i).copied(),
                tags,
            }
        })
        .collect();
    out.reserve(prospects.len());
    for p in prospects {
        out.push(CustomerSegment {
            id: p.clone(),
            tier: Cow::Borrowed("basic"),
            annual_spend: 0.0,
            rfm_segment: Cow::Borrowed(""),
            lifecycle: Cow::Borrowed(Lifecycle::Prospect.name()),
            cluster: None,
            tags: Vec::new(),
        });
    }

    let clusters = describe(customers, &activity, &channels, &clustering);
    let cohorts = cohorts(&activity, as_of);
    let channel_rows = channel_summaries(&activity, &out, prospects, high.as_deref(), config);
    Ok(Segmentation {
        customers: out,
        clusters,
        silhouette: clustering.silhouette,
        cohorts,
        channels: channel_rows,
        as_of,
    })
}

fn describe(
    customers: &[ScoredCustomer],
    activity: &Activity,
    channels: &[String],
    clustering: &Clustering,
) -> Vec<ClusterSummary> {
    let overall_spend = median(&mut customers.iter().map(|c| c.rfm_monetary).collect::<Vec<_>>());
    (0..clustering.centroids.len())
        .map(|k| {
            let members: Vec<usize> = (0..customers.len())
                .filter(|&i| clustering.labels[i] == k)
                .collect();
            let column = |f: &dyn Fn(usize) -> f64| median(&mut members.iter().map(|&i| f(i)).collect::<Vec<_>>());
            let spend = column(&|i| customers[i].rfm_monetary);
            let frequency = column(&|i| f64::from(customers[i].frequency));
            let since_last = column(&|i| customers[i].days_since_last);
            let gap_weeks = column(&|i| {
                let c = &customers[i];
                if c.frequency == 0 {
                    f64::INFINITY
                } else {
                    (c.days_since_first - c.days_since_last) / f64::from(c.frequency) / 7.0
                }
            });
            let clv = column(&|i| customers[i].clv.unwrap_or(0.0));
            // The channel with the largest mean share.
            let (channel, share) = channels
                .iter()
                .enumerate()
                .map(|(j, ch)| {
                    // Each member's share of orders in the channel, as the features have it.
                    let share = |i: usize| {
                        let a = activity.scored[i] as usize;
                        f64::from(activity.channel_counts(a)[j]) / activity.orders[a].max(1) as f64
                    };
                    let mean = members.iter().map(|&i| share(i)).sum::<f64>()
                        / members.len().max(1) as f64;
                    (ch.as_str(), mean)
                })
                .fold(("", 0.0), |best, x| if x.1 > best.1 { x } else { best });
            let ratio = if overall_spend > 0.0 { spend / overall_spend } else { 1.0 };
            let rhythm = if gap_weeks.is_finite() {
                format!("buys every {gap_weeks:.0} weeks")
            } else {
                "has bought once".to_string()
            };
            let place = if channel.is_empty() {
                String::new()
            } else if share >= 0.5 {
                format!(", mostly in {channel} ({:.0}%)", share * 100.0)
            } else {
                format!(", across channels ({channel} most, {:.0}%)", share * 100.0)
            };
            let description = format!(
                "spends {ratio:.1}× the median a purchase{place}, {rhythm}, last bought {since_last:.0} days ago"
            );
            let mut medians = BTreeMap::new();
            medians.insert("purchase_value".to_string(), spend);
            medians.insert("repeat_purchases".to_string(), frequency);
            medians.insert("days_since_last".to_string(), since_last);
            medians.insert("clv".to_string(), clv);
            ClusterSummary {
                cluster: k,
                customers: members.len() as u64,
                description,
                medians,
            }
        })
        .collect()
}

fn cohorts(activity: &Activity, as_of: Option<Date>) -> Vec<CohortCell> {
    let Some(end) = as_of.map(|d| (d.year(), d.month())) else {
        return Vec::new();
    };
    // cohort -> (customers, active count per month offset)
    let mut table: BTreeMap<(i16, i8), (u64, Vec<u64>)> = BTreeMap::new();
    for customer in 0..activity.ids.len() {
        let months = activity.months(customer);
        let Some(first) = months.first().copied() else {
            continue;
        };
        let span = months_between(first, end) as usize + 1;
        let entry = table.entry(first).or_insert((0, vec![0; span]));
        entry.0 += 1;
        for m in months {
            let offset = months_between(first, *m) as usize;
            if offset < entry.1.len() {
                entry.1[offset] += 1;
            }
        }
    }
    let mut out = Vec::new();
    for ((y, m), (customers, active)) in table {
        for (offset, n) in active.into_iter().enumerate() {
            out.push(CohortCell {
                cohort: format!("{y:04}-{m:02}"),
                months_since: offset as u32,
                customers,
                active: n,
                share: n as f64 / customers as f64,
            });
        }
    }
    out
}

fn channel_summaries(
    activity: &Activity,
    segments: &[CustomerSegment],
    prospects: &[String],
    high: Option<&str>,
    config: &SegmentConfig,
) -> Vec<ChannelSummary> {
    // Each id's tier, the last written for it (as a map from id to tier keeps).
    let mut tier: Vec<Option<&str>> = vec![None; activity.ids.len()];
    for (s, &a) in segments.iter().zip(&activity.scored) {
        tier[a as usize] = Some(&*s.tier);
    }
    for (p, s) in prospects.iter().zip(&segments[activity.scored.len()..]) {
        if let Ok(a) = activity.ids.binary_search(&p.as_str()) {
            tier[a] = Some(&*s.tier);
        }
    }
    let mut acquired = vec![0u64; activity.channels.len()];
    for (_, channel) in activity.acquired.iter().flatten() {
        acquired[*channel as usize] += 1;
    }
    activity
        .channels
        .iter()
        .zip(&activity.channel_customers)
        .zip(acquired)
        .filter(|((_, customers), _)| !customers.is_empty())
        .map(|((channel, customers), acquired)| {
            let n = customers.len() as u64;
            let orders: u64 = customers.iter().map(|v| v.1).sum();
            let amount: f64 = customers.iter().map(|v| v.2).sum();
            let repeat = customers.iter().filter(|v| v.1 >= 2).count() as u64;
            let high_count = customers
                .iter()
                .filter(|v| high.is_some() && tier[v.0 as usize] == high)
                .count() as u64;
            ChannelSummary {
                channel: channel.to_string(),
                customers: n,
                orders,
                repurchase_rate: repeat as f64 / n.max(1) as f64,
                average_order_value: amount / orders.max(1) as f64,
                high_value_share: high_count as f64 / n.max(1) as f64,
                acquired,
                acquisition_cost_per_customer: config
                    .channel_costs
                    .get(*channel)
                    .map(|cost| cost / acquired.max(1) as f64),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_ids_are_ranks_among_the_sorted_channels_of_appended_tables() {
        // Channels in runs and alone, one only late, across tables appended together (so
        // names are listed more than once).
        let names = ["web", "", "app", "pos", "app", "web"];
        let mut orders = OrderTable::default();
        let mut expected = Vec::new();
        for part in 0..3 {
            let mut piece = OrderTable::default();
            for i in 0..50_000usize {
                let channel = if part == 2 && i == 49_999 {
                    "late"
                } else {
                    names[(i / 3 + i % 2) % names.len()]
                };
                piece.push("c", Date::constant(2025, 1, 1), 1.0, channel);
                expected.push(channel);
            }
            orders.append(piece);
        }
        assert_eq!(
            orders.ids,
            ["c"],
            "one customer across the pieces is listed once"
        );
        let (channels, ids) = channel_ids(&orders);
        assert_eq!(channels, ["", "app", "late", "pos", "web"]);
        assert_eq!(ids.len(), expected.len());
        for (i, (id, name)) in ids.into_iter().zip(expected).enumerate() {
            assert_eq!(channels[id as usize], name);
            assert_eq!(orders.channel_of(i), name);
        }
    }

    fn customer(id: &str, frequency: u32) -> ScoredCustomer {
        ScoredCustomer {
            id: id.into(),
            frequency,
            days_since_first: 40.0 * f64::from(frequency + 1),
            days_since_last: 10.0,
            rfm_monetary: 20.0,
            r_score: 3,
            f_score: 3,
            score_bins: 5,
            p_alive: Some(0.8),
            churn_risk: Some(0.2),
            clv: Some(50.0),
            numbers: BTreeMap::new(),
        }
    }

    fn order(customer: &str, day: i8, channel: &str) -> OrderRow {
        OrderRow {
            customer: customer.into(),
            date: jiff::civil::date(2024, 3, day),
            amount: f64::from(day),
            channel: channel.into(),
        }
    }

    #[test]
    fn sorted_input_ranks_ids_as_interning_does() {
        // Ids only in orders ("b", "e") and only among the customers ("d").
        let customers: Vec<ScoredCustomer> = ["a", "c", "d", "f"]
            .iter()
            .map(|id| customer(id, 1))
            .collect();
        let orders = vec![
            order("a", 1, "app"),
            order("a", 2, "web"),
            order("b", 3, "app"),
            order("c", 4, "pos"),
            order("e", 5, "app"),
            order("e", 6, "app"),
            order("f", 7, "web"),
        ];
        let table: OrderTable = orders.iter().collect();
        assert_eq!(table.ids, ["a", "b", "c", "e", "f"]);
        let sorted = sorted_ids(&customers, &table).expect("sorted input");
        assert_eq!(sorted, interned_ids(&customers, &table));
        assert_eq!(sorted.0, ["a", "b", "c", "d", "e", "f"]);
        // Out of order: no merge, and segmenting gives the same answer either way.
        let mut shuffled = orders.clone();
        shuffled.swap(0, 4);
        let shuffled: OrderTable = shuffled.iter().collect();
        assert!(sorted_ids(&customers, &shuffled).is_none());
        let mut reversed = customers.clone();
        reversed.reverse();
        assert!(sorted_ids(&reversed, &table).is_none());
        // Appended pieces that list an id twice are read as one table.
        let mut pieces = OrderTable::default();
        for part in [&orders[..3], &orders[3..], &orders[..1]] {
            pieces.append(part.iter().collect());
        }
        assert_eq!(pieces.ids, ["a", "b", "c", "e", "f", "a"]);
        assert!(sorted_ids(&customers, &pieces).is_none());
        let config = SegmentConfig::default();
        let a = segment(&customers, &table, &[], &config).unwrap();
        let b = segment(&customers, &shuffled, &[], &config).unwrap();
        let mut twice: Vec<OrderRow> = orders.clone();
        twice.push(orders[0].clone());
        let c = segment(&customers, &twice.iter().collect(), &[], &config).unwrap();
        let d = segment(&customers, &pieces, &[], &config).unwrap();
        assert_eq!(c, d);
        assert_eq!(a.customers, b.customers);
        assert_eq!(a.channels, b.channels);
        assert_eq!(a.cohorts, b.cohorts);
    }
}
