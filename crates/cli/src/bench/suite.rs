//! The bench suite file (`benches/suite.toml`) and the data it names: shipped files, files
//! joined under one header, and generated files, written once under `target/bench-data/`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sameas_synth::{Difficulty, SynthConfig};
use serde::Deserialize;

/// Where derived and generated data goes, relative to the current directory.
pub const DATA_DIR: &str = "target/bench-data";

/// The suite file: a list of datasets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    /// The datasets, in the order the table lists them.
    pub dataset: Vec<Dataset>,
}

/// One labelled dataset: shipped files with a truth, or a generator run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// The row's name.
    pub name: String,
    /// Data files, relative to the suite file; two or more are joined under the first one's
    /// header.
    #[serde(default)]
    pub inputs: Vec<PathBuf>,
    /// The truth file (record id, cluster id), relative to the suite file.
    pub truth: Option<PathBuf>,
    /// A generator run instead of files.
    pub synth: Option<SynthRun>,
    /// The pairwise-F1 floor that `--check` enforces.
    pub floor: Option<f64>,
    /// Left out unless `--slow` (or `--only` names it).
    #[serde(default)]
    pub slow: bool,
    /// Resolve the input with its header line left out: every column read from its values
    /// alone, as in a file whose headers the rules do not know.
    #[serde(default)]
    pub without_header: bool,
}

/// `sameas synth --records N --seed S`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynthRun {
    /// Records to generate.
    pub records: u64,
    /// The seed.
    pub seed: u64,
}

/// A dataset's data and truth files, ready to read.
#[derive(Debug, Clone)]
pub struct Files {
    /// The one data file.
    pub data: PathBuf,
    /// The truth file.
    pub truth: PathBuf,
}

impl Suite {
    /// Reads and checks a suite file.
    ///
    /// # Errors
    /// An unreadable file, TOML that does not parse or has unknown keys, or a dataset that is
    /// not well formed (named by its position and name).
    pub fn read(path: &Path) -> Result<Suite> {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let suite: Suite =
            toml::from_str(&text).with_context(|| format!("{} is not a suite", path.display()))?;
        let mut names = std::collections::HashSet::new();
        for (at, d) in suite.dataset.iter().enumerate() {
            let what = || format!("{}: dataset {} ({})", path.display(), at + 1, d.name);
            if d.name.is_empty()
                || !d
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                bail!("{}: the name must be letters, digits, _ or -", what());
            }
            if !names.insert(d.name.as_str()) {
                bail!("{}: the name is used twice", what());
            }
            match (&d.synth, d.inputs.is_empty(), &d.truth) {
                (Some(_), true, None) => {}
                (None, false, Some(_)) => {}
                (Some(_), _, _) => bail!("{}: synth takes no inputs and no truth", what()),
                (None, _, _) => bail!("{}: needs inputs and a truth, or synth", what()),
            }
            if d.without_header && d.inputs.len() != 1 {
                bail!("{}: without_header takes one input", what());
            }
            if let Some(floor) = d.floor
                && !(0.0..=1.0).contains(&floor)
            {
                bail!("{}: floor must be in [0, 1]", what());
            }
        }
        Ok(suite)
    }

    /// The datasets to run: those `only` names (every one must exist), else every dataset
    /// that is not slow unless `slow`.
    ///
    /// # Errors
    /// A name in `only` the suite does not have.
    pub fn select(&self, only: &[String], slow: bool) -> Result<Vec<&Dataset>> {
        if only.is_empty() {
            return Ok(self.dataset.iter().filter(|d| slow || !d.slow).collect());
        }
        for name in only {
            if !self.dataset.iter().any(|d| &d.name == name) {
                bail!("--only: the suite has no dataset named `{name}`");
            }
        }
        Ok(self
            .dataset
            .iter()
            .filter(|d| only.contains(&d.name))
            .collect())
    }
}

impl Dataset {
    /// The data and truth files, writing the joined or generated ones under [`DATA_DIR`]
    /// when they do not exist yet. `suite_dir` is the suite file's folder.
    ///
    /// # Errors
    /// Unreadable inputs or unwritable outputs.
    pub fn files(&self, suite_dir: &Path) -> Result<Files> {
        let generated = Path::new(DATA_DIR);
        if let Some(run) = self.synth {
            let data = generated.join(format!("{}.csv", self.name));
            let truth = generated.join(format!("{}_truth.csv", self.name));
            if !(data.exists() && truth.exists()) {
                eprintln!(
                    "{}: generating {} records (seed {}) into {}",
                    self.name,
                    run.records,
                    run.seed,
                    data.display()
                );
                fs::create_dir_all(generated)
                    .with_context(|| format!("cannot create {}", generated.display()))?;
                let config = SynthConfig {
                    records: run.records,
                    seed: run.seed,
                    difficulty: Difficulty::default(),
                };
                let (data_part, truth_part) = (partial(&data), partial(&truth));
                crate::synth::write_files(&config, &data_part, &truth_part)?;
                rename(&truth_part, &truth)?;
                rename(&data_part, &data)?;
            }
            return Ok(Files { data, truth });
        }
        let truth = suite_dir.join(self.truth.as_ref().expect("checked when read"));
        if let ([one], true) = (self.inputs.as_slice(), self.without_header) {
            let data = generated.join(format!("{}.csv", self.name));
            if !data.exists() {
                fs::create_dir_all(generated)
                    .with_context(|| format!("cannot create {}", generated.display()))?;
                let part = partial(&data);
                write_without_header(&suite_dir.join(one), &part)?;
                rename(&part, &data)?;
            }
            return Ok(Files { data, truth });
        }
        if let [one] = self.inputs.as_slice() {
            return Ok(Files {
                data: suite_dir.join(one),
                truth,
            });
        }
        let data = generated.join(format!("{}.csv", self.name));
        if !data.exists() {
            let inputs: Vec<PathBuf> = self.inputs.iter().map(|p| suite_dir.join(p)).collect();
            fs::create_dir_all(generated)
                .with_context(|| format!("cannot create {}", generated.display()))?;
            let part = partial(&data);
            join_files(&inputs, &part)?;
            rename(&part, &data)?;
        }
        Ok(Files { data, truth })
    }
}

