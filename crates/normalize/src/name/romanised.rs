//! Romanised Chinese names ("Zhang Wei", "Wei Zhang", "Ouyang Nana"): pinyin syllable
//! segmentation and the choice of which token is the family name.
//!
//! Rule: every token must split into pinyin syllables, and the first or the last token must
//! be a surname's pinyin. A compound surname (ouyang, sima) beats a single one; between two
//! single surnames the more common one (lower rank in [`super::surnames::SINGLE_SURNAMES`])
//! wins, and on a tie the first token wins (Chinese order). So "Wei Zhang" and "Zhang Wei"
//! both read as family zhang, given wei.

use std::sync::LazyLock;

use foldhash::{HashMap, HashMapExt};
use pinyin::{ToPinyin, ToPinyinMulti};

use super::surnames;

/// Longest pinyin syllable in letters (zhuang, shuang, chuang).
const MAX_SYLLABLE: usize = 6;
/// Most syllables read from one token.
const MAX_SYLLABLES_PER_TOKEN: usize = 4;

/// Appends a plain pinyin reading, writing ü as v so keys stay ASCII.
pub(super) fn push_reading(out: &mut String, reading: &str) {
    if reading.is_ascii() {
        out.push_str(reading);
    } else {
        out.extend(reading.chars().map(|c| if c == 'ü' { 'v' } else { c }));
    }
}

/// Every pinyin syllable as spelled in a romanised name, mapped to its key spelling
/// (ü written v; the passport spellings lyu / nyu and keyboard lue / nue accepted).
static SYLLABLES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut map = HashMap::with_capacity(512);
    for code in 0x4E00u32..=0x9FFF {
        let Some(multi) = char::from_u32(code).and_then(|c| c.to_pinyin_multi()) else {
            continue;
        };
        for reading in multi {
            let mut key = String::new();
            push_reading(&mut key, reading.plain());
            // Interjections like hm, ng and r are no use in names and would let almost any
            // consonant cluster segment.
            if key.is_empty() || !key.bytes().any(|b| b"aeiouv".contains(&b)) || key == "ê" {
                continue;
            }
            map.entry(key.clone()).or_insert(key);
        }
    }
    for (spelling, key) in [("lyu", "lv"), ("nyu", "nv"), ("lue", "lve"), ("nue", "nve")] {
        map.entry(spelling.to_string())
            .or_insert_with(|| key.to_string());
    }
    map
});

/// Surname pinyin (joined, as a romanised token is written) to its rank and syllables.
/// Compound surnames rank after every single one but are preferred by [`choose_family`].
struct SurnamePinyin {
    single: HashMap<String, u16>,
    compound: HashMap<String, (u16, String)>,
}

static SURNAME_PINYIN: LazyLock<SurnamePinyin> = LazyLock::new(|| {
    let mut single = HashMap::with_capacity(512);
    for (rank, c) in surnames::SINGLE_SURNAMES
        .chars()
        .filter(|c| !c.is_whitespace())
        .enumerate()
    {
        let rank = u16::try_from(rank).unwrap_or(u16::MAX);
        let mut buf = [0u8; 4];
        let key = match surnames::OVERRIDES.get(&*c.encode_utf8(&mut buf)) {
            Some(reading) => (*reading).to_string(),
            None => match c.to_pinyin() {
                Some(p) => {
                    let mut s = String::new();
                    push_reading(&mut s, p.plain());
                    s
                }
                None => continue,
            },
        };
        single.entry(key).or_insert(rank);
    }
    let mut compound = HashMap::with_capacity(128);
    for (rank, name) in surnames::COMPOUND_SURNAMES.iter().enumerate() {
        let rank = u16::try_from(rank).unwrap_or(u16::MAX);
        let spaced = match surnames::OVERRIDES.get(name) {
            Some(reading) => (*reading).to_string(),
            None => {
                let mut s = String::new();
                for p in name.to_pinyin() {
                    let Some(p) = p else { continue };
                    if !s.is_empty() {
                        s.push(' ');
                    }
                    push_reading(&mut s, p.plain());
                }
                s
            }
        };
        let joined: String = spaced.chars().filter(|c| *c != ' ').collect();
        compound.entry(joined).or_insert((rank, spaced));
    }
    SurnamePinyin { single, compound }
});

