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
//! - **Other** scripts keep their tokens; [`Name::latin_reading`] reads them in Latin letters
//!   for comparison with Latin names.
//!
//! One file per part: `han.rs` and `latin.rs` read each script, `honorifics.rs` holds the
//! honorifics, generational suffixes and degrees of both.

mod han;
mod honorifics;
mod latin;
mod nicknames;
mod romanised;
mod surnames;

pub(crate) use latin::is_latin;
pub use latin::{ascii_letters, double_family_parts};
use rphonetic::{DoubleMetaphone, Encoder};
use serde::{Deserialize, Serialize};

use crate::gender::Gender;
use crate::{Issue, IssueKind, MatchKeys, Normalized, text};
use han::{HanChars, default_han_split, han_name};
use honorifics::{han_familiar_given, han_familiar_prefix, strip_honorifics, strip_suffixes};
use latin::{LatinTokens, Split, romanised_pinyin, split_single_part};

/// The nickname roots of one Latin name token, lower-case ASCII (`bob` → `robert`): what
/// a given name's `nickname` keys hold, for a token read in another part of a name.
pub fn nickname_roots(token: &str) -> &'static [&'static str] {
    nicknames::roots(token)
}

const REASON_JUNK: &str = "name contains digits or symbols";
const REASON_MIXED: &str = "name mixes scripts";
const REASON_MASKED: &str = "part of the name hidden by source";
const REASON_LONG: &str = "unusually long name";
const REASON_NO_LETTERS: &str = "no letters in name";
const REASON_HONORIFIC_ALONE: &str = "honorific without a name";
const REASON_HANDLE: &str = "a user name or handle, not a person's name";
const REASON_NO_FAMILY_NAME: &str = "in a file of Chinese names, not led by a Chinese family name or \
     with a given name of three characters or more: a nickname, not a person's name";

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
    pub family: Option<Box<str>>,
    /// Given name: Han `伟`; Latin lower-case tokens joined by spaces (`mary ann`).
    pub given: Option<Box<str>>,
    /// Latin and other scripts: lower-case name tokens, sorted so word order does not matter
    /// (honorifics and suffixes left out). Han: `[family, given]`, the absent ones left out.
    pub tokens: Box<[Box<str>]>,
    /// Pinyin key, family syllables then given syllables, no tones, ü written `v`
    /// (`zhang wei`); also set for romanised Chinese names.
    pub pinyin: Option<Box<str>>,
    /// Other pinyin keys of a Han name whose characters have several readings (every reading
    /// of each heteronym, at most eight keys, the main key left out); for blocking.
    pub pinyin_variants: Box<[Box<str>]>,
    /// Latin: Double Metaphone primary code of every token, sorted. Otherwise empty.
    pub phonetic: Box<[Box<str>]>,
    /// Latin: formal roots of the given-name tokens (`bob` → `robert`; a formal name is its
    /// own root), sorted and distinct.
    pub nickname_roots: Box<[Box<str>]>,
    /// Gender implied by an honorific (先生, Mrs).
    pub gender_hint: Option<Gender>,
    /// Family name and honorific only, no given name (张先生, Mr Smith).
    pub honorific_only: bool,
    /// Generational suffix of a Latin name (`jr`, `sr`, `iii`).
    pub suffix: Option<Box<str>>,
    /// A Han name written with a middle dot (约翰·史密斯): the family name is the last part.
    pub transliterated: bool,
}

/// Strings as a name holds them: boxed, each the size of its text (a million names' spare
/// capacity and vector headers were a tenth of the normalized records' memory).
pub(crate) fn boxed_strings(strings: Vec<String>) -> Box<[Box<str>]> {
    strings.into_iter().map(String::into_boxed_str).collect()
}

/// An optional string as a name holds it (see [`boxed_strings`]).
pub(crate) fn boxed(string: Option<String>) -> Option<Box<str>> {
    string.map(String::into_boxed_str)
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
                if given.is_empty() || family.is_empty() {
                    return joined;
                }
                // Written together, would it read back as this family and given name? Not
                // where the split differs, nor where 小 + 张 would read as the familiar 小张.
                let reads_back = default_han_split(&joined) == (family, given)
                    && han_familiar_prefix(&joined).is_none()
                    && han_familiar_given(&joined).is_none();
                if reads_back {
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
            ("family", self.family.as_deref().unwrap_or("").to_string()),
            ("given", self.given.as_deref().unwrap_or("").to_string()),
            ("pinyin", self.pinyin.as_deref().unwrap_or("").to_string()),
            ("phonetic", self.phonetic.join(" ")),
            ("nickname", self.nickname_roots.join(" ")),
        ]
    }
}

