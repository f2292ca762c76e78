//! The event log's entries, and the entities of an earlier run.

use foldhash::HashMap;
use sameas_core::{EntityId, RecordId};
use serde::{Deserialize, Serialize};

/// One change to the entities. Serialized with an `event` tag:
/// `{"event":"merged","entity":"E00000001","absorbed":["E00000004"],"records":["a","b","c"]}`.
///
/// Replaying the log rebuilds the entities: a record belongs to the entity of the last
/// `created`, `merged` or `record_added` event that names it, unless a later
/// `record_removed` deleted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A new entity, with a fresh id.
    Created {
        /// The new id.
        entity: EntityId,
        /// Its records.
        records: Vec<RecordId>,
    },
    /// `entity` kept its id and took in every entity of `absorbed`, whose ids are no longer
    /// used.
    Merged {
        /// The id that survives (the oldest).
        entity: EntityId,
        /// The ids that no longer exist, oldest first.
        absorbed: Vec<EntityId>,
        /// Every record of the entity after the merge.
        records: Vec<RecordId>,
    },
    /// The records of `entity` now lie in several entities.
    Split {
        /// The entity that was split.
        entity: EntityId,
        /// The entities now holding its records, the one holding most of them first (that
        /// is `entity` itself, unless its larger part merged into an older entity). The parts
        /// that became new entities were announced by `created` events just before.
        into: Vec<EntityId>,
    },
    /// A record joined an entity that kept its id: a new record, or one that moved from
    /// another entity (which then has a `split` event).
    RecordAdded {
        /// The entity.
        entity: EntityId,
        /// The record.
        record: RecordId,
    },
    /// A record was deleted.
    RecordRemoved {
        /// The entity that held it.
        entity: EntityId,
        /// The record.
        record: RecordId,
    },
    /// The entity has no records left; its id is no longer used.
    Retired {
        /// The id.
        entity: EntityId,
    },
}

/// The entity of each record in an earlier run (its `entities.csv`), to keep ids stable.
#[derive(Debug, Clone, Default)]
pub struct PreviousEntities {
    pub(super) entity_of: HashMap<RecordId, EntityId>,
}

impl PreviousEntities {
    /// From `(record id, entity id)` rows. A record given twice keeps its last row.
    pub fn from_rows(rows: impl IntoIterator<Item = (RecordId, EntityId)>) -> Self {
        PreviousEntities {
            entity_of: rows.into_iter().collect(),
        }
    }

    /// The earlier entity of a record.
    pub fn entity_of(&self, record: &RecordId) -> Option<&EntityId> {
        self.entity_of.get(record)
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.entity_of.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.entity_of.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> RecordId {
        RecordId::from(text)
    }

    #[test]
    fn events_serialize_with_an_event_tag() {
        let event = Event::Merged {
            entity: EntityId::numbered(1),
            absorbed: vec![EntityId::numbered(4)],
            records: vec![id("a"), id("b")],
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(
            json,
            r#"{"event":"merged","entity":"E00000001","absorbed":["E00000004"],"records":["a","b"]}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
        let json = serde_json::to_string(&Event::RecordAdded {
            entity: EntityId::numbered(2),
            record: id("c"),
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"event":"record_added","entity":"E00000002","record":"c"}"#
        );
    }
}
