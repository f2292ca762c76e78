//! Schema inference: what each column of a table holds, read from its header and, when the
//! rows are given, from its values; and assembling a [`Record`] from a row under a schema.
//!
//! A header the rules know settles most columns (`phone`, `PRIMARY_NAME_LAST`,
//! `postcode_fake`); the values decide the rest, and overrule a header that only suggests a
//! kind (`*_id` holding e-mails). Label-like columns (`cluster`, `person_id` …) and columns
//! that say nothing about who someone is (amounts, order ids, a column's type) are kept and
//! never compared. [`InferredSchema::columns`] says, per column, what it was read as and why.

mod content;
mod header;

use serde::Serialize;

use sameas_core::{
    Channel, FieldKind, FieldPart, FieldSpec, Record, RecordId, Schema, SourceColumn, Value,
};

use crate::table::{Table, TableRow};
use crate::text;
use crate::{DateOrder, NormalizeError};
use content::ColumnStats;
// The table reader tells a header from a first record, and repeated headers apart, by them.
use header::{HeaderReading, Role, read_header};
pub(crate) use header::{header_key, is_exact_header};

/// A schema read from a table, with what the reader should be warned about.
#[derive(Debug, Clone, PartialEq)]
pub struct InferredSchema {
    /// The schema.
    pub schema: Schema,
    /// Warnings for the user, such as a missing id column. They name columns, never values.
    pub warnings: Vec<String>,
    /// Per input column, in order: what it was read as and why.
    pub columns: Vec<ColumnReading>,
    /// Normalizer options the values suggest (a phone region, a date order), for a caller
    /// that was not told them.
    pub hints: OptionHints,
}

/// How one input column was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnReading {
    /// 0-based column position.
    pub column: usize,
    /// The header, trimmed.
    pub header: String,
    /// What it was read as: `record id`, `channel`, `updated at`, a field kind (`phone`),
    /// a field part (`name.given`, `address.postcode`), `attribute`, `label` or `text`.
    pub read_as: String,
    /// The field it feeds, if any.
    pub field: Option<String>,
    /// Whether matching compares it.
    pub compared: bool,
    /// Why, in words: which header rule or which share of the values decided.
    pub reason: String,
}

/// Normalizer options suggested by the values, each with the reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptionHints {
    /// The phone region most numbers written without a country code belong to.
    pub region: Option<(String, String)>,
    /// The order of ambiguous numeric dates, when unambiguous dates show it.
    pub date_order: Option<(DateOrder, String)>,
    /// Whether the names in Han characters are Chinese names (see
    /// [`crate::NormalizeOptions::chinese_names`]), and why, when the name columns hold
    /// enough of them to tell.
    pub chinese_names: Option<(bool, String)>,
}

/// What inference decided for one column.
#[derive(Debug, Clone)]
struct Decision {
    role: Role,
    compared: bool,
    reason: String,
}

