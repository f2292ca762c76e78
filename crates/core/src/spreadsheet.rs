//! Cells that a spreadsheet would run as a formula, made inert for CSV outputs (OWASP's
//! CSV-injection advice): such a cell is written with a leading `'`, which spreadsheets show
//! as text and do not run. Readers of sameas's own files take the quote off again, so every
//! value round-trips exactly.
//!
//! A cell would run when it starts with `=`, `@`, a tab or a carriage return, or with `+` /
//! `-` followed by anything but a number (digits, spaces, `.`, `-`, parentheses): so
//! `+8613800138000` and `-0.5` stay as they are, `=1+1`, `@SUM(A1)` and `-2+cmd|' /C calc'!A0`
//! do not. A cell that already starts with `'` before such a cell gets one more, so that
//! taking one off always gives the value back.
//!
//! ```
//! use sameas_core::spreadsheet::{escape_formula, unescape_formula};
//! assert_eq!(escape_formula("=E5"), "'=E5");
//! assert_eq!(escape_formula("+86 138 0013 8000"), "+86 138 0013 8000");
//! assert_eq!(escape_formula("张伟"), "张伟");
//! for value in ["=E5", "'=E5", "'x", "-1", "@a", "plain"] {
//!     assert_eq!(unescape_formula(&escape_formula(value)), value);
//! }
//! ```

use std::borrow::Cow;

/// Whether a spreadsheet would run `cell` as a formula, or `cell` is such a cell behind
/// quotes that [`unescape_formula`] would take off.
fn needs_quote(cell: &str) -> bool {
    let Some(&first) = cell.as_bytes().first() else {
        return false;
    };
    match first {
        b'=' | b'@' | b'\t' | b'\r' => true,
        b'+' | b'-' => !cell[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'.' | b'-' | b'(' | b')')),
        b'\'' => needs_quote(&cell[1..]),
        _ => false,
    }
}

/// `cell` as a CSV output writes it: with a leading `'` when a spreadsheet would run it as a
/// formula (see the module docs), else unchanged.
pub fn escape_formula(cell: &str) -> Cow<'_, str> {
    if needs_quote(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The value behind a cell that [`escape_formula`] wrote: the leading `'` taken off when it
/// added one, else the cell unchanged.
pub fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_quoted_and_numbers_are_not() {
        for cell in [
            "=1+1@example.com",
            "@HYPERLINK(\"http://x\")",
            "=cmd|' /C calc'!A0",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "\t=1",
            "\r=1",
            "'=1",
            "''@x",
        ] {
            assert_eq!(escape_formula(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in [
            "",
            "+8613800138000",
            "+86 (138) 0013-8000",
            "-0.5",
            "-",
            "+",
            "'plain",
            "a=b",
            " =1",
            "张伟",
        ] {
            assert_eq!(escape_formula(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn unescaping_gives_every_value_back() {
        let values = [
            "", "=", "'", "''", "'=", "''=", "=x", "'=x", "''=x", "+1", "+a", "'+a", "-", "@",
            "'@", "\t", "x", "'x", "''x",
        ];
        for value in values {
            assert_eq!(unescape_formula(&escape_formula(value)), value, "{value:?}");
            // Escaped, no cell runs: it starts with a quote or with no formula start.
            let escaped = escape_formula(value);
            let quoted = escaped.starts_with('\'');
            assert!(quoted || !needs_quote(&escaped), "{value:?}");
        }
    }
}