/// Splits `word` (lower-case ASCII letters, ü allowed) into pinyin syllables, appending their
/// keys to `out` space-separated; returns how many. Longest syllable first with backtracking; a syllable after
/// the first may not start with a, o or e, as pinyin spelling puts an apostrophe there
/// (xian is one syllable, nana is na na).
fn segment_into(word: &str, out: &mut String) -> Option<usize> {
    let mut spelled = String::new();
    let word = if word.is_ascii() {
        word
    } else {
        spelled.extend(word.chars().map(|c| if c == 'ü' { 'v' } else { c }));
        if !spelled.is_ascii() {
            return None;
        }
        spelled.as_str()
    };
    let mut cuts = [0usize; MAX_SYLLABLES_PER_TOKEN];
    if word.is_empty() || !split(word.as_bytes(), 0, 0, &mut cuts) {
        return None;
    }
    let mut start = 0;
    let mut count = 0;
    for &end in &cuts {
        if start == word.len() {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(SYLLABLES.get(&word[start..end])?);
        start = end;
        count += 1;
    }
    Some(count)
}

fn split(
    word: &[u8],
    start: usize,
    depth: usize,
    cuts: &mut [usize; MAX_SYLLABLES_PER_TOKEN],
) -> bool {
    if start == word.len() {
        return true;
    }
    if depth == MAX_SYLLABLES_PER_TOKEN || (depth > 0 && matches!(word[start], b'a' | b'o' | b'e'))
    {
        return false;
    }
    let longest = MAX_SYLLABLE.min(word.len() - start);
    for len in (1..=longest).rev() {
        let end = start + len;
        // `word` is ASCII, so every index is a char boundary.
        let piece = std::str::from_utf8(&word[start..end]).unwrap_or("");
        if SYLLABLES.contains_key(piece) && split(word, end, depth + 1, cuts) {
            cuts[depth] = end;
            return true;
        }
    }
    false
}

/// Appends the syllables of a token (hyphens split it: xiao-wei) to `out`, counting them.
fn token_syllables(token: &str, out: &mut String) -> Option<usize> {
    let mut count = 0;
    for part in token.split('-').filter(|p| !p.is_empty()) {
        count += segment_into(part, out)?;
    }
    (count > 0).then_some(count)
}

/// How strongly a token reads as a surname: lower is stronger. Compound surnames first.
fn surname_strength(token: &str) -> Option<(u8, u16)> {
    let table = &*SURNAME_PINYIN;
    if let Some((rank, _)) = table.compound.get(token) {
        return Some((0, *rank));
    }
    let key = match token {
        "lyu" => "lv",
        "nyu" => "nv",
        other => other,
    };
    table.single.get(key).map(|rank| (1, *rank))
}

/// The pinyin key of a romanised name with the given family token and given tokens, or
/// `None` when it does not read as one (family not a surname pinyin, given not pinyin, or
/// a given name of more than three syllables).
pub(super) fn pinyin_key(family: &str, given: &[&str]) -> Option<String> {
    if given.is_empty() || given.len() > 3 {
        return None;
    }
    let mut out = surname_key(family)?;
    let mut given_syllables = 0;
    for token in given {
        given_syllables += token_syllables(token, &mut out)?;
    }
    (given_syllables <= 3).then_some(out)
}

/// The pinyin key of a token read as a surname alone (`zhang`, `ouyang` → `ou yang`).
pub(super) fn surname_key(token: &str) -> Option<String> {
    surname_strength(token)?;
    let mut out = String::with_capacity(token.len() + 2);
    match SURNAME_PINYIN.compound.get(token) {
        Some((_, spaced)) => out.push_str(spaced),
        None => {
            if token_syllables(token, &mut out)? != 1 {
                return None;
            }
        }
    }
    Some(out)
}

/// A romanised Chinese name written as one word (`zhangwei`, `lijianguo`, `weizhang`): the
/// family part, the given part and the pinyin key, or `None` when the word does not split
/// into a surname's pinyin and a pinyin given name of one to three syllables. The surname
/// may lead or close the word; the stronger surname wins as in [`choose_family`] (`zhangwei`
/// and `weizhang` both read as family zhang), and on a tie the leading one. The second part
/// may not start with a, o or e, where pinyin writes an apostrophe (`li'an`).
pub(super) fn split_joined(word: &str) -> Option<(&str, &str, String)> {
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut best: Option<((u8, u16), &str, &str, String)> = None;
    let longest = MAX_SYLLABLE * 2;
    for cut in 2..word.len().min(longest + 1) {
        // Surname first, then surname last: the first found wins a tie.
        for (family, given, at) in [
            (&word[..cut], &word[cut..], cut),
            (
                &word[word.len() - cut..],
                &word[..word.len() - cut],
                word.len() - cut,
            ),
        ] {
            // Pinyin writes `li'an`: no syllable after the first starts with a vowel.
            if given.is_empty() || matches!(word.as_bytes()[at], b'a' | b'o' | b'e') {
                continue;
            }
            let Some(strength) = surname_strength(family) else {
                continue;
            };
            if best.as_ref().is_some_and(|(s, ..)| *s <= strength) {
                continue;
            }
            if let Some(key) = pinyin_key(family, &[given]) {
                best = Some((strength, family, given, key));
            }
        }
    }
    best.map(|(_, family, given, key)| (family, given, key))
}

/// Which end of `tokens` is the family name of a romanised Chinese name, with the pinyin
/// key; `None` when the tokens do not read as one. See the module docs for the rule.
pub(super) fn choose_family(tokens: &[&str]) -> Option<(usize, String)> {
    if !(2..=4).contains(&tokens.len()) {
        return None;
    }
    let last = tokens.len() - 1;
    let mut ends = [
        (0usize, surname_strength(tokens[0])),
        (last, surname_strength(tokens[last])),
    ];
    // Stable sort keeps the first token ahead on a tie.
    ends.sort_by_key(|(_, s)| s.unwrap_or((u8::MAX, u16::MAX)));
    for (idx, strength) in ends {
        if strength.is_none() {
            continue;
        }
        let given: Vec<&str> = tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != idx)
            .map(|(_, t)| *t)
            .collect();
        if let Some(key) = pinyin_key(tokens[idx], &given) {
            return Some((idx, key));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(word: &str) -> Option<String> {
        let mut out = String::new();
        segment_into(word, &mut out).map(|_| out)
    }

    #[test]
    fn segmentation_follows_pinyin_spelling() {
        assert_eq!(seg("xiaowei").as_deref(), Some("xiao wei"));
        assert_eq!(seg("xian").as_deref(), Some("xian"));
        assert_eq!(seg("nana").as_deref(), Some("na na"));
        assert_eq!(seg("lyu").as_deref(), Some("lv"));
        assert_eq!(seg("smith"), None);
        assert_eq!(seg("m"), None);
    }

    #[test]
    fn more_common_surname_is_family() {
        assert_eq!(
            choose_family(&["wei", "zhang"]),
            Some((1, "zhang wei".into()))
        );
        assert_eq!(
            choose_family(&["zhang", "wei"]),
            Some((0, "zhang wei".into()))
        );
        assert_eq!(
            choose_family(&["nana", "ouyang"]),
            Some((1, "ou yang na na".into()))
        );
        assert_eq!(choose_family(&["robert", "smith"]), None);
    }

    #[test]
    fn a_name_written_as_one_word_splits_at_its_surname() {
        let split = |w| split_joined(w).map(|(f, g, key)| (f.to_string(), g.to_string(), key));
        let zhang = Some((
            "zhang".to_string(),
            "wei".to_string(),
            "zhang wei".to_string(),
        ));
        assert_eq!(split("zhangwei"), zhang);
        assert_eq!(split("weizhang"), zhang);
        assert_eq!(
            split("lijianguo").map(|(_, _, key)| key).as_deref(),
            Some("li jian guo")
        );
        assert_eq!(
            split("ouyangnana").map(|(f, ..)| f).as_deref(),
            Some("ouyang")
        );
        // Not pinyin, one syllable, a given part that pinyin would write with an
        // apostrophe, or not lower-case letters.
        assert_eq!(split("smith"), None);
        assert_eq!(split("zhang"), None);
        assert_eq!(split("lian"), None);
        assert_eq!(split("li-na"), None);
    }
}
