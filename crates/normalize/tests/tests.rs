//! The normalizers through the public API: the acceptance cases of each field kind, and
//! property tests over whole records.

mod json_lines;

use proptest::prelude::*;
use sameas_core::Channel;
use sameas_normalize::NormalizeOptions;
use sameas_normalize::infer::{infer_schema, record_from_row};
use sameas_normalize::record::RecordNormalizer;

const RETAIL_HEADERS: [&str; 12] = [
    "record_id",
    "channel",
    "name",
    "phone",
    "email",
    "address",
    "birth_date",
    "gender",
    "id_number",
    "member_no",
    "device_id",
    "updated_at",
];

fn retail_normalizer() -> RecordNormalizer {
    let schema = infer_schema(&RETAIL_HEADERS).unwrap().schema;
    let options = NormalizeOptions {
        reference_date: Some(jiff::civil::date(2026, 11, 22)),
        ..NormalizeOptions::default()
    };
    RecordNormalizer::new(schema, options).unwrap()
}

/// Normalizes one row and returns `(output header, output cell)` pairs.
fn normalize_row(normalizer: &RecordNormalizer, row: &[&str]) -> Vec<(String, String)> {
    let record = record_from_row(normalizer.schema(), row, 1, &Channel::Unknown);
    let normalized = normalizer.normalize(&record);
    let mut cells = Vec::new();
    normalizer.output_cells(&normalized, &mut cells);
    normalizer.output_headers().into_iter().zip(cells).collect()
}

fn get<'a>(cells: &'a [(String, String)], column: &str) -> &'a str {
    &cells
        .iter()
        .find(|(h, _)| h == column)
        .unwrap_or_else(|| panic!("no {column}"))
        .1
}

#[test]
fn the_same_customer_from_six_channels_meets_on_keys() {
    let normalizer = retail_normalizer();
    let rows: [[&str; 12]; 4] = [
        [
            "1",
            "pos",
            "张伟",
            "138-0013-8000",
            "",
            "广东省深圳市南山区科技园路1号",
            "1990-01-02",
            "男",
            "",
            "",
            "",
            "",
        ],
        [
            "2",
            "app",
            "張偉",
            "+86 138 0013 8000",
            "ZhangWei@QQ.com",
            "廣東省深圳市南山區科技園路1號",
            "1990/01/02",
            "M",
            "",
            "",
            "",
            "",
        ],
        [
            "3",
            "mini_program",
            "Zhang Wei",
            "１３８００１３８０００",
            "zhangwei@qq.con",
            "广东深圳南山区科技园路1号",
            "1990年1月2日",
            "1",
            "",
            "",
            "",
            "",
        ],
        [
            "4",
            "call_centre",
            "章伟",
            "0086 13800138000",
            "",
            "",
            "Jan 2 1990",
            "",
            "",
            "",
            "",
            "",
        ],
    ];
    let normalized: Vec<_> = rows
        .iter()
        .map(|row| normalize_row(&normalizer, row))
        .collect();
    for cells in &normalized {
        assert_eq!(get(cells, "name.pinyin"), "zhang wei");
        assert_eq!(get(cells, "phone.e164"), "+8613800138000");
        assert_eq!(get(cells, "birth_date.norm"), "1990-01-02");
    }
    for cells in &normalized[..3] {
        assert_eq!(get(cells, "address.district"), "南山区");
        assert_eq!(
            get(cells, "address.detail"),
            get(&normalized[0], "address.detail")
        );
    }
    assert_eq!(
        get(&normalized[1], "email.canonical"),
        get(&normalized[2], "email.canonical")
    );
}

#[test]
fn masked_marketplace_phone_keeps_its_visible_digits() {
    let normalizer = retail_normalizer();
    let masked = normalize_row(&normalizer, &["1", "marketplace", "张先生", "138****8000"]);
    let full = normalize_row(&normalizer, &["2", "pos", "张伟", "13800138000"]);
    assert_eq!(get(&masked, "phone.e164"), "");
    for key in ["phone.masked_prefix", "phone.masked_suffix", "name.family"] {
        assert_eq!(get(&masked, key), get(&full, key), "{key}");
    }
}

#[test]
fn normalized_forms_read_back_unchanged() {
    let normalizer = retail_normalizer();
    let row = [
        "1",
        "web",
        "SMITH, Robert",
        "(702) 919-1300",
        "Bob.Smith+shop@Gmail.com",
        "123 Main Street, Las Vegas NV 89132",
        "01/02/1980",
        "male",
        "11010519491231002X",
        "m-00 12",
        "DEV-1",
        "2025-01-01",
    ];
    let record = record_from_row(normalizer.schema(), &row, 1, &Channel::Unknown);
    let first = normalizer.normalize(&record);
    let norms: Vec<String> = first
        .fields()
        .map(|f| f.value.as_ref().map(|v| v.norm()).unwrap_or_default())
        .collect();
    let mut again_row = vec!["1".to_string(), "web".to_string()];
    again_row.extend(norms.iter().cloned());
    again_row.push("2025-01-01".to_string());
    let again = normalizer.normalize(&record_from_row(
        normalizer.schema(),
        &again_row,
        1,
        &Channel::Unknown,
    ));
    let again_norms: Vec<String> = again
        .fields()
        .map(|f| f.value.as_ref().map(|v| v.norm()).unwrap_or_default())
        .collect();
    assert_eq!(norms, again_norms);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any row, however malformed, normalizes without panicking into exactly one result per
    /// field and one cell per output column.
    #[test]
    fn any_row_normalizes_to_the_full_width(row in proptest::collection::vec("\\PC{0,24}", 0..14)) {
        let normalizer = retail_normalizer();
        let record = record_from_row(normalizer.schema(), &row, 1, &Channel::Unknown);
        let normalized = normalizer.normalize(&record);
        prop_assert_eq!(normalized.field_count(), normalizer.schema().fields.len());
        let mut cells = Vec::new();
        normalizer.output_cells(&normalized, &mut cells);
        prop_assert_eq!(cells.len(), normalizer.output_headers().len());
    }

    /// Normalizing a record's normalized values gives the same normalized values.
    #[test]
    fn record_normalization_is_idempotent(
        name in "[张王李][伟芳娜]|[A-Z][a-z]{2,6} [A-Z][a-z]{2,6}",
        phone in "1[3-9][0-9]{9}",
        day in 1u8..=28,
    ) {
        let normalizer = retail_normalizer();
        let date = format!("1990/{day}/3");
        let row = ["1", "pos", name.as_str(), phone.as_str(), "", "", date.as_str()];
        let first = normalizer.normalize(&record_from_row(normalizer.schema(), &row, 1, &Channel::Unknown));
        let norms: Vec<String> = first.fields().map(|f| f.value.as_ref().map(|v| v.norm()).unwrap_or_default()).collect();
        let mut again_row = vec!["1".to_string(), "pos".to_string()];
        again_row.extend(norms.iter().cloned());
        let again = normalizer.normalize(&record_from_row(normalizer.schema(), &again_row, 1, &Channel::Unknown));
        let again_norms: Vec<String> = again.fields().map(|f| f.value.as_ref().map(|v| v.norm()).unwrap_or_default()).collect();
        prop_assert_eq!(norms, again_norms);
    }
}
