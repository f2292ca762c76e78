//! Latin (and other-script) names: tokens, the family / given split, nickname roots,
//! phonetic codes, and the pinyin key of romanised Chinese names.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use super::honorifics::{strip_honorifics, strip_suffixes, strip_suffixes_keeping};
use super::{
    Name, NameNormalizer, NameScript, REASON_HONORIFIC_ALONE, REASON_JUNK, REASON_NO_LETTERS,
    boxed, boxed_strings, nicknames, romanised, with_issues,
};
use crate::gender::Gender;
use crate::{Issue, IssueKind, Normalized, text};

/// Particles that belong to the family name that follows them (Ludwig van Beethoven).
pub(super) const PARTICLES: &[&str] = &[
    "van", "von", "de", "da", "di", "del", "della", "der", "den", "du", "la", "le", "dos", "das",
    "st", "ter", "ten", "bin", "ibn",
];

impl NameNormalizer {
    pub(super) fn normalize_latin(&self, folded: &str) -> Normalized<Name> {
        let card = card_name(folded);
        let scanned = LatinTokens::scan(card.as_deref().unwrap_or(folded));
        let mut issues = Vec::new();
        if scanned.junk {
            issues.push(Issue::new(IssueKind::Suspicious, REASON_JUNK));
        }
        if scanned.tokens.is_empty() {
            return Normalized::invalid(REASON_NO_LETTERS);
        }
        let latin = !scanned.other_script;
        let all: Vec<&str> = scanned.tokens.iter().map(String::as_str).collect();
        let (mut before, mut after) = match scanned.comma {
            Some(at) => (all[..at].to_vec(), all[at..].to_vec()),
            None => (all, Vec::new()),
        };
        // Honorifics and suffixes may sit on either side of a comma; strip both sides.
        let gender_before = strip_honorifics(&mut before);
        let gender_after = strip_honorifics(&mut after);
        let gender = gender_before.or(gender_after);
        let had_honorific = gender.is_some();
        // After a comma, a part that is only a suffix (`Kenneth Simon, Sr`, `Smith, Jr.`)
        // belongs to the name before it.
        let keep_after = usize::from(before.is_empty());
        let suffix_after = strip_suffixes_keeping(&mut after, keep_after);
        let suffix_before = strip_suffixes(&mut before);
        let suffix = suffix_after.or(suffix_before);
        if before.is_empty() {
            std::mem::swap(&mut before, &mut after);
        }
        if before.is_empty() {
            return Normalized::invalid(if had_honorific {
                REASON_HONORIFIC_ALONE
            } else {
                REASON_NO_LETTERS
            });
        }
        let split = if after.is_empty() {
            split_single_part(&before, latin, had_honorific, self.chinese_names)
        } else {
            let pinyin = if latin {
                romanised_pinyin(&before, &after)
            } else {
                None
            };
            Split {
                family: before,
                given: after,
                pinyin,
            }
        };
        let mut name = self.latin_name(split, latin, gender, suffix);
        name.honorific_only = had_honorific && name.given.is_none();
        with_issues(name, issues)
    }

    pub(super) fn latin_name(
        &self,
        split: Split<'_>,
        latin: bool,
        gender: Option<Option<Gender>>,
        suffix: Option<&'static str>,
    ) -> Name {
        let mut tokens: Vec<String> = split
            .family
            .iter()
            .chain(split.given.iter())
            .map(|t| (*t).to_string())
            .collect();
        tokens.sort_unstable();
        let mut phonetic = Vec::new();
        let mut nickname_roots: Vec<String> = Vec::new();
        if latin {
            for token in &tokens {
                for part in token.split('-').filter(|p| !p.is_empty()) {
                    let ascii = ascii_letters(part);
                    if !ascii.is_empty() {
                        let code = self.phonetic_code(&ascii);
                        if !code.is_empty() {
                            phonetic.push(code);
                        }
                    }
                }
            }
            phonetic.sort_unstable();
            for token in &split.given {
                for part in token.split('-') {
                    // Accents folded: `josé` and `toño` are looked up as `jose`, `tono`.
                    for root in nicknames::roots(&ascii_letters(part)) {
                        if !nickname_roots.iter().any(|r| r == root) {
                            nickname_roots.push((*root).to_string());
                        }
                    }
                }
            }
            nickname_roots.sort_unstable();
        }
        let join = |parts: &[&str]| (!parts.is_empty()).then(|| parts.join(" "));
        Name {
            script: if latin {
                NameScript::Latin
            } else {
                NameScript::Other
            },
            family: boxed(join(&split.family)),
            given: boxed(join(&split.given)),
            tokens: boxed_strings(tokens),
            pinyin: boxed(split.pinyin),
            pinyin_variants: Box::default(),
            phonetic: boxed_strings(phonetic),
            nickname_roots: boxed_strings(nickname_roots),
            gender_hint: gender.flatten(),
            honorific_only: false,
            suffix: suffix.map(Into::into),
            transliterated: false,
        }
    }
}

