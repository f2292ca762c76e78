//! The bad-input catalogue: one input file per case, written here at test time (the large
//! ones generated: a 10 MB cell, a 100,000-column header), each run through the binary.
//! Every case checks the exit code; a failure names the file, the row or line and the reason
//! where there is one; no raw value planted in the input reaches stderr; no case panics; and
//! where `resolve` succeeds, every input record is in `entities.csv` exactly once, its id
//! exactly as written.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use sameas::unescape_formula;

use crate::{stderr, without_paths};

/// A case's directory: its input files and its output directory.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Writes an input file and returns its path.
    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// `sameas resolve FILE --out DIR -q EXTRA…`.
    fn resolve(&self, file: &str, extra: &[&str]) -> Output {
        let out = self.out().display().to_string();
        let mut args = vec!["resolve", file, "--out", &out, "-q"];
        args.extend_from_slice(extra);
        run(&args)
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sameas"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// What every case checks of stderr: no panic, and none of `secrets` (raw values planted in
/// the input).
fn no_panic_no_secrets(output: &Output, secrets: &[&str]) -> String {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "{err}");
    let without_paths = without_paths(&err);
    for secret in secrets {
        assert!(
            !without_paths.contains(secret),
            "the raw value {secret:?} is in stderr: {err}"
        );
    }
    err
}

/// The run failed with exit code 1, and stderr says each of `says` (the file's name among
/// them).
fn fails(output: &Output, says: &[&str], secrets: &[&str]) -> String {
    let err = no_panic_no_secrets(output, secrets);
    assert_eq!(output.status.code(), Some(1), "{err}");
    for fragment in says {
        assert!(err.contains(fragment), "{fragment:?} not in: {err}");
    }
    err
}

/// The run succeeded, and `entities.csv` holds each of `ids` exactly once and nothing else.
fn resolves(case: &Case, output: &Output, ids: &[String], secrets: &[&str]) -> String {
    let err = no_panic_no_secrets(output, secrets);
    assert!(output.status.success(), "{err}");
    let mut reader = csv::Reader::from_path(case.out().join("entities.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["record_id", "entity_id"]
    );
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        *seen
            .entry(unescape_formula(&row[0]).to_string())
            .or_default() += 1;
        assert!(!row[1].is_empty());
    }
    let expected: HashMap<String, usize> = ids.iter().map(|id| (id.clone(), 1)).collect();
    assert_eq!(seen, expected, "every record exactly once: {err}");
    err
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// `n` records of `n / 2` people as CSV: id `P{i}`, a name, a phone and an e-mail; rows
/// `2k` and `2k + 1` are the same person, so there is something to match.
fn people(n: usize) -> String {
    let names = ["张伟", "王芳", "李娜", "Ann Lee", "Bob Smith", "刘洋"];
    let mut text = String::from("id,name,phone,email\n");
    for i in 0..n {
        let person = i / 2;
        text.push_str(&format!(
            "P{i},{},1380013{person:04},p{person}@example.com\n",
            names[person % names.len()],
        ));
    }
    text
}

fn people_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("P{i}")).collect()
}

/// A configuration for [`people`]'s columns, as JSON to patch.
fn people_config() -> serde_json::Value {
    let schema = sameas_normalize::infer::infer_schema(&["id", "name", "phone", "email"])
        .unwrap()
        .schema;
    let config = sameas::ResolverConfig::for_schema(
        schema,
        Default::default(),
        sameas_match::LinkMode::Dedupe,
    );
    serde_json::from_str(&config.to_json()).unwrap()
}

