//! Comparing two configurations in `sameas bench`: JSON merge patches (RFC 7396) over each
//! dataset's inferred configuration, and the record pairs that changed side between the two
//! runs, judged against the truth and shown masked.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::path::Path;

use anyhow::{Context, Result, bail};
use sameas::ResolverConfig;
use sameas::eval::{Predicted, Truth};
use serde::Serialize;
use serde_json::Value;

use crate::eval::{Masked, masked_records};

/// Applies an RFC 7396 merge patch to `target`: objects merge key by key, `null` removes a
/// key, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let target = target.as_object_mut().expect("made an object above");
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// `config` with `patch` merged over it, checked like any configuration. A patch must be an
/// object, and every value it sets must survive reading (a misspelt key would otherwise be
/// dropped silently and the variant would equal the base).
///
/// # Errors
/// A patch that is not an object, sets a setting the configuration does not have, or gives a
/// configuration that does not validate.
pub fn apply_patch(config: &ResolverConfig, patch: &Value) -> Result<ResolverConfig> {
    if !patch.is_object() {
        bail!("a patch must be a JSON object");
    }
    let mut value = serde_json::to_value(config)?;
    merge_patch(&mut value, patch);
    let patched = ResolverConfig::from_json(&value.to_string())?;
    if let Some(path) = not_absorbed(patch, &serde_json::to_value(&patched)?, String::new()) {
        bail!("`{path}` is not a setting of the configuration (or not one this value can set)");
    }
    Ok(patched)
}

/// The first path the patch sets that the read-back configuration does not hold as set.
fn not_absorbed(patch: &Value, read: &Value, at: String) -> Option<String> {
    match (patch, read) {
        (Value::Object(patch), Value::Object(read)) => patch.iter().find_map(|(key, value)| {
            let path = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            match read.get(key) {
                _ if value.is_null() => None,
                Some(found) => not_absorbed(value, found, path),
                None => Some(path),
            }
        }),
        (Value::Number(a), Value::Number(b)) => (a.as_f64() != b.as_f64()).then_some(at),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (a, b))| not_absorbed(a, b, format!("{at}[{i}]"))),
        (a, b) => (a != b).then_some(at),
    }
}

/// A pair of records that one run put together and the other kept apart.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedPair {
    /// The first record.
    pub record_id_l: String,
    /// The second record.
    pub record_id_r: String,
    /// Whether the change agrees with the truth (a new join of one person, or a new split of
    /// two).
    pub right: bool,
    /// The first record's name, phone, e-mail and birth date, masked.
    pub masked_l: Masked,
    /// The same for the second record.
    pub masked_r: Masked,
}

/// Pairs that changed side in one direction.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Changed {
    /// Pairs.
    pub pairs: u64,
    /// Of which the truth agrees with the change.
    pub right: u64,
    /// Of which the truth disagrees.
    pub wrong: u64,
    /// A few of them, masked: wrong ones first.
    pub examples: Vec<ChangedPair>,
}

/// The pairs that changed side between run A and run B of one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct PairChanges {
    /// The dataset.
    pub dataset: String,
    /// Pairs together in B but apart in A.
    pub joined_in_b: Changed,
    /// Pairs together in A but apart in B.
    pub split_in_b: Changed,
}

