//! Explanations: a pair's comparisons as the batch run scored them, and an entity's joins
//! with the ones a constraint refused.

use sameas_core::{EntityId, RecordId};
use sameas_match::{Matcher, PairExplanation};
use sameas_merge::cluster::{Join, JoinOutcome, Refusal};
use serde::Serialize;

use super::Resolver;
use crate::Error;

/// Why an entity is what it is: its records and the joins that built it, with the joins
/// that were refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityExplanation {
    /// The entity.
    pub entity: EntityId,
    /// Its records.
    pub records: Vec<RecordId>,
    /// Joins that built it, strongest first.
    pub joins: Vec<JoinExplanation>,
    /// Joins touching its records that a constraint refused.
    pub refused: Vec<JoinExplanation>,
    /// Values of its records treated as missing because many unrelated records share
    /// them (which record, which field; never the value).
    pub generic: Vec<String>,
}

/// What became of a logged join, as explanations and the review file name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum JoinDecision {
    /// The pair's edge joined two clusters.
    #[serde(rename = "joined")]
    Joined,
    /// A person's must-link joined them.
    #[serde(rename = "must_link")]
    MustLink,
    /// Refused: the two clusters hold a pair with personal evidence against (or a manual
    /// cannot-link).
    #[serde(rename = "refused: cannot_link")]
    RefusedCannotLink,
    /// Refused: the two clusters hold different values of a field that identifies one
    /// person (a national id).
    #[serde(rename = "refused: exclusive")]
    RefusedExclusive,
    /// Refused: one side fits two clusters that are different people equally well, and
    /// is kept apart rather than guessed.
    #[serde(rename = "refused: ambiguous")]
    RefusedAmbiguous,
}

impl JoinDecision {
    /// The name explanations print: `joined`, `must_link`, `refused: cannot_link`,
    /// `refused: exclusive`, `refused: ambiguous`.
    pub fn as_str(self) -> &'static str {
        match self {
            JoinDecision::Joined => "joined",
            JoinDecision::MustLink => "must_link",
            JoinDecision::RefusedCannotLink => "refused: cannot_link",
            JoinDecision::RefusedExclusive => "refused: exclusive",
            JoinDecision::RefusedAmbiguous => "refused: ambiguous",
        }
    }

    /// Whether the join was refused.
    pub fn is_refused(self) -> bool {
        matches!(
            self,
            JoinDecision::RefusedCannotLink
                | JoinDecision::RefusedExclusive
                | JoinDecision::RefusedAmbiguous
        )
    }
}

impl std::fmt::Display for JoinDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One logged join.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinExplanation {
    /// The first record.
    pub record_id_l: RecordId,
    /// The second record.
    pub record_id_r: RecordId,
    /// Match probability of the pair.
    pub match_probability: f64,
    /// Match weight of the pair.
    pub match_weight: f64,
    /// Joined, must-linked, or the constraint that refused it.
    pub outcome: JoinDecision,
    /// For a refusal by a cannot-link pair: that pair.
    pub evidence: Option<(RecordId, RecordId)>,
    /// For a refusal: why, in words (the constraint and the evidence that holds it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Resolver {
    /// Every comparison's level, m, u and weight for two held records, scored exactly as the
    /// batch run scored them (frozen term frequencies).
    ///
    /// # Errors
    /// No model, no records, or an unknown record id.
    pub fn explain_pair(&self, a: &str, b: &str) -> Result<PairExplanation, Error> {
        let (config, frequencies) = self.frozen().ok_or(Error::NotFitted)?;
        let state = self.state().ok_or(Error::NothingResolved)?;
        let ia = state
            .index_of(&RecordId::from(a))
            .ok_or(Error::UnknownRecord)?;
        let ib = state
            .index_of(&RecordId::from(b))
            .ok_or(Error::UnknownRecord)?;
        let local = state.subset(&[ia, ib])?;
        let matcher = Matcher::with_term_frequencies(&config.matching, &local, frequencies)?;
        let mut explanation = matcher.explain(0, 1);
        explanation.notes = state.generic_notes(&config.schema, &[ia, ib]);
        Ok(explanation)
    }

