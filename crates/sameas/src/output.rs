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

fn create(path: &Path) -> Result<BufWriter<File>, Error> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(path).map_err(io_error(path))?,
    ))
}

/// Writes `resolution` and `config` into `dir` (created when missing). `report` is the
/// report to write (the resolution's, perhaps with an evaluation added by the caller).
///
/// Nothing in `dir` is touched until every file is written in full: the files go to a
/// hidden staging folder inside `dir`, are flushed to disk, and only then each replaces its
/// namesake (a rename, which is atomic), `report.json` last. A run that fails or is killed
/// while writing leaves the previous run's files whole; one killed during the renames
/// leaves each file whole, from one run or the other, and the staging folder to delete.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written.
pub fn write_resolution(
    dir: &Path,
    resolution: &Resolution,
    config: &ResolverConfig,
    report: &impl Serialize,
) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let staging = dir.join(format!(".sameas-partial-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    std::fs::create_dir(&staging).map_err(io_error(&staging))?;
    let written = write_files(&staging, resolution, config, report).and_then(|()| {
        for name in OUTPUT_FILES {
            let path = staging.join(name);
            File::options()
                .write(true)
                .open(&path)
                .and_then(|file| file.sync_all())
                .map_err(io_error(&path))?;
        }
        Ok(())
    });
    if let Err(err) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(err);
    }
    for name in OUTPUT_FILES {
        let target = dir.join(name);
        std::fs::rename(staging.join(name), &target).map_err(io_error(&target))?;
    }
    std::fs::remove_dir(&staging).map_err(io_error(&staging))?;
    Ok(())
}

/// Writes every output file into `dir`.
fn write_files(
    dir: &Path,
    resolution: &Resolution,
    config: &ResolverConfig,
    report: &impl Serialize,
) -> Result<(), Error> {
    let path = dir.join("entities.csv");
    let mut out = create(&path)?;
    writeln!(out, "record_id,entity_id").map_err(io_error(&path))?;
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        for (record, entity) in &resolution.entities {
            write_csv_row(&mut writer, [record.as_str(), entity.as_str()])
                .map_err(csv_error(&path))?;
        }
        writer.flush().map_err(io_error(&path))?;
    }
    out.flush().map_err(io_error(&path))?;

    let path = dir.join("golden.csv");
    let mut writer = csv::Writer::from_writer(create(&path)?);
    write_csv_row(&mut writer, &resolution.golden_header).map_err(csv_error(&path))?;
    for golden in &resolution.golden {
        write_csv_row(&mut writer, resolution.golden_row(golden)).map_err(csv_error(&path))?;
    }
    writer.flush().map_err(io_error(&path))?;

    write_json_lines(&dir.join("conflicts.jsonl"), &resolution.conflicts)?;
    write_json_lines(&dir.join("events.jsonl"), &resolution.events)?;

    let path = dir.join("review.csv");
    let mut writer = csv::Writer::from_writer(create(&path)?);
    let mut header: Vec<String> = [
        "record_id_l",
        "record_id_r",
        "entity_l",
        "entity_r",
        "match_probability",
        "match_weight",
        "reason",
        "decision",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(resolution.comparisons.iter().map(|c| format!("{c}.level")));
    write_csv_row(&mut writer, &header).map_err(csv_error(&path))?;
    for pair in &resolution.review {
        let mut row = vec![
            pair.record_id_l.to_string(),
            pair.record_id_r.to_string(),
            pair.entity_l.to_string(),
            pair.entity_r.to_string(),
            format!("{:.8}", pair.match_probability),
            format!("{:.6}", pair.match_weight),
            pair.reason.to_string(),
            String::new(),
        ];
        row.extend(pair.levels.iter().cloned());
        write_csv_row(&mut writer, &row).map_err(csv_error(&path))?;
    }
    writer.flush().map_err(io_error(&path))?;

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

fn write_json_lines<T: Serialize>(path: &Path, items: &[T]) -> Result<(), Error> {
    let mut out = create(path)?;
    for item in items {
        serde_json::to_writer(&mut out, item)
            .map_err(|e| io_error(path)(std::io::Error::other(e)))?;
        out.write_all(b"\n").map_err(io_error(path))?;
    }
    out.flush().map_err(io_error(path))
}

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
    fn rows_are_written_inert_for_spreadsheets() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        write_csv_row(&mut writer, ["=E5", "+8613800138000", "@x", "a,b"]).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text, "'=E5,+8613800138000,'@x,\"a,b\"\n");
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
