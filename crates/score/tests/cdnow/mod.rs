//! The published CDNOW fits (2,357 customers, weeks).

use std::path::Path;

use sameas_score::{
    BgNbd, CustomerSummary, FitData, GammaGamma, MbgNbd, Model, ParetoNbd, SummaryGroups, fit,
    total_log_likelihood, total_log_likelihood_gradient,
};

/// The summary with the mean repeat-purchase value.
pub fn cdnow() -> Vec<CustomerSummary> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/cdnow/cdnow_customers_summary_with_transactions.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            let number = |i: usize| row[i].trim().parse::<f64>().unwrap();
            CustomerSummary {
                id: row[0].to_string(),
                frequency: number(1) as u32,
                recency: number(2),
                t: number(3),
                monetary_value: number(4),
            }
        })
        .collect()
}

fn within(value: f64, published: f64, tolerance: f64) -> bool {
    (value - published).abs() <= tolerance * published.abs()
}

#[test]
fn bg_nbd_reaches_the_published_fit() {
    let customers = cdnow();
    assert_eq!(customers.len(), 2357);
    let fitted = fit::<BgNbd>(&SummaryGroups::new(&customers)).unwrap();
    let m = fitted.model;
    eprintln!("{fitted:?}");
    for (value, published) in [
        (m.r, 0.2426),
        (m.alpha, 4.4135),
        (m.a, 0.7929),
        (m.b, 2.4258),
    ] {
        assert!(within(value, published, 1e-3), "{value} vs {published}");
    }
    assert!(
        within(fitted.log_likelihood, -9582.4, 1e-4),
        "{}",
        fitted.log_likelihood
    );
    let p = m.p_alive(2.0, 30.43, 38.86);
    assert!((p - 0.7266).abs() < 5e-4, "{p}");
    let e = m.expected_purchases(39.0, 2.0, 30.43, 38.86);
    assert!((e - 1.2259).abs() < 5e-4, "{e}");
}

#[test]
fn pareto_nbd_reaches_the_published_fit() {
    let fitted = fit::<ParetoNbd>(&SummaryGroups::new(&cdnow())).unwrap();
    let m = fitted.model;
    eprintln!("{fitted:?}");
    for (value, published) in [
        (m.r, 0.5533),
        (m.alpha, 10.5774),
        (m.s, 0.6062),
        (m.beta, 11.6691),
    ] {
        assert!(within(value, published, 1e-2), "{value} vs {published}");
    }
    assert!(
        within(fitted.log_likelihood, -9595.0, 1e-4),
        "{}",
        fitted.log_likelihood
    );
}

#[test]
fn gamma_gamma_reaches_the_published_fit() {
    let fitted = fit::<GammaGamma>(&GammaGamma::groups(&cdnow())).unwrap();
    let m = fitted.model;
    eprintln!("{fitted:?}");
    assert_eq!(fitted.customers, 946);
    for (value, published) in [(m.p, 6.2488), (m.q, 3.7446), (m.v, 15.4477)] {
        assert!(within(value, published, 1e-3), "{value} vs {published}");
    }
}

#[test]
fn mbg_nbd_fits_close_to_bg_nbd() {
    let fitted = fit::<MbgNbd>(&SummaryGroups::new(&cdnow())).unwrap();
    eprintln!("{fitted:?}");
    assert!(fitted.log_likelihood.is_finite());
    assert!(fitted.standard_errors.is_some());
}

/// The analytic gradient against central differences of the likelihood alone (a separate
/// code path), at points away from the maximum where every term matters.
fn check_gradient<M: Model>(groups: &SummaryGroups, at: &[f64]) {
    let data = FitData { groups };
    let (ll, gradient) = total_log_likelihood_gradient(&M::from_parameters(at), &data);
    let plain = total_log_likelihood(&M::from_parameters(at), &data);
    assert!((ll - plain).abs() <= 1e-9 * plain.abs(), "{ll} vs {plain}");
    for i in 0..at.len() {
        let h = 1e-5 * at[i];
        let mut up = at.to_vec();
        up[i] += h;
        let mut down = at.to_vec();
        down[i] -= h;
        let numeric = (total_log_likelihood(&M::from_parameters(&up), &data)
            - total_log_likelihood(&M::from_parameters(&down), &data))
            / (2.0 * h);
        assert!(
            (gradient[i] - numeric).abs() <= 1e-4 * numeric.abs().max(1.0),
            "{} {}: analytic {} vs numeric {numeric}",
            M::NAME,
            M::PARAMETERS[i],
            gradient[i]
        );
    }
}

#[test]
fn gradients_match_finite_differences() {
    let customers = cdnow();
    let groups = SummaryGroups::new(&customers);
    for at in [
        [0.2426, 4.4135, 0.7929, 2.4258],
        [0.9, 2.0, 3.5, 0.4],
        [3.0, 40.0, 0.1, 8.0],
    ] {
        check_gradient::<BgNbd>(&groups, &at);
        check_gradient::<MbgNbd>(&groups, &at);
    }
    // α above and below β: the two forms of ₂F₁ after Euler's transformation.
    for at in [
        [0.5533, 10.5774, 0.6062, 11.6691],
        [0.5533, 11.6691, 0.6062, 10.5774],
        [2.5, 30.0, 0.2, 1.5],
        [0.1, 0.8, 3.0, 60.0],
    ] {
        check_gradient::<ParetoNbd>(&groups, &at);
    }
    let spend = GammaGamma::groups(&customers);
    for at in [
        [6.2488, 3.7446, 15.4477],
        [1.5, 9.0, 80.0],
        [20.0, 1.2, 2.0],
    ] {
        check_gradient::<GammaGamma>(&spend, &at);
    }
}
