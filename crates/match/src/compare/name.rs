//! Names: family and given parts compared separately, Han by character and by pinyin,
//! Latin by Jaro–Winkler bands, nickname roots and initials.

use std::borrow::Cow;
use std::sync::Arc;

use sameas_normalize::gender::Gender;
use sameas_normalize::name::{Name, NameScript};
use sameas_normalize::record::FieldValue;

use super::{CompileRecords, Level, count_terms, interned_keys};
use crate::dataset::Records;
use crate::intern::{Interner, Lists, NONE};
use crate::similarity::jaro_winkler_at_least;
use sameas_normalize::name::{ascii_letters, double_family_parts};

/// Which part of a name a comparator looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NamePart {
    Family,
    Given,
}

/// Family-name levels.
pub(crate) const FAMILY_LEVELS: &[&str] = &[
    "null",
    "exact",
    "same_pinyin",
    "swapped",
    "close",
    "similar",
    "different",
];

/// Given-name levels.
pub(crate) const GIVEN_LEVELS: &[&str] = &[
    "null",
    "exact",
    "same_pinyin",
    "swapped",
    "nickname",
    "close",
    "similar",
    "initial",
    "family_only",
    "different",
];

/// The family name and the given name of the first name in `fields` of a record, accents
/// and spacing folded in Latin script (`Velázquez` and `velazquez` give one key): keys
/// that tell whether two records hold the same family name, or the same given name.
pub fn record_name_keys<'r>(
    record: &'r sameas_normalize::record::NormalizedRecord,
    fields: &[usize],
) -> [Option<Cow<'r, str>>; 2] {
    let Some(name) = fields
        .iter()
        .find_map(|&field| match &record.field(field).value {
            Some(FieldValue::Name(name)) => Some(name),
            _ => None,
        })
    else {
        return [None, None];
    };
    let key = |part: &'r Option<Box<str>>| {
        let part = part.as_deref()?;
        let key = if name.script == NameScript::Latin {
            ascii_letters(part)
        } else {
            Cow::Borrowed(part)
        };
        (!key.is_empty()).then_some(key)
    };
    [key(&name.family), key(&name.given)]
}

/// The pinyin of a name's family and given parts, without spaces (`zhang`, `weiming`).
/// `None` for a part the name has no pinyin for.
pub(crate) fn pinyin_parts(name: &Name) -> (Option<String>, Option<String>) {
    split_pinyin(name, str::to_string)
}

/// The family and given pinyin with the sounds that southern accents and pinyin input
/// confuse merged (模糊音): zh / z, ch / c, sh / s, n / l, ang / an, eng / en, ing / in.
/// Two names that agree here sound alike (张 / 臧, 林 / 凌).
pub(crate) fn fuzzy_pinyin_parts(name: &Name) -> (Option<String>, Option<String>) {
    split_pinyin(name, fuzzy_syllable)
}

fn fuzzy_syllable(syllable: &str) -> String {
    let mut s = syllable;
    let mut out = String::with_capacity(s.len());
    for (from, to) in [("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l")] {
        if let Some(rest) = s.strip_prefix(from) {
            out.push_str(to);
            s = rest;
            break;
        }
    }
    match s.strip_suffix("ng") {
        Some(stem) if stem.ends_with(['a', 'e', 'i']) => {
            out.push_str(stem);
            out.push('n');
        }
        _ => out.push_str(s),
    }
    out
}

