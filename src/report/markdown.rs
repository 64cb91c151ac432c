//! The report as GitHub/GitLab-flavoured Markdown: an emitter of the [`doc::Doc`].
//!
//! Every string that came from the case goes through [`md_text`] (sanitised, then every
//! Markdown metacharacter backslash-escaped); the only unescaped text is the report's own
//! (`&'static str` spans of the document). Headings carry no case text, so their anchors
//! (`#incident-i7`) are predictable.

use super::doc::{self, Anchor, Block, Span};
use super::{CaseReport, Format};
use crate::output::md_text;

/// Render a report as Markdown.
pub fn render(r: &CaseReport) -> String {
    let mut out = String::new();
    for b in &doc::build(r).blocks {
        block(&mut out, b);
    }
    // One trailing newline.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The anchor GitHub and GitLab give the heading an [`Anchor`] names; `None` for rows, which
/// Markdown cannot link to.
fn anchor(a: &Anchor) -> Option<String> {
    Some(match a {
        Anchor::Scope => "scope".into(),
        Anchor::Incidents => "incidents".into(),
        Anchor::Incident(id) => format!("incident-i{id}"),
        Anchor::Finding(id) => format!("finding-f{id}"),
        Anchor::Loose => "findings-outside-any-incident".into(),
        Anchor::Notes => "analysts-notes-tags-and-bookmarks".into(),
        Anchor::Provenance => "appendix-provenance".into(),
        Anchor::Record(..) | Anchor::Origin(_) => return None,
    })
}

fn span(out: &mut String, s: &Span) {
    match s {
        Span::Own(t) => out.push_str(t),
        Span::Strong(t) | Span::Warn(t) => {
            out.push_str("**");
            out.push_str(t);
            out.push_str("**");
        }
        Span::OwnCode(t) => {
            out.push('`');
            out.push_str(t);
            out.push('`');
        }
        Span::Text(t) | Span::Severity(t) | Span::Mono(t) => out.push_str(&md_text(t)),
        Span::Name(t) => {
            out.push_str("**");
            out.push_str(&md_text(t));
            out.push_str("**");
        }
        Span::Link(t, a) => match anchor(a) {
            Some(id) => {
                out.push('[');
                out.push_str(&md_text(t));
                out.push_str("](#");
                out.push_str(&id);
                out.push(')');
            }
            None => out.push_str(&md_text(t)),
        },
        // Markdown has no anchors on rows: a cross-reference is its text.
        Span::Ref(t, _) => out.push_str(&md_text(t)),
        Span::Target(inner, _) => spans(out, inner),
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
            level, title, body, ..
        } => {
            heading(out, *level, title);
            for b in body {
                block(out, b);
            }
        }
        Block::Heading { level, text } => heading(out, *level, &[Span::Own(text)]),
        Block::Paragraph(style, ss) => {
            let lead = *style == doc::Para::Lead;
            if lead {
                out.push_str("**");
            }
            spans(out, ss);
            if lead {
                out.push_str("**");
            }
            out.push_str("\n\n");
        }
        Block::Facts(_, facts) => {
            for f in facts.iter().filter(|f| f.only != Some(Format::Html)) {
                out.push_str("- **");
                out.push_str(f.label);
                out.push_str(":** ");
                spans(out, &f.value);
                out.push('\n');
            }
            out.push('\n');
        }
        Block::Contents(links) => {
            out.push_str("Contents: ");
            for (k, l) in links.iter().enumerate() {
                if k > 0 {
                    out.push_str(" · ");
                }
                span(out, l);
            }
            out.push_str("\n\n");
        }
        Block::Table(t) => table(out, t),
        // Markdown draws no pictures: the story table tells the same.
        Block::Timeline(_) => {}
    }
}

fn heading(out: &mut String, level: usize, title: &[Span]) {
    out.push_str(&"#".repeat(level));
    out.push(' ');
    spans(out, title);
    out.push_str("\n\n");
}

/// A GFM table; an empty cell is a space.
fn table(out: &mut String, t: &doc::Table) {
    let row = |out: &mut String, cells: &mut dyn Iterator<Item = String>| {
        out.push('|');
        for c in cells {
            out.push(' ');
            out.push_str(if c.is_empty() { " " } else { &c });
            out.push_str(" |");
        }
        out.push('\n');
    };
    row(
        out,
        &mut t.headers.iter().map(|h| one(std::slice::from_ref(h))),
    );
    out.push('|');
    out.push_str(&" --- |".repeat(t.headers.len()));
    out.push('\n');
    for r in &t.rows {
        row(out, &mut r.iter().map(|c| one(c)));
    }
    out.push('\n');
}

/// Spans as a string.
fn one(ss: &[Span]) -> String {
    let mut s = String::new();
    spans(&mut s, ss);
    s
}
