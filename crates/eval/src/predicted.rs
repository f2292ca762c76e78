//! Predictions: an entity per truth record, read from an entities file or linked from pairs.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use sameas_core::spreadsheet::unescape_formula;
use serde::Serialize;

use crate::csv_rows::CsvRows;
use crate::intern::Interner;
use crate::{EvalError, RecordKey, Truth};

/// Marks a record no row has reached yet.
const UNSET: u32 = u32::MAX;

/// The default threshold on `match_probability` for linking pairs.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// The kind of prediction file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PredictionFormat {
    /// `record_id,entity_id`, one row per record.
    Entities,
    /// `record_id_l,record_id_r,match_weight,match_probability,…`, linked transitively.
    Pairs,
}

/// A predicted partition of the truth's records into entities.
///
/// Entities are numbered densely in order of their first record in the truth, so two
/// predictions that group records alike are equal whatever their row order or labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicted {
    entity_of: Vec<u32>,
    entity_count: u32,
}

impl Predicted {
    /// A prediction from `(record id, entity id)` rows, which must name every truth record
    /// exactly once.
    ///
    /// # Errors
    /// [`EvalError::Cell`] (file `entities`, 1-based row) for a record not in the truth or
    /// listed twice, or a blank entity; [`EvalError::File`] when truth records are left out.
    ///
    /// ```
    /// use sameas_eval::{Predicted, Truth};
    /// let truth = Truth::from_rows([("a", "1"), ("b", "1"), ("c", "2")]).unwrap();
    /// let predicted = Predicted::from_entities(&truth, [("c", "e1"), ("a", "e1"), ("b", "e2")]).unwrap();
    /// assert_eq!(predicted.entity_count(), 2);
    /// assert_eq!(predicted.entity_of(0), predicted.entity_of(2));
    /// ```
    pub fn from_entities<I, K, E>(truth: &Truth, rows: I) -> Result<Predicted, EvalError>
    where
        I: IntoIterator<Item = (K, E)>,
        K: RecordKey,
        E: AsRef<str>,
    {
        let mut builder = EntityBuilder::new(truth.len());
        for (at, (record, entity)) in rows.into_iter().enumerate() {
            let error = |column: &str, reason| EvalError::Cell {
                file: "entities".into(),
                row: at as u64 + 1,
                column: column.into(),
                reason,
            };
            let entity = entity.as_ref().trim();
            if entity.is_empty() {
                return Err(error("entity_id", "blank cell"));
            }
            let index = record
                .resolve(truth)
                .ok_or_else(|| error("record_id", NOT_IN_TRUTH))?;
            builder
                .assign(index, entity)
                .map_err(|reason| error("record_id", reason))?;
        }
        builder.finish("entities")
    }

    /// A prediction that links the two records of every pair given, transitively; records in
    /// no pair are entities of their own. Filter pairs by probability before calling.
    ///
    /// # Errors
    /// [`EvalError::Cell`] (file `pairs`, 1-based row) for a record not in the truth.
    ///
    /// ```
    /// use sameas_eval::{Predicted, Truth};
    /// let truth = Truth::from_rows([("a", "1"), ("b", "1"), ("c", "1"), ("d", "2")]).unwrap();
    /// let predicted = Predicted::from_links(&truth, [("a", "b"), ("c", "b")]).unwrap();
    /// assert_eq!(predicted.entity_count(), 2);
    /// ```
    pub fn from_links<I, K>(truth: &Truth, links: I) -> Result<Predicted, EvalError>
    where
        I: IntoIterator<Item = (K, K)>,
        K: RecordKey,
    {
        let mut sets = DisjointSets::new(truth.len());
        for (at, (left, right)) in links.into_iter().enumerate() {
            let error = |column: &str| EvalError::Cell {
                file: "pairs".into(),
                row: at as u64 + 1,
                column: column.into(),
                reason: NOT_IN_TRUTH,
            };
            let left = left.resolve(truth).ok_or_else(|| error("record_id_l"))?;
            let right = right.resolve(truth).ok_or_else(|| error("record_id_r"))?;
            sets.union(left, right);
        }
        Ok(sets.into_predicted())
    }

