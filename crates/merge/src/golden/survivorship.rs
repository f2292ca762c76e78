//! The compiled survivorship rules: ranking each field's candidate values and building golden
//! records, the conflict log and `golden.csv` rows.

use std::cmp::Ordering;
use std::sync::Arc;

use sameas_core::{Channel, FieldKind, RecordId};
use sameas_normalize::date::NormalizedDate;
use sameas_normalize::name::NameScript;
use sameas_normalize::record::{FieldValue, NormalizedRecord};
use sameas_normalize::{Issue, IssueKind};

use super::{
    Candidate, Conflict, DecidedBy, GoldenField, GoldenRecord, SurvivorshipRule, ValueQuality,
};

/// The records golden records are built from: parallel slices indexed by record position
/// (the `u32` members of an entity).
#[derive(Debug, Clone, Copy)]
pub struct GoldenInput<'a> {
    /// Each record's id.
    pub ids: &'a [RecordId],
    /// Each record's channel.
    pub channels: &'a [Channel],
    /// Each record, normalized under the schema the survivorship rules were compiled for.
    pub records: &'a [NormalizedRecord],
}

/// Survivorship rules compiled against a schema: a rule chain per field. Building golden
/// records cannot fail.
#[derive(Debug, Clone, PartialEq)]
pub struct Survivorship {
    fields: Vec<CompiledField>,
    national_id_fields: Vec<usize>,
    channel_priority: Vec<Channel>,
}

/// One schema field's chain.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CompiledField {
    pub(super) name: Arc<str>,
    pub(super) kind: FieldKind,
    pub(super) rules: Vec<SurvivorshipRule>,
    pub(super) multi_valued: bool,
    /// Whether the chain brings in values derived from national ids.
    pub(super) from_national_id: bool,
}

/// One record of the entity being built, in record-id order.
struct Member<'a> {
    index: usize,
    id: &'a RecordId,
    channel_rank: usize,
    updated_at: Option<NormalizedDate>,
}

/// What the rules look at: for a candidate, aggregated over the records holding it; for one
/// record holding the winning value (to pick the source), that record's own.
#[derive(Debug, Clone, Copy)]
struct Features {
    quality: ValueQuality,
    /// Derived from a national id that is itself valid.
    from_valid_id: bool,
    latest: Option<NormalizedDate>,
    channel_rank: usize,
    count: u32,
    /// (parts present, Han script), see [`completeness`].
    completeness: (u32, u32),
    chars: u32,
}

/// A distinct normalized value of the field being built.
struct Value<'a> {
    norm: String,
    /// The first record's typed value: a later equal one is the same candidate without
    /// computing its norm (an allocation).
    typed: Option<&'a FieldValue>,
    features: Features,
    derived: bool,
    /// Position of the first (smallest-id) member holding it.
    first: usize,
}

/// One member holding one value (typed, derived from its national id, or both).
struct Holder {
    value: usize,
    member: usize,
    quality: ValueQuality,
    derived: bool,
    from_valid_id: bool,
}

/// Buffers reused across the fields of one entity.
struct Scratch<'a> {
    values: Vec<Value<'a>>,
    holders: Vec<Holder>,
    order: Vec<usize>,
}

impl Survivorship {
    pub(super) fn new(
        fields: Vec<CompiledField>,
        national_id_fields: Vec<usize>,
        channel_priority: Vec<Channel>,
    ) -> Self {
        Survivorship {
            fields,
            national_id_fields,
            channel_priority,
        }
    }

    /// The chain used for the field called `field`, if the schema has it.
    pub fn rules(&self, field: &str) -> Option<&[SurvivorshipRule]> {
        self.fields
            .iter()
            .find(|f| &*f.name == field)
            .map(|f| f.rules.as_slice())
    }

