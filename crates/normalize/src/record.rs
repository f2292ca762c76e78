//! Normalizing whole records under a schema, with cross-field checks (a typed birth date
//! against the one in a national id), and writing the normalized output columns.

use sameas_core::{FieldKind, Record, Schema, Value};
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::date::{DateNormalizer, NormalizedDate};
use crate::email::Email;
use crate::field::FieldNormalizer;
use crate::gender::Gender;
use crate::identifier::Identifier;
use crate::name::Name;
use crate::national_id::NationalId;
use crate::phone::{Phone, PhoneNormalizer};
use crate::{Issue, IssueKind, MatchKeys, NormalizeError, NormalizeOptions, Normalized};

/// The normalized value of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldValue {
    /// A name. Values larger than a boxed string are boxed, so that a stored field (value
    /// and [`Issues`](crate::Issues)) costs its record 40 bytes whatever its kind: at a
    /// million records the normalized values are the largest thing held.
    Name(Box<Name>),
    /// A phone (boxed, as names are).
    Phone(Box<Phone>),
    /// An e-mail address (boxed).
    Email(Box<Email>),
    /// An address (boxed).
    Address(Box<Address>),
    /// A date (birth date or other).
    Date(NormalizedDate),
    /// A gender.
    Gender(Gender),
    /// A Chinese national id (boxed).
    NationalId(Box<NationalId>),
    /// Any other identifier.
    Identifier(Identifier),
    /// Pass-through text, white space collapsed.
    Text(Box<str>),
}

impl FieldValue {
    fn typed(&self) -> Option<&dyn MatchKeys> {
        Some(match self {
            FieldValue::Name(v) => v.as_ref(),
            FieldValue::Phone(v) => v.as_ref(),
            FieldValue::Email(v) => v.as_ref(),
            FieldValue::Address(v) => v.as_ref(),
            FieldValue::Date(v) => v,
            FieldValue::Gender(v) => v,
            FieldValue::NationalId(v) => v.as_ref(),
            FieldValue::Identifier(v) => v,
            FieldValue::Text(_) => return None,
        })
    }

    /// The normalized value as written in `<field>.norm`.
    pub fn norm(&self) -> String {
        match self {
            FieldValue::Text(text) => text.to_string(),
            typed => typed.typed().map(MatchKeys::norm).unwrap_or_default(),
        }
    }

    /// The derived keys, as [`MatchKeys::keys`]; none for text.
    pub fn keys(&self) -> Vec<(&'static str, String)> {
        self.typed().map(MatchKeys::keys).unwrap_or_default()
    }
}

/// The derived key names written for a field kind, in output order.
pub fn key_names(kind: FieldKind) -> &'static [&'static str] {
    FieldNormalizer::key_names(kind)
}

/// Gives a normalized field's strings and vectors exactly the room they use, in fresh
/// allocations. A batch holds every record's values for the whole run, and values built by
/// pushing carry spare capacity (an issue list holds room for four, a string up to twice
/// its length); at a million records that slack and the scattered blocks it pins were a
/// fifth of the records' memory. New allocations rather than `shrink_to_fit`, which an
/// allocator may satisfy by keeping the larger block.
fn fit_field(field: &mut Normalized<FieldValue>) {
    match &mut field.value {
        Some(FieldValue::Email(email)) => {
            fit(&mut email.canonical);
            fit(&mut email.local);
            fit(&mut email.domain);
        }
        Some(FieldValue::NationalId(id)) => {
            fit(&mut id.id);
            fit(&mut id.region_code);
        }
        // A name's, a phone's and an address's strings are boxed, exactly their size.
        Some(
            FieldValue::Name(_)
            | FieldValue::Phone(_)
            | FieldValue::Address(_)
            | FieldValue::Date(_)
            | FieldValue::Gender(_)
            | FieldValue::Identifier(_)
            | FieldValue::Text(_),
        )
        | None => {}
    }
}

