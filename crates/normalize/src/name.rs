//! Person names, Chinese and Western.
//!
//! - **Han** names (张伟, 張偉, 欧阳娜娜) are folded to Simplified and split into family and
//!   given name: a listed compound surname (欧阳, 司马 …) is the family name of a name of three
//!   or more characters, and a two-character name that *is* a compound surname is that surname
//!   alone; otherwise the first character is the family name, whether or not it is a listed
//!   surname. A single character is a family name alone. A name written with one space
//!   (`张 伟`) is split at the space; one written with a middle dot (约翰·史密斯, a
//!   transliterated name) has the last part as family name. Honorific suffixes (先生, 女士 …)
//!   are removed and give a gender hint. The pinyin key reads the family name with a surname
//!   table (单 shan, 曾 zeng …) and the given name character by character; `pinyin_variants`
//!   holds the other readings of heteronyms for blocking.
//! - **Latin** names (`Robert Smith`, `SMITH, Robert`, `Mr Smith`) become lower-case tokens,
//!   sorted so order does not matter; the family name is the part before a comma, else the last
//!   token (with particles such as van, de). Given names map to formal roots (bob → robert),
//!   every token gets a Double Metaphone code. Romanised Chinese names (`Zhang Wei`,
//!   `Wei Zhang`) also get the pinyin key of the Han form (see `romanised` for the rule).
//! - **Other** scripts keep their tokens only.

mod nicknames;
mod romanised;
mod surnames;

use std::borrow::Cow;

use pinyin::{ToPinyin, ToPinyinMulti};
use rphonetic::{DoubleMetaphone, Encoder};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::gender::Gender;
use crate::{Issue, IssueKind, MatchKeys, Normalized, text};

/// Most extra pinyin keys kept for heteronyms.
const MAX_PINYIN_VARIANTS: usize = 8;
/// Han names longer than this many characters are flagged (often a company name).
const MAX_HAN_NAME_CHARS: usize = 6;

const REASON_JUNK: &str = "name contains digits or symbols";
const REASON_MIXED: &str = "name mixes scripts";
const REASON_MASKED: &str = "part of the name hidden by source";
const REASON_LONG: &str = "unusually long name";
const REASON_NO_LETTERS: &str = "no letters in name";
const REASON_HONORIFIC_ALONE: &str = "honorific without a name";

/// Han honorific suffixes and the gender they imply. Removed from the end of a name.
const HAN_HONORIFICS: &[(&str, Option<Gender>)] = &[
    ("先生", Some(Gender::Male)),
    ("女士", Some(Gender::Female)),
    ("小姐", Some(Gender::Female)),
    ("太太", Some(Gender::Female)),
    ("夫人", Some(Gender::Female)),
    ("阿姨", Some(Gender::Female)),
    ("老师", None),
    ("师傅", None),
    ("老板", None),
    ("经理", None),
    ("同学", None),
    ("医生", None),
];

/// One-character honorifics, removed only after a bare surname (张总) since the character
/// also occurs in given names.
const HAN_SHORT_HONORIFICS: &[(&str, Option<Gender>)] = &[("总", None)];

/// Latin honorific prefixes and the gender they imply.
const LATIN_HONORIFICS: &[(&str, Option<Gender>)] = &[
    ("mr", Some(Gender::Male)),
    ("mister", Some(Gender::Male)),
    ("sir", Some(Gender::Male)),
    ("herr", Some(Gender::Male)),
    ("mrs", Some(Gender::Female)),
    ("ms", Some(Gender::Female)),
    ("miss", Some(Gender::Female)),
    ("mme", Some(Gender::Female)),
    ("mlle", Some(Gender::Female)),
    ("madam", Some(Gender::Female)),
    ("madame", Some(Gender::Female)),
    ("lady", Some(Gender::Female)),
    ("dame", Some(Gender::Female)),
    ("frau", Some(Gender::Female)),
    ("dr", None),
    ("prof", None),
    ("mx", None),
    ("rev", None),
];

/// Generational suffixes, kept apart from the tokens (a Jr and a Sr are different people).
const GENERATIONAL_SUFFIXES: &[(&str, &str)] = &[
    ("jr", "jr"),
    ("jnr", "jr"),
    ("sr", "sr"),
    ("snr", "sr"),
    ("ii", "ii"),
    ("iii", "iii"),
    ("iv", "iv"),
];

/// Degrees and post-nominals, dropped.
const POST_NOMINALS: &[&str] = &["phd", "md", "esq", "dds", "jd", "mba", "cpa"];

