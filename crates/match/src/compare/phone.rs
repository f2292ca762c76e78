//! Phones: exact E.164, masked-compatible (`138****8000` against a full number), one digit
//! off (or the same national digits under another country code), different.

use sameas_normalize::record::{FieldValue, NormalizedRecord};

use super::{CompileRecords, Level, best_across, count_terms, interned_keys};
use crate::dataset::Records;
use crate::intern::{Interner, Lists, NONE};

/// Phone levels.
pub(crate) const LEVELS: &[&str] = &[
    "null",
    "exact",
    "masked_compatible",
    "one_digit_off",
    "different",
];

/// Fewer visible digits than this cannot make a masked number compatible.
const MIN_VISIBLE_DIGITS: usize = 5;

#[derive(Debug, Clone, Copy)]
pub(crate) struct PhoneValue {
    /// E.164 of a full number; `NONE` when masked.
    e164: u32,
    /// National digits of a full number; visible leading digits of a masked one.
    digits: Digits,
    /// Visible trailing digits of a masked number.
    suffix: Digits,
}

/// Up to 15 decimal digits packed four bits each, the first digit highest, with their count
/// in the top four bits: compared in registers, where interned strings cost a cache miss
/// per pair. Every phone part fits (E.164 numbers have at most 15 digits, masked numbers
/// at most 15 visible ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Digits(u64);

impl Digits {
    /// `None` for more than 15 characters or a character that is no ASCII digit.
    fn pack(text: &str) -> Option<Digits> {
        if text.len() > 15 {
            return None;
        }
        let mut bits = 0u64;
        for b in text.bytes() {
            if !b.is_ascii_digit() {
                return None;
            }
            bits = bits << 4 | u64::from(b - b'0');
        }
        Some(Digits((text.len() as u64) << 60 | bits))
    }

    fn len(self) -> u32 {
        (self.0 >> 60) as u32
    }

    fn bits(self) -> u64 {
        self.0 & ((1 << 60) - 1)
    }

    /// The first `n` digits (`n` at most `len`), packed.
    fn first(self, n: u32) -> u64 {
        self.bits() >> (4 * (self.len() - n))
    }

    /// The last `n` digits (`n` at most 15), packed.
    fn last(self, n: u32) -> u64 {
        self.bits() & ((1u64 << (4 * n)) - 1)
    }

    /// Exactly one digit substituted, or two adjacent digits swapped
    /// ([`crate::similarity::one_edit_apart_digits`] on packed digits).
    fn one_edit_apart(self, other: Digits) -> bool {
        if self.len() != other.len() {
            return false;
        }
        let x = self.bits() ^ other.bits();
        // One bit per digit that differs, at the low bit of its nibble.
        let differing = (x | x >> 1 | x >> 2 | x >> 3) & 0x0111_1111_1111_1111;
        match differing.count_ones() {
            1 => true,
            2 => {
                let low = differing.trailing_zeros();
                let high = 63 - differing.leading_zeros();
                let nibble = |d: Digits, at: u32| (d.bits() >> at) & 0xf;
                high == low + 4
                    && nibble(self, low) == nibble(other, high)
                    && nibble(self, high) == nibble(other, low)
            }
            _ => false,
        }
    }
}

/// Compares phone numbers.
#[derive(Debug)]
pub(crate) struct PhoneComparator {
    strings: Interner,
    values: Lists<PhoneValue>,
}

impl PhoneComparator {
    pub(crate) fn new(data: Records<'_>, fields: &[usize]) -> Self {
        PhoneComparator {
            strings: Interner::new(),
            values: Lists::default(),
        }
        .compile(data, fields)
    }

    fn pair(&self, x: &PhoneValue, y: &PhoneValue) -> Level {
        match (x.e164 != NONE, y.e164 != NONE) {
            (true, true) => {
                if x.e164 == y.e164 {
                    Level::exact(x.e164)
                } else if x.digits == y.digits {
                    // One number read under two country codes (`+7 4812 85-62-34` and
                    // `(4812) 85-62-34` in a file read as American): close, not exact.
                    Level::at(3)
                } else if x.digits.one_edit_apart(y.digits) {
                    Level::at(3)
                } else {
                    Level::at(4)
                }
            }
            (true, false) => masked_against_full(y, x),
            (false, true) => masked_against_full(x, y),
            (false, false) => {
                if x.digits == y.digits && x.suffix == y.suffix {
                    Level::at(2)
                } else {
                    Level::at(4)
                }
            }
        }
    }
}

