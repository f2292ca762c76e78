//! String-similarity kernels for the pair-scoring hot path.
//!
//! Every similarity is an `f64` in `[0, 1]`, 1 meaning identical, and symmetric in its arguments.
//! Lengths and edits count Unicode scalar values (`char`s), so a two-character Han name has length
//! 2, not 6.
//!
//! The kernels do not allocate for short inputs, which is all that names, phones and dates ever
//! are: ASCII inputs run over their bytes, other inputs are copied into fixed stack arrays of at
//! most [`SHORT_LIMIT`] chars, and per-position flags live in `u64` bit masks. Longer inputs fall
//! back to `strsim` (or, for the Jaccard measures, to a heap buffer), with the same results.
//!
//! ```
//! use sameas_match::similarity::{jaro_winkler, jaro_winkler_at_least, levenshtein_within};
//!
//! assert!((jaro_winkler("martha", "marhta") - 0.961_111).abs() < 1e-6);
//! // The length bound alone rules this pair out, before any character is compared.
//! assert_eq!(jaro_winkler_at_least("al", "alexandria", 0.9), None);
//! assert_eq!(levenshtein_within("张伟", "章伟", 1), Some(1));
//! ```

/// The longest input, in chars, that the allocation-free kernels handle; longer inputs take a
/// slower path with the same results.
pub const SHORT_LIMIT: usize = 64;

/// Winkler's prefix scale (the standard 0.1).
const WINKLER_SCALE: f64 = 0.1;
/// Winkler rewards a common prefix of at most this many chars.
const WINKLER_MAX_PREFIX: usize = 4;
/// Winkler's boost applies only above this Jaro similarity (as in `strsim`).
const WINKLER_THRESHOLD: f64 = 0.7;
/// Slack for the cut-off bound, so that rounding in the bound can never reject a pair whose
/// exact score reaches the cut-off.
const BOUND_SLACK: f64 = 1e-9;

/// Inputs of at most this many bytes (every Han name, most Latin ones) use smaller stack buffers,
/// so there is less to zero per call.
const TINY_LIMIT: usize = 16;

/// The chars of `s` copied into `buf`; `None` when they do not fit.
fn fill_chars<'b>(s: &str, buf: &'b mut [char]) -> Option<&'b [char]> {
    // Each char takes at most 4 bytes, so a longer string cannot fit.
    if s.len() > 4 * buf.len() {
        return None;
    }
    let mut len = 0;
    for c in s.chars() {
        *buf.get_mut(len)? = c;
        len += 1;
    }
    Some(&buf[..len])
}

/// Runs `kernel` over both strings as char slices on the stack; `None` when either has more than
/// [`SHORT_LIMIT`] chars.
fn with_chars<R>(a: &str, b: &str, kernel: impl FnOnce(&[char], &[char]) -> R) -> Option<R> {
    if a.len() <= TINY_LIMIT && b.len() <= TINY_LIMIT {
        let mut a_buf = ['\0'; TINY_LIMIT];
        let mut b_buf = ['\0'; TINY_LIMIT];
        return Some(kernel(
            fill_chars(a, &mut a_buf)?,
            fill_chars(b, &mut b_buf)?,
        ));
    }
    with_short_chars(a, b, kernel)
}

/// [`with_chars`] for inputs over [`TINY_LIMIT`] bytes, kept out of line so that the common tiny
/// case neither zeroes nor reserves the larger buffers.
#[inline(never)]
fn with_short_chars<R>(a: &str, b: &str, kernel: impl FnOnce(&[char], &[char]) -> R) -> Option<R> {
    let mut a_buf = ['\0'; SHORT_LIMIT];
    let mut b_buf = ['\0'; SHORT_LIMIT];
    Some(kernel(
        fill_chars(a, &mut a_buf)?,
        fill_chars(b, &mut b_buf)?,
    ))
}

