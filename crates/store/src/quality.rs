//! A batch's quality score and the gate that pauses a channel whose batches keep scoring
//! low.
//!
//! The score uses the profile's two measures (`sameas profile`) over the batch's key fields
//! (names, phones, e-mails, national ids, birth dates and other identifiers):
//! - validity: of the key-field values present, the share that could be read;
//! - completeness: of the rows, the share that can be matched at all: read whole, with a
//!   record id, and carrying at least one valid strong identifier (phone, e-mail, national
//!   id or other identifier; a valid name where the schema has none of those).
//!
//! The score is their product, in [0, 1].

use sameas::PreparedBatch;
use sameas_core::{FieldKind, Schema};
use sameas_normalize::IssueKind;
use serde::Serialize;

/// When a channel is paused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityGate {
    /// A batch scoring below this is low (default 0.9).
    pub threshold: f64,
    /// This many low batches in a row pause the channel (default 3).
    pub consecutive: u32,
}

impl Default for QualityGate {
    fn default() -> Self {
        QualityGate {
            threshold: 0.9,
            consecutive: 3,
        }
    }
}

/// A batch's quality, as the sync log records it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quality {
    /// `completeness × validity`.
    pub score: f64,
    /// Share of rows that can be matched.
    pub completeness: f64,
    /// Share of present key-field values that could be read.
    pub validity: f64,
}

fn is_key(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Name
            | FieldKind::Phone
            | FieldKind::Email
            | FieldKind::NationalId
            | FieldKind::BirthDate
            | FieldKind::Identifier
    )
}

fn is_strong(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Phone | FieldKind::Email | FieldKind::NationalId | FieldKind::Identifier
    )
}

/// The quality of a prepared batch; `usable[i]` is false for rows left out before matching
/// (no record id).
pub(crate) fn score(schema: &Schema, batch: &PreparedBatch, usable: &[bool]) -> Quality {
    let keys: Vec<(usize, FieldKind)> = schema
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| is_key(f.kind))
        .map(|(i, f)| (i, f.kind))
        .collect();
    let any_strong = keys.iter().any(|&(_, k)| is_strong(k));
    let (mut present, mut valid, mut matchable) = (0u64, 0u64, 0u64);
    for ((record, &bad), &ok) in batch.records.iter().zip(&batch.bad).zip(usable) {
        if bad || !ok {
            continue;
        }
        let mut identified = false;
        for &(at, kind) in &keys {
            let Some(field) = record.get(at) else {
                continue;
            };
            // As the profile counts them.
            let is_present = !field.has(IssueKind::Missing);
            let is_valid = field.value.is_some() && !field.has(IssueKind::Invalid);
            present += u64::from(is_present);
            valid += u64::from(is_present && is_valid);
            if is_valid && (is_strong(kind) || (!any_strong && kind == FieldKind::Name)) {
                identified = true;
            }
        }
        matchable += u64::from(identified);
    }
    let rows = batch.ids.len() as u64;
    let completeness = if rows == 0 {
        1.0
    } else {
        matchable as f64 / rows as f64
    };
    let validity = if present == 0 {
        1.0
    } else {
        valid as f64 / present as f64
    };
    Quality {
        score: completeness * validity,
        completeness,
        validity,
    }
}