impl Decision {
    fn new(role: Role, compared: bool, reason: impl Into<String>) -> Self {
        Decision {
            role,
            compared,
            reason: reason.into(),
        }
    }
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// Whether a field of `kind` is compared by default.
fn compared_by_default(kind: FieldKind) -> bool {
    !matches!(kind, FieldKind::Text | FieldKind::Date)
}

/// The decision for a column from its header alone.
fn from_header(reading: HeaderReading) -> Decision {
    let compared = match reading.role {
        Role::Whole(kind) => compared_by_default(kind),
        Role::NamePart(_) | Role::AddressPart(_) | Role::Attribute => true,
        _ => false,
    };
    let reason = if reading.role == Role::Unknown {
        "the header is not one the rules know: passed through, not compared"
    } else {
        reading.reason
    };
    let role = if reading.role == Role::Unknown {
        Role::PassThrough
    } else {
        reading.role
    };
    Decision::new(role, compared, reason)
}

/// The decision for a column from its header and its values.
fn from_content(reading: HeaderReading, stats: &ColumnStats) -> Decision {
    use FieldKind::*;
    if stats.values == 0 {
        let mut decision = from_header(reading);
        if decision.compared {
            decision.compared = false;
            decision.reason = format!("{}; the column is empty: not compared", reading.reason);
        }
        return decision;
    }
    let share = |n| stats.share(n);
    let mostly = |n| share(n) >= 0.8;
    match reading.role {
        Role::Whole(NationalId) if !reading.settled => {
            return if share(stats.national_ids) >= 0.5 {
                Decision::new(Role::Whole(NationalId), true, reading.reason)
            } else {
                Decision::new(
                    Role::Whole(Identifier),
                    true,
                    format!(
                        "{}, but only {} of the values are Chinese resident ids: an identifier",
                        reading.reason,
                        percent(share(stats.national_ids))
                    ),
                )
            };
        }
        Role::Whole(Identifier) if !reading.settled => {
            if mostly(stats.emails) {
                return Decision::new(
                    Role::Whole(Email),
                    true,
                    format!("{} of the values are e-mails", percent(share(stats.emails))),
                );
            }
            if mostly(stats.national_ids) {
                return Decision::new(
                    Role::Whole(NationalId),
                    true,
                    format!(
                        "{} of the values are Chinese resident ids",
                        percent(share(stats.national_ids))
                    ),
                );
            }
            if mostly(stats.words) {
                return attribute(
                    stats,
                    "the header names an identifier, but the values are words: an attribute",
                );
            }
            if stats.distinct <= 1 && stats.values > 1 {
                return Decision::new(
                    Role::PassThrough,
                    false,
                    "every value is the same: not compared",
                );
            }
            return Decision::new(Role::Whole(Identifier), true, reading.reason);
        }
        Role::Whole(kind @ (Email | Phone))
            if share(stats.words) >= 0.8 && share(stats.emails.max(stats.phones)) < 0.2 =>
        {
            // `Accepts Email Marketing`, `SMS opt-in`: about the contact, not the contact.
            return Decision::new(
                Role::PassThrough,
                false,
                format!(
                    "{}, but {} of the values are words (yes, no …) and not {}: not compared",
                    reading.reason,
                    percent(share(stats.words)),
                    if kind == Email { "e-mails" } else { "phones" }
                ),
            );
        }
        Role::Attribute => return attribute(stats, reading.reason),
        Role::Unknown => {}
        _ => return from_header(reading),
    }
    // The header said nothing: the values decide.
    let by_content = |kind: FieldKind, count: usize, what: &str| {
        Decision::new(
            Role::Whole(kind),
            compared_by_default(kind),
            format!("{} of the values are {what}", percent(share(count))),
        )
    };
    if mostly(stats.emails) {
        return by_content(Email, stats.emails, "e-mails");
    }
    if mostly(stats.national_ids) {
        return by_content(NationalId, stats.national_ids, "Chinese resident ids");
    }
    if mostly(stats.phones) {
        return by_content(Phone, stats.phones, "phone numbers");
    }
    if mostly(stats.dates) && stats.middle_years() >= BIRTH_YEARS_SPREAD_MIN {
        return Decision::new(
            Role::Whole(BirthDate),
            true,
            format!(
                "{} of the values are dates, their middle half spread over {} years as birth dates are (the dates of orders or sign-ups fall within a few): birth dates",
                percent(share(stats.dates)),
                stats.middle_years()
            ),
        );
    }
    if mostly(stats.dates) {
        return Decision::new(
            Role::Whole(Date),
            false,
            format!(
                "{} of the values are dates, and the header does not say birth: not compared",
                percent(share(stats.dates))
            ),
        );
    }
    if mostly(stats.numbers) {
        return Decision::new(
            Role::PassThrough,
            false,
            "the values are numbers (amounts, counts, scores): not compared",
        );
    }
    if mostly(stats.ids) && stats.distinct < stats.values && stats.distinct > 1 {
        return by_content(Identifier, stats.ids, "identifier-shaped and some repeat");
    }
    // Codes alone (`1`, `2`) are flags as often as genders: half must be written in letters.
    if share(stats.genders) >= 0.9
        && stats.distinct >= 2
        && stats.genders_in_letters * 2 >= stats.genders
    {
        return by_content(Gender, stats.genders, "genders (M, F, 男, 女 …)");
    }
    if let Some(decision) = name_by_content(stats).or_else(|| address_by_content(stats)) {
        return decision;
    }
    if let Some(decision) = han_place_by_content(stats) {
        return decision;
    }
    if share(stats.addresses.lettered_postcodes) >= ADDRESS_PART_MIN {
        return Decision::new(
            Role::AddressPart(FieldPart::Postcode),
            true,
            format!(
                "{} of the values are postcodes of letters and digits (`TQ13 8DF`, `K1A 0B1`): the postcode",
                percent(share(stats.addresses.lettered_postcodes))
            ),
        );
    }
    // Words that repeat, over more values than a category has (a town, a birth place, an
    // occupation): what a person is or where they are from, compared as an attribute.
    if mostly(stats.words) && stats.distinct >= NAMES_DISTINCT_MIN {
        let decision = attribute(
            stats,
            "the values are words that repeat, more of them than a category has: a personal attribute",
        );
        if decision.compared {
            return decision;
        }
    }
    Decision::new(
        Role::PassThrough,
        false,
        "the header is not one the rules know and the values are no known kind: passed through, not compared",
    )
}

/// Fewest years between the first and third quartiles of a date column's years for it to be
/// read as birth dates where the header says nothing: a population's birth years spread
/// over decades (the middle half of FEBRL 3's over 51 years, of pseudopeople's over 38),
/// the events a business records over the few years it has kept them.
const BIRTH_YEARS_SPREAD_MIN: u16 = 15;

/// A decision read from the values, compared.
fn compared(role: Role, reason: String) -> Option<Decision> {
    Some(Decision::new(role, true, reason))
}

/// Least share of a column's values that must read as Chinese names (a listed surname and
/// one to three characters) for it to be read as names.
const HAN_NAMES_MIN: f64 = 0.6;

/// Least share of a column's words that must be known given names or nicknames for it to
/// be read as given names (or, with two to four words a value, as whole names). The table
/// knows the common forms only, and files misspell them: FEBRL's given names are a third
/// known, its family names and towns a twentieth.
const KNOWN_GIVEN_MIN: f64 = 0.2;

/// Fewest distinct values for a column to be read as names: a category of a few values
/// (`Active`, `Gold`) is not a column of people.
const NAMES_DISTINCT_MIN: usize = 20;

/// Most values per distinct value for a column to be read as names: people's names vary
/// (FEBRL's 5,000 given names hold about 1,000 spellings), a region or a status repeats.
const NAMES_VALUES_PER_DISTINCT: usize = 50;

/// A column the header says nothing of, read as names from its values: Chinese names, given
/// names (one word, a fair share of them known given names) or whole names (two to four
/// words, a fair share holding a known given name). `None` when the values are not so.
fn name_by_content(stats: &ColumnStats) -> Option<Decision> {
    let names = &stats.names;
    if stats.share(names.initials) >= 0.5 {
        // Kept only beside given names read so (see `names_beside_given`).
        return compared(
            Role::NamePart(FieldPart::Middle),
            format!(
                "{} of the values are single letters, beside a column of given names: middle initials",
                percent(stats.share(names.initials))
            ),
        );
    }
    let varied = stats.distinct >= NAMES_DISTINCT_MIN.max(stats.values / NAMES_VALUES_PER_DISTINCT);
    if !varied || stats.share(stats.words) < 0.8 {
        return None;
    }
    let share = |n| stats.share(n);
    if share(names.han) >= HAN_NAMES_MIN {
        return compared(
            Role::Whole(FieldKind::Name),
            format!(
                "{} of the values are Chinese names (a listed surname and one to three characters)",
                percent(share(names.han))
            ),
        );
    }
    let known_one = names.known_given_share();
    if share(names.one_word) >= 0.8 && known_one >= KNOWN_GIVEN_MIN {
        return compared(
            Role::NamePart(FieldPart::Given),
            format!(
                "the values are single words, {} of them known given names or nicknames: given names",
                percent(known_one)
            ),
        );
    }
    let known_several = names.recognised_share();
    if share(names.several_words) >= 0.6 && known_several >= KNOWN_GIVEN_MIN {
        return compared(
            Role::Whole(FieldKind::Name),
            format!(
                "{} of the values are two to four words, {} of those with a known given name or read as a romanised Chinese name: whole names",
                percent(share(names.several_words)),
                percent(known_several)
            ),
        );
    }
    None
}

/// A column of Chinese places named alone (`广东省`, `深圳市`, `龙岗区`) where the header says
/// nothing: the province, the city or the district of the address, by the level most of
/// its places have (a municipality, `上海市`, is a province and its own city).
fn han_place_by_content(stats: &ColumnStats) -> Option<Decision> {
    let places = &stats.addresses.han_places;
    let named = places.iter().sum::<usize>();
    if stats.share(named) < 0.8 || stats.distinct < 2 {
        return None;
    }
    let (level, &count) = places
        .iter()
        .enumerate()
        .max_by_key(|&(level, &n)| (n, std::cmp::Reverse(level)))?;
    let (part, what) = match level {
        0 => (FieldPart::Region, "provinces"),
        1 => (FieldPart::City, "cities"),
        _ => (FieldPart::Locality, "districts"),
    };
    compared(
        Role::AddressPart(part),
        format!(
            "{} of the values are Chinese places, {} of them {what}: the {}",
            percent(stats.share(named)),
            percent(content::fraction(count, named)),
            match part {
                FieldPart::Region => "province",
                FieldPart::City => "city",
                _ => "district",
            }
        ),
    )
}

/// Least share of a column's values that must read as addresses (Chinese ones, or street
/// lines with a street type) for it to be read as addresses where the header says nothing.
const ADDRESSES_MIN: f64 = 0.6;

/// A column the header says nothing of, read as addresses from its values: Chinese
/// addresses or numbered street lines (`123 Main St`) are whole addresses, street lines
/// without a number (`starling st`) the street part.
fn address_by_content(stats: &ColumnStats) -> Option<Decision> {
    let addresses = &stats.addresses;
    let share = |n| stats.share(n);
    if stats.distinct < NAMES_DISTINCT_MIN {
        return None;
    }
    if share(addresses.han) >= ADDRESSES_MIN {
        return compared(
            Role::Whole(FieldKind::Address),
            format!(
                "{} of the values are Chinese addresses (省 市 区 路 号 …)",
                percent(share(addresses.han))
            ),
        );
    }
    if share(addresses.streets) < ADDRESSES_MIN {
        return None;
    }
    let reason = |what: &str| {
        format!(
            "{} of the values are street lines (a street type after a name){what}",
            percent(share(addresses.streets))
        )
    };
    if addresses.numbered_streets * 2 >= addresses.streets {
        compared(
            Role::Whole(FieldKind::Address),
            reason(", most led by a house number: whole addresses"),
        )
    } else {
        compared(Role::AddressPart(FieldPart::Street), reason(": the street"))
    }
}

/// Least share of a column's values of one shape for it to be read as that address part.
const ADDRESS_PART_MIN: f64 = 0.9;

/// Columns furthest after the street that may hold its town, state and postcode.
const ADDRESS_PARTS_AFTER_STREET: usize = 4;

/// Most distinct values of a column of state codes (a country's states and territories).
const REGIONS_MAX: usize = 80;

/// Whether column `column` holds a value in every row of the table, each value once; with
/// `whole_numbers`, each of digits only.
fn present_and_distinct(table: &Table, column: usize, whole_numbers: bool) -> bool {
    let mut seen: foldhash::HashSet<&str> = foldhash::HashSet::default();
    seen.reserve(table.rows.len());
    table.rows.iter().all(|row| {
        let value = row.cells.get(column).map_or("", |v| v.trim());
        !value.is_empty()
            && (!whole_numbers || value.bytes().all(|b| b.is_ascii_digit()))
            && seen.insert(value)
    })
}

/// The parts of a split address around its street column, where their headers say nothing:
/// files keep an address's columns together, in the order it is written. The column just
/// before the street, of house numbers (`12`, `7a`), is the house number; in the few columns
/// after it, one of units (`Apt 4`, `# 12`) just after it is the second address line, one of
/// digits nearly all of one length (four to six: `2119`, `60652`, a ZIP+4 counted by its
/// five) is the postcode, one of codes of one to three letters (`WA`, `nsw`; a few, whatever
/// their case) the state, and the column of words just before the first of those the town.
/// Numbered street lines read as whole addresses are the street when such places follow.
/// Read apart, such columns are counts and codes; beside a street they are where the street
/// is.
fn address_parts_beside_street(
    decisions: &mut [Decision],
    readings: &[HeaderReading],
    stats: &[ColumnStats],
) {
    // A column of numbered street lines read as whole addresses from its values is the
    // street line where the town, state or postcode follow in columns of their own.
    let whole_street_lines = |c: usize| {
        readings[c].role == Role::Unknown
            && decisions[c].role == Role::Whole(FieldKind::Address)
            && stats[c].addresses.streets > stats[c].addresses.han
    };
    let Some(street) = decisions
        .iter()
        .position(|d| d.role == Role::AddressPart(FieldPart::Street))
        .or_else(|| (0..decisions.len()).find(|&c| whole_street_lines(c)))
    else {
        return;
    };
    let read_whole = decisions[street].role == Role::Whole(FieldKind::Address);
    let place = |d: &Decision| {
        matches!(
            d.role,
            Role::AddressPart(
                FieldPart::StreetNumber
                    | FieldPart::Postcode
                    | FieldPart::Region
                    | FieldPart::Locality
                    | FieldPart::City
            )
        )
    };
    if decisions
        .iter()
        .zip(readings)
        .any(|(d, r)| r.role != Role::Unknown && place(d))
    {
        // The headers name the address's parts: they say where the rest is.
        return;
    }
    let open = |decisions: &[Decision], c: usize| {
        readings[c].role == Role::Unknown
            && matches!(decisions[c].role, Role::PassThrough | Role::Attribute)
    };
    let set = |decisions: &mut [Decision], c: usize, part: FieldPart, why: String| {
        decisions[c] = Decision::new(Role::AddressPart(part), true, why);
    };
    if let Some(before) = street.checked_sub(1).filter(|_| !read_whole) {
        let s = &stats[before];
        let share = s.share(s.addresses.house_numbers);
        if open(decisions, before) && share >= ADDRESS_PART_MIN && s.distinct >= NAMES_DISTINCT_MIN
        {
            set(
                decisions,
                before,
                FieldPart::StreetNumber,
                format!(
                    "{} of the values are house numbers, just before the street: the house number",
                    percent(share)
                ),
            );
        }
    }
    let after = street + 1..(street + 1 + ADDRESS_PARTS_AFTER_STREET).min(decisions.len());
    let mut first_place = None;
    // A column of units (`Apt 4`, `# 12`) just after the street: its second line, read once
    // the street is known to be one.
    let address_2 = after.clone().next().filter(|&next| {
        let s = &stats[next];
        open(decisions, next)
            && s.share(s.addresses.units) >= ADDRESSES_MIN
            && s.distinct >= NAMES_DISTINCT_MIN
    });
    for c in after {
        if Some(c) == address_2 {
            continue;
        }
        if place(&decisions[c]) {
            // A postcode its values alone told (`OX1 2JD`).
            first_place.get_or_insert(c);
            continue;
        }
        if !open(decisions, c) {
            continue;
        }
        let s = &stats[c];
        let (length, count) = s.addresses.usual_digit_length();
        let codes = s.share(s.addresses.short_codes);
        if (4..=6).contains(&length)
            && s.share(count) >= ADDRESS_PART_MIN
            && s.distinct >= NAMES_DISTINCT_MIN
        {
            set(
                decisions,
                c,
                FieldPart::Postcode,
                format!(
                    "{} of the values are {length} digits, a few columns after the street: the postcode",
                    percent(s.share(count))
                ),
            );
        } else if codes >= ADDRESS_PART_MIN
            && (2..=REGIONS_MAX).contains(&s.addresses.distinct_short_codes.len())
        {
            set(
                decisions,
                c,
                FieldPart::Region,
                format!(
                    "{} of the values are codes of one to three letters ({} of them), a few columns after the street: the state",
                    percent(codes),
                    s.addresses.distinct_short_codes.len()
                ),
            );
        } else {
            continue;
        }
        first_place.get_or_insert(c);
    }
    if read_whole {
        if first_place.is_none() {
            // Whole addresses after all: the columns beside them stay what they were.
            return;
        }
        let share = stats[street].share(stats[street].addresses.streets);
        decisions[street] = Decision::new(
            Role::AddressPart(FieldPart::Street),
            true,
            format!(
                "{} of the values are street lines (a street type after a name), most led by a house number, with the town, state or postcode in the columns after: the street line",
                percent(share)
            ),
        );
    }
    if let Some(c) = address_2 {
        let s = &stats[c];
        set(
            decisions,
            c,
            FieldPart::Address2,
            format!(
                "{} of the values are units (`Apt 4`, `# 12`), just after the street: the second address line",
                percent(s.share(s.addresses.units))
            ),
        );
    }
    let Some(town) = first_place
        .and_then(|c| c.checked_sub(1))
        .filter(|&c| c > street && Some(c) != address_2)
    else {
        return;
    };
    let s = &stats[town];
    if open(decisions, town) && s.share(s.words) >= 0.8 && s.distinct >= NAMES_DISTINCT_MIN {
        set(
            decisions,
            town,
            FieldPart::Locality,
            format!(
                "{} of the values are words, between the street and its postcode or state: the town",
                percent(s.share(s.words))
            ),
        );
    }
}

/// The name parts around a column read as given names from its values: a column of initials
/// beside it is the middle name, and the nearest column of single words (after it, past a
/// middle one, else before it) whose header says nothing and whose words are seldom given
/// names (under half the given column's share) is the family name: files put them side by
/// side. Initials away from given names are passed through.
fn names_beside_given(
    decisions: &mut [Decision],
    readings: &[HeaderReading],
    stats: &[ColumnStats],
) {
    // A name part where the header says nothing was read from the values.
    let unnamed = |c: usize| readings[c].role == Role::Unknown;
    let read_as = |decisions: &[Decision], c: usize, part| {
        unnamed(c) && decisions[c].role == Role::NamePart(part)
    };
    let by_values: Vec<bool> = (0..decisions.len())
        .map(|c| unnamed(c) && matches!(decisions[c].role, Role::NamePart(_)))
        .collect();
    let known = |s: &ColumnStats| s.names.known_given_share();
    // One column of given names: where several read so, the one most often known.
    let given_at = (0..decisions.len())
        .filter(|&c| read_as(decisions, c, FieldPart::Given))
        .max_by(|&a, &b| {
            known(&stats[a])
                .total_cmp(&known(&stats[b]))
                .then(b.cmp(&a))
        });
    for c in 0..decisions.len() {
        if read_as(decisions, c, FieldPart::Given) && Some(c) != given_at {
            decisions[c] = Decision::new(
                Role::PassThrough,
                false,
                format!(
                    "the values read as given names less often than column {}'s: passed through, not compared",
                    given_at.map_or(0, |g| g + 1)
                ),
            );
        }
        let beside = given_at.is_some_and(|g| c + 1 == g || g + 1 == c);
        if read_as(decisions, c, FieldPart::Middle) && !beside {
            decisions[c] = Decision::new(
                Role::PassThrough,
                false,
                "the values are single letters, not beside given names: passed through, not compared",
            );
        }
    }
    let Some(given) = given_at else {
        return;
    };
    if decisions
        .iter()
        .any(|d| d.role == Role::NamePart(FieldPart::Family))
    {
        return;
    }
    let given_share = known(&stats[given]);
    // Not a column the values first read as names and that was set aside above.
    let candidate = |c: usize| {
        let s = &stats[c];
        // Words of a column the header says nothing of read first as an attribute.
        matches!(decisions[c].role, Role::PassThrough | Role::Attribute)
            && unnamed(c)
            && !by_values[c]
            && s.distinct >= NAMES_DISTINCT_MIN
            && s.share(s.names.one_word) >= 0.8
            && known(s) * 2.0 < given_share
    };
    let past_middle = (given + 1 < decisions.len()
        && read_as(decisions, given + 1, FieldPart::Middle))
    .then_some(given + 2);
    let beside = [Some(given + 1), past_middle, Some(given.wrapping_sub(1))];
    let Some(family) = beside
        .into_iter()
        .flatten()
        .find(|&c| c < decisions.len() && candidate(c))
    else {
        return;
    };
    decisions[family] = Decision::new(
        Role::NamePart(FieldPart::Family),
        true,
        format!(
            "the values are single words, {} of them known given names, beside a column of given names: family names",
            percent(known(&stats[family]))
        ),
    );
}

/// An attribute column is compared when it is a category: more than one value, and not
/// near-unique free text.
fn attribute(stats: &ColumnStats, reason: &str) -> Decision {
    let ratio = stats.distinct_ratio();
    if stats.distinct <= 1 {
        return Decision::new(
            Role::Attribute,
            false,
            format!("{reason}; every value is the same: not compared"),
        );
    }
    if stats.share(stats.long) > 0.2 {
        return Decision::new(
            Role::Attribute,
            false,
            format!("{reason}; the values are long free text: not compared"),
        );
    }
    if ratio > 0.5 && stats.values >= 20 {
        return Decision::new(
            Role::Attribute,
            false,
            format!(
                "{reason}; {} of the values are distinct, nearly unique: not compared",
                percent(ratio)
            ),
        );
    }
    Decision::new(
        Role::Attribute,
        true,
        format!(
            "{reason} ({} distinct values): compared with term frequencies",
            stats.distinct
        ),
    )
}

/// Infers a schema from a header row.
///
/// Split name columns become one `name` field with parts and split address columns one
/// `address` field; identifier-like headers (`*_id`, `*_no`, `ssn`, `会员卡号` …) become
/// identifiers; label-like and unrecognised columns are kept as [`FieldKind::Text`] and not
/// compared. [`infer_schema_from_table`] looks at the values as well.
///
/// # Errors
/// [`NormalizeError::NoHeader`] when every header is blank or the first row looks like data;
/// [`NormalizeError::DuplicateHeader`] when a header repeats.
///
/// ```
/// use sameas_core::FieldKind;
/// use sameas_normalize::infer::infer_schema;
///
/// let inferred = infer_schema(&["客户编号", "姓名", "手机号", "cluster"]).unwrap();
/// let schema = inferred.schema;
/// assert_eq!(schema.id_column.unwrap().header, "客户编号");
/// assert_eq!(schema.fields[0].kind, FieldKind::Name);
/// assert_eq!(schema.fields[1].kind, FieldKind::Phone);
/// assert!(!schema.fields[2].compare);
/// ```
pub fn infer_schema<S: AsRef<str>>(headers: &[S]) -> Result<InferredSchema, NormalizeError> {
    let readings = check_headers(headers)?;
    let mut decisions: Vec<Decision> = readings.into_iter().map(from_header).collect();
    given_beside_family(headers, &mut decisions, &[]);
    Ok(assemble(headers, decisions, OptionHints::default()))
}

/// Infers a schema from a table: the headers, then the values of every column (a sample of
/// about 50,000 rows chosen by content, so row order never matters). A column of e-mails,
/// phones, dates or ids is that kind whatever its header; personal attributes of moderate
/// cardinality (occupation, birth place, employer) are compared; near-unique free text,
/// numbers and label-like columns are not. Where no header names a record id, a column whose
/// values are all present and distinct serves as one.
///
/// # Errors
/// As [`infer_schema`].
///
/// ```
/// use sameas_core::FieldKind;
/// use sameas_normalize::infer::infer_schema_from_table;
/// use sameas_normalize::table::read_csv;
///
/// let table = read_csv(b"id,contact,occupation\n1,a@x.com,nurse\n2,b@y.org,nurse\n3,c@z.net,baker\n", None).unwrap();
/// let inferred = infer_schema_from_table(&table).unwrap();
/// assert_eq!(inferred.schema.fields[0].kind, FieldKind::Email);
/// assert!(inferred.schema.fields[1].compare);
/// assert!(inferred.columns[1].reason.contains("e-mails"));
/// ```
pub fn infer_schema_from_table(table: &Table) -> Result<InferredSchema, NormalizeError> {
    if table.rows.is_empty() {
        // Nothing to look at: the headers decide, as for a file resolved later.
        return infer_schema(&table.headers);
    }
    let readings = check_headers(&table.headers)?;
    let rows = content::sample_rows(&table.rows);
    let stats: Vec<ColumnStats> = (0..table.headers.len())
        .map(|c| {
            // Only a column whose header says nothing is read for people's values.
            let reading = if readings[c].role == Role::Unknown {
                content::Reading::People
            } else {
                content::Reading::Shapes
            };
            content::column_stats(&rows, c, reading)
        })
        .collect();
    let mut decisions: Vec<Decision> = readings
        .iter()
        .zip(&stats)
        .map(|(&reading, stats)| from_content(reading, stats))
        .collect();
    given_beside_family(&table.headers, &mut decisions, &rows);
    names_beside_given(&mut decisions, &readings, &stats);
    address_parts_beside_street(&mut decisions, &readings, &stats);
    fold_whole_columns(&mut decisions, &rows);
    // No header names the id: the first identifier whose values are all present and
    // distinct (checked over every row where the sample left some out) is one.
    if !decisions.iter().any(|d| d.role == Role::RecordId) {
        // An identifier, identifier-shaped values (`rec-1496-org`, `C000123`) or whole
        // numbers (`0`, `1`, …, a row counter) under a header that says nothing.
        let unique = (0..decisions.len()).find(|&c| {
            let (d, s) = (&decisions[c], &stats[c]);
            let numbers = d.role == Role::PassThrough && s.share(s.numbers) >= 0.8;
            let id_shaped = d.role == Role::Whole(FieldKind::Identifier)
                || (d.role == Role::PassThrough && s.share(s.ids) >= 0.8)
                || numbers;
            id_shaped
                && s.values == rows.len()
                && s.distinct == s.values
                && s.values >= 2
                && present_and_distinct(table, c, numbers)
        });
        if let Some(at) = unique {
            decisions[at] = Decision::new(
                Role::RecordId,
                false,
                "no header names the record id, and every value here is present and distinct",
            );
        }
    }
    let mut hints = hints(&dated_columns(&stats, &readings));
    hints.chinese_names = chinese_names(&decisions, &stats);
    let mut inferred = assemble(&table.headers, decisions, hints);
    if let Some(sheet) = table.sheet.as_ref().filter(|s| s.others_with_cells > 0) {
        inferred.warnings.push(format!(
            "the workbook's first worksheet with cells, `{}`, was read; {} other worksheet(s) \
             with cells were not: save each as a file of its own to read it",
            sheet.name, sheet.others_with_cells
        ));
    }
    for &(column, first) in &table.renamed_headers {
        inferred.warnings.push(format!(
            "column {} has the same header as column {}: it was read as that header with `_{}` \
             added, so that each column has a name of its own",
            column + 1,
            first + 1,
            table.headers[column].rsplit('_').next().unwrap_or_default()
        ));
    }
    if table.header_line == 0 {
        inferred.warnings.push(format!(
            "the first line reads as a record, not a header (in the columns of numbers and \
             e-mails below it, it holds numbers and e-mails too): it was kept as data, and the \
             columns were named by their places, {first} to {last}",
            first = table.headers.first().map_or("", String::as_str),
            last = table.headers.last().map_or("", String::as_str),
        ));
    }
    if table.header_line > 1 {
        inferred.warnings.push(format!(
            "the header was read on line {}: the lines above it hold at most one cell each \
             (a title) and were skipped",
            table.header_line
        ));
    }
    Ok(inferred)
}

/// A column headed only "name" (`Name`, `Nombre`, `nome`) beside a family-name column and no
/// given-name one holds the given name (`Name`, `Surname` on a form; `Nombre`, `Apellidos`),
/// unless its values mostly hold the family name too (a full name kept beside the family name
/// for sorting): then it stays a whole name. `rows` is the content sample (empty: the header
/// alone decides).
fn given_beside_family<S: AsRef<str>>(
    headers: &[S],
    decisions: &mut [Decision],
    rows: &[&TableRow],
) {
    let has = |part| decisions.iter().any(|d| d.role == Role::NamePart(part));
    if !has(FieldPart::Family) || has(FieldPart::Given) {
        return;
    }
    let mut named = (0..decisions.len()).filter(|&c| {
        decisions[c].role == Role::Whole(FieldKind::Name)
            && header::says_only_name(headers[c].as_ref())
    });
    let (Some(name), None) = (named.next(), named.next()) else {
        return;
    };
    let families: Vec<usize> = (0..decisions.len())
        .filter(|&c| decisions[c].role == Role::NamePart(FieldPart::Family))
        .collect();
    let cell = |row: &TableRow, column: usize| {
        row.cells
            .get(column)
            .map(|c| text::fold(c.trim()).into_owned())
            .filter(|c| !c.is_empty())
    };
    let (mut both, mut holds_family) = (0usize, 0usize);
    for row in rows {
        let Some(value) = cell(row, name) else {
            continue;
        };
        let Some(family) = families.iter().find_map(|&c| cell(row, c)) else {
            continue;
        };
        both += 1;
        if value.split_whitespace().any(|w| w == family)
            || (value.contains(&family) && text::has_han(&family))
        {
            holds_family += 1;
        }
    }
    if holds_family * 2 > both {
        return;
    }
    let decision = &mut decisions[name];
    decision.role = Role::NamePart(FieldPart::Given);
    decision.compared = true;
    decision.reason = format!(
        "{}, beside a family-name column and no given-name one: the given name",
        decision.reason
    );
}

/// At most this share of a whole-name (or whole-address) column's filled rows may also fill
/// the split columns for the two to be read as one field: one way of writing the value or the
/// other, row by row, not two values side by side.
const WHOLE_BESIDE_SPLIT_MAX: f64 = 0.05;

/// A whole-name or whole-address column beside split ones of the same kind, filled on the
/// rows where the split ones are empty, is the same name or address written whole (a file
/// joined from channels that write it differently): it becomes the field's `full` part, so
/// its rows are compared with the split rows. A whole column filled alongside the split ones
/// holds something else (another person's name, a second address) and stays its own field.
fn fold_whole_columns(decisions: &mut [Decision], rows: &[&TableRow]) {
    let filled =
        |row: &TableRow, column: usize| row.cells.get(column).is_some_and(|c| !c.trim().is_empty());
    for (kind, what) in [(FieldKind::Name, "name"), (FieldKind::Address, "address")] {
        let is_part = |role: Role| match kind {
            FieldKind::Name => matches!(role, Role::NamePart(_)),
            _ => matches!(role, Role::AddressPart(_)),
        };
        let mut group: Vec<usize> = (0..decisions.len())
            .filter(|&c| is_part(decisions[c].role))
            .collect();
        if group.is_empty() {
            continue;
        }
        let wholes: Vec<usize> = (0..decisions.len())
            .filter(|&c| decisions[c].role == Role::Whole(kind) && decisions[c].compared)
            .collect();
        for whole in wholes {
            let (mut alone, mut both) = (0usize, 0usize);
            for row in rows.iter().filter(|row| filled(row, whole)) {
                if group.iter().any(|&c| filled(row, c)) {
                    both += 1;
                } else {
                    alone += 1;
                }
            }
            let share_both = both as f64 / (alone + both).max(1) as f64;
            if alone == 0 || share_both > WHOLE_BESIDE_SPLIT_MAX {
                continue;
            }
            let decision = &mut decisions[whole];
            decision.role = match kind {
                FieldKind::Name => Role::NamePart(FieldPart::Full),
                _ => Role::AddressPart(FieldPart::Full),
            };
            decision.reason = format!(
                "{}, filled where the split {what} columns are empty ({} of its rows fill \
                 both): the same {what} written whole",
                decision.reason,
                percent(share_both)
            );
            group.push(whole);
        }
    }
}

/// Per column, its stats and whether its header reads as a date column, for [`hints`].
fn dated_columns<'a>(
    stats: &'a [ColumnStats],
    readings: &[HeaderReading],
) -> Vec<(&'a ColumnStats, bool)> {
    stats
        .iter()
        .zip(readings)
        .map(|(s, reading)| {
            let role = reading.role;
            let dated = matches!(role, Role::Whole(FieldKind::BirthDate | FieldKind::Date))
                || s.share(s.dates) >= 0.8;
            (s, dated)
        })
        .collect()
}

