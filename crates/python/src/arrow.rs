//! The Arrow bridge (feature `arrow`): record batches in through the PyCapsule interface,
//! string columns out as pyarrow Tables, by pyo3-arrow.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;

use sameas::table::{Table, TableRow};

use crate::input::{float_text, float32_text};
use crate::output::{Column, Columns};

/// Record batches taken from a Python object; their buffers stay shared with it.
pub struct Batches {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl Batches {
    /// The batches of `obj` when it speaks the Arrow PyCapsule interface, or is a pandas
    /// DataFrame (read through `pyarrow.Table.from_pandas`); `None` otherwise.
    ///
    /// # Errors
    /// A stream that fails while it is read.
    pub fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Option<Batches>> {
        let py = obj.py();
        let arrow = |obj: &Bound<'_, PyAny>| -> PyResult<bool> {
            Ok(obj.hasattr(intern!(py, "__arrow_c_stream__"))?
                || obj.hasattr(intern!(py, "__arrow_c_array__"))?)
        };
        let owned;
        let obj = if arrow(obj)? {
            obj
        } else if is_pandas(obj)? {
            // Older pandas has no __arrow_c_stream__.
            owned = py
                .import("pyarrow")?
                .getattr("Table")?
                .call_method1("from_pandas", (obj,))?;
            &owned
        } else {
            return Ok(None);
        };
        let any: AnyRecordBatch = obj.extract()?;
        let reader = any.into_reader()?;
        let schema = reader.schema();
        let batches = reader
            .collect::<Result<Vec<_>, ArrowError>>()
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        Ok(Some(Batches { schema, batches }))
    }

    /// Every cell as text (see the `input` module for numbers). Runs without the GIL.
    ///
    /// # Errors
    /// [`sameas::Error::Input`] naming a column whose type cannot be read as text.
    pub fn into_table(self) -> Result<Table, sameas::Error> {
        let headers: Vec<String> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().trim().to_owned())
            .collect();
        let total: usize = self.batches.iter().map(RecordBatch::num_rows).sum();
        let mut rows: Vec<TableRow> = (0..total)
            .map(|i| TableRow {
                number: i as u64 + 1,
                line: i as u64 + 2,
                cells: Vec::with_capacity(headers.len()),
                problem: None,
            })
            .collect();
        for (c, header) in headers.iter().enumerate() {
            let mut at = 0;
            for batch in &self.batches {
                let column = batch.column(c);
                let rows = &mut rows[at..at + batch.num_rows()];
                write_column(column, rows).map_err(|reason| {
                    sameas::Error::Input(format!("input: column `{header}`: {reason}"))
                })?;
                at += batch.num_rows();
            }
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
}

fn is_pandas(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let module: String = obj.get_type().getattr("__module__")?.extract()?;
    Ok(module.starts_with("pandas"))
}

/// Pushes one cell per row of `column` onto `rows`.
fn write_column(column: &ArrayRef, rows: &mut [TableRow]) -> Result<(), String> {
    fn push<T: ToString>(rows: &mut [TableRow], values: impl Iterator<Item = Option<T>>) {
        for (row, value) in rows.iter_mut().zip(values) {
            row.cells
                .push(value.map(|v| v.to_string()).unwrap_or_default());
        }
    }
    fn push_text(rows: &mut [TableRow], values: impl Iterator<Item = Option<String>>) {
        for (row, value) in rows.iter_mut().zip(values) {
            row.cells.push(value.unwrap_or_default());
        }
    }
    match column.data_type() {
        DataType::Utf8 => push(rows, column.as_string::<i32>().iter()),
        DataType::LargeUtf8 => push(rows, column.as_string::<i64>().iter()),
        DataType::Utf8View => push(rows, column.as_string_view().iter()),
        DataType::Null => push_text(rows, (0..column.len()).map(|_| None)),
        DataType::Boolean => push(rows, column.as_boolean().iter()),
        DataType::Int8 => push(rows, column.as_primitive::<Int8Type>().iter()),
        DataType::Int16 => push(rows, column.as_primitive::<Int16Type>().iter()),
        DataType::Int32 => push(rows, column.as_primitive::<Int32Type>().iter()),
        DataType::Int64 => push(rows, column.as_primitive::<Int64Type>().iter()),
        DataType::UInt8 => push(rows, column.as_primitive::<UInt8Type>().iter()),
        DataType::UInt16 => push(rows, column.as_primitive::<UInt16Type>().iter()),
        DataType::UInt32 => push(rows, column.as_primitive::<UInt32Type>().iter()),
        DataType::UInt64 => push(rows, column.as_primitive::<UInt64Type>().iter()),
        DataType::Float64 => push_text(
            rows,
            column
                .as_primitive::<Float64Type>()
                .iter()
                .map(|v| v.and_then(float_text)),
        ),
        DataType::Float32 => push_text(
            rows,
            column
                .as_primitive::<Float32Type>()
                .iter()
                .map(|v| v.and_then(float32_text)),
        ),
        DataType::Float16 => {
            let wide = arrow_cast::cast(column, &DataType::Float32).map_err(|e| e.to_string())?;
            return write_column(&wide, rows);
        }
        other => {
            // Dates, timestamps, decimals, dictionaries (pandas categoricals): Arrow's own
            // cast to text.
            let text = arrow_cast::cast(column, &DataType::Utf8)
                .map_err(|_| format!("Arrow type {other} cannot be read as text"))?;
            push(rows, text.as_string::<i32>().iter());
        }
    }
    Ok(())
}

/// `columns` as a pyarrow Table.
pub fn to_pyarrow<'py>(py: Python<'py>, columns: Columns) -> PyResult<Bound<'py, PyAny>> {
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
    for (name, column) in columns {
        match column {
            Column::Text(values) => {
                fields.push(Field::new(name, DataType::Utf8, true));
                arrays.push(Arc::new(StringArray::from(values)));
            }
            Column::Float(values) => {
                fields.push(Field::new(name, DataType::Float64, false));
                arrays.push(Arc::new(Float64Array::from(values)));
            }
        }
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
}

