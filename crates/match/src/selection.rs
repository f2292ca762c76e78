//! Choosing blocking rules from the data: every candidate rule's pairs are counted, a sample
//! of them scored with the trained model, and rules are taken greedily by the expected
//! matches they add per pair they add, within a pair budget.
//!
//! A rule whose pairs would pass what is left of the budget is not simply lost: its blocks
//! grow as the square of the data where its key space does not grow with it (a common name
//! within a district), so it is tried again sub-blocked by each further key
//! ([`RuleSelection::sub_keys`], [`sub_blocked_rules`]), and those rules compete like any
//! other ([`choose_rules`] with the rules already taken kept first).
//!
//! A rule's yield is what the model expects among its pairs, not a constant fitted to a file:
//! a rule on a placeholder postcode brings millions of pairs and few matches, a rule on a
//! rare full name few pairs and mostly matches. The choice is deterministic for given data:
//! samples are taken at an even stride over pairs listed in record order.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::{BlockIndex, BlockingRule};
use crate::keys::KeyRef;
use crate::score::Matcher;
use crate::{Dataset, MatchError};

/// How blocking rules are chosen at fit time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleSelection {
    /// The pair budget: at most this many candidate pairs per record, over all rules.
    pub pairs_per_record: f64,
    /// Pairs sampled (at an even stride) from each rule to estimate its yield.
    pub sample_pairs: usize,
    /// A rule is taken only while at least this share of the new pairs it adds are
    /// expected matches.
    pub min_match_share: f64,
    /// Keys that split the blocks of a rule whose pairs would pass the budget.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sub_keys: Vec<SubKey>,
}

/// A key that splits another rule's blocks: `name_pinyin+district` by `birth_year` gives
/// `name_pinyin+district+birth_year`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubKey {
    /// How it reads in a rule's name.
    pub name: String,
    /// The key.
    pub key: KeyRef,
}

impl Default for RuleSelection {
    fn default() -> Self {
        RuleSelection {
            pairs_per_record: 10.0,
            sample_pairs: 20_000,
            min_match_share: 0.002,
            sub_keys: Vec::new(),
        }
    }
}

impl RuleSelection {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`MatchError::Config`] naming the setting out of range.
    pub fn validate(&self) -> Result<(), MatchError> {
        if !(self.pairs_per_record.is_finite() && self.pairs_per_record > 0.0) {
            return Err(MatchError::Config(
                "blocking.select.pairs_per_record must be a positive number".into(),
            ));
        }
        if self.sample_pairs == 0 {
            return Err(MatchError::Config(
                "blocking.select.sample_pairs must be at least 1".into(),
            ));
        }
        if !(0.0..1.0).contains(&self.min_match_share) {
            return Err(MatchError::Config(
                "blocking.select.min_match_share must be in [0, 1)".into(),
            ));
        }
        Ok(())
    }
}

/// What was decided for one candidate rule, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleChoice {
    /// The rule.
    pub rule: String,
    /// Pairs in its uncapped blocks.
    pub pairs: u64,
    /// Matches the model expects among them.
    pub expected_matches: f64,
    /// When taken: the pairs it added beyond the rules taken before it (estimated).
    pub new_pairs: f64,
    /// When taken: the expected matches among those.
    pub new_matches: f64,
    /// Whether it was taken, and in which place (1 = first).
    pub taken: Option<usize>,
    /// Left out only because its new pairs would pass the budget: worth sub-blocking.
    pub over_budget: bool,
    /// Why, in words.
    pub reason: String,
}

/// One rule's sample: its pairs' count, the sampled pairs and their match probabilities.
struct RuleSample {
    pairs: u64,
    sample: Vec<(u32, u32)>,
    probabilities: Vec<f64>,
    /// Per sampled pair, whether a taken rule already holds it.
    covered: Vec<bool>,
}

impl RuleSample {
    /// Pairs and expected matches this rule would add beyond the covered ones.
    fn gain(&self) -> (f64, f64) {
        if self.sample.is_empty() {
            return (0.0, 0.0);
        }
        let scale = self.pairs as f64 / self.sample.len() as f64;
        let (mut pairs, mut matches) = (0.0, 0.0);
        for (p, &covered) in self.probabilities.iter().zip(&self.covered) {
            if !covered {
                pairs += 1.0;
                matches += p;
            }
        }
        (pairs * scale, matches * scale)
    }
}

