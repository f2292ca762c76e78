//! Charts as inline SVG, drawn by hand: horizontal bars, paired bars, histograms and heat
//! maps. Each scales to its container (a `viewBox`, no fixed size) and carries a `<title>`
//! per mark, so hovering shows the number.

use std::fmt::Write as _;

/// Escapes text for HTML and SVG, attributes included.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const ACCENT: &str = "#2f6ea5";
const SECOND: &str = "#9cc3e4";
const WARN: &str = "#c44e37";
const INK: &str = "#222";
const MUTED: &str = "#666";
const FONT: &str = "font-family=\"system-ui, sans-serif\" font-size=\"12\"";

/// One bar: a label, its value on the chart's scale, and the text written after it.
pub(crate) struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    /// Drawn in the warning colour (below a gate, say).
    pub warn: bool,
}

impl Bar {
    pub(crate) fn new(label: impl Into<String>, value: f64, text: impl Into<String>) -> Self {
        Bar {
            label: label.into(),
            value,
            text: text.into(),
            warn: false,
        }
    }
}

/// A vertical line across a chart at `at` (in the chart's value units), labelled.
pub(crate) struct Marker {
    pub at: f64,
    pub label: String,
}

fn open(out: &mut String, width: f64, height: f64, label: &str) {
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\" {FONT} \
         preserveAspectRatio=\"xMinYMin meet\">",
        esc(label)
    );
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Horizontal bars on a scale from 0 to `max`, with an optional marker (a gate).
pub(crate) fn hbars(bars: &[Bar], max: f64, marker: Option<&Marker>, label: &str) -> String {
    let (left, area, right, row) = (170.0, 330.0, 90.0, 22.0);
    let top = if marker.is_some() { 20.0 } else { 6.0 };
    let width = left + area + right;
    let height = top + row * bars.len().max(1) as f64 + 6.0;
    let max = if max > 0.0 { max } else { 1.0 };
    let mut out = String::new();
    open(&mut out, width, height, label);
    if bars.is_empty() {
        let _ = write!(
            out,
            "<text x=\"{left}\" y=\"{:.1}\" fill=\"{MUTED}\">none</text>",
            top + 15.0
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let w = (bar.value / max).clamp(0.0, 1.0) * area;
        let colour = if bar.warn { WARN } else { ACCENT };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>\
             <rect x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\">\
             <title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{MUTED}\">{}</text>",
            left - 6.0,
            y + 15.0,
            esc(&truncate(&bar.label, 24)),
            y + 3.0,
            w.max(0.5),
            row - 6.0,
            esc(&bar.label),
            esc(&bar.text),
            left + w + 4.0,
            y + 15.0,
            esc(&bar.text),
        );
    }
    if let Some(m) = marker {
        let x = left + (m.at / max).clamp(0.0, 1.0) * area;
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"14\" y2=\"{:.1}\" stroke=\"{INK}\" \
             stroke-dasharray=\"4 3\"/><text x=\"{x:.1}\" y=\"11\" text-anchor=\"middle\" \
             fill=\"{INK}\">{}</text>",
            height - 4.0,
            esc(&m.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// Two bars per row (say completeness and validity), both on a 0–1 scale, with a legend.
pub(crate) fn paired_bars(rows: &[(String, f64, f64)], legend: [&str; 2], label: &str) -> String {
    let (left, area, right, row) = (170.0, 330.0, 84.0, 26.0);
    let top = 22.0;
    let width = left + area + right;
    let height = top + row * rows.len().max(1) as f64 + 6.0;
    let mut out = String::new();
    open(&mut out, width, height, label);
    for (k, (name, colour)) in legend.iter().zip([ACCENT, SECOND]).enumerate() {
        let x = left + 130.0 * k as f64;
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"13\" fill=\"{INK}\">{}</text>",
            x + 14.0,
            esc(name)
        );
    }
    for (i, (name, a, b)) in rows.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            left - 6.0,
            y + 16.0,
            esc(&truncate(name, 26))
        );
        for (k, (value, colour)) in [(*a, ACCENT), (*b, SECOND)].into_iter().enumerate() {
            let w = value.clamp(0.0, 1.0) * area;
            let yy = y + 3.0 + 10.0 * k as f64;
            let _ = write!(
                out,
                "<rect x=\"{left}\" y=\"{yy:.1}\" width=\"{:.1}\" height=\"9\" fill=\"{colour}\">\
                 <title>{} {}: {:.1}%</title></rect>",
                w.max(0.5),
                esc(name),
                esc(legend[k]),
                value * 100.0
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{MUTED}\">{:.0}% / {:.0}%</text>",
            left + area + 4.0,
            y + 16.0,
            a * 100.0,
            b * 100.0
        );
    }
    out.push_str("</svg>");
    out
}

/// One histogram bin: the label under it, its count, the hover text.
pub(crate) struct Bin {
    pub label: String,
    pub count: f64,
    pub text: String,
}

/// A shaded span across a histogram, in bin units (bin `i` spans `[i, i + 1)`).
pub(crate) struct Band {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

/// Vertical bars, one per bin. `markers` and `band` are in bin units; `log` draws heights on
/// a log scale (for counts spanning orders of magnitude, said in the y label). `edges` writes
/// each bin's label at its left edge (bins of a continuous value), else under its middle.
#[allow(clippy::too_many_arguments)]
pub(crate) fn histogram(
    bins: &[Bin],
    edges: bool,
    band: Option<&Band>,
    markers: &[Marker],
    log: bool,
    axes: [&str; 2],
    label: &str,
) -> String {
    let (left, width_area, top, height_area, bottom) = (56.0, 500.0, 24.0, 180.0, 40.0);
    let width = left + width_area + 16.0;
    let height = top + height_area + bottom;
    let n = bins.len().max(1) as f64;
    let step = width_area / n;
    let scale = |v: f64| if log { (1.0 + v).log10() } else { v };
    let max = bins.iter().map(|b| scale(b.count)).fold(0.0, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let mut out = String::new();
    open(&mut out, width, height, label);
    if let Some(b) = band {
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{top}\" width=\"{:.1}\" height=\"{height_area}\" \
             fill=\"#f3d9a4\" opacity=\"0.6\"><title>{}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{MUTED}\" text-anchor=\"middle\">{}</text>",
            left + b.from * step,
            ((b.to - b.from) * step).max(1.0),
            esc(&b.label),
            left + (b.from + b.to) / 2.0 * step,
            top - 4.0,
            esc(&b.label)
        );
    }
    // Axes and the top value.
    let top_value = if log { 10f64.powf(max) - 1.0 } else { max };
    let _ = write!(
        out,
        "<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{:.1}\" stroke=\"{MUTED}\"/>\
         <line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{MUTED}\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{MUTED}\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{MUTED}\">0</text>\
         <text x=\"12\" y=\"{:.1}\" fill=\"{MUTED}\" transform=\"rotate(-90 12 {:.1})\" \
         text-anchor=\"middle\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{MUTED}\" text-anchor=\"middle\">{}</text>",
        top + height_area,
        left + width_area,
        top + height_area,
        top + height_area,
        left - 4.0,
        top + 10.0,
        compact(top_value),
        left - 4.0,
        top + height_area,
        top + height_area / 2.0,
        top + height_area / 2.0,
        esc(&if log {
            format!("{} (log scale)", axes[1])
        } else {
            axes[1].to_string()
        }),
        left + width_area / 2.0,
        height - 4.0,
        esc(axes[0])
    );
    let every = (bins.len() / 10).max(1);
    for (i, bin) in bins.iter().enumerate() {
        let h = scale(bin.count) / max * height_area;
        let x = left + step * i as f64;
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{ACCENT}\">\
             <title>{}: {}</title></rect>",
            x + 1.0,
            top + height_area - h,
            (step - 2.0).max(0.5),
            h,
            esc(&bin.label),
            esc(&bin.text)
        );
        if i % every == 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
                if edges { x } else { x + step / 2.0 },
                top + height_area + 14.0,
                esc(&bin.label)
            );
        }
    }
    for m in markers {
        let x = left + m.at * step;
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top}\" y2=\"{:.1}\" stroke=\"{WARN}\" \
             stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{WARN}\" \
             text-anchor=\"end\">{}</text>",
            top + height_area,
            x - 3.0,
            top + 12.0,
            esc(&m.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// A heat map: `cells[row][col]` on a scale from 0 to `max` (blank cells have no value),
/// each cell's text written in it by `text`.
pub(crate) fn heatmap(
    rows: &[String],
    cols: &[String],
    cells: &[Vec<Option<f64>>],
    max: f64,
    text: &dyn Fn(f64) -> String,
    axes: [&str; 2],
    label: &str,
) -> String {
    let left = 130.0;
    let top = 40.0;
    let cell_w = (520.0 / cols.len().max(1) as f64).clamp(14.0, 64.0);
    let cell_h = if rows.len() > 24 { 14.0 } else { 22.0 };
    let width = left + cell_w * cols.len() as f64 + 10.0;
    let height = top + cell_h * rows.len() as f64 + 10.0;
    let max = if max > 0.0 { max } else { 1.0 };
    let show_text = cell_w >= 34.0 && cell_h >= 18.0;
    let mut out = String::new();
    open(&mut out, width, height, label);
    let _ = write!(
        out,
        "<text x=\"{left}\" y=\"12\" fill=\"{MUTED}\">{} →</text>\
         <text x=\"4\" y=\"{:.1}\" fill=\"{MUTED}\">{} ↓</text>",
        esc(axes[0]),
        top - 6.0,
        esc(axes[1])
    );
    let every = if cell_w < 24.0 { 3 } else { 1 };
    for (j, col) in cols.iter().enumerate() {
        if j % every == 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                left + cell_w * (j as f64 + 0.5),
                top - 6.0,
                esc(&truncate(col, (cell_w / 7.5).max(3.0) as usize))
            );
        }
    }
    for (i, row) in rows.iter().enumerate() {
        let y = top + cell_h * i as f64;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            left - 6.0,
            y + cell_h / 2.0 + 4.0,
            esc(&truncate(row, 18))
        );
        for (j, value) in cells[i].iter().enumerate() {
            let Some(v) = value else { continue };
            let t = (v / max).clamp(0.0, 1.0);
            let x = left + cell_w * j as f64;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\">\
                 <title>{} × {}: {}</title></rect>",
                cell_w - 1.0,
                cell_h - 1.0,
                shade(t),
                esc(row),
                esc(&cols[j]),
                esc(&text(*v))
            );
            if show_text {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{}\" \
                     font-size=\"11\">{}</text>",
                    x + cell_w / 2.0,
                    y + cell_h / 2.0 + 4.0,
                    if t > 0.55 { "#fff" } else { INK },
                    esc(&text(*v))
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// A colour from pale (0) to deep blue (1).
fn shade(t: f64) -> String {
    let (a, b) = ([240.0, 245.0, 250.0], [24.0, 72.0, 128.0]);
    let c: Vec<u8> = (0..3)
        .map(|k| (a[k] + (b[k] - a[k]) * t).round() as u8)
        .collect();
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// A count or amount in few characters: 950, 12.3k, 4.5M.
pub(crate) fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_charts_hold_their_marks() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let svg = hbars(
            &[Bar::new("<pos>", 0.5, "50%"), Bar::new("app", 1.0, "100%")],
            1.0,
            Some(&Marker {
                at: 0.9,
                label: "gate".into(),
            }),
            "quality",
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("&lt;pos&gt;") && !svg.contains("<pos>"));
        let bins: Vec<Bin> = (0..4)
            .map(|i| Bin {
                label: i.to_string(),
                count: f64::from(i * 10),
                text: String::new(),
            })
            .collect();
        let svg = histogram(&bins, false, None, &[], true, ["x", "y"], "h");
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains("log scale"));
        let svg = heatmap(
            &["a".into()],
            &["x".into(), "y".into()],
            &[vec![Some(1.0), None]],
            1.0,
            &|v| format!("{v}"),
            ["c", "r"],
            "m",
        );
        assert_eq!(svg.matches("<rect").count(), 1);
        assert_eq!(shade(0.0), "#f0f5fa");
        assert_eq!(compact(12_345.0), "12k");
        assert_eq!(compact(2_500_000.0), "2.5M");
    }
}
