//! `evaluate`: pairwise and B-cubed scores of a prediction against a truth.

use pyo3::prelude::*;

use sameas_eval::{Predicted, Truth};

use crate::errors;
use crate::input::Data;
use crate::output;
use crate::resolver::PyResolution;

/// The first two columns of every row.
fn pairs(data: Data) -> Result<Vec<(String, String)>, sameas::Error> {
    let input = data.into_input()?;
    let mut out = Vec::with_capacity(input.table.rows.len());
    for row in input.table.rows {
        let mut cells = row.cells.into_iter();
        match (cells.next(), cells.next()) {
            (Some(a), Some(b)) => out.push((a, b)),
            _ => {
                return Err(sameas::Error::Input(format!(
                    "row {}: needs a record id (column 1) and a cluster or entity id (column 2)",
                    row.number
                )));
            }
        }
    }
    Ok(out)
}

/// Pairwise and B-cubed precision, recall and F1 of ``predicted`` against ``truth``, with
/// up to ``examples`` false merges and missed links, as a dict.
///
/// ``truth`` is data whose first two columns are the record id and the true cluster;
/// ``predicted`` is a ``Resolution`` or data whose first two columns are the record id and
/// the entity id. Every record of the truth must be predicted.
#[pyfunction]
#[pyo3(signature = (truth, predicted, examples = 5))]
pub fn evaluate<'py>(
    py: Python<'py>,
    truth: &Bound<'py, PyAny>,
    predicted: &Bound<'py, PyAny>,
    examples: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let truth = pairs(Data::extract(truth)?).map_err(|e| errors::to_py(py, e))?;
    let truth = Truth::from_rows(truth).map_err(|e| errors::eval_to_py(py, e))?;
    let predicted = match predicted.cast::<PyResolution>() {
        Ok(resolution) => Predicted::from_entities(&truth, resolution.get().entity_rows()),
        Err(_) => {
            let rows = pairs(Data::extract(predicted)?).map_err(|e| errors::to_py(py, e))?;
            Predicted::from_entities(&truth, rows)
        }
    }
    .map_err(|e| errors::eval_to_py(py, e))?;
    let evaluation = sameas_eval::evaluate(&truth, &predicted, examples)
        .map_err(|e| errors::eval_to_py(py, e))?;
    output::to_python(py, &evaluation)
}
