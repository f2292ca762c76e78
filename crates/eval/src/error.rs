use thiserror::Error;

/// Why a truth, a prediction or a candidate list cannot be evaluated. Errors name the file,
/// the row and the column; they never quote a cell, since ids may identify people.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvalError {
    /// The file cannot be opened or read.
    #[error("{file}: cannot be read: {reason}")]
    Io {
        /// The file, as the caller named it.
        file: String,
        /// What the operating system or the CSV reader said.
        reason: String,
    },
    /// The file as a whole is unusable: no header, too few columns, records left out.
    #[error("{file}: {reason}")]
    File {
        /// The file, as the caller named it.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// One cell is unusable.
    #[error("{file}: row {row}, column {column}: {reason}")]
    Cell {
        /// The file, as the caller named it.
        file: String,
        /// 1-based data row number (the header is row 0).
        row: u64,
        /// The column's header.
        column: String,
        /// What is wrong with the cell.
        reason: &'static str,
    },
    /// Arguments that do not fit together, such as a side list of the wrong length.
    #[error("{reason}")]
    Input {
        /// What does not fit.
        reason: String,
    },
}
