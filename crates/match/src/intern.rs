//! String interning: every distinct value gets a dense `u32`, so exact comparison is an
//! integer compare and term frequencies are an array lookup.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// The id of "no value".
pub const NONE: u32 = u32::MAX;

/// Interns strings into dense ids, in first-seen order.
///
/// The strings lie one after another in one buffer, and the lookup table holds only their
/// ids (a string's hash is taken from the buffer): a comparison column interns up to two
/// strings per record, and a boxed string each in a map and in a list (two allocations and
/// 60–100 bytes per distinct value) made the columns a sixth of a million-record run's
/// memory.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    /// Every distinct string, in id order.
    text: String,
    /// Where each id's string ends in `text`.
    ends: Vec<u32>,
    /// The ids, found by their strings.
    ids: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `s`, adding it when new. The empty string is [`NONE`].
    pub fn intern(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return NONE;
        }
        let Interner {
            text,
            ends,
            ids,
            hasher,
        } = self;
        let hash = hasher.hash_one(s);
        let string = |id: u32| Self::string(text, ends, id);
        if let Some(&id) = ids.find(hash, |&id| string(id) == s) {
            return id;
        }
        let id = u32::try_from(ends.len())
            .ok()
            .filter(|&id| id != NONE)
            .expect("fewer than 2^32 distinct values");
        text.push_str(s);
        ends.push(u32::try_from(text.len()).expect("under 4 GiB of distinct text"));
        ids.insert_unique(hash, id, |&id| {
            hasher.hash_one(Self::string(text, ends, id))
        });
        id
    }

    fn string<'a>(text: &'a str, ends: &[u32], id: u32) -> &'a str {
        let id = id as usize;
        let start = if id == 0 { 0 } else { ends[id - 1] as usize };
        &text[start..ends[id] as usize]
    }

    /// The string of `id`; empty for [`NONE`].
    pub fn get(&self, id: u32) -> &str {
        if id == NONE {
            ""
        } else {
            Self::string(&self.text, &self.ends, id)
        }
    }

    /// The id of `s` when it was interned.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(s);
        self.ids.find(hash, |&id| self.get(id) == s).copied()
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether nothing was interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Per-record lists of values in one flat vector (compressed rows). [`Lists::compact`]
/// keeps the present rows apart with one bit per row: where most rows hold one value, a
/// row's value sits at the row's position (one load, which is what pair scoring waits on);
/// otherwise only present rows take room, found by their rank among the present rows. The
/// block index holds a list of each record's keys for every candidate rule (57 at a
/// million generated records), and most rules key only some records: an entry per record
/// and rule was most of the index.
#[derive(Debug, Clone)]
pub struct Lists<T> {
    /// Flat: `rows + 1` ends. Compact: empty when every row holds at most one value, else
    /// the ends of the present rows' values (`present rows + 1`).
    offsets: Vec<u32>,
    values: Vec<T>,
    /// The compact form's rows.
    present: Option<Present>,
}

#[derive(Debug, Clone)]
struct Present {
    rows: usize,
    /// One bit per row: whether it holds a value.
    bits: Vec<u64>,
    /// Sparse: per word of `bits`, the present rows before it; a row's values are then
    /// found at its rank among the present rows. `None`: each row's value at its position.
    ranks: Option<Vec<u32>>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists {
            offsets: vec![0],
            values: Vec::new(),
            present: None,
        }
    }
}