fn split_pinyin(
    name: &Name,
    syllable: impl Fn(&str) -> String,
) -> (Option<String>, Option<String>) {
    let Some(pinyin) = name.pinyin.as_deref() else {
        return (None, None);
    };
    let syllables: Vec<&str> = pinyin.split(' ').filter(|s| !s.is_empty()).collect();
    let family_syllables = match (name.script, name.family.as_deref()) {
        (NameScript::Han, Some(family)) => family.chars().count(),
        (NameScript::Han, None) => 0,
        (_, Some(family)) => {
            let target: String = family.chars().filter(|c| !c.is_whitespace()).collect();
            let mut joined = String::new();
            let mut count = None;
            for (i, s) in syllables.iter().enumerate() {
                joined.push_str(s);
                if joined == target {
                    count = Some(i + 1);
                    break;
                }
                if joined.len() >= target.len() {
                    break;
                }
            }
            match count {
                Some(n) => n,
                None => return (None, None),
            }
        }
        (_, None) => 0,
    };
    let family_syllables = family_syllables.min(syllables.len());
    let family: String = syllables[..family_syllables]
        .iter()
        .map(|s| syllable(s))
        .collect();
    let given: String = syllables[family_syllables..]
        .iter()
        .map(|s| syllable(s))
        .collect();
    (
        (!family.is_empty()).then_some(family),
        (!given.is_empty()).then_some(given),
    )
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct NameValue {
    han: bool,
    /// Written in another script (Cyrillic, Arabic, Khmer …): compared with a Latin name
    /// through its Latin reading only.
    other_script: bool,
    family: u32,
    given: u32,
    family_pinyin: u32,
    given_pinyin: u32,
    /// A second reading of each part: a Han name's fuzzy pinyin (张 / 臧 alike), another
    /// script's Latin letters (`васильев` → `vasilev`).
    family_reading: u32,
    given_reading: u32,
    nicknames: (u32, u32),
    gender: Option<Gender>,
    honorific_only: bool,
    /// The generation a suffix names (Sr 1, Jr 2 …); 0 without one.
    generation: u8,
}

/// Prepared names of one set of fields, shared by the family and given comparators so a
/// record's name is loaded once per pair.
#[derive(Debug)]
pub(crate) struct NameColumn {
    /// Which column this is, for [`SimilarityCache`]: unique in the process. Terms are only
    /// ever added, so a term id keeps its text, and a remembered score stays true.
    id: u64,
    strings: Interner,
    values: Lists<NameValue>,
    nicknames: Vec<u32>,
}

impl Default for NameColumn {
    fn default() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        NameColumn {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            strings: Interner::default(),
            values: Lists::default(),
            nicknames: Vec::new(),
        }
    }
}

/// Jaro–Winkler scores of term pairs lately computed on this thread, by (column, pair):
/// the same few thousand names meet again and again (`thomas` and `tomas` in every block
/// that holds both), and a record with several names compares each of them with each of
/// the other's, for the family and the given comparison alike. Direct-mapped: a pair
/// lands in one slot and replaces what was there. A score is the same whether it was
/// remembered or computed, so results never depend on what a thread saw before.
struct SimilarityCache {
    slots: Vec<SimilarityEntry>,
}

#[derive(Clone, Copy)]
struct SimilarityEntry {
    /// The column's id (0: an empty slot; ids start at 1).
    column: u64,
    /// The two term ids, the smaller first.
    pair: u64,
    score: f64,
}

/// Slots per thread: 96 KiB, within a core's L2.
const SIMILARITY_SLOTS: usize = 1 << 12;

thread_local! {
    static SIMILARITY: std::cell::RefCell<SimilarityCache> = std::cell::RefCell::new(
        SimilarityCache {
            slots: vec![SimilarityEntry { column: 0, pair: 0, score: 0.0 }; SIMILARITY_SLOTS],
        },
    );
}

/// Compares the family or the given part of names.
#[derive(Debug)]
pub(crate) struct NameComparator {
    part: NamePart,
    close: f64,
    similar: f64,
    column: Arc<NameColumn>,
    /// A gender comparison of the same model reads the gender an honorific implies: an
    /// honorific (张先生) against a full name of the other gender is then that comparison's
    /// evidence, not also this one's.
    gender_compared: bool,
}

impl std::ops::Deref for NameComparator {
    type Target = NameColumn;

    fn deref(&self) -> &NameColumn {
        &self.column
    }
}

/// The gender a record states outside its name: a gender field, or a national id.
fn record_gender(record: &sameas_normalize::record::NormalizedRecord) -> Option<Gender> {
    record.fields().find_map(|f| match &f.value {
        Some(FieldValue::Gender(g)) => Some(*g),
        Some(FieldValue::NationalId(id)) => Some(id.gender),
        _ => None,
    })
}

impl NameColumn {
    pub(crate) fn build(data: Records<'_>, fields: &[usize]) -> Self {
        NameColumn::default().compile(data, fields)
    }

    /// The interned text of `id`.
    pub(crate) fn term(&self, id: u32) -> &str {
        self.strings.get(id)
    }