/// Particles that belong to the family name that follows them (Ludwig van Beethoven).
const PARTICLES: &[&str] = &[
    "van", "von", "de", "da", "di", "del", "della", "der", "den", "du", "la", "le", "dos", "das",
    "st", "ter", "ten", "bin", "ibn",
];

/// The script a name is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameScript {
    /// Chinese characters.
    Han,
    /// Latin letters, including romanised Chinese names.
    Latin,
    /// Any other script (Cyrillic, Hangul …): tokens only.
    Other,
}

/// A normalized person name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// The script the name is written in.
    pub script: NameScript,
    /// Family name: Han in Simplified characters (`张`, `欧阳`); Latin lower-case (`smith`,
    /// `van beethoven`).
    pub family: Option<String>,
    /// Given name: Han `伟`; Latin lower-case tokens joined by spaces (`mary ann`).
    pub given: Option<String>,
    /// Latin and other scripts: lower-case name tokens, sorted so word order does not matter
    /// (honorifics and suffixes left out). Han: `[family, given]`, the absent ones left out.
    pub tokens: Vec<String>,
    /// Pinyin key, family syllables then given syllables, no tones, ü written `v`
    /// (`zhang wei`); also set for romanised Chinese names.
    pub pinyin: Option<String>,
    /// Other pinyin keys of a Han name whose characters have several readings (every reading
    /// of each heteronym, at most eight keys, the main key left out); for blocking.
    pub pinyin_variants: Vec<String>,
    /// Latin: Double Metaphone primary code of every token, sorted. Otherwise empty.
    pub phonetic: Vec<String>,
    /// Latin: formal roots of the given-name tokens (`bob` → `robert`; a formal name is its
    /// own root), sorted and distinct.
    pub nickname_roots: Vec<String>,
    /// Gender implied by an honorific (先生, Mrs).
    pub gender_hint: Option<Gender>,
    /// Family name and honorific only, no given name (张先生, Mr Smith).
    pub honorific_only: bool,
    /// Generational suffix of a Latin name (`jr`, `sr`, `iii`).
    pub suffix: Option<String>,
    /// A Han name written with a middle dot (约翰·史密斯): the family name is the last part.
    pub transliterated: bool,
}

impl MatchKeys for Name {
    /// Han: family then given, no space (`张伟`); a space marks a split that differs from the
    /// default reading. Latin: given then family (`robert smith`), or `family, given` where
    /// that order would be read differently.
    fn norm(&self) -> String {
        let family = self.family.as_deref().unwrap_or("");
        let given = self.given.as_deref().unwrap_or("");
        match self.script {
            NameScript::Han => {
                if self.transliterated {
                    return format!("{given}·{family}");
                }
                let joined = format!("{family}{given}");
                let (f, g) = default_han_split(&joined);
                if (f, g) == (family, given) || given.is_empty() || family.is_empty() {
                    joined
                } else {
                    format!("{family} {given}")
                }
            }
            NameScript::Latin | NameScript::Other => {
                let mut out = String::with_capacity(family.len() + given.len() + 8);
                if !given.is_empty() && !family.is_empty() && !self.reads_back_in_order() {
                    out.push_str(family);
                    out.push_str(", ");
                    out.push_str(given);
                } else {
                    out.push_str(given);
                    if !given.is_empty() && !family.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(family);
                }
                if let Some(suffix) = &self.suffix {
                    out.push(' ');
                    out.push_str(suffix);
                }
                out
            }
        }
    }

    fn keys(&self) -> Vec<(&'static str, String)> {
        vec![
            ("family", self.family.clone().unwrap_or_default()),
            ("given", self.given.clone().unwrap_or_default()),
            ("pinyin", self.pinyin.clone().unwrap_or_default()),
            ("phonetic", self.phonetic.join(" ")),
            ("nickname", self.nickname_roots.join(" ")),
        ]
    }
}

impl Name {
    /// Whether `given family` would be read back with the same family and given names.
    fn reads_back_in_order(&self) -> bool {
        let (Some(family), Some(given)) = (&self.family, &self.given) else {
            return true;
        };
        let tokens: Vec<&str> = given.split(' ').chain(family.split(' ')).collect();
        // A family name that reads as a suffix or degree (jd, ii) would be dropped.
        let mut unsuffixed = tokens.clone();
        strip_suffixes(&mut unsuffixed);
        if unsuffixed.len() != tokens.len() {
            return false;
        }
        let split = split_single_part(&tokens, self.script == NameScript::Latin, false);
        split.family.join(" ") == *family && split.given.join(" ") == *given
    }
}

