//! Seeded synthetic multi-channel retail customer records with ground truth, for measuring
//! sameas (and any other resolver) on data as awkward as the real thing.
//!
//! Households of mainland Chinese (about 85%) and Western (about 15%) customers share
//! addresses, landlines, sometimes a mobile or a device; twins share a birth date; common
//! names (张伟, 王芳, John Smith) collide across unrelated people. Each person has a skewed
//! number of records from six channels (store till, app, mini-program, marketplace, call
//! centre, web), and each channel fills in its own fields and mangles them its own way:
//! homophones, Traditional script, pinyin in either order, honorific-only names, a dozen
//! phone formats, masked phones, e-mail case, dots, plus-tags and domain typos, shortened
//! addresses, date formats, changed phones and moves. Every rate lives in [`Difficulty`];
//! its [`Default`] is the **fixed** benchmark difficulty documented in the README.
//!
//! Output is byte-identical for the same [`SynthConfig`] whatever the thread count: every
//! household draws from its own random stream derived from the seed and its index.
//!
//! ```
//! use sameas_synth::{generate, SynthConfig, DATA_HEADER};
//!
//! let config = SynthConfig { records: 200, seed: 7, ..SynthConfig::default() };
//! let generated = generate(&config).unwrap();
//! assert_eq!(generated.records.len(), 200);
//! let first = &generated.records[0];
//! assert_eq!(first.values.len(), DATA_HEADER.len());
//! assert_eq!(first.values[0], "R0000001");
//! // The truth says which person each record belongs to; the data never does.
//! assert!(first.truth.person_id.starts_with('P'));
//! ```
#![deny(missing_docs)]

mod corrupt;
mod difficulty;
mod person;
mod record;
mod rng;
mod tables;
mod transactions;

use std::io::Write;

use rayon::prelude::*;
use sameas_core::Channel;
use serde::{Deserialize, Serialize};

pub use difficulty::{ChannelProfile, Difficulty};
pub use record::{Corruption, Corruptions};
pub use transactions::{
    PurchaseProcess, SimulatedCustomer, SpendProcess, TransactionConfig, simulate_customer,
    write_orders, write_summary,
};

use record::Rows;
use rng::Draw;

/// The data file's header. Every column is recognised by `sameas_normalize`'s schema
/// inference (`phone2` as a second phone).
pub const DATA_HEADER: [&str; 13] = [
    "record_id",
    "channel",
    "name",
    "phone",
    "phone2",
    "email",
    "address",
    "birth_date",
    "gender",
    "id_number",
    "member_no",
    "device_id",
    "updated_at",
];

/// The truth file's header: record id, then the true cluster (person), then the household.
pub const TRUTH_HEADER: [&str; 3] = ["record_id", "person_id", "household_id"];

/// Fields per row after the record id.
pub(crate) const DATA_FIELDS: usize = DATA_HEADER.len() - 1;

/// The channels, in the order of [`Difficulty::channels`].
pub const CHANNELS: [Channel; 6] = [
    Channel::Pos,
    Channel::App,
    Channel::MiniProgram,
    Channel::Marketplace,
    Channel::CallCentre,
    Channel::Web,
];

/// Households generated per unit of parallel work.
const HOUSEHOLDS_PER_CHUNK: u64 = 512;

/// The most records one run may ask for (record ids and offsets are 32-bit).
pub const MAX_RECORDS: u64 = 100_000_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynthConfig {
    /// Number of records (rows), not people.
    pub records: u64,
    /// The seed; the same seed and difficulty give the same bytes.
    pub seed: u64,
    /// Every rate; the default is the fixed benchmark difficulty.
    #[serde(default)]
    pub difficulty: Difficulty,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            records: 10_000,
            seed: 0,
            difficulty: Difficulty::default(),
        }
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SynthError {
    /// A rate is outside [0, 1] or a weight list is empty, negative or all zero.
    #[error("invalid difficulty setting `{setting}`")]
    InvalidDifficulty {
        /// The setting's name.
        setting: &'static str,
    },
    /// More records were asked for than [`MAX_RECORDS`].
    #[error("too many records: at most {max} can be generated")]
    TooManyRecords {
        /// The limit.
        max: u64,
    },
    /// Writing an output failed.
    #[error("writing output failed")]
    Io(#[from] std::io::Error),
}

/// The true values behind one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordTruth {
    /// The true person (cluster) id.
    pub person_id: String,
    /// The household id.
    pub household_id: String,
    /// The national digits of the phone the `phone` column was written from, if any.
    pub phone: Option<String>,
    /// The person's birth date, `YYYY-MM-DD`.
    pub birth_date: String,
    /// Whether the person is male.
    pub male: bool,
    /// Whether the person is a Western customer.
    pub western: bool,
    /// The corruptions applied to this record.
    pub corruptions: Corruptions,
}