/// A name as a payment card carries it, `SMITH/JOHN A MR` (the family name, a slash, then
/// the given names and a title), rewritten in the comma form `smith, john a mr` that reads
/// family first; `None` for any other name. Both sides need two letters or more, so `n/a`
/// is no card name.
fn card_name(folded: &str) -> Option<String> {
    let (family, given) = folded.split_once('/')?;
    let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).count();
    if given.contains('/') || folded.contains(',') || letters(family) < 2 || letters(given) < 2 {
        return None;
    }
    // The title closes a card name; the comma form reads it before the given names.
    let given = given.trim().trim_end_matches('.');
    let (given, title) = match given.rsplit_once([' ', '.']) {
        Some((rest, last)) if super::honorifics::honorific_gender(last).is_some() => (rest, last),
        _ => (given, ""),
    };
    Some(format!("{}, {title} {}", family.trim(), given.trim()))
}

/// Lower-case Latin (or other-script) name tokens, read from folded text.
pub(super) struct LatinTokens {
    pub(super) tokens: Vec<String>,
    /// Index of the first token after the first comma, when there are tokens on both sides.
    pub(super) comma: Option<usize>,
    pub(super) junk: bool,
    pub(super) other_script: bool,
}

impl LatinTokens {
    pub(super) fn scan(s: &str) -> LatinTokens {
        let mut tokens: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut comma = None;
        let mut junk = false;
        let mut other_script = false;
        let end = |current: &mut String, tokens: &mut Vec<String>| {
            while current.ends_with('-') {
                current.pop();
            }
            if !current.is_empty() {
                let token = std::mem::take(current);
                // Dropping a symbol can bring a letter and a combining mark together: settle
                // the token so it reads back unchanged.
                tokens.push(match text::nfkc(&token) {
                    std::borrow::Cow::Owned(settled) => settled,
                    std::borrow::Cow::Borrowed(_) => token,
                });
            }
        };
        for c in s.chars() {
            if c.is_alphabetic() || is_combining_mark(c) {
                if !is_latin(c) {
                    other_script = true;
                }
                current.push(c);
            } else if matches!(c, '\'' | '’' | 'ʼ' | '`' | '‘') {
                // O'Brien and OBrien are one spelling.
            } else if c == '-' || c == '‐' {
                if !current.is_empty() && !current.ends_with('-') {
                    current.push('-');
                }
            } else if c == ',' {
                end(&mut current, &mut tokens);
                if comma.is_none() && !tokens.is_empty() {
                    comma = Some(tokens.len());
                }
            } else {
                end(&mut current, &mut tokens);
                if !(c.is_whitespace() || c == '.') {
                    junk = true;
                }
            }
        }
        end(&mut current, &mut tokens);
        let comma = comma.filter(|at| *at < tokens.len());
        LatinTokens {
            tokens,
            comma,
            junk,
            other_script,
        }
    }
}

pub(super) fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

pub(crate) fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(c, '\u{00C0}'..='\u{024F}') && c != '×' && c != '÷')
        || matches!(c, '\u{1E00}'..='\u{1EFF}')
        || is_combining_mark(c)
}

