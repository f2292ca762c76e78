//! MBG/NBD (Batislam, Denizel & Filiztekin 2007): BG/NBD where a customer may also drop out
//! at the first purchase, so customers without repeat purchases are not all alive.

use serde::{Deserialize, Serialize};

use crate::bg_nbd::{
    beta_geometric_gradient, beta_geometric_log_likelihood, beta_geometric_starts,
};
use crate::fit::{FitData, Model};
use crate::special::{ln_gamma, ln_hyp2f1};

/// MBG/NBD parameters (named as BG/NBD's).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MbgNbd {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma, in the summaries' time unit.
    pub alpha: f64,
    /// First shape of the dropout-probability beta.
    pub a: f64,
    /// Second shape of the dropout-probability beta.
    pub b: f64,
}

impl MbgNbd {
    /// Log odds of having dropped out against being alive.
    fn log_odds_dropped(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        a.ln() - (b + x).ln() + (r + x) * ((alpha + t).ln() - (alpha + t_x).ln())
    }

    /// The terms after the gamma functions, in log space.
    fn tail(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let alive = -(self.r + x) * (self.alpha + t).ln();
        let odds = self.log_odds_dropped(x, t_x, t);
        alive
            + if odds > 0.0 {
                odds + (-odds).exp().ln_1p()
            } else {
                odds.exp().ln_1p()
            }
    }

    /// The log-likelihood of one customer.
    pub fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b) + ln_gamma(b + x + 1.0)
            - ln_gamma(b)
            - ln_gamma(a + b + x + 1.0)
            + self.tail(x, t_x, t)
    }

    /// The probability that the customer is still alive at age `t`.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        1.0 / (1.0 + self.log_odds_dropped(x, t_x, t).exp())
    }

    /// Expected purchases in the next `horizon` time units.
    pub fn expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        if horizon <= 0.0 {
            return 0.0;
        }
        let MbgNbd { r, alpha, a, b } = *self;
        let z = horizon / (alpha + t + horizon);
        let ln_f = ln_hyp2f1(r + x, b + x + 1.0, a + b + x, z);
        let ln_ratio = (r + x) * ((alpha + t).ln() - (alpha + t + horizon).ln());
        (a + b + x) / (a - 1.0) * -(ln_f + ln_ratio).exp_m1() * self.p_alive(x, t_x, t)
    }
}

impl Model for MbgNbd {
    const NAME: &'static str = "mbg_nbd";
    const PARAMETERS: &'static [&'static str] = &["r", "alpha", "a", "b"];

    fn from_parameters(v: &[f64]) -> Self {
        MbgNbd {
            r: v[0],
            alpha: v[1],
            a: v[2],
            b: v[3],
        }
    }

    fn parameters(&self) -> Vec<f64> {
        vec![self.r, self.alpha, self.a, self.b]
    }

    fn log_likelihood_range(&self, data: &FitData, range: std::ops::Range<usize>) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        beta_geometric_log_likelihood(data, range, [r, alpha, a, b], 1.0, |x, t_x, t| {
            self.tail(x, t_x, t)
        })
    }

    fn starts(data: &FitData) -> Vec<Vec<f64>> {
        beta_geometric_starts(data)
    }

    const HAS_GRADIENT: bool = true;

    fn log_likelihood_gradient_range(
        &self,
        data: &FitData,
        range: std::ops::Range<usize>,
        gradient: &mut [f64],
    ) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        beta_geometric_gradient(data, range, gradient, [r, alpha, a, b], 1.0)
    }
}