    /// A prediction from an entity label per truth record, by index.
    ///
    /// # Errors
    /// [`EvalError::Input`] when there are not exactly [`Truth::len`] labels.
    pub fn from_labels(truth: &Truth, labels: &[u32]) -> Result<Predicted, EvalError> {
        if labels.len() != truth.len() {
            return Err(EvalError::Input {
                reason: format!(
                    "{} entity labels for {} truth records",
                    labels.len(),
                    truth.len()
                ),
            });
        }
        Ok(canonical(labels))
    }

    /// Reads a prediction CSV: pairs when the header has a `record_id_l` column (linked
    /// transitively where `match_probability` is at or above `threshold`), entities
    /// (`record_id,entity_id` in the first two columns) otherwise. `file` names the file in
    /// errors. Ids are read as sameas writes them: a leading `'` that kept a formula-like id
    /// inert is taken off ([`sameas_core::spreadsheet`]).
    ///
    /// # Errors
    /// [`EvalError::Io`] for unreadable CSV; [`EvalError::File`] for a missing column or,
    /// for entities, truth records left out; [`EvalError::Cell`] for a record not in the
    /// truth, a record listed twice in an entities file, a blank cell or a probability that
    /// is not a number.
    ///
    /// ```
    /// use sameas_eval::{PredictionFormat, Predicted, Truth};
    /// let truth = Truth::from_rows([("a", "1"), ("b", "1"), ("c", "2")]).unwrap();
    /// let pairs = "record_id_l,record_id_r,match_weight,match_probability\na,b,3.2,0.9\nb,c,-1,0.33\n";
    /// let (predicted, format) = Predicted::read_csv(&truth, pairs.as_bytes(), "pairs.csv", 0.5).unwrap();
    /// assert_eq!(format, PredictionFormat::Pairs);
    /// assert_eq!(predicted.entity_count(), 2);
    /// ```
    pub fn read_csv<R: Read>(
        truth: &Truth,
        reader: R,
        file: &str,
        threshold: f64,
    ) -> Result<(Predicted, PredictionFormat), EvalError> {
        let mut rows = CsvRows::open(reader, file, 2)?;
        if rows.headers.iter().any(|h| h == "record_id_l") {
            read_pairs(truth, &mut rows, threshold).map(|p| (p, PredictionFormat::Pairs))
        } else {
            read_entities(truth, &mut rows, file).map(|p| (p, PredictionFormat::Entities))
        }
    }

    /// Reads a prediction CSV from `path` (see [`Predicted::read_csv`]).
    ///
    /// # Errors
    /// As [`Predicted::read_csv`], and [`EvalError::Io`] when the file cannot be opened.
    pub fn from_path(
        truth: &Truth,
        path: &Path,
        threshold: f64,
    ) -> Result<(Predicted, PredictionFormat), EvalError> {
        let file = path.display().to_string();
        let reader = crate::csv_rows::open_maybe_gzip(path)?;
        Predicted::read_csv(truth, reader, &file, threshold)
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.entity_of.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.entity_of.is_empty()
    }

    /// The number of predicted entities.
    pub fn entity_count(&self) -> usize {
        self.entity_count as usize
    }

    /// The entity of the truth record at `index`, numbered in order of first record.
    ///
    /// # Panics
    /// When `index` is not below [`Predicted::len`].
    pub fn entity_of(&self, index: u32) -> u32 {
        self.entity_of[index as usize]
    }

    /// Every record's entity, by truth index.
    pub(crate) fn entities(&self) -> &[u32] {
        &self.entity_of
    }
}

const NOT_IN_TRUTH: &str = "record not in the truth";

