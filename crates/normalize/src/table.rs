//! Reading untrusted tables: encoding detection (UTF-8 with or without a BOM, UTF-16 with or
//! without a BOM, GB18030 / GBK), then CSV rows (the delimiter `,` `;` tab or `|` detected) or
//! JSON lines, with problems reported by row and line, never by value.
//!
//! ```
//! use sameas_normalize::table::{read_table, TableFormat};
//! let csv = read_table(b"id,phone\n1,13800138000\n", None, None).unwrap();
//! let json = read_table(br#"{"id": "1", "phone": 13800138000}"#, None, None).unwrap();
//! assert_eq!((csv.headers, &csv.rows[0].cells), (json.headers, &json.rows[0].cells));
//! assert_eq!(TableFormat::from_path("crm.ndjson".as_ref()), Some(TableFormat::JsonLines));
//! ```

use std::borrow::Cow;
use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use thiserror::Error;

mod json_lines;
mod workbook;

pub use json_lines::read_json_lines;

/// Why a file cannot be read as a table. Positions are given; contents never are.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableError {
    /// The file has no bytes, or only white space.
    #[error("the file is empty")]
    Empty,
    /// The file opens as a zip archive or an OLE file (what xlsx, ods and xls are) but not
    /// as a workbook, or a workbook none of whose worksheets holds a cell.
    #[error(
        "the file is an archive but not a spreadsheet workbook that can be read (xlsx, xlsm, \
         xlsb, xls or ods with a worksheet that holds cells): {reason}; save the sheet as CSV \
         (UTF-8) and pass that file"
    )]
    Workbook {
        /// What the workbook reader said, or that no worksheet holds cells (never cell
        /// contents).
        reason: String,
    },
    /// `--encoding` named something unknown.
    #[error("unknown encoding `{label}`: try utf-8, gb18030, gbk or utf-16le")]
    UnknownEncoding {
        /// The label given.
        label: String,
    },
    /// The bytes are not text in the named or any detected encoding.
    #[error(
        "byte {offset} (line {line}) cannot be decoded as {tried}; name the file's encoding with \
         --encoding (gbk, latin1, utf-16le …)"
    )]
    Undecodable {
        /// 0-based byte offset of the first bad byte.
        offset: usize,
        /// 1-based line of that byte.
        line: usize,
        /// The encodings tried.
        tried: String,
    },
    /// A NUL byte: this is a binary file, not a text table.
    #[error(
        "byte {offset} (line {line}) is a NUL byte: this is not a text table (for UTF-16 \
         without a byte order mark, name it with --encoding utf-16le or utf-16be)"
    )]
    NotText {
        /// 0-based byte offset.
        offset: usize,
        /// 1-based line.
        line: usize,
    },
    /// The file is gzip-compressed but does not decompress.
    #[error("the file looks gzip-compressed but does not decompress: {reason}")]
    Compressed {
        /// What the decompressor said (never file contents).
        reason: String,
    },
    /// The first row is blank.
    #[error("line 1 holds no header: the first row must name the columns")]
    NoHeader,
    /// `--delimiter` named something that cannot separate CSV cells.
    #[error(
        "unknown delimiter `{name}`: use `,` `;` `|` `tab` `space`, or another single ASCII \
         punctuation character"
    )]
    UnknownDelimiter {
        /// The name given.
        name: String,
    },
    /// A quote opens a cell that is never closed: the rest of the file would be one cell.
    #[error(
        "line {line}: a quote opens a cell that is never closed, so the rest of the file would \
         be one cell; close it (a quote inside a quoted cell is written twice: \"\")"
    )]
    UnterminatedQuote {
        /// 1-based line of the opening quote.
        line: u64,
    },
    /// The header and the first data row each read as one column that holds several words:
    /// the file separates its columns with a character that is not the delimiter.
    #[error(
        "line 1 reads as a single column holding the whole line; name the file's column \
         separator with --delimiter (`,` `;` `tab` `|` are detected)"
    )]
    OneColumn,
    /// The CSV reader failed.
    #[error("line {line}: {reason}")]
    Csv {
        /// 1-based line.
        line: u64,
        /// What went wrong.
        reason: String,
    },
    /// Read as JSON lines, no line is an object with a key, so there is no column to name.
    #[error(
        "no line holds a JSON object with a key: JSON lines need one object per line, such as {{\"id\": \"1\"}}"
    )]
    NoKeys,
    /// Read as JSON lines, the union of keys over the rows would make a table far larger than
    /// the file: every row holds a cell for every key, so a few sparse lines could otherwise
    /// exhaust memory.
    #[error(
        "{keys} distinct keys over {rows} rows would make a table far larger than the file; \
         is it one table?"
    )]
    TooSparse {
        /// Distinct keys (columns).
        keys: usize,
        /// Data rows.
        rows: usize,
    },
}

/// A problem with one row. The row is still kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowProblem {
    /// The row has a different number of cells than the header.
    Ragged {
        /// Cells in the row.
        cells: usize,
        /// Cells in the header.
        expected: usize,
    },
    /// A JSON line that is not valid JSON. Only the values read before the fault are kept,
    /// in columns that other lines have.
    InvalidJson {
        /// 1-based character in the line where reading failed.
        column: usize,
    },
    /// A JSON line that is valid JSON but not an object (an array, a string, a number …). Its
    /// cells are empty.
    NotAnObject,
    /// A JSON object with an empty (or all white space) key. That value is dropped; the other
    /// cells are kept.
    EmptyKey,
    /// A JSON object that names one key twice (after trimming). The last value is kept.
    DuplicateKey,
}

impl RowProblem {
    /// A fixed description, safe for logs.
    pub fn reason(&self) -> String {
        match self {
            RowProblem::Ragged { cells, expected } => {
                format!("ragged row: {cells} cells where the header has {expected}")
            }
            RowProblem::InvalidJson { column } => {
                format!("invalid JSON at column {column}; only the values before it are kept")
            }
            RowProblem::NotAnObject => {
                "the line is JSON but not an object; all cells left empty".to_string()
            }
            RowProblem::EmptyKey => "an empty key; its value is dropped".to_string(),
            RowProblem::DuplicateKey => "a key repeats; the last value is kept".to_string(),
        }
    }
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// 1-based data row number (the header is row 0).
    pub number: u64,
    /// 1-based line in the file where the row starts.
    pub line: u64,
    /// The cells. From CSV, as many as the row has (see [`RowProblem::Ragged`]); from JSON
    /// lines, always one per header.
    pub cells: Vec<String>,
    /// What is wrong with the row as a whole.
    pub problem: Option<RowProblem>,
}

/// A decoded table, read from CSV or JSON lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The header cells (or JSON keys), trimmed, with any BOM removed.
    pub headers: Vec<String>,
    /// The data rows, in file order. Blank lines are skipped.
    pub rows: Vec<TableRow>,
    /// The encoding the file was read in.
    pub encoding: &'static str,
    /// The 1-based line the header was read on: 1, or the first line after a title that a
    /// spreadsheet's export put above it (see [`read_csv`]); 0 for a CSV file whose first
    /// line is a record, not a header (its columns are named `column_1`, `column_2` …).
    pub header_line: u64,
    /// Columns whose header repeats an earlier one's (case and spaces folded), renamed with
    /// `_2`, `_3` … added so that every column has a name of its own: (the column, the
    /// earlier column), 0-based.
    pub renamed_headers: Vec<(usize, usize)>,
    /// For a spreadsheet workbook, the worksheet read (see [`read_table_with`]).
    pub sheet: Option<SheetRead>,
}

/// The worksheet of a workbook that a table was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRead {
    /// The worksheet's name.
    pub name: String,
    /// Other worksheets that hold cells, which were not read.
    pub others_with_cells: usize,
}

