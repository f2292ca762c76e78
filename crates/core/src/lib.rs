//! Vocabulary types shared by every sameas crate: records, their ids and channels, the
//! schema that says what each column means, and raw field values.
//!
//! This crate holds no algorithms. Normalizing, matching and merging live in the stage
//! crates that depend on it. [`spreadsheet`] holds the one rule every CSV writer and reader
//! shares: how a cell a spreadsheet would run as a formula is written.
//!
//! ```
//! use sameas_core::{Channel, FieldKind, FieldPart, Record, RecordId, Schema, SourceColumn, Value};
//!
//! let mut schema = Schema::default();
//! schema.push_field("name", FieldKind::Name, vec![SourceColumn::new(1, "name", FieldPart::Full)]);
//! let record = Record::new(RecordId::from("c-1"), Channel::from_label("app"), vec![Value::text("张伟")]);
//! assert_eq!(record.channel, Channel::App);
//! assert_eq!(schema.fields[0].kind, FieldKind::Name);
//! ```
#![deny(missing_docs)]

mod channel;
mod entity;
mod record;
mod schema;
pub mod spreadsheet;
mod value;

pub use channel::Channel;
pub use entity::EntityId;
pub use record::{Record, RecordId};
pub use schema::{FieldKind, FieldPart, FieldSpec, Schema, SourceColumn};
pub use value::Value;