fn read_entities<R: Read>(
    truth: &Truth,
    rows: &mut CsvRows<R>,
    file: &str,
) -> Result<Predicted, EvalError> {
    let mut builder = EntityBuilder::new(truth.len());
    while rows.next_row()? {
        let index = truth
            .index_of(unescape_formula(rows.cell(0)?))
            .ok_or_else(|| rows.cell_error(0, NOT_IN_TRUTH))?;
        let entity = unescape_formula(rows.cell(1)?);
        builder
            .assign(index, entity)
            .map_err(|reason| rows.cell_error(0, reason))?;
    }
    builder.finish(file)
}

fn read_pairs<R: Read>(
    truth: &Truth,
    rows: &mut CsvRows<R>,
    threshold: f64,
) -> Result<Predicted, EvalError> {
    let left_at = rows.column("record_id_l")?;
    let right_at = rows.column("record_id_r")?;
    let probability_at = rows.column("match_probability")?;
    let mut sets = DisjointSets::new(truth.len());
    while rows.next_row()? {
        let left = truth
            .index_of(unescape_formula(rows.cell(left_at)?))
            .ok_or_else(|| rows.cell_error(left_at, NOT_IN_TRUTH))?;
        let right = truth
            .index_of(unescape_formula(rows.cell(right_at)?))
            .ok_or_else(|| rows.cell_error(right_at, NOT_IN_TRUTH))?;
        let probability: f64 = rows
            .cell(probability_at)?
            .parse()
            .ok()
            .filter(|p: &f64| (0.0..=1.0).contains(p))
            .ok_or_else(|| rows.cell_error(probability_at, "not a probability in [0, 1]"))?;
        if probability >= threshold {
            sets.union(left, right);
        }
    }
    Ok(sets.into_predicted())
}

/// Collects one entity label per record from rows in any order.
struct EntityBuilder {
    labels: Interner,
    entity_of: Vec<u32>,
}

impl EntityBuilder {
    fn new(records: usize) -> Self {
        EntityBuilder {
            labels: Interner::default(),
            entity_of: vec![UNSET; records],
        }
    }

    fn assign(&mut self, index: u32, entity: &str) -> Result<(), &'static str> {
        let slot = &mut self.entity_of[index as usize];
        if *slot != UNSET {
            return Err("record listed twice");
        }
        // Labels are at most as many as records, which the truth keeps below 2^32.
        let (label, _) = self.labels.intern(entity).ok_or("too many entities")?;
        *slot = label;
        Ok(())
    }

    fn finish(self, file: &str) -> Result<Predicted, EvalError> {
        let missing = self.entity_of.iter().filter(|&&e| e == UNSET).count();
        if let Some(first) = self.entity_of.iter().position(|&e| e == UNSET) {
            return Err(EvalError::File {
                file: file.to_string(),
                reason: format!(
                    "{missing} truth record(s) have no entity (the first is truth row {}); \
                     an entities file must cover every record",
                    first + 1
                ),
            });
        }
        Ok(canonical(&self.entity_of))
    }
}

