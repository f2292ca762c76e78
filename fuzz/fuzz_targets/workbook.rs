//! Spreadsheet workbooks from arbitrary bytes behind a zip or OLE signature: reading never
//! panics, and a table read holds rows numbered in order, each with a line past the header's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas_normalize::table::read_table;

fuzz_target!(|data: &[u8]| {
    for signature in [&b"PK\x03\x04"[..], &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]] {
        let bytes = [signature, data].concat();
        let Ok(table) = read_table(&bytes, None, None) else {
            continue;
        };
        assert!(table.sheet.is_some(), "a workbook names the sheet it read");
        for (index, row) in table.rows.iter().enumerate() {
            assert_eq!(row.number, index as u64 + 1);
            assert!(row.line > table.header_line);
        }
    }
});
