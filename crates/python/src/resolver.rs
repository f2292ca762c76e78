//! `Resolver` and `Resolution`: wrappers over the facade's, converting and delegating.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, TryLockError};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use sameas::{EntityId, PreviousEntities, RecordId, ResolverConfig};

use crate::errors;
use crate::input::Data;
use crate::output::{self, Column, Columns};
use crate::work;

/// Resolves customer records into entities: normalizes, blocks, scores candidate pairs
/// with a Fellegi–Sunter model trained by EM, clusters them under constraints into
/// entities with stable ids, and builds golden records.
///
/// ``config`` is a configuration document (a dict, a JSON string, or a path to a JSON
/// file, such as the ``config.json`` that ``sameas resolve`` writes); without one, it is
/// inferred from the first table's headers. ``data`` arguments take a pandas or polars
/// DataFrame, a pyarrow Table or RecordBatchReader, any object with
/// ``__arrow_c_stream__``, a list of dicts, or a path to CSV or JSON lines.
#[pyclass(frozen, module = "sameas._sameas", name = "Resolver")]
pub struct PyResolver {
    inner: Mutex<sameas::Resolver>,
}

/// The result of a batch run: entities, golden records, conflicts, events, the review band
/// and a report.
#[pyclass(frozen, module = "sameas._sameas", name = "Resolution")]
pub struct PyResolution {
    resolution: sameas::Resolution,
    config: ResolverConfig,
}

fn config_text(py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<String> {
    if config.is_instance_of::<PyDict>() {
        return py
            .import("json")?
            .call_method1("dumps", (config,))?
            .extract();
    }
    if let Ok(text) = config.cast::<PyString>() {
        let text = text.to_cow()?;
        if text.trim_start().starts_with('{') {
            return Ok(text.into_owned());
        }
    }
    if config.is_instance_of::<PyString>() || config.hasattr("__fspath__")? {
        let path: PathBuf = config.extract()?;
        return std::fs::read_to_string(&path).map_err(|source| {
            errors::to_py(
                py,
                sameas::Error::Io {
                    path: path.display().to_string(),
                    source,
                },
            )
        });
    }
    Err(PyTypeError::new_err(
        "config must be a dict, a JSON string, a path to a JSON file, or None",
    ))
}

impl PyResolver {
    fn lock(&self) -> PyResult<MutexGuard<'_, sameas::Resolver>> {
        match self.inner.try_lock() {
            Ok(guard) => Ok(guard),
            Err(TryLockError::Poisoned(poisoned)) => Ok(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => Err(PyRuntimeError::new_err(
                "the resolver is busy with a call from another thread",
            )),
        }
    }

    fn wrap(resolver: sameas::Resolver) -> Self {
        PyResolver {
            inner: Mutex::new(resolver),
        }
    }
}

fn events<'py>(py: Python<'py>, events: &[sameas::Event]) -> PyResult<Bound<'py, PyAny>> {
    output::json_table(py, events, &["event", "entity"])
}

