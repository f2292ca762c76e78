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
    /// The input has no header row.
    #[error("the input has no header row")]
    NoHeader,
    /// Two columns of the header have the same name.
    #[error("column {column} repeats the header `{header}` of an earlier column")]
    DuplicateHeader {
        /// 1-based column number.
        column: usize,
        /// The repeated header.
        header: String,
    },
}
