//! The crate's one error type.

/// Why scoring failed. Messages name rows, columns and reasons, never a value from the data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScoreError {
    /// A model was asked to fit no customers (or, for Gamma-Gamma, no repeat customers).
    #[error("{model}: no customers to fit")]
    NoCustomers {
        /// The model.
        model: &'static str,
    },
    /// The maximum-likelihood fit did not give a usable model: the likelihood is not finite
    /// anywhere tried, or its best point lies where a parameter runs off to 0 or infinity
    /// (the data does not identify the model).
    #[error("{model} cannot be fitted: {reason}")]
    NotFitted {
        /// The model.
        model: &'static str,
        /// What went wrong, in words and numbers only.
        reason: String,
    },
    /// A required column is missing from a table.
    #[error("no `{column}` column ({hint})")]
    MissingColumn {
        /// The column's name.
        column: &'static str,
        /// What names are accepted.
        hint: &'static str,
    },
    /// A row of a summary table is not usable.
    #[error("row {row}, column `{column}`: {reason}")]
    BadSummaryRow {
        /// 1-based data row.
        row: u64,
        /// The column.
        column: String,
        /// Why.
        reason: &'static str,
    },
    /// A setting is out of its range.
    #[error("invalid setting `{setting}`: {reason}")]
    InvalidSetting {
        /// The setting.
        setting: &'static str,
        /// Why.
        reason: &'static str,
    },
}
