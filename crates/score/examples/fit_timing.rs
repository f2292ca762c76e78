//! Times model fits on a summary CSV (`customer_id,frequency,recency,T[,monetary_value]`):
//! `cargo run --release -p sameas-score --example fit_timing -- SUMMARY.csv [MODEL…]`, the
//! models among bg_nbd, mbg_nbd, pareto_nbd and gamma_gamma (default: all).

use std::time::Instant;

use sameas_score::{BgNbd, CustomerSummary, GammaGamma, MbgNbd, ParetoNbd, SummaryGroups, fit};

fn main() {
    let path = std::env::args().nth(1).expect("a summary CSV");
    let wanted: Vec<String> = std::env::args().skip(2).collect();
    let run = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
    let mut reader = csv::Reader::from_path(path).expect("readable");
    let customers: Vec<CustomerSummary> = reader
        .records()
        .map(|r| {
            let r = r.expect("a row");
            let n = |i: usize| {
                r.get(i)
                    .map_or(0.0, |s| s.parse::<f64>().expect("a number"))
            };
            CustomerSummary {
                id: r[0].to_string(),
                frequency: n(1) as u32,
                recency: n(2),
                t: n(3),
                monetary_value: n(4),
            }
        })
        .collect();
    let start = Instant::now();
    let groups = SummaryGroups::new(&customers);
    println!(
        "{} customers, {} groups in {:.3} s",
        customers.len(),
        groups.len(),
        start.elapsed().as_secs_f64()
    );
    if run("bg_nbd") {
        let start = Instant::now();
        let f = fit::<BgNbd>(&groups);
        println!(
            "bg_nbd {:.3} s: {:?}",
            start.elapsed().as_secs_f64(),
            f.map(|f| (f.model, f.evaluations))
        );
    }
    if run("mbg_nbd") {
        let start = Instant::now();
        let f = fit::<MbgNbd>(&groups);
        println!(
            "mbg_nbd {:.3} s: {:?}",
            start.elapsed().as_secs_f64(),
            f.map(|f| (f.model, f.evaluations))
        );
    }
    if run("pareto_nbd") {
        let start = Instant::now();
        let f = fit::<ParetoNbd>(&groups);
        println!(
            "pareto_nbd {:.3} s: {:?}",
            start.elapsed().as_secs_f64(),
            f.map(|f| (f.model, f.evaluations))
        );
    }
    if run("gamma_gamma") {
        let start = Instant::now();
        let f = fit::<GammaGamma>(&GammaGamma::groups(&customers));
        println!(
            "gamma_gamma {:.3} s: {:?}",
            start.elapsed().as_secs_f64(),
            f.map(|f| (f.model, f.evaluations))
        );
    }
}