/// Both ASCII and short enough for the byte kernels.
fn short_ascii(a: &str, b: &str) -> bool {
    a.len() <= SHORT_LIMIT && b.len() <= SHORT_LIMIT && a.is_ascii() && b.is_ascii()
}

/// Length in chars, without decoding when the string is ASCII.
fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Bit `j` set where `text[j] == c`, for texts of at most 64 elements. A scan rather than a
/// table: char alphabets are large and the texts here are a few chars long.
fn positions_of<T: PartialEq>(text: &[T], c: &T) -> u64 {
    text.iter()
        .enumerate()
        .fold(0, |mask, (j, x)| mask | (u64::from(x == c) << j))
}

/// Up to [`TINY_LIMIT`] ASCII bytes packed into two words, for finding a byte's positions with a
/// few word operations (SWAR) instead of a scan or a 1 KiB table.
struct PackedAscii([u64; 2]);

impl PackedAscii {
    /// Unused lanes hold 0x80, which equals no ASCII byte.
    fn new(text: &[u8]) -> Self {
        debug_assert!(text.len() <= TINY_LIMIT);
        let mut lanes = [0x80u8; TINY_LIMIT];
        lanes[..text.len()].copy_from_slice(text);
        let (low, high) = lanes.split_at(8);
        let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().unwrap_or([0x80; 8]));
        Self([word(low), word(high)])
    }

    /// Bit `j` set where the text's byte `j` is `c`.
    fn positions(&self, c: u8) -> u64 {
        let broadcast = u64::from(c) * 0x0101_0101_0101_0101;
        zero_bytes(self.0[0] ^ broadcast) | (zero_bytes(self.0[1] ^ broadcast) << 8)
    }
}

