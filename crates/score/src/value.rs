//! Customer value from fitted models: CLV with a discount rate and margin, and churn risk
//! from the customer's own purchase rhythm.

use crate::bg_nbd::BgNbd;
use crate::gamma_gamma::GammaGamma;
use crate::summary::{CustomerSummary, TimeUnit};

/// Customer lifetime value over `months` months: each month's expected purchases (the
/// difference of the cumulative expectation at its end and start) times the expected
/// value of a purchase and the margin, discounted at `monthly_discount` per month. The
/// expected purchases come from `expected(horizon)` in the summaries' `unit`.
pub fn clv(
    expected: impl Fn(f64) -> f64,
    spend: f64,
    unit: TimeUnit,
    months: u32,
    monthly_discount: f64,
    margin: f64,
) -> f64 {
    let cumulative: Vec<f64> = month_ends(unit, months).map(expected).collect();
    discounted(&cumulative, spend, monthly_discount, margin)
}

/// The ends of months `1..=months`, in `unit`s.
pub(crate) fn month_ends(unit: TimeUnit, months: u32) -> impl Iterator<Item = f64> {
    let step = unit.per_month();
    (1..=months).map(move |month| f64::from(month) * step)
}

/// CLV from the cumulative expected purchases at the end of each month.
pub(crate) fn discounted(
    cumulative: &[f64],
    spend: f64,
    monthly_discount: f64,
    margin: f64,
) -> f64 {
    let mut total = 0.0;
    let mut before = 0.0;
    for (month, &cumulative) in (1..).zip(cumulative) {
        total += (cumulative - before) * spend * margin / (1.0 + monthly_discount).powi(month);
        before = cumulative;
    }
    total
}

/// The probability that a customer buying at their own rate would have bought again by
/// now: one minus the chance of a gap as long as the current one. The rate is the
/// customer's own (repeat purchases over the time they took), shrunk towards the
/// population's gamma(r, α) from BG/NBD, so one purchase says little and many say a lot:
/// `1 − ((α + t_x) / (α + T))^(r + x)`. Near 1, the silence is long for this customer's
/// rhythm (the gap between purchases has grown); near 0, it is ordinary.
pub fn churn_risk(model: &BgNbd, customer: &CustomerSummary) -> f64 {
    let x = f64::from(customer.frequency);
    let ratio = (model.alpha + customer.recency) / (model.alpha + customer.t);
    1.0 - ratio.powf(model.r + x)
}

/// CLV of one customer from BG/NBD and Gamma-Gamma.
pub fn clv_bg_nbd(
    purchases: &BgNbd,
    spend: &GammaGamma,
    customer: &CustomerSummary,
    unit: TimeUnit,
    months: u32,
    monthly_discount: f64,
    margin: f64,
) -> f64 {
    let x = f64::from(customer.frequency);
    let value = spend.expected_spend(x, customer.monetary_value);
    let horizons: Vec<f64> = month_ends(unit, months).collect();
    let mut cumulative = vec![0.0; horizons.len()];
    purchases.expected_purchases_many(&horizons, x, customer.recency, customer.t, &mut cumulative);
    discounted(&cumulative, value, monthly_discount, margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_clv_of_cdnow_customer_one_in_weeks() {
        let bg = BgNbd {
            r: 0.24259294800215597,
            alpha: 4.413533856810659,
            a: 0.7928825094167945,
            b: 2.4257420685826365,
        };
        let gg = GammaGamma {
            p: 6.248814602726538,
            q: 3.7445861039584765,
            v: 15.447704692626363,
        };
        let one = CustomerSummary {
            id: "1".into(),
            frequency: 2,
            recency: 30.43,
            t: 38.86,
            monetary_value: 22.35,
        };
        let weekly = clv_bg_nbd(&bg, &gg, &one, TimeUnit::Week, 12, 0.01, 1.0);
        assert!((weekly - 36.28).abs() < 0.01, "{weekly}");
        // The same weekly data read as days gives the number printed by lifetimes' docs.
        let misread = clv_bg_nbd(&bg, &gg, &one, TimeUnit::Day, 12, 0.01, 1.0);
        assert!((misread - 140.10).abs() < 0.02, "{misread}");
    }

    #[test]
    fn churn_risk_grows_with_the_silence() {
        let bg = BgNbd {
            r: 0.25,
            alpha: 4.4,
            a: 0.8,
            b: 2.4,
        };
        let customer = |recency: f64| CustomerSummary {
            id: String::new(),
            frequency: 6,
            recency,
            t: 40.0,
            monetary_value: 1.0,
        };
        let fresh = churn_risk(&bg, &customer(39.0));
        let silent = churn_risk(&bg, &customer(10.0));
        assert!(fresh < 0.2 && silent > 0.9, "{fresh} {silent}");
        assert_eq!(churn_risk(&bg, &customer(40.0)), 0.0);
    }
}