/// The chunks of `obj` when it speaks the Arrow PyCapsule interface (an array or a chunked
/// array), `None` otherwise.
fn chunks(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<ArrayRef>>> {
    let py = obj.py();
    if !(obj.hasattr(intern!(py, "__arrow_c_array__"))?
        || obj.hasattr(intern!(py, "__arrow_c_stream__"))?)
    {
        return Ok(None);
    }
    let any: pyo3_arrow::input::AnyArray = obj.extract()?;
    let (chunks, _) = any.into_chunked_array().map_err(PyErr::from)?.into_inner();
    Ok(Some(chunks))
}

fn invalid(reason: impl std::fmt::Display) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(reason.to_string())
}

/// A text column as strings: an Arrow array of strings (any width) or a list of `str`.
///
/// # Errors
/// Another type, or a null.
pub fn strings(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let Some(chunks) = chunks(obj)? else {
        return obj.extract();
    };
    let mut out = Vec::new();
    for chunk in chunks {
        let text = arrow_cast::cast(&chunk, &DataType::Utf8).map_err(invalid)?;
        for value in text.as_string::<i32>() {
            out.push(
                value
                    .ok_or_else(|| invalid("a null in a text column"))?
                    .to_owned(),
            );
        }
    }
    Ok(out)
}

/// A column of lists of text as lists of strings: an Arrow array of lists of strings (any
/// width) or a list of lists of `str`.
///
/// # Errors
/// Another type, or a null.
pub fn string_lists(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<String>>> {
    let Some(chunks) = chunks(obj)? else {
        return obj.extract();
    };
    let list_type = DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)));
    let mut out = Vec::new();
    for chunk in chunks {
        let lists = arrow_cast::cast(&chunk, &list_type).map_err(invalid)?;
        let lists = lists.as_list::<i32>();
        for i in 0..lists.len() {
            if lists.is_null(i) {
                return Err(invalid("a null in a column of lists"));
            }
            let values = lists.value(i);
            let mut row = Vec::with_capacity(values.len());
            for value in values.as_string::<i32>() {
                row.push(
                    value
                        .ok_or_else(|| invalid("a null in a list of text"))?
                        .to_owned(),
                );
            }
            out.push(row);
        }
    }
    Ok(out)
}
