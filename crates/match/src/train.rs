//! Training: u from seeded random pairs, m by EM over each training rule's own blocks (a
//! comparison is never trained on pairs blocked by its own fields), the prior from
//! deterministic rules with an assumed recall, or everything from labels.
//!
//! Every reduction is fixed-order or over integers, so the same seed gives the same model
//! whatever the thread count.

use foldhash::HashMap;
use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use serde::Serialize;

use sameas_core::FieldKind;

use crate::blocking::{BlockIndex, BlockingRule, LinkMode, RulePairSample};
use crate::compare::{Comparator, Compare, ComparisonMethod};
use crate::config::MatchConfig;
use crate::model::{ComparisonModel, ExactAgreement, LevelModel, TrainedModel, TrainingMethod};
use crate::{Dataset, MatchError};

/// Smallest m or u kept, so that no level has an infinite weight.
const MIN_PROBABILITY: f64 = 1e-6;

/// Labels for supervised training.
#[derive(Debug, Clone)]
pub enum Labels {
    /// A true cluster per record (`None`: unknown); pairs within a cluster match.
    Clusters(Vec<Option<u32>>),
    /// Labelled record pairs (indices) and whether each matches.
    Pairs(Vec<(u32, u32, bool)>),
}

/// Comparison levels of many pairs, counted by pattern.
struct Patterns {
    /// Distinct level vectors, sorted, with their counts.
    rows: Vec<(Box<[u8]>, u64)>,
    /// Per row, how many of its pairs the counting's `first_found` accepted (all zero when
    /// it accepts none).
    first_found: Vec<u64>,
}

fn count_patterns(comparators: &[Comparator], pairs: &[(u32, u32)]) -> Patterns {
    count_patterns_noting(comparators, pairs, |_, _, _| false)
}

/// Per level vector: the pairs, and those `first_found` accepted.
type PatternCounts = HashMap<Box<[u8]>, (u64, u64)>;

/// As [`count_patterns`], also counting per pattern the pairs `first_found` accepts, given
/// the pair's levels and its records. The levels are computed once for both counts.
fn count_patterns_noting(
    comparators: &[Comparator],
    pairs: &[(u32, u32)],
    first_found: impl Fn(&[u8], usize, usize) -> bool + Sync,
) -> Patterns {
    let maps: Vec<PatternCounts> = pairs
        .par_chunks(4096)
        .map(|chunk| {
            let mut map = PatternCounts::default();
            let mut levels = vec![0u8; comparators.len()];
            for &(a, b) in chunk {
                let (a, b) = (a as usize, b as usize);
                for (slot, c) in levels.iter_mut().zip(comparators) {
                    *slot = c.level(a, b).index;
                }
                let first = u64::from(first_found(&levels, a, b));
                match map.get_mut(levels.as_slice()) {
                    Some(n) => {
                        n.0 += 1;
                        n.1 += first;
                    }
                    None => {
                        map.insert(levels.clone().into_boxed_slice(), (1, first));
                    }
                }
            }
            map
        })
        .collect();
    let mut merged = PatternCounts::default();
    for map in maps {
        for (k, (n, first)) in map {
            let slot = merged.entry(k).or_insert((0, 0));
            slot.0 += n;
            slot.1 += first;
        }
    }
    let mut rows: Vec<_> = merged.into_iter().collect();
    rows.sort_unstable();
    let first_found = rows.iter().map(|(_, (_, first))| *first).collect();
    Patterns {
        rows: rows.into_iter().map(|(k, (n, _))| (k, n)).collect(),
        first_found,
    }
}

/// Level counts per comparison from patterns, weighted.
fn level_totals(
    patterns: &Patterns,
    level_counts: &[usize],
    weight: impl Fn(&[u8]) -> f64,
) -> Vec<Vec<f64>> {
    let mut totals: Vec<Vec<f64>> = level_counts.iter().map(|&n| vec![0.0; n]).collect();
    for (levels, count) in &patterns.rows {
        let w = weight(levels) * *count as f64;
        for (c, &l) in levels.iter().enumerate() {
            totals[c][l as usize] += w;
        }
    }
    totals
}

/// Turns counts over levels into probabilities over the non-null levels, with a floor.
fn normalise(counts: &[f64], floor: f64) -> Vec<f64> {
    let total: f64 = counts[1..].iter().sum();
    let mut p: Vec<f64> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i == 0 {
                1.0
            } else if total > 0.0 {
                (c / total).max(floor)
            } else {
                // No evidence at all: every level equally likely.
                1.0
            }
        })
        .collect();
    let sum: f64 = p[1..].iter().sum();
    if sum > 0.0 {
        for v in &mut p[1..] {
            *v /= sum;
        }
    }
    p
}

/// Starting m for EM, and m for a comparison nothing trained: most mass on the strongest
/// level, halving down the levels, a little on `different`.
fn default_m(levels: usize) -> Vec<f64> {
    let non_null = levels - 1;
    let mut m = vec![1.0];
    let mut weights: Vec<f64> = (0..non_null).map(|i| 0.5f64.powi(i as i32)).collect();
    if let Some(last) = weights.last_mut() {
        *last = 0.05;
    }
    let total: f64 = weights.iter().sum();
    m.extend(weights.iter().map(|w| w / total));
    m
}

/// Samples comparable pairs at random (all of them when there are fewer than `wanted`).
fn sample_pairs(data: &Dataset, mode: LinkMode, wanted: u64, seed: u64) -> Vec<(u32, u32)> {
    let n = data.len();
    let comparable = mode.comparable_pairs(data.source_sizes());
    if comparable == 0 {
        return Vec::new();
    }
    let by_source: [Vec<u32>; 2] = [0u8, 1].map(|s| {
        (0..n as u32)
            .filter(|&i| data.sources[i as usize] == s)
            .collect()
    });
    if comparable <= wanted {
        // Every comparable pair, enumerated per mode (never looping over forbidden pairs).
        let mut all = Vec::with_capacity(comparable as usize);
        let within = |side: &[u32], all: &mut Vec<(u32, u32)>| {
            for (x, &a) in side.iter().enumerate() {
                all.extend(side[x + 1..].iter().map(|&b| (a, b)));
            }
        };
        match mode {
            LinkMode::Link => {
                for &a in &by_source[0] {
                    all.extend(by_source[1].iter().map(|&b| (a.min(b), a.max(b))));
                }
            }
            LinkMode::Dedupe => {
                within(&by_source[0], &mut all);
                within(&by_source[1], &mut all);
            }
            LinkMode::Both => within(&(0..n as u32).collect::<Vec<_>>(), &mut all),
        }
        all.sort_unstable();
        return all;
    }
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut pick = |len: usize| ((rng.next_u64() as u128 * len as u128) >> 64) as usize;
    let mut out = Vec::with_capacity(wanted as usize);
    while (out.len() as u64) < wanted {
        let (a, b) = match mode {
            LinkMode::Link => (
                by_source[0][pick(by_source[0].len())],
                by_source[1][pick(by_source[1].len())],
            ),
            _ => (pick(n) as u32, pick(n) as u32),
        };
        if a == b || !mode.allows(data.sources[a as usize], data.sources[b as usize]) {
            continue;
        }
        out.push((a.min(b), a.max(b)));
    }
    out
}

/// u per comparison level from random pairs (a date's exact level from its frequencies
/// where the sample hardly saw it, see [`with_exact_u_from_terms`]), with the sample's
/// patterns for refining.
fn estimate_u(
    comparators: &[Comparator],
    level_counts: &[usize],
    sample: &[(u32, u32)],
    exact_u: &[Option<f64>],
) -> (Vec<Vec<f64>>, Patterns) {
    let patterns = count_patterns(comparators, sample);
    let counts = level_totals(&patterns, level_counts, |_| 1.0);
    let u = counts
        .iter()
        .map(|c| normalise(c, u_floor(sample.len())))
        .collect();
    (
        with_exact_u_from_terms(u, &counts, exact_u, sample.len()),
        patterns,
    )
}

/// A level never seen among random pairs still has some chance: half a pair.
fn u_floor(sample: usize) -> f64 {
    (0.5 / sample.max(1) as f64).max(MIN_PROBABILITY)
}

/// Rounds of [`refine_u`].
const U_REFINEMENTS: usize = 3;