/// Bit `k` set where byte `k` of `x` is zero.
fn zero_bytes(x: u64) -> u64 {
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte ends up set exactly when the byte is non-zero (no carries
    // between bytes), so its complement marks the zero bytes.
    let zero_high = !(((x & LOW_SEVEN).wrapping_add(LOW_SEVEN)) | x) & !LOW_SEVEN;
    // Gathers the eight high bits (bits 7, 15, ... 63) into the top byte, then down.
    (zero_high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Bit `j` set where `text[j]` is byte `c`, indexed by byte, for ASCII texts of at most 64 bytes.
fn ascii_positions(text: &[u8]) -> [u64; 128] {
    let mut positions = [0u64; 128];
    for (j, &c) in text.iter().enumerate() {
        positions[usize::from(c & 0x7f)] |= 1 << j;
    }
    positions
}

/// The low `n` bits set, `n` ≤ 64.
fn low_bits(n: usize) -> u64 {
    if n >= 64 { !0 } else { (1u64 << n) - 1 }
}

// ---------------------------------------------------------------------------------------------
// Jaro and Jaro-Winkler
// ---------------------------------------------------------------------------------------------

/// Jaro similarity, equal to `strsim::jaro` (same matching window, same greedy matching, same
/// arithmetic, so the same `f64`).
pub fn jaro(a: &str, b: &str) -> f64 {
    if short_ascii(a, b) {
        return jaro_bytes(a.as_bytes(), b.as_bytes());
    }
    with_chars(a, b, jaro_chars).unwrap_or_else(|| strsim::jaro(a, b))
}

/// Jaro-Winkler similarity with prefix scale 0.1 over a common prefix of at most 4 chars, applied
/// when the Jaro similarity exceeds 0.7; equal to `strsim::jaro_winkler`.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if short_ascii(a, b) {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        return winkler(jaro_bytes(a, b), common_prefix(a, b));
    }
    with_chars(a, b, |a, b| winkler(jaro_chars(a, b), common_prefix(a, b)))
        .unwrap_or_else(|| strsim::jaro_winkler(a, b))
}

/// [`jaro_winkler`] when it reaches `cutoff`, else `None`.
///
/// Before comparing any characters it bounds the score from the lengths alone: at most
/// `min(la, lb)` chars can match, so Jaro is at most `(min/la + min/lb + 1) / 3`, and Winkler's
/// boost is at most that of the actual common prefix. Pairs whose bound falls short of the
/// cut-off cost only a length count.
pub fn jaro_winkler_at_least(a: &str, b: &str, cutoff: f64) -> Option<f64> {
    let score = if short_ascii(a, b) {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let prefix = common_prefix(a, b);
        if !may_reach(a.len(), b.len(), prefix, cutoff) {
            return None;
        }
        winkler(jaro_bytes(a, b), prefix)
    } else {
        let kernel = |a: &[char], b: &[char]| {
            let prefix = common_prefix(a, b);
            may_reach(a.len(), b.len(), prefix, cutoff).then(|| winkler(jaro_chars(a, b), prefix))
        };
        match with_chars(a, b, kernel) {
            Some(score) => score?,
            None => {
                let prefix = a
                    .chars()
                    .zip(b.chars())
                    .take(WINKLER_MAX_PREFIX)
                    .take_while(|(x, y)| x == y)
                    .count();
                if !may_reach(char_len(a), char_len(b), prefix, cutoff) {
                    return None;
                }
                strsim::jaro_winkler(a, b)
            }
        }
    };
    (score >= cutoff).then_some(score)
}

/// Whether Jaro-Winkler of two strings of `la` and `lb` chars sharing a `prefix`-char prefix can
/// reach `cutoff`.
fn may_reach(la: usize, lb: usize, prefix: usize, cutoff: f64) -> bool {
    if la == 0 || lb == 0 {
        // The score is exactly 1 or 0; let the kernel say which.
        return true;
    }
    let shorter = la.min(lb) as f64;
    let jaro_bound = (shorter / la as f64 + shorter / lb as f64 + 1.0) / 3.0;
    // Jaro-Winkler grows with Jaro for a fixed prefix, so the bound carries over.
    winkler(jaro_bound, prefix) + BOUND_SLACK >= cutoff
}

fn jaro_bytes(a: &[u8], b: &[u8]) -> f64 {
    if b.len() <= TINY_LIMIT {
        let packed = PackedAscii::new(b);
        return jaro_short(a, b, |&c| packed.positions(c));
    }
    let positions = ascii_positions(b);
    jaro_short(a, b, |&c| positions[usize::from(c & 0x7f)])
}

fn jaro_chars(a: &[char], b: &[char]) -> f64 {
    jaro_short(a, b, |c| positions_of(b, c))
}

/// Jaro over two slices of at most [`SHORT_LIMIT`] elements, following `strsim::generic_jaro`
/// step for step with bit masks in place of its flag vectors; `positions_in_b(c)` has bit `j` set
/// where `b[j] == c`.
fn jaro_short<T: PartialEq>(a: &[T], b: &[T], positions_in_b: impl Fn(&T) -> u64) -> f64 {
    let (la, lb) = (a.len(), b.len());
    debug_assert!(la <= SHORT_LIMIT && lb <= SHORT_LIMIT);
    if la == 0 && lb == 0 {
        return 1.0;
    }
    if la == 0 || lb == 0 {
        return 0.0;
    }
    let window = (la.max(lb) / 2).saturating_sub(1);
    let mut a_matched = 0u64;
    let mut b_matched = 0u64;
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let low = i.saturating_sub(window);
        let high = (i + window + 1).min(lb);
        // strsim takes the first unmatched equal char in the window: the lowest candidate bit.
        let candidates = positions_in_b(ca) & !b_matched & low_bits(high) & !low_bits(low);
        if candidates != 0 {
            a_matched |= 1 << i;
            b_matched |= candidates & candidates.wrapping_neg();
            matches += 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    // Matched chars of `a` and `b` paired in order; each out-of-order pair is half a transposition.
    let mut half_transpositions = 0usize;
    let (mut rest_a, mut rest_b) = (a_matched, b_matched);
    while rest_a != 0 {
        let i = rest_a.trailing_zeros() as usize;
        let j = rest_b.trailing_zeros() as usize;
        half_transpositions += usize::from(a[i] != b[j]);
        rest_a &= rest_a - 1;
        rest_b &= rest_b - 1;
    }
    let transpositions = half_transpositions / 2;
    let m = matches as f64;
    // Same order of operations as strsim, so the results are bit-identical.
    ((m / la as f64) + (m / lb as f64) + ((matches - transpositions) as f64 / m)) / 3.0
}

/// Length of the common prefix, up to Winkler's maximum.
fn common_prefix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter()
        .zip(b)
        .take(WINKLER_MAX_PREFIX)
        .take_while(|(x, y)| x == y)
        .count()
}

/// Winkler's prefix boost over a Jaro similarity.
fn winkler(jaro: f64, prefix: usize) -> f64 {
    if jaro > WINKLER_THRESHOLD {
        jaro + WINKLER_SCALE * prefix as f64 * (1.0 - jaro)
    } else {
        jaro
    }
}

// ---------------------------------------------------------------------------------------------
// Levenshtein and optimal string alignment (bit-parallel, Hyyrö 2003)
// ---------------------------------------------------------------------------------------------

/// Which edit distance a bit-parallel kernel computes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EditKind {
    /// Insertions, deletions and substitutions.
    Levenshtein,
    /// Levenshtein plus transpositions of adjacent chars, no substring edited twice.
    OptimalStringAlignment,
}

