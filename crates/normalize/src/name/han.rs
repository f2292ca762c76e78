//! Han names: characters scanned, split into family and given name, and read as pinyin.

use std::borrow::Cow;

use pinyin::{ToPinyin, ToPinyinMulti};

use super::honorifics::{han_familiar_given, han_familiar_prefix, han_honorific};
use super::{
    Name, NameNormalizer, NameScript, REASON_HONORIFIC_ALONE, REASON_JUNK, REASON_LONG,
    REASON_MASKED, REASON_MIXED, REASON_NO_FAMILY_NAME, REASON_NO_LETTERS, boxed, boxed_strings,
    romanised, surnames, with_issues,
};
use crate::gender::Gender;
use crate::{Issue, IssueKind, Normalized, text};

/// Most extra pinyin keys kept for heteronyms.
pub(super) const MAX_PINYIN_VARIANTS: usize = 8;
/// Han names longer than this many characters are flagged (often a company name).
pub(super) const MAX_HAN_NAME_CHARS: usize = 6;

impl NameNormalizer {
    pub(super) fn normalize_han(&self, folded: &str) -> Normalized<Name> {
        let mut issues = Vec::new();
        let scanned = HanChars::scan(folded, &mut issues);
        let mut chars = scanned.chars;
        if chars.is_empty() {
            return Normalized::invalid(REASON_NO_LETTERS);
        }
        let mut breaks = scanned.breaks;
        let mut dotted = scanned.dotted;

        let mut gender = None;
        let mut honorific = false;
        if let Some((len, hint)) = han_honorific(&chars) {
            if len == chars.len() {
                return Normalized::invalid(REASON_HONORIFIC_ALONE);
            }
            chars.truncate(chars.len() - len);
            // "先生女士": what is left is another honorific, not a name.
            if han_honorific(&chars).is_some_and(|(rest, _)| rest == chars.len()) {
                return Normalized::invalid(REASON_HONORIFIC_ALONE);
            }
            breaks.retain(|b| *b < chars.len());
            if breaks.is_empty() {
                dotted = false;
            }
            gender = hint;
            honorific = true;
        } else if breaks.is_empty()
            && let Some(len) = han_familiar_prefix(&chars)
        {
            // 小刘, 老王: the family name alone, as 刘先生 would be.
            chars.drain(..len);
            honorific = true;
        }

        let count = chars.chars().count();
        let limit = if dotted {
            3 * MAX_HAN_NAME_CHARS
        } else {
            MAX_HAN_NAME_CHARS
        };
        if count > limit {
            issues.push(Issue::new(IssueKind::Suspicious, REASON_LONG));
        }

        let name = if !honorific
            && breaks.is_empty()
            && let Some(given) = han_familiar_given(&chars)
        {
            // 阿强: one character of the given name, no family name.
            han_name(None, Some(given.to_string()), gender, false, false)
        } else if dotted {
            // Transliterated: the last part is the family name.
            let last = *breaks.last().unwrap_or(&0);
            let family = chars[last..].to_string();
            let given = chars[..last].to_string();
            let mut name = han_name(Some(family), Some(given), gender, false, true);
            name.honorific_only = false;
            name
        } else if honorific && (count == 1 || surnames::is_compound(&chars)) {
            han_name(Some(chars), None, gender, true, false)
        } else if let [at] = breaks.as_slice()
            && (chars[..*at].chars().count() == 1 || surnames::is_compound(&chars[..*at]))
        {
            // `张 伟`, `司 马光`: the space says where the family name ends.
            let given = chars[*at..].to_string();
            chars.truncate(*at);
            han_name(Some(chars), Some(given), gender, false, false)
        } else {
            let (family, given) = default_han_split(&chars);
            let given = (!given.is_empty()).then(|| given.to_string());
            han_name(Some(family.to_string()), given, gender, false, false)
        };
        // Led by no Chinese family name, or with a given name of three characters or more
        // (`平安是福`, `快乐每一天`: a motto, not a name).
        if self.chinese_names
            && !name.transliterated
            && (name
                .family
                .as_deref()
                .is_some_and(|family| !surnames::leads(family))
                || name
                    .given
                    .as_deref()
                    .is_some_and(|given| given.chars().count() > 2))
        {
            return Normalized::invalid(REASON_NO_FAMILY_NAME);
        }
        with_issues(name, issues)
    }
}