impl Table {
    /// A table of `rows` under `headers`, as a file holding one row per line would give
    /// it: rows numbered from `first_row` (a batch's place in a larger file), each on the
    /// line after its number.
    ///
    /// ```
    /// use sameas_normalize::table::Table;
    /// let table = Table::from_rows(vec!["id".into()], vec![vec!["7".into()]], 3);
    /// assert_eq!((table.rows[0].number, table.rows[0].line), (3, 4));
    /// ```
    pub fn from_rows(headers: Vec<String>, rows: Vec<Vec<String>>, first_row: u64) -> Table {
        let rows = rows
            .into_iter()
            .zip(first_row..)
            .map(|(cells, number)| TableRow {
                number,
                line: number + 1,
                cells,
                problem: None,
            })
            .collect();
        Table {
            headers,
            rows,
            encoding: "utf-8",
            header_line: 1,
            renamed_headers: Vec::new(),
            sheet: None,
        }
    }
}

/// `headers` with each repeat of an earlier header (case and spaces folded; blank ones
/// aside) renamed by adding `_2`, `_3` … (past any name already taken), and the renamed
/// columns with the earlier column of their header (0-based).
fn distinct_headers(mut headers: Vec<String>) -> (Vec<String>, Vec<(usize, usize)>) {
    use std::collections::HashMap;
    let key = crate::infer::header_key;
    let mut first_at: HashMap<String, usize> = HashMap::with_capacity(headers.len());
    let mut repeats = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let k = key(header);
        if k.is_empty() {
            continue;
        }
        match first_at.get(&k) {
            Some(&first) => repeats.push((i, first)),
            None => {
                first_at.insert(k, i);
            }
        }
    }
    let mut renamed = Vec::with_capacity(repeats.len());
    for &(i, first) in &repeats {
        let base = headers[i].clone();
        let mut n = 2;
        let name = loop {
            let name = format!("{base}_{n}");
            if !first_at.contains_key(&key(&name)) {
                break name;
            }
            n += 1;
        };
        first_at.insert(key(&name), i);
        headers[i] = name;
        renamed.push((i, first));
    }
    (headers, renamed)
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Decodes `bytes` as text. With `encoding` named, only that is tried; otherwise a BOM decides,
/// then UTF-8, then GB18030 (a superset of GBK and GB2312); text whose other bytes stand
/// alone between ASCII ones (`Jos\xe9`, `M\xfcller`) is Windows-1252, the Latin-1 that
/// Western spreadsheets save, where GB18030 would pair them with the letter after.
///
/// # Errors
/// [`TableError::UnknownEncoding`], [`TableError::Undecodable`] or [`TableError::NotText`].
///
/// ```
/// use sameas_normalize::table::decode;
/// let gbk = [0xd5, 0xc5, 0xce, 0xb0]; // 张伟 in GBK
/// assert_eq!(decode(&gbk, None).unwrap(), ("张伟".into(), "gb18030"));
/// assert_eq!(decode(b"\xef\xbb\xbfid", None).unwrap(), ("id".into(), "UTF-8"));
/// assert_eq!(decode(b"Jos\xe9 M\xfcller", None).unwrap(), ("José Müller".into(), "windows-1252"));
/// ```
pub fn decode<'a>(
    bytes: &'a [u8],
    encoding: Option<&str>,
) -> Result<(Cow<'a, str>, &'static str), TableError> {
    let named = match encoding {
        Some(label) => Some(Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            TableError::UnknownEncoding {
                label: label.to_string(),
            }
        })?),
        None => None,
    };
    let (bom_encoding, bom_len) = match Encoding::for_bom(bytes) {
        Some((enc, len)) if named.is_none() || named == Some(enc) => (Some(enc), len),
        _ => (None, 0),
    };
    let body = &bytes[bom_len..];
    let candidates: Vec<&'static Encoding> = match (named, bom_encoding) {
        (Some(enc), _) => vec![enc],
        (None, Some(enc)) => vec![enc],
        (None, None) => match utf16_without_bom(body) {
            Some(enc) => vec![enc],
            None if std::str::from_utf8(body).is_ok() || mostly_utf8(body) => vec![UTF_8],
            None if single_bytes_between_ascii(body) => vec![WINDOWS_1252],
            None => vec![UTF_8, GB18030],
        },
    };
    let mut first_bad = None;
    for enc in &candidates {
        if let Some(text) = enc.decode_without_bom_handling_and_without_replacement(body) {
            if let Some(nul) = text.find('\0') {
                let offset = bom_len + body.iter().position(|&b| b == 0).unwrap_or(nul);
                return Err(TableError::NotText {
                    offset,
                    line: line_of(bytes, offset),
                });
            }
            return Ok((text, enc.name()));
        }
        if first_bad.is_none() {
            first_bad = Some(first_invalid_offset(enc, body) + bom_len);
        }
    }
    let offset = first_bad.unwrap_or(0);
    let tried = candidates
        .iter()
        .map(|e| e.name())
        .collect::<Vec<_>>()
        .join(" or ");
    Err(TableError::Undecodable {
        offset,
        line: line_of(bytes, offset),
        tried,
    })
}

/// UTF-16 without a byte order mark, told by its zero bytes: the ASCII of headers, ids and
/// phones is `[byte, 0]` in UTF-16LE and `[0, byte]` in UTF-16BE, so at least half the code
/// units of a sample have a zero on one side and almost none on the other. UTF-8 and GB18030
/// text holds no zero byte at all.
fn utf16_without_bom(body: &[u8]) -> Option<&'static Encoding> {
    let sample = &body[..body.len().min(4096)];
    let pairs = sample.len() / 2;
    if pairs < 2 || !sample.contains(&0) {
        return None;
    }
    let (mut even, mut odd) = (0, 0);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 2 >= pairs && even * 10 <= pairs {
        Some(UTF_16LE)
    } else if even * 2 >= pairs && odd * 10 <= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Whether bytes that are not valid UTF-8 are still UTF-8 with a few bad bytes: at least four
/// in five of their non-ASCII sequences are UTF-8 characters. GBK text forms a UTF-8 character
/// only by chance, while GB18030 reads almost any byte pair as some character, so without
/// this a UTF-8 file with one broken byte would be read as GB18030 nonsense.
fn mostly_utf8(body: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in body.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid > 0 && valid >= 4 * invalid
}

/// Whether the bytes outside ASCII stand alone, each between two ASCII bytes, in at least
/// nine of ten of their runs: a single-byte Latin text (`Jos\xe9 Garc\xeda`). Chinese in
/// GBK or GB18030 writes each character as two or four bytes, the common ones all outside
/// ASCII, so its runs are two bytes long or more.
fn single_bytes_between_ascii(body: &[u8]) -> bool {
    let (mut single, mut longer) = (0usize, 0usize);
    let mut run = 0usize;
    for &byte in body.iter().chain(std::iter::once(&b'\n')) {
        if byte.is_ascii() {
            match run {
                0 => {}
                1 => single += 1,
                _ => longer += 1,
            }
            run = 0;
        } else {
            run += 1;
        }
    }
    single > 0 && single >= 9 * longer
}

fn first_invalid_offset(enc: &'static Encoding, body: &[u8]) -> usize {
    if enc == UTF_8 {
        return std::str::from_utf8(body)
            .err()
            .map_or(0, |e| e.valid_up_to());
    }
    // Decode in growing prefixes would be quadratic; stream instead and stop at the first error.
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(4096);
    let mut read = 0;
    while read < body.len() {
        out.clear();
        let (result, consumed) =
            decoder.decode_to_string_without_replacement(&body[read..], &mut out, true);
        match result {
            encoding_rs::DecoderResult::Malformed(bad, _) => {
                return (read + consumed).saturating_sub(bad as usize);
            }
            encoding_rs::DecoderResult::OutputFull => {
                out.reserve(4096);
                read += consumed;
            }
            encoding_rs::DecoderResult::InputEmpty => return body.len(),
        }
    }
    body.len()
}

/// The layout of a table file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TableFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line; the keys name the columns.
    JsonLines,
}

