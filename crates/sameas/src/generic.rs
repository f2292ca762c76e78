//! Generic values: values that many different people share, so that agreeing on them says
//! nothing about being one person. An office e-mail (`info@…`) carried by twenty unrelated
//! customers, a store's own phone typed in for walk-in customers, a placeholder postcode
//! (`00000`) or city (`Anytown`) on most rows. Found from the data at fit time, kept in the
//! configuration, and treated as missing for matching: they are no blocking keys and carry
//! no weight. The input keeps them; reports show them masked.
//!
//! Four signs, each read from the data:
//! - an identifying value (a phone, an e-mail, an identifier) held by records of many
//!   different family names and many different given names, beyond spelling variants: a
//!   household shares one or two family names, one person's records one given name,
//!   unrelated people many of each;
//! - a place or attribute value (a postcode, a city, an occupation) held by far more records
//!   than any other value of its field: a placeholder, or a value so common it tells nothing;
//! - a name held by records of many different phones (e-mails, identifiers) whose family
//!   name hardly occurs but in it: a nickname many people chose (`阳光`, `向日葵`) or a
//!   placeholder (`顾客`, "customer"), or whose given name occurs nowhere else (`Cash
//!   Customer`, `Walk-in Customer`). A common real name (`王芳`, Mary Smith) is held by
//!   many people too, but its family name by many more records of other names, and its
//!   given name by records of other family names;
//! - a birth date held far beyond the other days of its year (a form's `2000-01-01`), or a
//!   birth year far beyond the years around it that holds most of the file's ages over 120
//!   (`1900` typed for unknown): real birthdays spread over a year's days.

use std::borrow::Cow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use sameas_core::{FieldKind, Schema};
use sameas_normalize::record::{FieldValue, NormalizedRecord};
use sameas_normalize::{Issue, IssueKind};

/// Records an identifying value must be held by before it can be generic.
const MIN_RECORDS: usize = 5;

/// Family names, and given names, that differ beyond spelling among the records holding an
/// identifying value and make it generic: more than a household has (one or two family
/// names, three with a grandparent; a family's given names differ, its family names do
/// not) and more than one person's misspellings make.
const DISTINCT_PEOPLE: usize = 5;

/// The most groups of names [`distinct_groups`] counts: enough to decide (at
/// [`DISTINCT_PEOPLE`]) and to report. A till's phone held by thousands of records of
/// hundreds of names would otherwise compare each name with every group found so far.
const GROUPS_COUNTED: usize = 20;

/// A count of name groups for a report: `20 or more` where counting stopped.
fn groups_text(groups: usize) -> String {
    if groups >= GROUPS_COUNTED {
        format!("{groups} or more")
    } else {
        groups.to_string()
    }
}

/// The share of the records of a family name that one name of it must pass to be a
/// nickname or placeholder: a real family name is shared by many given names.
const NICKNAME_FAMILY_SHARE: f64 = 0.5;

/// The share of the records of a given name that one name of it must pass to be a
/// placeholder: all but a tenth. A real given name is shared by many family names, but in
/// a small file the commonest full name (Mary Smith) can hold more than half of its
/// given name's records; a placeholder's given name (`Cash`, `Walk-in`) occurs nowhere else.
const NICKNAME_GIVEN_SHARE: f64 = 0.9;

/// How many times the next commonest value a placeholder must be held, at least.
const PLACEHOLDER_RATIO: usize = 10;

/// The least share of a field's values a placeholder holds.
const PLACEHOLDER_SHARE: f64 = 0.05;

/// The reason a blanked value's issue gives.
pub const GENERIC_REASON: &str = "a value many unrelated records share: not used for matching";

/// One generic value: a field, which part of it, and the normalized value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GenericValue {
    /// The field.
    pub field: String,
    /// The part of the field's value: `value` (the whole value) or an address part
    /// (`detail`, `postcode`, `city`, `district`).
    pub part: String,
    /// The normalized value (`info@example.com`, `00000`). A user may add values here,
    /// such as a store's own phone.
    pub value: String,
}

/// A generic value as reported: masked, with what made it generic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenericReport {
    /// The field.
    pub field: String,
    /// The part.
    pub part: String,
    /// The value, masked.
    pub masked: String,
    /// Records holding it.
    pub records: u64,
    /// Why it is generic.
    pub reason: String,
}

