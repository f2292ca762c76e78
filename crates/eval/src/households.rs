//! False merges of households: people who share a home (an address, a landline, a device)
//! put into one predicted entity.

use std::path::Path;

use serde::Serialize;

use crate::csv_rows::{CsvRows, open_maybe_gzip};
use crate::{EvalError, Predicted, Truth};

/// Per truth record (truth order), its household from the truth file's `household_id`
/// column (`sameas synth` writes one); `None` when the file has no such column. Rows naming
/// records the truth does not hold, or with a blank household, are skipped.
///
/// # Errors
/// [`EvalError::Io`] or [`EvalError::File`] for a file that cannot be read as CSV.
pub fn read_households(
    path: &Path,
    truth: &Truth,
) -> Result<Option<Vec<Option<String>>>, EvalError> {
    let file = path.display().to_string();
    let mut rows = CsvRows::open(open_maybe_gzip(path)?, &file, 2)?;
    let Some(column) = rows.headers.iter().position(|h| h == "household_id") else {
        return Ok(None);
    };
    let mut household_of: Vec<Option<String>> = vec![None; truth.len()];
    while rows.next_row()? {
        if let (Ok(id), Ok(household)) = (rows.cell(0), rows.cell(column))
            && let Some(i) = truth.index_of(id)
        {
            household_of[i as usize] = Some(household.to_string());
        }
    }
    Ok(Some(household_of))
}

/// How many households a prediction merged people of.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HouseholdMerges {
    /// Households with two or more people in the truth.
    pub households: u64,
    /// Of those, households where one predicted entity holds records of two or more of
    /// their people.
    pub falsely_merged: u64,
    /// `falsely_merged / households` (0 when there are none).
    pub rate: f64,
}

/// Counts households whose people a predicted entity merged. `household_of` gives, per
/// truth record (truth order), its household label; records without one are left out.
///
/// ```
/// use sameas_eval::{Predicted, Truth, households::household_merges};
/// // Two people (p1, p2) of household h1, one person (p3) alone in h2.
/// let truth = Truth::from_rows([("a", "p1"), ("b", "p1"), ("c", "p2"), ("d", "p3")]).unwrap();
/// let households = [Some("h1"), Some("h1"), Some("h1"), Some("h2")];
/// let merged = Predicted::from_entities(&truth, [("a", "e1"), ("b", "e1"), ("c", "e1"), ("d", "e2")]).unwrap();
/// let result = household_merges(&truth, &households, &merged);
/// assert_eq!((result.households, result.falsely_merged), (1, 1));
/// let apart = Predicted::from_entities(&truth, [("a", "e1"), ("b", "e1"), ("c", "e3"), ("d", "e2")]).unwrap();
/// assert_eq!(household_merges(&truth, &households, &apart).falsely_merged, 0);
/// ```
pub fn household_merges<S: AsRef<str>>(
    truth: &Truth,
    household_of: &[Option<S>],
    predicted: &Predicted,
) -> HouseholdMerges {
    use std::collections::{HashMap, HashSet};
    // People per household, and per (household, entity) the distinct people in it.
    let mut people: HashMap<&str, HashSet<u32>> = HashMap::new();
    let mut together: HashMap<(&str, u32), HashSet<u32>> = HashMap::new();
    for (record, household) in household_of.iter().enumerate().take(truth.len()) {
        let Some(household) = household.as_ref().map(AsRef::as_ref) else {
            continue;
        };
        if household.is_empty() {
            continue;
        }
        let person = truth.cluster_of(record as u32);
        let entity = predicted.entity_of(record as u32);
        people.entry(household).or_default().insert(person);
        together
            .entry((household, entity))
            .or_default()
            .insert(person);
    }
    let households = people.values().filter(|p| p.len() >= 2).count() as u64;
    let merged: HashSet<&str> = together
        .iter()
        .filter(|(_, persons)| persons.len() >= 2)
        .map(|((household, _), _)| *household)
        .collect();
    let falsely_merged = merged.len() as u64;
    HouseholdMerges {
        households,
        falsely_merged,
        rate: if households == 0 {
            0.0
        } else {
            falsely_merged as f64 / households as f64
        },
    }
}
