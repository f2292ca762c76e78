//! The truth: every record's true cluster.

use std::io::Read;
use std::path::Path;

use sameas_core::RecordId;

use crate::EvalError;
use crate::csv_rows::CsvRows;
use crate::intern::Interner;

/// The number of unordered pairs among `n` items. `n` is at most `u32::MAX`, so the product
/// fits in a `u64`.
pub(crate) fn pairs_among(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// The labelled truth: record ids in file order, each with its true cluster.
///
/// A record's *index* is its position in the truth (0-based); predictions and candidate
/// pairs are resolved to these indices. Ids are interned once, so evaluating a prediction
/// costs one hash lookup per predicted row.
#[derive(Debug, Clone)]
pub struct Truth {
    ids: Interner,
    cluster_of: Vec<u32>,
    cluster_labels: Interner,
    cluster_sizes: Vec<u32>,
}

/// Adds records to a truth as rows arrive.
struct TruthBuilder {
    truth: Truth,
}

impl TruthBuilder {
    fn new() -> Self {
        TruthBuilder {
            truth: Truth {
                ids: Interner::default(),
                cluster_of: Vec::new(),
                cluster_labels: Interner::default(),
                cluster_sizes: Vec::new(),
            },
        }
    }

    /// Adds one record; the error is the reason, for the caller to place.
    fn push(&mut self, id: &str, cluster: &str) -> Result<(), &'static str> {
        const TOO_MANY: &str = "more records than this evaluator indexes (2^32 - 1)";
        let truth = &mut self.truth;
        match truth.ids.intern(id) {
            Some((_, true)) => {}
            Some((_, false)) => return Err("record listed twice"),
            None => return Err(TOO_MANY),
        }
        // At most as many clusters as records, so this cannot run out after the ids.
        let (cluster, new) = truth.cluster_labels.intern(cluster).ok_or(TOO_MANY)?;
        if new {
            truth.cluster_sizes.push(0);
        }
        truth.cluster_sizes[cluster as usize] += 1;
        truth.cluster_of.push(cluster);
        Ok(())
    }
}

impl Truth {
    /// A truth from `(record id, cluster id)` rows. Ids and labels are trimmed.
    ///
    /// # Errors
    /// [`EvalError::Cell`] (file `truth`, 1-based row) for a blank id or cluster, or an id
    /// listed twice.
    ///
    /// ```
    /// use sameas_eval::Truth;
    /// let truth = Truth::from_rows([("a", "1"), ("b", "1"), ("c", "2")]).unwrap();
    /// assert_eq!(truth.len(), 3);
    /// assert_eq!(truth.cluster_count(), 2);
    /// assert_eq!(truth.true_pairs(), 1);
    /// ```
    pub fn from_rows<I, A, B>(rows: I) -> Result<Truth, EvalError>
    where
        I: IntoIterator<Item = (A, B)>,
        A: AsRef<str>,
        B: AsRef<str>,
    {
        let mut builder = TruthBuilder::new();
        for (at, (id, cluster)) in rows.into_iter().enumerate() {
            let (id, cluster) = (id.as_ref().trim(), cluster.as_ref().trim());
            let row = at as u64 + 1;
            let error = |column: &str, reason| EvalError::Cell {
                file: "truth".into(),
                row,
                column: column.into(),
                reason,
            };
            if id.is_empty() {
                return Err(error("record_id", "blank cell"));
            }
            if cluster.is_empty() {
                return Err(error("cluster", "blank cell"));
            }
            builder
                .push(id, cluster)
                .map_err(|reason| error("record_id", reason))?;
        }
        Ok(builder.truth)
    }

    /// Reads a truth CSV: a header row, then the record id and the true cluster id in the
    /// first two columns. Further columns are ignored. `file` names the file in errors.
    ///
    /// # Errors
    /// [`EvalError::Io`] for unreadable CSV, [`EvalError::File`] for a missing header or
    /// fewer than two columns, [`EvalError::Cell`] for a blank cell or a repeated id.
    ///
    /// ```
    /// use sameas_eval::Truth;
    /// let csv = "record_id,cluster\na,1\nb,1\nc,2\n";
    /// let truth = Truth::read_csv(csv.as_bytes(), "truth.csv").unwrap();
    /// assert_eq!(truth.index_of("c"), Some(2));
    /// ```
    pub fn read_csv<R: Read>(reader: R, file: &str) -> Result<Truth, EvalError> {
        let mut rows = CsvRows::open(reader, file, 2)?;
        let mut builder = TruthBuilder::new();
        while rows.next_row()? {
            let id = rows.cell(0)?;
            let cluster = rows.cell(1)?;
            builder
                .push(id, cluster)
                .map_err(|reason| rows.cell_error(0, reason))?;
        }
        Ok(builder.truth)
    }

