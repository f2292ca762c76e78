use thiserror::Error;

/// Errors raised while building normalizers or inferring a schema. Per-value problems are
/// not errors: they are [`Issue`](crate::Issue)s on the value.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NormalizeError {
    /// The default phone region is not an ISO 3166 region the phone library knows.
    #[error("unknown phone region `{region}`: use an ISO 3166 code such as CN or US")]
    UnknownRegion {
        /// The region as configured.
        region: String,
    },
    /// The input has no header row: the first row is blank or looks like data (a phone
    /// number, an e-mail). The message never quotes it.
    #[error(
        "line 1 is not a header: it is blank or holds data such as a phone number or an e-mail; \
         the first row must name the columns"
    )]
    NoHeader,
    /// Two columns of the header have the same name (after folding case and spaces). The
    /// message names the columns by number, never by their text, which may be data.
    #[error("column {column} has the same header as column {first}; headers must be distinct")]
    DuplicateHeader {
        /// 1-based column number of the repeat.
        column: usize,
        /// 1-based column number of the first column with that header.
        first: usize,
    },
}
