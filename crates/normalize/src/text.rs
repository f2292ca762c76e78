//! Text folding shared by every normalizer: Unicode NFKC (full-width to ASCII), case folding,
//! whitespace collapsing, and Traditional to Simplified Chinese.
//!
//! Traditional to Simplified is a character table generated from OpenCC's `TSCharacters`
//! dictionary (Apache-2.0, see `data/NOTICE`). Character-level conversion is what names and
//! addresses need; phrase-level conversion (`TSPhrases`) matters for running prose only.

use std::borrow::Cow;
use std::sync::LazyLock;

use foldhash::HashMap;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

static TS_CHARACTERS: &str = include_str!("../data/TSCharacters.txt");

static TRADITIONAL_TO_SIMPLIFIED: LazyLock<HashMap<char, char>> = LazyLock::new(|| {
    let mut table: HashMap<char, char> = HashMap::default();
    for line in TS_CHARACTERS.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(from), Some(to)) = (cols.next(), cols.next()) else {
            continue;
        };
        let mut from_chars = from.chars();
        let (Some(from), None) = (from_chars.next(), from_chars.next()) else {
            continue;
        };
        let Some(to) = to.split(' ').next().and_then(|t| t.chars().next()) else {
            continue;
        };
        if from != to {
            table.insert(from, to);
        }
    }
    // Resolve chains (A→B, B→C) so conversion is idempotent.
    let keys: Vec<char> = table.keys().copied().collect();
    for key in keys {
        let mut target = table[&key];
        let mut hops = 0;
        while let Some(&next) = table.get(&target) {
            if next == target || hops > 4 {
                break;
            }
            target = next;
            hops += 1;
        }
        table.insert(key, target);
    }
    table
});

/// Whether `c` is a Han (CJK ideograph) character.
#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{3134F}')
}

/// Whether `s` contains a Han character.
pub fn has_han(s: &str) -> bool {
    !s.is_ascii() && s.chars().any(is_han)
}

/// The Simplified form of one character (itself when it has none).
#[inline]
pub fn simplified_char(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    TRADITIONAL_TO_SIMPLIFIED.get(&c).copied().unwrap_or(c)
}

/// Converts Traditional characters to Simplified, character by character.
///
/// ```
/// assert_eq!(sameas_normalize::text::to_simplified("張偉"), "张伟");
/// assert_eq!(sameas_normalize::text::to_simplified("广东省"), "广东省");
/// ```
pub fn to_simplified(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(|c| simplified_char(c) != c) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(simplified_char).collect())
}

/// NFKC-normalizes `s` (full-width digits and letters become ASCII), borrowing when it is
/// already normalized.
pub fn nfkc(s: &str) -> Cow<'_, str> {
    // ASCII and CJK ideographs have no decompositions and no combining marks, so text made
    // only of them is already NFKC; checking that is far cheaper.
    let plain = s.chars().all(|c| c.is_ascii() || is_cjk(c));
    if plain || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfkc().collect())
    }
}

/// Folds text for comparison: NFKC, lower case, Traditional to Simplified, whitespace trimmed
/// and collapsed to single spaces. Idempotent.
///
/// ```
/// use sameas_normalize::text::fold;
/// assert_eq!(fold("  ＺＨＡＮＧ   Wei "), "zhang wei");
/// assert_eq!(fold("廣東省"), "广东省");
/// ```
pub fn fold(s: &str) -> Cow<'_, str> {
    fold_plain(s).unwrap_or_else(|| fold_any(s))
}

/// [`fold`] for any text.
fn fold_any(s: &str) -> Cow<'_, str> {
    let mut out = nfkc(s);
    // Upper case and title case (ǅ, ῌ) both change when lower-cased.
    if out
        .chars()
        .any(|c| c.is_uppercase() || changes_in_lower_case(c))
    {
        let lowered = out.to_lowercase();
        // Lower-casing can leave a non-NFKC sequence (rare combining forms); settle it.
        out = match nfkc(&lowered) {
            Cow::Borrowed(_) => Cow::Owned(lowered),
            Cow::Owned(settled) => Cow::Owned(settled),
        };
    }
    if let Cow::Owned(simplified) = to_simplified(&out) {
        out = Cow::Owned(simplified);
    }
    collapse_cow(out)
}

