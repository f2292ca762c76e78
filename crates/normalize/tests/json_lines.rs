//! JSON lines through the public API: the sample data read as JSON lines equals the CSV, and
//! whatever serde_json writes reads back cell for cell.

use proptest::prelude::*;
use sameas_normalize::table::{TableError, TableFormat, read_csv, read_json_lines, read_table};

const CUSTOMERS_CSV: &[u8] = include_bytes!("../../../examples/data/customers.csv");
const CUSTOMERS_JSONL: &[u8] = include_bytes!("../../../examples/data/customers.jsonl");

#[test]
fn customers_jsonl_reads_as_the_csv() {
    let csv = read_csv(CUSTOMERS_CSV, None).unwrap();
    // The JSON lines write phones and ids as numbers, empty cells as null or not at all.
    let jsonl = read_json_lines(CUSTOMERS_JSONL, None).unwrap();
    assert_eq!(jsonl.headers, csv.headers);
    assert_eq!(jsonl.rows.len(), 30);
    assert_eq!(jsonl.rows.len(), csv.rows.len());
    for (json_row, csv_row) in jsonl.rows.iter().zip(&csv.rows) {
        assert_eq!(json_row.number, csv_row.number);
        assert_eq!(json_row.cells, csv_row.cells, "row {}", csv_row.number);
        assert_eq!(json_row.problem, None);
    }
    assert_eq!(jsonl.rows[5].cells[3], "13912345678");
    assert_eq!(jsonl.rows[5].cells[8], "110105198507153516");
}

#[test]
fn read_table_picks_the_format_by_content_or_path() {
    let by_content = read_table(CUSTOMERS_JSONL, None, None).unwrap();
    let by_path = read_table(
        CUSTOMERS_JSONL,
        None,
        TableFormat::from_path("examples/data/customers.jsonl".as_ref()),
    )
    .unwrap();
    assert_eq!(by_content, by_path);
    assert_eq!(by_content, read_json_lines(CUSTOMERS_JSONL, None).unwrap());
    assert_eq!(
        read_table(CUSTOMERS_CSV, None, None).unwrap(),
        read_csv(CUSTOMERS_CSV, None).unwrap()
    );
}

/// Writes one object with its keys in the given order, each key and value through serde_json.
fn object_line(entries: &[(String, String)]) -> String {
    let fields: Vec<String> = entries
        .iter()
        .map(|(key, value)| {
            format!(
                "{}: {}",
                serde_json::to_string(key).unwrap(),
                serde_json::to_string(value).unwrap()
            )
        })
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// Objects of string values. Keys are unique within an object and carry no surrounding white
/// space, so that trimming leaves them as written.
fn objects() -> impl Strategy<Value = Vec<Vec<(String, String)>>> {
    let object = prop::collection::vec(("[a-z_姓名电话]{1,6}", any::<String>()), 0..6).prop_map(
        |mut entries| {
            let mut seen = std::collections::HashSet::new();
            entries.retain(|(key, _)| seen.insert(key.clone()));
            entries
        },
    );
    prop::collection::vec(object, 1..12)
}

proptest! {
    #[test]
    fn string_objects_read_back_cell_for_cell(objects in objects()) {
        let text: String = objects.iter().map(|o| object_line(o) + "\n").collect();
        // The slow, obvious reference: the union of keys in first-seen order.
        let mut headers: Vec<String> = Vec::new();
        for (key, _) in objects.iter().flatten() {
            if !headers.contains(key) {
                headers.push(key.clone());
            }
        }
        let read = read_json_lines(text.as_bytes(), None);
        if headers.is_empty() {
            prop_assert_eq!(read, Err(TableError::NoKeys));
            return Ok(());
        }
        let table = read.unwrap();
        prop_assert_eq!(&table.headers, &headers);
        prop_assert_eq!(table.rows.len(), objects.len());
        for (index, (row, object)) in table.rows.iter().zip(&objects).enumerate() {
            let expected: Vec<&str> = headers
                .iter()
                .map(|h| object.iter().find(|(k, _)| k == h).map_or("", |(_, v)| v.as_str()))
                .collect();
            prop_assert_eq!(&row.cells, &expected);
            prop_assert_eq!(row.problem, None);
            prop_assert_eq!(row.number, index as u64 + 1);
            prop_assert_eq!(row.line, index as u64 + 1);
        }
    }

    #[test]
    fn numbers_read_back_as_written(
        number in r"-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,20})?([eE][+-]?[0-9]{1,4})?",
    ) {
        let line = format!("{{\"n\": {number}, \"listed\": [{number}], \"nested\": [{number}, true]}}");
        let table = read_json_lines(line.as_bytes(), None).unwrap();
        prop_assert_eq!(
            &table.rows[0].cells,
            &[number.clone(), number.clone(), format!("[{number},true]")]
        );
    }
}