/// Writes `input` (decompressed when it is gzip) without its first line, its header.
fn write_without_header(input: &Path, out: &Path) -> Result<()> {
    let bytes = fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    let text = sameas_normalize::table::gunzip(&bytes)
        .with_context(|| format!("cannot decompress {}", input.display()))?;
    let body = match text.iter().position(|&b| b == b'\n') {
        Some(end) => &text[end + 1..],
        None => &[],
    };
    fs::write(out, body).with_context(|| format!("cannot write {}", out.display()))
}

/// Writes the first file whole, then every other file without its first line (its header);
/// a file that does not end in a newline gets one.
fn join_files(inputs: &[PathBuf], out: &Path) -> Result<()> {
    let mut writer = std::io::BufWriter::new(
        fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    for (at, path) in inputs.iter().enumerate() {
        let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let body = if at == 0 {
            &bytes[..]
        } else {
            match bytes.iter().position(|&b| b == b'\n') {
                Some(end) => &bytes[end + 1..],
                None => &[],
            }
        };
        writer.write_all(body)?;
        if !body.is_empty() && !body.ends_with(b"\n") {
            writer.write_all(b"\n")?;
        }
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", out.display()))
}

/// Where a file is written before it is renamed into place, so that an interrupted run
/// never leaves a partial file to be reused.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().expect("a file name").to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).with_context(|| format!("cannot write {}", to.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Suite> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("suite.toml");
        fs::write(&path, text).unwrap();
        Suite::read(&path)
    }

    #[test]
    fn reads_and_selects() {
        let suite = parse(
            r#"
            [[dataset]]
            name = "a"
            inputs = ["a.csv"]
            truth = "a_truth.csv"
            floor = 0.9

            [[dataset]]
            name = "big"
            synth = { records = 10, seed = 1 }
            slow = true
            "#,
        )
        .unwrap();
        let names = |d: Vec<&Dataset>| d.iter().map(|d| d.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(suite.select(&[], false).unwrap()), ["a"]);
        assert_eq!(names(suite.select(&[], true).unwrap()), ["a", "big"]);
        assert_eq!(
            names(suite.select(&["big".into()], false).unwrap()),
            ["big"]
        );
        let err = suite.select(&["nope".into()], false).unwrap_err();
        assert!(err.to_string().contains("`nope`"));
    }

    #[test]
    fn refuses_malformed_datasets() {
        for (text, reason) in [
            (
                "[[dataset]]\nname = \"a\"\ninputs = [\"a.csv\"]\n",
                "needs inputs",
            ),
            (
                "[[dataset]]\nname = \"a\"\nsynth = { records = 1, seed = 1 }\ntruth = \"t.csv\"\n",
                "synth takes no inputs",
            ),
            (
                "[[dataset]]\nname = \"a b\"\nsynth = { records = 1, seed = 1 }\n",
                "the name",
            ),
            (
                "[[dataset]]\nname = \"a\"\nsynth = { records = 1, seed = 1 }\nflor = 0.9\n",
                "not a suite",
            ),
            (
                "[[dataset]]\nname = \"a\"\nsynth = { records = 1, seed = 1 }\nfloor = 1.5\n",
                "floor",
            ),
            (
                "[[dataset]]\nname = \"a\"\ninputs = [\"a.csv\", \"b.csv\"]\ntruth = \"t.csv\"\nwithout_header = true\n",
                "without_header takes one input",
            ),
        ] {
            let err = format!("{:#}", parse(text).unwrap_err());
            assert!(err.contains(reason), "{text}: {err}");
        }
    }

    #[test]
    fn a_file_without_its_header_keeps_every_record() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.csv");
        fs::write(&plain, "id,name\n1,x\n2,y\n").unwrap();
        let gzip = dir.path().join("a.csv.gz");
        fs::write(&gzip, gzip_bytes(b"id,name\n1,x\n2,y\n")).unwrap();
        for input in [plain, gzip] {
            let out = dir.path().join("out.csv");
            write_without_header(&input, &out).unwrap();
            assert_eq!(fs::read_to_string(&out).unwrap(), "1,x\n2,y\n");
        }
    }

    /// `bytes` gzip-compressed, as a shipped dataset is.
    fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn joins_files_under_the_first_header() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        fs::write(&a, "id,name\n1,x").unwrap();
        fs::write(&b, "id,name\n2,y\n3,z\n").unwrap();
        let out = dir.path().join("out.csv");
        join_files(&[a, b], &out).unwrap();
        assert_eq!(
            fs::read_to_string(&out).unwrap(),
            "id,name\n1,x\n2,y\n3,z\n"
        );
    }
}