/// Levenshtein distance in chars, equal to `strsim::levenshtein`.
pub fn levenshtein(a: &str, b: &str) -> usize {
    edit_distance(a, b, EditKind::Levenshtein).0
}

/// Damerau-Levenshtein distance in its restricted form, optimal string alignment (OSA): adjacent
/// transpositions count as one edit, but no substring is edited twice, so `"ca"` → `"abc"` is 3,
/// not 2. Equal to `strsim::osa_distance` (not `strsim::damerau_levenshtein`). For names, phones
/// and dates the two differ only on such contrived pairs, and OSA runs bit-parallel.
pub fn damerau_levenshtein(a: &str, b: &str) -> usize {
    edit_distance(a, b, EditKind::OptimalStringAlignment).0
}

/// `1 - levenshtein / max_len` (lengths in chars); 1 for two empty strings.
pub fn levenshtein_similarity(a: &str, b: &str) -> f64 {
    normalised(edit_distance(a, b, EditKind::Levenshtein))
}

/// `1 - damerau_levenshtein / max_len` (lengths in chars, OSA as in [`damerau_levenshtein`]);
/// 1 for two empty strings.
pub fn damerau_levenshtein_similarity(a: &str, b: &str) -> f64 {
    normalised(edit_distance(a, b, EditKind::OptimalStringAlignment))
}

/// [`levenshtein`] when it is at most `max`, else `None`. The length difference is a lower bound
/// on the distance, so pairs too different in length are rejected after only a length count.
pub fn levenshtein_within(a: &str, b: &str, max: usize) -> Option<usize> {
    if char_len(a).abs_diff(char_len(b)) > max {
        return None;
    }
    let distance = levenshtein(a, b);
    (distance <= max).then_some(distance)
}

fn normalised((distance, la, lb): (usize, usize, usize)) -> f64 {
    let longest = la.max(lb);
    if longest == 0 {
        1.0
    } else {
        1.0 - distance as f64 / longest as f64
    }
}

