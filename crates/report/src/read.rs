//! Reading what `resolve`, `score`, `segment` and `profile --json` wrote, down to bins,
//! counts and a few masked sample rows: nothing the report holds grows with the input
//! beyond a count per entity while reading.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use sameas_core::FieldKind;
use serde::Deserialize;
use serde_json::Value;

use crate::Error;

/// How many entities each entity table shows.
pub(crate) const ENTITIES_SHOWN: usize = 10;

/// What a path given to the report holds, recognized by its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A `resolve` output directory (`report.json`, `entities.csv`).
    Resolve,
    /// A `score` output directory (`model.json`, `customers.csv`).
    Score,
    /// A `segment` output directory (`segments.json`, `cohorts.csv`, `channels.csv`).
    Segment,
    /// A `profile --json` file.
    Profile,
}

impl SourceKind {
    /// Recognizes `path` by its contents.
    ///
    /// # Errors
    /// [`Error::Input`] saying what each kind of input holds, when `path` is none of them.
    pub fn recognize(path: &Path) -> Result<SourceKind, Error> {
        let has = |name: &str| path.join(name).is_file();
        if !path.exists() {
            return Err(bad(path, "no such file or directory"));
        }
        if path.is_dir() {
            if has("report.json") && has("entities.csv") {
                return Ok(SourceKind::Resolve);
            }
            if has("segments.json") && has("cohorts.csv") {
                return Ok(SourceKind::Segment);
            }
            if has("model.json") && has("customers.csv") {
                return Ok(SourceKind::Score);
            }
        } else if path.is_file() {
            let value: Option<Value> = std::fs::read(path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            if value.as_ref().is_some_and(|v| v.get("channels").is_some()) {
                return Ok(SourceKind::Profile);
            }
        }
        Err(Error::Input(format!(
            "{}: not a resolve directory (report.json, entities.csv), a score directory \
             (model.json, customers.csv), a segment directory (segments.json, cohorts.csv) \
             or a `profile --json` file",
            path.display()
        )))
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn bad(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Input(format!("{}: {what}", path.display()))
}

pub(crate) fn read_json(path: &Path) -> Result<Value, Error> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    serde_json::from_slice(&bytes).map_err(|e| bad(path, format!("not valid JSON: {e}")))
}

fn csv_reader(path: &Path) -> Result<csv::Reader<File>, Error> {
    let file = File::open(path).map_err(io(path))?;
    Ok(csv::ReaderBuilder::new().flexible(true).from_reader(file))
}

fn row_error(path: &Path, row: usize) -> impl Fn(csv::Error) -> Error + '_ {
    move |_| bad(path, format!("row {row} is not valid CSV"))
}

/// One conflicting field of an entity: the field, the rule that decided it, and each
/// candidate value (masked) with its count of records.
pub(crate) type ConflictDetail = (String, String, Vec<(String, usize)>);

/// One entity in a table of the report: generated id, size, conflicts, masked values.
#[derive(Debug, Clone, Default)]
pub(crate) struct EntityRow {
    pub id: String,
    pub records: u64,
    pub conflicts: u64,
    /// `record_count` and `channels` of golden.csv, and each compared field's value masked.
    pub golden: Vec<(String, String)>,
    /// Per conflicting field: the winner's rule and each candidate (masked) with its count
    /// of records.
    pub conflict_detail: Vec<ConflictDetail>,
}

/// What a resolve directory says, in bins and samples.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResolveRun {
    pub name: String,
    pub report: Value,
    pub largest: Vec<EntityRow>,
    pub conflicted: Vec<EntityRow>,
    /// Conflicts by field over all entities.
    pub conflict_fields: BTreeMap<String, u64>,
    pub entities_with_conflicts: u64,
}

#[derive(Deserialize)]
struct ConflictHead<'a> {
    #[serde(borrow)]
    entity: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    field: std::borrow::Cow<'a, str>,
}

