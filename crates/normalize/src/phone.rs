//! Phone numbers: E.164 with a configurable default region, masked numbers (`138****8000`)
//! that keep their visible digits, and a fast path for Chinese mobiles.
//!
//! The `phonenumber` crate costs about 5 µs per parse behind a global mutex, so it sits behind
//! the [`PhoneParser`] trait and is asked only about what the regex-free fast paths cannot
//! settle. The first takes 11-digit Chinese mobiles (`1[3-9]…`, with or without a `+86` /
//! `0086` / `86` prefix) and judges a mobile's prefix with a small table that mirrors the
//! library's metadata (checked by a unit test), so a number the library would reject is still
//! kept, flagged [`IssueKind::Suspicious`]: carriers allocate prefixes before the metadata
//! learns them. The second gives the library's own verdict, from tables checked against it,
//! on North American numbers and on 10-digit numbers under CN that do not start with 0 or 1.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::NormalizeError;
use crate::issue::{Issue, IssueKind, MatchKeys, Normalized};
use crate::text::nfkc;

mod fast;

/// The visible digits of a number whose middle its source hid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MaskedPhone {
    /// Visible national digits before the mask (`138`); may be empty.
    pub prefix: Box<str>,
    /// Visible digits after the mask (`8000`); may be empty.
    pub suffix: Box<str>,
}

/// A normalized phone number: either a full E.164 number or a masked one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    /// The number in E.164 form (`+8613800138000`); `None` when masked.
    pub e164: Option<Box<str>>,
    /// The visible digits, when the source masked the middle.
    pub masked: Option<MaskedPhone>,
    /// The country calling code (86, 1, …) when known.
    pub country_code: Option<u16>,
}

impl Phone {
    /// The national significant number of a full number (`13800138000`).
    pub fn national(&self) -> Option<&str> {
        let e164 = self.e164.as_deref()?;
        let code_len = decimal_len(self.country_code?);
        e164.get(1 + code_len..)
    }
}

impl MatchKeys for Phone {
    /// The E.164 form, or `prefix****suffix` for a masked number.
    fn norm(&self) -> String {
        if let Some(e164) = &self.e164 {
            return e164.to_string();
        }
        match &self.masked {
            Some(m) => {
                let mut out = String::with_capacity(m.prefix.len() + 4 + m.suffix.len());
                out.push_str(&m.prefix);
                out.push_str("****");
                out.push_str(&m.suffix);
                out
            }
            None => String::new(),
        }
    }

    /// `e164`, `masked_prefix`, `masked_suffix`. A full number's national first 3 / last 4
    /// digits fill the masked keys too, so masked and full numbers can be blocked together.
    fn keys(&self) -> Vec<(&'static str, String)> {
        let (prefix, suffix) = match (&self.masked, self.national()) {
            (Some(m), _) => (m.prefix.to_string(), m.suffix.to_string()),
            (None, Some(n)) if n.len() >= 7 => (n[..3].to_string(), n[n.len() - 4..].to_string()),
            _ => (String::new(), String::new()),
        };
        vec![
            ("e164", self.e164.as_deref().unwrap_or("").to_string()),
            ("masked_prefix", prefix),
            ("masked_suffix", suffix),
        ]
    }
}

/// What a [`PhoneParser`] made of one candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneVerdict {
    /// The number in E.164 form.
    pub e164: String,
    /// The country calling code.
    pub country_code: u16,
    /// Whether the number is valid by the parser's metadata.
    pub valid: bool,
    /// Whether its length is one the country's numbers have, whatever its ranges: a
    /// number that is possible but not valid has the shape of a phone (ten digits in North
    /// America) in an unassigned range, as made-up and test data often do.
    pub possible: bool,
}

/// A phone-number library behind a small interface, so the backend can be swapped
/// (`phonenumber`, `rlibphonenumber`, a test double).
pub trait PhoneParser: Send + Sync {
    /// The country calling code of an ISO 3166 region (`CN` → 86), or `None` when the parser
    /// does not know the region.
    fn region_country_code(&self, region: &str) -> Option<u16>;

    /// Parses one cleaned candidate: ASCII digits, optionally led by `+`. `default_region` is
    /// a region this parser knows. `None` when it is not a phone number at all.
    fn parse(&self, candidate: &str, default_region: &str) -> Option<PhoneVerdict>;
}

/// [`PhoneParser`] backed by the `phonenumber` crate (Google's libphonenumber metadata).
#[derive(Debug, Clone, Copy, Default)]
pub struct LibPhoneParser;

impl PhoneParser for LibPhoneParser {
    fn region_country_code(&self, region: &str) -> Option<u16> {
        region.parse::<phonenumber::country::Id>().ok()?;
        phonenumber::metadata::DATABASE
            .by_id(region)
            .map(|meta| meta.country_code())
    }

