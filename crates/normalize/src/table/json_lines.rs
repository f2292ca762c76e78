//! JSON lines: one object per line, its keys naming the columns.
//!
//! Values are kept as text the way they were written: a number keeps its digits (a phone
//! `13800138000` never becomes `1.38e10`), so that normalizers see what a CSV export would
//! have held. Values are taken as raw JSON text and only strings are decoded, so no float is
//! ever formatted again. A nested object becomes one column per key (`address.city`), as
//! pandas' `json_normalize` does, never one cell of run-together text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{RowProblem, Table, TableError, TableRow, decode_table, is_blank_char};

/// Cells a table may always hold, whatever the file's size. Past this, a table may hold as
/// many cells as the file has bytes: each row holds a cell for every key, so lines that each
/// bring new keys would otherwise grow the table with the square of the file. A dense file
/// holds far fewer cells than bytes (`"k":"v",` is already 8 bytes).
const CELL_ALLOWANCE: usize = 1 << 22;

/// Reads JSON lines from raw bytes: each non-blank line is one JSON object. The columns are
/// the union of the keys (trimmed) in first-seen order; a row's cell is empty where its object
/// lacks the key or holds `null`.
///
/// Cells hold strings as they are, numbers as the exact digits written (`13800138000`, `1.50`,
/// `1e3`), `true` / `false`, and other arrays as their JSON text without white space outside
/// strings. A nested object's values go to columns named `parent.key` (at any depth; an empty
/// object is an empty `parent` cell), and so do the items of an array of at most eight
/// strings and numbers (`phones.1`, `phones.2`: a person's phones are matched one by one).
/// Every row holds one cell per header.
///
/// A line that is not valid JSON, or not an object, is kept as a row flagged
/// [`RowProblem::InvalidJson`] or [`RowProblem::NotAnObject`], so that the caller can keep it
/// as a flagged record. Of a line that breaks off (a truncated last line, a missing comma),
/// the values read before the fault are kept in the columns other lines have, so its id
/// survives; it brings no columns of its own. When an object repeats a key, the last value wins and the row is
/// flagged [`RowProblem::DuplicateKey`]; an empty key's value is dropped and the row flagged
/// [`RowProblem::EmptyKey`]. A row carries the first of these problems met in its line.
///
/// [`TableRow::number`] counts non-blank lines from 1; [`TableRow::line`] is the line in the
/// file.
///
/// # Errors
/// Decoding errors from [`super::decode`], [`TableError::Empty`], [`TableError::NoKeys`] when
/// no line is an object with a key, and [`TableError::TooSparse`] when the keys are so many,
/// and so rarely shared, that the table would be far larger than the file.
///
/// ```
/// use sameas_normalize::table::{read_json_lines, RowProblem};
/// let jsonl = br#"{"id": "C1", "phone": 13800138000}
///
/// {"id": "C2", "tags": ["vip", true], "phone": null, "home": {"city": "Shenzhen"}}
/// not json
/// {"id": "C4", "phone": 139
/// "#;
/// let table = read_json_lines(jsonl, None).unwrap();
/// assert_eq!(table.headers, ["id", "phone", "tags", "home.city"]);
/// assert_eq!(table.rows[0].cells, ["C1", "13800138000", "", ""]);
/// assert_eq!(table.rows[1].cells, ["C2", "", r#"["vip",true]"#, "Shenzhen"]);
/// assert_eq!((table.rows[2].number, table.rows[2].line), (3, 4));
/// // `n` could start `null`: the `o` is where reading fails.
/// assert_eq!(table.rows[2].problem, Some(RowProblem::InvalidJson { column: 2 }));
/// // A truncated line keeps its id; the number it broke off in may be cut short, so it goes.
/// assert_eq!(table.rows[3].cells, ["C4", "", "", ""]);
/// ```
pub fn read_json_lines(bytes: &[u8], encoding: Option<&str>) -> Result<Table, TableError> {
    let (text, encoding) = decode_table(bytes, encoding)?;
    from_text(&text, encoding)
}