impl Name {
    /// The generation the name's suffix names (a Sr 1, a Jr or II 2, a III 3, a IV 4);
    /// `None` without a suffix. Two names of different generations are two people: a
    /// father and a son share a name and often an address.
    pub fn generation(&self) -> Option<u8> {
        self.suffix
            .as_deref()
            .and_then(honorifics::suffix_generation)
    }

    /// A name of another script (Cyrillic, Greek, Hangul …) read in Latin letters, family
    /// then given part: `ВАСИЛЬЕВ, Александр` → (`vasilev`, `aleksandr`). `None` for Latin
    /// and Han names, which have their own readings. The reading is lossy (Arabic and
    /// Hebrew write few vowels), so it can show that two names agree, never that they differ.
    ///
    /// ```
    /// use sameas_normalize::name::NameNormalizer;
    /// let name = NameNormalizer::new().normalize("ВАСИЛЬЕВ, Александр").value.unwrap();
    /// let (family, given) = name.latin_reading().unwrap();
    /// assert_eq!((family.as_deref(), given.as_deref()), (Some("vasilev"), Some("aleksandr")));
    /// ```
    pub fn latin_reading(&self) -> Option<(Option<String>, Option<String>)> {
        if self.script != NameScript::Other {
            return None;
        }
        let read = |part: &Option<Box<str>>| {
            part.as_deref()
                .map(|text| {
                    let latin = any_ascii::any_ascii(text).to_ascii_lowercase();
                    let letters: String = latin
                        .chars()
                        .filter(|c| c.is_ascii_lowercase() || *c == ' ')
                        .collect();
                    letters.split_whitespace().collect::<Vec<_>>().join(" ")
                })
                .filter(|latin| !latin.is_empty())
        };
        Some((read(&self.family), read(&self.given)))
    }

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
        let split = split_single_part(&tokens, self.script == NameScript::Latin, false, false);
        split.family.join(" ") == **family && split.given.join(" ") == **given
    }
}

/// What one value says about a column holding person names (see
/// [`crate::infer::infer_schema_from_table`], which reads names from values where the
/// header says nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameShape {
    /// Two to four Chinese characters led by a listed surname (`张伟`, `欧阳娜娜`).
    HanFullName,
    /// Words of Latin letters whose first word is a known given name or nickname
    /// (`mitchell`, `Bob Smith`): `words` of them.
    KnownGivenFirst { words: usize },
    /// Words of Latin letters where a later word is a known given name (`SMITH John`,
    /// `Smith, John`): `words` of them.
    KnownGivenLater { words: usize },
    /// Two to four words that read as a romanised Chinese name (`Zhang Wei`, `WANG Fang`).
    RomanisedChinese,
    /// Words of Latin letters and no known given name: `words` of them.
    OtherWords { words: usize },
    /// Anything else (digits, symbols, other scripts).
    None,
}

/// For a value of two to six Han characters, whether a listed Chinese family name leads it;
/// `None` for any other value.
pub(crate) fn han_led_by_surname(value: &str) -> Option<bool> {
    let count = value.chars().count();
    if !(2..=6).contains(&count) || !value.chars().all(text::is_han) {
        return None;
    }
    Some(led_by_surname(value))
}

/// Whether a listed surname leads `han` (Han characters, Traditional or Simplified).
fn led_by_surname(han: &str) -> bool {
    let simplified: String = han.chars().take(2).map(text::simplified_char).collect();
    surnames::leads(&simplified)
}

