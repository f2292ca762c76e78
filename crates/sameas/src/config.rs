//! The versioned `ResolverConfig` document: schema, normalizer options, the match stage
//! (blocking, comparisons, rules, training, threshold, trained model), clustering
//! constraints and survivorship. It saves and loads back bit-identically.

use serde::{Deserialize, Serialize};

use sameas_core::{FieldKind, Schema};
use sameas_match::{LinkMode, MatchConfig, TermFrequencies};
use sameas_merge::cluster::ClusteringConfig;
use sameas_merge::golden::SurvivorshipConfig;
use sameas_normalize::infer::{ColumnReading, infer_schema_from_table};
use sameas_normalize::table::Table;
use sameas_normalize::{DateOrder, NormalizeOptions};

use crate::Error;

/// What a caller fixes before a configuration is inferred from a table; what is left `None`
/// is read from the table's values.
#[derive(Debug, Clone, PartialEq)]
pub struct InferOptions {
    /// Region for phones written without a country code (`CN`, `US`); `None`: the region
    /// most of the table's phones belong to, else `CN`.
    pub region: Option<String>,
    /// How ambiguous numeric dates are read; `None`: as the table's unambiguous dates are
    /// written, else month first.
    pub date_order: Option<DateOrder>,
    /// The day ages are measured against; `None`: today.
    pub reference_date: Option<jiff::civil::Date>,
    /// Dedupe, link or both.
    pub mode: LinkMode,
}

impl Default for InferOptions {
    fn default() -> Self {
        InferOptions {
            region: None,
            date_order: None,
            reference_date: None,
            mode: LinkMode::Dedupe,
        }
    }
}

/// A configuration inferred from a table, and how it was inferred.
#[derive(Debug, Clone)]
pub struct Inference {
    /// The configuration (untrained: fitting chooses blocking rules and trains the model).
    pub config: ResolverConfig,
    /// Per input column: what it was read as and why.
    pub columns: Vec<ColumnReading>,
    /// How the normalizer options were chosen, one line each.
    pub options: Vec<String>,
    /// Warnings for the user (no id column …). They name columns, never values.
    pub warnings: Vec<String>,
}

/// The whole resolver as one JSON document.
///
/// The `clustering` and `survivorship` sections may be left out: their defaults apply, so a
/// configuration saved by `sameas match` (which has neither) loads too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverConfig {
    /// Document version; [`ResolverConfig::VERSION`].
    pub version: u32,
    /// How input columns map to fields.
    pub schema: Schema,
    /// Normalizer options.
    pub normalize: NormalizeOptions,
    /// Blocking, comparisons, deterministic rules, training, threshold and model.
    pub matching: MatchConfig,
    /// How scored pairs become entities: method, constraints, manual overrides, review band.
    #[serde(default)]
    pub clustering: ClusteringConfig,
    /// How each golden field is chosen.
    #[serde(default)]
    pub survivorship: SurvivorshipConfig,
    /// Values treated as missing for matching because many unrelated records share them
    /// (an office e-mail, a store's phone, a placeholder postcode). Found from the data when
    /// fitting, added to what is listed here; a user may list values of their own.
    #[serde(default)]
    pub generic_values: Vec<crate::generic::GenericValue>,
    /// The term-frequency tables frozen when the model was trained (how many records held
    /// each repeated value, as digests, never the values): what records added later are
    /// weighed against, so that a configuration loaded in another process adds and
    /// explains records exactly as the run that trained it would. A batch `resolve` counts
    /// its own table's values and replaces them; without a model (removed to train again)
    /// they are dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_frequencies: Option<TermFrequencies>,
}

impl ResolverConfig {
    /// The version this build writes and reads.
    pub const VERSION: u32 = 1;