fn utf16(text: &str, bom: bool) -> Vec<u8> {
    let mut bytes = if bom { vec![0xff, 0xfe] } else { Vec::new() };
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

// ---- encodings -------------------------------------------------------------------------

#[test]
fn gbk() {
    let case = Case::new();
    let (bytes, _, _) = encoding_rs::GBK
        .encode("id,姓名,手机号\nG1,欧阳娜娜,13800138000\nG2,歐陽娜娜,13800138000\n");
    let file = case.file("gbk.csv", bytes);
    let output = case.resolve(&file, &[]);
    resolves(
        &case,
        &output,
        &ids(&["G1", "G2"]),
        &["欧阳", "13800138000"],
    );
}

#[test]
fn utf16_with_bom() {
    let case = Case::new();
    let file = case.file("utf16_bom.csv", utf16(&people(4), true));
    let output = case.resolve(&file, &[]);
    resolves(&case, &output, &people_ids(4), &["13800130000"]);
}

#[test]
fn utf16_without_bom() {
    let case = Case::new();
    let file = case.file("utf16_no_bom.csv", utf16(&people(4), false));
    let output = case.resolve(&file, &[]);
    resolves(&case, &output, &people_ids(4), &["13800130000"]);
}

#[test]
fn latin1_reads_as_windows_1252_and_undecodable_bytes_fail_with_the_line() {
    let case = Case::new();
    let file = case.file(
        "latin1.csv",
        b"id,name,phone\nL1,Jos\xe9 Garc\xeda,13800138000\nL2,Ren\xe9e M\xfcller,13900139000\n",
    );
    for named in [&[][..], &["--encoding", "latin1"][..]] {
        let output = case.resolve(&file, named);
        resolves(&case, &output, &ids(&["L1", "L2"]), &["Jos", "Garc"]);
        let golden = std::fs::read_to_string(case.out().join("golden.csv")).unwrap();
        assert!(
            golden.contains("josé garcía") && golden.contains("renée müller"),
            "{golden}"
        );
    }
    // Bytes in pairs are no Latin-1 text, and neither UTF-8 nor GB18030 reads them.
    let file = case.file("pairs.csv", b"id,name,phone\nL1,Jos\xff\xff,13800138000\n");
    let output = case.resolve(&file, &[]);
    fails(
        &output,
        &["pairs.csv", "line 2", "cannot be decoded", "--encoding"],
        &["Jos", "13800138000"],
    );
}

#[test]
fn invalid_utf8_mid_file() {
    let case = Case::new();
    let mut bytes = people(6).into_bytes();
    bytes.extend_from_slice("P6,张\u{200b}".as_bytes());
    bytes.extend_from_slice(b"\x80secret,13800139999,x@example.com\n");
    let file = case.file("bad_utf8.csv", bytes);
    let output = case.resolve(&file, &[]);
    fails(
        &output,
        &["bad_utf8.csv", "line 8", "UTF-8"],
        &["secret", "13800139999"],
    );
}

#[test]
fn bom_only() {
    let case = Case::new();
    let file = case.file("bom_only.csv", b"\xef\xbb\xbf");
    fails(&case.resolve(&file, &[]), &["bom_only.csv", "empty"], &[]);
}

#[test]
fn nul_byte() {
    let case = Case::new();
    let file = case.file("nul.csv", b"id,name\nN1,secret\x00name\n");
    fails(
        &case.resolve(&file, &[]),
        &["nul.csv", "line 2", "NUL byte"],
        &["secret"],
    );
}

// ---- CSV shape ---------------------------------------------------------------------------

#[test]
fn ragged_rows_are_kept_as_their_own_entities() {
    let case = Case::new();
    let file = case.file(
        "ragged.csv",
        "id,name,phone\nR1,张伟,13800138000\nR2,secretshort\nR3,王芳,13900139000,secretextra\nR4,张伟,13800138000\n",
    );
    let output = case.resolve(&file, &[]);
    let err = resolves(
        &case,
        &output,
        &ids(&["R1", "R2", "R3", "R4"]),
        &["secretshort", "secretextra"],
    );
    assert!(
        err.contains("ragged.csv: row 2 (line 3): ragged row: 2 cells where the header has 3"),
        "{err}"
    );
    assert!(err.contains("row 3 (line 4)"), "{err}");
}

#[test]
fn unterminated_quote() {
    let case = Case::new();
    let file = case.file(
        "unterminated.csv",
        "id,name,phone\nQ1,Ann,13800138000\nQ2,\"secret,13900139000\nQ3,Bob,13700137000\n",
    );
    fails(
        &case.resolve(&file, &[]),
        &["unterminated.csv", "line 3", "never closed"],
        &["secret", "13900139000"],
    );
}

#[test]
fn embedded_newlines() {
    let case = Case::new();
    let file = case.file(
        "newlines.csv",
        "id,name,address\nE1,\"Ann\nLee\",\"1 Main St\nSpringfield\"\nE2,Bob,\"2 High St\r\nLeeds\"\n",
    );
    resolves(&case, &case.resolve(&file, &[]), &ids(&["E1", "E2"]), &[]);
}

#[test]
fn a_10_mb_cell() {
    let case = Case::new();
    let big = format!("SECRETCELL{}", "x".repeat(10 << 20));
    let file = case.file(
        "cell_10mb.csv",
        format!("id,name,phone\nB1,{big},13800138000\nB2,Ann,13900139000\n"),
    );
    resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["B1", "B2"]),
        &["SECRETCELL", "xxxxxxxx"],
    );
}

