//! Python bindings for sameas: the `sameas._sameas` extension module, which the `sameas`
//! package re-exports. The bindings hold no logic: they convert Python data to the facade's
//! input tables, call the facade, and convert its results to pyarrow Tables and dicts.
//!
//! Build with maturin (`pip install crates/python`, or `maturin build` in `crates/python`);
//! wheels turn on the `arrow` feature, which reads pandas, polars and pyarrow data through
//! the Arrow PyCapsule interface.

#![deny(missing_docs)]

#[cfg(feature = "arrow")]
mod arrow;
mod distributed;
mod errors;
mod evaluate;
mod input;
mod normalize;
mod output;
mod resolver;
mod store;
mod value;
mod work;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _sameas(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add("ARROW", cfg!(feature = "arrow"))?;
    errors::register(module)?;
    module.add_class::<resolver::PyResolver>()?;
    module.add_class::<resolver::PyResolution>()?;
    module.add_class::<store::PyStore>()?;
    module.add_class::<distributed::PyPartitioned>()?;
    module.add_function(wrap_pyfunction!(distributed::components, module)?)?;
    module.add_function(wrap_pyfunction!(distributed::entity_id, module)?)?;
    module.add_function(wrap_pyfunction!(distributed::inferred_id_column, module)?)?;
    module.add_function(wrap_pyfunction!(resolver::_restore_resolver, module)?)?;
    module.add_function(wrap_pyfunction!(evaluate::evaluate, module)?)?;
    module.add_function(wrap_pyfunction!(value::score, module)?)?;
    module.add_function(wrap_pyfunction!(value::segment, module)?)?;
    for function in [
        wrap_pyfunction!(normalize::normalize_phone, module)?,
        wrap_pyfunction!(normalize::normalize_email, module)?,
        wrap_pyfunction!(normalize::normalize_name, module)?,
        wrap_pyfunction!(normalize::normalize_date, module)?,
        wrap_pyfunction!(normalize::normalize_birth_date, module)?,
        wrap_pyfunction!(normalize::normalize_national_id, module)?,
        wrap_pyfunction!(normalize::normalize_address, module)?,
        wrap_pyfunction!(normalize::normalize_gender, module)?,
        wrap_pyfunction!(normalize::normalize_identifier, module)?,
        wrap_pyfunction!(normalize::normalize_text, module)?,
        wrap_pyfunction!(normalize::to_simplified, module)?,
        wrap_pyfunction!(normalize::mask_phone, module)?,
        wrap_pyfunction!(normalize::mask_name, module)?,
        wrap_pyfunction!(normalize::mask_email, module)?,
        wrap_pyfunction!(normalize::mask_national_id, module)?,
        wrap_pyfunction!(normalize::mask, module)?,
    ] {
        module.add_function(function)?;
    }
    Ok(())
}
