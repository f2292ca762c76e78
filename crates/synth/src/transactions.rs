//! Orders from known buy-till-you-die processes, so that customer-value models can be checked
//! for recovery: each customer's purchase rate is gamma(r, α); under BG/NBD they drop out
//! after each repeat purchase with a beta(a, b)-distributed probability, under Pareto/NBD
//! at an exponential time with a gamma(s, β) rate; each purchase's value is gamma(p, ν) with
//! ν gamma(q, v) per customer (Gamma-Gamma). Rates and scales are per week. Each customer
//! draws from its own stream of the seed, so the orders do not depend on the thread count.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::rng::Draw;

/// How customers purchase while alive and how they drop out (rates per week).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PurchaseProcess {
    /// BG/NBD: dropout after each repeat purchase with probability p ~ beta(a, b).
    BgNbd {
        /// Purchase-rate gamma shape.
        r: f64,
        /// Purchase-rate gamma scale (weeks).
        alpha: f64,
        /// Dropout beta first shape.
        a: f64,
        /// Dropout beta second shape.
        b: f64,
    },
    /// Pareto/NBD: an exponential lifetime with rate μ ~ gamma(s, β).
    ParetoNbd {
        /// Purchase-rate gamma shape.
        r: f64,
        /// Purchase-rate gamma scale (weeks).
        alpha: f64,
        /// Dropout-rate gamma shape.
        s: f64,
        /// Dropout-rate gamma scale (weeks).
        beta: f64,
    },
}

/// Gamma-Gamma spend: a purchase's value is gamma(p, ν), ν ~ gamma(q, v).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpendProcess {
    /// Shape of a purchase's value.
    pub p: f64,
    /// Shape of the customers' rate gamma.
    pub q: f64,
    /// Scale of the customers' rate gamma (currency).
    pub v: f64,
}

/// What orders to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransactionConfig {
    /// Purchasing and dropout.
    pub process: PurchaseProcess,
    /// Spend.
    pub spend: SpendProcess,
    /// The first day a customer may make a first purchase (`YYYY-MM-DD`).
    pub start: String,
    /// Days over which first purchases are spread (uniformly).
    pub acquisition_days: u32,
    /// Days from `start` to the end of observation; no order is later.
    pub observed_days: u32,
    /// Share of orders followed by a return (a row with a negative amount and status
    /// `returned`), which a scorer must report, not count.
    pub return_rate: f64,
    /// The seed.
    pub seed: u64,
}

impl TransactionConfig {
    /// The published CDNOW parameters (Fader, Hardie & Lee 2005) with spend scaled to a
    /// retail basket (mean value 6.25 × 150 / 2.74 ≈ 342 a purchase), 90 days of
    /// acquisition and 78 weeks of observation, as CDNOW's.
    pub fn cdnow_like(pareto: bool, seed: u64) -> TransactionConfig {
        TransactionConfig {
            process: if pareto {
                PurchaseProcess::ParetoNbd {
                    r: 0.5533,
                    alpha: 10.5774,
                    s: 0.6062,
                    beta: 11.6691,
                }
            } else {
                PurchaseProcess::BgNbd {
                    r: 0.2426,
                    alpha: 4.4135,
                    a: 0.7929,
                    b: 2.4258,
                }
            },
            spend: SpendProcess {
                p: 6.2488,
                q: 3.7446,
                v: 150.0,
            },
            start: "2025-01-01".into(),
            acquisition_days: 90,
            observed_days: 546,
            return_rate: 0.02,
            seed,
        }
    }
}

/// One customer's purchases: day offsets from `start` (ascending, fractional) and values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedCustomer {
    /// Days from the start to each purchase, the first purchase first.
    pub days: Vec<f64>,
    /// The value of each purchase, in cents.
    pub cents: Vec<u64>,
}

/// A gamma(shape, 1) draw (Marsaglia & Tsang; shape < 1 by boosting).
fn gamma(draw: &mut Draw, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = draw.unit().max(f64::MIN_POSITIVE);
        return gamma(draw, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let (x, v) = loop {
            let x = normal(draw);
            let v = 1.0 + c * x;
            if v > 0.0 {
                break (x, v * v * v);
            }
        };
        let u = draw.unit();
        if u < 1.0 - 0.0331 * x.powi(4)
            || u.max(f64::MIN_POSITIVE).ln() < 0.5 * x * x + d * (1.0 - v + v.ln())
        {
            return d * v;
        }
    }
}