/// The phone region and date order the values show.
fn hints(columns: &[(&ColumnStats, bool)]) -> OptionHints {
    let (mut cn, mut nanp, mut day_first, mut month_first) = (0, 0, 0, 0);
    let mut other_codes: std::collections::BTreeMap<u16, usize> = Default::default();
    for (s, dated) in columns {
        if s.share(s.phones) >= 0.5 {
            cn += s.cn_phones;
            nanp += s.nanp_phones;
            for (&code, &count) in &s.other_country_codes {
                *other_codes.entry(code).or_default() += count;
            }
        }
        if *dated {
            day_first += s.day_first_dates;
            month_first += s.month_first_dates;
        }
    }
    let mut hints = OptionHints::default();
    // The calling code most numbers written with one carry (the smaller code on a tie), when
    // they outnumber the Chinese mobiles and the North American numbers: a German file's
    // `0171 …` is read as German, the same number as its `+49 171 …`.
    let other = other_codes
        .iter()
        .max_by_key(|&(&code, &count)| (count, std::cmp::Reverse(code)))
        .filter(|&(_, &count)| count > cn.max(nanp))
        .and_then(|(&code, &count)| Some((content::region_of_code(code)?, code, count)));
    if let Some((region, code, count)) = other {
        hints.region = Some((
            region,
            format!(
                "{count} phones carry the country code +{code}, against {cn} Chinese mobiles and {nanp} North American numbers"
            ),
        ));
    } else if nanp > cn {
        hints.region = Some((
            "US".to_string(),
            format!("{nanp} phones are North American numbers, {cn} Chinese mobiles"),
        ));
    } else if cn > 0 {
        hints.region = Some((
            "CN".to_string(),
            format!("{cn} phones are Chinese mobiles, {nanp} North American numbers"),
        ));
    }
    if day_first > month_first {
        hints.date_order = Some((
            DateOrder::DayFirst,
            format!("{day_first} dates can only be day first, {month_first} only month first"),
        ));
    } else if month_first > 0 {
        hints.date_order = Some((
            DateOrder::MonthFirst,
            format!("{month_first} dates can only be month first, {day_first} only day first"),
        ));
    }
    hints
}