    /// Reads a truth CSV from `path` (see [`Truth::read_csv`]), gzip-compressed or not.
    ///
    /// # Errors
    /// As [`Truth::read_csv`], and [`EvalError::Io`] when the file cannot be opened.
    pub fn from_path(path: &Path) -> Result<Truth, EvalError> {
        let file = path.display().to_string();
        let reader = crate::csv_rows::open_maybe_gzip(path)?;
        Truth::read_csv(reader, &file)
    }

    /// A truth derived from FEBRL-style ids, where `rec-N-org` and every `rec-N-dup-K` are
    /// one person (cluster `N`).
    ///
    /// # Errors
    /// [`EvalError::Cell`] (file `FEBRL ids`) for an id of another shape or a repeated id.
    ///
    /// ```
    /// use sameas_eval::Truth;
    /// let truth = Truth::from_febrl_ids(["rec-7-org", "rec-7-dup-0", "rec-8-org"]).unwrap();
    /// assert_eq!(truth.cluster_count(), 2);
    /// assert_eq!(truth.cluster_label(truth.cluster_of(1)), "7");
    /// ```
    pub fn from_febrl_ids<I, S>(ids: I) -> Result<Truth, EvalError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut builder = TruthBuilder::new();
        for (at, id) in ids.into_iter().enumerate() {
            let id = id.as_ref().trim();
            let error = |reason| EvalError::Cell {
                file: "FEBRL ids".into(),
                row: at as u64 + 1,
                column: "rec_id".into(),
                reason,
            };
            let cluster = febrl_cluster(id)
                .ok_or_else(|| error("not a FEBRL id (rec-N-org, rec-N-dup-K)"))?;
            builder.push(id, cluster).map_err(error)?;
        }
        Ok(builder.truth)
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.ids.len() == 0
    }

    /// The number of true clusters.
    pub fn cluster_count(&self) -> usize {
        self.cluster_labels.len()
    }

    /// The index of the record with `id` (trimmed), if the truth has it.
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.ids.find(id.trim())
    }

    /// The id of the record at `index`.
    ///
    /// # Panics
    /// When `index` is not below [`Truth::len`].
    pub fn id(&self, index: u32) -> &str {
        self.ids.get(index)
    }

    /// The true cluster of the record at `index`, as a dense number in order of first
    /// appearance.
    ///
    /// # Panics
    /// When `index` is not below [`Truth::len`].
    pub fn cluster_of(&self, index: u32) -> u32 {
        self.cluster_of[index as usize]
    }

    /// The label the truth file gives cluster number `cluster`.
    ///
    /// # Panics
    /// When `cluster` is not below [`Truth::cluster_count`].
    pub fn cluster_label(&self, cluster: u32) -> &str {
        self.cluster_labels.get(cluster)
    }

    /// Every record's cluster, by index.
    pub(crate) fn clusters(&self) -> &[u32] {
        &self.cluster_of
    }

    /// The size of every cluster, by cluster number.
    pub(crate) fn cluster_sizes(&self) -> &[u32] {
        &self.cluster_sizes
    }

    /// The number of record pairs in one true cluster.
    pub fn true_pairs(&self) -> u64 {
        self.cluster_sizes
            .iter()
            .map(|&n| pairs_among(u64::from(n)))
            .sum()
    }

    /// The number of record pairs a deduplication could compare: n(n−1)/2.
    pub fn comparable_pairs(&self) -> u64 {
        pairs_among(self.len() as u64)
    }
}

/// The cluster part of a FEBRL id: `N` for `rec-N-org` and `rec-N-dup-K`.
///
/// ```
/// use sameas_eval::febrl_cluster;
/// assert_eq!(febrl_cluster("rec-12-dup-3"), Some("12"));
/// assert_eq!(febrl_cluster(" rec-12-org"), Some("12"));
/// assert_eq!(febrl_cluster("rec-12"), None);
/// ```
pub fn febrl_cluster(id: &str) -> Option<&str> {
    let rest = id.trim().strip_prefix("rec-")?;
    let (number, kind) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let valid_kind = kind == "org" || kind.strip_prefix("dup-").is_some_and(digits);
    (digits(number) && valid_kind).then_some(number)
}

/// Something that names a truth record: its index, or its id.
pub trait RecordKey {
    /// The record's index in `truth`, if it has one.
    fn resolve(&self, truth: &Truth) -> Option<u32>;
}