/// A row before the columns are all known: cells by column index.
struct SparseRow {
    number: u64,
    line: u64,
    cells: Vec<(usize, String)>,
    problem: Option<RowProblem>,
}

/// The columns seen so far, and in which row each was last set, to find repeated keys in
/// linear time.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// Per column: the row number that last set it and the position of its cell in that row.
    last_set: Vec<(u64, usize)>,
}

impl Columns {
    fn index_of(&mut self, key: &str) -> usize {
        if let Some(&index) = self.index.get(key) {
            return index;
        }
        let index = self.names.len();
        self.names.push(key.to_string());
        self.index.insert(key.to_string(), index);
        self.last_set.push((0, 0));
        index
    }
}

pub(super) fn from_text(text: &str, encoding: &'static str) -> Result<Table, TableError> {
    let mut columns = Columns::default();
    let mut rows: Vec<SparseRow> = Vec::new();
    let mut partial = Vec::new();
    let mut number = 0;
    for (index, raw_line) in text.split('\n').enumerate() {
        let line = raw_line.trim_matches(is_blank_char);
        if line.is_empty() {
            continue;
        }
        number += 1;
        let mut row = SparseRow {
            number,
            line: index as u64 + 1,
            cells: Vec::new(),
            problem: None,
        };
        let leading_chars = raw_line
            [..raw_line.len() - raw_line.trim_start_matches(is_blank_char).len()]
            .chars()
            .count();
        match parse_line(line) {
            Ok(entries) => fill_row(&mut row, entries, &mut columns),
            Err((problem, read)) => {
                row.problem = Some(match problem {
                    RowProblem::InvalidJson { column } => RowProblem::InvalidJson {
                        column: leading_chars + column,
                    },
                    other => other,
                });
                if !read.is_empty() {
                    partial.push((rows.len(), read));
                }
            }
        }
        rows.push(row);
    }
    // A broken line's values fill only the columns the good lines made.
    for (at, read) in partial {
        for (key, value) in read {
            if let Some(&index) = columns.index.get(key.trim()) {
                rows[at].cells.push((index, value));
            }
        }
    }
    if columns.names.is_empty() {
        return Err(TableError::NoKeys);
    }
    let width = columns.names.len();
    if rows.len().saturating_mul(width) > CELL_ALLOWANCE.max(text.len()) {
        return Err(TableError::TooSparse {
            keys: width,
            rows: rows.len(),
        });
    }
    let rows = rows
        .into_iter()
        .map(|row| {
            let mut cells = vec![String::new(); width];
            for (index, value) in row.cells {
                cells[index] = value;
            }
            TableRow {
                number: row.number,
                line: row.line,
                cells,
                problem: row.problem,
            }
        })
        .collect();
    Ok(Table {
        headers: columns.names,
        rows,
        encoding,
        header_line: 1,
        renamed_headers: Vec::new(),
        sheet: None,
    })
}

/// Places an object's values in their columns, adding columns for new keys.
fn fill_row(row: &mut SparseRow, entries: Vec<(String, String)>, columns: &mut Columns) {
    row.cells.reserve(entries.len());
    for (key, value) in entries {
        let key = key.trim();
        if key.is_empty() {
            row.problem.get_or_insert(RowProblem::EmptyKey);
            continue;
        }
        let index = columns.index_of(key);
        let (set_in, position) = columns.last_set[index];
        if set_in == row.number {
            row.cells[position].1 = value;
            row.problem.get_or_insert(RowProblem::DuplicateKey);
        } else {
            columns.last_set[index] = (row.number, row.cells.len());
            row.cells.push((index, value));
        }
    }
}

/// Entries of a line that is no (valid) object: why, and those read before the fault.
type Broken = (RowProblem, Vec<(String, String)>);

