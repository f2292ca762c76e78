//! Invariants over random parameters and customers.

use proptest::prelude::*;
use sameas_score::{
    BgNbd, CustomerSummary, FitData, MbgNbd, Order, ParetoNbd, SummaryGroups, customer_date_order,
    total_log_likelihood,
};

fn customers() -> impl Strategy<Value = Vec<CustomerSummary>> {
    prop::collection::vec((0u32..40, 0.0f64..1.0, 0.5f64..80.0), 1..60).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (x, share, t))| {
                // Coarse times, so that some customers share a triple.
                let t = (t * 2.0).round() / 2.0 + 0.5;
                let recency = if x == 0 {
                    0.0
                } else {
                    (share * t * 2.0).floor() / 2.0
                };
                CustomerSummary {
                    id: i.to_string(),
                    frequency: x,
                    recency,
                    t,
                    monetary_value: 0.0,
                }
            })
            .collect()
    })
}

fn parameters() -> impl Strategy<Value = [f64; 4]> {
    // Scales within a factor of 200 of each other: beyond that ₂F₁'s argument comes within
    // 0.5% of 1 and its series takes (correctly, but slowly) tens of thousands of terms.
    [0.05f64..10.0, 0.5f64..100.0, 0.05f64..10.0, 0.5f64..100.0]
}

proptest! {
    #[test]
    fn p_alive_is_a_probability_and_predictions_are_finite(
        customers in customers(),
        p in parameters(),
        horizon in 0.0f64..200.0,
    ) {
        let bg = BgNbd { r: p[0], alpha: p[1], a: p[2], b: p[3] };
        let mbg = MbgNbd { r: p[0], alpha: p[1], a: p[2], b: p[3] };
        let pareto = ParetoNbd { r: p[0], alpha: p[1], s: p[2], beta: p[3] };
        for c in &customers {
            let (x, t_x, t) = (f64::from(c.frequency), c.recency, c.t);
            for alive in [bg.p_alive(x, t_x, t), mbg.p_alive(x, t_x, t), pareto.p_alive(x, t_x, t)] {
                prop_assert!((0.0..=1.0).contains(&alive), "{alive}");
            }
            let e = pareto.expected_purchases(horizon, x, t_x, t);
            prop_assert!(e.is_finite() && e >= 0.0, "{e}");
            prop_assert!(pareto.log_likelihood(x, t_x, t).is_finite());
            prop_assert!(bg.log_likelihood(x, t_x, t).is_finite());
            if (p[2] - 1.0).abs() > 0.05 {
                let e = bg.expected_purchases(horizon, x, t_x, t);
                prop_assert!(e.is_finite() && e >= -1e-9, "{e}");
            }
        }
    }

    #[test]
    fn grouped_likelihood_equals_the_sum_over_customers(
        customers in customers(),
        p in parameters(),
    ) {
        let groups = SummaryGroups::new(&customers);
        let data = FitData { groups: &groups };
        let one_by_one = |ll: &dyn Fn(&CustomerSummary) -> f64| -> f64 {
            customers.iter().map(ll).sum()
        };
        let bg = BgNbd { r: p[0], alpha: p[1], a: p[2], b: p[3] };
        let pareto = ParetoNbd { r: p[0], alpha: p[1], s: p[2], beta: p[3] };
        let mbg = MbgNbd { r: p[0], alpha: p[1], a: p[2], b: p[3] };
        let pairs = [
            (total_log_likelihood(&bg, &data),
             one_by_one(&|c| bg.log_likelihood(f64::from(c.frequency), c.recency, c.t))),
            (total_log_likelihood(&pareto, &data),
             one_by_one(&|c| pareto.log_likelihood(f64::from(c.frequency), c.recency, c.t))),
            (total_log_likelihood(&mbg, &data),
             one_by_one(&|c| mbg.log_likelihood(f64::from(c.frequency), c.recency, c.t))),
        ];
        for (grouped, single) in pairs {
            prop_assert!((grouped - single).abs() <= 1e-9 * single.abs().max(1.0),
                "{grouped} {single}");
        }
    }

    #[test]
    fn customer_date_order_is_a_stable_sort_by_customer_and_date(
        rows in prop::collection::vec((0usize..12, 0i8..4), 0..80),
    ) {
        // Ids of up to eight bytes and longer ones sharing their first eight, a NUL byte
        // and a non-ASCII one among them.
        const IDS: [&str; 12] = [
            "C1", "C10", "C1\0", "", "C0000001", "C0000001x", "C0000001a", "C00000010",
            "客户编号", "客户编号1", "Z", "C0000002",
        ];
        let orders: Vec<Order> = rows
            .iter()
            .map(|&(id, day)| Order {
                customer: IDS[id].to_string(),
                date: jiff::civil::Date::constant(2025, 3, 1 + day),
                amount: 1.0,
                channel: String::new(),
            })
            .collect();
        let mut expected: Vec<u32> = (0..orders.len() as u32).collect();
        expected.sort_by(|&a, &b| {
            let (a, b) = (&orders[a as usize], &orders[b as usize]);
            a.customer.cmp(&b.customer).then(a.date.cmp(&b.date))
        });
        prop_assert_eq!(customer_date_order(&orders), expected);
    }
}