/// Which part of a field a generic value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Value,
    Detail,
    Postcode,
    City,
    District,
    /// A date's year.
    Year,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Value => "value",
            Part::Detail => "detail",
            Part::Postcode => "postcode",
            Part::City => "city",
            Part::District => "district",
            Part::Year => "year",
        }
    }

    fn from_name(name: &str) -> Option<Part> {
        [
            Part::Value,
            Part::Detail,
            Part::Postcode,
            Part::City,
            Part::District,
            Part::Year,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }

    /// Whether the part identifies a person (many family names make it generic) or places
    /// one (only being far the commonest does).
    fn identifying(self, kind: FieldKind) -> bool {
        match self {
            Part::Value => matches!(
                kind,
                FieldKind::Phone | FieldKind::Email | FieldKind::Identifier | FieldKind::NationalId
            ),
            Part::Detail => true,
            _ => false,
        }
    }

    /// The part's value in a normalized field value, borrowed where the value holds it.
    fn of(self, value: &FieldValue) -> Option<Cow<'_, str>> {
        match (self, value) {
            (Part::Value, FieldValue::Phone(p)) => p.e164.as_deref().map(Cow::Borrowed),
            (Part::Value, FieldValue::Email(e)) => Some(Cow::Borrowed(e.canonical.as_str())),
            (Part::Value, FieldValue::Identifier(id)) => Some(Cow::Borrowed(&*id.0)),
            (Part::Value, FieldValue::NationalId(id)) => Some(Cow::Borrowed(id.id.as_str())),
            (Part::Value, FieldValue::Text(text)) => Some(Cow::Borrowed(&**text)),
            (Part::Value, v @ (FieldValue::Name(_) | FieldValue::Date(_))) => {
                Some(Cow::Owned(v.norm()))
            }
            (Part::Year, FieldValue::Date(date)) => {
                Some(Cow::Owned(format!("{:04}", date.0.year())))
            }
            (Part::Detail, FieldValue::Address(a)) => a.detail.as_deref().map(Cow::Borrowed),
            (Part::Postcode, FieldValue::Address(a)) => a.postcode.as_deref().map(Cow::Borrowed),
            (Part::City, FieldValue::Address(a)) => a.city.as_deref().map(Cow::Borrowed),
            (Part::District, FieldValue::Address(a)) => a.district.as_deref().map(Cow::Borrowed),
            _ => None,
        }
        .filter(|v| !v.is_empty())
    }

    /// Whether the part of `value` may be `wanted`, without building a name's normal form
    /// (which reads the name again): the normal form holds the family and the given name;
    /// a date's begins with its year.
    fn may_be(self, value: &FieldValue, wanted: &str) -> bool {
        match (self, value) {
            (Part::Value, FieldValue::Name(name)) => [&name.family, &name.given]
                .into_iter()
                .flatten()
                .all(|part| wanted.contains(&**part)),
            (Part::Value | Part::Year, FieldValue::Date(date)) => {
                wanted.get(..4).and_then(|year| year.parse::<i16>().ok()) == Some(date.0.year())
            }
            _ => true,
        }
    }

    /// A key that groups the values of the part as their strings do, without building a
    /// name's normal form: a name's is made of its script, family, given name and suffix
    /// alone, so names equal in those have one normal form.
    fn grouping_key(self, value: &FieldValue) -> Option<u128> {
        match (self, value) {
            (Part::Value, FieldValue::Name(name)) => {
                let mut text = String::new();
                for part in [&name.family, &name.given, &name.suffix] {
                    text.push_str(part.as_deref().unwrap_or(""));
                    text.push('\u{1f}');
                }
                text.push(char::from(b'0' + name.script as u8));
                text.push(if name.transliterated { 't' } else { 'n' });
                Some(value_key(&text))
            }
            _ => self.of(value).map(|v| value_key(&v)),
        }
    }

    /// Blanks the part in `value`; `true` when the whole value is gone.
    fn blank(self, value: &mut FieldValue) -> bool {
        match (self, value) {
            (Part::Detail, FieldValue::Address(a)) => {
                a.detail = None;
                a.number = None;
                false
            }
            (Part::Postcode, FieldValue::Address(a)) => {
                a.postcode = None;
                false
            }
            (Part::City, FieldValue::Address(a)) => {
                a.city = None;
                false
            }
            (Part::District, FieldValue::Address(a)) => {
                a.district = None;
                false
            }
            _ => true,
        }
    }
}

/// The parts of a field that may be generic.
fn parts(kind: FieldKind, compared: bool) -> &'static [Part] {
    match kind {
        FieldKind::Phone | FieldKind::Email | FieldKind::Identifier | FieldKind::NationalId => {
            &[Part::Value]
        }
        // A street address shared by many (an apartment block written without its flats)
        // still places two records of one name together; term frequencies weigh it down.
        FieldKind::Address => &[Part::Postcode, Part::City, Part::District],
        FieldKind::Text | FieldKind::Name if compared => &[Part::Value],
        // A birth date's year is read with its value, in one pass (`placeholder_dates`).
        FieldKind::BirthDate => &[Part::Value],
        _ => &[],
    }
}

/// A record's name: the value of its first name field that holds one.
fn name_of<'a>(
    schema: &Schema,
    record: &'a NormalizedRecord,
) -> Option<&'a sameas_normalize::name::Name> {
    schema
        .fields
        .iter()
        .zip(record.fields())
        .filter(|(spec, _)| spec.kind == FieldKind::Name)
        .find_map(|(_, field)| match &field.value {
            Some(FieldValue::Name(name)) => Some(&**name),
            _ => None,
        })
}

