//! Normalization for sameas: typed values, derived match keys and data-quality issues, one
//! module per field kind; schema inference from headers; masking and pseudonyms.
//!
//! Every normalizer returns a [`Normalized`] value: the typed value when it could be read,
//! plus [`Issue`]s (missing, invalid, suspicious, repaired, masked). Nothing is dropped: a
//! value that cannot be read is kept raw by the caller and flagged.
//!
//! ```
//! use sameas_normalize::gender::{normalize_gender, Gender};
//! use sameas_normalize::text::fold;
//!
//! assert_eq!(fold("Ｚｈａｎｇ  Wei"), "zhang wei");
//! assert_eq!(normalize_gender("男").value, Some(Gender::Male));
//! ```
#![deny(missing_docs)]

mod error;
mod field;
mod issue;
mod options;

pub mod address;
pub mod date;
pub mod email;
pub mod gender;
pub mod identifier;
pub mod infer;
pub mod name;
pub mod national_id;
pub mod phone;
pub mod privacy;
pub mod profile;
pub mod record;
pub mod table;
pub mod text;

pub use error::NormalizeError;
pub use issue::{Issue, IssueKind, Issues, MatchKeys, Normalized};
pub use options::{DateOrder, NormalizeOptions};