/// Compares the entities files of runs A and B against the truth; `data` is the dataset's
/// data file, read for the masked examples (up to `examples` per direction).
///
/// # Errors
/// Unreadable files, or entities that do not cover the truth.
pub fn pair_changes(
    dataset: &str,
    truth: &Truth,
    a: &Path,
    b: &Path,
    data: &Path,
    examples: usize,
) -> Result<PairChanges> {
    let read = |path: &Path| -> Result<Predicted> {
        let (predicted, _) = Predicted::from_path(truth, path, 0.5)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(predicted)
    };
    let (a, b) = (read(a)?, read(b)?);
    let n = truth.len() as u32;
    let ea = |i: u32| a.entity_of(i);
    let eb = |i: u32| b.entity_of(i);
    let t = |i: u32| truth.cluster_of(i);
    let (mut joined_in_b, mut split_in_b) = count_changes(n, &ea, &eb, &t);
    let joined_examples = example_pairs(n, &eb, &ea, &t, true, examples);
    let split_examples = example_pairs(n, &ea, &eb, &t, false, examples);
    let wanted: HashSet<&str> = joined_examples
        .iter()
        .chain(&split_examples)
        .flat_map(|&(l, r, _)| [truth.id(l), truth.id(r)])
        .collect();
    let masked = if wanted.is_empty() {
        HashMap::new()
    } else {
        masked_records(data, &wanted)?
    };
    for (examples, out) in [
        (joined_examples, &mut joined_in_b.examples),
        (split_examples, &mut split_in_b.examples),
    ] {
        for (l, r, right) in examples {
            let shown = |i: u32| masked.get(truth.id(i)).cloned().unwrap_or_default();
            out.push(ChangedPair {
                record_id_l: truth.id(l).to_string(),
                record_id_r: truth.id(r).to_string(),
                right,
                masked_l: shown(l),
                masked_r: shown(r),
            });
        }
    }
    Ok(PairChanges {
        dataset: dataset.to_string(),
        joined_in_b,
        split_in_b,
    })
}

/// Pairs joined in B only and split in B only, each judged against the truth `t`, counted
/// from group sizes (no pair is enumerated).
fn count_changes(
    n: u32,
    ea: &impl Fn(u32) -> u32,
    eb: &impl Fn(u32) -> u32,
    t: &impl Fn(u32) -> u32,
) -> (Changed, Changed) {
    let together_a = pairs_within(n, ea);
    let together_b = pairs_within(n, eb);
    let together_ab = pairs_within(n, |i| (ea(i), eb(i)));
    let true_a = pairs_within(n, |i| (ea(i), t(i)));
    let true_b = pairs_within(n, |i| (eb(i), t(i)));
    let true_ab = pairs_within(n, |i| (ea(i), eb(i), t(i)));
    let joined = together_b - together_ab;
    let joined_right = true_b - true_ab;
    // A new split is right when the two are different people.
    let split = together_a - together_ab;
    let split_wrong = true_a - true_ab;
    (
        Changed {
            pairs: joined,
            right: joined_right,
            wrong: joined - joined_right,
            examples: Vec::new(),
        },
        Changed {
            pairs: split,
            right: split - split_wrong,
            wrong: split_wrong,
            examples: Vec::new(),
        },
    )
}

/// Pairs of records sharing a key: Σ C(size, 2) over the key's groups.
fn pairs_within<K: Hash + Eq>(n: u32, key: impl Fn(u32) -> K) -> u64 {
    let mut sizes: HashMap<K, u64> = HashMap::new();
    for i in 0..n {
        *sizes.entry(key(i)).or_default() += 1;
    }
    sizes.values().map(|&s| s * (s - 1) / 2).sum()
}

