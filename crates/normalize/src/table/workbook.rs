//! Spreadsheet workbooks (xlsx, xlsm, xlsb, xls, ods), read with `calamine`: the first
//! worksheet that holds cells, as records of text cells that the CSV path then reads (title
//! lines, header or none, repeated headers).
//!
//! A cell's text is what a user sees in it: a whole number without `.0` (a phone typed as a
//! number, `13800138000`), other numbers in their shortest exact form, a date as
//! `YYYY-MM-DD` (with `HH:MM:SS` when it has a time), `true` / `false`, an error as Excel
//! writes it (`#N/A`).

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use super::{ReadRecord, SheetRead, TableError};

/// The records of the first worksheet that holds a cell, in row order, each numbered by its
/// row in the sheet (1-based, as the spreadsheet shows it), and which sheet that was.
///
/// # Errors
/// [`TableError::Workbook`] when the bytes do not open as a workbook or no worksheet holds
/// a cell.
pub(super) fn first_sheet(bytes: &[u8]) -> Result<(Vec<ReadRecord>, SheetRead), TableError> {
    // A malformed workbook must not take the process down: the reader's panic is an error.
    std::panic::catch_unwind(|| read_first_sheet(bytes)).unwrap_or_else(|_| {
        Err(TableError::Workbook {
            reason: "the workbook reader failed on it".to_string(),
        })
    })
}

fn read_first_sheet(bytes: &[u8]) -> Result<(Vec<ReadRecord>, SheetRead), TableError> {
    let unreadable = |reason: String| TableError::Workbook { reason };
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|err| unreadable(format!("it does not open as one ({err})")))?;
    let mut read: Option<(Vec<ReadRecord>, String)> = None;
    let mut others_with_cells = 0;
    for name in workbook.sheet_names() {
        // Chart and macro sheets hold no cells to read.
        let Ok(range) = workbook.worksheet_range(&name) else {
            continue;
        };
        if range.used_cells().next().is_none() {
            continue;
        }
        if read.is_some() {
            others_with_cells += 1;
            continue;
        }
        let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
        let first_column = range.start().map_or(0, |(_, column)| column as usize);
        let records = range
            .rows()
            .zip(first_row + 1..)
            .map(|(cells, line)| {
                // Columns left of the used range are blank, as a CSV export writes them.
                let cells: Vec<String> = std::iter::repeat_n(String::new(), first_column)
                    .chain(cells.iter().map(cell_text))
                    .collect();
                ReadRecord {
                    line,
                    blank: cells.iter().all(|c| c.trim().is_empty()),
                    cells,
                }
            })
            .collect();
        read = Some((records, name));
    }
    let (records, name) =
        read.ok_or_else(|| unreadable("no worksheet holds a cell".to_string()))?;
    Ok((
        records,
        SheetRead {
            name,
            others_with_cells,
        },
    ))
}

/// Largest magnitude printed as a whole number: past it an `f64` no longer holds every
/// integer.
const WHOLE_MAX: f64 = 9_007_199_254_740_992.0;

/// The text a cell shows.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < WHOLE_MAX => format!("{x:.0}"),
        Data::Float(x) => x.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(moment) if moment.is_datetime() => {
            let (year, month, day, hour, minute, second, _) = moment.to_ymd_hms_milli();
            if (hour, minute, second) == (0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
            }
        }
        Data::DateTime(duration) => duration.as_f64().to_string(),
        Data::Error(error) => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_a_user_sees_them() {
        assert_eq!(cell_text(&Data::Float(13_800_138_000.0)), "13800138000");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
        assert_eq!(cell_text(&Data::Float(-0.25)), "-0.25");
        assert_eq!(cell_text(&Data::Int(42)), "42");
        assert_eq!(cell_text(&Data::Bool(true)), "true");
        assert_eq!(cell_text(&Data::Empty), "");
        assert_eq!(cell_text(&Data::String(" Ann ".into())), " Ann ");
        let date =
            calamine::ExcelDateTime::new(32874.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)), "1990-01-01");
        let moment =
            calamine::ExcelDateTime::new(32874.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(moment)), "1990-01-01 12:00:00");
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), "#N/A");
    }
}
