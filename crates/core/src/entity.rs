use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// An entity's id: stable across re-runs and incremental updates. Cheap to clone.
///
/// Ids that sameas creates are numbered: `E` and at least eight digits (`E00000001`), so that
/// the number says how old the entity is. Ids read from an earlier run may be any text.
///
/// ```
/// use sameas_core::EntityId;
///
/// let id = EntityId::numbered(7);
/// assert_eq!(id.as_str(), "E00000007");
/// assert_eq!(id.sequence(), Some(7));
/// assert_eq!(EntityId::from("customer-7").sequence(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntityId(Arc<str>);

impl EntityId {
    /// The id numbered `sequence`: `E` and the number zero-padded to eight digits (more when
    /// the number needs them).
    pub fn numbered(sequence: u64) -> EntityId {
        EntityId(Arc::from(format!("E{sequence:08}")))
    }

    /// The number of an id made by [`EntityId::numbered`], or `None` for any other text
    /// (also for a non-canonical spelling such as `E7` or `E000000007`, so that an id and its
    /// number always convert back and forth).
    pub fn sequence(&self) -> Option<u64> {
        let digits = self.0.strip_prefix('E')?;
        if digits.len() < 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let sequence: u64 = digits.parse().ok()?;
        // Past eight digits a leading zero would be a second spelling of the same number.
        (digits.len() == 8 || !digits.starts_with('0')).then_some(sequence)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for EntityId {
    fn from(id: &str) -> Self {
        EntityId(Arc::from(id))
    }
}

impl From<String> for EntityId {
    fn from(id: String) -> Self {
        EntityId(Arc::from(id))
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_ids_round_trip_through_their_sequence() {
        for n in [0, 1, 42, 99_999_999, 100_000_000, 123_456_789_012, u64::MAX] {
            let id = EntityId::numbered(n);
            assert_eq!(id.sequence(), Some(n), "{id}");
        }
        assert_eq!(EntityId::numbered(1).as_str(), "E00000001");
        assert_eq!(EntityId::numbered(100_000_000).as_str(), "E100000000");
    }

    #[test]
    fn other_spellings_have_no_sequence() {
        for text in [
            "E1",
            "E0000001",
            "E000000001",
            "e00000001",
            "E0000000x",
            "X00000001",
            "",
        ] {
            assert_eq!(EntityId::from(text).sequence(), None, "{text}");
        }
    }

    #[test]
    fn serializes_as_plain_text() {
        let id = EntityId::numbered(3);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"E00000003\"");
        assert_eq!(serde_json::from_str::<EntityId>(&json).unwrap(), id);
    }
}