impl TableFormat {
    /// The format a file's extension names, if it names one: `.jsonl`, `.ndjson` and `.json`
    /// are JSON lines, `.csv` and `.txt` are CSV (any case), also before a `.gz`. Other extensions give `None`, so
    /// that [`read_table`] looks at the content instead.
    ///
    /// ```
    /// use sameas_normalize::table::TableFormat;
    /// assert_eq!(TableFormat::from_path("a/b.JSONL".as_ref()), Some(TableFormat::JsonLines));
    /// assert_eq!(TableFormat::from_path("b.csv".as_ref()), Some(TableFormat::Csv));
    /// assert_eq!(TableFormat::from_path("b.tsv".as_ref()), None);
    /// assert_eq!(TableFormat::from_path("b.ndjson.gz".as_ref()), Some(TableFormat::JsonLines));
    /// ```
    pub fn from_path(path: &Path) -> Option<TableFormat> {
        let mut extension = path.extension()?.to_str()?.to_ascii_lowercase();
        if extension == "gz" {
            // `customers.csv.gz`: the format is the extension before the compression's.
            let stem = Path::new(path.file_stem()?);
            extension = stem.extension()?.to_str()?.to_ascii_lowercase();
        }
        match extension.as_str() {
            "jsonl" | "ndjson" | "json" => Some(TableFormat::JsonLines),
            "csv" | "txt" => Some(TableFormat::Csv),
            _ => None,
        }
    }

    /// The format to read a file in when none is named: JSON lines when the extension says
    /// so, else `None`, so that the content decides. A file named `.csv` that holds JSON
    /// lines (its first character is `{`) is read as JSON lines, not as a header of odd
    /// columns.
    ///
    /// ```
    /// use sameas_normalize::table::TableFormat;
    /// assert_eq!(TableFormat::for_file("a.ndjson".as_ref()), Some(TableFormat::JsonLines));
    /// assert_eq!(TableFormat::for_file("a.csv".as_ref()), None);
    /// ```
    pub fn for_file(path: &Path) -> Option<TableFormat> {
        TableFormat::from_path(path).filter(|f| *f == TableFormat::JsonLines)
    }

    /// JSON lines when the first character that is not white space (or a stray BOM) is `{`,
    /// else CSV: a CSV header starting with `{` would be a strange column name.
    fn detect(text: &str) -> TableFormat {
        if text.trim_start_matches(is_blank_char).starts_with('{') {
            TableFormat::JsonLines
        } else {
            TableFormat::Csv
        }
    }
}

/// White space, or a byte order mark left inside the text (files joined end to end).
fn is_blank_char(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Whether `bytes` start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The bytes of a file, decompressed when they are gzip (`customers.csv.gz`); other bytes are
/// borrowed as they are.
///
/// # Errors
/// [`TableError::Compressed`] for a gzip stream that does not decompress.
///
/// ```
/// use sameas_normalize::table::gunzip;
/// assert_eq!(gunzip(b"id,name\n").unwrap().as_ref(), b"id,name\n");
/// ```
pub fn gunzip(bytes: &[u8]) -> Result<Cow<'_, [u8]>, TableError> {
    if !is_gzip(bytes) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).map_err(
        |err| TableError::Compressed {
            reason: err.kind().to_string(),
        },
    )?;
    Ok(Cow::Owned(out))
}

/// Whether the bytes open as a zip archive (xlsx, ods) or an OLE compound file (xls): what a
/// spreadsheet saves unless told to write CSV.
fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// [`decode`], refusing files that hold nothing but white space. Workbooks are read before
/// (see [`read_table_with`]).
fn decode_table<'a>(
    bytes: &'a [u8],
    encoding: Option<&str>,
) -> Result<(Cow<'a, str>, &'static str), TableError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TableError::Empty);
    }
    let (text, encoding) = decode(bytes, encoding)?;
    if text.trim().is_empty() {
        return Err(TableError::Empty);
    }
    Ok((text, encoding))
}

/// How to read a table. What is left `None` is detected: the encoding (see [`decode`]), the
/// format (see [`TableFormat`]) and the CSV delimiter (`,` `;` tab or `|`, whichever splits
/// the header and agrees with the most of the next 20 lines).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// The encoding's label (`utf-8`, `gbk`, `latin1`, `utf-16le` …).
    pub encoding: Option<String>,
    /// CSV or JSON lines.
    pub format: Option<TableFormat>,
    /// The CSV column separator.
    pub delimiter: Option<u8>,
}

/// The CSV delimiters detected when none is named, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Reads a delimiter's name: `,` `;` `|`, `tab` (or `\t`), `space`, `comma`, `semicolon`,
/// `pipe`, or any other single ASCII punctuation character but the quote.
///
/// # Errors
/// [`TableError::UnknownDelimiter`] for anything else.
///
/// ```
/// use sameas_normalize::table::parse_delimiter;
/// assert_eq!(parse_delimiter("tab").unwrap(), b'\t');
/// assert_eq!(parse_delimiter(";").unwrap(), b';');
/// assert!(parse_delimiter("ab").is_err());
/// ```
pub fn parse_delimiter(name: &str) -> Result<u8, TableError> {
    let delimiter = match name.to_ascii_lowercase().as_str() {
        "tab" | "\\t" | "\t" => b'\t',
        "comma" => b',',
        "semicolon" => b';',
        "pipe" => b'|',
        "space" => b' ',
        other if other.len() == 1 => other.as_bytes()[0],
        _ => 0,
    };
    if matches!(delimiter, b'\t' | b' ') || (delimiter.is_ascii_punctuation() && delimiter != b'"')
    {
        Ok(delimiter)
    } else {
        Err(TableError::UnknownDelimiter {
            name: name.to_string(),
        })
    }
}

/// Reads a table from raw bytes as CSV or JSON lines. With `format` `None`, the content
/// decides (see [`TableFormat`]); pass [`TableFormat::from_path`] to let the file name decide
/// first. The CSV delimiter is detected; [`read_table_with`] can name it.
///
/// # Errors
/// As [`read_csv`] or [`read_json_lines`], whichever format is read.
///
/// ```
/// use sameas_normalize::table::{read_table, TableFormat};
/// let json = br#"{"id": "1", "name": "Ann"}"#;
/// assert_eq!(read_table(json, None, None).unwrap().headers, ["id", "name"]);
/// // Told it is CSV, the same bytes are a header of two odd columns.
/// let as_csv = read_table(json, None, Some(TableFormat::Csv)).unwrap();
/// assert_eq!(as_csv.headers.len(), 2);
/// assert!(as_csv.rows.is_empty());
/// ```
pub fn read_table(
    bytes: &[u8],
    encoding: Option<&str>,
    format: Option<TableFormat>,
) -> Result<Table, TableError> {
    read_table_with(
        bytes,
        &TableOptions {
            encoding: encoding.map(str::to_string),
            format,
            delimiter: None,
        },
    )
}

/// Reads a table from raw bytes as `options` say, detecting what they leave out.
///
/// # Errors
/// As [`read_csv`] or [`read_json_lines`], whichever format is read.
///
/// ```
/// use sameas_normalize::table::{read_table_with, TableOptions};
/// let semicolons = b"id;name\n1;Ann\n";
/// let table = read_table_with(semicolons, &TableOptions::default()).unwrap();
/// assert_eq!(table.headers, ["id", "name"]);
/// let options = TableOptions { delimiter: Some(b','), ..TableOptions::default() };
/// assert_eq!(read_table_with(semicolons, &options).unwrap().headers, ["id;name"]);
/// ```
pub fn read_table_with(bytes: &[u8], options: &TableOptions) -> Result<Table, TableError> {
    let bytes = gunzip(bytes)?;
    if is_workbook(&bytes) && options.format != Some(TableFormat::JsonLines) {
        let (records, sheet) = workbook::first_sheet(&bytes)?;
        let mut table = table_from_records(records.into_iter(), "utf-8")?;
        table.sheet = Some(sheet);
        return Ok(table);
    }
    let (text, encoding) = decode_table(&bytes, options.encoding.as_deref())?;
    match options.format.unwrap_or_else(|| TableFormat::detect(&text)) {
        TableFormat::Csv => csv_from_text(&text, encoding, options.delimiter),
        TableFormat::JsonLines => json_lines::from_text(&text, encoding),
    }
}

