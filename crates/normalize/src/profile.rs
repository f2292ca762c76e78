//! The data-quality profile: per channel and field, completeness, validity, distinct values,
//! the duplicate rate of strong identifiers, issue counts by kind, and a quality score
//! checked against a gate ([`QUALITY_GATE`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hash, Hasher};

use rayon::prelude::*;
use sameas_core::{FieldKind, Record, Schema};
use serde::Serialize;

use crate::IssueKind;
use crate::record::{FieldValue, NormalizedRecord};

/// The quality score a channel should reach: below it, the channel is flagged (a retailer's
/// rule pauses a channel flagged three runs running).
pub const QUALITY_GATE: f64 = 0.9;

/// The completeness from which a channel counts as collecting a field, for its quality
/// score: a field most of its records leave out is one the channel does not ask for.
pub const COLLECTED_FROM: f64 = 0.5;

/// The profile of one field within one channel (or all channels).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldProfile {
    /// The field's name.
    pub field: String,
    /// Its kind.
    pub kind: FieldKind,
    /// Records with a value (not missing).
    pub present: usize,
    /// Records whose value could be read.
    pub valid: usize,
    /// `present / records`.
    pub completeness: f64,
    /// `valid / present` (1 when nothing is present).
    pub validity: f64,
    /// Distinct normalized values among the valid ones (masked phones left out).
    pub distinct: usize,
    /// For strong identifiers (full phones, e-mails, national ids, other identifiers): the
    /// share of records with a valid value that share it with at least one other record.
    pub duplicate_rate: Option<f64>,
    /// Issue counts by kind; kinds with no issue are left out.
    pub issues: BTreeMap<IssueKind, usize>,
    /// The quality score: `completeness × validity`, the share of records with a usable
    /// value.
    pub quality: f64,
}

/// The profile of one channel, or of all records (`channel` = `all`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelProfile {
    /// The channel label.
    pub channel: String,
    /// Records in it.
    pub records: usize,
    /// One profile per compared field, in schema order.
    pub fields: Vec<FieldProfile>,
    /// The quality score: the mean field score over the fields the channel collects (filled
    /// in for at least [`COLLECTED_FROM`] of its records); a field it rarely or never fills
    /// does not count against it. 1 when it collects none.
    pub quality: f64,
    /// Whether `quality` reaches [`QUALITY_GATE`].
    pub meets_gate: bool,
}

/// A data-quality profile of a table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Profile {
    /// Records read.
    pub records: usize,
    /// Rows flagged as a whole (ragged rows).
    pub bad_rows: usize,
    /// All records first, then each channel by label.
    pub channels: Vec<ChannelProfile>,
}

#[derive(Default)]
struct FieldTally {
    present: usize,
    valid: usize,
    /// How many records carry each normalized value (by its hash).
    values: ValueCounts,
    /// Per issue kind, in the order of [`IssueKind::ALL`], the records whose field has it.
    issues: [usize; IssueKind::ALL.len()],
}

/// Fewest hashes gathered before they are merged into the counts.
const MIN_PENDING: usize = 1 << 16;

/// How many records carry each value, by the value's hash. Hashes are gathered, then a
/// batch at a time sorted and merged into a list of `(hash, records)` in hash order: memory
/// read in order, where a hash map over a million values touched a random slot per record
/// (a second of the 1M run's reading). A batch is merged once it holds a quarter as many
/// hashes as the list holds values (at least [`MIN_PENDING`]), so each value is merged a
/// bounded number of times, whatever the size of the data.
#[derive(Default)]
struct ValueCounts {
    /// `(hash, records)`, ascending by hash.
    counted: Vec<(u64, u32)>,
    /// Hashes not yet merged.
    pending: Vec<u64>,
}

impl ValueCounts {
    fn add(&mut self, hash: u64) {
        self.pending.push(hash);
        if self.pending.len() >= MIN_PENDING.max(self.counted.len() / 4) {
            self.merge();
        }
    }

    fn merge(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.pending.sort_unstable();
        let runs = self
            .pending
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u32));
        self.counted = merged_counts(&self.counted, runs, self.pending.len());
        self.pending.clear();
    }

    /// Every value's record count, in hash order.
    fn finish(mut self) -> Vec<(u64, u32)> {
        self.merge();
        self.counted
    }

    /// The counts of several merged tallies together: every hash once, its records
    /// summed.
    fn sum<'a>(parts: impl Iterator<Item = &'a [(u64, u32)]>) -> ValueCounts {
        let mut counted: Vec<(u64, u32)> = Vec::new();
        for part in parts {
            counted = merged_counts(&counted, part.iter().copied(), part.len());
        }
        ValueCounts {
            counted,
            pending: Vec::new(),
        }
    }
}

