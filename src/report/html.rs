//! The report as one self-contained HTML file: inline CSS, an inline SVG timeline per incident,
//! no script and no external reference (a Content-Security-Policy forbids both, should a
//! browser ever be asked). An emitter of the [`doc::Doc`]: every string that came from the
//! case goes through [`crate::output::html_text`]; the report's own words (`&'static str`
//! spans) only have `& < >` written as references.

use super::doc::{self, Anchor, Block, Col, FactStyle, Para, SectionKind, Span};
use super::{CaseReport, Format, severity_colour, svg};
use crate::output::html_text as h;
use std::fmt::Write;

const STYLE: &str = "
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #111827;
  margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-top: 8px; border-top: 2px solid #e5e7eb; }
h3 { font-size: 16px; margin: 20px 0 6px; }
h4 { font-size: 14px; margin: 18px 0 4px; }
ul.facts { list-style: none; padding: 0; margin: 0 0 12px; }
ul.facts li { margin: 2px 0; }
.note { color: #4b5563; }
nav { background: #f9fafb; border: 1px solid #e5e7eb; padding: 8px 12px; border-radius: 6px; }
nav a { margin-right: 10px; }
.scroll { overflow-x: auto; margin: 6px 0 14px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #e5e7eb; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
td { overflow-wrap: break-word; max-width: 520px; }
td.num { text-align: right; white-space: nowrap; }
td.time { white-space: nowrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.sev { display: inline-block; white-space: nowrap; color: #fff; border-radius: 4px; padding: 0 6px; font-size: 12px; }
.silent { color: #9b1c31; font-weight: 600; }
section.incident { margin-top: 28px; }
p.story { font-size: 15px; font-weight: 600; margin: 4px 0 8px; }
article.finding { border-left: 3px solid #e5e7eb; padding-left: 12px; margin: 14px 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 6px 0; }
dt { color: #4b5563; }
dd { margin: 0; }
figure { margin: 8px 0 12px; overflow-x: auto; }
figcaption { color: #4b5563; font-size: 12px; }
svg.timeline { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
@media print { h2 { break-before: page; } .scroll, figure { overflow: visible; } }
";

/// A severity as a coloured chip (the colour comes from a fixed palette, never from the case).
fn sev(out: &mut String, s: &str) {
    let _ = write!(
        out,
        "<span class=\"sev\" style=\"background:{}\">{}</span>",
        severity_colour(s),
        h(s)
    );
}

/// The report's own words as HTML text (they hold no markup, but may hold `<`).
fn own(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// The `id` an [`Anchor`] names.
fn anchor(a: &Anchor) -> String {
    match a {
        Anchor::Scope => "scope".into(),
        Anchor::Incidents => "incidents".into(),
        Anchor::Incident(id) => format!("incident-i{id}"),
        Anchor::Finding(id) => format!("finding-f{id}"),
        Anchor::Loose => "findings-outside-any-incident".into(),
        Anchor::Notes => "notes".into(),
        Anchor::Provenance => "provenance".into(),
        Anchor::Record(table, id) => format!("rec-{}-{id}", h(table)),
        Anchor::Origin(id) => format!("o{id}"),
    }
}

/// Render a report as HTML.
pub fn render(r: &CaseReport) -> String {
    let d = doc::build(r);
    let mut out = String::new();
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
    );
    spans(&mut out, &d.title);
    let _ = write!(out, "</title>\n<style>{STYLE}</style>\n</head>\n<body>\n");
    for b in &d.blocks {
        block(&mut out, b);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn span(out: &mut String, s: &Span) {
    match s {
        Span::Own(t) => own(out, t),
        Span::Strong(t) => {
            out.push_str("<b>");
            own(out, t);
            out.push_str("</b>");
        }
        Span::Warn(t) => {
            out.push_str("<span class=\"silent\">");
            own(out, t);
            out.push_str("</span>");
        }
        Span::OwnCode(t) => {
            out.push_str("<code>");
            own(out, t);
            out.push_str("</code>");
        }
        Span::Text(t) => out.push_str(&h(t)),
        Span::Severity(t) => sev(out, t),
        Span::Name(t) => {
            let _ = write!(out, "<code>{}</code>", h(t));
        }
        Span::Mono(t) => {
            let _ = write!(out, "<span class=\"mono\">{}</span>", h(t));
        }
        Span::Link(t, a) | Span::Ref(t, a) => {
            let _ = write!(out, "<a href=\"#{}\">{}</a>", anchor(a), h(t));
        }
        Span::Target(inner, a) => {
            let _ = write!(out, "<span id=\"{}\">", anchor(a));
            spans(out, inner);
            out.push_str("</span>");
        }
    }
}

fn spans(out: &mut String, ss: &[Span]) {
    for s in ss {
        span(out, s);
    }
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Section {
            kind,
            level,
            anchor: at,
            title,
            badge,
            body,
        } => {
            let id = at.as_ref().map(anchor).unwrap_or_default();
            let close = match kind {
                SectionKind::Header => {
                    out.push_str("<header>\n");
                    "</header>"
                }
                SectionKind::Part => {
                    let _ = writeln!(out, "<section id=\"{id}\">");
                    "</section>"
                }
                SectionKind::Incident => {
                    let _ = writeln!(out, "<section class=\"incident\" id=\"{id}\">");
                    "</section>"
                }
                SectionKind::Finding => {
                    let _ = writeln!(out, "<article class=\"finding\" id=\"{id}\">");
                    "</article>"
                }
            };
            let _ = write!(out, "<h{level}>");
            spans(out, title);
            if let Some(s) = badge {
                out.push(' ');
                sev(out, s);
            }
            let _ = writeln!(out, "</h{level}>");
            for b in body {
                block(out, b);
            }
            out.push_str(close);
            out.push('\n');
        }
        Block::Heading { level, text } => {
            let _ = write!(out, "<h{level}>");
            own(out, text);
            let _ = writeln!(out, "</h{level}>");
        }
        Block::Paragraph(style, ss) => {
            out.push_str(match style {
                Para::Plain => "<p>",
                Para::Note => "<p class=\"note\">",
                Para::Lead => "<p class=\"story\">",
            });
            spans(out, ss);
            out.push_str("</p>\n");
        }
        Block::Facts(style, facts) => {
            // (list, before the label, between label and value, after the value, end of list)
            let (open, label, value, end, close) = match style {
                FactStyle::Summary => (
                    "<ul class=\"facts\">\n",
                    "<li><b>",
                    ":</b> ",
                    "</li>\n",
                    "</ul>\n",
                ),
                FactStyle::Details => ("<dl>\n", "<dt>", "</dt><dd>", "</dd>\n", "</dl>\n"),
            };
            out.push_str(open);
            for f in facts.iter().filter(|f| f.only != Some(Format::Markdown)) {
                out.push_str(label);
                own(out, f.label);
                out.push_str(value);
                spans(out, &f.value);
                out.push_str(end);
            }
            out.push_str(close);
        }
        Block::Contents(links) => {
            out.push_str("<nav>");
            spans(out, links);
            out.push_str("</nav>\n");
        }
        Block::Table(t) => table(out, t),
        Block::Timeline(s) => {
            let _ = writeln!(
                out,
                "<figure>{}<figcaption>Findings over time, one lane per rule (hover a dot for \
                 the finding; times UTC).</figcaption></figure>",
                svg::timeline(s)
            );
        }
    }
}

/// An HTML table; each column's kind gives its `td` class.
fn table(out: &mut String, t: &doc::Table) {
    out.push_str("<div class=\"scroll\"><table><thead><tr>");
    for hd in &t.headers {
        out.push_str("<th>");
        span(out, hd);
        out.push_str("</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in &t.rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            match t.kinds.get(i) {
                Some(Col::Num) => out.push_str("<td class=\"num\">"),
                Some(Col::Time) => out.push_str("<td class=\"time\">"),
                Some(Col::Plain) | None => out.push_str("<td>"),
            }
            spans(out, c);
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}