#[derive(Deserialize)]
struct ConflictFull {
    entity: String,
    field: String,
    candidates: Vec<CandidateRow>,
    #[serde(default)]
    rule: Value,
}

#[derive(Deserialize)]
struct CandidateRow {
    value: String,
    records: Vec<Value>,
}

/// The kind of each schema field, from `config.json` (its other sections, the large term
/// frequencies among them, are skipped unread).
fn field_kinds(path: &Path) -> Result<HashMap<String, FieldKind>, Error> {
    #[derive(Deserialize)]
    struct Config {
        schema: SchemaFields,
    }
    #[derive(Deserialize)]
    struct SchemaFields {
        fields: Vec<FieldEntry>,
    }
    #[derive(Deserialize)]
    struct FieldEntry {
        name: String,
        kind: Value,
    }
    if !path.is_file() {
        return Ok(HashMap::new());
    }
    let bytes = std::fs::read(path).map_err(io(path))?;
    let config: Config = serde_json::from_slice(&bytes)
        .map_err(|e| bad(path, format!("not a resolve configuration: {e}")))?;
    Ok(config
        .schema
        .fields
        .into_iter()
        .filter_map(|f| Some((f.name, serde_json::from_value::<FieldKind>(f.kind).ok()?)))
        .collect())
}

/// A value as the report may show it: masked for its kind, or not shown at all when the
/// kind is unknown.
pub(crate) fn masked(kind: Option<FieldKind>, value: &str) -> String {
    match kind {
        Some(kind) if !value.is_empty() => sameas_normalize::privacy::mask(kind, value),
        Some(_) => String::new(),
        None => "•••".to_string(),
    }
}

impl ResolveRun {
    pub(crate) fn read(dir: &Path) -> Result<ResolveRun, Error> {
        let report = read_json(&dir.join("report.json"))?;
        let kinds = field_kinds(&dir.join("config.json"))?;

        // Records per entity.
        let path = dir.join("entities.csv");
        let mut reader = csv_reader(&path)?;
        let mut sizes: HashMap<String, u64> = HashMap::new();
        let mut record = csv::StringRecord::new();
        let mut row = 0;
        while reader
            .read_record(&mut record)
            .map_err(row_error(&path, row + 1))?
        {
            row += 1;
            let entity = record
                .get(1)
                .ok_or_else(|| bad(&path, format!("row {row} has no entity_id")))?;
            match sizes.get_mut(entity) {
                Some(n) => *n += 1,
                None => {
                    sizes.insert(entity.to_string(), 1);
                }
            }
        }

        // Conflicts per entity and per field.
        let path = dir.join("conflicts.jsonl");
        let mut conflicts: HashMap<String, u64> = HashMap::new();
        let mut conflict_fields = BTreeMap::new();
        let lines = |path: &Path| -> Result<Vec<String>, Error> {
            if !path.is_file() {
                return Ok(Vec::new());
            }
            BufReader::new(File::open(path).map_err(io(path))?)
                .lines()
                .collect::<Result<_, _>>()
                .map_err(io(path))
        };
        let conflict_lines = lines(&path)?;
        for (i, line) in conflict_lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let head: ConflictHead = serde_json::from_str(line)
                .map_err(|_| bad(&path, format!("line {} is not a conflict", i + 1)))?;
            *conflict_fields.entry(head.field.to_string()).or_insert(0) += 1;
            match conflicts.get_mut(head.entity.as_ref()) {
                Some(n) => *n += 1,
                None => {
                    conflicts.insert(head.entity.to_string(), 1);
                }
            }
        }