/// Up to `limit` pairs together under `now` but apart under `before`, wrong and right ones
/// alternating (wrong first), at most one of each per group, in record order. `joined` says
/// whether the change is a join (right when the truth agrees) or a split (right when it does
/// not). The search stops after a bounded amount of work.
fn example_pairs(
    n: u32,
    now: &impl Fn(u32) -> u32,
    before: &impl Fn(u32) -> u32,
    truth: &impl Fn(u32) -> u32,
    joined: bool,
    limit: usize,
) -> Vec<(u32, u32, bool)> {
    const BUDGET: u64 = 5_000_000;
    if limit == 0 {
        return Vec::new();
    }
    let mut groups: HashMap<u32, Vec<u32>> = HashMap::new();
    for i in 0..n {
        groups.entry(now(i)).or_default().push(i);
    }
    let mut groups: Vec<Vec<u32>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort_unstable_by_key(|g| g[0]);
    let (mut right, mut wrong) = (Vec::new(), Vec::new());
    let mut work = 0u64;
    'groups: for group in &groups {
        let mut taken = [false; 2];
        for (x, &l) in group.iter().enumerate() {
            for &r in &group[x + 1..] {
                work += 1;
                if work > BUDGET || (wrong.len() >= limit && right.len() >= limit) {
                    break 'groups;
                }
                if before(l) == before(r) {
                    continue;
                }
                let is_right = (truth(l) == truth(r)) == joined;
                let list = if is_right { &mut right } else { &mut wrong };
                if !taken[usize::from(is_right)] && list.len() < limit {
                    taken[usize::from(is_right)] = true;
                    list.push((l, r, is_right));
                }
            }
        }
    }
    let mut out = Vec::with_capacity(limit);
    let (mut wrong, mut right) = (wrong.into_iter(), right.into_iter());
    while out.len() < limit {
        match (wrong.next(), right.next()) {
            (None, None) => break,
            (w, r) => out.extend(w.into_iter().chain(r)),
        }
    }
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        // The RFC's own example.
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
        let mut target = json!({"a": [1, 2]});
        merge_patch(&mut target, &json!({"a": {"b": "c"}, "x": [3]}));
        assert_eq!(target, json!({"a": {"b": "c"}, "x": [3]}));
    }

    fn config() -> ResolverConfig {
        let schema = sameas_normalize::infer::infer_schema(&["id", "name", "phone"])
            .unwrap()
            .schema;
        ResolverConfig::for_schema(
            schema,
            sameas_normalize::NormalizeOptions::default(),
            sameas_match::LinkMode::Dedupe,
        )
    }

    #[test]
    fn a_patch_sets_what_it_names_and_refuses_what_the_config_lacks() {
        let base = config();
        let patched = apply_patch(
            &base,
            &json!({"clustering": {"household_guard": {"type": "off"}, "min_personal_weight": 1}}),
        )
        .unwrap();
        assert_eq!(
            patched.clustering.household_guard,
            sameas::HouseholdGuard::Off
        );
        assert_eq!(patched.clustering.min_personal_weight, 1.0);
        assert_eq!(patched.matching, base.matching);
        for bad in [
            json!({"clustering": {"household_gaurd": {"type": "off"}}}),
            json!({"clusterin": {}}),
            json!([1]),
            json!({"matching": {"threshold": 2.0}}),
        ] {
            assert!(apply_patch(&base, &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_and_judges_the_pairs_that_changed_side() {
        // Truth: {0,1,2} {3} {4,5}. A: {0,1} {2} {3,4} {5}. B: {0,1,2,3} {4,5}.
        let truth = [0u32, 0, 0, 1, 2, 2];
        let a = [0u32, 0, 1, 2, 2, 3];
        let b = [0u32, 0, 0, 0, 1, 1];
        let together = |k: &[u32]| pairs_within(6, |i| k[i as usize]);
        assert_eq!(together(&b), 7);
        let (joined, split) = count_changes(6, &|i| a[i as usize], &|i| b[i as usize], &|i| {
            truth[i as usize]
        });
        assert_eq!((joined.pairs, joined.right, joined.wrong), (6, 3, 3));
        assert_eq!((split.pairs, split.right, split.wrong), (1, 1, 0));
        let (joined, split) = count_changes(6, &|i| b[i as usize], &|i| a[i as usize], &|i| {
            truth[i as usize]
        });
        assert_eq!((joined.pairs, joined.right, joined.wrong), (1, 0, 1));
        assert_eq!((split.pairs, split.right, split.wrong), (6, 3, 3));
        let joined = example_pairs(
            6,
            &|i| b[i as usize],
            &|i| a[i as usize],
            &|i| truth[i as usize],
            true,
            10,
        );
        // Joined in B only: 0-2 1-2 (right), 0-3 1-3 2-3 (wrong) in group {0,1,2,3}, and
        // 4-5 (right): one of each judgement per group, wrong first.
        assert_eq!(joined, [(0, 3, false), (0, 2, true), (4, 5, true)]);
        let split = example_pairs(
            6,
            &|i| a[i as usize],
            &|i| b[i as usize],
            &|i| truth[i as usize],
            false,
            10,
        );
        // Split in B only: 3-4, rightly (different people).
        assert_eq!(split, [(3, 4, true)]);
    }
}