/// One generated record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthRecord {
    /// The values in [`DATA_HEADER`] order, record id first; absent fields are empty.
    pub values: Vec<String>,
    /// What the record truly is.
    pub truth: RecordTruth,
}

/// Records in output order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// The records, in the order the data file lists them.
    pub records: Vec<SynthRecord>,
}

/// Counts of what a run wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Records written.
    pub records: u64,
    /// Distinct people behind them.
    pub persons: u64,
    /// Distinct households behind them.
    pub households: u64,
}

/// Generated rows, held in generation order, and the shuffled output order.
struct Built {
    chunks: Vec<Rows>,
    /// `(chunk, row)` for each output position.
    order: Vec<(u32, u32)>,
    id_width: usize,
}

fn build(config: &SynthConfig) -> Result<Built, SynthError> {
    config
        .difficulty
        .validate()
        .map_err(|setting| SynthError::InvalidDifficulty { setting })?;
    if config.records > MAX_RECORDS {
        return Err(SynthError::TooManyRecords { max: MAX_RECORDS });
    }
    let wanted = config.records as usize;
    let mut households: Vec<Vec<person::Household>> = Vec::new();
    let mut total = 0usize;
    while total < wanted {
        // About five records per household; ask for a little more than needed.
        let remaining = (wanted - total) as u64;
        let batch = (remaining / (HOUSEHOLDS_PER_CHUNK * 4) + 1).max(1);
        let first = households.len() as u64;
        let new: Vec<Vec<person::Household>> = (first..first + batch)
            .into_par_iter()
            .map(|chunk| {
                (chunk * HOUSEHOLDS_PER_CHUNK..(chunk + 1) * HOUSEHOLDS_PER_CHUNK)
                    .map(|index| person::household(config.seed, index, &config.difficulty))
                    .collect()
            })
            .collect();
        total += new
            .iter()
            .flatten()
            .flat_map(|household| &household.members)
            .map(record::records_of)
            .sum::<usize>();
        households.extend(new);
    }
    person::unique_emails(config.seed, &mut households, HOUSEHOLDS_PER_CHUNK);
    let chunks: Vec<Rows> = households
        .into_par_iter()
        .enumerate()
        .map(|(chunk, households)| {
            let mut rows = Rows::default();
            let first = chunk as u64 * HOUSEHOLDS_PER_CHUNK;
            for (index, household) in (first..).zip(&households) {
                record::render_household(
                    config.seed,
                    index,
                    household,
                    &config.difficulty,
                    &mut rows,
                );
            }
            rows
        })
        .collect();
    let mut order = Vec::with_capacity(wanted);
    'fill: for (c, rows) in chunks.iter().enumerate() {
        for r in 0..rows.len() {
            if order.len() == wanted {
                break 'fill;
            }
            order.push((c as u32, r as u32));
        }
    }
    // Fisher–Yates, so duplicates are not adjacent and ids reveal nothing.
    let mut draw = Draw::new(config.seed, 4, 0);
    for i in (1..order.len()).rev() {
        let j = draw.below(i + 1);
        order.swap(i, j);
    }
    let id_width = wanted.to_string().len().max(7);
    Ok(Built {
        chunks,
        order,
        id_width,
    })
}

fn push_record_id(out: &mut Vec<u8>, position: usize, width: usize) {
    let _ = write!(out, "R{:0width$}", position + 1);
}

fn push_person_id(out: &mut Vec<u8>, household: u64, member: u8) {
    let _ = write!(out, "P{household:08}-{member}");
}

fn push_household_id(out: &mut Vec<u8>, household: u64) {
    let _ = write!(out, "H{household:08}");
}

fn push_csv_field(out: &mut Vec<u8>, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        for b in value.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value.as_bytes());
    }
}

