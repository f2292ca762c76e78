//! Survivorship configuration: rule chains per field, channel priority, and compiling them
//! against a schema.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use sameas_core::{Channel, FieldKind, Schema};

use super::survivorship::{CompiledField, Survivorship};
use crate::MergeError;

/// One survivorship rule: an ordering of a field's candidate values. A chain of rules ranks
/// the candidates lexicographically, and the first candidate wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SurvivorshipRule {
    /// Valid values above suspicious ones, above masked ones, above invalid ones.
    ValidOnly,
    /// The value with the latest record update time (records without one rank lowest).
    MostRecent,
    /// The value held by the best channel in
    /// [`channel_priority`](SurvivorshipConfig::channel_priority); unlisted channels rank
    /// below listed ones.
    ChannelPriority,
    /// The value held by the most records.
    MostFrequent,
    /// The most complete value: a full name above a family name or an initial, an address
    /// with more parts, a value with more derived keys; then the longer one.
    MostComplete,
    /// The longer value, in characters.
    Longest,
    /// Birth date and gender: a value derived from a valid national id in one of the entity's
    /// records above typed values. Only for birth date and gender fields.
    FromNationalId,
}

impl SurvivorshipRule {
    /// The rule's name as written in configs, golden records and the conflict log.
    pub fn as_str(self) -> &'static str {
        match self {
            SurvivorshipRule::ValidOnly => "valid_only",
            SurvivorshipRule::MostRecent => "most_recent",
            SurvivorshipRule::ChannelPriority => "channel_priority",
            SurvivorshipRule::MostFrequent => "most_frequent",
            SurvivorshipRule::MostComplete => "most_complete",
            SurvivorshipRule::Longest => "longest",
            SurvivorshipRule::FromNationalId => "from_national_id",
        }
    }
}

/// The rule chain for one field, replacing the default chain of its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSurvivorship {
    /// The schema field's name.
    pub field: String,
    /// The chain, strongest rule first.
    pub rules: Vec<SurvivorshipRule>,
}

/// How golden records are built: the channel priority and per-field rule chains. Fields not
/// listed use [`SurvivorshipConfig::default_rules`] for their kind.
///
/// ```
/// use sameas_core::{FieldKind, FieldPart, Schema, SourceColumn};
/// use sameas_merge::golden::{FieldSurvivorship, SurvivorshipConfig, SurvivorshipRule};
///
/// let mut schema = Schema::default();
/// schema.push_field("email", FieldKind::Email, vec![SourceColumn::new(1, "email", FieldPart::Full)]);
/// let config = SurvivorshipConfig {
///     fields: vec![FieldSurvivorship {
///         field: "email".into(),
///         rules: vec![SurvivorshipRule::ValidOnly, SurvivorshipRule::MostRecent],
///     }],
///     ..SurvivorshipConfig::default()
/// };
/// let json = serde_json::to_string(&config).unwrap();
/// assert_eq!(serde_json::from_str::<SurvivorshipConfig>(&json).unwrap(), config);
/// let survivorship = config.compile(&schema).unwrap();
/// assert_eq!(survivorship.rules("email"), Some(&config.fields[0].rules[..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurvivorshipConfig {
    /// Channels from most to least trusted. The default puts the retailer's own channels
    /// above marketplaces: pos, app, mini_program, web, call_centre, marketplace.
    pub channel_priority: Vec<Channel>,
    /// Per-field chains; fields not listed use the default chain of their kind.
    pub fields: Vec<FieldSurvivorship>,
}

impl Default for SurvivorshipConfig {
    fn default() -> Self {
        SurvivorshipConfig {
            channel_priority: vec![
                Channel::Pos,
                Channel::App,
                Channel::MiniProgram,
                Channel::Web,
                Channel::CallCentre,
                Channel::Marketplace,
            ],
            fields: Vec::new(),
        }
    }
}