fn fit(text: &mut String) {
    if text.capacity() > text.len() {
        *text = text.as_str().to_owned();
    }
}

/// A record after normalization: one result per schema field, in schema order.
///
/// Only the fields that are not plainly missing are stored: most records lack most fields,
/// and at a million records their 40 bytes each were a quarter of the normalized values'
/// memory. [`field`](Self::field) hands back a shared "missing" result for the others.
///
/// ```
/// use sameas_normalize::{IssueKind, Normalized};
/// use sameas_normalize::record::{FieldValue, NormalizedRecord};
///
/// let record = NormalizedRecord::new(
///     vec![Normalized::missing(), Normalized::ok(FieldValue::Text("vip".into()))],
///     None,
/// );
/// assert!(record.field(0).has(IssueKind::Missing));
/// assert_eq!(record.field(1).value.as_ref().unwrap().norm(), "vip");
/// assert_eq!(record.field_count(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedRecord {
    /// The fields among the first 64 that are not plainly missing, then every later field,
    /// in schema order.
    stored: Box<[Normalized<FieldValue>]>,
    /// Bit `i`: whether field `i` (below 64) is stored.
    stored_bits: u64,
    field_count: u32,
    /// The record's update time, read as a date; `None` when absent or unreadable.
    pub updated_at: Option<NormalizedDate>,
}

/// The result of every field a record does not store.
static MISSING_FIELD: Normalized<FieldValue> = Normalized {
    value: None,
    issues: crate::Issues::missing(),
};

/// Fields past this position are stored whether missing or not.
const SPARSE_FIELDS: usize = 64;

/// Whether field `at` is stored in a record whose bits are `stored_bits`.
#[inline]
fn is_stored(stored_bits: u64, at: usize) -> bool {
    at >= SPARSE_FIELDS || stored_bits >> at & 1 == 1
}

impl NormalizedRecord {
    /// A record of `fields`, in schema order.
    pub fn new(fields: Vec<Normalized<FieldValue>>, updated_at: Option<NormalizedDate>) -> Self {
        let field_count = u32::try_from(fields.len()).expect("fewer than 2^32 fields");
        let stored_bits = fields
            .iter()
            .take(SPARSE_FIELDS)
            .enumerate()
            .filter(|(_, field)| !field.is_missing())
            .fold(0u64, |bits, (at, _)| bits | 1 << at);
        // Counted first, so the stored fields are allocated once, at their size.
        let count = (0..fields.len())
            .filter(|&at| is_stored(stored_bits, at))
            .count();
        let mut stored = Vec::with_capacity(count);
        stored.extend(
            fields
                .into_iter()
                .enumerate()
                .filter(|&(at, _)| is_stored(stored_bits, at))
                .map(|(_, field)| field),
        );
        NormalizedRecord {
            stored: stored.into_boxed_slice(),
            stored_bits,
            field_count,
            updated_at,
        }
    }

    /// A record of `field_count` missing fields.
    pub fn missing(field_count: usize) -> Self {
        NormalizedRecord::new(
            std::iter::repeat_with(Normalized::missing)
                .take(field_count)
                .collect(),
            None,
        )
    }

    /// The number of fields (the schema's).
    pub fn field_count(&self) -> usize {
        self.field_count as usize
    }

    /// Field `at`'s result.
    ///
    /// # Panics
    /// When `at` is not below [`field_count`](Self::field_count), as indexing a slice does.
    #[inline]
    pub fn field(&self, at: usize) -> &Normalized<FieldValue> {
        self.get(at)
            .unwrap_or_else(|| panic!("field {at} of a record of {} fields", self.field_count))
    }

    /// Field `at`'s result, `None` past the last field.
    #[inline]
    pub fn get(&self, at: usize) -> Option<&Normalized<FieldValue>> {
        if at >= self.field_count as usize {
            return None;
        }
        if at >= SPARSE_FIELDS {
            let before = self.stored_bits.count_ones() as usize;
            return Some(&self.stored[before + at - SPARSE_FIELDS]);
        }
        if !is_stored(self.stored_bits, at) {
            return Some(&MISSING_FIELD);
        }
        let before = (self.stored_bits & ((1u64 << at) - 1)).count_ones() as usize;
        Some(&self.stored[before])
    }