/// A masked number's visible digits against a full number's national digits: compatible
/// when they start and end the same.
fn masked_against_full(masked: &PhoneValue, full: &PhoneValue) -> Level {
    let (national, prefix, suffix) = (full.digits, masked.digits, masked.suffix);
    if national.len() >= prefix.len() + suffix.len()
        && national.first(prefix.len()) == prefix.bits()
        && national.last(suffix.len()) == suffix.bits()
    {
        Level::at(2)
    } else {
        Level::at(4)
    }
}

impl CompileRecords for PhoneComparator {
    type Value = PhoneValue;

    fn values(&mut self) -> &mut Lists<PhoneValue> {
        &mut self.values
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let PhoneComparator { strings, values } = self;
        for &field in fields {
            let Some(FieldValue::Phone(phone)) = &record.field(field).value else {
                continue;
            };
            let value = match (&phone.e164, &phone.masked) {
                (Some(e164), _) => {
                    let national = phone
                        .national()
                        .unwrap_or_else(|| e164.trim_start_matches('+'));
                    let Some(digits) = Digits::pack(national) else {
                        continue;
                    };
                    PhoneValue {
                        e164: strings.intern(e164),
                        digits,
                        suffix: Digits(0),
                    }
                }
                (None, Some(masked)) => {
                    if masked.prefix.len() + masked.suffix.len() < MIN_VISIBLE_DIGITS {
                        continue;
                    }
                    let (Some(digits), Some(suffix)) =
                        (Digits::pack(&masked.prefix), Digits::pack(&masked.suffix))
                    else {
                        continue;
                    };
                    PhoneValue {
                        e164: NONE,
                        digits,
                        suffix,
                    }
                }
                (None, None) => continue,
            };
            values.push_value(value);
        }
        values.end_row();
    }
}

impl super::Compare for PhoneComparator {
    fn level_names(&self) -> Vec<String> {
        super::level_names(LEVELS)
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        best_across(self.values.row(a), self.values.row(b), |x, y| {
            self.pair(x, y)
        })
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        count_terms(&self.values, self.strings.len(), |v| v.e164)
    }

    /// The text of every term id from `start`: the interned strings.
    fn term_keys_from(&self, start: usize) -> Vec<std::borrow::Cow<'_, str>> {
        interned_keys(&self.strings, start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::similarity::one_edit_apart_digits;
    use proptest::prelude::*;

    /// Two digit strings of 1 to 15 digits, the second often a small edit of the first.
    fn near_pairs() -> impl Strategy<Value = (String, String)> {
        ("[0-9]{1,15}", 0usize..15, 0u8..10, 0usize..4).prop_map(|(a, at, digit, edit)| {
            let mut b = a.clone().into_bytes();
            let at = at % b.len();
            match edit {
                0 => b[at] = b'0' + digit,
                1 if at + 1 < b.len() => b.swap(at, at + 1),
                2 => {
                    b.remove(at);
                }
                _ => {
                    b = format!("{digit}{a}")
                        .into_bytes()
                        .into_iter()
                        .take(15)
                        .collect()
                }
            }
            (a, String::from_utf8(b).unwrap())
        })
    }

    proptest! {
        #[test]
        fn packed_digits_compare_as_their_strings((a, b) in near_pairs()) {
            let (x, y) = (Digits::pack(&a).unwrap(), Digits::pack(&b).unwrap());
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.one_edit_apart(y), one_edit_apart_digits(&a, &b));
            for n in 0..=x.len().min(y.len()) {
                let n = n as usize;
                prop_assert_eq!(x.first(n as u32) == y.first(n as u32), a[..n] == b[..n]);
                prop_assert_eq!(
                    x.last(n as u32) == y.last(n as u32),
                    a[a.len() - n..] == b[b.len() - n..]
                );
            }
        }
    }

    #[test]
    fn a_masked_number_fits_the_full_numbers_that_start_and_end_as_it_does() {
        let full = |national: &str| PhoneValue {
            e164: 1,
            digits: Digits::pack(national).unwrap(),
            suffix: Digits(0),
        };
        let masked = |prefix: &str, suffix: &str| PhoneValue {
            e164: NONE,
            digits: Digits::pack(prefix).unwrap(),
            suffix: Digits::pack(suffix).unwrap(),
        };
        let level = |m: &PhoneValue, f: &PhoneValue| masked_against_full(m, f).index;
        assert_eq!(level(&masked("138", "8000"), &full("13800138000")), 2);
        assert_eq!(level(&masked("138", "8001"), &full("13800138000")), 4);
        assert_eq!(level(&masked("139", "8000"), &full("13800138000")), 4);
        assert_eq!(level(&masked("", "38000"), &full("13800138000")), 2);
        // More visible digits than the number has: no fit.
        assert_eq!(level(&masked("1380013", "38000"), &full("13800138000")), 4);
        assert!(Digits::pack("1234567890123456").is_none());
        assert!(Digits::pack("12a").is_none());
    }
}