    fn parse(&self, candidate: &str, default_region: &str) -> Option<PhoneVerdict> {
        let region = default_region.parse::<phonenumber::country::Id>().ok();
        let number = phonenumber::parse(region, candidate).ok()?;
        let country_code = number.code().value();
        let national = number.national().to_string();
        // What the library's E.164 formatting writes, without the search of the country's
        // display formats that its formatter runs first (a quarter of a parse).
        let e164 = format!("+{country_code}{national}");
        let national_length = national.len() as u16;
        // Seven or eight digits are a local number in most countries, the same digits in
        // every area: without its area code it names no one.
        let possible = national_length >= MIN_UNASSIGNED_DIGITS
            && phonenumber::metadata::DATABASE
                .by_code(&country_code)
                .is_some_and(|regions| {
                    regions.iter().any(|meta| {
                        use phonenumber::Type;
                        let descriptors = meta.descriptors();
                        [Type::FixedLine, Type::Mobile, Type::TollFree, Type::Voip]
                            .into_iter()
                            .filter_map(|kind| descriptors.get(kind))
                            .any(|d| d.possible_length().contains(&national_length))
                    })
                });
        Some(PhoneVerdict {
            e164,
            country_code,
            valid: number.is_valid(),
            possible,
        })
    }
}

/// Normalizes phone numbers to [`Phone`] values, with a default region for numbers written
/// without a country code.
pub struct PhoneNormalizer {
    region: String,
    country_code: u16,
    parser: Box<dyn PhoneParser>,
}

impl fmt::Debug for PhoneNormalizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhoneNormalizer")
            .field("region", &self.region)
            .field("country_code", &self.country_code)
            .finish_non_exhaustive()
    }
}

/// A number the metadata does not assign is kept only with at least this many national
/// digits (an area code and a subscriber number).
const MIN_UNASSIGNED_DIGITS: u16 = 9;

/// Longest cleaned candidate kept (E.164 has at most 15 digits; `00` prefixes and masks add
/// a few).
const MAX_BODY: usize = 24;

impl PhoneNormalizer {
    /// A normalizer backed by the `phonenumber` crate. `default_region` is an ISO 3166 code
    /// such as `CN` or `US` (case-insensitive).
    ///
    /// # Errors
    ///
    /// [`NormalizeError::UnknownRegion`] when the phone metadata does not know the region.
    ///
    /// ```
    /// use sameas_normalize::phone::PhoneNormalizer;
    /// assert!(PhoneNormalizer::new("CN").is_ok());
    /// assert!(PhoneNormalizer::new("XX").is_err());
    /// ```
    pub fn new(default_region: &str) -> Result<Self, NormalizeError> {
        Self::with_parser(default_region, Box::new(LibPhoneParser))
    }

