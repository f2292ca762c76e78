//! What a column's values look like: counted shapes (e-mail, phone, date, number, id,
//! Chinese national id), distinct values, and hints for the normalizer options (the phone
//! region and the order of ambiguous dates).
//!
//! Shapes are character-class checks, not full parses, so a column costs one pass. Tables
//! over [`SAMPLE_ROWS`] rows are sampled by a hash of each row's cells, so the sample (and
//! every decision made from it) is the same whatever the row order.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use foldhash::HashSet;

use crate::national_id::check_digit;
use crate::table::TableRow;

/// Rows looked at, at most.
pub(crate) const SAMPLE_ROWS: usize = 50_000;

/// Distinct values counted per column, at most (more are counted as this many).
const DISTINCT_CAP: usize = 100_000;

/// Counts over one column's non-blank values.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ColumnStats {
    /// Rows looked at.
    pub(crate) rows: usize,
    /// Non-blank values among them.
    pub(crate) values: usize,
    /// Distinct values (capped at [`DISTINCT_CAP`]).
    pub(crate) distinct: usize,
    pub(crate) emails: usize,
    pub(crate) phones: usize,
    /// Phones shaped like a Chinese mobile (`1[3-9]` and 11 digits, or `+86`).
    pub(crate) cn_phones: usize,
    /// Phones shaped like a North American number (10 digits, or `+1` / `1` and 10).
    pub(crate) nanp_phones: usize,
    /// Phones written with a country code other than China's and North America's (`+49`,
    /// `0044`): per calling code, how many.
    pub(crate) other_country_codes: BTreeMap<u16, usize>,
    pub(crate) dates: usize,
    /// Slashed or dashed dates whose first number is over 12 (so day first).
    pub(crate) day_first_dates: usize,
    /// … whose second number is over 12 (so month first).
    pub(crate) month_first_dates: usize,
    pub(crate) numbers: usize,
    pub(crate) ids: usize,
    pub(crate) national_ids: usize,
    /// Values with a letter or ideograph and no digit.
    pub(crate) words: usize,
    /// Values longer than 60 characters (free text).
    pub(crate) long: usize,
    /// Names as their values show them (see [`NameCounts`]).
    pub(crate) names: NameCounts,
    /// Addresses as their values show them (see [`AddressCounts`]).
    pub(crate) addresses: AddressCounts,
    /// Genders (`M`, `female`, `女`, and the codes `1` and `2`).
    pub(crate) genders: usize,
    /// … written in letters.
    pub(crate) genders_in_letters: usize,
    /// The dates' four-digit years: per year, how many.
    pub(crate) date_years: BTreeMap<u16, usize>,
    /// Values of two to six Han characters that a listed Chinese family name leads, and
    /// those it does not (nicknames, Japanese names).
    pub(crate) han_led_by_surname: usize,
    pub(crate) han_not_led: usize,
}

impl ColumnStats {
    /// The years between the first and the third quartile of the dates' years (0 without
    /// years): birth dates spread over decades, the dates of orders or sign-ups over a few
    /// years.
    pub(crate) fn middle_years(&self) -> u16 {
        let total: usize = self.date_years.values().sum();
        let quantile = |q: usize| {
            let mut seen = 0;
            self.date_years
                .iter()
                .find(|&(_, &n)| {
                    seen += n;
                    seen * 4 >= total * q
                })
                .map_or(0, |(&year, _)| year)
        };
        if total == 0 {
            return 0;
        }
        quantile(3) - quantile(1)
    }
}

/// The first run of exactly four digits in `value` that is a plausible year (1800–2199), or
/// the first four of eight bare digits (`19560409`).
fn four_digit_year(value: &str) -> Option<u16> {
    let run = crate::text::digit_runs(value)
        .find(|run| run.len() == 4 || (run.len() == 8 && run.start == 0))?;
    value[run.start..run.start + 4]
        .parse()
        .ok()
        .filter(|year| (1800..2200).contains(year))
}

