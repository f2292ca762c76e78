//! `sameas synth --transactions`, `sameas score` and `sameas segment`.

use std::path::{Path, PathBuf};

use super::{read_output, sameas, stderr, write};

fn cdnow_summary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../score/data/cdnow/cdnow_customers_summary_with_transactions.csv")
}

fn run_ok(args: &[&str]) -> String {
    let output = sameas(args);
    assert!(output.status.success(), "{}", stderr(&output));
    stderr(&output)
}

fn model(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("model.json")).unwrap()).unwrap()
}

fn column<'a>(header: &[String], rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let at = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name}"));
    rows.iter().map(|r| r[at].as_str()).collect()
}

#[test]
fn score_on_the_cdnow_summary_gives_the_published_fits() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("value");
    let summary = cdnow_summary();
    run_ok(&[
        "score",
        "--summary",
        summary.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    let model = model(&out);
    let keys = |name: &str| -> Vec<String> {
        let mut keys: Vec<String> = model[name].as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys("bg_nbd"), ["a", "alpha", "b", "log_likelihood", "r"]);
    assert_eq!(keys("mbg_nbd"), ["a", "alpha", "b", "log_likelihood", "r"]);
    assert_eq!(
        keys("pareto_nbd"),
        ["alpha", "beta", "log_likelihood", "r", "s"]
    );
    assert_eq!(keys("gamma_gamma"), ["log_likelihood", "p", "q", "v"]);
    let near = |value: &serde_json::Value, published: f64, tolerance: f64| {
        let v = value.as_f64().unwrap();
        assert!(
            (v - published).abs() <= tolerance * published.abs(),
            "{v} vs {published}"
        );
    };
    near(&model["bg_nbd"]["r"], 0.2426, 1e-3);
    near(&model["bg_nbd"]["alpha"], 4.4135, 1e-3);
    near(&model["gamma_gamma"]["p"], 6.2488, 1e-3);
    near(&model["pareto_nbd"]["log_likelihood"], -9595.0, 1e-4);
    assert_eq!(model["unit"], "week");

    let (header, rows) = read_output(&out.join("customers.csv"));
    assert_eq!(header[0], "customer_id");
    assert_eq!(rows.len(), 2357);
    let first = |name: &str| column(&header, &rows, name)[0].parse::<f64>().unwrap();
    assert!((first("p_alive_bg_nbd") - 0.7266).abs() < 5e-4);
    assert!((first("clv") - 36.28).abs() < 0.01, "{}", first("clv"));
    for score in column(&header, &rows, "r_score") {
        assert!(("1"..="5").contains(&score));
    }
    // The same weekly data read as days: the other number in circulation.
    let days = dir.path().join("days");
    run_ok(&[
        "score",
        "--summary",
        summary.to_str().unwrap(),
        "--unit",
        "day",
        "--out",
        days.to_str().unwrap(),
        "-q",
    ]);
    let (header, rows) = read_output(&days.join("customers.csv"));
    let clv: f64 = column(&header, &rows, "clv")[0].parse().unwrap();
    assert!((clv - 140.10).abs() < 0.02, "{clv}");
}

#[test]
fn synth_resolve_score_segment_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    run_ok(&[
        "synth",
        "--records",
        "3000",
        "--seed",
        "4",
        "--out",
        &p("c.csv"),
        "--truth",
        &p("t.csv"),
        "--transactions",
        &p("orders.csv"),
    ]);
    let params: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("orders.params.json")).unwrap())
            .unwrap();
    assert_eq!(params["generator"]["process"]["type"], "bg_nbd");
    run_ok(&["resolve", &p("c.csv"), "--out", &p("res"), "-q"]);
    let args = [
        "score",
        "--transactions",
        &p("orders.csv"),
        "--entities",
        &p("res/entities.csv"),
        "--as-of",
        "2026-06-30",
        "--out",
        &p("value"),
    ];
    let printed = run_ok(&args);
    assert!(
        printed.contains("returned, refunded or cancelled"),
        "{printed}"
    );

    // Every counted order's customer is an entity of the resolve run.
    let (_, entities) = read_output(&dir.path().join("res/entities.csv"));
    let known: std::collections::HashSet<&str> = entities.iter().map(|r| r[1].as_str()).collect();
    let (header, orders) = read_output(&dir.path().join("value/orders.csv"));
    assert_eq!(header, ["entity_id", "date", "amount", "channel"]);
    assert!(orders.iter().all(|r| known.contains(r[0].as_str())));
    // Returns are reported by row, none counted.
    let returned = std::fs::read_to_string(dir.path().join("orders.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.ends_with(",returned"))
        .count();
    let (bad_header, bad) = read_output(&dir.path().join("value/bad_orders.csv"));
    assert_eq!(bad_header, ["row", "column", "reason"]);
    assert_eq!(bad.len(), returned);
    assert!(bad.iter().all(|r| r[1] == "status"));
    assert_eq!(
        model(&dir.path().join("value"))["bad_orders"]["returned, refunded or cancelled"],
        returned
    );

    // The same run again writes the same bytes.
    let again = [
        "score",
        "--transactions",
        &p("orders.csv"),
        "--entities",
        &p("res/entities.csv"),
        "--as-of",
        "2026-06-30",
        "--out",
        &p("value2"),
        "-q",
    ];
    run_ok(&again);
    for file in [
        "model.json",
        "customers.csv",
        "orders.csv",
        "bad_orders.csv",
    ] {
        assert_eq!(
            std::fs::read(dir.path().join("value").join(file)).unwrap(),
            std::fs::read(dir.path().join("value2").join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn orders_keyed_by_a_records_column_add_up_per_entity() {
    let dir = tempfile::tempdir().unwrap();
    let sample = super::sample();
    let res = dir.path().join("res");
    run_ok(&[
        "resolve",
        sample.to_str().unwrap(),
        "--out",
        res.to_str().unwrap(),
        "-q",
    ]);
    // M100001 is on C0001 (pos) and C0002 (app), both the Shenzhen 张伟.
    let orders = write(
        dir.path(),
        "orders.csv",
        "member_no,order_id,date,amount,channel\n\
         M100001,1,2025-01-05,100,pos\n\
         M100001,2,2025-02-05,50,app\n\
         M999999,3,2025-02-06,70,app\n\
         M100001,4,2025-03-01,-20,app\n"
            .as_bytes(),
    );
    let out = dir.path().join("value");
    run_ok(&[
        "score",
        "--transactions",
        orders.to_str().unwrap(),
        "--records",
        sample.to_str().unwrap(),
        "--customer-key",
        "member_no",
        "--entities",
        res.join("entities.csv").to_str().unwrap(),
        "--as-of",
        "2025-06-30",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    let (_, entities) = read_output(&res.join("entities.csv"));
    let zhang = &entities.iter().find(|r| r[0] == "C0001").unwrap()[1];
    let (header, rows) = read_output(&out.join("customers.csv"));
    assert_eq!(header[0], "entity_id");
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], zhang);
    assert_eq!(column(&header, &rows, "frequency"), ["1"]);
    let (_, bad) = read_output(&out.join("bad_orders.csv"));
    assert_eq!(
        bad,
        [
            vec![
                "3".to_string(),
                "member_no".into(),
                "unknown customer".into()
            ],
            vec!["4".to_string(), "amount".into(), "negative amount".into()],
        ]
    );
}

#[test]
fn score_errors_name_the_column_and_never_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let orders = write(
        dir.path(),
        "o.csv",
        b"customer_id,date,price_paid\nSECRET-1,2025-01-01,5\n",
    );
    let output = sameas(&[
        "score",
        "--transactions",
        orders.to_str().unwrap(),
        "--out",
        dir.path().join("v").to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("`amount`"), "{message}");
    assert!(!message.contains("SECRET"), "{message}");
    let summary = write(
        dir.path(),
        "s.csv",
        b"customer_id,frequency,recency,T\nSECRET-2,2,x,5\n",
    );
    let output = sameas(&[
        "score",
        "--summary",
        summary.to_str().unwrap(),
        "--out",
        dir.path().join("v").to_str().unwrap(),
    ]);
    let message = stderr(&output);
    assert!(
        message.contains("row 1, column `recency`: not a number"),
        "{message}"
    );
    assert!(!message.contains("SECRET"), "{message}");
    let output = sameas(&[
        "score",
        "--summary",
        summary.to_str().unwrap(),
        "--unit",
        "fortnight",
        "--out",
        "v",
    ]);
    assert!(stderr(&output).contains("not day, week or month"));
}