#[test]
fn a_100k_column_header() {
    let case = Case::new();
    let mut header = String::from("id,name,phone");
    let mut row1 = String::from("W1,张伟,13800138000");
    let mut row2 = String::from("W2,张伟,13800138000");
    for i in 3..100_000 {
        header.push_str(&format!(",c{i}"));
        row1.push_str(",a");
        row2.push_str(",b");
    }
    let file = case.file("columns_100k.csv", format!("{header}\n{row1}\n{row2}\n"));
    resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["W1", "W2"]),
        &["13800138000"],
    );
}

/// A repeated header is read as that header with `_2` added, with a warning naming the
/// columns by number: both phones are read, and the record holding only the second one
/// joins the record holding it as its first.
#[test]
fn duplicate_headers() {
    let case = Case::new();
    let file = case.file(
        "dup_header.csv",
        "id,phone,name,Phone\n1,13800138000,Ann Lee,13900139000\n2,13900139000,Ann Lee,\n",
    );
    let err = resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["1", "2"]),
        &["13800138000", "13900139000"],
    );
    assert!(
        err.contains("column 4 has the same header as column 2"),
        "{err}"
    );
    let entities = std::fs::read_to_string(case.out().join("entities.csv")).unwrap();
    let entity_of: Vec<&str> = entities
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        entity_of[0], entity_of[1],
        "the second phone column is read"
    );
}

#[test]
fn blank_headers() {
    let case = Case::new();
    let file = case.file(
        "blank_header.csv",
        "id,,name,phone,\nK1,x,张伟,13800138000,y\nK2,x,张伟,13800138000,y\n",
    );
    resolves(&case, &case.resolve(&file, &[]), &ids(&["K1", "K2"]), &[]);
    let golden = std::fs::read_to_string(case.out().join("golden.csv")).unwrap();
    assert!(golden.lines().next().unwrap().contains("phone"), "{golden}");
}

#[test]
fn mixed_line_endings() {
    let case = Case::new();
    let file = case.file(
        "crlf_lf.csv",
        "id,name,phone\r\nM1,Ann,13800138000\nM2,Bob,13900139000\r\n\r\nM3,Cy,13700137000",
    );
    resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["M1", "M2", "M3"]),
        &[],
    );
}

