//! Comparisons with levels, one module per field kind.
//!
//! A comparison looks at one or more fields of two records and answers a level: `null` (a
//! value missing on either side, index 0, weight 0), then levels from the strongest
//! agreement to `different`. A record with several values (two phone columns) agrees at the
//! best level across them. Comparators are compiled once per dataset from
//! [`ComparisonConfig`]; values are interned so that exact levels are integer compares.

pub(crate) mod address;
pub(crate) mod date;
pub(crate) mod email;
pub(crate) mod gender;
pub(crate) mod identifier;
pub(crate) mod name;
pub(crate) mod number;
pub(crate) mod phone;
pub(crate) mod string;

pub use gender::record_gender;
pub use identifier::record_identifier;
pub use name::record_name_keys;

use serde::{Deserialize, Serialize};

use sameas_core::FieldKind;
use sameas_normalize::record::NormalizedRecord;

use crate::MatchError;
use crate::dataset::Records;
use crate::intern::{Lists, NONE};

/// A comparator's per-record values, compiled one record at a time: each comparator says
/// how it reads one record ([`push`](Self::push)); compiling a whole table and appending one
/// more record are the same for all of them.
pub(crate) trait CompileRecords: Sized {
    /// What the comparator keeps of one value.
    type Value: Copy;

    /// The per-record value lists.
    fn values(&mut self) -> &mut Lists<Self::Value>;

    /// Reads one record's values of `fields` and ends its row.
    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]);

    /// Every record of `data`, then the lists packed for reading.
    fn compile(mut self, data: Records<'_>, fields: &[usize]) -> Self {
        for record in data.iter() {
            self.push(record, fields);
        }
        let values = std::mem::take(self.values());
        *self.values() = values.compact();
        self
    }

    /// Compiles one more record after the packed ones.
    fn append(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        self.values().reopen();
        self.push(record, fields);
    }
}

/// The level a comparison gives a pair, and the value behind an exact level (for the
/// term-frequency adjustment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// Index into the comparison's levels; 0 is `null`.
    pub index: u8,
    /// The interned value both records share at an exact level, else `u32::MAX`.
    pub term: u32,
}

impl Level {
    /// A value is missing on either side.
    pub const NULL: Level = Level {
        index: 0,
        term: NONE,
    };

    /// A level with no term.
    #[inline]
    pub const fn at(index: u8) -> Level {
        Level { index, term: NONE }
    }

    /// The exact level (index 1) with the shared value.
    #[inline]
    pub const fn exact(term: u32) -> Level {
        Level { index: 1, term }
    }
}

/// The best (lowest non-null index) level across every pair of values.
#[inline]
pub(crate) fn best_across<T>(a: &[T], b: &[T], mut compare: impl FnMut(&T, &T) -> Level) -> Level {
    if let ([x], [y]) = (a, b) {
        return compare(x, y);
    }
    let mut best = Level::NULL;
    for x in a {
        for y in b {
            let level = compare(x, y);
            if level.index != 0 && (best.index == 0 || level.index < best.index) {
                best = level;
                if best.index == 1 {
                    return best;
                }
            }
        }
    }
    best
}

/// A string measure for generic text comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StringMetric {
    /// Jaro–Winkler similarity.
    JaroWinkler,
    /// 1 − Levenshtein distance / longer length.
    Levenshtein,
    /// 1 − optimal-string-alignment distance / longer length.
    Damerau,
    /// Jaccard similarity of white-space tokens.
    Jaccard,
}

