use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{Channel, Value};

/// A record's id, as given in the input (or its 1-based data row number when there is none).
/// Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordId(Arc<str>);

impl RecordId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for RecordId {
    fn from(id: &str) -> Self {
        RecordId(Arc::from(id))
    }
}

impl From<String> for RecordId {
    fn from(id: String) -> Self {
        RecordId(Arc::from(id))
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One input record: its id, channel, last update time and one raw [`Value`] per field of
/// the [`Schema`](crate::Schema), in schema order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The record's id.
    pub id: RecordId,
    /// The channel it came from.
    pub channel: Channel,
    /// When the source system last updated it, as given (normalized by the date normalizer).
    pub updated_at: Option<String>,
    /// One value per schema field, in schema order.
    pub fields: Vec<Value>,
}

impl Record {
    /// A record with no update time.
    pub fn new(id: RecordId, channel: Channel, fields: Vec<Value>) -> Self {
        Record {
            id,
            channel,
            updated_at: None,
            fields,
        }
    }
}
