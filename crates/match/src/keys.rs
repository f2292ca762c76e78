//! Exact keys over normalized fields and their derived keys, for blocking and deterministic
//! rules.

use std::hash::BuildHasher;

use serde::{Deserialize, Serialize};

use sameas_core::{FieldKind, Schema};
use sameas_normalize::address::postcode_key;
use sameas_normalize::record::{FieldValue, NormalizedRecord};

use crate::MatchError;
use crate::compare::name::pinyin_parts;
use crate::compare::string::compared_text;
use crate::incremental::KEY_HASH_SEED;

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

/// Keys derived here beyond the normalizer's: pinyin per name part, a masked phone's
/// visible digits as one key, and a phone's national digits (which meet across the country
/// codes that two readings of one number gave).
fn match_keys(kind: FieldKind) -> &'static [&'static str] {
    match kind {
        FieldKind::Name => &["family_pinyin", "given_pinyin"],
        FieldKind::Phone => &["masked", "national"],
        FieldKind::Identifier => &["one_deleted"],
        _ => &[],
    }
}

/// Identifiers shorter than this get no `one_deleted` keys: among a few characters a value
/// one edit away is as likely another person's identifier as a typo of this one.
const MIN_ONE_DELETED_LEN: usize = 6;

/// Keys a field kind offers beyond `norm`: the normalizer's derived keys
/// ([`sameas_normalize::record::key_names`]) and the pinyin and masked-digit keys above.
pub fn key_names(kind: FieldKind) -> impl Iterator<Item = &'static str> {
    sameas_normalize::record::key_names(kind)
        .iter()
        .chain(match_keys(kind))
        .copied()
}

/// A [`KeyRef`] checked against a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompiledKey {
    fields: Vec<usize>,
    key: KeySource,
}

/// Where a key's value comes from, resolved once so that extracting it per record reads
/// the typed value directly instead of building every derived key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeySource {
    Norm,
    Family,
    Given,
    Pinyin,
    FamilyPinyin,
    GivenPinyin,
    Phonetic,
    Nickname,
    E164,
    National,
    Masked,
    MaskedPrefix,
    MaskedSuffix,
    Canonical,
    Local,
    Domain,
    Province,
    City,
    District,
    Detail,
    Number,
    Street,
    Postcode,
    Year,
    Month,
    Day,
    /// An identifier with one character left out, one key per position: two values one
    /// substitution apart share the key that leaves out the substituted character.
    OneDeleted,
    /// Any other derived key, read from [`FieldValue::keys`].
    Derived(&'static str),
}

impl KeySource {
    fn of(kind: FieldKind, key: &'static str) -> KeySource {
        use KeySource::*;
        match (kind, key) {
            (_, "norm") => Norm,
            (FieldKind::Name, "family") => Family,
            (FieldKind::Name, "given") => Given,
            (FieldKind::Name, "pinyin") => Pinyin,
            (FieldKind::Name, "family_pinyin") => FamilyPinyin,
            (FieldKind::Name, "given_pinyin") => GivenPinyin,
            (FieldKind::Name, "phonetic") => Phonetic,
            (FieldKind::Name, "nickname") => Nickname,
            (FieldKind::Phone, "e164") => E164,
            (FieldKind::Phone, "national") => National,
            (FieldKind::Phone, "masked") => Masked,
            (FieldKind::Phone, "masked_prefix") => MaskedPrefix,
            (FieldKind::Phone, "masked_suffix") => MaskedSuffix,
            (FieldKind::Email, "canonical") => Canonical,
            (FieldKind::Email, "local") => Local,
            (FieldKind::Email, "domain") => Domain,
            (FieldKind::Address, "province") => Province,
            (FieldKind::Address, "city") => City,
            (FieldKind::Address, "district") => District,
            (FieldKind::Address, "detail") => Detail,
            (FieldKind::Address, "number") => Number,
            (FieldKind::Address, "street") => Street,
            (FieldKind::Address, "postcode") => Postcode,
            (FieldKind::BirthDate | FieldKind::Date, "year") => Year,
            (FieldKind::BirthDate | FieldKind::Date, "month") => Month,
            (FieldKind::BirthDate | FieldKind::Date, "day") => Day,
            (FieldKind::Identifier, "one_deleted") => OneDeleted,
            (_, other) => Derived(other),
        }
    }
}