/// Renumbers labels densely in order of first record.
fn canonical(labels: &[u32]) -> Predicted {
    let max = labels.iter().copied().max().unwrap_or(0) as usize;
    let mut next = 0u32;
    let entity_of: Vec<u32> = if max <= labels.len().saturating_mul(4) {
        // Labels from files and union-find are below the record count: a table is faster.
        let mut renumber = vec![UNSET; max + 1];
        labels
            .iter()
            .map(|&label| {
                let slot = &mut renumber[label as usize];
                if *slot == UNSET {
                    *slot = next;
                    next += 1;
                }
                *slot
            })
            .collect()
    } else {
        let mut renumber: HashMap<u32, u32> = HashMap::new();
        labels
            .iter()
            .map(|&label| {
                *renumber.entry(label).or_insert_with(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    };
    Predicted {
        entity_count: next,
        entity_of,
    }
}

/// Union-find over record indices, by size with path halving.
struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }

    fn into_predicted(mut self) -> Predicted {
        let roots: Vec<u32> = (0..self.parent.len() as u32)
            .map(|x| self.find(x))
            .collect();
        canonical(&roots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth() -> Truth {
        Truth::from_rows([("a", "1"), ("b", "1"), ("c", "2"), ("d", "2")]).unwrap()
    }

    #[test]
    fn entities_are_numbered_by_first_record() {
        let truth = truth();
        let csv = "record_id,entity_id\nd,x\nc,y\nb,x\na,y\n";
        let (p, format) = Predicted::read_csv(&truth, csv.as_bytes(), "p.csv", 0.5).unwrap();
        assert_eq!(format, PredictionFormat::Entities);
        assert_eq!(p.entities(), &[0, 1, 0, 1]);
        assert_eq!(p.entity_count(), 2);
        assert_eq!(p, Predicted::from_labels(&truth, &[7, 3, 7, 3]).unwrap());
    }

    #[test]
    fn pairs_link_at_or_above_the_threshold() {
        let truth = truth();
        let csv = "record_id_l,record_id_r,match_weight,match_probability,name.level\n\
                   a,b,1,0.5,2\nb,c,0,0.49,1\nd,d,9,1,3\n";
        let (p, format) = Predicted::read_csv(&truth, csv.as_bytes(), "p.csv", 0.5).unwrap();
        assert_eq!(format, PredictionFormat::Pairs);
        assert_eq!(p.entities(), &[0, 0, 1, 2]);
        let (p, _) = Predicted::read_csv(&truth, csv.as_bytes(), "p.csv", 0.4).unwrap();
        assert_eq!(p.entities(), &[0, 0, 0, 1]);
    }

    #[test]
    fn transitive_links_form_one_entity() {
        let truth = Truth::from_rows((0..6).map(|i| (i.to_string(), "c"))).unwrap();
        let p = Predicted::from_links(&truth, [(0u32, 5), (5, 2), (3, 4), (2, 0)]).unwrap();
        assert_eq!(p.entities(), &[0, 1, 0, 2, 2, 0]);
    }

    #[test]
    fn errors_name_rows_not_values() {
        let truth = truth();
        let read = |csv: &str| Predicted::read_csv(&truth, csv.as_bytes(), "p.csv", 0.5);
        let unknown = read("record_id,entity_id\na,1\nsecret,1\n").unwrap_err();
        assert_eq!(
            unknown,
            EvalError::Cell {
                file: "p.csv".into(),
                row: 2,
                column: "record_id".into(),
                reason: NOT_IN_TRUTH,
            }
        );
        assert!(!unknown.to_string().contains("secret"));
        let twice = read("record_id,entity_id\na,1\nb,1\nc,2\nd,2\na,3\n").unwrap_err();
        assert!(matches!(
            twice,
            EvalError::Cell {
                row: 5,
                reason: "record listed twice",
                ..
            }
        ));
        let missing = read("record_id,entity_id\na,1\nc,2\n").unwrap_err();
        assert!(
            missing.to_string().contains("2 truth record(s)"),
            "{missing}"
        );
        assert!(missing.to_string().contains("truth row 2"), "{missing}");
        let bad_probability = read("record_id_l,record_id_r,match_probability\na,b,high\n");
        assert!(matches!(
            bad_probability.unwrap_err(),
            EvalError::Cell { row: 1, ref column, .. } if column == "match_probability"
        ));
        let no_probability = read("record_id_l,record_id_r\na,b\n").unwrap_err();
        assert!(matches!(no_probability, EvalError::File { .. }));
        let right_unknown = read("record_id_l,record_id_r,match_probability\na,zz,0.1\n");
        assert!(matches!(
            right_unknown.unwrap_err(),
            EvalError::Cell { ref column, .. } if column == "record_id_r"
        ));
    }
}
