//! Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves"): the value
//! of each repeat purchase is gamma(p, ν) with a customer's ν gamma(q, v) across customers,
//! fitted on customers with repeat purchases.

use serde::{Deserialize, Serialize};

use crate::fit::{FitData, Model};
use crate::special::ln_gamma;
use crate::summary::{CustomerSummary, SummaryGroups};

/// Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// Shape of each purchase's value.
    pub p: f64,
    /// Shape of the customers' rate gamma.
    pub q: f64,
    /// Scale of the customers' rate gamma, in currency.
    pub v: f64,
}

impl GammaGamma {
    /// The log-likelihood of one customer's `x` repeat purchases of mean value `m`.
    pub fn log_likelihood(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, v } = *self;
        ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
            + q * v.ln()
            + (p * x - 1.0) * m.ln()
            + p * x * x.ln()
            - (p * x + q) * (x * m + v).ln()
    }

    /// Expected value of a customer's future purchases, given `x` repeat purchases of mean
    /// value `m` (the population mean `p v / (q − 1)` for `x = 0`). Infinite when `q ≤ 1`.
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, v } = *self;
        if q <= 1.0 {
            return f64::INFINITY;
        }
        p * (v + x * m) / (p * x + q - 1.0)
    }

    /// Groups customers with repeat purchases by (frequency, mean value), the form
    /// [`crate::fit::fit`] takes for this model (the mean value stands in recency's place).
    pub fn groups(customers: &[CustomerSummary]) -> SummaryGroups {
        let repeat: Vec<CustomerSummary> = customers
            .iter()
            .filter(|c| c.frequency > 0 && c.monetary_value > 0.0)
            .map(|c| CustomerSummary {
                id: String::new(),
                frequency: c.frequency,
                recency: c.monetary_value,
                t: 0.0,
                monetary_value: 0.0,
            })
            .collect();
        SummaryGroups::new(&repeat)
    }
}

impl Model for GammaGamma {
    const NAME: &'static str = "gamma_gamma";
    const PARAMETERS: &'static [&'static str] = &["p", "q", "v"];

    fn from_parameters(v: &[f64]) -> Self {
        GammaGamma {
            p: v[0],
            q: v[1],
            v: v[2],
        }
    }

    fn parameters(&self) -> Vec<f64> {
        vec![self.p, self.q, self.v]
    }

    fn log_likelihood_range(&self, data: &FitData, range: std::ops::Range<usize>) -> f64 {
        let g = data.groups;
        range
            .map(|i| g.count[i] * self.log_likelihood(g.frequency[i], g.recency[i]))
            .sum()
    }

    fn starts(data: &FitData) -> Vec<Vec<f64>> {
        let g = data.groups;
        let mean: f64 = g
            .recency
            .iter()
            .zip(&g.count)
            .map(|(m, n)| m * n)
            .sum::<f64>()
            / g.customers().max(1.0);
        // E[value] = p v / (q − 1): start from spends near the observed mean.
        [(1.0, 2.0), (5.0, 3.0), (2.0, 10.0)]
            .iter()
            .map(|&(p, q)| vec![p, q, mean.max(1e-6) * (q - 1.0) / p])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_spend_shrinks_towards_the_population_mean() {
        let model = GammaGamma {
            p: 6.25,
            q: 3.74,
            v: 15.44,
        };
        let population = model.expected_spend(0.0, 0.0);
        assert!((population - 6.25 * 15.44 / 2.74).abs() < 1e-12);
        let one = model.expected_spend(1.0, 100.0);
        let many = model.expected_spend(50.0, 100.0);
        assert!(population < one && one < many && many < 100.0);
        assert!(
            GammaGamma { q: 0.9, ..model }
                .expected_spend(1.0, 5.0)
                .is_infinite()
        );
    }
}