/// A record's family and given names, for telling people apart.
fn names_of<'a>(
    schema: &Schema,
    record: &'a NormalizedRecord,
) -> (Option<&'a str>, Option<&'a str>) {
    name_of(schema, record).map_or((None, None), |name| {
        (name.family.as_deref(), name.given.as_deref())
    })
}

/// How many different family names (or, with `given`, given names) records `holders`
/// hold, spelling variants counted once ([`distinct_groups`]).
fn distinct_names(
    holders: impl Iterator<Item = u32>,
    names: &[(Option<&str>, Option<&str>)],
    given: bool,
) -> usize {
    let mut distinct: Vec<&str> = holders
        .filter_map(|i| {
            let (family, given_name) = &names[i as usize];
            if given { *given_name } else { *family }
        })
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct_groups(distinct.into_iter())
}

/// Names that differ beyond a typo or a spelling variant: each joins the first group whose
/// first name is within Jaro–Winkler 0.85 of it. One person's records, however misspelt,
/// make one or two groups; unrelated people one each.
///
/// Counting stops at [`GROUPS_COUNTED`] groups.
fn distinct_groups<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    let mut groups: Vec<&str> = Vec::new();
    for name in names {
        if groups.len() == GROUPS_COUNTED {
            break;
        }
        if !groups
            .iter()
            .any(|g| sameas_match::similarity::jaro_winkler(g, name) >= 0.85)
        {
            groups.push(name);
        }
    }
    groups.len()
}

/// Treats `config`'s generic values as missing in `records`. A configuration without a
/// model (about to be fitted) first has the generic values of these records found and
/// added to it. Returns the reports of the values found (none with a model).
pub(crate) fn find_and_apply(
    config: &mut crate::ResolverConfig,
    records: &mut [NormalizedRecord],
) -> Vec<GenericReport> {
    let mut reports = Vec::new();
    if config.matching.model.is_none() {
        let (found, found_reports) = detect(&config.schema, records);
        config.generic_values.extend(found);
        config.generic_values.sort();
        config.generic_values.dedup();
        reports = found_reports;
    }
    apply(&config.generic_values, &config.schema, records);
    reports
}

/// Finds the generic values of `records` (normalized under `schema`) and reports them
/// (masked), sorted by field, part and value: what fitting would add to the configuration,
/// and what `sameas profile` lists.
pub fn detect(
    schema: &Schema,
    records: &[NormalizedRecord],
) -> (Vec<GenericValue>, Vec<GenericReport>) {
    let candidates: Vec<(usize, Part)> = schema
        .fields
        .iter()
        .enumerate()
        .flat_map(|(f, spec)| parts(spec.kind, spec.compare).iter().map(move |&p| (f, p)))
        .collect();
    if candidates.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let names: Vec<(Option<&str>, Option<&str>)> =
        records.par_iter().map(|r| names_of(schema, r)).collect();
    let people = PeopleSigns::new(schema, records, &names, &candidates);
    let mut found: Vec<(GenericValue, GenericReport)> = candidates
        .par_iter()
        .flat_map_iter(|&(field, part)| {
            let spec = &schema.fields[field];
            if spec.kind == FieldKind::BirthDate {
                return placeholder_dates(spec, records, field, &names);
            }
            let Held {
                total,
                largest,
                common: held,
            } = held_values(records, field, part);
            let mut out = Vec::new();
            if spec.kind == FieldKind::Name {
                for (value, holders) in &held {
                    if let Some(reason) = people.nickname(holders, &names) {
                        out.push(entry(spec, part, value, holders.len(), reason));
                    }
                }
            } else if part.identifying(spec.kind) {
                for (value, holders) in &held {
                    let value: &str = value;
                    if holders.len() < MIN_RECORDS {
                        continue;
                    }
                    let groups = |given| distinct_names(holders.iter().copied(), &names, given);
                    let (families, givens) = (groups(false), groups(true));
                    if families >= DISTINCT_PEOPLE && givens >= DISTINCT_PEOPLE {
                        out.push(entry(
                            spec,
                            part,
                            value,
                            holders.len(),
                            format!(
                                "held by {} records of {} different family names and {} different given names",
                                holders.len(),
                                groups_text(families),
                                groups_text(givens),
                            ),
                        ));
                    }
                }
            } else {
                // The commonest value (when two tie, the ratio below fails).
                let top_value = held
                    .iter()
                    .find(|(_, holders)| holders.len() == largest[0]);
                if let Some((value, _)) = top_value {
                    let (top, next) = (largest[0], largest[1]);
                    let value: &str = value;
                    let share = top as f64 / total.max(1) as f64;
                    if top >= MIN_RECORDS
                        && top >= PLACEHOLDER_RATIO * next.max(1)
                        && share >= PLACEHOLDER_SHARE
                    {
                        out.push(entry(
                            spec,
                            part,
                            value,
                            top,
                            format!(
                                "held by {:.0}% of the records with a {}, {} times as many as the next value",
                                share * 100.0,
                                part_label(spec.kind, part),
                                top / next.max(1)
                            ),
                        ));
                    }
                }
            }
            out
        })
        .collect();
    let till = till_phones(schema, records, &found);
    found.extend(till);
    let (mut values, mut reports): (Vec<_>, Vec<_>) = found.into_iter().unzip();
    values.sort();
    reports.sort_by(|a: &GenericReport, b| {
        (a.field.as_str(), a.part.as_str(), b.records).cmp(&(
            b.field.as_str(),
            b.part.as_str(),
            a.records,
        ))
    });
    (values, reports)
}