/// The default family / given split of a Han name written without separators.
pub(super) fn default_han_split(chars: &str) -> (&str, &str) {
    let mut indices = chars.char_indices().map(|(i, _)| i);
    let _ = indices.next();
    let Some(second) = indices.next() else {
        return (chars, "");
    };
    let third = indices.next();
    let first_two = &chars[..third.unwrap_or(chars.len())];
    if surnames::is_compound(first_two) {
        return (first_two, &chars[first_two.len()..]);
    }
    (&chars[..second], &chars[second..])
}

/// The Han characters of a name, with the positions of separators between them.
pub(super) struct HanChars {
    pub(super) chars: String,
    /// Byte offsets into `chars` where a space or dot separated two parts.
    pub(super) breaks: Vec<usize>,
    pub(super) dotted: bool,
}

impl HanChars {
    pub(super) fn scan(s: &str, issues: &mut Vec<Issue>) -> HanChars {
        let mut chars = String::with_capacity(s.len());
        let mut breaks = Vec::new();
        let mut dotted = false;
        let mut pending_break = false;
        let mut pending_dot = false;
        let mut junk = false;
        let mut mixed = false;
        let mut masked = false;
        for c in s.chars() {
            if text::is_han(c) {
                if pending_break && !chars.is_empty() && breaks.last() != Some(&chars.len()) {
                    breaks.push(chars.len());
                    dotted |= pending_dot;
                }
                pending_break = false;
                pending_dot = false;
                chars.push(c);
            } else if c.is_whitespace() || c == ',' || c == '，' {
                pending_break = true;
            } else if matches!(c, '·' | '・' | '•' | '.' | '．' | '‧' | '･') {
                pending_break = true;
                pending_dot = true;
            } else if c.is_alphabetic() {
                mixed = true;
            } else if matches!(c, '*' | '●' | '×' | '○') {
                masked = true;
            } else {
                junk = true;
            }
        }
        if masked {
            issues.push(Issue::new(IssueKind::Masked, REASON_MASKED));
        }
        if junk {
            issues.push(Issue::new(IssueKind::Suspicious, REASON_JUNK));
        }
        if mixed {
            issues.push(Issue::new(IssueKind::Suspicious, REASON_MIXED));
        }
        HanChars {
            chars,
            breaks,
            dotted,
        }
    }
}

/// Builds a Han name with its pinyin keys.
pub(super) fn han_name(
    family: Option<String>,
    given: Option<String>,
    gender: Option<Gender>,
    honorific_only: bool,
    transliterated: bool,
) -> Name {
    let (pinyin, pinyin_variants) = han_pinyin(
        family.as_deref().unwrap_or(""),
        given.as_deref().unwrap_or(""),
    );
    let tokens = family
        .iter()
        .chain(given.iter())
        .map(|t| t.as_str().into())
        .collect();
    Name {
        script: NameScript::Han,
        family: boxed(family),
        given: boxed(given),
        tokens,
        pinyin: boxed(pinyin),
        pinyin_variants: boxed_strings(pinyin_variants),
        phonetic: Box::default(),
        nickname_roots: Box::default(),
        gender_hint: gender,
        honorific_only,
        suffix: None,
        transliterated,
    }
}

