//! Scoring sameas output against a labelled truth: pairwise and B-cubed precision, recall
//! and F1 for predicted entities or pairs, example errors, and blocking quality (pair
//! completeness and reduction ratio) for candidate pairs.
//!
//! The truth is a CSV whose first two columns are the record id and the true cluster id.
//! A prediction is an entities file (`record_id,entity_id`, one row per record) or a pairs
//! file (`record_id_l,record_id_r,match_weight,match_probability,…`), whose pairs at or above
//! a threshold are linked transitively. Counts come from cluster overlap sizes, never from
//! enumerating pairs, so a million records evaluate in well under a second.
//!
//! ```
//! use sameas_eval::{Predicted, Truth, evaluate};
//!
//! let truth = Truth::read_csv("record_id,cluster\na,1\nb,1\nc,2\n".as_bytes(), "truth.csv")?;
//! let entities = "record_id,entity_id\na,e1\nb,e2\nc,e2\n";
//! let (predicted, _format) = Predicted::read_csv(&truth, entities.as_bytes(), "entities.csv", 0.5)?;
//! let eval = evaluate(&truth, &predicted, 5)?;
//! assert_eq!(eval.counts.true_pairs, 1);
//! assert_eq!(eval.counts.predicted_pairs, 1);
//! assert_eq!(eval.pairwise.recall, 0.0);
//! // Per record: a 1/1, b 1/2, c 1/2.
//! assert!((eval.bcubed.precision - 2.0 / 3.0).abs() < 1e-12);
//! # Ok::<(), sameas_eval::EvalError>(())
//! ```
#![deny(missing_docs)]

mod blocking;
mod csv_rows;
mod error;
pub mod households;
mod intern;
mod metrics;
mod predicted;
mod truth;

pub use blocking::{BlockingQuality, Side};
pub use error::EvalError;
pub use metrics::{Counts, Evaluation, ExamplePair, Scores, evaluate};
pub use predicted::{DEFAULT_THRESHOLD, Predicted, PredictionFormat};
pub use truth::{RecordKey, Truth, febrl_cluster};