/// Han names in the name columns before they can say whether the names are Chinese.
const MIN_HAN_NAMES: usize = 20;

/// The least share of the Han names that Chinese family names lead for the names to be
/// Chinese: a Chinese file's nicknames and placeholders stay well below a third, while
/// Japanese names, written in the same characters, begin with a listed Chinese family name
/// about half the time or less.
const CHINESE_NAMES_SHARE: f64 = 2.0 / 3.0;

/// Whether the whole-name columns' Han values read as Chinese names (most begin with a
/// Chinese family name), when they hold enough Han names to tell.
fn chinese_names(decisions: &[Decision], stats: &[ColumnStats]) -> Option<(bool, String)> {
    let (mut led, mut not_led) = (0, 0);
    for (decision, s) in decisions.iter().zip(stats) {
        if matches!(
            decision.role,
            Role::Whole(FieldKind::Name) | Role::NamePart(FieldPart::Full)
        ) {
            led += s.han_led_by_surname;
            not_led += s.han_not_led;
        }
    }
    let total = led + not_led;
    if total < MIN_HAN_NAMES {
        return None;
    }
    let share = led as f64 / total as f64;
    let chinese = share >= CHINESE_NAMES_SHARE;
    Some((
        chinese,
        format!(
            "{led} of {total} names in Han characters begin with a Chinese family name ({}){}",
            percent(share),
            if chinese {
                format!(": the other {not_led} are nicknames or placeholders, not read as names")
            } else {
                ": not read as Chinese names".to_string()
            }
        ),
    ))
}

