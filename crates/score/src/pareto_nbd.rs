//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases at a gamma-distributed
//! Poisson rate (r, α) while alive, and an exponential lifetime with a gamma-distributed
//! dropout rate (s, β). The likelihood follows Fader & Hardie's note "Deriving an
//! expression for P(X(t) = x) under the Pareto/NBD model" in log space, with ₂F₁ summed
//! without overflow.

use serde::{Deserialize, Serialize};

use crate::bg_nbd::GammaTables;
use crate::fit::{FitData, Model};
use crate::special::{
    digamma, ln_gamma, ln_hyp2f1_c_is_a_plus_one, ln_hyp2f1_unit_derivatives, log_add_exp,
    log_add_exp_weight, log_sub_exp,
};

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

impl ParetoNbd {
    /// `ln` of `A₀`'s part at one age `τ` (`tₓ` or `T`), so that `A₀ = e^G(tₓ) − e^G(T)`, and
    /// its derivatives in (r, α, s, β). After Euler's transformation, with `S(d, c, z)` the
    /// series of [`ln_hyp2f1_unit_derivatives`] and `c = r + s + x + 1`:
    ///
    /// - α ≥ β: `G = −(r+x) ln(α+τ) − s ln(β+τ) + ln S(r+x, c, (α−β)/(α+τ))`;
    /// - α < β: `G = −(r+x−1) ln(α+τ) − (s+1) ln(β+τ) + ln S(s+1, c, (β−α)/(β+τ))`,
    ///
    /// the two forms of `₂F₁(r+s+x, ·; r+s+x+1; z) / (max(α, β) + τ)^(r+s+x)` in
    /// [`ParetoNbd::ln_a0`].
    fn a0_part(&self, x: f64, age: f64) -> (f64, [f64; 4]) {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let c = r + s + x + 1.0;
        let (at_alpha, at_beta) = (alpha + age, beta + age);
        let (ln_alpha, ln_beta) = (at_alpha.ln(), at_beta.ln());
        if alpha >= beta {
            let z = (alpha - beta) / at_alpha;
            let [ln_s, s_d, s_c, s_z] = ln_hyp2f1_unit_derivatives(r + x, c, z);
            let g = -(r + x) * ln_alpha - s * ln_beta + ln_s;
            let d_alpha = -(r + x) / at_alpha + s_z * at_beta / (at_alpha * at_alpha);
            let d_beta = -s / at_beta - s_z / at_alpha;
            (g, [-ln_alpha + s_d + s_c, d_alpha, -ln_beta + s_c, d_beta])
        } else {
            let z = (beta - alpha) / at_beta;
            let [ln_s, s_d, s_c, s_z] = ln_hyp2f1_unit_derivatives(s + 1.0, c, z);
            let g = -(r + x - 1.0) * ln_alpha - (s + 1.0) * ln_beta + ln_s;
            let d_alpha = -(r + x - 1.0) / at_alpha - s_z / at_beta;
            let d_beta = -(s + 1.0) / at_beta + s_z * at_alpha / (at_beta * at_beta);
            (g, [-ln_alpha + s_c, d_alpha, -ln_beta + s_d + s_c, d_beta])
        }
    }
}

/// The Pareto/NBD log-likelihood of groups `range` and its gradient in (r, α, s, β), added
/// to `gradient`. Per customer,
///
/// `ln Γ(r+x) − ln Γ(r) + r ln α + s ln β + ln(e^L + e^D)`, with the alive term
/// `L = −(r+x) ln(α+T) − s ln(β+T)` and the dropped term `D = ln s − ln(r+s+x) + ln A₀`,
/// `A₀ = e^G(tₓ) − e^G(T)` ([`ParetoNbd::a0_part`]), so that
/// `∂ ln A₀ = (∂G(tₓ) − q ∂G(T)) / (1 − q)` with `q = e^(G(T) − G(tₓ))`. With `w` the
/// weight of `D` in the sum, each derivative is the Gamma terms' plus `(1−w) ∂L + w ∂D`.
/// A customer with `tₓ = T` has no dropped term.
fn pareto_gradient(
    model: &ParetoNbd,
    data: &FitData,
    range: std::ops::Range<usize>,
    gradient: &mut [f64],
) -> f64 {
    let g = data.groups;
    let ParetoNbd { r, alpha, s, beta } = *model;
    let (ln_alpha, ln_beta) = (alpha.ln(), beta.ln());
    let constant = -ln_gamma(r) + r * ln_alpha + s * ln_beta;
    let psi_r = digamma(r);
    let mut ln_gammas = GammaTables::new(g.max_frequency, [r]);
    let mut digammas = GammaTables::with(g.max_frequency, [r], digamma);
    let mut sum = 0.0;
    let mut total = [0.0f64; 4];
    for i in range {
        let (x, t_x, t, n) = (g.frequency[i], g.recency[i], g.t[i], g.count[i]);
        let k = x as usize;
        let (ln_at_alpha, ln_at_beta) = ((alpha + t).ln(), (beta + t).ln());
        let alive = -(r + x) * ln_at_alpha - s * ln_at_beta;
        let d_alive = [
            -ln_at_alpha,
            -(r + x) / (alpha + t),
            -ln_at_beta,
            -s / (beta + t),
        ];
        let mut part = [
            digammas.get(k, 0) - psi_r + ln_alpha,
            r / alpha,
            ln_beta,
            s / beta,
        ];
        let tail = if t_x < t {
            let (g_x, d_x) = model.a0_part(x, t_x);
            let (g_t, d_t) = model.a0_part(x, t);
            let ln_q = g_t - g_x;
            let one_minus_q = -ln_q.exp_m1();
            let q = 1.0 - one_minus_q;
            let rsx = r + s + x;
            let dropped = s.ln() - rsx.ln() + log_sub_exp(g_x, g_t);
            let (tail, w) = log_add_exp_weight(alive, dropped);
            for j in 0..4 {
                let mut d_dropped = (d_x[j] - q * d_t[j]) / one_minus_q;
                if j != 1 && j != 3 {
                    d_dropped -= 1.0 / rsx;
                }
                if j == 2 {
                    d_dropped += 1.0 / s;
                }
                part[j] += (1.0 - w) * d_alive[j] + w * d_dropped;
            }
            tail
        } else {
            for j in 0..4 {
                part[j] += d_alive[j];
            }
            alive
        };
        let ll = constant + ln_gammas.get(k, 0) + tail;
        if !ll.is_finite() {
            return f64::NAN;
        }
        sum += n * ll;
        for (total, part) in total.iter_mut().zip(part) {
            *total += n * part;
        }
    }
    for (sum, part) in gradient.iter_mut().zip(total) {
        *sum += part;
    }
    sum
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

    const HAS_GRADIENT: bool = true;

    fn log_likelihood_gradient_range(
        &self,
        data: &FitData,
        range: std::ops::Range<usize>,
        gradient: &mut [f64],
    ) -> f64 {
        pareto_gradient(self, data, range, gradient)
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