#[test]
fn semicolon_delimiter() {
    let case = Case::new();
    let file = case.file("semicolon.csv", people(6).replace(',', ";"));
    let output = case.resolve(&file, &[]);
    resolves(&case, &output, &people_ids(6), &[]);
    // The columns were told apart: phones matched.
    let report = std::fs::read_to_string(case.out().join("report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert!(report["joins"].as_u64().unwrap() >= 1, "{report}");
}

#[test]
fn tab_delimiter() {
    let case = Case::new();
    let file = case.file("tab.tsv", people(6).replace(',', "\t"));
    resolves(&case, &case.resolve(&file, &[]), &people_ids(6), &[]);
    let golden = std::fs::read_to_string(case.out().join("golden.csv")).unwrap();
    let header = golden.lines().next().unwrap();
    assert!(
        header.contains("phone") && header.contains("email"),
        "{header}"
    );
}

#[test]
fn space_separated_names_the_delimiter_option() {
    let case = Case::new();
    let file = case.file(
        "spaces.csv",
        "id name phone\nS1 Ann 13800138000\nS2 Bob 13900139000\n",
    );
    fails(
        &case.resolve(&file, &[]),
        &["spaces.csv", "line 1", "single column", "--delimiter"],
        &["13800138000"],
    );
    let output = case.resolve(&file, &["--delimiter", "space"]);
    resolves(&case, &output, &ids(&["S1", "S2"]), &["13800138000"]);
}

#[test]
fn json_lines_named_csv() {
    let case = Case::new();
    let file = case.file(
        "jsonl.csv",
        "{\"id\": \"J1\", \"name\": \"张伟\", \"phone\": \"13800138000\"}\n{\"id\": \"J2\", \"name\": \"张伟\", \"phone\": 13800138000}\n",
    );
    resolves(&case, &case.resolve(&file, &[]), &ids(&["J1", "J2"]), &[]);
    // normalize and profile read it as JSON lines too.
    let output = run(&["normalize", &file]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("id,name,phone,"), "{text}");
    let output = run(&["profile", &file, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["records"], 2);
    assert_eq!(json["bad_rows"], 0);
}

#[test]
fn a_png_named_csv() {
    let case = Case::new();
    let file = case.file(
        "image.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00",
    );
    fails(
        &case.resolve(&file, &[]),
        &["image.csv", "line 3", "not a text table"],
        &[],
    );
}

#[test]
fn first_row_of_data_is_no_header() {
    let case = Case::new();
    let file = case.file(
        "no_header.csv",
        "1,张伟,13912345678,深圳,13912345678\n2,王芳,13900001111,北京,13900001111\n",
    );
    fails(
        &case.resolve(&file, &[]),
        &["no_header.csv", "line 1 is not a header"],
        &["13912345678", "张伟"],
    );
}

// ---- ids ---------------------------------------------------------------------------------

#[test]
fn duplicate_ids() {
    let case = Case::new();
    let file = case.file(
        "dup_ids.csv",
        "id,name,phone\nDUPID7,Ann,13800138000\nX2,Bob,13900139000\nDUPID7,Cy,13700137000\n",
    );
    fails(
        &case.resolve(&file, &[]),
        &["dup_ids.csv", "row 3 (line 4)", "unique"],
        &["DUPID7", "Cy"],
    );
}

#[test]
fn empty_ids_take_their_row_number_and_never_another_rows_id() {
    let case = Case::new();
    // Row 2's id is blank, and 2 is row 4's id.
    let file = case.file(
        "empty_ids.csv",
        "id,name,phone\nA1,Ann,13800138000\n,Bob,13900139000\n  ,Cy,13700137000\n2,Di,13600136000\n",
    );
    let output = case.resolve(&file, &[]);
    let err = resolves(&case, &output, &ids(&["A1", "row-2", "3", "2"]), &["Bob"]);
    assert!(err.contains("row-N"), "{err}");
}

#[test]
fn a_10_kb_id() {
    let case = Case::new();
    let long = format!("I{}", "9".repeat(10 << 10));
    let file = case.file(
        "long_id.csv",
        format!("id,name,phone\n{long},Ann,13800138000\nI2,Ann,13800138000\n"),
    );
    resolves(
        &case,
        &case.resolve(&file, &[]),
        &[long.clone(), "I2".to_string()],
        &[&long[..40]],
    );
}

#[test]
fn ids_with_commas_quotes_newlines_and_spaces() {
    let case = Case::new();
    let file = case.file(
        "odd_ids.csv",
        "id,name,phone\n\"a,b\",Ann,13800138000\n\"say \"\"hi\"\"\",Bob,13900139000\n\"line\nbreak\",Cy,13700137000\n\" D4 \",Di,13600136000\n",
    );
    let output = case.resolve(&file, &[]);
    resolves(
        &case,
        &output,
        &ids(&["a,b", "say \"hi\"", "line\nbreak", " D4 "]),
        &[],
    );
    // A second run against the first keeps every entity id: ids read back exactly.
    let previous = case.out().join("entities.csv");
    let first = std::fs::read_to_string(&previous).unwrap();
    let kept = case.dir.path().join("first_entities.csv");
    std::fs::write(&kept, &first).unwrap();
    let output = case.resolve(&file, &["--previous", kept.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&previous).unwrap(), first);
}

// ---- values ------------------------------------------------------------------------------

/// A file of `rows` (id, name, phone, email, birth_date, id_number), which must resolve.
fn values_case(name: &str, rows: &[[&str; 6]], secrets: &[&str]) {
    let case = Case::new();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["id", "name", "phone", "email", "birth_date", "id_number"])
        .unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    let file = case.file(name, writer.into_inner().unwrap());
    let expected: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
    resolves(&case, &case.resolve(&file, &[]), &expected, secrets);
}

#[test]
fn emoji_phones() {
    values_case(
        "emoji_phones.csv",
        &[
            ["V1", "Ann", "📞138😀0013🎉8000", "", "", ""],
            ["V2", "Ann", "☎️ 13800138000", "", "", ""],
        ],
        &["📞", "☎"],
    );
}

#[test]
fn numbers_of_40_digits() {
    values_case(
        "digits_40.csv",
        &[
            [
                "V1",
                "Ann",
                "1234567890123456789012345678901234567890",
                "",
                "",
                "9876543210987654321098765432109876543210",
            ],
            ["V2", "Bob", "13800138000", "", "", ""],
        ],
        &["1234567890123", "9876543210987"],
    );
}

#[test]
fn impossible_dates() {
    values_case(
        "dates.csv",
        &[
            ["V1", "Ann", "13800138000", "", "0000-00-00", ""],
            ["V2", "Ann", "13800138000", "", "1900-02-29", ""],
            ["V3", "Bob", "13900139000", "", "2023-13-45", ""],
        ],
        &["0000-00-00", "1900-02-29", "2023-13-45"],
    );
}

#[test]
fn national_ids_with_bad_check_digits() {
    values_case(
        "bad_checksums.csv",
        &[
            ["V1", "张伟", "13800138000", "", "", "440305199001021234"],
            ["V2", "张伟", "13800138000", "", "", "44030519900102123X"],
            ["V3", "王芳", "13900139000", "", "", "11010519491231002"],
        ],
        &["440305199001021234", "11010519491231002"],
    );
}

#[test]
fn idn_emails() {
    values_case(
        "idn_emails.csv",
        &[
            ["V1", "Ann", "", "用户@例子.广告", "", ""],
            ["V2", "Ann", "", "josé@bücher.de", "", ""],
            ["V3", "Bob", "", "xn--bcher-kva@xn--bcher-kva.de", "", ""],
        ],
        &["例子", "bücher"],
    );
}

#[test]
fn a_5000_character_name() {
    let name = format!("SECRETNAME{}", "张".repeat(5000));
    values_case(
        "long_name.csv",
        &[
            ["V1", &name, "13800138000", "", "", ""],
            ["V2", "张伟", "13800138000", "", "", ""],
        ],
        &["SECRETNAME"],
    );
}

#[test]
fn rtl_text_and_zero_width_joiners() {
    values_case(
        "rtl_zwj.csv",
        &[
            ["V1", "\u{202e}محمد علي\u{202c}", "13800138000", "", "", ""],
            ["V2", "محمد\u{200d}علي", "13800138000", "", "", ""],
            ["V3", "张\u{200b}伟", "13900139000", "", "", ""],
        ],
        &["محمد"],
    );
}

/// Whether a spreadsheet would run `cell`: it starts with `=`, `@`, a tab or a carriage
/// return, or with `+` / `-` and holds letters or operators (a formula, not a number).
fn runs_as_formula(cell: &str) -> bool {
    let operator = |c: char| c.is_ascii_alphabetic() || "+|!".contains(c);
    cell.starts_with(['=', '@', '\t', '\r'])
        || (cell.starts_with(['+', '-']) && cell[1..].contains(operator))
}

#[test]
fn formula_cells_are_written_inert() {
    let case = Case::new();
    let file = case.file(
        "formulas.csv",
        "id,name,email,phone\n=E5,@HYPERLINK(\"http://x\"),=1+1@example.com,+8613800138000\n\
         F2,=cmd|' /C calc'!A0,b@example.com,-2+3\n",
    );
    let output = case.resolve(&file, &[]);
    resolves(&case, &output, &ids(&["=E5", "F2"]), &["HYPERLINK", "calc"]);
    for name in ["entities.csv", "golden.csv", "review.csv"] {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(case.out().join(name))
            .unwrap();
        for row in reader.records() {
            for cell in row.unwrap().iter() {
                assert!(!runs_as_formula(cell), "{name}: {cell:?}");
            }
        }
    }
    let entities = std::fs::read_to_string(case.out().join("entities.csv")).unwrap();
    assert!(entities.contains("\n'=E5,"), "{entities}");
    let output = run(&["normalize", &file]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("'=cmd|' /C calc'!A0"), "{text}");
    assert!(
        text.contains(",+8613800138000,"),
        "a phone is no formula: {text}"
    );
    assert!(!text.contains(",=") && !text.contains(",@"), "{text}");
}

// ---- JSON lines --------------------------------------------------------------------------

#[test]
fn nested_json_values_become_columns() {
    let case = Case::new();
    let file = case.file(
        "nested.jsonl",
        "{\"id\": \"N1\", \"name\": \"张伟\", \"address\": {\"city\": \"北京\", \"street\": \"no8\"}}\n\
         {\"id\": \"N2\", \"name\": \"张伟\", \"address\": {\"city\": \"北京\", \"street\": \"no8\"}, \"tags\": [1, {\"a\": 2}]}\n",
    );
    resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["N1", "N2"]),
        &["北京"],
    );
    let output = run(&["normalize", &file]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("id,name,address.city,address.street,tags,"),
        "{text}"
    );
    assert!(!text.contains("city北京"), "{text}");
}