/// One line's `(key, cell)` pairs in written order (nested objects flattened), or why the
/// line is no object, with the pairs read before the fault.
fn parse_line(line: &str) -> Result<Vec<(String, String)>, Broken> {
    let read = RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let parsed = deserializer
        .deserialize_any(LineVisitor { read: &read })
        .and_then(|is_object| deserializer.end().map(|()| is_object));
    let mut entries = Vec::new();
    let mut raw_entries = read.into_inner();
    let problem = match parsed {
        Ok(true) => None,
        Ok(false) => Some(RowProblem::NotAnObject),
        Err(err) => {
            // A number or literal the line broke off in may be cut short: drop it.
            if err.is_eof()
                && raw_entries
                    .last()
                    .is_some_and(|(_, raw)| !raw.get().ends_with(['"', '}', ']']))
            {
                raw_entries.pop();
            }
            Some(invalid_at(line, 0, &err))
        }
    };
    for (key, raw) in raw_entries {
        if let Err(problem) = push_entry(key.trim(), raw, line, &mut entries) {
            return Err((problem, entries));
        }
    }
    match problem {
        None => Ok(entries),
        Some(problem) => Err((problem, entries)),
    }
}

/// Pushes one entry's cell, or, for an object, one cell per key under `key.child`.
fn push_entry(
    key: &str,
    raw: &RawValue,
    line: &str,
    out: &mut Vec<(String, String)>,
) -> Result<(), RowProblem> {
    // The value is a slice of the line; its place gives the column of an error.
    let offset = raw.get().as_ptr() as usize - line.as_ptr() as usize;
    if raw.get().starts_with('{') {
        let read = RefCell::new(Vec::new());
        serde_json::Deserializer::from_str(raw.get())
            .deserialize_any(LineVisitor { read: &read })
            .map_err(|err| invalid_at(line, offset, &err))?;
        let children = read.into_inner();
        if children.is_empty() {
            out.push((key.to_string(), String::new()));
        }
        for (child, value) in children {
            let child = child.trim();
            // A blank part leaves the key empty, which the row reports.
            let joined = if key.is_empty() || child.is_empty() {
                String::new()
            } else {
                format!("{key}.{child}")
            };
            push_entry(&joined, value, line, out)?;
        }
        return Ok(());
    }
    if let Some(items) = short_list_of_scalars(raw.get()) {
        if items.is_empty() {
            out.push((key.to_string(), String::new()));
        }
        for (position, item) in items.into_iter().enumerate() {
            let joined = if key.is_empty() {
                String::new()
            } else {
                format!("{key}.{}", position + 1)
            };
            push_entry(&joined, item, line, out)?;
        }
        return Ok(());
    }
    let value = cell_text(raw.get()).map_err(|err| invalid_at(line, offset, &err))?;
    out.push((key.to_string(), value));
    Ok(())
}

/// Values an array may hold to be spread over columns.
const LIST_ITEMS_MAX: usize = 8;

/// The items of an array of at most [`LIST_ITEMS_MAX`] strings and numbers (a person's
/// phones, e-mails, ids), each of which gets a column of its own (`phones.1`, `phones.2`);
/// `None` for any other value, which keeps its JSON text in one cell.
fn short_list_of_scalars(raw: &str) -> Option<Vec<&RawValue>> {
    if !raw.starts_with('[') {
        return None;
    }
    let items: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
    let scalar = |item: &&RawValue| {
        item.get()
            .starts_with(|c: char| c == '"' || c == '-' || c.is_ascii_digit())
    };
    (items.len() <= LIST_ITEMS_MAX && items.iter().all(scalar)).then_some(items)
}

/// [`RowProblem::InvalidJson`] at the character of `line` where reading `line[offset..]`
/// failed. `serde_json` counts bytes, and the last byte it read is the one at fault.
fn invalid_at(line: &str, offset: usize, err: &serde_json::Error) -> RowProblem {
    let end = (offset + err.column()).min(line.len());
    let chars = line.as_bytes()[..end]
        .iter()
        .filter(|&&b| !is_utf8_continuation(b))
        .count();
    RowProblem::InvalidJson {
        column: chars.max(1),
    }
}

fn is_utf8_continuation(byte: u8) -> bool {
    byte & 0b1100_0000 == 0b1000_0000
}

