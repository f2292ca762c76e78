//! The positive edges between records, as linked lists per record, and the set of
//! records a search over them has reached.

use foldhash::{HashSet, HashSetExt};
use serde::{Deserialize, Serialize};

use super::NONE;

/// One stored edge. Each record's edges form a linked list through `next`, so adding an edge
/// is constant time and a record costs one `u32` (its list's head) however many edges it has.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct StoredEdge {
    /// The two records; `[NONE, NONE]` for a free slot.
    pub(super) ends: [u32; 2],
    /// The next edge in each end's list.
    pub(super) next: [u32; 2],
    pub(super) weight: f64,
    pub(super) probability: f64,
}

impl StoredEdge {
    /// Which end `record` is (0 or 1).
    pub(super) fn side(&self, record: u32) -> usize {
        usize::from(self.ends[0] != record)
    }
}

/// The positive edges, about 32 bytes each and 4 per record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Adjacency {
    pub(super) head: Vec<u32>,
    pub(super) edges: Vec<StoredEdge>,
    pub(super) free: Vec<u32>,
}

impl Adjacency {
    pub(super) fn push_record(&mut self) {
        self.head.push(NONE);
    }

    /// The records sharing an edge with `record`, with the edge.
    pub(super) fn neighbours(&self, record: u32) -> impl Iterator<Item = (u32, &StoredEdge)> {
        let mut at = self.head[record as usize];
        std::iter::from_fn(move || {
            if at == NONE {
                return None;
            }
            let edge = &self.edges[at as usize];
            let side = edge.side(record);
            at = edge.next[side];
            Some((edge.ends[1 - side], edge))
        })
    }

    /// Adds an edge, or updates the scores of the one already between `a` and `b`.
    pub(super) fn insert(&mut self, a: u32, b: u32, weight: f64, probability: f64) {
        let mut at = self.head[a as usize];
        while at != NONE {
            let edge = &mut self.edges[at as usize];
            let side = edge.side(a);
            if edge.ends[1 - side] == b {
                edge.weight = weight;
                edge.probability = probability;
                return;
            }
            at = edge.next[side];
        }
        let edge = StoredEdge {
            ends: [a, b],
            next: [self.head[a as usize], self.head[b as usize]],
            weight,
            probability,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.edges[slot as usize] = edge;
                slot
            }
            None => {
                self.edges.push(edge);
                (self.edges.len() - 1) as u32
            }
        };
        self.head[a as usize] = slot;
        self.head[b as usize] = slot;
    }

    /// Drops every edge of `record`; returns its former neighbours.
    pub(super) fn remove_record(&mut self, record: u32) -> Vec<u32> {
        let mut slots = Vec::new();
        let mut at = self.head[record as usize];
        while at != NONE {
            slots.push(at);
            let edge = &self.edges[at as usize];
            at = edge.next[edge.side(record)];
        }
        let mut neighbours = Vec::with_capacity(slots.len());
        for &slot in &slots {
            let edge = self.edges[slot as usize];
            let other = edge.ends[1 - edge.side(record)];
            self.unlink(other, slot);
            neighbours.push(other);
            self.edges[slot as usize].ends = [NONE, NONE];
            self.free.push(slot);
        }
        self.head[record as usize] = NONE;
        neighbours
    }

    /// Takes edge `slot` out of `record`'s list.
    fn unlink(&mut self, record: u32, slot: u32) {
        let after = {
            let edge = &self.edges[slot as usize];
            edge.next[edge.side(record)]
        };
        let mut previous: Option<(u32, usize)> = None;
        let mut at = self.head[record as usize];
        while at != slot {
            let edge = &self.edges[at as usize];
            let side = edge.side(record);
            previous = Some((at, side));
            at = edge.next[side];
        }
        match previous {
            None => self.head[record as usize] = after,
            Some((before, side)) => self.edges[before as usize].next[side] = after,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.edges.len() - self.free.len()
    }
}

/// The records a search has reached: a hash set while few (most components are small), a
/// bit per record once many.
pub(super) enum Visited {
    Few(HashSet<u32>, usize),
    Many(Vec<u64>),
}

impl Visited {
    /// Past this many records a bit set is smaller and faster than the hash set.
    const FEW: usize = 2048;

    pub(super) fn new(records: usize) -> Self {
        Visited::Few(HashSet::new(), records)
    }

    /// Marks `record`; false if it was marked already.
    pub(super) fn insert(&mut self, record: u32) -> bool {
        match self {
            Visited::Few(set, records) => {
                let new = set.insert(record);
                if set.len() > Self::FEW {
                    let mut bits = vec![0u64; records.div_ceil(64)];
                    for &seen in set.iter() {
                        bits[seen as usize / 64] |= 1 << (seen % 64);
                    }
                    *self = Visited::Many(bits);
                }
                new
            }
            Visited::Many(bits) => {
                let (word, bit) = (record as usize / 64, 1u64 << (record % 64));
                let new = bits[word] & bit == 0;
                bits[word] |= bit;
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacency_unlinks_from_the_middle_of_a_list() {
        let mut adjacency = Adjacency::default();
        for _ in 0..4 {
            adjacency.push_record();
        }
        adjacency.insert(0, 1, 1.0, 0.9);
        adjacency.insert(0, 2, 2.0, 0.9);
        adjacency.insert(0, 3, 3.0, 0.9);
        adjacency.insert(2, 0, 5.0, 0.95);
        assert_eq!(adjacency.len(), 3, "a repeated pair updates its edge");
        assert_eq!(adjacency.remove_record(2), [0]);
        let mut left: Vec<u32> = adjacency.neighbours(0).map(|(other, _)| other).collect();
        left.sort_unstable();
        assert_eq!(left, [1, 3]);
        assert_eq!(adjacency.len(), 2);
        adjacency.insert(1, 3, 1.0, 0.8);
        assert_eq!(adjacency.edges.len(), 3, "a freed slot is reused");
    }
}