    /// The records of an entity and the joins that built it, with the refused ones.
    ///
    /// # Errors
    /// [`Error::UnknownEntity`] or [`Error::NothingResolved`].
    pub fn explain_entity(&self, entity: &str) -> Result<EntityExplanation, Error> {
        let state = self.state().ok_or(Error::NothingResolved)?;
        let id = EntityId::from(entity);
        let members = state
            .graph
            .members(&id)
            .ok_or_else(|| Error::UnknownEntity(entity.to_string()))?
            .to_vec();
        let member_set: foldhash::HashSet<u32> = members.iter().copied().collect();
        let mut joins = Vec::new();
        let mut refused = Vec::new();
        let explain = |join: &Join| JoinExplanation {
            record_id_l: state.data.ids[join.a as usize].clone(),
            record_id_r: state.data.ids[join.b as usize].clone(),
            match_probability: join.probability,
            match_weight: join.weight,
            outcome: decision(&join.outcome),
            evidence: match &join.outcome {
                JoinOutcome::Refused(
                    Refusal::CannotLink { a, b }
                    | Refusal::Ambiguous { a, b }
                    | Refusal::Exclusive { a, b, .. },
                ) => Some((
                    state.data.ids[*a as usize].clone(),
                    state.data.ids[*b as usize].clone(),
                )),
                _ => None,
            },
            reason: match &join.outcome {
                JoinOutcome::Refused(refusal) => Some(self.refusal_reason(refusal)),
                _ => None,
            },
        };
        for join in state.joins.iter().flatten() {
            let (a_in, b_in) = (member_set.contains(&join.a), member_set.contains(&join.b));
            match join.outcome {
                JoinOutcome::Refused(_) if a_in || b_in => refused.push(explain(join)),
                JoinOutcome::Joined | JoinOutcome::MustLink if a_in && b_in => {
                    joins.push(explain(join));
                }
                _ => {}
            }
        }
        let by_strength = |x: &JoinExplanation, y: &JoinExplanation| {
            y.match_probability
                .total_cmp(&x.match_probability)
                .then(y.match_weight.total_cmp(&x.match_weight))
        };
        joins.sort_by(by_strength);
        refused.sort_by(by_strength);
        let generic = self
            .config()
            .map(|c| state.generic_notes(&c.schema, &members))
            .unwrap_or_default();
        Ok(EntityExplanation {
            entity: id,
            generic,
            records: members
                .iter()
                .map(|&m| state.data.ids[m as usize].clone())
                .collect(),
            joins,
            refused,
        })
    }

    /// The joins the clustering refused (a cannot-link or two identifying values), as the
    /// two records of each refused edge, in record-id order.
    pub fn refused_joins(&self) -> Vec<(RecordId, RecordId)> {
        let Some(state) = self.state() else {
            return Vec::new();
        };
        let mut refused: Vec<(RecordId, RecordId)> = state
            .joins
            .iter()
            .flatten()
            .filter(|j| matches!(j.outcome, JoinOutcome::Refused(_)))
            .map(|j| {
                (
                    state.data.ids[j.a as usize].clone(),
                    state.data.ids[j.b as usize].clone(),
                )
            })
            .collect();
        refused.sort();
        refused
    }
}

impl Resolver {
    /// A refusal in words: the constraint, and for a cannot-link the comparisons of the
    /// evidence pair that disagree.
    fn refusal_reason(&self, refusal: &Refusal) -> String {
        let Some(state) = self.state() else {
            return "refused".to_string();
        };
        let id = |i: u32| state.data.ids[i as usize].clone();
        match refusal {
            Refusal::CannotLink { a, b } => {
                let (a, b) = (id(*a), id(*b));
                let disagreeing = self
                    .explain_pair(a.as_str(), b.as_str())
                    .map(|e| {
                        e.comparisons
                            .iter()
                            .filter(|c| c.weight < 0.0 && c.level == "different")
                            .map(|c| format!("{} different ({:.1} bits)", c.comparison, c.weight))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                if disagreeing.is_empty() {
                    format!("{a} and {b} were decided to be different customers")
                } else {
                    format!(
                        "{a} and {b}, one on each side, are different people: {}",
                        disagreeing.join(", ")
                    )
                }
            }
            Refusal::Exclusive { a, b, .. } => format!(
                "{} and {}, one on each side, hold different valid values of a field that \
                 identifies one person (a national id)",
                id(*a),
                id(*b)
            ),
            Refusal::Ambiguous { a, b } => format!(
                "the join would take one of two customers that are different people ({} and \
                 {}), and neither fits clearly better: kept apart rather than guessed",
                id(*a),
                id(*b)
            ),
            #[allow(unreachable_patterns)]
            _ => "refused".to_string(),
        }
    }
}

pub(super) fn decision(outcome: &JoinOutcome) -> JoinDecision {
    match outcome {
        JoinOutcome::Joined => JoinDecision::Joined,
        JoinOutcome::MustLink => JoinDecision::MustLink,
        JoinOutcome::Refused(Refusal::CannotLink { .. }) => JoinDecision::RefusedCannotLink,
        JoinOutcome::Refused(Refusal::Exclusive { .. }) => JoinDecision::RefusedExclusive,
        JoinOutcome::Refused(Refusal::Ambiguous { .. }) => JoinDecision::RefusedAmbiguous,
    }
}