    /// Jaro–Winkler of terms `p` and `q`, remembered per thread (see
    /// [`SimilarityCache`]). Computed with the smaller id's text first, so the score is
    /// the same bit for bit whichever way round it is asked.
    fn similarity(&self, p: u32, q: u32) -> f64 {
        let (p, q) = (p.min(q), p.max(q));
        let pair = (u64::from(p) << 32) | u64::from(q);
        let slot = ((pair ^ self.id.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            >> (64 - SIMILARITY_SLOTS.trailing_zeros())) as usize;
        SIMILARITY.with(|cache| {
            let mut cache = cache.borrow_mut();
            let entry = &mut cache.slots[slot];
            if entry.column == self.id && entry.pair == pair {
                return entry.score;
            }
            let score =
                jaro_winkler_at_least(self.strings.get(p), self.strings.get(q), 0.0).unwrap_or(0.0);
            *entry = SimilarityEntry {
                column: self.id,
                pair,
                score,
            };
            score
        })
    }

    /// The (family, given) terms of record `row`'s names that hold both.
    pub(crate) fn full_names_of(&self, row: usize) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.values
            .row(row)
            .iter()
            .filter(|v| v.family != NONE && v.given != NONE)
            .map(|v| (v.family, v.given))
    }
}

impl CompileRecords for NameColumn {
    type Value = NameValue;

    fn values(&mut self) -> &mut Lists<NameValue> {
        &mut self.values
    }

    fn push(&mut self, record: &sameas_normalize::record::NormalizedRecord, fields: &[usize]) {
        let NameColumn {
            strings,
            values,
            nicknames,
            ..
        } = self;
        let stated_gender = record_gender(record);
        for &field in fields {
            let Some(FieldValue::Name(name)) = &record.field(field).value else {
                continue;
            };
            let (family_pinyin, given_pinyin) = pinyin_parts(name);
            let (family_reading, given_reading) = name
                .latin_reading()
                .unwrap_or_else(|| fuzzy_pinyin_parts(name));
            let start = nicknames.len() as u32;
            for root in &name.nickname_roots {
                let id = strings.intern(root);
                nicknames.push(id);
            }
            values.push_value(NameValue {
                han: name.script == NameScript::Han,
                other_script: name.script == NameScript::Other,
                family: strings.intern(name.family.as_deref().unwrap_or("")),
                given: strings.intern(name.given.as_deref().unwrap_or("")),
                family_pinyin: strings.intern(family_pinyin.as_deref().unwrap_or("")),
                given_pinyin: strings.intern(given_pinyin.as_deref().unwrap_or("")),
                family_reading: strings.intern(family_reading.as_deref().unwrap_or("")),
                given_reading: strings.intern(given_reading.as_deref().unwrap_or("")),
                nicknames: (start, nicknames.len() as u32 - start),
                gender: stated_gender.or(name.gender_hint),
                honorific_only: name.honorific_only,
                generation: name.generation().unwrap_or(0),
            });
        }
        values.end_row();
    }
}

impl NameComparator {
    pub(crate) fn new(column: Arc<NameColumn>, part: NamePart, close: f64, similar: f64) -> Self {
        NameComparator {
            part,
            close,
            similar,
            column,
            gender_compared: false,
        }
    }

    /// Tells the comparator that the model compares genders too (see `gender_compared`).
    pub(crate) fn with_gender_compared(mut self, gender_compared: bool) -> Self {
        self.gender_compared = gender_compared;
        self
    }

    /// The column this comparator reads (shared with the other part's comparator).
    pub(crate) fn column_mut(&mut self) -> &mut Arc<NameColumn> {
        &mut self.column
    }