/// The pinyin key of a Han name and the other keys its heteronyms allow. `None` when a
/// character has no reading: a partial key could join unrelated names.
pub(super) fn han_pinyin(family: &str, given: &str) -> (Option<String>, Vec<String>) {
    let mut key = String::with_capacity(8 * (family.len() + given.len()) / 3 + 8);
    let mut ambiguous = false;
    let override_reading = surnames::OVERRIDES.get(family).copied();
    if let Some(reading) = override_reading {
        key.push_str(reading);
        ambiguous = true;
    }
    // The surname reading covers the family name; otherwise every character reads alone.
    let lead = if override_reading.is_some() {
        ""
    } else {
        family
    };
    let chars = lead.chars().chain(given.chars());
    for c in chars.filter(|c| text::is_han(*c)) {
        let Some(multi) = c.to_pinyin_multi() else {
            return (None, Vec::new());
        };
        let first = multi.get(0).plain();
        if !key.is_empty() {
            key.push(' ');
        }
        romanised::push_reading(&mut key, first);
        ambiguous |= multi.count() > 1 && multi.into_iter().any(|p| p.plain() != first);
    }
    if key.is_empty() {
        return (None, Vec::new());
    }
    let variants = if ambiguous {
        pinyin_variants(family, given, override_reading, &key)
    } else {
        Vec::new()
    };
    (Some(key), variants)
}

/// Every reading of each unit of the name (the family name as one unit when it has a surname
/// reading), combined in order, at most [`MAX_PINYIN_VARIANTS`] keys other than `main`.
/// A reading as written in keys (ü as v), borrowed when nothing changes.
pub(super) fn reading_key(plain: &'static str) -> Cow<'static, str> {
    if plain.is_ascii() {
        Cow::Borrowed(plain)
    } else {
        let mut key = String::with_capacity(plain.len());
        romanised::push_reading(&mut key, plain);
        Cow::Owned(key)
    }
}

pub(super) fn pinyin_variants(
    family: &str,
    given: &str,
    override_reading: Option<&'static str>,
    main: &str,
) -> Vec<String> {
    let mut units: Vec<Vec<Cow<'static, str>>> = Vec::new();
    let readings = |c: char| -> Vec<Cow<'static, str>> {
        let mut out: Vec<Cow<'static, str>> = Vec::new();
        if let Some(multi) = c.to_pinyin_multi() {
            for p in multi {
                let reading = reading_key(p.plain());
                if !out.contains(&reading) {
                    out.push(reading);
                }
            }
        }
        out
    };
    match override_reading {
        Some(reading) => {
            let mut options: Vec<Cow<'static, str>> = vec![Cow::Borrowed(reading)];
            if family.chars().count() == 1 {
                for r in family.chars().flat_map(readings) {
                    if !options.contains(&r) {
                        options.push(r);
                    }
                }
            } else {
                let joined = family
                    .chars()
                    .filter_map(|c| c.to_pinyin())
                    .map(|p| {
                        let mut s = String::new();
                        romanised::push_reading(&mut s, p.plain());
                        s
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                if joined != reading {
                    options.push(Cow::Owned(joined));
                }
            }
            units.push(options);
        }
        None => units.extend(family.chars().filter(|c| text::is_han(*c)).map(readings)),
    }
    units.extend(given.chars().filter(|c| text::is_han(*c)).map(readings));
    if units.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut odometer = vec![0usize; units.len()];
    // Enough combinations to find the keys wanted, whatever the duplicates.
    for _ in 0..64 {
        let key = odometer
            .iter()
            .zip(&units)
            .map(|(i, unit)| unit[*i].as_ref())
            .collect::<Vec<_>>()
            .join(" ");
        if key != main && !out.contains(&key) {
            out.push(key);
            if out.len() == MAX_PINYIN_VARIANTS {
                break;
            }
        }
        // Advance, last unit fastest.
        let mut pos = units.len();
        loop {
            if pos == 0 {
                return out;
            }
            pos -= 1;
            odometer[pos] += 1;
            if odometer[pos] < units[pos].len() {
                break;
            }
            odometer[pos] = 0;
        }
    }
    out
}
