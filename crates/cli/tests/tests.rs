//! The `sameas` binary on the shipped sample and on bad input.

mod bad_inputs;
mod bench;
mod store;
mod value;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sameas(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sameas"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/customers.csv")
}

/// `sameas resolve` of the sample file into `out`, quiet, with `extra` arguments.
fn resolve_sample(out: &Path, extra: &[&str]) -> Output {
    let input = sample();
    let mut args = vec![
        "resolve",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    sameas(&args)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `text` without its file paths, for checks that no planted raw value is echoed: paths are
/// the user's own words, and a temporary folder's random name may hold a planted value by
/// chance (".tmpJ9fHP0" holds "P0").
fn without_paths(text: &str) -> String {
    text.split_whitespace()
        .filter(|word| !word.contains('/'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a CSV written by `normalize` into a header and rows.
fn read_output(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let at = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no {column}"));
    &row[at]
}

/// Runs `sameas normalize INPUT --out OUT EXTRA…`, which must succeed.
fn normalize_ok(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "normalize",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = sameas(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    output
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn profile_prints_a_table_per_channel() {
    let output = sameas(&["profile", sample().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("30 records, 0 bad rows"), "{text}");
    for channel in [
        "all",
        "pos",
        "app",
        "mini_program",
        "marketplace",
        "call_centre",
        "web",
    ] {
        assert!(
            text.contains(&format!("channel {channel} (")),
            "{channel} missing in {text}"
        );
    }
}

#[test]
fn profile_json_counts_issues_and_duplicates() {
    let output = sameas(&["profile", sample().to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["records"], 30);
    assert_eq!(json["encoding"], "UTF-8");
    let all = &json["channels"][0];
    assert_eq!(all["channel"], "all");
    let field = |name: &str| {
        all["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == name)
            .unwrap()
            .clone()
    };
    let phone = field("phone");
    assert_eq!(phone["issues"]["masked"], 3);
    assert!(phone["issues"]["invalid"].as_u64().unwrap() >= 1);
    // 25 full phones in 13 numbers; 18 of them share a number with another record (the
    // 张伟 four, 王芳 two, 李 three, 欧阳娜娜 two, the Smiths five, O'Brien two). The three
    // masked phones identify no one and are left out.
    assert_eq!(phone["valid"], 28);
    assert_eq!(phone["distinct"], 13);
    let rate = phone["duplicate_rate"].as_f64().unwrap();
    assert!((rate - 18.0 / 25.0).abs() < 1e-9, "{rate}");
    let name = field("name");
    assert_eq!(name["present"], 29);
    assert!(field("id_number")["issues"]["invalid"].as_u64().unwrap() >= 1);
    assert!(
        field("birth_date")["issues"]["suspicious"]
            .as_u64()
            .unwrap()
            >= 2
    );
    let marketplace = json["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "marketplace")
        .unwrap();
    assert_eq!(marketplace["records"], 3);
}

#[test]
fn normalize_writes_every_row_with_normalized_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    normalize_ok(&sample(), &out, &[]);
    let (header, rows) = read_output(&out);
    assert_eq!(rows.len(), 30);
    assert_eq!(&header[..3], ["record_id", "channel", "name"]);
    assert_eq!(header.last().unwrap(), "issues");
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().as_slice();
    for id in ["C0001", "C0002", "C0004", "C0005"] {
        assert_eq!(
            cell(&header, row(id), "phone.e164"),
            "+8613800138000",
            "{id}"
        );
        assert_eq!(cell(&header, row(id), "name.pinyin"), "zhang wei", "{id}");
    }
    assert_eq!(cell(&header, row("C0002"), "name.norm"), "张伟");
    assert_eq!(cell(&header, row("C0002"), "address.district"), "南山区");
    assert_eq!(cell(&header, row("C0003"), "phone.masked_suffix"), "8000");
    assert!(cell(&header, row("C0003"), "issues").contains(r#""kind":"masked""#));
    assert_eq!(
        cell(&header, row("C0005"), "email.canonical"),
        "zhangwei@qq.com"
    );
    assert_eq!(
        cell(&header, row("C0001"), "id_number.birth_date"),
        "1990-01-02"
    );
    assert_eq!(cell(&header, row("C0018"), "phone.e164"), "+17029191300");
    assert_eq!(
        cell(&header, row("C0018"), "email.canonical"),
        "bobsmith@gmail.com"
    );
    assert_eq!(cell(&header, row("C0020"), "name.nickname"), "robert");
    let issues = cell(&header, row("C0025"), "issues");
    for expected in [
        r#""field":"phone","kind":"invalid""#,
        r#""field":"birth_date","kind":"invalid""#,
    ] {
        assert!(issues.contains(expected), "{issues}");
    }
    // The raw input is kept untouched beside the normalized form.
    assert_eq!(
        cell(&header, row("C0004"), "phone"),
        "１３８００１３８０００"
    );
}

#[test]
fn gbk_input_reads_like_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(sample()).unwrap();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let gbk_path = write(dir.path(), "gbk.csv", &gbk);
    let (utf8_out, gbk_out) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    for (input, out) in [(sample(), &utf8_out), (gbk_path, &gbk_out)] {
        normalize_ok(&input, out, &[]);
    }
    assert_eq!(read_output(&utf8_out), read_output(&gbk_out));
}

#[test]
fn unreadable_files_fail_with_reason_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.csv", b"", "the file is empty"),
        ("binary.csv", b"id,name\n1,\x00\x01", "NUL byte"),
        ("noheader.csv", b",,\n1,2,3\n", "no header"),
        (
            "undecodable.csv",
            b"id,name\n1,secret\xff\xfe\xff\n",
            "line 2",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = write(dir.path(), name, bytes);
        let output = sameas(&["profile", path.to_str().unwrap()]);
        assert!(!output.status.success(), "{name} should fail");
        let err = stderr(&output);
        assert!(err.contains(expected), "{name}: {err}");
        assert!(
            err.contains(name),
            "{name}: the message names the file: {err}"
        );
        assert!(
            !err.contains("secret"),
            "{name}: no raw data in errors: {err}"
        );
    }
    let undecodable = dir.path().join("undecodable.csv");
    let err = stderr(&sameas(&["profile", undecodable.to_str().unwrap()]));
    assert!(err.contains("--encoding"), "{err}");
    let unknown = sameas(&[
        "profile",
        sample().to_str().unwrap(),
        "--encoding",
        "klingon",
    ]);
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("unknown encoding"));
}

#[test]
fn bad_rows_are_reported_kept_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(5000);
    let text = format!(
        "id,name,phone\n1,Ann Lee,13800138000\n2,Bob\n3,Cy,139,secret-extra\n4,{long},13900001111\n"
    );
    let input = write(dir.path(), "ragged.csv", text.as_bytes());
    let out = dir.path().join("out.csv");
    let output = normalize_ok(&input, &out, &[]);
    let err = stderr(&output);
    assert!(
        err.contains("row 2 (line 3): ragged row: 2 cells where the header has 3"),
        "{err}"
    );
    assert!(err.contains("row 3 (line 4): ragged row: 4 cells"), "{err}");
    assert!(
        !err.contains("secret") && !err.contains("Bob"),
        "no raw data in warnings: {err}"
    );
    let (header, rows) = read_output(&out);
    assert_eq!(rows.len(), 4, "every input row is written");
    assert_eq!(header.last().unwrap(), "extra_cells");
    assert_eq!(
        cell(&header, &rows[2], "extra_cells"),
        r#"["secret-extra"]"#
    );
    assert!(cell(&header, &rows[1], "issues").contains(r#""field":"_row","kind":"invalid""#));
    assert_eq!(
        cell(&header, &rows[3], "name"),
        long,
        "the raw value is kept"
    );
    assert!(cell(&header, &rows[3], "issues").contains("longer than the length limit"));
    assert_eq!(cell(&header, &rows[3], "phone.e164"), "+8613900001111");
}

#[test]
fn missing_id_column_warns_and_uses_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "noid.csv",
        "姓名,手机号\n张伟,13800138000\n王芳,13900001111\n".as_bytes(),
    );
    let output = sameas(&["profile", input.to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("row numbers serve as ids"));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["records"], 2);
    assert_eq!(
        json["channels"][1]["channel"], "noid",
        "the file stem is the channel"
    );
}

#[test]
fn options_change_region_and_date_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "us.csv",
        b"id,phone,dob\n1,(702) 919-1300,01/02/1990\n",
    );
    let out = dir.path().join("out.csv");
    let run = |extra: &[&str]| {
        normalize_ok(&input, &out, extra);
        read_output(&out)
    };
    let (header, rows) = run(&["--region", "US", "--day-first"]);
    assert_eq!(cell(&header, &rows[0], "phone.e164"), "+17029191300");
    assert_eq!(cell(&header, &rows[0], "dob.norm"), "1990-02-01");
    let (header, rows) = run(&[]);
    assert_eq!(cell(&header, &rows[0], "dob.norm"), "1990-01-02");
    let bad_region = sameas(&["profile", input.to_str().unwrap(), "--region", "XX"]);
    assert!(!bad_region.status.success());
    assert!(stderr(&bad_region).contains("unknown phone region"));
}

/// Truth {a, b, c}, {d, e}; entities {a, b}, {c, d, e}; pairs a–b 0.9, b–c 0.4, d–e 0.95.
fn eval_case(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let truth = write(
        dir,
        "truth.csv",
        b"record_id,cluster\na,1\nb,1\nc,1\nd,2\ne,2\n",
    );
    let entities = write(
        dir,
        "entities.csv",
        b"record_id,entity_id\ne,q\nd,q\nc,q\nb,p\na,p\n",
    );
    let pairs = write(
        dir,
        "pairs.csv",
        b"record_id_l,record_id_r,match_weight,match_probability,name.level\n\
          a,b,3.2,0.9,2\nb,c,-0.6,0.4,1\nd,e,4.4,0.95,2\n",
    );
    (truth, entities, pairs)
}

fn eval_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["eval", "--json"];
    all.extend_from_slice(args);
    let output = sameas(&all);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn eval_scores_entities_and_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, entities, pairs) = eval_case(dir.path());
    let truth = truth.to_str().unwrap();
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-9;

    // True pairs ab ac bc de; predicted ab cd ce de; both ab de.
    let json = eval_json(&["--truth", truth, entities.to_str().unwrap()]);
    assert_eq!(json["format"], "entities");
    assert_eq!(json["counts"]["true_pairs"], 4);
    assert_eq!(json["counts"]["predicted_pairs"], 4);
    assert_eq!(json["counts"]["true_positives"], 2);
    assert!(close(&json["pairwise"]["precision"], 0.5));
    assert!(close(&json["pairwise"]["recall"], 0.5));
    // B-cubed precision: (1 + 1 + 1/3 + 2/3 + 2/3) / 5 = 11/15, recall likewise.
    assert!(close(&json["bcubed"]["precision"], 11.0 / 15.0));
    assert!(close(&json["bcubed"]["recall"], 11.0 / 15.0));
    assert_eq!(json["false_merges"][0]["record_id_l"], "c");
    assert_eq!(json["false_merges"][0]["record_id_r"], "d");
    assert_eq!(json["missed_links"][0]["record_id_l"], "a");
    assert_eq!(json["missed_links"][0]["record_id_r"], "c");

    // At 0.5, b–c is not linked: {a, b}, {c}, {d, e}.
    let json = eval_json(&["--truth", truth, pairs.to_str().unwrap()]);
    assert_eq!(json["format"], "pairs");
    assert_eq!(json["threshold"], 0.5);
    assert_eq!(json["counts"]["predicted_entities"], 3);
    assert!(close(&json["pairwise"]["precision"], 1.0));
    assert!(close(&json["pairwise"]["recall"], 0.5));
    // At 0.3 it is, and a–c follows transitively: a perfect prediction.
    let json = eval_json(&[
        "--truth",
        truth,
        pairs.to_str().unwrap(),
        "--threshold",
        "0.3",
    ]);
    assert!(close(&json["pairwise"]["f1"], 1.0));
    assert!(close(&json["bcubed"]["f1"], 1.0));

    let text = sameas(&["eval", "--truth", truth, entities.to_str().unwrap()]);
    assert!(text.status.success(), "{}", stderr(&text));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("pairwise"), "{text}");
    assert!(text.contains("c (cluster 1)  ~  d (cluster 2)"), "{text}");
}

#[test]
fn eval_masks_example_records_and_names_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, entities, _) = eval_case(dir.path());
    let data = write(
        dir.path(),
        "data.csv",
        "record_id,name,phone,email,birth_date\n\
         a,Robert Smith,13800138000,bob@gmail.com,1990-03-07\n\
         b,Robert Smith,13800138000,,\n\
         c,Bob Smith,13900001111,bob.smith@qq.com,1990-03-07\n\
         d,张伟,13700002222,,1985-01-02\n\
         e,张伟,,,\n"
            .as_bytes(),
    );
    let args = [
        "eval",
        "--truth",
        truth.to_str().unwrap(),
        entities.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ];
    let output = sameas(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    for masked in [
        "B. S****",
        "张*",
        "139****1111",
        "b***@qq.com",
        "1985-**-**",
    ] {
        assert!(text.contains(masked), "{masked} in {text}");
    }
    for raw in ["Smith", "张伟", "13900001111", "bob.smith", "1985-01-02"] {
        assert!(!text.contains(raw), "{raw} in {text}");
    }
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let json: serde_json::Value = serde_json::from_slice(&sameas(&json_args).stdout).unwrap();
    assert_eq!(json["false_merges"][0]["masked_r"]["phone"], "137****2222");

    let bad = write(
        dir.path(),
        "bad.csv",
        b"record_id,entity_id\na,1\nb,1\nc,1\nd,2\nsecret-id,2\n",
    );
    let output = sameas(&[
        "eval",
        "--truth",
        truth.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("row 5, column record_id: record not in the truth"),
        "{err}"
    );
    assert!(!err.contains("secret"), "{err}");
}

fn febrl1() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/data/febrl/dataset1.csv")
}

#[test]
fn match_writes_scored_pairs_and_a_config_that_explain_reads() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs.csv");
    let config = dir.path().join("config.json");
    let output = sameas(&[
        "match",
        sample().to_str().unwrap(),
        "--out",
        pairs.to_str().unwrap(),
        "--save-config",
        config.to_str().unwrap(),
        "--reference-date",
        "2026-01-01",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (header, rows) = read_output(&pairs);
    assert_eq!(
        header[..4],
        [
            "record_id_l",
            "record_id_r",
            "match_weight",
            "match_probability"
        ]
    );
    assert!(header.iter().any(|h| h == "phone.level"));
    assert!(!rows.is_empty());
    // C0001 (张伟) and C0002 (張偉) share a phone: a candidate pair, and a match.
    let row = rows
        .iter()
        .find(|r| r[0] == "C0001" && r[1] == "C0002")
        .expect("the pair is a candidate");
    assert!(
        cell(&header, row, "match_probability")
            .parse::<f64>()
            .unwrap()
            >= 0.5
    );
    assert_eq!(cell(&header, row, "phone.level"), "exact");

    let explain = sameas(&[
        "explain",
        "--config",
        config.to_str().unwrap(),
        sample().to_str().unwrap(),
        "C0001",
        "C0002",
    ]);
    assert!(explain.status.success(), "{}", stderr(&explain));
    let text = String::from_utf8(explain.stdout).unwrap();
    assert!(
        text.contains("phone") && text.contains("match weight"),
        "{text}"
    );
    assert!(text.contains("MATCH"), "{text}");
    // Values are shown normalized and masked, never raw.
    assert!(text.contains("values (normalized, masked)"), "{text}");
    assert!(text.contains("****"), "{text}");
    assert!(
        !text.contains("13800138000") && !text.contains("张伟"),
        "{text}"
    );

    let json = sameas(&[
        "explain",
        "--json",
        "--config",
        config.to_str().unwrap(),
        sample().to_str().unwrap(),
        "C0001",
        "C0002",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        value["values"].as_array().unwrap().len(),
        value["comparisons"].as_array().unwrap().len()
    );
    let weight = value["match_weight"].as_f64().unwrap();
    let parts: f64 = value["prior_weight"].as_f64().unwrap()
        + value["comparisons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                c["weight"].as_f64().unwrap() + c["term_frequency_adjustment"].as_f64().unwrap()
            })
            .sum::<f64>();
    assert!((weight - parts).abs() < 1e-9);

    // A saved config scores the same file to the same pairs.
    let again = dir.path().join("again.csv");
    let output = sameas(&[
        "match",
        sample().to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(&pairs).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn match_scores_the_pairs_resolve_does_whatever_the_row_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(febrl1()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reversed = write(
        dir.path(),
        "reversed.csv",
        format!("{header}\n{}\n", lines.join("\n")).as_bytes(),
    );
    let pairs_of = |input: &Path, name: &str| {
        let pairs = dir.path().join(name);
        let output = sameas(&[
            "match",
            input.to_str().unwrap(),
            "--out",
            pairs.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stderr(&output).contains("candidate rules kept under the pair budget"));
        std::fs::read(pairs).unwrap()
    };
    let pairs = pairs_of(&febrl1(), "pairs.csv");
    assert_eq!(pairs, pairs_of(&reversed, "reversed_pairs.csv"));
    // The candidate pairs are the ones `resolve` blocks (its rules chosen the same way).
    let out = dir.path().join("out");
    let output = sameas(&[
        "resolve",
        febrl1().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let rows = pairs.iter().filter(|&&b| b == b'\n').count() - 1;
    assert!(rows > 400, "{rows}");
    assert_eq!(report["candidate_pairs"].as_u64().unwrap(), rows as u64);
}

#[test]
fn explain_says_when_the_household_guard_holds_a_match_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = resolve_sample(&out, &["--reference-date", "2026-01-01"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let config = out.join("config.json");
    let explain = |a: &str, b: &str| {
        let output = sameas(&[
            "explain",
            "--config",
            config.to_str().unwrap(),
            sample().to_str().unwrap(),
            a,
            b,
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    // C0018 and C0022 share the family's phone and family name, Robert (M) and a Mrs: a
    // match by score that the guard holds back (review.csv lists it so).
    let (header, rows) = read_output(&out.join("review.csv"));
    let row = rows
        .iter()
        .find(|r| r[0] == "C0018" && r[1] == "C0022")
        .expect("the pair is in the review file");
    assert!(cell(&header, row, "reason").starts_with("household_guard"));
    let text = explain("C0018", "C0022");
    assert!(text.contains("MATCH"), "{text}");
    assert!(
        text.contains("held back by the household guard") && text.contains("gender different"),
        "{text}"
    );
    // A match the guard lets through carries no such note.
    let text = explain("C0001", "C0002");
    assert!(
        text.contains("MATCH") && !text.contains("household guard"),
        "{text}"
    );
}

#[test]
fn explain_says_which_fields_hold_a_generic_value() {
    // Six unrelated customers typed in with the shop's own e-mail, beside two who share a
    // real one.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("customers.csv");
    let mut csv = String::from("id,name,email,phone\n");
    let names = [
        "Ann Lee", "Bo Chan", "Cy Diaz", "Di Evans", "Ed Ford", "Flo Gray",
    ];
    for (i, name) in names.iter().enumerate() {
        csv.push_str(&format!(
            "S{i},{name},info@shop.example,+1 206 555 01{i:02}\n"
        ));
    }
    csv.push_str("R1,Gus Hill,gus.hill@mail.example,+1 206 555 0200\n");
    csv.push_str("R2,Gus Hill,gus.hill@mail.example,\n");
    std::fs::write(&input, csv).unwrap();
    let out = dir.path().join("out");
    let output = resolve_quietly(&input, &out);
    assert!(output.status.success(), "{}", stderr(&output));
    let explain = |a: &str, b: &str| {
        let output = sameas(&[
            "explain",
            "--config",
            out.join("config.json").to_str().unwrap(),
            input.to_str().unwrap(),
            a,
            b,
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let text = explain("S0", "S1");
    for id in ["S0", "S1"] {
        assert!(
            text.contains(&format!("{id}: its email holds a generic value")),
            "{text}"
        );
    }
    assert!(!text.contains("info@shop"), "{text}");
    assert!(!explain("R1", "R2").contains("generic value"));
}

#[test]
fn explain_names_a_missing_record_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    let output = sameas(&[
        "match",
        sample().to_str().unwrap(),
        "--out",
        dir.path().join("p.csv").to_str().unwrap(),
        "--save-config",
        config.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let output = sameas(&[
        "explain",
        "--config",
        config.to_str().unwrap(),
        sample().to_str().unwrap(),
        "C0001",
        "13800138000",
    ]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("second id"), "{err}");
    assert!(!err.contains("13800138000"), "{err}");
}

#[test]
fn match_on_febrl_reports_blocking_quality_and_eval_scores_it() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs.csv");
    let truth = febrl1().with_file_name("dataset1_truth.csv");
    let output = sameas(&[
        "match",
        febrl1().to_str().unwrap(),
        "--out",
        pairs.to_str().unwrap(),
        "--truth",
        truth.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("pair completeness") && err.contains("reduction ratio"),
        "{err}"
    );
    let eval = sameas(&[
        "eval",
        "--json",
        "--truth",
        truth.to_str().unwrap(),
        pairs.to_str().unwrap(),
    ]);
    assert!(eval.status.success(), "{}", stderr(&eval));
    let value: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert!(value["pairwise"]["f1"].as_f64().unwrap() >= 0.99, "{value}");
}

/// `sameas resolve INPUT --out OUT -q`.
fn resolve_quietly(input: &Path, out: &Path) -> std::process::Output {
    sameas(&[
        "resolve",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ])
}

/// `sameas resolve INPUT --out OUT -q`, then its pairwise F1 against `truth`: the run's
/// stderr and the F1. Panics (naming `label`) when either command fails.
fn resolved_f1(input: &Path, out: &Path, truth: &Path, label: &str) -> (String, f64) {
    let output = resolve_quietly(input, out);
    assert!(output.status.success(), "{label}: {}", stderr(&output));
    let eval = sameas(&[
        "eval",
        "--json",
        "--truth",
        truth.to_str().unwrap(),
        out.join("entities.csv").to_str().unwrap(),
    ]);
    assert!(eval.status.success(), "{label}: {}", stderr(&eval));
    let value: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    (stderr(&output), value["pairwise"]["f1"].as_f64().unwrap())
}

/// FEBRL 1 under another form's headers resolves as well as under its own: the headers are
/// read in German, French, Spanish, Italian and Dutch, and `Name` beside `Surname` is the
/// given name.
#[test]
fn febrl_under_headers_of_other_languages_resolves_as_under_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let truth = febrl1().with_file_name("dataset1_truth.csv");
    let original = std::fs::read_to_string(febrl1()).unwrap();
    let (_, body) = original.split_once('\n').unwrap();
    let header_rows = [
        "Kundennummer,Vorname,Nachname,Hausnummer,Straße,Adresszusatz,Ortsteil,PLZ,Bundesland,Geburtsdatum,Steuernummer",
        "id,Prénom,Nom,Numéro de rue,Rue,Complément,Commune,Code postal,Région,Date de naissance,Numéro de sécurité sociale",
        "id,Nombre,Apellidos,Número,Calle,Dirección 2,Localidad,Código Postal,Provincia,Fecha de nacimiento,DNI",
        "id,Nome,Cognome,Civico,Indirizzo,Interno,Frazione,CAP,Provincia,Data di nascita,Codice fiscale",
        "id,Voornaam,Achternaam,Huisnummer,Straatnaam,Toevoeging,Wijk,Postcode,Provincie,Geboortedatum,BSN",
        "id,Name,Surname,house_no,street,street2,town,postcode,county,dob,nin",
    ];
    for (i, header) in header_rows.iter().enumerate() {
        let input = write(
            dir.path(),
            &format!("form_{i}.csv"),
            format!("{header}\n{body}").as_bytes(),
        );
        let out = dir.path().join(format!("out_{i}"));
        let (_, f1) = resolved_f1(&input, &out, &truth, header);
        assert!(f1 >= 0.99, "{header}: pairwise F1 {f1}");
    }
}

/// FEBRL 1 without its header line, and under headers that say nothing: the first line is
/// kept as a record, and names, the street, birth dates and the identifier are read from
/// their values.
#[test]
fn febrl_without_a_header_or_under_opaque_headers_resolves_from_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let truth = febrl1().with_file_name("dataset1_truth.csv");
    let original = std::fs::read_to_string(febrl1()).unwrap();
    let (_, body) = original.split_once('\n').unwrap();
    let records = body.lines().filter(|l| !l.trim().is_empty()).count();
    let forms = [
        ("headerless", body.to_string()),
        (
            "opaque",
            format!("key,c1,c2,c3,c4,c5,c6,c7,c8,c9,c10\n{body}"),
        ),
    ];
    for (name, text) in forms {
        let input = write(dir.path(), &format!("{name}.csv"), text.as_bytes());
        let out = dir.path().join(name);
        let (err, f1) = resolved_f1(&input, &out, &truth, name);
        if name == "headerless" {
            assert!(err.contains("reads as a record"), "{err}");
        }
        let entities = std::fs::read_to_string(out.join("entities.csv")).unwrap();
        assert_eq!(
            entities.lines().count() - 1,
            records,
            "{name}: every record kept"
        );
        assert!(f1 >= 0.99, "{name}: pairwise F1 {f1}");
    }
}

/// The examples' customers as a spreadsheet keeps them (a title row, phones typed as
/// numbers, dates as dates, a second worksheet) resolve as their CSV does, with warnings
/// that name the sheet read and the title skipped.
#[test]
fn a_workbook_resolves_as_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = sample().with_file_name("customers.xlsx");
    let mut entities = Vec::new();
    for (name, input) in [("csv", sample()), ("xlsx", xlsx)] {
        let out = dir.path().join(name);
        let output = sameas(&[
            "resolve",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        if name == "xlsx" {
            let err = stderr(&output);
            assert!(err.contains("`Customers`, was read; 1 other"), "{err}");
            assert!(err.contains("header was read on line 3"), "{err}");
        }
        entities.push(std::fs::read_to_string(out.join("entities.csv")).unwrap());
    }
    assert_eq!(entities[0], entities[1]);
}

#[test]
fn synth_writes_seeded_records_and_their_truth() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let (data, truth) = (
            dir.path().join(format!("{name}.csv")),
            dir.path().join(format!("{name}_truth.csv")),
        );
        let output = sameas(&[
            "synth",
            "--records",
            "2000",
            "--seed",
            "7",
            "--out",
            data.to_str().unwrap(),
            "--truth",
            truth.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        (data, truth)
    };
    let (data, truth) = run("a");
    let (data_again, truth_again) = run("b");
    assert_eq!(
        std::fs::read(&data).unwrap(),
        std::fs::read(&data_again).unwrap()
    );
    assert_eq!(
        std::fs::read(&truth).unwrap(),
        std::fs::read(&truth_again).unwrap()
    );

    let (header, rows) = read_output(&data);
    assert_eq!(header[0], "record_id");
    assert_eq!(rows.len(), 2000);
    let (truth_header, truth_rows) = read_output(&truth);
    assert_eq!(truth_header, ["record_id", "person_id", "household_id"]);
    assert_eq!(truth_rows.len(), 2000);
    for (row, t) in rows.iter().zip(&truth_rows) {
        assert_eq!(row[0], t[0]);
        assert!(!t[1].is_empty() && !t[2].is_empty());
    }
    assert!(
        !header
            .iter()
            .any(|h| h == "person_id" || h == "household_id")
    );
    // Several records share a person: the truth has clusters.
    let persons: std::collections::HashSet<&str> =
        truth_rows.iter().map(|t| t[1].as_str()).collect();
    assert!(persons.len() < 1500, "{}", persons.len());
}

#[test]
fn match_refuses_duplicate_ids_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "dup.csv",
        "id,name,phone\nA1,张伟,13800138000\nA2,王芳,13900139000\nA1,李娜,13700137000\n".as_bytes(),
    );
    let output = sameas(&["match", input.to_str().unwrap(), "--out", "/dev/null"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("row 3") && err.contains("unique"), "{err}");
    let err = without_paths(&err);
    assert!(!err.contains("A1") && !err.contains("李娜"), "{err}");
}

#[test]
fn match_reads_as_resolve_does_bad_rows_kept_columns_by_header() {
    let dir = tempfile::tempdir().unwrap();
    // A ragged row is kept with no values (never matched), as `resolve` keeps it.
    let input = write(
        dir.path(),
        "ragged.csv",
        "id,name,phone\nA1,张伟,13800138000\nA2,张伟,138-0013-8000\nA3,secret-name\n".as_bytes(),
    );
    let pairs = dir.path().join("pairs.csv");
    let output = sameas(&[
        "match",
        input.to_str().unwrap(),
        "--out",
        pairs.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("record A3 (row 3, line 4): ragged row"),
        "{err}"
    );
    assert!(
        !err.contains("secret-name"),
        "no raw values in warnings: {err}"
    );
    let text = std::fs::read_to_string(&pairs).unwrap();
    assert!(
        text.lines().skip(1).any(|l| l.starts_with("A1,A2,")),
        "{text}"
    );
    assert!(
        !text.contains("A3"),
        "a bad row is never a candidate: {text}"
    );
    // Link: a second file with its columns in another order reads by header.
    let left = write(
        dir.path(),
        "left.csv",
        "name,phone\n张伟,13800138000\n李娜,13700137000\n".as_bytes(),
    );
    let right = write(
        dir.path(),
        "right.csv",
        "phone,name\n+86 138 0013 8000,张伟\n13900139000,王芳\n".as_bytes(),
    );
    let output = sameas(&[
        "match",
        left.to_str().unwrap(),
        right.to_str().unwrap(),
        "--out",
        pairs.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&pairs).unwrap();
    assert!(
        text.lines().skip(1).any(|l| l.starts_with("1:1,2:1,")),
        "{text}"
    );
}

#[test]
fn resolve_writes_every_output_with_one_entity_row_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = resolve_sample(&out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    for file in [
        "entities.csv",
        "golden.csv",
        "conflicts.jsonl",
        "events.jsonl",
        "review.csv",
        "config.json",
        "report.json",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    let (header, rows) = read_output(&out.join("entities.csv"));
    assert_eq!(header, ["record_id", "entity_id"]);
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[0][0], "C0001", "input order");
    let (_, golden) = read_output(&out.join("golden.csv"));
    let entities: std::collections::HashSet<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(golden.len(), entities.len(), "one golden row per entity");

    // A second run against the first keeps every id, and explain-entity reads its config.
    let out2 = dir.path().join("out2");
    let config = out.join("config.json");
    let previous = out.join("entities.csv");
    let output = resolve_sample(
        &out2,
        &[
            "--config",
            config.to_str().unwrap(),
            "--previous",
            previous.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read_output(&out2.join("entities.csv")).1, rows);
    let output = sameas(&[
        "explain-entity",
        "--config",
        config.to_str().unwrap(),
        sample().to_str().unwrap(),
        &rows[0][1],
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("C0001"));

    // `explain` on the run's config weighs a joined pair exactly as the run did.
    let output = sameas(&[
        "explain-entity",
        "--config",
        config.to_str().unwrap(),
        sample().to_str().unwrap(),
        &rows[0][1],
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let entity: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let join = &entity["joins"][0];
    let (a, b) = (
        join["record_id_l"].as_str().unwrap(),
        join["record_id_r"].as_str().unwrap(),
    );
    let output = sameas(&[
        "explain",
        sample().to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        a,
        b,
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pair: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let (run, explained) = (
        join["match_weight"].as_f64().unwrap(),
        pair["match_weight"].as_f64().unwrap(),
    );
    assert!((run - explained).abs() < 1e-9, "{run} against {explained}");
}

#[test]
fn resolve_refuses_a_bad_threshold_and_a_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let output = sameas(&["resolve", sample().to_str().unwrap(), "--threshold", "1.5"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("threshold"), "{}", stderr(&output));
    let config = write(
        dir.path(),
        "config.json",
        b"{\"version\": 1, \"schema\": 3}",
    );
    let output = sameas(&[
        "resolve",
        sample().to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("not a usable config"),
        "{}",
        stderr(&output)
    );
}
