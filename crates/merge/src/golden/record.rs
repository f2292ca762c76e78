//! What survivorship produces: golden records with lineage, and the conflict log.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use sameas_core::{Channel, RecordId};

use super::SurvivorshipRule;

/// What decided a golden value: the first rule of the chain at which the winner strictly
/// beat the runner-up, or why no rule was needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DecidedBy {
    /// The field had one candidate value.
    OnlyValue,
    /// Every rule tied; the value held by the smallest record id won.
    TieBreak,
    /// [`SurvivorshipRule::ValidOnly`], or the masked / invalid gate every chain starts with.
    ValidOnly,
    /// [`SurvivorshipRule::MostRecent`].
    MostRecent,
    /// [`SurvivorshipRule::ChannelPriority`].
    ChannelPriority,
    /// [`SurvivorshipRule::MostFrequent`].
    MostFrequent,
    /// [`SurvivorshipRule::MostComplete`].
    MostComplete,
    /// [`SurvivorshipRule::Longest`].
    Longest,
    /// [`SurvivorshipRule::FromNationalId`].
    FromNationalId,
}

impl DecidedBy {
    /// The name as written in outputs (`most_recent`, `tie_break` …).
    pub fn as_str(self) -> &'static str {
        match self {
            DecidedBy::OnlyValue => "only_value",
            DecidedBy::TieBreak => "tie_break",
            DecidedBy::ValidOnly => "valid_only",
            DecidedBy::MostRecent => "most_recent",
            DecidedBy::ChannelPriority => "channel_priority",
            DecidedBy::MostFrequent => "most_frequent",
            DecidedBy::MostComplete => "most_complete",
            DecidedBy::Longest => "longest",
            DecidedBy::FromNationalId => "from_national_id",
        }
    }
}

impl From<SurvivorshipRule> for DecidedBy {
    fn from(rule: SurvivorshipRule) -> Self {
        match rule {
            SurvivorshipRule::ValidOnly => DecidedBy::ValidOnly,
            SurvivorshipRule::MostRecent => DecidedBy::MostRecent,
            SurvivorshipRule::ChannelPriority => DecidedBy::ChannelPriority,
            SurvivorshipRule::MostFrequent => DecidedBy::MostFrequent,
            SurvivorshipRule::MostComplete => DecidedBy::MostComplete,
            SurvivorshipRule::Longest => DecidedBy::Longest,
            SurvivorshipRule::FromNationalId => DecidedBy::FromNationalId,
        }
    }
}

impl fmt::Display for DecidedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far a candidate value can be trusted, best first: the best over the records holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueQuality {
    /// Read cleanly (repaired values included).
    Valid,
    /// Read, but flagged suspicious (an age over 120, a birth date that disagrees with the
    /// record's national id).
    Suspicious,
    /// Partly hidden by its source (`138****8000`): never wins over an unmasked value.
    Masked,
    /// Flagged invalid: never becomes a golden value.
    Invalid,
}

impl ValueQuality {
    /// The name as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueQuality::Valid => "valid",
            ValueQuality::Suspicious => "suspicious",
            ValueQuality::Masked => "masked",
            ValueQuality::Invalid => "invalid",
        }
    }

    /// Whether the value may stand in a multi-valued field's list: neither masked nor invalid.
    pub fn is_usable(self) -> bool {
        matches!(self, ValueQuality::Valid | ValueQuality::Suspicious)
    }
}

/// One entity's golden record: a value per schema field, each with its lineage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldenRecord {
    /// The entity.
    pub entity: String,
    /// The entity's records, sorted by id.
    pub records: Vec<RecordId>,
    /// The distinct channels of its records, sorted by label.
    pub channels: Vec<Channel>,
    /// One golden field per schema field, in schema order.
    pub fields: Vec<GoldenField>,
}

/// The golden value of one field and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldenField {
    /// The schema field's name (shared, so building a record does not copy it).
    pub field: Arc<str>,
    /// The normalized value; `None` when no record holds a usable one.
    pub value: Option<String>,
    /// Lineage: the record the value came from (for a value derived from a national id, the
    /// record holding the id).
    pub source: Option<RecordId>,
    /// The rule that decided; `None` when there is no value.
    pub rule: Option<DecidedBy>,
    /// Phones, e-mails and addresses: every distinct value that is neither masked nor
    /// invalid, ranked by the chain, winner first. Empty for other kinds.
    pub values: Vec<String>,
}

/// A field on which an entity's records disagree: two or more distinct normalized values
/// (a value derived from a national id counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The entity.
    pub entity: String,
    /// The field's name.
    pub field: Arc<str>,
    /// Every candidate value, ranked by the chain, winner first.
    pub candidates: Vec<Candidate>,
    /// The golden value; `None` when every candidate is invalid.
    pub winner: Option<String>,
    /// What decided (with no winner, [`DecidedBy::ValidOnly`]: it rejected them all).
    pub rule: DecidedBy,
}

/// One candidate value in the conflict log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The normalized value.
    pub value: String,
    /// The records holding it (for a derived value, the records holding the national id),
    /// sorted by id.
    pub records: Vec<RecordId>,
    /// The best quality among those records.
    pub quality: ValueQuality,
    /// Whether the value was derived from a national id rather than typed (it may be both).
    pub derived: bool,
}
