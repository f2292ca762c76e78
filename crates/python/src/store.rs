//! `Store`: a wrapper over `sameas-store`'s persistent identity store.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, TryLockError};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use sameas_store::{IngestOptions, Keys, LookupBy};

use crate::errors::{self, Kind};
use crate::input::Data;
use crate::output;

/// A persistent identity store: one SQLite database that takes batches of records from
/// channels, resolves them incrementally (stable entity ids), and keeps the result, with
/// personal values encrypted at rest. The same store the ``sameas ingest``, ``lookup``,
/// ``export`` and ``backup`` commands use.
///
/// ``key`` is a key file; without one, the keys come from ``SAMEAS_STORE_KEY`` and
/// ``SAMEAS_INDEX_KEY``, else from ``PATH.key`` beside the database, which is created (readable
/// by its owner only) when the database does not exist yet.
#[pyclass(frozen, module = "sameas._sameas", name = "Store")]
pub struct PyStore {
    inner: Mutex<sameas_store::Store>,
}

fn to_py(py: Python<'_>, err: sameas_store::Error) -> PyErr {
    use sameas_store::Error as E;
    let kind = match &err {
        E::Resolve(_) => {
            let E::Resolve(inner) = err else {
                unreachable!()
            };
            return errors::to_py(py, inner);
        }
        E::Io { .. } => Kind::Io,
        E::Input(_) => Kind::Input,
        _ => Kind::Sameas,
    };
    errors::new_error(py, kind, err.to_string())
}

impl PyStore {
    fn lock(&self) -> PyResult<MutexGuard<'_, sameas_store::Store>> {
        match self.inner.try_lock() {
            Ok(guard) => Ok(guard),
            Err(TryLockError::Poisoned(poisoned)) => Ok(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => Err(PyRuntimeError::new_err(
                "the store is busy with a call from another thread",
            )),
        }
    }
}

#[pymethods]
impl PyStore {
    #[new]
    #[pyo3(signature = (path, key = None))]
    fn new(py: Python<'_>, path: PathBuf, key: Option<PathBuf>) -> PyResult<Self> {
        let create = !path.exists();
        let store = py
            .detach(|| {
                let (keys, _) = Keys::locate(&path, key.as_deref(), create)?;
                sameas_store::Store::open(&path, &keys)
            })
            .map_err(|e| to_py(py, e))?;
        Ok(PyStore {
            inner: Mutex::new(store),
        })
    }

    /// Ingests a batch from ``channel``: new records are added, changed ones (by record id)
    /// replaced, unchanged ones left as they are. Returns the batch's sync-log row as a dict
    /// (``status``, ``rows_added``, ``bad_rows``, ``quality`` …). A batch from a channel the
    /// quality gate has paused raises ``SameasError``.
    #[pyo3(signature = (data, *, channel))]
    fn ingest<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        channel: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let data = Data::extract(data)?;
        let source = match &data {
            Data::Path(path) => path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            _ => "python".to_string(),
        };
        let mut guard = self.lock()?;
        let store: &mut sameas_store::Store = &mut guard;
        let report = py
            .detach(|| {
                let input = data.into_input()?;
                let options = IngestOptions {
                    source,
                    ..IngestOptions::default()
                };
                store.ingest(channel, &input, &options)
            })
            .map_err(|e| to_py(py, e))?;
        output::to_python(py, &report)
    }

    /// Writes the files ``sameas resolve`` writes (entities, golden records, conflicts,
    /// events, report) into the directory ``dir``, replaced whole.
    fn export(&self, py: Python<'_>, dir: PathBuf) -> PyResult<()> {
        let mut guard = self.lock()?;
        let store: &mut sameas_store::Store = &mut guard;
        py.detach(|| store.export(&dir)).map_err(|e| to_py(py, e))
    }

    /// The customers a phone, e-mail, national id or record id leads to (one for a record
    /// id; perhaps several for a phone a household shares), each a dict with
    /// ``entity_id``, ``records`` (``{"id", "channel"}`` dicts) and ``golden`` (column to
    /// value), personal values masked unless ``clear``. Name exactly one of the four.
    #[pyo3(signature = (*, phone = None, email = None, national_id = None, id = None, clear = false))]
    fn lookup<'py>(
        &self,
        py: Python<'py>,
        phone: Option<&str>,
        email: Option<&str>,
        national_id: Option<&str>,
        id: Option<&str>,
        clear: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let given: Vec<(LookupBy, &str)> = [
            (LookupBy::Phone, phone),
            (LookupBy::Email, email),
            (LookupBy::NationalId, national_id),
            (LookupBy::RecordId, id),
        ]
        .into_iter()
        .filter_map(|(by, v)| v.map(|v| (by, v)))
        .collect();
        let [(by, value)] = given[..] else {
            return Err(PyValueError::new_err(
                "name exactly one of phone=, email=, national_id=, id=",
            ));
        };
        let mut guard = self.lock()?;
        let store: &mut sameas_store::Store = &mut guard;
        let views = py
            .detach(|| store.lookup(by, value, clear))
            .map_err(|e| to_py(py, e))?;
        let out = PyList::empty(py);
        for view in views {
            let customer = PyDict::new(py);
            customer.set_item("entity_id", view.entity_id)?;
            let records = PyList::empty(py);
            for (record, channel) in view.records {
                let r = PyDict::new(py);
                r.set_item("id", record)?;
                r.set_item("channel", channel)?;
                records.append(r)?;
            }
            customer.set_item("records", records)?;
            let golden = PyDict::new(py);
            for (column, value) in view.golden {
                golden.set_item(column, value)?;
            }
            customer.set_item("golden", golden)?;
            out.append(customer)?;
        }
        Ok(out)
    }

    /// Every channel that has sent a batch, by name: dicts with ``name``, ``paused``,
    /// ``low_streak``, ``reason`` and ``recent_scores`` (the last five, newest first).
    fn channels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let channels = self.lock()?.channels(5).map_err(|e| to_py(py, e))?;
        output::to_python(py, &channels)
    }

    /// Backs the store up into the directory ``dir`` with SQLite's online backup (sealed as
    /// the store is; the key file is not in it) and returns the backup file's path.
    fn backup(&self, py: Python<'_>, dir: PathBuf) -> PyResult<String> {
        let path = self.lock()?.path().to_path_buf();
        let info = py
            .detach(|| sameas_store::backup(&path, &dir))
            .map_err(|e| to_py(py, e))?;
        Ok(info.path.display().to_string())
    }
}