    /// Of two records' names (several name fields, or several names), the two that agree
    /// best as whole names: family and given levels are both read from that one pair, so a
    /// family name agreeing in one pair of fields and a given name in another (`smith` as a
    /// full name on one side and as a first name on the other) never add up to a full name.
    fn best_pair<'v>(
        &self,
        a: &'v [NameValue],
        b: &'v [NameValue],
    ) -> (&'v NameValue, &'v NameValue) {
        // Strength of a level: 0 for null, then higher for stronger levels.
        let strength = |level: Level, levels: usize| {
            if level.index == 0 {
                0
            } else {
                levels - level.index as usize
            }
        };
        let mut best = (&a[0], &b[0]);
        let mut best_score = None;
        for x in a {
            for y in b {
                let score = strength(self.family_level(x, y), FAMILY_LEVELS.len())
                    + strength(self.given_level(x, y), GIVEN_LEVELS.len());
                if best_score.is_none_or(|s| score > s) {
                    best = (x, y);
                    best_score = Some(score);
                }
            }
        }
        best
    }

    /// Per (family term, given term) held together in one name, the records holding that
    /// full name (once per record).
    pub(crate) fn full_name_counts(&self) -> foldhash::HashMap<(u32, u32), u32> {
        let mut counts: foldhash::HashMap<(u32, u32), u32> = foldhash::HashMap::default();
        let mut seen: Vec<(u32, u32)> = Vec::new();
        for row in 0..self.values.rows() {
            seen.clear();
            seen.extend(
                self.values
                    .row(row)
                    .iter()
                    .filter(|v| v.family != NONE && v.given != NONE)
                    .map(|v| (v.family, v.given)),
            );
            seen.sort_unstable();
            seen.dedup();
            for &key in &seen {
                *counts.entry(key).or_insert(0) += 1;
            }
        }
        counts
    }

    /// A full name's text as a term key: family and given joined by a separator no name
    /// holds.
    pub(crate) fn full_name_key(&self, family: u32, given: u32) -> String {
        format!(
            "{}\u{1f}{}",
            self.strings.get(family),
            self.strings.get(given)
        )
    }

    /// Whether the family of one is (close to) the given name of the other and, where both
    /// are present, the other way round too: a name written in the other order. A Latin
    /// name written whole in the other order may also carry a misspelling or a short form
    /// of its given name (`jones bryan` for Brian Jones, `dean sue` for Susan Dean): where
    /// both names have both parts and one cross agrees outright, the other may be similar,
    /// share a nickname root or be its initial (`A Morstead`, `Morstead Amy`).
    fn swapped(&self, x: &NameValue, y: &NameValue) -> bool {
        let latin = !x.han && !y.han;
        let alike = |p: u32, q: u32| p == q || (latin && self.similarity(p, q) >= self.close);
        if crossed(x.family, y.given, x.given, y.family, alike)
            || crossed(
                x.family_pinyin,
                y.given_pinyin,
                x.given_pinyin,
                y.family_pinyin,
                |p, q| p == q,
            )
        {
            return true;
        }
        if !latin || [x.family, x.given, y.family, y.given].contains(&NONE) {
            return false;
        }
        // `read_as_given` is a family part that the other name holds as its given name.
        let loosely = |read_as_given: u32, holder: &NameValue| {
            self.similarity(read_as_given, holder.given) >= self.similar
                || self.token_shares_nickname(read_as_given, holder)
                || is_initial_of(
                    self.strings.get(holder.given),
                    self.strings.get(read_as_given),
                )
        };
        // A name whose own parts read alike (`willy william`) says nothing of its order.
        let self_alike = |v: &NameValue| {
            self.similarity(v.family, v.given) >= self.similar
                || self.token_shares_nickname(v.family, v)
        };
        ((x.given == y.family && loosely(x.family, y))
            || (x.family == y.given && loosely(y.family, x)))
            && !self_alike(x)
            && !self_alike(y)
    }

    /// Whether a name part, read as a given name, shares a nickname root with `holder`'s
    /// given name.
    fn token_shares_nickname(&self, token: u32, holder: &NameValue) -> bool {
        let held = &self.nicknames
            [holder.nicknames.0 as usize..(holder.nicknames.0 + holder.nicknames.1) as usize];
        if held.is_empty() {
            return false;
        }
        sameas_normalize::name::nickname_roots(&ascii_letters(self.strings.get(token)))
            .iter()
            .any(|root| held.iter().any(|&r| self.strings.get(r) == *root))
    }

    fn family_level(&self, x: &NameValue, y: &NameValue) -> Level {
        if x.family == NONE || y.family == NONE {
            return Level::NULL;
        }
        if x.family == y.family {
            return Level::exact(x.family);
        }
        if x.family_pinyin != NONE && x.family_pinyin == y.family_pinyin {
            return Level::at(2);
        }
        if self.swapped(x, y) {
            return Level::at(3);
        }
        if let Some(score) = self.latin_similarity(x.family, y.family, x, y) {
            if score >= self.close {
                return Level::at(4);
            }
            if score >= self.similar {
                return Level::at(5);
            }
        } else if same(x.family_reading, y.family_reading) {
            return Level::at(5);
        }
        if !x.han
            && !y.han
            && share_a_family_part(
                [self.strings.get(x.family), self.strings.get(x.given)],
                [self.strings.get(y.family), self.strings.get(y.given)],
            )
        {
            return Level::at(5);
        }
        Level::at(6)
    }

    fn given_level(&self, x: &NameValue, y: &NameValue) -> Level {
        if x.given == NONE || y.given == NONE {
            let (bare, full) = if x.given == NONE { (x, y) } else { (y, x) };
            if bare.honorific_only && full.given != NONE {
                // A gender conflict is counted once: by the gender comparison when there is one.
                let conflict = !self.gender_compared
                    && matches!((bare.gender, full.gender), (Some(p), Some(q)) if p != q);
                return Level::at(if conflict { 9 } else { 8 });
            }
            if full.given != NONE
                && bare.family != NONE
                && full.family == NONE
                && self.swapped(x, y)
            {
                return Level::at(3);
            }
            return Level::NULL;
        }
        if x.generation != 0 && y.generation != 0 && x.generation != y.generation {
            // A Jr and a Sr of one name: father and son.
            return Level::at(9);
        }
        if x.given == y.given {
            return Level::exact(x.given);
        }
        if x.given_pinyin != NONE && x.given_pinyin == y.given_pinyin {
            return Level::at(2);
        }
        if self.swapped(x, y) {
            // Written in the other order with an initial for the given name (`A Morstead`,
            // `Morstead Amy`): the given names agree only as far as an initial does.
            let initial = |v: &NameValue| self.strings.get(v.given).chars().nth(1).is_none();
            return Level::at(if initial(x) || initial(y) { 7 } else { 3 });
        }
        if self.share_nickname(x, y) {
            return Level::at(4);
        }
        if x.han && y.han {
            let (p, q) = (self.strings.get(x.given), self.strings.get(y.given));
            if one_dropped(p, q) {
                return Level::at(5);
            }
            if same(x.given_reading, y.given_reading) {
                return Level::at(6);
            }
            return Level::at(9);
        }
        if let Some(score) = self.latin_similarity(x.given, y.given, x, y) {
            if score >= self.close {
                return Level::at(5);
            }
            let (p, q) = (self.strings.get(x.given), self.strings.get(y.given));
            // Whole given names that differ may still agree name by name: `jamez w` and
            // `james grandson` on the first name, `perry w` and `william` (a first name
            // missing, the middle name moved up) on a middle initial.
            let tokens = self.given_tokens_level(p, q);
            if score >= self.similar {
                return Level::at(tokens.min(6));
            }
            if is_initial_of(p, q) || is_initial_of(q, p) {
                return Level::at(tokens.min(7));
            }
            return Level::at(tokens);
        } else if same(x.given_reading, y.given_reading) {
            return Level::at(6);
        }
        Level::at(9)
    }

    /// The level two Latin given names (lower-case tokens, first name first) reach name by
    /// name: `close` (5) or `similar` (6) when their first names are that alike; `initial`
    /// (7) when a middle name of one agrees with a middle name of the other (alike, or an
    /// initial of the other's), when one first name is the other's initial and no middle
    /// names disagree, or when a lone initial is the other's middle initial; else
    /// `different` (9). A middle name is weak evidence
    /// (brothers may share one), so it never reaches above `initial`; nor does a middle
    /// initial of one that starts the other's first name (`james j` and `janice` are
    /// usually two people of one household).
    fn given_tokens_level(&self, p: &str, q: &str) -> u8 {
        if !p.contains(' ') && !q.contains(' ') {
            // One name each: the whole-name comparison has said everything.
            return 9;
        }
        let (mut a, mut b) = (p.split(' '), q.split(' '));
        let (Some(first_a), Some(first_b)) = (a.next(), b.next()) else {
            return 9;
        };
        if a.clone().next().is_none() && b.clone().next().is_none() {
            // One name each: the whole-name comparison has said everything.
            return 9;
        }
        let full = |t: &str| t.chars().nth(1).is_some();
        if full(first_a)
            && full(first_b)
            && let Some(score) = jaro_winkler_at_least(first_a, first_b, self.similar)
        {
            return if score >= self.close { 5 } else { 6 };
        }
        let alike = |s: &str, t: &str| {
            if full(s) && full(t) {
                s == t || jaro_winkler_at_least(s, t, self.close).is_some()
            } else {
                s == t || is_initial_of(s, t) || is_initial_of(t, s)
            }
        };
        // The first names, one an initial of the other (`c r` and `criselda r`); a middle
        // name of each; or a lone initial of one that is the other's middle initial, the
        // first name missing and the middle one moved up (`a` and `kate a`; a lone first
        // name is no middle name: `janice` and `james j` are two people).
        let first_initial = !(full(first_a) && full(first_b)) && alike(first_a, first_b);
        let middle = a.clone().any(|s| b.clone().any(|t| alike(s, t)));
        let moved_up = |lone: &str, mut middles: std::str::Split<'_, char>, alone: bool| {
            alone && !full(lone) && middles.any(|t| t == lone)
        };
        // Middle names on both sides that agree in none say two people (`j r` and `j k`).
        let middles_differ = a.clone().next().is_some() && b.clone().next().is_some() && !middle;
        let agree = (first_initial && !middles_differ)
            || middle
            || moved_up(first_a, b.clone(), a.clone().next().is_none())
            || moved_up(first_b, a.clone(), b.clone().next().is_none());
        if agree { 7 } else { 9 }
    }

    /// Jaro–Winkler of two Latin parts; `None` when either is Han (a Jaro–Winkler over two
    /// or three Han characters means nothing).
    /// `None` when either is Han; otherwise the score, or 0 below `similar` (a cheap
    /// length bound rules most pairs out before the kernel runs).
    fn latin_similarity(&self, p: u32, q: u32, x: &NameValue, y: &NameValue) -> Option<f64> {
        if x.han || y.han {
            return None;
        }
        let score = self.similarity(p, q);
        Some(if score >= self.similar { score } else { 0.0 })
    }

    fn part_level(&self, x: &NameValue, y: &NameValue) -> Level {
        match self.part {
            NamePart::Family => self.family_level(x, y),
            NamePart::Given => self.given_level(x, y),
        }
    }

    /// `Васильев` and `Vasiliev`: the other script's name read in Latin letters against
    /// the Latin one. The reading is lossy (Arabic writes few vowels, `فيصل` reads `fysl`),
    /// so an agreement counts and a difference says nothing: `different` becomes `null`.
    /// Han names have their own reading (pinyin) and meet other scripts nowhere.
    fn across_scripts(&self, x: &NameValue, y: &NameValue) -> Level {
        let (other, latin) = if x.other_script { (x, y) } else { (y, x) };
        if latin.han {
            return Level::NULL;
        }
        let read = NameValue {
            other_script: false,
            family: other.family_reading,
            given: other.given_reading,
            family_pinyin: NONE,
            given_pinyin: NONE,
            family_reading: NONE,
            given_reading: NONE,
            nicknames: (0, 0),
            ..*other
        };
        let level = self.part_level(&read, latin);
        let different = match self.part {
            NamePart::Family => FAMILY_LEVELS.len() - 1,
            NamePart::Given => GIVEN_LEVELS.len() - 1,
        };
        if usize::from(level.index) == different {
            Level::NULL
        } else {
            level
        }
    }

    fn share_nickname(&self, x: &NameValue, y: &NameValue) -> bool {
        let roots = |v: &NameValue| {
            &self.nicknames[v.nicknames.0 as usize..(v.nicknames.0 + v.nicknames.1) as usize]
        };
        let (p, q) = (roots(x), roots(y));
        p.iter().any(|r| q.contains(r))
    }
}