/// Re-estimates u from the random sample, counting each pair by its probability of being a
/// non-match under the trained m and prior. Among random pairs the few true matches are
/// most of those agreeing exactly on a strong identifier, so counting them as non-matches
/// would make a shared phone or e-mail look far commoner among strangers than it is.
fn refine_u(
    patterns: &Patterns,
    exact_u: &[Option<f64>],
    m: &[Vec<f64>],
    u: Vec<Vec<f64>>,
    prior: f64,
    sample: usize,
) -> Vec<Vec<f64>> {
    let level_counts: Vec<usize> = u.iter().map(Vec::len).collect();
    let mut u = u;
    for _ in 0..U_REFINEMENTS {
        let non_match = |levels: &[u8]| non_match_probability(levels, m, &u, prior);
        let counts = level_totals(patterns, &level_counts, non_match);
        let refined = counts
            .iter()
            .map(|c| normalise(c, u_floor(sample)))
            .collect();
        u = with_exact_u_from_terms(refined, &counts, exact_u, sample);
    }
    u
}

/// Random pairs agreeing exactly that a comparison's u needs before the sample's count is
/// used: fewer, and the value frequencies give its u instead (see [`exact_u_from_terms`]).
const MIN_EXACT_SUPPORT: f64 = 10.0;

/// Per comparison, the chance that two records with a value agree exactly, from how many
/// records hold each value: the sum over values of (holders choose 2) over (records with a
/// value choose 2). Exact for random pairs, and needing no sample: a birth date shared by
/// one random pair in 25,000 agrees in two or three of a million sampled pairs of which
/// few both have a date, and a count of zero would give the exact level u at the floor (a
/// weight of 20 bits where 14 are due: at three million records a birth date and a gender
/// alone then joined strangers). `None` for a comparison without a term table.
fn exact_u_from_terms(
    comparators: &[Comparator],
    comparisons: &[crate::ComparisonConfig],
) -> Vec<Option<f64>> {
    comparators
        .iter()
        .zip(comparisons)
        .map(|(comparator, comparison)| {
            // Dates only: strangers share a date by coincidence, at a rate the dates'
            // frequencies give; a phone or an identifier is shared mostly by records of one
            // person, whose pairs the frequencies would count as strangers'.
            if !matches!(comparison.method, crate::ComparisonMethod::Date { .. }) {
                return None;
            }
            let (counts, with_value) = comparator.term_counts();
            let with_value = f64::from(with_value);
            if counts.is_empty() || with_value < 2.0 {
                return None;
            }
            let agreeing: f64 = counts
                .iter()
                .map(|&c| f64::from(c) * (f64::from(c) - 1.0))
                .sum();
            Some(agreeing / (with_value * (with_value - 1.0)))
        })
        .collect()
}

/// `u` with each comparison's exact level (level 1) taken from the value frequencies where
/// the sample's level `counts` (those `u` was made from) hold fewer than
/// [`MIN_EXACT_SUPPORT`] exactly agreeing pairs, the other non-null levels scaled to keep
/// the sum at one.
fn with_exact_u_from_terms(
    mut u: Vec<Vec<f64>>,
    counts: &[Vec<f64>],
    exact_u: &[Option<f64>],
    sample: usize,
) -> Vec<Vec<f64>> {
    for (c, levels) in u.iter_mut().enumerate() {
        let Some(from_terms) = exact_u.get(c).copied().flatten() else {
            continue;
        };
        if levels.len() < 3 || counts[c][1] >= MIN_EXACT_SUPPORT {
            continue;
        }
        set_exact_u(levels, from_terms.clamp(u_floor(sample), 0.5));
    }
    u
}

/// Sets a comparison's exact-level u (level 1), the other non-null levels scaled to keep
/// the sum at one.
fn set_exact_u(levels: &mut [f64], exact: f64) {
    let rest: f64 = levels[2..].iter().sum();
    if rest > 0.0 {
        let scale = (1.0 - exact) / rest;
        for level in &mut levels[2..] {
            *level *= scale;
        }
    }
    levels[1] = exact;
}

/// The probability that a pair of these levels is a non-match under `m`, `u` and `prior`.
fn non_match_probability(levels: &[u8], m: &[Vec<f64>], u: &[Vec<f64>], prior: f64) -> f64 {
    let (mut pm, mut pu) = (prior, 1.0 - prior);
    for (c, &l) in levels.iter().enumerate() {
        if l != 0 {
            pm *= m[c][l as usize];
            pu *= u[c][l as usize];
        }
    }
    pu / (pm + pu)
}

/// One training rule's pairs: how many there are, a sample of them and its level patterns,
/// and per comparison the share of the sample that agrees exactly.
struct RulePairs {
    rule: usize,
    /// The rule's pairs (uncapped blocks), exact or estimated.
    pairs: u64,
    /// The sampled pairs.
    sample: Vec<(u32, u32)>,
    /// Their level patterns.
    patterns: Patterns,
    /// Per comparison: the share of the sampled pairs at its exact level (level 1).
    exact_share: Vec<f64>,
}

impl RulePairs {
    fn new(
        rule: usize,
        pairs: u64,
        sample: Vec<(u32, u32)>,
        patterns: Patterns,
        level_counts: &[usize],
    ) -> Self {
        let totals = level_totals(&patterns, level_counts, |_| 1.0);
        let sampled = sample.len().max(1) as f64;
        let exact_share = totals
            .iter()
            .map(|levels| levels.get(1).copied().unwrap_or(0.0) / sampled)
            .collect();
        RulePairs {
            rule,
            pairs,
            sample,
            patterns,
            exact_share,
        }
    }
}

/// What training's rules hold: each rule's pairs, and the index that tells which records
/// share a rule's key.
struct RuleEvidence<'a> {
    rules_pairs: &'a [RulePairs],
    rules: &'a [BlockingRule],
    index: &'a BlockIndex,
    comparators: &'a [Comparator],
}

impl RuleEvidence<'_> {
    /// The rule whose pairs are the pairs that agree exactly on comparison `c` (whose
    /// `fields` it reads alone): at least [`RULE_IS_EXACT_LEVEL`] of its sampled pairs agree
    /// exactly, and as many of the other rules' sampled pairs that agree exactly share its
    /// key (of [`COVERAGE_PAIRS`] such pairs at least). The one with most pairs when
    /// several are.
    fn exact_rule(&self, c: usize, fields: &[String]) -> Option<&RulePairs> {
        self.rules_pairs
            .iter()
            .filter(|r| {
                r.exact_share[c] >= RULE_IS_EXACT_LEVEL
                    && rule_fields(&self.rules[r.rule])
                        .iter()
                        .all(|f| fields.iter().any(|g| g == f))
                    && self.covers(r.rule, c)
            })
            .max_by_key(|r| (r.pairs, std::cmp::Reverse(r.rule)))
    }

    /// Whether rule `rule` pairs the records that agree exactly on comparison `c`, read on
    /// the other rules' samples.
    ///
    /// At most [`COVERAGE_SCAN`] pairs are read, every so many of each rule's sample.
    fn covers(&self, rule: usize, c: usize) -> bool {
        let others: Vec<&RulePairs> = self.rules_pairs.iter().filter(|r| r.rule != rule).collect();
        let total: usize = others.iter().map(|r| r.sample.len()).sum();
        let step = total.div_ceil(COVERAGE_SCAN).max(1);
        let (agreeing, covered) = others
            .par_iter()
            .map(|other| {
                let (mut agreeing, mut covered) = (0usize, 0usize);
                for &(a, b) in other.sample.iter().step_by(step) {
                    let (a, b) = (a as usize, b as usize);
                    if self.comparators[c].level(a, b).index == 1 {
                        agreeing += 1;
                        covered += usize::from(self.index.share_key(rule, a, b));
                    }
                }
                (agreeing, covered)
            })
            .reduce(|| (0, 0), |x, y| (x.0 + y.0, x.1 + y.1));
        agreeing >= COVERAGE_PAIRS && covered as f64 >= RULE_IS_EXACT_LEVEL * agreeing as f64
    }
}

