//! The records a match runs over: ids, the source each came from, and normalized values.

use rayon::prelude::*;
use sameas_core::{Channel, RecordId, Schema};
use sameas_normalize::infer::record_from_row;
use sameas_normalize::record::{NormalizedRecord, RecordNormalizer};
use sameas_normalize::table::Table;

use crate::MatchError;

/// Normalized records under one schema, ready for blocking and comparison.
///
/// In link mode each record carries the index (0 or 1) of the source it came from; in dedupe
/// mode every source is 0.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The schema every record follows.
    pub schema: Schema,
    /// Record ids, in input order.
    pub ids: Vec<RecordId>,
    /// Source index per record (0 or 1).
    pub sources: Vec<u8>,
    /// Normalized values per record.
    pub records: Vec<NormalizedRecord>,
}

impl Dataset {
    /// A dataset of one source.
    ///
    /// # Errors
    /// [`MatchError::Input`] when `ids` and `records` differ in length.
    pub fn new(
        schema: Schema,
        ids: Vec<RecordId>,
        records: Vec<NormalizedRecord>,
    ) -> Result<Self, MatchError> {
        let sources = vec![0; ids.len()];
        Self::with_sources(schema, ids, sources, records)
    }

    /// A dataset whose records come from one of two sources.
    ///
    /// # Errors
    /// [`MatchError::Input`] when the lengths differ or a source index is above 1.
    pub fn with_sources(
        schema: Schema,
        ids: Vec<RecordId>,
        sources: Vec<u8>,
        records: Vec<NormalizedRecord>,
    ) -> Result<Self, MatchError> {
        if ids.len() != records.len() || sources.len() != records.len() {
            return Err(MatchError::Input(
                "ids, sources and records must have the same length",
            ));
        }
        if sources.iter().any(|&s| s > 1) {
            return Err(MatchError::Input("a source index must be 0 or 1"));
        }
        if u32::try_from(records.len()).is_err() {
            return Err(MatchError::Input("at most 2^32 - 1 records"));
        }
        Ok(Dataset {
            schema,
            ids,
            sources,
            records,
        })
    }

    /// Normalizes every row of `table` (in parallel, kept in order) into a dataset of one
    /// source under the normalizer's schema, with each record's channel: its channel
    /// column's, else `file_channel`.
    ///
    /// ```
    /// # use sameas_core::Channel;
    /// # use sameas_match::Dataset;
    /// # use sameas_normalize::NormalizeOptions;
    /// # use sameas_normalize::infer::infer_schema;
    /// # use sameas_normalize::record::RecordNormalizer;
    /// # use sameas_normalize::table::read_csv;
    /// let table = read_csv("id,name,phone\n1,张伟,138-0013-8000\n2,張偉,13800138000\n".as_bytes(), None).unwrap();
    /// let schema = infer_schema(&table.headers).unwrap().schema;
    /// let normalizer = RecordNormalizer::new(schema, NormalizeOptions::default()).unwrap();
    /// let (data, channels) = Dataset::from_table(&table, &normalizer, &Channel::App).unwrap();
    /// assert_eq!(data.len(), 2);
    /// assert_eq!(channels, vec![Channel::App, Channel::App]);
    /// ```
    ///
    /// # Errors
    /// [`MatchError::Input`] for more than 2^32 - 1 rows.
    pub fn from_table(
        table: &Table,
        normalizer: &RecordNormalizer,
        file_channel: &Channel,
    ) -> Result<(Self, Vec<Channel>), MatchError> {
        let schema = normalizer.schema();
        let (records, channels): (Vec<_>, Vec<_>) = table
            .rows
            .par_iter()
            .map(|row| {
                let record = record_from_row(schema, &row.cells, row.number, file_channel);
                let normalized = normalizer.normalize(&record);
                ((record.id, normalized), record.channel)
            })
            .unzip();
        let (ids, records) = records.into_iter().unzip();
        Ok((Self::new(schema.clone(), ids, records)?, channels))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Records per source.
    pub fn source_sizes(&self) -> [u64; 2] {
        let ones = self.sources.iter().filter(|&&s| s == 1).count() as u64;
        [self.len() as u64 - ones, ones]
    }
}

/// Records to compile comparisons over, read in place: all of a dataset's, or those at
/// some of its positions, in that order (numbered from 0 as they come).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Records<'a> {
    /// The schema every record follows.
    pub(crate) schema: &'a Schema,
    all: &'a [NormalizedRecord],
    picked: Option<&'a [u32]>,
}

impl<'a> Records<'a> {
    /// Every record of `data`.
    pub(crate) fn all(data: &'a Dataset) -> Self {
        Records {
            schema: &data.schema,
            all: &data.records,
            picked: None,
        }
    }

    /// The records of `data` at `positions`, in that order.
    pub(crate) fn picked(data: &'a Dataset, positions: &'a [u32]) -> Self {
        Records {
            schema: &data.schema,
            all: &data.records,
            picked: Some(positions),
        }
    }

    /// Number of records.
    pub(crate) fn len(&self) -> usize {
        self.picked.map_or(self.all.len(), <[u32]>::len)
    }

    /// The `i`-th record.
    pub(crate) fn get(&self, i: usize) -> &'a NormalizedRecord {
        match self.picked {
            None => &self.all[i],
            Some(positions) => &self.all[positions[i] as usize],
        }
    }

    /// The records in order.
    pub(crate) fn iter(self) -> impl Iterator<Item = &'a NormalizedRecord> {
        (0..self.len()).map(move |i| self.get(i))
    }
}