impl CompiledKey {
    pub(crate) fn compile(
        key: &KeyRef,
        schema: &Schema,
        context: &str,
    ) -> Result<Self, MatchError> {
        let mut fields = Vec::with_capacity(key.fields.len());
        let mut source: Option<KeySource> = None;
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
            let this = KeySource::of(kind, found);
            if source.is_some_and(|s| s != this) {
                return Err(MatchError::Config(format!(
                    "{context}: the fields of one key must be of one kind"
                )));
            }
            source = Some(this);
            fields.push(index);
        }
        let key =
            source.ok_or_else(|| MatchError::Config(format!("{context}: a key has no fields")))?;
        Ok(CompiledKey { fields, key })
    }

    /// The hashes of this key's values for `record`, sorted and distinct, in `out`.
    fn value_hashes(&self, record: &NormalizedRecord, out: &mut Vec<u64>) {
        out.clear();
        let hasher = foldhash::quality::FixedState::with_seed(KEY_HASH_SEED);
        self.each_value(record, &mut |v| out.push(hasher.hash_one(v)));
        out.sort_unstable();
        out.dedup();
    }

    /// Hands each of this key's values for `record` to `out` (none when the fields are
    /// empty; never an empty value).
    pub(crate) fn each_value(&self, record: &NormalizedRecord, out: &mut impl FnMut(&str)) {
        for &field in &self.fields {
            if let Some(value) = &record.field(field).value {
                key_values(value, self.key, out);
            }
        }
    }
}

/// The first of a Latin given name's several names, when it is a name and not an initial.
fn first_of_several_given_names(name: &sameas_normalize::name::Name) -> Option<&str> {
    if name.script != sameas_normalize::name::NameScript::Latin {
        return None;
    }
    let (first, _) = name.given.as_deref()?.split_once(' ')?;
    (first.chars().count() >= 2).then_some(first)
}

/// The other keys of a Latin family name: without accents (`martínez` meets `martinez`),
/// and, of a double family name, each part of four letters or more (`zuniga torres` meets
/// `zuniga`, `lopez-arellano` meets `lopez`); particles (`de`, `van`) are no key of their own.
fn latin_family_variants(name: &sameas_normalize::name::Name, out: &mut impl FnMut(&str)) {
    if name.script != sameas_normalize::name::NameScript::Latin {
        return;
    }
    let Some(family) = name.family.as_deref() else {
        return;
    };
    let folded: Vec<std::borrow::Cow<'_, str>> = family
        .split(['-', ' '])
        .filter(|part| !part.is_empty())
        .map(sameas_normalize::name::ascii_letters)
        .collect();
    out(&folded.join(" "));
    for part in sameas_normalize::name::double_family_parts(family) {
        out(&part);
    }
}