/// The share of a rule's sampled pairs that must agree exactly on a comparison, and of the
/// exactly agreeing pairs of other rules that must share the rule's key, for the rule's
/// pairs to stand for the comparison's exact agreement.
const RULE_IS_EXACT_LEVEL: f64 = 0.95;

/// Exactly agreeing pairs of other rules needed to read whether a rule pairs them all.
const COVERAGE_PAIRS: usize = 100;

/// Pairs of other rules read at most to tell whether a rule pairs every exact agreement.
const COVERAGE_SCAN: usize = 200_000;

/// Each comparison's exact-level u from the blocking rule that pairs exactly the records
/// agreeing on it (the `phone` rule for the phone comparison), where the random sample
/// hardly saw exact agreement. At a million records a sample of a million pairs holds
/// about one pair sharing a phone, so u sat at its floor while the prior fell as 1/n: a
/// shared phone that is evidence among ten thousand records was none among a million.
/// The random pairs that agree exactly are a uniform sample of the rule's pairs, so the
/// rule's sample stands in for them: u is the rule's pairs that agree, each counted by its
/// probability of being a non-match under the trained m, u and prior (as [`refine_u`]
/// counts the random sample's), with the pairs of its capped blocks (strangers sharing a
/// value hundreds hold), over the pairs of records that both hold a value (the
/// comparable pairs times the random sample's share of such pairs). Such a u only ever
/// lowers the sample's (never below half a pair), and only where the sample saw fewer than
/// [`MIN_EXACT_SUPPORT`] exactly agreeing pairs.
fn with_exact_u_from_rules(
    mut u: Vec<Vec<f64>>,
    fit: (&[Vec<f64>], f64),
    sample_patterns: &Patterns,
    evidence: &RuleEvidence<'_>,
    comparisons: &[crate::ComparisonConfig],
    comparable: u64,
) -> Vec<Vec<f64>> {
    let (m, prior) = fit;
    let level_counts: Vec<usize> = u.iter().map(Vec::len).collect();
    let counts = level_totals(sample_patterns, &level_counts, |_| 1.0);
    let sampled: f64 = sample_patterns.rows.iter().map(|(_, n)| *n as f64).sum();
    if sampled <= 0.0 {
        return u;
    }
    for c in 0..u.len() {
        if u[c].len() < 3 || counts[c][1] >= MIN_EXACT_SUPPORT {
            continue;
        }
        let Some(rule) = evidence.exact_rule(c, &comparisons[c].fields) else {
            continue;
        };
        let valued_pairs = comparable as f64 * counts[c][1..].iter().sum::<f64>() / sampled;
        if valued_pairs < 1.0 {
            continue;
        }
        let rule_sampled = rule.sample.len().max(1) as f64;
        // The pairs of its capped blocks agree too, and are strangers.
        let capped = evidence.index.capped_pairs(rule.rule) as f64;
        let sample_u = u[c][1];
        for _ in 0..U_REFINEMENTS {
            let non_match = |levels: &[u8]| {
                if levels[c] == 1 {
                    non_match_probability(levels, m, &u, prior)
                } else {
                    0.0
                }
            };
            let strangers: f64 = rule
                .patterns
                .rows
                .iter()
                .map(|(levels, n)| non_match(levels) * *n as f64)
                .sum::<f64>()
                * rule.pairs as f64
                / rule_sampled
                + capped;
            let exact = (strangers / valued_pairs)
                .max(0.5 / valued_pairs)
                .min(sample_u);
            set_exact_u(&mut u[c], exact);
        }
    }
    u
}

/// Pseudo-pairs of the Dirichlet prior on each comparison's m: the default m (most mass on
/// the strongest level, a little on each weaker one) counted as this many matching pairs.
/// Next to thousands of expected matches it moves nothing; a level EM saw almost never keeps
/// a small m instead of collapsing to zero (a masked phone that agrees would otherwise
/// count *against* a match).
const M_PRIOR_PAIRS: f64 = 10.0;

/// m from expected level counts of matches and the prior's pseudo-counts.
fn m_with_prior(counts: &[f64], prior: &[f64]) -> Vec<f64> {
    let smoothed: Vec<f64> = counts
        .iter()
        .zip(prior)
        .enumerate()
        .map(|(l, (&c, &p))| if l == 0 { c } else { c + M_PRIOR_PAIRS * p })
        .collect();
    normalise(&smoothed, MIN_PROBABILITY)
}

/// How a comparison's levels fall for two people of one household: apart on what is each
/// person's own (a given name, a birth date, a gender, an identifier), together on what a
/// household shares (a family name, an address, a phone, an e-mail). An identifier that a
/// household does share (a family's loyalty card) then trains as a match's agreement, and
/// clustering reads it as shared from how often it agrees across given names; one read as
/// shared here would let the household class take every record of one person whose given
/// name the tables cannot reconcile (FEBRL's corrupted duplicates agree on their social
/// security number): m of a differing given name fell to 0.001 where 15% of matches have one.
fn differs_within_household(method: &crate::compare::ComparisonMethod) -> bool {
    use crate::compare::ComparisonMethod as M;
    matches!(
        method,
        M::GivenName { .. } | M::Date { .. } | M::Gender | M::Identifier { .. }
    )
}

/// One EM pass over a training rule's patterns; returns the m of the trained comparisons
/// and the expected number of matches.
///
/// Blocks are full of households (a family name and an address, a shared phone), and a
/// two-class EM takes a household for the match class: a given name that differs then
/// looks like something matches often do. Where the rule's trained comparisons hold the
/// given name (what tells two people of a family apart: without it the class cannot be told
/// from a match with a wrong birth date) and one a household shares, a third class
/// stands for two people of one household: its levels are two strangers' (u) on what is
/// each person's own, and start as a match's on what a household shares, estimated like m. The
/// household class is dropped afterwards: scoring weighs a match against strangers. Where
/// the data hold no households the class stays small and m is what two classes give.
/// `with_households` false gives the two-class EM.
fn expectation_maximisation(
    patterns: &Patterns,
    trained: &[bool],
    with_households: bool,
    u: &[Vec<f64>],
    m_start: &[Vec<f64>],
    config: &MatchConfig,
) -> EmResult {
    let mut m = m_start.to_vec();
    let personal: Vec<bool> = config
        .comparisons
        .iter()
        .map(|c| differs_within_household(&c.method))
        .collect();
    let given_name = |c: usize| {
        matches!(
            config.comparisons[c].method,
            crate::compare::ComparisonMethod::GivenName { .. }
        )
    };
    let has_households = with_households
        && (0..trained.len()).any(|c| trained[c] && given_name(c))
        && (0..trained.len()).any(|c| trained[c] && !personal[c]);
    let h_start: Vec<Vec<f64>> = (0..m.len())
        .map(|c| {
            if personal[c] {
                u[c].clone()
            } else {
                m_start[c].clone()
            }
        })
        .collect();
    let mut h = h_start.clone();
    let mut match_counts: Vec<Vec<f64>> = u.iter().map(|l| vec![0.0; l.len()]).collect();
    let mut lambda = 0.5;
    let mut lambda_household = if has_households { 0.2 } else { 0.0 };
    let total: f64 = patterns.rows.iter().map(|(_, n)| *n as f64).sum();
    let level_counts: Vec<usize> = u.iter().map(Vec::len).collect();
    let mut expected = 0.0;
    for _ in 0..config.training.em_max_iterations {
        // Posterior of (match, household) for a pattern.
        let posterior = |levels: &[u8]| {
            let (mut pm, mut ph) = (lambda, lambda_household);
            let mut pu = (1.0f64 - lambda - lambda_household).max(0.0);
            for (c, &l) in levels.iter().enumerate() {
                if trained[c] && l != 0 {
                    pm *= m[c][l as usize];
                    ph *= h[c][l as usize];
                    pu *= u[c][l as usize];
                }
            }
            let all = pm + ph + pu;
            if all > 0.0 {
                (pm / all, ph / all)
            } else {
                (0.0, 0.0)
            }
        };
        let counts = level_totals(patterns, &level_counts, |levels| posterior(levels).0);
        match_counts.clone_from(&counts);
        expected = patterns
            .rows
            .iter()
            .map(|(levels, n)| posterior(levels).0 * *n as f64)
            .sum::<f64>();
        let (household_counts, in_households) = if has_households {
            let counts = level_totals(patterns, &level_counts, |levels| posterior(levels).1);
            let n = patterns
                .rows
                .iter()
                .map(|(levels, n)| posterior(levels).1 * *n as f64)
                .sum::<f64>();
            (counts, n)
        } else {
            (Vec::new(), 0.0)
        };
        let mut change: f64 = 0.0;
        for c in 0..m.len() {
            if !trained[c] {
                continue;
            }
            if counts[c][1..].iter().sum::<f64>() <= 0.0 {
                continue;
            }
            let next = m_with_prior(&counts[c], &m_start[c]);
            for (old, new) in m[c].iter().zip(&next) {
                change = change.max((old - new).abs());
            }
            m[c] = next;
        }
        if has_households {
            for c in 0..h.len() {
                // Two people of one household are as unlike as strangers on what is their
                // own: those levels stay u, so the class cannot take in matches whose given
                // name has a typo.
                if trained[c] && !personal[c] && household_counts[c][1..].iter().sum::<f64>() > 0.0
                {
                    let next = m_with_prior(&household_counts[c], &h_start[c]);
                    for (old, new) in h[c].iter().zip(&next) {
                        change = change.max((old - new).abs());
                    }
                    h[c] = next;
                }
            }
            lambda_household = (in_households / total).clamp(1e-9, 1.0 - 1e-9);
        }
        lambda = (expected / total).clamp(1e-9, 1.0 - lambda_household - 1e-9);
        if change < config.training.em_tolerance {
            break;
        }
    }
    EmResult {
        m,
        expected,
        match_counts,
    }
}