impl<T: Copy> Lists<T> {
    /// Switches to the compact form (when some row holds a value).
    pub fn compact(self) -> Self {
        let rows = self.rows();
        let Some(&filler) = self.values.first() else {
            return self;
        };
        if self.present.is_some() {
            return self;
        }
        let lengths = || (0..rows).map(|i| self.offsets[i + 1] - self.offsets[i]);
        let several = lengths().any(|n| n > 1);
        let held = lengths().filter(|&n| n > 0).count();
        let mut bits = vec![0u64; rows.div_ceil(64)];
        for (i, n) in lengths().enumerate() {
            if n > 0 {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        if !several && held * 4 >= rows * 3 {
            let mut values = vec![filler; rows];
            for (i, slot) in values.iter_mut().enumerate() {
                if let Some(v) = self.row(i).first() {
                    *slot = *v;
                }
            }
            return Lists {
                offsets: Vec::new(),
                values,
                present: Some(Present {
                    rows,
                    bits,
                    ranks: None,
                }),
            };
        }
        let mut ranks = Vec::with_capacity(bits.len());
        let mut before = 0u32;
        for word in &bits {
            ranks.push(before);
            before += word.count_ones();
        }
        let offsets = if several {
            let mut ends = Vec::with_capacity(held + 1);
            ends.push(0);
            ends.extend(
                (0..rows)
                    .filter(|&i| self.offsets[i + 1] > self.offsets[i])
                    .map(|i| self.offsets[i + 1]),
            );
            ends
        } else {
            Vec::new()
        };
        let mut values = self.values;
        values.shrink_to_fit();
        Lists {
            offsets,
            values,
            present: Some(Present {
                rows,
                bits,
                ranks: Some(ranks),
            }),
        }
    }
}

impl<T: Copy> Lists<T> {
    /// Leaves the compact form (rows can then hold any number of values again), so that
    /// rows can be appended; nothing when not compact.
    pub fn reopen(&mut self) {
        if self.present.is_none() {
            return;
        }
        let rows = self.rows();
        let mut offsets = Vec::with_capacity(rows + 1);
        let mut values = Vec::with_capacity(self.values.len());
        offsets.push(0);
        for i in 0..rows {
            values.extend_from_slice(self.row(i));
            offsets.push(values.len() as u32);
        }
        self.offsets = offsets;
        self.values = values;
        self.present = None;
    }
}

impl<T> Lists<T> {
    /// Lists from their compressed rows: row `i` is `values[offsets[i]..offsets[i + 1]]`.
    ///
    /// # Panics
    /// When `offsets` is empty or its last entry is not `values.len()`.
    pub fn from_rows(offsets: Vec<u32>, values: Vec<T>) -> Self {
        assert_eq!(
            offsets.last().map(|&end| end as usize),
            Some(values.len()),
            "offsets end at the values' length"
        );
        Lists {
            offsets,
            values,
            present: None,
        }
    }

    /// Appends one value to the row being built.
    pub fn push_value(&mut self, value: T) {
        self.values.push(value);
    }

    /// Closes the current row.
    pub fn end_row(&mut self) {
        self.offsets.push(self.values.len() as u32);
    }

    /// The values of row `i`.
    #[inline(always)]
    pub fn row(&self, i: usize) -> &[T] {
        let Some(present) = &self.present else {
            return &self.values[self.offsets[i] as usize..self.offsets[i + 1] as usize];
        };
        let word = present.bits[i / 64];
        let bit = 1u64 << (i % 64);
        if word & bit == 0 {
            return &[];
        }
        let slot = match &present.ranks {
            None => i,
            Some(ranks) => ranks[i / 64] as usize + (word & (bit - 1)).count_ones() as usize,
        };
        if self.offsets.is_empty() {
            std::slice::from_ref(&self.values[slot])
        } else {
            &self.values[self.offsets[slot] as usize..self.offsets[slot + 1] as usize]
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        match &self.present {
            Some(present) => present.rows,
            None => self.offsets.len() - 1,
        }
    }
}

/// The rows holding each of `columns` values, from rows given as compressed offsets and
/// values (`starts` and `values`, each value below `columns`): returns the transposed
/// offsets and values, by counting sort, so each value's rows come out ascending. Blocks →
/// records becomes records → blocks.
pub(crate) fn transpose(starts: &[u32], values: &[u32], columns: usize) -> (Vec<u32>, Vec<u32>) {
    let mut offsets = vec![0u32; columns + 1];
    for &v in values {
        offsets[v as usize + 1] += 1;
    }
    for i in 0..columns {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut rows = vec![0u32; values.len()];
    for (row, window) in starts.windows(2).enumerate() {
        for &v in &values[window[0] as usize..window[1] as usize] {
            rows[fill[v as usize] as usize] = row as u32;
            fill[v as usize] += 1;
        }
    }
    (offsets, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposing_gives_each_value_its_rows_ascending() {
        // Rows [2, 0], [], [0, 1]: value 0 is in rows 0 and 2, value 1 in row 2, value 2 in
        // row 0, value 3 in none.
        let (offsets, rows) = transpose(&[0, 2, 2, 4], &[2, 0, 0, 1], 4);
        assert_eq!(offsets, [0, 2, 3, 4, 4]);
        assert_eq!(rows, [0, 2, 2, 0]);
        let lists = Lists::from_rows(offsets, rows);
        assert_eq!(lists.row(0), [0, 2]);
        assert_eq!(lists.row(3), [] as [u32; 0]);
    }

    #[test]
    fn interns_in_first_seen_order() {
        let mut interner = Interner::new();
        assert_eq!(interner.intern("b"), 0);
        assert_eq!(interner.intern("a"), 1);
        assert_eq!(interner.intern("b"), 0);
        assert_eq!(interner.intern(""), NONE);
        assert_eq!(interner.get(1), "a");
        assert_eq!(interner.get(NONE), "");
        assert_eq!(interner.len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn compact_and_reopened_lists_read_like_flat_ones(
            rows in proptest::collection::vec(proptest::collection::vec(0u32..9, 0..3), 0..200),
            empty_every in 1usize..5,
        ) {
            let mut flat = Lists::default();
            for (i, row) in rows.iter().enumerate() {
                if i % empty_every != 0 {
                    for &v in row {
                        flat.push_value(v);
                    }
                }
                flat.end_row();
            }
            let compact = flat.clone().compact();
            proptest::prop_assert_eq!(compact.rows(), flat.rows());
            for i in 0..flat.rows() {
                proptest::prop_assert_eq!(compact.row(i), flat.row(i));
            }
            let mut reopened = compact;
            reopened.reopen();
            proptest::prop_assert!(reopened.present.is_none());
            for i in 0..flat.rows() {
                proptest::prop_assert_eq!(reopened.row(i), flat.row(i));
            }
        }

        #[test]
        fn ids_are_first_seen_positions(words in proptest::collection::vec("[ab张]{0,3}", 0..60)) {
            let mut interner = Interner::new();
            let mut seen: Vec<&str> = Vec::new();
            for word in &words {
                let id = interner.intern(word);
                if word.is_empty() {
                    proptest::prop_assert_eq!(id, NONE);
                    continue;
                }
                let expected = match seen.iter().position(|s| s == word) {
                    Some(at) => at,
                    None => {
                        seen.push(word);
                        seen.len() - 1
                    }
                };
                proptest::prop_assert_eq!(id as usize, expected);
            }
            proptest::prop_assert_eq!(interner.len(), seen.len());
            for (id, word) in seen.iter().enumerate() {
                proptest::prop_assert_eq!(interner.get(id as u32), *word);
                proptest::prop_assert_eq!(interner.lookup(word), Some(id as u32));
            }
            proptest::prop_assert_eq!(interner.lookup("abab"), None);
        }
    }

    #[test]
    fn compact_lists_read_like_flat_ones() {
        let mut lists = Lists::default();
        lists.end_row();
        for i in 0..130u32 {
            if i % 3 != 0 {
                lists.push_value(i);
            }
            lists.end_row();
        }
        let flat = lists.clone();
        let compact = lists.compact();
        assert!(compact.present.is_some());
        assert_eq!(compact.rows(), flat.rows());
        for i in 0..=130 {
            assert_eq!(compact.row(i), flat.row(i));
        }
        let mut two = Lists::default();
        two.push_value(1);
        two.push_value(2);
        two.end_row();
        assert_eq!(two.compact().row(0), &[1, 2]);
    }

    #[test]
    fn reopened_lists_read_as_before_and_take_rows() {
        let mut lists = Lists::default();
        for row in [&[4u32][..], &[], &[6]] {
            for &v in row {
                lists.push_value(v);
            }
            lists.end_row();
        }
        let mut lists = lists.compact();
        lists.reopen();
        lists.push_value(7);
        lists.push_value(8);
        lists.end_row();
        let rows: Vec<&[u32]> = (0..lists.rows()).map(|i| lists.row(i)).collect();
        assert_eq!(rows, [&[4][..], &[], &[6], &[7, 8]]);
    }

    #[test]
    fn lists_keep_rows_apart() {
        let mut lists = Lists::default();
        lists.push_value(1);
        lists.push_value(2);
        lists.end_row();
        lists.end_row();
        lists.push_value(3);
        lists.end_row();
        assert_eq!(lists.rows(), 3);
        assert_eq!(lists.row(0), &[1, 2]);
        assert!(lists.row(1).is_empty());
        assert_eq!(lists.row(2), &[3]);
    }
}
