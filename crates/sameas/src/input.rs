//! Input tables (CSV or JSON lines) and turning their rows into normalized records.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use sameas_core::{Channel, RecordId, Schema};
use sameas_normalize::infer::record_from_row;
use sameas_normalize::record::{NormalizedRecord, RecordNormalizer};
use sameas_normalize::table::{Table, TableFormat, TableOptions, read_table_with};

use crate::Error;
use crate::control::{Control, Stage};

/// A table of input rows and the channel its records get when it has no channel column.
#[derive(Debug, Clone)]
pub struct InputTable {
    /// The rows.
    pub table: Table,
    /// The channel of records without a channel column.
    pub channel: Channel,
    /// A name for messages (the file name, or `input`).
    pub name: String,
}

impl InputTable {
    /// A table from memory.
    pub fn new(table: Table, channel: Channel) -> Self {
        InputTable {
            table,
            channel,
            name: "input".to_string(),
        }
    }

    /// Reads a CSV or JSON-lines file. The format follows the extension when it names JSON
    /// lines (`.jsonl`, `.ndjson`, `.json`), else the content (JSON lines when it starts with
    /// `{`, even in a `.csv` file); the CSV delimiter is detected. The channel of records
    /// without a channel column is the file's stem.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::Table`] when it is not a table.
    pub fn read_path(path: &Path, encoding: Option<&str>) -> Result<Self, Error> {
        let options = TableOptions {
            encoding: encoding.map(str::to_string),
            ..TableOptions::default()
        };
        Self::read_path_with(path, &options)
    }

    /// As [`InputTable::read_path`], with the encoding, format and CSV delimiter as
    /// `options` name them (what they leave out is detected; the format from the extension
    /// first).
    ///
    /// # Errors
    /// As [`InputTable::read_path`].
    pub fn read_path_with(path: &Path, options: &TableOptions) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        let options = TableOptions {
            format: options.format.or_else(|| TableFormat::for_file(path)),
            ..options.clone()
        };
        let table = read_table_with(&bytes, &options)?;
        let channel = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map_or(Channel::Unknown, Channel::from_label);
        Ok(InputTable {
            table,
            channel,
            name: path.display().to_string(),
        })
    }
}

/// A row that was kept as a singleton entity because it could not be read as a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    /// The record id the row got.
    pub record_id: RecordId,
    /// 1-based data row.
    pub row: u64,
    /// 1-based line in the file.
    pub line: u64,
    /// Why (never the row's content).
    pub reason: String,
}

/// Records read from one table: ids, channels, normalized values and the bad rows.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    pub ids: Vec<RecordId>,
    /// The ids in input order, when the records were put in record-id order.
    pub input_ids: Vec<RecordId>,
    pub channels: Vec<Channel>,
    pub records: Vec<NormalizedRecord>,
    /// Per record: whether it came from a bad row (kept, never matched).
    pub bad: Vec<bool>,
    pub bad_rows: Vec<BadRow>,
    /// The generic values found when these records were read for fitting, masked.
    pub generic: Vec<crate::GenericReport>,
    /// For the report: an input without data rows, ids given to rows without one.
    pub warnings: Vec<String>,
}

/// `schema` with each column's index moved to where `headers` has that header, so a table
/// whose columns are in another order reads the same. One map of the headers, so a table of
/// 100,000 columns maps in linear time.
///
/// # Errors
/// [`Error::Input`] naming a schema column the table lacks.
pub(crate) fn map_columns(
    schema: &Schema,
    headers: &[String],
    name: &str,
) -> Result<Schema, Error> {
    let mut at: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
    at.reserve(headers.len());
    for (index, header) in headers.iter().enumerate() {
        // The first of repeated headers, as a scan from the left would find.
        at.entry(header.trim()).or_insert(index);
    }
    let position = |header: &str| {
        at.get(header.trim()).copied().ok_or_else(|| {
            Error::Input(format!(
                "{name}: no column `{header}`, which the configuration's schema reads"
            ))
        })
    };
    let mut mapped = schema.clone();
    for field in &mut mapped.fields {
        for column in &mut field.columns {
            column.index = position(&column.header)?;
        }
    }
    for column in [
        &mut mapped.id_column,
        &mut mapped.channel_column,
        &mut mapped.updated_at_column,
    ]
    .into_iter()
    .flatten()
    {
        column.index = position(&column.header)?;
    }
    Ok(mapped)
}

/// Reads and normalizes every row of `input`. A row the table reader flagged (ragged CSV,
/// a JSON line that is not an object) becomes a record with no values: it is kept and
/// will be its own entity.
///
/// # Errors
/// A schema column missing from the table, a repeated record id (naming the row), or
/// cancellation.
pub(crate) fn prepare(
    input: &InputTable,
    schema: &Schema,
    normalizer: &RecordNormalizer,
    control: &Control,
) -> Result<Prepared, Error> {
    prepare_rows(
        input,
        Rows::Kept(&input.table.rows),
        schema,
        normalizer,
        control,
    )
}