/// Two lists of `(hash, records)`, each ascending by hash with every hash once, as one
/// such list: a hash in both holds the records of both. `more` holds about `more_len`
/// entries.
fn merged_counts(
    counted: &[(u64, u32)],
    more: impl Iterator<Item = (u64, u32)>,
    more_len: usize,
) -> Vec<(u64, u32)> {
    let mut merged = Vec::with_capacity(counted.len() + more_len);
    let mut old = counted.iter().copied().peekable();
    for (hash, records) in more {
        while let Some(&(earlier, n)) = old.peek() {
            if earlier >= hash {
                break;
            }
            merged.push((earlier, n));
            old.next();
        }
        match old.peek() {
            Some(&(same, n)) if same == hash => {
                merged.push((hash, n + records));
                old.next();
            }
            _ => merged.push((hash, records)),
        }
    }
    merged.extend(old);
    merged
}

impl FieldTally {
    /// Counts one record's observation of the field, and the issues of its field at schema
    /// position `at`.
    ///
    /// The overall tally leaves the values out (`with_value`): they are its channels'
    /// counts summed at the end, not counted twice.
    fn count(
        &mut self,
        observation: &Observation,
        normalized: &NormalizedRecord,
        at: usize,
        with_value: bool,
    ) {
        self.present += usize::from(observation.present);
        self.valid += usize::from(observation.valid);
        if let Some(hash) = observation.hash.filter(|_| with_value) {
            self.values.add(hash);
        }
        for issue in normalized.get(at).map_or(&[][..], |f| &f.issues) {
            self.issues[issue.kind.position()] += 1;
        }
    }
}

/// The tally of channel `channel`, started empty at its first record.
fn channel_tally<'a>(
    by_channel: &'a mut BTreeMap<String, ChannelTally>,
    channel: &str,
) -> &'a mut ChannelTally {
    if !by_channel.contains_key(channel) {
        by_channel.insert(channel.to_string(), ChannelTally::default());
    }
    by_channel.get_mut(channel).expect("inserted above")
}

#[derive(Default)]
struct ChannelTally {
    records: usize,
    fields: Vec<FieldTally>,
}

/// Accumulates a [`Profile`] one record at a time.
///
/// ```
/// use sameas_core::Channel;
/// use sameas_normalize::NormalizeOptions;
/// use sameas_normalize::infer::{infer_schema, record_from_row};
/// use sameas_normalize::profile::ProfileBuilder;
/// use sameas_normalize::record::RecordNormalizer;
///
/// let schema = infer_schema(&["id", "phone"]).unwrap().schema;
/// let normalizer = RecordNormalizer::new(schema.clone(), NormalizeOptions::default()).unwrap();
/// let mut builder = ProfileBuilder::new(&schema);
/// for (i, phone) in ["13800138000", "138-0013-8000", "", "12345"].iter().enumerate() {
///     let id = i.to_string();
///     let record = record_from_row(&schema, &[id.as_str(), phone], i as u64 + 1, &Channel::App);
///     builder.add(&record, &normalizer.normalize(&record), false);
/// }
/// let profile = builder.finish();
/// let phone = &profile.channels[0].fields[0];
/// assert_eq!((phone.present, phone.valid, phone.distinct), (3, 2, 1));
/// assert_eq!(phone.duplicate_rate, Some(1.0));
/// assert_eq!(phone.issues[&sameas_normalize::IssueKind::Invalid], 1);
/// // 3 of 4 present, 2 of those 3 valid: half the records have a usable phone.
/// assert_eq!(phone.quality, 0.5);
/// assert!(!profile.channels[0].meets_gate);
/// ```
pub struct ProfileBuilder {
    /// Profiled fields: (schema position, name, kind). Pass-through text is left out.
    fields: Vec<(usize, String, FieldKind)>,
    all: ChannelTally,
    by_channel: BTreeMap<String, ChannelTally>,
    bad_rows: usize,
    hasher: foldhash::fast::FixedState,
}

/// What one record says about one field.
struct Observation {
    present: bool,
    valid: bool,
    hash: Option<u64>,
}