/// How many of a column's values read as person names, and how.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct NameCounts {
    /// Two to four Chinese characters led by a listed surname.
    pub(crate) han: usize,
    /// One word of Latin letters.
    pub(crate) one_word: usize,
    /// … that is a known given name or nickname.
    pub(crate) one_known_given: usize,
    /// Two to four words of Latin letters.
    pub(crate) several_words: usize,
    /// … of which one is a known given name or nickname, or which read as a romanised
    /// Chinese name (`Zhang Wei`, `WANG Fang`).
    pub(crate) several_recognised: usize,
    /// One Latin letter, with or without a dot: an initial.
    pub(crate) initials: usize,
}

impl NameCounts {
    /// The share of the one-word values that are known given names or nicknames.
    pub(crate) fn known_given_share(&self) -> f64 {
        fraction(self.one_known_given, self.one_word)
    }

    /// The share of the values of two to four words that read as names.
    pub(crate) fn recognised_share(&self) -> f64 {
        fraction(self.several_recognised, self.several_words)
    }
}

/// `part` of `whole`, 0 when `whole` is.
pub(crate) fn fraction(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// How many of a column's values read as addresses, and how.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AddressCounts {
    /// Chinese addresses (省 市 区 路 号 …).
    pub(crate) han: usize,
    /// Street lines: Latin words with a street type.
    pub(crate) streets: usize,
    /// … led by a house number.
    pub(crate) numbered_streets: usize,
    /// House-number-shaped values: one to five digits, perhaps a letter after (`12a`).
    pub(crate) house_numbers: usize,
    /// Values of digits only, by their length (index: digits − 1, the last for seven or
    /// more): postcodes are all of one length.
    pub(crate) digits_by_length: [usize; 7],
    /// Values of one to three letters and nothing else (`WA`, `nsw`): state codes.
    pub(crate) short_codes: usize,
    /// Those codes in lower case, each once (`WA` and `wa` are one state).
    pub(crate) distinct_short_codes: std::collections::BTreeSet<[u8; 3]>,
    /// Second address lines (`APT #311`, `# 18`).
    pub(crate) units: usize,
    /// Postcodes of letters and digits in a British, Canadian or Dutch shape (`TQ13 8DF`,
    /// `K1A 0B1`, `1012 AB`): no other value is written so.
    pub(crate) lettered_postcodes: usize,
    /// Chinese places named alone, by level: provinces, cities, districts.
    pub(crate) han_places: [usize; 3],
}

impl AddressCounts {
    /// The most frequent length of the digit-only values and how many have it.
    pub(crate) fn usual_digit_length(&self) -> (usize, usize) {
        let (at, &count) = self
            .digits_by_length
            .iter()
            .enumerate()
            .max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))
            .unwrap_or((0, &0));
        (at + 1, count)
    }
}

impl ColumnStats {
    /// The share of values with a shape.
    pub(crate) fn share(&self, count: usize) -> f64 {
        fraction(count, self.values)
    }

    /// Distinct values per value: near 1 for ids and free text, small for categories.
    pub(crate) fn distinct_ratio(&self) -> f64 {
        self.share(self.distinct)
    }
}

/// The rows to look at: all of them up to [`SAMPLE_ROWS`], else those whose cells hash
/// below the share that keeps about that many.
pub(crate) fn sample_rows(rows: &[TableRow]) -> Vec<&TableRow> {
    if rows.len() <= SAMPLE_ROWS {
        return rows.iter().collect();
    }
    let hasher = foldhash::fast::FixedState::with_seed(0x5a3e_a500_0000_0001);
    let keep = (SAMPLE_ROWS as u128 * u64::MAX as u128 / rows.len() as u128) as u64;
    rows.iter()
        .filter(|row| hasher.hash_one(&row.cells) <= keep)
        .collect()
}

/// What [`column_stats`] counts beyond the shapes every column is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// The shapes a header is checked against (e-mails, phones, dates, ids, numbers, words).
    Shapes,
    /// Those, and what tells a column of people's values apart where the header says
    /// nothing: names, addresses, genders and the dates' years.
    People,
}