/// How a comparison reads its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ComparisonMethod {
    /// Family names: exact, same pinyin, swapped with the given name, Jaro–Winkler bands
    /// (Latin) or pinyin bands (Han), different.
    FamilyName {
        /// Jaro–Winkler at or above this is `close`.
        close: f64,
        /// Jaro–Winkler at or above this is `similar`.
        similar: f64,
    },
    /// Given names: exact, same pinyin, swapped, nickname root, close / similar (a dropped
    /// Han character; Jaro–Winkler bands for Latin), initial, family-only compatible
    /// (张先生 against 张伟 with genders agreeing), different.
    GivenName {
        /// Jaro–Winkler at or above this is `close`.
        close: f64,
        /// Jaro–Winkler at or above this is `similar`.
        similar: f64,
    },
    /// Phones: exact E.164, masked-compatible, one digit off, different.
    Phone,
    /// E-mails: exact canonical, same local part with a typo'd domain, fuzzy, different.
    Email {
        /// Jaro–Winkler of the canonical forms at or above this is `fuzzy`.
        fuzzy: f64,
    },
    /// Addresses: same detail, similar detail, same district (or postcode), same city, different.
    Address {
        /// Jaro–Winkler of the details at or above this is `similar_detail`.
        similar: f64,
    },
    /// Dates: exact, day and month swapped, one digit off, within N days, different.
    Date {
        /// Dates at most this many days apart are `within_days`.
        within_days: u32,
    },
    /// Identifiers: exact, optionally one edit apart, different.
    Identifier {
        /// Whether one substitution, insertion, deletion or adjacent swap is its own level.
        one_edit: bool,
    },
    /// Genders: exact or different.
    Gender,
    /// Generic strings: exact, then one level per threshold of the metric, then (with
    /// `words`) a level for values that share that share of their words, different.
    String {
        /// The similarity measure.
        metric: StringMetric,
        /// Descending thresholds in (0, 1).
        thresholds: Vec<f64>,
        /// The share of their distinct words (Jaccard) two values must have in common to
        /// reach the level after the metric's: `universal exports singapore` and
        /// `singapore exports` (2 of 3), which a character measure reads as different.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        words: Option<f64>,
    },
    /// Numbers: exact, then one level per absolute (or relative) difference, different.
    Number {
        /// Ascending differences.
        thresholds: Vec<f64>,
        /// Differences are relative to the larger magnitude.
        relative: bool,
    },
}

/// One comparison: a name, the fields it reads, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonConfig {
    /// Name used in outputs (`<name>.level` columns, explanations).
    pub name: String,
    /// Field names; a record's values are pooled across them.
    pub fields: Vec<String>,
    /// How to compare.
    pub method: ComparisonMethod,
    /// Adjust exact agreement by how common the shared value is.
    #[serde(default)]
    pub term_frequency: bool,
}

impl ComparisonMethod {
    /// Whether a field of `kind` can be read by this method.
    fn accepts(&self, kind: FieldKind) -> bool {
        match self {
            ComparisonMethod::FamilyName { .. } | ComparisonMethod::GivenName { .. } => {
                kind == FieldKind::Name
            }
            ComparisonMethod::Phone => kind == FieldKind::Phone,
            ComparisonMethod::Email { .. } => kind == FieldKind::Email,
            ComparisonMethod::Address { .. } => kind == FieldKind::Address,
            ComparisonMethod::Date { .. } => {
                matches!(kind, FieldKind::Date | FieldKind::BirthDate)
            }
            ComparisonMethod::Identifier { .. } => {
                matches!(kind, FieldKind::Identifier | FieldKind::NationalId)
            }
            ComparisonMethod::Gender => kind == FieldKind::Gender,
            ComparisonMethod::String { .. } | ComparisonMethod::Number { .. } => true,
        }
    }

    /// The default method for a field kind, if that kind is compared by default.
    pub fn default_for(kind: FieldKind) -> Option<ComparisonMethod> {
        Some(match kind {
            FieldKind::Phone => ComparisonMethod::Phone,
            FieldKind::Email => ComparisonMethod::Email { fuzzy: 0.88 },
            FieldKind::Address => ComparisonMethod::Address { similar: 0.9 },
            FieldKind::BirthDate | FieldKind::Date => ComparisonMethod::Date { within_days: 30 },
            FieldKind::Identifier => ComparisonMethod::Identifier { one_edit: true },
            FieldKind::NationalId => ComparisonMethod::Identifier { one_edit: false },
            FieldKind::Gender => ComparisonMethod::Gender,
            FieldKind::Name | FieldKind::Text => return None,
            _ => return None,
        })
    }
}

/// A compiled comparison over one dataset.
#[derive(Debug)]
pub(crate) enum Comparator {
    Name(name::NameComparator),
    Phone(phone::PhoneComparator),
    Email(email::EmailComparator),
    Address(address::AddressComparator),
    Date(date::DateComparator),
    Identifier(identifier::IdentifierComparator),
    Gender(gender::GenderComparator),
    String(string::StringComparator),
    Number(number::NumberComparator),
}