#[pymethods]
impl PyResolver {
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(py: Python<'_>, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let resolver = match config {
            None => sameas::Resolver::new(),
            Some(config) if config.is_none() => sameas::Resolver::new(),
            Some(config) => {
                let text = config_text(py, config)?;
                sameas::Resolver::from_json(&text).map_err(|e| errors::to_py(py, e))?
            }
        };
        Ok(Self::wrap(resolver))
    }

    /// A resolver from a configuration document (JSON text).
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        sameas::Resolver::from_json(json)
            .map(Self::wrap)
            .map_err(|e| errors::to_py(py, e))
    }

    /// The configuration document as JSON, trained model included once fitted.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.lock()?.to_json().map_err(|e| errors::to_py(py, e))
    }

    /// The configuration as a dict, or ``None`` before one is given or inferred.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let guard = self.lock()?;
        guard.config().map(|c| output::to_python(py, c)).transpose()
    }

    /// Whether the configuration holds a trained model.
    #[getter]
    fn fitted(&self) -> PyResult<bool> {
        Ok(self.lock()?.is_fitted())
    }

    fn __len__(&self) -> PyResult<usize> {
        Ok(self.lock()?.len())
    }

    fn __repr__(&self) -> PyResult<String> {
        let guard = self.lock()?;
        Ok(format!(
            "Resolver(fitted={}, records={}, entities={})",
            if guard.is_fitted() { "True" } else { "False" },
            guard.len(),
            guard.entity_count()
        ))
    }

    /// Trains the model on ``data`` (EM, unsupervised) and freezes its term frequencies.
    /// Replaces any model the configuration held.
    fn fit(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let data = Data::extract(data)?;
        let mut guard = self.lock()?;
        let resolver = &mut *guard;
        work::run(py, |control| {
            let input = data.into_input()?;
            resolver.fit(&input, control)
        })?
        .map_err(|e| errors::to_py(py, e))
    }

    /// Resolves ``data`` as a batch: trains first when there is no model, then blocks,
    /// scores, clusters and builds golden records. ``previous`` (a past run's entities:
    /// data with ``record_id`` and ``entity_id`` columns) keeps entity ids stable. The
    /// resolver then holds the result for ``add`` and ``remove``.
    #[pyo3(signature = (data, previous = None))]
    fn resolve(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        previous: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResolution> {
        let data = Data::extract(data)?;
        let previous = previous
            .filter(|p| !p.is_none())
            .map(Data::extract)
            .transpose()?;
        let mut guard = self.lock()?;
        let resolver = &mut *guard;
        let resolution = work::run(py, |control| {
            let previous = match previous {
                Some(p) => Some(previous_entities(p.into_input()?)?),
                None => None,
            };
            let input = data.into_input()?;
            resolver.resolve_owned(input, previous.as_ref(), control)
        })?
        .map_err(|e| errors::to_py(py, e))?;
        let config = guard
            .config()
            .cloned()
            .expect("a resolved resolver has one");
        Ok(PyResolution { resolution, config })
    }

    /// Adds the records of ``data`` one at a time, linking each to the held entities with
    /// the frozen model. Returns the events it caused, as a pyarrow Table.
    fn add<'py>(&self, py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let data = Data::extract(data)?;
        let mut guard = self.lock()?;
        let resolver = &mut *guard;
        let caused = work::run(py, |control| {
            let input = data.into_input()?;
            resolver.add(&input, control)
        })?
        .map_err(|e| errors::to_py(py, e))?;
        events(py, &caused)
    }

    /// Removes records (one id or an iterable of ids); every id is checked before any is
    /// removed. Returns the events it caused, as a pyarrow Table.
    fn remove<'py>(&self, py: Python<'py>, ids: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let ids: Vec<String> = if let Ok(id) = ids.cast::<PyString>() {
            vec![id.to_cow()?.into_owned()]
        } else {
            ids.try_iter()?
                .map(|id| id?.extract::<String>())
                .collect::<PyResult<_>>()?
        };
        let mut guard = self.lock()?;
        if guard.is_empty() {
            return Err(errors::to_py(py, sameas::Error::NothingResolved));
        }
        let mut seen = std::collections::HashSet::new();
        for (at, id) in ids.iter().enumerate() {
            if guard.entity_of(id).is_none() {
                return Err(errors::new_error(
                    py,
                    errors::Kind::UnknownRecord,
                    format!("ids[{at}]: no record with that id; nothing was removed"),
                ));
            }
            if !seen.insert(id.as_str()) {
                return Err(errors::input(
                    py,
                    format!("ids[{at}]: the id is listed twice; nothing was removed"),
                ));
            }
        }
        let resolver = &mut *guard;
        let caused = work::run(py, |_| {
            let mut caused = Vec::new();
            for id in &ids {
                caused.extend(resolver.remove(id)?);
            }
            Ok::<_, sameas::Error>(caused)
        })?
        .map_err(|e| errors::to_py(py, e))?;
        events(py, &caused)
    }

    /// Drops removed records from the held state (a removed record keeps its place until
    /// then, and still counts towards its blocking blocks' sizes); the records left keep
    /// their entities and entity ids. Returns how many records it dropped.
    fn compact(&self, py: Python<'_>) -> PyResult<usize> {
        let mut guard = self.lock()?;
        let resolver = &mut *guard;
        py.detach(|| resolver.compact())
            .map_err(|e| errors::to_py(py, e))
    }

    /// Every comparison's level, m, u and weight for two held records, as a dict.
    fn explain_pair<'py>(&self, py: Python<'py>, a: &str, b: &str) -> PyResult<Bound<'py, PyAny>> {
        let explanation = self
            .lock()?
            .explain_pair(a, b)
            .map_err(|e| errors::to_py(py, e))?;
        output::to_python(py, &explanation)
    }

    /// The records of an entity and the joins that built it, with the refused ones, as a
    /// dict.
    fn explain_entity<'py>(&self, py: Python<'py>, entity: &str) -> PyResult<Bound<'py, PyAny>> {
        let explanation = self
            .lock()?
            .explain_entity(entity)
            .map_err(|e| errors::to_py(py, e))?;
        output::to_python(py, &explanation)
    }

    /// The entity id of a held record, or ``None``.
    fn entity_of(&self, record: &str) -> PyResult<Option<String>> {
        Ok(self.lock()?.entity_of(record).map(|e| e.to_string()))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let guard = self.lock()?;
        let state = if guard.config().is_none() {
            (None, None)
        } else if guard.is_fitted() || !guard.is_empty() {
            let snapshot = guard.snapshot().map_err(|e| errors::to_py(py, e))?;
            (None, Some(snapshot))
        } else {
            (
                Some(guard.to_json().map_err(|e| errors::to_py(py, e))?),
                None,
            )
        };
        let restore = py.import("sameas._sameas")?.getattr("_restore_resolver")?;
        PyTuple::new(py, [restore, state.into_pyobject(py)?.into_any()])
    }
}

