//! BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): purchases
//! at a gamma-distributed Poisson rate (r, α) while alive, and after each purchase the
//! customer drops out with a beta-distributed probability (a, b).

use serde::{Deserialize, Serialize};

use crate::fit::{FitData, Model};
use crate::special::{digamma, ln_gamma, ln_hyp2f1_fast_many, log_add_exp, log_add_exp_weight};

/// BG/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgNbd {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma, in the summaries' time unit.
    pub alpha: f64,
    /// First shape of the dropout-probability beta.
    pub a: f64,
    /// Second shape of the dropout-probability beta.
    pub b: f64,
}

impl BgNbd {
    /// The log-likelihood of one customer with `x` repeat purchases, last at age `t_x`, at
    /// age `t`.
    pub fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let head =
            ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b) + ln_gamma(b + x)
                - ln_gamma(b)
                - ln_gamma(a + b + x);
        head + self.tail(x, t_x, t)
    }

    /// The terms after the gamma functions, in log space.
    fn tail(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let alive = -(r + x) * (alpha + t).ln();
        if x > 0.0 {
            let dropped = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + t_x).ln();
            log_add_exp(alive, dropped)
        } else {
            alive
        }
    }

    /// The probability that the customer is still alive at age `t`.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let log_odds =
            a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + t).ln() - (alpha + t_x).ln());
        1.0 / (1.0 + log_odds.exp())
    }

    /// Expected purchases in the next `horizon` time units.
    pub fn expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        if horizon <= 0.0 {
            return 0.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let z = horizon / (alpha + t + horizon);
        let mut ln_f = [0.0];
        ln_hyp2f1_fast_many(r + x, b + x, a + b + x - 1.0, &[z], &mut ln_f);
        let ln_f = ln_f[0];
        let ln_ratio = (r + x) * ((alpha + t).ln() - (alpha + t + horizon).ln());
        let first = (a + b + x - 1.0) / (a - 1.0);
        let second = -(ln_f + ln_ratio).exp_m1();
        first * second * self.p_alive(x, t_x, t)
    }

    /// [`BgNbd::expected_purchases`] over each of `horizons`, written to `out`: the same
    /// numbers to the bit, with the ₂F₁ series of all horizons summed together (the CLV of
    /// one customer needs one per month).
    pub fn expected_purchases_many(
        &self,
        horizons: &[f64],
        x: f64,
        t_x: f64,
        t: f64,
        out: &mut [f64],
    ) {
        self.expected_purchases_factors(horizons, x, t, out);
        let p_alive = self.p_alive(x, t_x, t);
        for (e, &horizon) in out.iter_mut().zip(horizons) {
            *e = if horizon <= 0.0 { 0.0 } else { *e * p_alive };
        }
    }

    /// The part of [`BgNbd::expected_purchases`] that depends on `x` and `t` alone, over
    /// each of `horizons` (0 for a horizon of at most 0), written to `out`: the expected
    /// purchases are this factor times P(alive) ([`BgNbd::p_alive`]), to the bit. Customers
    /// with the same (x, T) share it, and they are few: one ₂F₁ series per (x, T) instead of
    /// one per customer.
    pub fn expected_purchases_factors(&self, horizons: &[f64], x: f64, t: f64, out: &mut [f64]) {
        assert_eq!(horizons.len(), out.len(), "one output per horizon");
        let BgNbd { r, alpha, a, b } = *self;
        // Non-positive horizons give 0; the others' series run together.
        let zs: Vec<f64> = horizons
            .iter()
            .map(|&h| if h <= 0.0 { 0.0 } else { h / (alpha + t + h) })
            .collect();
        ln_hyp2f1_fast_many(r + x, b + x, a + b + x - 1.0, &zs, out);
        let first = (a + b + x - 1.0) / (a - 1.0);
        for (e, &horizon) in out.iter_mut().zip(horizons) {
            if horizon <= 0.0 {
                *e = 0.0;
                continue;
            }
            let ln_ratio = (r + x) * ((alpha + t).ln() - (alpha + t + horizon).ln());
            let second = -(*e + ln_ratio).exp_m1();
            *e = first * second;
        }
    }
}

