//! A threshold sweep against plain batch runs.

use sameas::{Control, HouseholdGuard, Resolver};

use crate::{generated, partition};

/// Sorted groups of record ids from sweep labels.
fn groups(ids: &[sameas::RecordId], labels: &[u32], clusters: usize) -> Vec<Vec<String>> {
    let mut groups = vec![Vec::new(); clusters];
    for (id, &label) in ids.iter().zip(labels) {
        groups[label as usize].push(id.to_string());
    }
    for group in &mut groups {
        group.sort();
    }
    groups.sort();
    groups
}

#[test]
fn each_sweep_point_is_the_partition_a_resolve_at_that_threshold_gives() {
    let (input, _) = generated(2_000, 7);
    let thresholds = [0.05, 0.4, 0.8, 0.99];
    let mut fitted = Resolver::new();
    fitted.fit(&input, &Control::none()).unwrap();
    for guard in [HouseholdGuard::NoPersonalDisagreement, HouseholdGuard::Off] {
        let mut config = fitted.config().unwrap().clone();
        config.clustering.household_guard = guard;
        let sweep = Resolver::with_config(config.clone())
            .unwrap()
            .sweep(&input, &thresholds, &Control::none())
            .unwrap();
        let mut sizes = Vec::new();
        for (point, &t) in sweep.points.iter().zip(&thresholds) {
            assert_eq!(point.threshold, t);
            let mut at = config.clone();
            at.matching.threshold = t;
            at.clustering.review_from = at.clustering.review_from.min(t);
            let mut resolver = Resolver::with_config(at).unwrap();
            let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
            assert_eq!(resolution.report.candidate_pairs, sweep.candidate_pairs);
            let ids: Vec<_> = resolution.entities.iter().map(|(r, _)| r.clone()).collect();
            assert_eq!(ids, sweep.ids);
            assert_eq!(
                groups(&sweep.ids, &point.labels, point.clusters),
                partition(&resolver.entities()),
                "{guard:?} at {t}"
            );
            sizes.push(point.clusters);
        }
        // The thresholds must make a difference, or the comparison proves little.
        assert!(sizes[0] < sizes[sizes.len() - 1], "{sizes:?}");
    }
}
