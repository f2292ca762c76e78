//! The merge stage's error type.

use thiserror::Error;

/// What can go wrong when configuring clustering or survivorship, or updating the graph.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum MergeError {
    /// A configuration value is out of range or inconsistent.
    #[error("invalid merge configuration: {0}")]
    Config(String),
    /// A configuration names a field that is not in the schema.
    #[error("{context}: no field named `{field}` in the schema")]
    UnknownField {
        /// Where the name appeared.
        context: String,
        /// The field name.
        field: String,
    },
    /// A record id the graph does not hold (the id itself is not repeated: it may be personal).
    #[error("no record with that id in the identity graph")]
    UnknownRecord,
    /// An entity id the graph does not hold.
    #[error("no entity `{0}` in the identity graph")]
    UnknownEntity(String),
    /// A record id that the graph already holds.
    #[error("a record with that id is already in the identity graph")]
    DuplicateRecord,
}