/// Reads person names. Holds nothing heavy: the tables are built once, on first use.
#[derive(Debug, Clone, Default)]
pub struct NameNormalizer {
    metaphone: DoubleMetaphone,
}

impl NameNormalizer {
    /// A name normalizer. Cheap: the surname, pinyin and nickname tables are shared statics.
    ///
    /// ```
    /// use sameas_normalize::name::NameNormalizer;
    /// let names = NameNormalizer::new();
    /// assert_eq!(names.normalize("Mr Smith").value.unwrap().family.as_deref(), Some("smith"));
    /// ```
    pub fn new() -> Self {
        NameNormalizer::default()
    }

    /// The Double Metaphone primary code of an ASCII token. Given names and surnames repeat
    /// heavily, so codes are memoised per thread (bounded; every normalizer uses the same
    /// encoder settings, so a code depends on the token alone).
    fn phonetic_code(&self, ascii: &str) -> String {
        const MAX_CACHED: usize = 16_384;
        thread_local! {
            static CODES: std::cell::RefCell<foldhash::HashMap<Box<str>, Box<str>>> =
                std::cell::RefCell::default();
        }
        CODES.with_borrow_mut(|codes| {
            if let Some(code) = codes.get(ascii) {
                return code.to_string();
            }
            let code = self.metaphone.encode(ascii);
            if codes.len() >= MAX_CACHED {
                codes.clear();
            }
            codes.insert(ascii.into(), code.as_str().into());
            code
        })
    }

    /// Reads a full name from one column.
    ///
    /// ```
    /// use sameas_normalize::name::{NameNormalizer, NameScript};
    /// use sameas_normalize::MatchKeys;
    ///
    /// let names = NameNormalizer::new();
    /// let han = names.normalize("張偉").value.unwrap();
    /// assert_eq!(han.family.as_deref(), Some("张"));
    /// assert_eq!(han.pinyin.as_deref(), Some("zhang wei"));
    /// assert_eq!(han.norm(), "张伟");
    ///
    /// let latin = names.normalize("SMITH, Bob").value.unwrap();
    /// assert_eq!(latin.script, NameScript::Latin);
    /// assert_eq!(latin.tokens, ["bob", "smith"]);
    /// assert_eq!(latin.nickname_roots, ["robert"]);
    /// assert_eq!(latin.norm(), "bob smith");
    /// ```
    pub fn normalize(&self, raw: &str) -> Normalized<Name> {
        let folded = text::fold(raw);
        if folded.is_empty() {
            return Normalized::missing();
        }
        if text::has_han(&folded) {
            self.normalize_han(&folded)
        } else {
            self.normalize_latin(&folded)
        }
    }

    /// Reads a name from split columns (given name, family name), as in FEBRL data.
    ///
    /// ```
    /// use sameas_normalize::name::NameNormalizer;
    /// use sameas_normalize::MatchKeys;
    ///
    /// let names = NameNormalizer::new();
    /// let name = names.normalize_parts(Some("lachlan"), Some("berry")).value.unwrap();
    /// assert_eq!(name.tokens, ["berry", "lachlan"]);
    /// assert_eq!(name.family.as_deref(), Some("berry"));
    /// assert_eq!(name.norm(), "lachlan berry");
    /// let han = names.normalize_parts(Some("伟"), Some("张")).value.unwrap();
    /// assert_eq!(han, names.normalize("张伟").value.unwrap());
    /// assert!(names.normalize_parts(None, Some(" ")).value.is_none());
    /// ```
    pub fn normalize_parts(&self, given: Option<&str>, family: Option<&str>) -> Normalized<Name> {
        let given = given.map(text::fold).filter(|s| !s.is_empty());
        let family = family.map(text::fold).filter(|s| !s.is_empty());
        if given.is_none() && family.is_none() {
            return Normalized::missing();
        }
        let given = given.as_deref().unwrap_or("");
        let family = family.as_deref().unwrap_or("");
        if text::has_han(given) || text::has_han(family) {
            let mut issues = Vec::new();
            let g = HanChars::scan(given, &mut issues);
            let f = HanChars::scan(family, &mut issues);
            if g.chars.is_empty() && f.chars.is_empty() {
                return Normalized::invalid(REASON_NO_LETTERS);
            }
            let (family, given) = if f.chars.is_empty() {
                (None, Some(g.chars))
            } else {
                (Some(f.chars), Some(g.chars).filter(|g| !g.is_empty()))
            };
            let name = han_name(family, given, None, false, false);
            return with_issues(name, issues);
        }
        let g = LatinTokens::scan(given);
        let f = LatinTokens::scan(family);
        let mut issues = Vec::new();
        if g.junk || f.junk {
            issues.push(Issue::new(IssueKind::Suspicious, REASON_JUNK));
        }
        let latin = !(g.other_script || f.other_script);
        let mut given_tokens: Vec<&str> = g.tokens.iter().map(String::as_str).collect();
        let mut family_tokens: Vec<&str> = f.tokens.iter().map(String::as_str).collect();
        let gender_given = strip_honorifics(&mut given_tokens);
        let gender_family = strip_honorifics(&mut family_tokens);
        let gender = gender_given.or(gender_family);
        let suffix_family = strip_suffixes(&mut family_tokens);
        let suffix_given = strip_suffixes(&mut given_tokens);
        let suffix = suffix_family.or(suffix_given);
        if given_tokens.is_empty() && family_tokens.is_empty() {
            return Normalized::invalid(REASON_NO_LETTERS);
        }
        let pinyin = if latin {
            romanised_pinyin(&family_tokens, &given_tokens)
        } else {
            None
        };
        let honorific_only = gender.is_some() && given_tokens.is_empty();
        let split = Split {
            family: family_tokens,
            given: given_tokens,
            pinyin,
        };
        let mut name = self.latin_name(split, latin, gender, suffix);
        name.honorific_only = honorific_only;
        with_issues(name, issues)
    }