/// Counts the shapes of column `column` over `rows`.
pub(crate) fn column_stats(rows: &[&TableRow], column: usize, reading: Reading) -> ColumnStats {
    let people = reading == Reading::People;
    let mut stats = ColumnStats {
        rows: rows.len(),
        ..ColumnStats::default()
    };
    let mut distinct: HashSet<&str> = HashSet::default();
    for row in rows {
        let Some(value) = row.cells.get(column).map(|c| c.trim()) else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        stats.values += 1;
        if distinct.len() < DISTINCT_CAP {
            distinct.insert(value);
        }
        let shape = Shape::of(value);
        if value.chars().count() > 60 {
            stats.long += 1;
        }
        match crate::name::han_led_by_surname(value) {
            Some(true) => stats.han_led_by_surname += 1,
            Some(false) => stats.han_not_led += 1,
            None => {}
        }
        if shape.digits == 0 && shape.letters > 0 {
            stats.words += 1;
            if people {
                count_name(&mut stats.names, value);
            }
        }
        if people {
            if crate::gender::normalize_gender(value).value.is_some() {
                stats.genders += 1;
                stats.genders_in_letters += usize::from(shape.letters > 0);
            }
            if shape.letters > 0 || value.starts_with('#') {
                count_address(&mut stats.addresses, value);
            }
            count_address_part(&mut stats.addresses, value);
        }
        if is_email(value) {
            stats.emails += 1;
            continue;
        }
        if let Some(order) = date_shape(value, &shape) {
            stats.dates += 1;
            if let Some(year) = four_digit_year(value).filter(|_| people) {
                *stats.date_years.entry(year).or_default() += 1;
            }
            match order {
                DateHint::DayFirst => stats.day_first_dates += 1,
                DateHint::MonthFirst => stats.month_first_dates += 1,
                DateHint::None => {}
            }
            continue;
        }
        if is_national_id(value) {
            stats.national_ids += 1;
            stats.ids += 1;
            continue;
        }
        if is_bare_short_number(value, &shape) || is_ssn_shaped(value) {
            stats.ids += 1;
            continue;
        }
        if let Some(region) = phone_shape(value, &shape) {
            stats.phones += 1;
            match region {
                PhoneHint::China => stats.cn_phones += 1,
                PhoneHint::NorthAmerica => stats.nanp_phones += 1,
                PhoneHint::Other => {
                    if let Some(code) = other_country_code(value) {
                        *stats.other_country_codes.entry(code).or_default() += 1;
                    }
                }
            }
            continue;
        }
        if is_number(value) && !is_zero_padded(value, &shape) {
            stats.numbers += 1;
            continue;
        }
        if is_id(value, &shape) {
            stats.ids += 1;
        }
    }
    stats.distinct = distinct.len();
    stats
}

/// Counts how `value` (with letters) reads as an address.
fn count_address(counts: &mut AddressCounts, value: &str) {
    use crate::address::AddressShape;
    match crate::address::address_shape(value) {
        AddressShape::Han => counts.han += 1,
        AddressShape::Street { numbered } => {
            counts.streets += 1;
            counts.numbered_streets += usize::from(numbered);
        }
        AddressShape::Unit => counts.units += 1,
        AddressShape::None => {}
    }
}

/// Counts whether `value` is shaped like a part of a split address: a house number, a
/// postcode of digits (a US ZIP+4, `95127-6726`, counted by its first five), a state code.
fn count_address_part(counts: &mut AddressCounts, value: &str) {
    let bytes = value.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let zip_plus_four = digits == 5
        && bytes.len() == 10
        && bytes[5] == b'-'
        && bytes[6..].iter().all(u8::is_ascii_digit);
    if digits == bytes.len() || zip_plus_four {
        counts.digits_by_length[digits.clamp(1, 7) - 1] += 1;
    }
    let rest = &bytes[digits..];
    if (1..=5).contains(&digits)
        && (rest.is_empty() || (rest.len() == 1 && rest[0].is_ascii_alphabetic()))
    {
        counts.house_numbers += 1;
    }
    counts.lettered_postcodes += usize::from(is_lettered_postcode(value));
    if let Some(place) = crate::address::han_place(value) {
        counts.han_places[place as usize] += 1;
    }
    if (1..=3).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_alphabetic) {
        counts.short_codes += 1;
        let mut code = [0u8; 3];
        code[..bytes.len()].copy_from_slice(bytes);
        code.make_ascii_lowercase();
        counts.distinct_short_codes.insert(code);
    }
}

