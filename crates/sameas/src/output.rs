//! Writing a resolution as files: `entities.csv`, `golden.csv`, `conflicts.jsonl`,
//! `events.jsonl`, `review.csv`, `config.json` and `report.json`. Every CSV cell goes through
//! [`escape_formula`], so no cell runs as a formula when the file is opened in a spreadsheet;
//! the readers here take the quote off again.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use sameas_core::spreadsheet::{escape_formula, unescape_formula};
use serde::Serialize;

use crate::{Error, Resolution, ResolverConfig};

/// The files [`write_resolution`] writes, in order.
pub const OUTPUT_FILES: [&str; 7] = [
    "entities.csv",
    "golden.csv",
    "conflicts.jsonl",
    "events.jsonl",
    "review.csv",
    "config.json",
    "report.json",
];

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn csv_error(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |err| Error::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(err.to_string()),
    }
}

/// Writes one CSV row, each cell made inert for spreadsheets ([`escape_formula`]).
///
/// # Errors
/// The writer's error.
pub fn write_csv_row<W: Write, S: AsRef<str>>(
    writer: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> Result<(), csv::Error> {
    for cell in cells {
        writer.write_field(escape_formula(cell.as_ref()).as_bytes())?;
    }
    writer.write_record(None::<&[u8]>)
}

/// One CSV cell of a [`write_csv_rows`] row: a value written through a reused buffer, made
/// inert for spreadsheets like [`write_csv_row`]'s cells.
pub(crate) struct Cells<'a> {
    writer: &'a mut csv::Writer<Vec<u8>>,
    buffer: String,
}

impl Cells<'_> {
    /// A text cell.
    pub(crate) fn text(&mut self, cell: &str) -> Result<(), csv::Error> {
        self.writer.write_field(escape_formula(cell).as_bytes())
    }

    /// A cell of anything displayed, without an allocation per cell.
    pub(crate) fn show(&mut self, value: impl std::fmt::Display) -> Result<(), csv::Error> {
        use std::fmt::Write as _;
        self.buffer.clear();
        write!(self.buffer, "{value}").expect("writing to a String");
        self.writer
            .write_field(escape_formula(&self.buffer).as_bytes())
    }

    /// A number cell, written as `{}` writes it (shortest digits that read back the same, no
    /// exponent), from Ryū's digits: several times faster than the formatter.
    pub(crate) fn float(&mut self, value: f64) -> Result<(), csv::Error> {
        self.buffer.clear();
        display_f64(value, &mut self.buffer);
        if value.is_finite() {
            // Digits, `.` and a leading `-`: never a formula.
            self.writer.write_field(self.buffer.as_bytes())
        } else {
            self.writer
                .write_field(escape_formula(&self.buffer).as_bytes())
        }
    }

    /// A number cell, empty when there is none.
    pub(crate) fn maybe_float(&mut self, value: Option<f64>) -> Result<(), csv::Error> {
        match value {
            Some(v) => self.float(v),
            None => self.text(""),
        }
    }

    /// A cell of an optional value, empty when there is none.
    pub(crate) fn maybe(
        &mut self,
        value: Option<impl std::fmt::Display>,
    ) -> Result<(), csv::Error> {
        match value {
            Some(v) => self.show(v),
            None => self.text(""),
        }
    }
}

/// Whether the exact decimal value of `v` (finite, above 0) is short enough (at most 18
/// significant digits, with some margin) to sit halfway between two shortest candidates,
/// where Ryū rounds to even and the formatter rounds up. Values computed from data carry
/// about 50 exact digits and never do; short dyadic ones (2⁻¹⁷ steps, large halves) may.
fn may_tie(v: f64) -> bool {
    let bits = v.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mantissa, e) = if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), exponent - 1075)
    };
    // v = odd × 2^e, with -e exact decimal fractional digits when e < 0.
    let e = e + mantissa.trailing_zeros() as i32;
    if e >= 0 {
        // An integer: below 2⁵³ its digits are its shortest form.
        return v >= (1u64 << 53) as f64;
    }
    let fractional = -e;
    if v >= 1.0 {
        // Integer digits, at most ⌊log₁₀ 2 · ⌊log₂ v⌋⌋ + 1 (one more for margin).
        let digits = (exponent - 1023) * 30_103 / 100_000 + 2;
        fractional + digits <= 19
    } else {
        fractional <= 26
    }
}