/// The distance and both lengths in chars.
fn edit_distance(a: &str, b: &str, kind: EditKind) -> (usize, usize, usize) {
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        // The pattern must fit one machine word; the text may be any length.
        let (pattern, text) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        if pattern.len() <= TINY_LIMIT {
            let packed = PackedAscii::new(pattern);
            let distance = bit_parallel(pattern.len(), text.iter(), kind, |&c| packed.positions(c));
            return (distance, a.len(), b.len());
        }
        if pattern.len() <= SHORT_LIMIT {
            let positions = ascii_positions(pattern);
            let distance = bit_parallel(pattern.len(), text.iter(), kind, |&c| {
                positions[usize::from(c & 0x7f)]
            });
            return (distance, a.len(), b.len());
        }
    } else if let Some(found) = edit_distance_chars::<TINY_LIMIT>(a, b, kind)
        .or_else(|| edit_distance_chars::<SHORT_LIMIT>(a, b, kind))
    {
        return found;
    }
    let distance = match kind {
        EditKind::Levenshtein => strsim::levenshtein(a, b),
        EditKind::OptimalStringAlignment => strsim::osa_distance(a, b),
    };
    (distance, char_len(a), char_len(b))
}

/// [`edit_distance`] with whichever string fits `N` chars as the pattern; `None` when neither does.
fn edit_distance_chars<const N: usize>(
    a: &str,
    b: &str,
    kind: EditKind,
) -> Option<(usize, usize, usize)> {
    let mut buf = ['\0'; N];
    let (pattern, text, swapped) = match fill_chars(a, &mut buf) {
        Some(pattern) => (pattern, b, false),
        None => (fill_chars(b, &mut buf)?, a, true),
    };
    let mut text_len = 0;
    let text_chars = text.chars().inspect(|_| text_len += 1);
    let distance = bit_parallel(pattern.len(), text_chars, kind, |c| {
        positions_of(pattern, &c)
    });
    Some(if swapped {
        (distance, text_len, pattern.len())
    } else {
        (distance, pattern.len(), text_len)
    })
}

/// Hyyrö's bit-parallel edit distance (Levenshtein, or OSA with his transposition term) of a
/// pattern of `pattern_len` ≤ 64 chars against `text`; `positions(c)` has bit `i` set where the
/// pattern's char `i` equals `c`. Bits above the pattern hold garbage that, as carries only move
/// upwards, never reaches the pattern's bits.
fn bit_parallel<C>(
    pattern_len: usize,
    text: impl Iterator<Item = C>,
    kind: EditKind,
    mut positions: impl FnMut(C) -> u64,
) -> usize {
    if pattern_len == 0 {
        return text.count();
    }
    let last = 1u64 << (pattern_len - 1);
    let mut vertical_plus = !0u64;
    let mut vertical_minus = 0u64;
    let mut diagonal_zero = 0u64;
    let mut previous_positions = 0u64;
    let mut distance = pattern_len;
    for c in text {
        let current = positions(c);
        let mut d0 = (((current & vertical_plus).wrapping_add(vertical_plus)) ^ vertical_plus)
            | current
            | vertical_minus;
        if kind == EditKind::OptimalStringAlignment {
            d0 |= ((!diagonal_zero & current) << 1) & previous_positions;
            diagonal_zero = d0;
            previous_positions = current;
        }
        let horizontal_plus = vertical_minus | !(d0 | vertical_plus);
        let horizontal_minus = d0 & vertical_plus;
        if horizontal_plus & last != 0 {
            distance += 1;
        } else if horizontal_minus & last != 0 {
            distance -= 1;
        }
        let horizontal_plus = (horizontal_plus << 1) | 1;
        let horizontal_minus = horizontal_minus << 1;
        vertical_plus = horizontal_minus | !(d0 | horizontal_plus);
        vertical_minus = horizontal_plus & d0;
    }
    distance
}

// ---------------------------------------------------------------------------------------------
// Jaccard over tokens and bigrams
// ---------------------------------------------------------------------------------------------

/// The most tokens (or bigrams) of one input kept on the stack; more take a heap buffer.
const SET_LIMIT: usize = 24;