/// The shapes of lettered postcodes, a letter written `A` and a digit `9`, spaces left out:
/// the six British forms (`A9 9AA` to `AA9A 9AA`), the Canadian (`A9A 9A9`) and the Dutch
/// (`9999 AA`).
const LETTERED_POSTCODE_SHAPES: [&[u8]; 8] = [
    b"A99AA", b"A999AA", b"AA99AA", b"AA999AA", b"A9A9AA", b"AA9A9AA", b"A9A9A9", b"9999AA",
];

/// Whether `value` is a postcode of letters and digits (see [`LETTERED_POSTCODE_SHAPES`]),
/// written with at most one space.
fn is_lettered_postcode(value: &str) -> bool {
    if !(5..=8).contains(&value.len()) || value.matches(' ').count() > 1 {
        return false;
    }
    let mut shape = [0u8; 8];
    let mut len = 0;
    for b in value.bytes().filter(|&b| b != b' ') {
        shape[len] = match b {
            b'0'..=b'9' => b'9',
            b'a'..=b'z' | b'A'..=b'Z' => b'A',
            _ => return false,
        };
        len += 1;
    }
    LETTERED_POSTCODE_SHAPES.contains(&&shape[..len])
}

/// Counts how `value` (letters, no digit) reads as a person's name.
fn count_name(counts: &mut NameCounts, value: &str) {
    use crate::name::NameShape;
    let letter = value.trim().trim_end_matches('.');
    if letter.chars().count() == 1 && letter.chars().all(char::is_alphabetic) {
        counts.initials += 1;
    }
    match crate::name::name_shape(value) {
        NameShape::HanFullName => counts.han += 1,
        NameShape::KnownGivenFirst { words: 1 } => {
            counts.one_word += 1;
            counts.one_known_given += 1;
        }
        NameShape::OtherWords { words: 1 } => counts.one_word += 1,
        NameShape::KnownGivenFirst { .. }
        | NameShape::KnownGivenLater { .. }
        | NameShape::RomanisedChinese => {
            counts.several_words += 1;
            counts.several_recognised += 1;
        }
        NameShape::OtherWords { .. } => counts.several_words += 1,
        NameShape::None => {}
    }
}

/// Character classes of a value.
#[derive(Debug, Clone, Copy, Default)]
struct Shape {
    digits: usize,
    letters: usize,
    spaces: usize,
    other: usize,
}