impl ProfileBuilder {
    /// A builder for records of `schema`. Pass-through text fields are not profiled.
    pub fn new(schema: &Schema) -> Self {
        ProfileBuilder {
            fields: schema
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.kind != FieldKind::Text)
                .map(|(i, f)| (i, f.name.clone(), f.kind))
                .collect(),
            all: ChannelTally::default(),
            by_channel: BTreeMap::new(),
            bad_rows: 0,
            hasher: foldhash::fast::FixedState::with_seed(0x005a_3ea5),
        }
    }

    /// Adds one record and its normalized form; `bad_row` marks a row flagged as a whole.
    pub fn add(&mut self, record: &Record, normalized: &NormalizedRecord, bad_row: bool) {
        self.add_normalized(record.channel.label(), normalized, bad_row);
    }

    /// Adds one normalized record of channel `channel` (its label); `bad_row` marks a row
    /// flagged as a whole.
    pub fn add_normalized(&mut self, channel: &str, normalized: &NormalizedRecord, bad_row: bool) {
        let observations = self.observe(normalized);
        self.tally(channel, normalized, bad_row, &observations);
    }

    /// Adds many normalized records, each as `(channel label, record, bad row)`, as
    /// [`add_normalized`](Self::add_normalized) one by one would; their values are read and
    /// hashed in parallel, a chunk at a time, and each field is counted on its own thread.
    pub fn add_all<'a>(&mut self, rows: &[(&'a str, &'a NormalizedRecord, bool)]) {
        const CHUNK: usize = 65_536;
        for chunk in rows.chunks(CHUNK) {
            let observed: Vec<Vec<Observation>> = chunk
                .par_iter()
                .map(|&(_, normalized, _)| self.observe(normalized))
                .collect();
            // Each channel's records of the chunk, channels in order of first appearance.
            let mut by_channel: Vec<(&str, Vec<usize>)> = Vec::new();
            for (i, &(channel, _, bad_row)) in chunk.iter().enumerate() {
                self.bad_rows += usize::from(bad_row);
                match by_channel.iter_mut().find(|(c, _)| *c == channel) {
                    Some((_, members)) => members.push(i),
                    None => by_channel.push((channel, vec![i])),
                }
            }
            let all: Vec<usize> = (0..chunk.len()).collect();
            let fields = &self.fields;
            let count = |tally: &mut ChannelTally, members: &[usize], with_values: bool| {
                tally.records += members.len();
                tally.fields.resize_with(fields.len(), FieldTally::default);
                tally
                    .fields
                    .par_iter_mut()
                    .enumerate()
                    .for_each(|(f, field_tally)| {
                        for &i in members {
                            field_tally.count(
                                &observed[i][f],
                                chunk[i].1,
                                fields[f].0,
                                with_values,
                            );
                        }
                    });
            };
            count(&mut self.all, &all, false);
            for (channel, members) in &by_channel {
                count(channel_tally(&mut self.by_channel, channel), members, true);
            }
        }
    }

    /// What `normalized` says about each profiled field.
    fn observe(&self, normalized: &NormalizedRecord) -> Vec<Observation> {
        self.fields
            .iter()
            .map(|&(at, _, _)| {
                let Some(field) = normalized.get(at) else {
                    return Observation {
                        present: false,
                        valid: false,
                        hash: None,
                    };
                };
                let present = !field.has(IssueKind::Missing);
                let valid = field.value.is_some() && !field.has(IssueKind::Invalid);
                let hash = field
                    .value
                    .as_ref()
                    .filter(|_| valid)
                    .and_then(|v| self.hash(v));
                Observation {
                    present,
                    valid,
                    hash,
                }
            })
            .collect()
    }

    /// Counts one record's observations into its channel's tally and the overall one.
    fn tally(
        &mut self,
        channel: &str,
        normalized: &NormalizedRecord,
        bad_row: bool,
        observations: &[Observation],
    ) {
        self.bad_rows += usize::from(bad_row);
        let channel = channel_tally(&mut self.by_channel, channel);
        for (tally, with_values) in [(&mut self.all, false), (channel, true)] {
            tally.records += 1;
            tally
                .fields
                .resize_with(observations.len(), FieldTally::default);
            for (i, (obs, field_tally)) in observations.iter().zip(&mut tally.fields).enumerate() {
                field_tally.count(obs, normalized, self.fields[i].0, with_values);
            }
        }
    }

    /// The hash of the value's identity; `None` for a masked phone, which identifies no one.
    fn hash(&self, value: &FieldValue) -> Option<u64> {
        let mut hasher = self.hasher.build_hasher();
        match value {
            FieldValue::Phone(phone) => phone.e164.as_deref()?.hash(&mut hasher),
            other => other.norm().hash(&mut hasher),
        }
        Some(hasher.finish())
    }

    /// The finished profile.
    pub fn finish(self) -> Profile {
        let fields = &self.fields;
        let build = |channel: String, tally: ChannelTally| {
            let fields: Vec<FieldProfile> = fields
                .iter()
                .zip(tally.fields)
                .map(|((_, name, kind), t)| field_profile(name, *kind, tally.records, t))
                .collect();
            let collected: Vec<f64> = fields
                .iter()
                .filter(|f| f.present > 0 && f.completeness >= COLLECTED_FROM)
                .map(|f| f.quality)
                .collect();
            let quality = if collected.is_empty() {
                1.0
            } else {
                collected.iter().sum::<f64>() / collected.len() as f64
            };
            ChannelProfile {
                channel,
                records: tally.records,
                fields,
                quality,
                meets_gate: quality >= QUALITY_GATE,
            }
        };
        let (mut all, mut by_channel) = (self.all, self.by_channel);
        by_channel
            .values_mut()
            .flat_map(|tally| tally.fields.iter_mut())
            .par_bridge()
            .for_each(|field| field.values.merge());
        all.fields.resize_with(fields.len(), FieldTally::default);
        all.fields
            .par_iter_mut()
            .enumerate()
            .for_each(|(f, field)| {
                field.values = ValueCounts::sum(
                    by_channel
                        .values()
                        .filter_map(|tally| tally.fields.get(f))
                        .map(|t| t.values.counted.as_slice()),
                );
            });
        let records = all.records;
        let mut channels = vec![build("all".to_string(), all)];
        channels.extend(
            by_channel
                .into_iter()
                .map(|(label, tally)| build(label, tally)),
        );
        Profile {
            records,
            bad_rows: self.bad_rows,
            channels,
        }
    }
}

