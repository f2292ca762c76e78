//! Survivorship rules, golden records, lineage and the conflict log.
//!
//! For each entity and each schema field, the candidates are the distinct normalized values
//! (`<field>.norm`) across the entity's records; missing values are not candidates. Birth
//! date and gender fields whose chain holds [`SurvivorshipRule::FromNationalId`] also get
//! the birth date and gender encoded in every non-invalid national id of the entity's records,
//! as derived candidates whose source is the record holding the id.
//!
//! # Ranking
//!
//! A chain of [`SurvivorshipRule`]s is an ordering: candidates are ranked by the first rule,
//! ties by the next, and so on, then by the smallest record id holding them, then by value.
//! The first candidate wins. Whatever the chain, a gate comes first: masked values rank below
//! unmasked ones and invalid ones below everything, so a masked phone never wins over a full
//! one, and an invalid value never becomes a golden value (with no other candidate the field
//! stays empty). The rule reported ([`DecidedBy`]) is the first step at which the winner
//! strictly beats the runner-up (`valid_only` when the gate decides, `tie_break` when nothing
//! does, `only_value` with one candidate). The source of the golden value is the record holding
//! it that the same chain ranks first, then the most recent, then the smallest id.
//!
//! # Default chains
//!
//! | kind | chain | why |
//! |---|---|---|
//! | name | valid_only, most_complete, most_frequent, most_recent, channel_priority | 张伟 beats the till's 张先生 and the romanised `wei zhang` |
//! | phone, e-mail | valid_only, most_frequent, most_recent, channel_priority | a number many records share is the one in use |
//! | address | valid_only, most_complete, most_recent, most_frequent, channel_priority | people move: among equally complete addresses, the latest |
//! | birth date, gender | from_national_id, valid_only, most_frequent, most_recent | the id is checked by its check digit; typed dates are not |
//! | national id, identifier | valid_only, most_frequent, most_recent | |
//! | date, text | most_recent, most_frequent, channel_priority | |
//!
//! Phones, e-mails and addresses are multi-valued: a person may hold several at once, so the
//! golden field also keeps every distinct value that is neither masked nor invalid, ranked
//! ([`GoldenField::values`]).
//!
//! # Conflict log
//!
//! One [`Conflict`] per entity and field with two or more distinct candidates (a derived one
//! counts), listing every candidate with its records, quality and whether it was derived, the
//! winner and the rule that picked it.
//!
//! # `golden.csv`
//!
//! One row per entity ([`Survivorship::headers`], [`Survivorship::row`]):
//! `entity_id,record_count,channels` (the distinct channel labels, sorted, `|`-joined), then
//! per schema field `<field>` (the golden value), `<field>.source` (the id of the record it
//! came from) and, for phones, e-mails and addresses, `<field>.all` (every distinct valid
//! value, ranked, `|`-joined).
//!
//! ```
//! use sameas_core::Channel;
//! use sameas_merge::golden::{GoldenInput, SurvivorshipConfig};
//! use sameas_normalize::NormalizeOptions;
//! use sameas_normalize::infer::{infer_schema, record_from_row};
//! use sameas_normalize::record::RecordNormalizer;
//!
//! let schema = infer_schema(&["id", "channel", "name", "phone"]).unwrap().schema;
//! let normalizer = RecordNormalizer::new(schema, NormalizeOptions::default()).unwrap();
//! let rows = [["1", "pos", "张伟", "13800138000"], ["2", "marketplace", "张先生", "138****8000"]];
//! let records: Vec<_> = rows
//!     .iter()
//!     .enumerate()
//!     .map(|(i, row)| record_from_row(normalizer.schema(), row, i as u64 + 1, &Channel::Unknown))
//!     .collect();
//! let ids: Vec<_> = records.iter().map(|r| r.id.clone()).collect();
//! let channels: Vec<_> = records.iter().map(|r| r.channel.clone()).collect();
//! let normalized: Vec<_> = records.iter().map(|r| normalizer.normalize(r)).collect();
//!
//! let survivorship = SurvivorshipConfig::default().compile(normalizer.schema()).unwrap();
//! let input = GoldenInput { ids: &ids, channels: &channels, records: &normalized };
//! let (golden, conflicts) = survivorship.golden(&input, "E1", &[1, 0]);
//! assert_eq!(golden.fields[0].value.as_deref(), Some("张伟"));
//! assert_eq!(golden.fields[1].value.as_deref(), Some("+8613800138000"));
//! assert_eq!(golden.fields[1].values, ["+8613800138000"]); // the masked one is left out
//! assert_eq!(conflicts.len(), 2);
//! assert_eq!(
//!     survivorship.headers(),
//!     ["entity_id", "record_count", "channels", "name", "name.source", "phone", "phone.source", "phone.all"]
//! );
//! assert_eq!(survivorship.row(&golden)[..3], ["E1", "2", "marketplace|pos"]);
//! ```

mod config;
mod record;
mod survivorship;

pub use config::{FieldSurvivorship, SurvivorshipConfig, SurvivorshipRule};
pub use record::{Candidate, Conflict, DecidedBy, GoldenField, GoldenRecord, ValueQuality};
pub use survivorship::{GoldenInput, Survivorship};
