//! The clustering section of the configuration: the method, the household guard, manual
//! overrides, the review band and the evidence settings.

use serde::{Deserialize, Serialize};

use crate::MergeError;

/// How edges become clusters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClusteringMethod {
    /// Edges joined strongest first; a join that conflicts with a cannot-link or an exclusive
    /// attribute is refused. Must-links are joined first and override both.
    #[default]
    Constrained,
    /// The transitive closure of the edges and must-links, with no constraints. Chains
    /// households; kept as the baseline to compare with.
    ConnectedComponents,
}

/// How strictly a pair needs personal evidence to be an edge (see
/// [`ClusteringConfig::household_guard`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum HouseholdGuard {
    /// Every pair at or above the threshold is an edge.
    Off,
    /// A pair is held back when a personal comparison disagrees and none agrees (张伟 and
    /// 张芳 on one phone and address).
    NoPersonalDisagreement,
    /// A pair is held back only when its personal comparisons say two people: two of them
    /// disagree, or an identifier does, and none agrees. One given name that differs alone
    /// (`nessie` and `agnes`) passes: for data without households.
    NoEvidenceAgainst,
    /// Read from the data when the model is fitted, and written into the configuration as
    /// what was read: [`NoEvidenceAgainst`](Self::NoEvidenceAgainst) where the data holds
    /// no households (records that share a family name and an address differ on the given
    /// name no more often than one person's records do),
    /// [`NoPersonalDisagreement`](Self::NoPersonalDisagreement) otherwise, and wherever too
    /// few such records show it. The default.
    #[default]
    Read,
    /// A pair needs a personal comparison that agrees; household evidence alone (张先生 on
    /// the family's phone) is never enough. Fewer household merges, less recall.
    PersonalAgreement,
}

/// The clustering section of the resolver's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusteringConfig {
    /// How edges become clusters.
    pub method: ClusteringMethod,
    /// A scored pair with personal evidence against it (the facade decides which) and a
    /// match probability below this keeps its two records' clusters apart whatever links
    /// them; one scored at or above it only while its side is not outweighed by edges.
    /// Default 0.01. 0 makes every scored cannot-link outweighable.
    pub cannot_link_below: f64,
    /// Fields whose values identify one person, so that two different valid values never
    /// share an entity. `None` means every national-id field of the schema; `Some(vec![])`
    /// means none.
    pub exclusive_fields: Option<Vec<String>>,
    /// Pairs of record ids that a person decided are one customer. They are joined whatever
    /// the evidence against them.
    pub must_link: Vec<[String; 2]>,
    /// Pairs of record ids that a person decided are different customers.
    pub cannot_link: Vec<[String; 2]>,
    /// Pairs with a match probability from this value up to (not including) the match
    /// threshold go to the review list. Default 0.2.
    pub review_from: f64,
    /// The household guard: which pairs at or above the threshold may be edges, judged by
    /// the *personal* comparisons (those a household does not share: given name, birth
    /// date, e-mail, national id, identifiers). A family name, phone and address are what a
    /// household shares. Held-back pairs go to the review list. Deterministic rules and
    /// must-links always pass.
    pub household_guard: HouseholdGuard,
    /// The comparisons that count as personal evidence. `None` means every comparison of a
    /// given name, a birth date, an e-mail, a national id or another identifier.
    pub personal_comparisons: Option<Vec<String>>,
    /// The least weight (log2 Bayes factor) a personal comparison's level must carry to count
    /// as agreement (or at most its negative to count as disagreement). Default 0.5.
    pub min_personal_weight: f64,
}

impl Default for ClusteringConfig {
    fn default() -> Self {
        ClusteringConfig {
            method: ClusteringMethod::Constrained,
            cannot_link_below: 0.01,
            exclusive_fields: None,
            must_link: Vec::new(),
            cannot_link: Vec::new(),
            review_from: 0.2,
            household_guard: HouseholdGuard::Read,
            personal_comparisons: None,
            min_personal_weight: 0.5,
        }
    }
}

