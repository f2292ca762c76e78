//! Chinese resident identity card numbers (GB 11643-1999): 18 characters, a 6-digit region
//! code, the birth date `YYYYMMDD`, a 3-digit sequence whose last digit is odd for men, and an
//! ISO 7064 MOD 11-2 check character. Old 15-digit numbers (two-digit year, no check
//! character) are converted to 18.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::gender::Gender;
use crate::{Issue, IssueKind, MatchKeys, Normalized, date, text};

/// A valid Chinese resident identity card number and what it encodes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NationalId {
    /// The 18-character number, check character `X` upper-case.
    pub id: String,
    /// The 6-digit administrative region code of first registration.
    pub region_code: String,
    /// The birth date encoded in characters 7–14.
    pub birth_date: Date,
    /// The gender encoded by character 17 (odd: male).
    pub gender: Gender,
}

impl MatchKeys for NationalId {
    fn norm(&self) -> String {
        self.id.clone()
    }

    fn keys(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "birth_date",
                format!(
                    "{:04}-{:02}-{:02}",
                    self.birth_date.year(),
                    self.birth_date.month(),
                    self.birth_date.day()
                ),
            ),
            ("gender", self.gender.code().to_string()),
            ("region", self.region_code.clone()),
        ]
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The ISO 7064 MOD 11-2 check character for the first 17 digits of an 18-character id
/// (`X` stands for 10). `None` unless `first17` is exactly 17 ASCII digits.
///
/// ```
/// use sameas_normalize::national_id::check_digit;
/// assert_eq!(check_digit("11010519491231002"), Some('X'));
/// assert_eq!(check_digit("11010119900307851"), Some('5'));
/// assert_eq!(check_digit("1101011990030785"), None);
/// ```
pub fn check_digit(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

/// Reads a Chinese resident identity card number.
///
/// Full-width characters, spaces and dashes are accepted, and so is a lower-case `x`. A wrong
/// check character or an impossible birth date is invalid; a birth date in the future or an age
/// over 120 at `reference_date` is suspicious; a 15-digit id is converted to 18 and flagged
/// repaired.
///
/// ```
/// use jiff::civil::date;
/// use sameas_normalize::national_id::normalize_national_id;
/// use sameas_normalize::gender::Gender;
/// use sameas_normalize::{IssueKind, MatchKeys};
///
/// let id = normalize_national_id("110105 19491231 002x", date(2024, 1, 1));
/// let id = id.value.unwrap();
/// assert_eq!(id.norm(), "11010519491231002X");
/// assert_eq!(id.birth_date, date(1949, 12, 31));
/// assert_eq!(id.gender, Gender::Female);
///
/// let wrong = normalize_national_id("110105194912310021", date(2024, 1, 1));
/// assert!(wrong.has(IssueKind::Invalid));
/// ```
pub fn normalize_national_id(raw: &str, reference_date: Date) -> Normalized<NationalId> {
    if raw.trim().is_empty() {
        return Normalized::missing();
    }
    let folded = text::nfkc(raw);
    if text::is_scientific_notation(&folded) {
        return Normalized::invalid(crate::text::SCIENTIFIC_NOTATION);
    }
    let mut compact = [0u8; 18];
    let mut len = 0;
    for c in folded.chars() {
        if c.is_whitespace() || matches!(c, '-' | '‐' | '‑' | '–' | '—') {
            continue;
        }
        if len == 18 {
            return Normalized::invalid("not 18 or 15 characters");
        }
        match c {
            '0'..='9' => compact[len] = c as u8,
            'x' | 'X' => compact[len] = b'X',
            _ => return Normalized::invalid("not a national id"),
        }
        len += 1;
    }
    let mut issues = Vec::new();
    let id: [u8; 18] = match len {
        18 => {
            if compact[..17].contains(&b'X') {
                return Normalized::invalid("not a national id");
            }
            compact
        }
        15 => {
            if compact[..15].contains(&b'X') {
                return Normalized::invalid("not a national id");
            }
            let mut long = [0u8; 18];
            long[..6].copy_from_slice(&compact[..6]);
            long[6..8].copy_from_slice(b"19");
            long[8..17].copy_from_slice(&compact[6..15]);
            issues.push(Issue::new(
                IssueKind::Repaired,
                "15-digit id converted to 18 digits",
            ));
            long
        }
        _ => return Normalized::invalid("not 18 or 15 characters"),
    };
    let mut id = id;
    // Only ASCII digits and `X` were stored, so this cannot fail.
    let Ok(first17) = std::str::from_utf8(&id[..17]) else {
        return Normalized::invalid("not a national id");
    };
    let Some(check) = check_digit(first17) else {
        return Normalized::invalid("not a national id");
    };
    if len == 15 {
        id[17] = check as u8;
    } else if id[17] != check as u8 {
        return Normalized::invalid("check digit does not match");
    }
    let number = |range: std::ops::Range<usize>| {
        id[range]
            .iter()
            .fold(0i32, |v, d| v * 10 + i32::from(d - b'0'))
    };
    let (year, month, day) = (number(6..10), number(10..12), number(12..14));
    let birth_date = match (i16::try_from(year), i8::try_from(month), i8::try_from(day)) {
        (Ok(y), Ok(m), Ok(d)) if y >= 1 => Date::new(y, m, d).ok(),
        _ => None,
    };
    let Some(birth_date) = birth_date else {
        return Normalized::invalid("birth date in id is not a date");
    };
    if let Some(issue) = date::birth_date_issue(birth_date, reference_date) {
        issues.push(issue);
    }
    let gender = if (id[16] - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    };
    let id: String = id.iter().map(|&b| char::from(b)).collect();
    Normalized::with_issues(
        NationalId {
            region_code: id[..6].to_string(),
            id,
            birth_date,
            gender,
        },
        issues,
    )
}

/// The national-id field normalizer ([`normalize_national_id`]), ages read at the
/// options' reference date.
#[derive(Debug)]
pub(crate) struct NationalIdNormalizer {
    reference_date: Date,
}

impl crate::field::NormalizeField for NationalIdNormalizer {
    const KEYS: &'static [&'static str] = &["birth_date", "gender", "region"];

    fn compile(options: &crate::NormalizeOptions) -> Result<Self, crate::NormalizeError> {
        Ok(NationalIdNormalizer {
            reference_date: options.reference_date(),
        })
    }

    fn normalize_field(&self, raw: &str) -> Normalized<crate::record::FieldValue> {
        normalize_national_id(raw, self.reference_date)
            .map(|id| crate::record::FieldValue::NationalId(Box::new(id)))
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    const REFERENCE: Date = date(2026, 6, 1);

    /// Appends the check character to 17 digits.
    fn complete(first17: &str) -> String {
        format!("{first17}{}", check_digit(first17).unwrap())
    }

    #[test]
    fn check_digit_matches_the_standard() {
        // The example printed with GB 11643-1999.
        assert_eq!(check_digit("11010519491231002"), Some('X'));
        assert_eq!(check_digit("11010119900307851"), Some('5'));
        // Sum of weights times digits for all-zero is 0: check char '1'.
        assert_eq!(check_digit("00000000000000000"), Some('1'));
        assert_eq!(check_digit("1101051949123100X"), None);
        assert_eq!(check_digit("110105194912310021"), None);
        assert_eq!(check_digit("１1010519491231002"), None);
    }

    #[test]
    fn published_example_reads() {
        let out = normalize_national_id("11010519491231002X", REFERENCE);
        assert!(out.issues.is_empty());
        let id = out.value.unwrap();
        assert_eq!(id.id, "11010519491231002X");
        assert_eq!(id.region_code, "110105");
        assert_eq!(id.birth_date, date(1949, 12, 31));
        assert_eq!(id.gender, Gender::Female);
        assert_eq!(
            id.keys(),
            vec![
                ("birth_date", "1949-12-31".to_string()),
                ("gender", "F".to_string()),
                ("region", "110105".to_string()),
            ]
        );
        let male = normalize_national_id("110101199003078515", REFERENCE)
            .value
            .unwrap();
        assert_eq!(male.gender, Gender::Male);
        assert_eq!(male.birth_date, date(1990, 3, 7));
    }

    #[test]
    fn tolerant_forms_read() {
        for raw in [
            "11010519491231002x",
            " 110105-19491231-002X ",
            "１１０１０５１９４９１２３１００２Ｘ",
            "110105 1949 1231 002 x",
        ] {
            let out = normalize_national_id(raw, REFERENCE);
            assert_eq!(out.value.unwrap().norm(), "11010519491231002X", "{raw}");
            assert!(out.issues.is_empty());
        }
    }

    #[test]
    fn wrong_check_digit_is_invalid() {
        let out = normalize_national_id("110105194912310021", REFERENCE);
        assert!(out.value.is_none());
        assert_eq!(
            out.issues,
            vec![Issue::new(IssueKind::Invalid, "check digit does not match")]
        );
    }

    #[test]
    fn malformed_ids_are_invalid() {
        for raw in [
            "1101051949123100",
            "11010519491231002XX",
            "1101051949123100X2",
            "abc",
            "11010519491231002Y",
        ] {
            let out = normalize_national_id(raw, REFERENCE);
            assert!(out.value.is_none() && out.has(IssueKind::Invalid), "{raw}");
        }
        assert!(normalize_national_id("  ", REFERENCE).has(IssueKind::Missing));
    }

    #[test]
    fn impossible_birth_date_is_invalid() {
        let bad = complete("44030819990230123");
        let out = normalize_national_id(&bad, REFERENCE);
        assert_eq!(
            out.issues,
            vec![Issue::new(
                IssueKind::Invalid,
                "birth date in id is not a date"
            )]
        );
    }

    #[test]
    fn implausible_birth_dates_are_suspicious() {
        let future = complete("44030820300101123");
        let out = normalize_national_id(&future, REFERENCE);
        assert_eq!(out.value.as_ref().unwrap().birth_date, date(2030, 1, 1));
        assert_eq!(
            out.issues,
            vec![Issue::new(
                IssueKind::Suspicious,
                "birth date in the future"
            )]
        );
        let old = complete("44030818800101123");
        let out = normalize_national_id(&old, REFERENCE);
        assert!(out.value.is_some());
        assert_eq!(
            out.issues,
            vec![Issue::new(IssueKind::Suspicious, "age over 120")]
        );
    }

    #[test]
    fn fifteen_digit_ids_are_converted() {
        // 15-digit form of 110105 1949-12-31 002: the century is inserted and the check
        // character computed.
        let out = normalize_national_id("110105491231002", REFERENCE);
        assert_eq!(
            out.issues,
            vec![Issue::new(
                IssueKind::Repaired,
                "15-digit id converted to 18 digits"
            )]
        );
        let id = out.value.unwrap();
        assert_eq!(id.norm(), "11010519491231002X");
        assert_eq!(id.gender, Gender::Female);
        assert!(normalize_national_id("11010549123100X", REFERENCE).has(IssueKind::Invalid));
    }

    proptest! {
        #[test]
        fn no_panic_any(raw in "\\PC*") {
            let _ = normalize_national_id(&raw, REFERENCE);
        }

        #[test]
        fn no_panic_any_dot(raw in ".*") {
            let _ = normalize_national_id(&raw, REFERENCE);
        }

        #[test]
        fn generated_ids_round_trip(
            region in 110000u32..660000, y in 1920i16..2020, m in 1i8..=12, d in 1i8..=28, seq in 0u32..1000,
        ) {
            let first17 = format!("{region:06}{y:04}{m:02}{d:02}{seq:03}");
            let raw = complete(&first17);
            let out = normalize_national_id(&raw.to_lowercase(), REFERENCE);
            prop_assert!(out.issues.is_empty());
            let id = out.value.unwrap();
            prop_assert_eq!(id.birth_date, date(y, m, d));
            prop_assert_eq!(id.gender == Gender::Male, seq % 2 == 1);
            let again = normalize_national_id(&id.norm(), REFERENCE).value.unwrap();
            prop_assert_eq!(again, id);
        }

        #[test]
        fn a_changed_digit_is_caught(
            y in 1920i16..2020, m in 1i8..=12, d in 1i8..=28, pos in 0usize..17, delta in 1u8..10,
        ) {
            let raw = complete(&format!("440308{y:04}{m:02}{d:02}123"));
            let mut bytes = raw.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            // MOD 11-2 detects every single-digit substitution.
            prop_assert!(normalize_national_id(&changed, REFERENCE).value.is_none());
        }
    }
}
