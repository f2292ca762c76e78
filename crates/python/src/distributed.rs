//! `Partitioned` and `components`: the steps of a distributed run (`sameas.spark`) over
//! Arrow batches, delegating to the facade's `distributed` module.

use pyo3::prelude::*;

use sameas::distributed::{self, Part};

use crate::errors;
use crate::input::Data;
use crate::output::{self, Column};

/// A fitted configuration compiled once for the steps of a distributed run (see
/// ``sameas.spark``). Each step reads a batch of rows (``data``: anything ``Resolver.fit``
/// takes, usually a pyarrow Table) and returns what the next step of the plan needs.
#[pyclass(frozen, module = "sameas._sameas", name = "Partitioned")]
pub struct PyPartitioned {
    inner: distributed::Partitioned,
}

impl PyPartitioned {
    fn read(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Part> {
        let data = Data::extract(data)?;
        py.detach(|| self.inner.read(data.into_input()?))
            .map_err(|e| errors::to_py(py, e))
    }
}

/// A text column from an Arrow array (wheels) or a list of `str`.
fn strings(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    #[cfg(feature = "arrow")]
    return crate::arrow::strings(obj);
    #[cfg(not(feature = "arrow"))]
    obj.extract()
}

/// A column of lists of text from an Arrow array (wheels) or a list of lists of `str`.
fn string_lists(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<String>>> {
    #[cfg(feature = "arrow")]
    return crate::arrow::string_lists(obj);
    #[cfg(not(feature = "arrow"))]
    obj.extract()
}

fn text(values: impl Iterator<Item = String>) -> Column {
    Column::Text(values.map(Some).collect())
}

#[pymethods]
impl PyPartitioned {
    /// Compiles a fitted configuration (JSON text with a model and its term frequencies).
    #[new]
    fn new(py: Python<'_>, config: &str) -> PyResult<Self> {
        let inner = py
            .detach(|| distributed::Partitioned::from_json(config))
            .map_err(|e| errors::to_py(py, e))?;
        Ok(PyPartitioned { inner })
    }

    /// The header of the record-id column.
    #[getter]
    fn id_column(&self) -> String {
        self.inner.id_column().to_string()
    }

    /// Per blocking rule, its block cap: a block of more records is skipped.
    #[getter]
    fn caps(&self) -> Vec<usize> {
        self.inner.caps().to_vec()
    }

    /// The columns of a golden record.
    #[getter]
    fn golden_header(&self) -> Vec<String> {
        self.inner.golden_header()
    }

    /// Per row: its record id (the id cell's text) and its blocking keys under every rule,
    /// as ``rule:key``, sorted.
    fn keys(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<(Vec<String>, Vec<Vec<String>>)> {
        let part = self.read(py, data)?;
        Ok(py.detach(|| {
            let ids = (0..part.rows())
                .map(|r| part.record_id(r).to_string())
                .collect();
            (ids, self.inner.blocking_keys(&part))
        }))
    }

    /// The term counts of ``data`` for the frozen term-frequency tables, to be added up over
    /// every part: ``(tables, digests, counts)``, per table a row with no digest holding its
    /// records with a value, and a row per term (its digest as a signed 64-bit integer) with
    /// the records holding it.
    #[allow(clippy::type_complexity)]
    fn term_counts(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<(Vec<u32>, Vec<Option<i64>>, Vec<u32>)> {
        let part = self.read(py, data)?;
        let rows = py
            .detach(|| self.inner.term_counts(&part))
            .map_err(|e| errors::to_py(py, e))?;
        let mut out = (Vec::new(), Vec::new(), Vec::new());
        for (table, digest, n) in rows {
            out.0.push(table);
            // The digest's bits as Spark's signed long.
            out.1.push(digest.map(|d| d as i64));
            out.2.push(n);
        }
        Ok(out)
    }

    /// The configuration (JSON text) with term frequencies counted over the whole data:
    /// ``with_value`` ``(table, records with a value)``, ``histogram`` ``(table, n, terms
    /// held by exactly n records)``, and the terms held by two or more records as three
    /// lists ``tables, digests, counts``.
    #[allow(clippy::too_many_arguments)]
    fn with_term_totals(
        &self,
        py: Python<'_>,
        with_value: Vec<(u32, u32)>,
        histogram: Vec<(u32, u32, u64)>,
        tables: Vec<u32>,
        digests: Vec<i64>,
        counts: Vec<u32>,
    ) -> PyResult<String> {
        if tables.len() != digests.len() || tables.len() != counts.len() {
            return Err(errors::input(
                py,
                "tables, digests and counts need the same length",
            ));
        }
        py.detach(|| {
            let repeated: Vec<(u32, u64, u32)> = tables
                .iter()
                .zip(&digests)
                .zip(&counts)
                .map(|((&t, &d), &n)| (t, d as u64, n))
                .collect();
            let config = self
                .inner
                .with_term_totals(&with_value, &histogram, &repeated)?;
            Ok(config.to_json())
        })
        .map_err(|e| errors::to_py(py, e))
    }

    /// The edges among the records of some blocks: row ``i``'s record is in the blocks
    /// ``blocks[i]`` (a pyarrow array of lists of strings, or a list of lists). A pair is
    /// scored once per call; a pair sharing blocks given to several calls comes back from
    /// each, equal. A pyarrow Table ``a, b, weight, probability`` (record ids, ``a`` sorting
    /// first).
    fn score<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        blocks: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let blocks = string_lists(blocks)?;
        let part = self.read(py, data)?;
        let edges = py
            .detach(|| self.inner.score_blocks(&part, &blocks))
            .map_err(|e| errors::to_py(py, e))?;
        output::table(
            py,
            vec![
                ("a".into(), text(edges.iter().map(|e| e.a.to_string()))),
                ("b".into(), text(edges.iter().map(|e| e.b.to_string()))),
                (
                    "weight".into(),
                    Column::Float(edges.iter().map(|e| e.weight).collect()),
                ),
                (
                    "probability".into(),
                    Column::Float(edges.iter().map(|e| e.probability).collect()),
                ),
            ],
        )
    }

    /// Clusters whole components: row ``i`` is in component ``components[i]`` and holds its
    /// record's uncapped keys ``keys[i]`` (pyarrow arrays, or lists). A pyarrow Table
    /// ``record_id, first``: per row, the smallest record id of its cluster.
    fn cluster<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        keys: &Bound<'py, PyAny>,
        components: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let keys = string_lists(keys)?;
        let components = strings(components)?;
        let part = self.read(py, data)?;
        let first = py
            .detach(|| self.inner.cluster(&part, &keys, &components))
            .map_err(|e| errors::to_py(py, e))?;
        output::table(
            py,
            vec![
                (
                    "record_id".into(),
                    text((0..part.rows()).map(|r| part.record_id(r).to_string())),
                ),
                ("first".into(), text(first.iter().map(|f| f.to_string()))),
            ],
        )
    }

    /// Golden records of whole entities: row ``i`` belongs to entity ``entities[i]`` (a
    /// pyarrow array of strings, or a list). A pyarrow Table with the columns of
    /// ``golden_header`` (missing values null) and ``conflicts``: the entity's conflicts as
    /// JSON lines, null when none.
    fn golden<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        entities: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let entities = strings(entities)?;
        let part = self.read(py, data)?;
        let built = py
            .detach(|| {
                let built = self.inner.golden(&part, &entities)?;
                built
                    .into_iter()
                    .map(|(row, conflicts)| {
                        let lines = conflicts
                            .iter()
                            .map(serde_json::to_string)
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|e| sameas::Error::Input(e.to_string()))?;
                        Ok((row, (!lines.is_empty()).then(|| lines.join("\n"))))
                    })
                    .collect::<Result<Vec<_>, sameas::Error>>()
            })
            .map_err(|e| errors::to_py(py, e))?;
        let header = self.inner.golden_header();
        let mut columns: Vec<Vec<Option<String>>> =
            vec![Vec::with_capacity(built.len()); header.len()];
        for (row, _) in &built {
            for (column, value) in columns.iter_mut().zip(row) {
                column.push((!value.is_empty()).then(|| value.clone()));
            }
        }
        let mut out: output::Columns = header
            .into_iter()
            .zip(columns.into_iter().map(Column::Text))
            .collect();
        out.push((
            "conflicts".into(),
            Column::Text(built.into_iter().map(|(_, c)| c).collect()),
        ));
        output::table(py, out)
    }
}

/// The connected components of the graph whose edges are ``a[i]``–``b[i]`` (record ids):
/// ``(record ids, roots)``, each record named in an edge with the smallest record id of its
/// component, sorted by record id.
#[pyfunction]
pub fn components(
    py: Python<'_>,
    a: Vec<String>,
    b: Vec<String>,
) -> PyResult<(Vec<String>, Vec<String>)> {
    if a.len() != b.len() {
        return Err(errors::input(py, "a and b need the same length"));
    }
    Ok(py.detach(|| {
        distributed::components(
            a.iter()
                .map(String::as_str)
                .zip(b.iter().map(String::as_str)),
        )
        .into_iter()
        .unzip()
    }))
}

/// The id of the entity numbered ``sequence`` (from 1), as one machine writes it.
#[pyfunction]
pub fn entity_id(sequence: u64) -> String {
    distributed::entity_id(sequence).to_string()
}

/// The record-id column that a configuration inferred from ``data`` reads, or ``None``.
#[pyfunction]
pub fn inferred_id_column(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    let data = Data::extract(data)?;
    py.detach(|| distributed::inferred_id_column(&data.into_input()?))
        .map_err(|e| errors::to_py(py, e))
}
