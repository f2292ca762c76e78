//! The `sameas` binary on the shipped sample and on bad input.

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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
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