#[test]
fn json_numbers_of_30_digits() {
    let case = Case::new();
    let file = case.file(
        "digits_30.jsonl",
        "{\"id\": 123456789012345678901234567890, \"phone\": 13800138000}\n{\"id\": 2, \"phone\": 13800138000.0}\n",
    );
    resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["123456789012345678901234567890", "2"]),
        &[],
    );
}

#[test]
fn json_duplicate_keys() {
    let case = Case::new();
    let file = case.file(
        "dup_keys.jsonl",
        "{\"id\": \"K1\", \"name\": \"secretfirst\", \"name\": \"Ann\"}\n{\"id\": \"K2\", \"name\": \"Ann\"}\n",
    );
    let err = resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["K1", "K2"]),
        &["secretfirst"],
    );
    assert!(err.contains("row 1 (line 1): a key repeats"), "{err}");
}

#[test]
fn json_truncated_last_line_keeps_its_id() {
    let case = Case::new();
    let file = case.file(
        "truncated.jsonl",
        "{\"id\": \"R001\", \"phone\": \"13800138000\"}\n{\"id\": \"R002\", \"phone\": \"13800138000\"}\n{\"id\": \"R010\", \"phone\": \"1390013",
    );
    let err = resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["R001", "R002", "R010"]),
        &["1390013"],
    );
    assert!(err.contains("row 3 (line 3): invalid JSON"), "{err}");
}

