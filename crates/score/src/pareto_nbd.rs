//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases at a gamma-distributed
//! Poisson rate (r, α) while alive, and an exponential lifetime with a gamma-distributed
//! dropout rate (s, β). The likelihood follows Fader & Hardie's note "Deriving an
//! expression for P(X(t) = x) under the Pareto/NBD model" in log space, with ₂F₁ summed
//! without overflow.

use serde::{Deserialize, Serialize};

use crate::bg_nbd::GammaTables;
use crate::fit::{FitData, Model};
use crate::special::{ln_gamma, ln_hyp2f1_c_is_a_plus_one, log_add_exp, log_sub_exp};

/// Pareto/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParetoNbd {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma, in the summaries' time unit.
    pub alpha: f64,
    /// Shape of the dropout-rate gamma.
    pub s: f64,
    /// Scale of the dropout-rate gamma, in the summaries' time unit.
    pub beta: f64,
}

impl ParetoNbd {
    /// `ln A₀`, the term for having dropped out between `t_x` and `t` (−∞ when they are
    /// equal).
    fn ln_a0(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let rsx = r + s + x;
        let (big, small, second) = if alpha >= beta {
            (alpha, beta, s + 1.0)
        } else {
            (beta, alpha, r + x)
        };
        let term = |age: f64| {
            let z = (big - small) / (big + age);
            ln_hyp2f1_c_is_a_plus_one(rsx, second, z) - rsx * (big + age).ln()
        };
        log_sub_exp(term(t_x), term(t))
    }

    /// `ln` of the alive term `(α+T)^-(r+x) (β+T)^-s`.
    fn ln_alive(&self, x: f64, t: f64) -> f64 {
        -(self.r + x) * (self.alpha + t).ln() - self.s * (self.beta + t).ln()
    }

    /// `ln(s / (r + s + x) · A₀)`.
    fn ln_dropped(&self, x: f64, t_x: f64, t: f64) -> f64 {
        self.s.ln() - (self.r + self.s + x).ln() + self.ln_a0(x, t_x, t)
    }

    /// The log-likelihood of one customer.
    pub fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        ln_gamma(r + x) - ln_gamma(r)
            + r * alpha.ln()
            + s * beta.ln()
            + log_add_exp(self.ln_alive(x, t), self.ln_dropped(x, t_x, t))
    }

    /// The probability that the customer is still alive at age `t`.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let log_odds = self.ln_dropped(x, t_x, t) - self.ln_alive(x, t);
        1.0 / (1.0 + log_odds.exp())
    }

    /// Expected purchases in the next `horizon` time units.
    pub fn expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        if horizon <= 0.0 {
            return 0.0;
        }
        let ParetoNbd { r, alpha, s, beta } = *self;
        let ln_ratio = (beta + t).ln() - (beta + t + horizon).ln();
        // (1 − ((β+T)/(β+T+t))^(s−1)) / (s − 1), which tends to ln((β+T+t)/(β+T)) at s = 1.
        let shrink = if (s - 1.0).abs() < 1e-9 {
            -ln_ratio
        } else {
            -((s - 1.0) * ln_ratio).exp_m1() / (s - 1.0)
        };
        (r + x) * (beta + t) / (alpha + t) * shrink * self.p_alive(x, t_x, t)
    }
}

impl Model for ParetoNbd {
    const NAME: &'static str = "pareto_nbd";
    const PARAMETERS: &'static [&'static str] = &["r", "alpha", "s", "beta"];

    fn from_parameters(v: &[f64]) -> Self {
        ParetoNbd {
            r: v[0],
            alpha: v[1],
            s: v[2],
            beta: v[3],
        }
    }

    fn parameters(&self) -> Vec<f64> {
        vec![self.r, self.alpha, self.s, self.beta]
    }

    fn log_likelihood_range(&self, data: &FitData, range: std::ops::Range<usize>) -> f64 {
        let g = data.groups;
        let ParetoNbd { r, alpha, s, beta } = *self;
        let constant = -ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let mut tables = GammaTables::new(g.max_frequency, [r]);
        let mut sum = 0.0;
        for i in range {
            let (x, t_x, t) = (g.frequency[i], g.recency[i], g.t[i]);
            let ll = constant
                + tables.get(x as usize, 0)
                + log_add_exp(self.ln_alive(x, t), self.ln_dropped(x, t_x, t));
            if !ll.is_finite() {
                // One unusable customer makes the point unusable: stop early.
                return f64::NAN;
            }
            sum += g.count[i] * ll;
        }
        sum
    }

    fn starts(data: &FitData) -> Vec<Vec<f64>> {
        let mean_t = data.groups.mean_t().max(1e-9);
        let rate = (data.groups.mean_frequency() + 0.5) / mean_t;
        [(1.0, 1.0, 1.0), (0.3, 0.5, 0.3), (3.0, 2.0, 3.0)]
            .iter()
            .map(|&(r, s, lifetimes)| vec![r, r / rate, s, s * lifetimes * mean_t])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fader & Hardie's CDNOW fit.
    const CDNOW: ParetoNbd = ParetoNbd {
        r: 0.5533,
        alpha: 10.5774,
        s: 0.6062,
        beta: 11.6691,
    };

    #[test]
    fn both_branches_of_a0_agree_near_alpha_equal_beta() {
        let below = ParetoNbd {
            beta: 10.5774 + 1e-7,
            ..CDNOW
        };
        let above = ParetoNbd {
            beta: 10.5774 - 1e-7,
            ..CDNOW
        };
        for &(x, t_x, t) in &[(0.0, 0.0, 38.0), (3.0, 20.0, 38.0), (40.0, 35.0, 38.0)] {
            let (l, h) = (
                below.log_likelihood(x, t_x, t),
                above.log_likelihood(x, t_x, t),
            );
            assert!((l - h).abs() < 1e-6, "{x}: {l} {h}");
        }
    }

    #[test]
    fn predictions_are_finite_and_ordered() {
        let p_recent = CDNOW.p_alive(5.0, 37.0, 38.0);
        let p_old = CDNOW.p_alive(5.0, 5.0, 38.0);
        assert!(
            p_recent > p_old && (0.0..=1.0).contains(&p_old),
            "{p_recent} {p_old}"
        );
        let e = CDNOW.expected_purchases(52.0, 5.0, 37.0, 38.0);
        assert!(e.is_finite() && e > 0.0);
        // A customer with hundreds of purchases: ₂F₁ with a in the hundreds stays finite.
        assert!(CDNOW.log_likelihood(600.0, 30.0, 38.0).is_finite());
        let s_one = ParetoNbd { s: 1.0, ..CDNOW };
        let near = ParetoNbd {
            s: 1.0 + 1e-6,
            ..CDNOW
        };
        let (a, b) = (
            s_one.expected_purchases(10.0, 2.0, 20.0, 30.0),
            near.expected_purchases(10.0, 2.0, 20.0, 30.0),
        );
        assert!((a - b).abs() < 1e-5, "{a} {b}");
    }
}