/// Records with a placeholder name that must share a phone before it is read as the
/// till's: two, since one such record says nothing of where its phone came from.
const TILL_PHONE_HOLDERS: usize = 2;

/// How many times as often as records under a person's name the placeholder records must
/// hold a shared phone: an order of magnitude, no chance difference.
const TILL_RATIO: f64 = 10.0;

/// The least share of the placeholder records that must hold a shared phone: one in four,
/// so that a handful of such records in a file where named ones almost never share a phone
/// is no sign.
const TILL_PLACEHOLDER_SHARE: f64 = 0.25;

/// Phones typed by the till, not given by customers: where the records under a placeholder
/// name (`Walk-in Customer`, `Guest`) carry a phone many people share (a value found
/// generic above) far more often than the records under a person's name do, a placeholder
/// says the clerk typed the record, phone included; a phone two or more such records share
/// is then the store's own, though too few named records hold it to tell. In a file whose
/// placeholder names come with the customers' own phones (a mini-program's `微信用户`,
/// bound to the member's number), they hold shared phones no more often than named
/// records do, and nothing is added.
fn till_phones(
    schema: &Schema,
    records: &[NormalizedRecord],
    found: &[(GenericValue, GenericReport)],
) -> Vec<(GenericValue, GenericReport)> {
    let placeholders: Vec<(usize, &str)> = found
        .iter()
        .filter_map(|(v, _)| {
            let f = schema.field_index(&v.field)?;
            (schema.fields[f].kind == FieldKind::Name && v.part == Part::Value.name())
                .then_some((f, v.value.as_str()))
        })
        .collect();
    if placeholders.is_empty() {
        return Vec::new();
    }
    let placeholder: Vec<bool> = records
        .par_iter()
        .map(|r| {
            placeholders.iter().any(|&(f, value)| {
                r.field(f).value.as_ref().is_some_and(|v| {
                    Part::Value.may_be(v, value) && Part::Value.of(v).is_some_and(|n| n == value)
                })
            })
        })
        .collect();
    let named: Vec<bool> = records
        .par_iter()
        .map(|r| name_of(schema, r).is_some())
        .collect();
    let mut out = Vec::new();
    for (f, spec) in schema.fields.iter().enumerate() {
        if spec.kind != FieldKind::Phone || !parts(spec.kind, spec.compare).contains(&Part::Value) {
            continue;
        }
        let generic: foldhash::HashSet<&str> = found
            .iter()
            .filter(|(v, _)| v.field == spec.name && v.part == Part::Value.name())
            .map(|(v, _)| v.value.as_str())
            .collect();
        let phone_of = |i: usize| {
            records[i]
                .field(f)
                .value
                .as_ref()
                .and_then(|v| Part::Value.of(v))
        };
        // (placeholder records with a phone, those whose phone is generic), and the same
        // for records under a person's name.
        let (mut under_placeholder, mut named_counts) = ((0usize, 0usize), (0usize, 0usize));
        let mut till: std::collections::BTreeMap<String, usize> = Default::default();
        for i in 0..records.len() {
            let Some(phone) = phone_of(i) else { continue };
            let shared = generic.contains(&*phone);
            if placeholder[i] {
                under_placeholder.0 += 1;
                under_placeholder.1 += usize::from(shared);
                if !shared {
                    *till.entry(phone.into_owned()).or_default() += 1;
                }
            } else if named[i] {
                named_counts.0 += 1;
                named_counts.1 += usize::from(shared);
            }
        }
        let share = |(all, shared): (usize, usize)| shared as f64 / all.max(1) as f64;
        let (placeholder_share, named_share) = (share(under_placeholder), share(named_counts));
        if under_placeholder.0 < MIN_RECORDS
            || placeholder_share < TILL_PLACEHOLDER_SHARE
            || placeholder_share < TILL_RATIO * named_share
        {
            continue;
        }
        till.retain(|_, holders| *holders >= TILL_PHONE_HOLDERS);
        if till.is_empty() {
            continue;
        }
        let mut holders: foldhash::HashMap<&str, usize> = Default::default();
        for i in 0..records.len() {
            if let Some(phone) = phone_of(i)
                && let Some((value, _)) = till.get_key_value(&*phone)
            {
                *holders.entry(value.as_str()).or_default() += 1;
            }
        }
        for (value, placeholders) in &till {
            let held = holders
                .get(value.as_str())
                .copied()
                .unwrap_or(*placeholders);
            out.push(entry(
                spec,
                Part::Value,
                value,
                held,
                format!(
                    "held by {held} records, {placeholders} of them under a placeholder name; \
                     {:.0}% of the file's placeholder records hold a phone many people share, \
                     against {:.1}% of those under a person's name: the till's phone",
                    placeholder_share * 100.0,
                    named_share * 100.0
                ),
            ));
        }
    }
    out
}

