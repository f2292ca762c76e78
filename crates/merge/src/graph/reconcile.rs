//! Entity ids for new clusters: which old entity each cluster continues, and the events
//! that say what changed.

use foldhash::{HashMap, HashMapExt};
use sameas_core::{EntityId, RecordId};

use super::{Event, NONE};

/// How old an entity id is; smaller is older. Ids without a number come from outside (an
/// earlier system or a hand-edited file) and count as older than any id sameas numbered.
pub(super) fn age(id: &EntityId) -> (Option<u64>, &str) {
    (id.sequence(), id.as_str())
}

/// Gives each new cluster an entity id, reusing the old ids, and says what changed.
///
/// `old` lists the entities before the change with their records; `new_clusters` the
/// clusters after it (each non-empty, callers list them by smallest record id). Records are
/// indices that `record_id` turns into ids for the events. Records of `old` that no new
/// cluster holds are taken as gone.
///
/// - Each old entity follows the new cluster holding most of its records (on a tie, the one
///   listed first): a split leaves the id with the larger part.
/// - A cluster followed by several old entities keeps the oldest of their ids; the others
///   are absorbed (a merge keeps the older id).
/// - A cluster that no old entity follows gets `EntityId::numbered(*next_sequence)`, and
///   `next_sequence` moves on (first past every numbered id in `old`).
///
/// Returns the id of each new cluster and the events: per cluster in order `created`,
/// `merged` or `record_added`; then `split` per old entity whose records now lie in several
/// clusters; then `retired` per old entity that no cluster holds any record of. A cluster
/// equal to its old entity yields no event.
pub fn reconcile(
    record_id: impl Fn(u32) -> RecordId,
    old: &[(EntityId, Vec<u32>)],
    new_clusters: &[Vec<u32>],
    next_sequence: &mut u64,
) -> (Vec<EntityId>, Vec<Event>) {
    let newest_old = old.iter().filter_map(|(id, _)| id.sequence()).max();
    if let Some(newest) = newest_old {
        *next_sequence = (*next_sequence).max(newest.saturating_add(1));
    }
    let owner = Owners::new(old);
    // Parsed once: comparing ages is the inner step of choosing heirs.
    let ages: Vec<(Option<u64>, &str)> = old.iter().map(|(id, _)| age(id)).collect();
    let mut overlaps: Vec<Overlap> = Vec::new();
    let mut owners = Vec::new();
    for (cluster, members) in new_clusters.iter().enumerate() {
        owners.clear();
        owners.extend(members.iter().filter_map(|&record| owner.get(record)));
        owners.sort_unstable();
        for run in owners.chunk_by(|x, y| x == y) {
            overlaps.push(Overlap {
                entity: run[0],
                cluster: cluster as u32,
                shared: run.len() as u32,
            });
        }
    }
    // Per old entity, its largest part first (the first cluster on a tie).
    overlaps.sort_unstable_by(|x, y| {
        (x.entity.cmp(&y.entity))
            .then(y.shared.cmp(&x.shared))
            .then(x.cluster.cmp(&y.cluster))
    });

    // The cluster each old entity follows, the entities following each cluster, and the
    // oldest of those (the heir of its id).
    let mut followed: Vec<Option<u32>> = vec![None; old.len()];
    let mut followers: Vec<Vec<u32>> = vec![Vec::new(); new_clusters.len()];
    let mut heir: Vec<Option<u32>> = vec![None; new_clusters.len()];
    let mut splits: Vec<&[Overlap]> = Vec::new();
    for parts in overlaps.chunk_by(|x, y| x.entity == y.entity) {
        let (entity, cluster) = (parts[0].entity, parts[0].cluster);
        followed[entity as usize] = Some(cluster);
        followers[cluster as usize].push(entity);
        let slot = &mut heir[cluster as usize];
        if slot.is_none_or(|current| ages[entity as usize] < ages[current as usize]) {
            *slot = Some(entity);
        }
        if parts.len() > 1 {
            splits.push(parts);
        }
    }

    let ids: Vec<EntityId> = heir
        .iter()
        .map(|heir| match heir {
            Some(entity) => old[*entity as usize].0.clone(),
            None => {
                let id = EntityId::numbered(*next_sequence);
                *next_sequence += 1;
                id
            }
        })
        .collect();

    let mut events = Vec::new();
    for (cluster, members) in new_clusters.iter().enumerate() {
        let entity = &ids[cluster];
        let Some(heir) = heir[cluster] else {
            events.push(Event::Created {
                entity: entity.clone(),
                records: members.iter().map(|&r| record_id(r)).collect(),
            });
            continue;
        };
        let mut absorbed: Vec<&EntityId> = followers[cluster]
            .iter()
            .filter(|&&entity| entity != heir)
            .map(|&entity| &old[entity as usize].0)
            .collect();
        if absorbed.is_empty() {
            for &record in members {
                if owner.get(record) != Some(heir) {
                    events.push(Event::RecordAdded {
                        entity: entity.clone(),
                        record: record_id(record),
                    });
                }
            }
        } else {
            absorbed.sort_by(|x, y| age(x).cmp(&age(y)));
            events.push(Event::Merged {
                entity: entity.clone(),
                absorbed: absorbed.into_iter().cloned().collect(),
                records: members.iter().map(|&r| record_id(r)).collect(),
            });
        }
    }
    for parts in splits {
        events.push(Event::Split {
            entity: old[parts[0].entity as usize].0.clone(),
            into: parts
                .iter()
                .map(|part| ids[part.cluster as usize].clone())
                .collect(),
        });
    }
    for (entity, follows) in followed.iter().enumerate() {
        if follows.is_none() {
            events.push(Event::Retired {
                entity: old[entity].0.clone(),
            });
        }
    }
    (ids, events)
}