/// Appends `value` as `format!("{value}")` writes it: the shortest digits that read back as
/// the same number (Ryū's, the same digits the formatter finds), laid out without an exponent.
pub(crate) fn display_f64(value: f64, out: &mut String) {
    if !value.is_finite() || value == 0.0 || may_tie(value.abs()) {
        use std::fmt::Write as _;
        write!(out, "{value}").expect("writing to a String");
        return;
    }
    if value < 0.0 {
        out.push('-');
    }
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(value.abs());
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().expect("Ryū writes an integer exponent")),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // The value is 0.DIGITS × 10^point.
    let mut point = whole.len() as i32 + exponent;
    let all = whole.bytes().chain(fraction.bytes());
    // At most 17 significant digits: on the stack, no allocation per cell.
    let mut buffer = [0u8; 32];
    let mut len = 0;
    for b in all {
        if len == 0 && b == b'0' {
            point -= 1;
        } else {
            buffer[len] = b;
            len += 1;
        }
    }
    while len > 0 && buffer[len - 1] == b'0' {
        len -= 1;
    }
    let digits = std::str::from_utf8(&buffer[..len]).expect("ASCII digits");
    let n = digits.len() as i32;
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(digits);
    } else if point >= n {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', (point - n) as usize));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
}

/// Writes `header` and a row per item to `path`, the same bytes as [`write_csv_row`] row by
/// row: rows are formatted in parallel, in blocks, and written in item order.
///
/// # Errors
/// [`Error::Io`] naming the file.
pub(crate) fn write_csv_rows<T: Sync>(
    path: &Path,
    header: &[&str],
    items: &[T],
    row: impl Fn(&T, &mut Cells) -> Result<(), csv::Error> + Sync,
) -> Result<(), Error> {
    let mut out = create(path)?;
    write_csv_header(&mut out, path, header)?;
    write_csv_items(&mut out, path, items, row)?;
    out.flush().map_err(io_error(path))
}

/// Writes a CSV header line to `out` (the file at `path`).
fn write_csv_header<S: AsRef<str>>(
    out: &mut impl Write,
    path: &Path,
    header: &[S],
) -> Result<(), Error> {
    let mut head = csv::Writer::from_writer(Vec::new());
    write_csv_row(&mut head, header.iter().map(AsRef::as_ref)).map_err(csv_error(path))?;
    out.write_all(
        &head
            .into_inner()
            .map_err(|e| csv_error(path)(e.into_error().into()))?,
    )
    .map_err(io_error(path))
}

/// Appends a row per item to `out` (the file at `path`), formatted as [`write_csv_rows`]
/// does.
fn write_csv_items<T: Sync>(
    out: &mut impl Write,
    path: &Path,
    items: &[T],
    row: impl Fn(&T, &mut Cells) -> Result<(), csv::Error> + Sync,
) -> Result<(), Error> {
    write_in_blocks(
        out,
        path,
        items,
        |block| {
            let mut writer = csv::Writer::from_writer(Vec::with_capacity(block.len() * 64));
            let mut cells = Cells {
                writer: &mut writer,
                buffer: String::new(),
            };
            for item in block {
                row(item, &mut cells)?;
                cells.writer.write_record(None::<&[u8]>)?;
            }
            writer.into_inner().map_err(|e| e.into_error().into())
        },
        csv_error(path),
    )
}

/// Items per block that one task formats.
const BLOCK: usize = 8192;

/// Writes `items` to `out` in item order, each block of [`BLOCK`] items formatted by
/// `format` in parallel, four blocks per thread held at a time (at least eight): enough
/// to keep every core busy, few enough that a file's text is never held whole.
fn write_in_blocks<T: Sync, E: Send>(
    out: &mut impl Write,
    path: &Path,
    items: &[T],
    format: impl Fn(&[T]) -> Result<Vec<u8>, E> + Sync,
    error: impl Fn(E) -> Error,
) -> Result<(), Error> {
    use rayon::prelude::*;
    let blocks_at_once = (rayon::current_num_threads() * 4).max(8);
    for group in items.chunks(BLOCK * blocks_at_once) {
        let blocks: Vec<Vec<u8>> = group
            .par_chunks(BLOCK)
            .map(&format)
            .collect::<Result<_, E>>()
            .map_err(&error)?;
        for block in blocks {
            out.write_all(&block).map_err(io_error(path))?;
        }
    }
    Ok(())
}

