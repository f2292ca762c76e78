//! The store's error type.

/// What can go wrong with a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database said no.
    #[error("store database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// Resolving failed (a configuration that does not fit, a table missing a column …).
    #[error(transparent)]
    Resolve(#[from] sameas::Error),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Keys missing, malformed, or not the ones the store was written with.
    #[error("store keys: {0}")]
    Keys(String),
    /// A sealed value did not open: the wrong key, or the bytes were changed.
    #[error("a sealed `{0}` value did not decrypt: wrong key, or the store was altered")]
    Decrypt(String),
    /// The channel is paused by the quality gate.
    #[error(
        "channel `{channel}` is paused: {reason}; its batches are refused until \
         `sameas channel resume {channel}`"
    )]
    ChannelPaused {
        /// The channel.
        channel: String,
        /// Why it was paused.
        reason: String,
    },
    /// The input cannot be ingested as a whole (no record id column …).
    #[error("{0}")]
    Input(String),
    /// The store is not what this build reads (a newer schema, not a sameas store).
    #[error("{0}")]
    Schema(String),
    /// Something the store holds does not fit together.
    #[error("store inconsistent: {0}")]
    Inconsistent(String),
}

pub(crate) fn io_error(path: &std::path::Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}