/// What one EM run over a rule's pairs estimated.
struct EmResult {
    m: Vec<Vec<f64>>,
    /// Expected matching pairs among the rule's pairs.
    expected: f64,
    /// Expected matching pairs per comparison and level.
    match_counts: Vec<Vec<f64>>,
}

/// Whether an EM estimate of one comparison is one a match class can have: its strongest
/// level must be evidence for a match and its weakest (`different`) evidence against. EM on
/// a rule whose blocks hold few matches can settle on another class (households, say) and
/// call agreement on a birth date evidence *against* a match.
fn plausible(m: &[f64], u: &[f64]) -> bool {
    let last = m.len() - 1;
    m.len() < 3 || (m[1] > u[1] && m[last] < u[last])
}

/// Keeps a comparison's levels in their order of strength: a weaker level never weighs
/// more than a stronger one. Adjacent levels that break the order are pooled (their m and u
/// summed, then shared out at the pooled ratio: isotonic regression of m/u weighted by u),
/// so the totals of m and u stay as they were. Returns, per level, whether it was pooled.
fn keep_order(m: &mut [f64], u: &mut [f64]) -> Vec<bool> {
    // Blocks of levels (start, end exclusive) with their pooled m and u.
    let mut blocks: Vec<(usize, usize, f64, f64)> = Vec::new();
    for l in 1..m.len() {
        blocks.push((l, l + 1, m[l], u[l]));
        while blocks.len() >= 2 {
            let (_, _, m2, u2) = blocks[blocks.len() - 1];
            let (_, _, m1, u1) = blocks[blocks.len() - 2];
            if m1 / u1 >= m2 / u2 {
                break;
            }
            let (_, end, _, _) = blocks.pop().expect("two blocks");
            let last = blocks.last_mut().expect("two blocks");
            *last = (last.0, end, m1 + m2, u1 + u2);
        }
    }
    let mut pooled = vec![false; m.len()];
    for (start, end, bm, bu) in blocks {
        if end - start > 1 {
            for l in start..end {
                m[l] = bm * u[l] / bu;
                pooled[l] = true;
            }
        }
    }
    pooled
}

/// Whether each comparison has a non-null level in any pattern.
fn observed_comparisons(patterns: &Patterns, comparisons: usize) -> Vec<bool> {
    let mut observed = vec![false; comparisons];
    for (levels, _) in &patterns.rows {
        for (o, &l) in observed.iter_mut().zip(levels.iter()) {
            *o |= l != 0;
        }
    }
    observed
}

/// Combines the m estimates of several training rules: the median per level, renormalised.
/// A rule whose blocks mix in look-alikes (a household's shared phone or address) drags a
/// mean towards them; the median takes the typical rule.
fn median_levels(estimates: &[Vec<f64>]) -> Vec<f64> {
    let levels = estimates[0].len();
    let mut combined = vec![1.0; levels];
    let mut column = Vec::with_capacity(estimates.len());
    for (l, slot) in combined.iter_mut().enumerate().skip(1) {
        column.clear();
        column.extend(estimates.iter().map(|e| e[l]));
        column.sort_unstable_by(f64::total_cmp);
        let mid = column.len() / 2;
        *slot = if column.len() % 2 == 1 {
            column[mid]
        } else {
            (column[mid - 1] + column[mid]) / 2.0
        };
    }
    let total: f64 = combined[1..].iter().sum();
    for v in &mut combined[1..] {
        *v = (*v / total).max(MIN_PROBABILITY);
    }
    combined
}

/// Field names a rule reads.
fn rule_fields(rule: &BlockingRule) -> Vec<&str> {
    rule.keys
        .iter()
        .flat_map(|k| k.fields.iter().map(String::as_str))
        .collect()
}

/// Whether a comparison is of what a person has and a household does not share: a given
/// name, a birth date, an identifier.
fn is_personal_comparison(method: &crate::compare::ComparisonMethod) -> bool {
    use crate::compare::ComparisonMethod as M;
    matches!(
        method,
        M::GivenName { .. } | M::Date { .. } | M::Identifier { .. }
    )
}

/// Whether a rule blocks on something personal: a birth date, an identifier, or a name key
/// that holds the given name. Blocks of a rule on shared things only (an address, a family
/// name, a phone) are full of households, and EM there takes a household for a match
/// class: a given name that differs then looks like something matches often do.
fn is_personal_rule(rule: &BlockingRule, schema: &sameas_core::Schema) -> bool {
    rule.keys.iter().any(|key| {
        key.fields.iter().any(|field| {
            let Some(at) = schema.field_index(field) else {
                return false;
            };
            match schema.fields[at].kind {
                FieldKind::BirthDate | FieldKind::NationalId => true,
                FieldKind::Name => matches!(
                    key.key.as_str(),
                    "norm" | "given" | "pinyin" | "phonetic" | "nickname" | "given_pinyin"
                ),
                _ => false,
            }
        })
    })
}

/// Pairs each EM rule may hold: an equal share of `max_pairs` over the rules that train
/// anything, never more than `max_pairs_per_rule`.
fn pairs_per_rule(training: &crate::config::TrainingConfig, plan: &[Vec<bool>]) -> usize {
    let training_rules = plan.iter().filter(|row| row.iter().any(|&t| t)).count();
    let share = training.max_pairs / training_rules.max(1) as u64;
    share.clamp(1, training.max_pairs_per_rule) as usize
}

/// Per rule, per comparison: whether the rule's EM trains the comparison. Never on a rule
/// that reads the comparison's fields; a personal comparison only on personal rules, when
/// any can train it.
fn training_plan(
    config: &MatchConfig,
    schema: &sameas_core::Schema,
    rules: &[BlockingRule],
) -> Vec<Vec<bool>> {
    let mut plan: Vec<Vec<bool>> = rules
        .iter()
        .map(|rule| {
            let fields = rule_fields(rule);
            config
                .comparisons
                .iter()
                .map(|c| !c.fields.iter().any(|f| fields.contains(&f.as_str())))
                .collect()
        })
        .collect();
    let personal: Vec<bool> = rules.iter().map(|r| is_personal_rule(r, schema)).collect();
    for (c, comparison) in config.comparisons.iter().enumerate() {
        if !is_personal_comparison(&comparison.method) {
            continue;
        }
        let any_personal = (0..rules.len()).any(|r| plan[r][c] && personal[r]);
        if any_personal {
            for (r, row) in plan.iter_mut().enumerate() {
                row[c] &= personal[r];
            }
        }
    }
    plan
}

#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) comparators: Vec<Comparator>,
    pub(crate) level_names: Vec<Vec<String>>,
}