/// How `value` reads as a person's name, for telling name columns by their values.
pub(crate) fn name_shape(value: &str) -> NameShape {
    let value = value.trim();
    let chars: Vec<char> = value.chars().collect();
    if (2..=4).contains(&chars.len()) && chars.iter().all(|&c| text::is_han(c)) {
        return if led_by_surname(value) {
            NameShape::HanFullName
        } else {
            NameShape::None
        };
    }
    let words: Vec<String> = value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches('.').to_lowercase())
        .collect();
    let latin_word = |w: &String| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_alphabetic() && is_latin(c) || "'-".contains(c))
    };
    if words.is_empty() || words.len() > 4 || !words.iter().all(latin_word) {
        return NameShape::None;
    }
    let known = |w: &String| w.len() > 1 && !nicknames::roots(&ascii_letters(w)).is_empty();
    let count = words.len();
    if known(&words[0]) {
        NameShape::KnownGivenFirst { words: count }
    } else if words[1..].iter().any(known) {
        NameShape::KnownGivenLater { words: count }
    } else if count >= 2 && {
        let tokens: Vec<&str> = words.iter().map(String::as_str).collect();
        romanised::choose_family(&tokens).is_some()
    } {
        NameShape::RomanisedChinese
    } else {
        NameShape::OtherWords { words: count }
    }
}

/// Reads person names. Holds nothing heavy: the tables are built once, on first use.
#[derive(Debug, Clone, Default)]
pub struct NameNormalizer {
    metaphone: DoubleMetaphone,
    /// The file's Han names are Chinese ([`crate::NormalizeOptions::chinese_names`]).
    chinese_names: bool,
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