impl RecordKey for u32 {
    fn resolve(&self, truth: &Truth) -> Option<u32> {
        ((*self as usize) < truth.len()).then_some(*self)
    }
}

impl RecordKey for &str {
    fn resolve(&self, truth: &Truth) -> Option<u32> {
        truth.index_of(self)
    }
}

impl RecordKey for String {
    fn resolve(&self, truth: &Truth) -> Option<u32> {
        truth.index_of(self)
    }
}

impl RecordKey for &String {
    fn resolve(&self, truth: &Truth) -> Option<u32> {
        truth.index_of(self)
    }
}

impl RecordKey for RecordId {
    fn resolve(&self, truth: &Truth) -> Option<u32> {
        truth.index_of(self.as_str())
    }
}

impl RecordKey for &RecordId {
    fn resolve(&self, truth: &Truth) -> Option<u32> {
        truth.index_of(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_truth_files_read_as_plain_ones() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("sameas-truth-gz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "record_id,cluster\na,1\nb,1\nc,2\n";
        let plain = dir.join("t.csv");
        std::fs::write(&plain, text).unwrap();
        let gz = dir.join("t.csv.gz");
        let mut encoder = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap();
        let (a, b) = (
            Truth::from_path(&plain).unwrap(),
            Truth::from_path(&gz).unwrap(),
        );
        assert_eq!((a.len(), a.true_pairs()), (b.len(), b.true_pairs()));
        assert_eq!(b.index_of("c"), Some(2));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_and_interns() {
        let csv = "\u{feff}record_id,cluster,note\n a ,x,1\nb,y\n\nc,x\n";
        let truth = Truth::read_csv(csv.as_bytes(), "t.csv").unwrap();
        assert_eq!(truth.len(), 3);
        assert_eq!(truth.index_of("a"), Some(0));
        assert_eq!(truth.index_of(" c "), Some(2));
        assert_eq!(truth.cluster_of(0), truth.cluster_of(2));
        assert_ne!(truth.cluster_of(0), truth.cluster_of(1));
        assert_eq!(truth.cluster_label(truth.cluster_of(1)), "y");
        assert_eq!(truth.cluster_sizes(), &[2, 1]);
        assert_eq!(truth.true_pairs(), 1);
        assert_eq!(truth.comparable_pairs(), 3);
    }

    #[test]
    fn errors_name_row_and_column_not_value() {
        let err = Truth::read_csv("id,c\nsecret-1,1\nsecret-1,2\n".as_bytes(), "t.csv");
        let err = err.unwrap_err();
        assert_eq!(
            err,
            EvalError::Cell {
                file: "t.csv".into(),
                row: 2,
                column: "id".into(),
                reason: "record listed twice",
            }
        );
        assert!(!err.to_string().contains("secret"));
        let blank = Truth::read_csv("id,c\na,\n".as_bytes(), "t.csv").unwrap_err();
        assert!(matches!(blank, EvalError::Cell { row: 1, ref column, .. } if column == "c"));
        let short = Truth::read_csv("id,c\na\n".as_bytes(), "t.csv").unwrap_err();
        assert!(matches!(
            short,
            EvalError::Cell {
                reason: "the row is too short",
                ..
            }
        ));
        let narrow = Truth::read_csv("id\na\n".as_bytes(), "t.csv").unwrap_err();
        assert!(matches!(narrow, EvalError::File { .. }));
    }

    #[test]
    fn febrl_ids() {
        assert_eq!(febrl_cluster("rec-0-org"), Some("0"));
        assert_eq!(febrl_cluster("rec-123-dup-12"), Some("123"));
        for bad in [
            "rec--org",
            "rec-1-dup-",
            "rec-1-dupe-1",
            "rec-x-org",
            "1",
            "",
        ] {
            assert_eq!(febrl_cluster(bad), None, "{bad}");
        }
        let err = Truth::from_febrl_ids(["rec-1-org", "person 2"]).unwrap_err();
        assert!(matches!(err, EvalError::Cell { row: 2, .. }));
    }

    #[test]
    fn record_keys() {
        let truth = Truth::from_rows([("a", "1"), ("b", "2")]).unwrap();
        assert_eq!(1u32.resolve(&truth), Some(1));
        assert_eq!(2u32.resolve(&truth), None);
        assert_eq!("b".resolve(&truth), Some(1));
        assert_eq!(RecordId::from("a").resolve(&truth), Some(0));
        assert_eq!(String::from("z").resolve(&truth), None);
    }
}