/// [`collapse_whitespace`] on text that may already be owned, reusing it when unchanged.
fn collapse_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(borrowed) => collapse_whitespace(borrowed),
        Cow::Owned(owned) => match collapse_whitespace(&owned) {
            Cow::Borrowed(same) if same.len() == owned.len() => Cow::Owned(owned),
            collapsed => Cow::Owned(collapsed.into_owned()),
        },
    }
}

/// [`fold`] in one pass for text of ASCII and CJK unified ideographs, which is NFKC already
/// (alone and side by side); `None` for any other text.
fn fold_plain(raw: &str) -> Option<Cow<'_, str>> {
    let (mut upper, mut traditional, mut collapse) = (false, false, false);
    // Leading, trailing, doubled or other ASCII white space needs collapsing.
    let mut prev_space = true;
    for c in raw.chars() {
        if c.is_ascii() {
            upper |= c.is_ascii_uppercase();
            let space = c == ' ';
            collapse |= matches!(c, '\t'..='\r') || (space && prev_space);
            prev_space = space;
        } else if is_cjk(c) {
            traditional |= is_traditional(c);
            prev_space = false;
        } else {
            return None;
        }
    }
    let out = if !traditional && upper {
        Cow::Owned(raw.to_ascii_lowercase())
    } else if traditional {
        let mut out = String::with_capacity(raw.len());
        out.extend(raw.chars().map(|c| {
            if c.is_ascii() {
                c.to_ascii_lowercase()
            } else {
                simplified_char(c)
            }
        }));
        Cow::Owned(out)
    } else {
        Cow::Borrowed(raw)
    };
    if !collapse && !prev_space {
        return Some(out);
    }
    Some(collapse_cow(out))
}

/// Whether `c` is in CJK Unified Ideographs or Extension A: characters with no
/// decomposition that combine with nothing, so text of them and ASCII is already NFKC.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Whether a CJK unified ideograph has a different Simplified form: a bit per character,
/// so that most characters need no lookup in the Traditional table.
fn is_traditional(c: char) -> bool {
    const START: u32 = 0x3400;
    static BITS: LazyLock<Vec<u64>> = LazyLock::new(|| {
        let mut bits = vec![0u64; ((0x9FFF - START) / 64 + 1) as usize];
        for code in START..=0x9FFF {
            let c = char::from_u32(code).expect("no surrogates here");
            if is_cjk(c) && simplified_char(c) != c {
                let at = code - START;
                bits[(at / 64) as usize] |= 1 << (at % 64);
            }
        }
        bits
    });
    let at = c as u32 - START;
    BITS[(at / 64) as usize] >> (at % 64) & 1 == 1
}

fn changes_in_lower_case(c: char) -> bool {
    !c.is_ascii() && !c.is_lowercase() && c.to_lowercase().ne(std::iter::once(c))
}

/// Trims `s` and collapses each run of white space into one ASCII space.
pub fn collapse_whitespace(s: &str) -> Cow<'_, str> {
    let trimmed = s.trim();
    if is_collapsed(trimmed) {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    for word in trimmed.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// Whether `s` (already trimmed) has no white space other than single ASCII spaces.
fn is_collapsed(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut prev_space = false;
    for (i, &b) in bytes.iter().enumerate() {
        let space = match b {
            b' ' => true,
            b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => return false,
            // Lead bytes of the non-ASCII white space characters (U+0085, U+00A0, U+1680,
            // U+2000–U+205F, U+3000); anything else non-ASCII is not white space.
            0xc2 | 0xe1 | 0xe2 | 0xe3 => {
                if s[i..].chars().next().is_some_and(char::is_whitespace) {
                    return false;
                }
                false
            }
            _ => false,
        };
        if space && prev_space {
            return false;
        }
        prev_space = space;
    }
    true
}

/// The digit a letter is often misread for, by a scan or a hurried typist (`O` for `0`,
/// `l` for `1`, `S` for `5`, `G` for `6`, `B` for `8` …); `None` for any other character.
///
/// ```
/// use sameas_normalize::text::digit_misread_as;
/// assert_eq!(digit_misread_as('O'), Some('0'));
/// assert_eq!(digit_misread_as('s'), Some('5'));
/// assert_eq!(digit_misread_as('x'), None);
/// ```
pub fn digit_misread_as(c: char) -> Option<char> {
    Some(match c {
        'O' | 'o' | 'D' | 'Q' => '0',
        'l' | 'I' | 'i' | '|' | '!' | 'L' => '1',
        'Z' | 'z' => '2',
        'S' | 's' => '5',
        'G' | 'b' => '6',
        'B' => '8',
        'g' | 'q' => '9',
        _ => return None,
    })
}

/// Keeps only ASCII digits, after NFKC (so full-width digits count).
pub fn digits(s: &str) -> String {
    nfkc(s).chars().filter(char::is_ascii_digit).collect()
}

/// The pass-through text field normalizer: white space collapsed, blank text missing.
#[derive(Debug)]
pub(crate) struct TextNormalizer;

impl crate::field::NormalizeField for TextNormalizer {
    const KEYS: &'static [&'static str] = &[];

    fn compile(_: &crate::NormalizeOptions) -> Result<Self, crate::NormalizeError> {
        Ok(TextNormalizer)
    }

    fn normalize_field(&self, raw: &str) -> crate::Normalized<crate::record::FieldValue> {
        let collapsed = collapse_whitespace(raw);
        if collapsed.is_empty() {
            crate::Normalized::missing()
        } else {
            crate::Normalized::ok(crate::record::FieldValue::Text(collapsed.into()))
        }
    }
}