/// Generates the records of `config` in output order.
///
/// # Errors
/// [`SynthError::InvalidDifficulty`] or [`SynthError::TooManyRecords`].
pub fn generate(config: &SynthConfig) -> Result<Generated, SynthError> {
    let built = build(config)?;
    let records = built
        .order
        .par_iter()
        .enumerate()
        .map(|(position, &(c, r))| {
            let rows = &built.chunks[c as usize];
            let r = r as usize;
            let meta = &rows.meta[r];
            let mut id = Vec::new();
            push_record_id(&mut id, position, built.id_width);
            let mut values = Vec::with_capacity(DATA_HEADER.len());
            values.push(String::from_utf8(id).unwrap_or_default());
            values.extend((0..DATA_FIELDS).map(|f| rows.field(r, f).to_string()));
            let mut person = Vec::new();
            push_person_id(&mut person, meta.household, meta.member);
            let mut household = Vec::new();
            push_household_id(&mut household, meta.household);
            let (y, m, d) = meta.birth;
            SynthRecord {
                values,
                truth: RecordTruth {
                    person_id: String::from_utf8(person).unwrap_or_default(),
                    household_id: String::from_utf8(household).unwrap_or_default(),
                    phone: meta.phone.map(|p| p.digits().to_string()),
                    birth_date: format!("{y:04}-{m:02}-{d:02}"),
                    male: meta.male,
                    western: meta.western,
                    corruptions: meta.corruptions,
                },
            }
        })
        .collect();
    Ok(Generated { records })
}

/// Generates the records of `config` and writes the data CSV (header [`DATA_HEADER`]) to
/// `data` and the truth CSV (header [`TRUTH_HEADER`]) to `truth`, both UTF-8 with `\n` line
/// ends, rows in the same order. Pass buffered writers.
///
/// # Errors
/// [`SynthError::InvalidDifficulty`], [`SynthError::TooManyRecords`], or
/// [`SynthError::Io`] when a writer fails.
pub fn write_csv<D: Write, T: Write>(
    config: &SynthConfig,
    mut data: D,
    mut truth: T,
) -> Result<Summary, SynthError> {
    let built = build(config)?;
    data.write_all(DATA_HEADER.join(",").as_bytes())?;
    data.write_all(b"\n")?;
    truth.write_all(TRUTH_HEADER.join(",").as_bytes())?;
    truth.write_all(b"\n")?;
    const BLOCK: usize = 1 << 14;
    const BLOCKS_PER_WINDOW: usize = 32;
    for (window_index, window) in built.order.chunks(BLOCK * BLOCKS_PER_WINDOW).enumerate() {
        let base = window_index * BLOCK * BLOCKS_PER_WINDOW;
        let blocks: Vec<(Vec<u8>, Vec<u8>)> = window
            .par_chunks(BLOCK)
            .enumerate()
            .map(|(b, block)| {
                let mut out = Vec::with_capacity(block.len() * 160);
                let mut truth_out = Vec::with_capacity(block.len() * 40);
                for (i, &(c, r)) in block.iter().enumerate() {
                    let position = base + b * BLOCK + i;
                    let rows = &built.chunks[c as usize];
                    let r = r as usize;
                    push_record_id(&mut out, position, built.id_width);
                    for f in 0..DATA_FIELDS {
                        out.push(b',');
                        push_csv_field(&mut out, rows.field(r, f));
                    }
                    out.push(b'\n');
                    let meta = &rows.meta[r];
                    push_record_id(&mut truth_out, position, built.id_width);
                    truth_out.push(b',');
                    push_person_id(&mut truth_out, meta.household, meta.member);
                    truth_out.push(b',');
                    push_household_id(&mut truth_out, meta.household);
                    truth_out.push(b'\n');
                }
                (out, truth_out)
            })
            .collect();
        for (out, truth_out) in blocks {
            data.write_all(&out)?;
            truth.write_all(&truth_out)?;
        }
    }
    data.flush()?;
    truth.flush()?;
    let mut persons = std::collections::HashSet::new();
    let mut households = std::collections::HashSet::new();
    for &(c, r) in &built.order {
        let meta = &built.chunks[c as usize].meta[r as usize];
        persons.insert((meta.household, meta.member));
        households.insert(meta.household);
    }
    Ok(Summary {
        records: built.order.len() as u64,
        persons: persons.len() as u64,
        households: households.len() as u64,
    })
}