impl SurvivorshipConfig {
    /// The default chain for a field kind (see the [module docs](super) for why).
    ///
    /// ```
    /// use sameas_core::FieldKind;
    /// use sameas_merge::golden::{SurvivorshipConfig, SurvivorshipRule};
    ///
    /// let rules = SurvivorshipConfig::default_rules(FieldKind::BirthDate);
    /// assert_eq!(rules[0], SurvivorshipRule::FromNationalId);
    /// ```
    pub fn default_rules(kind: FieldKind) -> Vec<SurvivorshipRule> {
        use SurvivorshipRule::*;
        match kind {
            FieldKind::Name => vec![
                ValidOnly,
                MostComplete,
                MostFrequent,
                MostRecent,
                ChannelPriority,
            ],
            FieldKind::Phone | FieldKind::Email => {
                vec![ValidOnly, MostFrequent, MostRecent, ChannelPriority]
            }
            FieldKind::Address => vec![
                ValidOnly,
                MostComplete,
                MostRecent,
                MostFrequent,
                ChannelPriority,
            ],
            FieldKind::BirthDate | FieldKind::Gender => {
                vec![FromNationalId, ValidOnly, MostFrequent, MostRecent]
            }
            FieldKind::NationalId | FieldKind::Identifier => {
                vec![ValidOnly, MostFrequent, MostRecent]
            }
            _ => vec![MostRecent, MostFrequent, ChannelPriority],
        }
    }

    /// Checks the configuration against `schema` and fixes a rule chain for every field.
    ///
    /// # Errors
    /// [`MergeError::UnknownField`] when a chain names a field the schema lacks;
    /// [`MergeError::Config`] when a field is listed twice, a chain is empty or repeats a
    /// rule, `from_national_id` is given for a field that is neither a birth date nor a
    /// gender, or a channel is listed twice in the priority.
    pub fn compile(&self, schema: &Schema) -> Result<Survivorship, MergeError> {
        for (i, channel) in self.channel_priority.iter().enumerate() {
            if self.channel_priority[..i].contains(channel) {
                return Err(MergeError::Config(format!(
                    "survivorship: channel `{channel}` is listed twice in channel_priority"
                )));
            }
        }
        for (i, entry) in self.fields.iter().enumerate() {
            let Some(at) = schema.field_index(&entry.field) else {
                return Err(MergeError::UnknownField {
                    context: "survivorship".to_string(),
                    field: entry.field.clone(),
                });
            };
            if self.fields[..i].iter().any(|f| f.field == entry.field) {
                return Err(MergeError::Config(format!(
                    "survivorship: field `{}` is listed twice",
                    entry.field
                )));
            }
            if entry.rules.is_empty() {
                return Err(MergeError::Config(format!(
                    "survivorship: field `{}` has no rules",
                    entry.field
                )));
            }
            for (j, rule) in entry.rules.iter().enumerate() {
                if entry.rules[..j].contains(rule) {
                    return Err(MergeError::Config(format!(
                        "survivorship: field `{}` lists `{}` twice",
                        entry.field,
                        rule.as_str()
                    )));
                }
            }
            let kind = schema.fields[at].kind;
            if entry.rules.contains(&SurvivorshipRule::FromNationalId)
                && !matches!(kind, FieldKind::BirthDate | FieldKind::Gender)
            {
                return Err(MergeError::Config(format!(
                    "survivorship: `from_national_id` applies to birth date and gender fields, \
                     not to `{}` ({kind})",
                    entry.field
                )));
            }
        }
        let fields = schema
            .fields
            .iter()
            .map(|spec| {
                let rules = self
                    .fields
                    .iter()
                    .find(|f| f.field == spec.name)
                    .map(|f| f.rules.clone())
                    .unwrap_or_else(|| Self::default_rules(spec.kind));
                CompiledField {
                    name: Arc::from(spec.name.as_str()),
                    kind: spec.kind,
                    multi_valued: is_multi_valued(spec.kind),
                    from_national_id: rules.contains(&SurvivorshipRule::FromNationalId),
                    rules,
                }
            })
            .collect();
        Ok(Survivorship::new(
            fields,
            schema.fields_of_kind(FieldKind::NationalId).collect(),
            self.channel_priority.clone(),
        ))
    }
}

/// Kinds a person holds several of at once (two phones, a home and a work address): their
/// golden field keeps every distinct valid value.
pub(super) fn is_multi_valued(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Phone | FieldKind::Email | FieldKind::Address
    )
}
