//! Value tiers, the RFM segment map, lifecycle stages and tags: the rules, configurable
//! where a retailer's handbook differs.

use serde::{Deserialize, Serialize};

/// One value tier's conditions; a bound left out does not apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRule {
    /// The tier's name.
    pub name: String,
    /// Net spend over the 365 days ending at the as-of date, at least.
    #[serde(default)]
    pub min_annual_spend: Option<f64>,
    /// … and below.
    #[serde(default)]
    pub max_annual_spend: Option<f64>,
    /// Repeat purchases (purchase days after the first), at least.
    #[serde(default)]
    pub min_repeat: Option<u32>,
    /// … and at most.
    #[serde(default)]
    pub max_repeat: Option<u32>,
}

impl TierRule {
    /// Whether a customer meets every condition.
    pub fn holds(&self, annual_spend: f64, repeat: u32) -> bool {
        self.min_annual_spend.is_none_or(|m| annual_spend >= m)
            && self.max_annual_spend.is_none_or(|m| annual_spend < m)
            && self.min_repeat.is_none_or(|m| repeat >= m)
            && self.max_repeat.is_none_or(|m| repeat <= m)
    }
}

/// The handbook's tiers, highest first: high value (annual spend ≥ 10,000 and ≥ 5 repeat
/// purchases), potential (3,000 to 10,000 and 2–4); everyone else is basic.
pub fn default_tiers() -> Vec<TierRule> {
    vec![
        TierRule {
            name: "high_value".into(),
            min_annual_spend: Some(10_000.0),
            max_annual_spend: None,
            min_repeat: Some(5),
            max_repeat: None,
        },
        TierRule {
            name: "potential".into(),
            min_annual_spend: Some(3_000.0),
            max_annual_spend: Some(10_000.0),
            min_repeat: Some(2),
            max_repeat: Some(4),
        },
    ]
}

/// The standard RFM segment of recency and frequency scores on a 1–5 scale (other scales
/// are mapped onto it first).
pub fn rfm_segment(r: u8, f: u8) -> &'static str {
    match (r, f) {
        (5, 4..=5) => "Champions",
        (3..=4, 4..=5) => "Loyal",
        (4..=5, 2..=3) => "Potential loyalists",
        (5, 1) => "New",
        (4, 1) => "Promising",
        (3, 3) => "Need attention",
        (3, 1..=2) => "About to sleep",
        (1..=2, 5) => "Can't lose them",
        (1..=2, 3..=4) => "At risk",
        (1, 1) => "Lost",
        _ => "Hibernating",
    }
}

/// Maps a score on `1..=bins` onto 1–5.
pub fn to_five(score: u8, bins: u8) -> u8 {
    if bins <= 1 {
        return 3;
    }
    let share = f64::from(score.saturating_sub(1)) / f64::from(bins - 1);
    1 + (share * 4.0).round() as u8
}

/// A user-defined tag: customers whose `field` compares with `value` get `name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    /// The tag.
    pub name: String,
    /// A numeric column of `customers.csv` (`clv`, `frequency`, `churn_risk` …) or
    /// `annual_spend`.
    pub field: String,
    /// `>=`, `>`, `<=`, `<` or `==`.
    pub op: String,
    /// The value compared with.
    pub value: f64,
}

impl TagRule {
    /// Whether `x` satisfies the rule (an unknown operator never does; the configuration
    /// check refuses one).
    pub fn holds(&self, x: f64) -> bool {
        match self.op.as_str() {
            ">=" => x >= self.value,
            ">" => x > self.value,
            "<=" => x <= self.value,
            "<" => x < self.value,
            "==" => x == self.value,
            _ => false,
        }
    }
}

/// Lifecycle stages, in the order the rules are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// No purchase yet (an entity without orders).
    Prospect,
    /// P(alive) below 0.1 (or, without a model, a silence its own rhythm makes 95% unlikely).
    Churned,
    /// First purchase within the last 90 days.
    New,
    /// P(alive) below 0.5, or churn risk of at least 0.7: buying less than their rhythm says.
    Declining,
    /// At most 3 repeat purchases so far, and none of the above.
    Growing,
    /// Everyone else: established and active.
    Mature,
}

impl Lifecycle {
    /// The stage's name.
    pub fn name(self) -> &'static str {
        match self {
            Lifecycle::Prospect => "prospect",
            Lifecycle::Churned => "churned",
            Lifecycle::New => "new",
            Lifecycle::Declining => "declining",
            Lifecycle::Growing => "growing",
            Lifecycle::Mature => "mature",
        }
    }
}

/// The lifecycle stage of a customer who bought: `days_since_first` purchase, repeat
/// purchases, P(alive) and churn risk where known.
pub fn lifecycle(
    days_since_first: f64,
    repeat: u32,
    p_alive: Option<f64>,
    churn_risk: Option<f64>,
) -> Lifecycle {
    let churned = match p_alive {
        Some(p) => p < 0.1,
        None => churn_risk.is_some_and(|c| c >= 0.95),
    };
    if churned {
        Lifecycle::Churned
    } else if days_since_first <= 90.0 {
        Lifecycle::New
    } else if p_alive.is_some_and(|p| p < 0.5) || churn_risk.is_some_and(|c| c >= 0.7) {
        Lifecycle::Declining
    } else if repeat <= 3 {
        Lifecycle::Growing
    } else {
        Lifecycle::Mature
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handbook_tiers() {
        let tiers = default_tiers();
        let tier = |spend: f64, repeat: u32| {
            tiers
                .iter()
                .find(|t| t.holds(spend, repeat))
                .map_or("basic", |t| t.name.as_str())
                .to_string()
        };
        assert_eq!(tier(12_000.0, 6), "high_value");
        assert_eq!(tier(12_000.0, 3), "basic");
        assert_eq!(tier(5_000.0, 3), "potential");
        assert_eq!(tier(10_000.0, 4), "basic");
        assert_eq!(tier(2_999.0, 3), "basic");
    }

    #[test]
    fn rfm_map_covers_every_pair() {
        assert_eq!(rfm_segment(5, 5), "Champions");
        assert_eq!(rfm_segment(1, 5), "Can't lose them");
        assert_eq!(rfm_segment(1, 1), "Lost");
        assert_eq!(rfm_segment(2, 1), "Hibernating");
        assert_eq!(rfm_segment(5, 1), "New");
        for r in 1..=5 {
            for f in 1..=5 {
                assert!(!rfm_segment(r, f).is_empty());
            }
        }
        assert_eq!(to_five(3, 3), 5);
        assert_eq!(to_five(1, 3), 1);
    }

    #[test]
    fn lifecycle_rules_in_order() {
        assert_eq!(
            lifecycle(400.0, 9, Some(0.05), Some(0.1)),
            Lifecycle::Churned
        );
        assert_eq!(lifecycle(30.0, 0, Some(1.0), None), Lifecycle::New);
        assert_eq!(
            lifecycle(300.0, 6, Some(0.4), Some(0.2)),
            Lifecycle::Declining
        );
        assert_eq!(
            lifecycle(300.0, 2, Some(0.9), Some(0.2)),
            Lifecycle::Growing
        );
        assert_eq!(lifecycle(300.0, 8, Some(0.9), Some(0.2)), Lifecycle::Mature);
    }
}
