//! The match configuration and its defaults inferred from a schema. The versioned document
//! that carries it with the schema, the normalizer options and the later stages is the
//! facade's `sameas::ResolverConfig`.

use serde::{Deserialize, Serialize};

use sameas_core::{FieldKind, Schema};

use crate::MatchError;
use crate::blocking::{BlockingConfig, BlockingRule, LinkMode};
use crate::compare::{ComparisonConfig, ComparisonMethod};
use crate::keys::KeyRef;
use crate::model::TrainedModel;

/// Most pairs a training sample may hold.
const MAX_SAMPLE: u64 = 100_000_000;

/// The default match threshold: a pair is a match when the model says it is more likely a
/// match than not (probability ≥ 0.5, weight ≥ 0), the Bayes decision for equal costs.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// How the model is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingConfig {
    /// Seed for random pair sampling.
    pub seed: u64,
    /// Random pairs sampled to estimate u (all comparable pairs when there are fewer).
    pub u_sample_pairs: u64,
    /// Rules whose blocks train m by EM; empty means the blocking rules.
    pub em_rules: Vec<BlockingRule>,
    /// At most this many pairs per EM rule (an even stride over its pairs, drawn without
    /// listing the rest), so training's EM costs the same at any size of data. A rule's
    /// m estimates rest on its matches among these pairs: a rule whose pairs are one in a
    /// hundred matches still shows a thousand of them, enough for a level's share to within
    /// a few hundredths, and the model takes each level's median over the rules.
    pub max_pairs_per_rule: u64,
    /// At most this many pairs over all EM rules together: each rule that trains takes an
    /// equal share (never more than `max_pairs_per_rule`), so that sixty candidate rules
    /// cost EM what a dozen did. A share of a million over sixty rules is over sixteen
    /// thousand pairs a rule: where one pair in ten matches, over 1,600 matches, enough for
    /// a level's share to within about a hundredth, and the median over the rules evens out
    /// what one rule's sample misses.
    pub max_pairs: u64,
    /// EM iterations at most.
    pub em_max_iterations: u32,
    /// EM stops when no m moves more than this.
    pub em_tolerance: f64,
    /// Deterministic rules whose pairs estimate the prior.
    pub prior_rules: Vec<BlockingRule>,
    /// The share of all true matches the prior rules are assumed to find.
    pub prior_recall: f64,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        TrainingConfig {
            seed: 42,
            u_sample_pairs: 1_000_000,
            em_rules: Vec::new(),
            max_pairs_per_rule: 100_000,
            max_pairs: 1_000_000,
            em_max_iterations: 100,
            em_tolerance: 1e-6,
            prior_rules: Vec::new(),
            prior_recall: 0.6,
        }
    }
}

/// Everything the match stage needs: mode, blocking, comparisons, rules, training settings,
/// the threshold and, once trained, the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchConfig {
    /// Dedupe, link or both.
    pub mode: LinkMode,
    /// Blocking rules and the block cap.
    pub blocking: BlockingConfig,
    /// Comparisons, in output order.
    pub comparisons: Vec<ComparisonConfig>,
    /// Pairs agreeing on any of these keys match whatever the model says.
    pub deterministic_rules: Vec<BlockingRule>,
    /// Training settings.
    pub training: TrainingConfig,
    /// Pairs at or above this match probability are matches.
    pub threshold: f64,
    /// The trained model, once there is one.
    pub model: Option<TrainedModel>,
}

fn fields_of(schema: &Schema, kind: FieldKind) -> Vec<String> {
    schema
        .fields
        .iter()
        .filter(|f| f.kind == kind && f.compare)
        .map(|f| f.name.clone())
        .collect()
}

fn rule(name: &str, keys: Vec<KeyRef>) -> BlockingRule {
    BlockingRule {
        name: name.to_string(),
        keys,
        max_block_size: None,
    }
}

/// Blocks of broad keys (a family name in a city) are compared only while this small.
const BROAD_BLOCK_SIZE: usize = 50;

/// Blocks of a name alone are compared only while this small: a rare full name is worth
/// comparing, 张伟 or John Smith is not.
const NARROW_BLOCK_SIZE: usize = 20;

