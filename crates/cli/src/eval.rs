//! `sameas eval`: scores predicted entities or pairs against a truth.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use sameas_core::{Channel, FieldKind, Value};
use sameas_eval::{
    Counts, DEFAULT_THRESHOLD, Evaluation, ExamplePair, Predicted, PredictionFormat, Scores, Truth,
    evaluate,
};
use sameas_normalize::infer::{infer_schema, record_from_row};
use sameas_normalize::privacy::mask;
use sameas_normalize::table::read_csv;
use serde::Serialize;

/// The fields an example shows, masked, when `--data` is given.
const SHOWN_KINDS: [FieldKind; 4] = [
    FieldKind::Name,
    FieldKind::Phone,
    FieldKind::Email,
    FieldKind::BirthDate,
];

/// `sameas eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The truth CSV: the record id and the true cluster id in its first two columns.
    #[arg(long)]
    truth: PathBuf,
    /// The prediction: entities (`record_id,entity_id`) or pairs (a `record_id_l` column).
    pred: PathBuf,
    /// For pairs, link those whose match_probability is at or above this, transitively.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// How many example false merges, and as many missed links, to show.
    #[arg(long, default_value_t = 5)]
    examples: usize,
    /// The input data file: examples then show the records' name, phone, e-mail and birth
    /// date, masked.
    #[arg(long)]
    data: Option<PathBuf>,
}

/// Masked values of one record, by field kind.
pub(crate) type Masked = BTreeMap<&'static str, String>;

#[derive(Serialize)]
struct ShownExample<'a> {
    #[serde(flatten)]
    pair: &'a ExamplePair,
    #[serde(skip_serializing_if = "Option::is_none")]
    masked_l: Option<&'a Masked>,
    #[serde(skip_serializing_if = "Option::is_none")]
    masked_r: Option<&'a Masked>,
}

#[derive(Serialize)]
struct Report<'a> {
    format: PredictionFormat,
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold: Option<f64>,
    pairwise: Scores,
    bcubed: Scores,
    counts: &'a Counts,
    #[serde(skip)]
    evaluation: &'a Evaluation,
    false_merges: Vec<ShownExample<'a>>,
    missed_links: Vec<ShownExample<'a>>,
}

/// Runs `sameas eval`.
pub fn eval(args: &EvalArgs) -> Result<()> {
    if !(args.threshold > 0.0 && args.threshold < 1.0) {
        bail!("--threshold must be a probability strictly between 0 and 1");
    }
    let truth = Truth::from_path(&args.truth)?;
    let (predicted, format) = Predicted::from_path(&truth, &args.pred, args.threshold)?;
    let evaluation = evaluate(&truth, &predicted, args.examples)?;
    let masked = match &args.data {
        Some(path) => {
            let wanted: HashSet<&str> = evaluation
                .false_merges
                .iter()
                .chain(&evaluation.missed_links)
                .flat_map(|e| [e.record_id_l.as_str(), e.record_id_r.as_str()])
                .collect();
            masked_records(path, &wanted)?
        }
        None => HashMap::new(),
    };
    let report = Report {
        format,
        threshold: (format == PredictionFormat::Pairs).then_some(args.threshold),
        pairwise: evaluation.pairwise,
        bcubed: evaluation.bcubed,
        counts: &evaluation.counts,
        evaluation: &evaluation,
        false_merges: shown(&evaluation.false_merges, &masked),
        missed_links: shown(&evaluation.missed_links, &masked),
    };
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &report)?;
    }
    Ok(())
}

fn shown<'a>(
    pairs: &'a [ExamplePair],
    masked: &'a HashMap<String, Masked>,
) -> Vec<ShownExample<'a>> {
    pairs
        .iter()
        .map(|pair| ShownExample {
            pair,
            masked_l: masked.get(pair.record_id_l.as_str()),
            masked_r: masked.get(pair.record_id_r.as_str()),
        })
        .collect()
}

/// Reads the data file and masks the shown fields (name, phone, e-mail, birth date) of the
/// `wanted` records.
pub(crate) fn masked_records(
    path: &Path,
    wanted: &HashSet<&str>,
) -> Result<HashMap<String, Masked>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let table = read_csv(&bytes, None)
        .with_context(|| format!("{} cannot be read as a table", path.display()))?;
    let schema = infer_schema(&table.headers)
        .with_context(|| format!("{}: line 1 is not a usable header", path.display()))?
        .schema;
    let fields: Vec<(FieldKind, usize)> = SHOWN_KINDS
        .iter()
        .filter_map(|&kind| schema.fields_of_kind(kind).next().map(|at| (kind, at)))
        .collect();
    let mut masked = HashMap::new();
    for row in &table.rows {
        let record = record_from_row(&schema, &row.cells, row.number, &Channel::Unknown);
        let id = record.id.as_str();
        if !wanted.contains(id) || masked.contains_key(id) {
            continue;
        }
        let values: Masked = fields
            .iter()
            .filter_map(|&(kind, at)| {
                let text = match &record.fields[at] {
                    Value::Text(text) => text.clone(),
                    Value::Parts(parts) => parts
                        .iter()
                        .map(|(_, text)| text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    _ => return None,
                };
                Some((kind.as_str(), mask(kind, &text)))
            })
            .collect();
        masked.insert(id.to_string(), values);
    }
    Ok(masked)
}

fn write_text(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let eval = report.evaluation;
    let c = &eval.counts;
    match report.threshold {
        Some(threshold) => writeln!(
            out,
            "prediction: pairs, linked transitively at match_probability >= {threshold}"
        )?,
        None => writeln!(out, "prediction: entities")?,
    }
    writeln!(
        out,
        "records {}, true clusters {}, predicted entities {}",
        c.records, c.true_clusters, c.predicted_entities
    )?;
    writeln!(
        out,
        "pairs: true {}, predicted {}, true positives {}, false positives {}, false negatives {}",
        c.true_pairs, c.predicted_pairs, c.true_positives, c.false_positives, c.false_negatives
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<10}{:>10}{:>10}{:>10}",
        "", "precision", "recall", "F1"
    )?;
    for (label, s) in [("pairwise", eval.pairwise), ("B-cubed", eval.bcubed)] {
        writeln!(
            out,
            "{label:<10}{:>10.4}{:>10.4}{:>10.4}",
            s.precision, s.recall, s.f1
        )?;
    }
    for (title, examples) in [
        ("false merges", &report.false_merges),
        ("missed links", &report.missed_links),
    ] {
        if examples.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{title} (examples):")?;
        for e in examples {
            let p = e.pair;
            writeln!(
                out,
                "  {} (cluster {})  ~  {} (cluster {})",
                p.record_id_l, p.cluster_l, p.record_id_r, p.cluster_r
            )?;
            let rows: Vec<(&str, &str, &str)> = SHOWN_KINDS
                .iter()
                .filter_map(|kind| {
                    let key = kind.as_str();
                    let l = e.masked_l.and_then(|m| m.get(key));
                    let r = e.masked_r.and_then(|m| m.get(key));
                    (l.is_some() || r.is_some()).then(|| {
                        (
                            key,
                            l.map_or("-", String::as_str),
                            r.map_or("-", String::as_str),
                        )
                    })
                })
                .collect();
            let width = rows.iter().map(|(_, l, _)| l.chars().count()).max();
            for (key, l, r) in &rows {
                let pad = width.unwrap_or(0) - l.chars().count();
                writeln!(out, "      {key:<11}{l}{:pad$}  |  {r}", "")?;
            }
        }
    }
    Ok(())
}
