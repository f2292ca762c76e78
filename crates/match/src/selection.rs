//! Choosing blocking rules from the data: every candidate rule's pairs are counted, a sample
//! of them scored with the trained model, and rules are taken greedily by the expected
//! matches they add per pair they add, within a pair budget.
//!
//! A rule's yield is what the model expects among its pairs, not a constant fitted to a file:
//! a rule on a placeholder postcode brings millions of pairs and few matches, a rule on a
//! rare full name few pairs and mostly matches. The choice is deterministic for given data:
//! samples are taken at an even stride over pairs listed in record order.
//!
//! A rule whose pairs would pass the budget is not simply left out: its blocks grow with the
//! data (a common name within a district holds hundreds of records at 3M), while its small
//! blocks (a rare name) hold most of its matches. It is taken with a tighter block cap, the
//! largest power of two whose pairs fit the budget, so candidate pairs per record stay
//! nearly constant as the data grows and the rule still finds what its small blocks hold.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::BlockIndex;
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
}

impl Default for RuleSelection {
    fn default() -> Self {
        RuleSelection {
            pairs_per_record: 10.0,
            sample_pairs: 20_000,
            min_match_share: 0.001,
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
    /// When taken with a tighter cap than the index's: its blocks' largest size.
    pub max_block_size: Option<usize>,
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
    /// Per sampled pair, the size of the smallest block of this rule that holds it.
    sizes: Vec<usize>,
}

impl RuleSample {
    /// Pairs and expected matches this rule would add beyond the covered ones.
    fn gain(&self) -> (f64, f64) {
        self.gain_within(usize::MAX)
    }

    /// As [`RuleSample::gain`], with the rule's blocks capped at `cap` records.
    fn gain_within(&self, cap: usize) -> (f64, f64) {
        if self.sample.is_empty() {
            return (0.0, 0.0);
        }
        let scale = self.pairs as f64 / self.sample.len() as f64;
        let (mut pairs, mut matches) = (0.0, 0.0);
        for ((p, &covered), &size) in self
            .probabilities
            .iter()
            .zip(&self.covered)
            .zip(&self.sizes)
        {
            if !covered && size <= cap {
                pairs += 1.0;
                matches += p;
            }
        }
        (pairs * scale, matches * scale)
    }
}

/// Tighter caps tried for a rule that does not fit the budget, largest first.
const TIGHTER_CAPS: [usize; 8] = [256, 128, 64, 32, 16, 8, 4, 2];

/// A rule chosen, with the block cap it was taken with when tighter than the index's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TakenRule {
    /// The rule's index.
    pub rule: usize,
    /// Its blocks' largest size, when capped tighter to fit the budget
    /// ([`BlockIndex::recap`]).
    pub max_block_size: Option<usize>,
}

/// Chooses rules of `index` (in the order taken, each with the tighter cap it may need) and
/// says why for each candidate. `matcher` is compiled over `data` with the trained model.
pub fn choose_rules(
    selection: &RuleSelection,
    index: &BlockIndex,
    data: &Dataset,
    matcher: &Matcher,
) -> (Vec<TakenRule>, Vec<RuleChoice>) {
    let rules = index.rule_count();
    let mut samples: Vec<RuleSample> = (0..rules)
        .map(|r| {
            let pairs = index.training_pairs(data, r);
            let total = pairs.len() as u64;
            let sample = even_sample(pairs, selection.sample_pairs);
            let probabilities = matcher.score(&sample).probabilities;
            let sizes = sample
                .par_iter()
                .map(|&(a, b)| {
                    index
                        .smallest_shared_block(r, a as usize, b as usize)
                        .unwrap_or(usize::MAX)
                })
                .collect();
            RuleSample {
                pairs: total,
                covered: vec![false; sample.len()],
                sample,
                probabilities,
                sizes,
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
            max_block_size: None,
            reason: String::new(),
        })
        .collect();
    let budget = selection.pairs_per_record * data.len() as f64;
    let mut spent = 0.0;
    let mut taken: Vec<TakenRule> = Vec::new();
    let worth = |pairs: f64, matches: f64| {
        pairs > 0.0 && matches > 0.0 && matches >= selection.min_match_share * pairs
    };
    loop {
        let mut best: Option<(TakenRule, f64, f64)> = None;
        for (r, sample) in samples.iter().enumerate() {
            if taken.iter().any(|t| t.rule == r) {
                continue;
            }
            let (pairs, matches) = sample.gain();
            if !worth(pairs, matches) {
                continue;
            }
            // The whole rule, or else its largest cap that fits the budget.
            let candidate = if spent + pairs <= budget {
                Some((None, pairs, matches))
            } else {
                TIGHTER_CAPS.iter().find_map(|&cap| {
                    let (pairs, matches) = sample.gain_within(cap);
                    (worth(pairs, matches) && spent + pairs <= budget).then_some((
                        Some(cap),
                        pairs,
                        matches,
                    ))
                })
            };
            let Some((cap, pairs, matches)) = candidate else {
                continue;
            };
            let better = best.is_none_or(|(_, bp, bm)| matches * bp > bm * pairs);
            if better {
                let rule = TakenRule {
                    rule: r,
                    max_block_size: cap,
                };
                best = Some((rule, pairs, matches));
            }
        }
        let Some((chosen, pairs, matches)) = best else {
            break;
        };
        let r = chosen.rule;
        taken.push(chosen);
        spent += pairs;
        choices[r].new_pairs = pairs;
        choices[r].new_matches = matches;
        choices[r].taken = Some(taken.len());
        choices[r].max_block_size = chosen.max_block_size;
        let capped = chosen.max_block_size.map_or(String::new(), |cap| {
            format!(", its blocks capped at {cap} records to fit the budget")
        });
        choices[r].reason = format!(
            "taken {}: adds about {:.0} pairs holding {:.1} expected matches ({:.2}% of them){capped}",
            taken.len(),
            pairs,
            matches,
            100.0 * matches / pairs
        );
        let cap = chosen.max_block_size.unwrap_or(usize::MAX);
        samples.par_iter_mut().for_each(|s| {
            for (pair, covered) in s.sample.iter().zip(s.covered.iter_mut()) {
                if !*covered
                    && index
                        .smallest_shared_block(r, pair.0 as usize, pair.1 as usize)
                        .is_some_and(|size| size <= cap)
                {
                    *covered = true;
                }
            }
        });
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
            format!(
                "left out: its {pairs:.0} new pairs would pass the budget of {:.0} pairs per record",
                selection.pairs_per_record
            )
        };
    }
    (taken, choices)
}

/// At most `wanted` pairs at an even stride, in order.
fn even_sample(pairs: Vec<(u32, u32)>, wanted: usize) -> Vec<(u32, u32)> {
    if pairs.len() <= wanted {
        return pairs;
    }
    let step = pairs.len() as f64 / wanted as f64;
    (0..wanted)
        .map(|i| pairs[(i as f64 * step) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_even_and_bounded() {
        let pairs: Vec<(u32, u32)> = (0..1000).map(|i| (i, i + 1)).collect();
        let sample = even_sample(pairs.clone(), 10);
        assert_eq!(sample.len(), 10);
        assert_eq!(sample[1], (100, 101));
        assert_eq!(even_sample(pairs[..5].to_vec(), 10).len(), 5);
    }

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
