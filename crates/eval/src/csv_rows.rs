//! Reading the CSV files the evaluator takes: a header row, trimmed cells, rows of any width.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use csv::{ByteRecord, ReaderBuilder};

use crate::EvalError;

/// Opens `path` for reading, decompressing it when it is gzip (`truth.csv.gz`).
pub(crate) fn open_maybe_gzip(path: &Path) -> Result<Box<dyn Read>, EvalError> {
    let io = |err: std::io::Error| EvalError::Io {
        file: path.display().to_string(),
        reason: err.to_string(),
    };
    let mut reader = BufReader::new(std::fs::File::open(path).map_err(io)?);
    let gzip = reader.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(reader)))
    } else {
        Box::new(reader)
    })
}

/// A CSV file read row by row into one reused record.
pub(crate) struct CsvRows<R: Read> {
    reader: csv::Reader<R>,
    file: String,
    /// The header cells, trimmed.
    pub(crate) headers: Vec<String>,
    /// The current row, untrimmed and not yet checked as UTF-8: only the cells used are.
    record: ByteRecord,
    /// 1-based data row number of the current row.
    pub(crate) row: u64,
}

impl<R: Read> CsvRows<R> {
    /// Opens `reader` and reads its header, which must have at least `min_columns` cells.
    pub(crate) fn open(reader: R, file: &str, min_columns: usize) -> Result<Self, EvalError> {
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(reader);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|err| csv_error(file, &err))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        if headers.iter().all(String::is_empty) {
            return Err(EvalError::File {
                file: file.to_string(),
                reason: "line 1 holds no header: the first row must name the columns".into(),
            });
        }
        if headers.len() < min_columns {
            return Err(EvalError::File {
                file: file.to_string(),
                reason: format!(
                    "the header has {} column(s) where at least {min_columns} are needed",
                    headers.len()
                ),
            });
        }
        Ok(CsvRows {
            reader,
            file: file.to_string(),
            headers,
            record: ByteRecord::new(),
            row: 0,
        })
    }

    /// Reads the next non-blank row into `self.record`; `false` at the end.
    pub(crate) fn next_row(&mut self) -> Result<bool, EvalError> {
        loop {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|err| csv_error(&self.file, &err))?;
            if !more {
                return Ok(false);
            }
            self.row += 1;
            if !self.record.iter().all(|cell| cell.trim_ascii().is_empty()) {
                return Ok(true);
            }
        }
    }

    /// The current row's cell in `column`, trimmed, which must be present, UTF-8 and not
    /// blank.
    pub(crate) fn cell(&self, column: usize) -> Result<&str, EvalError> {
        let Some(bytes) = self.record.get(column) else {
            return Err(self.cell_error(column, "the row is too short"));
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|_| self.cell_error(column, "not UTF-8"))?
            .trim();
        if text.is_empty() {
            return Err(self.cell_error(column, "blank cell"));
        }
        Ok(text)
    }

    /// An error about the current row's cell in `column`.
    pub(crate) fn cell_error(&self, column: usize, reason: &'static str) -> EvalError {
        EvalError::Cell {
            file: self.file.clone(),
            row: self.row,
            column: self.headers.get(column).cloned().unwrap_or_default(),
            reason,
        }
    }

    /// The index of the column headed `name`.
    pub(crate) fn column(&self, name: &str) -> Result<usize, EvalError> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| EvalError::File {
                file: self.file.clone(),
                reason: format!("no `{name}` column"),
            })
    }
}

/// The CSV reader's errors give positions (record, line, byte), never cell contents.
fn csv_error(file: &str, err: &csv::Error) -> EvalError {
    EvalError::Io {
        file: file.to_string(),
        reason: err.to_string(),
    }
}