fn looks_like_data(header: &str) -> bool {
    let h = header.trim();
    h.contains('@')
        || (h.len() >= 6 && h.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c)))
}

/// Reads every header, refusing blank, repeated or data-looking header rows.
fn check_headers<S: AsRef<str>>(headers: &[S]) -> Result<Vec<HeaderReading>, NormalizeError> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h.as_ref())).collect();
    if keys.iter().all(String::is_empty) {
        return Err(NormalizeError::NoHeader);
    }
    let readings: Vec<HeaderReading> = headers.iter().map(|h| read_header(h.as_ref())).collect();
    if readings.iter().all(|r| r.role == Role::Unknown)
        && headers.iter().any(|h| looks_like_data(h.as_ref()))
    {
        return Err(NormalizeError::NoHeader);
    }
    // After the data check, so a first row of data that repeats a value is called data; one
    // map, so 100,000 columns cost no more than reading them.
    let mut first_at: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        if key.is_empty() {
            continue;
        }
        if let Some(&first) = first_at.get(key.as_str()) {
            return Err(NormalizeError::DuplicateHeader {
                column: i + 1,
                first: first + 1,
            });
        }
        first_at.insert(key, i);
    }
    Ok(readings)
}

fn part_name(part: FieldPart) -> &'static str {
    match part {
        FieldPart::Full => "full",
        FieldPart::Given => "given",
        FieldPart::Middle => "middle",
        FieldPart::Family => "family",
        FieldPart::StreetNumber => "street_number",
        FieldPart::Street => "street",
        FieldPart::Address2 => "address_2",
        FieldPart::Locality => "locality",
        FieldPart::City => "city",
        FieldPart::Region => "region",
        FieldPart::Postcode => "postcode",
        FieldPart::Country => "country",
        #[allow(unreachable_patterns)]
        _ => "part",
    }
}