    /// This normalizer, reading Han names as Chinese ones or not: where they are, a Han
    /// value that no listed Chinese family name leads (`微信用户`, `追梦人`) is a nickname
    /// and reads as no name.
    ///
    /// ```
    /// use sameas_normalize::name::NameNormalizer;
    /// let names = NameNormalizer::new().with_chinese_names(true);
    /// assert!(names.normalize("追梦人").value.is_none());
    /// assert_eq!(names.normalize("张伟").value.unwrap().family.as_deref(), Some("张"));
    /// assert!(NameNormalizer::new().normalize("追梦人").value.is_some());
    /// ```
    pub fn with_chinese_names(mut self, chinese_names: bool) -> Self {
        self.chinese_names = chinese_names;
        self
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
    /// assert_eq!(latin.tokens.join(" "), "bob smith"); // sorted
    /// assert_eq!(latin.nickname_roots.join(" "), "robert");
    /// assert_eq!(latin.norm(), "bob smith");
    /// ```
    pub fn normalize(&self, raw: &str) -> Normalized<Name> {
        let folded = text::fold(raw);
        if folded.is_empty() {
            return Normalized::missing();
        }
        if text::has_han(&folded) {
            self.normalize_han(&folded)
        } else if is_handle(&folded) {
            Normalized::invalid(REASON_HANDLE)
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
    /// assert_eq!(name.tokens.join(" "), "berry lachlan");
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
}

/// Whether a name written without Han characters is a user name or handle
/// (`xiaoyi8738`, `jd_b1287cb5`, `tb12345678`): one word of letters run together with digits,
/// underscores or an `@`. A person's name with a stray digit (`Bob2 Smith`) has a space.
fn is_handle(folded: &str) -> bool {
    !folded.contains(|c: char| c.is_whitespace() || c == ',')
        && folded.contains(|c: char| c.is_alphabetic())
        && folded.contains(|c: char| c.is_ascii_digit() || c == '_' || c == '@')
}

fn with_issues(name: Name, issues: Vec<Issue>) -> Normalized<Name> {
    Normalized::with_issues(name, issues)
}

impl crate::field::NormalizeField for NameNormalizer {
    const KEYS: &'static [&'static str] = &["family", "given", "pinyin", "phonetic", "nickname"];

    fn compile(options: &crate::NormalizeOptions) -> Result<Self, crate::NormalizeError> {
        Ok(NameNormalizer::new().with_chinese_names(options.chinese_names))
    }

    fn normalize_field(&self, raw: &str) -> Normalized<crate::record::FieldValue> {
        self.normalize(raw)
            .map(|n| crate::record::FieldValue::Name(Box::new(n)))
    }

    /// A name from its columns: the given and middle parts as the given name, the family
    /// parts as the family name. Where none of those is filled, the whole-name column is
    /// read as a whole name (a file that writes some rows' names whole and others' split).
    fn normalize_field_parts(
        &self,
        parts: &[(sameas_core::FieldPart, String)],
    ) -> Normalized<crate::record::FieldValue> {
        use sameas_core::FieldPart;
        let join = |wanted: &[FieldPart]| {
            let joined: Vec<&str> = parts
                .iter()
                .filter(|(p, _)| wanted.contains(p))
                .map(|(_, t)| t.as_str())
                .collect();
            (!joined.is_empty()).then(|| joined.join(" "))
        };
        let given = join(&[FieldPart::Given, FieldPart::Middle]);
        let family = join(&[FieldPart::Family]);
        let name = match (given, family, join(&[FieldPart::Full])) {
            (None, None, Some(whole)) => self.normalize(&whole),
            (given, family, _) => self.normalize_parts(given.as_deref(), family.as_deref()),
        };
        name.map(|n| crate::record::FieldValue::Name(Box::new(n)))
    }
}

#[cfg(test)]
mod tests {
    use super::han::MAX_PINYIN_VARIANTS;
    use super::honorifics::{GENERATIONAL_SUFFIXES, POST_NOMINALS, honorific_gender};
    use super::*;

    fn strs(list: &[Box<str>]) -> Vec<&str> {
        list.iter().map(AsRef::as_ref).collect()
    }
    use proptest::prelude::*;

    fn n(raw: &str) -> Name {
        NameNormalizer::new()
            .normalize(raw)
            .value
            .unwrap_or_else(|| panic!("no value for {raw:?}"))
    }

    #[test]
    fn a_whole_name_among_name_parts_is_read_whole_where_the_parts_are_empty() {
        use crate::field::NormalizeField;
        use sameas_core::FieldPart;
        let names = NameNormalizer::new();
        let read = |parts: &[(FieldPart, &str)]| {
            let parts: Vec<(FieldPart, String)> =
                parts.iter().map(|(p, t)| (*p, t.to_string())).collect();
            match names.normalize_field_parts(&parts).value {
                Some(crate::record::FieldValue::Name(name)) => *name,
                other => panic!("no name: {other:?}"),
            }
        };
        let whole = read(&[(FieldPart::Full, "Hughes, Howard")]);
        assert_eq!(whole, n("Hughes, Howard"));
        assert_eq!(whole.family.as_deref(), Some("hughes"));
        // Where the parts are filled they decide, and the whole column is not added in.
        let split = read(&[
            (FieldPart::Given, "Howard"),
            (FieldPart::Family, "Hughes"),
            (FieldPart::Full, "H Hughes"),
        ]);
        assert_eq!(split.given.as_deref(), Some("howard"));
        assert_eq!(split.family.as_deref(), Some("hughes"));
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
        assert_eq!(strs(&a.tokens), ["张", "伟"]);
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
        // Familiar forms of a common surname say the family name alone.
        for (raw, family) in [("小刘", "刘"), ("老王", "王"), ("小 张", "")] {
            let familiar = n(raw);
            if family.is_empty() {
                // Written apart, 小 is read as a family name like any other, and its
                // normalized form keeps the space so that it reads back the same.
                assert!(!familiar.honorific_only, "{raw}");
                assert_eq!(familiar.norm(), raw);
                assert_eq!(n(&familiar.norm()), familiar);
            } else {
                assert_eq!(familiar.family.as_deref(), Some(family), "{raw}");
                assert_eq!(familiar.given, None, "{raw}");
                assert!(familiar.honorific_only, "{raw}");
            }
        }
        // 阿强 names a character of the given name and no family name.
        let familiar = n("阿强");
        assert_eq!(familiar.family, None);
        assert_eq!(familiar.given.as_deref(), Some("强"));
        assert!(!familiar.honorific_only);
        assert_eq!(n("阿依古丽").family.as_deref(), Some("阿"));
        // 小明 is a given name (明 is a rare surname); 小刘伟 is a full name.
        assert_eq!(n("小明").given.as_deref(), Some("明"));
        assert!(!n("小刘伟").honorific_only);
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
        assert_eq!(strs(&a.tokens), ["robert", "smith"]);
        assert_eq!(a.family.as_deref(), Some("smith"));
        assert_eq!(a.given.as_deref(), Some("robert"));
        assert_eq!(a, n("Robert Smith"));
        assert_eq!(a, n("ROBERT SMITH"));
        assert_eq!(a.norm(), "robert smith");
        assert_eq!(strs(&a.phonetic), ["RPRT", "SM0"]);
        assert_eq!(strs(&a.nickname_roots), ["robert"]);
    }

    #[test]
    fn nicknames_reach_roots() {
        assert_eq!(strs(&n("Bob").nickname_roots), ["robert"]);
        assert_eq!(n("Bob").given.as_deref(), Some("bob"));
        assert_eq!(strs(&n("Bill Gates").nickname_roots), ["william"]);
        assert_eq!(strs(&n("Kate Smith").nickname_roots), ["katherine"]);
        assert_eq!(n("Smith").family.as_deref(), Some("smith"));
        assert!(n("Smith").nickname_roots.is_empty());
    }

    #[test]
    fn spanish_hypocorisms_reach_roots_with_accents_folded() {
        assert_eq!(strs(&n("José García").nickname_roots), ["jose"]);
        assert_eq!(strs(&n("Pepe García").nickname_roots), ["jose"]);
        assert_eq!(strs(&n("Toño López").nickname_roots), ["antonio"]);
        assert_eq!(strs(&n("Lupe Ortiz").nickname_roots), ["guadalupe"]);
        assert_eq!(
            strs(&n("Beto Ruiz").nickname_roots),
            ["alberto", "humberto", "roberto"]
        );
        // Two formal names that share a hypocorism are still two roots.
        assert_eq!(strs(&n("Alberto Ruiz").nickname_roots), ["alberto"]);
        assert_eq!(strs(&n("Roberto Ruiz").nickname_roots), ["roberto"]);
    }

    #[test]
    fn particles_suffixes_and_accents() {
        let name = n("Ludwig van Beethoven");
        assert_eq!(name.family.as_deref(), Some("van beethoven"));
        let jr = n("Robert Smith Jr.");
        assert_eq!(jr.suffix.as_deref(), Some("jr"));
        assert_eq!(jr.family.as_deref(), Some("smith"));
        assert_eq!(jr.norm(), "robert smith jr");
        assert_eq!(jr.generation(), Some(2));
        let senior = n("David Dobbins Senior");
        assert_eq!(senior.family.as_deref(), Some("dobbins"));
        assert_eq!(senior.generation(), Some(1));
        assert_eq!(n("Ann Lee III").generation(), Some(3));
        // A trailing single letter is an initial, not "the first".
        assert_eq!(n("Morris Klein I").generation(), None);
        assert_eq!(n("Robert Smith").generation(), None);
        assert_eq!(n("O'Brien, Pat").family.as_deref(), Some("obrien"));
        // A suffix alone after a comma belongs to the name before it.
        let senior = n("KENNETH SIMON, SR");
        assert_eq!(senior.family.as_deref(), Some("simon"));
        assert_eq!(senior.given.as_deref(), Some("kenneth"));
        assert_eq!(senior.generation(), Some(1));
        let junior = n("Smith, Jr.");
        assert_eq!(junior.family.as_deref(), Some("smith"));
        assert_eq!(junior.given, None);
        assert_eq!(junior.generation(), Some(2));
        assert_eq!(n("Ann Lee, PhD").family.as_deref(), Some("lee"));
        assert_eq!(n("José Müller").phonetic, n("Jose Muller").phonetic);
        assert_eq!(n("Иван Петров").script, NameScript::Other);
    }

    #[test]
    fn surname_overrides_apply_to_family_only() {
        assert_eq!(n("单伟").pinyin.as_deref(), Some("shan wei"));
        assert_eq!(n("曾伟").pinyin.as_deref(), Some("zeng wei"));
        assert_eq!(n("朴敏").pinyin.as_deref(), Some("piao min"));
        assert!(n("曾伟").pinyin_variants.contains(&"ceng wei".into()));
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
    fn handles_are_no_names() {
        let names = NameNormalizer::new();
        for handle in [
            "xiaoyi8738",
            "lihaitao_15",
            "jd_b1287cb5",
            "TB12345678",
            "ann@shop",
        ] {
            let read = names.normalize(handle);
            assert!(read.value.is_none(), "{handle}");
            assert_eq!(read.issues[0].reason, REASON_HANDLE);
        }
        // A stray digit in a name of several words, and digits alone, stay as they were.
        assert_eq!(
            names
                .normalize("Bob2 Smith")
                .value
                .unwrap()
                .family
                .as_deref(),
            Some("smith")
        );
        assert_eq!(names.normalize("12345").issues[0].reason, REASON_NO_LETTERS);
    }

    #[test]
    fn a_card_name_reads_family_first() {
        let card = n("SMITH/JOHN A MR");
        assert_eq!(card.family.as_deref(), Some("smith"));
        assert_eq!(card.given.as_deref(), Some("john a"));
        assert_eq!(card.gender_hint, Some(Gender::Male));
        assert_eq!(n("TALWORTH/ROBERT").family.as_deref(), Some("talworth"));
        let again = n(&card.norm());
        assert_eq!((again.family, again.given), (card.family, card.given));
        // `n/a` is no card name.
        assert_ne!(n("n/a").family.as_deref(), Some("n"));
    }

    #[test]
    fn a_romanised_name_written_as_one_word() {
        let chinese = NameNormalizer::new().with_chinese_names(true);
        let c = |raw: &str| chinese.normalize(raw).value.unwrap();
        let joined = c("ZhangWei");
        assert_eq!(joined.family.as_deref(), Some("zhang"));
        assert_eq!(joined.given.as_deref(), Some("wei"));
        assert_eq!(joined.pinyin, c("张伟").pinyin);
        assert_eq!(c(&joined.norm()), joined);
        assert_eq!(c("lijianguo").pinyin.as_deref(), Some("li jian guo"));
        // Known given names and words that are no pinyin stay single words.
        assert_eq!(c("Mary").given.as_deref(), Some("mary"));
        assert_eq!(c("Smith").family.as_deref(), Some("smith"));
        // After an honorific the word is the family name, as before.
        assert_eq!(c("Mr Zhang").family.as_deref(), Some("zhang"));
        // In other files one word stays one word: `Linda` is no Lin Da.
        assert_eq!(n("zhangwei").family.as_deref(), Some("zhangwei"));
        assert_eq!(n("Linda").family.as_deref(), Some("linda"));
    }

    #[test]
    fn chinese_names_need_a_chinese_family_name() {
        let chinese = NameNormalizer::new().with_chinese_names(true);
        for nickname in ["微信用户", "追梦人", "快乐每一天", "平安是福"] {
            let read = chinese.normalize(nickname);
            assert!(read.value.is_none(), "{nickname}");
            assert_eq!(read.issues[0].reason, REASON_NO_FAMILY_NAME);
        }
        for name in [
            "张伟",
            "欧阳娜娜",
            "張偉",
            "王先生",
            "小王",
            "阿强",
            "约翰·史密斯",
        ] {
            assert!(chinese.normalize(name).value.is_some(), "{name}");
        }
        // Without the option (a file of Japanese names) every Han name is read.
        assert_eq!(n("佐藤").family.as_deref(), Some("佐"));
        assert_eq!(han_led_by_surname("微信用户"), Some(false));
        assert_eq!(han_led_by_surname("張偉"), Some(true));
        assert_eq!(han_led_by_surname("司马光"), Some(true));
        assert_eq!(han_led_by_surname("张"), None);
        assert_eq!(han_led_by_surname("Zhang"), None);
    }

    #[test]
    fn junk_is_flagged_or_invalid() {
        let names = NameNormalizer::new();
        let r = names.normalize("Bob2 Smith😀");
        assert_eq!(
            r.value.as_ref().map(|v| strs(&v.tokens)),
            Some(vec!["bob", "smith"])
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
        assert_eq!(strs(&name.tokens), ["berry", "lachlan"]);
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
        check_idempotent_with(&NameNormalizer::new(), raw)?;
        check_idempotent_with(&NameNormalizer::new().with_chinese_names(true), raw)
    }

    fn check_idempotent_with(names: &NameNormalizer, raw: &str) -> Result<(), TestCaseError> {
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
        fn idempotent_one_word(raw in "[a-z]{3,14}") {
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