/// Prepared columns that several comparisons share (family and given names read the same
/// names), built once per set of fields.
#[derive(Debug, Default)]
pub(crate) struct SharedColumns {
    names: Vec<(Vec<usize>, std::sync::Arc<name::NameColumn>)>,
    /// Whether the configuration compares genders (which reads honorifics too).
    gender_compared: bool,
}

impl SharedColumns {
    /// Builds the name columns that `configs` read.
    pub(crate) fn build(configs: &[ComparisonConfig], data: Records<'_>) -> Self {
        use rayon::prelude::*;
        let mut field_sets: Vec<Vec<usize>> = configs
            .iter()
            .filter(|c| {
                matches!(
                    c.method,
                    ComparisonMethod::FamilyName { .. } | ComparisonMethod::GivenName { .. }
                )
            })
            .filter_map(|c| {
                c.fields
                    .iter()
                    .map(|f| data.schema.field_index(f))
                    .collect::<Option<Vec<usize>>>()
            })
            .collect();
        field_sets.sort_unstable();
        field_sets.dedup();
        let names = field_sets
            .into_par_iter()
            .map(|fields| {
                let column = name::NameColumn::build(data, &fields);
                (fields, std::sync::Arc::new(column))
            })
            .collect();
        let gender_compared = configs
            .iter()
            .any(|c| matches!(c.method, ComparisonMethod::Gender));
        SharedColumns {
            names,
            gender_compared,
        }
    }

    fn names(&self, data: Records<'_>, fields: &[usize]) -> std::sync::Arc<name::NameColumn> {
        match self.names.iter().find(|(f, _)| f == fields) {
            Some((_, column)) => column.clone(),
            None => std::sync::Arc::new(name::NameColumn::build(data, fields)),
        }
    }
}

impl Comparator {
    pub(crate) fn compile(
        config: &ComparisonConfig,
        data: Records<'_>,
        shared: &SharedColumns,
    ) -> Result<Self, MatchError> {
        if config.fields.is_empty() {
            return Err(MatchError::Config(format!(
                "comparison `{}` has no fields",
                config.name
            )));
        }
        let mut fields = Vec::with_capacity(config.fields.len());
        for field in &config.fields {
            let index = data
                .schema
                .field_index(field)
                .ok_or_else(|| MatchError::UnknownField {
                    context: format!("comparison `{}`", config.name),
                    field: field.clone(),
                })?;
            let kind = data.schema.fields[index].kind;
            if !config.method.accepts(kind) {
                return Err(MatchError::WrongKind {
                    comparison: config.name.clone(),
                    field: field.clone(),
                    kind,
                });
            }
            fields.push(index);
        }
        Ok(match &config.method {
            ComparisonMethod::FamilyName { close, similar } => {
                Comparator::Name(name::NameComparator::new(
                    shared.names(data, &fields),
                    name::NamePart::Family,
                    *close,
                    *similar,
                ))
            }
            ComparisonMethod::GivenName { close, similar } => Comparator::Name(
                name::NameComparator::new(
                    shared.names(data, &fields),
                    name::NamePart::Given,
                    *close,
                    *similar,
                )
                .with_gender_compared(shared.gender_compared),
            ),
            ComparisonMethod::Phone => {
                Comparator::Phone(phone::PhoneComparator::new(data, &fields))
            }
            ComparisonMethod::Email { fuzzy } => {
                Comparator::Email(email::EmailComparator::new(data, &fields, *fuzzy))
            }
            ComparisonMethod::Address { similar } => {
                Comparator::Address(address::AddressComparator::new(data, &fields, *similar))
            }
            ComparisonMethod::Date { within_days } => {
                Comparator::Date(date::DateComparator::new(data, &fields, *within_days))
            }
            ComparisonMethod::Identifier { one_edit } => Comparator::Identifier(
                identifier::IdentifierComparator::new(data, &fields, *one_edit),
            ),
            ComparisonMethod::Gender => {
                Comparator::Gender(gender::GenderComparator::new(data, &fields))
            }
            ComparisonMethod::String {
                metric,
                thresholds,
                words,
            } => Comparator::String(string::StringComparator::new(
                data, &fields, *metric, thresholds, *words,
            )?),
            ComparisonMethod::Number {
                thresholds,
                relative,
            } => Comparator::Number(number::NumberComparator::new(
                data, &fields, thresholds, *relative,
            )?),
        })
    }
}