#[test]
fn json_bad_line_whose_row_number_is_taken() {
    let case = Case::new();
    // Line 2 is no object; its row number, 2, is line 3's id.
    let file = case.file(
        "bad_line.jsonl",
        "{\"id\": \"1\", \"name\": \"Ann\"}\n[\"secret\"]\n{\"id\": \"2\", \"name\": \"Ann\"}\n",
    );
    let err = resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["1", "row-2", "2"]),
        &["secret"],
    );
    assert!(err.contains("row 2 (line 2)"), "{err}");
}

// ---- configurations ----------------------------------------------------------------------

/// Resolves [`people`] with `config` as `--config`; returns the case and the run.
fn with_config(name: &str, config: &str) -> (Case, Output) {
    let case = Case::new();
    let data = case.file("people.csv", people(6));
    let config = case.file(name, config);
    let output = case.resolve(&data, &["--config", &config]);
    (case, output)
}

#[test]
fn config_truncated() {
    let json = people_config().to_string();
    let (_, output) = with_config("truncated.json", &json[..json.len() / 2]);
    fails(
        &output,
        &["truncated.json", "not a usable config", "EOF"],
        &[],
    );
}

#[test]
fn config_wrong_version() {
    let mut config = people_config();
    config["version"] = 99.into();
    let (_, output) = with_config("v99.json", &config.to_string());
    fails(&output, &["v99.json", "version 99"], &[]);
}

