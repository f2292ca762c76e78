//! sameas: identity resolution for customer records.
//!
//! A [`Resolver`] reads records (CSV or JSON lines, or a [`table::Table`] built in memory),
//! normalizes them, blocks and scores candidate pairs with a Fellegi–Sunter model trained
//! by EM, clusters the matches under constraints into entities with stable ids, and builds
//! a golden record per entity with lineage and a conflict log. Records can then be added
//! or removed one at a time.
//!
//! ```
//! use sameas::{Control, InputTable, Resolver};
//! use sameas::table::read_csv;
//! use sameas_core::Channel;
//!
//! let csv = "id,name,phone,birth_date\n\
//!            1,张伟,138-0013-8000,1990-01-02\n\
//!            2,張偉,+86 138 0013 8000,1990/1/2\n\
//!            3,王芳,139-0000-1111,1985-05-06\n\
//!            4,李娜,137-1234-5678,1979-12-30\n";
//! let input = InputTable::new(read_csv(csv.as_bytes(), None).unwrap(), Channel::App);
//! let mut resolver = Resolver::new();
//! let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
//! let entity = |id: &str| resolver.entity_of(id).unwrap();
//! assert_eq!(entity("1"), entity("2"));
//! assert_ne!(entity("1"), entity("3"));
//! assert_eq!(resolution.golden.len(), 3);
//! ```

#![deny(missing_docs)]

mod config;
mod control;
pub mod distributed;
mod error;
mod generic;
mod input;
pub mod memory;
mod output;
mod parts;
mod resolution;
mod resolver;
mod segments;
mod snapshot;
mod tuning;
mod value;

pub use config::{InferOptions, Inference, ResolverConfig};
pub use control::{Control, Progress, Stage};
pub use error::Error;
pub use generic::{
    GenericReport, GenericValue, detect as detect_generic_values, generic_value_notes,
};
pub use input::{BadRow, InputTable, RecordSet, read_records};
pub use output::{
    GoldenFiles, OUTPUT_FILES, RecordPair, check_output_dir, read_review_decisions, write_csv_row,
    write_dir_atomically, write_resolution, write_resolution_files,
};
pub use parts::{Placement, RecordPart};
pub use resolution::{Refusals, Report, Resolution, ReviewPair, ReviewReason, Timings};
pub use resolver::{
    EntityExplanation, HouseholdReading, JoinDecision, JoinExplanation, MatchedPairs,
    PreparedBatch, Resolver, household_guard_note, match_pairs,
};
pub use sameas_score as score;
pub use sameas_segment as segment;
pub use segments::{
    scored_from_tables, segment_files, segment_tables, segments_summary, write_segments,
};
pub use tuning::{Sweep, SweepPoint};
pub use value::{
    CUSTOMER_COLUMNS, CustomerMap, CustomerValue, ScoreOptions, score_order_file, score_orders,
    score_summary,
};

pub use sameas_core::spreadsheet::{escape_formula, unescape_formula};
pub use sameas_core::{Channel, EntityId, RecordId};
pub use sameas_eval as eval;
pub use sameas_match::{LinkMode, PairExplanation};
pub use sameas_merge::cluster::{ClusteringConfig, ClusteringMethod, HouseholdGuard};
pub use sameas_merge::golden::{Conflict, GoldenRecord, SurvivorshipConfig, SurvivorshipRule};
pub use sameas_merge::graph::{Event, PreviousEntities};
pub use sameas_normalize::infer::ColumnReading;
pub use sameas_normalize::table;
pub use sameas_normalize::{DateOrder, NormalizeOptions};

/// The README's Rust examples, run as doc tests (this crate depends on everything they use).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