    /// The golden record of the entity made of `members` (positions in `input`), and one
    /// [`Conflict`] per field on which its records disagree. The result does not depend on
    /// the order of `members`; a repeated member counts once.
    ///
    /// # Panics
    /// When a member is out of range of `input`'s slices.
    pub fn golden(
        &self,
        input: &GoldenInput<'_>,
        entity: &str,
        members: &[u32],
    ) -> (GoldenRecord, Vec<Conflict>) {
        let mut people: Vec<Member<'_>> = members
            .iter()
            .map(|&m| {
                let index = m as usize;
                Member {
                    index,
                    id: &input.ids[index],
                    channel_rank: self.channel_rank(&input.channels[index]),
                    updated_at: input.records[index].updated_at,
                }
            })
            .collect();
        // Sorting by id first makes every later step independent of the members' order.
        people.sort_unstable_by(|a, b| a.id.cmp(b.id).then(a.index.cmp(&b.index)));
        people.dedup_by_key(|m| m.index);

        let mut channels: Vec<Channel> = people
            .iter()
            .map(|m| input.channels[m.index].clone())
            .collect();
        channels.sort_unstable_by(|a, b| a.label().cmp(b.label()));
        channels.dedup();

        let mut scratch = Scratch {
            values: Vec::with_capacity(people.len() + 1),
            holders: Vec::with_capacity(people.len() + 1),
            order: Vec::with_capacity(people.len() + 1),
        };
        let mut conflicts = Vec::new();
        let fields = self
            .fields
            .iter()
            .enumerate()
            .map(|(at, field)| {
                self.gather(input, &people, at, field, &mut scratch);
                self.decide(entity, &people, field, &mut scratch, &mut conflicts)
            })
            .collect();
        let golden = GoldenRecord {
            entity: entity.to_string(),
            records: people.iter().map(|m| m.id.clone()).collect(),
            channels,
            fields,
        };
        (golden, conflicts)
    }

    /// The `golden.csv` header: `entity_id,record_count,channels`, then per field `<field>`,
    /// `<field>.source` and, for phones, e-mails and addresses, `<field>.all`.
    pub fn headers(&self) -> Vec<String> {
        let mut headers = vec![
            "entity_id".to_string(),
            "record_count".to_string(),
            "channels".to_string(),
        ];
        for field in &self.fields {
            headers.push(field.name.to_string());
            headers.push(format!("{}.source", field.name));
            if field.multi_valued {
                headers.push(format!("{}.all", field.name));
            }
        }
        headers
    }

    /// The `golden.csv` cells of one golden record, matching [`headers`](Self::headers);
    /// absent values are empty cells and lists are `|`-joined.
    pub fn row(&self, golden: &GoldenRecord) -> Vec<String> {
        let channels: Vec<&str> = golden.channels.iter().map(Channel::label).collect();
        let mut row = vec![
            golden.entity.clone(),
            golden.records.len().to_string(),
            channels.join("|"),
        ];
        for (at, field) in self.fields.iter().enumerate() {
            let golden_field = golden.fields.get(at);
            row.push(
                golden_field
                    .and_then(|g| g.value.clone())
                    .unwrap_or_default(),
            );
            row.push(
                golden_field
                    .and_then(|g| g.source.as_ref())
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            );
            if field.multi_valued {
                row.push(golden_field.map(|g| g.values.join("|")).unwrap_or_default());
            }
        }
        row
    }

    fn channel_rank(&self, channel: &Channel) -> usize {
        self.channel_priority
            .iter()
            .position(|c| c == channel)
            .unwrap_or(self.channel_priority.len())
    }