impl Shape {
    fn of(value: &str) -> Shape {
        let mut shape = Shape::default();
        for c in value.chars() {
            if c.is_ascii_digit() {
                shape.digits += 1;
            } else if c.is_alphabetic() {
                shape.letters += 1;
            } else if c.is_whitespace() {
                shape.spaces += 1;
            } else {
                shape.other += 1;
            }
        }
        shape
    }
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    // `Maria <m@x.com>` is an e-mail too.
    let domain = domain.trim_end_matches('>');
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains(char::is_whitespace)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhoneHint {
    China,
    NorthAmerica,
    Other,
}

/// A phone: digits with phone punctuation (`+`, `-`, `(`, `)`, `.`, spaces, `*` masks), 7 to
/// 15 digits, and no letters but an extension mark.
fn phone_shape(value: &str, shape: &Shape) -> Option<PhoneHint> {
    if shape.letters > 0
        || !(7..=15).contains(&(shape.digits + value.matches('*').count()))
        || is_zero_padded(value, shape)
    {
        return None;
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().*".contains(c))
    {
        return None;
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let plus = value.trim_start().starts_with('+');
    let national = if plus {
        digits
            .strip_prefix("86")
            .or_else(|| digits.strip_prefix('1').filter(|_| digits.len() == 11))
    } else {
        Some(digits.as_str())
    };
    let masked = value.contains('*');
    Some(match national {
        Some(n)
            if !masked
                && n.len() == 11
                && n.starts_with('1')
                && matches!(n.as_bytes()[1], b'3'..=b'9') =>
        {
            PhoneHint::China
        }
        Some(n) if !masked && (n.len() == 10 || (n.len() == 11 && n.starts_with('1'))) => {
            let n = if n.len() == 11 { &n[1..] } else { n };
            if matches!(n.as_bytes()[0], b'2'..=b'9') && matches!(n.as_bytes()[3], b'2'..=b'9') {
                PhoneHint::NorthAmerica
            } else {
                PhoneHint::Other
            }
        }
        _ if masked => PhoneHint::China,
        _ => PhoneHint::Other,
    })
}

/// The calling code a phone is written with (`+49 171 …`, `0044 20 …`), when it is one the
/// phone metadata knows and not China's (86) or North America's (1), which the shape hints
/// count already.
fn other_country_code(value: &str) -> Option<u16> {
    let value = value.trim_start();
    // After `00` a whole international number follows (the code and at least eight national
    // digits); a shorter number led by zeros is a national one (`007-12-3456`).
    let digit_count = value.chars().filter(char::is_ascii_digit).count();
    let rest = value
        .strip_prefix('+')
        .or_else(|| value.strip_prefix("00").filter(|_| digit_count >= 11))?;
    let digits: String = rest.chars().filter(char::is_ascii_digit).take(3).collect();
    // Calling codes are prefix-free: the first prefix the metadata knows is the code.
    (1..=digits.len())
        .filter_map(|len| digits[..len].parse::<u16>().ok())
        .find(|code| phonenumber::metadata::DATABASE.region(code).is_some())
        .filter(|&code| code != 86 && code != 1)
}

/// The main region of a calling code (`49` → `DE`, `44` → `GB`).
pub(crate) fn region_of_code(code: u16) -> Option<String> {
    phonenumber::metadata::DATABASE
        .region(&code)
        .and_then(|regions| regions.first().map(|r| (*r).to_string()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateHint {
    DayFirst,
    MonthFirst,
    None,
}

/// A date: `YYYY-MM-DD`-like (any of `-/.年月日`), `MM/DD/YY[YY]`, `YYYYMMDD`, or with a month
/// name; optional time after a space or `T`.
fn date_shape(value: &str, shape: &Shape) -> Option<DateHint> {
    let head = value
        .split(['T', ' '])
        .next()
        .unwrap_or(value)
        .trim_end_matches('日');
    let parts: Vec<&str> = head
        .split(['-', '/', '.', '年', '月'])
        .filter(|p| !p.is_empty())
        .collect();
    let numeric = |p: &&str| p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() == 3 && parts.iter().all(numeric) {
        let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        if lens[0] == 4 && lens[1] <= 2 && lens[2] <= 2 {
            return ((1..=12).contains(&n[1]) && (1..=31).contains(&n[2]))
                .then_some(DateHint::None);
        }
        if lens[0] <= 2 && lens[1] <= 2 && (lens[2] == 4 || lens[2] == 2) {
            let (a, b) = (n[0], n[1]);
            if !(1..=31).contains(&a) || !(1..=31).contains(&b) || (a > 12 && b > 12) {
                return None;
            }
            return Some(if a > 12 {
                DateHint::DayFirst
            } else if b > 12 {
                DateHint::MonthFirst
            } else {
                DateHint::None
            });
        }
        return None;
    }
    if parts.len() == 1 && head.len() == 8 && numeric(&head) {
        let n: u32 = head.parse().ok()?;
        let (y, m, d) = (n / 10_000, n / 100 % 100, n % 100);
        let (m2, d2, y2) = (n / 1_000_000, n / 10_000 % 100, n % 10_000);
        let ymd = (1800..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d);
        let mdy = (1800..=2100).contains(&y2) && (1..=31).contains(&m2) && (1..=31).contains(&d2);
        return (ymd || mdy).then_some(DateHint::None);
    }
    // `Jan 2 1990`, `2 January 1990`.
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = value.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let month = words
        .iter()
        .filter(|w| w.len() >= 3 && MONTHS.iter().any(|m| w.starts_with(m)))
        .count();
    let numbers = words
        .iter()
        .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
        .count();
    (month == 1 && numbers == 2 && shape.letters <= 12).then_some(DateHint::None)
}

/// A Chinese resident id: 17 digits and a check character that fits them.
fn is_national_id(value: &str) -> bool {
    let v = value.trim();
    v.len() == 18
        && v.as_bytes()[..17].iter().all(u8::is_ascii_digit)
        && check_digit(&v[..17]).is_some_and(|c| v[17..].eq_ignore_ascii_case(&c.to_string()))
}

/// A plain number: an amount, a count, a score.
fn is_number(value: &str) -> bool {
    let v = value
        .trim()
        .trim_start_matches(['-', '+', '$', '¥', '€', '£']);
    !v.is_empty()
        && v.bytes().filter(|&b| b == b'.').count() <= 1
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        && v.bytes().any(|b| b.is_ascii_digit())
}

/// Bare digits led by zeros no phone is written with: three (`000670140736`), or two
/// where too few digits follow for an international call (`0075369920`). A number padded
/// to its width: a member number.
fn is_zero_padded(value: &str, shape: &Shape) -> bool {
    shape.digits == value.len()
        && (value.starts_with("000") || (value.starts_with("00") && value.len() <= 11))
}

/// Seven to nine digits and nothing else: a number (a social security or tax number, a
/// member number) more than a phone, which is written with its area code (ten digits or
/// more) or punctuated (`555-1234`) where it is shorter.
fn is_bare_short_number(value: &str, shape: &Shape) -> bool {
    (7..=9).contains(&shape.digits) && shape.digits == value.len()
}

/// Grouped three, two and four digits (`496-22-8566`): a US social security number. No
/// numbering plan groups a phone so.
fn is_ssn_shaped(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 3
        && groups.iter().map(|g| g.len()).eq([3, 2, 4])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
}

/// An identifier: one token of letters, digits and `-_/.:`, with a digit, 4 to 40 long.
fn is_id(value: &str, shape: &Shape) -> bool {
    shape.spaces == 0
        && shape.digits > 0
        && (4..=40).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.:".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_padded_with_zeros_are_ids_not_phones() {
        let s = stats(&[
            "0075369920",
            "000670140736",
            "0044 20 7946 0958",
            "00442079460958",
        ]);
        // The padded ones are member numbers; an international call stays a phone.
        assert_eq!((s.ids, s.phones, s.numbers), (2, 2, 0));
    }

    #[test]
    fn lettered_postcodes_are_told_from_other_codes() {
        for postcode in [
            "tq13 8df", "SW1A 1AA", "M1 1AE", "B33 8TH", "K1A 0B1", "1012 AB", "EC1A1BB",
        ] {
            assert!(is_lettered_postcode(postcode), "{postcode}");
        }
        for other in [
            "60652",
            "AB12",
            "C000123",
            "12 AB 3",
            "tq13  8df",
            "rec-12",
            "K1A 0B1X",
        ] {
            assert!(!is_lettered_postcode(other), "{other}");
        }
    }

    fn stats(values: &[&str]) -> ColumnStats {
        let rows: Vec<TableRow> = values
            .iter()
            .enumerate()
            .map(|(i, v)| TableRow {
                number: i as u64 + 1,
                line: i as u64 + 2,
                cells: vec![v.to_string()],
                problem: None,
            })
            .collect();
        let refs: Vec<&TableRow> = rows.iter().collect();
        column_stats(&refs, 0, Reading::People)
    }

    #[test]
    fn shapes_are_counted() {
        let s = stats(&["a@b.com", "Maria <m@x.org>", "", "x@y"]);
        assert_eq!((s.values, s.emails), (3, 2));
        let s = stats(&[
            "(369) 918-2766",
            "+1 369 918 2766",
            "138-0013-8000",
            "138****8000",
        ]);
        assert_eq!((s.phones, s.nanp_phones, s.cn_phones), (4, 2, 2));
        let s = stats(&[
            "+49 171 1234567",
            "0049 30 12345678",
            "+44 7700 900123",
            "+86 138 0013 8000",
        ]);
        assert_eq!(
            s.other_country_codes.into_iter().collect::<Vec<_>>(),
            [(44, 1), (49, 2)]
        );
        // A short number led by zeros is a national one, not `00` and a country code.
        let s = stats(&["007-12-3456", "0079 123 456"]);
        assert!(s.other_country_codes.is_empty());
        assert_eq!(region_of_code(49).as_deref(), Some("DE"));
        // Three, two and four digits: a social security number, never a phone.
        let s = stats(&["496-22-8566", "201-77-7719", "702-919-1300"]);
        assert_eq!((s.ids, s.phones), (2, 1));
        // Years of dates; the middle half of them.
        let s = stats(&[
            "1950-01-02",
            "19600304",
            "03/04/1970",
            "1980.05.06",
            "2024-01-01",
        ]);
        assert_eq!(s.date_years.values().sum::<usize>(), 5);
        assert_eq!(s.middle_years(), 20);
        // Names and addresses as the values show them.
        let s = stats(&[
            "robert",
            "Bob Smith",
            "SMITH, John",
            "green",
            "J.",
            "张伟",
            "Zhang Wei",
            "oak park",
        ]);
        let n = &s.names;
        assert_eq!((n.one_word, n.one_known_given, n.initials), (3, 1, 1));
        assert_eq!((n.several_words, n.several_recognised, n.han), (4, 3, 1));
        let s = stats(&[
            "starling st",
            "12 Oak Street",
            "四川省成都市金牛区北京路189号",
            "Oak",
        ]);
        let a = &s.addresses;
        assert_eq!((a.streets, a.numbered_streets, a.han), (2, 1, 1));
        let s = stats(&[
            "01/30/2005",
            "20071231",
            "30/01/2005",
            "1990-01-02",
            "Jan 2 1990",
            "01302005",
        ]);
        assert_eq!((s.dates, s.day_first_dates, s.month_first_dates), (6, 1, 1));
        let s = stats(&["110105199001021234", "12.50", "A1234567", "devon"]);
        // An 18-digit number with a wrong check digit is a number, not a resident id.
        assert_eq!((s.national_ids, s.numbers, s.ids, s.words), (0, 2, 1, 1));
        let s = stats(&["11010519491231002X"]);
        assert_eq!(s.national_ids, 1);
        // Seven to nine bare digits are a number like a social security number, not a phone;
        // punctuated or with an area code they are phones.
        let s = stats(&["1804974", "570139612", "555-1234", "2125551234"]);
        assert_eq!((s.ids, s.phones, s.numbers), (2, 2, 0));
    }

    #[test]
    fn the_sample_does_not_depend_on_row_order() {
        let rows: Vec<TableRow> = (0..SAMPLE_ROWS * 3)
            .map(|i| TableRow {
                number: i as u64,
                line: i as u64,
                cells: vec![format!("v{i}")],
                problem: None,
            })
            .collect();
        let mut a: Vec<String> = sample_rows(&rows)
            .iter()
            .map(|r| r.cells[0].clone())
            .collect();
        let mut reversed = rows.clone();
        reversed.reverse();
        let mut b: Vec<String> = sample_rows(&reversed)
            .iter()
            .map(|r| r.cells[0].clone())
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert!((SAMPLE_ROWS * 9 / 10..SAMPLE_ROWS * 11 / 10).contains(&a.len()));
    }
}