impl Comparator {
    /// Compiles one more record into a comparator that owns its values (not a name
    /// comparator: its column is shared, and extended once by its owner).
    pub(crate) fn append(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        match self {
            Comparator::Name(_) => {}
            Comparator::Phone(c) => c.append(record, fields),
            Comparator::Email(c) => c.append(record, fields),
            Comparator::Address(c) => c.append(record, fields),
            Comparator::Date(c) => c.append(record, fields),
            Comparator::Identifier(c) => c.append(record, fields),
            Comparator::Gender(c) => c.append(record, fields),
            Comparator::String(c) => c.append(record, fields),
            Comparator::Number(c) => c.append(record, fields),
        }
    }
}

/// Applies `$body` to the comparator inside any variant, bound as `$c`.
macro_rules! each_comparator {
    ($self:expr, $c:ident => $body:expr) => {
        match $self {
            Comparator::Name($c) => $body,
            Comparator::Phone($c) => $body,
            Comparator::Email($c) => $body,
            Comparator::Address($c) => $body,
            Comparator::Date($c) => $body,
            Comparator::Identifier($c) => $body,
            Comparator::Gender($c) => $body,
            Comparator::String($c) => $body,
            Comparator::Number($c) => $body,
        }
    };
}

impl Compare for Comparator {
    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        each_comparator!(self, c => c.level(a, b))
    }

    fn level_names(&self) -> Vec<String> {
        each_comparator!(self, c => c.level_names())
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        each_comparator!(self, c => c.term_counts())
    }

    fn term_keys_from(&self, start: usize) -> Vec<std::borrow::Cow<'_, str>> {
        each_comparator!(self, c => c.term_keys_from(start))
    }
}

/// What a compiled comparison does, whatever it compares. A new kind of comparison is a
/// module with a comparator that implements this, a [`ComparisonMethod`] variant and a
/// [`Comparator`] variant.
pub(crate) trait Compare {
    /// The level of the pair `(a, b)` (record indices).
    fn level(&self, a: usize, b: usize) -> Level;

    /// Level names, `null` first.
    fn level_names(&self) -> Vec<String>;

    /// How many records hold each term (records counted once per term), and how many
    /// records have any value: the term-frequency table.
    fn term_counts(&self) -> (Vec<u32>, u32);

    /// The text of every term id (indexed like [`Compare::term_counts`]): the value an
    /// exact level shares, as a string that names the same value in any dataset, so that a
    /// term-frequency table counted over one dataset is read by a comparator compiled over
    /// another.
    fn term_keys(&self) -> Vec<std::borrow::Cow<'_, str>> {
        self.term_keys_from(0)
    }

    /// As [`Compare::term_keys`], of the term ids from `start` on (those a matcher extended
    /// by more records has not weighed yet).
    fn term_keys_from(&self, start: usize) -> Vec<std::borrow::Cow<'_, str>>;
}

/// Level names from a comparator's constant list.
pub(crate) fn level_names(levels: &[&str]) -> Vec<String> {
    levels.iter().map(|s| s.to_string()).collect()
}

/// The text of every interned term id from `start`, borrowed from the interner.
pub(crate) fn interned_keys(
    strings: &crate::intern::Interner,
    start: usize,
) -> Vec<std::borrow::Cow<'_, str>> {
    (start.min(strings.len()) as u32..strings.len() as u32)
        .map(|id| std::borrow::Cow::Borrowed(strings.get(id)))
        .collect()
}

/// Counts, per term, the records holding it (once per record), and the records holding
/// any: the term-frequency table.
pub(crate) fn count_terms<T>(
    values: &crate::intern::Lists<T>,
    terms: usize,
    term: impl Fn(&T) -> u32,
) -> (Vec<u32>, u32) {
    let mut counts = vec![0u32; terms];
    let mut with_value = 0u32;
    let mut seen: Vec<u32> = Vec::new();
    for row in 0..values.rows() {
        seen.clear();
        seen.extend(values.row(row).iter().map(&term).filter(|&t| t != NONE));
        if seen.is_empty() {
            continue;
        }
        with_value += 1;
        seen.sort_unstable();
        seen.dedup();
        for &t in &seen {
            counts[t as usize] += 1;
        }
    }
    (counts, with_value)
}
