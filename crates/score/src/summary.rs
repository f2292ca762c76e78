//! Per-customer summaries (frequency, recency, T, monetary value) and their grouping by
//! identical (frequency, recency, T), the form every likelihood is evaluated on.

use serde::{Deserialize, Serialize};

/// The unit time is measured in: recency, `T`, horizons and model rates all use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// One day.
    Day,
    /// Seven days.
    #[default]
    Week,
    /// A twelfth of a year (30.4375 days).
    Month,
}

impl TimeUnit {
    /// Days in one unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
            TimeUnit::Month => 365.25 / 12.0,
        }
    }

    /// Units in one month, as discounting counts months. Weeks follow the convention of the
    /// published CLV examples (4.345 weeks a month), so their numbers can be checked.
    pub fn per_month(self) -> f64 {
        match self {
            TimeUnit::Day => 30.0,
            TimeUnit::Week => 4.345,
            TimeUnit::Month => 1.0,
        }
    }

    /// The unit's name as the command line and the outputs write it.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
            TimeUnit::Month => "month",
        }
    }

    /// Reads `day`, `week` or `month`.
    pub fn parse(text: &str) -> Option<TimeUnit> {
        match text.trim().to_ascii_lowercase().as_str() {
            "day" | "days" | "d" => Some(TimeUnit::Day),
            "week" | "weeks" | "w" => Some(TimeUnit::Week),
            "month" | "months" | "m" => Some(TimeUnit::Month),
            _ => None,
        }
    }
}

/// One customer's purchase history over an observation period, in one [`TimeUnit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary {
    /// The customer (or entity) id.
    pub id: String,
    /// Repeat purchases: purchase days after the first.
    pub frequency: u32,
    /// Age at the last purchase: time from the first purchase to the last.
    pub recency: f64,
    /// Age at the end of the period: time from the first purchase to the end.
    #[serde(rename = "T")]
    pub t: f64,
    /// Mean value of the repeat purchases (0 without any).
    pub monetary_value: f64,
}

impl CustomerSummary {
    /// Checks `0 ≤ recency ≤ T`, finite values, recency 0 without repeat purchases, and a
    /// non-negative monetary value; the reason otherwise.
    pub fn problem(&self) -> Option<&'static str> {
        if !(self.recency.is_finite() && self.t.is_finite() && self.monetary_value.is_finite()) {
            return Some("a value is not a finite number");
        }
        if self.recency < 0.0 || self.t < 0.0 {
            return Some("recency and T must not be negative");
        }
        if self.recency > self.t {
            return Some("recency is greater than T");
        }
        if self.frequency == 0 && self.recency != 0.0 {
            return Some("recency must be 0 when frequency is 0");
        }
        if self.monetary_value < 0.0 {
            return Some("monetary_value is negative");
        }
        None
    }
}

/// Customers grouped by identical (frequency, recency, T), in ascending order of the triple:
/// a likelihood summed over the groups with their counts equals the sum over customers,
/// and the order (hence every floating-point sum) does not depend on the input's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SummaryGroups {
    /// Frequency of each group.
    pub frequency: Vec<f64>,
    /// Recency of each group.
    pub recency: Vec<f64>,
    /// T of each group.
    pub t: Vec<f64>,
    /// Customers in each group.
    pub count: Vec<f64>,
    /// The largest frequency.
    pub max_frequency: u32,
}

impl SummaryGroups {
    /// Groups the customers.
    pub fn new(customers: &[CustomerSummary]) -> SummaryGroups {
        let mut keys: Vec<(u32, u64, u64)> = customers
            .iter()
            .map(|c| (c.frequency, c.recency.to_bits(), c.t.to_bits()))
            .collect();
        // Non-negative floats order as their bits do.
        keys.sort_unstable();
        let mut groups = SummaryGroups::default();
        for (i, key) in keys.iter().enumerate() {
            if i > 0 && keys[i - 1] == *key {
                *groups.count.last_mut().expect("a group") += 1.0;
                continue;
            }
            groups.frequency.push(f64::from(key.0));
            groups.recency.push(f64::from_bits(key.1));
            groups.t.push(f64::from_bits(key.2));
            groups.count.push(1.0);
            groups.max_frequency = groups.max_frequency.max(key.0);
        }
        groups
    }

    /// Every `n`th group with its count, for a quick first look at a large data set.
    pub fn every_nth(&self, n: usize) -> SummaryGroups {
        let n = n.max(1);
        let pick = |v: &[f64]| v.iter().step_by(n).copied().collect::<Vec<f64>>();
        SummaryGroups {
            frequency: pick(&self.frequency),
            recency: pick(&self.recency),
            t: pick(&self.t),
            count: pick(&self.count),
            max_frequency: self.max_frequency,
        }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.count.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.count.is_empty()
    }

    /// Number of customers.
    pub fn customers(&self) -> f64 {
        self.count.iter().sum()
    }

    /// Mean T over customers (a scale for starting points).
    pub fn mean_t(&self) -> f64 {
        let total: f64 = self.t.iter().zip(&self.count).map(|(t, n)| t * n).sum();
        total / self.customers().max(1.0)
    }

    /// Mean frequency over customers.
    pub fn mean_frequency(&self) -> f64 {
        let total: f64 = self
            .frequency
            .iter()
            .zip(&self.count)
            .map(|(x, n)| x * n)
            .sum();
        total / self.customers().max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: &str, frequency: u32, recency: f64, t: f64) -> CustomerSummary {
        CustomerSummary {
            id: id.into(),
            frequency,
            recency,
            t,
            monetary_value: 0.0,
        }
    }

    #[test]
    fn groups_count_identical_triples_in_a_fixed_order() {
        let a = [
            customer("1", 2, 3.0, 5.0),
            customer("2", 0, 0.0, 5.0),
            customer("3", 2, 3.0, 5.0),
        ];
        let groups = SummaryGroups::new(&a);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups.count, [1.0, 2.0]);
        assert_eq!(groups.frequency, [0.0, 2.0]);
        let reversed: Vec<_> = a.iter().rev().cloned().collect();
        assert_eq!(SummaryGroups::new(&reversed), groups);
        assert_eq!(groups.customers(), 3.0);
    }

    #[test]
    fn problems_are_named() {
        assert!(customer("1", 1, 6.0, 5.0).problem().is_some());
        assert!(customer("1", 0, 1.0, 5.0).problem().is_some());
        assert!(customer("1", 1, 1.0, 5.0).problem().is_none());
        assert_eq!(TimeUnit::parse("Week"), Some(TimeUnit::Week));
        assert_eq!(TimeUnit::Month.days(), 30.4375);
    }
}
