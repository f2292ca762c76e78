//! Results back to Python: tables as pyarrow Tables, documents as dicts.

use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBytes};
use serde::Serialize;

/// One output column.
pub enum Column {
    /// Text, `None` for missing.
    Text(Vec<Option<String>>),
    /// Floats.
    Float(Vec<f64>),
}

/// Named columns, in order.
pub type Columns = Vec<(String, Column)>;

/// `columns` as a pyarrow Table.
pub fn table<'py>(py: Python<'py>, columns: Columns) -> PyResult<Bound<'py, PyAny>> {
    #[cfg(feature = "arrow")]
    {
        crate::arrow::to_pyarrow(py, columns)
    }
    #[cfg(not(feature = "arrow"))]
    {
        use pyo3::types::PyDict;
        let dict = PyDict::new(py);
        for (name, column) in columns {
            match column {
                Column::Text(values) => dict.set_item(name, values)?,
                Column::Float(values) => dict.set_item(name, values)?,
            }
        }
        py.import("pyarrow")?.call_method1("table", (dict,))
    }
}

/// `items` as a pyarrow Table read from JSON lines (nested values become lists and
/// structs); `empty` names the columns of a table with no rows.
pub fn json_table<'py, T: Serialize>(
    py: Python<'py>,
    items: &[T],
    empty: &[&str],
) -> PyResult<Bound<'py, PyAny>> {
    if items.is_empty() {
        return table(
            py,
            empty
                .iter()
                .map(|name| (name.to_string(), Column::Text(Vec::new())))
                .collect(),
        );
    }
    let mut lines = Vec::new();
    for item in items {
        serde_json::to_writer(&mut lines, item)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        lines.push(b'\n');
    }
    let pyarrow = py.import("pyarrow")?;
    let json = py.import("pyarrow.json")?;
    // One block, so every row informs the inferred types.
    let options = json.getattr("ReadOptions")?.call(
        (),
        Some(&[("block_size", lines.len() + 1)].into_py_dict(py)?),
    )?;
    let buffer = pyarrow
        .getattr("BufferReader")?
        .call1((PyBytes::new(py, &lines),))?;
    json.getattr("read_json")?.call(
        (buffer,),
        Some(&[("read_options", options)].into_py_dict(py)?),
    )
}

/// A serializable value as Python objects (through `json.loads`).
pub fn to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}
