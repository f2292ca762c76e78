//! The `SameasError` hierarchy: one Python class per variant of the facade's `Error`, with
//! bad input also a `ValueError`, unknown ids a `KeyError` and I/O an `OSError`.

use pyo3::exceptions::{PyException, PyKeyError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

/// A class of the hierarchy: its name, its extra built-in base and its docstring.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The base class.
    Sameas,
    Table,
    Normalize,
    Match,
    Merge,
    Config,
    Input,
    NotFitted,
    NothingResolved,
    UnknownRecord,
    UnknownEntity,
    Cancelled,
    Io,
    Eval,
}

#[derive(Clone, Copy)]
enum Extra {
    None,
    Value,
    Key,
    Os,
}

const KINDS: [(Kind, &str, Extra, &str); 14] = [
    (
        Kind::Sameas,
        "SameasError",
        Extra::None,
        "Base class of every error sameas raises.",
    ),
    (
        Kind::Table,
        "TableError",
        Extra::Value,
        "A file or table that cannot be read (empty, undecodable, not text, no header).",
    ),
    (
        Kind::Normalize,
        "NormalizeError",
        Extra::Value,
        "A normalizer that cannot be built (an unknown phone region), or an unusable header.",
    ),
    (
        Kind::Match,
        "MatchError",
        Extra::None,
        "A match configuration that does not fit the data, or training that failed.",
    ),
    (
        Kind::Merge,
        "MergeError",
        Extra::None,
        "A merge configuration that does not fit, or an update the identity graph refuses.",
    ),
    (
        Kind::Config,
        "ConfigError",
        Extra::Value,
        "A configuration document that does not parse or is inconsistent.",
    ),
    (
        Kind::Input,
        "InputError",
        Extra::Value,
        "Input that cannot be used as given; the message names the row and column.",
    ),
    (
        Kind::NotFitted,
        "NotFittedError",
        Extra::None,
        "The operation needs a trained model: fit or resolve first, or load a trained config.",
    ),
    (
        Kind::NothingResolved,
        "NothingResolvedError",
        Extra::None,
        "The operation needs resolved records: resolve or add some first.",
    ),
    (
        Kind::UnknownRecord,
        "UnknownRecordError",
        Extra::Key,
        "A record id the resolver does not hold.",
    ),
    (
        Kind::UnknownEntity,
        "UnknownEntityError",
        Extra::Key,
        "An entity id the resolver does not hold.",
    ),
    (
        Kind::Cancelled,
        "CancelledError",
        Extra::None,
        "The operation was cancelled; the resolver was left as it was.",
    ),
    (
        Kind::Io,
        "IoError",
        Extra::Os,
        "Reading or writing a file failed.",
    ),
    (
        Kind::Eval,
        "EvalError",
        Extra::Value,
        "A truth or a prediction that cannot be evaluated.",
    ),
];

static CLASSES: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Vec<Py<PyType>>> {
    CLASSES.get_or_try_init(py, || {
        let type_ = py.get_type::<PyType>();
        let mut out: Vec<Py<PyType>> = Vec::with_capacity(KINDS.len());
        for (kind, name, extra, doc) in KINDS {
            let base = if kind == Kind::Sameas {
                py.get_type::<PyException>()
            } else {
                out[0].bind(py).clone()
            };
            let mut bases = vec![base];
            match extra {
                Extra::None => {}
                Extra::Value => bases.push(py.get_type::<PyValueError>()),
                Extra::Key => bases.push(py.get_type::<PyKeyError>()),
                Extra::Os => bases.push(py.get_type::<PyOSError>()),
            }
            let namespace = PyDict::new(py);
            namespace.set_item("__module__", "sameas")?;
            namespace.set_item("__doc__", doc)?;
            let class = type_.call1((name, PyTuple::new(py, bases)?, namespace))?;
            out.push(class.cast_into::<PyType>()?.unbind());
        }
        Ok(out)
    })
}

/// Adds every class to `module`.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    for (class, (_, name, _, _)) in classes(py)?.iter().zip(KINDS) {
        module.add(name, class.bind(py))?;
    }
    Ok(())
}

/// An error of class `kind` with `message`.
pub fn new_error(py: Python<'_>, kind: Kind, message: String) -> PyErr {
    match classes(py) {
        Ok(classes) => {
            let at = KINDS
                .iter()
                .position(|(k, ..)| *k == kind)
                .expect("every kind is listed");
            PyErr::from_type(classes[at].bind(py).clone(), message)
        }
        Err(err) => err,
    }
}

/// The Python error for a facade error.
pub fn to_py(py: Python<'_>, err: sameas::Error) -> PyErr {
    use sameas::Error as E;
    let kind = match &err {
        E::Table(_) => Kind::Table,
        E::Normalize(_) => Kind::Normalize,
        E::Match(_) => Kind::Match,
        E::Merge(_) => Kind::Merge,
        E::Config(_) => Kind::Config,
        E::Input(_) => Kind::Input,
        E::NotFitted => Kind::NotFitted,
        E::NothingResolved => Kind::NothingResolved,
        E::UnknownRecord => Kind::UnknownRecord,
        E::UnknownEntity(_) => Kind::UnknownEntity,
        E::Cancelled => Kind::Cancelled,
        E::Io { .. } => Kind::Io,
        _ => Kind::Sameas,
    };
    new_error(py, kind, err.to_string())
}

/// The Python error for an evaluation error.
pub fn eval_to_py(py: Python<'_>, err: sameas_eval::EvalError) -> PyErr {
    new_error(py, Kind::Eval, err.to_string())
}

/// An `InputError` with `message`.
pub fn input(py: Python<'_>, message: impl Into<String>) -> PyErr {
    new_error(py, Kind::Input, message.into())
}
