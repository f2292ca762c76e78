//! Tuning aids: a threshold sweep (score once, cluster at many thresholds) and the candidate
//! pairs blocking finds, for measuring blocking against a truth.

use sameas_core::RecordId;

use crate::control::Control;
use crate::input::InputTable;
use crate::resolution::Timings;
use crate::resolver::{
    Constraints, Scored, block, complete_components, edge_guard, train_block_score,
};
use crate::{Error, Resolver};

/// A table clustered at several thresholds from one scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// Record ids, in input order.
    pub ids: Vec<RecordId>,
    /// Candidate pairs scored.
    pub candidate_pairs: u64,
    /// One clustering per threshold, in the order asked.
    pub points: Vec<SweepPoint>,
}

/// The clustering at one threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// The match threshold.
    pub threshold: f64,
    /// Per record (as [`Sweep::ids`]), its cluster: `0..clusters`.
    pub labels: Vec<u32>,
    /// Number of clusters.
    pub clusters: usize,
}

impl Resolver {
    /// Reads `input`, trains when the configuration has no model (keeping it, as
    /// [`Resolver::fit`] does), blocks and scores once, then clusters at every threshold with
    /// the configuration's method, household guard, constraints and overrides. The
    /// clustering at `t` is the partition [`Resolver::resolve`] gives with the threshold
    /// set to `t`. Held records are left as they are.
    ///
    /// ```
    /// use sameas::{Control, InputTable, Resolver};
    /// use sameas::table::read_csv;
    /// use sameas_core::Channel;
    ///
    /// let csv = "id,name,phone\n1,张伟,13800138000\n2,張偉,13800138000\n3,王芳,13900001111\n";
    /// let input = InputTable::new(read_csv(csv.as_bytes(), None).unwrap(), Channel::App);
    /// let sweep = Resolver::new().sweep(&input, &[0.5, 0.9], &Control::none()).unwrap();
    /// assert_eq!(sweep.points.len(), 2);
    /// assert_eq!(sweep.points[0].labels.len(), 3);
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] for a threshold outside (0, 1) or below the configuration's
    /// `clustering.cannot_link_below` (a pair would be both an edge and a cannot-link);
    /// otherwise as [`Resolver::resolve`].
    pub fn sweep(
        &mut self,
        input: &InputTable,
        thresholds: &[f64],
        control: &Control,
    ) -> Result<Sweep, Error> {
        let (_, data, mut config) = self.read_dataset(input, control)?;
        let lowest = config.clustering.cannot_link_below;
        if let Some(t) = thresholds
            .iter()
            .find(|&&t| !(t > 0.0 && t < 1.0 && t >= lowest))
        {
            return Err(Error::Config(format!(
                "sweep threshold {t} must be below 1, above 0 and at least \
                 clustering.cannot_link_below ({lowest})"
            )));
        }
        let trains = config.matching.model.is_none();
        let Scored {
            scored,
            matcher,
            frequencies,
            ..
        } = train_block_score(&mut config, &data, &mut Timings::default(), control)?;
        let candidate_pairs = scored.len() as u64;
        let guard = edge_guard(&config);
        let mut points = Vec::with_capacity(thresholds.len());
        for &threshold in thresholds {
            control.check()?;
            // Each threshold completes its own positive components, as a resolve at that
            // threshold does.
            let mut completed = scored.clone();
            let mask = complete_components(
                &mut completed,
                |p| matcher.score(p),
                data.len(),
                threshold,
                guard.as_ref(),
            );
            let constraints = Constraints::new(&config, &data, &completed);
            let (_, clustering) =
                constraints.cluster(&config, &data.ids, &completed, &mask, guard.as_ref());
            points.push(SweepPoint {
                threshold,
                labels: clustering.labels,
                clusters: clustering.clusters,
            });
        }
        if trains {
            config.term_frequencies = Some(frequencies);
            self.set_config(config);
        }
        Ok(Sweep {
            ids: data.ids,
            candidate_pairs,
            points,
        })
    }

    /// The candidate pairs blocking finds among the held records, each pair once, as record
    /// ids: after [`Resolver::resolve`], exactly the pairs it scored (blocking runs again, so
    /// this costs a blocking pass). Pairs naming a removed record are left out.
    ///
    /// # Errors
    /// [`Error::NothingResolved`] when no records are held.
    pub fn candidate_pairs(&self) -> Result<Vec<(RecordId, RecordId)>, Error> {
        let config = self.config().ok_or(Error::NothingResolved)?;
        let (data, is_held) = self.held().ok_or(Error::NothingResolved)?;
        let candidates = block(config, data)?;
        Ok(candidates
            .pairs
            .iter()
            .filter(|&&(a, b)| is_held(a) && is_held(b))
            .map(|&(a, b)| (data.ids[a as usize].clone(), data.ids[b as usize].clone()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_csv;
    use sameas_core::Channel;

    fn input(csv: &str) -> InputTable {
        InputTable::new(read_csv(csv.as_bytes(), None).unwrap(), Channel::App)
    }

    const CSV: &str = "id,name,phone,birth_date\n\
                       1,张伟,138-0013-8000,1990-01-02\n\
                       2,張偉,+86 138 0013 8000,1990/1/2\n\
                       3,王芳,139-0000-1111,1985-05-06\n\
                       4,王芳,139-0000-1111,\n\
                       5,李娜,137-1234-5678,1979-12-30\n";

    #[test]
    fn refuses_thresholds_a_resolve_would_refuse() {
        let mut resolver = Resolver::new();
        for bad in [0.0, 1.0, 0.005, f64::NAN] {
            let err = resolver
                .sweep(&input(CSV), &[0.5, bad], &Control::none())
                .unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{bad}: {err}");
        }
        assert!(!resolver.is_fitted());
    }

    #[test]
    fn keeps_the_model_it_trains_and_leaves_held_records() {
        let mut resolver = Resolver::new();
        assert!(matches!(
            resolver.candidate_pairs(),
            Err(Error::NothingResolved)
        ));
        let sweep = resolver
            .sweep(&input(CSV), &[0.5], &Control::none())
            .unwrap();
        assert!(resolver.is_fitted());
        assert!(resolver.is_empty());
        assert_eq!(sweep.ids.len(), 5);
        let resolution = resolver
            .resolve(&input(CSV), None, &Control::none())
            .unwrap();
        let pairs = resolver.candidate_pairs().unwrap();
        assert_eq!(pairs.len() as u64, resolution.report.candidate_pairs);
        assert_eq!(pairs.len() as u64, sweep.candidate_pairs);
        resolver.remove("1").unwrap();
        assert!(
            resolver
                .candidate_pairs()
                .unwrap()
                .iter()
                .all(|(a, b)| a.as_str() != "1" && b.as_str() != "1")
        );
    }
}