impl ClusteringConfig {
    /// Checks that the probabilities lie in [0, 1], that cannot-link evidence lies below the
    /// review band, and that the manual pairs are sound: two distinct records each, and no
    /// pair both must-linked and cannot-linked.
    ///
    /// # Errors
    ///
    /// [`MergeError::Config`] naming the setting (and the pair's position, never its ids).
    pub fn validate(&self) -> Result<(), MergeError> {
        let probability = |name: &str, value: f64| {
            if (0.0..=1.0).contains(&value) {
                Ok(())
            } else {
                Err(MergeError::Config(format!("{name} must be in [0, 1]")))
            }
        };
        probability("cannot_link_below", self.cannot_link_below)?;
        probability("review_from", self.review_from)?;
        if self.cannot_link_below > self.review_from {
            return Err(MergeError::Config(
                "cannot_link_below must not exceed review_from: a pair cannot be both evidence \
                 against a merge and worth reviewing"
                    .into(),
            ));
        }
        if let Some(fields) = &self.exclusive_fields
            && fields.iter().any(|field| field.is_empty())
        {
            return Err(MergeError::Config(
                "exclusive_fields holds an empty name".into(),
            ));
        }
        for (name, pairs) in [
            ("must_link", &self.must_link),
            ("cannot_link", &self.cannot_link),
        ] {
            if let Some(position) = pairs.iter().position(|[a, b]| a == b) {
                return Err(MergeError::Config(format!(
                    "{name} pair {} names one record twice",
                    position + 1
                )));
            }
        }
        let unordered = |[a, b]: &[String; 2]| {
            if a <= b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            }
        };
        let must: foldhash::HashSet<(String, String)> =
            self.must_link.iter().map(unordered).collect();
        if let Some(position) = self
            .cannot_link
            .iter()
            .position(|pair| must.contains(&unordered(pair)))
        {
            return Err(MergeError::Config(format!(
                "cannot_link pair {} is also a must_link pair",
                position + 1
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid_and_round_trips() {
        let config = ClusteringConfig::default();
        config.validate().unwrap();
        let json = serde_json::to_string(&config).unwrap();
        assert!(
            json.contains(r#""method":{"type":"constrained"}"#),
            "{json}"
        );
        let back: ClusteringConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config);
        let partial: ClusteringConfig = serde_json::from_str(r#"{"review_from":0.3}"#).unwrap();
        assert_eq!(partial.review_from, 0.3);
        assert_eq!(partial.cannot_link_below, 0.01);
    }

    #[test]
    fn floats_round_trip_exactly() {
        let config = ClusteringConfig {
            cannot_link_below: 0.1 + 0.2 - 0.3,
            review_from: 1.0 / 3.0,
            ..ClusteringConfig::default()
        };
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(
            serde_json::from_str::<ClusteringConfig>(&json).unwrap(),
            config
        );
    }

    #[test]
    fn validate_rejects_bad_settings() {
        let bad = [
            ClusteringConfig {
                cannot_link_below: -0.1,
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                review_from: 1.5,
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                review_from: f64::NAN,
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                cannot_link_below: 0.5,
                review_from: 0.2,
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                exclusive_fields: Some(vec![String::new()]),
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                must_link: vec![["a".into(), "a".into()]],
                ..ClusteringConfig::default()
            },
            ClusteringConfig {
                must_link: vec![["a".into(), "b".into()]],
                cannot_link: vec![["b".into(), "a".into()]],
                ..ClusteringConfig::default()
            },
        ];
        for config in bad {
            let error = config.validate().unwrap_err();
            assert!(matches!(error, MergeError::Config(_)), "{config:?}");
        }
    }

    #[test]
    fn validation_errors_do_not_repeat_record_ids() {
        let config = ClusteringConfig {
            must_link: vec![["secret-1".into(), "secret-2".into()]],
            cannot_link: vec![["secret-2".into(), "secret-1".into()]],
            ..ClusteringConfig::default()
        };
        let message = config.validate().unwrap_err().to_string();
        assert!(!message.contains("secret"), "{message}");
        assert!(message.contains("pair 1"), "{message}");
    }
}