/// As [`prepare`], emptying each row's cells once its chunk of rows is read (the table is
/// the caller's, and read no more): at a million rows the cells take more memory than
/// the file, and the records built from them grow as they shrink.
pub(crate) fn prepare_freeing(
    input: &mut InputTable,
    schema: &Schema,
    normalizer: &RecordNormalizer,
    control: &Control,
) -> Result<Prepared, Error> {
    let mut rows = std::mem::take(&mut input.table.rows);
    let prepared = prepare_rows(input, Rows::Freed(&mut rows), schema, normalizer, control);
    input.table.rows = rows;
    prepared
}

/// The rows [`prepare_rows`] reads: kept as they are, or emptied of their cells chunk by
/// chunk.
enum Rows<'a> {
    Kept(&'a [sameas_normalize::table::TableRow]),
    Freed(&'a mut [sameas_normalize::table::TableRow]),
}

impl Rows<'_> {
    fn all(&self) -> &[sameas_normalize::table::TableRow] {
        match self {
            Rows::Kept(rows) => rows,
            Rows::Freed(rows) => rows,
        }
    }

    fn done_with(&mut self, range: std::ops::Range<usize>) {
        if let Rows::Freed(rows) = self {
            rows[range]
                .par_iter_mut()
                .for_each(|row| row.cells = Vec::new());
        }
    }
}

fn prepare_rows(
    input: &InputTable,
    mut rows: Rows<'_>,
    schema: &Schema,
    normalizer: &RecordNormalizer,
    control: &Control,
) -> Result<Prepared, Error> {
    let mapped = map_columns(schema, &input.table.headers, &input.name)?;
    let total = rows.all().len();
    control.report(Stage::Normalize, 0, total as u64);
    let empty = NormalizedRecord::missing(schema.fields.len());
    let mut out = Prepared::default();
    // Whether each row has an id of its own.
    let mut given = Vec::with_capacity(total);
    const CHUNK: usize = 65_536;
    for start in (0..total).step_by(CHUNK) {
        control.check()?;
        let end = (start + CHUNK).min(total);
        let chunk = &rows.all()[start..end];
        let read: Vec<(RecordId, Channel, NormalizedRecord)> = chunk
            .par_iter()
            .map(|row| {
                let record = record_from_row(&mapped, &row.cells, row.number, &input.channel);
                let normalized = if row.problem.is_some() {
                    empty.clone()
                } else {
                    normalizer.normalize(&record)
                };
                (record.id, record.channel, normalized)
            })
            .collect();
        for (row, (id, channel, normalized)) in chunk.iter().zip(read) {
            if let Some(problem) = row.problem {
                out.bad_rows.push(BadRow {
                    record_id: id.clone(),
                    row: row.number,
                    line: row.line,
                    reason: problem.reason(),
                });
            }
            given.push(
                mapped
                    .id_column
                    .as_ref()
                    .and_then(|c| row.cells.get(c.index))
                    .is_some_and(|cell| !cell.trim().is_empty()),
            );
            out.bad.push(row.problem.is_some());
            out.ids.push(id);
            out.channels.push(channel);
            out.records.push(normalized);
        }
        rows.done_with(start..end);
        control.report(Stage::Normalize, end as u64, total as u64);
    }
    let renamed = unique_fallback_ids(&mut out.ids, &given);
    if renamed > 0 {
        out.warnings.push(format!(
            "{renamed} rows without a record id of their own got `row-N` (N the data row), \
             because their row number is another row's id"
        ));
    }
    check_unique(&out.ids, rows.all(), &input.name)?;
    if total == 0 {
        out.warnings
            .push("the input has a header but no data rows: every output is empty".to_string());
    }
    Ok(out)
}

/// Rows without an id of their own (`given` false) have their row number as id; where that
/// number is a given id of another row, the row gets `row-N` instead (then `row-N-2` …), so a
/// blank id or a broken row never collides with a real one. Given ids are never changed.
/// Returns how many rows were renamed.
fn unique_fallback_ids(ids: &mut [RecordId], given: &[bool]) -> usize {
    let taken: foldhash::HashSet<String> = ids
        .iter()
        .zip(given)
        .filter(|(_, given)| **given)
        .map(|(id, _)| id.as_str().to_string())
        .collect();
    let mut renamed = 0;
    let mut used: foldhash::HashSet<String> = foldhash::HashSet::default();
    for (id, _) in ids.iter_mut().zip(given).filter(|(_, given)| !**given) {
        if !taken.contains(id.as_str()) {
            continue;
        }
        let base = format!("row-{}", id.as_str());
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) || used.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        used.insert(candidate.clone());
        *id = RecordId::from(candidate.as_str());
        renamed += 1;
    }
    renamed
}