fn create(path: &Path) -> Result<BufWriter<File>, Error> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(path).map_err(io_error(path))?,
    ))
}

/// Whether a directory entry is one sameas writes: an output file, or a leftover of a
/// write (staging, a probe).
fn is_ours(name: &str) -> bool {
    OUTPUT_FILES.contains(&name) || name.starts_with(".sameas-")
}

/// Checks that `dir` can take a result: missing, or holding only files sameas writes. A
/// result replaces the whole directory, so anything else there would be lost.
///
/// # Errors
/// [`Error::Input`] naming (up to three of) the files sameas did not write; [`Error::Io`]
/// for a directory that cannot be listed.
pub fn check_output_dir(dir: &Path) -> Result<(), Error> {
    if !dir.is_dir() {
        return Ok(());
    }
    let mut foreign = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let name = entry.map_err(io_error(dir))?.file_name();
        let name = name.to_string_lossy();
        if !is_ours(&name) {
            foreign.push(name.into_owned());
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let more = if foreign.len() > 3 {
        format!(" and {} more", foreign.len() - 3)
    } else {
        String::new()
    };
    foreign.truncate(3);
    Err(Error::Input(format!(
        "{}: holds files sameas did not write ({}{more}); a result replaces the whole \
         directory, so name a new or empty directory, or one an earlier run wrote",
        dir.display(),
        foreign.join(", ")
    )))
}

/// Writes `resolution` and `config` as the directory `dir`. `report` is the report to write
/// (the resolution's, perhaps with an evaluation added by the caller).
///
/// The files are written into a fresh hidden sibling directory and flushed to disk; only
/// then does that directory take `dir`'s place: on Linux by exchanging the two in one
/// atomic rename (`renameat2` with `RENAME_EXCHANGE`), elsewhere by moving the old one
/// aside first. A run that fails or is killed leaves either the previous result or the new
/// one, whole, never a mix; a run after a crash between the two moves puts the old result
/// back (or removes it, when the new one is in place) before writing.
///
/// # Errors
/// [`Error::Input`] when `dir` holds files sameas did not write ([`check_output_dir`]);
/// [`Error::Io`] naming the file that could not be written.
pub fn write_resolution(
    dir: &Path,
    resolution: &Resolution,
    config: &ResolverConfig,
    report: &impl Serialize,
) -> Result<(), Error> {
    write_dir_atomically(dir, |staging| {
        write_resolution_files(staging, resolution, config, report)
    })
}

/// Writes a directory through `write` into a staging sibling, then swaps it into place as
/// [`write_resolution`] describes. Every file `write` leaves is flushed to disk first.
///
/// # Errors
/// As [`write_resolution`], and whatever `write` returns.
pub fn write_dir_atomically(
    dir: &Path,
    write: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    check_output_dir(dir)?;
    let name = dir
        .file_name()
        .ok_or_else(|| Error::Input(format!("{}: name a directory", dir.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    std::fs::create_dir_all(&parent).map_err(io_error(&parent))?;
    recover(&parent, &name, dir)?;
    let staging = parent.join(format!(".{name}.sameas-new-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    std::fs::create_dir(&staging).map_err(io_error(&staging))?;
    let written = write(&staging).and_then(|()| sync_tree(&staging));
    if let Err(err) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(err);
    }
    if dir.exists() {
        swap(&staging, dir, &parent, &name).map_err(io_error(dir))?;
        // The staging name now holds the previous result.
        std::fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    } else {
        std::fs::rename(&staging, dir).map_err(io_error(dir))?;
    }
    sync_dir(&parent).map_err(io_error(&parent))
}

/// Flushes every file of `dir`, then the directory itself.
fn sync_tree(dir: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let path = entry.map_err(io_error(dir))?.path();
        if path.is_file() {
            File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(io_error(&path))?;
        }
    }
    sync_dir(dir).map_err(io_error(dir))
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Puts `new` where `dir` is and the previous `dir` at `new`.
fn swap(new: &Path, dir: &Path, parent: &Path, name: &str) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, new, CWD, dir, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            // A file system (or kernel) without exchange: move aside below.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    let aside = parent.join(format!(".{name}.sameas-old-{}", std::process::id()));
    std::fs::rename(dir, &aside)?;
    std::fs::rename(new, dir)?;
    std::fs::rename(&aside, new)
}

/// Cleans up after a run killed while swapping: with `dir` gone, a moved-aside previous
/// result goes back; staging left by killed runs is removed.
fn recover(parent: &Path, name: &str, dir: &Path) -> Result<(), Error> {
    let prefix = format!(".{name}.sameas-");
    let mut leftovers: Vec<std::path::PathBuf> = Vec::new();
    for entry in std::fs::read_dir(parent).map_err(io_error(parent))? {
        let entry = entry.map_err(io_error(parent))?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            leftovers.push(entry.path());
        }
    }
    leftovers.sort();
    for path in leftovers {
        let aside = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{prefix}old-")));
        if aside && !dir.exists() {
            std::fs::rename(&path, dir).map_err(io_error(dir))?;
        } else {
            std::fs::remove_dir_all(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

/// Writes every output file of `resolution` into `dir` as it is, with no staging: the
/// files [`write_resolution`] writes into its staging directory. Golden records and
/// conflicts written as they were built ([`GoldenFiles`]) are left as they are, and must
/// be in `dir`.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written; [`Error::Input`] when the
/// golden records were written into another directory.
pub fn write_resolution_files(
    dir: &Path,
    resolution: &Resolution,
    config: &ResolverConfig,
    report: &impl Serialize,
) -> Result<(), Error> {
    write_csv_rows(
        &dir.join("entities.csv"),
        &["record_id", "entity_id"],
        &resolution.entities,
        |(record, entity), cells| {
            cells.text(record.as_str())?;
            cells.text(entity.as_str())
        },
    )?;

    match &resolution.golden_written_in {
        None => {
            let mut files = GoldenFiles::create(dir)?;
            files.begin(&resolution.golden_header)?;
            files.append(
                &resolution.survivorship,
                &resolution.golden,
                &resolution.conflicts,
            )?;
            files.flush()?;
        }
        Some(written) if written == dir => {}
        Some(written) => {
            return Err(Error::Input(format!(
                "{}: this result's golden records and conflicts were written as they were \
                 built, into {}; write the result there",
                dir.display(),
                written.display()
            )));
        }
    }
    write_json_lines(&dir.join("events.jsonl"), &resolution.events)?;

    let level_headers: Vec<String> = resolution
        .comparisons
        .iter()
        .map(|c| format!("{c}.level"))
        .collect();
    let mut header = vec![
        "record_id_l",
        "record_id_r",
        "entity_l",
        "entity_r",
        "match_probability",
        "match_weight",
        "reason",
        "decision",
    ];
    header.extend(level_headers.iter().map(String::as_str));
    write_csv_rows(
        &dir.join("review.csv"),
        &header,
        &resolution.review,
        |pair, cells| {
            cells.text(pair.record_id_l.as_str())?;
            cells.text(pair.record_id_r.as_str())?;
            cells.text(pair.entity_l.as_str())?;
            cells.text(pair.entity_r.as_str())?;
            cells.show(format_args!("{:.8}", pair.match_probability))?;
            cells.show(format_args!("{:.6}", pair.match_weight))?;
            cells.show(pair.reason)?;
            cells.text("")?;
            for level in &pair.levels {
                cells.text(level)?;
            }
            Ok(())
        },
    )?;

    let path = dir.join("config.json");
    std::fs::write(&path, config.to_json()).map_err(io_error(&path))?;

    let path = dir.join("report.json");
    let mut out = create(&path)?;
    serde_json::to_writer_pretty(&mut out, report)
        .map_err(|e| io_error(&path)(std::io::Error::other(e)))?;
    writeln!(out).map_err(io_error(&path))?;
    out.flush().map_err(io_error(&path))?;
    Ok(())
}

fn write_json_lines<T: Serialize + Sync>(path: &Path, items: &[T]) -> Result<(), Error> {
    let mut out = create(path)?;
    write_json_items(&mut out, path, items)?;
    out.flush().map_err(io_error(path))
}

/// Appends a JSON line per item to `out` (the file at `path`).
fn write_json_items<T: Serialize + Sync>(
    out: &mut impl Write,
    path: &Path,
    items: &[T],
) -> Result<(), Error> {
    write_in_blocks(
        out,
        path,
        items,
        |block| {
            let mut bytes = Vec::with_capacity(block.len() * 128);
            for item in block {
                serde_json::to_writer(&mut bytes, item)?;
                bytes.push(b'\n');
            }
            Ok(bytes)
        },
        |e: serde_json::Error| io_error(path)(std::io::Error::other(e)),
    )
}

/// `golden.csv` and `conflicts.jsonl` written while a run builds them
/// ([`crate::Resolver::resolve_once_into`]): each chunk of entities' golden records and
/// conflicts is appended and dropped, so a run never holds them whole. Create it in the
/// directory the rest of the result goes to (the staging directory of
/// [`write_dir_atomically`]); [`write_resolution`]'s files then leave these two alone.
#[derive(Debug)]
pub struct GoldenFiles {
    dir: std::path::PathBuf,
    golden: BufWriter<File>,
    conflicts: BufWriter<File>,
}

impl GoldenFiles {
    /// Creates (or truncates) `golden.csv` and `conflicts.jsonl` in `dir`.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file that could not be created.
    pub fn create(dir: &Path) -> Result<Self, Error> {
        Ok(Self {
            dir: dir.to_path_buf(),
            golden: create(&dir.join(GOLDEN_FILE))?,
            conflicts: create(&dir.join(CONFLICTS_FILE))?,
        })
    }

    /// The directory the two files are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the golden file's header line.
    pub(crate) fn begin(&mut self, header: &[String]) -> Result<(), Error> {
        write_csv_header(&mut self.golden, &self.dir.join(GOLDEN_FILE), header)
    }

    /// Appends one chunk of golden records (rows as `survivorship` writes them) and the
    /// chunk's conflicts.
    pub(crate) fn append(
        &mut self,
        survivorship: &sameas_merge::golden::Survivorship,
        golden: &[sameas_merge::golden::GoldenRecord],
        conflicts: &[sameas_merge::golden::Conflict],
    ) -> Result<(), Error> {
        write_csv_items(
            &mut self.golden,
            &self.dir.join(GOLDEN_FILE),
            golden,
            |record, cells| {
                for cell in survivorship.row(record) {
                    cells.text(&cell)?;
                }
                Ok(())
            },
        )?;
        write_json_items(
            &mut self.conflicts,
            &self.dir.join(CONFLICTS_FILE),
            conflicts,
        )
    }

    /// Flushes both files.
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        self.golden
            .flush()
            .map_err(io_error(&self.dir.join(GOLDEN_FILE)))?;
        self.conflicts
            .flush()
            .map_err(io_error(&self.dir.join(CONFLICTS_FILE)))
    }
}

const GOLDEN_FILE: &str = "golden.csv";
const CONFLICTS_FILE: &str = "conflicts.jsonl";

/// Two record ids.
pub type RecordPair = [String; 2];

/// Reads a review file's decisions back as manual overrides: rows whose `decision` is
/// `match` / `same` / `yes` / `1` become must-links, `no` / `different` / `0` cannot-links;
/// blank decisions are skipped. Returns `(must_link, cannot_link)`.
///
/// # Errors
/// [`Error::Io`] for an unreadable file; [`Error::Input`] naming the row of a decision that
/// is not one of those words, or a file without the review columns.
pub fn read_review_decisions(path: &Path) -> Result<(Vec<RecordPair>, Vec<RecordPair>), Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::Headers)
        .from_path(path)
        .map_err(csv_error(path))?;
    let headers = reader.headers().map_err(csv_error(path))?.clone();
    let column = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::Input(format!(
                "{}: not a review file: no `{name}` column (a resolve run's review.csv has \
                     record_id_l, record_id_r and decision)",
                path.display()
            ))
        })
    };
    let (l, r, d) = (
        column("record_id_l")?,
        column("record_id_r")?,
        column("decision")?,
    );
    let (mut must, mut cannot) = (Vec::new(), Vec::new());
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(csv_error(path))?;
        // Ids exactly as written (less the quote that kept a formula inert).
        let get = |i: usize| unescape_formula(record.get(i).unwrap_or("")).to_string();
        let pair = [get(l), get(r)];
        match get(d).trim().to_lowercase().as_str() {
            "" => {}
            "match" | "same" | "yes" | "y" | "1" | "true" => must.push(pair),
            "no" | "n" | "different" | "0" | "false" | "no_match" => cannot.push(pair),
            _ => {
                return Err(Error::Input(format!(
                    "{}: row {}, column `decision`: use match / no (or same / different, 1 / 0)",
                    path.display(),
                    row + 1
                )));
            }
        }
    }
    Ok((must, cannot))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_the_formatter_writes_them() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            1e-7,
            1.5e-300,
            1e21,
            1e16,
            123456789.125,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.7266,
            36.28,
            1e15,
            1e23,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for _ in 0..100_000 {
            // Any bit pattern, and values of the size the outputs hold.
            values.push(f64::from_bits(next()));
            values.push((next() % 10_000_000) as f64 / 1000.0);
            values.push((next() >> 11) as f64 / (1u64 << 53) as f64);
            // Values of few binary digits, where ties happen.
            let shift = next() % 64;
            let bits = next() % 40;
            values.push((next() >> (64 - bits.max(1))) as f64 * 2f64.powi(shift as i32 - 40));
        }
        let mut out = String::new();
        for v in values {
            out.clear();
            display_f64(v, &mut out);
            assert_eq!(out, format!("{v}"), "{v:e}");
            // Cells::float writes finite numbers without escaping: none needs it.
            if v.is_finite() {
                assert_eq!(escape_formula(&out), out.as_str(), "{v:e}");
            }
        }
    }

    #[test]
    fn rows_are_written_inert_for_spreadsheets() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        write_csv_row(&mut writer, ["=E5", "+8613800138000", "@x", "a,b"]).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text, "'=E5,+8613800138000,'@x,\"a,b\"\n");
    }

    #[test]
    fn a_result_swaps_in_whole_and_foreign_folders_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let write = |text: &'static str| {
            write_dir_atomically(&out, |dir| {
                std::fs::write(dir.join("entities.csv"), text).map_err(io_error(dir))
            })
        };
        write("first").unwrap();
        write("second").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("entities.csv")).unwrap(),
            "second"
        );
        // Nothing left beside it.
        let names: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        // A write that fails leaves the result as it was, and no staging.
        let failed = write_dir_atomically(&out, |_| Err(Error::Input("disk full".into())));
        assert!(failed.is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("entities.csv")).unwrap(),
            "second"
        );
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
        // A folder with a file sameas did not write is refused, naming it.
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = write("third").unwrap_err().to_string();
        assert!(err.contains("notes.txt"), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_result_moved_aside_by_a_killed_run_is_put_back() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        // Killed between the two moves of the fallback: the old result aside, none in place.
        let aside = root.path().join(".out.sameas-old-42");
        std::fs::create_dir(&aside).unwrap();
        std::fs::write(aside.join("entities.csv"), "old").unwrap();
        let staged = root.path().join(".out.sameas-new-42");
        std::fs::create_dir(&staged).unwrap();
        recover(root.path(), "out", &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("entities.csv")).unwrap(),
            "old"
        );
        assert!(!staged.exists() && !aside.exists());
    }

    #[test]
    fn review_decisions_become_overrides_and_bad_words_name_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.csv");
        std::fs::write(
            &path,
            "record_id_l,record_id_r,entity_l,entity_r,match_probability,match_weight,reason,decision\n\
             a,b,E1,E2,0.4,-0.5,band,match\n\
             c,d,E3,E4,0.3,-1.0,band,\n\
             e,f,E5,E6,0.9,3.0,refused: cannot_link,No\n",
        )
        .unwrap();
        let (must, cannot) = read_review_decisions(&path).unwrap();
        assert_eq!(must, vec![["a".to_string(), "b".to_string()]]);
        assert_eq!(cannot, vec![["e".to_string(), "f".to_string()]]);
        // Ids come back exactly as they were before writing: spaces kept, the quote that
        // kept a formula inert taken off.
        std::fs::write(&path, "record_id_l,record_id_r,decision\n'=a, b , match \n").unwrap();
        let (must, _) = read_review_decisions(&path).unwrap();
        assert_eq!(must, vec![["=a".to_string(), " b ".to_string()]]);
        std::fs::write(&path, "record_id_l,record_id_r,decision\na,b,maybe\n").unwrap();
        let err = read_review_decisions(&path).unwrap_err().to_string();
        assert!(err.contains("row 1"), "{err}");
        assert!(!err.contains("maybe"), "the cell is not echoed");
    }
}