/// The old entity (its position in `old`) of each record.
enum Owners {
    /// Indexed by record: records are dense indices of one graph, usually.
    Dense(Vec<u32>),
    Sparse(HashMap<u32, u32>),
}

impl Owners {
    fn new(old: &[(EntityId, Vec<u32>)]) -> Self {
        let count: usize = old.iter().map(|(_, members)| members.len()).sum();
        let end = old
            .iter()
            .flat_map(|(_, members)| members.iter().max())
            .max()
            .map_or(0, |&last| last as usize + 1);
        if end <= count.saturating_mul(4) {
            let mut owner = vec![NONE; end];
            for (position, (_, members)) in old.iter().enumerate() {
                for &record in members {
                    owner[record as usize] = position as u32;
                }
            }
            Owners::Dense(owner)
        } else {
            let mut owner = HashMap::with_capacity(count);
            for (position, (_, members)) in old.iter().enumerate() {
                for &record in members {
                    owner.insert(record, position as u32);
                }
            }
            Owners::Sparse(owner)
        }
    }

    fn get(&self, record: u32) -> Option<u32> {
        match self {
            Owners::Dense(owner) => owner.get(record as usize).copied().filter(|&o| o != NONE),
            Owners::Sparse(owner) => owner.get(&record).copied(),
        }
    }
}

/// Records an old entity and a new cluster share.
#[derive(Debug, Clone, Copy)]
struct Overlap {
    /// Position in `old`.
    entity: u32,
    /// Position in `new_clusters`.
    cluster: u32,
    /// How many records they share.
    shared: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> RecordId {
        RecordId::from(text)
    }

    fn names(n: u32) -> impl Fn(u32) -> RecordId {
        move |record| {
            assert!(record < n);
            RecordId::from(format!("r{record}"))
        }
    }

    #[test]
    fn reconcile_without_old_numbers_clusters_in_order() {
        let mut next = 1;
        let (ids, events) = reconcile(names(3), &[], &[vec![0, 2], vec![1]], &mut next);
        assert_eq!(ids, [EntityId::numbered(1), EntityId::numbered(2)]);
        assert_eq!(next, 3);
        assert_eq!(events.len(), 2);
        assert!(matches!(&events[0], Event::Created { records, .. } if records.len() == 2));
    }

    #[test]
    fn reconcile_keeps_ids_of_unchanged_entities_silently() {
        let old = [
            (EntityId::numbered(7), vec![0, 1]),
            (EntityId::numbered(3), vec![2]),
        ];
        let mut next = 1;
        let (ids, events) = reconcile(names(3), &old, &[vec![0, 1], vec![2]], &mut next);
        assert_eq!(ids, [EntityId::numbered(7), EntityId::numbered(3)]);
        assert!(events.is_empty(), "{events:?}");
        assert_eq!(next, 8, "fresh numbers come after every number seen");
    }

    #[test]
    fn a_merge_keeps_the_oldest_id_whatever_the_order_of_old() {
        let old = [
            (EntityId::numbered(7), vec![1, 2, 3]),
            (EntityId::numbered(9), vec![4]),
            (EntityId::numbered(2), vec![0]),
        ];
        let mut next = 10;
        let (ids, events) = reconcile(names(5), &old, &[vec![0, 1, 2, 3, 4]], &mut next);
        assert_eq!(ids, [EntityId::numbered(2)]);
        assert_eq!(
            events,
            [Event::Merged {
                entity: EntityId::numbered(2),
                absorbed: vec![EntityId::numbered(7), EntityId::numbered(9)],
                records: (0..5).map(|r| id(&format!("r{r}"))).collect(),
            }]
        );
        assert_eq!(next, 10);
    }

    #[test]
    fn ids_without_a_number_count_as_older() {
        let old = [
            (EntityId::numbered(1), vec![0]),
            (EntityId::from("legacy-9"), vec![1]),
        ];
        let mut next = 2;
        let (ids, _) = reconcile(names(2), &old, &[vec![0, 1]], &mut next);
        assert_eq!(ids, [EntityId::from("legacy-9")]);
    }

    #[test]
    fn a_part_that_moves_logs_record_added_and_split() {
        // E1 = {0, 1, 2}, E2 = {3, 4}; record 2 moves over to E2.
        let old = [
            (EntityId::numbered(1), vec![0, 1, 2]),
            (EntityId::numbered(2), vec![3, 4]),
        ];
        let mut next = 3;
        let (ids, events) = reconcile(names(5), &old, &[vec![0, 1], vec![2, 3, 4]], &mut next);
        assert_eq!(ids, [EntityId::numbered(1), EntityId::numbered(2)]);
        assert_eq!(
            events,
            [
                Event::RecordAdded {
                    entity: EntityId::numbered(2),
                    record: id("r2"),
                },
                Event::Split {
                    entity: EntityId::numbered(1),
                    into: vec![EntityId::numbered(1), EntityId::numbered(2)],
                },
            ]
        );
    }
}