#[test]
fn config_unknown_keys_are_warned_of() {
    let mut config = people_config();
    config["matching"]["treshold"] = 0.9.into();
    let (case, output) = with_config("unknown_keys.json", &config.to_string());
    let err = resolves(&case, &output, &people_ids(6), &[]);
    assert!(
        err.contains("unknown_keys.json: unknown key `matching.treshold` is ignored"),
        "{err}"
    );
}

#[test]
fn config_nan_and_negative_thresholds() {
    let text = people_config()
        .to_string()
        .replace("\"threshold\":0.5", "\"threshold\":NaN");
    assert!(text.contains("NaN"));
    let (_, output) = with_config("nan.json", &text);
    fails(&output, &["nan.json", "not a usable config", "line 1"], &[]);
    let mut config = people_config();
    config["matching"]["threshold"] = (-0.5).into();
    let (_, output) = with_config("negative.json", &config.to_string());
    fails(&output, &["negative.json", "threshold"], &[]);
}

#[test]
fn config_rule_naming_a_missing_field() {
    let mut config = people_config();
    config["matching"]["blocking"]["rules"][0]["keys"][0]["fields"][0] = "nope".into();
    let (_, output) = with_config("missing_field.json", &config.to_string());
    fails(
        &output,
        &["missing_field.json", "no field named `nope`"],
        &[],
    );
}

#[test]
fn config_max_block_size_zero() {
    let mut config = people_config();
    config["matching"]["blocking"]["max_block_size"] = 0.into();
    let (_, output) = with_config("block0.json", &config.to_string());
    fails(&output, &["block0.json", "max_block_size"], &[]);
}

// ---- side files --------------------------------------------------------------------------