    /// Collects the field's distinct values over the members into `scratch`.
    fn gather<'a>(
        &self,
        input: &GoldenInput<'a>,
        people: &[Member<'_>],
        at: usize,
        field: &CompiledField,
        scratch: &mut Scratch<'a>,
    ) {
        scratch.values.clear();
        scratch.holders.clear();
        for (position, member) in people.iter().enumerate() {
            let record = &input.records[member.index];
            if let Some(normalized) = record.get(at)
                && let Some(value) = &normalized.value
            {
                let holder = (quality(&normalized.issues), false, false);
                add(scratch, people, position, value, Some(value), holder);
            }
            if !field.from_national_id {
                continue;
            }
            for &id_at in &self.national_id_fields {
                let Some(normalized) = record.get(id_at) else {
                    continue;
                };
                let Some(FieldValue::NationalId(id)) = &normalized.value else {
                    continue;
                };
                let id_quality = quality(&normalized.issues);
                if id_quality == ValueQuality::Invalid {
                    continue;
                }
                let derived = match field.kind {
                    FieldKind::BirthDate => FieldValue::Date(NormalizedDate(id.birth_date)),
                    FieldKind::Gender => FieldValue::Gender(id.gender),
                    _ => continue,
                };
                let from_valid_id = id_quality == ValueQuality::Valid;
                add(
                    scratch,
                    people,
                    position,
                    &derived,
                    None,
                    (id_quality, true, from_valid_id),
                );
            }
        }
    }