/// Why a phone or an id in scientific notation is invalid.
pub(crate) const SCIENTIFIC_NOTATION: &str = "written in a spreadsheet's scientific notation: its digits are lost; export the column as \
     text";

/// The byte ranges of the runs of ASCII digits in `s`, in order.
pub(crate) fn digit_runs(s: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_digit() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        (start < i).then_some(start..i)
    })
}

/// Whether a value is a number in a spreadsheet's scientific notation (`1.38001E+10`), which
/// keeps only the first digits of a phone or an id.
///
/// ```
/// use sameas_normalize::text::is_scientific_notation;
/// assert!(is_scientific_notation("1.38001E+10"));
/// assert!(is_scientific_notation("4.4E9"));
/// assert!(!is_scientific_notation("13800138000"));
/// assert!(!is_scientific_notation("E12"));
/// ```
pub fn is_scientific_notation(value: &str) -> bool {
    let Some((mantissa, exponent)) = value.trim().split_once(['e', 'E']) else {
        return false;
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole)
        && whole.len() == 1
        && (fraction.is_empty() || digits(fraction))
        && digits(exponent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_names_and_places_simplify() {
        assert_eq!(to_simplified("張偉"), "张伟");
        assert_eq!(to_simplified("廣東省深圳市南山區"), "广东省深圳市南山区");
        assert_eq!(to_simplified("歐陽娜娜"), "欧阳娜娜");
        assert!(matches!(to_simplified("张伟"), Cow::Borrowed(_)));
    }

    #[test]
    fn fold_handles_width_case_and_space() {
        assert_eq!(fold("１３８ ００１３"), "138 0013");
        assert_eq!(fold("Bob\t SMITH"), "bob smith");
        assert_eq!(fold("ῌ"), "ῃ", "title case folds too");
        assert!(matches!(fold("already folded"), Cow::Borrowed(_)));
    }

    #[test]
    fn han_detection() {
        assert!(has_han("Zhang 伟"));
        assert!(!has_han("Zhang Wei"));
        assert!(!has_han("１２３"));
    }

    #[test]
    fn digits_reads_full_width() {
        assert_eq!(digits("１３８-0013 8000"), "13800138000");
    }

    proptest::proptest! {
        /// The one-pass fold agrees with the general one wherever it answers.
        #[test]
        fn fast_fold_is_general_fold(
            raw in "\\PC*",
            mixed in "[a-zA-Z0-9 ,.#\t\n\u{B}\u{3000}廣東省深圳市南山區號路\u{3400}-\u{3405}\u{9FFE}-\u{9FFF}ａ１\u{301}A-Z張偉歐陽為]*",
        ) {
            proptest::prop_assert_eq!(fold(&raw), fold_any(&raw));
            proptest::prop_assert_eq!(fold(&mixed), fold_any(&mixed));
        }

        /// Folding is idempotent.
        #[test]
        fn fold_is_idempotent(raw in "\\PC*") {
            let once = fold(&raw).into_owned();
            proptest::prop_assert_eq!(fold(&once), once.as_str());
        }
    }
}
