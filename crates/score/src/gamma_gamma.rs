//! Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves"): the value
//! of each repeat purchase is gamma(p, ν) with a customer's ν gamma(q, v) across customers,
//! fitted on customers with repeat purchases.

use serde::{Deserialize, Serialize};

use crate::fit::{FitData, Model};
use crate::special::{digamma, ln_gamma};
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
        self.log_likelihood_gradient_range(data, range, &mut [0.0; 3])
    }

    const HAS_GRADIENT: bool = true;

    /// Per customer with `x` repeat purchases of mean `m`, the derivatives are
    /// `x (ψ(px+q) − ψ(px) + ln m + ln x − ln(xm+v))` in p,
    /// `ψ(px+q) − ψ(q) + ln v − ln(xm+v)` in q and `q/v − (px+q)/(xm+v)` in v.
    fn log_likelihood_gradient_range(
        &self,
        data: &FitData,
        range: std::ops::Range<usize>,
        gradient: &mut [f64],
    ) -> f64 {
        let g = data.groups;
        let GammaGamma { p, q, v } = *self;
        let ln_v = v.ln();
        let (ln_gamma_q, psi_q) = (ln_gamma(q), digamma(q));
        // Functions of the frequency alone, computed once per frequency seen:
        // ln Γ(px+q) − ln Γ(px) + px ln x, ψ(px+q) − ψ(px) + ln x, ψ(px+q).
        let len = (g.max_frequency as usize + 1).min(1 << 16);
        let mut by_frequency: Vec<Option<[f64; 3]>> = vec![None; len];
        let per_frequency = |x: f64| {
            let (px, ln_x) = (p * x, x.ln());
            let psi = digamma(px + q);
            [
                ln_gamma(px + q) - ln_gamma(px) + px * ln_x,
                psi - digamma(px) + ln_x,
                psi,
            ]
        };
        let mut sum = 0.0;
        let mut d = [0.0f64; 3];
        for i in range {
            let (x, m, n) = (g.frequency[i], g.recency[i], g.count[i]);
            let k = x as usize;
            let [gammas, dp_gammas, psi_pxq] = match by_frequency.get_mut(k) {
                Some(Some(values)) => *values,
                Some(slot) => *slot.insert(per_frequency(x)),
                None => per_frequency(x),
            };
            let (ln_m, ln_total) = (m.ln(), (x * m + v).ln());
            let px_q = p * x + q;
            sum += n * (gammas - ln_gamma_q + q * ln_v + (p * x - 1.0) * ln_m - px_q * ln_total);
            d[0] += n * x * (dp_gammas + ln_m - ln_total);
            d[1] += n * (psi_pxq - psi_q + ln_v - ln_total);
            d[2] += n * (q / v - px_q / (x * m + v));
        }
        for (total, part) in gradient.iter_mut().zip(d) {
            *total += part;
        }
        sum
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
