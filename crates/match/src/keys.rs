//! Exact keys over normalized fields and their derived keys, for blocking and deterministic
//! rules.

use serde::{Deserialize, Serialize};

use sameas_core::{FieldKind, Schema};
use sameas_normalize::record::{FieldValue, NormalizedRecord};

use crate::MatchError;
use crate::compare::name::pinyin_parts;

/// One part of a key: a derived key (or `norm`) of one or more fields. With several fields
/// (two phone columns), a record has one key value per field that has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRef {
    /// Field names, as in the schema.
    pub fields: Vec<String>,
    /// `norm`, or a key the fields' kind derives (`e164`, `pinyin`, `year` …).
    pub key: String,
}

impl KeyRef {
    /// A key over one field.
    pub fn new(field: impl Into<String>, key: impl Into<String>) -> Self {
        KeyRef {
            fields: vec![field.into()],
            key: key.into(),
        }
    }
}

/// Keys derived here beyond the normalizer's: pinyin per name part, and a masked phone's
/// visible digits as one key.
fn match_keys(kind: FieldKind) -> &'static [&'static str] {
    match kind {
        FieldKind::Name => &["family_pinyin", "given_pinyin"],
        FieldKind::Phone => &["masked"],
        _ => &[],
    }
}

/// Keys a field kind offers beyond `norm`: the normalizer's derived keys
/// ([`sameas_normalize::record::key_names`]) and the pinyin and masked-digit keys above.
pub fn key_names(kind: FieldKind) -> impl Iterator<Item = &'static str> {
    sameas_normalize::record::key_names(kind)
        .iter()
        .chain(match_keys(kind))
        .copied()
}

/// A [`KeyRef`] checked against a schema.
#[derive(Debug, Clone)]
pub(crate) struct CompiledKey {
    fields: Vec<usize>,
    key: &'static str,
}

impl CompiledKey {
    pub(crate) fn compile(
        key: &KeyRef,
        schema: &Schema,
        context: &str,
    ) -> Result<Self, MatchError> {
        let mut fields = Vec::with_capacity(key.fields.len());
        let mut name: Option<&'static str> = None;
        for field in &key.fields {
            let index = schema
                .field_index(field)
                .ok_or_else(|| MatchError::UnknownField {
                    context: context.to_string(),
                    field: field.clone(),
                })?;
            let kind = schema.fields[index].kind;
            let found = std::iter::once("norm")
                .chain(key_names(kind))
                .find(|k| *k == key.key)
                .ok_or_else(|| MatchError::UnknownKey {
                    context: context.to_string(),
                    field: field.clone(),
                    key: key.key.clone(),
                })?;
            name = Some(found);
            fields.push(index);
        }
        let key =
            name.ok_or_else(|| MatchError::Config(format!("{context}: a key has no fields")))?;
        Ok(CompiledKey { fields, key })
    }

    /// Appends this key's values for `record` (none when the fields are empty).
    pub(crate) fn values(&self, record: &NormalizedRecord, out: &mut Vec<String>) {
        for &field in &self.fields {
            if let Some(value) = &record.fields[field].value {
                key_values(value, self.key, out);
            }
        }
        out.retain(|v| !v.is_empty());
    }
}

fn key_values(value: &FieldValue, key: &str, out: &mut Vec<String>) {
    if key == "norm" {
        out.push(value.norm());
        return;
    }
    match (value, key) {
        (FieldValue::Name(name), "pinyin") => {
            out.extend(name.pinyin.iter().cloned());
            out.extend(name.pinyin_variants.iter().cloned());
        }
        (FieldValue::Name(name), "family_pinyin") => {
            out.extend(pinyin_parts(name).0);
        }
        (FieldValue::Name(name), "given_pinyin") => {
            out.extend(pinyin_parts(name).1);
        }
        (FieldValue::Phone(phone), "masked") => {
            let keys = value.keys();
            let prefix = &keys[1].1;
            let suffix = &keys[2].1;
            if (phone.e164.is_some() || phone.masked.is_some())
                && (!prefix.is_empty() || !suffix.is_empty())
            {
                out.push(format!("{prefix}*{suffix}"));
            }
        }
        _ => {
            if let Some((_, v)) = value.keys().into_iter().find(|(k, _)| *k == key) {
                out.push(v);
            }
        }
    }
}

/// A rule's keys, compiled: a record's rule keys are the product of its values per part.
#[derive(Debug, Clone)]
pub(crate) struct CompiledKeys {
    parts: Vec<CompiledKey>,
}

/// Separates the parts of a composite key; no normalized value contains it.
const SEPARATOR: char = '\u{1f}';

impl CompiledKeys {
    pub(crate) fn compile(
        keys: &[KeyRef],
        schema: &Schema,
        context: &str,
    ) -> Result<Self, MatchError> {
        if keys.is_empty() {
            return Err(MatchError::Config(format!(
                "{context}: a rule needs at least one key"
            )));
        }
        let parts = keys
            .iter()
            .map(|k| CompiledKey::compile(k, schema, context))
            .collect::<Result<_, _>>()?;
        Ok(CompiledKeys { parts })
    }

    /// Every composite key of `record`, sorted and distinct.
    pub(crate) fn values(&self, record: &NormalizedRecord) -> Vec<String> {
        let mut combined = vec![String::new()];
        let mut part_values = Vec::new();
        for (i, part) in self.parts.iter().enumerate() {
            part_values.clear();
            part.values(record, &mut part_values);
            if part_values.is_empty() {
                return Vec::new();
            }
            let mut next = Vec::with_capacity(combined.len() * part_values.len());
            for prefix in &combined {
                for v in &part_values {
                    let mut s = String::with_capacity(prefix.len() + v.len() + 1);
                    s.push_str(prefix);
                    if i > 0 {
                        s.push(SEPARATOR);
                    }
                    s.push_str(v);
                    next.push(s);
                }
            }
            combined = next;
        }
        combined.sort_unstable();
        combined.dedup();
        combined
    }
}