/// Blocks of a family name alone are compared only while this small: half a full name's
/// cap, as a family name alone says less. A family's few records, or a rare name's, are
/// compared; a name a tenth of a small file holds (Smith) is not.
const FAMILY_BLOCK_SIZE: usize = NARROW_BLOCK_SIZE / 2;

fn narrow_rule(name: &str, keys: Vec<KeyRef>) -> BlockingRule {
    BlockingRule {
        max_block_size: Some(NARROW_BLOCK_SIZE),
        ..rule(name, keys)
    }
}

/// How a name key reads in a rule's name.
fn name_key_label(key: &str) -> &str {
    match key {
        "norm" => "name",
        "pinyin" => "name_pinyin",
        other => other,
    }
}

fn broad_rule(name: &str, keys: Vec<KeyRef>) -> BlockingRule {
    BlockingRule {
        max_block_size: Some(BROAD_BLOCK_SIZE),
        ..rule(name, keys)
    }
}

fn key(fields: &[String], key: &str) -> KeyRef {
    KeyRef {
        fields: fields.to_vec(),
        key: key.to_string(),
    }
}

impl MatchConfig {
    /// Defaults inferred from the fields a schema has: a comparison per field kind (names
    /// as family and given parts), blocking on each identifier, phone, e-mail and on name
    /// with birth date, prior rules on strong identifiers, and same valid national id as a
    /// deterministic match.
    pub fn infer(schema: &Schema, mode: LinkMode) -> Self {
        let names = fields_of(schema, FieldKind::Name);
        let phones = fields_of(schema, FieldKind::Phone);
        let emails = fields_of(schema, FieldKind::Email);
        let addresses = fields_of(schema, FieldKind::Address);
        let births = fields_of(schema, FieldKind::BirthDate);
        let national = fields_of(schema, FieldKind::NationalId);
        let genders = fields_of(schema, FieldKind::Gender);
        let identifiers = fields_of(schema, FieldKind::Identifier);

        let mut comparisons = Vec::new();
        let mut compare = |name: &str, fields: &[String], method, tf| {
            if !fields.is_empty() {
                comparisons.push(ComparisonConfig {
                    name: name.to_string(),
                    fields: fields.to_vec(),
                    method,
                    term_frequency: tf,
                });
            }
        };
        let (close, similar) = (0.92, 0.8);
        compare(
            "family_name",
            &names,
            ComparisonMethod::FamilyName { close, similar },
            true,
        );
        compare(
            "given_name",
            &names,
            ComparisonMethod::GivenName { close, similar },
            true,
        );
        compare(
            "birth_date",
            &births,
            ComparisonMethod::Date { within_days: 30 },
            true,
        );
        compare("phone", &phones, ComparisonMethod::Phone, true);
        compare(
            "email",
            &emails,
            ComparisonMethod::Email { fuzzy: 0.88 },
            true,
        );
        compare(
            "address",
            &addresses,
            ComparisonMethod::Address { similar: 0.9 },
            true,
        );
        compare(
            "national_id",
            &national,
            ComparisonMethod::Identifier { one_edit: false },
            false,
        );
        for id in &identifiers {
            compare(
                id,
                std::slice::from_ref(id),
                ComparisonMethod::Identifier { one_edit: true },
                true,
            );
        }
        compare("gender", &genders, ComparisonMethod::Gender, false);

        let attributes = fields_of(schema, FieldKind::Text);
        for attribute in &attributes {
            compare(
                attribute,
                std::slice::from_ref(attribute),
                ComparisonMethod::String {
                    metric: crate::compare::StringMetric::JaroWinkler,
                    thresholds: vec![0.9],
                    words: Some(0.5),
                },
                true,
            );
        }

        let mut rules = Vec::new();
        let mut prior_rules = Vec::new();
        let mut deterministic_rules = Vec::new();
        // Strong identifiers, each alone.
        if !national.is_empty() {
            let r = rule("national_id", vec![key(&national, "norm")]);
            rules.push(r.clone());
            prior_rules.push(r.clone());
            deterministic_rules.push(r);
        }
        for id in &identifiers {
            let r = rule(id, vec![key(std::slice::from_ref(id), "norm")]);
            rules.push(r.clone());
            prior_rules.push(r);
            // The same identifier typed with one character wrong (a digit of a social
            // security or loyalty number): the rule choice weighs what it finds.
            rules.push(rule(
                &format!("{id}_one_edit"),
                vec![key(std::slice::from_ref(id), "one_deleted")],
            ));
        }
        if !phones.is_empty() {
            rules.push(rule("phone", vec![key(&phones, "national")]));
            if !names.is_empty() {
                prior_rules.push(rule(
                    "phone+name",
                    vec![key(&phones, "national"), key(&names, "norm")],
                ));
            }
        }
        if !emails.is_empty() {
            let r = rule("email", vec![key(&emails, "canonical")]);
            rules.push(r.clone());
            prior_rules.push(r);
            rules.push(rule("email_local", vec![key(&emails, "local")]));
        }
        if !phones.is_empty() {
            // The visible digits of a masked number (138****8000) and the same digits of a
            // full number: marketplaces mask phones, and this is how their records meet.
            rules.push(rule("masked_phone", vec![key(&phones, "masked")]));
        }
        if !names.is_empty() && !births.is_empty() {
            prior_rules.push(rule(
                "name+birth_date",
                vec![key(&names, "norm"), key(&births, "norm")],
            ));
        }
        // A full name alone: a rare one is evidence enough to compare; a common one's blocks
        // are capped.
        if !names.is_empty() {
            rules.push(narrow_rule("name", vec![key(&names, "norm")]));
            rules.push(narrow_rule("name_pinyin", vec![key(&names, "pinyin")]));
            rules.push(narrow_rule("phonetic", vec![key(&names, "phonetic")]));
            // A family name alone, under a smaller cap still: records that share a rare
            // family name and little else (`art glenravel` and `arthur glenravel`, a
            // family name with a bare initial).
            rules.push(BlockingRule {
                max_block_size: Some(FAMILY_BLOCK_SIZE),
                ..rule("family", vec![key(&names, "family")])
            });
        }
        if !births.is_empty() {
            rules.push(broad_rule("birth_date", vec![key(&births, "norm")]));
        }
        // An address alone, under the broad cap: records without a person's name (an
        // organisation's) or with a name that does not meet meet here.
        if !addresses.is_empty() {
            rules.push(broad_rule(
                "address_detail",
                vec![key(&addresses, "detail")],
            ));
            // A postcode alone, under the broad cap: where nothing else but names pairs
            // records, this is the rule that lets training see names that disagree.
            rules.push(broad_rule("postcode", vec![key(&addresses, "postcode")]));
        }
        // A name key with each context a person keeps: birth date, address parts,
        // attributes. Fine contexts pair with any name key; coarse ones (a year, a city, a
        // postcode, an occupation) only with the full name's keys, or under a small cap.
        let mut fine: Vec<(String, KeyRef)> = Vec::new();
        let mut coarse: Vec<(String, KeyRef)> = Vec::new();
        if !births.is_empty() {
            fine.push(("birth_date".into(), key(&births, "norm")));
            coarse.push(("birth_year".into(), key(&births, "year")));
        }
        if !addresses.is_empty() {
            fine.push(("address_detail".into(), key(&addresses, "detail")));
            fine.push(("street".into(), key(&addresses, "street")));
            coarse.push(("postcode".into(), key(&addresses, "postcode")));
            coarse.push(("district".into(), key(&addresses, "district")));
            coarse.push(("city".into(), key(&addresses, "city")));
        }
        if !phones.is_empty() {
            fine.push(("masked_phone".into(), key(&phones, "masked")));
        }
        for attribute in &attributes {
            coarse.push((
                attribute.clone(),
                key(std::slice::from_ref(attribute), "norm"),
            ));
        }
        if !names.is_empty() {
            for (context, context_key) in &fine {
                for name_key in ["pinyin", "phonetic", "family", "given", "family_pinyin"] {
                    rules.push(rule(
                        &format!("{}+{context}", name_key_label(name_key)),
                        vec![key(&names, name_key), context_key.clone()],
                    ));
                }
            }
            for (context, context_key) in &coarse {
                for name_key in ["norm", "pinyin", "phonetic"] {
                    rules.push(rule(
                        &format!("{}+{context}", name_key_label(name_key)),
                        vec![key(&names, name_key), context_key.clone()],
                    ));
                }
                for name_key in ["family", "given"] {
                    rules.push(broad_rule(
                        &format!("{name_key}+{context}"),
                        vec![key(&names, name_key), context_key.clone()],
                    ));
                }
            }
        }
        // Contexts together, for records whose names disagree (a typo, a nickname, a
        // married name).
        if !births.is_empty() {
            for (context, context_key) in fine.iter().chain(&coarse) {
                if context.starts_with("birth") {
                    continue;
                }
                rules.push(rule(
                    &format!("birth_date+{context}"),
                    vec![key(&births, "norm"), context_key.clone()],
                ));
            }
        }
        if !addresses.is_empty() {
            rules.push(rule(
                "postcode+street_number",
                vec![key(&addresses, "postcode"), key(&addresses, "number")],
            ));
        }
        // Keys that split a rule whose blocks outgrow the budget: a year of birth or a
        // gender divides a common name's block in a district without needing more than a
        // value most records carry.
        let mut sub_keys = Vec::new();
        if !births.is_empty() {
            sub_keys.push(crate::selection::SubKey {
                name: "birth_year".into(),
                key: key(&births, "year"),
            });
        }
        if !genders.is_empty() {
            sub_keys.push(crate::selection::SubKey {
                name: "gender".into(),
                key: key(&genders, "norm"),
            });
        }
        MatchConfig {
            mode,
            blocking: BlockingConfig {
                rules,
                max_block_size: 500,
                select: Some(crate::selection::RuleSelection {
                    sub_keys,
                    ..crate::selection::RuleSelection::default()
                }),
            },
            comparisons,
            deterministic_rules,
            training: TrainingConfig {
                prior_rules,
                ..TrainingConfig::default()
            },
            threshold: DEFAULT_THRESHOLD,
            model: None,
        }
    }

