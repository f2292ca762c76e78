//! Reading an input file: the reading flags every command shares, and the table read,
//! inferred and normalized for `normalize` and `profile`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use sameas::Inference;
use sameas_core::Channel;
use sameas_normalize::DateOrder;
use sameas_normalize::infer::record_from_row;
use sameas_normalize::record::{NormalizedRecord, RecordNormalizer};
use sameas_normalize::table::{
    Table, TableFormat, TableOptions, TableRow, parse_delimiter, read_table_with,
};

/// How many row problems are printed before they are only counted.
pub(crate) const ROW_PROBLEMS_SHOWN: usize = 20;

/// Options for reading an input file.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The input: CSV with a header row (UTF-8 with or without BOM, UTF-16, or GB18030 /
    /// GBK), or JSON lines (`.jsonl`, `.ndjson`, or content starting with `{`).
    pub(crate) input: PathBuf,
    #[command(flatten)]
    pub(crate) read: ReadOptions,
}

/// How files are decoded and values read: shared by every command that reads records.
#[derive(Debug, Args)]
pub struct ReadOptions {
    /// The file's encoding (utf-8, gb18030, gbk, latin1, utf-16le …); detected when left out.
    #[arg(long)]
    pub encoding: Option<String>,
    /// The CSV column separator: `,` `;` `tab` `|` `space` or another punctuation
    /// character; detected among `,` `;` tab and `|` when left out.
    #[arg(long, value_parser = delimiter_arg)]
    pub delimiter: Option<u8>,
    /// Region for phones without a country code (ISO 3166, e.g. CN, US); when left out, the
    /// region most of the file's phones belong to (else CN).
    #[arg(long)]
    region: Option<String>,
    /// Read ambiguous dates like 01/02/1990 day first (1 February); when neither this nor
    /// --month-first is given, the file's unambiguous dates decide (else month first).
    #[arg(long, conflicts_with = "month_first")]
    day_first: bool,
    /// Read ambiguous dates like 01/02/1990 month first (2 January).
    #[arg(long)]
    month_first: bool,
    /// The day ages are measured against (YYYY-MM-DD); today when left out.
    #[arg(long)]
    reference_date: Option<jiff::civil::Date>,
}

/// Reads `--delimiter`.
pub fn delimiter_arg(name: &str) -> Result<u8, String> {
    parse_delimiter(name).map_err(|err| err.to_string())
}

/// How to read `path`: the encoding and delimiter as given (else detected), the format from
/// a JSON-lines extension (else the content).
pub fn table_options(path: &Path, encoding: Option<&str>, delimiter: Option<u8>) -> TableOptions {
    TableOptions {
        encoding: encoding.map(str::to_string),
        format: TableFormat::for_file(path),
        delimiter,
    }
}

/// Reads `path` as a table (CSV or JSON lines), naming the file in errors.
pub fn read_input(path: &Path, options: &TableOptions) -> Result<Table> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    read_table_with(&bytes, options)
        .with_context(|| format!("{} cannot be read as a table", path.display()))
}

/// The error for a file none of whose columns is compared: say which columns would be, and
/// when the whole line is one column, that the delimiter may be another.
pub fn no_comparisons(path: &Path, columns: usize) -> anyhow::Error {
    let hint = if columns == 1 {
        "; the header reads as one column: if the file separates columns with something other \
         than `,` `;` tab or `|`, name it with --delimiter"
    } else {
        ""
    };
    anyhow::anyhow!(
        "{}: no column is recognised as a field to compare (name, phone, e-mail, address, \
         birth date, gender, national id, or an identifier such as member_no){hint}; rename \
         the headers or pass --config",
        path.display()
    )
}

impl ReadOptions {
    /// How to read `path` with these flags.
    pub fn table_options(&self, path: &Path) -> TableOptions {
        table_options(path, self.encoding.as_deref(), self.delimiter)
    }

    /// What these flags fix for inference; the rest is read from the file.
    pub fn infer_options(&self, mode: sameas::LinkMode) -> sameas::InferOptions {
        sameas::InferOptions {
            region: self.region.clone(),
            date_order: if self.day_first {
                Some(DateOrder::DayFirst)
            } else if self.month_first {
                Some(DateOrder::MonthFirst)
            } else {
                None
            },
            reference_date: self.reference_date,
            mode,
        }
    }
}

/// A file read, its schema inferred and its records normalized.
pub(crate) struct Loaded {
    pub(crate) table: Table,
    pub(crate) inferred: Inference,
    pub(crate) normalizer: RecordNormalizer,
    pub(crate) normalized: Vec<NormalizedRecord>,
    pub(crate) records: Vec<sameas_core::Record>,
}

pub(crate) fn load(args: &InputArgs) -> Result<Loaded> {
    let path = &args.input;
    let table = read_input(path, &args.read.table_options(path))?;
    let inferred =
        sameas::ResolverConfig::infer(&table, &args.read.infer_options(sameas::LinkMode::Dedupe))
            .with_context(|| format!("{}: line 1 is not a usable header", path.display()))?;
    let schema = inferred.config.schema.clone();
    let normalizer = RecordNormalizer::new(schema.clone(), inferred.config.normalize.clone())?;
    let file_channel = file_channel(path);
    let records: Vec<_> = table
        .rows
        .iter()
        .map(|row| record_from_row(&schema, &row.cells, row.number, &file_channel))
        .collect();
    let normalized = records.iter().map(|r| normalizer.normalize(r)).collect();
    report_problems(path, &inferred, &table.rows);
    Ok(Loaded {
        table,
        inferred,
        normalizer,
        normalized,
        records,
    })
}

/// A record's channel when it has no channel column: the file's stem.
fn file_channel(path: &Path) -> Channel {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map_or(Channel::Unknown, Channel::from_label)
}

fn report_problems(path: &Path, inferred: &Inference, rows: &[TableRow]) {
    for warning in &inferred.warnings {
        eprintln!("warning: {}: {warning}", path.display());
    }
    let bad: Vec<&TableRow> = rows.iter().filter(|r| r.problem.is_some()).collect();
    for row in bad.iter().take(ROW_PROBLEMS_SHOWN) {
        if let Some(problem) = row.problem {
            eprintln!(
                "warning: {}: row {} (line {}): {}; kept and flagged",
                path.display(),
                row.number,
                row.line,
                problem.reason()
            );
        }
    }
    if bad.len() > ROW_PROBLEMS_SHOWN {
        eprintln!(
            "warning: {} more bad rows, all kept and flagged",
            bad.len() - ROW_PROBLEMS_SHOWN
        );
    }
    if rows.is_empty() {
        eprintln!("note: {} has a header but no data rows", path.display());
    }
}