fn is_strong_identifier(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Phone | FieldKind::Email | FieldKind::NationalId | FieldKind::Identifier
    )
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

fn field_profile(name: &str, kind: FieldKind, records: usize, tally: FieldTally) -> FieldProfile {
    let values = tally.values.finish();
    let shared: usize = values
        .iter()
        .filter(|&&(_, n)| n > 1)
        .map(|&(_, n)| n as usize)
        .sum();
    let identified: usize = values.iter().map(|&(_, n)| n as usize).sum();
    let completeness = ratio(tally.present, records);
    let validity = ratio(tally.valid, tally.present);
    FieldProfile {
        field: name.to_string(),
        kind,
        present: tally.present,
        valid: tally.valid,
        completeness,
        validity,
        distinct: values.len(),
        // No value, no duplicate.
        duplicate_rate: is_strong_identifier(kind).then(|| {
            if identified == 0 {
                0.0
            } else {
                ratio(shared, identified)
            }
        }),
        issues: IssueKind::ALL
            .into_iter()
            .zip(tally.issues)
            .filter(|&(_, n)| n > 0)
            .collect(),
        quality: completeness * validity,
    }
}

impl Profile {
    /// The profile as a plain-text table, one block per channel.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} records, {} bad rows", self.records, self.bad_rows);
        for channel in &self.channels {
            let _ = writeln!(
                out,
                "\nchannel {} ({} records, quality {:.1}%{})",
                channel.channel,
                channel.records,
                channel.quality * 100.0,
                if channel.meets_gate {
                    String::new()
                } else {
                    format!(", below the {:.0}% gate", QUALITY_GATE * 100.0)
                }
            );
            let _ = writeln!(
                out,
                "  {:<20} {:<11} {:>8} {:>7} {:>9} {:>6} {:>8} {:>8} {:>10} {:>9} {:>7}",
                "field",
                "kind",
                "complete",
                "valid",
                "distinct",
                "dup",
                "missing",
                "invalid",
                "suspicious",
                "repaired",
                "masked"
            );
            for f in &channel.fields {
                let count = |k| f.issues.get(&k).copied().unwrap_or(0);
                let dup = f
                    .duplicate_rate
                    .map_or("-".to_string(), |d| format!("{:.1}%", d * 100.0));
                let _ = writeln!(
                    out,
                    "  {:<20} {:<11} {:>7.1}% {:>6.1}% {:>9} {:>6} {:>8} {:>8} {:>10} {:>9} {:>7}",
                    truncate(&f.field, 20),
                    f.kind.as_str(),
                    f.completeness * 100.0,
                    f.validity * 100.0,
                    f.distinct,
                    dup,
                    count(IssueKind::Missing),
                    count(IssueKind::Invalid),
                    count(IssueKind::Suspicious),
                    count(IssueKind::Repaired),
                    count(IssueKind::Masked),
                );
            }
        }
        out
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use sameas_core::Channel;