/// The most default dates a file has: a form's default or two, an epoch, a round year.
/// More, the same excess year after year (the first of January of each), is how the file
/// writes a year alone, not defaults.
const MAX_DEFAULT_DATES: usize = 5;

/// Years around a birth year whose records tell how many it should hold: five each side.
const NEIGHBOUR_YEARS: i32 = 5;

/// Placeholder birth dates of field `field`, both parts in one pass:
/// - a year (`Part::Year`) held by [`PLACEHOLDER_RATIO`] times as many records as the years
///   around it hold on average, whose records make most of the file's ages over 120: a
///   year typed for "unknown" (`1900-06-18` beside `1978-06-18`: the day kept, the year
///   not);
/// - a date (`Part::Value`) of another year held by [`PLACEHOLDER_RATIO`] times as many
///   records as the other dates of its year hold on average, by records of at least
///   [`DISTINCT_PEOPLE`] family names: a default (`2000-01-01`, `1970-01-01`) rather than
///   the birthday of people who happen to share one, which spreads over a year's days.
///
/// Both are read against the data's own spread, so a file where many are born in one year
/// (a cohort, a school) keeps its dates.
fn placeholder_dates(
    spec: &sameas_core::FieldSpec,
    records: &[NormalizedRecord],
    field: usize,
    names: &[(Option<&str>, Option<&str>)],
) -> Vec<(GenericValue, GenericReport)> {
    let date_of = |i: usize| match &records[i].field(field).value {
        Some(FieldValue::Date(date)) => Some(date.0),
        _ => None,
    };
    let mut dates: Vec<(jiff::civil::Date, u32)> = (0..records.len())
        .into_par_iter()
        .filter_map(|i| date_of(i).map(|d| (d, i as u32)))
        .collect();
    dates.par_sort_unstable();
    // Per year, its records; per date, its records (in date order).
    let mut years: std::collections::BTreeMap<i16, usize> = std::collections::BTreeMap::new();
    for &(date, _) in &dates {
        *years.entry(date.year()).or_default() += 1;
    }
    let neighbours_mean = |year: i16| {
        let around: usize = (-NEIGHBOUR_YEARS..=NEIGHBOUR_YEARS)
            .filter(|&k| k != 0)
            .filter_map(|k| years.get(&(i32::from(year) + k).try_into().ok()?))
            .sum();
        around as f64 / f64::from(2 * NEIGHBOUR_YEARS)
    };
    let too_old = |holders: &[(jiff::civil::Date, u32)]| {
        holders
            .iter()
            .filter(|&&(_, i)| {
                records[i as usize]
                    .field(field)
                    .issues
                    .iter()
                    .any(|issue| issue.reason == sameas_normalize::date::AGE_OVER_LIMIT)
            })
            .count()
    };
    // Ages over 120 are rare among living customers; in a file of historical people they
    // are the rule, and a year many share is no placeholder there.
    let over_limit = too_old(&dates);
    let placeholder_years: Vec<i16> = dates
        .chunk_by(|a, b| a.0.year() == b.0.year())
        .filter(|run| {
            let count = run.len();
            count >= MIN_RECORDS
                && count as f64
                    >= PLACEHOLDER_RATIO as f64 * neighbours_mean(run[0].0.year()).max(1.0)
                && 2 * too_old(run) > over_limit
        })
        .map(|run| run[0].0.year())
        .collect();
    let mut out = Vec::new();
    for &year in &placeholder_years {
        let count = years[&year];
        out.push(entry(
            spec,
            Part::Year,
            &format!("{year:04}"),
            count,
            format!(
                "a birth year held by {count} records, {:.0} times as many as the years \
                 around it hold, and most of the file's ages over 120: a year typed for unknown",
                count as f64 / neighbours_mean(year).max(1.0)
            ),
        ));
    }
    // Per year, the dates held far beyond the other days of their year.
    let mut found = Vec::new();
    for year_run in dates.chunk_by(|a, b| a.0.year() == b.0.year()) {
        if placeholder_years.contains(&year_run[0].0.year()) {
            continue;
        }
        let distinct_dates = year_run.chunk_by(|a, b| a.0 == b.0).count();
        for run in year_run.chunk_by(|a, b| a.0 == b.0) {
            let count = run.len();
            if count < MIN_RECORDS || distinct_dates < 2 {
                continue;
            }
            let others = (year_run.len() - count) as f64 / (distinct_dates - 1) as f64;
            if (count as f64) >= PLACEHOLDER_RATIO as f64 * others.max(1.0) {
                found.push((run, others));
            }
        }
    }
    // The same excess in many years is how the file writes a year alone: its dates
    // say the year, and stay.
    if found.len() > MAX_DEFAULT_DATES {
        found.clear();
    }
    for (run, others) in found {
        let count = run.len();
        let families = distinct_names(run.iter().map(|&(_, i)| i), names, false);
        if families < DISTINCT_PEOPLE {
            continue;
        }
        let value = FieldValue::Date(sameas_normalize::date::NormalizedDate(run[0].0)).norm();
        out.push(entry(
            spec,
            Part::Value,
            &value,
            count,
            format!(
                "held by {count} records of {} different family names, {:.0} \
                 times as many as the other days of its year: a default date",
                groups_text(families),
                count as f64 / others.max(1.0)
            ),
        ));
    }
    out
}

