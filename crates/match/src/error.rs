//! The match stage's error type.

use thiserror::Error;

/// What can go wrong when configuring, training or running a match.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum MatchError {
    /// A configuration names a field that is not in the schema.
    #[error("{context}: no field named `{field}` in the schema")]
    UnknownField {
        /// Where the name appeared (a blocking rule, a comparison).
        context: String,
        /// The field name.
        field: String,
    },
    /// A configuration names a key the field's kind does not derive.
    #[error("{context}: field `{field}` has no key `{key}`")]
    UnknownKey {
        /// Where the key appeared.
        context: String,
        /// The field name.
        field: String,
        /// The key name.
        key: String,
    },
    /// A comparison is configured over fields of a kind it cannot compare.
    #[error("comparison `{comparison}`: field `{field}` is a {kind} field")]
    WrongKind {
        /// The comparison's name.
        comparison: String,
        /// The field name.
        field: String,
        /// The field's kind.
        kind: sameas_core::FieldKind,
    },
    /// A configuration value is out of range or inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The input is unusable as given.
    #[error("invalid input: {0}")]
    Input(&'static str),
    /// A config needs a trained model and has none.
    #[error("the configuration has no trained model; train one first")]
    Untrained,
    /// A record id was not found.
    #[error("no record with the given id (argument {0})")]
    UnknownRecord(usize),
    /// The operation was cancelled.
    #[error("cancelled")]
    Cancelled,
}