    /// A normalizer backed by `parser`.
    ///
    /// # Errors
    ///
    /// [`NormalizeError::UnknownRegion`] when `parser` does not know the region.
    ///
    /// ```
    /// use sameas_normalize::phone::{LibPhoneParser, PhoneNormalizer};
    /// let phones = PhoneNormalizer::with_parser("us", Box::new(LibPhoneParser)).unwrap();
    /// assert_eq!(phones.region(), "US");
    /// ```
    pub fn with_parser(
        default_region: &str,
        parser: Box<dyn PhoneParser>,
    ) -> Result<Self, NormalizeError> {
        let region = default_region.trim().to_ascii_uppercase();
        let unknown = || NormalizeError::UnknownRegion {
            region: default_region.to_string(),
        };
        if region.len() != 2 || !region.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(unknown());
        }
        let country_code = parser.region_country_code(&region).ok_or_else(unknown)?;
        Ok(PhoneNormalizer {
            region,
            country_code,
            parser,
        })
    }

    /// The default region, upper-case.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Normalizes one raw phone value.
    ///
    /// ```
    /// use sameas_normalize::phone::PhoneNormalizer;
    /// use sameas_normalize::{IssueKind, MatchKeys};
    ///
    /// let phones = PhoneNormalizer::new("CN").unwrap();
    /// let full = phones.normalize("+86 138-0013-8000").value.unwrap();
    /// assert_eq!(full.e164.as_deref(), Some("+8613800138000"));
    ///
    /// let masked = phones.normalize("138****8000");
    /// assert!(masked.has(IssueKind::Masked));
    /// assert_eq!(masked.value.unwrap().norm(), "138****8000");
    ///
    /// assert!(phones.normalize("12345").has(IssueKind::Invalid));
    /// ```
    pub fn normalize(&self, raw: &str) -> Normalized<Phone> {
        let text = nfkc_phone(raw);
        let text = text.trim();
        if text.is_empty() {
            return Normalized::missing();
        }
        if crate::text::is_scientific_notation(text) {
            return Normalized::invalid(crate::text::SCIENTIFIC_NOTATION);
        }
        let scan = scan(text);
        if scan.overflow {
            return Normalized::invalid("too many digits for a phone number");
        }
        let body = &scan.buf[..scan.len];
        let mut issues = Vec::new();
        if scan.trailing_digits {
            issues.push(Issue::new(
                IssueKind::Suspicious,
                "text after the number ignored",
            ));
        }
        if scan.masks > 0 {
            return self.masked(&scan, body, issues);
        }
        if scan.digits() < 3 {
            return Normalized::invalid("too few digits for a phone number");
        }
        if let Some(verdict) = north_american_by_shape(&scan, body, self.country_code) {
            return full_number(verdict.e164, 1, issues);
        }
        if let Some(national) = cn_mobile_national(scan.plus, body, self.country_code) {
            if !cn_mobile_prefix_known(national) {
                issues.push(Issue::new(
                    IssueKind::Suspicious,
                    "mobile prefix not in phone metadata",
                ));
            }
            let mut e164 = String::with_capacity(14);
            e164.push_str("+86");
            e164.push_str(ascii(national));
            return full_number(e164, 86, issues);
        }
        let verdict = fast::verdict(scan.plus, body, self.country_code)
            .or_else(|| self.read_back(&parser_candidate(scan.plus, body)));
        let verdict = match verdict {
            Some(v) if v.valid => Some(v),
            other => self
                .other_region_reading(scan.plus, body)
                .or_else(|| self.international_without_plus(&scan, body))
                .or(other),
        };
        match verdict {
            Some(verdict) if verdict.valid || verdict.possible => {
                // The shape of a number, in a range the metadata does not assign: kept,
                // since the same digits written twice are still the same number.
                if !verdict.valid {
                    issues.push(Issue::new(
                        IssueKind::Suspicious,
                        "a number in a range the phone metadata does not assign",
                    ));
                }
                full_number(verdict.e164, verdict.country_code, issues)
            }
            Some(_) => Normalized::invalid("not a valid phone number"),
            None => Normalized::invalid("not a phone number"),
        }
    }

    /// The parser's verdict on `candidate` under the default region, kept valid or possible
    /// only where its E.164 reads back as itself: the library occasionally accepts a dialled
    /// form whose E.164 it then rejects (`003…` under CN).
    fn read_back(&self, candidate: &str) -> Option<PhoneVerdict> {
        let verdict = self.parser.parse(candidate, &self.region)?;
        let again = (verdict.valid || verdict.possible)
            .then(|| self.parser.parse(&verdict.e164, &self.region))
            .flatten()
            .filter(|again| again.e164 == verdict.e164);
        Some(PhoneVerdict {
            valid: verdict.valid && again.as_ref().is_some_and(|a| a.valid),
            possible: verdict.possible && again.is_some(),
            ..verdict
        })
    }

    /// A number written without a country code that is no number of the default region but
    /// has the unmistakable shape of one elsewhere: a Chinese mobile (`1[3-9]` and 11 digits)
    /// or a valid North American number (10 digits, or 11 led by 1). A US customer file read
    /// under the default region CN keeps its `(369) 918-2766`, and a Chinese mobile in a US
    /// file stays a phone.
    fn other_region_reading(&self, plus: bool, body: &[u8]) -> Option<PhoneVerdict> {
        if plus {
            return None;
        }
        if self.country_code != 86
            && let Some(national) = cn_mobile_national(false, body, 86)
        {
            let mut e164 = String::with_capacity(14);
            e164.push_str("+86");
            e164.push_str(ascii(national));
            return Some(PhoneVerdict {
                e164,
                country_code: 86,
                valid: cn_mobile_prefix_known(national),
                possible: true,
            });
        }
        if self.country_code != 1 {
            return fast::verdict(false, body, 1).filter(|v| v.valid);
        }
        None
    }

    /// A number written with its country calling code but without the `+` (`92-42-7925774`,
    /// `44 20 7946 0958`), when it is no valid number of the default region: its first
    /// group is that country's code and the rest has the length of a number there. The
    /// group's shape is what tells it: run together, the digits stay the default region's.
    fn international_without_plus(&self, scan: &Scan, body: &[u8]) -> Option<PhoneVerdict> {
        if scan.plus || !(1..=3).contains(&scan.lead_group) || body.first() == Some(&b'0') {
            return None;
        }
        let lead = ascii(&body[..scan.lead_group]).parse::<u16>().ok()?;
        if lead == self.country_code {
            return None;
        }
        self.parser
            .parse(&parser_candidate(true, body), &self.region)
            .filter(|verdict| (verdict.valid || verdict.possible) && verdict.country_code == lead)
    }

    fn masked(&self, scan: &Scan, body: &[u8], mut issues: Vec<Issue>) -> Normalized<Phone> {
        if scan.digits() == 0 {
            return Normalized::invalid("no visible digits");
        }
        let first = body.iter().position(|&b| b == b'*').unwrap_or(0);
        let last = body.iter().rposition(|&b| b == b'*').unwrap_or(0);
        let mut prefix = &body[..first];
        let suffix = &body[last + 1..];
        let mut country_code = Some(self.country_code);
        if scan.plus {
            if let Some(rest) = prefix.strip_prefix(b"86") {
                prefix = rest;
                country_code = Some(86);
            } else if let Some(rest) = prefix.strip_prefix(b"1") {
                prefix = rest;
                country_code = Some(1);
            } else {
                country_code = None;
            }
        } else if let Some(rest) = prefix.strip_prefix(b"0086") {
            prefix = rest;
            country_code = Some(86);
        } else if self.country_code == 86
            && prefix.len() + 4 + suffix.len() == 13
            && prefix.starts_with(b"86")
        {
            prefix = &prefix[2..];
        }
        let visible = prefix.len() + suffix.len();
        if visible < 3 {
            return Normalized::invalid("too few visible digits");
        }
        // No number has more than 15 digits (E.164), visible or not.
        if visible > 15 {
            return Normalized::invalid("too many digits for a phone number");
        }
        issues.push(Issue::new(
            IssueKind::Masked,
            "middle digits hidden by source",
        ));
        Normalized {
            value: Some(Phone {
                e164: None,
                masked: Some(MaskedPhone {
                    prefix: ascii(prefix).into(),
                    suffix: ascii(suffix).into(),
                }),
                country_code,
            }),
            issues: issues.into(),
        }
    }
}