    use super::*;
    use crate::NormalizeOptions;
    use crate::infer::{infer_schema, record_from_row};
    use crate::record::RecordNormalizer;

    #[test]
    fn value_counts_across_many_merges_equal_a_plain_count() {
        // Enough values for several merges, a quarter of them repeated across merges.
        let mut counts = ValueCounts::default();
        let mut expected: std::collections::BTreeMap<u64, u32> = Default::default();
        let mut state = 7u64;
        for i in 0..(5 * MIN_PENDING as u64) {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let hash = if i % 4 == 0 { state % 1000 } else { state };
            counts.add(hash);
            *expected.entry(hash).or_default() += 1;
        }
        let expected: Vec<(u64, u32)> = expected.into_iter().collect();
        assert_eq!(counts.finish(), expected);
        assert!(ValueCounts::default().finish().is_empty());
    }

    #[test]
    fn adding_all_at_once_equals_adding_one_by_one() {
        let schema = infer_schema(&["id", "name", "phone", "email"])
            .unwrap()
            .schema;
        let normalizer =
            RecordNormalizer::new(schema.clone(), NormalizeOptions::default()).unwrap();
        let phones = ["13800138000", "138-0013-8000", "", "12345", "139****0000"];
        let names = ["张伟", "Zhang Wei", "", "李娜"];
        let channels = [Channel::App, Channel::Pos, Channel::App];
        let mut records = Vec::new();
        for i in 0..70_000usize {
            let id = i.to_string();
            let email = format!("u{}@example.com", i % 7);
            let row = [
                id.as_str(),
                names[i % names.len()],
                phones[i % phones.len()],
                email.as_str(),
            ];
            let channel = &channels[i % channels.len()];
            let record = record_from_row(&schema, &row, i as u64 + 1, channel);
            records.push((
                channel.label().to_string(),
                normalizer.normalize(&record),
                i % 11 == 0,
            ));
        }
        let mut one_by_one = ProfileBuilder::new(&schema);
        for (channel, record, bad) in &records {
            one_by_one.add_normalized(channel, record, *bad);
        }
        let rows: Vec<(&str, &NormalizedRecord, bool)> = records
            .iter()
            .map(|(channel, record, bad)| (channel.as_str(), record, *bad))
            .collect();
        let mut at_once = ProfileBuilder::new(&schema);
        at_once.add_all(&rows);
        let expected = one_by_one.finish();
        assert_eq!(expected.channels.len(), 3);
        assert_eq!(at_once.finish(), expected);
    }

    /// The whole table's value counts are its channels' together: a phone two channels
    /// each hold once is one value held twice overall.
    #[test]
    fn the_whole_tables_values_are_its_channels_together() {
        let schema = infer_schema(&["id", "phone"]).unwrap().schema;
        let normalizer =
            RecordNormalizer::new(schema.clone(), NormalizeOptions::default()).unwrap();
        let rows = [
            ("13800138000", Channel::App),
            ("13900139000", Channel::App),
            ("138-0013-8000", Channel::Pos),
            ("13700137000", Channel::Pos),
            ("13700137000", Channel::Pos),
        ];
        let mut builder = ProfileBuilder::new(&schema);
        for (i, (phone, channel)) in rows.iter().enumerate() {
            let id = i.to_string();
            let record = record_from_row(&schema, &[id.as_str(), phone], i as u64 + 1, channel);
            builder.add(&record, &normalizer.normalize(&record), false);
        }
        let profile = builder.finish();
        let phone = |channel: usize| {
            profile.channels[channel]
                .fields
                .iter()
                .find(|f| f.field == "phone")
                .unwrap()
                .clone()
        };
        let all = phone(0);
        assert_eq!(profile.channels[0].channel, "all");
        assert_eq!(all.distinct, 3);
        // Four of the five phones are held by another record.
        assert_eq!(all.duplicate_rate, Some(0.8));
        let per_channel: Vec<usize> = (1..3).map(|c| phone(c).distinct).collect();
        assert_eq!(per_channel, [2, 2]);
    }
}