/// Rebuilds a pickled resolver: from its snapshot, or its configuration, or neither.
#[pyfunction]
#[pyo3(signature = (config, snapshot))]
pub fn _restore_resolver(
    py: Python<'_>,
    config: Option<&str>,
    snapshot: Option<&str>,
) -> PyResult<PyResolver> {
    let resolver = match (config, snapshot) {
        (_, Some(snapshot)) => sameas::Resolver::from_snapshot(snapshot),
        (Some(config), None) => sameas::Resolver::from_json(config),
        (None, None) => Ok(sameas::Resolver::new()),
    }
    .map_err(|e| errors::to_py(py, e))?;
    Ok(PyResolver::wrap(resolver))
}

/// A past run's record → entity rows: the `record_id` and `entity_id` columns of `input`
/// (as `Resolution.entities` and `entities.csv` have them). Ids are taken exactly as given,
/// less the quote `entities.csv` puts before a formula-like id.
fn previous_entities(input: sameas::InputTable) -> Result<PreviousEntities, sameas::Error> {
    let at = |name: &str| input.table.headers.iter().position(|h| h == name);
    let (Some(record_at), Some(entity_at)) = (at("record_id"), at("entity_id")) else {
        return Err(sameas::Error::Input(
            "previous: not an entities table: it needs `record_id` and `entity_id` columns, as \
             Resolution.entities and a resolve run's entities.csv have"
                .to_string(),
        ));
    };
    let mut rows = Vec::with_capacity(input.table.rows.len());
    for row in &input.table.rows {
        let cell = |at: usize| row.cells.get(at).map(|c| sameas::unescape_formula(c));
        match (cell(record_at), cell(entity_at)) {
            (Some(id), Some(entity)) if !id.trim().is_empty() && !entity.trim().is_empty() => {
                rows.push((RecordId::from(id), EntityId::from(entity)));
            }
            _ => {
                return Err(sameas::Error::Input(format!(
                    "previous: row {}: needs a record id and an entity id",
                    row.number
                )));
            }
        }
    }
    Ok(PreviousEntities::from_rows(rows))
}

fn text(values: impl Iterator<Item = String>) -> Column {
    Column::Text(values.map(Some).collect())
}