/// The comparators training compiled over a dataset, handed on so that scoring the same
/// dataset ([`Matcher::with_compiled`](crate::Matcher::with_compiled)) does not compile
/// them again.
#[derive(Debug)]
pub struct CompiledComparisons {
    /// The comparisons they were compiled from.
    pub(crate) comparisons: Vec<crate::compare::ComparisonConfig>,
    /// The records of the dataset they were compiled over.
    pub(crate) records: usize,
    pub(crate) compiled: Compiled,
}

impl CompiledComparisons {
    /// The compiled comparators, when they were compiled from `comparisons` over a dataset
    /// of `records` records.
    pub(crate) fn take_for(
        self,
        comparisons: &[crate::compare::ComparisonConfig],
        records: usize,
    ) -> Option<Compiled> {
        (self.comparisons == comparisons && self.records == records).then_some(self.compiled)
    }
}

pub(crate) fn compile(config: &MatchConfig, data: &Dataset) -> Result<Compiled, MatchError> {
    compile_records(config, crate::dataset::Records::all(data))
}

/// As [`compile`], over records read in place.
pub(crate) fn compile_records(
    config: &MatchConfig,
    data: crate::dataset::Records<'_>,
) -> Result<Compiled, MatchError> {
    let shared = crate::compare::SharedColumns::build(&config.comparisons, data);
    let comparators: Vec<Comparator> = config
        .comparisons
        .par_iter()
        .map(|c| Comparator::compile(c, data, &shared))
        .collect::<Result<_, _>>()?;
    let level_names = comparators.iter().map(Comparator::level_names).collect();
    Ok(Compiled {
        comparators,
        level_names,
    })
}

/// What training estimated, before it becomes a [`TrainedModel`].
struct Estimates {
    m: Vec<Vec<f64>>,
    u: Vec<Vec<f64>>,
    trained_by: Vec<Vec<String>>,
    prior: f64,
    method: TrainingMethod,
    u_sample_pairs: u64,
    prior_evidence_pairs: u64,
}

fn assemble(config: &MatchConfig, compiled: &Compiled, estimates: Estimates) -> TrainedModel {
    let Estimates {
        m,
        u,
        trained_by,
        prior,
        method,
        u_sample_pairs,
        prior_evidence_pairs,
    } = estimates;
    let comparisons = config
        .comparisons
        .iter()
        .enumerate()
        .map(|(c, comparison)| ComparisonModel {
            name: comparison.name.clone(),
            levels: compiled.level_names[c]
                .iter()
                .enumerate()
                .map(|(l, name)| LevelModel {
                    name: name.clone(),
                    m: if l == 0 { 1.0 } else { m[c][l] },
                    u: if l == 0 { 1.0 } else { u[c][l] },
                })
                .collect(),
            m_trained_by: trained_by[c].clone(),
            exact_agreement: None,
        })
        .collect();
    TrainedModel {
        prior,
        comparisons,
        method,
        u_sample_pairs,
        prior_evidence_pairs,
    }
}

/// What both kinds of training start from: the compiled comparators and u from random pairs.
struct Start {
    comparable: u64,
    compiled: Compiled,
    level_counts: Vec<usize>,
    sample_len: usize,
    u: Vec<Vec<f64>>,
    sample_patterns: Patterns,
    exact_u: Vec<Option<f64>>,
}

fn start(config: &MatchConfig, data: &Dataset) -> Result<Start, MatchError> {
    config.validate()?;
    let comparable = config.mode.comparable_pairs(data.source_sizes());
    if comparable == 0 {
        return Err(MatchError::Input(
            "no comparable pairs: too few records for this mode",
        ));
    }
    let compiled = compile(config, data)?;
    let level_counts: Vec<usize> = compiled.level_names.iter().map(Vec::len).collect();
    let sample = sample_pairs(
        data,
        config.mode,
        config.training.u_sample_pairs,
        config.training.seed,
    );
    let exact_u = exact_u_from_terms(&compiled.comparators, &config.comparisons);
    let (u, sample_patterns) = estimate_u(&compiled.comparators, &level_counts, &sample, &exact_u);
    Ok(Start {
        comparable,
        compiled,
        level_counts,
        sample_len: sample.len(),
        u,
        sample_patterns,
        exact_u,
    })
}

/// Trains a model without labels.
///
/// # Errors
/// A configuration that does not fit the data's schema, or an empty dataset.
pub fn train(config: &MatchConfig, data: &Dataset) -> Result<TrainedModel, MatchError> {
    train_keeping_index(config, data).map(|trained| trained.model)
}

/// As [`train`], and hands back the block index EM blocked with when that is the prediction
/// index (EM on the blocking rules, the default), so that blocking need not build it again:
/// at a million records the index is a sixth of the run.
///
/// # Errors
/// As [`train`].
pub fn train_keeping_index(config: &MatchConfig, data: &Dataset) -> Result<Trained, MatchError> {
    let Start {
        comparable,
        compiled,
        level_counts,
        sample_len,
        u,
        sample_patterns,
        exact_u,
    } = start(config, data)?;

    let em_rules = if config.training.em_rules.is_empty() {
        &config.blocking.rules
    } else {
        &config.training.em_rules
    };
    // The prior rules are indexed in the same pass over the records: they read keys the
    // EM rules read already (a full name, a birth date, an identifier).
    let prior_rules = &config.training.prior_rules;
    let mut index = BlockIndex::build(
        data,
        &[em_rules.as_slice(), prior_rules.as_slice()].concat(),
        config.blocking.max_block_size,
        config.mode,
    )?;
    let prior_found = if prior_rules.is_empty() {
        0
    } else {
        index.split_off(em_rules.len()).candidate_pair_count(data)
    };
    let defaults: Vec<Vec<f64>> = level_counts.iter().map(|&n| default_m(n)).collect();
    let mut estimates: Vec<Vec<Vec<f64>>> = vec![Vec::new(); level_counts.len()];
    let mut trained_by: Vec<Vec<String>> = vec![Vec::new(); level_counts.len()];
    let mut ignored: Vec<Vec<String>> = vec![Vec::new(); level_counts.len()];
    let mut support: Vec<Vec<f64>> = level_counts.iter().map(|&n| vec![0.0; n]).collect();
    let trains = training_plan(config, &data.schema, em_rules);
    let per_rule = pairs_per_rule(&config.training, &trains);
    let mut agreement = AgreementCounter::new(config);
    let mut rules_pairs: Vec<RulePairs> = Vec::new();
    for (r, rule) in em_rules.iter().enumerate() {
        let trained = &trains[r];
        if !trained.iter().any(|&t| t) {
            continue;
        }
        let RulePairSample {
            pairs: rule_pairs,
            sample: pairs,
        } = index.training_sample(data, r, per_rule);
        if pairs.len() < 10 {
            continue;
        }
        let patterns = count_patterns_noting(&compiled.comparators, &pairs, |levels, a, b| {
            agreement.counts_pair(levels) && !index.paired_before(r, a, b)
        });
        agreement.count(&compiled, &patterns);
        let em = expectation_maximisation(&patterns, trained, true, &u, &defaults, config);
        let observed = observed_comparisons(&patterns, level_counts.len());
        rules_pairs.push(RulePairs::new(
            r,
            rule_pairs,
            pairs,
            patterns,
            &level_counts,
        ));
        if em.expected < 1.0 {
            continue;
        }
        for c in 0..em.m.len() {
            if !(trained[c] && observed[c]) {
                continue;
            }
            if !plausible(&em.m[c], &u[c]) {
                ignored[c].push(rule.name.clone());
                continue;
            }
            estimates[c].push(em.m[c].clone());
            trained_by[c].push(rule.name.clone());
            for (total, count) in support[c].iter_mut().zip(&em.match_counts[c]) {
                *total += count;
            }
        }
    }
    let m: Vec<Vec<f64>> = estimates
        .iter()
        .zip(&defaults)
        .map(|(e, d)| {
            if e.is_empty() {
                d.clone()
            } else {
                median_levels(e)
            }
        })
        .collect();

    let (prior, evidence) = prior_from_pairs(config, data, comparable, prior_found);
    let u = refine_u(&sample_patterns, &exact_u, &m, u, prior, sample_len);
    let u = with_exact_u_from_rules(
        u,
        (&m, prior),
        &sample_patterns,
        &RuleEvidence {
            rules_pairs: &rules_pairs,
            rules: em_rules,
            index: &index,
            comparators: &compiled.comparators,
        },
        &config.comparisons,
        comparable,
    );
    let (m, u, pooled) = ordered(m, u);
    let diagnostics = diagnose(
        config,
        &compiled,
        &m,
        &u,
        &support,
        &trained_by,
        &ignored,
        &pooled,
    );
    let mut model = assemble(
        config,
        &compiled,
        Estimates {
            m,
            u,
            trained_by,
            prior,
            method: TrainingMethod::Unsupervised,
            u_sample_pairs: sample_len as u64,
            prior_evidence_pairs: evidence,
        },
    );
    agreement.record(&mut model);
    let reusable =
        config.training.em_rules.is_empty() || config.training.em_rules == config.blocking.rules;
    Ok(Trained {
        model,
        index: reusable.then_some(index),
        diagnostics,
        comparisons: Some(CompiledComparisons {
            comparisons: config.comparisons.clone(),
            records: data.len(),
            compiled,
        }),
    })
}