/// [`nfkc`] with a shortcut for full-width ASCII (`１３８…`, `（＋８６）`), a common phone
/// spelling: each such character decomposes to ASCII, which composes with nothing, so mapping
/// them one by one is the whole of NFKC.
fn nfkc_phone(raw: &str) -> Cow<'_, str> {
    if raw.is_ascii() {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        out.push(match c {
            '\u{3000}' => ' ',
            // U+FF01..=U+FF5E are U+0021..=U+007E shifted by 0xFEE0.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c if c.is_ascii() => c,
            _ => return nfkc(raw),
        });
    }
    Cow::Owned(out)
}

/// A cleaned candidate: digits and `*` (any mask character), at most [`MAX_BODY`] long.
struct Scan {
    buf: [u8; MAX_BODY],
    len: usize,
    plus: bool,
    masks: usize,
    overflow: bool,
    trailing_digits: bool,
    /// Digits in the first group, before the first separator or mask (all of them when
    /// none follows): a lone `1` ahead of the rest is a North American country code.
    lead_group: usize,
}

impl Scan {
    fn push(&mut self, b: u8) {
        match self.buf.get_mut(self.len) {
            Some(slot) => {
                *slot = b;
                self.len += 1;
                self.masks += usize::from(b == b'*');
            }
            None => self.overflow = true,
        }
    }

    fn push_digits(&mut self, digits: &[u8]) {
        match self.buf.get_mut(self.len..self.len + digits.len()) {
            Some(slots) => {
                slots.copy_from_slice(digits);
                self.len += digits.len();
            }
            None => self.overflow = true,
        }
    }

    fn digits(&self) -> usize {
        self.len - self.masks
    }
}

#[inline]
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '(' | ')' | '\t' | '\u{a0}' | '\u{2010}'..='\u{2015}' | '\u{2212}'
    )
}

#[inline]
fn is_mask_char(c: char) -> bool {
    matches!(c, '*' | '×' | '•' | '●' | '∗' | '○' | '◦')
}

/// Finds the number in `text`: leading labels (`tel:`, `手机：`) are skipped, the body runs
/// over digits, separators and mask characters, and what follows is ignored (an extension,
/// or flagged when it holds other digits).
fn scan(text: &str) -> Scan {
    let mut scan = Scan {
        buf: [0; MAX_BODY],
        len: 0,
        plus: false,
        masks: 0,
        overflow: false,
        trailing_digits: false,
        lead_group: 0,
    };
    let Some(start) = text.find(|c: char| c.is_ascii_digit() || c == '+' || is_mask_char(c)) else {
        return scan;
    };
    let mut rest = &text[start..];
    if let Some(after) = rest.strip_prefix('+') {
        scan.plus = true;
        rest = after;
    }
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            // Runs of digits are most of a number: copy them whole.
            let run = rest.bytes().take_while(u8::is_ascii_digit).count();
            if scan.len == 0 {
                scan.lead_group = run;
            }
            scan.push_digits(&rest.as_bytes()[..run]);
            if scan.overflow {
                return scan;
            }
            rest = &rest[run..];
            continue;
        } else if is_mask_char(c) {
            scan.push(b'*');
        } else if c == 'x' || c == 'X' {
            // A run of two or more is a mask (`138xxxx8000`); a single one marks an extension.
            let run = rest.bytes().take_while(|&b| b == b'x' || b == b'X').count();
            if run < 2 {
                break;
            }
            for _ in 0..run {
                scan.push(b'*');
            }
            rest = &rest[run..];
            continue;
        } else if !is_separator(c) {
            break;
        }
        if scan.overflow {
            return scan;
        }
        rest = &rest[c.len_utf8()..];
    }
    if rest.bytes().any(|b| b.is_ascii_digit()) && !is_extension(rest) {
        scan.trailing_digits = true;
    }
    scan
}

