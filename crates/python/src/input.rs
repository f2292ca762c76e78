//! Turning what Python passes as data into an input table: a path to CSV or JSON lines, a
//! list of dicts, or (with the `arrow` feature) anything that speaks the Arrow PyCapsule
//! interface: pyarrow Tables and RecordBatchReaders, polars and pandas DataFrames.
//!
//! Every cell becomes text. Numbers are written without losing digits: integers as their
//! digits; a float with an integral value below 2^53 as an integer (`13800138000.0` becomes
//! `13800138000`, since pandas reads a phone column with missing values as float); any other
//! float as the shortest text that reads back as the same float. NaN and null are missing.

use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use sameas::table::{Table, TableRow};
use sameas::{Channel, InputTable};

use crate::errors;

/// Data copied out of Python, ready to become an input table without the GIL.
pub enum Data {
    /// A CSV or JSON-lines file, read when the work starts.
    Path(PathBuf),
    /// Rows already read.
    Table(InputTable),
    /// Arrow record batches (their buffers are shared, not copied).
    #[cfg(feature = "arrow")]
    Arrow(crate::arrow::Batches),
}

impl Data {
    /// Reads `obj`: a `str` or `os.PathLike` (a file), an object with `__arrow_c_stream__` or
    /// `__arrow_c_array__`, a pandas DataFrame, or a list of dicts.
    ///
    /// # Errors
    /// `TypeError` for anything else; `InputError` for a list holding something other than
    /// dicts.
    pub fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Data> {
        let py = obj.py();
        if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")? {
            let path: PathBuf = obj.extract()?;
            return Ok(Data::Path(path));
        }
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            return Ok(Data::Table(InputTable::new(
                rows_from_dicts(obj)?,
                Channel::Unknown,
            )));
        }
        #[cfg(feature = "arrow")]
        {
            if let Some(batches) = crate::arrow::Batches::extract(obj)? {
                return Ok(Data::Arrow(batches));
            }
        }
        let type_name = obj.get_type().name()?;
        let hint = if cfg!(feature = "arrow") {
            ""
        } else {
            " (this build has no Arrow support: pass a path or a list of dicts)"
        };
        let _ = py;
        Err(PyTypeError::new_err(format!(
            "data must be a pandas or polars DataFrame, a pyarrow Table or RecordBatchReader, \
             an object with __arrow_c_stream__, a list of dicts, or a path to CSV or JSON \
             lines; got {type_name}{hint}"
        )))
    }

    /// The input table; reads the file or converts the Arrow columns. Runs without the GIL.
    ///
    /// # Errors
    /// An unreadable file, or an Arrow column that cannot be read as text.
    pub fn into_input(self) -> Result<InputTable, sameas::Error> {
        match self {
            Data::Path(path) => InputTable::read_path(&path, None),
            Data::Table(table) => Ok(table),
            #[cfg(feature = "arrow")]
            Data::Arrow(batches) => Ok(InputTable::new(batches.into_table()?, Channel::Unknown)),
        }
    }
}

/// The text of a float, or `None` for NaN (missing). See the module docs for the rule.
pub fn float_text(value: f64) -> Option<String> {
    if value.is_nan() {
        None
    } else if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
        Some(format!("{}", value as i64))
    } else {
        Some(format!("{value}"))
    }
}

/// As [`float_text`] for a single-precision float: its own shortest text, not that of its
/// widened double.
#[cfg(any(feature = "arrow", test))]
pub fn float32_text(value: f32) -> Option<String> {
    if value.is_nan() {
        None
    } else if value.fract() == 0.0 && value.abs() < 16_777_216.0 {
        Some(format!("{}", value as i64))
    } else {
        Some(format!("{value}"))
    }
}

/// One Python value as a cell: `None` and NaN missing, numbers by the rule above,
/// booleans `true` / `false`, anything else its `str()`.
fn cell(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if value.is_none() {
        Ok(String::new())
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(s.to_cow()?.into_owned())
    } else if value.is_instance_of::<PyBool>() {
        Ok(if value.is_truthy()? { "true" } else { "false" }.to_owned())
    } else if value.is_instance_of::<PyInt>() {
        Ok(value.str()?.to_cow()?.into_owned())
    } else if let Ok(f) = value.cast::<PyFloat>() {
        Ok(float_text(f.value()).unwrap_or_default())
    } else {
        Ok(value.str()?.to_cow()?.into_owned())
    }
}

/// A table from a list of dicts: the columns are the keys in the order first seen.
fn rows_from_dicts(list: &Bound<'_, PyAny>) -> PyResult<Table> {
    let py = list.py();
    let mut headers: Vec<String> = Vec::new();
    let mut position: std::collections::HashMap<String, usize> = Default::default();
    let mut rows: Vec<TableRow> = Vec::new();
    for (i, item) in list.try_iter()?.enumerate() {
        let item = item?;
        let number = i as u64 + 1;
        let dict = item.cast::<PyDict>().map_err(|_| {
            errors::input(
                py,
                format!("input: row {number}: a list of records must hold dicts"),
            )
        })?;
        let mut cells = vec![String::new(); headers.len()];
        for (key, value) in dict.iter() {
            let key = key
                .cast::<PyString>()
                .map_err(|_| {
                    errors::input(py, format!("input: row {number}: column names must be str"))
                })?
                .to_cow()?
                .trim()
                .to_owned();
            let at = match position.get(&key) {
                Some(&at) => at,
                None => {
                    position.insert(key.clone(), headers.len());
                    headers.push(key);
                    cells.push(String::new());
                    headers.len() - 1
                }
            };
            cells[at] = cell(&value)?;
        }
        rows.push(TableRow {
            number,
            line: number + 1,
            cells,
            problem: None,
        });
    }
    for row in &mut rows {
        row.cells.resize(headers.len(), String::new());
    }
    Ok(Table {
        headers,
        rows,
        encoding: "utf-8",
        header_line: 1,
        renamed_headers: Vec::new(),
        sheet: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_keep_their_digits() {
        assert_eq!(float_text(13_800_138_000.0).as_deref(), Some("13800138000"));
        assert_eq!(float_text(-3.0).as_deref(), Some("-3"));
        assert_eq!(float_text(0.1).as_deref(), Some("0.1"));
        assert_eq!(float_text(2.5e-7).as_deref(), Some("0.00000025"));
        assert_eq!(float_text(f64::NAN), None);
        // 2^53 and above: integral floats are no longer exact integers, so their own text.
        assert_eq!(float_text(1e20).as_deref(), Some("100000000000000000000"));
        assert_eq!(float32_text(0.1).as_deref(), Some("0.1"));
        assert_eq!(float32_text(7.0).as_deref(), Some("7"));
    }
}