/// Counts, over the training rules' pairs, how often each identifier's or e-mail's exact
/// agreement comes with given names that differ ([`ExactAgreement`]).
struct AgreementCounter {
    /// The given-name comparison, when there is one.
    given_name: Option<usize>,
    /// The comparisons counted: identifiers and e-mails.
    counted: Vec<bool>,
    counts: Vec<ExactAgreement>,
}

impl AgreementCounter {
    fn new(config: &MatchConfig) -> Self {
        let given_name = config
            .comparisons
            .iter()
            .position(|c| matches!(c.method, ComparisonMethod::GivenName { .. }));
        let counted = config
            .comparisons
            .iter()
            .map(|c| {
                matches!(
                    c.method,
                    ComparisonMethod::Identifier { .. } | ComparisonMethod::Email { .. }
                )
            })
            .collect();
        AgreementCounter {
            given_name,
            counted,
            counts: vec![
                ExactAgreement {
                    pairs: 0,
                    given_name_differs: 0
                };
                config.comparisons.len()
            ],
        }
    }

    /// Whether a pair of these levels is one the counter counts: its given names are
    /// compared and some counted comparison agrees exactly.
    fn counts_pair(&self, levels: &[u8]) -> bool {
        let Some(given) = self.given_name else {
            return false;
        };
        levels[given] != 0
            && self
                .counted
                .iter()
                .zip(levels)
                .any(|(&counted, &level)| counted && level == 1)
    }

    /// Counts a rule's training pairs, from their patterns: the pairs of a pattern that no
    /// earlier rule pairs (its `first_found`; one person's records are found by many
    /// rules, and each pair counts once).
    fn count(&mut self, compiled: &Compiled, patterns: &Patterns) {
        let Some(given) = self.given_name else {
            return;
        };
        let different = compiled.level_names[given].len() as u8 - 1;
        for ((levels, _), &first) in patterns.rows.iter().zip(&patterns.first_found) {
            if first == 0 || !self.counts_pair(levels) {
                continue;
            }
            let differs = u64::from(levels[given] == different) * first;
            for ((total, &counted), &level) in
                self.counts.iter_mut().zip(&self.counted).zip(levels.iter())
            {
                if counted && level == 1 {
                    total.pairs += first;
                    total.given_name_differs += differs;
                }
            }
        }
    }

    fn record(self, model: &mut TrainedModel) {
        if self.given_name.is_none() {
            return;
        }
        for ((comparison, counted), counts) in model
            .comparisons
            .iter_mut()
            .zip(self.counted)
            .zip(self.counts)
        {
            if counted {
                comparison.exact_agreement = Some(counts);
            }
        }
    }
}

/// Per comparison, per level.
type PerLevel<T> = Vec<Vec<T>>;

/// Every comparison's levels kept in order of strength (see [`keep_order`]).
fn ordered(
    mut m: PerLevel<f64>,
    mut u: PerLevel<f64>,
) -> (PerLevel<f64>, PerLevel<f64>, PerLevel<bool>) {
    let pooled = m
        .iter_mut()
        .zip(u.iter_mut())
        .map(|(m, u)| keep_order(m, u))
        .collect();
    (m, u, pooled)
}

/// Expected matching pairs below which a level's m is mostly the prior's.
const LITTLE_SUPPORT: f64 = 20.0;

#[allow(clippy::too_many_arguments)]
fn diagnose(
    config: &MatchConfig,
    compiled: &Compiled,
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    support: &[Vec<f64>],
    trained_by: &[Vec<String>],
    ignored: &[Vec<String>],
    pooled: &[Vec<bool>],
) -> Vec<ComparisonDiagnostics> {
    config
        .comparisons
        .iter()
        .enumerate()
        .map(|(c, comparison)| {
            let mut warnings = Vec::new();
            if trained_by[c].is_empty() {
                warnings.push(
                    "no training rule gave an estimate: m is the default (every rule blocks \
                     on this comparison's fields, its values are missing, or EM found no \
                     plausible match class)"
                        .to_string(),
                );
            }
            if !ignored[c].is_empty() {
                warnings.push(format!(
                    "estimates from {} ignored: there, agreement counted against a match",
                    ignored[c].join(", ")
                ));
            }
            let levels = compiled.level_names[c]
                .iter()
                .enumerate()
                .skip(1)
                .map(|(l, name)| {
                    let mut level_warnings = Vec::new();
                    if !trained_by[c].is_empty() && support[c][l] < LITTLE_SUPPORT {
                        level_warnings.push(format!(
                            "little support ({:.1} expected matching pairs): m leans on the prior",
                            support[c][l]
                        ));
                    }
                    if pooled[c][l] {
                        level_warnings.push(
                            "pooled with a neighbour so that no weaker level weighs more than \
                             a stronger one"
                                .to_string(),
                        );
                    }
                    LevelDiagnostics {
                        level: name.clone(),
                        support: support[c][l],
                        m: m[c][l],
                        u: u[c][l],
                        weight: (m[c][l] / u[c][l]).log2(),
                        warnings: level_warnings,
                    }
                })
                .collect();
            ComparisonDiagnostics {
                comparison: comparison.name.clone(),
                trained_by: trained_by[c].clone(),
                warnings,
                levels,
            }
        })
        .collect()
}

/// How training went for one comparison: per level the support, m, u and weight, and
/// anything a user tuning the model should know. Part of `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonDiagnostics {
    /// The comparison.
    pub comparison: String,
    /// Training rules whose estimates were combined.
    pub trained_by: Vec<String>,
    /// Warnings about the comparison as a whole.
    pub warnings: Vec<String>,
    /// Its levels, `null` left out.
    pub levels: Vec<LevelDiagnostics>,
}

/// How training went for one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelDiagnostics {
    /// The level.
    pub level: String,
    /// Expected matching pairs at this level, summed over the training rules used.
    pub support: f64,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match).
    pub u: f64,
    /// log2(m / u).
    pub weight: f64,
    /// Little support, pooling.
    pub warnings: Vec<String>,
}

/// A trained model, the block index EM blocked with when blocking can reuse it, and how
/// training went.
#[derive(Debug)]
pub struct Trained {
    /// The model.
    pub model: TrainedModel,
    /// The index over the blocking rules, when EM trained on them (the default).
    pub index: Option<BlockIndex>,
    /// Per comparison: support, m, u, weight and warnings per level.
    pub diagnostics: Vec<ComparisonDiagnostics>,
    /// The comparators training compiled, for scoring the same data.
    pub comparisons: Option<CompiledComparisons>,
}

/// The prior from the pairs the prior rules find, divided by their assumed recall.
fn estimate_prior(
    config: &MatchConfig,
    data: &Dataset,
    comparable: u64,
) -> Result<(f64, u64), MatchError> {
    let rules = &config.training.prior_rules;
    let found = if rules.is_empty() {
        0
    } else {
        let index = BlockIndex::build(data, rules, config.blocking.max_block_size, config.mode)?;
        index.candidate_pair_count(data)
    };
    Ok(prior_from_pairs(config, data, comparable, found))
}