    /// The configuration for `table` when nothing is configured: the schema from its headers
    /// and values, the normalizer options its values show (unless `options` fixes them), and
    /// the defaults of [`ResolverConfig::for_schema`]. Every command, the bench and the
    /// Python API infer through this one function.
    ///
    /// # Errors
    /// [`Error::Normalize`] for a header row that is blank, repeated or looks like data.
    ///
    /// ```
    /// use sameas::{InferOptions, ResolverConfig};
    /// use sameas::table::read_csv;
    ///
    /// let csv = "id,name,contact\n1,Ann Lee,(702) 919-1300\n2,Bo Chan,702-919-1301\n";
    /// let inferred = ResolverConfig::infer(&read_csv(csv.as_bytes(), None)?, &InferOptions::default())?;
    /// assert_eq!(inferred.config.normalize.default_region, "US");
    /// assert_eq!(inferred.columns[2].read_as, "phone");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn infer(table: &Table, options: &InferOptions) -> Result<Inference, Error> {
        let inferred = infer_schema_from_table(table)?;
        let mut notes = Vec::new();
        let defaults = NormalizeOptions::default();
        let default_region = match (&options.region, &inferred.hints.region) {
            (Some(region), _) => {
                notes.push(format!("phone region {region}: as given"));
                region.clone()
            }
            (None, Some((region, why))) => {
                notes.push(format!("phone region {region}: {why}"));
                region.clone()
            }
            (None, None) => {
                notes.push(format!(
                    "phone region {}: the default, no phone shows another",
                    defaults.default_region
                ));
                defaults.default_region.clone()
            }
        };
        let order_name = |o: DateOrder| match o {
            DateOrder::DayFirst => "day first",
            DateOrder::MonthFirst => "month first",
        };
        let date_order = match (options.date_order, &inferred.hints.date_order) {
            (Some(order), _) => {
                notes.push(format!(
                    "ambiguous dates read {}: as given",
                    order_name(order)
                ));
                order
            }
            (None, Some((order, why))) => {
                notes.push(format!(
                    "ambiguous dates read {}: {why}",
                    order_name(*order)
                ));
                *order
            }
            (None, None) => defaults.date_order,
        };
        let chinese_names = match &inferred.hints.chinese_names {
            Some((chinese, why)) => {
                notes.push(format!("Han names: {why}"));
                *chinese
            }
            None => defaults.chinese_names,
        };
        let normalize = NormalizeOptions {
            default_region,
            date_order,
            reference_date: options.reference_date,
            chinese_names,
            ..defaults
        };
        Ok(Inference {
            config: ResolverConfig::for_schema(inferred.schema, normalize, options.mode),
            columns: inferred.columns,
            options: notes,
            warnings: inferred.warnings,
        })
    }

    /// Defaults for `schema`: the match stage's inferred rules and comparisons, constrained
    /// clustering and the default survivorship chains.
    pub fn for_schema(schema: Schema, normalize: NormalizeOptions, mode: LinkMode) -> Self {
        let matching = MatchConfig::infer(&schema, mode);
        ResolverConfig {
            version: Self::VERSION,
            schema,
            normalize,
            matching,
            clustering: ClusteringConfig::default(),
            survivorship: SurvivorshipConfig::default(),
            generic_values: Vec::new(),
            term_frequencies: None,
        }
    }

    /// Reads a document and checks it.
    ///
    /// # Errors
    /// [`Error::Config`] for JSON that does not parse or a version this build does not read;
    /// the stages' errors for settings out of range.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        let found = serde_json::from_str::<Versioned>(json)?.version;
        if found != Self::VERSION {
            return Err(Error::Config(format!(
                "version {found} is not supported; this build reads version {}",
                Self::VERSION
            )));
        }
        let config: ResolverConfig = serde_json::from_str(json)?;
        config.validate()?;
        Ok(config)
    }

    /// The keys of `json` (the document this configuration was read from) that this version
    /// does not read, as paths such as `matching.blocking.max_blok_size`: serde skips them,
    /// so a misspelt setting would otherwise pass without a word. Keys set to `null` are not
    /// counted.
    ///
    /// ```
    /// use sameas::ResolverConfig;
    /// use sameas_match::LinkMode;
    /// use sameas_normalize::infer::infer_schema;
    ///
    /// let schema = infer_schema(&["id", "name", "phone"]).unwrap().schema;
    /// let json = ResolverConfig::for_schema(schema, Default::default(), LinkMode::Dedupe).to_json();
    /// let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    /// doc["matching"]["treshold"] = 0.9.into();
    /// let patched = doc.to_string();
    /// let config = ResolverConfig::from_json(&patched).unwrap();
    /// assert_eq!(config.unknown_keys(&patched), ["matching.treshold"]);
    /// assert!(config.unknown_keys(&json).is_empty());
    /// ```
    pub fn unknown_keys(&self, json: &str) -> Vec<String> {
        let Ok(given) = serde_json::from_str::<serde_json::Value>(json) else {
            return Vec::new();
        };
        let Ok(known) = serde_json::to_value(self) else {
            return Vec::new();
        };
        let mut unknown = Vec::new();
        unknown_in(&given, &known, "", &mut unknown);
        unknown
    }

    /// Writes the document as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a config always serialises")
    }

    /// The comparisons' names, in order.
    pub fn comparison_names(&self) -> Vec<String> {
        self.matching
            .comparisons
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The trained model's level names, per comparison (empty before training).
    pub fn level_names(&self) -> Vec<Vec<String>> {
        self.matching
            .model
            .as_ref()
            .map(|m| {
                m.comparisons
                    .iter()
                    .map(|c| c.levels.iter().map(|l| l.name.clone()).collect())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Checks every section.
    ///
    /// # Errors
    /// The first section that is out of range or names an unknown field.
    pub fn validate(&self) -> Result<(), Error> {
        self.matching.validate()?;
        if let Some(frequencies) = &self.term_frequencies {
            frequencies.check_against(&self.matching)?;
        }
        self.clustering.validate()?;
        let threshold = self.matching.threshold;
        if self.clustering.review_from > threshold {
            return Err(Error::Config(format!(
                "clustering.review_from ({}) is above the match threshold ({threshold})",
                self.clustering.review_from
            )));
        }
        self.survivorship.compile(&self.schema)?;
        for field in self.exclusive_fields() {
            if self.schema.field_index(&field).is_none() {
                return Err(Error::Config(format!(
                    "clustering.exclusive_fields: no field named `{field}` in the schema"
                )));
            }
        }
        Ok(())
    }

    /// The fields whose different valid values never share an entity: as configured, or
    /// every national-id field.
    pub fn exclusive_fields(&self) -> Vec<String> {
        match &self.clustering.exclusive_fields {
            Some(fields) => fields.clone(),
            None => self
                .schema
                .fields
                .iter()
                .filter(|f| f.kind == FieldKind::NationalId)
                .map(|f| f.name.clone())
                .collect(),
        }
    }
}

/// Pushes the paths of `given`'s keys that `known` (the same document as read and written
/// back) lacks.
fn unknown_in(
    given: &serde_json::Value,
    known: &serde_json::Value,
    path: &str,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (given, known) {
        (Value::Object(given), Value::Object(known)) => {
            for (key, value) in given {
                match known.get(key) {
                    None if !value.is_null() => out.push(join(key)),
                    None => {}
                    Some(known) => unknown_in(value, known, &join(key), out),
                }
            }
        }
        (Value::Array(given), Value::Array(known)) => {
            for (i, (value, known)) in given.iter().zip(known).enumerate() {
                unknown_in(value, known, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}