impl super::Compare for NameComparator {
    fn level_names(&self) -> Vec<String> {
        super::level_names(match self.part {
            NamePart::Family => FAMILY_LEVELS,
            NamePart::Given => GIVEN_LEVELS,
        })
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        let (a, b) = (self.values.row(a), self.values.row(b));
        let (x, y) = match (a, b) {
            ([], _) | (_, []) => return Level::NULL,
            ([x], [y]) => (x, y),
            _ => self.best_pair(a, b),
        };
        if x.other_script != y.other_script {
            return self.across_scripts(x, y);
        }
        if x.han != y.han {
            // A Han name against a Latin one that is no reading of it (`周静` and `Anna`, an
            // English name kept beside a Chinese one): nothing to compare.
            let latin = if x.han { y } else { x };
            let reading = match self.part {
                NamePart::Family => latin.family_pinyin,
                NamePart::Given => latin.given_pinyin,
            };
            if reading == NONE {
                return Level::NULL;
            }
        }
        self.part_level(x, y)
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        let part = self.part;
        count_terms(&self.values, self.strings.len(), |v| match part {
            NamePart::Family => v.family,
            NamePart::Given => v.given,
        })
    }

    /// The text of every term id from `start`: the interned strings (family and given parts, pinyin and
    /// nickname roots share one interner; a term this part never holds counts 0).
    fn term_keys_from(&self, start: usize) -> Vec<Cow<'_, str>> {
        interned_keys(&self.strings, start)
    }
}