/// A standard normal draw (Box–Muller, one of the pair).
fn normal(draw: &mut Draw) -> f64 {
    let u1 = draw.unit().max(f64::MIN_POSITIVE);
    let u2 = draw.unit();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn exponential(draw: &mut Draw, rate: f64) -> f64 {
    -(1.0 - draw.unit()).ln() / rate
}

/// Simulates customer `index`: purchases from the first (day of acquisition) to the end of
/// observation or dropout.
pub fn simulate_customer(config: &TransactionConfig, index: u64) -> SimulatedCustomer {
    let mut draw = Draw::new(config.seed, 11, index);
    let first = draw.unit() * f64::from(config.acquisition_days);
    let horizon = f64::from(config.observed_days);
    let (r, alpha) = match config.process {
        PurchaseProcess::BgNbd { r, alpha, .. } | PurchaseProcess::ParetoNbd { r, alpha, .. } => {
            (r, alpha)
        }
    };
    // Rates per week, times in days.
    let lambda = gamma(&mut draw, r) / alpha / 7.0;
    let nu = gamma(&mut draw, config.spend.q) / config.spend.v;
    let mut days = vec![first];
    match config.process {
        PurchaseProcess::BgNbd { a, b, .. } => {
            let (x, y) = (gamma(&mut draw, a), gamma(&mut draw, b));
            let p = x / (x + y);
            let mut t = first;
            loop {
                t += exponential(&mut draw, lambda);
                if t > horizon {
                    break;
                }
                days.push(t);
                if draw.chance(p) {
                    break;
                }
            }
        }
        PurchaseProcess::ParetoNbd { s, beta, .. } => {
            let mu = gamma(&mut draw, s) / beta / 7.0;
            let death = first + exponential(&mut draw, mu);
            let end = death.min(horizon);
            let mut t = first;
            loop {
                t += exponential(&mut draw, lambda);
                if t > end {
                    break;
                }
                days.push(t);
            }
        }
    }
    let cents = days
        .iter()
        .map(|_| {
            ((gamma(&mut draw, config.spend.p) / nu) * 100.0)
                .round()
                .max(1.0) as u64
        })
        .collect();
    SimulatedCustomer { days, cents }
}

/// Writes the orders of `customers` (one reference list per customer: the record ids and
/// channels its orders are spread over) as CSV, `customer_id,order_id,date,amount,channel,
/// status`, ordered by date, then customer, then purchase; returns the orders written.
///
/// # Errors
/// When the writer fails, or `start` is not a `YYYY-MM-DD` date.
pub fn write_orders<W: Write>(
    config: &TransactionConfig,
    customers: &[Vec<(String, String)>],
    mut out: W,
) -> std::io::Result<u64> {
    use rayon::prelude::*;
    let start = parse_day(&config.start).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "start is not YYYY-MM-DD")
    })?;
    // (day, customer, purchase, reference, cents, returned)
    let mut rows: Vec<(u32, u32, u32, u32, u64, bool)> = customers
        .par_iter()
        .enumerate()
        .flat_map_iter(|(c, refs)| {
            let simulated = simulate_customer(config, c as u64);
            let mut draw = Draw::new(config.seed, 12, c as u64);
            let mut out = Vec::with_capacity(simulated.days.len());
            for (k, (day, cents)) in simulated.days.iter().zip(&simulated.cents).enumerate() {
                let reference = draw.below(refs.len().max(1)) as u32;
                let returned = draw.chance(config.return_rate);
                out.push((*day as u32, c as u32, k as u32, reference, *cents, returned));
            }
            out
        })
        .collect();
    rows.sort_unstable_by_key(|r| (r.0, r.1, r.2));
    writeln!(out, "customer_id,order_id,date,amount,channel,status")?;
    let mut order = 0u64;
    for (day, c, _, reference, cents, returned) in rows {
        let (id, channel) = &customers[c as usize][reference as usize];
        let date = civil_date(start + i64::from(day));
        order += 1;
        let amount = format!("{}.{:02}", cents / 100, cents % 100);
        writeln!(out, "{id},O{order:09},{date},{amount},{channel},paid")?;
        if returned {
            order += 1;
            writeln!(out, "{id},O{order:09},{date},-{amount},{channel},returned")?;
        }
    }
    out.flush()?;
    Ok(order)
}