/// Reads a CSV table from raw bytes, detecting the delimiter. Rows with the wrong number of
/// cells are kept and flagged.
///
/// # Errors
/// Decoding errors from [`decode`], [`TableError::Empty`], [`TableError::NoHeader`],
/// [`TableError::UnterminatedQuote`], and [`TableError::OneColumn`] when the header and the
/// first row each read as one cell of several words.
///
/// ```
/// use sameas_normalize::table::{read_csv, RowProblem};
/// let table = read_csv(b"id,name\n1,Ann\n2\n", None).unwrap();
/// assert_eq!(table.headers, ["id", "name"]);
/// assert_eq!(table.rows[1].problem, Some(RowProblem::Ragged { cells: 1, expected: 2 }));
/// ```
pub fn read_csv(bytes: &[u8], encoding: Option<&str>) -> Result<Table, TableError> {
    read_table(bytes, encoding, Some(TableFormat::Csv))
}

/// How often `delimiter` occurs in `line` outside double quotes.
fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for &b in line.as_bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

/// The delimiter that splits the header and agrees with the most of the next 20 non-blank
/// lines (the same count of cells), then the one that splits the header most; a comma when
/// none splits it.
fn detect_delimiter(text: &str) -> u8 {
    let mut lines = text.split('\n').filter(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return b',';
    };
    let sample: Vec<&str> = lines.take(20).collect();
    let mut best = (b',', 0, 0);
    for delimiter in DELIMITERS {
        let cells = count_outside_quotes(header, delimiter);
        if cells == 0 {
            continue;
        }
        let agree = sample
            .iter()
            .filter(|l| count_outside_quotes(l, delimiter) == cells)
            .count();
        if (agree, cells) > (best.1, best.2) {
            best = (delimiter, agree, cells);
        }
    }
    best.0
}

/// Where the CSV reader's records begin, read as it reads (a quote opens a quoted cell only
/// at the start of a cell, `""` inside one is a quote): the first line break outside quotes
/// at or after every `chunk` bytes splits the text, so that each piece holds whole records
/// and can be parsed on its own. Returns the piece starts (the first is 0), or the byte
/// offset of a quote that opens a cell and is never closed: the reader would put the rest
/// of the file into that cell without a word.
fn record_splits(bytes: &[u8], delimiter: u8, chunk: usize) -> Result<Vec<usize>, usize> {
    let (mut at_start, mut quoted, mut opened) = (true, false, 0);
    let mut splits = vec![0];
    let mut next_split = chunk;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == delimiter || b == b'\n' || b == b'\r' {
            at_start = true;
            if b == b'\n' && i >= next_split && i + 1 < bytes.len() {
                splits.push(i + 1);
                next_split = i + 1 + chunk;
            }
        } else if b == b'"' && at_start {
            (quoted, opened, at_start) = (true, i, false);
        } else {
            at_start = false;
        }
        i += 1;
    }
    if quoted { Err(opened) } else { Ok(splits) }
}

/// One record as the CSV reader gave it, before the header is known.
struct ReadRecord {
    line: u64,
    cells: Vec<String>,
    blank: bool,
}

/// Parses one piece of [`record_splits`]: whole records, the first on line `first_line`.
fn read_records(
    piece: &[u8],
    delimiter: u8,
    first_line: u64,
) -> Result<Vec<ReadRecord>, TableError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(piece);
    let mut records = Vec::new();
    // The CSV reader's own line numbers drift after blank lines, so count from byte offsets.
    let mut counted_to = 0;
    let mut line = first_line;
    for result in reader.records() {
        let record = result.map_err(|err| TableError::Csv {
            line: err.position().map_or(0, |p| p.line() + first_line - 1),
            reason: "malformed CSV".to_string(),
        })?;
        let mut start = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(piece.len());
        while start < piece.len() && matches!(piece[start], b'\r' | b'\n') {
            start += 1;
        }
        line += piece[counted_to..start.max(counted_to)]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        counted_to = counted_to.max(start);
        records.push(ReadRecord {
            line,
            blank: record.iter().all(|c| c.trim().is_empty()),
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(records)
}

/// Whether a table read as one column is a file separated by something else (spaces, `:`):
/// the header holds at least three words and the first row at least as many.
fn holds_whole_lines(header: &str, first: Option<&TableRow>) -> bool {
    let separators = |s: &str| s.trim().matches([' ', ':']).count();
    let words = separators(header);
    words >= 2
        && first.is_some_and(|row| row.cells.len() == 1 && separators(&row.cells[0]) >= words)
}

fn csv_from_text(
    text: &str,
    encoding: &'static str,
    delimiter: Option<u8>,
) -> Result<Table, TableError> {
    csv_in_pieces(text, encoding, delimiter, CHUNK)
}

/// [`csv_from_text`] with pieces of about `chunk` bytes parsed in parallel: the same table
/// whatever the size of the pieces.
fn csv_in_pieces(
    text: &str,
    encoding: &'static str,
    delimiter: Option<u8>,
    chunk: usize,
) -> Result<Table, TableError> {
    use rayon::prelude::*;
    let bytes = text.as_bytes();
    let detected = delimiter.is_none();
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(text));
    let splits =
        record_splits(bytes, delimiter, chunk).map_err(|offset| TableError::UnterminatedQuote {
            line: line_of(bytes, offset) as u64,
        })?;
    // Each piece's first line: one past the line breaks before it.
    let mut first_lines = Vec::with_capacity(splits.len());
    let mut line = 1u64;
    let mut counted_to = 0;
    for &start in &splits {
        line += bytes[counted_to..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        counted_to = start;
        first_lines.push(line);
    }
    let pieces: Vec<Result<Vec<ReadRecord>, TableError>> = splits
        .par_iter()
        .enumerate()
        .map(|(i, &start)| {
            let end = splits.get(i + 1).copied().unwrap_or(bytes.len());
            read_records(&bytes[start..end], delimiter, first_lines[i])
        })
        .collect();
    // The first error in the file's order, as one reader would stop at.
    let pieces = pieces.into_iter().collect::<Result<Vec<_>, _>>()?;
    let table = table_from_records(pieces.into_iter().flatten(), encoding)?;
    if detected
        && table.headers.len() == 1
        && holds_whole_lines(&table.headers[0], table.rows.first())
    {
        return Err(TableError::OneColumn);
    }
    Ok(table)
}

/// The table the records of a CSV file or a worksheet make: the header found past any
/// title ([`header_position`]), or none where the first record is data
/// ([`first_line_is_data`]), repeated headers renamed, blank records left out.
fn table_from_records(
    mut records: impl Iterator<Item = ReadRecord>,
    encoding: &'static str,
) -> Result<Table, TableError> {
    let head: Vec<ReadRecord> = records.by_ref().take(TITLE_LINES_MAX + 1).collect();
    let at = header_position(&head);
    let mut head = head.into_iter().skip(at);
    let header = head.next().ok_or(TableError::NoHeader)?;
    if header.blank {
        return Err(TableError::NoHeader);
    }
    // A file without a header row: its first line is a record, and the columns are named
    // by their places.
    let sample: Vec<ReadRecord> = head.by_ref().take(HEADERLESS_SAMPLE).collect();
    let headerless = first_line_is_data(&header, &sample);
    let (headers, header_line, first): (Vec<String>, u64, _) = if headerless {
        let headers: Vec<String> = (1..=header.cells.len())
            .map(|i| format!("{HEADERLESS_COLUMN}{i}"))
            .collect();
        (headers, 0, Some(header))
    } else {
        let headers: Vec<String> = header.cells.iter().map(|h| h.trim().to_string()).collect();
        (headers, header.line, None)
    };
    let (headers, renamed_headers) = distinct_headers(headers);
    let records = first.into_iter().chain(sample).chain(head).chain(records);
    let rows: Vec<TableRow> = records
        .filter(|r| !(r.blank && r.cells.len() <= 1))
        .enumerate()
        .map(|(i, r)| TableRow {
            number: i as u64 + 1,
            line: r.line,
            problem: (r.cells.len() != headers.len()).then_some(RowProblem::Ragged {
                cells: r.cells.len(),
                expected: headers.len(),
            }),
            cells: r.cells,
        })
        .collect();
    Ok(Table {
        headers,
        rows,
        encoding,
        header_line,
        renamed_headers,
        sheet: None,
    })
}

/// The name of a column of a file without a header row, before its 1-based place:
/// `column_1`, `column_2` …
pub const HEADERLESS_COLUMN: &str = "column_";

/// Records after the first one looked at to tell a header from a record.
const HEADERLESS_SAMPLE: usize = 50;

/// Whether the first record of a CSV file is data, not a header: in the columns whose
/// values below hold numbers (dates, phones, postcodes, ids: four digits or more) or
/// e-mails, the first record holds such a value too where it holds anything, in two or
/// more of them and in nearly all; none of its cells that hold no digit reads as a header
/// the rules know; and those values are not all bare years (a pivot's columns).
/// A header names such columns in words (`phone`, `dob`); a record writes their values.
fn first_line_is_data(first: &ReadRecord, below: &[ReadRecord]) -> bool {
    let value_like = |cell: &str| {
        let cell = cell.trim();
        let digits = cell.chars().filter(char::is_ascii_digit).count();
        digits >= 4 || (cell.contains('@') && cell.contains('.'))
    };
    let rows: Vec<&ReadRecord> = below.iter().filter(|r| !r.blank).collect();
    if rows.len() < 2 {
        return false;
    }
    let (mut valued_columns, mut valued_in_first) = (0, 0);
    for (column, cell) in first.cells.iter().enumerate() {
        if cell.trim().is_empty() {
            continue;
        }
        let filled: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.cells.get(column).map(|c| c.trim()))
            .filter(|c| !c.is_empty())
            .collect();
        let valued = filled.iter().filter(|c| value_like(c)).count();
        if filled.len() * 2 >= rows.len() && valued * 10 >= filled.len() * 9 {
            valued_columns += 1;
            valued_in_first += usize::from(value_like(cell));
        }
    }
    let names_a_known_header = first.cells.iter().any(|cell| {
        !cell.chars().any(|c| c.is_ascii_digit()) && crate::infer::is_exact_header(cell.trim())
    });
    // Years heading the columns of a pivot (`customer,2023,2024`) are a header.
    let only_years = first.cells.iter().filter(|c| value_like(c)).all(|cell| {
        let cell = cell.trim();
        cell.len() == 4 && cell.bytes().all(|b| b.is_ascii_digit())
    });
    valued_in_first >= 2
        && valued_in_first * 5 >= valued_columns * 4
        && !names_a_known_header
        && !only_years
}

/// Lines a title may take above the header.
const TITLE_LINES_MAX: usize = 5;

/// Where the header is among the first records: past a title a spreadsheet's export put
/// above it (`Customer export 2024-06-01,,,,`). When the first records hold at most one
/// filled cell each and the next one fills most of its cells with names (no bare number, no
/// `@`, as a data row has), that one is the header and the lines above it are a title.
/// Otherwise the first record, as always.
fn header_position(head: &[ReadRecord]) -> usize {
    let filled = |r: &ReadRecord| r.cells.iter().filter(|c| !c.trim().is_empty()).count();
    let names_a_header = |r: &ReadRecord| {
        let named = filled(r);
        named >= 2
            && named * 5 >= r.cells.len() * 4
            && !r.cells.iter().any(|c| {
                let c = c.trim();
                let bare_number = !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit());
                c.contains('@') || bare_number
            })
    };
    if head
        .first()
        .is_none_or(|first| first.blank || filled(first) > 1)
    {
        return 0;
    }
    for (at, record) in head.iter().enumerate().skip(1) {
        if names_a_header(record) {
            return at;
        }
        if filled(record) > 1 {
            break;
        }
    }
    0
}

