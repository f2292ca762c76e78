//! The page: sections of charts, each with its numbers beside it, in one HTML document with
//! its style inline.

use std::fmt::Write as _;

use serde_json::Value;

use crate::read::{ResolveRun, ScoreRun, SegmentRun, Sources, VALUE_BINS};
use crate::svg::{Band, Bar, Bin, Marker, compact, esc, hbars, heatmap, histogram, paired_bars};

const STYLE: &str = r#"
:root { --ink: #222; --muted: #666; --rule: #d8dde3; --accent: #2f6ea5; --warn: #c44e37; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC",
  "Microsoft YaHei", sans-serif; color: var(--ink); margin: 0; background: #fafbfc; }
header { background: #1f3b57; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: .85; }
nav { padding: 8px 32px; background: #eef2f6; border-bottom: 1px solid var(--rule); }
nav a { margin-right: 16px; color: var(--accent); text-decoration: none; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 32px 40px; }
section { margin-top: 28px; }
section > h2 { border-bottom: 2px solid var(--accent); padding-bottom: 4px; }
.lead { color: var(--muted); margin-top: -6px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.kpi { background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: 8px 14px;
  min-width: 130px; }
.kpi b { display: block; font-size: 20px; }
.kpi span { color: var(--muted); font-size: 12px; }
figure.chart { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start;
  background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: 12px 16px;
  margin: 14px 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart figcaption { flex-basis: 100%; font-weight: 600; }
figure.chart figcaption small { font-weight: normal; color: var(--muted); }
figure.chart svg { flex: 1 1 520px; max-width: 640px; height: auto; }
table { border-collapse: collapse; font-size: 12.5px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--rule); text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f1f4f7; }
table.numbers { flex: 0 1 auto; }
td.warn { color: var(--warn); font-weight: 600; }
td.text { text-align: left; max-width: 520px; }
details { margin: 4px 0; }
code { background: #eef1f4; padding: 1px 4px; border-radius: 3px; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
@media print {
  body { background: #fff; font-size: 11px; }
  header { background: none; color: #000; border-bottom: 2px solid #000; padding: 0 0 6px; }
  nav { display: none; }
  main { max-width: none; padding: 0; }
  section { break-before: page; }
  section:first-of-type { break-before: auto; }
  figure.chart { border: none; padding: 0; }
  details { display: block; }
  details > * { display: block; }
}
"#;

/// A figure: caption, chart and the table of its numbers.
struct Figure {
    id: String,
    caption: String,
    note: String,
    svg: String,
    table: String,
}

impl Figure {
    fn html(&self) -> String {
        format!(
            "<figure class=\"chart\" id=\"{}\" data-chart=\"{}\"><figcaption>{} <small>{}</small>\
             </figcaption>{}{}</figure>\n",
            esc(&self.id),
            esc(&self.id),
            esc(&self.caption),
            esc(&self.note),
            self.svg,
            self.table
        )
    }
}

/// A table of numbers: header cells, then rows of cells (already escaped HTML).
fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table class=\"numbers\"><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            if let Some(rest) = cell.strip_prefix('\u{1}') {
                let _ = write!(out, "<td class=\"warn\">{rest}</td>");
            } else if let Some(rest) = cell.strip_prefix('\u{2}') {
                let _ = write!(out, "<td class=\"text\">{rest}</td>");
            } else {
                let _ = write!(out, "<td>{cell}</td>");
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn warn(cell: String) -> String {
    format!("\u{1}{cell}")
}

fn text(cell: &str) -> String {
    format!("\u{2}{}", esc(cell))
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn int(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn kpis(items: &[(&str, String)]) -> String {
    let mut out = String::from("<div class=\"kpis\">");
    for (label, value) in items {
        let _ = write!(
            out,
            "<div class=\"kpi\"><b>{}</b><span>{}</span></div>",
            esc(value),
            esc(label)
        );
    }
    out.push_str("</div>");
    out
}

struct Section {
    id: &'static str,
    title: &'static str,
    lead: String,
    body: String,
}

/// The whole document.
pub(crate) fn render(sources: &Sources) -> String {
    let mut sections = Vec::new();
    let quality = sources
        .resolve
        .as_ref()
        .and_then(|r| {
            r.report
                .get("quality")
                .filter(|q| q.get("channels").is_some())
        })
        .or(sources.profile.as_ref());
    if let Some(q) = quality {
        sections.push(quality_section(q));
    }
    if let Some(r) = &sources.resolve {
        sections.push(resolution_section(r));
        sections.push(entities_section(r));
    }
    if let Some(s) = &sources.score {
        sections.push(value_section(s));
    }
    if let Some(s) = &sources.segment {
        sections.push(segments_section(s));
        sections.push(cohorts_section(s));
    }
    let mut out = String::with_capacity(1 << 16);
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>sameas report</title><style>",
    );
    out.push_str(STYLE);
    out.push_str("</style></head><body><header><h1>sameas report</h1><p>");
    let mut from = Vec::new();
    if let Some(r) = &sources.resolve {
        from.push(format!("resolve: {}", r.name));
    }
    if let Some(s) = &sources.score {
        from.push(format!("score: {}", s.name));
    }
    if let Some(s) = &sources.segment {
        from.push(format!("segment: {}", s.name));
    }
    if sources.profile.is_some() {
        from.push("profile".to_string());
    }
    let _ = write!(
        out,
        "{}. Only counts, bins and masked values: no raw name, phone, e-mail or id.</p>\
         </header><nav>",
        esc(&from.join(" · "))
    );
    for s in &sections {
        let _ = write!(out, "<a href=\"#{}\">{}</a>", s.id, esc(s.title));
    }
    out.push_str("</nav><main>");
    for s in &sections {
        let _ = writeln!(
            out,
            "<section id=\"{}\" data-section=\"{}\"><h2>{}</h2><p class=\"lead\">{}</p>{}</section>",
            s.id,
            s.id,
            esc(s.title),
            esc(&s.lead),
            s.body
        );
    }
    let _ = writeln!(
        out,
        "<footer>Made by sameas {} (<code>sameas report</code>). One file: styles and charts \
         are inline, nothing is fetched.</footer></main></body></html>",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn quality_section(q: &Value) -> Section {
    let channels = q["channels"].as_array().cloned().unwrap_or_default();
    let gate = sameas_normalize::profile::QUALITY_GATE;
    let mut body = String::new();
    let per_channel: Vec<&Value> = channels
        .iter()
        .filter(|c| c["channel"].as_str() != Some("all"))
        .collect();
    let below = per_channel
        .iter()
        .filter(|c| f(&c["quality"]) < gate)
        .count();
    body.push_str(&kpis(&[
        ("records", int(u(&q["records"]))),
        ("bad rows", int(u(&q["bad_rows"]))),
        ("channels", per_channel.len().to_string()),
        (
            "channels below the gate",
            format!("{below} of {}", per_channel.len()),
        ),
    ]));

    // 1. Quality score per channel against the gate.
    let bars: Vec<Bar> = channels
        .iter()
        .map(|c| {
            let score = f(&c["quality"]);
            Bar {
                warn: score < gate,
                ..Bar::new(
                    c["channel"].as_str().unwrap_or("?"),
                    score,
                    format!("{:.1}%", score * 100.0),
                )
            }
        })
        .collect();
    let rows: Vec<Vec<String>> = channels
        .iter()
        .map(|c| {
            let score = f(&c["quality"]);
            vec![
                esc(c["channel"].as_str().unwrap_or("?")),
                int(u(&c["records"])),
                if score < gate {
                    warn(pct(score))
                } else {
                    pct(score)
                },
                if score < gate {
                    warn("below".into())
                } else {
                    "meets".into()
                },
            ]
        })
        .collect();
    body.push_str(
        &Figure {
            id: "quality-score".into(),
            caption: "Quality score per channel".into(),
            note: format!(
                "mean of completeness × validity over the fields a channel fills for at least \
                 {:.0}% of its records; the line is the {:.0}% gate",
                sameas_normalize::profile::COLLECTED_FROM * 100.0,
                gate * 100.0
            ),
            svg: hbars(
                &bars,
                1.0,
                Some(&Marker {
                    at: gate,
                    label: format!("gate {:.0}%", gate * 100.0),
                }),
                "quality score per channel",
            ),
            table: table(&["channel", "records", "score", "gate"], &rows),
        }
        .html(),
    );

    // 2. Completeness and validity per field, all channels.
    let all = channels.first();
    let fields = all
        .and_then(|c| c["fields"].as_array().cloned())
        .unwrap_or_default();
    let pairs: Vec<(String, f64, f64)> = fields
        .iter()
        .map(|fl| {
            (
                fl["field"].as_str().unwrap_or("?").to_string(),
                f(&fl["completeness"]),
                f(&fl["validity"]),
            )
        })
        .collect();
    let rows: Vec<Vec<String>> = fields
        .iter()
        .map(|fl| {
            vec![
                esc(fl["field"].as_str().unwrap_or("?")),
                esc(fl["kind"].as_str().unwrap_or("")),
                pct(f(&fl["completeness"])),
                pct(f(&fl["validity"])),
                int(u(&fl["distinct"])),
                fl["duplicate_rate"].as_f64().map_or("–".into(), pct),
                pct(f(&fl["quality"])),
            ]
        })
        .collect();
    body.push_str(
        &Figure {
            id: "completeness-validity".into(),
            caption: "Completeness and validity per field".into(),
            note: "all channels; completeness = has a value, validity = the value could be read"
                .into(),
            svg: paired_bars(
                &pairs,
                ["completeness", "validity"],
                "completeness and validity",
            ),
            table: table(
                &[
                    "field",
                    "kind",
                    "complete",
                    "valid",
                    "distinct",
                    "duplicates",
                    "score",
                ],
                &rows,
            ),
        }
        .html(),
    );

    // 3. Field × channel quality heat map.
    let field_names: Vec<String> = pairs.iter().map(|p| p.0.clone()).collect();
    let channel_names: Vec<String> = per_channel
        .iter()
        .map(|c| c["channel"].as_str().unwrap_or("?").to_string())
        .collect();
    let cells: Vec<Vec<Option<f64>>> = field_names
        .iter()
        .enumerate()
        .map(|(i, _)| {
            per_channel
                .iter()
                .map(|c| c["fields"][i]["quality"].as_f64())
                .collect()
        })
        .collect();
    let rows: Vec<Vec<String>> = field_names
        .iter()
        .zip(&cells)
        .map(|(name, row)| {
            let mut r = vec![esc(name)];
            r.extend(
                row.iter()
                    .map(|v| v.map_or("–".into(), |v| format!("{:.0}", v * 100.0))),
            );
            r
        })
        .collect();
    let mut head = vec!["field (score %)"];
    head.extend(channel_names.iter().map(String::as_str));
    body.push_str(
        &Figure {
            id: "quality-matrix".into(),
            caption: "Field score by channel".into(),
            note: "completeness × validity; pale is poor".into(),
            svg: heatmap(
                &field_names,
                &channel_names,
                &cells,
                1.0,
                &|v| format!("{:.0}", v * 100.0),
                ["channel", "field"],
                "field score by channel",
            ),
            table: table(&head, &rows),
        }
        .html(),
    );

    // 4. Issues by kind per field.
    let kinds = ["missing", "invalid", "suspicious", "repaired", "masked"];
    let cells: Vec<Vec<Option<f64>>> = fields
        .iter()
        .map(|fl| {
            kinds
                .iter()
                .map(|k| Some(fl["issues"][k].as_f64().unwrap_or(0.0)))
                .collect()
        })
        .collect();
    let max = cells
        .iter()
        .flatten()
        .flatten()
        .fold(0.0f64, |a, b| a.max(*b));
    let rows: Vec<Vec<String>> = field_names
        .iter()
        .zip(&cells)
        .map(|(name, row)| {
            let mut r = vec![esc(name)];
            r.extend(row.iter().map(|v| int(v.unwrap_or(0.0) as u64)));
            r
        })
        .collect();
    let kind_names: Vec<String> = kinds.iter().map(|k| k.to_string()).collect();
    let mut head = vec!["field"];
    head.extend(kinds);
    body.push_str(
        &Figure {
            id: "issues".into(),
            caption: "Issues by kind".into(),
            note: "records per field and issue, all channels".into(),
            svg: heatmap(
                &field_names,
                &kind_names,
                &cells,
                max,
                &compact,
                ["issue", "field"],
                "issues by kind",
            ),
            table: table(&head, &rows),
        }
        .html(),
    );
    Section {
        id: "quality",
        title: "Data quality",
        lead: format!(
            "Per channel and field. A channel scoring below {:.0}% is flagged; the handbook \
             pauses a channel flagged three runs running.",
            gate * 100.0
        ),
        body,
    }
}

fn resolution_section(r: &ResolveRun) -> Section {
    let rep = &r.report;
    let records = u(&rep["records"]);
    let entities = u(&rep["entities"]);
    let singletons = u(&rep["singletons"]);
    let mut body = kpis(&[
        ("records", int(records)),
        ("entities", int(entities)),
        ("duplicates merged", int(records.saturating_sub(entities))),
        (
            "duplicate rate",
            pct(if records > 0 {
                1.0 - entities as f64 / records as f64
            } else {
                0.0
            }),
        ),
        ("candidate pairs", int(u(&rep["candidate_pairs"]))),
        ("pairs to review", int(u(&rep["review_pairs"]))),
        ("conflicts", int(u(&rep["conflicts"]))),
    ]);

    // 1. Records → entities.
    let sizes: Vec<(u64, u64)> = rep["entity_sizes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get(0)?.as_u64()?, p.get(1)?.as_u64()?)))
        .collect();
    let in_multi = records.saturating_sub(singletons);
    let items = [
        ("records", records),
        ("entities", entities),
        ("one-record entities", singletons),
        (
            "entities of 2+ records",
            entities.saturating_sub(singletons),
        ),
        ("records in them", in_multi),
        (
            "bad rows",
            rep["bad_rows"].as_array().map_or(0, |a| a.len() as u64),
        ),
    ];
    let bars: Vec<Bar> = items
        .iter()
        .map(|(l, v)| Bar::new(*l, *v as f64, int(*v)))
        .collect();
    body.push_str(
        &Figure {
            id: "records-entities".into(),
            caption: "Records → entities".into(),
            note: "how many records became how many customers".into(),
            svg: hbars(&bars, records as f64, None, "records to entities"),
            table: table(
                &["", "count"],
                &items
                    .iter()
                    .map(|(l, v)| vec![esc(l), int(*v)])
                    .collect::<Vec<_>>(),
            ),
        }
        .html(),
    );

    // 2. Entity sizes.
    let bins: Vec<Bin> = (1..=10)
        .map(|s| {
            let n = sizes.iter().find(|p| p.0 == s).map_or(0, |p| p.1);
            let label = if s == 10 {
                "10+".to_string()
            } else {
                s.to_string()
            };
            Bin {
                label: label.clone(),
                count: n as f64,
                text: format!("{} entities", int(n)),
            }
        })
        .collect();
    body.push_str(
        &Figure {
            id: "entity-sizes".into(),
            caption: "Entity sizes".into(),
            note: format!(
                "records per entity; the largest has {}",
                u(&rep["largest_entity"])
            ),
            svg: histogram(
                &bins,
                false,
                None,
                &[],
                true,
                ["records per entity", "entities"],
                "entity sizes",
            ),
            table: table(
                &["records", "entities"],
                &bins
                    .iter()
                    .map(|b| vec![esc(&b.label), int(b.count as u64)])
                    .collect::<Vec<_>>(),
            ),
        }
        .html(),
    );

    // 3. Match probabilities with the threshold and the review band.
    let threshold = f(&rep["threshold"]);
    let review_from = rep["review_from"].as_f64().unwrap_or(threshold);
    let probs: Vec<u64> = rep["match_probabilities"]
        .as_array()
        .map(|a| a.iter().map(u).collect())
        .unwrap_or_default();
    let n = probs.len().max(1) as f64;
    let bins: Vec<Bin> = probs
        .iter()
        .enumerate()
        .map(|(i, c)| Bin {
            label: format!("{:.2}", i as f64 / n),
            count: *c as f64,
            text: format!(
                "{} pairs in [{:.2}, {:.2})",
                int(*c),
                i as f64 / n,
                (i + 1) as f64 / n
            ),
        })
        .collect();
    let band = (review_from < threshold).then(|| Band {
        from: review_from * n,
        to: threshold * n,
        label: "review".into(),
    });
    let rows: Vec<Vec<String>> = bins
        .iter()
        .zip(&probs)
        .filter(|(_, c)| **c > 0)
        .map(|(b, c)| vec![esc(&b.label), int(*c)])
        .collect();
    body.push_str(
        &Figure {
            id: "match-probability".into(),
            caption: "Match probability of the candidate pairs".into(),
            note: format!(
                "threshold {threshold}; review band from {review_from}; {} pairs at or above",
                int(u(&rep["pairs_above_threshold"]))
            ),
            svg: histogram(
                &bins,
                true,
                band.as_ref(),
                &[Marker {
                    at: threshold * n,
                    label: format!("threshold {threshold}"),
                }],
                true,
                ["match probability", "pairs"],
                "match probability",
            ),
            table: table(&["from", "pairs"], &rows),
        }
        .html(),
    );

    // 4. Pairs per blocking rule.
    let rules = rep["blocking"].as_array().cloned().unwrap_or_default();
    let max = rules.iter().map(|r| u(&r["pairs"])).max().unwrap_or(0);
    let bars: Vec<Bar> = rules
        .iter()
        .map(|r| {
            Bar::new(
                r["rule"].as_str().unwrap_or("?"),
                u(&r["pairs"]) as f64,
                int(u(&r["pairs"])),
            )
        })
        .collect();
    let rows: Vec<Vec<String>> = rules
        .iter()
        .map(|r| {
            vec![
                esc(r["rule"].as_str().unwrap_or("?")),
                int(u(&r["pairs"])),
                int(u(&r["records_with_key"])),
                int(u(&r["blocks"])),
                int(u(&r["capped_blocks"])),
            ]
        })
        .collect();
    body.push_str(
        &Figure {
            id: "blocking".into(),
            caption: "Candidate pairs per blocking rule".into(),
            note: "pairs a rule found that no earlier rule had".into(),
            svg: hbars(&bars, max as f64, None, "pairs per blocking rule"),
            table: table(&["rule", "pairs", "records", "blocks", "capped"], &rows),
        }
        .html(),
    );

    // 5. Refusals by reason.
    let refused = &rep["refused"];
    let items = [
        ("joins made", u(&rep["joins"])),
        (
            "held by the household guard",
            u(&refused["household_guard"]),
        ),
        ("refused: cannot-link", u(&refused["cannot_link"])),
        ("refused: exclusive id", u(&refused["exclusive"])),
        ("refused: ambiguous", u(&refused["ambiguous"])),
        ("pairs to review", u(&rep["review_pairs"])),
    ];
    let max = items.iter().map(|i| i.1).max().unwrap_or(0);
    let bars: Vec<Bar> = items
        .iter()
        .map(|(l, v)| Bar::new(*l, *v as f64, int(*v)))
        .collect();
    body.push_str(
        &Figure {
            id: "refusals".into(),
            caption: "Joins and refusals by reason".into(),
            note: "pairs above the threshold that did not join, and why".into(),
            svg: hbars(&bars, max as f64, None, "refusals by reason"),
            table: table(
                &["", "count"],
                &items
                    .iter()
                    .map(|(l, v)| vec![esc(l), int(*v)])
                    .collect::<Vec<_>>(),
            ),
        }
        .html(),
    );

    // 6. Generic values.
    let generic = rep["generic_values"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let bars: Vec<Bar> = generic
        .iter()
        .take(15)
        .map(|g| {
            Bar::new(
                format!(
                    "{} {}",
                    g["field"].as_str().unwrap_or("?"),
                    g["masked"].as_str().unwrap_or("")
                ),
                u(&g["records"]) as f64,
                int(u(&g["records"])),
            )
        })
        .collect();
    let max = generic.iter().map(|g| u(&g["records"])).max().unwrap_or(0);
    let rows: Vec<Vec<String>> = generic
        .iter()
        .take(15)
        .map(|g| {
            vec![
                esc(g["field"].as_str().unwrap_or("?")),
                esc(g["masked"].as_str().unwrap_or("")),
                int(u(&g["records"])),
                text(g["reason"].as_str().unwrap_or("")),
            ]
        })
        .collect();
    body.push_str(
        &Figure {
            id: "generic-values".into(),
            caption: "Generic values".into(),
            note: if generic.is_empty() {
                "none found: no value is shared by many unrelated records".into()
            } else {
                "shared by many unrelated records, so not used for matching (masked)".into()
            },
            svg: hbars(&bars, max as f64, None, "generic values"),
            table: table(&["field", "value", "records", "why"], &rows),
        }
        .html(),
    );
    if let Some(e) = rep.get("evaluation") {
        body.push_str(&kpis(&[
            (
                "pairwise precision",
                format!("{:.4}", f(&e["pairwise"]["precision"])),
            ),
            (
                "pairwise recall",
                format!("{:.4}", f(&e["pairwise"]["recall"])),
            ),
            ("pairwise F1", format!("{:.4}", f(&e["pairwise"]["f1"]))),
            ("B-cubed F1", format!("{:.4}", f(&e["bcubed"]["f1"]))),
        ]));
    }
    let warnings = rep["warnings"].as_array().cloned().unwrap_or_default();
    if !warnings.is_empty() {
        body.push_str("<ul>");
        for w in warnings {
            let _ = write!(body, "<li>{}</li>", esc(w.as_str().unwrap_or("")));
        }
        body.push_str("</ul>");
    }
    Section {
        id: "resolution",
        title: "Resolution",
        lead: format!(
            "{} records became {} entities; {} duplicates merged.",
            int(records),
            int(entities),
            int(records.saturating_sub(entities))
        ),
        body,
    }
}

fn entity_table(rows: &[crate::read::EntityRow], prefix: &str, run: &str) -> String {
    let fields: Vec<String> = rows
        .first()
        .map(|r| {
            r.golden
                .iter()
                .map(|(n, _)| n.clone())
                .filter(|n| n != "record_count")
                .take(6)
                .collect()
        })
        .unwrap_or_default();
    let mut out = String::from(
        "<table class=\"numbers\"><thead><tr><th>entity</th>\
         <th>records</th><th>conflicts</th>",
    );
    for name in &fields {
        let _ = write!(out, "<th>{}</th>", esc(name));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        let anchor = format!("{prefix}-{}", esc(&row.id));
        let _ = write!(
            out,
            "<tr><td><a href=\"#{anchor}\">{}</a></td><td>{}</td><td>{}</td>",
            esc(&row.id),
            int(row.records),
            int(row.conflicts)
        );
        for name in &fields {
            let value = row
                .golden
                .iter()
                .find(|(n, _)| n == name)
                .map_or("", |(_, v)| v.as_str());
            let _ = write!(out, "<td class=\"text\">{}</td>", esc(value));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    for row in rows {
        let _ = write!(
            out,
            "<details id=\"{prefix}-{}\"><summary>{}: {} records, {} conflicting fields</summary>",
            esc(&row.id),
            esc(&row.id),
            int(row.records),
            row.conflict_detail.len()
        );
        if !row.conflict_detail.is_empty() {
            out.push_str(
                "<table><thead><tr><th>field</th><th>decided by</th><th>values (masked): \
                 records</th></tr></thead><tbody>",
            );
            for (field, rule, candidates) in &row.conflict_detail {
                let values: Vec<String> = candidates
                    .iter()
                    .map(|(v, n)| format!("{} : {n}", esc(v)))
                    .collect();
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                    esc(field),
                    esc(rule),
                    values.join("; ")
                );
            }
            out.push_str("</tbody></table>");
        }
        let _ = write!(
            out,
            "<p>Every join and refusal: <code>sameas explain-entity --config {}/config.json \
             INPUT {}</code></p></details>",
            esc(run),
            esc(&row.id)
        );
    }
    out
}

/// A ranking of entities (largest first) by `count`, as bars and the entities' table.
struct EntityRanking<'a> {
    entities: &'a [crate::read::EntityRow],
    count: fn(&crate::read::EntityRow) -> u64,
    /// What `count` counts (`records`, `fields`).
    unit: &'a str,
    /// The table's id prefix; the figure's id is `{prefix}-entities`.
    prefix: &'a str,
    caption: &'a str,
    note: &'a str,
}

impl EntityRanking<'_> {
    fn html(&self, run: &str) -> String {
        let bars: Vec<Bar> = self
            .entities
            .iter()
            .map(|e| {
                let n = (self.count)(e);
                Bar::new(e.id.clone(), n as f64, format!("{n} {}", self.unit))
            })
            .collect();
        let max = self.entities.first().map_or(0, self.count);
        Figure {
            id: format!("{}-entities", self.prefix),
            caption: self.caption.into(),
            note: self.note.into(),
            svg: hbars(&bars, max as f64, None, &self.caption.to_lowercase()),
            table: entity_table(self.entities, self.prefix, run),
        }
        .html()
    }
}

fn entities_section(r: &ResolveRun) -> Section {
    let mut body = String::new();
    body.push_str(
        &EntityRanking {
            entities: &r.largest,
            count: |e| e.records,
            unit: "records",
            prefix: "largest",
            caption: "Largest entities",
            note: "records per entity; open one for its conflicts (values masked)",
        }
        .html(&r.name),
    );
    body.push_str(
        &EntityRanking {
            entities: &r.conflicted,
            count: |e| e.conflicts,
            unit: "fields",
            prefix: "conflicted",
            caption: "Most conflicted entities",
            note: "fields whose records disagree",
        }
        .html(&r.name),
    );
    let max = r.conflict_fields.values().copied().max().unwrap_or(0);
    let bars: Vec<Bar> = r
        .conflict_fields
        .iter()
        .map(|(k, v)| Bar::new(k.clone(), *v as f64, int(*v)))
        .collect();
    body.push_str(
        &Figure {
            id: "conflicts-by-field".into(),
            caption: "Conflicts by field".into(),
            note: format!(
                "{} entities have at least one",
                int(r.entities_with_conflicts)
            ),
            svg: hbars(&bars, max as f64, None, "conflicts by field"),
            table: table(
                &["field", "entities"],
                &r.conflict_fields
                    .iter()
                    .map(|(k, v)| vec![esc(k), int(*v)])
                    .collect::<Vec<_>>(),
            ),
        }
        .html(),
    );
    Section {
        id: "entities",
        title: "Entities",
        lead: "The largest and the most conflicted entities; values are masked.".into(),
        body,
    }
}

fn value_section(s: &ScoreRun) -> Section {
    let mut body = kpis(&[
        ("customers", int(s.customers)),
        ("total CLV", compact(s.clv_total)),
        ("median CLV", format!("{:.2}", s.clv_median)),
        ("mean P(alive)", format!("{:.3}", s.p_alive_mean)),
    ]);
    // RFM heat map: customers, with average CLV in the table.
    let labels: Vec<String> = (1..=5).map(|i| i.to_string()).collect();
    let rows_r: Vec<String> = (1..=5).rev().map(|i| format!("R {i}")).collect();
    let cells: Vec<Vec<Option<f64>>> = (0..5)
        .rev()
        .map(|r| (0..5).map(|f| Some(s.rfm_customers[r][f] as f64)).collect())
        .collect();
    let max = cells
        .iter()
        .flatten()
        .flatten()
        .fold(0.0f64, |a, b| a.max(*b));
    let rows: Vec<Vec<String>> = (0..5)
        .rev()
        .map(|r| {
            let mut row = vec![format!("R {}", r + 1)];
            row.extend((0..5).map(|f| {
                let n = s.rfm_customers[r][f];
                if n == 0 {
                    "–".to_string()
                } else {
                    format!("{} · {:.0}", int(n), s.rfm_clv[r][f] / n as f64)
                }
            }));
            row
        })
        .collect();
    body.push_str(
        &Figure {
            id: "rfm-heatmap".into(),
            caption: "RFM: recency × frequency".into(),
            note: "customers per cell (5 = most recent / most frequent); the table adds the \
                   mean CLV"
                .into(),
            svg: heatmap(
                &rows_r,
                &labels.iter().map(|l| format!("F {l}")).collect::<Vec<_>>(),
                &cells,
                max,
                &compact,
                ["frequency score", "recency score"],
                "RFM heat map",
            ),
            table: table(
                &["customers · mean CLV", "F 1", "F 2", "F 3", "F 4", "F 5"],
                &rows,
            ),
        }
        .html(),
    );
    // CLV distribution.
    let step = s.clv_top / VALUE_BINS as f64;
    let bins: Vec<Bin> = s
        .clv_bins
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let label = if i == VALUE_BINS {
                format!(">{}", compact(s.clv_top))
            } else {
                compact(step * i as f64)
            };
            Bin {
                label,
                count: *c as f64,
                text: format!("{} customers", int(*c)),
            }
        })
        .collect();
    body.push_str(
        &Figure {
            id: "clv".into(),
            caption: "CLV distribution".into(),
            note: "customers by customer lifetime value; the last bin holds the top 1%".into(),
            svg: histogram(
                &bins,
                true,
                None,
                &[],
                false,
                ["CLV", "customers"],
                "CLV distribution",
            ),
            table: table(
                &["from", "customers"],
                &bins
                    .iter()
                    .map(|b| vec![esc(&b.label), int(b.count as u64)])
                    .collect::<Vec<_>>(),
            ),
        }
        .html(),
    );
    // P(alive).
    let bins: Vec<Bin> = s
        .p_alive_bins
        .iter()
        .enumerate()
        .map(|(i, c)| Bin {
            label: format!("{:.2}", i as f64 / VALUE_BINS as f64),
            count: *c as f64,
            text: format!("{} customers", int(*c)),
        })
        .collect();
    body.push_str(
        &Figure {
            id: "p-alive".into(),
            caption: "P(alive) distribution".into(),
            note: "BG/NBD chance that a customer is still buying".into(),
            svg: histogram(
                &bins,
                true,
                None,
                &[],
                false,
                ["P(alive)", "customers"],
                "P(alive) distribution",
            ),
            table: table(
                &["from", "customers"],
                &bins
                    .iter()
                    .map(|b| vec![esc(&b.label), int(b.count as u64)])
                    .collect::<Vec<_>>(),
            ),
        }
        .html(),
    );
    // The models.
    let mut rows = Vec::new();
    for model in ["bg_nbd", "mbg_nbd", "pareto_nbd", "gamma_gamma"] {
        let m = &s.model[model];
        let params = m
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| *k != "log_likelihood")
                    .map(|(k, v)| format!("{k} {:.4}", f(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "not fitted".into());
        rows.push(vec![
            esc(model),
            text(&params),
            format!("{:.1}", f(&m["log_likelihood"])),
        ]);
    }
    body.push_str("<h3>Models</h3>");
    body.push_str(&table(&["model", "parameters", "log-likelihood"], &rows));
    Section {
        id: "value",
        title: "Customer value",
        lead: format!(
            "{} customers scored; time unit {}.",
            int(s.customers),
            s.model["unit"].as_str().unwrap_or("?")
        ),
        body,
    }
}

fn counts(v: &Value) -> Vec<(String, u64)> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    (
                        if k.is_empty() {
                            "(none)".into()
                        } else {
                            k.clone()
                        },
                        u(v),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn share_figure(id: &str, caption: &str, note: &str, items: &[(String, u64)]) -> String {
    let total: u64 = items.iter().map(|i| i.1).sum();
    let share = |n: u64| {
        if total > 0 {
            n as f64 / total as f64
        } else {
            0.0
        }
    };
    let bars: Vec<Bar> = items
        .iter()
        .map(|(k, v)| Bar::new(k.clone(), share(*v), pct(share(*v))))
        .collect();
    let max = items.iter().map(|i| share(i.1)).fold(0.0, f64::max);
    Figure {
        id: id.into(),
        caption: caption.into(),
        note: note.into(),
        svg: hbars(&bars, max, None, caption),
        table: table(
            &["", "customers", "share"],
            &items
                .iter()
                .map(|(k, v)| vec![esc(k), int(*v), pct(share(*v))])
                .collect::<Vec<_>>(),
        ),
    }
    .html()
}

fn segments_section(s: &SegmentRun) -> Section {
    let sum = &s.summary;
    let mut body = kpis(&[
        ("customers", int(u(&sum["customers"]))),
        ("as of", sum["as_of"].as_str().unwrap_or("–").to_string()),
        (
            "k-means clusters",
            sum["clusters"].as_array().map_or(0, Vec::len).to_string(),
        ),
        (
            "silhouette",
            sum["silhouette"]
                .as_f64()
                .map_or("–".into(), |v| format!("{v:.2}")),
        ),
    ]);
    let mut tiers = counts(&sum["tiers"]);
    tiers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    body.push_str(&share_figure(
        "tiers",
        "Value tiers",
        "share of customers per tier",
        &tiers,
    ));
    let mut rfm = counts(&sum["rfm_segments"]);
    rfm.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    body.push_str(&share_figure(
        "rfm-segments",
        "RFM segments",
        "customers per segment of the RFM map",
        &rfm,
    ));
    let order = [
        "prospect",
        "new",
        "growing",
        "mature",
        "declining",
        "churned",
    ];
    let life = counts(&sum["lifecycle"]);
    let mut funnel: Vec<(String, u64)> = order
        .iter()
        .map(|o| {
            (
                o.to_string(),
                life.iter().find(|l| l.0 == *o).map_or(0, |l| l.1),
            )
        })
        .collect();
    funnel.extend(
        life.iter()
            .filter(|l| !order.contains(&l.0.as_str()))
            .cloned(),
    );
    body.push_str(&share_figure(
        "lifecycle",
        "Lifecycle",
        "customers per stage, in stage order",
        &funnel,
    ));
    let clusters = sum["clusters"].as_array().cloned().unwrap_or_default();
    let items: Vec<(String, u64)> = clusters
        .iter()
        .map(|c| (format!("cluster {}", u(&c["cluster"])), u(&c["customers"])))
        .collect();
    let total: u64 = items.iter().map(|i| i.1).sum();
    let bars: Vec<Bar> = items
        .iter()
        .map(|(k, v)| Bar::new(k.clone(), *v as f64, int(*v)))
        .collect();
    let rows: Vec<Vec<String>> = clusters
        .iter()
        .map(|c| {
            let n = u(&c["customers"]);
            vec![
                u(&c["cluster"]).to_string(),
                int(n),
                pct(if total > 0 {
                    n as f64 / total as f64
                } else {
                    0.0
                }),
                format!("{:.0}", f(&c["medians"]["clv"])),
                text(c["description"].as_str().unwrap_or("")),
            ]
        })
        .collect();
    body.push_str(
        &Figure {
            id: "clusters".into(),
            caption: "k-means clusters".into(),
            note: "each cluster in words, from its medians".into(),
            svg: hbars(
                &bars,
                items.iter().map(|i| i.1).max().unwrap_or(0) as f64,
                None,
                "k-means clusters",
            ),
            table: table(
                &["cluster", "customers", "share", "median CLV", "in words"],
                &rows,
            ),
        }
        .html(),
    );
    let mut tags = counts(&sum["tags"]);
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if !tags.is_empty() {
        body.push_str(&share_figure(
            "tags",
            "Tags",
            "customers per tag (a customer may carry several)",
            &tags,
        ));
    }
    Section {
        id: "segments",
        title: "Segments",
        lead: "Value tiers, RFM segments, lifecycle stages and k-means clusters.".into(),
        body,
    }
}

fn cohorts_section(s: &SegmentRun) -> Section {
    let mut body = String::new();
    let mut cohorts: Vec<String> = s.cohorts.iter().map(|c| c.cohort.clone()).collect();
    cohorts.sort();
    cohorts.dedup();
    let months = s
        .cohorts
        .iter()
        .map(|c| c.months_since as usize + 1)
        .max()
        .unwrap_or(0)
        .min(36);
    let mut cells = vec![vec![None; months]; cohorts.len()];
    let mut sizes = vec![0u64; cohorts.len()];
    for c in &s.cohorts {
        if c.months_since as usize >= months {
            continue;
        }
        if let Ok(i) = cohorts.binary_search(&c.cohort) {
            cells[i][c.months_since as usize] = Some(c.share);
            sizes[i] = c.customers;
        }
    }
    let cols: Vec<String> = (0..months).map(|m| format!("+{m}")).collect();
    let rows: Vec<Vec<String>> = cohorts
        .iter()
        .zip(&cells)
        .zip(&sizes)
        .map(|((name, row), n)| {
            let mut r = vec![esc(name), int(*n)];
            r.extend(
                row.iter()
                    .skip(1)
                    .take(6)
                    .map(|v| v.map_or("–".into(), |v| format!("{:.0}%", v * 100.0))),
            );
            r
        })
        .collect();
    // The table shows the first six months after the first; the chart shows them all.
    let max = cells
        .iter()
        .flat_map(|r| r.iter().skip(1))
        .flatten()
        .fold(0.0f64, |a, b| a.max(*b));
    body.push_str(
        &Figure {
            id: "cohort-retention".into(),
            caption: "Cohort retention".into(),
            note: "share of each first-purchase month's customers buying in each later month; \
                   month +0 is 100% by definition, so the colours scale to the later months"
                .into(),
            svg: heatmap(
                &cohorts,
                &cols,
                &cells,
                max,
                &|v| format!("{:.0}", v * 100.0),
                ["months since the first purchase", "cohort"],
                "cohort retention",
            ),
            table: table(
                &["cohort", "customers", "+1", "+2", "+3", "+4", "+5", "+6"],
                &rows,
            ),
        }
        .html(),
    );
    let bars: Vec<Bar> = s
        .channels
        .iter()
        .map(|c| Bar::new(c.channel.clone(), c.repurchase_rate, pct(c.repurchase_rate)))
        .collect();
    let max = s
        .channels
        .iter()
        .map(|c| c.repurchase_rate)
        .fold(0.0, f64::max);
    let rows: Vec<Vec<String>> = s
        .channels
        .iter()
        .map(|c| {
            vec![
                esc(&c.channel),
                int(c.customers),
                int(c.orders),
                pct(c.repurchase_rate),
                format!("{:.2}", c.average_order_value),
                pct(c.high_value_share),
                int(c.acquired),
                c.acquisition_cost_per_customer
                    .map_or("–".into(), |v| format!("{v:.2}")),
            ]
        })
        .collect();
    body.push_str(
        &Figure {
            id: "channels".into(),
            caption: "Channel efficacy".into(),
            note: "the chart is the repurchase rate; acquisition cost needs segment --costs".into(),
            svg: hbars(&bars, max, None, "repurchase rate per channel"),
            table: table(
                &[
                    "channel",
                    "customers",
                    "orders",
                    "repurchase",
                    "avg order",
                    "high value",
                    "acquired",
                    "cost / customer",
                ],
                &rows,
            ),
        }
        .html(),
    );
    Section {
        id: "cohorts",
        title: "Cohorts and channels",
        lead: "Retention by first-purchase month, and what each channel brings.".into(),
        body,
    }
}