/// Writes the exact summaries of `customers` simulated customers (`C0000001` …) in weeks,
/// `customer_id,frequency,recency,T,monetary_value`, from the continuous purchase times:
/// what the models see before orders are rounded to days (where two purchases on one day
/// count once). Returns the customers written.
///
/// # Errors
/// When the writer fails.
pub fn write_summary<W: Write>(
    config: &TransactionConfig,
    customers: u64,
    mut out: W,
) -> std::io::Result<u64> {
    use rayon::prelude::*;
    let rows: Vec<String> = (0..customers)
        .into_par_iter()
        .map(|c| {
            let s = simulate_customer(config, c);
            let first = s.days[0];
            let frequency = s.days.len() - 1;
            let recency = (s.days[frequency] - first) / 7.0;
            let t = (f64::from(config.observed_days) - first) / 7.0;
            let repeat: u64 = s.cents.iter().skip(1).sum();
            let monetary = if frequency > 0 {
                repeat as f64 / 100.0 / frequency as f64
            } else {
                0.0
            };
            format!("C{:07},{frequency},{recency},{t},{monetary}\n", c + 1)
        })
        .collect();
    writeln!(out, "customer_id,frequency,recency,T,monetary_value")?;
    for row in rows {
        out.write_all(row.as_bytes())?;
    }
    out.flush()?;
    Ok(customers)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn parse_day(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `YYYY-MM-DD` of days since 1970-01-01 (Hinnant's civil_from_days).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for text in ["1970-01-01", "2024-02-29", "2025-12-31", "2000-03-01"] {
            assert_eq!(civil_date(parse_day(text).unwrap()), text);
        }
        assert_eq!(parse_day("2025-01-01"), Some(20_089));
    }

    #[test]
    fn gamma_draws_have_the_right_mean() {
        let mut draw = Draw::new(3, 0, 0);
        for shape in [0.3, 1.0, 6.25] {
            let n = 40_000;
            let mean: f64 = (0..n).map(|_| gamma(&mut draw, shape)).sum::<f64>() / n as f64;
            assert!(
                (mean - shape).abs() < 0.03 * shape.max(1.0),
                "{shape}: {mean}"
            );
        }
    }

    #[test]
    fn customers_are_seeded_and_stay_in_the_window() {
        let config = TransactionConfig::cdnow_like(false, 5);
        let a = simulate_customer(&config, 42);
        assert_eq!(a, simulate_customer(&config, 42));
        for c in 0..500 {
            let s = simulate_customer(&config, c);
            assert!(s.days[0] < 90.0);
            assert!(s.days.windows(2).all(|w| w[0] <= w[1]));
            assert!(*s.days.last().unwrap() <= 546.0);
            assert!(s.cents.iter().all(|&c| c >= 1));
        }
        let pareto = TransactionConfig::cdnow_like(true, 5);
        assert_ne!(simulate_customer(&pareto, 42), a);
    }

    #[test]
    fn orders_are_written_in_date_order_with_returns() {
        let config = TransactionConfig::cdnow_like(false, 1);
        let customers: Vec<Vec<(String, String)>> = (0..200)
            .map(|c| {
                vec![
                    (format!("R{c}"), "app".to_string()),
                    (format!("S{c}"), "pos".to_string()),
                ]
            })
            .collect();
        let mut out = Vec::new();
        let written = write_orders(&config, &customers, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len() as u64, written + 1);
        let dates: Vec<&str> = lines[1..]
            .iter()
            .map(|l| l.split(',').nth(2).unwrap())
            .collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]));
        assert!(text.contains(",returned\n"));
        let mut again = Vec::new();
        write_orders(&config, &customers, &mut again).unwrap();
        assert_eq!(text.as_bytes(), again);
    }
}
