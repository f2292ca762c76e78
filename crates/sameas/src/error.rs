//! The facade's error type: each stage's errors, plus input and state problems.

use thiserror::Error;

/// What can go wrong when resolving.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or table that cannot be read.
    #[error(transparent)]
    Table(#[from] sameas_normalize::table::TableError),
    /// A normalizer that cannot be built, or a header that cannot be used.
    #[error(transparent)]
    Normalize(#[from] sameas_normalize::NormalizeError),
    /// A match configuration that does not fit, or training that failed.
    #[error(transparent)]
    Match(#[from] sameas_match::MatchError),
    /// A merge configuration that does not fit, or an update the graph refuses.
    #[error(transparent)]
    Merge(#[from] sameas_merge::MergeError),
    /// Scoring customers failed: a missing column, a bad summary row, a bad setting.
    #[error(transparent)]
    Score(#[from] sameas_score::ScoreError),
    /// A configuration document that does not parse or is inconsistent.
    #[error("configuration: {0}")]
    Config(String),
    /// Input that cannot be used as given. The message names the row and column, never
    /// the value.
    #[error("{0}")]
    Input(String),
    /// The operation needs a trained model: call `fit` or `resolve` first, or load a trained
    /// configuration.
    #[error("the resolver has no trained model: fit it first or load a trained configuration")]
    NotFitted,
    /// The operation needs resolved records: call `resolve` or `add` first.
    #[error("the resolver holds no records: resolve or add some first")]
    NothingResolved,
    /// A record id the resolver does not hold (the id is not repeated: it may be personal).
    #[error("no record with that id")]
    UnknownRecord,
    /// An entity id the resolver does not hold.
    #[error("no entity `{0}`")]
    UnknownEntity(String),
    /// The caller's cancel flag was raised; nothing was changed.
    #[error("cancelled")]
    Cancelled,
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::Config(err.to_string())
    }
}
