//! Interning strings to dense numbers.

use std::collections::HashMap;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;

/// Strings numbered densely in order of first appearance.
///
/// The table is keyed by a 64-bit hash of the string, with the text kept once in an arena:
/// a map keyed by boxed strings spent most of its time allocating and chasing pointers, and
/// a million ids must intern in well under a second. Two strings with equal hashes are
/// told apart by comparing text; the later one goes to a small second map. The seed is
/// random per interner, so crafted ids cannot aim for collisions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    text: String,
    ends: Vec<usize>,
    state: RandomState,
    by_hash: HashMap<u64, u32, RandomState>,
    collided: HashMap<Box<str>, u32, RandomState>,
}

impl Interner {
    /// The number of strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// String number `index`.
    pub(crate) fn get(&self, index: u32) -> &str {
        let index = index as usize;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.text[start..self.ends[index]]
    }

    fn hash(&self, s: &str) -> u64 {
        self.state.hash_one(s)
    }

    /// The number of `s`, if interned.
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        let &at = self.by_hash.get(&self.hash(s))?;
        if self.get(at) == s {
            Some(at)
        } else {
            self.collided.get(s).copied()
        }
    }

    /// The number of `s` and whether it is new. `None` when 2^32 strings are interned.
    pub(crate) fn intern(&mut self, s: &str) -> Option<(u32, bool)> {
        let hash = self.hash(s);
        let next = u32::try_from(self.ends.len())
            .ok()
            .filter(|&n| n < u32::MAX);
        match self.by_hash.get(&hash) {
            Some(&at) if self.get(at) == s => return Some((at, false)),
            Some(_) => {
                if let Some(&at) = self.collided.get(s) {
                    return Some((at, false));
                }
                self.collided.insert(s.into(), next?);
            }
            None => {
                self.by_hash.insert(hash, next?);
            }
        }
        self.text.push_str(s);
        self.ends.push(self.text.len());
        Some((next?, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_order_of_first_appearance() {
        let mut interner = Interner::default();
        assert_eq!(interner.intern("b"), Some((0, true)));
        assert_eq!(interner.intern(""), Some((1, true)));
        assert_eq!(interner.intern("a"), Some((2, true)));
        assert_eq!(interner.intern("b"), Some((0, false)));
        assert_eq!(interner.find("a"), Some(2));
        assert_eq!(interner.find("c"), None);
        assert_eq!(
            (interner.get(0), interner.get(1), interner.get(2)),
            ("b", "", "a")
        );
        assert_eq!(interner.len(), 3);
    }

    #[test]
    fn hash_collisions_are_told_apart() {
        // Force a collision by planting another string's number under "y"'s hash.
        let mut interner = Interner::default();
        interner.intern("x");
        let hash = interner.hash("y");
        interner.by_hash.insert(hash, 0);
        assert_eq!(interner.find("y"), None);
        assert_eq!(interner.intern("y"), Some((1, true)));
        assert_eq!(interner.intern("y"), Some((1, false)));
        assert_eq!(interner.find("y"), Some(1));
        assert_eq!(interner.find("x"), Some(0));
    }
}