/// Bytes of text parsed by one task of [`PlainCsv::map_rows`]; fixed, so that the work is split the
/// same way whatever the thread count.
const CHUNK: usize = 1 << 20;

/// One line of a CSV text without quotes, its terminator (`\n` or `\r\n`) taken off; `None`
/// for a carriage return anywhere else, which the general reader reads as a line break.
fn plain_line(line: &[u8]) -> Option<&[u8]> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    (!line.contains(&b'\r')).then_some(line)
}

fn lines(chunk: &[u8]) -> impl Iterator<Item = &[u8]> {
    chunk.split(|&b| b == b'\n')
}

/// Whether the general reader skips the line: empty, or one cell of white space.
fn skipped_line(line: &str, delimiter: u8) -> bool {
    line.trim().is_empty() && !line.as_bytes().contains(&delimiter)
}

/// A CSV file's text and header, for reading its rows in parallel with
/// [`PlainCsv::map_rows`] instead of building a [`Table`].
#[derive(Debug, Clone)]
pub struct PlainCsv<'a> {
    text: Cow<'a, str>,
    delimiter: u8,
    body: usize,
    /// The header cells, trimmed.
    pub headers: Vec<String>,
}

impl<'a> PlainCsv<'a> {
    /// Decodes `bytes` as [`read_table_with`] does and reads the header. `Ok(None)` means the
    /// file needs the general reader: a spreadsheet workbook, JSON lines, a blank header, a
    /// header of one cell, or a double quote or stray carriage return in the header.
    ///
    /// # Errors
    /// As [`read_table_with`], for a file that cannot be decompressed or decoded.
    pub fn new(bytes: &'a [u8], options: &TableOptions) -> Result<Option<Self>, TableError> {
        let bytes_read = gunzip(bytes)?;
        if is_workbook(&bytes_read) {
            return Ok(None);
        }
        let text: Cow<'a, str> = match bytes_read {
            Cow::Borrowed(bytes) => decode_table(bytes, options.encoding.as_deref())?.0,
            Cow::Owned(bytes) => Cow::Owned(
                decode_table(&bytes, options.encoding.as_deref())?
                    .0
                    .into_owned(),
            ),
        };
        if options.format.unwrap_or_else(|| TableFormat::detect(&text)) != TableFormat::Csv {
            return Ok(None);
        }
        let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(&text));
        let all = text.as_bytes();
        // The header: the first line that is not empty.
        let mut at = 0;
        let header = loop {
            if at >= all.len() {
                return Ok(None);
            }
            let end = all[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(all.len(), |i| at + i);
            let line = &all[at..end];
            at = (end + 1).min(all.len());
            match plain_line(line) {
                None => return Ok(None),
                Some([]) => continue,
                Some(line) => break line,
            }
        };
        if header.contains(&b'"') {
            return Ok(None);
        }
        let header = std::str::from_utf8(header).expect("text splits at ASCII bytes");
        let headers: Vec<String> = header
            .split(char::from(delimiter))
            .map(|h| h.trim().to_string())
            .collect();
        if headers.len() < 2 || headers.iter().all(String::is_empty) {
            return Ok(None);
        }
        Ok(Some(PlainCsv {
            text,
            delimiter,
            body: at,
            headers,
        }))
    }

    /// The data rows, each handed to `f` with its 1-based row number and its cells, exactly
    /// as [`read_table_with`] numbers and splits them (cells untrimmed, blank lines skipped,
    /// ragged rows as they are), parsed in parallel in fixed chunks of lines: the results
    /// come back in row order, the same for any thread count. `None` when a row needs the
    /// general reader: a double quote anywhere (a quoted cell may hold a line break), or a
    /// carriage return not ending a line.
    ///
    /// ```
    /// use sameas_normalize::table::{PlainCsv, TableOptions};
    /// let bytes = b"id,amount\n1,10\n\n2,5.5\n";
    /// let csv = PlainCsv::new(bytes, &TableOptions::default()).unwrap().unwrap();
    /// assert_eq!(csv.headers, ["id", "amount"]);
    /// let rows = csv.map_rows(|row, cells| (row, cells[1].parse::<f64>().unwrap()));
    /// assert_eq!(rows.unwrap(), [(1, 10.0), (2, 5.5)]);
    /// ```
    pub fn map_rows<T: Send>(&self, f: impl Fn(u64, &[&str]) -> T + Sync) -> Option<Vec<T>> {
        let chunks = self.fold_rows(Vec::with_capacity, |out, row, cells| {
            out.push(f(row, cells))
        })?;
        // One allocation of the final size: growing a vector of millions of rows by
        // doubling copies it and touches fresh memory several times over.
        let mut rows = Vec::with_capacity(chunks.iter().map(Vec::len).sum());
        for chunk in chunks {
            rows.extend(chunk);
        }
        Some(rows)
    }

    /// The data rows as [`PlainCsv::map_rows`] reads them, folded per chunk of lines: each
    /// chunk starts from `init(rows in the chunk)` (room can be reserved up front) and hands
    /// every row to `f` in row order; the chunks' results come back in row order, split the
    /// same way for any thread count. For a caller that sorts rows into several outputs
    /// without a vector of every row in between.
    ///
    /// ```
    /// use sameas_normalize::table::{PlainCsv, TableOptions};
    /// let bytes = b"id,amount\n1,10\n2,x\n3,5.5\n";
    /// let csv = PlainCsv::new(bytes, &TableOptions::default()).unwrap().unwrap();
    /// let chunks = csv
    ///     .fold_rows(|rows| (Vec::with_capacity(rows), Vec::new()), |(ok, bad), row, cells| {
    ///         match cells[1].parse::<f64>() {
    ///             Ok(v) => ok.push(v),
    ///             Err(_) => bad.push(row),
    ///         }
    ///     })
    ///     .unwrap();
    /// assert_eq!(chunks, [(vec![10.0, 5.5], vec![2u64])]);
    /// ```
    pub fn fold_rows<A: Send>(
        &self,
        init: impl Fn(usize) -> A + Sync,
        f: impl Fn(&mut A, u64, &[&str]) + Sync,
    ) -> Option<Vec<A>> {
        use rayon::prelude::*;

        let delimiter = self.delimiter;
        let body = &self.text.as_bytes()[self.body..];
        let mut chunks = Vec::new();
        let mut start = 0;
        while start < body.len() {
            let mut end = (start + CHUNK).min(body.len());
            while end < body.len() && body[end - 1] != b'\n' {
                end += 1;
            }
            chunks.push(&body[start..end]);
            start = end;
        }
        // Rows per chunk, or `None` where the general reader is needed.
        let counts: Vec<u64> = chunks
            .par_iter()
            .map(|chunk| {
                let mut n = 0;
                for line in lines(chunk) {
                    if line.contains(&b'"') {
                        return None;
                    }
                    let line = plain_line(line)?;
                    let line = std::str::from_utf8(line).expect("text splits at ASCII bytes");
                    if !skipped_line(line, delimiter) {
                        n += 1;
                    }
                }
                Some(n)
            })
            .collect::<Option<_>>()?;
        let firsts: Vec<u64> = counts
            .iter()
            .scan(1, |next, n| {
                let first = *next;
                *next += n;
                Some(first)
            })
            .collect();
        Some(
            chunks
                .par_iter()
                .zip(firsts.par_iter().zip(&counts))
                .map(|(chunk, (&first, &rows))| {
                    let mut out = init(rows as usize);
                    let mut cells: Vec<&str> = Vec::with_capacity(self.headers.len());
                    let mut number = first;
                    for line in lines(chunk) {
                        let line = plain_line(line).expect("checked above");
                        let line = std::str::from_utf8(line).expect("text splits at ASCII bytes");
                        if skipped_line(line, delimiter) {
                            continue;
                        }
                        cells.clear();
                        cells.extend(line.split(char::from(delimiter)));
                        f(&mut out, number, &cells);
                        number += 1;
                    }
                    out
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows as [`PlainCsv`] reads them, next to the general reader's.
    type Rows = Vec<(u64, Vec<String>)>;

    fn both_ways(bytes: &[u8]) -> Option<(Rows, Rows)> {
        let options = TableOptions::default();
        let table = read_table_with(bytes, &options).unwrap();
        let csv = PlainCsv::new(bytes, &options).unwrap()?;
        let fast =
            csv.map_rows(|n, cells| (n, cells.iter().map(|c| c.to_string()).collect::<Vec<_>>()))?;
        assert_eq!(csv.headers, table.headers);
        let general = table
            .rows
            .into_iter()
            .map(|r| (r.number, r.cells))
            .collect();
        Some((fast, general))
    }

    #[test]
    fn parallel_rows_read_as_the_general_reader_reads_them() {
        for text in [
            "id,amount\n1,10\n2,20",
            "\n\n id , amount \r\n1,10\r\n\r\n   \n,\n2, 5 ,x\n3\n\t\n4,\u{3000}\n",
            "id;name;note\n1;张伟;\n2;;\n",
            "id\tname\n1\tA B\n",
        ] {
            let (fast, general) = both_ways(text.as_bytes()).expect(text);
            assert_eq!(fast, general, "{text:?}");
        }
        // Many chunks: row numbers run on across them.
        let mut big = String::from("id,value\n");
        for i in 0..200_000 {
            big.push_str(&format!("{i},{}\n", i % 7));
            if i % 1000 == 0 {
                big.push('\n');
            }
        }
        let (fast, general) = both_ways(big.as_bytes()).unwrap();
        assert_eq!(fast.len(), 200_000);
        assert_eq!(fast, general);
        // What only the general reader reads.
        for text in [
            "id,name\n1,\"A, B\"\n",
            "id,name\r1,A\r",
            "id\n1\n",
            "{\"id\": 1}\n",
        ] {
            assert!(both_ways(text.as_bytes()).is_none(), "{text:?}");
        }
    }

    #[test]
    fn utf8_with_and_without_bom_and_gbk_read_the_same() {
        let utf8 = "id,姓名\n1,张伟\n".as_bytes().to_vec();
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(&utf8);
        let (gbk, _, _) = encoding_rs::GBK.encode("id,姓名\n1,张伟\n");
        for (bytes, encoding) in [
            (&utf8[..], "UTF-8"),
            (&bom[..], "UTF-8"),
            (&gbk[..], "gb18030"),
        ] {
            let table = read_csv(bytes, None).unwrap();
            assert_eq!(table.headers, ["id", "姓名"]);
            assert_eq!(table.rows[0].cells, ["1", "张伟"]);
            assert_eq!(table.encoding, encoding);
        }
        let named = read_csv(&gbk, Some("gbk")).unwrap();
        assert_eq!(named.rows[0].cells[1], "张伟");
    }

    #[test]
    fn utf16_with_bom_reads() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "id,name\n1,Ann\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let table = read_csv(&bytes, None).unwrap();
        assert_eq!(table.rows[0].cells, ["1", "Ann"]);
        assert_eq!(table.encoding, "UTF-16LE");
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|unit| {
                if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn utf16_without_bom_is_told_by_its_zero_bytes() {
        let text = "id,姓名,phone\n1,张伟,13800138000\n";
        for (big_endian, encoding) in [(false, "UTF-16LE"), (true, "UTF-16BE")] {
            let table = read_csv(&utf16(text, big_endian), None).unwrap();
            assert_eq!(table.headers, ["id", "姓名", "phone"]);
            assert_eq!(table.rows[0].cells, ["1", "张伟", "13800138000"]);
            assert_eq!(table.encoding, encoding);
        }
        // A few zero bytes in a binary tail are no UTF-16.
        assert!(matches!(
            read_csv(b"id\n\x00\x01\x02", None),
            Err(TableError::NotText { .. })
        ));
    }

    #[test]
    fn utf8_with_a_broken_byte_is_not_read_as_gb18030() {
        // Read as GB18030 these bytes would decode, as nonsense.
        let mut bytes = "id,name\n1,张伟\n2,王芳\n3,李娜\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"4,\x80\n");
        let err = read_csv(&bytes, None).unwrap_err();
        assert!(
            matches!(err, TableError::Undecodable { line: 5, ref tried, .. } if tried == "UTF-8"),
            "{err:?}"
        );
        // GBK text stays GBK.
        let (gbk, _, _) = encoding_rs::GBK.encode("id,name\n1,张伟\n2,王芳\n3,李娜\n");
        assert_eq!(read_csv(&gbk, None).unwrap().encoding, "gb18030");
    }

    #[test]
    fn the_delimiter_is_detected_or_named() {
        for (text, delimiter) in [
            ("id;name;phone\n1;\"Lee, Ann\";138\n2;Bob;139\n", ';'),
            ("id\tname\tphone\n1\tAnn\t138\n", '\t'),
            ("id|name|phone\n1|Ann|138\n", '|'),
            ("id,name,phone\n1,\"a;b|c\",138\n", ','),
            // Cells with commas in a semicolon file: the count per line decides.
            ("id;name\n1;Lee, Ann\n2;Ng, Bo\n", ';'),
        ] {
            let table = read_csv(text.as_bytes(), None).unwrap();
            assert_eq!(
                table.headers.len(),
                text.lines().next().unwrap().split(delimiter).count(),
                "{text:?}"
            );
            assert!(table.rows.iter().all(|r| r.problem.is_none()), "{text:?}");
        }
        let options = TableOptions {
            delimiter: Some(b'|'),
            ..TableOptions::default()
        };
        let table = read_table_with(b"id,name|x\n1,Ann|y\n", &options).unwrap();
        assert_eq!(table.headers, ["id,name", "x"]);
        assert_eq!(parse_delimiter("\\t"), Ok(b'\t'));
        assert_eq!(parse_delimiter("pipe"), Ok(b'|'));
        for bad in ["", "a", "\"", ";;", "7"] {
            assert!(
                matches!(
                    parse_delimiter(bad),
                    Err(TableError::UnknownDelimiter { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_file_read_as_one_column_names_the_delimiter_option() {
        let err = read_csv(b"id name phone\n1 Ann 13800138000\n", None).unwrap_err();
        assert_eq!(err, TableError::OneColumn);
        assert!(err.to_string().contains("--delimiter"));
        // One real column of names with spaces reads.
        let table = read_csv(b"customer name\nAnn Lee\n", None).unwrap();
        assert_eq!(table.headers, ["customer name"]);
    }

    /// The examples' customers as a spreadsheet keeps them (`make_customers_xlsx.py`): a
    /// title above the header, phones typed as numbers, dates as dates, a second sheet.
    #[test]
    fn a_workbook_reads_as_its_csv_export() {
        let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data/");
        let xlsx = std::fs::read(format!("{examples}customers.xlsx")).unwrap();
        let csv = std::fs::read(format!("{examples}customers.csv")).unwrap();
        let (book, text) = (
            read_table(&xlsx, None, None).unwrap(),
            read_csv(&csv, None).unwrap(),
        );
        assert_eq!(book.headers, text.headers);
        assert_eq!(book.header_line, 3, "below a title and a blank row");
        assert_eq!(
            book.sheet,
            Some(SheetRead {
                name: "Customers".into(),
                others_with_cells: 1
            })
        );
        assert_eq!(book.rows.len(), text.rows.len());
        for (b, t) in book.rows.iter().zip(&text.rows) {
            assert_eq!((b.number, b.line), (t.number, t.line + 2));
            assert_eq!(b.cells, t.cells, "row {}", t.number);
        }
        // The orders' fast path leaves a workbook to the general reader.
        assert!(
            PlainCsv::new(&xlsx, &TableOptions::default())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn an_archive_that_is_no_workbook_is_named_as_one() {
        let xlsx = b"PK\x03\x04\x14\x00\x06\x00rest of the archive";
        let xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        for bytes in [&xlsx[..], &xls[..]] {
            let err = read_table(bytes, None, None).unwrap_err();
            assert!(matches!(err, TableError::Workbook { .. }), "{err:?}");
            assert!(err.to_string().contains("save the sheet as CSV"), "{err}");
        }
    }

    #[test]
    fn a_title_above_the_header_is_skipped() {
        // A spreadsheet's export: a title padded with delimiters, a blank line, the header.
        let table = read_csv(
            b"Customer export 2024-06-01,,\n,,\nid,name,phone\n1,Ann,13800138000\n",
            None,
        )
        .unwrap();
        assert_eq!(table.headers, ["id", "name", "phone"]);
        assert_eq!(table.header_line, 3);
        assert_eq!(
            (table.rows.len(), table.rows[0].number, table.rows[0].line),
            (1, 1, 4)
        );
        // A header with one named column stays the header: the row below holds data.
        let table = read_csv(b"id,,\n1,Ann,13800138000\n", None).unwrap();
        assert_eq!((table.headers[0].as_str(), table.header_line), ("id", 1));
        assert_eq!(table.rows.len(), 1);
        // A one-column file is read as it is.
        let table = read_csv(b"name\nAnn\nBo\n", None).unwrap();
        assert_eq!((table.header_line, table.rows.len()), (1, 2));
        // Title lines with nothing like a header below them: the first line is the header.
        let table = read_csv(b"title,\nnote,\n1,x\n2,y\n", None).unwrap();
        assert_eq!((table.headers[0].as_str(), table.rows.len()), ("title", 3));
    }

    #[test]
    fn pieces_parsed_apart_give_the_table_read_whole() {
        let text = "id,name,note\r\n1,Ann,\"two\nlines\"\r\n\r\n2,Bob\n   \n3,\"Chen, Li\",\"a \"\"quoted\"\" word\"\n\n4,Dee,x,extra\n5,\"\n\",end\n";
        let whole = csv_in_pieces(text, "utf-8", None, usize::MAX).unwrap();
        assert_eq!(whole.rows.len(), 5);
        assert_eq!(whole.rows[2].cells[1], "Chen, Li");
        assert_eq!(whole.rows[2].line, 7);
        assert_eq!(whole.rows[4].line, 10);
        for chunk in 1..text.len() {
            let pieces = csv_in_pieces(text, "utf-8", None, chunk).unwrap();
            assert_eq!(pieces.headers, whole.headers, "chunk {chunk}");
            assert_eq!(pieces.rows, whole.rows, "chunk {chunk}");
        }
        let broken = "id,name\n1,Ann\n2,\"Bob\n3,Cy\n";
        for chunk in [1, 4, usize::MAX] {
            assert!(matches!(
                csv_in_pieces(broken, "utf-8", None, chunk),
                Err(TableError::UnterminatedQuote { line: 3 })
            ));
        }
    }

    #[test]
    fn an_unterminated_quote_is_an_error_at_its_line() {
        let err = read_csv(b"id,name\n1,Ann\n2,\"Bob\n3,Cy\n4,Di\n", None).unwrap_err();
        assert_eq!(err, TableError::UnterminatedQuote { line: 3 });
        assert!(!err.to_string().contains("Bob"));
        // Closed quotes, doubled quotes and quotes inside a cell are fine.
        let table = read_csv(b"id,name\n1,\"A \"\"B\"\" \nC\"\n2,x\"y\n", None).unwrap();
        assert_eq!(table.rows[0].cells[1], "A \"B\" \nC");
        assert_eq!(table.rows[1].cells[1], "x\"y");
    }

    #[test]
    fn latin1_is_told_from_gbk_by_its_lone_bytes() {
        // 张伟 and 王芳 in GBK, between ASCII: runs of four bytes.
        let gbk = b"id,name\n1,\xd5\xc5\xce\xb0\n2,\xcd\xf5\xb7\xbc\n";
        assert_eq!(decode(gbk, None).unwrap().1, "gb18030");
        // José García, Renée Müller in Latin-1, and Windows-1252's quote mark.
        let latin = b"id,name\n1,Jos\xe9 Garc\xeda\n2,Ren\xe9e M\xfcller\n3,O\x92Brien\n";
        let (text, encoding) = decode(latin, None).unwrap();
        assert_eq!(encoding, "windows-1252");
        assert!(
            text.contains("José García") && text.contains("Müller") && text.contains("O’Brien")
        );
        // One run of two among single bytes is still Latin-1 (`ÅÄ`); half and half is not.
        assert!(single_bytes_between_ascii(
            b"a\xe9b\xe9c\xe9d\xe9e\xe9f\xe9g\xe9h\xe9i\xe9j\xc5\xc4k"
        ));
        assert!(!single_bytes_between_ascii(b"a\xe9b\xd5\xc5c"));
    }

    #[test]
    fn bad_files_fail_with_position() {
        assert_eq!(read_csv(b"", None), Err(TableError::Empty));
        assert_eq!(read_csv(b" \n\n", None), Err(TableError::Empty));
        assert_eq!(read_csv(b"\n\n,,\n1,2\n", None), Err(TableError::NoHeader));
        assert!(matches!(
            read_csv(b"id\n\x00\x01\x02", None),
            Err(TableError::NotText { offset: 3, line: 2 })
        ));
        // 0xff 0xff is neither UTF-8 nor GB18030.
        let err = read_csv(b"id,name\n1,\xff\xff\n", None).unwrap_err();
        assert!(
            matches!(err, TableError::Undecodable { line: 2, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("--encoding"));
        let named = read_csv("id\n张".as_bytes(), Some("ascii-ish")).unwrap_err();
        assert!(matches!(named, TableError::UnknownEncoding { .. }));
        let wrong = read_csv(b"id\n\xd5\xc5", Some("utf-8")).unwrap_err();
        assert!(
            matches!(
                wrong,
                TableError::Undecodable {
                    offset: 3,
                    line: 2,
                    ..
                }
            ),
            "{wrong:?}"
        );
    }

    #[test]
    fn rows_keep_numbers_lines_and_problems() {
        let table = read_csv(
            b"id,name,phone\n1,Ann,1\n\n2,\"multi\nline\",2\n3,x\n4,a,b,c\n",
            None,
        )
        .unwrap();
        let summary: Vec<(u64, u64, Option<RowProblem>)> = table
            .rows
            .iter()
            .map(|r| (r.number, r.line, r.problem))
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, 2, None),
                (2, 4, None),
                (
                    3,
                    6,
                    Some(RowProblem::Ragged {
                        cells: 2,
                        expected: 3
                    })
                ),
                (
                    4,
                    7,
                    Some(RowProblem::Ragged {
                        cells: 4,
                        expected: 3
                    })
                ),
            ]
        );
        assert_eq!(table.rows[1].cells[1], "multi\nline");
    }

    #[test]
    fn format_comes_from_the_extension() {
        for (path, format) in [
            ("crm.jsonl", Some(TableFormat::JsonLines)),
            ("dir.v2/crm.NDJSON", Some(TableFormat::JsonLines)),
            ("crm.json", Some(TableFormat::JsonLines)),
            ("crm.Csv", Some(TableFormat::Csv)),
            ("crm.txt", Some(TableFormat::Csv)),
            ("crm.tsv", None),
            ("crm", None),
            (".jsonl", None),
        ] {
            assert_eq!(TableFormat::from_path(Path::new(path)), format, "{path}");
        }
    }

    #[test]
    fn read_table_detects_json_lines_after_bom_and_white_space() {
        let expected = read_csv(b"id,name\n1,Ann\n", None).unwrap();
        let json = "\u{feff}\n  \t{\"id\": 1, \"name\": \"Ann\"}\n";
        let mut utf16 = vec![0xff, 0xfe];
        for unit in json.trim_start_matches('\u{feff}').encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        for bytes in [json.as_bytes(), &utf16] {
            let table = read_table(bytes, None, None).unwrap();
            assert_eq!(
                (&table.headers, &table.rows[0].cells),
                (&expected.headers, &expected.rows[0].cells)
            );
            assert_eq!(table.rows[0].line, 2);
        }
        assert_eq!(
            read_table(b"id,name\n1,Ann\n", None, None).unwrap(),
            expected
        );
        // A named format is not second-guessed.
        assert_eq!(
            read_table(b"id,name\n", None, Some(TableFormat::JsonLines)),
            Err(TableError::NoKeys)
        );
        let forced = read_table(b"{\"id\": 1}\n", None, Some(TableFormat::Csv)).unwrap();
        assert_eq!(forced.headers, ["{\"id\": 1}"]);
    }

    #[test]
    fn gzip_files_read_as_their_content() {
        use std::io::Write;
        let plain = "id,name\n1,Ann\n2,Bo\n";
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(plain.as_bytes()).unwrap();
        let gz = encoder.finish().unwrap();
        assert!(is_gzip(&gz) && !is_gzip(plain.as_bytes()));
        assert_eq!(
            read_table(&gz, None, TableFormat::from_path("a.csv.gz".as_ref())).unwrap(),
            read_table(plain.as_bytes(), None, None).unwrap()
        );
        // A broken stream is an error that quotes nothing of the file.
        let err = read_table(&gz[..gz.len() / 2], None, None).unwrap_err();
        assert!(matches!(err, TableError::Compressed { .. }), "{err}");
        assert!(!err.to_string().contains("Ann"));
    }

    #[test]
    fn read_table_refuses_what_is_no_table() {
        assert_eq!(read_table(b" \n", None, None), Err(TableError::Empty));
        for format in [None, Some(TableFormat::Csv), Some(TableFormat::JsonLines)] {
            assert!(matches!(
                read_table(b"{\"id\": 1}\x00\x89PNG", None, format),
                Err(TableError::NotText { offset: 9, line: 1 })
            ));
        }
    }

    #[test]
    fn repeated_headers_are_renamed() {
        let csv = "id,phone,Phone,phone_2,,\n1,a,b,c,d,e\n";
        let table = read_csv(csv.as_bytes(), None).unwrap();
        assert_eq!(table.headers, ["id", "phone", "Phone_3", "phone_2", "", ""]);
        assert_eq!(table.renamed_headers, [(2, 1)]);
    }

    #[test]
    fn a_first_line_of_data_is_read_as_data() {
        let csv = "rec-1-org,mitchell,green,19560409,1804974\n\
                   rec-2-org,ann,lee,19700101,2804975\n\
                   rec-3-dup-0,mitchel,green,19560409,1804974\n";
        let table = read_csv(csv.as_bytes(), None).unwrap();
        assert_eq!(table.header_line, 0);
        assert_eq!(
            table.headers,
            ["column_1", "column_2", "column_3", "column_4", "column_5"]
        );
        assert_eq!(table.rows.len(), 3, "every line is a record");
        assert_eq!(table.rows[0].cells[0], "rec-1-org");
        assert_eq!((table.rows[0].number, table.rows[0].line), (1, 1));
        assert_eq!((table.rows[2].number, table.rows[2].line), (3, 3));
    }

    #[test]
    fn a_header_stays_a_header_with_numbers_in_it() {
        // Named columns: `phone` is a header the rules know.
        let named = "phone,sales_2023,sales_2024\n13800138000,12000,13000\n13900139000,9000,9500\n";
        let table = read_csv(named.as_bytes(), None).unwrap();
        assert_eq!((table.header_line, table.rows.len()), (1, 2));
        // Years heading a pivot's columns.
        let pivot = "customer,2023,2024\nAnn,12000,13000\nBob,9000,9500\nCy,7000,1200\n";
        let table = read_csv(pivot.as_bytes(), None).unwrap();
        assert_eq!((table.header_line, table.rows.len()), (1, 3));
        // One value-like cell is not enough to call the first line data.
        let one = "code_1234,name\n5678,Ann\n9012,Bob\n";
        assert_eq!(read_csv(one.as_bytes(), None).unwrap().header_line, 1);
        // Nor is a header over a single row.
        let short = "1,张伟,13912345678,深圳\n2,王芳,13900001111,北京\n";
        assert_eq!(read_csv(short.as_bytes(), None).unwrap().header_line, 1);
    }
}