fn key_values(value: &FieldValue, key: KeySource, out: &mut impl FnMut(&str)) {
    use KeySource::*;
    let mut push = |v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out(v);
        }
    };
    match (value, key) {
        // A Latin given name of several names (`kennedy x`, `mary ann`) also keys by its
        // first name alone: sources differ in whether they keep a middle name, an initial
        // or nothing (a census form writes `W`, a tax file `William`), and the full name
        // must still meet.
        (FieldValue::Name(name), Norm) => {
            push(Some(&value.norm()));
            if let Some(first) = first_of_several_given_names(name) {
                let mut shorter = (**name).clone();
                shorter.given = Some(first.into());
                push(Some(&sameas_normalize::MatchKeys::norm(&shorter)));
            }
        }
        (FieldValue::Name(name), Given) => {
            push(name.given.as_deref());
            push(first_of_several_given_names(name));
        }
        // Pass-through text keys as it is compared, folded (see `compared_text`).
        (FieldValue::Text(_), Norm) => push(Some(&compared_text(value))),
        (_, Norm) => push(Some(&value.norm())),
        (FieldValue::Name(name), Family) => {
            push(name.family.as_deref());
            latin_family_variants(name, &mut |v| push(Some(v)));
        }
        (FieldValue::Name(name), Pinyin) => {
            push(name.pinyin.as_deref());
            for variant in &name.pinyin_variants {
                push(Some(variant));
            }
        }
        (FieldValue::Name(name), FamilyPinyin) => push(pinyin_parts(name).0.as_deref()),
        (FieldValue::Name(name), GivenPinyin) => push(pinyin_parts(name).1.as_deref()),
        (FieldValue::Name(name), Phonetic) => push(Some(&name.phonetic.join(" "))),
        (FieldValue::Name(name), Nickname) => push(Some(&name.nickname_roots.join(" "))),
        (FieldValue::Phone(phone), E164) => push(phone.e164.as_deref()),
        (FieldValue::Phone(phone), National) => push(phone.national()),
        (FieldValue::Phone(phone), Masked | MaskedPrefix | MaskedSuffix) => {
            // As the normalizer's masked_prefix / masked_suffix keys: the visible digits of
            // a masked number, or the first three and last four of a full one.
            let (prefix, suffix) = match (&phone.masked, phone.national()) {
                (Some(m), _) => (&*m.prefix, &*m.suffix),
                (None, Some(n)) if n.len() >= 7 && n.is_ascii() => (&n[..3], &n[n.len() - 4..]),
                _ => ("", ""),
            };
            match key {
                Masked if !prefix.is_empty() || !suffix.is_empty() => {
                    push(Some(&format!("{prefix}*{suffix}")));
                }
                MaskedPrefix => push(Some(prefix)),
                MaskedSuffix => push(Some(suffix)),
                _ => {}
            }
        }
        (FieldValue::Email(email), Canonical) => push(Some(&email.canonical)),
        (FieldValue::Email(email), Local) => push(Some(&email.local)),
        (FieldValue::Email(email), Domain) => push(Some(&email.domain)),
        (FieldValue::Address(a), Province) => push(a.province.as_deref()),
        (FieldValue::Address(a), City) => push(a.city.as_deref()),
        (FieldValue::Address(a), District) => push(a.district.as_deref()),
        (FieldValue::Address(a), Detail) => push(a.detail.as_deref()),
        (FieldValue::Address(a), Number) => push(a.number.as_deref()),
        (FieldValue::Address(a), Street) => push(a.street.as_deref()),
        (FieldValue::Address(a), Postcode) => push(a.postcode.as_deref().map(postcode_key)),
        (FieldValue::Date(d), Year) => push(Some(&format!("{:04}", d.0.year()))),
        (FieldValue::Date(d), Month) => push(Some(&format!("{:02}", d.0.month()))),
        (FieldValue::Date(d), Day) => push(Some(&format!("{:02}", d.0.day()))),
        (FieldValue::Identifier(id), OneDeleted)
            if id.0.is_ascii() && id.0.len() >= MIN_ONE_DELETED_LEN =>
        {
            let mut left_out = String::with_capacity(id.0.len());
            for at in 0..id.0.len() {
                left_out.clear();
                left_out.push_str(&id.0[..at]);
                left_out.push_str(&id.0[at + 1..]);
                push(Some(&left_out));
            }
        }
        (_, Derived(name)) => {
            if let Some((_, v)) = value.keys().into_iter().find(|(k, _)| *k == name) {
                push(Some(&v));
            }
        }
        _ => {}
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

    /// The hashes of every composite key of `record` under rule `rule`, sorted and
    /// distinct: blocks are told apart by them, in the batch index, the incremental index
    /// and deterministic rules alike. A key's hash is the hash of its parts' value hashes,
    /// so no key text is built.
    pub(crate) fn hashes(&self, rule: usize, record: &NormalizedRecord, out: &mut Vec<u64>) {
        let mut part_hashes: Vec<Vec<u64>> = vec![Vec::new(); self.parts.len()];
        for (part, values) in self.parts.iter().zip(&mut part_hashes) {
            part.value_hashes(record, values);
        }
        let parts: Vec<&[u64]> = part_hashes.iter().map(Vec::as_slice).collect();
        combine(rule, &parts, out);
    }

    /// Every composite key of `record`, sorted and distinct.
    pub(crate) fn values(&self, record: &NormalizedRecord) -> Vec<String> {
        let mut combined = vec![String::new()];
        let mut part_values = Vec::new();
        for (i, part) in self.parts.iter().enumerate() {
            part_values.clear();
            part.each_value(record, &mut |v| part_values.push(v.to_string()));
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

/// Pushes into `out` the hash of each combination of one value hash per part (rule
/// `rule`'s keys), sorted and distinct; none when a part has no value.
fn combine(rule: usize, parts: &[&[u64]], out: &mut Vec<u64>) {
    out.clear();
    if parts.iter().any(|p| p.is_empty()) {
        return;
    }
    let hasher = foldhash::quality::FixedState::with_seed(KEY_HASH_SEED);
    // The product of the parts' values, as one index per part; on the stack for the rules
    // of a few parts (every record computes fifty rules' keys).
    const ON_STACK: usize = 8;
    let (mut at_stack, mut combination_stack) = ([0usize; ON_STACK], [0u64; ON_STACK]);
    let (mut at_heap, mut combination_heap) = (Vec::new(), Vec::new());
    let (at, combination) = if parts.len() <= ON_STACK {
        (
            &mut at_stack[..parts.len()],
            &mut combination_stack[..parts.len()],
        )
    } else {
        at_heap.resize(parts.len(), 0usize);
        combination_heap.resize(parts.len(), 0u64);
        (at_heap.as_mut_slice(), combination_heap.as_mut_slice())
    };
    loop {
        for ((slot, values), &i) in combination.iter_mut().zip(parts).zip(at.iter()) {
            *slot = values[i];
        }
        out.push(hasher.hash_one((rule as u32, &*combination)));
        let mut p = parts.len();
        loop {
            if p == 0 {
                out.sort_unstable();
                out.dedup();
                return;
            }
            p -= 1;
            at[p] += 1;
            if at[p] < parts[p].len() {
                break;
            }
            at[p] = 0;
        }
    }
}

/// The keys of several rules, each distinct part read once per record however many rules
/// share it (`name` alone, with a district and with a postcode): reading a part builds its
/// value (a full name's normal form), and an index over fifty candidate rules read each
/// record's parts three times over.
#[derive(Debug, Clone)]
pub(crate) struct RuleKeySet {
    parts: Vec<CompiledKey>,
    /// Per rule, its parts as positions in `parts`.
    rules: Vec<Vec<usize>>,
}

/// What [`RuleKeySet::hashes`] reuses from one record to the next.
#[derive(Debug, Default)]
pub(crate) struct KeyScratch {
    part_hashes: Vec<Vec<u64>>,
}

impl RuleKeySet {
    pub(crate) fn new(rules: Vec<CompiledKeys>) -> Self {
        let mut parts: Vec<CompiledKey> = Vec::new();
        let rules = rules
            .into_iter()
            .map(|rule| {
                rule.parts
                    .into_iter()
                    .map(|part| match parts.iter().position(|p| *p == part) {
                        Some(i) => i,
                        None => {
                            parts.push(part);
                            parts.len() - 1
                        }
                    })
                    .collect()
            })
            .collect();
        RuleKeySet { parts, rules }
    }

    /// Number of rules.
    pub(crate) fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Every rule's key hashes of `record` (as [`CompiledKeys::hashes`]), `out[r]` for rule
    /// `r`.
    pub(crate) fn hashes(
        &self,
        record: &NormalizedRecord,
        scratch: &mut KeyScratch,
        out: &mut [Vec<u64>],
    ) {
        scratch.part_hashes.resize_with(self.parts.len(), Vec::new);
        for (part, values) in self.parts.iter().zip(&mut scratch.part_hashes) {
            part.value_hashes(record, values);
        }
        let mut parts: Vec<&[u64]> = Vec::new();
        for (r, (rule, hashes)) in self.rules.iter().zip(out).enumerate() {
            parts.clear();
            parts.extend(rule.iter().map(|&p| scratch.part_hashes[p].as_slice()));
            combine(r, &parts, hashes);
        }
    }
}

/// The blocking keys of records under a list of rules, for callers that group records by
/// key themselves instead of building a [`BlockIndex`](crate::BlockIndex) (a distributed
/// run groups the rows of many machines by them). Each rule's keys of a record are those
/// the index files it under.
#[derive(Debug, Clone)]
pub struct RuleKeys {
    rules: Vec<CompiledKeys>,
}

impl RuleKeys {
    /// Compiles `rules` over `schema`.
    ///
    /// # Errors
    /// A rule naming an unknown field or key, or a rule without keys.
    pub fn compile(rules: &[crate::BlockingRule], schema: &Schema) -> Result<Self, MatchError> {
        let rules = rules
            .iter()
            .map(|r| CompiledKeys::compile(&r.keys, schema, &format!("blocking rule `{}`", r.name)))
            .collect::<Result<_, _>>()?;
        Ok(RuleKeys { rules })
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The keys of `record` under rule `rule`, sorted and distinct.
    ///
    /// # Panics
    /// `rule` out of range.
    pub fn keys(&self, rule: usize, record: &NormalizedRecord) -> Vec<String> {
        self.rules[rule].values(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sameas_normalize::name::NameNormalizer;

    fn keys(raw: &str, key: KeySource) -> Vec<String> {
        let name = NameNormalizer::new().normalize(raw).value.unwrap();
        let mut out = Vec::new();
        key_values(&FieldValue::Name(Box::new(name)), key, &mut |v| {
            out.push(v.to_string())
        });
        out
    }

    #[test]
    fn a_latin_family_name_also_keys_without_accents_and_by_each_part() {
        let family = |raw: &str| {
            let mut keys = keys(raw, KeySource::Family);
            keys.sort();
            keys.dedup();
            keys
        };
        assert_eq!(family("Kimberly Martínez"), ["martinez", "martínez"]);
        assert_eq!(family("K Martinez"), ["martinez"]);
        assert_eq!(
            family("ZUNIGA TORRES, Juan"),
            ["torres", "zuniga", "zuniga torres"]
        );
        // A particle is no key of its own.
        assert_eq!(
            family("Juan Carlos de León"),
            ["de leon", "de león", "leon"]
        );
        // Han names key as they are.
        assert_eq!(family("张伟"), ["张"]);
    }

    #[test]
    fn a_name_with_a_middle_name_also_keys_by_its_first_name() {
        assert_eq!(
            keys("Kennedy X Lowry", KeySource::Norm),
            ["kennedy x lowry", "kennedy lowry"]
        );
        assert_eq!(keys("Kennedy Lowry", KeySource::Norm), ["kennedy lowry"]);
        assert_eq!(keys("Mary Ann Lee", KeySource::Given), ["mary ann", "mary"]);
        // An initial is not a name to block on; nor is a Han given name split.
        assert_eq!(keys("J Edgar Hoover", KeySource::Given), ["j edgar"]);
        assert_eq!(keys("张伟明", KeySource::Given), ["伟明"]);
    }

    #[test]
    fn identifiers_one_substitution_apart_share_one_key_left_out() {
        let keys = |raw: &str| {
            let id = sameas_normalize::identifier::normalize_identifier(raw)
                .value
                .unwrap();
            let mut out = Vec::new();
            key_values(
                &FieldValue::Identifier(id),
                KeySource::OneDeleted,
                &mut |v| out.push(v.to_string()),
            );
            out
        };
        let ssn = keys("287-65-1623");
        assert_eq!(ssn.len(), 9);
        assert_eq!(ssn[0], "87651623");
        assert_eq!(ssn[8], "28765162");
        let typo = keys("287-65-1823");
        let shared: Vec<_> = ssn.iter().filter(|k| typo.contains(k)).collect();
        assert_eq!(shared, ["28765123"]);
        // Two digits apart, nothing shared; a short code has no such keys.
        assert!(keys("287-65-1824").iter().all(|k| !ssn.contains(k)));
        assert!(keys("A1234").is_empty());
    }

    #[test]
    fn pass_through_text_keys_as_it_is_compared_whatever_its_case_and_width() {
        let text_keys = |raw: &str| {
            let mut out = Vec::new();
            key_values(&FieldValue::Text(raw.into()), KeySource::Norm, &mut |v| {
                out.push(v.to_string())
            });
            out
        };
        assert_eq!(text_keys("SINGAPORE"), text_keys("Singapore"));
        assert_eq!(text_keys("ＳＩＮＧＡＰＯＲＥ"), text_keys("singapore"));
        assert_ne!(text_keys("Singapore"), text_keys("Malaysia"));
    }
}