/// Both present and equal.
#[inline]
fn same(p: u32, q: u32) -> bool {
    p != NONE && p == q
}

/// Whether the family of one record is like the given name of the other and, where both
/// are present, the other way round too.
#[inline]
fn crossed(xf: u32, yg: u32, xg: u32, yf: u32, alike: impl Fn(u32, u32) -> bool) -> bool {
    match (xf != NONE && yg != NONE, xg != NONE && yf != NONE) {
        (true, true) => alike(xf, yg) && alike(xg, yf),
        (true, false) => alike(xf, yg),
        (false, true) => alike(xg, yf),
        (false, false) => false,
    }
}

/// Whether the shorter string is the longer with one character left out (张伟明 / 张明).
fn one_dropped(p: &str, q: &str) -> bool {
    // Han characters take the same number of bytes, so equal byte lengths rule a drop out
    // without counting characters.
    if p.len() == q.len() {
        return false;
    }
    let (short, long) = if p.chars().count() < q.chars().count() {
        (p, q)
    } else {
        (q, p)
    };
    let (ns, nl) = (short.chars().count(), long.chars().count());
    if ns == 0 || nl != ns + 1 {
        return false;
    }
    let mut skipped = false;
    let mut s = short.chars().peekable();
    for c in long.chars() {
        if s.peek() == Some(&c) {
            s.next();
        } else if skipped {
            return false;
        } else {
            skipped = true;
        }
    }
    s.peek().is_none()
}