        let top = |key: &dyn Fn(&str, u64) -> u64,
                   from: &mut dyn Iterator<Item = (&String, u64)>| {
            let mut all: Vec<(u64, &String)> = from
                .map(|(id, n)| (key(id, n), id))
                .filter(|(k, _)| *k > 0)
                .collect();
            let n = ENTITIES_SHOWN.min(all.len());
            if n > 0 && n < all.len() {
                all.select_nth_unstable_by(n - 1, |a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
                all.truncate(n);
            }
            all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            all.into_iter()
                .map(|(_, id)| id.clone())
                .collect::<Vec<_>>()
        };
        let largest_ids = top(&|_, n| n, &mut sizes.iter().map(|(k, v)| (k, *v)));
        let conflicted_ids = top(&|_, n| n, &mut conflicts.iter().map(|(k, v)| (k, *v)));
        let wanted: HashSet<&String> = largest_ids.iter().chain(&conflicted_ids).collect();
        let mut rows: HashMap<String, EntityRow> = wanted
            .iter()
            .map(|id| {
                let row = EntityRow {
                    id: (*id).clone(),
                    records: sizes.get(*id).copied().unwrap_or(0),
                    conflicts: conflicts.get(*id).copied().unwrap_or(0),
                    ..EntityRow::default()
                };
                ((*id).clone(), row)
            })
            .collect();

        // The chosen entities' conflicts in detail, values masked.
        for line in &conflict_lines {
            let Ok(head) = serde_json::from_str::<ConflictHead>(line) else {
                continue;
            };
            let Some(row) = rows.get_mut(head.entity.as_ref()) else {
                continue;
            };
            let full: ConflictFull = serde_json::from_str(line)
                .map_err(|_| bad(&path, format!("entity {}: not a conflict", head.entity)))?;
            debug_assert_eq!(full.entity, row.id);
            let kind = kinds.get(&full.field).copied();
            let candidates = full
                .candidates
                .iter()
                .map(|c| (masked(kind, &c.value), c.records.len()))
                .collect();
            let rule = full.rule.as_str().unwrap_or("").to_string();
            row.conflict_detail.push((full.field, rule, candidates));
        }

        // Their golden records: counts, channels and the compared fields, masked.
        let path = dir.join("golden.csv");
        if path.is_file() {
            let mut reader = csv_reader(&path)?;
            let header = reader
                .headers()
                .map_err(|_| bad(&path, "line 1 is not a CSV header"))?
                .clone();
            let shown: Vec<(usize, String, Option<FieldKind>)> = header
                .iter()
                .enumerate()
                .filter_map(|(i, h)| match h {
                    "record_count" | "channels" => Some((i, h.to_string(), None)),
                    _ => kinds.get(h).map(|k| (i, h.to_string(), Some(*k))),
                })
                .collect();
            let mut row = 0;
            while reader
                .read_record(&mut record)
                .map_err(row_error(&path, row + 1))?
            {
                row += 1;
                let Some(entity) = rows.get_mut(record.get(0).unwrap_or("")) else {
                    continue;
                };
                entity.golden = shown
                    .iter()
                    .map(|(i, name, kind)| {
                        let cell = record.get(*i).unwrap_or("");
                        let cell = sameas_core::spreadsheet::unescape_formula(cell);
                        let value = match kind {
                            None => cell.to_string(),
                            Some(_) => masked(*kind, cell),
                        };
                        (name.clone(), value)
                    })
                    .collect();
            }
        }

        let pick = |ids: &[String], rows: &HashMap<String, EntityRow>| {
            ids.iter().filter_map(|id| rows.get(id).cloned()).collect()
        };
        Ok(ResolveRun {
            name: dir_name(dir),
            report,
            largest: pick(&largest_ids, &rows),
            conflicted: pick(&conflicted_ids, &rows),
            conflict_fields,
            entities_with_conflicts: conflicts.len() as u64,
        })
    }
}

/// A directory's last component, for headings (never the whole path).
pub(crate) fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Bins of P(alive) and of CLV.
pub(crate) const VALUE_BINS: usize = 20;