/// Chooses rules of `index` (indices, in the order taken) and says why for each candidate.
/// `matcher` is compiled over `data` with the trained model. The rules `first` names are
/// taken first, in that order, whatever their yield (a choice made before, continued with
/// more candidates).
pub fn choose_rules(
    selection: &RuleSelection,
    index: &BlockIndex,
    data: &Dataset,
    matcher: &Matcher,
    first: &[usize],
) -> (Vec<usize>, Vec<RuleChoice>) {
    let rules = index.rule_count();
    let mut samples: Vec<RuleSample> = (0..rules)
        .map(|r| {
            let crate::RulePairSample {
                pairs: total,
                sample,
            } = index.training_sample(data, r, selection.sample_pairs);
            let probabilities = matcher.score(&sample).probabilities;
            RuleSample {
                pairs: total,
                covered: vec![false; sample.len()],
                sample,
                probabilities,
            }
        })
        .collect();
    let mut choices: Vec<RuleChoice> = samples
        .iter()
        .enumerate()
        .map(|(r, s)| RuleChoice {
            rule: index.rule_name(r).to_string(),
            pairs: s.pairs,
            expected_matches: s.gain().1,
            new_pairs: 0.0,
            new_matches: 0.0,
            taken: None,
            over_budget: false,
            reason: String::new(),
        })
        .collect();
    let budget = selection.pairs_per_record * data.len() as f64;
    let mut spent = 0.0;
    let mut taken: Vec<usize> = Vec::new();
    let mut first = first.iter();
    loop {
        let next = match first.next() {
            Some(&r) => {
                let (pairs, matches) = samples[r].gain();
                Some((r, pairs, matches))
            }
            None => {
                let mut best: Option<(usize, f64, f64)> = None;
                for (r, sample) in samples.iter().enumerate() {
                    if taken.contains(&r) {
                        continue;
                    }
                    let (pairs, matches) = sample.gain();
                    if pairs <= 0.0
                        || matches <= 0.0
                        || matches < selection.min_match_share * pairs
                        || spent + pairs > budget
                    {
                        continue;
                    }
                    if best.is_none_or(|(_, bp, bm)| matches * bp > bm * pairs) {
                        best = Some((r, pairs, matches));
                    }
                }
                best
            }
        };
        let Some((r, pairs, matches)) = next else {
            break;
        };
        take(
            r,
            pairs,
            matches,
            &mut taken,
            &mut choices,
            index,
            &mut samples,
        );
        spent += pairs;
    }
    for (r, choice) in choices.iter_mut().enumerate() {
        if choice.taken.is_some() {
            continue;
        }
        let (pairs, matches) = samples[r].gain();
        choice.new_pairs = pairs;
        choice.new_matches = matches;
        choice.reason = if samples[r].pairs == 0 {
            "left out: no two records share a key in an uncapped block".to_string()
        } else if pairs <= 0.0 || matches <= 0.0 {
            "left out: the rules taken already hold its expected matches".to_string()
        } else if matches < selection.min_match_share * pairs {
            format!(
                "left out: only {:.3}% of the pairs it would add are expected matches",
                100.0 * matches / pairs
            )
        } else {
            choice.over_budget = true;
            format!(
                "left out: its {pairs:.0} new pairs would pass the budget of {:.0} pairs per record",
                selection.pairs_per_record
            )
        };
    }
    (taken, choices)
}

/// Takes rule `r`, which adds `pairs` pairs holding `matches` expected matches: its place,
/// its reason, and its pairs marked covered in every sample.
fn take(
    r: usize,
    pairs: f64,
    matches: f64,
    taken: &mut Vec<usize>,
    choices: &mut [RuleChoice],
    index: &BlockIndex,
    samples: &mut [RuleSample],
) {
    taken.push(r);
    choices[r].new_pairs = pairs;
    choices[r].new_matches = matches;
    choices[r].taken = Some(taken.len());
    choices[r].reason = format!(
        "taken {}: adds about {:.0} pairs holding {:.1} expected matches ({:.2}% of them)",
        taken.len(),
        pairs,
        matches,
        100.0 * matches.max(0.0) / pairs.max(1.0)
    );
    // Only the samples of rules not taken are read again (a taken rule's gain is settled).
    samples
        .par_iter_mut()
        .enumerate()
        .filter(|(rule, _)| !taken.contains(rule))
        .for_each(|(_, s)| {
            for (pair, covered) in s.sample.iter().zip(s.covered.iter_mut()) {
                if !*covered && index.shares_uncapped_key(r, pair.0 as usize, pair.1 as usize) {
                    *covered = true;
                }
            }
        });
}

/// For each rule `choices` leaves out only for the budget, that rule sub-blocked by each
/// of `sub_keys` whose fields it does not already read, with the index of the rule it
/// splits. The sub-blocked rule keeps the rule's own block cap.
pub fn sub_blocked_rules(
    rules: &[BlockingRule],
    choices: &[RuleChoice],
    sub_keys: &[SubKey],
) -> Vec<(usize, BlockingRule)> {
    let mut out = Vec::new();
    for (r, (rule, choice)) in rules.iter().zip(choices).enumerate() {
        if !choice.over_budget {
            continue;
        }
        for sub in sub_keys {
            let overlaps = rule
                .keys
                .iter()
                .any(|k| k.fields.iter().any(|f| sub.key.fields.contains(f)));
            if overlaps {
                continue;
            }
            let mut keys = rule.keys.clone();
            keys.push(sub.key.clone());
            out.push((
                r,
                BlockingRule {
                    name: format!("{}+{}", rule.name, sub.name),
                    keys,
                    max_block_size: rule.max_block_size,
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_out_of_range_are_refused() {
        assert!(RuleSelection::default().validate().is_ok());
        for bad in [
            RuleSelection {
                pairs_per_record: 0.0,
                ..RuleSelection::default()
            },
            RuleSelection {
                sample_pairs: 0,
                ..RuleSelection::default()
            },
            RuleSelection {
                min_match_share: 1.0,
                ..RuleSelection::default()
            },
        ] {
            assert!(bad.validate().is_err());
        }
    }
}