    /// Every field's result, in schema order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = &Normalized<FieldValue>> + Clone + '_ {
        // The stored fields are met in order: a running position, not a count of bits.
        let mut next_stored = 0;
        (0..self.field_count()).map(move |at| {
            if is_stored(self.stored_bits, at) {
                next_stored += 1;
                &self.stored[next_stored - 1]
            } else {
                &MISSING_FIELD
            }
        })
    }

    /// The stored fields with their positions, to change in place (a missing field has
    /// nothing to change).
    pub fn stored_fields_mut(
        &mut self,
    ) -> impl Iterator<Item = (usize, &mut Normalized<FieldValue>)> {
        let bits = self.stored_bits;
        (0..self.field_count())
            .filter(move |&at| is_stored(bits, at))
            .zip(self.stored.iter_mut())
    }

    /// Drops every field (the record has none afterwards): what a run that has built the
    /// record's golden record no longer needs.
    pub fn clear(&mut self) {
        self.stored = Box::default();
        self.stored_bits = 0;
        self.field_count = 0;
    }

    /// Every field's result, in schema order, owned.
    pub fn into_fields(self) -> Vec<Normalized<FieldValue>> {
        let field_count = self.field_count();
        let mut fields = Vec::with_capacity(field_count);
        let mut stored = self.stored.into_vec().into_iter();
        for at in 0..field_count {
            if is_stored(self.stored_bits, at) {
                fields.extend(stored.next());
            } else {
                fields.push(Normalized::missing());
            }
        }
        fields
    }

    /// Every issue with the position of its field.
    pub fn issues(&self) -> impl Iterator<Item = (usize, Issue)> + '_ {
        self.fields()
            .enumerate()
            .flat_map(|(i, f)| f.issues.iter().map(move |issue| (i, *issue)))
    }
}

/// The record as written: its fields in full, missing ones included.
impl Serialize for NormalizedRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Fields<'a>(&'a NormalizedRecord);
        impl Serialize for Fields<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.fields())
            }
        }
        let mut record = serializer.serialize_struct("NormalizedRecord", 2)?;
        record.serialize_field("fields", &Fields(self))?;
        record.serialize_field("updated_at", &self.updated_at)?;
        record.end()
    }
}

impl<'de> Deserialize<'de> for NormalizedRecord {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Written {
            fields: Vec<Normalized<FieldValue>>,
            updated_at: Option<NormalizedDate>,
        }
        let written = Written::deserialize(deserializer)?;
        Ok(NormalizedRecord::new(written.fields, written.updated_at))
    }
}

/// Normalizes records under one schema: one compiled normalizer per field (its kind's, see
/// the `field` module), built once; normalizing cannot fail afterwards.
///
/// ```
/// use sameas_core::Channel;
/// use sameas_normalize::NormalizeOptions;
/// use sameas_normalize::infer::{infer_schema, record_from_row};
/// use sameas_normalize::record::RecordNormalizer;
///
/// let schema = infer_schema(&["id", "姓名", "手机号"]).unwrap().schema;
/// let normalizer = RecordNormalizer::new(schema, NormalizeOptions::default()).unwrap();
/// let record = record_from_row(normalizer.schema(), &["1", "張偉", "138-0013-8000"], 1, &Channel::App);
/// let normalized = normalizer.normalize(&record);
/// assert_eq!(normalized.field(0).value.as_ref().unwrap().norm(), "张伟");
/// assert_eq!(normalized.field(1).value.as_ref().unwrap().norm(), "+8613800138000");
/// ```
#[derive(Debug)]
pub struct RecordNormalizer {
    schema: Schema,
    options: NormalizeOptions,
    /// Per schema field, its kind compiled.
    fields: Vec<FieldNormalizer>,
    /// Reads the records' update times.
    updated_at: DateNormalizer,
}