impl Model for BgNbd {
    const NAME: &'static str = "bg_nbd";
    const PARAMETERS: &'static [&'static str] = &["r", "alpha", "a", "b"];

    fn from_parameters(v: &[f64]) -> Self {
        BgNbd {
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
        let BgNbd { r, alpha, a, b } = *self;
        beta_geometric_log_likelihood(data, range, [r, alpha, a, b], 0.0, |x, t_x, t| {
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
        let BgNbd { r, alpha, a, b } = *self;
        beta_geometric_gradient(data, range, gradient, [r, alpha, a, b], 0.0)
    }
}

/// The log-likelihood of BG/NBD (`shift` 0) or MBG/NBD (`shift` 1) over groups `range`:
/// the Gamma terms they share, and each model's `tail` (its `ln(e^A + e^D)`, as
/// [`beta_geometric_gradient`] writes it) of (x, tₓ, T).
pub(crate) fn beta_geometric_log_likelihood(
    data: &FitData,
    range: std::ops::Range<usize>,
    [r, alpha, a, b]: [f64; 4],
    shift: f64,
    tail: impl Fn(f64, f64, f64) -> f64,
) -> f64 {
    let g = data.groups;
    let constant = -ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b) - ln_gamma(b);
    let mut tables = GammaTables::new(g.max_frequency, [r, b + shift, a + b + shift]);
    let mut sum = 0.0;
    for i in range {
        let x = g.frequency[i];
        let k = x as usize;
        let gammas = tables.get(k, 0) + tables.get(k, 1) - tables.get(k, 2);
        sum += g.count[i] * (constant + gammas + tail(x, g.recency[i], g.t[i]));
    }
    sum
}

/// Deterministic starting points of the BG/NBD and MBG/NBD fits: r and α from the mean
/// purchase rate, three shapes of the dropout distribution.
pub(crate) fn beta_geometric_starts(data: &FitData) -> Vec<Vec<f64>> {
    let rate = (data.groups.mean_frequency() + 0.5) / data.groups.mean_t().max(1e-9);
    [(1.0, 1.0, 1.0), (0.3, 0.5, 3.0), (3.0, 2.0, 6.0)]
        .iter()
        .map(|&(r, a, b)| vec![r, r / rate, a, b])
        .collect()
}

/// The log-likelihood and its gradient in (r, α, a, b) of BG/NBD (`shift` 0) or MBG/NBD
/// (`shift` 1), which differ only in where the dropout count starts. Per customer,
///
/// `ln Γ(r+x) − ln Γ(r) + r ln α + ln Γ(a+b) + ln Γ(b+x+σ) − ln Γ(b) − ln Γ(a+b+x+σ)
///  + ln(e^A + e^D)`
///
/// with `A = −(r+x) ln(α+T)` and `D = ln a − ln(b+x−1+σ) − (r+x) ln(α+tₓ)`, the `D` term
/// absent in BG/NBD for `x = 0`. With `w` the weight of `D` in the sum, the tail's
/// derivatives are `−(1−w) ln(α+T) − w ln(α+tₓ)` in r, `−(r+x)((1−w)/(α+T) + w/(α+tₓ))`
/// in α, `w/a` in a and `−w/(b+x−1+σ)` in b.
pub(crate) fn beta_geometric_gradient(
    data: &FitData,
    range: std::ops::Range<usize>,
    gradient: &mut [f64],
    [r, alpha, a, b]: [f64; 4],
    shift: f64,
) -> f64 {
    let g = data.groups;
    let (ln_alpha, ln_a) = (alpha.ln(), a.ln());
    let constant = -ln_gamma(r) + r * ln_alpha + ln_gamma(a + b) - ln_gamma(b);
    let psi_constant = [digamma(r), digamma(b), digamma(a + b)];
    let base = [r, b + shift, a + b + shift];
    let mut ln_gammas = GammaTables::new(g.max_frequency, base);
    let mut digammas = GammaTables::with(g.max_frequency, base, digamma);
    let mut sum = 0.0;
    let mut d = [0.0f64; 4];
    for i in range {
        let (x, t_x, t, n) = (g.frequency[i], g.recency[i], g.t[i], g.count[i]);
        let k = x as usize;
        let gammas = ln_gammas.get(k, 0) + ln_gammas.get(k, 1) - ln_gammas.get(k, 2);
        let (psi_rx, psi_bx, psi_abx) =
            (digammas.get(k, 0), digammas.get(k, 1), digammas.get(k, 2));
        let ln_t = (alpha + t).ln();
        let alive = -(r + x) * ln_t;
        let mut dr = psi_rx - psi_constant[0] + ln_alpha;
        let mut dalpha = r / alpha;
        let mut da = psi_constant[2] - psi_abx;
        let mut db = psi_constant[2] + psi_bx - psi_constant[1] - psi_abx;
        let tail = if x > 0.0 || shift > 0.0 {
            let ln_tx = (alpha + t_x).ln();
            let count = b + x - 1.0 + shift;
            let dropped = ln_a - count.ln() - (r + x) * ln_tx;
            let (tail, w) = log_add_exp_weight(alive, dropped);
            dr -= (1.0 - w) * ln_t + w * ln_tx;
            dalpha -= (r + x) * ((1.0 - w) / (alpha + t) + w / (alpha + t_x));
            da += w / a;
            db -= w / count;
            tail
        } else {
            dr -= ln_t;
            dalpha -= (r + x) / (alpha + t);
            alive
        };
        sum += n * (constant + gammas + tail);
        for (total, part) in d.iter_mut().zip([dr, dalpha, da, db]) {
            *total += n * part;
        }
    }
    for (total, part) in gradient.iter_mut().zip(d) {
        *total += part;
    }
    sum
}

/// `ln Γ(pⱼ + k)` (or another function of `pⱼ + k`) for small integers `k`, computed on
/// first use: frequencies repeat, so a likelihood evaluation needs few gamma functions.
pub(crate) struct GammaTables<const N: usize> {
    base: [f64; N],
    function: fn(f64) -> f64,
    values: Vec<[f64; N]>,
    known: Vec<bool>,
}

impl<const N: usize> GammaTables<N> {
    pub(crate) fn new(max_frequency: u32, base: [f64; N]) -> Self {
        Self::with(max_frequency, base, ln_gamma)
    }

    pub(crate) fn with(max_frequency: u32, base: [f64; N], function: fn(f64) -> f64) -> Self {
        let len = (max_frequency as usize + 1).min(1 << 16);
        GammaTables {
            base,
            function,
            values: vec![[0.0; N]; len],
            known: vec![false; len],
        }
    }

    pub(crate) fn get(&mut self, k: usize, j: usize) -> f64 {
        if k >= self.known.len() {
            return (self.function)(self.base[j] + k as f64);
        }
        if !self.known[k] {
            for (slot, base) in self.values[k].iter_mut().zip(self.base) {
                *slot = (self.function)(base + k as f64);
            }
            self.known[k] = true;
        }
        self.values[k][j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CDNOW: BgNbd = BgNbd {
        r: 0.2426,
        alpha: 4.4135,
        a: 0.7929,
        b: 2.4258,
    };

    #[test]
    fn published_predictions_for_a_cdnow_customer() {
        // Fader, Hardie & Lee 2005: x = 2, t_x = 30.43, T = 38.86 (weeks).
        let p = CDNOW.p_alive(2.0, 30.43, 38.86);
        assert!((p - 0.7266).abs() < 5e-4, "{p}");
        let e = CDNOW.expected_purchases(39.0, 2.0, 30.43, 38.86);
        assert!((e - 1.2259).abs() < 5e-4, "{e}");
    }

    #[test]
    fn many_horizons_match_one_at_a_time_to_the_bit() {
        let horizons = [0.0, 1.0, 4.345, 26.07, 52.1786, 52.14, 300.0, -2.0];
        for &(x, t_x, t) in &[(0.0, 0.0, 38.86), (2.0, 30.43, 38.86), (140.0, 70.0, 78.0)] {
            let mut many = [0.0; 8];
            CDNOW.expected_purchases_many(&horizons, x, t_x, t, &mut many);
            for (h, m) in horizons.iter().zip(many) {
                let one = CDNOW.expected_purchases(*h, x, t_x, t);
                assert_eq!(one.to_bits(), m.to_bits(), "{x} {t_x} {t} {h}: {one} {m}");
            }
        }
    }

    #[test]
    fn shared_factors_times_p_alive_match_to_the_bit() {
        let horizons = [0.0, 4.345, 52.1786, -1.0];
        let mut factors = [0.0; 4];
        CDNOW.expected_purchases_factors(&horizons, 2.0, 38.86, &mut factors);
        // Customers of one (x, T) and different tₓ share the factors.
        for t_x in [0.5, 12.0, 30.43, 38.86] {
            let p = CDNOW.p_alive(2.0, t_x, 38.86);
            for (h, f) in horizons.iter().zip(factors) {
                let one = CDNOW.expected_purchases(*h, 2.0, t_x, 38.86);
                let shared = if *h <= 0.0 { 0.0 } else { f * p };
                assert_eq!(one.to_bits(), shared.to_bits(), "{t_x} {h}: {one} {shared}");
            }
        }
    }

    #[test]
    fn no_repeat_purchase_means_alive() {
        assert_eq!(CDNOW.p_alive(0.0, 0.0, 30.0), 1.0);
        assert!(CDNOW.expected_purchases(0.0, 1.0, 2.0, 3.0) == 0.0);
    }
}