/// The parts of a family name written as several (`Zuniga Torres`, `Smith-Jones`), in ASCII
/// letters, that each name the family on their own: those of four letters or more (`de`,
/// `la`, `y` and a lone initial name no family). Empty for a family name of one part.
///
/// ```
/// use sameas_normalize::name::double_family_parts;
/// assert_eq!(double_family_parts("zúñiga torres"), ["zuniga", "torres"]);
/// assert_eq!(double_family_parts("de la cruz"), ["cruz"]);
/// assert!(double_family_parts("lee").is_empty());
/// ```
pub fn double_family_parts(family: &str) -> Vec<Cow<'_, str>> {
    let parts = family.split(['-', ' ']).filter(|part| !part.is_empty());
    if parts.clone().nth(1).is_none() {
        return Vec::new();
    }
    parts
        .map(ascii_letters)
        .filter(|part| part.len() >= 4)
        .collect()
}

/// ASCII letters of a token for the phonetic encoder (which indexes bytes): accents dropped,
/// a few ligatures spelled out.
///
/// ```
/// use sameas_normalize::name::ascii_letters;
/// assert_eq!(ascii_letters("castañeda"), "castaneda");
/// assert_eq!(ascii_letters("müller"), "muller");
/// ```
pub fn ascii_letters(token: &str) -> Cow<'_, str> {
    if token.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Cow::Borrowed(token);
    }
    let mut out = String::with_capacity(token.len());
    for c in token.nfd() {
        match c {
            'a'..='z' | 'A'..='Z' => out.push(c),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'ł' => out.push('l'),
            'þ' => out.push_str("th"),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// The pinyin key of a romanised Chinese name whose family part is known: a single surname
/// token, alone (Mr Zhang reads like 张先生) or with pinyin given names.
pub(super) fn romanised_pinyin(family: &[&str], given: &[&str]) -> Option<String> {
    match family {
        [family] if given.is_empty() => romanised::surname_key(family),
        [family] => romanised::pinyin_key(family, given),
        _ => None,
    }
}

/// A family / given split of Latin tokens.
pub(super) struct Split<'t> {
    pub(super) family: Vec<&'t str>,
    pub(super) given: Vec<&'t str>,
    pub(super) pinyin: Option<String>,
}

/// Splits the tokens of a name written without a comma: a romanised Chinese name by the
/// surname rule, else the last token (with its particles) is the family name. A single token
/// is a given name when it is a known one (bob); in a file of Chinese names, a romanised
/// Chinese name when it splits into a surname's pinyin and a given name's (`zhangwei`; not in
/// others, where `Linda` would read as Lin Da); else a family name. After an honorific it is
/// always the family name.
pub(super) fn split_single_part<'t>(
    tokens: &[&'t str],
    latin: bool,
    honorific: bool,
    chinese_names: bool,
) -> Split<'t> {
    if let [only] = tokens {
        let given_only = !honorific && latin && nicknames::is_known_given(only);
        if chinese_names
            && !honorific
            && latin
            && !given_only
            && let Some((family, given, pinyin)) = romanised::split_joined(only)
        {
            // `zhangwei`: a romanised Chinese name written as one word.
            return Split {
                family: vec![family],
                given: vec![given],
                pinyin: Some(pinyin),
            };
        }
        return if given_only {
            Split {
                family: Vec::new(),
                given: vec![*only],
                pinyin: None,
            }
        } else {
            Split {
                family: vec![*only],
                given: Vec::new(),
                pinyin: if latin {
                    romanised::surname_key(only)
                } else {
                    None
                },
            }
        };
    }
    if latin && let Some((at, pinyin)) = romanised::choose_family(tokens) {
        let given = tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, t)| *t)
            .collect();
        return Split {
            family: vec![tokens[at]],
            given,
            pinyin: Some(pinyin),
        };
    }
    let mut start = tokens.len().saturating_sub(1);
    while start > 1 && PARTICLES.contains(&tokens[start - 1]) {
        start -= 1;
    }
    Split {
        family: tokens[start..].to_vec(),
        given: tokens[..start].to_vec(),
        pinyin: None,
    }
}