/// The cell for one raw JSON value (already checked by the parser).
fn cell_text(raw: &str) -> Result<String, serde_json::Error> {
    match raw.as_bytes().first() {
        // Without escapes, the text between the quotes is the string.
        Some(b'"') if !raw.contains('\\') => Ok(raw[1..raw.len() - 1].to_string()),
        // Escapes may still fail: a lone surrogate (`"\ud800"`) is no Unicode text.
        Some(b'"') => serde_json::from_str(raw),
        Some(b'n') => Ok(String::new()),
        Some(b'[' | b'{') => Ok(compact(raw)),
        // Numbers, `true` and `false`: the digits as written.
        _ => Ok(raw.to_string()),
    }
}

/// Valid JSON text without the white space outside strings.
fn compact(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in raw.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// Reads a JSON value: `true` for an object, whose entries it pushes into `read` as they are
/// read (so a line that breaks off keeps those before the fault), `false` for anything else.
struct LineVisitor<'a, 'de> {
    read: &'a RefCell<Vec<(String, &'de RawValue)>>,
}

impl<'de> Visitor<'de> for LineVisitor<'_, 'de> {
    type Value = bool;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Keep every entry, repeats included: the caller decides what a repeat means.
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<&'de RawValue>()?;
            self.read.borrow_mut().push((key, value));
        }
        Ok(true)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq)?;
        Ok(false)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(false)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(false)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(false)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(false)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(false)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Table {
        read_json_lines(text.as_bytes(), None).unwrap()
    }

    fn problems(table: &Table) -> Vec<(u64, u64, Option<RowProblem>)> {
        table
            .rows
            .iter()
            .map(|r| (r.number, r.line, r.problem))
            .collect()
    }

    #[test]
    fn numbers_keep_their_digits() {
        let table = read(
            r#"{"phone": 13800138000, "id": 440305199001021235, "big": 123456789012345678901234567890, "rate": 1.50, "tiny": 1e-400, "neg": -0, "exp": 2E+10}"#,
        );
        assert_eq!(
            table.rows[0].cells,
            [
                "13800138000",
                "440305199001021235",
                "123456789012345678901234567890",
                "1.50",
                "1e-400",
                "-0",
                "2E+10"
            ]
        );
        assert_eq!(table.rows[0].problem, None);
    }

    #[test]
    fn strings_booleans_nulls_and_nested_values() {
        let table = read(concat!(
            r#"{"name": " 张伟 ", "escaped": "\u5f20\n\"x\"", "vip": true, "opt_out": false, "email": null}"#,
            "\n",
            r#"{"tags": [ "a b" , 1.0, {"k" : [ ] } ], "address": { "city" : "深圳", "line": "1 \"A\"  Rd" }}"#,
        ));
        assert_eq!(
            table.headers,
            [
                "name",
                "escaped",
                "vip",
                "opt_out",
                "email",
                "tags",
                "address.city",
                "address.line"
            ]
        );
        assert_eq!(
            table.rows[0].cells,
            [" 张伟 ", "张\n\"x\"", "true", "false", "", "", "", ""]
        );
        assert_eq!(
            table.rows[1].cells[5..],
            [r#"["a b",1.0,{"k":[]}]"#, "深圳", "1 \"A\"  Rd"]
        );
    }

    #[test]
    fn short_lists_of_strings_and_numbers_spread_over_columns() {
        let table = read(concat!(
            r#"{"id": "1", "phones": ["13800138000", 13900139000], "emails": []}"#,
            "\n",
            r#"{"id": "2", "phones": ["139-0013-9000"], "ids": [1, 2, 3, 4, 5, 6, 7, 8, 9]}"#,
        ));
        assert_eq!(
            table.headers,
            ["id", "phones.1", "phones.2", "emails", "ids"]
        );
        assert_eq!(
            table.rows[0].cells,
            ["1", "13800138000", "13900139000", "", ""]
        );
        // Past eight items a list stays one cell of JSON text.
        assert_eq!(
            table.rows[1].cells,
            ["2", "139-0013-9000", "", "", "[1,2,3,4,5,6,7,8,9]"]
        );
    }

    #[test]
    fn keys_are_the_union_in_first_seen_order() {
        let table = read(
            "{\"b\": \"1\"}\n{\"a\": \"2\", \" b \": \"3\"}\n{\"c\": \"4\", \"a\": \"5\"}\n{}\n",
        );
        assert_eq!(table.headers, ["b", "a", "c"]);
        let cells: Vec<&[String]> = table.rows.iter().map(|r| &r.cells[..]).collect();
        assert_eq!(
            cells,
            [
                &["1", "", ""][..],
                &["3", "2", ""][..],
                &["", "5", "4"][..],
                &["", "", ""][..]
            ]
        );
        assert!(table.rows.iter().all(|r| r.problem.is_none()));
    }

    #[test]
    fn bad_lines_are_kept_with_their_numbers() {
        let table = read(concat!(
            "{\"id\": \"1\"}\n",
            "\n",
            "  {\"id\": 2,}\r\n",
            "[1, 2]\n",
            "\"just a string\"\n",
            "{\"id\": \"3\", \"id\": \"4\"}\n",
            "{\"\": \"x\", \"id\": \"5\"}\n",
            "{\"id\": \"6\"} {\"id\": \"7\"}\n",
            "{\"name\": \"张伟\", \"id\" 8}\n",
            "{\"id\": \"\\ud800\"}\n",
            "   \n",
            "{\"id\": \"9\"}",
        ));
        assert_eq!(
            problems(&table),
            [
                (1, 1, None),
                (2, 3, Some(RowProblem::InvalidJson { column: 12 })),
                (3, 4, Some(RowProblem::NotAnObject)),
                (4, 5, Some(RowProblem::NotAnObject)),
                (5, 6, Some(RowProblem::DuplicateKey)),
                (6, 7, Some(RowProblem::EmptyKey)),
                (7, 8, Some(RowProblem::InvalidJson { column: 13 })),
                (8, 9, Some(RowProblem::InvalidJson { column: 21 })),
                (9, 10, Some(RowProblem::InvalidJson { column: 15 })),
                (10, 12, None),
            ]
        );
        let ids: Vec<&str> = table.rows.iter().map(|r| r.cells[0].as_str()).collect();
        // A broken line keeps what it held before the fault (`2`, and `6` before the
        // trailing object); a line that is no object, or faults first, keeps nothing.
        assert_eq!(ids, ["1", "2", "", "", "4", "5", "6", "", "", "9"]);
        // A bad line brings no columns, not even from the part read before the fault.
        assert_eq!(table.headers, ["id"]);
        assert!(table.rows.iter().all(|r| r.cells.len() == 1));
    }

    #[test]
    fn reasons_never_echo_the_line() {
        let table = read("{\"id\": \"1\"}\n{\"secret\": 13800138000,\n[\"13800138000\"]\n");
        for row in &table.rows[1..] {
            let reason = row.problem.unwrap().reason();
            assert!(
                !reason.contains("138") && !reason.contains("secret"),
                "{reason}"
            );
        }
        assert_eq!(
            RowProblem::InvalidJson { column: 3 }.reason(),
            "invalid JSON at column 3; only the values before it are kept"
        );
    }

    #[test]
    fn encodings_and_bom_read_the_same() {
        let text = "{\"id\": \"1\", \"姓名\": \"张伟\", \"地址\": [\"深圳\"]}\n";
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        for (bytes, encoding) in [
            (text.as_bytes(), "UTF-8"),
            (&bom[..], "UTF-8"),
            (&gbk[..], "gb18030"),
        ] {
            let table = read_json_lines(bytes, None).unwrap();
            assert_eq!(table.headers, ["id", "姓名", "地址.1"]);
            assert_eq!(table.rows[0].cells, ["1", "张伟", "深圳"]);
            assert_eq!(table.encoding, encoding);
        }
        assert_eq!(
            read_json_lines(&gbk, Some("gbk")).unwrap().rows[0].cells[1],
            "张伟"
        );
        // A BOM left in the middle by joining two files is not part of the next line.
        let joined = format!("{text}\u{feff}{text}");
        assert_eq!(read(&joined).rows[1].cells[1], "张伟");
    }

    #[test]
    fn nested_objects_become_columns_at_any_depth() {
        let table = read(concat!(
            r#"{"id": "1", "address": {"city": "北京", "street": {"no": 8}}, "empty": {}}"#,
            "\n",
            r#"{"id": "2", "address": {"city": "上海", " ": "x"}, "address.city": "dup"}"#,
        ));
        assert_eq!(
            table.headers,
            ["id", "address.city", "address.street.no", "empty"]
        );
        assert_eq!(table.rows[0].cells, ["1", "北京", "8", ""]);
        assert_eq!(table.rows[0].problem, None);
        // A blank nested key is an empty key; a flattened key that repeats one written out
        // is a repeat.
        assert_eq!(table.rows[1].cells, ["2", "dup", "", ""]);
        assert_eq!(table.rows[1].problem, Some(RowProblem::EmptyKey));
    }

    #[test]
    fn a_truncated_line_keeps_its_id_and_drops_a_cut_number() {
        let table =
            read("{\"id\": \"R001\", \"phone\": 13800138000}\n{\"id\": \"R010\", \"phone\": 1380");
        assert_eq!(table.rows[1].cells, ["R010", ""]);
        assert!(matches!(
            table.rows[1].problem,
            Some(RowProblem::InvalidJson { .. })
        ));
        // A string cut short never reaches a cell either.
        let table =
            read("{\"id\": \"R001\", \"name\": \"Ann\"}\n{\"id\": \"R010\", \"name\": \"An");
        assert_eq!(table.rows[1].cells, ["R010", ""]);
    }

    #[test]
    fn invalid_json_column_counts_characters() {
        let table = read("{\"id\": \"1\"}\n\u{3000}{\"名\": 张}\n");
        assert_eq!(
            table.rows[1].problem,
            Some(RowProblem::InvalidJson { column: 8 })
        );
    }

    #[test]
    fn files_that_are_no_json_lines_fail() {
        assert_eq!(read_json_lines(b"", None), Err(TableError::Empty));
        assert_eq!(read_json_lines(b"\n \r\n", None), Err(TableError::Empty));
        assert_eq!(
            read_json_lines(b"id,name\n1,Ann\n", None),
            Err(TableError::NoKeys)
        );
        assert_eq!(read_json_lines(b"{}\n[]\n", None), Err(TableError::NoKeys));
        assert_eq!(
            read_json_lines(b"[{\"id\": \"1\"}]", None),
            Err(TableError::NoKeys)
        );
        assert!(matches!(
            read_json_lines(b"{\"id\": 1}\n\x00\x01", None),
            Err(TableError::NotText {
                offset: 10,
                line: 2
            })
        ));
        assert!(matches!(
            read_json_lines(b"{\"id\": \"\xff\xff\"}", None),
            Err(TableError::Undecodable { line: 1, .. })
        ));
    }

    #[test]
    fn sparse_keys_cannot_blow_up_the_table() {
        // 3000 lines, each with a key of its own: 9 million cells from 40 kB.
        let text: String = (0..3000).map(|i| format!("{{\"k{i}\": 1}}\n")).collect();
        assert_eq!(
            read_json_lines(text.as_bytes(), None),
            Err(TableError::TooSparse {
                keys: 3000,
                rows: 3000
            })
        );
        // The same number of lines over a few keys reads.
        let text: String = (0..3000)
            .map(|i| format!("{{\"k{}\": 1}}\n", i % 7))
            .collect();
        assert_eq!(read(&text).headers.len(), 7);
    }

    #[test]
    fn compact_keeps_strings_whole() {
        assert_eq!(
            compact("[ \"a \\\" ]\" , { \"b\" :\t\"\\\\\" } ]"),
            "[\"a \\\" ]\",{\"b\":\"\\\\\"}]"
        );
    }
}