/// The prior from `found`, the pairs the prior rules find, divided by their assumed recall.
fn prior_from_pairs(
    config: &MatchConfig,
    data: &Dataset,
    comparable: u64,
    found: u64,
) -> (f64, u64) {
    // Without evidence, assume one duplicate per ten records.
    let expected = if found > 0 {
        found as f64 / config.training.prior_recall
    } else {
        data.len() as f64 / 10.0
    };
    let prior = (expected / comparable as f64).clamp(1e-9, 0.5);
    (prior, found)
}

/// Trains a model from labels: m and the prior from the labelled matches, u from random
/// pairs (labelled non-matches are too few and too easy to stand for all non-matches).
///
/// # Errors
/// As [`train`]; [`MatchError::Input`] when the labels hold no matching pair.
pub fn train_supervised(
    config: &MatchConfig,
    data: &Dataset,
    labels: &Labels,
) -> Result<TrainedModel, MatchError> {
    let Start {
        comparable,
        compiled,
        level_counts,
        sample_len,
        u,
        sample_patterns,
        exact_u,
    } = start(config, data)?;

    let (matches, true_pairs): (Vec<(u32, u32)>, u64) = match labels {
        Labels::Clusters(clusters) => {
            if clusters.len() != data.len() {
                return Err(MatchError::Input("one cluster label per record is needed"));
            }
            let mut by_cluster: HashMap<u32, Vec<u32>> = HashMap::default();
            for (i, c) in clusters.iter().enumerate() {
                if let Some(c) = c {
                    by_cluster.entry(*c).or_default().push(i as u32);
                }
            }
            let mut groups: Vec<Vec<u32>> = by_cluster.into_values().collect();
            groups.sort_unstable();
            let allowed = |a: u32, b: u32| {
                config
                    .mode
                    .allows(data.sources[a as usize], data.sources[b as usize])
            };
            let mut total = 0u64;
            for group in &groups {
                for (x, &a) in group.iter().enumerate() {
                    total += group[x + 1..].iter().filter(|&&b| allowed(a, b)).count() as u64;
                }
            }
            // An even stride while enumerating, so a huge cluster never materialises all
            // its pairs.
            let stride = total.div_ceil(config.training.max_pairs_per_rule).max(1);
            let mut pairs = Vec::with_capacity(total.div_ceil(stride) as usize);
            let mut seen = 0u64;
            for group in &groups {
                for (x, &a) in group.iter().enumerate() {
                    for &b in &group[x + 1..] {
                        if allowed(a, b) {
                            if seen.is_multiple_of(stride) {
                                pairs.push((a, b));
                            }
                            seen += 1;
                        }
                    }
                }
            }
            (pairs, total)
        }
        Labels::Pairs(pairs) => {
            let matches: Vec<(u32, u32)> = pairs
                .iter()
                .filter(|p| {
                    p.2 && p.0 != p.1
                        && (p.0 as usize) < data.len()
                        && (p.1 as usize) < data.len()
                        && config
                            .mode
                            .allows(data.sources[p.0 as usize], data.sources[p.1 as usize])
                })
                .map(|&(a, b, _)| (a.min(b), a.max(b)))
                .collect();
            (matches, 0)
        }
    };
    if matches.is_empty() {
        return Err(MatchError::Input("the labels hold no matching pair"));
    }
    let patterns = count_patterns(&compiled.comparators, &matches);
    let counts = level_totals(&patterns, &level_counts, |_| 1.0);
    let floor = (0.5 / matches.len() as f64).max(MIN_PROBABILITY);
    let m: Vec<Vec<f64>> = counts
        .iter()
        .zip(&level_counts)
        .map(|(c, &n)| {
            if c[1..].iter().sum::<f64>() > 0.0 {
                normalise(c, floor)
            } else {
                default_m(n)
            }
        })
        .collect();
    let (prior, evidence) = if true_pairs > 0 {
        (
            (true_pairs as f64 / comparable as f64).clamp(1e-9, 0.5),
            true_pairs,
        )
    } else {
        estimate_prior(config, data, comparable)?
    };
    let u = refine_u(&sample_patterns, &exact_u, &m, u, prior, sample_len);
    let (m, u, _) = ordered(m, u);
    let trained_by = vec![vec!["labels".to_string()]; level_counts.len()];
    Ok(assemble(
        config,
        &compiled,
        Estimates {
            m,
            u,
            trained_by,
            prior,
            method: TrainingMethod::Supervised,
            u_sample_pairs: sample_len as u64,
            prior_evidence_pairs: evidence,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_m_sums_to_one_over_non_null() {
        for n in 3..10 {
            let m = default_m(n);
            assert_eq!(m.len(), n);
            assert!((m[1..].iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(m[1] > m[n - 1]);
        }
    }

    #[test]
    fn normalise_floors_and_sums_to_one() {
        let p = normalise(&[5.0, 10.0, 0.0, 30.0], 1e-3);
        assert!((p[1..].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[2] > 0.0);
        assert_eq!(p[0], 1.0);
    }

    #[test]
    fn an_exact_level_the_sample_hardly_saw_takes_its_u_from_the_value_frequencies() {
        // One comparison of four levels; the sample saw its exact level twice, below the
        // support needed, so the frequencies' 1 in 25,000 is taken and the other levels
        // keep their proportions. With enough support the sample stands.
        let counts = |exact: f64| vec![vec![0.0, exact, 100.0, 900.0 - exact]];
        let u = vec![vec![1.0, 0.002, 0.1, 0.898]];
        let from_terms = [Some(4e-5)];
        let fell_back = with_exact_u_from_terms(u.clone(), &counts(2.0), &from_terms, 1_000_000);
        assert_eq!(fell_back[0][1], 4e-5);
        assert!((fell_back[0][1..].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((fell_back[0][2] / fell_back[0][3] - 0.1 / 0.898).abs() < 1e-12);
        let kept = with_exact_u_from_terms(u.clone(), &counts(20.0), &from_terms, 1_000_000);
        assert_eq!(kept, u);
        // A comparison without frequencies keeps the sample's.
        assert_eq!(
            with_exact_u_from_terms(u.clone(), &counts(2.0), &[None], 1_000_000),
            u
        );
    }

    /// Levels of (family name, given name, address) as indices: 1 exact / same detail,
    /// the last one different.
    fn household_patterns(config: &MatchConfig) -> (Patterns, Vec<Vec<f64>>) {
        // The index of each comparison's `different` level.
        let last: Vec<u8> = config
            .comparisons
            .iter()
            .map(|c| match c.name.as_str() {
                "family_name" => crate::compare::name::FAMILY_LEVELS.len() as u8 - 1,
                "given_name" => crate::compare::name::GIVEN_LEVELS.len() as u8 - 1,
                _ => 5,
            })
            .collect();
        let (family_diff, given_diff, address_diff) = (last[0], last[1], last[2]);
        let mut rows: Vec<(Box<[u8]>, u64)> = vec![
            // The same person: the given name rarely differs.
            (vec![1, 1, 1].into(), 950),
            (vec![1, given_diff, 1].into(), 50),
            // Two people of one household.
            (vec![1, given_diff, 1].into(), 1000),
            // Strangers of one family name, and others.
            (vec![1, given_diff, address_diff].into(), 250),
            (vec![family_diff, given_diff, address_diff].into(), 4750),
        ];
        rows.sort_unstable();
        let mut merged: Vec<(Box<[u8]>, u64)> = Vec::new();
        for (levels, n) in rows {
            match merged.last_mut() {
                Some((l, m)) if *l == levels => *m += n,
                _ => merged.push((levels, n)),
            }
        }
        let u = last
            .iter()
            .map(|&d| {
                let mut u = vec![1.0; d as usize + 1];
                // Strangers: 1% agree, 98% differ, the rest spread over the levels between.
                for (l, p) in u.iter_mut().enumerate().skip(1) {
                    *p = match l {
                        1 => 0.01,
                        l if l == d as usize => 0.98,
                        _ => 0.01 / f64::from(d - 2),
                    };
                }
                u
            })
            .collect();
        let first_found = vec![0; merged.len()];
        (
            Patterns {
                rows: merged,
                first_found,
            },
            u,
        )
    }

    #[test]
    fn a_household_class_keeps_households_out_of_the_match_class() {
        let schema = sameas_normalize::infer::infer_schema(&["id", "name", "address"])
            .unwrap()
            .schema;
        let mut config = MatchConfig::infer(&schema, LinkMode::Dedupe);
        config
            .comparisons
            .retain(|c| ["family_name", "given_name", "address"].contains(&c.name.as_str()));
        assert_eq!(config.comparisons.len(), 3);
        let (patterns, u) = household_patterns(&config);
        let defaults: Vec<Vec<f64>> = u.iter().map(|l| default_m(l.len())).collect();
        let trained = [true, true, true];
        let given_differs = |em: &EmResult| *em.m[1].last().unwrap();
        let two = expectation_maximisation(&patterns, &trained, false, &u, &defaults, &config);
        let three = expectation_maximisation(&patterns, &trained, true, &u, &defaults, &config);
        // Two classes take the households for matches: half the "matches" differ on the
        // given name. The household class leaves the 5% the matches really have.
        assert!(given_differs(&two) > 0.4, "{}", given_differs(&two));
        assert!(given_differs(&three) < 0.1, "{}", given_differs(&three));
        assert!(
            (three.expected - 1000.0).abs() < 100.0,
            "{}",
            three.expected
        );
    }

    #[test]
    fn matches_that_agree_on_an_identifier_stay_matches_whatever_their_given_names() {
        // Blocks on a birth date, with no household in them: one person's records agree on
        // a member number, and 15% of them give a given name the tables cannot reconcile
        // (FEBRL's corrupted duplicates). Two people of one household do not share such a
        // number, so the household class cannot take those records: the match class keeps
        // the 15%, and a differing given name weighs what it should.
        let schema = sameas_normalize::infer::infer_schema(&["id", "name", "address", "member_no"])
            .unwrap()
            .schema;
        let mut config = MatchConfig::infer(&schema, LinkMode::Dedupe);
        config.comparisons.retain(|c| {
            ["family_name", "given_name", "address", "member_no"].contains(&c.name.as_str())
        });
        assert_eq!(config.comparisons.len(), 4);
        let given_diff = crate::compare::name::GIVEN_LEVELS.len() as u8 - 1;
        let family_diff = crate::compare::name::FAMILY_LEVELS.len() as u8 - 1;
        let (address_diff, id_diff) = (5, crate::compare::identifier::LEVELS.len() as u8 - 1);
        // Given-name levels: 1 exact, 5 close; address levels: 1 same detail, 3 same district.
        let mut rows: Vec<(Box<[u8]>, u64)> = vec![
            (vec![1, 1, 1, 1].into(), 500),
            (vec![1, 5, 1, 1].into(), 150),
            (vec![1, 1, 3, 1].into(), 150),
            (vec![1, 1, address_diff, 2].into(), 50),
            (vec![1, given_diff, 1, 1].into(), 100),
            (vec![1, given_diff, 3, 1].into(), 50),
            // Strangers born on the same day.
            (
                vec![family_diff, given_diff, address_diff, id_diff].into(),
                5000,
            ),
            (vec![family_diff, given_diff, 3, id_diff].into(), 500),
            (vec![1, given_diff, address_diff, id_diff].into(), 100),
        ];
        rows.sort_unstable();
        let patterns = Patterns {
            first_found: vec![0; rows.len()],
            rows,
        };
        let u: Vec<Vec<f64>> = [family_diff, given_diff, address_diff, id_diff]
            .iter()
            .map(|&d| {
                (0..=d)
                    .map(|l| match l {
                        0 => 1.0,
                        1 => 0.01,
                        l if l == d => 0.98,
                        _ => 0.01 / f64::from(d - 2).max(1.0),
                    })
                    .collect()
            })
            .collect();
        let defaults: Vec<Vec<f64>> = u.iter().map(|l| default_m(l.len())).collect();
        let em = expectation_maximisation(&patterns, &[true; 4], true, &u, &defaults, &config);
        let given_differs = *em.m[1].last().unwrap();
        assert!(
            (0.1..0.2).contains(&given_differs),
            "m of a differing given name {given_differs}"
        );
    }

    #[test]
    fn the_rules_share_the_pair_budget() {
        let training = crate::config::TrainingConfig {
            max_pairs_per_rule: 100_000,
            max_pairs: 1_000_000,
            ..Default::default()
        };
        // Rules that train nothing take no share.
        let mut plan = vec![vec![true, false]; 60];
        plan.extend(vec![vec![false, false]; 40]);
        assert_eq!(pairs_per_rule(&training, &plan), 16_666);
        // Few rules: each keeps its own cap.
        assert_eq!(pairs_per_rule(&training, &plan[..4]), 100_000);
        // Never below one pair, even with no rule that trains.
        assert_eq!(pairs_per_rule(&training, &plan[60..]), 100_000);
        let tiny = crate::config::TrainingConfig {
            max_pairs: 10,
            ..training
        };
        assert_eq!(pairs_per_rule(&tiny, &plan), 1);
    }

    #[test]
    fn the_median_ignores_one_contaminated_rule() {
        let estimates = vec![
            vec![1.0, 0.9, 0.1],
            vec![1.0, 0.92, 0.08],
            vec![1.0, 0.5, 0.5],
        ];
        let m = median_levels(&estimates);
        assert!((m[1] - 0.9 / 1.0).abs() < 1e-12);
        assert!((m[1] + m[2] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_full_sample_is_every_comparable_pair_once() {
        use sameas_normalize::record::NormalizedRecord;
        let sources = vec![0, 1, 1, 0, 1, 1, 1];
        let n = sources.len();
        let records = vec![NormalizedRecord::missing(0); n];
        let ids = (0..n)
            .map(|i| sameas_core::RecordId::from(i.to_string().as_str()))
            .collect();
        let data = Dataset::with_sources(Default::default(), ids, sources, records).unwrap();
        for mode in [LinkMode::Dedupe, LinkMode::Link, LinkMode::Both] {
            let pairs = sample_pairs(&data, mode, u64::MAX, 1);
            assert_eq!(
                pairs.len() as u64,
                mode.comparable_pairs(data.source_sizes())
            );
            let mut distinct = pairs.clone();
            distinct.dedup();
            assert_eq!(distinct, pairs, "sorted and distinct");
            for &(a, b) in &pairs {
                assert!(a < b);
                assert!(mode.allows(data.sources[a as usize], data.sources[b as usize]));
            }
        }
        // Sampled: the requested count, comparable pairs only, the same for a seed.
        let sampled = sample_pairs(&data, LinkMode::Link, 5, 9);
        assert_eq!(sampled.len(), 5);
        assert!(
            sampled
                .iter()
                .all(|&(a, b)| data.sources[a as usize] != data.sources[b as usize])
        );
        assert_eq!(sampled, sample_pairs(&data, LinkMode::Link, 5, 9));
    }

    #[test]
    fn levels_keep_their_order_of_strength() {
        // The second level weighs more than the first: the two are pooled.
        let mut m = vec![1.0, 0.3, 0.5, 0.2];
        let mut u = vec![1.0, 0.01, 0.01, 0.98];
        let pooled = keep_order(&mut m, &mut u);
        assert_eq!(pooled, vec![false, true, true, false]);
        assert!((m[1] / u[1] - m[2] / u[2]).abs() < 1e-12);
        assert!((m[1..].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(m[2] / u[2] >= m[3] / u[3]);
        // A level weighing less than `different` is pooled with it.
        let mut m = vec![1.0, 0.9, 1e-6, 0.1];
        let mut u = vec![1.0, 0.001, 0.0001, 0.9989];
        keep_order(&mut m, &mut u);
        assert!(m[2] / u[2] >= m[3] / u[3] - 1e-12);
        // An ordered comparison is left alone.
        let (mut m2, mut u2) = (vec![1.0, 0.9, 0.1], vec![1.0, 0.01, 0.99]);
        assert_eq!(keep_order(&mut m2, &mut u2), vec![false; 3]);
        assert_eq!(m2, vec![1.0, 0.9, 0.1]);
    }

    #[test]
    fn the_prior_keeps_rare_levels_above_zero() {
        let prior = default_m(4);
        let m = m_with_prior(&[0.0, 5000.0, 0.0, 100.0], &prior);
        assert!(m[2] > 1e-4, "{m:?}");
        assert!((m[1] - 5000.0 / 5110.0).abs() < 0.01);
    }
}
