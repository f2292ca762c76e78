//! The seeded random source: PCG-64 (MCG variant) from `rand_pcg`, whose output is fixed by
//! its algorithm, with the few draws the generator needs written here so that no change to a
//! distribution in a dependency can change the data.

use rand_pcg::Pcg64Mcg;
use rand_pcg::rand_core::Rng as _;

/// SplitMix64's finaliser: spreads a counter into a well-mixed 64-bit word.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A random source derived from the run's seed and a stream (a household index, say), so
/// that each unit of work draws the same numbers whichever thread runs it.
pub(crate) struct Draw {
    rng: Pcg64Mcg,
}

impl Draw {
    /// The source for `(seed, domain, index)`; `domain` separates independent uses.
    pub(crate) fn new(seed: u64, domain: u64, index: u64) -> Draw {
        let high = mix64(seed ^ mix64(domain));
        let low = mix64(index ^ mix64(high));
        Draw {
            rng: Pcg64Mcg::new((u128::from(high) << 64) | u128::from(low)),
        }
    }

    /// A uniform 64-bit word.
    pub(crate) fn word(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A uniform integer in `0..n` (`n > 0`), by multiply-shift; the bias is below 2⁻⁴⁰ for
    /// every table size used here.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.word()) * n as u128) >> 64) as usize
    }

    /// A uniform integer in `low..=high`.
    pub(crate) fn range(&mut self, low: u32, high: u32) -> u32 {
        low + self.below((high - low + 1) as usize) as u32
    }

    /// A uniform float in `[0, 1)` from 53 random bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.word() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniformly chosen element.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index drawn in proportion to `weights` (not all zero).
    pub(crate) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if target < *w {
                return i;
            }
            target -= w;
        }
        weights.len() - 1
    }

    /// An element of a table of `(weight, item)` pairs drawn in proportion to its weight.
    pub(crate) fn weighted_pick<T: Copy>(&mut self, table: &[(u32, T)], total: u32) -> T {
        let mut target = self.below(total as usize) as u32;
        for &(w, item) in table {
            if target < w {
                return item;
            }
            target -= w;
        }
        table[table.len() - 1].1
    }
}

/// The sum of a weighted table's weights.
pub(crate) const fn total_weight<T>(table: &[(u32, T)]) -> u32 {
    let mut total = 0;
    let mut i = 0;
    while i < table.len() {
        total += table[i].0;
        i += 1;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_stable_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Draw::new(1, 2, 3).word()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Draw::new(1, 2, 3).word(), Draw::new(1, 2, 4).word());
        assert_ne!(Draw::new(1, 2, 3).word(), Draw::new(2, 2, 3).word());
    }

    #[test]
    fn draws_stay_in_range_and_follow_weights() {
        let mut draw = Draw::new(7, 0, 0);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            assert!(draw.below(5) < 5);
            let r = draw.range(3, 4);
            assert!((3..=4).contains(&r));
            counts[draw.weighted(&[1.0, 2.0, 7.0])] += 1;
        }
        assert!((2_700..3_300).contains(&counts[0]), "{counts:?}");
        assert!((20_300..21_700).contains(&counts[2]), "{counts:?}");
    }
}