/// A resolve run of [`people`]; returns the case, the data file and the first output dir.
fn resolved_people() -> (Case, String, PathBuf) {
    let case = Case::new();
    let data = case.file("people.csv", people(6));
    let output = case.resolve(&data, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let first = case.dir.path().join("first");
    std::fs::rename(case.out(), &first).unwrap();
    (case, data, first)
}

#[test]
fn previous_of_the_wrong_shape() {
    let (case, data, first) = resolved_people();
    for (file, looks) in [("golden.csv", "golden.csv"), ("review.csv", "review")] {
        let path = first.join(file).display().to_string();
        let output = case.resolve(&data, &["--previous", &path]);
        fails(
            &output,
            &[file, "not an entities file", "record_id", looks],
            &[],
        );
    }
    assert!(!case.out().join("entities.csv").exists(), "nothing written");
}

#[test]
fn decisions_of_the_wrong_shape_and_for_unknown_ids() {
    let (case, data, first) = resolved_people();
    let entities = first.join("entities.csv").display().to_string();
    let output = case.resolve(&data, &["--decisions", &entities]);
    fails(
        &output,
        &["entities.csv", "not a review file", "record_id_l"],
        &[],
    );
    let decisions = case.file(
        "decisions.csv",
        "record_id_l,record_id_r,decision\nP0,SECRETID,match\nP0,P2,no\n",
    );
    let output = case.resolve(&data, &["--decisions", &decisions]);
    let err = resolves(&case, &output, &people_ids(6), &["SECRETID"]);
    assert!(
        err.contains("decisions.csv: 1 decisions name a record id that is not in the input"),
        "{err}"
    );
}

#[test]
fn truth_of_the_wrong_shape_fails_before_the_run() {
    let (case, data, first) = resolved_people();
    let golden = first.join("golden.csv").display().to_string();
    let output = case.resolve(&data, &["--truth", &golden]);
    fails(
        &output,
        &["golden.csv", "row 1", "not in the truth"],
        &["P0"],
    );
    assert!(!case.out().exists(), "nothing written: it failed first");
}

// ---- outputs -----------------------------------------------------------------------------

#[test]
fn output_path_that_is_a_file_or_cannot_be_written() {
    let case = Case::new();
    let data = case.file("people.csv", people(2));
    let file = case.file("taken", "");
    let output = run(&["resolve", &data, "--out", &file, "-q"]);
    let err = fails(&output, &["taken", "is a file"], &[]);
    assert!(
        !err.contains("os error 17): File exists"),
        "said once: {err}"
    );
    let below = format!("{file}/sub");
    let output = run(&["resolve", &data, "--out", &below, "-q"]);
    let err = fails(&output, &["taken/sub", "cannot create"], &[]);
    let os = err.matches("os error").count();
    assert_eq!(os, 1, "the system's reason once: {err}");
}

#[test]
fn a_missing_input_says_the_system_reason_once() {
    let case = Case::new();
    let missing = case.dir.path().join("missing.csv").display().to_string();
    for command in ["resolve", "normalize", "profile", "match"] {
        let output = if command == "resolve" {
            case.resolve(&missing, &[])
        } else {
            run(&[command, &missing])
        };
        let err = fails(&output, &["missing.csv", "No such file"], &[]);
        assert_eq!(err.matches("os error 2").count(), 1, "{command}: {err}");
    }
}

#[test]
fn a_closed_pipe_is_a_quiet_exit() {
    let case = Case::new();
    let data = case.file("people.csv", people(4));
    let out = case.out().display().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sameas"))
        .args(["resolve", &data, "--out", &out, "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the summary is printed, as `| true` does.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let err = no_panic_no_secrets(&output, &[]);
    assert!(output.status.success(), "{:?} {err}", output.status);
    assert!(case.out().join("entities.csv").exists());
}

#[test]
fn synth_with_a_bad_size_leaves_existing_files_alone() {
    let case = Case::new();
    let out = case.file("keep.csv", "keep me\n");
    let truth = case.file("keep_truth.csv", "keep me too\n");
    let output = run(&[
        "synth",
        "--records",
        "1000000000000",
        "--out",
        &out,
        "--truth",
        &truth,
    ]);
    fails(&output, &["too many records"], &[]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    assert_eq!(std::fs::read_to_string(&truth).unwrap(), "keep me too\n");
    assert_eq!(
        std::fs::read_dir(case.dir.path()).unwrap().count(),
        2,
        "no temporary left"
    );
}

// ---- tiny inputs -------------------------------------------------------------------------

#[test]
fn a_header_without_rows_gives_empty_outputs_and_a_note() {
    let case = Case::new();
    let file = case.file("header_only.csv", "id,name,phone\n");
    let err = resolves(&case, &case.resolve(&file, &[]), &[], &[]);
    assert!(
        err.contains("header_only.csv: the input has a header but no data rows"),
        "{err}"
    );
    let golden = std::fs::read_to_string(case.out().join("golden.csv")).unwrap();
    assert_eq!(golden.lines().count(), 1, "a header only: {golden}");
    for command in ["normalize", "profile"] {
        let output = run(&[command, &file]);
        assert!(output.status.success(), "{command}: {}", stderr(&output));
        assert!(stderr(&output).contains("no data rows"), "{command}");
    }
}

#[test]
fn one_record_is_one_entity() {
    let case = Case::new();
    let file = case.file("one.csv", "id,name,phone\nO1,张伟,13800138000\n");
    let err = resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["O1"]),
        &["13800138000"],
    );
    assert!(err.contains("untrained default"), "{err}");
    let report = std::fs::read_to_string(case.out().join("report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert!(
        report["warnings"][0]
            .as_str()
            .unwrap()
            .contains("untrained default")
    );
    let config = std::fs::read_to_string(case.out().join("config.json")).unwrap();
    assert!(config.contains("\"method\": \"default\""));
}

#[test]
fn one_good_record_and_one_broken_row() {
    let case = Case::new();
    let file = case.file(
        "one_broken.csv",
        "id,name,phone\nO1,张伟,13800138000\nO2,secret\n",
    );
    let err = resolves(
        &case,
        &case.resolve(&file, &[]),
        &ids(&["O1", "O2"]),
        &["secret"],
    );
    assert!(err.contains("row 2 (line 3)"), "{err}");
}