/// Whether the text after a number introduces an extension (`ext. 12`, `x12`, `转12`).
fn is_extension(rest: &str) -> bool {
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ';');
    let head = rest.get(..3).unwrap_or(rest);
    head.eq_ignore_ascii_case("ext")
        || rest.starts_with(['x', 'X', '#', '转'])
        || rest.starts_with("分机")
}

/// What the phone library is given: the digits of `body`, led by `+` with `plus`.
fn parser_candidate(plus: bool, body: &[u8]) -> String {
    let mut candidate = String::with_capacity(body.len() + 1);
    if plus {
        candidate.push('+');
    }
    candidate.push_str(ascii(body));
    candidate
}

/// A full (unmasked) number kept in E.164 form, with the issues found on the way.
fn full_number(e164: String, country_code: u16, issues: Vec<Issue>) -> Normalized<Phone> {
    Normalized {
        value: Some(Phone {
            e164: Some(e164.into()),
            masked: None,
            country_code: Some(country_code),
        }),
        issues: issues.into(),
    }
}

/// A number written as North American ones are, its country code `1` a group of its own
/// ahead of ten digits (`1-323-457-8440`, `1 (323) 457-8440`), read as one whatever the
/// default region, when its area code is assigned. The same eleven digits run together,
/// or grouped as a Chinese mobile is (`132-3457-8440`), still read as the default
/// region's: only the lone leading `1` says which.
fn north_american_by_shape(scan: &Scan, body: &[u8], default_code: u16) -> Option<PhoneVerdict> {
    if scan.plus || default_code == 1 || scan.lead_group != 1 || body.len() != 11 {
        return None;
    }
    fast::verdict(false, body, 1).filter(|v| v.valid)
}

/// The 11 national digits of a Chinese mobile, when `body` (digits only) is one: bare under
/// a +86 default region, or led by `+86`, `0086` or (under +86) `86`.
fn cn_mobile_national(plus: bool, body: &[u8], default_code: u16) -> Option<&[u8]> {
    let national = match body.len() {
        11 if !plus && default_code == 86 => body,
        13 if (plus || default_code == 86) && body.starts_with(b"86") => &body[2..],
        15 if !plus && body.starts_with(b"0086") => &body[4..],
        _ => return None,
    };
    (national[0] == b'1' && (b'3'..=b'9').contains(&national[1])).then_some(national)
}

/// Whether the mobile prefix of `national` (11 digits, `1[3-9]…`) is one the phone
/// metadata accepts. Mirrors the `<mobile>` pattern for CN in libphonenumber 9.0:
/// `1740[0-5]\d{6}|1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\d{8}`.
fn cn_mobile_prefix_known(national: &[u8]) -> bool {
    let third = national[2];
    match national[1] {
        b'3' | b'8' => true,
        b'4' => matches!(third, b'5' | b'7'),
        b'5' | b'9' => third != b'4',
        b'6' => matches!(third, b'2' | b'5' | b'6' | b'7'),
        b'7' => match third {
            b'4' => national[3] == b'0' && national[4] <= b'5',
            b'9' => false,
            _ => true,
        },
        _ => false,
    }
}

/// `bytes` as text; the scanned body is ASCII digits and `*` only.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

fn decimal_len(mut n: u16) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

