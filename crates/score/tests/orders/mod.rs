//! From order rows to scores on customers simulated from BG/NBD: the fit finds the
//! generating parameters, and row order never changes the answer.

use jiff::civil::Date;
use sameas_score::{
    BgNbd, OrderColumns, Period, ScoreConfig, Scores, TimeUnit, read_orders, score_histories,
    summarise,
};
use sameas_synth::{PurchaseProcess, TransactionConfig, simulate_customer};

const CUSTOMERS: u64 = 1500;

fn rows() -> (TransactionConfig, Vec<Vec<String>>) {
    let config = TransactionConfig::cdnow_like(false, 9);
    let start = Date::constant(2025, 1, 1);
    let mut rows = Vec::new();
    for c in 0..CUSTOMERS {
        let customer = simulate_customer(&config, c);
        for (k, (day, cents)) in customer.days.iter().zip(&customer.cents).enumerate() {
            let date = start
                .checked_add(jiff::Span::new().days(*day as i64))
                .unwrap();
            let amount = format!("{}.{:02}", cents / 100, cents % 100);
            rows.push(vec![
                format!("C{c:05}"),
                date.to_string(),
                amount,
                String::new(),
            ]);
            if k % 13 == 5 {
                rows.push(vec![
                    format!("C{c:05}"),
                    date.to_string(),
                    "-1.00".into(),
                    "refunded".into(),
                ]);
            }
        }
    }
    (config, rows)
}

fn score(rows: &[Vec<String>]) -> (Scores, usize) {
    let headers: Vec<String> = ["customer_id", "date", "amount", "status"]
        .map(String::from)
        .to_vec();
    let columns = OrderColumns::find(&headers, None).unwrap();
    let orders = read_orders(
        &columns,
        &headers,
        rows.iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r.as_slice())),
        |r| Some(r.to_string()),
        Date::constant(2026, 12, 31),
    );
    let refunds = rows.iter().filter(|r| r[3] == "refunded").count();
    assert_eq!(orders.bad.len(), refunds);
    let period = Period {
        unit: TimeUnit::Week,
        calibration_end: Some(Date::constant(2025, 9, 30)),
        end: Date::constant(2026, 6, 30),
    };
    let histories = summarise(&orders.orders, &period);
    let scores = score_histories(
        &histories,
        Some(period.holdout_length()),
        &ScoreConfig::default(),
    )
    .unwrap();
    (scores, histories.len())
}

#[test]
fn bg_nbd_recovers_simulated_parameters_whatever_the_row_order() {
    let (config, rows) = rows();
    let (scores, customers) = score(&rows);
    assert_eq!(customers as u64, CUSTOMERS);
    let fit = scores.fits.bg_nbd.as_ref().unwrap();
    let se = fit.standard_errors.clone().unwrap();
    let PurchaseProcess::BgNbd { r, alpha, a, b } = config.process else {
        unreachable!()
    };
    let BgNbd {
        r: fr,
        alpha: fa,
        a: fa2,
        b: fb,
    } = fit.model;
    for ((estimate, truth), se) in [(fr, r), (fa, alpha), (fa2, a), (fb, b)].iter().zip(&se) {
        assert!(
            (estimate - truth).abs() <= 3.0 * se,
            "{estimate} vs {truth} (se {se})"
        );
    }
    // The holdout total is within 10% of the actual purchases.
    let total = scores
        .holdout
        .as_ref()
        .unwrap()
        .rows
        .last()
        .unwrap()
        .clone();
    assert_eq!(total.frequency, "total");
    let predicted = total.predicted_bg_nbd.unwrap();
    assert!(
        (predicted - total.actual).abs() < 0.1 * total.actual,
        "{predicted} {}",
        total.actual
    );

    let mut shuffled = rows.clone();
    shuffled.reverse();
    shuffled.rotate_left(17);
    let (again, _) = score(&shuffled);
    assert_eq!(
        format!("{:?}", scores.customers),
        format!("{:?}", again.customers)
    );
    assert_eq!(scores.fits, again.fits);
}