impl RecordNormalizer {
    /// Compiles the normalizers for `schema`.
    ///
    /// # Errors
    /// [`NormalizeError::UnknownRegion`] when the default phone region is unknown.
    pub fn new(schema: Schema, options: NormalizeOptions) -> Result<Self, NormalizeError> {
        let reference_date = options.reference_date();
        let options = NormalizeOptions {
            reference_date: Some(reference_date),
            ..options
        };
        // The region is checked whether or not the schema has a phone.
        PhoneNormalizer::new(&options.default_region)?;
        let fields = schema
            .fields
            .iter()
            .map(|spec| FieldNormalizer::compile(spec.kind, &options))
            .collect::<Result<_, _>>()?;
        Ok(RecordNormalizer {
            fields,
            updated_at: DateNormalizer::new(&options),
            schema,
            options,
        })
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The options, with the reference date fixed.
    pub fn options(&self) -> &NormalizeOptions {
        &self.options
    }

    /// Normalizes one record. Values over the length limit are flagged invalid, not parsed.
    pub fn normalize(&self, record: &Record) -> NormalizedRecord {
        let mut fields: Vec<Normalized<FieldValue>> = self
            .fields
            .iter()
            .zip(&record.fields)
            .map(|(field, value)| self.normalize_value(field, value))
            .collect();
        fields.resize_with(self.schema.fields.len(), Normalized::missing);
        self.cross_check(&mut fields);
        for field in &mut fields {
            fit_field(field);
        }
        let updated_at = record
            .updated_at
            .as_deref()
            .and_then(|raw| self.updated_at.normalize(raw).value);
        NormalizedRecord::new(fields, updated_at)
    }

    fn normalize_value(&self, field: &FieldNormalizer, value: &Value) -> Normalized<FieldValue> {
        let too_long = match value {
            Value::Missing => return Normalized::missing(),
            Value::Text(text) => text.len() > self.options.max_value_len,
            Value::Parts(parts) => parts
                .iter()
                .any(|(_, t)| t.len() > self.options.max_value_len),
            _ => false,
        };
        if too_long {
            return Normalized::invalid("value longer than the length limit");
        }
        match value {
            Value::Text(text) => field.normalize_field(text),
            Value::Parts(parts) => field.normalize_field_parts(parts),
            _ => Normalized::missing(),
        }
    }

    /// Flags a typed birth date or gender that disagrees with the record's national id.
    fn cross_check(&self, fields: &mut [Normalized<FieldValue>]) {
        let Some((birth_date, gender)) = fields.iter().find_map(|f| match &f.value {
            Some(FieldValue::NationalId(id)) => Some((id.birth_date, id.gender)),
            _ => None,
        }) else {
            return;
        };
        for (spec, field) in self.schema.fields.iter().zip(fields.iter_mut()) {
            let disagrees = match (&spec.kind, &field.value) {
                (FieldKind::BirthDate, Some(FieldValue::Date(date))) => date.0 != birth_date,
                (FieldKind::Gender, Some(FieldValue::Gender(g))) => *g != gender,
                _ => false,
            };
            if disagrees {
                let reason = if spec.kind == FieldKind::Gender {
                    "disagrees with the national id's gender"
                } else {
                    "disagrees with the national id's birth date"
                };
                field.issues.push(Issue::new(IssueKind::Suspicious, reason));
            }
        }
    }

    /// The normalized output columns, after the input columns: `<field>.norm` and
    /// `<field>.<key>` per recognised field. Pass-through text fields add none.
    pub fn output_headers(&self) -> Vec<String> {
        let mut headers = Vec::new();
        for spec in self
            .schema
            .fields
            .iter()
            .filter(|f| f.kind != FieldKind::Text)
        {
            headers.push(format!("{}.norm", spec.name));
            for key in key_names(spec.kind) {
                headers.push(format!("{}.{key}", spec.name));
            }
        }
        headers
    }

    /// Appends the cells for [`output_headers`](Self::output_headers).
    pub fn output_cells(&self, record: &NormalizedRecord, out: &mut Vec<String>) {
        for (spec, field) in self.schema.fields.iter().zip(record.fields()) {
            if spec.kind == FieldKind::Text {
                continue;
            }
            let names = key_names(spec.kind);
            match &field.value {
                Some(value) => {
                    out.push(value.norm());
                    let keys = value.keys();
                    for name in names {
                        let cell = keys.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
                        out.push(cell.unwrap_or_default());
                    }
                }
                None => out.extend(std::iter::repeat_n(String::new(), names.len() + 1)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::{infer_schema, record_from_row};
    use sameas_core::Channel;

    fn normalizer(headers: &[&str]) -> RecordNormalizer {
        let schema = infer_schema(headers).unwrap().schema;
        let options = NormalizeOptions {
            reference_date: Some(jiff::civil::date(2026, 11, 22)),
            ..NormalizeOptions::default()
        };
        RecordNormalizer::new(schema, options).unwrap()
    }

    /// No value, but more to say than "missing": a field a record must store.
    fn missing_with_a_further_issue() -> Normalized<FieldValue> {
        Normalized {
            value: None,
            issues: vec![
                Issue::new(IssueKind::Missing, "empty"),
                Issue::new(IssueKind::Suspicious, "a placeholder"),
            ]
            .into(),
        }
    }

    /// A field in one of the states a record holds: plainly missing, invalid, missing with
    /// a further issue, or a value.
    fn any_field() -> impl proptest::strategy::Strategy<Value = Normalized<FieldValue>> {
        use proptest::prelude::*;
        prop_oneof![
            3 => Just(Normalized::missing()),
            1 => Just(Normalized::invalid("unreadable")),
            1 => Just(missing_with_a_further_issue()),
            2 => "[a-z]{0,6}".prop_map(|text| Normalized::ok(FieldValue::Text(text.into()))),
        ]
    }

    proptest::proptest! {
        /// Whatever its fields, a record reads back field by field, in order and through
        /// serde as the list it was made from, and owns them back unchanged.
        #[test]
        fn any_record_reads_back_as_its_fields(
            fields in proptest::collection::vec(any_field(), 0..140),
        ) {
            let record = NormalizedRecord::new(fields.clone(), None);
            proptest::prop_assert_eq!(record.field_count(), fields.len());
            for (at, field) in fields.iter().enumerate() {
                proptest::prop_assert_eq!(record.field(at), field);
            }
            proptest::prop_assert!(record.fields().eq(fields.iter()));
            let read: NormalizedRecord =
                serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
            proptest::prop_assert_eq!(&read, &record);
            proptest::prop_assert_eq!(record.into_fields(), fields);
        }
    }

    /// Fields on both sides of the 64 kept sparsely, in every state: a record reads back as
    /// the dense list it was made from, through every accessor and through serde.
    #[test]
    fn a_sparse_record_reads_back_as_its_fields() {
        for field_count in [0, 1, 63, 64, 65, 130] {
            let fields: Vec<Normalized<FieldValue>> = (0..field_count)
                .map(|at| match at % 5 {
                    0 | 3 => Normalized::missing(),
                    1 => Normalized::invalid("unreadable"),
                    2 => Normalized::ok(FieldValue::Text(format!("v{at}").into())),
                    _ => missing_with_a_further_issue(),
                })
                .collect();
            let record = NormalizedRecord::new(fields.clone(), None);
            assert_eq!(record.field_count(), field_count);
            assert!(record.get(field_count).is_none());
            for (at, field) in fields.iter().enumerate() {
                assert_eq!(record.field(at), field, "field {at} of {field_count}");
            }
            assert!(record.fields().eq(fields.iter()));
            let json = serde_json::to_value(&record).unwrap();
            assert_eq!(json["fields"], serde_json::to_value(&fields).unwrap());
            let read: NormalizedRecord = serde_json::from_value(json).unwrap();
            assert_eq!(read, record);
            let mut changed = record.clone();
            for (at, field) in changed.stored_fields_mut() {
                assert!(
                    at >= SPARSE_FIELDS || !fields[at].is_missing(),
                    "missing field {at} stored"
                );
                field
                    .issues
                    .push(Issue::new(IssueKind::Suspicious, "changed"));
            }
            let changed = changed.into_fields();
            assert_eq!(changed.len(), field_count);
            for (at, (before, after)) in fields.iter().zip(&changed).enumerate() {
                let stored = at >= SPARSE_FIELDS || !before.is_missing();
                assert_eq!(after.has(IssueKind::Suspicious), stored, "field {at}");
                assert_eq!(after.value, before.value);
            }
        }
    }

    #[test]
    fn a_field_takes_forty_bytes_of_its_record() {
        // What each field a record stores costs it (see `FieldValue`).
        assert_eq!(std::mem::size_of::<Normalized<FieldValue>>(), 40);
    }

    #[test]
    fn key_names_match_what_values_emit() {
        let n = normalizer(&[
            "id",
            "name",
            "phone",
            "email",
            "address",
            "dob",
            "gender",
            "id_number",
            "member_no",
        ]);
        let row = [
            "1",
            "Robert Smith",
            "13800138000",
            "bob@gmail.com",
            "广东省深圳市南山区科技园路1号",
            "1990-01-02",
            "M",
            "11010519491231002X",
            "M-1",
        ];
        let record = record_from_row(n.schema(), &row, 1, &Channel::App);
        let normalized = n.normalize(&record);
        for (spec, field) in n.schema().fields.iter().zip(normalized.fields()) {
            let value = field
                .value
                .as_ref()
                .unwrap_or_else(|| panic!("{} unread", spec.name));
            let names: Vec<&str> = value.keys().iter().map(|(k, _)| *k).collect();
            assert_eq!(names, key_names(spec.kind), "{}", spec.name);
        }
        let mut cells = Vec::new();
        n.output_cells(&normalized, &mut cells);
        assert_eq!(cells.len(), n.output_headers().len());
    }

    #[test]
    fn national_id_derives_and_cross_checks() {
        let n = normalizer(&["id", "id_number", "birthday", "sex"]);
        let record = record_from_row(
            n.schema(),
            &["1", "11010519491231002X", "1949-12-30", "M"],
            1,
            &Channel::Pos,
        );
        let normalized = n.normalize(&record);
        let headers = n.output_headers();
        let mut cells = Vec::new();
        n.output_cells(&normalized, &mut cells);
        let at = headers
            .iter()
            .position(|h| h == "id_number.birth_date")
            .unwrap();
        assert_eq!(cells[at], "1949-12-31");
        let flagged: Vec<(usize, &str)> = normalized
            .issues()
            .filter(|(_, i)| i.kind == IssueKind::Suspicious)
            .map(|(f, i)| (f, i.reason))
            .collect();
        assert_eq!(
            flagged,
            vec![
                (1, "disagrees with the national id's birth date"),
                (2, "disagrees with the national id's gender")
            ]
        );
    }

    #[test]
    fn overlong_values_are_invalid_not_parsed() {
        let n = normalizer(&["id", "name"]);
        let long = "张".repeat(2000);
        let record = record_from_row(n.schema(), &["1", long.as_str()], 1, &Channel::Pos);
        let normalized = n.normalize(&record);
        assert!(normalized.field(0).value.is_none());
        assert!(normalized.field(0).has(IssueKind::Invalid));
    }

    #[test]
    fn split_name_columns_read_as_one_name() {
        let n = normalizer(&["rec_id", "given_name", "surname"]);
        let record = record_from_row(n.schema(), &["r", "伟", "張"], 1, &Channel::Pos);
        let normalized = n.normalize(&record);
        assert_eq!(normalized.field(0).value.as_ref().unwrap().norm(), "张伟");
    }
}