/// The values of one part of a field, as [`held_values`] reads them.
struct Held<'r> {
    /// Records holding a value.
    total: usize,
    /// The two largest numbers of records holding one value (0 where there is none).
    largest: [usize; 2],
    /// The values held by at least [`MIN_RECORDS`] records, with their records, in value
    /// order: only these can be generic.
    common: Vec<(Cow<'r, str>, Vec<u32>)>,
}

/// Groups the records by their value of `part` of field `field`. Each value is read once,
/// as a 128-bit hash (two values sharing one: about one chance in 10^38 at a million
/// values), the hashes are sorted on all cores, and only the groups of [`MIN_RECORDS`] or
/// more read their value as a string again, from their first record: at a million records
/// most values are held once, and a map from every value string to its records cost more
/// than all the rest of the search.
fn held_values(records: &[NormalizedRecord], field: usize, part: Part) -> Held<'_> {
    let value_of = |i: u32| {
        records[i as usize]
            .field(field)
            .value
            .as_ref()
            .and_then(|v| part.of(v))
    };
    let mut keyed: Vec<(u128, u32)> = (0..records.len() as u32)
        .into_par_iter()
        .filter_map(|i| {
            let value = records[i as usize].field(field).value.as_ref()?;
            part.grouping_key(value).map(|key| (key, i))
        })
        .collect();
    keyed.par_sort_unstable();
    let mut largest = [0usize; 2];
    let mut common = Vec::new();
    for run in keyed.chunk_by(|a, b| a.0 == b.0) {
        let count = run.len();
        if count > largest[0] {
            largest = [count, largest[0]];
        } else if count > largest[1] {
            largest[1] = count;
        }
        if count >= MIN_RECORDS
            && let Some(value) = value_of(run[0].1)
        {
            common.push((value, run.iter().map(|&(_, i)| i).collect()));
        }
    }
    common.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Held {
        total: keyed.len(),
        largest,
        common,
    }
}

/// A value's 128-bit key for grouping: [`value_hash`] and a second hash under another
/// fixed seed, the same in every run.
fn value_key(value: &str) -> u128 {
    use std::hash::BuildHasher;
    let low = foldhash::quality::FixedState::with_seed(0x5eed_0002).hash_one(value);
    (u128::from(value_hash(value)) << 64) | u128::from(low)
}

/// A value's hash: the same in every run.
fn value_hash(value: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x5eed_0001).hash_one(value)
}

/// No phone (e-mail, identifier) in [`PeopleSigns`].
const NO_SIGN: u64 = u64::MAX;

/// What tells the holders of one name apart as people: their phones, e-mails and
/// identifiers (hashed per field), how many records hold each family name and each given
/// name, and which names are a family name with an honorific only.
struct PeopleSigns<'a> {
    /// Per identifying field, each record's value as a hash ([`NO_SIGN`] for none).
    signs: Vec<(&'static str, Vec<u64>)>,
    families: foldhash::HashMap<&'a str, usize>,
    givens: foldhash::HashMap<&'a str, usize>,
    /// Whether most names give both a family name and a given name.
    full_names_usual: bool,
    /// The records and their schema, for the shape of a name that may be a placeholder.
    schema: &'a Schema,
    records: &'a [NormalizedRecord],
}

/// What kind of name a record holds, as [`PeopleSigns::nickname`] reads it.
#[derive(Debug, Clone, Copy, Default)]
struct NameShape {
    /// A family name and an honorific only (`王先生`, Mr Smith).
    honorific_only: bool,
    /// A Han name: its given name is not read. A few family names hold most of the
    /// people, so the commonest name of a given name (`王芳` of `芳`) holds most of its
    /// records in a real file.
    han: bool,
}