/// Jaccard similarity of the sets of whitespace-separated tokens: `|A ∩ B| / |A ∪ B|`, compared
/// exactly (no hashing), so word order and repeats do not matter. Two strings without tokens
/// score 1.
pub fn jaccard_tokens(a: &str, b: &str) -> f64 {
    let mut a_buf = [""; SET_LIMIT];
    let mut b_buf = [""; SET_LIMIT];
    match (
        fill_sorted_set(a.split_whitespace(), &mut a_buf),
        fill_sorted_set(b.split_whitespace(), &mut b_buf),
    ) {
        (Some(la), Some(lb)) => jaccard_sorted(&a_buf[..la], &b_buf[..lb], 1.0),
        _ => {
            let mut a_set: Vec<&str> = a.split_whitespace().collect();
            let mut b_set: Vec<&str> = b.split_whitespace().collect();
            jaccard_sorted(sort_dedup(&mut a_set), sort_dedup(&mut b_set), 1.0)
        }
    }
}

/// Jaccard similarity of the sets of adjacent-char pairs (bigrams, whitespace included). Identical
/// strings score 1; otherwise a string of fewer than two chars has no bigrams and scores 0.
pub fn jaccard_bigrams(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    // From here on two strings without bigrams differ, so they score 0, not 1.
    let mut a_buf = [0u64; SET_LIMIT];
    let mut b_buf = [0u64; SET_LIMIT];
    match (
        fill_sorted_set(bigrams(a), &mut a_buf),
        fill_sorted_set(bigrams(b), &mut b_buf),
    ) {
        (Some(la), Some(lb)) => jaccard_sorted(&a_buf[..la], &b_buf[..lb], 0.0),
        _ => {
            let mut a_set: Vec<u64> = bigrams(a).collect();
            let mut b_set: Vec<u64> = bigrams(b).collect();
            jaccard_sorted(sort_dedup(&mut a_set), sort_dedup(&mut b_set), 0.0)
        }
    }
}

/// Each bigram packed losslessly into one `u64` (two 21-bit scalar values).
fn bigrams(s: &str) -> impl Iterator<Item = u64> + '_ {
    s.chars()
        .zip(s.chars().skip(1))
        .map(|(x, y)| (u64::from(x) << 32) | u64::from(y))
}

/// Fills `buf` with the distinct items, sorted; `None` when there are more than it holds.
fn fill_sorted_set<T: Ord + Copy>(items: impl Iterator<Item = T>, buf: &mut [T]) -> Option<usize> {
    let mut len = 0;
    for item in items {
        *buf.get_mut(len)? = item;
        len += 1;
    }
    Some(sort_dedup(&mut buf[..len]).len())
}

/// Sorts and moves the distinct items to the front, returning them.
fn sort_dedup<T: Ord + Copy>(items: &mut [T]) -> &[T] {
    items.sort_unstable();
    let mut distinct = 0;
    for i in 0..items.len() {
        if distinct == 0 || items[i] != items[distinct - 1] {
            items[distinct] = items[i];
            distinct += 1;
        }
    }
    &items[..distinct]
}

/// Jaccard of two sorted sets (no duplicates); `both_empty` when both are.
fn jaccard_sorted<T: Ord>(a: &[T], b: &[T], both_empty: f64) -> f64 {
    if a.is_empty() && b.is_empty() {
        return both_empty;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

// ---------------------------------------------------------------------------------------------
// Digits
// ---------------------------------------------------------------------------------------------

/// True when `a` and `b` are ASCII digit strings of the same length that differ in exactly one
/// position, or by exactly one swap of two adjacent, different digits ("phone one digit off",
/// day and month typed in the wrong order within a field). Identical strings are not one edit
/// apart; anything with a non-digit is not either.
pub fn one_edit_apart_digits(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || !a.iter().chain(b).all(u8::is_ascii_digit) {
        return false;
    }
    // Positions of the first mismatches; a third one means neither case applies.
    let mut mismatches = [0usize; 2];
    let mut count = 0;
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            if count == 2 {
                return false;
            }
            mismatches[count] = i;
            count += 1;
        }
    }
    match count {
        1 => true,
        2 => {
            let [i, j] = mismatches;
            j == i + 1 && a[i] == b[j] && a[j] == b[i]
        }
        _ => false,
    }
}