/// Whether `initial` is one letter (or `x.`) and `full` starts with it.
fn is_initial_of(initial: &str, full: &str) -> bool {
    let mut chars = initial.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => full.chars().count() > 1 && full.starts_with(c),
        _ => false,
    }
}

/// Whether two Latin names, each as (family name, given names), share a part of a family
/// name: a double family name written whole or one part of it (`lara-arias` and `arias`,
/// `garcia lopez` and `garcia`), with or without its accents or particles (`castañeda
/// lopez` and `castaneda`, `van dyke` and `dyke`), or read by a parser as a middle name
/// (`rafael garcía fuentes`, family `fuentes`, and `rafael garcia`; `susan meyer thomas` and
/// `susan meyer`, a maiden name kept as a middle name). Parts shorter than four letters
/// (particles such as `van`, `del`) do not count where the family name has several, nor do
/// initials; the first given name is not a middle name.
fn share_a_family_part(x: [&str; 2], y: [&str; 2]) -> bool {
    let several = |s: &str| s.bytes().any(|b| b == b'-' || b == b' ');
    // Most pairs (every random pair of u's sample) hold one family and one given name
    // each: nothing to split.
    if !x.iter().chain(&y).any(|s| several(s)) {
        return false;
    }
    // A family name of one part counts whole (`lee`); of several, its parts of four
    // letters or more.
    fn family_parts(family: &str) -> Vec<Cow<'_, str>> {
        if family.contains(['-', ' ']) {
            double_family_parts(family)
        } else if family.chars().nth(1).is_some() {
            vec![ascii_letters(family)]
        } else {
            Vec::new()
        }
    }
    fn middle_names(given: &str) -> Vec<Cow<'_, str>> {
        given
            .split(' ')
            .skip(1)
            .filter(|part| part.chars().nth(1).is_some())
            .map(ascii_letters)
            .collect()
    }
    let (x_family, y_family) = (family_parts(x[0]), family_parts(y[0]));
    let (x_middle, y_middle) = (middle_names(x[1]), middle_names(y[1]));
    x_family
        .iter()
        .any(|part| y_family.contains(part) || y_middle.contains(part))
        || y_family.iter().any(|part| x_middle.contains(part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sameas_normalize::name::NameNormalizer;

    fn parts(raw: &str) -> (Option<String>, Option<String>) {
        pinyin_parts(&NameNormalizer::new().normalize(raw).value.unwrap())
    }

    #[test]
    fn name_keys_fold_accents_in_latin_script_only() {
        use sameas_normalize::record::NormalizedRecord;
        let owned = |raw: &str| {
            let name = NameNormalizer::new()
                .normalize(raw)
                .map(|name| FieldValue::Name(Box::new(name)));
            let record = NormalizedRecord::new(vec![name], None);
            record_name_keys(&record, &[0]).map(|key| key.map(Cow::into_owned))
        };
        assert_eq!(
            owned("Shirley Velázquez"),
            [Some("velazquez".into()), Some("shirley".into())]
        );
        assert_eq!(owned("VELAZQUEZ, Shirley"), owned("Shirley Velázquez"));
        assert_eq!(owned("张伟"), [Some("张".into()), Some("伟".into())]);
        assert_eq!(owned("张先生"), [Some("张".into()), None]);
    }

    #[test]
    fn double_family_names_share_a_part_of_four_letters_or_more() {
        let share = |x: &str, y: &str| share_a_family_part([x, ""], [y, ""]);
        assert!(share("lara-arias", "arias"));
        assert!(share("garcia", "garcia lopez"));
        assert!(share("valdez castro", "castro-ruiz"));
        // Accents and particles aside.
        assert!(share("chávez rosales", "chavez"));
        assert!(share("castañeda", "castaneda lopez"));
        assert!(share("van dyke", "dyke"));
        assert!(share("de la cruz", "del cruz"));
        // One part each, a particle only, or nothing in common: nothing shared.
        assert!(!share("garcia", "lopez"));
        assert!(!share("van dyke", "van der berg"));
        assert!(!share("garcia lopez", "perez ruiz"));
    }

    #[test]
    fn a_family_name_read_as_a_middle_name_is_still_a_family_part() {
        // `Rafael García Fuentes` read as given `rafael garcía`, family `fuentes`.
        assert!(share_a_family_part(
            ["fuentes", "rafael garcía"],
            ["garcia", "rafael"]
        ));
        assert!(share_a_family_part(
            ["cabrera perez", "g"],
            ["pérez", "guadalupe cabrera"]
        ));
        // A maiden name kept as a middle name, however short.
        assert!(share_a_family_part(
            ["meyer", "susan"],
            ["thomas", "susan meyer"]
        ));
        assert!(share_a_family_part(
            ["lee", "susan"],
            ["thomas", "susan lee"]
        ));
        // The first given name is no middle name, nor is an initial.
        assert!(!share_a_family_part(
            ["thomas", "susan"],
            ["meyer", "thomas j"]
        ));
        assert!(!share_a_family_part(
            ["torres", "ricardo"],
            ["t", "ricardo alvarado"]
        ));
    }

    #[test]
    fn a_remembered_similarity_is_the_computed_one_and_belongs_to_its_column() {
        let mut first = NameColumn::default();
        let (thomas, tomas) = (
            first.strings.intern("thomas"),
            first.strings.intern("tomas"),
        );
        let computed = jaro_winkler_at_least("thomas", "tomas", 0.0).unwrap();
        // Asked twice each way: the second answer comes from the cache.
        for _ in 0..2 {
            assert_eq!(
                first.similarity(thomas, tomas).to_bits(),
                computed.to_bits()
            );
            assert_eq!(
                first.similarity(tomas, thomas).to_bits(),
                computed.to_bits()
            );
        }
        // Another column with the same term ids for other names has scores of its own.
        let mut second = NameColumn::default();
        let (anna, zoe) = (second.strings.intern("anna"), second.strings.intern("zoe"));
        assert_eq!((anna, zoe), (thomas, tomas));
        let other = jaro_winkler_at_least("anna", "zoe", 0.0).unwrap_or(0.0);
        assert_eq!(second.similarity(anna, zoe).to_bits(), other.to_bits());
        assert_ne!(
            second.similarity(anna, zoe),
            first.similarity(thomas, tomas)
        );
    }

    #[test]
    fn pinyin_parts_split_family_and_given() {
        assert_eq!(
            parts("张伟明"),
            (Some("zhang".into()), Some("weiming".into()))
        );
        assert_eq!(
            parts("Zhang Weiming"),
            (Some("zhang".into()), Some("weiming".into()))
        );
        assert_eq!(
            parts("Wei Zhang"),
            (Some("zhang".into()), Some("wei".into()))
        );
        assert_eq!(parts("欧阳娜娜").0.as_deref(), Some("ouyang"));
        assert_eq!(parts("Robert Smith"), (None, None));
    }

    #[test]
    fn fuzzy_pinyin_merges_confusable_sounds() {
        let fuzzy =
            |raw: &str| fuzzy_pinyin_parts(&NameNormalizer::new().normalize(raw).value.unwrap());
        assert_eq!(fuzzy("张伟").0, fuzzy("臧伟").0);
        assert_eq!(fuzzy("林芳").0, fuzzy("凌芳").0);
        assert_eq!(fuzzy("刘宁").1, fuzzy("刘玲").1);
        assert_ne!(fuzzy("张伟").0, fuzzy("王伟").0);
        assert_eq!(fuzzy_syllable("zhuang"), "zuan");
        assert_eq!(fuzzy_syllable("nong"), "long");
    }

    #[test]
    fn dropped_characters() {
        assert!(one_dropped("伟明", "明"));
        assert!(one_dropped("伟", "伟明"));
        assert!(!one_dropped("伟", "芳"));
        assert!(!one_dropped("伟明", "华明"));
        assert!(is_initial_of("j", "john"));
        assert!(!is_initial_of("jo", "john"));
    }
}