impl<'a> PeopleSigns<'a> {
    /// Built only where a name field is a candidate; empty otherwise.
    fn new(
        schema: &'a Schema,
        records: &'a [NormalizedRecord],
        names: &[(Option<&'a str>, Option<&'a str>)],
        candidates: &[(usize, Part)],
    ) -> Self {
        let mut signs = Vec::new();
        let mut families: foldhash::HashMap<&str, usize> = Default::default();
        let mut givens: foldhash::HashMap<&str, usize> = Default::default();
        if !candidates
            .iter()
            .any(|&(f, _)| schema.fields[f].kind == FieldKind::Name)
        {
            return PeopleSigns {
                signs,
                families,
                givens,
                full_names_usual: false,
                schema,
                records,
            };
        }
        for (f, spec) in schema.fields.iter().enumerate() {
            let label = match spec.kind {
                FieldKind::Phone => "phones",
                FieldKind::Email => "e-mails",
                FieldKind::Identifier | FieldKind::NationalId => "identifiers",
                _ => continue,
            };
            let hashes = records
                .par_iter()
                .map(|r| {
                    r.field(f)
                        .value
                        .as_ref()
                        .and_then(|v| Part::Value.of(v))
                        .map_or(NO_SIGN, |v| value_hash(&v))
                })
                .collect();
            signs.push((label, hashes));
        }
        let (mut named, mut full) = (0usize, 0usize);
        for (family, given) in names {
            if let Some(family) = family {
                *families.entry(family).or_default() += 1;
            }
            if let Some(given) = given {
                *givens.entry(given).or_default() += 1;
            }
            named += usize::from(family.is_some() || given.is_some());
            full += usize::from(family.is_some() && given.is_some());
        }
        PeopleSigns {
            signs,
            families,
            givens,
            full_names_usual: 2 * full >= named.max(1),
            schema,
            records,
        }
    }

    /// What kind of name record `i` holds: read only for the few names that may be
    /// placeholders.
    fn shape(&self, i: u32) -> NameShape {
        name_of(self.schema, &self.records[i as usize]).map_or_else(NameShape::default, |n| {
            NameShape {
                honorific_only: n.honorific_only,
                han: n.script == sameas_normalize::name::NameScript::Han,
            }
        })
    }

