//! Honorifics (先生, 女士, Mr, Dr), generational suffixes (Jr, Sr) and degrees: taken off a
//! name, with the gender an honorific implies.

use super::surnames;
use crate::gender::Gender;

/// Han honorific suffixes and the gender they imply. Removed from the end of a name.
pub(super) const HAN_HONORIFICS: &[(&str, Option<Gender>)] = &[
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
pub(super) const HAN_SHORT_HONORIFICS: &[(&str, Option<Gender>)] = &[("总", None)];

/// Familiar prefixes of a bare surname (小王, 老李): how colleagues, shop assistants and
/// delivery notes address a person whose given name they do not use.
pub(super) const HAN_FAMILIAR_PREFIXES: &[&str] = &["小", "老"];

/// Surnames within this many of the most common are read after a familiar prefix: with a
/// rare one the two characters are more likely a given name (小明, where 明 is also a
/// surname).
const FAMILIAR_SURNAME_RANK: u16 = 100;

/// Latin honorific prefixes and the gender they imply.
pub(super) const LATIN_HONORIFICS: &[(&str, Option<Gender>)] = &[
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
/// A lone `i` is left alone: it reads as an initial far more often than as "the first".
pub(super) const GENERATIONAL_SUFFIXES: &[(&str, &str)] = &[
    ("jr", "jr"),
    ("jnr", "jr"),
    ("junior", "jr"),
    ("sr", "sr"),
    ("snr", "sr"),
    ("senior", "sr"),
    ("ii", "ii"),
    ("iii", "iii"),
    ("iv", "iv"),
];

/// The generation a canonical suffix names: a Sr is the first, a Jr and a II the second
/// (a son named for his father is written either way), a III the third. Two names whose
/// suffixes name different generations are two people.
pub(super) fn suffix_generation(canonical: &str) -> Option<u8> {
    match canonical {
        "sr" => Some(1),
        "jr" | "ii" => Some(2),
        "iii" => Some(3),
        "iv" => Some(4),
        _ => None,
    }
}

/// Degrees and post-nominals, dropped.
pub(super) const POST_NOMINALS: &[&str] = &["phd", "md", "esq", "dds", "jd", "mba", "cpa"];

/// The familiar prefix of a given name's character (阿强 for 志强, 阿珍 for 秀珍).
pub(super) const HAN_FAMILIAR_GIVEN_PREFIX: &str = "阿";

/// The character after 阿 when `chars` is 阿 and one more Han character, nothing else: a
/// familiar form that names one character of the given name and no family name.
pub(super) fn han_familiar_given(chars: &str) -> Option<&str> {
    let rest = chars.strip_prefix(HAN_FAMILIAR_GIVEN_PREFIX)?;
    let mut it = rest.chars();
    match (it.next(), it.next()) {
        (Some(c), None) if crate::text::is_han(c) => Some(rest),
        _ => None,
    }
}

/// The byte length of a familiar prefix when `chars` is that prefix and a common surname,
/// nothing else (小刘, 老王): then the name says only the family name.
pub(super) fn han_familiar_prefix(chars: &str) -> Option<usize> {
    HAN_FAMILIAR_PREFIXES.iter().find_map(|prefix| {
        let mut rest = chars.strip_prefix(prefix)?.chars();
        match (rest.next(), rest.next()) {
            (Some(c), None) if surnames::is_among_most_common(c, FAMILIAR_SURNAME_RANK) => {
                Some(prefix.len())
            }
            _ => None,
        }
    })
}

/// The byte length and gender of an honorific suffix of a Han name.
pub(super) fn han_honorific(chars: &str) -> Option<(usize, Option<Gender>)> {
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

pub(super) fn honorific_gender(token: &str) -> Option<Option<Gender>> {
    LATIN_HONORIFICS
        .iter()
        .find(|(h, _)| *h == token)
        .map(|(_, g)| *g)
}

/// Removes leading honorifics; returns the gender of the first one (`Some(None)` for an
/// ungendered one such as Dr).
pub(super) fn strip_honorifics(tokens: &mut Vec<&str>) -> Option<Option<Gender>> {
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

/// Removes trailing generational suffixes and degrees; returns the generational suffix. A
/// lone token is kept (it is the name, not a suffix of one).
pub(super) fn strip_suffixes(tokens: &mut Vec<&str>) -> Option<&'static str> {
    strip_suffixes_keeping(tokens, 1)
}

/// [`strip_suffixes`] down to `keep` tokens: 0 where the tokens are the part of a name after
/// its comma (`Kenneth Simon, Sr`), whose other part holds the name.
pub(super) fn strip_suffixes_keeping(tokens: &mut Vec<&str>, keep: usize) -> Option<&'static str> {
    let mut found = None;
    while tokens.len() > keep {
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