    fn normalize_han(&self, folded: &str) -> Normalized<Name> {
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

        let name = if dotted {
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
        with_issues(name, issues)
    }

    fn normalize_latin(&self, folded: &str) -> Normalized<Name> {
        let scanned = LatinTokens::scan(folded);
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
        let suffix_after = strip_suffixes(&mut after);
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
            split_single_part(&before, latin, had_honorific)
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

    fn latin_name(
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
                    for root in nicknames::roots(part) {
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
            family: join(&split.family),
            given: join(&split.given),
            tokens,
            pinyin: split.pinyin,
            pinyin_variants: Vec::new(),
            phonetic,
            nickname_roots,
            gender_hint: gender.flatten(),
            honorific_only: false,
            suffix: suffix.map(str::to_string),
            transliterated: false,
        }
    }
}

fn with_issues(name: Name, issues: Vec<Issue>) -> Normalized<Name> {
    Normalized::with_issues(name, issues)
}

/// The default family / given split of a Han name written without separators.
fn default_han_split(chars: &str) -> (&str, &str) {
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

/// The byte length and gender of an honorific suffix of a Han name.
fn han_honorific(chars: &str) -> Option<(usize, Option<Gender>)> {
    for (suffix, gender) in HAN_HONORIFICS {
        if chars.ends_with(suffix) {
            return Some((suffix.len(), *gender));
        }
    }
    for (suffix, gender) in HAN_SHORT_HONORIFICS {
        if let Some(rest) = chars.strip_suffix(suffix) {
            let mut it = rest.chars();
            let single =
                matches!((it.next(), it.next()), (Some(c), None) if surnames::is_single(c));
            if single || surnames::is_compound(rest) {
                return Some((suffix.len(), *gender));
            }
        }
    }
    None
}

/// The Han characters of a name, with the positions of separators between them.
struct HanChars {
    chars: String,
    /// Byte offsets into `chars` where a space or dot separated two parts.
    breaks: Vec<usize>,
    dotted: bool,
}

impl HanChars {
    fn scan(s: &str, issues: &mut Vec<Issue>) -> HanChars {
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
fn han_name(
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
    let tokens = family.iter().chain(given.iter()).cloned().collect();
    Name {
        script: NameScript::Han,
        family,
        given,
        tokens,
        pinyin,
        pinyin_variants,
        phonetic: Vec::new(),
        nickname_roots: Vec::new(),
        gender_hint: gender,
        honorific_only,
        suffix: None,
        transliterated,
    }
}

/// The pinyin key of a Han name and the other keys its heteronyms allow. `None` when a
/// character has no reading: a partial key could join unrelated names.
fn han_pinyin(family: &str, given: &str) -> (Option<String>, Vec<String>) {
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
fn reading_key(plain: &'static str) -> Cow<'static, str> {
    if plain.is_ascii() {
        Cow::Borrowed(plain)
    } else {
        let mut key = String::with_capacity(plain.len());
        romanised::push_reading(&mut key, plain);
        Cow::Owned(key)
    }
}

fn pinyin_variants(
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

/// Lower-case Latin (or other-script) name tokens, read from folded text.
struct LatinTokens {
    tokens: Vec<String>,
    /// Index of the first token after the first comma, when there are tokens on both sides.
    comma: Option<usize>,
    junk: bool,
    other_script: bool,
}

impl LatinTokens {
    fn scan(s: &str) -> LatinTokens {
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

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(c, '\u{00C0}'..='\u{024F}') && c != '×' && c != '÷')
        || matches!(c, '\u{1E00}'..='\u{1EFF}')
        || is_combining_mark(c)
}

/// ASCII letters of a token for the phonetic encoder (which indexes bytes): accents dropped,
/// a few ligatures spelled out.
fn ascii_letters(token: &str) -> Cow<'_, str> {
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

fn honorific_gender(token: &str) -> Option<Option<Gender>> {
    LATIN_HONORIFICS
        .iter()
        .find(|(h, _)| *h == token)
        .map(|(_, g)| *g)
}

/// Removes leading honorifics; returns the gender of the first one (`Some(None)` for an
/// ungendered one such as Dr).
fn strip_honorifics(tokens: &mut Vec<&str>) -> Option<Option<Gender>> {
    let mut found: Option<Option<Gender>> = None;
    let mut n = 0;
    while let Some(g) = tokens.get(n).and_then(|t| honorific_gender(t)) {
        found = match found {
            Some(Some(prev)) => Some(Some(prev)),
            _ => Some(g),
        };
        n += 1;
    }
    tokens.drain(..n);
    found
}

/// Removes trailing generational suffixes and degrees; returns the generational suffix.
fn strip_suffixes(tokens: &mut Vec<&str>) -> Option<&'static str> {
    let mut found = None;
    while tokens.len() > 1 {
        let last = tokens[tokens.len() - 1];
        if let Some((_, canonical)) = GENERATIONAL_SUFFIXES.iter().find(|(s, _)| *s == last) {
            found = found.or(Some(*canonical));
        } else if !POST_NOMINALS.contains(&last) {
            break;
        }
        tokens.pop();
    }
    found
}

/// The pinyin key of a romanised Chinese name whose family part is known: a single surname
/// token, alone (Mr Zhang reads like 张先生) or with pinyin given names.
fn romanised_pinyin(family: &[&str], given: &[&str]) -> Option<String> {
    match family {
        [family] if given.is_empty() => romanised::surname_key(family),
        [family] => romanised::pinyin_key(family, given),
        _ => None,
    }
}

/// A family / given split of Latin tokens.
struct Split<'t> {
    family: Vec<&'t str>,
    given: Vec<&'t str>,
    pinyin: Option<String>,
}

/// Splits the tokens of a name written without a comma: a romanised Chinese name by the
/// surname rule, else the last token (with its particles) is the family name. A single token
/// is a given name when it is a known one (bob), else a family name; after an honorific it is
/// always the family name.
fn split_single_part<'t>(tokens: &[&'t str], latin: bool, honorific: bool) -> Split<'t> {
    if let [only] = tokens {
        let given_only = !honorific && latin && nicknames::is_known_given(only);
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(raw: &str) -> Name {
        NameNormalizer::new()
            .normalize(raw)
            .value
            .unwrap_or_else(|| panic!("no value for {raw:?}"))
    }

    #[test]
    fn han_forms_agree() {
        let a = n("張偉");
        assert_eq!(a, n("张 伟"));
        assert_eq!(a, n("张伟"));
        assert_eq!(a.script, NameScript::Han);
        assert_eq!(a.family.as_deref(), Some("张"));
        assert_eq!(a.given.as_deref(), Some("伟"));
        assert_eq!(a.pinyin.as_deref(), Some("zhang wei"));
        assert_eq!(a.tokens, ["张", "伟"]);
        assert_eq!(a.norm(), "张伟");
    }

    #[test]
    fn homophone_surname_shares_pinyin() {
        assert_eq!(n("章伟").pinyin.as_deref(), Some("zhang wei"));
    }

    #[test]
    fn romanised_han_names_in_either_order() {
        for raw in ["Zhang Wei", "Wei Zhang", "ZHANG wei", "Zhang, Wei"] {
            let name = n(raw);
            assert_eq!(name.script, NameScript::Latin, "{raw}");
            assert_eq!(name.pinyin.as_deref(), Some("zhang wei"), "{raw}");
            assert_eq!(name.family.as_deref(), Some("zhang"), "{raw}");
            assert_eq!(name.given.as_deref(), Some("wei"), "{raw}");
        }
        assert_eq!(n("Zhang Xiaowei").pinyin.as_deref(), Some("zhang xiao wei"));
        assert_eq!(n("Xiao-Wei Zhang").pinyin, n("张小伟").pinyin);
        assert_eq!(n("Ouyang Nana").pinyin, n("欧阳娜娜").pinyin);
        assert_eq!(n("Robert Smith").pinyin, None);
    }

    #[test]
    fn explicit_comma_order_survives_norm() {
        let name = n("Wei, Zhang");
        assert_eq!(name.family.as_deref(), Some("wei"));
        assert_eq!(name.pinyin.as_deref(), Some("wei zhang"));
        assert_eq!(name.norm(), "wei, zhang");
        assert_eq!(n(&name.norm()).norm(), name.norm());
    }

    #[test]
    fn compound_surnames() {
        let name = n("欧阳娜娜");
        assert_eq!(name.family.as_deref(), Some("欧阳"));
        assert_eq!(name.given.as_deref(), Some("娜娜"));
        assert_eq!(name.pinyin.as_deref(), Some("ou yang na na"));
        assert_eq!(n("司马光").family.as_deref(), Some("司马"));
        assert_eq!(n("諸葛亮").family.as_deref(), Some("诸葛"));
        let alone = n("欧阳");
        assert_eq!(alone.family.as_deref(), Some("欧阳"));
        assert_eq!(alone.given, None);
        let chi = n("尉迟恭");
        assert_eq!(chi.family.as_deref(), Some("尉迟"));
        assert_eq!(chi.pinyin.as_deref(), Some("yu chi gong"));
    }

    #[test]
    fn han_honorifics() {
        let mr = n("张先生");
        assert_eq!(mr.family.as_deref(), Some("张"));
        assert_eq!(mr.given, None);
        assert_eq!(mr.gender_hint, Some(Gender::Male));
        assert!(mr.honorific_only);
        assert_eq!(mr.norm(), "张");
        for raw in ["王女士", "王小姐", "王太太"] {
            let ms = n(raw);
            assert_eq!(ms.family.as_deref(), Some("王"), "{raw}");
            assert_eq!(ms.gender_hint, Some(Gender::Female), "{raw}");
            assert!(ms.honorific_only, "{raw}");
        }
        let teacher = n("李老师");
        assert_eq!(teacher.family.as_deref(), Some("李"));
        assert_eq!(teacher.gender_hint, None);
        assert!(teacher.honorific_only);
        let full = n("张伟先生");
        assert_eq!(full.given.as_deref(), Some("伟"));
        assert!(!full.honorific_only);
        assert_eq!(full.gender_hint, Some(Gender::Male));
        assert_eq!(n("欧阳先生").family.as_deref(), Some("欧阳"));
        assert_eq!(n("王总").family.as_deref(), Some("王"));
        assert!(
            NameNormalizer::new()
                .normalize("先生")
                .has(IssueKind::Invalid)
        );
    }

    #[test]
    fn latin_honorifics() {
        let mr = n("Mr Smith");
        assert_eq!(mr.family.as_deref(), Some("smith"));
        assert_eq!(mr.given, None);
        assert_eq!(mr.gender_hint, Some(Gender::Male));
        assert!(mr.honorific_only);
        let mrs = n("Mrs. Jones");
        assert_eq!(mrs.family.as_deref(), Some("jones"));
        assert_eq!(mrs.gender_hint, Some(Gender::Female));
        assert!(mrs.honorific_only);
        let full = n("Dr. Jane Jones");
        assert_eq!(full.given.as_deref(), Some("jane"));
        assert_eq!(full.gender_hint, None);
        assert!(!full.honorific_only);
        assert!(
            NameNormalizer::new()
                .normalize("Mr.")
                .has(IssueKind::Invalid)
        );
        assert_eq!(n("Mr Zhang").pinyin, n("张先生").pinyin);
        let parts = NameNormalizer::new().normalize_parts(Some("Mrs"), Some("Jones"));
        assert!(parts.value.unwrap().honorific_only);
    }

    #[test]
    fn latin_order_and_case_do_not_matter() {
        let a = n("SMITH, Robert");
        assert_eq!(a.tokens, ["robert", "smith"]);
        assert_eq!(a.family.as_deref(), Some("smith"));
        assert_eq!(a.given.as_deref(), Some("robert"));
        assert_eq!(a, n("Robert Smith"));
        assert_eq!(a, n("ROBERT SMITH"));
        assert_eq!(a.norm(), "robert smith");
        assert_eq!(a.phonetic, ["RPRT", "SM0"]);
        assert_eq!(a.nickname_roots, ["robert"]);
    }

    #[test]
    fn nicknames_reach_roots() {
        assert_eq!(n("Bob").nickname_roots, ["robert"]);
        assert_eq!(n("Bob").given.as_deref(), Some("bob"));
        assert_eq!(n("Bill Gates").nickname_roots, ["william"]);
        assert_eq!(n("Kate Smith").nickname_roots, ["katherine"]);
        assert_eq!(n("Smith").family.as_deref(), Some("smith"));
        assert!(n("Smith").nickname_roots.is_empty());
    }

    #[test]
    fn particles_suffixes_and_accents() {
        let name = n("Ludwig van Beethoven");
        assert_eq!(name.family.as_deref(), Some("van beethoven"));
        let jr = n("Robert Smith Jr.");
        assert_eq!(jr.suffix.as_deref(), Some("jr"));
        assert_eq!(jr.family.as_deref(), Some("smith"));
        assert_eq!(jr.norm(), "robert smith jr");
        assert_eq!(n("O'Brien, Pat").family.as_deref(), Some("obrien"));
        assert_eq!(n("José Müller").phonetic, n("Jose Muller").phonetic);
        assert_eq!(n("Иван Петров").script, NameScript::Other);
    }

    #[test]
    fn surname_overrides_apply_to_family_only() {
        assert_eq!(n("单伟").pinyin.as_deref(), Some("shan wei"));
        assert_eq!(n("曾伟").pinyin.as_deref(), Some("zeng wei"));
        assert_eq!(n("朴敏").pinyin.as_deref(), Some("piao min"));
        assert!(n("曾伟").pinyin_variants.contains(&"ceng wei".to_string()));
        assert!(n("张伟").pinyin_variants.is_empty());
        assert_eq!(n("吕布").pinyin.as_deref(), Some("lv bu"));
        assert_eq!(n("Lyu Bu").pinyin.as_deref(), Some("lv bu"));
        let many = n("长乐重单");
        assert!(many.pinyin_variants.len() <= MAX_PINYIN_VARIANTS);
        assert!(!many.pinyin_variants.is_empty());
    }

    #[test]
    fn han_without_known_surname_and_single_char() {
        let name = n("艺谋");
        assert_eq!(name.family.as_deref(), Some("艺"));
        assert_eq!(name.given.as_deref(), Some("谋"));
        let single = n("张");
        assert_eq!(single.family.as_deref(), Some("张"));
        assert_eq!(single.given, None);
        assert!(!single.honorific_only);
        let spaced = n("张伟 李娜");
        assert_eq!(spaced.family.as_deref(), Some("张"));
        assert_eq!(n("司 马光").family.as_deref(), Some("司"));
        assert_eq!(n("司 马光").norm(), "司 马光");
        let four = n("爱新觉罗");
        assert_eq!(four.family.as_deref(), Some("爱"));
        let dotted = n("约翰·史密斯");
        assert!(dotted.transliterated);
        assert_eq!(dotted.family.as_deref(), Some("史密斯"));
        assert_eq!(dotted.norm(), "约翰·史密斯");
    }

    #[test]
    fn junk_is_flagged_or_invalid() {
        let names = NameNormalizer::new();
        let r = names.normalize("Bob2 Smith😀");
        assert_eq!(
            r.value.as_ref().map(|v| v.tokens.clone()),
            Some(vec!["bob".into(), "smith".into()])
        );
        assert!(r.has(IssueKind::Suspicious));
        assert_eq!(r.issues[0].reason, REASON_JUNK);
        assert!(names.normalize("先生女士").has(IssueKind::Invalid));
        let joined = names.normalize("DGA`\u{306}C$").value.unwrap();
        assert_eq!(
            names.normalize(&joined.norm()).value.unwrap().norm(),
            joined.norm()
        );
        let degree_family = names.normalize("Jd, A").value.unwrap();
        assert_eq!(degree_family.norm(), "jd, a");
        assert_eq!(
            names.normalize(&degree_family.norm()).value.unwrap(),
            degree_family
        );
        let masked = names.normalize("王**");
        assert_eq!(
            masked.value.as_ref().map(MatchKeys::norm).as_deref(),
            Some("王")
        );
        assert_eq!(
            masked.issues,
            vec![Issue::new(IssueKind::Masked, REASON_MASKED)]
        );
        let h = names.normalize("张伟123");
        assert_eq!(
            h.value.as_ref().map(MatchKeys::norm),
            Some("张伟".to_string())
        );
        assert!(h.has(IssueKind::Suspicious));
        assert!(names.normalize("12345").has(IssueKind::Invalid));
        assert!(names.normalize("😀!!").has(IssueKind::Invalid));
        assert!(names.normalize("   ").has(IssueKind::Missing));
        let long = names.normalize("深圳市某某科技有限公司");
        assert!(long.has(IssueKind::Suspicious));
    }

    #[test]
    fn split_columns() {
        let names = NameNormalizer::new();
        let name = names
            .normalize_parts(Some("lachlan"), Some("berry"))
            .value
            .unwrap();
        assert_eq!(name.tokens, ["berry", "lachlan"]);
        assert_eq!(name.family.as_deref(), Some("berry"));
        assert_eq!(name.given.as_deref(), Some("lachlan"));
        let han = names.normalize_parts(Some("伟"), Some("張")).value.unwrap();
        assert_eq!(han, n("张伟"));
        let family_only = names.normalize_parts(None, Some("berry"));
        assert!(family_only.issues.is_empty());
        assert_eq!(family_only.value.unwrap().family.as_deref(), Some("berry"));
        assert!(
            names
                .normalize_parts(Some(""), None)
                .has(IssueKind::Missing)
        );
        let romanised = names
            .normalize_parts(Some("Wei"), Some("Zhang"))
            .value
            .unwrap();
        assert_eq!(romanised.pinyin.as_deref(), Some("zhang wei"));
    }

    #[test]
    fn keys_are_stable() {
        let names: Vec<&str> = n("张伟").keys().iter().map(|(k, _)| *k).collect();
        let latin: Vec<&str> = n("Bob Smith").keys().iter().map(|(k, _)| *k).collect();
        assert_eq!(names, ["family", "given", "pinyin", "phonetic", "nickname"]);
        assert_eq!(names, latin);
        assert_eq!(n("Bob Smith").keys()[4].1, "robert");
    }

    fn check_idempotent(raw: &str) -> Result<(), TestCaseError> {
        let names = NameNormalizer::new();
        if let Some(first) = names.normalize(raw).value {
            let again = names.normalize(&first.norm()).value;
            prop_assert!(again.is_some(), "norm {:?} unreadable", first.norm());
            let again = again.unwrap();
            prop_assert_eq!(again.norm(), first.norm());
            prop_assert_eq!(again.pinyin, first.pinyin);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn never_panics(raw in ".*", other in "\\PC*") {
            let names = NameNormalizer::new();
            let _ = names.normalize(&raw);
            let _ = names.normalize_parts(Some(&raw), Some(&other));
        }

        #[test]
        fn idempotent_any(raw in "\\PC{0,40}") {
            check_idempotent(&raw)?;
        }

        #[test]
        fn idempotent_han(raw in "[张王李欧阳单曾尉迟长孙伟娜小明·先生女士 ]{1,8}") {
            check_idempotent(&raw)?;
        }

        #[test]
        fn idempotent_latin(raw in "(mr |dr )?[A-Za-z]{1,8}(,)? [A-Za-z]{1,8}( van)?( [a-z]{1,6})?( jr)?") {
            check_idempotent(&raw)?;
        }

        #[test]
        fn idempotent_romanised(
            a in "(zhang|wang|li|wei|ouyang|xiao|na|chen|lyu)",
            b in "(zhang|wang|li|wei|ouyang|xiaowei|na|chen)",
            c in "( ming| hua)?",
        ) {
            check_idempotent(&format!("{a} {b}{c}"))?;
            check_idempotent(&format!("{a}, {b}{c}"))?;
        }

        #[test]
        fn latin_order_insensitive(a in "[a-z]{2,10}", b in "[a-z]{2,10}") {
            let special = |t: &str| {
                honorific_gender(t).is_some()
                    || POST_NOMINALS.contains(&t)
                    || GENERATIONAL_SUFFIXES.iter().any(|(s, _)| *s == t)
            };
            prop_assume!(!special(&a) && !special(&b));
            let names = NameNormalizer::new();
            let ab = names.normalize(&format!("{a} {b}")).value.unwrap();
            let ba = names.normalize(&format!("{b} {a}")).value.unwrap();
            prop_assert_eq!(ab.tokens, ba.tokens);
            prop_assert_eq!(ab.phonetic, ba.phonetic);
        }
    }
}