    /// Checks ranges and that the model (when present) fits the comparisons.
    ///
    /// # Errors
    /// [`MatchError::Config`] naming the problem.
    pub fn validate(&self) -> Result<(), MatchError> {
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(MatchError::Config("threshold must be in (0, 1)".into()));
        }
        if !(self.training.prior_recall > 0.0 && self.training.prior_recall <= 1.0) {
            return Err(MatchError::Config("prior_recall must be in (0, 1]".into()));
        }
        let training = &self.training;
        if !(1..=MAX_SAMPLE).contains(&training.u_sample_pairs)
            || !(1..=MAX_SAMPLE).contains(&training.max_pairs_per_rule)
            || !(1..=MAX_SAMPLE).contains(&training.max_pairs)
        {
            return Err(MatchError::Config(format!(
                "u_sample_pairs, max_pairs_per_rule and max_pairs must be between 1 and {MAX_SAMPLE}"
            )));
        }
        if !(1..=10_000).contains(&training.em_max_iterations) {
            return Err(MatchError::Config(
                "em_max_iterations must be between 1 and 10000".into(),
            ));
        }
        if !(training.em_tolerance.is_finite() && training.em_tolerance > 0.0) {
            return Err(MatchError::Config(
                "em_tolerance must be a positive number".into(),
            ));
        }
        if let Some(select) = &self.blocking.select {
            select.validate()?;
        }
        if self.blocking.max_block_size < 2 {
            return Err(MatchError::Config(
                "max_block_size must be at least 2".into(),
            ));
        }
        if self.comparisons.is_empty() {
            return Err(MatchError::Config("no comparisons".into()));
        }
        let mut names: Vec<&str> = self.comparisons.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(MatchError::Config(
                "comparison names must be distinct".into(),
            ));
        }
        if let Some(model) = &self.model {
            if !(model.prior > 0.0 && model.prior < 1.0) {
                return Err(MatchError::Config("model prior must be in (0, 1)".into()));
            }
            if model.comparisons.len() != self.comparisons.len()
                || model
                    .comparisons
                    .iter()
                    .zip(&self.comparisons)
                    .any(|(m, c)| m.name != c.name)
            {
                return Err(MatchError::Config(
                    "the model's comparisons differ from the configured ones".into(),
                ));
            }
            for c in &model.comparisons {
                let valid = |p: f64| p.is_finite() && p > 0.0 && p <= 1.0;
                if c.levels.iter().skip(1).any(|l| !(valid(l.m) && valid(l.u))) {
                    return Err(MatchError::Config(format!(
                        "comparison `{}`: every m and u must be in (0, 1]",
                        c.name
                    )));
                }
            }
        }
        Ok(())
    }
}