    /// Ranks the gathered values, builds the golden field and logs a conflict if any.
    fn decide(
        &self,
        entity: &str,
        people: &[Member<'_>],
        field: &CompiledField,
        scratch: &mut Scratch<'_>,
        conflicts: &mut Vec<Conflict>,
    ) -> GoldenField {
        let Scratch {
            values,
            holders,
            order,
        } = scratch;
        order.clear();
        order.extend(0..values.len());
        let rules = field.rules.as_slice();
        order.sort_by(|&a, &b| {
            let (a, b) = (&values[a], &values[b]);
            rank(rules, &a.features, &b.features)
                .then(a.first.cmp(&b.first))
                .then_with(|| a.norm.cmp(&b.norm))
        });

        let mut golden = GoldenField {
            field: field.name.clone(),
            value: None,
            source: None,
            rule: None,
            values: Vec::new(),
        };
        let Some(&winner) = order.first() else {
            return golden;
        };
        let has_winner = values[winner].features.quality != ValueQuality::Invalid;
        let decided_by = match order.get(1) {
            None => DecidedBy::OnlyValue,
            Some(_) if !has_winner => DecidedBy::ValidOnly,
            Some(&runner_up) => {
                decided_by(rules, &values[winner].features, &values[runner_up].features)
            }
        };
        if field.multi_valued {
            golden.values = order
                .iter()
                .map(|&v| &values[v])
                .filter(|v| v.features.quality.is_usable())
                .map(|v| v.norm.clone())
                .collect();
        }
        if has_winner {
            let source = holders
                .iter()
                .filter(|h| h.value == winner)
                .min_by(|a, b| {
                    let (fa, fb) = (holder_features(a, people), holder_features(b, people));
                    rank(rules, &fa, &fb)
                        .then(fb.latest.cmp(&fa.latest))
                        .then(a.member.cmp(&b.member))
                })
                .map(|h| people[h.member].id.clone());
            golden.source = source;
            golden.rule = Some(decided_by);
            golden.value = Some(if values.len() == 1 {
                std::mem::take(&mut values[winner].norm)
            } else {
                values[winner].norm.clone()
            });
        }
        if values.len() > 1 {
            let candidates = order
                .iter()
                .map(|&v| {
                    let value = &mut values[v];
                    Candidate {
                        value: std::mem::take(&mut value.norm),
                        records: holders
                            .iter()
                            .filter(|h| h.value == v)
                            .map(|h| people[h.member].id.clone())
                            .collect(),
                        quality: value.features.quality,
                        derived: value.derived,
                    }
                })
                .collect();
            conflicts.push(Conflict {
                entity: entity.to_string(),
                field: field.name.clone(),
                candidates,
                winner: golden.value.clone(),
                rule: decided_by,
            });
        }
        golden
    }
}

/// Adds one member's value to the field's candidates: `typed` is the record's own value
/// (`None` for one derived from a national id, which lives only here), and
/// `(quality, derived, from_valid_id)` describe this holding.
fn add<'a>(
    scratch: &mut Scratch<'a>,
    people: &[Member<'_>],
    position: usize,
    value: &FieldValue,
    typed: Option<&'a FieldValue>,
    (quality, derived, from_valid_id): (ValueQuality, bool, bool),
) {
    let member = &people[position];
    // Equal values have equal norms: most records of an entity repeat a value, and comparing
    // the typed values spares computing (allocating) the norm again.
    let seen = scratch
        .values
        .iter()
        .position(|v| v.typed.is_some_and(|t| t == value));
    let at = match seen {
        Some(at) => at,
        None => {
            let norm = value.norm();
            match scratch.values.iter().position(|v| v.norm == norm) {
                Some(at) => at,
                None => {
                    // Neutral features: the holding below sets them.
                    let chars = u32::try_from(norm.chars().count()).unwrap_or(u32::MAX);
                    scratch.values.push(Value {
                        norm,
                        typed,
                        features: Features {
                            quality: ValueQuality::Invalid,
                            from_valid_id: false,
                            latest: None,
                            channel_rank: usize::MAX,
                            count: 0,
                            completeness: completeness(value),
                            chars,
                        },
                        derived: false,
                        first: position,
                    });
                    scratch.values.len() - 1
                }
            }
        }
    };
    let candidate = &mut scratch.values[at];
    let features = &mut candidate.features;
    features.quality = features.quality.min(quality);
    features.from_valid_id |= from_valid_id;
    features.latest = features.latest.max(member.updated_at);
    features.channel_rank = features.channel_rank.min(member.channel_rank);
    candidate.derived |= derived;
    // A record typing the value its own national id encodes holds it once.
    match scratch
        .holders
        .iter_mut()
        .find(|h| h.value == at && h.member == position)
    {
        Some(holder) => {
            holder.quality = holder.quality.min(quality);
            holder.derived |= derived;
            holder.from_valid_id |= from_valid_id;
        }
        None => {
            features.count += 1;
            scratch.holders.push(Holder {
                value: at,
                member: position,
                quality,
                derived,
                from_valid_id,
            });
        }
    }
}

/// One holding record's own features, for picking the source among the records holding the
/// winning value: count, completeness and length are the value's and so tie.
fn holder_features(holder: &Holder, people: &[Member<'_>]) -> Features {
    let member = &people[holder.member];
    Features {
        quality: holder.quality,
        from_valid_id: holder.from_valid_id,
        latest: member.updated_at,
        channel_rank: member.channel_rank,
        count: 0,
        completeness: (0, 0),
        chars: 0,
    }
}

/// The value's quality from its issues: the worst issue decides.
fn quality(issues: &[Issue]) -> ValueQuality {
    let has = |kind| issues.iter().any(|i| i.kind == kind);
    if has(IssueKind::Invalid) {
        ValueQuality::Invalid
    } else if has(IssueKind::Masked) {
        ValueQuality::Masked
    } else if has(IssueKind::Suspicious) {
        ValueQuality::Suspicious
    } else {
        ValueQuality::Valid
    }
}

/// The gate every chain starts with, whatever its rules: masked values rank below unmasked
/// ones and invalid values below everything, so a masked phone never wins over a full one.
fn gate(quality: ValueQuality) -> u8 {
    match quality {
        ValueQuality::Valid | ValueQuality::Suspicious => 0,
        ValueQuality::Masked => 1,
        ValueQuality::Invalid => 2,
    }
}

/// Orders two candidates by the gate, then the chain; `Less` means `a` ranks first.
fn rank(rules: &[SurvivorshipRule], a: &Features, b: &Features) -> Ordering {
    gate(a.quality).cmp(&gate(b.quality)).then_with(|| {
        rules
            .iter()
            .map(|&rule| by_rule(rule, a, b))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    })
}

/// Orders two candidates by one rule; `Less` means `a` ranks first.
fn by_rule(rule: SurvivorshipRule, a: &Features, b: &Features) -> Ordering {
    match rule {
        SurvivorshipRule::ValidOnly => a.quality.cmp(&b.quality),
        SurvivorshipRule::MostRecent => b.latest.cmp(&a.latest),
        SurvivorshipRule::ChannelPriority => a.channel_rank.cmp(&b.channel_rank),
        SurvivorshipRule::MostFrequent => b.count.cmp(&a.count),
        SurvivorshipRule::MostComplete => (b.completeness, b.chars).cmp(&(a.completeness, a.chars)),
        SurvivorshipRule::Longest => b.chars.cmp(&a.chars),
        SurvivorshipRule::FromNationalId => b.from_valid_id.cmp(&a.from_valid_id),
    }
}

/// The first step at which the winner strictly beats the runner-up.
fn decided_by(rules: &[SurvivorshipRule], winner: &Features, runner_up: &Features) -> DecidedBy {
    if gate(winner.quality) < gate(runner_up.quality) {
        return DecidedBy::ValidOnly;
    }
    rules
        .iter()
        .find(|&&rule| by_rule(rule, winner, runner_up).is_lt())
        .map_or(DecidedBy::TieBreak, |&rule| rule.into())
}

/// How complete a value is, as (parts present, written in Chinese characters).
///
/// Names: family name 2, given name 2 (a Latin given name of initials only 1, an
/// honorific-only name none), so 张伟 (4) beats 张先生 (2) and `john smith` beats `j smith`;
/// then a name in Chinese characters beats its romanisation, since the characters fix the
/// pinyin and not the reverse. Addresses: the number of parts present. Other kinds: the
/// number of derived keys present.
fn completeness(value: &FieldValue) -> (u32, u32) {
    let count = |present: &[bool]| present.iter().filter(|&&p| p).count() as u32;
    match value {
        FieldValue::Name(name) => {
            let family = name.family.as_deref().is_some_and(|f| !f.is_empty());
            let given = match name.given.as_deref() {
                Some(given) if !given.is_empty() && !name.honorific_only => {
                    let initials_only = name.script != NameScript::Han
                        && given.split(' ').all(|t| t.chars().count() <= 1);
                    if initials_only { 1 } else { 2 }
                }
                _ => 0,
            };
            (
                2 * u32::from(family) + given,
                u32::from(name.script == NameScript::Han),
            )
        }
        FieldValue::Address(a) => (
            count(&[
                a.province.is_some(),
                a.city.is_some(),
                a.district.is_some(),
                a.detail.is_some(),
                a.number.is_some(),
                a.street.is_some(),
                a.postcode.is_some(),
            ]),
            0,
        ),
        FieldValue::Phone(phone) => match (&phone.e164, &phone.masked) {
            (Some(_), _) => (3, 0),
            (None, Some(m)) => (count(&[!m.prefix.is_empty(), !m.suffix.is_empty()]), 0),
            (None, None) => (0, 0),
        },
        FieldValue::Email(e) => (
            count(&[
                !e.canonical.is_empty(),
                !e.local.is_empty(),
                !e.domain.is_empty(),
            ]),
            0,
        ),
        FieldValue::Date(_) | FieldValue::NationalId(_) => (3, 0),
        FieldValue::Gender(_) | FieldValue::Identifier(_) | FieldValue::Text(_) => (0, 0),
        other => (
            other.keys().iter().filter(|(_, v)| !v.is_empty()).count() as u32,
            0,
        ),
    }
}

#[cfg(test)]
mod tests {
    use sameas_core::{FieldPart, Schema, SourceColumn};
    use sameas_normalize::date::DateNormalizer;
    use sameas_normalize::name::NameNormalizer;
    use sameas_normalize::{NormalizeOptions, Normalized};

    use super::*;
    use crate::golden::SurvivorshipConfig;

    fn name(raw: &str) -> FieldValue {
        FieldValue::Name(Box::new(
            NameNormalizer::new().normalize(raw).value.unwrap(),
        ))
    }

    fn date(raw: &str) -> NormalizedDate {
        DateNormalizer::new(&NormalizeOptions::default())
            .normalize(raw)
            .value
            .unwrap()
    }

    #[test]
    fn complete_names_rank_above_partial_ones() {
        let full = completeness(&name("张伟"));
        assert!(full > completeness(&name("张先生")));
        assert!(
            full > completeness(&name("Zhang Wei")),
            "characters beat pinyin"
        );
        assert!(completeness(&name("John Smith")) > completeness(&name("J Smith")));
        assert!(completeness(&name("J Smith")) > completeness(&name("Mr Smith")));
        assert_eq!(
            completeness(&name("Mr Smith")),
            completeness(&name("Mrs Smith"))
        );
    }

    #[test]
    fn quality_takes_the_worst_issue() {
        let issue = |kind| Issue::new(kind, "test");
        assert_eq!(quality(&[]), ValueQuality::Valid);
        assert_eq!(quality(&[issue(IssueKind::Repaired)]), ValueQuality::Valid);
        assert_eq!(
            quality(&[issue(IssueKind::Suspicious), issue(IssueKind::Masked)]),
            ValueQuality::Masked
        );
        assert_eq!(
            quality(&[issue(IssueKind::Invalid), issue(IssueKind::Suspicious)]),
            ValueQuality::Invalid
        );
    }

    fn features(quality: ValueQuality) -> Features {
        Features {
            quality,
            from_valid_id: false,
            latest: None,
            channel_rank: 0,
            count: 1,
            completeness: (0, 0),
            chars: 1,
        }
    }

    #[test]
    fn each_rule_orders_its_feature() {
        let base = features(ValueQuality::Valid);
        let better = [
            (
                SurvivorshipRule::ValidOnly,
                features(ValueQuality::Valid),
                features(ValueQuality::Suspicious),
            ),
            (
                SurvivorshipRule::MostRecent,
                Features {
                    latest: Some(date("2025-01-01")),
                    ..base
                },
                base,
            ),
            (
                SurvivorshipRule::MostRecent,
                Features {
                    latest: Some(date("2025-01-02")),
                    ..base
                },
                Features {
                    latest: Some(date("2025-01-01")),
                    ..base
                },
            ),
            (
                SurvivorshipRule::ChannelPriority,
                base,
                Features {
                    channel_rank: 1,
                    ..base
                },
            ),
            (
                SurvivorshipRule::MostFrequent,
                Features { count: 2, ..base },
                base,
            ),
            (
                SurvivorshipRule::MostComplete,
                Features {
                    completeness: (1, 0),
                    chars: 0,
                    ..base
                },
                base,
            ),
            (
                SurvivorshipRule::MostComplete,
                Features { chars: 2, ..base },
                base,
            ),
            (
                SurvivorshipRule::Longest,
                Features { chars: 2, ..base },
                base,
            ),
            (
                SurvivorshipRule::FromNationalId,
                Features {
                    from_valid_id: true,
                    ..base
                },
                base,
            ),
        ];
        for (rule, winner, loser) in better {
            assert_eq!(by_rule(rule, &winner, &loser), Ordering::Less, "{rule:?}");
            assert_eq!(
                by_rule(rule, &loser, &winner),
                Ordering::Greater,
                "{rule:?}"
            );
            assert_eq!(decided_by(&[rule], &winner, &loser), DecidedBy::from(rule));
        }
        // The gate decides before any rule, and is reported as valid_only.
        let masked = Features {
            count: 9,
            ..features(ValueQuality::Masked)
        };
        let rules = [SurvivorshipRule::MostFrequent];
        assert_eq!(rank(&rules, &base, &masked), Ordering::Less);
        assert_eq!(decided_by(&rules, &base, &masked), DecidedBy::ValidOnly);
        assert_eq!(decided_by(&rules, &base, &base), DecidedBy::TieBreak);
        // Under valid_only, suspicious beats masked beats invalid.
        let order = [
            ValueQuality::Valid,
            ValueQuality::Suspicious,
            ValueQuality::Masked,
            ValueQuality::Invalid,
        ];
        for pair in order.windows(2) {
            let (a, b) = (features(pair[0]), features(pair[1]));
            assert_eq!(rank(&[SurvivorshipRule::ValidOnly], &a, &b), Ordering::Less);
        }
    }

    /// One text field; each record is `(id, value, issue, updated_at)`.
    fn text_entity(rows: &[(&str, &str, Option<IssueKind>, &str)]) -> (GoldenField, Vec<Conflict>) {
        text_entity_with(&SurvivorshipConfig::default(), rows)
    }

    fn text_entity_with(
        config: &SurvivorshipConfig,
        rows: &[(&str, &str, Option<IssueKind>, &str)],
    ) -> (GoldenField, Vec<Conflict>) {
        let mut schema = Schema::default();
        schema.push_field(
            "note",
            FieldKind::Text,
            vec![SourceColumn::new(1, "note", FieldPart::Full)],
        );
        let survivorship = config.compile(&schema).unwrap();
        let ids: Vec<RecordId> = rows.iter().map(|r| RecordId::from(r.0)).collect();
        let channels = vec![Channel::Pos; rows.len()];
        let records: Vec<NormalizedRecord> = rows
            .iter()
            .map(|&(_, value, issue, updated)| {
                NormalizedRecord::new(
                    vec![Normalized::with_issues(
                        FieldValue::Text(value.into()),
                        issue
                            .map(|kind| Issue::new(kind, "test"))
                            .into_iter()
                            .collect(),
                    )],
                    Some(date(updated)),
                )
            })
            .collect();
        let input = GoldenInput {
            ids: &ids,
            channels: &channels,
            records: &records,
        };
        let members: Vec<u32> = (0..rows.len() as u32).collect();
        let (mut golden, conflicts) = survivorship.golden(&input, "E", &members);
        (golden.fields.remove(0), conflicts)
    }

    #[test]
    fn invalid_values_never_win() {
        // The invalid value is the most recent: the default text chain would pick it.
        let (field, conflicts) = text_entity(&[
            ("1", "old", None, "2024-01-01"),
            ("2", "new", Some(IssueKind::Invalid), "2025-01-01"),
        ]);
        assert_eq!(field.value.as_deref(), Some("old"));
        assert_eq!(field.rule, Some(DecidedBy::ValidOnly));
        assert_eq!(conflicts[0].candidates[1].quality, ValueQuality::Invalid);

        let (field, conflicts) = text_entity(&[
            ("1", "a", Some(IssueKind::Invalid), "2024-01-01"),
            ("2", "b", Some(IssueKind::Invalid), "2025-01-01"),
        ]);
        assert_eq!((field.value, field.source, field.rule), (None, None, None));
        assert_eq!(conflicts[0].winner, None);
        assert_eq!(conflicts[0].rule, DecidedBy::ValidOnly);
        assert_eq!(conflicts[0].candidates.len(), 2);

        let (field, conflicts) = text_entity(&[("1", "a", Some(IssueKind::Invalid), "2024-01-01")]);
        assert_eq!(field.value, None);
        assert!(conflicts.is_empty());
    }

    #[test]
    fn a_value_is_as_good_as_its_best_record() {
        // "x" is suspicious in one record and clean in another; "y" is suspicious and newer.
        let rows = [
            ("1", "x", Some(IssueKind::Suspicious), "2024-01-01"),
            ("2", "x", None, "2024-01-01"),
            ("3", "y", Some(IssueKind::Suspicious), "2025-01-01"),
        ];
        let config = SurvivorshipConfig {
            fields: vec![crate::golden::FieldSurvivorship {
                field: "note".into(),
                rules: vec![SurvivorshipRule::ValidOnly, SurvivorshipRule::MostRecent],
            }],
            ..SurvivorshipConfig::default()
        };
        let (field, conflicts) = text_entity_with(&config, &rows);
        assert_eq!(field.value.as_deref(), Some("x"));
        assert_eq!(field.rule, Some(DecidedBy::ValidOnly));
        assert_eq!(conflicts[0].candidates[0].quality, ValueQuality::Valid);
        // The source is the record holding it cleanly, not the smallest id.
        assert_eq!(field.source.as_ref().map(RecordId::as_str), Some("2"));
        // The default text chain ignores validity beyond the gate: "y" is newer.
        let (field, _) = text_entity(&rows);
        assert_eq!(field.value.as_deref(), Some("y"));
        assert_eq!(field.rule, Some(DecidedBy::MostRecent));
    }
}