/// Whether `a` and `b` are at most one edit apart under optimal string alignment: equal, or
/// one substitution, insertion, deletion or adjacent transposition. Linear, no table: the
/// strings must agree everywhere but at the first difference.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        // Edits count characters, not bytes.
        return damerau_levenshtein(a, b) <= 1;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let Some(i) = short.iter().zip(long).position(|(x, y)| x != y) else {
        return true;
    };
    if short.len() == long.len() {
        // Substitution at i, or the swap of i and i + 1.
        short[i + 1..] == long[i + 1..]
            || (i + 1 < short.len()
                && short[i] == long[i + 1]
                && short[i + 1] == long[i]
                && short[i + 2..] == long[i + 2..])
    } else {
        short[i..] == long[i + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_matches_known_values() {
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-9);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.813_333).abs() < 1e-6);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("", "a"), 0.0);
        assert_eq!(jaro("张伟", "张伟"), 1.0);
        assert_eq!(
            jaro_winkler("张伟", "章伟"),
            strsim::jaro_winkler("张伟", "章伟")
        );
    }

    #[test]
    fn long_inputs_take_the_fallback_with_the_same_result() {
        let a = "a".repeat(70) + "bc";
        let b = "a".repeat(70) + "cb";
        assert_eq!(jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b));
        assert_eq!(levenshtein(&a, &b), 2);
        assert_eq!(damerau_levenshtein(&a, &b), 1);
        let han = "张".repeat(70);
        assert_eq!(levenshtein(&han, "张"), 69);
        assert_eq!(levenshtein("张", &han), 69);
    }

    #[test]
    fn cutoff_rejects_by_length_and_by_score() {
        assert_eq!(jaro_winkler_at_least("al", "alexandria", 0.9), None);
        assert_eq!(jaro_winkler_at_least("abcd", "wxyz", 0.5), None);
        let score = jaro_winkler("martha", "marhta");
        assert_eq!(jaro_winkler_at_least("martha", "marhta", 0.9), Some(score));
        assert_eq!(jaro_winkler_at_least("", "", 1.0), Some(1.0));
    }

    #[test]
    fn edit_distances() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(damerau_levenshtein("ca", "abc"), 3);
        assert_eq!(damerau_levenshtein("specter", "spectre"), 1);
        assert_eq!(levenshtein("王小明", "汪晓明"), 2);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein_similarity("", ""), 1.0);
        assert!((levenshtein_similarity("kitten", "sitting") - 4.0 / 7.0).abs() < 1e-12);
        assert_eq!(levenshtein_within("smith", "smithson", 2), None);
        assert_eq!(levenshtein_within("smith", "smyth", 1), Some(1));
        assert_eq!(levenshtein_within("smith", "smoth", 0), None);
    }

    #[test]
    fn jaccard() {
        assert_eq!(jaccard_tokens("john smith", "smith  john"), 1.0);
        assert!((jaccard_tokens("john paul smith", "john smith") - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(jaccard_tokens("", " "), 1.0);
        assert_eq!(jaccard_tokens("a", ""), 0.0);
        assert_eq!(jaccard_bigrams("张", "张"), 1.0);
        assert_eq!(jaccard_bigrams("张", "章"), 0.0);
        // night: ni ig gh ht; nacht: na ac ch ht; one shared of seven.
        assert!((jaccard_bigrams("night", "nacht") - 1.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn digits_one_edit_apart() {
        assert!(one_edit_apart_digits("13800138000", "13800138001"));
        assert!(one_edit_apart_digits("19900512", "19900521"));
        assert!(!one_edit_apart_digits("19900512", "19900512"));
        assert!(!one_edit_apart_digits("19900512", "19900623"));
        assert!(!one_edit_apart_digits("123", "1234"));
        assert!(!one_edit_apart_digits("12a", "12b"));
        assert!(!one_edit_apart_digits("1234", "2143"));
        assert!(!one_edit_apart_digits("", ""));
    }
}