/// What a score directory says: the RFM grid, CLV and P(alive) distributions, the models.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScoreRun {
    pub name: String,
    pub model: Value,
    pub customers: u64,
    /// `[r_score - 1][f_score - 1]`: customers, and their summed CLV.
    pub rfm_customers: [[u64; 5]; 5],
    pub rfm_clv: [[f64; 5]; 5],
    /// CLV bins from 0 to `clv_top` (the 99th percentile), then one bin above it.
    pub clv_bins: Vec<u64>,
    pub clv_top: f64,
    pub clv_median: f64,
    pub clv_total: f64,
    pub p_alive_bins: Vec<u64>,
    pub p_alive_mean: f64,
    pub p_alive_count: u64,
}

impl ScoreRun {
    pub(crate) fn read(dir: &Path) -> Result<ScoreRun, Error> {
        let model = read_json(&dir.join("model.json"))?;
        let path = dir.join("customers.csv");
        let mut reader = csv_reader(&path)?;
        let header = reader
            .headers()
            .map_err(|_| bad(&path, "line 1 is not a CSV header"))?
            .clone();
        let at = |name: &str| header.iter().position(|h| h == name);
        let (r_at, f_at, clv_at, alive_at) = (
            at("r_score"),
            at("f_score"),
            at("clv"),
            at("p_alive_bg_nbd"),
        );
        let mut run = ScoreRun {
            name: dir_name(dir),
            model,
            p_alive_bins: vec![0; VALUE_BINS],
            ..ScoreRun::default()
        };
        let mut clv = Vec::new();
        let mut alive_sum = 0.0;
        let mut record = csv::StringRecord::new();
        let mut row = 0;
        let number = |record: &csv::StringRecord, at: Option<usize>| {
            at.and_then(|i| record.get(i))
                .and_then(|c| c.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        while reader
            .read_record(&mut record)
            .map_err(row_error(&path, row + 1))?
        {
            row += 1;
            run.customers += 1;
            let value = number(&record, clv_at);
            if let Some(v) = value {
                clv.push(v);
            }
            if let (Some(r), Some(f)) = (number(&record, r_at), number(&record, f_at))
                && (1.0..=5.0).contains(&r)
                && (1.0..=5.0).contains(&f)
            {
                let (r, f) = (r as usize - 1, f as usize - 1);
                run.rfm_customers[r][f] += 1;
                run.rfm_clv[r][f] += value.unwrap_or(0.0);
            }
            if let Some(p) = number(&record, alive_at) {
                let bin = ((p.clamp(0.0, 1.0) * VALUE_BINS as f64) as usize).min(VALUE_BINS - 1);
                run.p_alive_bins[bin] += 1;
                alive_sum += p;
                run.p_alive_count += 1;
            }
        }
        run.p_alive_mean = if run.p_alive_count > 0 {
            alive_sum / run.p_alive_count as f64
        } else {
            0.0
        };
        clv.sort_by(f64::total_cmp);
        run.clv_total = clv.iter().sum();
        let quantile = |q: f64| {
            if clv.is_empty() {
                0.0
            } else {
                clv[((clv.len() - 1) as f64 * q).round() as usize]
            }
        };
        run.clv_median = quantile(0.5);
        run.clv_top = quantile(0.99).max(f64::MIN_POSITIVE);
        run.clv_bins = vec![0; VALUE_BINS + 1];
        for v in &clv {
            let bin = if *v > run.clv_top {
                VALUE_BINS
            } else {
                ((v.max(0.0) / run.clv_top * VALUE_BINS as f64) as usize).min(VALUE_BINS - 1)
            };
            run.clv_bins[bin] += 1;
        }
        Ok(run)
    }
}

/// What a segment directory says.
#[derive(Debug, Clone, Default)]
pub(crate) struct SegmentRun {
    pub name: String,
    pub summary: Value,
    /// The rows of `cohorts.csv`, as `segment` wrote them.
    pub cohorts: Vec<sameas::segment::CohortCell>,
    /// The rows of `channels.csv`.
    pub channels: Vec<sameas::segment::ChannelSummary>,
}

fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, Error> {
    let mut reader = csv_reader(path)?;
    let mut rows = Vec::new();
    for (i, row) in reader.deserialize().enumerate() {
        rows.push(row.map_err(|e| bad(path, format!("row {}: {e}", i + 1)))?);
    }
    Ok(rows)
}

impl SegmentRun {
    pub(crate) fn read(dir: &Path) -> Result<SegmentRun, Error> {
        let channels = dir.join("channels.csv");
        Ok(SegmentRun {
            name: dir_name(dir),
            summary: read_json(&dir.join("segments.json"))?,
            cohorts: read_rows(&dir.join("cohorts.csv"))?,
            channels: if channels.is_file() {
                read_rows(&channels)?
            } else {
                Vec::new()
            },
        })
    }
}

/// Everything given to one report.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub(crate) resolve: Option<ResolveRun>,
    pub(crate) profile: Option<Value>,
    pub(crate) score: Option<ScoreRun>,
    pub(crate) segment: Option<SegmentRun>,
}

impl Sources {
    /// Reads each path as what it holds ([`SourceKind::recognize`]); at most one of each
    /// kind.
    ///
    /// # Errors
    /// A path of no known kind, two of one kind, or an unreadable file (named).
    pub fn read(paths: &[PathBuf]) -> Result<Sources, Error> {
        let mut sources = Sources::default();
        for path in paths {
            let kind = SourceKind::recognize(path)?;
            let taken = match kind {
                SourceKind::Resolve => sources.resolve.is_some(),
                SourceKind::Score => sources.score.is_some(),
                SourceKind::Segment => sources.segment.is_some(),
                SourceKind::Profile => sources.profile.is_some(),
            };
            if taken {
                return Err(bad(
                    path,
                    format!("a second {kind:?} input; give one of each kind").to_lowercase(),
                ));
            }
            match kind {
                SourceKind::Resolve => sources.resolve = Some(ResolveRun::read(path)?),
                SourceKind::Score => sources.score = Some(ScoreRun::read(path)?),
                SourceKind::Segment => sources.segment = Some(SegmentRun::read(path)?),
                SourceKind::Profile => sources.profile = Some(read_json(path)?),
            }
        }
        if sources.resolve.is_none()
            && sources.profile.is_none()
            && sources.score.is_none()
            && sources.segment.is_none()
        {
            return Err(Error::Input(
                "nothing to report: give a resolve, score or segment directory".to_string(),
            ));
        }
        Ok(sources)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_recognized_by_their_files_and_others_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let err = SourceKind::recognize(&path).unwrap_err().to_string();
        assert!(err.contains("not a resolve directory"), "{err}");
        let err = SourceKind::recognize(&path.join("gone"))
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("gone: no such file or directory"), "{err}");
        for name in ["segments.json", "cohorts.csv"] {
            std::fs::write(path.join(name), "").unwrap();
        }
        assert_eq!(SourceKind::recognize(&path).unwrap(), SourceKind::Segment);
        let profile = path.join("profile.json");
        std::fs::write(&profile, r#"{"records": 0, "channels": []}"#).unwrap();
        assert_eq!(
            SourceKind::recognize(&profile).unwrap(),
            SourceKind::Profile
        );
        let err = Sources::read(&[profile.clone(), profile])
            .unwrap_err()
            .to_string();
        assert!(err.contains("a second profile input"), "{err}");
        let err = Sources::read(&[]).unwrap_err().to_string();
        assert!(err.contains("nothing to report"), "{err}");
    }

    #[test]
    fn unknown_kinds_are_never_shown() {
        assert_eq!(masked(None, "13800138000"), "•••");
        assert_eq!(masked(Some(FieldKind::Phone), "13800138000"), "138****8000");
        assert_eq!(masked(Some(FieldKind::Phone), ""), "");
    }
}
