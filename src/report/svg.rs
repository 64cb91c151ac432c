//! An incident's timeline as inline SVG: one lane per rule, one dot per finding at its time,
//! coloured by severity, with a tooltip (`<title>`) telling the finding. No script, no external
//! reference; every string from the case goes through [`html_text`].

use super::{Story, severity_colour};
use crate::output::html_text;
use std::fmt::Write;

const WIDTH: f64 = 960.0;
/// Left column holding the rule ids.
const LABELS: f64 = 260.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 40.0;
const LANE: f64 = 34.0;
const BOTTOM: f64 = 12.0;

fn epoch(t: &str) -> Option<i64> {
    crate::model::time::parse_time(t).map(|d| d.timestamp())
}

/// "03-09 16:00" for an axis tick.
fn tick_label(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The timeline of one incident.
pub fn timeline(s: &Story) -> String {
    let fs = &s.findings;
    let mut lanes: Vec<&str> = Vec::new();
    for f in fs {
        if !lanes.contains(&f.finding.rule.as_str()) {
            lanes.push(&f.finding.rule);
        }
    }
    let times: Vec<Option<i64>> = fs.iter().map(|f| epoch(&f.finding.time)).collect();
    let (mut t0, mut t1) = (
        times.iter().flatten().min().copied().unwrap_or(0),
        times.iter().flatten().max().copied().unwrap_or(0),
    );
    if t1 - t0 < 600 {
        let mid = (t0 + t1) / 2;
        (t0, t1) = (mid - 1800, mid + 1800);
    }
    let pad = (t1 - t0) / 25;
    let (t0, t1) = (t0 - pad, t1 + pad);
    let plot = WIDTH - LABELS - RIGHT;
    let x = |t: i64| LABELS + (t - t0) as f64 / (t1 - t0) as f64 * plot;
    let height = TOP + LANE * lanes.len().max(1) as f64 + BOTTOM;

    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"timeline\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"Timeline of incident I{id}\">\
         <title>Timeline of incident I{id}</title>",
        id = s.incident.id
    );
    // Axis with five ticks.
    let axis_y = TOP - 14.0;
    let _ = write!(
        out,
        "<line x1=\"{LABELS}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#9ca3af\"/>",
        LABELS + plot
    );
    for k in 0..5 {
        let t = t0 + (t1 - t0) * k / 4;
        let tx = x(t);
        let anchor = match k {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"{}\" x2=\"{tx:.1}\" y2=\"{}\" stroke=\"#e5e7eb\"/>\
             <text x=\"{tx:.1}\" y=\"{}\" font-size=\"11\" fill=\"#4b5563\" text-anchor=\"{anchor}\">{}</text>",
            axis_y,
            height - BOTTOM,
            axis_y - 6.0,
            tick_label(t)
        );
    }
    for (i, rule) in lanes.iter().enumerate() {
        let y = TOP + LANE * i as f64 + LANE / 2.0;
        let _ = write!(
            out,
            "<line x1=\"{LABELS}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#f3f4f6\" stroke-width=\"10\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#111827\" text-anchor=\"end\">{}</text>",
            LABELS + plot,
            LABELS - 10.0,
            y + 4.0,
            html_text(&crate::output::clip(rule, 38))
        );
    }
    // Dots, labels alternating above and below where they would collide.
    let mut last_label: Vec<Option<(f64, bool)>> = vec![None; lanes.len()];
    for (f, t) in fs.iter().zip(&times) {
        let f_ = &f.finding;
        let lane = lanes.iter().position(|r| *r == f_.rule).unwrap_or(0);
        let y = TOP + LANE * lane as f64 + LANE / 2.0;
        let cx = x(t.unwrap_or(t0));
        let below = match last_label[lane] {
            Some((px, was_below)) if cx - px < 30.0 => !was_below,
            _ => false,
        };
        last_label[lane] = Some((cx, below));
        let tip = format!(
            "F{} · {} · {} · {}: {}",
            f_.id, f_.time, f_.severity, f_.rule, f_.summary
        );
        let _ = write!(
            out,
            "<a href=\"#finding-f{id}\"><circle cx=\"{cx:.1}\" cy=\"{y}\" r=\"7\" fill=\"{}\" \
             stroke=\"#ffffff\" stroke-width=\"1.5\"><title>{}</title></circle>\
             <text x=\"{cx:.1}\" y=\"{}\" font-size=\"10\" fill=\"#374151\" text-anchor=\"middle\">F{id}</text></a>",
            severity_colour(&f_.severity),
            html_text(&tip),
            if below { y + 19.0 } else { y - 10.0 },
            id = f_.id
        );
    }
    out.push_str("</svg>");
    out
}