#[pymethods]
impl PyResolution {
    /// ``record_id, entity_id``: one row per input record, in input order.
    #[getter]
    fn entities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let e = &self.resolution.entities;
        output::table(
            py,
            vec![
                (
                    "record_id".into(),
                    text(e.iter().map(|(r, _)| r.to_string())),
                ),
                (
                    "entity_id".into(),
                    text(e.iter().map(|(_, x)| x.to_string())),
                ),
            ],
        )
    }

    /// One golden record per entity, columns as the CLI's ``golden.csv`` (missing values
    /// are null).
    #[getter]
    fn golden<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let r = &self.resolution;
        let mut columns: Vec<Vec<Option<String>>> =
            vec![Vec::with_capacity(r.golden.len()); r.golden_header.len()];
        for golden in &r.golden {
            for (column, value) in columns.iter_mut().zip(r.golden_row(golden)) {
                column.push((!value.is_empty()).then_some(value));
            }
        }
        output::table(
            py,
            r.golden_header
                .iter()
                .cloned()
                .zip(columns.into_iter().map(Column::Text))
                .collect(),
        )
    }

    /// Every field where an entity's records disagree: the candidates with their records,
    /// the winner and the rule that chose it.
    #[getter]
    fn conflicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        output::json_table(
            py,
            &self.resolution.conflicts,
            &["entity", "field", "winner", "rule"],
        )
    }

    /// Entity changes: ``created``, and against ``previous`` ``merged``, ``split``,
    /// ``record_added``, ``record_removed``, ``retired``.
    #[getter]
    fn events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        events(py, &self.resolution.events)
    }

    /// Pairs for a person to decide, with each comparison's level (as ``review.csv``,
    /// without its empty ``decision`` column).
    #[getter]
    fn review<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let r = &self.resolution.review;
        let mut columns: Columns = vec![
            (
                "record_id_l".into(),
                text(r.iter().map(|p| p.record_id_l.to_string())),
            ),
            (
                "record_id_r".into(),
                text(r.iter().map(|p| p.record_id_r.to_string())),
            ),
            (
                "entity_l".into(),
                text(r.iter().map(|p| p.entity_l.to_string())),
            ),
            (
                "entity_r".into(),
                text(r.iter().map(|p| p.entity_r.to_string())),
            ),
            (
                "match_probability".into(),
                Column::Float(r.iter().map(|p| p.match_probability).collect()),
            ),
            (
                "match_weight".into(),
                Column::Float(r.iter().map(|p| p.match_weight).collect()),
            ),
            (
                "reason".into(),
                text(r.iter().map(|p| p.reason.to_string())),
            ),
        ];
        for (c, name) in self.resolution.comparisons.iter().enumerate() {
            columns.push((
                format!("{name}.level"),
                text(
                    r.iter()
                        .map(|p| p.levels.get(c).cloned().unwrap_or_default()),
                ),
            ));
        }
        output::table(py, columns)
    }

    /// Counts, blocking statistics, refusals and timings, as a dict (``report.json``).
    #[getter]
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        output::to_python(py, &self.resolution.report)
    }

    /// Writes the CLI's output files (``entities.csv``, ``golden.csv``, ``conflicts.jsonl``,
    /// ``events.jsonl``, ``review.csv``, ``config.json``, ``report.json``) into ``dir``.
    fn write(&self, py: Python<'_>, dir: PathBuf) -> PyResult<()> {
        let (resolution, config) = (&self.resolution, &self.config);
        py.detach(|| sameas::write_resolution(&dir, resolution, config, &resolution.report))
            .map_err(|e| errors::to_py(py, e))
    }

    /// Writes the HTML report of this resolution (as ``sameas report DIR``) to ``path``:
    /// data quality, resolution and entity charts in one file that works offline.
    fn write_report(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let html = self.report_html(py)?;
        std::fs::write(&path, html).map_err(|source| {
            let err = sameas::Error::Io {
                path: path.display().to_string(),
                source,
            };
            errors::to_py(py, err)
        })
    }

    /// The report, shown inline in a notebook (in a frame, so its style stays its own).
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let html = self.report_html(py)?;
        let quoted = html.replace('&', "&amp;").replace('"', "&quot;");
        Ok(format!(
            "<iframe srcdoc=\"{quoted}\" style=\"width: 100%; height: 720px; border: 0\" \
             title=\"sameas report\"></iframe>"
        ))
    }

    fn __len__(&self) -> usize {
        self.resolution.entities.len()
    }

    fn __repr__(&self) -> String {
        let r = &self.resolution;
        format!(
            "Resolution(records={}, entities={}, pairs={})",
            r.entities.len(),
            r.golden.len(),
            r.report.candidate_pairs
        )
    }
}

impl PyResolution {
    /// The report's HTML.
    fn report_html(&self, py: Python<'_>) -> PyResult<String> {
        let (resolution, config) = (&self.resolution, &self.config);
        py.detach(|| sameas_report::render_resolution(resolution, config))
            .map_err(|err| match err {
                sameas_report::Error::Io { path, source } => {
                    errors::to_py(py, sameas::Error::Io { path, source })
                }
                other => errors::input(py, other.to_string()),
            })
    }

    /// `(record id, entity id)` per record, for evaluation.
    pub fn entity_rows(&self) -> impl Iterator<Item = (&RecordId, &str)> {
        self.resolution
            .entities
            .iter()
            .map(|(record, entity)| (record, entity.as_str()))
    }
}