impl crate::field::NormalizeField for PhoneNormalizer {
    const KEYS: &'static [&'static str] = &["e164", "masked_prefix", "masked_suffix"];

    fn compile(options: &crate::NormalizeOptions) -> Result<Self, NormalizeError> {
        PhoneNormalizer::new(&options.default_region)
    }

    fn normalize_field(&self, raw: &str) -> Normalized<crate::record::FieldValue> {
        self.normalize(raw)
            .map(|p| crate::record::FieldValue::Phone(Box::new(p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static CN: LazyLock<PhoneNormalizer> = LazyLock::new(|| PhoneNormalizer::new("CN").unwrap());
    static US: LazyLock<PhoneNormalizer> = LazyLock::new(|| PhoneNormalizer::new("US").unwrap());

    fn e164(n: &PhoneNormalizer, raw: &str) -> Option<String> {
        n.normalize(raw)
            .value
            .and_then(|p| p.e164)
            .map(String::from)
    }

    #[test]
    fn a_number_in_scientific_notation_is_invalid_with_the_reason() {
        let phones = PhoneNormalizer::new("CN").unwrap();
        let out = phones.normalize("1.38001E+10");
        assert!(out.value.is_none() && out.has(IssueKind::Invalid));
        assert!(out.issues[0].reason.contains("scientific notation"));
    }

    #[test]
    fn chinese_mobile_spellings() {
        for raw in [
            "13800138000",
            "138 0013 8000",
            "138-0013-8000",
            "+86 138 0013 8000",
            "+86-138-0013-8000",
            "8613800138000",
            "(+86)138 0013 8000",
            "0086 13800138000",
            "１３８００１３８０００",
            "tel: 13800138000",
            "手机：138.0013.8000",
            "13800138000 ext. 12",
        ] {
            let out = CN.normalize(raw);
            assert_eq!(
                out.value.unwrap().e164.as_deref(),
                Some("+8613800138000"),
                "{raw}"
            );
            assert!(out.issues.is_empty(), "{raw}: {:?}", out.issues);
        }
    }

    #[test]
    fn masked_numbers_keep_visible_digits() {
        for (raw, prefix, suffix) in [
            ("138****8000", "138", "8000"),
            ("138xxxx8000", "138", "8000"),
            ("138XXXX8000", "138", "8000"),
            ("+86 138****8000", "138", "8000"),
            ("86138****8000", "138", "8000"),
            ("138 **** 8000", "138", "8000"),
            ("*******8000", "", "8000"),
            ("138●●●●8000", "138", "8000"),
        ] {
            let out = CN.normalize(raw);
            assert!(out.has(IssueKind::Masked), "{raw}");
            assert!(!out.has(IssueKind::Invalid), "{raw}");
            let phone = out.value.unwrap();
            assert_eq!(phone.e164, None);
            assert_eq!(phone.country_code, Some(86));
            let masked = phone.masked.clone().unwrap();
            assert_eq!((&*masked.prefix, &*masked.suffix), (prefix, suffix));
            assert_eq!(phone.norm(), format!("{prefix}****{suffix}"));
        }
        assert!(CN.normalize("*****").has(IssueKind::Invalid));
        assert!(CN.normalize("1******").has(IssueKind::Invalid));
    }

    #[test]
    fn keys_line_up_for_masked_and_full() {
        let full = CN.normalize("13800138000").value.unwrap();
        let masked = CN.normalize("138****8000").value.unwrap();
        assert_eq!(full.keys()[1..], masked.keys()[1..]);
        assert_eq!(
            full.keys(),
            vec![
                ("e164", "+8613800138000".to_string()),
                ("masked_prefix", "138".to_string()),
                ("masked_suffix", "8000".to_string()),
            ]
        );
        assert_eq!(masked.keys()[0], ("e164", String::new()));
    }

    #[test]
    fn north_american_numbers() {
        assert_eq!(e164(&US, "(702) 919-1300").as_deref(), Some("+17029191300"));
        assert_eq!(
            e164(&CN, "+1 702 919 1300").as_deref(),
            Some("+17029191300")
        );
        let phone = US.normalize("(702) 919-1300").value.unwrap();
        assert_eq!(phone.country_code, Some(1));
        assert_eq!(phone.national(), Some("7029191300"));
    }

    #[test]
    fn a_lone_leading_one_is_the_north_american_code() {
        // Eleven digits that are also a Chinese mobile (132…): the lone `1` group says
        // North American, whatever the default region.
        for raw in ["1-323-457-8440", "1 (323) 457-8440", "1.323.457.8440"] {
            assert_eq!(e164(&CN, raw).as_deref(), Some("+13234578440"), "{raw}");
        }
        // Run together or grouped as a Chinese mobile, the default region reads them.
        for raw in ["13234578440", "132-3457-8440", "132 3457 8440"] {
            assert_eq!(e164(&CN, raw).as_deref(), Some("+8613234578440"), "{raw}");
        }
        // An unassigned area code after the lone 1 is not taken for North American.
        assert_eq!(
            e164(&CN, "1-381-457-8440").as_deref(),
            Some("+8613814578440")
        );
    }

    #[test]
    fn numbers_of_another_region_keep_their_shape() {
        // Under CN, a North American number written nationally meets its +1 spelling.
        for raw in ["(369) 918-2766", "369-918-2766"] {
            assert_eq!(e164(&CN, raw).as_deref(), Some("+13699182766"), "{raw}");
        }
        // Under US, a Chinese mobile stays one.
        assert_eq!(e164(&US, "13800138000").as_deref(), Some("+8613800138000"));
        assert_eq!(
            e164(&US, "138-0013-8000").as_deref(),
            Some("+8613800138000")
        );
        // The default region still decides what it can read.
        assert_eq!(e164(&US, "7029191300").as_deref(), Some("+17029191300"));
        assert_eq!(e164(&CN, "13800138000").as_deref(), Some("+8613800138000"));
        // Seven digits are no number anywhere without an area code.
        assert!(CN.normalize("321-3212").has(IssueKind::Invalid));
    }

    #[test]
    fn a_country_code_written_without_its_plus() {
        // The first group is a country's code and the rest a valid number there.
        for region in [&CN, &US] {
            assert_eq!(
                e164(region, "92-42-7925774").as_deref(),
                Some("+92427925774")
            );
            assert_eq!(
                e164(region, "44 20 7946 0958").as_deref(),
                Some("+442079460958")
            );
        }
        // A number the default region reads stays its own, grouped or not.
        assert_eq!(e164(&US, "702 919 1300").as_deref(), Some("+17029191300"));
        assert_eq!(
            e164(&CN, "138 0013 8000").as_deref(),
            Some("+8613800138000")
        );
        // Run together, the digits are not read as led by a country code.
        assert_ne!(e164(&US, "92427925774").as_deref(), Some("+92427925774"));
    }

    #[test]
    fn invalid_inputs() {
        for raw in [
            "12345",
            "abc",
            "phone number",
            "--",
            "+",
            "1",
            "99999999999999999999999999",
        ] {
            let out = CN.normalize(raw);
            assert!(out.has(IssueKind::Invalid), "{raw}");
            assert_eq!(out.value, None);
        }
        assert!(CN.normalize("  ").has(IssueKind::Missing));
    }

    #[test]
    fn regions_are_configurable() {
        assert!(matches!(
            PhoneNormalizer::new("ZZ"),
            Err(NormalizeError::UnknownRegion { .. })
        ));
        assert!(PhoneNormalizer::new("").is_err());
        assert!(PhoneNormalizer::new("China").is_err());
        assert_eq!(PhoneNormalizer::new("gb").unwrap().region(), "GB");
        // Under US a bare 11-digit number that is no North American number but has a
        // Chinese mobile's shape is read as one (see `other_region_reading`).
        assert_eq!(e164(&US, "13800138000").as_deref(), Some("+8613800138000"));
        assert_eq!(
            e164(&US, "+8613800138000").as_deref(),
            Some("+8613800138000")
        );
    }

    #[test]
    fn unallocated_mobile_prefixes_stay_usable() {
        for raw in [
            "14012345678",
            "14412345678",
            "15412345678",
            "16012345678",
            "17412345678",
            "17912345678",
            "19412345678",
        ] {
            let out = CN.normalize(raw);
            assert!(out.has(IssueKind::Suspicious), "{raw}");
            assert!(!out.has(IssueKind::Invalid), "{raw}");
            assert_eq!(
                out.value.unwrap().e164.as_deref(),
                Some(format!("+86{raw}").as_str())
            );
        }
        assert!(CN.normalize("17400012345").issues.is_empty());
    }

    #[test]
    fn chinese_landlines_go_through_the_library() {
        assert_eq!(e164(&CN, "010-62345678").as_deref(), Some("+861062345678"));
        assert_eq!(
            e164(&CN, "0755-12345678").as_deref(),
            Some("+8675512345678")
        );
        assert_eq!(
            e164(&CN, "+86 10 6234 5678").as_deref(),
            Some("+861062345678")
        );
    }

    #[test]
    fn trailing_digits_are_flagged() {
        let out = CN.normalize("13800138000 / 13900139000");
        assert_eq!(out.value.unwrap().e164.as_deref(), Some("+8613800138000"));
        assert!(!out.issues.is_empty());
        assert_eq!(out.issues[0].kind, IssueKind::Suspicious);
    }

    /// The prefix table must agree with the library on every `1[3-9]XY` prefix.
    #[test]
    fn prefix_table_mirrors_library_metadata() {
        let parser = LibPhoneParser;
        for second in b'3'..=b'9' {
            for third in b'0'..=b'9' {
                for fourth in b'0'..=b'9' {
                    for fifth in b'0'..=b'9' {
                        let national = [
                            b'1', second, third, fourth, fifth, b'1', b'2', b'3', b'4', b'5', b'6',
                        ];
                        let text = std::str::from_utf8(&national).unwrap();
                        let verdict = parser.parse(text, "CN").unwrap();
                        // The library strips carrier-select codes (`17900…`); its verdict on
                        // what remains is still "not a valid mobile", as ours is.
                        assert_eq!(cn_mobile_prefix_known(&national), verdict.valid, "{text}");
                        if verdict.valid {
                            assert_eq!(verdict.e164, format!("+86{text}"));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_in_unassigned_ranges_are_kept_and_flagged() {
        let us = PhoneNormalizer::new("US").unwrap();
        // Area code 481 is not assigned: made-up data often has such numbers, and the same
        // digits written twice are still one number.
        for raw in ["481-285-6234", "(481) 285 6234", "+1 481 285 6234"] {
            let out = us.normalize(raw);
            assert_eq!(
                out.value.as_ref().and_then(|p| p.e164.as_deref()),
                Some("+14812856234"),
                "{raw}"
            );
            assert!(out.has(IssueKind::Suspicious), "{raw}");
            assert!(!out.has(IssueKind::Invalid), "{raw}");
        }
        // An assigned number carries no such issue; too few digits stay invalid.
        assert!(!us.normalize("702-919-1300").has(IssueKind::Suspicious));
        assert!(us.normalize("285-6234").has(IssueKind::Invalid));
    }

    #[test]
    fn library_numbers_read_back() {
        let phones = PhoneNormalizer::new("CN").unwrap();
        // The library reads this dialled form as a Dutch number it then rejects as E.164.
        assert!(phones.normalize("003(10111(101014").has(IssueKind::Invalid));
        assert!(
            phones
                .normalize("+08008007310599975783*6")
                .has(IssueKind::Invalid)
        );
        let london = phones.normalize("+44 20 7946 0958").value.unwrap();
        assert_eq!(phones.normalize(&london.norm()).value, Some(london));
    }

    #[test]
    fn e164_is_the_librarys_own_formatting() {
        // Digit strings of many shapes (trunk and international prefixes, landlines, numbers
        // of other countries), under several default regions: the E.164 written from the
        // parsed number is what the library's formatter writes.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut digit = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (b'0' + ((state >> 33) % 10) as u8) as char
        };
        let leads = [
            "", "+", "0", "00", "01", "02", "07", "1", "10", "2", "4", "6", "8",
        ];
        let mut parsed = 0;
        for region in ["CN", "US", "GB", "AU", "IT"] {
            let id = region.parse::<phonenumber::country::Id>().ok();
            for lead in leads {
                for length in 6..=14 {
                    for _ in 0..8 {
                        let mut candidate = lead.to_string();
                        while candidate.len() < length {
                            candidate.push(digit());
                        }
                        let Some(verdict) = LibPhoneParser.parse(&candidate, region) else {
                            continue;
                        };
                        parsed += 1;
                        let number = phonenumber::parse(id, &candidate).unwrap();
                        assert_eq!(
                            verdict.e164,
                            number.format().mode(phonenumber::Mode::E164).to_string(),
                            "{candidate} under {region}"
                        );
                    }
                }
            }
        }
        assert!(parsed > 1000, "{parsed}");
    }

    #[test]
    fn swappable_backend() {
        struct Nothing;
        impl PhoneParser for Nothing {
            fn region_country_code(&self, region: &str) -> Option<u16> {
                (region == "CN").then_some(86)
            }
            fn parse(&self, _: &str, _: &str) -> Option<PhoneVerdict> {
                None
            }
        }
        let phones = PhoneNormalizer::with_parser("CN", Box::new(Nothing)).unwrap();
        // The fast path needs no library.
        assert_eq!(
            e164(&phones, "13800138000").as_deref(),
            Some("+8613800138000")
        );
        assert!(phones.normalize("010-62345678").has(IssueKind::Invalid));
        assert!(PhoneNormalizer::with_parser("US", Box::new(Nothing)).is_err());
    }

    fn norm_twice(n: &PhoneNormalizer, raw: &str) {
        if let Some(first) = n.normalize(raw).value {
            let again = n.normalize(&first.norm());
            let again = again.value.expect("norm must normalize again");
            assert_eq!(again.norm(), first.norm(), "{raw}");
        }
    }

    #[test]
    fn norm_is_idempotent_on_examples() {
        for raw in [
            "13800138000",
            "+1 702 919 1300",
            "010-62345678",
            "*******8000",
            "+86 138****8000",
            "14012345678",
        ] {
            norm_twice(&CN, raw);
            norm_twice(&US, raw);
        }
    }

    /// The full-width shortcut is NFKC, character by character and in context.
    #[test]
    fn full_width_shortcut_is_nfkc() {
        for c in ('\u{ff01}'..='\u{ff5e}').chain(['\u{3000}']) {
            let text = format!("{c}1{c}");
            assert_eq!(nfkc_phone(&text), nfkc(&text), "{c}");
        }
        assert_eq!(
            e164(&CN, "（＋８６）１３８　００１３　８０００").as_deref(),
            Some("+8613800138000")
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn full_width_shortcut_matches_nfkc(raw in "[ -~\u{3000}\u{ff01}-\u{ff5e}]{0,16}") {
            prop_assert_eq!(nfkc_phone(&raw), nfkc(&raw));
        }

        #[test]
        fn full_width_shortcut_matches_nfkc_on_any_text(raw in "\\PC{0,16}") {
            prop_assert_eq!(nfkc_phone(&raw), nfkc(&raw));
        }

        #[test]
        fn never_panics(raw in ".*") {
            let _ = CN.normalize(&raw);
        }

        #[test]
        fn never_panics_printable(raw in "\\PC*") {
            let _ = US.normalize(&raw);
        }

        #[test]
        fn idempotent_phone_shaped(raw in "[+(]{0,2}[0-9]{0,4}[ )-]?[0-9*xX]{2,6}[ .-]?[0-9*]{3,8}") {
            norm_twice(&CN, &raw);
            norm_twice(&US, &raw);
        }

        #[test]
        fn idempotent_any(raw in "\\PC*") {
            norm_twice(&CN, &raw);
        }

        #[test]
        fn cn_mobiles_always_parse(rest in "1[3-9][0-9]{9}", sep in "[ -]?") {
            let raw = format!("+86{sep}{rest}");
            let phone = CN.normalize(&raw).value.unwrap();
            let expected = format!("+86{rest}");
            prop_assert_eq!(phone.e164.as_deref(), Some(expected.as_str()));
        }
    }
}