/// Record ids must be unique: an entity file with one row per record needs it.
fn check_unique(
    ids: &[RecordId],
    rows: &[sameas_normalize::table::TableRow],
    name: &str,
) -> Result<(), Error> {
    let mut seen: foldhash::HashSet<&str> = foldhash::HashSet::default();
    seen.reserve(ids.len());
    for (id, row) in ids.iter().zip(rows) {
        if !seen.insert(id.as_str()) {
            return Err(Error::Input(format!(
                "{name}: row {} (line {}): the record id is already used by an earlier row; ids must be unique",
                row.number, row.line
            )));
        }
    }
    Ok(())
}

/// Records read for pair-level work (`sameas match`, `sameas explain`): one dataset over one
/// table, or two to link, each record tagged with its table's position as its source.
#[derive(Debug)]
pub struct RecordSet {
    /// The records, in input order, table after table.
    pub data: sameas_match::Dataset,
    /// Rows that could not be read as records: kept with no values, so never matched.
    pub bad_rows: Vec<BadRow>,
    /// For the user: tables without data rows, ids given to rows without one.
    pub warnings: Vec<String>,
}

/// Reads and normalizes `inputs` under `config`'s schema and normalize options, as
/// `resolve` reads a table: columns are found by header (each table may order them its own
/// way), a row the reader flagged is kept with no values, and record ids must be unique
/// across the tables. Where the schema has no id column, records are numbered by row, and
/// with several tables the number is prefixed by the table's position (`2:17`). Values the
/// configuration lists as generic are treated as missing; a configuration without a model
/// first has the generic values of these records found and added to it, as fitting does.
/// The records come in record-id order, as `resolve` holds them, so that nothing after
/// reading depends on the order of the rows.
///
/// # Errors
/// A table without a column the schema reads, a record id used twice (naming the table and
/// row), a configuration that does not validate, or cancellation.
pub fn read_records(
    inputs: &[InputTable],
    config: &mut crate::ResolverConfig,
    control: &Control,
) -> Result<RecordSet, Error> {
    let normalizer = RecordNormalizer::new(config.schema.clone(), config.normalize.clone())?;
    let numbered = inputs.len() > 1 && config.schema.id_column.is_none();
    let mut ids = Vec::new();
    let mut sources = Vec::new();
    let mut records = Vec::new();
    let mut bad_rows = Vec::new();
    let mut warnings = Vec::new();
    let mut seen: foldhash::HashSet<RecordId> = foldhash::HashSet::default();
    for (source, input) in inputs.iter().enumerate() {
        let prepared = prepare(input, &config.schema, &normalizer, control)?;
        let prefix = |id: RecordId| {
            if numbered {
                RecordId::from(format!("{}:{}", source + 1, id.as_str()).as_str())
            } else {
                id
            }
        };
        for (row, id) in prepared.ids.into_iter().enumerate() {
            let id = prefix(id);
            if !seen.insert(id.clone()) {
                let line = input.table.rows.get(row).map_or(0, |r| r.line);
                return Err(Error::Input(format!(
                    "{}: row {} (line {line}): the record id is already used by a record of \
                     an earlier table; ids must be unique across the tables",
                    input.name,
                    row + 1
                )));
            }
            ids.push(id);
            sources.push(u8::try_from(source).unwrap_or(u8::MAX));
        }
        bad_rows.extend(prepared.bad_rows.into_iter().map(|bad| BadRow {
            record_id: prefix(bad.record_id),
            ..bad
        }));
        warnings.extend(
            prepared
                .warnings
                .into_iter()
                .map(|warning| format!("{}: {warning}", input.name)),
        );
        records.extend(prepared.records);
    }
    crate::generic::find_and_apply(config, &mut records);
    // In record-id order, as `resolve` reads: samples, strides and ties follow positions,
    // so the pairs and their scores never depend on the order of the rows.
    let order = id_order(&ids);
    let (ids, sources, records) = (
        permute(ids, &order),
        permute(sources, &order),
        permute(records, &order),
    );
    let data = sameas_match::Dataset::with_sources(config.schema.clone(), ids, sources, records)?;
    Ok(RecordSet {
        data,
        bad_rows,
        warnings,
    })
}

/// The positions of `ids` in record-id order.
pub(crate) fn id_order(ids: &[RecordId]) -> Vec<u32> {
    use rayon::prelude::*;
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
    order
}

/// `values` reordered: the value at `order[i]` moves to `i`.
pub(crate) fn permute<T>(values: Vec<T>, order: &[u32]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = values.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&i| slots[i as usize].take().expect("a permutation"))
        .collect()
}
