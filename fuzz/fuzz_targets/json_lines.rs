//! JSON lines from arbitrary bytes: reading never panics, every non-blank line becomes exactly
//! one row, numbered in order, and a row without a problem holds one cell per header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas_normalize::table::{TableFormat, decode, read_json_lines, read_table};

/// Blank as the reader sees it: white space, or a byte order mark left inside the text.
fn is_blank(line: &str) -> bool {
    line.chars().all(|c| c.is_whitespace() || c == '\u{feff}')
}

fuzz_target!(|data: &[u8]| {
    let read = read_json_lines(data, None);
    assert_eq!(read, read_table(data, None, Some(TableFormat::JsonLines)));
    let _ = read_table(data, None, None);
    let Ok(table) = read else { return };
    let (text, encoding) = decode(data, None).expect("a table was read, so the bytes decode");
    assert_eq!(table.encoding, encoding);
    let lines: Vec<&str> = text.split('\n').collect();
    let data_lines: Vec<u64> = (1..=lines.len() as u64)
        .filter(|&line| !is_blank(lines[line as usize - 1]))
        .collect();
    assert_eq!(table.rows.len(), data_lines.len());
    assert!(!table.headers.is_empty());
    for (index, (row, &line)) in table.rows.iter().zip(&data_lines).enumerate() {
        assert_eq!(row.number, index as u64 + 1);
        assert_eq!(row.line, line);
        if row.problem.is_none() {
            assert_eq!(row.cells.len(), table.headers.len());
        }
        if let Some(problem) = row.problem {
            assert!(!problem.reason().is_empty());
        }
    }
    for header in &table.headers {
        assert!(!header.is_empty() && header.trim() == header);
    }
});