/// Builds the schema from one decision per column.
fn assemble<S: AsRef<str>>(
    headers: &[S],
    decisions: Vec<Decision>,
    hints: OptionHints,
) -> InferredSchema {
    let mut schema = Schema::default();
    let mut warnings = Vec::new();
    let mut name_parts = Vec::new();
    let mut address_parts = Vec::new();
    let mut name_at = None;
    let mut address_at = None;
    let mut fields_of: Vec<Option<usize>> = vec![None; headers.len()];
    let mut read_as: Vec<String> = Vec::with_capacity(headers.len());
    for (index, (header, decision)) in headers.iter().zip(&decisions).enumerate() {
        let header = header
            .as_ref()
            .trim()
            .trim_start_matches('\u{feff}')
            .to_string();
        let column = |part| SourceColumn::new(index, header.clone(), part);
        let pass_through = |schema: &mut Schema, kind, compare| {
            let name = if header.is_empty() {
                format!("column_{}", index + 1)
            } else {
                header.clone()
            };
            schema.fields.push(FieldSpec {
                name,
                kind,
                columns: vec![column(FieldPart::Full)],
                compare,
            });
            Some(schema.fields.len() - 1)
        };
        let (label, field) = match decision.role {
            Role::RecordId if schema.id_column.is_none() => {
                schema.id_column = Some(column(FieldPart::Full));
                ("record id".to_string(), None)
            }
            Role::Channel if schema.channel_column.is_none() => {
                schema.channel_column = Some(column(FieldPart::Full));
                ("channel".to_string(), None)
            }
            Role::UpdatedAt if schema.updated_at_column.is_none() => {
                schema.updated_at_column = Some(column(FieldPart::Full));
                ("updated at".to_string(), None)
            }
            Role::NamePart(part) => {
                name_at.get_or_insert(schema.fields.len());
                name_parts.push(column(part));
                (format!("name.{}", part_name(part)), None)
            }
            Role::AddressPart(part) => {
                address_at.get_or_insert(schema.fields.len());
                address_parts.push(column(part));
                (format!("address.{}", part_name(part)), None)
            }
            Role::Whole(kind) => {
                let at = pass_through(&mut schema, kind, decision.compared);
                (kind.as_str().to_string(), at)
            }
            Role::Attribute => (
                "attribute".to_string(),
                pass_through(&mut schema, FieldKind::Text, decision.compared),
            ),
            Role::Label => (
                "label".to_string(),
                pass_through(&mut schema, FieldKind::Text, false),
            ),
            // Repeated id / channel / updated-at columns, and the rest, pass through.
            _ => (
                "text".to_string(),
                pass_through(&mut schema, FieldKind::Text, false),
            ),
        };
        fields_of[index] = field;
        read_as.push(label);
    }
    // Insert the grouped fields where their first column stood, the later one first.
    let mut groups = [
        (name_at, "name", FieldKind::Name, name_parts),
        (address_at, "address", FieldKind::Address, address_parts),
    ];
    // On a tie the name goes first, so it is inserted last.
    groups.sort_by_key(|g| std::cmp::Reverse((g.0, g.1 == "address")));
    let mut group_names: Vec<(FieldKind, String)> = Vec::new();
    for (at, base, kind, columns) in groups {
        let Some(at) = at else { continue };
        let mut name = base.to_string();
        let mut n = 2;
        while schema.fields.iter().any(|f| f.name == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        for f in fields_of.iter_mut().flatten() {
            if *f >= at {
                *f += 1;
            }
        }
        group_names.push((kind, name.clone()));
        schema.fields.insert(
            at,
            FieldSpec {
                name,
                kind,
                columns,
                compare: true,
            },
        );
    }
    let columns = decisions
        .into_iter()
        .enumerate()
        .map(|(index, decision)| {
            let field = match decision.role {
                Role::NamePart(_) => group_names
                    .iter()
                    .find(|(k, _)| *k == FieldKind::Name)
                    .map(|(_, n)| n.clone()),
                Role::AddressPart(_) => group_names
                    .iter()
                    .find(|(k, _)| *k == FieldKind::Address)
                    .map(|(_, n)| n.clone()),
                _ => fields_of[index].map(|f| schema.fields[f].name.clone()),
            };
            let compared = match decision.role {
                Role::NamePart(_) | Role::AddressPart(_) => true,
                _ => fields_of[index].is_some_and(|f| schema.fields[f].compare),
            };
            ColumnReading {
                column: index,
                header: headers[index]
                    .as_ref()
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_string(),
                read_as: read_as[index].clone(),
                field,
                compared,
                reason: decision.reason,
            }
        })
        .collect();
    if schema.id_column.is_none() {
        warnings.push(
            "no record id column (record_id, id, rec_id, unique_id, 客户编号, 客户ID): \
             1-based data row numbers serve as ids"
                .to_string(),
        );
    }
    InferredSchema {
        schema,
        warnings,
        columns,
        hints,
    }
}

/// Builds a [`Record`] from one data row under `schema`. `row_number` is the 1-based data row
/// number, used as the id when the schema has no id column (or the id cell is blank); an id
/// is kept exactly as written, spaces included. `file_channel` is the channel when the schema
/// has no channel column (or the cell is blank). Cells beyond the row's end read as missing.
pub fn record_from_row<S: AsRef<str>>(
    schema: &Schema,
    row: &[S],
    row_number: u64,
    file_channel: &Channel,
) -> Record {
    let cell = |c: &SourceColumn| row.get(c.index).map(|s| s.as_ref().trim()).unwrap_or("");
    let id = schema
        .id_column
        .as_ref()
        .and_then(|c| row.get(c.index))
        .map(AsRef::as_ref)
        .filter(|s| !s.trim().is_empty())
        .map(RecordId::from)
        .unwrap_or_else(|| RecordId::from(row_number.to_string()));
    let channel = schema
        .channel_column
        .as_ref()
        .map(cell)
        .filter(|s| !s.is_empty())
        .map(Channel::from_label)
        .unwrap_or_else(|| file_channel.clone());
    let updated_at = schema
        .updated_at_column
        .as_ref()
        .map(cell)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let fields = schema
        .fields
        .iter()
        .map(|field| match field.columns.as_slice() {
            [only] if only.part == FieldPart::Full => Value::text(cell(only)),
            columns => {
                let parts: Vec<(FieldPart, String)> = columns
                    .iter()
                    .map(|c| (c.part, cell(c)))
                    .filter(|(_, text)| !text.is_empty())
                    .map(|(part, text)| (part, text.to_string()))
                    .collect();
                if parts.is_empty() {
                    Value::Missing
                } else {
                    Value::Parts(parts)
                }
            }
        })
        .collect();
    Record {
        id,
        channel,
        updated_at,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema inferred from a CSV's text, headers and values.
    fn infer_csv(text: &str) -> InferredSchema {
        let table = crate::table::read_csv(text.as_bytes(), None).unwrap();
        infer_schema_from_table(&table).unwrap()
    }

    /// What each column of a CSV's text was read as.
    fn read_as(text: &str) -> Vec<String> {
        infer_csv(text)
            .columns
            .into_iter()
            .map(|c| c.read_as)
            .collect()
    }

    fn kinds(schema: &Schema) -> Vec<(String, FieldKind, bool)> {
        schema
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.kind, f.compare))
            .collect()
    }

    #[test]
    fn febrl_headers_need_no_config() {
        let headers = "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id";
        let headers: Vec<&str> = headers.split(',').collect();
        let inferred = infer_schema(&headers).unwrap();
        let schema = &inferred.schema;
        assert_eq!(schema.id_column.as_ref().unwrap().header, "rec_id");
        assert!(inferred.warnings.is_empty());
        assert_eq!(
            kinds(schema),
            vec![
                ("name".to_string(), FieldKind::Name, true),
                ("address".to_string(), FieldKind::Address, true),
                ("date_of_birth".to_string(), FieldKind::BirthDate, true),
                ("soc_sec_id".to_string(), FieldKind::Identifier, true),
            ]
        );
        let parts: Vec<FieldPart> = schema.fields[1].columns.iter().map(|c| c.part).collect();
        assert_eq!(
            parts,
            vec![
                FieldPart::StreetNumber,
                FieldPart::Street,
                FieldPart::Address2,
                FieldPart::Locality,
                FieldPart::Postcode,
                FieldPart::Region
            ]
        );
    }

    #[test]
    fn splink_headers_keep_cluster_out_of_matching() {
        let inferred = infer_schema(&[
            "unique_id",
            "first_name",
            "surname",
            "dob",
            "city",
            "email",
            "cluster",
        ])
        .unwrap();
        assert_eq!(
            kinds(&inferred.schema),
            vec![
                ("name".to_string(), FieldKind::Name, true),
                ("dob".to_string(), FieldKind::BirthDate, true),
                ("address".to_string(), FieldKind::Address, true),
                ("email".to_string(), FieldKind::Email, true),
                ("cluster".to_string(), FieldKind::Text, false),
            ]
        );
    }

    #[test]
    fn chinese_and_english_headers() {
        let cases = [
            ("姓名", FieldKind::Name),
            ("客户姓名", FieldKind::Name),
            ("phone", FieldKind::Phone),
            ("Mobile", FieldKind::Phone),
            ("tel", FieldKind::Phone),
            ("手机", FieldKind::Phone),
            ("手机号", FieldKind::Phone),
            ("电话", FieldKind::Phone),
            ("phone2", FieldKind::Phone),
            ("home_phone", FieldKind::Phone),
            ("email", FieldKind::Email),
            ("邮箱", FieldKind::Email),
            ("address", FieldKind::Address),
            ("地址", FieldKind::Address),
            ("birth_date", FieldKind::BirthDate),
            ("DOB", FieldKind::BirthDate),
            ("birthday", FieldKind::BirthDate),
            ("生日", FieldKind::BirthDate),
            ("出生日期", FieldKind::BirthDate),
            ("gender", FieldKind::Gender),
            ("sex", FieldKind::Gender),
            ("性别", FieldKind::Gender),
            ("id_number", FieldKind::NationalId),
            ("身份证号", FieldKind::NationalId),
            ("證件號", FieldKind::NationalId),
            ("member_no", FieldKind::Identifier),
            ("会员卡号", FieldKind::Identifier),
            ("device_id", FieldKind::Identifier),
            ("设备号", FieldKind::Identifier),
            ("passport", FieldKind::Identifier),
            ("ssn", FieldKind::Identifier),
            ("order_date", FieldKind::Date),
            ("notes", FieldKind::Text),
        ];
        for (header, kind) in cases {
            let inferred = infer_schema(&["id", header]).unwrap();
            assert_eq!(inferred.schema.fields[0].kind, kind, "{header}");
            assert_eq!(inferred.schema.fields[0].name, header);
        }
        for header in ["channel", "source", "渠道"] {
            let inferred = infer_schema(&["id", header]).unwrap();
            assert_eq!(inferred.schema.channel_column.unwrap().header, header);
        }
        for header in ["updated_at", "更新时间"] {
            let inferred = infer_schema(&["id", header]).unwrap();
            assert_eq!(inferred.schema.updated_at_column.unwrap().header, header);
        }
        for header in [
            "record_id",
            "id",
            "rec_id",
            "unique_id",
            "客户编号",
            "客户ID",
        ] {
            let inferred = infer_schema(&[header, "name"]).unwrap();
            assert_eq!(inferred.schema.id_column.unwrap().header, header);
        }
    }

    #[test]
    fn missing_id_warns_and_row_numbers_serve() {
        let inferred = infer_schema(&["name", "phone"]).unwrap();
        assert_eq!(inferred.warnings.len(), 1);
        let record = record_from_row(&inferred.schema, &["张伟", "138"], 7, &Channel::App);
        assert_eq!(record.id.as_str(), "7");
        assert_eq!(record.channel, Channel::App);
        assert_eq!(record.fields[0], Value::Text("张伟".into()));
    }

    #[test]
    fn split_fields_assemble_parts_and_short_rows_read_missing() {
        let inferred = infer_schema(&["id", "first_name", "surname", "channel", "city"]).unwrap();
        let record = record_from_row(
            &inferred.schema,
            &["a1", "Ann", " Lee ", "门店"],
            1,
            &Channel::Unknown,
        );
        assert_eq!(record.id.as_str(), "a1");
        assert_eq!(record.channel, Channel::Pos);
        assert_eq!(
            record.fields[0],
            Value::Parts(vec![
                (FieldPart::Given, "Ann".into()),
                (FieldPart::Family, "Lee".into())
            ])
        );
        assert_eq!(record.fields[1], Value::Missing);
    }

    #[test]
    fn a_whole_column_filled_where_the_split_ones_are_empty_joins_their_field() {
        use crate::table::read_csv;
        // Some rows write the name and the address whole, the others split: one field each.
        let table = read_csv(
            "id,full_name,first_name,last_name,address_full,street,city\n\
             1,,Ann,Lee,,12 Oak St,Springfield\n\
             2,Ann Lee,,,\"12 Oak St, Springfield\",,\n\
             3,,Bo,Wu,,3 Elm Rd,Shelbyville\n\
             4,Bo Wu,,,\"3 Elm Rd, Shelbyville\",,\n"
                .as_bytes(),
            None,
        )
        .unwrap();
        let inferred = infer_schema_from_table(&table).unwrap();
        assert_eq!(
            kinds(&inferred.schema),
            [
                ("name".to_string(), FieldKind::Name, true),
                ("address".to_string(), FieldKind::Address, true),
            ]
        );
        assert_eq!(inferred.columns[1].read_as, "name.full");
        assert_eq!(inferred.columns[4].read_as, "address.full");
        assert!(inferred.columns[1].reason.contains("written whole"));
        // Filled beside the split name on every row, the whole column is something else.
        let table = read_csv(
            "id,full_name,first_name,last_name\n1,Ann Lee,Ann,Lee\n2,Bo Wu,Bo,Wu\n".as_bytes(),
            None,
        )
        .unwrap();
        let inferred = infer_schema_from_table(&table).unwrap();
        assert_eq!(inferred.schema.fields.len(), 2);
        assert_eq!(inferred.columns[1].read_as, "name");
    }

    #[test]
    fn a_name_column_beside_a_family_one_is_the_given_name_unless_it_holds_the_family_too() {
        // `Name` and `Surname` on a form; `Nombre` and `Apellidos` in Spanish.
        for headers in [["id", "Name", "Surname"], ["id", "Nombre", "Apellidos"]] {
            let inferred = infer_schema(&headers).unwrap();
            assert_eq!(inferred.columns[1].read_as, "name.given", "{headers:?}");
            assert_eq!(inferred.columns[2].read_as, "name.family", "{headers:?}");
            assert!(
                inferred.columns[1]
                    .reason
                    .contains("beside a family-name column")
            );
        }
        // With a given-name column as well, `name` stays a name of its own.
        let inferred = infer_schema(&["id", "name", "first_name", "surname"]).unwrap();
        assert_eq!(inferred.columns[1].read_as, "name");
        // Values that hold the family name too are full names kept beside it.
        let inferred = infer_csv("id,name,surname\n1,Ann Lee,Lee\n2,Bo Wu,Wu\n3,Cy Ng,Ng\n");
        assert_eq!(inferred.columns[1].read_as, "name");
        let inferred = infer_csv("id,name,surname\n1,Ann,Lee\n2,Bo,Wu\n3,Cy,Ng\n");
        assert_eq!(inferred.columns[1].read_as, "name.given");
    }

    #[test]
    fn the_phone_region_follows_the_country_code_most_numbers_carry() {
        let inferred = infer_csv(
            "id,telefon\n1,0171 1234567\n2,+49 171 1234567\n3,0049 30 12345678\n4,030 1234567\n",
        );
        let region = inferred.hints.region.unwrap();
        assert_eq!(region.0, "DE");
        assert!(region.1.contains("+49"), "{}", region.1);
        // Chinese mobiles outnumbering them keep the region Chinese.
        let inferred = infer_csv("id,phone\n1,13800138000\n2,13900139000\n3,+49 171 1234567\n");
        assert_eq!(inferred.hints.region.unwrap().0, "CN");
    }

    #[test]
    fn han_names_are_chinese_where_most_begin_with_a_chinese_family_name() {
        let csv = |names: &[&str]| {
            let mut text = String::from("id,name,city\n");
            for (i, name) in names.iter().cycle().take(40).enumerate() {
                text.push_str(&format!("{i},{name},苏州市\n"));
            }
            infer_csv(&text)
        };
        // Nine in ten led by a Chinese family name, the rest a shop's placeholder.
        let chinese = csv(&[
            "张伟",
            "王芳",
            "李娜",
            "刘洋",
            "陈静",
            "杨磊",
            "黄勇",
            "赵敏",
            "周杰",
            "微信用户",
        ]);
        let (on, why) = chinese.hints.chinese_names.unwrap();
        assert!(on, "{why}");
        assert!(why.starts_with("36 of 40"), "{why}");
        // Japanese family names are mostly not Chinese ones.
        let japanese = csv(&[
            "佐藤健",
            "鈴木一郎",
            "高橋誠",
            "田中花子",
            "渡辺翔",
            "中村優",
        ]);
        assert!(!japanese.hints.chinese_names.unwrap().0);
        // Too few Han names to tell; the city column is no name column.
        assert_eq!(
            infer_csv("id,name,city\n1,张伟,苏州市\n")
                .hints
                .chinese_names,
            None
        );
        assert_eq!(
            infer_csv("id,name\n1,Ann Lee\n2,Bo Wu\n")
                .hints
                .chinese_names,
            None
        );
    }

    #[test]
    fn header_problems_are_errors() {
        assert!(matches!(
            infer_schema(&["", " "]),
            Err(NormalizeError::NoHeader)
        ));
        assert!(matches!(
            infer_schema(&["13800138000", "bob@example.com"]),
            Err(NormalizeError::NoHeader)
        ));
        assert!(matches!(
            infer_schema(&["id", "phone", "Phone"]),
            Err(NormalizeError::DuplicateHeader {
                column: 3,
                first: 2
            })
        ));
        // A first row of data that repeats a value is data, and no message quotes it.
        let err = infer_schema(&["1", "Ann", "13912345678", "x", "13912345678"]).unwrap_err();
        assert!(matches!(err, NormalizeError::NoHeader), "{err:?}");
        assert!(!err.to_string().contains("139"), "{err}");
    }

    #[test]
    fn ids_are_kept_exactly_as_written() {
        let inferred = infer_schema(&["id", "name"]).unwrap();
        let record = record_from_row(&inferred.schema, &[" D4 ", "Ann"], 1, &Channel::App);
        assert_eq!(record.id.as_str(), " D4 ");
        let blank = record_from_row(&inferred.schema, &["  ", "Ann"], 7, &Channel::App);
        assert_eq!(blank.id.as_str(), "7");
    }

    #[test]
    fn columns_whose_headers_say_nothing_are_read_from_their_values() {
        let given = [
            "john", "mary", "robert", "linda", "james", "susan", "david", "karen", "paul", "nancy",
            "mark", "lisa", "peter", "sarah", "thomas", "anna", "george", "helen", "frank",
            "alice", "edward", "diane", "carl", "ruth",
        ];
        let family = [
            "smith", "jones", "brown", "wilson", "taylor", "moore", "white", "harris", "clark",
            "walker", "hall", "young", "wright", "green", "baker", "adams", "hill", "campbell",
            "cooper", "turner", "parker", "evans", "collins", "stewart",
        ];
        let mut csv = String::from("key,c1,c2,c3,c4,c5,c6,c7\n");
        for i in 0..24 {
            csv += &format!(
                "K{i:04},{},{},{},{} oak st,{}-03-12,{}-45-6789,{}\n",
                given[i],
                ["A", "B."][i % 2],
                family[i],
                i + 1,
                1940 + 2 * i,
                100 + i % 20,
                ["M", "F"][i % 2],
            );
        }
        let inferred = infer_csv(&csv);
        let read = read_as(&csv);
        assert_eq!(
            read,
            [
                "record id",
                "name.given",
                "name.middle",
                "name.family",
                "address",
                "birth_date",
                "identifier",
                "gender"
            ],
            "{:#?}",
            inferred.columns
        );
        assert!(inferred.columns[1..].iter().all(|c| c.compared));
    }

    /// A split address under headers that say nothing: the house number before the street,
    /// the town, postcode and state after it. Counts and codes away from a street stay
    /// passed through.
    #[test]
    fn the_parts_of_a_split_address_are_read_beside_its_street() {
        let (starts, ends) = (
            ["north", "east", "glen", "mount", "red"],
            ["vale", "wood", "field", "bury", "ton", "dale"],
        );
        let mut csv = String::from("c1,c2,c3,c4,c5,c6,c7\n");
        for i in 0..40 {
            csv += &format!(
                "{},{} {},{}{},{},{},{},{}\n",
                i * 7 % 300 + 1,
                [
                    "wallaby",
                    "starling",
                    "larpent",
                    "badimara",
                    "kriewaldt",
                    "martley",
                    "bambridge"
                ][i % 7],
                ["street", "place", "road"][i % 3],
                starts[i % 5],
                ends[i % 6],
                2000 + i * 37,
                ["nsw", "vic", "qld", "wa"][i % 4],
                i % 9 + 1,
                ["gold", "silver", "basic"][i % 3],
            );
        }
        let inferred = infer_csv(&csv);
        let read = read_as(&csv);
        assert_eq!(
            read,
            [
                "address.street_number",
                "address.street",
                "address.locality",
                "address.postcode",
                "address.region",
                "text",
                "text",
            ][..],
            "{:#?}",
            inferred.columns
        );
        // Nothing beside a street: the same numbers and codes are not read as places.
        let mut apart = String::from(
            "c1,c2,c3
",
        );
        for i in 0..40 {
            apart += &format!(
                "{},{},{}
",
                i * 7 % 300 + 1,
                2000 + i * 37,
                ["nsw", "vic"][i % 2]
            );
        }
        // (The distinct numbers may serve as the record id; they are no place.)
        assert!(
            read_as(&apart)
                .iter()
                .all(|r| r == "text" || r == "record id"),
            "{:?}",
            read_as(&apart)
        );
    }

    /// A row counter or an identifier under a header that says nothing is the record id,
    /// checked over every row where the sample leaves some out; a counter that repeats once,
    /// past the sample, is not.
    #[test]
    fn a_column_present_and_distinct_in_every_row_is_the_record_id() {
        let rows = content::SAMPLE_ROWS + 5_000;
        let file = |repeat_at: Option<usize>, id: fn(usize) -> String| {
            let mut csv = String::from("c1,c2\n");
            for i in 0..rows {
                let n = if Some(i) == repeat_at { 0 } else { i };
                csv += &format!("{},{}\n", id(n), ["gold", "silver"][i % 2]);
            }
            csv
        };
        assert_eq!(read_as(&file(None, |n| n.to_string()))[0], "record id");
        assert_eq!(read_as(&file(None, |n| format!("Q{n}-1")))[0], "record id");
        assert_ne!(
            read_as(&file(Some(rows - 1), |n| n.to_string()))[0],
            "record id"
        );
    }

    /// A British export without a header: the postcode, read from its values alone, marks
    /// the town before it as it does beside a street.
    #[test]
    fn a_lettered_postcode_after_a_street_marks_the_town() {
        let mut csv = String::from("c1,c2,c3\n");
        for i in 0..40 {
            csv += &format!(
                "{} {} {},{} {},OX{} {}JD\n",
                i + 1,
                ["High", "Church", "Mill", "Station", "Park"][i % 5],
                ["Street", "Road", "Lane"][i % 3],
                ["North", "East", "Great", "Little"][i % 4],
                ["Ashby", "Barton", "Compton", "Dean", "Easton"][i % 5],
                i % 9 + 1,
                i % 7 + 1
            );
        }
        assert_eq!(
            read_as(&csv),
            ["address.street", "address.locality", "address.postcode"][..],
            "{:#?}",
            infer_csv(&csv).columns
        );
    }

    /// A US export without a header: numbered street lines, a unit line, the town, states
    /// in either case and ZIP+4 codes. The street lines, read alone as whole addresses, are
    /// the street once the places after them are found; without them they stay whole.
    #[test]
    fn numbered_street_lines_with_places_after_them_are_the_street() {
        let states = ["CA", "ca", "TX", "tx", "NY", "ny", "FL", "WA", "wa", "AZ"];
        let mut csv = String::from("c1,c2,c3,c4,c5,c6\n");
        let mut whole = String::from("c1,c2\n");
        for i in 0..60 {
            let street = format!(
                "{} {} {}",
                100 + i * 13,
                [
                    "Union", "Cedar", "Grant", "Hickory", "Lakeview", "Ridge", "Pine"
                ][i % 7],
                ["Lane", "St", "Avenue", "Dr", "Rd"][i % 5]
            );
            let unit = if i % 3 == 0 {
                String::new()
            } else {
                [
                    format!("Apt {}", i),
                    format!("# {}", i + 2),
                    format!("UNIT {}B", i),
                ][i % 3]
                    .clone()
            };
            let zip = if i % 4 == 0 {
                format!("{:05}-{:04}", 7000 + i * 311, i * 17)
            } else {
                format!("{:05}", 7000 + i * 311)
            };
            csv += &format!(
                "{street},{unit},{} {},{},{zip},{}\n",
                ["New", "San", "Port", "Lake", "Fort"][i % 5],
                ["Newark", "Houston", "Angeles", "Tucson", "York", "Jose"][i % 6],
                states[i % states.len()],
                ["gold", "silver", "basic"][i % 3],
            );
            whole += &format!("{street},{}\n", i % 9 + 1);
        }
        let read = read_as(&csv);
        assert_eq!(
            read,
            [
                "address.street",
                "address.address_2",
                "address.locality",
                "address.region",
                "address.postcode",
                "text",
            ][..],
            "{:#?}",
            infer_csv(&csv).columns
        );
        assert_eq!(read_as(&whole), ["address", "text"][..]);
    }

    /// An online shop's export: a column about the e-mail (`Accepts Email Marketing`) is
    /// not the e-mail, and the company on the address is no address.
    #[test]
    fn a_flag_about_the_email_is_not_the_email() {
        let mut csv = String::from(
            "Customer ID,Email,Accepts Email Marketing,Default Address Address1,Default Address Company\n",
        );
        for i in 0..30 {
            csv += &format!(
                "C{i},p{i}@x.com,{},{} Oak St,{}\n",
                ["yes", "no"][i % 2],
                i + 1,
                ["Acme", "Initech", "Globex"][i % 3]
            );
        }
        let read = read_as(&csv);
        assert_eq!(
            read,
            ["record id", "email", "text", "address.street", "attribute"]
        );
    }

    #[test]
    fn chinese_names_and_addresses_are_read_from_their_values() {
        let mut csv = String::from("a,b,c\n");
        for i in 0..30 {
            let family = ['张', '王', '李', '刘', '陈', '杨'][i % 6];
            let given = ['伟', '芳', '娜', '敏', '静'][i % 5];
            csv += &format!(
                "{i},{family}{given}{},广东省深圳市南山区科技路{}号\n",
                ['明', '华', '强'][i % 3],
                i + 1
            );
        }
        let inferred = infer_csv(&csv);
        let read = read_as(&csv);
        assert_eq!(read[1..], ["name", "address"], "{:#?}", inferred.columns);
    }

    #[test]
    fn dates_of_a_few_years_and_categories_are_not_people() {
        let mut csv = String::from("a,b,c,d\n");
        for i in 0..40 {
            csv += &format!(
                "{i},2024-{:02}-11,{},{}\n",
                i % 12 + 1,
                ["Gold", "Silver", "Active"][i % 3],
                ["sa", "nsw", "vic", "qld", "wa", "tas", "nt", "act"][i % 8],
            );
        }
        let inferred = infer_csv(&csv);
        let read = read_as(&csv);
        assert_eq!(
            read[1..],
            ["date", "text", "text"],
            "{:#?}",
            inferred.columns
        );
        assert!(!inferred.columns[1].compared);
    }
}