    /// Why the name `holders` hold is a nickname or placeholder, if it is one: held by
    /// records of many different phones (or e-mails, or identifiers), and by more than half
    /// of the records of its family name or of its given name. A real name's family name is
    /// shared by many given names, and its given name by many family names; a placeholder's
    /// parts hardly occur but in it (`Cash Customer`, `Walk-in Customer`: `cash` and
    /// `walk-in` are no one's given name). Where names usually have both parts, a name of
    /// one part is read by the same sign (`Amy` alone, the name many customers of a Chinese
    /// shop go by): a real family name alone (`Williams`) is outnumbered by the records
    /// that give it with a given name.
    fn nickname(&self, holders: &[u32], names: &[(Option<&str>, Option<&str>)]) -> Option<String> {
        if holders.len() < MIN_RECORDS {
            return None;
        }
        let shape = self.shape(holders[0]);
        if shape.honorific_only {
            // A family name with an honorific (`王先生`) is many people's, and no nickname.
            return None;
        }
        let (family, given) = names[holders[0] as usize];
        if (family.is_none() || given.is_none()) && !self.full_names_usual {
            // A name of one part is a sign only where names usually have both: a file of
            // family names alone (a till that asks for nothing else) holds each real one
            // with many phones and no given name.
            return None;
        }
        let given = given.filter(|_| !shape.han);
        // The share of a part's records that hold this name: one name value can be written
        // with its parts split two ways (`Walk In` `Customer`, `Walk` `In Customer`), so
        // only the holders that split it this way count.
        let share_of = |part: Option<&str>, of_given: bool| {
            let counts = if of_given {
                &self.givens
            } else {
                &self.families
            };
            part.map(|p| {
                let holding = holders
                    .iter()
                    .filter(|&&i| {
                        let (family, given) = names[i as usize];
                        (if of_given { given } else { family }) == Some(p)
                    })
                    .count();
                holding as f64 / counts.get(p).copied().unwrap_or(0).max(1) as f64
            })
        };
        let (part, share) = [
            (
                "family name",
                share_of(family, false),
                NICKNAME_FAMILY_SHARE,
            ),
            ("given name", share_of(given, true), NICKNAME_GIVEN_SHARE),
        ]
        .into_iter()
        .filter_map(|(part, share, least)| share.filter(|&s| s > least).map(|s| (part, s)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
        let (label, distinct) = self
            .signs
            .iter()
            .map(|(label, ids)| {
                let mut seen: Vec<u64> = holders
                    .iter()
                    .map(|&i| ids[i as usize])
                    .filter(|&v| v != NO_SIGN)
                    .collect();
                seen.sort_unstable();
                seen.dedup();
                (*label, seen.len())
            })
            .max_by_key(|&(label, n)| (n, std::cmp::Reverse(label)))?;
        (distinct >= DISTINCT_PEOPLE).then(|| {
            format!(
                "held by {} records of {distinct} different {label}, and by {:.0}% of the \
                 records of its {part}: a nickname or placeholder, not a person's name",
                holders.len(),
                share * 100.0
            )
        })
    }
}

fn part_label(kind: FieldKind, part: Part) -> String {
    match part {
        Part::Value => kind.as_str().replace('_', " "),
        other => other.name().to_string(),
    }
}

fn entry(
    spec: &sameas_core::FieldSpec,
    part: Part,
    value: &str,
    records: usize,
    reason: String,
) -> (GenericValue, GenericReport) {
    let masked = match part {
        Part::Value => sameas_normalize::privacy::mask(spec.kind, value),
        // A place part: its first character, then stars.
        _ => {
            let mut chars = value.chars();
            let first: String = chars.next().into_iter().collect();
            first + &"*".repeat(chars.count())
        }
    };
    (
        GenericValue {
            field: spec.name.clone(),
            part: part.name().to_string(),
            value: value.to_string(),
        },
        GenericReport {
            field: spec.name.clone(),
            part: part.name().to_string(),
            masked,
            records: records as u64,
            reason,
        },
    )
}

/// Notes naming the fields of record `id` whose value (or a part of it) was treated as
/// generic, as `explain` and `explain-entity` give them; the words name fields, never
/// values.
pub fn generic_value_notes(
    schema: &Schema,
    id: &sameas_core::RecordId,
    record: &NormalizedRecord,
) -> Vec<String> {
    schema
        .fields
        .iter()
        .zip(record.fields())
        .filter(|(_, field)| field.issues.iter().any(|i| i.reason == GENERIC_REASON))
        .map(|(spec, _)| {
            format!(
                "{id}: its {} holds a generic value (one many unrelated records share: the \
                 whole value or a part, such as a placeholder postcode or a default birth \
                 date), not used for matching",
                spec.name
            )
        })
        .collect()
}

/// Treats `generic` values as missing in `records`: the value (or the address part) is
/// blanked and the field flagged. Returns how many values were blanked. The resolver does
/// this to every table it reads; `sameas match` does it too, so both score alike.
pub fn apply(generic: &[GenericValue], schema: &Schema, records: &mut [NormalizedRecord]) -> u64 {
    if generic.is_empty() {
        return 0;
    }
    // Per field, the (part, value) pairs to blank.
    let mut by_field: Vec<Vec<(Part, &str)>> = vec![Vec::new(); schema.fields.len()];
    for g in generic {
        if let (Some(field), Some(part)) = (schema.field_index(&g.field), Part::from_name(&g.part))
        {
            by_field[field].push((part, g.value.as_str()));
        }
    }
    // One part's values together, so that each record's part is read once.
    for parts in &mut by_field {
        parts.sort_by_key(|&(part, _)| part);
    }
    records
        .par_iter_mut()
        .map(|record| {
            let mut blanked = 0;
            for (at, field) in record.stored_fields_mut() {
                for same_part in by_field[at].chunk_by(|a, b| a.0 == b.0) {
                    let Some(current) = field.value.as_ref() else {
                        break;
                    };
                    let part = same_part[0].0;
                    if !same_part
                        .iter()
                        .any(|&(_, value)| part.may_be(current, value))
                    {
                        continue;
                    }
                    let Some(held) = part.of(current) else {
                        continue;
                    };
                    if !same_part.iter().any(|&(_, value)| *held == *value) {
                        continue;
                    }
                    let current = field.value.as_mut().expect("read above");
                    if part.blank(current) {
                        field.value = None;
                    }
                    if !field.issues.iter().any(|i| i.reason == GENERIC_REASON) {
                        field
                            .issues
                            .push(Issue::new(IssueKind::Suspicious, GENERIC_REASON));
                    }
                    blanked += 1;
                }
            }
            blanked
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_make_one_group_and_counting_stops_at_its_limit() {
        let variants = ["smith", "smyth", "smithe", "jones", "jonas", "wang"];
        assert_eq!(distinct_groups(variants.into_iter()), 3);
        let many: Vec<String> = (0..500)
            .map(|i| format!("{}{}", ["q", "x", "z"][i % 3], i * 7919))
            .collect();
        let counted = distinct_groups(many.iter().map(String::as_str));
        assert_eq!(counted, GROUPS_COUNTED);
        assert!(counted >= DISTINCT_PEOPLE);
        assert_eq!(groups_text(counted), "20 or more");
        assert_eq!(groups_text(7), "7");
    }
}
